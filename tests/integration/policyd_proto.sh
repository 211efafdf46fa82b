#!/bin/bash
# policyd_proto.sh - the real postwarden-policyd on a unix socket in a
# temp directory (and on a loopback TCP port), driven over the socket as
# Postfix's smtpd speaks the policy protocol (postfix-policy.md), with
# SQLite PostfixAdmin data made by the admin CLI:
#
#   - nothing is written before a request; one reply per request;
#     many requests per connection; pipelined requests answered in
#     order; a request sent before a half-close is still answered;
#     50 connections at once; policyd_max_connections;
#   - protocol violations close the connection without a reply (a line,
#     the attribute count or the request size over its limit, a line
#     without "=", request= other than smtpd_access_policy), each with a
#     log line, and the daemon goes on serving;
#   - a request that does not arrive whole within policyd_request_timeout
#     and an idle connection are closed;
#   - recipient and sender answers (also with
#     policyd_reject_unauth_local_sender), an SQL outage gives 451 4.3.0;
#   - one "decided:" log line per request, peer text quoted;
#   - checks slower than policyd_check_timeout get the default action;
#   - SIGHUP reloads (a bad config is refused, the old one kept);
#     SIGTERM answers the request in flight, then exits 0;
#   - policyd_processes = 2: both workers serve, reload and stop;
#   - -n rejects an unknown check (exit 78);
#   - with a private MariaDB server (tests/integration/mariadb.sh) when
#     installed: the same answers through mysql: tables, and 451 4.3.0
#     while the server is stopped.
#
# Environment: abs_top_builddir, POSTWARDEN. Exit: 0 pass, 1 fail, 77
# skip, 99 harness error.

set -u
LC_ALL=C.UTF-8
export LC_ALL

srcdir=${srcdir:-$(dirname "$0")}
abs_top_builddir=${abs_top_builddir:-$(cd ../.. && pwd)}
POLICYD=${POSTWARDEN_POLICYD:-$abs_top_builddir/policyd/postwarden-policyd}
PW=${POSTWARDEN:-$abs_top_builddir/cli/postwarden}
[ -x "$POLICYD" ] || { echo "policyd_proto.sh: $POLICYD not built" >&2; exit 99; }
[ -x "$PW" ] || { echo "policyd_proto.sh: $PW not built" >&2; exit 99; }
command -v python3 >/dev/null || { echo "SKIP: no python3" >&2; exit 77; }
command -v sqlite3 >/dev/null || { echo "SKIP: no sqlite3" >&2; exit 77; }

work=$(mktemp -d "${TMPDIR:-/tmp}/policyd_proto.XXXXXX") || exit 99
pid=
lock_pid=
cleanup() {
	[ -n "$lock_pid" ] && kill "$lock_pid" 2>/dev/null
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	fi
	mariadb_stop
	rm -rf "$work"
}
. "$srcdir/mariadb.sh"
trap cleanup EXIT

fails=0
checks=0
# check DESCRIPTION EXPECTED GOT
check() {
	checks=$((checks + 1))
	if [ "$2" = "$3" ]; then
		echo "ok: $1"
	else
		echo "FAIL: $1: expected [$2], got [$3]"
		fails=$((fails + 1))
	fi
}

# --- data: PostfixAdmin tables made by the admin CLI ----------------------
# add_data CONF - the same users in the database CONF names
add_data() {
	{
		"$PW" db init -c "$1" &&
			"$PW" domain add -c "$1" example.com &&
			"$PW" domain add -c "$1" example.org &&
			printf 'pw1\n' | "$PW" mailbox add -c "$1" \
				alice@example.com --password-stdin &&
			printf 'pw2\n' | "$PW" mailbox add -c "$1" \
				bob@example.com --password-stdin &&
			"$PW" alias add -c "$1" info@example.com \
				alice@example.com &&
			"$PW" alias add -c "$1" @example.org alice@example.com
	} >"$work/cli.log" 2>&1 || {
		cat "$work/cli.log" >&2
		echo "policyd_proto.sh: CLI failed" >&2
		exit 99
	}
}
printf 'db_type = sqlite\ndb_path = %s/pfa.db\n' "$work" >"$work/pw.conf"
add_data "$work/pw.conf"

