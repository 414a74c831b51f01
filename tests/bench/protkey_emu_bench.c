// SPDX-License-Identifier: GPL-2.0-only
/*
 * protkey_emu_bench: XTS throughput of the emulated CPACF (PCC + KM-XTS with
 * protected keys, as protkey.ko will drive it) against the kernel's own
 * xts(aes) on the same buffers, in the same VM. Loading the module runs the
 * benchmark and prints, per data-unit size, one line
 *
 *   emu_xts: <size> emu=<MB/s> xts_aes=<MB/s> ratio=<emu/xts_aes>
 *
 * and then the same for protkey.ko's "xts(paes)" through the crypto API,
 * the cipher dm-crypt uses (its requests, key object and emulator calls):
 *
 *   emu_xts: <size> xts_paes=<MB/s> xts_aes=<MB/s> ratio=<paes/xts_aes>
 *
 * Each data unit is one request with its own IV (a dm-crypt sector): one
 * PCC plus one KM for the emulator, one skcipher request for xts(aes). The
 * two alternate in short windows so that drift of a shared host hits
 * both; the ratio is the median over the windows. What stays the same from
 * unit to unit is set up once on both sides: the parameter blocks' keys
 * for the emulator, the scatterlist for xts(aes). Under qemu TCG a
 * memcpy() or memset() of 64 bytes costs a few percent of a 512-byte
 * unit, which is the caller's cost, not the primitive's.
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
#include <linux/sort.h>
#include <asm/fpu/api.h>
#include <asm/unaligned.h>

#include "../../kernel/emu/emu_core.h"

#define BENCH_MAX_SIZE 65536

static unsigned int iters = 2000;
module_param(iters, uint, 0444);
MODULE_PARM_DESC(iters, "4 KiB units per round; other sizes: same bytes");

static unsigned int rounds = 5;
module_param(rounds, uint, 0444);
MODULE_PARM_DESC(rounds, "Bytes per size: rounds x iters x 4 KiB (default 5)");

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
 * @aes: an AES key schedule for the library-code part of the breakdown
 * @pcc: PCC parameter block holding @pk2
 * @km: KM parameter block holding @pk1
 * @sg: @buf for @req, of the size being timed
 * @paes: protkey.ko's xts(paes), keyed with the secure keys of @pk1, @pk2;
 *	NULL when protkey.ko is not there
 * @preq: request for @paes
 * @tok: the two secure keys
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
	struct crypto_aes_ctx aes;
	struct protkey_xts_pcc_param pcc;
	struct protkey_xts_km_param km;
	struct scatterlist sg;
	struct crypto_skcipher *paes;
	struct skcipher_request *preq;
	u8 tok[2][PROTKEY_EMU_SECKEY_SIZE];
	u8 *buf;
};

/* The parameter blocks with the keys, as a caller keeps them. */
static void bench_params(struct bench *b)
{
	unsigned int off = PROTKEY_XTS_SLOT_SIZE - b->pk1.len;

	memset(&b->pcc, 0, sizeof(b->pcc));
	memset(&b->km, 0, sizeof(b->km));
	memcpy(b->pcc.key + off, b->pk2.protkey, b->pk2.len);
	memcpy(b->km.key + off, b->pk1.protkey, b->pk1.len);
}

static int emu_unit(struct bench *b, u64 sector, unsigned int size)
{
	int ret;

	put_unaligned_le64(sector, b->pcc.tweak);
	ret = b->ops->pcc_xts(b->type, &b->pcc);
	if (ret)
		return ret;
	memcpy(b->km.init, b->pcc.xts, sizeof(b->km.init));
	if (b->ops->km_xts(b->type, PROTKEY_KM_ENCRYPT, &b->km, b->buf, b->buf,
			   size) != size)
		return -EKEYEXPIRED;
	return 0;
}

/* One request on @req; @b->sg holds @b->buf with @size bytes. */
static int req_unit(struct bench *b, struct skcipher_request *req, u64 sector,
		    unsigned int size)
{
	u8 iv[AES_BLOCK_SIZE] = {};

	put_unaligned_le64(sector, iv);
	skcipher_request_set_crypt(req, &b->sg, &b->sg, size, iv);
	return crypto_wait_req(crypto_skcipher_encrypt(req), &b->wait);
}

static int xts_unit(struct bench *b, u64 sector, unsigned int size)
{
	return req_unit(b, b->req, sector, size);
}

static int paes_unit(struct bench *b, u64 sector, unsigned int size)
{
	return req_unit(b, b->preq, sector, size);
}

typedef int (*unit_fn)(struct bench *b, u64 sector, unsigned int size);

/* The same number of bytes for every size: iters units of 4 KiB. */
static unsigned int units(unsigned int size)
{
	return max_t(unsigned int, 1, div_u64((u64)iters * 4096, size));
}

/* Times @n units from unit @first; adds the nanoseconds to @ns. */
static int time_n(struct bench *b, unit_fn fn, unsigned int size,
		  unsigned int first, unsigned int n, u64 *ns)
{
	u64 start = ktime_get_ns();
	unsigned int i;
	int ret = 0;

	for (i = first; i < first + n && !ret; i++)
		ret = fn(b, i, size);
	*ns += ktime_get_ns() - start;
	return ret;
}

