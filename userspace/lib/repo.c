// SPDX-License-Identifier: GPL-2.0-only
/*
 * The key repository, in zkey's layout: per key <name>.skey (the XTS
 * secure key, two tokens back to back), <name>.info (properties, see
 * info.c), while a staged re-encipher is pending, <name>.renc (the
 * re-enciphered secure key) and, for a key imported from zkey with one,
 * <name>.pass: zkey's LUKS2 dummy passphrase, byte for byte as zkey
 * stored it (mode 0600; it is a --key-file for the key's volumes and goes
 * when the key goes). The directory is the default /etc/protkey,
 * or $PROTKEY_REPOSITORY, or --repository.
 *
 * Every change holds an exclusive flock() on ".lock"; reads hold a shared
 * one. Every file is replaced atomically (pk_write_atomic()). A key
 * exists when its .info exists: .info is written last when a key is added
 * and removed first when it is removed, so an interrupted add or remove
 * leaves at most an orphan .skey, which is ignored and overwritten.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "protkey.h"

#define LOCK_NAME ".lock"

const char *pk_repo_default_dir(const char *opt)
{
	const char *env = getenv(PK_REPO_ENV);

	if (opt && *opt)
		return opt;
	return env && *env ? env : PK_REPO_DEFAULT;
}

/* Names: 1..64 of [A-Za-z0-9_.-], not starting with '.' or '-'. */
int pk_name_check(const char *name, struct pk_err *err)
{
	size_t i, n = strlen(name);

	if (!n || n > PK_NAME_MAX || name[0] == '.' || name[0] == '-')
		goto bad;
	for (i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-' ||
		      c == '.'))
			goto bad;
	}
	return 0;
bad:
	return pk_err_set(
		err, -EINVAL,
		"key name '%.80s': 1 to %d of A-Z a-z 0-9 _ . -, not starting with . or -",
		name, PK_NAME_MAX);
}

int pk_repo_open(struct pk_repo *repo, const char *dir, unsigned int flags,
		 struct pk_err *err)
{
	int lk = (flags & PK_REPO_WRITE) ? LOCK_EX : LOCK_SH;
	int ret;

