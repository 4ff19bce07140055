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

# A record that shows up late, as with a slow DNS provider: the hook
# starts a helper that publishes it only once challtestsrv has been asked
# for it twice (its DNS request history), so certdeck must look again
# rather than answer after its first miss (Pebble, asking at once, would
# then find nothing).
LATE=$PEBBLE_SCRATCH/late-hook
cat >"$PEBBLE_SCRATCH/late-publish" <<PUBEOF
#!/bin/bash
# late-publish RECORD VALUE: publishes the record once it was asked for
# twice, looking for at most 60 s.
asked() {
	curl -fsS --max-time 5 -d "{\"host\":\"\$1\"}" \\
	    "$CHALLTESTSRV_MGMT_URL/dns-request-history" 2>/dev/null |
	    grep -o '"Qtype": *16' | wc -l
}
for i in \$(seq 600); do
	[ "\$(asked "\$1")" -ge 2 ] && break
	sleep 0.1
done
echo "published after \$(asked "\$1") questions" >>"$HOOKLOG.late"
exec curl -fsS -o /dev/null -d "{\"host\":\"\$1.\",\"value\":\"\$2\"}" \\
    "$CHALLTESTSRV_MGMT_URL/set-txt"
PUBEOF
cat >"$LATE" <<HOOKEOF
#!/bin/sh
echo "\$1 \$3" >>"$HOOKLOG.late"
case \$1 in
add) setsid /bin/bash "$PEBBLE_SCRATCH/late-publish" "\$3" "\$4" </dev/null >/dev/null 2>&1 &
     exit 0 ;;
del) exec curl -fsS -o /dev/null -d "{\"host\":\"\$3.\"}" "$CHALLTESTSRV_MGMT_URL/clear-txt" ;;
esac
exit 2
HOOKEOF
chmod 0755 "$LATE"
check "a record that appears late: certdeck waits for it" cdk_out "$OUT" issue late \
    -d late.example.test --challenge dns-01 --dns-hook "$LATE" --dns-resolver "$CHALLTESTSRV_DNS" \
    --timeout 30
diag_file "$OUT" 4
diag_file "$HOOKLOG.late" 4
check "late verifies" verify_live late
check "the record was published only after certdeck had looked twice" \
    grep -q '^published after [2-9]' "$HOOKLOG.late"
wait_for grep -q '^del ' "$HOOKLOG.late" --timeout 10
check "and removed afterwards" grep -q '^del _acme-challenge.late.example.test' "$HOOKLOG.late"

# A record that never appears: the bound of the wait (--timeout) ends it
# with a message naming the record, and the del hook still runs.
NEVER=$PEBBLE_SCRATCH/never-hook
printf '#!/bin/sh\necho "$1 $3" >>"%s"\nexit 0\n' "$HOOKLOG.never" >"$NEVER"
chmod 0755 "$NEVER"
cdk_out "$OUT" issue never -d never.example.test --challenge dns-01 --dns-hook "$NEVER" \
    --dns-resolver "$CHALLTESTSRV_DNS" --timeout 3
is "$?" 1 "a record that never appears fails the issuance"
diag_file "$OUT" 3
like "$(cat "$OUT")" "dns-01: _acme-challenge\.never\.example\.test TXT \"[A-Za-z0-9_-]{43}\" is not visible at resolver $CHALLTESTSRV_DNS after 3 s \(it answers: no TXT record\)" \
    "with a message naming the record, its value and the resolver"
wait_for grep -q '^del ' "$HOOKLOG.never" --timeout 10
check "the del hook ran after it" grep -q '^del _acme-challenge.never.example.test' "$HOOKLOG.never"

# Cancelled (SIGTERM) while it waits for the record: the del hook runs
# before the run exits.
: >"$HOOKLOG.never"
"$CERTDECK" "${CDK_ARGS[@]}" issue cancel -d cancel.example.test --challenge dns-01 \
    --dns-hook "$NEVER" --dns-resolver "$CHALLTESTSRV_DNS" >"$OUT" 2>&1 &
pid=$!
at_exit "kill -KILL $pid 2>/dev/null"
check "the run sets its record up" wait_for grep -q '^add _acme-challenge.cancel' \
    "$HOOKLOG.never" --timeout 30
kill -TERM "$pid"
wait "$pid"
is "$?" 1 "SIGTERM ends the run with status 1"
like "$(cat "$OUT")" "interrupted; cancelling and cleaning up" "saying it cleans up"
check "the del hook ran before it exited" grep -q '^del _acme-challenge.cancel.example.test' \
    "$HOOKLOG.never"

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
