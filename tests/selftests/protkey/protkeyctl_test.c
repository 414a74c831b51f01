// SPDX-License-Identifier: GPL-2.0-only
/*
 * protkeyctl, the key manager, as an administrator runs it: every case
 * forks and execs the installed binary (/usr/sbin/protkeyctl in the guest,
 * $PROTKEYCTL to override) with PROTKEY_REPOSITORY pointing at a fresh
 * directory under /tmp, and checks its exit status, its output and what it
 * did to the repository, the keyring, device-mapper and the emulator.
 *
 * The runner builds protkeyctl for every target and lists it in
 * /protkey/expected-programs: then a missing binary is a failure, never a
 * skip.
 *
 * Runs as root in the test VM with protkey.ko and protkey_emu.ko loaded.
 */
#include <ctype.h>

#include "kselftest_harness.h"

#include "ctl.h"
#include "vol.h"

#define PASS_FILE "/tmp/pkctl.pass"
#define DEV_SIZE (32ULL << 20)
#define DATA_LEN (1ULL << 20)

/* A second master key, for the MK-change cases (hex for "emu mk-load"). */
#define NEW_MK_HEX \
	"a1b2c3d4e5f60718293a4b5c6d7e8f90112233445566778899aabbccddeeff00"

FIXTURE(ctl)
{
	struct pk_nl nl;
	char ctl[256];
	char repo[64];
	struct pk_loop lo;
	char out[PK_OUT_LEN];
};

FIXTURE_SETUP(ctl)
{
	self->lo.fd = -1;
	if (!PK_CTL_SETUP("/tmp/pkctl-repo.XXXXXX"))
		SKIP(return, "no protkeyctl installed");
	ASSERT_EQ(0, pk_write_file(PASS_FILE, "correct horse battery", 21));
}

FIXTURE_TEARDOWN(ctl)
{
	pk_dm_remove("pkctl_vol");
	pk_dm_remove("pkctl_plain");
	if (self->ctl[0])
		pk_run(NULL, 0, self->ctl, "keyring", "unload", "pkctl_plain",
		       NULL);
	if (self->ctl[0])
		pk_run(NULL, 0, self->ctl, "keyring", "unload", "pkctl_vol",
		       NULL);
	pk_loop_teardown(&self->lo);
	unlink(PASS_FILE);
	pk_ctl_teardown(&self->nl, self->repo);
}

static bool is_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strchr("0123456789abcdef", s[i]))
			return false;
	return s[n] == '\0';
}

/* Both halves of key @name per "key validate --json": @data, @tweak. */
#define EXPECT_VALIDATE(name, want_rc, data, tweak)                        \
	do {                                                               \
		char v_[32];                                               \
		EXPECT_EQ(want_rc, CTL("--json", "key", "validate", name)) \
		TH_LOG("%s", self->out);                                   \
		ASSERT_EQ(0, pk_json_get(self->out, "mk-match-data", v_,   \
					 sizeof(v_)));                     \
		EXPECT_STREQ(data, v_);                                    \
		ASSERT_EQ(0, pk_json_get(self->out, "mk-match-tweak", v_,  \
					 sizeof(v_)));                     \
		EXPECT_STREQ(tweak, v_);                                   \
	} while (0)

static bool repo_has(const char *repo, const char *file)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", repo, file);
	return !access(path, F_OK);
}

/*
 * A plain dm-crypt mapping /dev/mapper/pkctl_plain on a new key of that
 * name, keyed through "protkeyctl keyring load" (cheaper than a LUKS2
 * format on s390x under TCG). Its verification pattern in @vp.
 */
static int plain_mapping(FIXTURE_DATA(ctl) * self, char *vp, size_t len)
{
	int ret;

	ret = pk_loop_setup(&self->lo, "pkctl", DEV_SIZE);
	ret = ret ?: CTL("key", "generate", "pkctl_plain");
	ret = ret ?: CTL("--json", "key", "show", "pkctl_plain");
	ret = ret ?: pk_json_get(self->out, "verification-pattern", vp, len);
	ret = ret ?: CTL("keyring", "load", "pkctl_plain");
	ret = ret   ?:
		      pk_dm_create("pkctl_plain", self->lo.dev, DEV_SIZE, 128,
				   NULL, self->out, sizeof(self->out));
	return ret   ?:
		       pk_roundtrip("/dev/mapper/pkctl_plain", DATA_LEN, 3,
				    true);
}

