// SPDX-License-Identifier: GPL-2.0-only
/*
 * Secure Execution in user space: secret IDs and pvsecret's names of the
 * secret types, the List Secrets page, and the emulator's add-secret
 * request (EMULATION ONLY: a real request is encrypted for IBM's host-key
 * documents and cannot be made here). The request format is
 * Documentation/emulator.rst's; the cryptography is OpenSSL's.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <linux/protkey_emu.h>

#include "protkey.h"

/* The ID pvsecret create gives a secret: SHA-256 of its name. */
void pk_uv_name_to_id(const char *name, uint8_t id[PK_UV_ID_SIZE])
{
	pk_sha256(name, strlen(name), id);
}

/*
 * pvsecret's names of the secret types (s390-tools pv_core
 * ListableSecretType and RetrievableSecret Display); @buf holds the name
 * of a type pvsecret calls Invalid or Unknown.
 */
const char *pk_uv_type_name(uint16_t type, char buf[PK_UV_TYPE_NAME_MAX])
{
	static const char *const names[] = {
		[0x02] = "Association",
		[0x03] = "PLAINTEXT",
		[0x04] = "AES-128-KEY",
		[0x05] = "AES-192-KEY",
		[0x06] = "AES-256-KEY",
		[0x07] = "AES-XTS-128-KEY",
		[0x08] = "AES-XTS-256-KEY",
		[0x09] = "HMAC-SHA-256-KEY",
		[0x0a] = "HMAC-SHA-512-KEY",
		[0x11] = "EC-SECP256R1-PRIVATE-KEY",
		[0x12] = "EC-SECP384R1-PRIVATE-KEY",
		[0x13] = "EC-SECP521R1-PRIVATE-KEY",
		[0x14] = "EC-ED25519-PRIVATE-KEY",
		[0x15] = "EC-ED448-PRIVATE-KEY",
	};

	if (type < sizeof(names) / sizeof(names[0]) && names[type])
		return names[type];
	snprintf(buf, PK_UV_TYPE_NAME_MAX, "%s(0x%04x)",
		 type <= 1 || type == 0x16 ? "Invalid" : "Unknown", type);
	return buf;
}

/*
 * A secret ID as pvsecret prints it (pv_core SecretId Display): the text
 * and " | " when the ID is printable ASCII or ASCII whitespace followed by
 * NULs only, then 0x and 64 hex digits.
 */
void pk_uv_id_str(const uint8_t *id, char *buf, size_t size)
{
	char hex[2 * PK_UV_ID_SIZE + 1];
	size_t n = strnlen((const char *)id, PK_UV_ID_SIZE), i;
	bool text = n > 0 && n < PK_UV_ID_SIZE;

	for (i = 0; text && i < PK_UV_ID_SIZE; i++)
		text = i < n ? (id[i] >= 0x20 && id[i] < 0x7f) ||
				       (id[i] >= 0x09 && id[i] <= 0x0d &&
					id[i] != 0x0b) :
			       !id[i];
	pk_hex_encode(id, PK_UV_ID_SIZE, hex);
	if (text)
		snprintf(buf, size, "%.*s | 0x%s", (int)n, (const char *)id,
			 hex);
	else
		snprintf(buf, size, "0x%s", hex);
}

/* The secret's length for a type the emulator stores; 0 for the others. */
unsigned int pk_uv_secret_len(uint16_t type)
{
	switch (type) {
	case PROTKEY_EMU_UV_SECRET_ASSOCIATION:
	case PROTKEY_EMU_UV_SECRET_AES_256:
	case PROTKEY_EMU_UV_SECRET_AES_XTS_128:
		return 32;
	case PROTKEY_EMU_UV_SECRET_AES_128:
		return 16;
	case PROTKEY_EMU_UV_SECRET_AES_192:
		return 24;
	case PROTKEY_EMU_UV_SECRET_AES_XTS_256:
		return 64;
	default:
		return 0;
	}
}

static uint16_t get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/**
 * pk_uv_list_parse() - decode one List Secrets page (struct uv_secret_list)
 * @page: PROTKEY_EMU_UV_LIST_SIZE bytes, big-endian
 * @list: receives the header and the entries
 * @err: the error
 *
 * Return: 0, or -EBADMSG for a page whose counts do not fit it.
 */
int pk_uv_list_parse(const uint8_t *page, struct pk_uv_list *list,
		     struct pk_err *err)
{
	const uint8_t *e;
	unsigned int i;

	memset(list, 0, sizeof(*list));
	list->n = get_be16(page);
	list->total = get_be16(page + 2);
	list->next_idx = get_be16(page + 4);
	if (list->n > PROTKEY_EMU_UV_LIST_ENTRIES || list->n > list->total)
		return pk_err_platform(err, -EBADMSG,
				       "secret list: %u entries of %u stored",
				       list->n, list->total);
	for (i = 0; i < list->n; i++) {
		e = page + 16 + 48 * i;
		list->e[i].index = get_be16(e);
		list->e[i].type = get_be16(e + 2);
		list->e[i].len = get_be32(e + 4);
		memcpy(list->e[i].id, e + 16, PK_UV_ID_SIZE);
	}
	return 0;
}

