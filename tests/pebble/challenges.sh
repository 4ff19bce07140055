#!/bin/bash
# challenges.sh: ways of proving control other than the default: http-01
# through files in a webroot served by another web server, and IP address
# identifiers (RFC 8738).

. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/tap.sh"
. "$top_srcdir/tests/pebble/pebble.sh"

pebble_start || bail_out "Pebble did not start"
. "$top_srcdir/tests/pebble/cli-lib.sh"
OUT=$PEBBLE_SCRATCH/out
WEBROOT=$PEBBLE_SCRATCH/www

# A web server that is not certdeck holds the validation port.
web_serve "$WEBROOT" || bail_out "the test web server did not start"

check "issue through the webroot" cdk_out "$OUT" issue site -d site.example.test \
    --webroot "$WEBROOT"
diag_file "$OUT" 6
like "$(cat "$OUT")" "http-01 \(webroot\)" "the webroot method was used"
check "site verifies" verify_live site
is "$(find "$WEBROOT/.well-known/acme-challenge" -type f | wc -l)" 0 \
    "the challenge file was removed after validation"
is "$(stat -c %a "$WEBROOT/.well-known/acme-challenge")" 755 \
    "the challenge folder is readable by the web server"
check "renewal keeps the webroot method" cdk_out "$OUT" renew site --force
like "$(cat "$OUT")" "http-01 \(webroot\)" "the renewal used the webroot again"

# A symlink planted where certdeck would write is never followed.
TRAP=$PEBBLE_SCRATCH/www2
OUTSIDE=$PEBBLE_SCRATCH/outside
mkdir -p "$TRAP" "$OUTSIDE"
ln -s "$OUTSIDE" "$TRAP/.well-known"
cdk_out "$OUT" issue trap -d trap.example.test --webroot "$TRAP"
is "$?" 1 "a symlink in the webroot path fails the issuance"
like "$(cat "$OUT")" "\.well-known \(a symlink is refused\)" "the error names the path and why"
is "$(find "$OUTSIDE" -type f | wc -l)" 0 "nothing was written through the symlink"

cdk_out "$OUT" issue nowhere -d nowhere.example.test --webroot "$PEBBLE_SCRATCH/missing"
is "$?" 1 "a webroot that does not exist fails"
like "$(cat "$OUT")" "missing: No such file" "and says so"

kill "$WEB_PID"; wait "$WEB_PID" 2>/dev/null

# IP identifiers, answered by the built-in responder.
check "issue for 127.0.0.1" cdk_out "$OUT" issue loop4 -d 127.0.0.1
diag_file "$OUT" 4
check "loop4 verifies" verify_live loop4
like "$("${CERTTOOL:-certtool}" -i --infile "$STATE/live/loop4/cert.pem" 2>/dev/null)" \
    "IPAddress: 127.0.0.1" "the certificate carries an iPAddress SAN"

# tls-alpn-01 (RFC 8737), answered by the built-in TLS responder.
check "issue through tls-alpn-01" cdk_out "$OUT" issue alpn -d alpn.example.test \
    --challenge tls-alpn-01 --tls-port "$PEBBLE_TLS_PORT"
diag_file "$OUT" 4
like "$(cat "$OUT")" "tls-alpn-01 \(built-in responder\)" "the tls-alpn-01 method was used"
check "alpn verifies" verify_live alpn
check "an IP address through tls-alpn-01" cdk_out "$OUT" issue alpn4 -d 127.0.0.1 \
    --challenge tls-alpn-01 --tls-port "$PEBBLE_TLS_PORT"
check "alpn4 verifies" verify_live alpn4
check "the TLS port is free again after the run" \
    sh -c "! ss -ltn 'sport = :$PEBBLE_TLS_PORT' | grep -q LISTEN"

done_testing
