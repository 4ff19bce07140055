#!/bin/bash
# hostile-http.sh: reliability cases 4-9 and 17-19: endless bodies, HTML
# where JSON belongs, missing and malformed nonces, a badNonce storm, 429
# and 503 with every form of Retry-After, a proxy's 502 and 504, huge and
# hostile Link headers, redirects, and connections cut mid-body.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/acmesrv/hostile-lib.sh"

URL='https://127\.0\.0\.1:[0-9]+'
hostile_setup

# --- 4: bodies that never end, stopped at the cap
hostile huge-body renew base --force
hostile_fails "endless directory" 20 "$URL/directory: response body exceeds 1048576 bytes"
issue_refused endless-cert h-endless "endless certificate" 20 \
    "$URL/cert/[0-9]+: response body exceeds 1048576 bytes"

# --- 5: a captive portal's HTML with status 200
hostile html-200 renew base --force
hostile_fails "HTML 200" 10 \
    "$URL/directory: expected application/json, got text/html: \"<html><body><h1>Welcome to the hotel"

# --- 6: no Replay-Nonce, or a malformed one: a fresh one is fetched
n0=$(count nonce)
issue_new nonce-missing h-nononce
hostile_works "no Replay-Nonce" 20
check "no Replay-Nonce: fresh nonces were fetched" test "$(count nonce)" -gt "$n0"
n0=$(count nonce)
issue_new nonce-malformed h-badnonce
hostile_works "malformed Replay-Nonce" 20
check "malformed Replay-Nonce: fresh nonces were fetched" test "$(count nonce)" -gt "$n0"

# --- 7: a badNonce storm: bounded retries, then a clear error
n0=$(count new_order)
hostile bad-nonce-storm renew base --force
hostile_fails "badNonce storm" 20 \
    "$URL/new-order \(HTTP 400\): badNonce: JWS has an invalid anti-replay nonce; gave up after 21 tries \(20 retries\)$"
# The bound is exactly 20 retries (engine/job.h JOB_BADNONCE_RETRIES; see
# CASES.md for why 20): the server saw the first try and every retry.
tries=$(( $(count new_order) - n0 ))
is "$tries" 21 "badNonce storm: exactly 21 tries reached the server (one and 20 retries)"

# --- 8: 429 and 503, Retry-After in seconds, HTTP-date, past, garbage, 1e12
for status in 429 503; do
	for ra in seconds date past garbage huge; do
		what="$status Retry-After $ra"
		healthy_issue "rl-$status-$ra"
		n0=$(count new_order)
		t0=$(date +%s)
		hostile "ratelimit-$status-$ra" renew "rl-$status-$ra" --force
		hostile_fails "$what" 20 \
		    "$URL/new-order \(HTTP $status\): .*too many new orders"
		is "$(( $(count new_order) - n0 ))" 1 "$what: no retry within the run"
		like "$ERRLINE" "try again after [0-9-]+ [0-9:]+ UTC$" \
		    "$what: the error says when to try again"
		at=$(json_get "$STATE/certs/rl-$status-$ra.json" retry_after)
		check "$what: a next attempt time saved (${at:-none}), ahead and under a year" \
		    test "${at:-0}" -gt "$t0" -a "${at:-0}" -lt $((t0 + 366 * 86400))
		TODO=
	done
done
at=$(json_get "$STATE/certs/rl-429-seconds.json" retry_after)
check "Retry-After: 120 is kept as about 120 s" \
    test "$at" -ge $((t0 - 60)) -a "$at" -le $(( $(date +%s) + 130 ))

# --- 9: a proxy's HTML 502 and 504: transient, escaped, nothing lost
hostile html-502 renew base --force
hostile_fails "HTML 502" 10 \
    "$URL/new-order: HTTP 502 \(text/html\): \"<html><head><title>502 Bad Gateway</title></head>\\\\e\[2J<body>"
check "HTML 502: the ESC in the page is not printed raw" no_raw_controls "$ERR"
hostile html-504 renew base --force
hostile_fails "HTML 504" 10 "$URL/new-order: HTTP 504 \(text/html\): \"<html><body>504 Gateway Time-out"

# --- 17: many hostile Link entries; a Link header past the caps
issue_new link-many h-links
hostile_works "1201 Link alternates (http:, relative, absurd)" 20
hostile link-big renew base --force
hostile_fails "an 80 kB Link header" 10 "$URL/directory: response headers exceed 65536 bytes"
hostile link-huge renew base --force
like "$ERRLINE" "$URL/directory: .*header" "a 200 kB Link header: the error names the header"
TODO=
hostile_fails "a 200 kB Link header" 10 "$URL/directory: "

# --- 18: redirects on signed requests are not followed
for r in loop http other; do
	hostile "redirect-$r" renew base --force
	hostile_fails "redirect ($r)" 10 "$URL/new-order: .*302"
done

# --- 19: connections cut mid-body
hostile cut-directory renew base --force
hostile_fails "directory cut mid-body" 10 \
    "$URL/directory: Failure when receiving data from the peer"
f0=$(count finalize)
o0=$(count order)
issue_new cut-finalize h-cutfin
hostile_works "finalize answered with a cut body" 20
is "$(( $(count finalize) - f0 ))" 1 "cut finalize: finalize was posted once"
check "cut finalize: the order was read again instead" \
    test "$(count order)" -gt "$o0"

hostile_healthy
done_testing
