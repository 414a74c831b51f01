// SPDX-License-Identifier: GPL-2.0-only
/*
 * Import from a zkey repository (s390-tools, /etc/zkey/repository): the
 * same per-key files as ours, read under a shared lock on zkey's .lock.
 *
 * The keys are the .info files (regular files, in name order, as zkey's
 * _keystore_process_filtered() walks them), optionally only those whose
 * name matches a pattern (fnmatch() without flags, as zkey's --name
 * filter). Each key is imported on its own or skipped with a one-line
 * reason; a skipped key leaves our repository as it was. A key is
 * skipped when:
 *
 * - its name holds a character zkey refuses in key names
 *   (_keystore_get_key_filenames()), or one protkey's names do not take
 *   (pk_name_check());
 * - its .info is malformed, has a missing or wrong __hash__ (zkey's
 *   properties_load() refuses both), or says what protkey cannot use:
 *   another key type (CCA-AESCIPHER, PVSECRET-HMAC), cipher (phmac) or
 *   volume type (integrity); a missing key-type is CCA-AESDATA, a
 *   missing volume-type plain (info.c);
 * - its .skey is missing or broken, or is a non-XTS key (one token: zkey's
 *   paes-cbc-plain64, AES-128, -192 or -256), which protkey's xts(paes)
 *   cannot use;
 * - it is bound to a KMS plugin (a "kms" property other than LOCAL, as
 *   zkey's _keystore_is_kms_bound_key() decides): a copy outside zkey's
 *   repository would escape the KMS;
 * - it has a staged re-encipher pending (.renc), or its name exists in
 *   our repository.
 *
 * A key's .pass (zkey's LUKS2 dummy passphrase) is copied with it.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "protkey.h"

/* Characters zkey refuses in a key name (a file name of its own). */
#define ZKEY_NAME_BAD "/\\ *?'\""

/* A file name: a key name zkey can have (NAME_MAX) and an extension. */
#define FN_MAX 272

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

static int cmp_results(const void *a, const void *b)
{
	return strcmp(((const struct pk_zkey_result *)a)->name,
		      ((const struct pk_zkey_result *)b)->name);
}

/* A regular file (symbolic links are not), as zkey's scandir filter. */
static bool is_info_file(int dirfd, struct dirent *de)
{
	size_t len = strlen(de->d_name);
	struct stat sb;

	if (len <= 5 || strcmp(de->d_name + len - 5, ".info"))
		return false;
	if (de->d_type == DT_REG)
		return true;
	return de->d_type == DT_UNKNOWN &&
	       !fstatat(dirfd, de->d_name, &sb, AT_SYMLINK_NOFOLLOW) &&
	       S_ISREG(sb.st_mode);
}

