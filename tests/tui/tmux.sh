# tmux.sh: drives a program in a real terminal for the screen tests.
#
# Source tests/lib/tap.sh first. tmux_start runs a command in a detached
# session of its own tmux server (its own -L socket, no user config), at a
# fixed size, with TERM=screen-256color and a UTF-8 locale, so the screen
# a test sees never depends on the machine. The pane stays open after the
# command exits, so its last screen can still be read. The server is
# killed when the test exits.

: "${TMUX_BIN:=tmux}"
# A test run from inside tmux must not talk to the user's server.
unset TMUX TMUX_PANE

TMUX_SOCKET=
TMUX_TARGET=certdeck-test
_tmux_trap=

# _tmux: the test's own server, UTF-8 forced.
_tmux()
{
	"$TMUX_BIN" -u -L "$TMUX_SOCKET" -f /dev/null "$@"
}

# tmux_start [-x W] [-y H] CMD...: starts a server and a WxH session
# (default 100x30) running CMD; returns tmux's status.
tmux_start()
{
	local w=100 h=30
	while [ $# -gt 0 ]; do
		case $1 in
		-x) w=$2; shift 2 ;;
		-y) h=$2; shift 2 ;;
		*) break ;;
		esac
	done
	[ -z "$TMUX_SOCKET" ] || tmux_stop
	TMUX_SOCKET=certdeck-test-$$-$RANDOM
	if [ -z "$_tmux_trap" ]; then
		at_exit tmux_stop
		_tmux_trap=1
	fi
	# With more than one word tmux runs the command as argv, no shell.
	LANG=C.UTF-8 LC_ALL=C.UTF-8 _tmux \
	    set -g default-terminal screen-256color \; \
	    set -g remain-on-exit on \; \
	    new-session -d -s "$TMUX_TARGET" -x "$w" -y "$h" \
	    env TERM=screen-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 "$@"
}

# tmux_stop: kills the test's tmux server; safe to call twice.
tmux_stop()
{
	local path
	[ -n "$TMUX_SOCKET" ] || return 0
	path=$(_tmux display-message -p '#{socket_path}' 2>/dev/null)
	_tmux kill-server 2>/dev/null
	# The server leaves its socket file behind.
	[ -z "$path" ] || rm -f "$path"
	TMUX_SOCKET=
	return 0
}

# tmux_send KEYS...: types KEYS (tmux send-keys names: Enter, C-c, Up...).
tmux_send()
{
	_tmux send-keys -t "$TMUX_TARGET" "$@"
}

# tmux_capture: prints the visible screen, one line per row.
tmux_capture()
{
	_tmux capture-pane -p -t "$TMUX_TARGET"
}

# tmux_wait_for REGEX [TIMEOUT]: waits until the screen matches the
# extended REGEX (default 10 s); on a timeout returns 1 and shows the
# screen as TAP comments.
tmux_wait_for()
{
	if wait_for _tmux_matches "$1" --timeout "${2:-10}"; then
		return 0
	fi
	diag "screen never matched /$1/; it shows:"
	tmux_capture | sed 's/^/|/' | while IFS= read -r line; do
		diag "$line"
	done
	return 1
}

_tmux_matches()
{
	tmux_capture | grep -Eq -- "$1"
}

# tmux_resize W H: gives the window a new size (the program gets SIGWINCH).
tmux_resize()
{
	_tmux resize-window -t "$TMUX_TARGET" -x "$1" -y "$2"
}

# tmux_size: prints the pane's size as WxH.
tmux_size()
{
	_tmux display-message -p -t "$TMUX_TARGET" '#{pane_width}x#{pane_height}'
}

# tmux_alive: true while the server runs.
tmux_alive()
{
	[ -n "$TMUX_SOCKET" ] && _tmux has-session -t "$TMUX_TARGET" 2>/dev/null
}
