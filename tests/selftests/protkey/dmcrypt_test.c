// SPDX-License-Identifier: GPL-2.0-only
/*
 * Plain dm-crypt mappings on xts(paes) made with the real dmsetup: the S4
 * oracle (the raw device holds exactly what plain aes-xts-plain64 writes
 * with the clear key, computed by the kernel's generic xts(aes) through
 * AF_ALG, never by our code), malformed secure keys refused cleanly (S3),
 * and an unprivileged uid refused everything (S2).
 *
 * Runs as root in the test VM with protkey.ko and protkey_emu.ko loaded;
 * each test makes its own emulator state, loop device and keys and removes
 * them again, also on failure.
 */
#include <linux/dm-ioctl.h>

#include "kselftest_harness.h"

#include "keyobj.h"
#include "vol.h"

#define VOL_SIZE (2ULL << 20)

FIXTURE(oracle)
{
	struct pk_nl nl;
	struct pk_vol v;
	int kmsg;
};

/**
 * FIXTURE_VARIANT(oracle) - the data-unit layouts dm-crypt offers
 * @opts: optional table parameters
 * @unit: data-unit (encryption sector) size
 * @iv_large: the IV counts @unit-sized sectors, not 512-byte ones
 */
FIXTURE_VARIANT(oracle)
{
	const char *opts;
	unsigned int unit;
	bool iv_large;
};

FIXTURE_VARIANT_ADD(oracle, sector_512){
	.opts = NULL,
	.unit = 512,
};

FIXTURE_VARIANT_ADD(oracle, sector_4096){
	.opts = "1 sector_size:4096",
	.unit = 4096,
};

FIXTURE_VARIANT_ADD(oracle, sector_4096_iv_large_sectors){
	.opts = "2 sector_size:4096 iv_large_sectors",
	.unit = 4096,
	.iv_large = true,
};

FIXTURE_SETUP(oracle)
{
	self->kmsg = pk_kmsg_mark();
	ASSERT_EQ(0, pk_nl_open(&self->nl, PROTKEY_EMU_FAMILY_NAME))
	TH_LOG("family %s not found: is protkey_emu.ko loaded?",
	       PROTKEY_EMU_FAMILY_NAME);
	ASSERT_EQ(0, pke_normalise(&self->nl))
	TH_LOG("cannot reset the emulator: %s", self->nl.msg);
}

FIXTURE_TEARDOWN(oracle)
{
	pk_vol_destroy(&self->v);
	pke_normalise(&self->nl);
	pk_nl_close(&self->nl);
	if (self->kmsg >= 0)
		close(self->kmsg);
}

TEST_F_TIMEOUT(oracle, dmsetup_ciphertext_equals_aes_xts_plain64, 120)
{
	static char out[PK_OUT_LEN], log[PK_OUT_LEN];
	uint8_t *plain, *back;
	const char *bad;
	long long pos;

	ASSERT_EQ(0, pk_vol_create(&self->nl, &self->v, "pk_oracle", VOL_SIZE,
				   1, variant->opts, out, sizeof(out)))
	TH_LOG("dmsetup create failed: %s", out);
	plain = pk_alloc_io(VOL_SIZE);
	back = pk_alloc_io(VOL_SIZE);
	ASSERT_NE(NULL, plain);
	ASSERT_NE(NULL, back);
	pk_fill(plain, VOL_SIZE, 0, 0xc0ffee);

	ASSERT_EQ(0, pk_dio(self->v.path, true, plain, VOL_SIZE, 0));
	ASSERT_EQ(0, pk_dio(self->v.path, false, back, VOL_SIZE, 0));
	EXPECT_EQ(0, memcmp(plain, back, VOL_SIZE));
	pos = pk_vol_check_oracle(&self->v, 0, 0, plain, VOL_SIZE,
				  variant->unit, variant->iv_large);
	EXPECT_EQ(0, pos)
	TH_LOG("raw byte %lld differs from aes-xts-plain64", pos - 1);

	pk_kmsg_read(self->kmsg, log, sizeof(log));
	bad = pk_kmsg_find_trouble(log);
	EXPECT_EQ(NULL, bad) TH_LOG("kernel log: %.200s", bad);
	free(plain);
	free(back);
}

/*
 * dm-crypt unchanged on EP11 keys: every adapter in EP11 mode with the test
 * key as its CURRENT wrapping key, a 672-byte blob of two EP11 AES keys
 * (":672:logon:", zkey's XTS size), the disk checked against the kernel's
 * aes-xts on the clear keys, then again after a migration made the
 * protected keys stale, and read back across a migration with an adapter
 * outage.
 */
FIXTURE(ep11)
{
	struct pk_nl nl;
	struct pk_vol v;
	uint8_t blob[2 * PKE_EP11_LEN];
};

