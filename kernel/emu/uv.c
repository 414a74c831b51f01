// SPDX-License-Identifier: GPL-2.0-only
/*
 * protkey_emu Ultravisor: the secret store of an emulated Secure Execution
 * (SE) guest, with the four secret UVCs the guest can issue: Add Secret
 * (0x1031), List Secrets (0x1033), Lock Secret Store (0x1034) and Retrieve
 * Secret (0x1035) (arch/s390/include/asm/uv.h).
 *
 * What is modelled as Linux and s390-tools show it:
 *  - a secret has an index, a type (enum uv_secret_types), a length and a
 *    32-byte ID; pvsecret makes the ID SHA-256 of the secret's name;
 *  - List Secrets fills one 4 KiB page: a 16-byte header (secrets in this
 *    page, secrets stored, the index to start the next page at, 0 when
 *    none follows) and up to 85 entries of 48 bytes {u16 index, u16 type,
 *    u32 length, u64 reserved, u8 id[32]}, big-endian; "more follow" is UV
 *    rc 0x0100 (struct uv_secret_list);
 *  - after Lock every Add fails (UV rc 0x0102); a full store refuses an Add
 *    (rc 0x010b); a request the UV cannot decrypt, made for another image,
 *    is refused (rc 0x0108);
 *  - Retrieve gives, for an AES or AES-XTS secret, the protected key under
 *    the current wrapping key: key and 32-byte WKVP, 48/56/64 bytes, or
 *    64/96 for AES-XTS-128/256 (the table of pkey_uv.c); an index that
 *    is empty or not retrievable gives -ENOENT (uv_retrieve_secret());
 *  - the store is wiped when the guest reboots (pvsecret's README).
 *
 * The emulator's own choices, where the sources are silent (see
 * Documentation/emulator.rst):
 *  - the add-secret request. A real one is encrypted for the host-key
 *    documents and bound to the SE header of one image; here an image has
 *    a 32-byte image key, and a request is
 *      0x00 magic "PKEMUSEC"  0x08 version u16 = 1  0x0a type u16
 *      0x0c secret length u16  0x0e reserved u16 = 0
 *      0x10 image tag[32] = SHA-256(0x03 || image key)
 *      0x30 secret ID[32]  0x50 nonce[16]
 *      0x60 the secret, XORed with AES-256-CTR under
 *           SHA-256(0x04 || image key), the nonce as initial counter
 *      then a MAC[32]: HMAC-SHA-256 under SHA-256(0x05 || image key) over
 *           everything before it;
 *  - indices are given out from 0 upwards and are not reused until the
 *    store is wiped; the UV refuses no ID collision itself (pvsecret add
 *    checks the list first unless --force, as PROTKEY_EMU_A_UV_FORCE);
 *  - the limits: max_assoc_secrets and max_retr_secrets, 64 each unless
 *    set (the real values are not in the sources);
 *  - retrieving an association secret gives -ENOENT (not retrievable);
 *    an AES-XTS secret comes back as a full-XTS protected key (64 or 96
 *    bytes), both halves wrapped as emu_pk_wrap_xts() does.
 *
 * EMULATION ONLY: the secrets are kept in clear in this module's memory.
 */
#include <crypto/aes.h>
#include <crypto/algapi.h>
#include <crypto/sha2.h>
#include <kunit/visibility.h>
#include <linux/errno.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/random.h>
#include <linux/string.h>
#include <asm/unaligned.h>

#include "emu_core.h"

#define UV_LIST_HDR_SIZE 16
#define UV_LIST_ENTRY_SIZE 48
#define UV_DEFAULT_MAX 64
#define UV_MAX_SECRETS 512

/**
 * struct emu_uv_secret - one stored secret
 * @type: &enum protkey_emu_uv_secret_type
 * @len: its length in bytes
 * @id: its ID
 * @secret: the secret, in clear (emulation only)
 */
struct emu_uv_secret {
	u16 type;
	u16 len;
	u8 id[PROTKEY_EMU_UV_ID_SIZE];
	u8 secret[PROTKEY_EMU_UV_SECRET_MAX];
};

