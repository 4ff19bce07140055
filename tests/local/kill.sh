#!/bin/bash
# kill.sh (RELIABILITY.md case 27): SIGKILL at every step of an issuance
# and of a renewal, ten times a step. After each kill: no empty file in
# the store, live/ a matching key and certificate, the other certificates
# untouched; then the next run completes the work and leaves no temporary
# file. tests/pebble/kill.sh covers the order being resumed.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/tap.sh"
. "$top_srcdir/tests/local/local-lib.sh"
TRIALS_PER_STEP=${KILL_TRIALS_PER_STEP:-10}
STEPS="directory account order authorization challenge-set challenge-answered
    poll validated finalize downloaded stored"

# Two lanes run side by side, each on its own state folder and validation
# port: http-01 through the built-in responder, and tls-alpn-01.
LANES="http tls"

# Whatever happens to this test, no stopped certdeck outlives it.
PIDS=$PEBBLE_SCRATCH/pids
: >"$PIDS"
at_exit 'kill -KILL $(cat "$PIDS") 2>/dev/null'

# lane_setup LANE: the lane's options (LANE_ARGS) and state folder.
lane_setup()
{
	STATE=$PEBBLE_SCRATCH/state-$1
	CDK_ARGS=(--config "$CONF" --state "$STATE" --server "$PEBBLE_DIR_URL"
	    --ca-bundle "$PEBBLE_CA_BUNDLE" --http-port "$PEBBLE_HTTP_PORT"
	    --tls-port "$PEBBLE_TLS_PORT" --http-bind 127.0.0.1
	    --email test@example.com --agree-tos)
	if [ "$1" = tls ]; then
		LANE_ARGS=(--challenge tls-alpn-01)
	else
		LANE_ARGS=()
	fi
	OUT=$PEBBLE_SCRATCH/out-$1
	KEEP_SUM=$PEBBLE_SCRATCH/keep-$1.sum
}

# stopped_or_gone PID: PID has stopped itself, or has exited.
stopped_or_gone()
{
	proc_stopped "$1" || _pebble_gone "$1"
}

# kill_at STEP LOG ARGS...: runs certdeck ARGS stopping at STEP and kills
# it there with SIGKILL. Returns 0 when killed at the step, 2 when the run
# ended without reaching it, 1 when it neither stopped nor ended.
kill_at()
{
	local step=$1 log=$2 pid
	shift 2
	# Started directly (not through a function) so $! is certdeck itself.
	CERTDECK_TEST_STOP_AT=$step "$CERTDECK" "${CDK_ARGS[@]}" "$@" >"$log" 2>&1 &
	pid=$!
	echo "$pid" >>"$PIDS"
	if ! wait_for stopped_or_gone "$pid" --timeout 60; then
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		return 1
	fi
	if ! proc_stopped "$pid"; then
		wait "$pid" 2>/dev/null
		return 2
	fi
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null
	return 0
}

# store_sound NAME: what must hold right after a kill.
store_sound()
{
	no_empty_files "$STATE" && live_pair_ok "$STATE" "$1" &&
	    live_pair_ok "$STATE" ren && same_tree "$STATE/archive/keep" "$KEEP_SUM"
}

# trial STEP N: kill number N at STEP, on a renewal of 'ren' for even N
# and on the first issuance of a new certificate for odd N; then the
# checks and the completing run. Prints 'killed STEP' or 'unreached
# STEP', then a 'fail STEP: why' line for each thing that did not hold.
trial()
{
	local step=$1 n=$2 name args rc
	if [ $((n % 2)) -eq 0 ]; then
		name=ren
		args=(renew ren --force)
	else
		name=t-$step-$n
		args=(issue "$name" -d "$name.example.test" "${LANE_ARGS[@]}")
	fi
	kill_at "$step" "$OUT.kill" "${args[@]}"
	rc=$?
	case $rc in
	0) echo "killed $step";;
	2) echo "unreached $step";;
	*) echo "fail $step: $name did not stop"; return;;
	esac
	store_sound "$name" >>"$OUT.diag" ||
	    echo "fail $step: $name: store unsound after the kill"
	# Killed after its 'stored' event, a first issuance is complete:
	# the next run only shows it.
	[ "$step" = stored ] && [ "$name" != ren ] && args=(show "$name")
	if ! cdk_out "$OUT" "${args[@]}"; then
		echo "fail $step: $name: the next run failed: $(tail -n1 "$OUT")"
		return
	fi
	[ -L "$STATE/live/$name" ] || echo "fail $step: $name: not live after the next run"
	live_pair_ok "$STATE" "$name" >>"$OUT.diag" ||
	    echo "fail $step: $name: live pair mismatched after the next run"
	no_temp_files "$STATE" >>"$OUT.diag" ||
	    echo "fail $step: $name: temporary files after the next run"
}

# lane LANE: every step, TRIALS_PER_STEP / 2 kills each, results to
# $PEBBLE_SCRATCH/results-LANE.
lane()
{
	local step n shift=0
	lane_setup "$1"
	# The lanes alternate issuance and renewal out of phase, so each
	# step sees both about equally.
	[ "$1" = tls ] && shift=1
	{
		cdk_out "$OUT" issue keep -d keep.example.test "${LANE_ARGS[@]}" &&
		    cdk_out "$OUT" issue ren -d ren.example.test "${LANE_ARGS[@]}" ||
		    echo "fail setup: $(tail -n1 "$OUT")"
		tree_sum "$STATE/archive/keep" >"$KEEP_SUM"
		for step in $STEPS; do
			for n in $(seq 1 $((TRIALS_PER_STEP / 2))); do
				trial "$step" $((n + shift))
			done
		done
	} >"$PEBBLE_SCRATCH/results-$1"
}

lane_pids=
for l in $LANES; do
	lane "$l" &
	lane_pids="$lane_pids $!"
done
wait $lane_pids
cat "$PEBBLE_SCRATCH"/results-* >"$PEBBLE_SCRATCH/results"
R=$PEBBLE_SCRATCH/results
is "$(grep '^fail setup' "$R")" "" "each lane issues its first certificates"
for step in $STEPS; do
	killed=$(grep -c "^killed $step\$" "$R")
	# Every step is reached by most runs ('poll' only when the CA
	# answers 'pending' or 'processing' first).
	check "'$step': killed there in $killed of $TRIALS_PER_STEP runs" \
	    test "$killed" -ge $((TRIALS_PER_STEP / 2))
	is "$(grep "^fail $step:" "$R")" "" \
	    "'$step': store sound after each kill, the next run completes the work"
done
total=$(grep -c '^killed ' "$R")
check "at least 100 kills in all ($total)" test "$total" -ge 100
for l in $LANES; do
	diag_file "$PEBBLE_SCRATCH/out-$l.diag" 10
done

# all_verify: every live certificate verifies against Pebble's root.
all_verify()
{
	local d l
	for l in $LANES; do
		for d in "$PEBBLE_SCRATCH/state-$l"/live/*; do
			STATE=$PEBBLE_SCRATCH/state-$l verify_live "${d##*/}" ||
			    { diag "$l: ${d##*/} does not verify"; return 1; }
		done
	done
}
check "every live certificate verifies at the end" all_verify
done_testing
