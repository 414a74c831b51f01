// SPDX-License-Identifier: GPL-2.0-only
/*
 * protkey s390 platform, version-independent half (see s390_pkey.h): one
 * shim per shape of pkey's derive call, the check of what pkey returns, and
 * the errno table.
 *
 * Sources, cited below by these short names:
 *   K61     Debian's linux-source-6.1 (6.1.192), the Debian 12 kernel
 *   v6.12   torvalds/linux drivers/s390/crypto/pkey_api.c after the pkey
 *           split (pkey_key2protkey, handler modules)
 *   v6.16   torvalds/linux arch/s390/include/asm/pkey.h and
 *           arch/s390/crypto/paes_s390.c after the 2025 paes rework (xflags)
 */
#include <kunit/visibility.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <asm/unaligned.h>

#include "s390_pkey.h"
#include "token.h"

/*
 * Token offsets (K61 drivers/s390/crypto): struct secaeskeytoken of
 * zcrypt_ccamisc.h has the MKVP (u64, big endian as the whole token) at
 * byte 8 and the key's bit size (u16) at byte 56; struct ep11kblob_header
 * of uapi asm/pkey.h has bitlen (u16) at byte 6, and struct ep11keyblob of
 * zcrypt_ep11misc.h, which follows that header in a version 0x06 token
 * and starts a version 0x03 one, the wrapping key's verification pattern
 * at byte 32.
 */
#define CCA_AES_MKVP 8
#define CCA_AES_BITSIZE 56
#define EP11_BITLEN 6
#define EP11_HDR_LEN 16
#define EP11_BLOB_WKVP 32

static u32 uv_key_bits(u16 secret_type)
{
	switch (secret_type) {
	case PROTKEY_UV_SECRET_AES_128:
	case PROTKEY_UV_SECRET_AES_XTS_128:
		return 128;
	case PROTKEY_UV_SECRET_AES_192:
		return 192;
	case PROTKEY_UV_SECRET_AES_256:
	case PROTKEY_UV_SECRET_AES_XTS_256:
		return 256;
	default:
		return 0;
	}
}

/**
 * protkey_pkey_key_info() - what a secure-key token says about itself
 * @blob: a token protkey_token_check() accepted
 * @len: its length
 * @info: output
 *
 * pkey's in-kernel API has no master-key query: the APQN look-ups
 * (PKEY_APQNS4K, PKEY_VERIFYKEY2) are ioctls of /dev/pkey only (K61
 * pkey_api.c: pkey_apqns4key() is static). So @info carries the token's
 * own facts (type, version, key size, the MKVP of a CCA key, the leftmost
 * 8 bytes of an EP11 key's WKVP) and &protkey_key_info.match
 * PROTKEY_MK_NONE with no adapter count: the s390 platform cannot tell
 * CURRENT from OLD in the kernel, user space asks /dev/pkey.
 *
 * Context: any; never sleeps.
 * Return: 0; -EINVAL for a token protkey_token_check() refuses.
 */
int protkey_pkey_key_info(const u8 *blob, u32 len,
			  struct protkey_key_info *info)
{
	u8 type, version;