TEST_F_TIMEOUT(ctl, emu_mk_load_and_mk_set_move_the_key_to_old, 120)
{
	EXPECT_EQ(0, CTL("key", "generate", "k1")) TH_LOG("%s", self->out);
	EXPECT_VALIDATE("k1", 0, "current", "current");
	EXPECT_EQ(0, CTL("emu", "mk-load", NEW_MK_HEX)) TH_LOG("%s", self->out);
	/* NEW is loaded, CURRENT is still the key's */
	EXPECT_VALIDATE("k1", 0, "current", "current");
	EXPECT_EQ(0, CTL("emu", "mk-set")) TH_LOG("%s", self->out);
	/* derivable only under OLD: exit 0 with a warning (text mode) */
	EXPECT_VALIDATE("k1", 0, "old", "old");
	EXPECT_EQ(0, CTL("key", "validate", "k1")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "OLD master key"))
	TH_LOG("%s", self->out);
}

TEST_F_TIMEOUT(ctl, key_generate_show_json_has_type_bits_mkvp_and_vp, 120)
{
	char v[128], mkvp[2][32];
	const char *p;

	EXPECT_EQ(0, CTL("key", "generate", "k1", "--description", "t key"))
	TH_LOG("%s", self->out);
	EXPECT_TRUE(repo_has(self->repo, "k1.skey"));
	EXPECT_TRUE(repo_has(self->repo, "k1.info"));
	/* generating it again is refused: exists */
	EXPECT_EQ(5, CTL("key", "generate", "k1")) TH_LOG("%s", self->out);

	ASSERT_EQ(0, CTL("--json", "key", "show", "k1"))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0, pk_json_get(self->out, "name", v, sizeof(v)));
	EXPECT_STREQ("k1", v);
	ASSERT_EQ(0, pk_json_get(self->out, "key-type", v, sizeof(v)));
	EXPECT_STREQ("CCA-AESDATA", v);
	ASSERT_EQ(0, pk_json_get(self->out, "key-bits", v, sizeof(v)));
	EXPECT_STREQ("256", v);
	ASSERT_EQ(0, pk_json_get(self->out, "volume-key-bits", v, sizeof(v)));
	EXPECT_STREQ("1024", v);
	ASSERT_EQ(0, pk_json_get(self->out, "reencipher-staged", v, sizeof(v)));
	EXPECT_STREQ("false", v);
	ASSERT_EQ(0, pk_json_get(self->out, "description", v, sizeof(v)));
	EXPECT_STREQ("t key", v);
	/* protkey.ko is loaded: the verification pattern is recorded */
	ASSERT_EQ(0,
		  pk_json_get(self->out, "verification-pattern", v, sizeof(v)));
	EXPECT_TRUE(is_hex(v, 64)) TH_LOG("vp '%s'", v);
	/* both halves under the same (CURRENT) master key */
	p = strstr(self->out, "\"mkvp\"");
	ASSERT_NE(NULL, p);
	ASSERT_EQ(2, sscanf(p, "\"mkvp\" : [ \"%31[0-9a-f]\" , \"%31[0-9a-f]\"",
			    mkvp[0], mkvp[1]))
	TH_LOG("%s", p);
	EXPECT_TRUE(is_hex(mkvp[0], 16));
	EXPECT_STREQ(mkvp[0], mkvp[1]);
	EXPECT_STRNE("0000000000000000", mkvp[0]);

	EXPECT_VALIDATE("k1", 0, "current", "current");
	EXPECT_EQ(2, CTL("key", "show", "nokey")) TH_LOG("%s", self->out);
}

