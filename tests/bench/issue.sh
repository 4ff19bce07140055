#!/bin/bash
# issue.sh: the issuance benchmark: certdeck beside certbot, lego and
# uacme (Debian's packages) against one private Pebble, in one run.
#
# Usage: tests/bench/issue.sh [--write FILE]
#
# Three measurements, each client in turn:
#   one    one certificate for one name. Every repetition starts from an
#          empty state folder; the account is registered first (untimed:
#          Pebble keeps accounts while it runs), then the issuance is timed.
#   batch  20 separate certificates with one registered account: certdeck
#          as one `issue --batch FILE` process (its designed way), the
#          others as their usual loop of 20 runs, times added up.
#   nonce  a second Pebble refusing half the good nonces
#          (PEBBLE_WFE_NONCEREJECT=50): from an empty state folder to a
#          certificate, registration included; counted as passes.
# Each run is a whole process measured by timed.sh: wall time, user+sys
# CPU, and peak resident memory; the table gives medians and the ratio
# certdeck/each. Every certificate is verified against Pebble's root
# (untimed); a run whose certificate does not verify counts as failed.
#
# Environment:
#   N=5             repetitions of "one" and "nonce" (medians reported)
#   BATCH_SIZE=20   certificates in a batch
#   BATCH_N=N       repetitions of "batch", cut short once a client's
#                   batches have taken BATCH_BUDGET seconds (default 150),
#                   so lego's 20 runs of 6 s do not take ten minutes
#   CLIENTS="certdeck certbot lego uacme"
#   CERTDECK        the certdeck binary (default: the build's)
#   CERTDECK_REV    the commit it was built from, for the report
#   BENCH_INSTALL=0 do not apt-get the missing peers, only say what is missing
# --write FILE      also writes the ratios, date, machine and versions to
#                   FILE as Markdown (RESULTS.md beside this script)

export LC_ALL=C
# Each client trusts what a stock machine gives it, plus Pebble's CA as
# set below: no trust overrides come in from the caller's environment.
unset SSL_CERT_FILE SSL_CERT_DIR CURL_CA_BUNDLE REQUESTS_CA_BUNDLE \
    LEGO_CA_CERTIFICATES

. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/tap.sh"
. "$top_srcdir/tests/pebble/pebble.sh"

BENCH=$top_srcdir/tests/bench
N=${N:-5}
BATCH_SIZE=${BATCH_SIZE:-20}
BATCH_N=${BATCH_N:-$N}
BATCH_BUDGET=${BATCH_BUDGET:-150}
CLIENTS=${CLIENTS:-certdeck certbot lego uacme}
CERTDECK=${CERTDECK:-$top_builddir/certdeck}
EMAIL=bench@example.com
WRITE=

# say MSG...: progress on stderr, so stdout holds only the report.
say()
{
	printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2
}

die()
{
	say "issue.sh: $*"
	exit 1
}

. "$BENCH/clients.sh"
. "$BENCH/report.sh"

