// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the protkey LUKS2 token's JSON (lib/luks2_protkey.c): a
 * valid token round-trips through pk_lt_format() and pk_lt_parse(), and a
 * table of malformed tokens, each one member changed, is refused with the
 * errno and a message naming what is wrong; EP11 and Ultravisor-secret
 * wrapping keys record their own patterns (WKVPs, secret IDs); a staged
 * key round-trips and is checked. No kernel: sealing and unsealing run in
 * the VM tests.
 */
#include <json.h>

#include "test.h"

#define MKVP 0x0123456789abcdefULL

static void make_lt(struct pk_lt *lt)
{
	int i;

	uint8_t key[2 * PK_CCA_AESDATA_SIZE];

	memset(lt, 0, sizeof(*lt));
	lt->keyslots[0] = 1;
	lt->n_keyslots = 1;
	snprintf(lt->key_name, sizeof(lt->key_name), "wrap1");
	t_make_xts(key, MKVP, 3);
	if (pk_lt_set_key(lt, key, sizeof(key), NULL))
		printf("# pk_lt_set_key refused a CCA XTS key\n");
	for (i = 0; i < PK_VP_HEX; i++)
		lt->vp[i] = "0123456789abcdef"[i % 16];
	for (i = 0; i < 16; i++)
		lt->iv[i] = (uint8_t)(i * 7);
	for (i = 0; i < PK_LT_PASS_LEN; i++)
		lt->sealed[i] = (uint8_t)(i * 13 + 5);
	lt->sealed_len = PK_LT_PASS_LEN;
}

static void test_roundtrip(void)
{
	struct pk_lt lt, back;
	struct pk_err err = { 0 };
	char *json;
	int ret;

	make_lt(&lt);
	json = pk_lt_format(&lt);
	ret = json ? pk_lt_parse(json, &back, &err) : -ENOMEM;
	if (ret)
		t_diag("parse", &err);
	t_ok(!ret && back.n_keyslots == 1 && back.keyslots[0] == 1 &&
		     !strcmp(back.key_type, "CCA-AESDATA") &&
		     !strcmp(back.key_name, "wrap1") &&
		     back.key_len == lt.key_len &&
		     !memcmp(back.key, lt.key, lt.key_len) &&
		     !strcmp(back.vp, lt.vp) && back.n_pat == 1 &&
		     back.pat_size == 8 && back.pat[0][0] == 0x01 &&
		     back.pat[0][7] == 0xef && !back.staged_len &&
		     !memcmp(back.iv, lt.iv, 16) &&
		     back.sealed_len == lt.sealed_len &&
		     !memcmp(back.sealed, lt.sealed, lt.sealed_len),
	     "luks2_protkey: a token round-trips through format and parse");
	free(json);
}

/**
 * struct bad_token - one malformed token
 * @name: test name
 * @member: the member to change
 * @value: its new JSON value, or NULL to remove it
 * @ret: the errno pk_lt_parse() must return
 * @msg: a substring its message must contain
 */
struct bad_token {
	const char *name;
	const char *member;
	const char *value;
	int ret;
	const char *msg;
};

