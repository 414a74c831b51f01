// SPDX-License-Identifier: GPL-2.0-only
/*
 * protkey.ko: protected-key disk encryption for IBM Z, module init and exit.
 *
 * For now the module holds the platform registry only (platform.c), which
 * needs no setup: backends register into a static list. The cipher, the key
 * type and the netlink family register here as they arrive.
 */
#include <linux/init.h>
#include <linux/module.h>

/*
 * ORDER: the platform registry is static and usable before init runs, so
 * backends may register as soon as this module is live. Later parts
 * register after it and unregister in reverse order.
 */
static int __init protkey_init(void)
{
	return 0;
}

static void __exit protkey_exit(void)
{
}

module_init(protkey_init);
module_exit(protkey_exit);

MODULE_DESCRIPTION("protkey: protected-key disk encryption for IBM Z");
MODULE_LICENSE("GPL");
