#!/bin/sh
# admin_cli.sh - drive the real postwarden binary through the admin
# commands (db, domain, mailbox, alias), on SQLite and, when a MariaDB
# server can be started (mariadb.sh), on MariaDB too.
#
# Environment: POSTWARDEN (the binary; default ../../cli/postwarden from
# the build directory), srcdir (where mariadb.sh is; default: this
# script's directory).
set -u

srcdir=${srcdir:-$(dirname "$0")}
PW=${POSTWARDEN:-${top_builddir:-../..}/cli/postwarden}
fails=0
checks=0

[ -x "$PW" ] || { echo "admin_cli.sh: no binary at $PW" >&2; exit 99; }

# fail - record a failed check
fail() {
	echo "FAIL [$backend]: $*" >&2
	fails=$((fails + 1))
}

# expect STATUS CMD... - run the command, compare its exit status
expect() {
	_want=$1
	shift
	checks=$((checks + 1))
	"$@" >"$work/out" 2>"$work/err"
	_got=$?
	if [ "$_got" != "$_want" ]; then
		fail "$* -> exit $_got, expected $_want: $(cat "$work/err")"
	fi
}

# expect_out TEXT - the last command's stdout contains TEXT (a line)
expect_out() {
	checks=$((checks + 1))
	grep -qxF -- "$1" "$work/out" || fail "no line '$1' in: $(cat "$work/out")"
}

# expect_no_out TEXT - the last command's stdout lacks TEXT
expect_no_out() {
	checks=$((checks + 1))
	! grep -qF -- "$1" "$work/out" || fail "unexpected '$1' in: $(cat "$work/out")"
}

# sql QUERY - one value from the database under test
sql() {
	if [ "$backend" = sqlite ]; then
		sqlite3 "$work/pw.db" "$1"
	else
		mariadb_sql "$1"
	fi
}

# check_hash ADDRESS PASSWORD - the stored hash verifies (python crypt)
check_hash() {
	_h=$(sql "SELECT password FROM mailbox WHERE username = '$1'")
	case $_h in
	'{SHA512-CRYPT}$6$'*) ;;
	*) fail "stored password of $1 is not SHA512-CRYPT: $_h"; return ;;
	esac
	command -v python3 >/dev/null 2>&1 || return 0
	checks=$((checks + 1))
	_r=$(printf '%s\n%s\n' "${_h#\{SHA512-CRYPT\}}" "$2" | python3 -W ignore -c '
import sys
try:
    import crypt
except ImportError:
    print("skip"); sys.exit(0)
h, pw = sys.stdin.read().split("\n")[:2]
print("ok" if crypt.crypt(pw, h) == h else "bad")') || _r=error
	[ "$_r" = ok ] || [ "$_r" = skip ] || fail "hash of $1 does not verify ($_r)"
}

