// SPDX-License-Identifier: GPL-2.0-only
/*
 * "protkeyctl key import-zkey DIR" as an administrator moving from zkey
 * runs it. Every case builds a zkey repository itself, in s390-tools'
 * layout: <name>.skey (the XTS secure key, made by the emulator) and
 * <name>.info (zkey's property names in the order zkey/keystore.c sets
 * them, the __hash__ line of zkey/properties.c), <name>.pass (zkey's
 * dummy passphrase), plus a .lock. Key zk-a is made from a clear key the
 * test picked, so the test knows its verification pattern and can check
 * the ciphertext on disk; key zk-b is an AES-128 key generated and
 * exported by protkeyctl in a scratch repository, described by an .info
 * of a zkey that did not yet write key-type and volume-type.
 *
 * Each key is imported or skipped with a one-line reason. A key zkey
 * holds but protkey cannot take, imported alone (--name), exits with the
 * documented status of its reason and leaves our repository and the zkey
 * repository byte for byte as they were; imported with the others, the
 * others come in and the exit status says some were skipped (8).
 *
 * Runs as root in the test VM with protkey.ko and protkey_emu.ko loaded.
 */
#include "kselftest_harness.h"

#include "ctl.h"
#include "vol.h"

#define DEV_SIZE (32ULL << 20)
#define DATA_LEN (1ULL << 20)
#define ORACLE_LEN (64 * 1024)
#define VP_HEX 64

/*
 * zk-a: what zkey generate writes for a LUKS2 volume key, in its order
 * (cipher, iv-mode, creation-time; description, key-type, volumes, apqns,
 * sector-size, volume-type upper-cased; the verification pattern), then
 * the update-time a later zkey change appends.
 */
#define ZK_A_PROPS_FMT                                 \
	"cipher=paes\niv-mode=plain64\n"               \
	"creation-time=2024-05-01 10:00:00\n"          \
	"description=zkey volume key A\n"              \
	"key-type=CCA-AESDATA\n"                       \
	"volumes=/dev/dasdc1:enc-dasdc1\n"             \
	"apqns=03.0039,04.0039\nsector-size=4096\n"    \
	"volume-type=LUKS2\nverification-pattern=%s\n" \
	"update-time=2024-06-02 11:30:00\n"

/* zk-a's dummy passphrase: 16 bytes, as zkey draws from /dev/urandom. */
#define ZK_A_PASS "\x9c\x01\xfe\x00zkey-dummy!"
#define ZK_A_PASS_LEN 16

/*
 * zk-b: an older zkey's file: no key-type (CCA-AESDATA) and no
 * volume-type (plain), empty values.
 */
#define ZK_B_PROPS                            \
	"cipher=paes\niv-mode=plain64\n"      \
	"creation-time=2025-01-15 08:00:00\n" \
	"description=\nvolumes=\napqns=\nsector-size=0\n"

/**
 * struct zk_env - what every case of both fixtures has
 * @nl: the emulator's family
 * @ctl: protkeyctl
 * @repo: our repository (PROTKEY_REPOSITORY)
 * @zdir: the zkey repository the test builds
 * @scratch: a repository of ours to make zk-b in
 * @lo: a loop device, when a case uses one
 * @clear_a: zk-a's clear XTS key
 * @blob_a: zk-a's secure key
 * @blob_b: zk-b's secure key
 * @vp_a: zk-a's verification pattern, computed from @clear_a
 * @out: protkeyctl's output
 */
struct zk_env {
	struct pk_nl nl;
	char ctl[256];
	char repo[64];
	char zdir[64];
	char scratch[64];
	struct pk_loop lo;
	uint8_t clear_a[64];
	uint8_t blob_a[PK_BLOB_SIZE];
	uint8_t blob_b[PK_BLOB_SIZE];
	char vp_a[VP_HEX + 1];
	char out[PK_OUT_LEN];
};

/* Runs protkeyctl; its output in env->out. Return: its exit status. */
#undef CTL
#define CTL(...) PK_CTL(env, __VA_ARGS__)

static void hex(const uint8_t *in, size_t len, char *out)
{
	size_t i;

	for (i = 0; i < len; i++)
		sprintf(out + 2 * i, "%02x", in[i]);
	out[2 * len] = '\0';
}

static int write_in(const char *dir, const char *file, const void *buf,
		    size_t len)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return pk_write_file(path, buf, len);
}

static int read_blob(const char *path, uint8_t *blob)
{
	uint8_t buf[PK_BLOB_SIZE + 1];
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n != PK_BLOB_SIZE)
		return -EBADMSG;
	memcpy(blob, buf, PK_BLOB_SIZE);
	return 0;
}

/*
 * Writes <name>.info: the lines @text, then zkey's integrity line, the
 * SHA-256 of every name and value of @hashed in order (@hashed differs
 * from @text only when a case wants a wrong hash).
 */
