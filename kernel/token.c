// SPDX-License-Identifier: GPL-2.0-only
/*
 * protkey secure-key tokens: protkey.ko accepts secure keys only.
 */
#include <kunit/visibility.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <asm/unaligned.h>

#include "token.h"

/**
 * DOC: secure tokens only
 *
 * A blob given to setkey or to keyctl update is a pair of key tokens, or
 * one Ultravisor AES-XTS secret token (protkey_token_full_xts()).
 * The s390 pkey layer converts more than secure keys into protected keys:
 * clear-key tokens (type 0x00, version 0x02) are wrapped by PCKMO, and
 * protected-key tokens (type 0x00, version 0x01) are taken as they are.
 * Either would put key material other than an HSM-enciphered secure key
 * into protkey.ko's key objects, which must never hold a clear key. So
 * protkey.ko checks every token against an allow-list of secure-key
 * formats before any platform backend sees it, and refuses everything
 * else, known or unknown, with -EINVAL. The check looks at the header and
 * the length only; the backend parses the rest.
 *
 * Allowed, with the header facts of the zcrypt driver:
 *
 * - CCA AES DATA: type 0x01 (CCA internal), version 0x04, 64 bytes;
 * - EP11 AES without a separate header: type 0x00, version 0x03, 256 to
 *   336 bytes (the header overlays the blob's session field);
 * - EP11 AES with a 16-byte header: type 0x00, version 0x06, 272 to 336
 *   bytes;
 * - Ultravisor secret: type 0x00, version 0x09, 44 bytes (struct
 *   uvsecrettoken of pkey_uv.c). It holds no key material at all, only
 *   the ID of a retrievable secret that the Ultravisor of a Secure
 *   Execution guest keeps and hands out as a protected key. pkey takes
 *   longer tokens too; protkey.ko takes exactly the structure.
 *
 * Not allowed: CCA AES CIPHER (type 0x01, version 0x05; no backend of
 * protkey supports it yet) and every other token of type 0x00, in
 * particular the clear-key and protected-key tokens.
 */

/* clang-format off */
static const struct protkey_token_kind protkey_secure_tokens[] = {
	{ PROTKEY_TOKTYPE_CCA_INTERNAL, PROTKEY_TOKVER_CCA_AES, 64, 64,
	  "CCA-AESDATA" },
	{ PROTKEY_TOKTYPE_NON_CCA, PROTKEY_TOKVER_EP11_AES, 256, 336,
	  "EP11-AES" },
	{ PROTKEY_TOKTYPE_NON_CCA, PROTKEY_TOKVER_EP11_AES_WITH_HEADER, 272,
	  336, "EP11-AES" },
	{ PROTKEY_TOKTYPE_NON_CCA, PROTKEY_TOKVER_UV_SECRET, 44, 44,
	  "PVSECRET-AES" },
#if IS_ENABLED(CONFIG_KUNIT)
	/*
	 * TEST ONLY: the fake platform of the KUnit suites
	 * (kernel/tests/fake_platform.h). Kernels built with KUnit are test
	 * kernels; production kernels do not have this entry.
	 */
	{ 0xfa, 0x01, 64, 64, "KUNIT-FAKE" },
#endif
};

/* clang-format on */

static u16 uv_secret_type(const u8 *tok)
{
	return get_unaligned_be16(tok + PROTKEY_UV_TOKEN_SECRET_TYPE);
}

static bool is_uv_token(const u8 *tok, u32 len)
{
	return len == PROTKEY_UV_TOKEN_SIZE &&
	       tok[PROTKEY_TOKEN_TYPE_OFFSET] == PROTKEY_TOKTYPE_NON_CCA &&
	       tok[PROTKEY_TOKEN_VERSION_OFFSET] == PROTKEY_TOKVER_UV_SECRET;
}

/* An AES or AES-XTS secret: the types protkey.ko derives keys of. */
static bool uv_secret_aes(const u8 *tok)
{
	u16 type = uv_secret_type(tok);

	return type >= PROTKEY_UV_SECRET_AES_128 &&
	       type <= PROTKEY_UV_SECRET_AES_XTS_256;
}