FIXTURE_SETUP(ep11)
{
	int len1 = 0, len2 = 0;

	ASSERT_EQ(0, pk_nl_open(&self->nl, PROTKEY_EMU_FAMILY_NAME))
	TH_LOG("family %s not found: is protkey_emu.ko loaded?",
	       PROTKEY_EMU_FAMILY_NAME);
	ASSERT_EQ(0, pke_normalise(&self->nl))
	TH_LOG("cannot reset the emulator: %s", self->nl.msg);
	ASSERT_EQ(0, pke_set_mode_all(&self->nl, PROTKEY_EMU_MODE_EP11))
	TH_LOG("cannot switch to EP11: %s", self->nl.msg);
	ASSERT_EQ(0, pke_mk_load(&self->nl, pke_test_mk));
	ASSERT_EQ(0, PKE_REQ0(&self->nl, PROTKEY_EMU_CMD_MK_COMMIT));
	ASSERT_EQ(0, PKE_REQ0(&self->nl, PROTKEY_EMU_CMD_MK_SET));

	self->v.lo.fd = -1;
	snprintf(self->v.name, sizeof(self->v.name), "pk_ep11");
	snprintf(self->v.path, sizeof(self->v.path), "/dev/mapper/pk_ep11");
	pk_dm_remove(self->v.name);
	pk_vol_pick_key(&self->v, 11);
	ASSERT_EQ(0, pke_generate_ep11(&self->nl, self->v.xts_key, self->blob,
				       &len1));
	ASSERT_EQ(0, pke_generate_ep11(&self->nl, self->v.xts_key + 32,
				       self->blob + PKE_EP11_LEN, &len2));
	ASSERT_EQ(PKE_EP11_LEN, len1);
	ASSERT_EQ(PKE_EP11_LEN, len2);
	/* The key fields hold the clear keys: AES-256-ECB under the WK. */
	ASSERT_EQ(0, pke_token_holds(self->blob + 16 + 0x50 - 16,
				     self->v.xts_key));
	ASSERT_EQ(0, pke_token_holds(self->blob + PKE_EP11_LEN + 16 + 0x50 - 16,
				     self->v.xts_key + 32));
	ASSERT_EQ(0, pk_loop_setup(&self->v.lo, self->v.name, VOL_SIZE));
	self->v.key =
		pk_logon_add(self->v.name, self->blob, sizeof(self->blob));
	ASSERT_LT(0, self->v.key);
}

FIXTURE_TEARDOWN(ep11)
{
	pk_vol_destroy(&self->v);
	pke_set_mode_all(&self->nl, PROTKEY_EMU_MODE_CCA);
	pke_normalise(&self->nl);
	pk_nl_close(&self->nl);
}

TEST_F_TIMEOUT(ep11, volume_672_byte_key_equals_aes_xts_plain64, 120)
{
	static char out[PK_OUT_LEN];
	uint8_t *plain, *back;
	long long pos;

	ASSERT_EQ(0, pk_dm_create(self->v.name, self->v.lo.dev, VOL_SIZE,
				  sizeof(self->blob), NULL, out, sizeof(out)))
	TH_LOG("dmsetup create failed: %s", out);
	self->v.mapped = true;
	plain = pk_alloc_io(VOL_SIZE);
	back = pk_alloc_io(VOL_SIZE);
	ASSERT_NE(NULL, plain);
	ASSERT_NE(NULL, back);
	pk_fill(plain, VOL_SIZE, 0, 0xe9011);

	ASSERT_EQ(0, pk_dio(self->v.path, true, plain, VOL_SIZE, 0));
	pos = pk_vol_check_oracle(&self->v, 0, 0, plain, VOL_SIZE, 512, false);
	EXPECT_EQ(0, pos)
	TH_LOG("raw byte %lld differs from aes-xts-plain64", pos - 1);
	/* A new wrapping key: the protected keys go stale and come back. */
	ASSERT_EQ(0, pke_migrate(&self->nl, 0));
	ASSERT_EQ(0, pk_dio(self->v.path, false, back, VOL_SIZE, 0));
	EXPECT_EQ(0, memcmp(plain, back, VOL_SIZE));
	pk_fill(plain, VOL_SIZE, 0, 0xe9012);
	ASSERT_EQ(0, pk_dio(self->v.path, true, plain, VOL_SIZE, 0));
	pos = pk_vol_check_oracle(&self->v, 0, 0, plain, VOL_SIZE, 512, false);
	EXPECT_EQ(0, pos)
	TH_LOG("after migration, raw byte %lld differs", pos - 1);
	/* A migration with a 400 ms adapter outage: I/O waits, no error. */
	ASSERT_EQ(0, pke_migrate(&self->nl, 400));
	ASSERT_EQ(0, pk_dio(self->v.path, false, back, VOL_SIZE, 0));
	EXPECT_EQ(0, memcmp(plain, back, VOL_SIZE));
	free(plain);
	free(back);
}

