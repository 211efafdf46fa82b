#!/bin/bash
# query_diff.sh - "postwarden query" against the real "postmap -q".
#
# Builds an SQLite file and a MariaDB database holding the same
# PostfixAdmin-style data plus awkward test rows, writes many mysql: and
# sqlite: .cf files (both config styles, domain lists, result_format
# escapes, expansion_limit, every hosts form), then asks both tools the
# same (key, table) questions and requires identical stdout and exit
# status. Also feeds every key through "-q -" and checks that injection
# attempts changed nothing.
#
# Environment: POSTWARDEN (the binary; default
# $top_builddir/cli/postwarden), srcdir (for mariadb.sh), POSTMAP,
# QUERY_DIFF_SMTPUTF8 (yes|no: the postmap side's smtputf8_enable, which
# decides how non-ASCII keys are folded; default yes, as on a Debian
# main.cf with compatibility_level 3.6), QUERY_DIFF_VERBOSE=1,
# QUERY_DIFF_KEEP=1 (keep the work directory).
# Exit: 0 all equal, 1 mismatch, 77 skipped, 99 harness error.

set -u
LC_ALL=C
export LC_ALL

srcdir=${srcdir:-$(dirname "$0")}
top_builddir=${top_builddir:-../..}
POSTWARDEN=${POSTWARDEN:-$top_builddir/cli/postwarden}
SMTPUTF8=${QUERY_DIFF_SMTPUTF8:-yes}
VERBOSE=${QUERY_DIFF_VERBOSE:-0}

skip() {
	echo "SKIP: $*" >&2
	exit 77
}
die() {
	echo "query_diff.sh: $*" >&2
	exit 99
}

POSTMAP=${POSTMAP:-$(command -v postmap || echo /usr/sbin/postmap)}
POSTCONF=$(command -v postconf || echo /usr/sbin/postconf)
[ -x "$POSTMAP" ] || skip "postmap not found (apt-get install postfix)"
[ -x "$POSTWARDEN" ] || die "postwarden binary not found: $POSTWARDEN"
command -v sqlite3 >/dev/null 2>&1 || skip "sqlite3 not found"

W=$(mktemp -d "${TMPDIR:-/tmp}/pwqd.XXXXXX") || die "mktemp failed"
cleanup_work() {
	if [ "${QUERY_DIFF_KEEP:-0}" = 1 ]; then
		echo "query_diff: kept $W" >&2
	elif [ -n "${W:-}" ]; then
		rm -rf "$W"
	fi
}

# --- the Postfix side: a private config directory -------------------
mkdir -p "$W/pf" "$W/cf" "$W/out"
cat >"$W/pf/main.cf" <<EOF
compatibility_level = 3.6
smtputf8_enable = $SMTPUTF8
EOF
maptypes=$("$POSTCONF" -c "$W/pf" -m 2>/dev/null)
printf '%s\n' "$maptypes" | grep -qx sqlite ||
	skip "postmap has no sqlite: support (apt-get install postfix-sqlite)"

# --- MariaDB, when it is installed ----------------------------------
. "$srcdir/mariadb.sh"
HAVE_MYSQL=no
if printf '%s\n' "$maptypes" | grep -qx mysql && mariadb_client_built &&
	mariadb_find_prog mariadbd mysqld >/dev/null &&
	mariadb_find_prog mariadb-install-db mysql_install_db >/dev/null; then
	HAVE_MYSQL=yes
else
	echo "note: no MariaDB server, no postmap mysql: support or a" \
		"postwarden built without MySQL;" \
		"comparing sqlite: tables only" >&2
fi

if [ $HAVE_MYSQL = yes ]; then
	mariadb_start
	trap 'mariadb_stop; cleanup_work' EXIT
	DEADPORT=$(mariadb_free_port) || die "no free port"
else
	trap cleanup_work EXIT
fi
trap 'exit 130' INT TERM HUP

# --- data -------------------------------------------------------------
# Inserts shared by both databases. MariaDB runs them with
# NO_BACKSLASH_ESCAPES so that a backslash means the same in both.
cat >"$W/data.sql" <<'EOF'
INSERT INTO domain (domain, description, transport, backupmx, active) VALUES
 ('ALL', '', '', 0, 1),
 ('example.com', 'Example', 'virtual', 0, 1),
 ('example.net', 'Net', 'smtp:[relay.example.net]', 0, 1),
 ('relay.example.org', 'Backup', 'relay:[mx.example.org]', 1, 1),
 ('disabled.example', 'Off', 'virtual', 0, 0),
 ('sub.example.com', 'Sub', 'lmtp:unix:private/dovecot-lmtp', 0, 1),
 ('catchall.example', 'Catch-all', 'virtual', 0, 1),
 ('xn--mnchen-3ya.example', 'Punycode', 'smtp', 0, 1),
 ('münchen.example', 'Latin-1', 'virtual', 0, 1);
