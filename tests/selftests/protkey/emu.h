/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Emulator helpers of the protkey volume selftests: bring protkey_emu.ko to
 * a known state, make secure keys from clear keys the test picks (so the
 * test can compute the expected ciphertext itself), migrate, read the
 * counters. Built on common.h's generic netlink client.
 *
 * EMULATION ONLY: the test's clear keys go to the emulator in the clear.
 */
#ifndef PROTKEY_SELFTEST_EMU_H
#define PROTKEY_SELFTEST_EMU_H

#include <time.h>

#include <linux/protkey_emu.h>

#include "common.h"

/* clang-format off */
#define PKE_U8(t, v) { .type = (t), .kind = PK_U8, .val = (v) }
#define PKE_U16(t, v) { .type = (t), .kind = PK_U16, .val = (v) }
#define PKE_U32(t, v) { .type = (t), .kind = PK_U32, .val = (v) }
#define PKE_BIN(t, p, l) { .type = (t), .kind = PK_BYTES, .data = (p), .len = (l) }
#define PKE_FILL(t, f, l) { .type = (t), .kind = PK_BYTES, .fill = (f), .len = (l) }
/* clang-format on */

/* Sends @cmd with the listed attributes; a zero entry ends the list. */
#define PKE_REQ(nl, cmd, ...) \
	pk_nl_request(nl, cmd, (const struct pk_attr[]){ __VA_ARGS__, {} }, 16)
/* Sends @cmd without attributes. */
#define PKE_REQ0(nl, cmd) pk_nl_request(nl, cmd, NULL, 0)

#define PKE_MAX_ADAPTERS 64

/* The master key every volume test loads into every adapter. */
static const uint8_t pke_test_mk[PROTKEY_EMU_MK_SIZE] = {
	0x3c, 0x1f, 0x5a, 0x77, 0x02, 0x9e, 0xd4, 0x61, 0xb8, 0x45, 0x13,
	0xef, 0x90, 0x2a, 0x6d, 0xc7, 0x58, 0x0b, 0xa3, 0x34, 0xf1, 0x86,
	0x29, 0xbe, 0x4c, 0xd0, 0x17, 0x63, 0x9a, 0xe5, 0x7f, 0x08,
};

/**
 * struct pke_state - the part of GET_STATE the volume tests use
 * @wk_gen: wrapping-key generation
 * @cnt: counters, indexed by PROTKEY_EMU_CNT_A_*
 * @n: number of adapters
 * @online: per adapter: 1 when usable
 * @apqn: per adapter: its APQN
 * @se_bs: per adapter: the SE binding state, -1 outside an SE guest
 */
struct pke_state {
	uint64_t wk_gen;
	uint64_t cnt[PROTKEY_EMU_CNT_A_MAX + 1];
	int n;
	int online[PKE_MAX_ADAPTERS];
	uint32_t apqn[PKE_MAX_ADAPTERS];
	int se_bs[PKE_MAX_ADAPTERS];
};

static inline int pke_parse_counters(struct nlattr *nest, struct pke_state *st)
{
	struct nlattr *tb[PROTKEY_EMU_CNT_A_MAX + 1];
	int i;

	if (nla_parse_nested(tb, PROTKEY_EMU_CNT_A_MAX, nest, NULL))
		return -EBADMSG;
	for (i = 1; i < PROTKEY_EMU_CNT_A_PAD; i++) {
		if (!tb[i])
			continue;
		if (nla_len(tb[i]) != sizeof(uint64_t))
			return -EBADMSG;
		st->cnt[i] = nla_get_u64(tb[i]);
	}
	return 0;
}

static inline int pke_parse_adapter(struct nlattr *nest, struct pke_state *st)
{
	struct nlattr *tb[PROTKEY_EMU_ADAPTER_A_MAX + 1];

	if (st->n >= PKE_MAX_ADAPTERS ||
	    nla_parse_nested(tb, PROTKEY_EMU_ADAPTER_A_MAX, nest, NULL) ||
	    !tb[PROTKEY_EMU_ADAPTER_A_ONLINE])
		return -EBADMSG;
	st->apqn[st->n] = tb[PROTKEY_EMU_ADAPTER_A_APQN] ?
				  nla_get_u32(tb[PROTKEY_EMU_ADAPTER_A_APQN]) :
				  UINT32_MAX;
	st->se_bs[st->n] =
		tb[PROTKEY_EMU_ADAPTER_A_SE_BS] ?
			(int)nla_get_u32(tb[PROTKEY_EMU_ADAPTER_A_SE_BS]) :
			-1;
	st->online[st->n++] = nla_get_u8(tb[PROTKEY_EMU_ADAPTER_A_ONLINE]);
	return 0;
}

