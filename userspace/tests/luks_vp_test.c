// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the verification-pattern tokens of lib/luks.c on a LUKS2
 * header in a regular file (no device-mapper needed): the
 * integrity-verification-pattern that zkey-cryptsetup's setvp writes
 * into the paes-verification-pattern token of a volume with an
 * integrity key (s390-tools zkey/zkey-cryptsetup.c, put_vp_token()) is
 * read, kept through a staged re-encipher, and copied into the
 * paes-reencipher token as zkey-cryptsetup's put_reencipher_token()
 * records it.
 */
#include "test.h"

#include <json.h>
#include <libcryptsetup.h>

#define MKVP 0x0a0b0c0d0e0f1011ULL
#define VP "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
#define IVP "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100"
#define PASS "luks vp test"

/* The JSON of @img's first token of @type, or NULL (free()). */
static char *token_json(const char *img, const char *type)
{
	struct crypt_device *cd;
	const char *t, *json;
	char *out = NULL;
	int i;

	if (crypt_init(&cd, img) < 0)
		return NULL;
	if (crypt_load(cd, CRYPT_LUKS2, NULL) >= 0)
		for (i = 0; i < 32 && !out; i++)
			if (crypt_token_status(cd, i, &t) !=
				    CRYPT_TOKEN_INACTIVE &&
			    t && !strcmp(t, type) &&
			    crypt_token_json_get(cd, i, &json) >= 0)
				out = strdup(json);
	crypt_free(cd);
	return out;
}

/* What zkey-cryptsetup setvp writes for a volume with an integrity key. */
static int set_zkey_vp_token(const char *img)
{
	static const char json[] =
		"{\"type\":\"paes-verification-pattern\",\"keyslots\":[],"
		"\"verification-pattern\":\"" VP "\","
		"\"integrity-verification-pattern\":\"" IVP "\"}";
	struct crypt_device *cd;
	int ret;

	ret = crypt_init(&cd, img);
	if (ret < 0)
		return ret;
	ret = crypt_load(cd, CRYPT_LUKS2, NULL);
	if (ret >= 0)
		ret = crypt_token_json_set(cd, CRYPT_ANY_TOKEN, json);
	crypt_free(cd);
	return ret < 0 ? ret : 0;
}

static bool has_member(const char *json, const char *name, const char *val)
{
	struct json_object *o = json ? json_tokener_parse(json) : NULL, *v;
	bool ok;

	ok = o && json_object_object_get_ex(o, name, &v) &&
	     json_object_is_type(v, json_type_string) &&
	     !strcmp(json_object_get_string(v), val);
	json_object_put(o);
	return ok;
}

int main(void)
{
	char *top = t_mkdtemp(), img[4200], vp[PK_VP_HEX + 1];
	char ivp[PK_VP_HEX + 1], *before, *after, *renc;
	uint8_t blob[128], nblob[128];
	struct pk_luks_renc st;
	struct pk_err err;
	int fd, ret, unbound = -1;

	t_plan(4);
	snprintf(img, sizeof(img), "%s/img", top);
	fd = open(img, O_RDWR | O_CREAT, 0600);
	if (fd < 0 || ftruncate(fd, 16 << 20))
		printf("# cannot make %s\n", img);
	close(fd);
	t_make_xts(blob, MKVP, 1);
	t_make_xts(nblob, MKVP + 1, 1);

	ret = pk_luks_format(img, blob, sizeof(blob), NULL, PASS, strlen(PASS),
			     0, NULL, &err);
	ret = ret ?: set_zkey_vp_token(img);
	ret = ret ?: pk_luks_token_vp(img, vp, ivp, &err);
	if (!t_ok(!ret && !strcmp(vp, VP) && !strcmp(ivp, IVP),
		  "luks: zkey's integrity-verification-pattern is read"))
		t_diag("vp", &err);

	before = token_json(img, "paes-verification-pattern");
	ret = pk_luks_renc_stage(img, PASS, strlen(PASS), nblob, sizeof(nblob),
				 0, VP, false, &unbound, &err);
	renc = token_json(img, "paes-reencipher");
	if (!t_ok(!ret && unbound > 0 &&
			  has_member(renc, "integrity-verification-pattern",
				     IVP),
		  "luks: the staged paes-reencipher token carries it"))
		t_diag("stage", &err);
	free(renc);
	ret = pk_luks_renc_state(img, &st, &err);
	t_ok(!ret && !strcmp(st.vp, VP) && !strcmp(st.ivp, IVP),
	     "luks: and reads it back from there");
	after = token_json(img, "paes-verification-pattern");
	t_ok(before && after && !strcmp(before, after),
	     "luks: the verification-pattern token is kept as it was");
	free(before);
	free(after);

	t_rmrf(top);
	free(top);
	return t_done();
}
