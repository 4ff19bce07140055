#!/bin/bash
# schedule.sh: `certdeck schedule install|remove|status` under --root, so the
# running system is never touched. The systemd units must pass
# `systemd-analyze verify` (the real parser, ExecStart's program checked),
# the cron entry a syntax check of its own; remove takes exactly what
# install wrote, and files certdeck did not write are never replaced or
# removed.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/tap.sh"

CERTDECK=$top_builddir/certdeck
[ -x "$CERTDECK" ] || bail_out "no $CERTDECK: build it first"
mkdir -p "$top_builddir/tests/tmp"
SCRATCH=$(mktemp -d "$top_builddir/tests/tmp/schedule.XXXXXX") ||
	bail_out "no scratch folder"
at_exit '[ "$_tap_failed" -ne 0 ] && echo "# kept $SCRATCH" || rm -rf "$SCRATCH"'

ROOT=$SCRATCH/root
UNITS=$ROOT/etc/systemd/system
CROND=$ROOT/etc/cron.d
# A state folder whose name needs quoting in a unit file and for the shell.
STATE="$SCRATCH/state it's \$HOME"
CONF=$SCRATCH/certdeck.conf
mkdir -p "$STATE"
echo 'email = "admin@example.test";' >"$CONF"
EXE=$(readlink -f "$CERTDECK")
OUT=$SCRATCH/out

# cdk ARGS...: certdeck with the scratch config and state, output in $OUT;
# its exit status in $RC.
cdk()
{
	"$CERTDECK" --config "$CONF" --state "$STATE" "$@" >"$OUT" 2>&1
	RC=$?
}

# mode FILE: its permission bits in octal.
mode()
{
	stat -c %a "$1"
}

# verify_units: systemd-analyze verify on our two units, quiet and clean.
verify_units()
{
	local log=$SCRATCH/verify.log
	systemd-analyze verify "$UNITS/certdeck-renew.timer" \
	    "$UNITS/certdeck-renew.service" >"$log" 2>&1 || { diag_file "$log"; return 1; }
	[ ! -s "$log" ] || { diag_file "$log"; return 1; }
}

