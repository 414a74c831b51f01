/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * protkey_emu core internals shared by main.c, token.c, adapter.c, cpacf.c
 * and the KUnit suites. The netlink family uses emu.h only.
 *
 * EMULATION ONLY: the clear master keys, the clear AES keys and the wrapping
 * key live in this module's memory. Nothing here is secure.
 */
#ifndef _PROTKEY_EMU_CORE_H
#define _PROTKEY_EMU_CORE_H

#include <linux/types.h>

#include "../platform.h"
#include "emu.h"

/* The emulator's APQNs: cards 0..n-1, all in this usage domain. */
#define EMU_DOMAIN 1
#define EMU_DEFAULT_ADAPTERS 2

/* Encrypted-key field of a CCA AES DATA token: always 32 bytes. */
#define EMU_ENC_KEY_SIZE 32
/* The WKVP bytes an EP11 key blob holds: the leftmost 16 of 32. */
#define EMU_EP11_BLOB_WKVP_SIZE 16
/* An EP11 key blob's MAC field; the emulator's MAC is a SHA-256. */
#define EMU_EP11_MAC_SIZE 32
/* EP11 attribute bits (zkey/ep11.h, the kernel's zcrypt_ep11misc.h). */
#define EMU_EP11_ATTR_EXTRACTABLE 0x00000001ULL
#define EMU_EP11_ATTR_DECRYPT 0x00000400ULL
#define EMU_EP11_ATTR_ENCRYPT 0x00000800ULL
#define EMU_EP11_ATTR_PKEY_EXTRACTABLE 0x00200000ULL
/* The kernel's KEY_ATTR_DEFAULTS of an EP11 AES key it generates. */
#define EMU_EP11_ATTR_DEFAULTS                                    \
	(EMU_EP11_ATTR_PKEY_EXTRACTABLE | EMU_EP11_ATTR_ENCRYPT | \
	 EMU_EP11_ATTR_DECRYPT)

struct emu_token_type;

/**
 * struct emu_token - a parsed secure-key token, independent of its layout
 * @type: the token type that parsed (or will build) it
 * @key_bits: AES key size in bits: 128, 192 or 256
 * @mkvp: verification pattern of the enciphering master key (host order;
 *	its big-endian bytes are the MKVP bytes); for EP11 the first 8 bytes
 *	of @wkvp, for reporting
 * @wkvp: EP11 only: the 16 WKVP bytes of the blob, matched against an
 *	adapter's CURRENT wrapping key
 * @attr: EP11 only: the blob's attribute bits (EMU_EP11_ATTR_*)
 * @mac: EP11 only: the blob's MAC (see token.c for the emulated scheme)
 * @lrc: XOR of the clear key bytes (CCA's LRC), checked after decryption
 * @enc_key: the key, zero-padded to 32 bytes and enciphered under the MK
 */
struct emu_token {
	const struct emu_token_type *type;
	u32 key_bits;
	u64 mkvp;
	u8 wkvp[EMU_EP11_BLOB_WKVP_SIZE];
	u64 attr;
	u8 mac[EMU_EP11_MAC_SIZE];
	u8 lrc;
	u8 enc_key[EMU_ENC_KEY_SIZE];
};

/**
 * struct emu_token_type - one secure-key token format (a table entry)
 * @name: zkey-style name, e.g. "CCA-AESDATA"
 * @mode: the adapter mode that handles it (&enum protkey_emu_mode)
 * @tok_type: header type byte (offset 0)
 * @tok_version: header version byte (offset 4)
 * @size: size in bytes of the tokens the emulator makes
 * @min_size: smallest size pkey accepts
 * @max_size: largest size pkey accepts
 * @check: the checks pkey makes before an adapter sees @blob of @len
 *	bytes (-EINVAL); fills the header fields of @tok: @type, @mkvp and,
 *	for EP11, @wkvp
 * @parse: the checks the adapter makes on @blob of @len bytes that passed
 *	@check (-EIO), and fill the rest of @tok
 * @build: write @tok into @blob of @len bytes (@min_size..@max_size)
 */
struct emu_token_type {
	const char *name;
	u32 mode;
	u8 tok_type;
	u8 tok_version;
	u32 size;
	u32 min_size;
	u32 max_size;
	int (*check)(const u8 *blob, u32 len, struct emu_token *tok);
	int (*parse)(const u8 *blob, u32 len, struct emu_token *tok);
	void (*build)(const struct emu_token *tok, u8 *blob, u32 len);
};

/* token.c */
const struct emu_token_type *emu_token_lookup(const u8 *blob, u32 len);
int emu_token_check(const u8 *blob, u32 len, struct emu_token *tok);
int emu_token_parse(const u8 *blob, u32 len, struct emu_token *tok);
int emu_token_build(const struct emu_token *tok, u8 *blob, u32 len);
u32 emu_token_tvv(const u8 *blob);
u8 emu_token_lrc(const u8 *clear, u32 len);
const struct emu_token_type *emu_token_type_of(u32 key_type);
void emu_ep11_mac(const u8 wk[PROTKEY_EMU_MK_SIZE], const struct emu_token *tok,
		  u8 mac[EMU_EP11_MAC_SIZE]);
