#!/bin/bash
# dkim_cli.sh - "postwarden dkim keygen|sign|verify|check", the real
# binary against real peers: the key records it prints are served by a
# private NSD on 127.0.0.1 (harness nsd.sh), and dkimpy (python3-dkim,
# python3-nacl for Ed25519) verifies what it signs.
#
#   keygen  RSA, Ed25519 and both: PKCS#8 PEM files of mode 0600 named
#           SELECTOR.private (both: SELECTOR-rsa, SELECTOR-ed25519);
#           an existing file is never replaced; the records on stdout
#           load into NSD as they are, no string over 255 bytes; --bits
#           range and the warning below 2048; bad names refused
#   check   each published key matches its record; another key, a
#           record of the other type, a revoked key, a name without a
#           record say mismatch (1); a zone that fails to load
#           (SERVFAIL) is DNS trouble (75)
#   sign    LF and CRLF messages, relaxed and simple, RSA and Ed25519,
#           dual signing: dkimpy verifies every signature against the
#           printed records, and so does "postwarden dkim verify"
#           through NSD; the message after the new field is the input
#           byte for byte; a changed body fails in both verifiers; no
#           From: is refused; a body without a final newline and 8-bit
#           bytes sign alike; a header line that is no field and a
#           message over 64 MiB are refused (65) with the reason
#   verify  pass (0), fail and none (1), an unpublished key
#           (permerror, 1), a domain whose zone is broken (temperror
#           only, 75)
#   --sql   rows in the dkim_key table of a SQLite database made with
#           "postwarden db init": both algorithms, public_key equal to
#           p= of the printed record, a private key that signs what
#           dkimpy verifies; a second run refused (65), no files written
#
# Environment: POSTWARDEN (the binary), srcdir. Exit: 0 pass, 1 fail,
# 77 skip, 99 harness error.

set -u
LC_ALL=C
export LC_ALL

srcdir=${srcdir:-$(dirname "$0")}
PW=${POSTWARDEN:-${abs_top_builddir:-$(cd ../.. && pwd)}/cli/postwarden}
[ -x "$PW" ] || { echo "dkim_cli.sh: no binary at $PW" >&2; exit 99; }
PY=/usr/bin/python3
"$PY" -c 'import dkim, nacl' >/dev/null 2>&1 ||
	{ echo "SKIP: python3-dkim with python3-nacl not installed" >&2; exit 77; }

. "$srcdir/nsd.sh"
nsd_init

W=$NSD_DIR/work
mkdir -p "$W" || exit 99
checks=0
fails=0

# fail - record a failed check
fail() {
	echo "FAIL: $*" >&2
	fails=$((fails + 1))
}

# expect STATUS CMD... - run the command (stdin as given), compare the
# exit status; stdout in $W/out, stderr in $W/err
expect() {
	_want=$1
	shift
	checks=$((checks + 1))
	"$@" >"$W/out" 2>"$W/err"
	_got=$?
	[ "$_got" = "$_want" ] ||
		fail "$* -> exit $_got, expected $_want: $(cat "$W/err" "$W/out")"
}

# expect_grep FILE PATTERN - an extended regexp matches a line of FILE
expect_grep() {
	checks=$((checks + 1))
	grep -Eq -- "$2" "$1" ||
		fail "no line like '$2' in $(basename "$1"): $(head -c 600 "$1")"
}

# dkimpy: verify every signature of stdin against the records in the
# zone-file text (what keygen printed); one word per signature
cat >"$W/dkimpy.py" <<'EOF'
import re, sys, dkim

recs = {}
for path in sys.argv[1:]:
    text = open(path).read()
    for m in re.finditer(r'^(\S+)\.\s+IN\s+TXT\s+\((.*?)\)', text, re.S | re.M):
        recs[m.group(1).lower()] = ''.join(re.findall(r'"([^"]*)"', m.group(2))).encode()

def dnsfunc(name, timeout=5):
    n = name.decode() if isinstance(name, bytes) else name
    return recs.get(n.rstrip('.').lower())

