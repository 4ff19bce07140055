#!/bin/bash
# tui-open.sh: how fast the screens open a store of 10,000 certificates.
#
# Not part of make check: run by hand after make. Writes a store in the
# real layout: certs/NAME.json records for every certificate (generating
# 10,000 real certificates would take far longer than the thing
# measured), and for a sample of them real PEM files (one certificate made
# with certtool) in archive/NAME/1/ with the live/NAME link. Then opens
# the screens in a tmux pane and prints:
#   - time to the first full frame, measured inside certdeck from the
#     start of the screens (CERTDECK_KEY_LOG), and the whole process's wall
#     time with CERTDECK_EXIT_AFTER_FIRST_FRAME=1 (start to exit, as
#     /usr/bin/time sees it);
#   - the CPU time of that run (what a loaded machine cannot inflate);
#   - peak resident memory of that run, and after filtering (VmHWM);
#   - the time to handle each filter keystroke over the 10,000 rows, with
#     the redraw it causes (CERTDECK_KEY_LOG).
# Targets (the screens' issue): first frame < 250 ms, RSS < 64 MiB, a
# filter keystroke < 20 ms. N=... changes the store size.

. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/tap.sh"
. "$top_srcdir/tests/tui/tmux.sh"

N=${N:-10000}
SAMPLE=${SAMPLE:-50}
CERTDECK=${CERTDECK:-$top_builddir/certdeck}
[ -x "$CERTDECK" ] || { echo "tui-open: build certdeck first" >&2; exit 1; }
mkdir -p "$top_builddir/tests/tmp"
WORK=$(mktemp -d "$top_builddir/tests/tmp/bench-tui.XXXXXX")
STATE=$WORK/state
CONF=$WORK/certdeck.conf
# A comment: a deliberate file of defaults (an empty one is warned about).
printf '# certdeck test configuration: every setting at its default\n' >"$CONF"
echo "tui-open: store of $N certificates in $STATE" >&2

# One real certificate for the sample's PEM files.
"${CERTTOOL:-certtool}" --generate-privkey --key-type=ecdsa --no-text \
    --outfile "$WORK/key.pem" 2>/dev/null &&
printf 'cn = "bench"\ndns_name = "bench.example.test"\nexpiration_days = 90\n' \
    >"$WORK/tmpl" &&
"${CERTTOOL:-certtool}" --generate-self-signed --load-privkey "$WORK/key.pem" \
    --template "$WORK/tmpl" --outfile "$WORK/cert.pem" 2>/dev/null ||
    { echo "tui-open: certtool failed" >&2; exit 1; }

python3 - "$STATE" "$N" "$SAMPLE" "$WORK/cert.pem" "$WORK/key.pem" <<'PY'
import json, os, random, sys, time
state, n, sample, cert, key = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
os.umask(0o077)
for d in ("certs", "archive", "live", "accounts", "orders"):
    os.makedirs(os.path.join(state, d), exist_ok=True)
now = int(time.time())
rnd = random.Random(1)
issuers = ["R10", "R11", "E5", "E6", "Pebble Intermediate CA 1a2b3c"]
cas = ["https://acme-v02.api.letsencrypt.org/directory",
       "https://acme.zerossl.com/v2/DV90", "https://127.0.0.1:14000/dir"]
pem_cert, pem_key = open(cert).read(), open(key).read()
for i in range(n):
    name = "host%05d" % i
    nb = now - rnd.randrange(0, 95 * 86400)
    domains = ["%s.example.com" % name] + ["alt%d.%s.example.com" % (k, name)
        for k in range(rnd.randrange(0, 4))]
    status = "valid"
    if i % 97 == 0: status = "failed"
    if i % 211 == 0: status = "revoked"
    rec = {"name": name, "domains": domains, "directory": cas[i % 3],
           "account": "default", "key_type": "ec256", "challenge": "http-01",
           "status": status, "version": 1, "updated": now, "not_before": nb,
           "not_after": nb + 90 * 86400, "issuer": issuers[i % 5],
           "key_desc": "ECDSA P-256", "serial": "%036x" % rnd.getrandbits(144)}
    if status == "failed":
        rec["last_error"] = "urn:ietf:params:acme:error:rateLimited: too many certificates"
    if status == "revoked":
        rec["revoked_reason"] = 4
    with open(os.path.join(state, "certs", name + ".json"), "w") as f:
        json.dump(rec, f, indent=2)
    if i < sample:
        d = os.path.join(state, "archive", name, "1")
        os.makedirs(d)
        for fn, text in (("cert.pem", pem_cert), ("chain.pem", ""),
                         ("fullchain.pem", pem_cert), ("privkey.pem", pem_key)):
            with open(os.path.join(d, fn), "w") as f:
                f.write(text)
        os.symlink("../archive/%s/1" % name, os.path.join(state, "live", name))
