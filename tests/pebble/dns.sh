#!/bin/bash
# dns.sh: dns-01 through a hook program, with pebble-challtestsrv's
# management API as the DNS provider: a wildcard certificate, the record
# awaited at a resolver, removed afterwards; hooks that fail or cannot run.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/tap.sh"
. "$top_srcdir/tests/pebble/pebble.sh"

pebble_start || bail_out "Pebble did not start"
. "$top_srcdir/tests/pebble/cli-lib.sh"
OUT=$PEBBLE_SCRATCH/out
HOOK=$PEBBLE_SCRATCH/dns-hook
HOOKLOG=$PEBBLE_SCRATCH/dns-hook.log

# The user's hook: a program of theirs driving challtestsrv.
dns_hook_write "$HOOK" "$HOOKLOG"

check "issue a wildcard through dns-01" cdk_out "$OUT" issue wild -d '*.wild.example.test' \
    -d wild.example.test --challenge dns-01 --dns-hook "$HOOK" --dns-resolver "$CHALLTESTSRV_DNS"
diag_file "$OUT" 8
check "wild verifies" verify_live wild
like "$("${CERTTOOL:-certtool}" -i --infile "$STATE/live/wild/cert.pem" 2>/dev/null)" \
    'DNSname: \*\.wild\.example\.test' "the certificate holds the wildcard"
is "$(grep -c '^add ' "$HOOKLOG")" 2 "the hook added a record per authorization"
wait_for sh -c "test \$(grep -c '^del ' '$HOOKLOG') -eq 2" --timeout 10
is "$(grep -c '^del ' "$HOOKLOG")" 2 "and removed each afterwards"
like "$(head -n1 "$HOOKLOG")" '^add wild\.example\.test _acme-challenge\.wild\.example\.test [A-Za-z0-9_-]{43} env=add:_acme-challenge\.wild\.example\.test$' \
    "argv and environment carry the name, record and value"

cdk_out "$OUT" issue wild2 -d '*.w2.example.test'
is "$?" 1 "a wildcard without dns-01 is refused"
like "$(cat "$OUT")" "wildcard \*\.w2\.example\.test can only be validated with dns-01" \
    "with a clear error"

# A hook that fails: the issuance fails with its status and output, and
# the clean-up still runs.
BAD=$PEBBLE_SCRATCH/bad-hook
printf '#!/bin/sh\necho "$1 $3" >>"%s"\n[ "$1" = del ] && exit 0\necho "zone is locked" >&2\nexit 3\n' \
    "$HOOKLOG.bad" >"$BAD"
chmod 0755 "$BAD"
cdk_out "$OUT" issue failing -d failing.example.test --challenge dns-01 --dns-hook "$BAD"
is "$?" 1 "a failing hook fails the issuance"
like "$(cat "$OUT")" "exited with status 3: zone is locked" "with its status and output"
wait_for grep -q '^del ' "$HOOKLOG.bad" --timeout 10
check "the del hook ran after the failure" grep -q '^del _acme-challenge.failing' "$HOOKLOG.bad"

chmod 0644 "$BAD"
cdk_out "$OUT" issue noexec -d noexec.example.test --challenge dns-01 --dns-hook "$BAD"
is "$?" 1 "a hook that is not executable is refused"
like "$(cat "$OUT")" "dns-hook.*(not executable|Permission denied)" "and the error says so"
if [ "$(id -u)" -eq 0 ]; then
	chmod 0775 "$BAD"
	cdk_out "$OUT" issue gw -d gw.example.test --challenge dns-01 --dns-hook "$BAD"
	is "$?" 1 "a group-writable hook is refused when running as root"
	like "$(cat "$OUT")" "writable" "and the error says why"
fi

done_testing