/* GET_STATE, parsed. Return: 0 or a negative errno. */
static inline int pke_get_state(struct pk_nl *nl, struct pke_state *st)
{
	struct nlmsghdr *nlh;
	struct nlattr *a;
	int rem, ret;

	memset(st, 0, sizeof(*st));
	ret = PKE_REQ0(nl, PROTKEY_EMU_CMD_GET_STATE);
	if (ret)
		return ret;
	if (!nl->reply)
		return -ENOMSG;
	nlh = nlmsg_hdr(nl->reply);
	nla_for_each_attr(a, genlmsg_attrdata(nlmsg_data(nlh), 0),
			  genlmsg_attrlen(nlmsg_data(nlh), 0), rem) {
		if (nla_type(a) == PROTKEY_EMU_A_WK_GEN)
			st->wk_gen = nla_get_u64(a);
		else if (nla_type(a) == PROTKEY_EMU_A_COUNTERS)
			ret = ret ?: pke_parse_counters(a, st);
		else if (nla_type(a) == PROTKEY_EMU_A_ADAPTER)
			ret = ret ?: pke_parse_adapter(a, st);
	}
	return ret;
}

static inline uint64_t pke_counter(struct pk_nl *nl, int which)
{
	struct pke_state st;

	return pke_get_state(nl, &st) ? UINT64_MAX : st.cnt[which];
}

/* Waits up to @ms until every adapter is usable (an outage may still run). */
static inline int pke_wait_usable(struct pk_nl *nl, int ms)
{
	struct pke_state st;
	int waited, i, ret;

	for (waited = 0; waited <= ms; waited += 20) {
		bool all = true;

		ret = pke_get_state(nl, &st);
		if (ret)
			return ret;
		for (i = 0; i < st.n; i++)
			all = all && st.online[i];
		if (all && st.n)
			return 0;
		usleep(20 * 1000);
	}
	return -ETIMEDOUT;
}

/* MK_LOAD: @mk (PROTKEY_EMU_MK_SIZE bytes) into every NEW register. */
static inline int pke_mk_load(struct pk_nl *nl, const uint8_t *mk)
{
	return PKE_REQ(nl, PROTKEY_EMU_CMD_MK_LOAD,
		       PKE_BIN(PROTKEY_EMU_A_MK, mk, PROTKEY_EMU_MK_SIZE));
}

/* MK_CLEAR of register @reg (PROTKEY_EMU_MK_*) on every adapter. */
static inline int pke_mk_clear(struct pk_nl *nl, uint32_t reg)
{
	return PKE_REQ(nl, PROTKEY_EMU_CMD_MK_CLEAR,
		       PKE_U32(PROTKEY_EMU_A_MK_REG, reg));
}

/* ADAPTER_SET: every adapter online (1) or offline (0). */
static inline int pke_set_online(struct pk_nl *nl, int online)
{
	return PKE_REQ(nl, PROTKEY_EMU_CMD_ADAPTER_SET,
		       PKE_U8(PROTKEY_EMU_A_ONLINE, online));
}

/*
 * The known state but for the adapters: no derive latency, no injected
 * failures, no busy answers, no early KM stops, CURRENT = @mk on all, NEW
 * and OLD empty.
 */
static inline int pke_reset_mk(struct pk_nl *nl, const uint8_t *mk)
{
	int ret;

	ret = PKE_REQ(nl, PROTKEY_EMU_CMD_SET_LATENCY,
		      PKE_U32(PROTKEY_EMU_A_LATENCY_US, 0));
	ret = ret   ?:
		      PKE_REQ(nl, PROTKEY_EMU_CMD_FAIL_DERIVES,
			      PKE_U32(PROTKEY_EMU_A_FAIL_COUNT, 0),
			      PKE_U32(PROTKEY_EMU_A_FAIL_ERRNO, EIO));
	ret = ret   ?:
		      PKE_REQ(nl, PROTKEY_EMU_CMD_SET_BUSY,
			      PKE_U32(PROTKEY_EMU_A_BUSY_COUNT, 0));
	ret = ret   ?:
		      PKE_REQ(nl, PROTKEY_EMU_CMD_KM_PARTIAL,
			      PKE_U32(PROTKEY_EMU_A_KM_PARTIAL_CALLS, 0),
			      PKE_U32(PROTKEY_EMU_A_KM_PARTIAL_BLOCKS, 1));
	ret = ret ?: pke_mk_load(nl, mk);
	ret = ret ?: PKE_REQ0(nl, PROTKEY_EMU_CMD_MK_SET);
	ret = ret ?: pke_mk_clear(nl, PROTKEY_EMU_MK_OLD);
	ret = ret ?: pke_mk_clear(nl, PROTKEY_EMU_MK_NEW);
	return ret;
}

