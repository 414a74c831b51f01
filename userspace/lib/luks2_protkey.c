// SPDX-License-Identifier: GPL-2.0-only
/*
 * The "protkey" LUKS2 token: a random keyslot passphrase enciphered under
 * a wrapping XTS key with the kernel's xts(paes) (AF_ALG), so that only a
 * system whose platform can derive the wrapping key's protected key can
 * recover it: a CCA or EP11 secure key (the HSM's master key) or the
 * token of an Ultravisor retrievable secret (only the Secure Execution
 * guest whose image carries it). User space handles the secure key or
 * secret token and the passphrase, never a clear AES key. Shared by
 * protkeyctl (token add/show, volume reencipher) and
 * libcryptsetup-token-protkey.so.
 *
 * Token JSON (every member required unless marked; no other members):
 *
 *   "type": "protkey", "keyslots": ["<n>", ...] (at least one)
 *   "protkey-version": 1
 *   "key-type": "CCA-AESDATA", "EP11-AES" or "PVSECRET-AES"
 *   "key-name": repository name of the wrapping key (optional, <= 64)
 *   "secure-key": the wrapping XTS key, hex: two secure keys, two UV
 *                 AES secret tokens or one UV AES-XTS secret token
 *   "staged-key": (optional) the same key re-enciphered under the NEW
 *                 master key, written by "volume reencipher --staged"
 *   "verification-pattern": its pattern (64 hex digits), checked at open
 *   one of, by key type, one per distinct half of "secure-key":
 *   "mkvps": CCA: the master-key verification patterns (16 hex digits)
 *   "wkvps": EP11: the wrapping-key verification patterns as the key
 *            blob holds them (32 hex digits)
 *   "secret-ids": PVSECRET-AES: the Ultravisor secret IDs (64 hex digits)
 *   "iv": the XTS tweak (32 hex digits)
 *   "sealed": the enciphered passphrase, hex, 16..256 bytes
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_alg.h>
#include <sys/random.h>
#include <sys/socket.h>

#include <json.h>
#include <libcryptsetup.h>

#include "protkey.h"

static const char *const lt_members[] = {
	"type",	    "keyslots",	  "protkey-version", "key-type",
	"key-name", "secure-key", "staged-key",	     "verification-pattern",
	"mkvps",    "wkvps",	  "secret-ids",	     "iv",
	"sealed",
};

/**
 * struct lt_kind - a wrapping-key type and what binds it to the platform
 * @type: its key-type name (pk_token_parse()'s)
 * @member: the JSON member of its patterns
 * @what: what one pattern is, for messages
 * @label: @what as luksDump's label
 * @size: the size of one pattern
 */
struct lt_kind {
	const char *type;
	const char *member;
	const char *what;
	const char *label;
	size_t size;
};

static const struct lt_kind lt_kinds[] = {
	{ "CCA-AESDATA", "mkvps", "MKVP", "MKVP:", 8 },
	{ "EP11-AES", "wkvps", "WKVP", "WKVP:", PK_WKVP_SIZE },
	{ "PVSECRET-AES", "secret-ids", "UV secret ID",
	  "UV secret:", PK_UV_SECRET_ID_SIZE },
};

static const struct lt_kind *lt_kind(const char *type)
{
	size_t i;

	for (i = 0; i < sizeof(lt_kinds) / sizeof(lt_kinds[0]); i++)
		if (!strcmp(lt_kinds[i].type, type))
			return &lt_kinds[i];
	return NULL;
}

/* The pattern of one half of an XTS key, as the token records it. */
static void half_pattern(const struct pk_token_info *h, uint8_t *out)
{
	int i;

	if (h->has_secret_id) {
		memcpy(out, h->secret_id, PK_UV_SECRET_ID_SIZE);
	} else if (h->has_wkvp) {
		memcpy(out, h->wkvp, PK_WKVP_SIZE);
	} else {
		for (i = 0; i < 8; i++)
			out[i] = (uint8_t)(h->mkvp >> (56 - 8 * i));
	}
}

