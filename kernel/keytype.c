// SPDX-License-Identifier: GPL-2.0-only
/*
 * protkey key type: each live key object as a key of type "protkey" in the
 * module's ".protkey" keyring, so that keyctl shows, updates and revokes it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <kunit/visibility.h>
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/err.h>
#include <linux/key-type.h>
#include <linux/key.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "key.h"
#include "keytype.h"

/**
 * DOC: the protkey key type
 *
 * Lifetime. A key object (&struct protkey_key) lives as long as tfms use
 * it. When it is created, protkey_keytype_attach() instantiates a key of
 * type ``protkey`` whose description is the verification pattern in hex,
 * links it into ``.protkey`` and keeps a reference to it in the object.
 * The key's payload is a plain pointer to the object: the key holds *no*
 * reference on the object, so a key that lingers in a keyring or in the
 * key garbage collector never keeps an object (or a secure key) alive,
 * and the key GC never frees anything the cipher uses (there is no
 * destroy op). When the object dies, protkey_keytype_detach() clears the
 * payload pointer under the key's semaphore, unlinks and invalidates the
 * key and drops the reference; the object itself is freed an RCU grace
 * period later, so describe (which runs under RCU) may still look at it.
 * Operations that sleep (update, revoke) take a reference on the object
 * with protkey_key_hold() and fail with -EKEYREVOKED if it is dying.
 *
 * Permissions. Keys belong to root (uid 0, gid 0), are allocated with the
 * kernel's credentials (not those of the process whose setkey made the
 * key object), are not charged to any key quota (unprivileged setkey is
 * limited by protkey's own quota, quota.c), and carry view, read and
 * write for the owner, view and read for others: their state is not
 * secret (it is what the ``protkey`` netlink family shows to everyone),
 * the secure key is never returned by read, to
 * anyone. Only a possessor (the kernel: nobody can link the keys or the
 * keyring elsewhere) has search, so user space cannot invalidate them
 * (keyctl invalidate needs search). Nobody has setattr, so the
 * permissions, owner and timeout cannot be changed. keyctl's permission
 * check (write) admits update for uid 0 only, and
 * protkey_keytype_update() also requires CAP_SYS_ADMIN.
 *
 * Revoke. A revoke op cannot refuse: the key core has marked the key
 * revoked when it calls it, so write permission (uid 0) would be all that
 * keyctl revoke needs. The keys therefore carry KEY_FLAG_KEEP, and keyctl
 * revoke (like keyctl invalidate) gets -EPERM from the key core, for
 * everyone. Administrators revoke through the netlink family's key-revoke
 * (CAP_NET_ADMIN and CAP_SYS_ADMIN), which calls key_revoke() from the
 * kernel: protkey_keytype_revoke_key().
 *
 * ``.protkey`` itself belongs to root, is readable and searchable by all,
 * writable by nobody (no user links keys into it or unlinks them) and
 * carries KEY_FLAG_KEEP (it cannot be revoked, invalidated or cleared).
 * Keys are linked into it after instantiation, with key_link().
 *
 * Instantiation. Users cannot create keys of this type: add_key(2),
 * keyctl instantiate and request_key(2) get -EPERM. Only
 * protkey_keytype_attach() instantiates, recognised by the address of its
 * payload (user payloads are always copies in fresh kernel buffers).
 *
 * Payload grammar of update: the new secure key as raw bytes, exactly as
 * dm-crypt hands it to the cipher: the two tokens back to back
 * (2 x 64 bytes for CCA AES DATA), e.g.
 * ``keyctl pupdate <serial> < reenciphered.bin``.
 */

#define PROTKEY_KEY_PERM                                                \
	(KEY_POS_VIEW | KEY_POS_READ | KEY_POS_WRITE | KEY_POS_SEARCH | \
	 KEY_USR_VIEW | KEY_USR_READ | KEY_USR_WRITE | KEY_OTH_VIEW |   \
	 KEY_OTH_READ)
