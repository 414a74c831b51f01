// SPDX-License-Identifier: GPL-2.0-only
/*
 * Selftests of the protkey_emu generic netlink family (protkey_emu.ko) from
 * user space, with libnl-3: every command's happy path, the content of the
 * state it reports, the error ordering and extack messages of malformed
 * requests, and refusal of unprivileged callers.
 *
 * The oracle is independent of the emulator: MKVPs are checked against
 * the first 8 bytes of SHA-256(0x01 || MK), CCA's AES MKVP, of the loaded
 * master key, and secure keys are decrypted with AES-256-ECB under it,
 * both computed by the kernel's own crypto through AF_ALG (the emulator's
 * documented scheme, kernel/emu/token.c), whose answers are checked
 * against known values first.
 *
 * Runs as root in the test VM with protkey_emu.ko loaded. The tests change
 * the emulator's state; each fixture first brings it to a known state:
 * every adapter online, CURRENT = MK1, NEW and OLD empty, no latency, no
 * injected failures.
 */
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>

#include <linux/protkey_emu.h>

#include "kselftest_harness.h"

#include "emu.h"
#include "keyobj.h"

#define MAX_ADAPTERS 64

static const uint8_t mk1[PROTKEY_EMU_MK_SIZE] = {
	0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a,
	0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25,
	0x26, 0x27, 0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f,
};

static const uint8_t mk2[PROTKEY_EMU_MK_SIZE] = {
	0xf0, 0xe1, 0xd2, 0xc3, 0xb4, 0xa5, 0x96, 0x87, 0x78, 0x69, 0x5a,
	0x4b, 0x3c, 0x2d, 0x1e, 0x0f, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab,
	0xcd, 0xef, 0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10,
};

/* A clear AES key, long enough for every key size. */
static const uint8_t clear_key[32] = {
	0x60, 0x3d, 0xeb, 0x10, 0x15, 0xca, 0x71, 0xbe, 0x2b, 0x73, 0xae,
	0xf0, 0x85, 0x7d, 0x77, 0x81, 0x1f, 0x35, 0x2c, 0x07, 0x3b, 0x61,
	0x08, 0xd7, 0x2d, 0x98, 0x10, 0xa3, 0x09, 0x14, 0xdf, 0xf4,
};

/**
 * struct emu_state - what PROTKEY_EMU_CMD_GET_STATE reports
 * @wk_gen: wrapping-key generation
 * @cnt: counters, indexed by PROTKEY_EMU_CNT_A_*
 * @n_cnt: number of counter attributes present
 * @n: number of adapters
 * @ad: the adapters
 * @se_guest: SE_GUEST, or -1 when absent
 * @uv_locked: UV_LOCKED, or -1 when absent
 * @uv_count: UV_COUNT, or -1 when absent
 */
struct emu_state {
	int se_guest;
	int uv_locked;
	int64_t uv_count;
	uint64_t wk_gen;
	uint64_t cnt[PROTKEY_EMU_CNT_A_MAX + 1];
	int n_cnt;
	int n;
	struct {
		uint32_t apqn;
		int online;
		bool has[PROTKEY_EMU_MK_OLD + 1];
		uint8_t mkvp[PROTKEY_EMU_MK_OLD + 1][PROTKEY_EMU_MKVP_SIZE];
	} ad[MAX_ADAPTERS];
};

static int parse_adapter(struct nlattr *nest, struct emu_state *st)
{
	static const int reg_attr[] = {
		[PROTKEY_EMU_MK_NEW] = PROTKEY_EMU_ADAPTER_A_MKVP_NEW,
		[PROTKEY_EMU_MK_CURRENT] = PROTKEY_EMU_ADAPTER_A_MKVP_CURRENT,
		[PROTKEY_EMU_MK_OLD] = PROTKEY_EMU_ADAPTER_A_MKVP_OLD,
	};
	struct nlattr *tb[PROTKEY_EMU_ADAPTER_A_MAX + 1];
	int reg, i = st->n;

	if (i >= MAX_ADAPTERS ||
	    nla_parse_nested(tb, PROTKEY_EMU_ADAPTER_A_MAX, nest, NULL) ||
	    !tb[PROTKEY_EMU_ADAPTER_A_APQN] ||
	    !tb[PROTKEY_EMU_ADAPTER_A_ONLINE])
		return -EINVAL;
	st->ad[i].apqn = nla_get_u32(tb[PROTKEY_EMU_ADAPTER_A_APQN]);
	st->ad[i].online = nla_get_u8(tb[PROTKEY_EMU_ADAPTER_A_ONLINE]);
	for (reg = PROTKEY_EMU_MK_NEW; reg <= PROTKEY_EMU_MK_OLD; reg++) {
		struct nlattr *a = tb[reg_attr[reg]];

		st->ad[i].has[reg] = a;
		if (!a)
			continue;
		if (nla_len(a) != PROTKEY_EMU_MKVP_SIZE)
			return -EINVAL;
		memcpy(st->ad[i].mkvp[reg], nla_data(a), PROTKEY_EMU_MKVP_SIZE);
	}
	st->n++;
	return 0;
}

static int parse_counters(struct nlattr *nest, struct emu_state *st)
{
	struct nlattr *tb[PROTKEY_EMU_CNT_A_MAX + 1];
	int i;

	if (nla_parse_nested(tb, PROTKEY_EMU_CNT_A_MAX, nest, NULL))
		return -EINVAL;
	for (i = 1; i < PROTKEY_EMU_CNT_A_PAD; i++) {
		if (!tb[i])
			continue;
		if (nla_len(tb[i]) != sizeof(uint64_t))
			return -EINVAL;
		st->cnt[i] = nla_get_u64(tb[i]);
		st->n_cnt++;
	}
	return 0;
}

/* GET_STATE and parse the reply. Return: 0 or a negative errno. */
static int get_state(struct pk_nl *nl, struct emu_state *st)
{
	struct nlmsghdr *nlh;
	struct nlattr *a;
	int rem, ret;

	memset(st, 0, sizeof(*st));
	st->se_guest = st->uv_locked = -1;
	st->uv_count = -1;
	ret = PKE_REQ0(nl, PROTKEY_EMU_CMD_GET_STATE);
	if (ret)
		return ret;
	if (!nl->reply)
		return -ENOMSG;
	nlh = nlmsg_hdr(nl->reply);
	if (((struct genlmsghdr *)nlmsg_data(nlh))->cmd !=
	    PROTKEY_EMU_CMD_GET_STATE)
		return -EBADMSG;
	ret = -EBADMSG;
	nla_for_each_attr(a, genlmsg_attrdata(nlmsg_data(nlh), 0),
			  genlmsg_attrlen(nlmsg_data(nlh), 0), rem) {
		switch (nla_type(a)) {
		case PROTKEY_EMU_A_WK_GEN:
			if (nla_len(a) != sizeof(uint64_t))
				return -EBADMSG;
			st->wk_gen = nla_get_u64(a);
			ret = 0;
			break;
		case PROTKEY_EMU_A_COUNTERS:
			if (parse_counters(a, st))
				return -EBADMSG;
			break;
		case PROTKEY_EMU_A_ADAPTER:
			if (parse_adapter(a, st))
				return -EBADMSG;
			break;
		case PROTKEY_EMU_A_SE_GUEST:
			st->se_guest = nla_get_u8(a);
			break;
		case PROTKEY_EMU_A_UV_LOCKED:
			st->uv_locked = nla_get_u8(a);
			break;
		case PROTKEY_EMU_A_UV_COUNT:
			st->uv_count = nla_get_u32(a);
			break;
		case PROTKEY_EMU_A_PAD:
			break;
		default:
			return -EBADMSG;
		}
	}
	return ret;
}

static int generate(struct pk_nl *nl, uint32_t bits, const uint8_t *clear,
		    uint8_t token[PROTKEY_EMU_SECKEY_SIZE])
{
	int ret;

	if (clear)
		ret = PKE_REQ(nl, PROTKEY_EMU_CMD_KEY_GENERATE,
			      PKE_U32(PROTKEY_EMU_A_KEY_BITS, bits),
			      PKE_BIN(PROTKEY_EMU_A_CLEAR_KEY, clear,
				      bits / 8));
	else
		ret = PKE_REQ(nl, PROTKEY_EMU_CMD_KEY_GENERATE,
			      PKE_U32(PROTKEY_EMU_A_KEY_BITS, bits));
	return ret ? ret : pke_reply_token(nl, token);
}

static int reencipher(struct pk_nl *nl, const uint8_t *in, uint32_t mode,
		      uint8_t out[PROTKEY_EMU_SECKEY_SIZE])
{
	int ret;

	ret = PKE_REQ(nl, PROTKEY_EMU_CMD_KEY_REENCIPHER,
		      PKE_BIN(PROTKEY_EMU_A_SECURE_KEY, in,
			      PROTKEY_EMU_SECKEY_SIZE),
		      PKE_U32(PROTKEY_EMU_A_RENC_MODE, mode));
	return ret ? ret : pke_reply_token(nl, out);
}

/* Waits until every adapter is usable (an outage may still run). */
static int wait_usable(struct pk_nl *nl)
{
	struct emu_state st;
	int tries, i, ret;

	for (tries = 0; tries < 200; tries++) {
		bool all = true;

		ret = get_state(nl, &st);
		if (ret)
			return ret;
		for (i = 0; i < st.n; i++)
			all = all && st.ad[i].online;
		if (all)
			return 0;
		usleep(50 * 1000);
	}
	return -ETIMEDOUT;
}

/*
 * The known state: every adapter online and usable, CURRENT = MK1, NEW and
 * OLD empty, no derive latency, no injected failures.
 */
static int emu_normalise(struct pk_nl *nl)
{
	int ret;

	ret = PKE_REQ(nl, PROTKEY_EMU_CMD_SE_SET,
		      PKE_U8(PROTKEY_EMU_A_SE_GUEST, 0));
	ret = ret ?: pke_set_online(nl, 1);
	ret = ret ?: wait_usable(nl);
	return ret ?: pke_reset_mk(nl, mk1);
}

/*
 * CCA's AES master-key verification pattern: the first 8 bytes of
 * SHA-256(0x01 || MK) (IBM CCA, "SHA-256 based master-key verification
 * method").
 */
static void mkvp_of(struct __test_metadata *_metadata, const uint8_t *mk,
		    uint8_t mkvp[PROTKEY_EMU_MKVP_SIZE])
{
	uint8_t in[1 + PROTKEY_EMU_MK_SIZE], digest[32];

	in[0] = 0x01;
	memcpy(in + 1, mk, PROTKEY_EMU_MK_SIZE);
	ASSERT_EQ(0, pk_sha256(in, sizeof(in), digest));
	memcpy(mkvp, digest, PROTKEY_EMU_MKVP_SIZE);
}

/*
 * Checks a CCA AES DATA token made under @mk from the outside: header,
 * MKVP, sizes, TVV, and its key field decrypted with AES-256-ECB under @mk:
 * zero padding, LRC, and equal to @clear when given. Returns the clear key
 * in @out (32 bytes) when not NULL.
 */
static void check_token(struct __test_metadata *_metadata, const uint8_t *tok,
			const uint8_t *mk, uint32_t bits, const uint8_t *clear,
			uint8_t *out)
{
	uint8_t mkvp[PROTKEY_EMU_MKVP_SIZE], dec[32];
	uint32_t tvv = 0, i;
	uint8_t lrc = 0;

	mkvp_of(_metadata, mk, mkvp);
	EXPECT_EQ(0x01, tok[0]); /* CCA internal token */
	EXPECT_EQ(0x04, tok[4]); /* AES, version 4 */
	EXPECT_EQ(0x80, tok[6] & 0x80); /* encrypted key and MKVP present */
	EXPECT_EQ(0, memcmp(tok + 8, mkvp, sizeof(mkvp)));
	EXPECT_EQ(bits, pk_get_be16(tok + 56));
	EXPECT_EQ(32, pk_get_be16(tok + 58));
	for (i = 0; i < 60; i += 4)
		tvv += pk_get_be32(tok + i);
	EXPECT_EQ(tvv, pk_get_be32(tok + 60));

	ASSERT_EQ(0, pk_aes_ecb(mk, PROTKEY_EMU_MK_SIZE, ALG_OP_DECRYPT,
				tok + 16, dec, sizeof(dec)));
	for (i = bits / 8; i < sizeof(dec); i++)
		EXPECT_EQ(0, dec[i]);
	for (i = 0; i < bits / 8; i++)
		lrc ^= dec[i];
	EXPECT_EQ(lrc, tok[7]);
	if (clear)
		EXPECT_EQ(0, memcmp(dec, clear, bits / 8));
	if (out)
		memcpy(out, dec, sizeof(dec));
}

static bool same_state(const struct emu_state *a, const struct emu_state *b)
{
	return !memcmp(a, b, sizeof(*a));
}