static bool is_hex(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		      (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return !s[len];
}

/* A string member @name of @o, or NULL with the error set. */
static const char *get_str(struct json_object *o, const char *name,
			   bool optional, struct pk_err *err)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, name, &v)) {
		if (!optional)
			pk_err_set(err, -EINVAL, "protkey token: no \"%s\"",
				   name);
		return NULL;
	}
	if (!json_object_is_type(v, json_type_string)) {
		pk_err_set(err, -EINVAL,
			   "protkey token: \"%s\" is not a string", name);
		return NULL;
	}
	return json_object_get_string(v);
}

/* Hex member @name of exactly @min..@max bytes into @out. */
static int get_hex(struct json_object *o, const char *name, uint8_t *out,
		   size_t min, size_t max, size_t *len, struct pk_err *err)
{
	const char *s = get_str(o, name, false, err);
	size_t n;

	if (!s)
		return -EINVAL;
	n = strlen(s);
	if (n % 2 || n / 2 < min || n / 2 > max || !is_hex(s, n))
		return pk_err_set(
			err, -EINVAL,
			"protkey token: \"%s\" is not %zu..%zu bytes of lower-case hex",
			name, min, max);
	if (pk_hex_decode(s, out, n / 2))
		return pk_err_set(err, -EINVAL,
				  "protkey token: \"%s\" is not hex", name);
	*len = n / 2;
	return 0;
}

/* A repository key name (repo.c's rule; repo.c is not in the plugin). */
static bool name_ok(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > PK_NAME_MAX || s[0] == '.' || s[0] == '-')
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			 "0123456789_.-") == n;
}

static int check_members(struct json_object *o, struct pk_err *err)
{
	size_t i, n = sizeof(lt_members) / sizeof(lt_members[0]);

	json_object_object_foreach(o, k, v)
	{
		(void)v;
		for (i = 0; i < n && strcmp(k, lt_members[i]); i++)
			;
		if (i == n)
			return pk_err_set(
				err, -EINVAL,
				"protkey token: unknown member \"%s\"", k);
	}
	return 0;
}

static int parse_keyslots(struct json_object *o, struct pk_lt *lt,
			  struct pk_err *err)
{
	struct json_object *a, *v;
	unsigned long n;
	size_t i, len;

	if (!json_object_object_get_ex(o, "keyslots", &a) ||
	    !json_object_is_type(a, json_type_array))
		return pk_err_set(err, -EINVAL,
				  "protkey token: no \"keyslots\" array");
	len = json_object_array_length(a);
	if (!len || len > PK_LUKS_SLOTS)
		return pk_err_set(err, -EINVAL,
				  "protkey token: %zu keyslots, expected 1..%d",
				  len, PK_LUKS_SLOTS);
	for (i = 0; i < len; i++) {
		v = json_object_array_get_idx(a, i);
		if (!json_object_is_type(v, json_type_string) ||
		    pk_parse_uint(json_object_get_string(v), PK_LUKS_SLOTS - 1,
				  &n))
			return pk_err_set(
				err, -EINVAL,
				"protkey token: keyslot %zu is not a string \"0\"..\"%d\"",
				i, PK_LUKS_SLOTS - 1);
		lt->keyslots[i] = (int)n;
	}
	lt->n_keyslots = (int)len;
	return 0;
}

static int parse_version_type(struct json_object *o, struct pk_lt *lt,
			      struct pk_err *err)
{
	struct json_object *v;
	const char *s;

