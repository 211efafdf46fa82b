# nsd.sh - a private authoritative DNS server (NSD) for tests (sourced).
#
#   . "$srcdir/nsd.sh"
#   nsd_init                  # exits 77 (skip) when nsd is not installed
#   nsd_add_zone example.org <<EOF
#   www  A    198.18.0.1
#   @    TXT  "v=spf1 -all"
#   EOF
#   nsd_start                 # serves the zones, waits until it answers
#   "$PROBE" -s "$(nsd_servers)" ...
#   nsd_pause / nsd_resume    # SIGSTOP/SIGCONT: a server that is silent
#   nsd_stop                  # also run by the EXIT trap nsd_init sets
#
# nsd_init makes a temporary directory (NSD_DIR) and picks a free UDP and
# TCP port on 127.0.0.1 (NSD_PORT). nsd_add_zone writes a zone file from
# its standard input with an SOA and an NS record put in front; an empty
# root zone is always served, so names outside the test zones get
# NXDOMAIN instead of REFUSED. The server runs in the foreground (-d) as
# the calling user with its own config, database, pid and log files in
# NSD_DIR, answer rate limiting off (rrl-ratelimit: 0), and never reads or
# writes /etc/nsd or the system's state.
#
#   NSD_DIR   the temporary directory (removed by nsd_stop)
#   NSD_ADDR  127.0.0.1
#   NSD_PORT  its port
#   NSD_PID   the server's main process ID
#
# Set NSD_EXTRA_ADDR (a 127.x.y.z address) before nsd_start to serve on
# port 53 of that address too, for clients that cannot be given a port
# (resolv.conf); binding port 53 needs root.
#
# A script that needs more cleanup sets its own EXIT trap after nsd_init
# and calls nsd_stop from it.

NSD_ADDR=127.0.0.1
NSD_PID=
NSD_DIR=
NSD_PORT=
NSD_ZONES=
NSD_EXTRA_ADDR=${NSD_EXTRA_ADDR:-}

# nsd_skip - no server here: skip the whole test (automake: 77)
nsd_skip() {
	echo "SKIP: $1" >&2
	exit 77
}

# nsd_find_prog - first of the names found in PATH or the sbin dirs
nsd_find_prog() {
	for _p in "$@"; do
		for _d in $(printf '%s' "$PATH" | tr ':' ' ') /usr/sbin \
			/usr/local/sbin /sbin; do
			if [ -x "$_d/$_p" ] && [ ! -d "$_d/$_p" ]; then
				printf '%s\n' "$_d/$_p"
				return 0
			fi
		done
	done
	return 1
}

# nsd_port_in_use PORT - does anything listen on that port (UDP or TCP)?
nsd_port_in_use() {
	command -v ss >/dev/null 2>&1 || return 1
	ss -Hlnu "sport = :$1" 2>/dev/null | grep -q . && return 0
	ss -Hlnt "sport = :$1" 2>/dev/null | grep -q . && return 0
	return 1
}