PY
[ $? -eq 0 ] || { echo "tui-open: could not write the store" >&2; exit 1; }

ARGS=(--state "$STATE" --config "$CONF" --server https://127.0.0.1:1/dir)
LOG=$WORK/keys.log

# lines_in FILE N: true once FILE has at least N lines.
lines_in()
{
	[ "$(wc -l <"$1" 2>/dev/null || echo 0)" -ge "$2" ]
}

# 1. The whole process, exiting after the first frame, under /usr/bin/time.
at_exit 'tmux_stop'
: >"$LOG"
tmux_start -x 160 -y 50 bash -c '/usr/bin/time -v -o "$0" env \
    CERTDECK_EXIT_AFTER_FIRST_FRAME=1 CERTDECK_KEY_LOG="$1" "$2" "${@:3}"; \
    echo done; read x' "$WORK/time.txt" "$LOG" "$CERTDECK" "${ARGS[@]}"
wait_for lines_in "$LOG" 1 --timeout 60 && tmux_wait_for '^done$' 60 >/dev/null ||
    { echo "tui-open: no first frame" >&2; tmux_capture >&2; exit 1; }
first_us=$(sed -n 's/^first-frame us=//p' "$LOG" | head -n1)
wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$WORK/time.txt")
rss_kb=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$WORK/time.txt")
cpu=$(awk -F': ' '/User time|System time/ { t += $2 } END { printf "%.0f", t * 1000 }' \
    "$WORK/time.txt")

# 2. Filter keystrokes, in a session that stays open.
: >"$LOG"
tmux_start -x 160 -y 50 env CERTDECK_KEY_LOG="$LOG" "$CERTDECK" "${ARGS[@]}"
wait_for lines_in "$LOG" 1 --timeout 60 || { echo "tui-open: no frame" >&2; tmux_capture >&2; exit 1; }
tmux_wait_for "$N/$N shown" 30 >/dev/null
all_us=$(sed -n 's/^all-read us=//p' "$LOG" | head -n1)
count=$(wc -l <"$LOG")
for k in / h o s t 0 0 1 2 BSpace BSpace 9; do
	tmux_send "$k"
	count=$((count + 1))
	wait_for lines_in "$LOG" "$count" --timeout 10 || break
done
tmux_wait_for "filter: host009" 10 >/dev/null
shown=$(tmux_capture | grep -o '[0-9]*/[0-9]* shown' | head -n1)
pid=$(pgrep -P "$(_tmux display-message -p -t "$TMUX_TARGET" '#{pane_pid}')" -x certdeck ||
    _tmux display-message -p -t "$TMUX_TARGET" '#{pane_pid}')
hwm=$(sed -n 's/^VmHWM:[[:space:]]*//p' "/proc/$pid/status" 2>/dev/null)
tmux_send q
# Per keystroke, after the '/' that opens the filter.
keys=$(sed -n 's/^keys us=//p' "$LOG" | tail -n +2)

echo
echo "certdeck screens, store of $N certificate records ($SAMPLE with PEM files)"
printf '  first full frame (inside certdeck):  %s ms\n' \
    "$(awk -v u="$first_us" 'BEGIN { printf "%.1f", u / 1000 }')"
printf '  start to exit after the first frame:  %s (m:ss)\n' "$wall"
printf '  CPU time of that run (user + sys):    %s ms\n' "$cpu"
printf '  every record read (in idle passes):   %s ms\n' \
    "$(awk -v u="$all_us" 'BEGIN { printf "%.1f", u / 1000 }')"
printf '  peak RSS (that run):                  %s MiB\n' \
    "$(awk -v k="$rss_kb" 'BEGIN { printf "%.1f", k / 1024 }')"
printf '  peak RSS after typing a filter:       %s\n' "${hwm:-?}"
printf '  filter keystrokes (handling + redraw): %s ms each; max %s ms\n' \
    "$(echo "$keys" | awk '{ printf "%s%.1f", (NR > 1 ? " " : ""), $1 / 1000 }')" \
    "$(echo "$keys" | sort -n | tail -n1 | awk '{ printf "%.1f", $1 / 1000 }')"
printf '  filter "host009" shows:               %s\n' "$shown"
[ -n "$KEEP" ] || rm -rf "$WORK"
