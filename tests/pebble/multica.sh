#!/bin/bash
# multica.sh: certificates at two CAs from one configuration. The global
# CA is the project's own test server; one certificate names Pebble, which
# requires external account binding and has trust of its own. `renew --all`
# issues each at its own CA in one engine, with that CA's trust, contact
# and binding; revocation goes to the CA that issued; the command line's
# --server wins over a certificate's CA.

export PEBBLE_EAB=1
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/tap.sh"
. "$top_srcdir/tests/pebble/pebble.sh"

pebble_start || bail_out "Pebble did not start"
# Both CAs validate http-01 where certdeck's one responder listens.
export ACMESRV_VALIDATE_PORT=$PEBBLE_HTTP_PORT
. "$top_srcdir/tests/acmesrv/acmesrv.sh"
acmesrv_start || bail_out "acmesrv did not start"
. "$top_srcdir/tests/pebble/cli-lib.sh"

W=$PEBBLE_SCRATCH
OUT=$W/out
cat >"$CONF" <<CONFEOF
email = "global@example.com";
ca = "own";
http_port = $PEBBLE_HTTP_PORT;
http_bind = "127.0.0.1";
cas = (
  { name = "own"; directory = "$ACMESRV_DIR_URL"; ca_bundle = "$ACMESRV_CA_BUNDLE"; },
  { name = "peb"; directory = "$PEBBLE_DIR_URL"; ca_bundle = "$PEBBLE_CA_BUNDLE";
    eab_kid = "kid-1"; eab_hmac_key = "$PEBBLE_EAB_KID1_HMAC"; email = "peb@example.com"; }
);
certificates = (
  { name = "home"; domains = [ "home.example.test" ]; },
  { name = "away"; domains = [ "away.example.test" ]; ca = "peb"; }
);
CONFEOF

# mc ARGS...: certdeck with this configuration alone (no --server).
mc()
{
	$CERTDECK_WRAPPER "$CERTDECK" --config "$CONF" --state "$STATE" --agree-tos "$@"
}

# verify_at NAME ROOT: the live chain of NAME verifies against ROOT.
verify_at()
{
	"${CERTTOOL:-certtool}" --verify --load-ca-certificate "$2" \
	    --infile "$STATE/live/$1/fullchain.pem" >"$W/verify.log" 2>&1 &&
	    grep -q "Chain verification output: Verified" "$W/verify.log"
}

acmesrv_root_pem "$W/own-root.pem" || bail_out "no acmesrv root"
pebble_root_pem "$W/peb-root.pem" || bail_out "no Pebble root"

mc renew --all >"$OUT" 2>&1
is "$?" 0 "renew --all issues both certificates"
diag_file "$OUT" 30
check "home was issued by the global CA" verify_at home "$W/own-root.pem"
check "away was issued by its own CA, Pebble" verify_at away "$W/peb-root.pem"
check "and not by the global one" sh -c "! '${CERTTOOL:-certtool}' --verify \
    --load-ca-certificate '$W/own-root.pem' --infile '$STATE/live/away/fullchain.pem' \
    2>/dev/null | grep -q 'output: Verified'"
is "$(json_field "$STATE/certs/home.json" directory)" "$ACMESRV_DIR_URL" \
    "home's record names the global CA"
is "$(json_field "$STATE/certs/away.json" directory)" "$PEBBLE_DIR_URL" \
    "away's record names Pebble"
like "$(cat "$OUT")" "directory $ACMESRV_DIR_URL" "one engine read the global CA's directory"
like "$(cat "$OUT")" "directory $PEBBLE_DIR_URL" "and Pebble's"
is "$(ls "$STATE/accounts" | wc -l)" 2 "an account at each CA"
peb_acct=$(grep -l "$PEBBLE_DIR_URL" "$STATE"/accounts/*/default/account.json 2>/dev/null)
check "Pebble's account was bound (registered at a CA that requires it)" test -n "$peb_acct"
like "$(cat "$peb_acct" 2>/dev/null)" "mailto:peb@example.com" \
    "with the contact of Pebble's cas entry"

serial=$(json_field "$STATE/certs/away.json" serial)
mc revoke away --reason keyCompromise >"$OUT" 2>&1
is "$?" 0 "revoke away: at the CA that issued it"
diag_file "$OUT" 10
like "$(cert_status "$serial")" '"Status": "Revoked"' "Pebble reports away revoked"

mc --server "$PEBBLE_DIR_URL" --ca-bundle "$PEBBLE_CA_BUNDLE" revoke home >"$OUT" 2>&1
is "$?" 1 "revoking home at another CA than its issuer fails"
like "$(cat "$OUT")" "home was issued through $ACMESRV_DIR_URL, not $PEBBLE_DIR_URL" \
    "and says where to revoke it"

mc --server "$ACMESRV_DIR_URL" --ca-bundle "$ACMESRV_CA_BUNDLE" renew --force away \
    >"$OUT" 2>&1
is "$?" 0 "--server wins over the certificate's own CA"
diag_file "$OUT" 10
check "away's new version comes from the global CA" verify_at away "$W/own-root.pem"

done_testing
