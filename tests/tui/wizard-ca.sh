#!/bin/bash
# wizard-ca.sh: the wizard's CA step reads the CA's directory and its
# Preflight step checks names, CAA and the port, against Pebble requiring
# external account binding and the project's own ACME server (profiles,
# caaIdentities), with pebble-challtestsrv as the DNS. The terms of
# service are shown and must be agreed to (a CA without terms asks for
# no agreement; one whose directory is unusable shows why in place and
# is read again on Enter); the EAB fields appear and the HMAC key is
# checked as typed; a wrong key gets the CA's refusal when the account is
# created and the right one issues; another CA's directory shows its
# profiles, offered on the Key step, and the definition keeps that CA and
# the profile; a name that does not resolve and a CAA record naming
# another CA get ✗, a busy port gets !.

export PEBBLE_EAB=1
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/tap.sh"
. "$top_srcdir/tests/tui/ui-lib.sh"
. "$top_srcdir/tests/acmesrv/acmesrv.sh"
acmesrv_start || bail_out "acmesrv did not start"

# One trust file for both test CAs.
BUNDLE=$PEBBLE_SCRATCH/both-cas.pem
cat "$PEBBLE_CA_BUNDLE" "$ACMESRV_CA_BUNDLE" >"$BUNDLE"
args=()
skip=
for a in "${CDK_ARGS[@]}"; do
	if [ -n "$skip" ]; then skip=; continue; fi
	case $a in
	--email | --ca-bundle) skip=1 ;;
	--agree-tos) ;;
	*) args+=("$a") ;;
	esac
done
WRONG=b10lLJs8l1GPIzsLP0s6pMt8O0XVGnfTaCeROxQM0BIt2XrJMDHJZBM5NuQmQJQH
# unlike GOT REGEX DESC: passes when GOT does not match.
unlike() { check "$3" ! grep -Eq -- "$2" <<<"$1"; }
# esc_to_list REGEX: Esc until the screen matches REGEX (a dialog may be
# offered on the way, a schedule say); one Esc a second, since two at
# once could read as one Alt-Esc.
esc_to_list()
{
	_tmux_matches "$1" && return 0
	_esc_polls=$((${_esc_polls:-0} + 1))
	[ $((_esc_polls % 10)) -ne 1 ] || tmux_send Escape
	return 1
}
mgmt() { curl -fsS -o /dev/null -d "$2" "$CHALLTESTSRV_MGMT_URL/$1"; }

run_ui "$CERTDECK" "${args[@]}" --ca-bundle "$BUNDLE" \
    --dns-resolver "$CHALLTESTSRV_DNS" || bail_out "tmux did not start"
tmux_wait_for 'No certificates yet' >/dev/null || bail_out "the screens did not open"

