#!/bin/bash
# edit.sh: editing (e) and removing (x) a certificate's definition from
# the screens against Pebble, with real keystrokes. The edit forms are
# the wizard's, prefilled, with its inline messages; Esc at any step
# leaves the config byte-identical; new names saved with "save and renew
# now" give a certificate carrying them, the copies' owner, group and
# mode shown and kept as saved, the other entries unchanged. A
# certificate issued from the command line gets a definition from its
# record, and "save only" leaves new names to the next renewal. A
# definition the forms cannot hold whole is not edited. x asks for the
# name typed; a wrong one changes nothing, a job running for it blocks
# it, the right one archives the definition under removed.d, keeps the
# files, and renewals from the screens and the command line (even
# --force) pass it by until a definition names it again (e, or the
# archived entry put back).

. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/tap.sh"
. "$top_srcdir/tests/tui/ui-lib.sh"
read -r PEBBLE_PID CHALLTESTSRV_PID <<<"$(pebble_pids)"
at_exit 'kill -CONT $PEBBLE_PID $CHALLTESTSRV_PID 2>/dev/null'

cat >"$CONF" <<'CONF'
renew_days = 30;
certificates = (
  { name = "keep"; domains = [ "keep.example.test" ]; challenge = "http-01"; },
  { name = "alpha"; domains = [ "alpha.example.test" ]; challenge = "http-01";
    deploy_owner = "nobody"; deploy_group = "nogroup"; deploy_mode = "0640"; },
  { name = "big"; domains = [ BIG ]; },
  { name = "spaced"; domains = [ "spaced.example.test" ];
    reload = [ "TRUE", "one argument" ]; }
);
CONF
# 17 names: one more than the forms hold.
big=$(for i in $(seq 17); do printf '"n%d.big.example.test", ' "$i"; done)
sed -i -e "s/BIG/${big%, }/" -e "s|TRUE|$(type -P true)|" "$CONF"
conf_unchanged() { cmp -s "$CONF" "$PEBBLE_SCRATCH/conf.before"; }
# A group of the config, whitespace dropped, as libconfig writes it or not.
group_of() { tr -d '[:space:]' <"$1" | grep -o "{name=\"$2\";[^}]*}"; }
version_of() { json_field "$STATE/certs/$1.json" version; }

cdk_out "$OUT" issue alpha || { diag_file "$OUT"; bail_out "issue alpha"; }
cdk_out "$OUT" issue cli -d cli.example.test || { diag_file "$OUT"; bail_out "issue cli"; }
cdk_out "$OUT" issue big || { diag_file "$OUT"; bail_out "issue big"; }
cdk_out "$OUT" issue spaced || { diag_file "$OUT"; bail_out "issue spaced"; }
ok "alpha, big and spaced (defined in the config) and cli (not) issued"
keep_before=$(group_of "$CONF" keep)

# The preflight asks challtestsrv's DNS, which knows every test name.
run_ui "$CERTDECK" "${CDK_ARGS[@]}" --dns-resolver "$CHALLTESTSRV_DNS" ||
    bail_out "tmux did not start"
tmux_wait_for '4/4 shown' >/dev/null || bail_out "the screens did not open"
# select_cert NAME: the list filtered down to NAME, selected.
select_cert()
{
	tmux_send Escape
	tmux_wait_gone 'filter: ' >/dev/null
	tmux_send /
	tmux_send -l "$1"
	tmux_send Enter
	tmux_wait_for "filter: $1 " >/dev/null
}

# enter_until TITLE: Enter as often as it takes (the preflight may still
# be checking, or want its ✗ lines acknowledged) until step TITLE shows.
enter_until()
{
	local n
	for n in 1 2 3 4 5 6; do
		tmux_send Enter
		tmux_wait_for "step [0-9] of [0-9], $1" 5 >/dev/null && return 0
	done
	tmux_wait_for "step [0-9] of [0-9], $1"
}

# --- the keys are listed: the footer and the ? help
like "$(row 29)" 'e edit' "the footer names e"
tmux_send '?'
check "? lists e" tmux_wait_for 'e +edit its definition with the set-up steps'
like "$(tmux_capture)" 'x +stop managing it: definition archived, files kept' "and x"
tmux_send Escape
tmux_wait_gone 'edit its definition' >/dev/null

# --- more names than the forms hold: not edited (saving would drop some)
select_cert big
tmux_send e
check "e refuses 17 names, saying why" \
    tmux_wait_for 'big has 17 names; the screens edit up to 16'
like "$(tmux_capture)" 'sorted by' "and the list stays"
select_cert spaced
tmux_send e
check "so does a reload argument with a space" \
    tmux_wait_for 'spaced: its reload command has an argument with a space'