/* Re-enciphers one EP11 token of @len bytes from CURRENT to NEW. */
static int ep11_renc(struct pk_nl *nl, const uint8_t *tok, int len,
		     uint8_t *out)
{
	struct nlattr *tb[PROTKEY_EMU_A_MAX + 1];
	int ret;

	ret = PKE_REQ(nl, PROTKEY_EMU_CMD_KEY_REENCIPHER,
		      PKE_BIN(PROTKEY_EMU_A_SECURE_KEY, tok, len),
		      PKE_U32(PROTKEY_EMU_A_RENC_MODE,
			      PROTKEY_EMU_RENC_CURRENT_TO_NEW));
	if (ret)
		return ret;
	if (pk_nl_reply_attrs(nl, tb, PROTKEY_EMU_A_MAX) ||
	    !tb[PROTKEY_EMU_A_SECURE_KEY] ||
	    nla_len(tb[PROTKEY_EMU_A_SECURE_KEY]) != len)
		return -EBADMSG;
	memcpy(out, nla_data(tb[PROTKEY_EMU_A_SECURE_KEY]), len);
	return 0;
}

/*
 * An EP11 wrapping-key change on an open volume, as zkey's staged
 * re-encipher does it: a NEW wrapping key loaded and committed, the key
 * re-enciphered CURRENT -> NEW, NEW made CURRENT (EP11 has no OLD: the
 * old blob no longer derives). A migration then stalls the volume until
 * keyctl update hands the key object the re-enciphered blob; the stalled
 * read completes with the right data, and the key object is the same.
 */
TEST_F_TIMEOUT(ep11, live_reencipher_after_wrapping_key_change, 120)
{
	static const uint8_t new_wk[PROTKEY_EMU_MK_SIZE] = { 0x3e, 0x11, 0x9 };
	static char out[PK_OUT_LEN];
	uint8_t renc[sizeof(self->blob)], vp[PROTKEY_VP_SIZE];
	struct nlattr *tb[PROTKEY_A_MAX + 1];
	struct pk_nl pk;
	uint8_t *plain, *back;
	int32_t serial;
	int status;
	pid_t pid;

	ASSERT_EQ(0, pk_dm_create(self->v.name, self->v.lo.dev, VOL_SIZE,
				  sizeof(self->blob), NULL, out, sizeof(out)))
	TH_LOG("dmsetup create failed: %s", out);
	self->v.mapped = true;
	plain = pk_alloc_io(VOL_SIZE);
	back = pk_alloc_io(VOL_SIZE);
	ASSERT_NE(NULL, plain);
	ASSERT_NE(NULL, back);
	pk_fill(plain, VOL_SIZE, 0, 0xe9013);
	ASSERT_EQ(0, pk_dio(self->v.path, true, plain, VOL_SIZE, 0));

	/* The key object's serial, by the verification pattern. */
	ASSERT_EQ(0, pko_vp(self->v.xts_key, vp));
	ASSERT_EQ(0, pk_nl_open(&pk, PROTKEY_FAMILY_NAME));
	ASSERT_EQ(0, PKE_REQ(&pk, PROTKEY_CMD_KEY_GET,
			     PKE_BIN(PROTKEY_A_VP, vp, PROTKEY_VP_SIZE)))
	TH_LOG("KEY_GET: %s", pk.msg);
	ASSERT_EQ(0, pk_nl_reply_attrs(&pk, tb, PROTKEY_A_MAX));
	ASSERT_NE(NULL, tb[PROTKEY_A_SERIAL]);
	serial = (int32_t)nla_get_u32(tb[PROTKEY_A_SERIAL]);
	pk_nl_close(&pk);

	/* NEW loaded, committed; the key re-enciphered; NEW set. */
	ASSERT_EQ(0, pke_mk_load(&self->nl, new_wk));
	ASSERT_EQ(0, PKE_REQ0(&self->nl, PROTKEY_EMU_CMD_MK_COMMIT));
	ASSERT_EQ(0, ep11_renc(&self->nl, self->blob, PKE_EP11_LEN, renc))
	TH_LOG("re-encipher: %s", self->nl.msg);
	ASSERT_EQ(0, ep11_renc(&self->nl, self->blob + PKE_EP11_LEN,
			       PKE_EP11_LEN, renc + PKE_EP11_LEN))
	TH_LOG("re-encipher: %s", self->nl.msg);
	EXPECT_NE(0, memcmp(renc, self->blob, sizeof(renc)));
	/* Before NEW is set the new blob does not derive: refused. */
	EXPECT_EQ(-ENODEV, pko_update(serial, renc, sizeof(renc)));
	ASSERT_EQ(0, PKE_REQ0(&self->nl, PROTKEY_EMU_CMD_MK_SET));

	/* A migration: the old blob cannot derive any more; I/O waits. */
	ASSERT_EQ(0, pke_migrate(&self->nl, 0));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		memset(back, 0, VOL_SIZE);
		if (pk_dio(self->v.path, false, back, VOL_SIZE, 0))
			_exit(2);
		_exit(memcmp(plain, back, VOL_SIZE) ? 3 : 0);
	}
	usleep(400 * 1000);
	EXPECT_EQ(0, waitpid(pid, &status, WNOHANG))
	TH_LOG("the read ended although no adapter holds the old key");

	/* The live update: the same key, so the object takes the blob. */
	EXPECT_EQ(0, pko_update(serial, renc, sizeof(renc)));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
	TH_LOG("the stalled read failed: status %#x", status);
	free(plain);
	free(back);
}