TEST_F_TIMEOUT(ctl, volume_format_open_status_close_data_reads_back, 120)
{
	char v[64];
	uint8_t *raw;

	ASSERT_EQ(0, pk_loop_setup(&self->lo, "pkctl", DEV_SIZE));
	ASSERT_EQ(0, CTL("key", "generate", "vk")) TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("volume", "format", self->lo.dev, "--key", "vk",
			 "--key-file", PASS_FILE))
	TH_LOG("%s", self->out);
	/* a second format of a LUKS device is refused without --force */
	EXPECT_EQ(5, CTL("volume", "format", self->lo.dev, "--key", "vk",
			 "--key-file", PASS_FILE))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("volume", "open", self->lo.dev, "pkctl_vol",
			 "--key-file", PASS_FILE))
	TH_LOG("%s", self->out);
	ASSERT_TRUE(pk_dm_exists("pkctl_vol"));

	ASSERT_EQ(0, CTL("--json", "volume", "status", "pkctl_vol"))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0, pk_json_get(self->out, "cipher", v, sizeof(v)));
	EXPECT_STREQ("paes-xts-plain64", v);
	ASSERT_EQ(0, pk_json_get(self->out, "device", v, sizeof(v)));
	EXPECT_STREQ(self->lo.dev, v);

	ASSERT_EQ(0, pk_roundtrip("/dev/mapper/pkctl_vol", DATA_LEN, 7, true));
	/* what reached the disk is not the plain data */
	raw = malloc(DATA_LEN);
	ASSERT_NE(NULL, raw);
	ASSERT_EQ(0, pk_loop_read_raw(&self->lo, 16 << 20, raw, 4096));
	{
		uint8_t plain[4096];

		pk_fill(plain, sizeof(plain), 0, 7);
		EXPECT_NE(0, memcmp(plain, raw, sizeof(plain)));
	}
	free(raw);

	EXPECT_EQ(0, CTL("volume", "close", "pkctl_vol"))
	TH_LOG("%s", self->out);
	EXPECT_FALSE(pk_dm_exists("pkctl_vol"));
	EXPECT_EQ(2, CTL("volume", "status", "pkctl_vol"))
	TH_LOG("%s", self->out);
	/* reopened, the data is still there */
	ASSERT_EQ(0, CTL("volume", "open", self->lo.dev, "pkctl_vol",
			 "--key-file", PASS_FILE))
	TH_LOG("%s", self->out);
	EXPECT_EQ(0, pk_roundtrip("/dev/mapper/pkctl_vol", DATA_LEN, 7, false));
	EXPECT_EQ(0, CTL("volume", "close", "pkctl_vol"))
	TH_LOG("%s", self->out);
}

/* An ext4 superblock (magic, 1024 blocks, extents) at 1024 on @lo. */
static int put_ext4_signature(struct pk_loop *lo)
{
	uint8_t b[4096] = { 0 };

	b[1024 + 0x05] = 0x04;
	b[1024 + 0x38] = 0x53;
	b[1024 + 0x39] = 0xef;
	b[1024 + 0x60] = 0x40;
	if (pwrite(lo->fd, b, sizeof(b), 0) != (ssize_t)sizeof(b))
		return -EIO;
	return fsync(lo->fd) ? -errno : 0;
}

/* The data segment's sector size in "cryptsetup luksDump", or -1. */
static long dump_sector(FIXTURE_DATA(ctl) * self)
{
	const char *p;

	if (pk_run(self->out, sizeof(self->out), "cryptsetup", "luksDump",
		   self->lo.dev, NULL))
		return -1;
	p = strstr(self->out, "Data segments:");
	p = p ? strstr(p, "sector:") : NULL;
	return p ? strtol(p + 7, NULL, 10) : -1;
}

/* "key show --json": the key's sector-size property into @v. */
#define EXPECT_KEY_SECTOR(name, want)                                  \
	do {                                                           \
		char v_[16];                                           \
		ASSERT_EQ(0, CTL("--json", "key", "show", name));      \
		ASSERT_EQ(0, pk_json_get(self->out, "sector-size", v_, \
					 sizeof(v_)));                 \
		EXPECT_STREQ(want, v_);                                \
	} while (0)

/*
 * volume list: the LUKS2 volume libblkid finds, matched to its key by the
 * verification pattern of its header's token, with the mapping that holds
 * it open and the key's master-key state; a plain key's recorded volume.
 */
