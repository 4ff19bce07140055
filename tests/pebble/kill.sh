#!/bin/bash
# kill.sh: an issuance killed with SIGKILL at each step of the way leaves
# a store whose certificates and keys are intact and readable, and the
# next run completes the work (resuming the order where there is one).

. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/tap.sh"
. "$top_srcdir/tests/pebble/pebble.sh"

pebble_start || bail_out "Pebble did not start"
. "$top_srcdir/tests/pebble/cli-lib.sh"
OUT=$PEBBLE_SCRATCH/out

check "a first certificate to protect" cdk_out "$OUT" issue keep -d keep.example.test
snapshot=$PEBBLE_SCRATCH/keep.sha
(cd "$STATE/archive/keep" && find . -type f | sort | xargs sha256sum) >"$snapshot"

# Whatever happens to this test, no stopped certdeck outlives it.
stopped_pids=
at_exit 'kill -KILL $stopped_pids 2>/dev/null'

# kill_at STEP NAME: starts an issuance stopped at STEP, kills it -9.
kill_at()
{
	local pid
	# Started directly (not through a function) so $! is certdeck itself.
	CERTDECK_TEST_STOP_AT=$1 "$CERTDECK" "${CDK_ARGS[@]}" issue "$2" \
	    -d "$2.example.test" >"$PEBBLE_SCRATCH/$2.log" 2>&1 &
	pid=$!
	stopped_pids="$stopped_pids $pid"
	if ! wait_for proc_stopped "$pid" --timeout 30; then
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		diag_file "$PEBBLE_SCRATCH/$2.log"
		return 1
	fi
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null
	return 0
}

n=0
for step in account order challenge-set challenge-answered validated finalize downloaded; do
	n=$((n + 1))
	name=k$n
	check "killed at '$step'" kill_at "$step" "$name"
	check "after the kill at '$step': no empty or temporary file" no_bad_files "$STATE"
	check "after the kill at '$step': the other certificate is untouched" \
	    sh -c "cd '$STATE/archive/keep' && find . -type f | sort | xargs sha256sum | cmp -s - '$snapshot'"
	check "after the kill at '$step': live/ holds no half certificate" \
	    test ! -e "$STATE/live/$name"
	check "the next run completes the work after '$step'" cdk_out "$OUT" issue "$name" \
	    -d "$name.example.test"
	diag_file "$OUT" 4
	check "$name verifies after the kill at '$step'" verify_live "$name"
	case $step in
	order|challenge-set|challenge-answered|validated|finalize|downloaded)
		like "$(cat "$OUT")" "resuming order" "the order of the killed run was resumed ($step)";;
	esac
done
check "no order is left in flight" sh -c "! ls '$STATE/orders/'*.json 2>/dev/null | grep -q ."

done_testing