static int write_info_hashed(const char *dir, const char *name,
			     const char *text, const char *hashed)
{
	char file[96], *buf, *in;
	const char *p, *eq, *nl;
	uint8_t digest[32];
	char dhex[65];
	size_t n = 0;
	int ret;

	in = malloc(strlen(hashed) + 1);
	buf = malloc(strlen(text) + 128);
	ret = in && buf ? 0 : -ENOMEM;
	for (p = hashed; !ret && *p; p = nl + 1) {
		nl = strchr(p, '\n');
		eq = memchr(p, '=', (size_t)(nl - p));
		if (!eq)
			continue;
		memcpy(in + n, p, (size_t)(eq - p));
		n += (size_t)(eq - p);
		memcpy(in + n, eq + 1, (size_t)(nl - eq - 1));
		n += (size_t)(nl - eq - 1);
	}
	ret = ret ?: pk_sha256(in, n, digest);
	if (!ret) {
		hex(digest, sizeof(digest), dhex);
		sprintf(buf, "%s__hash__=%s\n", text, dhex);
		snprintf(file, sizeof(file), "%s.info", name);
		ret = write_in(dir, file, buf, strlen(buf));
	}
	free(in);
	free(buf);
	return ret;
}

static int write_info(const char *dir, const char *name, const char *text)
{
	return write_info_hashed(dir, name, text, text);
}

/* zk-a's properties, with its verification pattern. */
static void props_a(const struct zk_env *env, char *buf, size_t len)
{
	snprintf(buf, len, ZK_A_PROPS_FMT, env->vp_a);
}

/*
 * zk-a from the clear key the test picks; its verification pattern is
 * the plain xts(aes) encryption of 32 zero bytes, zero tweak.
 */
static int make_key_a(struct zk_env *env)
{
	uint8_t zero[32] = { 0 }, vp[32];
	struct pk_xts x;
	int ret;

	pk_fill(env->clear_a, sizeof(env->clear_a), 0, 0x7a6b6579);
	env->clear_a[32] ^= 0x5a;
	ret = pke_make_xts_blob(&env->nl, env->clear_a, env->blob_a);
	ret = ret ?: pk_xts_open(&x, env->clear_a, sizeof(env->clear_a));
	if (ret)
		return ret;
	ret = pk_xts_unit(&x, ALG_OP_ENCRYPT, 0, zero, vp, sizeof(vp));
	pk_xts_close(&x);
	hex(vp, sizeof(vp), env->vp_a);
	return ret;
}

/* zk-b: AES-128, generated and exported by protkeyctl. */
static int make_key_b(struct zk_env *env)
{
	char path[128];
	int ret;

	snprintf(path, sizeof(path), "%s/zk-b.export", env->scratch);
	ret = CTL("--repository", env->scratch, "key", "generate", "zk-b",
		  "--bits", "128");
	ret = ret   ?:
		      CTL("--repository", env->scratch, "key", "export", "zk-b",
			  path);
	return ret ? -EIO : read_blob(path, env->blob_b);
}

static int build_zkey_repo(struct zk_env *env)
{
	char props[1024];
	int ret;

	ret = make_key_a(env);
	ret = ret ?: make_key_b(env);
	props_a(env, props, sizeof(props));
	ret = ret   ?:
		      write_in(env->zdir, "zk-a.skey", env->blob_a,
			       PK_BLOB_SIZE);
	ret = ret ?: write_info(env->zdir, "zk-a", props);
	ret = ret ?: write_in(env->zdir, "zk-a.pass", ZK_A_PASS, ZK_A_PASS_LEN);
	ret = ret   ?:
		      write_in(env->zdir, "zk-b.skey", env->blob_b,
			       PK_BLOB_SIZE);
	ret = ret ?: write_info(env->zdir, "zk-b", ZK_B_PROPS);
	return ret ?: write_in(env->zdir, ".lock", "", 0);
}

static void env_mkdtemp(char *dir, size_t len, const char *tag)
{
	snprintf(dir, len, "/tmp/pkzk-%s.XXXXXX", tag);
	if (!mkdtemp(dir))
		dir[0] = '\0';
}

/*
 * Our repository holds one key of its own ("own"), the zkey repository
 * zk-a and zk-b. Return: 0, or where it failed (for the log).
 */
