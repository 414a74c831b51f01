// SPDX-License-Identifier: GPL-2.0-only
/*
 * Secure-key tokens: a table of token formats, each with a strict parser.
 * CCA AES DATA (64 bytes, type 0x01, version 0x04) is the one format
 * supported; the others are known by their header so that the error says
 * what the key is. The checks mirror the kernel's (kernel/emu/token.c and
 * protkey_key_validate()): a token the kernel would refuse never enters
 * the repository. Multi-byte fields are big-endian, as on IBM Z.
 *
 * CCA AES DATA layout (offsets): 0 type, 1..3 reserved, 4 version,
 * 5 reserved, 6 flag, 7 LRC, 8..15 MKVP, 16..47 enciphered key,
 * 48..55 control vector, 56..57 bit size, 58..59 key size, 60..63 TVV.
 *
 * EP11 AES (pkey's ep11kblob_header and ep11keyblob): a 16-byte header
 * (0 type 0x00, 1 header version 0, 2..3 length, 4 version, 5 reserved,
 * 6..7 bit length, 8..15 reserved) and a 256-byte blob (0..31 session,
 * 32..47 the first 16 bytes of the wrapping key's verification pattern,
 * 48..55 attributes, 56..63 mode, 64..65 magic 0x1234, ...). Version
 * 0x06 puts the header before the blob (272 bytes, zkey pads it to 336);
 * version 0x03 overlays the header on the session field (256 bytes, zkey
 * pads to 320). The 16 WKVP bytes stand where the CCA MKVP stands: their
 * first 8 are the key's "MKVP" for the register match.
 *
 * Ultravisor secret (struct uvsecrettoken of pkey_uv.c): 0 type 0x00,
 * 1..3 reserved, 4 version 0x09, 5..7 reserved, 8..9 secret type,
 * 10..11 secret length, 12..43 secret ID; 44 bytes, as protkey.ko takes
 * it. It holds no key, only the ID of a secret the Ultravisor keeps.
 */
#include <errno.h>
#include <string.h>

#include "protkey.h"

#define CCA_TYPE_INTERNAL 0x01
#define CCA_VER_AESDATA 0x04
#define CCA_VER_AESCIPHER 0x05
#define CCA_FLAG_ENC_KEY 0x80
#define CCA_FLAG_CV 0x40

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static bool all_zero(const uint8_t *p, size_t n)
{
	while (n--)
		if (*p++)
			return false;
	return true;
}

/* CCA's token validation value: the sum of the words at bytes 0..59. */
uint32_t pk_cca_tvv(const uint8_t *tok)
{
	uint32_t sum = 0;
	int i;

	for (i = 0; i < 60; i += 4)
		sum += be32(tok + i);
	return sum;
}

/* Writes the TVV of a 64-byte CCA AES DATA token into its bytes 60..63. */
void pk_cca_set_tvv(uint8_t *tok)
{
	uint32_t tvv = pk_cca_tvv(tok);

	tok[60] = (uint8_t)(tvv >> 24);
	tok[61] = (uint8_t)(tvv >> 16);
	tok[62] = (uint8_t)(tvv >> 8);
	tok[63] = (uint8_t)tvv;
}

static int cca_aesdata_parse(const uint8_t *t, size_t len,
			     struct pk_token_info *info, struct pk_err *err)
{
	unsigned int bits;