mkcf() {
	printf 'dbpath = %s/pfa.db\nquery = %s\n' "$work" "$2" >"$work/$1.cf"
}
mkcf domains "SELECT domain FROM domain WHERE domain='%s' AND active = '1'"
mkcf mailboxes "SELECT maildir FROM mailbox WHERE username='%s' AND active = '1'"
mkcf aliases "SELECT goto FROM alias WHERE address='%s' AND active = '1'"
mkcf login "SELECT username FROM mailbox WHERE username='%s' AND active = 1 UNION SELECT goto FROM alias WHERE address='%s' AND active = '1'"

SOCK=$work/policyd.sock
# start_policyd LISTEN [EXTRA...] - run the daemon in the foreground
start_policyd() {
	_listen=$1
	shift
	{
		echo "policyd_listen = $_listen"
		echo "policyd_listen_owner ="
		echo "policyd_listen_group ="
		echo "policyd_listen_mode = 0600"
		echo "policyd_user ="
		echo "policyd_pid_file = $work/policyd.pid"
		echo "policyd_checks = recipient, sender"
		echo "policyd_workers = 2"
		echo "policyd_processes = 1"
		echo "policyd_request_timeout = 1s"
		echo "policyd_idle_timeout = 3s"
		echo "policyd_virtual_mailbox_domains = sqlite:$work/domains.cf"
		echo "policyd_virtual_mailbox_maps = sqlite:$work/mailboxes.cf"
		echo "policyd_virtual_alias_maps = sqlite:$work/aliases.cf"
		echo "policyd_sender_login_maps = sqlite:$work/login.cf"
		for _l in "$@"; do echo "$_l"; done
	} >"$work/policyd.conf"
	# earlier instances' lines stay in policyd.log.old (sanitizers)
	[ -f "$work/policyd.log" ] &&
		cat "$work/policyd.log" >>"$work/policyd.log.old"
	: >"$work/policyd.log"
	"$POLICYD" -f -c "$work/policyd.conf" 2>>"$work/policyd.log" &
	pid=$!
	for _i in $(seq 1 50); do
		grep -q "started (config" "$work/policyd.log" && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	cat "$work/policyd.log" >&2
	echo "policyd_proto.sh: policyd did not start" >&2
	exit 99
}

stop_policyd() {
	kill -TERM "$pid" 2>/dev/null
	wait "$pid"
	_st=$?
	pid=
	return $_st
}

# The client: python3 probe.py ADDRESS CASE prints what it saw.
cat >"$work/probe.py" <<'PYEOF'
import socket, sys, time

addr, case = sys.argv[1], sys.argv[2]


def connect():
    if addr.startswith("/"):
        s = socket.socket(socket.AF_UNIX)
        s.connect(addr)
    else:
        host, port = addr.rsplit(":", 1)
        s = socket.create_connection((host, int(port)))
    s.settimeout(5)
    return s


def req(rcpt="alice@example.com", sender="bob@example.com", login="",
        state="RCPT", extra=""):
    return ("request=smtpd_access_policy\nprotocol_state=%s\n"
            "protocol_name=ESMTP\nclient_address=192.0.2.1\n"
            "client_name=mx.example\nhelo_name=mx.example\n"
            "sender=%s\nrecipient=%s\nqueue_id=\ninstance=a.b.c.0\n"
            "sasl_method=%s\nsasl_username=%s\n%s\n"
            % (state, sender, rcpt, "plain" if login else "", login,
               extra)).encode()


def read_replies(s, n):
    """n replies, or fewer if the server closes"""
    buf = b""
    out = []
    while len(out) < n:
        while b"\n\n" not in buf:
            try:
                d = s.recv(65536)
            except socket.timeout:
                return out + ["TIMEOUT"]
            if not d:
                return out + ["EOF"]
            buf += d
        r, buf = buf.split(b"\n\n", 1)
        out.append(r.decode())
    return out


def closed_without_reply(s, timeout=5):
    s.settimeout(timeout)
    try:
        d = s.recv(100)
    except ConnectionResetError:
        return "closed"
    except socket.timeout:
        return "open"
    return "closed" if d == b"" else "data:" + repr(d)


s = connect()
if case == "single":
    s.sendall(req())
    print(read_replies(s, 1)[0])
elif case == "inflight":
    s.sendall(req())
    print("sent", flush=True)
    print(read_replies(s, 1)[0])
