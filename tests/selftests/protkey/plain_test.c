// SPDX-License-Identifier: GPL-2.0-only
/*
 * protkeyctl's plain (headerless) dm-crypt mappings: "volume open DEV NAME
 * --plain --key KEY", "volume status", "volume close". The key is made by
 * the emulator from a clear XTS key the test picks and imported into a
 * fresh repository, so what reaches the disk is checked against plain
 * AES-XTS with that clear key (AF_ALG "xts(aes)", dm-crypt's plain64 IV)
 * for 512- and 4096-byte sectors. Every refusal is checked to leave no
 * mapping, no logon key and an unchanged repository. A key whose master
 * key is in no adapter's register is refused at once; an outage is waited
 * out for rekey_timeout_ms before the kernel refuses the table. The logon
 * key lives in protkeyctl's thread keyring for the table load only, so
 * the open works from a session keyring that does not reach the user
 * keyring (a systemd service's), and none is left behind. The line of
 * protkeyctl crypttab is attached by Debian's systemd-cryptsetup, and the
 * command of protkeyctl cryptsetup run by cryptsetup, each mapping the
 * data written through protkeyctl's mapping.
 *
 * Runs as root in the test VM with protkey.ko and protkey_emu.ko loaded,
 * with the installed protkeyctl (/usr/sbin/protkeyctl, $PROTKEYCTL to
 * override); when the runner built it, a missing binary is a failure.
 */
#include <limits.h>

#include "kselftest_harness.h"

#include "ctl.h"
#include "vol.h"

#define PASS_FILE "/tmp/pkplain.pass"
#define BLOB_FILE "/tmp/pkplain.skey"
#define KEY "pkplain_key"
#define MAP "pkplain_vol"
#define MAP2 "pkplain_vol2"
#define DEV_SIZE (16ULL << 20)
#define DATA_LEN (256ULL << 10)
#define DATA_OFF (1ULL << 20)
#define PARAM_TIMEOUT "/sys/module/protkey/parameters/rekey_timeout_ms"
#define SD_CRYPTSETUP "/usr/lib/systemd/systemd-cryptsetup"

/* Two master keys the emulator moves through to strand a key. */
#define MK1_HEX \
	"a1b2c3d4e5f60718293a4b5c6d7e8f90112233445566778899aabbccddeeff00"
#define MK2_HEX \
	"0f1e2d3c4b5a69788796a5b4c3d2e1f000112233445566778899aabbccddeeff"

FIXTURE(plain)
{
	struct pk_nl nl;
	char ctl[256];
	char repo[64];
	struct pk_vol v;
	struct pk_loop lo2;
	char timeout_saved[32];
	char out[PK_OUT_LEN];
};

FIXTURE_VARIANT(plain)
{
	unsigned int sector_size;
	const char *arg;
};

FIXTURE_VARIANT_ADD(plain, sector_512){
	.sector_size = 512,
	.arg = "512",
};

FIXTURE_VARIANT_ADD(plain, sector_4096){
	.sector_size = 4096,
	.arg = "4096",
};

/* Whether logon key "protkey:<name>" is reachable from this process. */
static bool logon_present(const char *name)
{
	char desc[96];

	snprintf(desc, sizeof(desc), "protkey:%s", name);
	return syscall(SYS_keyctl, KEYCTL_SEARCH, KEY_SPEC_USER_KEYRING,
		       "logon", desc, 0) >= 0;
}

static void logon_drop(const char *name)
{
	char desc[96];
	long id;

	snprintf(desc, sizeof(desc), "protkey:%s", name);
	id = syscall(SYS_keyctl, KEYCTL_SEARCH, KEY_SPEC_USER_KEYRING, "logon",
		     desc, 0);
	if (id >= 0)
		syscall(SYS_keyctl, KEYCTL_UNLINK, id, KEY_SPEC_USER_KEYRING);
}