msg = re.sub(rb'(?<!\r)\n', b'\r\n', sys.stdin.buffer.read())
head = msg.split(b'\r\n\r\n', 1)[0].split(b'\r\n')
nsig = sum(1 for l in head if l.lower().startswith(b'dkim-signature:'))
d = dkim.DKIM(msg)
ok = []
for i in range(nsig):
    try:
        ok.append(bool(d.verify(idx=i, dnsfunc=dnsfunc)))
    except dkim.DKIMException:
        ok.append(False)
print(' '.join('pass' if x else 'fail' for x in ok) or 'none')
sys.exit(0 if ok and all(ok) else 1)
EOF
dkimpy() {
	"$PY" "$W/dkimpy.py" "$@"
}

# --- keygen ---
cd "$W" || exit 99
expect 0 "$PW" dkim keygen -d Example.COM -s rsa1 -o "$W"
cp "$W/out" "$W/rsa1.zone"
expect 0 "$PW" dkim keygen -d example.com -s ed1 --algorithm ed25519 \
	-o "$W"
cp "$W/out" "$W/ed1.zone"
expect 0 "$PW" dkim keygen -d example.com -s dual --algorithm both
cp "$W/out" "$W/dual.zone"
expect 0 "$PW" dkim keygen -d example.com -s other -o "$W"
expect 0 "$PW" dkim keygen -d broken.example -s s1 -o "$W"
cp "$W/out" "$W/broken.zone"
for f in rsa1 ed1 dual-rsa dual-ed25519 other s1; do
	checks=$((checks + 1))
	[ "$(stat -c %a "$W/$f.private")" = 600 ] ||
		fail "$f.private has mode $(stat -c %a "$W/$f.private")"
	expect_grep "$W/$f.private" '^-----BEGIN PRIVATE KEY-----$'
done
expect_grep "$W/rsa1.zone" '^rsa1\._domainkey\.example\.com\. IN TXT \( "v=DKIM1; k=rsa; p=MII'
expect_grep "$W/ed1.zone" '^ed1\._domainkey\.example\.com\. IN TXT \( "v=DKIM1; k=ed25519; p=[A-Za-z0-9+/]{43}=" \)$'
expect_grep "$W/dual.zone" '^dual-rsa\._domainkey\.example\.com\. IN TXT \( "v=DKIM1; k=rsa; '
expect_grep "$W/dual.zone" '^dual-ed25519\._domainkey\.example\.com\. IN TXT \( "v=DKIM1; k=ed25519; '
# RFC 1035 3.3: no character-string over 255 bytes; 2048 bits need two
checks=$((checks + 1))
long=$(grep -o '"[^"]*"' "$W/rsa1.zone" | awk 'length($0) > 257' | wc -l)
n=$(grep -o '"[^"]*"' "$W/rsa1.zone" | wc -l)
[ "$long" = 0 ] && [ "$n" -ge 2 ] ||
	fail "rsa1.zone: $n strings, $long over 255 bytes"
# never over an existing file, and a failed run leaves nothing behind
sum=$(cksum <"$W/rsa1.private")
expect 73 "$PW" dkim keygen -d example.com -s rsa1 -o "$W"
checks=$((checks + 1))
[ "$(cksum <"$W/rsa1.private")" = "$sum" ] || fail "rsa1.private replaced"
: >"$W/half-ed25519.private"
expect 73 "$PW" dkim keygen -d example.com -s half -a both -o "$W"
checks=$((checks + 1))
[ ! -e "$W/half-rsa.private" ] || fail "half-rsa.private left behind"
expect 0 "$PW" dkim keygen -d example.com -s weak --bits 1024 -o "$W"
expect_grep "$W/err" 'warning: 1024-bit RSA keys are weak'
expect 64 "$PW" dkim keygen -d example.com -s k --bits 512 -o "$W"
expect 64 "$PW" dkim keygen -d example.com -s k --bits 8193 -o "$W"
expect 64 "$PW" dkim keygen -d example.com -s k --algorithm dsa -o "$W"
expect 64 "$PW" dkim keygen -d example.com -o "$W"
expect 65 "$PW" dkim keygen -d example.com -s 'a_b' -o "$W"
expect 65 "$PW" dkim keygen -d example.com -s 'a/b' -o "$W"
expect 65 "$PW" dkim keygen -d 'exa mple.com' -s k -o "$W"
checks=$((checks + 1))
[ ! -e "$W/k.private" ] || fail "k.private written after an error"

