#!/bin/bash
# challenges.sh: ways of proving control other than the default: http-01
# through files in a webroot served by another web server (the token file
# 0644 as the CA fetches it, removed after validation and on cancellation),
# IP address identifiers (RFC 8738) and tls-alpn-01.

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

# The token file as the CA finds it: a web server that notes the mode of
# each challenge file it is asked for, and holds its answer while
# $HOLD exists (a slow site), so a run can be cancelled mid-validation.
WATCHED=$PEBBLE_SCRATCH/www3
MODES=$PEBBLE_SCRATCH/modes.log
HOLD=$PEBBLE_SCRATCH/hold
cat >"$PEBBLE_SCRATCH/watch-server.py" <<'PYEOF'
import http.server, os, stat, sys, time
root, port, log, hold = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
class Handler(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *a, **k):
        super().__init__(*a, directory=root, **k)
    def do_GET(self):
        if self.path.startswith("/.well-known/acme-challenge/"):
            try:
                st = os.lstat(self.translate_path(self.path))
                mode = "%o %s" % (stat.S_IMODE(st.st_mode),
                                  "file" if stat.S_ISREG(st.st_mode) else "other")
            except OSError:
                mode = "missing"
            with open(log, "a") as f:
                f.write("%s %s\n" % (self.path, mode))
            deadline = time.time() + 60
            while os.path.exists(hold) and time.time() < deadline:
                time.sleep(0.1)
        super().do_GET()
http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
PYEOF
mkdir -p "$WATCHED"
echo hello >"$WATCHED/index.html"
/usr/bin/python3 "$PEBBLE_SCRATCH/watch-server.py" "$WATCHED" "$PEBBLE_HTTP_PORT" "$MODES" \
    "$HOLD" >"$PEBBLE_SCRATCH/www3.log" 2>&1 &
WATCH_PID=$!
at_exit "kill $WATCH_PID 2>/dev/null; wait $WATCH_PID 2>/dev/null"
wait_for web_up --timeout 20 || bail_out "the watching web server did not start"

check "issue through a watched webroot" cdk_out "$OUT" issue watched -d watched.example.test \
    --webroot "$WATCHED"
diag_file "$MODES" 4
like "$(cat "$MODES")" "^/\.well-known/acme-challenge/[A-Za-z0-9_-]{22,} 644 file$" \
    "the token file was a regular file of mode 0644 when the CA fetched it"
is "$(find "$WATCHED/.well-known/acme-challenge" -type f | wc -l)" 0 \
    "and was removed after validation"

# Cancelled (SIGTERM) while the CA validates: the token file goes.
: >"$MODES"
touch "$HOLD"
"$CERTDECK" "${CDK_ARGS[@]}" issue held -d held.example.test --webroot "$WATCHED" \
    >"$OUT" 2>&1 &
pid=$!
at_exit "kill -KILL $pid 2>/dev/null"
check "the CA is fetching the token file" wait_for grep -q acme-challenge "$MODES" --timeout 30
is "$(find "$WATCHED/.well-known/acme-challenge" -type f | wc -l)" 1 "the token file is in place"
kill -TERM "$pid"
wait "$pid"
is "$?" 1 "SIGTERM ends the run with status 1"
like "$(cat "$OUT")" "interrupted; cancelling and cleaning up" "saying it cleans up"
is "$(find "$WATCHED/.well-known/acme-challenge" -type f | wc -l)" 0 \
    "the token file was removed before it exited"
rm -f "$HOLD"
kill "$WATCH_PID"; wait "$WATCH_PID" 2>/dev/null

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
