#!/bin/bash
# milterd_miltertest.sh - the real postwarden-milterd driven by
# miltertest (Debian package miltertest) over its unix socket, with the
# DKIM key records served by a private NSD on 127.0.0.1 (harness nsd.sh)
# and dkimpy (python3-dkim) as the peer that signs and verifies:
#
#   sign    an authenticated client's message gets two DKIM-Signature
#           fields (RSA and Ed25519: the same refile pattern twice),
#           inserted at the top; dkimpy verifies both against the
#           records in DNS, and so do OpenDKIM (opendkim -t, when
#           installed) and milterd's verifier; the same for
#           an internal client address and for {daemon_name}
#           ORIGINATING, and simple/simple with a folded header and a
#           body without a final CRLF; a field whose name has a space
#           inside is left out and the rest signed
#   verify  messages dkimpy signed (rsa-sha256 relaxed and simple here;
#           ed25519-sha256 and dual RSA + Ed25519 from the shared
#           generated vectors), and messages OpenDKIM signed
#           (opendkim -t: RSA relaxed/relaxed, simple/simple,
#           relaxed/simple, Ed25519 relaxed/relaxed) from an outside
#           client get
#           "Authentication-Results: <id>; dkim=pass header.d=..."; a
#           changed body gives dkim=fail; an unknown selector a non-pass
#           result; an unsigned message dkim=none; an existing
#           Authentication-Results field claiming our authserv-id is
#           deleted, another id's is kept
#   bad input thousands of header fields, 150 garbage signatures, 8-bit
#           bytes in the body: each ends with an Authentication-Results
#           field (permerror or none) and an accept, never a crash or a
#           hang. (miltertest cannot send a header value over about 1 KB
#           nor a NUL byte in the body: milterd_postfix.sh sends the
#           long header fields)
#   socket  an instance on inet:port@127.0.0.1 (OpenDKIM's form) signs
#           too; a second instance on the socket of a running one stops
#           with a reason instead of taking the socket over
#   actions a second instance with milterd_on_bad_signature = reject
#           rejects the changed message; with the DNS server paused, the
#           default On-DNSError tempfail answers within the configured
#           timeout. miltertest shows only that a reply code was set
#           (mt.eom_check MT_SMTPREPLY does not see it), so the action
#           is checked in milterd's log line as well
#
# Environment: srcdir, abs_top_builddir, PW_TESTDATA_DIR. Exit: 0 pass,
# 1 fail, 77 skip, 99 harness error.

set -u
LC_ALL=C
export LC_ALL

srcdir=${srcdir:-$(dirname "$0")}
abs_top_builddir=${abs_top_builddir:-$(cd ../.. && pwd)}
MILTERD=$abs_top_builddir/milterd/postwarden-milterd
[ -x "$MILTERD" ] || { echo "$MILTERD not built" >&2; exit 99; }
command -v miltertest >/dev/null 2>&1 ||
	{ echo "SKIP: miltertest not installed" >&2; exit 77; }
# Debian's python3 has python3-dkim (and python3-nacl for Ed25519)
PY=
for p in /usr/bin/python3 python3; do
	if "$p" -c 'import dkim, nacl' >/dev/null 2>&1; then
		PY=$p
		break
	fi
done
[ -n "$PY" ] ||
	{ echo "SKIP: python3-dkim with python3-nacl not installed" >&2; exit 77; }
DKIMDATA=${PW_TESTDATA_DIR:-$srcdir/../../../shared/testdata}/dkim
KEYS=$DKIMDATA/dkimpy
[ -r "$KEYS/2048_testkey.key" ] ||
	{ echo "SKIP: no test keys at $KEYS" >&2; exit 77; }

. "$srcdir/nsd.sh"
nsd_init

W=$NSD_DIR/milterd
mkdir -p "$W" || exit 99
PIDS=
cleanup() {
	for _p in $PIDS; do
		kill "$_p" 2>/dev/null
	done
	for _p in $PIDS; do
		_n=0
		while [ $_n -lt 40 ] && kill -0 "$_p" 2>/dev/null; do
			sleep 0.25
			_n=$((_n + 1))
		done
		kill -9 "$_p" 2>/dev/null
		wait "$_p" 2>/dev/null
	done
	nsd_stop
}
trap cleanup EXIT

