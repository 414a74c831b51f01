// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite protkey_emu_se: the emulated Secure Execution guest
 * (kernel/emu/uv.c, kernel/emu/adapter.c): the add-secret request against
 * a vector computed outside the kernel, every refusal of an add (and that
 * it changes nothing), List Secrets paging, lock, retrieve, the binding
 * states and transitions of se_bind and se_associate with their errnos
 * and texts, secure-key derives through bound, unbound and associated
 * queues, and what a guest reboot wipes.
 */
#include <crypto/aes.h>
#include <crypto/sha2.h>
#include <kunit/test.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <asm/unaligned.h>

#include "protkey_emu_kunit.h"

#define APQN0 PROTKEY_EMU_APQN(0, EMU_DOMAIN)
#define APQN1 PROTKEY_EMU_APQN(1, EMU_DOMAIN)
#define WK_A 0x20
#define REQ_MAX PROTKEY_EMU_UV_REQ_MAX_SIZE

/*
 * The add-secret request for an AES-256 secret 00 01 .. 1f with the ID
 * SHA-256("vol1"), nonce a0 a1 .. af, for the image key 40 41 .. 5f,
 * computed outside the kernel (Python: hashlib, hmac and the
 * "cryptography" package's AES-CTR) from the format in
 * Documentation/emulator.rst.
 */
/* clang-format off */
static const u8 req_vec[160] = {
	0x50, 0x4b, 0x45, 0x4d, 0x55, 0x53, 0x45, 0x43,
	0x00, 0x01, 0x00, 0x06, 0x00, 0x20, 0x00, 0x00,
	0x27, 0x6d, 0xe7, 0x7f, 0x73, 0x83, 0xf6, 0x60,
	0x86, 0x69, 0x5b, 0xcc, 0xa4, 0x25, 0xc1, 0x3b,
	0x91, 0x05, 0x61, 0x27, 0xc8, 0xba, 0x14, 0x71,
	0x22, 0x9a, 0x42, 0xa9, 0x5a, 0xa0, 0x0a, 0x47,
	0xaf, 0x1f, 0x1e, 0xd4, 0xcf, 0x36, 0x2d, 0x57,
	0x6c, 0xb2, 0x2c, 0xe9, 0xe3, 0xe2, 0xdc, 0xba,
	0x27, 0x33, 0xcb, 0xde, 0x8a, 0xb5, 0xae, 0x18,
	0x1d, 0x2b, 0x82, 0xd2, 0xb1, 0x27, 0x4b, 0x66,
	0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
	0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf,
	0xf9, 0x6a, 0x93, 0xc4, 0x89, 0xb8, 0xed, 0xa8,
	0xe8, 0x49, 0x92, 0x28, 0x77, 0x31, 0xc5, 0x7c,
	0xe1, 0xc7, 0x8a, 0x75, 0xfd, 0xfb, 0x6f, 0xd2,
	0xbd, 0xe4, 0x8b, 0x99, 0xc5, 0x0b, 0x54, 0xb9,
	0xbf, 0xb1, 0x39, 0x8d, 0xb3, 0xc4, 0x17, 0x93,
	0x73, 0x95, 0x6b, 0x9f, 0xb6, 0x17, 0x9a, 0xce,
	0xd4, 0xbc, 0x05, 0x0e, 0x78, 0xa4, 0x59, 0xb8,
	0xf5, 0xea, 0x15, 0xf0, 0x63, 0x07, 0x65, 0x23,
};

/* clang-format on */

static void image_key(u8 key[PROTKEY_EMU_IMAGE_KEY_SIZE], u8 seed)
{
	int i;

	for (i = 0; i < PROTKEY_EMU_IMAGE_KEY_SIZE; i++)
		key[i] = seed + i;
}

/* An SE guest with the image key of seed 0x40. */
static void se_on(struct kunit *test)
{
	const char *msg = NULL;
	u8 key[PROTKEY_EMU_IMAGE_KEY_SIZE];

	image_key(key, 0x40);
	KUNIT_ASSERT_EQ(test, emu_uv_configure(key, 0, 0), 0);
	KUNIT_ASSERT_EQ(test, emu_se_set(true, &msg), 0);
	/* the UV answers at once unless a case asks otherwise */
	emu_se_set_knobs(0, 0);
}

/* Builds a request for this image: @type, ID from @name, @secret. */
static u32 build(struct kunit *test, u8 seed, u32 type, const char *name,
		 const u8 *secret, u32 len, u8 *req)
{
	u8 key[PROTKEY_EMU_IMAGE_KEY_SIZE], id[PROTKEY_EMU_UV_ID_SIZE];
	u8 nonce[16];
	int n;

	image_key(key, seed);
	sha256(name, strlen(name), id);
	get_random_bytes(nonce, sizeof(nonce));
	n = emu_uv_build_request(key, type, id, secret, len, nonce, req);
	KUNIT_ASSERT_GT(test, n, 0);
	return n;
}

/* Adds a secret; returns its index. */
static u16 add(struct kunit *test, u32 type, const char *name, const u8 *secret,
	       u32 len)
{
	u8 req[REQ_MAX];
	const char *msg = NULL;
	u16 idx = 0xffff;
	u32 n = build(test, 0x40, type, name, secret, len, req);

	KUNIT_ASSERT_EQ_MSG(test, emu_uv_add(req, n, false, &idx, &msg), 0,
			    "%s", msg);
	return idx;
}

static u32 stored(void)
{
	bool locked;

	return emu_uv_stats(&locked);
}

/* The state of @apqn now. */
static struct emu_adapter_state state_of(struct kunit *test, u32 apqn)
{
	struct emu_adapter_state *st;
	unsigned int i, n;

	st = kunit_kcalloc(test, EMU_MAX_ADAPTERS, sizeof(*st), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, st);
	n = emu_get_adapters(st, EMU_MAX_ADAPTERS);
	for (i = 0; i < n; i++) {
		if (st[i].apqn == apqn)
			return st[i];
	}
	KUNIT_FAIL(test, "no adapter %#x", apqn);
	return st[0];
}

static void expect_texts(struct kunit *test, u32 apqn, const char *bind,
			 const char *assoc)
{
	struct emu_adapter_state s = state_of(test, apqn);
	char b[24], a[24];

	emu_se_texts(&s, b, a, sizeof(b));
	KUNIT_EXPECT_STREQ(test, b, bind);
	KUNIT_EXPECT_STREQ(test, a, assoc);
}