/* Binds @apqn and associates it with a fresh association secret. */
static int ep11_se_attach(struct pk_nl *nl, const uint8_t *image_key,
			  uint32_t apqn)
{
	static const uint8_t assoc[32] = { 0x5e, 0xc1 };
	uint32_t idx = 0;
	int ret, i;

	ret = pke_uv_add(nl, image_key, PROTKEY_EMU_UV_SECRET_ASSOCIATION,
			 "pk_ep11 association", assoc, sizeof(assoc), 0, &idx);
	ret = ret   ?:
		      PKE_REQ(nl, PROTKEY_EMU_CMD_SE_BIND,
			      PKE_U32(PROTKEY_EMU_A_APQN, apqn),
			      PKE_U8(PROTKEY_EMU_A_SE_BIND, 1));
	ret = ret   ?:
		      PKE_REQ(nl, PROTKEY_EMU_CMD_SE_ASSOCIATE,
			      PKE_U32(PROTKEY_EMU_A_APQN, apqn),
			      PKE_U32(PROTKEY_EMU_A_SECRET_IDX, idx));
	/* The association is asynchronous: pending until the UV answers. */
	for (i = 0; !ret && i < 100; i++) {
		struct pke_state st;
		int j;

		ret = pke_get_state(nl, &st);
		for (j = 0; !ret && j < st.n; j++)
			if (st.apqn[j] == apqn &&
			    st.se_bs[j] == PROTKEY_EMU_SE_BS_USABLE)
				return 0;
		usleep(20 * 1000);
	}
	return ret ?: -ETIMEDOUT;
}

/*
 * The whitepaper's guest: an EP11 volume in an SE guest, its queue bound
 * and associated. A guest reboot unbinds every queue; a read then stalls,
 * the stall event names the queue that is not associated, and the read
 * completes with the right data once the queue is bound and associated
 * again.
 */
TEST_F_TIMEOUT(ep11, se_guest_reboot_waits_for_association, 120)
{
	static char out[PK_OUT_LEN];
	uint8_t image_key[PROTKEY_EMU_IMAGE_KEY_SIZE];
	uint32_t apqn = PROTKEY_EMU_APQN(0, 1);
	struct pko_events ev;
	uint8_t *plain, *back;
	int status, i;
	long long pos;
	pid_t pid;

	for (i = 0; i < PROTKEY_EMU_IMAGE_KEY_SIZE; i++)
		image_key[i] = 0x77 ^ i;
	ASSERT_EQ(0, PKE_REQ(&self->nl, PROTKEY_EMU_CMD_SE_SET,
			     PKE_U8(PROTKEY_EMU_A_SE_GUEST, 1),
			     PKE_BIN(PROTKEY_EMU_A_IMAGE_KEY, image_key,
				     PROTKEY_EMU_IMAGE_KEY_SIZE),
			     PKE_U32(PROTKEY_EMU_A_ASSOC_DELAY_MS, 50)))
	TH_LOG("SE_SET: %s", self->nl.msg);
	ASSERT_EQ(0, ep11_se_attach(&self->nl, image_key, apqn))
	TH_LOG("attach: %s", self->nl.msg);
	ASSERT_EQ(0, pk_dm_create(self->v.name, self->v.lo.dev, VOL_SIZE,
				  sizeof(self->blob), NULL, out, sizeof(out)))
	TH_LOG("dmsetup create failed: %s", out);
	self->v.mapped = true;
	plain = pk_alloc_io(VOL_SIZE);
	back = pk_alloc_io(VOL_SIZE);
	ASSERT_NE(NULL, plain);
	ASSERT_NE(NULL, back);
	pk_fill(plain, VOL_SIZE, 0, 0x5e11);
	ASSERT_EQ(0, pk_dio(self->v.path, true, plain, VOL_SIZE, 0));

	ASSERT_EQ(0, pko_events_open(&ev, NULL));
	ASSERT_EQ(0, PKE_REQ0(&self->nl, PROTKEY_EMU_CMD_GUEST_REBOOT));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		memset(back, 0, VOL_SIZE);
		if (pk_dio(self->v.path, false, back, VOL_SIZE, 0))
			_exit(2);
		_exit(memcmp(plain, back, VOL_SIZE) ? 3 : 0);
	}
	usleep(500 * 1000);
	EXPECT_EQ(0, waitpid(pid, &status, WNOHANG))
	TH_LOG("the read ended with no queue associated");
	pko_events_collect(&ev, 300);
	i = pko_events_find_cause(&ev, PROTKEY_CMD_KEY_STALLED,
				  "not associated");
	EXPECT_LE(0, i)
	TH_LOG("no KEY_STALLED naming the queue (%d events)", ev.n);
	if (i >= 0) {
		EXPECT_NE(NULL, strstr(ev.cause[i], "queue 00.0001"))
		TH_LOG("cause: %s", ev.cause[i]);
	}
	pko_events_close(&ev);

	/* What protkey-se-setup does at boot: bind, re-add, associate. */
	ASSERT_EQ(0, ep11_se_attach(&self->nl, image_key, apqn))
	TH_LOG("attach after the reboot: %s", self->nl.msg);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
	TH_LOG("the stalled read failed: status %#x", status);
	pos = pk_vol_check_oracle(&self->v, 0, 0, plain, VOL_SIZE, 512, false);
	EXPECT_EQ(0, pos)
	TH_LOG("raw byte %lld differs from aes-xts-plain64", pos - 1);
	PKE_REQ(&self->nl, PROTKEY_EMU_CMD_SE_SET,
		PKE_U8(PROTKEY_EMU_A_SE_GUEST, 0));
	free(plain);
	free(back);
}

