/*
 * dkim_tool.c - sign or verify one message file with libdkim, for the
 * interoperability test (dkim_interop.sh). Not installed.
 *
 *	dkim_tool sign KEYFILE DOMAIN SELECTOR ALG HCANON/BCANON < in > out
 *	dkim_tool verify NAME=RECORDFILE... < in
 *
 * sign writes the message with CRLF line ends and the new
 * DKIM-Signature on top. verify prints one result per signature and
 * exits 0 when the topmost signature (the newest) passes, 1 otherwise,
 * 2 on usage errors.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "dkim_crypto.h"
#include "dkim_sign.h"
#include "dkim_testdata.h"
#include "dkim_verify.h"
#include "readfile.h"
#include "sbuf.h"

/* read_stdin - the whole message */
static struct sbuf *read_stdin(void)
{
	struct sbuf *b = sbuf_new(4096);
	char buf[4096];
	ssize_t n;

	while ((n = read(0, buf, sizeof(buf))) > 0)
		sbuf_append(b, buf, (size_t)n);
	return b;
}

/* read_file - a whole file, trailing newlines cut when strip */
static struct sbuf *read_file(const char *path, bool strip)
{
	struct sbuf *b = sbuf_new(0), *err = sbuf_new(0);

	if (readfile(path, b, NULL, err) < 0) {
		fprintf(stderr, "dkim_tool: %s\n", sbuf_cstr(err));
		exit(2);
	}
	while (strip && sbuf_len(b) > 0 &&
	       strchr("\r\n", sbuf_cstr(b)[sbuf_len(b) - 1]) != NULL)
		sbuf_truncate(b, sbuf_len(b) - 1);
	sbuf_free(&err);
	return b;
}

/* cmd_sign - sign stdin */
static int cmd_sign(char **argv)
{
	struct sbuf *keyfile = read_file(argv[0], false), *err = sbuf_new(0);
	struct sbuf *msg = read_stdin(), *out = sbuf_new(0);
	struct dkim_crypto_key *key = NULL;
	struct dkim_sign_opts o;
	struct dkim_sign *s;
	struct testmsg *m;
	size_t i;

	if (dkim_crypto_key_private(sbuf_cstr(keyfile), sbuf_len(keyfile), &key,
				    err) < 0) {
		fprintf(stderr, "dkim_tool: %s\n", sbuf_cstr(err));
		return 2;
	}
	sbuf_free_secret(&keyfile);
	dkim_sign_opts_init(&o);
	o.domain = argv[1];
	o.selector = argv[2];
	o.alg = strcmp(argv[3], "ed25519-sha256") == 0 ? DKIM_ALG_ED25519_SHA256
						       : DKIM_ALG_RSA_SHA256;
	o.hcanon = strncmp(argv[4], "simple", 6) == 0 ? DKIM_CANON_SIMPLE
						      : DKIM_CANON_RELAXED;
	o.bcanon = strstr(argv[4], "/simple") != NULL ? DKIM_CANON_SIMPLE
						      : DKIM_CANON_RELAXED;
	o.timestamp = 1700000000;
	if ((s = dkim_sign_new(&o, key, err)) == NULL) {
		fprintf(stderr, "dkim_tool: %s\n", sbuf_cstr(err));
		return 2;
	}
	m = testmsg_parse(sbuf_data(msg), sbuf_len(msg));
	for (i = 0; i < m->nhdr; i++)
		if (dkim_sign_header(s, sbuf_cstr(m->hdr[i]),
				     sbuf_len(m->hdr[i]), err) < 0) {
			fprintf(stderr, "dkim_tool: %s\n", sbuf_cstr(err));
			return 2;
		}
	dkim_sign_body(s, sbuf_data(m->body), sbuf_len(m->body));
	if (dkim_sign_eom(s, out, err) < 0) {
		fprintf(stderr, "dkim_tool: %s\n", sbuf_cstr(err));
		return 2;
	}
	sbuf_append_str(out, "\r\n");
	for (i = 0; i < m->nhdr; i++) {
		sbuf_append(out, sbuf_data(m->hdr[i]), sbuf_len(m->hdr[i]));
		sbuf_append_str(out, "\r\n");
	}
	sbuf_append_str(out, "\r\n");
	sbuf_append(out, sbuf_data(m->body), sbuf_len(m->body));
	fwrite(sbuf_data(out), 1, sbuf_len(out), stdout);
	dkim_sign_free(&s);
	dkim_crypto_key_free(&key);
	testmsg_free(&m);
	sbuf_free(&msg);
	sbuf_free(&out);
	sbuf_free(&err);
	return 0;
}

/* cmd_verify - verify stdin with the records given as NAME=FILE */
static int cmd_verify(int argc, char **argv)
{
	struct sbuf *msg = read_stdin(), *err = sbuf_new(0);
	struct dkim_verify_opts o;
	struct dkim_verify *v;
	struct testmsg *m;
	const char *reason;
	size_t i;
	int k, status = 0;

	dkim_verify_opts_init(&o);
	v = dkim_verify_new(&o);
	m = testmsg_parse(sbuf_data(msg), sbuf_len(msg));
	for (i = 0; i < m->nhdr; i++)
		if (dkim_verify_header(v, sbuf_cstr(m->hdr[i]),
				       sbuf_len(m->hdr[i]), err) < 0) {
			fprintf(stderr, "dkim_tool: %s\n", sbuf_cstr(err));
			return 2;
		}
	dkim_verify_eoh(v);
	for (i = 0; i < dkim_verify_count(v); i++) {
		const char *name = dkim_verify_key_name(v, i);
		bool found = false;

		for (k = 0; name != NULL && k < argc && !found; k++) {
			const char *eq = strchr(argv[k], '=');
			struct sbuf *rec;

			if (eq == NULL ||
			    (size_t)(eq - argv[k]) != strlen(name) ||
			    strncasecmp(argv[k], name, strlen(name)) != 0)
				continue;
			rec = read_file(eq + 1, true);
			dkim_verify_key(v, i, DKIM_VERIFY_KEY_FOUND,
					sbuf_cstr(rec), sbuf_len(rec));
			sbuf_free(&rec);
			found = true;
		}
		if (name != NULL && !found)
			dkim_verify_key(v, i, DKIM_VERIFY_KEY_NONE, NULL, 0);
	}
	dkim_verify_body(v, sbuf_data(m->body), sbuf_len(m->body));
	dkim_verify_eom(v);
	if (dkim_verify_count(v) == 0) {
		printf("none\n");
		status = 1;
	}
	for (i = 0; i < dkim_verify_count(v); i++) {
		enum dkim_result r = dkim_verify_result(v, i, &reason);

		printf("%s %s\n", dkim_result_name(r), reason);
		if (i == 0 && r != DKIM_RES_PASS)
			status = 1;
	}
	dkim_verify_free(&v);
	testmsg_free(&m);
	sbuf_free(&msg);
	sbuf_free(&err);
	return status;
}

int main(int argc, char **argv)
{
	if (argc == 7 && strcmp(argv[1], "sign") == 0)
		return cmd_sign(argv + 2);
	if (argc >= 2 && strcmp(argv[1], "verify") == 0)
		return cmd_verify(argc - 2, argv + 2);
	fprintf(stderr, "usage: dkim_tool sign KEY DOMAIN SELECTOR ALG C\n"
			"       dkim_tool verify NAME=FILE... < message\n");
	return 2;
}
