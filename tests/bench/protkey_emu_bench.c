// SPDX-License-Identifier: GPL-2.0-only
/*
 * protkey_emu_bench: XTS throughput of the emulated CPACF (PCC + KM-XTS with
 * protected keys, as protkey.ko will drive it) against the kernel's own
 * xts(aes) on the same buffers, in the same VM. Loading the module runs the
 * benchmark and prints, per data-unit size, one line
 *
 *   emu_xts: <size> emu=<MB/s> xts_aes=<MB/s> ratio=<emu/xts_aes>
 *
 * Each data unit is one request with its own IV (a dm-crypt sector): one
 * PCC plus one KM for the emulator, one skcipher request for xts(aes). The
 * two alternate in rounds so that drift of a shared host hits both.
 *
 * It needs protkey_emu loaded. It uses the emulator's control API: when no
 * adapter has a CURRENT master key it loads and activates one.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <crypto/aes.h>
#include <crypto/skcipher.h>
#include <linux/gfp.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/random.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <asm/unaligned.h>

#include "../../kernel/emu/emu_core.h"

#define BENCH_MAX_SIZE 65536

static unsigned int iters = 2000;
module_param(iters, uint, 0444);
MODULE_PARM_DESC(iters, "4 KiB units per round; other sizes: same bytes");

static unsigned int rounds = 5;
module_param(rounds, uint, 0444);
MODULE_PARM_DESC(rounds, "Alternating rounds per size (default 5)");

static unsigned int key_bits = 256;
module_param(key_bits, uint, 0444);
MODULE_PARM_DESC(key_bits, "AES key size of the XTS halves: 128 or 256");

/**
 * struct bench - one benchmark run
 * @ops: the emulator's platform ops, pinned
 * @tfm: the kernel's xts(aes)
 * @req: request for @tfm
 * @wait: completion of @req
 * @type: protected-key type of both halves
 * @pk1: protected data key
 * @pk2: protected tweak key
 * @buf: data buffer, BENCH_MAX_SIZE bytes, physically contiguous
 */
struct bench {
	struct protkey_platform_ops *ops;
	struct crypto_skcipher *tfm;
	struct skcipher_request *req;
	struct crypto_wait wait;
	enum protkey_pk_type type;
	struct protkey_pk pk1;
	struct protkey_pk pk2;
	u8 *buf;
};

static int emu_unit(struct bench *b, u64 sector, unsigned int size)
{
	unsigned int off = PROTKEY_MAX_PROTKEY_SIZE - b->pk1.len;
	struct protkey_xts_pcc_param pcc = {};
	struct protkey_xts_km_param km;
	int ret;

	memcpy(pcc.key + off, b->pk2.protkey, b->pk2.len);
	put_unaligned_le64(sector, pcc.tweak);
	ret = b->ops->pcc_xts(b->type, &pcc);
	if (ret)
		return ret;
	memcpy(km.key + off, b->pk1.protkey, b->pk1.len);
	memcpy(km.init, pcc.xts, sizeof(km.init));
	if (b->ops->km_xts(b->type, PROTKEY_KM_ENCRYPT, &km, b->buf, b->buf,
			   size) != size)
		return -EKEYEXPIRED;
	return 0;
}

static int xts_unit(struct bench *b, u64 sector, unsigned int size)
{
	struct scatterlist sg;
	u8 iv[AES_BLOCK_SIZE] = {};

	put_unaligned_le64(sector, iv);
	sg_init_one(&sg, b->buf, size);
	skcipher_request_set_crypt(b->req, &sg, &sg, size, iv);
	return crypto_wait_req(crypto_skcipher_encrypt(b->req), &b->wait);
}

/* The same number of bytes for every size: iters units of 4 KiB. */
static unsigned int units(unsigned int size)
{
	return max_t(unsigned int, 1, div_u64((u64)iters * 4096, size));
}

static int time_units(struct bench *b, bool emu, unsigned int size, u64 *ns)
{
	unsigned int i, n = units(size);
	u64 start = ktime_get_ns();
	int ret = 0;

	for (i = 0; i < n && !ret; i++)
		ret = emu ? emu_unit(b, i, size) : xts_unit(b, i, size);
	*ns += ktime_get_ns() - start;
	cond_resched();
	return ret;
}

/* MB/s (10^6 bytes) from bytes and nanoseconds. */
static u64 mbps(u64 bytes, u64 ns)
{
	return ns ? div64_u64(bytes * 1000, ns) : 0;
}

static int bench_size(struct bench *b, unsigned int size)
{
	u64 ns_emu = 0, ns_xts = 0, bytes, emu, xts, ratio;
	unsigned int r;
	int ret = 0;

	for (r = 0; r < rounds && !ret; r++) {
		ret = time_units(b, true, size, &ns_emu);
		if (!ret)
			ret = time_units(b, false, size, &ns_xts);
	}
	if (ret)
		return ret;
	bytes = (u64)size * units(size) * rounds;
	emu = mbps(bytes, ns_emu);
	xts = mbps(bytes, ns_xts);
	ratio = ns_emu ? div64_u64(ns_xts * 1000, ns_emu) : 0;
	pr_info("emu_xts: %u emu=%llu xts_aes=%llu ratio=%llu.%03llu\n", size,
		emu, xts, ratio / 1000, ratio % 1000);
	return 0;
}

