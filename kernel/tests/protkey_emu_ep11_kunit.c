// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite protkey_emu_ep11: EP11 adapters and EP11 AES secure keys on
 * the emulated platform (kernel/emu/token.c, kernel/emu/adapter.c): the
 * blob layout against a vector computed outside the kernel, pkey's checks
 * (-EINVAL) and the adapter's (-EIO, the MAC), the wrapping-key life cycle
 * (load, commit, set, no OLD), re-encipher, adapter modes, and xts(paes)
 * on a pair of EP11 keys.
 */
#include <crypto/aes.h>
#include <kunit/test.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <asm/unaligned.h>

#include "protkey_emu_kunit.h"

#define APQN0 PROTKEY_EMU_APQN(0, EMU_DOMAIN)
#define APQN1 PROTKEY_EMU_APQN(1, EMU_DOMAIN)
#define WK_VEC 0x00
#define WK_A 0x20
#define WK_B 0x50
#define HDR_TOKEN_LEN 272
#define NOHDR_TOKEN_LEN 256
/* Offsets in a version 0x06 key: the blob starts after the 16-byte header. */
#define B 16

/*
 * The EP11 AES key (version 0x06) that the wrapping key 00 01 .. 1f makes
 * of the clear key 00 11 .. ff, and that wrapping key's WKVP, computed
 * outside the kernel (Python, hashlib and the "cryptography" package)
 * from the emulator's documented scheme: WKVP = SHA-256(0x02 || WK); key
 * field = AES-256-ECB_WK(key || zeros); attributes 0x00200c00; MAC =
 * SHA-256(WK || WKVP[0..15] || attr || bit length || key field). The
 * emulator pads the 272 bytes with zeros to 336.
 */
/* clang-format off */
static const u8 wkvp_vec[PROTKEY_EMU_WKVP_SIZE] = {
	0x12, 0x1e, 0x01, 0xfd, 0x47, 0xd8, 0xc2, 0xec,
	0xdb, 0x10, 0xfa, 0x6f, 0x0a, 0x51, 0xa9, 0x7a,
	0x48, 0xce, 0xbd, 0x0d, 0xe5, 0x23, 0x1f, 0x27,
	0x4f, 0x50, 0x76, 0xa0, 0x3e, 0x37, 0x18, 0x68,
};

static const u8 token_vec[HDR_TOKEN_LEN] = {
	0x00, 0x00, 0x01, 0x10, 0x06, 0x00, 0x00, 0x80,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x12, 0x1e, 0x01, 0xfd, 0x47, 0xd8, 0xc2, 0xec,
	0xdb, 0x10, 0xfa, 0x6f, 0x0a, 0x51, 0xa9, 0x7a,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x20, 0x0c, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x12, 0x34, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x8e, 0xa2, 0xb7, 0xca, 0x51, 0x67, 0x45, 0xbf,
	0xea, 0xfc, 0x49, 0x90, 0x4b, 0x49, 0x60, 0x89,
	0xf2, 0x90, 0x00, 0xb6, 0x2a, 0x49, 0x9f, 0xd0,
	0xa9, 0xf3, 0x9a, 0x6a, 0xdd, 0x2e, 0x77, 0x80,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x4e, 0xdb, 0xc8, 0x6d, 0x08, 0xdd, 0x44, 0x85,
	0xe6, 0xca, 0x05, 0xf5, 0x96, 0x23, 0xcf, 0xf9,
	0x08, 0x21, 0x2d, 0x7e, 0x90, 0xc2, 0x82, 0xc9,
	0xde, 0x73, 0x50, 0xf6, 0x11, 0x0c, 0x30, 0x60,
};

static const u8 key_vec[16] = {
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
	0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff,
};

/* clang-format on */

