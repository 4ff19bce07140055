#!/bin/bash
# wizard.sh: onboarding through the wizard against Pebble, with real
# keystrokes. Bad input in each field gets an inline message; a two-name
# certificate (one an IDN) through http-01 is issued, verifies against
# Pebble's root, its copies get the owner, group and mode asked for, and
# its definition joins the config beside every earlier entry; leaving the wizard at a step, or cancelling its job, writes
# nothing and leaves no responder listening.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/tap.sh"
. "$top_srcdir/tests/tui/ui-lib.sh"
read -r PEBBLE_PID CHALLTESTSRV_PID <<<"$(pebble_pids)"
at_exit 'kill -CONT $PEBBLE_PID $CHALLTESTSRV_PID 2>/dev/null'

cat >"$CONF" <<'CONF'
renew_days = 30;
certificates = (
  { name = "old"; domains = [ "old.example.test" ]; challenge = "http-01"; }
);
CONF
cp "$CONF" "$PEBBLE_SCRATCH/conf.before"
mode_before=$(stat -c %a "$CONF")
# Short paths, whatever folder the tests are built in (make distcheck's
# is deep): the checks below read them whole on an 100-column screen.
SHORT=$(mktemp -d /tmp/cdk-wiz.XXXXXX) || bail_out "mktemp"
at_exit "rm -rf '$SHORT'"
DEPLOY=$SHORT/deploy
mkdir -p "$DEPLOY"
HOOK=$SHORT/not-executable.sh
printf '#!/bin/sh\nexit 0\n' >"$HOOK"
listening() { [ "$(ss -Hltn "sport = :$PEBBLE_HTTP_PORT" | wc -l)" -gt 0 ]; }
not_listening() { ! listening; }
conf_unchanged() { cmp -s "$CONF" "$PEBBLE_SCRATCH/conf.before"; }

# A root of its own: the schedule offered after the first issuance is
# never the machine's.
mkdir -p "$SHORT/root"
run_ui "$CERTDECK" "${CDK_ARGS[@]}" --dns-resolver "$CHALLTESTSRV_DNS" \
    --root "$SHORT/root" ||
    bail_out "tmux did not start"
check "an empty store offers the wizard" tmux_wait_for 'No certificates yet\. Press n'
tmux_send n
check "n opens the wizard at step 1" tmux_wait_for 'New certificate: step 1 of 7, Names'

# --- names, checked as typed
tmux_send Enter
check "no names: an inline message" tmux_wait_for 'Type at least one name'
tmux_send -l 'exa mple.com'
check "a space in a name is refused as typed" tmux_wait_for '✗ .*exa mple\.com'
tmux_send C-u
tmux_send -l "$(printf 'a%.0s' $(seq 300)).example.test"
check "a 300-character label is refused" \
    tmux_wait_for '✗ longer than 253 characters \(name .aaaa'
tmux_send C-u
tmux_send -l "$(printf 'b%.0s' $(seq 64)).example.test"
check "so is a 64-character one" tmux_wait_for '✗ .*63.*\(name .bbbb'
tmux_send C-u
tmux_send -l '*.*.example.com'
check "*.*.example.com is refused" tmux_wait_for '✗ .*\*\.\*\.example\.com'
tmux_send Enter
check "Enter with a bad name stays, saying why" tmux_wait_for 'Fix the names marked'
tmux_send C-u
tmux_send -l 'web.example.test, bücher.example.test'
check "an IDN is shown both ways" \
    tmux_wait_for '✓ bücher\.example\.test += +xn--bcher-kva\.example\.test'
check "a certificate name is suggested" \
    tmux_wait_for 'Certificate name: +\[web\.example\.test'
tmux_send Enter
check "step 2: CA and account" tmux_wait_for 'step 2 of 7, CA and account'
check "it reads the CA's directory: its terms" \
    tmux_wait_for 'Terms of service: +data:text/plain'
like "$(tmux_capture)" "CA: +< configured: $PEBBLE_DIR_URL" "it names the CA's directory"
tmux_send Tab Tab Space Enter
check "without agreeing to the terms it stays" tmux_wait_for 'agree to its terms'
tmux_send Space Enter