/* Both paths must produce the same ciphertext, or the figures mean nothing. */
static int bench_verify(struct bench *b)
{
	u8 *copy = kmalloc(4096, GFP_KERNEL);
	int ret;

	if (!copy)
		return -ENOMEM;
	get_random_bytes(b->buf, 4096);
	memcpy(copy, b->buf, 4096);
	ret = emu_unit(b, 42, 4096);
	if (!ret) {
		swap(copy, b->buf);
		ret = xts_unit(b, 42, 4096);
		swap(copy, b->buf);
	}
	if (!ret && memcmp(copy, b->buf, 4096))
		ret = -EBADMSG;
	kfree(copy);
	return ret;
}

/* Two secure keys from the clear XTS key, then their protected keys. */
static int bench_keys(struct bench *b, const u8 *key, unsigned int half)
{
	u8 tok[2][PROTKEY_EMU_SECKEY_SIZE];
	u8 mk[PROTKEY_EMU_MK_SIZE];
	const char *msg = NULL;
	int ret, i;

	ret = emu_key_generate(half * 8, key, half, tok[0], &msg);
	if (ret == -ENODEV) {
		get_random_bytes(mk, sizeof(mk));
		ret = emu_mk_load(EMU_ALL_APQNS, mk, &msg)    ?:
			      emu_mk_set(EMU_ALL_APQNS, &msg) ?:
			      emu_key_generate(half * 8, key, half, tok[0],
					       &msg);
		memzero_explicit(mk, sizeof(mk));
	}
	if (!ret)
		ret = emu_key_generate(half * 8, key + half, half, tok[1],
				       &msg);
	for (i = 0; i < 2 && !ret; i++)
		ret = b->ops->derive(tok[i], sizeof(tok[i]),
				     i ? &b->pk2 : &b->pk1);
	b->type = b->pk1.type;
	return ret;
}

static int bench_setup(struct bench *b)
{
	unsigned int half = key_bits / 8;
	u8 key[2 * AES_MAX_KEY_SIZE];
	int ret;

	b->buf = (u8 *)__get_free_pages(GFP_KERNEL, get_order(BENCH_MAX_SIZE));
	if (!b->buf)
		return -ENOMEM;
	b->tfm = crypto_alloc_skcipher("xts(aes)", 0, 0);
	if (IS_ERR(b->tfm))
		return PTR_ERR(b->tfm);
	b->req = skcipher_request_alloc(b->tfm, GFP_KERNEL);
	if (!b->req)
		return -ENOMEM;
	crypto_init_wait(&b->wait);
	skcipher_request_set_callback(b->req, CRYPTO_TFM_REQ_MAY_BACKLOG,
				      crypto_req_done, &b->wait);
	get_random_bytes(key, 2 * half);
	ret = crypto_skcipher_setkey(b->tfm, key, 2 * half) ?:
		      bench_keys(b, key, half);
	memzero_explicit(key, sizeof(key));
	if (!ret)
		pr_info("emu_xts: xts(aes) is %s, AES-%u, %u rounds of %u KiB\n",
			crypto_skcipher_driver_name(b->tfm), key_bits, rounds,
			iters * 4);
	return ret;
}

static void bench_teardown(struct bench *b)
{
	skcipher_request_free(b->req);
	if (!IS_ERR_OR_NULL(b->tfm))
		crypto_free_skcipher(b->tfm);
	if (b->buf)
		free_pages((unsigned long)b->buf, get_order(BENCH_MAX_SIZE));
	memzero_explicit(&b->pk1, sizeof(b->pk1));
	memzero_explicit(&b->pk2, sizeof(b->pk2));
}

static int __init protkey_emu_bench_init(void)
{
	static const unsigned int sizes[] = { 512, 4096, BENCH_MAX_SIZE };
	struct bench b = {};
	unsigned int i;
	int ret;

	if (key_bits != 128 && key_bits != 256)
		return -EINVAL;
	b.ops = protkey_platform_get("emu");
	if (IS_ERR(b.ops))
		return PTR_ERR(b.ops);
	ret = bench_setup(&b) ?: bench_verify(&b);
	for (i = 0; i < ARRAY_SIZE(sizes) && !ret; i++)
		ret = bench_size(&b, sizes[i]);
	if (ret)
		pr_err("emu_xts: failed: %d\n", ret);
	bench_teardown(&b);
	protkey_platform_put(b.ops);
	return ret;
}

static void __exit protkey_emu_bench_exit(void)
{
}

module_init(protkey_emu_bench_init);
module_exit(protkey_emu_bench_exit);

MODULE_DESCRIPTION("protkey: emulated KM-XTS vs xts(aes) benchmark");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(PROTKEY_EMU_CONTROL);
