// SPDX-License-Identifier: GPL-2.0-only
/*
 * protkey key objects: identity, lookup and lifetime.
 *
 * Every tfm that holds the same XTS secure key shares one struct
 * protkey_key. This file finds or creates that object (by blob bytes, then
 * by verification pattern), hands out copies of its protected keys to the
 * fast path, and tears it down after the last reference. The re-derivation
 * engine is in rederive.c, the administrative operations in key_admin.c.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <kunit/visibility.h>
#include <linux/err.h>
#include <linux/hashtable.h>
#include <linux/jhash.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "key.h"
#include "key_internal.h"
#include "keytype.h"
#include "token.h"

#define KEY_HASH_BITS 6

static DEFINE_HASHTABLE(keys_by_vp, KEY_HASH_BITS);
static DEFINE_HASHTABLE(keys_by_blob, KEY_HASH_BITS);
static DEFINE_MUTEX(keys_lock);
static LIST_HEAD(keys_all);

/**
 * protkey_key_halves() - how many secure-key tokens an XTS key blob holds
 * @blob: the blob
 * @len: its length in bytes
 *
 * Context: any.
 * Return: 1 when @blob is one token whose protected key is a full-XTS key
 * (protkey_token_full_xts()), else 2.
 */
u32 protkey_key_halves(const u8 *blob, unsigned int len)
{
	return protkey_token_full_xts(blob, len) ? 1 : 2;
}
EXPORT_SYMBOL_IF_KUNIT(protkey_key_halves);

/**
 * protkey_key_validate() - check the shape of an XTS secure key
 * @blob: two secure-key tokens back to back, or one full-XTS token
 * @len: total length in bytes
 *
 * Checks what needs no backend: a single token must be a full-XTS one (an
 * Ultravisor AES-XTS secret token); a pair must have both halves of equal
 * size within the known token sizes, the same token type and version,
 * and differ.
 *
 * Context: any.
 * Return: 0 or -EINVAL.
 */
int protkey_key_validate(const u8 *blob, unsigned int len)
{
	unsigned int half = len / 2;

	if (protkey_key_halves(blob, len) == 1)
		return protkey_token_check(blob, len);
	if (len % 2 || half < PROTKEY_KEY_MIN_HALF ||
	    half > PROTKEY_KEY_MAX_HALF)
		return -EINVAL;
	/* Token header: byte 0 is the type, byte 4 the version. */
	if (blob[0] != blob[half] || blob[4] != blob[half + 4])
		return -EINVAL;
	if (!memcmp(blob, blob + half, half))
		return -EINVAL;
	/* A full-XTS token is a whole key, never one half of a pair. */
	if (protkey_token_full_xts(blob, half) ||
	    protkey_token_full_xts(blob + half, half))
		return -EINVAL;
	return protkey_token_check(blob, half);
}
EXPORT_SYMBOL_IF_KUNIT(protkey_key_validate);

/* The pattern of a full-XTS key: as for a pair, one KM, no PCC. */
static int compute_vp_full(struct protkey_platform_ops *ops,
			   const struct protkey_pk *pk,
			   u8 vp[PROTKEY_KEY_VP_SIZE])
{
	static const u8 zero[PROTKEY_KEY_VP_SIZE];
	struct protkey_xts_full_km_param km = {};
	unsigned int n;

	if (!ops->km_xts_full || !protkey_pk_full_xts(pk->type))
		return -EINVAL;
	protkey_pk_load_full(&km, pk);
	km.nap[0] = 1;
	n = ops->km_xts_full(pk->type, PROTKEY_KM_ENCRYPT, &km, vp, zero,
			     PROTKEY_KEY_VP_SIZE);
	memzero_explicit(&km, sizeof(km));
	return n == PROTKEY_KEY_VP_SIZE ? 0 : -EKEYEXPIRED;
}

