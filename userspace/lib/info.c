// SPDX-License-Identifier: GPL-2.0-only
/*
 * The .info properties file of a key, in zkey's format: "name=value"
 * lines, '#' comments and blank lines ignored, and a last line
 * "__hash__=<lower-case hex SHA-256 of every name and value, in order>"
 * that zkey writes and checks (s390-tools zkey/properties.c,
 * properties_save() and properties_load()). Parsing is strict: an
 * unknown or repeated name, an overlong line or value, a control
 * character, a malformed value, a missing required property or a missing
 * or wrong hash is an error that names the line; nothing is returned
 * then.
 *
 * A zkey file (PK_INFO_ZKEY) is read as zkey reads it: zkey-only
 * properties are dropped (the KMS plugin name is kept in &pk_info.kms for
 * the import to report), a missing key-type is CCA-AESDATA and a missing
 * volume-type is plain (zkey/keystore.c, _keystore_get_key_type() and
 * _keystore_get_volume_type(): files written before zkey had them).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "protkey.h"

#define HASH_NAME "__hash__"

typedef int (*prop_check_t)(const char *v, struct pk_err *err);

/**
 * struct prop_desc - one property of .info
 * @name: its name in the file (zkey's)
 * @max: longest value accepted
 * @required: must be present
 * @check: value validator, or NULL for any printable text
 */
struct prop_desc {
	const char *name;
	size_t max;
	bool required;
	prop_check_t check;
};

static int check_key_type(const char *v, struct pk_err *err)
{
	if (strcmp(v, "CCA-AESDATA") && strcmp(v, "EP11-AES") &&
	    strcmp(v, "PVSECRET-AES"))
		return pk_err_set(
			err, -EOPNOTSUPP,
			"key type '%s' is not supported (only CCA-AESDATA, EP11-AES and PVSECRET-AES)",
			v);
	return 0;
}

static int check_cipher(const char *v, struct pk_err *err)
{
	return strcmp(v, "paes") ?
		       pk_err_set(err, -EOPNOTSUPP,
				  "cipher '%s' is not supported (only paes)",
				  v) :
		       0;
}

static int check_iv_mode(const char *v, struct pk_err *err)
{
	return strcmp(v, "plain64") ?
		       pk_err_set(
			       err, -EOPNOTSUPP,
			       "iv-mode '%s' is not supported (only plain64)",
			       v) :
		       0;
}

/* Calls @fn on each element of a comma-separated list. */
static int for_each_item(const char *v, int (*fn)(const char *s, size_t n),
			 const char *what, struct pk_err *err)
{
	const char *p = v, *end;
	size_t n;

	if (!*v)
		return 0;
	for (;;) {
		end = strchr(p, ',');
		n = end ? (size_t)(end - p) : strlen(p);
		if (fn(p, n))
			return pk_err_set(err, -EINVAL, "malformed %s '%.*s'",
					  what, (int)n, p);
		if (!end)
			return 0;
		p = end + 1;
	}
}

static int is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

/* "CC.DDDD": card and domain in hex, as zkey writes APQNs. */
static int apqn_item(const char *s, size_t n)
{
	size_t i;

	if (n != 7 || s[2] != '.')
		return -1;
	for (i = 0; i < n; i++)
		if (i != 2 && !is_hex(s[i]))
			return -1;
	return 0;
}

static int check_apqns(const char *v, struct pk_err *err)
{
	return for_each_item(v, apqn_item, "APQN", err);
}

/* "<device>:<dm-name>", the device an absolute path. */
static int volume_item(const char *s, size_t n)
{
	const char *colon = memchr(s, ':', n);

	if (!n || s[0] != '/' || !colon || colon == s + n - 1)
		return -1;
	return 0;
}

static int check_volumes(const char *v, struct pk_err *err)
{
	return for_each_item(v, volume_item, "volume", err);
}

static int check_sector_size(const char *v, struct pk_err *err)
{
	unsigned long n;

	if (!*v)
		return 0;
	/* Written as zkey writes it: no leading zeros ("0512"). */
	if ((v[0] == '0' && v[1]) || pk_parse_uint(v, 4096, &n) ||
	    (n && (n < 512 || (n & (n - 1)))))
		return pk_err_set(
			err, -EINVAL,
			"sector size '%s': 0 or a power of two from 512 to 4096",
			v);
	return 0;
}

