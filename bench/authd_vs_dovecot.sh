#!/bin/bash
# authd_vs_dovecot.sh - postwarden-authd next to Dovecot 2.3's auth
# service, same users, same passwd-file, same MariaDB table, same load
# client (bench/auth_load), back to back in one run. See bench/README.md.
#
# Usage: bench/authd_vs_dovecot.sh [BUILDDIR]
#   BUILDDIR (default: the current directory) holds authd/postwarden-authd
#   and bench/auth_load (built here with "make bench/auth_load" if missing).
# Environment (all optional):
#   RUN_SECONDS  length of one measured run (10; every run also stops
#                after RUN_REQUESTS requests, 500000)
#   ROUNDS       measured runs per peer and case, interleaved (3); the
#                table shows the run with the median req/s
#   CONNS        concurrent client connections (16)
#   IDLE_CONNS   idle connections for the RSS figure (2000)
#   CASES        which of file-plain file-sha512 sql-plain sql-sha512 to
#                run (all four; the sql ones need MariaDB)
#   SERVER_CPUS, CLIENT_CPUS
#                CPU lists for taskset (e.g. 1 and 0): each server gets
#                the same cores and the load client others, so the
#                client's own CPU use does not cap the servers; unset:
#                no pinning
#   AUTHD_EXTRA, DOVECOT_EXTRA
#                more configuration lines for each side, e.g. to compare
#                with caches on: AUTHD_EXTRA='authd_cache_size = 10000'
#                DOVECOT_EXTRA='auth_cache_size = 10M'
#
# Must run as root (Dovecot's master starts its auth process as the
# "dovecot" user). Listens on unix sockets in a temporary directory only;
# every daemon it starts is stopped by PID at exit.

set -u
LC_ALL=C
export LC_ALL

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
BUILD=$(cd "${1:-.}" && pwd)
AUTHD=$BUILD/authd/postwarden-authd
LOAD=$BUILD/bench/auth_load
RUN_SECONDS=${RUN_SECONDS:-10}
RUN_REQUESTS=${RUN_REQUESTS:-500000}
ROUNDS=${ROUNDS:-3}
CONNS=${CONNS:-16}
IDLE_CONNS=${IDLE_CONNS:-2000}
CASES=${CASES:-file-plain file-sha512 sql-plain sql-sha512}
AUTHD_EXTRA=${AUTHD_EXTRA:-}
DOVECOT_EXTRA=${DOVECOT_EXTRA:-}
PASSWORD=benchpw

SERVER_CPUS=${SERVER_CPUS:-}
CLIENT_CPUS=${CLIENT_CPUS:-}
SRV=()
CLI=()
[ -n "$SERVER_CPUS" ] && SRV=(taskset -c "$SERVER_CPUS")
[ -n "$CLIENT_CPUS" ] && CLI=(taskset -c "$CLIENT_CPUS")

for v in RUN_SECONDS RUN_REQUESTS ROUNDS CONNS IDLE_CONNS; do
	case ${!v} in
	'' | *[!0-9]*) die "$v must be a number" ;;
	esac
done
[ "$RUN_SECONDS" -ge 1 ] && [ "$RUN_SECONDS" -le 600 ] || die "RUN_SECONDS: 1..600"
[ "$ROUNDS" -ge 1 ] && [ "$ROUNDS" -le 20 ] || die "ROUNDS: 1..20"
[ "$(id -u)" = 0 ] || die "run as root (Dovecot's master needs it)"
[ -x "$AUTHD" ] || die "no $AUTHD (build the tree first)"
if [ ! -x "$LOAD" ]; then
	make -C "$BUILD" bench/auth_load >/dev/null || die "cannot build $LOAD"
fi
DOVECOT=$(command -v dovecot || echo /usr/sbin/dovecot)
[ -x "$DOVECOT" ] || die "dovecot not found (apt-get install dovecot-core)"
DOVEADM=$(command -v doveadm || echo /usr/bin/doveadm)
id dovecot >/dev/null 2>&1 && id dovenull >/dev/null 2>&1 ||
	die "users dovecot and dovenull missing (dovecot-core sets them up)"

# File descriptors: 2000 idle connections on each side of one socket.
[ "$(ulimit -n)" -ge 8192 ] || ulimit -n 8192 ||
	die "cannot raise the descriptor limit to 8192"

# Unix socket paths are limited to about 107 bytes: keep the dir short.
W=$(mktemp -d /tmp/pwbench.XXXXXX) || die "mktemp failed"
chmod 755 "$W" # Dovecot's auth process (user dovecot) reads files here
PIDS=
have_mariadb=no

