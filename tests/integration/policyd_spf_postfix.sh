#!/bin/bash
# policyd_spf_postfix.sh - a real Postfix smtpd (private instance,
# tests/integration/postfix.sh) asking postwarden-policyd's "spf" check
# through check_policy_service, with SPF records on a private nsd
# (nsd.sh) that name loopback client addresses; swaks sends from several
# 127.x addresses:
#
#   - pass (127.0.0.5 for pass.spf.pwtest): 250, and the delivered
#     message (virtual(8) into a Maildir) carries "Received-SPF: Pass"
#     exactly once although it has two recipients;
#   - fail (127.0.0.6 for pass.spf.pwtest): 550 5.7.23 with
#     policyd-spf's reason text;
#   - softfail (127.0.0.7 for soft.spf.pwtest): 250, delivered with
#     "Received-SPF: Softfail";
#   - temperror: nsd paused (queries go unanswered),
#     policyd_spf_temperror_defer = yes and a 3 s policyd_spf_lookup_time:
#     450 4.7.24 within the time limit (well before smtpd's own 100 s
#     policy timeout).
#
# Environment: abs_top_builddir, srcdir. Exit: 0 pass, 1 fail, 77 skip,
# 99 harness error.

set -u
LC_ALL=C
export LC_ALL

srcdir=${srcdir:-$(dirname "$0")}
abs_top_builddir=${abs_top_builddir:-$(cd ../.. && pwd)}
POLICYD=${POSTWARDEN_POLICYD:-$abs_top_builddir/policyd/postwarden-policyd}
[ -x "$POLICYD" ] ||
	{ echo "policyd_spf_postfix.sh: $POLICYD not built" >&2; exit 99; }
. "$srcdir/nsd.sh"
. "$srcdir/postfix.sh"

