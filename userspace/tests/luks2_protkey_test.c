// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the protkey LUKS2 token's JSON (lib/luks2_protkey.c): a
 * valid token round-trips through pk_lt_format() and pk_lt_parse(), and a
 * table of malformed tokens, each one member changed, is refused with the
 * errno and a message naming what is wrong. No kernel: sealing and
 * unsealing run in the VM tests.
 */
#include <json.h>

#include "test.h"

#define MKVP 0x0123456789abcdefULL

static void make_lt(struct pk_lt *lt)
{
	int i;

	memset(lt, 0, sizeof(*lt));
	lt->keyslots[0] = 1;
	lt->n_keyslots = 1;
	snprintf(lt->key_type, sizeof(lt->key_type), "CCA-AESDATA");
	snprintf(lt->key_name, sizeof(lt->key_name), "wrap1");
	t_make_xts(lt->key, MKVP, 3);
	lt->key_len = 2 * PK_CCA_AESDATA_SIZE;
	for (i = 0; i < PK_VP_HEX; i++)
		lt->vp[i] = "0123456789abcdef"[i % 16];
	lt->mkvp[0] = MKVP;
	lt->n_mkvp = 1;
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
		     !strcmp(back.vp, lt.vp) && back.n_mkvp == 1 &&
		     back.mkvp[0] == MKVP && !memcmp(back.iv, lt.iv, 16) &&
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
	{ "key type EP11 not yet", "key-type", "\"EP11-AES\"", -EOPNOTSUPP, "not supported yet" },
	{ "key type UV secret not yet", "key-type", "\"PVSECRET-AES\"", -EOPNOTSUPP, "not supported yet" },
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

int main(void)
{
	t_plan(2 + (int)(sizeof(bad_tokens) / sizeof(bad_tokens[0])));
	test_roundtrip();
	test_bad_tokens();
	test_bad_json();
	return t_done();
}
