// SPDX-License-Identifier: GPL-2.0-only
/*
 * protkey ciphers: xts(paes) with transparent re-derivation.
 *
 * Registers cra_name "xts(paes)", driver "xts-paes-protkey", above the
 * in-tree xts-paes-s390 (402), so dm-crypt's paes-xts-plain64 and
 * cryptsetup pick it unchanged. Keys are shared key objects (key.c); the
 * data path runs the platform's PCC and KM-XTS primitives on a copy of the
 * protected keys and hands a request to the key object when the platform
 * reports the wrapping key changed.
 */
#include <crypto/scatterwalk.h>
#include <linux/module.h>

#include "skcipher.h"

#define XTS_PAES_PRIORITY 500
/* Fast-path runs before a request parks even though newer keys appeared. */
#define XTS_RUN_TRIES 4

static struct protkey_key *xts_key(struct crypto_skcipher *tfm)
{
	struct protkey_xts_ctx *ctx = crypto_skcipher_ctx(tfm);

	return rcu_dereference(ctx->key);
}

/*
 * Where the walk starts: the request itself, or its unprocessed tail. A
 * request that may sleep (AF_ALG sets CRYPTO_TFM_REQ_MAY_SLEEP) is walked
 * through the subrequest without that flag too: the walk runs under RCU,
 * and from the worker with BHs disabled, where it must not sleep.
 */
static struct skcipher_request *xts_remainder(struct skcipher_request *req)
{
	struct protkey_xts_req *rctx = skcipher_request_ctx(req);
	struct skcipher_request *sub = &rctx->subreq;
	struct scatterlist *src, *dst;

	if (!rctx->done && !(req->base.flags & CRYPTO_TFM_REQ_MAY_SLEEP))
		return req;
	src = scatterwalk_ffwd(rctx->sg_src, req->src, rctx->done);
	dst = src;
	if (req->dst != req->src)
		dst = scatterwalk_ffwd(rctx->sg_dst, req->dst, rctx->done);
	skcipher_request_set_tfm(sub, crypto_skcipher_reqtfm(req));
	skcipher_request_set_callback(sub, 0, NULL, NULL);
	skcipher_request_set_crypt(sub, src, dst, req->cryptlen - rctx->done,
				   req->iv);
	return sub;
}

/* The walk over the remainder with KM; progress kept in the context. */
static int xts_walk(struct skcipher_request *req,
		    struct protkey_platform_ops *ops, enum protkey_pk_type type,
		    struct protkey_xts_km_param *km)
{
	struct protkey_xts_req *rctx = skcipher_request_ctx(req);
	struct skcipher_walk walk;
	unsigned int n, k;
	int ret;

	ret = skcipher_walk_virt(&walk, xts_remainder(req), true);
	while (!ret && walk.nbytes) {
		n = walk.nbytes & ~(PROTKEY_AES_BLOCK_SIZE - 1);
		k = ops->km_xts(type, rctx->dir, km, walk.dst.virt.addr,
				walk.src.virt.addr, n);
		if (WARN_ON_ONCE(k > n || k % PROTKEY_AES_BLOCK_SIZE)) {
			skcipher_walk_done(&walk, -EIO);
			return -EIO;
		}
		rctx->done += k;
		memcpy(rctx->tweak, km->init, sizeof(rctx->tweak));
		if (k < n) {
			/* Stops the walk; dst holds exactly @done bytes. */
			skcipher_walk_done(&walk, -EKEYEXPIRED);
			return -EKEYEXPIRED;
		}
		ret = skcipher_walk_done(&walk, walk.nbytes - n);
	}
	return ret;
}

/*
 * The walk with full-XTS KM: no PCC, the next alpha power kept in
 * &protkey_xts_req.tweak across parking.
 */
static int xts_walk_full(struct skcipher_request *req,
			 struct protkey_platform_ops *ops,
			 enum protkey_pk_type type,
			 struct protkey_xts_full_km_param *km)
{
	struct protkey_xts_req *rctx = skcipher_request_ctx(req);
	struct skcipher_walk walk;
	unsigned int n, k;
	int ret;

