// SPDX-License-Identifier: GPL-2.0-only
/*
 * libprotkey utilities: error messages, hex, whole-file reads and atomic
 * file replacement, and the persistent name of a device node.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "protkey.h"

static int err_vset(struct pk_err *err, int origin, int ret, const char *fmt,
		    va_list ap)
{
	if (err) {
		err->origin = origin;
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	}
	return ret;
}

/* Sets a local error message; returns @ret for "return pk_err_set(...)". */
int pk_err_set(struct pk_err *err, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vset(err, PK_ORIGIN_LOCAL, ret, fmt, ap);
	va_end(ap);
	return ret;
}

/* The same for a refusal by the kernel or the platform. */
int pk_err_platform(struct pk_err *err, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vset(err, PK_ORIGIN_PLATFORM, ret, fmt, ap);
	va_end(ap);
	return ret;
}

/* Wipes @len bytes at @p and frees it; NULL is fine. */
void pk_wipe_free(void *p, size_t len)
{
	if (!p)
		return;
	explicit_bzero(p, len);
	free(p);
}

/* Lower-case hex of @len bytes into @out (2 * @len + 1 bytes). */
void pk_hex_encode(const uint8_t *in, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * len] = '\0';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Exactly 2 * @len hex digits into @len bytes. Return: 0 or -EINVAL. */
int pk_hex_decode(const char *in, uint8_t *out, size_t len)
{
	size_t i;
	int hi, lo;

	if (strlen(in) != 2 * len)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		hi = hexval(in[2 * i]);
		lo = hexval(in[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

/* Strict unsigned decimal, at most @max. Return: 0 or -EINVAL/-ERANGE. */
int pk_parse_uint(const char *s, unsigned long max, unsigned long *val)
{
	unsigned long v = 0;

	if (!*s || strlen(s) > 10)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		v = v * 10 + (unsigned long)(*s - '0');
	}
	if (v > max)
		return -ERANGE;
	*val = v;
	return 0;
}

/* "YYYY-MM-DD hh:mm:ss" local time, the format zkey writes. */
void pk_now(char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(buf, len, "%F %T", &tm);
}

/*
 * Reads the regular file @path (relative to @dirfd, or AT_FDCWD) whole
 * into a malloc'ed buffer with a terminating NUL not counted in @len.
 * Files larger than @max are refused with -EFBIG. The caller wipes and
 * frees the buffer.
 */
int pk_read_file(int dirfd, const char *path, size_t max, uint8_t **buf,
		 size_t *len, struct pk_err *err)
{
	struct stat sb;
	uint8_t *p = NULL;
	size_t got = 0;
	ssize_t n;
	int fd, ret;

	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return pk_err_set(err, -errno, "cannot open %s", path);
	if (fstat(fd, &sb)) {
		ret = pk_err_set(err, -errno, "cannot stat %s", path);
		goto out;
	}
	if (!S_ISREG(sb.st_mode)) {
		ret = pk_err_set(err, -EINVAL, "%s is not a regular file",
				 path);
		goto out;
	}
	if ((size_t)sb.st_size > max) {
		ret = pk_err_set(err, -EFBIG, "%s: larger than %zu bytes", path,
				 max);
		goto out;
	}
	p = calloc(1, (size_t)sb.st_size + 1);
	if (!p) {
		ret = pk_err_set(err, -ENOMEM, "reading %s", path);
		goto out;
	}
	while (got < (size_t)sb.st_size) {
		n = read(fd, p + got, (size_t)sb.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ret = pk_err_set(err, n ? -errno : -EIO,
					 "cannot read %s", path);
			pk_wipe_free(p, (size_t)sb.st_size + 1);
			goto out;
		}
		got += (size_t)n;
	}
	*buf = p;
	*len = got;
	ret = 0;
out:
	close(fd);
	return ret;
}

static int write_all(int fd, const uint8_t *p, size_t len)
{
	ssize_t n;

	while (len) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Replaces @name in @dirfd atomically: writes a temporary file in the same
 * directory (mode 0600), fsyncs it, renames it over @name and fsyncs the
 * directory. On any failure the temporary file is removed and @name is
 * untouched: readers see the old content or the new, never a mix.
 */
int pk_write_atomic(int dirfd, const char *name, const void *buf, size_t len,
		    struct pk_err *err)
{
	char tmp[PK_NAME_MAX + 64];
	int fd, ret;

	if ((size_t)snprintf(tmp, sizeof(tmp), ".%s.tmp.%d", name,
			     (int)getpid()) >= sizeof(tmp))
		return pk_err_set(err, -ENAMETOOLONG, "file name %s", name);
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return pk_err_set(err, -errno, "cannot create %s", tmp);
	ret = write_all(fd, buf, len);
	if (ret) {
		pk_err_set(err, ret, "cannot write %s", tmp);
		goto err_unlink;
	}
	if (fsync(fd)) {
		ret = pk_err_set(err, -errno, "cannot sync %s", tmp);
		goto err_unlink;
	}
	if (close(fd)) {
		fd = -1;
		ret = pk_err_set(err, -errno, "cannot close %s", tmp);
		goto err_unlink;
	}
	fd = -1;
	if (renameat(dirfd, tmp, dirfd, name)) {
		ret = pk_err_set(err, -errno, "cannot rename %s to %s", tmp,
				 name);
		goto err_unlink;
	}
	if (fsync(dirfd))
		return pk_err_set(err, -errno, "cannot sync the directory");
	return 0;

err_unlink:
	if (fd >= 0)
		close(fd);
	unlinkat(dirfd, tmp, 0);
	return ret;
}

/* pk_write_atomic() of the file at @path: its directory, its name. */
int pk_write_path(const char *path, const void *buf, size_t len,
		  struct pk_err *err)
{
	const char *slash = strrchr(path, '/'), *name;
	char dir[PATH_MAX];
	int dirfd, ret;

	if (!slash) {
		strcpy(dir, ".");
		name = path;
	} else if ((size_t)(slash - path) >= sizeof(dir)) {
		return pk_err_set(err, -ENAMETOOLONG, "file name %s", path);
	} else {
		snprintf(dir, sizeof(dir), "%.*s",
			 slash == path ? 1 : (int)(slash - path), path);
		name = slash + 1;
	}
	if (!*name)
		return pk_err_set(err, -EISDIR, "%s: not a file name", path);
	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return pk_err_set(err, -errno, "cannot open directory %s", dir);
	ret = pk_write_atomic(dirfd, name, buf, len, err);
	close(dirfd);
	return ret;
}

/* The first entry of @dir (alphabetical) that resolves to @want's node. */
static bool link_to(const char *dir, const struct stat *want, char *out,
		    size_t len)
{
	struct dirent **ents;
	bool found = false;
	struct stat st;
	int i, n, fd;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = scandirat(fd, ".", &ents, NULL, alphasort);
	for (i = 0; i < n; i++) {
		/* a name crypttab or a shell cannot take as one word */
		if (!found && ents[i]->d_name[0] != '.' &&
		    !strpbrk(ents[i]->d_name, " \t\n'\"\\") &&
		    !fstatat(fd, ents[i]->d_name, &st, 0) &&
		    (st.st_mode & S_IFMT) == (want->st_mode & S_IFMT) &&
		    st.st_rdev == want->st_rdev &&
		    (size_t)snprintf(out, len, "%s/%s", dir, ents[i]->d_name) <
			    len)
			found = true;
		free(ents[i]);
	}
	if (n >= 0)
		free(ents);
	close(fd);
	return found;
}

/**
 * pk_dev_persistent() - a name of a device node that survives a reboot
 * @dev: the device node (/dev/sdb, or any path to one)
 * @dirs: the directories of symlinks to look in, in order, NULL-terminated;
 *	NULL for /dev/disk/by-id, then /dev/disk/by-path (tests pass their
 *	own)
 * @out: receives the name
 * @len: size of @out
 *
 * Kernel names such as /dev/sdb follow probe order and can name another
 * disk after the next boot; a crypttab line or a cryptsetup command for
 * a plain volume (no header, no UUID) must name the disk itself. The
 * first symlink (alphabetically, in the first directory that has one)
 * that resolves to a node of the same kind and the same device number as
 * @dev is the answer. @dev itself is when it is not a device node, is
 * already below /dev/disk/, or no directory holds a link to it.
 *
 * Context: process; reads the directories.
 * Return: 0; -errno when @dev cannot be stat()ed; -ENAMETOOLONG when the
 * name does not fit @out.
 */
int pk_dev_persistent(const char *dev, const char *const *dirs, char *out,
		      size_t len)
{
	static const char *const dflt[] = { "/dev/disk/by-id",
					    "/dev/disk/by-path", NULL };
	struct stat st;
	size_t i;

	if (stat(dev, &st))
		return -errno;
	if ((S_ISBLK(st.st_mode) || S_ISCHR(st.st_mode)) &&
	    strncmp(dev, "/dev/disk/", 10))
		for (i = 0, dirs = dirs ?: dflt; dirs[i]; i++)
			if (link_to(dirs[i], &st, out, len))
				return 0;
	if ((size_t)snprintf(out, len, "%s", dev) >= len)
		return -ENAMETOOLONG;
	return 0;
}
