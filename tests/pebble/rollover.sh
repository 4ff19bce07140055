#!/bin/bash
# rollover.sh: account key rollover (RFC 8555 §7.3.5) seen from the CA:
# afterwards the new key finds the account and signs for it while the old
# key does neither; and rollovers the CA refuses (the old key no longer the
# account's, the account deactivated) leave the stored account exactly as
# it was, with an error that says what the CA said.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/tap.sh"
. "$top_srcdir/tests/pebble/pebble.sh"

pebble_start || bail_out "Pebble did not start"
. "$top_srcdir/tests/pebble/cli-lib.sh"
OUT=$PEBBLE_SCRATCH/out
ACMECLIENT=$top_srcdir/tests/acmesrv/acmeclient.py

# lookup KEY: which account Pebble says KEY belongs to (onlyReturnExisting;
# nothing is created), as JSON {"status", "location", "body"}.
lookup()
{
	/usr/bin/python3 "$ACMECLIENT" --dir "$PEBBLE_DIR_URL" --ca "$PEBBLE_CA_BUNDLE" \
	    --key "$1" lookup
}

# field JSON KEY: a top-level value of lookup's answer.
field()
{
	printf '%s\n' "$1" | /usr/bin/python3 "$ACMECLIENT" get "$2"
}

# acct_dir STATE NAME: the folder of account NAME in store STATE.
acct_dir()
{
	dirname "$(find "$1/accounts" -path "*/$2/account.json" | head -n1)"
}

# --- a rollover the CA accepts: the new key is the account's from then on
check "register account r1" cdk_out "$OUT" --account r1 account register
R1=$(acct_dir "$STATE" r1)
url1=$(sed -n 's/.*"url": *"\([^"]*\)".*/\1/p' "$R1/account.json")
like "$url1" "^https://127\.0\.0\.1:[0-9]+/my-account/" "r1 has an account URL"
# A copy of the store from before the rollover: another host's, or a backup.
STALE=$PEBBLE_SCRATCH/stale
cp -a "$STATE" "$STALE"

check "roll r1 over to a new key" cdk_out "$OUT" --account r1 account rollover
diag_file "$OUT" 3
like "$(cat "$OUT")" "now uses key-2.pem" "it says which key the account uses now"

ans=$(lookup "$R1/key-2.pem")
is "$(field "$ans" status)" 200 "Pebble finds an account for the new key"
is "$(field "$ans" location)" "$url1" "and it is r1's account"
ans=$(lookup "$R1/key.pem")
is "$(field "$ans" status)" 400 "Pebble finds no account for the old key"
like "$(field "$ans" body)" "accountDoesNotExist" "it says no such account exists"

check "r1 issues after the rollover" cdk_out "$OUT" --account r1 issue after -d after.example.test
diag_file "$OUT" 3
like "$(cat "$OUT")" "account $url1" "signed as the same account"
check "after verifies" verify_live after

# --- refused: the stale copy still signs with the old key
SR1=$(acct_dir "$STALE" r1)
cp "$SR1/account.json" "$PEBBLE_SCRATCH/r1-record"
cp "$SR1/key.pem" "$PEBBLE_SCRATCH/r1-key"
cdk_out "$OUT" --state "$STALE" --account r1 issue stale -d stale.example.test
is "$?" 1 "the old key can no longer issue for the account"
cdk_out "$OUT" --state "$STALE" --account r1 account rollover
is "$?" 1 "a rollover signed with the old key is refused by the CA"
diag_file "$OUT" 3
like "$(cat "$OUT")" "key change: .*(unauthorized|malformed|JWS|signature|verif)" \
    "the error names the key change and the CA's reason"
like "$(cat "$OUT")" "rollover refused; account r1 keeps key\.pem \(the new key stays unused as key-2\.pem\)" \
    "and says the account keeps its old key"
check "the stored record is unchanged, byte for byte" cmp "$SR1/account.json" \
    "$PEBBLE_SCRATCH/r1-record"
check "the old key is unchanged, byte for byte" cmp "$SR1/key.pem" "$PEBBLE_SCRATCH/r1-key"
cdk_out "$OUT" --state "$STALE" account show
like "$(cat "$OUT")" "key: +ec256 \(key\.pem\)" "and is still the account's key"

# --- refused: the account was deactivated by another copy of the store
check "register account r2" cdk_out "$OUT" --account r2 account register
R2=$(acct_dir "$STATE" r2)
OTHER=$PEBBLE_SCRATCH/other
cp -a "$STATE" "$OTHER"
check "another copy of the store deactivates r2" \
    cdk_out "$OUT" --state "$OTHER" --account r2 --yes account deactivate
cp "$R2/account.json" "$PEBBLE_SCRATCH/r2-record"
cp "$R2/key.pem" "$PEBBLE_SCRATCH/r2-key"
cdk_out "$OUT" --account r2 account rollover
is "$?" 1 "a rollover of a deactivated account is refused by the CA"
diag_file "$OUT" 3
like "$(cat "$OUT")" "key change: .*(unauthorized|deactivated)" \
    "the error names the key change and the CA's reason"
like "$(cat "$OUT")" "account r2 keeps key\.pem" "and says the account keeps its old key"
check "r2's record is unchanged, byte for byte" cmp "$R2/account.json" \
    "$PEBBLE_SCRATCH/r2-record"
check "r2's key is unchanged, byte for byte" cmp "$R2/key.pem" "$PEBBLE_SCRATCH/r2-key"

check "no empty or temporary files in the stores" no_bad_files "$STATE"
check "nor in the stale copy" no_bad_files "$STALE"
done_testing
