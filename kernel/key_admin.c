// SPDX-License-Identifier: GPL-2.0-only
/*
 * protkey key objects: administrative operations.
 *
 * What the key type and the netlink family do to a live key object: update
 * its blob with a re-enciphered one, revoke it, ask for a re-derivation,
 * and read its state and counters.
 */
#include <crypto/algapi.h>
#include <kunit/visibility.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "key.h"
#include "key_internal.h"
#include "token.h"

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
 * protkey_key_update_blob() - give a live key object a re-enciphered blob
 * @key: the key object, with a reference held by the caller
 * @blob: the new secure key: two tokens back to back
 * @len: its length
 *
 * Checks that @blob is the same key: halves of the current size and key
 * type (a full-XTS token stays one) that
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

	if (len != protkey_key_blob_len(key) ||
	    protkey_key_validate(blob, len) ||
	    protkey_key_halves(blob, len) != key->halves ||
	    strcmp(protkey_token_key_type(blob, half), key->type_name) ||
	    !key->ops->supports(blob, half) ||
	    !key->ops->supports(blob + len - half, half))
		return -EINVAL;
	if (atomic_read(&key->state) == PROTKEY_KEY_REVOKED)
		return -EKEYREVOKED;
	ret = protkey_key_identify(key->ops, blob, len, NULL, vp, false);
	if (ret)
		return ret;
	if (crypto_memneq(vp, key->vp, sizeof(vp)))
		return -EKEYREJECTED;
	b = protkey_blob_new(blob, len);
	if (!b)
		return -ENOMEM;

	mutex_lock(&key->blob_mutex);
	old = rcu_dereference_protected(key->blob,
					lockdep_is_held(&key->blob_mutex));
	if (old)
		protkey_key_swap_blob(key, b);
	mutex_unlock(&key->blob_mutex);
	if (!old) {
		kfree_sensitive(b);
		return -EKEYREVOKED;
	}
	kfree_sensitive(old);
	protkey_key_refresh_info(key);
	protkey_key_kick(key);
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
	for (i = 0; i < ARRAY_SIZE(key->pk); i++)
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
	key->completing++;
	spin_unlock_irqrestore(&key->lock, flags);

	protkey_key_unhash(key);
	old = rcu_replace_pointer(key->blob, NULL,
				  lockdep_is_held(&key->blob_mutex));
	mutex_unlock(&key->blob_mutex);

	cancel_delayed_work_sync(&key->work);
	wipe_pk(key);
	protkey_key_complete_taken(key, &failed, -EIO);
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
	u32 gen = 0;
	int ret;

	if (protkey_key_usable(key)) {
		gen = protkey_key_read_pk(key, pk);
		ret = protkey_key_compute_vp(key->ops, pk, vp);
		memzero_explicit(pk, sizeof(pk));
		if (ret != -EKEYEXPIRED)
			return 0;
	}
	return protkey_key_request_rederive(key, gen);
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
	snap->type_name = key->type_name;
	snap->halves = key->halves;
	snap->serial = READ_ONCE(key->serial);
}
EXPORT_SYMBOL_IF_KUNIT(protkey_key_snapshot);
