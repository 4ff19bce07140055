#!/bin/bash
# profile.sh: where one certdeck issuance spends its time, against a
# private Pebble (PEBBLE_VA_NOSLEEP=1).
#
# Usage: tests/bench/profile.sh
#
# Prints, for one issuance of one name with an account registered first:
#   - wall, CPU and peak memory without tracing (timed.sh), and the same
#     for `certdeck --version`, the floor of starting the program;
#   - from one run under strace -f -tt -T (tracing slows every system
#     call, so these are shares, not absolute costs): the start-up before
#     the first connection, the gap between connect() and the first TLS
#     byte (trust being loaded) with the files opened under the system
#     trust directory, every wait of 10 ms or more in the engine thread's
#     poll() (a timer running out, or the CA and the network), and the
#     fsync() calls with their total.
# Needs strace (apt-get install -y strace). CERTDECK overrides the binary.

export LC_ALL=C

. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/tap.sh"
. "$top_srcdir/tests/pebble/pebble.sh"

BENCH=$top_srcdir/tests/bench
CERTDECK=${CERTDECK:-$top_builddir/certdeck}
TRUST_DIR=${TRUST_DIR:-/etc/ssl/certs}

command -v strace >/dev/null ||
    { echo "profile.sh: needs strace: apt-get install -y strace" >&2; exit 1; }
[ -x "$CERTDECK" ] || { echo "profile.sh: no certdeck at $CERTDECK: run make" >&2; exit 1; }

PEBBLE_VA_NOSLEEP=1 PEBBLE_AUTHZREUSE=0 pebble_start ||
    { echo "profile.sh: Pebble did not start" >&2; exit 1; }
W=$PEBBLE_SCRATCH
printf '# every setting at its default\n' >"$W/empty.conf"
ARGS=(--config "$W/empty.conf" --state "$W/state" --server "$PEBBLE_DIR_URL"
    --ca-bundle "$PEBBLE_CA_BUNDLE" --http-port "$PEBBLE_HTTP_PORT"
    --http-bind 127.0.0.1 --email bench@example.com --agree-tos)

"$CERTDECK" "${ARGS[@]}" account register >"$W/register.log" 2>&1 ||
    { echo "profile.sh: registration failed:" >&2; cat "$W/register.log" >&2; exit 1; }

# show RES: "wall s, CPU s, peak MiB" from a timed.sh result.
show()
{
	awk '{ printf "wall %.3f s, CPU %.3f s, peak %.1f MiB (status %d)\n",
	    $2, $3, $4 / 1024, $1 }' "$1"
}

"$BENCH/timed.sh" "$W/plain.res" "$W/plain.log" "$CERTDECK" "${ARGS[@]}" \
    issue plain -d plain.example.test
echo "one issuance, untraced:  $(show "$W/plain.res")"
"$BENCH/timed.sh" "$W/version.res" /dev/null "$CERTDECK" --version
echo "certdeck --version:      $(show "$W/version.res")"

strace -f -tt -T -o "$W/strace.txt" "$CERTDECK" "${ARGS[@]}" \
    issue traced -d traced.example.test >"$W/traced.log" 2>&1 ||
    { echo "profile.sh: traced issuance failed" >&2; cat "$W/traced.log" >&2; exit 1; }

echo
echo "Under strace (shares of the traced run, $W/strace.txt):"
awk -v dir="$TRUST_DIR/" '
function t(s,   a) { split(s, a, ":"); return a[1] * 3600 + a[2] * 60 + a[3] }
NR == 1 { start = t($2); main = $1 }
{ last = t($2) }
/ connect\(/ && !conn { conn = t($2) }
/ sendto\(/ && conn && !tls { tls = t($2) }
index($0, "openat(AT_FDCWD, \"" dir) { trust++ }
/ fsync\(/ { fsyncs++; if (match($0, /<[0-9.]+>$/)) fsync_s += substr($0, RSTART + 1, RLENGTH - 2) }
$1 != main && / poll\(|<\.\.\. poll resumed>/ && match($0, /<[0-9.]+>$/) {
	d = substr($0, RSTART + 1, RLENGTH - 2)
	if (d >= 0.010) {
		kind = /\(Timeout\)/ ? "timer" : "I/O"
		if (kind == "timer") { timers++; timer_s += d } else { io++; io_s += d }
		end = /resumed>/ ? t($2) : t($2) + d
		printf "  %-5s wait %4.0f ms, ending at +%.0f ms\n", kind, d * 1000,
		    (end - start) * 1000
	}
}
END {
	printf "  total                        %4.0f ms\n", (last - start) * 1000
	printf "  start-up to first connect    %4.0f ms\n", (conn - start) * 1000
	printf "  connect to first TLS byte    %4.0f ms (%d files opened under %s)\n",
	    (tls - conn) * 1000, trust, dir
	printf "  engine timer waits (poll)    %4.0f ms (%d of 10 ms or more)\n",
	    timer_s * 1000, timers
	printf "  engine waits for I/O (poll)  %4.0f ms (%d of 10 ms or more)\n",
	    io_s * 1000, io
	printf "  fsync()                      %4.0f ms (%d calls)\n", fsync_s * 1000, fsyncs
}' "$W/strace.txt"