	if (len != PK_CCA_AESDATA_SIZE)
		return pk_err_set(err, -EINVAL,
				  "CCA-AESDATA token of %zu bytes, expected %d",
				  len, PK_CCA_AESDATA_SIZE);
	if (!all_zero(t + 1, 3) || t[5])
		return pk_err_set(err, -EINVAL,
				  "CCA-AESDATA token: reserved bytes not zero");
	if ((t[6] & ~CCA_FLAG_CV) != CCA_FLAG_ENC_KEY)
		return pk_err_set(
			err, -EINVAL,
			"CCA-AESDATA token: flag 0x%02x, expected 0x80", t[6]);
	if (!all_zero(t + 48, 8))
		return pk_err_set(err, -EINVAL,
				  "CCA-AESDATA token: control vector not zero");
	bits = be16(t + 56);
	if (bits != 128 && bits != 192 && bits != 256)
		return pk_err_set(err, -EINVAL,
				  "CCA-AESDATA token: key size %u bits", bits);
	if (be16(t + 58) != 32)
		return pk_err_set(
			err, -EINVAL,
			"CCA-AESDATA token: enciphered key size %u, expected 32",
			be16(t + 58));
	if (be32(t + 60) != pk_cca_tvv(t))
		return pk_err_set(
			err, -EINVAL,
			"CCA-AESDATA token: bad token validation value");
	if (all_zero(t + 8, 8))
		return pk_err_set(
			err, -EINVAL,
			"CCA-AESDATA token: master-key verification pattern is zero");
	info->bits = bits;
	info->mkvp = (uint64_t)be32(t + 8) << 32 | be32(t + 12);
	return 0;
}

#define EP11_TYPE 0x00
#define EP11_VER_NOHDR 0x03
#define EP11_VER_HDR 0x06
#define EP11_HDR_SIZE 16
#define EP11_BLOB_SIZE 256
#define EP11_MAGIC 0x1234
#define EP11_ATTR_PKEY_EXTRACTABLE 0x00200000ULL

static uint64_t be64(const uint8_t *p)
{
	return (uint64_t)be32(p) << 32 | be32(p + 4);
}

/*
 * The checks of pkey (ep11_check_aes_key_with_hdr(), ep11_check_aes_key())
 * and those the emulated adapter makes (kernel/emu/token.c): the sizes,
 * header, magic, PKEY_EXTRACTABLE, no session binding, the bit length,
 * zero mode and padding.
 */
static int ep11_parse(const uint8_t *t, size_t len, struct pk_token_info *info,
		      struct pk_err *err, bool hdr)
{
	const uint8_t *b = t + (hdr ? EP11_HDR_SIZE : 0);
	size_t min = hdr ? EP11_HDR_SIZE + EP11_BLOB_SIZE : EP11_BLOB_SIZE;
	size_t skip = hdr ? 0 : EP11_HDR_SIZE;
	unsigned int bits = be16(t + 6), hlen = be16(t + 2);

	if (len < min || len > PK_EP11_MAX_SIZE)
		return pk_err_set(
			err, -EINVAL,
			"EP11-AES key of %zu bytes, expected %zu to %d", len,
			min, PK_EP11_MAX_SIZE);
	if (hdr && (t[1] || t[5] || !all_zero(t + 8, 8)))
		return pk_err_set(
			err, -EINVAL,
			"EP11-AES key: header version or reserved bytes not zero");
	if (hlen != min)
		return pk_err_set(
			err, -EINVAL,
			"EP11-AES key: header length %u, expected %zu", hlen,
			min);
	if (!all_zero(t + hlen, len - hlen))
		return pk_err_set(err, -EINVAL,
				  "EP11-AES key: bytes after the key not zero");
	if (be16(b + 64) != EP11_MAGIC)
		return pk_err_set(
			err, -EINVAL,
			"EP11-AES key: blob magic 0x%04x, expected 0x1234",
			be16(b + 64));
	if (!(be64(b + 48) & EP11_ATTR_PKEY_EXTRACTABLE))
		return pk_err_set(
			err, -EINVAL,
			"EP11-AES key: not PKEY_EXTRACTABLE, no protected key can be made from it");
	if (!all_zero(b + skip, 32 - skip))
		return pk_err_set(err, -EINVAL,
				  "EP11-AES key: bound to a session");
	if (!all_zero(b + 56, 8))
		return pk_err_set(err, -EINVAL,
				  "EP11-AES key: mode bits not zero");
	if (bits != 128 && bits != 192 && bits != 256)
		return pk_err_set(err, -EINVAL,
				  "EP11-AES key: key size %u bits", bits);
	if (all_zero(b + 32, PK_WKVP_SIZE))
		return pk_err_set(
			err, -EINVAL,
			"EP11-AES key: wrapping-key verification pattern is zero");
	info->bits = bits;
	memcpy(info->wkvp, b + 32, PK_WKVP_SIZE);
	info->has_wkvp = true;
	info->mkvp = be64(b + 32);
	return 0;
}