TEST_F_TIMEOUT(ctl, volume_list_finds_the_volume_its_key_and_mapping, 180)
{
	char v[64];
	const char *p;

	ASSERT_EQ(0, pk_loop_setup(&self->lo, "pkctl", DEV_SIZE));
	ASSERT_EQ(0, CTL("key", "generate", "vk")) TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("key", "generate", "pk", "--volume-type", "plain",
			 "--volumes", "/dev/pk-no-such-plain:px"))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("volume", "format", self->lo.dev, "--key", "vk",
			 "--key-file", PASS_FILE))
	TH_LOG("%s", self->out);

	ASSERT_EQ(0, CTL("volume", "list", "--json")) TH_LOG("%s", self->out);
	p = strstr(self->out, self->lo.dev);
	ASSERT_NE(NULL, p) TH_LOG("%s", self->out);
	ASSERT_EQ(0, pk_json_get(p, "type", v, sizeof(v)));
	EXPECT_STREQ("luks2", v);
	ASSERT_EQ(0, pk_json_get(p, "mapping", v, sizeof(v)));
	EXPECT_STREQ("null", v);
	ASSERT_EQ(0, pk_json_get(p, "key", v, sizeof(v)));
	EXPECT_STREQ("vk", v);
	ASSERT_EQ(0, pk_json_get(p, "mk-match-data", v, sizeof(v)));
	EXPECT_STREQ("current", v);
	p = strstr(self->out, "\"/dev/pk-no-such-plain\"");
	ASSERT_NE(NULL, p) TH_LOG("%s", self->out);
	ASSERT_EQ(0, pk_json_get(p, "type", v, sizeof(v)));
	EXPECT_STREQ("plain", v);
	ASSERT_EQ(0, pk_json_get(p, "key", v, sizeof(v)));
	EXPECT_STREQ("pk", v);

	/* open, and under the OLD master key after a change */
	ASSERT_EQ(0, CTL("volume", "open", self->lo.dev, "pkctl_vol",
			 "--key-file", PASS_FILE))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("emu", "mk-load", NEW_MK_HEX)) TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("emu", "mk-set")) TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("volume", "list", self->lo.dev))
	TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "pkctl_vol")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, " vk ")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, " old old\n"))
	TH_LOG("%s", self->out);
	/* the device given only: pk's plain volume is not it */
	EXPECT_NE(NULL, strstr(self->out, "\n1 volumes\n"))
	TH_LOG("%s", self->out);
	EXPECT_EQ(1, CTL("volume", "list", "--nosuch")) TH_LOG("%s", self->out);
	EXPECT_EQ(0, CTL("volume", "close", "pkctl_vol"))
	TH_LOG("%s", self->out);
}

/*
 * format refuses a device with a signature unless --force, writing
 * nothing; 4096-byte sectors by default, else the key's, else
 * --sector-size, recorded in the key.
 */
TEST_F_TIMEOUT(ctl, volume_format_refuses_a_signature_and_defaults_to_4096, 180)
{
	struct pk_snap before, after;
	uint8_t raw[4096];
	char v[32];

	ASSERT_EQ(0, pk_loop_setup(&self->lo, "pkctl", DEV_SIZE));
	ASSERT_EQ(0, CTL("key", "generate", "vk")) TH_LOG("%s", self->out);
	ASSERT_EQ(0, put_ext4_signature(&self->lo));
	ASSERT_EQ(0, pk_snap_take(&before, self->repo));
	EXPECT_EQ(5, CTL("volume", "format", self->lo.dev, "--key", "vk",
			 "--key-file", PASS_FILE))
	TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "has a ext4 signature: use --force"))
	TH_LOG("%s", self->out);
	/* nothing written: the superblock is there, no LUKS header */
	ASSERT_EQ(0, pk_loop_read_raw(&self->lo, 0, raw, sizeof(raw)));
	EXPECT_EQ(0x53, raw[1024 + 0x38]);
	EXPECT_EQ(0xef, raw[1024 + 0x39]);
	EXPECT_NE(0, memcmp(raw, "LUKS\xba\xbe", 6));
	EXPECT_NE(0,
		  pk_run(NULL, 0, "cryptsetup", "isLuks", self->lo.dev, NULL));
	ASSERT_EQ(0, pk_snap_take(&after, self->repo));
	EXPECT_TRUE(pk_snap_equal(&before, &after));
	pk_snap_free(&before);
	pk_snap_free(&after);

	/* --force: formatted, 4096-byte sectors, recorded in the key */
	ASSERT_EQ(0, CTL("volume", "format", self->lo.dev, "--key", "vk",
			 "--key-file", PASS_FILE, "--force"))
	TH_LOG("%s", self->out);
	EXPECT_EQ(0,
		  pk_run(NULL, 0, "cryptsetup", "isLuks", self->lo.dev, NULL));
	EXPECT_EQ(4096, dump_sector(self)) TH_LOG("%s", self->out);
	EXPECT_KEY_SECTOR("vk", "4096");
	ASSERT_EQ(0, CTL("volume", "open", self->lo.dev, "pkctl_vol",
			 "--key-file", PASS_FILE))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("--json", "volume", "status", "pkctl_vol"));
	ASSERT_EQ(0, pk_json_get(self->out, "sector-size", v, sizeof(v)));
	EXPECT_STREQ("4096", v);
	EXPECT_EQ(0, pk_roundtrip("/dev/mapper/pkctl_vol", DATA_LEN, 5, true));
	ASSERT_EQ(0, CTL("volume", "close", "pkctl_vol"));

	/* the key's sector-size when set; --sector-size over it */
	ASSERT_EQ(0, CTL("key", "generate", "k512", "--sector-size", "512"))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("volume", "format", self->lo.dev, "--key", "k512",
			 "--key-file", PASS_FILE, "--force", "-q"))
	TH_LOG("%s", self->out);
	EXPECT_EQ(512, dump_sector(self)) TH_LOG("%s", self->out);
	EXPECT_KEY_SECTOR("k512", "512");
	ASSERT_EQ(0, CTL("volume", "format", self->lo.dev, "--key", "k512",
			 "--key-file", PASS_FILE, "--force", "--batch",
			 "--sector-size", "1024"))
	TH_LOG("%s", self->out);
	EXPECT_EQ(1024, dump_sector(self)) TH_LOG("%s", self->out);
	EXPECT_KEY_SECTOR("k512", "1024");
}

