// SPDX-License-Identifier: GPL-2.0-only
/*
 * protkey_emu secure-key tokens: a table of token formats, each with a
 * strict parser and a builder. The emulator knows one format for now, the
 * 64-byte CCA AES DATA internal key token (type 0x01, version 0x04), laid
 * out as the kernel's struct secaeskeytoken (zcrypt_ccamisc.h) and IBM's
 * "AES internal fixed-length key token". All multi-byte fields are
 * big-endian, as on IBM Z, so a token is byte-identical on every host.
 *
 * What differs from a real adapter (the emulator's documented scheme): the
 * 32-byte key field is the clear key zero-padded to 32 bytes and encrypted
 * with AES-256-ECB under the 32-byte master key. A real CCA adapter uses its
 * own key wrapping, so emulated tokens are not usable on real hardware and
 * vice versa. The MKVP is CCA's: the first 8 bytes of SHA-256(0x01 || MK).
 */
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
static int cca_aes_check(const u8 *blob, u32 len, u64 *mkvp)
{
	const struct emu_cca_aes_token *t = (const void *)blob;

	if (len != sizeof(*t))
		return -EINVAL;
	if (t->type != CCA_TOKTYPE_INTERNAL || t->version != CCA_TOKVER_AES)
		return -EINVAL;
	if (!t->mkvp)
		return -EINVAL;
	*mkvp = be64_to_cpu(t->mkvp);
	return 0;
}

/*
 * What only the adapter finds, on a token that passed cca_aes_check():
 * reserved bytes, flag, control vector, bit and byte size, TVV. CCA answers
 * with a reply code, which cca_sec2protkey() turns into -EIO.
 */
static int cca_aes_parse(const u8 *blob, struct emu_token *tok)
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

static void cca_aes_build(const struct emu_token *tok, u8 *blob)
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
	.tok_type = CCA_TOKTYPE_INTERNAL,
	.tok_version = CCA_TOKVER_AES,
	.size = sizeof(struct emu_cca_aes_token),
	.check = cca_aes_check,
	.parse = cca_aes_parse,
	.build = cca_aes_build,
};
EXPORT_SYMBOL_IF_KUNIT(emu_token_cca_aesdata);

static const struct emu_token_type *const emu_token_types[] = {
	&emu_token_cca_aesdata,
};

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
 * @mkvp: output, the MKVP of the master key the token names
 *
 * Checks what pkey checks before it sends the token to an adapter: the
 * format is known, the size is exact, and the MKVP is not zero. What only
 * the adapter finds is emu_token_parse()'s.
 *
 * Context: any context.
 * Return: 0; -EINVAL for an unknown format, a wrong size or a zero MKVP, as
 * pkey_keyblob2pkey(), cca_check_secaeskeytoken() and findcard() report it.
 */
int emu_token_check(const u8 *blob, u32 len, u64 *mkvp)
{
	const struct emu_token_type *tt = emu_token_lookup(blob, len);

	if (!tt)
		return -EINVAL;
	return tt->check(blob, len, mkvp);
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
 * the adapter rejects (a reserved byte, the flag, the control vector, the
 * bit or byte size, the TVV), as cca_sec2protkey() maps CCA's reply code.
 */
int emu_token_parse(const u8 *blob, u32 len, struct emu_token *tok)
{
	u64 mkvp;
	int ret;

	ret = emu_token_check(blob, len, &mkvp);
	if (ret)
		return ret;
	return emu_token_lookup(blob, len)->parse(blob, tok);
}
EXPORT_SYMBOL_IF_KUNIT(emu_token_parse);

/**
 * emu_token_build() - write a token in the format @tok->type names
 * @tok: the parsed form
 * @blob: output buffer
 * @len: its size; must be the format's size
 *
 * Context: any context.
 * Return: 0; -EINVAL for a wrong buffer size or key size.
 */
int emu_token_build(const struct emu_token *tok, u8 *blob, u32 len)
{
	if (WARN_ON_ONCE(!tok->type) || len != tok->type->size)
		return -EINVAL;
	if (tok->key_bits != 128 && tok->key_bits != 192 &&
	    tok->key_bits != 256)
		return -EINVAL;
	tok->type->build(tok, blob);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(emu_token_build);
