// SPDX-License-Identifier: GPL-2.0-only
/*
 * protkey_emu secure-key tokens: a table of token formats, each with a
 * strict parser and a builder. The emulator knows three formats:
 *
 * - the 64-byte CCA AES DATA internal key token (type 0x01, version 0x04),
 *   laid out as the kernel's struct secaeskeytoken (zcrypt_ccamisc.h) and
 *   IBM's "AES internal fixed-length key token";
 * - the EP11 AES key blob with a 16-byte header in front (type 0x00,
 *   version 0x06, 272 bytes), and the older one whose header overlays the
 *   blob's session field (type 0x00, version 0x03, 256 bytes), laid out as
 *   the kernel's struct ep11kblob_header and struct ep11keyblob
 *   (zcrypt_ep11misc.h). pkey accepts both up to 336 bytes; the emulator
 *   makes them zero-padded to 336 and 320 bytes, as zkey stores them.
 *
 * All multi-byte fields are big-endian, as on IBM Z, so a token is
 * byte-identical on every host.
 *
 * What differs from a real adapter (the emulator's documented scheme): the
 * 32-byte key field is the clear key zero-padded to 32 bytes and encrypted
 * with AES-256-ECB under the 32-byte master key (CCA) or wrapping key
 * (EP11). A real adapter uses its own key wrapping, so emulated tokens are
 * not usable on real hardware and vice versa. The MKVP is CCA's: the first
 * 8 bytes of SHA-256(0x01 || MK). The EP11 WKVP is the emulator's:
 * SHA-256(0x02 || WK), of which a blob holds the first 16 bytes, and the
 * EP11 MAC is SHA-256(WK || WKVP || attr || bit length || key field): an
 * EP11 adapter refuses a blob whose MAC does not verify.
 */
#include <crypto/sha2.h>
#include <kunit/visibility.h>
#include <linux/build_bug.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <asm/byteorder.h>
#include <asm/unaligned.h>

#include "emu_core.h"

#define CCA_TOKTYPE_INTERNAL 0x01
#define CCA_TOKVER_AES 0x04

/* Flag byte (offset 6), IBM bit 0 is the most significant bit. */
#define CCA_FLAG_ENC_KEY 0x80 /* encrypted key and MKVP present */
#define CCA_FLAG_CV 0x40 /* control vector applied (all zero: DATA) */

/**
 * struct emu_cca_aes_token - CCA AES DATA internal key token, version 0x04
 * @type: 0x01, internal key token
 * @res0: implementation-dependent, zero
 * @version: 0x04
 * @res1: reserved, zero
 * @flag: 0x80 (encrypted key and MKVP present), optionally 0x40 (CV)
 * @lrc: XOR of the clear key bytes (the kernel's struct calls it res2)
 * @mkvp: master-key verification pattern, big-endian
 * @key: the encrypted key (see the file comment for the emulated scheme)
 * @cv: control vector: zero for a DATA key
 * @bitsize: clear key length in bits: 128, 192 or 256
 * @keysize: encrypted key length in bytes: always 32 when a key is present
 * @tvv: token validation value: the 32-bit sum, ignoring carries, of the
 *	fifteen big-endian words at bytes 0..59
 *
 * Packed because it is a wire format: 64 bytes with an unaligned __be64.
 */
struct emu_cca_aes_token {
	u8 type;
	u8 res0[3];
	u8 version;
	u8 res1;
	u8 flag;
	u8 lrc;
	__be64 mkvp;
	u8 key[EMU_ENC_KEY_SIZE];
	u8 cv[8];
	__be16 bitsize;
	__be16 keysize;
	__be32 tvv;
} __packed;

static_assert(sizeof(struct emu_cca_aes_token) == PROTKEY_EMU_SECKEY_SIZE);

/**
 * emu_token_tvv() - the CCA token validation value of a 64-byte token
 * @blob: the token (at least 60 bytes are read)
 *
 * Context: any context.
 * Return: the sum of the big-endian 32-bit words at bytes 0..59, modulo 2^32.
 */