	memset(info, 0, sizeof(*info));
	if (protkey_token_check(blob, len))
		return -EINVAL;
	type = blob[PROTKEY_TOKEN_TYPE_OFFSET];
	version = blob[PROTKEY_TOKEN_VERSION_OFFSET];
	info->token_type = type;
	info->token_version = version;
	info->match = PROTKEY_MK_NONE;
	if (type == PROTKEY_TOKTYPE_CCA_INTERNAL) {
		info->mkvp = get_unaligned_be64(blob + CCA_AES_MKVP);
		info->key_bits = get_unaligned_be16(blob + CCA_AES_BITSIZE);
	} else if (version == PROTKEY_TOKVER_UV_SECRET) {
		u16 secret =
			get_unaligned_be16(blob + PROTKEY_UV_TOKEN_SECRET_TYPE);

		info->key_bits = uv_key_bits(secret);
	} else {
		u32 blob_off = version == PROTKEY_TOKVER_EP11_AES_WITH_HEADER ?
				       EP11_HDR_LEN :
				       0;

		info->key_bits = get_unaligned_be16(blob + EP11_BITLEN);
		info->mkvp =
			get_unaligned_be64(blob + blob_off + EP11_BLOB_WKVP);
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(protkey_pkey_key_info);

/*
 * What each protected-key type must measure: the wrapped key plus the
 * 32-byte WKVP (K61 pkey_api.c pkey_clr2protkey: len = keysize + 32;
 * full-XTS 64 and 96 bytes, v6.12 pkey_uv.c and pkey_pckmo.c).
 */
static u32 pk_len_of(u32 type)
{
	switch (type) {
	case PROTKEY_PK_AES_128:
		return 16 + PROTKEY_WKVP_SIZE;
	case PROTKEY_PK_AES_192:
		return 24 + PROTKEY_WKVP_SIZE;
	case PROTKEY_PK_AES_256:
		return 32 + PROTKEY_WKVP_SIZE;
	case PROTKEY_PK_AES_XTS_128:
		return 32 + PROTKEY_WKVP_SIZE;
	case PROTKEY_PK_AES_XTS_256:
		return 64 + PROTKEY_WKVP_SIZE;
	default:
		return 0;
	}
}

/**
 * protkey_pkey_check_pk() - is what pkey returned a protected AES key?
 * @pk: the protected key pkey filled in
 *
 * pkey derives any key type its handlers know (ECC and HMAC keys too, in
 * newer kernels); protkey.ko's cipher needs an AES or full-XTS AES key of
 * exactly the length of its type.
 *
 * Context: any.
 * Return: 0; -EINVAL for another type or a length that does not fit it.
 */
int protkey_pkey_check_pk(const struct protkey_pk *pk)
{
	u32 want = pk_len_of(pk->type);

	return want && pk->len == want ? 0 : -EINVAL;
}
EXPORT_SYMBOL_IF_KUNIT(protkey_pkey_check_pk);

/*
 * Copies a protected key pkey wrote into @buf to @pk and wipes @buf; on
 * failure @pk holds no key material.
 */
static int pk_take(struct protkey_pk *pk, u8 *buf, u32 buflen, u32 len,
		   u32 type)
{
	int ret = -EINVAL;

	if (len <= buflen && len <= sizeof(pk->protkey)) {
		pk->type = type;
		pk->len = len;
		memcpy(pk->protkey, buf, len);
		ret = protkey_pkey_check_pk(pk);
	}
	memzero_explicit(buf, buflen);
	if (ret)
		memzero_explicit(pk, sizeof(*pk));
	return ret;
}

/**
 * protkey_pkey_derive_blob() - derive through the v6.1 shape
 * @fn: pkey_keyblob2pkey() of K61, or a fake with its arguments
 * @blob: the secure key
 * @len: its length
 * @pk: output: the protected key
 *
 * The v6.1 call fills a struct pkey_protkey of MAXPROTKEYSIZE (64) bytes,
 * too small for a full-XTS AES-256 key (K61 uapi asm/pkey.h; v6.1 has no
 * full-XTS keys at all). There is no xflags argument: pkey allocates with
 * GFP_KERNEL there (K61 zcrypt_ccamisc.c alloc_and_prep_cprbmem), so
 * protkey.ko's memalloc_noio_save() scope around the re-derive is what
 * keeps that allocation from recursing into I/O.
 *
 * Context: process context; may sleep (an HSM round trip).
 * Return: 0, or an errno of protkey_pkey_map_errno().
 */
int protkey_pkey_derive_blob(protkey_pkey_blob_fn fn, const u8 *blob, u32 len,
			     struct protkey_pk *pk)
{
	struct protkey_pkey_protkey out = {};
	int ret;

	ret = fn(blob, len, &out);
	if (!ret)
		return pk_take(pk, out.protkey, sizeof(out.protkey), out.len,
			       out.type);
	memzero_explicit(&out, sizeof(out));
	return protkey_pkey_map_errno(ret);
}
EXPORT_SYMBOL_IF_KUNIT(protkey_pkey_derive_blob);

/**
 * protkey_pkey_derive_split() - derive through the v6.5 or v6.12 shape
 * @fn: pkey_keyblob2pkey() of v6.5..v6.11 or pkey_key2protkey() of
 *	v6.12..v6.15, or a fake with their arguments
 * @blob: the secure key
 * @len: its length
 * @pk: output: the protected key
 *
 * @protkeylen is in and out: the caller passes the size of its buffer and
 * pkey returns the length it wrote (paes_s390.c sets pk->len =
 * sizeof(pk->protkey) before the call, v6.12 and v6.16).
 *
 * Context: process context; may sleep.
 * Return: 0, or an errno of protkey_pkey_map_errno().
 */
int protkey_pkey_derive_split(protkey_pkey_split_fn fn, const u8 *blob, u32 len,
			      struct protkey_pk *pk)
{
	u8 buf[PROTKEY_MAX_PROTKEY_SIZE];
	u32 pklen = sizeof(buf), type = 0;
	int ret;

	ret = fn(blob, len, buf, &pklen, &type);
	if (!ret)
		return pk_take(pk, buf, sizeof(buf), pklen, type);
	memzero_explicit(buf, sizeof(buf));
	return protkey_pkey_map_errno(ret);
}
EXPORT_SYMBOL_IF_KUNIT(protkey_pkey_derive_split);

/**
 * protkey_pkey_xflags() - the xflags of a derive
 * @flags: &enum protkey_derive_flags of the platform call
 * @noclearkey: the kernel's pkey knows PKEY_XFLAG_NOCLEARKEY
 *
 * PKEY_XFLAG_NOMEMALLOC exactly when protkey.ko derives on the I/O path
 * (pkey then uses preallocated memory only, v6.16 asm/pkey.h);
 * PKEY_XFLAG_NOCLEARKEY always where pkey has it: this platform promises
 * PROTKEY_PLATFORM_F_NO_CLEAR_KEY, and pkey then refuses clear-key tokens
 * itself (-EINVAL, patch "s390/pkey: ... NOCLEARKEY", 2026).
 *
 * Context: any.
 * Return: the xflags for pkey_key2protkey().
 */
u32 protkey_pkey_xflags(u32 flags, bool noclearkey)
{
	u32 x = 0;

	if (flags & PROTKEY_DERIVE_NOMEMALLOC)
		x |= PROTKEY_PKEY_XFLAG_NOMEMALLOC;
	if (noclearkey)
		x |= PROTKEY_PKEY_XFLAG_NOCLEARKEY;
	return x;
}
EXPORT_SYMBOL_IF_KUNIT(protkey_pkey_xflags);

/**
 * protkey_pkey_derive_xflags() - derive through the v6.16 shape
 * @fn: pkey_key2protkey() of v6.16 on, or a fake with its arguments
 * @blob: the secure key
 * @len: its length
 * @pk: output: the protected key
 * @flags: &enum protkey_derive_flags
 * @noclearkey: pass PKEY_XFLAG_NOCLEARKEY (the kernel's pkey knows it)
 *
 * Context: process context; may sleep.
 * Return: 0, or an errno of protkey_pkey_map_errno().
 */
int protkey_pkey_derive_xflags(protkey_pkey_xflags_fn fn, const u8 *blob,
			       u32 len, struct protkey_pk *pk, u32 flags,
			       bool noclearkey)
{
	u8 buf[PROTKEY_MAX_PROTKEY_SIZE];
	u32 pklen = sizeof(buf), type = 0;
	int ret;

	ret = fn(blob, len, buf, &pklen, &type,
		 protkey_pkey_xflags(flags, noclearkey));
	if (!ret)
		return pk_take(pk, buf, sizeof(buf), pklen, type);
	memzero_explicit(buf, sizeof(buf));
	return protkey_pkey_map_errno(ret);
}
EXPORT_SYMBOL_IF_KUNIT(protkey_pkey_derive_xflags);

/**
 * struct pkey_errno_map - one row of the errno table
 * @pkey: the errno pkey returns
 * @ours: what &protkey_platform_ops.derive returns for it
 */
struct pkey_errno_map {
	int pkey;
	int ours;
};

/*
 * pkey's errnos onto the classes of &protkey_platform_ops.derive, which
 * protkey.ko's re-derive worker acts on (rederive.c derive_retryable()):
 * -ENODEV "no usable adapter" and -EBUSY "busy" are retried with backoff
 * until rekey_timeout_ms, -ENOENT (a UV secret not yet added again) too;
 * everything else is hard and fails the parked requests at once.
 */
/* clang-format off */
static const struct pkey_errno_map pkey_errnos[] = {
	/*
	 * No APQN holds the key's master key in CURRENT or OLD, or none is
	 * online: K61 zcrypt_ccamisc.c cca_findcard() and
	 * zcrypt_ep11misc.c ep11_findcard2(); v6.12 pkey_api.c key2protkey()
	 * when no handler succeeds. Retryable: right after a relocation the
	 * adapters are often not back yet.
	 */
	{ -ENODEV,	-ENODEV },
	/*
	 * The AP bus's first scan did not finish within 60 s; remembered
	 * and returned by every later call (K61 zcrypt_api.c
	 * zcrypt_wait_api_operational()). No adapter usable.
	 */
	{ -ETIME,	-ENODEV },
	/*
	 * CCA reply 8/2290 (K61 zcrypt_ccamisc.c cca_sec2protkey()); K61
	 * paes_s390.c __paes_keyblob2pkey() retries exactly this one.
	 */
	{ -EAGAIN,	-EBUSY },
	/* Busy card: v6.16 paes_s390.c convert_key() retries -EBUSY. */
	{ -EBUSY,	-EBUSY },
	/*
	 * Under PKEY_XFLAG_NOMEMALLOC pkey fails with -ENOMEM when its
	 * preallocated memory is used up (v6.16 asm/pkey.h); our interface
	 * asks for -EBUSY then (PROTKEY_DERIVE_NOMEMALLOC), and memory
	 * pressure is transient either way.
	 */
	{ -ENOMEM,	-EBUSY },
	/*
	 * A UV secret token whose secret is not in the Ultravisor's store
	 * (pkey_uv.c, v6.12 on; upstream-facts.md 1.6, not read line by
	 * line): retryable in protkey.ko until the secrets are added again
	 * after a guest reboot, as on the emulated platform.
	 */
	{ -ENOENT,	-ENOENT },
	/*
	 * Malformed or unsupported token (K61 pkey_api.c
	 * pkey_keyblob2pkey()); a clear-key token under
	 * PKEY_XFLAG_NOCLEARKEY.
	 */
	{ -EINVAL,	-EINVAL },
	/*
	 * A protected-key token whose WKVP no longer matches (K61 pkey_api.c
	 * pkey_nonccatok2pkey()); protkey.ko never passes such a token.
	 */
	{ -EKEYREJECTED, -EINVAL },
	/*
	 * The adapter rejected the request, or zcrypt gave up retrying
	 * (K61 zcrypt_ccamisc.c card response codes, zcrypt_api.c
	 * TRACK_AGAIN_MAX).
	 */
	{ -EIO,		-EIO },
	/*
	 * The calling task was signalled (K61 zcrypt_api.c
	 * mutex_lock_interruptible(), -ERESTARTSYS from its waits). Only
	 * setkey and update run in a task that can be signalled; the
	 * re-derive worker never is.
	 */
	{ -EINTR,	-EINTR },
	{ -ERESTARTSYS,	-EINTR },
};

/* clang-format on */

/**
 * protkey_pkey_map_errno() - pkey's errno in the interface's classes
 * @err: a negative errno from pkey
 *
 * Context: any.
 * Return: the errno of the table above; -EIO (hard) for an errno it does
 * not list, so nothing unknown is ever retried forever.
 */
int protkey_pkey_map_errno(int err)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(pkey_errnos); i++) {
		if (pkey_errnos[i].pkey == err)
			return pkey_errnos[i].ours;
	}
	return -EIO;
}
EXPORT_SYMBOL_IF_KUNIT(protkey_pkey_map_errno);
