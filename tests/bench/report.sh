# report.sh: turns the issuance benchmark's data file into tables;
# sourced by issue.sh.
#
# The data file has one line a run: MEASURE CLIENT STATUS WALL CPU RSS
# (seconds, seconds, KiB). Medians are taken over the runs that passed.

# med DATA MEASURE CLIENT FIELD: the median of FIELD (4 wall, 5 CPU,
# 6 RSS) over passed runs; empty when none passed.
med()
{
	awk -v m="$2" -v c="$3" -v f="$4" '$1 == m && $2 == c && $3 == 0 { print $f }' "$1" |
	    sort -g | awk '{ v[NR] = $1 }
	    END { if (NR) print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# passes DATA MEASURE CLIENT: "passed/runs".
passes()
{
	awk -v m="$2" -v c="$3" '$1 == m && $2 == c { n++; if ($3 == 0) p++ }
	    END { printf "%d/%d", p, n }' "$1"
}

# ratio A B: A/B to three figures, or "-" when either is missing.
ratio()
{
	awk -v a="$1" -v b="$2" 'BEGIN {
		if (a == "" || b == "" || b + 0 == 0) print "-"
		else printf "%.3g\n", a / b }'
}

# fmt VALUE SCALE: VALUE/SCALE with three decimals, or "-".
fmt()
{
	awk -v v="$1" -v s="$2" 'BEGIN { if (v == "") print "-"; else printf "%.3f\n", v / s }'
}

# table DATA MEASURE ABSOLUTE: a Markdown table of MEASURE, one row a
# client; the absolute figures are left out unless ABSOLUTE is 1.
table()
{
	local c w w0 cpu cpu0 rss rss0
	w0=$(med "$1" "$2" certdeck 4)
	cpu0=$(med "$1" "$2" certdeck 5)
	rss0=$(med "$1" "$2" certdeck 6)
	if [ "$3" = 1 ]; then
		echo "| client | passed | wall s | CPU s | peak MiB | certdeck/this: wall | CPU | memory |"
		echo "|---|---|---|---|---|---|---|---|"
	else
		echo "| client | passed | certdeck/this: wall | CPU | peak memory |"
		echo "|---|---|---|---|---|"
	fi
	for c in $CLIENTS; do
		w=$(med "$1" "$2" "$c" 4)
		cpu=$(med "$1" "$2" "$c" 5)
		rss=$(med "$1" "$2" "$c" 6)
		printf '| %s | %s |' "$c" "$(passes "$1" "$2" "$c")"
		[ "$3" != 1 ] || printf ' %s | %s | %s |' "$(fmt "$w" 1)" \
		    "$(fmt "$cpu" 1)" "$(fmt "$rss" 1024)"
		printf ' %s | %s | %s |\n' "$(ratio "$w0" "$w")" \
		    "$(ratio "$cpu0" "$cpu")" "$(ratio "$rss0" "$rss")"
	done
}

# nonce_table DATA: passes per client when half the nonces are refused.
nonce_table()
{
	local c
	echo "| client | passed |"
	echo "|---|---|"
	for c in $CLIENTS; do
		echo "| $c | $(passes "$1" nonce "$c") |"
	done
}

# target DATA MEASURE FIELD PEER LIMIT WHAT: one line on an issue target.
target()
{
	local r verdict
	r=$(ratio "$(med "$1" "$2" certdeck "$3")" "$(med "$1" "$2" "$4" "$3")")
	verdict=$(awk -v r="$r" -v l="$5" 'BEGIN {
		if (r == "-") print "not measured"; else print (r < l) ? "met" : "MISSED" }')
	echo "- $6, certdeck/$4: $r (target < $5): $verdict"
}

targets()
{
	target "$1" one 4 uacme 0.2 "one issuance, wall time"
	target "$1" one 5 lego 0.2 "one issuance, CPU"
	target "$1" batch 4 uacme 0.1 "batch of $BATCH_SIZE, wall time"
}

# what_is_timed: the method, in words.
what_is_timed()
{
	cat <<-EOF
	Each figure is one whole client process (a peer's batch: its $BATCH_SIZE
	processes added up), measured by tests/bench/timed.sh: wall time, user+sys
	CPU of the process and everything it waited for (hooks included), peak
	resident memory of its largest process. Medians over passed runs.
	"one": one name, from an empty state folder with an account registered
	beforehand (untimed). "batch": $BATCH_SIZE separate certificates, account
	registered beforehand; certdeck as one \`issue --batch\` process, the others
	as a loop of $BATCH_SIZE runs. "nonce": Pebble refusing 50 % of good nonces,
	from nothing to a verified certificate, registration included.
	Pebble: PEBBLE_VA_NOSLEEP=1, PEBBLE_AUTHZREUSE=0. uacme's challenge files
	are served by busybox httpd (untimed); certdeck, certbot and lego answer
	http-01 themselves.
	EOF
}

# report DATA: the full report, absolute figures included, on stdout.
report()
{
	local tw tc
	tw=$(med "$1" timer true 4)
	tc=$(med "$1" timer true 5)
	echo
	what_is_timed
	echo "Timer overhead (/bin/true through timed.sh), in every figure:" \
	    "wall $(fmt "$tw" 1) s, CPU $(fmt "$tc" 1) s."
	echo "Load average at the start: $LOAD_START; at the end: $LOAD_END."
	echo
	echo "## One issuance of one name (median of $N)"
	table "$1" one 1
	echo
	echo "## A batch of $BATCH_SIZE certificates"
	table "$1" batch 1
	echo
	echo "## Half the nonces refused (PEBBLE_WFE_NONCEREJECT=50)"
	nonce_table "$1"
	echo
	echo "## Targets"
	targets "$1"
}

# versions: one line a client.
versions()
{
	echo "- $("$CERTDECK" --version 2>/dev/null | head -n1)${CERTDECK_REV:+, commit $CERTDECK_REV}"
	for p in certbot lego uacme pebble; do
		echo "- $p $(dpkg-query -W -f '${Version}' "$p" 2>/dev/null || echo '(not from a package)')"
	done
}

# report_markdown DATA: the ratios only, with date, machine and versions,
# for RESULTS.md. Absolute times belong to one machine; ratios travel.
report_markdown()
{
	cat <<-EOF
	# Issuance benchmark results

	Written by \`tests/bench/issue.sh --write tests/bench/RESULTS.md\`
	(N=$N, batches of $BATCH_SIZE). Ratios are certdeck's figure divided by
	the other client's: below 1, certdeck used less.

	- date: $(date -u +%Y-%m-%d)
	- machine: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1), $(. /etc/os-release 2>/dev/null; echo "${PRETTY_NAME:-unknown system}")
	- load average (1, 5, 15 min) at the start: $LOAD_START; at the end: $LOAD_END
	$(versions)

	## How
	$(what_is_timed)

	## One issuance of one name
	$(table "$1" one 0)

	## A batch of $BATCH_SIZE certificates
	$(table "$1" batch 0)

	## Half the nonces refused
	$(nonce_table "$1")

	## Targets
	$(targets "$1")
	EOF
}
