/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers of the selftests that run protkeyctl as an administrator would:
 * find the installed binary (a missing binary the runner installed is a
 * failure, never a skip), read a value of its --json output, and take a
 * byte-exact snapshot of a directory to prove a failed command changed
 * nothing.
 */
#ifndef PROTKEY_SELFTEST_CTL_H
#define PROTKEY_SELFTEST_CTL_H

#include <dirent.h>
#include <sys/stat.h>

#include "dm.h"

#define PK_CTL_DEFAULT "/usr/sbin/protkeyctl"
#define PK_EXPECTED_PROGRAMS "/protkey/expected-programs"

/*
 * The binary to run: $PROTKEYCTL or the installed one. Return: 0 with
 * @path set, 0 with @path "" when it is absent and was not expected, or
 * -ENOENT when the runner installed it and it is missing.
 */
static inline int pk_ctl_find(char *path, size_t len)
{
	const char *env = getenv("PROTKEYCTL");
	char expected[512];

	snprintf(path, len, "%s", env && *env ? env : PK_CTL_DEFAULT);
	if (!access(path, X_OK))
		return 0;
	if (!pk_read_file(PK_EXPECTED_PROGRAMS, expected, sizeof(expected)) &&
	    strstr(expected, PK_CTL_DEFAULT))
		return -ENOENT;
	path[0] = '\0';
	return 0;
}

/*
 * The value of "key" in protkeyctl's --json output @json: a string without
 * its quotes, or a number/true/false as written. Return: 0 or -ENOENT.
 */
static inline int pk_json_get(const char *json, const char *key, char *val,
			      size_t len)
{
	char pat[80];
	const char *p;
	size_t n = 0;

	snprintf(pat, sizeof(pat), "\"%s\"", key);
	p = strstr(json, pat);
	if (!p)
		return -ENOENT;
	p += strlen(pat);
	while (*p == ' ' || *p == ':')
		p++;
	if (*p == '"') {
		for (p++; *p && *p != '"' && n + 1 < len; p++)
			val[n++] = *p;
	} else {
		for (; *p && !strchr(",\n}] ", *p) && n + 1 < len; p++)
			val[n++] = *p;
	}
	val[n] = '\0';
	return 0;
}

/**
 * struct pk_snap - a directory, byte for byte
 * @buf: per entry, sorted by name: "name type size\n" then the contents
 * @len: used bytes of @buf
 */
struct pk_snap {
	char *buf;
	size_t len;
};

static inline int pk_snap_add(struct pk_snap *s, const void *p, size_t n)
{
	char *nb = realloc(s->buf, s->len + n + 1);

	if (!nb)
		return -ENOMEM;
	memcpy(nb + s->len, p, n);
	s->buf = nb;
	s->len += n;
	s->buf[s->len] = '\0';
	return 0;
}

static inline int pk_snap_file(struct pk_snap *s, const char *path)
{
	char buf[4096];
	ssize_t n;
	int fd, ret = 0;

	fd = open(path, O_RDONLY | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	while (!ret && (n = read(fd, buf, sizeof(buf))) > 0)
		ret = pk_snap_add(s, buf, (size_t)n);
	close(fd);
	return ret;
}

/*
 * Every entry of @dir (dot files included, so a leftover temporary file
 * shows) with its type, size and, for regular files, contents.
 */
static inline int pk_snap_take(struct pk_snap *s, const char *dir)
{
	char path[512], line[400];
	struct dirent **ents;
	struct stat sb;
	int k, cnt, ret = 0;

	s->buf = NULL;
	s->len = 0;
	cnt = scandir(dir, &ents, NULL, alphasort);
	if (cnt < 0)
		return -errno;
	for (k = 0; k < cnt; k++) {
		const char *name = ents[k]->d_name;

		snprintf(path, sizeof(path), "%s/%s", dir, name);
		if (!ret && strcmp(name, ".") && strcmp(name, "..")) {
			if (lstat(path, &sb)) {
				ret = -errno;
				goto next;
			}
			snprintf(line, sizeof(line), "%s %o %lld\n", name,
				 sb.st_mode & S_IFMT, (long long)sb.st_size);
			ret = pk_snap_add(s, line, strlen(line));
			if (!ret && S_ISREG(sb.st_mode))
				ret = pk_snap_file(s, path);
		}
next:
		free(ents[k]);
	}
	free(ents);
	return ret;
}

static inline bool pk_snap_equal(const struct pk_snap *a,
				 const struct pk_snap *b)
{
	return a->len == b->len && a->buf && b->buf &&
	       !memcmp(a->buf, b->buf, a->len);
}

static inline void pk_snap_free(struct pk_snap *s)
{
	free(s->buf);
	s->buf = NULL;
	s->len = 0;
}

#endif /* PROTKEY_SELFTEST_CTL_H */
