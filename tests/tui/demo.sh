#!/bin/bash
# demo.sh: `certdeck --demo` in a real terminal. It starts its own Pebble
# and pebble-challtestsrv and opens the screens, where a name is onboarded
# through the wizard (without a terminal it issues one and lists it);
# on every way out (Enter at its last prompt, Ctrl-C while Pebble starts or
# once it is up, SIGTERM, a server that cannot start) it stops exactly the
# two servers it started, each with its process group, and removes its
# temporary folder, which only a failure keeps.
#
# The demo's servers are found as its children in /proc, and its folder
# under a TMPDIR of the test's own.
# shellcheck disable=SC2317 # helpers run through check, wait_for and traps

. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/tap.sh"
. "$top_srcdir/tests/tui/tmux.sh"

certdeck=$top_builddir/certdeck
[ -x "$certdeck" ] || bail_out "$certdeck is not built"
for prog in pebble pebble-challtestsrv certtool; do
	command -v "$prog" > /dev/null || bail_out "$prog is not installed"
done
if ! mkdir -p "$top_builddir/tests/tmp" ||
    ! scratch=$(mktemp -d "$top_builddir/tests/tmp/demo.XXXXXX") ||
    ! mkdir "$scratch/bin" "$scratch/tmp"; then
	bail_out "no scratch folder"
fi

# Every server PID seen, so a failing demo leaves nothing behind either.
seen=

# proc_stat PID: sets comm, state, ppid and pgrp from /proc/PID/stat;
# false when PID is gone.
proc_stat()
{
	local line rest
	read -r line 2> /dev/null < "/proc/$1/stat" || return 1
	comm=${line#*(}
	comm=${comm%) *}
	rest=${line##*) }	# the name may hold spaces and parentheses
	read -r state ppid pgrp _ <<< "$rest"
}

# is_server PID: true while PID is a pebble or pebble-challtestsrv (the
# kernel keeps 15 characters of a name) that is not a zombie.
is_server()
{
	proc_stat "$1" || return 1
	[ "$state" != Z ] || return 1
	case $comm in
	pebble | pebble-challtes) return 0 ;;
	esac
	return 1
}

kill_leftovers()
{
	local pid
	for pid in $seen; do
		is_server "$pid" && kill -KILL "$pid"
	done
	[ -z "${pebble_child:-}" ] || gone "$pebble_child" ||
	    kill -KILL "$pebble_child"
	return 0
}

at_exit kill_leftovers

# gone PID: true once PID has exited (a zombie waiting for its reaper
# counts as gone).
gone()
{
	! proc_stat "$1" || [ "$state" = Z ]
}

