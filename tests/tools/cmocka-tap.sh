#!/bin/bash
# cmocka-tap.sh PROGRAM [ARGS...]: runs a cmocka suite (or anything that
# speaks TAP) and passes its output on, with cmocka 1.1.5's "not ok N #
# SKIP" written as TAP means it, "ok N # SKIP": a test skipped where it
# cannot run (under valgrind, say) is then a skip for automake's driver,
# not a failure. The program's own exit status is kept.
set -o pipefail
"$@" | sed -e 's/^not ok \([0-9][0-9]*\)\(.*\)# SKIP/ok \1\2# SKIP/'
