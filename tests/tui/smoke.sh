#!/bin/bash
# smoke.sh: the tmux harness runs certdeck in a real terminal of a known
# size, type and locale, reads its screen and cleans up after itself.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/tap.sh"
. "$top_srcdir/tests/tui/tmux.sh"

certdeck=$top_builddir/certdeck
[ -x "$certdeck" ] || bail_out "$certdeck is not built"

# The read keeps the program's pty open: output written just before a
# pane's process exits can be lost, even with remain-on-exit.
tmux_start sh -c '"$0" --version; read x' "$certdeck" ||
    bail_out "tmux did not start"
ok "tmux_start"
check "certdeck --version shows in the pane" tmux_wait_for certdeck 10
like "$(tmux_capture)" '^certdeck [0-9]+\.[0-9]+' "the version line"
is "$(tmux_size)" 100x30 "the pane is 100x30"
tmux_resize 80 24
is "$(tmux_size)" 80x24 "tmux_resize gives 80x24"

tmux_start -x 60 -y 10 sh -c \
    'printf "term=%s charmap=%s\n" "$TERM" "$(locale charmap)"; read x; echo "got=$x"'
is "$(tmux_size)" 60x10 "a second session is 60x10"
tmux_wait_for '^term=' 10
like "$(tmux_capture)" '^term=screen-256color charmap=UTF-8$' \
    "TERM is screen-256color and the locale is UTF-8"
tmux_send 'héllo' Enter
check "keys reach the program, UTF-8 intact" tmux_wait_for '^got=héllo$' 10

socket=$TMUX_SOCKET
path=$(_tmux display-message -p '#{socket_path}')
tmux_stop
check "tmux_stop kills the server" \
    ! "$TMUX_BIN" -L "$socket" has-session 2>/dev/null
like "$path" "/$socket\$" "the server's socket path is known"
check "tmux_stop removes the socket" test ! -e "$path"

done_testing