/*
 * The oracle itself: FIPS-197 C.3 (AES-256), FIPS 180-2 "abc", and the
 * MKVP of mk1, computed with Python's hashlib.
 */
TEST(oracle_known_answers)
{
	static const uint8_t mkvp1[PROTKEY_EMU_MKVP_SIZE] = { 0x85, 0x46, 0xc5,
							      0x60, 0xfe, 0x40,
							      0x1c, 0xb9 };
	uint8_t mkvp[PROTKEY_EMU_MKVP_SIZE];
	static const uint8_t key[32] = {
		0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
		0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
		0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
		0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
	};
	static const uint8_t pt[16] = {
		0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
		0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff,
	};
	static const uint8_t ct[16] = {
		0x8e, 0xa2, 0xb7, 0xca, 0x51, 0x67, 0x45, 0xbf,
		0xea, 0xfc, 0x49, 0x90, 0x4b, 0x49, 0x60, 0x89,
	};
	static const uint8_t abc[32] = {
		0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea,
		0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
		0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c,
		0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad,
	};
	uint8_t out[32];

	ASSERT_EQ(0, pk_aes_ecb(key, 32, ALG_OP_ENCRYPT, pt, out, 16));
	EXPECT_EQ(0, memcmp(out, ct, 16));
	ASSERT_EQ(0, pk_aes_ecb(key, 32, ALG_OP_DECRYPT, ct, out, 16));
	EXPECT_EQ(0, memcmp(out, pt, 16));
	ASSERT_EQ(0, pk_sha256("abc", 3, out));
	EXPECT_EQ(0, memcmp(out, abc, 32));
	mkvp_of(_metadata, mk1, mkvp);
	EXPECT_EQ(0, memcmp(mkvp, mkvp1, sizeof(mkvp)));
}

FIXTURE(emu)
{
	struct pk_nl nl;
};

FIXTURE_SETUP(emu)
{
	ASSERT_EQ(0, pk_nl_open(&self->nl, PROTKEY_EMU_FAMILY_NAME))
	TH_LOG("family %s not found: is protkey_emu.ko loaded?",
	       PROTKEY_EMU_FAMILY_NAME);
	ASSERT_EQ(0, emu_normalise(&self->nl))
	TH_LOG("cannot reset the emulator: %s", self->nl.msg);
}

FIXTURE_TEARDOWN(emu)
{
	pk_nl_close(&self->nl);
}

TEST_F(emu, get_state_reports_everything)
{
	uint8_t mkvp1[PROTKEY_EMU_MKVP_SIZE];
	struct emu_state st;
	int i;

	mkvp_of(_metadata, mk1, mkvp1);
	ASSERT_EQ(0, get_state(&self->nl, &st));
	EXPECT_NE(0, st.wk_gen);
	EXPECT_EQ(PROTKEY_EMU_CNT_A_PAD - 1, st.n_cnt);
	/* an ordinary guest, with an empty, unlocked UV store */
	EXPECT_EQ(0, st.se_guest);
	EXPECT_EQ(0, st.uv_locked);
	EXPECT_EQ(0, st.uv_count);
	ASSERT_GE(st.n, 1);
	for (i = 0; i < st.n; i++) {
		EXPECT_EQ(1, st.ad[i].online);
		EXPECT_LE(PROTKEY_EMU_APQN_CARD(st.ad[i].apqn), 255);
		EXPECT_LE(PROTKEY_EMU_APQN_DOMAIN(st.ad[i].apqn), 255);
		EXPECT_FALSE(st.ad[i].has[PROTKEY_EMU_MK_NEW]);
		EXPECT_FALSE(st.ad[i].has[PROTKEY_EMU_MK_OLD]);
		ASSERT_TRUE(st.ad[i].has[PROTKEY_EMU_MK_CURRENT]);
		/* MKVP: the first 8 bytes of SHA-256(0x01 || MK). */
		EXPECT_EQ(0, memcmp(st.ad[i].mkvp[PROTKEY_EMU_MK_CURRENT],
				    mkvp1, sizeof(mkvp1)));
		if (i)
			EXPECT_NE(st.ad[i - 1].apqn, st.ad[i].apqn);
	}
}

TEST_F(emu, mk_load_fills_new_register_of_every_adapter)
{
	uint8_t mkvp1[PROTKEY_EMU_MKVP_SIZE], mkvp2[PROTKEY_EMU_MKVP_SIZE];
	struct emu_state st;
	int i;

	mkvp_of(_metadata, mk1, mkvp1);
	mkvp_of(_metadata, mk2, mkvp2);
	ASSERT_EQ(0, pke_mk_load(&self->nl, mk2));
	ASSERT_EQ(0, get_state(&self->nl, &st));
	for (i = 0; i < st.n; i++) {
		ASSERT_TRUE(st.ad[i].has[PROTKEY_EMU_MK_NEW]);
		EXPECT_EQ(0,
			  memcmp(st.ad[i].mkvp[PROTKEY_EMU_MK_NEW], mkvp2, 8));
		EXPECT_EQ(0, memcmp(st.ad[i].mkvp[PROTKEY_EMU_MK_CURRENT],
				    mkvp1, 8));
		EXPECT_FALSE(st.ad[i].has[PROTKEY_EMU_MK_OLD]);
	}
}

TEST_F(emu, mk_load_one_apqn)
{
	struct emu_state st;
	uint32_t apqn;
	int i;

	ASSERT_EQ(0, get_state(&self->nl, &st));
	apqn = st.ad[st.n - 1].apqn;
	ASSERT_EQ(0,
		  PKE_REQ(&self->nl, PROTKEY_EMU_CMD_MK_LOAD,
			  PKE_U32(PROTKEY_EMU_A_APQN, apqn),
			  PKE_BIN(PROTKEY_EMU_A_MK, mk2, PROTKEY_EMU_MK_SIZE)));
	ASSERT_EQ(0, get_state(&self->nl, &st));
	for (i = 0; i < st.n; i++)
		EXPECT_EQ(st.ad[i].apqn == apqn,
			  st.ad[i].has[PROTKEY_EMU_MK_NEW]);
}

TEST_F(emu, mk_set_rotates_registers)
{
	uint8_t mkvp1[PROTKEY_EMU_MKVP_SIZE], mkvp2[PROTKEY_EMU_MKVP_SIZE];
	struct emu_state st;
	int i;

	mkvp_of(_metadata, mk1, mkvp1);
	mkvp_of(_metadata, mk2, mkvp2);
	ASSERT_EQ(0, pke_mk_load(&self->nl, mk2));
	ASSERT_EQ(0, PKE_REQ0(&self->nl, PROTKEY_EMU_CMD_MK_SET));
	ASSERT_EQ(0, get_state(&self->nl, &st));
	for (i = 0; i < st.n; i++) {
		EXPECT_FALSE(st.ad[i].has[PROTKEY_EMU_MK_NEW]);
		EXPECT_EQ(0, memcmp(st.ad[i].mkvp[PROTKEY_EMU_MK_CURRENT],
				    mkvp2, 8));
		ASSERT_TRUE(st.ad[i].has[PROTKEY_EMU_MK_OLD]);
		EXPECT_EQ(0,
			  memcmp(st.ad[i].mkvp[PROTKEY_EMU_MK_OLD], mkvp1, 8));
	}
	/* A second set with NEW empty is refused, and changes nothing. */
	EXPECT_EQ(-ENOKEY, PKE_REQ0(&self->nl, PROTKEY_EMU_CMD_MK_SET));
	EXPECT_NE(NULL, strstr(self->nl.msg, "NEW"));
}

TEST_F(emu, mk_clear_new_and_old)
{
	struct emu_state st;
	int i;

	ASSERT_EQ(0, pke_mk_load(&self->nl, mk2));
	ASSERT_EQ(0, PKE_REQ0(&self->nl, PROTKEY_EMU_CMD_MK_SET));
	ASSERT_EQ(0, pke_mk_load(&self->nl, mk1));
	ASSERT_EQ(0, pke_mk_clear(&self->nl, PROTKEY_EMU_MK_OLD));
	ASSERT_EQ(0, get_state(&self->nl, &st));
	for (i = 0; i < st.n; i++) {
		EXPECT_TRUE(st.ad[i].has[PROTKEY_EMU_MK_NEW]);
		EXPECT_TRUE(st.ad[i].has[PROTKEY_EMU_MK_CURRENT]);
		EXPECT_FALSE(st.ad[i].has[PROTKEY_EMU_MK_OLD]);
	}
	ASSERT_EQ(0, pke_mk_clear(&self->nl, PROTKEY_EMU_MK_NEW));
	ASSERT_EQ(0, get_state(&self->nl, &st));
	for (i = 0; i < st.n; i++) {
		EXPECT_FALSE(st.ad[i].has[PROTKEY_EMU_MK_NEW]);
		EXPECT_TRUE(st.ad[i].has[PROTKEY_EMU_MK_CURRENT]);
	}
}

TEST_F(emu, migrate_changes_wrapping_key)
{
	struct nlattr *tb[PROTKEY_EMU_A_MAX + 1];
	struct emu_state before, after;
	uint64_t gen;

	ASSERT_EQ(0, get_state(&self->nl, &before));
	ASSERT_EQ(0, PKE_REQ0(&self->nl, PROTKEY_EMU_CMD_MIGRATE));
	ASSERT_EQ(0, pk_nl_reply_attrs(&self->nl, tb, PROTKEY_EMU_A_MAX));
	ASSERT_NE(NULL, tb[PROTKEY_EMU_A_WK_GEN]);
	gen = nla_get_u64(tb[PROTKEY_EMU_A_WK_GEN]);
	EXPECT_NE(before.wk_gen, gen);
	ASSERT_EQ(0, get_state(&self->nl, &after));
	EXPECT_EQ(gen, after.wk_gen);
	EXPECT_EQ(before.cnt[PROTKEY_EMU_CNT_A_MIGRATIONS] + 1,
		  after.cnt[PROTKEY_EMU_CNT_A_MIGRATIONS]);
	/* Without an outage the adapters stay usable. */
	EXPECT_EQ(1, after.ad[0].online);
}

TEST_F(emu, migrate_with_outage_makes_adapters_unusable)
{
	uint8_t token[PROTKEY_EMU_SECKEY_SIZE];
	struct timespec t0, t1;
	struct emu_state st;
	long ms;
	int i;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	ASSERT_EQ(0, PKE_REQ(&self->nl, PROTKEY_EMU_CMD_MIGRATE,
			     PKE_U32(PROTKEY_EMU_A_OUTAGE_MS, 1500)));
	ASSERT_EQ(0, get_state(&self->nl, &st));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 +
	     (t1.tv_nsec - t0.tv_nsec) / 1000000;
	if (ms < 1000) {
		for (i = 0; i < st.n; i++)
			EXPECT_EQ(0, st.ad[i].online);
		EXPECT_EQ(-ENODEV, generate(&self->nl, 256, NULL, token));
		EXPECT_NE(0, self->nl.msg[0]);
	} else {
		TH_LOG("slow machine (%ld ms): outage not observed", ms);
	}
	ASSERT_EQ(0, wait_usable(&self->nl));
	EXPECT_EQ(0, generate(&self->nl, 256, NULL, token));
}

TEST_F(emu, adapters_offline_and_online)
{
	uint8_t token[PROTKEY_EMU_SECKEY_SIZE];
	struct emu_state st;
	int i;

	ASSERT_EQ(0, pke_set_online(&self->nl, 0));
	ASSERT_EQ(0, get_state(&self->nl, &st));
	for (i = 0; i < st.n; i++)
		EXPECT_EQ(0, st.ad[i].online);
	EXPECT_EQ(-ENODEV, generate(&self->nl, 128, NULL, token));
	EXPECT_NE(NULL, strstr(self->nl.msg, "usable"));
	ASSERT_EQ(0, pke_set_online(&self->nl, 1));
	ASSERT_EQ(0, get_state(&self->nl, &st));
	for (i = 0; i < st.n; i++)
		EXPECT_EQ(1, st.ad[i].online);
	EXPECT_EQ(0, generate(&self->nl, 128, NULL, token));
}

TEST_F(emu, adapter_set_one_apqn)
{
	struct emu_state st;
	uint32_t apqn;
	int i;

	ASSERT_EQ(0, get_state(&self->nl, &st));
	apqn = st.ad[0].apqn;
	ASSERT_EQ(0, PKE_REQ(&self->nl, PROTKEY_EMU_CMD_ADAPTER_SET,
			     PKE_U32(PROTKEY_EMU_A_APQN, apqn),
			     PKE_U8(PROTKEY_EMU_A_ONLINE, 0)));
	ASSERT_EQ(0, get_state(&self->nl, &st));
	for (i = 0; i < st.n; i++)
		EXPECT_EQ(st.ad[i].apqn != apqn, st.ad[i].online);
	/* An APQN that does not exist: card 200. */
	EXPECT_EQ(-ENODEV,
		  PKE_REQ(&self->nl, PROTKEY_EMU_CMD_ADAPTER_SET,
			  PKE_U32(PROTKEY_EMU_A_APQN, PROTKEY_EMU_APQN(200, 1)),
			  PKE_U8(PROTKEY_EMU_A_ONLINE, 0)));
	EXPECT_NE(0, self->nl.msg[0]);
	EXPECT_GE(self->nl.bad_offs, 0);
}

