#!/bin/bash
# schedule.sh: the renewal schedule on the screens, all under --root so the
# machine's own systemd and cron are never read or touched. The top bar
# warns when nothing is installed, names a cron entry or the systemd
# timer with its next run, and shortens itself on a narrow terminal; after
# the wizard issues a certificate with no schedule installed it offers
# one: No writes nothing, Yes writes what `certdeck schedule install`
# would, and the top bar says so at once.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/tap.sh"
. "$top_srcdir/tests/tui/ui-lib.sh"

# A short root, whatever the build folder: the status line shows it.
SHORT=$(mktemp -d /tmp/cdk-sched.XXXXXX) || bail_out "mktemp"
at_exit "rm -rf '$SHORT'"
ROOT=$SHORT/root
mkdir -p "$ROOT"
CRON=$ROOT/etc/cron.d/certdeck
TIMER=$ROOT/etc/systemd/system/certdeck-renew.timer
SERVICE=$ROOT/etc/systemd/system/certdeck-renew.service
MARKER="Written by 'certdeck schedule install'"

# screens [ARGS...]: the screens under the test root, on the list, 120
# columns wide: room for the whole schedule beside the tabs.
screens()
{
	UI_W=120 run_ui "$CERTDECK" "${CDK_ARGS[@]}" --root "$ROOT" "$@" ||
	    bail_out "tmux did not start"
	tmux_wait_for ' 1 Certificates ' >/dev/null ||
	    bail_out "the screens did not open"
}

quit()
{
	tmux_send q
	tmux_wait_for '^exit=0$' 30 >/dev/null || diag "q did not quit"
}

# nothing_installed: no schedule file under the root.
nothing_installed()
{
	[ ! -e "$CRON" ] && [ ! -e "$TIMER" ] && [ ! -e "$SERVICE" ]
}

# wizard_step: the wizard's "step N of M, Title", or nothing past them.
wizard_step()
{
	tmux_capture | grep -Eo 'step [0-9]+ of [0-9]+, [A-Za-z ]+' | head -n 1
}

step_changed()
{
	[ "$(wizard_step)" != "$1" ]
}

# issue NAME: onboards NAME through the wizard with every default: Enter
# at each step (again when a step was still busy) until Review's starts
# the job.
issue()
{
	local step tries=0

	tmux_send n
	tmux_wait_for 'step 1 of [0-9]+, Names' >/dev/null || return 1
	tmux_send -l "$1"
	while [ $tries -lt 40 ]; do
		step=$(wizard_step)
		[ -n "$step" ] || return 1
		tmux_send Enter
		case $step in *Review*) return 0 ;; esac
		wait_for step_changed "$step" --timeout 5
		tries=$((tries + 1))
	done
	return 1
}

# --- nothing installed: a warning in the top bar
screens
check "nothing installed: the top bar warns" \
    tmux_wait_for '^ certdeck .* ! renewal not scheduled +[0-9]+/[0-9]+ shown *$'
warn=$(colours | head -n 1 | grep -o $'\e\\[[0-9;]*m! renewal not scheduled')
header=$(colours | head -n 1 | grep -o $'\e\\[[0-9;]*m certdeck')
check "in a colour of its own" test -n "$warn" -a "${warn%%!*}" != "${header%% *}"
quit

# --- a cron entry
check "schedule install --cron under the root" \
    cdk_out "$OUT" schedule install --root "$ROOT" --cron
screens
check "a cron entry: named in the top bar" \
    tmux_wait_for '^ certdeck .* auto-renew: cron, twice a day +[0-9]+/[0-9]+ shown *$'
colours_like 1p 'auto-renew' "the warning is gone"
unlike_warn() { ! tmux_capture | grep -q 'not scheduled'; }
check "no warning with a schedule" unlike_warn
quit

# --- the systemd timer: its next run, worked out from OnCalendar
check "schedule install --systemd replaces it" \
    cdk_out "$OUT" schedule install --root "$ROOT" --systemd
