#!/bin/bash
# selftest.sh: the project's own ACME test server, proven: the directory
# over TLS, nonces, JWS refusals, an issuance by certdeck verified against
# the server's root, renewal information for that certificate, profiles,
# dns-persist-01 and replaces through a minimal client, every scenario of
# the switch through curl, and a clean stop.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/tap.sh"
. "$top_srcdir/tests/acmesrv/acmesrv.sh"

acmesrv_start || bail_out "acmesrv did not start"
S=$ACMESRV_SCRATCH
BASE=${ACMESRV_DIR_URL%/directory}
CERTDECK=${CERTDECK:-$top_builddir/certdeck}
CERTTOOL=${CERTTOOL:-certtool}

# c ARGS...: curl trusting only the server's throwaway CA, 10 s at most.
c()
{
	curl -sS --max-time 10 --cacert "$ACMESRV_CA_BUNDLE" "$@"
}

# code_of ARGS...: the HTTP status of a request (headers in $S/h, body $S/b).
code_of()
{
	c -o "$S/b" -D "$S/h" -w '%{http_code}' "$@"
}

# header NAME: a header's value from the last code_of.
header()
{
	sed -n "s/^$1: *//Ip" "$S/h" | tr -d '\r' | tail -n1
}

# client ARGS...: the minimal ACME client, its account kept in $S.
client()
{
	"$ACMESRV_PYTHON" -B "$top_srcdir/tests/acmesrv/acmeclient.py" \
	    --dir "$ACMESRV_DIR_URL" --ca "$ACMESRV_CA_BUNDLE" \
	    --state "$S/client.json" "$@"
}

# to FILE CMD...: runs CMD with stdout and stderr in FILE (so that check's
# own TAP line stays out of it).
to()
{
	local out=$1
	shift
	"$@" >"$out" 2>&1
}

# flat FILE: FILE's text on one line, for patterns across its lines.
flat()
{
	tr -d '\n' < "$1"
}

# jget PATH < JSON: one value out of a JSON document.
jget()
{
	"$ACMESRV_PYTHON" -B "$top_srcdir/tests/acmesrv/acmeclient.py" get "$1"
}

# b64url_hex HEX: base64url, unpadded, of the bytes HEX spells.
b64url_hex()
{
	printf "$(printf '%s' "$1" | sed 's/../\\x&/g')" | base64 -w0 |
	    tr '+/' '-_' | tr -d '='
}

# --- directory, nonces, refusals
is "$(code_of "$ACMESRV_DIR_URL")" 200 "directory over TLS with the bundle"
is "$(header Content-Type)" application/json "directory is application/json"
like "$(cat "$S/b")" "\"renewalInfo\": \"$BASE/renewal-info\"" \
    "directory offers renewalInfo"
like "$(tr -d '\n ' < "$S/b")" '"profiles":\{"classic":"[^"]+","shortlived"' \
    "directory meta lists the profiles"
check "the directory is refused without the bundle" ! \
    curl -s --max-time 10 -o /dev/null "$ACMESRV_DIR_URL"
code_of -I "$BASE/nonce" >/dev/null
n1=$(header Replay-Nonce)
code_of -I "$BASE/nonce" >/dev/null
like "$n1" '^[A-Za-z0-9_-]{16,}$' "HEAD newNonce gives a Replay-Nonce"
check "each nonce is new" test "$n1" != "$(header Replay-Nonce)"

is "$(code_of -H 'Content-Type: application/jose+json' \
    --data-binary '{"protected":"e30","payload":"","signature":"AA"}' \
    "$BASE/new-order")" 400 "newOrder without a valid JWS is refused"
is "$(header Content-Type)" application/problem+json "with a problem document"
like "$(cat "$S/b")" 'urn:ietf:params:acme:error:(malformed|badSignatureAlgorithm)' \
    "of an ACME error type"
check "and a Replay-Nonce" test -n "$(header Replay-Nonce)"
is "$(code_of -H 'Content-Type: application/json' --data-binary '{}' \
    "$BASE/new-order")" 415 "a signed request needs application/jose+json"
is "$(code_of "$BASE/new-order")" 405 "GET on newOrder is not allowed"

# --- an issuance by certdeck, verified against the server's root
printf '# every setting at its default\n' > "$S/empty.conf"
# cdk ARGS...: certdeck against this server.
cdk()
{
	"$CERTDECK" --server "$ACMESRV_DIR_URL" --ca-bundle "$ACMESRV_CA_BUNDLE" \
	    --http-port "$ACMESRV_HTTP_PORT" --http-bind 127.0.0.1 \
	    --state "$S/state" --config "$S/empty.conf" --email t@example.test \
	    --agree-tos "$@"
}
check "certdeck issues through the server" to "$S/issue.log" cdk \
    issue one -d one.example.test
diag_file "$S/issue.log" 6
check "the server's root is served" acmesrv_root_pem "$S/root.pem"
"$CERTTOOL" --verify --load-ca-certificate "$S/root.pem" \
    --infile "$S/state/live/one/fullchain.pem" >"$S/verify.log" 2>&1
