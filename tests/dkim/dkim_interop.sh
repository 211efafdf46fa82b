#!/bin/sh
# dkim_interop.sh - libdkim against dkimpy (python3-dkim), both ways:
# our signatures must verify with dkimpy, dkimpy's must verify with our
# verifier, for rsa-sha256 and ed25519-sha256 and every canonicalization,
# over messages with folded headers, long lines, 8-bit bytes, no final
# CRLF, an empty body, repeated fields and a long (folded) h= list;
# dkimpy's l= signatures must still pass with text appended. A
# tampered copy of each relaxed/relaxed message must fail on both sides
# (so the checks can fail at all).
#
# Environment: PW_TESTDATA_DIR (the shared vectors: the test keys),
# srcdir (where dkim_interop.py is), DKIM_TOOL (default ./dkim_tool).
# Exits 77 (SKIP) without the vectors or without dkimpy.
set -u

srcdir=${srcdir:-$(dirname "$0")}
TOOL=${DKIM_TOOL:-./dkim_tool}
D=${PW_TESTDATA_DIR:-}/dkim
fails=0
checks=0

[ -n "${PW_TESTDATA_DIR:-}" ] && [ -d "$D" ] || {
	echo "dkim_interop.sh: no PW_TESTDATA_DIR/dkim" >&2
	exit 77
}
[ -x "$TOOL" ] || { echo "dkim_interop.sh: no $TOOL" >&2; exit 99; }
# dkimpy is a Debian package: prefer the system interpreter
PY=
for p in /usr/bin/python3 python3; do
	if "$p" -c 'import dkim, nacl' 2>/dev/null; then
		PY=$p
		break
	fi
done
[ -n "$PY" ] || { echo "dkim_interop.sh: dkimpy not installed" >&2; exit 77; }
HELPER="$PY $srcdir/dkim_interop.py"

work=$(mktemp -d "${TMPDIR:-/tmp}/dkim_interop.XXXXXX") || exit 99
trap 'rm -rf "$work"' EXIT

# fail - record a failed check
fail() {
	echo "FAIL: $*" >&2
	fails=$((fails + 1))
}

# --- messages (CRLF unless the case is about line ends) ---
crlf() { sed 's/$/\r/'; }

printf '%s\n' 'From: Alice <alice@example.com>' 'To: Bob <bob@example.net>' \
	'Subject: plain' 'Date: Tue, 14 Nov 2023 22:13:20 +0000' \
	'Message-ID: <p1@example.com>' '' 'Hello Bob.' '' 'Alice' |
	crlf >"$work/plain.eml"

printf '%s\n' 'From: "Alice Example"' '	<alice@example.com>' \
	'To: Bob <bob@example.net>,' '  Carol <carol@example.net>' \
	'Subject:  folded   subject  ' ' 	with  a	continuation ' \
	'Cc:no-space@example.net' 'Date: Tue, 14 Nov 2023 22:13:20 +0000' \
	'Reply-To:   <r@example.com>   ' '' 'Body  with   spaces   ' \
	'	tab line	' '' '' |
	crlf >"$work/folded.eml"

long=$(printf '%02000d' 0 | tr 0 x)
longh=$(printf '%0400d' 0 | tr 0 y)
printf '%s\n' 'From: alice@example.com' 'To: bob@example.net' \
	"Subject: $longh" '' "$long" "short $long end" |
	crlf >"$work/long.eml"

printf '%s\n' 'From: =?utf-8?q?Al=C3=AFce?= <alice@example.com>' \
	'To: bob@example.net' "Subject: caf$(printf '\303\251 \341')" '' \
	"Gr$(printf '\303\274\303\237e \351\350 \377\376')" \
	"$(printf '\200') bytes" |
	crlf >"$work/8bit.eml"

# No white space at the end: dkimpy keeps it in relaxed body
# canonicalization when no CRLF follows; RFC 6376 3.4.4 (and libdkim)
# removes it. SMTP always delivers a final CRLF, so only files differ.
{
	printf '%s\r\n' 'From: alice@example.com' 'To: bob@example.net' \
		'Subject: no final CRLF' '' 'line  one '
	printf 'last  line'
} >"$work/nofinal.eml"