TEST_F_TIMEOUT(ctl, keyring_load_feeds_a_plain_dmsetup_mapping, 120)
{
	ASSERT_EQ(0, pk_loop_setup(&self->lo, "pkctl", DEV_SIZE));
	ASSERT_EQ(0, CTL("key", "generate", "pkctl_plain"))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("keyring", "load", "pkctl_plain"))
	TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, ":128:logon:protkey:pkctl_plain"))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0, pk_dm_create("pkctl_plain", self->lo.dev, DEV_SIZE, 128,
				  NULL, self->out, sizeof(self->out)))
	TH_LOG("dmsetup: %s", self->out);
	EXPECT_EQ(0,
		  pk_roundtrip("/dev/mapper/pkctl_plain", DATA_LEN, 11, true));
	pk_dm_remove("pkctl_plain");
	EXPECT_EQ(0, CTL("keyring", "unload", "pkctl_plain"))
	TH_LOG("%s", self->out);
	/* without the logon key, dm-crypt cannot build the mapping */
	EXPECT_NE(0, pk_dm_create("pkctl_plain", self->lo.dev, DEV_SIZE, 128,
				  NULL, self->out, sizeof(self->out)));
}

TEST_F_TIMEOUT(ctl, reencipher_staged_under_new_mk_then_complete_is_current,
	       120)
{
	char before[256], after[256];

	ASSERT_EQ(0, CTL("key", "generate", "rk")) TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("key", "export", "rk", "/tmp/pkctl-rk.before"));
	/* no NEW master key yet: staging fails on the platform, no .renc */
	EXPECT_NE(0, CTL("key", "reencipher", "rk", "--staged"))
	TH_LOG("%s", self->out);
	EXPECT_FALSE(repo_has(self->repo, "rk.renc"));

	ASSERT_EQ(0, CTL("emu", "mk-load", NEW_MK_HEX)) TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("key", "reencipher", "rk", "--staged"))
	TH_LOG("%s", self->out);
	EXPECT_TRUE(repo_has(self->repo, "rk.renc"));
	ASSERT_EQ(0, CTL("--json", "key", "show", "rk"))
	TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "\"reencipher-staged\": true"))
	TH_LOG("%s", self->out);
	/* staged twice is refused */
	EXPECT_EQ(5, CTL("key", "reencipher", "rk", "--staged"))
	TH_LOG("%s", self->out);

	ASSERT_EQ(0, CTL("emu", "mk-set")) TH_LOG("%s", self->out);
	EXPECT_VALIDATE("rk", 0, "old", "old");
	ASSERT_EQ(0, CTL("key", "reencipher", "rk", "--complete"))
	TH_LOG("%s", self->out);
	EXPECT_FALSE(repo_has(self->repo, "rk.renc"));
	EXPECT_VALIDATE("rk", 0, "current", "current");

	/* a new secure key, the same clear key: same verification pattern */
	ASSERT_EQ(0, CTL("key", "export", "rk", "/tmp/pkctl-rk.after"));
	EXPECT_EQ(0, pk_read_file("/tmp/pkctl-rk.before", before, 129));
	EXPECT_EQ(0, pk_read_file("/tmp/pkctl-rk.after", after, 129));
	EXPECT_NE(0, memcmp(before, after, 128));
	unlink("/tmp/pkctl-rk.before");
	unlink("/tmp/pkctl-rk.after");
}