static DEFINE_MUTEX(emu_uv_lock);
/* All protected by emu_uv_lock. Index i of the store is emu_uv_store[i]. */
static struct emu_uv_secret emu_uv_store[UV_MAX_SECRETS];
static unsigned int emu_uv_count;
static bool emu_uv_locked;
static u32 emu_uv_max_assoc = UV_DEFAULT_MAX;
static u32 emu_uv_max_retr = UV_DEFAULT_MAX;
static u8 emu_image_key[PROTKEY_EMU_IMAGE_KEY_SIZE];

/**
 * emu_uv_secret_len() - the length a secret of @type must have
 * @type: &enum protkey_emu_uv_secret_type
 *
 * Context: any context.
 * Return: the length in bytes; 0 for any length 1..64 (plain); -1 for a
 * type the emulator does not store.
 */
int emu_uv_secret_len(u32 type)
{
	switch (type) {
	case PROTKEY_EMU_UV_SECRET_ASSOCIATION:
		return 32;
	case PROTKEY_EMU_UV_SECRET_PLAIN:
		return 0;
	case PROTKEY_EMU_UV_SECRET_AES_128:
		return AES_KEYSIZE_128;
	case PROTKEY_EMU_UV_SECRET_AES_192:
		return AES_KEYSIZE_192;
	case PROTKEY_EMU_UV_SECRET_AES_256:
	case PROTKEY_EMU_UV_SECRET_AES_XTS_128:
		return 32;
	case PROTKEY_EMU_UV_SECRET_AES_XTS_256:
		return 64;
	default:
		return -1;
	}
}
EXPORT_SYMBOL_IF_KUNIT(emu_uv_secret_len);

/* SHA-256(@label || image key): the tag and the two request keys. */
static void image_derive(const u8 key[PROTKEY_EMU_IMAGE_KEY_SIZE], u8 label,
			 u8 out[SHA256_DIGEST_SIZE])
{
	struct sha256_state st;

	sha256_init(&st);
	sha256_update(&st, &label, 1);
	sha256_update(&st, key, PROTKEY_EMU_IMAGE_KEY_SIZE);
	sha256_final(&st, out);
}

/* HMAC-SHA-256 (RFC 2104) with a 32-byte key. */
static void hmac_sha256(const u8 key[SHA256_DIGEST_SIZE], const u8 *data,
			u32 len, u8 out[SHA256_DIGEST_SIZE])
{
	u8 pad[SHA256_BLOCK_SIZE], inner[SHA256_DIGEST_SIZE];
	struct sha256_state st;
	int i;

	memset(pad, 0x36, sizeof(pad));
	for (i = 0; i < SHA256_DIGEST_SIZE; i++)
		pad[i] ^= key[i];
	sha256_init(&st);
	sha256_update(&st, pad, sizeof(pad));
	sha256_update(&st, data, len);
	sha256_final(&st, inner);
	memset(pad, 0x5c, sizeof(pad));
	for (i = 0; i < SHA256_DIGEST_SIZE; i++)
		pad[i] ^= key[i];
	sha256_init(&st);
	sha256_update(&st, pad, sizeof(pad));
	sha256_update(&st, inner, sizeof(inner));
	sha256_final(&st, out);
	memzero_explicit(pad, sizeof(pad));
	memzero_explicit(inner, sizeof(inner));
}

/* XORs @len bytes at @buf with AES-256-CTR(@key, @nonce). */
static void ctr_xor(const u8 key[AES_KEYSIZE_256], const u8 nonce[16], u8 *buf,
		    u32 len)
{
	u8 ctr[AES_BLOCK_SIZE], ks[AES_BLOCK_SIZE];
	struct crypto_aes_ctx ctx;
	u32 off, i;
	int b;

	aes_expandkey(&ctx, key, AES_KEYSIZE_256);
	memcpy(ctr, nonce, sizeof(ctr));
	for (off = 0; off < len; off += AES_BLOCK_SIZE) {
		aes_encrypt(&ctx, ks, ctr);
		for (i = 0; i < AES_BLOCK_SIZE && off + i < len; i++)
			buf[off + i] ^= ks[i];
		for (b = AES_BLOCK_SIZE - 1; b >= 0 && !++ctr[b]; b--)
			;
	}
	memzero_explicit(&ctx, sizeof(ctx));
	memzero_explicit(ks, sizeof(ks));
}

