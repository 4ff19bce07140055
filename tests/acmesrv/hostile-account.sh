#!/bin/bash
# hostile-account.sh: reliability cases 23-25: badSignatureAlgorithm
# pushing weaker algorithms, accounts that need EAB, come without a
# Location, are deactivated or "exist" already, and a CA whose Date header
# is days away from this machine's clock.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/acmesrv/hostile-lib.sh"

URL='https://127\.0\.0\.1:[0-9]+'
hostile_setup
KEY=$(echo "$STATE"/accounts/*/default/key.pem)
ACCT=$(dirname "$KEY")/account.json
cp "$ACCT" "$S/account.json"

key_kept()
{
	check "$1: the account key is byte-identical" cmp -s "$KEY" "$S/account-key.pem"
	check "$1: the account record is byte-identical" cmp -s "$ACCT" "$S/account.json"
}

# --- 23: badSignatureAlgorithm offering none, HS256, RS1: no downgrade
hostile bad-sig-alg renew base --force
hostile_fails "badSignatureAlgorithm" 10 \
    "$URL/new-order \(HTTP 400\): badSignatureAlgorithm: use one of the algorithms listed"
algs=$(counts | grep -o '"alg [^"]*"' | sort -u | tr '\n' ' ')
is "$algs" '"alg ES256" ' "badSignatureAlgorithm: every request signed ES256"
check "badSignatureAlgorithm: a bounded number of requests" \
    test "$(count new_order)" -le 3
key_kept "badSignatureAlgorithm"

# --- 24: account edge cases
hostile eab-required issue a-eab -d a-eab.example.test --account eab
hostile_fails "EAB required" 10 \
    "$URL/new-account \(HTTP 400\): externalAccountRequired: this CA needs an external account binding"
key_kept "EAB required"
hostile account-no-location issue a-noloc -d a-noloc.example.test --account noloc
hostile_fails "new account without Location" 10 "$URL/new-account: .*Location"
key_kept "new account without Location"
hostile account-deactivated renew base --force
hostile_fails "deactivated account" 10 \
    "$URL/new-order \(HTTP 401\): unauthorized: account is deactivated"
key_kept "deactivated account"
hostile account-exists issue a-exists -d a-exists.example.test --account exists
hostile_works "newAccount says the account exists" 20
key_kept "newAccount says the account exists"
for k in "$STATE"/live/*/privkey.pem; do
	check "account key is not the key of $(basename "$(dirname "$k")")" \
	    ! cmp -s "$k" "$KEY"
done

# --- 25: the CA's clock three days away: a warning, never a renewal loop
for sc in date-ahead date-behind; do
	issue_new "$sc" "a-$sc"
	hostile_works "$sc: issuance" 20
	like "$(cat "$ERR")" "warn: this machine's clock is (259199|259200|259201) s (behind|ahead of) the CA's" \
	    "$sc: a warning about the clock"
	n0=$(count new_order)
	for run in 1 2; do
		hostile "$sc" renew "a-$sc"
		is "$RC" 3 "$sc: renew run $run: exit status 3, nothing due"
		like "$(cat "$OUT")" "a-$sc is not due: renewal planned for" \
		    "$sc: renew run $run: says it is not due"
		hostile_after "$sc: renew run $run" 10
	done
	is "$(( $(count new_order) - n0 ))" 0 "$sc: the fresh certificate is not renewed"
	is "$(readlink "$STATE/live/a-$sc")" "../archive/a-$sc/1" "$sc: still version 1"
done

hostile_healthy
done_testing
