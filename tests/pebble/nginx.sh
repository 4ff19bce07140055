#!/bin/bash
# nginx.sh: renewal proven on the wire. A real nginx (Debian's) on a
# loopback port serves the deploy copies of a certificate from Pebble;
# `certdeck renew`, run as the timer runs it, renews it, copies it, reloads
# nginx and sees the new certificate served. With the reload broken the
# copies change but nginx keeps the old certificate: the probe says stale,
# the record says so, and the webhook hears of it.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/tap.sh"
. "$top_srcdir/tests/pebble/pebble.sh"

NGINX=${NGINX:-/usr/sbin/nginx}
[ -x "$NGINX" ] || { echo "1..0 # SKIP no nginx (apt-get install nginx-light)"; exit 0; }

# Five days: with renew_days = 30 below, every certificate is due at once.
PEBBLE_CERT_VALIDITY=432000 pebble_start || bail_out "Pebble did not start"
. "$top_srcdir/tests/pebble/cli-lib.sh"
. "$top_srcdir/tests/pebble/webhook-lib.sh"
OUT=$PEBBLE_SCRATCH/out
HOOKLOG=$PEBBLE_SCRATCH/webhook.log
webhook_start "$HOOKLOG" || bail_out "the webhook receiver did not start"

# --- nginx, a plain process of this test, everything in its folder
NG=$PEBBLE_SCRATCH/ng
mkdir -p "$NG"
NGPORT=$("$top_builddir/tests/tools/freeport" 1)
cat >"$NG/nginx.conf" <<CONF
pid $NG/nginx.pid;
error_log $NG/error.log;
worker_processes 1;
events { worker_connections 64; }
http {
	access_log $NG/access.log;
	client_body_temp_path $NG/body;
	proxy_temp_path $NG/proxy;
	fastcgi_temp_path $NG/fastcgi;
	uwsgi_temp_path $NG/uwsgi;
	scgi_temp_path $NG/scgi;
	server {
		listen 127.0.0.1:$NGPORT ssl;
		server_name www.example.test;
		ssl_certificate $NG/fullchain.pem;
		ssl_certificate_key $NG/key.pem;
		return 200 "ok\n";
	}
}
CONF
NGARGS=(-p "$NG/" -c "$NG/nginx.conf" -e "$NG/error.log")
# Until certdeck deploys one, nginx serves a certificate of its own.
cp "$PEBBLE_SCRATCH/server.pem" "$NG/fullchain.pem"
cp "$PEBBLE_SCRATCH/server.key" "$NG/key.pem"
"$NGINX" "${NGARGS[@]}" -g 'daemon off;' >"$NG/stdout" 2>&1 &
ngpid=$!
at_exit "kill $ngpid 2>/dev/null; wait $ngpid 2>/dev/null"
ng_up() { ss -ltn "sport = :$NGPORT" | grep -q LISTEN; }
wait_for ng_up --timeout 20 || { diag_file "$NG/error.log"; bail_out "nginx did not start"; }

RELOAD=$NG/reload
printf '#!/bin/sh\nexec "%s" -p "%s/" -c "%s/nginx.conf" -e "%s/error.log" -s reload\n' \
    "$NGINX" "$NG" "$NG" "$NG" >"$RELOAD"
chmod 0755 "$RELOAD"
# conf RELOAD: the configuration, with RELOAD as the reload command.
conf()
{
	cat >"$CONF" <<-CONF
	renew_days = 30;
	notify_webhook = "$WEBHOOK_URL";
	certificates = (
	  { name = "www"; domains = [ "www.example.test" ];
	    deploy_fullchain = "$NG/fullchain.pem"; deploy_key = "$NG/key.pem";
	    reload = [ "$1" ];
	    endpoints = ( { address = "127.0.0.1:$NGPORT"; } ); }
	);
	CONF
}
conf "$RELOAD"

# served_pem: the leaf nginx serves now, as PEM, read by GnuTLS's own
# client: a witness independent of certdeck's probe.
served_pem()
{
	gnutls-cli --no-ca-verification --sni-hostname www.example.test \
	    -p "$NGPORT" --print-cert 127.0.0.1 </dev/null 2>/dev/null |
	    sed -n '/-----BEGIN CERTIFICATE-----/,/-----END CERTIFICATE-----/p;/-----END/q'
}
leaf_pem() { sed -n '1,/-----END CERTIFICATE-----/p' "$1"; }
serves() { [ "$(served_pem)" = "$(leaf_pem "$1")" ]; }

# --- issue: deployed, reloaded, and the probe after the deploy says served
check "issue www with copies, a reload and an endpoint" cdk_out "$OUT" issue www
diag_file "$OUT" 4
like "$(cat "$OUT")" "probed: 127.0.0.1:$NGPORT \(www.example.test\): served: version 1" \
    "after the deploy, the probe sees version 1 served"
