// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of protkey's xts(paes) (kernel/skcipher.c) through the
 * crypto API, on a fake platform registered with protkey's registry:
 * setkey validation, data against the kernel's generic xts(aes), and
 * re-derivation seen from the requests.
 */
#include <crypto/skcipher.h>
#include <kunit/test.h>
#include <linux/random.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>

#include "../key.h"
#include "fake_platform.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_IMPORT_NS(PROTKEY);

#define BLOB_SIZE (2 * FAKE_TOKEN_SIZE)

static const u8 clear1[32] = { 0x61, 0x80, 0x33, 0x98, 0x87, 0x49, 0x89, 0x48,
			       0x48, 0x20, 0x45, 0x86, 0x83, 0x43, 0x65, 0x63,
			       0x81, 0x17, 0x72, 0x03, 0x09, 0x17, 0x98, 0x05,
			       0x76, 0x28, 0x62, 0x13, 0x54, 0x48, 0x62, 0x27 };
static const u8 clear2[32] = { 0x14, 0x14, 0x21, 0x35, 0x62, 0x37, 0x30, 0x95,
			       0x04, 0x88, 0x01, 0x68, 0x87, 0x24, 0x20, 0x96,
			       0x98, 0x07, 0x85, 0x69, 0x67, 0x18, 0x75, 0x37,
			       0x69, 0x48, 0x07, 0x31, 0x79, 0x76, 0x78, 0x73 };

static unsigned int saved_timeout;

static int skc_suite_init(struct kunit_suite *suite)
{
	fake_reset();
	return protkey_platform_register(&fake_ops);
}

static void skc_suite_exit(struct kunit_suite *suite)
{
	protkey_platform_unregister(&fake_ops);
}

static int skc_test_init(struct kunit *test)
{
	fake_reset();
	saved_timeout = protkey_rekey_timeout_ms;
	protkey_rekey_timeout_ms = 2000;
	return 0;
}

static void skc_test_exit(struct kunit *test)
{
	protkey_rekey_timeout_ms = saved_timeout;
}

static void make_blob(u8 blob[BLOB_SIZE], unsigned int keylen)
{
	fake_make_token(blob, clear1, keylen, 1);
	fake_make_token(blob + FAKE_TOKEN_SIZE, clear2, keylen, 1);
}

static struct crypto_skcipher *alloc_tfm(struct kunit *test, const char *name)
{
	struct crypto_skcipher *tfm = crypto_alloc_skcipher(name, 0, 0);

	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(tfm), "%s: %ld", name,
			       PTR_ERR(tfm));
	return tfm;
}

/* xts(paes) with AES keys of @keylen bytes (16 or 32) a half. */
static struct crypto_skcipher *alloc_paes_len(struct kunit *test,
					      unsigned int keylen)
{
	struct crypto_skcipher *tfm = alloc_tfm(test, "xts(paes)");
	u8 blob[BLOB_SIZE];

	KUNIT_ASSERT_STREQ(test,
			   crypto_tfm_alg_driver_name(crypto_skcipher_tfm(tfm)),
			   "xts-paes-protkey");
	make_blob(blob, keylen);
	KUNIT_ASSERT_EQ(test, crypto_skcipher_setkey(tfm, blob, BLOB_SIZE), 0);
	return tfm;
}

static struct crypto_skcipher *alloc_paes(struct kunit *test)
{
	return alloc_paes_len(test, 32);
}

/* The generic xts(aes) with the same clear keys. */
static struct crypto_skcipher *alloc_ref_len(struct kunit *test,
					     unsigned int keylen)
{
	struct crypto_skcipher *tfm = alloc_tfm(test, "xts(aes)");
	u8 key[64];

	memcpy(key, clear1, keylen);
	memcpy(key + keylen, clear2, keylen);
	KUNIT_ASSERT_EQ(test, crypto_skcipher_setkey(tfm, key, 2 * keylen), 0);
	return tfm;
}

static struct crypto_skcipher *alloc_ref(struct kunit *test)
{
	return alloc_ref_len(test, 32);
}

/* One request with its own wait, so many can be in flight. */
struct test_req {
	struct skcipher_request *req;
	struct crypto_wait wait;
	struct scatterlist src[2], dst[2];
	u8 iv[16];
	int submitted;
};

