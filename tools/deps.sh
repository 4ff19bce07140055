#!/bin/sh
# deps.sh run|test: installs the Debian 12 packages certdeck needs to be
# built and run (run) or also tested (test), and only those missing.
# Quiet when everything is there; apt-get update only when something is not.
set -eu

# The one list: what building and running needs, then what the tests add.
RUN_PKGS="build-essential autoconf automake pkg-config libncurses-dev
	libgnutls28-dev gnutls-bin libcurl4-gnutls-dev libconfig-dev
	libjansson-dev libcmocka-dev pebble curl"
TEST_PKGS="tmux python3 python3-cryptography iproute2 systemd prometheus
	fiu-utils nginx-light"

case ${1:-} in
run)	want=$RUN_PKGS ;;
test)	want="$RUN_PKGS $TEST_PKGS" ;;
*)	echo "usage: sh tools/deps.sh run|test" >&2
	exit 2 ;;
esac

missing=
for pkg in $want; do
	status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null) || status=
	case $status in
	*" installed") ;;
	*) missing="$missing $pkg" ;;
	esac
done
[ -n "$missing" ] || exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps.sh: missing:$missing; run as root to install them" >&2
	exit 1
fi
echo "deps.sh: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086 # one word per package
apt-get install -q -y --no-install-recommends $missing