TEST_F_TIMEOUT(ctl, malformed_repository_files_exit_3_and_change_nothing, 120)
{
	char path[128];
	uint64_t fp;
	const char *nl;

	ASSERT_EQ(0, CTL("key", "generate", "good")) TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("key", "generate", "bad")) TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("key", "generate", "short")) TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("emu", "mk-load", NEW_MK_HEX)) TH_LOG("%s", self->out);

	snprintf(path, sizeof(path), "%s/bad.info", self->repo);
	ASSERT_EQ(0, pk_write_file(path, "this is not\nan info file\n", 25));
	snprintf(path, sizeof(path), "%s/short.skey", self->repo);
	ASSERT_EQ(0, truncate(path, 100));
	fp = pk_repo_fingerprint(self->repo);

	EXPECT_EQ(3, CTL("key", "show", "bad")) TH_LOG("%s", self->out);
	/* one clear line that names the file */
	EXPECT_EQ(0, strncmp(self->out, "protkeyctl: ", 12))
	TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "bad.info")) TH_LOG("%s", self->out);
	nl = strchr(self->out, '\n');
	EXPECT_TRUE(nl && !nl[1]) TH_LOG("%s", self->out);

	EXPECT_EQ(3, CTL("key", "reencipher", "bad", "--staged"))
	TH_LOG("%s", self->out);
	EXPECT_EQ(3, CTL("keyring", "load", "bad")) TH_LOG("%s", self->out);
	EXPECT_EQ(3, CTL("key", "show", "short")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "short.skey"))
	TH_LOG("%s", self->out);
	EXPECT_EQ(3, CTL("key", "reencipher", "short", "--staged"))
	TH_LOG("%s", self->out);
	EXPECT_EQ(fp, pk_repo_fingerprint(self->repo));
	EXPECT_FALSE(repo_has(self->repo, "bad.renc"));
	EXPECT_FALSE(repo_has(self->repo, "short.renc"));
	/* the good key next to them still works */
	EXPECT_EQ(0, CTL("key", "show", "good")) TH_LOG("%s", self->out);
}

TEST_F_TIMEOUT(ctl, keyring_list_shows_the_live_protkey_object_of_a_mapping,
	       120)
{
	char vp[80], state[32], proc[8192], v[80];
	char serial[16];
	const char *p;

	ASSERT_EQ(0, plain_mapping(self, vp, sizeof(vp)))
	TH_LOG("%s", self->out);

	ASSERT_EQ(0, CTL("keyring", "list")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, vp))
	TH_LOG("the open volume's key (vp %s) is not listed: %s", vp,
	       self->out);
	EXPECT_NE(NULL, strstr(self->out, "state: "));

	ASSERT_EQ(0, CTL("--json", "keyring", "list")) TH_LOG("%s", self->out);
	/* the entry of our key, by its verification pattern */
	p = strstr(self->out, vp);
	ASSERT_NE(NULL, p) TH_LOG("%s", self->out);
	while (p > self->out && *p != '{')
		p--;
	ASSERT_EQ(0, pk_json_get(p, "state", state, sizeof(state)));
	EXPECT_STREQ("valid", state);
	ASSERT_EQ(0, pk_json_get(p, "mk-match-data", v, sizeof(v)));
	EXPECT_STREQ("current", v);
	ASSERT_EQ(0, pk_json_get(p, "mk-match-tweak", v, sizeof(v)));
	EXPECT_STREQ("current", v);
	/* numbers as numbers: "users": 1, not "1" */
	ASSERT_NE(NULL, strstr(p, "\"users\": ")) TH_LOG("%s", p);
	EXPECT_TRUE(isdigit(strstr(p, "\"users\": ")[9])) TH_LOG("%s", p);
	ASSERT_EQ(0, pk_json_get(p, "serial", serial, sizeof(serial)));
	/* and it is the key /proc/keys shows as type protkey */
	ASSERT_EQ(0, pk_read_file("/proc/keys", proc, sizeof(proc)));
	snprintf(v, sizeof(v), "%08lx ", strtol(serial, NULL, 10));
	p = strstr(proc, v);
	ASSERT_NE(NULL, p)
	TH_LOG("serial %s not in /proc/keys: %s", serial, proc);
	EXPECT_NE(NULL, strstr(p, " protkey ")) TH_LOG("%.200s", p);
	/* the description is the key's, without /proc/keys' state suffix */
	ASSERT_EQ(0, pk_json_get(self->out, "description", v, sizeof(v)));
	EXPECT_EQ(NULL, strchr(v, ':')) TH_LOG("description '%s'", v);
}

