/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers shared by the protkey_emu KUnit suites: a fresh emulator per
 * case, the emulator's platform ops, and master keys and secure keys made
 * through the emulator's control API (the door netlink uses).
 */
#ifndef _PROTKEY_EMU_KUNIT_H
#define _PROTKEY_EMU_KUNIT_H

#include <crypto/aes.h>
#include <crypto/skcipher.h>
#include <kunit/test.h>
#include <linux/scatterlist.h>
#include <linux/err.h>
#include <linux/string.h>

#include "../emu/emu_core.h"

/* protkey_platform_get() and _put() of protkey.ko. */
MODULE_IMPORT_NS(PROTKEY);

/* 6.1's KUnit has no MEMEQ: compare, and show up to 64 bytes of each. */
#define EMU_EXPECT_MEMEQ(test, a, b, n) EMU_MEMEQ(test, EXPECTATION, a, b, n)
#define EMU_ASSERT_MEMEQ(test, a, b, n) EMU_MEMEQ(test, ASSERTION, a, b, n)
#define EMU_MEMEQ(test, kind, a, b, n)                                      \
	do {                                                                \
		const u8 *__a = (const u8 *)(a), *__b = (const u8 *)(b);    \
		int __n = (n);                                              \
		KUNIT_BINARY_INT_ASSERTION(test, KUNIT_##kind,              \
					   memcmp(__a, __b, __n), ==, 0,    \
					   "%*ph\n%*ph", min(__n, 64), __a, \
					   min(__n, 64), __b);              \
	} while (0)

/**
 * struct emu_kunit_ctx - per-case state in &kunit.priv
 * @ops: the emulator's platform ops, pinned for the case
 */
struct emu_kunit_ctx {
	struct protkey_platform_ops *ops;
};

/*
 * Case init: the emulator's adapters back to their load state (online, no
 * master keys, no faults), the reference XTS code off, and its ops pinned.
 */
static inline int emu_kunit_init(struct kunit *test)
{
	struct emu_kunit_ctx *ctx;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;
	ctx->ops = protkey_platform_get("emu");
	if (IS_ERR(ctx->ops))
		return PTR_ERR(ctx->ops);
	emu_reset();
	emu_cpacf_set_lib_only(false);
	test->priv = ctx;
	return 0;
}

static inline void emu_kunit_exit(struct kunit *test)
{
	struct emu_kunit_ctx *ctx = test->priv;

	emu_reset();
	emu_cpacf_set_lib_only(false);
	protkey_platform_put(ctx->ops);
}

static inline struct protkey_platform_ops *emu_kunit_ops(struct kunit *test)
{
	return ((struct emu_kunit_ctx *)test->priv)->ops;
}

/* A master key made from one seed byte: seed, seed + 1, ... */
static inline void emu_kunit_mk(u8 mk[PROTKEY_EMU_MK_SIZE], u8 seed)
{
	int i;

	for (i = 0; i < PROTKEY_EMU_MK_SIZE; i++)
		mk[i] = seed + i;
}

/* Loads the master key of @seed into NEW of every adapter and sets it. */
static inline void emu_kunit_mk_activate(struct kunit *test, u8 seed)
{
	const char *msg = NULL;
	u8 mk[PROTKEY_EMU_MK_SIZE];

	emu_kunit_mk(mk, seed);
	KUNIT_ASSERT_EQ(test, emu_mk_load(EMU_ALL_APQNS, mk, &msg), 0);
	KUNIT_ASSERT_EQ(test, emu_mk_set(EMU_ALL_APQNS, &msg), 0);
}

/* Makes a secure key of @clear (@len bytes) under the CURRENT master key. */
static inline void emu_kunit_seckey(struct kunit *test, const u8 *clear,
				    u32 len, u8 token[PROTKEY_EMU_SECKEY_SIZE])
{
	const char *msg = NULL;

	KUNIT_ASSERT_EQ(test,
			emu_key_generate(len * 8, clear, len, token, &msg), 0);
}

/* The kernel's own XTS on clear keys: the oracle protkey is held to. */
static inline struct crypto_skcipher *oracle_alloc(struct kunit *test)
{
	struct crypto_skcipher *tfm;

	tfm = crypto_alloc_skcipher("xts(ecb(aes-generic))", 0, 0);
	if (IS_ERR(tfm))
		tfm = crypto_alloc_skcipher("xts(aes)", 0, 0);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(tfm), "no xts(aes): %ld",
			       PTR_ERR(tfm));
	return tfm;
}

static inline void oracle_xts(struct kunit *test, struct crypto_skcipher *tfm,
			      const u8 *key, unsigned int klen, bool enc,
			      const u8 *iv, u8 *dst, const u8 *src,
			      unsigned int len)
{
	struct scatterlist sg_src, sg_dst;
	struct skcipher_request *req;
	u8 ivbuf[AES_BLOCK_SIZE];
	DECLARE_CRYPTO_WAIT(wait);
	u32 flags;
	int ret;

	if (key)
		KUNIT_ASSERT_EQ(test, crypto_skcipher_setkey(tfm, key, klen),
				0);
	req = skcipher_request_alloc(tfm, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, req);
	memcpy(ivbuf, iv, sizeof(ivbuf));
	sg_init_one(&sg_src, src, len);
	sg_init_one(&sg_dst, dst, len);
	flags = CRYPTO_TFM_REQ_MAY_BACKLOG | CRYPTO_TFM_REQ_MAY_SLEEP;
	skcipher_request_set_callback(req, flags, crypto_req_done, &wait);
	skcipher_request_set_crypt(req, &sg_src, &sg_dst, len, ivbuf);
	ret = crypto_wait_req(enc ? crypto_skcipher_encrypt(req) :
				    crypto_skcipher_decrypt(req),
			      &wait);
	skcipher_request_free(req);
	KUNIT_ASSERT_EQ(test, ret, 0);
}

#endif /* _PROTKEY_EMU_KUNIT_H */
