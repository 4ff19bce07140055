# acmesrv.sh: runs the project's own ACME test server (acmesrv.py) for one
# test, on 127.0.0.1 only, for what Pebble does not do: renewal
# information, profiles, dns-persist-01 and misbehaviour scenarios.
#
# Source tests/lib/tap.sh first, then call acmesrv_start [SCENARIO] in the
# test's own shell (not in a subshell: it sets variables and an EXIT trap).
# Ports are chosen free for this run; the HTTPS certificate comes from a
# throwaway CA made with certtool the way pebble.sh makes Pebble's, and that
# CA is the only extra trust a test needs. The server validates http-01 on
# ACMESRV_HTTP_PORT at 127.0.0.1 whatever the name.
#
# Knobs, read from the environment when acmesrv_start runs:
#   ACMESRV_PYTHON         (default /usr/bin/python3, Debian's, which has
#                          python3-cryptography)
#   ACMESRV_DNS_SERVER     ADDR:PORT: dns-persist-01 reads TXT records from
#                          this DNS server (pebble-challtestsrv's), not from
#                          the in-memory store filled through /set-txt
#   ACMESRV_ISSUER_DOMAIN  the issuer domain name dns-persist-01 offers
#   ACMESRV_VALIDATE_PORT  validate http-01 on this port (e.g. Pebble's
#                          PEBBLE_HTTP_PORT, when certdeck talks to both)
#
# After acmesrv_start: ACMESRV_DIR_URL, ACMESRV_CA_BUNDLE, ACMESRV_MGMT_URL,
# ACMESRV_HTTP_PORT and ACMESRV_SCRATCH are exported.

# The certificate maker, the start loop and the process helpers are
# pebble.sh's; a test that runs Pebble too has sourced it already
# (sourcing again would forget Pebble's PIDs).
declare -F _pebble_certs >/dev/null || . "$top_srcdir/tests/pebble/pebble.sh"

: "${ACMESRV_PYTHON:=/usr/bin/python3}"

_acmesrv_pid=

# _acmesrv_up: 0 when the directory and the management API answer, 2 when
# the server has died, 1 otherwise.
_acmesrv_up()
{
	_pebble_gone "$_acmesrv_pid" && return 2
	curl -fsS --max-time 2 --cacert "$ACMESRV_CA_BUNDLE" -o /dev/null \
	    "$ACMESRV_DIR_URL" 2>/dev/null || return 1
	curl -fsS --max-time 2 -o /dev/null "$ACMESRV_MGMT_URL/scenario" \
	    2>/dev/null || return 1
}

# _acmesrv_try: one attempt on fresh ports with acmesrv_start's scenario;
# 0 when it answers.
_acmesrv_try()
{
	local ports args=()
	ports=($("$top_builddir/tests/tools/freeport" 3)) || return 1
	echo "=== start on ports ${ports[*]}" >> "$ACMESRV_SCRATCH/acmesrv.log"
	ACMESRV_DIR_URL=https://127.0.0.1:${ports[0]}/directory
	ACMESRV_MGMT_URL=http://127.0.0.1:${ports[1]}
	ACMESRV_HTTP_PORT=${ACMESRV_VALIDATE_PORT:-${ports[2]}}
	[ -z "${ACMESRV_DNS_SERVER:-}" ] ||
	    args+=(--dns-server "$ACMESRV_DNS_SERVER")
	[ -z "${ACMESRV_ISSUER_DOMAIN:-}" ] ||
	    args+=(--issuer-domain "$ACMESRV_ISSUER_DOMAIN")
	"$ACMESRV_PYTHON" -B "$top_srcdir/tests/acmesrv/acmesrv.py" \
	    --port "${ports[0]}" --mgmt-port "${ports[1]}" \
	    --http-port "$ACMESRV_HTTP_PORT" --scenario "$_acmesrv_scenario" \
	    --cert "$ACMESRV_SCRATCH/server.pem" \
	    --key "$ACMESRV_SCRATCH/server.key" "${args[@]}" \
	    >> "$ACMESRV_SCRATCH/acmesrv.log" 2>&1 &
	_acmesrv_pid=$!
	_server_wait _acmesrv_up "${ACMESRV_START_TIMEOUT:-30}"
}

# acmesrv_start [SCENARIO]: starts the server (misbehaving as SCENARIO,
# default none) and exports its addresses; returns 1 (log shown as TAP
# comments) when it does not come up.
acmesrv_start()
{
	_acmesrv_scenario=${1:-none}
	_server_start acmesrv ACMESRV_SCRATCH ACMESRV_CA_BUNDLE _acmesrv_try \
	    acmesrv_stop acmesrv.log || return 1
	export ACMESRV_DIR_URL ACMESRV_CA_BUNDLE ACMESRV_MGMT_URL \
	    ACMESRV_HTTP_PORT ACMESRV_SCRATCH
}

# acmesrv_stop: stops the server acmesrv_start started (and nothing else);
# safe to call twice. The scratch dir and its log stay.
acmesrv_stop()
{
	_pebble_kill "$_acmesrv_pid"
	_acmesrv_pid=
}

# acmesrv_pids: the PID of the server while it runs (empty when stopped).
acmesrv_pids()
{
	echo $_acmesrv_pid
}

# acmesrv_mgmt PATH [JSON]: GET (or, with JSON, POST) on the management API;
# prints the answer, returns curl's status (non-zero on HTTP errors too).
acmesrv_mgmt()
{
	if [ $# -ge 2 ]; then
		curl -fsS --max-time 10 -H 'Content-Type: application/json' \
		    --data-binary "$2" "$ACMESRV_MGMT_URL$1"
	else
		curl -fsS --max-time 10 "$ACMESRV_MGMT_URL$1"
	fi
}

# acmesrv_scenario NAME: switches the running server to scenario NAME.
acmesrv_scenario()
{
	acmesrv_mgmt /scenario "{\"name\": \"$1\"}" >/dev/null
}

# acmesrv_root_pem FILE: saves the root that issues the server's ACME
# certificates to FILE; returns curl's status.
acmesrv_root_pem()
{
	acmesrv_mgmt /roots/0 > "$1"
}
