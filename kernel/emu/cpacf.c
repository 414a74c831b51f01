// SPDX-License-Identifier: GPL-2.0-only
/*
 * protkey_emu CPACF model: the guest's wrapping key (WK), protected keys,
 * and the PCC and KM-XTS primitives that use them.
 *
 * EMULATION ONLY: the wrapping key is a random key in this module's memory,
 * and the per-CPU caches below hold clear AES keys. A real CPU keeps both in
 * firmware; here a dump of kernel memory reveals them. Nothing is secure.
 *
 * Protected key (the emulator's scheme): the clear key wrapped under the WK
 * with AES-256-ECB, length-preserving: 16 and 32 bytes are one and two
 * blocks; 24 bytes are bytes 0..15 encrypted, then bytes 8..23 of that
 * result encrypted again. The 32-byte WKVP follows: SHA-256 of the WK. The
 * layout and sizes are those of pkey: AES-128 48 bytes, -192 56, -256 64.
 * In the KM and PCC parameter blocks an AES-128 key sits at offset 16 of
 * the 64-byte key slot, as paes_s390.c places it for CPACF_KM_PXTS_128;
 * the WKVP therefore always occupies bytes 32..63 of the slot.
 *
 * A migration replaces the WK (and the WKVP); keys wrapped under the old one
 * stop working: PCC fails (condition code 1, -EKEYEXPIRED here) and KM
 * processes nothing (the short count paes_s390.c checks), as on a real CPU
 * after a guest relocation.
 *
 * Speed. KM must be about as fast as the kernel's own xts(aes), never sleep
 * and never allocate: it runs in dm-crypt's softirq path. Unwrapping and
 * key expansion cost more than a 512-byte sector, so each CPU caches the
 * last protected key it saw for KM and for PCC, with the clear key, its AES
 * key schedule and a pre-allocated skcipher request keyed with it; a slot
 * is used with bottom halves disabled, which serialises task and softirq
 * users of one CPU. rcu_read_lock_bh() both disables bottom halves and
 * protects the wrapping key: one lock operation per call, which matters
 * under lockdep. KM then reuses the kernel's XTS code. The usual caller
 * (one data unit: PCC, then KM from its result) hits the pair path: PCC
 * remembers on its CPU the tweak and T = E_K2(tweak) it computed; a KM
 * whose parameter equals that T runs xts(aes) keyed K1||K2 (a second
 * pre-keyed tfm) with the original tweak as IV: the same work as the
 * kernel's own xts(aes) request, plus PCC's one block. For any other T
 * (split or resumed requests, another caller's PCC in between, keys of
 * unequal length) xts(aes) keyed K1||K1 with IV = D_K1(T) starts from the
 * tweak E_K1(D_K1(T)) = T. Either way the request is one call into the
 * fastest XTS implementation there is; the next T is T * alpha^n. On x86
 * that is the internal "__xts(aes)" of aesni_intel, usable only while
 * crypto_simd_usable(); otherwise a synchronous "xts(aes)" (generic on
 * s390x); otherwise, or when setkey refuses equal halves (FIPS mode,
 * CRYPTO_TFM_REQ_FORBID_WEAK_KEYS), or a buffer is not in the linear map,
 * the reference implementation here: one library AES call per block.
 * Measured (tests/bench/emu-xts, AES-256, stock kernel, qemu TCG on a
 * shared host), emulator / xts(aes): see Documentation/emulator.rst.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <crypto/aes.h>
#include <crypto/algapi.h>
#include <crypto/b128ops.h>
#include <crypto/gf128mul.h>
#include <crypto/internal/cipher.h>
#include <crypto/internal/simd.h>
#include <crypto/sha2.h>
#include <crypto/skcipher.h>
#include <kunit/visibility.h>
#include <linux/atomic.h>
#include <linux/bottom_half.h>
#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/err.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/random.h>
#include <linux/rcupdate.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/workqueue.h>
#include <asm/simd.h>
#include <asm/unaligned.h>

#include "emu_core.h"

#define WK_SIZE 32
#define SLOT_WKVP_OFFSET 32

static bool fast_xts = true;
module_param(fast_xts, bool, 0644);
MODULE_PARM_DESC(fast_xts, "KM-XTS via the kernel's xts(aes); 0: reference");

/**
 * struct emu_wk - one wrapping key, replaced as a whole on migration
 * @rcu: frees the key after a grace period
 * @gen: generation, incremented by each migration
 * @aes: AES-256 key schedule of the WK
 * @wkvp: SHA-256 of the WK
 *
 * Immutable once published through emu_wk_cur.
 */
struct emu_wk {
	struct rcu_head rcu;
	u64 gen;
	struct crypto_aes_ctx aes;
	u8 wkvp[PROTKEY_WKVP_SIZE];
};

static struct emu_wk __rcu *emu_wk_cur;
static DEFINE_MUTEX(emu_wk_lock);

/**
 * enum emu_tfm_state - whether a per-CPU XTS tfm holds the slots' keys
 * @EMU_TFM_UNKEYED: not keyed for the slots' current keys
 * @EMU_TFM_KEYED: keyed with K1||K1, or K1||K2 for the pair tfms
 * @EMU_TFM_REFUSED: setkey refused the key (FIPS: equal halves); the next
 *	path down is used
 */
enum emu_tfm_state {
	EMU_TFM_UNKEYED,
	EMU_TFM_KEYED,
	EMU_TFM_REFUSED,
};

/**
 * struct emu_xts_tfm - a per-CPU XTS transform with its request
 * @tfm: synchronous skcipher, or NULL if the implementation is absent
 * @req: request for @tfm, allocated with it
 * @state: &enum emu_tfm_state for the key of the owning slot
 * @iv_out: the implementation leaves the next tweak in the IV buffer, as
 *	aesni's XTS does; checked once at allocation (xts_tfm_probe())
 */
struct emu_xts_tfm {
	struct crypto_skcipher *tfm;
	struct skcipher_request *req;
	enum emu_tfm_state state;
	bool iv_out;
};

