#!/bin/sh
# Installs the Debian packages that building, testing and benchmarking
# rtpipe need, when any is missing.  Needs root (or sudo) only then.
set -eu

pkgs="gcc make libc6-dev libcjson-dev libutf8proc-dev libcsv-dev
publicsuffix bats jq mandoc python3 miller gawk procps clang cppcheck valgrind tzdata
netcat-openbsd socat libcurl4-openssl-dev librdkafka-dev zlib1g-dev kcat curl"

missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "rtpipe: installing missing packages:$missing" >&2
if [ "$(id -u)" -eq 0 ]; then
	sudo=
elif command -v sudo >/dev/null 2>&1; then
	sudo=sudo
else
	echo "rtpipe: run as root, or install:$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
