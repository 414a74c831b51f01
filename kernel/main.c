// SPDX-License-Identifier: GPL-2.0-only
/*
 * protkey.ko: protected-key disk encryption for IBM Z, module init and exit.
 *
 * The platform registry (platform.c) needs no setup: backends register into
 * a static list. The key objects (key.c), the key type and keyring
 * (keytype.c), the netlink family (netlink.c) and the xts(paes) cipher
 * (skcipher.c) are set up here.
 */
#include <linux/init.h>
#include <linux/module.h>

#include "key.h"
#include "keytype.h"
#include "netlink.h"
#include "platform/s390.h"
#include "skcipher.h"

/*
 * ORDER: the platform registry is static and usable before init runs, so
 * backends may register as soon as this module is live. The key objects'
 * workqueue comes next; then the key type and the .protkey keyring, which
 * every new key object joins; then the netlink family, whose events the
 * key objects' workers send; then the cipher, because its tfms create key
 * objects. On s390 the IBM Z platform, a backend inside this module,
 * registers last, where CPACF and pkey can serve it (when they cannot,
 * that fails nothing). Exit runs in reverse order: once the cipher is gone
 * no key object is left (each belongs to a tfm, and tfms pin this module),
 * so no worker sends events after the family is gone, and the key type
 * waits for the release work of the last objects before the keyring goes.
 */
static int __init protkey_init(void)
{
	int ret;

	ret = protkey_key_init();
	if (ret)
		return ret;
	ret = protkey_keytype_init();
	if (ret)
		goto err_key_exit;
	ret = protkey_nl_init();
	if (ret)
		goto err_keytype_exit;
	ret = protkey_skcipher_init();
	if (ret)
		goto err_nl_exit;
	protkey_s390_init();
	return 0;

err_nl_exit:
	protkey_nl_exit();
err_keytype_exit:
	protkey_keytype_exit();
err_key_exit:
	protkey_key_exit();
	return ret;
}

static void __exit protkey_exit(void)
{
	protkey_s390_exit();
	protkey_skcipher_exit();
	protkey_nl_exit();
	protkey_keytype_exit();
	protkey_key_exit();
}

module_init(protkey_init);
module_exit(protkey_exit);

MODULE_DESCRIPTION("protkey: protected-key disk encryption for IBM Z");
MODULE_LICENSE("GPL");
