// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the repository (lib/repo.c) in a temporary directory:
 * add, list, read, remove, staged and in-place re-encipher, name rules,
 * malformed files (a clear error and the directory unchanged), and an
 * atomic replace that fails mid-write (RLIMIT_FSIZE): the old file stays
 * intact and no temporary file is left.
 */
#include <signal.h>
#include <sys/resource.h>

#include "test.h"

#define MKVP 0x1122334455667788ULL

static struct pk_repo repo;
static char *dir;

static int add(const char *name, uint8_t seed)
{
	struct pk_info info = { 0 };
	uint8_t blob[128];
	int ret;

	t_make_xts(blob, MKVP, seed);
	pk_info_defaults(&info, "CCA-AESDATA");
	ret = pk_repo_add(&repo, name, blob, sizeof(blob), &info, NULL);
	pk_info_free(&info);
	return ret;
}

static void test_basic(void)
{
	struct pk_key key;
	uint8_t blob[128];
	char **names;
	size_t n;
	int ret;

	t_ok(!add("data1", 1) && !add("data0", 3), "repo: add two keys");
	ret = pk_repo_list(&repo, &names, &n, NULL);
	t_ok(!ret && n == 2 && !strcmp(names[0], "data0") &&
		     !strcmp(names[1], "data1"),
	     "repo: list is sorted");
	pk_names_free(names, n);
	t_make_xts(blob, MKVP, 1);
	ret = pk_repo_read(&repo, "data1", &key, NULL);
	t_ok(!ret && key.len == 128 && !memcmp(key.blob, blob, 128) &&
		     key.xts.key_size_bits == 1024 && !key.renc &&
		     !strcmp(pk_info_get(&key.info, PK_P_CIPHER), "paes"),
	     "repo: read back blob, properties, XTS info");
	pk_key_free(&key);
	t_ok(add("data1", 5) == -EEXIST, "repo: add an existing name: EEXIST");
	t_ok(!pk_repo_remove(&repo, "data0", NULL) &&
		     !pk_repo_exists(&repo, "data0"),
	     "repo: remove");
	t_ok(pk_repo_remove(&repo, "data0", NULL) == -ENOENT,
	     "repo: remove a missing key: ENOENT");
	ret = pk_repo_read(&repo, "nope", &key, NULL);
	t_ok(ret == -ENOENT, "repo: read a missing key: ENOENT");
}

static void test_names(void)
{
	static const char *const bad[] = {
		"",
		".hidden",
		"-opt",
		"a/b",
		"a b",
		"../x",
		"x\n",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	};
	size_t i, fails = 0;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (pk_name_check(bad[i], NULL) != -EINVAL)
			fails++;
	t_ok(!fails && !pk_name_check("vol_1.data-2", NULL),
	     "repo: name rules (8 bad names refused, a good one accepted)");
}

/* A .info of two properties with a correct __hash__ line. */
static void t_write_hashed(const char *d, const char *file, const char *n1,
			   const char *v1, const char *n2, const char *v2)
{
	char text[512], h[256], hex[65];
	uint8_t digest[32];

	snprintf(h, sizeof(h), "%s%s%s%s", n1, v1, n2, v2);
	pk_sha256(h, strlen(h), digest);
	pk_hex_encode(digest, 32, hex);
	snprintf(text, sizeof(text), "%s=%s\n%s=%s\n__hash__=%s\n", n1, v1, n2,
		 v2, hex);
	t_write(d, file, text, strlen(text));
}

