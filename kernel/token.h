/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * protkey secure-key tokens: the allow-list of token formats that
 * protkey.ko hands to a platform backend. See token.c.
 */
#ifndef _PROTKEY_TOKEN_H
#define _PROTKEY_TOKEN_H

#include <linux/types.h>

/*
 * Token header bytes (struct keytoken_header of the s390 zcrypt driver):
 * byte 0 is the type, byte 4 the version.
 */
#define PROTKEY_TOKEN_TYPE_OFFSET 0
#define PROTKEY_TOKEN_VERSION_OFFSET 4
#define PROTKEY_TOKEN_HDR_SIZE 8

/* Token types and versions (TOKTYPE_* and TOKVER_* of pkey). */
#define PROTKEY_TOKTYPE_NON_CCA 0x00
#define PROTKEY_TOKTYPE_CCA_INTERNAL 0x01
#define PROTKEY_TOKVER_PROTECTED_KEY 0x01
#define PROTKEY_TOKVER_CLEAR_KEY 0x02
#define PROTKEY_TOKVER_EP11_AES 0x03
#define PROTKEY_TOKVER_CCA_AES 0x04
#define PROTKEY_TOKVER_EP11_AES_WITH_HEADER 0x06
#define PROTKEY_TOKVER_UV_SECRET 0x09

/*
 * The Ultravisor secret token (struct uvsecrettoken of pkey_uv.c): 44
 * bytes; the secret type (enum uv_secret_types of asm/uv.h), big endian,
 * at offset 8, the secret's ID at offset 12.
 */
#define PROTKEY_UV_TOKEN_SIZE 44
#define PROTKEY_UV_TOKEN_SECRET_TYPE 8
#define PROTKEY_UV_SECRET_AES_128 0x0004
#define PROTKEY_UV_SECRET_AES_192 0x0005
#define PROTKEY_UV_SECRET_AES_256 0x0006
#define PROTKEY_UV_SECRET_AES_XTS_128 0x0007
#define PROTKEY_UV_SECRET_AES_XTS_256 0x0008

/**
 * struct protkey_token_kind - one secure-key token format protkey.ko accepts
 * @type: the token's type byte
 * @version: the token's version byte
 * @min_len: shortest token of this format, in bytes
 * @max_len: longest token of this format, in bytes
 * @name: the zkey key-type string, for the kernel log
 */
struct protkey_token_kind {
	u8 type;
	u8 version;
	u16 min_len;
	u16 max_len;
	const char *name;
};

const struct protkey_token_kind *protkey_token_lookup(const u8 *tok, u32 len);
int protkey_token_check(const u8 *tok, u32 len);
bool protkey_token_full_xts(const u8 *tok, u32 len);
const char *protkey_token_key_type(const u8 *tok, u32 len);

#endif /* _PROTKEY_TOKEN_H */