check "the cron entry is gone" test ! -e "$CRON"
screens
check "the systemd timer: its next run in the top bar" \
    tmux_wait_for '^ certdeck .* auto-renew: systemd, next (Mon|Tue|Wed|Thu|Fri|Sat|Sun) (00|12):00 +[0-9]+/[0-9]+ shown *$'
tmux_resize 100 30
check "on 100 columns it shortens to fit" \
    tmux_wait_for '^ certdeck .* auto-renew +[0-9]+/[0-9]+ shown *$'
quit

# --- the wizard offers to install it; No writes nothing
check "schedule remove under the root" cdk_out "$OUT" schedule remove --root "$ROOT"
check "nothing is left" nothing_installed
screens
check "the wizard runs to Review" issue first.example.test
check "after the first issuance the wizard offers a schedule" \
    tmux_wait_for 'Renew automatically\?' 60
like "$(tmux_capture)" 'No renewal schedule is' "saying why"
tmux_send n
check "No closes it on the certificate's detail" tmux_wait_for 'versions: +1:'
check "the detail gives the forecast as show does" \
    tmux_wait_for 'next renewal: +20[0-9]{2}-[0-9]{2}-[0-9]{2}, when 33% of its lifetime is left'
cdk_out "$OUT" show first.example.test
forecast=$(sed -n 's/^next renewal: *//p' "$OUT")
check "the same words as certdeck show" tmux_wait_for "next renewal: +${forecast//./\\.}"
check "No writes no schedule" nothing_installed

tmux_send Escape
tmux_wait_for 'Issued\.' >/dev/null
tmux_send Escape
check "back on the list" tmux_wait_for 'valid +first\.example\.'
check "the top bar still warns" \
    tmux_wait_for '^ certdeck .* ! renewal not scheduled +[0-9]+/[0-9]+ shown *$'
check "the wizard runs again" issue second.example.test
check "the second certificate is issued" tmux_wait_for 'versions: +1:' 60
check "it is not offered after the first" ! _tmux_matches 'Renew automatically'
quit

# --- Yes installs it, as `certdeck schedule install` would: a new store
screens --state "$STATE-2"
check "the wizard runs on an empty store" issue third.example.test
check "the first issuance there offers a schedule" \
    tmux_wait_for 'Renew automatically\?' 60
tmux_send y
check "Yes: the status line says what was written" \
    tmux_wait_for "Renewal scheduled: wrote $ROOT/etc/(cron\\.d/certdeck|systemd/system/certdeck-renew\\.timer)"
if [ -e "$TIMER" ]; then
	kind=systemd
	check "the timer carries certdeck's marker" grep -q "$MARKER" "$TIMER"
	check "the service runs renew --all on this store" \
	    grep -Eq "^ExecStart=.*certdeck renew --all --quiet --config [^ ]*certdeck\\.conf --state [^ ]*/state-2\$" "$SERVICE"
else
	kind=cron
	check "the cron entry carries certdeck's marker" grep -q "$MARKER" "$CRON"
	check "it runs renew --all on this store" \
	    grep -Eq "^[0-9]+ [0-9]+,[0-9]+ \\* \\* \\* root .*certdeck renew --all --quiet --config [^ ]*certdeck\\.conf --state [^ ]*/state-2\$" "$CRON"
fi
check "the top bar says so at once, briefly beside the detail's name" \
    tmux_wait_for '^ certdeck .* Certificate detail +auto-renew( |$)'
tmux_send Escape
tmux_wait_for 'Issued\.' >/dev/null
tmux_send Escape
check "and in full on the list" \
    tmux_wait_for "^ certdeck .* auto-renew: $kind, .* [0-9]+/[0-9]+ shown *\$"
check "schedule status agrees" cdk_out "$OUT" schedule status --root "$ROOT"
quit
check "the certificate verifies" verify_live second.example.test

done_testing
