#!/bin/bash
# diskfull.sh (RELIABILITY.md case 26): a renewal whose store writes fail.
# A small tmpfs holds the state folder and is filled to leave 0, 1, 2...
# pages free, so ENOSPC meets each write of a renewal in turn; the same
# with no inode free; RLIMIT_FSIZE gives a real EFBIG at each file size;
# libfiu's fiu-run returns EIO from every fsync, then from fsyncs at random. After
# every failure: exit status 1 and a line naming the path and the reason,
# the earlier files byte-identical, no temporary file, the live pair
# intact; and once there is room, the next run succeeds.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/tap.sh"
. "$top_srcdir/tests/local/local-lib.sh"
DISK=$PEBBLE_SCRATCH/disk
FILL=$DISK/fill
SUM=$PEBBLE_SCRATCH/sum

# The state folder on a 1 MiB tmpfs of its own (root only).
mkdir -p "$DISK"
if mount -t tmpfs -o size=1m,nr_inodes=400,mode=0700 certdeck-test "$DISK" 2>/dev/null; then
	at_exit "umount '$DISK' 2>/dev/null"
	TMPFS=1
else
	TMPFS=
fi
STATE=$DISK/state
CDK_ARGS=(--config "$CONF" --state "$STATE" --server "$PEBBLE_DIR_URL"
    --ca-bundle "$PEBBLE_CA_BUNDLE" --http-port "$PEBBLE_HTTP_PORT"
    --http-bind 127.0.0.1 --email test@example.com --agree-tos)

check "a certificate to renew" cdk_out "$OUT" issue a -d a.example.test

# fill_to PAGES: the filler takes all but PAGES pages of the tmpfs.
fill_to()
{
	local avail bsize
	rm -f "$FILL"
	read -r avail bsize <<<"$(stat -f -c '%a %S' "$DISK")"
	head -c $(((avail - $1) * bsize)) /dev/zero >"$FILL" 2>/dev/null
}

# use_inodes LEFT: files take every inode of the tmpfs but LEFT.
use_inodes()
{
	local free i
	rm -rf "$DISK/inodes"
	mkdir "$DISK/inodes"
	free=$(stat -f -c '%d' "$DISK")
	for i in $(seq 1 $((free - $1))); do
		: >"$DISK/inodes/$i" 2>/dev/null || break
	done
}

# failed_clean REASON: the last run failed with status 1 and one line
# naming a path in the store and REASON, and left the store as it was.
# Prints what did not hold.
failed_clean()
{
	local rc=$1 reason=$2
	[ "$rc" -eq 1 ] || echo "status $rc, not 1"
	grep -Eq "failed: .*$STATE/[^ ]*: .*$reason|failed: .*$reason" "$OUT" ||
	    echo "no line naming the reason: $(tail -n1 "$OUT")"
	# A new version may be complete in archive/ without being live;
	# every earlier file must still be there as it was.
	[ -z "$(kept_sum | comm -13 - "$SUM")" ] || echo "earlier files changed"
	json_ok "$STATE/certs/a.json" || echo "certs/a.json is not whole"
	no_temp_files "$STATE" >/dev/null || echo "temporary files left"
	no_empty_files "$STATE" >/dev/null || echo "empty files left"
	live_pair_ok "$STATE" a >/dev/null || echo "live pair broken"
}

# kept_sum: the files a failed renewal must leave byte-identical: keys,
# certificates and accounts. (certs/NAME.json records the failure and
# orders/ the order in flight, so both may change; live/NAME may already
# name the new, complete version, which live_pair_ok checks.)
kept_sum()
{
	tree_sum "$STATE" archive accounts
}

# json_ok FILE: FILE is one whole JSON document.
json_ok()
{
	python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$1" 2>/dev/null
}

