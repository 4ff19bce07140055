#!/bin/bash
# revoke.sh: revocation signed by the certificate's own key (RFC 8555
# §7.6), for a certificate whose account is lost; every reason code.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/tap.sh"
. "$top_srcdir/tests/pebble/pebble.sh"

pebble_start || bail_out "Pebble did not start"
. "$top_srcdir/tests/pebble/cli-lib.sh"
OUT=$PEBBLE_SCRATCH/out

serial_of() { cdk show "$1" --json >"$PEBBLE_SCRATCH/show.json"; json_field "$PEBBLE_SCRATCH/show.json" serial; }

check "issue a certificate" cdk_out "$OUT" issue lost -d lost.example.test
# The account is lost: a copy of the store without accounts/.
LOST=$PEBBLE_SCRATCH/lost-state
cp -a "$STATE" "$LOST"
rm -rf "$LOST/accounts"
serial=$(serial_of lost)
check "revoke with the certificate's key and no account" \
    sh -c "'$CERTDECK' --config '$CONF' --state '$LOST' --server '$PEBBLE_DIR_URL' \
    --ca-bundle '$PEBBLE_CA_BUNDLE' revoke lost --with-cert-key --reason keyCompromise >'$OUT' 2>&1"
diag_file "$OUT" 3
like "$(cat "$OUT")" "signed by the certificate's key" "the certificate's key signed it"
check "no account was created for it" test ! -e "$LOST/accounts"
status=$(cert_status "$serial")
like "$status" '"Status": *"Revoked"' "Pebble reports it revoked"
like "$status" '"Reason": *1' "with keyCompromise"

n=0
for reason in unspecified affiliationChanged superseded cessationOfOperation; do
	n=$((n + 1))
	check "issue r$n" cdk_out "$OUT" issue "r$n" -d "r$n.example.test"
	serial=$(serial_of "r$n")
	check "revoke r$n with $reason" cdk_out "$OUT" revoke "r$n" --reason "$reason"
	case $reason in
	unspecified) code=0 ;; affiliationChanged) code=3 ;; superseded) code=4 ;;
	cessationOfOperation) code=5 ;;
	esac
	like "$(cert_status "$serial")" "\"Reason\": *$code" "Pebble has reason $code for $reason"
done
cdk_out "$OUT" revoke r1 --reason certificateHold
is "$?" 2 "a reason a subscriber may not give is a usage error"
like "$(cat "$OUT")" "unknown revocation reason 'certificateHold'" "and it lists the valid ones"
cdk_out "$OUT" revoke nosuch
is "$?" 1 "revoking a certificate that does not exist fails"

done_testing