/*
 * dm-crypt unchanged on Ultravisor secrets in an SE guest, in two shapes:
 * two AES-256 retrievable secrets, an 88-byte blob of two UV secret
 * tokens (":88:logon:", two-key XTS with PCC), or one AES-XTS-256 secret,
 * its one 44-byte token (":44:logon:", a full-XTS protected key, KM
 * 0x5c). The disk is checked against the kernel's aes-xts on the secrets
 * the test added; a migration re-derives by retrieving them again; a
 * guest reboot wipes the UV store, and a read then stalls (no error, no
 * hang) until the secrets are added again.
 */
FIXTURE(uv)
{
	struct pk_nl nl;
	struct pk_vol v;
	uint8_t image_key[PROTKEY_EMU_IMAGE_KEY_SIZE];
	uint8_t blob[2 * PROTKEY_EMU_UV_TOKEN_SIZE];
	size_t blob_len;
};

FIXTURE_VARIANT(uv)
{
	bool full_xts;
};

FIXTURE_VARIANT_ADD(uv, two_aes_tokens_88){
	.full_xts = false,
};

FIXTURE_VARIANT_ADD(uv, one_xts_token_44){
	.full_xts = true,
};

static int uv_add_both(struct pk_nl *nl, const uint8_t *image_key,
		       const uint8_t *xts_key, bool full_xts)
{
	int ret;

	if (full_xts)
		return pke_uv_add(nl, image_key,
				  PROTKEY_EMU_UV_SECRET_AES_XTS_256,
				  "pk_uv xts", xts_key, 64, 0, NULL);
	ret = pke_uv_add(nl, image_key, PROTKEY_EMU_UV_SECRET_AES_256,
			 "pk_uv data", xts_key, 32, 0, NULL);
	return ret   ?:
		       pke_uv_add(nl, image_key, PROTKEY_EMU_UV_SECRET_AES_256,
				  "pk_uv tweak", xts_key + 32, 32, 0, NULL);
}

FIXTURE_SETUP(uv)
{
	int i;

	for (i = 0; i < PROTKEY_EMU_IMAGE_KEY_SIZE; i++)
		self->image_key[i] = 0x31 ^ (i * 7);
	self->v.lo.fd = -1;
	ASSERT_EQ(0, pk_nl_open(&self->nl, PROTKEY_EMU_FAMILY_NAME))
	TH_LOG("family %s not found: is protkey_emu.ko loaded?",
	       PROTKEY_EMU_FAMILY_NAME);
	ASSERT_EQ(0, pke_normalise(&self->nl))
	TH_LOG("cannot reset the emulator: %s", self->nl.msg);
	ASSERT_EQ(0, PKE_REQ(&self->nl, PROTKEY_EMU_CMD_SE_SET,
			     PKE_U8(PROTKEY_EMU_A_SE_GUEST, 1),
			     PKE_BIN(PROTKEY_EMU_A_IMAGE_KEY, self->image_key,
				     PROTKEY_EMU_IMAGE_KEY_SIZE)))
	TH_LOG("SE_SET: %s", self->nl.msg);

	snprintf(self->v.name, sizeof(self->v.name), "pk_uv");
	snprintf(self->v.path, sizeof(self->v.path), "/dev/mapper/pk_uv");
	pk_dm_remove(self->v.name);
	pk_vol_pick_key(&self->v, 13);
	ASSERT_EQ(0, uv_add_both(&self->nl, self->image_key, self->v.xts_key,
				 variant->full_xts))
	TH_LOG("UV_ADD: %s", self->nl.msg);
	if (variant->full_xts) {
		ASSERT_EQ(0, pke_uv_token(PROTKEY_EMU_UV_SECRET_AES_XTS_256,
					  "pk_uv xts", 64, self->blob));
		self->blob_len = PROTKEY_EMU_UV_TOKEN_SIZE;
	} else {
		ASSERT_EQ(0, pke_uv_token(PROTKEY_EMU_UV_SECRET_AES_256,
					  "pk_uv data", 32, self->blob));
		ASSERT_EQ(0,
			  pke_uv_token(PROTKEY_EMU_UV_SECRET_AES_256,
				       "pk_uv tweak", 32,
				       self->blob + PROTKEY_EMU_UV_TOKEN_SIZE));
		self->blob_len = 2 * PROTKEY_EMU_UV_TOKEN_SIZE;
	}
	ASSERT_EQ(0, pk_loop_setup(&self->v.lo, self->v.name, VOL_SIZE));
	self->v.key = pk_logon_add(self->v.name, self->blob, self->blob_len);
	ASSERT_LT(0, self->v.key);
}

