#!/bin/bash
# deploy.sh: deploy steps after each issuance: copies written atomically
# with owner, group and mode, then a reload command (argv, no shell); a
# failed reload is reported, keeps the new certificate, and is retried by
# the next renew even when nothing is due.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/tap.sh"
. "$top_srcdir/tests/pebble/pebble.sh"

pebble_start || bail_out "Pebble did not start"
. "$top_srcdir/tests/pebble/cli-lib.sh"
OUT=$PEBBLE_SCRATCH/out
DST=$PEBBLE_SCRATCH/deployed
mkdir -p "$DST"
RELOAD=$PEBBLE_SCRATCH/reload
cat >"$RELOAD" <<SH
#!/bin/sh
printf '%s|' "\$@" >>"$PEBBLE_SCRATCH/reload.log"; echo >>"$PEBBLE_SCRATCH/reload.log"
if [ -e "$PEBBLE_SCRATCH/reload.fail" ]; then echo "nginx: config test failed" >&2; exit 4; fi
exit 0
SH
chmod 0755 "$RELOAD"
CFG=$PEBBLE_SCRATCH/deploy.conf
cat >"$CFG" <<CONF
certificates = (
  { name = "web"; domains = [ "web.example.test" ];
    deploy_fullchain = "$DST/fullchain.pem"; deploy_key = "$DST/key.pem";
    deploy_combined = "$DST/haproxy.pem"; deploy_cert = "$DST/cert.pem";
    deploy_owner = "nobody"; deploy_group = "nogroup"; deploy_mode = "0640";
    reload = [ "$RELOAD", "an arg with spaces", "\$(id)" ]; }
);
CONF

check "issue with deploy steps" sh -c "'$CERTDECK' --config '$CFG' --state '$STATE' \
    --server '$PEBBLE_DIR_URL' --ca-bundle '$PEBBLE_CA_BUNDLE' --http-port '$PEBBLE_HTTP_PORT' \
    --http-bind 127.0.0.1 --agree-tos issue web >'$OUT' 2>&1"
diag_file "$OUT" 3
like "$(cat "$OUT")" "deployed version 1: 4 copies, reloaded" "the deploy step is reported"
check "the full chain copy is the live one" cmp "$DST/fullchain.pem" "$STATE/live/web/fullchain.pem"
check "the key copy is the live key" cmp "$DST/key.pem" "$STATE/live/web/privkey.pem"
check "the combined copy is key then full chain" sh -c "cat '$STATE/live/web/privkey.pem' \
    '$STATE/live/web/fullchain.pem' | cmp - '$DST/haproxy.pem'"
is "$(stat -c '%U:%G %a' "$DST/key.pem")" "nobody:nogroup 640" "owner, group and mode are applied"
is "$(cat "$PEBBLE_SCRATCH/reload.log")" 'an arg with spaces|$(id)|' \
    "the reload command got its arguments literally, once"

touch "$PEBBLE_SCRATCH/reload.fail"
run() { "$CERTDECK" --config "$CFG" --state "$STATE" --server "$PEBBLE_DIR_URL" \
    --ca-bundle "$PEBBLE_CA_BUNDLE" --http-port "$PEBBLE_HTTP_PORT" --http-bind 127.0.0.1 \
    --agree-tos "$@" >"$OUT" 2>&1; }
run renew web --force
is "$?" 1 "a failing reload fails the renewal"
like "$(cat "$OUT")" "version 2 is stored, but deploying it failed .* exited with status 4: nginx: config test failed" \
    "with the command's status and output"
is "$(readlink "$STATE/live/web")" "../archive/web/2" "the new certificate is kept"
like "$(cat "$STATE/certs/web.json")" '"deploy_error"' "the failure is recorded"

rm "$PEBBLE_SCRATCH/reload.fail"
run renew web
is "$?" 0 "the next renew, with nothing due, completes the deploy"
like "$(cat "$OUT")" "web: version 2 deployed" "and says so"
check "the copy is version 2" cmp "$DST/fullchain.pem" "$STATE/archive/web/2/fullchain.pem"
run renew web
is "$?" 3 "after that, renew has nothing to do"

ln -sf "$PEBBLE_SCRATCH/elsewhere.pem" "$DST/cert.pem"
run renew web --force
is "$?" 1 "a symlink planted at a target fails the deploy"
check "nothing was written through it" test ! -e "$PEBBLE_SCRATCH/elsewhere.pem"

done_testing