INSERT INTO alias_domain (alias_domain, target_domain, active) VALUES
 ('alias.example', 'example.com', 1),
 ('inactive-alias.example', 'example.com', 0),
 ('alias2.example', 'catchall.example', 1);
INSERT INTO mailbox (username, password, name, maildir, quota, local_part, domain, active) VALUES
 ('alice@example.com', '{BLF-CRYPT}$2y$05$abc', 'Alice', 'example.com/alice/', 0, 'alice', 'example.com', 1),
 ('bob@example.com', '{SHA512-CRYPT}$6$x$y', 'Bob', 'example.com/bob/', 1024, 'bob', 'example.com', 1),
 ('carol@example.net', '{PLAIN}secret', 'Carol', 'example.net/carol/', 0, 'carol', 'example.net', 1),
 ('disabled@example.com', '', 'Off', 'example.com/disabled/', 0, 'disabled', 'example.com', 0),
 ('o''brien@example.com', '', 'O''Brien', 'example.com/obrien/', 0, 'o''brien', 'example.com', 1),
 ('jürgen@example.com', '', 'Jürgen', 'example.com/juergen/', 0, 'jürgen', 'example.com', 1),
 ('catchall@example.com', '', 'Catch', 'example.com/catchall/', 0, 'catchall', 'example.com', 1);
INSERT INTO alias (address, goto, domain, active) VALUES
 ('alice@example.com', 'alice@example.com', 'example.com', 1),
 ('bob@example.com', 'bob@example.com,bob.external@mail.example.org', 'example.com', 1),
 ('info@example.com', 'alice@example.com,bob@example.com', 'example.com', 1),
 ('postmaster@example.net', 'carol@example.net', 'example.net', 1),
 ('inactive@example.com', 'alice@example.com', 'example.com', 0),
 ('@catchall.example', 'catchall@example.com', 'catchall.example', 1),
 ('o''brien@example.com', 'o''brien@example.com', 'example.com', 1),
 ('jürgen@example.com', 'jürgen@example.com', 'example.com', 1),
 ('user+ext@example.com', 'alice@example.com', 'example.com', 1),
 ('carol@example.net', 'carol@example.net', 'example.net', 1);
INSERT INTO kv (k, v, v2) VALUES
 ('alice@example.com', 'kv-alice', 'second-column'),
 ('multi@example.com', 'one@m1.example', 'c1'),
 ('multi@example.com', 'two@m2.example', NULL),
 ('multi@example.com', NULL, 'c3'),
 ('multi@example.com', '', ''),
 ('multi@example.com', 'three', 'c5'),
 ('null@example.com', NULL, NULL),
 ('empty@example.com', '', 'e2'),
 ('nulls@example.com', NULL, NULL),
 ('nulls@example.com', 'only@n.example', NULL),
 ('mixed@example.com', 'a@b.example', 'x'),
 ('mixed@example.com', 'noat', 'y'),
 ('mixed@example.com', '@onlydomain.example', 'z'),
 ('mixed@example.com', 'local@', 'w'),
 ('mixed@example.com', 'deep@mail.sub.example.com', 'v'),
 ('plain@example.com', 'plainvalue', NULL),
 ('example.com', 'dom-example', NULL),
 ('sub.example.com', 'dom-sub', NULL),
 ('mail.sub.example.com', 'dom-mail-sub', NULL),
 ('com', 'label-com', NULL),
 ('example', 'label-example', NULL),
 ('sub', 'label-sub', NULL),
 ('mail', 'label-mail', NULL),
 ('alice', 'local-alice', NULL),
 ('bob', 'local-bob', NULL),
 ('user', 'local-user', NULL),
 ('UPPER@EXAMPLE.COM', 'upper-row', NULL),
 ('o''brien@example.com', 'quote-row', NULL),
 ('o''brien', 'quote-local', NULL),
 ('a\b@example.com', 'backslash-row', NULL),
 ('a\\b@example.com', 'double-backslash-row', NULL),
 ('a"b@example.com', 'dquote-row', NULL),
 ('50%off@example.com', 'percent-row', NULL),
 ('%', 'lone-percent-row', NULL),
 ('#comment@example.com', 'hash-row', NULL),
 ('a b@example.com', 'space-row', NULL),
 ('jürgen@example.com', 'utf8-lower', NULL),
 ('JÜRGEN@example.com', 'utf8-upper', NULL),
 ('äbc@example.com', 'a-umlaut', NULL),
 ('strasse@example.com', 'ss-row', NULL),
 ('straße@example.com', 'eszett-row', NULL),
 ('用户@例子.中国', 'cjk-row', NULL),
 ('例子.中国', 'cjk-domain', NULL),
 ('用户', 'cjk-local', NULL),
 ('user@example.com.', 'trailing-dot', NULL),
 ('a.b.c.d.e.f.g.h.i.j', 'ten-labels', NULL),
 ('d', 'label-d', NULL),
 ('secret-row', 'must-not-leak', NULL);
INSERT INTO dom (name) VALUES ('example.com'), ('example.net');
EOF

