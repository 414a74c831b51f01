/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A minimal TAP harness for the libprotkey unit tests: the plan "1..N"
 * first (t_plan()), one "ok N - name" or "not ok N - name" line per check,
 * a summary line, and helpers to build CCA AES DATA tokens and to snapshot
 * a directory. tests/run fails a program whose results fall short of its
 * plan, so a check that stops running cannot go unnoticed.
 */
#ifndef PROTKEY_TEST_H
#define PROTKEY_TEST_H

#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "protkey.h"

static int t_num, t_failed, t_planned = -1;

/**
 * t_plan() - print the plan, before the first check
 * @n: how many checks the program runs, counted by hand
 */
static inline void t_plan(int n)
{
	t_planned = n;
	printf("1..%d\n", n);
	fflush(stdout);
}

static inline bool __attribute__((format(printf, 2, 3)))
t_ok(bool cond, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", cond ? "" : "not ", ++t_num);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!cond)
		t_failed++;
	return cond;
}

/* The summary; fails when a check failed or the count is not the plan. */
static inline int t_done(void)
{
	printf("# %d passed, %d failed\n", t_num - t_failed, t_failed);
	if (t_num != t_planned) {
		printf("# planned %d checks, ran %d\n", t_planned, t_num);
		return 1;
	}
	return t_failed ? 1 : 0;
}

static inline void t_diag(const char *what, const struct pk_err *err)
{
	printf("# %s: %s\n", what, err->msg);
}

/* A valid CCA AES DATA token of @bits under @mkvp; @seed varies the key. */
static inline void t_make_token(uint8_t *t, unsigned int bits, uint64_t mkvp,
				uint8_t seed)
{
	int i;

	memset(t, 0, PK_CCA_AESDATA_SIZE);
	t[0] = 0x01;
	t[4] = 0x04;
	t[6] = 0x80;
	for (i = 0; i < 8; i++)
		t[8 + i] = (uint8_t)(mkvp >> (56 - 8 * i));
	for (i = 0; i < 32; i++)
		t[16 + i] = (uint8_t)(seed * 31 + i * 7 + 1);
	t[56] = (uint8_t)(bits >> 8);
	t[57] = (uint8_t)bits;
	t[59] = 32;
	pk_cca_set_tvv(t);
}

/* A valid 128-byte XTS blob (AES-256 halves). */
static inline void t_make_xts(uint8_t *blob, uint64_t mkvp, uint8_t seed)
{
	t_make_token(blob, 256, mkvp, seed);
	t_make_token(blob + PK_CCA_AESDATA_SIZE, 256, mkvp,
		     (uint8_t)(seed + 1));
}

/*
 * An EP11 AES key laid out as kernel/emu/token.c builds it: version 0x06
 * (16-byte header, 272 bytes padded to 336) or 0x03 (header in the
 * session field, 256 bytes padded to 320), AES-256, the WKVP bytes
 * 0xA0.. and key bytes from @seed.
 */
static inline void t_make_ep11(uint8_t *t, bool hdr, uint8_t seed)
{
	uint8_t *b = t + (hdr ? 16 : 0);
	unsigned int hlen = hdr ? 272 : 256;
	int i;

	memset(t, 0, 336);
	t[0] = 0x00;
	t[2] = (uint8_t)(hlen >> 8);
	t[3] = (uint8_t)hlen;
	t[4] = hdr ? 0x06 : 0x03;
	t[6] = 0x01; /* 256 bits */
	for (i = 0; i < 16; i++)
		b[32 + i] = (uint8_t)(0xa0 + i);
	b[48 + 5] = 0x20; /* PKEY_EXTRACTABLE 0x00200000 */
	b[48 + 6] = 0x0c; /* ENCRYPT | DECRYPT */
	b[64] = 0x12;
	b[65] = 0x34;
	for (i = 0; i < 32; i++)
		b[96 + i] = (uint8_t)(seed * 13 + i);
}

static inline char *t_mkdtemp(void)
{
	char tmpl[] = "/tmp/protkey-test.XXXXXX";
	char *d = mkdtemp(tmpl);

	return d ? strdup(d) : NULL;
}

static inline int t_write(const char *dir, const char *name, const void *buf,
			  size_t len)
{
	char path[4096];
	int fd, ret = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return -errno;
	if (write(fd, buf, len) != (ssize_t)len)
		ret = -EIO;
	close(fd);
	return ret;
}

/*
 * A snapshot of a directory: every entry's name and content (files up to
 * 64 KiB), sorted, as one string. Equal snapshots: nothing changed.
 */
static inline int t_cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static inline char *t_snapshot(const char *dir)
{
	char *names[256], path[4096], *out, hex[2 * 1024 + 1];
	size_t n = 0, i, size = 1;
	uint8_t buf[1024];
	struct dirent *de;
	ssize_t len;
	DIR *d;
	int fd;

	d = opendir(dir);
	if (!d)
		return strdup("<no dir>");
	while ((de = readdir(d)) && n < 256)
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			names[n++] = strdup(de->d_name);
	closedir(d);
	qsort(names, n, sizeof(names[0]), t_cmp_str);
	out = calloc(1, n * (sizeof(hex) + 300) + 1);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		fd = open(path, O_RDONLY);
		len = fd >= 0 ? read(fd, buf, sizeof(buf)) : -1;
		if (fd >= 0)
			close(fd);
		pk_hex_encode(buf, len > 0 ? (size_t)len : 0, hex);
		size += (size_t)sprintf(out + size - 1, "%s=%s;", names[i],
					hex);
		free(names[i]);
	}
	return out;
}

static inline void t_rmrf(const char *dir)
{
	char cmd[4200];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		printf("# cleanup of %s failed\n", dir);
}

#endif /* PROTKEY_TEST_H */
