/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * protkey platform seam: how protkey.ko reaches a protected-key platform.
 *
 * A platform backend (the IBM Z pkey/CPACF backend, or protkey_emu.ko)
 * fills a struct protkey_platform_ops and registers it. protkey.ko calls a
 * backend only through these ops and holds a reference on the backend's
 * module across every call, so a backend cannot go away under a caller.
 */
#ifndef _PROTKEY_PLATFORM_H
#define _PROTKEY_PLATFORM_H

#include <linux/bits.h>
#include <linux/list.h>
#include <linux/types.h>

struct module;

/* Sizes of the real platform (arch/s390/include/uapi/asm/pkey.h). */
#define PROTKEY_WKVP_SIZE 32
/* The largest protected key: full-XTS AES-256, 64 key bytes + WKVP. */
#define PROTKEY_MAX_PROTKEY_SIZE 96
/* The key field of the two-key XTS KM and PCC parameter blocks. */
#define PROTKEY_XTS_SLOT_SIZE 64
#define PROTKEY_AES_BLOCK_SIZE 16
/* Room for the text of &protkey_platform_ops.cause. */
#define PROTKEY_CAUSE_MAX 128

/**
 * enum protkey_pk_type - type of a protected key (the PKEY_KEYTYPE_* codes)
 * @PROTKEY_PK_AES_128: AES-128; 16 wrapped bytes + WKVP = 48 bytes
 * @PROTKEY_PK_AES_192: AES-192; 24 wrapped bytes + WKVP = 56 bytes
 * @PROTKEY_PK_AES_256: AES-256; 32 wrapped bytes + WKVP = 64 bytes
 * @PROTKEY_PK_AES_XTS_128: full-XTS AES-128: both 16-byte XTS keys wrapped
 *	together, then one WKVP = 64 bytes (PKEY_KEYTYPE_AES_XTS_128)
 * @PROTKEY_PK_AES_XTS_256: full-XTS AES-256: 2 x 32 wrapped bytes + WKVP
 *	= 96 bytes (PKEY_KEYTYPE_AES_XTS_256)
 */
enum protkey_pk_type {
	PROTKEY_PK_AES_128 = 1,
	PROTKEY_PK_AES_192 = 2,
	PROTKEY_PK_AES_256 = 3,
	PROTKEY_PK_AES_XTS_128 = 10,
	PROTKEY_PK_AES_XTS_256 = 11,
};

/**
 * protkey_pk_full_xts() - is @type a full-XTS protected key?
 * @type: &enum protkey_pk_type
 *
 * Return: true for PROTKEY_PK_AES_XTS_128 and PROTKEY_PK_AES_XTS_256.
 */
static inline bool protkey_pk_full_xts(u32 type)
{
	return type == PROTKEY_PK_AES_XTS_128 || type == PROTKEY_PK_AES_XTS_256;
}

/**
 * struct protkey_pk - a protected key as the platform returns it
 * @type: one of &enum protkey_pk_type
 * @len: bytes used in @protkey: the wrapped key followed by the
 *	32-byte wrapping-key verification pattern (WKVP)
 * @protkey: the wrapped key and its WKVP
 *
 * Mirrors the kernel's struct pkey_protkey. The wrapped key is usable only
 * by the platform's cipher primitives and only while the wrapping key that
 * the WKVP names is current; it reveals nothing of the clear key.
 */
struct protkey_pk {
	u32 type;
	u32 len;
	u8 protkey[PROTKEY_MAX_PROTKEY_SIZE];
};

/**
 * enum protkey_mk_match - which master-key register a secure key matches
 * @PROTKEY_MK_NONE: no usable adapter holds the key's master key
 * @PROTKEY_MK_CURRENT: an adapter's CURRENT register holds it
 * @PROTKEY_MK_OLD: only an OLD register holds it (re-encipher soon)
 * @PROTKEY_MK_NEW: only a NEW register holds it (not yet activated)
 */
enum protkey_mk_match {
	PROTKEY_MK_NONE = 0,
	PROTKEY_MK_CURRENT = 1,
	PROTKEY_MK_OLD = 2,
	PROTKEY_MK_NEW = 3,
};

/**
 * struct protkey_key_info - what a backend reads from a secure key
 * @key_bits: AES key size in bits (128, 192 or 256)
 * @token_type: the token's type byte (0x01 for CCA internal)
 * @token_version: the token's version byte (0x04 for CCA AES DATA)
 * @mkvp: verification pattern of the master key that enciphers the key
 * @match: best master-key register match over the usable adapters
 * @usable_adapters: number of adapters that are online and usable now
 */
struct protkey_key_info {
	u32 key_bits;
	u8 token_type;
	u8 token_version;
	u64 mkvp;
	enum protkey_mk_match match;
	u32 usable_adapters;
};

