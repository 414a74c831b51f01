// SPDX-License-Identifier: GPL-2.0-only
/*
 * What protkey.ko refuses, through AF_ALG and sysfs: tokens that are not
 * secure keys (clear-key, protected-key, unknown) get EINVAL before any
 * backend sees them; a user without CAP_SYS_ADMIN holds at most
 * max_user_keys keyed xts(paes) tfms (EDQUOT beyond, S2), while root is
 * not counted; rekey_timeout_ms only takes 0 or 100..600000 ms.
 *
 * Runs as root in the test VM with protkey.ko and protkey_emu.ko loaded.
 */
#include <fcntl.h>

#include "kselftest_harness.h"

#include "keyobj.h"

#define PARAM_DIR "/sys/module/protkey/parameters/"
#define MAX_USER_KEYS PARAM_DIR "max_user_keys"
#define REKEY_TIMEOUT PARAM_DIR "rekey_timeout_ms"

static int param_read(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

/* 0, or the negative errno of the write (the kernel's set op). */
static int param_write(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/* A new xts(paes) tfm keyed with @blob: its socket, or the setkey errno. */
static int alg_setkey(const void *blob, size_t len)
{
	struct sockaddr_alg sa = { .salg_family = AF_ALG,
				   .salg_type = "skcipher",
				   .salg_name = "xts(paes)" };
	int fd = socket(AF_ALG, SOCK_SEQPACKET, 0), ret;

	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    setsockopt(fd, SOL_ALG, ALG_SET_KEY, blob, len)) {
		ret = -errno;
		close(fd);
		return ret;
	}
	return fd;
}

FIXTURE(hardening)
{
	struct pko k;
	char max_saved[32];
	char timeout_saved[32];
};

FIXTURE_SETUP(hardening)
{
	ASSERT_EQ(0, param_read(MAX_USER_KEYS, self->max_saved,
				sizeof(self->max_saved)));
	ASSERT_EQ(0, param_read(REKEY_TIMEOUT, self->timeout_saved,
				sizeof(self->timeout_saved)));
	ASSERT_EQ(0, pko_setup(&self->k, 0x61, 3));
}

FIXTURE_TEARDOWN(hardening)
{
	param_write(MAX_USER_KEYS, self->max_saved);
	param_write(REKEY_TIMEOUT, self->timeout_saved);
	pko_teardown(&self->k);
}

/* Two different tokens of @type/@version and @len bytes each. */
static void make_pair(uint8_t *blob, uint8_t type, uint8_t version, size_t len)
{
	size_t i;

	for (i = 0; i < 2 * len; i++)
		blob[i] = (uint8_t)(i * 7 + 1);
	blob[0] = blob[len] = type;
	blob[4] = blob[len + 4] = version;
}

TEST_F(hardening, tokens_not_secure_keys_refused)
{
	static const struct {
		const char *what;
		uint8_t type, version;
		size_t len;
	} bad[] = {
		{ "clear-key tokens", 0x00, 0x02, 64 },
		{ "protected-key tokens", 0x00, 0x01, 80 },
		{ "CCA AES CIPHER tokens", 0x01, 0x05, 136 },
		{ "unknown type", 0x42, 0x04, 64 },
		{ "unknown version", 0x01, 0x07, 64 },
		{ "CCA AES DATA, 65 bytes", 0x01, 0x04, 65 },
	};
	uint8_t blob[2 * 136];
	unsigned int i;
	int fd;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		make_pair(blob, bad[i].type, bad[i].version, bad[i].len);
		fd = alg_setkey(blob, 2 * bad[i].len);
		EXPECT_EQ(-EINVAL, fd) TH_LOG("%s", bad[i].what);
		if (fd >= 0)
			close(fd);
	}
	/* The same path takes a secure key. */
	fd = alg_setkey(self->k.blob, PKO_BLOB);
	EXPECT_LE(0, fd);
	if (fd >= 0)
		close(fd);
}

/*
 * As nobody with max_user_keys=2: two tfms get the key, the third EDQUOT,
 * and closing one makes room again. 0, or the failing step (1 to 4).
 */
static int fill_quota(void *arg)
{
	const uint8_t *blob = arg;
	int a, b, c;

	a = alg_setkey(blob, PKO_BLOB);
	if (a < 0)
		return -1;
	b = alg_setkey(blob, PKO_BLOB);
	if (b < 0)
		return -2;
	c = alg_setkey(blob, PKO_BLOB);
	if (c != -EDQUOT)
		return -3;
	close(a);
	c = alg_setkey(blob, PKO_BLOB);
	if (c < 0)
		return -4;
	/* Another key on a charged tfm costs nothing more. */
	if (setsockopt(c, SOL_ALG, ALG_SET_KEY, blob, PKO_BLOB))
		return -5;
	close(b);
	close(c);
	return 0;
}

static int setkey_once(void *arg)
{
	int fd = alg_setkey(arg, PKO_BLOB);

	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

TEST_F(hardening, unprivileged_keys_capped_by_max_user_keys)
{
	int fds[3], i;

	ASSERT_EQ(0, param_write(MAX_USER_KEYS, "2"));

	EXPECT_EQ(0, pko_as_nobody(fill_quota, self->k.blob));
	/* The charges went back when the tfms closed. */
	EXPECT_EQ(0, pko_as_nobody(setkey_once, self->k.blob));
	/* Root without CAP_SYS_ADMIN is charged as well. */
	ASSERT_EQ(0, param_write(MAX_USER_KEYS, "0"));
	EXPECT_EQ(-EDQUOT, pko_as_nobody(setkey_once, self->k.blob));
	EXPECT_EQ(-EDQUOT,
		  pko_as_root_without_sys_admin(setkey_once, self->k.blob));
	/* Root with CAP_SYS_ADMIN (dm-crypt's callers) is not counted. */
	for (i = 0; i < 3; i++)
		fds[i] = alg_setkey(self->k.blob, PKO_BLOB);
	for (i = 0; i < 3; i++) {
		EXPECT_LE(0, fds[i]);
		if (fds[i] >= 0)
			close(fds[i]);
	}
}

TEST_F(hardening, rekey_timeout_ms_bounded)
{
	char buf[32];

	EXPECT_EQ(-ERANGE, param_write(REKEY_TIMEOUT, "99"));
	EXPECT_EQ(-ERANGE, param_write(REKEY_TIMEOUT, "600001"));
	EXPECT_EQ(-ERANGE, param_write(REKEY_TIMEOUT, "4294967295"));
	EXPECT_EQ(-EINVAL, param_write(REKEY_TIMEOUT, "ten"));
	ASSERT_EQ(0, param_write(REKEY_TIMEOUT, "100"));
	ASSERT_EQ(0, param_read(REKEY_TIMEOUT, buf, sizeof(buf)));
	EXPECT_STREQ("100\n", buf);
	EXPECT_EQ(0, param_write(REKEY_TIMEOUT, "600000"));
	EXPECT_EQ(0, param_write(REKEY_TIMEOUT, "0"));
	EXPECT_EQ(-ERANGE, param_write(REKEY_TIMEOUT, "1"));
	ASSERT_EQ(0, param_read(REKEY_TIMEOUT, buf, sizeof(buf)));
	EXPECT_STREQ("0\n", buf);
}

TEST_HARNESS_MAIN
