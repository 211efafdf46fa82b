/*
 * dkim_testdata.h - helpers shared by the DKIM tests: files from the
 * shared vectors ($PW_TESTDATA_DIR/dkim) and messages split into header
 * fields and body the way an MTA hands them over.
 */
#ifndef PW_DKIM_TESTDATA_H
#define PW_DKIM_TESTDATA_H

#include <stdbool.h>
#include <stddef.h>

struct sbuf;

/* testdata_dir - $PW_TESTDATA_DIR/dkim, or NULL when absent (skip) */
const char *testdata_dir(void);
/*
 * testdata_read - the file at dkim/rel (caller frees); NULL when it
 * cannot be read. With strip, trailing CR/LF go (DNS record files).
 */
struct sbuf *testdata_read(const char *rel, bool strip);

/* A message: header fields without their final CRLF, and the body. */
struct testmsg {
	size_t nhdr;
	struct sbuf **hdr;
	struct sbuf *body;
};

/*
 * testmsg_parse - split a message file: LF line ends become CRLF first
 * (as dkimpy does with files), a line starting with SP or HTAB continues
 * the field before, the first empty line ends the header. Caller frees.
 */
struct testmsg *testmsg_parse(const unsigned char *p, size_t n);
void testmsg_free(struct testmsg **mp);

#endif