/* Switches @apqn (or all) to @mode: offline, mode, online. */
static void to_mode(struct kunit *test, u32 apqn, u32 mode)
{
	const char *msg = NULL;

	KUNIT_ASSERT_EQ(test, emu_adapter_set_online(apqn, false, &msg), 0);
	KUNIT_ASSERT_EQ(test, emu_adapter_set_mode(apqn, mode, &msg), 0);
	KUNIT_ASSERT_EQ(test, emu_adapter_set_online(apqn, true, &msg), 0);
}

/* Every adapter EP11 with the wrapping key of @seed CURRENT. */
static void ep11_setup(struct kunit *test, u8 seed)
{
	const char *msg = NULL;
	u8 wk[PROTKEY_EMU_MK_SIZE];

	to_mode(test, EMU_ALL_APQNS, PROTKEY_EMU_MODE_EP11);
	emu_kunit_mk(wk, seed);
	KUNIT_ASSERT_EQ(test, emu_mk_load(EMU_ALL_APQNS, wk, &msg), 0);
	KUNIT_ASSERT_EQ(test, emu_mk_commit(EMU_ALL_APQNS, &msg), 0);
	KUNIT_ASSERT_EQ(test, emu_mk_set(EMU_ALL_APQNS, &msg), 0);
}

static void emu_se_request_vector(struct kunit *test)
{
	u8 key[PROTKEY_EMU_IMAGE_KEY_SIZE], id[PROTKEY_EMU_UV_ID_SIZE];
	u8 secret[32], nonce[16], req[REQ_MAX], *page;
	const char *msg = NULL;
	u16 idx = 0xffff;
	int i, n;

	/* Arrange */
	page = kunit_kzalloc(test, PROTKEY_EMU_UV_LIST_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, page);
	image_key(key, 0x40);
	sha256("vol1", 4, id);
	for (i = 0; i < 32; i++)
		secret[i] = i;
	for (i = 0; i < 16; i++)
		nonce[i] = 0xa0 + i;

	/* Act */
	n = emu_uv_build_request(key, PROTKEY_EMU_UV_SECRET_AES_256, id, secret,
				 sizeof(secret), nonce, req);

	/* Assert: byte-exact, and the UV of that image takes it */
	KUNIT_ASSERT_EQ(test, n, (int)sizeof(req_vec));
	EMU_EXPECT_MEMEQ(test, req, req_vec, sizeof(req_vec));
	se_on(test);
	KUNIT_ASSERT_EQ(test,
			emu_uv_add(req_vec, sizeof(req_vec), false, &idx, &msg),
			0);
	KUNIT_EXPECT_EQ(test, idx, 0);
	KUNIT_EXPECT_FALSE(test, emu_uv_list(0, page, NULL));
	KUNIT_EXPECT_EQ(test, get_unaligned_be16(page + 16 + 2),
			PROTKEY_EMU_UV_SECRET_AES_256);
	EMU_EXPECT_MEMEQ(test, page + 16 + 16, id, sizeof(id));
}

/* Every refusal of an add, each leaving the store as it was. */
static void emu_se_add_errors(struct kunit *test)
{
	u8 secret[32] = { 1 }, req[REQ_MAX], bad[REQ_MAX];
	const char *msg = NULL;
	u16 idx;
	u32 n;
	int i, ret;

	/* Arrange */
	se_on(test);
	n = build(test, 0x40, PROTKEY_EMU_UV_SECRET_AES_256, "k", secret, 32,
		  req);

	/* Act + Assert: malformed requests, -EINVAL */
	KUNIT_EXPECT_EQ(test, emu_uv_add(req, 127, false, &idx, &msg), -EINVAL);
	KUNIT_EXPECT_EQ(test, emu_uv_add(req, n - 1, false, &idx, &msg),
			-EINVAL);
	{
		static const struct {
			u32 off;
			u8 flip;
		} field[] = { { 0, 1 },	     { 7, 0x80 }, { 9, 1 },
			      { 8, 1 },	     { 0x0b, 2 }, { 0x0b, 0x60 },
			      { 0x0d, 1 },   { 0x0c, 1 }, { 0x0f, 1 },
			      { 0x0e, 0x80 } };

		for (i = 0; i < ARRAY_SIZE(field); i++) {
			memcpy(bad, req, n);
			bad[field[i].off] ^= field[i].flip;
			ret = emu_uv_add(bad, n, false, &idx, &msg);
			KUNIT_EXPECT_EQ_MSG(test, ret, -EINVAL, "byte %#x",
					    field[i].off);
		}
	}
	/* a request for another image, or altered anywhere else: -EBADMSG */
	n = build(test, 0x41, PROTKEY_EMU_UV_SECRET_AES_256, "k", secret, 32,
		  bad);
	KUNIT_EXPECT_EQ(test, emu_uv_add(bad, n, false, &idx, &msg), -EBADMSG);
	for (i = 0x10; i < n; i++) {
		memcpy(bad, req, n);
		bad[i] ^= 0x01;
		KUNIT_EXPECT_EQ_MSG(test, emu_uv_add(bad, n, false, &idx, &msg),
				    -EBADMSG, "byte %d", i);
	}
	KUNIT_EXPECT_EQ(test, stored(), 0U);

	/* an ID already stored: -EEXIST, unless forced */
	KUNIT_ASSERT_EQ(test, emu_uv_add(req, n, false, &idx, &msg), 0);
	KUNIT_EXPECT_EQ(test, emu_uv_add(req, n, false, &idx, &msg), -EEXIST);
	KUNIT_EXPECT_EQ(test, stored(), 1U);
	KUNIT_EXPECT_EQ(test, emu_uv_add(req, n, true, &idx, &msg), 0);
	KUNIT_EXPECT_EQ(test, idx, 1);

	/* full: association and retrievable secrets count apart */
	KUNIT_ASSERT_EQ(test, emu_uv_configure(NULL, 1, 2), 0);
	n = build(test, 0x40, PROTKEY_EMU_UV_SECRET_AES_128, "x", secret, 16,
		  bad);
	KUNIT_EXPECT_EQ(test, emu_uv_add(bad, n, false, &idx, &msg), -ENOSPC);
	add(test, PROTKEY_EMU_UV_SECRET_ASSOCIATION, "a1", secret, 32);
	n = build(test, 0x40, PROTKEY_EMU_UV_SECRET_ASSOCIATION, "a2", secret,
		  32, bad);
	KUNIT_EXPECT_EQ(test, emu_uv_add(bad, n, false, &idx, &msg), -ENOSPC);
	KUNIT_EXPECT_EQ(test, stored(), 3U);
	KUNIT_EXPECT_EQ(test, emu_uv_configure(NULL, 300, 300), -ERANGE);

	/* locked: every add fails */
	KUNIT_ASSERT_EQ(test, emu_uv_configure(NULL, 8, 8), 0);
	emu_uv_lock_store();
	KUNIT_EXPECT_EQ(test, emu_uv_add(bad, n, false, &idx, &msg), -EPERM);
	KUNIT_EXPECT_EQ(test, stored(), 3U);

	/* the builder refuses lengths that do not fit the type */
	KUNIT_EXPECT_EQ(test,
			emu_uv_build_request(secret,
					     PROTKEY_EMU_UV_SECRET_AES_128,
					     secret, secret, 32, secret, bad),
			-EINVAL);
	KUNIT_EXPECT_EQ(test,
			emu_uv_build_request(secret, 9, secret, secret, 32,
					     secret, bad),
			-EINVAL);
}