static void treq_init(struct kunit *test, struct test_req *t,
		      struct crypto_skcipher *tfm, u8 *in, u8 *out,
		      unsigned int len, unsigned int split, u64 sector)
{
	t->req = skcipher_request_alloc(tfm, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t->req);
	crypto_init_wait(&t->wait);
	memset(t->iv, 0, sizeof(t->iv));
	memcpy(t->iv, &sector, sizeof(sector));
	if (split) {
		sg_init_table(t->src, 2);
		sg_set_buf(&t->src[0], in, split);
		sg_set_buf(&t->src[1], in + split, len - split);
		sg_init_table(t->dst, 2);
		sg_set_buf(&t->dst[0], out, split);
		sg_set_buf(&t->dst[1], out + split, len - split);
	} else {
		sg_init_one(t->src, in, len);
		sg_init_one(t->dst, out, len);
	}
	skcipher_request_set_callback(t->req, CRYPTO_TFM_REQ_MAY_BACKLOG,
				      crypto_req_done, &t->wait);
	skcipher_request_set_crypt(t->req, t->src, in == out ? t->src : t->dst,
				   len, t->iv);
}

static int treq_run(struct kunit *test, struct crypto_skcipher *tfm, u8 *in,
		    u8 *out, unsigned int len, unsigned int split, u64 sector,
		    bool enc, int *submitted)
{
	struct test_req t;
	int ret;

	treq_init(test, &t, tfm, in, out, len, split, sector);
	ret = enc ? crypto_skcipher_encrypt(t.req) :
		    crypto_skcipher_decrypt(t.req);
	if (submitted)
		*submitted = ret;
	ret = crypto_wait_req(ret, &t.wait);
	skcipher_request_free(t.req);
	return ret;
}

/* Setkey validation table. */
enum blob_kind {
	B_OK_256,
	B_OK_128,
	B_ODD,
	B_SHORT,
	B_SAME,
	B_TYPES,
	B_NO_BACKEND,
	B_AES_192,
	B_SIZES_DIFFER,
	B_HALF_UNSUPPORTED,
	B_DERIVE_EIO,
};

struct setkey_case {
	const char *desc;
	enum blob_kind kind;
	int ret;
};

static const struct setkey_case setkey_cases[] = {
	{ "two AES-256 tokens", B_OK_256, 0 },
	{ "two AES-128 tokens", B_OK_128, 0 },
	{ "odd length", B_ODD, -EINVAL },
	{ "halves shorter than 64 bytes", B_SHORT, -EINVAL },
	{ "identical halves", B_SAME, -EINVAL },
	{ "halves of different token types", B_TYPES, -EINVAL },
	{ "not a secure-key token", B_NO_BACKEND, -EINVAL },
	{ "AES-192 is no XTS size", B_AES_192, -EINVAL },
	{ "halves of different key sizes", B_SIZES_DIFFER, -EINVAL },
	{ "backend rejects the second half", B_HALF_UNSUPPORTED, -EINVAL },
	{ "derive fails with EIO", B_DERIVE_EIO, -EIO },
};

