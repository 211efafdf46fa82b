#!/bin/bash
# policyd_postfix.sh - a real Postfix smtpd (private instance on a
# loopback port, tests/integration/postfix.sh) asking postwarden-policyd
# through check_policy_service on unix:private/policyd, with SQLite
# PostfixAdmin data made by the admin CLI, and postwarden-authd for SASL
# (as authd_postfix.sh), driven with swaks:
#
#   - first Postfix alone (virtual_mailbox_maps, virtual_alias_maps,
#     reject_authenticated_sender_login_mismatch) to record its own
#     replies for an unknown recipient and a sender login mismatch;
#   - then Postfix with our domains only as relay_domains and policyd
#     deciding: a known recipient, an alias, a catch-all, user+ext and
#     an alias domain get 250; an unknown recipient gets 550 5.1.1 with
#     exactly Postfix's own reply text; 14 addresses (disabled mailbox
#     and alias, extensions, case, catch-all, alias domain) get exactly
#     the reply Postfix alone gave, and so do 7 SASL logins sending as
#     their own, an alias, a catch-all, another user's or a foreign
#     address; a SASL client sending as another
#     user gets 553 5.7.1 with exactly Postfix's own text (policyd in
#     smtpd_sender_restrictions with policy_context=sender);
#   - an SQL outage (the domain table renamed away) gives 4xx, never
#     550; once the table is back, the answers are right again;
#   - policyd stopped: Postfix's default action (4xx), never 5xx.
#
# Environment: abs_top_builddir, srcdir. Exit: 0 pass, 1 fail, 77 skip,
# 99 harness error.

set -u
LC_ALL=C.UTF-8
export LC_ALL

srcdir=${srcdir:-$(dirname "$0")}
abs_top_builddir=${abs_top_builddir:-$(cd ../.. && pwd)}
POLICYD=${POSTWARDEN_POLICYD:-$abs_top_builddir/policyd/postwarden-policyd}
AUTHD=${POSTWARDEN_AUTHD:-$abs_top_builddir/authd/postwarden-authd}
PW=${POSTWARDEN:-$abs_top_builddir/cli/postwarden}
for _p in "$POLICYD" "$AUTHD" "$PW"; do
	[ -x "$_p" ] || { echo "policyd_postfix.sh: $_p not built" >&2; exit 99; }
done
command -v sqlite3 >/dev/null ||
	{ echo "SKIP: sqlite3 not installed" >&2; exit 77; }

. "$srcdir/postfix.sh"

postfix_init
work=$POSTFIX_DIR/policyd
mkdir "$work" || exit 99
chmod 755 "$work"
policyd_pid=
authd_pid=
stop_pid() {
	if [ -n "$1" ] && kill -0 "$1" 2>/dev/null; then
		kill -TERM "$1"
		wait "$1" 2>/dev/null
	fi
}
cleanup() {
	stop_pid "$policyd_pid"
	stop_pid "$authd_pid"
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
		echo "FAIL: $1: expected [$2], got [$3]"
		fails=$((fails + 1))
	fi
}

# --- data --------------------------------------------------------------------
printf 'db_type = sqlite\ndb_path = %s/pfa.db\n' "$work" >"$work/pw.conf"
{
	"$PW" db init -c "$work/pw.conf" &&
		"$PW" domain add -c "$work/pw.conf" example.com &&
		"$PW" domain add -c "$work/pw.conf" example.org &&
		"$PW" domain add -c "$work/pw.conf" alias.example &&
		printf 'Alice-pw1\n' | "$PW" mailbox add -c "$work/pw.conf" \
			alice@example.com --password-stdin &&
		printf 'Bob-pw2\n' | "$PW" mailbox add -c "$work/pw.conf" \
			bob@example.com --password-stdin &&
		"$PW" alias add -c "$work/pw.conf" info@example.com \
			alice@example.com &&
		"$PW" alias add -c "$work/pw.conf" @example.org \
			alice@example.com &&
		printf 'Carol-pw3\n' | "$PW" mailbox add -c "$work/pw.conf" \
			carol@example.com --password-stdin &&
		"$PW" mailbox disable -c "$work/pw.conf" carol@example.com &&
		"$PW" alias add -c "$work/pw.conf" old@example.com \
			alice@example.com &&
		"$PW" alias disable -c "$work/pw.conf" old@example.com &&
		sqlite3 "$work/pfa.db" "INSERT INTO alias_domain
			(alias_domain, target_domain) VALUES
			('alias.example', 'example.com')"
} >"$work/cli.log" 2>&1 ||
	{ cat "$work/cli.log" >&2; echo "policyd_postfix.sh: data failed" >&2; exit 99; }
