/*
 * cli_dkim_msg.h - a message for "postwarden dkim sign" and "verify":
 * read whole from a file descriptor under a hard limit (the signature
 * goes on top of what was read, so the input is kept byte for byte),
 * split into the header fields the DKIM library takes ("Name:value",
 * CRLF folding inside, no final CRLF) and a body with CRLF line ends,
 * whatever the line ends of the input (LF or CRLF).
 *
 * RFC 5322 2.2: a header line is "name:" (printable US-ASCII but the
 * colon; obsolete syntax allows blanks before the colon, 4.5.3) or a
 * continuation that starts with SP or HTAB; the first empty line ends
 * the header. Input without an empty line is all header (no body).
 *
 * The message is untrusted: limits on its size (CLI_DKIM_MSG_MAX), on
 * the number of fields and the bytes of the header (those of
 * dkim_hdrs.h, so what we split the library takes). Values may hold any
 * byte but LF, NUL and 8-bit bytes included; they are kept as sent.
 * cli_dkim_msg_parse is pure. Not thread-safe: one owner at a time.
 */
#ifndef PW_CLI_DKIM_MSG_H
#define PW_CLI_DKIM_MSG_H

#include <stdbool.h>
#include <stddef.h>

struct sbuf;
struct cli_dkim_msg;

#define CLI_DKIM_MSG_MAX (64u << 20) /* bytes of a message */

/*
 * cli_dkim_msg_read - read fd to its end (at most max bytes, max <=
 * CLI_DKIM_MSG_MAX) and split it. Returns an enum cli_exit status: 0,
 * CLI_EXIT_DATAERR (too large or not a message) or EX_IOERR (read
 * error), with a reason appended to err. *m_r: cli_dkim_msg_free; NULL
 * after an error.
 */
int cli_dkim_msg_read(int fd, size_t max, struct cli_dkim_msg **m_r,
		      struct sbuf *err);

/*
 * cli_dkim_msg_parse - split the n bytes at p (copied; at most
 * CLI_DKIM_MSG_MAX). Returns 0, or -1 with a reason appended to err and
 * *m_r NULL. *m_r: cli_dkim_msg_free.
 */
int cli_dkim_msg_parse(const void *p, size_t n, struct cli_dkim_msg **m_r,
		       struct sbuf *err);
void cli_dkim_msg_free(struct cli_dkim_msg **mp); /* NULL-safe */

/* cli_dkim_msg_count - the number of header fields */
size_t cli_dkim_msg_count(const struct cli_dkim_msg *m);
/* cli_dkim_msg_field - field i < count, top first; the line end of each
 * folded line but the last is CRLF (borrowed while m lives) */
const char *cli_dkim_msg_field(const struct cli_dkim_msg *m, size_t i,
			       size_t *len_r);
/* cli_dkim_msg_is_crlf - did the first line of the input end in CRLF? */
bool cli_dkim_msg_is_crlf(const struct cli_dkim_msg *m);
/* cli_dkim_msg_raw - the input as read (borrowed while m lives) */
const unsigned char *cli_dkim_msg_raw(const struct cli_dkim_msg *m,
				      size_t *len_r);
/* cli_dkim_msg_header_len - bytes of the input before the body: the
 * header lines and the empty line after them, if any */
size_t cli_dkim_msg_header_len(const struct cli_dkim_msg *m);

/* cli_dkim_body_fn - receives the body in pieces */
typedef void cli_dkim_body_fn(void *ctx, const void *p, size_t n);
/*
 * cli_dkim_msg_body - call fn with the body, every LF not after a CR
 * made CRLF, in pieces; a last line without LF stays without (RFC 6376
 * 3.4.3 and 3.4.4 say what that means)
 */
void cli_dkim_msg_body(const struct cli_dkim_msg *m, cli_dkim_body_fn *fn,
		       void *ctx);

#endif
