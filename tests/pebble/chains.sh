#!/bin/bash
# chains.sh: a CA offering alternate chains (Pebble with two roots and
# chains of three): the default chain, and --preferred-chain choosing the
# other root by its name; the choice is kept for renewals.

export PEBBLE_ALTERNATE_ROOTS=2 PEBBLE_CHAIN_LENGTH=3
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/tap.sh"
. "$top_srcdir/tests/pebble/pebble.sh"

pebble_start || bail_out "Pebble did not start"
. "$top_srcdir/tests/pebble/cli-lib.sh"
OUT=$PEBBLE_SCRATCH/out

curl -fsS --cacert "$PEBBLE_CA_BUNDLE" -o "$PEBBLE_SCRATCH/root0.pem" "$PEBBLE_MGMT_URL/roots/0"
curl -fsS --cacert "$PEBBLE_CA_BUNDLE" -o "$PEBBLE_SCRATCH/root1.pem" "$PEBBLE_MGMT_URL/roots/1"
cn0=$(root_cn "$PEBBLE_SCRATCH/root0.pem")
cn1=$(root_cn "$PEBBLE_SCRATCH/root1.pem")
diag "roots: '$cn0' and '$cn1'"
check "the two roots have different names" test -n "$cn0" -a -n "$cn1" -a "$cn0" != "$cn1"

check "issue with the default chain" cdk_out "$OUT" issue plain -d plain.example.test
check "the chain holds more than one intermediate" \
    test "$(grep -c 'BEGIN CERTIFICATE' "$STATE/live/plain/chain.pem")" -ge 2
check "the default chain ends at root 0" verify_with plain "$PEBBLE_SCRATCH/root0.pem"

check "issue preferring root 1" cdk_out "$OUT" issue alt -d alt.example.test \
    --preferred-chain "$cn1"
diag_file "$OUT" 4
like "$(cat "$OUT")" "chosen chain ends at" "an alternate chain was chosen"
check "the chain verifies against root 1" verify_with alt "$PEBBLE_SCRATCH/root1.pem"
check "and not against root 0" ! verify_with alt "$PEBBLE_SCRATCH/root0.pem"
check "renewal keeps the preference" cdk_out "$OUT" renew alt --force
check "the renewed chain verifies against root 1" verify_with alt "$PEBBLE_SCRATCH/root1.pem"

check "an unknown preference falls back to the default" cdk_out "$OUT" issue other \
    -d other.example.test --preferred-chain "No Such Root"
like "$(cat "$OUT")" "no chain offered by the CA ends at \"No Such Root\"" "with a warning"
check "the fallback is the default chain" verify_with other "$PEBBLE_SCRATCH/root0.pem"

done_testing
