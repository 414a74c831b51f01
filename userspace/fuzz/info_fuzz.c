// SPDX-License-Identifier: GPL-2.0-only
/*
 * pk_info_parse() on arbitrary text, strict and with PK_INFO_ZKEY. The
 * first input byte is a control byte: bit 0 appends the __hash__ line
 * the rest of the text needs, so that mutations reach the value checks
 * in strict mode too. Invariants beyond no crash, no leak and no UB:
 *
 * - a refused file is a negative errno with a message and leaves the
 *   info empty (every value NULL), as pk_info_parse() documents;
 * - an accepted file has every required property, and every value within
 *   the limits info.c documents: its maximum length, no control
 *   character, the fixed key type, cipher and IV mode, a sector size of 0
 *   or a power of two from 512 to 4096, a verification pattern of 64 hex
 *   digits, a volume type of plain or luks2, well-formed APQN and volume
 *   lists;
 * - zkey mode only tolerates more: what strict mode accepts, zkey mode
 *   accepts with the same values, but for zkey's default of a missing
 *   volume-type (plain);
 * - parse(format(x)) == x, format is stable, and pk_info_set() accepts
 *   every parsed value.
 */
#include <ctype.h>
#include <strings.h>

#include "fuzz.h"

/* The limits documented by info.c's property table. */
static const size_t prop_max[PK_P_COUNT] = {
	[PK_P_KEY_TYPE] = 32,	 [PK_P_CIPHER] = 16,
	[PK_P_IV_MODE] = 16,	 [PK_P_DESCRIPTION] = 256,
	[PK_P_VOLUMES] = 2048,	 [PK_P_APQNS] = 1024,
	[PK_P_SECTOR_SIZE] = 8,	 [PK_P_CREATION_TIME] = 64,
	[PK_P_UPDATE_TIME] = 64, [PK_P_REENCIPHER_TIME] = 64,
	[PK_P_VP] = PK_VP_HEX,	 [PK_P_VOLUME_TYPE] = 16,
};

