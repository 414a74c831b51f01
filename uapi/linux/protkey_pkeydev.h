/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * The /dev/pkey ioctl ABI, restated for protkey.
 *
 * These are the numbers and struct layouts of the IBM Z pkey driver's
 * character device (the uapi header arch/s390/include/uapi/asm/pkey.h of
 * Linux; layouts checked against Debian's linux-source-6.1), under our own
 * names so that this header builds on every architecture and never clashes
 * with <asm/pkey.h>. protkeyctl and the LUKS2 token plugin use them against
 * the real driver on IBM Z and against protkey_emu.ko's emulated device
 * elsewhere; the emulator implements the subset listed below.
 *
 * Only 64-bit callers are supported: the structs hold user pointers, and
 * neither pkey nor the emulator offers a compat_ioctl.
 */
#ifndef _UAPI_LINUX_PROTKEY_PKEYDEV_H
#define _UAPI_LINUX_PROTKEY_PKEYDEV_H

#include <linux/ioctl.h>
#include <linux/types.h>

#ifndef __KERNEL__
#ifndef __user
#define __user
#endif
#endif

#define PROTKEY_PKEY_DEVICE "/dev/pkey"
#define PROTKEY_PKEY_IOCTL_MAGIC 'p'

/* Key blob types (pkey's enum pkey_key_type). */
#define PROTKEY_PKEY_TYPE_CCA_DATA 1U
#define PROTKEY_PKEY_TYPE_CCA_CIPHER 2U
#define PROTKEY_PKEY_TYPE_EP11 3U /* EP11 AES blob, header inside */
#define PROTKEY_PKEY_TYPE_EP11_AES 6U /* EP11 AES blob with 16-byte header */
#define PROTKEY_PKEY_TYPE_EP11_ECC 7U
#define PROTKEY_PKEY_TYPE_CCA_ECC 0x1fU

/* Key sizes (pkey's enum pkey_key_size): bits. */
#define PROTKEY_PKEY_SIZE_AES_128 128U
#define PROTKEY_PKEY_SIZE_AES_192 192U
#define PROTKEY_PKEY_SIZE_AES_256 256U
#define PROTKEY_PKEY_SIZE_UNKNOWN 0xffffffffU

/* Protected-key types returned by PROTKEY_PKEY_KBLOB2PROTK3. */
#define PROTKEY_PKEY_KEYTYPE_AES_128 1U
#define PROTKEY_PKEY_KEYTYPE_AES_192 2U
#define PROTKEY_PKEY_KEYTYPE_AES_256 3U

/* Master-key match flags (VERIFYKEY2 output, APQNS4K/APQNS4KT input). */
#define PROTKEY_PKEY_FLAGS_MATCH_CUR_MKVP 0x00000002U
#define PROTKEY_PKEY_FLAGS_MATCH_ALT_MKVP 0x00000004U

/* "Any card" or "any domain" in VERIFYKEY2's card and domain. */
#define PROTKEY_PKEY_ANY 0xffffU

/* Sizes pkey checks (SECKEYBLOBSIZE, MIN/MAXEP11AESKEYBLOBSIZE). */
#define PROTKEY_PKEY_SECKEY_SIZE 64U
#define PROTKEY_PKEY_EP11_MIN_SIZE 256U
#define PROTKEY_PKEY_EP11_MAX_SIZE 336U
#define PROTKEY_PKEY_EP11_HDR_SIZE 16U

/* struct pkey_apqn */
struct protkey_pkey_apqn {
	__u16 card;
	__u16 domain;
};

/* struct pkey_genseck2: generate a random secure key on one of @apqns. */
struct protkey_pkey_genseck2 {
	struct protkey_pkey_apqn __user *apqns; /* in: the APQNs to try */
	__u32 apqn_entries; /* in: how many */
	__u32 type; /* in: PROTKEY_PKEY_TYPE_* */
	__u32 size; /* in: PROTKEY_PKEY_SIZE_AES_* */
	__u32 keygenflags; /* in: pkey's PKEY_KEYGEN_* bits */
	__u8 __user *key; /* in: buffer for the blob, or NULL */
	__u32 keylen; /* in: its size; out: the blob's size */
};

/* struct pkey_verifykey2: check a blob, find an APQN that holds its MK. */
struct protkey_pkey_verifykey2 {
	__u8 __user *key; /* in: the blob */
	__u32 keylen; /* in: its size */
	__u16 cardnr; /* in/out: card, or PROTKEY_PKEY_ANY */
	__u16 domain; /* in/out: domain, or PROTKEY_PKEY_ANY */
	__u32 type; /* out: PROTKEY_PKEY_TYPE_* */
	__u32 size; /* out: PROTKEY_PKEY_SIZE_* */
	__u32 flags; /* out: PROTKEY_PKEY_FLAGS_MATCH_* */
};

/* struct pkey_apqns4key: the APQNs whose master key a blob names. */
struct protkey_pkey_apqns4key {
	__u8 __user *key; /* in: the blob */
	__u32 keylen; /* in: its size */
	__u32 flags; /* in: PROTKEY_PKEY_FLAGS_MATCH_*, at least one */
	struct protkey_pkey_apqn __user *apqns; /* in/out: the list, or NULL */
	__u32 apqn_entries; /* in: its room; out: APQNs found */
};

/* struct pkey_apqns4keytype: the APQNs for a key type and patterns. */
struct protkey_pkey_apqns4keytype {
	__u32 type; /* in: PROTKEY_PKEY_TYPE_* */
	__u8 cur_mkvp[32]; /* in: CCA: 8-byte MKVP; EP11: 16-byte WKVP */
	__u8 alt_mkvp[32]; /* in: CCA only: the OLD register's MKVP */
	__u32 flags; /* in: PROTKEY_PKEY_FLAGS_MATCH_*, 0 for any */
	struct protkey_pkey_apqn __user *apqns; /* in/out: the list, or NULL */
	__u32 apqn_entries; /* in: its room; out: APQNs found */
};

/* struct pkey_kblob2pkey3: derive a protected key on one of @apqns. */
struct protkey_pkey_kblob2pkey3 {
	__u8 __user *key; /* in: the blob */
	__u32 keylen; /* in: its size */
	struct protkey_pkey_apqn __user *apqns; /* in: exact APQNs to try */
	__u32 apqn_entries; /* in: how many, at least one */
	__u32 pkeytype; /* out: PROTKEY_PKEY_KEYTYPE_* */
	__u32 pkeylen; /* in: room at @pkey; out: protected key's size */
	__u8 __user *pkey; /* in: buffer for the protected key */
};

#define PROTKEY_PKEY_GENSECK2 \
	_IOWR(PROTKEY_PKEY_IOCTL_MAGIC, 0x11, struct protkey_pkey_genseck2)
#define PROTKEY_PKEY_VERIFYKEY2 \
	_IOWR(PROTKEY_PKEY_IOCTL_MAGIC, 0x17, struct protkey_pkey_verifykey2)
#define PROTKEY_PKEY_APQNS4K \
	_IOWR(PROTKEY_PKEY_IOCTL_MAGIC, 0x1B, struct protkey_pkey_apqns4key)
#define PROTKEY_PKEY_APQNS4KT \
	_IOWR(PROTKEY_PKEY_IOCTL_MAGIC, 0x1C, struct protkey_pkey_apqns4keytype)
#define PROTKEY_PKEY_KBLOB2PROTK3 \
	_IOWR(PROTKEY_PKEY_IOCTL_MAGIC, 0x1D, struct protkey_pkey_kblob2pkey3)

#endif /* _UAPI_LINUX_PROTKEY_PKEYDEV_H */