u32 emu_token_tvv(const u8 *blob)
{
	u32 sum = 0;
	int i;

	for (i = 0; i < 60; i += 4)
		sum += get_unaligned_be32(blob + i);
	return sum;
}
EXPORT_SYMBOL_IF_KUNIT(emu_token_tvv);

/**
 * emu_token_lrc() - CCA's longitudinal redundancy check of a clear key
 * @clear: the clear key
 * @len: its length
 *
 * Context: any context.
 * Return: the XOR of all bytes.
 */
u8 emu_token_lrc(const u8 *clear, u32 len)
{
	u8 lrc = 0;

	while (len--)
		lrc ^= *clear++;
	return lrc;
}
EXPORT_SYMBOL_IF_KUNIT(emu_token_lrc);

static bool all_zero(const u8 *p, size_t n)
{
	return !memchr_inv(p, 0, n);
}

/*
 * What pkey checks itself before any adapter sees the token: the size
 * (pkey_keyblob2pkey()), type and version (cca_check_secaeskeytoken()),
 * and a non-zero MKVP (findcard()). Each failure is -EINVAL.
 */
static int cca_aes_check(const u8 *blob, u32 len, struct emu_token *tok)
{
	const struct emu_cca_aes_token *t = (const void *)blob;

	if (len != sizeof(*t))
		return -EINVAL;
	if (t->type != CCA_TOKTYPE_INTERNAL || t->version != CCA_TOKVER_AES)
		return -EINVAL;
	if (!t->mkvp)
		return -EINVAL;
	tok->type = &emu_token_cca_aesdata;
	tok->mkvp = be64_to_cpu(t->mkvp);
	return 0;
}

/*
 * What only the adapter finds, on a token that passed cca_aes_check():
 * reserved bytes, flag, control vector, bit and byte size, TVV. CCA answers
 * with a reply code, which cca_sec2protkey() turns into -EIO.
 */
static int cca_aes_parse(const u8 *blob, u32 len, struct emu_token *tok)
{
	const struct emu_cca_aes_token *t = (const void *)blob;
	u16 bits;

	if (!all_zero(t->res0, sizeof(t->res0)) || t->res1)
		return -EIO;
	if ((t->flag & ~CCA_FLAG_CV) != CCA_FLAG_ENC_KEY)
		return -EIO;
	if (!all_zero(t->cv, sizeof(t->cv)))
		return -EIO;
	bits = be16_to_cpu(t->bitsize);
	if (bits != 128 && bits != 192 && bits != 256)
		return -EIO;
	if (be16_to_cpu(t->keysize) != EMU_ENC_KEY_SIZE)
		return -EIO;
	if (be32_to_cpu(t->tvv) != emu_token_tvv(blob))
		return -EIO;

	tok->type = &emu_token_cca_aesdata;
	tok->key_bits = bits;
	tok->mkvp = be64_to_cpu(t->mkvp);
	tok->lrc = t->lrc;
	memcpy(tok->enc_key, t->key, sizeof(tok->enc_key));
	return 0;
}

static void cca_aes_build(const struct emu_token *tok, u8 *blob, u32 len)
{
	struct emu_cca_aes_token *t = (void *)blob;

	memset(t, 0, sizeof(*t));
	t->type = CCA_TOKTYPE_INTERNAL;
	t->version = CCA_TOKVER_AES;
	t->flag = CCA_FLAG_ENC_KEY;
	t->lrc = tok->lrc;
	t->mkvp = cpu_to_be64(tok->mkvp);
	memcpy(t->key, tok->enc_key, sizeof(t->key));
	t->bitsize = cpu_to_be16(tok->key_bits);
	t->keysize = cpu_to_be16(EMU_ENC_KEY_SIZE);
	t->tvv = cpu_to_be32(emu_token_tvv(blob));
}

