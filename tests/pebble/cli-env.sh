#!/bin/bash
# cli-env.sh: command-line features no other suite covers: the environment
# variables CERTDECK_CONFIG, CERTDECK_STATE, CERTDECK_SERVER and
# CERTDECK_CA_BUNDLE (an option wins over the variable, the variable over
# the configuration file), `list --json`, and --max-jobs (jobs of a batch
# one after another with 1, side by side with more).

. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/tap.sh"
. "$top_srcdir/tests/pebble/pebble.sh"

pebble_start || bail_out "Pebble did not start"
. "$top_srcdir/tests/pebble/cli-lib.sh"
unset CERTDECK_CONFIG CERTDECK_STATE CERTDECK_SERVER CERTDECK_CA_BUNDLE
OUT=$PEBBLE_SCRATCH/out
S=$PEBBLE_SCRATCH/states
PYTHON=${PYTHON:-/usr/bin/python3}
mkdir -p "$S"

# Nothing listens on port 1: a CA there cannot be reached.
DEAD_URL=https://127.0.0.1:1/dir
# A CA that did not sign Pebble's HTTPS certificate: trusting it alone
# cannot verify Pebble.
OTHER_CA=$PEBBLE_SCRATCH/other-ca.pem
printf 'cn = "not pebble"\nca\ncert_signing_key\nexpiration_days = 7\n' >"$PEBBLE_SCRATCH/other.tmpl"
"$CERTTOOL" --generate-privkey --key-type=ecdsa --no-text --outfile "$PEBBLE_SCRATCH/other.key" \
    >/dev/null 2>&1 &&
"$CERTTOOL" --generate-self-signed --load-privkey "$PEBBLE_SCRATCH/other.key" \
    --template "$PEBBLE_SCRATCH/other.tmpl" --no-text --outfile "$OTHER_CA" >/dev/null 2>&1 ||
    bail_out "certtool could not make a second CA"

# dk ARGS...: certdeck with ARGS and nothing else of this run's settings
# but agreement to the terms; its output in $OUT.
dk() { "$CERTDECK" --agree-tos "$@" >"$OUT" 2>&1; }

# has_account DIR: an account key was stored under state folder DIR.
has_account() { [ -n "$(find "$1/accounts" -name key.pem 2>/dev/null)" ]; }

# conf FILE STATE DIRECTORY BUNDLE: a configuration whose CA, by name, is
# DIRECTORY trusted through BUNDLE, keeping its state in STATE.
conf()
{
	cat >"$1" <<CONF
state_dir = "$2";
ca = "here";
cas = ( { name = "here"; directory = "$3"; ca_bundle = "$4"; } );
CONF
}

# CERTDECK_CONFIG: read when there is no --config; --config wins.
conf "$S/a.conf" "$S/a" "$PEBBLE_DIR_URL" "$PEBBLE_CA_BUNDLE"
conf "$S/b.conf" "$S/b" "$PEBBLE_DIR_URL" "$PEBBLE_CA_BUNDLE"
CERTDECK_CONFIG=$S/a.conf dk account register
check "CERTDECK_CONFIG names the configuration file" has_account "$S/a"
diag_file "$OUT" 2
check "  (its state_dir, not another)" test ! -e "$S/b"
CERTDECK_CONFIG=$S/a.conf dk --config "$S/b.conf" account register
check "--config wins over CERTDECK_CONFIG" has_account "$S/b"
CERTDECK_CONFIG=$S/missing.conf dk list
is "$?" 1 "a CERTDECK_CONFIG naming no file fails"
like "$(cat "$OUT")" "missing.conf" "  and names it"

# CERTDECK_STATE: wins over the file's state_dir; --state over both.
conf "$S/c.conf" "$S/c" "$PEBBLE_DIR_URL" "$PEBBLE_CA_BUNDLE"
CERTDECK_STATE=$S/env dk --config "$S/c.conf" account register
check "CERTDECK_STATE wins over the file's state_dir" has_account "$S/env"
check "  (the file's folder is untouched)" test ! -e "$S/c"
CERTDECK_STATE=$S/env2 dk --config "$S/c.conf" --state "$S/opt" account register
check "--state wins over CERTDECK_STATE" has_account "$S/opt"
check "  (the variable's folder is untouched)" test ! -e "$S/env2"

# CERTDECK_SERVER: wins over the file's CA; --server over the variable.
conf "$S/dead.conf" "$S/dead" "$DEAD_URL" "$PEBBLE_CA_BUNDLE"
dk --config "$S/dead.conf" account register
is "$?" 1 "the file's CA alone cannot be reached"
CERTDECK_SERVER=$PEBBLE_DIR_URL CERTDECK_CA_BUNDLE=$PEBBLE_CA_BUNDLE \
    dk --config "$S/dead.conf" --state "$S/srv" account register
check "CERTDECK_SERVER wins over the file's CA" has_account "$S/srv"
diag_file "$OUT" 2
CERTDECK_SERVER=$DEAD_URL dk --config "$S/dead.conf" --state "$S/srv2" \
    --server "$PEBBLE_DIR_URL" --ca-bundle "$PEBBLE_CA_BUNDLE" account register