/* clang-format off */
static const struct bad_token bad_tokens[] = {
	{ "type missing", "type", NULL, -EINVAL, "\"type\"" },
	{ "type wrong", "type", "\"luks2-keyring\"", -EINVAL, "expected \"protkey\"" },
	{ "type not a string", "type", "7", -EINVAL, "\"type\" is not a string" },
	{ "version missing", "protkey-version", NULL, -EINVAL, "protkey-version" },
	{ "version 2", "protkey-version", "2", -EINVAL, "version 2" },
	{ "version a string", "protkey-version", "\"1\"", -EINVAL, "protkey-version" },
	{ "keyslots missing", "keyslots", NULL, -EINVAL, "keyslots" },
	{ "keyslots empty", "keyslots", "[]", -EINVAL, "0 keyslots" },
	{ "keyslot a number", "keyslots", "[1]", -EINVAL, "keyslot 0" },
	{ "keyslot 32", "keyslots", "[\"32\"]", -EINVAL, "keyslot 0" },
	{ "keyslot negative", "keyslots", "[\"-1\"]", -EINVAL, "keyslot 0" },
	{ "key type missing", "key-type", NULL, -EINVAL, "\"key-type\"" },
	{ "key type unknown", "key-type", "\"AES\"", -EINVAL, "unknown key type" },
	{ "key type EP11 for a CCA key", "key-type", "\"EP11-AES\"", -EINVAL, "is CCA-AESDATA, not EP11-AES" },
	{ "key type UV secret for a CCA key", "key-type", "\"PVSECRET-AES\"", -EINVAL, "is CCA-AESDATA, not PVSECRET-AES" },
	{ "key name with slash", "key-name", "\"a/b\"", -EINVAL, "key-name" },
	{ "key name not a string", "key-name", "1", -EINVAL, "key-name" },
	{ "secure key missing", "secure-key", NULL, -EINVAL, "secure-key" },
	{ "secure key odd hex", "secure-key", "\"abc\"", -EINVAL, "secure-key" },
	{ "secure key upper-case", "secure-key", "\"ABCD\"", -EINVAL, "secure-key" },
	{ "secure key not XTS", "secure-key", "\"00112233445566778899\"", -EINVAL, "secure-key" },
	{ "mkvps missing", "mkvps", NULL, -EINVAL, "mkvps" },
	{ "mkvps two for one", "mkvps", "[\"0123456789abcdef\",\"0123456789abcdef\"]", -EINVAL, "mkvps" },
	{ "mkvp wrong", "mkvps", "[\"0123456789abcdee\"]", -EINVAL, "does not match" },
	{ "mkvp short", "mkvps", "[\"0123\"]", -EINVAL, "MKVP 0" },
	{ "wkvps on a CCA key", "wkvps", "[\"00\"]", -EINVAL, "\"wkvps\" is for EP11-AES keys" },
	{ "secret ids on a CCA key", "secret-ids", "[]", -EINVAL, "\"secret-ids\" is for PVSECRET-AES keys" },
	{ "staged key not XTS", "staged-key", "\"0011\"", -EINVAL, "staged-key" },
	{ "staged key not a string", "staged-key", "[]", -EINVAL, "staged-key" },
	{ "vp missing", "verification-pattern", NULL, -EINVAL, "verification-pattern" },
	{ "vp short", "verification-pattern", "\"00\"", -EINVAL, "verification-pattern" },
	{ "iv missing", "iv", NULL, -EINVAL, "\"iv\"" },
	{ "iv 8 bytes", "iv", "\"0001020304050607\"", -EINVAL, "\"iv\"" },
	{ "sealed missing", "sealed", NULL, -EINVAL, "sealed" },
	{ "sealed 8 bytes", "sealed", "\"0001020304050607\"", -EINVAL, "sealed" },
	{ "unknown member", "passphrase", "\"x\"", -EINVAL, "unknown member \"passphrase\"" },
};
/* clang-format on */

static void test_bad_tokens(void)
{
	struct json_object *o;
	struct pk_err err;
	struct pk_lt lt;
	const char *json;
	char *base;
	size_t i;
	int ret;

	make_lt(&lt);
	base = pk_lt_format(&lt);
	for (i = 0; i < sizeof(bad_tokens) / sizeof(bad_tokens[0]); i++) {
		const struct bad_token *b = &bad_tokens[i];

		o = json_tokener_parse(base);
		json_object_object_del(o, b->member);
		if (b->value)
			json_object_object_add(o, b->member,
					       json_tokener_parse(b->value));
		json = json_object_to_json_string_ext(o,
						      JSON_C_TO_STRING_PLAIN);
		err.msg[0] = '\0';
		ret = pk_lt_parse(json, &lt, &err);
		if (ret != b->ret || !strstr(err.msg, b->msg))
			printf("# %s: ret %d, \"%s\"\n", b->name, ret, err.msg);
		t_ok(ret == b->ret && strstr(err.msg, b->msg) && !lt.key_len &&
			     !lt.sealed_len,
		     "luks2_protkey: refused, %s", b->name);
		json_object_put(o);
	}
	free(base);
}

static void test_bad_json(void)
{
	static const char *const texts[] = {
		"", "{", "[]", "\"protkey\"", "{\"type\":\"protkey\"} x",
	};
	struct pk_err err;
	struct pk_lt lt;
	size_t i, bad = 0;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		err.msg[0] = '\0';
		if (pk_lt_parse(texts[i], &lt, &err) != -EINVAL || !err.msg[0])
			bad++;
	}
	t_ok(!bad && pk_lt_parse(NULL, &lt, &err) == -EINVAL,
	     "luks2_protkey: not JSON, not an object, trailing text, NULL: -EINVAL with a message");
}

/* @lt with @key of @len bytes as its wrapping key: format, parse back. */
static int typed_roundtrip(struct pk_lt *lt, const uint8_t *key, size_t len,
			   struct pk_lt *back, char **json)
{
	struct pk_err err = { 0 };
	int ret;

	make_lt(lt);
	lt->key_type[0] = '\0';
	ret = pk_lt_set_key(lt, key, len, &err);
	*json = ret ? NULL : pk_lt_format(lt);
	ret = ret ?: pk_lt_parse(*json, back, &err);
	if (ret)
		t_diag("typed", &err);
	return ret;
}

