// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the secure-key token parser (lib/token.c): a valid CCA
 * AES DATA token and XTS pair, every truncation, every bad field, the
 * formats known but not supported, the XTS pair rules, and EP11 AES keys
 * (both versions, every field pkey or the adapter checks, the 672-byte
 * XTS pair zkey makes).
 */
#include "test.h"

#define MKVP 0x0123456789abcdefULL

static void test_valid(void)
{
	static const unsigned int bits[] = { 128, 192, 256 };
	struct pk_token_info info;
	uint8_t t[64];
	size_t i;
	int ret;

	for (i = 0; i < 3; i++) {
		t_make_token(t, bits[i], MKVP, 1);
		ret = pk_token_parse(t, sizeof(t), &info, NULL);
		t_ok(!ret && info.bits == bits[i] && info.mkvp == MKVP &&
			     !strcmp(info.type, "CCA-AESDATA") &&
			     info.size == 64,
		     "token: valid AES-%u token parses (type, bits, MKVP)",
		     bits[i]);
	}
	t_make_token(t, 256, MKVP, 1);
	t[6] = 0xc0;
	pk_cca_set_tvv(t);
	t_ok(!pk_token_parse(t, sizeof(t), &info, NULL),
	     "token: flag 0xC0 (CV bit) accepted as the kernel does");
}

static void test_truncations(void)
{
	struct pk_token_info info;
	uint8_t t[65];
	struct pk_err err;
	size_t len, bad = 0;

	t_make_token(t, 256, MKVP, 2);
	t[64] = 0;
	for (len = 0; len < 64; len++)
		if (pk_token_parse(t, len, &info, &err) != -EINVAL ||
		    !err.msg[0])
			bad++;
	t_ok(!bad,
	     "token: every truncation (0..63 bytes) is -EINVAL with a message");
	t_ok(pk_token_parse(t, 65, &info, &err) == -EINVAL &&
		     strstr(err.msg, "65 bytes"),
	     "token: 65 bytes refused, message names the size");
}

/**
 * struct bad_field - one corruption of a valid token
 * @name: test name
 * @off: byte offset to change
 * @val: new value
 * @fix_tvv: recompute the TVV afterwards (so only the field is wrong)
 * @ret: expected error
 * @msg: expected substring of the message
 */
struct bad_field {
	const char *name;
	int off;
	uint8_t val;
	bool fix_tvv;
	int ret;
	const char *msg;
};

static const struct bad_field bad_fields[] = {
	{ "type 0x02", 0, 0x02, true, -EINVAL, "unknown" },
	{ "version 0x07", 4, 0x07, true, -EINVAL, "unknown" },
	{ "reserved byte 1", 1, 0x01, true, -EINVAL, "reserved" },
	{ "reserved byte 3", 3, 0xff, true, -EINVAL, "reserved" },
	{ "reserved byte 5", 5, 0x10, true, -EINVAL, "reserved" },
	{ "flag 0x00", 6, 0x00, true, -EINVAL, "flag" },
	{ "flag 0x20", 6, 0xa0, true, -EINVAL, "flag" },
	{ "control vector", 50, 0x01, true, -EINVAL, "control vector" },
	{ "bit size 100", 57, 100, true, -EINVAL, "key size" },
	{ "key size 16", 59, 16, true, -EINVAL, "enciphered key size" },
	{ "TVV", 63, 0x00, false, -EINVAL, "validation value" },
	{ "key byte, TVV stale", 20, 0x55, false, -EINVAL, "validation value" },
	{ "AES CIPHER (version 5)", 4, 0x05, true, -EOPNOTSUPP,
	  "CCA-AESCIPHER" },
};

