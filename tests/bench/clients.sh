# clients.sh: how the issuance benchmark drives each client against
# Pebble; sourced by issue.sh once Pebble's variables are known.
#
# Each client CLIENT provides:
#   CLIENT_setup STATE             registers an account in STATE (untimed)
#   CLIENT_issue STATE NAME LOG RES  one certificate for NAME, timed into RES
#   CLIENT_batch STATE PREFIX RES  BATCH_SIZE certificates PREFIX-I.example.test
#   CLIENT_fresh STATE NAME RES    from nothing: registration and certificate
#   CLIENT_cert STATE NAME         prints the file holding NAME's full chain
# RES files hold timed.sh's line: STATUS WALL CPU RSS. Every client answers
# http-01 on 127.0.0.1:PEBBLE_HTTP_PORT and trusts only the system CAs
# plus Pebble's listener CA (PEBBLE_CA_BUNDLE).

# timed RES LOG CMD...: one measured process.
timed()
{
	"$BENCH/timed.sh" "$@"
}

# sum_results RES FILE...: adds runs up into RES: the worst status, the
# total wall and CPU time, the largest peak memory.
sum_results()
{
	local out=$1
	shift
	awk '{ if ($1 > rc) rc = $1; w += $2; c += $3; if ($4 > m) m = $4 }
	    END { printf "%d %.4f %.4f %d\n", rc, w, c, m }' "$@" >"$out"
}

# loop_batch CLIENT STATE PREFIX RES: the usual way for a one-at-a-time
# client: one run per certificate, one after another.
loop_batch()
{
	local i runs=()
	for i in $(seq "$BATCH_SIZE"); do
		"${1}_issue" "$2" "$3-$i.example.test" "$2/issue-$i.log" \
		    "$2/run-$i.res"
		runs+=("$2/run-$i.res")
	done
	sum_results "$4" "${runs[@]}"
}

# --- certdeck: its own responder; a batch is one process -----------------

# CLIENT_args STATE: sets args to the options naming STATE and Pebble.
certdeck_args()
{
	[ -e "$1/empty.conf" ] || printf '# every setting at its default\n' >"$1/empty.conf"
	args=(--config "$1/empty.conf" --state "$1/state"
	    --server "$PEBBLE_DIR_URL" --ca-bundle "$PEBBLE_CA_BUNDLE"
	    --http-port "$PEBBLE_HTTP_PORT" --http-bind 127.0.0.1
	    --email "$EMAIL" --agree-tos)
}

certdeck_setup()
{
	certdeck_args "$1"
	"$CERTDECK" "${args[@]}" account register >"$1/setup.log" 2>&1
}

certdeck_issue()
{
	certdeck_args "$1"
	timed "$4" "$3" "$CERTDECK" "${args[@]}" issue "$2" -d "$2"
}

certdeck_batch()
{
	local i
	for i in $(seq "$BATCH_SIZE"); do
		echo "$2-$i.example.test $2-$i.example.test"
	done >"$1/batch.txt"
	certdeck_args "$1"
	timed "$3" "$1/batch.log" "$CERTDECK" "${args[@]}" \
	    issue --batch "$1/batch.txt"
}

certdeck_fresh()
{
	certdeck_issue "$1" "$2" "$1/issue.log" "$3"
}

certdeck_cert()
{
	echo "$1/state/live/$2/fullchain.pem"
}

# --- certbot: standalone responder; trust through REQUESTS_CA_BUNDLE -----

certbot_args()
{
	args=(--config-dir "$1/etc" --work-dir "$1/work" --logs-dir "$1/logs"
	    --server "$PEBBLE_DIR_URL" --non-interactive)
}

certbot_setup()
{
	certbot_args "$1"
	REQUESTS_CA_BUNDLE=$PEBBLE_CA_BUNDLE certbot "${args[@]}" \
	    register --agree-tos -m "$EMAIL" --no-eff-email >"$1/setup.log" 2>&1
}

certbot_issue()
{
	certbot_args "$1"
	REQUESTS_CA_BUNDLE=$PEBBLE_CA_BUNDLE timed "$4" "$3" \
	    certbot "${args[@]}" certonly --standalone \
	    --http-01-address 127.0.0.1 --http-01-port "$PEBBLE_HTTP_PORT" \
	    --key-type ecdsa --elliptic-curve secp256r1 --agree-tos \
	    -m "$EMAIL" --no-eff-email -d "$2" --cert-name "$2"
}

certbot_batch()
{
	loop_batch certbot "$@"
}

certbot_fresh()
{
	certbot_issue "$1" "$2" "$1/issue.log" "$3"
}

certbot_cert()
{
	echo "$1/etc/live/$2/fullchain.pem"
}