# bench_deps: installs what is missing with apt-get (as root, unless
# BENCH_INSTALL=0), or says how and fails.
bench_deps()
{
	local missing=() c
	for c in certbot lego uacme certtool pebble pebble-challtestsrv \
	    unshare busybox; do
		command -v "$c" >/dev/null || missing+=("$c")
	done
	[ -x /usr/bin/time ] || missing+=(time)
	if [ ${#missing[@]} -gt 0 ]; then
		local pkgs
		pkgs=$(printf '%s\n' "${missing[@]}" | sed -e 's/^certtool$/gnutls-bin/' \
		    -e 's/^pebble-challtestsrv$/pebble/' -e 's/^unshare$/util-linux/' |
		    sort -u | tr '\n' ' ')
		if [ "$(id -u)" != 0 ] || [ "${BENCH_INSTALL:-1}" = 0 ]; then
			die "missing: ${missing[*]}; install with: apt-get install -y $pkgs"
		fi
		say "installing $pkgs"
		# shellcheck disable=SC2086 # one word a package
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		    apt-get install -y -qq $pkgs; } >&2 ||
		    die "apt-get install $pkgs failed"
	fi
	[ -x "$CERTDECK" ] || die "no certdeck at $CERTDECK: run make first"
	if [ ! -x "$top_builddir/tests/tools/freeport" ]; then
		make -s -C "$top_builddir" tests/tools/freeport >&2 ||
		    die "cannot build tests/tools/freeport (make tests/tools/freeport)"
	fi
	# uacme reads only the system trust store, which is swapped for a
	# bundle in a private mount namespace: that needs root.
	[ "$(id -u)" = 0 ] || die "run as root: uacme's trust is set with unshare -m"
}

# bench_pebble NONCEREJECT: (re)starts Pebble and saves its root.
bench_pebble()
{
	pebble_stop
	PEBBLE_VA_NOSLEEP=1 PEBBLE_AUTHZREUSE=0 PEBBLE_WFE_NONCEREJECT=$1 \
	    pebble_start || die "Pebble did not start"
	ROOT_PEM=$WORK/root-$1.pem
	pebble_root_pem "$ROOT_PEM" || die "cannot fetch Pebble's root"
	say "Pebble at $PEBBLE_DIR_URL (nonce rejection $1 %), http-01 on port $PEBBLE_HTTP_PORT"
}

# verify FILE: the full chain in FILE verifies against Pebble's root.
verify()
{
	[ -s "$1" ] &&
	    certtool --verify --load-ca-certificate "$ROOT_PEM" --infile "$1" 2>&1 |
	    grep -q "Chain verification output: Verified"
}

# record MEASURE CLIENT RESULT: appends a timed.sh result to the data file.
record()
{
	echo "$1 $2 $(cat "$3")" >>"$DATA"
}

# phase_one: one issuance of one name, every client in each repetition.
phase_one()
{
	local r c s res
	for r in $(seq "$N"); do
		for c in $CLIENTS; do
			s=$WORK/one/$c-$r
			res=$s.res
			mkdir -p "$s"
			"${c}_setup" "$s" || die "$c: registration failed (see $s/setup.log)"
			"${c}_issue" "$s" "one-$r-$c.example.test" "$s/issue.log" "$res"
			if ! verify "$("${c}_cert" "$s" "one-$r-$c.example.test")"; then
				sed -i 's/^0 /99 /' "$res"
				say "$c: one issuance $r failed (see $s/issue.log)"
			fi
			record one "$c" "$res"
			say "one $r/$N $c: $(cat "$res")"
		done
	done
}

# phase_batch: BATCH_SIZE certificates per client, BATCH_N times or
# until BATCH_BUDGET seconds are spent on that client. The clients take
# turns, so none gets a Pebble holding fewer orders than the others.
phase_batch()
{
	local r c s
	local -A spent
	for r in $(seq "$BATCH_N"); do
		for c in $CLIENTS; do
			[ "${spent[$c]:-0}" -lt "$BATCH_BUDGET" ] || continue
			s=$WORK/batch/$c-$r
			mkdir -p "$s"
			"${c}_setup" "$s" || die "$c: registration failed (see $s/setup.log)"
			"${c}_batch" "$s" "b$r-$c" "$s.res"
			batch_verify "$c" "$s" "b$r-$c" || sed -i 's/^0 /99 /' "$s.res"
			record batch "$c" "$s.res"
			say "batch $r/$BATCH_N $c: $(cat "$s.res")"
			spent[$c]=$(awk '{ printf "%d", s + $2 }' s="${spent[$c]:-0}" "$s.res")
		done
	done
}

# batch_verify CLIENT STATE PREFIX: every certificate of the batch verifies.
batch_verify()
{
	local i bad=0
	for i in $(seq "$BATCH_SIZE"); do
		verify "$("${1}_cert" "$2" "$3-$i.example.test")" || bad=$((bad + 1))
	done
	[ "$bad" -eq 0 ] || say "$1: $bad of $BATCH_SIZE certificates missing or not verified in $2"
	[ "$bad" -eq 0 ]
}

# phase_nonce: from nothing to a certificate against a Pebble that refuses
# half the nonces.
phase_nonce()
{
	local r c s
	for r in $(seq "$N"); do
		for c in $CLIENTS; do
			s=$WORK/nonce/$c-$r
			mkdir -p "$s"
			"${c}_fresh" "$s" "nonce-$r-$c.example.test" "$s.res"
			if ! verify "$("${c}_cert" "$s" "nonce-$r-$c.example.test")"; then
				sed -i 's/^0 /99 /' "$s.res"
			fi
			record nonce "$c" "$s.res"
			say "nonce $r/$N $c: $(cat "$s.res")"
		done
	done
}

# calibrate: what timed.sh itself costs, measured on /bin/true.
calibrate()
{
	local r
	for r in $(seq "$N"); do
		"$BENCH/timed.sh" "$WORK/true.res" /dev/null /bin/true
		record timer true "$WORK/true.res"
	done
}

main()
{
	while [ $# -gt 0 ]; do
		case $1 in
		--write) WRITE=$2; shift 2 ;;
		*) echo "usage: issue.sh [--write FILE]" >&2; exit 2 ;;
		esac
	done
	bench_deps
	mkdir -p "$top_builddir/tests/tmp" &&
	WORK=$(mktemp -d "$top_builddir/tests/tmp/bench.XXXXXX") || exit 1
	DATA=$WORK/data
	: >"$DATA"
	say "work folder $WORK; N=$N, batches of $BATCH_SIZE, clients: $CLIENTS"
	at_exit web_stop
	LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
	calibrate
	bench_pebble 0
	phase_one
	phase_batch
	bench_pebble 50
	phase_nonce
	pebble_stop
	LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
	report "$DATA"
	if [ -n "$WRITE" ]; then
		report_markdown "$DATA" >"$WRITE" || die "cannot write $WRITE"
		say "wrote $WRITE"
	fi
}

main "$@"
