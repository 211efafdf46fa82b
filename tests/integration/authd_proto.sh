#!/bin/bash
# authd_proto.sh - the real postwarden-authd on a unix socket in a temp
# directory, driven with the Dovecot auth protocol as Postfix speaks it:
# handshake, PLAIN ok/fail, LOGIN and CRAM-MD5 round trips, pipelined
# requests, master users, bad lines (each closes the connection), the
# failure delay and the penalty, and a backend outage (the connection is
# closed, or FAIL ... temp when configured). Two passdbs: a passwd-file
# and an SQLite table through a Postfix-style .cf.
# Rehash-on-login, the result cache and stored {CRAM-MD5} credentials
# on a second table.
#
# Environment: abs_top_builddir. Exit: 0 pass, 1 fail, 77 skip, 99
# harness error.

set -u
LC_ALL=C.UTF-8
export LC_ALL

abs_top_builddir=${abs_top_builddir:-$(cd ../.. && pwd)}
AUTHD=${POSTWARDEN_AUTHD:-$abs_top_builddir/authd/postwarden-authd}
[ -x "$AUTHD" ] || { echo "authd_proto.sh: $AUTHD not built" >&2; exit 99; }
command -v python3 >/dev/null || { echo "authd_proto.sh: no python3" >&2; exit 77; }
command -v sqlite3 >/dev/null || { echo "authd_proto.sh: no sqlite3" >&2; exit 77; }
command -v openssl >/dev/null || { echo "authd_proto.sh: no openssl" >&2; exit 77; }

work=$(mktemp -d "${TMPDIR:-/tmp}/authd_proto.XXXXXX") || exit 99
pid=
cleanup() {
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	fi
	rm -rf "$work"
}
trap cleanup EXIT

# Stored passwords: plaintext, a crypt(3) SHA-512 hash, bare crypt.
sha512=$(openssl passwd -6 -salt saltsalt bobpw) || exit 99
# a costly scheme next to the SHA512-CRYPT dummy hash of unknown users
bcrypt=$("$POSTWARDEN" pw -s BLF-CRYPT -r 12 -p slowpw) || exit 99
cat >"$work/passwd" <<EOF
alice@example.com:{PLAIN}secret
bob@example.com:{SHA512-CRYPT}$sha512
master@example.com:{PLAIN}masterpw
slow@example.com:$bcrypt
EOF

sqlite3 "$work/users.db" "
CREATE TABLE mailbox (username TEXT PRIMARY KEY, password TEXT,
	active INTEGER NOT NULL DEFAULT 1);
INSERT INTO mailbox VALUES ('carol@example.com', '{PLAIN}carolpw', 1);
INSERT INTO mailbox VALUES ('o''hara@example.com', '{PLAIN}quote', 1);
INSERT INTO mailbox VALUES ('off@example.com', '{PLAIN}off', 0);" || exit 99
cat >"$work/users.cf" <<EOF
dbpath = $work/users.db
query = SELECT password FROM mailbox WHERE username='%s' AND active=1
EOF

# start_authd NAME PASSDB [EXTRA...] - run the daemon in the foreground
start_authd() {
	_name=$1
	_passdb=$2
	shift 2
	{
		echo "authd_listen = unix:$work/$_name.sock"
		echo "authd_listen_owner ="
		echo "authd_listen_group ="
		echo "authd_listen_mode = 0600"
		echo "authd_user ="
		echo "authd_pid_file = $work/$_name.pid"
		echo "authd_passdb = $_passdb"
		echo "authd_mechanisms = plain login cram-md5"
		echo "authd_master_users = master@example.com"
		echo "authd_failure_delay = 1s"
		echo "authd_penalty_base = 1s"
		echo "authd_penalty_max = 2s"
		echo "authd_workers = 2"
		echo "authd_hostname = test.invalid"
		for _l in "$@"; do echo "$_l"; done
	} >"$work/$_name.conf"
	"$AUTHD" -n -c "$work/$_name.conf" ||
		{ echo "FAIL: -n rejects $_name.conf" >&2; exit 1; }
	"$AUTHD" -f -c "$work/$_name.conf" 2>"$work/$_name.log" &
	pid=$!
	for _i in $(seq 1 50); do
		[ -S "$work/$_name.sock" ] && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	echo "FAIL: $_name did not start: $(cat "$work/$_name.log")" >&2
	exit 1
}

