// SPDX-License-Identifier: GPL-2.0-only
/*
 * The repository's file readers, pk_repo_read() and pk_zkey_read() (both
 * on pk_key_read_files()), and pk_repo_list() on a scratch directory
 * (under /dev/shm when there is one) that each input fills:
 *
 *   byte 0        control: bit 0 read as zkey does, bit 1 repair the
 *                 TVVs of .skey and .renc, bit 2 write no .skey, bit 3
 *                 write .renc (the rest of the input)
 *   byte 1        n, then n bytes: the key name ("k" when n is 0)
 *   2 bytes       m (little-endian), then m bytes: <name>.info
 *   2 bytes       s (little-endian), then s bytes: <name>.skey
 *   the rest      <name>.renc
 *
 * Lengths are cut to what the input has. A name that pk_name_check()
 * refuses is only handed to the readers, never used as a file name.
 * Invariants beyond no crash, no leak and no UB:
 *
 * - the verdict matches the parts parsed on their own: a bad name or
 *   .info, a missing (-EBADMSG) or bad .skey, a bad .renc (repository)
 *   or any .renc at all (-EBUSY, zkey) fail; everything else succeeds;
 * - a failed read leaves the key holding nothing (no blob, no staged
 *   key, no property), a successful one holds exactly the files' bytes,
 *   their parsed properties and tokens, and the name;
 * - the listing names the key when its name is valid, sorted.
 */
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>

#include "fuzz.h"

static char dir[64];
static int dirfd = -1;

static const char *const exts[] = { ".info", ".skey", ".renc" };
static char cur[PK_NAME_MAX + 1];

static void unlink_files(void)
{
	char fn[PK_NAME_MAX + 8];
	size_t i;

	if (!cur[0])
		return;
	for (i = 0; i < 3; i++) {
		snprintf(fn, sizeof(fn), "%s%s", cur, exts[i]);
		unlinkat(dirfd, fn, 0);
	}
	cur[0] = '\0';
}

static void cleanup(void)
{
	unlink_files();
	if (dirfd >= 0)
		close(dirfd);
	rmdir(dir);
}

static void setup(void)
{
	struct stat sb;
	const char *base = stat("/dev/shm", &sb) || !S_ISDIR(sb.st_mode) ?
				   "/tmp" :
				   "/dev/shm";

	snprintf(dir, sizeof(dir), "%s/protkey-fuzz.XXXXXX", base);
	if (!mkdtemp(dir))
		abort();
	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		abort();
	atexit(cleanup);
}

static void put(const char *name, const char *ext, const uint8_t *p, size_t len)
{
	char fn[PK_NAME_MAX + 8];
	int fd;

	snprintf(fn, sizeof(fn), "%s%s", name, ext);
	fd = openat(dirfd, fn, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || (len && write(fd, p, len) != (ssize_t)len))
		abort();
	close(fd);
}

/* Takes up to @want bytes of the input: *@p and *@left advance. */
static const uint8_t *take(const uint8_t **p, size_t *left, size_t want,
			   size_t *got)
{
	const uint8_t *q = *p;

	*got = want < *left ? want : *left;
	*p += *got;
	*left -= *got;
	return q;
}

static size_t take_len(const uint8_t **p, size_t *left, size_t bytes)
{
	size_t got, v = 0, i;
	const uint8_t *q = take(p, left, bytes, &got);

	for (i = 0; i < got; i++)
		v |= (size_t)q[i] << (8 * i);
	return v;
}

static bool holds_nothing(const struct pk_key *key)
{
	int p;

	for (p = 0; p < PK_P_COUNT; p++)
		if (key->info.val[p])
			return false;
	return !key->blob && !key->len && !key->renc && !key->renc_len;
}

static bool same_xts(const struct pk_xts_info *a, const struct pk_xts_info *b)
{
	int i;

	for (i = 0; i < 2; i++)
		if (a->half[i].type != b->half[i].type ||
		    a->half[i].size != b->half[i].size ||
		    a->half[i].bits != b->half[i].bits ||
		    a->half[i].mkvp != b->half[i].mkvp)
			return false;
	return a->key_size_bits == b->key_size_bits;
}