FAILS=0
fail() {
	echo "FAIL: $*" >&2
	FAILS=$((FAILS + 1))
}

# the helper: dkimpy signing and verifying, Lua scripts for miltertest
cat >"$W/helper.py" <<'EOF'
import sys, re, dkim

def read(p):
    with open(p, 'rb') as f:
        return f.read()

def split(msg):
    head, _, body = msg.partition(b'\r\n\r\n')
    fields = []
    for line in head.split(b'\r\n'):
        if line[:1] in (b' ', b'\t') and fields:
            fields[-1] += b'\r\n' + line
        else:
            fields.append(line)
    return fields, body

def lua_str(b):
    out = []
    for c in b:
        if 32 <= c < 127 and c not in (34, 92):
            out.append(chr(c))
        else:
            out.append('\\%03d' % c)
    return '"' + ''.join(out) + '"'

def records(path):
    recs = {}
    for line in read(path).decode().splitlines():
        name, _, txt = line.partition(' ')
        recs[name.lower()] = txt.encode()
    return recs

def signatures(out):
    sigs = []
    for line in read(out).decode().splitlines():
        if line.startswith('HDR DKIM-Signature:'):
            v = line[len('HDR DKIM-Signature:'):]
            v = v.replace('\\t', '\t').replace('\\n', '\n').replace('\\r', '\r').replace('\\\\', '\\')
            sigs.append(b'DKIM-Signature:' + v.replace('\n', '\r\n').encode() + b'\r\n')
    return sigs

cmd = sys.argv[1]
if cmd == 'sign':
    # sign MSG KEY SELECTOR ALG CANON
    msg, key, sel, alg, canon = sys.argv[2:7]
    c = tuple(x.encode() for x in canon.split('/'))
    sig = dkim.sign(read(msg), sel.encode(), b'example.com', read(key),
                    signature_algorithm=alg.encode(), canonicalize=c,
                    include_headers=[b'from', b'to', b'subject', b'date'])
    sys.stdout.buffer.write(sig + read(msg))
elif cmd == 'lua':
    # lua MSG SOCK IP AUTHEN DAEMON_NAME
    msg, sock, ip, authen, daemon = sys.argv[2:7]
    fields, body = split(read(msg))
    L = []
    conn = sock if sock.startswith('inet:') else 'unix:' + sock
    L.append('conn = mt.connect(%s, 40, 0.25)' % lua_str(conn.encode()))
    L.append('if conn == nil then print("ERROR connect") return end')
    L.append('mt.macro(conn, SMFIC_CONNECT, "j", "mx.test.example", "{daemon_name}", %s)' % lua_str(daemon.encode()))
    L.append('assert(mt.conninfo(conn, "client.example", %s) == nil)' % lua_str(ip.encode()))
    L.append('if not mt.test_option(conn, SMFIP_NOHELO) then assert(mt.helo(conn, "client.example") == nil) end')
    if authen:
        L.append('mt.macro(conn, SMFIC_MAIL, "{auth_type}", "PLAIN", "{auth_authen}", %s)' % lua_str(authen.encode()))
    L.append('assert(mt.mailfrom(conn, "<alice@example.com>") == nil)')
    L.append('if not mt.test_option(conn, SMFIP_NORCPT) then assert(mt.rcptto(conn, "<bob@example.net>") == nil) end')
    L.append('mt.macro(conn, string.byte("T"), "i", "4TEST1")')
    L.append('if not mt.test_option(conn, SMFIP_NODATA) then assert(mt.data(conn) == nil) end')
    for f in fields:
        name, _, value = f.partition(b':')
        if not value.startswith(b' '):
            sys.exit('field without a space after the colon: %r' % f)
        value = value[1:].replace(b'\r\n', b'\n')
        L.append('assert(mt.header(conn, %s, %s) == nil)' % (lua_str(name), lua_str(value)))
    L.append('assert(mt.eoh(conn) == nil)')
    for i in range(0, len(body), 16384):
        L.append('assert(mt.bodystring(conn, %s) == nil)' % lua_str(body[i:i + 16384]))
    L.append('assert(mt.eom(conn) == nil)')
    L.append('''r = mt.getreply(conn)
if r == SMFIR_ACCEPT then print("REPLY accept")
elseif r == SMFIR_CONTINUE then print("REPLY continue")
elseif r == SMFIR_REPLYCODE then print("REPLY code")
else print("REPLY other " .. tostring(r)) end
for _, name in ipairs({"DKIM-Signature", "Authentication-Results"}) do
  for i = 0, 9 do
    local v = mt.getheader(conn, name, i)
    if v == nil then break end
    v = v:gsub("\\\\", "\\\\\\\\"):gsub("\\r", "\\\\r"):gsub("\\n", "\\\\n"):gsub("\\t", "\\\\t")
    print("HDR " .. name .. ":" .. v)
  end
end
if mt.eom_check(conn, MT_HDRINSERT, "DKIM-Signature") then print("INSERTED DKIM-Signature") end
if mt.eom_check(conn, MT_HDRINSERT, "Authentication-Results") then print("INSERTED Authentication-Results") end
if mt.eom_check(conn, MT_HDRDELETE, "Authentication-Results") then print("DELETED Authentication-Results") end
mt.disconnect(conn)''')
    print('\n'.join(L))
