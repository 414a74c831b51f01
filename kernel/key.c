// SPDX-License-Identifier: GPL-2.0-only
/*
 * protkey key objects: shared protected keys and their re-derivation.
 *
 * Every tfm that holds the same XTS secure key shares one struct
 * protkey_key. The object owns the two protected keys, re-derives them from
 * the secure-key halves when the wrapping key changes (single flight: its
 * worker), and holds the requests that met a stale protected key until the
 * worker has new keys or gives up.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <crypto/algapi.h>
#include <kunit/visibility.h>
#include <linux/bottom_half.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/hashtable.h>
#include <linux/jhash.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/wait_bit.h>

#include "key.h"
#include "keytype.h"
#include "netlink.h"
#include "param.h"
#include "token.h"

/**
 * DOC: re-derivation and its concurrency
 *
 * The fast path (the cipher's encrypt/decrypt, possibly in softirq) reads
 * &protkey_key.state with atomic_read() and, when it is VALID, copies the
 * protected keys under the &protkey_key.pk_lock seqlock into its own
 * parameter blocks. It takes no lock, allocates nothing, never sleeps. Only
 * the platform's cipher primitive decides whether a protected key is
 * still valid: a short count (or PCC's -EKEYEXPIRED) means the wrapping key
 * changed.
 *
 * A request that meets a stale key, or finds the key not VALID, calls
 * protkey_key_park(). Under &protkey_key.lock it either learns that newer
 * protected keys were published since it read its copy (then it simply runs
 * again: this is why a late short count on an old copy never triggers a
 * second derive), or it starts an episode (VALID -> STALE, queue the
 * worker) or joins the running one, and is appended to
 * &protkey_key.parked. Because the state is re-checked under the lock
 * that the worker holds when it publishes VALID and when it takes the
 * parked list, a request can never be parked after the worker's last look
 * at the list: it is either drained or told to retry.
 *
 * The worker is a delayed work item on an ordered-per-item workqueue, so it
 * never runs concurrently with itself: one derive per key half per episode,
 * whatever the number of tfms, CPUs and requests. Halves derived in an
 * earlier attempt of the same episode are kept (&protkey_key.staged_mask),
 * so a retry derives only what is missing. Between attempts the work item
 * re-queues itself with a delay (10 ms doubling to 1 s) instead of sleeping,
 * so a thousand stalled keys do not pin a thousand kworkers.
 *
 * On success the worker publishes the keys under the seqlock (BHs off, so a
 * softirq reader on the same CPU cannot spin on an odd count), sets VALID
 * under &protkey_key.lock, then runs the parked requests one by one in
 * process context with BHs disabled and completes them. New requests take
 * the fast path meanwhile; the crypto API does not order requests. If the
 * wrapping key changes again during the drain, a resumed request re-parks
 * and a new episode starts; the drain stops at once.
 *
 * Past rekey_timeout_ms, or on an error that retrying cannot cure, the
 * worker sets FAILED, takes the whole parked list under the lock and
 * completes it with -EIO, saying why once (rate-limited). A request that
 * arrives in FAILED parks and makes the worker try one derive at once, so
 * I/O works again as soon as an adapter returns, without a new long stall.
 *
 * Requests are never completed with wrong data: a parked request keeps its
 * progress in its own context (bytes done and the current XTS parameter)
 * and resumes exactly there; in-place data already processed is never
 * processed twice.
 */

/**
 * DOC: rekey_timeout_ms
 *
 * How long parked I/O waits for a re-derivation. Default 60000 ms:
 * zcrypt waits up to 60 s for the AP bus at boot
 * (zcrypt_wait_api_operational()), adapters typically return within
 * seconds after a relocation, and 60 s stays below the 120 s hung-task
 * warning that a longer stall would trigger for the waiting I/O. 0 fails
 * parked requests after the first unsuccessful derive, as in-tree paes on
 * Linux 6.1 does after its three quick attempts. The same bound applies
 * to the synchronous derive in setkey.
 */

VISIBLE_IF_KUNIT unsigned int protkey_rekey_timeout_ms = 60000;
EXPORT_SYMBOL_IF_KUNIT(protkey_rekey_timeout_ms);
module_param_cb(rekey_timeout_ms, &protkey_param_ops_timeout_ms,
		&protkey_rekey_timeout_ms, 0644);
MODULE_PARM_DESC(rekey_timeout_ms,
		 "How long I/O waits for a re-derived protected key (ms)");

/*
 * Retry delays after a retryable derive error: a sixteenth of the time
 * waited so far, within these bounds. An outage of T then ends at most
 * max(T / 16, BACKOFF_MIN_MS) before the retry that sees it end, about
 * 6 %, inside the P4 target (stall <= T + 10 %) with room for the derive
 * itself; about 40 attempts in the first second, one a second after 16.
 */
