#!/bin/bash
# authd_postfix.sh - a real Postfix smtpd (private instance on a loopback
# port, tests/integration/postfix.sh) using postwarden-authd for SASL
# (smtpd_sasl_type = dovecot, smtpd_sasl_path = private/auth), driven
# with swaks:
#
#   - AUTH is not offered before STARTTLS (smtpd_tls_auth_only = yes),
#     and PLAIN and LOGIN are offered after it;
#   - PLAIN and LOGIN get 235 with the right password, 535 with a wrong
#     one; postwarden auth-test agrees (exit 0 / 1);
#   - a passdb outage gives the SMTP client 454 (authd closes the
#     connection; a FAIL would be a permanent 535), auth-test exits 75;
#     once the database is back, logins work again (smtpd reconnects
#     after at most two more 454s, see the protocol notes). A mysql:
#     table skips a failed server for 60 s, as Postfix's do, so the
#     MariaDB part waits that long: it takes about 90 s.
#
# Two passdbs, with users made by "postwarden mailbox add
# --password-stdin": an SQLite database (outage: the table is renamed
# away and back), and a private MariaDB server (tests/integration/
# mariadb.sh) through a PostfixAdmin-style mysql: .cf (outage: the server
# is stopped by PID and started again on the same socket). Without
# MariaDB only the SQLite part runs.
#
# Environment: abs_top_builddir, srcdir. Exit: 0 pass, 1 fail, 77 skip,
# 99 harness error.

set -u
LC_ALL=C.UTF-8
export LC_ALL

srcdir=${srcdir:-$(dirname "$0")}
abs_top_builddir=${abs_top_builddir:-$(cd ../.. && pwd)}
AUTHD=${POSTWARDEN_AUTHD:-$abs_top_builddir/authd/postwarden-authd}
PW=${POSTWARDEN:-$abs_top_builddir/cli/postwarden}
[ -x "$AUTHD" ] || { echo "authd_postfix.sh: $AUTHD not built" >&2; exit 99; }
[ -x "$PW" ] || { echo "authd_postfix.sh: $PW not built" >&2; exit 99; }
POSTWARDEN=$PW
export POSTWARDEN
command -v sqlite3 >/dev/null ||
	{ echo "SKIP: sqlite3 not installed" >&2; exit 77; }

. "$srcdir/postfix.sh"
. "$srcdir/mariadb.sh"

postfix_init
work=$POSTFIX_DIR/authd
mkdir "$work" || exit 99
authd_pid=
cleanup() {
	stop_authd
	postfix_stop
	mariadb_stop
}
trap cleanup EXIT

fails=0
checks=0
# check DESCRIPTION EXPECTED GOT
check() {
	checks=$((checks + 1))
	if [ "$2" = "$3" ]; then
		echo "ok: $1"
	else
		echo "FAIL: $1: expected $2, got $3"
		fails=$((fails + 1))
	fi
}

SOCK=$POSTFIX_QUEUE/private/auth
# start_authd PASSDB [LINE...] - authd on the socket smtpd uses, as
# Postfix's chroot layout wants it: owner postfix, group postfix, mode
# 0660; LINEs are more config lines
start_authd() {
	{
		cat <<EOF
authd_listen = unix:$SOCK
authd_listen_owner = postfix
authd_listen_group = postfix
authd_listen_mode = 0660
authd_user =
authd_passdb = $1
authd_mechanisms = plain login
authd_failure_delay = 1s
authd_penalty_base = 1s
authd_penalty_max = 1s
authd_workers = 2
EOF
		shift
		printf '%s\n' "$@"
	} >"$work/authd.conf"
	"$AUTHD" -f -c "$work/authd.conf" 2>>"$work/authd.log" &
	authd_pid=$!
	for _i in $(seq 1 50); do
		[ -S "$SOCK" ] && return 0
		kill -0 "$authd_pid" 2>/dev/null || break
		sleep 0.1
	done
	cat "$work/authd.log" >&2
	echo "authd_postfix.sh: authd did not start" >&2
	exit 99
}

stop_authd() {
	if [ -n "$authd_pid" ] && kill -0 "$authd_pid" 2>/dev/null; then
		kill -TERM "$authd_pid"
		wait "$authd_pid" 2>/dev/null
	fi
	authd_pid=
}

# auth_reply MECH LOGIN PASSWORD - the SMTP reply code to AUTH, after
# STARTTLS (swaks marks server lines "<~ " under TLS, "<~*" for errors)
auth_reply() {
	postfix_swaks -tls --auth "$1" --auth-user "$2" --auth-password "$3" \
		--quit-after AUTH >"$work/swaks.out"
	sed -n 's/^<~[* ] *\([0-9][0-9][0-9]\)[ -].*/\1/p' "$work/swaks.out" |
		grep -v -x -e 220 -e 221 -e 250 -e 334 | tail -n 1 |
		grep . || echo none
}

