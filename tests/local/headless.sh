#!/bin/bash
# headless.sh (RELIABILITY.md case 35): runs from cron or systemd: no
# terminal (setsid, stdin from /dev/null), TERM=dumb on a terminal,
# stdout closed, stdout a pipe closed after one byte (SIGPIPE), SIGTERM
# in the middle. Curses never starts (no escape sequence in any output),
# the store is whole after each, and the exit status is the documented
# one (0 success, 1 failure, 2 usage).

. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/tap.sh"
. "$top_srcdir/tests/local/local-lib.sh"

# no_escapes FILE DESC: FILE holds no ESC byte.
no_escapes()
{
	if has_escape "$1"; then
		not_ok "$2"
		diag "$(head -c 200 "$1" | cat -v)"
	else
		ok "$2"
	fi
}

# store_whole NAME: no empty or temporary file, live/NAME a matching pair.
store_whole()
{
	no_bad_files "$STATE" && live_pair_ok "$STATE" "$1"
}

# No command, no terminal: a usage error, not the screens.
setsid "$CERTDECK" "${CDK_ARGS[@]}" </dev/null >"$OUT" 2>&1
is "$?" 2 "no command without a terminal: usage status 2"
like "$(cat "$OUT")" "the screens need a terminal" "and says why"
no_escapes "$OUT" "no command without a terminal: no escape sequence"

# On a terminal (script(1) gives a pty) with TERM=dumb: the same.
if command -v script >/dev/null 2>&1; then
	TERM=dumb script -qec "$(printf '%q ' "$CERTDECK" "${CDK_ARGS[@]}")" /dev/null \
	    </dev/null >"$OUT" 2>&1
	like "$(cat "$OUT")" "the screens need a terminal on stdin and stdout, and TERM not dumb" \
	    "TERM=dumb on a terminal: no screens, and why"
	no_escapes "$OUT" "TERM=dumb on a terminal: no escape sequence"
	TERM=dumb script -qec "$(printf '%q ' "$CERTDECK" "${CDK_ARGS[@]}") issue dumb -d dumb.example.test" \
	    /dev/null </dev/null >"$OUT" 2>&1
	check "TERM=dumb on a terminal: an issuance completes" verify_live dumb
	no_escapes "$OUT" "TERM=dumb on a terminal: log lines without escape sequences"
fi

# Headless issuance, as from a timer: verbose, every line plain text.
setsid "$CERTDECK" "${CDK_ARGS[@]}" -v issue cron -d cron.example.test </dev/null >"$OUT" 2>&1
is "$?" 0 "no terminal: an issuance exits 0"
check "no terminal: it verifies" verify_live cron
no_escapes "$OUT" "no terminal: no escape sequence in the output"
TERM=xterm-256color setsid "$CERTDECK" "${CDK_ARGS[@]}" list </dev/null >"$OUT" 2>&1
no_escapes "$OUT" "no terminal with a colour TERM: list prints no escape sequence"

# stdout closed: the work is done, the status says so.
setsid "$CERTDECK" "${CDK_ARGS[@]}" -v issue closed -d closed.example.test </dev/null >&- 2>"$OUT"
rc=$?
check "stdout closed: the certificate is stored" verify_live closed
check "stdout closed: the store is whole" store_whole closed
like "$rc" "^[01]$" "stdout closed: a documented status ($rc)"
setsid "$CERTDECK" "${CDK_ARGS[@]}" -v renew closed --force </dev/null >&- 2>&-
rc=$?
check "stdout and stderr closed: the renewal is stored" verify_live closed
like "$rc" "^[01]$" "stdout and stderr closed: a documented status ($rc)"

# SIGPIPE: the reader goes away after one byte; the run still finishes
# its atomic steps and ends with a documented status, not a signal.
"$CERTDECK" "${CDK_ARGS[@]}" -v issue piped -d piped.example.test </dev/null 2>&1 |
    head -c1 >/dev/null
rc=${PIPESTATUS[0]}
like "$rc" "^[01]$" "SIGPIPE: a documented status, not death by signal ($rc)"
check "SIGPIPE: the store is whole" store_whole piped
if [ -L "$STATE/live/piped" ]; then
	check "SIGPIPE: the certificate stored verifies" verify_live piped
else
	check "SIGPIPE: the next run completes the certificate" cdk_out "$OUT" issue piped -d piped.example.test
fi
"$CERTDECK" "${CDK_ARGS[@]}" -v renew piped --force </dev/null 2>&1 | head -c1 >/dev/null
rc=${PIPESTATUS[0]}
like "$rc" "^[01]$" "SIGPIPE during a renewal: a documented status ($rc)"
check "SIGPIPE during a renewal: the live pair matches" store_whole piped

# SIGTERM, as systemd sends it, at each late step: the run finishes the
# step it is in, exits 1, and leaves a whole store; the next run finishes.
stopped_pids=
at_exit 'kill -KILL $stopped_pids 2>/dev/null'
for step in finalize downloaded stored; do
	name=term-$step
	CERTDECK_TEST_STOP_AT=$step setsid "$CERTDECK" "${CDK_ARGS[@]}" issue "$name" \
	    -d "$name.example.test" </dev/null >"$OUT" 2>&1 &
	pid=$!
	stopped_pids="$stopped_pids $pid"
	if ! wait_for proc_stopped "$pid" --timeout 30; then
		not_ok "SIGTERM at '$step': the run stopped there"
		continue
	fi
	kill -TERM "$pid"
	kill -CONT "$pid"
	wait "$pid"
	rc=$?
	if [ "$step" = finalize ]; then
		is "$rc" 1 "SIGTERM at '$step': status 1"
	else
		# The certificate is in hand: storing it is the atomic step
		# the run finishes, and it may then report success.
		like "$rc" "^[01]$" "SIGTERM at '$step': a documented status ($rc)"
	fi
	no_escapes "$OUT" "SIGTERM at '$step': no escape sequence"
	check "SIGTERM at '$step': the store is whole" store_whole "$name"
	if [ ! -L "$STATE/live/$name" ]; then
		check "SIGTERM at '$step': the next run completes it" \
		    cdk_out "$OUT" issue "$name" -d "$name.example.test"
	fi
	check "SIGTERM at '$step': $name verifies" verify_live "$name"
done

done_testing
