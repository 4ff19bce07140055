#!/bin/bash
# config-keys.sh: settings given only in the configuration file, used in
# real issuances: a cas entry's external account binding (the CA chosen by
# the global ca), a certificate's preferred_chain, the global tls_port,
# and the global dns_hook and dns_resolver. No option on the command line
# names the CA, its binding, the port or the resolver; each setting is
# also shown to matter (a wrong value fails).

export PEBBLE_EAB=1 PEBBLE_ALTERNATE_ROOTS=2 PEBBLE_CHAIN_LENGTH=3
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/tap.sh"
. "$top_srcdir/tests/pebble/pebble.sh"

pebble_start || bail_out "Pebble did not start"
. "$top_srcdir/tests/pebble/cli-lib.sh"
OUT=$PEBBLE_SCRATCH/out
CFG=$PEBBLE_SCRATCH/keys.conf
HOOK=$PEBBLE_SCRATCH/dns-hook
HOOKLOG=$PEBBLE_SCRATCH/dns-hook.log
dns_hook_write "$HOOK" "$HOOKLOG"

for i in 0 1; do
	curl -fsS --cacert "$PEBBLE_CA_BUNDLE" -o "$PEBBLE_SCRATCH/root$i.pem" \
	    "$PEBBLE_MGMT_URL/roots/$i" || bail_out "cannot fetch Pebble's root $i"
done
cn1=$(root_cn "$PEBBLE_SCRATCH/root1.pem")
check "Pebble's two roots have different names" \
    test -n "$cn1" -a "$cn1" != "$(root_cn "$PEBBLE_SCRATCH/root0.pem")"

# write_conf FILE EAB_HMAC_KEY RESOLVER TLS_PORT: the configuration, every
# setting under test in it.
write_conf()
{
	cat >"$1" <<CONF
# everything about the CA and the challenges comes from here
email = "ops@example.test";
ca = "pebble";
state_dir = "$STATE";
http_port = $PEBBLE_HTTP_PORT;
http_bind = "127.0.0.1";
tls_port = $4;
dns_hook = "$HOOK";
dns_resolver = "$3";
step_timeout = 10;
cas = (
  { name = "pebble"; directory = "$PEBBLE_DIR_URL"; ca_bundle = "$PEBBLE_CA_BUNDLE";
    eab_kid = "kid-1"; eab_hmac_key = "$2"; }
);
certificates = (
  { name = "bound"; domains = [ "bound.example.test" ]; },
  { name = "alt"; domains = [ "alt.example.test" ]; preferred_chain = "$cn1"; },
  { name = "alpn"; domains = [ "alpn.example.test" ]; challenge = "tls-alpn-01"; },
  { name = "txt"; domains = [ "*.txt.example.test", "txt.example.test" ];
    challenge = "dns-01"; },
  { name = "txt2"; domains = [ "txt2.example.test" ]; challenge = "dns-01"; }
);
CONF
}

# dk CONF ARGS...: certdeck with that configuration and nothing else
# but the terms agreement; output in $OUT.
dk()
{
	local conf=$1
	shift
	$CERTDECK_WRAPPER "$CERTDECK" --config "$conf" --agree-tos "$@" >"$OUT" 2>&1
}

ports=($("$top_builddir/tests/tools/freeport" 2))
DEAD_RESOLVER=127.0.0.1:${ports[0]}
WRONG_TLS_PORT=${ports[1]}
WRONG_HMAC=b10lLJs8l1GPIzsLP0s6pMt8O0XVGnfTaCeROxQM0BIt2XrJMDHJZBM5NuQmQJQH
write_conf "$CFG" "$PEBBLE_EAB_KID1_HMAC" "$CHALLTESTSRV_DNS" "$PEBBLE_TLS_PORT"

