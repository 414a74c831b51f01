// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite protkey_emu_token: the emulator's CCA AES DATA token format
 * (kernel/emu/token.c): byte-exact building, strict parsing of malformed
 * and truncated tokens, header dispatch.
 */
#include <kunit/test.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <asm/unaligned.h>

#include "protkey_emu_kunit.h"

/*
 * Expected tokens for the master key 00 01 .. 1f and the clear keys below,
 * computed outside the kernel (Python, "cryptography" package and hashlib)
 * from the emulator's documented scheme: key field =
 * AES-256-ECB_MK(key || zeros), MKVP = SHA-256(0x01 || MK)[0..7] (CCA's),
 * LRC = XOR of the key bytes, TVV = sum of the big-endian words at 0..59.
 * Equal on little- and big-endian hosts.
 */
/* clang-format off */
static const u8 key128[] = {
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
	0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff,
};

static const u8 key192[] = {
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
	0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
	0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
};

static const u8 key256[] = {
	0x60, 0x3d, 0xeb, 0x10, 0x15, 0xca, 0x71, 0xbe,
	0x2b, 0x73, 0xae, 0xf0, 0x85, 0x7d, 0x77, 0x81,
	0x1f, 0x35, 0x2c, 0x07, 0x3b, 0x61, 0x08, 0xd7,
	0x2d, 0x98, 0x10, 0xa3, 0x09, 0x14, 0xdf, 0xf4,
};

static const u8 token128[PROTKEY_EMU_SECKEY_SIZE] = {
	0x01, 0x00, 0x00, 0x00, 0x04, 0x00, 0x80, 0x00,
	0x49, 0x11, 0x76, 0xb0, 0xf4, 0x43, 0xc6, 0x5a,
	0x8e, 0xa2, 0xb7, 0xca, 0x51, 0x67, 0x45, 0xbf,
	0xea, 0xfc, 0x49, 0x90, 0x4b, 0x49, 0x60, 0x89,
	0xf2, 0x90, 0x00, 0xb6, 0x2a, 0x49, 0x9f, 0xd0,
	0xa9, 0xf3, 0x9a, 0x6a, 0xdd, 0x2e, 0x77, 0x80,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x80, 0x00, 0x20, 0xfd, 0x21, 0x17, 0x3c,
};

static const u8 token192[PROTKEY_EMU_SECKEY_SIZE] = {
	0x01, 0x00, 0x00, 0x00, 0x04, 0x00, 0x80, 0x00,
	0x49, 0x11, 0x76, 0xb0, 0xf4, 0x43, 0xc6, 0x5a,
	0x5a, 0x6e, 0x04, 0x57, 0x08, 0xfb, 0x71, 0x96,
	0xf0, 0x2e, 0x55, 0x3d, 0x02, 0xc3, 0xa6, 0x92,
	0x25, 0x06, 0x5b, 0x7f, 0xa6, 0x14, 0xe5, 0x5d,
	0xed, 0x1b, 0x46, 0xee, 0x15, 0x89, 0xbb, 0xdd,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0xc0, 0x00, 0x20, 0x67, 0x31, 0x72, 0x8d,
};

static const u8 token256[PROTKEY_EMU_SECKEY_SIZE] = {
	0x01, 0x00, 0x00, 0x00, 0x04, 0x00, 0x80, 0x0a,
	0x49, 0x11, 0x76, 0xb0, 0xf4, 0x43, 0xc6, 0x5a,
	0x67, 0x8a, 0xa0, 0xb9, 0x79, 0xbc, 0xdf, 0xb7,
	0x5d, 0xa7, 0x3f, 0xb0, 0xdb, 0xb0, 0x66, 0x24,
	0x64, 0xba, 0x25, 0xd0, 0xad, 0x77, 0xee, 0x84,
	0xcf, 0x53, 0xf6, 0x64, 0x68, 0x59, 0x04, 0x4a,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x01, 0x00, 0x00, 0x20, 0xa7, 0xd3, 0xf2, 0x7a,
};