FIXTURE_SETUP(plain)
{
	self->v.lo.fd = -1;
	self->lo2.fd = -1;
	self->timeout_saved[0] = '\0';
	if (!PK_CTL_SETUP("/tmp/pkplain-repo.XXXXXX"))
		SKIP(return, "no protkeyctl installed");
	pk_dm_remove(MAP);
	pk_dm_remove(MAP2);
	logon_drop(KEY);
	ASSERT_EQ(0, pk_write_file(PASS_FILE, "correct horse battery", 21));

	/* the repository key of a clear key the test knows */
	snprintf(self->v.name, sizeof(self->v.name), "%s", MAP);
	snprintf(self->v.path, sizeof(self->v.path), "/dev/mapper/%s", MAP);
	pk_vol_pick_key(&self->v, variant->sector_size);
	ASSERT_EQ(0,
		  pke_make_xts_blob(&self->nl, self->v.xts_key, self->v.blob));
	ASSERT_EQ(0,
		  pk_write_file(BLOB_FILE, self->v.blob, sizeof(self->v.blob)));
	ASSERT_EQ(0, pk_run(self->out, sizeof(self->out), self->ctl, "key",
			    "import", BLOB_FILE, KEY, NULL))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0, pk_loop_setup(&self->v.lo, "pkplain", DEV_SIZE));
}

FIXTURE_TEARDOWN(plain)
{
	pk_dm_remove(MAP);
	pk_dm_remove(MAP2);
	logon_drop(KEY);
	pk_loop_teardown(&self->v.lo);
	pk_loop_teardown(&self->lo2);
	unlink(PASS_FILE);
	unlink(BLOB_FILE);
	if (self->timeout_saved[0])
		pk_write_file(PARAM_TIMEOUT, self->timeout_saved,
			      strlen(self->timeout_saved));
	pk_ctl_teardown(&self->nl, self->repo);
}

/* protkey.ko's rekey_timeout_ms, restored by the teardown. */
static int set_timeout(FIXTURE_DATA(plain) * self, unsigned int ms)
{
	char buf[16];
	int ret = 0;

	if (!self->timeout_saved[0])
		ret = pk_read_file(PARAM_TIMEOUT, self->timeout_saved,
				   sizeof(self->timeout_saved));
	snprintf(buf, sizeof(buf), "%u", ms);
	return ret ?: pk_write_file(PARAM_TIMEOUT, buf, strlen(buf));
}

/* "volume open DEV MAP --plain --key KEY --sector-size N". */
#define OPEN_PLAIN(dev, map, key)                                \
	CTL("volume", "open", dev, map, "--plain", "--key", key, \
	    "--sector-size", variant->arg)

/* Writes DATA_LEN bytes of @seed at DATA_OFF through the mapping. */
static int write_data(const char *path, uint32_t seed)
{
	uint8_t *w = pk_alloc_io(DATA_LEN);
	int ret;

	if (!w)
		return -ENOMEM;
	pk_fill(w, DATA_LEN, DATA_OFF, seed);
	ret = pk_dio(path, true, w, DATA_LEN, DATA_OFF);
	free(w);
	return ret;
}

/* Reads DATA_LEN bytes at DATA_OFF back; 0 when they are @seed's. */
static int read_data(const char *path, uint32_t seed)
{
	uint8_t *r = pk_alloc_io(DATA_LEN), *w = malloc(DATA_LEN);
	int ret = r && w ? 0 : -ENOMEM;

	if (!ret) {
		pk_fill(w, DATA_LEN, DATA_OFF, seed);
		ret = pk_dio(path, false, r, DATA_LEN, DATA_OFF);
	}
	if (!ret && memcmp(r, w, DATA_LEN))
		ret = -EILSEQ;
	free(r);
	free(w);
	return ret;
}

