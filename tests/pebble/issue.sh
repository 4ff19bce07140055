#!/bin/bash
# issue.sh: issue, renew, list, show and revoke from the command line
# against Pebble, the files verified against Pebble's root. The harsh
# variant (issue-harsh.sh) runs it again with nonce rejection and
# authorization reuse on.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/tap.sh"
. "$top_srcdir/tests/pebble/pebble.sh"

pebble_start || bail_out "Pebble did not start"
. "$top_srcdir/tests/pebble/cli-lib.sh"
OUT=$PEBBLE_SCRATCH/out

diag "Pebble: nonce rejection ${PEBBLE_WFE_NONCEREJECT:-0}%, authz reuse ${PEBBLE_AUTHZREUSE:-0}%"

# --- issue one name
check "issue one name" cdk_out "$OUT" issue one -d one.example.test
diag_file "$OUT" 30
for f in cert chain fullchain privkey; do
	check "live/one/$f.pem exists" test -s "$STATE/live/one/$f.pem"
done
is "$(stat -L -c %a "$STATE/live/one/privkey.pem")" 600 "private key is 0600"
is "$(stat -c %a "$STATE")" 700 "state folder is 0700"
check "one verifies against Pebble's root" verify_live one
is "$(san_count one)" 1 "one carries one name"
like "$(cat "$OUT")" "account .*registered" "the account was registered"
like "$(cat "$OUT")" "challenge-answered" "the http-01 challenge was answered"

# --- three names
check "issue three names" cdk_out "$OUT" issue three -d a.example.test \
    -d b.example.test -d c.example.test
diag_file "$OUT" 10
check "three verifies against Pebble's root" verify_live three
is "$(san_count three)" 3 "three carries three names"
like "$(cat "$OUT")" "account .*$PEBBLE_DIR_URL|account https" "the stored account was reused"

# --- list and show
cdk_out "$OUT" list
like "$(cat "$OUT")" "^one +valid" "list shows one valid"
like "$(cat "$OUT")" "^three +valid .*a.example.test \\+2" "list shows three with +2 names"
cdk_out "$OUT" show three --json
like "$(cat "$OUT")" '"version": 1' "show --json gives the version"
like "$(cat "$OUT")" '"next_renewal": [0-9]+' "and the next renewal time"
cdk_out "$OUT" show three
like "$(cat "$OUT")" "next renewal: +20[0-9-]+, when 33% of its lifetime is left" \
    "show forecasts the renewal and says why"

# --- refusals
cdk_out "$OUT" issue one -d one.example.test
is "$?" 1 "issuing an existing name fails"
like "$(cat "$OUT")" "already exists" "and says it exists"
cdk_out "$OUT" issue nodomain
is "$?" 2 "issue without -d is a usage error"
cdk_out "$OUT" issue bad -d "exa mple.test"
is "$?" 2 "an invalid domain is refused before the CA is asked"
like "$(cat "$OUT")" "exa mple.test" "the error names the domain"

cdk_out "$OUT" issue prof -d prof.example.test --profile shortlived
is "$?" 1 "a profile the CA does not offer fails"
like "$(cat "$OUT")" "profile 'shortlived': the CA at .* offers no profiles" \
    "and says the CA offers none"
check "nothing was issued for it" test ! -e "$STATE/live/prof"

# --- renew
cp "$STATE/live/one/cert.pem" "$PEBBLE_SCRATCH/one-v1.pem"
cdk_out "$OUT" renew one
is "$?" 3 "renew of a fresh certificate exits 3: nothing to do"
like "$(cat "$OUT")" "not due" "and says it is not due"
is "$(readlink "$STATE/live/one")" "../archive/one/1" "live still points at version 1"
check "renew --force" cdk_out "$OUT" renew one --force
diag_file "$OUT" 5
is "$(readlink "$STATE/live/one")" "../archive/one/2" "live points at version 2"
check "version 1 is kept byte for byte" cmp "$PEBBLE_SCRATCH/one-v1.pem" \
    "$STATE/archive/one/1/cert.pem"
check "version 2 verifies" verify_live one
check "version 2 is a new certificate" ! cmp -s "$PEBBLE_SCRATCH/one-v1.pem" \
    "$STATE/live/one/cert.pem"

# --- revoke
cdk_out "$OUT" show one --json
serial=$(json_field "$OUT" serial)
check "revoke with a reason" cdk_out "$OUT" revoke one --reason keyCompromise
diag_file "$OUT" 5
status=$(cert_status "$serial")
like "$status" '"Status": *"Revoked"' "Pebble reports the certificate revoked"
like "$status" '"Reason": *1' "with reason keyCompromise (1)"
cdk_out "$OUT" list
like "$(cat "$OUT")" "^one +revoked" "list shows one revoked"
cdk_out "$OUT" renew one
is "$?" 3 "renew of a revoked certificate does nothing (exit 3)"
like "$(cat "$OUT")" "revoked; not renewed" "and says why"
check "revoked files stay in the store" test -s "$STATE/live/one/fullchain.pem"

t0=$(tap_now_ms)
cdk_out "$OUT" renew three --jitter 1 -v
is "$?" 3 "renew --jitter 1 waits, then has nothing to do"
like "$(cat "$OUT")" "waiting [01]\.[0-9]{3} s \(--jitter\)" "it says how long it waits"
check "and waits no more than the jitter (plus the run)" test $(( $(tap_now_ms) - t0 )) -lt 5000

check "no empty or temporary files in the store" no_bad_files "$STATE"
done_testing