# --- how to prove control: bad paths
check "step 3: how to prove control" tmux_wait_for 'step 3 of 7, How to prove control'
check "the http-01 port comes from the command line" \
    tmux_wait_for "Port: +\\[$PEBBLE_HTTP_PORT"
tmux_send Right Tab
tmux_send -l /no/such/folder
tmux_send Enter
check "a webroot that does not exist is refused" \
    tmux_wait_for 'Web root: /no/such/folder does not exist'
tmux_send Tab Right Right Tab
tmux_send -l "$HOOK"
tmux_send Enter
check "a hook that is not executable is refused" \
    tmux_wait_for 'DNS hook: .*not-executable\.sh is not an executable program'
tmux_send Tab Left Left Left
check "back to http-01" tmux_wait_for '< http-01, built-in responder >'
tmux_send Enter
check "step 4: key" tmux_wait_for 'step 4 of 7, Key'
tmux_send Enter
check "step 5: deploy" tmux_wait_for 'step 5 of 7, Deploy'
tmux_send -l relative/fullchain.pem
tmux_send Enter
check "a relative copy path is refused" tmux_wait_for 'Full chain: give an absolute file path'
tmux_send C-u
tmux_send -l /no/such/folder/fullchain.pem
tmux_send Enter
check "a copy into a missing folder is refused" \
    tmux_wait_for 'Full chain: the folder /no/such/folder does not exist'
tmux_send C-u
tmux_send -l "$DEPLOY/fullchain.pem"
tmux_send Tab
tmux_send -l "$DEPLOY/key.pem"
tmux_send Tab
tmux_send -l no-such-user
check "an unknown owner is refused as typed" \
    tmux_wait_for "Owner: no user named 'no-such-user'"
tmux_send C-u
tmux_send -l nobody
tmux_send Tab
tmux_send -l no-such-group
tmux_send Enter
check "an unknown group is refused" \
    tmux_wait_for "Group: no group named 'no-such-group'"
tmux_send C-u
tmux_send -l nogroup
tmux_send Tab
tmux_send -l 0999
check "mode 0999 is refused as typed" tmux_wait_for 'Mode: "0999" is not an octal mode'
tmux_send C-u
tmux_send -l 0666
tmux_send Enter
check "a mode that hands others the key is refused" \
    tmux_wait_for 'Mode: 0666 would let every user of the machine read'
tmux_send BSpace
tmux_send -l 0
check "a mode giving others nothing clears the message" \
    tmux_wait_gone "Mode: 066"
tmux_send C-u
tmux_send -l 0640
tmux_send Tab
tmux_send -l "/no/such/reload --now"
tmux_send Enter
check "a reload program that does not exist is refused" \
    tmux_wait_for 'Then run: /no/such/reload does not exist'
tmux_send C-u
tmux_send -l "$(command -v touch) $DEPLOY/reloaded"
tmux_send Enter
check "step 6: preflight" tmux_wait_for 'step 6 of 7, Preflight'
check "each name resolves (challtestsrv)" \
    tmux_wait_for '✓ xn--bcher-kva\.example\.test resolves to 127\.0\.0\.1'
check "the port is free" tmux_wait_for "✓ port $PEBBLE_HTTP_PORT is free"
tmux_send Enter
check "step 7: review" tmux_wait_for 'step 7 of 7, Review'
like "$(tmux_capture)" 'Deploy: +full chain to .*/fullchain\.pem' "it lists the copies"
like "$(tmux_capture)" ' +key to .*/key\.pem' "the key's too"
like "$(tmux_capture)" ' +then run .*touch .*/deploy/' "and the command"
like "$(tmux_capture)" ' +owner nobody' "the copies' owner"
like "$(tmux_capture)" ' +group nogroup' "their group"
like "$(tmux_capture)" ' +mode 0640' "and their mode"
like "$(tmux_capture)" 'Names: +web\.example\.test, bücher\.example\.test' "it lists the names"
ok "the config is untouched before issuing" conf_unchanged
tmux_send Enter
check "the job's names show as it runs" tmux_wait_for 'xn--bcher-kva|bücher\.example\.test +(waiting|pending|challenge|valid)' 30
check "it ends on the certificate's detail" tmux_wait_for 'web\.example\.test: issued\.|versions: +1:' 60
check "the first certificate: a renewal schedule is offered" \
    tmux_wait_for 'Renew automatically\?'