check "--server wins over CERTDECK_SERVER" has_account "$S/srv2"
CERTDECK_SERVER=$DEAD_URL CERTDECK_CA_BUNDLE=$PEBBLE_CA_BUNDLE \
    dk --config "$CONF" --state "$S/srv3" account register
is "$?" 1 "CERTDECK_SERVER is used (a dead one fails)"

# CERTDECK_CA_BUNDLE: wins over the CA entry's ca_bundle; --ca-bundle
# over the variable.
conf "$S/other.conf" "$S/other" "$PEBBLE_DIR_URL" "$OTHER_CA"
dk --config "$S/other.conf" account register
is "$?" 1 "the entry's ca_bundle alone does not trust Pebble"
CERTDECK_CA_BUNDLE=$PEBBLE_CA_BUNDLE dk --config "$S/other.conf" --state "$S/bundle" \
    account register
check "CERTDECK_CA_BUNDLE wins over the entry's ca_bundle" has_account "$S/bundle"
diag_file "$OUT" 2
CERTDECK_CA_BUNDLE=$OTHER_CA dk --config "$CONF" --state "$S/bundle2" \
    --server "$PEBBLE_DIR_URL" account register
is "$?" 1 "CERTDECK_CA_BUNDLE is used (a CA that is not Pebble's fails)"
CERTDECK_CA_BUNDLE=$OTHER_CA dk --config "$CONF" --state "$S/bundle3" \
    --server "$PEBBLE_DIR_URL" --ca-bundle "$PEBBLE_CA_BUNDLE" account register
check "--ca-bundle wins over CERTDECK_CA_BUNDLE" has_account "$S/bundle3"

# list --json: valid JSON, one object per certificate with the fields the
# README documents.
cdk list --json >"$OUT" 2>&1
is "$("$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1])))' "$OUT")" "[]" \
    "list --json of an empty store is []"
check "issue one" cdk_out "$OUT" issue one -d one.example.test
check "issue two" cdk_out "$OUT" issue two -d two.example.test -d www.two.example.test
cdk list --json >"$OUT.json" 2>"$OUT.err"
is "$?" 0 "list --json succeeds"
check "its output is valid JSON (python3 -m json.tool)" \
    "$PYTHON" -m json.tool "$OUT.json" /dev/null
cat >"$PEBBLE_SCRATCH/fields.py" <<'PY'
import json, sys, time
certs = {c["name"]: c for c in json.load(open(sys.argv[1]))}
assert sorted(certs) == ["one", "two"], sorted(certs)
assert certs["two"]["domains"] == ["two.example.test", "www.two.example.test"], certs["two"]
for c in certs.values():
    for key in ("name", "status", "domains", "version", "not_before", "not_after",
                "days_left", "issuer", "serial", "sha256", "key_type"):
        assert key in c, (c["name"], key)
    assert c["status"] == "valid", c
    assert c["not_before"] <= time.time() < c["not_after"], c
    assert c["days_left"] >= 0 and c["key_type"] == "ECDSA P-256", c
print("ok")
PY
is "$("$PYTHON" "$PEBBLE_SCRATCH/fields.py" "$OUT.json" 2>&1 | tail -n1)" ok \
    "one object per certificate, with name, status, domains, dates, issuer..."

# --max-jobs: a batch's jobs run one at a time with 1 (each certificate's
# steps form one block of the log), side by side with more.
# runs FILE: how many blocks of consecutive lines about one certificate
# of the batch (mj*) the log holds.
runs()
{
	sed -n 's/^[0-9][0-9]:[0-9][0-9]:[0-9][0-9] \(mj[0-9a-z]*\): .*/\1/p' "$1" | uniq | wc -l
}
printf 'mj1a mj1a.example.test\nmj1b mj1b.example.test\nmj1c mj1c.example.test\n' \
    >"$PEBBLE_SCRATCH/serial.txt"
check "issue --batch with --max-jobs 1" cdk_out "$OUT" --max-jobs 1 issue --batch \
    "$PEBBLE_SCRATCH/serial.txt"
diag_file "$OUT" 4
is "$(runs "$OUT")" 3 "--max-jobs 1: no two jobs overlap (three blocks for three certificates)"
printf 'mj3a mj3a.example.test\nmj3b mj3b.example.test\nmj3c mj3c.example.test\n' \
    >"$PEBBLE_SCRATCH/parallel.txt"
check "issue --batch with --max-jobs 3" cdk_out "$OUT" --max-jobs 3 issue --batch \
    "$PEBBLE_SCRATCH/parallel.txt"
n=$(runs "$OUT")
check "--max-jobs 3: the jobs overlap ($n blocks for three certificates)" test "$n" -gt 3
for name in mj1a mj1b mj1c mj3a mj3b mj3c; do
	check "$name verifies" verify_live "$name"
done
cdk_out "$OUT" --max-jobs 0 list
is "$?" 2 "--max-jobs 0 is a usage error"

done_testing
