// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the .info parser and writer (lib/info.c) and of SHA-256
 * (lib/util.c, zkey's integrity hash): round trip, every malformed input
 * a clear error naming the line with nothing returned, zkey mode.
 */
#include "test.h"

static void test_sha256(void)
{
	static const struct {
		const char *in;
		const char *hex;
	} v[] = {
		{ "",
		  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
		{ "abc",
		  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
	};
	uint8_t d[32];
	char hex[65];
	size_t i;

	for (i = 0; i < 3; i++) {
		pk_sha256(v[i].in, strlen(v[i].in), d);
		pk_hex_encode(d, 32, hex);
		t_ok(!strcmp(hex, v[i].hex), "sha256: FIPS 180 vector %zu", i);
	}
}

/* The text of a valid .info with @extra lines before the hash. */
static char *make_info(const char *body)
{
	struct pk_info info = { 0 };
	char *text;

	pk_info_defaults(&info, "CCA-AESDATA");
	pk_info_set(&info, PK_P_DESCRIPTION, body, NULL);
	text = pk_info_format(&info);
	pk_info_free(&info);
	return text;
}

static void test_roundtrip(void)
{
	struct pk_info a = { 0 }, b;
	struct pk_err err;
	char *text;
	int i, ret, same = 1;

	pk_info_defaults(&a, "CCA-AESDATA");
	t_ok(!pk_info_set(&a, PK_P_DESCRIPTION, "volume key, äöü", &err) &&
		     !pk_info_set(&a, PK_P_APQNS, "01.0001,02.00ff", &err) &&
		     !pk_info_set(&a, PK_P_VOLUMES, "/dev/vdb:enc-vdb", &err) &&
		     !pk_info_set(
			     &a, PK_P_VP,
			     "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
			     &err) &&
		     !pk_info_set(&a, PK_P_SECTOR_SIZE, "4096", &err),
	     "info: set valid values");
	text = pk_info_format(&a);
	ret = pk_info_parse(text, strlen(text), 0, &b, &err);
	for (i = 0; !ret && i < PK_P_COUNT; i++)
		same &= !strcmp(pk_info_get(&a, (enum pk_prop)i),
				pk_info_get(&b, (enum pk_prop)i));
	t_ok(!ret && same, "info: format then parse gives the same properties");
	t_ok(strstr(text, "\n__hash__=") != NULL,
	     "info: written with zkey's __hash__ line");
	free(text);
	pk_info_free(&a);
	pk_info_free(&b);
	t_ok(pk_info_set(&a, PK_P_APQNS, "1.1", &err) == -EINVAL &&
		     strstr(err.msg, "APQN"),
	     "info: set refuses a malformed value");
	pk_info_free(&a);
}

/**
 * struct bad_info - a malformed .info
 * @name: test name
 * @text: the file
 * @msg: expected substring of the error
 */
struct bad_info {
	const char *name;
	const char *text;
	const char *msg;
};

#define REQ "key-type=CCA-AESDATA\ncipher=paes\niv-mode=plain64\n"

static const struct bad_info bad[] = {
	{ "no '='", REQ "description\n", "line 4: no '='" },
	{ "unknown property", REQ "colour=blue\n",
	  "line 4: unknown property 'colour'" },
	{ "duplicate property", REQ "cipher=paes\n",
	  "line 4: property 'cipher' appears twice" },
	{ "missing required", "key-type=CCA-AESDATA\niv-mode=plain64\n",
	  "'cipher' is missing" },
	{ "key type not supported", "key-type=CCA-AESCIPHER\n",
	  "not supported" },
	{ "cipher phmac", "cipher=phmac\n", "cipher 'phmac'" },
	{ "control character", REQ "description=a\tb\n", "control character" },
	{ "carriage return", REQ "description=ab\r\n", "control character" },
	{ "bad APQN list", REQ "apqns=01.0001,3.4\n", "malformed APQN '3.4'" },
	{ "bad volume", REQ "volumes=vdb\n", "malformed volume 'vdb'" },
	{ "bad sector size", REQ "sector-size=1000\n", "sector size '1000'" },
	{ "sector size not a number", REQ "sector-size=4k\n", "sector size" },
	{ "sector size with a leading zero", REQ "sector-size=0512\n",
	  "sector size '0512'" },
	{ "bad verification pattern", REQ "verification-pattern=xyz\n",
	  "not 64 hex digits" },
	{ "bad volume type", REQ "volume-type=integrity\n", "volume type" },
	{ "property after the hash", REQ "__hash__=00\ndescription=x\n",
	  "after __hash__" },
};

/*
 * @body, then the __hash__ line zkey would write for it: the SHA-256 of
 * every name and value, '#' comments and blank lines left out.
 */
static char *with_hash(const char *body)
{
	char *t = malloc(strlen(body) + 100), *h = malloc(strlen(body) + 1);
	const char *p, *eq, *nl;
	size_t n = 0;
	uint8_t d[32];
	char hex[65];

	for (p = body; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		eq = memchr(p, '=', (size_t)(nl - p));
		if (p[0] == '#' || !eq)
			continue;
		memcpy(h + n, p, (size_t)(eq - p));
		n += (size_t)(eq - p);
		memcpy(h + n, eq + 1, (size_t)(nl - eq - 1));
		n += (size_t)(nl - eq - 1);
	}
	pk_sha256(h, n, d);
	pk_hex_encode(d, 32, hex);
	sprintf(t, "%s__hash__=%s\n", body, hex);
	free(h);
	return t;
}

static void test_malformed(void)
{
	struct pk_info info;
	struct pk_err err;
	size_t i;
	char *text;
	int ret, j, empty;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		text = with_hash(bad[i].text);
		err.msg[0] = '\0';
		ret = pk_info_parse(text, strlen(text), PK_INFO_ZKEY, &info,
				    &err);
		for (j = 0, empty = 1; j < PK_P_COUNT; j++)
			empty &= !info.val[j];
		if (!t_ok(ret < 0 && empty && strstr(err.msg, bad[i].msg),
			  "info: %s: clear error, nothing returned",
			  bad[i].name))
			t_diag("got", &err);
		free(text);
	}
}

static void test_limits(void)
{
	struct pk_info info;
	char *big;
	struct pk_err err;
	int ret;

	big = malloc(6000);
	memset(big, 'a', 257);
	big[257] = '\0';
	memset(&info, 0, sizeof(info));
	ret = pk_info_set(&info, PK_P_DESCRIPTION, big, &err);
	t_ok(ret == -EINVAL && !info.val[PK_P_DESCRIPTION] &&
		     strstr(err.msg, "longer than 256"),
	     "info: overlong description cannot even be set");
	sprintf(big, REQ "description=");
	memset(big + strlen(big), 'x', 257);
	big[strlen(REQ) + 12 + 257] = '\0';
	ret = pk_info_parse(big, strlen(big), PK_INFO_ZKEY, &info, &err);
	t_ok(ret == -EINVAL && strstr(err.msg, "line 4") &&
		     strstr(err.msg, "longer than 256"),
	     "info: overlong value refused, line named");
	sprintf(big, REQ "description=");
	memset(big + strlen(big), 'x', 5000);
	big[strlen(REQ) + 12 + 5000] = '\0';
	ret = pk_info_parse(big, strlen(big), PK_INFO_ZKEY, &info, &err);
	t_ok(ret == -EINVAL && strstr(err.msg, "longer than 4096"),
	     "info: overlong line refused");
	ret = pk_info_parse(REQ "\0x", strlen(REQ) + 2, PK_INFO_ZKEY, &info,
			    &err);
	t_ok(ret == -EINVAL && strstr(err.msg, "NUL"),
	     "info: NUL byte refused");
	free(big);
}

static void test_hash(void)
{
	struct pk_info info;
	struct pk_err err;
	char *text;
	const char *p;
	int ret;

	text = make_info("hash test");
	ret = pk_info_parse(text, strlen(text), 0, &info, &err);
	t_ok(!ret, "info: own file with a good hash parses");
	pk_info_free(&info);
	strstr(text, "hash test")[0] = 'H';
	ret = pk_info_parse(text, strlen(text), 0, &info, &err);
	t_ok(ret == -EINVAL && strstr(err.msg, "integrity hash mismatch"),
	     "info: edited file fails the hash check");
	free(text);
	ret = pk_info_parse(REQ, strlen(REQ), 0, &info, &err);
	t_ok(ret == -EINVAL && strstr(err.msg, "no __hash__"),
	     "info: own file without a hash refused (incomplete)");
	text = with_hash(REQ "# comment\n\nkms=EKMFWeb\ndigest=\n");
	ret = pk_info_parse(text, strlen(text), PK_INFO_ZKEY, &info, &err);
	t_ok(!ret && !strcmp(pk_info_get(&info, PK_P_CIPHER), "paes") &&
		     info.kms && !strcmp(info.kms, "EKMFWeb"),
	     "info: zkey mode: comments, blank lines, kms and digest accepted, kms kept");
	pk_info_free(&info);
	free(text);
	p = REQ "# comment\nkms=EKMFWeb\n";
	ret = pk_info_parse(p, strlen(p), PK_INFO_ZKEY, &info, &err);
	t_ok(ret == -EINVAL && strstr(err.msg, "no __hash__") && !info.kms,
	     "info: zkey mode: no __hash__ refused, as zkey's properties_load()");
	text = with_hash("cipher=paes\niv-mode=plain64\n");
	ret = pk_info_parse(text, strlen(text), PK_INFO_ZKEY, &info, &err);
	t_ok(!ret && !strcmp(pk_info_get(&info, PK_P_KEY_TYPE), "CCA-AESDATA") &&
		     !strcmp(pk_info_get(&info, PK_P_VOLUME_TYPE), "plain"),
	     "info: zkey mode: no key-type is CCA-AESDATA, no volume-type plain");
	pk_info_free(&info);
	for (p = strstr(text, "__hash__=") + 9; *p != '\n'; p++)
		if (*p >= 'a' && *p <= 'f')
			*(char *)p -= 'a' - 'A';
	ret = pk_info_parse(text, strlen(text), PK_INFO_ZKEY, &info, &err);
	t_ok(ret == -EINVAL && strstr(err.msg, "hash mismatch"),
	     "info: an upper-case hash is not zkey's (it compares exactly)");
	free(text);
	ret = pk_info_parse(REQ "kms=x\n", strlen(REQ) + 6, 0, &info, &err);
	t_ok(ret == -EINVAL && strstr(err.msg, "unknown property 'kms'"),
	     "info: own mode: zkey-only property refused");
}

/* --sector-size, else the key's sector-size when not 0, else 4096. */
static void test_sector_size(void)
{
	struct pk_info info = { 0 };

	t_ok(pk_info_sector_size(&info, 0) == 4096,
	     "sector size: no option, no property: 4096");
	pk_info_set(&info, PK_P_SECTOR_SIZE, "0", NULL);
	t_ok(pk_info_sector_size(&info, 0) == 4096,
	     "sector size: property 0 (system default): 4096");
	pk_info_set(&info, PK_P_SECTOR_SIZE, "512", NULL);
	t_ok(pk_info_sector_size(&info, 0) == 512,
	     "sector size: the key's property 512 over the default");
	t_ok(pk_info_sector_size(&info, 1024) == 1024,
	     "sector size: --sector-size over the key's property");
	pk_info_free(&info);
}

int main(void)
{
	t_plan(39);
	test_sha256();
	test_roundtrip();
	test_malformed();
	test_limits();
	test_hash();
	test_sector_size();
	return t_done();
}
