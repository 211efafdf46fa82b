#!/bin/bash
# policyd_spf_diff.sh - postwarden-policyd's "spf" check against the real
# postfix-policyd-spf-python (Debian's /usr/bin/policyd-spf, pyspf),
# both asking the same private nsd on a loopback port.
#
# nsd (harness nsd.sh) serves a zone of SPF cases (198.18.0.0/15 and
# 2001:2::/48 addresses: libunbound answers the documentation ranges
# itself), an empty root zone (unknown names: NXDOMAIN, not REFUSED) and
# a zone that fails to load (SERVFAIL: temperror). policyd-spf runs as Postfix
# spawns it, one process reading requests on stdin; its resolver is
# pointed at nsd through dnspython's own default-resolver hook (the
# machine's /etc/resolv.conf is not touched). postwarden-policyd gets the
# same requests over its socket. Every request (client address x HELO x
# sender, plus local clients and a second recipient of each message) is
# compared under three configurations (the defaults; a strict one:
# SPF_Not_Pass / Softfail rejects, PermError_reject, TempError_Defer;
# Null / False rejects, Hide_Receiver, no enhanced status codes,
# Whitelist and Domain_Whitelist; Reject_Not_Pass_Domains; HELO_Whitelist
# and Domain_Whitelist_PTR; TestOnly = 0; No_Mail; HELO_pass_restriction
# and Mail_From_pass_restriction, together, alone and under TestOnly = 0;
# Prospective; Per_User (a text file with entries for some recipients);
# and Header_Type = AR when python3-authres is there):
#
#   - the action kind (prepend, reject, defer, dunno) and the reply code
#     with its enhanced status code;
#   - for a prepended header (Received-SPF, Authentication-Results,
#     X-Comment): the header name, the result and the identity,
#     client-ip, helo, envelope-from and receiver fields, and the whole
#     text unless it quotes one of pyspf's error messages;
#   - the reject text where it does not quote an error message;
#   - a pass restriction answered as the action, word for word.
#
# "postwarden spf" is compared with pyspf's check (spf.query) for the
# same cases: the result, and the result in its Received-SPF line.
#
# Differences that are expected, each counted on its own:
#   - CVE-2019-20790: policyd-spf keeps the HELO header when the MAIL
#     FROM result is None; we report the MAIL FROM result;
#   - HELO_pass_restriction without Mail_From_pass_restriction, HELO and
#     MAIL FROM both pass: policyd-spf 3.0.4 answers "action=None" (its
#     unset MAIL FROM restriction); we answer the HELO restriction;
#   - a later recipient of a message answered with the HELO restriction
#     after a MAIL FROM result that only adds a header: policyd-spf
#     answers DUNNO (it remembered "header prepended", though none was);
#     we repeat the restriction, as it does when MAIL FROM passes;
#   - No_Mail, a later recipient of a message whose reject became a
#     header: policyd-spf does not remember that answer and prepends the
#     header again for every recipient; we prepend it once per message;
#   - a later recipient of a message rejected for a permerror: policyd-spf
#     repeats the reject with 5.7.23 (it forgets that the result was an
#     error); we repeat it as it was, with 5.7.24;
#   - Per_User, null sender: a listed recipient after one that got the
#     HELO header gets that header again from policyd-spf (its MAIL FROM
#     path checks for this, its HELO path does not); we never add a
#     second header to a message.
# No_Mail: policyd-spf compares the first TXT record of the name in its
# cache, we the name's one SPF record; the zones give every name that can
# fail a single TXT record, so both must agree.
#
# Environment: POSTWARDEN_POLICYD (default
# $abs_top_builddir/policyd/postwarden-policyd), POLICYD_SPF (default
# /usr/bin/policyd-spf), SPF_DIFF_VERBOSE=1, SPF_DIFF_KEEP=1.
# Exit: 0 equal, 1 mismatch, 77 skipped, 99 harness error.

set -u
LC_ALL=C
export LC_ALL

srcdir=${srcdir:-$(dirname "$0")}
top_builddir=${top_builddir:-../..}
abs_top_builddir=${abs_top_builddir:-$(cd "$top_builddir" && pwd)}
POLICYD=${POSTWARDEN_POLICYD:-$abs_top_builddir/policyd/postwarden-policyd}
POLICYD_SPF=${POLICYD_SPF:-/usr/bin/policyd-spf}
VERBOSE=${SPF_DIFF_VERBOSE:-0}
# the interpreter Debian's python3-* packages are installed for
PYTHON=${PYTHON:-/usr/bin/python3}