	s = get_str(o, "type", false, err);
	if (!s)
		return -EINVAL;
	if (strcmp(s, PK_LT_TYPE))
		return pk_err_set(err, -EINVAL,
				  "token type \"%s\", expected \"" PK_LT_TYPE
				  "\"",
				  s);
	if (!json_object_object_get_ex(o, "protkey-version", &v) ||
	    !json_object_is_type(v, json_type_int))
		return pk_err_set(
			err, -EINVAL,
			"protkey token: no integer \"protkey-version\"");
	if (json_object_get_int64(v) != PK_LT_VERSION)
		return pk_err_set(err, -EINVAL,
				  "protkey token: version %lld, expected %d",
				  (long long)json_object_get_int64(v),
				  PK_LT_VERSION);
	s = get_str(o, "key-type", false, err);
	if (!s)
		return -EINVAL;
	if (!lt_kind(s))
		return pk_err_set(err, -EINVAL,
				  "protkey token: unknown key type \"%s\"", s);
	snprintf(lt->key_type, sizeof(lt->key_type), "%s", s);
	s = get_str(o, "key-name", true, err);
	if (!s && json_object_object_get_ex(o, "key-name", &v))
		return -EINVAL;
	if (s && !name_ok(s))
		return pk_err_set(
			err, -EINVAL,
			"protkey token: \"key-name\" is not a key name");
	snprintf(lt->key_name, sizeof(lt->key_name), "%s", s ? s : "");
	return 0;
}

/*
 * The patterns member of @kind: one string of @kind->size bytes in hex per
 * distinct half of @x, each the half's own; the other kinds' members are
 * absent.
 */
static int parse_patterns(struct json_object *o, const struct lt_kind *kind,
			  const struct pk_xts_info *x, struct pk_lt *lt,
			  struct pk_err *err)
{
	uint8_t want[2][PK_UV_SECRET_ID_SIZE];
	struct json_object *a, *v;
	size_t i, n, want_n;
	const char *s;

	for (i = 0; i < sizeof(lt_kinds) / sizeof(lt_kinds[0]); i++)
		if (&lt_kinds[i] != kind &&
		    json_object_object_get_ex(o, lt_kinds[i].member, NULL))
			return pk_err_set(
				err, -EINVAL,
				"protkey token: \"%s\" is for %s keys, this is %s",
				lt_kinds[i].member, lt_kinds[i].type,
				kind->type);
	half_pattern(&x->half[0], want[0]);
	half_pattern(&x->half[1], want[1]);
	want_n = 1 + !!memcmp(want[0], want[1], kind->size);
	if (!json_object_object_get_ex(o, kind->member, &a) ||
	    !json_object_is_type(a, json_type_array))
		return pk_err_set(err, -EINVAL,
				  "protkey token: no \"%s\" array",
				  kind->member);
	n = json_object_array_length(a);
	if (n != want_n)
		return pk_err_set(err, -EINVAL,
				  "protkey token: %zu \"%s\", the key has %zu",
				  n, kind->member, want_n);
	for (i = 0; i < n; i++) {
		v = json_object_array_get_idx(a, i);
		s = json_object_is_type(v, json_type_string) ?
			    json_object_get_string(v) :
			    "";
		if (strlen(s) != 2 * kind->size || !is_hex(s, 2 * kind->size) ||
		    pk_hex_decode(s, lt->pat[i], kind->size))
			return pk_err_set(
				err, -EINVAL,
				"protkey token: %s %zu is not %zu lower-case hex digits",
				kind->what, i, 2 * kind->size);
		if (memcmp(lt->pat[i], want[i], kind->size))
			return pk_err_set(
				err, -EINVAL,
				"protkey token: %s %zu does not match the secure key's",
				kind->what, i);
	}
	lt->pat_size = kind->size;
	lt->n_pat = (int)n;
	return 0;
}

/*
 * "secure-key", its patterns and "staged-key": the keys parse, are of the
 * token's type, and the patterns are the secure key's own.
 */
static int parse_key(struct json_object *o, struct pk_lt *lt,
		     struct pk_err *err)
{
	const struct lt_kind *kind = lt_kind(lt->key_type);
	struct pk_xts_info x, y;
	struct pk_err sub;
	int ret;