# suite - the whole scenario against the config in $work/pw.conf
suite() {
	export POSTWARDEN_CONF="$work/pw.conf"

	expect 78 "$PW" domain list                 # no schema yet
	expect 0 "$PW" db init
	expect 0 "$PW" db init                      # idempotent
	expect 0 "$PW" db version
	expect_out 1
	expect 0 "$PW" db migrate
	expect 0 "$PW" db schema --sqlite
	expect 0 "$PW" db schema --mysql

	# domains
	expect 0 "$PW" domain add example.com --description "Example Inc"
	expect 0 "$PW" domain add example.org
	expect 65 "$PW" domain add EXAMPLE.com      # duplicate, any case
	expect 65 "$PW" domain add bad_domain.com
	expect 65 "$PW" domain add localhost
	expect 65 "$PW" domain add -- -x.example.com
	expect 65 "$PW" domain add 192.0.2.1
	expect 64 "$PW" domain add
	expect 64 "$PW" domain add example.net --bogus
	expect 64 "$PW" domain frobnicate
	expect 0 "$PW" domain list
	expect_out "domain	active	backupmx	transport	mailboxes	aliases	description"
	expect_out "example.com	1	0	virtual	0	0	Example Inc"
	expect_no_out "ALL"

	# mailboxes
	printf 'Tr0ub4dor&3\n' >"$work/pw"
	expect 0 "$PW" mailbox add Alice@Example.COM --name "Alice Ä" \
		--password-stdin <"$work/pw"
	check_hash alice@example.com 'Tr0ub4dor&3'
	expect 65 "$PW" mailbox add alice@example.com --password-stdin <"$work/pw"
	expect 65 "$PW" mailbox add bob@nowhere.example --password-stdin <"$work/pw"
	expect 65 "$PW" mailbox add 'a..b@example.com' --password-stdin <"$work/pw"
	expect 65 "$PW" mailbox add 'no-at-sign' --password-stdin <"$work/pw"
	expect 65 "$PW" mailbox add 'a/b@example.com' --password-stdin <"$work/pw"  # names a directory
	expect 65 "$PW" mailbox add carol@example.com --password-stdin </dev/null
	expect 64 "$PW" mailbox add carol@example.com --scheme MD5-CRYPT \
		--password-stdin <"$work/pw"
	expect 0 "$PW" mailbox list
	expect_out "alice@example.com	1	example.com/alice/	0	Alice Ä"
	expect 0 "$PW" mailbox show alice@example.com
	expect_out "password_scheme: SHA512-CRYPT"
	expect_out "maildir: example.com/alice/"
	expect_out "local_part: alice"
	expect_no_out '$6$'
	expect 1 "$PW" mailbox show nobody@example.com
	# the mailbox's own alias row, as PostfixAdmin makes it
	expect 0 "$PW" alias show alice@example.com
	expect_out "goto: alice@example.com"
	expect_out "mailbox: yes"

	printf 'correct horse battery staple\n' >"$work/pw"
	expect 0 "$PW" mailbox passwd alice@example.com --password-stdin <"$work/pw"
	check_hash alice@example.com 'correct horse battery staple'
	expect 1 "$PW" mailbox passwd nobody@example.com --password-stdin <"$work/pw"
	expect 0 "$PW" mailbox passwd alice@example.com --scheme BLF-CRYPT \
		--password-stdin <"$work/pw"
	expect 0 "$PW" mailbox show alice@example.com
	expect_out "password_scheme: BLF-CRYPT"

	# aliases
	expect 0 "$PW" alias add postmaster@example.com alice@example.com,bob@example.org
	expect 0 "$PW" alias add @example.org alice@example.com
	expect 65 "$PW" alias add postmaster@example.com alice@example.com
	expect 65 "$PW" alias add x@example.com 'not an address'
	expect 65 "$PW" alias add x@unknown.example alice@example.com
	expect 64 "$PW" alias add x@example.com
	expect 0 "$PW" alias list example.com
	expect_out "postmaster@example.com	1	no	alice@example.com,bob@example.org"
	expect 0 "$PW" alias disable postmaster@example.com
	expect 0 "$PW" alias show postmaster@example.com
	expect_out "active: 0"
	expect 0 "$PW" alias enable postmaster@example.com
	expect 65 "$PW" alias remove alice@example.com   # a mailbox's row
	expect 1 "$PW" alias remove nobody@example.com
	expect 0 "$PW" alias remove @example.org

	# what Postfix and Dovecot would ask (PostfixAdmin queries)
	checks=$((checks + 1))
	[ "$(sql "SELECT maildir FROM mailbox WHERE username = 'ALICE@example.com' AND active = '1'")" = example.com/alice/ ] ||
		fail "virtual_mailbox_maps query"

	# disable / enable a mailbox: its alias row follows
	expect 0 "$PW" mailbox disable alice@example.com
	checks=$((checks + 1))
	[ "$(sql "SELECT COUNT(*) FROM alias WHERE address = 'alice@example.com' AND active = '1'")" = 0 ] ||
		fail "alias row still active after mailbox disable"
	expect 0 "$PW" mailbox enable alice@example.com
	expect 0 "$PW" domain disable example.org
	expect 1 "$PW" domain disable nowhere.example

	# removing
	expect 65 "$PW" domain remove example.com        # has mailboxes
	expect 0 "$PW" mailbox remove alice@example.com
	expect 1 "$PW" mailbox remove alice@example.com
	checks=$((checks + 1))
	[ "$(sql "SELECT COUNT(*) FROM alias WHERE address = 'alice@example.com'")" = 0 ] ||
		fail "alias row left after mailbox remove"
	expect 65 "$PW" domain remove example.com        # postmaster alias
	expect 0 "$PW" domain remove --force example.com
	expect 1 "$PW" domain remove example.com
	expect 0 "$PW" domain list
	expect_no_out "example.com"

	# config handling
	expect 78 "$PW" domain list -c "$work/missing.conf"
	printf 'db_bogus = 1\n' >"$work/bad.conf"
	expect 78 "$PW" domain list -c "$work/bad.conf"
	unset POSTWARDEN_CONF
}

status=0
work=$(mktemp -d "${TMPDIR:-/tmp}/admin_cli.XXXXXX") || exit 99
trap 'rm -rf "$work"' EXIT

backend=sqlite
if command -v sqlite3 >/dev/null 2>&1; then
	printf 'db_type = sqlite\ndb_path = %s/pw.db\n' "$work" >"$work/pw.conf"
	suite
	echo "sqlite: $checks checks, $fails failed"
else
	echo "SKIP sqlite part: no sqlite3 shell" >&2
fi

# MariaDB: in a subshell, as mariadb.sh exits 77 when it cannot run
if ! "$PW" --version | grep -q '^backends:.* mysql'; then
	echo "SKIP mysql part: postwarden built without MySQL support" >&2
elif [ -f "$srcdir/mariadb.sh" ] && [ "${ADMIN_CLI_NO_MARIADB:-}" = "" ]; then
	(
		backend=mysql
		checks=0
		fails=0
		# shellcheck source=/dev/null
		. "$srcdir/mariadb.sh"
		mariadb_start
		trap 'mariadb_stop; rm -rf "$work"' EXIT
		cat >"$work/pw.conf" <<EOF
db_type = mysql
db_hosts = unix:$MARIADB_SOCKET
db_user = $MARIADB_USER
db_password = $MARIADB_PASSWORD
db_name = $MARIADB_DB
EOF
		chmod 600 "$work/pw.conf"
		suite
		echo "mariadb: $checks checks, $fails failed"
		[ "$fails" = 0 ]
	)
	mstatus=$?
	case $mstatus in
	0) ;;
	77) echo "SKIP mariadb part" >&2 ;;
	*) status=1 ;;
	esac
fi

[ "$fails" = 0 ] || status=1
exit $status