	memset(repo, 0, sizeof(*repo));
	repo->dirfd = repo->lockfd = -1;
	if (strlen(dir) >= sizeof(repo->dir))
		return pk_err_set(err, -ENAMETOOLONG, "repository path");
	strcpy(repo->dir, dir);
	if ((flags & PK_REPO_CREATE) && mkdir(dir, 0700) && errno != EEXIST)
		return pk_err_set(err, -errno, "cannot create repository %s",
				  dir);
	repo->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (repo->dirfd < 0)
		return pk_err_set(err, -errno, "repository %s", dir);
	repo->lockfd = openat(repo->dirfd, LOCK_NAME,
			      O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (repo->lockfd < 0 && !(flags & PK_REPO_WRITE))
		repo->lockfd = openat(repo->dirfd, LOCK_NAME,
				      O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (repo->lockfd < 0 && (flags & PK_REPO_WRITE)) {
		ret = -errno;
		pk_err_set(err, ret, "cannot open %s/%s", dir, LOCK_NAME);
		goto err_close;
	}
	if (repo->lockfd >= 0 && flock(repo->lockfd, lk)) {
		ret = -errno;
		pk_err_set(err, ret, "cannot lock %s/%s", dir, LOCK_NAME);
		goto err_close;
	}
	return 0;

err_close:
	pk_repo_close(repo);
	return ret;
}

void pk_repo_close(struct pk_repo *repo)
{
	if (repo->lockfd >= 0)
		close(repo->lockfd); /* releases the flock */
	if (repo->dirfd >= 0)
		close(repo->dirfd);
	repo->lockfd = repo->dirfd = -1;
}

static void file_name(char *buf, size_t len, const char *name, const char *ext)
{
	snprintf(buf, len, "%s%s", name, ext);
}

static bool file_exists(int dirfd, const char *name, const char *ext)
{
	char fn[PK_NAME_MAX + 8];
	struct stat sb;

	file_name(fn, sizeof(fn), name, ext);
	return !fstatat(dirfd, fn, &sb, AT_SYMLINK_NOFOLLOW);
}

/* 1 when key @name exists (its .info does), else 0. */
int pk_repo_exists(struct pk_repo *repo, const char *name)
{
	return file_exists(repo->dirfd, name, ".info");
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void pk_names_free(char **names, size_t n)
{
	size_t i;

	for (i = 0; names && i < n; i++)
		free(names[i]);
	free(names);
}

/* The names of the keys (of the .info files with a valid name), sorted. */
int pk_repo_list(struct pk_repo *repo, char ***names, size_t *n,
		 struct pk_err *err)
{
	char **v = NULL, **nv;
	struct dirent *de;
	size_t cnt = 0, len;
	DIR *d;
	int fd;

	fd = dup(repo->dirfd);
	d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return pk_err_set(err, -errno, "cannot read %s", repo->dir);
	}
	rewinddir(d);
	while ((de = readdir(d))) {
		len = strlen(de->d_name);
		if (len <= 5 || strcmp(de->d_name + len - 5, ".info"))
			continue;
		de->d_name[len - 5] = '\0';
		if (pk_name_check(de->d_name, NULL))
			continue;
		nv = realloc(v, (cnt + 1) * sizeof(*v));
		if (!nv || !(nv[cnt] = strdup(de->d_name))) {
			closedir(d);
			pk_names_free(nv ? nv : v, cnt);
			return pk_err_set(err, -ENOMEM, "listing");
		}
		v = nv;
		cnt++;
	}
	closedir(d);
	if (cnt)
		qsort(v, cnt, sizeof(*v), cmp_names);
	*names = v;
	*n = cnt;
	return 0;
}

void pk_key_free(struct pk_key *key)
{
	pk_wipe_free(key->blob, key->len);
	pk_wipe_free(key->renc, key->renc_len);
	pk_info_free(&key->info);
	memset(key, 0, sizeof(*key));
}

static int read_blob(int dirfd, const char *name, const char *ext,
		     uint8_t **blob, size_t *len, struct pk_xts_info *xts,
		     struct pk_err *err)
{
	char fn[PK_NAME_MAX + 8];
	struct pk_xts_info tmp;
	struct pk_err sub;
	int ret;

	file_name(fn, sizeof(fn), name, ext);
	ret = pk_read_file(dirfd, fn, PK_XTS_BLOB_MAX, blob, len, err);
	if (ret)
		return ret;
	ret = pk_xts_parse(*blob, *len, xts ? xts : &tmp, &sub);
	if (ret) {
		pk_wipe_free(*blob, *len);
		*blob = NULL;
		return pk_err_set(err, ret, "%s: %s", fn, sub.msg);
	}
	return 0;
}

/* Reads .info (@flags for the parser) and .skey of @name in @dirfd. */
int pk_key_read_files(int dirfd, const char *name, unsigned int flags,
		      struct pk_key *key, struct pk_err *err)
{
	char fn[PK_NAME_MAX + 8];
	struct pk_err sub;
	uint8_t *text;
	size_t len;
	int ret;

	memset(key, 0, sizeof(*key));
	ret = pk_name_check(name, err);
	if (ret)
		return ret;
	strcpy(key->name, name);
	file_name(fn, sizeof(fn), name, ".info");
	ret = pk_read_file(dirfd, fn, PK_INFO_FILE_MAX, &text, &len, &sub);
	if (ret == -ENOENT)
		return pk_err_set(err, ret, "key '%s' not found", name);
	if (ret)
		return pk_err_set(err, ret, "%s", sub.msg);
	ret = pk_info_parse((char *)text, len, flags, &key->info, &sub);
	free(text);
	if (ret)
		return pk_err_set(err, ret, "%s: %s", fn, sub.msg);
	ret = read_blob(dirfd, name, ".skey", &key->blob, &key->len, &key->xts,
			err);
	if (ret == -ENOENT)
		pk_err_set(err, -EBADMSG, "key '%s': %s.info without %s.skey",
			   name, name, name);
	if (ret) {
		pk_key_free(key);
		return ret == -ENOENT ? -EBADMSG : ret;
	}
	return 0;
}

int pk_repo_read(struct pk_repo *repo, const char *name, struct pk_key *key,
		 struct pk_err *err)
{
	struct pk_xts_info renc;
	int ret;

	ret = pk_key_read_files(repo->dirfd, name, 0, key, err);
	if (ret)
		return ret;
	key->has_pass = file_exists(repo->dirfd, name, ".pass");
	if (!file_exists(repo->dirfd, name, ".renc"))
		return 0;
	ret = read_blob(repo->dirfd, name, ".renc", &key->renc, &key->renc_len,
			&renc, err);
	if (ret)
		pk_key_free(key);
	return ret;
}

int pk_repo_write_info(struct pk_repo *repo, const char *name,
		       struct pk_info *info, struct pk_err *err)
{
	char fn[PK_NAME_MAX + 8];
	char *text;
	int ret;

	ret = pk_info_check(info, err);
	if (ret)
		return ret;
	text = pk_info_format(info);
	if (!text)
		return pk_err_set(err, -ENOMEM, "formatting %s.info", name);
	file_name(fn, sizeof(fn), name, ".info");
	ret = pk_write_atomic(repo->dirfd, fn, text, strlen(text), err);
	free(text);
	return ret;
}

void pk_info_defaults(struct pk_info *info, const char *key_type)
{
	char now[64];

	pk_now(now, sizeof(now));
	pk_info_set(info, PK_P_KEY_TYPE, key_type, NULL);
	pk_info_set(info, PK_P_CIPHER, "paes", NULL);
	pk_info_set(info, PK_P_IV_MODE, "plain64", NULL);
	pk_info_set(info, PK_P_VOLUME_TYPE, "luks2", NULL);
	pk_info_set(info, PK_P_SECTOR_SIZE, "0", NULL);
	pk_info_set(info, PK_P_CREATION_TIME, now, NULL);
}

static void unlink_ext(struct pk_repo *repo, const char *name, const char *ext)
{
	char fn[PK_NAME_MAX + 8];

	file_name(fn, sizeof(fn), name, ext);
	unlinkat(repo->dirfd, fn, 0);
}

/*
 * Adds key @name: @blob (validated) as .skey, @pass (if not NULL) as
 * .pass, then @info as .info. -EEXIST if the key exists. On failure
 * nothing is added.
 */
int pk_repo_add_pass(struct pk_repo *repo, const char *name,
		     const uint8_t *blob, size_t len, const uint8_t *pass,
		     size_t pass_len, struct pk_info *info, struct pk_err *err)
{
	char fn[PK_NAME_MAX + 8];
	struct pk_xts_info xts;
	int ret;

	ret = pk_name_check(name, err);
	ret = ret ?: pk_xts_parse(blob, len, &xts, err);
	ret = ret ?: pk_info_check(info, err);
	if (ret)
		return ret;
	if (pk_repo_exists(repo, name))
		return pk_err_set(err, -EEXIST, "key '%s' exists", name);
	/* orphans of an interrupted remove */
	unlink_ext(repo, name, ".renc");
	unlink_ext(repo, name, ".pass");
	file_name(fn, sizeof(fn), name, ".skey");
	ret = pk_write_atomic(repo->dirfd, fn, blob, len, err);
	if (ret)
		return ret;
	if (pass) {
		file_name(fn, sizeof(fn), name, ".pass");
		ret = pk_write_atomic(repo->dirfd, fn, pass, pass_len, err);
	}
	ret = ret ?: pk_repo_write_info(repo, name, info, err);
	if (ret) {
		unlink_ext(repo, name, ".skey");
		unlink_ext(repo, name, ".pass");
	}
	return ret;
}

/* Adds key @name without a dummy passphrase (pk_repo_add_pass()). */
int pk_repo_add(struct pk_repo *repo, const char *name, const uint8_t *blob,
		size_t len, struct pk_info *info, struct pk_err *err)
{
	return pk_repo_add_pass(repo, name, blob, len, NULL, 0, info, err);
}

/* 0 when @name is a valid name of a key in @repo, else why not. */
static int key_present(struct pk_repo *repo, const char *name,
		       struct pk_err *err)
{
	int ret = pk_name_check(name, err);

	if (ret)
		return ret;
	if (!pk_repo_exists(repo, name))
		return pk_err_set(err, -ENOENT, "key '%s' not found", name);
	return 0;
}

/* Removes key @name: .info first (the key is gone), then the rest. */
int pk_repo_remove(struct pk_repo *repo, const char *name, struct pk_err *err)
{
	static const char *const exts[] = { ".info", ".skey", ".renc",
					    ".pass" };
	char fn[PK_NAME_MAX + 8];
	size_t i;
	int ret;

	ret = key_present(repo, name, err);
	if (ret)
		return ret;
	for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
		file_name(fn, sizeof(fn), name, exts[i]);
		if (unlinkat(repo->dirfd, fn, 0) && errno != ENOENT)
			return pk_err_set(err, -errno, "cannot remove %s", fn);
	}
	fsync(repo->dirfd);
	return 0;
}

/**
 * pk_repo_remove_check() - refuse to remove a key that volumes use
 * @repo: the repository, open
 * @name: the key
 * @err: the error
 *
 * A key whose "volumes" property lists volumes still encrypts data: its
 * removal would leave them without their volume key in the repository
 * (the LUKS2 header keeps a copy; a plain volume has none). Its .info is
 * read for this; a key whose .info cannot be read is refused too, since
 * its volumes cannot be told. --force skips this check.
 *
 * Context: the caller holds the repository lock.
 * Return: 0; -ENOENT when there is no such key; -EBUSY when volumes use
 * it; another negative error when its .info cannot be read.
 */
int pk_repo_remove_check(struct pk_repo *repo, const char *name,
			 struct pk_err *err)
{
	struct pk_err sub;
	struct pk_key key;
	const char *vols;
	int ret;

