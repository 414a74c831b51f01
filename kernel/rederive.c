// SPDX-License-Identifier: GPL-2.0-only
/*
 * protkey re-derivation engine: derives, parking, the worker.
 *
 * How a key object's protected keys are derived from its secure key: the
 * synchronous derive of setkey and update, and the asynchronous episode
 * that a stale protected key starts (park, worker, drain, backoff, give up).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <crypto/algapi.h>
#include <kunit/visibility.h>
#include <linux/bottom_half.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/wait_bit.h>

#include "key.h"
#include "key_internal.h"
#include "netlink.h"
#include "param.h"

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
 * The worker is a delayed work item on the unbound protkey_rekey workqueue,
 * which has a rescuer (WQ_MEM_RECLAIM): parked writes may be what memory
 * reclaim waits for, so the worker must make progress when no new kworker
 * can be created. A work item never runs concurrently with itself: one
 * derive per key half per episode, whatever the number of tfms, CPUs and
 * requests. Halves derived in an earlier attempt of the same episode are
 * kept (&protkey_key.staged_mask), so a retry derives only what is
 * missing. Between attempts the work item re-queues itself with a delay
 * instead of sleeping, so a thousand stalled keys do not pin a thousand
 * kworkers. The delay is a sixteenth of the time the episode has waited,
 * at least 10 ms, at most 1 s, never past the deadline.
 *
 * For the same reason the worker runs in a memalloc_noio_save() scope,
 * allocates nothing, and calls the platform only for derives, with
 * PROTKEY_DERIVE_NOMEMALLOC. Events and the re-read of the master-key
 * match (key_info), which allocate, run in a second work item on
 * system_wq (&protkey_key.notify) that the worker queues after the drain
 * or give-up (or while it backs off, for KEY_STALLED).
 *
 * Locks across platform calls: the worker holds &protkey_key.blob_mutex
 * across derive, the notify work and update hold it across key_info;
 * nothing holds &protkey_key.lock, &protkey_key.pk_lock or the table
 * mutex across a platform call, and setkey's and update's derives run
 * without any lock of the key object.
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
 * arrives in FAILED parks and makes the worker try one derive, at most
 * one per PROTKEY_FAILED_RETRY_MS (requests arriving meanwhile join it),
 * so I/O works again soon after an adapter returns, without a new long
 * stall and without a derive and an event per request. The worker gives
 * up only from the state it started from: an admin re-derive that turned
 * FAILED into a new episode meanwhile is left to run.
 *
 * The deadline of an episode is a bound: a retry that wakes at it gives
 * up without another derive, and the second half is not started after
 * it; only a round trip already running may end past it.
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

struct workqueue_struct *protkey_wq;
/* The last wrapping-key generation a worker saw, for WK_CHANGED events. */
static atomic64_t wk_seen = ATOMIC64_INIT(0);

static bool derive_retryable(int err)
{
	/* -ENOENT: a UV secret not (yet) added again after a reboot. */
	return err == -ENODEV || err == -EBUSY || err == -EAGAIN ||
	       err == -ENOENT;
}

/*
 * A protected key the cipher can use: an XTS half (AES-128 or -256) of a
 * pair, or for a single token a full-XTS key of a platform with full-XTS
 * KM (else -EINVAL, as paes_s390.c refuses a function code the CPU lacks).
 */
static bool pk_valid(const struct protkey_platform_ops *ops,
		     const struct protkey_pk *pk, u32 halves)
{
	if (halves == 1)
		return ops->km_xts_full &&
		       ((pk->type == PROTKEY_PK_AES_XTS_128 && pk->len == 64) ||
			(pk->type == PROTKEY_PK_AES_XTS_256 && pk->len == 96));
	return (pk->type == PROTKEY_PK_AES_128 && pk->len == 48) ||
	       (pk->type == PROTKEY_PK_AES_256 && pk->len == 64);
}

/*
 * One derive with the checks the cipher depends on. May sleep. @flags:
 * &enum protkey_derive_flags; @halves: of the key the token belongs to.
 */
