#!/bin/bash
# query_errors.sh - "postwarden query" when something is wrong.
#
# postmap exits 1 for "not found" and after a fatal error alike (and
# sleeps a second first). postwarden must instead exit with a distinct
# status from cli.h, print a clear message on stderr and nothing on
# stdout: 64 usage, 65 bad input, 75 database unreachable or query
# failed, 78 missing, unreadable or malformed .cf or bad table type.
# Where postmap also has an answer (unknown parameters), it must match.
#
# Environment: POSTWARDEN, srcdir, POSTMAP, QUERY_ERRORS_POSTMAP=no to
# skip the checks that postmap fails too (each costs it a 1 s sleep).
# Exit: 0 pass, 1 fail, 77 skipped, 99 harness error.

set -u
LC_ALL=C
export LC_ALL

srcdir=${srcdir:-$(dirname "$0")}
top_builddir=${top_builddir:-../..}
POSTWARDEN=${POSTWARDEN:-$top_builddir/cli/postwarden}
CHECK_POSTMAP=${QUERY_ERRORS_POSTMAP:-yes}

die() {
	echo "query_errors.sh: $*" >&2
	exit 99
}
[ -x "$POSTWARDEN" ] || die "postwarden binary not found: $POSTWARDEN"
POSTMAP=${POSTMAP:-$(command -v postmap || echo /usr/sbin/postmap)}
if [ ! -x "$POSTMAP" ]; then
	echo "note: postmap not found; not comparing with it" >&2
	CHECK_POSTMAP=no
fi
command -v sqlite3 >/dev/null 2>&1 || { echo "SKIP: sqlite3 not found" >&2; exit 77; }

W=$(mktemp -d "${TMPDIR:-/tmp}/pwqe.XXXXXX") || die "mktemp failed"
chmod 755 "$W"	# user nobody reads the .cf files in here
cleanup_work() {
	[ -n "${W:-}" ] && rm -rf "$W"
}

. "$srcdir/mariadb.sh"
HAVE_MYSQL=no
if mariadb_client_built &&
	mariadb_find_prog mariadbd mysqld >/dev/null &&
	mariadb_find_prog mariadb-install-db mysql_install_db >/dev/null; then
	HAVE_MYSQL=yes
	mariadb_start
	trap 'mariadb_stop; cleanup_work' EXIT
else
	echo "note: no MariaDB server or a build without MySQL;" \
		"mysql: cases that need one are skipped" >&2
	trap cleanup_work EXIT
fi
trap 'exit 130' INT TERM HUP
DEADPORT=$(mariadb_free_port) || die "no free port"

mkdir -p "$W/pf"
echo 'compatibility_level = 3.6' >"$W/pf/main.cf"
DB=$W/db.sqlite
sqlite3 "$DB" "CREATE TABLE kv (k text, v text);
	INSERT INTO kv VALUES ('alice@example.com', 'a1'),
	('multi@example.com', 'm1'), ('multi@example.com', 'm2');" ||
	die "sqlite3 failed"
if [ $HAVE_MYSQL = yes ]; then
	mariadb_sql "CREATE TABLE kv (k varchar(255), v varchar(255));
		CREATE TABLE l1 (k varchar(255)) CHARACTER SET latin1;
		INSERT INTO kv VALUES ('alice@example.com', 'a1'),
		('multi@example.com', 'm1'), ('multi@example.com', 'm2');" ||
		die "mariadb failed"
fi

fails=0
passes=0
skips=0

pass() {
	passes=$((passes + 1))
	echo "ok: $1"
}
fail() {
	fails=$((fails + 1))
	echo "FAIL: $1"
	printf '  rc=%s stdout=%q\n  stderr=%s\n' "$rc" "$(cat "$W/out")" \
		"$(head -c 600 "$W/err")"
}
skip() {
	skips=$((skips + 1))
	echo "skip: $1"
}

# run ARGS... - postwarden query ARGS; sets rc, fills $W/out and $W/err
run() {
	"$POSTWARDEN" query "$@" <"$W/stdin" >"$W/out" 2>"$W/err"
	rc=$?
}

# expect_error NAME STATUS STDERR_ERE ARGS... - exit STATUS, nothing on
# stdout, a message matching STDERR_ERE on stderr
expect_error() {
	local name=$1 want=$2 msg=$3
	shift 3
	run "$@"
	if [ "$rc" != "$want" ]; then
		fail "$name: exit $rc, want $want"
	elif [ -s "$W/out" ]; then
		fail "$name: stdout not empty"
	elif ! grep -Eq -- "$msg" "$W/err"; then
		fail "$name: stderr does not match /$msg/"
	else
		pass "$name (exit $rc)"
	fi
}