static void emu_se_list_paging(struct kunit *test)
{
	u8 secret[16] = { 7 }, id[PROTKEY_EMU_UV_ID_SIZE];
	char name[16];
	u8 *page;
	bool locked = true;
	int i;

	/* Arrange: 100 secrets, more than a page holds */
	se_on(test);
	KUNIT_ASSERT_EQ(test, emu_uv_configure(NULL, 8, 120), 0);
	for (i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "s%d", i);
		KUNIT_ASSERT_EQ(test,
				add(test, PROTKEY_EMU_UV_SECRET_AES_128, name,
				    secret, sizeof(secret)),
				i);
	}
	page = kunit_kzalloc(test, PROTKEY_EMU_UV_LIST_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, page);

	/* Act + Assert: 85 entries and "more", from 85 */
	KUNIT_EXPECT_TRUE(test, emu_uv_list(0, page, &locked));
	KUNIT_EXPECT_FALSE(test, locked);
	KUNIT_EXPECT_EQ(test, get_unaligned_be16(page), 85);
	KUNIT_EXPECT_EQ(test, get_unaligned_be16(page + 2), 100);
	KUNIT_EXPECT_EQ(test, get_unaligned_be16(page + 4), 85);
	for (i = 0; i < 85; i++) {
		u8 *e = page + 16 + 48 * i;

		snprintf(name, sizeof(name), "s%d", i);
		sha256(name, strlen(name), id);
		KUNIT_EXPECT_EQ(test, get_unaligned_be16(e), i);
		KUNIT_EXPECT_EQ(test, get_unaligned_be16(e + 2),
				PROTKEY_EMU_UV_SECRET_AES_128);
		/* the length Retrieve gives: the protected key's */
		KUNIT_EXPECT_EQ(test, get_unaligned_be32(e + 4), 48U);
		KUNIT_EXPECT_EQ(test, get_unaligned_be64(e + 8), 0ULL);
		EMU_EXPECT_MEMEQ(test, e + 16, id, sizeof(id));
	}
	/* the second page: the last 15, nothing more */
	KUNIT_EXPECT_FALSE(test, emu_uv_list(85, page, NULL));
	KUNIT_EXPECT_EQ(test, get_unaligned_be16(page), 15);
	KUNIT_EXPECT_EQ(test, get_unaligned_be16(page + 4), 0);
	KUNIT_EXPECT_EQ(test, get_unaligned_be16(page + 16 + 48 * 14), 99);
	KUNIT_EXPECT_TRUE(test,
			  !memchr_inv(page + 16 + 48 * 15, 0,
				      PROTKEY_EMU_UV_LIST_SIZE - 16 - 48 * 15));
	/* beyond the end: an empty page */
	KUNIT_EXPECT_FALSE(test, emu_uv_list(100, page, NULL));
	KUNIT_EXPECT_EQ(test, get_unaligned_be16(page), 0);
	KUNIT_EXPECT_EQ(test, get_unaligned_be16(page + 2), 100);
	emu_uv_lock_store();
	emu_uv_list(0, page, &locked);
	KUNIT_EXPECT_TRUE(test, locked);
}

static void emu_se_retrieve(struct kunit *test)
{
	static const u32 aes[] = { PROTKEY_EMU_UV_SECRET_AES_128,
				   PROTKEY_EMU_UV_SECRET_AES_192,
				   PROTKEY_EMU_UV_SECRET_AES_256 };
	u8 secret[64], out[EMU_UV_RETRIEVE_MAX], back[64];
	struct protkey_pk pk;
	u32 type, len;
	u16 idx;
	int i;

	/* Arrange */
	se_on(test);
	get_random_bytes(secret, sizeof(secret));

	for (i = 0; i < ARRAY_SIZE(aes); i++) {
		u32 klen = emu_uv_secret_len(aes[i]);
		char name[8];

		snprintf(name, sizeof(name), "aes%d", i);
		idx = add(test, aes[i], name, secret, klen);

		/* Act */
		KUNIT_ASSERT_EQ(test, emu_uv_retrieve(idx, &type, out, &len),
				0);

		/* Assert: the protected key of the secret, key + WKVP */
		KUNIT_EXPECT_EQ(test, type, aes[i]);
		KUNIT_ASSERT_EQ(test, len, klen + PROTKEY_WKVP_SIZE);
		pk.type = i + 1;
		pk.len = len;
		memcpy(pk.protkey, out, len);
		KUNIT_ASSERT_EQ(test, emu_pk_unwrap(&pk, back), 0);
		EMU_EXPECT_MEMEQ(test, back, secret, klen);
		KUNIT_EXPECT_NE(test, memcmp(out, secret, klen), 0);
	}
	/* after a wrapping-key change the same index gives a fresh key */
	emu_migrate(0, (u64[]){ 0 }, (const char *[]){ NULL });
	KUNIT_EXPECT_EQ(test, emu_pk_unwrap(&pk, back), -EKEYEXPIRED);
	KUNIT_ASSERT_EQ(test, emu_uv_retrieve(idx, &type, out, &len), 0);
	memcpy(pk.protkey, out, len);
	KUNIT_ASSERT_EQ(test, emu_pk_unwrap(&pk, back), 0);
	EMU_EXPECT_MEMEQ(test, back, secret, 32);

	/* plain: its bytes; association: not retrievable */
	idx = add(test, PROTKEY_EMU_UV_SECRET_PLAIN, "p", secret, 5);
	KUNIT_ASSERT_EQ(test, emu_uv_retrieve(idx, &type, out, &len), 0);
	KUNIT_EXPECT_EQ(test, len, 5U);
	EMU_EXPECT_MEMEQ(test, out, secret, 5);
	idx = add(test, PROTKEY_EMU_UV_SECRET_ASSOCIATION, "a", secret, 32);
	KUNIT_EXPECT_EQ(test, emu_uv_retrieve(idx, &type, out, &len), -ENOENT);
	KUNIT_EXPECT_EQ(test, emu_uv_retrieve(idx + 1, &type, out, &len),
			-ENOENT);
	/* AES-XTS: one full-XTS protected key, both halves and one WKVP */
	idx = add(test, PROTKEY_EMU_UV_SECRET_AES_XTS_128, "x1", secret, 32);
	KUNIT_ASSERT_EQ(test, emu_uv_retrieve(idx, &type, out, &len), 0);
	KUNIT_EXPECT_EQ(test, type, (u32)PROTKEY_EMU_UV_SECRET_AES_XTS_128);
	KUNIT_ASSERT_EQ(test, len, 64U);
	pk.type = PROTKEY_PK_AES_XTS_128;
	pk.len = len;
	memcpy(pk.protkey, out, len);
	KUNIT_ASSERT_EQ(test, emu_pk_unwrap(&pk, back), 0);
	EMU_EXPECT_MEMEQ(test, back, secret, 32);
	idx = add(test, PROTKEY_EMU_UV_SECRET_AES_XTS_256, "x", secret, 64);
	KUNIT_ASSERT_EQ(test, emu_uv_retrieve(idx, &type, out, &len), 0);
	KUNIT_ASSERT_EQ(test, len, 96U);
	pk.type = PROTKEY_PK_AES_XTS_256;
	pk.len = len;
	memcpy(pk.protkey, out, len);
	KUNIT_ASSERT_EQ(test, emu_pk_unwrap(&pk, back), 0);
	EMU_EXPECT_MEMEQ(test, back, secret, 64);
	/* each half wrapped as an AES-256 key of its own */
	KUNIT_EXPECT_NE(test, memcmp(out, secret, 64), 0);
	memzero_explicit(back, sizeof(back));
}