static int check_vp(const char *v, struct pk_err *err)
{
	uint8_t vp[PK_VP_SIZE];

	if (*v && pk_hex_decode(v, vp, sizeof(vp)))
		return pk_err_set(err, -EINVAL,
				  "verification pattern: not %d hex digits",
				  PK_VP_HEX);
	return 0;
}

static int check_volume_type(const char *v, struct pk_err *err)
{
	if (strcasecmp(v, "plain") && strcasecmp(v, "luks2"))
		return pk_err_set(err, -EOPNOTSUPP,
				  "volume type '%s' (plain or luks2)", v);
	return 0;
}

/* clang-format off */
static const struct prop_desc props[PK_P_COUNT] = {
	[PK_P_KEY_TYPE] = { "key-type", 32, true, check_key_type },
	[PK_P_CIPHER] = { "cipher", 16, true, check_cipher },
	[PK_P_IV_MODE] = { "iv-mode", 16, true, check_iv_mode },
	[PK_P_DESCRIPTION] = { "description", 256, false, NULL },
	[PK_P_VOLUMES] = { "volumes", 2048, false, check_volumes },
	[PK_P_APQNS] = { "apqns", 1024, false, check_apqns },
	[PK_P_SECTOR_SIZE] = { "sector-size", 8, false, check_sector_size },
	[PK_P_CREATION_TIME] = { "creation-time", 64, false, NULL },
	[PK_P_UPDATE_TIME] = { "update-time", 64, false, NULL },
	[PK_P_REENCIPHER_TIME] = { "reencipher-time", 64, false, NULL },
	[PK_P_VP] = { "verification-pattern", PK_VP_HEX, false, check_vp },
	[PK_P_VOLUME_TYPE] = { "volume-type", 16, false, check_volume_type },
};
/* clang-format on */

/* zkey properties protkey does not model; skipped on a zkey import. */
static const char *const zkey_only[] = {
	"digest",	   "kms",
	"kms-key-id",	   "kms-key-label",
	"kms-xts-key1-id", "kms-xts-key1-label",
	"kms-xts-key2-id", "kms-xts-key2-label",
};

const char *pk_prop_name(enum pk_prop p)
{
	return p < PK_P_COUNT ? props[p].name : "?";
}

static int prop_lookup(const char *name, size_t n)
{
	int i;

	for (i = 0; i < PK_P_COUNT; i++)
		if (strlen(props[i].name) == n &&
		    !memcmp(props[i].name, name, n))
			return i;
	return -1;
}

#define KMS_NAME "kms"

static bool zkey_only_name(const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof(zkey_only) / sizeof(zkey_only[0]); i++)
		if (strlen(zkey_only[i]) == n && !memcmp(zkey_only[i], name, n))
			return true;
	return false;
}