like "$(cat "$S/verify.log")" "Chain verification output: Verified" \
    "fullchain verifies against the server's root"

# --- renewal information for that certificate
"$CERTTOOL" -i --infile "$S/state/live/one/cert.pem" >"$S/cert.txt" 2>&1
serial=$(sed -n 's/^[[:space:]]*Serial Number (hex): *//p' "$S/cert.txt")
aki=$(sed -n '/Authority Key Identifier/{n;s/[[:space:]]//g;p;}' "$S/cert.txt")
want_id=$(b64url_hex "$aki").$(b64url_hex "$serial")
certid=$(acmesrv_mgmt "/cert-id/$serial")
is "$certid" "$want_id" "certID is base64url(AKI).base64url(serial)"
is "$(code_of "$BASE/renewal-info/$certid")" 200 "renewalInfo answers for it"
is "$(header Content-Type)" application/json "as application/json"
like "$(header Retry-After)" '^[0-9]+$' "with Retry-After"
start=$(jget suggestedWindow.start < "$S/b")
like "$start" '^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$' \
    "suggestedWindow.start is RFC 3339"
check "the default window lies ahead" test "$(date -d "$start" +%s)" -gt \
    "$(date +%s)"
check "a window can be set for the serial" to "$S/m" acmesrv_mgmt /set-renewal-window \
    "{\"serial\": \"$serial\", \"start\": \"2020-01-01T00:00:00Z\",
      \"end\": \"2020-01-02T00:00:00Z\", \"explanationURL\": \"https://x.test/i\"}"
code_of "$BASE/renewal-info/$certid" >/dev/null
is "$(jget suggestedWindow.end < "$S/b")" 2020-01-02T00:00:00Z \
    "renewalInfo gives the window set"
is "$(jget explanationURL < "$S/b")" https://x.test/i "and its explanationURL"
check "Retry-After can be set" to "$S/m" acmesrv_mgmt /set-ari-retry-after '{"seconds": 7}'
code_of "$BASE/renewal-info/$certid" >/dev/null
is "$(header Retry-After)" 7 "and is sent"
is "$(code_of "$BASE/renewal-info/AAAA.AAAA")" 404 "an unknown certID is 404"
check "certdeck revokes it" to "$S/revoke.log" cdk revoke one \
    --reason keyCompromise
diag_file "$S/revoke.log" 3
is "$(code_of -H 'Content-Type: application/jose+json' --data-binary '{}' \
    "$BASE/revoke-cert")" 400 "revokeCert without a valid JWS is refused"

# --- profiles, replaces, dns-persist-01 through the minimal client
client order --profile nosuch a.example.test >"$S/o" 2>&1
is "$?" 1 "an unknown profile is refused"
like "$(cat "$S/o")" 'invalidProfile' "with invalidProfile"
like "$(cat "$S/o")" 'valid profiles: classic, shortlived' "naming the valid ones"
check "profile shortlived is accepted" to "$S/o" client order \
    --profile shortlived a.example.test
is "$(jget order.profile < "$S/o")" shortlived "and echoed in the order"
client order --replaces AAAA.AAAA a.example.test >"$S/o" 2>&1
like "$(flat "$S/o")" 'malformed.*replaces: no certificate' \
    "replaces naming no certificate is refused"
client order --replaces="$certid" one.example.test >"$S/o" 2>&1
like "$(flat "$S/o")" 'unauthorized.*another account' \
    "replaces of another account's certificate is refused"

check "order for dns-persist-01" to "$S/o" client order p.example.test
acct=$(jget account < "$S/o")
is "$(jget authzs.0.challenges.1.type < "$S/o")" dns-persist-01 \
    "dns-persist-01 is offered"
is "$(jget authzs.0.challenges.1.issuer-domain-names < "$S/o")" \
    '["acmesrv.test"]' "with the issuer domain names"
purl=$(jget authzs.0.challenges.1.url < "$S/o")
acmesrv_mgmt /set-txt "{\"host\": \"_validation-persist.p.example.test.\",
    \"value\": \"acmesrv.test; accounturi=$acct/x\"}" >/dev/null
client answer "$purl" >"$S/a"
is "$(jget status < "$S/a")" invalid "a record for another account fails"
like "$(jget challenges.1.error.detail < "$S/a")" "accounturi=$acct" \
    "and the error says what was looked for"
client order p.example.test >"$S/o"
purl=$(jget authzs.0.challenges.1.url < "$S/o")
acmesrv_mgmt /set-txt "{\"host\": \"_validation-persist.p.example.test\",
    \"value\": \"ACMESRV.test ; accounturi=$acct; persistUntil=4102444800\"}" \
    >/dev/null
client answer "$purl" >"$S/a"
is "$(jget status < "$S/a")" valid "the right record validates"
check "order for a wildcard" to "$S/o" client order '*.w.example.test'
is "$(jget authzs.0.challenges < "$S/o" | grep -o '"type"' | wc -l)" 1 \
    "a wildcard is offered dns-persist-01 alone"