/*
 * The known state: every adapter online and usable, CURRENT = pke_test_mk
 * on all, NEW and OLD empty, no derive latency, no injected failures. Also
 * the teardown of every test, so it must work after any failure.
 */
static inline int pke_normalise(struct pk_nl *nl)
{
	int ret;

	ret = PKE_REQ(nl, PROTKEY_EMU_CMD_SE_SET,
		      PKE_U8(PROTKEY_EMU_A_SE_GUEST, 0));
	ret = ret ?: pke_set_online(nl, 1);
	ret = ret ?: pke_wait_usable(nl, 15000);
	return ret ?: pke_reset_mk(nl, pke_test_mk);
}

/* The secure key of the last reply, copied to @token. */
static inline int pke_reply_token(struct pk_nl *nl,
				  uint8_t token[PROTKEY_EMU_SECKEY_SIZE])
{
	struct nlattr *tb[PROTKEY_EMU_A_MAX + 1];
	struct nlattr *key;

	if (pk_nl_reply_attrs(nl, tb, PROTKEY_EMU_A_MAX))
		return -EBADMSG;
	key = tb[PROTKEY_EMU_A_SECURE_KEY];
	if (!key || nla_len(key) != PROTKEY_EMU_SECKEY_SIZE)
		return -EBADMSG;
	memcpy(token, nla_data(key), PROTKEY_EMU_SECKEY_SIZE);
	return 0;
}

/* An AES-256 secure key (CCA AES DATA token) of the clear key @clear. */
static inline int pke_generate(struct pk_nl *nl, const uint8_t clear[32],
			       uint8_t token[PROTKEY_EMU_SECKEY_SIZE])
{
	int ret;

	ret = PKE_REQ(nl, PROTKEY_EMU_CMD_KEY_GENERATE,
		      PKE_U32(PROTKEY_EMU_A_KEY_BITS, 256),
		      PKE_BIN(PROTKEY_EMU_A_CLEAR_KEY, clear, 32));
	return ret ?: pke_reply_token(nl, token);
}

/*
 * KEY_DERIVE: the protected key of secure key @tok (@len bytes) under the
 * current wrapping key, into @pk (96 bytes); its length in *@pk_len.
 */
static inline int pke_key_derive(struct pk_nl *nl, const uint8_t *tok,
				 size_t len, uint8_t pk[96], size_t *pk_len)
{
	struct nlattr *tb[PROTKEY_EMU_A_MAX + 1];
	int ret;

	ret = PKE_REQ(nl, PROTKEY_EMU_CMD_KEY_DERIVE,
		      PKE_BIN(PROTKEY_EMU_A_SECURE_KEY, tok, len));
	if (ret)
		return ret;
	if (pk_nl_reply_attrs(nl, tb, PROTKEY_EMU_A_MAX) ||
	    !tb[PROTKEY_EMU_A_PROTECTED_KEY] ||
	    nla_len(tb[PROTKEY_EMU_A_PROTECTED_KEY]) > 96)
		return -EBADMSG;
	*pk_len = nla_len(tb[PROTKEY_EMU_A_PROTECTED_KEY]);
	memcpy(pk, nla_data(tb[PROTKEY_EMU_A_PROTECTED_KEY]), *pk_len);
	return 0;
}

/* An EP11 AES key as KEY_GENERATE makes it: 272 bytes zero-padded. */
#define PKE_EP11_LEN 336

/* Every adapter offline, into @mode (its registers emptied), online. */
static inline int pke_set_mode_all(struct pk_nl *nl, uint32_t mode)
{
	int ret;

	ret = PKE_REQ(nl, PROTKEY_EMU_CMD_ADAPTER_SET,
		      PKE_U8(PROTKEY_EMU_A_ONLINE, 0),
		      PKE_U32(PROTKEY_EMU_A_MODE, mode));
	return ret ?: pke_set_online(nl, 1);
}

/*
 * An EP11 AES-256 key (version 0x06) of the clear key @clear in @tok
 * (PKE_EP11_LEN bytes); its length in @len.
 */
