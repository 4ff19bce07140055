# ui-lib.sh: what the screen suites share. Sourced after tap.sh: starts
# Pebble, loads the command-line helpers (cdk, STATE, CDK_ARGS) and the
# tmux harness, and adds helpers to run the screens and read them.

. "$top_srcdir/tests/pebble/pebble.sh"
. "$top_srcdir/tests/tui/tmux.sh"

pebble_start || bail_out "Pebble did not start"
. "$top_srcdir/tests/pebble/cli-lib.sh"
OUT=$PEBBLE_SCRATCH/out
# The themes of this source tree: a build in another folder (make
# distcheck) has none beside its program.
CERTDECK_THEME_PATH=$top_srcdir/themes
export CERTDECK_THEME_PATH

# run_ui ARGS...: runs ARGS (certdeck, maybe behind env) in a pane of
# UI_W x UI_H (100x30); when it ends the pane shows "exit=STATUS" and
# keeps the terminal open, so its state can still be read.
run_ui()
{
	tmux_start -x "${UI_W:-100}" -y "${UI_H:-30}" sh -c \
	    '"$0" "$@"; echo "exit=$?"; read x' "$@"
}

# pane_flag NAME: a tmux format variable of the pane (alternate_on...).
pane_flag()
{
	_tmux display-message -p -t "$TMUX_TARGET" "#{$1}"
}

# row N: line N (0 = top) of the screen.
row()
{
	tmux_capture | sed -n "$(($1 + 1))p"
}

# colours: the screen with its attributes, as tmux would send them.
colours()
{
	_tmux capture-pane -e -p -t "$TMUX_TARGET"
}

# colours_like SED REGEX DESC: a check that the lines `sed -n SED` picks
# from the screen with its attributes come to match the extended REGEX
# (within 10 s: a frame may be mid-redraw, after a resize say); on failure
# says what they were.
colours_like()
{
	if wait_for _colours_match "$1" "$2"; then
		ok "$3"
	else
		not_ok "$3"
		diag "got:  '$(colours | sed -n "$1")'"
		diag "want: /$2/"
	fi
}

_colours_match()
{
	colours | sed -n "$1" | grep -Eq -- "$2"
}

# tmux_wait_gone REGEX [TIMEOUT]: waits until the screen no longer matches
# the extended REGEX (default 10 s).
tmux_wait_gone()
{
	wait_for _tmux_unmatched "$1" --timeout "${2:-10}"
}

_tmux_unmatched()
{
	! _tmux_matches "$1"
}