# DDL: PostfixAdmin 3.3 columns (sec. 7); address columns use the
# latin1_general_ci collation there, kv compares bytes.
cat >"$W/schema-sqlite.sql" <<'EOF'
CREATE TABLE domain (domain varchar(255) NOT NULL PRIMARY KEY,
 description varchar(255) NOT NULL, aliases int NOT NULL DEFAULT 0,
 mailboxes int NOT NULL DEFAULT 0, maxquota bigint NOT NULL DEFAULT 0,
 quota bigint NOT NULL DEFAULT 0, transport varchar(255) NOT NULL,
 backupmx tinyint(1) NOT NULL DEFAULT 0,
 created datetime NOT NULL DEFAULT '2000-01-01 00:00:00',
 modified datetime NOT NULL DEFAULT '2000-01-01 00:00:00',
 active tinyint(1) NOT NULL DEFAULT 1, password_expiry int DEFAULT 0);
CREATE TABLE alias_domain (alias_domain varchar(255) NOT NULL PRIMARY KEY,
 target_domain varchar(255) NOT NULL DEFAULT '',
 created datetime NOT NULL DEFAULT '2000-01-01 00:00:00',
 modified datetime NOT NULL DEFAULT '2000-01-01 00:00:00',
 active tinyint(1) NOT NULL DEFAULT 1);
CREATE TABLE mailbox (username varchar(255) NOT NULL PRIMARY KEY,
 password varchar(255) NOT NULL, name varchar(255) NOT NULL,
 maildir varchar(255) NOT NULL, quota bigint NOT NULL DEFAULT 0,
 local_part varchar(255) NOT NULL, domain varchar(255) NOT NULL,
 created datetime NOT NULL DEFAULT '2000-01-01 00:00:00',
 modified datetime NOT NULL DEFAULT '2000-01-01 00:00:00',
 active tinyint(1) NOT NULL DEFAULT 1,
 phone varchar(30) NOT NULL DEFAULT '',
 email_other varchar(255) NOT NULL DEFAULT '',
 token varchar(255) NOT NULL DEFAULT '',
 token_validity datetime NOT NULL DEFAULT '2000-01-01 00:00:00',
 password_expiry datetime NOT NULL DEFAULT '2000-01-01 00:00:00');
CREATE TABLE alias (address varchar(255) NOT NULL PRIMARY KEY,
 goto text NOT NULL, domain varchar(255) NOT NULL,
 created datetime NOT NULL DEFAULT '2000-01-01 00:00:00',
 modified datetime NOT NULL DEFAULT '2000-01-01 00:00:00',
 active tinyint(1) NOT NULL DEFAULT 1);
CREATE TABLE kv (id INTEGER PRIMARY KEY AUTOINCREMENT, k text NOT NULL,
 v text, v2 text);
CREATE TABLE dom (name text NOT NULL);
EOF

cat >"$W/schema-mysql.sql" <<'EOF'
SET sql_mode = CONCAT(@@sql_mode, ',NO_BACKSLASH_ESCAPES');
SET NAMES utf8mb4;
CREATE TABLE domain (domain varchar(255) NOT NULL PRIMARY KEY,
 description varchar(255) CHARACTER SET utf8 NOT NULL,
 aliases int(10) NOT NULL DEFAULT 0, mailboxes int(10) NOT NULL DEFAULT 0,
 maxquota bigint(20) NOT NULL DEFAULT 0, quota bigint(20) NOT NULL DEFAULT 0,
 transport varchar(255) NOT NULL, backupmx tinyint(1) NOT NULL DEFAULT 0,
 created datetime NOT NULL DEFAULT '2000-01-01 00:00:00',
 modified datetime NOT NULL DEFAULT '2000-01-01 00:00:00',
 active tinyint(1) NOT NULL DEFAULT 1, password_expiry int DEFAULT 0)
 DEFAULT CHARSET=latin1 COLLATE=latin1_general_ci;
CREATE TABLE alias_domain (alias_domain varchar(255) NOT NULL DEFAULT ''
 PRIMARY KEY, target_domain varchar(255) NOT NULL DEFAULT '',
 created datetime NOT NULL DEFAULT '2000-01-01 00:00:00',
 modified datetime NOT NULL DEFAULT '2000-01-01 00:00:00',
 active tinyint(1) NOT NULL DEFAULT 1, KEY active (active),
 KEY target_domain (target_domain))
 DEFAULT CHARSET=latin1 COLLATE=latin1_general_ci;
CREATE TABLE mailbox (username varchar(255) NOT NULL PRIMARY KEY,
 password varchar(255) NOT NULL,
 name varchar(255) CHARACTER SET utf8 NOT NULL,
 maildir varchar(255) NOT NULL, quota bigint(20) NOT NULL DEFAULT 0,
 local_part varchar(255) NOT NULL, domain varchar(255) NOT NULL,
 created datetime NOT NULL DEFAULT '2000-01-01 00:00:00',
 modified datetime NOT NULL DEFAULT '2000-01-01 00:00:00',
 active tinyint(1) NOT NULL DEFAULT 1,
 phone varchar(30) NOT NULL DEFAULT '',
 email_other varchar(255) NOT NULL DEFAULT '',
 token varchar(255) NOT NULL DEFAULT '',
 token_validity datetime NOT NULL DEFAULT '2000-01-01 00:00:00',
 password_expiry datetime NOT NULL DEFAULT '2000-01-01 00:00:00')
 DEFAULT CHARSET=latin1 COLLATE=latin1_general_ci;