elif cmd == 'verify':
    # verify MSG OUTPUT RECORDS: the DKIM-Signature fields of OUTPUT
    # put on top of MSG, each verified by dkimpy
    msg, out, recfile = sys.argv[2:5]
    recs = records(recfile)
    def dnsfunc(name, timeout=5):
        return recs.get(name.decode().rstrip('.').lower(), b'')
    sigs = signatures(out)
    if not sigs:
        print('no signatures')
        sys.exit(1)
    full = b''.join(sigs) + read(msg)
    d = dkim.DKIM(full)
    res = []
    for i in range(len(sigs)):
        res.append('pass' if d.verify(idx=i, dnsfunc=dnsfunc) else 'fail')
    print(' '.join(res))
elif cmd == 'odk':
    # odk OUTPUT MSG: the DKIM-Signature "opendkim -vvv -t" inserted, on MSG
    out = read(sys.argv[2])
    tag = b"hname='DKIM-Signature' hvalue='"
    i = out.find(tag)
    if i < 0:
        sys.exit(1)
    v = out[i + len(tag):]
    v = v[:v.index(b"'\n")]
    sys.stdout.buffer.write(b'DKIM-Signature: ' + v.replace(b'\n', b'\r\n') +
                            b'\r\n' + read(sys.argv[3]))
elif cmd == 'assemble':
    # assemble MSG OUTPUT: the DKIM-Signature fields of OUTPUT on MSG
    msg, out = sys.argv[2:4]
    sys.stdout.buffer.write(b''.join(signatures(out)) + read(msg))
EOF

# keys: RSA 2048 (dkimpy's test key) and Ed25519 (RFC 8463's seed form)
RSA_PUB=$(sed -n 's/.*p=//p' "$KEYS/2048_testkey_wo_markers.pub.txt" | tr -d ' \r\n')
ED_REC=$(tr -d '\r\n' <"$KEYS/ed25519test.dns")
[ -n "$RSA_PUB" ] && [ -n "$ED_REC" ] || { echo "bad test keys" >&2; exit 99; }
{
	printf 'rsasel._domainkey.example.com v=DKIM1; k=rsa; p=%s\n' "$RSA_PUB"
	printf 'edsel._domainkey.example.com v=DKIM1; %s\n' "$ED_REC"
} >"$W/records"
# TXT strings of at most 255 bytes (RFC 1035 3.3.14)
zone_txt() {
	printf '%s' "$1" | fold -w 200 | sed 's/.*/"&"/' | tr '\n' ' '
}
# the shared generated vectors: s=test for both domains
nsd_add_zone example.com <<EOF
rsasel._domainkey  TXT  $(zone_txt "v=DKIM1; k=rsa; p=$RSA_PUB")
edsel._domainkey   TXT  "v=DKIM1; $ED_REC"
test._domainkey    TXT  $(zone_txt "$(tr -d '\r\n' <"$KEYS/test.txt")")
EOF
nsd_add_zone example.net <<EOF
test._domainkey    TXT  "$ED_REC"
EOF
nsd_start

