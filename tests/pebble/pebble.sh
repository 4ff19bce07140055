# pebble.sh: runs a private Pebble (the Let's Encrypt test CA) and
# pebble-challtestsrv (its DNS) for one test, on 127.0.0.1 only.
#
# Source tests/lib/tap.sh first, then call pebble_start in the test's own
# shell (not in a subshell: it sets variables and an EXIT trap). Every port
# is chosen free for this run, so suites run in parallel; Pebble's HTTPS
# certificate comes from a throwaway CA made with certtool, and that CA is
# the only extra trust a test needs. Every name resolves to 127.0.0.1, so
# Pebble validates http-01 on PEBBLE_HTTP_PORT and tls-alpn-01 on
# PEBBLE_TLS_PORT where the code under test listens.
#
# Knobs, read from the environment when pebble_start runs:
#   PEBBLE_VA_NOSLEEP      (default 1)  no random delay before validation
#   PEBBLE_WFE_NONCEREJECT (default 0)  percentage of good nonces refused
#   PEBBLE_AUTHZREUSE      (default 0)  percentage of valid authorizations
#                          reused (Pebble's own 50% makes runs differ)
#   PEBBLE_CHAIN_LENGTH, PEBBLE_ALTERNATE_ROOTS,
#   PEBBLE_VA_ALWAYS_VALID, PEBBLE_WFE_ORDERS_PER_PAGE   passed when set
#   PEBBLE_EAB=1           accounts need external account binding
#                          (kid-1 / kid-2, keys in PEBBLE_EAB_KID*_HMAC)
#   PEBBLE_CERT_VALIDITY   seconds a certificate is valid (Pebble's own
#                          default: five years), to make renewals due
#
# After pebble_start: PEBBLE_DIR_URL, PEBBLE_CA_BUNDLE, PEBBLE_MGMT_URL,
# PEBBLE_HTTP_PORT, PEBBLE_TLS_PORT, CHALLTESTSRV_MGMT_URL, CHALLTESTSRV_DNS
# and PEBBLE_SCRATCH are exported.

: "${PEBBLE:=pebble}"
: "${CHALLTESTSRV:=pebble-challtestsrv}"
: "${CERTTOOL:=certtool}"

# The example keys Debian ships in pebble-config-external-account-bindings.json.
PEBBLE_EAB_KID1_HMAC=zWNDZM6eQGHWpSRTPal5eIUYFTu7EajVIoguysqZ9wG44nMEtx3MUAsUDkMTQ12W
PEBBLE_EAB_KID2_HMAC=b10lLJs8l1GPIzsLP0s6pMt8O0XVGnfTaCeROxQM0BIt2XrJMDHJZBM5NuQmQJQH
export PEBBLE_EAB_KID1_HMAC PEBBLE_EAB_KID2_HMAC

_pebble_pid=
_challtestsrv_pid=

# _pebble_certs DIR: a throwaway CA (ca.pem) and a server certificate for
# localhost, 127.0.0.1 and ::1 signed by it (server.pem, server.key).
_pebble_certs()
{
	local d=$1
	cat > "$d/ca.tmpl" <<-EOF
		cn = "certdeck test CA"
		ca
		cert_signing_key
		expiration_days = 7
	EOF
	cat > "$d/server.tmpl" <<-EOF
		cn = "localhost"
		dns_name = "localhost"
		ip_address = "127.0.0.1"
		ip_address = "::1"
		tls_www_server
		signing_key
		expiration_days = 7
	EOF
	"$CERTTOOL" --generate-privkey --key-type=ecdsa --no-text \
	    --outfile "$d/ca.key" &&
	"$CERTTOOL" --generate-self-signed --load-privkey "$d/ca.key" \
	    --template "$d/ca.tmpl" --no-text --outfile "$d/ca.pem" &&
	"$CERTTOOL" --generate-privkey --key-type=ecdsa --no-text \
	    --outfile "$d/server.key" &&
	"$CERTTOOL" --generate-certificate --load-privkey "$d/server.key" \
	    --load-ca-privkey "$d/ca.key" --load-ca-certificate "$d/ca.pem" \
	    --template "$d/server.tmpl" --no-text --outfile "$d/server.pem"
} >> "$1/certtool.log" 2>&1