# smtpd (user postfix) reads the database in the reference run
chown -R postfix "$work"

# PostfixAdmin's own queries (DOCUMENTS/POSTFIX_CONF.txt), for SQLite
mkcf() {
	printf 'dbpath = %s/pfa.db\nquery = %s\n' "$work" "$2" >"$work/$1.cf"
}
mkcf domains "SELECT domain FROM domain WHERE domain='%s' AND active = '1'"
mkcf mailboxes "SELECT maildir FROM mailbox WHERE username='%s' AND active = '1'"
mkcf aliases "SELECT goto FROM alias WHERE address='%s' AND active = '1'"
mkcf ad_aliases "SELECT goto FROM alias,alias_domain WHERE alias_domain.alias_domain = '%d' and alias.address = '%u' || '@' || alias_domain.target_domain AND alias.active = 1 AND alias_domain.active='1'"
mkcf ad_catchall "SELECT goto FROM alias,alias_domain WHERE alias_domain.alias_domain = '%d' and alias.address = '@' || alias_domain.target_domain AND alias.active = 1 AND alias_domain.active='1'"
mkcf ad_mailboxes "SELECT maildir FROM mailbox,alias_domain WHERE alias_domain.alias_domain = '%d' and mailbox.username = '%u' || '@' || alias_domain.target_domain AND mailbox.active = 1 AND alias_domain.active='1'"
mkcf login "SELECT username FROM mailbox WHERE username='%s' AND active = 1 UNION SELECT goto FROM alias WHERE address='%s' AND active = '1'"
mkcf passdb "SELECT password FROM mailbox WHERE username='%s' AND active='1'"
ALIAS_MAPS="sqlite:$work/aliases.cf, sqlite:$work/ad_aliases.cf, sqlite:$work/ad_catchall.cf"
MAILBOX_MAPS="sqlite:$work/mailboxes.cf, sqlite:$work/ad_mailboxes.cf"

# --- daemons -----------------------------------------------------------------
AUTH_SOCK=$POSTFIX_QUEUE/private/auth
POLICY_SOCK=$POSTFIX_QUEUE/private/policyd

# wait_sock SOCK PID LOG - up to 5 s for a daemon's socket
wait_sock() {
	for _i in $(seq 1 50); do
		[ -S "$1" ] && return 0
		kill -0 "$2" 2>/dev/null || break
		sleep 0.1
	done
	cat "$3" >&2
	echo "policyd_postfix.sh: no socket $1" >&2
	exit 99
}

cat >"$work/authd.conf" <<EOF
authd_listen = unix:$AUTH_SOCK
authd_user =
authd_passdb = sqlite:$work/passdb.cf
authd_workers = 2
authd_failure_delay = 0
authd_penalty_base = 0
authd_penalty_max = 0
EOF
"$AUTHD" -f -c "$work/authd.conf" 2>>"$work/authd.log" &
authd_pid=$!
wait_sock "$AUTH_SOCK" "$authd_pid" "$work/authd.log"

# Postfix's chroot layout: private/policyd, owner postfix, mode 0660
# (the defaults, but the path is the instance's)
cat >"$work/policyd.conf" <<EOF
policyd_listen = unix:$POLICY_SOCK
policyd_user =
policyd_checks = recipient, sender
policyd_workers = 2
policyd_processes = 2
policyd_virtual_mailbox_domains = sqlite:$work/domains.cf
policyd_virtual_mailbox_maps = $MAILBOX_MAPS
policyd_virtual_alias_maps = $ALIAS_MAPS
policyd_sender_login_maps = sqlite:$work/login.cf
EOF
start_policyd() {
	"$POLICYD" -f -c "$work/policyd.conf" 2>>"$work/policyd.log" &
	policyd_pid=$!
	wait_sock "$POLICY_SOCK" "$policyd_pid" "$work/policyd.log"
}
start_policyd
check "socket owner postfix, mode 0660" "postfix srw-rw----" \
	"$(stat -c '%U %A' "$POLICY_SOCK")"