/* clang-format on */

/* MKVP of the master key 00 01 .. 1f: SHA-256(0x01 || MK)[0..7]. */
#define FIXED_MKVP 0x491176b0f443c65aULL
#define FIXED_MK_SEED 0x00

struct fixed_case {
	const char *desc;
	const u8 *key;
	u32 key_bits;
	const u8 *token;
};

static const struct fixed_case fixed_cases[] = {
	{ "AES-128", key128, 128, token128 },
	{ "AES-192", key192, 192, token192 },
	{ "AES-256", key256, 256, token256 },
};

static void fixed_case_desc(const struct fixed_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(fixed, fixed_cases, fixed_case_desc);

static void emu_key_generate_fixed_vector(struct kunit *test)
{
	const struct fixed_case *c = test->param_value;
	u8 token[PROTKEY_EMU_SECKEY_SIZE];
	struct emu_token tok;

	/* Arrange */
	emu_kunit_mk_activate(test, FIXED_MK_SEED);

	/* Act */
	emu_kunit_seckey(test, c->key, c->key_bits / 8, token);

	/* Assert */
	EMU_EXPECT_MEMEQ(test, token, c->token, sizeof(token));
	KUNIT_ASSERT_EQ(test, emu_token_parse(token, sizeof(token), &tok), 0);
	KUNIT_EXPECT_EQ(test, tok.key_bits, c->key_bits);
	KUNIT_EXPECT_EQ(test, tok.mkvp, FIXED_MKVP);
	KUNIT_EXPECT_PTR_EQ(test, tok.type, &emu_token_cca_aesdata);
}

static void emu_token_build_parse_roundtrip(struct kunit *test)
{
	const struct fixed_case *c = test->param_value;
	u8 token[PROTKEY_EMU_SECKEY_SIZE];
	struct emu_token tok, back;

	/* Arrange */
	KUNIT_ASSERT_EQ(test, emu_token_parse(c->token, 64, &tok), 0);

	/* Act */
	KUNIT_ASSERT_EQ(test, emu_token_build(&tok, token, sizeof(token)), 0);

	/* Assert */
	EMU_EXPECT_MEMEQ(test, token, c->token, sizeof(token));
	KUNIT_ASSERT_EQ(test, emu_token_parse(token, sizeof(token), &back), 0);
	EMU_EXPECT_MEMEQ(test, back.enc_key, tok.enc_key, sizeof(tok.enc_key));
	KUNIT_EXPECT_EQ(test, back.lrc, emu_token_lrc(c->key, c->key_bits / 8));
}

/* Lengths 0..63 and 65: every truncation and one byte too many. */
/* clang-format off */
static const u32 bad_lens[] = {
	0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
	12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23,
	24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35,
	36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47,
	48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59,
	60, 61, 62, 63, 65,
};

/* clang-format on */

static void bad_len_desc(const u32 *len, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "length %u", *len);
}

KUNIT_ARRAY_PARAM(bad_len, bad_lens, bad_len_desc);

