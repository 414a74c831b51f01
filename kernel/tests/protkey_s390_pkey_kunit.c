// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite protkey_s390_pkey: the version-independent half of the IBM Z
 * platform (kernel/platform/s390_pkey.c): how each shape of pkey's derive
 * call is marshalled, what is accepted back, the xflags, the errno table
 * and the token facts of key_info. pkey itself is replaced by fakes with
 * the arguments of each shape, so the suite runs on any architecture; the
 * real calls (s390.c) are only compile-checked (make cross-s390x).
 */
#include <asm/unaligned.h>
#include <kunit/test.h>
#include <linux/module.h>
#include <linux/string.h>

#include "platform.h"
#include "platform/s390_pkey.h"
#include "token.h"

/* What the fake pkey saw and what it answers. */
static struct {
	const u8 *key;
	u32 keylen;
	u32 protkeylen_in;
	u32 xflags;
	int calls;
	int ret;
	u32 type;
	u32 len;
} fake;

static void fake_reset(int ret, u32 type, u32 len)
{
	memset(&fake, 0, sizeof(fake));
	fake.ret = ret;
	fake.type = type;
	fake.len = len;
}

/* The pattern a fake protected key carries: byte i is i ^ 0x5a. */
static void fake_fill(u8 *buf, u32 n)
{
	u32 i;

	for (i = 0; i < n; i++)
		buf[i] = i ^ 0x5a;
}

static int fake_blob(const u8 *key, u32 keylen,
		     struct protkey_pkey_protkey *protkey)
{
	fake.calls++;
	fake.key = key;
	fake.keylen = keylen;
	if (fake.ret)
		return fake.ret;
	protkey->type = fake.type;
	protkey->len = fake.len;
	fake_fill(protkey->protkey, sizeof(protkey->protkey));
	return 0;
}

static int fake_split(const u8 *key, u32 keylen, u8 *protkey, u32 *protkeylen,
		      u32 *protkeytype)
{
	fake.calls++;
	fake.key = key;
	fake.keylen = keylen;
	fake.protkeylen_in = *protkeylen;
	if (fake.ret)
		return fake.ret;
	fake_fill(protkey, min(*protkeylen, fake.len));
	*protkeylen = fake.len;
	*protkeytype = fake.type;
	return 0;
}

static int fake_xflags(const u8 *key, u32 keylen, u8 *protkey, u32 *protkeylen,
		       u32 *protkeytype, u32 xflags)
{
	fake.xflags = xflags;
	return fake_split(key, keylen, protkey, protkeylen, protkeytype);
}

/* A CCA AES DATA token header: type 0x01, version 0x04, 64 bytes. */
static void cca_token(u8 tok[64], u64 mkvp, u16 bits)
{
	memset(tok, 0, 64);
	tok[0] = PROTKEY_TOKTYPE_CCA_INTERNAL;
	tok[4] = PROTKEY_TOKVER_CCA_AES;
	put_unaligned_be64(mkvp, tok + 8);
	put_unaligned_be16(bits, tok + 56);
}

static bool pk_has_pattern(const struct protkey_pk *pk)
{
	u8 want[PROTKEY_MAX_PROTKEY_SIZE];

	fake_fill(want, pk->len);
	return !memcmp(pk->protkey, want, pk->len);
}

static bool pk_is_zero(const struct protkey_pk *pk)
{
	return !memchr_inv(pk, 0, sizeof(*pk));
}

static void protkey_s390_pkey_blob_marshals(struct kunit *test)
{
	struct protkey_pk pk = {};
	u8 tok[64];
	int ret;

	/* Arrange */
	cca_token(tok, 0x1122334455667788ULL, 256);
	fake_reset(0, PROTKEY_PK_AES_256, 64);

	/* Act */
	ret = protkey_pkey_derive_blob(fake_blob, tok, sizeof(tok), &pk);

	/* Assert */
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, fake.calls, 1);
	KUNIT_EXPECT_PTR_EQ(test, fake.key, (const u8 *)tok);
	KUNIT_EXPECT_EQ(test, fake.keylen, 64U);
	KUNIT_EXPECT_EQ(test, pk.type, (u32)PROTKEY_PK_AES_256);
	KUNIT_EXPECT_EQ(test, pk.len, 64U);
	KUNIT_EXPECT_TRUE(test, pk_has_pattern(&pk));
}