	ret = get_hex(o, "secure-key", lt->key, 2, PK_XTS_BLOB_MAX,
		      &lt->key_len, err);
	if (ret)
		return ret;
	ret = pk_xts_parse(lt->key, lt->key_len, &x, &sub);
	if (ret)
		return pk_err_set(err, ret, "protkey token: \"secure-key\": %s",
				  sub.msg);
	if (strcmp(x.half[0].type, lt->key_type))
		return pk_err_set(err, -EINVAL,
				  "protkey token: \"secure-key\" is %s, not %s",
				  x.half[0].type, lt->key_type);
	ret = parse_patterns(o, kind, &x, lt, err);
	if (ret || !json_object_object_get_ex(o, "staged-key", NULL))
		return ret;
	ret = get_hex(o, "staged-key", lt->staged, 2, PK_XTS_BLOB_MAX,
		      &lt->staged_len, err);
	if (ret)
		return ret;
	ret = pk_xts_parse(lt->staged, lt->staged_len, &y, &sub);
	if (ret)
		return pk_err_set(err, ret, "protkey token: \"staged-key\": %s",
				  sub.msg);
	if (x.half[0].has_secret_id || strcmp(y.half[0].type, lt->key_type) ||
	    lt->staged_len != lt->key_len)
		return pk_err_set(
			err, -EINVAL,
			"protkey token: \"staged-key\" is not the secure key re-enciphered (%s, %zu bytes)",
			y.half[0].type, lt->staged_len);
	return 0;
}

static int parse_material(struct json_object *o, struct pk_lt *lt,
			  struct pk_err *err)
{
	const char *s;
	size_t len;
	int ret;

	s = get_str(o, "verification-pattern", false, err);
	if (!s)
		return -EINVAL;
	if (strlen(s) != PK_VP_HEX || !is_hex(s, PK_VP_HEX))
		return pk_err_set(
			err, -EINVAL,
			"protkey token: \"verification-pattern\" is not %d lower-case hex digits",
			PK_VP_HEX);
	memcpy(lt->vp, s, PK_VP_HEX + 1);
	ret = get_hex(o, "iv", lt->iv, 16, 16, &len, err);
	if (ret)
		return ret;
	ret = get_hex(o, "sealed", lt->sealed, 16, PK_LT_SEALED_MAX,
		      &lt->sealed_len, err);
	if (ret)
		return ret;
	return 0;
}

/**
 * pk_lt_parse() - parse and check a protkey token's JSON
 * @json: the token's JSON text
 * @lt: receives its contents (wipe with pk_lt_wipe())
 * @err: error: one line naming the member that is wrong
 *
 * Context: no I/O; pure function of @json.
 * Return: 0; -EINVAL for malformed JSON or a malformed member;
 * -EOPNOTSUPP for a wrapping-key type that is known but not supported yet.
 */
int pk_lt_parse(const char *json, struct pk_lt *lt, struct pk_err *err)
{
	struct json_tokener *tok;
	struct json_object *o;
	int ret;

	memset(lt, 0, sizeof(*lt));
	if (!json)
		return pk_err_set(err, -EINVAL, "protkey token: no JSON");
	tok = json_tokener_new();
	if (!tok)
		return pk_err_set(err, -ENOMEM, "JSON parser");
	o = json_tokener_parse_ex(tok, json, (int)strnlen(json, 1 << 20));
	if (!o || json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != strlen(json)) {
		json_object_put(o);
		json_tokener_free(tok);
		return pk_err_set(err, -EINVAL,
				  "protkey token: not valid JSON");
	}
	json_tokener_free(tok);
	if (!json_object_is_type(o, json_type_object))
		ret = pk_err_set(err, -EINVAL,
				 "protkey token: not a JSON object");
	else if (!(ret = check_members(o, err)) &&
		 !(ret = parse_version_type(o, lt, err)) &&
		 !(ret = parse_keyslots(o, lt, err)) &&
		 !(ret = parse_key(o, lt, err)))
		ret = parse_material(o, lt, err);
	json_object_put(o);
	if (ret)
		pk_lt_wipe(lt);
	return ret;
}