elif case == "concurrent":
    # 50 connections at once, 20 pipelined requests each
    conns = [s] + [connect() for _ in range(49)]
    for c in conns:
        c.sendall(b"".join(req("nobody%d@example.com" % i if i % 2 else
                               "alice@example.com") for i in range(20)))
    ok = 0
    for c in conns:
        for i, r in enumerate(read_replies(c, 20)):
            ok += r == ("action=550 5.1.1 User unknown in virtual mailbox "
                        "table" if i % 2 else "action=DUNNO")
    print(ok)
elif case == "maxconn":
    # policyd_max_connections = 2: a third waits until one closes
    s2 = connect()
    s.sendall(req())
    s2.sendall(req())
    first = read_replies(s, 1) + read_replies(s2, 1)
    s3 = connect()
    s3.sendall(req())
    s3.settimeout(1.5)
    try:
        early = s3.recv(100)
    except socket.timeout:
        early = b"waits"
    s.close()
    s3.settimeout(5)
    print(" ".join(first), early.decode(), read_replies(s3, 1)[0])
elif case == "unsolicited":
    s.settimeout(0.5)
    try:
        print("data:" + repr(s.recv(100)))
    except socket.timeout:
        print("quiet")
elif case == "pipeline":
    s.sendall(req("nobody@example.com") + req("info@example.com") +
              req("x+tag@example.org") + req("alice+tag@example.com") +
              req("who@elsewhere.net") + req("bob@EXAMPLE.com"))
    for r in read_replies(s, 6):
        print(r)
elif case == "split":
    # one byte at a time, across request boundaries
    data = req("nobody@example.com") + req("bob@example.com")
    for i in range(len(data)):
        s.sendall(data[i:i + 1])
    for r in read_replies(s, 2):
        print(r)
elif case == "many":
    ok = 0
    for i in range(200):
        s.sendall(req("nobody%d@example.com" % i if i % 2 else
                      "alice@example.com"))
        r = read_replies(s, 1)[0]
        want = ("action=550 5.1.1 User unknown in virtual mailbox table"
                if i % 2 else "action=DUNNO")
        ok += r == want
    print(ok)
elif case == "halfclose":
    s.sendall(req("nobody@example.com") + req())
    s.shutdown(socket.SHUT_WR)
    for r in read_replies(s, 3):
        print(r)
elif case == "sender":
    s.sendall(req(sender="alice@example.com", login="alice@example.com") +
              req(sender="alice@example.com", login="bob@example.com") +
              req(sender="info@example.com", login="Alice@Example.COM") +
              req(sender="", login="bob@example.com") +
              req(sender="alice@example.com", login="bob@example.com",
                  state="MAIL", rcpt="") +
              req(sender="alice@example.com", login="bob@example.com",
                  extra="policy_context=recipient\n"))
    for r in read_replies(s, 6):
        print(r)
elif case == "longline":
    s.sendall(req()[:-1] + b"ccert_subject=" + b"x" * 5000 + b"\n\n")
    print(closed_without_reply(s))
elif case == "longline_nolf":
    s.sendall(b"request=smtpd_access_policy\nx=" + b"y" * 70000)
    print(closed_without_reply(s))
elif case == "attrs":
    s.sendall(req()[:-1] +
              b"".join(b"a%d=1\n" % i for i in range(70)) + b"\n")
    print(closed_without_reply(s))
elif case == "size":
    s.sendall(req()[:-1] +
              b"".join(b"b%d=%s\n" % (i, b"z" * 4000) for i in range(10)) +
              b"\n")
    print(closed_without_reply(s))
elif case == "noequals":
    s.sendall(b"request=smtpd_access_policy\nnonsense\n\n")
    print(closed_without_reply(s))
elif case == "wrongrequest":
    s.sendall(req().replace(b"smtpd_access_policy", b"smtpd_other"))
    print(closed_without_reply(s))
elif case == "missingrequest":
    s.sendall(req().replace(b"request=smtpd_access_policy\n", b""))
    print(closed_without_reply(s))
elif case == "afterbad":
    # a good request first is answered; the bad one closes
    s.sendall(req("nobody@example.com") + b"junk\n\n" + req())
    print(" | ".join(read_replies(s, 3)))
elif case == "partial":
    t = time.time()
    s.sendall(req()[:40])
    r = closed_without_reply(s, 10)
    print(r, "fast" if time.time() - t < 5 else "slow")
elif case == "idle":
    t = time.time()
    r = closed_without_reply(s, 10)
    el = time.time() - t
    print(r, "in-time" if 2 <= el < 8 else "after %.1fs" % el)
