/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * protkey key objects: one per distinct XTS secure key, shared by every tfm
 * that holds that key; they own the protected keys, their re-derivation and
 * the requests parked while a re-derivation runs. See key.c (identity,
 * lookup, lifetime), rederive.c (the re-derivation engine) and key_admin.c
 * (update, revoke, rederive, snapshot).
 */
#ifndef _PROTKEY_KEY_H
#define _PROTKEY_KEY_H

#include <linux/atomic.h>
#include <linux/bits.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/llist.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/seqlock.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/types.h>
#include <linux/workqueue.h>

#include "platform.h"

struct crypto_async_request;
struct crypto_tfm;
struct key;

/*
 * Sizes of one secure-key half: a UV secret token (44), CCA AES DATA (64)
 * up to EP11 AES (336). A key is two halves, or one token whose protected
 * key is a full-XTS key (an Ultravisor AES-XTS secret, 44 bytes).
 */
#define PROTKEY_KEY_MIN_HALF 44
#define PROTKEY_KEY_MAX_HALF 336
/* The verification pattern: XTS encryption of 32 zero bytes. */
#define PROTKEY_KEY_VP_SIZE 32

/**
 * enum protkey_key_state - state of a key object's protected keys
 * @PROTKEY_KEY_VALID: the protected keys were derived under the wrapping
 *	key current at the time; requests run on the fast path.
 * @PROTKEY_KEY_STALE: a request met a short count (the wrapping key
 *	changed); the worker re-derives, retrying while no adapter is usable,
 *	up to rekey_timeout_ms. Requests park.
 * @PROTKEY_KEY_FAILED: the last re-derivation gave up (timeout or hard
 *	error) and failed the parked requests. A new request parks and makes
 *	the worker try one derive, at most one per PROTKEY_FAILED_RETRY_MS
 *	(later requests join it): success revives the key, failure fails
 *	the requests with -EIO without another wait.
 * @PROTKEY_KEY_REVOKED: an administrator revoked the key (netlink
 *	key-revoke, CAP_SYS_ADMIN):
 *	its protected keys and secure key are wiped and every request fails
 *	with -EIO until the last tfm lets go. Final.
 */
enum protkey_key_state {
	PROTKEY_KEY_VALID,
	PROTKEY_KEY_STALE,
	PROTKEY_KEY_FAILED,
	PROTKEY_KEY_REVOKED,
};

/**
 * enum protkey_key_event - events a key object's worker leaves for its
 *	notify work (&protkey_key.notify)
 * @PROTKEY_KEY_EV_STALLED: I/O waits for an adapter (KEY_STALLED)
 * @PROTKEY_KEY_EV_REDERIVED: new protected keys were published and the
 *	parked requests drained (KEY_REDERIVED); the master-key match is
 *	re-read after it (KEY_NEEDS_REENCIPHER)
 * @PROTKEY_KEY_EV_FAILED: an episode gave up and failed its parked
 *	requests (KEY_FAILED)
 */
enum protkey_key_event {
	PROTKEY_KEY_EV_STALLED = BIT(0),
	PROTKEY_KEY_EV_REDERIVED = BIT(1),
	PROTKEY_KEY_EV_FAILED = BIT(2),
};

/**
 * struct protkey_key_events - what the notify work is to send
 * @pending: mask of &enum protkey_key_event; events of one kind that the
 *	worker records before the notify work runs are coalesced
 * @latency_us: of the last KEY_REDERIVED
 * @stall_waited_ms: of the last KEY_STALLED
 * @stall_err: of the last KEY_STALLED, negative errno
 * @fail_err: of the last KEY_FAILED, negative errno
 * @fail_waited_ms: of the last KEY_FAILED
 * @fail_requests: requests failed since the last KEY_FAILED was sent
 */
struct protkey_key_events {
	unsigned int pending;
	s64 latency_us;
	u32 stall_waited_ms;
	int stall_err;
	int fail_err;
	u32 fail_waited_ms;
	u32 fail_requests;
};

/**
 * struct protkey_blob - the secure key of a key object
 * @rcu: frees the blob (wiped) after the RCU readers of the blob table
 * @data: the two secure-key halves back to back, half i at
 *	i * &protkey_key.half_len (encrypted under an HSM master key, never
 *	clear keys); immutable: an update replaces the whole blob
 */
struct protkey_blob {
	struct rcu_head rcu;
	u8 data[];
};

