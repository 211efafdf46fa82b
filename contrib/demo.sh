#!/bin/bash
# demo.sh - the main job on the embedded default: an SQLite database made
# with the admin CLI, demo data, and the Postfix lookups a virtual-domain
# mail server makes, answered by `postwarden query` next to the real
# `postmap -q` on the same .cf files. Then (as root, with postfix, swaks
# and nsd installed) a private Postfix instance on a loopback port wired to
# the three daemons on that database, and a private DNS server (nsd) on
# loopback with the demo domains' SPF records and DKIM keys:
#   postwarden-authd    SMTP AUTH (smtpd_sasl_type = dovecot)
#   postwarden-policyd  unknown recipients, sender ownership, SPF
#                       (check_policy_service)
#   postwarden-milterd  DKIM signing of our users' mail, verification of
#                       the rest (smtpd_milters, non_smtpd_milters)
# and checks each with swaks: the SMTP replies and the delivered mail.
#
# Usage: contrib/demo.sh [DEMO_DIR]   (default: build/demo in the tree)
# Run it from a built tree (./configure && make). Everything it starts
# is stopped again (by PID); exit non-zero when a check fails.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
demo=${1:-$top/build/demo}
pw=${POSTWARDEN:-$top/cli/postwarden}

if [ ! -x "$pw" ]; then
	echo "demo.sh: $pw not found: build first (./configure && make)" >&2
	exit 1
fi
rm -rf "$demo"
mkdir -p "$demo/postfix/sql"

cat >"$demo/postwarden.conf" <<EOF
# Demo configuration: the embedded SQLite default.
db_type = sqlite
db_path = $demo/postwarden.db
EOF
export POSTWARDEN_CONF="$demo/postwarden.conf"

echo "== database: $demo/postwarden.db"
"$pw" db init
"$pw" domain add example.com
"$pw" domain add example.net
for u in alice bob; do
	printf 'demo-%s-password\n' "$u" |
		"$pw" mailbox add "$u@example.com" --password-stdin
done
printf 'demo-carol-password\n' |
	"$pw" mailbox add carol@example.net --password-stdin
"$pw" alias add postmaster@example.com alice@example.com
"$pw" alias add sales@example.com alice@example.com,bob@example.com
"$pw" alias add @example.net carol@example.net
"$pw" domain list
"$pw" mailbox list
"$pw" alias list

# The maps a Postfix virtual-domain setup uses (PostfixAdmin's queries).
cf() {
	cat >"$demo/postfix/sql/$1.cf" <<EOF
dbpath = $demo/postwarden.db
query = $2
EOF
}
cf virtual_mailbox_domains \
	"SELECT domain FROM domain WHERE domain='%s' AND active = '1' AND domain != 'ALL'"
cf virtual_mailbox_maps \
	"SELECT maildir FROM mailbox WHERE username='%s' AND active = '1'"
cf virtual_alias_maps \
	"SELECT goto FROM alias WHERE address='%s' AND active = '1'"

# postmap reads main.cf from a config directory: give it a private one.
printf 'compatibility_level = 3.6\n' >"$demo/postfix/main.cf"
have_postmap=no
command -v postmap >/dev/null 2>&1 && have_postmap=yes

echo
printf '%-24s %-26s %-40s %s\n' MAP KEY "postwarden query" "postmap -q"
mismatch=0
for map in virtual_mailbox_domains virtual_mailbox_maps virtual_alias_maps; do
	for key in example.com EXAMPLE.NET example.org alice@example.com \
		Bob@Example.com carol@example.net postmaster@example.com \
		sales@example.com @example.net nobody@example.com \
		"x' OR '1'='1"; do
		t="sqlite:$demo/postfix/sql/$map.cf"
		ours=$("$pw" query -q "$key" "$t" 2>/dev/null) && rc=0 || rc=$?
		ours="[$rc] $ours"
		theirs="-"
		if [ $have_postmap = yes ]; then
			theirs=$(postmap -c "$demo/postfix" -q "$key" "$t" \
				2>/dev/null) && rc=0 || rc=$?
			theirs="[$rc] $theirs"
			[ "$ours" = "$theirs" ] || mismatch=$((mismatch + 1))
		fi
		printf '%-24s %-26s %-40s %s\n' "$map" "$key" "$ours" "$theirs"
	done