TEST_F(emu, latency_and_fail_derives_accepted)
{
	/*
	 * Their effect shows only on derives, which protkey.ko drives (the
	 * KUnit suites and the protkey selftests cover it); here: the
	 * commands and their limits.
	 */
	EXPECT_EQ(0, PKE_REQ(&self->nl, PROTKEY_EMU_CMD_SET_LATENCY,
			     PKE_U32(PROTKEY_EMU_A_LATENCY_US, 10000000)));
	EXPECT_EQ(0, PKE_REQ(&self->nl, PROTKEY_EMU_CMD_SET_LATENCY,
			     PKE_U32(PROTKEY_EMU_A_LATENCY_US, 0)));
	EXPECT_EQ(0, PKE_REQ(&self->nl, PROTKEY_EMU_CMD_FAIL_DERIVES,
			     PKE_U32(PROTKEY_EMU_A_FAIL_COUNT, 3),
			     PKE_U32(PROTKEY_EMU_A_FAIL_ERRNO, 4095)));
	EXPECT_EQ(0, PKE_REQ(&self->nl, PROTKEY_EMU_CMD_FAIL_DERIVES,
			     PKE_U32(PROTKEY_EMU_A_FAIL_COUNT, 0),
			     PKE_U32(PROTKEY_EMU_A_FAIL_ERRNO, 1)));
}

TEST_F(emu, counters_count_and_reset)
{
	uint8_t tok[PROTKEY_EMU_SECKEY_SIZE], tok2[PROTKEY_EMU_SECKEY_SIZE];
	struct emu_state st;
	int i;

	ASSERT_EQ(0, PKE_REQ0(&self->nl, PROTKEY_EMU_CMD_RESET_COUNTERS));
	ASSERT_EQ(0, get_state(&self->nl, &st));
	for (i = 1; i < PROTKEY_EMU_CNT_A_PAD; i++)
		EXPECT_EQ(0, st.cnt[i]);
	ASSERT_EQ(0, generate(&self->nl, 256, NULL, tok));
	ASSERT_EQ(0, generate(&self->nl, 128, clear_key, tok));
	ASSERT_EQ(0, pke_mk_load(&self->nl, mk2));
	ASSERT_EQ(0, reencipher(&self->nl, tok, PROTKEY_EMU_RENC_CURRENT_TO_NEW,
				tok2));
	ASSERT_EQ(0, PKE_REQ0(&self->nl, PROTKEY_EMU_CMD_MIGRATE));
	ASSERT_EQ(0, get_state(&self->nl, &st));
	EXPECT_EQ(2, st.cnt[PROTKEY_EMU_CNT_A_KEYS_GENERATED]);
	EXPECT_EQ(1, st.cnt[PROTKEY_EMU_CNT_A_REENCIPHERS]);
	EXPECT_EQ(1, st.cnt[PROTKEY_EMU_CNT_A_MIGRATIONS]);
	ASSERT_EQ(0, PKE_REQ0(&self->nl, PROTKEY_EMU_CMD_RESET_COUNTERS));
	ASSERT_EQ(0, get_state(&self->nl, &st));
	EXPECT_EQ(0, st.cnt[PROTKEY_EMU_CNT_A_KEYS_GENERATED]);
	EXPECT_EQ(0, st.cnt[PROTKEY_EMU_CNT_A_MIGRATIONS]);
}

/*
 * KEY_DERIVE hands out what the platform seam's derive makes: the key
 * wrapped under the wrapping key, then the WKVP; the same bytes until a
 * migration, other bytes (and another WKVP) after it, never the clear
 * key; each call counted as a derive, a token under no loaded MK refused.
 */
TEST_F(emu, key_derive_gives_the_protected_key)
{
	uint8_t tok[PROTKEY_EMU_SECKEY_SIZE], pk[96], pk2[96], pk3[96];
	size_t len, len2, len3;
	struct emu_state st;
	uint64_t d0;

	ASSERT_EQ(0, generate(&self->nl, 256, clear_key, tok));
	ASSERT_EQ(0, get_state(&self->nl, &st));
	d0 = st.cnt[PROTKEY_EMU_CNT_A_DERIVES];
	ASSERT_EQ(0, pke_key_derive(&self->nl, tok, sizeof(tok), pk, &len))
	TH_LOG("KEY_DERIVE: %s", self->nl.msg);
	EXPECT_EQ(64, len);
	EXPECT_NE(0, memcmp(pk, clear_key, 32));
	ASSERT_EQ(0, pke_key_derive(&self->nl, tok, sizeof(tok), pk2, &len2));
	EXPECT_EQ(len, len2);
	EXPECT_EQ(0, memcmp(pk, pk2, len));
	ASSERT_EQ(0, PKE_REQ0(&self->nl, PROTKEY_EMU_CMD_MIGRATE));
	ASSERT_EQ(0, pke_key_derive(&self->nl, tok, sizeof(tok), pk3, &len3));
	EXPECT_EQ(len, len3);
	EXPECT_NE(0, memcmp(pk, pk3, 32));
	EXPECT_NE(0, memcmp(pk + 32, pk3 + 32, 32));
	ASSERT_EQ(0, get_state(&self->nl, &st));
	EXPECT_EQ(d0 + 3, st.cnt[PROTKEY_EMU_CNT_A_DERIVES]);

	/* A token of a master key no adapter holds any more. */
	ASSERT_EQ(0, pke_mk_load(&self->nl, mk2));
	ASSERT_EQ(0, PKE_REQ0(&self->nl, PROTKEY_EMU_CMD_MK_SET));
	ASSERT_EQ(0, pke_mk_load(&self->nl, mk2));
	ASSERT_EQ(0, PKE_REQ0(&self->nl, PROTKEY_EMU_CMD_MK_SET));
	EXPECT_EQ(-ENODEV,
		  pke_key_derive(&self->nl, tok, sizeof(tok), pk3, &len3));
}

TEST_F(emu, reencipher_needs_the_source_register)
{
	uint8_t tok[PROTKEY_EMU_SECKEY_SIZE], out[PROTKEY_EMU_SECKEY_SIZE];

	ASSERT_EQ(0, generate(&self->nl, 256, clear_key, tok));
	/* OLD is empty: no adapter has the source register. */
	EXPECT_EQ(-ENODEV, reencipher(&self->nl, tok,
				      PROTKEY_EMU_RENC_OLD_TO_CURRENT, out));
	EXPECT_NE(0, self->nl.msg[0]);
	/* NEW is empty: nothing to re-encipher to. */
	EXPECT_EQ(-ENOKEY, reencipher(&self->nl, tok,
				      PROTKEY_EMU_RENC_CURRENT_TO_NEW, out));
	EXPECT_NE(NULL, strstr(self->nl.msg, "empty"));
	/* A key under another master key than OLD. */
	ASSERT_EQ(0, pke_mk_load(&self->nl, mk2));
	ASSERT_EQ(0, PKE_REQ0(&self->nl, PROTKEY_EMU_CMD_MK_SET));
	ASSERT_EQ(0, generate(&self->nl, 256, clear_key, tok));
	EXPECT_EQ(-EINVAL, reencipher(&self->nl, tok,
				      PROTKEY_EMU_RENC_OLD_TO_CURRENT, out));
	EXPECT_NE(0, self->nl.msg[0]);
	EXPECT_GE(self->nl.bad_offs, 0);
	/* A TVV off by one: only the adapter finds it, -EIO as CCA. */
	tok[63] ^= 1;
	EXPECT_EQ(-EIO, reencipher(&self->nl, tok,
				   PROTKEY_EMU_RENC_CURRENT_TO_NEW, out));
	EXPECT_NE(NULL, strstr(self->nl.msg, "rejected"));
	/* An unknown version: pkey's own check, -EINVAL. */
	tok[63] ^= 1;
	tok[4] = 0x03;
	EXPECT_EQ(-EINVAL, reencipher(&self->nl, tok,
				      PROTKEY_EMU_RENC_CURRENT_TO_NEW, out));
	EXPECT_NE(NULL, strstr(self->nl.msg, "malformed"));
}

/*
 * EP11 adapters: every adapter switched to EP11 mode for the test and back
 * to CCA after it. The WKVP is checked against SHA-256(0x02 || WK), the
 * key field and the MAC of an EP11 key against AES-256-ECB and SHA-256
 * under the loaded wrapping key (the emulator's documented scheme), all
 * through AF_ALG.
 */
#define EP11_LEN PKE_EP11_LEN
#define EP11_B 16

struct ep11_adapter {
	uint32_t mode;
	uint32_t wk_new;
	bool has_cur, has_new;
	uint8_t wkvp_cur[PROTKEY_EMU_WKVP_SIZE];
	uint8_t wkvp_new[PROTKEY_EMU_WKVP_SIZE];
};

/* GET_STATE: the EP11 attributes of the first adapter. */
static int ep11_state(struct pk_nl *nl, struct ep11_adapter *ad)
{
	struct nlattr *tb[PROTKEY_EMU_ADAPTER_A_MAX + 1], *a;
	struct nlmsghdr *nlh;
	int rem, ret;

	memset(ad, 0, sizeof(*ad));
	ret = PKE_REQ0(nl, PROTKEY_EMU_CMD_GET_STATE);
	if (ret)
		return ret;
	nlh = nlmsg_hdr(nl->reply);
	nla_for_each_attr(a, genlmsg_attrdata(nlmsg_data(nlh), 0),
			  genlmsg_attrlen(nlmsg_data(nlh), 0), rem) {
		if (nla_type(a) != PROTKEY_EMU_A_ADAPTER)
			continue;
		if (nla_parse_nested(tb, PROTKEY_EMU_ADAPTER_A_MAX, a, NULL) ||
		    !tb[PROTKEY_EMU_ADAPTER_A_MODE])
			return -EBADMSG;
		ad->mode = nla_get_u32(tb[PROTKEY_EMU_ADAPTER_A_MODE]);
		if (tb[PROTKEY_EMU_ADAPTER_A_WK_NEW_STATE])
			ad->wk_new = nla_get_u32(
				tb[PROTKEY_EMU_ADAPTER_A_WK_NEW_STATE]);
		a = tb[PROTKEY_EMU_ADAPTER_A_WKVP_CURRENT];
		ad->has_cur = a && nla_len(a) == PROTKEY_EMU_WKVP_SIZE;
		if (ad->has_cur)
			memcpy(ad->wkvp_cur, nla_data(a),
			       PROTKEY_EMU_WKVP_SIZE);
		a = tb[PROTKEY_EMU_ADAPTER_A_WKVP_NEW];
		ad->has_new = a && nla_len(a) == PROTKEY_EMU_WKVP_SIZE;
		if (ad->has_new)
			memcpy(ad->wkvp_new, nla_data(a),
			       PROTKEY_EMU_WKVP_SIZE);
		return 0;
	}
	return -ENOENT;
}

static void wkvp_of(struct __test_metadata *_metadata, const uint8_t *wk,
		    uint8_t out[32])
{
	uint8_t in[1 + PROTKEY_EMU_MK_SIZE];

	in[0] = 0x02;
	memcpy(in + 1, wk, PROTKEY_EMU_MK_SIZE);
	ASSERT_EQ(0, pk_sha256(in, sizeof(in), out));
}

/* The MAC of @tok under @wk, recomputed outside the emulator. */
static int ep11_mac_ok(const uint8_t *tok, const uint8_t *wk)
{
	uint8_t in[32 + 16 + 8 + 2 + 32], mac[32];
	int ret;

	memcpy(in, wk, 32);
	memcpy(in + 32, tok + EP11_B + 0x20, 16 + 8);
	memcpy(in + 56, tok + 6, 2);
	memcpy(in + 58, tok + EP11_B + 0x50, 32);
	ret = pk_sha256(in, sizeof(in), mac);
	return ret ?: memcmp(mac, tok + EP11_B + 0xe0, 32) ? -EBADMSG : 0;
}

FIXTURE(ep11)
{
	struct pk_nl nl;
};