# postmap_fails NAME ARGS... - postmap -q ARGS ends in a fatal error too
postmap_fails() {
	local name=$1
	shift
	[ "$CHECK_POSTMAP" = yes ] || return 0
	"$POSTMAP" -c "$W/pf" "$@" <"$W/stdin" >"$W/pm.out" 2>"$W/pm.err"
	if grep -q 'fatal:' "$W/pm.err"; then
		pass "$name: postmap fails too"
	else
		fail "$name: postmap did not fail: $(cat "$W/pm.err")"
	fi
}

# same_answer NAME ARGS... - same stdout and status as postmap
same_answer() {
	local name=$1
	shift
	run "$@"
	[ "$CHECK_POSTMAP" = yes ] || { pass "$name (exit $rc)"; return; }
	"$POSTMAP" -c "$W/pf" "$@" <"$W/stdin" >"$W/pm.out" 2>"$W/pm.err"
	local pm_rc=$?
	if [ "$pm_rc" = "$rc" ] && cmp -s "$W/out" "$W/pm.out"; then
		pass "$name: same answer as postmap (exit $rc)"
	else
		fail "$name: postmap said rc=$pm_rc stdout=$(cat "$W/pm.out")"
	fi
}

: >"$W/stdin"
SQ="query = SELECT v FROM kv WHERE k='%s'"

# --- command line: 64 -----------------------------------------------------
expect_error "no arguments" 64 "usage" 
expect_error "-q without a table" 64 "usage" -q alice@example.com
expect_error "table without -q" 64 "usage" "sqlite:$W/x.cf"
expect_error "unknown option" 64 "usage" -Z -q x "sqlite:$W/x.cf"
expect_error "-q without its argument" 64 "usage" -q

# --- table type: 78 -------------------------------------------------------
printf 'dbpath = %s\n%s\n' "$DB" "$SQ" >"$W/good.cf"
expect_error "bad table type" 78 "unsupported table type" \
	-q alice@example.com "hash:$W/good.cf"
postmap_fails "bad table type" -q alice@example.com "nosuchtype:$W/good.cf"
expect_error "unknown table type" 78 "unsupported table type" \
	-q alice@example.com "nosuchtype:$W/good.cf"
expect_error "no table type" 78 "table type|mysql:|sqlite:" \
	-q alice@example.com "$W/good.cf"
expect_error "bad type after a good table" 78 "unsupported table type" \
	-q alice@example.com "sqlite:$W/good.cf" "pgsql:$W/good.cf"

# --- .cf file: 78 ---------------------------------------------------------
expect_error "missing .cf" 78 "no-such\\.cf" \
	-q alice@example.com "sqlite:$W/no-such.cf"
postmap_fails "missing .cf" -q alice@example.com "sqlite:$W/no-such.cf"
expect_error "missing .cf after a good table" 78 "no-such\\.cf" \
	-q alice@example.com "sqlite:$W/good.cf" "sqlite:$W/no-such.cf"

printf 'dbpath = %s\n%s\nthis line has no equals sign\n' "$DB" "$SQ" \
	>"$W/malformed.cf"
expect_error "malformed .cf" 78 "malformed\\.cf" \
	-q alice@example.com "sqlite:$W/malformed.cf"
postmap_fails "malformed .cf" -q alice@example.com "sqlite:$W/malformed.cf"

printf '%s\n' "$SQ" >"$W/nodbpath.cf"
expect_error "sqlite .cf without dbpath" 78 "dbpath" \
	-q alice@example.com "sqlite:$W/nodbpath.cf"

printf 'dbpath = %s\nquery = SELECT v FROM kv WHERE k=%%x\n' "$DB" \
	>"$W/badtemplate.cf"
expect_error "invalid query template" 78 "badtemplate\\.cf" \
	-q alice@example.com "sqlite:$W/badtemplate.cf"
postmap_fails "invalid query template" -q alice@example.com \
	"sqlite:$W/badtemplate.cf"

printf 'dbpath = %s\n%s\nexpansion_limit = lots\n' "$DB" "$SQ" \
	>"$W/badnumber.cf"
expect_error "bad expansion_limit" 78 "expansion_limit" \
	-q alice@example.com "sqlite:$W/badnumber.cf"

printf 'dbpath = %s\n%s\n' "$DB" "$SQ" >"$W/unreadable.cf"
chmod 000 "$W/unreadable.cf"
if [ "$(id -u)" != 0 ]; then
	expect_error "unreadable .cf" 78 "unreadable\\.cf" \
		-q alice@example.com "sqlite:$W/unreadable.cf"