done
echo
echo "([N] is the exit status: 0 found, 1 not found)"
status=0
if [ $have_postmap = yes ]; then
	echo "answers that differ from postmap -q: $mismatch"
	[ $mismatch = 0 ] || status=1
fi

# --- Postfix wired to authd, policyd and milterd ----------------------------
authd=${POSTWARDEN_AUTHD:-$top/authd/postwarden-authd}
policyd=${POSTWARDEN_POLICYD:-$top/policyd/postwarden-policyd}
milterd=${POSTWARDEN_MILTERD:-$top/milterd/postwarden-milterd}
skip=
if [ "$(id -u)" != 0 ]; then
	skip="not root"
elif ! command -v swaks >/dev/null 2>&1; then
	skip="swaks not installed"
elif ! command -v postfix >/dev/null 2>&1 && [ ! -x /usr/sbin/postfix ]; then
	skip="postfix not installed"
elif ! command -v nsd >/dev/null 2>&1 && [ ! -x /usr/sbin/nsd ]; then
	skip="nsd not installed"
fi
for d in "$authd" "$policyd" "$milterd"; do
	[ -n "$skip" ] || [ -x "$d" ] || skip="$d not built"
done
if [ -n "$skip" ]; then
	echo
	echo "== Postfix part skipped: $skip"
	exit $status
fi

set +e
# The harnesses the integration tests use: postfix.sh (POSTFIX_DIR,
# POSTFIX_QUEUE, POSTFIX_PORT, postfix_param, postfix_start, postfix_swaks,
# postfix_stop) and nsd.sh (nsd_add_zone, nsd_start, nsd_servers, nsd_stop).
. "$top/tests/integration/postfix.sh"
. "$top/tests/integration/nsd.sh"
pids=
stop_all() {
	for p in $pids; do
		kill -TERM "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	pids=
	[ -f "$POSTFIX_LOG" ] && cp "$POSTFIX_LOG" "$demo/maillog"
	postfix_stop
	nsd_stop
}
postfix_init
nsd_init
trap stop_all EXIT
sql=$demo/postfix/sql

# wait_socket PATH PID LOG NAME - until the daemon's socket exists
wait_socket() {
	n=0
	while [ ! -S "$1" ] && [ $n -lt 80 ] && kill -0 "$2" 2>/dev/null; do
		sleep 0.1
		n=$((n + 1))
	done
	[ -S "$1" ] && return 0
	cat "$3" >&2
	echo "demo.sh: $4 did not start" >&2
	exit 1
}

# DNS: example.org publishes SPF for one client address (127.0.0.5);
# example.com publishes the DKIM keys milterd signs with: an RSA and an
# Ed25519 key made by the CLI into the dkim_key table of the demo
# database, the records it prints go into the zone as they are.
"$pw" dkim keygen --sql -d example.com -s demo --algorithm both \
	>"$demo/dkim.zone" ||
	{ echo "demo.sh: postwarden dkim keygen --sql failed" >&2; exit 1; }
nsd_add_zone example.org <<EOF
@	TXT	"v=spf1 ip4:127.0.0.5 -all"
EOF
nsd_add_zone example.com <<EOF
@	TXT	"v=spf1 ip4:127.0.0.1 -all"
$(cat "$demo/dkim.zone")
EOF
nsd_start
dns=$(nsd_servers)

# authd: SASL on the demo database
cf passdb "SELECT password FROM mailbox WHERE username='%s' AND active = '1'"
cf sender_login_maps "SELECT username FROM mailbox WHERE username='%s' AND active = '1' UNION SELECT goto FROM alias WHERE address='%s' AND active = '1'"
auth_sock=$POSTFIX_QUEUE/private/auth
policy_sock=$POSTFIX_QUEUE/private/policyd
milter_sock=$demo/milterd.sock
cat >"$demo/daemons.conf" <<EOF
# Demo configuration for the three daemons (postwarden.conf(5)).
authd_listen = unix:$auth_sock
authd_user =
authd_passdb = sqlite:$sql/passdb.cf
authd_failure_delay = 1s

policyd_listen = unix:$policy_sock
policyd_user =
policyd_checks = recipient, sender, spf
policyd_virtual_mailbox_domains = sqlite:$sql/virtual_mailbox_domains.cf
policyd_virtual_mailbox_maps = sqlite:$sql/virtual_mailbox_maps.cf
policyd_virtual_alias_maps = sqlite:$sql/virtual_alias_maps.cf
policyd_sender_login_maps = sqlite:$sql/sender_login_maps.cf
policyd_spf_dns_servers = $dns
# the demo's clients are 127.x: check them instead of skipping them
policyd_spf_skip_addresses = ::1