static const char *env_setup(struct zk_env *env)
{
	env->lo.fd = -1;
	env->nl.sk = NULL;
	if (pk_ctl_find(env->ctl, sizeof(env->ctl)))
		return "protkeyctl is missing although the runner installs it";
	if (!env->ctl[0])
		return NULL;
	if (pk_nl_open(&env->nl, PROTKEY_EMU_FAMILY_NAME))
		return "protkey_emu family not found";
	if (pke_normalise(&env->nl))
		return "cannot normalise the emulator";
	env_mkdtemp(env->repo, sizeof(env->repo), "repo");
	env_mkdtemp(env->zdir, sizeof(env->zdir), "zkey");
	env_mkdtemp(env->scratch, sizeof(env->scratch), "scratch");
	if (!env->repo[0] || !env->zdir[0] || !env->scratch[0])
		return "mkdtemp";
	if (setenv("PROTKEY_REPOSITORY", env->repo, 1))
		return "environment";
	if (CTL("key", "generate", "own"))
		return env->out;
	if (build_zkey_repo(env))
		return env->out[0] ? env->out : "building the zkey repository";
	return NULL;
}

static void env_teardown(struct zk_env *env)
{
	pk_dm_remove("pkzk_vol");
	pk_loop_teardown(&env->lo);
	pk_rm_rf(env->zdir);
	pk_rm_rf(env->scratch);
	pk_ctl_teardown(&env->nl, env->repo);
}

/* The JSON object of @json that holds the string value "@name". */
static const char *json_object_of(const char *json, const char *name)
{
	char pat[96];
	const char *p;

	snprintf(pat, sizeof(pat), "\"name\": \"%s\"", name);
	p = strstr(json, pat);
	while (p && p > json && *p != '{')
		p--;
	return p;
}