/**
 * protkey_token_lookup() - the allowed format of a token
 * @tok: the token
 * @len: its length in bytes
 *
 * Context: any.
 * Return: the entry of the allow-list that @tok matches by type, version
 * and length, or NULL.
 */
const struct protkey_token_kind *protkey_token_lookup(const u8 *tok, u32 len)
{
	const struct protkey_token_kind *kind;
	unsigned int i;

	if (len < PROTKEY_TOKEN_HDR_SIZE)
		return NULL;
	for (i = 0; i < ARRAY_SIZE(protkey_secure_tokens); i++) {
		kind = &protkey_secure_tokens[i];
		if (tok[PROTKEY_TOKEN_TYPE_OFFSET] == kind->type &&
		    tok[PROTKEY_TOKEN_VERSION_OFFSET] == kind->version &&
		    len >= kind->min_len && len <= kind->max_len)
			return kind;
	}
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(protkey_token_lookup);

/**
 * protkey_token_check() - refuse every token that is not a secure key
 * @tok: one secure-key token
 * @len: its length in bytes
 *
 * Context: any; never sleeps.
 * Return: 0 if @tok is of an allowed secure-key format, -EINVAL for any
 * other token: clear-key and protected-key tokens, unknown types and
 * versions, tokens too short or too long for their format, and
 * Ultravisor secret tokens of a secret that is not an AES or AES-XTS key
 * (HMAC and EC secrets are no cipher keys).
 */
int protkey_token_check(const u8 *tok, u32 len)
{
	if (!protkey_token_lookup(tok, len))
		return -EINVAL;
	if (is_uv_token(tok, len) && !uv_secret_aes(tok))
		return -EINVAL;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(protkey_token_check);

/**
 * protkey_token_full_xts() - is @tok alone a whole XTS key?
 * @tok: a secure-key token
 * @len: its length in bytes
 *
 * The token of an Ultravisor AES-XTS secret names both XTS keys at once:
 * its protected key is a full-XTS key (PKEY_KEYTYPE_AES_XTS_128/256 in
 * pkey_uv.c), and zkey stores it as one 44-byte "XTS" token. Every other
 * secure key is one XTS half.
 *
 * Context: any; never sleeps.
 * Return: true for a 44-byte UV secret token of an AES-XTS secret type.
 */
bool protkey_token_full_xts(const u8 *tok, u32 len)
{
	u16 type;

	if (!is_uv_token(tok, len))
		return false;
	type = uv_secret_type(tok);
	return type == PROTKEY_UV_SECRET_AES_XTS_128 ||
	       type == PROTKEY_UV_SECRET_AES_XTS_256;
}
EXPORT_SYMBOL_IF_KUNIT(protkey_token_full_xts);

/**
 * protkey_token_key_type() - the key-type name of an allowed token
 * @tok: a secure-key token
 * @len: its length in bytes
 *
 * The zkey key-type string of the token's format; for an Ultravisor
 * secret token the name of its secret type, which alone says what the
 * token is (pvsecret's type names, prefixed as zkey's key type
 * PVSECRET-AES): PVSECRET-AES-128, -192, -256, PVSECRET-AES-XTS-128,
 * -256, or PVSECRET-AES-unknown for a type protkey.ko does not derive.
 *
 * Context: any.
 * Return: a static string; "unknown" for a token not on the allow-list.
 */
const char *protkey_token_key_type(const u8 *tok, u32 len)
{
	const struct protkey_token_kind *kind = protkey_token_lookup(tok, len);

	if (!kind)
		return "unknown";
	if (!is_uv_token(tok, len))
		return kind->name;
	switch (uv_secret_type(tok)) {
	case PROTKEY_UV_SECRET_AES_128:
		return "PVSECRET-AES-128";
	case PROTKEY_UV_SECRET_AES_192:
		return "PVSECRET-AES-192";
	case PROTKEY_UV_SECRET_AES_256:
		return "PVSECRET-AES-256";
	case PROTKEY_UV_SECRET_AES_XTS_128:
		return "PVSECRET-AES-XTS-128";
	case PROTKEY_UV_SECRET_AES_XTS_256:
		return "PVSECRET-AES-XTS-256";
	default:
		return "PVSECRET-AES-unknown";
	}
}
EXPORT_SYMBOL_IF_KUNIT(protkey_token_key_type);
