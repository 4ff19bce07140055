#!/bin/bash
# probe.sh: live-endpoint checks on the screens: p on the Certificates
# screen and in the detail view asks the engine to probe the selected
# certificate's endpoints; the LIVE column appears once there are results
# (unreachable, then served) and stays at 80 columns; the detail view
# lists each endpoint with its state, what it serves and when.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/tap.sh"
. "$top_srcdir/tests/tui/ui-lib.sh"
. "$top_srcdir/tests/pebble/webhook-lib.sh"

PORT=$("$top_builddir/tests/tools/freeport" 1)
cat >"$CONF" <<CONF
certificates = (
  { name = "www"; domains = [ "www.example.test" ];
    endpoints = ( { address = "127.0.0.1:$PORT"; } ); },
  { name = "bare"; domains = [ "bare.example.test" ]; }
);
CONF
cdk_out "$OUT" issue www || { diag_file "$OUT"; bail_out "issue www"; }
cdk_out "$OUT" issue bare || { diag_file "$OUT"; bail_out "issue bare"; }
ok "two certificates issued by Pebble, one with an endpoint"

run_ui "$CERTDECK" "${CDK_ARGS[@]}" || bail_out "tmux did not start"
check "the Certificates screen opens" tmux_wait_for '2/2 shown'
check "no endpoint probed yet: no LIVE column" ! _tmux_matches 'LIVE'
like "$(tmux_capture | tail -n 1)" ' p probe ' "the footer lists p"
tmux_send p
check "p on bare says it has no endpoints" tmux_wait_for 'bare has no endpoints to probe'
tmux_send Down p
check "p on www runs a probe job" tmux_wait_for "www: done: 0 of 1 endpoints serve version 1"
check "nothing listens: the LIVE column says unreach" tmux_wait_for 'www +www\.example\.test .* unreach '
like "$(row 2)" 'EXPIRES +LIVE' "the LIVE heading follows EXPIRES"

# The endpoint now serves the stored certificate (the webhook receiver is
# an HTTPS server like any other).
WEBHOOK_PORT=$PORT
/usr/bin/python3 "$top_srcdir/tests/pebble/webhook-receiver.py" "$PORT" \
    "$STATE/live/www/fullchain.pem" "$STATE/live/www/privkey.pem" "$PEBBLE_SCRATCH/hook.log" \
    >"$PEBBLE_SCRATCH/tls.out" 2>&1 &
tls=$!
at_exit "kill $tls 2>/dev/null; wait $tls 2>/dev/null"
wait_for _webhook_up --timeout 20 || bail_out "the TLS server did not start"
tmux_send p
check "probed again: served" tmux_wait_for 'www +www\.example\.test .* served '

tmux_send Enter
check "the detail view lists the endpoint" tmux_wait_for "endpoints: +127\.0\.0\.1:$PORT \(SNI www\.example\.test\)"
check "with its state, what it serves and when" \
    tmux_wait_for 'served: version 1 \([0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}'
kill "$tls"; wait "$tls" 2>/dev/null
tmux_send p
check "p in the detail view probes too: unreachable, with the reason" \
    tmux_wait_for "unreachable: probe 127\.0\.0\.1:$PORT"
like "$(tmux_capture | tail -n 1)" ' p probe ' "the detail view's footer lists p"
tmux_send Escape
tmux_resize 80 24
check "at 80 columns the LIVE column stays" tmux_wait_for 'EXPIRES +LIVE'
check "and the row shows it" tmux_wait_for 'www\.example\.test .* unreach'
tmux_send q
check "q quits" tmux_wait_for 'exit=0'

done_testing