FIXTURE_TEARDOWN(uv)
{
	pk_vol_destroy(&self->v);
	PKE_REQ(&self->nl, PROTKEY_EMU_CMD_SE_SET,
		PKE_U8(PROTKEY_EMU_A_SE_GUEST, 0));
	pke_normalise(&self->nl);
	pk_nl_close(&self->nl);
}

TEST_F_TIMEOUT(uv, volume_across_migration_and_reboot, 120)
{
	static char out[PK_OUT_LEN];
	struct pko_events ev;
	int i;
	uint8_t *plain, *back;
	long long pos;
	int status;
	pid_t pid;

	ASSERT_EQ(0, pk_dm_create(self->v.name, self->v.lo.dev, VOL_SIZE,
				  self->blob_len, NULL, out, sizeof(out)))
	TH_LOG("dmsetup create failed: %s", out);
	self->v.mapped = true;
	plain = pk_alloc_io(VOL_SIZE);
	back = pk_alloc_io(VOL_SIZE);
	ASSERT_NE(NULL, plain);
	ASSERT_NE(NULL, back);
	pk_fill(plain, VOL_SIZE, 0, 0x0f5e1);
	ASSERT_EQ(0, pk_dio(self->v.path, true, plain, VOL_SIZE, 0));
	pos = pk_vol_check_oracle(&self->v, 0, 0, plain, VOL_SIZE, 512, false);
	EXPECT_EQ(0, pos)
	TH_LOG("raw byte %lld differs from aes-xts-plain64", pos - 1);

	/* A new wrapping key: the secrets are retrieved again. */
	ASSERT_EQ(0, pke_migrate(&self->nl, 0));
	ASSERT_EQ(0, pk_dio(self->v.path, false, back, VOL_SIZE, 0));
	EXPECT_EQ(0, memcmp(plain, back, VOL_SIZE));

	/*
	 * A reboot: new wrapping key, empty store; the read waits, and the
	 * stall event says which secret is missing.
	 */
	ASSERT_EQ(0, pko_events_open(&ev, NULL));
	ASSERT_EQ(0, PKE_REQ0(&self->nl, PROTKEY_EMU_CMD_GUEST_REBOOT));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		memset(back, 0, VOL_SIZE);
		if (pk_dio(self->v.path, false, back, VOL_SIZE, 0))
			_exit(2);
		_exit(memcmp(plain, back, VOL_SIZE) ? 3 : 0);
	}
	usleep(500 * 1000);
	EXPECT_EQ(0, waitpid(pid, &status, WNOHANG))
	TH_LOG("the read ended without the secrets");
	pko_events_collect(&ev, 300);
	i = pko_events_find_cause(&ev, PROTKEY_CMD_KEY_STALLED,
				  "not in the secret store");
	EXPECT_LE(0, i)
	TH_LOG("no KEY_STALLED naming the missing secret (%d events)", ev.n);
	if (i >= 0) {
		EXPECT_EQ(ENOENT, ev.errno_[i]);
		TH_LOG("KEY_STALLED: %s", ev.cause[i]);
	}
	pko_events_close(&ev);
	ASSERT_EQ(0, uv_add_both(&self->nl, self->image_key, self->v.xts_key,
				 variant->full_xts))
	TH_LOG("UV_ADD after the reboot: %s", self->nl.msg);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
	TH_LOG("the stalled read failed: status %#x", status);

	pk_fill(plain, VOL_SIZE, 0, 0x0f5e2);
	ASSERT_EQ(0, pk_dio(self->v.path, true, plain, VOL_SIZE, 0));
	pos = pk_vol_check_oracle(&self->v, 0, 0, plain, VOL_SIZE, 512, false);
	EXPECT_EQ(0, pos)
	TH_LOG("after the reboot, raw byte %lld differs", pos - 1);
	free(plain);
	free(back);
}

FIXTURE(malformed)
{
	struct pk_nl nl;
	struct pk_vol v;
	int kmsg;
};

/**
 * FIXTURE_VARIANT(malformed) - a secure-key blob broken one way
 * @off: offset of the byte to change, -1 for none
 * @xor: what to XOR into it
 * @halves_equal: the second token is a copy of the first
 * @keysize: the key size in the table and of the logon key
 */
