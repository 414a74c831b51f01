// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the zkey import (lib/zkey.c) with zkey repositories the
 * test builds as zkey builds them (s390-tools zkey/keystore.c and
 * zkey/properties.c): .skey, .info with zkey's property names in the
 * order zkey sets them and its __hash__ line (computed here with
 * libcrypto, not with protkey's code), .pass, .renc and .lock; plus the
 * stored files of zkey_fixtures.h. Each key is imported or skipped with
 * a reason; a skipped key leaves our repository as it was.
 */
#include "test.h"
#include "zkey_fixtures.h"

#include <sys/file.h>
#include <sys/wait.h>

#include <openssl/evp.h>

#define MKVP 0x0a0b0c0d0e0f1011ULL
#define VP "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

/*
 * A zkey .info: the "name=value" lines @props, then what properties_save()
 * appends: "__hash__=" and the lower-case hex SHA-256 of every name and
 * value, in order, without separators.
 */
static void write_zkey_info(const char *d, const char *name, const char *props)
{
	char text[4096], hex[65], file[300];
	const char *p = props, *eq, *nl;
	unsigned char digest[32];
	unsigned int dlen = 0, i;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	for (; *p; p = nl + 1) {
		eq = strchr(p, '=');
		nl = strchr(p, '\n');
		EVP_DigestUpdate(ctx, p, (size_t)(eq - p));
		EVP_DigestUpdate(ctx, eq + 1, (size_t)(nl - eq - 1));
	}
	EVP_DigestFinal_ex(ctx, digest, &dlen);
	EVP_MD_CTX_free(ctx);
	for (i = 0; i < dlen; i++)
		sprintf(hex + 2 * i, "%02x", digest[i]);
	snprintf(text, sizeof(text), "%s__hash__=%s\n", props, hex);
	snprintf(file, sizeof(file), "%s.info", name);
	t_write(d, file, text, strlen(text));
}

/*
 * What zkey generate --xts writes today, in its order: cipher, iv-mode,
 * creation-time (_keystore_set_default_aes_properties()), description,
 * key-type, volumes, apqns, sector-size, volume-type (upper-cased by
 * properties_set2()), then the verification pattern
 * (_keystore_ensure_vp_exists()).
 */
#define ZPROPS                                         \
	"cipher=paes\niv-mode=plain64\n"               \
	"creation-time=2024-05-01 10:00:00\n"          \
	"description=zkey key\nkey-type=CCA-AESDATA\n" \
	"volumes=/dev/dasdb1:enc-dasdb1\n"             \
	"apqns=03.0039,04.0039\nsector-size=4096\n"    \
	"volume-type=LUKS2\nverification-pattern=" VP "\n"

/* A KMS-bound key: zkey's kms property and the KMS's key IDs/labels. */
#define ZPROPS_KMS(plugin)                                  \
	"cipher=paes\niv-mode=plain64\n"                    \
	"creation-time=2024-05-01 10:00:00\n"               \
	"description=\nkey-type=CCA-AESDATA\nvolumes=\n"    \
	"apqns=03.0039\nsector-size=0\nvolume-type=LUKS2\n" \
	"kms=" plugin "\nkms-xts-key1-id=K1\n"              \
	"kms-xts-key1-label=L1\nkms-xts-key2-id=K2\n"       \
	"kms-xts-key2-label=L2\nverification-pattern=" VP "\n"

static void write_skey(const char *d, const char *name, uint8_t seed)
{
	char file[300];
	uint8_t blob[128];

	t_make_xts(blob, MKVP, seed);
	snprintf(file, sizeof(file), "%s.skey", name);
	t_write(d, file, blob, sizeof(blob));
}

static void make_zkey_key(const char *d, const char *name, uint8_t seed)
{
	write_skey(d, name, seed);
	write_zkey_info(d, name, ZPROPS);
}

/* A non-XTS zkey key: one CCA AES DATA token of @bits. */
static void make_single_key(const char *d, const char *name, unsigned int bits)
{
	char file[300];
	uint8_t tok[PK_CCA_AESDATA_SIZE];

	t_make_token(tok, bits, MKVP, 40);
	snprintf(file, sizeof(file), "%s.skey", name);
	t_write(d, file, tok, sizeof(tok));
	write_zkey_info(d, name, ZPROPS);
}

/**
 * struct run - one import and what it said
 * @ret: pk_zkey_import()'s return
 * @err: its error
 * @res: the per-key results
 * @n: how many
 */
struct run {
	int ret;
	struct pk_err err;
	struct pk_zkey_result *res;
	size_t n;
};

static void run_import(struct run *r, struct pk_repo *repo, const char *zdir,
		       const char *pattern)
{
	free(r->res);
	memset(r, 0, sizeof(*r));
	r->ret = pk_zkey_import(repo, zdir, pattern, &r->res, &r->n, &r->err);
}

static const struct pk_zkey_result *result(const struct run *r,
					   const char *name)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (!strcmp(r->res[i].name, name))
			return &r->res[i];
	return NULL;
}