skip() {
	echo "SKIP: $*" >&2
	exit 77
}
die() {
	echo "policyd_spf_diff.sh: $*" >&2
	exit 99
}

[ -x "$POLICYD_SPF" ] ||
	skip "policyd-spf not installed (apt-get install postfix-policyd-spf-python)"
[ -x "$PYTHON" ] || skip "$PYTHON not found"
"$PYTHON" -c 'import dns.resolver, spf, spf_engine' 2>/dev/null ||
	skip "python3-dnspython / python3-spf-engine missing"
[ -x "$POLICYD" ] || die "postwarden-policyd not found: $POLICYD"

. "$srcdir/nsd.sh"
nsd_init
W=$NSD_DIR/diff
mkdir "$W" || die "mkdir failed"
PD_PID=
cleanup() {
	[ -n "$PD_PID" ] && kill "$PD_PID" 2>/dev/null && wait "$PD_PID" 2>/dev/null
	if [ "${SPF_DIFF_KEEP:-0}" = 1 ]; then
		cp -r "$W" "${TMPDIR:-/tmp}/pwspfdiff.kept.$$"
		echo "policyd_spf_diff: kept ${TMPDIR:-/tmp}/pwspfdiff.kept.$$" >&2
	fi
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

# --- the zones --------------------------------------------------------
nsd_add_zone spf.pwtest <<'EOF'
ns	A	198.18.0.53
; MAIL FROM domains
pass	TXT	"v=spf1 ip4:198.18.1.0/24 ip6:2001:2::/64 -all"
soft	TXT	"v=spf1 ip4:198.18.1.0/24 ~all"
neutral	TXT	"v=spf1 ip4:198.18.1.0/24 ?all"
plus	TXT	"v=spf1 +all"
nospf	A	198.18.1.1
nospf	TXT	"some other text"
two	TXT	"v=spf1 -all"
two	TXT	"v=spf1 +all"
unknown	TXT	"v=spf1 foo:bar -all"
badip	TXT	"v=spf1 ip4:198.18.1.300 -all"
amech	TXT	"v=spf1 a -all"
amech	A	198.18.1.10
amech	AAAA	2001:2::10
mxmech	TXT	"v=spf1 mx/24 -all"
mxmech	MX	10 mail.spf.pwtest.
mail	A	198.18.2.20
inc	TXT	"v=spf1 include:pass.spf.pwtest ~all"
incnone	TXT	"v=spf1 include:nospf.spf.pwtest -all"
redir	TXT	"v=spf1 redirect=soft.spf.pwtest"
redirnone	TXT	"v=spf1 redirect=nospf.spf.pwtest"
exists	TXT	"v=spf1 exists:%{i}.ex.spf.pwtest -all"
198.18.1.5.ex	A	127.0.0.2
expl	TXT	"v=spf1 ip4:198.18.1.0/24 -all exp=why.spf.pwtest"
why	TXT	"%{i} may not send for %{d}"
void	TXT	"v=spf1 a:v1.spf.pwtest a:v2.spf.pwtest a:v3.spf.pwtest -all"
loop	TXT	"v=spf1 include:loop.spf.pwtest -all"
many	TXT	"v=spf1 a:n1.spf.pwtest a:n2.spf.pwtest a:n3.spf.pwtest a:n4.spf.pwtest a:n5.spf.pwtest a:n6.spf.pwtest a:n7.spf.pwtest a:n8.spf.pwtest a:n9.spf.pwtest a:n10.spf.pwtest a:n11.spf.pwtest -all"
n1	A	198.18.200.1
n2	A	198.18.200.2
n3	A	198.18.200.3
n4	A	198.18.200.4
n5	A	198.18.200.5
n6	A	198.18.200.6
n7	A	198.18.200.7
n8	A	198.18.200.8
n9	A	198.18.200.9
n10	A	198.18.200.10
n11	A	198.18.200.11
tmp	TXT	"v=spf1 include:x.broken.pwtest -all"
macro	TXT	"v=spf1 exists:%{l}.%{o}.m.spf.pwtest -all"
u.macro.spf.pwtest.m	A	127.0.0.2
upper	TXT	"V=SPF1 IP4:198.18.1.0/24 -ALL"
nomail	TXT	"v=spf1 -all"
; HELO names
mx	A	198.18.1.10
mx	TXT	"v=spf1 a -all"
helosoft	TXT	"v=spf1 a:mx.spf.pwtest ~all"
helonone	A	198.18.1.10
heloperm	TXT	"v=spf1 a:mx.spf.pwtest bogus -all"
helonomail	TXT	"v=spf1 -all"
EOF
# broken.pwtest: configured, but its file does not load (a CNAME next to
# the SOA and NS): nsd answers SERVFAIL, a temperror
nsd_add_zone broken.pwtest <<<'@ CNAME pass.spf.pwtest.'
# PTR names for HELO_Whitelist / Domain_Whitelist_PTR
nsd_add_zone 18.198.in-addr.arpa <<'EOF'
5.1	PTR	host.relay.spf.pwtest.
77.2	PTR	Host.Other.spf.pwtest.
EOF
nsd_add_zone 2.0.0.0.1.0.0.2.ip6.arpa <<'EOF'
5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0	PTR	v6.relay.spf.pwtest.
EOF
nsd_start
NSD_PORT=$(nsd_port)

# --- the two programs under two configurations -------------------------
# policyd-spf: its config file, and a wrapper that points dnspython's
# default resolver (which pyspf uses) at nsd before running its main().
cat >"$W/pyspf-run.py" <<EOF
import sys
import dns.resolver
r = dns.resolver.Resolver(configure=False)
r.nameservers = ["127.0.0.1"]
r.port = $NSD_PORT
r.lifetime = 5
dns.resolver.default_resolver = r
from spf_engine.policyd_spf import main
sys.argv = ["policyd-spf", sys.argv[1]]
sys.exit(main())
EOF
# policyd-spf reads the program it runs from this file; use the real one
grep -q 'spf_engine.policyd_spf' "$POLICYD_SPF" ||
	die "$POLICYD_SPF does not run spf_engine.policyd_spf"

write_configs() { # name, then policyd-spf lines as Name=value
	local name=$1
	shift
	{
		echo "debugLevel = 0"
		echo "TestOnly = 1"
		for kv in "$@"; do echo "${kv%%=*} = ${kv#*=}"; done
	} >"$W/$name.pyspf.conf"
	{
		echo "policyd_listen = inet:127.0.0.1:$PD_PORT"
		echo "policyd_user ="
		echo "policyd_checks = spf"
		echo "policyd_spf_dns_servers = 127.0.0.1@$NSD_PORT"
		for kv in "$@"; do
			case ${kv%%=*} in
			HELO_reject) echo "policyd_spf_helo_reject = ${kv#*=}" ;;
			Mail_From_reject) echo "policyd_spf_mail_from_reject = ${kv#*=}" ;;
			PermError_reject)
				[ "${kv#*=}" = True ] && v=yes || v=no
				echo "policyd_spf_permerror_reject = $v"
				;;
			TempError_Defer)
				[ "${kv#*=}" = True ] && v=yes || v=no
				echo "policyd_spf_temperror_defer = $v"
				;;
			Hide_Receiver | SPF_Enhanced_Status_Codes)
				[ "${kv#*=}" = No ] && v=no || v=yes
				n=$(echo "${kv%%=*}" | tr 'A-Z' 'a-z')
				[ "$n" = spf_enhanced_status_codes ] &&
					n=enhanced_status_codes
				echo "policyd_spf_$n = $v"
				;;
			Whitelist) echo "policyd_spf_whitelist = ${kv#*=}" ;;
			Header_Type) echo "policyd_spf_header_type = ${kv#*=}" ;;
			HELO_Whitelist)
				echo "policyd_spf_helo_whitelist = ${kv#*=}"
				;;
			Domain_Whitelist_PTR)
				echo "policyd_spf_domain_whitelist_ptr = ${kv#*=}"
				;;
			TestOnly)
				[ "${kv#*=}" = 0 ] && v=yes || v=no
				echo "policyd_spf_test_only = $v"
				;;
			Reject_Not_Pass_Domains)
				echo "policyd_spf_reject_not_pass_domains = ${kv#*=}"
				;;
			Authserv_Id) echo "policyd_spf_authserv_id = ${kv#*=}" ;;
			Domain_Whitelist)
				echo "policyd_spf_domain_whitelist = ${kv#*=}"
				;;
			No_Mail)
				[ "${kv#*=}" = True ] && v=yes || v=no
				echo "policyd_spf_no_mail = $v"
				;;
			HELO_pass_restriction)
				echo "policyd_spf_helo_pass_restriction = ${kv#*=}"
				;;
			Mail_From_pass_restriction)
				echo "policyd_spf_mail_from_pass_restriction = ${kv#*=}"
				;;
			Prospective) echo "policyd_spf_prospective = ${kv#*=}" ;;
			Per_User) echo "policyd_spf_per_user = ${kv#*=}" ;;
			*) die "no mapping for ${kv%%=*}" ;;
			esac
		done
	} >"$W/$name.postwarden.conf"
}

