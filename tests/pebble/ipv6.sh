#!/bin/bash
# ipv6.sh: IPv6 address identifiers (RFC 8738): a certificate for ::1
# through http-01 and through tls-alpn-01, the built-in responders
# listening on ::1, and one certificate for 127.0.0.1 and ::1 together;
# each carries iPAddress SANs and verifies against Pebble's root.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/tap.sh"

# The loopback must have ::1 (a kernel booted with ipv6.disable=1, or a
# container without IPv6, has none).
if ! ip -6 addr show dev lo 2>/dev/null | grep -q 'inet6 ::1/128'; then
	echo "1..0 # SKIP no ::1 on the loopback interface"
	exit 0
fi

. "$top_srcdir/tests/pebble/pebble.sh"

pebble_start || bail_out "Pebble did not start"
. "$top_srcdir/tests/pebble/cli-lib.sh"
OUT=$PEBBLE_SCRATCH/out

# ip_sans NAME: the live certificate's iPAddress SANs, sorted, one a line.
ip_sans()
{
	"${CERTTOOL:-certtool}" -i --infile "$STATE/live/$1/cert.pem" 2>/dev/null |
	    sed -n 's/^[[:space:]]*IPAddress: *//p' | sort
}

# port_free PORT: nothing listens on TCP PORT any more.
port_free()
{
	! ss -Hltn "sport = :$1" | grep -q .
}

# --- http-01 for ::1, the built-in responder on ::1 only
check "issue for ::1 through http-01" cdk_out "$OUT" --http-bind ::1 \
    issue loop6 -d ::1
diag_file "$OUT" 6
like "$(cat "$OUT")" "http-01 \(built-in responder\)" "the built-in http-01 responder answered"
check "loop6 verifies against Pebble's root" verify_live loop6
is "$(ip_sans loop6)" "::1" "the certificate carries ::1 as an iPAddress SAN"
is "$(san_count loop6)" 1 "and no other name"
check "the responder's port is free again" port_free "$PEBBLE_HTTP_PORT"

# The same name with the responder on 127.0.0.1 only: Pebble connects to
# [::1] and finds nothing, so the address really is validated over IPv6.
cdk_out "$OUT" issue wrongbind -d ::1
is "$?" 1 "a responder on 127.0.0.1 only cannot answer for ::1"
diag_file "$OUT" 2
like "$(cat "$OUT")" "::1.*(connection|refused|Connection)" \
    "the CA's error names ::1 and the refused connection"
check "nothing was issued for it" test ! -e "$STATE/live/wrongbind"

# --- tls-alpn-01 for ::1 (the responder answers the ip6.arpa SNI)
check "issue for ::1 through tls-alpn-01" cdk_out "$OUT" --http-bind ::1 \
    issue alpn6 -d ::1 --challenge tls-alpn-01 --tls-port "$PEBBLE_TLS_PORT"
diag_file "$OUT" 6
like "$(cat "$OUT")" "tls-alpn-01 \(built-in responder\)" "the tls-alpn-01 responder answered"
check "alpn6 verifies against Pebble's root" verify_live alpn6
is "$(ip_sans alpn6)" "::1" "the certificate carries ::1 as an iPAddress SAN"
check "the TLS port is free again" port_free "$PEBBLE_TLS_PORT"

# --- 127.0.0.1 and ::1 in one certificate: one responder must answer on
# both loopbacks, so it listens on every address ("" is the default).
check "issue for 127.0.0.1 and ::1 together" cdk_out "$OUT" --http-bind "" \
    issue both -d 127.0.0.1 -d ::1
diag_file "$OUT" 8
check "both verifies against Pebble's root" verify_live both
is "$(ip_sans both | tr '\n' ' ')" "127.0.0.1 ::1 " "it carries both addresses as iPAddress SANs"
is "$(san_count both)" 2 "and nothing else"
cdk_out "$OUT" show both --json
like "$(tr -d ' \n' <"$OUT")" '"domains":\["127\.0\.0\.1","::1"\]' \
    "show lists both addresses"

check "no empty or temporary files in the store" no_bad_files "$STATE"
done_testing
