#!/bin/sh
# tests/dbus-session.sh: runs a test on a session bus of its own.
# The bus's services inherit its output, and the accessibility registry
# prints to stdout: keep them on stderr so the test's TAP stays clean.
exec 3>&1 1>&2
exec dbus-run-session -- sh -c 'exec "$@" >&3 3>&-' sh "$@"
