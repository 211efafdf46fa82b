#!/bin/bash
# milterd_postfix.sh - a real Postfix (private instance, postfix.sh) with
# postwarden-milterd in smtpd_milters and non_smtpd_milters, the keys in
# a private NSD (nsd.sh), swaks as the SMTP client and dkimpy
# (python3-dkim) checking what gets delivered (virtual(8), Maildir):
#
#   - sign, SMTP: a message from the internal client 127.0.0.1 arrives
#     with two DKIM-Signature fields (RSA and Ed25519) that dkimpy
#     verifies against the records in DNS;
#   - sign, sendmail(1): the same for mail submitted with sendmail -t
#     (pickup and cleanup: non_smtpd_milters);
#   - verify: a message dkimpy signed, sent from 127.0.0.2 (not
#     internal), arrives with "Authentication-Results: <id>;
#     dkim=pass" at the top; a changed copy with dkim=fail;
#   - 1500 header fields (over milterd's 1000), two of them folded to
#     60 KB: delivered with dkim=permerror, milterd still up.
#
# milterd drops root for the postfix user after reading the keys, so
# cleanup(8), running as postfix, can use its socket.
#
# Environment: abs_top_builddir, srcdir, PW_TESTDATA_DIR. Exit: 0 pass,
# 1 fail, 77 skip, 99 harness error.

set -u
LC_ALL=C
export LC_ALL

srcdir=${srcdir:-$(dirname "$0")}
abs_top_builddir=${abs_top_builddir:-$(cd ../.. && pwd)}
MILTERD=$abs_top_builddir/milterd/postwarden-milterd
[ -x "$MILTERD" ] || { echo "$MILTERD not built" >&2; exit 99; }
PY=
for p in /usr/bin/python3 python3; do
	if "$p" -c 'import dkim, nacl' >/dev/null 2>&1; then
		PY=$p
		break
	fi
done
[ -n "$PY" ] ||
	{ echo "SKIP: python3-dkim with python3-nacl not installed" >&2; exit 77; }
KEYS=${PW_TESTDATA_DIR:-$srcdir/../../../shared/testdata}/dkim/dkimpy
[ -r "$KEYS/2048_testkey.key" ] ||
	{ echo "SKIP: no test keys at $KEYS" >&2; exit 77; }

. "$srcdir/nsd.sh"
. "$srcdir/postfix.sh"
nsd_init
postfix_init
W=$POSTFIX_DIR/m
mkdir "$W" && chmod 755 "$W" || exit 99
milterd_pid=
cleanup() {
	if [ -n "$milterd_pid" ]; then
		kill "$milterd_pid" 2>/dev/null
		for _ in $(seq 40); do
			kill -0 "$milterd_pid" 2>/dev/null || break
			sleep 0.25
		done
		kill -9 "$milterd_pid" 2>/dev/null
		wait "$milterd_pid" 2>/dev/null
	fi
	nsd_stop
	postfix_stop
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
		echo "FAIL: $1: expected '$2', got '$3'"
		fails=$((fails + 1))
	fi
}

# --- keys in DNS ------------------------------------------------------
RSA_PUB=$(sed -n 's/.*p=//p' "$KEYS/2048_testkey_wo_markers.pub.txt" | tr -d ' \r\n')
ED_REC=$(tr -d '\r\n' <"$KEYS/ed25519test.dns")
{
	printf 'rsasel._domainkey.example.com v=DKIM1; k=rsa; p=%s\n' "$RSA_PUB"
	printf 'edsel._domainkey.example.com v=DKIM1; %s\n' "$ED_REC"
} >"$W/records"
nsd_add_zone example.com <<EOF
rsasel._domainkey  TXT  $(printf '%s' "v=DKIM1; k=rsa; p=$RSA_PUB" | fold -w 200 | sed 's/.*/"&"/' | tr '\n' ' ')
edsel._domainkey   TXT  "v=DKIM1; $ED_REC"
EOF
nsd_start