# milterd signs with the keys of the demo database (read at start-up)
db_type = sqlite
db_path = $demo/postwarden.db
milterd_socket = unix:$milter_sock
milterd_user = postfix
milterd_sql_keys = yes
milterd_authserv_id = mx.example.com
milterd_internal_hosts = ::1
milterd_dns_servers = $dns
EOF

"$authd" -f -c "$demo/daemons.conf" 2>"$demo/authd.log" &
authd_pid=$!
pids="$pids $authd_pid"
wait_socket "$auth_sock" "$authd_pid" "$demo/authd.log" postwarden-authd
"$policyd" -f -c "$demo/daemons.conf" 2>"$demo/policyd.log" &
policyd_pid=$!
pids="$pids $policyd_pid"
wait_socket "$policy_sock" "$policyd_pid" "$demo/policyd.log" postwarden-policyd
"$milterd" -f -c "$demo/daemons.conf" 2>"$demo/milterd.log" &
milterd_pid=$!
pids="$pids $milterd_pid"
wait_socket "$milter_sock" "$milterd_pid" "$demo/milterd.log" postwarden-milterd

# Postfix: virtual mailboxes delivered into Maildirs under $demo/mail.
# The database holds password hashes: readable by root and Postfix only.
chgrp postfix "$demo/postwarden.db" && chmod 640 "$demo/postwarden.db"
mail=$demo/mail
mkdir -p "$mail" && chown nobody "$mail"
postfix_param smtpd_sasl_auth_enable yes
postfix_param smtpd_sasl_type dovecot
postfix_param smtpd_sasl_path private/auth
postfix_param smtpd_tls_auth_only yes
postfix_param smtpd_relay_restrictions \
	"permit_sasl_authenticated, reject_unauth_destination"
postfix_param smtpd_recipient_restrictions \
	"check_policy_service unix:private/policyd"
postfix_param smtpd_milters "unix:$milter_sock"
postfix_param non_smtpd_milters "unix:$milter_sock"
postfix_param milter_default_action tempfail
postfix_param virtual_mailbox_domains "sqlite:$sql/virtual_mailbox_domains.cf"
postfix_param virtual_mailbox_maps "sqlite:$sql/virtual_mailbox_maps.cf"
postfix_param virtual_alias_maps "sqlite:$sql/virtual_alias_maps.cf"
postfix_param virtual_mailbox_base "$mail"
postfix_param virtual_uid_maps "static:$(id -u nobody)"
postfix_param virtual_gid_maps "static:$(id -g nobody)"
postfix_param virtual_transport virtual
postfix_service "virtual unix - n n - - virtual"
postfix_start