# --- e: the wizard's forms, prefilled; Esc writes nothing
cp "$CONF" "$PEBBLE_SCRATCH/conf.before"
select_cert alpha
tmux_send e
check "e opens the edit at step 1" tmux_wait_for 'Edit alpha: step 1 of [0-9], Names'
check "the names come from the config" \
    tmux_wait_for 'Names \(comma between\): *\[alpha\.example\.test'
tmux_send C-u
tmux_send -l 'exa mple.com'
check "a bad name gets the wizard's inline mark" tmux_wait_for '✗ .*exa mple\.com'
tmux_send Enter
check "and Enter says why it stays" tmux_wait_for 'Fix the names marked'
tmux_send C-u
tmux_send -l 'alpha.example.test, beta.example.test'
tmux_send Enter
check "step 2 shows the CA and account" tmux_wait_for "CA: .*$PEBBLE_DIR_URL"
check "step 3" enter_until 'How to prove control'
tmux_send Escape Escape Escape
check "Esc at each step, then out" tmux_wait_for 'alpha: left; nothing was written'
ok "the config is byte-identical" conf_unchanged

# --- new names, saved and renewed now
tmux_send e
tmux_wait_for 'Edit alpha: step 1 of' >/dev/null
tmux_send C-u
tmux_send -l 'alpha.example.test, beta.example.test'
tmux_send Enter
enter_until 'How to prove control' >/dev/null
check "the method is the definition's" tmux_wait_for '< http-01, built-in responder >'
tmux_send Tab C-u
tmux_send -l 0
tmux_send Enter
check "a bad port gets the wizard's message" tmux_wait_for 'Port: a number from 1 to 65535'
tmux_send C-u
tmux_send -l "$PEBBLE_HTTP_PORT"
tmux_send Enter
check "the key step" tmux_wait_for 'Edit alpha: step [0-9] of [0-9], Key'
check "the deploy step" enter_until Deploy
check "the saved owner is shown" tmux_wait_for "Copies' owner: +\\[nobody"
check "its group" tmux_wait_for "Copies' group: +\\[nogroup"
check "and its mode" tmux_wait_for "Copies' mode: +\\[0640"
tmux_send -l relative/fullchain.pem
tmux_send Enter
check "a relative copy path is refused" tmux_wait_for 'Full chain: give an absolute file path'
tmux_send C-u
check "review" enter_until Review
check "new names: renewing now is offered first" tmux_wait_for 'Then: +< save and renew now >'
ok "nothing is written before Enter" conf_unchanged
tmux_send Enter
check "the renewal ends on the detail" tmux_wait_for 'versions: +2: ' 60
is "$(san_count alpha)" 2 "the new certificate carries both names"
check "the config has the new names" grep -q '"beta.example.test"' "$CONF"
check "the owner, unchanged, is kept" grep -q 'deploy_owner = "nobody"' "$CONF"
check "so is the group" grep -q 'deploy_group = "nogroup"' "$CONF"
check "and the mode" grep -q 'deploy_mode = "0640"' "$CONF"
is "$(group_of "$CONF" keep)" "$keep_before" "the other entry is unchanged"
check "and the global setting" grep -Eq '^renew_days = 30;' "$CONF"
is "$(grep -c 'name = "alpha"' "$CONF")" 1 "alpha is defined once"
tmux_send Escape
tmux_wait_for 'Issued\.' >/dev/null
tmux_send Escape
tmux_wait_for 'sorted by' >/dev/null

# --- e on a certificate with no definition: one from its record
cp "$CONF" "$PEBBLE_SCRATCH/conf.before"
select_cert cli
tmux_send e
check "its names come from the record" \
    tmux_wait_for 'Names \(comma between\): *\[cli\.example\.test'
tmux_send -l ', www.cli.example.test'
enter_until Review >/dev/null
check "new names: renewing now is offered" tmux_wait_for 'Then: +< save and renew now >'
tmux_send Left
check "Left: save only" tmux_wait_for 'Then: +< save only >'
tmux_send Enter
check "Enter saves and closes" tmux_wait_for 'cli: Its definition was saved in'
check "the config defines cli now" grep -q 'name = "cli"' "$CONF"
check "with the new names" grep -q '"www.cli.example.test"' "$CONF"
is "$(group_of "$CONF" keep)" "$keep_before" "the other entry is still unchanged"
is "$(san_count cli)" 1 "nothing was issued yet"