# --- milterd ------------------------------------------------------------
cat >"$W/KeyTable" <<EOF
rsa   example.com:rsasel:$KEYS/2048_testkey.key
ed    example.com:edsel:$KEYS/ed25519test.key
EOF
printf 'example.com rsa\nexample.com ed\n' >"$W/SigningTable"
cat >"$W/postwarden.conf" <<EOF
milterd_socket = unix:$W/milterd.sock
milterd_user = postfix
milterd_key_table = $W/KeyTable
milterd_signing_table = $W/SigningTable
milterd_authserv_id = mx.test.example
milterd_internal_hosts = 127.0.0.1
milterd_dns_servers = $(nsd_servers)
milterd_dns_timeout = 3s
EOF
"$MILTERD" -f -c "$W/postwarden.conf" >"$W/milterd.log" 2>&1 &
milterd_pid=$!
for _ in $(seq 80); do
	[ -S "$W/milterd.sock" ] && break
	sleep 0.25
done
[ -S "$W/milterd.sock" ] ||
	{ cat "$W/milterd.log" >&2; echo "milterd did not start" >&2; exit 99; }

# --- Postfix: milters on both paths, delivery to a Maildir ---------------
mail=$POSTFIX_DIR/mail
mkdir -p "$mail" && chown nobody "$mail" || exit 99
postfix_param smtpd_milters "unix:$W/milterd.sock"
postfix_param non_smtpd_milters "unix:$W/milterd.sock"
postfix_param milter_default_action tempfail
# Postfix keeps 100 KB of header by default: room for the bad-input case
postfix_param header_size_limit 4000000
postfix_param mynetworks "127.0.0.0/8"
postfix_param virtual_mailbox_domains example.net
postfix_param virtual_mailbox_base "$mail"
postfix_param virtual_mailbox_maps "static:box/"
postfix_param virtual_uid_maps "static:$(id -u nobody)"
postfix_param virtual_gid_maps "static:$(id -g nobody)"
postfix_param virtual_transport virtual
postfix_service "virtual unix - n n - - virtual"
postfix_start