/**
 * struct protkey_xts_km_param - parameter block of KM-XTS with a protected key
 * @key: protected key 1 (wrapped key + WKVP), AES-128 keys at offset 16
 *	as on the real CPU (CPACF_KM_PXTS_128 uses the last 48 bytes)
 * @init: XTS parameter: the current tweak, updated by each KM call
 *
 * The layout matches the real parameter block so that the s390 backend
 * can pass it to the instruction unchanged.
 */
struct protkey_xts_km_param {
	u8 key[PROTKEY_XTS_SLOT_SIZE];
	u8 init[PROTKEY_AES_BLOCK_SIZE];
};

/**
 * struct protkey_xts_pcc_param - parameter block of PCC (compute XTS parameter)
 * @key: protected key 2 (wrapped key + WKVP), same placement as in KM
 * @tweak: the IV (sector number, little endian for plain64)
 * @block: sequence number of the first block (zero for a whole sector)
 * @bit: bit index (zero)
 * @xts: output: the XTS parameter to load into &protkey_xts_km_param.init
 */
struct protkey_xts_pcc_param {
	u8 key[PROTKEY_XTS_SLOT_SIZE];
	u8 tweak[PROTKEY_AES_BLOCK_SIZE];
	u8 block[PROTKEY_AES_BLOCK_SIZE];
	u8 bit[PROTKEY_AES_BLOCK_SIZE];
	u8 xts[PROTKEY_AES_BLOCK_SIZE];
};

/**
 * struct protkey_xts_full_km_param - parameter block of full-XTS KM
 * @key: both wrapped XTS keys (key 1, then key 2) of a full-XTS protected
 *	key; an AES-128 pair (32 bytes) sits at offset 32, as paes_s390.c
 *	places it for CPACF_KM_PXTS_128_FULL (the block then starts at
 *	@key + 32 on the real CPU)
 * @tweak: the tweak (the IV), not encrypted: the CPU encrypts it with
 *	key 2 itself, there is no PCC step
 * @nap: the next alpha power: 1 (little endian) for the first block of a
 *	data unit, advanced by each KM call past the blocks it processed
 * @wkvp: the wrapping-key verification pattern of the protected key
 *
 * The layout matches the real parameter block (xts_full_km_param of
 * paes_s390.c), so the s390 backend can pass it to the instruction.
 */
struct protkey_xts_full_km_param {
	u8 key[2 * 32];
	u8 tweak[PROTKEY_AES_BLOCK_SIZE];
	u8 nap[PROTKEY_AES_BLOCK_SIZE];
	u8 wkvp[PROTKEY_WKVP_SIZE];
};

/**
 * enum protkey_km_dir - direction of a KM call (CPACF_ENCRYPT / CPACF_DECRYPT)
 * @PROTKEY_KM_ENCRYPT: encrypt
 * @PROTKEY_KM_DECRYPT: decrypt (the CPACF modifier bit 0x80)
 */
enum protkey_km_dir {
	PROTKEY_KM_ENCRYPT = 0,
	PROTKEY_KM_DECRYPT = 1,
};

/**
 * enum protkey_platform_flags - what a backend promises
 * @PROTKEY_PLATFORM_F_NO_CLEAR_KEY: the backend never turns a clear key
 *	into a protected key: @supports, @key_info and @derive of
 *	&struct protkey_platform_ops accept secure-key tokens only (those
 *	of protkey_token_check()) and refuse clear-key and protected-key
 *	tokens with -EINVAL, as pkey does with PKEY_XFLAG_NOCLEARKEY.
 *	Required: protkey_platform_register() refuses a backend without it.
 */
enum protkey_platform_flags {
	PROTKEY_PLATFORM_F_NO_CLEAR_KEY = BIT(0),
};

/**
 * enum protkey_derive_flags - flags of &protkey_platform_ops.derive
 * @PROTKEY_DERIVE_NOMEMALLOC: the derive is on the I/O path: requests wait
 *	for it that memory reclaim may wait for in turn. The backend must
 *	not allocate memory, not even with GFP_NOIO: only what it reserved
 *	in advance (as pkey and zcrypt use mempools under
 *	PKEY_XFLAG_NOMEMALLOC). When its reserves are exhausted it fails the
 *	call with -EBUSY, which protkey.ko retries with backoff. protkey.ko
 *	also calls it in a memalloc_noio_save() scope, so an allocation
 *	hidden in a callee cannot recurse into I/O either.
 */
enum protkey_derive_flags {
	PROTKEY_DERIVE_NOMEMALLOC = BIT(0),
};

