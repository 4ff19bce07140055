#!/bin/bash
# names.sh (RELIABILITY.md case 33): invalid names are refused before any
# CA is asked (the runs point at a closed port: a run that got as far as
# the network would fail naming it instead), names at the exact limits
# are issued, and an IDN is issued as its A-label and shown both ways.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/tap.sh"
. "$top_srcdir/tests/local/local-lib.sh"
# Port 1: nothing here listens on it, and unlike a port freeport found
# free, no parallel suite's server can take it and no connection can get
# it as its own source port (a socket connected to itself never fails).
CLOSED=https://127.0.0.1:1/dir
# A run that hangs fails its checks in a minute instead of the suite's
# whole time limit.
CDK_LIMIT="timeout -k 5 60"

# refused DESC REGEX NAME...: 'issue' for these names against the closed
# port fails, says REGEX, and never reached the network.
refused()
{
	local desc=$1 re=$2 args=() n rc
	shift 2
	for n in "$@"; do
		args+=(-d "$n")
	done
	$CDK_LIMIT "$CERTDECK" "${CDK_ARGS[@]}" --server "$CLOSED" issue bad "${args[@]}" >"$OUT" 2>&1
	rc=$?
	check "$desc: refused" test "$rc" -ne 0
	like "$(cat "$OUT")" "$re" "$desc: the error says why"
	check "$desc: the CA was never asked" sh -c "! grep -qF '127.0.0.1:1/' '$OUT'"
}

l63=$(printf '%063d' 0 | tr 0 a)
l50=$(printf '%050d' 0 | tr 0 b)
refused "an empty label" "name 'a\.\.example\.test': empty label" a..example.test
refused "a leading empty label" "empty label" .a.example.test
refused "a 64-character label" "label of 64 characters \(at most 63\)" "${l63}c.example.test"
long="$l50.$l50.$l50.$l50.$l50.example.test"
refused "a name of ${#long} characters" "longer than 253 characters" "$long"
refused "'*.*.x'" "a wildcard is allowed only as the whole first label" '*.*.x.example.test'
refused "'foo*.x'" "a wildcard is allowed only as the whole first label" 'foo*.example.test'
refused "an underscore" "underscores are not allowed in a host name" a_b.example.test
refused "an empty name" "empty name" ""
refused "a duplicate by case" "the same name as dup\.example\.test" dup.example.test DUP.Example.TEST
refused "a duplicate through its IDN" "the same name as xn--bcher-kva\.example\.test" \
    bücher.example.test xn--bcher-kva.example.test
refused "a bad A-label" "not a valid IDN A-label" xn--zz.example.test

# A wildcard without dns-01 cannot succeed: it must be refused before the
# directory is fetched, like every other local mistake.
$CDK_LIMIT "$CERTDECK" "${CDK_ARGS[@]}" --server "$CLOSED" issue bad -d '*.w.example.test' >"$OUT" 2>&1
is "$?" 1 "a wildcard with http-01 is refused"
check "a wildcard with http-01: refused before the CA is asked" \
    sh -c "grep -q 'can only be validated with dns-01' '$OUT' && ! grep -qF '127.0.0.1:1/' '$OUT'"
# Against the real CA it is still refused, with the reason.
cdk_out "$OUT" issue wild -d '*.w.example.test'
like "$(cat "$OUT")" "can only be validated with dns-01" "against Pebble too, saying why"
check "and nothing was stored for it" test ! -e "$STATE/live/wild"

# The exact limits are names like any other.
check "a 63-character label issues" cdk_out "$OUT" issue l63 -d "$l63.example.test"
diag_file "$OUT" 1
# A name of exactly 253 characters passes the local checks: the run goes
# on to the CA (here the closed port). Pebble's own resolver cannot look
# up names that long, so it is not issued.
long=$(printf '%s.' "$l63" "$l63" "$l63" "$l50")$(printf '%05d' 0 | tr 0 c).test
is "${#long}" 253 "the long name has 253 characters"
$CDK_LIMIT "$CERTDECK" "${CDK_ARGS[@]}" --server "$CLOSED" issue long -d "$long" >"$OUT" 2>&1
like "$(cat "$OUT")" "directory: https://127\.0\.0\.1:1/dir" "a 253-character name passes the local checks"

# IDNs: issued as the A-label, shown both ways.
check "an IDN issues" cdk_out "$OUT" issue buch -d bücher.example.test
check "buch verifies" verify_live buch
like "$("${CERTTOOL:-certtool}" -i --infile "$STATE/live/buch/cert.pem" 2>/dev/null)" \
    "DNSname: xn--bcher-kva\.example\.test" "its SAN is the A-label"
"$CERTDECK" "${CDK_ARGS[@]}" show buch >"$OUT" 2>&1
like "$(grep '^domains:' "$OUT")" "xn--bcher-kva\.example\.test" "show gives the A-label"
like "$(grep '^domains:' "$OUT")" "bücher\.example\.test" "and the U-label"
is "$(grep '^domains:' "$OUT")" "domains:      bücher.example.test (xn--bcher-kva.example.test)" \
    "on one line: the U-label, then the A-label"
check "an IDN given as its A-label renews the same certificate" \
    cdk_out "$OUT" renew buch --force
like "$(cat "$OUT")" "buch renewed" "the renewal went through"

done_testing