/**
 * emu_uv_build_request() - make an add-secret request, as pvsecret create
 * @image_key: the key of the image the request is for
 * @type: &enum protkey_emu_uv_secret_type
 * @id: the secret's 32-byte ID
 * @secret: the secret
 * @len: its length
 * @nonce: 16 bytes, unique per request
 * @req: output, PROTKEY_EMU_UV_REQ_HDR_SIZE + @len + 32 bytes
 *
 * For the KUnit suites; user space builds requests itself (the selftests'
 * emu.h, from the format in Documentation/emulator.rst).
 *
 * Context: any context.
 * Return: the request's length; -EINVAL for a bad type or length.
 */
int emu_uv_build_request(const u8 image_key[PROTKEY_EMU_IMAGE_KEY_SIZE],
			 u32 type, const u8 id[PROTKEY_EMU_UV_ID_SIZE],
			 const u8 *secret, u32 len, const u8 nonce[16], u8 *req)
{
	u8 k[SHA256_DIGEST_SIZE];
	int want = emu_uv_secret_len(type);

	if (want < 0 || (want && len != want) || !len ||
	    len > PROTKEY_EMU_UV_SECRET_MAX)
		return -EINVAL;
	memset(req, 0, PROTKEY_EMU_UV_REQ_HDR_SIZE);
	memcpy(req, PROTKEY_EMU_UV_REQ_MAGIC, 8);
	put_unaligned_be16(PROTKEY_EMU_UV_REQ_VERSION, req + 0x08);
	put_unaligned_be16(type, req + 0x0a);
	put_unaligned_be16(len, req + 0x0c);
	image_derive(image_key, 0x03, req + 0x10);
	memcpy(req + 0x30, id, PROTKEY_EMU_UV_ID_SIZE);
	memcpy(req + 0x50, nonce, 16);
	memcpy(req + PROTKEY_EMU_UV_REQ_HDR_SIZE, secret, len);
	image_derive(image_key, 0x04, k);
	ctr_xor(k, nonce, req + PROTKEY_EMU_UV_REQ_HDR_SIZE, len);
	image_derive(image_key, 0x05, k);
	hmac_sha256(k, req, PROTKEY_EMU_UV_REQ_HDR_SIZE + len,
		    req + PROTKEY_EMU_UV_REQ_HDR_SIZE + len);
	memzero_explicit(k, sizeof(k));
	return PROTKEY_EMU_UV_REQ_HDR_SIZE + len + PROTKEY_EMU_UV_REQ_MAC_SIZE;
}
EXPORT_SYMBOL_IF_KUNIT(emu_uv_build_request);

static bool is_assoc(u16 type)
{
	return type == PROTKEY_EMU_UV_SECRET_ASSOCIATION;
}

/**
 * emu_uv_add() - the Add Secret UVC, with pvsecret add's ID check
 * @req: an add-secret request
 * @len: its length
 * @force: store it even if a secret with its ID is stored
 * @index: output, the new secret's index
 * @msg: output, a static message on error
 *
 * Context: process context; takes emu_uv_lock.
 * Return: 0; -EINVAL a malformed request (size, magic, version, type,
 * length, reserved bytes); -EBADMSG the UV cannot decrypt it: made for
 * another image or altered (UV rc 0x0108); -EPERM the store is locked (rc
 * 0x0102); -ENOSPC the store is full (rc 0x010b); -EEXIST the ID is
 * stored and @force is false. Nothing is stored on error.
 */