# auth_test [OPTIONS] LOGIN PASSWORD - exit status of postwarden auth-test
auth_test() {
	_pwd=${*: -1}
	set -- "${@:1:$#-1}"
	printf '%s\n' "$_pwd" | "$PW" auth-test "$@" >"$work/auth-test.out" 2>&1
	echo $?
}

# until_235 - log in until 235 (at most 5 tries); print the tries
until_235() {
	for _t in 1 2 3 4 5; do
		if [ "$(auth_reply PLAIN alice@example.com Alice-pw1)" = 235 ]; then
			echo "$_t"
			return 0
		fi
		sleep 0.5
	done
	echo never
}

postfix_param smtpd_sasl_auth_enable yes
postfix_param smtpd_sasl_type dovecot
postfix_param smtpd_sasl_path private/auth
postfix_param smtpd_tls_auth_only yes
postfix_param smtpd_sasl_security_options noanonymous

# users: the same in both databases, made with the admin CLI
add_users() {
	"$PW" db init -c "$1" >/dev/null &&
		"$PW" domain add -c "$1" example.com >/dev/null &&
		printf 'Alice-pw1\n' | "$PW" mailbox add -c "$1" \
			alice@example.com --password-stdin >/dev/null &&
		printf 'b0b pass\n' | "$PW" mailbox add -c "$1" \
			bob@example.com --password-stdin >/dev/null ||
		{ echo "authd_postfix.sh: adding users failed" >&2; exit 99; }
}

# common_checks NAME - the SMTP and auth-test checks on a working passdb
common_checks() {
	postfix_swaks --quit-after EHLO >"$work/ehlo.out"
	check "$1: no AUTH before STARTTLS" 0 \
		"$(grep -c '^<-  250[- ]AUTH' "$work/ehlo.out")"
	postfix_swaks -tls --quit-after EHLO >"$work/ehlo.out"
	check "$1: AUTH PLAIN LOGIN after STARTTLS" 1 \
		"$(grep -c '^<~  250[- ]AUTH PLAIN LOGIN$' "$work/ehlo.out")"
	check "$1: PLAIN, right password" 235 \
		"$(auth_reply PLAIN alice@example.com Alice-pw1)"
	check "$1: LOGIN, right password" 235 \
		"$(auth_reply LOGIN bob@example.com 'b0b pass')"
	check "$1: PLAIN, upper-case login" 235 \
		"$(auth_reply PLAIN Alice@Example.COM Alice-pw1)"
	check "$1: PLAIN, wrong password" 535 \
		"$(auth_reply PLAIN alice@example.com wrong)"
	check "$1: LOGIN, wrong password" 535 \
		"$(auth_reply LOGIN bob@example.com 'b0b Pass')"
	check "$1: PLAIN, unknown user" 535 \
		"$(auth_reply PLAIN nobody@example.com Alice-pw1)"
	check "$1: auth-test -c, right password" 0 \
		"$(auth_test -c "$work/authd.conf" alice@example.com Alice-pw1)"
	check "$1: auth-test prints the result" 1 \
		"$(grep -c '^passdb: alice@example.com auth succeeded$' \
			"$work/auth-test.out")"
	check "$1: auth-test -m LOGIN, right password" 0 \
		"$(auth_test -s "unix:$SOCK" -m LOGIN bob@example.com 'b0b pass')"
	check "$1: auth-test, wrong password" 1 \
		"$(auth_test -s "$SOCK" alice@example.com nope)"
	check "$1: auth-test prints the failure" 1 \
		"$(grep -c '^passdb: alice@example.com auth failed$' \
			"$work/auth-test.out")"
}

# outage_checks NAME - with the passdb down: 454, never 235 or 535
outage_checks() {
	check "$1 down: PLAIN gets 454" 454 \
		"$(auth_reply PLAIN alice@example.com Alice-pw1)"
	check "$1 down: LOGIN gets 454" 454 \
		"$(auth_reply LOGIN bob@example.com 'b0b pass')"
	check "$1 down: auth-test exits 75" 75 \
		"$(auth_test -s "$SOCK" alice@example.com Alice-pw1)"
}

# --- SQLite --------------------------------------------------------------
printf 'db_type = sqlite\ndb_path = %s/users.db\n' "$work" >"$work/pw.conf"
add_users "$work/pw.conf"
cat >"$work/sqlite-passdb.cf" <<EOF
dbpath = $work/users.db
query = SELECT password FROM mailbox WHERE username='%s' AND active='1'
EOF
start_authd "sqlite:$work/sqlite-passdb.cf"
postfix_start
echo "== postfix on 127.0.0.1:$POSTFIX_PORT, authd on $SOCK (sqlite)"
common_checks sqlite
sqlite3 "$work/users.db" "ALTER TABLE mailbox RENAME TO mailbox_away" ||
	exit 99