/* The line of @text that starts with @start, without its newline. */
static int line_of(const char *text, const char *start, char *line, size_t len)
{
	const char *p = text, *end;

	while (p && strncmp(p, start, strlen(start))) {
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
	if (!p)
		return -ENOENT;
	end = strchrnul(p, '\n');
	snprintf(line, len, "%.*s", (int)(end - p), p);
	return 0;
}

/* The two MKVPs of the "mkvp" array in @obj. */
static int json_mkvps(const char *obj, char mkvp[2][32])
{
	const char *p = strstr(obj, "\"mkvp\"");

	if (!p || sscanf(p, "\"mkvp\" : [ \"%31[0-9a-f]\" , \"%31[0-9a-f]\"",
			 mkvp[0], mkvp[1]) != 2)
		return -ENOENT;
	return 0;
}

FIXTURE(zk)
{
	struct zk_env e;
};

FIXTURE_SETUP(zk)
{
	const char *why = env_setup(&self->e);

	ASSERT_EQ(NULL, why) TH_LOG("setup: %s", why);
	if (!self->e.ctl[0])
		SKIP(return, "no protkeyctl installed");
}

FIXTURE_TEARDOWN(zk)
{
	env_teardown(&self->e);
}

/* Key @name in --json output @obj: type, bits and the MKVPs of @blob. */
#define EXPECT_KEY_JSON(obj, bits, blob)                                    \
	do {                                                                \
		char v_[64], m_[2][32], w_[2][17];                          \
		hex((blob) + 8, 8, w_[0]);                                  \
		hex((blob) + PROTKEY_EMU_SECKEY_SIZE + 8, 8, w_[1]);        \
		ASSERT_EQ(0, pk_json_get(obj, "key-type", v_, sizeof(v_))); \
		EXPECT_STREQ("CCA-AESDATA", v_);                            \
		ASSERT_EQ(0, pk_json_get(obj, "key-bits", v_, sizeof(v_))); \
		EXPECT_STREQ(bits, v_);                                     \
		ASSERT_EQ(0, json_mkvps(obj, m_)) TH_LOG("%s", obj);        \
		EXPECT_STREQ(w_[0], m_[0]);                                 \
		EXPECT_STREQ(w_[1], m_[1]);                                 \
	} while (0)

TEST_F_TIMEOUT(zk, two_keys_imported_list_and_show_match_the_tokens, 120)
{
	struct zk_env *env = &self->e;
	struct pk_snap zbefore, zafter;
	char v[128], path[128], mk[17];
	uint8_t blob[PK_BLOB_SIZE];
	const char *obj;

	ASSERT_EQ(0, pk_snap_take(&zbefore, env->zdir));
	ASSERT_EQ(0, CTL("--json", "key", "import-zkey", env->zdir))
	TH_LOG("%s", env->out);
	EXPECT_NE(NULL, strstr(env->out, "\"zk-a\"")) TH_LOG("%s", env->out);
	EXPECT_NE(NULL, strstr(env->out, "\"zk-b\"")) TH_LOG("%s", env->out);
	/* the zkey repository is only read */
	ASSERT_EQ(0, pk_snap_take(&zafter, env->zdir));
	EXPECT_TRUE(pk_snap_equal(&zbefore, &zafter));
	pk_snap_free(&zbefore);
	pk_snap_free(&zafter);
	/* the secure keys are stored as they were */
	snprintf(path, sizeof(path), "%s/zk-a.skey", env->repo);
	ASSERT_EQ(0, read_blob(path, blob));
	EXPECT_EQ(0, memcmp(blob, env->blob_a, PK_BLOB_SIZE));
	snprintf(path, sizeof(path), "%s/zk-b.skey", env->repo);
	ASSERT_EQ(0, read_blob(path, blob));
	EXPECT_EQ(0, memcmp(blob, env->blob_b, PK_BLOB_SIZE));

	ASSERT_EQ(0, CTL("key", "list")) TH_LOG("%s", env->out);
	hex(env->blob_a + 8, 8, mk);
	ASSERT_EQ(0, line_of(env->out, "zk-a ", v, sizeof(v)))
	TH_LOG("%s", env->out);
	EXPECT_NE(NULL, strstr(v, "CCA-AESDATA  256 ")) TH_LOG("%s", v);
	EXPECT_NE(NULL, strstr(v, mk)) TH_LOG("mkvp %s: %s", mk, v);
	EXPECT_EQ(0, line_of(env->out, "zk-b ", v, sizeof(v)))
	TH_LOG("%s", env->out);
	EXPECT_EQ(0, line_of(env->out, "own ", v, sizeof(v)))
	TH_LOG("%s", env->out);

	ASSERT_EQ(0, CTL("--json", "key", "list")) TH_LOG("%s", env->out);
	obj = json_object_of(env->out, "zk-a");
	ASSERT_NE(NULL, obj) TH_LOG("%s", env->out);
	EXPECT_KEY_JSON(obj, "256", env->blob_a);
	obj = json_object_of(env->out, "zk-b");
	ASSERT_NE(NULL, obj) TH_LOG("%s", env->out);
	EXPECT_KEY_JSON(obj, "128", env->blob_b);

	ASSERT_EQ(0, CTL("--json", "key", "show", "zk-a"))
	TH_LOG("%s", env->out);
	EXPECT_KEY_JSON(env->out, "256", env->blob_a);
	ASSERT_EQ(0, pk_json_get(env->out, "volume-key-bits", v, sizeof(v)));
	EXPECT_STREQ("1024", v);
	ASSERT_EQ(0,
		  pk_json_get(env->out, "verification-pattern", v, sizeof(v)));
	EXPECT_STREQ(env->vp_a, v);
	ASSERT_EQ(0, pk_json_get(env->out, "description", v, sizeof(v)));
	EXPECT_STREQ("zkey volume key A", v);
	ASSERT_EQ(0, pk_json_get(env->out, "volumes", v, sizeof(v)));
	EXPECT_STREQ("/dev/dasdc1:enc-dasdc1", v);
	ASSERT_EQ(0, pk_json_get(env->out, "apqns", v, sizeof(v)));
	EXPECT_STREQ("03.0039,04.0039", v);
	ASSERT_EQ(0, pk_json_get(env->out, "sector-size", v, sizeof(v)));
	EXPECT_STREQ("4096", v);
	/* zkey's local times, in ISO 8601 with the zone in --json */
	ASSERT_EQ(0, pk_json_get(env->out, "creation-time", v, sizeof(v)));
	EXPECT_EQ(0, strncmp("2024-05-01T10:00:00", v, 19)) TH_LOG("%s", v);
	EXPECT_EQ(25, strlen(v)) TH_LOG("%s", v);
	ASSERT_EQ(0, pk_json_get(env->out, "update-time", v, sizeof(v)));
	EXPECT_EQ(0, strncmp("2024-06-02T11:30:00", v, 19)) TH_LOG("%s", v);
	ASSERT_EQ(0, pk_json_get(env->out, "volume-type", v, sizeof(v)));
	EXPECT_EQ(0, strcasecmp("luks2", v)) TH_LOG("volume-type %s", v);
	/* the dummy passphrase came along */
	snprintf(path, sizeof(path), "%s/zk-a.pass", env->repo);
	ASSERT_EQ(0, pk_json_get(env->out, "dummy-passphrase", v, sizeof(v)));
	EXPECT_STREQ(path, v);

	ASSERT_EQ(0, CTL("--json", "key", "show", "zk-b"))
	TH_LOG("%s", env->out);
	EXPECT_KEY_JSON(env->out, "128", env->blob_b);
	ASSERT_EQ(0, pk_json_get(env->out, "volume-key-bits", v, sizeof(v)));
	EXPECT_STREQ("1024", v);
	ASSERT_EQ(0, pk_json_get(env->out, "volume-type", v, sizeof(v)));
	EXPECT_STREQ("plain", v);
	ASSERT_EQ(0, pk_json_get(env->out, "key-type", v, sizeof(v)));
	EXPECT_STREQ("CCA-AESDATA", v);
	EXPECT_EQ(NULL, strstr(env->out, "dummy-passphrase"))
	TH_LOG("%s", env->out);

	/*
	 * zk-a's apqns (03.0039,04.0039) are not this emulator's: validate
	 * asks only them, as zkey's does, and none holds its master key; zk-b
	 * has no apqns: every adapter counts, and it is CURRENT.
	 */
	EXPECT_EQ(4, CTL("--json", "key", "validate", "zk-a"))
	TH_LOG("%s", env->out);
	ASSERT_EQ(0, pk_json_get(env->out, "mk-match-data", v, sizeof(v)));
	EXPECT_STREQ("none", v);
	ASSERT_EQ(0, CTL("--json", "key", "validate", "zk-b"))
	TH_LOG("%s", env->out);
	ASSERT_EQ(0, pk_json_get(env->out, "mk-match-data", v, sizeof(v)));
	EXPECT_STREQ("current", v);
	ASSERT_EQ(0, pk_json_get(env->out, "mk-match-tweak", v, sizeof(v)));
	EXPECT_STREQ("current", v);
}

/*
 * The raw device at @data_off holds the xts(aes) encryption, with zk-a's
 * clear key, of the first ORACLE_LEN bytes of @seed's data. Return: 0,
 * the 1-based position of the first wrong byte, or -errno.
 */
static long long oracle_check(struct zk_env *env, uint64_t data_off,
			      unsigned int unit, uint32_t seed)
{
	uint8_t *plain = malloc(ORACLE_LEN), *exp = malloc(ORACLE_LEN);
	uint8_t *raw = malloc(ORACLE_LEN);
	long long ret = plain && exp && raw ? 0 : -ENOMEM;
	struct pk_xts x;
	size_t i;

	if (!ret) {
		pk_fill(plain, ORACLE_LEN, 0, seed);
		ret = pk_xts_open(&x, env->clear_a, sizeof(env->clear_a));
	}
	if (!ret) {
		/* LUKS2 counts the IV in 512-byte sectors at any unit size */
		ret = pk_xts_range(&x, 0, plain, exp, ORACLE_LEN, unit, false);
		pk_xts_close(&x);
	}
	ret = ret ?: pk_loop_read_raw(&env->lo, data_off, raw, ORACLE_LEN);
	for (i = 0; !ret && i < ORACLE_LEN; i++)
		if (raw[i] != exp[i])
			ret = (long long)i + 1;
	free(plain);
	free(exp);
	free(raw);
	return ret;
}

/* The imported dummy passphrase is the volume's key file. */
TEST_F_TIMEOUT(zk, imported_key_formats_and_opens_a_luks2_volume, 180)
{
	struct zk_env *env = &self->e;
	char v[80], pass[128];
	unsigned long long off;
	unsigned int unit;

	ASSERT_EQ(0, CTL("key", "import-zkey", env->zdir))
	TH_LOG("%s", env->out);
	EXPECT_NE(NULL, strstr(env->out, "imported key 'zk-a' with its dummy "
					 "passphrase"))
	TH_LOG("%s", env->out);
	EXPECT_NE(NULL, strstr(env->out, ": 2 imported, 0 skipped"))
	TH_LOG("%s", env->out);
	snprintf(pass, sizeof(pass), "%s/zk-a.pass", env->repo);
	ASSERT_EQ(0, pk_loop_setup(&env->lo, "pkzk", DEV_SIZE));
	ASSERT_EQ(0, CTL("volume", "format", env->lo.dev, "--key", "zk-a",
			 "--key-file", pass))
	TH_LOG("%s", env->out);
	ASSERT_EQ(0, CTL("volume", "open", env->lo.dev, "pkzk_vol",
			 "--key-file", pass))
	TH_LOG("%s", env->out);
	ASSERT_TRUE(pk_dm_exists("pkzk_vol"));

	ASSERT_EQ(0, CTL("--json", "volume", "status", "pkzk_vol"))
	TH_LOG("%s", env->out);
	ASSERT_EQ(0, pk_json_get(env->out, "cipher", v, sizeof(v)));
	EXPECT_STREQ("paes-xts-plain64", v);
	ASSERT_EQ(0, pk_json_get(env->out, "key-bits", v, sizeof(v)));
	EXPECT_STREQ("1024", v);
	/* the LUKS2 token carries zkey's verification pattern */
	ASSERT_EQ(0,
		  pk_json_get(env->out, "verification-pattern", v, sizeof(v)));
	EXPECT_STREQ(env->vp_a, v);
	ASSERT_EQ(0, pk_json_get(env->out, "offset-sectors", v, sizeof(v)));
	off = strtoull(v, NULL, 10) * 512;
	ASSERT_EQ(0, pk_json_get(env->out, "sector-size", v, sizeof(v)));
	unit = (unsigned int)strtoul(v, NULL, 10);
	/* zk-a's sector-size property (4096, as zkey wrote it) */
	ASSERT_EQ(4096, unit) TH_LOG("sector size %u", unit);

	ASSERT_EQ(0, pk_roundtrip("/dev/mapper/pkzk_vol", DATA_LEN, 21, true));
	/* on disk: plain AES-XTS with zkey's clear key, nothing else */
	EXPECT_EQ(0, oracle_check(env, off, unit, 21));

	ASSERT_EQ(0, CTL("volume", "close", "pkzk_vol")) TH_LOG("%s", env->out);
	ASSERT_EQ(0, CTL("volume", "open", env->lo.dev, "pkzk_vol",
			 "--key-file", pass))
	TH_LOG("%s", env->out);
	EXPECT_EQ(0, pk_roundtrip("/dev/mapper/pkzk_vol", DATA_LEN, 21, false));
	EXPECT_EQ(0, CTL("volume", "close", "pkzk_vol")) TH_LOG("%s", env->out);
}

TEST_F_TIMEOUT(zk, missing_or_empty_zkey_repository_is_not_found, 60)
{
	struct zk_env *env = &self->e;
	struct pk_snap before, after;
	char empty[64];

	ASSERT_EQ(0, pk_snap_take(&before, env->repo));
	EXPECT_EQ(2, CTL("key", "import-zkey", "/tmp/pkzk-no-such-dir"))
	TH_LOG("%s", env->out);
	env_mkdtemp(empty, sizeof(empty), "empty");
	ASSERT_NE(0, empty[0]);
	EXPECT_EQ(2, CTL("key", "import-zkey", empty)) TH_LOG("%s", env->out);
	EXPECT_NE(NULL, strstr(env->out, "no keys")) TH_LOG("%s", env->out);
	rmdir(empty);
	EXPECT_EQ(1, CTL("key", "import-zkey")) TH_LOG("%s", env->out);
	EXPECT_EQ(2, CTL("key", "import-zkey", env->zdir, "--name", "nomatch*"))
	TH_LOG("%s", env->out);
	EXPECT_NE(NULL, strstr(env->out, "matches 'nomatch*'"))
	TH_LOG("%s", env->out);
	ASSERT_EQ(0, pk_snap_take(&after, env->repo));
	EXPECT_TRUE(pk_snap_equal(&before, &after));
	pk_snap_free(&before);
	pk_snap_free(&after);
}

/* zkey keys protkey cannot take: each variant breaks or adds one. */
FIXTURE(zkbad)
{
	struct zk_env e;
};

/*
 * One key a zkey repository can hold that protkey does not take: @mutate
 * makes it (or prepares our repository); its name is @name (NULL:
 * zk-b). Imported alone, protkeyctl exits with @rc, and the key's line
 * holds @why.
 */
FIXTURE_VARIANT(zkbad)
{
	int (*mutate)(struct zk_env * env);
	const char *name;
	int rc;
	const char *why;
};

static int truncate_skey(struct zk_env *env)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/zk-b.skey", env->zdir);
	return truncate(path, 100) ? -errno : 0;
}