/* Switches @apqn (or all) to @mode: offline, mode, online. */
static void to_mode(struct kunit *test, u32 apqn, u32 mode)
{
	const char *msg = NULL;

	KUNIT_ASSERT_EQ(test, emu_adapter_set_online(apqn, false, &msg), 0);
	KUNIT_ASSERT_EQ(test, emu_adapter_set_mode(apqn, mode, &msg), 0);
	KUNIT_ASSERT_EQ(test, emu_adapter_set_online(apqn, true, &msg), 0);
}

/* Loads the wrapping key of @seed into NEW of @apqn and commits it. */
static void wk_load_commit(struct kunit *test, u32 apqn, u8 seed)
{
	const char *msg = NULL;
	u8 wk[PROTKEY_EMU_MK_SIZE];

	emu_kunit_mk(wk, seed);
	KUNIT_ASSERT_EQ(test, emu_mk_load(apqn, wk, &msg), 0);
	KUNIT_ASSERT_EQ(test, emu_mk_commit(apqn, &msg), 0);
}

/* Every adapter EP11, with the wrapping key of @seed CURRENT. */
static void ep11_setup(struct kunit *test, u8 seed)
{
	const char *msg = NULL;

	to_mode(test, EMU_ALL_APQNS, PROTKEY_EMU_MODE_EP11);
	wk_load_commit(test, EMU_ALL_APQNS, seed);
	KUNIT_ASSERT_EQ(test, emu_mk_set(EMU_ALL_APQNS, &msg), 0);
}

/* Makes an EP11 key of @type from @clear; returns its length. */
static u32 ep11_key(struct kunit *test, u32 type, const u8 *clear, u32 len,
		    u8 token[PROTKEY_EMU_SECKEY_MAX_SIZE])
{
	const char *msg = NULL;
	u32 out = 0;

	KUNIT_ASSERT_EQ(test,
			emu_key_generate_type(type, len * 8, clear, len, token,
					      PROTKEY_EMU_SECKEY_MAX_SIZE, &out,
					      &msg),
			0);
	return out;
}

/* Derives @token and checks the protected key holds @clear. */
static void expect_derives_to(struct kunit *test, const u8 *token, u32 len,
			      const u8 *clear, u32 clear_len)
{
	struct protkey_platform_ops *ops = emu_kunit_ops(test);
	u8 back[32];
	struct protkey_pk pk;

	KUNIT_ASSERT_EQ(test, ops->derive(token, len, &pk, 0), 0);
	KUNIT_ASSERT_EQ(test, emu_pk_unwrap(&pk, back), 0);
	EMU_EXPECT_MEMEQ(test, back, clear, clear_len);
	memzero_explicit(back, sizeof(back));
}

static void emu_ep11_fixed_vector(struct kunit *test)
{
	u8 token[PROTKEY_EMU_SECKEY_MAX_SIZE];
	struct emu_adapter_state *st;
	u32 len;

	/* Arrange */
	st = kunit_kcalloc(test, EMU_MAX_ADAPTERS, sizeof(*st), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, st);
	ep11_setup(test, WK_VEC);

	/* Act */
	len = ep11_key(test, PROTKEY_EMU_KEY_EP11_AES, key_vec, sizeof(key_vec),
		       token);

	/* Assert: byte-exact, zero-padded, and the adapter reports the WKVP */
	KUNIT_EXPECT_EQ(test, len, (u32)PROTKEY_EMU_SECKEY_MAX_SIZE);
	EMU_EXPECT_MEMEQ(test, token, token_vec, HDR_TOKEN_LEN);
	KUNIT_EXPECT_NULL(test, memchr_inv(token + HDR_TOKEN_LEN, 0,
					   len - HDR_TOKEN_LEN));
	KUNIT_ASSERT_EQ(test, emu_get_adapters(st, EMU_MAX_ADAPTERS), 2U);
	KUNIT_EXPECT_EQ(test, st[0].mode, (u32)PROTKEY_EMU_MODE_EP11);
	EMU_EXPECT_MEMEQ(test, st[0].wkvp[PROTKEY_EMU_MK_CURRENT], wkvp_vec,
			 sizeof(wkvp_vec));
	KUNIT_EXPECT_EQ(test, st[0].wk_new, (u32)PROTKEY_EMU_WK_NEW_EMPTY);
	expect_derives_to(test, token_vec, sizeof(token_vec), key_vec,
			  sizeof(key_vec));
}

