/*
 * standalone.c - replay inputs through a fuzz target without libFuzzer.
 *
 * Linked with every fuzz_*.c when configure has no --enable-fuzz, so the
 * targets always build and "make check" runs each over its corpus. Each
 * argument is a file or a directory whose files (not subdirectories) are
 * read in turn. Arguments that start with '-' are libFuzzer options and
 * are ignored, so one command line works for both drivers.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sbuf.h"
#include "xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* run_file - feed one file to the target; -1 if it cannot be read */
static int run_file(const char *path)
{
	struct sbuf *b = sbuf_new(4096);
	char chunk[4096]; /* fixed: a read buffer, copied out at once */
	unsigned char *copy;
	size_t n;
	FILE *fp;
	int ret = -1;

	if ((fp = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		goto out;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		sbuf_append(b, chunk, n);
	if (ferror(fp)) {
		fprintf(stderr, "%s: read error\n", path);
		fclose(fp);
		goto out;
	}
	fclose(fp);
	/* An exact-size copy, so ASan sees any read past the end. */
	copy = xmemdup(sbuf_data(b), sbuf_len(b));
	LLVMFuzzerTestOneInput(copy, sbuf_len(b));
	free(copy);
	ret = 0;
out:
	sbuf_free(&b);
	return ret;
}

/* run_dir - feed every regular file in a directory; count them */
static int run_dir(const char *dir, unsigned long *count)
{
	struct sbuf *path = sbuf_new(256);
	struct dirent *de;
	struct stat st;
	DIR *dp;
	int ret = 0;

	if ((dp = opendir(dir)) == NULL) {
		fprintf(stderr, "%s: %s\n", dir, strerror(errno));
		sbuf_free(&path);
		return -1;
	}
	while ((de = readdir(dp)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		sbuf_reset(path);
		sbuf_printf(path, "%s/%s", dir, de->d_name);
		if (stat(sbuf_cstr(path), &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		if (run_file(sbuf_cstr(path)) < 0)
			ret = -1;
		else
			(*count)++;
	}
	closedir(dp);
	sbuf_free(&path);
	return ret;
}

int main(int argc, char **argv)
{
	unsigned long count = 0;
	struct stat st;
	int i, ret = 0;

	for (i = 1; i < argc; i++) {
		if (argv[i][0] == '-')
			continue;
		if (stat(argv[i], &st) < 0) {
			fprintf(stderr, "%s: %s\n", argv[i], strerror(errno));
			ret = 1;
		} else if (S_ISDIR(st.st_mode)) {
			if (run_dir(argv[i], &count) < 0)
				ret = 1;
		} else if (run_file(argv[i]) < 0) {
			ret = 1;
		} else {
			count++;
		}
	}
	if (count == 0) {
		fprintf(stderr, "%s: no inputs\n", argv[0]);
		return 1;
	}
	fprintf(stderr, "%s: %lu inputs ran\n", argv[0], count);
	return ret;
}