/* A non-XTS zkey key: one token (zkey's paes-cbc-plain64). */
static int single_token_skey(struct zk_env *env)
{
	return write_in(env->zdir, "zk-b.skey", env->blob_b,
			PROTKEY_EMU_SECKEY_SIZE);
}

/*
 * A non-XTS AES-192 key, which zkey generates for CBC only: zk-b's first
 * token with its key length set to 192 bits (and the token's validation
 * value over its new content).
 */
static int aes192_token_skey(struct zk_env *env)
{
	uint8_t tok[PROTKEY_EMU_SECKEY_SIZE];
	uint32_t tvv = 0;
	int i;

	memcpy(tok, env->blob_b, sizeof(tok));
	tok[56] = 0;
	tok[57] = 192;
	/* the TVV: the sum of the token's first 15 big-endian words */
	for (i = 0; i < 60; i += 4)
		tvv += (uint32_t)tok[i] << 24 | (uint32_t)tok[i + 1] << 16 |
		       (uint32_t)tok[i + 2] << 8 | tok[i + 3];
	for (i = 0; i < 4; i++)
		tok[60 + i] = (uint8_t)(tvv >> (24 - 8 * i));
	return write_in(env->zdir, "zk-b.skey", tok, sizeof(tok));
}

static int corrupt_token(struct zk_env *env)
{
	uint8_t blob[PK_BLOB_SIZE];

	memcpy(blob, env->blob_b, sizeof(blob));
	blob[PROTKEY_EMU_SECKEY_SIZE + 20] ^= 0x01; /* tweak half's key */
	return write_in(env->zdir, "zk-b.skey", blob, sizeof(blob));
}