/**
 * struct protkey_key_stats - counters of one key object
 * @derives: successful derives of a key half (setkey and re-derivations)
 * @derive_errors: failed derive calls, retries included
 * @stalls: re-derivation episodes (a short count that parked requests,
 *	or a KEY_REDERIVE command that found the protected keys stale)
 * @failures: episodes that gave up and failed their parked requests
 * @failed_requests: requests completed with -EIO by such episodes
 * @last_error: errno of the last failed derive (negative), 0 if none
 * @last_stall_ms: duration of the last finished episode, in milliseconds
 * @wk_generation: the platform's wrapping-key generation at the last
 *	successful derive
 */
struct protkey_key_stats {
	u64 derives;
	u64 derive_errors;
	u64 stalls;
	u64 failures;
	u64 failed_requests;
	int last_error;
	u32 last_stall_ms;
	u64 wk_generation;
};

/**
 * struct protkey_key - one XTS secure key and its protected keys
 * @hash_vp: linkage in the table by verification pattern; writers hold
 *	the table mutex, readers walk it under RCU.
 * @hash_blob: linkage in the table by secure-key bytes; as @hash_vp.
 * @ref: references: one per tfm using the key, one per lookup in flight.
 * @rcu: frees the object (wiped) after the RCU readers of the table.
 * @ops: the platform backend; its module is pinned for the key's life.
 * @vp: verification pattern; immutable after creation; the key's identity.
 * @all: linkage in the list of every live key object (revoked ones
 *	included), under the table mutex; for listing (netlink dump).
 * @half_len: length of one secure-key half; immutable (an update must
 *	bring halves of the same size).
 * @halves: 2 for a pair of secure keys (data key, tweak key), 1 for a
 *	single token whose protected key is full-XTS (both keys in @pk[0]);
 *	immutable. The blob is @halves * @half_len bytes.
 * @type_name: the key type (protkey_token_key_type() of the first token:
 *	"CCA-AESDATA", "EP11-AES", "PVSECRET-AES-XTS-256", ...); immutable,
 *	an update must bring the same type.
 * @blob: the secure key. Replaced by protkey_key_update_blob() and cleared
 *	by protkey_key_revoke(), both under @blob_mutex; the worker
 *	dereferences it under @blob_mutex, table lookups under RCU.
 * @blob_mutex: serialises users of @blob that may sleep: the worker's
 *	derives and key_info calls, update and revoke.
 * @kkey: the key of type ``protkey`` in the ``.protkey`` keyring that
 *	represents this object, with a reference; set once after creation
 *	(NULL if that failed), put by the release work after the object died.
 * @serial: the serial of @kkey, 0 without one; set with @kkey.
 * @release: linkage in the list of dead objects whose teardown may not
 *	run in protkey_key_put()'s caller's context (keyring unlink); a work
 *	item on system_wq unlinks their keys and frees them.
 * @info: what the platform reads from each half (MKVP, master-key match);
 *	refreshed after each derive and update, under @lock.
 * @pk_lock: seqlock over @pk and @pk_gen; written by setkey (before the
 *	key is published) and by the worker, with BHs disabled; read
 *	locklessly by the fast path.
 * @pk: the two protected keys: [0] encrypts the data (KM), [1] the tweak;
 *	for a full-XTS key [0] only, [1] zero.
 * @pk_gen: incremented each time the worker publishes new protected keys.
 * @state: &enum protkey_key_state; read locklessly by the fast path,
 *	changed only under @lock.
 * @lock: protects @parked, @nparked, @running_tfm, @episode_start and
 *	@stats, and serialises changes of @state; taken with interrupts
 *	disabled (slow path only).
 * @parked: requests waiting for the worker (&struct protkey_parked.node).
 * @nparked: length of @parked.
 * @running_tfm: the tfm of the parked request the worker is running right
 *	now, or NULL; lets a tfm that goes away wait for its last request.
 *	Compared, never dereferenced.
 * @completing: lists of requests taken off @parked (by give-up or revoke)
 *	whose completion still runs without @lock; protkey_key_flush() waits
 *	for it to drop to zero, so that no tfm is freed under a completion.
 * @failed_next: jiffies before which a request that parks in FAILED does
 *	not make the worker try again (the interval of one-shot attempts).
 * @attempts: derive attempts of the current episode; worker only, reset
 *	by episode_begin() under @lock.
 * @episode_start: jiffies when the current re-derivation episode began.
 * @episode_ktime: the same instant, for the latency in events.
 * @stall_event: jiffies of the last KEY_STALLED event of the episode;
 *	worker only.
 * @staged: protected keys derived in the current episode, not yet
 *	published; owned by the worker.
 * @staged_mask: bit i set when @staged[i] holds a fresh key; worker only.
 * @work: the worker: single flight for the re-derivation of this key, on
 *	the protkey_rekey workqueue (WQ_MEM_RECLAIM), in a memalloc_noio
 *	scope; it allocates nothing and calls only the platform's derive.
 * @notify: sends the events the worker recorded in @ev and re-reads
 *	@info, on system_wq: the netlink messages and the platform's
 *	key_info may allocate, which the worker must not do while requests
 *	that memory reclaim may wait for are parked. Queued after the drain.
 * @ev: the events for @notify, under @lock.
 * @stats: counters, under @lock.
 */