static int time_units(struct bench *b, unit_fn fn, unsigned int size, u64 *ns)
{
	int ret = time_n(b, fn, size, 0, units(size), ns);

	cond_resched();
	return ret;
}

/* MB/s (10^6 bytes) from bytes and nanoseconds. */
static u64 mbps(u64 bytes, u64 ns)
{
	return ns ? div64_u64(bytes * 1000, ns) : 0;
}

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/*
 * The same bytes per size in BENCH_WINDOWS short windows, each timing the
 * emulator and xts(aes) back to back (in alternating order): a shared
 * host's load changes over seconds, not within a window, so the median of
 * the windows' ratios is the figure; the throughputs are over all
 * windows.
 */
#define BENCH_WINDOWS 101

/* @fn (@name) against xts(aes) for one data-unit size. */
static int bench_size(struct bench *b, unsigned int size, unit_fn fn,
		      const char *name)
{
	unsigned int n =
		max_t(unsigned int, 1, units(size) * rounds / BENCH_WINDOWS);
	u64 ns_emu = 0, ns_xts = 0, bytes, emu, xts, ratio;
	u64 *r = kcalloc(BENCH_WINDOWS, sizeof(*r), GFP_KERNEL);
	unsigned int w;
	int ret = 0;

	if (!r)
		return -ENOMEM;
	sg_init_one(&b->sg, b->buf, size);
	for (w = 0; w < BENCH_WINDOWS && !ret; w++) {
		u64 e = 0, x = 0;

		if (w & 1)
			ret = time_n(b, fn, size, w * n, n, &e) ?:
				      time_n(b, xts_unit, size, w * n, n, &x);
		else
			ret = time_n(b, xts_unit, size, w * n, n, &x) ?:
				      time_n(b, fn, size, w * n, n, &e);
		r[w] = e ? div64_u64(x * 1000, e) : 0;
		ns_emu += e;
		ns_xts += x;
		cond_resched();
	}
	if (!ret) {
		sort(r, BENCH_WINDOWS, sizeof(*r), cmp_u64, NULL);
		ratio = r[BENCH_WINDOWS / 2];
		bytes = (u64)size * n * BENCH_WINDOWS;
		emu = mbps(bytes, ns_emu);
		xts = mbps(bytes, ns_xts);
		pr_info("emu_xts: %u %s=%llu xts_aes=%llu ratio=%llu.%03llu (median of %u windows; quartiles %llu.%03llu-%llu.%03llu)\n",
			size, name, emu, xts, ratio / 1000, ratio % 1000,
			BENCH_WINDOWS, r[BENCH_WINDOWS / 4] / 1000,
			r[BENCH_WINDOWS / 4] % 1000,
			r[3 * BENCH_WINDOWS / 4] / 1000,
			r[3 * BENCH_WINDOWS / 4] % 1000);
	}
	kfree(r);
	return ret;
}

static bool breakdown = true;
module_param(breakdown, bool, 0444);
MODULE_PARM_DESC(breakdown,
		 "Also time PCC and KM alone per 512-byte unit (default 1)");

/* ns per call of one part of a 512-byte unit, over units(512) calls. */
static u64 time_part(struct bench *b, int part)
{
	struct protkey_xts_pcc_param pcc = b->pcc;
	struct protkey_xts_km_param km = b->km;
	unsigned int i, n = units(512);
	u64 start;

	b->ops->pcc_xts(b->type, &pcc);
	start = ktime_get_ns();
	for (i = 0; i < n; i++) {
		switch (part) {
		case 0: /* PCC alone */
			put_unaligned_le64(i, pcc.tweak);
			b->ops->pcc_xts(b->type, &pcc);
			break;
		case 1: /* KM alone, from the last PCC's result */
			memcpy(km.init, pcc.xts, sizeof(km.init));
			b->ops->km_xts(b->type, PROTKEY_KM_ENCRYPT, &km, b->buf,
				       b->buf, 512);
			break;
		case 4: /* what PCC is made of: bottom halves off and on */
			rcu_read_lock_bh();
			rcu_read_unlock_bh();
			break;
		case 5: /* ... one AES block with the library code */
			aes_encrypt(&b->aes, pcc.xts, pcc.tweak);
			break;
		case 6: /* ... the FPU section of an AES-NI block */
			kernel_fpu_begin();
			kernel_fpu_end();
			break;
		case 3: /* KM on no data: the fixed cost of a call */
			b->ops->km_xts(b->type, PROTKEY_KM_ENCRYPT, &km, b->buf,
				       b->buf, 0);
			break;
		default: /* KM alone, from another parameter */
			memcpy(km.init, pcc.xts, sizeof(km.init));
			km.init[15] ^= 1;
			b->ops->km_xts(b->type, PROTKEY_KM_ENCRYPT, &km, b->buf,
				       b->buf, 512);
			break;
		}
	}
	return div_u64(ktime_get_ns() - start, n);
}