/* se_bind and se_associate: each transition, errno and text. */
static void emu_se_binding(struct kunit *test)
{
	u8 secret[32] = { 3 };
	const char *msg = NULL;
	struct emu_adapter_state s;
	u16 assoc, retr;

	/* Arrange: card 0 CCA, card 1 EP11; not yet an SE guest */
	to_mode(test, APQN1, PROTKEY_EMU_MODE_EP11);
	KUNIT_EXPECT_EQ(test, emu_se_bind(APQN1, true, &msg), -EINVAL);
	expect_texts(test, APQN1, "-", "-");
	se_on(test);
	assoc = add(test, PROTKEY_EMU_UV_SECRET_ASSOCIATION, "assoc", secret,
		    32);
	retr = add(test, PROTKEY_EMU_UV_SECRET_AES_256, "key", secret, 32);

	/* Act + Assert: CCA queues have no SE attributes */
	KUNIT_EXPECT_EQ(test, emu_se_bind(APQN0, true, &msg), -EINVAL);
	KUNIT_EXPECT_EQ(test, emu_se_associate(APQN0, assoc, &msg), -EINVAL);
	expect_texts(test, APQN0, "-", "-");
	KUNIT_EXPECT_EQ(test, emu_se_bind(PROTKEY_EMU_APQN(9, 1), true, &msg),
			-ENODEV);
	/* unbound: bs 2; associate needs bs 1 */
	s = state_of(test, APQN1);
	KUNIT_EXPECT_TRUE(test, s.se);
	KUNIT_EXPECT_EQ(test, s.bs, PROTKEY_EMU_SE_BS_AVAIL_FOR_BINDING);
	expect_texts(test, APQN1, "unbound", "unassociated");
	KUNIT_EXPECT_EQ(test, emu_se_associate(APQN1, assoc, &msg), -EINVAL);
	/* offline is not idle */
	KUNIT_ASSERT_EQ(test, emu_adapter_set_online(APQN1, false, &msg), 0);
	KUNIT_EXPECT_EQ(test, emu_se_bind(APQN1, true, &msg), -EBUSY);
	KUNIT_ASSERT_EQ(test, emu_adapter_set_online(APQN1, true, &msg), 0);
	/* bind: bs 1; binding again needs bs 2 */
	KUNIT_ASSERT_EQ(test, emu_se_bind(APQN1, true, &msg), 0);
	KUNIT_EXPECT_EQ(test, state_of(test, APQN1).bs,
			PROTKEY_EMU_SE_BS_USABLE_NO_SECURE_KEY);
	expect_texts(test, APQN1, "bound", "unassociated");
	KUNIT_EXPECT_EQ(test, emu_se_bind(APQN1, true, &msg), -EINVAL);
	KUNIT_EXPECT_EQ(test, emu_se_associate(APQN1, 0x10000, &msg), -EINVAL);
	/* associate: pending until the UV answers, then bs 0 */
	emu_se_set_knobs(60000, 0);
	KUNIT_ASSERT_EQ(test, emu_se_associate(APQN1, assoc, &msg), 0);
	expect_texts(test, APQN1, "bound", "association pending");
	KUNIT_EXPECT_EQ(test, state_of(test, APQN1).bs,
			PROTKEY_EMU_SE_BS_USABLE_NO_SECURE_KEY);
	KUNIT_EXPECT_EQ(test, emu_se_associate(APQN1, assoc, &msg), -EBUSY);
	/* unbinding works in any state and ends the request */
	KUNIT_ASSERT_EQ(test, emu_se_bind(APQN1, false, &msg), 0);
	expect_texts(test, APQN1, "unbound", "unassociated");
	emu_se_set_knobs(0, 0);
	KUNIT_ASSERT_EQ(test, emu_se_bind(APQN1, true, &msg), 0);
	KUNIT_ASSERT_EQ(test, emu_se_associate(APQN1, assoc, &msg), 0);
	s = state_of(test, APQN1);
	KUNIT_EXPECT_EQ(test, s.bs, PROTKEY_EMU_SE_BS_USABLE);
	KUNIT_EXPECT_EQ(test, s.assoc_idx, (u32)assoc);
	expect_texts(test, APQN1, "bound", "associated 0");
	KUNIT_EXPECT_EQ(test, emu_se_associate(APQN1, assoc, &msg), -EINVAL);
	/* an index without an association secret: the queue is unusable */
	KUNIT_ASSERT_EQ(test, emu_se_bind(APQN1, false, &msg), 0);
	KUNIT_ASSERT_EQ(test, emu_se_bind(APQN1, true, &msg), 0);
	KUNIT_ASSERT_EQ(test, emu_se_associate(APQN1, retr, &msg), 0);
	KUNIT_EXPECT_EQ(test, state_of(test, APQN1).bs,
			PROTKEY_EMU_SE_BS_UNUSABLE);
	expect_texts(test, APQN1, "unbound", "unassociated");
	KUNIT_EXPECT_FALSE(test, state_of(test, APQN1).online);
	KUNIT_EXPECT_EQ(test, emu_se_bind(APQN1, true, &msg), -EINVAL);
	KUNIT_ASSERT_EQ(test, emu_se_bind(APQN1, false, &msg), 0);
	KUNIT_EXPECT_EQ(test, state_of(test, APQN1).bs,
			PROTKEY_EMU_SE_BS_AVAIL_FOR_BINDING);
	/* an accelerator binds to bs 0 and is never associated */
	to_mode(test, APQN1, PROTKEY_EMU_MODE_ACCEL);
	KUNIT_ASSERT_EQ(test, emu_se_bind(APQN1, true, &msg), 0);
	KUNIT_EXPECT_EQ(test, state_of(test, APQN1).bs,
			PROTKEY_EMU_SE_BS_USABLE);
	expect_texts(test, APQN1, "bound", "-");
	KUNIT_EXPECT_EQ(test, emu_se_associate(APQN1, assoc, &msg), -EINVAL);
	/* leaving SE mode: no SE state */
	KUNIT_ASSERT_EQ(test, emu_se_set(false, &msg), 0);
	KUNIT_EXPECT_FALSE(test, state_of(test, APQN1).se);
	KUNIT_EXPECT_EQ(test, emu_se_bind(APQN1, false, &msg), -EINVAL);
}

