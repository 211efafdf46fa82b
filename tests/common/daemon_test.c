/*
 * daemon_test.c - options, and the life cycle of a real process:
 * daemon_fixture is started, signalled and waited for by its pid, with
 * every wait bounded.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "daemon.h"
#include "sbuf.h"

#define WAIT_MS 5000 /* the longest any single wait may take */
#define STEP_MS 10

/* ---- daemon_parse_args ---------------------------------------------- */

struct args_case {
	const char *argv[6];
	int rc;
	bool foreground, check_only, verbose, help;
	const char *config_path;
};

static const struct args_case args_cases[] = {
	{{"d"}, 0, false, false, false, false, DAEMON_CONFIG_PATH},
	{{"d", "-f"}, 0, true, false, false, false, DAEMON_CONFIG_PATH},
	{{"d", "-fv"}, 0, true, false, true, false, DAEMON_CONFIG_PATH},
	{{"d", "-n", "-c", "x.conf"}, 0, false, true, false, false, "x.conf"},
	{{"d", "-cx.conf"}, 0, false, false, false, false, "x.conf"},
	{{"d", "-fcx.conf", "-v"}, 0, true, false, true, false, "x.conf"},
	{{"d", "-c", "-f"}, 0, false, false, false, false, "-f"},
	{{"d", "-h"}, 0, false, false, false, true, DAEMON_CONFIG_PATH},
	{{"d", "-f", "--"}, 0, true, false, false, false, DAEMON_CONFIG_PATH},
	{{"d", "-x"}, -1, false, false, false, false, NULL},
	{{"d", "-fx"}, -1, false, false, false, false, NULL},
	{{"d", "-c"}, -1, false, false, false, false, NULL},
	{{"d", "-c", ""}, -1, false, false, false, false, NULL},
	{{"d", "file"}, -1, false, false, false, false, NULL},
	{{"d", "-f", "file"}, -1, false, false, false, false, NULL},
	{{"d", "--", "-f"}, -1, false, false, false, false, NULL},
	{{"d", "-"}, -1, false, false, false, false, NULL},
	{{"d", "--config"}, -1, false, false, false, false, NULL},
};

Test(daemon, parse_args)
{
	size_t i;

	for (i = 0; i < sizeof(args_cases) / sizeof(args_cases[0]); i++) {
		const struct args_case *c = &args_cases[i];
		struct daemon_args args = {0};
		struct sbuf *err = sbuf_new(0);
		int argc = 0;

		while (c->argv[argc] != NULL)
			argc++;
		cr_assert_eq(daemon_parse_args(argc, (char *const *)c->argv,
					       &args, err),
			     c->rc, "case %zu: %s", i, sbuf_cstr(err));
		if (c->rc < 0) {
			cr_assert(!sbuf_is_empty(err), "case %zu", i);
		} else {
			cr_assert_eq(args.foreground, c->foreground, "%zu", i);
			cr_assert_eq(args.check_only, c->check_only, "%zu", i);
			cr_assert_eq(args.verbose, c->verbose, "%zu", i);
			cr_assert_eq(args.help, c->help, "%zu", i);
			cr_assert_str_eq(args.config_path, c->config_path);
		}
		sbuf_free(&err);
	}
}

/* ---- helpers for a real process ------------------------------------- */

struct fx {
	char *dir;
	char *conf;   /* the config file */
	char *sock;   /* fixture_socket */
	char *pid;    /* fixture_pid_file */
	char *log;    /* the fixture's stderr */
	pid_t child;  /* what we started; 0 once reaped */
};

/* str_printf - a formatted string; caller frees */
static char *str_printf(const char *fmt, ...) ATTR_PRINTF(1, 2);
static char *str_printf(const char *fmt, ...)
{
	struct sbuf *b = sbuf_new(64);
	va_list ap;
	char *s;

	va_start(ap, fmt);
	sbuf_vprintf(b, fmt, ap);
	va_end(ap);
	s = sbuf_steal(b);
	sbuf_free(&b);
	return s;
}

/* sleep_ms - a short pause inside a bounded wait */
static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* write_text - replace path with text */
static void write_text(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	cr_assert(fd >= 0, "%s: %s", path, strerror(errno));
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

/* read_text - a small file as a string, "" if missing; caller frees */
static char *read_text(const char *path)
{
	char buf[8192];
	ssize_t n = 0;
	int fd = open(path, O_RDONLY);

	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
	}
	buf[n > 0 ? n : 0] = '\0';
	return str_printf("%s", buf);
}