/* The raw device holds the AES-XTS encryption of @seed's data. */
static long long check_oracle(struct pk_vol *v, uint32_t seed,
			      unsigned int unit)
{
	uint8_t *plain = malloc(DATA_LEN);
	long long ret;

	if (!plain)
		return -ENOMEM;
	pk_fill(plain, DATA_LEN, DATA_OFF, seed);
	ret = pk_vol_check_oracle(v, 0, DATA_OFF, plain, DATA_LEN, unit, false);
	free(plain);
	return ret;
}

/* KEY.info's text into @buf. */
static int read_info(const char *repo, char *buf, size_t len)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/" KEY ".info", repo);
	return pk_read_file(path, buf, len);
}

TEST_F_TIMEOUT(plain, open_matches_xts_oracle_close_reopen_reads_back, 180)
{
	char want[128], info[4096];

	ASSERT_FALSE(logon_present(KEY));
	ASSERT_EQ(0, OPEN_PLAIN(self->v.lo.dev, MAP, KEY))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0, access(self->v.path, F_OK))
	TH_LOG("%s does not exist when open returns", self->v.path);
	/* the thread keyring held it for the table load only */
	EXPECT_FALSE(logon_present(KEY));

	ASSERT_EQ(0, write_data(self->v.path, 21));
	EXPECT_EQ(0, check_oracle(&self->v, 21, variant->sector_size))
	TH_LOG("raw device differs from xts(aes) with the clear key (%u-byte sectors)",
	       variant->sector_size);
	/* the oracle can fail: another sector size gives other bytes */
	EXPECT_NE(0, check_oracle(&self->v, 21,
				  variant->sector_size == 512 ? 4096 : 512));
	/* the key knows its volume, zkey's syntax, and that it is plain */
	ASSERT_EQ(0, read_info(self->repo, info, sizeof(info)));
	snprintf(want, sizeof(want), "volumes=%s:%s\n", self->v.lo.dev, MAP);
	EXPECT_NE(NULL, strstr(info, want)) TH_LOG("%s", info);
	EXPECT_NE(NULL, strstr(info, "volume-type=plain\n")) TH_LOG("%s", info);
	snprintf(want, sizeof(want), "sector-size=%s\n", variant->arg);
	EXPECT_NE(NULL, strstr(info, want)) TH_LOG("%s", info);
	snprintf(want, sizeof(want), "volumes=%s:%s\n", self->v.lo.dev, MAP);

	EXPECT_EQ(0, CTL("volume", "close", MAP)) TH_LOG("%s", self->out);
	EXPECT_FALSE(pk_dm_exists(MAP));
	EXPECT_EQ(2, CTL("volume", "close", MAP)) TH_LOG("%s", self->out);
	EXPECT_EQ(2, CTL("volume", "status", MAP)) TH_LOG("%s", self->out);

	/* reopened, the data reads back */
	ASSERT_EQ(0, OPEN_PLAIN(self->v.lo.dev, MAP, KEY))
	TH_LOG("%s", self->out);
	EXPECT_EQ(0, read_data(self->v.path, 21));
	/* a second open records the volume once */
	ASSERT_EQ(0, read_info(self->repo, info, sizeof(info)));
	ASSERT_NE(NULL, strstr(info, want)) TH_LOG("%s", info);
	EXPECT_EQ(NULL,
		  strstr(strstr(info, want) + strlen(want), self->v.lo.dev))
	TH_LOG("%s", info);
	EXPECT_EQ(0, CTL("--json", "volume", "close", MAP))
	TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "\"closed\": true"))
	TH_LOG("%s", self->out);
	EXPECT_FALSE(pk_dm_exists(MAP));
}