static inline int pke_generate_ep11(struct pk_nl *nl, const uint8_t *clear,
				    uint8_t *tok, int *len)
{
	struct nlattr *tb[PROTKEY_EMU_A_MAX + 1];
	int ret;

	ret = PKE_REQ(nl, PROTKEY_EMU_CMD_KEY_GENERATE,
		      PKE_U32(PROTKEY_EMU_A_KEY_BITS, 256),
		      PKE_BIN(PROTKEY_EMU_A_CLEAR_KEY, clear, 32),
		      PKE_U32(PROTKEY_EMU_A_KEY_TYPE,
			      PROTKEY_EMU_KEY_EP11_AES));
	if (ret)
		return ret;
	if (pk_nl_reply_attrs(nl, tb, PROTKEY_EMU_A_MAX) ||
	    !tb[PROTKEY_EMU_A_SECURE_KEY] ||
	    nla_len(tb[PROTKEY_EMU_A_SECURE_KEY]) > PKE_EP11_LEN)
		return -EBADMSG;
	*len = nla_len(tb[PROTKEY_EMU_A_SECURE_KEY]);
	memcpy(tok, nla_data(tb[PROTKEY_EMU_A_SECURE_KEY]), *len);
	return 0;
}

/*
 * Checks, outside the emulator, that @token holds @clear: its key field
 * decrypted with AES-256-ECB under the test MK (the emulator's documented
 * scheme, kernel/emu/token.c) is @clear. Return: 0 or -EBADMSG.
 */
static inline int pke_token_holds(const uint8_t *token, const uint8_t *clear)
{
	uint8_t dec[32];
	int ret;

	ret = pk_aes_ecb(pke_test_mk, PROTKEY_EMU_MK_SIZE, ALG_OP_DECRYPT,
			 token + 16, dec, sizeof(dec));
	if (!ret && memcmp(dec, clear, sizeof(dec)))
		ret = -EBADMSG;
	memset(dec, 0, sizeof(dec));
	return ret;
}

/*
 * Makes the 128-byte XTS blob (two tokens) of the clear XTS key @xts_key
 * (64 bytes: key1 || key2) and checks both tokens from the outside.
 */
static inline int pke_make_xts_blob(struct pk_nl *nl, const uint8_t *xts_key,
				    uint8_t blob[2 * PROTKEY_EMU_SECKEY_SIZE])
{
	int ret;

	ret = pke_generate(nl, xts_key, blob);
	ret = ret   ?:
		      pke_generate(nl, xts_key + 32,
				   blob + PROTKEY_EMU_SECKEY_SIZE);
	ret = ret ?: pke_token_holds(blob, xts_key);
	ret = ret   ?:
		      pke_token_holds(blob + PROTKEY_EMU_SECKEY_SIZE,
				      xts_key + 32);
	return ret;
}

/* MIGRATE, with adapters unusable for @outage_ms when not 0. */
static inline int pke_migrate(struct pk_nl *nl, uint32_t outage_ms)
{
	if (!outage_ms)
		return PKE_REQ0(nl, PROTKEY_EMU_CMD_MIGRATE);
	return PKE_REQ(nl, PROTKEY_EMU_CMD_MIGRATE,
		       PKE_U32(PROTKEY_EMU_A_OUTAGE_MS, outage_ms));
}

/*
 * SE guests: the emulator's add-secret request, built here from the format
 * in Documentation/emulator.rst with the kernel's sha256 and ecb(aes)
 * through AF_ALG, independently of the emulator's own builder.
 */

/* SHA-256(@label || @key[32]). */
static inline int pke_image_derive(const uint8_t *key, uint8_t label,
				   uint8_t out[32])
{
	uint8_t in[33];

	in[0] = label;
	memcpy(in + 1, key, 32);
	return pk_sha256(in, sizeof(in), out);
}

/* HMAC-SHA-256 (RFC 2104) with a 32-byte key over @len <= 256 bytes. */
static inline int pke_hmac_sha256(const uint8_t key[32], const uint8_t *msg,
				  size_t len, uint8_t out[32])
{
	uint8_t buf[64 + 256], inner[32];
	int i, ret;

	if (len > 256)
		return -EINVAL;
	memset(buf, 0x36, 64);
	for (i = 0; i < 32; i++)
		buf[i] ^= key[i];
	memcpy(buf + 64, msg, len);
	ret = pk_sha256(buf, 64 + len, inner);
	if (ret)
		return ret;
	memset(buf, 0x5c, 64);
	for (i = 0; i < 32; i++)
		buf[i] ^= key[i];
	memcpy(buf + 64, inner, 32);
	return pk_sha256(buf, 64 + 32, out);
}

/*
 * The add-secret request for @image_key: @type, ID SHA-256(@name),
 * @secret of @len bytes, @nonce; into @req (PROTKEY_EMU_UV_REQ_MAX_SIZE).
 * Return: its length, or a negative errno.
 */
