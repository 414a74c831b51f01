// SPDX-License-Identifier: GPL-2.0-only
/*
 * protkey platform "s390": the real IBM Z backend. Secure keys become
 * protected keys through the kernel's pkey module; XTS runs with the CPACF
 * protected-key functions. Built into protkey.ko on s390 kernels only.
 *
 * Sources, cited by these short names (facts only, no code taken):
 *   K61    Debian's linux-source-6.1 (6.1.192), the Debian 12 kernel
 *   v6.12  torvalds/linux after the pkey split (pkey_key2protkey)
 *   v6.16  torvalds/linux after the 2025 paes rework (xflags)
 *
 * Finding pkey. pkey may be absent: Debian's s390x kernel does not build it
 * (CONFIG_PKEY unset, so it is not in that kernel's Module.symvers), and a
 * hard reference would keep protkey.ko from loading there. symbol_get()
 * cannot be used: its derive calls are EXPORT_SYMBOL, not _GPL (K61 and
 * v6.12 drivers/s390/crypto/pkey_api.c), and __symbol_get() refuses every
 * symbol that is not GPL-only ("failing symbol_get of non-GPLONLY symbol",
 * K61 kernel/module/main.c, a stable backport of the v6.5 change). So the
 * call is a weak reference: the module loader resolves it when protkey.ko
 * loads if pkey is loaded then, and leaves it NULL otherwise ("Ok if weak",
 * K61 kernel/module/main.c simplify_symbols()); a resolved reference pins
 * pkey like any module dependency. pkey must therefore be loaded before
 * protkey.ko (MODULE_SOFTDEP below does it for modprobe); protkey.ko must
 * be built against the headers of a kernel whose Module.symvers has the
 * symbol, or the loader refuses the unversioned symbol once pkey is there
 * (K61 kernel/module/version.c check_version()).
 *
 * Which call. The shape of pkey's derive call changed three times (see
 * &enum protkey_pkey_shape); it is chosen here at build time from the
 * kernel version, with the header's own PKEY_XFLAG_NOMEMALLOC taking
 * precedence for kernels that backport the xflags form. The marshalling of
 * each shape and the errno table are in s390_pkey.c, tested on any
 * architecture by the KUnit suite protkey_s390_pkey.
 *
 * CPACF. Two-key XTS uses KM-XTS-Encrypted-AES-128/256 (function codes
 * 0x3a/0x3c) with PCC computing the XTS parameter from the second key
 * (same function codes); full-XTS keys use KM 0x5a/0x5c, no PCC (K61
 * asm/cpacf.h for 0x3a/0x3c; 0x5a/0x5c from v6.16 asm/cpacf.h and
 * paes_s390.c, defined here because 6.1's header lacks them). Every
 * function is queried with cpacf_query_func(), which checks the MSA
 * facility of the instruction before it executes the query (K61
 * asm/cpacf.h __cpacf_check_opcode()); a protected-key KM on a CPU without
 * the function is an exception, so nothing runs that was not found. qemu's
 * TCG emulates none of them: there the platform declines to register and
 * the emulated platform serves.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": s390: " fmt

#include <linux/atomic.h>
#include <linux/module.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/version.h>
#include <asm/cpacf.h>
#include <asm/pkey.h>

#include "platform.h"
#include "platform/s390.h"
#include "platform/s390_pkey.h"
#include "token.h"

/* &enum protkey_pkey_shape for the preprocessor. */
#define SHAPE_BLOB 0
#define SHAPE_SPLIT 1
#define SHAPE_KEY2PROTKEY 2
#define SHAPE_XFLAGS 3
static_assert(SHAPE_BLOB == PROTKEY_PKEY_KEYBLOB2PKEY);
static_assert(SHAPE_SPLIT == PROTKEY_PKEY_KEYBLOB2PKEY_SPLIT);
static_assert(SHAPE_KEY2PROTKEY == PROTKEY_PKEY_KEY2PROTKEY);
static_assert(SHAPE_XFLAGS == PROTKEY_PKEY_KEY2PROTKEY_XFLAGS);

#if defined(PKEY_XFLAG_NOMEMALLOC) || \
	KERNEL_VERSION(6, 16, 0) <= LINUX_VERSION_CODE