/* SHA-256(@label || @key): the emulator's keys of an image key. */
static void image_derive(const uint8_t *key, uint8_t label, uint8_t out[32])
{
	uint8_t in[1 + PROTKEY_EMU_IMAGE_KEY_SIZE];

	in[0] = label;
	memcpy(in + 1, key, PROTKEY_EMU_IMAGE_KEY_SIZE);
	pk_sha256(in, sizeof(in), out);
	explicit_bzero(in, sizeof(in));
}

static int aes_ctr(const uint8_t key[32], const uint8_t iv[16],
		   const uint8_t *in, int len, uint8_t *out)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int n = 0, fin = 0, ok;

	ok = c && EVP_EncryptInit_ex(c, EVP_aes_256_ctr(), NULL, key, iv) &&
	     EVP_EncryptUpdate(c, out, &n, in, len) &&
	     EVP_EncryptFinal_ex(c, out + n, &fin) && n + fin == len;
	EVP_CIPHER_CTX_free(c);
	return ok ? 0 : -EIO;
}

/**
 * pk_uv_request() - build an add-secret request for the emulated UV
 * @image_key: the emulated image's key (PROTKEY_EMU_IMAGE_KEY_SIZE bytes)
 * @type: &enum protkey_emu_uv_secret_type
 * @id: the secret's ID (PK_UV_ID_SIZE bytes)
 * @secret: the secret
 * @len: its length, as pk_uv_secret_len() for the type (1..64 for plain)
 * @nonce: 16 bytes, the initial counter block
 * @req: receives the request (PROTKEY_EMU_UV_REQ_MAX_SIZE bytes)
 * @err: the error
 *
 * EMULATION ONLY. The layout is Documentation/emulator.rst's "The
 * add-secret request".
 *
 * Return: the request's length, or a negative errno.
 */
int pk_uv_request(const uint8_t *image_key, uint16_t type, const uint8_t *id,
		  const uint8_t *secret, unsigned int len,
		  const uint8_t nonce[16], uint8_t *req, struct pk_err *err)
{
	const size_t hdr = PROTKEY_EMU_UV_REQ_HDR_SIZE;
	unsigned int mac_len = PROTKEY_EMU_UV_REQ_MAC_SIZE;
	uint8_t k[32];
	int ret;

	if (type == PROTKEY_EMU_UV_SECRET_PLAIN ?
		    !len || len > PROTKEY_EMU_UV_SECRET_MAX :
		    !pk_uv_secret_len(type) || len != pk_uv_secret_len(type))
		return pk_err_set(err, -EINVAL,
				  "secret of type %u: %u bytes is not its size",
				  type, len);
	memset(req, 0, hdr);
	memcpy(req, PROTKEY_EMU_UV_REQ_MAGIC, 8);
	req[9] = PROTKEY_EMU_UV_REQ_VERSION;
	req[10] = type >> 8;
	req[11] = type & 0xff;
	req[12] = len >> 8;
	req[13] = len & 0xff;
	image_derive(image_key, 0x03, req + 0x10);
	memcpy(req + 0x30, id, PK_UV_ID_SIZE);
	memcpy(req + 0x50, nonce, 16);
	image_derive(image_key, 0x04, k);
	ret = aes_ctr(k, nonce, secret, (int)len, req + hdr);
	image_derive(image_key, 0x05, k);
	if (!ret && !HMAC(EVP_sha256(), k, sizeof(k), req, hdr + len,
			  req + hdr + len, &mac_len))
		ret = -EIO;
	explicit_bzero(k, sizeof(k));
	if (ret)
		return pk_err_set(err, ret, "add-secret request: OpenSSL");
	return (int)(hdr + len + PROTKEY_EMU_UV_REQ_MAC_SIZE);
}

/**
 * pk_uv_request_check() - the fields of a request read from a file
 * @req: the request
 * @len: its length
 * @type: receives the secret type
 * @id: receives the secret ID
 * @err: the error
 *
 * Only the plain fields: whether it decrypts is the UV's to say.
 *
 * Return: 0, or -EINVAL for a file that is not an add-secret request.
 */
int pk_uv_request_check(const uint8_t *req, size_t len, uint16_t *type,
			uint8_t *id, struct pk_err *err)
{
	const size_t hdr = PROTKEY_EMU_UV_REQ_HDR_SIZE;
	unsigned int slen;

	if (len < hdr || len > PROTKEY_EMU_UV_REQ_MAX_SIZE ||
	    memcmp(req, PROTKEY_EMU_UV_REQ_MAGIC, 8))
		return pk_err_set(err, -EINVAL,
				  "not an add-secret request of the emulator");
	*type = get_be16(req + 10);
	slen = get_be16(req + 12);
	if (get_be16(req + 8) != PROTKEY_EMU_UV_REQ_VERSION ||
	    len != hdr + slen + PROTKEY_EMU_UV_REQ_MAC_SIZE)
		return pk_err_set(err, -EINVAL,
				  "add-secret request: version %u, %zu bytes "
				  "for a %u-byte secret",
				  get_be16(req + 8), len, slen);
	memcpy(id, req + 0x30, PK_UV_ID_SIZE);
	return 0;
}
