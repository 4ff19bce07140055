#!/bin/bash
# wizard-dns.sh: a wildcard onboarded through the wizard with dns-01,
# pebble-challtestsrv's management API as the DNS provider behind the
# user's hook. The wizard offers dns-01 only for a wildcard; the
# certificate holds it and verifies; the hook added and removed a record
# per authorization; the config gets the definition and the hook. The
# screens start without --email and --agree-tos: the account step asks
# for both, and the account registered carries the contact typed there.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/tap.sh"
. "$top_srcdir/tests/tui/ui-lib.sh"
HOOK=$PEBBLE_SCRATCH/dns-hook
HOOKLOG=$PEBBLE_SCRATCH/dns-hook.log

dns_hook_write "$HOOK" "$HOOKLOG"
printf 'email = "test@example.com";\n' >"$CONF"

args=()
for a in "${CDK_ARGS[@]}"; do
	case $a in --email | test@example.com | --agree-tos) ;; *) args+=("$a") ;; esac
done
# A root of its own: the schedule offered after the first issuance is
# never the machine's.
mkdir -p "$PEBBLE_SCRATCH/root"
run_ui "$CERTDECK" "${args[@]}" --dns-resolver "$CHALLTESTSRV_DNS" \
    --root "$PEBBLE_SCRATCH/root" ||
    bail_out "tmux did not start"
tmux_wait_for 'No certificates yet' >/dev/null || bail_out "the screens did not open"
tmux_send n
tmux_send -l '*.wild.example.test, wild.example.test'
check "the wildcard is marked" tmux_wait_for '✓ \*\.wild\.example\.test +\(wildcard: dns-01 only\)'
check "the suggested name drops the star" tmux_wait_for 'Certificate name: +\[wild\.example\.test'
tmux_send Enter
check "step 2 asks for an account" tmux_wait_for 'none yet at this CA'
check "once the directory is read" tmux_wait_for 'Terms of service'
like "$(tmux_capture)" '\[ \] I have read and agree' "the terms are not agreed to for the user"
check "the contact comes from the config" tmux_wait_for 'Contact e-mail: +\[test@example\.com'
tmux_send Tab C-u
tmux_send -l dns-admin@example.com
tmux_send Enter
check "going on needs the agreement" tmux_wait_for 'agree to its terms'
tmux_send Tab Space Enter
check "dns-01 is chosen for a wildcard" tmux_wait_for '< dns-01, a hook program adds TXT records >'
like "$(tmux_capture)" 'only dns-01 can prove it' "and the step says why"
tmux_send Left Enter
check "another method is refused for it" tmux_wait_for 'A wildcard name can only be proven with dns-01'
tmux_send Right Tab
tmux_send -l "$HOOK"
tmux_send Enter Enter Enter
check "preflight: no port to check for dns-01" \
    tmux_wait_for '✓ wild\.example\.test: no CAA record'
tmux_send Enter
check "review" tmux_wait_for 'step 7 of 7, Review'
tmux_send Enter
check "the first certificate: a renewal schedule is offered" \
    tmux_wait_for 'Renew automatically\?' 60
tmux_send n
check "it ends on the certificate's detail" tmux_wait_for 'versions: +1:' 60
check "the certificate verifies against Pebble's root" verify_live wild.example.test
like "$("${CERTTOOL:-certtool}" -i --infile "$STATE/live/wild.example.test/cert.pem" 2>/dev/null)" \
    'DNSname: \*\.wild\.example\.test' "it holds the wildcard"
is "$(grep -c '^add ' "$HOOKLOG")" 2 "the hook added a record per authorization"
check "and removed each afterwards" \
    wait_for sh -c "test \$(grep -c '^del ' '$HOOKLOG') -eq 2"
check "the config holds the definition with dns-01" \
    grep -q 'challenge = "dns-01"' "$CONF"
check "and the hook, which renewals need" grep -q "^dns_hook = \"$HOOK\";" "$CONF"
check "and keeps the earlier setting" grep -q '^email = "test@example.com";' "$CONF"
check "the command line reads it" cdk_out "$OUT" show wild.example.test
check "the account has the contact typed in the wizard" \
    grep -rq 'mailto:dns-admin@example.com' "$STATE/accounts"
tmux_send Escape Escape q
check "q quits" tmux_wait_for '^exit=0$' 30

done_testing