outage_checks sqlite
sqlite3 "$work/users.db" "ALTER TABLE mailbox_away RENAME TO mailbox" ||
	exit 99
tries=$(until_235)
echo "sqlite back: 235 after $tries tries"
case $tries in
[123]) check "sqlite back: logins work again (<= 3 tries)" ok ok ;;
*) check "sqlite back: logins work again (<= 3 tries)" "1-3" "$tries" ;;
esac
stop_authd
if grep -Eq 'Alice-pw1|b0b pass|\$6\$|\$2y\$|\$argon2' "$work/authd.log"; then
	check "sqlite: no password or hash in authd's log" clean dirty
fi

# --- MariaDB -------------------------------------------------------------
if ! mariadb_find_prog mariadbd mysqld >/dev/null; then
	echo "SKIP mariadb part: mariadbd not installed"
elif ! mariadb_client_built; then
	echo "SKIP mariadb part: postwarden built without MySQL support"
else
	mariadb_start
	trap cleanup EXIT
	cat >"$work/my.conf" <<EOF
db_type = mysql
db_hosts = unix:$MARIADB_SOCKET
db_user = $MARIADB_USER
db_password = $MARIADB_PASSWORD
db_name = $MARIADB_DB
EOF
	chmod 600 "$work/my.conf"
	add_users "$work/my.conf"
	cat >"$work/mysql-passdb.cf" <<EOF
hosts = unix:$MARIADB_SOCKET
user = $MARIADB_USER
password = $MARIADB_PASSWORD
dbname = $MARIADB_DB
query = SELECT password FROM mailbox WHERE username='%s' AND active='1'
EOF
	chmod 600 "$work/mysql-passdb.cf"
	# carol's password is stored in a weak scheme: rehash-on-login
	carol_md5=$(printf '%s' 'Carol-pw3' | md5sum | cut -d' ' -f1)
	printf 'x\n' | "$PW" mailbox add -c "$work/my.conf" \
		carol@example.com --password-stdin >/dev/null &&
		mariadb_sql "UPDATE mailbox SET password='{PLAIN-MD5}$carol_md5'
			WHERE username='carol@example.com'" >/dev/null ||
		{ echo "authd_postfix.sh: cannot add carol" >&2; exit 99; }
	start_authd "mysql:$work/mysql-passdb.cf" \
		"authd_rehash_query = UPDATE mailbox SET password='%p' WHERE username='%u'"
	# smtpd keeps its connection to the old authd: start new smtpds
	"$POSTFIX_CMD" -c "$POSTFIX_CONF" reload >/dev/null 2>&1
	sleep 1
	echo "== authd on $SOCK (mysql, MariaDB on $MARIADB_SOCKET)"
	common_checks mariadb
	carol_stored() {
		mariadb_sql "SELECT password FROM mailbox
			WHERE username='carol@example.com'"
	}
	check "mariadb rehash: a wrong password leaves the weak hash" \
		"535 {PLAIN-MD5}$carol_md5" \
		"$(auth_reply PLAIN carol@example.com wrong) $(carol_stored)"
	check "mariadb rehash: PLAIN-MD5 login" 235 \
		"$(auth_reply PLAIN carol@example.com Carol-pw3)"
	case $(carol_stored) in
	'{SHA512-CRYPT}$6$'*) check "mariadb rehash: stored as SHA512-CRYPT" ok ok ;;
	*) check "mariadb rehash: stored as SHA512-CRYPT" '{SHA512-CRYPT}$6$...' \
		"$(carol_stored | cut -c1-20)" ;;
	esac
	check "mariadb rehash: login against the new hash" 235 \
		"$(auth_reply PLAIN carol@example.com Carol-pw3)"
	check "mariadb rehash: wrong password after it" 535 \
		"$(auth_reply PLAIN carol@example.com Carol-pw4)"

	# Stop the server by PID, keeping its data, then start it again.
	mariadb_pause
	outage_checks mariadb
	down_at=$(date +%s)
	mariadb_resume
	# mysql: tables skip a failed host for 60 s, as Postfix's do, and
	# each authd worker has its own connection: wait until every
	# worker's window (opened by the last failures above) has passed.
	while [ $(($(date +%s) - down_at)) -lt 62 ]; do
		sleep 1
	done
	tries=$(until_235)
	echo "mariadb back: 235 after $tries tries"
	case $tries in
	[123]) check "mariadb back: logins work again (<= 3 tries)" ok ok ;;
	*) check "mariadb back: logins work again (<= 3 tries)" "1-3" "$tries" ;;
	esac
	check "mariadb back: auth-test exits 0" 0 \
		"$(auth_test -s "$SOCK" alice@example.com Alice-pw1)"
	stop_authd
fi

echo "authd_postfix.sh: $checks checks, $fails failed"
[ $fails = 0 ]