elif case == "quoted":
    s.sendall(req('"evil\\x01\x7f"@example.net', sender="a\x1bb@x"))
    print(read_replies(s, 1)[0])
PYEOF

probe() {
	timeout 30 python3 "$work/probe.py" "$@" 2>&1
}

# The answers every table backend must give to the pipeline and sender
# probes (the same users in SQLite and MariaDB).
want_pipeline="action=550 5.1.1 User unknown in virtual mailbox table
action=DUNNO
action=DUNNO
action=DUNNO
action=DUNNO
action=DUNNO"
want_sender="action=DUNNO
action=553 5.7.1 not owned by user bob@example.com
action=DUNNO
action=DUNNO
action=553 5.7.1 not owned by user bob@example.com
action=DUNNO"

start_policyd "unix:$SOCK"
echo "== policyd on $SOCK"
check "nothing written before a request" quiet "$(probe "$SOCK" unsolicited)"
check "a known recipient: DUNNO" "action=DUNNO" "$(probe "$SOCK" single)"
check "pipelined requests, answered in order" \
	"$want_pipeline" "$(probe "$SOCK" pipeline)"
check "requests split byte by byte" \
	"action=550 5.1.1 User unknown in virtual mailbox table
action=DUNNO" "$(probe "$SOCK" split)"
check "200 requests on one connection" 200 "$(probe "$SOCK" many)"
check "half-close: answered, then EOF" \
	"action=550 5.1.1 User unknown in virtual mailbox table
action=DUNNO
EOF" "$(probe "$SOCK" halfclose)"
check "sender login checks (and policy_context=recipient)" \
	"$want_sender" "$(probe "$SOCK" sender)"

n0=$(grep -c "protocol error" "$work/policyd.log")
check "line over the limit closes" closed "$(probe "$SOCK" longline)"
check "unterminated 70 KB line closes" closed "$(probe "$SOCK" longline_nolf)"
check "70 attributes close" closed "$(probe "$SOCK" attrs)"
check "40 KB request closes" closed "$(probe "$SOCK" size)"
check "a line without = closes" closed "$(probe "$SOCK" noequals)"
check "request=smtpd_other closes" closed "$(probe "$SOCK" wrongrequest)"
check "no request= closes" closed "$(probe "$SOCK" missingrequest)"
check "a good request before a bad one is answered" \
	"action=550 5.1.1 User unknown in virtual mailbox table | EOF" \
	"$(probe "$SOCK" afterbad)"
n1=$(grep -c "protocol error" "$work/policyd.log")
check "each violation logged" 8 "$((n1 - n0))"
check "a partial request times out" "closed fast" "$(probe "$SOCK" partial)"
check "an idle connection is closed" "closed in-time" "$(probe "$SOCK" idle)"
check "still serving after all that" "action=DUNNO" "$(probe "$SOCK" single)"

check "peer text quoted in the log" "action=DUNNO" "$(probe "$SOCK" quoted)"
check "log: control bytes escaped" 1 \
	"$(grep -c 'to=<\\"evil\\\\x01\\x7f\\"@example.net>' "$work/policyd.log")"
check "log: no raw control bytes" 0 \
	"$(grep -c $'\x1b\|\x7f' "$work/policyd.log")"
decided=$(grep -c "decided:" "$work/policyd.log")
# single 2, pipeline 6, split 2, many 200, halfclose 2, sender 6,
# afterbad 1, quoted 1
check "one decided: line per request" 220 "$decided"

# SQL outage: the mailbox table renamed away -> 451, never 550/DUNNO
sqlite3 "$work/pfa.db" "ALTER TABLE domain RENAME TO domain_away" || exit 99
check "outage: recipient gets 451 4.3.0" \
	"action=451 4.3.0 Temporary lookup failure" "$(probe "$SOCK" single)"
check "outage: pipelined, all 451" 6 \
	"$(probe "$SOCK" pipeline | grep -c '^action=451 4.3.0 ')"
check "outage: logged" 1 \
	"$(grep -c 'recipient check for <alice@example.com>:.*domain' "$work/policyd.log" | sed 's/^[1-9][0-9]*$/1/')"
sqlite3 "$work/pfa.db" "ALTER TABLE domain_away RENAME TO domain" || exit 99
check "back: unknown recipient 550 again" \
	"action=550 5.1.1 User unknown in virtual mailbox table" \
	"$(probe "$SOCK" pipeline | head -n 1)"

