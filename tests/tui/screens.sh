#!/bin/bash
# screens.sh: the screens in a real terminal (tmux) over a store of real
# certificates issued by Pebble: each screen, sorting, filtering, the
# detail view, help, the mouse, resizing down to too small, themes (T,
# --theme, a user's theme, a broken one, NO_COLOR), an order an earlier
# run left in flight, and a clean exit on q and on SIGTERM with the
# terminal given back.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/tap.sh"
. "$top_srcdir/tests/tui/ui-lib.sh"

# --- a store of three real certificates, one with an IDN
cdk_out "$OUT" issue alpha -d alpha.example.test || { diag_file "$OUT"; bail_out "issue alpha"; }
cdk_out "$OUT" issue bravo -d bravo.example.test -d www.bravo.example.test \
    -d api.bravo.example.test || { diag_file "$OUT"; bail_out "issue bravo"; }
cdk_out "$OUT" issue idn -d bücher.example.test || { diag_file "$OUT"; bail_out "issue idn"; }
ok "three certificates issued by Pebble"

run_ui "$CERTDECK" "${CDK_ARGS[@]}" || bail_out "tmux did not start"
check "the Certificates screen opens with 3 of 3 shown" tmux_wait_for '3/3 shown'
is "$(pane_flag alternate_on)" 1 "the screens use the alternate screen"
like "$(row 3)" '^✓ valid +alpha +alpha\.example\.test' "alpha: symbol, status, name, domain"
like "$(tmux_capture)" 'bravo +bravo\.example\.test \+2 more' "bravo: first domain and +2 more"
like "$(row 3)" ' 1825 █{5,6}' "days left with a bar"
like "$(row 2)" 'STATUS +NAME ▲ +DOMAINS +DAYS LEFT +EXPIRES +ISSUER' "column headings, sorted by name"
like "$(row 29)" 'Enter detail +n new +(e edit +)?r renew +p probe +D/Del revoke +A all due +/ filter +s sort +\? help' "the footer lists this screen's keys"
like "$(row 28)" 'no events yet' "the status line says no event has come yet"

# --- sorting
tmux_send S
check "S reverses the order" tmux_wait_for 'sorted by NAME \(descending\)'
like "$(row 3)" 'idn' "descending: idn first"
tmux_send S s
check "s sorts by the next column" tmux_wait_for 'sorted by DOMAINS \(ascending\)'
like "$(row 2)" 'DOMAINS ▲' "the DOMAINS heading shows the sort"
like "$(row 5)" 'idn +bücher\.example\.test ' "by domain (A-labels): the IDN last, shown in Unicode"
tmux_send '<'
check "< goes back to sorting by name" tmux_wait_for 'sorted by NAME \(ascending\)'
tmux_send '<'
check "< again sorts by status" tmux_wait_for 'sorted by STATUS'
tmux_send '>'
tmux_wait_for 'sorted by NAME \(ascending\)' >/dev/null

# --- filtering
tmux_send / b r a
check "typing a filter narrows the list" tmux_wait_for '1/3 shown'
like "$(row 3)" 'bravo' "the row that matches"
check "alpha is filtered out" ! _tmux_matches 'alpha\.example'
tmux_send Escape
check "Esc while typing clears the filter" tmux_wait_for '3/3 shown'
tmux_send / b ü c h Enter
check "a filter matches an IDN in Unicode" tmux_wait_for '1/3 shown'
like "$(row 3)" 'idn' "the IDN's row"
tmux_send Escape
tmux_wait_for '3/3 shown' >/dev/null
tmux_send / w w w Enter
check "a filter matches any domain" tmux_wait_for '1/3 shown'
check "Enter keeps the filter" tmux_wait_for 'filter: www  \(Esc clears\)'
tmux_send Escape
check "Esc clears a kept filter" tmux_wait_for '3/3 shown'
tmux_send / P E B B L E Enter
check "a filter matches the issuer, case-insensitively" tmux_wait_for '3/3 shown.*|filter: PEBBLE'
tmux_send / z z z Enter
check "no match says so" tmux_wait_for 'No certificate matches the filter'
is "$(row 0 | grep -o '0/3 shown')" "0/3 shown" "the header counts 0 of 3"
tmux_send Escape

# --- the detail view
tmux_send g Enter
check "Enter opens alpha's detail" tmux_wait_for 'Certificate alpha'
like "$(tmux_capture)" 'serial: +[0-9a-f]{16,}' "the serial"
like "$(tmux_capture)" 'sha256: +[0-9a-f]{64}' "the SHA-256 fingerprint"
like "$(tmux_capture)" 'valid: +[0-9-]+ [0-9:]+ UTC to .*\(1825 days left\)' "the validity"
like "$(tmux_capture)" 'key: +ECDSA P-256' "the key type"
like "$(tmux_capture)" 'chain: +1\. CN=Pebble Intermediate' "the issuer chain"
like "$(tmux_capture)" 'CA: +https://127\.0\.0\.1' "the CA"
like "$(tmux_capture)" 'next renewal: +20[0-9-]+, when 33% of its lifetime is left' "the renewal forecast, worded as by show"
like "$(tmux_capture)" 'versions: +1: serial [0-9a-f]+…, until .*\(current\)' "the stored versions"
like "$(row 29)" 'q back' "the footer says q goes back"
tmux_send q
check "q goes back to the list" tmux_wait_for '3/3 shown'
tmux_send G Enter
check "the IDN's detail opens" tmux_wait_for 'Certificate idn'
like "$(tmux_capture)" 'names: +bücher\.example\.test \(xn--bcher-kva\.example\.test\)' \
    "an IDN shows in Unicode with its A-label"
