# mariadb.sh - a private MariaDB server for integration tests (sourced).
#
#   . "$srcdir/mariadb.sh"
#   mariadb_start            # exits 77 (skip) when MariaDB is not installed
#   mariadb_sql "SELECT 1"   # as the test user, in the test database
#   mariadb_stop             # also run by the EXIT trap mariadb_start sets
#
# mariadb_start creates a data directory in a new temporary directory,
# starts the server there on a unix socket and on a free TCP port on
# 127.0.0.1 (never another address), waits until it answers (bounded),
# then creates a database and a user with a password, and exports:
#
#   MARIADB_DIR       the temporary directory (removed by mariadb_stop)
#   MARIADB_SOCKET    unix socket path
#   MARIADB_PORT      TCP port on 127.0.0.1
#   MARIADB_USER      test user, allowed from localhost and 127.0.0.1
#   MARIADB_PASSWORD  its password
#   MARIADB_DB        test database
#   MARIADB_PID       server process ID
#
# A script that needs more cleanup sets its own EXIT trap after
# mariadb_start and calls mariadb_stop from it.

MARIADB_USER=pwtest
MARIADB_PASSWORD='pw-t3st.S3cret'
MARIADB_DB=pwtest
MARIADB_PID=
MARIADB_DIR=

# mariadb_find_prog - first of the names found in PATH or the sbin dirs
mariadb_find_prog() {
	for _p in "$@"; do
		for _d in $(printf '%s' "$PATH" | tr ':' ' ') /usr/sbin /usr/libexec \
			/usr/local/sbin /usr/local/bin /usr/bin /sbin; do
			if [ -x "$_d/$_p" ] && [ ! -d "$_d/$_p" ]; then
				printf '%s\n' "$_d/$_p"
				return 0
			fi
		done
	done
	return 1
}

# mariadb_free_port - a TCP port on 127.0.0.1 nobody listens on now
mariadb_free_port() {
	if command -v python3 >/dev/null 2>&1; then
		python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()' && return 0
	fi
	# No python: a port from the pid and the clock, checked with ss.
	_port=$(( 20000 + ($$ * 7 + $(date +%S) * 131) % 30000 ))
	_n=0
	while [ $_n -lt 50 ]; do
		if ! command -v ss >/dev/null 2>&1 ||
			! ss -ltnH "sport = :$_port" 2>/dev/null | grep -q .; then
			echo "$_port"
			return 0
		fi
		_port=$(( _port + 1 ))
		_n=$(( _n + 1 ))
	done
	return 1
}

# mariadb_root_sql - run SQL as the server's root user over the socket
mariadb_root_sql() {
	"$MARIADB_CLIENT" --no-defaults --protocol=socket -S "$MARIADB_SOCKET" \
		-uroot --batch --skip-column-names -e "$1"
}

# mariadb_sql - run SQL as the test user in the test database
mariadb_sql() {
	"$MARIADB_CLIENT" --no-defaults --protocol=socket -S "$MARIADB_SOCKET" \
		-u"$MARIADB_USER" -p"$MARIADB_PASSWORD" --batch \
		--skip-column-names --default-character-set=utf8mb4 \
		"$MARIADB_DB" -e "$1"
}

# mariadb_client_built - was $POSTWARDEN built with MySQL support?
mariadb_client_built() {
	"${POSTWARDEN:-postwarden}" --version 2>/dev/null |
		grep -q '^backends:.* mysql'
}

# mariadb_skip - no server here: skip the whole test (automake: 77)
mariadb_skip() {
	echo "SKIP: $1" >&2
	exit 77
}