const struct emu_token_type emu_token_cca_aesdata = {
	.name = "CCA-AESDATA",
	.mode = PROTKEY_EMU_MODE_CCA,
	.tok_type = CCA_TOKTYPE_INTERNAL,
	.tok_version = CCA_TOKVER_AES,
	.size = sizeof(struct emu_cca_aes_token),
	.min_size = sizeof(struct emu_cca_aes_token),
	.max_size = sizeof(struct emu_cca_aes_token),
	.check = cca_aes_check,
	.parse = cca_aes_parse,
	.build = cca_aes_build,
};
EXPORT_SYMBOL_IF_KUNIT(emu_token_cca_aesdata);

#define EP11_TOKTYPE_NON_CCA 0x00
#define EP11_TOKVER_NOHDR 0x03
#define EP11_TOKVER_HDR 0x06
#define EP11_STRUCT_MAGIC 0x1234
/* Blob sizes: the key blob itself, with the header, and pkey's maximum. */
#define EP11_BLOB_SIZE 256
#define EP11_HDR_SIZE 16

/**
 * struct emu_ep11_hdr - the header of an EP11 AES key (ep11kblob_header)
 * @type: 0x00, non-CCA
 * @hver: header version, 0
 * @len: length in bytes of the key: header and blob (version 0x06), or
 *	the blob alone (version 0x03)
 * @version: 0x06 or 0x03
 * @res0: reserved, zero
 * @bitlen: clear key length in bits: 128, 192 or 256
 * @res1: reserved, zero
 */
struct emu_ep11_hdr {
	u8 type;
	u8 hver;
	__be16 len;
	u8 version;
	u8 res0;
	__be16 bitlen;
	u8 res1[8];
} __packed;

/**
 * struct emu_ep11_blob - an EP11 AES key blob (ep11keyblob)
 * @session: session binding; all zero for a key that is not bound to a
 *	session (the only kind pkey can use). Version 0x03 keys keep their
 *	&struct emu_ep11_hdr in its first 16 bytes.
 * @wkvp: the leftmost 16 bytes of the wrapping key's verification pattern
 * @attr: boolean attributes (EMU_EP11_ATTR_*)
 * @mode: mode bits, zero
 * @version: EP11_STRUCT_MAGIC
 * @iv: zero (the emulator's scheme does not use it)
 * @enc: the encrypted key: the first 32 bytes are the emulator's key field,
 *	the rest is zero
 * @mac: the emulator's MAC (see the file comment)
 */
struct emu_ep11_blob {
	u8 session[32];
	u8 wkvp[EMU_EP11_BLOB_WKVP_SIZE];
	__be64 attr;
	__be64 mode;
	__be16 version;
	u8 iv[14];
	u8 enc[144];
	u8 mac[EMU_EP11_MAC_SIZE];
} __packed;

static_assert(sizeof(struct emu_ep11_hdr) == EP11_HDR_SIZE);
static_assert(sizeof(struct emu_ep11_blob) == EP11_BLOB_SIZE);
static_assert(EP11_HDR_SIZE + EP11_BLOB_SIZE <= PROTKEY_EMU_SECKEY_MAX_SIZE);

static bool ep11_has_hdr(const struct emu_token_type *tt)
{
	return tt->tok_version == EP11_TOKVER_HDR;
}

static const struct emu_ep11_blob *ep11_blob(const struct emu_token_type *tt,
					     const u8 *blob)
{
	return (const void *)(blob + (ep11_has_hdr(tt) ? EP11_HDR_SIZE : 0));
}

/*
 * What pkey checks itself (ep11_check_aes_key_with_hdr(),
 * ep11_check_aes_key() and pkey_keyblob2pkey() in the kernel): the length
 * range, the header's type, version (and, with a separate header only, its
 * header version) and length, the blob's magic, and that the key may be
 * exported as a protected key. Each failure is -EINVAL.
 */
static int ep11_check(const struct emu_token_type *tt, const u8 *blob, u32 len,
		      struct emu_token *tok)
{
	const struct emu_ep11_hdr *h = (const void *)blob;
	const struct emu_ep11_blob *b = ep11_blob(tt, blob);
	u32 hlen;