TEST_F_TIMEOUT(plain, status_json_and_text_describe_the_mapping, 120)
{
	char v[128], n[32];

	ASSERT_EQ(0,
		  CTL("--json", "volume", "open", self->v.lo.dev, MAP,
		      "--plain", "--key", KEY, "--sector-size", variant->arg))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0, pk_json_get(self->out, "type", v, sizeof(v)));
	EXPECT_STREQ("plain", v);
	ASSERT_EQ(0, pk_json_get(self->out, "key", v, sizeof(v)));
	EXPECT_STREQ(KEY, v);

	ASSERT_EQ(0, CTL("--json", "volume", "status", MAP))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0, pk_json_get(self->out, "type", v, sizeof(v)));
	EXPECT_STREQ("plain", v);
	ASSERT_EQ(0, pk_json_get(self->out, "cipher", v, sizeof(v)));
	EXPECT_STREQ("paes-xts-plain64", v);
	ASSERT_EQ(0, pk_json_get(self->out, "key-bits", v, sizeof(v)));
	EXPECT_STREQ("1024", v);
	ASSERT_EQ(0, pk_json_get(self->out, "key-description", v, sizeof(v)));
	EXPECT_STREQ("protkey:" KEY, v);
	ASSERT_EQ(0, pk_json_get(self->out, "key", v, sizeof(v)));
	EXPECT_STREQ(KEY, v);
	ASSERT_EQ(0, pk_json_get(self->out, "device", v, sizeof(v)));
	EXPECT_STREQ(self->v.lo.dev, v);
	ASSERT_EQ(0, pk_json_get(self->out, "offset-sectors", v, sizeof(v)));
	EXPECT_STREQ("0", v);
	ASSERT_EQ(0, pk_json_get(self->out, "size-sectors", v, sizeof(v)));
	snprintf(n, sizeof(n), "%llu", DEV_SIZE / 512);
	EXPECT_STREQ(n, v);
	ASSERT_EQ(0, pk_json_get(self->out, "sector-size", v, sizeof(v)));
	EXPECT_STREQ(variant->arg, v);

	ASSERT_EQ(0, CTL("volume", "status", MAP)) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "type: plain"))
	TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "logon:protkey:" KEY))
	TH_LOG("%s", self->out);
	/* and the kernel's own table agrees */
	ASSERT_EQ(0, pk_run(self->out, sizeof(self->out), "dmsetup", "table",
			    MAP, NULL));
	EXPECT_NE(NULL, strstr(self->out, "paes-xts-plain64 :128:logon:"
					  "protkey:" KEY " 0 "))
	TH_LOG("%s", self->out);
	EXPECT_EQ(variant->sector_size != 512,
		  strstr(self->out, "sector_size:4096") != NULL)
	TH_LOG("%s", self->out);
	EXPECT_EQ(0, CTL("volume", "close", MAP)) TH_LOG("%s", self->out);
}

/* A refusal with exit @rc that leaves no @map, no logon key, same repo. */
#define EXPECT_REFUSED(rc, map, ...)                                          \
	do {                                                                  \
		uint64_t fp_ = pk_repo_fingerprint(self->repo);               \
		const char *nl_;                                              \
		EXPECT_EQ(rc, CTL(__VA_ARGS__)) TH_LOG("%s", self->out);      \
		EXPECT_FALSE(pk_dm_exists(map));                              \
		EXPECT_FALSE(logon_present(KEY));                             \
		EXPECT_EQ(fp_, pk_repo_fingerprint(self->repo));              \
		nl_ = strchr(self->out, '\n');                                \
		EXPECT_TRUE(!strncmp(self->out, "protkeyctl: ", 12) && nl_ && \
			    !nl_[1])                                          \
		TH_LOG("not one error line: %s", self->out);                  \
	} while (0)

