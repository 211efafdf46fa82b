/*
 * fuzz_dkim_verify.c - whole messages from untrusted input through the
 * verifier (any key name answered with one fixed record), and through a
 * sign-then-verify round trip that must always pass.
 *
 * Input: a message; header fields end at the first empty line, lines
 * end in LF or CRLF, and a line starting with SP or HTAB continues the
 * field before. The first input byte picks the canonicalizations.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "dkim_crypto.h"
#include "dkim_sign.h"
#include "dkim_verify.h"
#include "log.h"
#include "sbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Ed25519 key pair of the all-zero seed (a fixed test key) */
#define SEED "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
#define RECORD                                                                 \
	"v=DKIM1; k=ed25519; p=O2onvM62pC1io6jQKm8Nc2UyFXcd4kOmOsBIoYtZ2ik="

/* field handed to fn: the callers below */
typedef int field_fn(void *obj, const char *f, size_t n, struct sbuf *err);

static int add_verify(void *obj, const char *f, size_t n, struct sbuf *err)
{
	return dkim_verify_header(obj, f, n, err);
}

static int add_sign(void *obj, const char *f, size_t n, struct sbuf *err)
{
	return dkim_sign_header(obj, f, n, err);
}

/*
 * split - feed the header fields to fn; returns the offset of the body,
 * or (size_t)-1 when fn refused a field
 */
static size_t split(const uint8_t *d, size_t n, field_fn *fn, void *obj)
{
	struct sbuf *f = sbuf_new(0), *err = sbuf_new(0);
	size_t i = 0, eol, len, body = n;
	bool have = false;

	while (i < n) {
		const uint8_t *nl = memchr(d + i, '\n', n - i);

		eol = nl != NULL ? (size_t)(nl - d) : n;
		len = eol - i;
		if (len > 0 && d[i + len - 1] == '\r')
			len--;
		if (len == 0) {
			body = eol < n ? eol + 1 : n;
			break;
		}
		if (have && (d[i] == ' ' || d[i] == '\t')) {
			sbuf_append(f, "\r\n", 2);
		} else if (have) {
			if (fn(obj, sbuf_cstr(f), sbuf_len(f), err) < 0)
				goto refused;
			sbuf_reset(f);
		}
		sbuf_append(f, d + i, len);
		have = true;
		i = eol < n ? eol + 1 : n;
	}
	if (have && fn(obj, sbuf_cstr(f), sbuf_len(f), err) < 0)
		goto refused;
	sbuf_free(&f);
	sbuf_free(&err);
	return body;
refused:
	sbuf_free(&f);
	sbuf_free(&err);
	return (size_t)-1;
}

/* verify_all - verify, with RECORD for every key; the result of sig 0 */
static enum dkim_result verify_all(const struct sbuf *top, const uint8_t *d,
				   size_t n, struct sbuf *why)
{
	struct dkim_verify_opts o;
	struct dkim_verify *v;
	struct sbuf *err = sbuf_new(0);
	enum dkim_result r = DKIM_RES_NONE;
	size_t body, i;

	dkim_verify_opts_init(&o);
	o.now = 1700000000;
	v = dkim_verify_new(&o);
	if (top != NULL &&
	    dkim_verify_header(v, sbuf_cstr(top), sbuf_len(top), err) < 0)
		log_panic("dkim_verify: own signature field refused: %s",
			  sbuf_cstr(err));
	if ((body = split(d, n, add_verify, v)) == (size_t)-1)
		goto out;
	dkim_verify_eoh(v);
	for (i = 0; i < dkim_verify_count(v); i++)
		if (dkim_verify_key_name(v, i) != NULL)
			dkim_verify_key(v, i,
					i % 3 == 2 ? DKIM_VERIFY_KEY_TEMPFAIL
						   : DKIM_VERIFY_KEY_FOUND,
					RECORD, strlen(RECORD));
	/* two chunks, split in the middle */
	dkim_verify_body(v, d + body, (n - body) / 2);
	dkim_verify_body(v, d + body + (n - body) / 2,
			 n - body - (n - body) / 2);
	dkim_verify_eom(v);
	for (i = 0; i < dkim_verify_count(v); i++) {
		const char *reason;
		enum dkim_result ri = dkim_verify_result(v, i, &reason);

		if (i == 0) {
			r = ri;
			sbuf_set(why, reason);
		}
	}
out:
	dkim_verify_free(&v);
	sbuf_free(&err);
	return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dkim_crypto_key *key = NULL;
	struct sbuf *err = sbuf_new(0), *field = sbuf_new(0);
	struct dkim_sign_opts o;
	struct dkim_sign *s;
	enum dkim_result r;
	size_t body;

	(void)verify_all(NULL, data, size, err);
	if (dkim_crypto_key_private(SEED, strlen(SEED), &key, err) < 0)
		log_panic("fuzz_dkim_verify: key: %s", sbuf_cstr(err));
	dkim_sign_opts_init(&o);
	o.alg = DKIM_ALG_ED25519_SHA256;
	o.domain = "example.org";
	o.selector = "fuzz";
	o.timestamp = 1600000000;
	if (size > 0) {
		o.hcanon = data[0] & 1 ? DKIM_CANON_SIMPLE : DKIM_CANON_RELAXED;
		o.bcanon = data[0] & 2 ? DKIM_CANON_SIMPLE : DKIM_CANON_RELAXED;
	}
	if ((s = dkim_sign_new(&o, key, err)) == NULL)
		log_panic("fuzz_dkim_verify: signer: %s", sbuf_cstr(err));
	body = split(data, size, add_sign, s);
	if (body != (size_t)-1) {
		dkim_sign_body(s, data + body, size - body);
		if (dkim_sign_eom(s, field, err) == 0) {
			r = verify_all(field, data, size, err);
			if (r != DKIM_RES_PASS)
				log_panic("dkim: own signature gives %s: %s",
					  dkim_result_name(r), sbuf_cstr(err));
		}
	}
	dkim_sign_free(&s);
	dkim_crypto_key_free(&key);
	sbuf_free(&err);
	sbuf_free(&field);
	return 0;
}
