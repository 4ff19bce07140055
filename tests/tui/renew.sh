#!/bin/bash
# renew.sh: renewals started from the screens against Pebble. r asks,
# then the engine starts and, the certificate not being due, only makes
# the copy its definition in the config file asks for; R renews
# it anyway, and the order's progress shows in Orders (pending, then
# valid) and in Activity with no key pressed meanwhile. Pebble's DNS is
# held (SIGSTOP) while the order waits on validation, so the pending
# state is on screen for certain before it is let go. A renewal Pebble
# cannot validate (its DNS server killed) fails with the CA's problem in
# a dialog and in the detail view. q with a job running asks first,
# defaulting to No.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/tap.sh"
. "$top_srcdir/tests/tui/ui-lib.sh"
read -r PEBBLE_PID CHALLTESTSRV_PID <<<"$(pebble_pids)"

cdk_out "$OUT" issue alpha -d alpha.example.test || { diag_file "$OUT"; bail_out "issue alpha"; }
ok "alpha issued by Pebble"

# alpha's definition deploys a copy: a renewal started from the screens
# makes it like one started by the timer.
mkdir -p "$PEBBLE_SCRATCH/deploy"
cat >>"$CONF" <<EOF
certificates = ( { name = "alpha"; domains = [ "alpha.example.test" ];
    deploy_fullchain = "$PEBBLE_SCRATCH/deploy/alpha.pem"; } );
EOF

# Let a stopped server go on whatever happens to the test.
at_exit 'kill -CONT $PEBBLE_PID $CHALLTESTSRV_PID 2>/dev/null'

run_ui "$CERTDECK" "${CDK_ARGS[@]}" || bail_out "tmux did not start"
tmux_wait_for '1/1 shown' >/dev/null || bail_out "the screens did not open"

# --- r: asks, then the engine says it is not due
tmux_send r
check "r asks before renewing" tmux_wait_for 'Renew alpha'
like "$(tmux_capture)" '\[ Yes \] +\[ No \]' "the dialog offers Yes and No"
tmux_send y
check "not due, the engine only makes the copy the definition asks for" \
    tmux_wait_for "alpha: done: alpha: version 1 deployed"
check "the copy is the current full chain" \
    cmp -s "$PEBBLE_SCRATCH/deploy/alpha.pem" "$STATE/live/alpha/fullchain.pem"
tmux_send 4
check "Activity shows the job's events" tmux_wait_for 'info +#1 alpha: (queued|directory|account)'
tmux_send 3
check "Orders: a job that needed no order says so" tmux_wait_for "#1 +alpha +no order"
tmux_send 1

# --- R: a forced renewal, followed live
kill -STOP "$CHALLTESTSRV_PID"
tmux_send R
check "R asks before forcing a renewal" tmux_wait_for 'Force renewal of alpha'
tmux_send Enter
check "the row shows the job's progress" tmux_wait_for '◌ +[0-9]+% renewing +alpha'
tmux_send 3
check "Orders: the new order is pending" tmux_wait_for '#2 +alpha +pending'
check "Orders: the identifier's authorization is shown" \
    tmux_wait_for '└ alpha\.example\.test +(pending|challenge set|processing)'
like "$(row 28)" '1 job running' "the status line counts the running job"
kill -CONT "$CHALLTESTSRV_PID"
check "with no key pressed, the order becomes valid" tmux_wait_for '#2 +alpha +valid' 60
check "and the identifier valid" tmux_wait_for '└ alpha\.example\.test +valid'
like "$(row 28)" 'alpha' "the status line shows the last event"
tmux_send 4
check "Activity: the certificate was stored" tmux_wait_for '#2 alpha: stored'
check "Activity: the job is done" tmux_wait_for '#2 alpha: done'
check "the definition's deploy step ran: the copy is the new full chain" \
    cmp -s "$PEBBLE_SCRATCH/deploy/alpha.pem" "$STATE/live/alpha/fullchain.pem"
tmux_send 1 g Enter
check "the detail lists version 2 as current" tmux_wait_for 'versions: +2: serial .*\(current\)'
check "the detail shows the last job's log" tmux_wait_for 'Last job: #2, done'
like "$(tmux_capture)" '[0-9:]{8} #2 alpha: ' "with its lines"
tmux_send q
tmux_wait_for '1/1 shown' >/dev/null

# --- a failure: the CA's problem in a dialog and in the detail view.
# Without its DNS server Pebble cannot validate, so the order goes invalid.
{ kill -KILL "$CHALLTESTSRV_PID"; wait "$CHALLTESTSRV_PID"; } 2>/dev/null
tmux_send R Enter
check "a failed job opens a dialog" tmux_wait_for 'Job #3 for alpha failed' 60
check "the dialog gives the CA's problem type" \
    tmux_wait_for 'CA problem: urn:ietf:params:acme:error:'
tmux_send Enter
check "Enter closes it" tmux_wait_gone 'Job #3 for alpha failed'
tmux_send g Enter
check "the detail shows the last job failed" tmux_wait_for 'Last job: #3, failed'
like "$(tmux_capture)" 'CA problem: +urn:ietf:params:acme:error:' "with the CA's problem"
tmux_send q
tmux_wait_for '1/1 shown' >/dev/null

# --- q with a job running asks, No by default
kill -STOP "$PEBBLE_PID"
tmux_send R Enter
check "a fourth job runs" tmux_wait_for '1 job running'
tmux_send q
check "q with a job running asks first" tmux_wait_for '1 job is running\. Quit and cancel it\?'
tmux_send Enter
check "Enter keeps the default, No: still running" tmux_wait_for '1 job running'
check "the dialog is gone" tmux_wait_gone 'Quit and cancel'
tmux_send q y
check "y quits and the engine stops" tmux_wait_for '^exit=0$' 30
is "$(pane_flag alternate_on)" 0 "the terminal is back from the alternate screen"
kill -CONT "$PEBBLE_PID"

done_testing