run_config() { # name
	local name=$1
	shift
	"$POLICYD" -f -c "$W/$name.postwarden.conf" >"$W/$name.policyd.log" 2>&1 &
	PD_PID=$!
	for _ in $(seq 50); do
		"$PYTHON" -c "import socket; socket.create_connection(('127.0.0.1', $PD_PORT)).close()" \
			2>/dev/null && break
		sleep 0.1
	done
	kill -0 "$PD_PID" 2>/dev/null || {
		cat "$W/$name.policyd.log" >&2
		die "postwarden-policyd did not start ($name)"
	}
	"$PYTHON" - "$W" "$name" "$PD_PORT" "$VERBOSE" "$@" <<'PYEOF'
import os, socket, subprocess, sys

work, name, port, verbose = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == "1"
# settings that make an expected difference possible (see the top)
settings = dict(a.split("=", 1) for a in sys.argv[5:])
helo_restriction = settings.get("HELO_pass_restriction", "").lower()
only_helo_restriction = (helo_restriction and
                         "Mail_From_pass_restriction" not in settings)
no_mail = settings.get("No_Mail") == "True"
per_user = "Per_User" in settings
D = "spf.pwtest"
ips = ["198.18.1.5", "198.18.1.10", "198.18.9.9", "2001:2::5", "2001:3::5",
       "198.18.2.77", "::ffff:198.18.1.5"]
helos = ["mx." + D, "helosoft." + D, "helonone." + D, "heloperm." + D,
         "missing." + D, "x.broken.pwtest", "", "[198.18.1.5]", "MX.Spf.PwTest",
         "helonomail." + D]
senders = [""] + ["u@%s.%s" % (n, D) for n in (
    "pass", "soft", "neutral", "plus", "nospf", "two", "unknown", "badip",
    "amech", "mxmech", "inc", "incnone", "redir", "redirnone", "exists",
    "expl", "void", "loop", "many", "tmp", "macro", "upper", "missing",
    "nomail")] + [
    "U@Pass.SPF.pwtest", "nolocalpart@", "user@x.broken.pwtest", "noat"]

reqs = []
seq = 0
def add(ip, helo, sender, rcpts=("bob@example.net",), extra=""):
    global seq
    seq += 1
    inst = "%x.%x.0" % (os.getpid(), seq)
    for rcpt in rcpts:
        reqs.append((inst, "request=smtpd_access_policy\nprotocol_state=RCPT\n"
                     "protocol_name=ESMTP\nclient_address=%s\nclient_name=unknown\n"
                     "helo_name=%s\nsender=%s\nrecipient=%s\nqueue_id=\n"
                     "instance=%s\nsize=0\n%s\n" % (ip, helo, sender, rcpt, inst, extra)))

for ip in ips:
    for helo in helos:
        for sender in senders:
            # policyd-spf dies on these with Header_Type = AR (authres:
            # "Cannot include result property comment without associated
            # result property: smtp.mailfrom")
            if name.startswith("ar") and sender in ("nolocalpart@", "noat"):
                continue
            add(ip, helo, sender)
# local clients, a second recipient, a recipient without a domain
for ip in ("127.0.0.1", "::1"):
    add(ip, "localhost", "u@pass." + D)
for sender in ("u@pass." + D, "u@soft." + D, "u@pass." + D, ""):
    add("198.18.9.9", "mx." + D, sender, ("a@example.net", "b@example.net"))
    add("198.18.1.5", "mx." + D, sender, ("a@example.net", "postmaster"))
    # a HELO that passes: its restriction for every recipient
    add("198.18.1.10", "mx." + D, sender, ("a@example.net", "b@example.net"))
    # the other order (Per_User: a@ is listed, b@ is not)
    add("198.18.1.10", "mx." + D, sender, ("b@example.net", "a@example.net"))
    add("198.18.9.9", "mx." + D, sender, ("b@example.net", "a@example.net"))
# HELO pass, MAIL FROM permerror (a header)
add("198.18.1.10", "mx." + D, "u@unknown." + D, ("a@example.net", "b@example.net"))

# policyd-spf: one process, requests on stdin, as Postfix's spawn(8)
stdin = "".join(r for _, r in reqs).encode()
p = subprocess.run([sys.executable, os.path.join(work, "pyspf-run.py"),
                    os.path.join(work, name + ".pyspf.conf")],
                   input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                   timeout=600)
py = [b.decode() for b in p.stdout.split(b"\n\n") if b]
if len(py) != len(reqs):
    print("policyd-spf gave %d answers for %d requests" % (len(py), len(reqs)))
    print(p.stderr.decode()[-2000:])
    sys.exit(99)

# postwarden-policyd: one connection, one request at a time
s = socket.create_connection(("127.0.0.1", port))
f = s.makefile("rb")
pw = []
for _, r in reqs:
    s.sendall(r.encode())
    lines = []
    while True:
        l = f.readline()
        if not l:
            print("postwarden-policyd closed the connection")
            sys.exit(99)
        if l == b"\n":
            break
        lines.append(l.decode().rstrip("\n"))
    pw.append("\n".join(lines))
s.close()

def parse(ans):
    """(kind, code, header name, fields dict, text)"""
    a = ans.strip()
    assert a.startswith("action="), a
    a = a[len("action="):]
    low = a.lower()
    if low.startswith("prepend "):
        h = a[len("prepend "):]
        name, _, value = h.partition(": ")
        fields = {}
        if name == "Received-SPF":
            result, _, rest = value.partition(" ")
            fields["result"] = result.lower()
            if rest.startswith("("):
                depth, i = 0, 0
                while i < len(rest):
                    if rest[i] == "\\":
                        i += 2
                        continue
                    depth += {"(": 1, ")": -1}.get(rest[i], 0)
                    i += 1
                    if depth == 0:
                        break
                fields["comment"] = rest[:i]
                rest = rest[i:].lstrip()
            for kv in rest.split("; "):
                k, _, v = kv.partition("=")
                fields[k.strip()] = v.strip()
        elif name == "Authentication-Results" and "; spf=" in value:
            rest = value.split("; spf=", 1)[1]
            fields["result"] = rest.split(" ", 1)[0].lower()
            fields["identity"] = "helo" if " smtp.helo=" in rest else "mailfrom"
            details = rest[rest.rfind("(") + 1:].rstrip(")")
            for kv in details.split("; "):
                k, _, v = kv.partition("=")
                fields[k.strip()] = v.strip()
        return ("prepend", "", name, fields, h)
    if low.startswith("defer_if_permit"):
        parts = a.split(" ", 2)
        code = parts[1] if len(parts) > 1 and parts[1][:1].isdigit() else ""
        return ("defer", code, "", {}, a.split(" ", 2 if code else 1)[-1])
    if low[:1] == "5" or low[:1] == "4":
        parts = a.split(" ", 2)
        code = parts[0] + (" " + parts[1] if len(parts) > 1 and parts[1][:1].isdigit() else "")
        return ("reject", code, "", {}, a[len(code) + 1:])
    if low.startswith("dunno"):
        return ("dunno", "", "", {}, "")
    return (low, "", "", {}, a)

KEYS = ("result", "identity", "client-ip", "helo", "envelope-from", "receiver")
same = cve = none_bug = later_bug = repeat = code = second = diff = 0
kinds = {}
seen = set()
for (inst, req), a, b in zip(reqs, py, pw):
    A, B = parse(a), parse(b)
    later = inst in seen
    seen.add(inst)
    problems = []
    # HELO restriction only, HELO and MAIL FROM pass: 3.0.4 says "None"
    if (only_helo_restriction and A[0] == "none" and
            B[0] == helo_restriction):
        none_bug += 1
        continue
    # a later recipient after the HELO restriction and a MAIL FROM header
    if (helo_restriction and later and A[0] == "dunno" and
            B[0] == helo_restriction):
        later_bug += 1
        continue
    # No_Mail: policyd-spf prepends again for a later recipient
    if no_mail and later and A[0] == "prepend" and B[0] == "dunno":
        repeat += 1
        continue
    # Per_User, null sender: policyd-spf's second HELO header
    if (per_user and later and A[0] == "prepend" and B[0] == "dunno" and
            A[3].get("identity") == "helo" and
            A[3].get("envelope-from") == "<>"):
        second += 1
        continue
    # a repeated reject of an error: policyd-spf says 5.7.23
    if (later and A[0] == B[0] == "reject" and A[1] == "550 5.7.23" and
            B[1] == "550 5.7.24" and "Error:" in A[4] and "Error:" in B[4]):
        code += 1
        continue
    if A[:3] != B[:3]:
        # CVE-2019-20790: pyspf keeps the HELO header for a MAIL FROM none
        if (A[0] == B[0] == "prepend" and A[3].get("identity") == "helo"
                and B[3].get("identity") == "mailfrom"
                and B[3].get("result") == "none"):
            cve += 1
            continue
        problems.append("kind/code/header %r != %r" % (A[:3], B[:3]))
    elif A[0] == "prepend" and A[3]:
        for k in KEYS:
            if A[3].get(k) != B[3].get(k):
                if (k == "result" and A[3].get("identity") == "helo" and
                        B[3].get("identity") == "mailfrom"):
                    continue
                problems.append("%s: %r != %r" % (k, A[3].get(k), B[3].get(k)))
        if (A[3].get("identity") == "helo" and B[3].get("identity") == "mailfrom"
                and B[3].get("result") == "none"):
            cve += 1
            continue
        # the whole text, unless its comment quotes a pyspf error
        # message (a HELO Received-SPF, any Authentication-Results)
        quotes_error = (A[3].get("result") in ("permerror", "temperror") and
                        (A[3].get("identity") == "helo" or
                         A[2] == "Authentication-Results"))
        if not quotes_error and A[4] != B[4]:
            problems.append("text %r != %r" % (A[4], B[4]))
    elif A[0] == "prepend" and A[4] != B[4]:
        problems.append("text %r != %r" % (A[4], B[4]))
    elif A[0] in ("reject", "defer") and "Error:" not in A[4] and A[4] != B[4]:
        problems.append("text %r != %r" % (A[4], B[4]))
    elif A[0] not in ("prepend", "reject", "defer", "dunno") and a != b:
        # a pass restriction: the action line itself, case and all
        problems.append("restriction %r != %r" % (a, b))
    if problems:
        diff += 1
        if diff <= 25 or verbose:
            print("MISMATCH [%s]\n  request: %s\n  policyd-spf: %s\n  postwarden: %s\n  %s" % (
                name, req.replace("\n", " ")[:400], a, b, "\n  ".join(problems)))
    else:
        same += 1
        k = A[0] + (" " + A[1] if A[1] else "") + (" " + A[3].get("result", "") if A[3] else "")
        kinds[k] = kinds.get(k, 0) + 1
print("%s: %d requests: %d equal, %d expected CVE-2019-20790 differences, "
      "%d expected 'None' restrictions, %d expected later-recipient "
      "restrictions, %d expected No_Mail repeated headers, %d expected "
      "5.7.23 repeats, %d expected Per_User second headers, %d mismatches"
      % (name, len(reqs), same, cve, none_bug, later_bug, repeat, code,
         second, diff))
for k in sorted(kinds):
    print("  %-28s %d" % (k, kinds[k]))
# the zones must give every result (a zone that failed to load would
# quietly drop a case)
if name == "defaults":
    for want in ("prepend pass", "prepend softfail", "prepend neutral",
                 "prepend none", "prepend permerror", "prepend temperror",
                 "reject 550 5.7.23"):
        if not kinds.get(want):
            print("no '%s' answer at all: the test zones are broken" % want)
            diff += 1
# each new setting must have made a difference that both agree on
wants = {"nomail": ("reject 550 5.7.23", "prepend fail"),
         "restrict": ("helo_passed_spf", "mfrom_passed_spf"),
         "helorestrict": ("helo_passed_spf",),
         "mfromrestrict": ("spf_fin, passed_spf",),
         "prospective": ("dunno", "reject 550 5.7.23"),
         "prospective6": ("dunno", "reject 550 5.7.23"),
         "peruser": ("bob_passed_spf", "prepend", "reject 550 5.7.24")}
for want in wants.get(name, ()):
    if not kinds.get(want):
        print("no '%s' answer at all in %s" % (want, name))
        diff += 1
sys.exit(1 if diff else 0)
PYEOF
	local rc=$?
	kill "$PD_PID" 2>/dev/null
	wait "$PD_PID" 2>/dev/null
	PD_PID=
	return $rc
}

