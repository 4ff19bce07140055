#!/bin/bash
# lock.sh: two certdeck processes on one store. The second waits for the
# first (and says who holds the lock) or, with --no-wait, fails at once
# naming the holder; a run interrupted with SIGTERM cancels its job, cleans
# up and exits 1, and its order is resumed by the next run.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/tap.sh"
. "$top_srcdir/tests/pebble/pebble.sh"

pebble_start || bail_out "Pebble did not start"
. "$top_srcdir/tests/pebble/cli-lib.sh"
OUT=$PEBBLE_SCRATCH/out

# Whatever happens to this test, no stopped certdeck outlives it.
stopped_pids=
at_exit 'kill -KILL $stopped_pids 2>/dev/null'

# start_stopped STEP NAME: an issuance that stops itself at STEP.
start_stopped()
{
	CERTDECK_TEST_STOP_AT=$1 "$CERTDECK" "${CDK_ARGS[@]}" issue "$2" \
	    -d "$2.example.test" >"$PEBBLE_SCRATCH/$2.log" 2>&1 &
	holder=$!
	stopped_pids="$stopped_pids $holder"
	wait_for proc_stopped "$holder" --timeout 30
}

check "a first run stops holding the lock" start_stopped order first
cdk_out "$OUT" --no-wait issue second -d second.example.test
is "$?" 1 "a second run with --no-wait fails"
like "$(cat "$OUT")" "locked by pid $holder" "and names the holder's pid"

# Without --no-wait it waits; let the holder go on, then both finish.
cdk_out "$OUT" issue third -d third.example.test &
waiter=$!
check "the waiting run says so" wait_for grep -q "waiting: .*locked by pid $holder" "$OUT" --timeout 20
kill -CONT "$holder"
wait "$holder"
is "$?" 0 "the holder completes once continued"
wait "$waiter"
is "$?" 0 "the waiting run completes after it"
check "first verifies" verify_live first
check "third verifies" verify_live third

# SIGTERM in the middle: the job is cancelled and cleans up.
check "a run stops after answering its challenge" start_stopped challenge-set term
kill -TERM "$holder"
kill -CONT "$holder"
wait "$holder"
is "$?" 1 "SIGTERM ends the run with status 1"
like "$(cat "$PEBBLE_SCRATCH/term.log")" "cancelled" "the job reports it was cancelled"
check "the responder port is free again" sh -c "! ss -ltn 'sport = :$PEBBLE_HTTP_PORT' | grep -q LISTEN"
check "the next run completes the interrupted certificate" cdk_out "$OUT" issue term -d term.example.test
check "term verifies" verify_live term
check "no empty or temporary files in the store" no_bad_files "$STATE"

done_testing