static void check_list(const char *name)
{
	struct pk_repo repo = { .dirfd = dirfd, .lockfd = -1 };
	char **names = NULL;
	size_t n = 0;

	snprintf(repo.dir, sizeof(repo.dir), "%s", dir);
	FUZZ_CHECK(!pk_repo_list(&repo, &names, &n, NULL));
	FUZZ_CHECK(n == 1 && !strcmp(names[0], name));
	FUZZ_CHECK(pk_repo_exists(&repo, name) == 1);
	pk_names_free(names, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *np, *ip, *sp, *rp;
	size_t left = size, nl, il, sl, rl;
	struct pk_xts_info sx, rx;
	struct pk_info want_info;
	struct pk_key key;
	struct pk_err err;
	uint8_t ctl, *skey, *renc;
	bool zkey, has_skey, has_renc, name_ok, info_ok, skey_ok, renc_ok;
	int ret, want;
	char *name;

	if (dirfd < 0)
		setup();
	if (!size)
		return 0;
	ctl = *take(&p, &left, 1, &nl);
	zkey = ctl & 1;
	has_skey = !(ctl & 4);
	has_renc = ctl & 8;
	np = take(&p, &left, take_len(&p, &left, 1), &nl);
	ip = take(&p, &left, take_len(&p, &left, 2), &il);
	sp = take(&p, &left, take_len(&p, &left, 2), &sl);
	rp = take(&p, &left, left, &rl);
	name = nl ? fuzz_str(np, nl) : strdup("k");
	skey = fuzz_dup(sp, sl);
	renc = fuzz_dup(rp, rl);
	if (ctl & 2) {
		fuzz_fix_tvvs(skey, sl);
		fuzz_fix_tvvs(renc, rl);
	}

	/* What each part says on its own. */
	name_ok = !pk_name_check(name, NULL);
	info_ok = !pk_info_parse((const char *)ip, il, zkey ? PK_INFO_ZKEY : 0,
				 &want_info, NULL);
	skey_ok = has_skey && !pk_xts_parse(skey, sl, &sx, NULL);
	renc_ok = !has_renc || !pk_xts_parse(renc, rl, &rx, NULL);
	if (!name_ok || !info_ok)
		want = -1;
	else if (!has_skey)
		want = -EBADMSG;
	else if (!skey_ok)
		want = -1;
	else if (has_renc && zkey)
		want = -EBUSY;
	else
		want = renc_ok ? 0 : -1;

	if (name_ok) {
		snprintf(cur, sizeof(cur), "%s", name);
		put(name, ".info", ip, il);
		if (has_skey)
			put(name, ".skey", skey, sl);
		if (has_renc)
			put(name, ".renc", renc, rl);
	}

	memset(&err, 0, sizeof(err));
	memset(&key, 0xa5, sizeof(key));
	if (zkey) {
		ret = pk_zkey_read(dirfd, name, &key, &err);
	} else {
		struct pk_repo repo = { .dirfd = dirfd, .lockfd = -1 };

		ret = pk_repo_read(&repo, name, &key, &err);
	}
	if (want == -1)
		FUZZ_CHECK(ret < 0);
	else
		FUZZ_CHECK(ret == want);
	if (ret) {
		FUZZ_CHECK(fuzz_err_set(&err));
		FUZZ_CHECK(holds_nothing(&key));
	} else {
		FUZZ_CHECK(!strcmp(key.name, name));
		FUZZ_CHECK(key.len == sl && !memcmp(key.blob, skey, sl));
		FUZZ_CHECK(same_xts(&key.xts, &sx));
		FUZZ_CHECK(fuzz_info_same(&key.info, &want_info));
		if (has_renc)
			FUZZ_CHECK(key.renc && key.renc_len == rl &&
				   !memcmp(key.renc, renc, rl));
		else
			FUZZ_CHECK(!key.renc && !key.renc_len);
		pk_key_free(&key);
	}
	if (name_ok)
		check_list(name);

	unlink_files();
	pk_info_free(&want_info);
	free(name);
	free(skey);
	free(renc);
	return 0;
}
