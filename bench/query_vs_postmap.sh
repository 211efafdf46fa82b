#!/bin/bash
# query_vs_postmap.sh - time one "postwarden query" next to one
# "postmap -q" doing the same lookup, for sqlite: and mysql: tables.
#
# Usage: bench/query_vs_postmap.sh [path/to/postwarden]
#   (default: $POSTWARDEN, else cli/postwarden under the current dir)
# RUNS=N sets the runs per command (default 200). Uses hyperfine when it
# is installed (BENCH_TIMER=loop: never), else a bounded loop timed with
# date +%s%N. The mysql: case starts a private MariaDB
# (tests/integration/mariadb.sh) on a unix socket and 127.0.0.1 and
# stops it at the end; it is left out when MariaDB is not installed. Each run is a whole process: start-up,
# reading the .cf file, connecting, one query.

set -u
LC_ALL=C
export LC_ALL

here=$(cd "$(dirname "$0")" && pwd)
POSTWARDEN=${1:-${POSTWARDEN:-$PWD/cli/postwarden}}
RUNS=${RUNS:-200}
POSTMAP=$(command -v postmap || echo /usr/sbin/postmap)

die() {
	echo "query_vs_postmap.sh: $*" >&2
	exit 1
}
[ -x "$POSTWARDEN" ] || die "no postwarden binary at $POSTWARDEN"
[ -x "$POSTMAP" ] || die "postmap not found (apt-get install postfix)"
command -v sqlite3 >/dev/null 2>&1 || die "sqlite3 not found"
case $RUNS in
'' | *[!0-9]*) die "RUNS must be a number" ;;
esac
[ "$RUNS" -ge 1 ] && [ "$RUNS" -le 100000 ] || die "RUNS: 1..100000"

W=$(mktemp -d "${TMPDIR:-/tmp}/pwbench.XXXXXX") || die "mktemp failed"
cleanup_work() { rm -rf "$W"; }
trap cleanup_work EXIT

mkdir -p "$W/pf"
echo 'compatibility_level = 3.6' >"$W/pf/main.cf"
sqlite3 "$W/db.sqlite" "CREATE TABLE alias (address varchar(255) PRIMARY KEY,
	goto text NOT NULL, active tinyint(1) NOT NULL DEFAULT 1);
	INSERT INTO alias VALUES ('alice@example.com', 'alice@example.com', 1),
	('bob@example.com', 'bob@example.com,bob@example.org', 1);" ||
	die "sqlite3 failed"
QUERY="query = SELECT goto FROM alias WHERE address='%s' AND active = '1'"
printf 'dbpath = %s\n%s\n' "$W/db.sqlite" "$QUERY" >"$W/sqlite.cf"
MAPS=("sqlite:$W/sqlite.cf")

if [ -f "$here/../tests/integration/mariadb.sh" ]; then
	. "$here/../tests/integration/mariadb.sh"
	if mariadb_find_prog mariadbd mysqld >/dev/null &&
		mariadb_find_prog mariadb-install-db mysql_install_db >/dev/null; then
		mariadb_start
		trap 'mariadb_stop; cleanup_work' EXIT
		mariadb_sql "CREATE TABLE alias (address varchar(255) PRIMARY KEY,
			goto text NOT NULL, active tinyint(1) NOT NULL DEFAULT 1);
			INSERT INTO alias VALUES
			('alice@example.com', 'alice@example.com', 1),
			('bob@example.com', 'bob@example.com,bob@example.org', 1);" ||
			die "mariadb failed"
		for h in "unix:$MARIADB_SOCKET" "inet:127.0.0.1:$MARIADB_PORT"; do
			n=${h%%:*}
			printf 'hosts = %s\nuser = %s\npassword = %s\ndbname = %s\n%s\n' \
				"$h" "$MARIADB_USER" "$MARIADB_PASSWORD" \
				"$MARIADB_DB" "$QUERY" >"$W/mysql-$n.cf"
			chmod 600 "$W/mysql-$n.cf"
			MAPS+=("mysql:$W/mysql-$n.cf")
		done
	else
		echo "note: MariaDB not installed; sqlite: only" >&2
	fi
fi
trap 'exit 130' INT TERM HUP

KEY=bob@example.com

# mean_loop CMD... - mean wall time of RUNS runs, in microseconds
mean_loop() {
	local i=0 t0 t1
	t0=$(date +%s%N)
	while [ $i -lt "$RUNS" ]; do
		"$@" >/dev/null 2>&1
		i=$((i + 1))
	done
	t1=$(date +%s%N)
	echo $(((t1 - t0) / RUNS / 1000))
}

# mean_hyperfine CMD - mean wall time from hyperfine, in microseconds
mean_hyperfine() {
	hyperfine -N --warmup 10 --runs "$RUNS" --style none \
		--export-json "$W/hf.json" "$1" >/dev/null 2>&1 || return 1
	python3 -c 'import json, sys
print(int(json.load(open(sys.argv[1]))["results"][0]["mean"] * 1e6))' \
		"$W/hf.json"
}

use_hf=no
[ "${BENCH_TIMER:-}" != loop ] && command -v hyperfine >/dev/null 2>&1 &&
	command -v python3 >/dev/null 2>&1 && use_hf=yes
echo "runs per command: $RUNS, timer: $([ $use_hf = yes ] && echo hyperfine || echo 'date loop')"
printf '%-8s %-6s %14s %14s %8s\n' table hosts "postmap us" "postwarden us" ratio
for map in "${MAPS[@]}"; do
	# both must give the same answer before we time them
	a=$("$POSTMAP" -c "$W/pf" -q "$KEY" "$map" 2>/dev/null)
	b=$("$POSTWARDEN" query -q "$KEY" "$map" 2>/dev/null)
	[ "$a" = "$b" ] && [ -n "$a" ] ||
		die "$map: different answers: postmap '$a', postwarden '$b'"
	if [ $use_hf = yes ]; then
		pm=$(mean_hyperfine "$POSTMAP -c $W/pf -q $KEY $map") ||
			die "hyperfine failed"
		pw=$(mean_hyperfine "$POSTWARDEN query -q $KEY $map") ||
			die "hyperfine failed"
	else
		pm=$(mean_loop "$POSTMAP" -c "$W/pf" -q "$KEY" "$map")
		pw=$(mean_loop "$POSTWARDEN" query -q "$KEY" "$map")
	fi
	type=${map%%:*}
	hosts=-
	case $map in
	*mysql-unix.cf) hosts=unix ;;
	*mysql-inet.cf) hosts=inet ;;
	esac
	printf '%-8s %-6s %14s %14s %8s\n' "$type" "$hosts" "$pm" "$pw" \
		"$(awk -v a="$pw" -v b="$pm" 'BEGIN { printf "%.2f", a / b }')"
done
echo "ratio = postwarden / postmap (below 1: postwarden is faster)"