cat >"$W/KeyTable" <<EOF
# OpenDKIM KeyTable: keyname domain:selector:keyfile
rsa   example.com:rsasel:$KEYS/2048_testkey.key
ed    example.com:edsel:$KEYS/ed25519test.key
EOF
cat >"$W/SigningTable" <<EOF
*@example.com  rsa
*@example.com  ed
EOF

# start_milterd NAME EXTRA-CONFIG - an instance on $W/NAME.sock
start_milterd() {
	cat >"$W/$1.conf" <<EOF
milterd_socket = unix:$W/$1.sock
$2
milterd_user =
milterd_key_table = $W/KeyTable
milterd_signing_table = refile:$W/SigningTable
milterd_authserv_id = mx.test.example
milterd_internal_hosts = 198.18.0.0/15
milterd_sign_daemon_names = ORIGINATING
milterd_dns_servers = $(nsd_servers)
milterd_dns_timeout = 2s
EOF
	"$MILTERD" -n -c "$W/$1.conf" 2>"$W/$1.check" ||
		{ cat "$W/$1.check" >&2; echo "config check failed" >&2; exit 99; }
	"$MILTERD" -f -c "$W/$1.conf" >"$W/$1.log" 2>&1 &
	PIDS="$PIDS $!"
	_n=0
	while [ $_n -lt 80 ] && [ ! -S "$W/$1.sock" ] &&
		! grep -q ' started on ' "$W/$1.log"; do
		sleep 0.25
		_n=$((_n + 1))
	done
	grep -q ' started on ' "$W/$1.log" ||
		{ cat "$W/$1.log" >&2; echo "$1 did not start" >&2; exit 99; }
}

# drive NAME MSG IP AUTHEN DAEMON - run the message through instance
# NAME (socket $W/NAME.sock; for the instance "inet", $INET_SOCK); the
# output lines (REPLY, HDR, INSERTED, DELETED) in $W/out
drive() {
	_sock=$W/$1.sock
	[ "$1" = inet ] && _sock=$INET_SOCK
	"$PY" "$W/helper.py" lua "$2" "$_sock" "$3" "$4" "$5" \
		>"$W/script.lua" || { echo "helper failed" >&2; exit 99; }
	timeout 60 miltertest -s "$W/script.lua" >"$W/out" 2>"$W/err"
	_rc=$?
	if [ $_rc -ne 0 ]; then
		echo "miltertest exit $_rc:" >&2
		cat "$W/out" "$W/err" >&2
		return 1
	fi
	return 0
}

# has LINE - is LINE (a fixed string) a whole line of $W/out?
has() {
	grep -qxF -- "$1" "$W/out"
}

msg() {
	printf 'From: Alice <alice@example.com>\r\n'
	printf 'To: bob@example.net\r\n'
	printf 'Subject: %s\r\n' "$1"
	printf 'Date: Sun, 22 Nov 2026 01:00:00 +0000\r\n'
	printf 'Message-ID: <%s@example.com>\r\n' "$(echo "$1" | tr -c 'a-z0-9' x)"
	printf '\r\n'
	printf 'Hello Bob,\r\n\r\nthis is %s.\r\n' "$1"
}

start_milterd m ""

# a second instance must not take the socket of a running one
if timeout 20 "$MILTERD" -f -c "$W/m.conf" >"$W/second.log" 2>&1; then
	fail "a second instance started on the same socket"
fi
grep -q 'another server is listening there' "$W/second.log" ||
	fail "second instance: no reason given"

