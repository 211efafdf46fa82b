/*
 * milterd.c - postwarden-milterd: a DKIM signing and verifying milter
 * for Postfix (smtpd_milters, non_smtpd_milters), on libmilter.
 *
 * Why not daemon_main (common/daemon.h): libmilter brings its own main
 * loop (smfi_main), its own threads and its own signal handling
 * (SIGTERM/SIGINT/SIGHUP end smfi_main), while daemon_main runs a
 * libevent loop. So this file follows the same life cycle by hand,
 * with the same pieces: daemon_parse_args (-f -c -n -v -h), the config
 * read as root, the keys loaded as root (a key that cannot be read is
 * a start-up error; with milterd_sql_keys the dkim_key table is read
 * then and the database closed again, never used while running), the
 * pid file (pidfile.h), the socket bound as
 * root, privs_drop (privs.h), then detach unless -f (the parent exits
 * once the child is ready) and log to syslog (log.h). A reload needs a
 * restart: libmilter's SIGHUP handling stops the loop like SIGTERM.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon.h"
#include "dns_sync.h"
#include "log.h"
#include "milter_conf.h"
#include "milter_glue.h"
#include "milter_keycache.h"
#include "milter_keys.h"
#include "milter_sqlkeys.h"
#include "pidfile.h"
#include "privs.h"
#include "sbuf.h"

#define MILTERD_NAME "postwarden-milterd"

static void usage(FILE *fp)
{
	fprintf(fp, "usage: %s [-fnvh] [-c config]\n"
		    "  -f  stay in the foreground, log to stderr\n"
		    "  -c  config file (default %s)\n"
		    "  -n  check the config and the keys, then exit\n"
		    "  -v  verbose logging\n"
		    "  -h  this help\n",
		MILTERD_NAME, DAEMON_CONFIG_PATH);
}

/* socket_perms - owner, group and mode of a unix socket (as root) */
static int socket_perms(const struct milter_conf *cf, struct sbuf *err)
{
	const char *path;
	uid_t uid = (uid_t)-1;
	gid_t gid = (gid_t)-1;

	if (strncmp(cf->milter_socket, "local:", 6) != 0)
		return 0;
	path = cf->milter_socket + 6;
	if (privs_is_root() && cf->user[0] != '\0') {
		struct passwd *pw = getpwnam(cf->user);

		if (pw == NULL) {
			sbuf_printf(err, "unknown user %s", cf->user);
			return -1;
		}
		uid = pw->pw_uid;
		gid = pw->pw_gid;
	}
	if (privs_is_root() && cf->group[0] != '\0') {
		struct group *gr = getgrnam(cf->group);

		if (gr == NULL) {
			sbuf_printf(err, "unknown group %s", cf->group);
			return -1;
		}
		gid = gr->gr_gid;
	}
	if ((uid != (uid_t)-1 || gid != (gid_t)-1) &&
	    chown(path, uid, gid) < 0) {
		sbuf_printf(err, "chown %s: %s", path, strerror(errno));
		return -1;
	}
	if (chmod(path, cf->socket_mode) < 0) {
		sbuf_printf(err, "chmod %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * socket_in_use - does a server answer on the unix socket already?
 * libmilter removes the file before binding (smfi_opensocket), which
 * would silently take the socket from a running instance.
 */
static bool socket_in_use(const struct milter_conf *cf)
{
	struct sockaddr_un sun;
	const char *path;
	bool used;
	int fd;

	if (strncmp(cf->milter_socket, "local:", 6) != 0)
		return false;
	path = cf->milter_socket + 6;
	if (strlen(path) >= sizeof(sun.sun_path))
		return false; /* libmilter reports it */
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path));
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0)
		return false;
	used = connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0;
	close(fd);
	return used;
}

