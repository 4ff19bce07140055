#!/bin/bash
# keychange.sh: a key change (RFC 8555 §7.3.5) whose answer is lost. The
# server carries the change out and answers 500, or answers 500 without
# carrying it out; either way certdeck cannot know, keeps the old key in
# the record with the new one named pending, and the next run asks the CA
# (onlyReturnExisting with the new key) which one the account has, then
# goes on with it. A refused change (a problem document) drops the
# pending key at once.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/tap.sh"
. "$top_srcdir/tests/acmesrv/acmesrv.sh"

acmesrv_start || bail_out "acmesrv did not start"
S=$ACMESRV_SCRATCH
CERTDECK=${CERTDECK:-$top_builddir/certdeck}
STATE=$S/state
OUT=$S/out
printf '# every setting at its default\n' >"$S/empty.conf"

cdk()
{
	$CERTDECK_WRAPPER "$CERTDECK" --config "$S/empty.conf" --state "$STATE" \
	    --server "$ACMESRV_DIR_URL" --ca-bundle "$ACMESRV_CA_BUNDLE" \
	    --http-port "$ACMESRV_HTTP_PORT" --http-bind 127.0.0.1 \
	    --email test@example.test --agree-tos "$@"
}
cdk_out() { local out=$1; shift; cdk "$@" >"$out" 2>&1; }
# record NAME: account NAME's record.
record() { cat "$STATE"/accounts/*/"$1"/account.json; }
# field NAME KEY: a string of account NAME's record.
field() { record "$1" | sed -n "s/^  \"$2\": \"\([^\"]*\)\",\{0,1\}\$/\1/p"; }

# --- carried out, answer lost
check "register account lost" cdk_out "$OUT" --account lost account register
url=$(field lost url)
acmesrv_scenario key-change-lost
cdk_out "$OUT" --account lost account rollover
is "$?" 1 "a key change answered 500 fails"
diag_file "$OUT" 3
like "$(cat "$OUT")" "not confirmed; account lost keeps key\.pem for now, and the next run asks the CA whether it took key-2\.pem" \
    "and says the next run will ask"
is "$(field lost key_file)" key.pem "the record still names the old key"
is "$(field lost pending_key)" key-2.pem "and names the new one pending"
cdk_out "$OUT" --account lost account show
like "$(cat "$OUT")" "pending: +key-2\.pem" "account show tells"
acmesrv_scenario none
cdk_out "$OUT" --account lost issue one -d one.example.test
is "$?" 0 "the next run issues"
diag_file "$OUT" 4
like "$(cat "$OUT")" "key change to key-2\.pem was carried out before its answer was lost" \
    "after learning that the CA took the new key"
like "$(cat "$OUT")" "account $url" "for the same account"
is "$(field lost key_file)" key-2.pem "the record now names the new key"
is "$(field lost pending_key)" "" "and nothing pending"

# --- never carried out
check "register account dropped" cdk_out "$OUT" --account dropped account register
acmesrv_scenario key-change-dropped
cdk_out "$OUT" --account dropped account rollover
is "$?" 1 "a key change lost on the way fails"
is "$(field dropped pending_key)" key-2.pem "the new key is pending"
acmesrv_scenario none
cdk_out "$OUT" --account dropped issue two -d two.example.test
is "$?" 0 "the next run issues"
diag_file "$OUT" 4
like "$(cat "$OUT")" "key change to key-2\.pem never reached the CA: the account keeps its key" \
    "with the old key, which the CA still has"
is "$(field dropped key_file)" key.pem "the record keeps the old key"
is "$(field dropped pending_key)" "" "and nothing pending"

# --- refused with a problem document: known at once
check "register account refused" cdk_out "$OUT" --account refused account register
cp "$STATE"/accounts/*/refused/account.json "$S/refused-record"
cdk_out "$OUT" --account refused account rollover
is "$?" 0 "a normal key change still works"
cp "$STATE"/accounts/*/refused/key-2.pem "$S/refused-key2"
# The stale record signs with the old key, which the server refuses.
cp "$S/refused-record" "$STATE"/accounts/*/refused/account.json
cdk_out "$OUT" --account refused account rollover
is "$?" 1 "a key change signed with a key the account no longer has is refused"
diag_file "$OUT" 3
like "$(cat "$OUT")" "rollover refused; account refused keeps key\.pem" "and says so"
is "$(field refused pending_key)" "" "nothing is left pending"

check "no empty or temporary files in the store" sh -c \
    "! find '$STATE' -type f ! -name lock \\( -size 0 -o -name '.*' \\) | grep -q ."

done_testing
