#!/bin/bash
# hostile-order.sh: reliability cases 2 and 10-12: a directory that lacks
# endpoints or offers http: ones, changed terms of service, orders and
# authorizations that never finish, that fail with subproblems, and orders
# whose names or authorizations are not those asked for.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/acmesrv/hostile-lib.sh"

URL='https://127\.0\.0\.1:[0-9]+'
hostile_setup

# --- 2: the directory, and terms of service changed under a headless renew
hostile dir-no-neworder renew base --force
hostile_fails "directory without newNonce and newOrder" 10 \
    "$URL/directory: \"newNonce\" is missing"
hostile dir-http renew base --force
hostile_fails "directory with http: endpoints" 10 \
    "$URL/directory: \"newNonce\" is not an https URL"
hostile terms-changed renew base --force
hostile_fails "terms of service changed, headless renew" 10 \
    "$URL/new-order \(HTTP 403\): userActionRequired: the terms of service have changed"
like "$ERRLINE" "$URL/terms/v2" "terms of service changed: the new terms are named"
TODO=

# --- 10: stuck orders and authorizations: bounded wait, order kept, clean-up
issue_refused order-stuck-processing o-processing "order stuck processing (--timeout 5)" 20 \
    "order processing: still not done after 5 s; the order is kept and the next run resumes it"
like "$(cat "$STATE/orders/o-processing.json" 2>&1)" "\"$URL/order/[0-9]+\"" \
    "order stuck processing: the order URL is kept to resume"
issue_new authz-stuck-pending o-pending --challenge webroot --webroot "$S/webroot"
hostile_fails "authorization stuck pending (--timeout 5, webroot)" 20 \
    "authorization: still not done after 5 s; the order is kept and the next run resumes it"
like "$(cat "$STATE/orders/o-pending.json" 2>&1)" "\"$URL/order/[0-9]+\"" \
    "authorization stuck pending: the order URL is kept to resume"
is "$(find "$S/webroot" -type f)" "" \
    "authorization stuck pending: the challenge file is removed"
issue_refused authz-stuck-pending o-pending2 "authorization stuck pending (--timeout 5, responder)" 20 \
    "authorization: still not done after 5 s"

# --- 11: invalid, with subproblems: per-name explanation, no tight retry
n0=$(count new_order)
hostile order-invalid issue o-invalid -d a.example.test -d b.example.test --timeout 5
hostile_fails "order invalid with subproblems" 10 \
    "$URL/order/[0-9]+ is invalid: rejectedIdentifier: some names are refused \(a\.example\.test: rejectedIdentifier: a\.example\.test is on a block list.*b\.example\.test: rejectedIdentifier: b\.example\.test is on a block list"
is "$(( $(count new_order) - n0 ))" 1 "order invalid: no new order tried"
n0=$(count new_order)
issue_refused authz-invalid o-authz "authorization invalid with subproblems" 10 \
    "authorization for o-authz\.example\.test is invalid: unauthorized: o-authz\.example\.test: validation failed \(o-authz\.example\.test: dns: no A record for o-authz\.example\.test\)"
is "$(( $(count new_order) - n0 ))" 1 "authorization invalid: no new order tried"

# --- 12: names or authorizations not those asked for: never finalized
for sc in order-idents-changed order-idents-added; do
	f0=$(count finalize)
	issue_new "$sc" "o-$sc"
	hostile_fails "$sc" 10 \
	    "$URL/order/[0-9]+: order holds identifier [a-z.]+ that was not asked for"
	is "$(( $(count finalize) - f0 ))" 0 "$sc: never finalized"
done
f0=$(count finalize)
issue_new order-authzs-changed o-authzs
is "$RC" 1 "authorizations changed: exit status 1"
like "$ERRLINE" "$URL/order/[0-9]+: .*authorization" \
    "authorizations changed: the error says what and where"
is "$(( $(count finalize) - f0 ))" 0 "authorizations changed: never finalized"
TODO=
hostile_after "authorizations changed" 10

hostile_healthy
done_testing