static int info_line_without_equals(struct zk_env *env)
{
	return write_info(env->zdir, "zk-b",
			  "cipher=paes\niv-mode=plain64\n"
			  "this line has no equals sign\n");
}

static int info_unknown_property(struct zk_env *env)
{
	return write_info(env->zdir, "zk-b", ZK_B_PROPS "colour=blue\n");
}

static int info_edited_after_hash(struct zk_env *env)
{
	return write_info_hashed(env->zdir, "zk-b",
				 "cipher=paes\niv-mode=plain64\n"
				 "description=edited\n",
				 "cipher=paes\niv-mode=plain64\n"
				 "description=original\n");
}

/* zkey's properties_load() refuses a file without the hash line. */
static int info_without_hash(struct zk_env *env)
{
	return write_in(env->zdir, "zk-b.info", ZK_B_PROPS, strlen(ZK_B_PROPS));
}

static int info_unsupported_key_type(struct zk_env *env)
{
	return write_info(env->zdir, "zk-b",
			  "cipher=paes\niv-mode=plain64\n"
			  "key-type=CCA-AESCIPHER\n");
}

/* zkey's record of a KMS binding: the plugin and the KMS's key IDs. */
static int kms_bound(struct zk_env *env)
{
	return write_info(env->zdir, "zk-b",
			  ZK_B_PROPS
			  "volume-type=LUKS2\nkms=EKMFWeb\n"
			  "kms-xts-key1-id=K1\nkms-xts-key1-label=L1\n"
			  "kms-xts-key2-id=K2\nkms-xts-key2-label=L2\n");
}

