#!/bin/bash
# milterd_vs_opendkim.sh - postwarden-milterd next to OpenDKIM (Debian
# opendkim), same RSA-2048 key, same KeyTable and SigningTable, same 4 KB
# message, same milter load client (bench/milter_load), signing and
# verifying, back to back in one run. See bench/README.md.
#
# Usage: bench/milterd_vs_opendkim.sh [BUILDDIR]
#   BUILDDIR (default: the current directory) holds
#   milterd/postwarden-milterd, bench/milter_load and bench/milter_floor
#   (built here with "make bench/milter_load" and so on if missing).
# Environment (all optional):
#   RUN_SECONDS  length of one measured run (10; every run also stops
#                after RUN_MESSAGES messages, 1000000)
#   ROUNDS       measured runs per daemon and mode, interleaved (3); the
#                table shows the run with the median messages/s
#   CONNS        concurrent milter connections (16)
#   PER_CONN     messages per milter connection (1: one message per
#                SMTP session; 0: one connection for the whole run)
#   MODES        which of sign verify to run (both)
#   FLOOR        1 (default): in sign mode, also run bench/milter_floor,
#                a libmilter milter that does no DKIM work, under the same
#                load, and report what any libmilter signer can reach on
#                these cores; 0: skip it
#   MSG_BYTES    size of the test message (4096)
#   SERVER_CPUS, CLIENT_CPUS
#                CPU lists for taskset: both daemons get the same cores
#                and the load client others; unset: no pinning. openssl
#                speed runs on the daemons' cores as well
#   PW_TESTDATA_DIR
#                the shared test data (dkim/dkimpy/2048_testkey.key)
#
# Must run as root (OpenDKIM is started as root with its own config, no
# UserID). milterd resolves the key record through a private NSD on
# 127.0.0.1 (tests/integration/nsd.sh); OpenDKIM reads the same record
# from a TestPublicKeys file (no DNS at all on its side). Unix sockets in
# a temporary directory only; every daemon it starts is stopped by PID
# at exit.

set -u
LC_ALL=C
export LC_ALL

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
BUILD=$(cd "${1:-.}" && pwd)
MILTERD=$BUILD/milterd/postwarden-milterd
LOAD=$BUILD/bench/milter_load
FLOOR_BIN=$BUILD/bench/milter_floor
RUN_SECONDS=${RUN_SECONDS:-10}
RUN_MESSAGES=${RUN_MESSAGES:-1000000}
ROUNDS=${ROUNDS:-3}
CONNS=${CONNS:-16}
PER_CONN=${PER_CONN:-1}
MODES=${MODES:-sign verify}
FLOOR=${FLOOR:-1}
MSG_BYTES=${MSG_BYTES:-4096}
DKIMDATA=${PW_TESTDATA_DIR:-$here/../../shared/testdata}/dkim
KEY=$DKIMDATA/dkimpy/2048_testkey.key
PUB=$DKIMDATA/dkimpy/2048_testkey_wo_markers.pub.txt

SERVER_CPUS=${SERVER_CPUS:-}
CLIENT_CPUS=${CLIENT_CPUS:-}
SRV=()
CLI=()
[ -n "$SERVER_CPUS" ] && SRV=(taskset -c "$SERVER_CPUS")
[ -n "$CLIENT_CPUS" ] && CLI=(taskset -c "$CLIENT_CPUS")

for v in RUN_SECONDS RUN_MESSAGES ROUNDS CONNS PER_CONN MSG_BYTES FLOOR; do
	case ${!v} in
	'' | *[!0-9]*) die "$v must be a number" ;;
	esac
done
[ "$RUN_SECONDS" -ge 1 ] && [ "$RUN_SECONDS" -le 600 ] || die "RUN_SECONDS: 1..600"
[ "$ROUNDS" -ge 1 ] && [ "$ROUNDS" -le 20 ] || die "ROUNDS: 1..20"
[ "$CONNS" -ge 1 ] && [ "$CONNS" -le 256 ] || die "CONNS: 1..256"
[ "$MSG_BYTES" -ge 512 ] && [ "$MSG_BYTES" -le 10000000 ] ||
	die "MSG_BYTES: 512..10000000"
[ "$(id -u)" = 0 ] || die "run as root (OpenDKIM is started as root)"
[ -x "$MILTERD" ] || die "no $MILTERD (build the tree first)"
for b in "$LOAD" "$FLOOR_BIN"; do
	if [ ! -x "$b" ]; then
		make -C "$BUILD" "bench/${b##*/}" >/dev/null ||
			die "cannot build $b"
	fi
done
OPENDKIM=$(command -v opendkim || echo /usr/sbin/opendkim)
[ -x "$OPENDKIM" ] || die "opendkim not found (apt-get install opendkim)"
[ -r "$KEY" ] && [ -r "$PUB" ] ||
	die "no test key at $KEY (set PW_TESTDATA_DIR)"
