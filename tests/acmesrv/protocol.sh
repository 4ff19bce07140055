#!/bin/bash
# protocol.sh: what Pebble does not offer, against the project's own ACME
# server: certificate profiles, renewal information (RFC 9773) with
# 'replaces', dns-persist-01, and a CA that
# answers 503 with Retry-After. pebble-challtestsrv (started with Pebble)
# is the DNS that both the server and certdeck read dns-persist-01's
# records from.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/tap.sh"
. "$top_srcdir/tests/acmesrv/acmesrv.sh"

pebble_start || bail_out "pebble-challtestsrv did not start"
ACMESRV_DNS_SERVER=$CHALLTESTSRV_DNS acmesrv_start || bail_out "acmesrv did not start"
S=$ACMESRV_SCRATCH
CERTDECK=${CERTDECK:-$top_builddir/certdeck}
CERTTOOL=${CERTTOOL:-certtool}
STATE=$S/state
OUT=$S/out
printf '# every setting at its default\n' >"$S/empty.conf"

cdk()
{
	"$CERTDECK" --config "$S/empty.conf" --state "$STATE" --server "$ACMESRV_DIR_URL" \
	    --ca-bundle "$ACMESRV_CA_BUNDLE" --http-port "$ACMESRV_HTTP_PORT" \
	    --http-bind 127.0.0.1 --email test@example.test --agree-tos "$@"
}
cdk_out() { local out=$1; shift; cdk "$@" >"$out" 2>&1; }
serial_of() {
	"$CERTTOOL" -i --infile "$STATE/live/$1/cert.pem" 2>/dev/null |
	    sed -n 's/^[[:space:]]*Serial Number (hex): *//p'
}
orders() { acmesrv_mgmt /orders; }
# count ROUTE: requests ROUTE has had so far (chall: challenges answered).
count() {
	acmesrv_mgmt /counts | "$ACMESRV_PYTHON" -c \
	    'import json,sys; print(json.load(sys.stdin).get(sys.argv[1], 0))' "$1"
}
# rec_num NAME KEY: a number from certificate NAME's record in the store.
rec_num() { sed -n "s/^ *\"$2\": \([0-9-]*\),\{0,1\}\$/\1/p" "$STATE/certs/$1.json" | head -n1; }
# ari_gets CERTID: renewalInfo requests for CERTID in the server's request log.
ari_gets() { grep -c "\"GET /renewal-info/$1 " "$S/acmesrv.log"; }
# ari_due NAME: NAME's next renewalInfo fetch time has come.
ari_due() { [ "$(date +%s)" -ge "$(rec_num "$1" ari_next)" ]; }
rfc3339() { date -u -d "$1" +%Y-%m-%dT%H:%M:%SZ; }
set_window() {
	acmesrv_mgmt /set-renewal-window "{\"serial\": \"$1\", \"start\": \"$2\", \
	    \"end\": \"$3\"${4:+, \"explanationURL\": \"$4\"}}"
}
verify() {
	acmesrv_root_pem "$S/root.pem" &&
	"$CERTTOOL" --verify --load-ca-certificate "$S/root.pem" \
	    --infile "$STATE/live/$1/fullchain.pem" 2>&1 | grep -q "Chain verification output: Verified"
}

# --- profiles
check "issue with the shortlived profile" cdk_out "$OUT" issue short -d short.example.test \
    --profile shortlived
diag_file "$OUT" 3
check "short verifies (its subject is empty, its names in the SAN)" verify short
like "$(orders)" '"profile": *"shortlived"' "the order asked for the profile"
cdk_out "$OUT" issue bogus -d bogus.example.test --profile bogus
is "$?" 1 "an unknown profile fails"
like "$(cat "$OUT")" "profile 'bogus' is not offered .* it offers: classic, shortlived" \
    "naming the CA's profiles"
check "renew --force keeps the profile" cdk_out "$OUT" renew short --force
like "$(orders | tr -d '\n ')" '"profile":"shortlived".*"profile":"shortlived"' \
    "the renewal's order asked for it too"

cat >"$S/profile.conf" <<CONF
certificates = ( { name = "cfgprof"; domains = [ "cfgprof.example.test" ]; profile = "shortlived"; } );
CONF
check "a profile set in the config file" sh -c "'$CERTDECK' --config '$S/profile.conf' \
    --state '$STATE' --server '$ACMESRV_DIR_URL' --ca-bundle '$ACMESRV_CA_BUNDLE' \
    --http-port '$ACMESRV_HTTP_PORT' --http-bind 127.0.0.1 --agree-tos issue cfgprof >'$OUT' 2>&1"
is "$(orders | tr -d '\n ' | grep -o '"profile":"shortlived"' | wc -l)" 3 \
    "its order asked for the profile too"