check "nginx does serve the stored certificate" serves "$STATE/archive/www/1/cert.pem"

# --- renew as the timer runs it
cdk_out "$OUT" renew --all --quiet
is "$?" 0 "renew --all: the certificate was due and is renewed (exit 0)"
diag_file "$OUT" 4
is "$(readlink "$STATE/live/www")" "../archive/www/2" "version 2 is current"
check "the copy is version 2" cmp "$NG/fullchain.pem" "$STATE/archive/www/2/fullchain.pem"
check "nginx was reloaded and serves version 2" wait_for serves "$STATE/archive/www/2/cert.pem"
cdk_out "$OUT" probe
is "$?" 0 "probe: exit 0, the endpoint serves the current certificate"
diag_file "$OUT" 3
like "$(cat "$OUT")" "www +127.0.0.1:$NGPORT +www.example.test +served +version 2" \
    "one line: name, address, SNI, state, what is served"
cdk_out "$OUT" probe --json www
like "$(tr -d ' \n' <"$OUT")" "\"name\":\"www\",\"address\":\"127.0.0.1:$NGPORT\",\"sni\":\"www.example.test\",\"state\":\"served\"" \
    "probe --json says the same"
is "$(grep -c . "$HOOKLOG" 2>/dev/null || echo 0)" 0 "nobody was notified"

# --- the reload broken: the copies change, nginx keeps the old certificate
conf /bin/false
cdk_out "$OUT" renew www
is "$?" 1 "renew with a failing reload exits 1"
diag_file "$OUT" 6
is "$(readlink "$STATE/live/www")" "../archive/www/3" "version 3 is stored"
check "the copy is version 3" cmp "$NG/fullchain.pem" "$STATE/archive/www/3/fullchain.pem"
check "but nginx still serves version 2" serves "$STATE/archive/www/2/cert.pem"
like "$(cat "$OUT")" "127.0.0.1:$NGPORT \(www.example.test\): stale: serves version 2, current is 3" \
    "the probe after the deploy says stale, and which version is served"
like "$(tr -d ' \n' <"$STATE/certs/www.json")" "\"endpoints\":\[\{\"address\":\"127.0.0.1:$NGPORT\",\"sni\":\"www.example.test\",\"state\":\"stale\"" \
    "the record says stale"
cdk_out "$OUT" show www
like "$(cat "$OUT")" "endpoints: +127\.0\.0\.1:$NGPORT \(SNI www\.example\.test\): stale: serves version 2, current is 3" \
    "show lists the endpoint and its state"
cdk_out "$OUT" show www --json
like "$(tr -d ' \n' <"$OUT")" "\"endpoints\":\[\{\"address\":\"127.0.0.1:$NGPORT\",\"sni\":\"www.example.test\",\"state\":\"stale\"" \
    "and so does show --json"
like "$(cat "$HOOKLOG")" "\"certificate\":\"www\",\"event\":\"endpoint\",\"message\":\"127.0.0.1:$NGPORT \(www.example.test\) stale: serves version 2, current is 3" \
    "the webhook got the stale endpoint, with what it serves"
: >"$HOOKLOG"
cdk_out "$OUT" probe www
is "$?" 1 "probe: exit 1 while the endpoint is stale"
like "$(cat "$OUT")" "www +127.0.0.1:$NGPORT +www.example.test +stale +serves version 2, current is 3" \
    "and says so on its line"
like "$(cat "$HOOKLOG")" '"event":"endpoint"' "an on-demand probe finding it stale notifies too"

PROM=$PEBBLE_SCRATCH/certdeck.prom
cdk_out "$OUT" --metrics-file "$PROM" probe www
if command -v promtool >/dev/null; then
	check "the metrics file after a probe passes promtool" promtool check metrics <"$PROM"
else
	not_ok "promtool checks the metrics (promtool is missing: tools/deps.sh test installs prometheus)"
fi
EP="name=\"www\",endpoint=\"127.0.0.1:$NGPORT\",sni=\"www.example.test\""
check "the metrics say the endpoint does not serve the current certificate" \
    grep -qxF "certdeck_endpoint_served{$EP} 0" "$PROM"
check "and that it is stale" grep -qxF "certdeck_endpoint_state{$EP,state=\"stale\"} 1" "$PROM"
check "and not served" grep -qxF "certdeck_endpoint_state{$EP,state=\"served\"} 0" "$PROM"

# --- nginx down: unreachable
kill "$ngpid"; wait "$ngpid" 2>/dev/null
cdk_out "$OUT" probe www
is "$?" 1 "probe: exit 1 when nginx is down"
like "$(cat "$OUT")" "www +127.0.0.1:$NGPORT +www.example.test +unreachable +probe 127.0.0.1:$NGPORT" \
    "unreachable, with the reason"
cdk_out "$OUT" probe nosuch
is "$?" 2 "probe of a certificate without endpoints: usage error (exit 2)"

done_testing