command -v openssl >/dev/null || die "openssl not found"

# A private NSD for milterd's key lookups; nsd_init sets an EXIT trap
# that is replaced below by one that also stops the daemons.
. "$here/../tests/integration/nsd.sh"
nsd_init
W=$(mktemp -d /tmp/pwbench.XXXXXX) || die "mktemp failed"
PIDS=

cleanup() {
	local p
	for p in $PIDS; do stop_pid "$p"; done
	PIDS=
	nsd_stop
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# --- key, tables, record, message ------------------------------------------
RSA_PUB=$(sed -n 's/.*p=//p' "$PUB" | tr -d ' \r\n"')
[ -n "$RSA_PUB" ] || die "no p= in $PUB"
REC="v=DKIM1; k=rsa; p=$RSA_PUB"
nsd_add_zone example.com <<EOF
rsasel._domainkey  TXT  $(printf '%s' "$REC" | fold -w 200 | sed 's/.*/"&"/' | tr '\n' ' ')
EOF
nsd_start
# OpenDKIM's TestPublicKeys: "name record" per line
printf 'rsasel._domainkey.example.com %s\n' "$REC" >"$W/records"
printf 'rsa example.com:rsasel:%s\n' "$KEY" >"$W/KeyTable"
printf '*@example.com rsa\n' >"$W/SigningTable"
: >"$W/internal-hosts"

# make_message BYTES - a message of about BYTES bytes, CRLF line ends
make_message() {
	local want=$1 i=0
	{
		printf 'From: Alice <alice@example.com>\r\n'
		printf 'To: Bob <bob@example.net>\r\n'
		printf 'Subject: benchmark message\r\n'
		printf 'Date: Sun, 22 Nov 2026 01:00:00 +0000\r\n'
		printf 'Message-ID: <bench.1@example.com>\r\n'
		printf 'MIME-Version: 1.0\r\n'
		printf 'Content-Type: text/plain; charset=us-ascii\r\n\r\n'
		while [ $i -lt $((want / 72 + 1)) ]; do
			printf 'line %05d of the benchmark body, the quick brown fox jumps over it.\r\n' "$i"
			i=$((i + 1))
		done
	} | head -c "$want" | sed '$ s/\r$//' # no CR alone at the cut
	printf '\r\n'
}
make_message "$((MSG_BYTES - 2))" >"$W/msg.eml"

# --- daemons -----------------------------------------------------------------
cat >"$W/milterd.conf" <<EOF
milterd_socket = unix:$W/milterd.sock
milterd_user =
milterd_key_table = $W/KeyTable
milterd_signing_table = refile:$W/SigningTable
milterd_authserv_id = mx.bench.example
milterd_internal_hosts =
milterd_dns_servers = $(nsd_servers)
EOF
"$MILTERD" -n -c "$W/milterd.conf" >"$W/milterd.check" 2>&1 ||
	die "milterd rejects its config: $(cat "$W/milterd.check")"
"${SRV[@]}" "$MILTERD" -f -c "$W/milterd.conf" >"$W/milterd.log" 2>&1 &
MILTERD_PID=$!
PIDS="$PIDS $MILTERD_PID"
wait_socket "$W/milterd.sock" "$MILTERD_PID" ||
	die "milterd did not start: $(tail -5 "$W/milterd.log")"

# OpenDKIM as Debian ships it (relaxed header canonicalization, From
# over-signed), made to match milterd's defaults: relaxed/relaxed, no
# internal hosts (the load client's address decides nothing; SMTP AUTH
# does), the same tables.
cat >"$W/opendkim.conf" <<EOF
Mode sv
Background no
Syslog no
Socket local:$W/opendkim.sock
PidFile $W/opendkim.pid
UMask 007
KeyTable $W/KeyTable
SigningTable refile:$W/SigningTable
InternalHosts $W/internal-hosts
Canonicalization relaxed/relaxed
OversignHeaders From
AuthservID mx.bench.example
TestPublicKeys $W/records
RequireSafeKeys no
EOF
"${SRV[@]}" "$OPENDKIM" -f -x "$W/opendkim.conf" >"$W/opendkim.log" 2>&1 &
OPENDKIM_PID=$!
PIDS="$PIDS $OPENDKIM_PID"
wait_socket "$W/opendkim.sock" "$OPENDKIM_PID" ||
	die "opendkim did not start: $(tail -5 "$W/opendkim.log")"
# The floor: libmilter with no DKIM work (bench/milter_floor).
if [ "$FLOOR" = 1 ]; then
	"${SRV[@]}" "$FLOOR_BIN" "unix:$W/floor.sock" >"$W/floor.log" 2>&1 &
	FLOOR_PID=$!
	PIDS="$PIDS $FLOOR_PID"
	wait_socket "$W/floor.sock" "$FLOOR_PID" ||
		die "milter_floor did not start: $(tail -5 "$W/floor.log")"
fi
# shellcheck disable=SC2034 # read through ${!name}
{
	SOCK_milterd=unix:$W/milterd.sock
	SOCK_opendkim=unix:$W/opendkim.sock
	SOCK_floor=unix:$W/floor.sock
	PID_milterd=$MILTERD_PID
	PID_opendkim=$OPENDKIM_PID
	PID_floor=${FLOOR_PID:-}
}

# The message to verify: signed once by milterd; both must say pass.
"$LOAD" -s "$SOCK_milterd" -f "$W/msg.eml" -m sign -c 1 -n 1 \
	-o "$W/signed.eml" >"$W/presign.out" 2>&1 ||
	die "signing the test message failed: $(cat "$W/presign.out")"
for d in milterd opendkim; do
	sock=SOCK_$d
	"$LOAD" -s "${!sock}" -f "$W/signed.eml" -m verify -c 1 -n 1 \
		>"$W/precheck.out" 2>&1 ||
		die "$d does not verify the signed message as pass:" \
			"$(cat "$W/precheck.out")"
	"$LOAD" -s "${!sock}" -f "$W/msg.eml" -m sign -c 1 -n 1 \
		>"$W/precheck.out" 2>&1 ||
		die "$d does not sign: $(cat "$W/precheck.out")"
done

# --- load ------------------------------------------------------------------
# run_load DAEMON MODE SECONDS - one milter_load run, prints its line
run_load() {
	local sock=SOCK_$1 file=$W/msg.eml out
	[ "$2" = verify ] && file=$W/signed.eml
	out=$("${CLI[@]}" "$LOAD" -s "${!sock}" -f "$file" -m "$2" \
		-c "$CONNS" -r "$PER_CONN" -n "$RUN_MESSAGES" -t "$3" \
		2>>"$W/load.err")
	if [ -z "$out" ]; then
		echo "milter_load failed: $(tail -3 "$W/load.err")" >&2
		out="mps=0 p99_ms=0 bad=0 errors=0 messages=0"
	fi
	printf '%s\n' "$out"
}

# timed_load DAEMON MODE SECONDS - run_load plus the daemon's CPU time
# per message (cpu_us=)
timed_load() {
	local pid=PID_$1 t0 t1 line n hz
	hz=$(getconf CLK_TCK)
	t0=$(proc_ticks "${!pid}")
	line=$(run_load "$1" "$2" "$3")
	t1=$(proc_ticks "${!pid}")
	n=$(field messages "$line")
	printf '%s cpu_us=%s\n' "$line" "$(awk -v t=$((t1 - t0)) \
		-v n="${n:-0}" -v hz="$hz" 'BEGIN {
		if (n + 0 == 0) print "-"; else printf "%.0f", t * 1e6 / hz / n }')"
}

