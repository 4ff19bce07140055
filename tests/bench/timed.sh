#!/bin/bash
# timed.sh: measures one whole process for the issuance benchmark.
#
# Usage: timed.sh RESULT LOG CMD [ARG...]
# Runs CMD with its output in LOG and writes one line to RESULT:
#   STATUS WALL CPU RSS
# the exit status, the wall time in seconds, the user+sys CPU seconds of
# CMD and every process it waited for, and the peak resident set in KiB
# of the largest of them. GNU time supplies the peak memory only: its
# CPU figures are rounded to 10 ms, too coarse for a run of a few tens of
# milliseconds, so the CPU comes from bash's times (1 ms) and the wall
# time from EPOCHREALTIME (1 us). GNU time's own share, under a
# millisecond, is counted with CMD.

if [ $# -lt 3 ]; then
	echo "usage: timed.sh RESULT LOG CMD [ARG...]" >&2
	exit 2
fi
result=$1
log=$2
shift 2

t0=$EPOCHREALTIME
/usr/bin/time -f %M -o "$result.rss" "$@" >"$log" 2>&1
rc=$?
t1=$EPOCHREALTIME

# times prints the shell's own CPU, then its children's: "0m0.123s 0m0.045s".
# It runs in this shell, not a pipeline's subshell, which has no children.
times >"$result.times"
cpu=$(awk 'NR == 2 {
	split($0, f, /[ms ]+/)
	print f[1] * 60 + f[2] + f[3] * 60 + f[4]
}' "$result.times")
rss=$(tail -n 1 "$result.rss")
rm -f "$result.rss" "$result.times"
awk -v rc="$rc" -v t0="$t0" -v t1="$t1" -v cpu="$cpu" -v rss="$rss" \
    'BEGIN { printf "%d %.4f %.4f %d\n", rc, t1 - t0, cpu, rss }' >"$result"
exit "$rc"