	ret = skcipher_walk_virt(&walk, xts_remainder(req), true);
	while (!ret && walk.nbytes) {
		n = walk.nbytes & ~(PROTKEY_AES_BLOCK_SIZE - 1);
		k = ops->km_xts_full(type, rctx->dir, km, walk.dst.virt.addr,
				     walk.src.virt.addr, n);
		if (WARN_ON_ONCE(k > n || k % PROTKEY_AES_BLOCK_SIZE)) {
			skcipher_walk_done(&walk, -EIO);
			return -EIO;
		}
		rctx->done += k;
		memcpy(rctx->tweak, km->nap, sizeof(rctx->tweak));
		if (k < n) {
			skcipher_walk_done(&walk, -EKEYEXPIRED);
			return -EKEYEXPIRED;
		}
		ret = skcipher_walk_done(&walk, walk.nbytes - n);
	}
	return ret;
}

/* xts_run() for a full-XTS key: the tweak is the IV, nap starts at 1. */
static int xts_run_full(struct skcipher_request *req, struct protkey_key *key)
{
	struct protkey_xts_req *rctx = skcipher_request_ctx(req);
	struct protkey_xts_full_km_param km;
	u32 type;
	int ret;

	if (!key->ops->km_xts_full)
		return -EIO;
	rctx->parked.gen = protkey_key_load_full(key, &km, &type);
	memcpy(km.tweak, req->iv, sizeof(km.tweak));
	if (!rctx->have_tweak) {
		memset(rctx->tweak, 0, sizeof(rctx->tweak));
		rctx->tweak[0] = 1;
		rctx->have_tweak = true;
	}
	memcpy(km.nap, rctx->tweak, sizeof(km.nap));
	ret = xts_walk_full(req, key->ops, type, &km);
	memzero_explicit(km.key, sizeof(km.key));
	return ret;
}

/*
 * Runs the request from its saved progress on the key's current protected
 * keys. Never sleeps. Returns 0, -EKEYEXPIRED (stale key, progress saved,
 * &protkey_parked.gen set) or another errno.
 */
static int xts_run(struct skcipher_request *req, struct protkey_key *key)
{
	struct protkey_xts_req *rctx = skcipher_request_ctx(req);
	struct protkey_xts_pcc_param pcc;
	struct protkey_xts_km_param km;
	bool pcc_run = !rctx->have_tweak;
	u32 type[2], gen;
	int ret = 0;

	if (key->halves == 1)
		return xts_run_full(req, key);
	/*
	 * The keys go straight into the parameter blocks, and only the key
	 * fields are wiped after: under qemu TCG every memset() or memcpy()
	 * of a parameter block costs a visible part of a 4 KiB request. The
	 * bytes of a key field before a shorter key are not part of the
	 * parameter block of its function code.
	 */
	gen = protkey_key_load_params(key, pcc_run ? pcc.key : NULL, km.key,
				      type);
	rctx->parked.gen = gen;
	if (pcc_run) {
		memcpy(pcc.tweak, req->iv, sizeof(pcc.tweak));
		memset(pcc.block, 0, sizeof(pcc.block));
		memset(pcc.bit, 0, sizeof(pcc.bit));
		ret = key->ops->pcc_xts(type[1], &pcc);
		if (!ret) {
			memcpy(rctx->tweak, pcc.xts, sizeof(rctx->tweak));
			rctx->have_tweak = true;
		}
		memzero_explicit(pcc.key, sizeof(pcc.key));
	}
	if (!ret) {
		memcpy(km.init, rctx->tweak, sizeof(km.init));
		ret = xts_walk(req, key->ops, type[0], &km);
	}
	memzero_explicit(km.key, sizeof(km.key));
	return ret;
}

/*
 * Called by the worker of the key object the request parked on, with BHs
 * disabled: it runs on that object's protected keys (the worker holds it),
 * even if the tfm was given another key since.
 */
static int xts_resume(struct protkey_parked *p)
{
	return xts_run(skcipher_request_cast(p->req), p->key);
}