struct roundtrip_case {
	u32 type;
	u32 bits;
	u8 version;
	u32 len;
};

static const struct roundtrip_case roundtrip_cases[] = {
	{ PROTKEY_EMU_KEY_EP11_AES, 128, 0x06, 336 },
	{ PROTKEY_EMU_KEY_EP11_AES, 192, 0x06, 336 },
	{ PROTKEY_EMU_KEY_EP11_AES, 256, 0x06, 336 },
	{ PROTKEY_EMU_KEY_EP11_AES_NOHDR, 128, 0x03, 320 },
	{ PROTKEY_EMU_KEY_EP11_AES_NOHDR, 256, 0x03, 320 },
};

static void roundtrip_desc(const struct roundtrip_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "version 0x%02x, AES-%u",
		 c->version, c->bits);
}

KUNIT_ARRAY_PARAM(roundtrip, roundtrip_cases, roundtrip_desc);

static void emu_ep11_generate_derive(struct kunit *test)
{
	const struct roundtrip_case *c = test->param_value;
	struct protkey_platform_ops *ops = emu_kunit_ops(test);
	u8 token[PROTKEY_EMU_SECKEY_MAX_SIZE], clear[32];
	struct protkey_key_info info;
	u32 len;

	/* Arrange */
	get_random_bytes(clear, sizeof(clear));
	ep11_setup(test, WK_A);

	/* Act */
	len = ep11_key(test, c->type, clear, c->bits / 8, token);

	/* Assert */
	KUNIT_EXPECT_EQ(test, len, c->len);
	KUNIT_EXPECT_EQ(test, token[0], 0x00);
	KUNIT_EXPECT_EQ(test, token[4], c->version);
	KUNIT_EXPECT_TRUE(test, ops->supports(token, len));
	expect_derives_to(test, token, len, clear, c->bits / 8);
	/* pkey takes the key unpadded as well */
	expect_derives_to(test, token, c->len - 64, clear, c->bits / 8);
	KUNIT_ASSERT_EQ(test, ops->key_info(token, len, &info), 0);
	KUNIT_EXPECT_EQ(test, info.key_bits, c->bits);
	KUNIT_EXPECT_EQ(test, info.token_type, 0x00);
	KUNIT_EXPECT_EQ(test, info.token_version, c->version);
	KUNIT_EXPECT_EQ(test, info.match, PROTKEY_MK_CURRENT);
	KUNIT_EXPECT_EQ(test, info.usable_adapters, 2U);
}

/*
 * One field of the vector key changed, and what a derive answers: -EINVAL
 * for what pkey checks itself (ep11_check_aes_key_with_hdr()), -ENODEV
 * for a WKVP no adapter has, -EIO for what only the adapter finds.
 */
struct field_case {
	const char *name;
	u32 offset;
	u8 value;
	u32 len;
	int err;
};

static const struct field_case field_cases[] = {
	{ "type 0x01", 0, 0x01, 336, -EINVAL },
	{ "header version 1", 1, 0x01, 336, -EINVAL },
	{ "length below 272", 2, 0x00, 336, -EINVAL },
	{ "length above the buffer", 2, 0x02, 336, -EINVAL },
	{ "version 0x05", 4, 0x05, 336, -EINVAL },
	{ "magic", B + 0x40, 0x13, 336, -EINVAL },
	{ "not PKEY_EXTRACTABLE", B + 0x35, 0x00, 336, -EINVAL },
	{ "buffer of 271", 0, 0x00, 271, -EINVAL },
	{ "buffer of 337", 0, 0x00, 337, -EINVAL },
	{ "WKVP", B + 0x20, 0x99, 336, -ENODEV },
	{ "reserved header byte", 5, 0x01, 336, -EIO },
	{ "reserved header tail", 8, 0x01, 336, -EIO },
	{ "session", B, 0x01, 336, -EIO },
	{ "bit length 64", 7, 0x40, 336, -EIO },
	{ "mode bits", B + 0x3f, 0x01, 336, -EIO },
	{ "IV", B + 0x42, 0x01, 336, -EIO },
	{ "key field tail", B + 0x50 + 32, 0x01, 336, -EIO },
	{ "key field", B + 0x50, 0x00, 336, -EIO },
	{ "attributes (MAC)", B + 0x36, 0x08, 336, -EIO },
	{ "MAC", B + 0xe0, 0x00, 336, -EIO },
	{ "padding", 300, 0x01, 336, -EIO },
};

