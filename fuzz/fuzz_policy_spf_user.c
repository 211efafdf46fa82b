/*
 * fuzz_policy_spf_user.c - one line of a Per_User file
 * (policy_spf_user_parse), then the settings it makes loaded on top of
 * the defaults, as policy_spf_conf_load does for each entry.
 *
 * Input: the line (bytes after a NUL are ignored).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "log.h"
#include "policy_spf_conf.h"
#include "sbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sbuf *line = sbuf_new(size + 1), *text = sbuf_new(256),
		    *err = sbuf_new(0);
	struct policy_spf_conf cf;
	struct conf *c = NULL;
	char *recipient = NULL;

	sbuf_append(line, data, size);
	if (policy_spf_user_parse(sbuf_cstr(line), &recipient, text, err) ==
		0 &&
	    recipient != NULL) {
		if (*recipient == '\0')
			log_panic("policy_spf_user: empty recipient");
		if (conf_parse(sbuf_cstr(text), sbuf_len(text), "fuzz", &c,
			       NULL, err) < 0)
			log_panic("policy_spf_user: text does not parse: %s",
				  sbuf_cstr(err));
		if (policy_spf_conf_load(c, &cf, err) == 0)
			policy_spf_conf_release(&cf);
		conf_free(&c);
	}
	free(recipient);
	sbuf_free(&line);
	sbuf_free(&text);
	sbuf_free(&err);
	return 0;
}
