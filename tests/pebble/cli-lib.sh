# cli-lib.sh: helpers for the suites that drive the certdeck command line
# against Pebble. Sourced after tap.sh and pebble.sh, once Pebble is up.

CERTDECK=${CERTDECK:-$top_builddir/certdeck}
STATE=$PEBBLE_SCRATCH/state
CONF=$PEBBLE_SCRATCH/certdeck.conf
# A comment: a deliberate file of defaults (an empty one is warned about).
printf '# certdeck test configuration: every setting at its default\n' >"$CONF"

# The options that point certdeck at this run's Pebble, responder on loopback.
CDK_ARGS=(--config "$CONF" --state "$STATE" --server "$PEBBLE_DIR_URL"
    --ca-bundle "$PEBBLE_CA_BUNDLE" --http-port "$PEBBLE_HTTP_PORT"
    --http-bind 127.0.0.1 --email test@example.com --agree-tos)

# cdk ARGS...: certdeck against this run's Pebble, under
# $CERTDECK_WRAPPER when set (e.g. valgrind, for CI's leak check).
cdk()
{
	$CERTDECK_WRAPPER "$CERTDECK" "${CDK_ARGS[@]}" "$@"
}

# cdk_out FILE ARGS...: runs cdk with stdout+stderr in FILE; returns its status.
cdk_out()
{
	local out=$1
	shift
	cdk "$@" >"$out" 2>&1
}

ROOT_PEM=$PEBBLE_SCRATCH/root.pem

# verify_live NAME: the live full chain verifies against Pebble's root.
verify_live()
{
	[ -s "$ROOT_PEM" ] || pebble_root_pem "$ROOT_PEM" || return 1
	"${CERTTOOL:-certtool}" --verify --load-ca-certificate "$ROOT_PEM" \
	    --infile "$STATE/live/$1/fullchain.pem" >"$PEBBLE_SCRATCH/verify.log" 2>&1 &&
	    grep -q "Chain verification output: Verified" "$PEBBLE_SCRATCH/verify.log"
}

# root_cn PEM: the common name of the certificate in PEM (a root's name).
root_cn()
{
	"${CERTTOOL:-certtool}" -i --infile "$1" 2>/dev/null |
	    sed -n 's/^[[:space:]]*Subject: .*CN=\([^,]*\).*/\1/p' | head -n1
}

# verify_with NAME ROOT: the live full chain of NAME verifies against the
# root certificate in file ROOT (one of a CA's several roots).
verify_with()
{
	"${CERTTOOL:-certtool}" --verify --load-ca-certificate "$2" \
	    --infile "$STATE/live/$1/fullchain.pem" 2>&1 |
	    grep -q "Chain verification output: Verified"
}

# san_count NAME: how many DNS/IP names the live certificate carries.
san_count()
{
	"${CERTTOOL:-certtool}" -i --infile "$STATE/live/$1/cert.pem" 2>/dev/null |
	    grep -cE '^[[:space:]]+(DNSname|IPAddress):'
}

# json_field FILE KEY: the value of a top-level string or number in FILE.
json_field()
{
	sed -n "s/^  \"$2\": \"\{0,1\}\([^\",]*\)\"\{0,1\},\{0,1\}\$/\1/p" "$1" | head -n1
}

# cert_status SERIAL_HEX: Pebble's view of a certificate, from its
# management API (leading zeros dropped, as Pebble prints serials).
cert_status()
{
	local serial
	serial=$(printf '%s' "$1" | sed 's/^0*//')
	curl -fsS --max-time 10 --cacert "$PEBBLE_CA_BUNDLE" \
	    "$PEBBLE_MGMT_URL/cert-status-by-serial/$serial"
}

# no_bad_files DIR: no empty file, no leftover temporary file in DIR.
no_bad_files()
{
	local bad
	bad=$(find "$1" -type f ! -path "$1/lock" \( -size 0 -o -name '.*' \) 2>/dev/null)
	[ -z "$bad" ] || { diag "bad files: $bad"; return 1; }
}

# proc_stopped PID: true when PID is stopped (SIGSTOP).
proc_stopped()
{
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	[ "${stat%% *}" = T ]
}

# dns_hook_write HOOK LOG: writes HOOK, a user's dns-01 hook that drives
# pebble-challtestsrv's management API and logs each call to LOG. certdeck
# runs it with execve, never through a shell.
dns_hook_write()
{
	cat >"$1" <<HOOKEOF
#!/bin/sh
# \$0 add|del FQDN RECORD_NAME VALUE
echo "\$1 \$2 \$3 \$4 env=\$CERTDECK_ACTION:\$CERTDECK_RECORD" >>"$2"
case \$1 in
add) exec curl -fsS -o /dev/null -d "{\"host\":\"\$3.\",\"value\":\"\$4\"}" "$CHALLTESTSRV_MGMT_URL/set-txt" ;;
del) exec curl -fsS -o /dev/null -d "{\"host\":\"\$3.\"}" "$CHALLTESTSRV_MGMT_URL/clear-txt" ;;
esac
exit 2
HOOKEOF
	chmod 0755 "$1"
}

# web_serve DIR: a web server that is not certdeck (python's) serves DIR
# on the validation port, as a site's own server would for the webroot
# method; its PID in WEB_PID, its access log in $PEBBLE_SCRATCH/www.log;
# stopped at exit. Fails when it does not answer within 20 s.
web_up() { curl -fsS -o /dev/null "http://127.0.0.1:$PEBBLE_HTTP_PORT/index.html" 2>/dev/null; }
web_serve()
{
	mkdir -p "$1"
	echo hello >"$1/index.html"
	/usr/bin/python3 -m http.server --bind 127.0.0.1 --directory "$1" \
	    "$PEBBLE_HTTP_PORT" >"$PEBBLE_SCRATCH/www.log" 2>&1 &
	WEB_PID=$!
	at_exit "kill $WEB_PID 2>/dev/null; wait $WEB_PID 2>/dev/null"
	wait_for web_up --timeout 20
}