# delivered SUBJECT - the delivered message with that subject
delivered() {
	local f
	for _ in $(seq 100); do
		f=$(grep -l "^Subject: $1\$" "$mail"/box/new/* 2>/dev/null | head -1)
		[ -n "$f" ] && { cat "$f"; return 0; }
		sleep 0.1
	done
	return 1
}

# dkimpy_verify FILE - dkimpy's result per DKIM-Signature of a delivered
# message (LF line ends made CRLF), keys from $W/records
dkimpy_verify() {
	"$PY" - "$1" "$W/records" <<'EOF'
import sys, dkim
msg = open(sys.argv[1], 'rb').read().replace(b'\r\n', b'\n').replace(b'\n', b'\r\n')
recs = {}
for line in open(sys.argv[2]).read().splitlines():
    name, _, txt = line.partition(' ')
    recs[name.lower()] = txt.encode()
def dnsfunc(name, timeout=5):
    return recs.get(name.decode().rstrip('.').lower(), b'')
d = dkim.DKIM(msg)
n = len([l for l in msg.split(b'\r\n\r\n')[0].split(b'\r\n')
         if l.lower().startswith(b'dkim-signature:')])
print(' '.join('pass' if d.verify(idx=i, dnsfunc=dnsfunc) else 'fail'
               for i in range(n)) or 'none')
EOF
}

# --- sign: SMTP from the internal client ----------------------------------
out=$(postfix_swaks --local-interface 127.0.0.1 --from alice@example.com \
	--to bob@example.net --header "From: Alice <alice@example.com>" \
	--header "Subject: signed over smtp" --body "Hello Bob.")
check "sign/smtp: accepted" yes \
	"$(echo "$out" | grep -Eq '^<.  250 2.0.0 Ok: queued' && echo yes || echo no)"
delivered "signed over smtp" >"$W/smtp.eml" || : >"$W/smtp.eml"
check "sign/smtp: two signatures" 2 "$(grep -c '^DKIM-Signature:' "$W/smtp.eml")"
check "sign/smtp: dkimpy verifies" "pass pass" "$(dkimpy_verify "$W/smtp.eml")"

# --- sign: sendmail(1), through pickup and non_smtpd_milters ---------------
printf 'From: alice@example.com\nTo: bob@example.net\nSubject: signed by sendmail\n\nHello from sendmail.\n' |
	/usr/sbin/sendmail -C "$POSTFIX_CONF" -t -f alice@example.com ||
	echo "sendmail failed" >&2
delivered "signed by sendmail" >"$W/sendmail.eml" || : >"$W/sendmail.eml"
check "sign/sendmail: two signatures" 2 "$(grep -c '^DKIM-Signature:' "$W/sendmail.eml")"
check "sign/sendmail: dkimpy verifies" "pass pass" "$(dkimpy_verify "$W/sendmail.eml")"

# --- verify: an outside client (127.0.0.2) -------------------------------
printf 'From: Carol <carol@example.com>\r\nTo: bob@example.net\r\nSubject: signed by dkimpy\r\nDate: Sun, 22 Nov 2026 01:00:00 +0000\r\nMessage-ID: <v1@example.com>\r\n\r\nHello Bob,\r\nfrom dkimpy.\r\n' >"$W/in.eml"
"$PY" - "$W/in.eml" "$KEYS/2048_testkey.key" >"$W/signed.eml" <<'EOF' || exit 99
import sys, dkim
msg = open(sys.argv[1], 'rb').read()
sig = dkim.sign(msg, b'rsasel', b'example.com', open(sys.argv[2], 'rb').read(),
                include_headers=[b'from', b'to', b'subject', b'date'])
sys.stdout.buffer.write(sig + msg)
EOF
out=$(postfix_swaks --local-interface 127.0.0.2 --from carol@example.com \
	--to bob@example.net --data "$W/signed.eml")
check "verify: accepted" yes \
	"$(echo "$out" | grep -Eq '^<.  250 2.0.0 Ok: queued' && echo yes || echo no)"
delivered "signed by dkimpy" >"$W/verified.eml" || : >"$W/verified.eml"
check "verify: A-R" "Authentication-Results: mx.test.example;" \
	"$(grep '^Authentication-Results:' "$W/verified.eml" | head -1)"
check "verify: dkim=pass" yes \
	"$(grep -A3 '^Authentication-Results: mx.test.example' "$W/verified.eml" |
		grep -q 'dkim=pass header.d=example.com header.i=@example.com header.s=rsasel' && echo yes || echo no)"
check "verify: A-R above Postfix's Received" "Authentication-Results" \
	"$(head -20 "$W/verified.eml" | grep -E '^(Authentication-Results|Received):' | head -1 | cut -d: -f1)"

sed 's/from dkimpy/from dkimpx/; s/signed by dkimpy/changed by someone/' "$W/signed.eml" >"$W/changed.eml"
out=$(postfix_swaks --local-interface 127.0.0.2 --from carol@example.com \
	--to bob@example.net --data "$W/changed.eml")
delivered "changed by someone" >"$W/changed-out.eml" || : >"$W/changed-out.eml"
check "verify: changed message gets dkim=fail" yes \
	"$(grep -A3 '^Authentication-Results: mx.test.example' "$W/changed-out.eml" |
		grep -q 'dkim=fail' && echo yes || echo no)"

# --- bad input: too many header fields, long ones ------------------------
"$PY" - "$W/signed.eml" >"$W/huge.eml" <<'EOF' || exit 99
import sys
msg = open(sys.argv[1], 'rb').read()
line = b'\t' + b'x' * 900 + b'\r\n'
fields = b''.join(b'X-Big-%d: start\r\n' % i + line * 66 for i in range(2))
fields += b''.join(b'X-Many-%d: %d\r\n' % (i, i) for i in range(1500))
sys.stdout.buffer.write(fields + msg.replace(b'signed by dkimpy', b'huge header'))
EOF
out=$(postfix_swaks --local-interface 127.0.0.2 --from carol@example.com \
	--to bob@example.net --data "$W/huge.eml")
delivered "huge header" >"$W/huge-out.eml" || : >"$W/huge-out.eml"
check "bad input: over the field limit gets dkim=permerror" yes \
	"$(grep -A3 '^Authentication-Results: mx.test.example' "$W/huge-out.eml" |
		grep -q 'dkim=permerror' && echo yes || echo no)"

kill -0 "$milterd_pid" 2>/dev/null
check "milterd still running" 0 $?
grep -q 'signed: d=example.com s=rsasel a=rsa-sha256 (internal client 127.0.0.1)' "$W/milterd.log"
check "milterd logs the reason" 0 $?

if [ "$fails" -gt 0 ]; then
	echo "--- milterd log" >&2
	tail -n 30 "$W/milterd.log" >&2
	echo "--- Postfix log" >&2
	tail -n 30 "$POSTFIX_LOG" >&2
fi
echo "$checks checks, $fails failed"
[ "$fails" -eq 0 ]