static void test_bad_fields(void)
{
	struct pk_token_info info;
	const struct bad_field *b;
	struct pk_err err;
	uint8_t t[64];
	size_t i;
	int ret;

	for (i = 0; i < sizeof(bad_fields) / sizeof(bad_fields[0]); i++) {
		b = &bad_fields[i];
		t_make_token(t, 256, MKVP, 3);
		if (t[b->off] == b->val)
			t[b->off] ^= 0xff;
		else
			t[b->off] = b->val;
		if (b->fix_tvv)
			pk_cca_set_tvv(t);
		err.msg[0] = '\0';
		ret = pk_token_parse(t, sizeof(t), &info, &err);
		if (!t_ok(ret == b->ret && strstr(err.msg, b->msg),
			  "token: bad %s: %s", b->name, strerror(-b->ret)))
			t_diag("got", &err);
	}
	t_make_token(t, 256, 0, 3);
	ret = pk_token_parse(t, sizeof(t), &info, &err);
	t_ok(ret == -EINVAL && strstr(err.msg, "verification pattern is zero"),
	     "token: zero MKVP refused");
	memset(t, 0, sizeof(t));
	t[4] = 0x09;
	ret = pk_token_parse(t, sizeof(t), &info, &err);
	t_ok(ret == -EINVAL && strstr(err.msg, "PVSECRET-AES token of 64"),
	     "token: a UV secret token of the wrong size named in the message");
}

static void test_xts(void)
{
	struct pk_xts_info xts;
	struct pk_err err;
	uint8_t b[129];
	size_t len, bad = 0;
	int ret;

	t_make_xts(b, MKVP, 4);
	ret = pk_xts_parse(b, 128, &xts, &err);
	t_ok(!ret && xts.key_size_bits == 1024 && xts.half[0].bits == 256 &&
		     xts.half[1].mkvp == MKVP,
	     "xts: valid pair, volume key size 1024 bits");
	for (len = 0; len < 128; len++)
		if (pk_xts_parse(b, len, &xts, &err) >= 0 || !err.msg[0])
			bad++;
	t_ok(!bad,
	     "xts: every truncation (0..127 bytes) refused with a message");
	ret = pk_xts_parse(b, 100, &xts, &err);
	t_ok(ret == -EINVAL && strstr(err.msg, "of 100 bytes: data key half"),
	     "xts: a truncated key's message gives its size, then the half");
	ret = pk_xts_parse(b, 64, &xts, &err);
	t_ok(ret == -EINVAL && strstr(err.msg, "not an XTS key") &&
		     strstr(err.msg, "CCA-AESDATA"),
	     "xts: a single token is named as such");
	b[128] = 0;
	t_ok(pk_xts_parse(b, 129, &xts, &err) == -EINVAL,
	     "xts: odd size refused");
	memcpy(b + 64, b, 64);
	ret = pk_xts_parse(b, 128, &xts, &err);
	t_ok(ret == -EINVAL && strstr(err.msg, "same key"),
	     "xts: identical halves refused");
	t_make_xts(b, MKVP, 4);
	t_make_token(b + 64, 128, MKVP, 9);
	ret = pk_xts_parse(b, 128, &xts, &err);
	t_ok(ret == -EINVAL && strstr(err.msg, "different type or size"),
	     "xts: halves of different key size refused");
	t_make_token(b, 192, MKVP, 4);
	t_make_token(b + 64, 192, MKVP, 5);
	ret = pk_xts_parse(b, 128, &xts, &err);
	t_ok(ret == -EINVAL && strstr(err.msg, "AES-192"),
	     "xts: AES-192 refused (XTS has 128 and 256 only)");
	t_make_xts(b, MKVP, 4);
	b[64 + 63] ^= 1;
	ret = pk_xts_parse(b, 128, &xts, &err);
	t_ok(ret == -EINVAL && strstr(err.msg, "tweak key half"),
	     "xts: a bad tweak half is named");
	t_make_xts(b, MKVP, 4);
	t_make_token(b + 64, 128, MKVP, 5);
	t_make_token(b, 128, MKVP, 4);
	ret = pk_xts_parse(b, 128, &xts, &err);
	t_ok(!ret && xts.half[0].bits == 128, "xts: AES-128 pair accepted");
}