	if (len < tt->min_size || len > tt->max_size)
		return -EINVAL;
	if (h->type != EP11_TOKTYPE_NON_CCA || h->version != tt->tok_version ||
	    (ep11_has_hdr(tt) && h->hver))
		return -EINVAL;
	hlen = be16_to_cpu(h->len);
	if (hlen < tt->min_size || hlen > len)
		return -EINVAL;
	if (be16_to_cpu(b->version) != EP11_STRUCT_MAGIC)
		return -EINVAL;
	if (!(be64_to_cpu(b->attr) & EMU_EP11_ATTR_PKEY_EXTRACTABLE))
		return -EINVAL;
	tok->type = tt;
	memcpy(tok->wkvp, b->wkvp, sizeof(tok->wkvp));
	tok->mkvp = get_unaligned_be64(b->wkvp);
	return 0;
}

/*
 * What only the adapter finds: reserved bytes of a separate header, a
 * session binding (of version 0x03 keys, the session bytes after the
 * header overlay, which the adapter does not read otherwise), the bit
 * length, mode bits, a key field the emulator did not make, and bytes
 * after the key. The kernel maps EP11's return code to -EIO. The bit
 * length must be 128, 192 or 256: the kernel allows 0 for "unknown", but
 * the emulator's key field does not record the key size (the emulator's
 * choice).
 */
static int ep11_parse(const struct emu_token_type *tt, const u8 *blob, u32 len,
		      struct emu_token *tok)
{
	const struct emu_ep11_hdr *h = (const void *)blob;
	const struct emu_ep11_blob *b = ep11_blob(tt, blob);
	u32 hlen = be16_to_cpu(h->len);
	u32 skip = ep11_has_hdr(tt) ? 0 : EP11_HDR_SIZE;
	u16 bits = be16_to_cpu(h->bitlen);

	if (ep11_has_hdr(tt) &&
	    (h->res0 || !all_zero(h->res1, sizeof(h->res1))))
		return -EIO;
	if (!all_zero(b->session + skip, sizeof(b->session) - skip))
		return -EIO;
	if (bits != 128 && bits != 192 && bits != 256)
		return -EIO;
	if (b->mode || !all_zero(b->iv, sizeof(b->iv)) ||
	    !all_zero(b->enc + EMU_ENC_KEY_SIZE,
		      sizeof(b->enc) - EMU_ENC_KEY_SIZE))
		return -EIO;
	if (hlen != tt->min_size || !all_zero(blob + hlen, len - hlen))
		return -EIO;

	tok->type = tt;
	tok->key_bits = bits;
	memcpy(tok->wkvp, b->wkvp, sizeof(tok->wkvp));
	tok->mkvp = get_unaligned_be64(b->wkvp);
	tok->attr = be64_to_cpu(b->attr);
	memcpy(tok->mac, b->mac, sizeof(tok->mac));
	memcpy(tok->enc_key, b->enc, sizeof(tok->enc_key));
	return 0;
}

static void ep11_build(const struct emu_token *tok, u8 *blob, u32 len)
{
	const struct emu_token_type *tt = tok->type;
	struct emu_ep11_hdr *h = (void *)blob;
	struct emu_ep11_blob *b = (void *)ep11_blob(tt, blob);

	memset(blob, 0, len);
	/* Version 0x03: the header overlays the session field. */
	h->type = EP11_TOKTYPE_NON_CCA;
	h->len = cpu_to_be16(tt->min_size);
	h->version = tt->tok_version;
	h->bitlen = cpu_to_be16(tok->key_bits);
	memcpy(b->wkvp, tok->wkvp, sizeof(b->wkvp));
	b->attr = cpu_to_be64(tok->attr);
	b->version = cpu_to_be16(EP11_STRUCT_MAGIC);
	memcpy(b->enc, tok->enc_key, sizeof(tok->enc_key));
	memcpy(b->mac, tok->mac, sizeof(b->mac));
}

static int ep11_hdr_check(const u8 *blob, u32 len, struct emu_token *tok)
{
	return ep11_check(&emu_token_ep11_aes, blob, len, tok);
}