# --- the records in DNS ---
cat >"$W/extra.zone" <<'EOF'
revoked._domainkey.example.com. IN TXT "v=DKIM1; k=rsa; p="
EOF
nsd_add_zone example.com <<<"$(cat "$W/rsa1.zone" "$W/ed1.zone" \
	"$W/dual.zone" "$W/extra.zone")"
# a zone that cannot load: its names get SERVFAIL (temperror)
nsd_add_zone broken.example <<<'this is not a record'
nsd_start
SRV=$(nsd_servers)

# --- check ---
for s in rsa1 ed1; do
	expect 0 "$PW" dkim check -d example.com -s $s -k "$W/$s.private" \
		--server "$SRV"
	expect_grep "$W/out" "^match: $s\._domainkey\.example\.com "
done
for s in dual-rsa dual-ed25519; do
	expect 0 "$PW" dkim check -d example.com -s $s -k "$W/$s.private" \
		--server "$SRV"
done
expect 1 "$PW" dkim check -d example.com -s rsa1 -k "$W/other.private" \
	--server "$SRV"
expect_grep "$W/out" '^mismatch: rsa1\._domainkey\.example\.com: p= is another key'
expect 1 "$PW" dkim check -d example.com -s ed1 -k "$W/rsa1.private" \
	--server "$SRV"
expect_grep "$W/out" '^mismatch: .*k=ed25519'
expect 1 "$PW" dkim check -d example.com -s other -k "$W/other.private" \
	--server "$SRV"
expect_grep "$W/out" '^mismatch: other\._domainkey\.example\.com: no record'
expect 1 "$PW" dkim check -d example.com -s revoked -k "$W/rsa1.private" \
	--server "$SRV"
expect_grep "$W/out" 'revoked'
expect 75 "$PW" dkim check -d broken.example -s s1 -k "$W/s1.private" \
	--server "$SRV" --timeout 5
expect 66 "$PW" dkim check -d example.com -s rsa1 -k "$W/missing" \
	--server "$SRV"

# --- sign and verify ---
printf '%s\n' 'From: Alice <alice@example.com>' 'To: bob@example.net' \
	'Subject: a test' '  folded over two lines' \
	'Date: Sun, 22 Nov 2026 01:00:00 +0000' '' 'Hello,' '' \
	'  spaces  and	tabs  ' '' '' >"$W/msg.lf"
sed 's/$/\r/' "$W/msg.lf" >"$W/msg.crlf"
ZONES="$W/rsa1.zone $W/ed1.zone $W/dual.zone"

# sign_case NAME SELECTOR CANON INPUT - sign, then both verifiers pass
sign_case() {
	expect 0 "$PW" dkim sign -d example.com -s "$2" -k "$W/$2.private" \
		-c "$3" <"$4"
	cp "$W/out" "$W/$1.signed"
	# the input follows the new field byte for byte
	checks=$((checks + 1))
	tail -c "$(stat -c %s "$4")" "$W/$1.signed" | cmp -s - "$4" ||
		fail "$1: the message was changed"
	expect 0 dkimpy $ZONES <"$W/$1.signed"
	expect 0 "$PW" dkim verify --server "$SRV" <"$W/$1.signed"
	expect_grep "$W/out" "^pass d=example\.com s=$2\$"
}
sign_case rsa-lf rsa1 relaxed/relaxed "$W/msg.lf"
sign_case rsa-crlf rsa1 relaxed/relaxed "$W/msg.crlf"
sign_case rsa-simple rsa1 simple/simple "$W/msg.lf"
sign_case ed-lf ed1 relaxed/relaxed "$W/msg.lf"
sign_case ed-crlf ed1 simple "$W/msg.crlf"
checks=$((checks + 1))
head -1 "$W/rsa-crlf.signed" | grep -q $'\r$' ||
	fail "CRLF input: the new field does not end in CRLF"