/* The v6.1 struct holds 64 bytes: a longer length must not be believed. */
static void protkey_s390_pkey_blob_len_over_struct(struct kunit *test)
{
	struct protkey_pk pk = {};
	u8 tok[64];

	cca_token(tok, 1, 256);
	fake_reset(0, PROTKEY_PK_AES_XTS_256, 96);

	KUNIT_EXPECT_EQ(test,
			protkey_pkey_derive_blob(fake_blob, tok, sizeof(tok),
						 &pk),
			-EINVAL);
	KUNIT_EXPECT_TRUE(test, pk_is_zero(&pk));
}

static void protkey_s390_pkey_split_marshals(struct kunit *test)
{
	struct protkey_pk pk = {};
	u8 tok[64];
	int ret;

	cca_token(tok, 1, 128);
	fake_reset(0, PROTKEY_PK_AES_128, 48);

	ret = protkey_pkey_derive_split(fake_split, tok, sizeof(tok), &pk);

	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_PTR_EQ(test, fake.key, (const u8 *)tok);
	KUNIT_EXPECT_EQ(test, fake.keylen, 64U);
	/* protkeylen goes in as the buffer size (paes_s390.c does the same). */
	KUNIT_EXPECT_EQ(test, fake.protkeylen_in,
			(u32)PROTKEY_MAX_PROTKEY_SIZE);
	KUNIT_EXPECT_EQ(test, pk.type, (u32)PROTKEY_PK_AES_128);
	KUNIT_EXPECT_EQ(test, pk.len, 48U);
	KUNIT_EXPECT_TRUE(test, pk_has_pattern(&pk));
}

/* A full-XTS AES-256 key (96 bytes) fits the split shapes' buffer. */
static void protkey_s390_pkey_split_full_xts(struct kunit *test)
{
	struct protkey_pk pk = {};
	u8 tok[64];

	cca_token(tok, 1, 256);
	fake_reset(0, PROTKEY_PK_AES_XTS_256, 96);

	KUNIT_EXPECT_EQ(test,
			protkey_pkey_derive_split(fake_split, tok, sizeof(tok),
						  &pk),
			0);
	KUNIT_EXPECT_EQ(test, pk.len, 96U);
	KUNIT_EXPECT_TRUE(test, pk_has_pattern(&pk));
}

/* pkey claiming more bytes than the buffer holds is refused, not copied. */
static void protkey_s390_pkey_split_len_over_buffer(struct kunit *test)
{
	struct protkey_pk pk = {};
	u8 tok[64];

	cca_token(tok, 1, 256);
	fake_reset(0, PROTKEY_PK_AES_256, 200);

	KUNIT_EXPECT_EQ(test,
			protkey_pkey_derive_split(fake_split, tok, sizeof(tok),
						  &pk),
			-EINVAL);
	KUNIT_EXPECT_TRUE(test, pk_is_zero(&pk));
}

struct xflags_case {
	u32 flags;
	bool noclearkey;
	u32 want;
	const char *desc;
};

static const struct xflags_case xflags_cases[] = {
	{ 0, false, 0, "setkey, pkey without NOCLEARKEY" },
	{ PROTKEY_DERIVE_NOMEMALLOC, false, PROTKEY_PKEY_XFLAG_NOMEMALLOC,
	  "I/O path, pkey without NOCLEARKEY" },
	{ 0, true, PROTKEY_PKEY_XFLAG_NOCLEARKEY, "setkey, NOCLEARKEY" },
	{ PROTKEY_DERIVE_NOMEMALLOC, true,
	  PROTKEY_PKEY_XFLAG_NOMEMALLOC | PROTKEY_PKEY_XFLAG_NOCLEARKEY,
	  "I/O path, NOCLEARKEY" },
};

