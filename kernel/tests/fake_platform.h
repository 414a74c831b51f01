/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A fake protected-key platform for the KUnit suites of protkey.ko.
 *
 * Included by one test file per module (static definitions, no shared
 * object). Its "secure keys" are 64-byte tokens of type 0xfa carrying the
 * clear key XOR a byte pattern: TEST ONLY, nothing here is secure. Its
 * protected keys are the clear key XOR a mask of the wrapping-key
 * generation plus a WKVP naming that generation, so a migration (a new
 * generation) makes every earlier protected key stale, as on the real CPU.
 * PCC and KM-XTS implement real XTS with the kernel's AES library, so data
 * can be checked against the generic xts(aes).
 *
 * Knobs: derive latency, an outage until a point in time (-ENODEV),
 * failing the next N derives with an errno, a KM byte budget after which
 * the wrapping key changes in the middle of a request, and master-key
 * changes: byte 6 of a token names its "master key"; key_info reports
 * mk_old as the OLD register, derives of mk_gone fail with -ENODEV (0 for
 * neither).
 *
 * It also records how it is called: derives in a memalloc_noio scope and
 * with PROTKEY_DERIVE_NOMEMALLOC, and key_info calls in a noio scope, so
 * that tests can check the I/O-path contract of the re-derive worker.
 */
#ifndef _PROTKEY_FAKE_PLATFORM_H
#define _PROTKEY_FAKE_PLATFORM_H

#include <crypto/aes.h>
#include <crypto/gf128mul.h>
#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/string.h>

#include "../platform.h"

#define FAKE_TOKEN_SIZE 64
#define FAKE_TOKEN_TYPE 0xfa
#define FAKE_TOKEN_VERSION 0x01
#define FAKE_KEY_OFFSET 8

/* State of the fake; one per test module. */
struct fake_state {
	atomic64_t gen;
	atomic_t derives;
	atomic_t derive_calls;
	unsigned long last_derive_start;
	atomic_t fail_count;
	int fail_errno;
	unsigned long outage_until;
	bool outage;
	unsigned int derive_delay_ms;
	atomic_t km_budget;
	atomic_t km_calls;
	u8 mk_old;
	u8 mk_gone;
	atomic_t derive_noio;
	atomic_t derive_nomemalloc;
	atomic_t key_info_calls;
	atomic_t key_info_noio;
	void (*key_info_cb)(void);
};

static struct fake_state fake;

static void fake_reset(void)
{
	atomic64_set(&fake.gen, 1);
	atomic_set(&fake.derives, 0);
	atomic_set(&fake.derive_calls, 0);
	atomic_set(&fake.fail_count, 0);
	fake.fail_errno = 0;
	fake.outage = false;
	fake.derive_delay_ms = 0;
	atomic_set(&fake.km_budget, -1);
	atomic_set(&fake.km_calls, 0);
	fake.mk_old = 0;
	fake.mk_gone = 0;
	atomic_set(&fake.derive_noio, 0);
	atomic_set(&fake.derive_nomemalloc, 0);
	atomic_set(&fake.key_info_calls, 0);
	atomic_set(&fake.key_info_noio, 0);
	fake.key_info_cb = NULL;
}

static void fake_migrate(void)
{
	atomic64_inc(&fake.gen);
}

static void fake_set_outage(unsigned int ms)
{
	fake.outage_until = jiffies + msecs_to_jiffies(ms);
	fake.outage = true;
}

/* A fake secure key for @clear under "master key" @mk. */
static void fake_make_token(u8 tok[FAKE_TOKEN_SIZE], const u8 *clear,
			    unsigned int keylen, u8 mk)
{
	unsigned int i;

	memset(tok, 0, FAKE_TOKEN_SIZE);
	tok[0] = FAKE_TOKEN_TYPE;
	tok[4] = FAKE_TOKEN_VERSION;
	tok[5] = keylen;
	tok[6] = mk;
	for (i = 0; i < keylen; i++)
		tok[FAKE_KEY_OFFSET + i] = clear[i] ^ (0xa5 ^ mk);
}

static u8 fake_mask(u64 gen, unsigned int i)
{
	return (u8)(gen * 0x3d + i * 7 + 0x11);
}

static bool fake_supports(const u8 *blob, u32 len)
{
	return len == FAKE_TOKEN_SIZE && blob[0] == FAKE_TOKEN_TYPE &&
	       blob[4] == FAKE_TOKEN_VERSION &&
	       (blob[5] == 16 || blob[5] == 24 || blob[5] == 32);
}

static int fake_key_info(const u8 *blob, u32 len, struct protkey_key_info *info)
{
	atomic_inc(&fake.key_info_calls);
	if (current->flags & PF_MEMALLOC_NOIO)
		atomic_inc(&fake.key_info_noio);
	if (fake.key_info_cb)
		fake.key_info_cb();
	if (!fake_supports(blob, len))
		return -EINVAL;
	memset(info, 0, sizeof(*info));
	info->key_bits = blob[5] * 8;
	info->token_type = blob[0];
	info->token_version = blob[4];
	info->mkvp = blob[6];
	info->match = PROTKEY_MK_CURRENT;
	if (fake.mk_old && blob[6] == fake.mk_old)
		info->match = PROTKEY_MK_OLD;
	if (fake.mk_gone && blob[6] == fake.mk_gone)
		info->match = PROTKEY_MK_NONE;
	info->usable_adapters = 1;
	return 0;
}