static int ep11_hdr_parse(const uint8_t *t, size_t len,
			  struct pk_token_info *info, struct pk_err *err)
{
	return ep11_parse(t, len, info, err, true);
}

static int ep11_nohdr_parse(const uint8_t *t, size_t len,
			    struct pk_token_info *info, struct pk_err *err)
{
	return ep11_parse(t, len, info, err, false);
}

#define UV_VER 0x09

/*
 * An Ultravisor secret token of an AES or AES-XTS secret (types 0x04 to
 * 0x08, as zkey's pvsecrets import makes them). An AES-XTS token is a
 * whole XTS key (full_xts; protkey.ko derives a full-XTS protected key);
 * bits are those of each of its two keys.
 */
static int uv_parse(const uint8_t *t, size_t len, struct pk_token_info *info,
		    struct pk_err *err)
{
	unsigned int type;

	if (len != PK_UV_TOKEN_SIZE)
		return pk_err_set(
			err, -EINVAL,
			"PVSECRET-AES token of %zu bytes, expected %d", len,
			PK_UV_TOKEN_SIZE);
	if (!all_zero(t + 1, 3) || !all_zero(t + 5, 3))
		return pk_err_set(
			err, -EINVAL,
			"PVSECRET-AES token: reserved bytes not zero");
	/* The secret length is the UV list's; pkey does not look at it. */
	type = be16(t + 8);
	switch (type) {
	case 0x04:
		info->bits = 128;
		break;
	case 0x05:
		info->bits = 192;
		break;
	case 0x06:
		info->bits = 256;
		break;
	case 0x07:
		info->bits = 128;
		info->full_xts = true;
		break;
	case 0x08:
		info->bits = 256;
		info->full_xts = true;
		break;
	default:
		return pk_err_set(
			err, -EINVAL,
			"PVSECRET-AES token: secret type 0x%02x is not an AES key",
			type);
	}
	info->has_secret_id = true;
	info->secret_type = (uint16_t)type;
	memcpy(info->secret_id, t + 12, PK_UV_SECRET_ID_SIZE);
	return 0;
}

/**
 * pk_uv_token_build() - the Ultravisor secret token of an AES secret
 * @type: the secret's type (0x04..0x06)
 * @len: its length
 * @id: its ID
 * @tok: receives the PK_UV_TOKEN_SIZE bytes
 */
void pk_uv_token_build(uint16_t type, uint16_t len,
		       const uint8_t id[PK_UV_SECRET_ID_SIZE], uint8_t *tok)
{
	memset(tok, 0, PK_UV_TOKEN_SIZE);
	tok[4] = UV_VER;
	tok[8] = (uint8_t)(type >> 8);
	tok[9] = (uint8_t)type;
	tok[10] = (uint8_t)(len >> 8);
	tok[11] = (uint8_t)len;
	memcpy(tok + 12, id, PK_UV_SECRET_ID_SIZE);
}

/**
 * struct token_type - one secure-key token format
 * @type: header byte 0
 * @version: header byte 4
 * @name: zkey's key-type name
 * @parse: strict parser, or NULL when the format is not supported yet
 */
struct token_type {
	uint8_t type;
	uint8_t version;
	const char *name;
	int (*parse)(const uint8_t *t, size_t len, struct pk_token_info *info,
		     struct pk_err *err);
};

static const struct token_type token_types[] = {
	{ CCA_TYPE_INTERNAL, CCA_VER_AESDATA, "CCA-AESDATA",
	  cca_aesdata_parse },
	{ CCA_TYPE_INTERNAL, CCA_VER_AESCIPHER, "CCA-AESCIPHER", NULL },
	{ EP11_TYPE, EP11_VER_NOHDR, "EP11-AES", ep11_nohdr_parse },
	{ EP11_TYPE, EP11_VER_HDR, "EP11-AES", ep11_hdr_parse },
	{ 0x00, UV_VER, "PVSECRET-AES", uv_parse },
};

