// SPDX-License-Identifier: GPL-2.0-only
/*
 * The protkey key type through keyctl(2): a live key object (an xts(paes)
 * tfm made through AF_ALG on an emulator secure key) is a key in
 * ".protkey"; describe and read show its state and never the secure key;
 * update with a re-enciphered blob is accepted and keeps I/O working across
 * a second master-key change (R3); another key, malformed payloads and
 * callers without privilege are refused and change nothing (S2, S3): keyctl
 * revoke is refused to everyone, netlink key-revoke to callers without
 * CAP_SYS_ADMIN; revoke makes I/O fail cleanly; user space cannot add keys
 * of the type.
 *
 * Runs as root in the test VM with protkey.ko and protkey_emu.ko loaded.
 */
#include "kselftest_harness.h"

#include "keyobj.h"

FIXTURE(keytype)
{
	struct pko k;
};

FIXTURE_SETUP(keytype)
{
	ASSERT_EQ(0, pko_setup(&self->k, 0x41, 1));
}

FIXTURE_TEARDOWN(keytype)
{
	pko_teardown(&self->k);
}

static bool proc_keys_has(const char *a, const char *b)
{
	char line[512];
	bool found = false;
	FILE *f = fopen("/proc/keys", "r");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, a) && (!b || strstr(line, b));
	fclose(f);
	return found;
}

static void vp_hex(const uint8_t *vp, char *out)
{
	int i;

	for (i = 0; i < PROTKEY_VP_SIZE; i++)
		sprintf(out + 2 * i, "%02x", vp[i]);
}

TEST_F(keytype, keyring_lists_key_with_state)
{
	char hex[2 * PROTKEY_VP_SIZE + 1], want[2 * PROTKEY_VP_SIZE + 16];

	vp_hex(self->k.vp, hex);
	snprintf(want, sizeof(want), "%s: valid", hex);

	EXPECT_TRUE(proc_keys_has(" keyring ", ".protkey"));
	EXPECT_TRUE(proc_keys_has(" protkey ", want));
}

TEST_F(keytype, read_shows_state_not_blob)
{
	char buf[1024], hex[2 * PROTKEY_VP_SIZE + 1], line[96];
	long len;

	len = pko_read(self->k.serial, buf, sizeof(buf));

	ASSERT_GT(len, 0);
	TH_LOG("%s", buf);
	vp_hex(self->k.vp, hex);
	snprintf(line, sizeof(line), "vp: %s\n", hex);
	EXPECT_NE(NULL, strstr(buf, line));
	EXPECT_NE(NULL, strstr(buf, "state: valid\n"));
	EXPECT_NE(NULL, strstr(buf, "key-type: CCA-AESDATA\n"));
	EXPECT_NE(NULL, strstr(buf, "mk-match: current current\n"));
	EXPECT_NE(NULL, strstr(buf, "users: 1\n"));
	EXPECT_EQ(NULL, memmem(buf, len, self->k.blob + 16, 32));
}

TEST_F(keytype, add_key_of_type_refused)
{
	EXPECT_EQ(-EPERM, pko_add_key("protkey", "x", self->k.blob, PKO_BLOB));
}

/* Reads the key until @want shows, at most 10 s (the events are async). */
static bool read_until(int32_t serial, const char *want, char *buf, size_t size)
{
	int i;

	for (i = 0; i < 1000; i++) {
		if (pko_read(serial, buf, size) > 0 && strstr(buf, want))
			return true;
		usleep(10000);
	}
	return false;
}

TEST_F(keytype, update_reenciphered_survives_second_mk_change)
{
	uint8_t renc[PKO_BLOB];
	char buf[1024];

	/* MK change: the key's MK is now OLD; re-encipher the blob. */
	ASSERT_EQ(0, pko_mk_change(&self->k, 0x42));
	ASSERT_EQ(0, pko_reencipher(&self->k, self->k.blob, renc));

	ASSERT_EQ(0, pko_update(self->k.serial, renc, PKO_BLOB));
	ASSERT_GT(pko_read(self->k.serial, buf, sizeof(buf)), 0);
	EXPECT_NE(NULL, strstr(buf, "mk-match: current current\n"));

	/* Second MK change: the original MK is gone; a migration re-derives. */
	ASSERT_EQ(0, pko_mk_change(&self->k, 0x43));
	ASSERT_EQ(0, pko_migrate(&self->k, 0));
	EXPECT_EQ(0, pko_check_io(&self->k, 7));
	/*
	 * The match is re-read by the derive's notify work, after the
	 * parked I/O has gone on: wait for it, bounded.
	 */
	EXPECT_TRUE(read_until(self->k.serial, "mk-match: old old\n", buf,
			       sizeof(buf)));
	EXPECT_NE(NULL, strstr(buf, "state: valid\n"));
}

