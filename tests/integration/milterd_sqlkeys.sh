#!/bin/bash
# milterd_sqlkeys.sh - the real postwarden-milterd signing with keys from
# the dkim_key table (milterd_sql_keys = yes), the keys made by
# "postwarden dkim keygen --sql", over SQLite and over a private MariaDB
# server (harness mariadb.sh). miltertest (Debian package miltertest)
# drives the milter over its unix socket; the key records keygen printed
# are served by a private NSD on 127.0.0.1 (harness nsd.sh), where
# dkimpy (python3-dkim, python3-dns) and "postwarden dkim verify" look
# them up.
#
#   sign    From: example.com (an rsa and an ed25519 row) gets two
#           signatures, RSA first, with milterd_multiple_signatures at
#           its default; example.org (one row) one; a subdomain, an
#           unknown domain and an inactive row none; both verifiers
#           pass every signature through NSD
#   tables  with a KeyTable and SigningTable as well, the SigningTable
#           decides for the addresses it matches (a key file) and the
#           SQL keys sign the rest
#   errors  start-up (-n and a real start) stops with exit 78 and a
#           message naming the row: a public_key that is another key's
#           (the rotation mistake), a private_key that is not PEM, an
#           algorithm column that does not match the key; a missing
#           SQLite file or a database without the schema; a table
#           without active rows (and no tables); an inactive bad row is
#           ignored
#   mysql   keys keygen --sql put into MariaDB (example.net, both
#           algorithms) sign; with the server stopped the running
#           milterd still signs (no connection while running), and a
#           new start fails with the reason instead of signing nothing;
#           a bad public_key there stops the start-up too
#
# Environment: srcdir, abs_top_builddir, POSTWARDEN. Exit: 0 pass,
# 1 fail, 77 skip, 99 harness error.

set -u
LC_ALL=C
export LC_ALL

srcdir=${srcdir:-$(dirname "$0")}
abs_top_builddir=${abs_top_builddir:-$(cd ../.. && pwd)}
MILTERD=$abs_top_builddir/milterd/postwarden-milterd
PW=${POSTWARDEN:-$abs_top_builddir/cli/postwarden}
[ -x "$MILTERD" ] || { echo "$MILTERD not built" >&2; exit 99; }
[ -x "$PW" ] || { echo "$PW not built" >&2; exit 99; }
command -v miltertest >/dev/null 2>&1 ||
	{ echo "SKIP: miltertest not installed" >&2; exit 77; }
PY=/usr/bin/python3
"$PY" -c 'import dkim, nacl, dns.resolver' >/dev/null 2>&1 ||
	{ echo "SKIP: python3-dkim, python3-nacl or python3-dns missing" >&2; exit 77; }

. "$srcdir/nsd.sh"
nsd_init

W=$NSD_DIR/sqlkeys
mkdir -p "$W" || exit 99
PIDS=
checks=0
fails=0

# stop_milterds - every instance this script started, by PID: TERM,
# up to 10 s to exit, then KILL
stop_milterds() {
	for _p in $PIDS; do
		kill "$_p" 2>/dev/null
		timeout 10 tail --pid="$_p" -f /dev/null 2>/dev/null ||
			kill -9 "$_p" 2>/dev/null
		wait "$_p" 2>/dev/null
	done
	PIDS=
}
trap 'stop_milterds; nsd_stop' EXIT

fail() {
	echo "FAIL: $*" >&2
	fails=$((fails + 1))
}

# check COND-CMD... MESSAGE - count a check; fail with MESSAGE unless
# the command succeeds
check() {
	checks=$((checks + 1))
	_msg=${*: -1}
	"${@:1:$#-1}" || fail "$_msg"
}

# dkimpy, looking the keys up in NSD: one "selector:alg:result" word per
# signature, sorted
cat >"$W/verify.py" <<'EOF'
import re, sys, dkim, dns.resolver