static void test_ep11_and_uv(void)
{
	uint8_t ep11[2 * PK_EP11_MAX_SIZE], uv[2 * PK_UV_TOKEN_SIZE];
	uint8_t id1[PK_UV_SECRET_ID_SIZE], id2[PK_UV_SECRET_ID_SIZE];
	struct pk_err err = { 0 };
	struct pk_lt lt, back;
	char *json, *p;
	int ret;

	t_make_ep11(ep11, true, 1);
	t_make_ep11(ep11 + PK_EP11_MAX_SIZE, true, 2);
	ret = typed_roundtrip(&lt, ep11, sizeof(ep11), &back, &json);
	t_ok(!ret && !strcmp(back.key_type, "EP11-AES") && back.n_pat == 1 &&
		     back.pat_size == PK_WKVP_SIZE && back.pat[0][0] == 0xa0 &&
		     back.pat[0][15] == 0xaf && json &&
		     strstr(json,
			    "\"wkvps\":[\"a0a1a2a3a4a5a6a7a8a9aaabacadaeaf\"]") &&
		     !strstr(json, "mkvps"),
	     "luks2_protkey: an EP11 XTS key records its WKVP and round-trips");
	/* A WKVP that is not the key's. */
	p = json ? strstr(json, "\"wkvps\":[\"a0") : NULL;
	if (p)
		p[11] = '1';
	t_ok(p && pk_lt_parse(json, &back, &err) == -EINVAL &&
		     strstr(err.msg, "WKVP 0 does not match"),
	     "luks2_protkey: an EP11 token with another WKVP is refused");
	free(json);

	memset(id1, 0x11, sizeof(id1));
	memset(id2, 0x22, sizeof(id2));
	pk_uv_token_build(0x06, 32, id1, uv);
	pk_uv_token_build(0x06, 32, id2, uv + PK_UV_TOKEN_SIZE);
	ret = typed_roundtrip(&lt, uv, sizeof(uv), &back, &json);
	t_ok(!ret && !strcmp(back.key_type, "PVSECRET-AES") &&
		     back.n_pat == 2 && back.pat_size == PK_UV_SECRET_ID_SIZE &&
		     back.pat[0][0] == 0x11 && back.pat[1][31] == 0x22 &&
		     json && strstr(json, "\"secret-ids\":[\"1111"),
	     "luks2_protkey: two UV AES secret tokens record both secret IDs");
	free(json);
	pk_uv_token_build(0x08, 64, id1, uv);
	ret = typed_roundtrip(&lt, uv, PK_UV_TOKEN_SIZE, &back, &json);
	t_ok(!ret && back.n_pat == 1 && back.key_len == PK_UV_TOKEN_SIZE,
	     "luks2_protkey: one UV AES-XTS secret token (full-XTS) records one ID");
	/* A staged key on a UV token: nothing re-enciphers a secret. */
	if (json) {
		struct json_object *o = json_tokener_parse(json);
		char hex[2 * PK_UV_TOKEN_SIZE + 1];

		pk_hex_encode(uv, PK_UV_TOKEN_SIZE, hex);
		json_object_object_add(o, "staged-key",
				       json_object_new_string(hex));
		ret = pk_lt_parse(json_object_to_json_string(o), &back, &err);
		json_object_put(o);
	}
	t_ok(json && ret == -EINVAL && strstr(err.msg, "staged-key"),
	     "luks2_protkey: a staged key on a UV secret token is refused");
	free(json);
}

static void test_staged(void)
{
	uint8_t key[2 * PK_CCA_AESDATA_SIZE], ep11[2 * PK_EP11_MAX_SIZE];
	struct pk_err err = { 0 };
	struct pk_lt lt, back;
	char *json;
	int ret;

	make_lt(&lt);
	t_make_xts(key, MKVP + 1, 4);
	memcpy(lt.staged, key, sizeof(key));
	lt.staged_len = sizeof(key);
	json = pk_lt_format(&lt);
	ret = json ? pk_lt_parse(json, &back, &err) : -ENOMEM;
	t_ok(!ret && back.staged_len == sizeof(key) &&
		     !memcmp(back.staged, key, sizeof(key)) &&
		     strstr(json, "\"staged-key\""),
	     "luks2_protkey: a staged key round-trips");
	free(json);
	/* Setting the key (the re-encipher's --complete) drops the stage. */
	ret = pk_lt_set_key(&back, back.staged, back.staged_len, &err);
	t_ok(!ret && !back.staged_len && back.pat[0][7] == 0xf0 &&
		     !memcmp(back.key, key, sizeof(key)),
	     "luks2_protkey: set_key takes the staged key, its MKVP, no stage");
	t_make_ep11(ep11, true, 1);
	t_make_ep11(ep11 + PK_EP11_MAX_SIZE, true, 2);
	ret = pk_lt_set_key(&back, ep11, sizeof(ep11), &err);
	t_ok(ret == -EINVAL, "luks2_protkey: set_key keeps the token's type");
}

int main(void)
{
	t_plan(10 + (int)(sizeof(bad_tokens) / sizeof(bad_tokens[0])));
	test_roundtrip();
	test_bad_tokens();
	test_bad_json();
	test_ep11_and_uv();
	test_staged();
	return t_done();
}