TEST_F_TIMEOUT(plain, refusals_leave_no_mapping_no_key_no_change, 180)
{
	char table[1024];

	EXPECT_REFUSED(2, MAP, "volume", "open", self->v.lo.dev, MAP, "--plain",
		       "--key", "no_such_key");
	EXPECT_REFUSED(2, MAP, "volume", "open", "/dev/no-such-disk", MAP,
		       "--plain", "--key", KEY);
	EXPECT_REFUSED(1, MAP, "volume", "open", self->v.lo.dev, MAP, "--plain",
		       "--key", KEY, "--sector-size", "1000");
	EXPECT_REFUSED(1, MAP, "volume", "open", self->v.lo.dev, MAP, "--plain",
		       "--key", KEY, "--sector-size", "8192");
	EXPECT_REFUSED(1, MAP, "volume", "open", self->v.lo.dev, MAP,
		       "--plain");
	EXPECT_REFUSED(3, MAP, "volume", "open", self->v.lo.dev, "bad name",
		       "--plain", "--key", KEY);

	/* a device whose size is no multiple of 4096 */
	ASSERT_EQ(0, pk_loop_setup(&self->lo2, "pkplain2", DEV_SIZE + 512));
	EXPECT_REFUSED(3, MAP2, "volume", "open", self->lo2.dev, MAP2,
		       "--plain", "--key", KEY, "--sector-size", "4096");
	pk_loop_teardown(&self->lo2);

	/* a LUKS device (its header needs 16 MiB): refused unless --force */
	ASSERT_EQ(0, pk_loop_setup(&self->lo2, "pkplain2", 2 * DEV_SIZE));
	ASSERT_EQ(0, CTL("volume", "format", self->lo2.dev, "--key", KEY,
			 "--key-file", PASS_FILE))
	TH_LOG("%s", self->out);
	EXPECT_REFUSED(5, MAP2, "volume", "open", self->lo2.dev, MAP2,
		       "--plain", "--key", KEY);
	EXPECT_NE(NULL, strstr(self->out, "--force")) TH_LOG("%s", self->out);
	EXPECT_EQ(0,
		  CTL("volume", "open", self->lo2.dev, MAP2, "--plain", "--key",
		      KEY, "--force", "--sector-size", variant->arg))
	TH_LOG("%s", self->out);
	EXPECT_TRUE(pk_dm_exists(MAP2));
	EXPECT_EQ(0, CTL("volume", "close", MAP2)) TH_LOG("%s", self->out);
	logon_drop(KEY);
	/*
	 * the key now records a plain volume and its sector size: another
	 * sector size would make that volume's crypttab line wrong
	 */
	EXPECT_REFUSED(3, MAP, "volume", "open", self->v.lo.dev, MAP, "--plain",
		       "--key", KEY, "--sector-size",
		       variant->sector_size == 512 ? "4096" : "512");
	EXPECT_NE(NULL, strstr(self->out, "records sector size"))
	TH_LOG("%s", self->out);

	/* a name in use: the mapping there stays as it was */
	ASSERT_EQ(0, OPEN_PLAIN(self->v.lo.dev, MAP, KEY))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0,
		  pk_run(table, sizeof(table), "dmsetup", "table", MAP, NULL));
	EXPECT_EQ(5, CTL("volume", "open", self->lo2.dev, MAP, "--plain",
			 "--key", KEY, "--force"))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0, pk_run(self->out, sizeof(self->out), "dmsetup", "table",
			    MAP, NULL));
	EXPECT_STREQ(table, self->out);
	EXPECT_EQ(0, CTL("volume", "close", MAP)) TH_LOG("%s", self->out);
}

TEST_F_TIMEOUT(plain, key_in_no_register_is_refused_at_once, 120)
{
	char mkvp[17];
	long long t0;
	uint64_t fp;
	int i;

	/* the wait protkeyctl must not leave to the kernel */
	ASSERT_EQ(0, set_timeout(self, 60000));
	/* two MK changes: the key's MK is in no register of any adapter */
	ASSERT_EQ(0, CTL("emu", "mk-load", MK1_HEX)) TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("emu", "mk-set")) TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("emu", "mk-load", MK2_HEX)) TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("emu", "mk-set")) TH_LOG("%s", self->out);
	/* the data half's MKVP, bytes 8..15 of its token */
	for (i = 0; i < 8; i++)
		snprintf(mkvp + 2 * i, 3, "%02x", self->v.blob[8 + i]);
	fp = pk_repo_fingerprint(self->repo);
	t0 = pk_now_ms();
	EXPECT_EQ(4, OPEN_PLAIN(self->v.lo.dev, MAP, KEY))
	TH_LOG("%s", self->out);
	EXPECT_GT(10000, pk_now_ms() - t0)
	TH_LOG("refused after %lld ms", pk_now_ms() - t0);
	EXPECT_NE(NULL, strstr(self->out, MAP)) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, mkvp))
	TH_LOG("no MKVP %s in: %s", mkvp, self->out);
	EXPECT_FALSE(pk_dm_exists(MAP));
	EXPECT_FALSE(logon_present(KEY));
	EXPECT_EQ(fp, pk_repo_fingerprint(self->repo));
}

