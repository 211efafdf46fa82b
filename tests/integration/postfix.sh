# postfix.sh - a private Postfix instance for integration tests (sourced).
#
#   . "$srcdir/postfix.sh"
#   postfix_init                    # exits 77 (skip) without postfix/swaks
#   postfix_param smtpd_sasl_auth_enable yes   # main.cf, as postconf -e
#   postfix_smtpd_option smtpd_tls_auth_only=yes  # -o on the smtpd line
#   postfix_service 'name unix - - n - - spawn ...'  # extra master.cf line
#   postfix_start                   # starts master, waits for the port
#   postfix_swaks --quit-after EHLO  # swaks pointed at the instance
#   postfix_stop                    # also run by the EXIT trap
#
# postfix_init makes a temporary directory holding everything the
# instance uses (nothing under /etc/postfix or /var/spool/postfix is
# read for writing, the machine's own Postfix is never touched):
#
#   POSTFIX_DIR     the temporary directory (removed by postfix_stop)
#   POSTFIX_CONF    config directory: main.cf, master.cf (postfix -c)
#   POSTFIX_QUEUE   queue_directory; daemons chdir here, so a
#                   smtpd_sasl_path of private/auth is
#                   $POSTFIX_QUEUE/private/auth
#   POSTFIX_PORT    smtpd's port on 127.0.0.1 (free when chosen)
#   POSTFIX_CERT    self-signed test certificate (PEM) and its key,
#   POSTFIX_KEY     CN mail.pwtest.invalid, used for STARTTLS
#   POSTFIX_LOG     the instance's log file (maillog_file, via postlogd)
#   POSTFIX_MASTER_PID  master's process ID once started
#
# No chroot: every service in the generated master.cf has "n" in the
# chroot column, so daemons see the real file system (test databases,
# .cf files, unix sockets given as absolute paths) and no copies of
# /etc files are needed inside the queue directory. smtpd still chdirs
# to the queue directory, so relative socket paths such as
# smtpd_sasl_path = private/auth work as in a chrooted production setup;
# put such sockets in $POSTFIX_QUEUE/private (owned by postfix, mode 0700
# like Postfix's own: a socket there must belong to the postfix user or
# group, or the daemon serving it must run as root).
#
# Mail is never delivered: every transport is discard: unless the caller
# sets another one with postfix_param. smtpd runs as the postfix user
# (mail_owner), so files it reads after start-up (SQLite databases) must
# be readable by that user; postfix_init makes POSTFIX_DIR world-
# searchable for that. Root is required (Postfix's master runs as root).
#
# A script that needs more cleanup sets its own EXIT trap after
# postfix_init and calls postfix_stop from it.

POSTFIX_DIR=
POSTFIX_MASTER_PID=
POSTFIX_SMTPD_OPTS=

# postfix_skip - a missing tool: skip the whole test (automake: 77)
postfix_skip() {
	echo "SKIP: $1" >&2
	exit 77
}