/* Derives in an SE guest: only through an associated EP11 queue. */
static void emu_se_derive(struct kunit *test)
{
	struct protkey_platform_ops *ops = emu_kunit_ops(test);
	u8 token[PROTKEY_EMU_SECKEY_MAX_SIZE], cca[PROTKEY_EMU_SECKEY_SIZE];
	u8 clear[32], secret[32] = { 9 }, wk[PROTKEY_EMU_MK_SIZE];
	const char *msg = NULL;
	struct protkey_key_info info;
	struct protkey_pk pk;
	u64 gen = 0, gen2 = 0;
	u32 len = 0;
	u16 assoc;

	/* Arrange: a CCA key, then both cards EP11 and an EP11 key */
	get_random_bytes(clear, sizeof(clear));
	emu_kunit_mk_activate(test, 0x10);
	emu_kunit_seckey(test, clear, 32, cca);
	ep11_setup(test, WK_A);
	KUNIT_ASSERT_EQ(test,
			emu_key_generate_type(PROTKEY_EMU_KEY_EP11_AES, 256,
					      clear, 32, token, sizeof(token),
					      &len, &msg),
			0);
	to_mode(test, APQN0, PROTKEY_EMU_MODE_CCA);
	emu_kunit_mk(wk, 0x10);
	KUNIT_ASSERT_EQ(test, emu_mk_load(APQN0, wk, &msg), 0);
	KUNIT_ASSERT_EQ(test, emu_mk_set(APQN0, &msg), 0);
	KUNIT_ASSERT_EQ(test, ops->derive(cca, sizeof(cca), &pk, 0), 0);
	se_on(test);

	/* Act + Assert: CCA is unusable in an SE guest */
	KUNIT_EXPECT_EQ(test, ops->derive(cca, sizeof(cca), &pk, 0), -ENODEV);
	KUNIT_ASSERT_EQ(test, ops->key_info(cca, sizeof(cca), &info), 0);
	KUNIT_EXPECT_EQ(test, info.usable_adapters, 0U);
	/* unbound, then bound but unassociated: no queue serves */
	KUNIT_EXPECT_EQ(test, ops->derive(token, len, &pk, 0), -ENODEV);
	KUNIT_ASSERT_EQ(test, emu_se_bind(APQN1, true, &msg), 0);
	KUNIT_EXPECT_EQ(test, ops->derive(token, len, &pk, 0), -ENODEV);
	KUNIT_ASSERT_EQ(test, ops->key_info(token, len, &info), 0);
	KUNIT_EXPECT_EQ(test, info.usable_adapters, 1U);
	KUNIT_EXPECT_EQ(test, info.match, PROTKEY_MK_NONE);
	/* the switchable choice: the card rejects it */
	emu_se_set_knobs(U32_MAX, -EIO);
	KUNIT_EXPECT_EQ(test, ops->derive(token, len, &pk, 0), -EIO);
	/* associated: the key derives */
	assoc = add(test, PROTKEY_EMU_UV_SECRET_ASSOCIATION, "a", secret, 32);
	KUNIT_ASSERT_EQ(test, emu_se_associate(APQN1, assoc, &msg), 0);
	KUNIT_ASSERT_EQ(test, ops->derive(token, len, &pk, 0), 0);
	KUNIT_ASSERT_EQ(test, ops->key_info(token, len, &info), 0);
	KUNIT_EXPECT_EQ(test, info.match, PROTKEY_MK_CURRENT);

	/* a guest reboot: new wrapping key, store wiped, queues unbound */
	gen = emu_wk_generation();
	KUNIT_ASSERT_EQ(test, emu_guest_reboot(&gen2, &msg), 0);
	KUNIT_EXPECT_EQ(test, gen2, gen + 1);
	KUNIT_EXPECT_EQ(test, stored(), 0U);
	KUNIT_EXPECT_EQ(test, state_of(test, APQN1).bs,
			PROTKEY_EMU_SE_BS_AVAIL_FOR_BINDING);
	KUNIT_EXPECT_NE(test, state_of(test, APQN1).mkvp_valid, 0U);
	/* unbound is never usable, whatever the unassociated errno */
	KUNIT_EXPECT_EQ(test, ops->derive(token, len, &pk, 0), -ENODEV);
	emu_se_set_knobs(U32_MAX, -ENODEV);
	/* the same steps as at boot make it usable again */
	KUNIT_ASSERT_EQ(test, emu_se_bind(APQN1, true, &msg), 0);
	assoc = add(test, PROTKEY_EMU_UV_SECRET_ASSOCIATION, "a", secret, 32);
	KUNIT_ASSERT_EQ(test, emu_se_associate(APQN1, assoc, &msg), 0);
	KUNIT_EXPECT_EQ(test, ops->derive(token, len, &pk, 0), 0);

	/* out of SE mode, a reboot only changes the wrapping key */
	KUNIT_ASSERT_EQ(test, emu_se_set(false, &msg), 0);
	KUNIT_ASSERT_EQ(test, emu_guest_reboot(&gen2, &msg), 0);
	KUNIT_EXPECT_EQ(test, ops->derive(token, len, &pk, 0), 0);
	KUNIT_EXPECT_EQ(test, ops->derive(cca, sizeof(cca), &pk, 0), 0);
	memzero_explicit(clear, sizeof(clear));
}