FIXTURE_SETUP(ep11)
{
	ASSERT_EQ(0, pk_nl_open(&self->nl, PROTKEY_EMU_FAMILY_NAME))
	TH_LOG("family %s not found: is protkey_emu.ko loaded?",
	       PROTKEY_EMU_FAMILY_NAME);
	ASSERT_EQ(0, emu_normalise(&self->nl))
	TH_LOG("cannot reset the emulator: %s", self->nl.msg);
	ASSERT_EQ(0, pke_set_mode_all(&self->nl, PROTKEY_EMU_MODE_EP11))
	TH_LOG("cannot switch to EP11: %s", self->nl.msg);
}

FIXTURE_TEARDOWN(ep11)
{
	pke_set_mode_all(&self->nl, PROTKEY_EMU_MODE_CCA);
	emu_normalise(&self->nl);
	pk_nl_close(&self->nl);
}

TEST_F(ep11, wrapping_key_load_commit_set_and_key)
{
	uint8_t wkvp[32], tok[EP11_LEN], out[EP11_LEN];
	struct ep11_adapter ad;
	int len = 0, i;

	/* A mode change empties the registers. */
	ASSERT_EQ(0, ep11_state(&self->nl, &ad));
	EXPECT_EQ(PROTKEY_EMU_MODE_EP11, ad.mode);
	EXPECT_FALSE(ad.has_cur);
	EXPECT_EQ(PROTKEY_EMU_WK_NEW_EMPTY, ad.wk_new);
	EXPECT_EQ(-ENODEV, pke_generate_ep11(&self->nl, clear_key, tok, &len));

	/* Loaded: uncommitted, with its WKVP; not yet settable. */
	ASSERT_EQ(0, pke_mk_load(&self->nl, pke_test_mk));
	ASSERT_EQ(0, ep11_state(&self->nl, &ad));
	EXPECT_EQ(PROTKEY_EMU_WK_NEW_UNCOMMITTED, ad.wk_new);
	wkvp_of(_metadata, pke_test_mk, wkvp);
	ASSERT_TRUE(ad.has_new);
	EXPECT_EQ(0, memcmp(ad.wkvp_new, wkvp, sizeof(wkvp)));
	EXPECT_EQ(-ENOKEY, PKE_REQ0(&self->nl, PROTKEY_EMU_CMD_MK_SET));
	EXPECT_NE(NULL, strstr(self->nl.msg, "committed"));

	/* Committed, then CURRENT. */
	ASSERT_EQ(0, PKE_REQ0(&self->nl, PROTKEY_EMU_CMD_MK_COMMIT));
	EXPECT_EQ(-ENOKEY, PKE_REQ0(&self->nl, PROTKEY_EMU_CMD_MK_COMMIT));
	ASSERT_EQ(0, PKE_REQ0(&self->nl, PROTKEY_EMU_CMD_MK_SET));
	ASSERT_EQ(0, ep11_state(&self->nl, &ad));
	ASSERT_TRUE(ad.has_cur);
	EXPECT_FALSE(ad.has_new);
	EXPECT_EQ(0, memcmp(ad.wkvp_cur, wkvp, sizeof(wkvp)));
	/* No OLD register: skipped on all, refused on one. */
	EXPECT_EQ(0, pke_mk_clear(&self->nl, PROTKEY_EMU_MK_OLD));
	EXPECT_EQ(-EINVAL,
		  PKE_REQ(&self->nl, PROTKEY_EMU_CMD_MK_CLEAR,
			  PKE_U32(PROTKEY_EMU_A_APQN, PROTKEY_EMU_APQN(0, 1)),
			  PKE_U32(PROTKEY_EMU_A_MK_REG, PROTKEY_EMU_MK_OLD)));

	/* A key: header, WKVP, key field and MAC checked from outside. */
	ASSERT_EQ(0, pke_generate_ep11(&self->nl, clear_key, tok, &len));
	ASSERT_EQ(EP11_LEN, len);
	EXPECT_EQ(0x00, tok[0]);
	EXPECT_EQ(0x06, tok[4]);
	EXPECT_EQ(272, tok[2] << 8 | tok[3]);
	EXPECT_EQ(0, memcmp(tok + EP11_B + 0x20, wkvp, 16));
	EXPECT_EQ(0, pke_token_holds(tok + EP11_B + 0x50 - 16, clear_key));
	EXPECT_EQ(0, ep11_mac_ok(tok, pke_test_mk));
	for (i = 272; i < EP11_LEN; i++)
		EXPECT_EQ(0, tok[i]);

	/* Re-enciphered to a committed NEW: as long, under NEW. */
	ASSERT_EQ(0, pke_mk_load(&self->nl, mk2));
	EXPECT_EQ(-ENODEV, PKE_REQ(&self->nl, PROTKEY_EMU_CMD_KEY_REENCIPHER,
				   PKE_BIN(PROTKEY_EMU_A_SECURE_KEY, tok, len),
				   PKE_U32(PROTKEY_EMU_A_RENC_MODE,
					   PROTKEY_EMU_RENC_CURRENT_TO_NEW)));
	ASSERT_EQ(0, PKE_REQ0(&self->nl, PROTKEY_EMU_CMD_MK_COMMIT));
	ASSERT_EQ(0, PKE_REQ(&self->nl, PROTKEY_EMU_CMD_KEY_REENCIPHER,
			     PKE_BIN(PROTKEY_EMU_A_SECURE_KEY, tok, len),
			     PKE_U32(PROTKEY_EMU_A_RENC_MODE,
				     PROTKEY_EMU_RENC_CURRENT_TO_NEW)));
	{
		struct nlattr *tb[PROTKEY_EMU_A_MAX + 1];

		ASSERT_EQ(0,
			  pk_nl_reply_attrs(&self->nl, tb, PROTKEY_EMU_A_MAX));
		ASSERT_NE(NULL, tb[PROTKEY_EMU_A_SECURE_KEY]);
		ASSERT_EQ(len, nla_len(tb[PROTKEY_EMU_A_SECURE_KEY]));
		memcpy(out, nla_data(tb[PROTKEY_EMU_A_SECURE_KEY]), len);
	}
	wkvp_of(_metadata, mk2, wkvp);
	EXPECT_EQ(0, memcmp(out + EP11_B + 0x20, wkvp, 16));
	EXPECT_EQ(0, ep11_mac_ok(out, mk2));
	/* EP11 keys have no OLD to come back from. */
	EXPECT_EQ(-EINVAL, PKE_REQ(&self->nl, PROTKEY_EMU_CMD_KEY_REENCIPHER,
				   PKE_BIN(PROTKEY_EMU_A_SECURE_KEY, tok, len),
				   PKE_U32(PROTKEY_EMU_A_RENC_MODE,
					   PROTKEY_EMU_RENC_OLD_TO_CURRENT)));
}

TEST_F(ep11, mode_changes_only_offline)
{
	struct ep11_adapter ad;

	EXPECT_EQ(-EBUSY,
		  PKE_REQ(&self->nl, PROTKEY_EMU_CMD_ADAPTER_SET,
			  PKE_U32(PROTKEY_EMU_A_MODE, PROTKEY_EMU_MODE_ACCEL)));
	EXPECT_NE(NULL, strstr(self->nl.msg, "offline"));
	ASSERT_EQ(0, ep11_state(&self->nl, &ad));
	EXPECT_EQ(PROTKEY_EMU_MODE_EP11, ad.mode);
	/* offline and accelerator in one request, then online */
	ASSERT_EQ(0, pke_set_mode_all(&self->nl, PROTKEY_EMU_MODE_ACCEL));
	ASSERT_EQ(0, ep11_state(&self->nl, &ad));
	EXPECT_EQ(PROTKEY_EMU_MODE_ACCEL, ad.mode);
	EXPECT_EQ(0, pke_mk_load(&self->nl, pke_test_mk));
	ASSERT_EQ(0, ep11_state(&self->nl, &ad));
	EXPECT_FALSE(ad.has_new);
	EXPECT_EQ(-EINVAL,
		  PKE_REQ(&self->nl, PROTKEY_EMU_CMD_MK_LOAD,
			  PKE_U32(PROTKEY_EMU_A_APQN, PROTKEY_EMU_APQN(0, 1)),
			  PKE_BIN(PROTKEY_EMU_A_MK, pke_test_mk,
				  PROTKEY_EMU_MK_SIZE)));
}

/*
 * The emulated Secure Execution guest: AP queue binding and association
 * (se_bind, se_associate), the Ultravisor's secret store with requests
 * built here, and what a guest reboot wipes.
 */
FIXTURE(se)
{
	struct pk_nl nl;
	uint8_t image_key[PROTKEY_EMU_IMAGE_KEY_SIZE];
};

/* What GET_STATE says of one SE queue. */
struct se_queue {
	int have_bs;
	uint32_t bs;
	uint32_t assoc_idx;
	char bind[32];
	char assoc[32];
};

struct se_state {
	int se_guest;
	int uv_locked;
	uint32_t uv_count;
	uint64_t wk_gen;
	struct se_queue q[PKE_MAX_ADAPTERS];
	int n;
};

static int se_state(struct pk_nl *nl, struct se_state *st)
{
	struct nlattr *tb[PROTKEY_EMU_ADAPTER_A_MAX + 1];
	struct nlmsghdr *nlh;
	struct nlattr *a;
	int rem, ret;

	memset(st, 0, sizeof(*st));
	ret = PKE_REQ0(nl, PROTKEY_EMU_CMD_GET_STATE);
	if (ret)
		return ret;
	if (!nl->reply)
		return -ENOMSG;
	nlh = nlmsg_hdr(nl->reply);
	nla_for_each_attr(a, genlmsg_attrdata(nlmsg_data(nlh), 0),
			  genlmsg_attrlen(nlmsg_data(nlh), 0), rem) {
		struct se_queue *q = &st->q[st->n];

		switch (nla_type(a)) {
		case PROTKEY_EMU_A_SE_GUEST:
			st->se_guest = nla_get_u8(a);
			break;
		case PROTKEY_EMU_A_UV_LOCKED:
			st->uv_locked = nla_get_u8(a);
			break;
		case PROTKEY_EMU_A_UV_COUNT:
			st->uv_count = nla_get_u32(a);
			break;
		case PROTKEY_EMU_A_WK_GEN:
			st->wk_gen = nla_get_u64(a);
			break;
		case PROTKEY_EMU_A_ADAPTER:
			if (st->n >= PKE_MAX_ADAPTERS ||
			    nla_parse_nested(tb, PROTKEY_EMU_ADAPTER_A_MAX, a,
					     NULL) ||
			    !tb[PROTKEY_EMU_ADAPTER_A_SE_BIND_TEXT] ||
			    !tb[PROTKEY_EMU_ADAPTER_A_SE_ASSOC_TEXT])
				return -EBADMSG;
			snprintf(
				q->bind, sizeof(q->bind), "%s",
				nla_get_string(
					tb[PROTKEY_EMU_ADAPTER_A_SE_BIND_TEXT]));
			snprintf(
				q->assoc, sizeof(q->assoc), "%s",
				nla_get_string(
					tb[PROTKEY_EMU_ADAPTER_A_SE_ASSOC_TEXT]));
			if (tb[PROTKEY_EMU_ADAPTER_A_SE_BS]) {
				q->have_bs = 1;
				q->bs = nla_get_u32(
					tb[PROTKEY_EMU_ADAPTER_A_SE_BS]);
			}
			if (tb[PROTKEY_EMU_ADAPTER_A_SE_ASSOC_IDX])
				q->assoc_idx = nla_get_u32(
					tb[PROTKEY_EMU_ADAPTER_A_SE_ASSOC_IDX]);
			st->n++;
			break;
		}
	}
	return 0;
}

#define SE_Q0 PROTKEY_EMU_APQN(0, 1)

static int se_bind(struct pk_nl *nl, uint32_t apqn, int bind)
{
	return PKE_REQ(nl, PROTKEY_EMU_CMD_SE_BIND,
		       PKE_U32(PROTKEY_EMU_A_APQN, apqn),
		       PKE_U8(PROTKEY_EMU_A_SE_BIND, bind));
}

static int se_associate(struct pk_nl *nl, uint32_t apqn, uint32_t idx)
{
	return PKE_REQ(nl, PROTKEY_EMU_CMD_SE_ASSOCIATE,
		       PKE_U32(PROTKEY_EMU_A_APQN, apqn),
		       PKE_U32(PROTKEY_EMU_A_SECRET_IDX, idx));
}

/* One List Secrets page from @start into @page; *more set from UV_MORE. */
static int uv_list(struct pk_nl *nl, uint32_t start, uint8_t *page, int *more)
{
	struct nlattr *tb[PROTKEY_EMU_A_MAX + 1];
	int ret;

	ret = PKE_REQ(nl, PROTKEY_EMU_CMD_UV_LIST,
		      PKE_U32(PROTKEY_EMU_A_SECRET_IDX, start));
	if (ret)
		return ret;
	if (pk_nl_reply_attrs(nl, tb, PROTKEY_EMU_A_MAX) ||
	    !tb[PROTKEY_EMU_A_UV_LIST] ||
	    nla_len(tb[PROTKEY_EMU_A_UV_LIST]) != PROTKEY_EMU_UV_LIST_SIZE)
		return -EBADMSG;
	memcpy(page, nla_data(tb[PROTKEY_EMU_A_UV_LIST]),
	       PROTKEY_EMU_UV_LIST_SIZE);
	*more = !!tb[PROTKEY_EMU_A_UV_MORE];
	return 0;
}

