// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of the secure-token allow-list (kernel/token.c): secure keys
 * pass, clear-key and protected-key tokens, unknown types and versions and
 * tokens of the wrong length are refused, by protkey_token_check() and by
 * protkey_key_validate(), which every setkey and keyctl update runs before
 * a platform backend sees the blob.
 */
#include <kunit/test.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "../key.h"
#include "../token.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

/* Longest token the tables build; one more byte than any allowed token. */
#define TOKEN_BUF 337

struct token_case {
	const char *desc;
	u8 type;
	u8 version;
	u32 len;
	int ret;
	u16 secret_type;
};

static const struct token_case token_cases[] = {
	{ "CCA AES DATA", 0x01, 0x04, 64, 0 },
	{ "EP11 AES, header in session", 0x00, 0x03, 256, 0 },
	{ "EP11 AES, longest", 0x00, 0x03, 336, 0 },
	{ "EP11 AES with header", 0x00, 0x06, 272, 0 },
	{ "clear-key token, AES-256", 0x00, 0x02, 48, -EINVAL },
	{ "clear-key token, 64 bytes", 0x00, 0x02, 64, -EINVAL },
	{ "protected-key token", 0x00, 0x01, 80, -EINVAL },
	{ "protected-key token, 64 bytes", 0x00, 0x01, 64, -EINVAL },
	{ "UV secret token, AES-256", 0x00, 0x09, 44, 0, 0x0006 },
	{ "UV secret token, AES-128", 0x00, 0x09, 44, 0, 0x0004 },
	{ "UV secret token, short", 0x00, 0x09, 43, -EINVAL, 0x0006 },
	{ "UV secret token, long", 0x00, 0x09, 45, -EINVAL, 0x0006 },
	{ "UV secret token, HMAC secret", 0x00, 0x09, 44, -EINVAL, 0x0009 },
	{ "UV secret token, association", 0x00, 0x09, 44, -EINVAL, 0x0002 },
	{ "UV secret token, unknown type", 0x00, 0x09, 44, -EINVAL, 0x5a5a },
	{ "EP11 ECC with header", 0x00, 0x07, 272, -EINVAL },
	{ "CCA AES CIPHER", 0x01, 0x05, 136, -EINVAL },
	{ "CCA internal PKA", 0x1f, 0x00, 64, -EINVAL },
	{ "unknown type", 0x42, 0x04, 64, -EINVAL },
	{ "unknown CCA version", 0x01, 0x07, 64, -EINVAL },
	{ "unknown NON_CCA version", 0x00, 0x04, 64, -EINVAL },
	{ "CCA AES DATA, short", 0x01, 0x04, 63, -EINVAL },
	{ "CCA AES DATA, long", 0x01, 0x04, 65, -EINVAL },
	{ "CCA AES DATA, header only", 0x01, 0x04, 8, -EINVAL },
	{ "shorter than a header", 0x01, 0x04, 7, -EINVAL },
	{ "empty", 0x01, 0x04, 0, -EINVAL },
	{ "EP11 AES, short", 0x00, 0x03, 255, -EINVAL },
	{ "EP11 AES with header, short", 0x00, 0x06, 271, -EINVAL },
	{ "EP11 AES with header, long", 0x00, 0x06, 337, -EINVAL },
};

