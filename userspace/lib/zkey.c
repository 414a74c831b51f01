// SPDX-License-Identifier: GPL-2.0-only
/*
 * Import from a zkey repository (s390-tools, /etc/zkey/repository): the
 * same per-key files as ours, read under a shared lock on zkey's .lock.
 * zkey's .info is parsed with the same strict parser in zkey mode: its
 * integrity hash is checked when present and the properties protkey does
 * not model (digest, kms*) are dropped. The
 * import is all or nothing: every key is read and checked first (a key
 * name protkey cannot take is an error too), then added; a failure
 * removes what was added.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "protkey.h"

/* Reads key @name of the zkey repository open at @dirfd. */
int pk_zkey_read(int dirfd, const char *name, struct pk_key *key,
		 struct pk_err *err)
{
	char fn[PK_NAME_MAX + 8];
	struct stat sb;
	int ret;

	ret = pk_key_read_files(dirfd, name, PK_INFO_ZKEY, key, err);
	if (ret)
		return ret;
	snprintf(fn, sizeof(fn), "%s.renc", name);
	if (!fstatat(dirfd, fn, &sb, AT_SYMLINK_NOFOLLOW)) {
		pk_key_free(key);
		return pk_err_set(
			err, -EBUSY,
			"zkey key '%s' has a staged re-encipher pending: complete it with zkey first",
			name);
	}
	return 0;
}

/*
 * zkey takes key names that protkey does not (pk_name_check()). The
 * listing skips them; an all-or-nothing import must refuse instead of
 * leaving such a key behind without a word.
 */
static int check_names(int dirfd, const char *zdir, struct pk_err *err)
{
	struct dirent *de;
	struct pk_err sub;
	int fd, ret = 0;
	size_t len;
	DIR *d;

	fd = dup(dirfd);
	d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		ret = -errno;
		if (fd >= 0)
			close(fd);
		return pk_err_set(err, ret, "cannot read %s", zdir);
	}
	rewinddir(d);
	while (!ret && (de = readdir(d))) {
		len = strlen(de->d_name);
		if (len <= 5 || strcmp(de->d_name + len - 5, ".info"))
			continue;
		de->d_name[len - 5] = '\0';
		if (pk_name_check(de->d_name, &sub))
			ret = pk_err_set(err, -EINVAL, "zkey repository %s: %s",
					 zdir, sub.msg);
	}
	closedir(d);
	return ret;
}

static int list_dir(int dirfd, const char *zdir, char ***names, size_t *n,
		    struct pk_err *err)
{
	struct pk_repo tmp = { .dirfd = dirfd, .lockfd = -1 };
	int ret;

	ret = check_names(dirfd, zdir, err);
	if (ret)
		return ret;
	snprintf(tmp.dir, sizeof(tmp.dir), "%s", zdir);
	return pk_repo_list(&tmp, names, n, err);
}

/*
 * zkey holds an exclusive flock() on the repository's .lock while it
 * runs; a shared one here waits for it to finish. zkey creates .lock,
 * the import only reads: a repository without one is read unlocked.
 * Return: the locked fd, -1 when there is no .lock, or a negative errno.
 */
static int lock_zkey(int dirfd, const char *zdir, struct pk_err *err)
{
	int fd, ret;

	fd = openat(dirfd, ".lock", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 && errno == ENOENT)
		return -1;
	if (fd < 0)
		return pk_err_set(err, -errno, "cannot open %s/.lock", zdir);
	if (flock(fd, LOCK_SH)) {
		ret = -errno;
		close(fd);
		return pk_err_set(err, ret, "cannot lock %s/.lock", zdir);
	}
	return fd;
}

static void free_keys(struct pk_key *keys, size_t n)
{
	size_t i;

	for (i = 0; keys && i < n; i++)
		pk_key_free(&keys[i]);
	free(keys);
}

/*
 * Imports every key of the zkey repository @zdir into @repo (locked for
 * writing). On success *@imported lists the names (pk_names_free()).
 */
int pk_zkey_import(struct pk_repo *repo, const char *zdir, char ***imported,
		   size_t *n, struct pk_err *err)
{
	struct pk_key *keys = NULL;
	char **names = NULL;
	size_t cnt = 0, i, done = 0;
	int dirfd, lockfd, ret;

	dirfd = open(zdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return pk_err_set(err, -errno, "zkey repository %s", zdir);
	lockfd = lock_zkey(dirfd, zdir, err);
	if (lockfd < -1) {
		close(dirfd);
		return lockfd;
	}
	ret = list_dir(dirfd, zdir, &names, &cnt, err);
	if (ret)
		goto out;
	if (!cnt) {
		ret = pk_err_set(err, -ENOENT, "no keys in zkey repository %s",
				 zdir);
		goto out;
	}
	keys = calloc(cnt, sizeof(*keys));
	if (!keys) {
		ret = pk_err_set(err, -ENOMEM, "importing");
		goto out;
	}
	for (i = 0; i < cnt && !ret; i++) {
		ret = pk_zkey_read(dirfd, names[i], &keys[i], err);
		if (!ret && pk_repo_exists(repo, names[i]))
			ret = pk_err_set(err, -EEXIST, "key '%s' exists in %s",
					 names[i], repo->dir);
	}
	for (i = 0; i < cnt && !ret; i++, done++)
		ret = pk_repo_add(repo, names[i], keys[i].blob, keys[i].len,
				  &keys[i].info, err);
	if (ret) {
		for (i = 0; i < done; i++)
			pk_repo_remove(repo, names[i], NULL);
		goto out;
	}
	*imported = names;
	*n = cnt;
	names = NULL;
out:
	free_keys(keys, cnt);
	pk_names_free(names, cnt);
	if (lockfd >= 0)
		close(lockfd); /* releases the flock */
	close(dirfd);
	return ret;
}
