#!/bin/bash
# cli-forms.sh: the command-line forms of http-01 through a web root.
# `--challenge http-01 --webroot DIR` (issue 4's form), the options the
# other way round, and `--webroot DIR` alone all answer through files that
# another web server serves; --webroot with another challenge is a usage
# error.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/tap.sh"
. "$top_srcdir/tests/pebble/pebble.sh"

pebble_start || bail_out "Pebble did not start"
. "$top_srcdir/tests/pebble/cli-lib.sh"
OUT=$PEBBLE_SCRATCH/out
WEBROOT=$PEBBLE_SCRATCH/www
WWWLOG=$PEBBLE_SCRATCH/www.log

# A web server that is not certdeck holds the validation port, the one
# --http-port names: had certdeck started its built-in responder there, it
# could not have bound it and the issuance would fail.
web_serve "$WEBROOT" || bail_out "the test web server did not start"

# served_tokens: how many challenge files the web server has served.
served_tokens() { grep -c 'GET /\.well-known/acme-challenge/[A-Za-z0-9_-]* HTTP[^"]*" 200' "$WWWLOG"; }

# webroot_issue NAME ARGS...: issues NAME with ARGS; passes when it
# succeeded through the web root: the webroot method named in the log,
# one more token served by the web server, the file removed afterwards.
webroot_issue()
{
	local name=$1 before
	shift
	before=$(served_tokens)
	cdk_out "$OUT" issue "$name" -d "$name.example.test" "$@" || {
		diag_file "$OUT" 6
		return 1
	}
	grep -q "http-01 (webroot)" "$OUT" || { diag "no webroot step"; diag_file "$OUT" 6; return 1; }
	[ "$(served_tokens)" -gt "$before" ] || { diag "the web server served no token"; return 1; }
	[ "$(find "$WEBROOT/.well-known/acme-challenge" -type f | wc -l)" -eq 0 ] ||
	    { diag "a challenge file was left"; return 1; }
	verify_live "$name"
}

check "--challenge http-01 --webroot DIR validates through the web root" \
    webroot_issue rfc --challenge http-01 --webroot "$WEBROOT"
check "--webroot DIR --challenge http-01 (the other order) does too" \
    webroot_issue reversed --webroot "$WEBROOT" --challenge http-01
check "--webroot DIR alone does too" webroot_issue alone --webroot "$WEBROOT"
check "--challenge webroot --webroot DIR, the older name, still works" \
    webroot_issue older --challenge webroot --webroot "$WEBROOT"
check "a renewal keeps answering through the web root" cdk_out "$OUT" renew rfc --force
like "$(cat "$OUT")" "http-01 \(webroot\)" "the renewal used the web root"

# A definition with a web root: an explicit --challenge http-01 on the
# command line does not trade its web root for the built-in responder.
cat >"$CONF" <<CONFEOF
certificates = ( { name = "defined"; domains = [ "defined.example.test" ];
    webroot = "$WEBROOT"; } );
CONFEOF
before=$(served_tokens)
check "renew --challenge http-01 of a definition with a web root succeeds" \
    cdk_out "$OUT" renew defined --challenge http-01
like "$(cat "$OUT")" "http-01 \(webroot\)" "  through the definition's web root"
check "  whose server served the token" test "$(served_tokens)" -gt "$before"

# Without --webroot, http-01 means the built-in responder: with the port
# held by the web server it cannot listen, so the run fails. This shows
# the checks above could fail.
cdk_out "$OUT" issue builtin -d builtin.example.test --challenge http-01
is "$?" 1 "plain --challenge http-01 uses the built-in responder (its port is busy)"
kill "$WEB_PID"; wait "$WEB_PID" 2>/dev/null

# --webroot with a challenge that is not http-01: a usage error in one
# line, whichever option comes first, before any CA is asked.
for form in "--challenge tls-alpn-01 --webroot $WEBROOT" \
    "--webroot $WEBROOT --challenge tls-alpn-01" \
    "--webroot $WEBROOT --challenge dns-01"; do
	# shellcheck disable=SC2086 # the form is split on purpose
	cdk issue bad -d bad.example.test $form >"$OUT" 2>"$OUT.err"
	is "$?" 2 "'$form' is a usage error"
	is "$(wc -l <"$OUT.err")" 1 "  said in one line"
	like "$(cat "$OUT.err")" "^certdeck: --webroot answers http-01 through files; it cannot go with --challenge (tls-alpn-01|dns-01)$" \
	    "  which names the conflict"
	is "$(cat "$OUT")" "" "  and nothing else was done"
done

done_testing