CREATE TABLE alias (address varchar(255) NOT NULL PRIMARY KEY,
 goto text NOT NULL, domain varchar(255) NOT NULL,
 created datetime NOT NULL DEFAULT '2000-01-01 00:00:00',
 modified datetime NOT NULL DEFAULT '2000-01-01 00:00:00',
 active tinyint(1) NOT NULL DEFAULT 1)
 DEFAULT CHARSET=latin1 COLLATE=latin1_general_ci;
CREATE TABLE kv (id int NOT NULL AUTO_INCREMENT PRIMARY KEY,
 k varchar(255) NOT NULL, v varchar(255) NULL, v2 varchar(255) NULL)
 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE dom (name varchar(255) NOT NULL)
 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
EOF

DB=$W/postfix.sqlite
cat "$W/schema-sqlite.sql" "$W/data.sql" | sqlite3 "$DB" ||
	die "loading the SQLite data failed"
if [ $HAVE_MYSQL = yes ]; then
	cat "$W/schema-mysql.sql" "$W/data.sql" |
		"$MARIADB_CLIENT" --no-defaults --protocol=socket \
			-S "$MARIADB_SOCKET" -u"$MARIADB_USER" \
			-p"$MARIADB_PASSWORD" --default-character-set=utf8mb4 \
			"$MARIADB_DB" || die "loading the MariaDB data failed"
fi

# fingerprint - row counts and a content hash of every table
TABLES="domain alias_domain mailbox alias kv dom"
fingerprint_sqlite() {
	for t in $TABLES; do
		printf '%s %s ' "$t" "$(sqlite3 "$DB" "SELECT count(*) FROM $t")"
		sqlite3 "$DB" "SELECT * FROM $t ORDER BY 1" | sha256sum |
			cut -c1-16
	done
}
fingerprint_mysql() {
	for t in $TABLES; do
		printf '%s %s ' "$t" "$(mariadb_sql "SELECT count(*) FROM $t")"
		mariadb_sql "CHECKSUM TABLE $t" | cut -f2
	done
}
fingerprint_sqlite >"$W/fp-sqlite.before"
[ $HAVE_MYSQL = yes ] && fingerprint_mysql >"$W/fp-mysql.before"

# --- .cf files ----------------------------------------------------------
printf 'example.com\n# a comment\n\n  sub.example.com\ncatchall.example\n' \
	>"$W/domains.txt"
printf '[client]\nconnect-timeout = 10\n' >"$W/my.cnf"

# Bytes that start 3- and 4-byte UTF-8 sequences, or are invalid UTF-8.
NON_LATIN1=$(printf '[\340-\377]')
CFS=()			# "type:/path" of every table
declare -A CF_EXCLUDE	# table -> ERE of keys not to ask (postmap fatal)