nsd_init
postfix_init
work=$POSTFIX_DIR/spf
mkdir "$work" || exit 99
chmod 755 "$work"
policyd_pid=
cleanup() {
	[ -n "$policyd_pid" ] && kill "$policyd_pid" 2>/dev/null &&
		wait "$policyd_pid" 2>/dev/null
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

# --- DNS: the zone (nsd.sh adds an empty root: NXDOMAIN) ---------------
nsd_add_zone spf.pwtest <<'EOF'
pass	TXT	"v=spf1 ip4:127.0.0.5 -all"
soft	TXT	"v=spf1 ip4:127.0.0.5 ~all"
later	TXT	"v=spf1 ip4:127.0.0.5 -all"
EOF
nsd_start
nsd_port=$(nsd_port)

# --- postwarden-policyd on a loopback port ------------------------------
pd_port=$(postfix_free_port) || exit 99
cat >"$work/postwarden.conf" <<EOF
policyd_listen = inet:127.0.0.1:$pd_port
policyd_user = nobody
policyd_checks = spf
policyd_spf_dns_servers = 127.0.0.1@$nsd_port
# the clients are 127.x: not skipped as local here
policyd_spf_skip_addresses = ::1
policyd_spf_temperror_defer = yes
policyd_spf_lookup_time = 3s
EOF
"$POLICYD" -f -c "$work/postwarden.conf" >"$work/policyd.log" 2>&1 &
policyd_pid=$!
for _ in $(seq 50); do
	python3 -c "import socket; socket.create_connection(('127.0.0.1', $pd_port)).close()" \
		2>/dev/null && break
	sleep 0.1
done
kill -0 "$policyd_pid" 2>/dev/null ||
	{ cat "$work/policyd.log" >&2; echo "policyd did not start" >&2; exit 99; }
# --- Postfix: the policy after the relay check, delivery to a Maildir ---
mail=$POSTFIX_DIR/mail
mkdir -p "$mail" && chown nobody "$mail" || exit 99
postfix_param smtpd_recipient_restrictions \
	"reject_unauth_destination, check_policy_service inet:127.0.0.1:$pd_port"
postfix_param smtpd_relay_restrictions "reject_unauth_destination"
postfix_param virtual_mailbox_domains example.net
postfix_param virtual_mailbox_base "$mail"
postfix_param virtual_mailbox_maps "static:box/"
postfix_param virtual_uid_maps "static:$(id -u nobody)"
postfix_param virtual_gid_maps "static:$(id -g nobody)"
postfix_param virtual_transport virtual
postfix_service "virtual unix - n n - - virtual"
postfix_start

# send FROM CLIENT_IP [SWAKS ARGS] - the transcript
send() {
	local from=$1 ip=$2
	shift 2
	postfix_swaks --local-interface "$ip" --from "$from" \
		--to bob@example.net,carol@example.net \
		--header "Subject: spf test from $ip" "$@"
}
# delivered SUBJECT - the delivered message with that subject
delivered() {
	local f
	for _ in $(seq 50); do
		f=$(grep -l "^Subject: $1\$" "$mail"/box/new/* 2>/dev/null | head -1)
		[ -n "$f" ] && { cat "$f"; return 0; }
		sleep 0.1
	done
	return 1
}

# pass
out=$(send u@pass.spf.pwtest 127.0.0.5)
check "pass: accepted" yes \
	"$(echo "$out" | grep -Eq '^<.  250 2.0.0 Ok: queued' && echo yes || echo no)"
msg=$(delivered "spf test from 127.0.0.5") || msg=
check "pass: one Received-SPF for two recipients" 1 \
	"$(echo "$msg" | grep -c '^Received-SPF: ')"
check "pass: header" \
	"Received-SPF: Pass (mailfrom) identity=mailfrom; client-ip=127.0.0.5; helo=client.pwtest.invalid; envelope-from=u@pass.spf.pwtest; receiver=example.net " \
	"$(echo "$msg" | grep '^Received-SPF: ')"

# fail
out=$(send u@pass.spf.pwtest 127.0.0.6)
check "fail: 550 5.7.23" \
	"<** 550 5.7.23 <bob@example.net>: Recipient address rejected: Message rejected due to: SPF fail - not authorized. Please see http://www.openspf.net/Why?s=mfrom;id=u@pass.spf.pwtest;ip=127.0.0.6;r=example.net" \
	"$(echo "$out" | grep '^<\*\* 550' | head -1)"

# softfail
out=$(send u@soft.spf.pwtest 127.0.0.7)
check "softfail: accepted" yes \
	"$(echo "$out" | grep -Eq '^<.  250 2.0.0 Ok: queued' && echo yes || echo no)"
msg=$(delivered "spf test from 127.0.0.7") || msg=
check "softfail: header" \
	"Received-SPF: Softfail (mailfrom) identity=mailfrom; client-ip=127.0.0.7; helo=client.pwtest.invalid; envelope-from=u@soft.spf.pwtest; receiver=example.net " \
	"$(echo "$msg" | grep '^Received-SPF: ')"

# temperror: DNS silent; a name nobody asked for yet (no cached answer)
nsd_pause
start=$(date +%s)
out=$(send u@later.spf.pwtest 127.0.0.8)
elapsed=$(($(date +%s) - start))
check "temperror: 450 4.7.24" yes \
	"$(echo "$out" | grep -q '^<\*\* 450 4.7.24 <bob@example.net>: Recipient address rejected: Message deferred due to: SPF Temporary Error' && echo yes || echo no)"
check "temperror: answered within the time limit" yes \
	"$([ "$elapsed" -le 15 ] && echo yes || echo "no (${elapsed}s)")"

if [ "$fails" -gt 0 ]; then
	echo "--- policyd log" >&2
	tail -n 30 "$work/policyd.log" >&2
	echo "--- Postfix log" >&2
	tail -n 30 "$POSTFIX_LOG" >&2
fi
echo "$checks checks, $fails failed"
[ "$fails" -eq 0 ]