#define S390_PKEY_SHAPE SHAPE_XFLAGS
extern typeof(pkey_key2protkey) pkey_key2protkey __weak;
#define S390_PKEY_FN pkey_key2protkey
static_assert(PKEY_XFLAG_NOMEMALLOC == PROTKEY_PKEY_XFLAG_NOMEMALLOC);
#ifdef PKEY_XFLAG_NOCLEARKEY
static_assert(PKEY_XFLAG_NOCLEARKEY == PROTKEY_PKEY_XFLAG_NOCLEARKEY);
#define S390_PKEY_NOCLEARKEY true
#else
#define S390_PKEY_NOCLEARKEY false
#endif
#elif KERNEL_VERSION(6, 12, 0) <= LINUX_VERSION_CODE
#define S390_PKEY_SHAPE SHAPE_KEY2PROTKEY
extern typeof(pkey_key2protkey) pkey_key2protkey __weak;
#define S390_PKEY_FN pkey_key2protkey
#elif KERNEL_VERSION(6, 5, 0) <= LINUX_VERSION_CODE
#define S390_PKEY_SHAPE SHAPE_SPLIT
extern typeof(pkey_keyblob2pkey) pkey_keyblob2pkey __weak;
#define S390_PKEY_FN pkey_keyblob2pkey
#else
#define S390_PKEY_SHAPE SHAPE_BLOB
extern typeof(pkey_keyblob2pkey) pkey_keyblob2pkey __weak;
#define S390_PKEY_FN pkey_keyblob2pkey
/* The mirror of s390_pkey.h must match the uapi struct exactly. */
static_assert(sizeof(struct pkey_protkey) ==
	      sizeof(struct protkey_pkey_protkey));
static_assert(offsetof(struct pkey_protkey, len) ==
	      offsetof(struct protkey_pkey_protkey, len));
static_assert(offsetof(struct pkey_protkey, protkey) ==
	      offsetof(struct protkey_pkey_protkey, protkey));
#endif

/* pkey_uv, the handler of Ultravisor secret tokens, came with the split. */
#define S390_PKEY_HAS_UV (S390_PKEY_SHAPE >= SHAPE_KEY2PROTKEY)

MODULE_SOFTDEP("pre: pkey");

/* Full-XTS function codes (v6.16 asm/cpacf.h); K61's header lacks them. */
#define S390_KM_PXTS_128_FULL 0x5a
#define S390_KM_PXTS_256_FULL 0x5c
#ifdef CPACF_KM_PXTS_128_FULL
static_assert(CPACF_KM_PXTS_128_FULL == S390_KM_PXTS_128_FULL);
static_assert(CPACF_KM_PXTS_256_FULL == S390_KM_PXTS_256_FULL);
#endif

/**
 * struct s390_fc - the CPACF function of one protected-key type
 * @fc: KM (and for two-key XTS, PCC) function code; 0: none
 * @offset: where the parameter block starts within the key field of our
 *	parameter blocks: a shorter key sits at the end of the field and the
 *	CPU reads the block from the key's first byte (paes_s390.c: offset
 *	16 for PXTS_128, 32 for PXTS_128_FULL, v6.16)
 * @full: a full-XTS function
 */
struct s390_fc {
	unsigned long fc;
	unsigned int offset;
	bool full;
};

static struct s390_fc fc_of(u32 type)
{
	switch (type) {
	case PROTKEY_PK_AES_128:
		return (struct s390_fc){ CPACF_KM_PXTS_128, 16, false };
	case PROTKEY_PK_AES_256:
		return (struct s390_fc){ CPACF_KM_PXTS_256, 0, false };
	case PROTKEY_PK_AES_XTS_128:
		return (struct s390_fc){ S390_KM_PXTS_128_FULL, 32, true };
	case PROTKEY_PK_AES_XTS_256:
		return (struct s390_fc){ S390_KM_PXTS_256_FULL, 0, true };
	default:
		return (struct s390_fc){};
	}
}

/* Written once by protkey_s390_init() before registration; read-only after. */
static bool fc_have[256];

static bool fc_usable(u32 type)
{
	struct s390_fc f = fc_of(type);

	return f.fc && fc_have[f.fc];
}

/* The last wrapping key seen, for &protkey_platform_ops.wk_generation. */
static DEFINE_SPINLOCK(wk_lock);
static u8 wk_last[PROTKEY_WKVP_SIZE];
static bool wk_known;
static atomic64_t wk_gen = ATOMIC64_INIT(0);

/*
 * Every protected key ends in the WKVP of the wrapping key it was made
 * under (upstream-facts 1.4; K61 pkey_clr2protkey: len = keysize + 32): a
 * derive that returns another WKVP than the last one saw a new wrapping
 * key. Telemetry only; the data path trusts the short count.
 */
static void wk_note(const struct protkey_pk *pk)
{
	const u8 *wkvp = pk->protkey + pk->len - PROTKEY_WKVP_SIZE;

	spin_lock(&wk_lock);
	if (!wk_known || memcmp(wk_last, wkvp, PROTKEY_WKVP_SIZE)) {
		memcpy(wk_last, wkvp, PROTKEY_WKVP_SIZE);
		wk_known = true;
		atomic64_inc(&wk_gen);
	}
	spin_unlock(&wk_lock);
}