#define PROTKEY_KEYRING_PERM                                           \
	(KEY_POS_VIEW | KEY_POS_READ | KEY_POS_SEARCH | KEY_USR_VIEW | \
	 KEY_USR_READ | KEY_USR_SEARCH | KEY_OTH_VIEW | KEY_OTH_READ | \
	 KEY_OTH_SEARCH)

static struct key *protkey_keyring;
/*
 * The kernel's credentials (init_task's): keys and .protkey are allocated
 * with them, never with those of the process whose setkey created the key
 * object, so neither an LSM label nor a key quota of that process applies.
 */
static const struct cred *protkey_cred;
/* Serialises attach; the object being attached, named by its address. */
static DEFINE_MUTEX(attach_mutex);
static struct protkey_key *attach_pending;

/* The key object behind @key with a reference, or NULL when it is dying. */
static struct protkey_key *hold_obj(const struct key *key)
{
	struct protkey_key *obj;

	rcu_read_lock();
	obj = dereference_key_rcu(key);
	if (obj && !protkey_key_hold(obj))
		obj = NULL;
	rcu_read_unlock();
	return obj;
}

/**
 * protkey_keytype_instantiate() - instantiate a key for a key object
 * @key: the new key
 * @prep: the payload; only protkey_keytype_attach()'s is accepted
 *
 * Context: process context; the key core holds the key construction lock.
 * Possible returned errors:
 *
 * - -EPERM: the payload comes from user space (add_key(2), keyctl
 *   instantiate, request_key(2)): keys of this type exist only for key
 *   objects of the module.
 *
 * Return: 0 or -EPERM.
 */
static int protkey_keytype_instantiate(struct key *key,
				       struct key_preparsed_payload *prep)
{
	if (prep->data != &attach_pending ||
	    prep->datalen != sizeof(attach_pending) || !attach_pending)
		return -EPERM;
	rcu_assign_keypointer(key, attach_pending);
	return 0;
}

/**
 * protkey_keytype_update() - swap in a re-enciphered secure key
 * @key: the key; the key core holds its semaphore for writing and has
 *	checked write permission
 * @prep: the payload: the new secure key, two tokens back to back
 *
 * Checks CAP_SYS_ADMIN, then protkey_key_update_blob(): the blob must be
 * the same key (equal verification pattern, derived through the
 * platform). On error nothing changes.
 *
 * Context: process context, may sleep (two HSM round trips).
 * Possible returned errors:
 *
 * - -EPERM: the caller lacks CAP_SYS_ADMIN;
 * - -EKEYREVOKED: the key object was revoked or is going away;
 * - -EINVAL: malformed payload: empty, another size than the current
 *   secure key, halves of different type or version, identical halves,
 *   a token that is not a secure key, a token the platform does not
 *   support or rejects;
 * - -EKEYREJECTED: a well-formed secure key of another AES key;
 * - -ENODEV: no usable adapter holds the payload's master key;
 * - -EBUSY, -EIO: the platform's derive failed (busy, rejected);
 * - -EAGAIN: the wrapping key kept changing during the check;
 * - -ENOMEM.
 *
 * Return: 0 or a negative errno as listed.
 */
static int protkey_keytype_update(struct key *key,
				  struct key_preparsed_payload *prep)
{
	struct protkey_key *obj;
	int ret;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	obj = hold_obj(key);
	if (!obj)
		return -EKEYREVOKED;
	ret = protkey_key_update_blob(obj, prep->data, prep->datalen);
	protkey_key_put(obj);
	return ret;
}

/**
 * protkey_keytype_revoke() - wipe the key object and fail its I/O
 * @key: the key; the key core holds its semaphore for writing and has
 *	set KEY_FLAG_REVOKED
 *
 * Called by key_revoke() from protkey_keytype_revoke_key() only: keyctl
 * revoke never gets here (KEY_FLAG_KEEP).
 *
 * See protkey_key_revoke(): the secure key and the protected keys are
 * wiped, parked requests and every later request fail with -EIO. The key
 * stays in ``.protkey`` (marked revoked) until the key object dies.
 *
 * Context: process context, may sleep. Cannot fail.
 */