/* Wipes @lt (it holds the sealed passphrase and the secure key). */
void pk_lt_wipe(struct pk_lt *lt)
{
	explicit_bzero(lt, sizeof(*lt));
}

static void add_hex(struct json_object *o, const char *name, const uint8_t *p,
		    size_t len)
{
	char *s = malloc(2 * len + 1);

	if (!s)
		return;
	pk_hex_encode(p, len, s);
	json_object_object_add(o, name, json_object_new_string(s));
	explicit_bzero(s, 2 * len + 1);
	free(s);
}

/**
 * pk_lt_format() - the JSON of @lt
 * @lt: a token, as pk_lt_parse() returns it or pk_lt_seal() builds it
 *
 * Return: malloc'ed text, or NULL without memory.
 */
char *pk_lt_format(const struct pk_lt *lt)
{
	const struct lt_kind *kind = lt_kind(lt->key_type);
	struct json_object *o = json_object_new_object(), *a, *m;
	char buf[24], hex[2 * PK_UV_SECRET_ID_SIZE + 1], *s;
	int i;

	if (!o)
		return NULL;
	json_object_object_add(o, "type", json_object_new_string(PK_LT_TYPE));
	a = json_object_new_array();
	for (i = 0; i < lt->n_keyslots; i++) {
		snprintf(buf, sizeof(buf), "%d", lt->keyslots[i]);
		json_object_array_add(a, json_object_new_string(buf));
	}
	json_object_object_add(o, "keyslots", a);
	json_object_object_add(o, "protkey-version",
			       json_object_new_int(PK_LT_VERSION));
	json_object_object_add(o, "key-type",
			       json_object_new_string(lt->key_type));
	if (lt->key_name[0])
		json_object_object_add(o, "key-name",
				       json_object_new_string(lt->key_name));
	add_hex(o, "secure-key", lt->key, lt->key_len);
	if (lt->staged_len)
		add_hex(o, "staged-key", lt->staged, lt->staged_len);
	json_object_object_add(o, "verification-pattern",
			       json_object_new_string(lt->vp));
	m = json_object_new_array();
	for (i = 0; i < lt->n_pat; i++) {
		pk_hex_encode(lt->pat[i], lt->pat_size, hex);
		json_object_array_add(m, json_object_new_string(hex));
	}
	json_object_object_add(o, kind ? kind->member : "mkvps", m);
	add_hex(o, "iv", lt->iv, sizeof(lt->iv));
	add_hex(o, "sealed", lt->sealed, lt->sealed_len);
	s = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	return s;
}