# "postwarden spf" against pyspf's own check, result by result
cli_diff() {
	local pw=${POSTWARDEN:-$abs_top_builddir/cli/postwarden}
	[ -x "$pw" ] || die "postwarden not found: $pw"
	"$PYTHON" - "$pw" "$NSD_PORT" <<'PYEOF'
import subprocess, sys
import dns.resolver
pw, port = sys.argv[1], int(sys.argv[2])
r = dns.resolver.Resolver(configure=False)
r.nameservers = ["127.0.0.1"]
r.port = port
dns.resolver.default_resolver = r
import spf
D = "spf.pwtest"
same = diff = 0
for ip in ("198.18.1.5", "198.18.9.9", "2001:2::5", "198.18.2.77"):
    for dom in ("pass", "soft", "neutral", "plus", "nospf", "two", "unknown",
                "amech", "mxmech", "inc", "incnone", "redir", "exists", "expl",
                "void", "loop", "many", "tmp", "missing"):
        for sender, helo in (("u@%s.%s" % (dom, D), "mx." + D),
                             ("", "%s.%s" % (dom, D))):
            want = spf.query(i=ip, s=sender or "postmaster@" + helo, h=helo,
                             querytime=5).check()[0]
            out = subprocess.run([pw, "spf", "--ip", ip, "--sender", sender,
                                  "--helo", helo, "--server",
                                  "127.0.0.1@%d" % port, "--timeout", "5"],
                                 stdout=subprocess.PIPE, timeout=30).stdout
            lines = out.decode().split("\n")
            got = lines[0]
            ok = got == want and lines[2].startswith(
                "Received-SPF: %s " % want.capitalize())
            if ok:
                same += 1
            else:
                diff += 1
                print("CLI MISMATCH %s %r %s: pyspf %s, postwarden %r" % (
                    ip, sender, helo, want, lines[:3]))
print("postwarden spf: %d checks: %d equal, %d mismatches" % (
    same + diff, same, diff))
sys.exit(1 if diff else 0)
PYEOF
}