/* write_conf - the fixture's config, with extra lines */
static void write_conf(const struct fx *f, const char *extra)
{
	char *text = str_printf("fixture_socket = unix:%s\n"
				"fixture_pid_file = %s\n%s",
				f->sock, f->pid, extra);

	write_text(f->conf, text);
	free(text);
}

/* fx_setup - a private directory holding config, socket, pid, log */
static struct fx fx_setup(const char *extra)
{
	const char *base = getenv("TMPDIR");
	struct fx f = {0};

	if (base == NULL || base[0] == '\0')
		base = "/tmp";
	f.dir = str_printf("%s/daemon_test.XXXXXX", base);
	cr_assert_not_null(mkdtemp(f.dir));
	f.conf = str_printf("%s/fixture.conf", f.dir);
	f.sock = str_printf("%s/fixture.sock", f.dir);
	f.pid = str_printf("%s/fixture.pid", f.dir);
	f.log = str_printf("%s/fixture.log", f.dir);
	write_conf(&f, extra);
	return f;
}

/* fx_teardown - kill what is still ours (by pid), remove the files */
static void fx_teardown(struct fx *f)
{
	if (f->child > 0) {
		kill(f->child, SIGKILL);
		waitpid(f->child, NULL, 0);
	}
	unlink(f->conf);
	unlink(f->sock);
	unlink(f->pid);
	unlink(f->log);
	rmdir(f->dir);
	free(f->conf);
	free(f->sock);
	free(f->pid);
	free(f->log);
	free(f->dir);
}

/* fixture_path - daemon_fixture sits next to this test program */
static char *fixture_path(void)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	cr_assert(n > 0);
	self[n] = '\0';
	slash = strrchr(self, '/');
	cr_assert_not_null(slash);
	*slash = '\0';
	return str_printf("%s/daemon_fixture", self);
}

/* fx_run - start the fixture with options; stdout+stderr to f->log */
static pid_t fx_run(struct fx *f, const char *opt1, const char *opt2)
{
	char *prog = fixture_path();
	const char *argv[6];
	int i = 0, fd;
	pid_t pid;

	argv[i++] = prog;
	if (opt1 != NULL)
		argv[i++] = opt1;
	if (opt2 != NULL)
		argv[i++] = opt2;
	argv[i++] = "-c";
	argv[i++] = f->conf;
	argv[i] = NULL;
	fflush(NULL);
	pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		fd = open(f->log, O_WRONLY | O_CREAT | O_APPEND, 0644);
		if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0 ||
		    dup2(fd, STDERR_FILENO) < 0)
			_exit(127);
		execv(prog, (char *const *)argv);
		_exit(127);
	}
	free(prog);
	f->child = pid;
	return pid;
}

/* fx_wait_exit - reap pid within ms; returns its wait status */
static int fx_wait_exit(pid_t pid, long ms)
{
	int status;
	long waited;
	pid_t r;

	for (waited = 0; waited <= ms; waited += STEP_MS) {
		r = waitpid(pid, &status, WNOHANG);
		cr_assert(r >= 0, "waitpid: %s", strerror(errno));
		if (r == pid)
			return status;
		sleep_ms(STEP_MS);
	}
	cr_assert_fail("pid %ld still running after %ld ms", (long)pid, ms);
	return -1;
}