static int derive_half(struct protkey_platform_ops *ops, const u8 *blob,
		       u32 len, u32 halves, struct protkey_pk *pk, u32 flags)
{
	int ret;

	ret = ops->derive(blob, len, pk, flags);
	if (!ret && !pk_valid(ops, pk, halves))
		ret = -EINVAL;
	if (ret)
		memzero_explicit(pk, sizeof(*pk));
	return ret;
}

/*
 * Sleeps for the backoff of the time waited since @start, never past
 * @deadline. Returns true when a signal ended the sleep.
 */
static bool sleep_until_retry(unsigned long start, unsigned long deadline)
{
	unsigned long now = jiffies, delay;

	delay = msecs_to_jiffies(backoff_ms(jiffies_to_msecs(now - start)));
	if (!time_before(now, deadline))
		delay = 0;
	else if (time_before(deadline, now + delay))
		delay = deadline - now;
	if (delay)
		schedule_timeout_interruptible(delay);
	return signal_pending(current);
}

/**
 * protkey_key_identify() - derive both halves and compute their pattern
 * @ops: the platform
 * @blob: the secure key: two tokens back to back, or one full-XTS token
 * @len: its length
 * @pk: output: the protected keys; NULL when only @vp is wanted
 * @vp: output: the verification pattern
 * @wait: retry while no adapter is usable (the errors the worker retries),
 *	with the worker's backoff, until rekey_timeout_ms after the start:
 *	the last sleep ends at that deadline and no derive starts after it,
 *	so the call returns at most one derive round trip past it; false
 *	for one attempt
 *
 * The one synchronous derive of protkey.ko: setkey identifies a new key
 * with it (waiting out a short outage), update checks a re-enciphered
 * blob (without waiting). A wrapping-key change between the derive and
 * the pattern computation costs another round, VP_TRIES in all.
 *
 * Context: process context, may sleep (HSM round trips, backoff; the
 * backoff sleeps are interruptible); holds no lock of a key object.
 * Return: 0; -EINVAL when the platform rejects a half or the halves
 * derive to different or non-XTS key sizes; the errno of the last derive
 * (-ENODEV, -EBUSY, -EIO, ...); -EINTR when a signal ended the wait;
 * -EAGAIN when the wrapping key kept changing.
 */
int protkey_key_identify(struct protkey_platform_ops *ops, const u8 *blob,
			 u32 len, struct protkey_pk pk[2],
			 u8 vp[PROTKEY_KEY_VP_SIZE], bool wait)
{
	u32 halves = protkey_key_halves(blob, len), half = len / halves;
	unsigned long start = jiffies;
	unsigned long deadline =
		start + msecs_to_jiffies(READ_ONCE(protkey_rekey_timeout_ms));
	unsigned int expired = 0;
	struct protkey_pk tmp[2] = {};
	int ret;

	for (;;) {
		ret = derive_half(ops, blob, half, halves, &tmp[0], 0);
		if (!ret && halves == 2)
			ret = derive_half(ops, blob + half, half, halves,
					  &tmp[1], 0);
		if (!ret && halves == 2 && tmp[0].type != tmp[1].type)
			ret = -EINVAL;
		if (!ret)
			ret = protkey_key_compute_vp(ops, tmp, vp);
		if (!ret) {
			if (pk)
				memcpy(pk, tmp, sizeof(tmp));
			break;
		}
		if (ret == -EKEYEXPIRED) {
			ret = -EAGAIN;
			if (++expired < VP_TRIES)
				continue;
			break;
		}
		if (!wait || !derive_retryable(ret) ||
		    !time_before(jiffies, deadline))
			break;
		/* The last sleep ends at the deadline; no derive after it. */
		if (sleep_until_retry(start, deadline)) {
			ret = -EINTR;
			break;
		}
		if (!time_before(jiffies, deadline))
			break;
	}
	memzero_explicit(tmp, sizeof(tmp));
	return ret;
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
	key->attempts = 0;
}

/*
 * PROTKEY_FAILED_RETRY_MS (key.h), the interval between one-shot derive
 * attempts of a FAILED key: requests that keep arriving while no adapter
 * can derive the key cost at most one derive and one KEY_FAILED event per
 * interval, however many they are. The same as an episode's longest retry
 * delay.
 */