/**
 * struct emu_key_slot - the last protected key one CPU used for an op
 * @tag: the protected key as found in the parameter block (wrapped key
 *	and WKVP); the slot is valid for exactly these bytes
 * @tag_len: bytes used in @tag, 0 when empty
 * @key: the clear key (EMULATION: clear key in memory)
 * @aes: its AES key schedule, for the reference code
 * @cipher: the kernel's fastest "aes" keyed with @key, for single blocks
 *	(the library AES costs ten times more under qemu TCG); NULL if
 *	absent, then @aes is used
 * @cipher_keyed: @cipher holds @key
 */
struct emu_key_slot {
	u8 tag[PROTKEY_MAX_PROTKEY_SIZE];
	u32 tag_len;
	u8 key[AES_MAX_KEY_SIZE];
	struct crypto_aes_ctx aes;
	struct crypto_cipher *cipher;
	bool cipher_keyed;
};

/**
 * struct emu_cpu - per-CPU CPACF state
 * @pcc: key 2 of the last PCC
 * @km: key 1 of the last KM
 * @pcc_tweak: the tweak of the last successful PCC
 * @pcc_xts: its result, E_K2(@pcc_tweak) with the key in @pcc
 * @pcc_valid: @pcc_tweak and @pcc_xts are set
 * @simd: "__xts(aes)" keyed K1||K1, usable only when crypto_simd_usable()
 * @sync: a synchronous "xts(aes)" keyed K1||K1
 * @simd_pair: "__xts(aes)" keyed K1||K2 (@km, @pcc)
 * @sync_pair: a synchronous "xts(aes)" keyed K1||K2
 * @sg_src: one-entry source list for the tfms, end-marked once
 * @sg_dst: the same for the destination (unused when in place)
 *
 * Used only by the owning CPU with bottom halves disabled.
 */
struct emu_cpu {
	struct emu_key_slot pcc;
	struct emu_key_slot km;
	u8 pcc_tweak[AES_BLOCK_SIZE];
	u8 pcc_xts[AES_BLOCK_SIZE];
	bool pcc_valid;
	struct emu_xts_tfm simd;
	struct emu_xts_tfm sync;
	struct emu_xts_tfm simd_pair;
	struct emu_xts_tfm sync_pair;
	struct scatterlist sg_src;
	struct scatterlist sg_dst;
};

static struct emu_cpu __percpu *emu_cpus;

/*
 * KM stopping early: the next emu_km_partial_calls KM calls of two blocks
 * or more process only emu_km_partial_blocks blocks (fewer than asked).
 * Lock-free knobs, read on each KM.
 */
static atomic_t emu_km_partial_calls = ATOMIC_INIT(0);
static u32 emu_km_partial_blocks = 1;

/* Set by KUnit around a deliberate misuse, so the run shows no splat. */
VISIBLE_IF_KUNIT bool emu_km_warn_quiet;
EXPORT_SYMBOL_IF_KUNIT(emu_km_warn_quiet);

static unsigned int pk_keylen(enum protkey_pk_type type)
{
	switch (type) {
	case PROTKEY_PK_AES_128:
		return AES_KEYSIZE_128;
	case PROTKEY_PK_AES_192:
		return AES_KEYSIZE_192;
	case PROTKEY_PK_AES_256:
		return AES_KEYSIZE_256;
	case PROTKEY_PK_AES_XTS_128:
	case PROTKEY_PK_AES_XTS_256:
		break;
	}
	return 0;
}

static void wrap(const struct crypto_aes_ctx *wk, u8 *out, const u8 *in,
		 unsigned int keylen)
{
	memcpy(out, in, keylen);
	aes_encrypt(wk, out, out);
	if (keylen == AES_KEYSIZE_192)
		aes_encrypt(wk, out + 8, out + 8);
	else if (keylen == AES_KEYSIZE_256)
		aes_encrypt(wk, out + 16, out + 16);
}

static void unwrap(const struct crypto_aes_ctx *wk, u8 *out, const u8 *in,
		   unsigned int keylen)
{
	memcpy(out, in, keylen);
	if (keylen == AES_KEYSIZE_192)
		aes_decrypt(wk, out + 8, out + 8);
	else if (keylen == AES_KEYSIZE_256)
		aes_decrypt(wk, out + 16, out + 16);
	aes_decrypt(wk, out, out);
}

/**
 * emu_pk_wrap() - make a protected key under the current wrapping key
 * @clear: the clear AES key
 * @keylen: 16, 24 or 32
 * @pk: output
 *
 * Context: any context.
 * Return: 0, or -EINVAL for a bad @keylen.
 */
int emu_pk_wrap(const u8 *clear, u32 keylen, struct protkey_pk *pk)
{
	const struct emu_wk *wk;

	if (keylen != AES_KEYSIZE_128 && keylen != AES_KEYSIZE_192 &&
	    keylen != AES_KEYSIZE_256)
		return -EINVAL;
	memset(pk, 0, sizeof(*pk));
	pk->type = keylen == AES_KEYSIZE_128 ? PROTKEY_PK_AES_128 :
		   keylen == AES_KEYSIZE_192 ? PROTKEY_PK_AES_192 :
					       PROTKEY_PK_AES_256;
	pk->len = keylen + PROTKEY_WKVP_SIZE;
	rcu_read_lock();
	wk = rcu_dereference(emu_wk_cur);
	wrap(&wk->aes, pk->protkey, clear, keylen);
	memcpy(pk->protkey + keylen, wk->wkvp, PROTKEY_WKVP_SIZE);
	rcu_read_unlock();
	return 0;
}

/**
 * emu_pk_wrap_xts() - a full-XTS protected key under the current wrapping key
 * @clear: the clear XTS key: key 1 then key 2
 * @keylen: 32 (AES-XTS-128) or 64 (AES-XTS-256)
 * @pk: output: PROTKEY_PK_AES_XTS_128 (64 bytes) or _256 (96 bytes)
 *
 * The emulator's scheme: each half wrapped as an AES key of its size
 * (see emu_pk_wrap()), the two back to back, then one WKVP.
 *
 * Context: any context.
 * Return: 0, or -EINVAL for a bad @keylen.
 */
