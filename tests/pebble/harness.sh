#!/bin/bash
# harness.sh: the Pebble harness itself works: the directory answers over
# TLS trusted through the generated bundle, the management API and
# challtestsrv answer, nothing we started outlives pebble_stop, and
# PEBBLE_EAB=1 gives a CA that requires external account binding.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/tap.sh"
. "$top_srcdir/tests/pebble/pebble.sh"

# alive PID...: true when any of the PIDs still runs.
alive()
{
	local p
	for p in "$@"; do
		_pebble_gone "$p" || return 0
	done
	return 1
}

# stopped_clean: pebble_stop leaves none of the servers we started.
stopped_clean()
{
	local pids
	pids=$(pebble_pids)
	is "$(echo $pids | wc -w)" 2 "two servers were running"
	pebble_stop
	# shellcheck disable=SC2086 # one word per PID
	check "no pebble or challtestsrv of ours survives" ! alive $pids
	is "$(pebble_pids)" "" "pebble_pids is empty after pebble_stop"
	pebble_stop
	ok "pebble_stop is safe to call twice"
}

pebble_start || bail_out "Pebble did not start"
ok "pebble_start"

dir=$(curl -fsS --cacert "$PEBBLE_CA_BUNDLE" "$PEBBLE_DIR_URL")
check "GET /dir over TLS verified with PEBBLE_CA_BUNDLE" test -n "$dir"
for key in newNonce newAccount newOrder; do
	like "$dir" "\"$key\": *\"https://127\\.0\\.0\\.1:[0-9]+/" \
	    "directory has $key"
done
like "$(curl -sS -o /dev/null -w '%{http_code}' "$PEBBLE_DIR_URL" 2>/dev/null)" \
    "^000" "the directory is not trusted without the bundle"
like "$PEBBLE_SCRATCH" "^$top_builddir/tests/tmp/" \
    "scratch dir is under the build tree"

pebble_root_pem "$PEBBLE_SCRATCH/root.pem"
check "management API gives a root certificate" \
    grep -q -- '-----BEGIN CERTIFICATE-----' "$PEBBLE_SCRATCH/root.pem"
like "$(curl -fsS --cacert "$PEBBLE_CA_BUNDLE" \
    "$PEBBLE_MGMT_URL/intermediates/0")" "BEGIN CERTIFICATE" \
    "management API gives an intermediate"

is "$(curl -sS -o /dev/null -w '%{http_code}' \
    -d '{"host":"_acme-challenge.example.test.","value":"harness"}' \
    "$CHALLTESTSRV_MGMT_URL/set-txt")" 200 "challtestsrv accepts /set-txt"
like "$CHALLTESTSRV_DNS" '^127\.0\.0\.1:[0-9]+$' "CHALLTESTSRV_DNS is loopback"
dir_port=${PEBBLE_DIR_URL##*:}
ports="$PEBBLE_HTTP_PORT $PEBBLE_TLS_PORT ${dir_port%/dir} \
    ${PEBBLE_MGMT_URL##*:} ${CHALLTESTSRV_MGMT_URL##*:} ${CHALLTESTSRV_DNS##*:}"
is "$(printf '%s\n' $ports | sort -u | wc -l)" 6 "six distinct ports"
check "nothing listens on the http-01 port yet" \
    ! curl -s --max-time 2 -o /dev/null "http://127.0.0.1:$PEBBLE_HTTP_PORT/"
log=$PEBBLE_SCRATCH/pebble.log
check "Pebble's log is kept in the scratch dir" grep -q 'Listening on' "$log"
check "by default no random validation delay" \
    grep -q 'Disabling random VA sleeps' "$log"
check "by default no nonce is refused" grep -q 'reject 0% of good nonces' "$log"
check "by default no authorization is reused" grep -q 'reuse .* 0% of' "$log"
stopped_clean

PEBBLE_EAB=1 PEBBLE_WFE_NONCEREJECT=50 PEBBLE_AUTHZREUSE=100 pebble_start ||
    bail_out "Pebble (EAB) did not start"
ok "pebble_start with PEBBLE_EAB=1"
log=$PEBBLE_SCRATCH/pebble.log
check "PEBBLE_WFE_NONCEREJECT reaches Pebble" \
    grep -q 'reject 50% of good nonces' "$log"
check "PEBBLE_AUTHZREUSE reaches Pebble" grep -q 'reuse .* 100% of' "$log"
like "$(curl -fsS --cacert "$PEBBLE_CA_BUNDLE" "$PEBBLE_DIR_URL")" \
    '"externalAccountRequired": *true' "directory meta requires EAB"
stopped_clean

done_testing