FIXTURE_SETUP(se)
{
	int i;

	for (i = 0; i < PROTKEY_EMU_IMAGE_KEY_SIZE; i++)
		self->image_key[i] = 0x90 ^ i;
	ASSERT_EQ(0, pk_nl_open(&self->nl, PROTKEY_EMU_FAMILY_NAME));
	ASSERT_EQ(0, emu_normalise(&self->nl));
	ASSERT_EQ(0, pke_set_mode_all(&self->nl, PROTKEY_EMU_MODE_EP11));
	ASSERT_EQ(0, pke_mk_load(&self->nl, pke_test_mk));
	ASSERT_EQ(0, PKE_REQ0(&self->nl, PROTKEY_EMU_CMD_MK_COMMIT));
	ASSERT_EQ(0, PKE_REQ0(&self->nl, PROTKEY_EMU_CMD_MK_SET));
	ASSERT_EQ(0, PKE_REQ(&self->nl, PROTKEY_EMU_CMD_SE_SET,
			     PKE_U8(PROTKEY_EMU_A_SE_GUEST, 1),
			     PKE_BIN(PROTKEY_EMU_A_IMAGE_KEY, self->image_key,
				     PROTKEY_EMU_IMAGE_KEY_SIZE),
			     PKE_U32(PROTKEY_EMU_A_ASSOC_DELAY_MS, 200)))
	TH_LOG("SE_SET: %s", self->nl.msg);
}

FIXTURE_TEARDOWN(se)
{
	PKE_REQ(&self->nl, PROTKEY_EMU_CMD_SE_SET,
		PKE_U8(PROTKEY_EMU_A_SE_GUEST, 0),
		PKE_U32(PROTKEY_EMU_A_ASSOC_DELAY_MS, 20));
	pke_set_mode_all(&self->nl, PROTKEY_EMU_MODE_CCA);
	emu_normalise(&self->nl);
	pk_nl_close(&self->nl);
}

TEST_F(se, bind_associate_texts_and_reboot)
{
	uint8_t assoc[32], tok[EP11_LEN];
	struct se_state st;
	uint64_t gen;
	uint32_t idx = 99;
	int len = 0, i;

	memset(assoc, 0x5e, sizeof(assoc));
	/* Unbound: bs 2, no secure keys. */
	ASSERT_EQ(0, se_state(&self->nl, &st));
	EXPECT_EQ(1, st.se_guest);
	ASSERT_GE(st.n, 1);
	EXPECT_TRUE(st.q[0].have_bs);
	EXPECT_EQ(PROTKEY_EMU_SE_BS_AVAIL_FOR_BINDING, st.q[0].bs);
	EXPECT_STREQ("unbound", st.q[0].bind);
	EXPECT_STREQ("unassociated", st.q[0].assoc);
	EXPECT_EQ(-ENODEV, pke_generate_ep11(&self->nl, clear_key, tok, &len));
	EXPECT_EQ(-EINVAL, se_associate(&self->nl, SE_Q0, 0));
	EXPECT_NE(NULL, strstr(self->nl.msg, "bs is not 1"));

	/* Bound: bs 1; still no secure keys. */
	ASSERT_EQ(0, se_bind(&self->nl, SE_Q0, 1));
	EXPECT_EQ(-EINVAL, se_bind(&self->nl, SE_Q0, 1));
	ASSERT_EQ(0, se_state(&self->nl, &st));
	EXPECT_EQ(PROTKEY_EMU_SE_BS_USABLE_NO_SECURE_KEY, st.q[0].bs);
	EXPECT_STREQ("bound", st.q[0].bind);
	EXPECT_STREQ("unassociated", st.q[0].assoc);
	EXPECT_EQ(-ENODEV, pke_generate_ep11(&self->nl, clear_key, tok, &len));

	/* Associated, asynchronously, with the secret pvsecret added. */
	ASSERT_EQ(0, pke_uv_add(&self->nl, self->image_key,
				PROTKEY_EMU_UV_SECRET_ASSOCIATION, "assoc",
				assoc, 32, 0, &idx))
	TH_LOG("UV_ADD: %s", self->nl.msg);
	EXPECT_EQ(0, idx);
	ASSERT_EQ(0, se_associate(&self->nl, SE_Q0, idx));
	ASSERT_EQ(0, se_state(&self->nl, &st));
	EXPECT_STREQ("association pending", st.q[0].assoc);
	EXPECT_EQ(-EBUSY, se_associate(&self->nl, SE_Q0, idx));
	for (i = 0; i < 100; i++) {
		ASSERT_EQ(0, se_state(&self->nl, &st));
		if (st.q[0].bs == PROTKEY_EMU_SE_BS_USABLE)
			break;
		usleep(20 * 1000);
	}
	EXPECT_EQ(PROTKEY_EMU_SE_BS_USABLE, st.q[0].bs);
	EXPECT_STREQ("associated 0", st.q[0].assoc);
	EXPECT_EQ(0, pke_generate_ep11(&self->nl, clear_key, tok, &len));

	/* A guest reboot: new wrapping key, store wiped, queues unbound. */
	gen = st.wk_gen;
	ASSERT_EQ(0, PKE_REQ0(&self->nl, PROTKEY_EMU_CMD_GUEST_REBOOT));
	ASSERT_EQ(0, se_state(&self->nl, &st));
	EXPECT_EQ(gen + 1, st.wk_gen);
	EXPECT_EQ(0, st.uv_count);
	EXPECT_EQ(PROTKEY_EMU_SE_BS_AVAIL_FOR_BINDING, st.q[0].bs);
	EXPECT_STREQ("unbound", st.q[0].bind);
	EXPECT_STREQ("unassociated", st.q[0].assoc);
	EXPECT_EQ(-ENODEV, pke_generate_ep11(&self->nl, clear_key, tok, &len));

	/* CCA queues have no SE attributes. */
	ASSERT_EQ(0,
		  PKE_REQ(&self->nl, PROTKEY_EMU_CMD_ADAPTER_SET,
			  PKE_U32(PROTKEY_EMU_A_APQN, SE_Q0),
			  PKE_U8(PROTKEY_EMU_A_ONLINE, 0),
			  PKE_U32(PROTKEY_EMU_A_MODE, PROTKEY_EMU_MODE_CCA)));
	ASSERT_EQ(0, pke_set_online(&self->nl, 1));
	EXPECT_EQ(-EINVAL, se_bind(&self->nl, SE_Q0, 1));
	EXPECT_NE(NULL, strstr(self->nl.msg, "CCA"));
	ASSERT_EQ(0, se_state(&self->nl, &st));
	EXPECT_FALSE(st.q[0].have_bs);
	EXPECT_STREQ("-", st.q[0].bind);
	EXPECT_STREQ("-", st.q[0].assoc);
}

TEST_F(se, uv_add_list_lock_retrieve)
{
	uint8_t key[32], other[PROTKEY_EMU_IMAGE_KEY_SIZE], id[32];
	uint8_t req[PROTKEY_EMU_UV_REQ_MAX_SIZE], nonce[16] = { 1 };
	uint8_t page[PROTKEY_EMU_UV_LIST_SIZE];
	struct nlattr *tb[PROTKEY_EMU_A_MAX + 1];
	struct se_state st;
	uint32_t idx = 99;
	int more = 1, n;

	memset(key, 0x11, sizeof(key));
	memcpy(other, self->image_key, sizeof(other));
	other[0] ^= 1;
	/* Added; a second time refused unless forced. */
	ASSERT_EQ(0, pke_uv_add(&self->nl, self->image_key,
				PROTKEY_EMU_UV_SECRET_AES_256, "vol1", key, 32,
				0, &idx));
	EXPECT_EQ(0, idx);
	EXPECT_EQ(-EEXIST, pke_uv_add(&self->nl, self->image_key,
				      PROTKEY_EMU_UV_SECRET_AES_256, "vol1",
				      key, 32, 0, NULL));
	ASSERT_EQ(0, pke_uv_add(&self->nl, self->image_key,
				PROTKEY_EMU_UV_SECRET_AES_256, "vol1", key, 32,
				1, &idx));
	EXPECT_EQ(1, idx);
	/* Made for another image, or altered: the UV cannot decrypt it. */
	EXPECT_EQ(-EBADMSG,
		  pke_uv_add(&self->nl, other, PROTKEY_EMU_UV_SECRET_AES_256,
			     "vol2", key, 32, 0, NULL));
	EXPECT_NE(NULL, strstr(self->nl.msg, "0x0108"));
	n = pke_uv_request(self->image_key, PROTKEY_EMU_UV_SECRET_AES_256,
			   "vol3", key, 32, nonce, req);
	ASSERT_GT(n, 0);
	req[n - 1] ^= 1;
	EXPECT_EQ(-EBADMSG, PKE_REQ(&self->nl, PROTKEY_EMU_CMD_UV_ADD,
				    PKE_BIN(PROTKEY_EMU_A_UV_REQUEST, req, n)));
	req[n - 1] ^= 1;
	req[0x0f] = 1;
	EXPECT_EQ(-EINVAL, PKE_REQ(&self->nl, PROTKEY_EMU_CMD_UV_ADD,
				   PKE_BIN(PROTKEY_EMU_A_UV_REQUEST, req, n)));
	EXPECT_NE(NULL, strstr(self->nl.msg, "malformed"));

	/* Listed in the UV's page format. */
	ASSERT_EQ(0, uv_list(&self->nl, 0, page, &more));
	EXPECT_FALSE(more);
	EXPECT_EQ(2, pk_get_be16(page));
	EXPECT_EQ(2, pk_get_be16(page + 2));
	EXPECT_EQ(1, pk_get_be16(page + 16 + 48));
	EXPECT_EQ(PROTKEY_EMU_UV_SECRET_AES_256, pk_get_be16(page + 16 + 2));
	EXPECT_EQ(64, pk_get_be32(page + 16 + 4)); /* key + WKVP */
	ASSERT_EQ(0, pk_sha256("vol1", 4, id));
	EXPECT_EQ(0, memcmp(page + 16 + 16, id, 32));

	/* Retrieved as a protected key: 32 wrapped bytes and the WKVP. */
	ASSERT_EQ(0, PKE_REQ(&self->nl, PROTKEY_EMU_CMD_UV_RETRIEVE,
			     PKE_U32(PROTKEY_EMU_A_SECRET_IDX, 0)));
	ASSERT_EQ(0, pk_nl_reply_attrs(&self->nl, tb, PROTKEY_EMU_A_MAX));
	ASSERT_NE(NULL, tb[PROTKEY_EMU_A_SECRET]);
	EXPECT_EQ(64, nla_len(tb[PROTKEY_EMU_A_SECRET]));
	EXPECT_NE(0, memcmp(nla_data(tb[PROTKEY_EMU_A_SECRET]), key, 32));
	EXPECT_EQ(PROTKEY_EMU_UV_SECRET_AES_256,
		  nla_get_u32(tb[PROTKEY_EMU_A_SECRET_TYPE]));
	EXPECT_EQ(-ENOENT, PKE_REQ(&self->nl, PROTKEY_EMU_CMD_UV_RETRIEVE,
				   PKE_U32(PROTKEY_EMU_A_SECRET_IDX, 7)));

	/* Locked: every add fails, until the guest reboots. */
	ASSERT_EQ(0, PKE_REQ0(&self->nl, PROTKEY_EMU_CMD_UV_LOCK));
	EXPECT_EQ(-EPERM, pke_uv_add(&self->nl, self->image_key,
				     PROTKEY_EMU_UV_SECRET_AES_128, "vol4", key,
				     16, 0, NULL));
	EXPECT_NE(NULL, strstr(self->nl.msg, "locked"));
	ASSERT_EQ(0, se_state(&self->nl, &st));
	EXPECT_EQ(1, st.uv_locked);
	EXPECT_EQ(2, st.uv_count);
	ASSERT_EQ(0, PKE_REQ0(&self->nl, PROTKEY_EMU_CMD_GUEST_REBOOT));
	ASSERT_EQ(0, se_state(&self->nl, &st));
	EXPECT_EQ(0, st.uv_locked);
	EXPECT_EQ(0, st.uv_count);
	EXPECT_EQ(0, pke_uv_add(&self->nl, self->image_key,
				PROTKEY_EMU_UV_SECRET_AES_128, "vol4", key, 16,
				0, &idx));
	EXPECT_EQ(0, idx);
}