static void field_desc(const struct field_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s", c->name);
}

KUNIT_ARRAY_PARAM(field, field_cases, field_desc);

static void emu_ep11_field_errors(struct kunit *test)
{
	const struct field_case *c = test->param_value;
	struct protkey_platform_ops *ops = emu_kunit_ops(test);
	struct emu_token tok;
	struct protkey_pk pk;
	u8 *token, *orig;

	/* Arrange: the vector, zero-padded, with one byte changed */
	token = kunit_kzalloc(test, 340, GFP_KERNEL);
	orig = kunit_kzalloc(test, 340, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, token && orig);
	memcpy(orig, token_vec, sizeof(token_vec));
	memcpy(token, orig, 340);
	if (c->offset || c->value)
		token[c->offset] = c->value;
	KUNIT_ASSERT_TRUE(test, c->len != 336 || memcmp(token, orig, 340));
	ep11_setup(test, WK_VEC);

	/* Act + Assert */
	KUNIT_EXPECT_EQ(test, ops->derive(token, c->len, &pk, 0), c->err);
	KUNIT_EXPECT_EQ(test, emu_token_check(token, c->len, &tok),
			c->err == -EINVAL ? -EINVAL : 0);
}

/* No single-bit change of the 272 bytes derives. */
static void emu_ep11_every_bit_flip(struct kunit *test)
{
	struct protkey_platform_ops *ops = emu_kunit_ops(test);
	unsigned int i, bit, derived = 0;
	struct protkey_pk pk;
	u8 *token;

	/* Arrange */
	token = kunit_kzalloc(test, PROTKEY_EMU_SECKEY_MAX_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, token);
	memcpy(token, token_vec, sizeof(token_vec));
	ep11_setup(test, WK_VEC);
	KUNIT_ASSERT_EQ(test, ops->derive(token, 336, &pk, 0), 0);

	/* Act */
	for (i = 0; i < sizeof(token_vec); i++) {
		for (bit = 0; bit < 8; bit++) {
			token[i] ^= 1U << bit;
			if (!ops->derive(token, 336, &pk, 0)) {
				kunit_info(test, "byte %u bit %u derived", i,
					   bit);
				derived++;
			}
			token[i] ^= 1U << bit;
		}
	}

	/* Assert */
	KUNIT_EXPECT_EQ(test, derived, 0U);
}

static void emu_ep11_nohdr_fields(struct kunit *test)
{
	struct protkey_platform_ops *ops = emu_kunit_ops(test);
	u8 token[PROTKEY_EMU_SECKEY_MAX_SIZE], clear[16];
	struct protkey_pk pk;
	u32 len;

	/* Arrange */
	get_random_bytes(clear, sizeof(clear));
	ep11_setup(test, WK_A);
	len = ep11_key(test, PROTKEY_EMU_KEY_EP11_AES_NOHDR, clear,
		       sizeof(clear), token);
	KUNIT_ASSERT_EQ(test, get_unaligned_be16(token + 2),
			(u16)NOHDR_TOKEN_LEN);

	/* Act + Assert: the rest of the session field is the adapter's */
	token[16] = 1;
	KUNIT_EXPECT_EQ(test, ops->derive(token, len, &pk, 0), -EIO);
	token[16] = 0;
	/* pkey does not check a version 0x03 key's header version */
	token[1] = 1;
	expect_derives_to(test, token, len, clear, sizeof(clear));
	token[1] = 0;
	/* pkey's own checks: the length, both ways */
	KUNIT_EXPECT_EQ(test, ops->derive(token, 255, &pk, 0), -EINVAL);
	put_unaligned_be16(255, token + 2);
	KUNIT_EXPECT_EQ(test, ops->derive(token, len, &pk, 0), -EINVAL);
	put_unaligned_be16(NOHDR_TOKEN_LEN, token + 2);
	expect_derives_to(test, token, NOHDR_TOKEN_LEN, clear, sizeof(clear));
}