int emu_pk_wrap_xts(const u8 *clear, u32 keylen, struct protkey_pk *pk)
{
	const struct emu_wk *wk;
	unsigned int half = keylen / 2;

	if (keylen != 2 * AES_KEYSIZE_128 && keylen != 2 * AES_KEYSIZE_256)
		return -EINVAL;
	memset(pk, 0, sizeof(*pk));
	pk->type = half == AES_KEYSIZE_128 ? PROTKEY_PK_AES_XTS_128 :
					     PROTKEY_PK_AES_XTS_256;
	pk->len = keylen + PROTKEY_WKVP_SIZE;
	rcu_read_lock();
	wk = rcu_dereference(emu_wk_cur);
	wrap(&wk->aes, pk->protkey, clear, half);
	wrap(&wk->aes, pk->protkey + half, clear + half, half);
	memcpy(pk->protkey + keylen, wk->wkvp, PROTKEY_WKVP_SIZE);
	rcu_read_unlock();
	return 0;
}

/**
 * emu_pk_unwrap() - recover the clear key of a protected key (tests only)
 * @pk: the protected key
 * @clear: output, pk_keylen(@pk->type) bytes
 *
 * Context: any context.
 * Return: 0; -EINVAL for a bad type or length; -EKEYEXPIRED when @pk is not
 * wrapped under the current wrapping key. A full-XTS key gives both
 * halves, key 1 then key 2.
 */