/*
 * Parses one secure-key token. Return: 0, or -EINVAL with a message
 * naming the field that is wrong, or -EOPNOTSUPP for a known format that
 * protkey does not support yet.
 */
int pk_token_parse(const uint8_t *tok, size_t len, struct pk_token_info *info,
		   struct pk_err *err)
{
	const struct token_type *tt = NULL;
	size_t i;
	int ret;

	memset(info, 0, sizeof(*info));
	if (len < PK_TOKEN_HDR_SIZE)
		return pk_err_set(
			err, -EINVAL,
			"secure key of %zu bytes: shorter than a token header",
			len);
	for (i = 0; i < sizeof(token_types) / sizeof(token_types[0]); i++) {
		if (tok[0] == token_types[i].type &&
		    tok[4] == token_types[i].version) {
			tt = &token_types[i];
			break;
		}
	}
	if (!tt)
		return pk_err_set(
			err, -EINVAL,
			"unknown secure-key token type 0x%02x version 0x%02x",
			tok[0], tok[4]);
	if (!tt->parse)
		return pk_err_set(err, -EOPNOTSUPP,
				  "key type %s is not supported yet", tt->name);
	ret = tt->parse(tok, len, info, err);
	if (ret)
		return ret;
	info->type = tt->name;
	info->size = len;
	return 0;
}

/*
 * Parses an XTS secure key: two tokens of the same format and size back
 * to back, each valid, of the same key size (128 or 256 bits: XTS has no
 * AES-192), and different (the kernel refuses identical halves).
 */
int pk_xts_parse(const uint8_t *blob, size_t len, struct pk_xts_info *info,
		 struct pk_err *err)
{
	size_t half = len / 2;
	struct pk_err sub;
	int ret, i;

	memset(info, 0, sizeof(*info));
	if (!len || len % 2 || len > PK_XTS_BLOB_MAX)
		return pk_err_set(
			err, -EINVAL,
			"XTS secure key of %zu bytes: not two tokens of equal size",
			len);
	/* One AES-XTS secret token: the whole XTS key (full-XTS). */
	if (!pk_token_parse(blob, len, &info->half[0], NULL) &&
	    info->half[0].full_xts) {
		info->half[1] = info->half[0];
		info->key_size_bits = (unsigned int)len * 8;
		return 0;
	}
	/* A whole non-XTS key: say so rather than blame a half of it. */
	if (!pk_token_parse(blob, len, &info->half[0], NULL)) {
		ret = pk_err_set(
			err, -EINVAL,
			"one %s secure key of %zu bytes, not an XTS key (two back to back)",
			info->half[0].type, len);
		memset(info, 0, sizeof(*info));
		return ret;
	}
	for (i = 0; i < 2; i++) {
		ret = pk_token_parse(blob + i * half, half, &info->half[i],
				     &sub);
		if (ret)
			return pk_err_set(
				err, ret,
				"XTS secure key of %zu bytes: %s key half: %s",
				len, i ? "tweak" : "data", sub.msg);
	}
	if (info->half[0].full_xts || info->half[1].full_xts)
		return pk_err_set(
			err, -EINVAL,
			"XTS secure key: an AES-XTS secret token is a whole XTS key (full-XTS), not a half");
	if (info->half[0].type != info->half[1].type ||
	    info->half[0].bits != info->half[1].bits)
		return pk_err_set(
			err, -EINVAL,
			"XTS secure key: halves of different type or size");
	if (info->half[0].bits != 128 && info->half[0].bits != 256)
		return pk_err_set(
			err, -EINVAL,
			"XTS secure key: AES-%u, XTS needs AES-128 or AES-256",
			info->half[0].bits);
	if (!memcmp(blob, blob + half, half))
		return pk_err_set(
			err, -EINVAL,
			"XTS secure key: both halves are the same key");
	info->key_size_bits = (unsigned int)len * 8;
	return 0;
}
