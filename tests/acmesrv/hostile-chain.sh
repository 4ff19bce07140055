#!/bin/bash
# hostile-chain.sh: reliability cases 14-16: chains in the wrong order,
# with duplicates, unrelated certificates or no leaf; PEM carrying a
# private key or another block; a certificate for another key, other names
# or absurd dates. The leaf is found by our key, the chain verified or the
# whole download refused, and on a renewal the old certificate stays live.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/acmesrv/hostile-lib.sh"

URL='https://127\.0\.0\.1:[0-9]+'
hostile_setup
acmesrv_root_pem "$S/root.pem" || bail_out "no root from the server"

# pubkey ARGS...: the public key PEM of --infile CERT or --load-privkey KEY.
pubkey()
{
	"$CERTTOOL" --pubkey-info "$@" 2>/dev/null |
	    sed -n '/BEGIN PUBLIC/,/END PUBLIC/p'
}

verifies()
{
	"$CERTTOOL" --verify --load-ca-certificate "$S/root.pem" \
	    --infile "$STATE/live/$1/fullchain.pem" 2>&1 |
	    grep -q "Chain verification output: Verified"
}

# --- 14: wrong order and duplicates: the leaf found by our key, verified
for sc in chain-reversed chain-duplicates; do
	issue_new "$sc" "c-$sc"
	hostile_works "$sc" 20
	live=$STATE/live/c-$sc
	is "$(pubkey --infile "$live/cert.pem")" \
	    "$(pubkey --load-privkey "$live/privkey.pem")" \
	    "$sc: cert.pem is the leaf for our key"
	check "$sc: fullchain.pem verifies up to the root" verifies "c-$sc"
	is "$(grep -c 'BEGIN CERTIFICATE' "$live/fullchain.pem")" 2 \
	    "$sc: fullchain.pem is the leaf and the intermediate, once each"
done
# unrelated certificates or no leaf: refused; 15: PEM with a private key or
# another block: refused whole. Each line: scenario|name|what|the reason.
while IFS='|' read -r sc name what why; do
	issue_refused "$sc" "$name" "$what" 20 \
	    "certificate from $URL/cert/[0-9]+ refused: certificate chain: $why"
done <<'EOF'
chain-unrelated|c-unrelated|chain with an unrelated root|certificate "CN=unrelated root" is not on the path from the leaf
chain-no-leaf|c-noleaf|chain without a leaf|no certificate for our key among 1
pem-private-key|c-privkey|PEM with a private key|certificate 3: PEM block "PRIVATE KEY" is not a certificate
pem-other-block|c-crl|PEM with a CRL block|certificate 2: PEM block "X509 CRL" is not a certificate
EOF
is "$(grep -rl -e 'X509 CRL' -e 'BEGIN PRIVATE KEY' "$STATE/archive" "$STATE/live" |
    grep -v '/privkey.pem$')" "" \
    "no CRL or private key block in archive/ or live/ but privkey.pem"

# --- 16: a renewal answered with a wrong certificate: refused, old stays live
declare -A why=(
	[cert-other-key]="certificate chain: no certificate for our key among 2"
	[cert-other-names]="check certificate: names differ \(missing c-cert-other-names\.example\.test\): certificate has \[other\.example\.test\]"
	[cert-future]="check certificate: not yet valid: not_before 2090-01-01T00:00:00Z"
	[cert-expired]="check certificate: expired: not_after 2000-12-31T00:00:00Z")
for sc in cert-other-key cert-other-names cert-future cert-expired; do
	healthy_issue "c-$sc"
	hostile "$sc" renew "c-$sc" --force
	hostile_fails "renewal answered with $sc" 20 \
	    "certificate from $URL/cert/[0-9]+ refused: ${why[$sc]}"
	is "$(readlink "$STATE/live/c-$sc")" "../archive/c-$sc/1" \
	    "$sc: the old certificate stays live"
done

hostile_healthy
done_testing
