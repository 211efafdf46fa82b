/* dkim_testdata.c - shared helpers of the DKIM tests */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dkim_testdata.h"
#include "readfile.h"
#include "sbuf.h"
#include "xalloc.h"

/* testdata_dir - where the DKIM vectors are, if anywhere */
const char *testdata_dir(void)
{
	static char path[4096];
	const char *d = getenv("PW_TESTDATA_DIR");
	struct stat st;

	if (d == NULL ||
	    (size_t)snprintf(path, sizeof(path), "%s/dkim", d) >= sizeof(path))
		return NULL;
	if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
		return NULL;
	return path;
}

/* testdata_read - one vector file */
struct sbuf *testdata_read(const char *rel, bool strip)
{
	struct sbuf *path = sbuf_new(0), *err = sbuf_new(0);
	struct sbuf *data = sbuf_new_max(0, 1u << 20);
	const char *dir = testdata_dir();

	if (dir == NULL)
		goto fail;
	sbuf_printf(path, "%s/%s", dir, rel);
	if (readfile(sbuf_cstr(path), data, NULL, err) < 0)
		goto fail;
	while (strip && sbuf_len(data) > 0 &&
	       (sbuf_cstr(data)[sbuf_len(data) - 1] == '\n' ||
		sbuf_cstr(data)[sbuf_len(data) - 1] == '\r'))
		sbuf_truncate(data, sbuf_len(data) - 1);
	sbuf_free(&path);
	sbuf_free(&err);
	return data;
fail:
	sbuf_free(&path);
	sbuf_free(&err);
	sbuf_free(&data);
	return NULL;
}

/* testmsg_parse - message bytes to header fields and body */
struct testmsg *testmsg_parse(const unsigned char *p, size_t n)
{
	struct testmsg *m = xcalloc(1, sizeof(*m));
	struct sbuf *crlf = sbuf_new(n + n / 16);
	const char *s, *end, *eol;
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] == '\n' && (i == 0 || p[i - 1] != '\r'))
			sbuf_putc(crlf, '\r');
		sbuf_putc(crlf, p[i]);
	}
	s = sbuf_cstr(crlf);
	end = s + sbuf_len(crlf);
	m->body = sbuf_new(0);
	while (s < end) {
		eol = strstr(s, "\r\n");
		if (eol == NULL)
			eol = end;
		if (eol == s) { /* the empty line: the body follows */
			s += 2;
			sbuf_append(m->body, s, (size_t)(end - s));
			break;
		}
		if ((*s == ' ' || *s == '\t') && m->nhdr > 0) {
			sbuf_append(m->hdr[m->nhdr - 1], "\r\n", 2);
		} else {
			m->hdr =
			    xrealloc(m->hdr, (m->nhdr + 1) * sizeof(*m->hdr));
			m->hdr[m->nhdr++] = sbuf_new(0);
		}
		sbuf_append(m->hdr[m->nhdr - 1], s, (size_t)(eol - s));
		s = eol < end ? eol + 2 : end;
	}
	sbuf_free(&crlf);
	return m;
}

/* testmsg_free - release a message */
void testmsg_free(struct testmsg **mp)
{
	size_t i;

	if (*mp == NULL)
		return;
	for (i = 0; i < (*mp)->nhdr; i++)
		sbuf_free(&(*mp)->hdr[i]);
	free((*mp)->hdr);
	sbuf_free(&(*mp)->body);
	free(*mp);
	*mp = NULL;
}