/* Waits up to @ms for @needle in the file @path. */
static bool wait_for_text(const char *path, const char *needle, int ms,
			  char *buf, size_t len)
{
	long long end = pk_now_ms() + ms;

	do {
		if (!pk_read_file(path, buf, len) && strstr(buf, needle))
			return true;
		usleep(50 * 1000);
	} while (pk_now_ms() < end);
	return false;
}

/*
 * The monitor's pre-warm: after a migration, I/O on one mapping only; the
 * key of the other mapping is re-derived too, with no I/O of its own.
 */
TEST_F_TIMEOUT(ctl, monitor_prewarms_a_key_that_saw_no_io, 120)
{
	char *argv[] = { self->ctl, "monitor", "--timeout", "30", NULL };
	const char *log = "/tmp/pkctl-prewarm.out";
	char vp[80], vp2[80], line[PK_OUT_LEN], want[24];
	pid_t pid;

	ASSERT_EQ(0, plain_mapping(self, vp, sizeof(vp)))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("key", "generate", "pkctl_vol"))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("--json", "key", "show", "pkctl_vol"));
	ASSERT_EQ(0, pk_json_get(self->out, "verification-pattern", vp2,
				 sizeof(vp2)));
	ASSERT_EQ(0, CTL("keyring", "load", "pkctl_vol"))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0, pk_dm_create("pkctl_vol", self->lo.dev, DEV_SIZE, 128,
				  NULL, self->out, sizeof(self->out)))
	TH_LOG("%s", self->out);

	pid = pk_spawn(argv, log, false);
	ASSERT_LT(0, pid);
	EXPECT_TRUE(wait_for_text(log, "listening", 10000, line, sizeof(line)))
	TH_LOG("monitor did not start: %s", line);
	EXPECT_EQ(0, CTL("emu", "migrate")) TH_LOG("%s", self->out);
	EXPECT_EQ(0,
		  pk_roundtrip("/dev/mapper/pkctl_plain", DATA_LEN, 3, false));
	/* wk-changed carries no vp: only the second key's own event does */
	snprintf(want, sizeof(want), "vp %.16s", vp2);
	EXPECT_TRUE(wait_for_text(log, want, 15000, line, sizeof(line)))
	TH_LOG("no key-rederived event for %s: %s", want, line);
	{
		const char *at = strstr(line, want), *bol = at;

		while (bol && bol > line && bol[-1] != '\n')
			bol--;
		EXPECT_TRUE(bol && !strncmp(bol, "key-rederived ", 14))
		TH_LOG("%s", line);
	}
	kill(pid, SIGTERM);
	pk_wait(pid, false);
	unlink(log);
	pk_dm_remove("pkctl_vol");
	CTL("keyring", "unload", "pkctl_vol");
}

TEST_F_TIMEOUT(ctl, monitor_json_reports_wk_change_and_rederive_across_migrate,
	       120)
{
	char *argv[] = {
		self->ctl, "--json", "monitor", "--timeout", "20", NULL
	};
	const char *log = "/tmp/pkctl-monitor.out";
	char vp[80], line[PK_OUT_LEN], v[32];
	const char *p;
	pid_t pid;

	ASSERT_EQ(0, plain_mapping(self, vp, sizeof(vp)))
	TH_LOG("%s", self->out);

	pid = pk_spawn(argv, log, false);
	ASSERT_LT(0, pid);
	EXPECT_TRUE(wait_for_text(log, "listening", 10000, line, sizeof(line)))
	TH_LOG("monitor did not start: %s", line);
	EXPECT_EQ(0, CTL("--json", "emu", "migrate", "--outage", "200"))
	TH_LOG("%s", self->out);
	/* I/O across the migration still works */
	EXPECT_EQ(0,
		  pk_roundtrip("/dev/mapper/pkctl_plain", DATA_LEN, 3, false));
	EXPECT_TRUE(wait_for_text(log, "\"key-rederived\"", 15000, line,
				  sizeof(line)))
	TH_LOG("no key-rederived event: %s", line);
	EXPECT_EQ(0, pk_wait(pid, false));
	pk_read_file(log, line, sizeof(line));
	unlink(log);

	/* one JSON object per line */
	p = strstr(line, "{\"event\":\"wk-changed\"");
	ASSERT_NE(NULL, p) TH_LOG("%s", line);
	EXPECT_NE(NULL, strstr(p, "\"version\":1}\n")) TH_LOG("%s", line);
	ASSERT_EQ(0, pk_json_get(p, "wk-gen", v, sizeof(v)));
	EXPECT_LT(0, atoll(v));
	p = strstr(line, "{\"event\":\"key-rederived\"");
	ASSERT_NE(NULL, p) TH_LOG("%s", line);
	EXPECT_EQ(NULL, memchr(p, '\n', strstr(p, "}") - p));
	ASSERT_EQ(0, pk_json_get(p, "vp", v, sizeof(v)));
	EXPECT_EQ(0, strncmp(vp, v, 16)) TH_LOG("vp %s, event %s", vp, v);
	ASSERT_EQ(0, pk_json_get(p, "latency-us", v, sizeof(v)));
	EXPECT_TRUE(v[0] >= '0' && v[0] <= '9') TH_LOG("latency-us '%s'", v);
}

