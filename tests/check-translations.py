#!/usr/bin/env python3
# check-translations.py: fails when a string people read has no Vietnamese.
#
# Extracts every translatable string from the files in po/POTFILES.in (the
# same way `ninja baocao-pot` does), merges them into po/vi.po in a scratch
# copy, and lists each string that is missing, fuzzy, or whose translation
# does not keep the original's printf conversions.
import os
import subprocess
import sys
import tempfile

srcdir = sys.argv[1]
potfiles = os.path.join(srcdir, "po", "POTFILES.in")
vi_po = os.path.join(srcdir, "po", "vi.po")

with open(potfiles, encoding="utf-8") as f:
    files = [l.strip() for l in f if l.strip() and not l.startswith("#")]

missing_files = [p for p in files if not os.path.exists(os.path.join(srcdir, p))]
if missing_files:
    print("po/POTFILES.in names files that do not exist:", *missing_files, sep="\n  ")
    sys.exit(1)

with tempfile.TemporaryDirectory() as tmp:
    pot = os.path.join(tmp, "baocao.pot")
    merged = os.path.join(tmp, "vi.po")
    # The keywords and flags of meson's glib preset, which builds the catalogue.
    subprocess.run(
        ["xgettext", "--from-code=UTF-8", "--add-comments=TRANSLATORS", "--directory", srcdir,
         "--output", pot, "--keyword=_", "--keyword=N_", "--keyword=C_:1c,2", "--keyword=NC_:1c,2",
         "--keyword=g_dcgettext:2", "--keyword=g_dngettext:2,3", "--keyword=g_dpgettext2:2c,3",
         "--flag=N_:1:pass-c-format", "--flag=C_:2:pass-c-format", "--flag=NC_:2:pass-c-format",
         "--flag=g_dngettext:2:pass-c-format", "--flag=g_strdup_printf:1:c-format",
         "--flag=g_string_printf:2:c-format", "--flag=g_string_append_printf:2:c-format",
         "--flag=g_error_new:3:c-format", "--flag=g_set_error:4:c-format",
         "--flag=g_markup_printf_escaped:1:c-format", "--flag=g_log:3:c-format",
         "--flag=g_print:1:c-format", "--flag=g_printerr:1:c-format",
         "--flag=g_printf:1:c-format", "--flag=g_fprintf:2:c-format", "--flag=g_sprintf:2:c-format",
         "--flag=g_snprintf:3:c-format", "--flag=g_prefix_error:2:c-format"] + files,
        check=True)
    subprocess.run(["msgmerge", "--quiet", "--no-fuzzy-matching", "--output-file", merged, vi_po, pot],
                   check=True)
    untranslated = subprocess.run(["msgattrib", "--untranslated", "--no-obsolete", merged],
                                  check=True, capture_output=True, text=True).stdout
    fuzzy = subprocess.run(["msgattrib", "--only-fuzzy", "--no-obsolete", merged],
                           check=True, capture_output=True, text=True).stdout
    check = subprocess.run(["msgfmt", "--check", "--check-format", "-o", os.devnull, merged],
                           capture_output=True, text=True)

problems = 0
for title, text in (("untranslated", untranslated), ("fuzzy", fuzzy)):
    entries = [e for e in text.split("\n\n") if "msgid" in e and 'msgid ""\nmsgstr ""\n"' not in e]
    if entries:
        problems += len(entries)
        print(f"{len(entries)} {title} string(s) in po/vi.po:")
        for e in entries:
            print("  " + e.replace("\n", "\n  "))
if check.returncode != 0:
    problems += 1
    print("msgfmt --check found problems:\n" + check.stderr)

if problems:
    print("Add the Vietnamese to po/vi.po: every string a person reads is translated.")
    sys.exit(1)
print("po/vi.po translates every string.")