static int alg_op(int fd, uint32_t op, const uint8_t iv16[16],
		  const uint8_t *in, uint8_t *out, size_t len)
{
	char cbuf[CMSG_SPACE(sizeof(uint32_t)) +
		  CMSG_SPACE(sizeof(struct af_alg_iv) + 16)] = { 0 };
	struct iovec iov = { .iov_base = (void *)in, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct af_alg_iv *iv;
	struct cmsghdr *cm;

	mh.msg_control = cbuf;
	mh.msg_controllen = sizeof(cbuf);
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_ALG;
	cm->cmsg_type = ALG_SET_OP;
	cm->cmsg_len = CMSG_LEN(sizeof(uint32_t));
	memcpy(CMSG_DATA(cm), &op, sizeof(op));
	cm = CMSG_NXTHDR(&mh, cm);
	cm->cmsg_level = SOL_ALG;
	cm->cmsg_type = ALG_SET_IV;
	cm->cmsg_len = CMSG_LEN(sizeof(struct af_alg_iv) + 16);
	iv = (void *)CMSG_DATA(cm);
	iv->ivlen = 16;
	memcpy(iv->iv, iv16, 16);
	errno = 0;
	if (sendmsg(fd, &mh, 0) != (ssize_t)len ||
	    read(fd, out, len) != (ssize_t)len)
		return errno ? -errno : -EIO;
	return 0;
}

/*
 * An xts(paes) operation fd keyed with @key; -ENODEV and the like come
 * from the kernel's setkey (the platform cannot derive the key).
 */
static int alg_open(const uint8_t *key, size_t len, int *tfm,
		    struct pk_err *err)
{
	struct sockaddr_alg sa = { .salg_family = AF_ALG,
				   .salg_type = "skcipher",
				   .salg_name = "xts(paes)" };
	int ret, fd;

	*tfm = socket(AF_ALG, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (*tfm < 0)
		return pk_err_platform(err, -errno, "AF_ALG socket");
	if (bind(*tfm, (struct sockaddr *)&sa, sizeof(sa))) {
		ret = pk_err_platform(
			err, -errno,
			"xts(paes) not available (is protkey.ko loaded?)");
		goto out_close;
	}
	if (setsockopt(*tfm, SOL_ALG, ALG_SET_KEY, key, (socklen_t)len)) {
		ret = pk_err_platform(
			err, -errno,
			"the platform cannot derive the wrapping key (master key absent or adapters unusable?)");
		goto out_close;
	}
	fd = accept(*tfm, NULL, 0);
	if (fd < 0) {
		ret = pk_err_platform(err, -errno, "AF_ALG accept");
		goto out_close;
	}
	return fd;
out_close:
	close(*tfm);
	*tfm = -1;
	return ret;
}

/*
 * With the wrapping key @key: checks the verification pattern (or,
 * sealing, records it in @lt), then runs @op over @in.
 */
static int lt_crypt(struct pk_lt *lt, const uint8_t *key, size_t key_len,
		    uint32_t op, const uint8_t *in, uint8_t *out, size_t len,
		    struct pk_err *err)
{
	uint8_t zero[PK_VP_SIZE] = { 0 }, vp[PK_VP_SIZE];
	char vp_hex[PK_VP_HEX + 1];
	int tfm, fd, ret;

	fd = alg_open(key, key_len, &tfm, err);
	if (fd < 0)
		return fd;
	ret = alg_op(fd, ALG_OP_ENCRYPT, zero, zero, vp, sizeof(vp));
	if (ret) {
		pk_err_platform(err, ret, "xts(paes) encryption");
		goto out;
	}
	pk_hex_encode(vp, sizeof(vp), vp_hex);
	if (op == ALG_OP_ENCRYPT)
		memcpy(lt->vp, vp_hex, sizeof(vp_hex));
	if (strcmp(vp_hex, lt->vp)) {
		ret = pk_err_set(
			err, -EKEYREJECTED,
			"the wrapping key derives, but its verification pattern is %.16s..., not the token's %.16s...",
			vp_hex, lt->vp);
		goto out;
	}
	ret = alg_op(fd, op, lt->iv, in, out, len);
	if (ret)
		pk_err_platform(err, ret, "xts(paes) %s",
				op == ALG_OP_ENCRYPT ? "encryption" :
						       "decryption");
out:
	close(fd);
	close(tfm);
	return ret;
}

/**
 * pk_lt_set_key() - make @key the wrapping key of @lt
 * @lt: a token
 * @key: an XTS secure key or UV secret token(s) of @lt's type, or of any
 *	supported type when @lt has none yet
 * @key_len: its length
 * @err: error
 *
 * Sets the key type and patterns from @key and drops a staged key. The
 * caller keeps the verification pattern right: re-enciphering keeps the
 * effective key.
 * Return: 0; -EINVAL for a key that is not a supported XTS key, or not of
 * @lt's type.
 */
int pk_lt_set_key(struct pk_lt *lt, const uint8_t *key, size_t key_len,
		  struct pk_err *err)
{
	const struct lt_kind *kind;
	struct pk_xts_info x;
	int ret;

	ret = pk_xts_parse(key, key_len, &x, err);
	if (ret)
		return ret;
	kind = lt_kind(x.half[0].type);
	if (!kind || (lt->key_type[0] && strcmp(lt->key_type, kind->type)))
		return pk_err_set(err, -EINVAL,
				  "a %s key cannot wrap a protkey token%s%s",
				  x.half[0].type, lt->key_type[0] ? " of " : "",
				  lt->key_type);
	snprintf(lt->key_type, sizeof(lt->key_type), "%s", kind->type);
	memcpy(lt->key, key, key_len);
	lt->key_len = key_len;
	explicit_bzero(lt->staged, sizeof(lt->staged));
	lt->staged_len = 0;
	half_pattern(&x.half[0], lt->pat[0]);
	half_pattern(&x.half[1], lt->pat[1]);
	lt->pat_size = kind->size;
	lt->n_pat = 1 + !!memcmp(lt->pat[0], lt->pat[1], kind->size);
	return 0;
}

/**
 * pk_lt_seal() - a new token: a random passphrase, enciphered under @key
 * @lt: receives the token; the caller sets the keyslots later
 * @key: the wrapping XTS key: CCA or EP11 secure keys, or UV secret tokens
 * @key_len: its length
 * @key_name: its repository name, or NULL
 * @pass: receives the passphrase (PK_LT_PASS_LEN hex characters + NUL)
 * @err: error
 *
 * Context: one setkey of xts(paes) (an HSM or Ultravisor round trip per
 * half).
 * Return: 0; -EINVAL for a key that is not a supported XTS key; the
 * kernel's error when it cannot derive the key.
 */
int pk_lt_seal(struct pk_lt *lt, const uint8_t *key, size_t key_len,
	       const char *key_name, char pass[PK_LT_PASS_LEN + 1],
	       struct pk_err *err)
{
	uint8_t rnd[PK_LT_PASS_LEN / 2];
	int ret;

	memset(lt, 0, sizeof(*lt));
	ret = pk_lt_set_key(lt, key, key_len, err);
	if (ret)
		return ret;
	snprintf(lt->key_name, sizeof(lt->key_name), "%s",
		 key_name ? key_name : "");
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd) ||
	    getrandom(lt->iv, sizeof(lt->iv), 0) != (ssize_t)sizeof(lt->iv))
		return pk_err_set(err, -EIO, "getrandom");
	pk_hex_encode(rnd, sizeof(rnd), pass);
	explicit_bzero(rnd, sizeof(rnd));
	ret = lt_crypt(lt, lt->key, lt->key_len, ALG_OP_ENCRYPT,
		       (const uint8_t *)pass, lt->sealed, PK_LT_PASS_LEN, err);
	if (ret) {
		explicit_bzero(pass, PK_LT_PASS_LEN + 1);
		pk_lt_wipe(lt);
		return ret;
	}
	lt->sealed_len = PK_LT_PASS_LEN;
	return 0;
}