static void emu_ep11_wk_lifecycle(struct kunit *test)
{
	struct protkey_platform_ops *ops = emu_kunit_ops(test);
	u8 token[PROTKEY_EMU_SECKEY_MAX_SIZE], clear[32];
	u8 wk[PROTKEY_EMU_MK_SIZE];
	struct emu_adapter_state *st;
	struct protkey_key_info info;
	struct protkey_pk pk;
	const char *msg = NULL;
	u32 len;
	int ret;

	/* Arrange */
	st = kunit_kcalloc(test, EMU_MAX_ADAPTERS, sizeof(*st), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, st);
	get_random_bytes(clear, sizeof(clear));
	to_mode(test, EMU_ALL_APQNS, PROTKEY_EMU_MODE_EP11);
	emu_kunit_mk(wk, WK_A);

	/* Act + Assert: nothing to commit or set yet */
	KUNIT_EXPECT_EQ(test, emu_mk_commit(APQN0, &msg), -ENOKEY);
	KUNIT_EXPECT_EQ(test, emu_mk_set(APQN0, &msg), -ENOKEY);
	/* loaded: uncommitted, cannot be set */
	KUNIT_ASSERT_EQ(test, emu_mk_load(EMU_ALL_APQNS, wk, &msg), 0);
	emu_get_adapters(st, EMU_MAX_ADAPTERS);
	KUNIT_EXPECT_EQ(test, st[0].wk_new,
			(u32)PROTKEY_EMU_WK_NEW_UNCOMMITTED);
	KUNIT_EXPECT_EQ(test, emu_mk_set(EMU_ALL_APQNS, &msg), -ENOKEY);
	/* committed once; a second commit is refused */
	KUNIT_ASSERT_EQ(test, emu_mk_commit(EMU_ALL_APQNS, &msg), 0);
	KUNIT_EXPECT_EQ(test, emu_mk_commit(APQN1, &msg), -ENOKEY);
	emu_get_adapters(st, EMU_MAX_ADAPTERS);
	KUNIT_EXPECT_EQ(test, st[1].wk_new, (u32)PROTKEY_EMU_WK_NEW_COMMITTED);
	/* set: CURRENT, NEW empty, no OLD */
	KUNIT_ASSERT_EQ(test, emu_mk_set(EMU_ALL_APQNS, &msg), 0);
	emu_get_adapters(st, EMU_MAX_ADAPTERS);
	KUNIT_EXPECT_EQ(test, st[0].mkvp_valid, 1U << PROTKEY_EMU_MK_CURRENT);
	KUNIT_EXPECT_EQ(test, st[0].wk_new, (u32)PROTKEY_EMU_WK_NEW_EMPTY);
	KUNIT_EXPECT_EQ(test, emu_mk_clear(APQN0, PROTKEY_EMU_MK_OLD, &msg),
			-EINVAL);
	ret = emu_mk_clear(EMU_ALL_APQNS, PROTKEY_EMU_MK_OLD, &msg);
	KUNIT_EXPECT_EQ(test, ret, 0);
	len = ep11_key(test, PROTKEY_EMU_KEY_EP11_AES, clear, sizeof(clear),
		       token);
	expect_derives_to(test, token, len, clear, sizeof(clear));

	/* A NEW wrapping key: the key matches CURRENT still */
	wk_load_commit(test, EMU_ALL_APQNS, WK_B);
	KUNIT_ASSERT_EQ(test, ops->key_info(token, len, &info), 0);
	KUNIT_EXPECT_EQ(test, info.match, PROTKEY_MK_CURRENT);
	/* NEW made CURRENT without re-enciphering: the key is lost */
	KUNIT_ASSERT_EQ(test, emu_mk_set(EMU_ALL_APQNS, &msg), 0);
	KUNIT_EXPECT_EQ(test, ops->derive(token, len, &pk, 0), -ENODEV);
	KUNIT_ASSERT_EQ(test, ops->key_info(token, len, &info), 0);
	KUNIT_EXPECT_EQ(test, info.match, PROTKEY_MK_NONE);
}