/* fx_exit_status - wait for the fixture we started; its exit code */
static int fx_exit_status(struct fx *f, long ms)
{
	int status = fx_wait_exit(f->child, ms);

	f->child = 0;
	cr_assert(WIFEXITED(status), "fixture died of signal %d",
		  WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	return WEXITSTATUS(status);
}

/* fx_connect - a connection to the fixture, or -1 */
static int fx_connect(const struct fx *f)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	struct timeval tv = {2, 0};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	cr_assert(fd >= 0);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", f->sock);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* fx_ask - send a line on fd, return the answer line; caller frees */
static char *fx_ask(int fd, const char *line)
{
	char buf[256], *nl;
	size_t len = 0;
	ssize_t n;
	char *req = str_printf("%s\n", line);

	cr_assert_eq(write(fd, req, strlen(req)), (ssize_t)strlen(req));
	free(req);
	while (len < sizeof(buf) - 1) {
		n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
		buf[len] = '\0';
		if (strchr(buf, '\n') != NULL)
			break;
	}
	buf[len] = '\0';
	if ((nl = strchr(buf, '\n')) != NULL)
		*nl = '\0';
	return str_printf("%s", buf);
}

/* fx_wait_answer - ask "count" until the answer is want, bounded */
static void fx_wait_answer(const struct fx *f, const char *want)
{
	char *got = NULL;
	long waited;
	int fd;

	for (waited = 0; waited <= WAIT_MS; waited += STEP_MS) {
		if ((fd = fx_connect(f)) >= 0) {
			free(got);
			got = fx_ask(fd, "count");
			close(fd);
			if (strcmp(got, want) == 0) {
				free(got);
				return;
			}
		}
		sleep_ms(STEP_MS);
	}
	cr_assert_fail("wanted \"%s\", last answer \"%s\"", want,
		 got != NULL ? got : "(no connection)");
}

/* fx_wait_log - wait until the fixture's log mentions text, bounded */
static void fx_wait_log(const struct fx *f, const char *text)
{
	char *log = NULL;
	long waited;

	for (waited = 0; waited <= WAIT_MS; waited += STEP_MS) {
		free(log);
		log = read_text(f->log);
		if (strstr(log, text) != NULL) {
			free(log);
			return;
		}
		sleep_ms(STEP_MS);
	}
	cr_assert_fail("log lacks \"%s\":\n%s", text, log);
}

/* log_has - does the log mention text now? */
static bool log_has(const struct fx *f, const char *text)
{
	char *log = read_text(f->log);
	bool has = strstr(log, text) != NULL;

	free(log);
	return has;
}

/* ---- the life cycle ------------------------------------------------- */

Test(daemon, hup_twice_then_term_drains_and_exits_0)
{
	struct fx f = fx_setup("fixture_greeting = hello\n");
	char *pidtext, *want, *answer;
	int fd;

	fx_run(&f, "-f", NULL);
	fx_wait_answer(&f, "hello reloads=0");
	pidtext = read_text(f.pid);
	want = str_printf("%ld\n", (long)f.child);
	cr_assert_str_eq(pidtext, want, "pid file");
	free(pidtext);
	free(want);

	cr_assert_eq(kill(f.child, SIGHUP), 0);
	fx_wait_answer(&f, "hello reloads=1");
	write_conf(&f, "fixture_greeting = bye\n");
	cr_assert_eq(kill(f.child, SIGHUP), 0);
	fx_wait_answer(&f, "bye reloads=2");

	/* a request in flight: connected, line not sent yet */
	fd = fx_connect(&f);
	cr_assert(fd >= 0);
	fx_wait_answer(&f, "bye reloads=2"); /* accepted before the TERM */
	cr_assert_eq(kill(f.child, SIGTERM), 0);
	fx_wait_log(&f, "SIGTERM: stopping");
	fx_wait_log(&f, "draining connections");
	/* no new connections, but the old one is served */
	cr_assert_eq(fx_connect(&f), -1, "still accepting while draining");
	cr_assert_eq(waitpid(f.child, NULL, WNOHANG), 0, "did not wait");
	answer = fx_ask(fd, "count");
	cr_assert_str_eq(answer, "bye reloads=2");
	free(answer);
	close(fd);
	cr_assert_eq(fx_exit_status(&f, WAIT_MS), 0);
	cr_assert_eq(access(f.pid, F_OK), -1, "pid file not removed");
	cr_assert(log_has(&f, "stopped"));
	cr_assert(!log_has(&f, "drain timeout"));
	fx_teardown(&f);
}

Test(daemon, failed_reload_keeps_the_old_config)
{
	struct fx f = fx_setup("fixture_greeting = hello\n");

	fx_run(&f, "-f", NULL);
	fx_wait_answer(&f, "hello reloads=0");
	write_conf(&f, "fixture_greeting = bye\nfixture_no_such = 1\n");
	cr_assert_eq(kill(f.child, SIGHUP), 0);
	fx_wait_log(&f, "warning: reload ");
	fx_wait_log(&f, "keeping the old config");
	fx_wait_answer(&f, "hello reloads=0");
	/* fixed again: the next SIGHUP works */
	write_conf(&f, "fixture_greeting = bye\n");
	cr_assert_eq(kill(f.child, SIGHUP), 0);
	fx_wait_answer(&f, "bye reloads=1");
	cr_assert_eq(kill(f.child, SIGTERM), 0);
	cr_assert_eq(fx_exit_status(&f, WAIT_MS), 0);
	fx_teardown(&f);
}

Test(daemon, drain_timeout_is_bounded)
{
	struct fx f = fx_setup("fixture_drain_timeout = 1s\n");
	struct timespec t0, t1;
	double secs;
	int fd;

	fx_run(&f, "-f", NULL);
	fx_wait_answer(&f, "hello reloads=0");
	fd = fx_connect(&f);
	cr_assert(fd >= 0);
	fx_wait_answer(&f, "hello reloads=0");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	cr_assert_eq(kill(f.child, SIGTERM), 0);
	cr_assert_eq(fx_exit_status(&f, WAIT_MS), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) +
	       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	cr_assert(secs >= 0.9 && secs < 4.0, "took %.2fs", secs);
	cr_assert(log_has(&f, "drain timeout"));
	close(fd);
	fx_teardown(&f);
}

Test(daemon, second_term_stops_without_waiting)
{
	struct fx f = fx_setup("fixture_drain_timeout = 1h\n");
	int fd;

	fx_run(&f, "-f", NULL);
	fx_wait_answer(&f, "hello reloads=0");
	fd = fx_connect(&f);
	cr_assert(fd >= 0);
	fx_wait_answer(&f, "hello reloads=0");
	cr_assert_eq(kill(f.child, SIGTERM), 0);
	fx_wait_log(&f, "draining connections");
	cr_assert_eq(kill(f.child, SIGINT), 0);
	cr_assert_eq(fx_exit_status(&f, WAIT_MS), 0);
	cr_assert(log_has(&f, "SIGINT again"));
	close(fd);
	fx_teardown(&f);
}

Test(daemon, idle_daemon_stops_at_once)
{
	struct fx f = fx_setup("fixture_drain_timeout = 1h\n");

	fx_run(&f, "-f", NULL);
	fx_wait_answer(&f, "hello reloads=0");
	cr_assert_eq(kill(f.child, SIGINT), 0);
	cr_assert_eq(fx_exit_status(&f, WAIT_MS), 0);
	cr_assert(log_has(&f, "SIGINT: stopping"));
	fx_teardown(&f);
}

Test(daemon, second_instance_is_refused)
{
	struct fx f = fx_setup("");
	pid_t first;
	int status;

	first = fx_run(&f, "-f", NULL);
	fx_wait_answer(&f, "hello reloads=0");
	fx_run(&f, "-f", NULL);
	status = fx_exit_status(&f, WAIT_MS);
	cr_assert_eq(status, DAEMON_EXIT_FAIL);
	cr_assert(log_has(&f, "already running"));
	/* the first one is unharmed and still answers */
	f.child = first;
	fx_wait_answer(&f, "hello reloads=0");
	cr_assert_eq(kill(f.child, SIGTERM), 0);
	cr_assert_eq(fx_exit_status(&f, WAIT_MS), 0);
	fx_teardown(&f);
}

Test(daemon, check_config_and_exit)
{
	struct fx f = fx_setup("");

	fx_run(&f, "-n", NULL);
	cr_assert_eq(fx_exit_status(&f, WAIT_MS), 0);
	cr_assert_eq(access(f.sock, F_OK), -1, "-n must not bind");
	cr_assert_eq(access(f.pid, F_OK), -1, "-n must not take the pid");

	write_conf(&f, "fixture_drain_timeout = forever\n");
	fx_run(&f, "-n", NULL);
	cr_assert_eq(fx_exit_status(&f, WAIT_MS), DAEMON_EXIT_CONFIG);
	cr_assert(log_has(&f, "fatal: "));
	cr_assert(log_has(&f, f.conf));
	fx_teardown(&f);
}

Test(daemon, usage)
{
	struct fx f = fx_setup("");

	fx_run(&f, "-h", NULL);
	cr_assert_eq(fx_exit_status(&f, WAIT_MS), 0);
	cr_assert(log_has(&f, "usage: daemon_fixture [-fnv] [-c config]"));
	fx_run(&f, "-q", NULL);
	cr_assert_eq(fx_exit_status(&f, WAIT_MS), DAEMON_EXIT_USAGE);
	cr_assert(log_has(&f, "unknown option -q"));
	fx_teardown(&f);
}

Test(daemon, missing_config_is_fatal)
{
	struct fx f = fx_setup("");

	unlink(f.conf);
	fx_run(&f, "-f", NULL);
	cr_assert_eq(fx_exit_status(&f, WAIT_MS), DAEMON_EXIT_CONFIG);
	cr_assert(log_has(&f, f.conf));
	fx_teardown(&f);
}

/* uid_of - the real uid in /proc/PID/status, or -1 */
static long uid_of(pid_t pid)
{
	char *path = str_printf("/proc/%ld/status", (long)pid);
	char *text = read_text(path);
	char *p = strstr(text, "\nUid:");
	long uid = p != NULL ? strtol(p + 5, NULL, 10) : -1;

	free(path);
	free(text);
	return uid;
}

Test(daemon, drops_to_the_configured_user)
{
	struct passwd *pw = getpwnam("nobody");
	struct fx f;

	if (geteuid() != 0 || pw == NULL)
		cr_skip_test("needs root and user nobody");
	f = fx_setup("fixture_user = nobody\nfixture_socket_mode = 0666\n");
	fx_run(&f, "-f", NULL);
	fx_wait_answer(&f, "hello reloads=0");
	cr_assert_eq(uid_of(f.child), (long)pw->pw_uid);
	cr_assert(!log_has(&f, "running as root"));
	cr_assert_eq(kill(f.child, SIGTERM), 0);
	cr_assert_eq(fx_exit_status(&f, WAIT_MS), 0);
	fx_teardown(&f);
}

Test(daemon, detaches_and_writes_the_daemon_pid)
{
	struct fx f = fx_setup("");
	pid_t daemon_pid;
	char *text;
	int status;

	/* the detached daemon is re-parented to us, so we can reap it */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		cr_skip_test("no PR_SET_CHILD_SUBREAPER");
	/* a relative -c must still work for reloads after chdir("/") */
	cr_assert_eq(chdir(f.dir), 0);
	free(f.conf);
	f.conf = str_printf("fixture.conf");
	fx_run(&f, NULL, NULL);
	/* the parent returns once the daemon is ready */
	cr_assert_eq(fx_exit_status(&f, WAIT_MS), 0);
	text = read_text(f.pid);
	daemon_pid = (pid_t)strtol(text, NULL, 10);
	free(text);
	cr_assert(daemon_pid > 0);
	fx_wait_answer(&f, "hello reloads=0");
	cr_assert_eq(getsid(daemon_pid), daemon_pid, "not a session leader");
	cr_assert_eq(kill(daemon_pid, SIGHUP), 0);
	fx_wait_answer(&f, "hello reloads=1");
	cr_assert_eq(kill(daemon_pid, SIGTERM), 0);
	status = fx_wait_exit(daemon_pid, WAIT_MS);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	cr_assert_eq(access(f.pid, F_OK), -1, "pid file not removed");
	fx_teardown(&f);
}

/* ---- worker processes ----------------------------------------------- */

/* children_of - pids of pid's children (at most max), from /proc */
static size_t children_of(pid_t pid, pid_t *out, size_t max)
{
	char *path = str_printf("/proc/%ld/task/%ld/children", (long)pid,
				(long)pid);
	char *text = read_text(path), *p = text, *end;
	size_t n = 0;
	long v;

	while (n < max && (v = strtol(p, &end, 10)) > 0 && end != p) {
		out[n++] = (pid_t)v;
		p = end;
	}
	free(path);
	free(text);
	return n;
}

/* wait_children - until pid has want children; returns them in out */
static void wait_children(pid_t pid, size_t want, pid_t *out)
{
	long waited;

	for (waited = 0; waited <= WAIT_MS; waited += STEP_MS) {
		if (children_of(pid, out, 8) == want)
			return;
		sleep_ms(STEP_MS);
	}
	cr_assert_fail("pid %ld does not have %zu children", (long)pid, want);
}

/* count_in_log - occurrences of text in the log */
static int count_in_log(const struct fx *f, const char *text)
{
	char *log = read_text(f->log), *p = log;
	int n = 0;

	while ((p = strstr(p, text)) != NULL) {
		n++;
		p += strlen(text);
	}
	free(log);
	return n;
}

/* wait_count - until the log holds text n times, bounded */
static void wait_count(const struct fx *f, const char *text, int n)
{
	long waited;

	for (waited = 0; waited <= WAIT_MS; waited += STEP_MS) {
		if (count_in_log(f, text) >= n)
			return;
		sleep_ms(STEP_MS);
	}
	cr_assert_fail("log has \"%s\" %d times, not %d", text,
		       count_in_log(f, text), n);
}

Test(daemon, workers_serve_reload_are_replaced_and_drain)
{
	struct fx f = fx_setup("fixture_processes = 2\n");
	pid_t w[8], again[8];
	char *answer, *pidtext, *want;
	int fd;

	fx_run(&f, "-f", NULL);
	fx_wait_answer(&f, "hello reloads=0");
	fx_wait_log(&f, "2 worker processes started");
	wait_children(f.child, 2, w);
	cr_assert_eq(count_in_log(&f, "started (config"), 1);
	/* the pid file names the supervisor */
	pidtext = read_text(f.pid);
	want = str_printf("%ld\n", (long)f.child);
	cr_assert_str_eq(pidtext, want);
	free(pidtext);
	free(want);
	/* a worker answers, not the supervisor */
	fd = fx_connect(&f);
	cr_assert(fd >= 0);
	answer = fx_ask(fd, "pid");
	close(fd);
	want = str_printf("pid=%ld", (long)f.child);
	cr_assert_str_neq(answer, want);
	cr_assert(strncmp(answer, "pid=", 4) == 0, "%s", answer);
	free(want);
	free(answer);

	/* SIGHUP reaches every worker */
	cr_assert_eq(kill(f.child, SIGHUP), 0);
	wait_count(&f, "reloaded ", 2);
	fx_wait_answer(&f, "hello reloads=1");

	/* a worker that dies is replaced, and the others serve meanwhile */
	cr_assert_eq(kill(w[0], SIGKILL), 0);
	fx_wait_log(&f, "killed by signal 9; starting another");
	fx_wait_answer(&f, "hello reloads=1");
	wait_children(f.child, 2, again);
	cr_assert(again[0] != w[0] && again[1] != w[0], "not replaced");
	cr_assert_eq(count_in_log(&f, "killed by signal"), 1);

	/* SIGTERM: every worker drains, then the supervisor exits 0 */
	cr_assert_eq(kill(f.child, SIGTERM), 0);
	cr_assert_eq(fx_exit_status(&f, WAIT_MS), 0);
	cr_assert_eq(kill(again[0], 0), -1, "worker left behind");
	cr_assert_eq(kill(again[1], 0), -1, "worker left behind");
	cr_assert_eq(access(f.pid, F_OK), -1, "pid file not removed");
	cr_assert(!log_has(&f, "exited with status"));
	fx_teardown(&f);
}

Test(daemon, worker_that_cannot_start_stops_the_rest)
{
	struct fx f = fx_setup("fixture_processes = 3\n"
			       "fixture_prepare_fail = yes\n");

	fx_run(&f, "-f", NULL);
	cr_assert_eq(fx_exit_status(&f, WAIT_MS), DAEMON_EXIT_FAIL);
	cr_assert(log_has(&f, "prepare: told to fail"));
	cr_assert(log_has(&f, "a worker process failed to start"));
	cr_assert_eq(access(f.pid, F_OK), -1, "pid file not removed");
	/* and without workers the same hook failure is fatal too */
	write_conf(&f, "fixture_prepare_fail = yes\n");
	fx_run(&f, "-f", NULL);
	cr_assert_eq(fx_exit_status(&f, WAIT_MS), DAEMON_EXIT_FAIL);
	fx_teardown(&f);
}

Test(daemon, detached_supervisor_holds_the_pid_file)
{
	struct fx f = fx_setup("fixture_processes = 2\n");
	pid_t sup, w[8];
	char *text;
	int status;

	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		cr_skip_test("no PR_SET_CHILD_SUBREAPER");
	fx_run(&f, NULL, NULL);
	cr_assert_eq(fx_exit_status(&f, WAIT_MS), 0);
	text = read_text(f.pid);
	sup = (pid_t)strtol(text, NULL, 10);
	free(text);
	cr_assert(sup > 0);
	fx_wait_answer(&f, "hello reloads=0");
	wait_children(sup, 2, w);
	cr_assert_eq(kill(sup, SIGTERM), 0);
	status = fx_wait_exit(sup, WAIT_MS);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	cr_assert_eq(kill(w[0], 0), -1, "worker left behind");
	cr_assert_eq(access(f.pid, F_OK), -1, "pid file not removed");
	fx_teardown(&f);
}
