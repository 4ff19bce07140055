#!/bin/bash
# eab.sh: a CA that requires external account binding (Pebble's EAB
# configuration with its example keys): no binding, a wrong MAC key and a
# right one.

export PEBBLE_EAB=1
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/tap.sh"
. "$top_srcdir/tests/pebble/pebble.sh"

pebble_start || bail_out "Pebble did not start"
. "$top_srcdir/tests/pebble/cli-lib.sh"
OUT=$PEBBLE_SCRATCH/out

cdk_out "$OUT" issue nobind -d nobind.example.test
is "$?" 1 "without a binding the issuance fails"
like "$(cat "$OUT")" "requires external account binding: .*--eab-kid" \
    "and says which options to give"

WRONG=b10lLJs8l1GPIzsLP0s6pMt8O0XVGnfTaCeROxQM0BIt2XrJMDHJZBM5NuQmQJQH
cdk_out "$OUT" issue wrong -d wrong.example.test --eab-kid kid-1 --eab-hmac-key "$WRONG"
is "$?" 1 "a wrong MAC key fails"
like "$(cat "$OUT")" "new account: .*(unauthorized|malformed|externalAccount|binding)" \
    "with the CA's own explanation"
check "no account was saved after the refusals" \
    sh -c "! ls '$STATE'/accounts/*/default/account.json 2>/dev/null | grep -q ."

check "the right key registers and issues" cdk_out "$OUT" issue bound -d bound.example.test \
    --eab-kid kid-1 --eab-hmac-key "$PEBBLE_EAB_KID1_HMAC"
diag_file "$OUT" 4
check "bound verifies" verify_live bound
cdk_out "$OUT" --eab-kid kid-1 issue halfbind -d x.example.test
is "$?" 1 "--eab-kid without --eab-hmac-key is refused"
like "$(cat "$OUT")" "needs both --eab-kid and --eab-hmac-key" "and says so"

done_testing