	ret = key_present(repo, name, err);
	if (ret)
		return ret;
	ret = pk_key_read_files(repo->dirfd, name, 0, &key, &sub);
	if (ret)
		return pk_err_set(
			err, ret,
			"key '%s': %s: its volumes are unknown: use --force to remove it",
			name, sub.msg);
	vols = pk_info_get(&key.info, PK_P_VOLUMES);
	if (*vols)
		ret = pk_err_set(
			err, -EBUSY,
			"key '%s' is the key of volumes %.300s: use --force to remove it",
			name, vols);
	pk_key_free(&key);
	return ret;
}

static int touch_times(struct pk_repo *repo, struct pk_key *key,
		       struct pk_err *err)
{
	char now[64];

	pk_now(now, sizeof(now));
	pk_info_set(&key->info, PK_P_REENCIPHER_TIME, now, NULL);
	pk_info_set(&key->info, PK_P_UPDATE_TIME, now, NULL);
	return pk_repo_write_info(repo, key->name, &key->info, err);
}

/* The blob must be a valid XTS key of the same type and size as @key's. */
static int same_shape(const struct pk_key *key, const uint8_t *blob, size_t len,
		      struct pk_err *err)
{
	struct pk_xts_info xts;
	int ret;

	ret = pk_xts_parse(blob, len, &xts, err);
	if (ret)
		return ret;
	if (len != key->len || xts.half[0].bits != key->xts.half[0].bits)
		return pk_err_set(
			err, -EINVAL,
			"re-enciphered key differs in size from key '%s'",
			key->name);
	return 0;
}

/* Writes @blob, of the same shape as @key's, as <name><ext>. */
static int write_blob(struct pk_repo *repo, const struct pk_key *key,
		      const char *ext, const uint8_t *blob, size_t len,
		      struct pk_err *err)
{
	char fn[PK_NAME_MAX + 8];
	int ret;