static const struct {
	const char *name;
	int off; /* in the version 0x06 key */
	uint8_t val;
	const char *msg;
} ep11_bad[] = {
	{ "header version", 1, 0x01, "header version" },
	{ "reserved byte 5", 5, 0x01, "reserved" },
	{ "reserved byte 12", 12, 0x01, "reserved" },
	{ "header length", 3, 0x11, "header length" },
	{ "bit length 100", 7, 100, "key size" },
	{ "session byte", 16 + 3, 0x01, "session" },
	{ "not PKEY_EXTRACTABLE", 16 + 53, 0x00, "PKEY_EXTRACTABLE" },
	{ "mode bits", 16 + 60, 0x01, "mode bits" },
	{ "magic", 16 + 65, 0x35, "magic" },
	{ "padding", 300, 0x01, "after the key" },
};

static void test_ep11(void)
{
	struct pk_token_info info;
	struct pk_xts_info xts;
	struct pk_err err;
	uint8_t t[672 + 1];
	size_t i, bad = 0;
	int ret;

	t_make_ep11(t, true, 1);
	ret = pk_token_parse(t, 336, &info, &err);
	t_ok(!ret && !strcmp(info.type, "EP11-AES") && info.bits == 256 &&
		     info.has_wkvp && info.wkvp[0] == 0xa0 &&
		     info.wkvp[15] == 0xaf &&
		     info.mkvp == 0xa0a1a2a3a4a5a6a7ULL,
	     "ep11: version 0x06 key of 336 bytes parses (type, bits, WKVP)");
	t_ok(!pk_token_parse(t, 272, &info, &err),
	     "ep11: version 0x06 key of 272 bytes (no padding) accepted");
	t_ok(pk_token_parse(t, 271, &info, &err) == -EINVAL &&
		     strstr(err.msg, "271 bytes"),
	     "ep11: 271 bytes refused, message names the size");
	t[336] = 0;
	t_ok(pk_token_parse(t, 337, &info, &err) == -EINVAL,
	     "ep11: 337 bytes refused");
	t_make_ep11(t, false, 1);
	ret = pk_token_parse(t, 320, &info, &err);
	t_ok(!ret && !strcmp(info.type, "EP11-AES") && info.bits == 256,
	     "ep11: version 0x03 key of 320 bytes parses");
	t[20] = 1;
	t_ok(pk_token_parse(t, 320, &info, &err) == -EINVAL &&
		     strstr(err.msg, "session"),
	     "ep11: version 0x03 session bytes after the header refused");
	for (i = 0; i < sizeof(ep11_bad) / sizeof(ep11_bad[0]); i++) {
		t_make_ep11(t, true, 1);
		t[ep11_bad[i].off] = ep11_bad[i].val;
		err.msg[0] = '\0';
		ret = pk_token_parse(t, 336, &info, &err);
		if (ret != -EINVAL || !strstr(err.msg, ep11_bad[i].msg)) {
			bad++;
			t_diag(ep11_bad[i].name, &err);
		}
	}
	t_ok(!bad, "ep11: each of %zu bad fields refused with its message",
	     sizeof(ep11_bad) / sizeof(ep11_bad[0]));
	t_make_ep11(t, true, 1);
	memset(t + 16 + 32, 0, 16);
	t_ok(pk_token_parse(t, 336, &info, &err) == -EINVAL &&
		     strstr(err.msg, "verification pattern is zero"),
	     "ep11: zero WKVP refused");

	t_make_ep11(t, true, 1);
	t_make_ep11(t + 336, true, 2);
	ret = pk_xts_parse(t, 672, &xts, &err);
	t_ok(!ret && xts.key_size_bits == 5376 && xts.half[1].has_wkvp &&
		     !strcmp(xts.half[1].type, "EP11-AES"),
	     "ep11: 672-byte XTS pair, --key-size 5376 as zkey's");
	ret = pk_xts_parse(t, 336, &xts, &err);
	t_ok(ret == -EINVAL && strstr(err.msg, "not an XTS key"),
	     "ep11: one EP11 key is not an XTS key");
	t_make_ep11(t + 336, true, 1);
	t_ok(pk_xts_parse(t, 672, &xts, &err) == -EINVAL &&
		     strstr(err.msg, "same key"),
	     "ep11: identical halves refused");
	t_make_ep11(t + 336, true, 2);
	t_make_token(t + 336, 256, MKVP, 1);
	t_ok(pk_xts_parse(t, 672, &xts, &err) == -EINVAL,
	     "ep11: an EP11 half with a CCA half refused");
}