/* Fast path, then parking. Caller holds rcu_read_lock(). */
static int xts_submit(struct skcipher_request *req, struct protkey_key *key)
{
	struct protkey_xts_req *rctx = skcipher_request_ctx(req);
	bool stale = false;
	int ret, tries;

	for (tries = 0; tries < XTS_RUN_TRIES; tries++) {
		stale = false;
		if (protkey_key_usable(key)) {
			ret = xts_run(req, key);
			if (ret != -EKEYEXPIRED)
				return ret;
			stale = true;
		}
		ret = protkey_key_park(key, &rctx->parked, stale);
		if (ret != PROTKEY_KEY_RETRY)
			return ret;
	}
	/* The wrapping key keeps changing: let the worker sort it out. */
	return protkey_key_park_force(key, &rctx->parked);
}

static int xts_crypt(struct skcipher_request *req, enum protkey_km_dir dir)
{
	struct protkey_xts_req *rctx = skcipher_request_ctx(req);
	struct protkey_key *key;
	int ret;

	if (req->cryptlen < PROTKEY_AES_BLOCK_SIZE ||
	    req->cryptlen % PROTKEY_AES_BLOCK_SIZE)
		return -EINVAL;
	rctx->parked.req = &req->base;
	rctx->parked.resume = xts_resume;
	rctx->parked.backlog = false;
	rctx->done = 0;
	rctx->have_tweak = false;
	rctx->dir = dir;

	rcu_read_lock();
	key = xts_key(crypto_skcipher_reqtfm(req));
	ret = key ? xts_submit(req, key) : -ENOKEY;
	rcu_read_unlock();
	return ret;
}

/**
 * protkey_xts_encrypt() - encrypt with xts(paes)
 * @req: the request; cryptlen a non-zero multiple of 16 (no ciphertext
 *	stealing, as xts-paes-s390)
 *
 * Runs synchronously while the protected keys are valid. A request that
 * meets a stale protected key (or a key being re-derived) is parked on
 * the key object and completed by its worker.
 *
 * Context: any context in which a skcipher may be called, softirq
 * included; never sleeps, never allocates (unless the walk needs a bounce
 * buffer for a block that straddles scatterlist entries).
 * Return: 0 when done; -EINPROGRESS: parked, the completion follows;
 * -EBUSY: parked as backlog (CRYPTO_TFM_REQ_MAY_BACKLOG only), the
 * completion reports -EINPROGRESS, then the result; -EINVAL for a bad
 * length; -ENOKEY without a key; -EIO for a revoked key; never -EAGAIN
 * (a request that keeps meeting replaced keys parks by force, see
 * protkey_key_park_force()). A parked request completes with 0, or
 * with -EIO when the key could not be re-derived in rekey_timeout_ms or
 * the platform reported a hard error.
 */
static int protkey_xts_encrypt(struct skcipher_request *req)
{
	return xts_crypt(req, PROTKEY_KM_ENCRYPT);
}

/**
 * protkey_xts_decrypt() - decrypt with xts(paes)
 * @req: the request, as for protkey_xts_encrypt()
 *
 * Context: as protkey_xts_encrypt().
 * Return: as protkey_xts_encrypt().
 */
static int protkey_xts_decrypt(struct skcipher_request *req)
{
	return xts_crypt(req, PROTKEY_KM_DECRYPT);
}

/* Drops the tfm's key object after failing its parked requests. */
static void xts_release_key(struct crypto_skcipher *tfm,
			    struct protkey_key *key)
{
	protkey_key_flush(key, crypto_skcipher_tfm(tfm));
	protkey_key_put(key);
}

