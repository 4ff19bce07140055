#!/bin/bash
# account.sh: the account lifecycle: register, show, several accounts per
# CA, new contacts, key rollover (old key kept, new key used afterwards)
# and deactivation with confirmation.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/tap.sh"
. "$top_srcdir/tests/pebble/pebble.sh"

pebble_start || bail_out "Pebble did not start"
. "$top_srcdir/tests/pebble/cli-lib.sh"
OUT=$PEBBLE_SCRATCH/out

check "register account a1" cdk_out "$OUT" --account a1 account register
cdk_out "$OUT" account show
like "$(cat "$OUT")" "account: +a1" "account show lists a1"
like "$(cat "$OUT")" "url: +https://127.0.0.1:[0-9]+/my-account/" "with its URL"
like "$(cat "$OUT")" "status: +valid" "and its status"
like "$(cat "$OUT")" "contact: +mailto:test@example.com" "and its contact"
url1=$(sed -n 's/^url: *//p' "$OUT" | head -n1)

check "register a second account at the same CA" cdk_out "$OUT" --account a2 account register
cdk_out "$OUT" account show
is "$(grep -c '^account:' "$OUT")" 2 "both accounts are listed"
check "they have different URLs" test "$(sed -n 's/^url: *//p' "$OUT" | sort -u | wc -l)" -eq 2

check "update a1's contact" cdk_out "$OUT" --account a1 --email new@example.test account update
cdk_out "$OUT" account show
like "$(cat "$OUT")" "mailto:new@example.test" "the new contact is recorded"

KEYDIR=$(dirname "$(find "$STATE/accounts" -path '*/a1/key.pem')")
cp "$KEYDIR/key.pem" "$PEBBLE_SCRATCH/a1-key1.pem"
check "roll a1 over to a new key" cdk_out "$OUT" --account a1 account rollover
diag_file "$OUT" 2
check "the new key is stored as key-2.pem" test -s "$KEYDIR/key-2.pem"
check "the old key is kept byte for byte" cmp "$KEYDIR/key.pem" "$PEBBLE_SCRATCH/a1-key1.pem"
cdk_out "$OUT" account show
like "$(cat "$OUT")" "\\(key-2.pem\\)" "the record names the new key"
check "a1 issues with its new key" cdk_out "$OUT" --account a1 issue viaa1 -d viaa1.example.test
like "$(cat "$OUT")" "account $url1" "the same account URL was used"

cdk_out "$OUT" --account a2 account deactivate </dev/null
is "$?" 1 "deactivation without a terminal or --yes is refused"
cdk_out "$OUT" account show
check "a2 is still valid" test "$(grep -c 'status: *valid' "$OUT")" -eq 2
check "deactivate a2 with --yes" cdk_out "$OUT" --account a2 --yes account deactivate
cdk_out "$OUT" account show
like "$(cat "$OUT")" "status: +deactivated" "a2 is recorded deactivated"
cdk_out "$OUT" --account a2 issue viaa2 -d viaa2.example.test
is "$?" 1 "a deactivated account cannot issue"
like "$(cat "$OUT")" "is deactivated; --account NAME registers another" "and the error says so"

done_testing