static void emu_ep11_reencipher(struct kunit *test)
{
	struct protkey_platform_ops *ops = emu_kunit_ops(test);
	u8 token[PROTKEY_EMU_SECKEY_MAX_SIZE], out[PROTKEY_EMU_SECKEY_MAX_SIZE];
	u8 clear[24], wk[PROTKEY_EMU_MK_SIZE];
	struct protkey_key_info info;
	const char *msg = NULL;
	u32 len;

	/* Arrange */
	get_random_bytes(clear, sizeof(clear));
	ep11_setup(test, WK_A);
	len = ep11_key(test, PROTKEY_EMU_KEY_EP11_AES, clear, sizeof(clear),
		       token);
	emu_kunit_mk(wk, WK_B);

	/* Act + Assert: no NEW, then an uncommitted one (zkey: -ENODEV) */
	KUNIT_EXPECT_EQ(test,
			emu_key_reencipher(token, len,
					   PROTKEY_EMU_RENC_CURRENT_TO_NEW, out,
					   &msg),
			-ENODEV);
	KUNIT_ASSERT_EQ(test, emu_mk_load(EMU_ALL_APQNS, wk, &msg), 0);
	KUNIT_EXPECT_EQ(test,
			emu_key_reencipher(token, len,
					   PROTKEY_EMU_RENC_CURRENT_TO_NEW, out,
					   &msg),
			-ENODEV);
	KUNIT_ASSERT_EQ(test, emu_mk_commit(EMU_ALL_APQNS, &msg), 0);
	/* EP11 has no OLD to re-encipher from */
	KUNIT_EXPECT_EQ(test,
			emu_key_reencipher(token, len,
					   PROTKEY_EMU_RENC_OLD_TO_CURRENT, out,
					   &msg),
			-EINVAL);
	/* committed: re-enciphered, as long as the input */
	KUNIT_ASSERT_EQ(test,
			emu_key_reencipher(token, len,
					   PROTKEY_EMU_RENC_CURRENT_TO_NEW, out,
					   &msg),
			0);
	KUNIT_EXPECT_NE(test, memcmp(out, token, len), 0);
	KUNIT_ASSERT_EQ(test, ops->key_info(out, len, &info), 0);
	KUNIT_EXPECT_EQ(test, info.match, PROTKEY_MK_NEW);
	KUNIT_ASSERT_EQ(test, emu_mk_set(EMU_ALL_APQNS, &msg), 0);
	expect_derives_to(test, out, len, clear, sizeof(clear));
	/* a re-enciphered key whose MAC is broken is refused */
	out[B + 0xe0] ^= 1;
	KUNIT_EXPECT_EQ(test,
			emu_key_reencipher(out, len,
					   PROTKEY_EMU_RENC_CURRENT_TO_NEW,
					   token, &msg),
			-ENODEV);
	wk_load_commit(test, EMU_ALL_APQNS, WK_A);
	KUNIT_EXPECT_EQ(test,
			emu_key_reencipher(out, len,
					   PROTKEY_EMU_RENC_CURRENT_TO_NEW,
					   token, &msg),
			-EIO);
}