extern const struct emu_token_type emu_token_cca_aesdata;
extern const struct emu_token_type emu_token_ep11_aes;
extern const struct emu_token_type emu_token_ep11_aes_nohdr;

/* adapter.c */
int emu_adapters_init(unsigned int nr, const u32 *modes);
void emu_adapters_exit(void);
void emu_adapters_set_outage(u32 outage_ms);
int emu_derive(const u8 *blob, u32 len, struct protkey_pk *pk);
int emu_derive_cause(const u8 *blob, u32 len, int err, char *buf, size_t size);
int emu_key_info(const u8 *blob, u32 len, struct protkey_key_info *info);
u64 emu_mkvp_of(const u8 mk[PROTKEY_EMU_MK_SIZE]);
void emu_wkvp_of(const u8 wk[PROTKEY_EMU_MK_SIZE],
		 u8 wkvp[PROTKEY_EMU_WKVP_SIZE]);
void emu_reset(void);

/* uv.c */
int emu_uv_secret_len(u32 type);
int emu_uv_build_request(const u8 image_key[PROTKEY_EMU_IMAGE_KEY_SIZE],
			 u32 type, const u8 id[PROTKEY_EMU_UV_ID_SIZE],
			 const u8 *secret, u32 len, const u8 nonce[16],
			 u8 *req);
bool emu_uv_is_association(u32 index);
bool emu_uv_token_supported(const u8 *blob, u32 len);
int emu_uv_derive(const u8 *blob, u32 len, struct protkey_pk *pk);
int emu_uv_cause(const u8 *blob, u32 len, int err, char *buf, size_t size);
int emu_uv_key_info(const u8 *blob, u32 len, struct protkey_key_info *info);
void emu_uv_reset(void);

/* cpacf.c */
int emu_cpacf_init(void);
void emu_cpacf_exit(void);
int emu_pk_wrap(const u8 *clear, u32 keylen, struct protkey_pk *pk);
int emu_pk_wrap_xts(const u8 *clear, u32 keylen, struct protkey_pk *pk);
int emu_pcc_xts(enum protkey_pk_type type, struct protkey_xts_pcc_param *param);
unsigned int emu_km_xts(enum protkey_pk_type type, enum protkey_km_dir dir,
			struct protkey_xts_km_param *param, u8 *dst,
			const u8 *src, unsigned int len);
unsigned int emu_km_xts_full(enum protkey_pk_type type, enum protkey_km_dir dir,
			     struct protkey_xts_full_km_param *param, u8 *dst,
			     const u8 *src, unsigned int len);
void emu_cpacf_set_lib_only(bool lib_only);
#if IS_ENABLED(CONFIG_KUNIT)
extern bool emu_km_warn_quiet;
bool emu_cpacf_caches(const u8 *key, unsigned int len);
#endif
int emu_pk_unwrap(const struct protkey_pk *pk, u8 *clear);

/**
 * enum emu_counter - indices of the per-CPU counters
 * @EMU_CNT_DERIVES: successful derives
 * @EMU_CNT_DERIVE_ERRORS: failed derives
 * @EMU_CNT_KM_CALLS: KM calls
 * @EMU_CNT_KM_SHORT: KM calls that ended short on a stale WKVP
 * @EMU_CNT_KM_PARTIAL: KM calls that stopped early (emu_km_partial())
 * @EMU_CNT_KM_BAD_LEN: KM calls with a length not a multiple of 16
 * @EMU_CNT_DERIVE_BUSY: derives the adapter answered with "busy"
 * @EMU_CNT_APQN_QUERIES: APQNs queried by derives (one per usable adapter)
 * @EMU_CNT_DERIVE_COST_US: simulated derive time in microseconds: base
 *	latency plus the per-APQN query cost
 * @EMU_CNT_PCC_CALLS: PCC calls
 * @EMU_CNT_PCC_STALE: PCC calls refused on a stale WKVP
 * @EMU_CNT_MIGRATIONS: wrapping-key changes
 * @EMU_CNT_KEYS_GENERATED: secure keys generated
 * @EMU_CNT_REENCIPHERS: secure keys re-enciphered
 * @EMU_CNT_MAX: number of counters
 */
enum emu_counter {
	EMU_CNT_DERIVES,
	EMU_CNT_DERIVE_ERRORS,
	EMU_CNT_KM_CALLS,
	EMU_CNT_KM_SHORT,
	EMU_CNT_PCC_CALLS,
	EMU_CNT_PCC_STALE,
	EMU_CNT_MIGRATIONS,
	EMU_CNT_KEYS_GENERATED,
	EMU_CNT_REENCIPHERS,
	EMU_CNT_KM_PARTIAL,
	EMU_CNT_KM_BAD_LEN,
	EMU_CNT_DERIVE_BUSY,
	EMU_CNT_APQN_QUERIES,
	EMU_CNT_DERIVE_COST_US,
	EMU_CNT_MAX,
};

/* main.c */
void emu_count(enum emu_counter c);
void emu_count_add(enum emu_counter c, u64 n);

#endif /* _PROTKEY_EMU_CORE_H */