# --- signing ---------------------------------------------------------
msg "signed by milterd" >"$W/plain.eml"
for who in "auth 203.0.113.7 alice@example.com x" \
	"internal 198.18.0.9 - x" "daemon 203.0.113.7 - ORIGINATING"; do
	set -- $who
	authen=$3
	[ "$authen" = - ] && authen=
	if drive m "$W/plain.eml" "$2" "$authen" "$4"; then
		has "REPLY accept" || fail "sign/$1: no accept"
		has "INSERTED DKIM-Signature" || fail "sign/$1: no DKIM-Signature inserted"
		has "INSERTED Authentication-Results" &&
			fail "sign/$1: an Authentication-Results field when signing"
		[ "$(grep -c '^HDR DKIM-Signature:' "$W/out")" = 2 ] ||
			fail "sign/$1: want 2 signatures"
		grep -q '^HDR DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com;' "$W/out" ||
			fail "sign/$1: no relaxed RSA signature"
		grep -q '^HDR DKIM-Signature: v=1; a=ed25519-sha256;.*s=edsel' "$W/out" ||
			fail "sign/$1: no Ed25519 signature"
		got=$("$PY" "$W/helper.py" verify "$W/plain.eml" "$W/out" "$W/records")
		[ "$got" = "pass pass" ] || fail "sign/$1: dkimpy says \"$got\""
		"$PY" "$W/helper.py" assemble "$W/plain.eml" "$W/out" >"$W/signed-$1.eml"
	else
		fail "sign/$1: miltertest"
	fi
done
grep -q 'signed: d=example.com s=rsasel a=rsa-sha256 (authenticated as alice@example.com)' "$W/m.log" ||
	fail "sign: no log line with the reason"
grep -q '(internal client 198.18.0.9)' "$W/m.log" ||
	fail "sign: no log line for the internal client"

# simple/simple, a folded header and a body without a final CRLF
start_milterd simple "milterd_canonicalization = simple/simple"
{
	printf 'From: alice@example.com\r\nTo: bob@example.net\r\n'
	printf 'Subject: a folded\r\n\tsubject  with  spaces\r\n\r\n'
	printf 'body  with  spaces \r\n\r\nno final line end'
} >"$W/simple.eml"
if drive simple "$W/simple.eml" 203.0.113.7 alice ""; then
	grep -q '^HDR DKIM-Signature: v=1; a=rsa-sha256; c=simple/simple;' "$W/out" ||
		fail "sign/simple: no simple/simple signature"
	got=$("$PY" "$W/helper.py" verify "$W/simple.eml" "$W/out" "$W/records")
	[ "$got" = "pass pass" ] || fail "sign/simple: dkimpy says \"$got\""
	"$PY" "$W/helper.py" assemble "$W/simple.eml" "$W/out" >"$W/signed-simple.eml"
else
	fail "sign/simple: miltertest"
fi

# a field name with white space inside (RFC 5322 2.2 forbids it): no h=
# can name it, so it is left out and the message is still signed
{
	printf 'From: alice@example.com\r\nTo: bob@example.net\r\n'
	printf 'X-Bad Name: v\r\nSubject: a bad field name\r\n\r\nbody\r\n'
} >"$W/badname.eml"
if drive m "$W/badname.eml" 203.0.113.7 alice ""; then
	has "REPLY accept" || fail "sign/badname: no accept"
	has "INSERTED DKIM-Signature" || fail "sign/badname: not signed"
	# dkimpy refuses such a field: check the signature without it (it
	# does not cover it)
	grep -v '^X-Bad Name:' "$W/badname.eml" >"$W/badname-rest.eml"
	got=$("$PY" "$W/helper.py" verify "$W/badname-rest.eml" "$W/out" "$W/records")
	[ "$got" = "pass pass" ] || fail "sign/badname: dkimpy says \"$got\""
	grep -q 'header field with a malformed name left out of DKIM' "$W/m.log" ||
		fail "sign/badname: no log line"
else
	fail "sign/badname: miltertest"
fi