struct protkey_key {
	struct hlist_node hash_vp;
	struct hlist_node hash_blob;
	refcount_t ref;
	struct rcu_head rcu;
	struct protkey_platform_ops *ops;
	u8 vp[PROTKEY_KEY_VP_SIZE];
	struct list_head all;
	u32 half_len;
	u32 halves;
	const char *type_name;
	struct protkey_blob __rcu *blob;
	struct mutex blob_mutex; /* see @blob_mutex above */
	struct key *kkey;
	s32 serial;
	struct llist_node release;
	struct protkey_key_info info[2];

	seqlock_t pk_lock;
	struct protkey_pk pk[2];
	u32 pk_gen;

	atomic_t state;
	spinlock_t lock; /* see @lock above */
	struct list_head parked;
	unsigned int nparked;
	struct crypto_tfm *running_tfm;
	unsigned int completing;
	unsigned long failed_next;
	unsigned int attempts;
	unsigned long episode_start;
	ktime_t episode_ktime;
	unsigned long stall_event;
	struct protkey_pk staged[2];
	unsigned int staged_mask;
	struct delayed_work work;
	struct work_struct notify;
	struct protkey_key_events ev;
	struct protkey_key_stats stats;
};

/**
 * struct protkey_parked - a request parked on a key object
 * @node: linkage in &protkey_key.parked, under &protkey_key.lock
 * @req: the request
 * @key: the key object the request parked on, set by protkey_key_park();
 *	the worker resumes the request with this object's protected keys,
 *	whatever key the request's tfm holds by then
 * @resume: runs the request again from where it stopped, on the current
 *	protected keys of @key. Called by the worker in process context with
 *	BHs disabled. Return: 0 when done, -EKEYEXPIRED when it met a stale
 *	protected key again (its progress saved), another (negative) errno
 *	to fail it.
 * @gen: &protkey_key.pk_gen of the protected keys the request last used
 * @backlog: the request was accepted with -EBUSY; it is told -EINPROGRESS
 *	before its final completion.
 *
 * Lives in the request context of the cipher (no allocation); owned by the
 * key object from protkey_key_park() until the request's completion.
 */
struct protkey_parked {
	struct list_head node;
	struct crypto_async_request *req;
	struct protkey_key *key;
	int (*resume)(struct protkey_parked *p);
	u32 gen;
	bool backlog;
};

/**
 * struct protkey_key_snapshot - a consistent view of a key object's state
 * @state: &enum protkey_key_state
 * @stats: the counters
 * @info: the platform's view of each half (MKVP, master-key match)
 * @vp: the verification pattern
 * @users: references held, one per tfm (plus lookups in flight)
 * @serial: serial of the key in ``.protkey``, 0 when there is none
 * @type_name: the key type (&protkey_key.type_name), a static string
 * @halves: 2 for a pair of secure keys, 1 for a full-XTS token
 */
struct protkey_key_snapshot {
	enum protkey_key_state state;
	struct protkey_key_stats stats;
	struct protkey_key_info info[2];
	u8 vp[PROTKEY_KEY_VP_SIZE];
	unsigned int users;
	s32 serial;
	const char *type_name;
	u32 halves;
};

/* protkey_key_park() result: the key is usable again, run the request. */
#define PROTKEY_KEY_RETRY 1

/* Least time between two one-shot derive attempts of a FAILED key. */
#define PROTKEY_FAILED_RETRY_MS 1000

u32 protkey_key_halves(const u8 *blob, unsigned int len);
int protkey_key_validate(const u8 *blob, unsigned int len);
int protkey_key_compute_vp(struct protkey_platform_ops *ops,
			   const struct protkey_pk pk[2],
			   u8 vp[PROTKEY_KEY_VP_SIZE]);
int protkey_key_get(const u8 *blob, unsigned int len,
		    struct protkey_key **keyp);
void protkey_key_put(struct protkey_key *key);
u32 protkey_key_read_pk(struct protkey_key *key, struct protkey_pk pk[2]);
u32 protkey_key_load_params(struct protkey_key *key, u8 *pcc_slot, u8 *km_slot,
			    u32 type[2]);
