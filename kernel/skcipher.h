/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * protkey ciphers: xts(paes) on shared key objects with transparent
 * re-derivation. See skcipher.c.
 */
#ifndef _PROTKEY_SKCIPHER_H
#define _PROTKEY_SKCIPHER_H

#include <crypto/internal/skcipher.h>
#include <linux/scatterlist.h>

#include "key.h"
#include "quota.h"

/**
 * struct protkey_xts_ctx - per-tfm context of xts(paes)
 * @key: the shared key object, with a reference held by the tfm; set by
 *	setkey (which the crypto API never runs concurrently with requests on
 *	the same tfm), read under RCU by the requests.
 * @charge: the unprivileged user the key is charged to (quota.c)
 */
struct protkey_xts_ctx {
	struct protkey_key __rcu *key;
	struct protkey_quota_charge charge;
};

/**
 * struct protkey_xts_req - per-request context of xts(paes)
 * @parked: parking record while the key object holds the request
 * @done: bytes of the request already processed and written to dst
 * @tweak: the XTS parameter of the block at @done, valid if @have_tweak;
 *	for a full-XTS key the next alpha power of that block
 * @have_tweak: PCC has run for this request (full-XTS: @tweak is set)
 * @dir: encrypt or decrypt
 * @sg_src: scatterlist storage for the source from @done on
 * @sg_dst: scatterlist storage for the destination from @done on
 * @subreq: walks the part of the request from @done on; last member (its
 *	context is empty)
 *
 * Owned by the request's submitter; the cipher uses it between the
 * encrypt/decrypt call and the completion. It lets a request that stopped
 * mid-way on a stale protected key resume exactly where it stopped, which
 * matters for in-place requests whose processed part is overwritten.
 */
struct protkey_xts_req {
	struct protkey_parked parked;
	unsigned int done;
	u8 tweak[PROTKEY_AES_BLOCK_SIZE];
	bool have_tweak;
	enum protkey_km_dir dir;
	struct scatterlist sg_src[2];
	struct scatterlist sg_dst[2];
	struct skcipher_request subreq;
};

int protkey_skcipher_init(void);
void protkey_skcipher_exit(void);

#endif /* _PROTKEY_SKCIPHER_H */