# --- another CA by URL: its profiles; preflight's ✗ and !
mgmt set-default-ipv4 '{"ip":""}'
mgmt set-default-ipv6 '{"ip":""}'
mgmt add-a '{"host":"caa.example.test.","addresses":["127.0.0.1"]}'
mgmt add-caa '{"host":"example.test.","policies":[{"tag":"issue","value":"otherca.example"}]}'
busy=${PEBBLE_DIR_URL#https://127.0.0.1:}
busy=${busy%%/*}
# A CA that publishes no terms: nothing to agree to.
acmesrv_scenario dir-no-meta
tmux_send n
tmux_send -l 'plain.example.test'
tmux_send Enter
tmux_wait_for 'Terms of service' >/dev/null
tmux_send Left Tab
tmux_send -l "$ACMESRV_DIR_URL"
tmux_send Enter
check "a CA without terms: nothing to agree to" \
    tmux_wait_for 'publishes no terms of service: there is nothing to agree to'
like "$(tmux_capture)" 'Terms of service: +none given' "the step says there are none"
tmux_send Enter
check "and Enter goes on without an agreement" tmux_wait_for 'step 3 of 7'
tmux_send Escape Escape Escape
check "leaving writes nothing" tmux_wait_for 'nothing was written'
acmesrv_scenario none

tmux_send n
tmux_send -l 'nx.example.test, caa.example.test'
tmux_send Enter
check "step 2 again" tmux_wait_for 'Terms of service'
tmux_send Left
check "Left: the last choice, a URL" tmux_wait_for 'CA: +< another directory URL >'
tmux_send Tab
tmux_send -l "$ACMESRV_DIR_URL"
acmesrv_scenario dir-no-neworder
tmux_send Enter
check "a directory that cannot be used: the error in place" \
    tmux_wait_for '/directory: "new(Nonce|Order)" is missing'
acmesrv_scenario none
tmux_send Enter
check "Enter does not go on: it reads the directory again" \
    tmux_wait_for 'Reading the directory; Enter again'
check "now its profiles" \
    tmux_wait_for 'Profiles: +(classic|shortlived), (classic|shortlived)'
like "$(tmux_capture)" "Terms of service: +https://127\.0\.0\.1:[0-9]+/terms" "its terms"
unlike "$(tmux_capture)" 'EAB key id' "no EAB fields for a CA that does not need them"
tmux_send Tab
tmux_send -l acmesrv@example.com
tmux_send Tab Space Enter
check "step 3 at the other CA" tmux_wait_for 'step 3 of 7'
tmux_send Tab C-u
tmux_send -l "$busy"
tmux_send Enter
check "its profiles on the Key step" tmux_wait_for "Profile: +< the CA's default >"
tmux_send Tab Right
check "a profile with its description" \
    tmux_wait_for 'Profile: +< (classic|shortlived) >' 
like "$(tmux_capture)" '(90-day|6-day) certificates' "and its description"
tmux_send Enter Enter
check "preflight: a name that does not resolve gets ✗" \
    tmux_wait_for '✗ nx\.example\.test does not resolve \(no A or AAAA record at 127\.0\.0\.1:[0-9]+\)'
check "a CAA record naming another CA gets ✗" \
    tmux_wait_for '✗ caa\.example\.test: CAA issue allows only otherca\.example, not this CA \(acmesrv\.test\)'
check "a busy port gets !" tmux_wait_for "! port $busy is not free"
tmux_send Enter
check "Enter with ✗ lines says what to do" \
    tmux_wait_for '[0-9] problems marked ✗: fix them \(Esc goes back\) or press Enter again'
tmux_send Enter
check "Enter again goes on anyway" tmux_wait_for 'step 7 of 7, Review'
like "$(tmux_capture)" "CA: +$ACMESRV_DIR_URL, profile (classic|shortlived)" \
    "review names the CA and the profile"
tmux_send Escape Escape Escape Escape
check "Esc back to the port" tmux_wait_for 'step 3 of 7'
tmux_send Tab C-u
tmux_send -l "$ACMESRV_HTTP_PORT"
tmux_send Enter Enter Enter
check "preflight again: now the port is free" \
    tmux_wait_for "✓ port $ACMESRV_HTTP_PORT is free"
tmux_send Enter Enter
tmux_wait_for 'step 7 of 7' >/dev/null
tmux_send Enter
check "issued by the CA typed, with the profile" tmux_wait_for 'versions: +1:' 60
check "the definition names a cas entry for it" \
    grep -Eq 'ca = "127\.0\.0\.1";' "$CONF"
check "which holds its directory" grep -q "directory = \"$ACMESRV_DIR_URL\"" "$CONF"
check "and the profile chosen" grep -Eq 'profile = "(classic|shortlived)";' "$CONF"
check "the command line reads the config" cdk_out "$OUT" show nx.example.test
check "Esc leads back to the list" wait_for esc_to_list 'valid +nx\.example\.test' --timeout 20
mgmt clear-caa '{"host":"example.test."}'
mgmt set-default-ipv4 '{"ip":"127.0.0.1"}'

# --- the CA step: terms, EAB, a wrong key then the right one
tmux_send n
tmux_send -l 'eab.example.test'
tmux_send Enter
check "step 2 reads the directory and shows the terms" \
    tmux_wait_for 'Terms of service: +data:text/plain'
like "$(tmux_capture)" "CA: +< configured: $PEBBLE_DIR_URL" "the configured CA first"
like "$(tmux_capture)" 'External account binding required' "it says EAB is required"
check "with the EAB fields" tmux_wait_for 'EAB key id:'
like "$(tmux_capture)" '\[ \] I have read and agree' "the terms are not agreed for the user"
tmux_send Tab
tmux_send -l eab@example.com
tmux_send Enter
check "without EAB it stays, saying why" tmux_wait_for 'requires an external account binding'
tmux_send Tab
tmux_send -l kid-1
tmux_send Tab
tmux_send -l 'not base64!'
tmux_send Enter
check "an HMAC key that is not base64url is refused as typed" \
    tmux_wait_for 'EAB HMAC key: base64url'
tmux_send C-u
tmux_send -l "$WRONG"
tmux_send Enter
check "without agreeing it stays" tmux_wait_for 'agree to its terms'
tmux_send Tab Space Enter
check "step 3" tmux_wait_for 'step 3 of 7, How to prove control'
tmux_send Enter
check "step 4, the key: Pebble lists no profiles" tmux_wait_for 'step 4 of 7, Key'
unlike "$(tmux_capture)" 'Profile:' "so none is offered"
tmux_send Enter Enter
check "step 6, preflight" tmux_wait_for 'step 6 of 7, Preflight'
check "the name resolves through challtestsrv" \
    tmux_wait_for '✓ eab\.example\.test resolves to 127\.0\.0\.1'
check "no CAA record: any CA" tmux_wait_for '✓ eab\.example\.test: no CAA record'
check "the port is free" tmux_wait_for "✓ port $PEBBLE_HTTP_PORT is free"
tmux_send Enter
check "review names the CA" tmux_wait_for "step 7 of 7, Review"
tmux_send Enter
check "a wrong EAB key gets the CA's refusal" \
    tmux_wait_for 'unauthorized: external account binding' 60
tmux_send Enter
check "nothing was issued" tmux_wait_for 'Not issued; nothing was written'
tmux_send Escape
check "back at review" tmux_wait_for 'step 7 of 7, Review'
tmux_send Escape Escape Escape Escape Escape
check "back at the CA step" tmux_wait_for 'step 2 of 7'
tmux_send Tab Tab Tab
tmux_send C-u
tmux_send -l "$PEBBLE_EAB_KID1_HMAC"
tmux_send Enter
tmux_wait_for 'step 3 of 7' >/dev/null
tmux_send Enter Enter Enter
check "preflight again" tmux_wait_for '✓ port'
tmux_send Enter
tmux_wait_for 'step 7 of 7' >/dev/null
tmux_send Enter
check "the right key registers and issues" tmux_wait_for 'versions: +1:' 60
check "the certificate verifies against Pebble's root" verify_live eab.example.test
check "the account is bound" grep -rqs 'eab@example.com' "$STATE/accounts"
check "Esc leads back to the list, which shows it" \
    wait_for esc_to_list 'valid +eab\.example\.test +eab' --timeout 20
tmux_send q
check "q quits" tmux_wait_for '^exit=0$' 30

done_testing
