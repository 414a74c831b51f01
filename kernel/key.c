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
module_param_named(rekey_timeout_ms, protkey_rekey_timeout_ms, uint, 0644);
MODULE_PARM_DESC(rekey_timeout_ms,
		 "How long I/O waits for a re-derived protected key (ms)");

#define BACKOFF_MIN_MS 10
#define BACKOFF_MAX_MS 1000
/* Parked requests per key before MAY_BACKLOG callers get -EBUSY. */
#define MAX_PARKED 64
/* Attempts to compute the verification pattern across WK changes. */
#define VP_TRIES 5
#define KEY_HASH_BITS 6

static DEFINE_HASHTABLE(keys_by_vp, KEY_HASH_BITS);
static DEFINE_HASHTABLE(keys_by_blob, KEY_HASH_BITS);
static DEFINE_MUTEX(keys_lock);
static struct workqueue_struct *protkey_wq;

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
	return 0;
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
	unsigned long deadline =
		jiffies + msecs_to_jiffies(READ_ONCE(protkey_rekey_timeout_ms));
	unsigned int backoff = BACKOFF_MIN_MS;
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
		msleep(backoff);
		if (fatal_signal_pending(current))
			return -EINTR;
		backoff = min_t(unsigned int, 2 * backoff, BACKOFF_MAX_MS);
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

	rcu_read_lock();
	hlist_for_each_entry_rcu(key, blob_bucket(blob, len), hash_blob) {
		if (2 * key->half_len == len && !memcmp(key->blob, blob, len) &&
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

static struct protkey_key *key_new(struct protkey_platform_ops *ops,
				   const u8 *blob, unsigned int len,
				   const struct protkey_pk pk[2],
				   const u8 vp[PROTKEY_KEY_VP_SIZE])
{
	struct protkey_key *key;

	key = kzalloc(sizeof(*key), GFP_KERNEL);
	if (!key)
		return NULL;
	refcount_set(&key->ref, 1);
	key->ops = ops;
	memcpy(key->vp, vp, PROTKEY_KEY_VP_SIZE);
	key->half_len = len / 2;
	memcpy(key->blob, blob, len);
	seqlock_init(&key->pk_lock);
	memcpy(key->pk, pk, sizeof(key->pk));
	atomic_set(&key->state, PROTKEY_KEY_VALID);
	spin_lock_init(&key->lock);
	INIT_LIST_HEAD(&key->parked);
	INIT_DELAYED_WORK(&key->work, key_work);
	key->stats.derives = 2;
	key->stats.wk_generation = ops->wk_generation();
	return key;
}

/* Publish @new, or return an existing object with the same pattern. */
static struct protkey_key *key_insert(struct protkey_key *new)
{
	struct protkey_key *old;

	mutex_lock(&keys_lock);
	old = lookup_vp(new->vp);
	if (!old) {
		hlist_add_head_rcu(&new->hash_vp, vp_bucket(new->vp));
		hlist_add_head_rcu(&new->hash_blob,
				   blob_bucket(new->blob, 2 * new->half_len));
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
		kfree_sensitive(key);
		return -ENODEV;
	}
	old = key_insert(key);
	if (old) {
		module_put(ops->owner);
		kfree_sensitive(key);
		key = old;
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
	kfree_sensitive(container_of(rcu, struct protkey_key, rcu));
}

/**
 * protkey_key_put() - drop a reference to a key object
 * @key: the key object, or NULL
 *
 * The last reference unpublishes the object, stops its worker, unpins the
 * platform and frees the object, wiped, after an RCU grace period (table
 * lookups may still be reading it). Users flush their parked requests
 * (protkey_key_flush()) before they drop their reference.
 *
 * Context: process context, may sleep.
 */
void protkey_key_put(struct protkey_key *key)
{
	if (!key || !refcount_dec_and_mutex_lock(&key->ref, &keys_lock))
		return;
	hlist_del_init_rcu(&key->hash_vp);
	hlist_del_init_rcu(&key->hash_blob);
	mutex_unlock(&keys_lock);

	cancel_delayed_work_sync(&key->work);
	WARN_ON_ONCE(!list_empty(&key->parked));
	protkey_platform_put(key->ops);
	call_rcu(&key->rcu, key_free_rcu);
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
		key->episode_start = jiffies;
		key->backoff_ms = BACKOFF_MIN_MS;
		key->stats.stalls++;
		kick = true;
		break;
	case PROTKEY_KEY_FAILED:
		if (list_empty(&key->parked))
			key->episode_start = jiffies;
		kick = true;
		break;
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
 * request again.
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
	unsigned long flags;
	int i, ret = 0;

	for (i = 0; i < 2 && !ret; i++) {
		if (key->staged_mask & BIT(i))
			continue;
		ret = derive_half(key->ops, key->blob + i * key->half_len,
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
	if (!ret && (key->staged[0].type != key->pk[0].type ||
		     key->staged[1].type != key->pk[1].type))
		ret = -EINVAL;
	return ret;
}

static void publish(struct protkey_key *key)
{
	unsigned long flags;

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
	atomic_set(&key->state, PROTKEY_KEY_VALID);
	spin_unlock_irqrestore(&key->lock, flags);
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
}

/* Next retry delay, never past the deadline; 0 when the time is up. */
static unsigned long retry_delay(struct protkey_key *key)
{
	unsigned long deadline, delay;

	deadline = key->episode_start +
		   msecs_to_jiffies(READ_ONCE(protkey_rekey_timeout_ms));
	if (!time_before(jiffies, deadline))
		return 0;
	delay = min(msecs_to_jiffies(key->backoff_ms), deadline - jiffies);
	key->backoff_ms =
		min_t(unsigned int, 2 * key->backoff_ms, BACKOFF_MAX_MS);
	return max(delay, 1UL);
}

static void key_work(struct work_struct *work)
{
	struct protkey_key *key =
		container_of(to_delayed_work(work), struct protkey_key, work);
	enum protkey_key_state state;
	unsigned long flags, delay;
	bool empty;
	int ret;

	spin_lock_irqsave(&key->lock, flags);
	state = atomic_read(&key->state);
	empty = list_empty(&key->parked);
	spin_unlock_irqrestore(&key->lock, flags);
	if (state == PROTKEY_KEY_VALID) {
		drain(key);
		return;
	}
	if (state == PROTKEY_KEY_FAILED && empty)
		return;

	ret = derive_staged(key);
	if (!ret) {
		publish(key);
		drain(key);
		return;
	}
	if (state == PROTKEY_KEY_STALE && derive_retryable(ret)) {
		delay = retry_delay(key);
		if (delay) {
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