# an OpenDKIM-style inet socket: inet:port@127.0.0.1
INET_PORT=$("$PY" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()')
INET_SOCK=inet:$INET_PORT@127.0.0.1
start_milterd inet "milterd_socket = $INET_SOCK"
if drive inet "$W/plain.eml" 203.0.113.7 alice ""; then
	has "INSERTED DKIM-Signature" || fail "sign/inet: no DKIM-Signature inserted"
	got=$("$PY" "$W/helper.py" verify "$W/plain.eml" "$W/out" "$W/records")
	[ "$got" = "pass pass" ] || fail "sign/inet: dkimpy says \"$got\""
else
	fail "sign/inet: miltertest"
fi
grep -q "started on inet:$INET_PORT@127.0.0.1" "$W/inet.log" ||
	fail "inet: not listening on $INET_SOCK"

# --- verifying -------------------------------------------------------
# check_ar CASE MSG WANT... - an outside client's message gets one
# Authentication-Results field at the top with these results
check_ar() {
	_case=$1
	_msg=$2
	shift 2
	if ! drive m "$_msg" 203.0.113.7 "" mx.test.example; then
		fail "verify/$_case: miltertest"
		return
	fi
	has "REPLY accept" || fail "verify/$_case: no accept"
	has "INSERTED Authentication-Results" ||
		fail "verify/$_case: no Authentication-Results inserted"
	has "INSERTED DKIM-Signature" && fail "verify/$_case: signed"
	_ar=$(sed -n 's/^HDR Authentication-Results://p' "$W/out")
	case $_ar in
	" mx.test.example;\\n\\tdkim="*) ;;
	*) fail "verify/$_case: A-R does not start with our id: $_ar" ;;
	esac
	for _want in "$@"; do
		case $_ar in
		*"$_want"*) ;;
		*) fail "verify/$_case: A-R lacks \"$_want\": $_ar" ;;
		esac
	done
}

H=example.com
msg "rsa relaxed" >"$W/in1.eml"
"$PY" "$W/helper.py" sign "$W/in1.eml" "$KEYS/2048_testkey.key" rsasel rsa-sha256 relaxed/relaxed >"$W/rsa-relaxed.eml" || exit 99
check_ar rsa-relaxed "$W/rsa-relaxed.eml" "dkim=pass header.d=$H header.i=@$H header.s=rsasel header.b=\""
b8=$(sed -n 's/^DKIM-Signature:.* b=\([A-Za-z0-9+\/]\{8\}\).*/\1/p' "$W/rsa-relaxed.eml" | head -1)
if [ -z "$b8" ]; then
	b8=$(tr -d '\r\n\t ' <"$W/rsa-relaxed.eml" | sed -n 's/.*;b=\([A-Za-z0-9+\/]\{8\}\).*/\1/p')
fi
check_ar rsa-b8 "$W/rsa-relaxed.eml" "header.b=\"$b8\""

msg "rsa simple" >"$W/in2.eml"
"$PY" "$W/helper.py" sign "$W/in2.eml" "$KEYS/2048_testkey.key" rsasel rsa-sha256 simple/simple >"$W/rsa-simple.eml" || exit 99
check_ar rsa-simple "$W/rsa-simple.eml" "dkim=pass header.d=$H"

G=$DKIMDATA/generated
check_ar ed25519-rr "$G/ed25519-relaxed-relaxed.eml" "dkim=pass header.d=example.net header.i=@example.net header.s=test"
check_ar ed25519-ss "$G/ed25519-simple-simple.eml" "dkim=pass header.d=example.net"
check_ar dual "$G/dual-ed25519-rsa.eml" "dkim=pass header.d=example.net header.i=@example.net header.s=test" \
	";\\n\\tdkim=pass header.d=example.com header.i=@example.com header.s=test"