PD_PORT=$(free_port)
status=0
cli_diff || status=$?
write_configs defaults
run_config defaults || status=$?
write_configs strict HELO_reject=SPF_Not_Pass Mail_From_reject=Softfail \
	PermError_reject=True TempError_Defer=True
run_config strict || { rc=$?; [ $status -eq 0 ] && status=$rc; }
write_configs other HELO_reject=Null Mail_From_reject=False \
	PermError_reject=True Hide_Receiver=Yes SPF_Enhanced_Status_Codes=No \
	Whitelist=198.18.2.0/24 Domain_Whitelist=amech.spf.pwtest
run_config other || { rc=$?; [ $status -eq 0 ] && status=$rc; }
# Reject_Not_Pass_Domains: exact names only (policyd-spf matches
# subdomains the other way round, see postwarden.conf(5))
write_configs notpass Reject_Not_Pass_Domains=soft.spf.pwtest,neutral.spf.pwtest,mx.spf.pwtest,helosoft.spf.pwtest
run_config notpass || { rc=$?; [ $status -eq 0 ] && status=$rc; }
# HELO_Whitelist, Domain_Whitelist_PTR
write_configs wl HELO_Whitelist=mx.spf.pwtest,helonone.spf.pwtest \
	Domain_Whitelist_PTR=relay.spf.pwtest
