// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the keyslot side of lib/luks.c on a LUKS2 header in a
 * regular file: the KDF of a new volume (what "zkey cryptsetup" prints,
 * s390-tools zkey/keystore.c: argon2i, 32 KiB, 4 iterations; PBKDF2 in
 * FIPS mode; cryptsetup's --pbkdf options over it), the keyslot a staged
 * re-encipher adds (the KDF of the keyslot it replaces, as
 * zkey-cryptsetup's open_keyslot() copies it), the paes-reencipher token
 * bound to its keyslot and written after it (zkey-cryptsetup's
 * reencipher_prepare()), a stage killed between the two and run again,
 * and the unbound keyslots of the old key, kept or removed at --complete.
 */
#include "test.h"

#include <signal.h>
#include <sys/wait.h>

#include <json.h>
#include <libcryptsetup.h>

#define MKVP 0x0a0b0c0d0e0f1011ULL
#define VP "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
#define PASS "luks renc test"
#define OTHER "another passphrase"

static char img[4200];
static uint8_t blob[128], nblob[128], n2blob[128];

static int make_img(const struct pk_luks_pbkdf *p, struct pk_err *err)
{
	int fd = open(img, O_RDWR | O_CREAT | O_TRUNC, 0600);

	if (fd < 0 || ftruncate(fd, 16 << 20)) {
		printf("# cannot make %s\n", img);
		if (fd >= 0)
			close(fd);
		return -EIO;
	}
	close(fd);
	return pk_luks_format(img, blob, sizeof(blob), NULL, PASS, strlen(PASS),
			      0, p, err);
}

/* The KDF of keyslot @slot: "type iterations memory", or "" */
static const char *kdf(int slot)
{
	static char buf[80];
	struct crypt_pbkdf_type p;
	struct crypt_device *cd;

	buf[0] = '\0';
	if (crypt_init(&cd, img) < 0)
		return buf;
	memset(&p, 0, sizeof(p));
	if (crypt_load(cd, CRYPT_LUKS2, NULL) >= 0 &&
	    !crypt_keyslot_get_pbkdf(cd, slot, &p))
		snprintf(buf, sizeof(buf), "%s %u %u", p.type, p.iterations,
			 p.max_memory_kb);
	crypt_free(cd);
	return buf;
}

/* How many keyslots are in state @ki. */
static int slots(crypt_keyslot_info ki)
{
	struct crypt_device *cd;
	int s, n = 0;

	if (crypt_init(&cd, img) < 0)
		return -1;
	if (crypt_load(cd, CRYPT_LUKS2, NULL) >= 0)
		for (s = 0; s < PK_LUKS_SLOTS; s++)
			n += crypt_keyslot_status(cd, s) == ki;
	crypt_free(cd);
	return n;
}

/* The "keyslots" of the paes-reencipher token, as "3", or "" */
static const char *renc_keyslots(void)
{
	static char buf[32];
	struct json_object *o, *a;
	struct crypt_device *cd;
	const char *t, *json;
	int i;

	buf[0] = '\0';
	if (crypt_init(&cd, img) < 0)
		return buf;
	if (crypt_load(cd, CRYPT_LUKS2, NULL) >= 0)
		for (i = 0; i < 32; i++) {
			if (crypt_token_status(cd, i, &t) ==
				    CRYPT_TOKEN_INACTIVE ||
			    !t || strcmp(t, "paes-reencipher") ||
			    crypt_token_json_get(cd, i, &json) < 0)
				continue;
			o = json_tokener_parse(json);
			if (o && json_object_object_get_ex(o, "keyslots", &a) &&
			    json_object_array_length(a) == 1)
				snprintf(buf, sizeof(buf), "%s",
					 json_object_get_string(
						 json_object_array_get_idx(a,
									   0)));
			json_object_put(o);
		}
	crypt_free(cd);
	return buf;
}

/* Adds a keyslot for @pass holding @vk, unbound unless @bound. */
static int add_slot(const uint8_t *vk, const char *pass, bool bound)
{
	static const struct crypt_pbkdf_type cheap = {
		.type = CRYPT_KDF_PBKDF2,
		.hash = "sha256",
		.iterations = 1000,
		.flags = CRYPT_PBKDF_NO_BENCHMARK,
	};
	struct crypt_device *cd;
	int ret;

	ret = crypt_init(&cd, img);
	if (ret < 0)
		return ret;
	ret = crypt_load(cd, CRYPT_LUKS2, NULL);
	ret = ret < 0 ? ret : crypt_set_pbkdf_type(cd, &cheap);
	if (ret >= 0)
		ret = crypt_keyslot_add_by_key(
			cd, CRYPT_ANY_SLOT, (const char *)vk, sizeof(blob),
			pass, strlen(pass),
			bound ? 0 : CRYPT_VOLUME_KEY_NO_SEGMENT);
	crypt_free(cd);
	return ret;
}

/* pk_luks_renc_stage() in a child that PROTKEYCTL_FAULT=@fault kills. */
static bool stage_killed(const char *fault)
{
	struct pk_err err;
	int st, unbound;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (!pid) {
		setenv("PROTKEYCTL_FAULT", fault, 1);
		pk_luks_renc_stage(img, PASS, strlen(PASS), nblob,
				   sizeof(nblob), 0, VP, false, &unbound, &err);
		_exit(0);
	}
	return pid > 0 && waitpid(pid, &st, 0) == pid && WIFSIGNALED(st) &&
	       WTERMSIG(st) == SIGKILL;
}

static void test_kdf_of_new_volumes(void)
{
	struct pk_luks_pbkdf zkey = { .fips = 0 }, fips = { .fips = 1 };
	struct pk_luks_pbkdf p2 = { .type = "pbkdf2",
				    .iterations = 1234,
				    .fips = -1 };
	struct pk_luks_pbkdf a2 = {
		.type = "argon2id", .memory_kb = 64, .iterations = 5, .fips = 1
	};
	struct pk_err err;

	t_ok(!make_img(&zkey, &err) && !strcmp(kdf(0), "argon2i 4 32"),
	     "luks format: zkey's KDF, argon2i with 32 KiB and 4 iterations (%s)",
	     kdf(0));
	t_ok(!make_img(&fips, &err) && !strncmp(kdf(0), "pbkdf2 ", 7) &&
		     strtoul(kdf(0) + 7, NULL, 10) > 1000,
	     "luks format: FIPS mode: PBKDF2, benchmarked as cryptsetup does (%s)",
	     kdf(0));
	t_ok(!make_img(&p2, &err) && !strcmp(kdf(0), "pbkdf2 1234 0"),
	     "luks format: --pbkdf pbkdf2 --pbkdf-force-iterations 1234 (%s)",
	     kdf(0));
	t_ok(!make_img(&a2, &err) && !strcmp(kdf(0), "argon2id 5 64"),
	     "luks format: --pbkdf argon2id --pbkdf-memory 64, also in FIPS mode (%s)",
	     kdf(0));
}

static void test_stage(void)
{
	struct pk_luks_pbkdf p2 = { .type = "pbkdf2", .iterations = 1234 };
	char want[8];
	struct pk_err err;
	int ret, unbound = -1;

	ret = make_img(&p2, &err);
	ret = ret   ?:
		      pk_luks_renc_stage(img, PASS, strlen(PASS), nblob,
					 sizeof(nblob), 0, VP, false, &unbound,
					 &err);
	if (!t_ok(!ret && !strcmp(kdf(unbound), "pbkdf2 1234 0"),
		  "luks stage: the unbound keyslot has the KDF of the one it replaces (%s)",
		  kdf(unbound)))
		t_diag("stage", &err);
	snprintf(want, sizeof(want), "%d", unbound);
	t_ok(!strcmp(renc_keyslots(), want),
	     "luks stage: the paes-reencipher token is bound to keyslot %s (%s)",
	     want, renc_keyslots());

	/* killed between the keyslot and the token: the keyslot alone */
	make_img(NULL, &err);
	t_ok(stage_killed("staged-keyslot") && slots(CRYPT_SLOT_UNBOUND) == 1 &&
		     !renc_keyslots()[0],
	     "luks stage: killed after the keyslot, before the token");
	ret = pk_luks_renc_stage(img, PASS, strlen(PASS), nblob, sizeof(nblob),
				 0, VP, false, &unbound, &err);
	snprintf(want, sizeof(want), "%d", unbound);
	if (!t_ok(!ret && slots(CRYPT_SLOT_UNBOUND) == 1 &&
			  !strcmp(renc_keyslots(), want),
		  "luks stage: run again, it leaves one unbound keyslot, named by the token"))
		t_diag("stage again", &err);
	make_img(NULL, &err);
	t_ok(stage_killed("staged-token") &&
		     pk_luks_renc_stage(img, PASS, strlen(PASS), nblob,
					sizeof(nblob), 0, VP, false, &unbound,
					&err) == -EEXIST,
	     "luks stage: with token and keyslot in, staging again is refused");

	/* an unbound keyslot of another master key is not a residue */
	make_img(NULL, &err);
	ret = add_slot(n2blob, PASS, false);
	ret = ret < 0 ? ret :
			pk_luks_renc_stage(img, PASS, strlen(PASS), nblob,
					   sizeof(nblob), 0, VP, false,
					   &unbound, &err);
	t_ok(!ret && slots(CRYPT_SLOT_UNBOUND) == 2,
	     "luks stage: an unbound keyslot under another master key is kept");
}

static void test_replace_and_finish(void)
{
	int ret, unbound = -1, old, left = -1, removed = -1;
	char want[8];
	struct pk_err err;

	/* two MK changes since --staged: the staged keyslot is replaced */
	ret = make_img(NULL, &err);
	ret = ret   ?:
		      pk_luks_renc_stage(img, PASS, strlen(PASS), nblob,
					 sizeof(nblob), 0, VP, false, &unbound,
					 &err);
	old = unbound;
	ret = ret   ?:
		      pk_luks_renc_stage(img, PASS, strlen(PASS), n2blob,
					 sizeof(n2blob), 0, VP, true, &unbound,
					 &err);
	snprintf(want, sizeof(want), "%d", unbound);
	if (!t_ok(!ret && unbound != old && slots(CRYPT_SLOT_UNBOUND) == 1 &&
			  !strcmp(renc_keyslots(), want) &&
			  !strcmp(kdf(unbound), "argon2i 4 32"),
		  "luks stage: a re-enciphered staged key replaces the staged keyslot"))
		t_diag("replace", &err);

	/* --complete keeps the old key's other keyslots unbound... */
	ret = make_img(NULL, &err);
	ret = ret ?: (add_slot(blob, OTHER, true) < 0 ? -EIO : 0);
	ret = ret   ?:
		      pk_luks_renc_stage(img, PASS, strlen(PASS), nblob,
					 sizeof(nblob), 0, VP, false, &unbound,
					 &err);
	ret = ret   ?:
		      pk_luks_renc_finish(img, PASS, strlen(PASS), nblob,
					  sizeof(nblob), false, &left, &removed,
					  &err);
	if (!t_ok(!ret && left == 1 && !removed &&
			  slots(CRYPT_SLOT_UNBOUND) == 1,
		  "luks finish: the old key's other keyslot is kept (unbound) by default"))
		t_diag("finish", &err);
	ret = pk_luks_unbound_remove(img, &left, &removed, &err);
	t_ok(!ret && !left && removed == 1 && !slots(CRYPT_SLOT_UNBOUND),
	     "luks finish: and removed when the user says so");

	/* ... or removes it at once (--remove-unbound) */
	ret = make_img(NULL, &err);
	ret = ret ?: (add_slot(blob, OTHER, true) < 0 ? -EIO : 0);
	ret = ret   ?:
		      pk_luks_renc_stage(img, PASS, strlen(PASS), nblob,
					 sizeof(nblob), 0, VP, false, &unbound,
					 &err);
	ret = ret   ?:
		      pk_luks_renc_finish(img, PASS, strlen(PASS), nblob,
					  sizeof(nblob), true, &left, &removed,
					  &err);
	if (!t_ok(!ret && !left && removed == 1 && !slots(CRYPT_SLOT_UNBOUND) &&
			  slots(CRYPT_SLOT_ACTIVE_LAST) == 1,
		  "luks finish: --remove-unbound destroys every unbound keyslot"))
		t_diag("finish remove", &err);
}

int main(void)
{
	char *top = t_mkdtemp();

	t_plan(14);
	snprintf(img, sizeof(img), "%s/img", top);
	t_make_xts(blob, MKVP, 1);
	t_make_xts(nblob, MKVP + 1, 1);
	t_make_xts(n2blob, MKVP + 2, 1);
	test_kdf_of_new_volumes();
	test_stage();
	test_replace_and_finish();
	t_rmrf(top);
	free(top);
	return t_done();
}
