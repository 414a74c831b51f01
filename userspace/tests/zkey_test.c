// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the zkey import (lib/zkey.c) with a zkey repository the
 * test builds: .skey + .info with zkey's property names, comments, KMS
 * properties and the __hash__ line. The import is all or nothing: any
 * bad key, pending re-encipher or name collision imports nothing.
 */
#include "test.h"

#include <sys/file.h>
#include <sys/wait.h>

#define MKVP 0x0a0b0c0d0e0f1011ULL

/* A zkey .info: @props "name=value" lines, then zkey's __hash__. */
static void write_zkey_info(const char *d, const char *name, const char *props)
{
	char text[2048], hashin[2048], hex[65], file[128];
	const char *p = props, *eq, *nl;
	uint8_t digest[32];
	size_t h = 0;

	while (*p) {
		eq = strchr(p, '=');
		nl = strchr(p, '\n');
		memcpy(hashin + h, p, (size_t)(eq - p));
		h += (size_t)(eq - p);
		memcpy(hashin + h, eq + 1, (size_t)(nl - eq - 1));
		h += (size_t)(nl - eq - 1);
		p = nl + 1;
	}
	pk_sha256(hashin, h, digest);
	pk_hex_encode(digest, 32, hex);
	snprintf(text, sizeof(text), "%s__hash__=%s\n", props, hex);
	snprintf(file, sizeof(file), "%s.info", name);
	t_write(d, file, text, strlen(text));
}

#define ZPROPS                                                   \
	"key-type=CCA-AESDATA\ncipher=paes\niv-mode=plain64\n"   \
	"description=zkey key\nvolumes=/dev/dasdb1:enc-dasdb1\n" \
	"apqns=03.0039,04.0039\nsector-size=4096\n"              \
	"creation-time=2024-05-01 10:00:00\nvolume-type=LUKS2\n" \
	"kms=NONE\n"

static void make_zkey_key(const char *d, const char *name, uint8_t seed)
{
	char file[128];
	uint8_t blob[128];

	t_make_xts(blob, MKVP, seed);
	snprintf(file, sizeof(file), "%s.skey", name);
	t_write(d, file, blob, sizeof(blob));
	write_zkey_info(d, name, ZPROPS);
}

static int run_import(struct pk_repo *repo, const char *zdir,
		      struct pk_err *err, size_t *n)
{
	char **names = NULL;
	int ret;

	*n = 0;
	ret = pk_zkey_import(repo, zdir, &names, n, err);
	pk_names_free(names, *n);
	return ret;
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
	char path[4300], **names = NULL;
	uint8_t blob[128];
	struct pk_err err;
	int fd, st = -1;
	size_t n = 0;
	pid_t pid;

	snprintf(path, sizeof(path), "%s/.lock", zdir);
	fd = open(path, O_RDONLY | O_CREAT, 0600);
	if (fd < 0 || flock(fd, LOCK_EX))
		return -1;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		int ret = pk_zkey_import(repo, zdir, &names, &n, &err);