# --- x: a running job blocks it, a wrong name does nothing
cp "$CONF" "$PEBBLE_SCRATCH/conf.before"
kill -STOP "$PEBBLE_PID"
tmux_send R Enter
check "a renewal of cli runs" tmux_wait_for '1 job running'
tmux_send x
check "x asks, saying what happens" tmux_wait_for 'Stop managing cli'
like "$(tmux_capture)" 'no longer be renewed, deployed or notified' "it says what stops"
tmux_send -l cli
tmux_send Enter
check "a running job blocks the removal" tmux_wait_for 'Job #[0-9]+ for cli is running'
tmux_send Escape
check "Esc: still managed" tmux_wait_for 'cli: still managed; nothing changed'
kill -CONT "$PEBBLE_PID"
check "the renewal ends" tmux_wait_gone '1 job running' 60
is "$(san_count cli)" 2 "the list's renewal took the names saved"
ok "the config is unchanged" conf_unchanged

select_cert alpha
tmux_send Enter
check "the detail view of alpha" tmux_wait_for 'versions: +2: '
tmux_send x
check "x from the detail view" tmux_wait_for 'Stop managing alpha'
tmux_send -l alph
tmux_send Enter
check "a wrong name: nothing happens" tmux_wait_for 'Type the name alpha exactly'
ok "the config is unchanged" conf_unchanged
is "$(json_field "$STATE/certs/alpha.json" managed)" "" "the record is still managed"

# --- x with the right name
tmux_send C-u
tmux_send -l alpha
tmux_send Enter
check "alpha is no longer managed" tmux_wait_for 'alpha is no longer managed\. Its'
check "its definition left the config" sh -c "! grep -q 'name = \"alpha\"' '$CONF'"
is "$(group_of "$CONF" keep)" "$keep_before" "the other entries stay"
check "and cli's" grep -q 'name = "cli"' "$CONF"
archived=$(ls "$(dirname "$CONF")"/removed.d/alpha-*.conf 2>/dev/null | head -n1)
check "the archived copy holds it" grep -q 'name = "alpha"' "$archived"
check "with its names" grep -q '"beta.example.test"' "$archived"
is "$(stat -c %a "$archived")" 600 "the archive is 0600"
check "the files stay in the state folder" test -s "$STATE/live/alpha/fullchain.pem"
is "$(json_field "$STATE/certs/alpha.json" managed)" false "the record says not managed"
tmux_send Enter
tmux_send q
check "the list shows it not managed" tmux_wait_for '○ not managed +alpha'

# --- renew passes it by, from the screens (which read the config again)
v=$(version_of alpha)
tmux_send R
tmux_wait_for 'Force renewal of alpha' >/dev/null
tmux_send Enter
check "R on the screens: not renewed" \
    tmux_wait_for 'alpha is no longer managed \(its definition was removed\)' 30
is "$(version_of alpha)" "$v" "no new version"
is "$(json_field "$STATE/certs/alpha.json" managed)" false "and still not managed"

# --- the command line passes it by, even forced
cdk_out "$OUT" renew alpha --force
like "$(cat "$OUT")" 'alpha is no longer managed' "renew --force says it is not managed"
is "$(version_of alpha)" "$v" "and issues nothing"
cdk_out "$OUT" renew --all
like "$(cat "$OUT")" 'alpha is no longer managed' "renew --all passes it by"
is "$(version_of alpha)" "$v" "still nothing new"

# --- e defines it again
tmux_send e
check "e on a removed certificate: from its record" \
    tmux_wait_for 'Names \(comma between\): *\[alpha\.example\.test, beta\.example\.test'
enter_until Review >/dev/null
tmux_send Enter
check "it is managed again" tmux_wait_for 'alpha is managed again'
check "and listed as such" tmux_wait_for '(valid|renewal due) +alpha'
check "the config defines it again" grep -q 'name = "alpha"' "$CONF"
check "the record agrees" wait_for sh -c "! grep -q '\"managed\"' '$STATE/certs/alpha.json'"

# --- put back by hand: the archived file is a definition that names it
select_cert cli
tmux_send x
tmux_wait_for 'Stop managing cli' >/dev/null
tmux_send -l cli
tmux_send Enter
check "x on cli" tmux_wait_for 'cli is no longer managed\. Its'
tmux_send Enter
tmux_send q y
check "q quits" tmux_wait_for '^exit=0$' 30
archived=$(ls "$(dirname "$CONF")"/removed.d/cli-*.conf 2>/dev/null | head -n1)
restored=("${CDK_ARGS[@]}")
restored[1]=$archived	# --config FILE
"$CERTDECK" "${restored[@]}" renew cli >"$OUT" 2>&1
like "$(cat "$OUT")" 'not due' "renewed with its definition back: not due"
is "$(json_field "$STATE/certs/cli.json" managed)" "" "and managed again all the same"
done_testing