	ret = same_shape(key, blob, len, err);
	if (ret)
		return ret;
	file_name(fn, sizeof(fn), key->name, ext);
	return pk_write_atomic(repo->dirfd, fn, blob, len, err);
}

/* Stores a staged re-enciphered key as <name>.renc. */
int pk_repo_stage_renc(struct pk_repo *repo, struct pk_key *key,
		       const uint8_t *blob, size_t len, struct pk_err *err)
{
	return write_blob(repo, key, ".renc", blob, len, err);
}

/* Moves <name>.renc over <name>.skey (one rename), then updates .info. */
int pk_repo_complete_renc(struct pk_repo *repo, struct pk_key *key,
			  struct pk_err *err)
{
	char renc[PK_NAME_MAX + 8], skey[PK_NAME_MAX + 8];

	if (!key->renc)
		return pk_err_set(err, -ENOENT,
				  "key '%s' has no staged re-enciphered key",
				  key->name);
	file_name(renc, sizeof(renc), key->name, ".renc");
	file_name(skey, sizeof(skey), key->name, ".skey");
	if (renameat(repo->dirfd, renc, repo->dirfd, skey))
		return pk_err_set(err, -errno, "cannot rename %s to %s", renc,
				  skey);
	fsync(repo->dirfd);
	pk_wipe_free(key->blob, key->len);
	key->blob = key->renc;
	key->len = key->renc_len;
	key->renc = NULL;
	key->renc_len = 0;
	return touch_times(repo, key, err);
}

/* Replaces <name>.skey in place (re-encipher OLD to CURRENT). */
int pk_repo_replace_blob(struct pk_repo *repo, struct pk_key *key,
			 const uint8_t *blob, size_t len, struct pk_err *err)
{
	int ret;

	ret = write_blob(repo, key, ".skey", blob, len, err);
	if (ret)
		return ret;
	return touch_times(repo, key, err);
}
