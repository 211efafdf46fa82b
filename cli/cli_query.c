/*
 * cli_query.c - "postwarden query": look keys up as "postmap -q" does.
 *
 * Same output on stdout as postmap(1): "-q KEY" prints the value and a
 * newline, "-q -" reads keys from stdin and prints "key<TAB>value" for
 * each key found. With several tables the first table that finds a key
 * wins. Exit 0 when something was found, 1 when nothing was.
 *
 * Unlike postmap, an error never exits 1 (which would read as "not
 * found"): a database outage exits CLI_EXIT_TEMPFAIL, a bad table or .cf
 * file CLI_EXIT_CONFIG, a bad command line CLI_EXIT_USAGE. Every table is
 * opened before the first lookup, so a broken .cf file is reported even
 * when an earlier table would have answered.
 *
 * Keys on stdin are untrusted: lines are read through linerd with a hard
 * limit.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "attrs.h"
#include "cli.h"
#include "linerd.h"
#include "log.h"
#include "sbuf.h"
#include "sqlmap.h"
#include "xalloc.h"

/* Longest key line on stdin; far above any address (RFC 5321: 256). */
#define QUERY_MAX_KEY_LINE (64u << 10)

/* Table types this command knows; sqlmap decides what the build has. */
static const char *const query_types[] = {"mysql", "sqlite"};

struct query_ctx {
	struct sqlmap **maps;
	size_t map_count;
	struct sbuf *value;
	struct sbuf *err;
};

/* query_usage - print the synopsis */
static int query_usage(FILE *fp, int status)
{
	fprintf(fp,
		"usage: postwarden query [-fv] [-c config_dir] -q key "
		"type:/path.cf ...\n"
		"       postwarden query [-fv] [-c config_dir] -q - "
		"type:/path.cf ... <keys\n"
		"\n"
		"  -q key  look key up; print the value (as postmap -q)\n"
		"  -q -    read keys from stdin; print key<TAB>value\n"
		"  -f      do not lower-case keys (as postmap -f)\n"
		"  -c dir  accepted for postmap compatibility; not used\n"
		"  -v      verbose logging\n"
		"\n"
		"types: mysql, sqlite. Exit: 0 found, 1 not found, %d usage,\n"
		"%d database unreachable, %d bad table or .cf file.\n",
		CLI_EXIT_USAGE, CLI_EXIT_TEMPFAIL, CLI_EXIT_CONFIG);
	return status;
}

/*
 * query_fatal - "postwarden: fatal: ..." on stderr, then exit with status
 * (never 1, which means "not found"). Output already printed is flushed.
 */
static void query_fatal(int status, const char *fmt, ...)
    ATTR_PRINTF(2, 3) ATTR_NORETURN;

static void query_fatal(int status, const char *fmt, ...)
{
	struct sbuf *msg = sbuf_new(256);
	va_list ap;

	(void)fflush(stdout);
	va_start(ap, fmt);
	(void)sbuf_vprintf(msg, fmt, ap);
	va_end(ap);
	log_set_fatal_status(status);
	log_fatal("%s", sbuf_cstr(msg));
}

/* query_check_type - reject table types other than ours, clearly */
static void query_check_type(const char *spec)
{
	const char *colon = strchr(spec, ':');
	size_t len;
	size_t i;

	if (colon == NULL || colon == spec) {
		query_fatal(CLI_EXIT_CONFIG,
			    "table \"%s\": no table type; "
			    "use mysql:/path.cf or sqlite:/path.cf",
			    spec);
	}
	len = (size_t)(colon - spec);
	for (i = 0; i < sizeof(query_types) / sizeof(query_types[0]); i++)
		if (strlen(query_types[i]) == len &&
		    strncmp(spec, query_types[i], len) == 0)
			return;
	query_fatal(CLI_EXIT_CONFIG,
		    "table \"%s\": unsupported table type "
		    "\"%.*s\"; supported: mysql, sqlite",
		    spec, (int)len, spec);
}

/* query_names_table - whether sqlmap's message already starts "spec:" */
static bool query_names_table(const char *msg, const char *spec)
{
	size_t n = strlen(spec);

	return strncmp(msg, spec, n) == 0 && msg[n] == ':';
}

/*
 * query_one - look key up in each table in turn. Returns true with the
 * value in ctx->value, or false. A lookup error exits CLI_EXIT_TEMPFAIL.
 */
static bool query_one(struct query_ctx *ctx, const char *key)
{
	size_t i;

	for (i = 0; i < ctx->map_count; i++) {
		sbuf_reset(ctx->value);
		sbuf_reset(ctx->err);
		switch (
		    sqlmap_lookup(ctx->maps[i], key, ctx->value, ctx->err)) {
		case SQLMAP_FOUND:
			/* postmap warns, and still prints (dict.c) */
			if (sbuf_is_empty(ctx->value)) {
				log_warn("table %s: empty string result is "
					 "not allowed",
					 sqlmap_name(ctx->maps[i]));
				log_warn("table %s: should return NO RESULT "
					 "in case of NOT FOUND",
					 sqlmap_name(ctx->maps[i]));
			}
			return true;
		case SQLMAP_NOTFOUND:
			break;
		case SQLMAP_TEMPFAIL:
		default:
			if (query_names_table(sbuf_cstr(ctx->err),
					      sqlmap_name(ctx->maps[i])))
				query_fatal(CLI_EXIT_TEMPFAIL, "table %s",
					    sbuf_cstr(ctx->err));
			query_fatal(
			    CLI_EXIT_TEMPFAIL, "table %s: query error: %s",
			    sqlmap_name(ctx->maps[i]),
			    sbuf_is_empty(ctx->err) ? "unknown error"
						    : sbuf_cstr(ctx->err));
		}
	}
	return false;
}

