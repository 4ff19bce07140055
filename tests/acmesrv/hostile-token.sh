#!/bin/bash
# hostile-token.sh: reliability case 1: http-01 tokens that would name a
# file outside the webroot, run a shell, or are not tokens at all. Each is
# refused before anything is written (the webroot stays empty), and the
# error names the CA's challenge and shows the token escaped.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/acmesrv/hostile-lib.sh"

hostile_setup
for label in dotdot updir slash hash dollar backtick semicolon space nonascii \
    empty short padded; do
	issue_new "token-$label" "t-$label" --challenge webroot \
	    --webroot "$S/webroot"
	hostile_fails "token $label" 20 \
	    'https://127\.0\.0\.1:[0-9]+/chall/[0-9]+: challenge token ".*" is not base64url of 22 characters or more; refused$'
	check "token $label: the line shows no raw control character" \
	    no_raw_controls "$ERR"
done
# The shell-looking ones appear as they came, and ran nothing.
like "$(cat "$S/token-dollar.err")" 'token "\$\(touch\$\{IFS\}pwned\)A+"' \
    "the \$( token is shown as it came"
like "$(cat "$S/token-nonascii.err")" 'token "A+.*\\u\{202E\}A+"' \
    "the right-to-left override in a token is shown escaped"
is "$(find "$S" -name pwned)" "" "no token ran a command"

# NUL: the JSON layer refuses the authorization that carries it.
issue_new token-nul t-nul --challenge webroot --webroot "$S/webroot"
hostile_fails "token NUL" 20 \
    'https://127\.0\.0\.1:[0-9]+/authz/[0-9]+: invalid JSON .*\\u0000'

hostile_healthy
done_testing