/* No control characters (UTF-8 above 0x7f is fine). */
static bool printable(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

/* Checks and stores @val as property @p. */
static int set_checked(struct pk_info *info, enum pk_prop p, const char *val,
		       struct pk_err *err)
{
	struct pk_err sub;
	char *copy;
	int ret;

	if (strlen(val) > props[p].max)
		return pk_err_set(err, -EINVAL,
				  "value of '%s' longer than %zu characters",
				  props[p].name, props[p].max);
	if (!printable(val, strlen(val)))
		return pk_err_set(err, -EINVAL,
				  "value of '%s' contains a control character",
				  props[p].name);
	if (props[p].check) {
		ret = props[p].check(val, &sub);
		if (ret)
			return pk_err_set(err, ret, "%s: %s", props[p].name,
					  sub.msg);
	}
	copy = strdup(val);
	if (!copy)
		return pk_err_set(err, -ENOMEM, "%s", props[p].name);
	free(info->val[p]);
	info->val[p] = copy;
	return 0;
}

/* Sets property @p after the same checks as parsing does. */
int pk_info_set(struct pk_info *info, enum pk_prop p, const char *val,
		struct pk_err *err)
{
	if (p >= PK_P_COUNT)
		return pk_err_set(err, -EINVAL, "no such property");
	return set_checked(info, p, val, err);
}

const char *pk_info_get(const struct pk_info *info, enum pk_prop p)
{
	return p < PK_P_COUNT && info->val[p] ? info->val[p] : "";
}

void pk_info_free(struct pk_info *info)
{
	int i;

	for (i = 0; i < PK_P_COUNT; i++) {
		free(info->val[i]);
		info->val[i] = NULL;
	}
	free(info->kms);
	info->kms = NULL;
}

/* Every required property is present. */
int pk_info_check(const struct pk_info *info, struct pk_err *err)
{
	int i;

	for (i = 0; i < PK_P_COUNT; i++)
		if (props[i].required && !info->val[i])
			return pk_err_set(err, -EINVAL,
					  "required property '%s' is missing",
					  props[i].name);
	return 0;
}

/**
 * pk_info_sector_size() - the sector size of a new LUKS2 volume of a key
 * @info: the key's properties
 * @opt: the user's --sector-size, or 0
 *
 * @opt when given; else the key's "sector-size" when set and not 0 (zkey
 * writes it in decimal, 0 for "the system's default"); else
 * PK_SECTOR_SIZE_DEFAULT, 4096: paes costs less per byte on 4 KiB units,
 * and every device of IBM Z (DASD, FCP, virtio) takes them.
 *
 * Context: any.
 * Return: a power of two from 512 to 4096.
 */
unsigned int pk_info_sector_size(const struct pk_info *info, unsigned long opt)
{
	unsigned long n;

	if (opt)
		return (unsigned int)opt;
	/* a set value passed check_sector_size() */
	if (!pk_parse_uint(pk_info_get(info, PK_P_SECTOR_SIZE), 4096, &n) && n)
		return (unsigned int)n;
	return PK_SECTOR_SIZE_DEFAULT;
}

/**
 * struct parse_state - what parsing has seen so far
 * @seen: bit per property
 * @hash: the value of __hash__, or NULL
 * @text: name and value of every property line, for the hash
 * @tlen: used bytes of @text
 */
struct parse_state {
	unsigned int seen;
	char *hash;
	char *text;
	size_t tlen;
};

/* zkey's "kms" property: the KMS plugin a key is bound to. */
static int keep_kms(struct pk_info *info, const char *name, size_t n,
		    const char *val)
{
	if (n != strlen(KMS_NAME) || memcmp(name, KMS_NAME, n))
		return 0;
	free(info->kms);
	info->kms = strdup(val);
	return info->kms ? 0 : -ENOMEM;
}

static int parse_line(const char *line, size_t n, unsigned int flags,
		      struct parse_state *ps, struct pk_info *info,
		      struct pk_err *err)
{
	const char *eq = memchr(line, '=', n);
	char val[PK_INFO_LINE_MAX + 1];
	size_t nlen, vlen;
	int p;

	if (!eq)
		return pk_err_set(err, -EINVAL, "no '=' in '%.*s'",
				  (int)(n < 40 ? n : 40), line);
	nlen = (size_t)(eq - line);
	vlen = n - nlen - 1;
	if (ps->hash)
		return pk_err_set(err, -EINVAL, "a property after %s",
				  HASH_NAME);
	memcpy(val, eq + 1, vlen);
	val[vlen] = '\0';
	if (nlen == strlen(HASH_NAME) && !memcmp(line, HASH_NAME, nlen)) {
		ps->hash = strdup(val);
		return ps->hash ? 0 : -ENOMEM;
	}
	memcpy(ps->text + ps->tlen, line, nlen);
	memcpy(ps->text + ps->tlen + nlen, val, vlen);
	ps->tlen += nlen + vlen;
	p = prop_lookup(line, nlen);
	if (p < 0) {
		if ((flags & PK_INFO_ZKEY) && zkey_only_name(line, nlen))
			return keep_kms(info, line, nlen, val);
		return pk_err_set(err, -EINVAL, "unknown property '%.*s'",
				  (int)(nlen > 64 ? 64 : nlen), line);
	}
	if (ps->seen & (1u << p))
		return pk_err_set(err, -EINVAL, "property '%s' appears twice",
				  props[p].name);
	ps->seen |= 1u << p;
	return set_checked(info, (enum pk_prop)p, val, err);
}

/*
 * zkey refuses a file without the hash line as it refuses a wrong hash
 * (properties_load() returns -EPERM for both), and compares the
 * lower-case hex it writes exactly.
 */
static int check_hash(struct parse_state *ps, struct pk_err *err)
{
	uint8_t digest[32];
	char hex[65];

	if (!ps->hash)
		return pk_err_set(err, -EINVAL,
				  "no %s line: file incomplete or edited",
				  HASH_NAME);
	pk_sha256(ps->text, ps->tlen, digest);
	pk_hex_encode(digest, sizeof(digest), hex);
	if (strcmp(hex, ps->hash))
		return pk_err_set(
			err, -EINVAL,
			"integrity hash mismatch: file corrupted or edited");
	return 0;
}

/* What zkey assumes for the properties its first versions did not write. */
static int zkey_defaults(struct pk_info *info, struct pk_err *err)
{
	int ret = 0;

	if (!info->val[PK_P_KEY_TYPE])
		ret = set_checked(info, PK_P_KEY_TYPE, "CCA-AESDATA", err);
	if (!ret && !info->val[PK_P_VOLUME_TYPE])
		ret = set_checked(info, PK_P_VOLUME_TYPE, "plain", err);
	return ret;
}

/*
 * Parses .info text of @len bytes into @info (which must be empty). On
 * error @info stays empty and @err names the line.
 */
int pk_info_parse(const char *text, size_t len, unsigned int flags,
		  struct pk_info *info, struct pk_err *err)
{
	struct parse_state ps = { 0 };
	const char *p = text, *end = text + len, *nl;
	struct pk_err sub;
	int lineno = 0, ret = 0;
	size_t n;

	memset(info, 0, sizeof(*info));
	if (len > PK_INFO_FILE_MAX)
		return pk_err_set(err, -EFBIG, "larger than %d bytes",
				  PK_INFO_FILE_MAX);
	if (memchr(text, '\0', len))
		return pk_err_set(err, -EINVAL, "contains a NUL byte");
	ps.text = malloc(len + 1);
	if (!ps.text)
		return pk_err_set(err, -ENOMEM, "parsing");
	while (p < end && !ret) {
		lineno++;
		nl = memchr(p, '\n', (size_t)(end - p));
		n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (n > PK_INFO_LINE_MAX)
			ret = pk_err_set(&sub, -EINVAL,
					 "longer than %d characters",
					 PK_INFO_LINE_MAX);
		else if (!printable(p, n))
			ret = pk_err_set(&sub, -EINVAL,
					 "contains a control character");
		else if (n && p[0] != '#')
			ret = parse_line(p, n, flags, &ps, info, &sub);
		p += n + 1;
	}
	if (ret) {
		pk_err_set(err, ret, "line %d: %s", lineno, sub.msg);
		goto out;
	}
	ret = check_hash(&ps, err);
	if (!ret && (flags & PK_INFO_ZKEY))
		ret = zkey_defaults(info, err);
	ret = ret ?: pk_info_check(info, err);
out:
	free(ps.hash);
	free(ps.text);
	if (ret)
		pk_info_free(info);
	return ret;
}

/* The file text of @info with its __hash__ line; malloc'ed, NULL on ENOMEM. */
char *pk_info_format(const struct pk_info *info)
{
	size_t size = 128, off = 0, hlen = 0;
	uint8_t digest[32];
	char hex[65], *out, *h;
	int i;

	for (i = 0; i < PK_P_COUNT; i++)
		if (info->val[i])
			size += strlen(props[i].name) + strlen(info->val[i]) +
				2;
	out = malloc(size);
	h = malloc(size);
	if (!out || !h) {
		free(out);
		free(h);
		return NULL;
	}
	for (i = 0; i < PK_P_COUNT; i++) {
		if (!info->val[i])
			continue;
		off += (size_t)sprintf(out + off, "%s=%s\n", props[i].name,
				       info->val[i]);
		hlen += (size_t)sprintf(h + hlen, "%s%s", props[i].name,
					info->val[i]);
	}
	pk_sha256(h, hlen, digest);
	free(h);
	pk_hex_encode(digest, sizeof(digest), hex);
	sprintf(out + off, "%s=%s\n", HASH_NAME, hex);
	return out;
}
