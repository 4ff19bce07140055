#!/bin/bash
# protocol.sh: what Pebble does not offer, against the project's own ACME
# server: certificate profiles, renewal information (RFC 9773) with
# Retry-After, incidents and 'replaces', dns-persist-01, and a CA that
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

# --- renewal information: Retry-After
check "issue a certificate to renew by ARI" cdk_out "$OUT" issue ari -d ari.example.test
serial=$(serial_of ari)
certid=$(acmesrv_mgmt "/cert-id/$serial")
cdk_out "$OUT" renew ari
is "$?" 3 "renew when the CA's window lies ahead has nothing to do (exit 3)"
like "$(cat "$OUT")" "renewal planned for .* inside the CA's window" "it says when it plans to"
like "$(cat "$OUT")" "renewal information asked again after [0-9-]+ [0-9:]+ UTC" \
    "and when it asks the CA again"
planned=$(grep -o 'planned for [^,]*' "$OUT")
is "$(ari_gets "$certid")" 1 "renewalInfo was fetched once"
is "$(( $(rec_num ari ari_next) - $(rec_num ari ari_checked) ))" 21600 \
    "the next fetch waits the CA's Retry-After: 21600 s, kept in the record"
cdk_out "$S/show" show ari
like "$(cat "$S/show")" "next renewal: .*a moment picked in the CA's renewal window" \
    "show forecasts the renewal inside the CA's window"
is "$(readlink "$STATE/live/ari")" "../archive/ari/1" "nothing was renewed"
cdk_out "$OUT" renew ari
is "$?" 3 "a second run has nothing to do either"
is "$(ari_gets "$certid")" 1 "and does not fetch renewalInfo again before that time"
is "$(grep -o 'planned for [^,]*' "$OUT")" "$planned" "the moment picked in the window is kept"

# A Retry-After under a minute counts as a minute (RFC 9773 §4.3.2): the
# next fetch for these is a minute away, waited out further down while
# the other tests run.
check "the CA's renewalInfo now says Retry-After: 1" \
    acmesrv_mgmt /set-ari-retry-after '{"seconds": 1}'
check "issue arinc (for an incident)" cdk_out "$OUT" issue arinc -d arinc.example.test
check "issue ariexp (for an explanation alone)" cdk_out "$OUT" issue ariexp -d ariexp.example.test
check "issue aripast (for a window that has passed)" cdk_out "$OUT" issue aripast \
    -d aripast.example.test
nc_serial=$(serial_of arinc)
nc_certid=$(acmesrv_mgmt "/cert-id/$nc_serial")
exp_serial=$(serial_of ariexp)
exp_certid=$(acmesrv_mgmt "/cert-id/$exp_serial")
check "the CA gives ariexp a window a month ahead, with an explanationURL" set_window \
    "$exp_serial" "$(rfc3339 '+30 days')" "$(rfc3339 '+31 days')" https://ca.example.test/why
cdk_out "$OUT" renew arinc
is "$?" 3 "arinc is not due"
is "$(( $(rec_num arinc ari_next) - $(rec_num arinc ari_checked) ))" 60 \
    "a Retry-After of 1 s waits a minute"
cdk_out "$OUT" renew ariexp
is "$?" 3 "ariexp is not due"
like "$(cat "$OUT")" "the CA explains: https://ca.example.test/why" "the explanation is shown"
exp_planned=$(grep -o 'planned for [^,]*' "$OUT")

# A window that has passed renews at once.
past_serial=$(serial_of aripast)
past_certid=$(acmesrv_mgmt "/cert-id/$past_serial")
check "the CA moves aripast's window into the past" set_window "$past_serial" \
    2020-01-01T00:00:00Z 2020-01-02T00:00:00Z https://ca.example.test/incident
check "renew when the window has passed" cdk_out "$OUT" renew aripast
diag_file "$OUT" 4
like "$(cat "$OUT")" "renewal window .* says renew now: see https://ca.example.test/incident" \
    "it renews at once and points at the explanation"
is "$(readlink "$STATE/live/aripast")" "../archive/aripast/2" "version 2 is current"
like "$(orders | tr -d '\n ')" "\"replaces\":\"$past_certid\"" \
    "the new order says which certificate it replaces"

# --force renews whatever the CA's window says, without asking it.
check "renew --force while the next renewalInfo fetch is hours away" \
    cdk_out "$OUT" renew ari --force
is "$(readlink "$STATE/live/ari")" "../archive/ari/2" "ari's version 2 is current"
is "$(ari_gets "$certid")" 1 "no renewalInfo was fetched for it"
like "$(orders | tr -d '\n ')" "\"replaces\":\"$certid\"" "its order says what it replaces"

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

# --- renewal information, a minute later: asked again once the time
# the CA's Retry-After gave has passed
check "arinc's next renewalInfo fetch time comes" wait_for ari_due arinc --timeout 120
check "ariexp's too" wait_for ari_due ariexp --timeout 30
cdk_out "$OUT" renew ariexp
is "$?" 3 "an unchanged window with an explanationURL is not an incident (exit 3)"
is "$(ari_gets "$exp_certid")" 2 "renewalInfo was fetched again once the time had passed"
is "$(grep -o 'planned for [^,]*' "$OUT")" "$exp_planned" "and the moment planned stays"
check "the CA moves arinc's window earlier, an hour ahead, with an explanationURL" \
    set_window "$nc_serial" "$(rfc3339 '+1 hour')" "$(rfc3339 '+2 hours')" \
    https://ca.example.test/incident
check "renew when the CA signals an incident" cdk_out "$OUT" renew arinc
diag_file "$OUT" 4
is "$(ari_gets "$nc_certid")" 2 "renewalInfo was fetched again"
like "$(cat "$OUT")" "moved its renewal window earlier .* explains why at https://ca.example.test/incident: renewing now" \
    "it renews at once although the window lies ahead, and says why"
is "$(readlink "$STATE/live/arinc")" "../archive/arinc/2" "arinc's version 2 is current"
like "$(orders | tr -d '\n ')" "\"replaces\":\"$nc_certid\"" "its order says what it replaces"
cdk_out "$OUT" renew arinc
is "$?" 3 "the renewed certificate is not due"

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