tmux_send n
check "No leaves the root alone" test ! -e "$SHORT/root/etc"
check "the certificate verifies against Pebble's root" verify_live web.example.test
is "$(san_count web.example.test)" 2 "it carries both names"
check "the config holds the new definition" grep -q 'name = "web.example.test"' "$CONF"
check "with both names, as A-labels" grep -q '"xn--bcher-kva.example.test"' "$CONF"
check "and still the earlier entry" grep -q 'name = "old"' "$CONF"
check "the full chain was copied" cmp -s "$DEPLOY/fullchain.pem" "$STATE/live/web.example.test/fullchain.pem"
is "$(stat -c '%U %G %a' "$DEPLOY/key.pem")" "nobody nogroup 640" \
    "the key copy has the owner, group and mode asked for"
is "$(stat -c '%U %G %a' "$DEPLOY/fullchain.pem")" "nobody nogroup 640" \
    "so has the full chain's (the mode is every copy's)"
check "the reload command ran" wait_for test -e "$DEPLOY/reloaded"
check "the config holds the deploy settings" grep -q "deploy_fullchain = \"$DEPLOY/fullchain.pem\"" "$CONF"
check "and the owner" grep -q 'deploy_owner = "nobody"' "$CONF"
check "the group" grep -q 'deploy_group = "nogroup"' "$CONF"
check "the mode" grep -q 'deploy_mode = "0640"' "$CONF"
check "and the reload argv" grep -Eq "reload = \[ *\"[^\"]*touch\", *\"$DEPLOY/reloaded\" *\]" "$CONF"
check "and the global setting" grep -Eq '^renew_days = 30;' "$CONF"
check "the command line reads the new config" cdk_out "$OUT" show web.example.test
is "$(stat -c %a "$CONF")" "$mode_before" "the file keeps its mode"
is "$(ls -a "$(dirname "$CONF")" | grep -c '^certdeck\.conf\.')" 0 "no temporary file is left"
tmux_send Escape
check "Esc from the detail goes back to the wizard's summary" tmux_wait_for 'Issued\. Its definition was added'
tmux_send Escape
check "the list shows the new certificate" tmux_wait_for 'valid +web\.example\.test'
cp "$CONF" "$PEBBLE_SCRATCH/conf.before"

# --- leaving at a step writes nothing
tmux_send n
tmux_send -l 'leave.example.test'
tmux_send Enter
tmux_wait_for 'Terms of service' >/dev/null
tmux_send Enter
check "at step 3" tmux_wait_for 'step 3 of 7'
tmux_send Escape Escape Escape
check "Esc back to the first step, then out" tmux_wait_for 'nothing was written'
check "the config is unchanged" conf_unchanged
check "no certificate was made" test ! -e "$STATE/certs/leave.example.test.json"

# --- cancelling the job writes nothing and takes its responder down
kill -STOP "$CHALLTESTSRV_PID"
tmux_send n
tmux_send -l 'stop.example.test'
tmux_send Enter
tmux_wait_for 'Terms of service' >/dev/null
tmux_send Enter Enter Enter Enter
check "preflight with the DNS stopped: a warning, not a block" \
    tmux_wait_for '! stop\.example\.test: dns .*no answer' 20
tmux_send Enter Enter
check "the job runs" tmux_wait_for 'Job #[0-9]+: issuing stop\.example\.test'
check "its responder listens" wait_for listening
tmux_send Escape
check "Esc cancels it" tmux_wait_for 'Job #[0-9]+ for stop\.example\.test cancelled' 30
kill -CONT "$CHALLTESTSRV_PID"
tmux_send Enter
check "the wizard says nothing was written" tmux_wait_for 'Not issued; nothing was written'
check "the config is unchanged" conf_unchanged
check "no responder is left listening" wait_for not_listening
tmux_send Escape
check "Esc goes back to Review" tmux_wait_for 'step 7 of 7, Review'
tmux_send Escape Escape Escape Escape Escape Escape Escape
check "and out" tmux_wait_for 'nothing was written'
tmux_send q
check "q quits" tmux_wait_for '^exit=0$' 30

done_testing