static void emu_token_parse_bad_length(struct kunit *test)
{
	const u32 len = *(const u32 *)test->param_value;
	struct emu_token tok;
	u8 *buf;

	/* Arrange: an exact-size heap copy, so KASAN sees any over-read. */
	buf = kunit_kmalloc(test, len ?: 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	memcpy(buf, token256, min_t(u32, len, sizeof(token256)));
	if (len > sizeof(token256))
		buf[64] = 0;

	/* Act + Assert */
	KUNIT_EXPECT_EQ(test, emu_token_parse(buf, len, &tok), -EINVAL);
	KUNIT_EXPECT_FALSE(test, emu_kunit_ops(test)->supports(buf, len));
}

/*
 * One field wrong. Faults pkey finds itself (cca_check_secaeskeytoken():
 * type, version) are -EINVAL; faults only the adapter finds are -EIO, as
 * cca_sec2protkey() maps any CCA reply code.
 */
struct corrupt_case {
	const char *desc;
	unsigned int offset;
	u8 value;
	bool fix_tvv;
	int err;
};

static const struct corrupt_case corrupt_cases[] = {
	{ "type 0x00 (non-CCA)", 0, 0x00, true, -EINVAL },
	{ "type 0x1f (CCA PKA)", 0, 0x1f, true, -EINVAL },
	{ "res0 not zero", 2, 0x01, true, -EIO },
	{ "version 0x05 (AES CIPHER)", 4, 0x05, true, -EINVAL },
	{ "res1 not zero", 5, 0x01, true, -EIO },
	{ "flag 0x00 (clear key)", 6, 0x00, true, -EIO },
	{ "flag 0xa0 (no key)", 6, 0xa0, true, -EIO },
	{ "flag 0x81 (reserved bit)", 6, 0x81, true, -EIO },
	{ "control vector not zero", 52, 0x01, true, -EIO },
	{ "bitsize 0", 57, 0x00, true, -EIO },
	{ "bitsize 129", 57, 0x81, true, -EIO },
	{ "keysize 16", 59, 0x10, true, -EIO },
	{ "keysize 24", 59, 0x18, true, -EIO },
	{ "tvv off by one", 63, 0x00, false, -EIO },
};

static void corrupt_case_desc(const struct corrupt_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(corrupt, corrupt_cases, corrupt_case_desc);

static void emu_token_parse_corrupt_field(struct kunit *test)
{
	const struct corrupt_case *c = test->param_value;
	u8 token[PROTKEY_EMU_SECKEY_SIZE];
	struct emu_token tok, chk;

	/* Arrange: one field wrong, the checksum right unless it is the bug */
	memcpy(token, token128, sizeof(token));
	if (c->fix_tvv) {
		token[c->offset] = c->value;
		put_unaligned_be32(emu_token_tvv(token), token + 60);
	} else {
		token[c->offset] += 1;
	}
	KUNIT_ASSERT_NE(test, memcmp(token, token128, sizeof(token)), 0);

	/* Act + Assert */
	KUNIT_EXPECT_EQ(test, emu_token_parse(token, sizeof(token), &tok),
			c->err);
	KUNIT_EXPECT_EQ(test, emu_token_check(token, sizeof(token), &chk),
			c->err == -EIO ? 0 : c->err);
}

static void emu_token_parse_zero_mkvp(struct kunit *test)
{
	u8 token[PROTKEY_EMU_SECKEY_SIZE];
	struct emu_token tok, chk;

	/* Arrange */
	memcpy(token, token192, sizeof(token));
	memset(token + 8, 0, 8);
	put_unaligned_be32(emu_token_tvv(token), token + 60);

	/* Act + Assert: findcard() refuses it before any adapter is asked */
	KUNIT_EXPECT_EQ(test, emu_token_parse(token, sizeof(token), &tok),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, emu_token_check(token, sizeof(token), &chk),
			-EINVAL);
}

static void emu_token_parse_cv_flag_accepted(struct kunit *test)
{
	u8 token[PROTKEY_EMU_SECKEY_SIZE];
	struct emu_token tok;

	/* Arrange: flag 0xc0, CV applied and all zero: still a DATA key */
	memcpy(token, token128, sizeof(token));
	token[6] = 0xc0;
	put_unaligned_be32(emu_token_tvv(token), token + 60);

	/* Act + Assert */
	KUNIT_EXPECT_EQ(test, emu_token_parse(token, sizeof(token), &tok), 0);
	KUNIT_EXPECT_EQ(test, tok.key_bits, 128U);
}

/*
 * Every single-bit flip anywhere breaks the TVV (or is the TVV): -EIO from
 * the adapter, but for the type and version bytes, which pkey checks.
 */
/* clang-format off */
static const u32 flip_offsets[] = {
	0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
	12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23,
	24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35,
	36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47,
	48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59,
	60, 61, 62, 63,
};

/* clang-format on */

static void flip_desc(const u32 *offset, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "bit flip at byte %u", *offset);
}

KUNIT_ARRAY_PARAM(flip, flip_offsets, flip_desc);

static void emu_token_parse_bit_flip(struct kunit *test)
{
	const u32 offset = *(const u32 *)test->param_value;
	u8 token[PROTKEY_EMU_SECKEY_SIZE];
	struct emu_token tok;

	/* Arrange */
	memcpy(token, token256, sizeof(token));
	token[offset] ^= 0x10;

	/* Act + Assert */
	KUNIT_EXPECT_EQ(test, emu_token_parse(token, sizeof(token), &tok),
			offset == 0 || offset == 4 ? -EINVAL : -EIO);
}

static void emu_token_lookup_header(struct kunit *test)
{
	u8 hdr[8] = { 0x01, 0, 0, 0, 0x04, 0, 0, 0 };

	/* Act + Assert: dispatch needs 8 header bytes, type and version */
	KUNIT_EXPECT_PTR_EQ(test, emu_token_lookup(hdr, 8),
			    &emu_token_cca_aesdata);
	KUNIT_EXPECT_NULL(test, emu_token_lookup(hdr, 7));
	hdr[4] = 0x05;
	KUNIT_EXPECT_NULL(test, emu_token_lookup(hdr, 8));
	hdr[4] = 0x04;
	hdr[0] = 0x00;
	KUNIT_EXPECT_NULL(test, emu_token_lookup(hdr, 8));
	KUNIT_EXPECT_TRUE(test, emu_kunit_ops(test)->supports(token128, 64));
	KUNIT_EXPECT_FALSE(test, emu_kunit_ops(test)->supports(hdr, 8));
}

static void emu_token_build_bad_size(struct kunit *test)
{
	u8 token[PROTKEY_EMU_SECKEY_SIZE + 1];
	struct emu_token tok;

	/* Arrange */
	KUNIT_ASSERT_EQ(test, emu_token_parse(token128, 64, &tok), 0);

	/* Act + Assert */
	KUNIT_EXPECT_EQ(test, emu_token_build(&tok, token, 65), -EINVAL);
	KUNIT_EXPECT_EQ(test, emu_token_build(&tok, token, 63), -EINVAL);
	tok.key_bits = 64;
	KUNIT_EXPECT_EQ(test, emu_token_build(&tok, token, 64), -EINVAL);
}

static struct kunit_case protkey_emu_token_cases[] = {
	KUNIT_CASE_PARAM(emu_key_generate_fixed_vector, fixed_gen_params),
	KUNIT_CASE_PARAM(emu_token_build_parse_roundtrip, fixed_gen_params),
	KUNIT_CASE_PARAM(emu_token_parse_bad_length, bad_len_gen_params),
	KUNIT_CASE_PARAM(emu_token_parse_corrupt_field, corrupt_gen_params),
	KUNIT_CASE(emu_token_parse_zero_mkvp),
	KUNIT_CASE(emu_token_parse_cv_flag_accepted),
	KUNIT_CASE_PARAM(emu_token_parse_bit_flip, flip_gen_params),
	KUNIT_CASE(emu_token_lookup_header),
	KUNIT_CASE(emu_token_build_bad_size),
	{}
};

static struct kunit_suite protkey_emu_token_suite = {
	.name = "protkey_emu_token",
	.init = emu_kunit_init,
	.exit = emu_kunit_exit,
	.test_cases = protkey_emu_token_cases,
};

kunit_test_suite(protkey_emu_token_suite);

MODULE_DESCRIPTION("KUnit tests of protkey_emu's CCA AES DATA tokens");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_IMPORT_NS(PROTKEY_EMU_CONTROL);