static void test_bad_input(void)
{
	struct pk_info info = { 0 };
	struct pk_key key;
	struct pk_err err;
	uint8_t blob[128];
	char *before, *after;
	int ret;

	before = t_snapshot(dir);
	t_make_xts(blob, MKVP, 7);
	blob[10] ^= 1;
	pk_info_defaults(&info, "CCA-AESDATA");
	ret = pk_repo_add(&repo, "badblob", blob, sizeof(blob), &info, &err);
	after = t_snapshot(dir);
	t_ok(ret == -EINVAL && strstr(err.msg, "data key half") &&
		     !strcmp(before, after),
	     "repo: add with a bad token: clear error, directory unchanged");
	free(after);
	pk_info_free(&info);
	memset(&info, 0, sizeof(info));
	t_make_xts(blob, MKVP, 7);
	ret = pk_repo_add(&repo, "noinfo", blob, sizeof(blob), &info, &err);
	after = t_snapshot(dir);
	t_ok(ret == -EINVAL && strstr(err.msg, "missing") &&
		     !strcmp(before, after),
	     "repo: add without required properties: error, unchanged");
	free(after);
	free(before);

	t_write(dir, "hand.skey", blob, sizeof(blob));
	t_write_hashed(dir, "hand.info", "key-type", "CCA-AESDATA", "cipher",
		       "paes");
	before = t_snapshot(dir);
	ret = pk_repo_read(&repo, "hand", &key, &err);
	after = t_snapshot(dir);
	t_ok(ret == -EINVAL && strstr(err.msg, "hand.info") &&
		     strstr(err.msg, "iv-mode") && !strcmp(before, after),
	     "repo: malformed .info: error names file and problem, unchanged");
	t_diag("message", &err);
	free(before);
	free(after);
	t_write(dir, "hand.info", "x", 1);
	unlinkat(repo.dirfd, "hand.info", 0);
	unlinkat(repo.dirfd, "hand.skey", 0);

	add("trunc", 9);
	t_write(dir, "trunc.skey", blob, 100);
	ret = pk_repo_read(&repo, "trunc", &key, &err);
	t_ok(ret == -EINVAL && strstr(err.msg, "trunc.skey"),
	     "repo: truncated .skey: error names the file");
	unlinkat(repo.dirfd, "trunc.skey", 0);
	ret = pk_repo_read(&repo, "trunc", &key, &err);
	t_ok(ret == -EBADMSG && strstr(err.msg, "without"),
	     "repo: .info without .skey: inconsistent");
	pk_repo_remove(&repo, "trunc", NULL);
}

static void test_reencipher(void)
{
	uint8_t renc[128], other[128];
	struct pk_key key;
	struct pk_err err;
	int ret;

	add("mk", 11);
	pk_repo_read(&repo, "mk", &key, NULL);
	t_make_xts(renc, MKVP + 1, 11);
	ret = pk_repo_stage_renc(&repo, &key, renc, sizeof(renc), &err);
	pk_key_free(&key);
	ret = ret ?: pk_repo_read(&repo, "mk", &key, &err);
	t_ok(!ret && key.renc && !memcmp(key.renc, renc, 128),
	     "repo: staged re-encipher in mk.renc");
	t_make_token(other, 128, MKVP, 1);
	t_make_token(other + 64, 128, MKVP, 2);
	t_ok(pk_repo_stage_renc(&repo, &key, other, 128, &err) == -EINVAL &&
		     strstr(err.msg, "differs"),
	     "repo: a staged key of another size is refused");
	ret = pk_repo_complete_renc(&repo, &key, &err);
	pk_key_free(&key);
	ret = ret ?: pk_repo_read(&repo, "mk", &key, &err);
	t_ok(!ret && !key.renc && !memcmp(key.blob, renc, 128) &&
		     *pk_info_get(&key.info, PK_P_REENCIPHER_TIME) &&
		     key.xts.half[0].mkvp == MKVP + 1,
	     "repo: complete moves .renc into place, sets reencipher-time");
	t_ok(pk_repo_complete_renc(&repo, &key, &err) == -ENOENT,
	     "repo: complete without a staged key: ENOENT");
	t_make_xts(renc, MKVP + 2, 11);
	ret = pk_repo_replace_blob(&repo, &key, renc, sizeof(renc), &err);
	pk_key_free(&key);
	ret = ret ?: pk_repo_read(&repo, "mk", &key, &err);
	t_ok(!ret && key.xts.half[1].mkvp == MKVP + 2,
	     "repo: in-place re-encipher replaces .skey");
	pk_key_free(&key);
}