int emu_uv_add(const u8 *req, u32 len, bool force, u16 *index, const char **msg)
{
	u8 k[SHA256_DIGEST_SIZE], mac[SHA256_DIGEST_SIZE];
	struct emu_uv_secret s = {};
	unsigned int i, n_assoc = 0;
	u32 type, slen;
	int want, ret;

	if (len < PROTKEY_EMU_UV_REQ_HDR_SIZE + PROTKEY_EMU_UV_REQ_MAC_SIZE ||
	    memcmp(req, PROTKEY_EMU_UV_REQ_MAGIC, 8) ||
	    get_unaligned_be16(req + 0x08) != PROTKEY_EMU_UV_REQ_VERSION) {
		*msg = "malformed add-secret request (size, magic or version)";
		return -EINVAL;
	}
	type = get_unaligned_be16(req + 0x0a);
	slen = get_unaligned_be16(req + 0x0c);
	want = emu_uv_secret_len(type);
	if (want < 0 || !slen || slen > PROTKEY_EMU_UV_SECRET_MAX ||
	    (want && slen != want) || get_unaligned_be16(req + 0x0e) ||
	    len != PROTKEY_EMU_UV_REQ_HDR_SIZE + slen +
			    PROTKEY_EMU_UV_REQ_MAC_SIZE) {
		*msg = "malformed add-secret request";
		return -EINVAL;
	}

	mutex_lock(&emu_uv_lock);
	image_derive(emu_image_key, 0x03, k);
	ret = crypto_memneq(k, req + 0x10, sizeof(k)) ? -EBADMSG : 0;
	if (!ret) {
		image_derive(emu_image_key, 0x05, k);
		hmac_sha256(k, req, PROTKEY_EMU_UV_REQ_HDR_SIZE + slen, mac);
		if (crypto_memneq(mac, req + PROTKEY_EMU_UV_REQ_HDR_SIZE + slen,
				  sizeof(mac)))
			ret = -EBADMSG;
	}
	if (ret) {
		*msg = "UV rc 0x0108: request not for this image, or altered";
		goto out;
	}
	if (emu_uv_locked) {
		*msg = "UV rc 0x0102: the secret store is locked";
		ret = -EPERM;
		goto out;
	}
	for (i = 0; i < emu_uv_count; i++) {
		n_assoc += is_assoc(emu_uv_store[i].type);
		if (!force && !memcmp(emu_uv_store[i].id, req + 0x30,
				      PROTKEY_EMU_UV_ID_SIZE)) {
			*msg = "a secret with this ID is already stored";
			ret = -EEXIST;
			goto out;
		}
	}
	if (emu_uv_count >= UV_MAX_SECRETS ||
	    (is_assoc(type) ? n_assoc >= emu_uv_max_assoc :
			      emu_uv_count - n_assoc >= emu_uv_max_retr)) {
		*msg = "UV rc 0x010b: the secret store is full";
		ret = -ENOSPC;
		goto out;
	}
	s.type = type;
	s.len = slen;
	memcpy(s.id, req + 0x30, PROTKEY_EMU_UV_ID_SIZE);
	memcpy(s.secret, req + PROTKEY_EMU_UV_REQ_HDR_SIZE, slen);
	image_derive(emu_image_key, 0x04, k);
	ctr_xor(k, req + 0x50, s.secret, slen);
	*index = emu_uv_count;
	emu_uv_store[emu_uv_count++] = s;
out:
	mutex_unlock(&emu_uv_lock);
	memzero_explicit(&s, sizeof(s));
	memzero_explicit(k, sizeof(k));
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(emu_uv_add);

/*
 * The length List Secrets reports: what Retrieve Secret gives, which for
 * an AES or AES-XTS secret is its protected key, the key and the 32-byte
 * WKVP (pkey_uv.c retrieves the listed length into the protected-key
 * buffer); the secret's own length for the others.
 */
static u32 retr_len(const struct emu_uv_secret *sec)
{
	switch (sec->type) {
	case PROTKEY_EMU_UV_SECRET_AES_128:
	case PROTKEY_EMU_UV_SECRET_AES_192:
	case PROTKEY_EMU_UV_SECRET_AES_256:
	case PROTKEY_EMU_UV_SECRET_AES_XTS_128:
	case PROTKEY_EMU_UV_SECRET_AES_XTS_256:
		return sec->len + PROTKEY_EMU_WKVP_SIZE;
	default:
		return sec->len;
	}
}

/**
 * emu_uv_list() - the List Secrets UVC
 * @start: the smallest index to list
 * @page: output, PROTKEY_EMU_UV_LIST_SIZE bytes in struct uv_secret_list
 *	layout
 * @locked: output (may be NULL), whether the store is locked
 *
 * Context: process context; takes emu_uv_lock.
 * Return: true when more secrets follow (UV rc 0x0100): the page's
 * next_secret_idx is where the next call starts.
 */
bool emu_uv_list(u32 start, u8 *page, bool *locked)
{
	unsigned int i, n = 0;
	bool more = false;

	memset(page, 0, PROTKEY_EMU_UV_LIST_SIZE);
	mutex_lock(&emu_uv_lock);
	for (i = start; i < emu_uv_count; i++) {
		u8 *e = page + UV_LIST_HDR_SIZE + n * UV_LIST_ENTRY_SIZE;

		if (n == PROTKEY_EMU_UV_LIST_ENTRIES) {
			put_unaligned_be16(i, page + 4);
			more = true;
			break;
		}
		put_unaligned_be16(i, e);
		put_unaligned_be16(emu_uv_store[i].type, e + 2);
		put_unaligned_be32(retr_len(&emu_uv_store[i]), e + 4);
		memcpy(e + 16, emu_uv_store[i].id, PROTKEY_EMU_UV_ID_SIZE);
		n++;
	}
	put_unaligned_be16(n, page);
	put_unaligned_be16(emu_uv_count, page + 2);
	if (locked)
		*locked = emu_uv_locked;
	mutex_unlock(&emu_uv_lock);
	return more;
}
EXPORT_SYMBOL_IF_KUNIT(emu_uv_list);

/**
 * emu_uv_lock_store() - the Lock Secret Store UVC
 *
 * Context: process context; takes emu_uv_lock. Locking a locked store is
 * not an error.
 */
void emu_uv_lock_store(void)
{
	mutex_lock(&emu_uv_lock);
	emu_uv_locked = true;
	mutex_unlock(&emu_uv_lock);
}
EXPORT_SYMBOL_IF_KUNIT(emu_uv_lock_store);

static bool is_xts(u16 type)
{
	return type == PROTKEY_EMU_UV_SECRET_AES_XTS_128 ||
	       type == PROTKEY_EMU_UV_SECRET_AES_XTS_256;
}

/* Retrieve Secret; the caller holds emu_uv_lock. */
static int retrieve_locked(u32 index, u32 *type, u8 *out, u32 *len)
{
	const struct emu_uv_secret *sec;
	struct protkey_pk pk;
	int ret = 0;

	lockdep_assert_held(&emu_uv_lock);
	if (index >= emu_uv_count || is_assoc(emu_uv_store[index].type))
		return -ENOENT;
	sec = &emu_uv_store[index];
	*type = sec->type;
	switch (sec->type) {
	case PROTKEY_EMU_UV_SECRET_PLAIN:
		memcpy(out, sec->secret, sec->len);
		*len = sec->len;
		break;
	case PROTKEY_EMU_UV_SECRET_AES_128:
	case PROTKEY_EMU_UV_SECRET_AES_192:
	case PROTKEY_EMU_UV_SECRET_AES_256:
	case PROTKEY_EMU_UV_SECRET_AES_XTS_128:
	case PROTKEY_EMU_UV_SECRET_AES_XTS_256:
		if (is_xts(sec->type))
			ret = emu_pk_wrap_xts(sec->secret, sec->len, &pk);
		else
			ret = emu_pk_wrap(sec->secret, sec->len, &pk);
		if (!ret) {
			memcpy(out, pk.protkey, pk.len);
			*len = pk.len;
		}
		memzero_explicit(&pk, sizeof(pk));
		break;
	default:
		ret = -EOPNOTSUPP;
	}
	return ret;
}

/**
 * emu_uv_retrieve() - the Retrieve Secret UVC
 * @index: the secret's index
 * @type: output, its type
 * @out: output, at least EMU_UV_RETRIEVE_MAX bytes: for an AES or AES-XTS
 *	secret the protected key (key and WKVP; a full-XTS key for AES-XTS),
 *	for a plain one its bytes
 * @len: output, the bytes written
 *
 * Context: process context; takes emu_uv_lock.
 * Return: 0; -ENOENT no secret at @index, or not retrievable (an
 * association secret).
 */
int emu_uv_retrieve(u32 index, u32 *type, u8 *out, u32 *len)
{
	int ret;

	mutex_lock(&emu_uv_lock);
	ret = retrieve_locked(index, type, out, len);
	mutex_unlock(&emu_uv_lock);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(emu_uv_retrieve);

/* struct uvsecrettoken of pkey_uv.c, big-endian. */
#define UV_TOK_SECRET_TYPE 8
#define UV_TOK_SECRET_ID 12

/**
 * emu_uv_token_supported() - is @blob a UV secret token pkey_uv handles?
 * @blob: a secure-key token
 * @len: its length in bytes
 *
 * As is_uv_key() of pkey_uv.c: at least 44 bytes, type 0x00, version
 * 0x09 and a secret type of the AES, AES-XTS, HMAC or EC families. The
 * reserved bytes and the secret length are not looked at.
 *
 * Context: any context; atomic-safe.
 * Return: true for such a token.
 */
bool emu_uv_token_supported(const u8 *blob, u32 len)
{
	if (!blob || len < PROTKEY_EMU_UV_TOKEN_SIZE || blob[0] != 0x00 ||
	    blob[4] != PROTKEY_EMU_UV_TOKEN_VERSION)
		return false;
	switch (get_unaligned_be16(blob + UV_TOK_SECRET_TYPE)) {
	case PROTKEY_EMU_UV_SECRET_AES_128:
	case PROTKEY_EMU_UV_SECRET_AES_192:
	case PROTKEY_EMU_UV_SECRET_AES_256:
	case PROTKEY_EMU_UV_SECRET_AES_XTS_128:
	case PROTKEY_EMU_UV_SECRET_AES_XTS_256:
	case 0x09: /* HMAC-SHA-256 */
	case 0x0a: /* HMAC-SHA-512 */
	case 0x11: /* ECDSA P-256 */
	case 0x12: /* ECDSA P-384 */
	case 0x13: /* ECDSA P-521 */
	case 0x14: /* Ed25519 */
	case 0x15: /* Ed448 */
		return true;
	default:
		return false;
	}
}
EXPORT_SYMBOL_IF_KUNIT(emu_uv_token_supported);

/*
 * The protected-key size of a secret type (uv_get_size_and_type() of
 * pkey_uv.c: the key and the 32-byte WKVP), 0 for a type it refuses.
 */
static u32 uv_pk_size(u16 type)
{
	switch (type) {
	case PROTKEY_EMU_UV_SECRET_AES_128:
		return 16 + PROTKEY_EMU_WKVP_SIZE;
	case PROTKEY_EMU_UV_SECRET_AES_192:
		return 24 + PROTKEY_EMU_WKVP_SIZE;
	case PROTKEY_EMU_UV_SECRET_AES_256:
	case PROTKEY_EMU_UV_SECRET_AES_XTS_128:
	case 0x11: /* ECDSA P-256 */
	case 0x14: /* Ed25519 */
		return 32 + PROTKEY_EMU_WKVP_SIZE;
	case 0x12: /* ECDSA P-384 */
		return 48 + PROTKEY_EMU_WKVP_SIZE;
	case PROTKEY_EMU_UV_SECRET_AES_XTS_256:
	case 0x09: /* HMAC-SHA-256 */
	case 0x15: /* Ed448 */
		return 64 + PROTKEY_EMU_WKVP_SIZE;
	case 0x13: /* ECDSA P-521 */
		return 80 + PROTKEY_EMU_WKVP_SIZE;
	case 0x0a: /* HMAC-SHA-512 */
		return 128 + PROTKEY_EMU_WKVP_SIZE;
	default:
		return 0;
	}
}

/* The index of the secret with @id; caller holds emu_uv_lock. */
static int find_secret(const u8 *id)
{
	unsigned int i;

	lockdep_assert_held(&emu_uv_lock);
	for (i = 0; i < emu_uv_count; i++) {
		if (!memcmp(emu_uv_store[i].id, id, PROTKEY_EMU_UV_ID_SIZE))
			return i;
	}
	return -ENOENT;
}

/**
 * emu_uv_derive() - the protected key of a UV secret token
 * @blob: a token emu_uv_token_supported() accepts
 * @len: its length
 * @pk: output
 *
 * As uv_key2protkey() of pkey_uv.c: the protected-key size of the
 * token's secret type must fit @pk (-EINVAL); the secret is found by its
 * ID in the store (List Secrets; -ENOENT when it is not there, as after a
 * reboot before it is added again) and retrieved by index; its type must
 * be the token's (-EINVAL). No adapter is involved, and no configured
 * adapter latency or injected failure applies.
 *
 * Context: process context; takes emu_lock and emu_uv_lock.
 * Return: 0; -ENODEV not an SE guest (pkey_uv does not load); -EINVAL as
 * above or not a UV token; -ENOENT the secret is not in the store (or is
 * an association secret).
 */
int emu_uv_derive(const u8 *blob, u32 len, struct protkey_pk *pk)
{
	u32 type, n;
	u16 want;
	int ret;

	might_sleep();
	if (!emu_uv_token_supported(blob, len)) {
		ret = -EINVAL;
		goto out;
	}
	if (!emu_se_guest()) {
		ret = -ENODEV;
		goto out;
	}
	want = get_unaligned_be16(blob + UV_TOK_SECRET_TYPE);
	if (uv_pk_size(want) > sizeof(pk->protkey)) {
		ret = -EINVAL;
		goto out;
	}
	mutex_lock(&emu_uv_lock);
	ret = find_secret(blob + UV_TOK_SECRET_ID);
	if (ret >= 0)
		ret = retrieve_locked(ret, &type, pk->protkey, &n);
	mutex_unlock(&emu_uv_lock);
	if (!ret && type != want)
		ret = -EINVAL;
	if (!ret) {
		pk->len = n;
		pk->type = is_xts(want) ?
				   want - PROTKEY_EMU_UV_SECRET_AES_XTS_128 +
					   PROTKEY_PK_AES_XTS_128 :
				   want - PROTKEY_EMU_UV_SECRET_AES_128 +
					   PROTKEY_PK_AES_128;
	}
out:
	if (ret)
		memzero_explicit(pk, sizeof(*pk));
	emu_count(ret ? EMU_CNT_DERIVE_ERRORS : EMU_CNT_DERIVES);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(emu_uv_derive);

/**
 * emu_uv_cause() - why a derive of a UV secret token fails, in words
 * @blob: a token emu_uv_token_supported() accepts
 * @len: its length
 * @err: the derive's negative errno
 * @buf: output
 * @size: its size
 *
 * Names the secret by the first 8 bytes of its ID, as pvsecret list
 * prints IDs in hex.
 *
 * Context: process context; takes emu_lock.
 * Return: the length written, 0 for nothing to say.
 */
int emu_uv_cause(const u8 *blob, u32 len, int err, char *buf, size_t size)
{
	if (!emu_uv_token_supported(blob, len))
		return 0;
	if (err == -ENODEV && !emu_se_guest())
		return scnprintf(buf, size, "%s",
				 "not a Secure Execution guest: no UV secrets");
	if (err == -ENOENT)
		return scnprintf(buf, size, "Ultravisor secret %*phN... %s", 8,
				 blob + UV_TOK_SECRET_ID,
				 "not in the secret store (add it again)");
	return 0;
}

/**
 * emu_uv_key_info() - what the platform reads from a UV secret token
 * @blob: a token emu_uv_token_supported() accepts
 * @len: its length
 * @info: output: token type 0x00 and version 0x09, the key size of an AES
 *	or AES-XTS secret type (0 for others), no MKVP, no adapter; the
 *	match is PROTKEY_MK_CURRENT while the SE guest's store holds a
 *	secret of the token's ID and type, else PROTKEY_MK_NONE
 *
 * Context: process context; takes emu_lock and emu_uv_lock.
 * Return: 0; -EINVAL not a UV token.
 */
int emu_uv_key_info(const u8 *blob, u32 len, struct protkey_key_info *info)
{
	static const u16 bits[] = {
		[PROTKEY_EMU_UV_SECRET_AES_128] = 128,
		[PROTKEY_EMU_UV_SECRET_AES_192] = 192,
		[PROTKEY_EMU_UV_SECRET_AES_256] = 256,
		[PROTKEY_EMU_UV_SECRET_AES_XTS_128] = 128,
		[PROTKEY_EMU_UV_SECRET_AES_XTS_256] = 256,
	};
	bool se = emu_se_guest();
	u16 type;
	int i;

	if (!emu_uv_token_supported(blob, len))
		return -EINVAL;
	memset(info, 0, sizeof(*info));
	type = get_unaligned_be16(blob + UV_TOK_SECRET_TYPE);
	info->token_type = blob[0];
	info->token_version = blob[4];
	info->key_bits = type < ARRAY_SIZE(bits) ? bits[type] : 0;
	info->match = PROTKEY_MK_NONE;
	if (!se)
		return 0;
	mutex_lock(&emu_uv_lock);
	i = find_secret(blob + UV_TOK_SECRET_ID);
	if (i >= 0 && emu_uv_store[i].type == type)
		info->match = PROTKEY_MK_CURRENT;
	mutex_unlock(&emu_uv_lock);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(emu_uv_key_info);

/**
 * emu_uv_is_association() - is there an association secret at @index?
 * @index: a secret index
 *
 * Context: process context; takes emu_uv_lock (after emu_lock, if held).
 * Return: true when @index holds an association secret.
 */
bool emu_uv_is_association(u32 index)
{
	bool ret;

	mutex_lock(&emu_uv_lock);
	ret = index < emu_uv_count && is_assoc(emu_uv_store[index].type);
	mutex_unlock(&emu_uv_lock);
	return ret;
}

/**
 * emu_uv_wipe() - what a guest reboot does to the store: empty, unlocked
 *
 * Context: process context; takes emu_uv_lock.
 */
void emu_uv_wipe(void)
{
	mutex_lock(&emu_uv_lock);
	memzero_explicit(emu_uv_store, sizeof(emu_uv_store));
	emu_uv_count = 0;
	emu_uv_locked = false;
	mutex_unlock(&emu_uv_lock);
}
EXPORT_SYMBOL_IF_KUNIT(emu_uv_wipe);

/**
 * emu_uv_configure() - set the image key and the store's limits
 * @image_key: the new image key, or NULL to keep it
 * @max_assoc: association secrets the store holds, or 0 to keep
 * @max_retr: other secrets the store holds, or 0 to keep
 *
 * Context: process context; takes emu_uv_lock.
 * Return: 0; -ERANGE the two limits together exceed 512.
 */
int emu_uv_configure(const u8 *image_key, u32 max_assoc, u32 max_retr)
{
	int ret = 0;

	mutex_lock(&emu_uv_lock);
	if ((max_assoc ?: emu_uv_max_assoc) + (max_retr ?: emu_uv_max_retr) >
	    UV_MAX_SECRETS) {
		ret = -ERANGE;
		goto out;
	}
	if (image_key)
		memcpy(emu_image_key, image_key, sizeof(emu_image_key));
	if (max_assoc)
		emu_uv_max_assoc = max_assoc;
	if (max_retr)
		emu_uv_max_retr = max_retr;
out:
	mutex_unlock(&emu_uv_lock);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(emu_uv_configure);

/**
 * emu_uv_reset() - the store after module load: wiped, default limits, a
 * new random image key
 *
 * Context: process context; takes emu_uv_lock.
 */
void emu_uv_reset(void)
{
	emu_uv_wipe();
	mutex_lock(&emu_uv_lock);
	emu_uv_max_assoc = UV_DEFAULT_MAX;
	emu_uv_max_retr = UV_DEFAULT_MAX;
	get_random_bytes(emu_image_key, sizeof(emu_image_key));
	mutex_unlock(&emu_uv_lock);
}

/**
 * emu_uv_stats() - how many secrets are stored, and whether locked
 * @locked: output
 *
 * Context: process context; takes emu_uv_lock.
 * Return: the number of secrets stored.
 */
u32 emu_uv_stats(bool *locked)
{
	u32 n;

	mutex_lock(&emu_uv_lock);
	n = emu_uv_count;
	*locked = emu_uv_locked;
	mutex_unlock(&emu_uv_lock);
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(emu_uv_stats);