static bool no_ctrl(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

/* Every comma-separated item of @v is "CC.DDDD" in hex. */
static bool apqns_ok(const char *v)
{
	size_t i, n;

	while (*v) {
		n = strcspn(v, ",");
		if (n != 7 || v[2] != '.')
			return false;
		for (i = 0; i < n; i++)
			if (i != 2 && !isxdigit((unsigned char)v[i]))
				return false;
		v += n;
		if (*v && !*++v)
			return false; /* a trailing comma */
	}
	return true;
}

/* Every item is "/<path>:<name>" with a non-empty name. */
static bool volumes_ok(const char *v)
{
	const char *colon;
	size_t n;

	while (*v) {
		n = strcspn(v, ",");
		colon = memchr(v, ':', n);
		if (v[0] != '/' || !colon || colon == v + n - 1)
			return false;
		v += n;
		if (*v && !*++v)
			return false;
	}
	return true;
}

static void check_values(const struct pk_info *info)
{
	const char *v;
	size_t i;
	int p;

	FUZZ_CHECK(!pk_info_check(info, NULL));
	for (p = 0; p < PK_P_COUNT; p++) {
		v = info->val[p];
		if (!v)
			continue;
		FUZZ_CHECK(strlen(v) <= prop_max[p] && no_ctrl(v));
	}
	/* The key types pk_info_check() knows; a missing one is CCA. */
	v = info->val[PK_P_KEY_TYPE];
	FUZZ_CHECK(!strcmp(v, "CCA-AESDATA") || !strcmp(v, "EP11-AES") ||
		   !strcmp(v, "PVSECRET-AES"));
	FUZZ_CHECK(!strcmp(info->val[PK_P_CIPHER], "paes"));
	FUZZ_CHECK(!strcmp(info->val[PK_P_IV_MODE], "plain64"));
	v = pk_info_get(info, PK_P_SECTOR_SIZE);
	FUZZ_CHECK(!*v || !strcmp(v, "0") || !strcmp(v, "512") ||
		   !strcmp(v, "1024") || !strcmp(v, "2048") ||
		   !strcmp(v, "4096"));
	v = pk_info_get(info, PK_P_VP);
	FUZZ_CHECK(!*v || strlen(v) == PK_VP_HEX);
	for (i = 0; v[i]; i++)
		FUZZ_CHECK(isxdigit((unsigned char)v[i]));
	v = info->val[PK_P_VOLUME_TYPE];
	FUZZ_CHECK(!v || !strcasecmp(v, "plain") || !strcasecmp(v, "luks2"));
	FUZZ_CHECK(apqns_ok(pk_info_get(info, PK_P_APQNS)));
	FUZZ_CHECK(volumes_ok(pk_info_get(info, PK_P_VOLUMES)));
}

static bool empty(const struct pk_info *info)
{
	int p;

	for (p = 0; p < PK_P_COUNT; p++)
		if (info->val[p])
			return false;
	return true;
}

static int parse(const char *text, size_t len, unsigned int flags,
		 struct pk_info *info)
{
	struct pk_err err;
	int ret;

	memset(&err, 0, sizeof(err));
	ret = pk_info_parse(text, len, flags, info, &err);
	if (ret) {
		FUZZ_CHECK(ret < 0 && fuzz_err_set(&err));
		FUZZ_CHECK(empty(info));
	} else {
		check_values(info);
	}
	return ret;
}

/* parse(format(x)) == x; format(parse(format(x))) == format(x). */
static void round_trip(const struct pk_info *info)
{
	struct pk_info again, set = { 0 };
	char *text, *text2, *text3;
	int p;

	text = pk_info_format(info);
	FUZZ_CHECK(text);
	FUZZ_CHECK(!parse(text, strlen(text), 0, &again));
	FUZZ_CHECK(fuzz_info_same(info, &again));
	text2 = pk_info_format(&again);
	FUZZ_CHECK(text2 && !strcmp(text, text2));
	for (p = 0; p < PK_P_COUNT; p++)
		if (info->val[p])
			FUZZ_CHECK(!pk_info_set(&set, (enum pk_prop)p,
						info->val[p], NULL));
	text3 = pk_info_format(&set);
	FUZZ_CHECK(text3 && !strcmp(text, text3));
	free(text);
	free(text2);
	free(text3);
	pk_info_free(&again);
	pk_info_free(&set);
}

/*
 * @text followed by the __hash__ line it needs: the hex SHA-256 of every
 * property line's name and value, in order, as info.c computes it.
 */
static char *with_hash(const char *text, size_t len, size_t *outlen)
{
	const char *p = text, *end = text + len, *nl, *eq;
	char *h = malloc(len + 1), *out = malloc(len + 80);
	size_t hl = 0, n, o = len;
	uint8_t digest[32];
	char hex[65];

	if (!h || !out)
		abort();
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		eq = memchr(p, '=', n);
		if (n && p[0] != '#' && eq) {
			memcpy(h + hl, p, (size_t)(eq - p));
			hl += (size_t)(eq - p);
			memcpy(h + hl, eq + 1, n - (size_t)(eq - p) - 1);
			hl += n - (size_t)(eq - p) - 1;
		}
		p += n + 1;
	}
	pk_sha256(h, hl, digest);
	pk_hex_encode(digest, sizeof(digest), hex);
	memcpy(out, text, len);
	if (len && text[len - 1] != '\n')
		out[o++] = '\n';
	o += (size_t)sprintf(out + o, "__hash__=%s\n", hex);
	free(h);
	*outlen = o;
	return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pk_info strict, zkey;
	char *text;
	size_t len;
	int rs, rz;

	if (!size || size > PK_INFO_FILE_MAX + 2)
		return 0;
	len = size - 1;
	if (data[0] & 1) {
		char *raw = fuzz_str(data + 1, len);

		text = with_hash(raw, len, &len);
		free(raw);
	} else {
		text = (char *)fuzz_dup(data + 1, len);
	}

	rs = parse(text, len, 0, &strict);
	rz = parse(text, len, PK_INFO_ZKEY, &zkey);
	if (!rs && !strict.val[PK_P_VOLUME_TYPE])
		FUZZ_CHECK(
			!pk_info_set(&strict, PK_P_VOLUME_TYPE, "plain", NULL));
	if (!rs) {
		FUZZ_CHECK(!rz && fuzz_info_same(&strict, &zkey));
		round_trip(&strict);
	}
	if (!rz)
		round_trip(&zkey);
	pk_info_free(&strict);
	pk_info_free(&zkey);
	free(text);
	return 0;
}
