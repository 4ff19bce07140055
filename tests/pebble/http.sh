#!/bin/bash
# http.sh: the HTTP client (engine/http) against a private Pebble. The
# cases live in the cmocka program tests/pebble/test_http, which prints
# its own TAP; this script only brings Pebble up around it.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/tap.sh"
. "$top_srcdir/tests/pebble/pebble.sh"

pebble_start || bail_out "Pebble did not start"
CMOCKA_MESSAGE_OUTPUT=TAP "$top_builddir/tests/pebble/test_http"
rc=$?
pebble_stop
exit $rc