tmux_send Escape
tmux_wait_for '3/3 shown' >/dev/null

# --- the mouse (xterm's encoding: ESC [ M, button+32, column+33, row+33)
tmux_send -l $'\e[M !&'
tmux_send -l $'\e[M#!&'
tmux_send Enter
check "a click on the third row selects it" tmux_wait_for 'Certificate idn'
tmux_send q
tmux_wait_for '3/3 shown' >/dev/null
tmux_send -l $'\e[M`!!'
tmux_send Enter
check "the wheel scrolls back up to the first row" tmux_wait_for 'Certificate alpha'
tmux_send q
tmux_wait_for '3/3 shown' >/dev/null

# --- help
tmux_send '?'
check "? opens the help of this screen" tmux_wait_for 'Keys: Certificates'
for k in 'r +renew the selected' 'R +renew it now' '/ +filter by name' \
    's +sort by the next column' 'Up/k +previous row'; do
	like "$(tmux_capture)" "$k" "help lists /$k/"
done
tmux_send j j j j
check "help scrolls (j) down to the keys of every screen" tmux_wait_for 'Tab/S-Tab +next or previous'
tmux_send Escape
check "Esc closes the help" tmux_wait_for '^STATUS +NAME'

# --- the other screens
tmux_send Tab
check "Tab opens Accounts" tmux_wait_for 'CA +ACCOUNT +STATUS'
like "$(tmux_capture)" '127\.0\.0\.1.* default +✓ valid +ec256 .*mailto:test@example\.com' \
    "the account: CA, name, status, key, contact"
tmux_send Enter
check "Enter opens the account's detail" tmux_wait_for 'Account default at'
like "$(tmux_capture)" 'url: +https://127\.0\.0\.1:[0-9]+/' "the account URL"
like "$(tmux_capture)" 'certificates: +3' "its certificates are counted"
tmux_send q 3
check "3 opens Orders" tmux_wait_for 'JOB +CERTIFICATE +STATE'
check "no order in flight" tmux_wait_for 'No orders'
tmux_send 4
check "4 opens Activity" tmux_wait_for 'TIME +LEVEL +EVENT'
tmux_send BTab
check "Shift-Tab goes back to Orders" tmux_wait_for 'JOB +CERTIFICATE +STATE'
tmux_send 1
check "1 goes back to Certificates" tmux_wait_for '3/3 shown'

# --- resizing
tmux_resize 70 20
check "below 80x24: terminal too small" tmux_wait_for 'Terminal too small: 70x20'
tmux_resize 120 40
check "back to a large size, the list returns" tmux_wait_for '3/3 shown'
like "$(row 2)" 'ISSUER +KEY +CA' "120 columns hold the KEY and CA columns"
tmux_resize 80 24
check "exactly 80x24 is enough" tmux_wait_for '3/3 shown'
check "80 columns leave out the issuer" tmux_wait_gone 'ISSUER'
tmux_resize 100 30
tmux_wait_for '3/3 shown' >/dev/null

# --- themes
colours_like '/bravo\.example/p' $'\e\\[32m(\e\\[49m)?✓ valid' "default theme: valid in green"
colours_like 1p $'\e\\[30m\e\\[46m' "default theme: header black on cyan"
tmux_send T
check "T switches to the light theme" tmux_wait_for 'theme: light'
colours_like 1p $'\e\\[37m\e\\[44m' "light theme: header white on blue"
tmux_send T T
check "two more T: mono" tmux_wait_for 'theme: mono'
check "mono uses no colour at all" ! eval 'colours | grep -q $'"'"'\e\[\(3[0-7]\|4[0-7]\|38;5\|48;5\|9[0-7]\)'"'"
colours_like 1p $'\e\\[7m' "mono: the header in reverse video"
tmux_send T
check "T wraps around to default" tmux_wait_for 'theme: default'

# --- a clean exit with q
tmux_send q
check "q quits when no job runs" tmux_wait_for '^exit=0$'
is "$(pane_flag alternate_on)" 0 "the alternate screen is left"
is "$(pane_flag mouse_any_flag)" 0 "mouse reporting is off again"
is "$(pane_flag keypad_cursor_flag)" 0 "the cursor keys are back in normal mode"
is "$(pane_flag cursor_flag)" 1 "the cursor is visible"