static void token_desc(const struct token_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(token, token_cases, token_desc);

/* A token of @c's header and length; the rest is a nonzero pattern. */
static u8 *make_token(struct kunit *test, const struct token_case *c, u8 fill)
{
	u8 *tok = kunit_kmalloc(test, TOKEN_BUF, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, tok);
	memset(tok, fill, TOKEN_BUF);
	tok[0] = c->type;
	tok[4] = c->version;
	if (c->secret_type) {
		tok[8] = c->secret_type >> 8;
		tok[9] = c->secret_type & 0xff;
	}
	return tok;
}

static void protkey_token_check_table(struct kunit *test)
{
	const struct token_case *c = test->param_value;
	u8 *tok = make_token(test, c, 0x5a);

	KUNIT_EXPECT_EQ(test, protkey_token_check(tok, c->len), c->ret);
}

static void protkey_key_validate_pair_table(struct kunit *test)
{
	const struct token_case *c = test->param_value;
	u8 *blob;

	/* Arrange: two different tokens of the same header and length. */
	blob = kunit_kzalloc(test, 2 * TOKEN_BUF, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, blob);
	memcpy(blob, make_token(test, c, 0x5a), c->len);
	memcpy(blob + c->len, make_token(test, c, 0xa5), c->len);
	/* Pairs of tokens shorter than 44 bytes fail the size check too. */

	/* Act + Assert */
	KUNIT_EXPECT_EQ(test, protkey_key_validate(blob, 2 * c->len), c->ret);
}

static void protkey_token_lookup_names_format(struct kunit *test)
{
	const struct token_case cca = { .type = 0x01, .version = 0x04 };
	const struct protkey_token_kind *kind;
	u8 *tok = make_token(test, &cca, 0);

	kind = protkey_token_lookup(tok, 64);

	KUNIT_ASSERT_NOT_NULL(test, kind);
	KUNIT_EXPECT_STREQ(test, kind->name, "CCA-AESDATA");
	KUNIT_EXPECT_EQ(test, kind->min_len, 64);
	KUNIT_EXPECT_EQ(test, kind->max_len, 64);
}

/*
 * One UV AES-XTS token is a whole XTS key (full-XTS), never a half; one
 * token of any other kind is no XTS key. Names per secret type.
 */
static void protkey_token_full_xts_single(struct kunit *test)
{
	const struct token_case xts = { .type = 0x00,
					.version = 0x09,
					.secret_type = 0x0008 };
	const struct token_case xts128 = { .type = 0x00,
					   .version = 0x09,
					   .secret_type = 0x0007 };
	const struct token_case aes = { .type = 0x00,
					.version = 0x09,
					.secret_type = 0x0006 };
	u8 *blob = kunit_kzalloc(test, 88, GFP_KERNEL);
	u8 *tok = make_token(test, &xts, 0x11);

	KUNIT_ASSERT_NOT_NULL(test, blob);
	KUNIT_EXPECT_TRUE(test, protkey_token_full_xts(tok, 44));
	KUNIT_EXPECT_FALSE(test, protkey_token_full_xts(tok, 45));
	KUNIT_EXPECT_EQ(test, protkey_key_halves(tok, 44), 1U);
	KUNIT_EXPECT_EQ(test, protkey_key_validate(tok, 44), 0);
	KUNIT_EXPECT_STREQ(test, protkey_token_key_type(tok, 44),
			   "PVSECRET-AES-XTS-256");
	tok = make_token(test, &xts128, 1);
	KUNIT_EXPECT_STREQ(test, protkey_token_key_type(tok, 44),
			   "PVSECRET-AES-XTS-128");
	tok = make_token(test, &xts, 0x11);
	/* two XTS tokens: each would be a whole key */
	memcpy(blob, tok, 44);
	memcpy(blob + 44, make_token(test, &xts, 0x22), 44);
	KUNIT_EXPECT_EQ(test, protkey_key_halves(blob, 88), 2U);
	KUNIT_EXPECT_EQ(test, protkey_key_validate(blob, 88), -EINVAL);
	/* one AES token: half an XTS key */
	tok = make_token(test, &aes, 0x11);
	KUNIT_EXPECT_FALSE(test, protkey_token_full_xts(tok, 44));
	KUNIT_EXPECT_EQ(test, protkey_key_validate(tok, 44), -EINVAL);
	KUNIT_EXPECT_STREQ(test, protkey_token_key_type(tok, 44),
			   "PVSECRET-AES-256");
	/* two AES tokens: a pair */
	memcpy(blob, tok, 44);
	memcpy(blob + 44, make_token(test, &aes, 0x22), 44);
	KUNIT_EXPECT_EQ(test, protkey_key_validate(blob, 88), 0);
	/* not on the allow-list */
	tok[4] = 0x02;
	KUNIT_EXPECT_STREQ(test, protkey_token_key_type(tok, 44), "unknown");
}

static struct kunit_case protkey_token_cases[] = {
	KUNIT_CASE_PARAM(protkey_token_check_table, token_gen_params),
	KUNIT_CASE_PARAM(protkey_key_validate_pair_table, token_gen_params),
	KUNIT_CASE(protkey_token_lookup_names_format),
	KUNIT_CASE(protkey_token_full_xts_single),
	{}
};

static struct kunit_suite protkey_token_suite = {
	.name = "protkey_token",
	.test_cases = protkey_token_cases,
};

kunit_test_suite(protkey_token_suite);

MODULE_DESCRIPTION("KUnit tests of protkey's secure-token allow-list");
MODULE_LICENSE("GPL");