# --- renewal information
check "issue a certificate to renew by ARI" cdk_out "$OUT" issue ari -d ari.example.test
serial=$(serial_of ari)
cdk_out "$OUT" renew ari
is "$?" 3 "renew when the CA's window lies ahead has nothing to do (exit 3)"
like "$(cat "$OUT")" "renewal planned for .* inside the CA's window" "it says when it plans to"
planned=$(grep -o 'planned for [^,]*' "$OUT")
cdk_out "$S/show" show ari
like "$(cat "$S/show")" "next renewal: .*a moment picked in the CA's renewal window" \
    "show forecasts the renewal inside the CA's window"
is "$(readlink "$STATE/live/ari")" "../archive/ari/1" "nothing was renewed"
cdk_out "$OUT" renew ari
is "$(grep -o 'planned for [^,]*' "$OUT")" "$planned" "the moment picked in the window is kept"
certid=$(acmesrv_mgmt "/cert-id/$serial")
check "the CA moves the window into the past" acmesrv_mgmt /set-renewal-window \
    "{\"serial\": \"$serial\", \"start\": \"2020-01-01T00:00:00Z\", \"end\": \"2020-01-02T00:00:00Z\", \"explanationURL\": \"https://ca.example.test/incident\"}"
check "renew when the window has passed" cdk_out "$OUT" renew ari
diag_file "$OUT" 4
like "$(cat "$OUT")" "renewal window .* says renew now: see https://ca.example.test/incident" \
    "it renews at once and points at the explanation"
is "$(readlink "$STATE/live/ari")" "../archive/ari/2" "version 2 is current"
like "$(orders | tr -d '\n ')" "\"replaces\":\"$certid\"" "the new order says which certificate it replaces"

# --- dns-persist-01: a standing record, shown when first needed; certdeck
# looks for it itself before the CA is told to
PERSIST=(--challenge dns-persist-01 --dns-resolver "$CHALLTESTSRV_DNS")
challs=$(count chall)
cdk_out "$OUT" issue persist -d persist.example.test "${PERSIST[@]}" --timeout 3
is "$?" 1 "without the record the issuance fails"
like "$(cat "$OUT")" "the record to create once and keep: _validation-persist\.persist\.example\.test TXT \".*; accounturi=https://" \
    "and the record to create is shown"
value=$(sed -n 's/.*_validation-persist\.persist\.example\.test TXT "\(.*\)"$/\1/p' "$OUT" | head -n1)
check "certdeck itself says it is missing: where it looked, the name and the value" \
    grep -Fq "dns-persist-01: _validation-persist.persist.example.test TXT \"$value\" is not visible at resolver $CHALLTESTSRV_DNS after 3 s (it answers: no TXT record); create it once" "$OUT"
diag_file "$OUT" 3
is "$(count chall)" "$challs" "the CA was never told to look"
check "the owner creates it" curl -fsS --max-time 10 -o /dev/null --data-binary \
    "{\"host\": \"_validation-persist.persist.example.test.\", \"value\": \"$value\"}" \
    "$CHALLTESTSRV_MGMT_URL/set-txt"
check "then the issuance succeeds" cdk_out "$OUT" issue persist -d persist.example.test \
    "${PERSIST[@]}"
diag_file "$OUT" 3
check "persist verifies" verify persist

# Without --dns-resolver certdeck asks the system's resolver: inside a
# private mount namespace (root only), a resolv.conf naming challtestsrv.
printf 'nameserver %s\n' "$CHALLTESTSRV_DNS" >"$S/resolv.conf"
if unshare -m true 2>/dev/null; then
	unshare -m sh -c 'mount --bind "$1" /etc/resolv.conf && shift && exec "$@"' sh \
	    "$S/resolv.conf" "$CERTDECK" --config "$S/empty.conf" --state "$STATE" \
	    --server "$ACMESRV_DIR_URL" --ca-bundle "$ACMESRV_CA_BUNDLE" \
	    --email test@example.test --agree-tos --timeout 3 \
	    issue sys -d sys.example.test --challenge dns-persist-01 >"$OUT" 2>&1
	is "$?" 1 "through the system's resolver, a missing record fails the issuance"
	check "certdeck says so, naming the resolver from resolv.conf" grep -Eq \
	    "_validation-persist\.sys\.example\.test TXT \".*\" is not visible at resolver $CHALLTESTSRV_DNS after 3 s" "$OUT"
	diag_file "$OUT" 3
else
	ok "# SKIP the system's resolver: no private mount namespace here (unshare -m)"
fi

# --- a CA that is down for a while
check "the CA starts answering new orders with 503" acmesrv_scenario retry-after-503
t0=$(date +%s)
cdk_out "$OUT" renew ari --force
rc=$?
t1=$(date +%s)
is "$rc" 1 "the renewal fails"
like "$(cat "$OUT")" "try again after [0-9-]+ [0-9:]+ UTC" "and says when to try again"
check "without waiting out the Retry-After (no busy retry)" test $((t1 - t0)) -lt 30
like "$(cat "$STATE/certs/ari.json")" '"retry_after": *[0-9]+' "the next attempt time is recorded"
is "$(readlink "$STATE/live/ari")" "../archive/ari/2" "the current certificate is untouched"
acmesrv_scenario none >/dev/null

done_testing