static int ep11_hdr_parse(const u8 *blob, u32 len, struct emu_token *tok)
{
	return ep11_parse(&emu_token_ep11_aes, blob, len, tok);
}

static int ep11_nohdr_check(const u8 *blob, u32 len, struct emu_token *tok)
{
	return ep11_check(&emu_token_ep11_aes_nohdr, blob, len, tok);
}

static int ep11_nohdr_parse(const u8 *blob, u32 len, struct emu_token *tok)
{
	return ep11_parse(&emu_token_ep11_aes_nohdr, blob, len, tok);
}

const struct emu_token_type emu_token_ep11_aes = {
	.name = "EP11-AES",
	.mode = PROTKEY_EMU_MODE_EP11,
	.tok_type = EP11_TOKTYPE_NON_CCA,
	.tok_version = EP11_TOKVER_HDR,
	.size = PROTKEY_EMU_SECKEY_MAX_SIZE,
	.min_size = EP11_HDR_SIZE + EP11_BLOB_SIZE,
	.max_size = PROTKEY_EMU_SECKEY_MAX_SIZE,
	.check = ep11_hdr_check,
	.parse = ep11_hdr_parse,
	.build = ep11_build,
};
EXPORT_SYMBOL_IF_KUNIT(emu_token_ep11_aes);

const struct emu_token_type emu_token_ep11_aes_nohdr = {
	.name = "EP11-AES-NOHDR",
	.mode = PROTKEY_EMU_MODE_EP11,
	.tok_type = EP11_TOKTYPE_NON_CCA,
	.tok_version = EP11_TOKVER_NOHDR,
	.size = EP11_BLOB_SIZE + 64,
	.min_size = EP11_BLOB_SIZE,
	.max_size = PROTKEY_EMU_SECKEY_MAX_SIZE,
	.check = ep11_nohdr_check,
	.parse = ep11_nohdr_parse,
	.build = ep11_build,
};
EXPORT_SYMBOL_IF_KUNIT(emu_token_ep11_aes_nohdr);

/**
 * emu_ep11_mac() - the emulator's MAC of an EP11 key blob
 * @wk: the wrapping key that enciphers the key
 * @tok: the key: @wkvp, @attr, @key_bits and @enc_key are covered
 * @mac: output
 *
 * SHA-256(WK || WKVP (16 bytes) || attr (8, big-endian) || bit length (2,
 * big-endian) || key field (32)): only the holder of the wrapping key can
 * make or check it, as a real EP11 blob's MAC.
 *
 * Context: any context.
 */
void emu_ep11_mac(const u8 wk[PROTKEY_EMU_MK_SIZE], const struct emu_token *tok,
		  u8 mac[EMU_EP11_MAC_SIZE])
{
	u8 in[PROTKEY_EMU_MK_SIZE + EMU_EP11_BLOB_WKVP_SIZE + 8 + 2 +
	      EMU_ENC_KEY_SIZE];
	u8 *p = in;

	memcpy(p, wk, PROTKEY_EMU_MK_SIZE);
	p += PROTKEY_EMU_MK_SIZE;
	memcpy(p, tok->wkvp, EMU_EP11_BLOB_WKVP_SIZE);
	p += EMU_EP11_BLOB_WKVP_SIZE;
	put_unaligned_be64(tok->attr, p);
	p += 8;
	put_unaligned_be16(tok->key_bits, p);
	p += 2;
	memcpy(p, tok->enc_key, EMU_ENC_KEY_SIZE);
	sha256(in, sizeof(in), mac);
	memzero_explicit(in, sizeof(in));
}
EXPORT_SYMBOL_IF_KUNIT(emu_ep11_mac);

static const struct emu_token_type *const emu_token_types[] = {
	&emu_token_cca_aesdata,
	&emu_token_ep11_aes,
	&emu_token_ep11_aes_nohdr,
};

/**
 * emu_token_type_of() - the token format KEY_GENERATE makes for a key type
 * @key_type: &enum protkey_emu_key_type
 *
 * Context: any context.
 * Return: the format, or NULL for an unknown key type.
 */