# _pebble_config FILE LISTEN MGMT HTTP TLS: Pebble's JSON configuration.
_pebble_config()
{
	local eab=false keys= validity=
	[ -n "${PEBBLE_CERT_VALIDITY:-}" ] &&
		validity="\"certificateValidityPeriod\": $PEBBLE_CERT_VALIDITY,"
	if [ "${PEBBLE_EAB:-0}" = 1 ]; then
		eab=true
		keys=",
    \"externalAccountMACKeys\": {
      \"kid-1\": \"$PEBBLE_EAB_KID1_HMAC\",
      \"kid-2\": \"$PEBBLE_EAB_KID2_HMAC\"
    }"
	fi
	cat > "$1" <<-EOF
	{
	  "pebble": {
	    "listenAddress": "127.0.0.1:$2",
	    "managementListenAddress": "127.0.0.1:$3",
	    "certificate": "$PEBBLE_SCRATCH/server.pem",
	    "privateKey": "$PEBBLE_SCRATCH/server.key",
	    "httpPort": $4,
	    "tlsPort": $5,
	    "ocspResponderURL": "",$validity
	    "externalAccountBindingRequired": $eab$keys
	  }
	}
	EOF
}

# _pebble_env: the VAR=value words for Pebble's environment.
_pebble_env()
{
	local v
	echo "PEBBLE_VA_NOSLEEP=${PEBBLE_VA_NOSLEEP:-1}"
	echo "PEBBLE_WFE_NONCEREJECT=${PEBBLE_WFE_NONCEREJECT:-0}"
	echo "PEBBLE_AUTHZREUSE=${PEBBLE_AUTHZREUSE:-0}"
	for v in PEBBLE_CHAIN_LENGTH PEBBLE_ALTERNATE_ROOTS \
	    PEBBLE_VA_ALWAYS_VALID PEBBLE_WFE_ORDERS_PER_PAGE; do
		[ -z "${!v:-}" ] || echo "$v=${!v}"
	done
}

# _pebble_up: 0 when Pebble's directory and challtestsrv's management and
# DNS ports all answer, 2 when either server has died, 1 otherwise.
_pebble_up()
{
	kill -0 "$_pebble_pid" 2>/dev/null || return 2
	kill -0 "$_challtestsrv_pid" 2>/dev/null || return 2
	curl -fsS --max-time 2 --cacert "$PEBBLE_CA_BUNDLE" -o /dev/null \
	    "$PEBBLE_DIR_URL" 2>/dev/null || return 1
	[ "$(curl -s --max-time 2 -o /dev/null -w '%{http_code}' \
	    "$CHALLTESTSRV_MGMT_URL/")" != 000 ] || return 1
	(exec 3<>"/dev/tcp/${CHALLTESTSRV_DNS%:*}/${CHALLTESTSRV_DNS##*:}") \
	    2>/dev/null || return 1
}

# _pebble_try: one attempt on fresh ports; 0 when both servers answer.
_pebble_try()
{
	local ports rc=1 log
	ports=($("$top_builddir/tests/tools/freeport" 6)) || return 1
	for log in pebble challtestsrv; do
		echo "=== start on ports ${ports[*]}" >> "$PEBBLE_SCRATCH/$log.log"
	done
	PEBBLE_DIR_URL=https://127.0.0.1:${ports[0]}/dir
	PEBBLE_MGMT_URL=https://127.0.0.1:${ports[1]}
	CHALLTESTSRV_MGMT_URL=http://127.0.0.1:${ports[2]}
	CHALLTESTSRV_DNS=127.0.0.1:${ports[3]}
	PEBBLE_HTTP_PORT=${ports[4]}
	PEBBLE_TLS_PORT=${ports[5]}
	_pebble_config "$PEBBLE_SCRATCH/pebble.json" "${ports[0]}" \
	    "${ports[1]}" "$PEBBLE_HTTP_PORT" "$PEBBLE_TLS_PORT"

	# challtestsrv's own challenge listeners stay off: those ports
	# belong to the code under test.
	"$CHALLTESTSRV" -management "127.0.0.1:${ports[2]}" \
	    -dns01 "$CHALLTESTSRV_DNS" -http01 "" -https01 "" -tlsalpn01 "" \
	    -defaultIPv4 127.0.0.1 -defaultIPv6 "" \
	    >> "$PEBBLE_SCRATCH/challtestsrv.log" 2>&1 &
	_challtestsrv_pid=$!
	env $(_pebble_env) "$PEBBLE" -config "$PEBBLE_SCRATCH/pebble.json" \
	    -dnsserver "$CHALLTESTSRV_DNS" >> "$PEBBLE_SCRATCH/pebble.log" 2>&1 &
	_pebble_pid=$!

	_server_wait _pebble_up "${PEBBLE_START_TIMEOUT:-30}" && rc=0
	if [ $rc -ne 0 ]; then
		_pebble_gone "$_pebble_pid" && diag "pebble exited early"
		_pebble_gone "$_challtestsrv_pid" &&
		    diag "pebble-challtestsrv exited early"
	fi
	return $rc
}

