#!/bin/bash
# hostile-tls.sh: reliability cases 20 and 21: a slow-loris CA and a
# trickling one, and a CA whose HTTPS certificate is untrusted, expired or
# for another host.
#
# The slow runs last as long as certdeck's low-speed window (under 100
# bytes a second for 30 s; CASES.md says why the window is not shorter).

. "${top_srcdir:-$(dirname "$0")/../..}/tests/acmesrv/hostile-lib.sh"

URL='https://127\.0\.0\.1:[0-9]+'
hostile_setup

# --- 21: the CA's TLS certificate: untrusted, expired, wrong host
CA_BUNDLE=$S/other-ca.pem
"$CERTTOOL" --generate-privkey --key-type=ecdsa --no-text \
    --outfile "$S/other-ca.key" 2>/dev/null
printf 'cn = "another CA"\nca\ncert_signing_key\nexpiration_days = 7\n' > "$S/other-ca.tmpl"
"$CERTTOOL" --generate-self-signed --load-privkey "$S/other-ca.key" \
    --template "$S/other-ca.tmpl" --no-text --outfile "$CA_BUNDLE" 2>/dev/null
hostile none renew base --force
hostile_fails "CA certificate from an untrusted issuer" 10 \
    "$URL/directory: .*server certificate verification failed"
like "$ERRLINE" "verification failed.*: The certificate is NOT trusted\. The certificate issuer is unknown\.$" \
    "untrusted issuer: GnuTLS's reason follows libcurl's"
unset CA_BUNDLE

# tls_cert NAME TEMPLATE: a certificate for the server from the test CA.
tls_cert()
{
	printf '%b' "$2" > "$S/$1.tmpl"
	"$CERTTOOL" --generate-certificate --load-privkey "$S/server.key" \
	    --load-ca-privkey "$S/ca.key" --load-ca-certificate "$S/ca.pem" \
	    --template "$S/$1.tmpl" --no-text --outfile "$S/$1.pem" \
	    >> "$S/certtool.log" 2>&1 &&
	acmesrv_mgmt /tls "{\"cert\": \"$S/$1.pem\", \"key\": \"$S/server.key\"}" >/dev/null
}
check "the server now shows an expired certificate" tls_cert expired \
    'cn = "localhost"\nip_address = "127.0.0.1"\ntls_www_server\nsigning_key\nactivation_date = "2001-01-01 00:00:00"\nexpiration_date = "2001-02-01 00:00:00"\n'
hostile none renew base --force
hostile_fails "expired CA certificate" 10 \
    "$URL/directory: .*server certificate verification failed"
like "$ERRLINE" "verification failed.*: The certificate is NOT trusted\. The certificate chain uses expired certificate\.$" \
    "expired: GnuTLS's reason follows libcurl's"
check "expired: the issuer is known and the name matches" \
    ! grep -Eq "issuer is unknown|does not match the expected" <<< "$ERRLINE"
check "the server now shows a certificate for another host" tls_cert wronghost \
    'cn = "wrong.example.test"\ndns_name = "wrong.example.test"\ntls_www_server\nsigning_key\nexpiration_days = 7\n'
hostile none renew base --force
hostile_fails "CA certificate for another host" 10 \
    "$URL/directory: .*(does not match|hostname|host name)"
like "$ERRLINE" "does not match target host name .*: The certificate is NOT trusted\. The name in the certificate does not match the expected\.$" \
    "wrong host: GnuTLS's reason is shown"
check "wrong host: the issuer is known and the dates are good" \
    ! grep -Eq "issuer is unknown|expired" <<< "$ERRLINE"
check "the server's own certificate again" tls_cert good \
    'cn = "localhost"\nip_address = "127.0.0.1"\ntls_www_server\nsigning_key\nexpiration_days = 7\n'

# --- 20: slow-loris: stopped by the low-speed limit, not waited out
hostile slow-loris renew base --force
hostile_fails "slow-loris directory" 45 \
    "$URL/directory: Timeout was reached|$URL/directory: .*too slow"
check "slow-loris: not given up before the 30 s window ($MS ms)" \
    test "$MS" -ge 29000

# A trickle at 40 bytes a second, faster than 1 B/s: cut by the low-speed
# rate (100 B/s) at the 30 s window, not waited out to the 60 s total.
hostile slow-trickle renew base --force
hostile_fails "trickling directory" 45 \
    "$URL/directory: Timeout was reached: Operation too slow\. Less than 100 bytes/sec"
check "trickle: not given up before the 30 s window ($MS ms)" \
    test "$MS" -ge 29000

hostile_healthy
done_testing
