#!/bin/bash
# passdb_mysql.sh - authd's passdb against a private MariaDB server:
# a mysql:/x.cf table (PostfixAdmin query) and a dovecot-sql.conf.ext,
# hostile logins (quotes, %, backslashes, UTF-8) that must not inject,
# and an outage: server stopped -> TEMPFAIL (never NOUSER), restarted ->
# FOUND again on the same handle.
#
# Environment: srcdir, abs_top_builddir. Exit: 0 pass, 1 fail, 77 skip,
# 99 harness error.

set -u
LC_ALL=C.UTF-8
export LC_ALL

srcdir=${srcdir:-$(dirname "$0")}
abs_top_builddir=${abs_top_builddir:-$(cd ../.. && pwd)}
PROBE=${PASSDB_PROBE:-$abs_top_builddir/tests/integration/passdb_probe}
[ -x "$PROBE" ] || { echo "passdb_mysql.sh: $PROBE not built" >&2; exit 99; }

. "$srcdir/mariadb.sh"
mariadb_client_built || mariadb_skip "postwarden built without MySQL support"
mariadb_start

FAILS=0
fail() {
	echo "FAIL: $*" >&2
	FAILS=$((FAILS + 1))
}

mariadb_sql "
CREATE TABLE mailbox (username VARCHAR(255) NOT NULL PRIMARY KEY,
	password VARCHAR(255) NOT NULL, active TINYINT(1) NOT NULL DEFAULT 1)
	DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
INSERT INTO mailbox VALUES
	('alice@example.com', '{PLAIN}alice-pw', 1),
	('old@example.com', '{PLAIN}old', 0),
	('o''brien@example.com', '{PLAIN}irish', 1),
	('back\\\\slash@example.com', '{PLAIN}bs', 1),
	('pct%u@example.com', '{PLAIN}pct', 1),
	('ünï@exämple.com', '{PLAIN}utf8', 1);" ||
	{ echo "passdb_mysql.sh: cannot create the table" >&2; exit 99; }

W=$MARIADB_DIR/work
mkdir -p "$W"
cat >"$W/mailbox.cf" <<CF
hosts = unix:$MARIADB_SOCKET
user = $MARIADB_USER
password = $MARIADB_PASSWORD
dbname = $MARIADB_DB
query = SELECT password FROM mailbox WHERE username='%s' AND active='1'
CF
cat >"$W/dovecot-sql.conf.ext" <<CF
# as Dovecot reads it, over TCP this time
driver = mysql
connect = host=127.0.0.1 port=$MARIADB_PORT dbname=$MARIADB_DB user=$MARIADB_USER password=$MARIADB_PASSWORD
default_pass_scheme = MD5-CRYPT
password_query = SELECT username AS user, password FROM mailbox \\
	WHERE username = '%u' AND active = '1'
CF
chmod 600 "$W/mailbox.cf" "$W/dovecot-sql.conf.ext"

# hostile logins: every one must be NOUSER and leave the table intact
HOSTILE=(
	"x' OR '1'='1"
	"x' OR 1=1 -- "
	"'; DROP TABLE mailbox; --"
	"alice@example.com' -- "
	"alice@example.com\\"
	"\\' OR 1=1 #"
	"\\\\' OR 1=1 #"
	"%"
	"%u"
	"\" OR \"\"=\""
	"üü' OR ''='"
)

# lookups SPEC LOGIN... - one probe process, one result line per login
lookups() {
	local spec=$1
	shift
	printf '%s\n' "$@" | "$PROBE" "$spec"
}