res = dns.resolver.Resolver(configure=False)
res.nameservers = ['127.0.0.1']
res.port = int(sys.argv[1])
res.lifetime = 5

def dnsfunc(name, timeout=5):
    n = name.decode() if isinstance(name, bytes) else name
    try:
        ans = res.resolve(n.rstrip('.'), 'TXT')
    except Exception:
        return None
    return b''.join(ans[0].strings)

msg = open(sys.argv[2], 'rb').read()
head = msg.split(b'\r\n\r\n', 1)[0]
sigs = re.findall(rb'^DKIM-Signature:([^\r\n]*(?:\r\n[ \t][^\r\n]*)*)',
                  head, re.M | re.I)
d = dkim.DKIM(msg)
out = []
for i, s in enumerate(sigs):
    s = re.sub(rb'\s', b'', s)
    sel = re.search(rb'(?:^|;)s=([^;]*)', s).group(1).decode()
    alg = re.search(rb'(?:^|;)a=([^;]*)', s).group(1).decode()
    try:
        ok = d.verify(idx=i, dnsfunc=dnsfunc)
    except dkim.DKIMException:
        ok = False
    out.append('%s:%s:%s' % (sel, alg, 'pass' if ok else 'fail'))
print(' '.join(sorted(out)) or 'none')
EOF

# lua FROM OUT SOCK - a miltertest script: an authenticated client
# sends a message from FROM; the message with the DKIM-Signature fields
# the milter inserted goes to OUT
lua() {
	cat <<EOF
conn = mt.connect("unix:$3", 40, 0.25)
if conn == nil then print("ERROR connect") return end
mt.macro(conn, SMFIC_CONNECT, "j", "mx.test.example")
assert(mt.conninfo(conn, "client.example", "203.0.113.9") == nil)
if not mt.test_option(conn, SMFIP_NOHELO) then
  assert(mt.helo(conn, "client.example") == nil)
end
mt.macro(conn, SMFIC_MAIL, "{auth_type}", "PLAIN", "{auth_authen}", "alice")
assert(mt.mailfrom(conn, "<$1>") == nil)
if not mt.test_option(conn, SMFIP_NORCPT) then
  assert(mt.rcptto(conn, "<bob@example.net>") == nil)
end
mt.macro(conn, string.byte("T"), "i", "4SQLKEY")
if not mt.test_option(conn, SMFIP_NODATA) then assert(mt.data(conn) == nil) end
hdrs = { {"From", "Alice <$1>"}, {"To", "bob@example.net"},
  {"Subject", "a key from the database"},
  {"Date", "Sun, 22 Nov 2026 04:00:00 +0000"} }
for _, h in ipairs(hdrs) do assert(mt.header(conn, h[1], h[2]) == nil) end
assert(mt.eoh(conn) == nil)
body = "Hello Bob,\r\n\r\nsigned with a key from SQL.\r\n"
assert(mt.bodystring(conn, body) == nil)
assert(mt.eom(conn) == nil)
if mt.getreply(conn) == SMFIR_ACCEPT then print("REPLY accept") else print("REPLY other") end
f = assert(io.open("$2", "wb"))
n = 0
for i = 0, 9 do
  local v = mt.getheader(conn, "DKIM-Signature", i)
  if v == nil then break end
  n = n + 1
  f:write("DKIM-Signature:" .. (v:gsub("\n", "\r\n")) .. "\r\n")
end
for _, h in ipairs(hdrs) do f:write(h[1] .. ": " .. h[2] .. "\r\n") end
f:write("\r\n" .. body)
f:close()
print("SIGNATURES " .. n)
mt.disconnect(conn)
EOF
}

# drive NAME FROM - a message through the instance NAME; its output in
# $W/out, the message as signed in $W/signed
drive() {
	lua "$2" "$W/signed" "$W/$1.sock" >"$W/script.lua"
	rm -f "$W/signed"
	timeout 60 miltertest -s "$W/script.lua" >"$W/out" 2>"$W/err" || {
		echo "miltertest failed:" >&2
		cat "$W/out" "$W/err" >&2
		return 1
	}
}