/**
 * struct protkey_platform_ops - one protected-key platform backend
 * @name: short name, selected by protkey.ko's ``platform=`` parameter
 * @owner: the backend's module; protkey.ko pins it across each call
 * @flags: &enum protkey_platform_flags; must include
 *	PROTKEY_PLATFORM_F_NO_CLEAR_KEY. protkey.ko itself refuses every
 *	token that is not a secure key before it calls a backend; the flag
 *	is the backend's half of that contract (no clear key, ever).
 * @list: registry linkage, owned by the registry (RCU list)
 * @supports: does this backend handle this secure-key blob? Only looks at
 *	the bytes; atomic-safe, called under rcu_read_lock().
 * @key_info: parse a secure key and report its master-key match.
 *	May sleep. Return: 0, -EINVAL for a malformed token.
 * @derive: turn a secure key into a protected key under the current
 *	wrapping key (pkey_key2protkey() with its xflags): for most tokens
 *	an AES key (one XTS half), for the token of an Ultravisor AES-XTS
 *	secret a full-XTS key (both halves). @flags is a mask
 *	of &enum protkey_derive_flags; protkey.ko's re-derive worker passes
 *	PROTKEY_DERIVE_NOMEMALLOC, setkey and update pass 0. May sleep (an
 *	HSM round trip). Return: 0; -EINVAL for a malformed token; -ENODEV
 *	when no usable adapter holds the key's master key in CURRENT or OLD
 *	(real pkey cannot tell an outage from a missing master key either:
 *	use @key_info); -EIO for a request the adapter rejected; -EBUSY
 *	while adapters are busy; other errnos as the backend documents them.
 * @pcc_xts: compute the XTS parameter from protected key 2 (PCC).
 *	Never sleeps, no allocation. Return: 0, or -EKEYEXPIRED when the
 *	key's WKVP does not match the current wrapping key (condition code 1).
 * @km_xts: KM-XTS over @len bytes (a multiple of 16) from @src to @dst
 *	with protected key 1, updating &protkey_xts_km_param.init. Never
 *	sleeps, no allocation, callable in softirq. Return: the number of
 *	bytes processed; fewer than @len (usually 0) when the key's WKVP does
 *	not match the current wrapping key.
 * @km_xts_full: full-XTS KM (KM-XTS-Encrypted-AES-*-Full, function codes
 *	0x5a/0x5c) over @len bytes with a full-XTS protected key of @type,
 *	updating &protkey_xts_full_km_param.nap. Optional: NULL when the
 *	backend (or the CPU under it) has no full-XTS KM; protkey.ko then
 *	refuses full-XTS keys with -EINVAL, as paes does when
 *	cpacf_test_func() says the function is missing. Context and return
 *	as @km_xts.
 * @cause: optional: explain why a derive of @blob failed with @err, in
 *	words an administrator acts on ("queue 01.0005 not associated",
 *	"Ultravisor secret 1a2b... not in the secret store"), into @buf of
 *	@size bytes. May sleep and allocate (protkey.ko calls it from its
 *	event work, not the re-derive worker). Return: the length written,
 *	0 when there is nothing to add to the errno.
 * @wk_generation: a number that changes whenever the wrapping key
 *	changes, for telemetry only (the data path trusts only the short
 *	count). Atomic-safe.
 */
struct protkey_platform_ops {
	const char *name;
	struct module *owner;
	unsigned int flags;
	struct list_head list;

	bool (*supports)(const u8 *blob, u32 len);
	int (*key_info)(const u8 *blob, u32 len, struct protkey_key_info *info);
	int (*derive)(const u8 *blob, u32 len, struct protkey_pk *pk,
		      u32 flags);
	int (*pcc_xts)(enum protkey_pk_type type,
		       struct protkey_xts_pcc_param *param);
	unsigned int (*km_xts)(enum protkey_pk_type type,
			       enum protkey_km_dir dir,
			       struct protkey_xts_km_param *param, u8 *dst,
			       const u8 *src, unsigned int len);
	unsigned int (*km_xts_full)(enum protkey_pk_type type,
				    enum protkey_km_dir dir,
				    struct protkey_xts_full_km_param *param,
				    u8 *dst, const u8 *src, unsigned int len);
	int (*cause)(const u8 *blob, u32 len, int err, char *buf, size_t size);
	u64 (*wk_generation)(void);
};

int protkey_platform_register(struct protkey_platform_ops *ops);
void protkey_platform_unregister(struct protkey_platform_ops *ops);
struct protkey_platform_ops *protkey_platform_get(const char *name);
struct protkey_platform_ops *protkey_platform_get_for_key(const u8 *blob,
							  u32 len);
void protkey_platform_put(struct protkey_platform_ops *ops);

#if IS_ENABLED(CONFIG_KUNIT)
struct protkey_platform_ops *protkey_platform_select(const char *name,
						     const u8 *blob, u32 len);
#endif

#endif /* _PROTKEY_PLATFORM_H */
