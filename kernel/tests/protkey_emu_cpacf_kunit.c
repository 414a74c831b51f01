// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite protkey_emu_cpacf: the emulated CPACF (kernel/emu/cpacf.c):
 * PCC and KM-XTS with protected keys, end to end from a clear key through
 * a secure key and derive, against IEEE 1619 vectors and against the
 * kernel's generic xts(aes); the short count after a migration; the XTS
 * parameter update across split calls; KM stopping early and protkey.ko
 * resuming; KM refusing a length that is not whole blocks. XTS cases run
 * through both the fast path (the kernel's xts(aes) keyed K1||K1) and the
 * reference code.
 */
#include <crypto/aes.h>
#include <crypto/skcipher.h>
#include <kunit/test.h>
#include <linux/random.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "protkey_emu_kunit.h"
#include "protkey_emu_xts_vectors.h"

#define MK_SEED 0x21
#define MAX_LEN 4096

/**
 * struct xts_keys - the two protected keys of one XTS key
 * @type: PROTKEY_PK_AES_128 or PROTKEY_PK_AES_256
 * @pk1: data key
 * @pk2: tweak key
 */
struct xts_keys {
	enum protkey_pk_type type;
	struct protkey_pk pk1;
	struct protkey_pk pk2;
};

/* Clear key1||key2 -> two secure keys -> two protected keys. */
static void xts_keys_make(struct kunit *test, const u8 *key, unsigned int klen,
			  struct xts_keys *k)
{
	struct protkey_platform_ops *ops = emu_kunit_ops(test);
	u8 tok1[PROTKEY_EMU_SECKEY_SIZE], tok2[PROTKEY_EMU_SECKEY_SIZE];

	emu_kunit_seckey(test, key, klen / 2, tok1);
	emu_kunit_seckey(test, key + klen / 2, klen / 2, tok2);
	KUNIT_ASSERT_EQ(test, ops->derive(tok1, sizeof(tok1), &k->pk1, 0), 0);
	KUNIT_ASSERT_EQ(test, ops->derive(tok2, sizeof(tok2), &k->pk2, 0), 0);
	k->type = k->pk1.type;
}

/* AES-128 protected keys sit at offset 16 of the 64-byte slot. */
static unsigned int slot_off(const struct protkey_pk *pk)
{
	return PROTKEY_XTS_SLOT_SIZE - pk->len;
}

static int xts_pcc(struct kunit *test, const struct xts_keys *k, const u8 *iv,
		   struct protkey_xts_km_param *km)
{
	struct protkey_platform_ops *ops = emu_kunit_ops(test);
	struct protkey_xts_pcc_param pcc = {};
	int ret;

	memcpy(pcc.key + slot_off(&k->pk2), k->pk2.protkey, k->pk2.len);
	memcpy(pcc.tweak, iv, sizeof(pcc.tweak));
	ret = ops->pcc_xts(k->type, &pcc);
	memset(km, 0, sizeof(*km));
	memcpy(km->key + slot_off(&k->pk1), k->pk1.protkey, k->pk1.len);
	memcpy(km->init, pcc.xts, sizeof(km->init));
	return ret;
}

/* PCC + KM over @len bytes, the KM split in two at @split bytes. */
static void emu_xts(struct kunit *test, const struct xts_keys *k,
		    enum protkey_km_dir dir, const u8 *iv, u8 *dst,
		    const u8 *src, unsigned int len, unsigned int split)
{
	struct protkey_platform_ops *ops = emu_kunit_ops(test);
	struct protkey_xts_km_param km;

	KUNIT_ASSERT_EQ(test, xts_pcc(test, k, iv, &km), 0);
	KUNIT_ASSERT_EQ(test, ops->km_xts(k->type, dir, &km, dst, src, split),
			split);
	KUNIT_ASSERT_EQ(test,
			ops->km_xts(k->type, dir, &km, dst + split, src + split,
				    len - split),
			len - split);
}

/* The oracle: the kernel's xts template over the generic AES. */
static const bool impls[] = { false, true };

static const char *impl_name(bool lib_only)
{
	return lib_only ? "reference" : "fast";
}

static void kat_desc(const struct xts_kat *kat, char *desc)
{
	strscpy(desc, kat->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(kat, xts_kats, kat_desc);

static void emu_xts_known_answer(struct kunit *test)
{
	const struct xts_kat *kat = test->param_value;
	struct xts_keys k;
	unsigned int i;
	u8 *buf;

	/* Arrange */
	buf = kunit_kmalloc(test, kat->len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	emu_kunit_mk_activate(test, MK_SEED);
	xts_keys_make(test, kat->key, kat->klen, &k);

	for (i = 0; i < ARRAY_SIZE(impls); i++) {
		kunit_info(test, "%s path", impl_name(impls[i]));
		emu_cpacf_set_lib_only(impls[i]);

		/* Act + Assert: encrypt, one KM call */
		emu_xts(test, &k, PROTKEY_KM_ENCRYPT, kat->iv, buf, kat->ptext,
			kat->len, 0);
		EMU_EXPECT_MEMEQ(test, buf, kat->ctext, kat->len);

		/* Act + Assert: decrypt in place, split after one block */
		emu_xts(test, &k, PROTKEY_KM_DECRYPT, kat->iv, buf, buf,
			kat->len, AES_BLOCK_SIZE);
		EMU_EXPECT_MEMEQ(test, buf, kat->ptext, kat->len);
	}
}

struct random_case {
	const char *desc;
	unsigned int key_bytes;
	bool lib_only;
};

static const struct random_case random_cases[] = {
	{ "AES-128 fast", 16, false },
	{ "AES-128 reference", 16, true },
	{ "AES-256 fast", 32, false },
	{ "AES-256 reference", 32, true },
};

static void random_case_desc(const struct random_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(random, random_cases, random_case_desc);

#define RANDOM_CASES 100

struct random_bufs {
	u8 *ptext;
	u8 *emu;
	u8 *ref;
};

static void random_one(struct kunit *test, struct crypto_skcipher *oracle,
		       const struct random_case *c, struct random_bufs *b)
{
	unsigned int blocks = get_random_u32_inclusive(1, MAX_LEN / 16);
	unsigned int len = blocks * AES_BLOCK_SIZE;
	unsigned int split = get_random_u32_below(blocks + 1) * 16;
	u8 key[2 * AES_MAX_KEY_SIZE], iv[AES_BLOCK_SIZE];
	bool in_place = get_random_u32_below(2);
	struct xts_keys k;

	/* Arrange */
	get_random_bytes(key, 2 * c->key_bytes);
	get_random_bytes(iv, sizeof(iv));
	get_random_bytes(b->ptext, len);
	xts_keys_make(test, key, 2 * c->key_bytes, &k);
	oracle_xts(test, oracle, key, 2 * c->key_bytes, true, iv, b->ref,
		   b->ptext, len);

	/* Act + Assert: encrypt */
	memcpy(b->emu, b->ptext, len);
	emu_xts(test, &k, PROTKEY_KM_ENCRYPT, iv, b->emu,
		in_place ? b->emu : b->ptext, len, split);
	EMU_ASSERT_MEMEQ(test, b->emu, b->ref, len);

	/* Act + Assert: decrypt */
	emu_xts(test, &k, PROTKEY_KM_DECRYPT, iv, b->ref, b->emu, len,
		len - split);
	EMU_ASSERT_MEMEQ(test, b->ref, b->ptext, len);
}

static void emu_xts_random_vs_generic(struct kunit *test)
{
	const struct random_case *c = test->param_value;
	struct crypto_skcipher *oracle;
	struct random_bufs b;
	int i;

	/* Arrange */
	b.ptext = kunit_kmalloc(test, MAX_LEN, GFP_KERNEL);
	b.emu = kunit_kmalloc(test, MAX_LEN, GFP_KERNEL);
	b.ref = kunit_kmalloc(test, MAX_LEN, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, b.ptext && b.emu && b.ref);
	oracle = oracle_alloc(test);
	kunit_info(test, "oracle %s", crypto_skcipher_driver_name(oracle));
	emu_kunit_mk_activate(test, MK_SEED);
	emu_cpacf_set_lib_only(c->lib_only);

	/* Act + Assert */
	for (i = 0; i < RANDOM_CASES; i++)
		random_one(test, oracle, c, &b);
	crypto_free_skcipher(oracle);
}

static void emu_km_short_after_migrate(struct kunit *test)
{
	struct protkey_platform_ops *ops = emu_kunit_ops(test);
	u8 key[32], iv[AES_BLOCK_SIZE] = {}, src[64] = {}, dst[64];
	struct protkey_xts_km_param km, km_before;
	struct emu_counters before, after;
	const char *msg = NULL;
	struct xts_keys k;
	u64 gen;

	/* Arrange: keys derived under the first wrapping key */
	get_random_bytes(key, sizeof(key));
	emu_kunit_mk_activate(test, MK_SEED);
	xts_keys_make(test, key, sizeof(key), &k);
	KUNIT_ASSERT_EQ(test, xts_pcc(test, &k, iv, &km), 0);
	km_before = km;
	memset(dst, 0xa5, sizeof(dst));
	emu_get_counters(&before);

	/* Act */
	KUNIT_ASSERT_EQ(test, emu_migrate(0, &gen, &msg), 0);

	/* Assert: KM processes nothing, PCC refuses, nothing is touched */
	KUNIT_EXPECT_EQ(test,
			ops->km_xts(k.type, PROTKEY_KM_ENCRYPT, &km, dst, src,
				    sizeof(src)),
			0U);
	KUNIT_EXPECT_TRUE(test, !memchr_inv(dst, 0xa5, sizeof(dst)));
	KUNIT_EXPECT_EQ(test, memcmp(&km, &km_before, sizeof(km)), 0);
	KUNIT_EXPECT_EQ(test, xts_pcc(test, &k, iv, &km), -EKEYEXPIRED);
	emu_get_counters(&after);
	KUNIT_EXPECT_EQ(test, after.km_short - before.km_short, 1ULL);
	KUNIT_EXPECT_EQ(test, after.pcc_stale - before.pcc_stale, 1ULL);
	KUNIT_EXPECT_EQ(test, after.migrations - before.migrations, 1ULL);

	/* Assert: a fresh derive works again */
	xts_keys_make(test, key, sizeof(key), &k);
	KUNIT_ASSERT_EQ(test, xts_pcc(test, &k, iv, &km), 0);
	KUNIT_EXPECT_EQ(test,
			ops->km_xts(k.type, PROTKEY_KM_ENCRYPT, &km, dst, src,
				    sizeof(src)),
			(unsigned int)sizeof(src));
}

/* A migration wipes the clear keys the CPUs cached for PCC and KM. */
static void emu_migrate_wipes_cached_keys(struct kunit *test)
{
	struct protkey_platform_ops *ops = emu_kunit_ops(test);
	u8 key[32], iv[AES_BLOCK_SIZE] = {}, src[64] = {}, dst[64];
	struct protkey_xts_km_param km;
	const char *msg = NULL;
	struct xts_keys k;
	u64 gen;

	/* Arrange: PCC and KM ran with the key on this CPU */
	get_random_bytes(key, sizeof(key));
	emu_kunit_mk_activate(test, MK_SEED);
	xts_keys_make(test, key, sizeof(key), &k);
	KUNIT_ASSERT_EQ(test, xts_pcc(test, &k, iv, &km), 0);
	KUNIT_ASSERT_EQ(test,
			ops->km_xts(k.type, PROTKEY_KM_ENCRYPT, &km, dst, src,
				    sizeof(src)),
			(unsigned int)sizeof(src));
	KUNIT_ASSERT_TRUE(test, emu_cpacf_caches(key, 16));

	/* Act */
	KUNIT_ASSERT_EQ(test, emu_migrate(0, &gen, &msg), 0);

	/* Assert: neither half is in any CPU's cache any more */
	KUNIT_EXPECT_FALSE(test, emu_cpacf_caches(key, 16));
	KUNIT_EXPECT_FALSE(test, emu_cpacf_caches(key + 16, 16));
}

static const u32 split_lens[] = { 32, 512, 4096 };

static void split_desc(const u32 *len, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%u bytes", *len);
}

KUNIT_ARRAY_PARAM(split, split_lens, split_desc);

static void emu_km_split_equals_whole(struct kunit *test)
{
	const u32 len = *(const u32 *)test->param_value;
	struct protkey_platform_ops *ops = emu_kunit_ops(test);
	struct protkey_xts_km_param whole, half;
	u8 key[64], iv[AES_BLOCK_SIZE];
	u8 *src, *a, *b;
	struct xts_keys k;

	/* Arrange */
	src = kunit_kmalloc(test, len, GFP_KERNEL);
	a = kunit_kmalloc(test, len, GFP_KERNEL);
	b = kunit_kmalloc(test, len, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, src && a && b);
	get_random_bytes(key, sizeof(key));
	get_random_bytes(iv, sizeof(iv));
	get_random_bytes(src, len);
	emu_kunit_mk_activate(test, MK_SEED);
	xts_keys_make(test, key, sizeof(key), &k);
	KUNIT_ASSERT_EQ(test, xts_pcc(test, &k, iv, &whole), 0);
	half = whole;

	/* Act */
	KUNIT_ASSERT_EQ(test,
			ops->km_xts(k.type, PROTKEY_KM_ENCRYPT, &whole, a, src,
				    len),
			len);
	KUNIT_ASSERT_EQ(test,
			ops->km_xts(k.type, PROTKEY_KM_ENCRYPT, &half, b, src,
				    len / 2),
			len / 2);
	KUNIT_ASSERT_EQ(test,
			ops->km_xts(k.type, PROTKEY_KM_ENCRYPT, &half,
				    b + len / 2, src + len / 2, len / 2),
			len / 2);

	/* Assert: same output, same final XTS parameter */
	EMU_EXPECT_MEMEQ(test, a, b, len);
	EMU_EXPECT_MEMEQ(test, whole.init, half.init, sizeof(whole.init));
	KUNIT_EXPECT_NE(test, memcmp(a, src, len), 0);
}

static void emu_km_not_whole_blocks_processes_nothing(struct kunit *test)
{
	struct protkey_platform_ops *ops = emu_kunit_ops(test);
	u8 key[32], iv[AES_BLOCK_SIZE] = {}, *src, *dst;
	struct protkey_xts_km_param km, km_before;
	struct emu_counters before, after;
	unsigned int done[2];
	struct xts_keys k;

	/* Arrange */
	src = kunit_kzalloc(test, 48, GFP_KERNEL);
	dst = kunit_kmalloc(test, 48, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, src && dst);
	memset(dst, 0x5a, 48);
	get_random_bytes(key, sizeof(key));
	emu_kunit_mk_activate(test, MK_SEED);
	xts_keys_make(test, key, sizeof(key), &k);
	KUNIT_ASSERT_EQ(test, xts_pcc(test, &k, iv, &km), 0);
	km_before = km;
	emu_get_counters(&before);

	/*
	 * Act: a caller bug, warned once; quiet here because the VM runner
	 * fails any run that prints a WARNING.
	 */
	emu_km_warn_quiet = true;
	done[0] = ops->km_xts(k.type, PROTKEY_KM_ENCRYPT, &km, dst, src, 40);
	done[1] = ops->km_xts(k.type, PROTKEY_KM_ENCRYPT, &km, dst, src, 15);
	emu_km_warn_quiet = false;
	KUNIT_EXPECT_EQ(test, done[0], 0U);
	KUNIT_EXPECT_EQ(test, done[1], 0U);

	/* Assert: nothing written, the XTS parameter untouched, counted */
	KUNIT_EXPECT_TRUE(test, !memchr_inv(dst, 0x5a, 48));
	KUNIT_EXPECT_EQ(test, memcmp(&km, &km_before, sizeof(km)), 0);
	emu_get_counters(&after);
	KUNIT_EXPECT_EQ(test, after.km_bad_len - before.km_bad_len, 2ULL);
	KUNIT_EXPECT_EQ(test,
			ops->km_xts(k.type, PROTKEY_KM_ENCRYPT, &km, dst, src,
				    32),
			32U);
}

static void emu_km_partial_stops_after_k_blocks(struct kunit *test)
{
	struct protkey_platform_ops *ops = emu_kunit_ops(test);
	struct protkey_xts_km_param whole, part, k3;
	struct emu_counters before, after;
	u8 key[64], iv[AES_BLOCK_SIZE];
	u8 *src, *a, *b, *c;
	struct xts_keys k;

	/* Arrange: eight blocks; the next KM stops after three */
	src = kunit_kmalloc(test, 128, GFP_KERNEL);
	a = kunit_kmalloc(test, 128, GFP_KERNEL);
	b = kunit_kmalloc(test, 128, GFP_KERNEL);
	c = kunit_kmalloc(test, 128, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, src && a && b && c);
	get_random_bytes(key, sizeof(key));
	get_random_bytes(iv, sizeof(iv));
	get_random_bytes(src, 128);
	memset(b, 0xa5, 128);
	emu_kunit_mk_activate(test, MK_SEED);
	xts_keys_make(test, key, sizeof(key), &k);
	KUNIT_ASSERT_EQ(test, xts_pcc(test, &k, iv, &whole), 0);
	part = whole;
	k3 = whole;
	KUNIT_ASSERT_EQ(test,
			ops->km_xts(k.type, PROTKEY_KM_ENCRYPT, &whole, a, src,
				    128),
			128U);
	KUNIT_ASSERT_EQ(test,
			ops->km_xts(k.type, PROTKEY_KM_ENCRYPT, &k3, c, src,
				    3 * AES_BLOCK_SIZE),
			48U);
	emu_get_counters(&before);
	emu_km_partial(1, 3);

	/* Act */
	KUNIT_EXPECT_EQ(test,
			ops->km_xts(k.type, PROTKEY_KM_ENCRYPT, &part, b, src,
				    128),
			48U);

	/* Assert: three blocks done, the parameter advanced past them */
	EMU_EXPECT_MEMEQ(test, b, a, 48);
	KUNIT_EXPECT_TRUE(test, !memchr_inv(b + 48, 0xa5, 80));
	EMU_EXPECT_MEMEQ(test, part.init, k3.init, sizeof(part.init));
	emu_get_counters(&after);
	KUNIT_EXPECT_EQ(test, after.km_partial - before.km_partial, 1ULL);

	/* Assert: the caller resumes from block 3 and gets the whole result */
	KUNIT_EXPECT_EQ(test,
			ops->km_xts(k.type, PROTKEY_KM_ENCRYPT, &part, b + 48,
				    src + 48, 80),
			80U);
	EMU_EXPECT_MEMEQ(test, b, a, 128);
	EMU_EXPECT_MEMEQ(test, part.init, whole.init, sizeof(part.init));
}

static void emu_km_partial_never_whole_nor_none(struct kunit *test)
{
	struct protkey_platform_ops *ops = emu_kunit_ops(test);
	u8 key[32], iv[AES_BLOCK_SIZE] = {}, src[64] = {}, dst[64];
	struct protkey_xts_km_param km;
	struct emu_counters before, after;
	struct xts_keys k;

	/* Arrange: two early stops of 100 blocks each */
	get_random_bytes(key, sizeof(key));
	emu_kunit_mk_activate(test, MK_SEED);
	xts_keys_make(test, key, sizeof(key), &k);
	KUNIT_ASSERT_EQ(test, xts_pcc(test, &k, iv, &km), 0);
	emu_get_counters(&before);
	emu_km_partial(2, 100);

	/* Act + Assert: one block cannot stop early and uses up nothing */
	KUNIT_EXPECT_EQ(test,
			ops->km_xts(k.type, PROTKEY_KM_ENCRYPT, &km, dst, src,
				    16),
			16U);
	/* Four blocks of the 100 allowed: stops after three, 0 < k < n */
	KUNIT_EXPECT_EQ(test,
			ops->km_xts(k.type, PROTKEY_KM_ENCRYPT, &km, dst, src,
				    64),
			48U);
	KUNIT_EXPECT_EQ(test,
			ops->km_xts(k.type, PROTKEY_KM_ENCRYPT, &km, dst, src,
				    32),
			16U);
	/* Used up */
	KUNIT_EXPECT_EQ(test,
			ops->km_xts(k.type, PROTKEY_KM_ENCRYPT, &km, dst, src,
				    64),
			64U);
	emu_get_counters(&after);
	KUNIT_EXPECT_EQ(test, after.km_partial - before.km_partial, 2ULL);
}

/*
 * protkey.ko's xts(paes) on emulator secure keys, with KM stopping early:
 * its result equals the kernel's xts(aes) on the clear keys, so the
 * request resumed from where KM stopped, with the right XTS parameter.
 */
static void emu_km_partial_protkey_resumes(struct kunit *test)
{
	u8 key[64], iv[AES_BLOCK_SIZE], blob[2 * PROTKEY_EMU_SECKEY_SIZE];
	struct crypto_skcipher *paes, *oracle;
	struct emu_counters before, after;
	u8 *src, *want, *got;

	/* Arrange */
	src = kunit_kmalloc(test, MAX_LEN, GFP_KERNEL);
	want = kunit_kmalloc(test, MAX_LEN, GFP_KERNEL);
	got = kunit_kmalloc(test, MAX_LEN, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, src && want && got);
	get_random_bytes(key, sizeof(key));
	get_random_bytes(iv, sizeof(iv));
	get_random_bytes(src, MAX_LEN);
	emu_kunit_mk_activate(test, MK_SEED);
	emu_kunit_seckey(test, key, 32, blob);
	emu_kunit_seckey(test, key + 32, 32, blob + PROTKEY_EMU_SECKEY_SIZE);
	paes = crypto_alloc_skcipher("xts(paes)", 0, 0);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(paes), "no xts(paes): %ld",
			       PTR_ERR(paes));
	KUNIT_ASSERT_EQ(test, crypto_skcipher_setkey(paes, blob, sizeof(blob)),
			0);
	oracle = oracle_alloc(test);
	oracle_xts(test, oracle, key, sizeof(key), true, iv, want, src,
		   MAX_LEN);
	emu_get_counters(&before);
	emu_km_partial(3, 5);

	/* Act */
	oracle_xts(test, paes, NULL, 0, true, iv, got, src, MAX_LEN);

	/* Assert: three stops, each resumed */
	emu_get_counters(&after);
	KUNIT_EXPECT_EQ(test, after.km_partial - before.km_partial, 3ULL);
	EMU_EXPECT_MEMEQ(test, got, want, MAX_LEN);
	crypto_free_skcipher(oracle);
	crypto_free_skcipher(paes);
}

static void emu_km_aes128_at_offset_16(struct kunit *test)
{
	struct protkey_platform_ops *ops = emu_kunit_ops(test);
	u8 key[32], iv[AES_BLOCK_SIZE] = {}, src[32] = {}, dst[32];
	struct protkey_xts_km_param km;
	struct xts_keys k;

	/* Arrange: an AES-128 key placed at offset 0 instead of 16 */
	get_random_bytes(key, sizeof(key));
	emu_kunit_mk_activate(test, MK_SEED);
	xts_keys_make(test, key, sizeof(key), &k);
	KUNIT_ASSERT_EQ(test, k.type, PROTKEY_PK_AES_128);
	KUNIT_ASSERT_EQ(test, xts_pcc(test, &k, iv, &km), 0);
	memset(km.key, 0, sizeof(km.key));
	memcpy(km.key, k.pk1.protkey, k.pk1.len);

	/* Act + Assert: the WKVP is not where the CPU reads it */
	KUNIT_EXPECT_EQ(test,
			ops->km_xts(k.type, PROTKEY_KM_ENCRYPT, &km, dst, src,
				    sizeof(src)),
			0U);
}

static void emu_km_vmalloc_buffer(struct kunit *test)
{
	const struct xts_kat *kat = &xts_kats[ARRAY_SIZE(xts_kats) - 1];
	struct xts_keys k;
	u8 *buf;

	/* Arrange: not in the linear map, so no scatterlist: reference path */
	buf = vmalloc(kat->len);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	emu_kunit_mk_activate(test, MK_SEED);
	xts_keys_make(test, kat->key, kat->klen, &k);

	/* Act */
	emu_xts(test, &k, PROTKEY_KM_ENCRYPT, kat->iv, buf, kat->ptext,
		kat->len, 0);

	/* Assert */
	EMU_EXPECT_MEMEQ(test, buf, kat->ctext, kat->len);
	vfree(buf);
}

static void emu_pcc_block_not_modelled(struct kunit *test)
{
	struct protkey_platform_ops *ops = emu_kunit_ops(test);
	struct protkey_xts_pcc_param pcc = {};
	struct emu_counters before, after;
	u8 key[64];
	struct xts_keys k;

	/* Arrange */
	get_random_bytes(key, sizeof(key));
	emu_kunit_mk_activate(test, MK_SEED);
	xts_keys_make(test, key, sizeof(key), &k);
	memcpy(pcc.key, k.pk2.protkey, k.pk2.len);
	emu_get_counters(&before);

	/* Act + Assert */
	KUNIT_EXPECT_EQ(test, ops->pcc_xts(k.type, &pcc), 0);
	pcc.block[15] = 1;
	KUNIT_EXPECT_EQ(test, ops->pcc_xts(k.type, &pcc), -EOPNOTSUPP);
	emu_get_counters(&after);
	KUNIT_EXPECT_EQ(test, after.pcc_calls - before.pcc_calls, 1ULL);
}

static void emu_wk_generation_on_migrate(struct kunit *test)
{
	struct protkey_platform_ops *ops = emu_kunit_ops(test);
	const char *msg = NULL;
	u64 before, gen;

	/* Arrange */
	before = ops->wk_generation();

	/* Act */
	KUNIT_ASSERT_EQ(test, emu_migrate(0, &gen, &msg), 0);

	/* Assert */
	KUNIT_EXPECT_EQ(test, gen, before + 1);
	KUNIT_EXPECT_EQ(test, ops->wk_generation(), gen);
	KUNIT_EXPECT_EQ(test, emu_migrate(600001, &gen, &msg), -ERANGE);
	KUNIT_EXPECT_EQ(test, ops->wk_generation(), before + 1);
}

static struct kunit_case protkey_emu_cpacf_cases[] = {
	KUNIT_CASE_PARAM(emu_xts_known_answer, kat_gen_params),
	KUNIT_CASE_PARAM(emu_xts_random_vs_generic, random_gen_params),
	KUNIT_CASE(emu_km_short_after_migrate),
	KUNIT_CASE(emu_migrate_wipes_cached_keys),
	KUNIT_CASE_PARAM(emu_km_split_equals_whole, split_gen_params),
	KUNIT_CASE(emu_km_not_whole_blocks_processes_nothing),
	KUNIT_CASE(emu_km_partial_stops_after_k_blocks),
	KUNIT_CASE(emu_km_partial_never_whole_nor_none),
	KUNIT_CASE(emu_km_partial_protkey_resumes),
	KUNIT_CASE(emu_km_aes128_at_offset_16),
	KUNIT_CASE(emu_km_vmalloc_buffer),
	KUNIT_CASE(emu_pcc_block_not_modelled),
	KUNIT_CASE(emu_wk_generation_on_migrate),
	{}
};

static struct kunit_suite protkey_emu_cpacf_suite = {
	.name = "protkey_emu_cpacf",
	.init = emu_kunit_init,
	.exit = emu_kunit_exit,
	.test_cases = protkey_emu_cpacf_cases,
};

kunit_test_suite(protkey_emu_cpacf_suite);

MODULE_DESCRIPTION("KUnit tests of protkey_emu's CPACF model");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_IMPORT_NS(PROTKEY_EMU_CONTROL);