u32 protkey_key_load_full(struct protkey_key *key,
			  struct protkey_xts_full_km_param *param, u32 *type);
int protkey_key_park(struct protkey_key *key, struct protkey_parked *p,
		     bool stale);
int protkey_key_park_force(struct protkey_key *key, struct protkey_parked *p);
void protkey_key_flush(struct protkey_key *key, struct crypto_tfm *tfm);
void protkey_key_get_stats(struct protkey_key *key,
			   struct protkey_key_stats *stats);
void protkey_key_snapshot(struct protkey_key *key,
			  struct protkey_key_snapshot *snap);
bool protkey_key_hold(struct protkey_key *key);
int protkey_key_update_blob(struct protkey_key *key, const u8 *blob,
			    unsigned int len);
void protkey_key_revoke(struct protkey_key *key);
int protkey_key_rederive(struct protkey_key *key);
struct protkey_key *protkey_key_find(bool (*match)(struct protkey_key *key,
						   const void *arg),
				     const void *arg);
int protkey_key_for_each(unsigned long *pos,
			 int (*fn)(struct protkey_key *key, void *arg),
			 void *arg);
const char *protkey_key_state_name(enum protkey_key_state state);
void protkey_key_flush_releases(void);
int protkey_key_init(void);
void protkey_key_exit(void);

/**
 * protkey_key_usable() - may a new request take the fast path?
 * @key: the key object
 *
 * Context: any; lockless.
 * Return: true while the protected keys are believed valid.
 */
static inline bool protkey_key_usable(const struct protkey_key *key)
{
	return atomic_read(&key->state) == PROTKEY_KEY_VALID;
}

/**
 * protkey_key_blob_len() - the length of a key object's secure key
 * @key: the key object
 *
 * Return: @key->halves * @key->half_len.
 */
static inline u32 protkey_key_blob_len(const struct protkey_key *key)
{
	return key->halves * key->half_len;
}

/**
 * protkey_pk_load() - place a protected key in a CPACF parameter-block slot
 * @slot: the 64-byte key field of a two-key KM or PCC parameter block
 * @pk: a protected key of 48 (AES-128) or 64 (AES-256) bytes
 *
 * Keys shorter than the slot sit at its end, as the CPU expects for the
 * 128-bit XTS function codes.
 *
 * Context: any.
 */
static inline void protkey_pk_load(u8 slot[PROTKEY_XTS_SLOT_SIZE],
				   const struct protkey_pk *pk)
{
	/* XTS sizes as constants: moves, not a memcpy() call per request. */
	if (pk->len == PROTKEY_XTS_SLOT_SIZE)
		memcpy(slot, pk->protkey, PROTKEY_XTS_SLOT_SIZE);
	else if (pk->len == PROTKEY_XTS_SLOT_SIZE - 16)
		memcpy(slot + 16, pk->protkey, PROTKEY_XTS_SLOT_SIZE - 16);
	else if (pk->len <= PROTKEY_XTS_SLOT_SIZE)
		memcpy(slot + PROTKEY_XTS_SLOT_SIZE - pk->len, pk->protkey,
		       pk->len);
}

/**
 * protkey_pk_load_full() - place a full-XTS protected key in a parameter block
 * @param: the full-XTS KM parameter block
 * @pk: a full-XTS protected key: 64 (AES-128) or 96 (AES-256) bytes
 *
 * The wrapped keys go to the key field (an AES-128 pair at offset 32, as
 * paes_s390.c places it), the WKVP to its own field.
 *
 * Context: any.
 */
static inline void protkey_pk_load_full(struct protkey_xts_full_km_param *param,
					const struct protkey_pk *pk)
{
	if (pk->type == PROTKEY_PK_AES_XTS_128) {
		memcpy(param->key + 32, pk->protkey, 32);
		memcpy(param->wkvp, pk->protkey + 32, PROTKEY_WKVP_SIZE);
	} else {
		memcpy(param->key, pk->protkey, 64);
		memcpy(param->wkvp, pk->protkey + 64, PROTKEY_WKVP_SIZE);
	}
}

/**
 * struct protkey_key_hooks - observation points for the KUnit suites
 * @event: called by the notify work before it sends an event
 */
struct protkey_key_hooks {
	void (*event)(struct protkey_key *key, enum protkey_key_event ev);
};

#if IS_ENABLED(CONFIG_KUNIT)
int protkey_key_get_ops(struct protkey_platform_ops *ops, const u8 *blob,
			unsigned int len, struct protkey_key **keyp);
extern unsigned int protkey_rekey_timeout_ms;
extern struct protkey_key_hooks protkey_key_hooks;
#endif

#endif /* _PROTKEY_KEY_H */