# ssl_sign - openssl's raw RSA-2048 sign/s on the daemons' CPUs (all
# of them unless SERVER_CPUS says; nproc counts what taskset allows)
NCPU=$("${SRV[@]}" nproc)
ssl_sign() {
	"${SRV[@]}" openssl speed -seconds 3 -multi "$NCPU" rsa2048 \
		>"$W/speed.out" 2>&1
	awk '/^rsa *2048 bits/ { v = $6 } END { print v + 0 }' "$W/speed.out"
}

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
SSL_BEFORE=$(ssl_sign)
echo "# milterd vs $("$OPENDKIM" -V 2>&1 | head -1): $CONNS connections," \
	"$PER_CONN message(s) per connection, $(wc -c <"$W/msg.eml")-byte" \
	"message, RSA-2048, $RUN_SECONDS s per run, $ROUNDS rounds," \
	"$(nproc) CPUs, load average $LOAD_BEFORE" \
	"${SERVER_CPUS:+, daemons on CPU $SERVER_CPUS}${CLIENT_CPUS:+, client on CPU $CLIENT_CPUS}" >&2
RESULTS=$W/results
: >"$RESULTS"
for m in $MODES; do
	case $m in
	sign | verify) ;;
	*) die "unknown mode $m" ;;
	esac
	daemons="milterd opendkim"
	[ "$m" = sign ] && [ "$FLOOR" = 1 ] && daemons="$daemons floor"
	for d in $daemons; do
		: >"$W/$m.$d"
		run_load "$d" "$m" 2 >/dev/null # warm-up
	done
	r=0
	while [ $r -lt "$ROUNDS" ]; do
		r=$((r + 1))
		for d in $daemons; do
			line=$(timed_load "$d" "$m" "$RUN_SECONDS")
			echo "$m $d round $r: $line" >&2
			printf '%s\n' "$line" >>"$W/$m.$d"
		done
	done
	printf '%s\t%s\t%s\n' "$m" "$(median_line "$W/$m.milterd" mps)" \
		"$(median_line "$W/$m.opendkim" mps)" >>"$RESULTS"
	[ -s "$W/$m.floor" ] && median_line "$W/$m.floor" mps >"$W/floor.median"
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
# openssl once before and once after the runs: the higher rate counts
# (background load lowers it)
SSL_AFTER=$(ssl_sign)
SSL_SIGN=$(awk -v a="$SSL_BEFORE" -v b="$SSL_AFTER" 'BEGIN {
	print (a + 0 > b + 0) ? a : b }')

