// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the KDF of a new volume's keyslot (lib/luks.c) on a LUKS2
 * header in a regular file: what "zkey cryptsetup" prints, s390-tools
 * zkey/keystore.c (argon2i, 32 KiB, 4 iterations; PBKDF2 in FIPS mode),
 * and cryptsetup's --pbkdf options over it.
 */
#include "test.h"

#include <libcryptsetup.h>

#define MKVP 0x0a0b0c0d0e0f1011ULL
#define PASS "luks renc test"

static char img[4200];
static uint8_t blob[128];

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

int main(void)
{
	char *top = t_mkdtemp();

	t_plan(4);
	snprintf(img, sizeof(img), "%s/img", top);
	t_make_xts(blob, MKVP, 1);
	test_kdf_of_new_volumes();
	t_rmrf(top);
	free(top);
	return t_done();
}