const struct emu_token_type *emu_token_type_of(u32 key_type)
{
	switch (key_type) {
	case PROTKEY_EMU_KEY_CCA_AESDATA:
		return &emu_token_cca_aesdata;
	case PROTKEY_EMU_KEY_EP11_AES:
		return &emu_token_ep11_aes;
	case PROTKEY_EMU_KEY_EP11_AES_NOHDR:
		return &emu_token_ep11_aes_nohdr;
	}
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(emu_token_type_of);

/**
 * emu_token_lookup() - find the token format of a blob by its header
 * @blob: the secure key
 * @len: its length
 *
 * Looks at the header bytes only (type at offset 0, version at offset 4,
 * the layout of the kernel's struct keytoken_header), not at the length.
 *
 * Context: any context; atomic-safe.
 * Return: the format, or NULL if the header is too short or unknown.
 */
const struct emu_token_type *emu_token_lookup(const u8 *blob, u32 len)
{
	unsigned int i;

	if (!blob || len < 8)
		return NULL;
	for (i = 0; i < ARRAY_SIZE(emu_token_types); i++) {
		if (blob[0] == emu_token_types[i]->tok_type &&
		    blob[4] == emu_token_types[i]->tok_version)
			return emu_token_types[i];
	}
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(emu_token_lookup);

/**
 * emu_token_check() - the checks the kernel's pkey makes on a secure key
 * @blob: the secure key
 * @len: its length in bytes
 * @tok: output: the format, the MKVP and, for EP11, the WKVP the key names
 *
 * Checks what pkey checks before it sends the token to an adapter: the
 * format is known, the size is in its range, and the header fields pkey
 * reads are right (see each format's check). What only the adapter finds
 * is emu_token_parse()'s.
 *
 * Context: any context.
 * Return: 0; -EINVAL for an unknown format or a token pkey refuses, as
 * pkey_keyblob2pkey(), cca_check_secaeskeytoken(), ep11_check_aes_key()
 * and ep11_check_aes_key_with_hdr() report it.
 */
int emu_token_check(const u8 *blob, u32 len, struct emu_token *tok)
{
	const struct emu_token_type *tt = emu_token_lookup(blob, len);

	if (!tt)
		return -EINVAL;
	memset(tok, 0, sizeof(*tok));
	return tt->check(blob, len, tok);
}
EXPORT_SYMBOL_IF_KUNIT(emu_token_check);

/**
 * emu_token_parse() - validate a secure-key token strictly and parse it
 * @blob: the secure key
 * @len: its length in bytes
 * @tok: output
 *
 * emu_token_check(), then what the adapter validates.
 *
 * Context: any context.
 * Return: 0; -EINVAL for what emu_token_check() refuses; -EIO for a token
 * the adapter rejects (CCA: a reserved byte, the flag, the control vector,
 * the bit or byte size, the TVV; EP11: a reserved byte, a session, the bit
 * length, the mode, the key field, bytes after the key), as the kernel
 * maps the adapter's reply code.
 */
int emu_token_parse(const u8 *blob, u32 len, struct emu_token *tok)
{
	int ret;

	ret = emu_token_check(blob, len, tok);
	if (ret)
		return ret;
	return tok->type->parse(blob, len, tok);
}
EXPORT_SYMBOL_IF_KUNIT(emu_token_parse);

/**
 * emu_token_build() - write a token in the format @tok->type names
 * @tok: the parsed form
 * @blob: output buffer
 * @len: its size: the format's min_size..max_size (CCA: exactly 64); the
 *	bytes after the key are zero
 *
 * Context: any context.
 * Return: 0; -EINVAL for a wrong buffer size or key size.
 */
int emu_token_build(const struct emu_token *tok, u8 *blob, u32 len)
{
	if (WARN_ON_ONCE(!tok->type) || len < tok->type->min_size ||
	    len > tok->type->max_size)
		return -EINVAL;
	if (tok->key_bits != 128 && tok->key_bits != 192 &&
	    tok->key_bits != 256)
		return -EINVAL;
	tok->type->build(tok, blob, len);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(emu_token_build);
