#!/bin/sh
# demo.sh - the main job on the embedded default: an SQLite database made
# with the admin CLI, demo data, and the Postfix lookups a virtual-domain
# mail server makes, answered by `postwarden query` next to the real
# `postmap -q` on the same .cf files. Then (as root, with postfix and
# swaks installed) a private Postfix instance on a loopback port, with
# postwarden-authd for SASL on the same database: AUTH after STARTTLS
# with a right and a wrong password, and recipients checked by
# virtual_mailbox_maps (sqlite: .cf files) from that database.
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

# --- SMTP AUTH and recipient checks against a private Postfix --------------
authd=${POSTWARDEN_AUTHD:-$top/authd/postwarden-authd}
skip=
if [ "$(id -u)" != 0 ]; then
	skip="not root"
elif ! command -v swaks >/dev/null 2>&1; then
	skip="swaks not installed"
elif ! command -v postfix >/dev/null 2>&1 && [ ! -x /usr/sbin/postfix ]; then
	skip="postfix not installed"
elif [ ! -x "$authd" ]; then
	skip="$authd not built"
fi
if [ -n "$skip" ]; then
	echo
	echo "== Postfix + authd part skipped: $skip"
	exit $status
fi

set +e
# The harness the integration tests use: POSTFIX_DIR, POSTFIX_QUEUE,
# POSTFIX_PORT, postfix_param, postfix_start, postfix_swaks, postfix_stop.
. "$top/tests/integration/postfix.sh"
authd_pid=
stop_all() {
	if [ -n "$authd_pid" ] && kill -0 "$authd_pid" 2>/dev/null; then
		kill -TERM "$authd_pid"
		wait "$authd_pid" 2>/dev/null
	fi
	authd_pid=
	postfix_stop
}
postfix_init
trap stop_all EXIT

# authd: the Postfix-style passdb table on the demo database, its socket
# where smtpd_sasl_path = private/auth finds it (inside the queue dir).
sock=$POSTFIX_QUEUE/private/auth
cf passdb "SELECT password FROM mailbox WHERE username='%s' AND active = '1'"
cat >"$demo/authd.conf" <<EOF
# Demo configuration for postwarden-authd (see postwarden-authd(8)).
authd_listen = unix:$sock
authd_listen_owner = postfix
authd_listen_group = postfix
authd_listen_mode = 0660
authd_user =
authd_passdb = sqlite:$demo/postfix/sql/passdb.cf
authd_failure_delay = 1s
EOF
"$authd" -f -c "$demo/authd.conf" 2>"$demo/authd.log" &
authd_pid=$!
n=0
while [ ! -S "$sock" ] && [ $n -lt 50 ] && kill -0 "$authd_pid" 2>/dev/null; do
	sleep 0.1
	n=$((n + 1))
done
if [ ! -S "$sock" ]; then
	cat "$demo/authd.log" >&2
	echo "demo.sh: postwarden-authd did not start" >&2
	exit 1
fi

sql=$demo/postfix/sql
postfix_param smtpd_sasl_auth_enable yes
postfix_param smtpd_sasl_type dovecot
postfix_param smtpd_sasl_path private/auth
postfix_param smtpd_tls_auth_only yes
postfix_param virtual_mailbox_domains "sqlite:$sql/virtual_mailbox_domains.cf"
postfix_param virtual_mailbox_maps "sqlite:$sql/virtual_mailbox_maps.cf"
postfix_param virtual_alias_maps "sqlite:$sql/virtual_alias_maps.cf"
postfix_start

echo
echo "== Postfix smtpd on 127.0.0.1:$POSTFIX_PORT (STARTTLS, smtpd_tls_auth_only),"
echo "   postwarden-authd on $sock, both on $demo/postwarden.db"
# reply_to CMD - the reply code to the first SMTP command CMD in swaks.out
reply_to() {
	awk -v cmd="$1" '
		found && /^<[-~*][* ] *[0-9][0-9][0-9][ -]/ {
			sub(/^<[-~*][* ] */, ""); print substr($0, 1, 3); exit }
		$0 ~ "^ [-~]> " cmd { found = 1 }' "$demo/swaks.out"
}
demo_fails=0
# demo_check WHAT EXPECTED GOT
demo_check() {
	if [ "$2" = "$3" ]; then
		printf '  ok    %-48s %s\n' "$1" "$3"
	else
		printf '  FAIL  %-48s %s (expected %s)\n' "$1" "${3:-none}" "$2"
		demo_fails=$((demo_fails + 1))
	fi
}
postfix_swaks --quit-after EHLO >"$demo/swaks.out"
demo_check "EHLO before STARTTLS: no AUTH offered" 0 \
	"$(grep -c 'AUTH' "$demo/swaks.out")"
postfix_swaks -tls --auth PLAIN --auth-user alice@example.com \
	--auth-password demo-alice-password --quit-after AUTH >"$demo/swaks.out"
demo_check "AUTH PLAIN alice@example.com, right password" 235 \
	"$(reply_to AUTH)"
postfix_swaks -tls --auth PLAIN --auth-user alice@example.com \
	--auth-password not-her-password --quit-after AUTH >"$demo/swaks.out"
demo_check "AUTH PLAIN alice@example.com, wrong password" 535 \
	"$(reply_to AUTH)"
for rcpt in bob@example.com sales@example.com nobody@example.com; do
	postfix_swaks --from someone@example.org --to "$rcpt" \
		--quit-after RCPT >"$demo/swaks.out"
	case $rcpt in
	nobody@*) want=550 ;;
	*) want=250 ;;
	esac
	demo_check "RCPT TO:<$rcpt>" $want "$(reply_to 'RCPT TO')"
done
grep 'reject: RCPT' "$POSTFIX_LOG" | sed 's/^.*: reject: /  smtpd: reject: /'
echo "  (swaks transcripts: $demo/swaks.out is the last; authd log: $demo/authd.log)"
if [ $demo_fails != 0 ]; then
	echo "demo.sh: $demo_fails Postfix checks failed"
	status=1
else
	echo "all Postfix checks passed"
fi
exit $status
