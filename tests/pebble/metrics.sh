#!/bin/bash
# metrics.sh: the Prometheus text file written after every run: valid for
# promtool, one sample per certificate with the right values, the run's
# outcome, rewritten whole each time.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/tap.sh"
. "$top_srcdir/tests/pebble/pebble.sh"

pebble_start || bail_out "Pebble did not start"
. "$top_srcdir/tests/pebble/cli-lib.sh"
OUT=$PEBBLE_SCRATCH/out
PROM=$PEBBLE_SCRATCH/textfile/certdeck.prom
mkdir -p "$(dirname "$PROM")"

value() { sed -n "s/^$1{name=\"$2\"} //p" "$PROM"; }
global() { sed -n "s/^$1 //p" "$PROM"; }

check "issue with a metrics file" cdk_out "$OUT" --metrics-file "$PROM" issue m1 -d m1.example.test
check "issue a second one" cdk_out "$OUT" --metrics-file "$PROM" issue m2 -d m2.example.test
check "the file exists" test -s "$PROM"
is "$(stat -c %a "$PROM")" 644 "readable by the collector's user"
if command -v promtool >/dev/null; then
	check "promtool accepts it" promtool check metrics <"$PROM"
else
	not_ok "promtool accepts it (promtool is missing: tools/deps.sh test installs prometheus)"
fi
cdk show m1 --json >"$PEBBLE_SCRATCH/m1.json"
is "$(value certdeck_certificate_expiry_timestamp_seconds m1)" \
    "$(json_field "$PEBBLE_SCRATCH/m1.json" not_after)" "m1's expiry is the certificate's"
is "$(value certdeck_certificate_next_renewal_timestamp_seconds m1)" \
    "$(json_field "$PEBBLE_SCRATCH/m1.json" next_renewal)" "m1's next renewal is the forecast"
is "$(value certdeck_certificate_last_attempt_success m2)" 1 "m2's last attempt succeeded"
is "$(value certdeck_certificate_revoked m1)" 0 "m1 is not revoked"
is "$(global certdeck_certificates)" 2 "two certificates are counted"
is "$(global certdeck_last_run_success)" 1 "the last run succeeded"

cdk_out "$OUT" --metrics-file "$PROM" revoke m1
is "$(value certdeck_certificate_revoked m1)" 1 "after revoking, m1 is revoked"
is "$(value certdeck_certificate_next_renewal_timestamp_seconds m1)" "" \
    "and has no next renewal"
cdk_out "$OUT" --metrics-file "$PROM" renew nosuch
is "$(global certdeck_last_run_success)" 0 "a failed run is recorded"
cdk_out "$OUT" --metrics-file "$PROM" renew --all
is "$?" 3 "renew with nothing due exits 3"
is "$(global certdeck_last_run_success)" 1 "and counts as a good run"
check "no temporary file is left beside it" \
    sh -c "test \$(ls -A '$(dirname "$PROM")' | wc -l) -eq 1"

done_testing