TEST_F_TIMEOUT(plain, table_refused_by_the_kernel_leaves_nothing, 60)
{
	long long t0;
	uint64_t fp;

	/*
	 * Every adapter offline: an outage, which the kernel waits out for
	 * rekey_timeout_ms before it refuses the table.
	 */
	ASSERT_EQ(0, set_timeout(self, 2000));
	ASSERT_EQ(0, CTL("emu", "adapter", "off")) TH_LOG("%s", self->out);
	fp = pk_repo_fingerprint(self->repo);
	t0 = pk_now_ms();
	EXPECT_EQ(4, OPEN_PLAIN(self->v.lo.dev, MAP, KEY))
	TH_LOG("%s", self->out);
	EXPECT_LE(2000, pk_now_ms() - t0)
	TH_LOG("refused after %lld ms, before rekey_timeout_ms",
	       pk_now_ms() - t0);
	EXPECT_NE(NULL, strstr(self->out, MAP)) TH_LOG("%s", self->out);
	EXPECT_FALSE(pk_dm_exists(MAP));
	EXPECT_FALSE(logon_present(KEY));
	EXPECT_EQ(fp, pk_repo_fingerprint(self->repo));
}

/*
 * protkeyctl in a new anonymous session keyring, as systemd starts a
 * service (KeyringMode=private): its session keyring does not reach the
 * user keyring, so dm-crypt finds a logon key there only in the thread
 * keyring of the process that loads the table.
 */
TEST_F_TIMEOUT(plain, open_from_a_session_keyring_without_the_user_keyring, 120)
{
	ASSERT_EQ(0, pk_run(self->out, sizeof(self->out), "keyctl", "session",
			    "-", self->ctl, "volume", "open", self->v.lo.dev,
			    MAP, "--plain", "--key", KEY, "--sector-size",
			    variant->arg, NULL))
	TH_LOG("%s", self->out);
	EXPECT_TRUE(pk_dm_exists(MAP));
	EXPECT_FALSE(logon_present(KEY));
	ASSERT_EQ(0, write_data(self->v.path, 27));
	EXPECT_EQ(0, check_oracle(&self->v, 27, variant->sector_size))
	TH_LOG("raw device differs from xts(aes) with the clear key");
	EXPECT_EQ(0, CTL("volume", "close", MAP)) TH_LOG("%s", self->out);
}

/* Opens the volume with protkeyctl, writes @seed's data, closes it. */
static int write_through_protkeyctl(FIXTURE_DATA(plain) * self,
				    const FIXTURE_VARIANT(plain) * variant,
				    uint32_t seed)
{
	int ret;

	ret = OPEN_PLAIN(self->v.lo.dev, MAP, KEY);
	ret = ret ?: write_data(self->v.path, seed);
	ret = ret ?: CTL("volume", "close", MAP);
	return ret;
}

/*
 * The plain line of protkeyctl crypttab, attached by Debian's
 * systemd-cryptsetup as systemd-cryptsetup@NAME.service would (attach
 * NAME DEV KEYFILE OPTIONS): the key file is the .skey, and the mapping
 * reads back what protkeyctl's mapping wrote; detach removes it.
 */