printf '%s\r\n' 'From: alice@example.com' 'To: bob@example.net' \
	'Subject: empty body' '' >"$work/empty.eml"

printf '%s\r\n' 'From: alice@example.com' 'Received: from a' \
	'Received: from b' 'To: x@example.net' 'To: y@example.net' \
	'Subject: repeated' '' 'body' '' '' >"$work/repeated.eml"

{
	printf 'From: alice@example.com\r\nSubject: many recipients\r\n'
	for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
		printf 'To: to%s@example.net\r\nCc: cc%s@example.net\r\n' "$i" "$i"
	done
	printf '\r\nbody\r\n'
} >"$work/many.eml"

cp "$D/dkimpy/message.mbox" "$work/mbox.eml"

# tamper FILE OUT - change the body: text appended at its end
tamper() {
	{ cat "$1"; printf 'tampered\r\n'; } >"$2"
}

# ALG KEYFILE RECORD DOMAIN
set -- \
	"rsa-sha256 $D/dkimpy/test.private $D/dkimpy/test.txt example.com" \
	"ed25519-sha256 $D/dkimpy/ed25519test.key $D/dkimpy/ed25519test.dns \
example.net"

for keyset in "$@"; do
	# shellcheck disable=SC2086
	set -- $keyset
	alg=$1 key=$2 rec=$3 dom=$4
	for c in relaxed/relaxed simple/simple relaxed/simple simple/relaxed; do
		for m in plain folded long 8bit nofinal empty repeated many mbox; do
			in="$work/$m.eml"
			case="$alg $c $m"
			# ours -> dkimpy
			checks=$((checks + 1))
			if ! "$TOOL" sign "$key" "$dom" test "$alg" "$c" \
				<"$in" >"$work/ours" 2>"$work/err"; then
				fail "$case: dkim_tool sign: $(cat "$work/err")"
			elif ! $HELPER verify "$rec" <"$work/ours" \
				>"$work/out" 2>&1; then
				fail "$case: dkimpy rejects our signature: $(cat "$work/out")"
			fi
			# dkimpy -> ours
			checks=$((checks + 1))
			if ! $HELPER sign "$key" "$dom" test "$alg" "$c" \
				<"$in" >"$work/theirs" 2>"$work/err"; then
				fail "$case: dkimpy sign: $(cat "$work/err")"
			elif ! "$TOOL" verify "test._domainkey.$dom=$rec" \
				<"$work/theirs" >"$work/out" 2>&1; then
				fail "$case: we reject dkimpy's signature: $(cat "$work/out")"
			fi
			# our verifier on our own signature
			checks=$((checks + 1))
			"$TOOL" verify "test._domainkey.$dom=$rec" \
				<"$work/ours" >"$work/out" 2>&1 ||
				fail "$case: round trip: $(cat "$work/out")"
			[ "$c" = relaxed/relaxed ] || continue
			# dkimpy with l=: text appended later is not covered
			# (not for nofinal: appending would change its last line)
			if [ "$m" != nofinal ]; then
				checks=$((checks + 1))
				if ! $HELPER sign-l "$key" "$dom" test "$alg" "$c" \
					<"$in" >"$work/len" 2>"$work/err"; then
					fail "$case: dkimpy sign l=: $(cat "$work/err")"
				else
					printf 'appended\r\n' >>"$work/len"
					"$TOOL" verify "test._domainkey.$dom=$rec" \
						<"$work/len" >"$work/out" 2>&1 ||
						fail "$case: l=: $(cat "$work/out")"
				fi
			fi
			# negative controls: a changed body fails both ways
			checks=$((checks + 2))
			tamper "$work/ours" "$work/bad"
			if $HELPER verify "$rec" <"$work/bad" >/dev/null 2>&1; then
				fail "$case: dkimpy passes a tampered message"
			fi
			tamper "$work/theirs" "$work/bad"
			if "$TOOL" verify "test._domainkey.$dom=$rec" \
				<"$work/bad" >/dev/null 2>&1; then
				fail "$case: we pass a tampered message"
			fi
		done
	done
done

echo "dkim_interop.sh: $checks checks, $fails failed"
[ "$fails" -eq 0 ]