checks=$((checks + 1))
! head -1 "$W/rsa-lf.signed" | grep -q $'\r' ||
	fail "LF input: the new field has a CR"

# dual signing: the Ed25519 signature on top of the RSA one
expect 0 "$PW" dkim sign -d example.com -s dual-rsa \
	-k "$W/dual-rsa.private" <"$W/msg.lf"
cp "$W/out" "$W/dual1.signed"
expect 0 "$PW" dkim sign -d example.com -s dual-ed25519 \
	-k "$W/dual-ed25519.private" <"$W/dual1.signed"
cp "$W/out" "$W/dual.signed"
expect 0 dkimpy $ZONES <"$W/dual.signed"
expect_grep "$W/out" '^pass pass$'
expect 0 "$PW" dkim verify --server "$SRV" <"$W/dual.signed"
expect_grep "$W/out" '^pass d=example\.com s=dual-ed25519$'
expect_grep "$W/out" '^pass d=example\.com s=dual-rsa$'

# a changed body fails in both
sed 's/^Hello,/Hello!/' "$W/rsa-lf.signed" >"$W/tampered"
expect 1 dkimpy $ZONES <"$W/tampered"
expect 1 "$PW" dkim verify --server "$SRV" <"$W/tampered"
expect_grep "$W/out" '^fail d=example\.com s=rsa1 \(.+\)$'
sed 's/^Hello,/Hello!/' "$W/ed-crlf.signed" >"$W/tampered"
expect 1 "$PW" dkim verify --server "$SRV" <"$W/tampered"
expect_grep "$W/out" '^fail d=example\.com s=ed1 '

# unsigned; a key that is not published; a broken zone: temperror only
expect 1 "$PW" dkim verify --server "$SRV" <"$W/msg.lf"
expect_grep "$W/out" '^none$'
expect 0 "$PW" dkim sign -d example.com -s other -k "$W/other.private" \
	<"$W/msg.lf"
cp "$W/out" "$W/other.signed"
expect 1 "$PW" dkim verify --server "$SRV" <"$W/other.signed"
expect_grep "$W/out" '^permerror d=example\.com s=other '
expect 0 "$PW" dkim sign -d broken.example -s s1 -k "$W/s1.private" \
	<"$W/msg.lf"
cp "$W/out" "$W/broken.signed"
expect 75 "$PW" dkim verify --server "$SRV" --timeout 5 \
	<"$W/broken.signed"
expect_grep "$W/out" '^temperror d=broken\.example s=s1 '
# one pass is enough for 0, next to a temperror
expect 0 "$PW" dkim sign -d example.com -s rsa1 -k "$W/rsa1.private" \
	<"$W/broken.signed"
cp "$W/out" "$W/mixed.signed"
expect 0 "$PW" dkim verify --server "$SRV" --timeout 5 \
	<"$W/mixed.signed"
expect_grep "$W/out" '^temperror d=broken\.example s=s1 '

# bad input
grep -v '^From:' "$W/msg.lf" >"$W/nofrom"
expect 65 "$PW" dkim sign -d example.com -s rsa1 -k "$W/rsa1.private" \
	<"$W/nofrom"
expect 65 "$PW" dkim sign -d example.com -s rsa1 -k "$W/msg.lf" \
	<"$W/msg.lf"
expect 64 "$PW" dkim sign -d example.com -s rsa1 -k "$W/rsa1.private" \
	-c loose <"$W/msg.lf"
printf ' starts folded\nFrom: a@example.com\n\nx\n' >"$W/badhead"
expect 65 "$PW" dkim verify --server "$SRV" <"$W/badhead"

# the message splitter end to end: a body without a final newline and
# 8-bit bytes, LF and CRLF input, sign what both verifiers pass; a
# header line that is no field and a message over 64 MiB are refused
# with the reason
printf 'From: a@example.com\nSubject: caf\351\n\nno final newline' \
	>"$W/nonl.lf"
printf 'From: a@example.com\r\nSubject: x\r\n\r\nline\r\nlast\377' \
	>"$W/nonl.crlf"