elif command -v setpriv >/dev/null 2>&1 &&
	setpriv --reuid=nobody --regid=nogroup --clear-groups \
		test -x "$POSTWARDEN" 2>/dev/null; then
	setpriv --reuid=nobody --regid=nogroup --clear-groups \
		"$POSTWARDEN" query -q alice@example.com \
		"sqlite:$W/unreadable.cf" <"$W/stdin" >"$W/out" 2>"$W/err"
	rc=$?
	if [ $rc = 78 ] && [ ! -s "$W/out" ] &&
		grep -q 'unreadable\.cf' "$W/err"; then
		pass "unreadable .cf, as user nobody (exit $rc)"
	else
		fail "unreadable .cf, as user nobody: want 78"
	fi
else
	skip "unreadable .cf: root reads anyway, and user nobody cannot run $POSTWARDEN"
fi

# --- unknown parameters: a warning, and postmap's answer -----------------
printf 'dbpath = %s\n%s\nno_such_parameter = 1\ncharset = utf8mb4\n' \
	"$DB" "$SQ" >"$W/unknown.cf"
same_answer "unknown parameter, found" -q alice@example.com \
	"sqlite:$W/unknown.cf"
if grep -q 'no_such_parameter' "$W/err"; then
	pass "unknown parameter: warning names it"
else
	fail "unknown parameter: no warning naming no_such_parameter"
fi
same_answer "unknown parameter, not found" -q bob@example.com \
	"sqlite:$W/unknown.cf"

# --- database unreachable or query failing: 75 ---------------------------
printf 'dbpath = %s/no-such-dir/db.sqlite\n%s\n' "$W" "$SQ" >"$W/nodir.cf"
run -q alice@example.com "sqlite:$W/nodir.cf"
if { [ $rc = 75 ] || [ $rc = 78 ]; } && [ ! -s "$W/out" ] && [ -s "$W/err" ]; then
	pass "sqlite dbpath in a missing directory (exit $rc)"
else
	fail "sqlite dbpath in a missing directory: want 75 or 78"
fi

# sqlite3_open creates a missing file; the query then finds no table.
printf 'dbpath = %s/missing.sqlite\n%s\n' "$W" "$SQ" >"$W/nofile.cf"
run -q alice@example.com "sqlite:$W/nofile.cf"
if { [ $rc = 75 ] || [ $rc = 78 ]; } && [ ! -s "$W/out" ] && [ -s "$W/err" ]; then
	pass "sqlite dbpath that does not exist (exit $rc)"
else
	fail "sqlite dbpath that does not exist: want 75 or 78"
fi
rm -f "$W/missing.sqlite"
postmap_fails "sqlite dbpath that does not exist" -q alice@example.com \
	"sqlite:$W/nofile.cf"
rm -f "$W/missing.sqlite"

printf 'dbpath = %s\nquery = SELECT v FROM no_such_table WHERE k='"'"'%%s'"'"'\n' \
	"$DB" >"$W/notable.cf"
expect_error "sqlite: no such table" 75 "no such table" \
	-q alice@example.com "sqlite:$W/notable.cf"

printf 'dbpath = %s\n%s\nexpansion_limit = 1\n' "$DB" "$SQ" >"$W/limit.cf"
expect_error "sqlite: expansion_limit passed" 75 "limit|results" \
	-q multi@example.com "sqlite:$W/limit.cf"
postmap_fails "sqlite: expansion_limit passed" -q multi@example.com \
	"sqlite:$W/limit.cf"
same_answer "sqlite: expansion_limit not passed" -q alice@example.com \
	"sqlite:$W/limit.cf"

