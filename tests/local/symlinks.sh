#!/bin/bash
# symlinks.sh (RELIABILITY.md cases 29 and 27's stale challenge files):
# symlinks planted in the webroot (the acme-challenge folder, the token's
# own name) and in the state folder (live/NAME, certs, orders, an
# account's key.pem). Each is refused or replaced, never followed: nothing
# outside changes, and only what certdeck created is removed.
# tests/pebble/challenges.sh covers a symlinked .well-known.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/tap.sh"
. "$top_srcdir/tests/local/local-lib.sh"
WEBROOT=$PEBBLE_SCRATCH/www
CHALL=$WEBROOT/.well-known/acme-challenge
OUTSIDE=$PEBBLE_SCRATCH/outside
OUTSUM=$PEBBLE_SCRATCH/outside.sum
mkdir -p "$CHALL" "$OUTSIDE"
echo "precious" >"$OUTSIDE/precious"
tree_sum "$OUTSIDE" >"$OUTSUM"

# A web server that is not certdeck holds the validation port.
/usr/bin/python3 -m http.server --bind 127.0.0.1 --directory "$WEBROOT" \
    "$PEBBLE_HTTP_PORT" >"$PEBBLE_SCRATCH/www.log" 2>&1 &
www=$!
at_exit "kill $www 2>/dev/null; wait $www 2>/dev/null"
echo hello >"$WEBROOT/index.html"
web_up() { curl -fsS -o /dev/null "http://127.0.0.1:$PEBBLE_HTTP_PORT/index.html" 2>/dev/null; }
wait_for web_up --timeout 20 || bail_out "the test web server did not start"

stopped_pids=
at_exit 'kill -KILL $stopped_pids 2>/dev/null'

# outside_same: nothing under OUTSIDE changed.
outside_same()
{
	same_tree "$OUTSIDE" "$OUTSUM"
}

check "a first certificate through the webroot" cdk_out "$OUT" issue site \
    -d site.example.test --webroot "$WEBROOT"
is "$(ls -A "$CHALL")" "" "its challenge file was removed"

# The acme-challenge folder itself a symlink to a folder outside.
rmdir "$CHALL"
ln -s "$OUTSIDE" "$CHALL"
cdk_out "$OUT" issue trap1 -d trap1.example.test --webroot "$WEBROOT"
is "$?" 1 "a symlinked acme-challenge folder fails the issuance"
like "$(cat "$OUT")" "acme-challenge.*symlink" "the error names the folder and why"
check "nothing was written through it" outside_same
check "the planted symlink is still there" test -L "$CHALL"
rm "$CHALL"
mkdir "$CHALL"

# stop_and_kill NAME: a webroot issuance of NAME stopped once its
# challenge file is written, then killed.
stop_and_kill()
{
	local pid
	CERTDECK_TEST_STOP_AT=challenge-set "$CERTDECK" "${CDK_ARGS[@]}" issue "$1" \
	    -d "$1.example.test" --webroot "$WEBROOT" >"$PEBBLE_SCRATCH/$1.log" 2>&1 &
	pid=$!
	stopped_pids="$stopped_pids $pid"
	wait_for proc_stopped "$pid" --timeout 30 || return 1
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null
	return 0
}

# A run killed once its challenge file is in place leaves it behind; the
# next run takes it over and removes it (RELIABILITY.md 27).
check "a webroot run stops with its challenge file written, killed" stop_and_kill stale
token=$(ls "$CHALL")
like "$token" '^[A-Za-z0-9_-]{22,}$' "the killed run left its token file"
echo "planted" >"$OUTSIDE/token-target"
tree_sum "$OUTSIDE" >"$OUTSUM"
echo "not ours" >"$CHALL/unrelated.txt"

# Someone replaces the token file with a symlink to a file outside; the
# next run resumes the order and must not write or remove through it.
rm "$CHALL/$token"
ln -s "$OUTSIDE/token-target" "$CHALL/$token"
cdk_out "$OUT" issue stale -d stale.example.test --webroot "$WEBROOT"
rc=$?
diag_file "$OUT" 3
check "the file behind a symlink at the token's name is untouched" outside_same
is "$rc" 1 "a symlink at the token's name fails the run"
like "$(tail -n1 "$OUT")" "acme-challenge: $token: is a symbolic link \(refused\)" \
    "the error names the token's file and why"
check "a file certdeck did not create stays" test -f "$CHALL/unrelated.txt"
rm -f "$CHALL/$token"

check "a second webroot run stops at challenge-set, killed" stop_and_kill stale2
token=$(ls "$CHALL" | grep -v unrelated)
check "the next run completes the killed one" cdk_out "$OUT" issue stale2 \
    -d stale2.example.test --webroot "$WEBROOT"
check "the stale challenge file is gone" test ! -e "$CHALL/$token"
is "$(ls -A "$CHALL")" "unrelated.txt" "only what certdeck created was removed"
kill "$www"
wait "$www" 2>/dev/null

# State folder traps: each planted symlink points at OUTSIDE.
# trap_state DESC LINK TARGET ARGS...: plants LINK -> TARGET, runs ARGS;
# the run must fail (1), name a symlink, write nothing outside, and leave
# the planted link in place.
trap_state()
{
	local desc=$1 link=$2 target=$3 rc
	shift 3
	# What the refusal must say: the planted path, then a reason.
	: "${WHY:=${link//./\\.}: .*(symbolic link|symlink|refused)}"
	mkdir -p "$(dirname "$link")"
	ln -s "$target" "$link"
	tree_sum "$OUTSIDE" >"$OUTSUM"
	cdk_out "$OUT" "$@"
	rc=$?
	is "$rc" 1 "$desc: refused"
	like "$(tail -n1 "$OUT")" "$WHY" "$desc: the error names the path and why"
	diag_file "$OUT" 1
	check "$desc: nothing written through it" outside_same
	check "$desc: the planted symlink stays" test -L "$link"
	rm -f "$link"
	WHY=
}

trap_state "a symlink at live/NAME" "$STATE/live/lv" "$OUTSIDE" \
    issue lv -d lv.example.test
rm -rf "$STATE/archive/lv" "$STATE/certs/lv.json"
check "after the trap at live/, the name issues normally" cdk_out "$OUT" issue lv -d lv.example.test
check "and its live pair matches" live_pair_ok "$STATE" lv

mv "$STATE/certs" "$STATE/certs.real"
trap_state "STATE/certs a symlink" "$STATE/certs" "$OUTSIDE" \
    issue c1 -d c1.example.test
mv "$STATE/certs.real" "$STATE/certs"

mv "$STATE/orders" "$STATE/orders.real"
trap_state "STATE/orders a symlink" "$STATE/orders" "$OUTSIDE" \
    issue o1 -d o1.example.test
mv "$STATE/orders.real" "$STATE/orders"

key=$(ls "$STATE"/accounts/*/default/key.pem)
cp "$key" "$OUTSIDE/key.pem"
mv "$key" "$key.real"
trap_state "an account's key.pem a symlink" "$key" "$OUTSIDE/key.pem" \
    issue k1 -d k1.example.test
mv "$key.real" "$key"

check "the store works again once the traps are gone" cdk_out "$OUT" issue fine -d fine.example.test
check "no empty or temporary file in the store" no_bad_files "$STATE"

done_testing