# mariadb_start - install a private data dir, start, wait, create db/user
mariadb_start() {
	MARIADB_INSTALL_DB=$(mariadb_find_prog mariadb-install-db \
		mysql_install_db) ||
		mariadb_skip "mariadb-install-db not found (apt-get install mariadb-server)"
	MARIADB_SERVER=$(mariadb_find_prog mariadbd mysqld) ||
		mariadb_skip "mariadbd/mysqld not found (apt-get install mariadb-server)"
	MARIADB_CLIENT=$(mariadb_find_prog mariadb mysql) ||
		mariadb_skip "mariadb client not found (apt-get install mariadb-client)"

	# Unix socket paths are limited to about 107 bytes: keep it short.
	MARIADB_DIR=$(mktemp -d "${MARIADB_TMPDIR:-/tmp}/pwdb.XXXXXX") ||
		{ echo "mariadb.sh: mktemp failed" >&2; exit 99; }
	MARIADB_SOCKET=$MARIADB_DIR/mysqld.sock
	trap mariadb_stop EXIT
	trap 'exit 130' INT TERM HUP

	_user_opt=
	[ "$(id -u)" = 0 ] && _user_opt=--user=root

	if ! "$MARIADB_INSTALL_DB" --no-defaults \
		--auth-root-authentication-method=normal \
		--datadir="$MARIADB_DIR/data" $_user_opt --skip-test-db \
		>"$MARIADB_DIR/install.log" 2>&1; then
		cat "$MARIADB_DIR/install.log" >&2
		echo "mariadb.sh: $MARIADB_INSTALL_DB failed" >&2
		exit 99
	fi

	_try=0
	while [ $_try -lt 3 ]; do
		_try=$(( _try + 1 ))
		MARIADB_PORT=$(mariadb_free_port) ||
			{ echo "mariadb.sh: no free port" >&2; exit 99; }
		"$MARIADB_SERVER" --no-defaults $_user_opt \
			--datadir="$MARIADB_DIR/data" \
			--socket="$MARIADB_SOCKET" \
			--pid-file="$MARIADB_DIR/mysqld.pid" \
			--log-error="$MARIADB_DIR/error.log" \
			--bind-address=127.0.0.1 --port="$MARIADB_PORT" \
			--skip-name-resolve --skip-log-bin \
			--character-set-server=utf8mb4 \
			--collation-server=utf8mb4_general_ci \
			--innodb-buffer-pool-size=16M \
			--innodb-log-file-size=8M \
			--max-connections=200 \
			</dev/null >"$MARIADB_DIR/stdout.log" 2>&1 &
		MARIADB_PID=$!
		# Up to 60 s for the server to answer on its socket.
		_n=0
		while [ $_n -lt 240 ]; do
			if ! kill -0 "$MARIADB_PID" 2>/dev/null; then
				break
			fi
			if mariadb_root_sql "SELECT 1" >/dev/null 2>&1; then
				break
			fi
			sleep 0.25
			_n=$(( _n + 1 ))
		done
		if kill -0 "$MARIADB_PID" 2>/dev/null &&
			mariadb_root_sql "SELECT 1" >/dev/null 2>&1; then
			break
		fi
		if kill -0 "$MARIADB_PID" 2>/dev/null; then
			kill "$MARIADB_PID" 2>/dev/null
			wait "$MARIADB_PID" 2>/dev/null
		fi
		MARIADB_PID=
		# Lost a race for the port: try another one.
		grep -q "already in use" "$MARIADB_DIR/error.log" 2>/dev/null ||
			break
	done
	if [ -z "$MARIADB_PID" ]; then
		tail -n 30 "$MARIADB_DIR/error.log" >&2 2>/dev/null
		echo "mariadb.sh: server did not start" >&2
		exit 99
	fi

	mariadb_root_sql "
		CREATE DATABASE $MARIADB_DB CHARACTER SET utf8mb4;
		CREATE USER '$MARIADB_USER'@'localhost'
			IDENTIFIED BY '$MARIADB_PASSWORD';
		CREATE USER '$MARIADB_USER'@'127.0.0.1'
			IDENTIFIED BY '$MARIADB_PASSWORD';
		GRANT ALL ON $MARIADB_DB.* TO '$MARIADB_USER'@'localhost';
		GRANT ALL ON $MARIADB_DB.* TO '$MARIADB_USER'@'127.0.0.1';
		FLUSH PRIVILEGES;" ||
		{ echo "mariadb.sh: creating the test user failed" >&2; exit 99; }
	export MARIADB_DIR MARIADB_SOCKET MARIADB_PORT MARIADB_USER \
		MARIADB_PASSWORD MARIADB_DB MARIADB_PID MARIADB_CLIENT
}

# mariadb_pause - stop our server by PID (bounded), keeping its data,
# socket path and port for mariadb_resume (an outage in a test)
mariadb_pause() {
	[ -n "$MARIADB_PID" ] && kill -0 "$MARIADB_PID" 2>/dev/null ||
		{ echo "mariadb.sh: no server to pause" >&2; exit 99; }
	mapfile -d '' MARIADB_CMD <"/proc/$MARIADB_PID/cmdline"
	kill "$MARIADB_PID" 2>/dev/null
	_n=0
	while [ $_n -lt 120 ] && kill -0 "$MARIADB_PID" 2>/dev/null; do
		sleep 0.25
		_n=$(( _n + 1 ))
	done
	kill -0 "$MARIADB_PID" 2>/dev/null && kill -9 "$MARIADB_PID" 2>/dev/null
	wait "$MARIADB_PID" 2>/dev/null
	MARIADB_PID=
}

# mariadb_resume - start the paused server again, the same way; it
# inherits no descriptor above 2 (a test's coprocess pipes stay theirs)
mariadb_resume() {
	[ "${#MARIADB_CMD[@]}" -gt 0 ] ||
		{ echo "mariadb.sh: nothing paused" >&2; exit 99; }
	(
		for _fd in /proc/$BASHPID/fd/*; do
			_fd=${_fd##*/}
			[ "$_fd" -gt 2 ] 2>/dev/null && eval "exec $_fd>&-"
		done
		exec "${MARIADB_CMD[@]}"
	) </dev/null >>"$MARIADB_DIR/stdout.log" 2>&1 &
	MARIADB_PID=$!
	_n=0
	while [ $_n -lt 240 ]; do
		mariadb_root_sql "SELECT 1" >/dev/null 2>&1 && return 0
		kill -0 "$MARIADB_PID" 2>/dev/null || break
		sleep 0.25
		_n=$(( _n + 1 ))
	done
	tail -n 30 "$MARIADB_DIR/error.log" >&2 2>/dev/null
	echo "mariadb.sh: server did not start again" >&2
	exit 99
}

# mariadb_stop - stop our server by PID (bounded), remove the temp dir
mariadb_stop() {
	if [ -n "$MARIADB_PID" ] && kill -0 "$MARIADB_PID" 2>/dev/null; then
		kill "$MARIADB_PID" 2>/dev/null
		_n=0
		while [ $_n -lt 120 ] && kill -0 "$MARIADB_PID" 2>/dev/null; do
			sleep 0.25
			_n=$(( _n + 1 ))
		done
		kill -0 "$MARIADB_PID" 2>/dev/null &&
			kill -9 "$MARIADB_PID" 2>/dev/null
		wait "$MARIADB_PID" 2>/dev/null
	fi
	MARIADB_PID=
	if [ -n "$MARIADB_DIR" ] && [ -d "$MARIADB_DIR" ]; then
		rm -rf "$MARIADB_DIR"
	fi
	MARIADB_DIR=
}