FIXTURE_VARIANT(malformed)
{
	int off;
	uint8_t xor ;
	bool halves_equal;
	unsigned int keysize;
};

/* Token byte 0: 0x01, CCA internal token. */
FIXTURE_VARIANT_ADD(malformed, bad_token_type){
	.off = 0,
	.xor = 0x03,
	.keysize = PK_BLOB_SIZE,
};

/* Token byte 4: 0x04, AES token version 4. */
FIXTURE_VARIANT_ADD(malformed, bad_token_version){
	.off = 4,
	.xor = 0x01,
	.keysize = PK_BLOB_SIZE,
};

/* Bytes 60..63: the token validation value of the second token. */
FIXTURE_VARIANT_ADD(malformed, bad_tvv){
	.off = PROTKEY_EMU_SECKEY_SIZE + 63,
	.xor = 0x01,
	.keysize = PK_BLOB_SIZE,
};

FIXTURE_VARIANT_ADD(malformed, halves_equal){
	.off = -1,
	.halves_equal = true,
	.keysize = PK_BLOB_SIZE,
};

FIXTURE_VARIANT_ADD(malformed, one_token_size_64){
	.off = -1,
	.keysize = PROTKEY_EMU_SECKEY_SIZE,
};

FIXTURE_SETUP(malformed)
{
	self->kmsg = pk_kmsg_mark();
	ASSERT_EQ(0, pk_nl_open(&self->nl, PROTKEY_EMU_FAMILY_NAME));
	ASSERT_EQ(0, pke_normalise(&self->nl));
}

FIXTURE_TEARDOWN(malformed)
{
	pk_vol_destroy(&self->v);
	pke_normalise(&self->nl);
	pk_nl_close(&self->nl);
	if (self->kmsg >= 0)
		close(self->kmsg);
}

TEST_F_TIMEOUT(malformed, table_load_fails_cleanly, 60)
{
	static char out[PK_OUT_LEN], log[PK_OUT_LEN];
	uint8_t blob[PK_BLOB_SIZE];
	struct pk_vol *v = &self->v;
	const char *bad;
	int rc;

	ASSERT_EQ(0, pk_vol_prepare(&self->nl, v, "pk_bad", VOL_SIZE, 2));
	memcpy(blob, v->blob, sizeof(blob));
	if (variant->off >= 0)
		blob[variant->off] ^= variant->xor ;
	if (variant->halves_equal)
		memcpy(blob + PROTKEY_EMU_SECKEY_SIZE, blob,
		       PROTKEY_EMU_SECKEY_SIZE);
	/* Replace the good logon key by the broken one. */
	pk_key_invalidate(v->key);
	v->key = pk_logon_add(v->name, blob, variant->keysize);
	ASSERT_LT(0, v->key);

	rc = pk_dm_create(v->name, v->lo.dev, VOL_SIZE, variant->keysize, NULL,
			  out, sizeof(out));
	EXPECT_NE(0, rc) TH_LOG("dmsetup accepted a malformed key");
	EXPECT_FALSE(pk_dm_exists(v->name))
	TH_LOG("a mapping was left behind");
	pk_kmsg_read(self->kmsg, log, sizeof(log));
	EXPECT_NE(NULL, strstr(log, "crypt:"))
	TH_LOG("no dm-crypt error in the kernel log: %s", log);
	EXPECT_EQ(NULL, strstr(log, "BUG"));
	EXPECT_EQ(NULL, strstr(log, "Oops"));
	EXPECT_EQ(NULL, strstr(log, "WARNING"));

	/* Nothing changed: the good key still maps. */
	pk_key_invalidate(v->key);
	v->key = pk_logon_add(v->name, v->blob, sizeof(v->blob));
	ASSERT_LT(0, v->key);
	rc = pk_dm_create(v->name, v->lo.dev, VOL_SIZE, PK_BLOB_SIZE, NULL, out,
			  sizeof(out));
	EXPECT_EQ(0, rc) TH_LOG("good key refused afterwards: %s", out);
	pk_kmsg_read(self->kmsg, log, sizeof(log));
	bad = pk_kmsg_find_trouble(log);
	EXPECT_EQ(NULL, bad) TH_LOG("kernel log: %.200s", bad);
}

FIXTURE(unpriv)
{
	struct pk_nl nl;
	struct pk_vol v;
};

FIXTURE_SETUP(unpriv)
{
	ASSERT_EQ(0, pk_nl_open(&self->nl, PROTKEY_EMU_FAMILY_NAME));
	ASSERT_EQ(0, pke_normalise(&self->nl));
}

FIXTURE_TEARDOWN(unpriv)
{
	pk_vol_destroy(&self->v);
	pke_normalise(&self->nl);
	pk_nl_close(&self->nl);
}

