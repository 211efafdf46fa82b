#!/bin/bash
# policyd_vs_pyspf.sh - postwarden-policyd's "spf" check next to
# postfix-policyd-spf-python (Debian's policyd-spf), same requests, same
# private nsd on a loopback port, measured with bench/policy_load.
#
#   cd BUILDDIR && make && make bench/policy_load
#   SRCDIR/bench/policyd_vs_pyspf.sh BUILDDIR
#
# Three runs of SECONDS (default 10) each, CONNS (16) connections with
# one request in flight each, as smtpd processes:
#   policyd          postwarden-policyd -f, after one warm-up pass over
#                    the requests (libunbound's cache holds the answers)
#   pyspf-kept       policyd-spf kept running: one process per
#                    connection for the whole run (started, and one
#                    request answered, before the clock starts)
#   pyspf-spawned    policyd-spf spawned per connection as Postfix's
#                    spawn(8) does, SPAWN_REQUESTS (1) requests each
# then the ratios. The requests: REQUESTS (2000) different clients in
# 198.18.0.0/15 against a mix of pass, fail, softfail, neutral, none and
# permerror domains, a HELO with its own record, fresh instance= on
# every request (no per-message answer is reused).
#
# Environment: SECONDS_EACH, CONNS, REQUESTS, SPAWN_REQUESTS, PYTHON
# (default /usr/bin/python3, the one Debian's python3-spf is for).

set -u
LC_ALL=C
export LC_ALL

B=${1:-.}
B=$(cd "$B" && pwd)
POLICYD=$B/policyd/postwarden-policyd
LOAD=$B/bench/policy_load
PYTHON=${PYTHON:-/usr/bin/python3}
SECS=${SECONDS_EACH:-10}
CONNS=${CONNS:-16}
REQUESTS=${REQUESTS:-2000}
SPAWN_REQUESTS=${SPAWN_REQUESTS:-1}

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
[ -x "$POLICYD" ] || die "$POLICYD not built (make)"
[ -x "$LOAD" ] || die "$LOAD not built (make bench/policy_load)"
"$PYTHON" -c 'import dns.resolver, spf, spf_engine' 2>/dev/null ||
	die "python3-dnspython and postfix-policyd-spf-python needed"

# the tests' private nsd (exits 77 when nsd is not installed)
. "$here/../tests/integration/nsd.sh"
nsd_init
W=$NSD_DIR/bench
mkdir "$W" || die "mkdir failed"
PD_PID=
cleanup() {
	[ -n "$PD_PID" ] && kill "$PD_PID" 2>/dev/null && wait "$PD_PID" 2>/dev/null
	nsd_stop
}
trap cleanup EXIT

free_port() {
	"$PYTHON" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

nsd_add_zone spf.pwtest <<'EOF'
ns	A	198.18.0.53
pass	TXT	"v=spf1 ip4:198.18.0.0/20 -all"
soft	TXT	"v=spf1 ip4:198.18.0.0/20 ~all"
neutral	TXT	"v=spf1 ip4:198.18.0.0/20 ?all"
inc	TXT	"v=spf1 include:pass.spf.pwtest -all"
amx	TXT	"v=spf1 a mx -all"
amx	A	198.18.0.10
amx	MX	10 mail.spf.pwtest.
mail	A	198.18.0.20
nospf	A	198.18.0.1
broken	TXT	"v=spf1 foo -all"
mx	A	198.18.0.10
mx	TXT	"v=spf1 ip4:198.18.0.0/15 -all"
EOF
nsd_start
NSD_PORT=$(nsd_port)

# the requests
"$PYTHON" - "$REQUESTS" >"$W/requests" <<'EOF'
import sys
n = int(sys.argv[1])
doms = ["pass", "soft", "neutral", "inc", "amx", "nospf", "broken", "missing"]
for i in range(n):
    ip = "198.18.%d.%d" % ((i // 250) % 40, i % 250 + 1)
    print("request=smtpd_access_policy\nprotocol_state=RCPT\nprotocol_name=ESMTP\n"
          "client_address=%s\nclient_name=unknown\nhelo_name=mx.spf.pwtest\n"
          "sender=user%d@%s.spf.pwtest\nrecipient=bob@example.net\nqueue_id=\n"
          "instance=x\nsize=0\n" % (ip, i, doms[i % len(doms)]))
EOF

# policyd-spf, its resolver pointed at nsd (dnspython's default resolver)
cat >"$W/pyspf.conf" <<'EOF'
debugLevel = 0
TestOnly = 1
HELO_reject = Fail
Mail_From_reject = Fail
EOF
cat >"$W/pyspf-run.py" <<EOF
import sys
import dns.resolver
r = dns.resolver.Resolver(configure=False)
r.nameservers = ["127.0.0.1"]
r.port = $NSD_PORT
dns.resolver.default_resolver = r
from spf_engine.policyd_spf import main
sys.argv = ["policyd-spf", "$W/pyspf.conf"]
sys.exit(main())
EOF

PD_PORT=$(free_port)
cat >"$W/postwarden.conf" <<EOF
policyd_listen = inet:127.0.0.1:$PD_PORT
policyd_user =
policyd_checks = spf
policyd_spf_dns_servers = 127.0.0.1@$NSD_PORT
EOF
"$POLICYD" -f -c "$W/postwarden.conf" >"$W/policyd.log" 2>&1 &
PD_PID=$!
sleep 1
kill -0 "$PD_PID" 2>/dev/null || { cat "$W/policyd.log" >&2; die "policyd did not start"; }

echo "warm-up:       $(nice "$LOAD" -s "inet:127.0.0.1:$PD_PORT" -c 4 \
	-n "$REQUESTS" -t 60 "$W/requests")"
pd=$(nice "$LOAD" -s "inet:127.0.0.1:$PD_PORT" -c "$CONNS" -n 10000000 \
	-t "$SECS" "$W/requests")
echo "policyd:       $pd"
kept=$(nice "$LOAD" -e "exec $PYTHON $W/pyspf-run.py" -c "$CONNS" -w \
	-n 10000000 -t "$SECS" "$W/requests")
echo "pyspf-kept:    $kept"
spawned=$(nice "$LOAD" -e "exec $PYTHON $W/pyspf-run.py" -c "$CONNS" \
	-r "$SPAWN_REQUESTS" -n 10000000 -t "$SECS" "$W/requests")
echo "pyspf-spawned: $spawned"

"$PYTHON" - "$(field rps "$pd")" "$(field p99_ms "$pd")" \
	"$(field rps "$kept")" "$(field p99_ms "$kept")" \
	"$(field rps "$spawned")" "$(field p99_ms "$spawned")" <<'EOF'
import sys
pd_rps, pd_p99, k_rps, k_p99, s_rps, s_p99 = map(float, sys.argv[1:])
def ratio(a, b):
    return "%.1fx" % (a / b) if b else "n/a"
print("ratio rps policyd/pyspf-kept=%s policyd/pyspf-spawned=%s" % (
    ratio(pd_rps, k_rps), ratio(pd_rps, s_rps)))
print("ratio p99 pyspf-kept/policyd=%s pyspf-spawned/policyd=%s" % (
    ratio(k_p99, pd_p99), ratio(s_p99, pd_p99)))
print("targets: >=20x pyspf rps: %s; lower p99: %s; >=50000 rps: %s" % (
    "met" if pd_rps >= 20 * max(k_rps, s_rps) else "NOT met",
    "met" if pd_p99 < min(k_p99, s_p99) else "NOT met",
    "met" if pd_rps >= 50000 else "NOT met (%.0f)" % pd_rps))
EOF