static void emu_ep11_modes(struct kunit *test)
{
	struct protkey_platform_ops *ops = emu_kunit_ops(test);
	u8 token[PROTKEY_EMU_SECKEY_MAX_SIZE], cca[PROTKEY_EMU_SECKEY_SIZE];
	u8 clear[16], wk[PROTKEY_EMU_MK_SIZE];
	struct emu_adapter_state *st;
	struct protkey_key_info info;
	struct protkey_pk pk;
	const char *msg = NULL;
	u32 len;
	int ret;

	/* Arrange: card 0 CCA with a key, card 1 EP11 with a key */
	st = kunit_kcalloc(test, EMU_MAX_ADAPTERS, sizeof(*st), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, st);
	get_random_bytes(clear, sizeof(clear));
	emu_kunit_mk_activate(test, WK_A);
	emu_kunit_seckey(test, clear, sizeof(clear), cca);

	/* Act + Assert: a mode changes only offline, and empties the keys */
	ret = emu_adapter_set_mode(APQN1, PROTKEY_EMU_MODE_EP11, &msg);
	KUNIT_EXPECT_EQ(test, ret, -EBUSY);
	KUNIT_EXPECT_EQ(test, emu_adapter_set_mode(APQN1, 0, &msg), -EINVAL);
	to_mode(test, APQN1, PROTKEY_EMU_MODE_EP11);
	emu_get_adapters(st, EMU_MAX_ADAPTERS);
	KUNIT_EXPECT_EQ(test, st[1].mkvp_valid, 0U);
	KUNIT_EXPECT_EQ(test, st[0].mkvp_valid, 1U << PROTKEY_EMU_MK_CURRENT);
	/* "all" loads both, commits the EP11 one, sets both */
	emu_kunit_mk(wk, WK_B);
	KUNIT_ASSERT_EQ(test, emu_mk_load(EMU_ALL_APQNS, wk, &msg), 0);
	KUNIT_EXPECT_EQ(test, emu_mk_commit(APQN0, &msg), -EINVAL);
	KUNIT_ASSERT_EQ(test, emu_mk_commit(EMU_ALL_APQNS, &msg), 0);
	KUNIT_ASSERT_EQ(test, emu_mk_set(EMU_ALL_APQNS, &msg), 0);
	len = ep11_key(test, PROTKEY_EMU_KEY_EP11_AES, clear, sizeof(clear),
		       token);
	/* each key derives on its own mode's adapter */
	expect_derives_to(test, token, len, clear, sizeof(clear));
	expect_derives_to(test, cca, sizeof(cca), clear, sizeof(clear));
	KUNIT_ASSERT_EQ(test, ops->key_info(token, len, &info), 0);
	KUNIT_EXPECT_EQ(test, info.usable_adapters, 1U);
	KUNIT_ASSERT_EQ(test, ops->key_info(cca, sizeof(cca), &info), 0);
	KUNIT_EXPECT_EQ(test, info.match, PROTKEY_MK_OLD);
	KUNIT_EXPECT_EQ(test, info.usable_adapters, 1U);

	/* an accelerator serves neither */
	to_mode(test, APQN1, PROTKEY_EMU_MODE_ACCEL);
	KUNIT_EXPECT_EQ(test, ops->derive(token, len, &pk, 0), -ENODEV);
	KUNIT_EXPECT_EQ(test, emu_mk_load(APQN1, wk, &msg), -EINVAL);
	KUNIT_EXPECT_EQ(test,
			emu_key_generate_type(PROTKEY_EMU_KEY_EP11_AES, 128,
					      NULL, 0, token, sizeof(token),
					      &len, &msg),
			-ENODEV);
	KUNIT_EXPECT_EQ(test,
			emu_key_generate_type(PROTKEY_EMU_KEY_EP11_AES, 128,
					      NULL, 0, token, 335, &len, &msg),
			-EINVAL);
	KUNIT_EXPECT_EQ(test,
			emu_key_generate_type(99, 128, NULL, 0, token,
					      sizeof(token), &len, &msg),
			-EINVAL);

	/* a reset brings back the load-time modes */
	emu_reset();
	emu_get_adapters(st, EMU_MAX_ADAPTERS);
	KUNIT_EXPECT_EQ(test, st[1].mode, (u32)PROTKEY_EMU_MODE_CCA);
}

