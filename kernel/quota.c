// SPDX-License-Identifier: GPL-2.0-only
/*
 * protkey key quota: keys set by unprivileged callers are counted per user.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/errno.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/xarray.h>

#include "quota.h"

/**
 * DOC: key quota of unprivileged users
 *
 * AF_ALG opens xts(paes) to every user, and each setkey may create a key
 * object: two HSM round trips, kernel memory that no memory cgroup sees,
 * and a key in ``.protkey`` that no user's key quota pays for (the key
 * belongs to the kernel). So a tfm whose key was set by a caller without
 * CAP_SYS_ADMIN (in the initial user namespace) is charged to that
 * caller's effective uid until the tfm is freed; a user who holds
 * max_user_keys charged tfms gets -EDQUOT from the next setkey on an
 * uncharged tfm, before anything is derived. A tfm holds one key object,
 * so one user keeps at most max_user_keys key objects alive. Setting
 * another key on a charged tfm costs nothing more. Callers with
 * CAP_SYS_ADMIN (dm-crypt's table loads, which device-mapper already
 * restricts to them, kernel threads) are not counted. max_user_keys=0
 * keeps unprivileged users from setting keys at all.
 */

static unsigned int max_user_keys = 16;
module_param(max_user_keys, uint, 0644);
MODULE_PARM_DESC(max_user_keys,
		 "Keyed xts(paes) tfms per user without CAP_SYS_ADMIN");

/* Charged tfms per user: the uid's number -> xa_mk_value(count). */
static DEFINE_XARRAY(charges);
static DEFINE_MUTEX(charges_lock);

/**
 * protkey_quota_charge() - charge a tfm's key to an unprivileged caller
 * @charge: the tfm's charge
 *
 * Does nothing when @charge already holds a charge or the caller has
 * CAP_SYS_ADMIN (checked without an audit record: being refused here is
 * no policy violation).
 *
 * Context: process context (setkey), may sleep; takes the quota mutex.
 * Return: 0; -EDQUOT when the caller already holds max_user_keys charged
 * tfms; -ENOMEM.
 */
int protkey_quota_charge(struct protkey_quota_charge *charge)
{
	kuid_t uid = current_euid();
	unsigned long n;
	int ret = 0;

	if (charge->charged || ns_capable_noaudit(&init_user_ns, CAP_SYS_ADMIN))
		return 0;
	mutex_lock(&charges_lock);
	n = xa_to_value(xa_load(&charges, __kuid_val(uid)) ?: xa_mk_value(0));
	if (n >= READ_ONCE(max_user_keys))
		ret = -EDQUOT;
	else
		ret = xa_err(xa_store(&charges, __kuid_val(uid),
				      xa_mk_value(n + 1), GFP_KERNEL));
	mutex_unlock(&charges_lock);
	if (!ret) {
		charge->uid = uid;
		charge->charged = true;
	}
	return ret;
}

/**
 * protkey_quota_uncharge() - return a tfm's charge
 * @charge: the tfm's charge; nothing happens when it holds none
 *
 * Context: process context (setkey or the tfm's exit); takes the quota
 * mutex.
 */
void protkey_quota_uncharge(struct protkey_quota_charge *charge)
{
	unsigned long n;
	u32 id;

	if (!charge->charged)
		return;
	id = __kuid_val(charge->uid);
	mutex_lock(&charges_lock);
	n = xa_to_value(xa_load(&charges, id) ?: xa_mk_value(0));
	if (WARN_ON_ONCE(!n) || n == 1)
		xa_erase(&charges, id);
	else
		xa_store(&charges, id, xa_mk_value(n - 1), GFP_KERNEL);
	mutex_unlock(&charges_lock);
	charge->charged = false;
}