# _server_settled UP: ends a wait once UP (0 up, 1 not yet, 2 dead) is
# not 1.
_server_settled()
{
	"$1"
	[ $? -ne 1 ]
}

# _server_wait UP SECS: waits up to SECS for a server to answer or die;
# 0 when UP says it answers.
_server_wait()
{
	wait_for _server_settled "$1" --timeout "$2" && "$1"
}

_server_traps=

# _server_start NAME DIRVAR BUNDLEVAR TRY STOP LOG...: a server's scratch
# folder under tests/tmp (its path in DIRVAR) holding its HTTPS
# certificate (the CA to trust in BUNDLEVAR); STOP runs at exit; then TRY
# (one start on fresh ports) up to three times: a port free when chosen
# may be taken before the server binds it. After a failed try the LOGs
# (names in the scratch folder) are shown as TAP comments and STOP runs.
# 0 once a try succeeds.
_server_start()
{
	local name=$1 dirvar=$2 bundlevar=$3 try=$4 stop=$5 attempt dir log
	shift 5
	mkdir -p "$top_builddir/tests/tmp" &&
	dir=$(mktemp -d "$top_builddir/tests/tmp/$name.XXXXXX") || return 1
	printf -v "$dirvar" %s "$dir"
	printf -v "$bundlevar" %s "$dir/ca.pem"
	if ! _pebble_certs "$dir"; then
		diag "certtool could not make $name's certificate"
		diag_file "$dir/certtool.log"
		return 1
	fi
	case " $_server_traps " in
	*" $stop "*) ;;
	*)	at_exit "$stop"
		_server_traps="$_server_traps $stop" ;;
	esac
	for attempt in 1 2 3; do
		"$try" && return 0
		diag "$name start attempt $attempt failed"
		for log; do
			diag_file "$dir/$log" 8
		done
		"$stop"
	done
	return 1
}

# pebble_start: starts Pebble and challtestsrv and exports their addresses;
# returns 1 (logs shown as TAP comments) when they do not come up.
pebble_start()
{
	_server_start pebble PEBBLE_SCRATCH PEBBLE_CA_BUNDLE _pebble_try \
	    pebble_stop pebble.log challtestsrv.log || return 1
	export PEBBLE_DIR_URL PEBBLE_CA_BUNDLE PEBBLE_MGMT_URL \
	    PEBBLE_HTTP_PORT PEBBLE_TLS_PORT CHALLTESTSRV_MGMT_URL \
	    CHALLTESTSRV_DNS PEBBLE_SCRATCH
}

# _pebble_kill PID: stops one server this harness started and reaps it.
_pebble_kill()
{
	[ -n "$1" ] || return 0
	kill -TERM "$1" 2>/dev/null
	if ! wait_for _pebble_gone "$1" --timeout 10; then
		kill -KILL "$1" 2>/dev/null
	fi
	wait "$1" 2>/dev/null
	return 0
}

# _pebble_gone PID: true once PID has exited; an exited child stays a
# zombie until it is reaped, and kill -0 still finds a zombie.
_pebble_gone()
{
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
	stat=${stat##*) }
	[ "${stat%% *}" = Z ]
}

# pebble_stop: stops the two servers pebble_start started (and nothing
# else); safe to call twice. The scratch dir and its logs stay.
pebble_stop()
{
	_pebble_kill "$_pebble_pid"
	_pebble_kill "$_challtestsrv_pid"
	_pebble_pid=
	_challtestsrv_pid=
}

# pebble_pids: the PIDs of the servers still running (empty when none).
pebble_pids()
{
	echo $_pebble_pid $_challtestsrv_pid
}

# pebble_root_pem FILE: saves the root that issues Pebble's certificates
# (from its management API) to FILE; returns curl's status.
pebble_root_pem()
{
	curl -fsS --max-time 10 --cacert "$PEBBLE_CA_BUNDLE" -o "$1" \
	    "$PEBBLE_MGMT_URL/roots/0"
}