/* @name was skipped with a one-line reason holding @why. */
static bool refused(const struct run *r, const char *name, const char *why)
{
	const struct pk_zkey_result *k = result(r, name);

	if (!k || k->imported || !k->ret || !strstr(k->reason, why) ||
	    strchr(k->reason, '\n')) {
		printf("# %s: %s\n", name, k ? k->reason : "no result");
		return false;
	}
	return true;
}

/* ... and is not in our repository. */
static bool skipped(const struct run *r, struct pk_repo *repo, const char *name,
		    const char *why)
{
	return refused(r, name, why) &&
	       (pk_name_check(name, NULL) || !pk_repo_exists(repo, name));
}

static bool imported(const struct run *r, struct pk_repo *repo,
		     const char *name)
{
	const struct pk_zkey_result *k = result(r, name);

	if (!k || !k->imported)
		printf("# %s: %s\n", name, k ? k->reason : "no result");
	return k && k->imported && !k->ret && !k->reason[0] &&
	       pk_repo_exists(repo, name);
}

/*
 * zkey holds an exclusive flock() on .lock while it changes its
 * repository. With the lock held, a child starts an import; the parent
 * then completes a half-written key (an .info whose .skey is still
 * missing) and lets go. The import must wait and see both keys.
 * Return: the child's verdict, 0 when it imported two keys.
 */
static int import_waits_for_zkey_lock(struct pk_repo *repo, const char *zdir)
{
	char path[4300];
	int fd, st = -1;
	pid_t pid;

	snprintf(path, sizeof(path), "%s/.lock", zdir);
	fd = open(path, O_RDONLY | O_CREAT, 0600);
	if (fd < 0 || flock(fd, LOCK_EX))
		return -1;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct run r = { 0 };

		run_import(&r, repo, zdir, NULL);
		if (r.ret)
			fprintf(stderr, "# child: %s\n", r.err.msg);
		_exit(!r.ret && r.n == 2 && r.res[0].imported &&
				      r.res[1].imported ?
			      0 :
			      1);
	}
	usleep(200 * 1000);
	write_skey(zdir, "enc-w2", 21);
	flock(fd, LOCK_UN);
	close(fd);
	if (pid > 0)
		waitpid(pid, &st, 0);
	return pid > 0 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Every way a zkey key can be one protkey does not take. */
static void make_unusable_keys(const char *z)
{
	char name[80];

	make_zkey_key(z, "no-hash", 2);
	t_write(z, "no-hash.info", ZPROPS, strlen(ZPROPS));
	write_skey(z, "bad-hash", 3);
	t_write(z, "bad-hash.info", ZPROPS "__hash__=" VP "\n",
		strlen(ZPROPS "__hash__=" VP "\n"));
	make_single_key(z, "cbc-256", 256);
	make_single_key(z, "cbc-192", 192);
	write_skey(z, "kms-bound", 5);
	write_zkey_info(z, "kms-bound", ZPROPS_KMS("EKMFWeb"));
	write_skey(z, "aescipher", 6);
	write_zkey_info(z, "aescipher",
			"cipher=paes\niv-mode=plain64\n"
			"key-type=CCA-AESCIPHER\n");
	write_skey(z, "integrity", 7);
	write_zkey_info(z, "integrity",
			"cipher=phmac\ndigest=sha\n"
			"key-type=CCA-AESDATA\nvolume-type=INTEGRITY\n");
	make_zkey_key(z, "staged", 8);
	t_write(z, "staged.renc", "x", 1);
	make_zkey_key(z, "enc b", 9); /* zkey itself refuses a blank */
	make_zkey_key(z, "enc+c", 10); /* zkey's, not protkey's */
	memset(name, 'n', 70);
	name[70] = '\0';
	make_zkey_key(z, name, 11);
	write_zkey_info(z, "no-skey", ZPROPS);
	make_zkey_key(z, "empty-pass", 12);
	t_write(z, "empty-pass.pass", "", 0);
}