# stop_authd - SIGTERM by PID; it must exit 0 within the drain timeout
stop_authd() {
	kill -TERM "$pid"
	wait "$pid"
	_st=$?
	pid=
	if [ "$_st" != 0 ]; then
		echo "FAIL: authd exited $_st" >&2
		exit 1
	fi
}

# client SOCKET SCENARIO - the Python protocol client below
client() {
	python3 - "$@" <<'PYEOF'
import base64, hashlib, hmac, socket, sys, time

sock_path, scenario = sys.argv[1], sys.argv[2]
checks = 0
fails = 0

def b64(b):
    return base64.b64encode(b).decode()

class Conn:
    def __init__(self, handshake=True):
        self.s = socket.socket(socket.AF_UNIX)
        self.s.settimeout(8)
        self.s.connect(sock_path)
        self.buf = b""
        self.hs = []
        # the server writes its handshake without waiting for ours
        while True:
            line = self.line()
            self.hs.append(line)
            if line == "DONE":
                break
        if handshake:
            self.send("VERSION\t1\t0\nCPID\t4242\n")

    def send(self, text):
        self.s.sendall(text.encode() if isinstance(text, str) else text)

    def line(self):
        while b"\n" not in self.buf:
            d = self.s.recv(65536)
            if not d:
                raise EOFError
            self.buf += d
        l, self.buf = self.buf.split(b"\n", 1)
        return l.decode()

    def closed(self):
        try:
            self.line()
            return False
        except EOFError:
            return True
        except ConnectionResetError:
            return True

def check(cond, what):
    global checks, fails
    checks += 1
    if not cond:
        fails += 1
        print("FAIL: %s: %s" % (scenario, what), file=sys.stderr)

def auth(i, mech, rip="192.0.2.10", resp=None, extra=""):
    l = "AUTH\t%d\t%s\tservice=smtp\tnologin\tlip=127.0.0.1\trip=%s%s" % (
        i, mech, rip, extra)
    if resp is not None:
        l += "\tresp=" + resp
    return l + "\n"

def plain(user, pw, authz=""):
    return b64(authz.encode() + b"\0" + user.encode() + b"\0" + pw.encode())

if scenario == "file":
    c = Conn()
    hs = [l for l in c.hs if not l.startswith(("SPID\t", "CUID\t", "COOKIE\t"))]
    check(hs == ["VERSION\t1\t2", "MECH\tPLAIN\tplaintext",
                 "MECH\tLOGIN\tplaintext",
                 "MECH\tCRAM-MD5\tdictionary\tactive", "DONE"],
          "handshake %r" % c.hs)
    order = [l.split("\t")[0] for l in c.hs]
    check(order.index("SPID") > order.index("MECH") and
          order.index("CUID") == order.index("SPID") + 1, "MECH before SPID")
    cookie = [l for l in c.hs if l.startswith("COOKIE\t")][0].split("\t")[1]
    check(len(cookie) == 32 and all(x in "0123456789abcdef" for x in cookie),
          "cookie")
    # PLAIN, initial response (section 7 transcript); mech as typed
    c.send(auth(1, "plain", resp=plain("alice@example.com", "secret")))
    check(c.line() == "OK\t1\tuser=alice@example.com", "PLAIN ok")
    # upper case login: lower-cased by %Lu, reply lower-cased
    c.send(auth(2, "PLAIN", resp=plain("Bob@Example.COM", "bobpw"),
                extra="\tsecured"))
    check(c.line() == "OK\t2\tuser=bob@example.com", "PLAIN sha512-crypt")
    # wrong password: FAIL with user=, after the failure delay
    t = time.time()
    c.send(auth(3, "PLAIN", rip="192.0.2.20",
                resp=plain("alice@example.com", "wrong")))
    check(c.line() == "FAIL\t3\tuser=alice@example.com", "PLAIN wrong")
    check(time.time() - t >= 0.9, "failure delay %.2f" % (time.time() - t))
    # unknown user: same shape of reply, comparable time
    t = time.time()
    c.send(auth(4, "PLAIN", rip="192.0.2.21",
                resp=plain("nobody@example.com", "x")))
    check(c.line() == "FAIL\t4\tuser=nobody@example.com", "unknown user")
    t_unknown = time.time() - t
    check(t_unknown >= 0.9, "unknown user delay")
    # the delay counts from the start of the check: a wrong password for
    # a user with a costly scheme takes as long as an unknown user
    t = time.time()
    c.send(auth(30, "PLAIN", rip="192.0.2.22",
                resp=plain("slow@example.com", "slowpw")))
    check(c.line() == "OK\t30\tuser=slow@example.com", "PLAIN bcrypt")
    t_hash = time.time() - t
    t = time.time()
    c.send(auth(31, "PLAIN", rip="192.0.2.23",
                resp=plain("slow@example.com", "wrong")))
    check(c.line() == "FAIL\t31\tuser=slow@example.com", "bcrypt wrong")
    t_slow = time.time() - t
    check(abs(t_slow - t_unknown) < max(0.1, t_hash / 2),
          "FAIL after %.3f s for a bcrypt user, %.3f s for an unknown one "
          "(one bcrypt check: %.3f s)" % (t_slow, t_unknown, t_hash))
    # LOGIN: two CONT rounds with Dovecot's challenges
    c.send(auth(5, "LOGIN", rip="192.0.2.30"))
    check(c.line() == "CONT\t5\tVXNlcm5hbWU6", "LOGIN Username:")
    c.send("CONT\t5\t%s\n" % b64(b"alice@example.com"))
    check(c.line() == "CONT\t5\tUGFzc3dvcmQ6", "LOGIN Password:")
    c.send("CONT\t5\t%s\n" % b64(b"secret"))
    check(c.line() == "OK\t5\tuser=alice@example.com", "LOGIN ok")
    # PLAIN without initial response: empty CONT
    c.send(auth(6, "PLAIN", rip="192.0.2.30"))
    check(c.line() == "CONT\t6\t", "PLAIN empty challenge")
    c.send("CONT\t6\t%s\n" % plain("alice@example.com", "secret"))
    check(c.line() == "OK\t6\tuser=alice@example.com", "PLAIN via CONT")
    # CRAM-MD5 against a {PLAIN} entry
    c.send(auth(7, "CRAM-MD5", rip="192.0.2.30"))
    l = c.line().split("\t")
    chal = base64.b64decode(l[2])
    check(l[:2] == ["CONT", "7"] and chal.startswith(b"<") and
          chal.endswith(b"@test.invalid>"), "CRAM challenge %r" % chal)
    dig = hmac.new(b"secret", chal, hashlib.md5).hexdigest()
    c.send("CONT\t7\t%s\n" % b64(("alice@example.com " + dig).encode()))
    check(c.line() == "OK\t7\tuser=alice@example.com", "CRAM-MD5 ok")
    # pipelined: three requests in one write, answered by id
    c.send(auth(10, "PLAIN", rip="192.0.2.40",
                resp=plain("alice@example.com", "secret")) +
           auth(11, "PLAIN", rip="192.0.2.41",
                resp=plain("bob@example.com", "bobpw")) +
           auth(12, "LOGIN", rip="192.0.2.42"))
    got = sorted([c.line(), c.line(), c.line()])
    check(got == sorted(["OK\t10\tuser=alice@example.com",
                         "OK\t11\tuser=bob@example.com",
                         "CONT\t12\tVXNlcm5hbWU6"]), "pipelined %r" % got)
    # a dangling request (the client answered "*") does not block others
    c.send(auth(13, "PLAIN", rip="192.0.2.43",
                resp=plain("alice@example.com", "secret")))
    check(c.line() == "OK\t13\tuser=alice@example.com", "after dangling")
    # CANCEL, then a CONT for it: Dovecot's "timed out" FAIL
    c.send("CANCEL\t12\nCONT\t12\tYQ==\n")
    check(c.line() == "FAIL\t12\treason=Authentication request timed out",
          "CONT after CANCEL")
    # bad base64 in the initial response
    c.send(auth(14, "PLAIN", rip="192.0.2.44", resp="AAA"))
    check(c.line() == "FAIL\t14\tcode=invalid_base64\treason=Invalid "
          "base64 data in initial response", "bad base64")
    # PLAIN with NUL/missing fields
    c.send(auth(15, "PLAIN", rip="192.0.2.45", resp=b64(b"alice")))
    check(c.line() == "FAIL\t15", "PLAIN without NULs")
    # authzid: refused for a normal user, allowed for a master user
    c.send(auth(16, "PLAIN", rip="192.0.2.46",
                resp=plain("alice@example.com", "secret",
                           authz="bob@example.com")))
    check(c.line() == "FAIL\t16\tuser=alice@example.com", "authzid refused")
    c.send(auth(17, "PLAIN", rip="192.0.2.47",
                resp=plain("master@example.com", "masterpw",
                           authz="bob@example.com")))
    check(c.line() == "OK\t17\tuser=bob@example.com", "master user")
    c.send(auth(18, "PLAIN", rip="192.0.2.48",
                resp=plain("master@example.com", "masterpw",
                           authz="ghost@example.com")))
    check(c.line() == "FAIL\t18\tuser=master@example.com",
          "master user, unknown target")
    # penalty: after failures from one address, even a good password
    # waits (penalty 1 s, then 2 s) before the answer
    for i, pw in ((20, "bad1"), (21, "bad2")):
        c.send(auth(i, "PLAIN", rip="198.18.0.1",
                    resp=plain("alice@example.com", pw)))
        c.line()
    t = time.time()
    c.send(auth(22, "PLAIN", rip="198.18.0.1",
                resp=plain("alice@example.com", "secret")))
    check(c.line() == "OK\t22\tuser=alice@example.com", "ok after penalty")
    check(time.time() - t >= 1.9, "penalty delay %.2f" % (time.time() - t))
    # the penalty was reset by the success
    t = time.time()
    c.send(auth(23, "PLAIN", rip="198.18.0.1",
                resp=plain("alice@example.com", "secret")))
    check(c.line() == "OK\t23\tuser=alice@example.com", "after reset")
    check(time.time() - t < 1, "no penalty after success")
    # a reused id closes the connection
    c.send(auth(30, "LOGIN", rip="192.0.2.50") +
           auth(30, "LOGIN", rip="192.0.2.50"))
    check(c.line() == "CONT\t30\tVXNlcm5hbWU6", "first of reused id")
    check(c.closed(), "reused id closes")

    # bad lines: each closes the connection
    for name, lines in (
            ("AUTH before VERSION", auth(1, "PLAIN", resp="AA==")),
            ("unknown command", "VERSION\t1\t0\nCPID\t1\nFOO\t1\n"),
            ("unknown mech", "VERSION\t1\t0\nCPID\t1\n" +
             auth(1, "DIGEST-MD5")),
            ("no TAB", "VERSION\t1\t0\nCPID\t1\nAUTH 1 PLAIN\n"),
            ("major 2", "VERSION\t2\t0\n"),
            ("over-long line", "VERSION\t1\t0\nCPID\t1\nCONT\t1\t" +
             "A" * 17000 + "\n")):
        c = Conn(handshake=False)
        c.send(lines)
        check(c.closed(), name)

    # clients that vanish mid-request (waiting for CONT, in a worker,
    # in the failure delay) leave the daemon serving others
    for lines in (auth(1, "LOGIN", rip="192.0.2.70"),
                  auth(1, "PLAIN", rip="192.0.2.71",
                       resp=plain("bob@example.com", "bobpw")),
                  auth(1, "PLAIN", rip="192.0.2.72",
                       resp=plain("bob@example.com", "nope"))):
        c = Conn()
        c.send(lines)
        time.sleep(0.05)
        c.s.close()
    time.sleep(1.5)
    c = Conn()
    c.send(auth(1, "PLAIN", rip="192.0.2.73",
                resp=plain("alice@example.com", "secret")))
    check(c.line() == "OK\t1\tuser=alice@example.com", "after vanished")

    # more abandoned LOGINs than authd_max_requests (Postfix sends no
    # CANCEL after "*"): the oldest make room, the live request is served
    c = Conn()
    c.send("".join(auth(i, "LOGIN", rip="192.0.2.80") for i in range(1, 41)))
    conts = [c.line() for i in range(40)]
    check(all(l.startswith("CONT\t") for l in conts), "40 CONTs")
    c.send(auth(41, "PLAIN", rip="192.0.2.81",
                resp=plain("alice@example.com", "secret")))
    check(c.line() == "OK\t41\tuser=alice@example.com",
          "served past abandoned requests")

    # many pipelined requests on one connection (backpressure)
    c = Conn()
    n = 2000
    c.send("".join(auth(i, "PLAIN", rip="192.0.2.60",
                        resp=plain("alice@example.com", "secret"))
                   for i in range(1, n + 1)))
    ok = 0
    for i in range(n):
        if c.line().startswith("OK\t"):
            ok += 1
    check(ok == n, "%d pipelined OKs of %d" % (ok, n))

elif scenario == "sqlite":
    c = Conn()
    c.send(auth(1, "PLAIN", resp=plain("carol@example.com", "carolpw")))
    check(c.line() == "OK\t1\tuser=carol@example.com", "sqlite ok")
    c.send(auth(2, "PLAIN", rip="192.0.2.11",
                resp=plain("o'hara@example.com", "quote")))
    check(c.line() == "OK\t2\tuser=o'hara@example.com", "quote in login")
    c.send(auth(3, "PLAIN", rip="192.0.2.12",
                resp=plain("x' OR '1'='1", "quote")))
    check(c.line() == "FAIL\t3\tuser=x' or '1'='1", "no injection")
    c.send(auth(4, "PLAIN", rip="192.0.2.13",
                resp=plain("off@example.com", "off")))
    check(c.line() == "FAIL\t4\tuser=off@example.com", "inactive")

elif scenario == "rehash-cache":
    # {PLAIN-MD5} is rehashed on the first login; the cache answers the
    # third; {CRAM-MD5} states serve the CRAM-MD5 mechanism
    c = Conn()
    for i in (1, 2, 3):
        c.send(auth(i, "PLAIN", rip="192.0.2.90",
                    resp=plain("dave@example.com", "secret")))
        check(c.line() == "OK\t%d\tuser=dave@example.com" % i,
              "weak login %d" % i)
    c.send(auth(4, "PLAIN", rip="192.0.2.91",
                resp=plain("dave@example.com", "wrong")))
    check(c.line() == "FAIL\t4\tuser=dave@example.com", "wrong after rehash")
    c.send(auth(5, "CRAM-MD5", rip="192.0.2.92"))
    l = c.line().split("\t")
    check(l[:2] == ["CONT", "5"], "CRAM-MD5 challenge")
    ch = base64.b64decode(l[2])
    mac = hmac.new(b"secret", ch, hashlib.md5).hexdigest()
    c.send("CONT\t5\t%s\n" % b64(b"erin@example.com " + mac.encode()))
    check(c.line() == "OK\t5\tuser=erin@example.com", "stored CRAM-MD5")

elif scenario == "outage-disconnect":
    c = Conn()
    c.send(auth(1, "PLAIN", resp=plain("carol@example.com", "carolpw")))
    check(c.closed(), "TEMPFAIL closes the connection (Postfix: 454)")

elif scenario == "outage-failtemp":
    c = Conn()
    c.send(auth(1, "PLAIN", resp=plain("carol@example.com", "carolpw")))
    check(c.line() == "FAIL\t1\tuser=carol@example.com\tcode=temp_fail\ttemp",
          "TEMPFAIL as FAIL temp")

print("%s: %d checks, %d failed" % (scenario, checks, fails))
sys.exit(1 if fails else 0)
PYEOF
}

