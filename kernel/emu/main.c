// SPDX-License-Identifier: GPL-2.0-only
/*
 * protkey_emu.ko: an emulation of the IBM Z protected-key platform
 * (Crypto Express adapters in CCA, EP11 or accelerator mode and the CPACF
 * protected-key functions), registered with protkey.ko as the platform
 * "emu".
 *
 * EMULATION ONLY: master keys, clear AES keys and the wrapping key live in
 * this module's memory. It models the platform's behaviour and error codes
 * for tests and demos on machines without IBM Z; it protects nothing.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/percpu.h>
#include <linux/string.h>

#include "emu_core.h"

static unsigned int adapters = EMU_DEFAULT_ADAPTERS;
module_param(adapters, uint, 0444);
MODULE_PARM_DESC(adapters, "Adapters 1..16, APQNs 00.0001 01.0001 ...");

static char *modes;
module_param(modes, charp, 0444);
MODULE_PARM_DESC(modes, "Adapter modes, comma-separated: cca, ep11, accel");

static DEFINE_PER_CPU(u64[EMU_CNT_MAX], emu_counters);

/**
 * emu_count() - bump one counter
 * @c: which
 *
 * Context: any context. Per-CPU, so the data path does not share a cache
 * line between CPUs.
 */
void emu_count(enum emu_counter c)
{
	this_cpu_inc(emu_counters[c]);
}

/**
 * emu_count_add() - add to one counter
 * @c: which
 * @n: how much
 *
 * Context: any context.
 */
void emu_count_add(enum emu_counter c, u64 n)
{
	this_cpu_add(emu_counters[c], n);
}

/**
 * emu_get_counters() - sum the per-CPU counters
 * @c: output
 *
 * Context: any context. Reads without stopping writers: a snapshot, not an
 * atomic one.
 */
void emu_get_counters(struct emu_counters *c)
{
	u64 sum[EMU_CNT_MAX] = {};
	int cpu, i;

	for_each_possible_cpu(cpu) {
		for (i = 0; i < EMU_CNT_MAX; i++)
			sum[i] += READ_ONCE(per_cpu(emu_counters, cpu)[i]);
	}
	c->derives = sum[EMU_CNT_DERIVES];
	c->derive_errors = sum[EMU_CNT_DERIVE_ERRORS];
	c->km_calls = sum[EMU_CNT_KM_CALLS];
	c->km_short = sum[EMU_CNT_KM_SHORT];
	c->pcc_calls = sum[EMU_CNT_PCC_CALLS];
	c->pcc_stale = sum[EMU_CNT_PCC_STALE];
	c->migrations = sum[EMU_CNT_MIGRATIONS];
	c->keys_generated = sum[EMU_CNT_KEYS_GENERATED];
	c->reenciphers = sum[EMU_CNT_REENCIPHERS];
	c->km_partial = sum[EMU_CNT_KM_PARTIAL];
	c->km_bad_len = sum[EMU_CNT_KM_BAD_LEN];
	c->derive_busy = sum[EMU_CNT_DERIVE_BUSY];
	c->apqn_queries = sum[EMU_CNT_APQN_QUERIES];
	c->derive_cost_us = sum[EMU_CNT_DERIVE_COST_US];
}
EXPORT_SYMBOL_NS_GPL(emu_get_counters, PROTKEY_EMU_CONTROL);

/**
 * emu_reset_counters() - zero the counters
 *
 * Context: any context. Increments racing with the reset may survive it.
 */
void emu_reset_counters(void)
{
	int cpu, i;

	for_each_possible_cpu(cpu) {
		for (i = 0; i < EMU_CNT_MAX; i++)
			WRITE_ONCE(per_cpu(emu_counters, cpu)[i], 0);
	}
}
EXPORT_SYMBOL_NS_GPL(emu_reset_counters, PROTKEY_EMU_CONTROL);

/* Atomic-safe: looks at the header and the length only. */
static bool emu_supports(const u8 *blob, u32 len)
{
	const struct emu_token_type *tt = emu_token_lookup(blob, len);

	if (emu_uv_token_supported(blob, len))
		return true;
	return tt && len >= tt->min_size && len <= tt->max_size;
}

/* A UV secret token goes to the Ultravisor, every other to an adapter. */
static int emu_key_info_op(const u8 *blob, u32 len,
			   struct protkey_key_info *info)
{
	if (emu_uv_token_supported(blob, len))
		return emu_uv_key_info(blob, len, info);
	return emu_key_info(blob, len, info);
}

/*
 * Parses the "modes" parameter into @out (EMU_MAX_ADAPTERS entries, each
 * CCA unless named). Return: 0, or -EINVAL for an unknown mode or more
 * modes than adapters.
 */