/* detach - fork; the parent exits once the child says it is ready */
static int detach(int *ready_fd_r)
{
	int pfd[2];
	pid_t pid;
	char c;
	ssize_t n;

	if (pipe(pfd) < 0)
		log_fatal("pipe: %s", strerror(errno));
	fflush(NULL);
	if ((pid = fork()) < 0)
		log_fatal("fork: %s", strerror(errno));
	if (pid > 0) {
		close(pfd[1]);
		do
			n = read(pfd[0], &c, 1);
		while (n < 0 && errno == EINTR);
		_exit(n == 1 ? DAEMON_EXIT_OK : DAEMON_EXIT_FAIL);
	}
	close(pfd[0]);
	(void)fcntl(pfd[1], F_SETFD, FD_CLOEXEC);
	if (setsid() < 0)
		log_fatal("setsid: %s", strerror(errno));
	if (chdir("/") < 0)
		log_fatal("chdir /: %s", strerror(errno));
	*ready_fd_r = pfd[1];
	return 0;
}

/* ready - detached: stdio to /dev/null, syslog only, tell the parent */
static void ready(int ready_fd)
{
	int null_fd = open("/dev/null", O_RDWR);

	if (null_fd < 0 || dup2(null_fd, STDIN_FILENO) < 0 ||
	    dup2(null_fd, STDOUT_FILENO) < 0 ||
	    dup2(null_fd, STDERR_FILENO) < 0)
		log_fatal("redirect stdio to /dev/null: %s", strerror(errno));
	if (null_fd > STDERR_FILENO)
		close(null_fd);
	log_init(MILTERD_NAME, LOG_DEST_SYSLOG);
	if (write(ready_fd, "", 1) != 1)
		log_warn("cannot tell the parent we started");
	close(ready_fd);
}

/*
 * load_keys - the tables, then the SQL keys (as root, before the
 * privileges drop); a database that cannot be read is an error, never
 * "start and sign nothing"
 */
static int load_keys(const struct milter_conf *cf, struct milter_keys **k_r,
		     struct sbuf *err)
{
	struct milter_sqlkeys *sk = NULL;
	struct sbuf *why;

	if (cf->signing_table_path[0] != '\0') {
		if (milter_keys_load(cf->key_table, cf->signing_table_path,
				     cf->signing_table_refile, k_r, err) < 0)
			return -1;
	} else {
		*k_r = milter_keys_new();
	}
	if (!cf->sql_keys)
		return 0;
	why = sbuf_new(128);
	if (milter_sqlkeys_load(&cf->db_params, &sk, why) < 0) {
		sbuf_printf(err, "dkim_key table (db_type = %s): %s",
			    sqldb_type_name(cf->db_params.type),
			    sbuf_cstr(why));
		sbuf_free(&why);
		milter_keys_free(k_r);
		return -1;
	}
	sbuf_free(&why);
	if (milter_sqlkeys_count(sk) == 0 && milter_keys_count(*k_r) == 0) {
		/* nothing would ever be signed: say so now */
		sbuf_printf(err,
			    "dkim_key table (db_type = %s): no active keys "
			    "(\"postwarden dkim keygen --sql\" makes them)",
			    sqldb_type_name(cf->db_params.type));
		milter_sqlkeys_free(&sk);
		milter_keys_free(k_r);
		return -1;
	}
	if (milter_sqlkeys_count(sk) == 0)
		log_warn("dkim_key table: no active keys");
	else
		log_info("%zu signing keys from the %s database",
			 milter_sqlkeys_count(sk),
			 sqldb_type_name(cf->db_params.type));
	milter_keys_set_sql(*k_r, &sk);
	return 0;
}

