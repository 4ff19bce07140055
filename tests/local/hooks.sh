#!/bin/bash
# hooks.sh (RELIABILITY.md case 34): dns-01 hooks that fail, die on a
# signal, hang (with a child of their own, and deaf to SIGTERM), flood
# their output, or cannot be run. Each ends the run with status 1 and one
# line saying what the hook did; a hang is cut at the hook timeout (60 s,
# fixed in engine/challenge_dns.c, so that one case takes a minute: it
# runs in the background on a state folder of its own while the others
# go on); no process of the hook's group outlives the run; the captured
# output is capped. tests/pebble/dns.sh covers a working hook, a failing
# one and a group-writable one; tests/local/perms.sh world-writable ones.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/tap.sh"
. "$top_srcdir/tests/local/local-lib.sh"
H=$PEBBLE_SCRATCH/hooks
mkdir -p "$H"
HOOK_TIMEOUT=60

# hook NAME BODY: an executable /bin/sh hook script.
hook()
{
	printf '#!/bin/sh\n%s\n' "$2" >"$H/$1"
	chmod 0755 "$H/$1"
}

# dns_issue NAME HOOK [ARGS]: issuance of NAME.example.test through HOOK.
dns_issue()
{
	local name=$1 h=$2
	shift 2
	cdk "$@" issue "$name" -d "$name.example.test" --challenge dns-01 \
	    --dns-hook "$h"
}

# gone PIDFILE: every pid listed in PIDFILE has exited.
gone()
{
	local p
	for p in $(cat "$1" 2>/dev/null); do
		kill -0 "$p" 2>/dev/null && return 1
	done
	return 0
}

# A hook that hangs, with a background child, and ignores SIGTERM: only
# killing its whole group with SIGKILL ends it. Its 'del' returns at once.
hook hang "[ \"\$1\" = del ] && exit 0
echo \$\$ >>'$H/hang.pids'
sleep 3600 &
echo \$! >>'$H/hang.pids'
trap '' TERM
echo 'waiting for the zone lock'
while :; do sleep 1; done"
at_exit "kill -KILL \$(cat '$H/hang.pids' 2>/dev/null) 2>/dev/null"
t0=$(tap_now_ms)
"$CERTDECK" "${CDK_ARGS[@]}" --state "$STATE-hang" issue hang -d hang.example.test \
    --challenge dns-01 --dns-hook "$H/hang" >"$OUT.hang" 2>&1 &
hang_run=$!
at_exit "kill -KILL $hang_run 2>/dev/null"

# A hook that fails with a message on stderr.
hook fail 'echo "zone example.test is locked" >&2; exit 3'
dns_issue fail "$H/fail" >"$OUT" 2>&1
is "$?" 1 "a failing hook: status 1"
like "$(tail -n1 "$OUT")" "failed: .*exited with status 3: zone example\.test is locked" \
    "a failing hook: its status and output"

# A hook killed by a signal.
hook segv '[ "$1" = del ] && exit 0; kill -SEGV $$'
dns_issue segv "$H/segv" >"$OUT" 2>&1
is "$?" 1 "a hook killed by a signal: status 1"
like "$(tail -n1 "$OUT")" "killed by signal 11" "a hook killed by a signal: says which"

# A hook that floods: 20 MB on stdout, then fails. The run neither blocks
# on the full pipe nor keeps it all; the line shows a bounded excerpt.
hook flood '[ "$1" = del ] && exit 0
head -c 20000000 /dev/zero | tr "\0" x; echo; echo "the end" >&2; exit 4'
t1=$(tap_now_ms)
dns_issue flood "$H/flood" >"$OUT" 2>&1
rc=$?
is "$rc" 1 "a flooding hook: status 1"
like "$(tail -n1 "$OUT")" "exited with status 4: x{50,}" "a flooding hook: its status and the start of its output"
line=$(tail -n1 "$OUT" | wc -c)
check "a flooding hook: the error line is bounded ($line bytes)" test "$line" -lt 1024
check "a flooding hook: the whole run output is small" test "$(wc -c <"$OUT")" -lt 8192
check "a flooding hook: drained without waiting for the timeout" \
    test $(( $(tap_now_ms) - t1 )) -lt $((HOOK_TIMEOUT * 1000 / 2))

# A flood from a hook that then succeeds does not fail the issuance.
hook chatty "head -c 5000000 /dev/zero | tr '\\0' y
case \$1 in
add) exec curl -fsS -o /dev/null -d \"{\\\"host\\\":\\\"\$3.\\\",\\\"value\\\":\\\"\$4\\\"}\" '$CHALLTESTSRV_MGMT_URL/set-txt' ;;
del) exec curl -fsS -o /dev/null -d \"{\\\"host\\\":\\\"\$3.\\\"}\" '$CHALLTESTSRV_MGMT_URL/clear-txt' ;;
esac"
check "a chatty hook that succeeds: the certificate issues" \
    cdk_out "$OUT" issue chatty -d chatty.example.test --challenge dns-01 \
    --dns-hook "$H/chatty" --dns-resolver "$CHALLTESTSRV_DNS"
diag_file "$OUT" 2
check "a chatty hook: the run's output stays small" test "$(wc -c <"$OUT")" -lt 8192

# Hooks that cannot be run at all: refused before the CA is asked for an
# order (no order left in flight).
hook noexec 'exit 0'
chmod 0644 "$H/noexec"
dns_issue noexec "$H/noexec" >"$OUT" 2>&1
is "$?" 1 "a hook that is not executable: status 1"
like "$(tail -n1 "$OUT")" "noexec.*(not executable|Permission denied)" "a hook that is not executable: says so"
mkdir -p "$H/adir"
dns_issue adir "$H/adir" >"$OUT" 2>&1
is "$?" 1 "a hook that is a folder: status 1"
like "$(tail -n1 "$OUT")" "adir.*(not a regular file|directory)" "a hook that is a folder: says so"
dns_issue relative hooks/fail >"$OUT" 2>&1
is "$?" 1 "a relative hook path: status 1"
like "$(tail -n1 "$OUT")" "hooks/fail.*absolute" "a relative hook path: absolute paths only"
dns_issue missing "$H/missing" >"$OUT" 2>&1
is "$?" 1 "a hook that does not exist: status 1"
like "$(tail -n1 "$OUT")" "missing.*No such file" "a hook that does not exist: says so"

# The hanging hook, by now near its timeout.
check "a hanging hook: the run ends" wait_for _pebble_gone "$hang_run" --timeout $((HOOK_TIMEOUT + 60))
wait "$hang_run"
rc=$?
elapsed=$(( ($(tap_now_ms) - t0) / 1000 ))
is "$rc" 1 "a hanging hook: status 1"
like "$(tail -n1 "$OUT.hang")" "timed out after $HOOK_TIMEOUT s \(killed\): waiting for the zone lock" \
    "a hanging hook: says it timed out, with its output"
check "a hanging hook: cut at the timeout (${elapsed} s)" \
    test "$elapsed" -ge "$HOOK_TIMEOUT" -a "$elapsed" -le $((HOOK_TIMEOUT + 30))
check "a hanging hook: the hook and its child are gone (group killed)" \
    wait_for gone "$H/hang.pids" --timeout 10
is "$(wc -l <"$H/hang.pids")" 2 "a hanging hook: both of its processes had started"

done_testing