status=0

start_authd file "passwd-file:$work/passwd"
client "$work/file.sock" file || status=1
# nothing secret in the log
if grep -Eq 'secret|bobpw|masterpw|\$6\$' "$work/file.log"; then
	echo "FAIL: a password or hash in the log" >&2
	status=1
fi
# successful logins are not logged unless authd_log_logins = yes
if grep -q 'login: user=' "$work/file.log"; then
	echo "FAIL: a successful login logged by default" >&2
	status=1
fi
grep -q 'auth: failed: user=' "$work/file.log" ||
	{ echo "FAIL: no failed login logged" >&2; status=1; }
stop_authd
[ -e "$work/file.pid" ] && { echo "FAIL: pid file left" >&2; status=1; }

start_authd sqlite "sqlite:$work/users.cf"
client "$work/sqlite.sock" sqlite || status=1
# the backend breaks: never OK; the default closes the connection
sqlite3 "$work/users.db" "DROP TABLE mailbox;"
client "$work/sqlite.sock" outage-disconnect || status=1
stop_authd

start_authd failtemp "sqlite:$work/users.cf" "authd_tempfail_action = fail-temp"
client "$work/failtemp.sock" outage-failtemp || status=1
stop_authd

# rehash-on-login and the result cache on their own table
sqlite3 "$work/rehash.db" "
CREATE TABLE mailbox (username TEXT PRIMARY KEY, password TEXT);
INSERT INTO mailbox VALUES ('dave@example.com',
	'{PLAIN-MD5}5ebe2294ecd0e0f08eab7690d2a6ee69');