# --- SMTP --------------------------------------------------------------------
# rcpt_reply TO [SWAKS-ARGS...] - the whole reply to RCPT TO (or to the
# command that failed before it), without swaks' prefix
rcpt_reply() {
	_to=$1
	shift
	postfix_swaks --to "$_to" --from "${FROM:-sender@elsewhere.net}" \
		--quit-after RCPT "$@" >"$work/swaks.out"
	awk '/^ *-> RCPT TO/ { want = 1; next }
	     want && /^<[-*~ ]+[0-9][0-9][0-9] / { print; exit }' \
		"$work/swaks.out" | sed 's/^<[-*~ ]* //'
}
code() { printf '%s\n' "$1" | cut -c1-3; }

# sasl_reply LOGIN PASSWORD FROM - the reply to RCPT after AUTH PLAIN
sasl_reply() {
	FROM=$3 rcpt_reply bob@example.com --auth PLAIN --auth-user "$1" \
		--auth-password "$2"
}

postfix_param smtpd_sasl_auth_enable yes
postfix_param smtpd_sasl_type dovecot
postfix_param smtpd_sasl_path private/auth

# 1. Postfix alone: its own replies
postfix_param virtual_mailbox_domains "sqlite:$work/domains.cf"
postfix_param virtual_mailbox_maps "$MAILBOX_MAPS"
postfix_param virtual_alias_maps "$ALIAS_MAPS"
postfix_param smtpd_sender_login_maps "sqlite:$work/login.cf"
postfix_param smtpd_sender_restrictions reject_authenticated_sender_login_mismatch
# Postfix's default is none; policyd_recipient_delimiter's is "+"
postfix_param recipient_delimiter +
postfix_start
echo "== postfix on 127.0.0.1:$POSTFIX_PORT (reference: no policyd)"
ref_unknown=$(rcpt_reply nobody@example.com)
ref_mismatch=$(sasl_reply bob@example.com Bob-pw2 alice@example.com)
echo "postfix: $ref_unknown"
echo "postfix: $ref_mismatch"
check "reference: unknown recipient 550" 550 "$(code "$ref_unknown")"
check "reference: login mismatch 553" 553 "$(code "$ref_mismatch")"
check "reference: alias domain accepted" 250 \
	"$(code "$(rcpt_reply bob@alias.example)")"
# Postfix's own reply for each of these, to compare with policyd's
ADDRS="alice@example.com Alice@EXAMPLE.com info@example.com
	whoever@example.org alice+lists@example.com bob@alias.example
	alice+x@alias.example nobody@example.com nobody+alice@example.com
	alice+@example.com nobody@alias.example carol@example.com
	old@example.com info+x@example.com"
declare -A ref
for a in $ADDRS; do
	ref[$a]=$(rcpt_reply "$a")
	echo "postfix: RCPT $a: ${ref[$a]}"
	[ -n "${ref[$a]}" ] ||
		{ cat "$work/swaks.out"; echo "policyd_postfix.sh: no reply" >&2; exit 99; }
done
# ... and for these SASL logins (password) sending as MAIL FROM
SENDS="alice:Alice-pw1:alice+tag@example.com alice:Alice-pw1:info@example.com
	bob:Bob-pw2:info@example.com bob:Bob-pw2:x@elsewhere.net
	alice:Alice-pw1:whoever@example.org bob:Bob-pw2:Bob@EXAMPLE.com
	bob:Bob-pw2:alice@alias.example"
declare -A ref_s
for t in $SENDS; do
	IFS=: read -r _l _p _f <<<"$t"
	ref_s[$t]=$(sasl_reply "$_l@example.com" "$_p" "$_f")
	echo "postfix: $_l as $_f: ${ref_s[$t]}"
	[ -n "${ref_s[$t]}" ] ||
		{ cat "$work/swaks.out"; echo "policyd_postfix.sh: no reply" >&2; exit 99; }
done

# 2. The domains only as relay domains; policyd decides
postfix_param virtual_mailbox_domains ""
postfix_param virtual_mailbox_maps ""
postfix_param virtual_alias_maps ""
postfix_param smtpd_sender_login_maps ""
# a static list: the outage below is policyd's, not trivial-rewrite's
postfix_param relay_domains "example.com, example.org, alias.example"
postfix_param smtpd_sender_restrictions \
	"check_policy_service { unix:private/policyd, policy_context=sender }"
postfix_param smtpd_recipient_restrictions \
	"reject_unauth_destination, check_policy_service { unix:private/policyd, policy_context=recipient }"