# --- NO_COLOR, --no-color, --theme, a user's theme, a broken one
run_ui env NO_COLOR=1 "$CERTDECK" "${CDK_ARGS[@]}"
tmux_wait_for '3/3 shown' >/dev/null
check "NO_COLOR: no colour at all" ! eval 'colours | grep -q $'"'"'\e\[\(3[0-7]\|4[0-7]\|38;5\|48;5\|9[0-7]\)'"'"
like "$(row 3)" '✓ valid' "NO_COLOR: the symbol still says valid"
tmux_send T
check "NO_COLOR: T keeps mono" tmux_wait_for 'theme stays mono'

run_ui "$CERTDECK" "${CDK_ARGS[@]}" --no-color
tmux_wait_for '3/3 shown' >/dev/null
check "--no-color: no colour" ! eval 'colours | grep -q $'"'"'\e\[\(3[0-7]\|4[0-7]\|38;5\|48;5\|9[0-7]\)'"'"

run_ui "$CERTDECK" "${CDK_ARGS[@]}" --theme high-contrast
tmux_wait_for '3/3 shown' >/dev/null
colours_like 1p $'\e\\[1m\e\\[30m\e\\[107m|\e\\[30m\e\\[107m' "--theme high-contrast: header black on bright white"

# The config file is $CONF: a user's themes sit in themes/ beside it.
mkdir -p "$(dirname "$CONF")/themes"
printf 'roles = {\n\theader = { fg = "white"; bg = "red"; };\n};\n' \
    > "$(dirname "$CONF")/themes/mine.theme"
run_ui "$CERTDECK" "${CDK_ARGS[@]}" --theme mine
tmux_wait_for '3/3 shown' >/dev/null
colours_like 1p $'\e\\[37m\e\\[41m' "a user's theme in the config folder is found by name"

# A short path, whatever folder the tests are built in: the status line
# that names the file is one line of 100 columns.
THEMES=$(mktemp -d /tmp/cdk-themes.XXXXXX) || bail_out "mktemp"
at_exit "rm -rf '$THEMES'"
printf '# broken\nroles = {\n\theader = { fg = ; };\n\tok = { fg = "green"; };\n};\n' \
    > "$THEMES/broken.theme"
printf 'roles = {\n\tok = { fg = "purple-ish"; };\n};\n' > "$THEMES/badcolour.theme"
run_ui env CERTDECK_THEME_PATH="$THEMES:$CERTDECK_THEME_PATH" "$CERTDECK" "${CDK_ARGS[@]}" --theme broken
check "a broken theme: file and line, then default" \
    tmux_wait_for 'broken\.theme:3: syntax error; using default'
colours_like 1p $'\e\\[30m\e\\[46m' "the default theme is used instead"
run_ui env CERTDECK_THEME_PATH="$THEMES:$CERTDECK_THEME_PATH" "$CERTDECK" "${CDK_ARGS[@]}" --theme badcolour
check "an unknown colour: file, line and the colour" \
    tmux_wait_for "badcolour\\.theme:2: unknown colour 'purple-ish"

# --- SIGTERM restores the terminal too
run_ui "$CERTDECK" "${CDK_ARGS[@]}"
tmux_wait_for '3/3 shown' >/dev/null
pid=$(pgrep -P "$(pane_flag pane_pid)" -x certdeck)
check "certdeck's pid is known" test -n "$pid"
kill -TERM "$pid"
check "SIGTERM ends the screens cleanly" tmux_wait_for '^exit=0$'
is "$(pane_flag alternate_on)" 0 "after SIGTERM the alternate screen is left"

# --- an order an earlier run left in flight (killed -9 at its order)
CERTDECK_TEST_STOP_AT=order "$CERTDECK" "${CDK_ARGS[@]}" issue charlie \
    -d charlie.example.test >"$OUT" 2>&1 &
pid=$!
at_exit "kill -KILL $pid 2>/dev/null"
if wait_for proc_stopped "$pid" --timeout 30; then
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null
fi
check "an issuance was killed with its order in flight" test -s "$STATE/orders/charlie.json"
run_ui "$CERTDECK" "${CDK_ARGS[@]}"
check "the list counts the new certificate" tmux_wait_for '4/4 shown'
like "$(tmux_capture)" '… pending +charlie +charlie\.example\.test' "charlie is pending"
tmux_send 3
check "Orders shows the order from the earlier run" \
    tmux_wait_for '- +charlie +pending +in flight from an earlier run: charlie\.example\.test +https:'
tmux_send q

# --- no terminal, or TERM=dumb: the usage error, never curses
"$CERTDECK" "${CDK_ARGS[@]}" </dev/null >"$OUT" 2>&1
is "$?" 2 "no command and no terminal: exit 2"
like "$(cat "$OUT")" 'no command given' "the usage error says why"
run_ui env TERM=dumb "$CERTDECK" "${CDK_ARGS[@]}"
check "TERM=dumb: the usage error" tmux_wait_for '^exit=2$'

done_testing