static void bench_breakdown(struct bench *b)
{
	u64 ns = 0, pcc, km, km_other, km_empty, bh, lib, fpu;

	pcc = time_part(b, 0);
	km = time_part(b, 1);
	km_other = time_part(b, 2);
	km_empty = time_part(b, 3);
	bh = time_part(b, 4);
	lib = time_part(b, 5);
	fpu = time_part(b, 6);
	sg_init_one(&b->sg, b->buf, 512);
	time_units(b, xts_unit, 512, &ns);
	pr_info("emu_xts: breakdown 512: pcc=%lluns km=%lluns km_other_param=%lluns km_no_data=%lluns xts_aes=%lluns\n",
		pcc, km, km_other, km_empty, div_u64(ns, units(512)));
	pr_info("emu_xts: breakdown parts: bh_off_on=%lluns aes_lib_block=%lluns fpu_begin_end=%lluns\n",
		bh, lib, fpu);
}

/* All paths must produce the same ciphertext, or the figures mean nothing. */
static int bench_verify(struct bench *b)
{
	u8 *copy = kmalloc(2 * 4096, GFP_KERNEL);
	int ret;

	if (!copy)
		return -ENOMEM;
	get_random_bytes(b->buf, 4096);
	memcpy(copy, b->buf, 4096);
	memcpy(copy + 4096, b->buf, 4096);
	ret = emu_unit(b, 42, 4096);
	if (!ret) {
		sg_init_one(&b->sg, copy, 4096);
		ret = xts_unit(b, 42, 4096);
	}
	if (!ret && b->paes) {
		sg_init_one(&b->sg, copy + 4096, 4096);
		ret = paes_unit(b, 42, 4096);
	}
	if (!ret && (memcmp(copy, b->buf, 4096) ||
		     (b->paes && memcmp(copy + 4096, b->buf, 4096))))
		ret = -EBADMSG;
	kfree(copy);
	return ret;
}

/*
 * protkey.ko's xts(paes), keyed with the secure keys: absent only when
 * protkey.ko is not loaded, then its figures are left out.
 */
static int bench_paes(struct bench *b)
{
	struct crypto_skcipher *tfm = crypto_alloc_skcipher("xts(paes)", 0, 0);
	int ret;

	if (IS_ERR(tfm)) {
		pr_info("emu_xts: no xts(paes) (%ld): protkey.ko figures left out\n",
			PTR_ERR(tfm));
		return PTR_ERR(tfm) == -ENOENT ? 0 : PTR_ERR(tfm);
	}
	b->paes = tfm;
	b->preq = skcipher_request_alloc(tfm, GFP_KERNEL);
	if (!b->preq)
		return -ENOMEM;
	skcipher_request_set_callback(b->preq, CRYPTO_TFM_REQ_MAY_BACKLOG,
				      crypto_req_done, &b->wait);
	ret = crypto_skcipher_setkey(tfm, &b->tok[0][0], sizeof(b->tok));
	if (!ret)
		pr_info("emu_xts: xts(paes) is %s\n",
			crypto_skcipher_driver_name(tfm));
	return ret;
}

/* Two secure keys from the clear XTS key, then their protected keys. */
static int bench_keys(struct bench *b, const u8 *key, unsigned int half)
{
	u8(*tok)[PROTKEY_EMU_SECKEY_SIZE] = b->tok;
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
				     i ? &b->pk2 : &b->pk1, 0);
	b->type = b->pk1.type;
	if (!ret)
		bench_params(b);
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
	aes_expandkey(&b->aes, key, half);
	ret = crypto_skcipher_setkey(b->tfm, key, 2 * half) ?:
		      bench_keys(b, key, half);
	memzero_explicit(key, sizeof(key));
	ret = ret ?: bench_paes(b);
	if (!ret)
		pr_info("emu_xts: xts(aes) is %s, AES-%u, %u rounds of %u KiB\n",
			crypto_skcipher_driver_name(b->tfm), key_bits, rounds,
			iters * 4);
	return ret;
}

static void bench_teardown(struct bench *b)
{
	skcipher_request_free(b->preq);
	if (b->paes)
		crypto_free_skcipher(b->paes);
	skcipher_request_free(b->req);
	if (!IS_ERR_OR_NULL(b->tfm))
		crypto_free_skcipher(b->tfm);
	if (b->buf)
		free_pages((unsigned long)b->buf, get_order(BENCH_MAX_SIZE));
	memzero_explicit(&b->pk1, sizeof(b->pk1));
	memzero_explicit(&b->pk2, sizeof(b->pk2));
	memzero_explicit(&b->pcc, sizeof(b->pcc));
	memzero_explicit(&b->km, sizeof(b->km));
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
		ret = bench_size(&b, sizes[i], emu_unit, "emu");
	for (i = 0; i < ARRAY_SIZE(sizes) && !ret && b.paes; i++)
		ret = bench_size(&b, sizes[i], paes_unit, "xts_paes");
	if (!ret && breakdown)
		bench_breakdown(&b);
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

MODULE_DESCRIPTION(
	"protkey: emulated KM-XTS and xts(paes) vs xts(aes) benchmark");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(PROTKEY_EMU_CONTROL);
MODULE_IMPORT_NS(PROTKEY);