# nsd_free_port - a port on 127.0.0.1 free for both UDP and TCP now
nsd_free_port() {
	_n=0
	_port=$(( 20000 + ($$ * 7 + 10#$(date +%N | cut -c1-6)) % 30000 ))
	while [ $_n -lt 200 ]; do
		if ! nsd_port_in_use "$_port"; then
			echo "$_port"
			return 0
		fi
		_port=$(( 20000 + (_port - 20000 + 7919) % 30000 ))
		_n=$(( _n + 1 ))
	done
	return 1
}

# nsd_servers - the server as dns_unbound_options.servers wants it
nsd_servers() {
	printf '%s@%s\n' "$NSD_ADDR" "$NSD_PORT"
}

# nsd_port - the server's port
nsd_port() {
	printf '%s\n' "$NSD_PORT"
}

# nsd_init - temporary directory, port, root zone; sets the EXIT trap
nsd_init() {
	NSD_PROG=$(nsd_find_prog nsd) ||
		nsd_skip "nsd not found (apt-get install nsd)"
	NSD_CHECKCONF=$(nsd_find_prog nsd-checkconf) ||
		nsd_skip "nsd-checkconf not found (apt-get install nsd)"
	NSD_DIR=$(mktemp -d "${TMPDIR:-/tmp}/pwnsd.XXXXXX") ||
		{ echo "nsd.sh: mktemp failed" >&2; exit 99; }
	trap nsd_stop EXIT
	trap 'exit 130' INT TERM HUP
	NSD_ZONES=
	nsd_add_zone . </dev/null
}

# nsd_add_zone NAME - a zone from stdin (records relative to NAME)
nsd_add_zone() {
	_zone=${1%.}.
	[ "$_zone" = .. ] && _zone=.
	_file=$NSD_DIR/zone.$(printf '%s' "$_zone" | tr -c 'A-Za-z0-9.-' _)
	{
		printf '$ORIGIN %s\n$TTL 300\n' "$_zone"
		printf '@ IN SOA ns.invalid. hostmaster.invalid. 1 3600 600 86400 30\n'
		printf '@ IN NS ns.invalid.\n'
		cat
	} >"$_file" || { echo "nsd.sh: cannot write $_file" >&2; exit 99; }
	NSD_ZONES="$NSD_ZONES $_zone"
}

# nsd_write_conf - nsd.conf for the zones added so far
nsd_write_conf() {
	{
		cat <<EOF
server:
	ip-address: $NSD_ADDR@$NSD_PORT
$([ -n "$NSD_EXTRA_ADDR" ] && printf '\tip-address: %s@53' "$NSD_EXTRA_ADDR")
	port: $NSD_PORT
	do-ip6: no
	server-count: 1
	username: ""
	chroot: ""
	zonesdir: "$NSD_DIR"
	database: ""
	zonelistfile: "$NSD_DIR/zone.list"
	xfrdfile: "$NSD_DIR/xfrd.state"
	xfrdir: "$NSD_DIR"
	pidfile: "$NSD_DIR/nsd.pid"
	logfile: "$NSD_DIR/nsd.log"
	verbosity: 1
	hide-version: yes
	rrl-ratelimit: 0
remote-control:
	control-enable: no
EOF
		for _z in $NSD_ZONES; do
			printf 'zone:\n\tname: "%s"\n\tzonefile: "%s"\n' "$_z" \
				"$NSD_DIR/zone.$(printf '%s' "$_z" |
					tr -c 'A-Za-z0-9.-' _)"
		done
	} >"$NSD_DIR/nsd.conf"
}

# nsd_answers - does the server answer a query for ". SOA" over UDP?
nsd_answers() {
	# ID 0x5057, no flags, one question: root, type SOA, class IN
	_reply=$(timeout 1 bash -c '
		exec 3<>"/dev/udp/$0/$1" || exit 1
		printf "\x50\x57\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x06\x00\x01" >&3
		head -c 2 <&3 | od -An -tx1' "$NSD_ADDR" "$NSD_PORT" 2>/dev/null)
	[ "$(echo $_reply)" = "50 57" ]
}

# nsd_start - check the config, start the server, wait until it answers
nsd_start() {
	_try=0
	while [ $_try -lt 3 ]; do
		_try=$(( _try + 1 ))
		NSD_PORT=$(nsd_free_port) ||
			{ echo "nsd.sh: no free port" >&2; exit 99; }
		nsd_write_conf
		if ! "$NSD_CHECKCONF" "$NSD_DIR/nsd.conf" >&2; then
			echo "nsd.sh: nsd-checkconf rejected the config" >&2
			exit 99
		fi
		: >"$NSD_DIR/nsd.log"
		"$NSD_PROG" -d -c "$NSD_DIR/nsd.conf" </dev/null \
			>"$NSD_DIR/stdout.log" 2>&1 &
		NSD_PID=$!
		# Up to 20 s for the first answer.
		_n=0
		while [ $_n -lt 80 ] && kill -0 "$NSD_PID" 2>/dev/null; do
			nsd_answers && break
			sleep 0.25
			_n=$(( _n + 1 ))
		done
		if kill -0 "$NSD_PID" 2>/dev/null && nsd_answers; then
			export NSD_DIR NSD_ADDR NSD_PORT NSD_PID
			return 0
		fi
		nsd_stop_server
		# Lost a race for the port: try another one.
		grep -qi "address already in use" "$NSD_DIR/nsd.log" \
			"$NSD_DIR/stdout.log" 2>/dev/null || break
	done
	cat "$NSD_DIR/nsd.log" "$NSD_DIR/stdout.log" >&2 2>/dev/null
	echo "nsd.sh: server did not start" >&2
	exit 99
}

# nsd_processes - the server's process ID and its descendants' (nsd
# forks a main process, which forks the serving ones)
nsd_processes() {
	_level=$NSD_PID
	_all=
	_depth=0
	while [ -n "$_level" ] && [ $_depth -lt 4 ]; do
		_all="$_all $_level"
		_next=
		for _p in $_level; do
			_next="$_next $(ps -o pid= --ppid "$_p" 2>/dev/null)"
		done
		_level=$(echo $_next)
		_depth=$(( _depth + 1 ))
	done
	echo $_all
}

# nsd_pause - stop the server's processes: queries go unanswered
nsd_pause() {
	for _p in $(nsd_processes); do
		kill -STOP "$_p" 2>/dev/null
	done
}

# nsd_resume - let a paused server go on
nsd_resume() {
	for _p in $(nsd_processes); do
		kill -CONT "$_p" 2>/dev/null
	done
}

# nsd_stop_server - stop our server by PID (bounded wait)
nsd_stop_server() {
	if [ -n "$NSD_PID" ] && kill -0 "$NSD_PID" 2>/dev/null; then
		_procs=$(nsd_processes)
		nsd_resume
		kill "$NSD_PID" 2>/dev/null
		_n=0
		while [ $_n -lt 80 ] && kill -0 "$NSD_PID" 2>/dev/null; do
			sleep 0.25
			_n=$(( _n + 1 ))
		done
		if kill -0 "$NSD_PID" 2>/dev/null; then
			for _p in $_procs; do
				kill -9 "$_p" 2>/dev/null
			done
		fi
		wait "$NSD_PID" 2>/dev/null
	fi
	NSD_PID=
}

# nsd_stop - stop the server, remove the temporary directory
nsd_stop() {
	nsd_stop_server
	if [ -n "$NSD_DIR" ] && [ -d "$NSD_DIR" ]; then
		rm -rf "$NSD_DIR"
	fi
	NSD_DIR=
}