TEST_F(keytype, update_with_another_key_rejected)
{
	uint8_t other[PKO_BLOB], clear[64];
	int i;

	for (i = 0; i < 64; i++)
		clear[i] = (uint8_t)(self->k.clear[i] ^ 0x5a);
	ASSERT_EQ(0, pko_generate(&self->k, clear, other));
	ASSERT_EQ(0, pko_generate(&self->k, clear + 32, other + PKO_TOKEN));

	EXPECT_EQ(-EKEYREJECTED, pko_update(self->k.serial, other, PKO_BLOB));
	EXPECT_EQ(0, pko_check_io(&self->k, 1));
}

TEST_F(keytype, update_malformed_payloads_refused)
{
	uint8_t bad[PKO_BLOB + 1];

	memcpy(bad, self->k.blob, PKO_BLOB);
	EXPECT_EQ(-EINVAL, pko_update(self->k.serial, NULL, 0));
	EXPECT_EQ(-EINVAL, pko_update(self->k.serial, bad, PKO_BLOB - 1));
	EXPECT_EQ(-EINVAL, pko_update(self->k.serial, bad, PKO_BLOB + 1));
	EXPECT_EQ(-EINVAL, pko_update(self->k.serial, bad, PKO_TOKEN));
	memcpy(bad + PKO_TOKEN, bad, PKO_TOKEN);
	EXPECT_EQ(-EINVAL, pko_update(self->k.serial, bad, PKO_BLOB));
	memset(bad, 0, sizeof(bad));
	EXPECT_EQ(-EINVAL, pko_update(self->k.serial, bad, PKO_BLOB));
	EXPECT_EQ(0, pko_check_io(&self->k, 2));
}

struct upd {
	int32_t serial;
	const uint8_t *blob;
};

static int do_update(void *arg)
{
	struct upd *u = arg;

	return (int)pko_update(u->serial, u->blob, PKO_BLOB);
}

static int do_revoke(void *arg)
{
	return (int)pko_revoke(((struct upd *)arg)->serial);
}

/* Revokes through the netlink family, the administrators' way. */
static int nl_revoke(int32_t serial)
{
	struct pk_attr a[] = {
		{ .type = PROTKEY_A_SERIAL,
		  .kind = PK_U32,
		  .val = (uint32_t)serial },
	};
	struct pk_nl nl;
	int ret;

	ret = pk_nl_open(&nl, PROTKEY_FAMILY_NAME);
	if (!ret)
		ret = pk_nl_request(&nl, PROTKEY_CMD_KEY_REVOKE, a, 1);
	pk_nl_close(&nl);
	return ret;
}

static int do_nl_revoke(void *arg)
{
	return nl_revoke(((struct upd *)arg)->serial);
}

static int do_read(void *arg)
{
	char buf[1024];
	long ret = pko_read(((struct upd *)arg)->serial, buf, sizeof(buf));

	return ret > 0 && strstr(buf, "state: ") ? 0 : (int)ret ?: -ENODATA;
}

TEST_F(keytype, unprivileged_cannot_update_or_revoke)
{
	struct upd u = { .serial = self->k.serial, .blob = self->k.blob };

	EXPECT_EQ(-EACCES, pko_as_nobody(do_update, &u));
	EXPECT_EQ(-EACCES, pko_as_nobody(do_revoke, &u));
	EXPECT_EQ(-EPERM, pko_as_nobody(do_nl_revoke, &u));
	EXPECT_EQ(0, pko_as_nobody(do_read, &u));
	EXPECT_EQ(-EPERM, pko_as_root_without_sys_admin(do_update, &u));
	/* The key type cannot refuse keyctl revoke: nobody gets it. */
	EXPECT_EQ(-EPERM, pko_as_root_without_sys_admin(do_revoke, &u));
	EXPECT_EQ(-EPERM, pko_as_root_without_sys_admin(do_nl_revoke, &u));
	EXPECT_EQ(-EPERM, do_revoke(&u));
	EXPECT_EQ(0, pko_check_io(&self->k, 3));
	EXPECT_TRUE(proc_keys_has(" protkey ", ": valid"));
}

TEST_F(keytype, revoke_fails_io_cleanly)
{
	struct nlattr *tb[PROTKEY_A_MAX + 1];

	ASSERT_EQ(0, pko_check_io(&self->k, 4));

	ASSERT_EQ(0, nl_revoke(self->k.serial));

	EXPECT_EQ(-EIO, pko_check_io(&self->k, 4));
	ASSERT_EQ(0, pko_get(&self->k, tb));
	ASSERT_NE(NULL, tb[PROTKEY_A_STATE]);
	EXPECT_EQ(PROTKEY_STATE_REVOKED, nla_get_u32(tb[PROTKEY_A_STATE]));
	EXPECT_EQ(-EKEYREVOKED,
		  pko_update(self->k.serial, self->k.blob, PKO_BLOB));
	EXPECT_EQ(-EKEYREVOKED, nl_revoke(self->k.serial));
}

TEST_HARNESS_MAIN
