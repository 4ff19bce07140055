#!/bin/bash
# config.sh (RELIABILITY.md cases 31 and 32): configuration files that
# cannot be used: missing, a folder, a FIFO, a dangling symlink, binary,
# empty; libconfig syntax errors, wrong types, values out of range,
# unknown settings. Each gives the path (and line) and the reason; a bad
# file changes nothing (no state folder made, no CA asked); unknown
# settings are warned about and the run goes on. No CA is needed: every
# run points at a closed port, which a run that got that far would name.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/tap.sh"
LOCAL_NO_PEBBLE=1 . "$top_srcdir/tests/local/local-lib.sh"

CERTDECK=${CERTDECK:-$top_builddir/certdeck}
mkdir -p "$top_builddir/tests/tmp"
T=$(mktemp -d "$top_builddir/tests/tmp/config.XXXXXX") || bail_out "mktemp"
cd "$T" || bail_out "cd $T"
OUT=$T/out
STATE=$T/state
# Nothing listens on port 1 and no parallel suite's server can take it: a
# run that reached the network fails naming it.
PORT=1
SERVER=https://127.0.0.1:$PORT/dir

# cd_conf FILE ARGS...: certdeck with FILE as its configuration, bounded
# so a file that blocks (a FIFO) cannot hang the test.
cd_conf()
{
	local f=$1
	shift
	timeout 20 "$CERTDECK" --config "$f" --state "$STATE" --server "$SERVER" "$@" \
	    >"$OUT" 2>&1
}

# refused DESC FILE REGEX [ARGS]: the run exits 1, its error matches
# REGEX, and it neither made the state folder nor asked the CA.
refused()
{
	local desc=$1 f=$2 re=$3 rc
	shift 3
	rm -rf "$STATE"
	cd_conf "$f" "${@:-list}"
	rc=$?
	is "$rc" 1 "$desc: exit status 1"
	like "$(cat "$OUT")" "$re" "$desc: path and reason"
	check "$desc: nothing applied (no state folder, no request)" \
	    sh -c "test ! -e '$STATE' && ! grep -qF '127.0.0.1:$PORT/' '$OUT'"
}

# Case 31: files that cannot be read as a configuration.
refused "a missing file" missing.conf "^certdeck: missing\.conf: cannot open: No such file or directory$"
mkdir folder.conf
refused "a folder" folder.conf "^certdeck: folder\.conf: is a directory"
mkfifo fifo.conf
refused "a FIFO (not opened for reading, so no hang)" fifo.conf "^certdeck: fifo\.conf: not a regular file"
ln -s nowhere.conf dangling.conf
refused "a dangling symlink" dangling.conf "^certdeck: dangling\.conf: .*No such file or directory"
printf 'email = "a@example.com";\n\001\002\003\377\376binary\n' >binary.conf
refused "binary data" binary.conf "^certdeck: binary\.conf: binary data \(byte 0x01 at offset 25\)"
head -c 4096 /dev/urandom >random.conf
refused "random bytes" random.conf "^certdeck: random\.conf: (binary data|.*syntax error)"
printf '@include "/etc/passwd"\n' >include.conf
refused "an @include" include.conf "^certdeck: include\.conf:1: .*include"

# An empty file is a valid configuration (every default), but a file
# truncated to nothing loses every certificate definition silently: the
# run says so once, naming the path. White space alone is as empty; a
# file of comments was written on purpose and is used without a word.
: >empty.conf
cd_conf empty.conf list
is "$?" 0 "an empty file: every default applies"
like "$(cat "$OUT")" "^certdeck: warning: empty\.conf: empty configuration: using the defaults$" \
    "an empty file: a warning names its path"
is "$(grep -c 'empty configuration' "$OUT")" 1 "an empty file: warned once"
printf '  \n\t\n\n' >blank.conf
cd_conf blank.conf list
is "$?" 0 "a file of white space: every default applies"
like "$(cat "$OUT")" "^certdeck: warning: blank\.conf: empty configuration: using the defaults$" \
    "a file of white space: warned as empty"
printf '# nothing to set yet\n// nor here\n' >comments.conf
cd_conf comments.conf list
is "$?" 0 "a file of comments: every default applies"
check "a file of comments: no warning" ! grep -q "warning" "$OUT"

# Case 32: libconfig syntax errors, wrong types, out of range.
printf 'email = "a@example.com";\ncas = (\n  { name = "x";\n' >unclosed.conf
refused "an unclosed list" unclosed.conf "^certdeck: unclosed\.conf:4: syntax error$"
printf '\n\nemail = ;\n' >novalue.conf
refused "a setting without a value" novalue.conf "^certdeck: novalue\.conf:3: syntax error$"
printf 'max_jobs = 4;\nmax_jobs = 5;\n' >dup.conf
refused "a duplicate setting" dup.conf "^certdeck: dup\.conf:2: duplicate setting"
printf 'email = "a@example.com";\nmax_jobs = "many";\n' >type.conf
refused "a string for an integer" type.conf "^certdeck: type\.conf:2: 'max_jobs' must be an integer$"
printf 'http_port = 70000;\n' >range.conf
refused "a port out of range" range.conf "^certdeck: range\.conf:1: 'http_port' must be between 1 and 65535 \(not 70000\)$"
printf 'renew_fraction = 2.0;\n' >frac.conf
refused "a fraction out of range" frac.conf "^certdeck: frac\.conf:1: 'renew_fraction' must be between 0\.01 and 0\.99"
printf 'certificates = (\n  { name = "x"; domains = "x.example.test"; }\n);\n' >domains.conf
refused "a string for a list" domains.conf "^certdeck: domains\.conf:2: 'domains' must be a list"

# Nothing applied partially: a valid first half (a new state folder, a
# valid certificate) and a bad second half change nothing at all.
cat >partial.conf <<EOF
state_dir = "$T/made-by-config";
certificates = (
  { name = "good"; domains = [ "good.example.test" ]; },
  { name = "bad"; domains = [ "bad..example.test" ]; }
);
EOF
rm -rf "$STATE"
timeout 20 "$CERTDECK" --config partial.conf --server "$SERVER" renew --all >"$OUT" 2>&1
is "$?" 1 "a bad second certificate: the run fails"
like "$(cat "$OUT")" "^certdeck: partial\.conf:4: 'domains': name 'bad\.\.example\.test': empty label$" \
    "with file, line and reason"
check "the first half was not applied: no state folder made" test ! -e "$T/made-by-config"
check "and no CA was asked for the good one" sh -c "! grep -qF '127.0.0.1:$PORT/' '$OUT'"

# Unknown settings: warned with file and line, the run goes on.
cat >unknown.conf <<EOF
email = "a@example.com";
colour = "red";
certificates = (
  { name = "x"; domains = [ "x.example.test" ]; renew_days_before = 3; }
);
EOF
cd_conf unknown.conf list
is "$?" 0 "unknown settings: the run goes on"
like "$(cat "$OUT")" "^certdeck: warning: unknown\.conf:2: unknown setting 'colour' ignored$" \
    "an unknown global setting is warned with file and line"
like "$(cat "$OUT")" "^certdeck: warning: unknown\.conf:4: unknown setting 'renew_days_before' in a certificates entry ignored$" \
    "an unknown setting in an entry too"

cd /
rm -rf "$T"
done_testing