static int reencipher_pending(struct zk_env *env)
{
	return write_in(env->zdir, "zk-b.renc", env->blob_b, PK_BLOB_SIZE);
}

static int empty_pass(struct zk_env *env)
{
	return write_in(env->zdir, "zk-b.pass", "", 0);
}

static int name_exists(struct zk_env *env)
{
	return CTL("key", "generate", "zk-b") ? -EIO : 0;
}

/*
 * Adding zk-b fails half-way, at its .pass (after its .skey): nothing of
 * it may stay.
 */
static int add_fails_midway(struct zk_env *env)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/zk-b.pass", env->repo);
	if (mkdir(path, 0700))
		return -errno;
	return write_in(env->zdir, "zk-b.pass", ZK_A_PASS, ZK_A_PASS_LEN);
}

static int add_key(struct zk_env *env, const char *name)
{
	char file[96];
	int ret;

	snprintf(file, sizeof(file), "%s.skey", name);
	ret = write_in(env->zdir, file, env->blob_b, PK_BLOB_SIZE);
	return ret ?: write_info(env->zdir, name, ZK_B_PROPS);
}

/* zkey takes '+' in key names, protkey does not. */
static int name_protkey_cannot_take(struct zk_env *env)
{
	return add_key(env, "zk+c");
}

/* A blank zkey itself refuses: not a zkey key. */
static int name_zkey_refuses(struct zk_env *env)
{
	return add_key(env, "zk c");
}

/* clang-format off */
FIXTURE_VARIANT_ADD(zkbad, truncated_skey) {
	.mutate = truncate_skey, .rc = 3,
	.why = "zk-b.skey: XTS secure key of 100 bytes",
};

FIXTURE_VARIANT_ADD(zkbad, single_token_skey) {
	.mutate = single_token_skey, .rc = 3,
	.why = "zk-b.skey: a non-XTS CCA-AESDATA AES-128 key",
};

FIXTURE_VARIANT_ADD(zkbad, aes192_token_skey) {
	.mutate = aes192_token_skey, .rc = 3,
	.why = "a non-XTS CCA-AESDATA AES-192 key",
};

FIXTURE_VARIANT_ADD(zkbad, corrupt_token) {
	.mutate = corrupt_token, .rc = 3,
	.why = "token validation value",
};

FIXTURE_VARIANT_ADD(zkbad, info_line_without_equals) {
	.mutate = info_line_without_equals, .rc = 3,
	.why = "zk-b.info: line 3: no '='",
};

FIXTURE_VARIANT_ADD(zkbad, info_unknown_property) {
	.mutate = info_unknown_property, .rc = 3,
	.why = "unknown property 'colour'",
};

FIXTURE_VARIANT_ADD(zkbad, info_edited_after_hash) {
	.mutate = info_edited_after_hash, .rc = 3,
	.why = "zk-b.info: integrity hash mismatch",
};

FIXTURE_VARIANT_ADD(zkbad, info_without_hash) {
	.mutate = info_without_hash, .rc = 3,
	.why = "zk-b.info: no __hash__ line",
};