#define BACKOFF_MIN_MS 10
#define BACKOFF_MAX_MS 1000
#define BACKOFF_SHIFT 4

/* The delay after waiting @waited_ms: @waited_ms / 16, clamped. */
static unsigned int backoff_ms(unsigned int waited_ms)
{
	return clamp_t(unsigned int, waited_ms >> BACKOFF_SHIFT, BACKOFF_MIN_MS,
		       BACKOFF_MAX_MS);
}

/* Parked requests per key before MAY_BACKLOG callers get -EBUSY. */
#define MAX_PARKED 64
/* Attempts to compute the verification pattern across WK changes. */
#define VP_TRIES 5
#define KEY_HASH_BITS 6

static DEFINE_HASHTABLE(keys_by_vp, KEY_HASH_BITS);
static DEFINE_HASHTABLE(keys_by_blob, KEY_HASH_BITS);
static DEFINE_MUTEX(keys_lock);
static LIST_HEAD(keys_all);
static struct workqueue_struct *protkey_wq;
/* The last wrapping-key generation a worker saw, for WK_CHANGED events. */
static atomic64_t wk_seen = ATOMIC64_INIT(0);

static bool derive_retryable(int err)
{
	return err == -ENODEV || err == -EBUSY || err == -EAGAIN;
}

static bool pk_valid(const struct protkey_pk *pk)
{
	return (pk->type == PROTKEY_PK_AES_128 && pk->len == 48) ||
	       (pk->type == PROTKEY_PK_AES_256 && pk->len == 64);
}

/* One derive with the checks the cipher depends on. May sleep. */
static int derive_half(struct protkey_platform_ops *ops, const u8 *blob,
		       u32 len, struct protkey_pk *pk)
{
	int ret;

	ret = ops->derive(blob, len, pk);
	if (!ret && !pk_valid(pk))
		ret = -EINVAL;
	if (ret)
		memzero_explicit(pk, sizeof(*pk));
	return ret;
}

/**
 * protkey_key_validate() - check the shape of an XTS secure key
 * @blob: two secure-key tokens back to back
 * @len: total length in bytes
 *
 * Checks what needs no backend: both halves of equal size within the
 * known token sizes, the same token type and version, and different.
 *
 * Context: any.
 * Return: 0 or -EINVAL.
 */
int protkey_key_validate(const u8 *blob, unsigned int len)
{
	unsigned int half = len / 2;

	if (len % 2 || half < PROTKEY_KEY_MIN_HALF ||
	    half > PROTKEY_KEY_MAX_HALF)
		return -EINVAL;
	/* Token header: byte 0 is the type, byte 4 the version. */
	if (blob[0] != blob[half] || blob[4] != blob[half + 4])
		return -EINVAL;
	if (!memcmp(blob, blob + half, half))
		return -EINVAL;
	return protkey_token_check(blob, half);
}
EXPORT_SYMBOL_IF_KUNIT(protkey_key_validate);

/**
 * protkey_key_compute_vp() - the verification pattern of a key pair
 * @ops: the platform
 * @pk: protected keys: [0] data key, [1] tweak key
 * @vp: output: XTS encryption of 32 zero bytes with a zero tweak
 *
 * The pattern depends on the clear keys only, so it survives master-key
 * and wrapping-key changes; zkey computes the same value.
 *
 * Context: any; never sleeps.
 * Return: 0, or -EKEYEXPIRED when the wrapping key changed meanwhile.
 */