# sigs_are NAME FROM WANT - the message from FROM through NAME is
# accepted with the signatures WANT ("selector:alg:pass ..." sorted, or
# "none"); postwarden dkim verify agrees
sigs_are() {
	checks=$((checks + 1))
	if ! drive "$1" "$2"; then
		fail "$1/$2: miltertest"
		return
	fi
	grep -qx 'REPLY accept' "$W/out" || fail "$1/$2: not accepted"
	_got=$("$PY" "$W/verify.py" "$NSD_PORT" "$W/signed" 2>&1)
	[ "$_got" = "$3" ] || fail "$1/$2: signatures \"$_got\", want \"$3\""
	if [ "$3" != none ]; then
		"$PW" dkim verify --server "$(nsd_servers)" <"$W/signed" \
			>"$W/pwv" 2>&1 ||
			fail "$1/$2: postwarden dkim verify: $(cat "$W/pwv")"
	fi
}

# conf NAME DB-LINES [MORE] - the config file of instance NAME
conf() {
	cat >"$W/$1.conf" <<EOF
milterd_socket = unix:$W/$1.sock
milterd_user =
milterd_mode = s
milterd_sql_keys = yes
$2
${3:-}
EOF
}

# start NAME - check the config, start the instance, wait until ready
start() {
	"$MILTERD" -n -c "$W/$1.conf" >"$W/$1.check" 2>&1 ||
		{ cat "$W/$1.check" >&2; echo "$1: config check failed" >&2; exit 99; }
	"$MILTERD" -f -c "$W/$1.conf" >"$W/$1.log" 2>&1 &
	PIDS="$PIDS $!"
	# up to 20 s for its "started on" line
	timeout 20 bash -c 'until grep -q " started on " "$0"; do
		sleep 0.25; done' "$W/$1.log" ||
		{ cat "$W/$1.log" >&2; echo "$1 did not start" >&2; exit 99; }
}

# refused NAME WANT... - instance NAME does not start: -n and a real
# start both exit 78, saying each WANT (fixed strings)
refused() {
	_name=$1
	shift
	checks=$((checks + 1))
	"$MILTERD" -n -c "$W/$_name.conf" >"$W/$_name.check" 2>&1
	_rc=$?
	[ $_rc = 78 ] || fail "$_name: -n exit $_rc, want 78: $(cat "$W/$_name.check")"
	timeout 30 "$MILTERD" -f -c "$W/$_name.conf" >"$W/$_name.log" 2>&1
	_rc=$?
	[ $_rc = 78 ] || fail "$_name: start exit $_rc, want 78: $(cat "$W/$_name.log")"
	grep -q ' started on ' "$W/$_name.log" && fail "$_name: started"
	for _want in "$@"; do
		grep -qF -- "$_want" "$W/$_name.check" ||
			fail "$_name: no \"$_want\" in: $(cat "$W/$_name.check")"
	done
}

# --- keys made by keygen --sql, records into NSD ----------------------
LITE="db_type = sqlite
db_path = $W/pw.db"
printf '%s\n' "$LITE" >"$W/pw.conf"
"$PW" db init -c "$W/pw.conf" >"$W/init.out" 2>&1 ||
	{ cat "$W/init.out" >&2; exit 99; }
"$PW" dkim keygen --sql -c "$W/pw.conf" -d example.com -s sq \
	--algorithm both --bits 1024 >"$W/com.zone" 2>"$W/keygen.err" &&
	"$PW" dkim keygen --sql -c "$W/pw.conf" -d example.org -s org \
		--bits 1024 >"$W/org.zone" 2>>"$W/keygen.err" &&
	"$PW" dkim keygen --sql -c "$W/pw.conf" -d example.org -s old \
		--algorithm ed25519 >"$W/old.zone" 2>>"$W/keygen.err" ||
	{ cat "$W/keygen.err" >&2; echo "keygen failed" >&2; exit 99; }
