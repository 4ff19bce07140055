#!/bin/bash
# config.sh: certificates, CA and responder defined in the configuration
# file: issue by name, renew --all issuing what is defined but missing,
# agreement to the CA's terms (agree_tos, globally and per CA), and a
# broken file refused with its file and line.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/tap.sh"
. "$top_srcdir/tests/pebble/pebble.sh"

pebble_start || bail_out "Pebble did not start"
. "$top_srcdir/tests/pebble/cli-lib.sh"
OUT=$PEBBLE_SCRATCH/out
CFG=$PEBBLE_SCRATCH/defined.conf

cat >"$CFG" <<CONF
# certificates this host should have
email = "ops@example.test";
ca = "pebble";
state_dir = "$STATE";
http_port = $PEBBLE_HTTP_PORT;
http_bind = "127.0.0.1";
key_type = "ec384";
cas = (
  { name = "pebble"; directory = "$PEBBLE_DIR_URL"; ca_bundle = "$PEBBLE_CA_BUNDLE"; }
);
certificates = (
  { name = "web"; domains = [ "web.example.test", "www.web.example.test" ]; },
  { name = "mail"; domains = [ "mail.example.test" ]; key_type = "rsa2048"; }
);
CONF

dk() { "$CERTDECK" --config "$CFG" --agree-tos "$@"; }

check "issue a certificate defined in the config by its name" \
    sh -c "'$CERTDECK' --config '$CFG' --agree-tos issue web >'$OUT' 2>&1"
diag_file "$OUT" 4
check "web verifies" verify_live web
is "$(san_count web)" 2 "web carries the config's two names"
like "$("${CERTTOOL:-certtool}" -i --infile "$STATE/live/web/cert.pem" 2>/dev/null)" \
    "SECP384R1|secp384r1|P-384" "web's key is the config's ec384"
dk renew --all >"$OUT" 2>&1
is "$?" 0 "renew --all succeeds"
like "$(cat "$OUT")" "web is not due" "web is left alone: not due"
like "$(cat "$OUT")" "mail issued" "mail, defined but missing, is issued"
check "mail verifies" verify_live mail
like "$("${CERTTOOL:-certtool}" -i --infile "$STATE/live/mail/cert.pem" 2>/dev/null)" \
    "RSA" "mail's key is its own rsa2048"

# agree_tos in the file stands for --agree-tos: at the top of the file,
# or in the CA's own entry, which wins over the top.
TOS=$PEBBLE_SCRATCH/tos.conf
tos_conf()
{
	cat >"$TOS" <<CONF
$1
ca = "pebble";
http_port = $PEBBLE_HTTP_PORT;
http_bind = "127.0.0.1";
cas = ( { name = "pebble"; directory = "$PEBBLE_DIR_URL";
          ca_bundle = "$PEBBLE_CA_BUNDLE"; $2 } );
CONF
}
# tos_register ACCOUNT [ARGS...]: registers ACCOUNT, without --agree-tos
# unless ARGS hold it.
tos_register()
{
	local name=$1
	shift
	"$CERTDECK" --config "$TOS" --state "$STATE" --account "$name" "$@" \
	    account register >"$OUT" 2>&1
}
tos_conf "" ""
tos_register t0
is "$?" 1 "without agreement, registering fails"
like "$(cat "$OUT")" "requires agreement to its terms of service" "and says the CA has terms"
tos_conf "agree_tos = true;" ""
check "agree_tos = true at the top of the file agrees" tos_register t1
diag_file "$OUT" 2
tos_conf "" "agree_tos = true;"
check "agree_tos = true in the CA's entry agrees" tos_register t2
tos_conf "agree_tos = true;" "agree_tos = false;"
tos_register t3
is "$?" 1 "the CA's own agree_tos = false wins over the top of the file"
check "--agree-tos wins over the file" tos_register t4 --agree-tos
tos_conf "agree_tos = true;" ""
check "an account agreed through the file issues a certificate" \
    sh -c "'$CERTDECK' --config '$TOS' --state '$STATE' --account t1 issue tos -d tos.example.test >'$OUT' 2>&1"
check "tos verifies" verify_live tos

printf 'max_jobs = "many";\n' >"$PEBBLE_SCRATCH/bad.conf"
"$CERTDECK" --config "$PEBBLE_SCRATCH/bad.conf" list >"$OUT" 2>&1
is "$?" 1 "a config with a wrong type fails"
like "$(cat "$OUT")" "bad.conf:1" "the error names the file and line"
printf 'email = "x"\ncas = (\n' >"$PEBBLE_SCRATCH/broken.conf"
"$CERTDECK" --config "$PEBBLE_SCRATCH/broken.conf" list >"$OUT" 2>&1
is "$?" 1 "a config with a syntax error fails"
like "$(cat "$OUT")" "broken.conf:[0-9]+" "the syntax error names the file and line"

done_testing