# what milterd signed above, verified by OpenDKIM ("opendkim -t" with
# the keys from a file; its verbose mode prints its A-R field with a
# result per signature): both pass
if command -v opendkim >/dev/null 2>&1 || [ -x /usr/sbin/opendkim ]; then
	ODK=$(command -v opendkim 2>/dev/null || echo /usr/sbin/opendkim)
	printf 'Mode v\nSyslog no\nTestPublicKeys %s\n' "$W/records" >"$W/opendkim.conf"
	for f in auth simple; do
		"$ODK" -x "$W/opendkim.conf" -vvv -t "$W/signed-$f.eml" \
			>"$W/odk.out" 2>&1
		for sel in rsasel edsel; do
			grep -q "dkim=pass.* header.s=$sel " "$W/odk.out" ||
				{ fail "opendkim/$f: $sel does not pass"; cat "$W/odk.out" >&2; }
		done
	done

	# and what OpenDKIM signs ("opendkim -t" in signing mode prints
	# the field it inserts), milterd verifies
	msg "signed by opendkim" >"$W/odk-in.eml"
	# OpenDKIM reads an Ed25519 key as PKCS#8 PEM, not as RFC 8463's
	# base64 seed: the same key wrapped (RFC 8410 prefix + seed)
	{
		echo "-----BEGIN PRIVATE KEY-----"
		{
			printf '\060\056\002\001\000\060\005\006\003\053\145\160\004\042\004\040'
			base64 -d <"$KEYS/ed25519test.key"
		} | base64
		echo "-----END PRIVATE KEY-----"
	} >"$W/ed.pem"
	{
		grep '^rsa ' "$W/KeyTable"
		printf 'ed example.com:edsel:%s\n' "$W/ed.pem"
	} >"$W/odk-KeyTable"
	for spec in "rsa rsa-sha256 relaxed/relaxed rsasel" \
		"rsa rsa-sha256 simple/simple rsasel" \
		"rsa rsa-sha256 relaxed/simple rsasel" \
		"ed ed25519-sha256 relaxed/relaxed edsel"; do
		set -- $spec
		printf '*@example.com %s\n' "$1" >"$W/odk-st"
		printf 'Mode s\nSyslog no\nRequireSafeKeys no\nKeyTable %s\nSigningTable refile:%s\nCanonicalization %s\nSignatureAlgorithm %s\n' \
			"$W/odk-KeyTable" "$W/odk-st" "$3" "$2" >"$W/odk-sign.conf"
		"$ODK" -x "$W/odk-sign.conf" -vvv -t "$W/odk-in.eml" \
			>"$W/odk.out" 2>&1
		if ! "$PY" "$W/helper.py" odk "$W/odk.out" "$W/odk-in.eml" \
			>"$W/odk-signed.eml"; then
			fail "opendkim signing $spec: no signature"
			cat "$W/odk.out" >&2
			continue
		fi
		check_ar "opendkim-$1-$3" "$W/odk-signed.eml" \
			"dkim=pass header.d=$H header.i=@$H header.s=$4"
	done
else
	echo "opendkim not installed: its interop checks skipped" >&2
fi

# what milterd signed above, verified by milterd: both keys pass
for f in auth internal daemon simple; do
	check_ar "own-$f" "$W/signed-$f.eml" "dkim=pass header.d=$H header.i=@$H header.s=edsel" \
		"dkim=pass header.d=$H header.i=@$H header.s=rsasel"
done

# a changed body: fail
sed 's/this is rsa relaxed/this is rsa relaxes/' "$W/rsa-relaxed.eml" >"$W/tampered.eml"
check_ar tampered "$W/tampered.eml" "dkim=fail" "header.s=rsasel"

# an unknown selector (NXDOMAIN): not pass
msg "unknown selector" >"$W/in4.eml"
"$PY" "$W/helper.py" sign "$W/in4.eml" "$KEYS/2048_testkey.key" nosuch rsa-sha256 relaxed/relaxed >"$W/nokey.eml" || exit 99
check_ar nokey "$W/nokey.eml" "header.s=nosuch"
grep -q 'dkim=pass' "$W/out" && fail "verify/nokey: pass without a key"

# unsigned
check_ar unsigned "$W/in1.eml" "dkim=none"

# forged Authentication-Results with our id: deleted; another id's kept
{
	printf 'Authentication-Results: other.example; dkim=pass\r\n'
	printf 'Authentication-Results: MX.TEST.EXAMPLE; dkim=pass header.d=example.com\r\n'
	cat "$W/rsa-relaxed.eml"
} >"$W/forged.eml"
check_ar forged "$W/forged.eml" "dkim=pass header.d=$H"
has "DELETED Authentication-Results" ||
	fail "verify/forged: our forged Authentication-Results not deleted"
