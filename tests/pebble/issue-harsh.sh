#!/bin/bash
# issue-harsh.sh: issue.sh with Pebble rejecting half of all nonces and
# reusing every authorization it can.
export PEBBLE_WFE_NONCEREJECT=50 PEBBLE_AUTHZREUSE=100
. "${top_srcdir:-$(dirname "$0")/../..}/tests/pebble/issue.sh"