/*
 * protkey.ko's xts(paes) on a pair of EP11 keys (672 bytes, as dm-crypt
 * passes a ":672:logon:" key): the result equals the kernel's xts(aes) on
 * the clear keys, before and after a wrapping-key change of the CPU.
 */
static void emu_ep11_xts_paes(struct kunit *test)
{
	u8 key[64], iv[AES_BLOCK_SIZE], *blob, *src, *want, *got;
	struct crypto_skcipher *paes, *oracle;
	const char *msg = NULL;
	const u32 n = 4096;
	u64 gen;
	u32 len;

	/* Arrange */
	blob = kunit_kzalloc(test, 2 * PROTKEY_EMU_SECKEY_MAX_SIZE, GFP_KERNEL);
	src = kunit_kmalloc(test, n, GFP_KERNEL);
	want = kunit_kmalloc(test, n, GFP_KERNEL);
	got = kunit_kmalloc(test, n, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, blob && src && want && got);
	get_random_bytes(key, sizeof(key));
	get_random_bytes(iv, sizeof(iv));
	get_random_bytes(src, n);
	ep11_setup(test, WK_A);
	len = ep11_key(test, PROTKEY_EMU_KEY_EP11_AES, key, 32, blob);
	KUNIT_ASSERT_EQ(test,
			ep11_key(test, PROTKEY_EMU_KEY_EP11_AES, key + 32, 32,
				 blob + len),
			len);
	paes = crypto_alloc_skcipher("xts(paes)", 0, 0);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(paes), "no xts(paes): %ld",
			       PTR_ERR(paes));
	oracle = oracle_alloc(test);
	oracle_xts(test, oracle, key, sizeof(key), true, iv, want, src, n);

	/* Act + Assert */
	KUNIT_ASSERT_EQ(test, crypto_skcipher_setkey(paes, blob, 2 * len), 0);
	oracle_xts(test, paes, NULL, 0, true, iv, got, src, n);
	EMU_EXPECT_MEMEQ(test, got, want, n);
	KUNIT_ASSERT_EQ(test, emu_migrate(0, &gen, &msg), 0);
	memset(got, 0, n);
	oracle_xts(test, paes, NULL, 0, true, iv, got, src, n);
	EMU_EXPECT_MEMEQ(test, got, want, n);
	oracle_xts(test, paes, NULL, 0, false, iv, got, want, n);
	EMU_EXPECT_MEMEQ(test, got, src, n);
	crypto_free_skcipher(oracle);
	crypto_free_skcipher(paes);
}

static struct kunit_case protkey_emu_ep11_cases[] = {
	KUNIT_CASE(emu_ep11_fixed_vector),
	KUNIT_CASE_PARAM(emu_ep11_generate_derive, roundtrip_gen_params),
	KUNIT_CASE_PARAM(emu_ep11_field_errors, field_gen_params),
	KUNIT_CASE(emu_ep11_every_bit_flip),
	KUNIT_CASE(emu_ep11_nohdr_fields),
	KUNIT_CASE(emu_ep11_wk_lifecycle),
	KUNIT_CASE(emu_ep11_reencipher),
	KUNIT_CASE(emu_ep11_modes),
	KUNIT_CASE(emu_ep11_xts_paes),
	{}
};

static struct kunit_suite protkey_emu_ep11_suite = {
	.name = "protkey_emu_ep11",
	.init = emu_kunit_init,
	.exit = emu_kunit_exit,
	.test_cases = protkey_emu_ep11_cases,
};

kunit_test_suite(protkey_emu_ep11_suite);

MODULE_DESCRIPTION("KUnit tests of protkey_emu's EP11 adapters and keys");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_IMPORT_NS(PROTKEY_EMU_CONTROL);
