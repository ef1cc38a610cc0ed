#!/usr/bin/env python3
# build-aux/summarize-tests.py: the closing line of a test run, counting
# subtests, not programs.
#
#   summarize-tests.py TESTLOG.json…
#
# Reads meson's JSON test logs. A TAP test counts each of its subtests (GLib
# TAP: "ok N path", "ok N path # SKIP why", "not ok N path # TODO why" for
# g_test_incomplete); a program that failed without saying which subtest
# (a crash, a timeout) counts one more failure. Other tests count once.
# Every skipped or incomplete subtest is listed with its reason, then:
#   N passed, N failed, N skipped
# A log that is missing counts as a failure: its run did not happen.
import json
import re
import sys

TAP_LINE = re.compile(r"^(not ok|ok)\b\s*\d*\s*-?\s*(.*?)(?:\s+#\s*(SKIP|TODO)\b\s*(.*))?$",
                      re.IGNORECASE)
PASSING = ("OK", "EXPECTEDFAIL")


def summarize(paths):
    passed = failed = skipped = 0
    not_run = []
    for path in paths:
        try:
            with open(path, encoding="utf-8") as log:
                records = [json.loads(line) for line in log if line.strip()]
        except FileNotFoundError:
            print(f"missing test log: {path}")
            failed += 1
            continue
        for record in records:
            result = record.get("result")
            subtests = 0
            sub_failed = 0
            for line in (record.get("stdout") or "").splitlines():
                match = TAP_LINE.match(line)
                if match is None:
                    continue
                status, name, directive, reason = match.groups()
                directive = (directive or "").upper()
                subtests += 1
                if directive == "SKIP":
                    skipped += 1
                    not_run.append((record["name"], name, "skipped", reason))
                elif directive == "TODO" and status.lower() == "not ok":
                    skipped += 1
                    not_run.append((record["name"], name, "incomplete", reason))
                elif status.lower() == "ok" and directive != "TODO":
                    passed += 1
                else:
                    # not ok, or a TODO that passed unexpectedly (meson fails it)
                    failed += 1
                    sub_failed += 1
            if subtests == 0:
                if result in PASSING:
                    passed += 1
                elif result == "SKIP":
                    skipped += 1
                    not_run.append((record["name"], "", "skipped", ""))
                else:
                    failed += 1
            elif result not in PASSING and result != "SKIP" and sub_failed == 0:
                # crashed or timed out after its last reported subtest
                failed += 1
    for test, name, how, reason in not_run:
        print(f"{how}: {test}{' ' + name if name else ''}{': ' + reason if reason else ''}")
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return failed


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__ or "usage: summarize-tests.py TESTLOG.json…")
    summarize(sys.argv[1:])