TEST_F_TIMEOUT(plain, systemd_cryptsetup_attaches_the_crypttab_line, 180)
{
	char name[64], dev[256], keyf[256], opts[512], want[PATH_MAX + 64];
	char repo[PATH_MAX];

	ASSERT_EQ(0, access(SD_CRYPTSETUP, X_OK))
	TH_LOG("the runner installs %s in the guest", SD_CRYPTSETUP);
	ASSERT_EQ(0, write_through_protkeyctl(self, variant, 31))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("crypttab", MAP)) TH_LOG("%s", self->out);
	ASSERT_EQ(4, sscanf(self->out, "%63s %255s %255s %511s", name, dev,
			    keyf, opts))
	TH_LOG("%s", self->out);
	EXPECT_STREQ(MAP, name);
	/* a loop device has no /dev/disk/by-id or by-path link */
	EXPECT_STREQ(self->v.lo.dev, dev);
	ASSERT_NE(NULL, realpath(self->repo, repo));
	snprintf(want, sizeof(want), "%s/" KEY ".skey", repo);
	EXPECT_STREQ(want, keyf);
	snprintf(want, sizeof(want),
		 "plain,cipher=paes-xts-plain64,size=1024,sector-size=%s,"
		 "nofail,headless=true,x-systemd.device-timeout=30s",
		 variant->arg);
	EXPECT_STREQ(want, opts);

	ASSERT_EQ(0, pk_run(self->out, sizeof(self->out), SD_CRYPTSETUP,
			    "attach", name, dev, keyf, opts, NULL))
	TH_LOG("%s", self->out);
	EXPECT_EQ(0, read_data(self->v.path, 31))
	TH_LOG("systemd-cryptsetup's mapping does not read back the data");
	ASSERT_EQ(0, pk_run(self->out, sizeof(self->out), "dmsetup", "table",
			    MAP, NULL));
	EXPECT_NE(NULL, strstr(self->out, "paes-xts-plain64 "))
	TH_LOG("%s", self->out);
	EXPECT_EQ(0, pk_run(self->out, sizeof(self->out), SD_CRYPTSETUP,
			    "detach", MAP, NULL))
	TH_LOG("%s", self->out);
	EXPECT_FALSE(pk_dm_exists(MAP));
}

/*
 * The command of protkeyctl cryptsetup, run by a shell: cryptsetup
 * plainOpen maps what protkeyctl's mapping wrote. --json gives the same
 * command and the key size as a number.
 */
TEST_F_TIMEOUT(plain, the_cryptsetup_command_opens_the_volume, 180)
{
	char cmd[PK_OUT_LEN], *nl;

	ASSERT_EQ(0, write_through_protkeyctl(self, variant, 41))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("cryptsetup", self->v.lo.dev)) TH_LOG("%s", self->out);
	snprintf(cmd, sizeof(cmd), "%s", self->out);
	nl = strchr(cmd, '\n');
	ASSERT_NE(NULL, nl) TH_LOG("%s", cmd);
	*nl = '\0';
	EXPECT_EQ(0, strncmp(cmd, "cryptsetup plainOpen --key-file /", 33))
	TH_LOG("%s", cmd);
	EXPECT_NE(NULL, strstr(cmd, " --key-size 1024 --cipher "
				    "paes-xts-plain64 --sector-size "))
	TH_LOG("%s", cmd);

	ASSERT_EQ(0, CTL("--json", "cryptsetup", MAP)) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "\"key-bits\": 1024,"))
	TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "\"version\": 1,"))
	TH_LOG("%s", self->out);

	ASSERT_EQ(0,
		  pk_run(self->out, sizeof(self->out), "sh", "-c", cmd, NULL))
	TH_LOG("%s: %s", cmd, self->out);
	EXPECT_EQ(0, read_data(self->v.path, 41))
	TH_LOG("cryptsetup's mapping does not read back the data");
	EXPECT_EQ(0, pk_run(self->out, sizeof(self->out), "cryptsetup", "close",
			    MAP, NULL))
	TH_LOG("%s", self->out);
	EXPECT_FALSE(pk_dm_exists(MAP));
}

TEST_HARNESS_MAIN
