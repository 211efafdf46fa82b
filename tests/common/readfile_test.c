/* readfile_test.c - whole-file reads, bounded by the buffer */
#include "config.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "readfile.h"
#include "sbuf.h"

static char dir[] = "/tmp/readfile_testXXXXXX";
static char path[64];

/* setup - a temporary directory with one small file */
static void setup(void)
{
	FILE *fp;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/f", dir);
	fp = fopen(path, "w");
	cr_assert_not_null(fp);
	fputs("a = 1\nsecret = s\n", fp);
	fclose(fp);
	chmod(path, 0640);
}

/* teardown - remove what setup made */
static void teardown(void)
{
	unlink(path);
	rmdir(dir);
}

TestSuite(readfile, .init = setup, .fini = teardown);

Test(readfile, reads_whole_file_and_stat)
{
	struct sbuf *data = sbuf_new(1), *err = sbuf_new(0);
	struct stat st;

	sbuf_set(data, ">");
	cr_assert_eq(readfile(path, data, &st, err), 0, "%s", sbuf_cstr(err));
	cr_expect_str_eq(sbuf_cstr(data), ">a = 1\nsecret = s\n");
	cr_expect_eq(st.st_mode & 07777, 0640);
	cr_expect_eq(st.st_size, 17);
	sbuf_free(&data);
	sbuf_free(&err);
}

Test(readfile, too_large_for_buffer)
{
	struct sbuf *data = sbuf_new_max(0, 10), *err = sbuf_new(0);

	cr_expect_eq(readfile(path, data, NULL, err), -1);
	cr_expect(strstr(sbuf_cstr(err), "too large"), "%s", sbuf_cstr(err));
	sbuf_free(&data);
	sbuf_free(&err);
}

Test(readfile, missing_and_special_files)
{
	struct sbuf *data = sbuf_new(0), *err = sbuf_new(0);

	cr_expect_eq(readfile("/nonexistent/file", data, NULL, err), -1);
	cr_expect(strstr(sbuf_cstr(err), "No such file"), "%s",
		  sbuf_cstr(err));
	sbuf_reset(err);
	cr_expect_eq(readfile(dir, data, NULL, err), -1);
	cr_expect(strstr(sbuf_cstr(err), "not a regular file"), "%s",
		  sbuf_cstr(err));
	sbuf_free(&data);
	sbuf_free(&err);
}
