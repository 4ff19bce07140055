#!/bin/bash
# hostile-json.sh: reliability cases 3, 13 and 22: JSON that does not
# parse (truncated, trailing garbage, 100k-deep, duplicate keys, 1e999,
# invalid UTF-8, \u0000), objects with an unknown, missing or mistyped
# status, and problem details full of terminal control sequences.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/acmesrv/hostile-lib.sh"

URL='https://127\.0\.0\.1:[0-9]+'
hostile_setup

# --- 3: the directory as broken JSON, then a newOrder answer cut short
declare -A why=(
	[truncated]='invalid JSON at line 1 column [0-9]+: premature end of input'
	[trailing]='invalid JSON at line 1 column [0-9]+: end of file expected'
	[deep]='JSON nested deeper than [0-9]+ levels'
	[dupkeys]='invalid JSON .*duplicate object key'
	[huge-number]='invalid JSON .*real number overflow'
	[bad-utf8]='invalid JSON .*unable to decode byte 0xc3'
	[nul]='invalid JSON .*\\u0000 is not allowed')
for label in truncated trailing deep dupkeys huge-number bad-utf8 nul; do
	hostile "json-$label" renew base --force
	hostile_fails "directory JSON $label" 10 "$URL/directory: ${why[$label]}"
done
issue_refused order-truncated j-cut "newOrder JSON cut short" 10 \
    "$URL/new-order: invalid JSON at line [0-9]+ column [0-9]+: premature end"

# --- 13: status unknown, missing or not a string; wrong JSON types
# Each line: scenario|certificate name|what|the error after the CA's URL.
while IFS='|' read -r sc name what why; do
	issue_refused "$sc" "$name" "$what" 10 "$URL/$why"
done <<'EOF'
order-status-unknown|j-bogus|order status "bogus"|new-order: unknown status "bogus"
order-status-missing|j-nostatus|order without status|new-order: no "status" string
order-status-type|j-status5|order status 5|new-order: no "status" string
order-type|j-array|order as an array|new-order: JSON document is not an object
authz-status-unknown|j-almost|authorization status "almost"|authz/[0-9]+: unknown status "almost"
authz-challenges-type|j-chstring|authorization challenges as a string|authz/[0-9]+: authorization has no "challenges" array
EOF

# --- 22: control characters in problem details, shown escaped
esc='\\e\[2J\\e\]52;c;cHduZWQ=\\x07owned\\rfake ok \\u\{009B\}31m\\u\{202E\}txt\.exe'
issue_refused control-detail j-ctl "controls in a newOrder problem" 10 \
    "$URL/new-order \(HTTP 400\): rejectedIdentifier: $esc$"
check "controls in a newOrder problem: no raw ESC, CR, BEL, CSI or RLO" \
    no_raw_controls "$ERR"
issue_new control-authz j-ctlauthz -v
hostile_fails "controls in a challenge error" 10 \
    "authorization for j-ctlauthz\.example\.test is invalid: unauthorized: $esc$"
check "controls in a challenge error: none raw in any line, verbose too" \
    no_raw_controls "$ERR"
check "nor on stdout" no_raw_controls "$OUT"

hostile_healthy
done_testing