/*
 * monitor --hook: a master-key change, then a migration; the key's next
 * derive finds its halves only under OLD, and the hook runs with the
 * event in its environment and none of the monitor's netlink sockets.
 * SIGTERM then ends the monitor cleanly (exit 0).
 */
TEST_F_TIMEOUT(ctl, monitor_hook_runs_on_needs_reencipher_with_its_env, 150)
{
	char *argv[] = { self->ctl,
			 "monitor",
			 "--timeout",
			 "60",
			 "--hook",
			 "{ env; for f in /proc/$$/fd/*; do "
			 "echo \"fd $(readlink $f)\"; done; } "
			 ">/tmp/pkctl-hook.tmp && "
			 "mv /tmp/pkctl-hook.tmp /tmp/pkctl-hook.env",
			 NULL };
	const char *log = "/tmp/pkctl-hook-mon.out";
	char vp[80], line[PK_OUT_LEN], env[PK_OUT_LEN], want[128];
	bool ran;
	pid_t pid;

	unlink("/tmp/pkctl-hook.env");
	ASSERT_EQ(0, plain_mapping(self, vp, sizeof(vp)))
	TH_LOG("%s", self->out);
	pid = pk_spawn(argv, log, false);
	ASSERT_LT(0, pid);
	EXPECT_TRUE(wait_for_text(log, "listening", 10000, line, sizeof(line)))
	TH_LOG("monitor did not start: %s", line);
	ASSERT_EQ(0, CTL("emu", "mk-load", NEW_MK_HEX)) TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("emu", "mk-set")) TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("emu", "migrate")) TH_LOG("%s", self->out);
	EXPECT_EQ(0,
		  pk_roundtrip("/dev/mapper/pkctl_plain", DATA_LEN, 3, false));
	ran = wait_for_text("/tmp/pkctl-hook.env", "PROTKEY_EVENT=", 20000, env,
			    sizeof(env));
	pk_read_file(log, line, sizeof(line));
	EXPECT_TRUE(ran) TH_LOG("the hook did not run; monitor: %s", line);
	EXPECT_NE(NULL, strstr(env, "PROTKEY_EVENT=key-needs-reencipher\n"))
	TH_LOG("%s", env);
	snprintf(want, sizeof(want), "PROTKEY_VP=%s\n", vp);
	EXPECT_NE(NULL, strstr(env, want)) TH_LOG("%s not in %s", want, env);
	EXPECT_NE(NULL, strstr(env, "PROTKEY_MATCH_DATA=old\n"))
	TH_LOG("%s", env);
	EXPECT_NE(NULL, strstr(env, "PROTKEY_MATCH_TWEAK=old\n"))
	TH_LOG("%s", env);
	EXPECT_NE(NULL, strstr(env, "PROTKEY_SERIAL=")) TH_LOG("%s", env);
	EXPECT_NE(NULL, strstr(env, "PROTKEY_MKVP_DATA=")) TH_LOG("%s", env);
	/* no netlink (or any) socket of the monitor's in the hook */
	EXPECT_EQ(NULL, strstr(env, "socket:")) TH_LOG("%s", env);
	EXPECT_TRUE(wait_for_text(log, "key-needs-reencipher", 5000, line,
				  sizeof(line)))
	TH_LOG("%s", line);
	kill(pid, SIGTERM);
	EXPECT_EQ(0, pk_wait(pid, false));
	unlink(log);
	unlink("/tmp/pkctl-hook.env");
}

TEST_HARNESS_MAIN