run_config wl || { rc=$?; [ $status -eq 0 ] && status=$rc; }
# TestOnly = 0: nothing rejected or deferred, headers as usual
write_configs testonly TestOnly=0 Mail_From_reject=SPF_Not_Pass \
	PermError_reject=True TempError_Defer=True
run_config testonly || { rc=$?; [ $status -eq 0 ] && status=$rc; }
# Header_Type = AR needs python3-authres on the policyd-spf side
if "$PYTHON" -c 'import authres' 2>/dev/null; then
	write_configs ar Header_Type=AR Authserv_Id=mx.pwtest \
		Whitelist=198.18.2.0/24
	run_config ar || { rc=$?; [ $status -eq 0 ] && status=$rc; }
	# both restrictions and the AR header's comment, never sent together
	write_configs arrestrict Header_Type=AR Authserv_Id=mx.pwtest \
		HELO_pass_restriction=helo_passed_spf \
		Mail_From_pass_restriction=mfrom_passed_spf
	run_config arrestrict HELO_pass_restriction=helo_passed_spf \
		Mail_From_pass_restriction=mfrom_passed_spf ||
		{ rc=$?; [ $status -eq 0 ] && status=$rc; }
else
	echo "python3-authres not installed: Header_Type = AR not compared"
fi
# No_Mail: only "v=spf1 -all" rejects (HELO and MAIL FROM), even under
# SPF_Not_Pass; a defer stays a defer
set -- No_Mail=True HELO_reject=SPF_Not_Pass Mail_From_reject=SPF_Not_Pass \
	TempError_Defer=True
