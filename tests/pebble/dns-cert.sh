#!/bin/bash
# dns-cert.sh: dns-01 settings of a certificate's own. Two certificates
# whose names two DNS providers serve each name their hook (and one its
# resolver) in the configuration; the global hook, which always fails, and
# the global resolver, which does not answer, are never used for them;
# --dns-hook on the command line wins over a definition's own.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/tap.sh"
. "$top_srcdir/tests/pebble/pebble.sh"

pebble_start || bail_out "Pebble did not start"
. "$top_srcdir/tests/pebble/cli-lib.sh"
W=$PEBBLE_SCRATCH
OUT=$W/out

dns_hook_write "$W/hook-one" "$W/one.log"
dns_hook_write "$W/hook-two" "$W/two.log"
dns_hook_write "$W/hook-cli" "$W/cli.log"
printf '#!/bin/sh\necho "$1 $3" >>"%s"\necho "the global hook must not run" >&2\nexit 3\n' \
    "$W/global.log" >"$W/hook-global"
chmod 0755 "$W/hook-global"

# Port 1 on loopback: nothing answers there, so waiting on the global
# resolver could only time out.
cat >"$CONF" <<CONFEOF
dns_hook = "$W/hook-global";
dns_resolver = "127.0.0.1:1";
step_timeout = 20;
certificates = (
  { name = "one"; domains = [ "*.one.example.test" ]; challenge = "dns-01";
    dns_hook = "$W/hook-one"; dns_resolver = "$CHALLTESTSRV_DNS"; },
  { name = "two"; domains = [ "two.example.test" ]; challenge = "dns-01";
    dns_hook = "$W/hook-two"; dns_resolver = "$CHALLTESTSRV_DNS"; }
);
CONFEOF

cdk_out "$OUT" renew --all
is "$?" 0 "renew --all issues both through their own hooks"
diag_file "$OUT" 12
check "one verifies" verify_live one
check "two verifies" verify_live two
like "$(cat "$W/one.log" 2>/dev/null)" '^add one\.example\.test _acme-challenge\.one\.example\.test ' \
    "one's hook set one's record"
check "and nothing of two's" sh -c "! grep -q two '$W/one.log'"
like "$(cat "$W/two.log" 2>/dev/null)" '^add two\.example\.test _acme-challenge\.two\.example\.test ' \
    "two's hook set two's record"
check "and nothing of one's" sh -c "! grep -q one '$W/two.log'"
check "the global hook never ran" test ! -e "$W/global.log"
wait_for sh -c "grep -q '^del ' '$W/one.log' && grep -q '^del ' '$W/two.log'" --timeout 10
check "each hook removed its record" sh -c "grep -q '^del ' '$W/one.log' && grep -q '^del ' '$W/two.log'"

cdk_out "$OUT" renew --force two --dns-hook "$W/hook-cli" --dns-resolver "$CHALLTESTSRV_DNS"
is "$?" 0 "--dns-hook on the command line wins over the definition's"
diag_file "$OUT" 8
like "$(cat "$W/cli.log" 2>/dev/null)" '^add two\.example\.test ' "the command line's hook set two's record"
is "$(grep -c '^add ' "$W/two.log")" 1 "two's own hook was not run again"

done_testing