VISIBLE_IF_KUNIT int protkey_key_compute_vp(struct protkey_platform_ops *ops,
					    const struct protkey_pk pk[2],
					    u8 vp[PROTKEY_KEY_VP_SIZE])
{
	static const u8 zero[PROTKEY_KEY_VP_SIZE];
	struct protkey_xts_pcc_param pcc = {};
	struct protkey_xts_km_param km = {};
	unsigned int n;
	int ret;

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

/* Both halves, retrying what retrying can cure, like the worker does. */
static int derive_pair_sync(struct protkey_platform_ops *ops, const u8 *blob,
			    u32 half, struct protkey_pk pk[2])
{
	unsigned long start = jiffies;
	unsigned long deadline =
		start + msecs_to_jiffies(READ_ONCE(protkey_rekey_timeout_ms));
	int ret;

	for (;;) {
		ret = derive_half(ops, blob, half, &pk[0]);
		if (!ret)
			ret = derive_half(ops, blob + half, half, &pk[1]);
		if (!ret && pk[0].type != pk[1].type)
			ret = -EINVAL;
		if (!ret)
			return 0;
		memzero_explicit(pk, 2 * sizeof(*pk));
		if (!derive_retryable(ret) || time_after(jiffies, deadline))
			return ret;
		msleep(backoff_ms(jiffies_to_msecs(jiffies - start)));
		if (fatal_signal_pending(current))
			return -EINTR;
	}
}

/* Derive and identify: fills @pk and @vp. May sleep. */
static int derive_identify(struct protkey_platform_ops *ops, const u8 *blob,
			   u32 half, struct protkey_pk pk[2],
			   u8 vp[PROTKEY_KEY_VP_SIZE])
{
	int ret = -EAGAIN;
	int i;

	for (i = 0; i < VP_TRIES && ret; i++) {
		ret = derive_pair_sync(ops, blob, half, pk);
		if (ret)
			return ret;
		ret = protkey_key_compute_vp(ops, pk, vp);
		if (ret)
			memzero_explicit(pk, 2 * sizeof(*pk));
	}
	return ret ? -EAGAIN : 0;
}

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
		if (b && 2 * key->half_len == len &&
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

static void key_work(struct work_struct *work);
static void key_release(struct work_struct *work);

static struct protkey_blob *blob_new(const u8 *data, unsigned int len)
{
	struct protkey_blob *b;

	b = kmalloc(struct_size(b, data, len), GFP_KERNEL);
	if (b)
		memcpy(b->data, data, len);
	return b;
}

/* The platform's view of both halves; zeroed where it cannot parse. */
static void read_info(struct protkey_platform_ops *ops, const u8 *blob,
		      u32 half, struct protkey_key_info info[2])
{
	int i;

	for (i = 0; i < 2; i++)
		if (ops->key_info(blob + i * half, half, &info[i]))
			memset(&info[i], 0, sizeof(info[i]));
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
	b = blob_new(blob, len);
	if (!b) {
		kfree(key);
		return NULL;
	}
	refcount_set(&key->ref, 1);
	key->ops = ops;
	memcpy(key->vp, vp, PROTKEY_KEY_VP_SIZE);
	INIT_LIST_HEAD(&key->all);
	key->half_len = len / 2;
	RCU_INIT_POINTER(key->blob, b);
	mutex_init(&key->blob_mutex);
	INIT_WORK(&key->release, key_release);
	read_info(ops, blob, len / 2, key->info);
	seqlock_init(&key->pk_lock);
	memcpy(key->pk, pk, sizeof(key->pk));
	atomic_set(&key->state, PROTKEY_KEY_VALID);
	spin_lock_init(&key->lock);
	INIT_LIST_HEAD(&key->parked);
	INIT_DELAYED_WORK(&key->work, key_work);
	key->stats.derives = 2;
	key->stats.wk_generation = ops->wk_generation();
	atomic64_cmpxchg(&wk_seen, 0, key->stats.wk_generation);
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
				   blob_bucket(b->data, 2 * new->half_len));
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

	ret = derive_identify(ops, blob, len / 2, pk, vp);
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
	int ret;

	ret = protkey_key_validate(blob, len);
	if (ret)
		return ret;
	ops = protkey_platform_get_for_key(blob, len / 2);
	if (IS_ERR(ops))
		return PTR_ERR(ops);
	if (ops->supports(blob + len / 2, len / 2))
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

/* The rest of the last put, where the keyring may be locked. */
static void key_release(struct work_struct *work)
{
	struct protkey_key *key =
		container_of(work, struct protkey_key, release);

	protkey_keytype_detach(key);
	call_rcu(&key->rcu, key_free_rcu);
}

/**
 * protkey_key_put() - drop a reference to a key object
 * @key: the key object, or NULL
 *
 * The last reference unpublishes the object, stops its worker and unpins
 * the platform; a work item then removes its key from ``.protkey``
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
	WARN_ON_ONCE(!list_empty(&key->parked));
	protkey_platform_put(key->ops);
	queue_work(protkey_wq, &key->release);
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

/* Caller holds key->lock. Returns -EINPROGRESS or -EBUSY. */
static int enqueue(struct protkey_key *key, struct protkey_parked *p,
		   bool requeue)
{
	list_add_tail(&p->node, &key->parked);
	key->nparked++;
	if (!requeue && key->nparked > MAX_PARKED &&
	    (p->req->flags & CRYPTO_TFM_REQ_MAY_BACKLOG)) {
		p->backlog = true;
		return -EBUSY;
	}
	return -EINPROGRESS;
}

/* Caller holds key->lock. */
static void episode_begin(struct protkey_key *key)
{
	key->episode_start = jiffies;
	key->episode_ktime = ktime_get();
	key->stall_event = 0;
}

static int park(struct protkey_key *key, struct protkey_parked *p, bool stale,
		bool requeue)
{
	unsigned long flags;
	bool kick = false;
	int ret;

	spin_lock_irqsave(&key->lock, flags);
	switch (atomic_read(&key->state)) {
	case PROTKEY_KEY_VALID:
		if (!stale || p->gen != READ_ONCE(key->pk_gen)) {
			spin_unlock_irqrestore(&key->lock, flags);
			return PROTKEY_KEY_RETRY;
		}
		atomic_set(&key->state, PROTKEY_KEY_STALE);
		episode_begin(key);
		key->stats.stalls++;
		kick = true;
		break;
	case PROTKEY_KEY_FAILED:
		if (list_empty(&key->parked))
			episode_begin(key);
		kick = true;
		break;
	case PROTKEY_KEY_REVOKED:
		spin_unlock_irqrestore(&key->lock, flags);
		return -EIO;
	default:
		break;
	}
	ret = enqueue(key, p, requeue);
	if (kick)
		queue_delayed_work(protkey_wq, &key->work, 0);
	spin_unlock_irqrestore(&key->lock, flags);
	return ret;
}

/**
 * protkey_key_park() - hand a request to the key's worker
 * @key: the key object
 * @p: the request's parking record; @p->req, @p->resume and (when
 *	@stale) @p->gen set, @p->backlog false
 * @stale: the request met a stale protected key of generation @p->gen;
 *	false when it only found the key not usable
 *
 * Starts a re-derivation episode if none runs and @p->gen is the current
 * generation; joins the running one otherwise.
 *
 * Context: any, including softirq; takes &protkey_key.lock with
 * interrupts disabled; never sleeps, never allocates.
 * Return: -EINPROGRESS: parked, the worker completes it; -EBUSY: parked
 * as backlog (only with CRYPTO_TFM_REQ_MAY_BACKLOG, past a per-key
 * threshold), the worker reports -EINPROGRESS then the result;
 * PROTKEY_KEY_RETRY: not parked, newer protected keys are usable: run the
 * request again; -EIO: not parked, the key was revoked (keyctl revoke).
 */
int protkey_key_park(struct protkey_key *key, struct protkey_parked *p,
		     bool stale)
{
	return park(key, p, stale, false);
}
EXPORT_SYMBOL_IF_KUNIT(protkey_key_park);

/* Completes requests taken off the parked list. Process context. */
static void complete_list(struct list_head *list, int err)
{
	struct protkey_parked *p, *n;
	struct crypto_async_request *req;
	bool backlog;

	list_for_each_entry_safe(p, n, list, node) {
		list_del(&p->node);
		req = p->req;
		backlog = p->backlog;
		local_bh_disable();
		if (backlog)
			crypto_request_complete(req, -EINPROGRESS);
		crypto_request_complete(req, err);
		local_bh_enable();
	}
}

static void running_done(struct protkey_key *key)
{
	unsigned long flags;

	spin_lock_irqsave(&key->lock, flags);
	key->running_tfm = NULL;
	spin_unlock_irqrestore(&key->lock, flags);
	/* Pairs with the condition check in wait_var_event(). */
	smp_mb();
	wake_up_var(&key->running_tfm);
}

/* Runs one parked request; true when it completed (not re-parked). */
static bool drain_one(struct protkey_key *key, struct protkey_parked *p)
{
	struct crypto_async_request *req = p->req;
	int ret, tries;

	local_bh_disable();
	if (p->backlog) {
		p->backlog = false;
		crypto_request_complete(req, -EINPROGRESS);
	}
	for (tries = 0; tries < 4; tries++) {
		ret = p->resume(req);
		if (ret != -EKEYEXPIRED)
			break;
		ret = park(key, p, true, true);
		if (ret == -EIO)
			break;
		if (ret != PROTKEY_KEY_RETRY) {
			local_bh_enable();
			return false;
		}
	}
	if (ret == -EKEYEXPIRED)
		ret = -EIO;
	crypto_request_complete(req, ret);
	local_bh_enable();
	return true;
}

/* Runs the parked requests while the key stays VALID. Worker only. */
static void drain(struct protkey_key *key)
{
	struct protkey_parked *p;
	unsigned long flags;

	for (;;) {
		spin_lock_irqsave(&key->lock, flags);
		if (atomic_read(&key->state) != PROTKEY_KEY_VALID ||
		    list_empty(&key->parked)) {
			spin_unlock_irqrestore(&key->lock, flags);
			return;
		}
		p = list_first_entry(&key->parked, struct protkey_parked, node);
		list_del(&p->node);
		key->nparked--;
		key->running_tfm = p->req->tfm;
		spin_unlock_irqrestore(&key->lock, flags);

		drain_one(key, p);
		running_done(key);
	}
}

/* Derives the halves this episode still lacks. Worker only. */
static int derive_staged(struct protkey_key *key)
{
	struct protkey_blob *b;
	unsigned long flags;
	int i, ret = 0;

	mutex_lock(&key->blob_mutex);
	b = rcu_dereference_protected(key->blob,
				      lockdep_is_held(&key->blob_mutex));
	if (!b)
		ret = -EKEYREVOKED;
	for (i = 0; i < 2 && !ret; i++) {
		if (key->staged_mask & BIT(i))
			continue;
		ret = derive_half(key->ops, b->data + i * key->half_len,
				  key->half_len, &key->staged[i]);
		spin_lock_irqsave(&key->lock, flags);
		if (ret) {
			key->stats.derive_errors++;
			key->stats.last_error = ret;
		} else {
			key->stats.derives++;
			key->staged_mask |= BIT(i);
		}
		spin_unlock_irqrestore(&key->lock, flags);
	}
	mutex_unlock(&key->blob_mutex);
	if (!ret && (key->staged[0].type != key->pk[0].type ||
		     key->staged[1].type != key->pk[1].type))
		ret = -EINVAL;
	return ret;
}

/*
 * Reads the master-key match of both halves after a derive and warns when
 * a half is only under the OLD master key. Worker and update only.
 */
static void refresh_info(struct protkey_key *key)
{
	struct protkey_key_info info[2];
	struct protkey_blob *b;
	unsigned long flags;

	mutex_lock(&key->blob_mutex);
	b = rcu_dereference_protected(key->blob,
				      lockdep_is_held(&key->blob_mutex));
	if (!b) {
		mutex_unlock(&key->blob_mutex);
		return;
	}
	read_info(key->ops, b->data, key->half_len, info);
	mutex_unlock(&key->blob_mutex);

	spin_lock_irqsave(&key->lock, flags);
	memcpy(key->info, info, sizeof(info));
	spin_unlock_irqrestore(&key->lock, flags);
	if (info[0].match == PROTKEY_MK_OLD || info[1].match == PROTKEY_MK_OLD)
		protkey_nl_notify_needs_reencipher(key, info);
}

/* One WK_CHANGED event per generation that a worker notices. */
static void check_wk(struct protkey_key *key)
{
	u64 gen = key->ops->wk_generation();
	u64 seen = atomic64_xchg(&wk_seen, gen);

	if (seen && seen != gen)
		protkey_nl_notify_wk_changed(gen);
}

/* Returns false (and publishes nothing) when the key was revoked. */
static bool publish(struct protkey_key *key, s64 *latency_us)
{
	unsigned long flags;

	if (atomic_read(&key->state) == PROTKEY_KEY_REVOKED) {
		memzero_explicit(key->staged, sizeof(key->staged));
		key->staged_mask = 0;
		return false;
	}
	write_seqlock_bh(&key->pk_lock);
	memcpy(key->pk, key->staged, sizeof(key->pk));
	key->pk_gen++;
	write_sequnlock_bh(&key->pk_lock);
	memzero_explicit(key->staged, sizeof(key->staged));
	key->staged_mask = 0;

	spin_lock_irqsave(&key->lock, flags);
	key->stats.last_stall_ms =
		jiffies_to_msecs(jiffies - key->episode_start);
	key->stats.wk_generation = key->ops->wk_generation();
	*latency_us = ktime_us_delta(ktime_get(), key->episode_ktime);
	if (atomic_read(&key->state) != PROTKEY_KEY_REVOKED)
		atomic_set(&key->state, PROTKEY_KEY_VALID);
	spin_unlock_irqrestore(&key->lock, flags);
	return true;
}

static void give_up(struct protkey_key *key, int err)
{
	unsigned long flags;
	unsigned int n, ms;
	LIST_HEAD(failed);
	const char *why;

	memzero_explicit(key->staged, sizeof(key->staged));
	key->staged_mask = 0;
	spin_lock_irqsave(&key->lock, flags);
	if (atomic_read(&key->state) == PROTKEY_KEY_REVOKED) {
		spin_unlock_irqrestore(&key->lock, flags);
		return;
	}
	atomic_set(&key->state, PROTKEY_KEY_FAILED);
	list_splice_init(&key->parked, &failed);
	n = key->nparked;
	key->nparked = 0;
	ms = jiffies_to_msecs(jiffies - key->episode_start);
	key->stats.last_stall_ms = ms;
	key->stats.failures++;
	key->stats.failed_requests += n;
	spin_unlock_irqrestore(&key->lock, flags);

	why = derive_retryable(err) ? "no usable adapter" : "derive failed";
	pr_err_ratelimited("key %*phN: %s after %u ms (%pe): %u I/Os fail\n", 8,
			   key->vp, why, ms, ERR_PTR(err), n);
	complete_list(&failed, -EIO);
	protkey_nl_notify_failed(key, err, ms, n);
}

/* Next retry delay, never past the deadline; 0 when the time is up. */
static unsigned long retry_delay(struct protkey_key *key)
{
	unsigned long now = jiffies, deadline, delay;
	unsigned int waited;

	deadline = key->episode_start +
		   msecs_to_jiffies(READ_ONCE(protkey_rekey_timeout_ms));
	if (!time_before(now, deadline))
		return 0;
	waited = jiffies_to_msecs(now - key->episode_start);
	delay = msecs_to_jiffies(backoff_ms(waited));
	return max(min(delay, deadline - now), 1UL);
}

/* At most one KEY_STALLED event per second of an episode. Worker only. */
static void stalled(struct protkey_key *key, int err)
{
	unsigned long now = jiffies;
	u32 waited;

	if (key->stall_event && time_before(now, key->stall_event + HZ))
		return;
	key->stall_event = now;
	waited = jiffies_to_msecs(now - key->episode_start);
	protkey_nl_notify_stalled(key, waited, err);
}

/*
 * The worker: derives what the episode lacks, publishes, sends the events
 * (process context, so the fast path never does) and drains.
 */
static void key_work(struct work_struct *work)
{
	struct protkey_key *key =
		container_of(to_delayed_work(work), struct protkey_key, work);
	enum protkey_key_state state;
	unsigned long flags, delay;
	s64 latency_us;
	bool empty;
	int ret;

	spin_lock_irqsave(&key->lock, flags);
	state = atomic_read(&key->state);
	empty = list_empty(&key->parked);
	spin_unlock_irqrestore(&key->lock, flags);
	if (state == PROTKEY_KEY_REVOKED)
		return;
	if (state == PROTKEY_KEY_VALID) {
		drain(key);
		return;
	}
	if (state == PROTKEY_KEY_FAILED && empty)
		return;

	check_wk(key);
	ret = derive_staged(key);
	if (!ret) {
		if (!publish(key, &latency_us))
			return;
		protkey_nl_notify_rederived(key, latency_us);
		refresh_info(key);
		drain(key);
		return;
	}
	if (state == PROTKEY_KEY_STALE && derive_retryable(ret)) {
		delay = retry_delay(key);
		if (delay) {
			stalled(key, ret);
			queue_delayed_work(protkey_wq, &key->work, delay);
			return;
		}
	}
	give_up(key, ret);
}

/**
 * protkey_key_flush() - fail a tfm's parked requests before it goes away
 * @key: the key object the tfm uses
 * @tfm: the tfm
 *
 * Completes every parked request of @tfm with -EIO and waits until the
 * worker no longer runs one. Callers must not free a tfm with requests in
 * flight; this makes a caller that does so lose its requests instead of
 * the worker touching freed memory.
 *
 * Context: process context, may sleep.
 */
void protkey_key_flush(struct protkey_key *key, struct crypto_tfm *tfm)
{
	struct protkey_parked *p, *n;
	unsigned long flags;
	LIST_HEAD(failed);
	bool busy;

	for (;;) {
		spin_lock_irqsave(&key->lock, flags);
		list_for_each_entry_safe(p, n, &key->parked, node) {
			if (p->req->tfm != tfm)
				continue;
			list_move_tail(&p->node, &failed);
			key->nparked--;
		}
		busy = key->running_tfm == tfm;
		spin_unlock_irqrestore(&key->lock, flags);

		if (!list_empty(&failed))
			pr_warn_ratelimited("tfm freed with parked requests\n");
		complete_list(&failed, -EIO);
		if (!busy)
			return;
		wait_var_event(&key->running_tfm,
			       READ_ONCE(key->running_tfm) != tfm);
	}
}
EXPORT_SYMBOL_IF_KUNIT(protkey_key_flush);

/**
 * protkey_key_get_stats() - a consistent snapshot of a key's counters
 * @key: the key object
 * @stats: output
 *
 * Context: any; takes &protkey_key.lock.
 */
void protkey_key_get_stats(struct protkey_key *key,
			   struct protkey_key_stats *stats)
{
	unsigned long flags;

	spin_lock_irqsave(&key->lock, flags);
	*stats = key->stats;
	spin_unlock_irqrestore(&key->lock, flags);
}
EXPORT_SYMBOL_IF_KUNIT(protkey_key_get_stats);

/* Derives both halves once, without waiting, and computes the pattern. */
static int identify_once(struct protkey_platform_ops *ops, const u8 *blob,
			 u32 half, u8 vp[PROTKEY_KEY_VP_SIZE])
{
	struct protkey_pk pk[2];
	int i, ret;

	for (i = 0; i < VP_TRIES; i++) {
		ret = derive_half(ops, blob, half, &pk[0]);
		if (!ret)
			ret = derive_half(ops, blob + half, half, &pk[1]);
		if (!ret && pk[0].type != pk[1].type)
			ret = -EINVAL;
		if (!ret)
			ret = protkey_key_compute_vp(ops, pk, vp);
		memzero_explicit(pk, sizeof(pk));
		if (ret != -EKEYEXPIRED)
			return ret;
	}
	return -EAGAIN;
}

/* Replaces the blob and its place in the blob table; blob_mutex held. */
static void swap_blob(struct protkey_key *key, struct protkey_blob *b)
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
				   blob_bucket(b->data, 2 * key->half_len));
	mutex_unlock(&keys_lock);
}