# postfix_free_port - a TCP port on 127.0.0.1 nobody listens on now
postfix_free_port() {
	python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

# postfix_init - check the tools, make the directory, certificate, config
postfix_init() {
	[ "$(id -u)" = 0 ] ||
		postfix_skip "a private Postfix instance needs root"
	command -v postfix >/dev/null 2>&1 || [ -x /usr/sbin/postfix ] ||
		postfix_skip "postfix not installed (apt-get install postfix)"
	command -v swaks >/dev/null 2>&1 ||
		postfix_skip "swaks not installed (apt-get install swaks)"
	command -v openssl >/dev/null 2>&1 ||
		postfix_skip "openssl not installed"
	command -v python3 >/dev/null 2>&1 ||
		postfix_skip "python3 not installed"
	POSTFIX_CMD=$(command -v postfix 2>/dev/null || echo /usr/sbin/postfix)
	POSTCONF_CMD=$(command -v postconf 2>/dev/null || echo /usr/sbin/postconf)
	id postfix >/dev/null 2>&1 ||
		postfix_skip "no postfix user (install the postfix package)"
	getent group postdrop >/dev/null 2>&1 ||
		postfix_skip "no postdrop group (install the postfix package)"

	# Unix socket paths are limited to about 107 bytes: keep it short.
	POSTFIX_DIR=$(mktemp -d "${POSTFIX_TMPDIR:-/tmp}/pwpf.XXXXXX") ||
		{ echo "postfix.sh: mktemp failed" >&2; exit 99; }
	trap postfix_stop EXIT
	trap 'exit 130' INT TERM HUP
	chmod 755 "$POSTFIX_DIR"
	POSTFIX_CONF=$POSTFIX_DIR/conf
	POSTFIX_QUEUE=$POSTFIX_DIR/queue
	POSTFIX_LOG=$POSTFIX_DIR/maillog
	POSTFIX_CERT=$POSTFIX_DIR/cert.pem
	POSTFIX_KEY=$POSTFIX_DIR/key.pem
	mkdir "$POSTFIX_CONF" "$POSTFIX_QUEUE" "$POSTFIX_DIR/data" ||
		exit 99
	chown postfix "$POSTFIX_DIR/data" || exit 99
	# private/ as Postfix makes it, so that a test can put a socket
	# there (smtpd_sasl_path = private/auth) before postfix_start
	mkdir -m 700 "$POSTFIX_QUEUE/private" &&
		chown postfix "$POSTFIX_QUEUE/private" || exit 99
	: >"$POSTFIX_LOG"

	if ! openssl req -x509 -newkey rsa:2048 -nodes -days 2 \
		-subj "/CN=mail.pwtest.invalid" \
		-keyout "$POSTFIX_KEY" -out "$POSTFIX_CERT" \
		>"$POSTFIX_DIR/openssl.log" 2>&1; then
		cat "$POSTFIX_DIR/openssl.log" >&2
		echo "postfix.sh: making the test certificate failed" >&2
		exit 99
	fi
	chmod 600 "$POSTFIX_KEY"

	POSTFIX_PORT=$(postfix_free_port) ||
		{ echo "postfix.sh: no free port" >&2; exit 99; }

	cat >"$POSTFIX_CONF/main.cf" <<EOF
# Private test instance (tests/integration/postfix.sh).
compatibility_level = 3.6
config_directory = $POSTFIX_CONF
queue_directory = $POSTFIX_QUEUE
data_directory = $POSTFIX_DIR/data
mail_owner = postfix
setgid_group = postdrop
maillog_file = $POSTFIX_LOG
maillog_file_prefixes = $POSTFIX_DIR
inet_interfaces = loopback-only
inet_protocols = ipv4
myhostname = mail.pwtest.invalid
mydomain = pwtest.invalid
myorigin = \$myhostname
mydestination =
mynetworks = 127.0.0.0/8
relayhost =
alias_maps =
alias_database =
biff = no
smtpd_peername_lookup = no
smtpd_banner = \$myhostname ESMTP
default_transport = discard:test instance
relay_transport = discard:test instance
local_transport = discard:test instance
virtual_transport = discard:test instance
smtpd_tls_security_level = may
smtpd_tls_cert_file = $POSTFIX_CERT
smtpd_tls_key_file = $POSTFIX_KEY
smtpd_tls_loglevel = 1
smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated,
	reject_unauth_destination
EOF
	# postfix_param lines are appended: the last value of a name wins.
}

# postfix_param NAME VALUE - set a main.cf parameter
postfix_param() {
	"$POSTCONF_CMD" -c "$POSTFIX_CONF" -e "$1 = $2" ||
		{ echo "postfix.sh: postconf -e $1 failed" >&2; exit 99; }
}

# postfix_smtpd_option NAME=VALUE - add "-o NAME=VALUE" to the smtpd
# service (before postfix_start; values must not hold white space)
postfix_smtpd_option() {
	POSTFIX_SMTPD_OPTS="$POSTFIX_SMTPD_OPTS
  -o $1"
}

# postfix_service LINE - append a master.cf service line (before start)
postfix_service() {
	printf '%s\n' "$1" >>"$POSTFIX_DIR/master.extra"
}

# postfix_write_master - the generated master.cf: all chroot "n"
postfix_write_master() {
	cat >"$POSTFIX_CONF/master.cf" <<EOF
# service type  private unpriv  chroot  wakeup  maxproc command + args
127.0.0.1:$POSTFIX_PORT inet n - n - - smtpd$POSTFIX_SMTPD_OPTS
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
	if [ -f "$POSTFIX_DIR/master.extra" ]; then
		cat "$POSTFIX_DIR/master.extra" >>"$POSTFIX_CONF/master.cf"
	fi
}

# postfix_start - write master.cf, start master, wait for the banner
postfix_start() {
	postfix_write_master
	if ! "$POSTFIX_CMD" -c "$POSTFIX_CONF" start \
		>"$POSTFIX_DIR/start.log" 2>&1; then
		cat "$POSTFIX_DIR/start.log" "$POSTFIX_LOG" >&2
		echo "postfix.sh: postfix start failed" >&2
		exit 99
	fi
	_n=0
	while [ $_n -lt 100 ]; do
		if [ -s "$POSTFIX_QUEUE/pid/master.pid" ]; then
			POSTFIX_MASTER_PID=$(sed -n '1s/[^0-9]//gp' \
				"$POSTFIX_QUEUE/pid/master.pid")
			[ -n "$POSTFIX_MASTER_PID" ] && break
		fi
		sleep 0.1
		_n=$((_n + 1))
	done
	[ -n "$POSTFIX_MASTER_PID" ] ||
		{ echo "postfix.sh: no master.pid" >&2; exit 99; }
	# Up to 10 s for smtpd to answer with its banner.
	_n=0
	while [ $_n -lt 50 ]; do
		if postfix_banner_ok; then
			export POSTFIX_DIR POSTFIX_CONF POSTFIX_QUEUE POSTFIX_PORT \
				POSTFIX_CERT POSTFIX_KEY POSTFIX_LOG \
				POSTFIX_MASTER_PID
			return 0
		fi
		sleep 0.2
		_n=$((_n + 1))
	done
	tail -n 30 "$POSTFIX_LOG" >&2
	echo "postfix.sh: smtpd on 127.0.0.1:$POSTFIX_PORT does not answer" >&2
	exit 99
}

# postfix_banner_ok - does smtpd answer 220 on the port?
postfix_banner_ok() {
	python3 - "$POSTFIX_PORT" <<'EOF' 2>/dev/null
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=2)
ok = s.recv(512).startswith(b"220")
s.sendall(b"QUIT\r\n")
s.close()
sys.exit(0 if ok else 1)
EOF
}