/* Appends key @name to *@res unless @pattern does not match it. */
static int add_name(struct pk_zkey_result **res, size_t *n, const char *name,
		    const char *pattern)
{
	struct pk_zkey_result *v;

	if (pattern && fnmatch(pattern, name, 0))
		return 0;
	v = realloc(*res, (*n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	*res = v;
	memset(&v[*n], 0, sizeof(v[*n]));
	snprintf(v[*n].name, sizeof(v[*n].name), "%s", name);
	(*n)++;
	return 0;
}

/* The keys of the repository at @dirfd that @pattern selects, sorted. */
static int list_keys(int dirfd, const char *zdir, const char *pattern,
		     struct pk_zkey_result **res, size_t *n, struct pk_err *err)
{
	struct dirent *de;
	int fd, ret = 0;
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
		if (!is_info_file(dirfd, de))
			continue;
		de->d_name[strlen(de->d_name) - 5] = '\0';
		ret = add_name(res, n, de->d_name, pattern);
	}
	closedir(d);
	if (ret)
		return pk_err_set(err, ret, "listing %s", zdir);
	if (*n)
		qsort(*res, *n, sizeof(**res), cmp_results);
	return 0;
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

static int check_names(const char *name, struct pk_err *err)
{
	if (strpbrk(name, ZKEY_NAME_BAD))
		return pk_err_set(
			err, -EINVAL,
			"key name '%.80s': not a zkey key (zkey refuses names with / \\ space * ? ' \")",
			name);
	return pk_name_check(name, err);
}

/*
 * A .skey that is one whole token is a non-XTS zkey key; say so instead
 * of the XTS parser's message. Return: @ret, or -EOPNOTSUPP for that.
 */
static int explain_non_xts(int dirfd, const char *name, int ret,
			   struct pk_err *err)
{
	struct pk_token_info ti;
	char fn[FN_MAX];
	uint8_t *blob;
	size_t len;

	snprintf(fn, sizeof(fn), "%s.skey", name);
	if (pk_read_file(dirfd, fn, PK_XTS_BLOB_MAX, &blob, &len, NULL))
		return ret;
	if (!pk_token_parse(blob, len, &ti, NULL) && !ti.full_xts)
		ret = pk_err_set(
			err, -EOPNOTSUPP,
			"%s: a non-XTS %s AES-%u key (zkey's paes-cbc-plain64): protkey uses xts(paes) only",
			fn, ti.type, ti.bits);
	pk_wipe_free(blob, len);
	return ret;
}

/* Reads key @name and checks that protkey can take it. */
static int read_checked(int dirfd, const char *name, struct pk_key *key,
			struct pk_err *err)
{
	const char *kms;
	int ret;

	ret = check_names(name, err);
	if (ret)
		return ret;
	ret = pk_zkey_read(dirfd, name, key, err);
	if (ret == -EINVAL)
		ret = explain_non_xts(dirfd, name, ret, err);
	if (ret)
		return ret;
	kms = key->info.kms;
	if (kms && strcasecmp(kms, "LOCAL")) {
		ret = pk_err_set(
			err, -EOPNOTSUPP,
			"key '%s' is bound to KMS plugin '%.64s': a copy would escape the KMS ('zkey kms unbind' makes the repository's keys local)",
			name, kms);
		pk_key_free(key);
	}
	return ret;
}

#define PASS_MAX 8192

/* zkey's dummy passphrase of key @name, if it has one (*@pass NULL if not). */
static int read_pass(int dirfd, const char *name, uint8_t **pass, size_t *len,
		     struct pk_err *err)
{
	char fn[FN_MAX];
	struct pk_err sub;
	int ret;

	*pass = NULL;
	*len = 0;
	snprintf(fn, sizeof(fn), "%s.pass", name);
	ret = pk_read_file(dirfd, fn, PASS_MAX, pass, len, &sub);
	if (ret == -ENOENT)
		return 0;
	if (!ret && !*len)
		ret = pk_err_set(&sub, -EINVAL, "%s: empty", fn);
	if (ret) {
		pk_wipe_free(*pass, *len);
		*pass = NULL;
		return pk_err_set(err, ret, "dummy passphrase %s", sub.msg);
	}
	return 0;
}

/* Imports key @r->name into @repo, or records why it is skipped. */
static void import_one(struct pk_repo *repo, int dirfd,
		       struct pk_zkey_result *r)
{
	struct pk_err e = { 0 };
	struct pk_key key;
	uint8_t *pass = NULL;
	size_t plen = 0;
	int ret;

	ret = read_checked(dirfd, r->name, &key, &e);
	if (ret)
		goto out;
	if (pk_repo_exists(repo, r->name))
		ret = pk_err_set(&e, -EEXIST, "key '%s' exists in %s", r->name,
				 repo->dir);
	ret = ret ?: read_pass(dirfd, r->name, &pass, &plen, &e);
	ret = ret   ?:
		      pk_repo_add_pass(repo, r->name, key.blob, key.len, pass,
				       plen, &key.info, &e);
	r->pass = !ret && pass;
	pk_wipe_free(pass, plen);
	pk_key_free(&key);
out:
	r->imported = !ret;
	r->ret = ret;
	if (ret)
		snprintf(r->reason, sizeof(r->reason), "%s: %s", e.msg,
			 strerror(-ret));
}

/*
 * Imports the keys of the zkey repository @zdir that @pattern (NULL: all)
 * selects into @repo (locked for writing), each on its own. *@res gets
 * one &struct pk_zkey_result per selected key, sorted by name (free()).
 * Return: 0 when the keys were tried (see each result), -ENOENT when
 * there are none (or none match), or another negative errno when @zdir
 * cannot be read; then nothing was imported.
 */
int pk_zkey_import(struct pk_repo *repo, const char *zdir, const char *pattern,
		   struct pk_zkey_result **res, size_t *n, struct pk_err *err)
{
	struct pk_zkey_result *v = NULL;
	int dirfd, lockfd, ret;
	size_t cnt = 0, i;

	*res = NULL;
	*n = 0;
	dirfd = open(zdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return pk_err_set(err, -errno, "zkey repository %s", zdir);
	lockfd = lock_zkey(dirfd, zdir, err);
	if (lockfd < -1) {
		close(dirfd);
		return lockfd;
	}
	ret = list_keys(dirfd, zdir, pattern, &v, &cnt, err);
	if (!ret && !cnt && pattern)
		ret = pk_err_set(err, -ENOENT,
				 "no key in zkey repository %s matches '%s'",
				 zdir, pattern);
	else if (!ret && !cnt)
		ret = pk_err_set(err, -ENOENT, "no keys in zkey repository %s",
				 zdir);
	for (i = 0; !ret && i < cnt; i++)
		import_one(repo, dirfd, &v[i]);
	if (ret) {
		free(v);
	} else {
		*res = v;
		*n = cnt;
	}
	if (lockfd >= 0)
		close(lockfd); /* releases the flock */
	close(dirfd);
	return ret;
}
