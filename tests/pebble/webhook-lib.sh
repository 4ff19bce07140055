# webhook-lib.sh: a local HTTPS webhook receiver (webhook-receiver.py)
# for the suites that check notifications. Sourced after tap.sh and
# pebble.sh, once Pebble is up: the receiver serves Pebble's HTTPS
# certificate, which the CA bundle certdeck is given already trusts.

# webhook_start LOG: starts the receiver on a free loopback port, each
# request appended to LOG (the file LOG.fail makes it answer 500); sets
# WEBHOOK_PORT and WEBHOOK_URL and stops it at exit. 1 when it does not
# come up.
webhook_start()
{
	local pid
	WEBHOOK_PORT=$("$top_builddir/tests/tools/freeport" 1) || return 1
	WEBHOOK_URL=https://127.0.0.1:$WEBHOOK_PORT/hook
	/usr/bin/python3 "$top_srcdir/tests/pebble/webhook-receiver.py" "$WEBHOOK_PORT" \
	    "$PEBBLE_SCRATCH/server.pem" "$PEBBLE_SCRATCH/server.key" "$1" \
	    >"$PEBBLE_SCRATCH/receiver.out" 2>&1 &
	pid=$!
	at_exit "kill $pid 2>/dev/null; wait $pid 2>/dev/null"
	wait_for _webhook_up --timeout 20
}

_webhook_up()
{
	ss -ltn "sport = :$WEBHOOK_PORT" | grep -q LISTEN
}