# --- lego: its own responder; trust through LEGO_CA_CERTIFICATES --------
# lego has no command that only registers, so an account is made once
# per Pebble (with a throwaway certificate) and copied into each state.

lego_run()
{
	local state=$1 name=$2 log=$3 res=$4
	LEGO_CA_CERTIFICATES=$PEBBLE_CA_BUNDLE timed "$res" "$log" \
	    lego --accept-tos --email "$EMAIL" --server "$PEBBLE_DIR_URL" \
	    --path "$state/lego" --key-type ec256 --http \
	    --http.port "127.0.0.1:$PEBBLE_HTTP_PORT" -d "$name" run
}

lego_setup()
{
	local acct=$WORK/lego-account-$PEBBLE_HTTP_PORT
	if [ ! -d "$acct/lego/accounts" ]; then
		mkdir -p "$acct"
		lego_run "$acct" "account-$PEBBLE_HTTP_PORT.example.test" \
		    "$1/setup.log" "$acct/res" || return 1
	fi
	mkdir -p "$1/lego" && cp -a "$acct/lego/accounts" "$1/lego/"
}

lego_issue()
{
	lego_run "$@"
}

lego_batch()
{
	loop_batch lego "$@"
}

lego_fresh()
{
	lego_run "$1" "$2" "$1/issue.log" "$3"
}

lego_cert()
{
	echo "$1/lego/certificates/$2.crt"
}

# --- uacme: a hook writes the token into a webroot served by busybox
# httpd; trust only through the system bundle, swapped in a private
# mount namespace for one holding Pebble's CA too --------------------------

_web_pid=

# web_start: serves WORK/webroot on Pebble's http-01 port (untimed: it
# stands for the web server a webroot set-up already runs).
web_start()
{
	mkdir -p "$WORK/webroot"
	[ -n "$_web_pid" ] && return 0
	busybox httpd -f -p "127.0.0.1:$PEBBLE_HTTP_PORT" -h "$WORK/webroot" \
	    >"$WORK/httpd.log" 2>&1 &
	_web_pid=$!
	wait_for web_up --timeout 10 || die "busybox httpd did not start"
}

web_up()
{
	[ "$(curl -s --max-time 1 -o /dev/null -w '%{http_code}' \
	    "http://127.0.0.1:$PEBBLE_HTTP_PORT/")" != 000 ]
}

# web_stop: stops the web server, so the next client can bind the port.
web_stop()
{
	[ -n "$_web_pid" ] || return 0
	kill "$_web_pid" 2>/dev/null
	wait "$_web_pid" 2>/dev/null
	_web_pid=
}

# uacme_ns CMD...: CMD with the system bundle replaced by BUNDLE, seen by
# CMD alone.
uacme_ns()
{
	local sys=/etc/ssl/certs/ca-certificates.crt bundle=$WORK/bundle.pem
	if [ "$_uacme_bundle_for" != "$PEBBLE_CA_BUNDLE" ]; then
		cat "$sys" "$PEBBLE_CA_BUNDLE" >"$bundle" 2>/dev/null ||
		    cat "$PEBBLE_CA_BUNDLE" >"$bundle" || return 1
		_uacme_bundle_for=$PEBBLE_CA_BUNDLE
	fi
	[ -e "$sys" ] || die "$sys is missing: uacme would trust nothing"
	# shellcheck disable=SC2016 # the inner shell expands its own arguments
	BENCH_WEBROOT=$WORK/webroot unshare -m -- sh -c \
	    'mount --bind "$1" "$2" && shift 2 && exec "$@"' sh "$bundle" "$sys" "$@"
}
_uacme_bundle_for=

uacme_args()
{
	args=(-c "$1/uacme" -a "$PEBBLE_DIR_URL" -t EC -b 256)
}

uacme_setup()
{
	uacme_args "$1"
	uacme_ns uacme "${args[@]}" -y new "$EMAIL" >"$1/setup.log" 2>&1
}

uacme_issue()
{
	local rc
	web_start
	uacme_args "$1"
	uacme_ns "$BENCH/timed.sh" "$4" "$3" uacme "${args[@]}" \
	    -h "$BENCH/uacme-hook.sh" issue "$2"
	rc=$?
	web_stop
	return $rc
}

uacme_batch()
{
	loop_batch uacme "$@"
}

uacme_fresh()
{
	uacme_args "$1"
	uacme_ns "$BENCH/timed.sh" "$1/new.res" "$1/new.log" \
	    uacme "${args[@]}" -y new "$EMAIL"
	uacme_issue "$1" "$2" "$1/issue.log" "$1/issue.res"
	[ -s "$1/issue.res" ] || echo "1 0 0 0" >"$1/issue.res"
	sum_results "$3" "$1/new.res" "$1/issue.res"
}

uacme_cert()
{
	echo "$1/uacme/$2/cert.pem"
}
