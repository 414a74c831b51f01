// SPDX-License-Identifier: GPL-2.0-only
/*
 * protkey platform registry: the backends that turn secure keys into
 * protected keys and run the cipher primitives (see platform.h).
 *
 * Writers (register/unregister) serialise on a mutex; readers walk the list
 * under RCU and pin the backend's module with try_module_get() before they
 * leave the read-side section, as pkey's handler registry does. A backend
 * unregisters from its module_exit, which cannot run while a caller holds
 * such a reference, so an ops pointer returned by a get stays valid until
 * the matching protkey_platform_put().
 *
 * The registry is protkey.ko's interface for backends: its functions are
 * exported in the symbol namespace PROTKEY, which a backend imports with
 * MODULE_IMPORT_NS(PROTKEY).
 */
#include <kunit/visibility.h>
#include <linux/err.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/rculist.h>
#include <linux/string.h>

#include "platform.h"

static char *platform;
module_param(platform, charp, 0444);
MODULE_PARM_DESC(platform, "Backend name; default: first to support the key");

static LIST_HEAD(protkey_platforms);
static DEFINE_MUTEX(protkey_platforms_lock);

static bool ops_valid(const struct protkey_platform_ops *ops)
{
	return ops && ops->name && *ops->name &&
	       (ops->flags & PROTKEY_PLATFORM_F_NO_CLEAR_KEY) &&
	       ops->supports && ops->key_info && ops->derive && ops->pcc_xts &&
	       ops->km_xts && ops->wk_generation;
}

/* Caller holds protkey_platforms_lock or rcu_read_lock(). */
static struct protkey_platform_ops *find_by_name(const char *name)
{
	struct protkey_platform_ops *ops;

	list_for_each_entry_rcu(ops, &protkey_platforms, list,
				lockdep_is_held(&protkey_platforms_lock)) {
		if (!strcmp(ops->name, name))
			return ops;
	}
	return NULL;
}

/**
 * protkey_platform_register() - make a backend available
 * @ops: the backend; must stay valid until protkey_platform_unregister()
 *
 * Context: process context; takes the registry mutex.
 * Return: 0; -EINVAL if @ops lacks a name, an operation or the
 * PROTKEY_PLATFORM_F_NO_CLEAR_KEY promise; -EEXIST if a backend of that
 * name is registered already.
 */
int protkey_platform_register(struct protkey_platform_ops *ops)
{
	int ret = 0;

	if (!ops_valid(ops))
		return -EINVAL;

	mutex_lock(&protkey_platforms_lock);
	if (find_by_name(ops->name))
		ret = -EEXIST;
	else
		list_add_tail_rcu(&ops->list, &protkey_platforms);
	mutex_unlock(&protkey_platforms_lock);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(protkey_platform_register, PROTKEY);

/**
 * protkey_platform_unregister() - withdraw a backend
 * @ops: a backend registered with protkey_platform_register()
 *
 * Waits for an RCU grace period, so no reader still walks over @ops when
 * this returns. Callers that hold a reference pin @ops->owner, so a backend
 * that unregisters from its module_exit never has users left.
 *
 * Context: process context, may sleep; takes the registry mutex.
 */
void protkey_platform_unregister(struct protkey_platform_ops *ops)
{
	mutex_lock(&protkey_platforms_lock);
	list_del_rcu(&ops->list);
	mutex_unlock(&protkey_platforms_lock);
	synchronize_rcu();
}
EXPORT_SYMBOL_NS_GPL(protkey_platform_unregister, PROTKEY);

/**
 * protkey_platform_get() - look a backend up by name and pin it
 * @name: the backend's &protkey_platform_ops.name
 *
 * Context: any context that may take rcu_read_lock().
 * Return: the backend with a reference on its module, to be dropped with
 * protkey_platform_put(); ERR_PTR(-ENODEV) if no such backend is registered
 * or its module is going away.
 */
struct protkey_platform_ops *protkey_platform_get(const char *name)
{
	struct protkey_platform_ops *ops;

	rcu_read_lock();
	ops = find_by_name(name);
	if (ops && !try_module_get(ops->owner))
		ops = NULL;
	rcu_read_unlock();
	return ops ?: ERR_PTR(-ENODEV);
}
EXPORT_SYMBOL_NS_GPL(protkey_platform_get, PROTKEY);

/**
 * protkey_platform_select() - pick the backend for a secure key
 * @name: preferred backend name, or NULL or "" for the first that fits
 * @blob: the secure key
 * @len: its length in bytes
 *
 * With @name, that backend is used if it supports the key. Without, the
 * first registered backend whose supports() accepts the key is used.
 *
 * Context: any context that may take rcu_read_lock().
 * Return: the pinned backend; ERR_PTR(-ENODEV) when no (or not the named)
 * backend is registered or its module is going away; ERR_PTR(-EINVAL) when
 * the named backend does not support the key.
 */
VISIBLE_IF_KUNIT struct protkey_platform_ops *
protkey_platform_select(const char *name, const u8 *blob, u32 len)
{
	struct protkey_platform_ops *ops, *found = NULL;
	int ret = -ENODEV;

	rcu_read_lock();
	list_for_each_entry_rcu(ops, &protkey_platforms, list) {
		if (name && *name && strcmp(ops->name, name))
			continue;
		if (!ops->supports(blob, len)) {
			if (name && *name)
				ret = -EINVAL;
			continue;
		}
		if (try_module_get(ops->owner))
			found = ops;
		break;
	}
	rcu_read_unlock();
	return found ?: ERR_PTR(ret);
}
EXPORT_SYMBOL_IF_KUNIT(protkey_platform_select);

/**
 * protkey_platform_get_for_key() - pick and pin the backend for a secure key
 * @blob: the secure key
 * @len: its length in bytes
 *
 * Honours the module parameter ``platform=``; see protkey_platform_select().
 *
 * Context: any context that may take rcu_read_lock().
 * Return: as protkey_platform_select().
 */
struct protkey_platform_ops *protkey_platform_get_for_key(const u8 *blob,
							  u32 len)
{
	return protkey_platform_select(platform, blob, len);
}
EXPORT_SYMBOL_NS_GPL(protkey_platform_get_for_key, PROTKEY);

/**
 * protkey_platform_put() - drop a reference taken by a get
 * @ops: the backend, or NULL or an ERR_PTR (ignored)
 *
 * Context: any context.
 */
void protkey_platform_put(struct protkey_platform_ops *ops)
{
	if (!IS_ERR_OR_NULL(ops))
		module_put(ops->owner);
}
EXPORT_SYMBOL_NS_GPL(protkey_platform_put, PROTKEY);