static void setkey_desc(const struct setkey_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(setkey, setkey_cases, setkey_desc);

static unsigned int build_blob(u8 *blob, enum blob_kind kind)
{
	make_blob(blob, kind == B_OK_128 ? 16 : kind == B_AES_192 ? 24 : 32);
	switch (kind) {
	case B_ODD:
		return BLOB_SIZE - 1;
	case B_SHORT:
		memcpy(blob + 32, blob + FAKE_TOKEN_SIZE, 32);
		return 64;
	case B_SAME:
		memcpy(blob + FAKE_TOKEN_SIZE, blob, FAKE_TOKEN_SIZE);
		break;
	case B_TYPES:
		blob[FAKE_TOKEN_SIZE] = 0x01;
		break;
	case B_NO_BACKEND:
		blob[0] = 0x42;
		blob[FAKE_TOKEN_SIZE] = 0x42;
		break;
	case B_SIZES_DIFFER:
		fake_make_token(blob + FAKE_TOKEN_SIZE, clear2, 16, 1);
		break;
	case B_HALF_UNSUPPORTED:
		blob[FAKE_TOKEN_SIZE + 5] = 17;
		break;
	case B_DERIVE_EIO:
		atomic_set(&fake.fail_count, 1);
		fake.fail_errno = -EIO;
		break;
	default:
		break;
	}
	return BLOB_SIZE;
}

static void setkey_table(struct kunit *test)
{
	const struct setkey_case *c = test->param_value;
	struct crypto_skcipher *tfm = alloc_tfm(test, "xts(paes)");
	u8 blob[BLOB_SIZE];
	unsigned int len;

	/* Arrange */
	len = build_blob(blob, c->kind);

	/* Act + Assert */
	KUNIT_EXPECT_EQ(test, crypto_skcipher_setkey(tfm, blob, len), c->ret);
	crypto_free_skcipher(tfm);
}

static void encrypt_without_key_fails(struct kunit *test)
{
	struct crypto_skcipher *tfm = alloc_tfm(test, "xts(paes)");
	u8 buf[32] = {};
	int ret;

	/* The crypto API itself refuses a tfm whose setkey never succeeded. */
	ret = treq_run(test, tfm, buf, buf, 32, 0, 0, true, NULL);
	KUNIT_EXPECT_EQ(test, ret, -ENOKEY);
	crypto_free_skcipher(tfm);
}

static void encrypt_bad_length_fails(struct kunit *test)
{
	struct crypto_skcipher *tfm = alloc_paes(test);
	u8 buf[32] = {};
	int ret;

	/* No ciphertext stealing: whole blocks only, at least one. */
	ret = treq_run(test, tfm, buf, buf, 24, 0, 0, true, NULL);
	KUNIT_EXPECT_EQ(test, ret, -EINVAL);
	ret = treq_run(test, tfm, buf, buf, 0, 0, 0, false, NULL);
	KUNIT_EXPECT_EQ(test, ret, -EINVAL);
	crypto_free_skcipher(tfm);
}

/* Data against the generic xts(aes). */
struct vec_case {
	const char *desc;
	unsigned int len;
	unsigned int split;
	bool in_place;
	unsigned int keylen;
};

static const struct vec_case vec_cases[] = {
	{ "one block", 16, 0, false, 32 },
	{ "512-byte sector in place", 512, 0, true, 32 },
	{ "4096-byte sector", 4096, 0, false, 32 },
	{ "4096 in place, split at 1000", 4096, 1000, true, 32 },
	{ "4096, split at 2048", 4096, 2048, false, 32 },
	{ "8192 in place", 8192, 0, true, 32 },
	{ "AES-128: 4096-byte sector", 4096, 0, false, 16 },
	{ "AES-128: 4096 in place, split at 1000", 4096, 1000, true, 16 },
};

static void vec_desc(const struct vec_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(vec, vec_cases, vec_desc);

static void xts_matches_generic(struct kunit *test)
{
	const struct vec_case *c = test->param_value;
	struct crypto_skcipher *paes = alloc_paes_len(test, c->keylen);
	struct crypto_skcipher *ref = alloc_ref_len(test, c->keylen);
	u8 *plain, *expect, *buf, *out;

	plain = kunit_kmalloc(test, c->len, GFP_KERNEL);
	expect = kunit_kmalloc(test, c->len, GFP_KERNEL);
	buf = kunit_kmalloc(test, c->len, GFP_KERNEL);
	out = kunit_kmalloc(test, c->len, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, plain && expect && buf && out);
	get_random_bytes(plain, c->len);
	memcpy(expect, plain, c->len);
	KUNIT_ASSERT_EQ(test,
			treq_run(test, ref, expect, expect, c->len, 0, 0x1234,
				 true, NULL),
			0);

	/* Act: encrypt with xts(paes) */
	memcpy(buf, plain, c->len);
	KUNIT_ASSERT_EQ(test,
			treq_run(test, paes, buf, c->in_place ? buf : out,
				 c->len, c->split, 0x1234, true, NULL),
			0);
	if (!c->in_place)
		memcpy(buf, out, c->len);
	KUNIT_EXPECT_EQ(test, memcmp(buf, expect, c->len), 0);

	/* Act: decrypt back */
	KUNIT_ASSERT_EQ(test,
			treq_run(test, paes, buf, buf, c->len, c->split, 0x1234,
				 false, NULL),
			0);
	KUNIT_EXPECT_EQ(test, memcmp(buf, plain, c->len), 0);

	crypto_free_skcipher(ref);
	crypto_free_skcipher(paes);
}

/* Encrypts @len random bytes with both ciphers and compares. */
static void check_encrypt(struct kunit *test, struct crypto_skcipher *paes,
			  struct crypto_skcipher *ref, unsigned int len,
			  unsigned int split, bool in_place, int expect_submit)
{
	u8 *plain, *expect, *buf, *out;
	int submitted, ret;

	plain = kunit_kmalloc(test, len, GFP_KERNEL);
	expect = kunit_kmalloc(test, len, GFP_KERNEL);
	buf = kunit_kmalloc(test, len, GFP_KERNEL);
	out = kunit_kzalloc(test, len, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, plain && expect && buf && out);
	get_random_bytes(plain, len);
	memcpy(expect, plain, len);
	memcpy(buf, plain, len);
	ret = treq_run(test, ref, expect, expect, len, 0, 77, true, NULL);
	KUNIT_ASSERT_EQ(test, ret, 0);

	KUNIT_EXPECT_EQ(test,
			treq_run(test, paes, buf, in_place ? buf : out, len,
				 split, 77, true, &submitted),
			0);
	KUNIT_EXPECT_EQ(test, submitted, expect_submit);
	KUNIT_EXPECT_EQ(test, memcmp(in_place ? buf : out, expect, len), 0);
}

static void migrate_parks_and_completes_correct_data(struct kunit *test)
{
	struct crypto_skcipher *paes = alloc_paes(test);
	struct crypto_skcipher *ref = alloc_ref(test);

	atomic_set(&fake.derives, 0);
	fake_migrate();

	check_encrypt(test, paes, ref, 4096, 0, true, -EINPROGRESS);
	KUNIT_EXPECT_EQ(test, atomic_read(&fake.derives), 2);
	/* Valid again: synchronous. */
	check_encrypt(test, paes, ref, 512, 0, true, 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&fake.derives), 2);

	crypto_free_skcipher(ref);
	crypto_free_skcipher(paes);
}

struct mid_case {
	const char *desc;
	unsigned int budget;
	unsigned int split;
	bool in_place;
};

static const struct mid_case mid_cases[] = {
	{ "in place, stop after 512 of 4096", 512, 0, true },
	{ "out of place, stop after 512", 512, 0, false },
	{ "in place, 2 chunks, stop in the 2nd", 3072, 2048, true },
	{ "in place, stop at the chunk border", 2048, 2048, true },
};

static void mid_desc(const struct mid_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(mid, mid_cases, mid_desc);

static void wk_change_mid_request_resumes(struct kunit *test)
{
	const struct mid_case *c = test->param_value;
	struct crypto_skcipher *paes = alloc_paes(test);
	struct crypto_skcipher *ref = alloc_ref(test);

	/* The wrapping key changes after @budget bytes of KM. */
	atomic_set(&fake.km_budget, c->budget);
	atomic_set(&fake.derives, 0);

	check_encrypt(test, paes, ref, 4096, c->split, c->in_place,
		      -EINPROGRESS);
	KUNIT_EXPECT_EQ(test, atomic_read(&fake.derives), 2);

	crypto_free_skcipher(ref);
	crypto_free_skcipher(paes);
}

#define NR_TFMS 4
#define NR_REQS 64
#define REQ_LEN 512

static void many_requests_one_derive_per_half(struct kunit *test)
{
	struct crypto_skcipher *paes[NR_TFMS], *ref = alloc_ref(test);
	struct test_req *t;
	u8 *plain, *expect, *buf;
	unsigned int i;
	int ret;

	/* Arrange: NR_TFMS tfms on one key; expected ciphertext per sector. */
	for (i = 0; i < NR_TFMS; i++)
		paes[i] = alloc_paes(test);
	KUNIT_EXPECT_EQ(test, atomic_read(&fake.derives), 2);
	t = kunit_kcalloc(test, NR_REQS, sizeof(*t), GFP_KERNEL);
	plain = kunit_kmalloc(test, NR_REQS * REQ_LEN, GFP_KERNEL);
	expect = kunit_kmalloc(test, NR_REQS * REQ_LEN, GFP_KERNEL);
	buf = kunit_kmalloc(test, NR_REQS * REQ_LEN, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, t && plain && expect && buf);
	get_random_bytes(plain, NR_REQS * REQ_LEN);
	memcpy(expect, plain, NR_REQS * REQ_LEN);
	memcpy(buf, plain, NR_REQS * REQ_LEN);
	for (i = 0; i < NR_REQS; i++)
		KUNIT_ASSERT_EQ(test,
				treq_run(test, ref, expect + i * REQ_LEN,
					 expect + i * REQ_LEN, REQ_LEN, 0, i,
					 true, NULL),
				0);
	fake_migrate();
	fake.derive_delay_ms = 50;
	atomic_set(&fake.derives, 0);

	/* Act: all requests in flight across the WK change. */
	for (i = 0; i < NR_REQS; i++) {
		treq_init(test, &t[i], paes[i % NR_TFMS], buf + i * REQ_LEN,
			  buf + i * REQ_LEN, REQ_LEN, 0, i);
		t[i].submitted = crypto_skcipher_encrypt(t[i].req);
	}
	for (i = 0; i < NR_REQS; i++) {
		ret = crypto_wait_req(t[i].submitted, &t[i].wait);
		KUNIT_EXPECT_EQ(test, ret, 0);
		if (t[i].submitted != -EBUSY)
			KUNIT_EXPECT_EQ(test, t[i].submitted, -EINPROGRESS);
		skcipher_request_free(t[i].req);
	}

	/* Assert: right data, exactly one derive per key half. */
	KUNIT_EXPECT_EQ(test, memcmp(buf, expect, NR_REQS * REQ_LEN), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&fake.derives), 2);
	for (i = 0; i < NR_TFMS; i++)
		crypto_free_skcipher(paes[i]);
	crypto_free_skcipher(ref);
}

static void outage_longer_than_timeout_eio_then_works(struct kunit *test)
{
	struct crypto_skcipher *paes = alloc_paes(test);
	struct crypto_skcipher *ref = alloc_ref(test);
	u8 buf[512] = {};
	int submitted;

	protkey_rekey_timeout_ms = 200;
	fake_migrate();
	fake_set_outage(60000);

	KUNIT_EXPECT_EQ(test,
			treq_run(test, paes, buf, buf, sizeof(buf), 0, 0, true,
				 &submitted),
			-EIO);
	KUNIT_EXPECT_EQ(test, submitted, -EINPROGRESS);

	fake.outage = false;
	check_encrypt(test, paes, ref, 4096, 0, true, -EINPROGRESS);
	check_encrypt(test, paes, ref, 4096, 0, true, 0);

	crypto_free_skcipher(ref);
	crypto_free_skcipher(paes);
}

static void free_tfm_fails_parked_request(struct kunit *test)
{
	struct crypto_skcipher *paes = alloc_paes(test);
	struct test_req t;
	u8 buf[512] = {};

	fake_migrate();
	fake_set_outage(60000);
	treq_init(test, &t, paes, buf, buf, sizeof(buf), 0, 0);
	KUNIT_ASSERT_EQ(test, crypto_skcipher_encrypt(t.req), -EINPROGRESS);

	/* Act: the tfm goes away with the request parked. */
	crypto_free_skcipher(paes);

	KUNIT_EXPECT_EQ(test, crypto_wait_req(-EINPROGRESS, &t.wait), -EIO);
	kfree_sensitive(t.req);
}

static struct kunit_case protkey_skcipher_cases[] = {
	KUNIT_CASE_PARAM(setkey_table, setkey_gen_params),
	KUNIT_CASE(encrypt_without_key_fails),
	KUNIT_CASE(encrypt_bad_length_fails),
	KUNIT_CASE_PARAM(xts_matches_generic, vec_gen_params),
	KUNIT_CASE(migrate_parks_and_completes_correct_data),
	KUNIT_CASE_PARAM(wk_change_mid_request_resumes, mid_gen_params),
	KUNIT_CASE(many_requests_one_derive_per_half),
	KUNIT_CASE(outage_longer_than_timeout_eio_then_works),
	KUNIT_CASE(free_tfm_fails_parked_request),
	{}
};

static struct kunit_suite protkey_skcipher_suite = {
	.name = "protkey_skcipher",
	.suite_init = skc_suite_init,
	.suite_exit = skc_suite_exit,
	.init = skc_test_init,
	.exit = skc_test_exit,
	.test_cases = protkey_skcipher_cases,
};

kunit_test_suite(protkey_skcipher_suite);

MODULE_DESCRIPTION("KUnit tests of protkey's xts(paes)");
MODULE_LICENSE("GPL");