static void xflags_desc(const struct xflags_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(xflags, xflags_cases, xflags_desc);

static void protkey_s390_pkey_xflags_passed(struct kunit *test)
{
	const struct xflags_case *c = test->param_value;
	struct protkey_pk pk = {};
	u8 tok[64];

	cca_token(tok, 1, 256);
	fake_reset(0, PROTKEY_PK_AES_256, 64);

	KUNIT_EXPECT_EQ(test,
			protkey_pkey_derive_xflags(fake_xflags, tok,
						   sizeof(tok), &pk, c->flags,
						   c->noclearkey),
			0);
	KUNIT_EXPECT_EQ(test, fake.xflags, c->want);
	KUNIT_EXPECT_EQ(test, fake.protkeylen_in,
			(u32)PROTKEY_MAX_PROTKEY_SIZE);
	KUNIT_EXPECT_TRUE(test, pk_has_pattern(&pk));
}

struct errno_case {
	int pkey;
	int want;
	const char *desc;
};

/* The table of s390_pkey.c, row by row, and one errno it does not list. */
static const struct errno_case errno_cases[] = {
	{ -ENODEV, -ENODEV, "ENODEV: no adapter, retryable" },
	{ -ETIME, -ENODEV, "ETIME: AP bus scan timed out, no adapter" },
	{ -EAGAIN, -EBUSY, "EAGAIN: CCA 8/2290, busy" },
	{ -EBUSY, -EBUSY, "EBUSY: busy" },
	{ -ENOMEM, -EBUSY, "ENOMEM: NOMEMALLOC reserves, busy" },
	{ -ENOENT, -ENOENT, "ENOENT: UV secret missing" },
	{ -EINVAL, -EINVAL, "EINVAL: bad token, hard" },
	{ -EKEYREJECTED, -EINVAL, "EKEYREJECTED: stale protected-key token" },
	{ -EIO, -EIO, "EIO: adapter rejected, hard" },
	{ -EINTR, -EINTR, "EINTR: signalled" },
	{ -ERESTARTSYS, -EINTR, "ERESTARTSYS: signalled" },
	{ -EPERM, -EIO, "EPERM: unlisted, hard" },
};

static void errno_desc(const struct errno_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(errno, errno_cases, errno_desc);

/* Every shape maps the same way, and leaves no key behind on failure. */
static void protkey_s390_pkey_errno_mapped(struct kunit *test)
{
	const struct errno_case *c = test->param_value;
	struct protkey_pk pk = {};
	u8 tok[64];

	cca_token(tok, 1, 256);
	fake_reset(c->pkey, 0, 0);

	KUNIT_EXPECT_EQ(test, protkey_pkey_map_errno(c->pkey), c->want);
	KUNIT_EXPECT_EQ(test,
			protkey_pkey_derive_blob(fake_blob, tok, sizeof(tok),
						 &pk),
			c->want);
	KUNIT_EXPECT_EQ(test,
			protkey_pkey_derive_split(fake_split, tok, sizeof(tok),
						  &pk),
			c->want);
	KUNIT_EXPECT_EQ(test,
			protkey_pkey_derive_xflags(fake_xflags, tok,
						   sizeof(tok), &pk, 0, true),
			c->want);
	KUNIT_EXPECT_EQ(test, fake.calls, 3);
	KUNIT_EXPECT_TRUE(test, pk_is_zero(&pk));
}

struct pk_case {
	u32 type;
	u32 len;
	int want;
	const char *desc;
};

static const struct pk_case pk_cases[] = {
	{ PROTKEY_PK_AES_128, 48, 0, "AES-128, 48 bytes" },
	{ PROTKEY_PK_AES_192, 56, 0, "AES-192, 56 bytes" },
	{ PROTKEY_PK_AES_256, 64, 0, "AES-256, 64 bytes" },
	{ PROTKEY_PK_AES_XTS_128, 64, 0, "full-XTS-128, 64 bytes" },
	{ PROTKEY_PK_AES_XTS_256, 96, 0, "full-XTS-256, 96 bytes" },
	{ PROTKEY_PK_AES_256, 48, -EINVAL, "AES-256 of 48 bytes" },
	{ 5, 96, -EINVAL, "ECC P256 (type 5)" },
	{ 12, 96, -EINVAL, "HMAC-512 (type 12)" },
};

static void pk_desc(const struct pk_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(pk, pk_cases, pk_desc);

static void protkey_s390_pkey_check_pk_types(struct kunit *test)
{
	const struct pk_case *c = test->param_value;
	struct protkey_pk pk = { .type = c->type, .len = c->len };

	KUNIT_EXPECT_EQ(test, protkey_pkey_check_pk(&pk), c->want);
}

static void protkey_s390_pkey_key_info_cca(struct kunit *test)
{
	struct protkey_key_info info;
	u8 tok[64];

	cca_token(tok, 0x0102030405060708ULL, 192);

	KUNIT_ASSERT_EQ(test, protkey_pkey_key_info(tok, sizeof(tok), &info),
			0);
	KUNIT_EXPECT_EQ(test, info.token_type, PROTKEY_TOKTYPE_CCA_INTERNAL);
	KUNIT_EXPECT_EQ(test, info.token_version, PROTKEY_TOKVER_CCA_AES);
	KUNIT_EXPECT_EQ(test, info.mkvp, 0x0102030405060708ULL);
	KUNIT_EXPECT_EQ(test, info.key_bits, 192U);
	/* No in-kernel master-key query: nothing claimed about the match. */
	KUNIT_EXPECT_EQ(test, info.match, PROTKEY_MK_NONE);
	KUNIT_EXPECT_EQ(test, info.usable_adapters, 0U);
}

static void protkey_s390_pkey_key_info_ep11(struct kunit *test)
{
	struct protkey_key_info info;
	u8 *tok = kunit_kzalloc(test, 336, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, tok);
	/* Version 0x06: 16-byte header, then the blob; its WKVP at 32. */
	tok[0] = PROTKEY_TOKTYPE_NON_CCA;
	tok[4] = PROTKEY_TOKVER_EP11_AES_WITH_HEADER;
	put_unaligned_be16(256, tok + 6);
	put_unaligned_be64(0xa1a2a3a4a5a6a7a8ULL, tok + 16 + 32);

	KUNIT_ASSERT_EQ(test, protkey_pkey_key_info(tok, 336, &info), 0);
	KUNIT_EXPECT_EQ(test, info.key_bits, 256U);
	KUNIT_EXPECT_EQ(test, info.mkvp, 0xa1a2a3a4a5a6a7a8ULL);
}

/* A clear-key token (type 0x00, version 0x02) is never parsed. */
static void protkey_s390_pkey_key_info_clear_key(struct kunit *test)
{
	struct protkey_key_info info;
	u8 tok[48] = { PROTKEY_TOKTYPE_NON_CCA, 0, 0, 0,
		       PROTKEY_TOKVER_CLEAR_KEY };

	KUNIT_EXPECT_EQ(test, protkey_pkey_key_info(tok, sizeof(tok), &info),
			-EINVAL);
}

static struct kunit_case protkey_s390_pkey_cases[] = {
	KUNIT_CASE(protkey_s390_pkey_blob_marshals),
	KUNIT_CASE(protkey_s390_pkey_blob_len_over_struct),
	KUNIT_CASE(protkey_s390_pkey_split_marshals),
	KUNIT_CASE(protkey_s390_pkey_split_full_xts),
	KUNIT_CASE(protkey_s390_pkey_split_len_over_buffer),
	KUNIT_CASE_PARAM(protkey_s390_pkey_xflags_passed, xflags_gen_params),
	KUNIT_CASE_PARAM(protkey_s390_pkey_errno_mapped, errno_gen_params),
	KUNIT_CASE_PARAM(protkey_s390_pkey_check_pk_types, pk_gen_params),
	KUNIT_CASE(protkey_s390_pkey_key_info_cca),
	KUNIT_CASE(protkey_s390_pkey_key_info_ep11),
	KUNIT_CASE(protkey_s390_pkey_key_info_clear_key),
	{}
};

static struct kunit_suite protkey_s390_pkey_suite = {
	.name = "protkey_s390_pkey",
	.test_cases = protkey_s390_pkey_cases,
};

kunit_test_suite(protkey_s390_pkey_suite);

MODULE_DESCRIPTION("KUnit tests of the protkey s390 platform's pkey shims");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