# cf TYPE NAME [EXCLUDE_ERE] <body - connection lines are added here
cf() {
	local type=$1 name=$2 path="$W/cf/$1-$2.cf"
	{
		if [ "$type" = mysql ]; then
			printf 'hosts = unix:%s\n' "$MARIADB_SOCKET"
			printf 'user = %s\npassword = %s\ndbname = %s\n' \
				"$MARIADB_USER" "$MARIADB_PASSWORD" "$MARIADB_DB"
		else
			printf 'dbpath = %s\n' "$DB"
		fi
		cat
	} >"$path"
	chmod 600 "$path"
	CFS+=("$type:$path")
	[ $# -ge 3 ] && CF_EXCLUDE["$type:$path"]=$3
	# PostfixAdmin's latin1 columns: comparing them with a key that has
	# no latin1 form is an SQL error ("Illegal mix of collations").
	if [ "$type" = mysql ] && ! grep -q kv "$path"; then
		CF_EXCLUDE["$type:$path"]=${3:+$3|}$NON_LATIN1
	fi
	return 0
}

# cf_raw TYPE NAME <body - the whole file as given (hosts forms)
cf_raw() {
	local type=$1 name=$2 path="$W/cf/$1-$2.cf"
	cat >"$path"
	chmod 600 "$path"
	CFS+=("$type:$path")
	grep -q kv "$path" || CF_EXCLUDE["$type:$path"]=$NON_LATIN1
	return 0
}

# both NAME [EXCLUDE] <body - the same table for mysql: and sqlite:
both() {
	local body
	body=$(cat)
	[ $HAVE_MYSQL = yes ] && cf mysql "$@" <<<"$body"
	cf sqlite "$@" <<<"$body"
}

# concat A B C - string concatenation, per dialect (SQLite has no CONCAT)
mysql_concat() { local IFS=,; printf 'CONCAT(%s)' "$*"; }
sqlite_concat() { local s=$1; shift; for a; do s="$s || $a"; done; printf '%s' "$s"; }

# PostfixAdmin's maps (POSTFIX_CONF.txt)
both vdomains <<'EOF'
query = SELECT domain FROM domain WHERE domain='%s' AND active = '1' AND domain != 'ALL'
EOF
both vdomains_nobackup <<'EOF'
query = SELECT domain FROM domain WHERE domain='%s' AND active = '1' AND backupmx = '0' AND domain != 'ALL'
EOF
both valias <<'EOF'
query = SELECT goto FROM alias WHERE address='%s' AND active = '1'
EOF
both vmailbox <<'EOF'
query = SELECT maildir FROM mailbox WHERE username='%s' AND active = '1'
EOF
both relay_domains <<'EOF'
query = SELECT domain FROM domain WHERE domain='%s' AND active = '1' AND (transport LIKE 'smtp%%' OR transport LIKE 'relay%%') AND domain != 'ALL'
EOF
both transport <<'EOF'
query = SELECT transport FROM domain WHERE domain='%s' AND active = '1' AND domain != 'ALL'
EOF
for type in mysql sqlite; do
	[ $type = mysql ] && [ $HAVE_MYSQL = no ] && continue
	c=${type}_concat
	cf $type alias_domain_maps <<EOF
query = SELECT goto FROM alias,alias_domain WHERE alias_domain.alias_domain = '%d' and alias.address = $($c "'%u'" "'@'" alias_domain.target_domain) AND alias.active='1' AND alias_domain.active='1'
EOF
	cf $type alias_domain_catchall <<EOF
query = SELECT goto FROM alias,alias_domain WHERE alias_domain.alias_domain = '%d' and alias.address = $($c "'@'" alias_domain.target_domain) AND alias.active='1' AND alias_domain.active='1'
EOF
	cf $type alias_domain_mailbox <<EOF
query = SELECT maildir FROM mailbox,alias_domain WHERE alias_domain.alias_domain = '%d' and mailbox.username = $($c "'%u'" "'@'" alias_domain.target_domain) AND mailbox.active='1' AND alias_domain.active='1'
EOF
	# maildir path built in SQL, in the query's own continuation lines
	cf $type mailbox_path <<EOF
query = SELECT $($c "'/var/mail/vhosts/'" maildir)
   FROM mailbox
# a comment line between continuation lines
	WHERE username='%s'
     AND active = '1'
EOF
done

# Legacy parameters instead of query.
both legacy_alias <<'EOF'
table = alias
select_field = goto
where_field = address
additional_conditions = AND active = '1'
EOF
both legacy_mailbox <<'EOF'
# no additional_conditions
select_field = maildir
table = mailbox
where_field = username
EOF
both legacy_kv <<'EOF'
table = kv
select_field = v
where_field = k
additional_conditions = and id > 0 order by id
EOF

# kv: NULL, empty, multi-row, quoting, folding.
both kv <<'EOF'
query = SELECT v FROM kv WHERE k='%s' ORDER BY id
EOF
both kv_noorder <<'EOF'
query = SELECT v FROM kv WHERE k = '%s'
EOF
both kv_two_columns <<'EOF'
query = SELECT v, v2 FROM kv WHERE k='%s' ORDER BY id
EOF
both kv_local <<'EOF'
query = SELECT v FROM kv WHERE k='%u' ORDER BY id
EOF
both kv_domain <<'EOF'
query = SELECT v FROM kv WHERE k='%d' ORDER BY id
EOF
both kv_upper_escapes <<'EOF'
query = SELECT v FROM kv WHERE k='%S' OR k='%U' OR k='%D' ORDER BY id
EOF
both kv_label1 <<'EOF'
query = SELECT v FROM kv WHERE k='%1' ORDER BY id
EOF
both kv_label2 <<'EOF'
query = SELECT v FROM kv WHERE k='%2' ORDER BY id
EOF
both kv_label21 <<'EOF'
query = SELECT v FROM kv WHERE k='%2.%1' ORDER BY id
EOF
both kv_label3 <<'EOF'
query = SELECT v FROM kv WHERE k='%3' ORDER BY id
EOF
both kv_label9 <<'EOF'
query = SELECT v FROM kv WHERE k='%9' ORDER BY id
EOF
both kv_percent <<'EOF'
query = SELECT v FROM kv WHERE k='%s' AND v NOT LIKE '%%must-not%%' AND '%%' = '%%' ORDER BY id
EOF
both kv_like <<'EOF'
query = SELECT v FROM kv WHERE k LIKE '%s' AND v IS NOT NULL AND k != 'secret-row' ORDER BY id LIMIT 3
EOF
both kv_literal <<'EOF'
query = SELECT 'literal:%s' FROM kv WHERE k='%s' ORDER BY id LIMIT 1
EOF

# result_format: every escape.
both rf_all <<'EOF'
query = SELECT v FROM kv WHERE k='%s' ORDER BY id
result_format = smtp:[%d] %u %S %D %U %%
EOF
both rf_s <<'EOF'
query = SELECT v FROM kv WHERE k='%s' ORDER BY id
result_format = relay:[%s]:25
EOF
both rf_u <<'EOF'
query = SELECT v FROM kv WHERE k='%s' ORDER BY id
result_format = local=%u
EOF
both rf_d <<'EOF'
query = SELECT v FROM kv WHERE k='%s' ORDER BY id
result_format = %d
EOF
both rf_labels <<'EOF'
query = SELECT v FROM kv WHERE k='%s' ORDER BY id
result_format = %1 %2 %3 [%s]
EOF
both rf_label9 <<'EOF'
query = SELECT v FROM kv WHERE k='%s' ORDER BY id
result_format = %9/%s
EOF
both rf_upper <<'EOF'
query = SELECT goto FROM alias WHERE address='%s' AND active = '1'
result_format = %S -> %s (%U at %D) 100%%
EOF
both rf_goto_domain <<'EOF'
query = SELECT goto FROM alias WHERE address='%s' AND active = '1'
result_format = %d
EOF

# domain lists.
both dom_list <<'EOF'
query = SELECT goto FROM alias WHERE address='%s' AND active = '1'
domain = example.com, example.net
EOF
both dom_file <<EOF
query = SELECT v FROM kv WHERE k='%s' ORDER BY id
domain = $W/domains.txt
EOF
both dom_exclude <<'EOF'
query = SELECT v FROM kv WHERE k='%s' ORDER BY id
domain = !example.com sub.example.com, example.com
EOF
both dom_mixed <<EOF
query = SELECT v FROM kv WHERE k='%u' ORDER BY id
domain = !catchall.example $W/domains.txt EXAMPLE.NET
EOF

# A table in the domain list (type:table in a Postfix match list).
both domlist <<'EOF'
query = SELECT name FROM dom WHERE name='%s'
EOF
both dom_table <<EOF
query = SELECT v FROM kv WHERE k='%s' ORDER BY id
domain = sqlite:$W/cf/sqlite-domlist.cf
EOF
[ $HAVE_MYSQL = yes ] && cf mysql dom_table_mysql <<EOF
query = SELECT v FROM kv WHERE k='%s' ORDER BY id
domain = mysql:$W/cf/mysql-domlist.cf, catchall.example
EOF
both legacy_domain_rf <<'EOF'
domain = example.com catchall.example
table = alias
select_field = goto
where_field = address
result_format = smtp:[%d]:%u
EOF
both rf_const <<'EOF'
query = SELECT v FROM kv WHERE k='%s' ORDER BY id
result_format = OK
EOF

# expansion_limit: only keys that stay within it (the rest: errors test).
both limit1 '^(multi|mixed)@' <<'EOF'
query = SELECT v FROM kv WHERE k='%s' ORDER BY id
expansion_limit = 1
EOF
both limit3 '^mixed@' <<'EOF'
query = SELECT v FROM kv WHERE k='%s' ORDER BY id
expansion_limit = 3
EOF
both limit0 <<'EOF'
query = SELECT v FROM kv WHERE k='%s' ORDER BY id
expansion_limit = 0
EOF
[ $HAVE_MYSQL = yes ] && cf mysql limit_columns '^(multi|mixed)@' <<'EOF'
query = SELECT v, v2 FROM kv WHERE k='%s' ORDER BY id
expansion_limit = 2
EOF
both limit_rf '^mixed@' <<'EOF'
query = SELECT v FROM kv WHERE k='%s' ORDER BY id
result_format = %d
expansion_limit = 2
EOF

# Names Postfix 3.7 ignores, and a repeated name (the last one wins).
both unknown_params <<'EOF'
query = SELECT v FROM kv WHERE k='nothing'
query = SELECT v FROM kv WHERE k='%s' ORDER BY id
charset = utf8mb4
idle_interval = 10
retry_interval = 5
EOF

if [ $HAVE_MYSQL = yes ]; then
	conn="user = $MARIADB_USER
password = $MARIADB_PASSWORD
dbname = $MARIADB_DB
query = SELECT goto FROM alias WHERE address='%s' AND active = '1'"
	cf_raw mysql hosts_inet <<<"hosts = inet:127.0.0.1:$MARIADB_PORT
$conn"
	cf_raw mysql hosts_plain <<<"hosts = 127.0.0.1:$MARIADB_PORT
$conn"
	cf_raw mysql hosts_failover_inet <<<"hosts = inet:127.0.0.1:$DEADPORT, 127.0.0.1:$MARIADB_PORT
$conn"
	cf_raw mysql hosts_failover_unix <<<"hosts = unix:$W/no-such.sock unix:$MARIADB_SOCKET
$conn"
	cf_raw mysql hosts_failover_mixed <<<"hosts = 127.0.0.1:$DEADPORT,inet:127.0.0.1:$DEADPORT unix:$MARIADB_SOCKET
$conn"
	cf_raw mysql option_file <<<"hosts = inet:127.0.0.1:$MARIADB_PORT
option_file = $W/my.cnf
option_group = client
$conn"
	cf_raw mysql option_group_empty <<<"hosts = unix:$MARIADB_SOCKET
option_group =
$conn"
	cf mysql no_result_set <<'EOF'
query = DO '%s'
require_result_set = no
EOF
	cf mysql result_set_required <<'EOF'
query = SELECT v FROM kv WHERE k='%s' ORDER BY id
require_result_set = yes
EOF
fi

# --- keys ---------------------------------------------------------------
KEYS=(
	alice@example.com ALICE@EXAMPLE.COM Alice@Example.Com bob@example.com
	info@example.com inactive@example.com disabled@example.com
	carol@example.net postmaster@example.net user+ext@example.com
	nobody@example.com anyone@catchall.example alice@alias.example
	BOB@Alias.Example info@alias.example x@alias2.example
	alice@inactive-alias.example alice alice@ @example.com @ ''
	example.com EXAMPLE.COM example.net relay.example.org
	disabled.example sub.example.com catchall.example
	xn--mnchen-3ya.example münchen.example
	user@sub.example.com user@mail.sub.example.com
	x@a.b.c.d.e.f.g.h.i.j user@example.com. user@.example.com
	user@example..com com d
	multi@example.com MULTI@example.com null@example.com
	empty@example.com nulls@example.com mixed@example.com
	plain@example.com upper@example.com UPPER@EXAMPLE.COM
	"o'brien@example.com" "O'Brien@Example.com" "o''brien@example.com"
	'a\b@example.com' 'a\\b@example.com' 'a"b@example.com'
	'50%off@example.com' '%' '%s' '%%' '%u@%d' '_' '%@example.com'
	'#comment@example.com' '# not a comment' '-- x' '/* x */'
	'a b@example.com' ' alice@example.com' 'alice@example.com '
	$'a\tb@example.com' 'jürgen@example.com' 'JÜRGEN@example.com'
	'Jürgen@EXAMPLE.com' 'äbc@example.com' 'ÄBC@example.com'
	'STRASSE@example.com' 'Straße@example.com' 'STRAßE@example.com'
	'用户@例子.中国' '例子.中国' $'\xff\xfe@example.com'
	"' OR '1'='1" "x' OR 1=1 -- " "x' OR '1'='1' #"
	"x'; DELETE FROM kv; --" "x'; DROP TABLE alias; --"
	"\\' OR 1=1 -- " "\\'; DELETE FROM kv WHERE '1'='1"
	"' UNION SELECT password FROM mailbox WHERE '1'='1"
	"x' UNION SELECT v FROM kv WHERE k='secret-row"
	"secret-row' OR 'a'='a" '\' "\\\\'" "'" '"' $'x\x1aa@example.com'
	"$(printf 'l%.0s' $(seq 1 300))@example.com"
)

# --- compare ------------------------------------------------------------
pairs=0
found=0
mismatches=0
errors=0
MISMATCH_LOG=$W/mismatches.txt
: >"$MISMATCH_LOG"

# report KIND ARGS... - record one mismatch with both outputs
report() {
	{
		echo "MISMATCH ($1)"
		shift
		printf '  args:'
		printf ' %q' "$@"
		printf '\n  postmap:    rc=%s stdout=%q\n' "$pm_rc" "$(cat "$W/out/pm")"
		printf '  postwarden: rc=%s stdout=%q\n' "$pw_rc" "$(cat "$W/out/pw")"
		printf '  postmap stderr:    %s\n' "$(head -c 400 "$W/out/pm.err")"
		printf '  postwarden stderr: %s\n' "$(head -c 400 "$W/out/pw.err")"
	} >>"$MISMATCH_LOG"
	mismatches=$((mismatches + 1))
}

# compare OPTS... -- ARGS... - run both tools, compare stdout and status
# (stdin is $W/out/stdin when -q - is among ARGS)
compare() {
	"$POSTMAP" -c "$W/pf" "$@" <"$W/out/stdin" >"$W/out/pm" 2>"$W/out/pm.err"
	pm_rc=$?
	"$POSTWARDEN" query "$@" <"$W/out/stdin" >"$W/out/pw" 2>"$W/out/pw.err"
	pw_rc=$?
	pairs=$((pairs + 1))
	if grep -q 'fatal:' "$W/out/pm.err"; then
		# postmap failed: postwarden must fail too, with a status
		# that cannot read as "not found", and print nothing more.
		errors=$((errors + 1))
		{
			printf 'postmap failed (postwarden exit %s):' "$pw_rc"
			printf ' %q' "$@"
			printf '\n'
		} >>"$W/postmap-failed.txt"
		case $pw_rc in
		0 | 1) report "postmap failed, postwarden did not" "$@" ;;
		*) ;;
		esac
		return
	fi
	[ "$pm_rc" = 0 ] && found=$((found + 1))
	if [ "$pm_rc" != "$pw_rc" ] || ! cmp -s "$W/out/pm" "$W/out/pw"; then
		report "different answer" "$@"
	elif [ "$VERBOSE" = 1 ]; then
		printf 'ok rc=%s %q\n' "$pm_rc" "$*"
	fi
}