/* A UV secret token (struct uvsecrettoken) for the secret named @name. */
static void uv_token(u8 tok[PROTKEY_EMU_UV_TOKEN_SIZE], u16 type,
		     const char *name)
{
	memset(tok, 0, PROTKEY_EMU_UV_TOKEN_SIZE);
	tok[4] = PROTKEY_EMU_UV_TOKEN_VERSION;
	put_unaligned_be16(type, tok + 8);
	put_unaligned_be16(emu_uv_secret_len(type), tok + 10);
	sha256(name, strlen(name), tok + 12);
}

/* UV secret tokens: pkey_uv's checks, retrieve by ID, reboot, re-add. */
static void emu_se_uv_token(struct kunit *test)
{
	u8 tok[PROTKEY_EMU_UV_TOKEN_SIZE + 1], secret[32], back[32];
	struct protkey_key_info info;
	const char *msg = NULL;
	struct protkey_pk pk;
	u64 gen;

	/* Arrange */
	get_random_bytes(secret, sizeof(secret));
	uv_token(tok, PROTKEY_EMU_UV_SECRET_AES_256, "vol");

	/* Act + Assert: which tokens are pkey_uv's (is_uv_key()) */
	KUNIT_EXPECT_TRUE(test, emu_uv_token_supported(tok, 44));
	KUNIT_EXPECT_TRUE(test, emu_uv_token_supported(tok, 45));
	KUNIT_EXPECT_FALSE(test, emu_uv_token_supported(tok, 43));
	tok[4] = 0x06;
	KUNIT_EXPECT_FALSE(test, emu_uv_token_supported(tok, 44));
	tok[4] = PROTKEY_EMU_UV_TOKEN_VERSION;
	tok[0] = 0x01;
	KUNIT_EXPECT_FALSE(test, emu_uv_token_supported(tok, 44));
	tok[0] = 0x00;
	put_unaligned_be16(PROTKEY_EMU_UV_SECRET_PLAIN, tok + 8);
	KUNIT_EXPECT_FALSE(test, emu_uv_token_supported(tok, 44));
	put_unaligned_be16(PROTKEY_EMU_UV_SECRET_ASSOCIATION, tok + 8);
	KUNIT_EXPECT_FALSE(test, emu_uv_token_supported(tok, 44));
	put_unaligned_be16(0x0a, tok + 8); /* HMAC-SHA-512 */
	KUNIT_EXPECT_TRUE(test, emu_uv_token_supported(tok, 44));
	/* its protected key (160 bytes) does not fit the 96-byte buffer */
	se_on(test);
	KUNIT_EXPECT_EQ(test, emu_uv_derive(tok, 44, &pk), -EINVAL);
	/* 96 bytes fit (HMAC-SHA-256, AES-XTS-256): looked up, absent */
	put_unaligned_be16(0x09, tok + 8);
	KUNIT_EXPECT_EQ(test, emu_uv_derive(tok, 44, &pk), -ENOENT);
	put_unaligned_be16(PROTKEY_EMU_UV_SECRET_AES_XTS_256, tok + 8);
	KUNIT_EXPECT_EQ(test, emu_uv_derive(tok, 44, &pk), -ENOENT);

	/* not an SE guest: no pkey_uv */
	uv_token(tok, PROTKEY_EMU_UV_SECRET_AES_256, "vol");
	KUNIT_ASSERT_EQ(test, emu_se_set(false, &msg), 0);
	KUNIT_EXPECT_EQ(test, emu_uv_derive(tok, 44, &pk), -ENODEV);
	KUNIT_ASSERT_EQ(test, emu_uv_key_info(tok, 44, &info), 0);
	KUNIT_EXPECT_EQ(test, info.match, PROTKEY_MK_NONE);

	/* an SE guest without the secret: -ENOENT */
	se_on(test);
	KUNIT_EXPECT_EQ(test, emu_uv_derive(tok, 44, &pk), -ENOENT);
	add(test, PROTKEY_EMU_UV_SECRET_AES_128, "vol", secret, 16);
	/* the ID is there, with another type */
	KUNIT_EXPECT_EQ(test, emu_uv_derive(tok, 44, &pk), -EINVAL);
	KUNIT_ASSERT_EQ(test, emu_uv_key_info(tok, 44, &info), 0);
	KUNIT_EXPECT_EQ(test, info.match, PROTKEY_MK_NONE);

	/* the right secret: its protected key under the current WK */
	uv_token(tok, PROTKEY_EMU_UV_SECRET_AES_256, "vol2");
	add(test, PROTKEY_EMU_UV_SECRET_AES_256, "vol2", secret, 32);
	KUNIT_ASSERT_EQ(test, emu_uv_derive(tok, 44, &pk), 0);
	KUNIT_EXPECT_EQ(test, pk.type, (u32)PROTKEY_PK_AES_256);
	KUNIT_ASSERT_EQ(test, pk.len, 64U);
	KUNIT_ASSERT_EQ(test, emu_pk_unwrap(&pk, back), 0);
	EMU_EXPECT_MEMEQ(test, back, secret, 32);
	KUNIT_ASSERT_EQ(test, emu_uv_key_info(tok, 44, &info), 0);
	KUNIT_EXPECT_EQ(test, info.match, PROTKEY_MK_CURRENT);
	KUNIT_EXPECT_EQ(test, info.key_bits, 256U);
	KUNIT_EXPECT_EQ(test, info.token_version, 0x09);
	KUNIT_EXPECT_EQ(test, info.mkvp, 0ULL);

	/* a reboot: the key is stale and the secret gone until re-added */
	KUNIT_ASSERT_EQ(test, emu_guest_reboot(&gen, &msg), 0);
	KUNIT_EXPECT_EQ(test, emu_pk_unwrap(&pk, back), -EKEYEXPIRED);
	KUNIT_EXPECT_EQ(test, emu_uv_derive(tok, 44, &pk), -ENOENT);
	add(test, PROTKEY_EMU_UV_SECRET_AES_256, "vol2", secret, 32);
	KUNIT_ASSERT_EQ(test, emu_uv_derive(tok, 44, &pk), 0);
	KUNIT_ASSERT_EQ(test, emu_pk_unwrap(&pk, back), 0);
	EMU_EXPECT_MEMEQ(test, back, secret, 32);

	/* an AES-XTS secret: a full-XTS protected key of both halves */
	uv_token(tok, PROTKEY_EMU_UV_SECRET_AES_XTS_128, "x");
	add(test, PROTKEY_EMU_UV_SECRET_AES_XTS_128, "x", secret, 32);
	KUNIT_ASSERT_EQ(test, emu_uv_derive(tok, 44, &pk), 0);
	KUNIT_EXPECT_EQ(test, pk.type, (u32)PROTKEY_PK_AES_XTS_128);
	KUNIT_ASSERT_EQ(test, pk.len, 64U);
	KUNIT_ASSERT_EQ(test, emu_pk_unwrap(&pk, back), 0);
	EMU_EXPECT_MEMEQ(test, back, secret, 32);
	memzero_explicit(back, sizeof(back));
	memzero_explicit(secret, sizeof(secret));
}