static int __init parse_modes(const char *list, unsigned int nr, u32 *out)
{
	static const char *const names[] = {
		[PROTKEY_EMU_MODE_CCA] = "cca",
		[PROTKEY_EMU_MODE_EP11] = "ep11",
		[PROTKEY_EMU_MODE_ACCEL] = "accel",
	};
	unsigned int i = 0;
	const char *p = list;
	int m;

	for (i = 0; i < EMU_MAX_ADAPTERS; i++)
		out[i] = PROTKEY_EMU_MODE_CCA;
	for (i = 0; p && *p; i++) {
		size_t n = strchrnul(p, ',') - p;

		if (i >= nr) {
			pr_err("modes=: more modes than the %u adapter(s)\n",
			       nr);
			return -EINVAL;
		}
		for (m = PROTKEY_EMU_MODE_CCA; m <= PROTKEY_EMU_MODE_ACCEL;
		     m++) {
			if (strlen(names[m]) == n && !strncmp(p, names[m], n))
				break;
		}
		if (m > PROTKEY_EMU_MODE_ACCEL) {
			pr_err("modes=: unknown mode '%.*s' (cca, ep11 or accel)\n",
			       (int)n, p);
			return -EINVAL;
		}
		out[i] = m;
		p += n;
		if (*p == ',')
			p++;
	}
	return 0;
}

/*
 * The emulated adapter allocates nothing on a derive, so it keeps the
 * PROTKEY_DERIVE_NOMEMALLOC contract whatever @flags says.
 */
static int emu_derive_op(const u8 *blob, u32 len, struct protkey_pk *pk,
			 u32 flags)
{
	if (emu_uv_token_supported(blob, len))
		return emu_uv_derive(blob, len, pk);
	return emu_derive(blob, len, pk);
}

static int emu_cause_op(const u8 *blob, u32 len, int err, char *buf,
			size_t size)
{
	if (emu_uv_token_supported(blob, len))
		return emu_uv_cause(blob, len, err, buf, size);
	return emu_derive_cause(blob, len, err, buf, size);
}

static struct protkey_platform_ops emu_platform_ops = {
	.name = "emu",
	.owner = THIS_MODULE,
	.flags = PROTKEY_PLATFORM_F_NO_CLEAR_KEY,
	.supports = emu_supports,
	.key_info = emu_key_info_op,
	.derive = emu_derive_op,
	.pcc_xts = emu_pcc_xts,
	.km_xts = emu_km_xts,
	.km_xts_full = emu_km_xts_full,
	.cause = emu_cause_op,
	.wk_generation = emu_wk_generation,
};

/*
 * Full-XTS KM is part of message-security-assist extension 10 (MSA 10,
 * supported since Linux 6.13); a CPU without it is modelled with
 * full_xts=0: the platform then offers no km_xts_full, and protkey.ko
 * refuses full-XTS keys (an Ultravisor AES-XTS secret) as paes does.
 */
static bool full_xts = true;
module_param(full_xts, bool, 0444);
MODULE_PARM_DESC(full_xts,
		 "offer full-XTS KM 0x5a/0x5c, as MSA 10 (default: 1)");

/*
 * ORDER: the adapters and the CPACF state (wrapping key, per-CPU tfms)
 * exist before anything can call in; the netlink controls come next; the
 * platform registers last, so protkey.ko never sees a half-built backend.
 * Exit and failed init undo it in reverse order.
 */
static int __init protkey_emu_init(void)
{
	u32 mode[EMU_MAX_ADAPTERS];
	int ret;

	if (!adapters || adapters > EMU_MAX_ADAPTERS)
		return -EINVAL;
	ret = parse_modes(modes, adapters, mode);
	if (ret)
		return ret;
	ret = emu_adapters_init(adapters, mode);
	if (ret)
		return ret;
	ret = emu_cpacf_init();
	if (ret)
		goto err_adapters;
	ret = emu_netlink_init();
	if (ret)
		goto err_cpacf;
	if (!full_xts)
		emu_platform_ops.km_xts_full = NULL;
	ret = protkey_platform_register(&emu_platform_ops);
	if (ret)
		goto err_netlink;
	emu_pkeydev_init();
	pr_info("EMULATED platform loaded, %u adapter(s); keys live in kernel memory, nothing is secure\n",
		adapters);
	return 0;

err_netlink:
	emu_netlink_exit();
err_cpacf:
	emu_cpacf_exit();
err_adapters:
	emu_adapters_exit();
	return ret;
}

static void __exit protkey_emu_exit(void)
{
	emu_pkeydev_exit();
	protkey_platform_unregister(&emu_platform_ops);
	emu_netlink_exit();
	emu_cpacf_exit();
	emu_adapters_exit();
}

module_init(protkey_emu_init);
module_exit(protkey_emu_exit);

MODULE_DESCRIPTION("protkey: EMULATED IBM Z platform, not secure");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(CRYPTO_INTERNAL);
MODULE_IMPORT_NS(PROTKEY);
#ifdef CONFIG_X86
MODULE_SOFTDEP("pre: aesni_intel");
#endif