/**
 * protkey_xts_setkey() - set the secure key of an xts(paes) tfm
 * @tfm: the tfm
 * @in: two secure-key tokens back to back (2 x 64 bytes for CCA AES DATA),
 *	or the one 44-byte token of an Ultravisor AES-XTS secret
 * @len: total length
 *
 * Synchronous: finds the shared key object for the key, or derives both
 * halves and creates it, then drops the tfm's previous key object. The
 * crypto API never runs setkey concurrently with requests on the same
 * tfm; a previous key object is dropped only after an RCU grace period in
 * case a caller breaks that rule.
 *
 * Possible returned errors:
 *
 * - -EINVAL: odd length; a half shorter than 44 or longer than 336 bytes;
 *   halves of different token type or version; identical halves; not a
 *   secure-key token (clear-key, protected-key, unknown); the
 *   backend rejects a half (malformed token); the halves derive to
 *   protected keys of different sizes, or to AES-192 (not an XTS size).
 * - -ENODEV: no registered backend supports the token (e.g. protkey_emu
 *   or the s390 backend not loaded); or no usable adapter holds the key's
 *   master key in CURRENT or OLD until rekey_timeout_ms.
 * - -EBUSY: adapters stayed busy until rekey_timeout_ms.
 * - -EIO: the adapter rejected the request.
 * - -EAGAIN: the wrapping key changed on every attempt to identify the key.
 * - -EINTR: a signal arrived while waiting for an adapter.
 * - -EDQUOT: the caller lacks CAP_SYS_ADMIN and already holds
 *   max_user_keys keyed tfms (see quota.c).
 * - -ENOMEM: no memory for a new key object.
 *
 * Context: process context, may sleep (an HSM round trip per half).
 * Return: 0 or a negative errno as listed; on error the tfm keeps its
 * previous key.
 */
static int protkey_xts_setkey(struct crypto_skcipher *tfm, const u8 *in,
			      unsigned int len)
{
	struct protkey_xts_ctx *ctx = crypto_skcipher_ctx(tfm);
	struct protkey_key *key, *old;
	int ret;

	ret = protkey_quota_charge(&ctx->charge);
	if (!ret)
		ret = protkey_key_get(in, len, &key);
	if (ret) {
		if (!rcu_access_pointer(ctx->key))
			protkey_quota_uncharge(&ctx->charge);
		return ret;
	}
	old = rcu_replace_pointer(ctx->key, key, true);
	if (old) {
		synchronize_rcu();
		xts_release_key(tfm, old);
	}
	return 0;
}

static int protkey_xts_init_tfm(struct crypto_skcipher *tfm)
{
	crypto_skcipher_set_reqsize(tfm, sizeof(struct protkey_xts_req));
	return 0;
}

static void protkey_xts_exit_tfm(struct crypto_skcipher *tfm)
{
	struct protkey_xts_ctx *ctx = crypto_skcipher_ctx(tfm);
	struct protkey_key *key = rcu_dereference_protected(ctx->key, true);

	if (key)
		xts_release_key(tfm, key);
	RCU_INIT_POINTER(ctx->key, NULL);
	protkey_quota_uncharge(&ctx->charge);
}

static struct skcipher_alg protkey_xts_alg = {
	.base = {
		.cra_name = "xts(paes)",
		.cra_driver_name = "xts-paes-protkey",
		.cra_priority = XTS_PAES_PRIORITY,
		.cra_flags = CRYPTO_ALG_ASYNC,
		.cra_blocksize = PROTKEY_AES_BLOCK_SIZE,
		.cra_ctxsize = sizeof(struct protkey_xts_ctx),
		.cra_module = THIS_MODULE,
	},
	/* One Ultravisor AES-XTS secret token is a whole key. */
	.min_keysize = PROTKEY_KEY_MIN_HALF,
	.max_keysize = 2 * PROTKEY_KEY_MAX_HALF,
	.ivsize = PROTKEY_AES_BLOCK_SIZE,
	.setkey = protkey_xts_setkey,
	.encrypt = protkey_xts_encrypt,
	.decrypt = protkey_xts_decrypt,
	.init = protkey_xts_init_tfm,
	.exit = protkey_xts_exit_tfm,
};

/**
 * protkey_skcipher_init() - register the protected-key ciphers
 *
 * Context: module init, after protkey_key_init().
 * Return: 0 or the errno of crypto_register_skcipher().
 */
int protkey_skcipher_init(void)
{
	return crypto_register_skcipher(&protkey_xts_alg);
}

/**
 * protkey_skcipher_exit() - unregister the protected-key ciphers
 *
 * Context: module exit, before protkey_key_exit(). No tfm is left: each
 * pins this module.
 */
void protkey_skcipher_exit(void)
{
	crypto_unregister_skcipher(&protkey_xts_alg);
}

MODULE_ALIAS_CRYPTO("xts(paes)");
MODULE_ALIAS_CRYPTO("xts-paes-protkey");
