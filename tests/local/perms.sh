#!/bin/bash
# perms.sh (RELIABILITY.md case 30): under umask 000 and 077, keys and
# certificates are 0600 and folders 0700; run as root, a group- or
# world-writable configuration file, account key or hook is refused.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/tap.sh"
. "$top_srcdir/tests/local/local-lib.sh"

# modes_ok DIR: every folder under DIR is 0700 and every file 0600 (the
# lock aside); prints the ones that are not.
modes_ok()
{
	local bad
	bad=$(find "$1" \( -type d ! -perm 0700 \) -o \
	    \( -type f ! -name lock ! -perm 0600 \) 2>/dev/null)
	[ -z "$bad" ] || { diag "wrong modes: $(cd "$1" && find . \( -type d ! -perm 0700 \) -o \
	    \( -type f ! -name lock ! -perm 0600 \) -printf '%m %p\n')"; return 1; }
}

for mask in 000 077 022; do
	check "umask $mask: a certificate issues" sh -c "umask $mask && exec \"\$@\" >\"$OUT\" 2>&1" _ \
	    "$CERTDECK" "${CDK_ARGS[@]}" --state "$STATE-$mask" issue u -d u$mask.example.test
	check "umask $mask: keys and certificates 0600, folders 0700" modes_ok "$STATE-$mask"
	check "umask $mask: a renewal keeps them so" sh -c "umask $mask && exec \"\$@\" >/dev/null 2>&1" _ \
	    "$CERTDECK" "${CDK_ARGS[@]}" --state "$STATE-$mask" renew u --force
	check "umask $mask: still 0600 and 0700 after the renewal" modes_ok "$STATE-$mask"
	# A lock readable by others does not expose anything, but it must
	# not be writable by them.
	check "umask $mask: the lock file is writable by its owner only" \
	    test -z "$(find "$STATE-$mask/lock" -perm /022)"
done

if [ "$(id -u)" -ne 0 ]; then
	ok "# SKIP the ownership checks need root"
	done_testing
fi

check "a certificate to renew" cdk_out "$OUT" issue a -d a.example.test

# refused DESC WHAT ARGS...: the run fails (1) and its error names WHAT
# as writable by others.
refused()
{
	local desc=$1 what=$2 rc
	shift 2
	cdk_out "$OUT" "$@"
	rc=$?
	is "$rc" 1 "$desc: refused"
	like "$(cat "$OUT")" "$what.*writable" "$desc: the error names it and why"
	diag_file "$OUT" 1
}

echo 'email = "test@example.com";' >"$CONF"
for m in 0664 0646; do
	chmod "$m" "$CONF"
	refused "a configuration file with mode $m" "$(basename "$CONF")" renew a --force
done
chmod 0644 "$CONF"
check "a configuration file with mode 0644 is read" cdk_out "$OUT" renew a --force

KEY=$(ls "$STATE"/accounts/*/default/key.pem)
for m in 0660 0606; do
	chmod "$m" "$KEY"
	refused "an account key with mode $m" key.pem renew a --force
done
chmod 0600 "$KEY"

HOOK=$PEBBLE_SCRATCH/hook
printf '#!/bin/sh\nexit 0\n' >"$HOOK"
for m in 0775 0757; do
	chmod "$m" "$HOOK"
	refused "a dns-01 hook with mode $m" hook issue h -d h.example.test \
	    --challenge dns-01 --dns-hook "$HOOK"
done
chmod 0755 "$HOOK"
mkdir -p "$PEBBLE_SCRATCH/open"
chmod 0777 "$PEBBLE_SCRATCH/open"
cp "$HOOK" "$PEBBLE_SCRATCH/open/hook"
refused "a hook in a world-writable folder" "open" issue h2 -d h2.example.test \
    --challenge dns-01 --dns-hook "$PEBBLE_SCRATCH/open/hook"

check "a normal run still works" cdk_out "$OUT" renew a --force
check "and the live pair matches" live_pair_ok "$STATE" a

done_testing
