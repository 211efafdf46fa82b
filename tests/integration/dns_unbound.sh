#!/bin/bash
# dns_unbound.sh - the libunbound resolver (dns/dns_unbound.c) against a
# private NSD on 127.0.0.1: A, AAAA, TXT (several strings, over 255
# bytes, escapes), SPF, MX, PTR in a 198.18.0.0/15 reverse zone, CNAME
# chains, NODATA, NXDOMAIN, the record count limit, unbound's default
# local zones on and off, and failures: a server that never answers, a
# paused and a stopped server -> TEMPFAIL within the configured timeout.
# Cancel and free with queries in flight, and a short cached-lookup run.
#
# Environment: srcdir, abs_top_builddir. Exit: 0 pass, 1 fail, 77 skip,
# 99 harness error.

set -u
LC_ALL=C
export LC_ALL

srcdir=${srcdir:-$(dirname "$0")}
abs_top_builddir=${abs_top_builddir:-$(cd ../.. && pwd)}
PROBE=${DNS_PROBE:-$abs_top_builddir/tests/integration/dns_probe}
[ -x "$PROBE" ] || { echo "dns_unbound.sh: $PROBE not built" >&2; exit 99; }

. "$srcdir/nsd.sh"
nsd_init

FAILS=0
fail() {
	echo "FAIL: $*" >&2
	FAILS=$((FAILS + 1))
}

# expect NAME ARGS... <<EOF - probe output must equal the here-document
# (expect NAME -X COMMAND...: the output of a command that runs it)
expect() {
	_what=$1
	shift
	_want=$(cat)
	if [ "$1" = -X ]; then
		# a command that runs the probe itself
		shift
		_got=$("$@" 2>"$NSD_DIR/probe.err")
	else
		_got=$("$PROBE" "$@" 2>"$NSD_DIR/probe.err")
	fi
	_rc=$?
	if [ "$_got" != "$_want" ]; then
		fail "$_what: output differs"
		diff <(printf '%s\n' "$_want") <(printf '%s\n' "$_got") >&2
		cat "$NSD_DIR/probe.err" >&2
	elif [ $_rc -ne 0 ]; then
		fail "$_what: probe exit $_rc"
		cat "$NSD_DIR/probe.err" >&2
	fi
}

# ms_between WHAT MS LOW HIGH - a measured time within bounds
ms_between() {
	if [ -z "$2" ] || [ "$2" -lt "$3" ] || [ "$2" -gt "$4" ]; then
		fail "$1: ${2:-no} ms, want $3..$4"
	fi
}

X255=$(printf 'x%.0s' $(seq 255))
Y100=$(printf 'y%.0s' $(seq 100))

nsd_add_zone dnstest.example <<EOF
@	A	198.18.0.1
@	AAAA	2001:2::1
@	MX	10 mx1
@	MX	20 mx2.dnstest.example.
@	MX	5 mx3.other.example.
www	A	198.18.0.2
www	A	198.18.0.3
spf	TXT	"v=spf1 " "ip4:198.18.0.0/15 " "-all"
long	TXT	"$X255" "$Y100"
quote	TXT	"a\\"b\\\\c" "\\010\\255"
empty	TXT	""
spf99	SPF	"v=spf1 -all"
alias	CNAME	www
chain	CNAME	alias
ext	CNAME	target.other.example.
nodata	TXT	"only a TXT record"
dot\\.in\\032label	A	198.18.0.9
EOF
nsd_add_zone big.example < <(
	for i in $(seq 0 255); do
		printf 'big256\tA\t198.18.2.%s\n' "$i"
		printf 'big257\tA\t198.18.3.%s\n' "$i"
	done
	printf 'big257\tA\t198.18.4.1\n')
nsd_add_zone other.example <<EOF
target	A	198.18.1.1
EOF
nsd_add_zone 18.198.in-addr.arpa <<EOF
1.0	PTR	dnstest.example.
2.0	PTR	www.dnstest.example.
2.0	PTR	alt.dnstest.example.
3.0	PTR	weird\\.dot\\032sp.dnstest.example.
EOF
# a zone that fails to load: the server answers SERVFAIL for it
nsd_add_zone broken.example <<EOF
www	A	not-an-address
EOF
nsd_add_zone zone.test <<EOF
@	TXT	"from nsd"
EOF
# resolv.conf cannot name a port: as root, serve port 53 of a random
# 127.53.x.y address too
RESOLV_TEST=no
if [ "$(id -u)" = 0 ]; then
	NSD_EXTRA_ADDR=127.53.$((RANDOM % 250 + 1)).$((RANDOM % 250 + 1))
	RESOLV_TEST=yes