TEST_F(se, uv_list_pages)
{
	uint8_t key[16] = { 2 }, page[PROTKEY_EMU_UV_LIST_SIZE];
	char name[16];
	int i, more = 0;

	ASSERT_EQ(0, PKE_REQ(&self->nl, PROTKEY_EMU_CMD_SE_SET,
			     PKE_U32(PROTKEY_EMU_A_UV_MAX_RETR, 100)));
	for (i = 0; i < 90; i++) {
		snprintf(name, sizeof(name), "s%d", i);
		ASSERT_EQ(0, pke_uv_add(&self->nl, self->image_key,
					PROTKEY_EMU_UV_SECRET_AES_128, name,
					key, 16, 0, NULL));
	}
	ASSERT_EQ(0, uv_list(&self->nl, 0, page, &more));
	EXPECT_TRUE(more);
	EXPECT_EQ(85, pk_get_be16(page));
	EXPECT_EQ(90, pk_get_be16(page + 2));
	EXPECT_EQ(85, pk_get_be16(page + 4));
	ASSERT_EQ(0, uv_list(&self->nl, pk_get_be16(page + 4), page, &more));
	EXPECT_FALSE(more);
	EXPECT_EQ(5, pk_get_be16(page));
	EXPECT_EQ(89, pk_get_be16(page + 16 + 4 * 48));
	EXPECT_EQ(0, pk_get_be16(page + 4));
}

/* Key sizes: every test of this fixture runs for 128, 192 and 256 bits. */
FIXTURE(keysize)
{
	struct pk_nl nl;
};

FIXTURE_VARIANT(keysize)
{
	uint32_t bits;
};

FIXTURE_VARIANT_ADD(keysize, aes128){
	.bits = 128,
};

FIXTURE_VARIANT_ADD(keysize, aes192){
	.bits = 192,
};

FIXTURE_VARIANT_ADD(keysize, aes256){
	.bits = 256,
};

FIXTURE_SETUP(keysize)
{
	ASSERT_EQ(0, pk_nl_open(&self->nl, PROTKEY_EMU_FAMILY_NAME));
	ASSERT_EQ(0, emu_normalise(&self->nl));
}

FIXTURE_TEARDOWN(keysize)
{
	pk_nl_close(&self->nl);
}

TEST_F(keysize, generate_random)
{
	uint8_t t1[PROTKEY_EMU_SECKEY_SIZE], t2[PROTKEY_EMU_SECKEY_SIZE];
	uint8_t k1[32], k2[32];

	ASSERT_EQ(0, generate(&self->nl, variant->bits, NULL, t1));
	ASSERT_EQ(0, generate(&self->nl, variant->bits, NULL, t2));
	check_token(_metadata, t1, mk1, variant->bits, NULL, k1);
	check_token(_metadata, t2, mk1, variant->bits, NULL, k2);
	EXPECT_NE(0, memcmp(k1, k2, variant->bits / 8));
}

/* The independent oracle: the token decrypts to the clear key we gave. */
TEST_F(keysize, generate_from_clear_key_decrypts_to_it)
{
	uint8_t tok[PROTKEY_EMU_SECKEY_SIZE];

	ASSERT_EQ(0, generate(&self->nl, variant->bits, clear_key, tok));
	check_token(_metadata, tok, mk1, variant->bits, clear_key, NULL);
	/* Under another CURRENT MK the same clear key gives another token. */
	ASSERT_EQ(0, pke_mk_load(&self->nl, mk2));
	ASSERT_EQ(0, PKE_REQ0(&self->nl, PROTKEY_EMU_CMD_MK_SET));
	ASSERT_EQ(0, generate(&self->nl, variant->bits, clear_key, tok));
	check_token(_metadata, tok, mk2, variant->bits, clear_key, NULL);
}

TEST_F(keysize, reencipher_current_to_new_then_old_to_current)
{
	uint8_t tok[PROTKEY_EMU_SECKEY_SIZE], staged[PROTKEY_EMU_SECKEY_SIZE];
	uint8_t back[PROTKEY_EMU_SECKEY_SIZE];

	ASSERT_EQ(0, generate(&self->nl, variant->bits, clear_key, tok));
	/* Staged: NEW = MK2, CURRENT = MK1; re-encipher CURRENT -> NEW. */
	ASSERT_EQ(0, pke_mk_load(&self->nl, mk2));
	ASSERT_EQ(0, reencipher(&self->nl, tok, PROTKEY_EMU_RENC_CURRENT_TO_NEW,
				staged));
	check_token(_metadata, staged, mk2, variant->bits, clear_key, NULL);
	/* Set: CURRENT = MK2, OLD = MK1; the old token goes OLD -> CURRENT. */
	ASSERT_EQ(0, PKE_REQ0(&self->nl, PROTKEY_EMU_CMD_MK_SET));
	ASSERT_EQ(0, reencipher(&self->nl, tok, PROTKEY_EMU_RENC_OLD_TO_CURRENT,
				back));
	check_token(_metadata, back, mk2, variant->bits, clear_key, NULL);
}

/*
 * Malformed and refused requests: each variant is one request, its errno,
 * a piece of its extack message, and what the ack must point at. The
 * emulator's state must not change.
 */
FIXTURE(bad_request)
{
	struct pk_nl nl;
};

FIXTURE_VARIANT(bad_request)
{
	uint8_t cmd;
	struct pk_attr attrs[4];
	int err;
	const char *msg; /* NULL: no message required (core refusal) */
	int miss_type; /* expected NLMSGERR_ATTR_MISS_TYPE, or 0 */
	bool bad_attr; /* NLMSGERR_ATTR_OFFS expected */
};

static const uint8_t zero_token[PROTKEY_EMU_SECKEY_SIZE];

/* clang-format off */
#define BAD(name, c, e, m, miss, bad, ...)				\
	FIXTURE_VARIANT_ADD(bad_request, name)				\
	{								\
		.cmd = PROTKEY_EMU_CMD_##c, .attrs = { __VA_ARGS__ },	\
		.err = e, .msg = m, .miss_type = miss, .bad_attr = bad,	\
	}

#define MK32 PKE_FILL(PROTKEY_EMU_A_MK, 0x5a, 32)