# step_faults DESC REASON SETUP MAX: runs SETUP N then a renewal, for
# N = 0, 1... until a renewal succeeds (at most MAX); each failing one
# must fail cleanly. Sets FAILS (how many failed) and WHERE (the distinct
# failing paths).
step_faults()
{
	local desc=$1 reason=$2 setup=$3 max=$4 n rc bad
	FAILS=0
	WHERE=
	for n in $(seq 0 "$max"); do
		kept_sum >"$SUM"
		$setup "$n"
		cdk_out "$OUT" renew a --force
		rc=$?
		$setup off
		if [ $rc -eq 0 ]; then
			break
		fi
		FAILS=$((FAILS + 1))
		WHERE="$WHERE $(sed -n 's/.*failed: [^ ]*\/state\/\([^:]*\): .*/\1/p' "$OUT" |
		    sed 's/[0-9][0-9]*/N/g; s/\.certdeck-tmp-[0-9a-f]*/TMP/')"
		bad=$(failed_clean "$rc" "$reason")
		if [ -n "$bad" ]; then
			not_ok "$desc at step $n: fails cleanly"
			diag "$bad"
			diag_file "$OUT" 3
			return
		fi
	done
	ok "$desc: $FAILS renewals failed cleanly, each at its own write"
	is "$rc" 0 "$desc: the renewal succeeds once there is room"
	live_pair_ok "$STATE" a && verify_live a
	check "$desc: the new live pair verifies" test $? -eq 0
	diag "failing writes:$(echo "$WHERE" | tr ' ' '\n' | sort -u | tr '\n' ' ')"
}

# pages N|off: leaves N pages free on the tmpfs; off frees the filler.
pages()
{
	if [ "$1" = off ]; then rm -f "$FILL"; else fill_to "$1"; fi
}

# inodes N|off: leaves N inodes free; off frees them.
inodes()
{
	if [ "$1" = off ]; then rm -rf "$DISK/inodes"; else use_inodes "$1"; fi
}

if [ -n "$TMPFS" ]; then
	step_faults "disk full" "No space left on device" pages 40
	check "disk full hit several different writes" test "$FAILS" -ge 3
	step_faults "no inode free" "No space left on device" inodes 40
	check "inode exhaustion hit several different writes" test "$FAILS" -ge 2
else
	ok "# SKIP disk full: tmpfs cannot be mounted (not root)"
fi

# fsize N|off: the renewal runs with RLIMIT_FSIZE at N KiB + 1 (EFBIG,
# a real error from write(2), at each file larger than that).
FSIZE=
fsize()
{
	if [ "$1" = off ]; then FSIZE=; else FSIZE=$(($1 + 1)); fi
}
cdk_fsize()
{
	if [ -n "$FSIZE" ]; then
		(ulimit -f "$FSIZE"; cdk "$@")
	else
		cdk "$@"
	fi
}
# cdk_out goes through cdk: route it through the limit for this part.
cdk_out()
{
	local out=$1
	shift
	cdk_fsize "$@" >"$out" 2>&1
}
step_faults "file size limit" "File too large" fsize 8
check "the file size limit hit at least one write" test "$FAILS" -ge 1

# EIO through libfiu: every fsync fails, then fsyncs fail at random.
# libfiu's preloaded wrappers and AddressSanitizer's runtime cannot share
# a process (it crashes at start, even for --version): an ASan build
# leaves this part to the plain build's run.
if ldd "$CERTDECK" 2>/dev/null | grep -q libasan; then
	ok "# SKIP EIO: libfiu's preload cannot run under AddressSanitizer"
elif command -v fiu-run >/dev/null 2>&1; then
	FIU=
	cdk_out()
	{
		local out=$1
		shift
		if [ -n "$FIU" ]; then
			fiu-run -x -c "$FIU" "$CERTDECK" "${CDK_ARGS[@]}" "$@" >"$out" 2>&1
		else
			cdk "$@" >"$out" 2>&1
		fi
	}
	kept_sum >"$SUM"
	FIU='enable name=posix/io/sync/fsync,failinfo=5'
	cdk_out "$OUT" renew a --force
	bad=$(failed_clean $? "Input/output error")
	is "$bad" "" "EIO from fsync: the renewal fails cleanly, naming the file"
	diag_file "$OUT" 1
	FIU=
	check "and the next run succeeds" cdk_out "$OUT" renew a --force
	# fsync failing at random: whatever the run's outcome, the store is
	# whole. (Random write(2) failures would also break the process's
	# own pipes, which no disk does.)
	bad=
	for i in 1 2 3 4 5 6; do
		FIU='enable_random name=posix/io/sync/fsync,probability=0.3,failinfo=5'
		cdk_out "$OUT" renew a --force
		FIU=
		no_temp_files "$STATE" >/dev/null && no_empty_files "$STATE" >/dev/null &&
		    live_pair_ok "$STATE" a >/dev/null || bad="$bad $i"
	done
	is "$bad" "" "random EIO from fsync: the store stays whole"
	check "the next run succeeds" cdk_out "$OUT" renew a --force
	check "and verifies" verify_live a
else
	ok "# SKIP EIO: fiu-run not installed (fiu-utils)"
fi
check "no empty or temporary file at the end" no_bad_files "$STATE"

done_testing