enum unpriv_check {
	U_DM_CONTROL,
	U_MAPPING_OPEN,
	U_KEY_READ,
	U_EMU_MIGRATE,
	U_EMU_GENERATE,
	U_PARAM_WRITE,
	U_MAX,
};

static const char *const unpriv_name[U_MAX] = {
	"open /dev/mapper/control", "open the mapping",
	"read the logon key",	    "protkey_emu MIGRATE",
	"protkey_emu KEY_GENERATE", "write rekey_timeout_ms",
};

/* As uid 65534 without capabilities: the errno of each attempt, 0 if allowed. */
static void unpriv_child(const struct pk_vol *v, int out_fd)
{
	int res[U_MAX], fd;
	uint8_t buf[PK_BLOB_SIZE];
	struct pk_nl nl;
	uint8_t tok[PROTKEY_EMU_SECKEY_SIZE];

	if (pk_become_nobody())
		_exit(1);
	fd = open("/dev/mapper/control", O_RDWR);
	if (fd >= 0) {
		struct dm_ioctl dmi = {
			.version = { DM_VERSION_MAJOR, 0, 0 },
			.data_size = sizeof(dmi),
		};

		res[U_DM_CONTROL] = ioctl(fd, DM_LIST_DEVICES, &dmi) ? errno :
								       0;
		close(fd);
	} else {
		res[U_DM_CONTROL] = errno;
	}
	fd = open(v->path, O_RDONLY);
	res[U_MAPPING_OPEN] = fd < 0 ? errno : 0;
	if (fd >= 0)
		close(fd);
	res[U_KEY_READ] =
		syscall(SYS_keyctl, KEYCTL_READ, v->key, buf, sizeof(buf)) < 0 ?
			errno :
			0;
	if (pk_nl_open(&nl, PROTKEY_EMU_FAMILY_NAME)) {
		res[U_EMU_MIGRATE] = res[U_EMU_GENERATE] = ENOENT;
	} else {
		res[U_EMU_MIGRATE] = -pke_migrate(&nl, 0);
		res[U_EMU_GENERATE] = -pke_generate(&nl, v->xts_key, tok);
		pk_nl_close(&nl);
	}
	fd = open("/sys/module/protkey/parameters/rekey_timeout_ms", O_WRONLY);
	res[U_PARAM_WRITE] = fd < 0 ? errno : 0;
	if (fd >= 0)
		close(fd);
	_exit(write(out_fd, res, sizeof(res)) == sizeof(res) ? 0 : 1);
}

TEST_F_TIMEOUT(unpriv, nobody_refused_dm_keys_and_emulator, 60)
{
	static char out[PK_OUT_LEN];
	struct pke_state before, after;
	int res[U_MAX], pfd[2], i;
	pid_t pid;

	ASSERT_EQ(0, pk_vol_create(&self->nl, &self->v, "pk_unpriv", VOL_SIZE,
				   3, NULL, out, sizeof(out)))
	TH_LOG("dmsetup create failed: %s", out);
	ASSERT_EQ(0, pke_get_state(&self->nl, &before));
	/* The nobody child must find the key; possession goes by keyring. */
	ASSERT_EQ(0, pipe(pfd));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		close(pfd[0]);
		unpriv_child(&self->v, pfd[1]);
	}
	close(pfd[1]);
	ASSERT_EQ(sizeof(res), read(pfd[0], res, sizeof(res)));
	close(pfd[0]);
	ASSERT_EQ(0, pk_wait(pid, false));
	for (i = 0; i < U_MAX; i++) {
		EXPECT_NE(0, res[i])
		TH_LOG("nobody could %s", unpriv_name[i]);
		TH_LOG("%s: %s", unpriv_name[i], strerror(res[i]));
	}
	EXPECT_EQ(EACCES, res[U_DM_CONTROL]);
	EXPECT_EQ(EACCES, res[U_MAPPING_OPEN]);
	EXPECT_EQ(EPERM, res[U_EMU_MIGRATE]);
	EXPECT_EQ(EPERM, res[U_EMU_GENERATE]);
	EXPECT_EQ(EACCES, res[U_PARAM_WRITE]);

	/* The real tools fail the same way, and nothing changed. */
	EXPECT_NE(0, pk_run_nobody(out, sizeof(out), "dmsetup", "remove",
				   self->v.name, NULL));
	EXPECT_NE(0, pk_run_nobody(out, sizeof(out), "dmsetup", "table",
				   "--showkeys", self->v.name, NULL));
	EXPECT_EQ(NULL, strstr(out, "logon")) TH_LOG("%s", out);
	EXPECT_TRUE(pk_dm_exists(self->v.name));
	ASSERT_EQ(0, pke_get_state(&self->nl, &after));
	EXPECT_EQ(before.wk_gen, after.wk_gen);
	EXPECT_EQ(before.cnt[PROTKEY_EMU_CNT_A_KEYS_GENERATED],
		  after.cnt[PROTKEY_EMU_CNT_A_KEYS_GENERATED]);
}

TEST_HARNESS_MAIN