/* Makes a waiting worker try at once (after an update). */
static void kick(struct protkey_key *key)
{
	enum protkey_key_state state = atomic_read(&key->state);

	if (state == PROTKEY_KEY_STALE || state == PROTKEY_KEY_FAILED)
		mod_delayed_work(protkey_wq, &key->work, 0);
}

/**
 * protkey_key_update_blob() - give a live key object a re-enciphered blob
 * @key: the key object, with a reference held by the caller
 * @blob: the new secure key: two tokens back to back
 * @len: its length
 *
 * Checks that @blob is the same key: halves of the current size that
 * the object's platform supports, derived once each (no waiting for
 * adapters) into protected keys whose verification pattern equals the
 * object's. Then swaps the blob, so that the next derive (a re-derivation
 * episode, including one running now) uses it, and makes a waiting worker
 * retry at once. On any error nothing changes.
 *
 * Concurrency: the worker derives under &protkey_key.blob_mutex, so it
 * uses either the old or the new blob for a half, never a mix of bytes;
 * both derive to the same clear key, so halves staged from the old blob
 * stay good. Table lookups read the blob under RCU; the old blob is freed,
 * wiped, after a grace period.
 *
 * Context: process context, may sleep (two HSM round trips).
 * Return: 0; -EINVAL for a malformed blob (see protkey_key_validate()),
 * another size than the current blob, or a token the platform does not
 * support or rejects; -EKEYREJECTED when it is another key (different
 * verification pattern); -EKEYREVOKED when @key was revoked; -ENODEV,
 * -EBUSY, -EIO as the platform's derive (no adapter holds its master
 * key, adapters busy, request rejected); -EAGAIN when the wrapping key
 * kept changing; -ENOMEM.
 */