# cron_check FILE: the cron.d syntax: comments, NAME=VALUE lines, and
# entries of five time fields, a user and a command; prints the entries.
cron_check()
{
	awk '
	function field_ok(f, lo, hi,    n, i, parts, r) {
		if (f == "*") return 1
		n = split(f, parts, ",")
		for (i = 1; i <= n; i++) {
			if (parts[i] !~ /^[0-9]+$/) return 0
			r = parts[i] + 0
			if (r < lo || r > hi) return 0
		}
		return 1
	}
	/^[ \t]*(#|$)/ { next }
	/^[A-Za-z_][A-Za-z0-9_]*=/ { next }
	NF < 7 { bad = 1; print "short line: " $0 > "/dev/stderr"; next }
	!field_ok($1, 0, 59) || !field_ok($2, 0, 23) || !field_ok($3, 1, 31) ||
	    !field_ok($4, 1, 12) || !field_ok($5, 0, 7) {
		bad = 1; print "bad time field: " $0 > "/dev/stderr"; next }
	$6 !~ /^[a-z_][a-z0-9_-]*$/ { bad = 1; print "bad user: " $6 > "/dev/stderr"; next }
	{ n++; print }
	END { exit bad || n != 1 }' "$1"
}

# cron_ok FILE: cron_check, silent.
cron_ok()
{
	cron_check "$1" >/dev/null 2>&1
}

# ---------------------------------------------------------------- systemd
mkdir -p "$UNITS"
echo "[Unit]" >"$UNITS/other.service"
cdk schedule install --root "$ROOT" --systemd
is "$RC" 0 "install --systemd succeeds"
check "the service is written" test -f "$UNITS/certdeck-renew.service"
check "the timer is written" test -f "$UNITS/certdeck-renew.timer"
is "$(mode "$UNITS/certdeck-renew.service") $(mode "$UNITS/certdeck-renew.timer")" \
    "644 644" "both units are 0644"
check "no temporary file is left" \
    test -z "$(find "$ROOT" -name '.certdeck-tmp-*')"

if command -v systemd-analyze >/dev/null; then
	check "systemd-analyze verify accepts both units" verify_units
	cp "$UNITS/certdeck-renew.service" "$SCRATCH/good.service"
	echo "Type=bogus" >>"$UNITS/certdeck-renew.service"
	check "... and refuses a broken service (the check can fail)" ! verify_units
	cp "$SCRATCH/good.service" "$UNITS/certdeck-renew.service"
else
	for _ in 1 2; do
		_tap_count=$((_tap_count + 1))
		echo "ok $_tap_count # SKIP systemd-analyze is not installed (Debian: systemd)"
	done
fi

# has FILE LINE: FILE has exactly this line.
has()
{
	grep -qxF -- "$2" "$1"
}

SERVICE=$UNITS/certdeck-renew.service
TIMER=$UNITS/certdeck-renew.timer
exec_line=$(sed -n 's/^ExecStart=//p' "$UNITS/certdeck-renew.service")
exec_prog=${exec_line%% *}
is "$exec_prog" "$EXE" "ExecStart runs this certdeck by its absolute path"
check "... which exists and is executable" test -x "$exec_prog"
is "${exec_line#"$exec_prog" }" \
    "renew --all --quiet --config $CONF --state \"$SCRATCH/state it's \$\$HOME\"" \
    "... renew --all --quiet with the same --config and --state, quoted for systemd"
check "the service is Type=oneshot" has "$SERVICE" "Type=oneshot"
check "... and counts renew's 3 (nothing due) as success" \
    has "$SERVICE" "SuccessExitStatus=3"
check "the timer runs twice a day" has "$TIMER" "OnCalendar=*-*-* 00,12:00:00"
check "... spread over 12 hours" has "$TIMER" "RandomizedDelaySec=12h"
check "... catching up on missed runs" has "$TIMER" "Persistent=true"
check "... wanted by timers.target" has "$TIMER" "WantedBy=timers.target"

cdk schedule status --root "$ROOT"
is "$RC" 0 "status exits 0 with the timer installed"
like "$(cat "$OUT")" "^systemd timer: $UNITS/certdeck-renew.timer" "status names the timer"
like "$(cat "$OUT")" "^runs: $EXE renew --all --quiet --config" "status shows the command"
like "$(cat "$OUT")" "^next run: [0-9]{4}-[0-9]{2}-[0-9]{2} (00|12):00 " \
    "status gives the next run at 00:00 or 12:00"

cdk schedule remove --root "$ROOT"
is "$RC" 0 "remove succeeds"
check "the service is gone" test ! -e "$UNITS/certdeck-renew.service"
check "the timer is gone" test ! -e "$UNITS/certdeck-renew.timer"
check "a foreign unit in the same folder survives" test -f "$UNITS/other.service"
cdk schedule status --root "$ROOT"
is "$RC" 3 "status exits 3 with nothing installed"
like "$(cat "$OUT")" "no renewal schedule installed" "... and says so"

# A certdeck-renew.timer someone wrote by hand.
printf '[Timer]\nOnCalendar=daily\n' >"$UNITS/certdeck-renew.timer"
cp "$UNITS/certdeck-renew.timer" "$SCRATCH/foreign.timer"
cdk schedule install --root "$ROOT" --systemd
is "$RC" 1 "install refuses to replace a timer certdeck did not write"
like "$(cat "$OUT")" "certdeck-renew.timer exists and certdeck did not write it.*--force" \
    "... saying so and how to override"
check "... which is unchanged" cmp -s "$UNITS/certdeck-renew.timer" "$SCRATCH/foreign.timer"
check "... and nothing else is written" test ! -e "$UNITS/certdeck-renew.service"
cdk schedule status --root "$ROOT"
is "$RC" 3 "a foreign timer is not reported as installed"
cdk schedule remove --root "$ROOT"
check "remove leaves the foreign timer alone" \
    cmp -s "$UNITS/certdeck-renew.timer" "$SCRATCH/foreign.timer"
cdk schedule install --root "$ROOT" --systemd --force
is "$RC" 0 "install --force replaces it"
check "... with certdeck's timer" grep -q "^# Written by 'certdeck schedule install'" \
    "$UNITS/certdeck-renew.timer"

# ---------------------------------------------------------------- cron
mkdir -p "$CROND"
echo "# someone else's" >"$CROND/other"
cdk schedule install --root "$ROOT" --cron
is "$RC" 0 "install --cron succeeds"
check "the cron entry is written" test -f "$CROND/certdeck"
is "$(mode "$CROND/certdeck")" 644 "... 0644"
check "installing cron removes certdeck's systemd units (one schedule at a time)" \
    test ! -e "$UNITS/certdeck-renew.timer" -a ! -e "$UNITS/certdeck-renew.service"
check "the cron entry passes the syntax check" cron_ok "$CROND/certdeck"
check "... which refuses a line without a user (the check can fail)" \
    ! cron_ok <(echo "0 4,16 * * * $EXE renew")
check "... and an hour out of range" ! cron_ok <(echo "0 4,24 * * * root $EXE renew")
check "it sets SHELL" grep -qx "SHELL=/bin/sh" "$CROND/certdeck"
check "it sets PATH" grep -q "^PATH=/" "$CROND/certdeck"
entry=$(cron_check "$CROND/certdeck" 2>/dev/null)
read -r minute hours dom month dow user cmd <<<"$entry"
like "$minute $hours $dom $month $dow $user" \
    '^[0-9]+ [0-9]+,[0-9]+ \* \* \* root$' "twice a day, as root"
h1=${hours%,*} h2=${hours#*,}
is "$((h2 - h1))" 12 "... twelve hours apart"
eval "set -- $cmd"
is "$#|$1|$2|$3|$4|$5|$6|$7|$8" \
    "8|$EXE|renew|--all|--quiet|--config|$CONF|--state|$STATE" \
    "the shell reads back this certdeck with the same options"
check "... whose program exists and is executable" test -x "$1"

cdk schedule status --root "$ROOT"
is "$RC" 0 "status exits 0 with the cron entry installed"
like "$(cat "$OUT")" "^cron entry: $CROND/certdeck" "status names the cron file"
like "$(cat "$OUT")" "^runs: $EXE renew --all --quiet .* \\(as root\\)$" \
    "status shows the command and user"
next=$(sed -n 's/^next run: //p' "$OUT")
next_s=$(date -d "$next" +%s 2>/dev/null || echo 0)
now=$(date +%s)
check "the next run is within 12 hours" test "$next_s" -gt "$now" -a \
    "$next_s" -le $((now + 12 * 3600))
is "$(date -d "@$next_s" +%-M)" "$minute" "... at the entry's minute"
like "$(date -d "@$next_s" +%-H)" "^($h1|$h2)$" "... in one of its hours"

cdk schedule remove --root "$ROOT"
is "$RC" 0 "remove succeeds"
check "the cron entry is gone" test ! -e "$CROND/certdeck"
check "a foreign cron file survives" test -f "$CROND/other"
is "$(find "$ROOT" -type f | sort | tr '\n' ' ')" "$CROND/other $UNITS/other.service " \
    "nothing but the foreign files is left"

echo "0 0 * * * root true" >"$CROND/certdeck"
cdk schedule install --root "$ROOT" --cron
is "$RC" 1 "install refuses to replace a cron file certdeck did not write"
check "... which is unchanged" grep -qx "0 0 \* \* \* root true" "$CROND/certdeck"

# ---------------------------------------------------------------- usage
mkdir "$SCRATCH/empty"
cdk schedule --state "$SCRATCH/a%b" install --root "$SCRATCH/empty" --cron
is "$RC" 1 "a '%' in the command line is refused (cron would cut it)"
like "$(cat "$OUT")" "a%b.*'%'" "... saying why"
check "... and nothing is written" test -z "$(ls -A "$SCRATCH/empty")"
cdk schedule bogus --root "$ROOT"
is "$RC" 2 "an unknown schedule command is a usage error"
cdk schedule install --root "$ROOT" --systemd --cron
is "$RC" 2 "--systemd with --cron is a usage error"
cdk help schedule
like "$(cat "$OUT")" "^Usage: certdeck schedule install\|remove\|status" "help schedule"

done_testing