FIXTURE_VARIANT_ADD(zkbad, info_unsupported_key_type) {
	.mutate = info_unsupported_key_type, .rc = 3,
	.why = "CCA-AESCIPHER",
};

FIXTURE_VARIANT_ADD(zkbad, kms_bound) {
	.mutate = kms_bound, .rc = 3,
	.why = "bound to KMS plugin 'EKMFWeb'",
};

FIXTURE_VARIANT_ADD(zkbad, reencipher_pending) {
	.mutate = reencipher_pending, .rc = 3,
	.why = "re-encipher pending",
};

FIXTURE_VARIANT_ADD(zkbad, empty_pass) {
	.mutate = empty_pass, .rc = 3,
	.why = "zk-b.pass: empty",
};

FIXTURE_VARIANT_ADD(zkbad, name_exists) {
	.mutate = name_exists, .rc = 5,
	.why = "exists",
};

FIXTURE_VARIANT_ADD(zkbad, name_protkey_cannot_take) {
	.mutate = name_protkey_cannot_take, .name = "zk+c", .rc = 3,
	.why = "key name 'zk+c': 1 to 64 of",
};

FIXTURE_VARIANT_ADD(zkbad, name_zkey_refuses) {
	.mutate = name_zkey_refuses, .name = "zk c", .rc = 3,
	.why = "not a zkey key",
};

FIXTURE_VARIANT_ADD(zkbad, add_fails_midway) {
	.mutate = add_fails_midway, .rc = 7,
	.why = "Is a directory",
};
/* clang-format on */

FIXTURE_SETUP(zkbad)
{
	const char *why = env_setup(&self->e);

	ASSERT_EQ(NULL, why) TH_LOG("setup: %s", why);
	if (!self->e.ctl[0])
		SKIP(return, "no protkeyctl installed");
}

FIXTURE_TEARDOWN(zkbad)
{
	env_teardown(&self->e);
}

TEST_F_TIMEOUT(zkbad, skipped_with_its_reason_and_changes_nothing, 120)
{
	struct zk_env *env = &self->e;
	const char *name = variant->name ? variant->name : "zk-b";
	struct pk_snap rbefore, rafter, zbefore, zafter;
	char line[512], want[160];

	ASSERT_EQ(0, variant->mutate(env)) TH_LOG("%s", env->out);
	ASSERT_EQ(0, pk_snap_take(&rbefore, env->repo));
	ASSERT_EQ(0, pk_snap_take(&zbefore, env->zdir));

	/* alone: refused with its reason, nothing changed */
	EXPECT_EQ(variant->rc,
		  CTL("key", "import-zkey", "--name", name, env->zdir))
	TH_LOG("%s", env->out);
	snprintf(want, sizeof(want), "skipped key '%s': ", name);
	ASSERT_EQ(0, line_of(env->out, want, line, sizeof(line)))
	TH_LOG("%s", env->out);
	EXPECT_NE(NULL, strstr(line, variant->why)) TH_LOG("%s", line);
	EXPECT_NE(NULL, strstr(env->out, ": 0 imported, 1 skipped\n"))
	TH_LOG("%s", env->out);
	EXPECT_NE(NULL, strstr(env->out, "protkeyctl: no key imported from "))
	TH_LOG("%s", env->out);
	ASSERT_EQ(0, pk_snap_take(&rafter, env->repo));
	ASSERT_EQ(0, pk_snap_take(&zafter, env->zdir));
	EXPECT_TRUE(pk_snap_equal(&rbefore, &rafter))
	{
		pk_run(env->out, sizeof(env->out), "ls", "-la", env->repo,
		       NULL);
		TH_LOG("repository changed: %s", env->out);
	}
	EXPECT_TRUE(pk_snap_equal(&zbefore, &zafter));
	pk_snap_free(&rafter);
	pk_snap_free(&zafter);

	/* with the others: they come in, the exit status says "some" */
	EXPECT_EQ(8, CTL("--json", "key", "import-zkey", env->zdir))
	TH_LOG("%s", env->out);
	EXPECT_NE(NULL, strstr(env->out, "\"imported\": false"))
	TH_LOG("%s", env->out);
	EXPECT_NE(NULL, strstr(env->out, variant->why)) TH_LOG("%s", env->out);
	EXPECT_EQ(0, CTL("key", "show", "zk-a")) TH_LOG("%s", env->out);
	if (!variant->name && variant->rc != 5)
		EXPECT_EQ(2, CTL("key", "show", "zk-b")) TH_LOG("%s", env->out);
	ASSERT_EQ(0, pk_snap_take(&zafter, env->zdir));
	EXPECT_TRUE(pk_snap_equal(&zbefore, &zafter));
	pk_snap_free(&rbefore);
	pk_snap_free(&zbefore);
	pk_snap_free(&zafter);
}

TEST_HARNESS_MAIN
