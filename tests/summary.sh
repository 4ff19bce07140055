#!/bin/sh
# summary.sh [--since FILE] [BUILDDIR]: counts every TAP case of the last
# test run from the *.trs files in the build tree and prints, as its very
# last line, "N passed, M failed". ERROR and XPASS count as failed; SKIP is
# reported on the line before. With --since, only results written after
# FILE count, so a run that never reached the tests shows none. Build trees
# nested inside (the one make distcheck unpacks) are left out. Exits 1
# when M > 0 or N == 0.

since=
if [ "${1:-}" = --since ]; then
	since=$2
	shift 2
fi
dir=${1:-.}

# nested DIR FILE: true when FILE sits in a build tree of its own below DIR.
nested()
{
	d=$(dirname "$2")
	while [ "$d" != "$1" ] && [ "$d" != . ] && [ "$d" != / ]; do
		[ ! -f "$d/config.status" ] || return 0
		d=$(dirname "$d")
	done
	return 1
}

find "$dir" -name '*.trs' -type f ${since:+-newer "$since"} | sort | while IFS= read -r trs; do
	nested "$dir" "$trs" || sed -n 's/^:test-result: *//p' "$trs"
done | awk '
	$1 == "PASS" || $1 == "XFAIL"			{ pass++ }
	$1 == "FAIL" || $1 == "ERROR" || $1 == "XPASS"	{ fail++ }
	$1 == "SKIP"					{ skip++ }
	END {
		if (skip > 0)
			printf "%d skipped\n", skip
		printf "%d passed, %d failed\n", pass, fail
		exit (fail > 0 || pass == 0) ? 1 : 0
	}'