# servers_of PID: the servers whose parent is PID, as "PID NAME PGRP" lines.
servers_of()
{
	local f pid
	for f in /proc/[0-9]*/stat; do
		pid=${f#/proc/}
		pid=${pid%/stat}
		is_server "$pid" && [ "$ppid" = "$1" ] && echo "$pid $comm $pgrp"
	done
}

# wait_servers PID: waits until PID has both servers as children; sets
# servers (the "PID NAME PGRP" lines) and server_pids.
wait_servers()
{
	wait_for _both_servers "$1" --timeout 30
}

_both_servers()
{
	servers=$(servers_of "$1")
	server_pids=$(echo "$servers" | awk '{ print $1 }' | tr '\n' ' ')
	seen="$seen $server_pids"
	[ "$(echo "$servers" | awk '{ print $2 }' | sort | tr '\n' ' ')" = \
	    "pebble pebble-challtes " ]
}

# own_groups: true when each server leads a process group of its own.
own_groups()
{
	echo "$servers" | awk '$1 != $3 { bad = 1 } END { exit bad }'
}

# none_alive PID...: true when no PID is a running server any more.
none_alive()
{
	local pid
	for pid in "$@"; do
		! is_server "$pid" || return 1
	done
}

demo_folders()
{
	ls -d "$scratch"/tmp/certdeck-demo.* 2> /dev/null
}

# _find_demo PID: sets demo to the certdeck that PID (the pane's bash)
# started.
_find_demo()
{
	local f pid
	demo=
	for f in /proc/[0-9]*/stat; do
		pid=${f#/proc/}
		pid=${pid%/stat}
		proc_stat "$pid" && [ "$ppid" = "$1" ] && [ "$comm" = certdeck ] &&
		    demo=$pid && return 0
	done
	return 1
}

# start_demo [VAR=VALUE...]: certdeck --demo in a fresh 120x40 pane with
# the test's TMPDIR; sets demo (its PID). bash waits for it and writes
# its exit status: tmux 3.3a may lose a pane's own exit status.
start_demo()
{
	rm -f "$scratch/status"
	tmux_start -x 120 -y 40 env TMPDIR="$scratch/tmp" "$@" bash -c \
	    '"$0" --demo; echo $? > "$1"' "$certdeck" "$scratch/status" ||
	    bail_out "tmux did not start"
	local pane
	pane=$(_tmux display-message -p -t "$TMUX_TARGET" '#{pane_pid}')
	if ! wait_for _find_demo "$pane"; then
		diag "the pane ($pane) runs:"
		diag "$(ps -o pid,ppid,stat,args --ppid "$pane" 2>&1)"
		tmux_capture | while IFS= read -r line; do diag "|$line"; done
		bail_out "certdeck --demo did not start"
	fi
}

# finished DESC STATUS: the demo exited with STATUS, its servers are gone
# and its folder is removed.
finished()
{
	check "$1: the demo exits" wait_for test -s "$scratch/status" --timeout 30
	is "$(cat "$scratch/status" 2> /dev/null)" "$2" "$1: exit status $2"
	# shellcheck disable=SC2086 # one word per PID
	check "$1: both servers it started are gone" none_alive $server_pids
	is "$(demo_folders)" "" "$1: its temporary folder is removed"
}

# 1. The whole run: a name onboarded through the wizard, shown on the
# screens, q, everything gone.
start_demo
check "the screens open on an empty store, offering the wizard" \
    tmux_wait_for 'No certificates yet\. Press n' 90
check "pebble and pebble-challtestsrv run as its children" wait_servers "$demo"
check "each server leads a process group of its own" own_groups
is "$(demo_folders | wc -l)" 1 "its temporary folder exists while it runs"
tmux_send n
tmux_send -l demo.example.test
check "the wizard suggests a certificate name" \
    tmux_wait_for 'Certificate name: +\[demo\.example\.test'
# Names, CA and account (the demo agreed) once its directory is read,
# http-01, key, no deploy, preflight once checked, review: issue.
tmux_send Enter
check "the wizard reads the demo CA's directory" tmux_wait_for 'Terms of service' 30
tmux_send Enter Enter Enter Enter
check "its preflight finds the name through the demo's DNS" \
    tmux_wait_for '✓ demo\.example\.test resolves to 127\.0\.0\.1' 30
tmux_send Enter Enter
check "the wizard ends on the new certificate's detail" \
    tmux_wait_for 'versions: +1:' 90
check "the state folder holds the live certificate" \
    test -s "$(demo_folders)/state/live/demo.example.test/fullchain.pem"
check "the demo's config holds its definition" \
    grep -q 'name = "demo.example.test"' "$(demo_folders)/certdeck.conf"
tmux_send Escape Escape
check "the list shows it" \
    tmux_wait_for 'valid +demo\.example\.t[a-z]* +demo\.example\.test .*127\.0\.0\.1:[0-9]+'
tmux_send q
finished "q" 0
like "$(tmux_capture)" "Demo CA at https://127\.0\.0\.1:[0-9]+/dir" \
    "the terminal is back and says where the demo CA listened"

# 2. Ctrl-C on the screens.
start_demo
check "Ctrl-C on the screens: the servers run" wait_servers "$demo"
tmux_wait_for 'No certificates yet' 60 ||
    diag "the demo did not get that far"
tmux_send C-c
finished "Ctrl-C on the screens" 1

# 3. Ctrl-C mid-run, while Pebble is still starting: a stand-in pebble
# that never comes up, with a child of its own that outlives it unless
# the whole process group is stopped.
cat > "$scratch/bin/pebble" <<EOF
#!/bin/sh
sleep 600 &
echo \$! > "$scratch/pebble-child"
wait
EOF
chmod +x "$scratch/bin/pebble"
start_demo PATH="$scratch/bin:$PATH"
check "Ctrl-C while Pebble starts: the servers run" wait_servers "$demo"
wait_for test -s "$scratch/pebble-child"
pebble_child=$(cat "$scratch/pebble-child")
tmux_send C-c
finished "Ctrl-C while Pebble starts" 1
check "Ctrl-C while Pebble starts: the server's own child is gone too" \
    wait_for gone "$pebble_child" --timeout 5

# 4. SIGTERM, as a service manager or `kill` sends it.
start_demo
check "SIGTERM: the servers run" wait_servers "$demo"
kill -TERM "$demo"
finished "SIGTERM" 1

# 5. Without a terminal: the list and what a real CA would take.
TMPDIR=$scratch/tmp "$certdeck" --demo < /dev/null > "$scratch/out" 2>&1
is "$?" 0 "without a terminal: exit status 0"
out=$(cat "$scratch/out")
like "$out" "demo +valid +[0-9]+ +[0-9-]+ +demo\.example\.test" \
    "without a terminal: certdeck list shows the certificate"
like "$out" "certdeck issue example -d example\.com" "and the way to a real CA"
is "$(demo_folders)" "" "without a terminal: its temporary folder is removed"
check "without a terminal: no server of its is left" ! pgrep -f "$scratch/tmp/"

# 6. A server that cannot start (a stand-in pebble that fails at once,
# noting the challtestsrv its parent started just before): three tries,
# then the log named and its last lines shown; the folder stays for a
# look, and every challtestsrv is stopped all the same.
cat > "$scratch/bin/pebble" <<EOF
#!/bin/sh
pgrep -P "\$PPID" -x pebble-challtes >> "$scratch/challtestsrv.pids"
echo "pebble: listen tcp: bind: address already in use (stand-in)"
exit 1
EOF
TMPDIR=$scratch/tmp PATH=$scratch/bin:$PATH "$certdeck" --demo \
    < /dev/null > "$scratch/out" 2> "$scratch/err" &
demo=$!
wait $demo
is "$?" 1 "a server that cannot start: exit status 1"
err=$(cat "$scratch/err")
like "$err" "pebble exited while starting \(exit status 1\); starting again" \
    "it tries again on other ports"
like "$err" "the last lines of $scratch/tmp/certdeck-demo\.[A-Za-z0-9]+/pebble\.log" \
    "the error names the log"
like "$err" "\| pebble: listen tcp: bind: address already in use \(stand-in\)" \
    "and shows its last lines"
is "$(demo_folders | wc -l)" 1 "the folder is kept after a failure"
like "$err" "are kept in $(demo_folders)\$" "and named"
is "$(wc -l < "$scratch/challtestsrv.pids")" 3 "a challtestsrv was started for each try"
# shellcheck disable=SC2046 # one word per PID
check "and none is left" none_alive $(cat "$scratch/challtestsrv.pids")
rm -rf "$(demo_folders)"

done_testing