INSERT INTO mailbox VALUES ('erin@example.com',
	'{CRAM-MD5}cd3ba7deaad6e5ca23448ba42e379747a9e0f7f1fbc00c8a81bbaac395731b56');" ||
	exit 99
cat >"$work/rehash.cf" <<EOF
dbpath = $work/rehash.db
query = SELECT password FROM mailbox WHERE username='%s'
EOF
start_authd rehash "sqlite:$work/rehash.cf" "authd_cache_size = 100" \
	"authd_log_logins = yes" "authd_rehash_query = UPDATE mailbox SET password='%p' WHERE username='%u'"
client "$work/rehash.sock" rehash-cache || status=1
case $(sqlite3 "$work/rehash.db" \
	"SELECT password FROM mailbox WHERE username='dave@example.com'") in
'{SHA512-CRYPT}$6$'*) ;;
*) echo "FAIL: dave@example.com was not rehashed" >&2; status=1 ;;
esac
grep -q 'user=dave@example.com: stored password rehashed to SHA512-CRYPT' \
	"$work/rehash.log" || { echo "FAIL: no rehash log line" >&2; status=1; }
grep -q 'login: user=dave@example.com .*(cached)' "$work/rehash.log" ||
	{ echo "FAIL: no cached login" >&2; status=1; }
if grep -Eq 'secret|5ebe2294|cd3ba7de|\$6\$' "$work/rehash.log"; then
	echo "FAIL: a password or hash in the rehash log" >&2
	status=1
fi
stop_authd

exit $status