: >"$W/out/stdin"
echo "query_diff: ${#CFS[@]} tables, ${#KEYS[@]} keys, mysql: $HAVE_MYSQL," \
	"smtputf8: $SMTPUTF8"

# key_ok KEY MAP... - no table in the list excludes the key
key_ok() {
	local key=$1 map ex
	shift
	for map; do
		ex=${CF_EXCLUDE[$map]:-}
		# keys are folded before the lookup: exclude the folded form
		[ -n "$ex" ] && [[ ${key,,} =~ $ex ]] && return 1
	done
	return 0
}

# keys_for MAP... - the keys file for -q - with those tables
keys_for() {
	local key
	for key in "${KEYS[@]}"; do
		key_ok "$key" "$@" && printf '%s\n' "$key"
	done
	# CR before LF is part of the key; a last line without LF counts
	printf 'alice@example.com\r\nbob@example.com'
}

# 1. every key against every table, one at a time
for map in "${CFS[@]}"; do
	for key in "${KEYS[@]}"; do
		key_ok "$key" "$map" && compare -q "$key" "$map"
	done
done
single_pairs=$pairs

# 2. -f (no folding) on a few tables
for name in kv valias rf_all kv_local dom_list; do
	for type in mysql sqlite; do
		map="$type:$W/cf/$type-$name.cf"
		[ -f "$W/cf/$type-$name.cf" ] || continue
		for key in "${KEYS[@]}"; do
			key_ok "$key" "$map" && compare -f -q "$key" "$map"
		done
	done