static void test_atomic(void)
{
	struct rlimit old, lim = { .rlim_cur = 40, .rlim_max = RLIM_INFINITY };
	uint8_t big[128], small[16];
	struct pk_info info = { 0 };
	char *before, *after;
	struct pk_err err;
	int ret, ret2;

	memset(small, 0xaa, sizeof(small));
	memset(big, 0x55, sizeof(big));
	t_ok(!pk_write_atomic(repo.dirfd, "atomic.bin", small, sizeof(small),
			      &err),
	     "atomic: write a file");
	before = t_snapshot(dir);
	signal(SIGXFSZ, SIG_IGN);
	getrlimit(RLIMIT_FSIZE, &old);
	lim.rlim_max = old.rlim_max;
	setrlimit(RLIMIT_FSIZE, &lim);
	ret = pk_write_atomic(repo.dirfd, "atomic.bin", big, sizeof(big), &err);
	pk_info_defaults(&info, "CCA-AESDATA");
	t_make_xts(big, MKVP, 21);
	ret2 = pk_repo_add(&repo, "cut", big, sizeof(big), &info, NULL);
	setrlimit(RLIMIT_FSIZE, &old);
	after = t_snapshot(dir);
	t_ok(ret == -EFBIG && strstr(err.msg, "cannot write"),
	     "atomic: a write cut off after 40 bytes fails (EFBIG)");
	t_ok(!strcmp(before, after),
	     "atomic: old file intact, no temporary file left");
	t_ok(ret2 == -EFBIG && !pk_repo_exists(&repo, "cut"),
	     "atomic: an add cut off mid-write adds nothing");
	pk_info_free(&info);
	free(before);
	free(after);
	unlinkat(repo.dirfd, "atomic.bin", 0);
}

/* A key that volumes use is not removed without --force. */
static void test_remove_in_use(void)
{
	struct pk_err err;
	struct pk_key key;
	int ret;

	t_ok(!add("used", 7) && !pk_repo_remove_check(&repo, "used", &err),
	     "repo: remove check: a key without volumes may go");
	ret = pk_repo_read(&repo, "used", &key, NULL);
	ret = ret   ?:
		      pk_info_set(&key.info, PK_P_VOLUMES, "/dev/vdb:enc-vdb",
				  NULL);
	ret = ret ?: pk_repo_write_info(&repo, "used", &key.info, NULL);
	pk_key_free(&key);
	ret = ret ?: pk_repo_remove_check(&repo, "used", &err);
	t_ok(ret == -EBUSY && strstr(err.msg, "/dev/vdb:enc-vdb") &&
		     strstr(err.msg, "--force") &&
		     pk_repo_exists(&repo, "used"),
	     "repo: remove check: a key with volumes: EBUSY naming them");
	t_ok(pk_repo_remove_check(&repo, "gone", &err) == -ENOENT,
	     "repo: remove check: a missing key: ENOENT");
	t_ok(t_write(dir, "bad.info", "cipher=paes\n", 12) == 0 &&
		     pk_repo_remove_check(&repo, "bad", &err) == -EINVAL &&
		     strstr(err.msg, "--force") &&
		     !pk_repo_remove(&repo, "bad", NULL),
	     "repo: remove check: an unreadable .info is refused; remove forced");
	pk_repo_remove(&repo, "used", NULL);
}

int main(void)
{
	struct pk_err err;
	char sub[4200], *top;

	t_plan(27);
	top = t_mkdtemp();
	snprintf(sub, sizeof(sub), "%s/repo", top);
	if (!t_ok(!pk_repo_open(&repo, sub, PK_REPO_CREATE | PK_REPO_WRITE,
				&err),
		  "repo: create and lock a repository"))
		return t_done();
	dir = strdup(sub);
	test_basic();
	test_names();
	test_bad_input();
	test_reencipher();
	test_atomic();
	test_remove_in_use();
	pk_repo_close(&repo);
	t_rmrf(top);
	free(top);
	free(dir);
	return t_done();
}