#define FAILED_RETRY_MS PROTKEY_FAILED_RETRY_MS
static_assert(FAILED_RETRY_MS == BACKOFF_MAX_MS);

/*
 * @force: park even when newer protected keys were published (start an
 * episode on a VALID key): for a request that kept meeting stale keys.
 */
static int park(struct protkey_key *key, struct protkey_parked *p, bool stale,
		bool requeue, bool force)
{
	unsigned long flags, delay = 0;
	bool kick = false;
	int ret;

	spin_lock_irqsave(&key->lock, flags);
	switch (atomic_read(&key->state)) {
	case PROTKEY_KEY_VALID:
		if (!force && (!stale || p->gen != READ_ONCE(key->pk_gen))) {
			spin_unlock_irqrestore(&key->lock, flags);
			return PROTKEY_KEY_RETRY;
		}
		atomic_set(&key->state, PROTKEY_KEY_STALE);
		episode_begin(key);
		key->stats.stalls++;
		kick = true;
		break;
	case PROTKEY_KEY_FAILED:
		/* One attempt per FAILED_RETRY_MS; later requests join it. */
		if (list_empty(&key->parked)) {
			episode_begin(key);
			kick = true;
			if (time_before(jiffies, key->failed_next))
				delay = key->failed_next - jiffies;
		}
		break;
	case PROTKEY_KEY_REVOKED:
		spin_unlock_irqrestore(&key->lock, flags);
		return -EIO;
	default:
		break;
	}
	p->key = key;
	ret = enqueue(key, p, requeue);
	if (kick)
		queue_delayed_work(protkey_wq, &key->work, delay);
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
 * request again; -EIO: not parked, the key was revoked (netlink
 * key-revoke).
 */
int protkey_key_park(struct protkey_key *key, struct protkey_parked *p,
		     bool stale)
{
	return park(key, p, stale, false, false);
}
EXPORT_SYMBOL_IF_KUNIT(protkey_key_park);

/**
 * protkey_key_park_force() - park a request that kept meeting stale keys
 * @key: the key object
 * @p: the request's parking record, as for protkey_key_park()
 *
 * For a request that found the protected keys stale on several runs in a
 * row, each time after newer ones had been published: it parks even on a
 * VALID key (starting an episode), so the caller never has to give up on
 * a request that protkey_key_park() kept telling to run again.
 *
 * Context: as protkey_key_park().
 * Return: -EINPROGRESS, -EBUSY or -EIO as protkey_key_park(); never
 * PROTKEY_KEY_RETRY.
 */
int protkey_key_park_force(struct protkey_key *key, struct protkey_parked *p)
{
	return park(key, p, true, false, true);
}
EXPORT_SYMBOL_IF_KUNIT(protkey_key_park_force);

/**
 * protkey_key_complete_list() - complete requests taken off the parked list
 * @list: the requests (&struct protkey_parked.node)
 * @err: their result
 *
 * Context: process context; takes no lock of the key object.
 */
void protkey_key_complete_list(struct list_head *list, int err)
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

/**
 * protkey_key_complete_taken() - complete requests taken off the parked list
 * @key: the key object they were parked on
 * @list: the requests; the caller took them off &protkey_key.parked and
 *	incremented &protkey_key.completing, both under &protkey_key.lock
 * @err: their result
 *
 * Completes them, then drops &protkey_key.completing and wakes
 * protkey_key_flush(), which waits for it: a tfm that goes away while
 * give-up or revoke completes its requests outside the lock waits for them.
 *
 * Context: process context; takes &protkey_key.lock.
 */
void protkey_key_complete_taken(struct protkey_key *key, struct list_head *list,
				int err)
{
	unsigned long flags;

	protkey_key_complete_list(list, err);
	spin_lock_irqsave(&key->lock, flags);
	key->completing--;
	spin_unlock_irqrestore(&key->lock, flags);
	/* Pairs with the condition check in wait_var_event(). */
	smp_mb();
	wake_up_var(&key->completing);
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

/* Runs on keys already replaced after which a parked request parks by force. */
#define DRAIN_TRIES 4

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
	/*
	 * The request either completes with its own result (zero or an
	 * errno), or parks again, or ends with -EIO: never with a positive
	 * value. After DRAIN_TRIES runs that each met keys already replaced,
	 * it parks by force.
	 */
	for (tries = 1;; tries++) {
		ret = p->resume(p);
		if (ret != -EKEYEXPIRED)
			break;
		ret = park(key, p, true, true, tries >= DRAIN_TRIES);
		if (ret == -EINPROGRESS || ret == -EBUSY) {
			local_bh_enable();
			return false;
		}
		if (ret != PROTKEY_KEY_RETRY)
			break;
		if (WARN_ON_ONCE(tries >= DRAIN_TRIES)) {
			ret = -EIO;
			break;
		}
	}
	if (WARN_ON_ONCE(ret > 0))
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

/*
 * Derives the halves this episode still lacks. Worker only. With
 * @deadline set, a half is not started once it has passed (the halves
 * already derived stay staged): -ETIME.
 */
static int derive_staged(struct protkey_key *key, const unsigned long *deadline)
{
	struct protkey_blob *b;
	unsigned long flags;
	bool derived = false;
	int i, ret = 0;

	mutex_lock(&key->blob_mutex);
	b = rcu_dereference_protected(key->blob,
				      lockdep_is_held(&key->blob_mutex));
	if (!b)
		ret = -EKEYREVOKED;
	for (i = 0; i < key->halves && !ret; i++) {
		if (key->staged_mask & BIT(i))
			continue;
		if (derived && deadline && !time_before(jiffies, *deadline)) {
			ret = -ETIME;
			break;
		}
		derived = true;
		ret = derive_half(key->ops, b->data + i * key->half_len,
				  key->half_len, key->halves, &key->staged[i],
				  PROTKEY_DERIVE_NOMEMALLOC);
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

/**
 * protkey_key_refresh_info() - re-read the master-key match of both halves
 * @key: the key object
 *
 * Sends a needs-reencipher event when a half is only under the OLD master
 * key. Called after a derive (the worker) and after an update.
 *
 * Context: process context, may sleep and allocate; takes
 * &protkey_key.blob_mutex only to copy the secure key, not across the
 * platform's key_info.
 */
void protkey_key_refresh_info(struct protkey_key *key)
{
	struct protkey_key_info info[2];
	struct protkey_blob *b;
	unsigned long flags;
	u8 *copy;

	/*
	 * key_info may allocate, and its allocations may wait for memory
	 * reclaim, which may wait for I/O parked on this key: so it runs on
	 * a copy of the secure key, without &protkey_key.blob_mutex, which
	 * the worker needs to derive.
	 */
	copy = kmalloc(protkey_key_blob_len(key), GFP_KERNEL);
	if (!copy)
		return;
	mutex_lock(&key->blob_mutex);
	b = rcu_dereference_protected(key->blob,
				      lockdep_is_held(&key->blob_mutex));
	if (b)
		memcpy(copy, b->data, protkey_key_blob_len(key));
	mutex_unlock(&key->blob_mutex);
	if (!b) {
		kfree(copy);
		return;
	}
	protkey_key_read_info(key->ops, copy, key->half_len, key->halves, info);
	kfree_sensitive(copy);

	spin_lock_irqsave(&key->lock, flags);
	memcpy(key->info, info, sizeof(info));
	spin_unlock_irqrestore(&key->lock, flags);
	if (info[0].match == PROTKEY_MK_OLD || info[1].match == PROTKEY_MK_OLD)
		protkey_nl_notify_needs_reencipher(key, info);
}

/*
 * The platform's words for @err of a derive of @key (the first half it
 * explains); an empty string when it has none. With @log (an episode that
 * gave up and failed I/O) they go to the kernel log too, rate-limited; a
 * stall that retrying may still cure is reported by the event only.
 * Process context: copies the secure key as protkey_key_refresh_info()
 * does, for the same reason.
 */
static void key_cause(struct protkey_key *key, int err, bool log, char *buf,
		      size_t size)
{
	struct protkey_blob *b;
	u32 i;
	u8 *copy;

	*buf = '\0';
	if (!key->ops->cause || !err)
		return;
	copy = kmalloc(protkey_key_blob_len(key), GFP_KERNEL);
	if (!copy)
		return;
	mutex_lock(&key->blob_mutex);
	b = rcu_dereference_protected(key->blob,
				      lockdep_is_held(&key->blob_mutex));
	if (b)
		memcpy(copy, b->data, protkey_key_blob_len(key));
	mutex_unlock(&key->blob_mutex);
	for (i = 0; b && i < key->halves && !*buf; i++)
		if (key->ops->cause(copy + i * key->half_len, key->half_len,
				    err, buf, size) <= 0)
			*buf = '\0';
	kfree_sensitive(copy);
	if (*buf && log)
		pr_warn_ratelimited("key %d: %s (errno %d)\n",
				    READ_ONCE(key->serial), buf, -err);
}

/**
 * protkey_key_note_wk() - remember the first wrapping-key generation seen
 * @gen: the platform's generation when a key object was created
 *
 * Context: any.
 */
void protkey_key_note_wk(u64 gen)
{
	atomic64_cmpxchg(&wk_seen, 0, gen);
}

/* One WK_CHANGED event per generation that a worker notices. */
static void check_wk(struct protkey_key *key)
{
	u64 gen = key->ops->wk_generation();
	u64 seen = atomic64_xchg(&wk_seen, gen);

	if (seen && seen != gen)
		protkey_nl_notify_wk_changed(gen);
}

/*
 * Returns false (and publishes nothing) when the key was revoked. Records
 * the latency of the KEY_REDERIVED event; rederived() marks the event
 * pending only after the drain, so that a notify work already queued (a
 * KEY_STALLED of this episode, say) cannot send it before the parked
 * requests are on their way.
 */
static bool publish(struct protkey_key *key)
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
	key->ev.latency_us = ktime_us_delta(ktime_get(), key->episode_ktime);
	if (atomic_read(&key->state) != PROTKEY_KEY_REVOKED)
		atomic_set(&key->state, PROTKEY_KEY_VALID);
	spin_unlock_irqrestore(&key->lock, flags);
	return true;
}

/* After publish() and the drain: KEY_REDERIVED for the notify work. */
static void rederived(struct protkey_key *key)
{
	unsigned long flags;

	spin_lock_irqsave(&key->lock, flags);
	key->ev.pending |= PROTKEY_KEY_EV_REDERIVED;
	spin_unlock_irqrestore(&key->lock, flags);
	queue_work(system_wq, &key->notify);
}

/*
 * Fails the parked requests and sets FAILED, unless the state moved on
 * from @seen, the state this run of the worker started from: a revoke,
 * or an admin re-derive request that turned FAILED into a new STALE
 * episode (it queued the worker again, which runs that episode).
 */
static void give_up(struct protkey_key *key, enum protkey_key_state seen,
		    int err)
{
	unsigned long flags;
	unsigned int n, ms;
	LIST_HEAD(failed);
	const char *why;

	memzero_explicit(key->staged, sizeof(key->staged));
	key->staged_mask = 0;
	spin_lock_irqsave(&key->lock, flags);
	if (atomic_read(&key->state) != seen) {
		spin_unlock_irqrestore(&key->lock, flags);
		return;
	}
	atomic_set(&key->state, PROTKEY_KEY_FAILED);
	key->failed_next = jiffies + msecs_to_jiffies(FAILED_RETRY_MS);
	list_splice_init(&key->parked, &failed);
	n = key->nparked;
	key->nparked = 0;
	key->completing++;
	ms = jiffies_to_msecs(jiffies - key->episode_start);
	key->stats.last_stall_ms = ms;
	key->stats.failures++;
	key->stats.failed_requests += n;
	key->ev.pending |= PROTKEY_KEY_EV_FAILED;
	key->ev.fail_err = err;
	key->ev.fail_waited_ms = ms;
	key->ev.fail_requests += n;
	spin_unlock_irqrestore(&key->lock, flags);

	why = err == -ENOENT	    ? "secret not in the Ultravisor" :
	      derive_retryable(err) ? "no usable adapter" :
				      "derive failed";
	pr_err_ratelimited("key %*phN: %s after %u ms (%pe): %u I/Os fail\n", 8,
			   key->vp, why, ms, ERR_PTR(err), n);
	protkey_key_complete_taken(key, &failed, -EIO);
	queue_work(system_wq, &key->notify);
}

static unsigned long episode_deadline(struct protkey_key *key)
{
	return key->episode_start +
	       msecs_to_jiffies(READ_ONCE(protkey_rekey_timeout_ms));
}

/*
 * Next retry delay, never past the deadline; 0 when the time is up. A
 * retry that would land on the deadline gives up there without a derive.
 */
static unsigned long retry_delay(struct protkey_key *key)
{
	unsigned long now = jiffies, deadline, delay;
	unsigned int waited;

	deadline = episode_deadline(key);
	if (!time_before(now, deadline))
		return 0;
	waited = jiffies_to_msecs(now - key->episode_start);
	delay = msecs_to_jiffies(backoff_ms(waited));
	return max(min(delay, deadline - now), 1UL);
}

/* At most one KEY_STALLED event per second of an episode. Worker only. */
static void stalled(struct protkey_key *key, int err)
{
	unsigned long flags, now = jiffies;

	if (key->stall_event && time_before(now, key->stall_event + HZ))
		return;
	key->stall_event = now;
	spin_lock_irqsave(&key->lock, flags);
	key->ev.pending |= PROTKEY_KEY_EV_STALLED;
	key->ev.stall_waited_ms = jiffies_to_msecs(now - key->episode_start);
	key->ev.stall_err = err;
	spin_unlock_irqrestore(&key->lock, flags);
	queue_work(system_wq, &key->notify);
}

/* The worker's body: derive, publish or back off or give up, drain. */
static void rederive(struct protkey_key *key)
{
	unsigned long flags, delay, deadline;
	enum protkey_key_state state;
	unsigned int attempts;
	bool empty, bounded;
	int ret;

	spin_lock_irqsave(&key->lock, flags);
	state = atomic_read(&key->state);
	empty = list_empty(&key->parked);
	attempts = key->attempts++;
	deadline = episode_deadline(key);
	spin_unlock_irqrestore(&key->lock, flags);
	if (state == PROTKEY_KEY_REVOKED)
		return;
	if (state == PROTKEY_KEY_VALID) {
		drain(key);
		return;
	}
	if (state == PROTKEY_KEY_FAILED && empty)
		return;

	/*
	 * The deadline is a bound: a retry that wakes at it gives up without
	 * another HSM round trip (the first attempt of an episode always
	 * derives, even with rekey_timeout_ms=0), and a half is not started
	 * after it.
	 */
	bounded = state == PROTKEY_KEY_STALE && attempts;
	if (bounded && !time_before(jiffies, deadline)) {
		give_up(key, state, key->stats.last_error ?: -ETIME);
		return;
	}
	ret = derive_staged(key, bounded ? &deadline : NULL);
	if (!ret) {
		if (!publish(key))
			return;
		drain(key);
		rederived(key);
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
	if (ret == -ETIME)
		ret = key->stats.last_error ?: -ETIME;
	give_up(key, state, ret);
}

/**
 * protkey_key_work() - the worker of a key object
 * @work: &protkey_key.work
 *
 * Derives what the episode lacks, publishes, and drains the parked
 * requests; or backs off, or gives up. Leaves the events to
 * protkey_key_notify().
 *
 * Context: process context, on the protkey_rekey workqueue (its rescuer
 * under memory pressure), in a memalloc_noio scope: parked writes may be
 * what memory reclaim waits for, so nothing the worker calls may recurse
 * into I/O. Takes &protkey_key.blob_mutex across the platform's derive.
 */
void protkey_key_work(struct work_struct *work)
{
	struct protkey_key *key =
		container_of(to_delayed_work(work), struct protkey_key, work);
	unsigned int noio;

	noio = memalloc_noio_save();
	rederive(key);
	memalloc_noio_restore(noio);
}

/* KUnit sets it to see which events are sent when; empty outside tests. */
VISIBLE_IF_KUNIT struct protkey_key_hooks protkey_key_hooks;
EXPORT_SYMBOL_IF_KUNIT(protkey_key_hooks);

static void event_hook(struct protkey_key *key, enum protkey_key_event ev)
{
	if (protkey_key_hooks.event)
		protkey_key_hooks.event(key, ev);
}

/**
 * protkey_key_notify() - send the events the worker recorded
 * @work: &protkey_key.notify
 *
 * Sends WK_CHANGED when the wrapping-key generation moved, then
 * KEY_STALLED, KEY_REDERIVED (and re-reads the master-key match, which
 * may send KEY_NEEDS_REENCIPHER) and KEY_FAILED, as recorded. The worker
 * queues it after the drain, so the events never delay parked I/O.
 *
 * Context: process context, on system_wq; may sleep and allocate; takes
 * &protkey_key.lock, then &protkey_key.blob_mutex across key_info.
 */
void protkey_key_notify(struct work_struct *work)
{
	struct protkey_key *key =
		container_of(work, struct protkey_key, notify);
	char cause[PROTKEY_CAUSE_MAX];
	struct protkey_key_events ev;
	unsigned long flags;

	spin_lock_irqsave(&key->lock, flags);
	ev = key->ev;
	key->ev.pending = 0;
	key->ev.fail_requests = 0;
	spin_unlock_irqrestore(&key->lock, flags);

	check_wk(key);
	if (ev.pending & PROTKEY_KEY_EV_STALLED) {
		event_hook(key, PROTKEY_KEY_EV_STALLED);
		key_cause(key, ev.stall_err, false, cause, sizeof(cause));
		protkey_nl_notify_stalled(key, ev.stall_waited_ms, ev.stall_err,
					  *cause ? cause : NULL);
	}
	if (ev.pending & PROTKEY_KEY_EV_REDERIVED) {
		event_hook(key, PROTKEY_KEY_EV_REDERIVED);
		protkey_nl_notify_rederived(key, ev.latency_us);
		protkey_key_refresh_info(key);
	}
	if (ev.pending & PROTKEY_KEY_EV_FAILED) {
		event_hook(key, PROTKEY_KEY_EV_FAILED);
		key_cause(key, ev.fail_err, true, cause, sizeof(cause));
		protkey_nl_notify_failed(key, ev.fail_err, ev.fail_waited_ms,
					 ev.fail_requests,
					 *cause ? cause : NULL);
	}
}

/**
 * protkey_key_flush() - fail a tfm's parked requests before it goes away
 * @key: the key object the tfm uses
 * @tfm: the tfm
 *
 * Completes every parked request of @tfm with -EIO and waits until the
 * worker no longer runs one, and until the requests that give-up or
 * revoke took off the parked list (of any tfm) are completed. Callers
 * must not free a tfm with requests in flight; this makes a caller that
 * does so lose its requests instead of the worker touching freed memory.
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
		protkey_key_complete_list(&failed, -EIO);
		if (!busy)
			break;
		wait_var_event(&key->running_tfm,
			       READ_ONCE(key->running_tfm) != tfm);
	}
	/* Requests give-up or revoke took off the list and still complete. */
	wait_var_event(&key->completing, !READ_ONCE(key->completing));
}
EXPORT_SYMBOL_IF_KUNIT(protkey_key_flush);

/**
 * protkey_key_kick() - make a waiting worker try at once
 * @key: the key object
 *
 * Used after an update brought a blob that may derive now.
 *
 * Context: any.
 */
void protkey_key_kick(struct protkey_key *key)
{
	enum protkey_key_state state = atomic_read(&key->state);

	if (state == PROTKEY_KEY_STALE || state == PROTKEY_KEY_FAILED)
		mod_delayed_work(protkey_wq, &key->work, 0);
}

/**
 * protkey_key_request_rederive() - start an episode if the keys are stale
 * @key: the key object
 * @gen: the generation of protected keys found stale, or 0 when the
 *	caller saw the key not VALID
 *
 * Starts an episode when the key is VALID with protected keys of
 * generation @gen, or FAILED. Nothing while an episode runs.
 *
 * Context: any; takes &protkey_key.lock.
 * Return: 0, or -EKEYREVOKED for a revoked key.
 */
int protkey_key_request_rederive(struct protkey_key *key, u32 gen)
{
	unsigned long flags;
	int ret = 0;

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
