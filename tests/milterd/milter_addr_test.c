/* milter_addr_test.c - the From: address for signing-table lookups */
#include "config.h"

#include <criterion/criterion.h>
#include <string.h>

#include "milter_addr.h"
#include "sbuf.h"

Test(milter_addr, good)
{
	static const struct {
		const char *value;
		const char *addr;
	} cases[] = {
	    {" alice@example.com", "alice@example.com"},
	    {"alice@Example.COM", "alice@example.com"},
	    {" Alice <Alice@Example.com>", "Alice@example.com"},
	    {" \"Doe, John\" <john@example.com>", "john@example.com"},
	    {" \"a <b@evil.com>\" <c@good.com>", "c@good.com"},
	    {" (comment <x@evil.com>) d@good.com", "d@good.com"},
	    {" d@good.com (a (nested) comment)", "d@good.com"},
	    {" Name\r\n\t<e@example.org>", "e@example.org"},
	    {" < f@example.org >", "f@example.org"},
	    {" a@one.example, b@two.example", "a@one.example"},
	    {" \"quoted local\"@example.com", "\"quoted local\"@example.com"},
	    {" x@sub_domain.example", "x@sub_domain.example"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sbuf *out = sbuf_new(0), *err = sbuf_new(0);
		size_t off = 0;

		cr_assert_eq(milter_addr_from(cases[i].value,
					      strlen(cases[i].value), out,
					      &off, err),
			     0, "%s: %s", cases[i].value, sbuf_cstr(err));
		cr_assert_str_eq(sbuf_cstr(out), cases[i].addr, "%s",
				 cases[i].value);
		cr_assert_eq(sbuf_cstr(out)[off - 1], '@');
		sbuf_free(&out);
		sbuf_free(&err);
	}
}

Test(milter_addr, bad)
{
	static const char *const cases[] = {
	    "",
	    " ",
	    " undisclosed-recipients:;",
	    " Alice <alice@example.com",
	    " alice",
	    " alice@",
	    " @example.com",
	    " alice@exa mple.com",
	    " alice@example..com",
	    " alice@example.com.",
	    " alice@ex\xc3\xa4mple.com",
	    " (unclosed comment alice@example.com",
	    " ((((((((((((((((((x))))))))))))))))) a@b.c",
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sbuf *out = sbuf_new(0), *err = sbuf_new(0);

		cr_assert_eq(milter_addr_from(cases[i], strlen(cases[i]), out,
					      NULL, err),
			     -1, "%s -> %s", cases[i], sbuf_cstr(out));
		cr_assert(!sbuf_is_empty(err));
		sbuf_free(&out);
		sbuf_free(&err);
	}
}

Test(milter_addr, limits)
{
	struct sbuf *v = sbuf_new(0), *out = sbuf_new(0), *err = sbuf_new(0);

	sbuf_putc(v, ' ');
	for (int i = 0; i < MILTER_ADDR_MAX + 10; i++)
		sbuf_putc(v, 'a');
	sbuf_append_str(v, "@example.com");
	cr_assert_eq(milter_addr_from(sbuf_cstr(v), sbuf_len(v), out, NULL,
				      err),
		     -1);
	cr_assert(strstr(sbuf_cstr(err), "longer") != NULL, "%s",
		  sbuf_cstr(err));
	/* a NUL byte inside the value */
	sbuf_reset(err);
	cr_assert_eq(milter_addr_from(" a\0b@example.com", 16, out, NULL, err),
		     -1);
	sbuf_free(&v);
	sbuf_free(&out);
	sbuf_free(&err);
}