# mysql: cases that need the client library but no server
if mariadb_client_built; then
	printf 'hosts = inet:127.0.0.1:%s\nuser = u\npassword = p\ndbname = d\n%s\n' \
		"$DEADPORT" "$SQ" >"$W/deadport.cf"
	chmod 600 "$W/deadport.cf"
	expect_error "mysql: closed loopback port" 75 "deadport\\.cf" \
		-q alice@example.com "mysql:$W/deadport.cf"
	postmap_fails "mysql: closed loopback port" -q alice@example.com \
		"mysql:$W/deadport.cf"
	printf 'hosts = 127.0.0.1:%s unix:%s/no.sock\nuser = u\npassword = p\ndbname = d\n%s\n' \
		"$DEADPORT" "$W" "$SQ" >"$W/deadhosts.cf"
	chmod 600 "$W/deadhosts.cf"
	expect_error "mysql: every host down" 75 "deadhosts\\.cf" \
		-q alice@example.com "mysql:$W/deadhosts.cf"
	printf 'alice@example.com\nbob@example.com\n' >"$W/stdin"
	expect_error "mysql: -q - with the database down" 75 "deadport\\.cf" \
		-q - "mysql:$W/deadport.cf"
	: >"$W/stdin"

	printf 'hosts = inet:127.0.0.1:%s\nuser = u\ndbname = d\n%s\n' \
		"$DEADPORT" "$SQ" >"$W/nopassword.cf"
	printf 'user = u\npassword = p\n%s\n' "$SQ" >"$W/nodbname.cf"
	chmod 600 "$W/nodbname.cf"
	expect_error "mysql .cf without dbname" 78 "dbname" \
		-q alice@example.com "mysql:$W/nodbname.cf"

	# --- a password anyone can read: a warning --------------------------------
	printf 'hosts = inet:127.0.0.1:%s\nuser = u\npassword = p\ndbname = d\n%s\n' \
		"$DEADPORT" "$SQ" >"$W/worldread.cf"
	chmod 644 "$W/worldread.cf"
	run -q alice@example.com "mysql:$W/worldread.cf"
	if grep -Eiq 'warning:.*(password|readable)' "$W/err"; then
		pass "world-readable .cf with a password: warning"
	else
		fail "world-readable .cf with a password: no warning"
	fi
	run -q alice@example.com "mysql:$W/nopassword.cf"
	if grep -Eiq 'warning:.*(password|readable)' "$W/err"; then
		fail "world-readable .cf without a password: warning anyway"
	else
		pass "world-readable .cf without a password: no warning"
	fi
else
	echo "note: built without MySQL support: mysql: client cases skipped" >&2
fi

if [ $HAVE_MYSQL = yes ]; then
	conn="hosts = unix:$MARIADB_SOCKET
user = $MARIADB_USER
password = $MARIADB_PASSWORD
dbname = $MARIADB_DB"
	printf '%s\n%s\nexpansion_limit = 1\n' "$conn" "$SQ" >"$W/mlimit.cf"
	chmod 600 "$W/mlimit.cf"
	expect_error "mysql: expansion_limit passed" 75 "limit|results" \
		-q multi@example.com "mysql:$W/mlimit.cf"
	same_answer "mysql: live server, found" -q alice@example.com \
		"mysql:$W/mlimit.cf"

	printf '%s\nquery = SELECT k FROM l1 WHERE k='"'"'%%s'"'"'\n' "$conn" \
		>"$W/collation.cf"
	chmod 600 "$W/collation.cf"
	expect_error "mysql: query error (illegal mix of collations)" 75 \
		"collation\\.cf" -q '用户@例子.中国' "mysql:$W/collation.cf"
	postmap_fails "mysql: query error" -q '用户@例子.中国' \
		"mysql:$W/collation.cf"

	printf '%s\nquery = SELECT v FROM no_such_table WHERE k='"'"'%%s'"'"'\n' \
		"$conn" >"$W/mnotable.cf"
	chmod 600 "$W/mnotable.cf"
	expect_error "mysql: no such table" 75 "mnotable\\.cf" \
		-q alice@example.com "mysql:$W/mnotable.cf"

	printf 'hosts = unix:%s\nuser = %s\npassword = wrong\ndbname = %s\n%s\n' \
		"$MARIADB_SOCKET" "$MARIADB_USER" "$MARIADB_DB" "$SQ" \
		>"$W/badpw.cf"
	chmod 600 "$W/badpw.cf"
	expect_error "mysql: wrong password" 75 "badpw\\.cf" \
		-q alice@example.com "mysql:$W/badpw.cf"

	printf '%s\nquery = DO 1\n' "$conn" >"$W/noresultset.cf"
	chmod 600 "$W/noresultset.cf"
	expect_error "mysql: no result set, require_result_set = yes" 75 \
		"noresultset\\.cf" -q alice@example.com "mysql:$W/noresultset.cf"

	printf '%s\n%s\nrequire_result_set = maybe\n' "$conn" "$SQ" \
		>"$W/badbool.cf"
	chmod 600 "$W/badbool.cf"
	expect_error "mysql: bad boolean" 78 "require_result_set" \
		-q alice@example.com "mysql:$W/badbool.cf"
else
	skip "live mysql: cases (no MariaDB server)"
fi

# --- bad input on stdin: 65 ----------------------------------------------
head -c 70000 /dev/zero | tr '\0' a >"$W/stdin"
printf '\n' >>"$W/stdin"
expect_error "-q -: key line too long" 65 "too long|longer" \
	-q - "sqlite:$W/good.cf"
: >"$W/stdin"

echo "query_errors: $passes passed, $fails failed, $skips skipped"
[ $fails -eq 0 ]