"$POSTFIX_CMD" -c "$POSTFIX_CONF" reload >/dev/null 2>&1
sleep 1
echo "== postfix with check_policy_service unix:private/policyd"
check "known recipient 250" 250 "$(code "$(rcpt_reply alice@example.com)")"
check "upper-case recipient 250" 250 \
	"$(code "$(rcpt_reply Alice@EXAMPLE.com)")"
check "alias 250" 250 "$(code "$(rcpt_reply info@example.com)")"
check "catch-all 250" 250 "$(code "$(rcpt_reply whoever@example.org)")"
check "user+ext 250" 250 "$(code "$(rcpt_reply alice+lists@example.com)")"
check "alias domain 250" 250 "$(code "$(rcpt_reply bob@alias.example)")"
check "alias domain + ext 250" 250 \
	"$(code "$(rcpt_reply alice+x@alias.example)")"
got=$(rcpt_reply nobody@example.com)
check "unknown recipient: Postfix's own reply" "$ref_unknown" "$got"
for a in $ADDRS; do
	check "same reply as Postfix alone: $a" "${ref[$a]}" \
		"$(rcpt_reply "$a")"
done
check "unknown at an alias domain 550" 550 \
	"$(code "$(rcpt_reply nobody@alias.example)")"
check "other domains: relay denied, not ours" 554 \
	"$(code "$(rcpt_reply x@elsewhere.net)")"
check "SASL: own address 250" 250 \
	"$(code "$(sasl_reply alice@example.com Alice-pw1 alice@example.com)")"
check "SASL: alias owned 250" 250 \
	"$(code "$(sasl_reply alice@example.com Alice-pw1 info@example.com)")"
got=$(sasl_reply bob@example.com Bob-pw2 alice@example.com)
check "SASL: login mismatch: Postfix's own reply" "$ref_mismatch" "$got"
for t in $SENDS; do
	IFS=: read -r _l _p _f <<<"$t"
	check "same reply as Postfix alone: $_l as $_f" "${ref_s[$t]}" \
		"$(sasl_reply "$_l@example.com" "$_p" "$_f")"
done
decided=$(grep -c 'policyd: decided:' "$work/policyd.log")
[ "$decided" -ge 13 ]
check "policyd logged its decisions" 0 $?

# 3. SQL outage: 4xx, never 550
sqlite3 "$work/pfa.db" "ALTER TABLE domain RENAME TO domain_away" || exit 99
got=$(rcpt_reply nobody@example.com)
echo "outage: $got"
check "outage: unknown recipient 451 4.3.0" "451 4.3.0" \
	"$(printf '%s' "$got" | cut -c1-9)"
got=$(rcpt_reply alice@example.com)
check "outage: known recipient 4xx" 4 "$(printf '%s' "$got" | cut -c1)"
got=$(sasl_reply bob@example.com Bob-pw2 bob@example.com)
check "outage: SASL sender check not 5xx" no \
	"$(case $got in 5*) echo yes ;; *) echo no ;; esac)"
sqlite3 "$work/pfa.db" "ALTER TABLE domain_away RENAME TO domain" || exit 99
got=$(rcpt_reply nobody@example.com)
check "back: unknown recipient 550 again" 550 "$(code "$got")"
[ -n "$got" ] || cat "$work/swaks.out"
check "back: known recipient 250" 250 \
	"$(code "$(rcpt_reply alice@example.com)")"

# 4. policyd gone: Postfix's default action, never 5xx
kill -TERM "$policyd_pid"
wait "$policyd_pid"
check "policyd exits 0 on SIGTERM" 0 $?
policyd_pid=
check "policyd drained on SIGTERM (2 workers, the supervisor)" 3 \
	"$(grep -c '^policyd: stopped' "$work/policyd.log")"
got=$(rcpt_reply nobody@example.com)
echo "no policyd: $got"
check "no policyd: 4xx" 4 "$(printf '%s' "$got" | cut -c1)"
start_policyd
# smtpd reconnects (after its retry) on the next request
sleep 1
check "restarted: unknown recipient 550" 550 \
	"$(code "$(rcpt_reply nobody@example.com)")"

check "no sanitizer reports" 0 \
	"$(cat "$work/policyd.log" | grep -c 'runtime error:\|Sanitizer')"
if grep -q 'Alice-pw1\|Bob-pw2' "$work/policyd.log" "$work/authd.log"; then
	check "no password in the logs" clean dirty
fi
echo "policyd_postfix.sh: $checks checks, $fails failed"
[ $fails = 0 ]