fi
nsd_start
SERVERS=$(nsd_servers)

# --- answers ---
expect "records" -s "$SERVERS" -t 3000 \
	A:dnstest.example A:www.dnstest.example AAAA:dnstest.example \
	MX:dnstest.example TXT:spf.dnstest.example TXT:quote.dnstest.example \
	TXT:empty.dnstest.example SPF:spf99.dnstest.example \
	PTR:1.0.18.198.in-addr.arpa PTR:2.0.18.198.in-addr.arpa \
	PTR:3.0.18.198.in-addr.arpa A:WWW.DnsTest.Example \
	'A:dot\.in\032label.dnstest.example' <<'EOF'
A dnstest.example ok 1
  198.18.0.1
A www.dnstest.example ok 2
  198.18.0.2
  198.18.0.3
AAAA dnstest.example ok 1
  2001:2::1
MX dnstest.example ok 3
  10 mx1.dnstest.example
  20 mx2.dnstest.example
  5 mx3.other.example
TXT spf.dnstest.example ok 1
  [3] 29 "v=spf1 ip4:198.18.0.0/15 -all"
TXT quote.dnstest.example ok 1
  [2] 7 "a\034b\092c\010\255"
TXT empty.dnstest.example ok 1
  [1] 0 ""
SPF spf99.dnstest.example ok 1
  [1] 11 "v=spf1 -all"
PTR 1.0.18.198.in-addr.arpa ok 1
  dnstest.example
PTR 2.0.18.198.in-addr.arpa ok 2
  alt.dnstest.example
  www.dnstest.example
PTR 3.0.18.198.in-addr.arpa ok 1
  weird\.dot\032sp.dnstest.example
A WWW.DnsTest.Example ok 2
  198.18.0.2
  198.18.0.3
A dot\.in\032label.dnstest.example ok 1
  198.18.0.9
EOF

expect "TXT over 255 bytes" -s "$SERVERS" TXT:long.dnstest.example <<EOF
TXT long.dnstest.example ok 1
  [2] 355 "$X255$Y100"
EOF

expect "CNAME, NODATA, NXDOMAIN" -s "$SERVERS" \
	A:chain.dnstest.example CNAME:alias.dnstest.example \
	A:ext.dnstest.example TXT:ext.dnstest.example \
	A:nodata.dnstest.example MX:www.dnstest.example \
	A:nx.dnstest.example TXT:sub.nx.dnstest.example \
	A:name.nowhere-tld <<'EOF'
A chain.dnstest.example ok 2
  198.18.0.2
  198.18.0.3
CNAME alias.dnstest.example ok 1
  www.dnstest.example
A ext.dnstest.example ok 1
  198.18.1.1
TXT ext.dnstest.example ok 0
A nodata.dnstest.example ok 0
MX www.dnstest.example ok 0
A nx.dnstest.example nxdomain 0
TXT sub.nx.dnstest.example nxdomain 0
A name.nowhere-tld nxdomain 0
EOF

# DNS_MAX_RRS (256) records of the type are fine, one more is TEMPFAIL
got=$("$PROBE" -s "$SERVERS" A:big256.big.example A:big257.big.example |
	grep -v '^  ')
want="A big256.big.example ok 256
A big257.big.example tempfail 0"
[ "$got" = "$want" ] || fail "record limit: $got"

# SERVFAIL from the server is TEMPFAIL, and comes at once
out=$("$PROBE" -s "$SERVERS" -t 3000 -T A:www.broken.example 2>&1)
[[ $out == "A www.broken.example tempfail 0"* ]] ||
	fail "SERVFAIL zone: $out"
ms_between "SERVFAIL zone" "$(echo "$out" | sed -n 's/^  time //p')" 0 2000

# unbound answers .test itself unless its default zones are off
expect "default local zones" -s "$SERVERS" TXT:zone.test <<'EOF'
TXT zone.test nxdomain 0
EOF
expect "no default local zones" -s "$SERVERS" -L TXT:zone.test <<'EOF'
TXT zone.test ok 1
  [1] 8 "from nsd"
EOF