# --- eab_kid / eab_hmac_key in the cas entry the global ca selects
write_conf "$PEBBLE_SCRATCH/wrong-eab.conf" "$WRONG_HMAC" "$CHALLTESTSRV_DNS" "$PEBBLE_TLS_PORT"
dk "$PEBBLE_SCRATCH/wrong-eab.conf" issue bound
is "$?" 1 "a wrong eab_hmac_key in the cas entry fails the registration"
like "$(cat "$OUT")" "new account: .*(unauthorized|malformed|externalAccount|binding)" \
    "with the CA's refusal of the binding (so the config's binding was sent)"
check "no account was saved after the refusal" \
    sh -c "! ls '$STATE'/accounts/*/default/account.json 2>/dev/null | grep -q ."

check "the cas entry's binding registers and issues" dk "$CFG" issue bound
diag_file "$OUT" 6
like "$(cat "$OUT")" "account https://127\.0\.0\.1:[0-9]+/my-account/[^ ]* \(registered\)" \
    "the account was registered at the configured CA"
check "bound verifies against Pebble's root" verify_live bound
check "without preferred_chain the default chain (root 0) is kept" \
    verify_with bound "$PEBBLE_SCRATCH/root0.pem"

# --- preferred_chain in the certificate's entry
check "issue a certificate whose entry prefers root 1" dk "$CFG" issue alt
diag_file "$OUT" 4
like "$(cat "$OUT")" "chosen chain ends at" "an alternate chain was chosen"
check "alt's chain verifies against root 1" verify_with alt "$PEBBLE_SCRATCH/root1.pem"
check "and not against root 0" ! verify_with alt "$PEBBLE_SCRATCH/root0.pem"
check "renew --force alt" dk "$CFG" renew alt --force
check "the renewed chain still ends at root 1" verify_with alt "$PEBBLE_SCRATCH/root1.pem"

# --- tls_port, global: the tls-alpn-01 responder's port
check "issue through tls-alpn-01 on the configured tls_port" dk "$CFG" issue alpn
diag_file "$OUT" 4
like "$(cat "$OUT")" "tls-alpn-01 \(built-in responder\)" "the tls-alpn-01 responder answered"
check "alpn verifies" verify_live alpn
write_conf "$PEBBLE_SCRATCH/wrong-port.conf" "$PEBBLE_EAB_KID1_HMAC" "$CHALLTESTSRV_DNS" \
    "$WRONG_TLS_PORT"
dk "$PEBBLE_SCRATCH/wrong-port.conf" renew alpn --force
is "$?" 1 "with another tls_port in the config the CA finds no responder"
like "$(cat "$OUT")" "alpn\.example\.test is invalid: .*[Ff]ailed to connect" \
    "and its error names the name and the failed connection"

# --- dns_hook and dns_resolver, global
check "issue a wildcard through dns-01, hook and resolver from the config" \
    dk "$CFG" issue txt
diag_file "$OUT" 6
check "txt verifies" verify_live txt
is "$(grep -c '^add ' "$HOOKLOG")" 2 "the configured hook added a record per name"
wait_for sh -c "test \$(grep -c '^del ' '$HOOKLOG') -eq 2" --timeout 10
is "$(grep -c '^del ' "$HOOKLOG")" 2 "and removed each afterwards"

write_conf "$PEBBLE_SCRATCH/dead-resolver.conf" "$PEBBLE_EAB_KID1_HMAC" "$DEAD_RESOLVER" \
    "$PEBBLE_TLS_PORT"
t0=$(tap_now_ms)
dk "$PEBBLE_SCRATCH/dead-resolver.conf" issue txt2
is "$?" 1 "with a resolver that does not answer, dns-01 fails"
diag_file "$OUT" 2
like "$(cat "$OUT")" "$DEAD_RESOLVER" "the error names the configured resolver"
check "within the configured step_timeout (10 s) and the run's overhead" \
    test $(( $(tap_now_ms) - t0 )) -lt 30000
check "nothing was issued for it" test ! -e "$STATE/live/txt2"
wait_for sh -c "grep -q '^del txt2' '$HOOKLOG'" --timeout 10
check "the record was removed after the failure" grep -q '^del txt2' "$HOOKLOG"

check "no empty or temporary files in the store" no_bad_files "$STATE"
done_testing