echo
echo "== Postfix smtpd on 127.0.0.1:$POSTFIX_PORT (STARTTLS, smtpd_tls_auth_only)"
echo "   authd $auth_sock, policyd $policy_sock, milterd $milter_sock,"
echo "   nsd $dns; mail delivered under $mail"
# reply_to CMD - the reply to the first SMTP command CMD in swaks.out
reply_to() {
	awk -v cmd="$1" '
		found && /^<[-~*][* ] *[0-9][0-9][0-9][ -]/ {
			sub(/^<[-~*][* ] */, ""); print; exit }
		$0 ~ "^ [-~]> " cmd { found = 1 }' "$demo/swaks.out"
}
code_of() { reply_to "$1" | cut -c1-3; }
demo_fails=0
# demo_check WHAT EXPECTED GOT
demo_check() {
	if [ "$2" = "$3" ]; then
		printf '  ok    %-52s %s\n' "$1" "$3"
	else
		printf '  FAIL  %-52s %s (expected %s)\n' "$1" "${3:-none}" "$2"
		demo_fails=$((demo_fails + 1))
	fi
}
# delivered MAILBOX SUBJECT - the delivered message, waiting up to 10 s
delivered() {
	for _ in $(seq 100); do
		f=$(grep -l "^Subject: $2\$" "$mail/$1"/new/* 2>/dev/null | head -1)
		[ -n "$f" ] && { cat "$f"; return 0; }
		sleep 0.1
	done
	return 1
}
# as_alice ARGS - swaks as alice, authenticated after STARTTLS
as_alice() {
	postfix_swaks -tls --auth PLAIN --auth-user alice@example.com \
		--auth-password demo-alice-password "$@" >"$demo/swaks.out"
}

echo "-- authd"
postfix_swaks --quit-after EHLO >"$demo/swaks.out"
demo_check "EHLO before STARTTLS: no AUTH offered" 0 \
	"$(grep -c 'AUTH' "$demo/swaks.out")"
as_alice --quit-after AUTH
demo_check "AUTH PLAIN alice@example.com, right password" 235 \
	"$(code_of AUTH)"
postfix_swaks -tls --auth PLAIN --auth-user alice@example.com \
	--auth-password not-her-password --quit-after AUTH >"$demo/swaks.out"
demo_check "AUTH PLAIN alice@example.com, wrong password" 535 \
	"$(code_of AUTH)"

echo "-- policyd: recipients and senders (SQL)"
for rcpt in bob@example.com sales@example.com anyone@example.net \
	nobody@example.com; do
	postfix_swaks --local-interface 127.0.0.5 --from someone@example.org \
		--to "$rcpt" --quit-after RCPT >"$demo/swaks.out"
	case $rcpt in
	nobody@*) want=550 ;;
	*) want=250 ;;
	esac
	demo_check "RCPT TO:<$rcpt>" $want "$(code_of 'RCPT TO')"
done
echo "        $(reply_to 'RCPT TO')"
as_alice --from bob@example.com --to carol@example.net --quit-after RCPT
demo_check "alice sends as bob@example.com" 553 "$(code_of 'RCPT TO')"
echo "        $(reply_to 'RCPT TO')"

echo "-- policyd: SPF (example.org allows only 127.0.0.5)"
postfix_swaks --local-interface 127.0.0.5 --from news@example.org \
	--to bob@example.com --header 'Subject: spf pass' >"$demo/swaks.out"
demo_check "from 127.0.0.5 as news@example.org" 250 "$(code_of 'RCPT TO')"
msg=$(delivered example.com/bob 'spf pass')
demo_check "delivered with Received-SPF: Pass" 1 \
	"$(printf '%s\n' "$msg" | grep -c '^Received-SPF: Pass ')"
postfix_swaks --local-interface 127.0.0.6 --from news@example.org \
	--to bob@example.com --quit-after RCPT >"$demo/swaks.out"
demo_check "from 127.0.0.6 as news@example.org" 550 "$(code_of 'RCPT TO')"
echo "        $(reply_to 'RCPT TO')"

echo "-- milterd: DKIM"
as_alice --from alice@example.com --to bob@example.com \
	--header 'Subject: signed by milterd'
demo_check "alice's mail to bob accepted" 250 "$(code_of 'RCPT TO')"
msg=$(delivered example.com/bob 'signed by milterd')
demo_check "delivered with two DKIM-Signatures (RSA, Ed25519)" 2 \
	"$(printf '%s\n' "$msg" | grep -c '^DKIM-Signature: ')"
# the signed message comes back from outside: milterd verifies it
printf '%s\n' "$msg" | sed -e '/^Return-Path:/d' -e '/^Delivered-To:/d' \
	>"$demo/signed.eml"
postfix_swaks --local-interface 127.0.0.5 --from news@example.org \
	--to carol@example.net --data "$demo/signed.eml" >"$demo/swaks.out"
msg=$(delivered example.net/carol 'signed by milterd')
ar=$(printf '%s\n' "$msg" | awk '
	/^Authentication-Results: mx\.example\.com/ { p = 1; printf "%s", $0; next }
	p && /^[ \t]/ { printf "%s", $0; next }
	{ p = 0 }')
demo_check "re-sent copy: dkim=pass for both signatures" 2 \
	"$(printf '%s\n' "$ar" | grep -o 'dkim=pass' | wc -l)"
printf '%s\n' "$ar" | tr '\t' ' ' | sed 's/; */;\n          /g' |
	sed 's/^/        /'
printf '%s\n' "$msg" | grep '^DKIM-Signature: ' | cut -c1-100 | sed 's/^/        /'

echo "  (logs: $demo/maillog $demo/authd.log $demo/policyd.log $demo/milterd.log;"
echo "   last swaks transcript: $demo/swaks.out; mail: $mail)"
if [ $demo_fails != 0 ]; then
	echo "demo.sh: $demo_fails Postfix checks failed"
	status=1
else
	echo "all Postfix checks passed"
fi
exit $status