/*
 * Full-XTS KM (0x5a/0x5c) on the protected key of a UV AES-XTS secret,
 * against the kernel's generic xts(aes) keyed with the secret.
 */
struct full_case {
	u32 type;
	bool lib_only;
	const char *desc;
};

static const struct full_case full_cases[] = {
	{ PROTKEY_EMU_UV_SECRET_AES_XTS_128, false, "xts-128 fast" },
	{ PROTKEY_EMU_UV_SECRET_AES_XTS_128, true, "xts-128 reference" },
	{ PROTKEY_EMU_UV_SECRET_AES_XTS_256, false, "xts-256 fast" },
	{ PROTKEY_EMU_UV_SECRET_AES_XTS_256, true, "xts-256 reference" },
};

static void full_desc(const struct full_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(full, full_cases, full_desc);

#define FULL_LEN 4096

/* The parameter block as paes_s390.c fills it (written out here). */
static void full_param(struct protkey_xts_full_km_param *km,
		       const struct protkey_pk *pk, const u8 *iv)
{
	unsigned int keylen = pk->len - PROTKEY_WKVP_SIZE;

	memset(km, 0, sizeof(*km));
	memcpy(km->key + sizeof(km->key) - keylen, pk->protkey, keylen);
	memcpy(km->wkvp, pk->protkey + keylen, PROTKEY_WKVP_SIZE);
	memcpy(km->tweak, iv, sizeof(km->tweak));
	km->nap[0] = 1;
}

/* One data unit through full-XTS KM, split in two calls at @split. */
static void full_km(struct kunit *test, const struct protkey_pk *pk,
		    enum protkey_km_dir dir, const u8 *iv, u8 *dst,
		    const u8 *src, unsigned int len, unsigned int split)
{
	struct protkey_platform_ops *ops = emu_kunit_ops(test);
	struct protkey_xts_full_km_param km;

	full_param(&km, pk, iv);
	KUNIT_ASSERT_EQ(test,
			ops->km_xts_full(pk->type, dir, &km, dst, src, split),
			split);
	KUNIT_ASSERT_EQ(test,
			ops->km_xts_full(pk->type, dir, &km, dst + split,
					 src + split, len - split),
			len - split);
	/* the tweak stays, nap is alpha^(blocks) */
	KUNIT_EXPECT_EQ(test, memcmp(km.tweak, iv, sizeof(km.tweak)), 0);
}

static void emu_se_full_xts_km(struct kunit *test)
{
	struct protkey_platform_ops *ops = emu_kunit_ops(test);
	const struct full_case *c = test->param_value;
	u32 klen = emu_uv_secret_len(c->type);
	u8 tok[PROTKEY_EMU_UV_TOKEN_SIZE], secret[64], iv[AES_BLOCK_SIZE];
	struct protkey_xts_full_km_param km;
	struct crypto_skcipher *oracle;
	const char *msg = NULL;
	struct protkey_pk pk;
	u8 *src, *want, *got;
	unsigned int i, split, k;
	u64 gen;

	/* Arrange */
	src = kunit_kmalloc(test, FULL_LEN, GFP_KERNEL);
	want = kunit_kmalloc(test, FULL_LEN, GFP_KERNEL);
	got = kunit_kmalloc(test, FULL_LEN, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, src && want && got);
	oracle = oracle_alloc(test);
	se_on(test);
	emu_cpacf_set_lib_only(c->lib_only);
	get_random_bytes(secret, sizeof(secret));
	uv_token(tok, c->type, "full");
	add(test, c->type, "full", secret, klen);
	KUNIT_ASSERT_EQ(test, emu_uv_derive(tok, sizeof(tok), &pk), 0);

	for (i = 0; i < 20; i++) {
		unsigned int len = get_random_u32_inclusive(1, FULL_LEN / 16) *
				   AES_BLOCK_SIZE;

		split = get_random_u32_below(len / 16 + 1) * 16;
		get_random_bytes(iv, sizeof(iv));
		get_random_bytes(src, len);
		oracle_xts(test, oracle, secret, klen, true, iv, want, src,
			   len);

		/* Act + Assert: encrypt in two calls, decrypt in two others */
		full_km(test, &pk, PROTKEY_KM_ENCRYPT, iv, got, src, len,
			split);
		EMU_ASSERT_MEMEQ(test, got, want, len);
		full_km(test, &pk, PROTKEY_KM_DECRYPT, iv, got, want, len,
			len - split);
		EMU_ASSERT_MEMEQ(test, got, src, len);
	}

	/* Act + Assert: a KM that stops early resumes from its nap */
	oracle_xts(test, oracle, secret, klen, true, iv, want, src, FULL_LEN);
	full_param(&km, &pk, iv);
	emu_km_partial(1, 3);
	k = ops->km_xts_full(pk.type, PROTKEY_KM_ENCRYPT, &km, got, src,
			     FULL_LEN);
	KUNIT_ASSERT_EQ(test, k, 3U * AES_BLOCK_SIZE);
	KUNIT_ASSERT_EQ(test,
			ops->km_xts_full(pk.type, PROTKEY_KM_ENCRYPT, &km,
					 got + k, src + k, FULL_LEN - k),
			FULL_LEN - k);
	EMU_EXPECT_MEMEQ(test, got, want, FULL_LEN);

	/* Act + Assert: a new wrapping key, the short count (nothing done) */
	KUNIT_ASSERT_EQ(test, emu_migrate(0, &gen, &msg), 0);
	full_param(&km, &pk, iv);
	memset(got, 0xa5, 64);
	KUNIT_EXPECT_EQ(test,
			ops->km_xts_full(pk.type, PROTKEY_KM_ENCRYPT, &km, got,
					 src, 64),
			0U);
	KUNIT_EXPECT_TRUE(test, !memchr_inv(got, 0xa5, 64));
	KUNIT_EXPECT_EQ(test, km.nap[0], 1);
	/* retrieved again: works under the new wrapping key */
	KUNIT_ASSERT_EQ(test, emu_uv_derive(tok, sizeof(tok), &pk), 0);
	full_km(test, &pk, PROTKEY_KM_ENCRYPT, iv, got, src, FULL_LEN, 512);
	EMU_EXPECT_MEMEQ(test, got, want, FULL_LEN);

	emu_cpacf_set_lib_only(false);
	crypto_free_skcipher(oracle);
	memzero_explicit(secret, sizeof(secret));
	memzero_explicit(&pk, sizeof(pk));
}

/*
 * protkey.ko's xts(paes) with one 44-byte UV AES-XTS token: full-XTS, no
 * PCC; resumed after KM stops early; re-derived after a guest reboot once
 * the secret is back. A pair of XTS tokens, or one AES token, is refused.
 */
static void emu_se_full_xts_paes(struct kunit *test)
{
	u8 tok[2 * PROTKEY_EMU_UV_TOKEN_SIZE], secret[64], iv[AES_BLOCK_SIZE];
	struct crypto_skcipher *paes, *oracle;
	struct emu_counters before, after;
	const char *msg = NULL;
	u8 *src, *want, *got;
	u64 gen;

	/* Arrange */
	src = kunit_kmalloc(test, FULL_LEN, GFP_KERNEL);
	want = kunit_kmalloc(test, FULL_LEN, GFP_KERNEL);
	got = kunit_kmalloc(test, FULL_LEN, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, src && want && got);
	se_on(test);
	get_random_bytes(secret, sizeof(secret));
	get_random_bytes(iv, sizeof(iv));
	get_random_bytes(src, FULL_LEN);
	add(test, PROTKEY_EMU_UV_SECRET_AES_XTS_256, "paes", secret, 64);
	add(test, PROTKEY_EMU_UV_SECRET_AES_256, "aes", secret, 32);
	oracle = oracle_alloc(test);
	oracle_xts(test, oracle, secret, 64, true, iv, want, src, FULL_LEN);
	paes = crypto_alloc_skcipher("xts(paes)", 0, 0);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(paes), "no xts(paes): %ld",
			       PTR_ERR(paes));

	/* Act + Assert: refused shapes */
	uv_token(tok, PROTKEY_EMU_UV_SECRET_AES_256, "aes");
	KUNIT_EXPECT_EQ(test,
			crypto_skcipher_setkey(paes, tok,
					       PROTKEY_EMU_UV_TOKEN_SIZE),
			-EINVAL);
	uv_token(tok, PROTKEY_EMU_UV_SECRET_AES_XTS_256, "paes");
	uv_token(tok + PROTKEY_EMU_UV_TOKEN_SIZE,
		 PROTKEY_EMU_UV_SECRET_AES_XTS_256, "other");
	KUNIT_EXPECT_EQ(test, crypto_skcipher_setkey(paes, tok, sizeof(tok)),
			-EINVAL);

	/* Act + Assert: the one token is the key */
	KUNIT_ASSERT_EQ(test,
			crypto_skcipher_setkey(paes, tok,
					       PROTKEY_EMU_UV_TOKEN_SIZE),
			0);
	emu_get_counters(&before);
	emu_km_partial(3, 5);
	oracle_xts(test, paes, NULL, 0, true, iv, got, src, FULL_LEN);
	emu_get_counters(&after);
	KUNIT_EXPECT_EQ(test, after.km_partial - before.km_partial, 3ULL);
	KUNIT_EXPECT_EQ(test, after.pcc_calls - before.pcc_calls, 0ULL);
	EMU_EXPECT_MEMEQ(test, got, want, FULL_LEN);
	oracle_xts(test, paes, NULL, 0, false, iv, got, want, FULL_LEN);
	EMU_EXPECT_MEMEQ(test, got, src, FULL_LEN);

	/* Act + Assert: reboot, the secret added again, re-derived */
	KUNIT_ASSERT_EQ(test, emu_guest_reboot(&gen, &msg), 0);
	se_on(test);
	add(test, PROTKEY_EMU_UV_SECRET_AES_XTS_256, "paes", secret, 64);
	emu_get_counters(&before);
	oracle_xts(test, paes, NULL, 0, true, iv, got, src, FULL_LEN);
	emu_get_counters(&after);
	KUNIT_EXPECT_GE(test, after.km_short - before.km_short, 1ULL);
	KUNIT_EXPECT_EQ(test, after.derives - before.derives, 1ULL);
	EMU_EXPECT_MEMEQ(test, got, want, FULL_LEN);

	crypto_free_skcipher(paes);
	crypto_free_skcipher(oracle);
	memzero_explicit(secret, sizeof(secret));
}

static struct kunit_case protkey_emu_se_cases[] = {
	KUNIT_CASE(emu_se_request_vector),
	KUNIT_CASE(emu_se_add_errors),
	KUNIT_CASE(emu_se_list_paging),
	KUNIT_CASE(emu_se_retrieve),
	KUNIT_CASE(emu_se_binding),
	KUNIT_CASE(emu_se_derive),
	KUNIT_CASE(emu_se_uv_token),
	KUNIT_CASE_PARAM(emu_se_full_xts_km, full_gen_params),
	KUNIT_CASE(emu_se_full_xts_paes),
	{}
};

static struct kunit_suite protkey_emu_se_suite = {
	.name = "protkey_emu_se",
	.init = emu_kunit_init,
	.exit = emu_kunit_exit,
	.test_cases = protkey_emu_se_cases,
};

kunit_test_suite(protkey_emu_se_suite);

MODULE_DESCRIPTION("KUnit tests of protkey_emu's SE guest and Ultravisor");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_IMPORT_NS(PROTKEY_EMU_CONTROL);
