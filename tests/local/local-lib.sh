# local-lib.sh: what the local-fault suites (RELIABILITY.md cases 26-35)
# share. Sourced after tap.sh: starts Pebble unless a harness already did
# (tests/tui/ui-lib.sh), loads the command-line helpers, and adds store
# checks.

# (LOCAL_NO_PEBBLE=1: a suite that needs no CA.)
if [ -z "${PEBBLE_SCRATCH:-}" ] && [ -z "${LOCAL_NO_PEBBLE:-}" ]; then
	. "$top_srcdir/tests/pebble/pebble.sh"
	pebble_start || bail_out "Pebble did not start"
	# One binary for the whole suite, even if the tree is rebuilt while
	# these long suites run.
	if [ -z "${CERTDECK:-}" ]; then
		cp "$top_builddir/certdeck" "$PEBBLE_SCRATCH/certdeck" &&
		    "$PEBBLE_SCRATCH/certdeck" --version >/dev/null 2>&1 ||
		    bail_out "no working certdeck to test"
		CERTDECK=$PEBBLE_SCRATCH/certdeck
	fi
	. "$top_srcdir/tests/pebble/cli-lib.sh"
fi
[ -z "${PEBBLE_SCRATCH:-}" ] || OUT=$PEBBLE_SCRATCH/out

# todo DESC WHY: a check written as the behaviour should be that does not
# hold yet: reported as a TAP TODO (seen, but not failing the suite).
todo()
{
	_tap_count=$((_tap_count + 1))
	echo "not ok $_tap_count - $1 # TODO $2"
}

# pub_of KIND FILE: the public key of a private key (KIND key) or of a
# certificate (KIND cert) as PEM, or nothing when FILE does not parse.
pub_of()
{
	if [ "$1" = key ]; then
		"${CERTTOOL:-certtool}" --pubkey-info --no-text --load-privkey "$2" 2>/dev/null
	else
		"${CERTTOOL:-certtool}" --pubkey-info --no-text --load-certificate "$2" 2>/dev/null
	fi
}

# live_pair_ok STATE NAME: live/NAME is absent, or its key and certificate
# are a matching pair (the same public key, neither empty).
live_pair_ok()
{
	local d=$1/live/$2 k c
	[ -e "$d" ] || [ -L "$d" ] || return 0
	k=$(pub_of key "$d/privkey.pem")
	c=$(pub_of cert "$d/cert.pem")
	if [ -z "$k" ] || [ "$k" != "$c" ]; then
		diag "live/$2: key and certificate do not match"
		return 1
	fi
}

# no_empty_files DIR: no zero-byte file in DIR (the lock file aside).
no_empty_files()
{
	local bad
	bad=$(find "$1" -type f -size 0 ! -path "$1/lock" 2>/dev/null)
	[ -z "$bad" ] || { diag "empty files: $bad"; return 1; }
}

# no_temp_files DIR: no temporary file or folder left in DIR.
no_temp_files()
{
	local bad
	bad=$(find "$1" -name '.certdeck-tmp-*' 2>/dev/null)
	[ -z "$bad" ] || { diag "temporary files: $bad"; return 1; }
}

# tree_sum DIR [SUB...]: one line per regular file and symlink under DIR
# (or only under its SUB folders): path, then content hash or link
# target; sorted, so equal sums mean equal trees.
tree_sum()
{
	local d=$1
	shift
	(cd "$d" && find "${@:-.}" \( -type f -o -type l \) ! -name lock | sort |
	    while read -r f; do
		if [ -L "$f" ]; then
			echo "$f -> $(readlink "$f")"
		else
			echo "$f $(sha256sum <"$f")"
		fi
	    done)
}

# same_tree DIR SUMFILE: DIR still holds exactly what tree_sum saved.
same_tree()
{
	local now
	now=$(tree_sum "$1")
	[ "$now" = "$(cat "$2")" ] && return 0
	diag "the tree changed:"
	diff <(cat "$2") <(echo "$now") | sed 's/^/#   /' | head -n 20
	return 1
}

# has_escape FILE: FILE holds an ESC byte (a terminal control sequence).
has_escape()
{
	LC_ALL=C grep -q $'\033' "$1"
}