check_ar not-forged "$W/rsa-relaxed.eml" "dkim=pass"
has "DELETED Authentication-Results" &&
	fail "verify/not-forged: something deleted"

grep -q '4TEST1: verify: dkim=pass d=example.com s=rsasel' "$W/m.log" ||
	fail "verify: no log line"

# --- bad input -------------------------------------------------------
"$PY" - "$W" <<'EOF' || exit 99
import sys
w = sys.argv[1]
head = b'From: alice@example.com\r\nTo: bob@example.net\r\n'
with open(w + '/many-fields.eml', 'wb') as f:
    f.write(head + b''.join(b'X-Field-%d: value %d\r\n' % (i, i)
                            for i in range(1500)) +
            b'Subject: many fields\r\n\r\nbody\r\n')
with open(w + '/garbage-sigs.eml', 'wb') as f:
    sigs = [b'DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=x%d; '
            b'b=!!!%d; bh=; h=from\r\n' % (i, i) for i in range(150)]
    f.write(b''.join(sigs) + head + b'Subject: garbage\r\n\r\nbody\r\n')
with open(w + '/binary.eml', 'wb') as f:
    f.write(head + b'Subject: binary\r\n\r\n' +
            bytes(range(1, 256)) * 64 + b'\r\n\xff\xfe tail')
EOF
check_ar many-fields "$W/many-fields.eml" "dkim=permerror"
check_ar garbage-sigs "$W/garbage-sigs.eml" "dkim=permerror"
n=$(sed -n 's/^HDR Authentication-Results://p' "$W/out" | grep -o 'dkim=' | wc -l)
[ "$n" = 5 ] || fail "garbage-sigs: $n results, want milterd_max_signatures (5)"
check_ar binary "$W/binary.eml" "dkim=none"

# --- failure actions -------------------------------------------------
start_milterd strict "milterd_on_bad_signature = reject"
if drive strict "$W/tampered.eml" 203.0.113.7 "" ""; then
	has "REPLY code" || { fail "strict: tampered message not rejected"; cat "$W/out" >&2; }
	grep -q '4TEST1: reject: DKIM verification failed' "$W/strict.log" ||
		fail "strict: no reject in the log"
	has "INSERTED Authentication-Results" && fail "strict: A-R on a rejected message"
else
	fail "strict: miltertest"
fi
if drive strict "$W/rsa-relaxed.eml" 203.0.113.7 "" ""; then
	has "REPLY accept" || fail "strict: good message not accepted"
else
	fail "strict: miltertest (good)"
fi

# a silent DNS server: On-DNSError tempfail (default) within the timeout
msg "dns down" >"$W/in5.eml"
"$PY" "$W/helper.py" sign "$W/in5.eml" "$KEYS/2048_testkey.key" rsasel rsa-sha256 relaxed/relaxed |
	sed 's/rsasel/downsel/' >"$W/dnsdown.eml"
nsd_pause
t0=$(date +%s%N)
if drive m "$W/dnsdown.eml" 203.0.113.7 "" ""; then
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	has "REPLY code" || { fail "dns down: no reply code"; cat "$W/out" >&2; }
	grep -q '4TEST1: tempfail: DKIM key lookup failed' "$W/m.log" ||
		fail "dns down: no tempfail in the log"
	[ "$ms" -lt 10000 ] || fail "dns down: took $ms ms (timeout 2s)"
else
	fail "dns down: miltertest"
fi
# a key looked up before is still known (its TTL has not run out)
check_ar cached-key "$W/rsa-relaxed.eml" "dkim=pass"
nsd_resume

# the daemons are still alive
for p in $PIDS; do
	kill -0 "$p" 2>/dev/null || fail "milterd $p died"
done

if [ $FAILS -ne 0 ]; then
	echo "--- milterd log" >&2
	cat "$W/m.log" >&2
	exit 1
fi
echo "milterd_miltertest: all checks passed"
exit 0