static bool all_skipped(const struct run *r, struct pk_repo *repo)
{
	char longname[80];
	bool ok = true;

	memset(longname, 'n', 70);
	longname[70] = '\0';
	ok &= skipped(r, repo, "no-hash", "no __hash__ line");
	ok &= skipped(r, repo, "bad-hash", "hash mismatch");
	ok &= skipped(r, repo, "cbc-256", "non-XTS CCA-AESDATA AES-256");
	ok &= skipped(r, repo, "cbc-192", "non-XTS CCA-AESDATA AES-192");
	ok &= skipped(r, repo, "kms-bound", "KMS plugin 'EKMFWeb'");
	ok &= skipped(r, repo, "aescipher", "CCA-AESCIPHER");
	ok &= skipped(r, repo, "integrity", "phmac");
	ok &= skipped(r, repo, "staged", "re-encipher pending");
	ok &= skipped(r, repo, "enc b", "not a zkey key");
	ok &= skipped(r, repo, "enc+c", "1 to 64 of");
	ok &= skipped(r, repo, longname, "1 to 64 of");
	ok &= skipped(r, repo, "no-skey", "without no-skey.skey");
	ok &= skipped(r, repo, "empty-pass", "empty-pass.pass: empty");
	return ok;
}

static bool same_file(const char *d1, const char *d2, const char *file)
{
	char a[4700], b[4700], cmd[9500];
	struct stat sb;

	snprintf(a, sizeof(a), "%s/%s", d1, file);
	snprintf(b, sizeof(b), "%s/%s", d2, file);
	snprintf(cmd, sizeof(cmd), "cmp -s '%s' '%s'", a, b);
	return !stat(b, &sb) && (sb.st_mode & 0777) == 0600 && !system(cmd);
}