static void protkey_keytype_revoke(struct key *key)
{
	struct protkey_key *obj = hold_obj(key);

	if (!obj)
		return;
	protkey_key_revoke(obj);
	protkey_key_put(obj);
}

/**
 * protkey_keytype_describe() - one line for /proc/keys
 * @key: the key
 * @m: where to write
 *
 * Writes "<verification pattern>: <state>", state one of valid, stale,
 * failed, revoked, or dead once the key object is gone.
 *
 * Context: under rcu_read_lock() (the key core's /proc/keys walk); never
 * sleeps.
 */
static void protkey_keytype_describe(const struct key *key, struct seq_file *m)
{
	struct protkey_key *obj;
	const char *state = "dead";

	seq_puts(m, key->description);
	if (!key_is_positive(key))
		return;
	rcu_read_lock();
	obj = dereference_key_rcu(key);
	if (obj)
		state = protkey_key_state_name(atomic_read(&obj->state));
	rcu_read_unlock();
	seq_printf(m, ": %s", state);
}

/**
 * protkey_keytype_read() - the state of the key object, as text
 * @key: the key; the key core holds its semaphore for reading
 * @buffer: kernel buffer, or NULL to ask for the length
 * @buflen: its size
 *
 * Never returns the secure key: only the state that
 * protkey_keytype_format() writes ("name: value" lines).
 *
 * Context: process context, may sleep.
 * Possible returned errors:
 *
 * - -EKEYREVOKED: the key object is gone;
 * - -ENOMEM.
 *
 * Return: the length of the text (copied when @buflen allows), or a
 * negative errno.
 */
static long protkey_keytype_read(const struct key *key, char *buffer,
				 size_t buflen)
{
	struct protkey_key_snapshot snap;
	struct protkey_key *obj;
	char *text;
	int len;

	rcu_read_lock();
	obj = dereference_key_rcu(key);
	if (obj)
		protkey_key_snapshot(obj, &snap);
	rcu_read_unlock();
	if (!obj)
		return -EKEYREVOKED;
	text = kmalloc(PROTKEY_KEYTYPE_TEXT_MAX, GFP_KERNEL);
	if (!text)
		return -ENOMEM;
	len = protkey_keytype_format(&snap, text, PROTKEY_KEYTYPE_TEXT_MAX);
	if (buffer && buflen)
		memcpy(buffer, text, min_t(size_t, buflen, len));
	kfree(text);
	return len;
}

VISIBLE_IF_KUNIT struct key_type protkey_key_type = {
	.name = "protkey",
	.instantiate = protkey_keytype_instantiate,
	.update = protkey_keytype_update,
	.revoke = protkey_keytype_revoke,
	.describe = protkey_keytype_describe,
	.read = protkey_keytype_read,
};
EXPORT_SYMBOL_IF_KUNIT(protkey_key_type);

/**
 * protkey_keytype_token_name() - the name of a secure-key token type
 * @type: the token's type byte
 * @version: the token's version byte
 *
 * Context: any.
 * Return: a static string such as "CCA-AESDATA", or "unknown".
 */
