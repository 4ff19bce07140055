#!/bin/bash
# wizard-webroot.sh: the wizard's Preflight proves a web root is served.
# With the webroot method it puts a test file in the web root and fetches
# it through the name, from the address challtestsrv gives for it, on the
# validation port: a web root the web server serves gets ✓, another
# folder gets ! with the server's 404, and a port nobody listens on gets
# ! with the reason; the test file is gone afterwards every time, and
# when the wizard is left and certdeck quit while a fetch still waits.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/tap.sh"
. "$top_srcdir/tests/tui/ui-lib.sh"

# Short paths, whatever folder the tests are built in: they are shown.
SHORT=$(mktemp -d /tmp/cdk-web.XXXXXX) || bail_out "mktemp"
at_exit "rm -rf '$SHORT'"
WEBROOT=$SHORT/www
OTHER=$SHORT/other
mkdir -p "$OTHER"
# No file of the preflight's left in either folder.
leftovers() { find "$WEBROOT" "$OTHER" -name 'certdeck-preflight-*' | wc -l; }

# A web server that is not certdeck holds the validation port, as in
# the Pebble webroot tests; challtestsrv answers 127.0.0.1 for any name.
web_serve "$WEBROOT" || bail_out "the test web server did not start"

run_ui "$CERTDECK" "${CDK_ARGS[@]}" --dns-resolver "$CHALLTESTSRV_DNS" ||
    bail_out "tmux did not start"
tmux_wait_for 'No certificates yet' >/dev/null || bail_out "the screens did not open"
tmux_send n
tmux_send -l 'site.example.test'
tmux_send Enter
check "step 2" tmux_wait_for 'Terms of service: +data:text/plain'
tmux_send Tab Tab Space Enter
tmux_wait_for 'agree to its terms' >/dev/null
tmux_send Space Enter
check "step 3" tmux_wait_for 'step 3 of 7, How to prove control'
tmux_send Right Tab
check "the webroot method" tmux_wait_for "< http-01, files in a web server's folder >"
tmux_send -l "$WEBROOT"
tmux_send Enter
check "step 4" tmux_wait_for 'step 4 of 7, Key'
tmux_send Enter Enter
check "step 6, preflight" tmux_wait_for 'step 6 of 7, Preflight'
check "the name resolves through challtestsrv" \
    tmux_wait_for '✓ site\.example\.test resolves to 127\.0\.0\.1'
check "the web root served for the name gets ✓" \
    tmux_wait_for '✓ site\.example\.test serves the web root'
is "$(leftovers)" 0 "the test file is gone from the web root"
like "$(cat "$PEBBLE_SCRATCH/www.log")" \
    'GET /\.well-known/acme-challenge/certdeck-preflight-[0-9a-f]{16} HTTP/1\.1" 200' \
    "the web server served it"
is "$(stat -c %a "$WEBROOT/.well-known/acme-challenge")" 755 \
    "the challenge folder is left readable, as the webroot challenge leaves it"

# Another folder than the one served: the server's 404, and still no file.
tmux_send Escape Escape Escape
check "back at step 3" tmux_wait_for 'step 3 of 7'
tmux_send Tab C-u
tmux_send -l "$OTHER"
tmux_send Enter
tmux_wait_for 'step 4 of 7' >/dev/null
tmux_send Enter Enter
check "a web root that is not the one served gets ! with the 404" \
    tmux_wait_for '! site\.example\.test: got HTTP 404'
like "$(tmux_capture)" \
    "\\(http://site\\.example\\.test:$PEBBLE_HTTP_PORT/\\.well-known/acme-challenge/certdeck-preflight-" \
    "with the URL fetched, through the name and the validation port"
like "$(cat "$PEBBLE_SCRATCH/www.log")" \
    'GET /\.well-known/acme-challenge/certdeck-preflight-[0-9a-f]{16} HTTP/1\.1" 404' \
    "the web server was asked for the test file"
unlike_screen() { ! tmux_capture | grep -q 'serves the web root'; }
check "and no ✓ for it" unlike_screen
is "$(leftovers)" 0 "the test file is gone from the other folder too"

# Nobody on the port: the reason, and still no file.
kill "$WEB_PID"; wait "$WEB_PID" 2>/dev/null
tmux_send Escape Escape Escape
tmux_wait_for 'step 3 of 7' >/dev/null
tmux_send Enter
tmux_wait_for 'step 4 of 7' >/dev/null
tmux_send Enter Enter
check "a port nobody listens on gets ! with the reason" \
    tmux_wait_for "! site\\.example\\.test: Couldn't connect to server"
like "$(tmux_capture)" 'Failed to connect to 127\.0\.0\.1 port [0-9]+' \
    "curl's reason: it went to the address the preflight found"
is "$(leftovers)" 0 "no test file left when the fetch fails"

# A server that takes the connection and never answers: the test file
# is there while the preflight waits, and leaving and quitting then
# takes it away at once, before the fetch's own time limit.
/usr/bin/python3 -c 'import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(8)
time.sleep(120)' "$PEBBLE_HTTP_PORT" &
mute=$!
at_exit "kill $mute 2>/dev/null; wait $mute 2>/dev/null"
mute_up() { ss -Hltn "sport = :$PEBBLE_HTTP_PORT" | grep -q .; }
wait_for mute_up --timeout 20 || bail_out "the silent server did not start"
tmux_send Escape Escape Escape
tmux_wait_for 'step 3 of 7' >/dev/null
tmux_send Enter
tmux_wait_for 'step 4 of 7' >/dev/null
tmux_send Enter Enter
check "a server that does not answer: the preflight waits" tmux_wait_for 'checking…'
file_there() { [ "$(leftovers)" -eq 1 ]; }
check "with the test file in the web root meanwhile" wait_for file_there --timeout 5
started=$SECONDS
tmux_send Escape Escape Escape Escape Escape Escape
check "leaving writes nothing" tmux_wait_for 'nothing was written'
tmux_send q
check "q asks: the preflight still runs" \
    tmux_wait_for '1 job is running\. Quit and cancel it\?'
tmux_send y
check "y quits" tmux_wait_for '^exit=0$' 30
is "$(leftovers)" 0 "quitting mid-fetch removed the test file"
check "before the fetch's own 5 s limit could" test $((SECONDS - started)) -lt 5

done_testing