		if (ret)
			fprintf(stderr, "# child: %s\n", err.msg);
		_exit(!ret && n == 2 ? 0 : 1);
	}
	usleep(200 * 1000);
	t_make_xts(blob, MKVP, 21);
	t_write(zdir, "enc-w2.skey", blob, sizeof(blob));
	flock(fd, LOCK_UN);
	close(fd);
	if (pid > 0)
		waitpid(pid, &st, 0);
	return pid > 0 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int main(void)
{
	char *top = t_mkdtemp(), zdir[4200], rdir[4200], *before, *after;
	struct pk_repo repo;
	struct pk_err err;
	struct pk_key key;
	size_t n;
	int ret;

	t_plan(9);
	snprintf(zdir, sizeof(zdir), "%s/zkey", top);
	snprintf(rdir, sizeof(rdir), "%s/repo", top);
	mkdir(zdir, 0700);
	pk_repo_open(&repo, rdir, PK_REPO_CREATE | PK_REPO_WRITE, &err);

	t_ok(run_import(&repo, zdir, &err, &n) == -ENOENT &&
		     strstr(err.msg, "no keys"),
	     "zkey: empty repository: ENOENT, clear message");

	make_zkey_key(zdir, "enc-a", 1);
	make_zkey_key(zdir, "enc-b", 5);
	t_write(zdir, ".lock", "", 0);
	t_write(zdir, "enc-c.skey", "orphan", 6); /* no .info: not a key */

	/* A bad hash in enc-b: nothing imported. */
	t_write(zdir, "enc-b.info",
		"key-type=CCA-AESDATA\ncipher=paes\n"
		"iv-mode=plain64\n__hash__=00\n",
		58);
	before = t_snapshot(rdir);
	ret = run_import(&repo, zdir, &err, &n);
	after = t_snapshot(rdir);
	t_ok(ret == -EINVAL && strstr(err.msg, "enc-b.info") &&
		     strstr(err.msg, "hash") && !strcmp(before, after),
	     "zkey: bad hash: error names the file, nothing imported");
	free(after);

	/* A bad token in enc-b: nothing imported. */
	make_zkey_key(zdir, "enc-b", 5);
	t_write(zdir, "enc-b.skey", "\x01\0\0\0\x04", 5);
	ret = run_import(&repo, zdir, &err, &n);
	after = t_snapshot(rdir);
	t_ok(ret == -EINVAL && strstr(err.msg, "enc-b.skey") &&
		     !strcmp(before, after),
	     "zkey: bad secure key: error names the file, nothing imported");
	free(after);

	/* A pending staged re-encipher: refused. */
	make_zkey_key(zdir, "enc-b", 5);
	t_write(zdir, "enc-b.renc", "x", 1);
	ret = run_import(&repo, zdir, &err, &n);
	after = t_snapshot(rdir);
	t_ok(ret == -EBUSY && strstr(err.msg, "re-encipher pending") &&
		     !strcmp(before, after),
	     "zkey: pending re-encipher refused, nothing imported");
	free(after);
	free(before);
	{
		char p[4300];

		snprintf(p, sizeof(p), "%s/enc-b.renc", zdir);
		unlink(p);
	}

	ret = run_import(&repo, zdir, &err, &n);
	if (!t_ok(!ret && n == 2, "zkey: import two keys"))
		t_diag("error", &err);
	ret = pk_repo_read(&repo, "enc-a", &key, &err);
	t_ok(!ret && key.len == 128 && key.xts.half[0].mkvp == MKVP &&
		     !strcmp(pk_info_get(&key.info, PK_P_APQNS),
			     "03.0039,04.0039") &&
		     !strcmp(pk_info_get(&key.info, PK_P_VOLUMES),
			     "/dev/dasdb1:enc-dasdb1") &&
		     !strcmp(pk_info_get(&key.info, PK_P_SECTOR_SIZE),
			     "4096") &&
		     !strcmp(pk_info_get(&key.info, PK_P_CREATION_TIME),
			     "2024-05-01 10:00:00"),
	     "zkey: imported key keeps blob, APQNs, volumes, sector size, times");
	pk_key_free(&key);

	before = t_snapshot(rdir);
	ret = run_import(&repo, zdir, &err, &n);
	after = t_snapshot(rdir);
	t_ok(ret == -EEXIST && strstr(err.msg, "enc-a") &&
		     !strcmp(before, after),
	     "zkey: name collision: EEXIST, nothing changed");
	free(before);
	free(after);

	/*
	 * A key zkey named in a way protkey cannot take is an error, not a
	 * key left behind without a word.
	 */
	snprintf(zdir, sizeof(zdir), "%s/zkey2", top);
	mkdir(zdir, 0700);
	make_zkey_key(zdir, "enc-z", 7);
	make_zkey_key(zdir, "enc z", 8);
	before = t_snapshot(rdir);
	ret = run_import(&repo, zdir, &err, &n);
	after = t_snapshot(rdir);
	t_ok(ret == -EINVAL && strstr(err.msg, "'enc z'") &&
		     !strcmp(before, after),
	     "zkey: a key name protkey cannot take: EINVAL, nothing imported");
	free(before);
	free(after);

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