int emu_pk_unwrap(const struct protkey_pk *pk, u8 *clear)
{
	unsigned int keylen = pk_keylen(pk->type), halves = 1, i;
	const struct emu_wk *wk;
	int ret = 0;

	if (pk->type == PROTKEY_PK_AES_XTS_128 ||
	    pk->type == PROTKEY_PK_AES_XTS_256) {
		keylen = pk->type == PROTKEY_PK_AES_XTS_128 ? AES_KEYSIZE_128 :
							      AES_KEYSIZE_256;
		halves = 2;
	}
	if (!keylen || pk->len != halves * keylen + PROTKEY_WKVP_SIZE)
		return -EINVAL;
	rcu_read_lock();
	wk = rcu_dereference(emu_wk_cur);
	if (crypto_memneq(pk->protkey + halves * keylen, wk->wkvp,
			  PROTKEY_WKVP_SIZE))
		ret = -EKEYEXPIRED;
	else
		for (i = 0; i < halves; i++)
			unwrap(&wk->aes, clear + i * keylen,
			       pk->protkey + i * keylen, keylen);
	rcu_read_unlock();
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(emu_pk_unwrap);

/*
 * @len bytes (a multiple of 8) equal? The kernel's memcmp() on x86 goes
 * byte by byte, which under qemu TCG is a measurable part of a 512-byte
 * KM; nothing compared here is secret (tags of wrapped keys, XTS
 * parameters), so an early exit is fine.
 */
static bool words_equal(const void *a, const void *b, unsigned int len)
{
	unsigned int i;

	for (i = 0; i < len; i += 8)
		if (get_unaligned((const u64 *)(a + i)) !=
		    get_unaligned((const u64 *)(b + i)))
			return false;
	return true;
}

/*
 * @len bytes (a multiple of 8) all zero? memchr_inv() also goes byte by
 * byte for short buffers.
 */
static bool words_zero(const void *p, unsigned int len)
{
	unsigned int i;

	for (i = 0; i < len; i += 8)
		if (get_unaligned((const u64 *)(p + i)))
			return false;
	return true;
}

/*
 * Makes @slot hold the key whose wrapped form and WKVP start at @p. The
 * caller has checked the WKVP against @wk, so equal tag bytes mean the same
 * clear key. Return: true if the slot changed (a miss).
 */
static bool slot_load(struct emu_key_slot *slot, const struct emu_wk *wk,
		      const u8 *p, unsigned int keylen)
{
	unsigned int len = keylen + PROTKEY_WKVP_SIZE;

	if (slot->tag_len == len && words_equal(slot->tag, p, len))
		return false;
	unwrap(&wk->aes, slot->key, p, keylen);
	aes_expandkey(&slot->aes, slot->key, keylen);
	slot->cipher_keyed =
		slot->cipher &&
		!crypto_cipher_setkey(slot->cipher, slot->key, keylen);
	memcpy(slot->tag, p, len);
	slot->tag_len = len;
	return true;
}

/* One block with the slot's key: the kernel's cipher, else the library. */
static void slot_block(const struct emu_key_slot *slot, bool enc, u8 *dst,
		       const u8 *src)
{
	if (slot->cipher_keyed && enc)
		crypto_cipher_encrypt_one(slot->cipher, dst, src);
	else if (slot->cipher_keyed)
		crypto_cipher_decrypt_one(slot->cipher, dst, src);
	else if (enc)
		aes_encrypt(&slot->aes, dst, src);
	else
		aes_decrypt(&slot->aes, dst, src);
}

/* Slot offset of the wrapped key: AES-128 keys start at byte 16. */
static unsigned int slot_offset(unsigned int keylen)
{
	return keylen == AES_KEYSIZE_128 ? 16 : 0;
}

/**
 * emu_pcc_xts() - PCC, compute XTS parameter, with a protected key
 * @type: PROTKEY_PK_AES_128 or PROTKEY_PK_AES_256 (PCC-XTS has no 192)
 * @param: the PCC parameter block; @param->xts receives E_K2(tweak)
 *
 * Only whole sectors are modelled: block and bit must be zero.
 *
 * Context: any context; never sleeps, never allocates.
 * Return: 0; -EKEYEXPIRED when the key's WKVP is not the current one
 * (condition code 1 on a real CPU); -EINVAL for a bad @type;
 * -EOPNOTSUPP for a non-zero block or bit (not modelled).
 */
int emu_pcc_xts(enum protkey_pk_type type, struct protkey_xts_pcc_param *param)
{
	unsigned int keylen = pk_keylen(type);
	const struct emu_wk *wk;
	struct emu_cpu *c;
	int ret = 0;

	if (WARN_ON_ONCE(keylen != AES_KEYSIZE_128 &&
			 keylen != AES_KEYSIZE_256))
		return -EINVAL;
	if (!words_zero(param->block, sizeof(param->block)) ||
	    !words_zero(param->bit, sizeof(param->bit)))
		return -EOPNOTSUPP;

	rcu_read_lock_bh();
	c = this_cpu_ptr(emu_cpus);
	emu_count(EMU_CNT_PCC_CALLS);
	wk = rcu_dereference_bh(emu_wk_cur);
	if (crypto_memneq(param->key + SLOT_WKVP_OFFSET, wk->wkvp,
			  PROTKEY_WKVP_SIZE)) {
		emu_count(EMU_CNT_PCC_STALE);
		ret = -EKEYEXPIRED;
	} else {
		if (slot_load(&c->pcc, wk, param->key + slot_offset(keylen),
			      keylen)) {
			c->simd_pair.state = EMU_TFM_UNKEYED;
			c->sync_pair.state = EMU_TFM_UNKEYED;
		}
		slot_block(&c->pcc, true, c->pcc_xts, param->tweak);
		memcpy(c->pcc_tweak, param->tweak, AES_BLOCK_SIZE);
		memcpy(param->xts, c->pcc_xts, AES_BLOCK_SIZE);
		c->pcc_valid = true;
	}
	rcu_read_unlock_bh();
	return ret;
}

/* T := T * alpha^n in GF(2^128), IEEE 1619 (little-endian) convention. */
static void tweak_advance(u8 *t_bytes, unsigned int n)
{
	le128 t;

	memcpy(&t, t_bytes, sizeof(t));
	while (n--)
		gf128mul_x_ble(&t, &t);
	memcpy(t_bytes, &t, sizeof(t));
}

/* The reference: C = E_K(P ^ T) ^ T per block, T *= alpha. */
static void xts_ref(const struct crypto_aes_ctx *aes, enum protkey_km_dir dir,
		    u8 *init, u8 *dst, const u8 *src, unsigned int len)
{
	le128 t, b;
	unsigned int i;

	memcpy(&t, init, sizeof(t));
	for (i = 0; i < len; i += AES_BLOCK_SIZE) {
		memcpy(&b, src + i, sizeof(b));
		le128_xor(&b, &b, &t);
		if (dir == PROTKEY_KM_ENCRYPT)
			aes_encrypt(aes, (u8 *)&b, (u8 *)&b);
		else
			aes_decrypt(aes, (u8 *)&b, (u8 *)&b);
		le128_xor(&b, &b, &t);
		memcpy(dst + i, &b, sizeof(b));
		gf128mul_x_ble(&t, &t);
	}
	memcpy(init, &t, sizeof(t));
	memzero_explicit(&b, sizeof(b));
}

/* Keys @x with K1||K2 from @s1 and @s2 (the same length) unless it is. */
static bool xts_tfm_key(struct emu_xts_tfm *x, const struct emu_key_slot *s1,
			const struct emu_key_slot *s2)
{
	unsigned int keylen = s1->tag_len - PROTKEY_WKVP_SIZE;
	u8 k[2 * AES_MAX_KEY_SIZE];

	if (x->state == EMU_TFM_UNKEYED) {
		memcpy(k, s1->key, keylen);
		memcpy(k + keylen, s2->key, keylen);
		x->state = crypto_skcipher_setkey(x->tfm, k, 2 * keylen) ?
				   EMU_TFM_REFUSED :
				   EMU_TFM_KEYED;
		memzero_explicit(k, sizeof(k));
	}
	return x->state == EMU_TFM_KEYED;
}

/*
 * KM through a kernel XTS tfm: keyed K1||K2 with IV @tweak when @tweak is
 * given (E_K2(@tweak) is @init), else keyed K1||K1 with IV D_K1(@init).
 * Return: false if it could not.
 */
static bool xts_tfm(struct emu_xts_tfm *x, struct emu_cpu *c, const u8 *tweak,
		    enum protkey_km_dir dir, u8 *init, u8 *dst, const u8 *src,
		    unsigned int len)
{
	struct scatterlist *sg_dst = &c->sg_src;
	u8 iv[AES_BLOCK_SIZE];
	int ret;

	if (!x->tfm || !xts_tfm_key(x, &c->km, tweak ? &c->pcc : &c->km))
		return false;
	if (tweak)
		memcpy(iv, tweak, AES_BLOCK_SIZE);
	else
		slot_block(&c->km, false, iv, init);
	/*
	 * sg_init_one() would clear the entry first: a memset(), which under
	 * qemu TCG (rep stosb, one byte a step) costs 2 % of a 512-byte KM.
	 * The entries keep their end mark from cpus_alloc().
	 */
	sg_set_buf(&c->sg_src, src, len);
	if (dst != src) {
		sg_dst = &c->sg_dst;
		sg_set_buf(sg_dst, dst, len);
	}
	skcipher_request_set_crypt(x->req, &c->sg_src, sg_dst, len, iv);
	if (dir == PROTKEY_KM_ENCRYPT)
		ret = crypto_skcipher_encrypt(x->req);
	else
		ret = crypto_skcipher_decrypt(x->req);
	if (WARN_ON_ONCE(ret))
		return false;
	if (x->iv_out)
		memcpy(init, iv, AES_BLOCK_SIZE);
	else
		tweak_advance(init, len / AES_BLOCK_SIZE);
	return true;
}

/*
 * Bytes a KM of @len bytes (whole blocks) processes when the knob says it
 * stops early: k blocks, 0 < k < n, as a CPU that finds the wrapping key
 * changed after k blocks. Atomic-safe.
 */
static unsigned int km_partial_len(unsigned int len)
{
	unsigned int blocks = len / AES_BLOCK_SIZE;

	if (blocks < 2 || !atomic_read(&emu_km_partial_calls) ||
	    atomic_dec_if_positive(&emu_km_partial_calls) < 0)
		return len;
	emu_count(EMU_CNT_KM_PARTIAL);
	return min(READ_ONCE(emu_km_partial_blocks), blocks - 1) *
	       AES_BLOCK_SIZE;
}

/**
 * emu_km_partial() - make the next KM calls stop after some blocks
 * @calls: how many KM calls of two blocks or more; 0 cancels
 * @blocks: blocks each of them processes, at least 1; a call of n blocks,
 *	n <= @blocks, processes n - 1
 *
 * Models a KM that stops part way, as on a CPU whose wrapping key changes
 * in the middle of a request: the XTS parameter is advanced past the
 * blocks processed and the count returned is short. The wrapping key
 * itself does not change, so the caller's next KM with the same protected
 * key succeeds.
 *
 * Context: any context.
 */
void emu_km_partial(u32 calls, u32 blocks)
{
	WRITE_ONCE(emu_km_partial_blocks, max(blocks, 1U));
	atomic_set(&emu_km_partial_calls, min_t(u32, calls, INT_MAX));
}
EXPORT_SYMBOL_NS_GPL(emu_km_partial, PROTKEY_EMU_CONTROL);

/*
 * The XTS work of a KM once the slots hold the keys: from the XTS
 * parameter @init (advanced past the blocks processed), on this CPU's
 * fastest path. Caller: rcu_read_lock_bh(), @c this CPU's state with its
 * km slot (and, for the pair path, pcc slot and result) loaded. Returns
 * the bytes processed (km_partial_len()).
 */
static unsigned int km_run(struct emu_cpu *c, enum protkey_km_dir dir, u8 *init,
			   u8 *dst, const u8 *src, unsigned int len)
{
	const u8 *tweak = NULL;

	if (!len)
		return 0;
	len = km_partial_len(len);
	if (READ_ONCE(fast_xts) && virt_addr_valid(src) &&
	    virt_addr_valid(dst)) {
		/* The result of this CPU's last PCC: start from its tweak. */
		if (c->pcc_valid && c->pcc.tag_len == c->km.tag_len &&
		    words_equal(init, c->pcc_xts, AES_BLOCK_SIZE))
			tweak = c->pcc_tweak;
		if (crypto_simd_usable()) {
			if (tweak && xts_tfm(&c->simd_pair, c, tweak, dir, init,
					     dst, src, len))
				return len;
			if (xts_tfm(&c->simd, c, NULL, dir, init, dst, src,
				    len))
				return len;
		}
		if (tweak &&
		    xts_tfm(&c->sync_pair, c, tweak, dir, init, dst, src, len))
			return len;
		if (xts_tfm(&c->sync, c, NULL, dir, init, dst, src, len))
			return len;
	}
	xts_ref(&c->km.aes, dir, init, dst, src, len);
	return len;
}

/* Loads the KM slot; a new key unkeys every tfm that uses it. */
static void km_slot_load(struct emu_cpu *c, const struct emu_wk *wk,
			 const u8 *p, unsigned int keylen)
{
	if (slot_load(&c->km, wk, p, keylen)) {
		c->simd.state = EMU_TFM_UNKEYED;
		c->sync.state = EMU_TFM_UNKEYED;
		c->simd_pair.state = EMU_TFM_UNKEYED;
		c->sync_pair.state = EMU_TFM_UNKEYED;
	}
}

/**
 * emu_km_xts() - KM-XTS with a protected key
 * @type: PROTKEY_PK_AES_128 or PROTKEY_PK_AES_256
 * @dir: encrypt or decrypt
 * @param: parameter block: protected key 1 and the XTS parameter, which is
 *	advanced past the processed blocks
 * @dst: output; may equal @src
 * @src: input
 * @len: bytes, a multiple of 16 (a caller bug otherwise: warned once,
 *	nothing processed)
 *
 * Context: any context, including softirq; never sleeps, never allocates
 * (the kernel's skcipher walk may, as for any xts(aes) user, on a buffer
 * not aligned to 16 bytes that crosses a page).
 * Return: the number of bytes processed: @len; fewer (at least one block)
 * when emu_km_partial() says this call stops early; 0 when the key's WKVP
 * is not the current one (the short count of a real CPU), for a bad @type
 * or a @len that is not a multiple of 16.
 */
unsigned int emu_km_xts(enum protkey_pk_type type, enum protkey_km_dir dir,
			struct protkey_xts_km_param *param, u8 *dst,
			const u8 *src, unsigned int len)
{
	unsigned int keylen = pk_keylen(type);
	const struct emu_wk *wk;
	struct emu_cpu *c;

	if (WARN_ON_ONCE(keylen != AES_KEYSIZE_128 &&
			 keylen != AES_KEYSIZE_256))
		return 0;
	if (unlikely(!IS_ALIGNED(len, AES_BLOCK_SIZE))) {
		emu_count(EMU_CNT_KM_BAD_LEN);
		WARN_ONCE(!READ_ONCE(emu_km_warn_quiet),
			  "KM-XTS of %u bytes, not whole blocks\n", len);
		return 0;
	}

	rcu_read_lock_bh();
	c = this_cpu_ptr(emu_cpus);
	emu_count(EMU_CNT_KM_CALLS);
	wk = rcu_dereference_bh(emu_wk_cur);
	if (crypto_memneq(param->key + SLOT_WKVP_OFFSET, wk->wkvp,
			  PROTKEY_WKVP_SIZE)) {
		emu_count(EMU_CNT_KM_SHORT);
		len = 0;
		goto out;
	}
	km_slot_load(c, wk, param->key + slot_offset(keylen), keylen);
	len = km_run(c, dir, param->init, dst, src, len);
out:
	rcu_read_unlock_bh();
	return len;
}

/* T := T * @m in GF(2^128), IEEE 1619 (little-endian) convention. */
static void gf_mul_ble(u8 *t_bytes, const u8 *m)
{
	le128 t, r = {};
	int i;

	memcpy(&t, t_bytes, sizeof(t));
	/* Horner over the bits of @m, x^127 first: bit i of byte i / 8. */
	for (i = 127; i >= 0; i--) {
		gf128mul_x_ble(&r, &r);
		if (m[i / 8] & BIT(i % 8))
			le128_xor(&r, &r, &t);
	}
	memcpy(t_bytes, &r, sizeof(r));
	memzero_explicit(&t, sizeof(t));
}

/**
 * emu_km_xts_full() - full-XTS KM (0x5a/0x5c) with a full-XTS protected key
 * @type: PROTKEY_PK_AES_XTS_128 or PROTKEY_PK_AES_XTS_256
 * @dir: encrypt or decrypt
 * @param: parameter block: both wrapped keys (an AES-128 pair at offset
 *	32), the tweak, the next alpha power and the WKVP
 * @dst: output; may equal @src
 * @src: input
 * @len: bytes, a multiple of 16 (a caller bug otherwise: warned once,
 *	nothing processed)
 *
 * The emulator's model of the instruction: the XTS parameter of the next
 * block is E_K2(tweak) * nap in GF(2^128) (nap a little-endian field
 * element, 1 = alpha^0 for the first block of a data unit, as paes_s390.c
 * starts it); the call processes the blocks and advances nap by alpha per
 * block, leaving the tweak as it is, so a caller resumes a short count by
 * calling again with the same block. The sources do not describe the
 * field beyond its initial value; see Documentation/emulator.rst. No PCC
 * step is needed, and a stale WKVP processes nothing (the short count).
 *
 * Context: as emu_km_xts().
 * Return: as emu_km_xts().
 */
unsigned int emu_km_xts_full(enum protkey_pk_type type, enum protkey_km_dir dir,
			     struct protkey_xts_full_km_param *param, u8 *dst,
			     const u8 *src, unsigned int len)
{
	unsigned int keylen, off;
	u8 k[AES_KEYSIZE_256 + PROTKEY_WKVP_SIZE];
	u8 init[AES_BLOCK_SIZE];
	const struct emu_wk *wk;
	struct emu_cpu *c;
	static const u8 one[AES_BLOCK_SIZE] = { 1 };

	if (WARN_ON_ONCE(type != PROTKEY_PK_AES_XTS_128 &&
			 type != PROTKEY_PK_AES_XTS_256))
		return 0;
	if (unlikely(!IS_ALIGNED(len, AES_BLOCK_SIZE))) {
		emu_count(EMU_CNT_KM_BAD_LEN);
		WARN_ONCE(!READ_ONCE(emu_km_warn_quiet),
			  "KM-XTS-full of %u bytes, not whole blocks\n", len);
		return 0;
	}
	keylen = type == PROTKEY_PK_AES_XTS_128 ? AES_KEYSIZE_128 :
						  AES_KEYSIZE_256;
	off = type == PROTKEY_PK_AES_XTS_128 ? 32 : 0;

	rcu_read_lock_bh();
	c = this_cpu_ptr(emu_cpus);
	emu_count(EMU_CNT_KM_CALLS);
	wk = rcu_dereference_bh(emu_wk_cur);
	if (crypto_memneq(param->wkvp, wk->wkvp, PROTKEY_WKVP_SIZE)) {
		emu_count(EMU_CNT_KM_SHORT);
		len = 0;
		goto out;
	}
	/* The slots take a wrapped key followed by its WKVP. */
	memcpy(k + keylen, param->wkvp, PROTKEY_WKVP_SIZE);
	memcpy(k, param->key + off + keylen, keylen);
	if (slot_load(&c->pcc, wk, k, keylen)) {
		c->simd_pair.state = EMU_TFM_UNKEYED;
		c->sync_pair.state = EMU_TFM_UNKEYED;
		c->pcc_valid = false;
	}
	/* What a PCC would leave: the pair path then serves this KM too. */
	if (!c->pcc_valid ||
	    !words_equal(c->pcc_tweak, param->tweak, AES_BLOCK_SIZE)) {
		slot_block(&c->pcc, true, c->pcc_xts, param->tweak);
		memcpy(c->pcc_tweak, param->tweak, AES_BLOCK_SIZE);
		c->pcc_valid = true;
	}
	memcpy(init, c->pcc_xts, AES_BLOCK_SIZE);
	if (!words_equal(param->nap, one, AES_BLOCK_SIZE))
		gf_mul_ble(init, param->nap);
	memcpy(k, param->key + off, keylen);
	km_slot_load(c, wk, k, keylen);
	len = km_run(c, dir, init, dst, src, len);
	tweak_advance(param->nap, len / AES_BLOCK_SIZE);
out:
	rcu_read_unlock_bh();
	memzero_explicit(init, sizeof(init));
	return len;
}

/**
 * emu_cpacf_set_lib_only() - force the reference XTS code (tests, bench)
 * @lib_only: true to bypass the kernel's xts(aes)
 *
 * Context: any context.
 */
void emu_cpacf_set_lib_only(bool lib_only)
{
	WRITE_ONCE(fast_xts, !lib_only);
}
EXPORT_SYMBOL_NS_GPL(emu_cpacf_set_lib_only, PROTKEY_EMU_CONTROL);

static struct emu_wk *wk_new(u64 gen)
{
	struct emu_wk *wk = kzalloc(sizeof(*wk), GFP_KERNEL);
	u8 key[WK_SIZE];

	if (!wk)
		return NULL;
	get_random_bytes(key, sizeof(key));
	aes_expandkey(&wk->aes, key, sizeof(key));
	sha256(key, sizeof(key), wk->wkvp);
	memzero_explicit(key, sizeof(key));
	wk->gen = gen;
	return wk;
}

static void wk_free_rcu(struct rcu_head *head)
{
	kfree_sensitive(container_of(head, struct emu_wk, rcu));
}

/* Overwrites what a slot holds of its key, in its cipher too. */
static void slot_forget(struct emu_key_slot *slot)
{
	static const u8 blank[AES_KEYSIZE_256];

	if (slot->cipher && slot->cipher_keyed)
		crypto_cipher_setkey(slot->cipher, blank, sizeof(blank));
	slot->cipher_keyed = false;
	slot->tag_len = 0;
	memzero_explicit(slot->tag, sizeof(slot->tag));
	memzero_explicit(slot->key, sizeof(slot->key));
	memzero_explicit(&slot->aes, sizeof(slot->aes));
}

/* Rekeys a keyed XTS tfm with a constant (halves differ: FIPS is fine). */
static void xts_tfm_forget(struct emu_xts_tfm *x)
{
	static const u8 blank[2 * AES_KEYSIZE_256] = { [AES_KEYSIZE_256] = 1 };

	if (x->tfm && x->state == EMU_TFM_KEYED)
		crypto_skcipher_setkey(x->tfm, blank, sizeof(blank));
	x->state = EMU_TFM_UNKEYED;
}

static void cpu_forget(struct emu_cpu *c)
{
	slot_forget(&c->pcc);
	slot_forget(&c->km);
	xts_tfm_forget(&c->simd);
	xts_tfm_forget(&c->sync);
	xts_tfm_forget(&c->simd_pair);
	xts_tfm_forget(&c->sync_pair);
	c->pcc_valid = false;
	memzero_explicit(c->pcc_tweak, sizeof(c->pcc_tweak));
	memzero_explicit(c->pcc_xts, sizeof(c->pcc_xts));
}

/* On the owning CPU, with BHs off: its slots' users run with BHs off too. */
static long cpu_forget_local(void *unused)
{
	local_bh_disable();
	cpu_forget(this_cpu_ptr(emu_cpus));
	local_bh_enable();
	return 0;
}

/**
 * emu_cpacf_forget() - wipe every CPU's cached clear keys
 *
 * Context: process context; may sleep. After a migration the slots hold
 * keys of the old wrapping key, which no call can hit again; wiping them
 * keeps the clear keys of closed volumes out of the emulator's memory (the
 * S1 memory scan looks for them; a real CPU holds them in firmware, not in
 * memory). An online CPU wipes its own slots in process context; an
 * offline one has no user.
 */
static void emu_cpacf_forget(void)
{
	int cpu;

	cpus_read_lock();
	for_each_possible_cpu(cpu) {
		if (cpu_online(cpu))
			work_on_cpu(cpu, cpu_forget_local, NULL);
		else
			cpu_forget(per_cpu_ptr(emu_cpus, cpu));
	}
	cpus_read_unlock();
}

#if IS_ENABLED(CONFIG_KUNIT)
/**
 * emu_cpacf_caches() - whether a CPU's key cache holds a clear key (tests)
 * @key: the clear AES key
 * @len: its length
 *
 * Reads the other CPUs' slots without their users' exclusion: for a test
 * that runs no cipher calls meanwhile.
 *
 * Context: process context.
 * Return: true when a PCC or KM slot of any CPU holds @key.
 */
VISIBLE_IF_KUNIT bool emu_cpacf_caches(const u8 *key, unsigned int len)
{
	bool found = false;
	int cpu;

	for_each_possible_cpu(cpu) {
		const struct emu_cpu *c = per_cpu_ptr(emu_cpus, cpu);

		found |= !memcmp(c->pcc.key, key, len) ||
			 !memcmp(c->km.key, key, len);
	}
	return found;
}
EXPORT_SYMBOL_IF_KUNIT(emu_cpacf_caches);
#endif

/**
 * emu_migrate() - move the guest: a new wrapping key, optionally an outage
 * @outage_ms: adapters unusable for this long, 0..600000; 0: none
 * @wk_gen: output, the new wrapping-key generation
 * @msg: output, a static message on error
 *
 * Every protected key made before becomes invalid at once: KM returns a
 * short count and PCC -EKEYEXPIRED for it, until it is derived again.
 * Each CPU's cached keys, now stale, are wiped (emu_cpacf_forget()).
 *
 * Context: process context; takes emu_wk_lock and emu_lock.
 * Return: 0; -ERANGE for a too long outage; -ENOMEM.
 */
int emu_migrate(u32 outage_ms, u64 *wk_gen, const char **msg)
{
	struct emu_wk *old, *wk;

	if (outage_ms > 600000) {
		*msg = "outage longer than 600000 ms";
		return -ERANGE;
	}
	mutex_lock(&emu_wk_lock);
	old = rcu_dereference_protected(emu_wk_cur,
					lockdep_is_held(&emu_wk_lock));
	wk = wk_new(old->gen + 1);
	if (!wk) {
		mutex_unlock(&emu_wk_lock);
		*msg = "out of memory";
		return -ENOMEM;
	}
	rcu_assign_pointer(emu_wk_cur, wk);
	mutex_unlock(&emu_wk_lock);
	call_rcu(&old->rcu, wk_free_rcu);

	if (outage_ms)
		emu_adapters_set_outage(outage_ms);
	/* After the outage is set: a derive must not slip in while it runs. */
	emu_cpacf_forget();
	emu_count(EMU_CNT_MIGRATIONS);
	*wk_gen = wk->gen;
	return 0;
}
EXPORT_SYMBOL_NS_GPL(emu_migrate, PROTKEY_EMU_CONTROL);

/**
 * emu_wk_generation() - the current wrapping-key generation
 *
 * Context: any context.
 * Return: a number that changes with every migration.
 */
u64 emu_wk_generation(void)
{
	u64 gen;

	rcu_read_lock();
	gen = rcu_dereference(emu_wk_cur)->gen;
	rcu_read_unlock();
	return gen;
}
EXPORT_SYMBOL_NS_GPL(emu_wk_generation, PROTKEY_EMU_CONTROL);

/*
 * Does @x leave the next tweak in the IV buffer, in both directions? Runs
 * a 3-block request keyed K||K from tweak T and compares the IV with
 * T * alpha^3. The crypto API does not promise this; aesni's XTS does it,
 * the generic template does not. Saves the per-block tweak update.
 */
static bool xts_tfm_probe(struct emu_xts_tfm *x)
{
	u8 key[2 * AES_KEYSIZE_128], t[AES_BLOCK_SIZE], iv[AES_BLOCK_SIZE];
	u8 buf[3 * AES_BLOCK_SIZE] = {};
	struct crypto_aes_ctx aes;
	struct scatterlist sg;
	bool ok = true;
	int dir;

	get_random_bytes(key, AES_KEYSIZE_128);
	memcpy(key + AES_KEYSIZE_128, key, AES_KEYSIZE_128);
	get_random_bytes(t, sizeof(t));
	if (aes_expandkey(&aes, key, AES_KEYSIZE_128) ||
	    crypto_skcipher_setkey(x->tfm, key, sizeof(key)))
		return false;
	for (dir = 0; dir < 2 && ok; dir++) {
		aes_decrypt(&aes, iv, t);
		sg_init_one(&sg, buf, sizeof(buf));
		skcipher_request_set_crypt(x->req, &sg, &sg, sizeof(buf), iv);
		ok = !(dir ? crypto_skcipher_decrypt(x->req) :
			     crypto_skcipher_encrypt(x->req));
		tweak_advance(t, 3);
		ok = ok && !memcmp(iv, t, sizeof(t));
	}
	memzero_explicit(&aes, sizeof(aes));
	return ok;
}

static int xts_tfm_alloc(struct emu_xts_tfm *x, const char *name, u32 type)
{
	x->tfm = crypto_alloc_skcipher(name, type, type | CRYPTO_ALG_ASYNC);
	if (IS_ERR(x->tfm)) {
		int ret = PTR_ERR(x->tfm);

		x->tfm = NULL;
		return ret;
	}
	x->req = skcipher_request_alloc(x->tfm, GFP_KERNEL);
	if (!x->req) {
		crypto_free_skcipher(x->tfm);
		x->tfm = NULL;
		return -ENOMEM;
	}
	skcipher_request_set_callback(x->req, 0, NULL, NULL);
	x->iv_out = xts_tfm_probe(x);
	return 0;
}

/* The K1||K1 and the K1||K2 tfm of one implementation. */
static int xts_tfms_alloc(struct emu_xts_tfm *x, struct emu_xts_tfm *pair,
			  const char *name, u32 type)
{
	return xts_tfm_alloc(x, name, type) ?: xts_tfm_alloc(pair, name, type);
}

static void xts_tfm_free(struct emu_xts_tfm *x)
{
	skcipher_request_free(x->req);
	crypto_free_skcipher(x->tfm);
	x->req = NULL;
	x->tfm = NULL;
}

/* A single-block "aes"; none at all only means the library is used. */
static int cipher_alloc(struct emu_key_slot *slot)
{
	struct crypto_cipher *cipher = crypto_alloc_cipher("aes", 0, 0);

	if (PTR_ERR_OR_ZERO(cipher) == -ENOMEM)
		return -ENOMEM;
	slot->cipher = IS_ERR(cipher) ? NULL : cipher;
	return 0;
}

static void cpus_free(void)
{
	int cpu;

	if (!emu_cpus)
		return;
	for_each_possible_cpu(cpu) {
		struct emu_cpu *c = per_cpu_ptr(emu_cpus, cpu);

		xts_tfm_free(&c->simd);
		xts_tfm_free(&c->sync);
		xts_tfm_free(&c->simd_pair);
		xts_tfm_free(&c->sync_pair);
		if (c->pcc.cipher)
			crypto_free_cipher(c->pcc.cipher);
		if (c->km.cipher)
			crypto_free_cipher(c->km.cipher);
		memzero_explicit(c, sizeof(*c));
	}
	free_percpu(emu_cpus);
	emu_cpus = NULL;
}

/*
 * Allocates the per-CPU tfms. A missing implementation is not an error:
 * the next one down is used. Only running out of memory fails.
 */
static int cpus_alloc(void)
{
	bool simd = true, sync = true;
	int cpu, ret;

	emu_cpus = alloc_percpu(struct emu_cpu);
	if (!emu_cpus)
		return -ENOMEM;
	for_each_possible_cpu(cpu) {
		struct emu_cpu *c = per_cpu_ptr(emu_cpus, cpu);

		sg_init_table(&c->sg_src, 1);
		sg_init_table(&c->sg_dst, 1);
		ret = simd ? xts_tfms_alloc(&c->simd, &c->simd_pair,
					    "__xts(aes)", CRYPTO_ALG_INTERNAL) :
			     -ENOENT;
		if (ret == -ENOMEM)
			return ret;
		simd = !ret;
		ret = sync ? xts_tfms_alloc(&c->sync, &c->sync_pair, "xts(aes)",
					    0) :
			     -ENOENT;
		if (ret == -ENOMEM)
			return ret;
		sync = !ret;
		ret = cipher_alloc(&c->pcc) ?: cipher_alloc(&c->km);
		if (ret)
			return ret;
	}
	return 0;
}

static void report_impl(void)
{
	int cpu = cpumask_first(cpu_possible_mask);
	struct emu_cpu *c = per_cpu_ptr(emu_cpus, cpu);
	const char *block = "library AES";

	if (c->km.cipher)
		block = crypto_cipher_tfm(c->km.cipher)
				->__crt_alg->cra_driver_name;
	pr_info("KM-XTS via %s%s, fallback %s%s, else reference code; blocks: %s\n",
		c->simd.tfm ? crypto_skcipher_driver_name(c->simd.tfm) : "-",
		c->simd.iv_out ? " (IV out)" : "",
		c->sync.tfm ? crypto_skcipher_driver_name(c->sync.tfm) : "-",
		c->sync.iv_out ? " (IV out)" : "", block);
}

/**
 * emu_cpacf_init() - first wrapping key and the per-CPU state
 *
 * Context: process context (module init); may load crypto modules.
 * Return: 0 or -ENOMEM.
 */
int emu_cpacf_init(void)
{
	struct emu_wk *wk = wk_new(1);
	int ret;

	if (!wk)
		return -ENOMEM;
	RCU_INIT_POINTER(emu_wk_cur, wk);
	ret = cpus_alloc();
	if (ret) {
		emu_cpacf_exit();
		return ret;
	}
	report_impl();
	return 0;
}

/**
 * emu_cpacf_exit() - free and wipe everything emu_cpacf_init() made
 *
 * Context: process context (module exit or failed init); no KM or PCC
 * caller is left (the platform is unregistered).
 */
void emu_cpacf_exit(void)
{
	cpus_free();
	rcu_barrier();
	kfree_sensitive(rcu_dereference_protected(emu_wk_cur, true));
	RCU_INIT_POINTER(emu_wk_cur, NULL);
}