/**
 * pk_lt_unseal() - the keyslot passphrase of a token
 * @lt: a parsed token
 * @pass: receives the passphrase, @lt->sealed_len bytes (not terminated)
 * @err: error
 *
 * A token with a staged key (a re-encipher between its steps) tries the
 * staged key when the secure key does not derive: an EP11 adapter has no
 * OLD register, so once the NEW master key is set only the staged key
 * derives.
 * Context: one or two setkeys of xts(paes).
 * Return: 0; the kernel's error when the platform cannot derive the
 * wrapping key (-ENODEV: master key absent, adapters unusable, secret not
 * in the Ultravisor's store, protkey.ko or its platform not loaded;
 * -EBUSY: adapters busy); -EKEYREJECTED when the key derives but is not
 * the token's (verification pattern).
 */
int pk_lt_unseal(const struct pk_lt *lt, uint8_t *pass, struct pk_err *err)
{
	struct pk_lt *l = (struct pk_lt *)lt;
	int ret;

	ret = lt_crypt(l, l->key, l->key_len, ALG_OP_DECRYPT, l->sealed, pass,
		       l->sealed_len, err);
	if (ret && ret != -EKEYREJECTED && l->staged_len)
		ret = lt_crypt(l, l->staged, l->staged_len, ALG_OP_DECRYPT,
			       l->sealed, pass, l->sealed_len, err);
	return ret;
}