for c in relaxed/relaxed simple/simple; do
	for f in nonl.lf nonl.crlf; do
		expect 0 "$PW" dkim sign -d example.com -s rsa1 \
			-k "$W/rsa1.private" -c $c <"$W/$f"
		cp "$W/out" "$W/$f.signed"
		expect 0 dkimpy $ZONES <"$W/$f.signed"
		expect 0 "$PW" dkim verify --server "$SRV" <"$W/$f.signed"
		expect_grep "$W/out" '^pass d=example\.com s=rsa1$'
	done
done
printf '%s\n' 'From a@example.com Sun Nov 22 01:00:00 2026' \
	'From: a@example.com' '' x >"$W/mbox"
expect 65 "$PW" dkim sign -d example.com -s rsa1 -k "$W/rsa1.private" \
	<"$W/mbox"
expect_grep "$W/err" \
	'^postwarden dkim: standard input: header line 1 is not a header field'
expect 65 bash -c '{ printf "From: a@example.com\n\n"
	head -c $((64 << 20)) /dev/zero; } | "$1" dkim verify --server "$2"' \
	bash "$PW" "$SRV"
expect_grep "$W/err" 'standard input: the message is larger than 64 MiB'

# --- keygen --sql ---
cat >"$W/pw.conf" <<EOF
db_type = sqlite
db_path = $W/pw.db
EOF
expect 0 "$PW" db init -c "$W/pw.conf"
mkdir -p "$W/sqlcwd" && cd "$W/sqlcwd" || exit 99
expect 0 "$PW" dkim keygen --sql -c "$W/pw.conf" -d example.org -s sq \
	--algorithm both
cp "$W/out" "$W/sq.zone"
checks=$((checks + 1))
[ -z "$(ls -A "$W/sqlcwd")" ] || fail "--sql wrote files: $(ls "$W/sqlcwd")"
# rows, p= against the record, the private key signs for dkimpy
cat >"$W/rows.py" <<'EOF'
import re, sqlite3, sys
db, zone, out = sys.argv[1:4]
rows = sqlite3.connect(db).execute(
    "SELECT selector, algorithm, private_key, public_key, active"
    " FROM dkim_key WHERE domain = 'example.org' ORDER BY selector").fetchall()
text = open(zone).read()
for sel, alg, priv, pub, active in rows:
    m = re.search(r'^' + re.escape(sel) + r'\._domainkey\.example\.org\.\s+IN\s+TXT\s+\((.*?)\)', text, re.S | re.M)
    rec = ''.join(re.findall(r'"([^"]*)"', m.group(1))) if m else ''
    ok = rec == 'v=DKIM1; k=%s; p=%s' % (alg, pub) and active == 1 and \
        priv.startswith('-----BEGIN PRIVATE KEY-----')
    print(sel, alg, 'ok' if ok else 'bad')
    with open('%s/%s.private' % (out, sel), 'w') as f:
        f.write(priv)
EOF
expect 0 "$PY" "$W/rows.py" "$W/pw.db" "$W/sq.zone" "$W"
expect_grep "$W/out" '^sq-ed25519 ed25519 ok$'
expect_grep "$W/out" '^sq-rsa rsa ok$'
checks=$((checks + 1))
[ "$(wc -l <"$W/out")" = 2 ] || fail "dkim_key rows: $(cat "$W/out")"
for s in sq-rsa sq-ed25519; do
	expect 0 "$PW" dkim sign -d example.org -s $s -k "$W/$s.private" \
		<"$W/msg.lf"
	cp "$W/out" "$W/$s.signed"
	expect 0 dkimpy "$W/sq.zone" <"$W/$s.signed"
done
expect 65 "$PW" dkim keygen --sql -c "$W/pw.conf" -d example.org -s sq \
	--algorithm both
expect_grep "$W/err" 'already'
expect 64 "$PW" dkim keygen --sql -o "$W" -c "$W/pw.conf" -d example.org \
	-s x
cd "$W" || exit 99

echo "dkim_cli.sh: $checks checks, $fails failed"
[ "$fails" = 0 ]