int protkey_key_update_blob(struct protkey_key *key, const u8 *blob,
			    unsigned int len)
{
	struct protkey_blob *b, *old;
	u8 vp[PROTKEY_KEY_VP_SIZE];
	u32 half = key->half_len;
	int ret;

	if (len != 2 * half || protkey_key_validate(blob, len) ||
	    !key->ops->supports(blob, half) ||
	    !key->ops->supports(blob + half, half))
		return -EINVAL;
	if (atomic_read(&key->state) == PROTKEY_KEY_REVOKED)
		return -EKEYREVOKED;
	ret = identify_once(key->ops, blob, half, vp);
	if (ret)
		return ret;
	if (crypto_memneq(vp, key->vp, sizeof(vp)))
		return -EKEYREJECTED;
	b = blob_new(blob, len);
	if (!b)
		return -ENOMEM;

	mutex_lock(&key->blob_mutex);
	old = rcu_dereference_protected(key->blob,
					lockdep_is_held(&key->blob_mutex));
	if (old)
		swap_blob(key, b);
	mutex_unlock(&key->blob_mutex);
	if (!old) {
		kfree_sensitive(b);
		return -EKEYREVOKED;
	}
	kfree_sensitive(old);
	refresh_info(key);
	kick(key);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(protkey_key_update_blob);

/* Wipes the protected keys; the worker no longer runs. */
static void wipe_pk(struct protkey_key *key)
{
	int i;

	memzero_explicit(key->staged, sizeof(key->staged));
	key->staged_mask = 0;
	write_seqlock_bh(&key->pk_lock);
	/* Type and length stay: a stale WKVP of zeros is all the CPU sees. */
	for (i = 0; i < 2; i++)
		memzero_explicit(key->pk[i].protkey,
				 sizeof(key->pk[i].protkey));
	key->pk_gen++;
	write_sequnlock_bh(&key->pk_lock);
}

/**
 * protkey_key_revoke() - wipe a key object and fail its I/O from now on
 * @key: the key object, with a reference held by the caller
 *
 * Sets REVOKED, takes the object out of the lookup tables (a later setkey
 * with the same key creates a new object), wipes the secure key and the
 * protected keys, stops the worker and fails the parked requests with
 * -EIO. New requests on the tfms that still hold the object fail with
 * -EIO. Idempotent.
 *
 * Concurrency: the state changes under &protkey_key.lock, where parking
 * re-checks it, so no request parks after the parked list was taken. A
 * request that copied the protected keys before the wipe may still
 * complete with them: revoke is not a barrier for I/O already running on
 * the fast path. The worker re-checks the state before it publishes or
 * gives up, and is cancelled before the wipe.
 *
 * Context: process context, may sleep; the caller may hold the key's
 * semaphore (key type revoke).
 */
void protkey_key_revoke(struct protkey_key *key)
{
	struct protkey_blob *old;
	unsigned long flags;
	LIST_HEAD(failed);

	mutex_lock(&key->blob_mutex);
	spin_lock_irqsave(&key->lock, flags);
	atomic_set(&key->state, PROTKEY_KEY_REVOKED);
	list_splice_init(&key->parked, &failed);
	key->stats.failed_requests += key->nparked;
	key->nparked = 0;
	spin_unlock_irqrestore(&key->lock, flags);

	mutex_lock(&keys_lock);
	hlist_del_init_rcu(&key->hash_vp);
	hlist_del_init_rcu(&key->hash_blob);
	mutex_unlock(&keys_lock);
	old = rcu_replace_pointer(key->blob, NULL,
				  lockdep_is_held(&key->blob_mutex));
	mutex_unlock(&key->blob_mutex);

	cancel_delayed_work_sync(&key->work);
	wipe_pk(key);
	complete_list(&failed, -EIO);
	synchronize_rcu();
	kfree_sensitive(old);
}
EXPORT_SYMBOL_IF_KUNIT(protkey_key_revoke);

/**
 * protkey_key_rederive() - re-derive now if the protected keys are stale
 * @key: the key object, with a reference held by the caller
 *
 * Pre-warming after a migration: tests the protected keys with the
 * verification-pattern computation (PCC + KM on 32 bytes); when they are
 * stale, or the key is FAILED, starts a re-derivation episode without
 * waiting for I/O to meet the stale key. Does nothing while the keys are
 * valid or an episode runs.
 *
 * Context: process context; does not wait for the worker.
 * Return: 0; -EKEYREVOKED for a revoked key.
 */
int protkey_key_rederive(struct protkey_key *key)
{
	u8 vp[PROTKEY_KEY_VP_SIZE];
	struct protkey_pk pk[2];
	unsigned long flags;
	int ret = 0;
	u32 gen = 0;

	if (protkey_key_usable(key)) {
		gen = protkey_key_read_pk(key, pk);
		ret = protkey_key_compute_vp(key->ops, pk, vp);
		memzero_explicit(pk, sizeof(pk));
		if (ret != -EKEYEXPIRED)
			return 0;
		ret = 0;
	}
	spin_lock_irqsave(&key->lock, flags);
	switch (atomic_read(&key->state)) {
	case PROTKEY_KEY_VALID:
		if (gen != key->pk_gen)
			break;
		key->stats.stalls++;
		fallthrough;
	case PROTKEY_KEY_FAILED:
		atomic_set(&key->state, PROTKEY_KEY_STALE);
		episode_begin(key);
		queue_delayed_work(protkey_wq, &key->work, 0);
		break;
	case PROTKEY_KEY_REVOKED:
		ret = -EKEYREVOKED;
		break;
	default:
		break;
	}
	spin_unlock_irqrestore(&key->lock, flags);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(protkey_key_rederive);

/**
 * protkey_key_snapshot() - a consistent view of a key object's state
 * @key: the key object; a reference, the table mutex, or an RCU read
 *	section that found it keeps it in memory
 * @snap: output
 *
 * Context: any; takes &protkey_key.lock; never sleeps.
 */
void protkey_key_snapshot(struct protkey_key *key,
			  struct protkey_key_snapshot *snap)
{
	unsigned long flags;

	spin_lock_irqsave(&key->lock, flags);
	snap->state = atomic_read(&key->state);
	snap->stats = key->stats;
	memcpy(snap->info, key->info, sizeof(snap->info));
	spin_unlock_irqrestore(&key->lock, flags);
	memcpy(snap->vp, key->vp, sizeof(snap->vp));
	snap->users = refcount_read(&key->ref);
	snap->serial = READ_ONCE(key->serial);
}
EXPORT_SYMBOL_IF_KUNIT(protkey_key_snapshot);

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
 * unlinks keys from it.
 */
void protkey_key_flush_releases(void)
{
	flush_workqueue(protkey_wq);
}
EXPORT_SYMBOL_IF_KUNIT(protkey_key_flush_releases);

/**
 * protkey_key_init() - set up the key objects' workqueue
 *
 * Context: module init. The workqueue has a rescuer (WQ_MEM_RECLAIM):
 * re-derivation is on the I/O path, and memory reclaim may wait for the
 * parked writes.
 *
 * Return: 0 or -ENOMEM.
 */
int protkey_key_init(void)
{
	protkey_wq = alloc_workqueue("protkey_rekey",
				     WQ_MEM_RECLAIM | WQ_UNBOUND, 0);
	return protkey_wq ? 0 : -ENOMEM;
}

/**
 * protkey_key_exit() - tear down what protkey_key_init() set up
 *
 * Context: module exit. No key object is left: each belongs to a tfm,
 * and a tfm pins this module.
 */
void protkey_key_exit(void)
{
	destroy_workqueue(protkey_wq);
	/* Frees of the last key objects. */
	rcu_barrier();
}