# postfix_swaks ARGS... - swaks against the instance (from a loopback
# address, with a short timeout); prints the transcript
postfix_swaks() {
	swaks --server 127.0.0.1 --port "$POSTFIX_PORT" \
		--helo client.pwtest.invalid --timeout 20 "$@" 2>&1
}

# postfix_stop - stop our instance (postfix stop, then its master by PID),
# remove the temporary directory
postfix_stop() {
	if [ -n "$POSTFIX_DIR" ] && [ -f "$POSTFIX_CONF/main.cf" ] &&
		[ -n "$POSTFIX_MASTER_PID" ]; then
		"$POSTFIX_CMD" -c "$POSTFIX_CONF" stop >/dev/null 2>&1
		_n=0
		while [ $_n -lt 100 ] &&
			kill -0 "$POSTFIX_MASTER_PID" 2>/dev/null; do
			sleep 0.1
			_n=$((_n + 1))
		done
		kill -0 "$POSTFIX_MASTER_PID" 2>/dev/null &&
			kill -9 "$POSTFIX_MASTER_PID" 2>/dev/null
	fi
	POSTFIX_MASTER_PID=
	if [ -n "$POSTFIX_DIR" ] && [ -d "$POSTFIX_DIR" ]; then
		rm -rf "$POSTFIX_DIR"
	fi
	POSTFIX_DIR=
}
