#!/bin/bash
# tui-lock.sh (RELIABILITY.md case 28, with the screens open): the screens
# hold the store lock only while their jobs run, so a timer's run goes
# through while they sit open; a renewal asked from the screens while a
# command-line run holds the lock waits, says who holds it, and then
# completes. tests/pebble/lock.sh covers two command-line runs.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/tap.sh"
. "$top_srcdir/tests/tui/ui-lib.sh"
. "$top_srcdir/tests/local/local-lib.sh"

cdk_out "$OUT" issue alpha -d alpha.example.test || { diag_file "$OUT"; bail_out "issue alpha"; }
# Wide enough for the status line to hold the state folder's whole path.
UI_W=250 run_ui "$CERTDECK" "${CDK_ARGS[@]}" || bail_out "tmux did not start"
check "the screens open" tmux_wait_for '1/1 shown'

check "with the screens open, a run with --no-wait is not blocked" \
    cdk_out "$OUT" --no-wait issue bravo -d bravo.example.test
diag_file "$OUT" 2

# A command-line run stops holding the lock; the screens ask for a renewal.
stopped_pids=
at_exit 'kill -KILL $stopped_pids 2>/dev/null'
CERTDECK_TEST_STOP_AT=order "$CERTDECK" "${CDK_ARGS[@]}" issue charlie \
    -d charlie.example.test >"$PEBBLE_SCRATCH/charlie.log" 2>&1 &
holder=$!
stopped_pids=$holder
check "a command-line run stops holding the lock" wait_for proc_stopped "$holder" --timeout 30
tmux_send g R
check "the screens ask before renewing" tmux_wait_for 'alpha' 10
tmux_send y
check "the screens' renewal waits and names the holder" \
    tmux_wait_for "waiting: state directory .* is locked by pid $holder" 20
kill -CONT "$holder"
wait "$holder"
is "$?" 0 "the command-line run completes"
check "then the screens' renewal completes" \
    wait_for test -d "$STATE/archive/alpha/2" --timeout 30
for n in alpha bravo charlie; do
	check "$n verifies" verify_live "$n"
	check "$n: key and certificate match" live_pair_ok "$STATE" "$n"
done
is "$(ls "$STATE/archive/alpha" | wc -l)" 2 "alpha has its renewed version"
tmux_send q
check "the screens quit" tmux_wait_for 'exit=0' 10

done_testing
