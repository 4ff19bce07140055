#!/bin/bash
# renewall.sh: A renews every certificate the list shows due, after a
# summary that names each and says why; with nothing due it says so. c
# cancels the selected certificate's running job after asking (No by
# default), and the dialog that follows says what was cleaned up.
# Pebble's certificates live five years, so "due" is made by moving the
# record's expiry (the list reads records only); the engine, which reads
# the certificate itself, then rightly finds it not due.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/tap.sh"
. "$top_srcdir/tests/tui/ui-lib.sh"
read -r PEBBLE_PID CHALLTESTSRV_PID <<<"$(pebble_pids)"
at_exit 'kill -CONT $PEBBLE_PID $CHALLTESTSRV_PID 2>/dev/null'

for n in alpha beta gamma; do
	cdk_out "$OUT" issue "$n" -d "$n.example.test" || { diag_file "$OUT"; bail_out "issue $n"; }
done
ok "alpha, beta and gamma issued by Pebble"

run_ui "$CERTDECK" "${CDK_ARGS[@]}" || bail_out "tmux did not start"
tmux_wait_for '3/3 shown' >/dev/null || bail_out "the screens did not open"

# --- nothing due
tmux_send A
check "A with nothing due says so" tmux_wait_for 'No certificate is due for renewal'
tmux_send Enter
tmux_send q
tmux_wait_for '^exit=0$' 30 >/dev/null

# --- two due: the summary names them and says why
now=$(date +%s)
sed -i "s/\"not_after\": [0-9]*/\"not_after\": $((now + 3 * 86400 + 3600))/" "$STATE/certs/alpha.json"
sed -i "s/\"not_after\": [0-9]*/\"not_after\": $((now - 86400))/" "$STATE/certs/gamma.json"
run_ui "$CERTDECK" "${CDK_ARGS[@]}" || bail_out "tmux did not start"
tmux_wait_for '3/3 shown' >/dev/null || bail_out "the screens did not open"
tmux_send A
check "A lists what is due" tmux_wait_for 'Renew all that are due'
like "$(tmux_capture)" 'alpha: expiring, 3 days left \(expires [0-9-]+\)' "alpha and why"
like "$(tmux_capture)" 'gamma: expired on [0-9-]+' "gamma and why"
if tmux_capture | grep -q 'beta:'; then
	not_ok "beta, not due, is not listed"
else
	ok "beta, not due, is not listed"
fi
like "$(tmux_capture)" 'Renew these 2\?' "it counts them"
tmux_send y
check "one renewal a certificate due" tmux_wait_for '2 renewals started|#[0-9]+ (alpha|gamma)'
tmux_send 3
check "Orders: alpha's job" tmux_wait_for '#[0-9]+ +alpha +'
check "Orders: gamma's job" tmux_wait_for '#[0-9]+ +gamma +'
if tmux_capture | grep -q ' beta '; then
	not_ok "no job for beta"
else
	ok "no job for beta"
fi
tmux_send 1

# --- c: cancel a running job, after asking
tmux_send c
check "c with no job running says so" tmux_wait_for ': no job running to cancel'
kill -STOP "$CHALLTESTSRV_PID"
tmux_send / b e t a Enter R Enter
check "a forced renewal of beta runs" tmux_wait_for 'renewing +beta' 30
listening() { [ "$(ss -Hltn "sport = :$PEBBLE_HTTP_PORT" | wc -l)" -gt 0 ]; }
check "the challenge responder listens while the job waits" wait_for listening
tmux_send c
check "c asks first, naming the job and its step" \
    tmux_wait_for 'Cancel job #[0-9]+ for beta \(now at [a-z-]+\)'
tmux_send Enter
check "Enter keeps the default, No: still running" tmux_wait_for 'renewing +beta'
tmux_send c y
check "y cancels it" tmux_wait_for 'Job #[0-9]+ for beta cancelled' 30
check "and says what was cleaned up" tmux_wait_for 'challenge answers were withdrawn'
kill -CONT "$CHALLTESTSRV_PID"
tmux_send Enter
check "the row no longer shows a job" tmux_wait_gone 'renewing +beta'
cdk show beta --json >"$OUT" 2>&1
is "$(json_field "$OUT" version)" 1 "nothing new was stored for beta"
is "$(ss -Hltn "sport = :$PEBBLE_HTTP_PORT" | wc -l)" 0 \
    "no challenge responder is left listening"
tmux_send q
check "q quits" tmux_wait_for '^exit=0$' 30

done_testing