/**
 * protkey_key_compute_vp() - the verification pattern of a key pair
 * @ops: the platform
 * @pk: protected keys: [0] data key, [1] tweak key; or [0] a full-XTS key
 *	holding both ([1] is not read then)
 * @vp: output: XTS encryption of 32 zero bytes with a zero tweak
 *
 * The pattern depends on the clear keys only, so it survives master-key
 * and wrapping-key changes; zkey computes the same value.
 *
 * Context: any; never sleeps.
 * Return: 0; -EKEYEXPIRED when the wrapping key changed meanwhile;
 * -EINVAL for a full-XTS key on a platform without full-XTS KM.
 */
int protkey_key_compute_vp(struct protkey_platform_ops *ops,
			   const struct protkey_pk pk[2],
			   u8 vp[PROTKEY_KEY_VP_SIZE])
{
	static const u8 zero[PROTKEY_KEY_VP_SIZE];
	struct protkey_xts_pcc_param pcc = {};
	struct protkey_xts_km_param km = {};
	unsigned int n;
	int ret;

	if (protkey_pk_full_xts(pk[0].type))
		return compute_vp_full(ops, &pk[0], vp);
	protkey_pk_load(pcc.key, &pk[1]);
	ret = ops->pcc_xts(pk[1].type, &pcc);
	if (ret)
		goto out;
	protkey_pk_load(km.key, &pk[0]);
	memcpy(km.init, pcc.xts, sizeof(km.init));
	n = ops->km_xts(pk[0].type, PROTKEY_KM_ENCRYPT, &km, vp, zero,
			PROTKEY_KEY_VP_SIZE);
	ret = n == PROTKEY_KEY_VP_SIZE ? 0 : -EKEYEXPIRED;
out:
	memzero_explicit(&pcc, sizeof(pcc));
	memzero_explicit(&km, sizeof(km));
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(protkey_key_compute_vp);

static struct hlist_head *blob_bucket(const u8 *blob, unsigned int len)
{
	return &keys_by_blob[hash_min(jhash(blob, len, 0), KEY_HASH_BITS)];
}

static struct hlist_head *vp_bucket(const u8 vp[PROTKEY_KEY_VP_SIZE])
{
	return &keys_by_vp[hash_min(jhash(vp, PROTKEY_KEY_VP_SIZE, 0),
				    KEY_HASH_BITS)];
}

static struct protkey_key *lookup_blob(const u8 *blob, unsigned int len)
{
	struct protkey_key *key, *found = NULL;
	struct protkey_blob *b;

	rcu_read_lock();
	hlist_for_each_entry_rcu(key, blob_bucket(blob, len), hash_blob) {
		b = rcu_dereference(key->blob);
		if (b && protkey_key_blob_len(key) == len &&
		    !memcmp(b->data, blob, len) &&
		    refcount_inc_not_zero(&key->ref)) {
			found = key;
			break;
		}
	}
	rcu_read_unlock();
	return found;
}

/* Caller holds keys_lock. */
static struct protkey_key *lookup_vp(const u8 vp[PROTKEY_KEY_VP_SIZE])
{
	struct protkey_key *key;

	hlist_for_each_entry(key, vp_bucket(vp), hash_vp) {
		if (!memcmp(key->vp, vp, PROTKEY_KEY_VP_SIZE) &&
		    refcount_inc_not_zero(&key->ref))
			return key;
	}
	return NULL;
}

static void keys_release(struct work_struct *work);

/* Dead objects waiting for keys_release(), on system_wq. */
static LLIST_HEAD(releases);
static DECLARE_WORK(release_work, keys_release);

/**
 * protkey_blob_new() - a blob holding a copy of a secure key
 * @data: the secure key: two tokens back to back
 * @len: its length
 *
 * Context: process context, may sleep.
 * Return: the blob (free it with kfree_sensitive()), or NULL.
 */
struct protkey_blob *protkey_blob_new(const u8 *data, unsigned int len)
{
	struct protkey_blob *b;

	b = kmalloc(struct_size(b, data, len), GFP_KERNEL);
	if (b)
		memcpy(b->data, data, len);
	return b;
}

/**
 * protkey_key_read_info() - the platform's view of both halves
 * @ops: the platform
 * @blob: the secure key
 * @half: length of one half
 * @halves: 2, or 1 for a full-XTS token: its info stands for both halves
 * @info: output; zeroed for a half the platform cannot parse
 *
 * Context: process context, may sleep (calls @ops->key_info).
 */
void protkey_key_read_info(struct protkey_platform_ops *ops, const u8 *blob,
			   u32 half, u32 halves,
			   struct protkey_key_info info[2])
{
	u32 i;

	for (i = 0; i < halves; i++)
		if (ops->key_info(blob + i * half, half, &info[i]))
			memset(&info[i], 0, sizeof(info[i]));
	if (halves == 1)
		info[1] = info[0];
}

static struct protkey_key *key_new(struct protkey_platform_ops *ops,
				   const u8 *blob, unsigned int len,
				   const struct protkey_pk pk[2],
				   const u8 vp[PROTKEY_KEY_VP_SIZE])
{
	struct protkey_key *key;
	struct protkey_blob *b;

	key = kzalloc(sizeof(*key), GFP_KERNEL);
	if (!key)
		return NULL;
	b = protkey_blob_new(blob, len);
	if (!b) {
		kfree(key);
		return NULL;
	}
	refcount_set(&key->ref, 1);
	key->ops = ops;
	memcpy(key->vp, vp, PROTKEY_KEY_VP_SIZE);
	INIT_LIST_HEAD(&key->all);
	key->halves = protkey_key_halves(blob, len);
	key->half_len = len / key->halves;
	key->type_name = protkey_token_key_type(blob, key->half_len);
	RCU_INIT_POINTER(key->blob, b);
	mutex_init(&key->blob_mutex);
	protkey_key_read_info(ops, blob, key->half_len, key->halves, key->info);
	seqlock_init(&key->pk_lock);
	memcpy(key->pk, pk, sizeof(key->pk));
	atomic_set(&key->state, PROTKEY_KEY_VALID);
	spin_lock_init(&key->lock);
	INIT_LIST_HEAD(&key->parked);
	key->failed_next = jiffies;
	INIT_DELAYED_WORK(&key->work, protkey_key_work);
	INIT_WORK(&key->notify, protkey_key_notify);
	key->stats.derives = key->halves;
	key->stats.wk_generation = ops->wk_generation();
	protkey_key_note_wk(key->stats.wk_generation);
	return key;
}

/* Frees a key object that was never published. */
static void key_discard(struct protkey_key *key)
{
	kfree_sensitive(rcu_dereference_protected(key->blob, true));
	kfree_sensitive(key);
}

/* Publish @new, or return an existing object with the same pattern. */
static struct protkey_key *key_insert(struct protkey_key *new)
{
	struct protkey_blob *b = rcu_dereference_protected(new->blob, true);
	struct protkey_key *old;

	mutex_lock(&keys_lock);
	old = lookup_vp(new->vp);
	if (!old) {
		hlist_add_head_rcu(&new->hash_vp, vp_bucket(new->vp));
		hlist_add_head_rcu(&new->hash_blob,
				   blob_bucket(b->data,
					       protkey_key_blob_len(new)));
		list_add_tail(&new->all, &keys_all);
	}
	mutex_unlock(&keys_lock);
	return old;
}

/**
 * protkey_key_get_ops() - find or create the key object on a given platform
 * @ops: the platform; borrowed: a new object pins @ops->owner itself
 * @blob: two secure-key tokens back to back, validated
 * @len: total length in bytes
 * @keyp: output: the key object, with a reference for the caller
 *
 * An object with the same blob bytes is shared without deriving anything.
 * Otherwise both halves are derived (retrying while no adapter is usable,
 * up to rekey_timeout_ms) and the verification pattern is computed; an
 * object with that pattern (the same clear keys, e.g. a re-enciphered blob)
 * is shared, else a new one is published.
 *
 * A new object gets its key in the ``.protkey`` keyring
 * (protkey_keytype_attach()) before it is returned.
 *
 * Concurrency: two callers with the same new key may both derive; the
 * table mutex makes only one object win and the other caller shares it.
 *
 * Context: process context, may sleep.
 * Return: 0; -EINVAL for a key the platform rejects or whose halves derive
 * to different or non-XTS key sizes; -ENODEV or -EBUSY when no adapter
 * was usable until the timeout; -EIO and other platform errors; -EINTR on
 * a fatal signal; -EAGAIN when the wrapping key kept changing; -ENOMEM;
 * -ENODEV when @ops->owner is going away.
 */
VISIBLE_IF_KUNIT int protkey_key_get_ops(struct protkey_platform_ops *ops,
					 const u8 *blob, unsigned int len,
					 struct protkey_key **keyp)
{
	struct protkey_key *key, *old;
	u8 vp[PROTKEY_KEY_VP_SIZE];
	struct protkey_pk pk[2];
	int ret;

	*keyp = lookup_blob(blob, len);
	if (*keyp)
		return 0;

	ret = protkey_key_identify(ops, blob, len, pk, vp, true);
	if (ret)
		return ret;

	ret = -ENOMEM;
	key = key_new(ops, blob, len, pk, vp);
	memzero_explicit(pk, sizeof(pk));
	if (!key)
		return ret;
	if (!try_module_get(ops->owner)) {
		key_discard(key);
		return -ENODEV;
	}
	old = key_insert(key);
	if (old) {
		module_put(ops->owner);
		key_discard(key);
		key = old;
	} else {
		protkey_keytype_attach(key);
	}
	*keyp = key;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(protkey_key_get_ops);

/**
 * protkey_key_get() - find or create the key object for an XTS secure key
 * @blob: two secure-key tokens back to back (as paes takes them)
 * @len: total length in bytes
 * @keyp: output: the key object, with a reference for the caller
 *
 * Validates the key, picks the platform backend (module parameter
 * ``platform=`` of protkey.ko, else the first that supports the key) and
 * calls protkey_key_get_ops().
 *
 * Context: process context, may sleep (derives synchronously).
 * Return: 0; -EINVAL for a malformed key (see protkey_key_validate()) or
 * one the backend rejects; -ENODEV when no registered backend supports
 * it; otherwise as protkey_key_get_ops().
 */
int protkey_key_get(const u8 *blob, unsigned int len, struct protkey_key **keyp)
{
	struct protkey_platform_ops *ops;
	unsigned int half;
	int ret;

	ret = protkey_key_validate(blob, len);
	if (ret)
		return ret;
	half = len / protkey_key_halves(blob, len);
	ops = protkey_platform_get_for_key(blob, half);
	if (IS_ERR(ops))
		return PTR_ERR(ops);
	if (ops->supports(blob + len - half, half))
		ret = protkey_key_get_ops(ops, blob, len, keyp);
	else
		ret = -EINVAL;
	protkey_platform_put(ops);
	return ret;
}

static void key_free_rcu(struct rcu_head *rcu)
{
	struct protkey_key *key = container_of(rcu, struct protkey_key, rcu);

	kfree_sensitive(rcu_dereference_protected(key->blob, true));
	kfree_sensitive(key);
}

/* The rest of a last put, where the keyring may be locked. */
static void key_release(struct protkey_key *key)
{
	protkey_keytype_detach(key);
	call_rcu(&key->rcu, key_free_rcu);
}

static void keys_release(struct work_struct *work)
{
	struct protkey_key *key, *next;
	struct llist_node *dead;

	dead = llist_del_all(&releases);
	llist_for_each_entry_safe(key, next, dead, release) key_release(key);
}

/**
 * protkey_key_put() - drop a reference to a key object
 * @key: the key object, or NULL
 *
 * The last reference unpublishes the object, stops its worker and its
 * notify work and unpins the platform; a work item on system_wq (not the
 * reclaim workqueue: this is no I/O path) then removes its key from
 * ``.protkey``
 * (keyring locks and the key's semaphore may be held by this caller: the
 * key type's update and revoke drop references) and frees the object,
 * wiped, after an RCU grace period (table lookups and key descriptions
 * may still be reading it). Users flush their parked requests
 * (protkey_key_flush()) before they drop their reference.
 *
 * Context: process context, may sleep; no lock of key.c held.
 */
void protkey_key_put(struct protkey_key *key)
{
	if (!key || !refcount_dec_and_mutex_lock(&key->ref, &keys_lock))
		return;
	hlist_del_init_rcu(&key->hash_vp);
	hlist_del_init_rcu(&key->hash_blob);
	list_del_init(&key->all);
	mutex_unlock(&keys_lock);

	cancel_delayed_work_sync(&key->work);
	/* After the worker: it queues the notify work. */
	cancel_work_sync(&key->notify);
	WARN_ON_ONCE(!list_empty(&key->parked));
	protkey_platform_put(key->ops);
	llist_add(&key->release, &releases);
	schedule_work(&release_work);
}
EXPORT_SYMBOL_IF_KUNIT(protkey_key_put);

/**
 * protkey_key_read_pk() - a consistent copy of the protected keys
 * @key: the key object
 * @pk: output: [0] the data key, [1] the tweak key
 *
 * Context: any, including softirq; lockless (seqlock reader).
 * Return: the generation of the copy, for protkey_key_park().
 */
u32 protkey_key_read_pk(struct protkey_key *key, struct protkey_pk pk[2])
{
	unsigned int seq;
	u32 gen;

	do {
		seq = read_seqbegin(&key->pk_lock);
		memcpy(pk, key->pk, sizeof(key->pk));
		gen = key->pk_gen;
	} while (read_seqretry(&key->pk_lock, seq));
	return gen;
}
EXPORT_SYMBOL_IF_KUNIT(protkey_key_read_pk);

/**
 * protkey_key_load_params() - the protected keys into CPACF parameter blocks
 * @key: the key object
 * @pcc_slot: the key field of a PCC parameter block, for the tweak key; or
 *	NULL when no PCC is to run
 * @km_slot: the key field of a KM parameter block, for the data key
 * @type: output: [0] the data key's type, [1] the tweak key's
 *
 * What protkey_key_read_pk() and protkey_pk_load() do together, without
 * a copy of both keys on the caller's stack to wipe afterwards.
 *
 * Context: any, including softirq; lockless (seqlock reader).
 * Return: the generation of the keys, for protkey_key_park().
 */
u32 protkey_key_load_params(struct protkey_key *key, u8 *pcc_slot, u8 *km_slot,
			    u32 type[2])
{
	unsigned int seq;
	u32 gen;

	do {
		seq = read_seqbegin(&key->pk_lock);
		if (pcc_slot)
			protkey_pk_load(pcc_slot, &key->pk[1]);
		protkey_pk_load(km_slot, &key->pk[0]);
		type[0] = key->pk[0].type;
		type[1] = key->pk[1].type;
		gen = key->pk_gen;
	} while (read_seqretry(&key->pk_lock, seq));
	return gen;
}

/**
 * protkey_key_load_full() - a full-XTS protected key into a KM parameter block
 * @key: the key object, with &protkey_key.halves 1
 * @param: the full-XTS KM parameter block; key and WKVP fields are set
 * @type: output: the key's type
 *
 * Context: any, including softirq; lockless (seqlock reader).
 * Return: the generation of the key, for protkey_key_park().
 */
u32 protkey_key_load_full(struct protkey_key *key,
			  struct protkey_xts_full_km_param *param, u32 *type)
{
	unsigned int seq;
	u32 gen;

	do {
		seq = read_seqbegin(&key->pk_lock);
		protkey_pk_load_full(param, &key->pk[0]);
		*type = key->pk[0].type;
		gen = key->pk_gen;
	} while (read_seqretry(&key->pk_lock, seq));
	return gen;
}

/**
 * protkey_key_swap_blob() - replace the blob and its place in the table
 * @key: the key object
 * @b: the new blob; the caller frees the old one after a grace period
 *
 * Context: process context, may sleep (waits for an RCU grace period);
 * the caller holds &protkey_key.blob_mutex.
 */
void protkey_key_swap_blob(struct protkey_key *key, struct protkey_blob *b)
{
	mutex_lock(&keys_lock);
	hlist_del_init_rcu(&key->hash_blob);
	rcu_assign_pointer(key->blob, b);
	mutex_unlock(&keys_lock);
	/* Lookups that walk the old chain finish before the node moves. */
	synchronize_rcu();
	mutex_lock(&keys_lock);
	if (!hlist_unhashed(&key->hash_vp))
		hlist_add_head_rcu(&key->hash_blob,
				   blob_bucket(b->data,
					       protkey_key_blob_len(key)));
	mutex_unlock(&keys_lock);
}

/**
 * protkey_key_unhash() - take a key object out of the lookup tables
 * @key: the key object
 *
 * A later setkey with the same key creates a new object. The object stays
 * in the list of all objects (netlink dumps show it) until its last put.
 *
 * Context: process context; takes the table mutex.
 */
void protkey_key_unhash(struct protkey_key *key)
{
	mutex_lock(&keys_lock);
	hlist_del_init_rcu(&key->hash_vp);
	hlist_del_init_rcu(&key->hash_blob);
	mutex_unlock(&keys_lock);
}

/**
 * protkey_key_hold() - take a reference unless the object is dying
 * @key: the key object, found under RCU or the table mutex
 *
 * Context: any.
 * Return: true with a reference (drop it with protkey_key_put()).
 */
bool protkey_key_hold(struct protkey_key *key)
{
	return refcount_inc_not_zero(&key->ref);
}
EXPORT_SYMBOL_IF_KUNIT(protkey_key_hold);

/**
 * protkey_key_find() - the first live key object that matches
 * @match: predicate, called under the table mutex; must not sleep long
 * @arg: passed to @match
 *
 * Revoked objects are found too; they stay listed until their last tfm
 * lets go.
 *
 * Context: process context; takes the table mutex.
 * Return: the object with a reference, or NULL.
 */
struct protkey_key *protkey_key_find(bool (*match)(struct protkey_key *key,
						   const void *arg),
				     const void *arg)
{
	struct protkey_key *key, *found = NULL;

	mutex_lock(&keys_lock);
	list_for_each_entry(key, &keys_all, all) {
		if (match(key, arg) && refcount_inc_not_zero(&key->ref)) {
			found = key;
			break;
		}
	}
	mutex_unlock(&keys_lock);
	return found;
}
EXPORT_SYMBOL_IF_KUNIT(protkey_key_find);

/**
 * protkey_key_for_each() - call @fn on the key objects from position @pos
 * @pos: in: how many objects to skip; out: advanced past each object for
 *	which @fn returned 0 (a netlink dump resumes there)
 * @fn: called under the table mutex with a live object; nonzero stops
 * @arg: passed to @fn
 *
 * Context: process context; takes the table mutex.
 * Return: 0 after the last object, else what @fn returned.
 */
int protkey_key_for_each(unsigned long *pos,
			 int (*fn)(struct protkey_key *key, void *arg),
			 void *arg)
{
	struct protkey_key *key;
	unsigned long i = 0;
	int ret = 0;

	mutex_lock(&keys_lock);
	list_for_each_entry(key, &keys_all, all) {
		if (i++ < *pos)
			continue;
		ret = fn(key, arg);
		if (ret)
			break;
		(*pos)++;
	}
	mutex_unlock(&keys_lock);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(protkey_key_for_each);

/**
 * protkey_key_state_name() - the name of a state, as keyctl shows it
 * @state: a state
 *
 * Context: any.
 * Return: a static string.
 */
const char *protkey_key_state_name(enum protkey_key_state state)
{
	static const char *const names[] = {
		[PROTKEY_KEY_VALID] = "valid",
		[PROTKEY_KEY_STALE] = "stale",
		[PROTKEY_KEY_FAILED] = "failed",
		[PROTKEY_KEY_REVOKED] = "revoked",
	};

	return state < ARRAY_SIZE(names) ? names[state] : "unknown";
}
EXPORT_SYMBOL_IF_KUNIT(protkey_key_state_name);

/**
 * protkey_key_flush_releases() - wait for the teardown of dead objects
 *
 * Context: module exit, before the keyring goes away: the release work
 * unlinks keys from it. No key object is put any more by then.
 */
void protkey_key_flush_releases(void)
{
	flush_work(&release_work);
}
EXPORT_SYMBOL_IF_KUNIT(protkey_key_flush_releases);
