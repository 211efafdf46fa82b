/* milter_keys_test.c - keys loaded from OpenDKIM tables at start-up */
#include "config.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "milter_keys.h"
#include "sbuf.h"

/* dkimpy_dir - the dkimpy test keys, or skip */
static const char *dkimpy_dir(void)
{
	static char path[4096];
	const char *d = getenv("PW_TESTDATA_DIR");
	struct stat st;

	if (d == NULL)
		cr_skip_test("PW_TESTDATA_DIR not set");
	snprintf(path, sizeof(path), "%s/dkim/dkimpy", d);
	if (stat(path, &st) < 0)
		cr_skip_test("no test data at %s", path);
	return path;
}

/* parse - tables from text */
static int parse(const char *kt, const char *stab, bool refile,
		 struct milter_keys **k_r, struct sbuf *err)
{
	return milter_keys_parse(kt, strlen(kt), stab, strlen(stab), refile,
				 k_r, err);
}

Test(milter_keys, dual_signing)
{
	const char *d = dkimpy_dir();
	struct sbuf *kt = sbuf_new(0), *err = sbuf_new(0);
	struct milter_keys *k = NULL;
	struct milter_sigspec specs[4];
	size_t n = 0;

	sbuf_printf(kt,
		    "rsa example.com:rsasel:%s/2048_testkey.key\n"
		    "ed example.com:edsel:%s/ed25519test.key\n"
		    "dom %%:dyn:%s/test.private\n",
		    d, d, d);
	cr_assert_eq(parse(sbuf_cstr(kt),
			   "*@example.com rsa\n*@example.com ed @%\n"
			   "*@example.org dom alice@%\n"
			   "*@example.net rsa @example.net\n",
			   true, &k, err),
		     0, "%s", sbuf_cstr(err));
	cr_assert_eq(milter_keys_count(k), 3);

	cr_assert_eq(milter_keys_select(k, "bob@example.com", 4, false, specs,
					4, &n, err),
		     0);
	cr_assert_eq(n, 2);
	cr_assert_str_eq(specs[0].domain, "example.com");
	cr_assert_str_eq(specs[0].selector, "rsasel");
	cr_assert_eq(specs[0].alg, DKIM_ALG_RSA_SHA256);
	cr_assert_null(specs[0].auid);
	cr_assert_str_eq(specs[1].selector, "edsel");
	cr_assert_eq(specs[1].alg, DKIM_ALG_ED25519_SHA256);
	cr_assert_str_eq(specs[1].auid, "@example.com");
	milter_keys_release(specs, n);

	/* "%" domain in the KeyTable, "%" in the signer */
	cr_assert_eq(milter_keys_select(k, "bob@example.org", 4, false, specs,
					4, &n, err),
		     0);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(specs[0].domain, "example.org");
	cr_assert_str_eq(specs[0].auid, "alice@example.org");
	milter_keys_release(specs, n);

	/* an i= outside d= is left out (opendkim.conf(5)) */
	cr_assert_eq(milter_keys_select(k, "bob@example.net", 4, false, specs,
					4, &n, err),
		     0);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(specs[0].domain, "example.com");
	cr_assert_null(specs[0].auid);
	milter_keys_release(specs, n);

	cr_assert_eq(milter_keys_select(k, "bob@example.info", 5, false,
					specs, 4, &n, err),
		     0);
	cr_assert_eq(n, 0);
	milter_keys_free(&k);
	cr_assert_null(k);
	sbuf_free(&kt);
	sbuf_free(&err);
}

Test(milter_keys, percent_keyname)
{
	const char *d = dkimpy_dir();
	struct sbuf *kt = sbuf_new(0), *err = sbuf_new(0);
	struct milter_keys *k = NULL;
	struct milter_sigspec specs[2];
	size_t n = 9;

	sbuf_printf(kt, "example.com example.com:s:%s/test.private\n", d);
	cr_assert_eq(parse(sbuf_cstr(kt), "* %\n", false, &k, err), 0, "%s",
		     sbuf_cstr(err));
	cr_assert_eq(milter_keys_select(k, "a@example.com", 2, false, specs,
					2, &n, err),
		     0);
	cr_assert_eq(n, 1);
	milter_keys_release(specs, n);
	/* matched, but no key named after the domain */
	cr_assert_eq(milter_keys_select(k, "a@example.net", 2, false, specs,
					2, &n, err),
		     -1);
	cr_assert_eq(n, 0);
	cr_assert(strstr(sbuf_cstr(err), "example.net") != NULL);
	milter_keys_free(&k);
	sbuf_free(&kt);
	sbuf_free(&err);
}