static int fake_derive(const u8 *blob, u32 len, struct protkey_pk *pk,
		       u32 flags)
{
	u64 gen = atomic64_read(&fake.gen);
	unsigned int i, keylen;

	atomic_inc(&fake.derive_calls);
	WRITE_ONCE(fake.last_derive_start, jiffies);
	if (current->flags & PF_MEMALLOC_NOIO)
		atomic_inc(&fake.derive_noio);
	if (flags & PROTKEY_DERIVE_NOMEMALLOC)
		atomic_inc(&fake.derive_nomemalloc);
	if (fake.derive_delay_ms)
		msleep(fake.derive_delay_ms);
	if (!fake_supports(blob, len))
		return -EINVAL;
	if (fake.outage && time_before(jiffies, fake.outage_until))
		return -ENODEV;
	if (fake.mk_gone && blob[6] == fake.mk_gone)
		return -ENODEV;
	if (atomic_dec_if_positive(&fake.fail_count) >= 0)
		return fake.fail_errno;
	keylen = blob[5];
	pk->type = keylen == 16 ? PROTKEY_PK_AES_128 :
		   keylen == 24 ? PROTKEY_PK_AES_192 :
				  PROTKEY_PK_AES_256;
	pk->len = keylen + PROTKEY_WKVP_SIZE;
	for (i = 0; i < keylen; i++)
		pk->protkey[i] = blob[FAKE_KEY_OFFSET + i] ^ (0xa5 ^ blob[6]) ^
				 fake_mask(gen, i);
	memset(pk->protkey + keylen, 0x77, PROTKEY_WKVP_SIZE);
	memcpy(pk->protkey + keylen, &gen, sizeof(gen));
	atomic_inc(&fake.derives);
	return 0;
}

/* Unwraps the protected key in a parameter-block slot; false if stale. */
static bool fake_unwrap(enum protkey_pk_type type, const u8 *slot,
			struct crypto_aes_ctx *aes)
{
	unsigned int keylen = type == PROTKEY_PK_AES_128 ? 16 : 32;
	const u8 *pk =
		slot + PROTKEY_XTS_SLOT_SIZE - keylen - PROTKEY_WKVP_SIZE;
	u64 gen = atomic64_read(&fake.gen), pk_gen;
	u8 clear[32];
	unsigned int i;
	int ret;

	memcpy(&pk_gen, pk + keylen, sizeof(pk_gen));
	if (pk_gen != gen)
		return false;
	for (i = 0; i < keylen; i++)
		clear[i] = pk[i] ^ fake_mask(gen, i);
	ret = aes_expandkey(aes, clear, keylen);
	memzero_explicit(clear, sizeof(clear));
	return !ret;
}

static int fake_pcc_xts(enum protkey_pk_type type,
			struct protkey_xts_pcc_param *param)
{
	struct crypto_aes_ctx aes;

	if (!fake_unwrap(type, param->key, &aes))
		return -EKEYEXPIRED;
	aes_encrypt(&aes, param->xts, param->tweak);
	memzero_explicit(&aes, sizeof(aes));
	return 0;
}

static unsigned int fake_km_xts(enum protkey_pk_type type,
				enum protkey_km_dir dir,
				struct protkey_xts_km_param *param, u8 *dst,
				const u8 *src, unsigned int len)
{
	struct crypto_aes_ctx aes;
	unsigned int i, j, n = len;
	int budget;
	le128 t;
	u8 b[16];

	atomic_inc(&fake.km_calls);
	if (!fake_unwrap(type, param->key, &aes))
		return 0;
	budget = atomic_read(&fake.km_budget);
	if (budget >= 0) {
		n = min_t(unsigned int, len, budget);
		atomic_set(&fake.km_budget, budget - n);
	}
	memcpy(&t, param->init, sizeof(t));
	for (i = 0; i < n; i += 16) {
		for (j = 0; j < 16; j++)
			b[j] = src[i + j] ^ ((u8 *)&t)[j];
		if (dir == PROTKEY_KM_ENCRYPT)
			aes_encrypt(&aes, b, b);
		else
			aes_decrypt(&aes, b, b);
		for (j = 0; j < 16; j++)
			dst[i + j] = b[j] ^ ((u8 *)&t)[j];
		gf128mul_x_ble(&t, &t);
	}
	memcpy(param->init, &t, sizeof(t));
	memzero_explicit(&aes, sizeof(aes));
	if (n < len) {
		/* One wrapping-key change, then unlimited again. */
		atomic_set(&fake.km_budget, -1);
		fake_migrate();
	}
	return n;
}

static u64 fake_wk_generation(void)
{
	return atomic64_read(&fake.gen);
}

static struct protkey_platform_ops fake_ops = {
	.name = KBUILD_MODNAME,
	.owner = THIS_MODULE,
	.flags = PROTKEY_PLATFORM_F_NO_CLEAR_KEY,
	.supports = fake_supports,
	.key_info = fake_key_info,
	.derive = fake_derive,
	.pcc_xts = fake_pcc_xts,
	.km_xts = fake_km_xts,
	.wk_generation = fake_wk_generation,
};

#endif /* _PROTKEY_FAKE_PLATFORM_H */
