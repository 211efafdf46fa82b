#!/bin/sh
# demo.sh - the main job on the embedded default: an SQLite database made
# with the admin CLI, demo data, and the Postfix lookups a virtual-domain
# mail server makes, answered by `postwarden query` next to the real
# `postmap -q` on the same .cf files.
#
# Usage: contrib/demo.sh [DEMO_DIR]   (default: build/demo in the tree)
# Run it from a built tree (./configure && make).
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
if [ $have_postmap = yes ]; then
	echo "answers that differ from postmap -q: $mismatch"
	[ $mismatch = 0 ]
fi