acmesrv_mgmt /set-txt "{\"host\": \"_validation-persist.w.example.test\",
    \"value\": \"acmesrv.test; accounturi=$acct\"}" >/dev/null
client answer "$(jget authzs.0.challenges.0.url < "$S/o")" >"$S/a"
is "$(jget status < "$S/a")" invalid "a wildcard needs policy=wildcard"
to "$S/o" client order '*.w.example.test'
acmesrv_mgmt /set-txt "{\"host\": \"_validation-persist.w.example.test\",
    \"value\": \"acmesrv.test; policy=Wildcard; accounturi=$acct\"}" >/dev/null
client answer "$(jget authzs.0.challenges.0.url < "$S/o")" >"$S/a"
is "$(jget status < "$S/a")" valid "and validates with it"

# --- the scenario switch, each proven by curl
check "an unknown scenario is refused" ! acmesrv_scenario no-such-thing 2>/dev/null
acmesrv_scenario bad-nonce-storm
is "$(code_of -H 'Content-Type: application/jose+json' --data-binary '{}' \
    "$BASE/new-account")" 400 "bad-nonce-storm: a signed request gets 400"
like "$(cat "$S/b")" 'urn:ietf:params:acme:error:badNonce' "of type badNonce"
check "with a fresh nonce" test -n "$(header Replay-Nonce)"

acmesrv_scenario retry-after-503
is "$(code_of -H 'Content-Type: application/jose+json' --data-binary '{}' \
    "$BASE/new-order")" 503 "retry-after-503: newOrder gets 503"
is "$(header Retry-After)" 120 "with Retry-After: 120"
is "$(code_of -H 'Content-Type: application/jose+json' --data-binary '{}' \
    "$BASE/new-account")" 400 "other requests are not touched"

acmesrv_scenario html-200
is "$(code_of "$ACMESRV_DIR_URL")" 200 "html-200: the directory answers 200"
like "$(header Content-Type)" '^text/html' "as text/html"

acmesrv_scenario slow-body
t0=$(tap_now_ms)
c -o "$S/slow" --max-time 3 "$ACMESRV_DIR_URL" 2>/dev/null
is "$?" 28 "slow-body: curl runs into its time limit"
got=$(wc -c < "$S/slow")
check "having got a byte or a few ($got)" test "$got" -ge 1 -a "$got" -le 5
check "after its 3 s" test $(( $(tap_now_ms) - t0 )) -ge 2900

acmesrv_scenario huge-body
got=$(c "$ACMESRV_DIR_URL" 2>/dev/null | head -c 4000000 | wc -c)
is "$got" 4000000 "huge-body: the directory goes on past 4 MB"

acmesrv_scenario token-dotdot
check "token-dotdot: an order" to "$S/o" client order t.example.test
is "$(jget authzs.0.challenges.0.token < "$S/o")" ../../etc/passwd \
    "the http-01 token is ../../etc/passwd"

acmesrv_scenario none
is "$(code_of "$ACMESRV_DIR_URL")" 200 "none: the directory again"
is "$(header Content-Type)" application/json "as JSON"

# --- a clean stop
pid=$(acmesrv_pids)
acmesrv_stop
check "the server is gone" _pebble_gone "$pid"
check "acmesrv_pids is empty" test -z "$(acmesrv_pids)"
check "its port is closed" ! curl -s --max-time 2 -o /dev/null \
    --cacert "$ACMESRV_CA_BUNDLE" "$ACMESRV_DIR_URL"
check "nothing left in its log that looks like a crash" ! \
    grep -q Traceback "$S/acmesrv.log"

# --- dns-persist-01 through a real DNS server: pebble-challtestsrv's
pebble_start || bail_out "Pebble and pebble-challtestsrv did not start"
ACMESRV_DNS_SERVER=$CHALLTESTSRV_DNS acmesrv_start ||
    bail_out "acmesrv did not start with a DNS server"
S=$ACMESRV_SCRATCH
check "order on the server that asks DNS" to "$S/o" client order d.example.test
acct=$(jget account < "$S/o")
curl -fsS --max-time 10 --data-binary \
    "{\"host\": \"_validation-persist.d.example.test.\",
      \"value\": \"acmesrv.test; accounturi=$acct\"}" \
    "$CHALLTESTSRV_MGMT_URL/set-txt" >/dev/null
client answer "$(jget authzs.0.challenges.1.url < "$S/o")" >"$S/a"
is "$(jget status < "$S/a")" valid "dns-persist-01 reads the TXT record from DNS"
to "$S/o" client order e.example.test
client answer "$(jget authzs.0.challenges.1.url < "$S/o")" >"$S/a"
like "$(jget challenges.1.error.detail < "$S/a")" \
    '_validation-persist.e.example.test: no TXT record' \
    "and fails where DNS has none"
pids="$(acmesrv_pids) $(pebble_pids)"
acmesrv_stop
pebble_stop
for pid in $pids; do
	check "process $pid is gone" _pebble_gone "$pid"
done

done_testing