static inline int pke_uv_request(const uint8_t *image_key, uint16_t type,
				 const char *name, const uint8_t *secret,
				 uint16_t len, const uint8_t nonce[16],
				 uint8_t *req)
{
	uint8_t k[32], ctr[64], ks[64];
	int i, b, ret;

	if (!len || len > 64)
		return -EINVAL;
	memset(req, 0, PROTKEY_EMU_UV_REQ_HDR_SIZE);
	memcpy(req, PROTKEY_EMU_UV_REQ_MAGIC, 8);
	req[9] = PROTKEY_EMU_UV_REQ_VERSION;
	req[10] = type >> 8;
	req[11] = type & 0xff;
	req[12] = len >> 8;
	req[13] = len & 0xff;
	ret = pke_image_derive(image_key, 0x03, req + 0x10);
	ret = ret ?: pk_sha256(name, strlen(name), req + 0x30);
	memcpy(req + 0x50, nonce, 16);
	/* counter blocks nonce, nonce + 1, ... (128-bit big-endian) */
	for (i = 0; i < 64; i += 16) {
		memcpy(ctr + i, i ? ctr + i - 16 : nonce, 16);
		for (b = 15; i && b >= 0 && !++ctr[i + b]; b--)
			;
	}
	ret = ret ?: pke_image_derive(image_key, 0x04, k);
	ret = ret ?: pk_aes_ecb(k, 32, ALG_OP_ENCRYPT, ctr, ks, sizeof(ctr));
	for (i = 0; i < len; i++)
		req[PROTKEY_EMU_UV_REQ_HDR_SIZE + i] = secret[i] ^ ks[i];
	ret = ret ?: pke_image_derive(image_key, 0x05, k);
	ret = ret   ?:
		      pke_hmac_sha256(k, req, PROTKEY_EMU_UV_REQ_HDR_SIZE + len,
				      req + PROTKEY_EMU_UV_REQ_HDR_SIZE + len);
	return ret   ?:
		       PROTKEY_EMU_UV_REQ_HDR_SIZE + len +
			       PROTKEY_EMU_UV_REQ_MAC_SIZE;
}

/*
 * Adds a secret made for image key @key (ID SHA-256(@name)), with UV_FORCE
 * if @force; its index in @idx (may be NULL). Return: 0 or -errno.
 */
static inline int pke_uv_add(struct pk_nl *nl, const uint8_t *key,
			     uint16_t type, const char *name,
			     const uint8_t *secret, uint16_t len, int force,
			     uint32_t *idx)
{
	struct nlattr *tb[PROTKEY_EMU_A_MAX + 1];
	uint8_t req[PROTKEY_EMU_UV_REQ_MAX_SIZE], nonce[32];
	int n, ret;

	/* a nonce of its own per secret name and force */
	if (pk_sha256(name, strlen(name), nonce))
		return -EIO;
	nonce[0] ^= force;
	n = pke_uv_request(key, type, name, secret, len, nonce, req);
	if (n < 0)
		return n;
	if (force)
		ret = PKE_REQ(nl, PROTKEY_EMU_CMD_UV_ADD,
			      PKE_BIN(PROTKEY_EMU_A_UV_REQUEST, req, n),
			      PKE_FILL(PROTKEY_EMU_A_UV_FORCE, 0, 0));
	else
		ret = PKE_REQ(nl, PROTKEY_EMU_CMD_UV_ADD,
			      PKE_BIN(PROTKEY_EMU_A_UV_REQUEST, req, n));
	if (ret)
		return ret;
	if (pk_nl_reply_attrs(nl, tb, PROTKEY_EMU_A_MAX) ||
	    !tb[PROTKEY_EMU_A_SECRET_IDX])
		return -EBADMSG;
	if (idx)
		*idx = nla_get_u32(tb[PROTKEY_EMU_A_SECRET_IDX]);
	return 0;
}

/*
 * A UV secret token (struct uvsecrettoken, 44 bytes) for the secret of
 * @type named @name (ID SHA-256(@name)) of @len bytes, into @tok.
 */
static inline int pke_uv_token(uint16_t type, const char *name, uint16_t len,
			       uint8_t tok[PROTKEY_EMU_UV_TOKEN_SIZE])
{
	memset(tok, 0, PROTKEY_EMU_UV_TOKEN_SIZE);
	tok[4] = PROTKEY_EMU_UV_TOKEN_VERSION;
	tok[8] = type >> 8;
	tok[9] = type & 0xff;
	tok[10] = len >> 8;
	tok[11] = len & 0xff;
	return pk_sha256(name, strlen(name), tok + 12);
}

#endif /* PROTKEY_SELFTEST_EMU_H */
