// SPDX-License-Identifier: GPL-2.0-only
/*
 * protkey.ko: protected-key disk encryption for IBM Z, module init and exit.
 *
 * The platform registry (platform.c) needs no setup: backends register into
 * a static list. The key objects (key.c) and the xts(paes) cipher
 * (skcipher.c) are set up here; the key type and the netlink family
 * register here as they arrive.
 */
#include <linux/init.h>
#include <linux/module.h>

#include "key.h"
#include "skcipher.h"

/*
 * ORDER: the platform registry is static and usable before init runs, so
 * backends may register as soon as this module is live. The key objects'
 * workqueue comes next, then the cipher, whose tfms create key objects.
 * Later parts register after it and unregister in reverse order.
 */
static int __init protkey_init(void)
{
	int ret;

	ret = protkey_key_init();
	if (ret)
		return ret;
	ret = protkey_skcipher_init();
	if (ret)
		goto err_key_exit;
	return 0;

err_key_exit:
	protkey_key_exit();
	return ret;
}

static void __exit protkey_exit(void)
{
	protkey_skcipher_exit();
	protkey_key_exit();
}

module_init(protkey_init);
module_exit(protkey_exit);

MODULE_DESCRIPTION("protkey: protected-key disk encryption for IBM Z");
MODULE_LICENSE("GPL");