static void test_mixed(struct pk_repo *repo, const char *top, const char *rdir)
{
	char z[4400], *before, *after;
	struct run r = { 0 };
	struct pk_key key;
	struct pk_err err;
	bool ok;
	int ret;

	snprintf(z, sizeof(z), "%s/zmixed", top);
	mkdir(z, 0700);
	t_write(z, ".lock", "", 0);
	make_zkey_key(z, "enc-a", 1);
	t_write(z, "enc-a.pass", "\x9c\x01\xfe\x00zkey-dummy!", 16);
	write_skey(z, "enc-old", 13);
	t_write(z, "enc-old.info", ZK_FIXTURE_OLD, strlen(ZK_FIXTURE_OLD));
	write_skey(z, "kms-local", 14);
	write_zkey_info(z, "kms-local", ZPROPS_KMS("LOCAL"));
	make_unusable_keys(z);

	run_import(&r, repo, z, NULL);
	ok = !r.ret && r.n == 16;
	if (!t_ok(ok && imported(&r, repo, "enc-a") &&
			  imported(&r, repo, "enc-old") &&
			  imported(&r, repo, "kms-local"),
		  "zkey: the usable keys of a mixed repository are imported"))
		t_diag("import", &r.err);
	t_ok(ok && all_skipped(&r, repo),
	     "zkey: each unusable key skipped with its one-line reason, not added");

	ret = pk_repo_read(repo, "enc-a", &key, &err);
	t_ok(!ret && key.len == 128 && key.xts.half[0].mkvp == MKVP &&
		     !strcmp(pk_info_get(&key.info, PK_P_KEY_TYPE),
			     "CCA-AESDATA") &&
		     !strcmp(pk_info_get(&key.info, PK_P_DESCRIPTION),
			     "zkey key") &&
		     !strcmp(pk_info_get(&key.info, PK_P_APQNS),
			     "03.0039,04.0039") &&
		     !strcmp(pk_info_get(&key.info, PK_P_VOLUMES),
			     "/dev/dasdb1:enc-dasdb1") &&
		     !strcmp(pk_info_get(&key.info, PK_P_SECTOR_SIZE),
			     "4096") &&
		     !strcmp(pk_info_get(&key.info, PK_P_VOLUME_TYPE),
			     "LUKS2") &&
		     !strcmp(pk_info_get(&key.info, PK_P_VP), VP) &&
		     !strcmp(pk_info_get(&key.info, PK_P_CREATION_TIME),
			     "2024-05-01 10:00:00"),
	     "zkey: an imported key keeps blob and every property, field by field");
	pk_key_free(&key);

	ret = pk_repo_read(repo, "enc-a", &key, &err);
	t_ok(!ret && key.has_pass && result(&r, "enc-a")->pass &&
		     same_file(z, rdir, "enc-a.pass"),
	     "zkey: the dummy passphrase (.pass) comes along, byte for byte, mode 0600");
	pk_key_free(&key);

	ret = pk_repo_read(repo, "enc-old", &key, &err);
	t_ok(!ret &&
		     !strcmp(pk_info_get(&key.info, PK_P_KEY_TYPE),
			     "CCA-AESDATA") &&
		     !strcmp(pk_info_get(&key.info, PK_P_VOLUME_TYPE),
			     "plain") &&
		     !strcmp(pk_info_get(&key.info, PK_P_VOLUMES),
			     "/dev/dasdd1:enc-dasdd1") &&
		     !key.has_pass,
	     "zkey: no key-type is CCA-AESDATA, no volume-type is plain (stored fixture)");
	pk_key_free(&key);

	before = t_snapshot(rdir);
	run_import(&r, repo, z, "enc-[ao]*");
	after = t_snapshot(rdir);
	t_ok(!r.ret && r.n == 2 && refused(&r, "enc-a", "exists") &&
		     refused(&r, "enc-old", "exists") && !strcmp(before, after),
	     "zkey: --name selects by fnmatch; an existing name is skipped, nothing changed");
	free(after);

	run_import(&r, repo, z, "nomatch*");
	after = t_snapshot(rdir);
	t_ok(r.ret == -ENOENT && strstr(r.err.msg, "matches 'nomatch*'") &&
		     !strcmp(before, after),
	     "zkey: a pattern that matches nothing: ENOENT, nothing changed");
	free(after);
	free(before);

	snprintf(z, sizeof(z), "%s/enc-a.pass", rdir);
	ret = pk_repo_remove(repo, "enc-a", &err);
	t_ok(!ret && !pk_repo_exists(repo, "enc-a") && access(z, F_OK) &&
		     errno == ENOENT,
	     "zkey: removing the key removes its dummy passphrase");
	free(r.res);
}

int main(void)
{
	char *top = t_mkdtemp(), zdir[4200], rdir[4200];
	struct pk_repo repo;
	struct pk_err err;
	struct run r = { 0 };

	t_plan(11);
	snprintf(zdir, sizeof(zdir), "%s/zkey", top);
	snprintf(rdir, sizeof(rdir), "%s/repo", top);
	mkdir(zdir, 0700);
	pk_repo_open(&repo, rdir, PK_REPO_CREATE | PK_REPO_WRITE, &err);

	run_import(&r, &repo, zdir, NULL);
	t_ok(r.ret == -ENOENT && strstr(r.err.msg, "no keys"),
	     "zkey: empty repository: ENOENT, clear message");
	run_import(&r, &repo, "/nonexistent-zkey-dir", NULL);
	t_ok(r.ret == -ENOENT && strstr(r.err.msg, "/nonexistent-zkey-dir"),
	     "zkey: missing repository: ENOENT naming it");
	free(r.res);

	test_mixed(&repo, top, rdir);

	/* A zkey repository that zkey is changing right now. */
	snprintf(zdir, sizeof(zdir), "%s/zkey3", top);
	mkdir(zdir, 0700);
	make_zkey_key(zdir, "enc-w1", 19);
	write_zkey_info(zdir, "enc-w2", ZPROPS);
	t_ok(import_waits_for_zkey_lock(&repo, zdir) == 0,
	     "zkey: import waits for zkey's lock and sees the finished state");

	pk_repo_close(&repo);
	t_rmrf(top);
	free(top);
	return t_done();
}