cleanup() {
	local p
	for p in $PIDS; do stop_pid "$p"; done
	PIDS=
	[ "$have_mariadb" = yes ] && mariadb_stop
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# --- users ---------------------------------------------------------------
# Two users: one stored as {PLAIN}, one as {SHA512-CRYPT} (5000 rounds,
# Dovecot's default), in both the passwd-file and the SQL table.
SHA512=$("$DOVEADM" pw -s SHA512-CRYPT -p "$PASSWORD" 2>/dev/null) ||
	SHA512="{SHA512-CRYPT}$(openssl passwd -6 "$PASSWORD")" ||
	die "cannot make a SHA512-CRYPT hash"
case $SHA512 in
'{SHA512-CRYPT}$6$'*) ;;
*) die "unexpected hash: $SHA512" ;;
esac
printf 'plain@example.com:{PLAIN}%s\nsha512@example.com:%s\n' \
	"$PASSWORD" "$SHA512" >"$W/passwd"
chmod 644 "$W/passwd"

case " $CASES " in
*" sql-"*)
	if [ -f "$here/../tests/integration/mariadb.sh" ]; then
		. "$here/../tests/integration/mariadb.sh"
		if mariadb_find_prog mariadbd mysqld >/dev/null &&
			ls /usr/lib/dovecot/modules/*driver_mysql* \
				>/dev/null 2>&1; then
			mariadb_start
			have_mariadb=yes
			trap cleanup EXIT
			trap 'exit 130' INT TERM HUP
		fi
	fi
	if [ "$have_mariadb" != yes ]; then
		echo "note: no MariaDB or no Dovecot mysql driver" \
			"(apt-get install mariadb-server dovecot-mysql):" \
			"sql cases left out" >&2
		CASES=$(printf '%s\n' $CASES | grep -v '^sql-' | tr '\n' ' ')
	fi
	;;
esac
if [ "$have_mariadb" = yes ]; then
	mariadb_sql "CREATE TABLE mailbox (
		username varchar(255) NOT NULL PRIMARY KEY,
		password varchar(255) NOT NULL,
		active tinyint(1) NOT NULL DEFAULT 1);
		INSERT INTO mailbox (username, password) VALUES
		('plain@example.com', '{PLAIN}$PASSWORD'),
		('sha512@example.com', '$SHA512');" ||
		die "creating the MariaDB table failed"
	# One dovecot-sql.conf.ext, read by both servers as it is.
	cat >"$W/dovecot-sql.conf.ext" <<EOF
driver = mysql
connect = host=$MARIADB_SOCKET dbname=$MARIADB_DB user=$MARIADB_USER password=$MARIADB_PASSWORD
default_pass_scheme = PLAIN
password_query = SELECT password FROM mailbox WHERE username = '%u' AND active = '1'
EOF
	chmod 600 "$W/dovecot-sql.conf.ext"
fi

# --- servers -------------------------------------------------------------
# start_authd NAME PASSDB - sets AUTHD_PID, AUTHD_SOCK
start_authd() {
	cat >"$W/authd-$1.conf" <<EOF
authd_listen = unix:$W/authd-$1.sock
authd_listen_owner =
authd_listen_group =
authd_listen_mode = 0600
authd_listen_backlog = 1024
authd_user =
authd_pid_file = $W/authd-$1.pid
authd_passdb = $2
authd_mechanisms = plain login
$AUTHD_EXTRA
EOF
	AUTHD_SOCK=$W/authd-$1.sock
	"${SRV[@]}" "$AUTHD" -f -c "$W/authd-$1.conf" 2>"$W/authd-$1.log" &
	AUTHD_PID=$!
	PIDS="$PIDS $AUTHD_PID"
	wait_socket "$AUTHD_SOCK" "$AUTHD_PID" ||
		die "authd ($1) did not start: $(tail -5 "$W/authd-$1.log")"
}

# start_dovecot NAME PASSDB-BLOCK - sets DOVECOT_PID, DOVECOT_SOCK
# Only the auth service runs (protocols = none); no auth cache unless
# DOVECOT_EXTRA sets one; Dovecot's default failure delay and auth-worker
# limit; client limit raised so that the idle test can connect.
start_dovecot() {
	mkdir -p "$W/dc-$1/run" "$W/dc-$1/state"
	cat >"$W/dc-$1/dovecot.conf" <<EOF
base_dir = $W/dc-$1/run
state_dir = $W/dc-$1/state
instance_name = pwbench-$1
protocols = none
ssl = no
log_path = $W/dc-$1/dovecot.log
auth_mechanisms = plain login
auth_cache_size = 0
$DOVECOT_EXTRA
$2
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=/nonexistent
}
service auth {
  client_limit = $((IDLE_CONNS + 100))
  unix_listener auth-bench {
    mode = 0600
  }
}
EOF
	"$DOVECOT" -n -c "$W/dc-$1/dovecot.conf" >"$W/dc-$1/n.out" 2>&1 ||
		die "dovecot rejects its config: $(cat "$W/dc-$1/n.out")"
	"${SRV[@]}" "$DOVECOT" -F -c "$W/dc-$1/dovecot.conf" \
		2>"$W/dc-$1/stderr" &
	DOVECOT_PID=$!
	PIDS="$PIDS $DOVECOT_PID"
	DOVECOT_SOCK=$W/dc-$1/run/auth-bench
	wait_socket "$DOVECOT_SOCK" "$DOVECOT_PID" ||
		die "dovecot ($1) did not start: $(cat "$W/dc-$1/stderr" \
			"$W/dc-$1/dovecot.log" 2>/dev/null | tail -5)"
}

# --- load ------------------------------------------------------------------
# run_load SOCK LOGIN SECONDS - one auth_load run, prints its result line
run_load() {
	local out
	out=$("${CLI[@]}" "$LOAD" -s "unix:$1" -c "$CONNS" \
		-n "$RUN_REQUESTS" -t "$3" \
		-u "$2" -p "$PASSWORD" 2>>"$W/load.err")
	if [ -z "$out" ]; then
		echo "auth_load failed: $(tail -3 "$W/load.err")" >&2
		out="rps=0 p99_ms=0 fail=0 ok=0"
	fi
	printf '%s\n' "$out"
}

# tree_ticks PID - CPU time (utime + stime, clock ticks) of PID and its
# children: authd with its threads, Dovecot's master with its auth and
# auth-worker processes
tree_ticks() {
	local t=0 p
	for p in $1 $(pgrep -P "$1"); do
		t=$((t + $(proc_ticks "$p")))
	done
	echo $t
}

# timed_load PID SOCK LOGIN SECONDS - run_load plus server CPU time per
# answered request (cpu_us=): robust when other programs share the CPUs
timed_load() {
	local t0 t1 line n hz
	hz=$(getconf CLK_TCK)
	t0=$(tree_ticks "$1")
	line=$(run_load "$2" "$3" "$4")
	t1=$(tree_ticks "$1")
	n=$(field answered "$line")
	printf '%s cpu_us=%s\n' "$line" "$(awk -v t=$((t1 - t0)) \
		-v n="${n:-0}" -v hz="$hz" 'BEGIN {
		if (n + 0 == 0) print "-"; else printf "%.1f", t * 1e6 / hz / n }')"
}

echo "# authd vs Dovecot $("$DOVECOT" --version | cut -d' ' -f1):" \
	"$CONNS connections, $RUN_SECONDS s per run, $ROUNDS rounds," \
	"$(nproc) CPUs${SERVER_CPUS:+, servers on CPU $SERVER_CPUS}${CLIENT_CPUS:+, client on CPU $CLIENT_CPUS}" >&2
RESULTS=$W/results
: >"$RESULTS"

# bench_backend NAME AUTHD-PASSDB DOVECOT-PASSDB-BLOCK
bench_backend() {
	local b=$1 c scheme login r peer line
	start_authd "$b" "$2"
	start_dovecot "$b" "$3"
	for c in $CASES; do
		[ "${c%%-*}" = "$b" ] || continue
		scheme=${c#*-}
		login=$scheme@example.com
		: >"$W/$c.authd"
		: >"$W/$c.dovecot"
		# warm-up (Dovecot starts its auth-workers on demand)
		run_load "$AUTHD_SOCK" "$login" 2 >/dev/null
		run_load "$DOVECOT_SOCK" "$login" 2 >/dev/null
		r=0
		while [ $r -lt "$ROUNDS" ]; do
			r=$((r + 1))
			for peer in authd dovecot; do
				if [ $peer = authd ]; then
					line=$(timed_load "$AUTHD_PID" \
						"$AUTHD_SOCK" "$login" \
						"$RUN_SECONDS")
				else
					line=$(timed_load "$DOVECOT_PID" \
						"$DOVECOT_SOCK" "$login" \
						"$RUN_SECONDS")
				fi
				echo "$c $peer round $r: $line" >&2
				printf '%s\n' "$line" >>"$W/$c.$peer"
			done
		done
		printf '%s\t%s\t%s\n' "$c" \
			"$(median_line "$W/$c.authd" rps)" \
			"$(median_line "$W/$c.dovecot" rps)" >>"$RESULTS"
	done
	stop_pid "$AUTHD_PID"
	stop_pid "$DOVECOT_PID"
}

FILE_PASSDB="passdb {
  driver = passwd-file
  args = $W/passwd
}"
SQL_PASSDB="passdb {
  driver = sql
  args = $W/dovecot-sql.conf.ext
}"
case " $CASES " in *" file-"*)
	bench_backend file "passwd-file:$W/passwd" "$FILE_PASSDB" ;;
esac
case " $CASES " in *" sql-"*)
	bench_backend sql "dovecot-sql:$W/dovecot-sql.conf.ext" "$SQL_PASSDB" ;;
esac

# --- table -------------------------------------------------------------------
printf '\n%-12s %10s %10s %9s %9s %7s %7s %9s %9s %7s %s\n' case \
	"authd r/s" "dcot r/s" "authd p99" "dcot p99" "r/s x" "p99 x" \
	"authd cpu" "dcot cpu" "cpu x" "fails a/d"
while IFS="$(printf '\t')" read -r c la ld; do
	ra=$(field rps "$la")
	rd=$(field rps "$ld")
	pa=$(field p99_ms "$la")
	pd=$(field p99_ms "$ld")
	ca=$(field cpu_us "$la")
	cd=$(field cpu_us "$ld")
	printf '%-12s %10s %10s %7sms %7sms %7s %7s %7sus %7sus %7s %s/%s\n' \
		"$c" "$ra" "$rd" "$pa" "$pd" "$(ratio "$ra" "$rd")" \
		"$(ratio "$pa" "$pd")" "$ca" "$cd" "$(ratio "$ca" "$cd")" \
		"$(field fail "$la")" "$(field fail "$ld")"
done <"$RESULTS"
echo "(r/s x = authd/Dovecot throughput, target >= 2; p99 x = authd/Dovecot" \
	"p99 latency, target < 1; cpu = server CPU time per request, all its" \
	"threads/processes; cpu x = authd/Dovecot; median run of $ROUNDS)"

# --- RSS with idle connections -----------------------------------------------
# rss_kb PID - VmRSS of one process in kB
rss_kb() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$1/status"; }

# idle_rss SOCK PID... - RSS of the PIDs (summed) with IDLE_CONNS idle
# client connections; prints "before after"
idle_rss() {
	local sock=$1 before=0 after=0 p n=0 lpid
	shift
	for p in "$@"; do before=$((before + $(rss_kb "$p"))); done
	"$LOAD" -s "unix:$sock" -i "$IDLE_CONNS" -t 120 >"$W/idle.out" \
		2>"$W/idle.err" &
	lpid=$!
	while [ $n -lt 1200 ] && kill -0 "$lpid" 2>/dev/null &&
		! grep -q '^ready' "$W/idle.out"; do
		sleep 0.1
		n=$((n + 1))
	done
	if ! grep -q '^ready' "$W/idle.out"; then
		echo "idle connections failed: $(cat "$W/idle.out" \
			"$W/idle.err" | tail -3)" >&2
		stop_pid "$lpid"
		echo "$before -"
		return
	fi
	sleep 1
	for p in "$@"; do after=$((after + $(rss_kb "$p"))); done
	stop_pid "$lpid"
	echo "$before $after"
}

start_authd rss "passwd-file:$W/passwd"
run_load "$AUTHD_SOCK" sha512@example.com 2 >/dev/null
read -r a0 a1 <<EOF
$(idle_rss "$AUTHD_SOCK" "$AUTHD_PID")
EOF
stop_pid "$AUTHD_PID"
start_dovecot rss "$FILE_PASSDB"
run_load "$DOVECOT_SOCK" sha512@example.com 2 >/dev/null
dauth=$(pgrep -P "$DOVECOT_PID" -x auth | head -1)
if [ -n "$dauth" ]; then
	read -r d0 d1 <<EOF
$(idle_rss "$DOVECOT_SOCK" "$dauth")
EOF
else
	d0=- d1=-
fi
stop_pid "$DOVECOT_PID"
echo
echo "RSS with $IDLE_CONNS idle client connections (VmRSS, after a short load):"
echo "  postwarden-authd:        ${a0} kB before, ${a1} kB with them" \
	"(target < 32768 kB)"
echo "  Dovecot auth process:    ${d0} kB before, ${d1} kB with them" \
	"(master, anvil, log, config processes not counted)"