# a file key for the SigningTable case
mkdir -p "$W/keys" && "$PW" dkim keygen -o "$W/keys" -d example.com \
	-s file --bits 1024 >"$W/file.zone" 2>>"$W/keygen.err" ||
	{ cat "$W/keygen.err" >&2; exit 99; }
sqlite3_exec() {
	"$PY" -c 'import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute(sys.argv[2])
c.commit()' "$W/pw.db" "$1" || { echo "sqlite: $1 failed" >&2; exit 99; }
}
# an inactive row is never read, not even checked
sqlite3_exec "UPDATE dkim_key SET active = 0, private_key = 'junk'
	WHERE selector = 'old'"

nsd_add_zone example.com <<<"$(cat "$W/com.zone" "$W/file.zone")"
nsd_add_zone example.org <<<"$(cat "$W/org.zone" "$W/old.zone")"

# MariaDB, when it is installed and postwarden was built with MySQL
MY=
. "$srcdir/mariadb.sh"
if ! "$PW" --version 2>/dev/null | grep -q '^backends:.* mysql'; then
	echo "SKIP mariadb part: postwarden built without MySQL" >&2
elif ! mariadb_find_prog mariadbd mysqld >/dev/null ||
	! mariadb_find_prog mariadb-install-db mysql_install_db >/dev/null ||
	! mariadb_find_prog mariadb mysql >/dev/null; then
	echo "SKIP mariadb part: MariaDB not installed" >&2
else
	mariadb_start
	trap 'stop_milterds; mariadb_stop; nsd_stop' EXIT
	MY="db_type = mysql
db_hosts = unix:$MARIADB_SOCKET
db_user = $MARIADB_USER
db_password = $MARIADB_PASSWORD
db_name = $MARIADB_DB"
	printf '%s\n' "$MY" >"$W/mypw.conf"
	chmod 600 "$W/mypw.conf"
	"$PW" db init -c "$W/mypw.conf" >"$W/myinit.out" 2>&1 &&
		"$PW" dkim keygen --sql -c "$W/mypw.conf" -d example.net \
			-s my --algorithm both --bits 1024 >"$W/net.zone" \
			2>"$W/mykeygen.err" ||
		{ cat "$W/myinit.out" "$W/mykeygen.err" >&2; exit 99; }
	nsd_add_zone example.net <"$W/net.zone"
fi
nsd_start

# --- SQLite: signing ---------------------------------------------------
conf lite "$LITE"
start lite
check grep -q 'OK (3 signing keys)' "$W/lite.check" "lite: -n does not count 3 keys"
check grep -q '3 signing keys from the sqlite database' "$W/lite.log" \
	"lite: no log line about the SQL keys"
sigs_are lite alice@example.com \
	"sq-ed25519:ed25519-sha256:pass sq-rsa:rsa-sha256:pass"
# RSA signs first (one log line per signature, in signing order)
check [ "$(sed -n 's/.*signed: d=example.com s=\([^ ]*\) .*/\1/p' \
	"$W/lite.log" | tr '\n' ' ')" = "sq-rsa sq-ed25519 " ] \
	"lite: not signed RSA first: $(grep 'signed:' "$W/lite.log")"
sigs_are lite bob@Example.ORG "org:rsa-sha256:pass"
sigs_are lite carol@sub.example.com none
sigs_are lite dave@example.info none

