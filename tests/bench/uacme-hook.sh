#!/bin/sh
# uacme-hook.sh: uacme's challenge hook for the issuance benchmark.
#
# uacme calls it as: uacme-hook.sh METHOD TYPE IDENT TOKEN KEYAUTH
# For http-01 it writes KEYAUTH to BENCH_WEBROOT/.well-known/acme-challenge/
# TOKEN on "begin" and removes it on "done" or "failed"; a small web server
# started by the bench serves that folder on Pebble's http-01 port. Any
# other challenge type is declined (status 1), so uacme picks http-01.
# The token is checked as base64url before it names a file.

[ $# -eq 5 ] || { echo "usage: $0 method type ident token auth" >&2; exit 85; }
[ -n "${BENCH_WEBROOT:-}" ] || { echo "$0: BENCH_WEBROOT is not set" >&2; exit 1; }
[ "$2" = http-01 ] || exit 1
case $4 in
'' | *[!A-Za-z0-9_-]*)
	echo "$0: refused token" >&2
	exit 1
	;;
esac

dir=$BENCH_WEBROOT/.well-known/acme-challenge
case $1 in
begin)
	mkdir -p "$dir" && printf '%s' "$5" >"$dir/$4"
	;;
done | failed)
	rm -f "$dir/$4"
	;;
*)
	exit 1
	;;
esac