write_configs nomail "$@"
run_config nomail "$@" || { rc=$?; [ $status -eq 0 ] && status=$rc; }
# pass restrictions: both; HELO only (the "None" difference); MAIL FROM
# only, a list of restrictions; under TestOnly = 0 (DUNNO)
set -- HELO_pass_restriction=helo_passed_spf \
	Mail_From_pass_restriction=mfrom_passed_spf
write_configs restrict "$@"
run_config restrict "$@" || { rc=$?; [ $status -eq 0 ] && status=$rc; }
set -- HELO_pass_restriction=helo_passed_spf Mail_From_reject=Softfail
write_configs helorestrict "$@"
run_config helorestrict "$@" || { rc=$?; [ $status -eq 0 ] && status=$rc; }
set -- "Mail_From_pass_restriction=spf_fin, passed_spf" HELO_reject=False
write_configs mfromrestrict "$@"
run_config mfromrestrict "$@" || { rc=$?; [ $status -eq 0 ] && status=$rc; }
set -- TestOnly=0 HELO_pass_restriction=helo_passed_spf \
	Mail_From_pass_restriction=mfrom_passed_spf
write_configs restricttest "$@"
run_config restricttest "$@" || { rc=$?; [ $status -eq 0 ] && status=$rc; }
# Prospective: every check from 198.18.1.5, local clients included; no
# header at all, rejects name that address
write_configs prospective Prospective=198.18.1.5
run_config prospective || { rc=$?; [ $status -eq 0 ] && status=$rc; }
# Per_User: bob@ (every request of the grid) and a@ have their own
# settings, b@ and postmaster use the file's; receiver= is the whole
# address for all of them; a listed recipient is checked on its own,
# but a message never gets a second header
cat >"$W/peruser.txt" <<'EOF'
# recipient, settings
bob@example.net, HELO_reject=SPF_Not_Pass|Mail_From_reject=Softfail|PermError_reject=True|Mail_From_pass_restriction=bob_passed_spf
a@example.net, HELO_reject=False|Mail_From_reject=False|Whitelist=198.18.9.0/24
EOF
set -- "Per_User=text,$W/peruser.txt" TempError_Defer=True
write_configs peruser "$@"
run_config peruser "$@" || { rc=$?; [ $status -eq 0 ] && status=$rc; }
# an IPv6 address, written with capitals (the reject text keeps them)
write_configs prospective6 Prospective=2001:2::A
run_config prospective6 || { rc=$?; [ $status -eq 0 ] && status=$rc; }
exit $status