int main(int argc, char **argv)
{
	struct daemon_args args;
	struct milter_conf cf;
	struct milter_keys *keys = NULL;
	struct dns_sync *dns = NULL;
	struct milter_keycache *keycache = NULL;
	struct pidfile *pf = NULL;
	struct milter_glue_env env;
	struct sbuf *err = sbuf_new(128);
	struct sigaction sa;
	int status = DAEMON_EXIT_FAIL, ready_fd = -1;

	log_init(MILTERD_NAME, LOG_DEST_STDERR);
	if (daemon_parse_args(argc, argv, &args, err) < 0) {
		log_warn("%s", sbuf_cstr(err));
		usage(stderr);
		sbuf_free(&err);
		return DAEMON_EXIT_USAGE;
	}
	if (args.help) {
		usage(stdout);
		sbuf_free(&err);
		return DAEMON_EXIT_OK;
	}
	log_set_verbose(args.verbose);
	if (milter_conf_load(args.config_path, &cf, err) < 0) {
		log_warn("%s", sbuf_cstr(err));
		sbuf_free(&err);
		return DAEMON_EXIT_CONFIG;
	}
	status = DAEMON_EXIT_CONFIG;
	if (cf.do_sign && load_keys(&cf, &keys, err) < 0) {
		log_warn("signing keys: %s", sbuf_cstr(err));
		goto out;
	}
	if (cf.do_verify) {
		struct dns_unbound_options o;

		memset(&o, 0, sizeof(o));
		o.servers = cf.dns_servers;
		o.timeout_ms = cf.dns_timeout * 1000;
		if ((dns = dns_sync_new(&o, err)) == NULL) {
			log_warn("resolver: %s", sbuf_cstr(err));
			goto out;
		}
		if (cf.key_cache_size > 0 && cf.key_cache_ttl > 0)
			keycache = milter_keycache_new(cf.key_cache_size,
						       cf.key_cache_ttl);
	}
	if (args.check_only) {
		log_info("%s: OK (%zu signing keys)", args.config_path,
			 keys != NULL ? milter_keys_count(keys) : 0);
		status = DAEMON_EXIT_OK;
		goto out;
	}

	status = DAEMON_EXIT_FAIL;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGPIPE, &sa, NULL);
	if (cf.pid_file[0] != '\0' &&
	    pidfile_open(cf.pid_file, &pf, NULL, err) != PIDFILE_OK) {
		log_warn("pid file: %s", sbuf_cstr(err));
		goto out;
	}
	env.cf = &cf;
	env.keys = keys;
	env.dns = dns;
	env.keycache = keycache;
	/* libmilter creates the socket under our umask: no access for
	 * others until socket_perms sets milterd_socket_mode */
	(void)umask(0117);
	if (socket_in_use(&cf)) {
		log_warn("%s: another server is listening there",
			 cf.milter_socket);
		goto out;
	}
	if (milter_glue_register(&env, err) < 0 ||
	    milter_glue_open_socket(err) < 0 || socket_perms(&cf, err) < 0) {
		log_warn("%s", sbuf_cstr(err));
		goto out;
	}
	if (cf.user[0] == '\0' && privs_is_root())
		log_warn("running as root: set milterd_user");
	if (privs_drop(cf.user, cf.group, NULL, err) < 0) {
		log_warn("drop privileges: %s", sbuf_cstr(err));
		goto out;
	}
	if (!args.foreground) {
		log_init(MILTERD_NAME, LOG_DEST_STDERR | LOG_DEST_SYSLOG);
		(void)detach(&ready_fd);
		if (pf != NULL && pidfile_write(pf, err) < 0) {
			log_warn("pid file: %s", sbuf_cstr(err));
			goto out;
		}
	}
	log_info("started on %s (%s%s)", cf.milter_socket,
		 cf.do_sign ? "sign" : "", cf.do_verify ? " verify" : "");
	if (ready_fd >= 0)
		ready(ready_fd);
	status = milter_glue_run() == 0 ? DAEMON_EXIT_OK : DAEMON_EXIT_FAIL;
	log_info("stopped");
out:
	pidfile_remove(&pf);
	dns_sync_free(&dns);
	milter_keycache_free(&keycache);
	milter_keys_free(&keys);
	milter_conf_release(&cf);
	sbuf_free(&err);
	return status;
}