# SIGHUP: a new default action and pipeline limit take effect
sed -i 's/^policyd_request_timeout = .*/policyd_request_timeout = 2s/' \
	"$work/policyd.conf"
kill -HUP "$pid"
sleep 0.5
check "SIGHUP: reloaded" 1 "$(grep -c '^policyd: reloaded ' "$work/policyd.log")"
check "SIGHUP: still serving" "action=DUNNO" "$(probe "$SOCK" single)"
printf 'policyd_checks = nonsense\n' >>"$work/policyd.conf"
kill -HUP "$pid"
sleep 0.5
check "SIGHUP with a bad config: kept the old one" 1 \
	"$(grep -c 'reload .* failed, keeping the old config' "$work/policyd.log")"
check "SIGHUP with a bad config: still serving" "action=DUNNO" \
	"$(probe "$SOCK" single)"

check "50 connections x 20 pipelined requests" 1000 \
	"$(probe "$SOCK" concurrent)"

stop_policyd
check "SIGTERM: exit 0" 0 $?
check "SIGTERM: drained" 1 "$(grep -c '^policyd: stopped' "$work/policyd.log")"

# A locked database: each lookup waits 2s for the lock, then fails.
# lock_db SECONDS - hold an exclusive lock in the background
lock_db() {
	python3 -c 'import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))' "$work/pfa.db" "$1" >"$work/lock.out" &
	lock_pid=$!
	for _i in $(seq 1 50); do
		grep -q locked "$work/lock.out" && return 0
		sleep 0.1
	done
	echo "policyd_proto.sh: cannot lock the database" >&2
	exit 99
}

# policyd_check_timeout passes: the default action, a warning
start_policyd "unix:$SOCK" "policyd_check_timeout = 1s"
lock_db 5
check "checks too slow: the default action" \
	"action=DEFER_IF_PERMIT 4.3.0 Service temporarily unavailable" \
	"$(probe "$SOCK" single)"
check "checks too slow: logged" 1 \
	"$(grep -c 'warning: decided: .*by=policyd_check_timeout' "$work/policyd.log")"
wait "$lock_pid"
stop_policyd

# policyd_max_connections: the next client waits in the backlog
start_policyd "unix:$SOCK" "policyd_max_connections = 2"
check "max_connections: a third client waits for a free slot" \
	"action=DUNNO action=DUNNO waits action=DUNNO" \
	"$(probe "$SOCK" maxconn)"
check "max_connections: logged" yes \
	"$(grep -q 'not accepting more' "$work/policyd.log" && echo yes)"
stop_policyd

# policyd_reject_unauth_local_sender: no login, MAIL FROM in our domains
start_policyd "unix:$SOCK" "policyd_reject_unauth_local_sender = yes"
check "unauthenticated local sender: 553" \
	"action=553 5.7.1 not logged in" "$(probe "$SOCK" single)"
check "unauthenticated local sender: others pass" \
	"$want_sender" "$(probe "$SOCK" sender)"
stop_policyd

# SIGTERM with a request in flight: it is answered, then the close
start_policyd "unix:$SOCK"
lock_db 4
python3 "$work/probe.py" "$SOCK" inflight >"$work/inflight.out" 2>&1 &
probe_pid=$!
for _i in $(seq 1 100); do
	grep -q sent "$work/inflight.out" && break
	sleep 0.05
done
sleep 0.2 # the request is read and waits for the lock
kill -TERM "$pid"
wait "$probe_pid"
wait "$pid"
check "drain: exit 0" 0 $?
pid=
check "drain: the request in flight was answered" \
	"sent
action=451 4.3.0 Temporary lookup failure" "$(cat "$work/inflight.out")"
wait "$lock_pid"

# policyd_processes = 2: a supervisor and two workers on one socket
start_policyd "unix:$SOCK" "policyd_processes = 2"
check "processes: two workers" 1 \
	"$(grep -c '2 worker processes started' "$work/policyd.log")"
check "processes: each opened its checks" 2 \
	"$(grep -c '^policyd: listening on ' "$work/policyd.log")"
check "processes: the pid file names the supervisor" "$pid" \
	"$(cat "$work/policyd.pid")"
check "processes: 50 connections x 20 pipelined requests" 1000 \
	"$(probe "$SOCK" concurrent)"
kill -HUP "$pid"
sleep 0.5
check "processes: SIGHUP reached both" 2 \
	"$(grep -c '^policyd: reloaded ' "$work/policyd.log")"