# --- SQLite: SigningTable first ----------------------------------------
cat >"$W/KeyTable" <<EOF
filekey example.com:file:$W/keys/file.private
EOF
cat >"$W/SigningTable" <<EOF
alice@example.com filekey
EOF
conf both "$LITE" "milterd_key_table = $W/KeyTable
milterd_signing_table = $W/SigningTable"
start both
check grep -q 'OK (4 signing keys)' "$W/both.check" "both: -n does not count 4 keys"
sigs_are both alice@example.com "file:rsa-sha256:pass"
sigs_are both erin@example.com \
	"sq-ed25519:ed25519-sha256:pass sq-rsa:rsa-sha256:pass"
sigs_are both bob@example.org "org:rsa-sha256:pass"
stop_milterds

# --- SQLite: start-up errors -------------------------------------------
cp "$W/pw.db" "$W/good.db"
# another key's public half: the usual rotation mistake
sqlite3_exec "UPDATE dkim_key SET public_key = (SELECT public_key FROM
	dkim_key WHERE selector = 'sq-rsa') WHERE selector = 'org'"
conf bad "$LITE"
refused bad "domain example.org selector org (rsa)" \
	"public_key is not the public half of private_key"
cp "$W/good.db" "$W/pw.db"
sqlite3_exec "UPDATE dkim_key SET private_key = '-----BEGIN PRIVATE KEY-----
garbage
-----END PRIVATE KEY-----' WHERE selector = 'sq-ed25519'"
refused bad "domain example.com selector sq-ed25519 (ed25519): private_key:"
cp "$W/good.db" "$W/pw.db"
sqlite3_exec "UPDATE dkim_key SET algorithm = 'ed25519' WHERE selector = 'org'"
refused bad "selector org (ed25519): algorithm is ed25519, but private_key is an RSA key"
cp "$W/good.db" "$W/pw.db"
conf missing "db_type = sqlite
db_path = $W/no-such.db"
refused missing "dkim_key table (db_type = sqlite)"
"$PY" -c 'import sqlite3, sys; sqlite3.connect(sys.argv[1]).execute("CREATE TABLE t (x)")' \
	"$W/empty.db" || exit 99
conf empty "db_type = sqlite
db_path = $W/empty.db"
refused empty "postwarden db init"
conf nokeys "milterd_sql_keys = no"
refused nokeys "milterd_sql_keys = yes"
# no active row and no tables: nothing would ever be signed
cp "$W/good.db" "$W/none.db"
"$PY" -c 'import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("UPDATE dkim_key SET active = 0")
c.commit()' "$W/none.db" || exit 99
conf none "db_type = sqlite
db_path = $W/none.db"
refused none "dkim_key table (db_type = sqlite): no active keys"
echo "sqlite: $checks checks, $fails failed"

# --- MariaDB ------------------------------------------------------------
if [ -n "$MY" ]; then
	checks=0
	fails_before=$fails
	conf my "$MY"
	chmod 600 "$W/my.conf"
	start my
	check grep -q 'OK (2 signing keys)' "$W/my.check" \
		"mysql: -n does not count 2 keys"
	check grep -q '2 signing keys from the mysql database' "$W/my.log" \
		"mysql: no log line about the SQL keys"
	sigs_are my alice@example.net \
		"my-ed25519:ed25519-sha256:pass my-rsa:rsa-sha256:pass"
	sigs_are my bob@example.com none
	# the database goes away: mail in flight is not touched
	mariadb_pause
	sigs_are my alice@example.net \
		"my-ed25519:ed25519-sha256:pass my-rsa:rsa-sha256:pass"
	stop_milterds
	refused my "dkim_key table (db_type = mysql)"
	mariadb_resume
	# a bad row in MariaDB stops the start-up too
	mariadb_sql "UPDATE dkim_key SET public_key = 'AAAA'
		WHERE selector = 'my-rsa'" || exit 99
	refused my "domain example.net selector my-rsa (rsa): public_key:"
	echo "mariadb: $checks checks, $((fails - fails_before)) failed"
fi

if [ $fails -gt 0 ]; then
	echo "$fails failed" >&2
	exit 1
fi
exit 0