/* query_key - -q KEY: print the value alone */
static int query_key(struct query_ctx *ctx, const char *key)
{
	if (!query_one(ctx, key))
		return CLI_EXIT_NOTFOUND;
	printf("%s\n", sbuf_cstr(ctx->value));
	return CLI_EXIT_OK;
}

/* query_stdin - -q -: one key per line, print key<TAB>value when found */
static int query_stdin(struct query_ctx *ctx)
{
	struct linerd *lr = linerd_new(QUERY_MAX_KEY_LINE, 0);
	struct sbuf *line = sbuf_new(256);
	bool found = false;
	int status;

	for (;;) {
		switch (linerd_read_fd(lr, STDIN_FILENO, line)) {
		case LINERD_LINE:
			break;
		case LINERD_EOF:
			status = found ? CLI_EXIT_OK : CLI_EXIT_NOTFOUND;
			goto out;
		case LINERD_NEED_MORE:
			/* not returned by the blocking reader */
			continue;
		case LINERD_TOO_LONG:
			query_fatal(CLI_EXIT_DATAERR,
				    "stdin: key line longer than %u bytes",
				    QUERY_MAX_KEY_LINE);
		case LINERD_ERROR:
		default:
			query_fatal(EX_IOERR, "stdin: read error: %s",
				    strerror(errno));
		}
		/* Like postmap: the key stops at a NUL byte, CR is kept. */
		if (query_one(ctx, sbuf_cstr(line))) {
			printf("%s\t%s\n", sbuf_cstr(line),
			       sbuf_cstr(ctx->value));
			found = true;
		}
	}
out:
	sbuf_free(&line);
	linerd_free(&lr);
	return status;
}

/* cli_query_main - postwarden query [-fv] [-c dir] -q key|- table ... */
int cli_query_main(int argc, char **argv)
{
	struct query_ctx ctx = {0};
	const char *key = NULL;
	int flags = SQLMAP_FOLD_KEY;
	int status;
	int ch;
	int i;

	opterr = 0;
	optind = 1;
	while ((ch = getopt(argc, argv, "+c:fhq:v")) != -1) {
		switch (ch) {
		case 'c':
			/* postmap's config_dir: .cf paths are absolute here */
			break;
		case 'f':
			flags &= ~SQLMAP_FOLD_KEY;
			break;
		case 'h':
			return query_usage(stdout, CLI_EXIT_OK);
		case 'q':
			key = optarg;
			break;
		case 'v':
			log_set_verbose(true);
			break;
		default:
			log_warn("query: bad option or missing argument: -%c",
				 optopt);
			return query_usage(stderr, CLI_EXIT_USAGE);
		}
	}
	if (key == NULL || optind >= argc) {
		log_warn("query: %s",
			 key == NULL ? "-q key is required" : "no table given");
		return query_usage(stderr, CLI_EXIT_USAGE);
	}

	ctx.map_count = (size_t)(argc - optind);
	ctx.maps = xcalloc(ctx.map_count, sizeof(*ctx.maps));
	ctx.value = sbuf_new(256);
	ctx.err = sbuf_new(256);
	for (i = optind; i < argc; i++) {
		struct sqlmap **mp = &ctx.maps[i - optind];

		query_check_type(argv[i]);
		sbuf_reset(ctx.err);
		*mp = sqlmap_open(argv[i], flags, ctx.err);
		if (*mp == NULL &&
		    query_names_table(sbuf_cstr(ctx.err), argv[i]))
			query_fatal(CLI_EXIT_CONFIG, "table %s",
				    sbuf_cstr(ctx.err));
		if (*mp == NULL)
			query_fatal(CLI_EXIT_CONFIG, "table %s: %s", argv[i],
				    sbuf_is_empty(ctx.err)
					? "cannot open"
					: sbuf_cstr(ctx.err));
	}

	if (strcmp(key, "-") == 0)
		status = query_stdin(&ctx);
	else
		status = query_key(&ctx, key);

	/* Found or not, the caller did not get the answer. */
	if (fflush(stdout) != 0 || ferror(stdout))
		query_fatal(EX_IOERR, "write to stdout: %s", strerror(errno));

	for (i = 0; (size_t)i < ctx.map_count; i++)
		sqlmap_close(&ctx.maps[i]);
	free(ctx.maps);
	sbuf_free(&ctx.value);
	sbuf_free(&ctx.err);
	return status;
}
