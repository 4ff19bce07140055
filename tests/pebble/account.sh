#!/bin/bash
# account.sh: the account lifecycle: register, show, several accounts per
# CA, new contacts, key rollover (old key kept, new key used afterwards)
# and deactivation with confirmation; account keys of every family
# (ES384 and RS256 signatures, RFC 7518), from the option and the config.

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

# Account keys other than P-256: the key stored is of the type asked for,
# the CA accepts its signatures (ES384, RS256) on registration and orders.
check "the key of a1 (default type) is P-256" sh -c \
    "'${CERTTOOL:-certtool}' --key-info --infile '$PEBBLE_SCRATCH/a1-key1.pem' 2>/dev/null | grep -q SECP256R1"
for kt in ec384 rsa2048; do
	case $kt in
	ec384) want="SECP384R1" ;;
	rsa2048) want="Algorithm: RSA" ;;
	esac
	check "register an account with --account-key-type $kt" \
	    cdk_out "$OUT" --account "k$kt" --account-key-type "$kt" account register
	diag_file "$OUT" 3
	url=$(grep -o 'https://[^ ]*/my-account/[A-Za-z0-9]*' "$OUT" | head -n1)
	key=$(find "$STATE/accounts" -path "*/k$kt/key.pem")
	info=$("${CERTTOOL:-certtool}" --key-info --infile "$key" 2>/dev/null)
	like "$info" "$want" "the stored account key is $kt (certtool --key-info)"
	[ "$kt" = rsa2048 ] && like "$info" "\(2048 bits\)" "of 2048 bits"
	cdk_out "$OUT" account show
	like "$(cat "$OUT")" "key: +$kt \(key.pem\)" "account show names the key type"
	check "a certificate is issued with the $kt account" \
	    cdk_out "$OUT" --account "k$kt" issue "via$kt" -d "via$kt.example.test"
	diag_file "$OUT" 3
	check "via$kt verifies" verify_live "via$kt"
	like "$(cat "$OUT")" "account ${url:-none}" "through that account"
done
cdk_out "$OUT" --account-key-type dsa1024 account show
is "$?" 2 "an unknown --account-key-type is a usage error"
like "$(cat "$OUT")" "^certdeck: --account-key-type: " "and says which option"

# The configuration's account_key_type: globally, and in a cas entry for
# its CA, which wins; the command line wins over both.
ACONF=$PEBBLE_SCRATCH/accounts.conf
acct_conf()
{
	cat >"$ACONF" <<CONF
account_key_type = "rsa2048";
ca = "pebble";
cas = ( { name = "pebble"; directory = "$PEBBLE_DIR_URL";
          ca_bundle = "$PEBBLE_CA_BUNDLE"; $1 } );
CONF
}
# acct_key_is ACCOUNT REGEX [ARGS...]: registers ACCOUNT through the cas
# entry (no --server) and matches its key's certtool description.
acct_key_is()
{
	local name=$1 want=$2 key
	shift 2
	"$CERTDECK" --config "$ACONF" --state "$STATE" --http-port "$PEBBLE_HTTP_PORT" \
	    --http-bind 127.0.0.1 --agree-tos --account "$name" "$@" account register \
	    >"$OUT" 2>&1 || { diag_file "$OUT" 3; return 1; }
	key=$(find "$STATE/accounts" -path "*/$name/key.pem")
	"${CERTTOOL:-certtool}" --key-info --infile "$key" 2>/dev/null | grep -q "$want"
}
acct_conf ""
check "the global account_key_type makes an RSA account key" acct_key_is cg "Algorithm: RSA"
acct_conf 'account_key_type = "ec384";'
check "a cas entry's account_key_type wins over the global one" acct_key_is cca SECP384R1
check "--account-key-type wins over the config" acct_key_is ccli SECP256R1 \
    --account-key-type ec256

done_testing