check "processes: still serving" "action=DUNNO" "$(probe "$SOCK" single)"
workers=$(cat "/proc/$pid/task/$pid/children")
stop_policyd
check "processes: SIGTERM: exit 0" 0 $?
check "processes: all three stopped" 3 \
	"$(grep -c '^policyd: stopped' "$work/policyd.log")"
left=
for w in $workers; do kill -0 "$w" 2>/dev/null && left="$left $w"; done
check "processes: no worker left" "" "$left"

# loopback TCP listener
port=$(python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
start_policyd "inet:127.0.0.1:$port"
echo "== policyd on 127.0.0.1:$port"
check "TCP: pipelined requests" 6 \
	"$(probe "127.0.0.1:$port" pipeline | grep -c '^action=')"
stop_policyd

# The same through mysql: tables on a private MariaDB server; its outage
# (the server stopped) gives 451 4.3.0, never 550 or DUNNO.
if ! mariadb_find_prog mariadbd mysqld >/dev/null; then
	echo "SKIP mariadb part: mariadbd not installed"
elif ! mariadb_client_built; then
	echo "SKIP mariadb part: postwarden built without MySQL support"
else
	mariadb_start
	trap cleanup EXIT
	cat >"$work/my.conf" <<MYEOF
db_type = mysql
db_hosts = unix:$MARIADB_SOCKET
db_user = $MARIADB_USER
db_password = $MARIADB_PASSWORD
db_name = $MARIADB_DB
MYEOF
	chmod 600 "$work/my.conf"
	add_data "$work/my.conf"
	mkmycf() {
		cat >"$work/my-$1.cf" <<MYEOF
hosts = unix:$MARIADB_SOCKET
user = $MARIADB_USER
password = $MARIADB_PASSWORD
dbname = $MARIADB_DB
query = $2
MYEOF
		chmod 600 "$work/my-$1.cf"
	}
	mkmycf domains "SELECT domain FROM domain WHERE domain='%s' AND active = '1'"
	mkmycf mailboxes "SELECT maildir FROM mailbox WHERE username='%s' AND active = '1'"
	mkmycf aliases "SELECT goto FROM alias WHERE address='%s' AND active = '1'"
	mkmycf login "SELECT username FROM mailbox WHERE username='%s' AND active = 1 UNION SELECT goto FROM alias WHERE address='%s' AND active = '1'"
	start_policyd "unix:$SOCK" \
		"policyd_virtual_mailbox_domains = mysql:$work/my-domains.cf" \
		"policyd_virtual_mailbox_maps = mysql:$work/my-mailboxes.cf" \
		"policyd_virtual_alias_maps = mysql:$work/my-aliases.cf" \
		"policyd_sender_login_maps = mysql:$work/my-login.cf"
	echo "== policyd on $SOCK with mysql: tables (MariaDB on $MARIADB_SOCKET)"
	check "mysql: pipelined requests, answered in order" \
		"$want_pipeline" "$(probe "$SOCK" pipeline)"
	check "mysql: sender login checks" \
		"$want_sender" "$(probe "$SOCK" sender)"
	mariadb_pause
	check "mysql down: recipient gets 451 4.3.0" \
		"action=451 4.3.0 Temporary lookup failure" \
		"$(probe "$SOCK" single)"
	check "mysql down: pipelined, all 451" 6 \
		"$(probe "$SOCK" pipeline | grep -c '^action=451 4.3.0 ')"
	check "mysql down: sender checks never 5xx or DUNNO for a login" 0 \
		"$(probe "$SOCK" sender | grep -c '^action=5')"
	check "mysql: no password in the log" 0 \
		"$(grep -cF "$MARIADB_PASSWORD" "$work/policyd.log")"
	stop_policyd
	mariadb_stop
fi

# config errors
printf 'policyd_checks = recipient, dkim\n' >"$work/bad.conf"
"$POLICYD" -n -c "$work/bad.conf" >"$work/bad.out" 2>&1
check "-n: unknown check is a config error" 78 $?
check "-n: says which" 1 "$(grep -c 'unknown check "dkim"' "$work/bad.out")"

check "no sanitizer reports" 0 \
	"$(cat "$work"/policyd.log* | grep -c 'runtime error:\|Sanitizer')"
echo "policyd_proto.sh: $checks checks, $fails failed"
[ $fails = 0 ]
