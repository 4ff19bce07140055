#!/bin/sh
# check.sh [MAKE ARGS...]: runs every test suite from the current build
# tree, then the summary, whose "N passed, M failed" is the last line.
# Exits non-zero when anything failed, the build included.

here=$(cd "$(dirname "$0")" && pwd)

mkdir -p tests/tmp || exit 1
stamp=$(mktemp tests/tmp/check.XXXXXX) || exit 1
make -j2 check "$@"
status=$?
[ $status -eq 0 ] || echo "check.sh: make check failed (status $status)"
sh "$here/summary.sh" --since "$stamp" . || status=1
rm -f "$stamp"
exit $status
