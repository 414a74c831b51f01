// SPDX-License-Identifier: GPL-2.0-only
/*
 * pk_token_parse() and pk_xts_parse() on arbitrary bytes. The first input
 * byte is a control byte: bit 0 repairs the token validation value of the
 * token at offset 0 and of the one at the middle, so that mutations get
 * past that check. Invariants beyond no crash and no UB:
 *
 * - a refused token is -EINVAL or -EOPNOTSUPP with a message, and its
 *   info is left zeroed (pk_token_parse() clears it first);
 * - an accepted CCA-AESDATA token is 64 bytes whose every field is what
 *   token.c documents: header, flag, zero reserved bytes and control
 *   vector, 128/192/256 bits, enciphered key size 32, a matching TVV and
 *   a non-zero MKVP equal to bytes 8..15; an accepted EP11-AES token has
 *   type 0x00, version 0x03 or 0x06, 256..336 bytes and AES bits; an
 *   accepted PVSECRET-AES token is 44 bytes, type 0x00, version 0x09, an
 *   AES (0x04..0x06) or AES-XTS (0x07, 0x08: full_xts) secret type, its
 *   ID copied; nothing else is accepted;
 * - a refused XTS key reports key_size_bits 0; an accepted one is one
 *   full-XTS (AES-XTS secret) token, or two accepted tokens of equal type
 *   and size, AES-128 or AES-256, different from each other, neither
 *   full-XTS, not itself one valid token; key_size_bits is its size in
 *   bits.
 */
#include "fuzz.h"

static bool zero(const uint8_t *p, size_t n)
{
	while (n--)
		if (*p++)
			return false;
	return true;
}

static void check_token(const uint8_t *t, size_t len, int ret,
			const struct pk_token_info *info,
			const struct pk_err *err)
{
	unsigned int bits;
	uint64_t mkvp;

	if (ret) {
		FUZZ_CHECK(ret == -EINVAL || ret == -EOPNOTSUPP);
		FUZZ_CHECK(fuzz_err_set(err));
		FUZZ_CHECK(!info->type && !info->size && !info->bits &&
			   !info->mkvp);
		return;
	}
	FUZZ_CHECK(info->type && info->size == len);
	FUZZ_CHECK(info->bits == 128 || info->bits == 192 || info->bits == 256);
	if (!strcmp(info->type, "EP11-AES")) {
		FUZZ_CHECK(t[0] == 0x00 && (t[4] == 0x03 || t[4] == 0x06));
		FUZZ_CHECK(len >= 256 && len <= 336);
		FUZZ_CHECK(!info->full_xts);
		return;
	}
	if (!strcmp(info->type, "PVSECRET-AES")) {
		unsigned int st = (unsigned int)(t[8] << 8 | t[9]);

		FUZZ_CHECK(len == 44 && t[0] == 0x00 && t[4] == 0x09);
		FUZZ_CHECK(st >= 0x04 && st <= 0x08);
		FUZZ_CHECK(info->full_xts == (st >= 0x07));
		FUZZ_CHECK(info->has_secret_id &&
			   !memcmp(info->secret_id, t + 12, 32));
		return;
	}
	FUZZ_CHECK(!strcmp(info->type, "CCA-AESDATA") && !info->full_xts);
	FUZZ_CHECK(len == PK_CCA_AESDATA_SIZE && info->size == len);
	FUZZ_CHECK(t[0] == 0x01 && t[4] == 0x04);
	FUZZ_CHECK(zero(t + 1, 3) && !t[5] && zero(t + 48, 8));
	FUZZ_CHECK((t[6] & ~0x40) == 0x80);
	bits = (unsigned int)(t[56] << 8 | t[57]);
	FUZZ_CHECK(bits == 128 || bits == 192 || bits == 256);
	FUZZ_CHECK(info->bits == bits);
	FUZZ_CHECK(t[58] == 0 && t[59] == 32);
	FUZZ_CHECK(fuzz_be32(t + 60) == pk_cca_tvv(t));
	mkvp = (uint64_t)fuzz_be32(t + 8) << 32 | fuzz_be32(t + 12);
	FUZZ_CHECK(mkvp && info->mkvp == mkvp);
}

static void check_xts(const uint8_t *blob, size_t len, int ret,
		      const struct pk_xts_info *x, const struct pk_err *err)
{
	struct pk_token_info half, whole;
	size_t h = len / 2;
	int i;

	if (ret) {
		FUZZ_CHECK(ret == -EINVAL || ret == -EOPNOTSUPP);
		FUZZ_CHECK(fuzz_err_set(err));
		FUZZ_CHECK(!x->key_size_bits);
		return;
	}
	FUZZ_CHECK(len && len % 2 == 0 && len <= PK_XTS_BLOB_MAX);
	FUZZ_CHECK(x->key_size_bits == len * 8);
	if (!pk_token_parse(blob, len, &whole, NULL)) {
		/* One token: only a full-XTS one is a whole XTS key. */
		FUZZ_CHECK(whole.full_xts && x->half[0].full_xts &&
			   x->half[1].full_xts);
		return;
	}
	for (i = 0; i < 2; i++) {
		FUZZ_CHECK(!pk_token_parse(blob + i * h, h, &half, NULL));
		FUZZ_CHECK(half.type == x->half[i].type && half.size == h &&
			   x->half[i].size == h &&
			   half.bits == x->half[i].bits &&
			   half.mkvp == x->half[i].mkvp);
	}
	FUZZ_CHECK(!x->half[0].full_xts && !x->half[1].full_xts);
	FUZZ_CHECK(x->half[0].type == x->half[1].type);
	FUZZ_CHECK(x->half[0].bits == x->half[1].bits);
	FUZZ_CHECK(x->half[0].bits == 128 || x->half[0].bits == 256);
	FUZZ_CHECK(memcmp(blob, blob + h, h));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pk_token_info info;
	struct pk_xts_info xts;
	struct pk_err err;
	uint8_t *blob;
	size_t len;
	int ret;

	if (!size)
		return 0;
	len = size - 1;
	blob = fuzz_dup(data + 1, len);
	if (data[0] & 1)
		fuzz_fix_tvvs(blob, len);

	memset(&err, 0, sizeof(err));
	memset(&info, 0xa5, sizeof(info));
	ret = pk_token_parse(blob, len, &info, &err);
	check_token(blob, len, ret, &info, &err);

	memset(&err, 0, sizeof(err));
	memset(&xts, 0xa5, sizeof(xts));
	ret = pk_xts_parse(blob, len, &xts, &err);
	check_xts(blob, len, ret, &xts, &err);

	/* A NULL error pointer is allowed and changes nothing. */
	FUZZ_CHECK(pk_xts_parse(blob, len, &xts, NULL) == ret);

	free(blob);
	return 0;
}