done

# 3. several tables: the first that finds the key wins
multi_sets=(
	"sqlite:$W/cf/sqlite-valias.cf sqlite:$W/cf/sqlite-kv.cf"
	"sqlite:$W/cf/sqlite-kv.cf sqlite:$W/cf/sqlite-valias.cf"
	"sqlite:$W/cf/sqlite-vdomains.cf sqlite:$W/cf/sqlite-alias_domain_maps.cf sqlite:$W/cf/sqlite-kv_domain.cf"
)
if [ $HAVE_MYSQL = yes ]; then
	multi_sets+=(
		"mysql:$W/cf/mysql-valias.cf sqlite:$W/cf/sqlite-kv.cf"
		"sqlite:$W/cf/sqlite-vmailbox.cf mysql:$W/cf/mysql-alias_domain_mailbox.cf mysql:$W/cf/mysql-rf_all.cf"
	)
fi
for set in "${multi_sets[@]}"; do
	# shellcheck disable=SC2086
	for key in "${KEYS[@]}"; do
		key_ok "$key" $set && compare -q "$key" $set
	done
done

# 4. -q -: every key (one per line) through every table and table set
for map in "${CFS[@]}"; do
	keys_for "$map" >"$W/out/stdin"
	compare -q - "$map"
done
for set in "${multi_sets[@]}"; do
	# shellcheck disable=SC2086
	keys_for $set >"$W/out/stdin"
	# shellcheck disable=SC2086
	compare -q - $set