const char *protkey_keytype_token_name(u8 type, u8 version)
{
	static const struct {
		u8 type, version;
		const char *name;
	} names[] = {
		{ 0x01, 0x04, "CCA-AESDATA" },	{ 0x01, 0x05, "CCA-AESCIPHER" },
		{ 0x00, 0x03, "EP11-AES" },	{ 0x00, 0x06, "EP11-AES" },
		{ 0x00, 0x09, "PVSECRET-AES" },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (names[i].type == type && names[i].version == version)
			return names[i].name;
	return "unknown";
}
EXPORT_SYMBOL_IF_KUNIT(protkey_keytype_token_name);

static const char *match_name(enum protkey_mk_match match)
{
	static const char *const names[] = {
		[PROTKEY_MK_NONE] = "none",
		[PROTKEY_MK_CURRENT] = "current",
		[PROTKEY_MK_OLD] = "old",
		[PROTKEY_MK_NEW] = "new",
	};

	return match < ARRAY_SIZE(names) ? names[match] : "unknown";
}

/**
 * protkey_keytype_format() - the text that keyctl read/print shows
 * @snap: the key object's state
 * @buf: output buffer
 * @size: its size; PROTKEY_KEYTYPE_TEXT_MAX always suffices
 *
 * One "name: value" line each: state, key-type, vp, mkvp (data and tweak
 * half, hex), mk-match (both halves), wk-generation, derives,
 * derive-errors, stalls, failures, failed-requests, last-error (negative
 * errno, 0 for none), last-stall-ms, users.
 *
 * Context: any.
 * Return: the length written, without a terminating NUL.
 */
int protkey_keytype_format(const struct protkey_key_snapshot *snap, char *buf,
			   size_t size)
{
	const struct protkey_key_stats *st = &snap->stats;

	const struct protkey_key_info *info = snap->info;
	const char *type;
	int len;

	type = snap->type_name;
	if (!type)
		type = protkey_keytype_token_name(info[0].token_type,
						  info[0].token_version);
	len = scnprintf(buf, size,
			"state: %s\nkey-type: %s\nvp: %*phN\n"
			"mkvp: %016llx %016llx\nmk-match: %s %s\n",
			protkey_key_state_name(snap->state), type,
			PROTKEY_KEY_VP_SIZE, snap->vp, info[0].mkvp,
			info[1].mkvp, match_name(info[0].match),
			match_name(info[1].match));
	len += scnprintf(buf + len, size - len,
			 "wk-generation: %llu\nderives: %llu\n"
			 "derive-errors: %llu\nstalls: %llu\nfailures: %llu\n"
			 "failed-requests: %llu\nlast-error: %d\n"
			 "last-stall-ms: %u\nusers: %u\n",
			 st->wk_generation, st->derives, st->derive_errors,
			 st->stalls, st->failures, st->failed_requests,
			 st->last_error, st->last_stall_ms, snap->users);
	return len;
}
EXPORT_SYMBOL_IF_KUNIT(protkey_keytype_format);

/**
 * protkey_keytype_attach() - give a new key object its key in .protkey
 * @obj: the key object, just published, with a reference held by the caller
 *
 * A failure (memory, or an LSM refusing) leaves the object without a key:
 * I/O matters more than its keyctl view; the netlink family still shows
 * it (serial 0). Said once in the kernel log.
 *
 * Context: process context, may sleep; no lock of key.c held.
 */
void protkey_keytype_attach(struct protkey_key *obj)
{
	char desc[2 * PROTKEY_KEY_VP_SIZE + 1];
	struct key *k;
	int ret;

	bin2hex(desc, obj->vp, PROTKEY_KEY_VP_SIZE);
	desc[sizeof(desc) - 1] = '\0';
	k = key_alloc(&protkey_key_type, desc, GLOBAL_ROOT_UID, GLOBAL_ROOT_GID,
		      protkey_cred, PROTKEY_KEY_PERM,
		      KEY_ALLOC_NOT_IN_QUOTA | KEY_ALLOC_SET_KEEP, NULL);
	if (IS_ERR(k)) {
		ret = PTR_ERR(k);
		goto out_warn;
	}
	mutex_lock(&attach_mutex);
	attach_pending = obj;
	ret = key_instantiate_and_link(k, &attach_pending,
				       sizeof(attach_pending), NULL, NULL);
	attach_pending = NULL;
	mutex_unlock(&attach_mutex);
	if (!ret)
		ret = key_link(protkey_keyring, k);
	if (ret) {
		if (key_is_positive(k))
			rcu_assign_keypointer(k, NULL);
		key_invalidate(k);
		key_put(k);
		goto out_warn;
	}
	obj->kkey = k;
	WRITE_ONCE(obj->serial, k->serial);
	return;

out_warn:
	pr_warn_ratelimited("key %*phN: no key in .protkey (%pe)\n", 8, obj->vp,
			    ERR_PTR(ret));
}

/**
 * protkey_keytype_detach() - remove a dead key object's key
 * @obj: the key object; its last reference is gone, it is not yet freed
 *
 * Clears the payload pointer under the key's semaphore (read waits for
 * it; describe runs under RCU and the object is freed after a grace
 * period), unlinks the key from .protkey, invalidates it (key lookups
 * fail, the GC reaps it) and drops the object's reference.
 *
 * Context: process context (the release work), may sleep; takes the key's
 * semaphore and the keyring's locks.
 */
void protkey_keytype_detach(struct protkey_key *obj)
{
	struct key *k = obj->kkey;

	if (!k)
		return;
	down_write(&k->sem);
	rcu_assign_keypointer(k, NULL);
	up_write(&k->sem);
	/* -ENOENT: a newer key of the same description displaced it. */
	key_unlink(protkey_keyring, k);
	key_invalidate(k);
	obj->kkey = NULL;
	key_put(k);
}

/**
 * protkey_keytype_revoke_key() - revoke a key object and its key
 * @obj: the key object, with a reference held by the caller
 *
 * Revokes the object's key with key_revoke(), which marks it revoked and
 * calls protkey_keytype_revoke(), so the keyctl view and the object agree;
 * an object without a key is revoked directly. The caller has checked
 * CAP_SYS_ADMIN (the netlink family's key-revoke).
 *
 * Context: process context, may sleep; takes the key's semaphore.
 * Return: 0, or -EKEYREVOKED when the object was revoked already.
 */
int protkey_keytype_revoke_key(struct protkey_key *obj)
{
	struct key *k = READ_ONCE(obj->kkey);

	if (atomic_read(&obj->state) == PROTKEY_KEY_REVOKED)
		return -EKEYREVOKED;
	if (k)
		key_revoke(k);
	else
		protkey_key_revoke(obj);
	return 0;
}

#if IS_ENABLED(CONFIG_KUNIT)
/**
 * protkey_keytype_keyring() - the .protkey keyring, for the KUnit suites
 *
 * Context: any.
 * Return: the keyring (no reference taken).
 */
struct key *protkey_keytype_keyring(void)
{
	return protkey_keyring;
}
EXPORT_SYMBOL_IF_KUNIT(protkey_keytype_keyring);
#endif

/**
 * protkey_keytype_init() - register the key type and create .protkey
 *
 * Context: module init, after protkey_key_init() and before the cipher
 * (whose tfms create key objects that attach keys).
 * Return: 0, -ENOMEM, or a negative errno of register_key_type() or
 * keyring_alloc().
 */
int protkey_keytype_init(void)
{
	unsigned long flags = KEY_ALLOC_NOT_IN_QUOTA | KEY_ALLOC_SET_KEEP;
	int ret;

	protkey_cred = prepare_kernel_cred(&init_task);
	if (!protkey_cred)
		return -ENOMEM;
	ret = register_key_type(&protkey_key_type);
	if (ret)
		goto err_put_cred;
	protkey_keyring = keyring_alloc(".protkey", GLOBAL_ROOT_UID,
					GLOBAL_ROOT_GID, protkey_cred,
					PROTKEY_KEYRING_PERM, flags, NULL,
					NULL);
	if (IS_ERR(protkey_keyring)) {
		ret = PTR_ERR(protkey_keyring);
		goto err_unregister;
	}
	return 0;

err_unregister:
	unregister_key_type(&protkey_key_type);
err_put_cred:
	put_cred(protkey_cred);
	return ret;
}

/**
 * protkey_keytype_exit() - unregister the key type and drop .protkey
 *
 * Context: module exit, after the cipher is gone (no key object is left
 * but those whose release work may still be queued).
 */
void protkey_keytype_exit(void)
{
	/*
	 * ORDER: the release work of the last key objects unlinks their keys
	 * from .protkey; unregister_key_type() then marks any key of the type
	 * that remains dead and waits until the key GC has unlinked it from
	 * every keyring; only then is .protkey dropped, so no key of a type
	 * about to vanish is left in a keyring, and no op of the type runs
	 * after the module is gone.
	 */
	protkey_key_flush_releases();
	unregister_key_type(&protkey_key_type);
	key_put(protkey_keyring);
	put_cred(protkey_cred);
}