# --- table -------------------------------------------------------------------
meets() { awk -v a="$1" -v b="$2" 'BEGIN { print (a + 0 >= b + 0) ? "yes" : "NO" }'; }
printf '\n%-7s %9s %9s %6s %9s %9s %8s %8s %6s %11s %s\n' mode "milterd" \
	"opendkim" "m/s x" "mltd p99" "odk p99" "mltd cpu" "odk cpu" \
	"cpu x" "client m/o" "bad+err m/o"
SIGN_MPS=
while IFS="$(printf '\t')" read -r m lm lo; do
	mm=$(field mps "$lm")
	mo=$(field mps "$lo")
	[ "$m" = sign ] && SIGN_MPS=$mm && SIGN_X=$(ratio "$mm" "$mo")
	[ "$m" = verify ] && VERIFY_X=$(ratio "$mm" "$mo")
	printf '%-7s %9s %9s %6s %7sms %7sms %6sus %6sus %6s %9sus %s/%s\n' \
		"$m" "$mm" "$mo" "$(ratio "$mm" "$mo")" \
		"$(field p99_ms "$lm")" "$(field p99_ms "$lo")" \
		"$(field cpu_us "$lm")" "$(field cpu_us "$lo")" \
		"$(ratio "$(field cpu_us "$lm")" "$(field cpu_us "$lo")")" \
		"$(field client_cpu_us "$lm")/$(field client_cpu_us "$lo")" \
		"$(($(field bad "$lm") + $(field errors "$lm")))" \
		"$(($(field bad "$lo") + $(field errors "$lo")))"
done <"$RESULTS"
echo "(messages/s of the median run of $ROUNDS; m/s x = milterd/OpenDKIM;" \
	"cpu = daemon CPU time per message, all threads; cpu x =" \
	"milterd/OpenDKIM; client = the load client's own CPU time per" \
	"message against milterd/OpenDKIM)"
echo "openssl speed -seconds 3 -multi $NCPU rsa2048: $SSL_BEFORE sign/s" \
	"before, $SSL_AFTER after the runs; the higher one counts"
if [ -n "${SIGN_X:-}" ]; then
	pct=$(awk -v a="$SIGN_MPS" -v b="$SSL_SIGN" 'BEGIN {
		if (b + 0 == 0) print "-"; else printf "%.0f", 100 * a / b }')
	echo "sign:   milterd/OpenDKIM ${SIGN_X}x (target >= 3: $(meets "$SIGN_X" 3));" \
		"milterd/openssl ${pct}% (target >= 70%: $(meets "$pct" 70))"
fi
if [ -n "${SIGN_X:-}" ] && [ -s "$W/floor.median" ]; then
	# Any libmilter signer spends the floor's CPU plus one RSA signature
	# per message; the client's CPU counts when it shares the cores.
	fl=$(cat "$W/floor.median")
	fcli=$(field client_cpu_us "$fl")
	shared=1
	[ -n "$SERVER_CPUS" ] && [ -n "$CLIENT_CPUS" ] && shared=0
	[ "$shared" = 1 ] || fcli=0
	awk -v mps="$(field mps "$fl")" -v fd="$(field cpu_us "$fl")" \
		-v fc="$fcli" -v ssl="$SSL_SIGN" -v ncpu="$NCPU" \
		-v sign="$SIGN_MPS" 'BEGIN {
		if (ssl + 0 == 0 || fd == "-") exit
		rsa = ncpu * 1e6 / ssl
		ceil = 100 * rsa / (rsa + fd + fc)
		printf "floor:  libmilter with no DKIM work (bench/milter_floor): %s msg/s, %s us daemon + %s us client CPU per message\n", mps, fd, fc
		printf "        one RSA-2048 signature costs %.0f us here, so any libmilter signer tops out at %.0f%% of openssl speed on these cores; milterd reaches %.0f%% of that ceiling\n", rsa, ceil, (100 * sign / ssl) / ceil * 100
	}'
fi
if [ -n "${VERIFY_X:-}" ]; then
	echo "verify: milterd/OpenDKIM ${VERIFY_X}x (target >= 2: $(meets "$VERIFY_X" 2))"
fi
echo "load average: $LOAD_BEFORE before, $LOAD_AFTER after the runs"