static u64 s390_wk_generation(void)
{
	return atomic64_read(&wk_gen);
}

/*
 * The token formats this kernel's pkey derives: all of protkey's allow-list
 * (token.c), but Ultravisor secret tokens only from v6.12 on, where the
 * pkey_uv handler exists (upstream-facts 1.6). Atomic-safe.
 */
static bool s390_supports(const u8 *blob, u32 len)
{
	if (protkey_token_check(blob, len))
		return false;
	if (!S390_PKEY_HAS_UV &&
	    blob[PROTKEY_TOKEN_TYPE_OFFSET] == PROTKEY_TOKTYPE_NON_CCA &&
	    blob[PROTKEY_TOKEN_VERSION_OFFSET] == PROTKEY_TOKVER_UV_SECRET)
		return false;
	return true;
}

static int s390_key_info(const u8 *blob, u32 len, struct protkey_key_info *info)
{
	return protkey_pkey_key_info(blob, len, info);
}

#if S390_PKEY_SHAPE == SHAPE_BLOB
/* The v6.1 call with its uapi struct, into the mirror the shim takes. */
static int keyblob2pkey_v61(const u8 *key, u32 keylen,
			    struct protkey_pkey_protkey *out)
{
	struct pkey_protkey pk = {};
	int ret;

	ret = pkey_keyblob2pkey(key, keylen, &pk);
	if (!ret) {
		out->type = pk.type;
		out->len = pk.len;
		memcpy(out->protkey, pk.protkey, sizeof(out->protkey));
	}
	memzero_explicit(&pk, sizeof(pk));
	return ret;
}
#endif

/* One derive through this kernel's pkey; 0 or an interface errno. */
static int pkey_derive(const u8 *blob, u32 len, struct protkey_pk *pk,
		       u32 flags)
{
#if S390_PKEY_SHAPE == SHAPE_XFLAGS
	return protkey_pkey_derive_xflags(pkey_key2protkey, blob, len, pk,
					  flags, S390_PKEY_NOCLEARKEY);
#elif S390_PKEY_SHAPE == SHAPE_BLOB
	return protkey_pkey_derive_blob(keyblob2pkey_v61, blob, len, pk);
#else
	return protkey_pkey_derive_split(S390_PKEY_FN, blob, len, pk);
#endif
}

/*
 * Refuses what pkey would take but protkey must not hand it (clear-key and
 * protected-key tokens: token.c), and a protected key whose CPACF function
 * this CPU lacks (-EINVAL, as paes_s390.c's setkey does when
 * cpacf_test_func() fails).
 */
static int s390_derive(const u8 *blob, u32 len, struct protkey_pk *pk,
		       u32 flags)
{
	int ret;

	if (!s390_supports(blob, len))
		return -EINVAL;
	ret = pkey_derive(blob, len, pk, flags);
	if (ret)
		return ret;
	if (!fc_usable(pk->type)) {
		pr_warn_ratelimited("no CPACF function for key type %u\n",
				    pk->type);
		memzero_explicit(pk, sizeof(*pk));
		return -EINVAL;
	}
	wk_note(pk);
	return 0;
}

/*
 * PCC returning its condition code. K61's cpacf_pcc() returns nothing, so
 * a WKVP mismatch (condition code 1; v6.16 asm/cpacf.h documents the codes
 * of its int-returning cpacf_pcc()) would go unseen and yield a wrong
 * tweak. Condition code 3 (partial completion) is resumed in the loop.
 */
static int s390_pcc(unsigned long fc, void *param)
{
	int cc;

	asm volatile("	lgr	0,%[fc]\n"
		     "	lgr	1,%[pba]\n"
		     "0:	.insn	rre,%[opc] << 16,0,0\n"
		     "	brc	1,0b\n"
		     "	ipm	%[cc]\n"
		     "	srl	%[cc],28\n"
		     : [cc] "=d"(cc)
		     : [fc] "d"(fc), [pba] "d"((unsigned long)param),
		       [opc] "i"(CPACF_PCC)
		     : "cc", "memory", "0", "1");
	return cc;
}

static int s390_pcc_xts(enum protkey_pk_type type,
			struct protkey_xts_pcc_param *param)
{
	struct s390_fc f = fc_of(type);
	int cc;

	if (!f.fc || f.full || !fc_have[f.fc])
		return -EINVAL;
	cc = s390_pcc(f.fc, param->key + f.offset);
	if (cc == 1)
		return -EKEYEXPIRED;
	return cc ? -EIO : 0;
}

static unsigned long km_modifier(enum protkey_km_dir dir)
{
	return dir == PROTKEY_KM_DECRYPT ? CPACF_DECRYPT : CPACF_ENCRYPT;
}