BAD(mk_load_missing_mk, MK_LOAD, EINVAL, "PROTKEY_EMU_A_MK", PROTKEY_EMU_A_MK, false, {});
BAD(mk_load_mk_31_bytes, MK_LOAD, ERANGE, "size out of range", 0, true, PKE_FILL(PROTKEY_EMU_A_MK, 1, 31));
BAD(mk_load_mk_33_bytes, MK_LOAD, ERANGE, "size out of range", 0, true, PKE_FILL(PROTKEY_EMU_A_MK, 1, 33));
BAD(mk_load_unknown_attr, MK_LOAD, EINVAL, "Unknown attribute", 0, true, MK32, PKE_U32(250, 1));
BAD(mk_load_apqn_u16, MK_LOAD, EINVAL, "invalid attribute length", 0, true, MK32, PKE_U16(PROTKEY_EMU_A_APQN, 1));
BAD(mk_load_apqn_out_of_range, MK_LOAD, ERANGE, "out of range", 0, true, MK32, PKE_U32(PROTKEY_EMU_A_APQN, 0x1000000));
BAD(mk_load_apqn_unknown, MK_LOAD, ENODEV, "", 0, true, MK32, PKE_U32(PROTKEY_EMU_A_APQN, PROTKEY_EMU_APQN(200, 1)));
BAD(mk_set_empty_new, MK_SET, ENOKEY, "NEW", 0, false, {});
BAD(mk_set_unsupported_attr, MK_SET, EINVAL, "", 0, true, PKE_U32(250, 1));
BAD(mk_clear_missing_reg, MK_CLEAR, EINVAL, "PROTKEY_EMU_A_MK_REG", PROTKEY_EMU_A_MK_REG, false, {});
BAD(mk_clear_current, MK_CLEAR, EINVAL, "NEW or OLD", 0, true, PKE_U32(PROTKEY_EMU_A_MK_REG, PROTKEY_EMU_MK_CURRENT));
BAD(mk_clear_reg_0, MK_CLEAR, ERANGE, "out of range", 0, true, PKE_U32(PROTKEY_EMU_A_MK_REG, 0));
BAD(mk_clear_reg_4, MK_CLEAR, ERANGE, "out of range", 0, true, PKE_U32(PROTKEY_EMU_A_MK_REG, 4));
BAD(mk_clear_attr_of_other_cmd, MK_CLEAR, EINVAL, "Unsupported attribute", 0, true, PKE_U32(PROTKEY_EMU_A_MK_REG, 1), MK32);
BAD(key_generate_missing_bits, KEY_GENERATE, EINVAL, "PROTKEY_EMU_A_KEY_BITS", PROTKEY_EMU_A_KEY_BITS, false, {});
BAD(key_generate_bits_64, KEY_GENERATE, ERANGE, "out of range", 0, true, PKE_U32(PROTKEY_EMU_A_KEY_BITS, 64));
BAD(key_generate_bits_512, KEY_GENERATE, ERANGE, "out of range", 0, true, PKE_U32(PROTKEY_EMU_A_KEY_BITS, 512));
BAD(key_generate_bits_160, KEY_GENERATE, EINVAL, "128, 192 or 256", 0, true, PKE_U32(PROTKEY_EMU_A_KEY_BITS, 160));
BAD(key_generate_clear_size_mismatch, KEY_GENERATE, EINVAL, "KEY_BITS / 8", 0, true, PKE_U32(PROTKEY_EMU_A_KEY_BITS, 256), PKE_FILL(PROTKEY_EMU_A_CLEAR_KEY, 7, 16));
BAD(key_generate_clear_15_bytes, KEY_GENERATE, ERANGE, "size out of range", 0, true, PKE_U32(PROTKEY_EMU_A_KEY_BITS, 128), PKE_FILL(PROTKEY_EMU_A_CLEAR_KEY, 7, 15));
BAD(key_generate_key_type_4, KEY_GENERATE, ERANGE, "out of range", 0, true, PKE_U32(PROTKEY_EMU_A_KEY_BITS, 128), PKE_U32(PROTKEY_EMU_A_KEY_TYPE, 4));
BAD(key_generate_ep11_no_adapter, KEY_GENERATE, ENODEV, "CURRENT key", 0, false, PKE_U32(PROTKEY_EMU_A_KEY_BITS, 128), PKE_U32(PROTKEY_EMU_A_KEY_TYPE, PROTKEY_EMU_KEY_EP11_AES));
BAD(key_generate_nested_flag, KEY_GENERATE, EINVAL, "NLA_F_NESTED", 0, true, PKE_U32(PROTKEY_EMU_A_KEY_BITS | NLA_F_NESTED, 256));
BAD(key_reencipher_missing_key, KEY_REENCIPHER, EINVAL, "PROTKEY_EMU_A_SECURE_KEY", PROTKEY_EMU_A_SECURE_KEY, false, PKE_U32(PROTKEY_EMU_A_RENC_MODE, 1));
BAD(key_reencipher_missing_mode, KEY_REENCIPHER, EINVAL, "PROTKEY_EMU_A_RENC_MODE", PROTKEY_EMU_A_RENC_MODE, false, PKE_FILL(PROTKEY_EMU_A_SECURE_KEY, 0, 64));
BAD(key_reencipher_key_63_bytes, KEY_REENCIPHER, ERANGE, "size out of range", 0, true, PKE_FILL(PROTKEY_EMU_A_SECURE_KEY, 0, 63), PKE_U32(PROTKEY_EMU_A_RENC_MODE, 1));
BAD(key_reencipher_key_337_bytes, KEY_REENCIPHER, ERANGE, "size out of range", 0, true, PKE_FILL(PROTKEY_EMU_A_SECURE_KEY, 0, 337), PKE_U32(PROTKEY_EMU_A_RENC_MODE, 1));
BAD(key_reencipher_mode_3, KEY_REENCIPHER, ERANGE, "out of range", 0, true, PKE_FILL(PROTKEY_EMU_A_SECURE_KEY, 0, 64), PKE_U32(PROTKEY_EMU_A_RENC_MODE, 3));
BAD(key_reencipher_garbage_token, KEY_REENCIPHER, EINVAL, "malformed", 0, true, PKE_BIN(PROTKEY_EMU_A_SECURE_KEY, zero_token, 64), PKE_U32(PROTKEY_EMU_A_RENC_MODE, 1));
BAD(key_derive_missing_key, KEY_DERIVE, EINVAL, "PROTKEY_EMU_A_SECURE_KEY", PROTKEY_EMU_A_SECURE_KEY, false, {});
BAD(key_derive_key_63_bytes, KEY_DERIVE, ERANGE, "size out of range", 0, true, PKE_FILL(PROTKEY_EMU_A_SECURE_KEY, 0, 63));
BAD(key_derive_key_337_bytes, KEY_DERIVE, ERANGE, "size out of range", 0, true, PKE_FILL(PROTKEY_EMU_A_SECURE_KEY, 0, 337));
BAD(key_derive_garbage_token, KEY_DERIVE, EINVAL, "", 0, true, PKE_BIN(PROTKEY_EMU_A_SECURE_KEY, zero_token, 64));
BAD(key_derive_unsupported_attr, KEY_DERIVE, EINVAL, "", 0, true, PKE_FILL(PROTKEY_EMU_A_SECURE_KEY, 0, 64), PKE_U32(PROTKEY_EMU_A_RENC_MODE, 1));
BAD(migrate_outage_too_long, MIGRATE, ERANGE, "out of range", 0, true, PKE_U32(PROTKEY_EMU_A_OUTAGE_MS, 600001));
BAD(adapter_set_neither_online_nor_mode, ADAPTER_SET, EINVAL, "ONLINE or MODE", 0, false, PKE_U32(PROTKEY_EMU_A_APQN, 1));
BAD(adapter_set_mode_4, ADAPTER_SET, ERANGE, "out of range", 0, true, PKE_U32(PROTKEY_EMU_A_MODE, 4));
BAD(adapter_set_mode_while_online, ADAPTER_SET, EBUSY, "offline", 0, true, PKE_U32(PROTKEY_EMU_A_APQN, 1), PKE_U32(PROTKEY_EMU_A_MODE, PROTKEY_EMU_MODE_EP11));
BAD(mk_commit_no_ep11_adapter, MK_COMMIT, EINVAL, "EP11", 0, false, {});
BAD(mk_commit_cca_adapter, MK_COMMIT, EINVAL, "EP11", 0, true, PKE_U32(PROTKEY_EMU_A_APQN, 1));
BAD(mk_commit_apqn_unknown, MK_COMMIT, ENODEV, "", 0, true, PKE_U32(PROTKEY_EMU_A_APQN, PROTKEY_EMU_APQN(200, 1)));
BAD(adapter_set_online_2, ADAPTER_SET, ERANGE, "out of range", 0, true, PKE_U8(PROTKEY_EMU_A_ONLINE, 2));
BAD(adapter_set_online_u32, ADAPTER_SET, EINVAL, "invalid attribute length", 0, true, PKE_U32(PROTKEY_EMU_A_ONLINE, 1));
BAD(set_latency_missing, SET_LATENCY, EINVAL, "PROTKEY_EMU_A_LATENCY_US", PROTKEY_EMU_A_LATENCY_US, false, {});
BAD(set_latency_query_too_long, SET_LATENCY, ERANGE, "out of range", 0, true, PKE_U32(PROTKEY_EMU_A_LATENCY_US, 0), PKE_U32(PROTKEY_EMU_A_QUERY_US, 1000001));
BAD(set_latency_too_long, SET_LATENCY, ERANGE, "out of range", 0, true, PKE_U32(PROTKEY_EMU_A_LATENCY_US, 10000001));
BAD(fail_derives_missing_count, FAIL_DERIVES, EINVAL, "PROTKEY_EMU_A_FAIL_COUNT", PROTKEY_EMU_A_FAIL_COUNT, false, PKE_U32(PROTKEY_EMU_A_FAIL_ERRNO, 5));
BAD(fail_derives_missing_errno, FAIL_DERIVES, EINVAL, "PROTKEY_EMU_A_FAIL_ERRNO", PROTKEY_EMU_A_FAIL_ERRNO, false, PKE_U32(PROTKEY_EMU_A_FAIL_COUNT, 1));
BAD(fail_derives_errno_0, FAIL_DERIVES, ERANGE, "out of range", 0, true, PKE_U32(PROTKEY_EMU_A_FAIL_COUNT, 1), PKE_U32(PROTKEY_EMU_A_FAIL_ERRNO, 0));
BAD(fail_derives_errno_4096, FAIL_DERIVES, ERANGE, "out of range", 0, true, PKE_U32(PROTKEY_EMU_A_FAIL_COUNT, 1), PKE_U32(PROTKEY_EMU_A_FAIL_ERRNO, 4096));
BAD(km_partial_missing_calls, KM_PARTIAL, EINVAL, "PROTKEY_EMU_A_KM_PARTIAL_CALLS", PROTKEY_EMU_A_KM_PARTIAL_CALLS, false, PKE_U32(PROTKEY_EMU_A_KM_PARTIAL_BLOCKS, 1));
BAD(km_partial_missing_blocks, KM_PARTIAL, EINVAL, "PROTKEY_EMU_A_KM_PARTIAL_BLOCKS", PROTKEY_EMU_A_KM_PARTIAL_BLOCKS, false, PKE_U32(PROTKEY_EMU_A_KM_PARTIAL_CALLS, 1));
BAD(km_partial_blocks_0, KM_PARTIAL, ERANGE, "out of range", 0, true, PKE_U32(PROTKEY_EMU_A_KM_PARTIAL_CALLS, 1), PKE_U32(PROTKEY_EMU_A_KM_PARTIAL_BLOCKS, 0));
BAD(km_partial_blocks_4097, KM_PARTIAL, ERANGE, "out of range", 0, true, PKE_U32(PROTKEY_EMU_A_KM_PARTIAL_CALLS, 1), PKE_U32(PROTKEY_EMU_A_KM_PARTIAL_BLOCKS, 4097));
BAD(set_busy_missing_count, SET_BUSY, EINVAL, "PROTKEY_EMU_A_BUSY_COUNT", PROTKEY_EMU_A_BUSY_COUNT, false, {});
BAD(set_busy_count_u8, SET_BUSY, EINVAL, "invalid attribute length", 0, true, PKE_U8(PROTKEY_EMU_A_BUSY_COUNT, 1));
BAD(get_state_takes_no_attrs, GET_STATE, EINVAL, "", 0, true, PKE_U32(PROTKEY_EMU_A_APQN, 1));
BAD(reset_counters_takes_no_attrs, RESET_COUNTERS, EINVAL, "", 0, true, MK32);
BAD(se_set_nothing, SE_SET, EINVAL, "nothing to set", 0, false, {});
BAD(se_set_unassoc_errno_7, SE_SET, EINVAL, "ENODEV or EIO", 0, true, PKE_U32(PROTKEY_EMU_A_UNASSOC_ERRNO, 7));
BAD(se_set_unassoc_errno_20, SE_SET, ERANGE, "out of range", 0, true, PKE_U32(PROTKEY_EMU_A_UNASSOC_ERRNO, 20));
BAD(se_set_image_key_31, SE_SET, ERANGE, "size out of range", 0, true, PKE_FILL(PROTKEY_EMU_A_IMAGE_KEY, 1, 31));
BAD(se_set_limits_above_512, SE_SET, ERANGE, "above 512", 0, false, PKE_U32(PROTKEY_EMU_A_UV_MAX_ASSOC, 300), PKE_U32(PROTKEY_EMU_A_UV_MAX_RETR, 300));
BAD(se_bind_missing_apqn, SE_BIND, EINVAL, "PROTKEY_EMU_A_APQN", PROTKEY_EMU_A_APQN, false, PKE_U8(PROTKEY_EMU_A_SE_BIND, 1));
BAD(se_bind_2, SE_BIND, ERANGE, "out of range", 0, true, PKE_U32(PROTKEY_EMU_A_APQN, 1), PKE_U8(PROTKEY_EMU_A_SE_BIND, 2));
BAD(se_bind_not_se_guest, SE_BIND, EINVAL, "not a Secure Execution guest", 0, true, PKE_U32(PROTKEY_EMU_A_APQN, 1), PKE_U8(PROTKEY_EMU_A_SE_BIND, 1));
BAD(se_associate_missing_idx, SE_ASSOCIATE, EINVAL, "PROTKEY_EMU_A_SECRET_IDX", PROTKEY_EMU_A_SECRET_IDX, false, PKE_U32(PROTKEY_EMU_A_APQN, 1));
BAD(se_associate_idx_0x10000, SE_ASSOCIATE, ERANGE, "out of range", 0, true, PKE_U32(PROTKEY_EMU_A_APQN, 1), PKE_U32(PROTKEY_EMU_A_SECRET_IDX, 0x10000));
BAD(uv_add_missing_request, UV_ADD, EINVAL, "PROTKEY_EMU_A_UV_REQUEST", PROTKEY_EMU_A_UV_REQUEST, false, {});
BAD(uv_add_request_193_bytes, UV_ADD, ERANGE, "size out of range", 0, true, PKE_FILL(PROTKEY_EMU_A_UV_REQUEST, 0, 193));
BAD(uv_add_not_se_guest, UV_ADD, ENODEV, "no Ultravisor", 0, false, PKE_FILL(PROTKEY_EMU_A_UV_REQUEST, 0, 160));
BAD(uv_list_not_se_guest, UV_LIST, ENODEV, "no Ultravisor", 0, false, {});
BAD(uv_retrieve_missing_idx, UV_RETRIEVE, EINVAL, "PROTKEY_EMU_A_SECRET_IDX", PROTKEY_EMU_A_SECRET_IDX, false, {});
BAD(uv_lock_takes_no_attrs, UV_LOCK, EINVAL, "", 0, true, PKE_U32(PROTKEY_EMU_A_APQN, 1));
BAD(guest_reboot_takes_no_attrs, GUEST_REBOOT, EINVAL, "", 0, true, PKE_U32(PROTKEY_EMU_A_APQN, 1));
/* clang-format on */

FIXTURE_VARIANT_ADD(bad_request, unknown_command){
	.cmd = 200,
	.err = EOPNOTSUPP,
	.msg = NULL,
};

FIXTURE_SETUP(bad_request)
{
	ASSERT_EQ(0, pk_nl_open(&self->nl, PROTKEY_EMU_FAMILY_NAME));
	ASSERT_EQ(0, emu_normalise(&self->nl));
}

FIXTURE_TEARDOWN(bad_request)
{
	pk_nl_close(&self->nl);
}

TEST_F(bad_request, rejected_with_errno_and_extack)
{
	struct emu_state before, after;

	ASSERT_EQ(0, get_state(&self->nl, &before));
	EXPECT_EQ(-variant->err,
		  pk_nl_request(&self->nl, variant->cmd, variant->attrs, 4));
	if (variant->msg) {
		EXPECT_NE(0, self->nl.msg[0])
		TH_LOG("no extack message");
		EXPECT_NE(NULL, strstr(self->nl.msg, variant->msg))
		TH_LOG("extack \"%s\" lacks \"%s\"", self->nl.msg,
		       variant->msg);
	}
	if (variant->miss_type)
		EXPECT_EQ(variant->miss_type, self->nl.miss_type);
	if (variant->bad_attr)
		EXPECT_GE(self->nl.bad_offs, 0)
	TH_LOG("no offending attribute");
	ASSERT_EQ(0, get_state(&self->nl, &after));
	EXPECT_TRUE(same_state(&before, &after));
}

/* The kernel's xts(aes) on @key (64 bytes) for one unit, IV = @sector LE. */
static int oracle_xts(const uint8_t key[64], uint64_t sector, const void *in,
		      void *out, size_t len)
{
	struct sockaddr_alg sa = { .salg_family = AF_ALG,
				   .salg_type = "skcipher",
				   .salg_name = "xts(aes)" };
	int tfm, op = -1, ret = -EIO;

	tfm = socket(AF_ALG, SOCK_SEQPACKET, 0);
	if (tfm < 0)
		return -errno;
	if (bind(tfm, (struct sockaddr *)&sa, sizeof(sa)) ||
	    setsockopt(tfm, SOL_ALG, ALG_SET_KEY, key, 64)) {
		ret = -errno;
		goto out;
	}
	op = accept(tfm, NULL, 0);
	if (op < 0) {
		ret = -errno;
		goto out;
	}
	if (pk_alg_send_sector(op, ALG_OP_ENCRYPT, sector, in, len) !=
	    (ssize_t)len) {
		ret = -errno;
		goto out;
	}
	ret = read(op, out, len) == (ssize_t)len ? 0 : -EIO;
out:
	if (op >= 0)
		close(op);
	close(tfm);
	return ret;
}

/*
 * The knobs under protkey.ko's xts(paes), on one live key object through
 * AF_ALG: KM stopping part way (KM_PARTIAL), its output compared with the
 * kernel's xts(aes) on the clear keys; the derive cost (SET_LATENCY),
 * checked through the emulator's counters.
 */
FIXTURE(live)
{
	struct pk_nl nl;
	struct pko k;
};

FIXTURE_SETUP(live)
{
	ASSERT_EQ(0, pk_nl_open(&self->nl, PROTKEY_EMU_FAMILY_NAME));
	ASSERT_EQ(0, emu_normalise(&self->nl));
	ASSERT_EQ(0, pko_setup(&self->k, 0x61, 3));
}

