#!/bin/bash
# batch.sh: several certificates issued at once by one engine: their steps
# interleave (every order is created before the first certificate is
# stored) and all of them succeed.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/tap.sh"
. "$top_srcdir/tests/pebble/pebble.sh"

pebble_start || bail_out "Pebble did not start"
. "$top_srcdir/tests/pebble/cli-lib.sh"
OUT=$PEBBLE_SCRATCH/out
BATCH=$PEBBLE_SCRATCH/batch.txt

{
	echo "# name and domains, one certificate a line"
	for i in 1 2 3 4 5 6; do
		echo "site$i site$i.example.test www.site$i.example.test"
	done
} >"$BATCH"

check "issue --batch of six certificates" cdk_out "$OUT" issue --batch "$BATCH"
diag_file "$OUT" 12
like "$(tail -n1 "$OUT")" "^6 succeeded, 0 failed$" "the summary counts six successes"
for i in 1 2 3 4 5 6; do
	check "site$i verifies" verify_live "site$i"
done
last_order=$(grep -n ': order: ' "$OUT" | tail -n1 | cut -d: -f1)
first_stored=$(grep -n ': stored: ' "$OUT" | head -n1 | cut -d: -f1)
check "all six orders were created before the first was stored (concurrent)" \
    test "${last_order:-999}" -lt "${first_stored:-0}"
is "$(grep -c ': account: ' "$OUT")" 1 "one account step: the jobs shared the account"

# A bad line stops the batch before anything is asked of the CA.
printf 'good good.example.test\nbad exa..mple.test\n' >"$BATCH"
cdk_out "$OUT" issue --batch "$BATCH"
is "$?" 1 "a batch with a bad line fails"
like "$(cat "$OUT")" "batch.txt:2:" "the error names the file and line"
check "and nothing of it was issued" test ! -e "$STATE/live/good"

done_testing
