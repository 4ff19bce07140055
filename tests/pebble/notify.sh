#!/bin/bash
# notify.sh: notifications on failure and on demand: a JSON POST to an
# https webhook, a program run with argv and environment; a channel that
# does not take the message fails the notification and says why.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/tap.sh"
. "$top_srcdir/tests/pebble/pebble.sh"

pebble_start || bail_out "Pebble did not start"
. "$top_srcdir/tests/pebble/cli-lib.sh"
OUT=$PEBBLE_SCRATCH/out
HOOKLOG=$PEBBLE_SCRATCH/webhook.log
PROGLOG=$PEBBLE_SCRATCH/program.log
PROG=$PEBBLE_SCRATCH/notifier
cat >"$PROG" <<SH
#!/bin/sh
printf '%s|' "\$@" "\$CERTDECK_EVENT" "\$CERTDECK_CERT" >>"$PROGLOG"; echo >>"$PROGLOG"
[ -e "$PROGLOG.fail" ] && { echo "pager service down" >&2; exit 2; }
exit 0
SH
chmod 0755 "$PROG"

. "$top_srcdir/tests/pebble/webhook-lib.sh"
webhook_start "$HOOKLOG" || bail_out "the webhook receiver did not start"
NOTIFY=(--notify-webhook "$WEBHOOK_URL" --notify-program "$PROG")

check "notify --test" cdk_out "$OUT" "${NOTIFY[@]}" notify --test
diag_file "$OUT" 3
like "$(cat "$HOOKLOG")" '^application/json \{"certificate":"test","event":"test","message":"a test message from certdeck on [^"]+","time":[0-9]+\}$' \
    "the webhook got the JSON message"
like "$(cat "$PROGLOG")" '^test\|test\|a test message from certdeck on .*\|test\|test\|$' \
    "the program got argv and environment"

: >"$HOOKLOG"; : >"$PROGLOG"
cdk_out "$OUT" "${NOTIFY[@]}" issue broken -d broken.example.test --webroot "$PEBBLE_SCRATCH/nowhere"
is "$?" 1 "a failing issuance fails"
like "$(cat "$HOOKLOG")" '"certificate":"broken","event":"failure","message":"[^"]*nowhere' \
    "and the webhook hears of it, with the reason"
like "$(cat "$PROGLOG")" '^failure\|broken\|' "and the program too"

touch "$PROGLOG.fail"
cdk_out "$OUT" "${NOTIFY[@]}" notify --test
is "$?" 1 "a notifier that fails makes notify fail"
like "$(cat "$OUT")" "did not take the message: pager service down" "with its output"
rm "$PROGLOG.fail"
touch "$HOOKLOG.fail"
cdk_out "$OUT" "${NOTIFY[@]}" notify --test
is "$?" 1 "a webhook answering 500 makes notify fail"
like "$(cat "$OUT")" "webhook: $WEBHOOK_URL: HTTP 500" "and says so"
rm "$HOOKLOG.fail"
cdk_out "$OUT" notify --test
is "$?" 1 "notify with nothing configured fails"
like "$(cat "$OUT")" "nobody to notify" "and says what to set"

# --- per certificate: its own webhook instead of the global one, or none
GLOBAL_URL=$WEBHOOK_URL
OWNLOG=$PEBBLE_SCRATCH/own-webhook.log
webhook_start "$OWNLOG" || bail_out "the second webhook receiver did not start"
OWN_URL=$WEBHOOK_URL
NOWHERE=$PEBBLE_SCRATCH/nowhere
cat >"$CONF" <<CONF
notify_webhook = "$GLOBAL_URL";
certificates = (
  { name = "own"; domains = [ "own.example.test" ]; webroot = "$NOWHERE";
    notify_webhook = "$OWN_URL"; },
  { name = "quiet"; domains = [ "quiet.example.test" ]; webroot = "$NOWHERE";
    notify = false; },
  { name = "shared"; domains = [ "shared.example.test" ]; webroot = "$NOWHERE"; }
);
CONF
: >"$HOOKLOG"; : >"$OWNLOG"; : >"$PROGLOG"
cdk_out "$OUT" issue own
is "$?" 1 "a certificate with its own webhook: the issuance fails"
like "$(cat "$OWNLOG")" '^application/json \{"certificate":"own","event":"failure","message":"[^"]*nowhere' \
    "its webhook gets the failure notice"
is "$(wc -l <"$HOOKLOG")" 0 "the global webhook gets nothing for it"
: >"$OWNLOG"
cdk_out "$OUT" issue quiet
is "$?" 1 "notify = false: the issuance fails"
is "$(cat "$HOOKLOG" "$OWNLOG")" "" "and nobody is told"
unlike_notify() { ! grep -q 'notify' "$OUT"; }
check "nor is a notification tried" unlike_notify
cdk_out "$OUT" issue shared
is "$?" 1 "a certificate without settings of its own fails"
like "$(cat "$HOOKLOG")" '"certificate":"shared","event":"failure"' \
    "the global webhook hears of it"
is "$(wc -l <"$OWNLOG")" 0 "the other certificate's webhook does not"
sed -i 's/notify = false;/notify = "no";/' "$CONF"
cdk_out "$OUT" issue quiet
is "$?" 1 "notify must be a boolean: a configuration error"
like "$(cat "$OUT")" "certdeck\\.conf:[0-9]+: 'notify' must be true or false" \
    "FILE:LINE says so"

done_testing