Test(milter_keys, startup_errors)
{
	const char *d = dkimpy_dir();
	struct sbuf *kt = sbuf_new(0), *err = sbuf_new(0);
	struct milter_keys *k = NULL;

	/* a key that cannot be read is a start-up error */
	cr_assert_eq(parse("k example.com:s:/nonexistent/key.private\n",
			   "* k\n", false, &k, err),
		     -1);
	cr_assert(strstr(sbuf_cstr(err), "/nonexistent/key.private") != NULL,
		  "%s", sbuf_cstr(err));
	cr_assert_null(k);

	/* a file that is not a key */
	sbuf_reset(err);
	sbuf_printf(kt, "k example.com:s:%s/test.txt\n", d);
	cr_assert_eq(parse(sbuf_cstr(kt), "* k\n", false, &k, err), -1);
	cr_assert(strstr(sbuf_cstr(err), "line 1") != NULL, "%s",
		  sbuf_cstr(err));

	/* a SigningTable naming a key the KeyTable lacks */
	sbuf_reset(err);
	sbuf_reset(kt);
	sbuf_printf(kt, "k example.com:s:%s/test.private\n", d);
	cr_assert_eq(parse(sbuf_cstr(kt), "* k\n*@x.org missing\n", true, &k,
			   err),
		     -1);
	cr_assert(strstr(sbuf_cstr(err), "line 2: key \"missing\"") != NULL,
		  "%s", sbuf_cstr(err));
	sbuf_free(&kt);
	sbuf_free(&err);
}

Test(milter_keys, load_files)
{
	const char *d = dkimpy_dir();
	char ktp[] = "/tmp/milter_keys_test.XXXXXX";
	char stp[] = "/tmp/milter_keys_test.XXXXXX";
	int kfd = mkstemp(ktp), sfd = mkstemp(stp);
	struct sbuf *err = sbuf_new(0);
	struct milter_keys *k = NULL;

	cr_assert(kfd >= 0 && sfd >= 0);
	dprintf(kfd, "k example.com:s:%s/test.private\n", d);
	dprintf(sfd, "example.com k\n");
	close(kfd);
	close(sfd);
	cr_assert_eq(milter_keys_load(ktp, stp, false, &k, err), 0, "%s",
		     sbuf_cstr(err));
	cr_assert_eq(milter_keys_count(k), 1);
	milter_keys_free(&k);
	unlink(stp);
	cr_assert_eq(milter_keys_load(ktp, stp, false, &k, err), -1);
	unlink(ktp);
	sbuf_free(&err);
}

Test(milter_keys, inline_key)
{
	struct sbuf *err = sbuf_new(0);
	struct milter_keys *k = NULL;
	struct milter_sigspec specs[1];
	size_t n = 0;

	/* a value without "/", "./" or "../" is the key itself: here an
	 * Ed25519 seed in base64 (RFC 8463 A.2) */
	cr_assert_eq(parse("ed example.com:brisbane:"
			   "nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=\n",
			   "example.com ed\n", false, &k, err),
		     0, "%s", sbuf_cstr(err));
	cr_assert_eq(milter_keys_select(k, "joe@example.com", 4, false, specs,
					1, &n, err),
		     0);
	cr_assert_eq(n, 1);
	cr_assert_eq(specs[0].alg, DKIM_ALG_ED25519_SHA256);
	milter_keys_release(specs, n);
	milter_keys_free(&k);
	/* a broken inline key is a start-up error */
	cr_assert_eq(parse("ed example.com:s:notakey\n", "* ed\n", false, &k,
			   err),
		     -1);
	cr_assert_null(k);
	sbuf_free(&err);
}