/*
 * cpacf_km() returns the bytes processed; on a WKVP mismatch the CPU ends
 * with condition code 1 and processes nothing more (upstream-facts 1.4),
 * which protkey.ko takes for an invalid key. A function this CPU lacks is
 * never executed: 0 bytes, and derive refuses such keys in the first place.
 */
static unsigned int s390_km_xts(enum protkey_pk_type type,
				enum protkey_km_dir dir,
				struct protkey_xts_km_param *param, u8 *dst,
				const u8 *src, unsigned int len)
{
	struct s390_fc f = fc_of(type);
	int n;

	if (!f.fc || f.full || !fc_have[f.fc])
		return 0;
	n = cpacf_km(f.fc | km_modifier(dir), param->key + f.offset, dst, src,
		     len);
	return n > 0 ? n : 0;
}

static unsigned int s390_km_xts_full(enum protkey_pk_type type,
				     enum protkey_km_dir dir,
				     struct protkey_xts_full_km_param *param,
				     u8 *dst, const u8 *src, unsigned int len)
{
	struct s390_fc f = fc_of(type);
	int n;

	if (!f.fc || !f.full || !fc_have[f.fc])
		return 0;
	n = cpacf_km(f.fc | km_modifier(dir), param->key + f.offset, dst, src,
		     len);
	return n > 0 ? n : 0;
}

static struct protkey_platform_ops s390_platform_ops = {
	.name = "s390",
	.owner = THIS_MODULE,
	.flags = PROTKEY_PLATFORM_F_NO_CLEAR_KEY,
	.supports = s390_supports,
	.key_info = s390_key_info,
	.derive = s390_derive,
	.pcc_xts = s390_pcc_xts,
	.km_xts = s390_km_xts,
	.km_xts_full = s390_km_xts_full,
	.wk_generation = s390_wk_generation,
};

static bool s390_registered;

/*
 * Queries KM and PCC for each function protkey uses. cpacf_query_func()
 * executes the query only when the instruction's facility is installed
 * (MSA for KM, MSA4 for PCC): safe on any CPU and under qemu.
 */
static void cpacf_probe(void)
{
	static const unsigned long two_key[] = { CPACF_KM_PXTS_128,
						 CPACF_KM_PXTS_256 };
	static const unsigned long full[] = { S390_KM_PXTS_128_FULL,
					      S390_KM_PXTS_256_FULL };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(two_key); i++)
		fc_have[two_key[i]] = cpacf_query_func(CPACF_KM, two_key[i]) &&
				      cpacf_query_func(CPACF_PCC, two_key[i]);
	for (i = 0; i < ARRAY_SIZE(full); i++)
		fc_have[full[i]] = cpacf_query_func(CPACF_KM, full[i]);
}

/**
 * protkey_s390_init() - register the s390 platform where it can work
 *
 * Description: registers the platform "s390" when CPACF has two-key
 * protected-key XTS (KM and PCC 0x3a or 0x3c) and pkey was loaded before
 * protkey.ko; offers full-XTS KM only when 0x5a or 0x5c exists. Otherwise
 * it says why in the kernel log and registers nothing: protkey.ko still
 * loads and serves other platforms (the emulated one in qemu).
 *
 * Context: module init, process context.
 */
void protkey_s390_init(void)
{
	const char *why = NULL;
	bool two_key, full;
	int ret;

	cpacf_probe();
	two_key = fc_have[CPACF_KM_PXTS_128] || fc_have[CPACF_KM_PXTS_256];
	full = fc_have[S390_KM_PXTS_128_FULL] || fc_have[S390_KM_PXTS_256_FULL];
	if (!two_key)
		why = "CPACF lacks protected-key XTS (KM and PCC 0x3a/0x3c)";
	else if (!S390_PKEY_FN)
		why = "pkey is not loaded (load it before protkey)";
	if (why) {
		pr_notice("platform s390 not registered: %s\n", why);
		return;
	}
	if (!full)
		s390_platform_ops.km_xts_full = NULL;
	ret = protkey_platform_register(&s390_platform_ops);
	if (ret) {
		pr_err("registering platform s390 failed (%pe)\n",
		       ERR_PTR(ret));
		return;
	}
	s390_registered = true;
	pr_info("platform s390 registered: pkey shape %d, XTS-128 %s, XTS-256 %s, full-XTS %s\n",
		S390_PKEY_SHAPE, fc_have[CPACF_KM_PXTS_128] ? "yes" : "no",
		fc_have[CPACF_KM_PXTS_256] ? "yes" : "no", full ? "yes" : "no");
}

/**
 * protkey_s390_exit() - withdraw the s390 platform
 *
 * Context: module exit, process context; may sleep (RCU grace period).
 */
void protkey_s390_exit(void)
{
	if (s390_registered)
		protkey_platform_unregister(&s390_platform_ops);
	s390_registered = false;
}
