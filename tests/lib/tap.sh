# tap.sh: TAP helpers for the shell suites, sourced by each test script.
#
# A test counts its own cases and prints the plan at the end
# (done_testing), so adding a check never means editing a number. Waiting
# is always polling a condition against a deadline, never a fixed sleep.
# Clean-up work is chained onto one EXIT trap (at_exit), so the Pebble and
# tmux harnesses and the test itself can each add theirs.

# The helpers use bash features (trap -p, local, arrays); re-run the test
# under bash if a plain sh picked it up.
if [ -z "${BASH_VERSION:-}" ]; then
	exec bash "$0" "$@"
fi

: "${top_srcdir:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
export top_srcdir top_builddir

_tap_count=0
_tap_failed=0
_tap_planned=

# plan N: announces N cases up front (optional; done_testing works alone).
plan()
{
	_tap_planned=$1
	echo "1..$1"
}

# ok DESC: records a passing case.
ok()
{
	_tap_count=$((_tap_count + 1))
	echo "ok $_tap_count - $*"
}

# not_ok DESC: records a failing case.
not_ok()
{
	_tap_count=$((_tap_count + 1))
	_tap_failed=$((_tap_failed + 1))
	echo "not ok $_tap_count - $*"
}

# check DESC [!] CMD...: passes when CMD exits 0 (with !, when it fails).
check()
{
	local desc=$1 want=0 rc
	shift
	if [ "$1" = "!" ]; then
		want=1
		shift
	fi
	"$@"
	rc=$?
	if [ $((rc != 0)) -eq "$want" ]; then
		ok "$desc"
	else
		not_ok "$desc"
		if [ "$want" -eq 0 ]; then
			diag "command failed (status $rc): $*"
		else
			diag "command succeeded, expected to fail: $*"
		fi
	fi
}

# is GOT WANT DESC: passes when GOT and WANT are the same string.
is()
{
	if [ "$1" = "$2" ]; then
		ok "$3"
	else
		not_ok "$3"
		diag "got:  '$1'"
		diag "want: '$2'"
	fi
}

# like GOT REGEX DESC: passes when GOT matches the extended REGEX.
like()
{
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then
		ok "$3"
	else
		not_ok "$3"
		diag "got:  '$1'"
		diag "want: /$2/"
	fi
}

# diag MSG...: a TAP comment; each line of MSG becomes its own comment.
diag()
{
	printf '%s\n' "$*" | sed 's/^/# /'
}

# diag_file FILE [LINES]: the tail of FILE as TAP comments.
diag_file()
{
	[ -f "$1" ] || return 0
	diag "--- last ${2:-20} lines of $1"
	tail -n "${2:-20}" "$1" | sed 's/^/#   /'
}

# bail_out MSG: stops the whole test; the driver reports it as an error.
bail_out()
{
	echo "Bail out! $*"
	exit 1
}

# done_testing: prints the plan; the test exits 0 only if every case passed.
done_testing()
{
	if [ -z "$_tap_planned" ]; then
		echo "1..$_tap_count"
	elif [ "$_tap_planned" -ne "$_tap_count" ]; then
		diag "planned $_tap_planned cases but ran $_tap_count"
		exit 1
	fi
	[ "$_tap_failed" -eq 0 ] || exit 1
	exit 0
}

# tap_now_ms: wall-clock milliseconds, for deadlines.
tap_now_ms()
{
	local t=${EPOCHREALTIME/./}
	echo $((t / 1000))
}

# wait_for CMD... [--timeout SECS]: polls CMD every 0.1 s until it exits 0
# (returns 0) or the deadline passes (returns 1). Default deadline: 10 s.
wait_for()
{
	local timeout=10 cmd=() deadline
	while [ $# -gt 0 ]; do
		if [ "$1" = --timeout ] && [ $# -ge 2 ]; then
			timeout=$2
			shift 2
		else
			cmd+=("$1")
			shift
		fi
	done
	deadline=$(( $(tap_now_ms) + timeout * 1000 ))
	while :; do
		"${cmd[@]}" && return 0
		[ "$(tap_now_ms)" -lt "$deadline" ] || return 1
		sleep 0.1
	done
}

# at_exit CMD: runs CMD (a string for eval) when the test exits, before
# the EXIT trap that was already there (last in, first out); INT and TERM
# exit through it too.
at_exit()
{
	local cmd=$1 prev
	prev=$(trap -p EXIT)
	if [ -n "$prev" ]; then
		eval "set -- $prev"
		prev=$3
	fi
	# shellcheck disable=SC2064 # the command is fixed now, on purpose
	trap "$cmd${prev:+; $prev}" EXIT
	[ -n "$(trap -p INT)" ] || trap 'exit 130' INT
	[ -n "$(trap -p TERM)" ] || trap 'exit 143' TERM
}