# --- servers from resolv.conf ---
if [ $RESOLV_TEST = yes ]; then
	printf 'search invalid\nnameserver %s\noptions ndots:1\n' \
		"$NSD_EXTRA_ADDR" >"$NSD_DIR/resolv.conf"
	expect "resolv_conf option" -r "$NSD_DIR/resolv.conf" \
		A:www.dnstest.example <<'EOF'
A www.dnstest.example ok 2
  198.18.0.2
  198.18.0.3
EOF
	# the default path in a private mount namespace: the machine's
	# /etc/resolv.conf is left alone
	if unshare -m true 2>/dev/null; then
		expect "default /etc/resolv.conf" -X unshare -m bash -c \
			'mount --bind "$0" /etc/resolv.conf && exec "$1" "$2"' \
			"$NSD_DIR/resolv.conf" "$PROBE" TXT:spf.dnstest.example <<'EOF'
TXT spf.dnstest.example ok 1
  [3] 29 "v=spf1 ip4:198.18.0.0/15 -all"
EOF
	else
		echo "note: unshare -m not permitted: default resolv.conf untested"
	fi
else
	echo "note: not root: resolv.conf tests skipped"
fi

# --- cancel and free with queries in flight (leaks/UAF under ASan) ---
out=$("$PROBE" -s "$SERVERS" -m cancel -n 40 A:www.dnstest.example \
	TXT:long.dnstest.example A:nx.dnstest.example A:localhost \
	MX:dnstest.example 2>&1)
rc=$?
[ $rc -eq 0 ] && [[ $out == "cancel: started 200 cancelled "*" late 0" ]] ||
	fail "cancel: rc $rc: $out"

# --- cached lookups: bounded run, every answer must be right ---
out=$("$PROBE" -s "$SERVERS" -m bench -n 20000 TXT:spf.dnstest.example 2>&1)
rc=$?
echo "$out"
[ $rc -eq 0 ] && [[ $out == "bench: 20000 lookups in "*", 20000 ok" ]] ||
	fail "bench: rc $rc: $out"

# --- failures: TEMPFAIL, bounded by the configured timeout ---
# a server address that never answers
out=$("$PROBE" -m silent -t 1000 -T A:www.dnstest.example 2>&1)
[[ $out == "A www.dnstest.example tempfail 0"* ]] ||
	fail "silent server: $out"
ms_between "silent server" "$(echo "$out" | sed -n 's/^  time //p')" 950 2000

# the zone's server paused: it holds the queries and never answers
nsd_pause
start=$(date +%s%N)
out=$("$PROBE" -s "$SERVERS" -t 1000 -T A:www.dnstest.example \
	TXT:spf.dnstest.example 2>&1)
wall=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$(echo "$out" | grep -c ' tempfail 0$')" = 2 ] ||
	fail "paused server: $out"
for t in $(echo "$out" | sed -n 's/^  time //p'); do
	ms_between "paused server" "$t" 950 2000
done
ms_between "paused server, whole probe" "$wall" 950 4000
# cancel and free while queries wait on the paused server
out=$("$PROBE" -s "$SERVERS" -t 5000 -m cancel -n 10 A:a.dnstest.example \
	A:b.dnstest.example 2>&1)
[[ $out == "cancel: started 20 cancelled 10 freed 10 late 0" ]] ||
	fail "cancel with a paused server: $out"
nsd_resume

# stopped: nothing listens on the port any more
nsd_stop_server
start=$(date +%s%N)
out=$("$PROBE" -s "$SERVERS" -t 2000 -T A:www.dnstest.example 2>&1)
wall=$(( ($(date +%s%N) - start) / 1000000 ))
[[ $out == "A www.dnstest.example tempfail 0"* ]] ||
	fail "stopped server: $out"
ms_between "stopped server, whole probe" "$wall" 0 4000

# a resolv.conf that cannot be read is a start-up error
out=$("$PROBE" -r "$NSD_DIR/no-such-resolv.conf" A:example.org 2>&1)
rc=$?
[ $rc -eq 1 ] && [[ $out == *no-such-resolv.conf* ]] ||
	fail "missing resolv.conf: rc $rc: $out"

if [ $FAILS -gt 0 ]; then
	echo "dns_unbound.sh: $FAILS failures" >&2
	exit 1
fi
echo "dns_unbound.sh: all checks passed"
exit 0