done
# only keys that are not found
printf 'nobody@nowhere.example\n\n' >"$W/out/stdin"
compare -q - "sqlite:$W/cf/sqlite-kv.cf"
: >"$W/out/stdin"

# --- injection attempts changed nothing --------------------------------
fingerprint_sqlite >"$W/fp-sqlite.after"
if ! cmp -s "$W/fp-sqlite.before" "$W/fp-sqlite.after"; then
	echo "SQLite data changed during the lookups:" >&2
	diff "$W/fp-sqlite.before" "$W/fp-sqlite.after" >&2
	mismatches=$((mismatches + 1))
fi
if [ $HAVE_MYSQL = yes ]; then
	fingerprint_mysql >"$W/fp-mysql.after"
	if ! cmp -s "$W/fp-mysql.before" "$W/fp-mysql.after"; then
		echo "MariaDB data changed during the lookups:" >&2
		diff "$W/fp-mysql.before" "$W/fp-mysql.after" >&2
		mismatches=$((mismatches + 1))
	fi
fi

cat "$MISMATCH_LOG"
[ -f "$W/postmap-failed.txt" ] && cat "$W/postmap-failed.txt"
echo "query_diff: $pairs comparisons ($single_pairs single-table -q pairs," \
	"$found found), $mismatches mismatches, $errors where postmap failed"
# A harness that finds nothing compares nothing useful.
if [ $found -lt $((pairs / 20)) ]; then
	echo "query_diff: only $found of $pairs lookups found anything:" \
		"broken test data?" >&2
	exit 99
fi
[ $mismatches -eq 0 ] || exit 1
exit 0
