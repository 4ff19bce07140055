#!/bin/bash
# revoke.sh: revocation from the screens against Pebble. D opens the
# box; Esc revokes nothing; Enter without the name typed revokes
# nothing and says why; a reason chosen with the arrows and the name
# typed revoke it, the job's steps show live, Pebble's management API
# has the chosen reason and the list shows it revoked. keyCompromise
# signed with the certificate's key, through Del.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/tap.sh"
. "$top_srcdir/tests/tui/ui-lib.sh"

serial_of() { cdk show "$1" --json >"$PEBBLE_SCRATCH/show.json"; json_field "$PEBBLE_SCRATCH/show.json" serial; }

for n in alpha beta; do
	cdk_out "$OUT" issue "$n" -d "$n.example.test" || { diag_file "$OUT"; bail_out "issue $n"; }
done
ok "alpha and beta issued by Pebble"
alpha=$(serial_of alpha)
beta=$(serial_of beta)

run_ui "$CERTDECK" "${CDK_ARGS[@]}" || bail_out "tmux did not start"
tmux_wait_for '2/2 shown' >/dev/null || bail_out "the screens did not open"

# --- D, then Esc: nothing happens
tmux_send g D
check "D opens the revoke box" tmux_wait_for 'Revoke alpha *$'
for r in unspecified keyCompromise superseded cessationOfOperation affiliationChanged; do
	like "$(tmux_capture)" "\\(.\\) $r +[a-z]" "it lists $r with what it means"
done
like "$(tmux_capture)" '\(\*\) unspecified' "unspecified is chosen at first"
like "$(tmux_capture)" 'Type alpha to confirm: \[ *\]' "the name field starts empty"
tmux_send Escape
check "Esc closes it" tmux_wait_gone 'Revoke alpha *$'
check "and says nothing was revoked" tmux_wait_for 'alpha: not revoked'
like "$(cert_status "$alpha")" '"Status": *"Valid"' "Pebble still has alpha valid"

# --- Enter without the name: nothing, and an inline reason
tmux_send D Down Down
check "Down twice chooses superseded" tmux_wait_for '\(\*\) superseded'
tmux_send Tab Enter
check "Enter with an empty name revokes nothing and says why" \
    tmux_wait_for 'Type the name alpha exactly'
tmux_send -l alph
tmux_send Enter
check "a wrong name is refused too" tmux_wait_for 'Type the name alpha exactly'
like "$(cert_status "$alpha")" '"Status": *"Valid"' "Pebble still has alpha valid"
tmux_send -l a
check "the message goes once typing resumes" tmux_wait_gone 'Type the name alpha exactly'
tmux_send Enter
check "the job's steps show in the box" tmux_wait_for '#[0-9]+ alpha: revoked' 30
check "then the new status" tmux_wait_for 'Done\. Status now: revoked' 30
status=$(cert_status "$alpha")
like "$status" '"Status": *"Revoked"' "Pebble reports alpha revoked"
like "$status" '"Reason": *4' "with superseded (4)"
tmux_send Enter
check "Enter closes the box" tmux_wait_gone 'Revoke alpha *$'
check "the list shows alpha revoked" tmux_wait_for '⊘ revoked +alpha'

# --- Del, keyCompromise signed with the certificate's key
tmux_send Down DC
check "Del opens the box for beta" tmux_wait_for 'Revoke beta *$'
if tmux_capture | grep -q "sign with the certificate's own key"; then
	not_ok "the key choice shows only for keyCompromise"
else
	ok "the key choice shows only for keyCompromise"
fi
tmux_send Down
check "keyCompromise offers the certificate's key" \
    tmux_wait_for "\\[ \\] sign with the certificate's own key"
tmux_send Tab Space
check "Space ticks it" tmux_wait_for "\\[x\\] sign with the certificate's own key"
tmux_send Tab
tmux_send -l beta
tmux_send Enter
check "beta is revoked" tmux_wait_for 'Done\. Status now: revoked' 30
check "signed with its key" tmux_wait_for "signed with the certificate's key"
status=$(cert_status "$beta")
like "$status" '"Status": *"Revoked"' "Pebble reports beta revoked"
like "$status" '"Reason": *1' "with keyCompromise (1)"
tmux_send Escape
check "the list shows beta revoked" tmux_wait_for '⊘ revoked +beta'

# --- from the detail view: D opens the same box; Esc leaves it valid
cdk_out "$OUT" issue gamma -d gamma.example.test || diag_file "$OUT"
tmux_send q
check "q quits" tmux_wait_for '^exit=0$' 30
run_ui "$CERTDECK" "${CDK_ARGS[@]}" || bail_out "tmux did not start"
tmux_wait_for '3/3 shown' >/dev/null || bail_out "the screens did not open"
tmux_send G Enter
check "gamma's detail" tmux_wait_for 'Certificate detail'
like "$(row 29)" 'D/Del revoke' "its footer offers revoke"
tmux_send D
check "D in the detail opens the revoke box" tmux_wait_for 'Revoke gamma *$'
tmux_send Escape
check "Esc goes back to the detail" tmux_wait_gone 'Revoke gamma *$'
like "$(cert_status "$(serial_of gamma)")" '"Status": *"Valid"' "gamma stays valid"
tmux_send q q
check "q quits" tmux_wait_for '^exit=0$' 30

done_testing