/* "MKVP:", "WKVP:" or "UV secret ID:": what @lt's patterns are. */
const char *pk_lt_pattern_what(const struct pk_lt *lt)
{
	const struct lt_kind *kind = lt_kind(lt->key_type);

	return kind ? kind->label : "Pattern:";
}

/* The keyslot-independent description of @lt, for dump and show. */
void pk_lt_describe(const struct pk_lt *lt, char *buf, size_t len)
{
	const struct lt_kind *kind = lt_kind(lt->key_type);
	char pat[2][2 * PK_UV_SECRET_ID_SIZE + 1];
	int i;

	for (i = 0; i < 2; i++)
		pk_hex_encode(lt->pat[i], lt->pat_size, pat[i]);
	snprintf(buf, len,
		 "wrapping key %s%s%s%s, verification pattern %s, %s %s%s%s%s",
		 lt->key_type, lt->key_name[0] ? " '" : "", lt->key_name,
		 lt->key_name[0] ? "'" : "", lt->vp,
		 kind ? kind->what : "pattern", pat[0],
		 lt->n_pat > 1 ? ", " : "", lt->n_pat > 1 ? pat[1] : "",
		 lt->staged_len ? ", staged re-encipher" : "");
}

#define dbg(cd, ...) \
	crypt_logf(cd, CRYPT_LOG_DEBUG, "protkey token: " __VA_ARGS__)

/*
 * The errno libcryptsetup.h documents for a decline: -EAGAIN when the
 * platform cannot derive the wrapping key now (master key absent,
 * adapters offline or busy, secret not present, protkey.ko not loaded:
 * "requires hardware not present"), -ENOENT when the token cannot be used
 * on this system (malformed, unsupported key type, a different key).
 */
static int decline(struct crypt_device *cd, int token, int ret,
		   const struct pk_err *err)
{
	int out = -ENOENT;

	if (ret == -ENODEV || ret == -EBUSY || ret == -EAGAIN ||
	    ret == -EINTR || ret == -ENOENT || ret == -EAFNOSUPPORT)
		out = -EAGAIN;
	dbg(cd, "token %d declined (%s): %s (%s)", token,
	    out == -EAGAIN ? "the platform cannot unwrap now" :
			     "token unusable here",
	    err->msg, strerror(-ret));
	return out;
}

/**
 * pk_lt_open() - a token handler's open: the keyslot passphrase
 * @cd: the device
 * @token: the token's number
 * @buffer: receives the passphrase, malloc'ed (wipe before free)
 * @len: receives its length
 *
 * Context: one setkey of xts(paes). Logs the reason of a decline with
 * crypt_logf() at CRYPT_LOG_DEBUG (cryptsetup --debug shows it).
 * Return: 0; -EAGAIN or -ENOENT (see decline()); -ENOMEM.
 */
int pk_lt_open(struct crypt_device *cd, int token, char **buffer, size_t *len)
{
	struct pk_err err = { 0 };
	const char *json;
	struct pk_lt lt;
	uint8_t *pass;
	int ret;

	ret = crypt_token_json_get(cd, token, &json);
	if (ret < 0) {
		pk_err_set(&err, ret, "cannot read the token's JSON");
		return decline(cd, token, -EINVAL, &err);
	}
	ret = pk_lt_parse(json, &lt, &err);
	if (ret)
		return decline(cd, token, -EINVAL, &err);
	pass = malloc(lt.sealed_len);
	if (!pass) {
		pk_lt_wipe(&lt);
		return -ENOMEM;
	}
	ret = pk_lt_unseal(&lt, pass, &err);
	if (ret) {
		pk_wipe_free(pass, lt.sealed_len);
		pk_lt_wipe(&lt);
		return decline(cd, token, ret, &err);
	}
	*buffer = (char *)pass;
	*len = lt.sealed_len;
	dbg(cd, "token %d unwrapped the keyslot passphrase", token);
	pk_lt_wipe(&lt);
	return 0;
}