FIXTURE_TEARDOWN(live)
{
	pko_teardown(&self->k);
	emu_normalise(&self->nl);
	pk_nl_close(&self->nl);
}

static int km_partial(struct pk_nl *nl, uint32_t calls, uint32_t blocks)
{
	return PKE_REQ(nl, PROTKEY_EMU_CMD_KM_PARTIAL,
		       PKE_U32(PROTKEY_EMU_A_KM_PARTIAL_CALLS, calls),
		       PKE_U32(PROTKEY_EMU_A_KM_PARTIAL_BLOCKS, blocks));
}

TEST_F_TIMEOUT(live, protkey_resumes_where_km_stopped, 120)
{
	static uint8_t in[PKO_DATA], out[PKO_DATA], want[PKO_DATA],
		back[PKO_DATA];
	uint64_t partial;
	int i;

	for (i = 0; i < PKO_DATA; i++)
		in[i] = (uint8_t)(i * 5 + 1);
	ASSERT_EQ(0, oracle_xts(self->k.clear, 7, in, want, PKO_DATA));
	partial = pke_counter(&self->nl, PROTKEY_EMU_CNT_A_KM_PARTIAL);
	ASSERT_NE(UINT64_MAX, partial);

	/* Three stops after five blocks each, then the rest in one go. */
	ASSERT_EQ(0, km_partial(&self->nl, 3, 5));
	ASSERT_EQ(0, pko_crypt(self->k.op, 1, 7, in, out));
	EXPECT_EQ(0, memcmp(out, want, PKO_DATA));
	EXPECT_EQ(partial + 3,
		  pke_counter(&self->nl, PROTKEY_EMU_CNT_A_KM_PARTIAL));

	/* Decryption too: one stop, the most blocks short of a whole call. */
	ASSERT_EQ(0, km_partial(&self->nl, 1, PKO_DATA / 16));
	ASSERT_EQ(0, pko_crypt(self->k.op, 0, 7, out, back));
	EXPECT_EQ(0, memcmp(back, in, PKO_DATA));
	EXPECT_EQ(partial + 4,
		  pke_counter(&self->nl, PROTKEY_EMU_CNT_A_KM_PARTIAL));
}

TEST_F_TIMEOUT(live, derive_cost_is_base_plus_query_per_apqn, 120)
{
	uint64_t tries, queries, cost;
	struct pke_state a, b;
	int i, n = 0;

	ASSERT_EQ(0, PKE_REQ(&self->nl, PROTKEY_EMU_CMD_SET_LATENCY,
			     PKE_U32(PROTKEY_EMU_A_LATENCY_US, 2000),
			     PKE_U32(PROTKEY_EMU_A_QUERY_US, 3000)));
	ASSERT_EQ(0, pke_get_state(&self->nl, &a));
	for (i = 0; i < a.n; i++)
		n += a.online[i];
	ASSERT_LE(1, n);

	/* A relocation: the next I/O re-derives both halves. */
	ASSERT_EQ(0, pko_migrate(&self->k, 0));
	ASSERT_EQ(0, pko_check_io(&self->k, 3));

	ASSERT_EQ(0, pke_get_state(&self->nl, &b));
	tries = b.cnt[PROTKEY_EMU_CNT_A_DERIVES] -
		a.cnt[PROTKEY_EMU_CNT_A_DERIVES] +
		b.cnt[PROTKEY_EMU_CNT_A_DERIVE_ERRORS] -
		a.cnt[PROTKEY_EMU_CNT_A_DERIVE_ERRORS];
	queries = b.cnt[PROTKEY_EMU_CNT_A_APQN_QUERIES] -
		  a.cnt[PROTKEY_EMU_CNT_A_APQN_QUERIES];
	cost = b.cnt[PROTKEY_EMU_CNT_A_DERIVE_COST_US] -
	       a.cnt[PROTKEY_EMU_CNT_A_DERIVE_COST_US];
	EXPECT_LE(2, tries);
	EXPECT_EQ(tries * n, queries);
	EXPECT_EQ(tries * (2000 + 3000 * (uint64_t)n), cost)
	TH_LOG("%llu derives, %d APQNs, %llu us", (unsigned long long)tries, n,
	       (unsigned long long)cost);
}

/*
 * A busy adapter under I/O: after a relocation the re-derive meets N busy
 * answers; protkey.ko backs off on -EBUSY as on -ENODEV, so the I/O stalls
 * and then succeeds, and the derive happens once the N answers are used.
 */
TEST_F_TIMEOUT(live, busy_adapter_stalls_io_then_derives, 120)
{
	struct pke_state a, b;
	int i;

	ASSERT_EQ(0, pko_check_io(&self->k, 1));
	ASSERT_EQ(0, pke_get_state(&self->nl, &a));
	ASSERT_EQ(0, PKE_REQ(&self->nl, PROTKEY_EMU_CMD_SET_BUSY,
			     PKE_U32(PROTKEY_EMU_A_BUSY_COUNT, 4)));
	ASSERT_EQ(0, pko_migrate(&self->k, 0));
	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, pko_check_io(&self->k, 10 + i));
	ASSERT_EQ(0, pke_get_state(&self->nl, &b));
	EXPECT_EQ(4, b.cnt[PROTKEY_EMU_CNT_A_DERIVE_BUSY] -
			     a.cnt[PROTKEY_EMU_CNT_A_DERIVE_BUSY]);
	/* Both halves derived after the busy answers. */
	EXPECT_LE(2, b.cnt[PROTKEY_EMU_CNT_A_DERIVES] -
			     a.cnt[PROTKEY_EMU_CNT_A_DERIVES]);
}

/*
 * Unprivileged callers: every command, with a well-formed request, is
 * refused with EPERM and changes nothing.
 */
FIXTURE(unpriv)
{
	struct pk_nl nl;
};

FIXTURE_VARIANT(unpriv)
{
	uint8_t cmd;
	struct pk_attr attrs[3];
};

/* clang-format off */
#define UNPRIV(c, ...)							\
	FIXTURE_VARIANT_ADD(unpriv, c)					\
	{								\
		.cmd = PROTKEY_EMU_CMD_##c, .attrs = { __VA_ARGS__ },	\
	}

UNPRIV(GET_STATE, {});
UNPRIV(MK_LOAD, MK32);
UNPRIV(MK_SET, {});
UNPRIV(MK_CLEAR, PKE_U32(PROTKEY_EMU_A_MK_REG, PROTKEY_EMU_MK_NEW));
UNPRIV(KEY_GENERATE, PKE_U32(PROTKEY_EMU_A_KEY_BITS, 256));
UNPRIV(KEY_REENCIPHER, PKE_FILL(PROTKEY_EMU_A_SECURE_KEY, 0, 64), PKE_U32(PROTKEY_EMU_A_RENC_MODE, 1));
UNPRIV(MIGRATE, PKE_U32(PROTKEY_EMU_A_OUTAGE_MS, 0));
UNPRIV(ADAPTER_SET, PKE_U8(PROTKEY_EMU_A_ONLINE, 0));
UNPRIV(SET_LATENCY, PKE_U32(PROTKEY_EMU_A_LATENCY_US, 5));
UNPRIV(FAIL_DERIVES, PKE_U32(PROTKEY_EMU_A_FAIL_COUNT, 1), PKE_U32(PROTKEY_EMU_A_FAIL_ERRNO, 5));
UNPRIV(RESET_COUNTERS, {});
UNPRIV(SET_BUSY, PKE_U32(PROTKEY_EMU_A_BUSY_COUNT, 1));
UNPRIV(MK_COMMIT, {});
UNPRIV(KM_PARTIAL, PKE_U32(PROTKEY_EMU_A_KM_PARTIAL_CALLS, 1), PKE_U32(PROTKEY_EMU_A_KM_PARTIAL_BLOCKS, 1));
UNPRIV(SE_SET, PKE_U8(PROTKEY_EMU_A_SE_GUEST, 1));
UNPRIV(SE_BIND, PKE_U32(PROTKEY_EMU_A_APQN, 1), PKE_U8(PROTKEY_EMU_A_SE_BIND, 1));
UNPRIV(SE_ASSOCIATE, PKE_U32(PROTKEY_EMU_A_APQN, 1), PKE_U32(PROTKEY_EMU_A_SECRET_IDX, 0));
UNPRIV(UV_ADD, PKE_FILL(PROTKEY_EMU_A_UV_REQUEST, 0, 160));
UNPRIV(UV_LIST, {});
UNPRIV(UV_LOCK, {});
UNPRIV(UV_RETRIEVE, PKE_U32(PROTKEY_EMU_A_SECRET_IDX, 0));
UNPRIV(GUEST_REBOOT, {});
/* clang-format on */

FIXTURE_SETUP(unpriv)
{
	uint8_t tok[PROTKEY_EMU_SECKEY_SIZE];

	ASSERT_EQ(0, pk_nl_open(&self->nl, PROTKEY_EMU_FAMILY_NAME));
	ASSERT_EQ(0, emu_normalise(&self->nl));
	/* A state every command would visibly change. */
	ASSERT_EQ(0, pke_mk_load(&self->nl, mk2));
	ASSERT_EQ(0, generate(&self->nl, 256, NULL, tok));
}

FIXTURE_TEARDOWN(unpriv)
{
	pk_nl_close(&self->nl);
}

/**
 * struct unpriv_result - what the unprivileged child reports
 * @stage: 0 done, else the step that failed locally
 * @err: errno of the request
 * @msg: its extack message
 */
struct unpriv_result {
	int stage;
	int err;
	char msg[PK_MSG_LEN];
};

enum unpriv_mode {
	AS_NOBODY, /* uid 65534, no capabilities */
	NET_ADMIN_ONLY, /* root with only CAP_NET_ADMIN */
	OPENED_AS_ROOT, /* socket opened as root, request sent as nobody */
};

/* Runs the request in a child with dropped privileges. */
static void run_unprivileged(struct __test_metadata *_metadata,
			     const FIXTURE_VARIANT(unpriv) * variant,
			     enum unpriv_mode mode, struct unpriv_result *res)
{
	int pipefd[2], status;
	pid_t pid;

	ASSERT_EQ(0, pipe(pipefd));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		struct unpriv_result r = { 0 };
		struct pk_nl nl;

		close(pipefd[0]);
		if (mode == OPENED_AS_ROOT &&
		    pk_nl_open(&nl, PROTKEY_EMU_FAMILY_NAME))
			r.stage = 1;
		if (!r.stage && mode == NET_ADMIN_ONLY &&
		    pk_keep_only_net_admin())
			r.stage = 2;
		if (!r.stage && mode != NET_ADMIN_ONLY && pk_become_nobody())
			r.stage = 3;
		if (!r.stage && mode != OPENED_AS_ROOT &&
		    pk_nl_open(&nl, PROTKEY_EMU_FAMILY_NAME))
			r.stage = 4;
		if (!r.stage) {
			r.err = pk_nl_request(&nl, variant->cmd, variant->attrs,
					      3);
			memcpy(r.msg, nl.msg, sizeof(r.msg));
			pk_nl_close(&nl);
		}
		if (write(pipefd[1], &r, sizeof(r)) != sizeof(r))
			_exit(2);
		_exit(0);
	}
	close(pipefd[1]);
	ASSERT_EQ(sizeof(*res), read(pipefd[0], res, sizeof(*res)));
	close(pipefd[0]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	ASSERT_EQ(0, res->stage) TH_LOG("child failed at step %d", res->stage);
}

static void check_refused(struct __test_metadata *_metadata,
			  FIXTURE_DATA(unpriv) * self,
			  const FIXTURE_VARIANT(unpriv) * variant,
			  enum unpriv_mode mode)
{
	struct emu_state before, after;
	struct unpriv_result res;

	ASSERT_EQ(0, get_state(&self->nl, &before));
	run_unprivileged(_metadata, variant, mode, &res);
	EXPECT_EQ(-EPERM, res.err) TH_LOG("extack: %s", res.msg);
	if (mode == NET_ADMIN_ONLY)
		EXPECT_NE(NULL, strstr(res.msg, "CAP_SYS_ADMIN"))
	TH_LOG("extack \"%s\"", res.msg);
	ASSERT_EQ(0, get_state(&self->nl, &after));
	EXPECT_TRUE(same_state(&before, &after));
}

TEST_F(unpriv, nobody_refused)
{
	check_refused(_metadata, self, variant, AS_NOBODY);
}

TEST_F(unpriv, net_admin_without_sys_admin_refused)
{
	check_refused(_metadata, self, variant, NET_ADMIN_ONLY);
}

TEST_F(unpriv, socket_opened_by_root_then_dropped_refused)
{
	check_refused(_metadata, self, variant, OPENED_AS_ROOT);
}

TEST_HARNESS_MAIN