static void test_uv(void)
{
	struct pk_token_info info;
	struct pk_xts_info xts;
	uint8_t id[32], t[88 + 1];
	struct pk_err err;
	int ret;

	memset(id, 0x5a, sizeof(id));
	pk_uv_token_build(0x06, 32, id, t);
	t_ok(t[0] == 0 && t[4] == 0x09 && t[8] == 0 && t[9] == 0x06 &&
		     t[11] == 32 && t[12] == 0x5a && t[43] == 0x5a,
	     "uv: token built as struct uvsecrettoken (type, length, ID)");
	ret = pk_token_parse(t, 44, &info, &err);
	t_ok(!ret && !strcmp(info.type, "PVSECRET-AES") && info.bits == 256 &&
		     info.has_secret_id && info.secret_id[31] == 0x5a &&
		     !info.mkvp,
	     "uv: AES-256 secret token parses (type, bits, ID, no MKVP)");
	t_ok(pk_token_parse(t, 43, &info, &err) == -EINVAL,
	     "uv: 43 bytes refused");
	t[2] = 1;
	t_ok(pk_token_parse(t, 44, &info, &err) == -EINVAL &&
		     strstr(err.msg, "reserved"),
	     "uv: reserved byte refused");
	pk_uv_token_build(0x08, 64, id, t);
	ret = pk_token_parse(t, 44, &info, &err);
	t_ok(!ret && info.full_xts && info.bits == 256,
	     "uv: AES-XTS-256 secret token: a full-XTS key, AES-256 halves");
	ret = pk_xts_parse(t, 44, &xts, &err);
	t_ok(!ret && xts.key_size_bits == 352 && xts.half[0].full_xts &&
		     !memcmp(xts.half[1].secret_id, id, PK_UV_SECRET_ID_SIZE),
	     "uv: one AES-XTS token is a whole 44-byte XTS key (352 bits)");
	memcpy(t + 44, t, 44);
	t[44 + 12] ^= 1;
	t_ok(pk_xts_parse(t, 88, &xts, &err) == -EINVAL &&
		     strstr(err.msg, "not a half"),
	     "uv: two AES-XTS tokens refused: each is a whole key");
	pk_uv_token_build(0x02, 32, id, t);
	t_ok(pk_token_parse(t, 44, &info, &err) == -EINVAL &&
		     strstr(err.msg, "not an AES key"),
	     "uv: association secret token refused");

	pk_uv_token_build(0x04, 16, id, t);
	id[0] = 0x11;
	pk_uv_token_build(0x04, 16, id, t + 44);
	ret = pk_xts_parse(t, 88, &xts, &err);
	t_ok(!ret && xts.key_size_bits == 704 && xts.half[0].bits == 128 &&
		     xts.half[1].secret_id[0] == 0x11,
	     "uv: two AES-128 secret tokens: an 88-byte XTS key");
	memcpy(t + 44, t, 44);
	t_ok(pk_xts_parse(t, 88, &xts, &err) == -EINVAL &&
		     strstr(err.msg, "same key"),
	     "uv: the same secret twice refused");
	pk_uv_token_build(0x06, 32, id, t + 44);
	t_ok(pk_xts_parse(t, 88, &xts, &err) == -EINVAL &&
		     strstr(err.msg, "different type or size"),
	     "uv: AES-128 with AES-256 secret refused");
}

int main(void)
{
	t_plan(54);
	test_valid();
	test_truncations();
	test_bad_fields();
	test_xts();
	test_ep11();
	test_uv();
	return t_done();
}
