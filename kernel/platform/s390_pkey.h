/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The version-independent half of protkey's s390 platform: how a derive is
 * marshalled into each shape of pkey's in-kernel API, and how pkey's errnos
 * map onto the error classes of &protkey_platform_ops.derive. It compiles
 * on every architecture, so that the KUnit suite protkey_s390_pkey tests it
 * against fakes on the x86_64 test kernel; only s390.c, which calls pkey
 * itself, is built for s390 alone.
 */
#ifndef _PROTKEY_S390_PKEY_H
#define _PROTKEY_S390_PKEY_H

#include <linux/types.h>

#include "platform.h"

/**
 * enum protkey_pkey_shape - the shapes of pkey's derive call over the releases
 * @PROTKEY_PKEY_KEYBLOB2PKEY: v6.1 (Debian 12) to v6.4:
 *	``int pkey_keyblob2pkey(const u8 *key, u32 keylen,
 *	struct pkey_protkey *protkey)`` (arch/s390/include/asm/pkey.h, K61)
 * @PROTKEY_PKEY_KEYBLOB2PKEY_SPLIT: v6.5 to v6.11: the same name with the
 *	protected key split into ``u8 *protkey, u32 *protkeylen,
 *	u32 *protkeytype`` (commit f370f45c6475 "s390/pkey: do not use struct
 *	pkey_protkey", merged for v6.5)
 * @PROTKEY_PKEY_KEY2PROTKEY: v6.12 to v6.15, after the pkey split into a
 *	base module and handlers: ``int pkey_key2protkey(const u8 *key,
 *	u32 keylen, u8 *protkey, u32 *protkeylen, u32 *protkeytype)``
 *	(drivers/s390/crypto/pkey_api.c)
 * @PROTKEY_PKEY_KEY2PROTKEY_XFLAGS: v6.16 on: pkey_key2protkey() with a
 *	trailing ``u32 xflags`` (PKEY_XFLAG_NOMEMALLOC, later also
 *	PKEY_XFLAG_NOCLEARKEY; arch/s390/include/asm/pkey.h)
 *
 * Every one of them is exported with EXPORT_SYMBOL, not _GPL
 * (drivers/s390/crypto/pkey_api.c in K61 and upstream).
 */
enum protkey_pkey_shape {
	PROTKEY_PKEY_KEYBLOB2PKEY,
	PROTKEY_PKEY_KEYBLOB2PKEY_SPLIT,
	PROTKEY_PKEY_KEY2PROTKEY,
	PROTKEY_PKEY_KEY2PROTKEY_XFLAGS,
};

/* MAXPROTKEYSIZE of arch/s390/include/uapi/asm/pkey.h (K61 and upstream). */
#define PROTKEY_PKEY_MAXPROTKEYSIZE 64
/* The xflags bits of arch/s390/include/asm/pkey.h (v6.16 on). */
#define PROTKEY_PKEY_XFLAG_NOMEMALLOC 0x0001
#define PROTKEY_PKEY_XFLAG_NOCLEARKEY 0x0002

/**
 * struct protkey_pkey_protkey - the layout of struct pkey_protkey
 * @type: PKEY_KEYTYPE_* of the protected key
 * @len: bytes used in @protkey
 * @protkey: the wrapped key and its WKVP
 *
 * struct pkey_protkey of arch/s390/include/uapi/asm/pkey.h (K61: u32 type,
 * u32 len, u8 protkey[MAXPROTKEYSIZE]), for the v6.1 shape; s390.c checks
 * at build time that the two agree.
 */
struct protkey_pkey_protkey {
	u32 type;
	u32 len;
	u8 protkey[PROTKEY_PKEY_MAXPROTKEYSIZE];
};

/* The v6.1 shape, with the uapi struct in its mirror layout. */
typedef int (*protkey_pkey_blob_fn)(const u8 *key, u32 keylen,
				    struct protkey_pkey_protkey *protkey);
/* The split shapes of v6.5 and v6.12 (same arguments, other names). */
typedef int (*protkey_pkey_split_fn)(const u8 *key, u32 keylen, u8 *protkey,
				     u32 *protkeylen, u32 *protkeytype);
/* The v6.16 shape. */
typedef int (*protkey_pkey_xflags_fn)(const u8 *key, u32 keylen, u8 *protkey,
				      u32 *protkeylen, u32 *protkeytype,
				      u32 xflags);

int protkey_pkey_derive_blob(protkey_pkey_blob_fn fn, const u8 *blob, u32 len,
			     struct protkey_pk *pk);
int protkey_pkey_derive_split(protkey_pkey_split_fn fn, const u8 *blob, u32 len,
			      struct protkey_pk *pk);
int protkey_pkey_derive_xflags(protkey_pkey_xflags_fn fn, const u8 *blob,
			       u32 len, struct protkey_pk *pk, u32 flags,
			       bool noclearkey);
u32 protkey_pkey_xflags(u32 flags, bool noclearkey);
int protkey_pkey_key_info(const u8 *blob, u32 len,
			  struct protkey_key_info *info);
int protkey_pkey_check_pk(const struct protkey_pk *pk);
int protkey_pkey_map_errno(int err);

#endif /* _PROTKEY_S390_PKEY_H */
