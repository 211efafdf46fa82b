#!/bin/sh
# install-deps-debian.sh - install what a fresh Debian 12 machine lacks to
# build Postwarden, run its tests and run the demo. Needs root.
set -eu

# Build tools and libraries.
BUILD="autoconf automake libtool pkg-config make gcc clang
	libssl-dev libmariadb-dev libsqlite3-dev libmilter-dev
	libcriterion-dev libevent-dev libcrypt-dev libargon2-dev
	libunbound-dev libicu-dev libclang-rt-14-dev"
# Real peers the tests run against.
PEERS="postfix postfix-mysql postfix-sqlite mariadb-server mariadb-client
	sqlite3 swaks openssl python3 python3-yaml dovecot-core nsd
	postfix-policyd-spf-python python3-spf python3-dkim opendkim
	opendkim-tools miltertest"
# Benchmarks (bench/).
BENCH="hyperfine dovecot-mysql"

missing=""
for p in $BUILD $PEERS $BENCH; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "install-deps-debian.sh: missing:$missing (run as root)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# Postfix must not ask questions nor configure the machine's own mail.
echo "postfix postfix/main_mailer_type select No configuration" |
	debconf-set-selections
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