check_spec() {
	local spec=$1 name=$2 out i
	out=$(lookups "$spec" alice@example.com ALICE@Example.com \
		old@example.com nobody@example.com "o'brien@example.com" \
		'back\slash@example.com' 'pct%u@example.com' \
		'ünï@exämple.com')
	mapfile -t res <<<"$out"
	[[ ${res[0]} == "FOUND {PLAIN}alice-pw"* ]] || fail "$name alice: ${res[0]}"
	# MariaDB's collation is case-insensitive, as for Postfix
	[[ ${res[1]} == "FOUND {PLAIN}alice-pw"* ]] || fail "$name ALICE: ${res[1]}"
	[ "${res[2]}" = NOUSER ] || fail "$name inactive: ${res[2]}"
	[ "${res[3]}" = NOUSER ] || fail "$name unknown: ${res[3]}"
	[[ ${res[4]} == "FOUND {PLAIN}irish"* ]] || fail "$name quote: ${res[4]}"
	[[ ${res[5]} == "FOUND {PLAIN}bs"* ]] || fail "$name backslash: ${res[5]}"
	[[ ${res[6]} == "FOUND {PLAIN}pct"* ]] || fail "$name percent: ${res[6]}"
	[[ ${res[7]} == "FOUND {PLAIN}utf8"* ]] || fail "$name utf8: ${res[7]}"
	out=$(lookups "$spec" "${HOSTILE[@]}")
	mapfile -t res <<<"$out"
	for i in "${!HOSTILE[@]}"; do
		[ "${res[$i]}" = NOUSER ] ||
			fail "$name hostile login <${HOSTILE[$i]}>: ${res[$i]}"
	done
	[ "$(mariadb_sql 'SELECT COUNT(*) FROM mailbox')" = 6 ] ||
		fail "$name: the table changed"
}

check_spec "mysql:$W/mailbox.cf" mysql
check_spec "dovecot-sql:$W/dovecot-sql.conf.ext" dovecot-sql
out=$(lookups "dovecot-sql:$W/dovecot-sql.conf.ext" alice@example.com)
[ "$out" = "FOUND {PLAIN}alice-pw alice@example.com" ] ||
	fail "dovecot-sql user column: $out"

# outage: one long-lived probe per backend, fed through FIFOs
mkfifo "$W/dov.in" "$W/dov.out" "$W/map.in" "$W/map.out" ||
	{ echo "mkfifo failed" >&2; exit 99; }
"$PROBE" "dovecot-sql:$W/dovecot-sql.conf.ext" <"$W/dov.in" >"$W/dov.out" &
DOV_PID=$!
"$PROBE" "mysql:$W/mailbox.cf" <"$W/map.in" >"$W/map.out" &
MAP_PID=$!
exec {dov_w}>"$W/dov.in" {dov_r}<"$W/dov.out"
exec {map_w}>"$W/map.in" {map_r}<"$W/map.out"
trap 'kill "$DOV_PID" "$MAP_PID" 2>/dev/null; mariadb_stop' EXIT
DOV=("$dov_r" "$dov_w")
MAP=("$map_r" "$map_w")
ask() { # ask FD_IN FD_OUT LOGIN -> one result line (bounded wait)
	local line
	printf '%s\n' "$3" >&"$1"
	IFS= read -r -t 60 line <&"$2" || line="NO ANSWER"
	printf '%s\n' "$line"
}
r=$(ask "${DOV[1]}" "${DOV[0]}" alice@example.com)
[[ $r == FOUND* ]] || fail "dovecot-sql before the outage: $r"
r=$(ask "${MAP[1]}" "${MAP[0]}" alice@example.com)
[[ $r == FOUND* ]] || fail "mysql before the outage: $r"

# stop the server (by PID), keep its data directory
mariadb_pause

for who in DOV MAP; do
	if [ $who = DOV ]; then
		r=$(ask "${DOV[1]}" "${DOV[0]}" alice@example.com)
	else
		r=$(ask "${MAP[1]}" "${MAP[0]}" alice@example.com)
	fi
	[[ $r == TEMPFAIL* ]] || fail "$who while the server is down: $r"
done

# restart on the same socket and port
mariadb_resume

# dovecot-sql reconnects on the next lookup
r=$(ask "${DOV[1]}" "${DOV[0]}" alice@example.com)
[[ $r == FOUND* ]] || fail "dovecot-sql after the restart: $r"
# mysql: tables skip a failed host for 60 s, as Postfix 3.7 does; set
# PASSDB_MYSQL_WAIT_RETRY=yes to wait for it
if [ "${PASSDB_MYSQL_WAIT_RETRY:-no}" = yes ]; then
	sleep 61
	r=$(ask "${MAP[1]}" "${MAP[0]}" alice@example.com)
	[[ $r == FOUND* ]] || fail "mysql after the restart: $r"
fi

# EOF ends the probes; stop them by PID in any case
exec {dov_w}>&- {map_w}>&- {dov_r}<&- {map_r}<&-
kill "$DOV_PID" "$MAP_PID" 2>/dev/null
wait "$DOV_PID" "$MAP_PID" 2>/dev/null

if [ $FAILS -gt 0 ]; then
	echo "passdb_mysql.sh: $FAILS failures" >&2
	exit 1
fi
echo "passdb_mysql.sh: all checks passed"
exit 0
