// SPDX-License-Identifier: GPL-2.0-only
/*
 * The protkey LUKS2 token through the real cryptsetup (2.6.1) and its
 * external plugin libcryptsetup-token-protkey.so, installed by the runner
 * in cryptsetup's token directory: protkeyctl formats a volume and adds a
 * token whose keyslot passphrase a second repository key seals; then
 * cryptsetup open --token-only (and --token-type protkey) maps it with no
 * passphrase, luksDump shows the plugin's dump, token export/import work
 * and a malformed token is refused on import. Where the platform cannot
 * unwrap (the wrapping key's master key absent, adapters offline) the
 * token declines, the reason is in cryptsetup's debug log, the passphrase
 * still opens, and the header is unchanged. protkeyctl volume open tries
 * the token first; token remove never removes the last way in; add and
 * remove killed between their header commits leave a volume that opens.
 * The token follows two master-key changes through volume reencipher
 * (CCA, and EP11, which has no OLD register: the staged key opens), a
 * token bound to an Ultravisor secret opens only while the secret is in
 * the guest's store, and Debian's systemd-cryptsetup attaches the line of
 * protkeyctl crypttab --token with no passphrase (and gives up, headless
 * and bounded, where the token cannot unwrap).
 *
 * Runs as root in the test VM with protkey.ko and protkey_emu.ko loaded
 * (the emulated platform: its clear keys live in emulator memory).
 */
#include "kselftest_harness.h"

#include "ctl.h"
#include "vol.h"

#define PASS_FILE "/tmp/pktok.pass"
#define JSON_FILE "/tmp/pktok.json"
#define DEV_SIZE (32ULL << 20)
#define HDR_SIZE (16ULL << 20)
#define NAME "pktok_vol"
#define PLUGIN "libcryptsetup-token-protkey.so"
#define SD_CRYPTSETUP "/usr/lib/systemd/systemd-cryptsetup"
#define IK "/tmp/pktok.ik"

/* A second master key: "another system's" HSM. */
static const uint8_t other_mk[PROTKEY_EMU_MK_SIZE] = {
	0x5a, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa,
	0xbb, 0xcc, 0xdd, 0xee, 0xf0, 0x0f, 0x1e, 0x2d, 0x3c, 0x4b, 0x5a,
	0x69, 0x78, 0x87, 0x96, 0xa5, 0xb4, 0xc3, 0xd2, 0xe1, 0xf0,
};

FIXTURE(token)
{
	struct pk_nl nl;
	char ctl[256];
	char repo[64];
	struct pk_loop lo;
	char out[PK_OUT_LEN];
	char tok[8];
};

FIXTURE_SETUP(token)
{
	self->lo.fd = -1;
	if (!PK_CTL_SETUP("/tmp/pktok-repo.XXXXXX"))
		SKIP(return, "no protkeyctl installed");
	ASSERT_EQ(0, pk_write_file(PASS_FILE, "token test passphrase", 21));
	ASSERT_EQ(0, pk_loop_setup(&self->lo, "pktok", DEV_SIZE));
}

FIXTURE_TEARDOWN(token)
{
	pk_dm_remove(NAME);
	pk_loop_teardown(&self->lo);
	unlink(PASS_FILE);
	unlink(JSON_FILE);
	pk_run(NULL, 0, "sh", "-c", "rm -rf /tmp/pktok.[a-z]*", NULL);
	if (self->nl.sk)
		pke_set_mode_all(&self->nl, PROTKEY_EMU_MODE_CCA);
	unsetenv("PROTKEYCTL_FAULT");
	pk_ctl_teardown(&self->nl, self->repo);
}

/* The SHA-256 of the first HDR_SIZE bytes: LUKS2 metadata and keyslots. */
static int header_hash(struct pk_loop *lo, uint8_t out[32])
{
	uint8_t *buf = malloc(HDR_SIZE);
	int ret;

	if (!buf)
		return -ENOMEM;
	ret = pk_loop_read_raw(lo, 0, buf, HDR_SIZE);
	ret = ret ?: pk_sha256(buf, HDR_SIZE, out);
	free(buf);
	return ret;
}

/*
 * key vk (the volume key) under the current MK, LUKS2 on it, key wrap and
 * a protkey token on it. @wrap_mk, when set, is made CURRENT for the
 * wrapping key only, then the test MK again (as on another system).
 */
static int make_volume(FIXTURE_DATA(token) * self, const uint8_t *wrap_mk)
{
	int ret;

	ret = CTL("key", "generate", "vk");
	ret = ret   ?:
		      CTL("volume", "format", self->lo.dev, "--key", "vk",
			  "--key-file", PASS_FILE);
	if (!ret && wrap_mk) {
		ret = pke_mk_load(&self->nl, wrap_mk);
		ret = ret ?: PKE_REQ0(&self->nl, PROTKEY_EMU_CMD_MK_SET);
	}
	ret = ret ?: CTL("key", "generate", "wrap");
	ret = ret   ?:
		      CTL("volume", "token", "add", self->lo.dev, "--key",
			  "wrap", "--key-file", PASS_FILE);
	/* format's paes-verification-pattern token is token 0. */
	if (!ret &&
	    sscanf(self->out, "added protkey token %7[0-9]", self->tok) != 1)
		ret = -EBADMSG;
	if (!ret && wrap_mk)
		ret = pke_reset_mk(&self->nl, pke_test_mk);
	return ret;
}

static int cs_open_token(FIXTURE_DATA(token) * self, const char *type)
{
	return pk_run(self->out, sizeof(self->out), "cryptsetup", "--debug",
		      "open", "--token-only", self->lo.dev, NAME,
		      type ? "--token-type" : NULL, type, NULL);
}

static int cs_close(FIXTURE_DATA(token) * self)
{
	return pk_run(self->out, sizeof(self->out), "cryptsetup", "close", NAME,
		      NULL);
}

/* The runner installs the plugin where cryptsetup looks: it loads. */
TEST_F_TIMEOUT(token, plugin_loads_from_cryptsetup_token_dir, 120)
{
	ASSERT_EQ(0, make_volume(self, NULL)) TH_LOG("%s", self->out);
	ASSERT_EQ(0, pk_run(self->out, sizeof(self->out), "cryptsetup",
			    "--debug", "luksDump", self->lo.dev, NULL));
	EXPECT_NE(NULL, strstr(self->out, "/cryptsetup/" PLUGIN))
	TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out,
			       "Token handler protkey-1.0 loaded successfully"))
	TH_LOG("%s", self->out);
}

TEST_F_TIMEOUT(token, token_only_open_dump_and_protkeyctl_open, 240)
{
	ASSERT_EQ(0, make_volume(self, NULL)) TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("volume", "token", "show", self->lo.dev));
	EXPECT_NE(
		NULL,
		strstr(self->out,
		       ": protkey, keyslots 1, wrapping key CCA-AESDATA 'wrap'"))
	TH_LOG("%s", self->out);

	ASSERT_EQ(0, cs_open_token(self, NULL)) TH_LOG("%s", self->out);
	ASSERT_TRUE(pk_dm_exists(NAME));
	EXPECT_EQ(0, pk_roundtrip("/dev/mapper/" NAME, 1 << 20, 7, true));
	ASSERT_EQ(0, cs_close(self)) TH_LOG("%s", self->out);

	ASSERT_EQ(0, cs_open_token(self, "protkey")) TH_LOG("%s", self->out);
	EXPECT_EQ(0, pk_roundtrip("/dev/mapper/" NAME, 1 << 20, 7, false));
	ASSERT_EQ(0, cs_close(self)) TH_LOG("%s", self->out);
	/* Another type: the protkey token is not tried. */
	EXPECT_NE(0, cs_open_token(self, "systemd-tpm2"));
	EXPECT_FALSE(pk_dm_exists(NAME));

	ASSERT_EQ(0, pk_run(self->out, sizeof(self->out), "cryptsetup",
			    "luksDump", self->lo.dev, NULL));
	EXPECT_NE(NULL, strstr(self->out, "protkey")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "Wrapping key: CCA-AESDATA"))
	TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "Verification pattern: "));

	ASSERT_EQ(0, CTL("volume", "open", self->lo.dev, NAME))
	TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "with its protkey token"));
	EXPECT_EQ(0, pk_roundtrip("/dev/mapper/" NAME, 1 << 20, 7, false));
	EXPECT_EQ(0, CTL("volume", "close", NAME)) TH_LOG("%s", self->out);
}

TEST_F_TIMEOUT(token, export_import_and_malformed_import_refused, 240)
{
	static char json[8192], bad[8192];
	uint8_t before[32], after[32];
	char *p;

	ASSERT_EQ(0, make_volume(self, NULL)) TH_LOG("%s", self->out);
	ASSERT_EQ(0, pk_run(json, sizeof(json), "cryptsetup", "token", "export",
			    "--token-id", self->tok, self->lo.dev, NULL));
	ASSERT_NE(NULL, strstr(json, "\"type\":\"protkey\""))
	TH_LOG("%s", json);
	ASSERT_EQ(0, pk_write_file(JSON_FILE, json, strlen(json)));
	ASSERT_EQ(0, pk_run(self->out, sizeof(self->out), "cryptsetup", "token",
			    "import", "--json-file", JSON_FILE, "--token-id",
			    "5", self->lo.dev, NULL))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("volume", "token", "show", self->lo.dev));
	EXPECT_NE(NULL, strstr(self->out, "token 5: protkey"))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0, pk_run(self->out, sizeof(self->out), "cryptsetup", "open",
			    "--token-only", "--token-id", "5", self->lo.dev,
			    NAME, NULL))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0, cs_close(self));

	/* A version this plugin does not know: the plugin's validate refuses. */
	snprintf(bad, sizeof(bad), "%s", json);
	p = strstr(bad, "\"protkey-version\":1");
	ASSERT_NE(NULL, p);
	p[strlen("\"protkey-version\":")] = '7';
	ASSERT_EQ(0, pk_write_file(JSON_FILE, bad, strlen(bad)));
	ASSERT_EQ(0, header_hash(&self->lo, before));
	EXPECT_NE(0, pk_run(self->out, sizeof(self->out), "cryptsetup", "token",
			    "import", "--json-file", JSON_FILE, "--token-id",
			    "6", self->lo.dev, NULL));
	TH_LOG("import of a malformed token: %s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "version 7")) TH_LOG("%s", self->out);
	ASSERT_EQ(0, header_hash(&self->lo, after));
	EXPECT_EQ(0, memcmp(before, after, 32)) TH_LOG("the header changed");
}

TEST_F_TIMEOUT(token, declined_on_other_mk_passphrase_opens, 240)
{
	uint8_t before[32], after[32];

	ASSERT_EQ(0, make_volume(self, other_mk)) TH_LOG("%s", self->out);
	ASSERT_EQ(0, header_hash(&self->lo, before));
	EXPECT_NE(0, cs_open_token(self, NULL));
	EXPECT_FALSE(pk_dm_exists(NAME));
	EXPECT_NE(NULL, strstr(self->out,
			       "declined (the platform cannot unwrap now)"))
	TH_LOG("%s", self->out);
	/* Without --token-only: the token declines, the passphrase opens. */
	ASSERT_EQ(0, pk_run(self->out, sizeof(self->out), "cryptsetup", "open",
			    "--key-file", PASS_FILE, self->lo.dev, NAME, NULL))
	TH_LOG("%s", self->out);
	EXPECT_EQ(0, pk_roundtrip("/dev/mapper/" NAME, 1 << 20, 9, true));
	EXPECT_EQ(0, cs_close(self));
	ASSERT_EQ(0, CTL("volume", "open", self->lo.dev, NAME, "--key-file",
			 PASS_FILE))
	TH_LOG("%s", self->out);
	EXPECT_EQ(0, CTL("volume", "close", NAME));
	ASSERT_EQ(0, header_hash(&self->lo, after));
	EXPECT_EQ(0, memcmp(before, after, 32)) TH_LOG("the header changed");
}

TEST_F_TIMEOUT(token, declined_with_adapters_offline_then_opens, 300)
{
	uint8_t before[32], after[32];

	ASSERT_EQ(0, make_volume(self, NULL)) TH_LOG("%s", self->out);
	ASSERT_EQ(0, header_hash(&self->lo, before));
	ASSERT_EQ(0, pke_set_online(&self->nl, 0));
	EXPECT_NE(0, cs_open_token(self, NULL));
	EXPECT_FALSE(pk_dm_exists(NAME));
	EXPECT_NE(NULL, strstr(self->out, "the platform cannot unwrap now"))
	TH_LOG("%s", self->out);
	/* The passphrase still opens its keyslot (no adapter for dm-crypt). */
	EXPECT_EQ(0, pk_run(self->out, sizeof(self->out), "cryptsetup", "open",
			    "--test-passphrase", "--key-file", PASS_FILE,
			    self->lo.dev, NULL))
	TH_LOG("%s", self->out);
	EXPECT_NE(0, CTL("volume", "open", self->lo.dev, NAME));
	EXPECT_FALSE(pk_dm_exists(NAME));
	ASSERT_EQ(0, pke_set_online(&self->nl, 1));
	ASSERT_EQ(0, pke_wait_usable(&self->nl, 15000));
	EXPECT_EQ(0, cs_open_token(self, NULL)) TH_LOG("%s", self->out);
	EXPECT_EQ(0, cs_close(self));
	ASSERT_EQ(0, header_hash(&self->lo, after));
	EXPECT_EQ(0, memcmp(before, after, 32)) TH_LOG("the header changed");
}

TEST_F_TIMEOUT(token, remove_keeps_the_last_way_in, 240)
{
	uint8_t before[32], after[32];

	ASSERT_EQ(0, make_volume(self, NULL)) TH_LOG("%s", self->out);
	/* The token's keyslot 1 alone is left. */
	ASSERT_EQ(0, pk_run(self->out, sizeof(self->out), "cryptsetup",
			    "luksKillSlot", "-q", self->lo.dev, "0", NULL))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0, header_hash(&self->lo, before));
	EXPECT_NE(0, CTL("volume", "token", "remove", self->lo.dev, "--token",
			 self->tok));
	EXPECT_NE(NULL, strstr(self->out, "last way in"))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0, header_hash(&self->lo, after));
	EXPECT_EQ(0, memcmp(before, after, 32)) TH_LOG("the header changed");
	EXPECT_EQ(0, cs_open_token(self, NULL)) TH_LOG("%s", self->out);
	EXPECT_EQ(0, cs_close(self));
}

TEST_F_TIMEOUT(token, remove_then_passphrase_only, 240)
{
	ASSERT_EQ(0, make_volume(self, NULL)) TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("volume", "token", "remove", self->lo.dev, "--token",
			 self->tok))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("volume", "token", "show", self->lo.dev));
	EXPECT_NE(NULL, strstr(self->out, "has no protkey token"));
	EXPECT_NE(0, cs_open_token(self, NULL));
	EXPECT_FALSE(pk_dm_exists(NAME));
	/* Keyslot 1 went with the token. */
	ASSERT_EQ(0, pk_run(self->out, sizeof(self->out), "cryptsetup",
			    "luksDump", self->lo.dev, NULL));
	EXPECT_EQ(NULL, strstr(self->out, "  1: luks2"))
	TH_LOG("%s", self->out);
	EXPECT_EQ(0, CTL("volume", "open", self->lo.dev, NAME, "--key-file",
			 PASS_FILE))
	TH_LOG("%s", self->out);
	EXPECT_EQ(0, CTL("volume", "close", NAME));
}

/*
 * R5: token add killed (SIGKILL, PROTKEYCTL_FAULT) after its keyslot
 * commit, before the token's: no protkey token, the passphrase opens, and
 * adding again works. token remove killed after the token's removal: the
 * passphrase opens.
 */
TEST_F_TIMEOUT(token, add_and_remove_killed_midway_still_open, 300)
{
	int rc;

	ASSERT_EQ(0, CTL("key", "generate", "vk"));
	ASSERT_EQ(0, CTL("volume", "format", self->lo.dev, "--key", "vk",
			 "--key-file", PASS_FILE))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("key", "generate", "wrap"));
	setenv("PROTKEYCTL_FAULT", "token-keyslot", 1);
	rc = CTL("volume", "token", "add", self->lo.dev, "--key", "wrap",
		 "--key-file", PASS_FILE);
	unsetenv("PROTKEYCTL_FAULT");
	ASSERT_NE(0, rc) TH_LOG("the fault point was not reached");
	ASSERT_EQ(0, CTL("volume", "token", "show", self->lo.dev));
	EXPECT_NE(NULL, strstr(self->out, "has no protkey token"))
	TH_LOG("%s", self->out);
	EXPECT_NE(0, cs_open_token(self, NULL));
	ASSERT_EQ(0, CTL("volume", "open", self->lo.dev, NAME, "--key-file",
			 PASS_FILE))
	TH_LOG("%s", self->out);
	EXPECT_EQ(0, CTL("volume", "close", NAME));

	ASSERT_EQ(0, CTL("volume", "token", "add", self->lo.dev, "--key",
			 "wrap", "--key-file", PASS_FILE))
	TH_LOG("%s", self->out);
	ASSERT_EQ(1,
		  sscanf(self->out, "added protkey token %7[0-9]", self->tok));
	EXPECT_EQ(0, cs_open_token(self, NULL)) TH_LOG("%s", self->out);
	EXPECT_EQ(0, cs_close(self));

	setenv("PROTKEYCTL_FAULT", "token-removed", 1);
	rc = CTL("volume", "token", "remove", self->lo.dev, "--token",
		 self->tok);
	unsetenv("PROTKEYCTL_FAULT");
	ASSERT_NE(0, rc) TH_LOG("the fault point was not reached");
	EXPECT_NE(0, cs_open_token(self, NULL));
	EXPECT_FALSE(pk_dm_exists(NAME));
	ASSERT_EQ(0, CTL("volume", "open", self->lo.dev, NAME, "--key-file",
			 PASS_FILE))
	TH_LOG("%s", self->out);
	EXPECT_EQ(0, CTL("volume", "close", NAME));
}

/* A 64-digit master or wrapping key of the digit @c, for emu mk-load. */
static const char *mk_hex(char c, char out[65])
{
	memset(out, c, 64);
	out[64] = '\0';
	return out;
}

/* NEW loaded and committed on every adapter, then the volume staged. */
static int stage_mk_change(FIXTURE_DATA(token) * self, char c)
{
	char hex[65];

	return CTL("emu", "mk-load", mk_hex(c, hex)) ?:
		       CTL("emu", "mk-commit")	     ?:
		       CTL("volume", "reencipher", self->lo.dev, "--staged",
			   "--key-file", PASS_FILE);
}

/* cryptsetup open --token-only, @seed read back (written when @write). */
static int token_opens(FIXTURE_DATA(token) * self, uint32_t seed, bool write)
{
	int ret = cs_open_token(self, NULL);

	if (ret)
		return ret;
	ret = pk_roundtrip("/dev/mapper/" NAME, 1 << 20, seed, write);
	return cs_close(self) ?: ret;
}

/*
 * Two master-key changes with the token in use: after each step of
 * volume reencipher the token opens (no passphrase); after the second
 * change the original wrapping key derives nowhere (its MK left OLD), so
 * only a followed token can open.
 */
TEST_F_TIMEOUT(token, cca_token_follows_two_master_key_changes, 300)
{
	int round;

	ASSERT_EQ(0, make_volume(self, NULL)) TH_LOG("%s", self->out);
	ASSERT_EQ(0, token_opens(self, 21, true)) TH_LOG("%s", self->out);
	for (round = 0; round < 2; round++) {
		ASSERT_EQ(0, stage_mk_change(self, round ? 'd' : 'c'))
		TH_LOG("%s", self->out);
		EXPECT_NE(NULL, strstr(self->out, "1 protkey token(s) got a "
						  "staged key"))
		TH_LOG("%s", self->out);
		ASSERT_EQ(0, CTL("volume", "token", "show", self->lo.dev));
		EXPECT_NE(NULL, strstr(self->out, "staged re-encipher"))
		TH_LOG("%s", self->out);
		EXPECT_EQ(0, token_opens(self, 21, false))
		TH_LOG("staged: %s", self->out);
		ASSERT_EQ(0, CTL("emu", "mk-set")) TH_LOG("%s", self->out);
		EXPECT_EQ(0, token_opens(self, 21, false))
		TH_LOG("NEW set: %s", self->out);
		ASSERT_EQ(0, CTL("volume", "reencipher", self->lo.dev,
				 "--complete", "--key-file", PASS_FILE))
		TH_LOG("%s", self->out);
		EXPECT_NE(NULL,
			  strstr(self->out, "1 protkey token(s) re-enciphered"))
		TH_LOG("%s", self->out);
		ASSERT_EQ(0, CTL("volume", "token", "show", self->lo.dev));
		EXPECT_EQ(NULL, strstr(self->out, "staged"))
		TH_LOG("%s", self->out);
		EXPECT_EQ(0, token_opens(self, 21, false))
		TH_LOG("complete: %s", self->out);
	}
	/* The repository's copy of the wrapping key did not follow. */
	EXPECT_NE(0, CTL("key", "validate", "wrap")) TH_LOG("%s", self->out);
}

/* A committed, current EP11 wrapping key of the digit @c on @apqn. */
static int load_wk(FIXTURE_DATA(token) * self, const char *apqn, char c)
{
	char hex[65];

	return CTL("emu", "mk-load", "--apqn", apqn, mk_hex(c, hex)) ?:
		       CTL("emu", "mk-commit", "--apqn", apqn)	     ?:
		       CTL("emu", "mk-set", "--apqn", apqn);
}

/*
 * EP11: the token's wrapping key is an EP11 XTS key (its WKVP recorded).
 * Once the NEW wrapping key is set the old blob derives nowhere (EP11
 * has no OLD register): the token opens with its staged key, and after
 * --complete with its re-enciphered key.
 */
TEST_F_TIMEOUT(token, ep11_token_opens_at_every_reencipher_step, 300)
{
	ASSERT_EQ(0, CTL("emu", "adapter", "mode", "ep11"))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0, load_wk(self, "00.0001", 'a')) TH_LOG("%s", self->out);
	ASSERT_EQ(0, load_wk(self, "01.0001", 'a')) TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("key", "generate", "vk", "--key-type", "EP11-AES",
			 "--xts", "--apqns", "00.0001,01.0001"))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("key", "generate", "wrap", "--key-type", "EP11-AES",
			 "--xts", "--apqns", "00.0001,01.0001"))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("volume", "format", self->lo.dev, "--key", "vk",
			 "--key-file", PASS_FILE))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("volume", "token", "add", self->lo.dev, "--key",
			 "wrap", "--key-file", PASS_FILE))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("volume", "token", "show", self->lo.dev));
	EXPECT_NE(NULL, strstr(self->out, "wrapping key EP11-AES 'wrap'"))
	TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, ", WKVP ")) TH_LOG("%s", self->out);
	ASSERT_EQ(0, pk_run(self->out, sizeof(self->out), "cryptsetup",
			    "luksDump", self->lo.dev, NULL));
	EXPECT_NE(NULL, strstr(self->out, "Wrapping key: EP11-AES"))
	TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "WKVP:")) TH_LOG("%s", self->out);
	ASSERT_EQ(0, token_opens(self, 23, true)) TH_LOG("%s", self->out);

	ASSERT_EQ(0, stage_mk_change(self, 'b')) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "1 protkey token(s) got a staged"))
	TH_LOG("%s", self->out);
	EXPECT_EQ(0, token_opens(self, 23, false)) TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("emu", "mk-set")) TH_LOG("%s", self->out);
	/* Only the staged key derives now. */
	EXPECT_NE(0, CTL("key", "validate", "wrap")) TH_LOG("%s", self->out);
	EXPECT_EQ(0, token_opens(self, 23, false)) TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("volume", "reencipher", self->lo.dev, "--complete",
			 "--key-file", PASS_FILE))
	TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "1 protkey token(s) re-enciphered"))
	TH_LOG("%s", self->out);
	EXPECT_EQ(0, token_opens(self, 23, false)) TH_LOG("%s", self->out);
}

/* "0x" and the 64 hex digits of SHA-256(@name): pvsecret's ID. */
static int id_hex(const char *name, char out[67])
{
	uint8_t id[32];
	int i, ret;

	ret = pk_sha256(name, strlen(name), id);
	if (ret)
		return ret;
	strcpy(out, "0x");
	for (i = 0; i < 32; i++)
		sprintf(out + 2 + 2 * i, "%02x", id[i]);
	return 0;
}

static int seed_file(const char *path, int seed, size_t n)
{
	char buf[64];

	memset(buf, seed, n);
	return pk_write_file(path, buf, n);
}

/*
 * In a Secure Execution guest: the volume key and the token's wrapping key
 * are Ultravisor AES-XTS secrets. The token opens while its secret is in
 * the store; after the guest's reboot it declines (the reason in the debug
 * log) until the secret is added again, the passphrase opens meanwhile
 * once the volume key's secret is back, and the header never changes.
 */
TEST_F_TIMEOUT(token, uv_secret_token_opens_only_with_the_secret, 300)
{
	uint8_t before[32], after[32];
	char id[67];

	ASSERT_EQ(0, CTL("emu", "se", "on", "--image-key", IK));
	ASSERT_EQ(0, seed_file("/tmp/pktok.s1", 0x41, 64));
	ASSERT_EQ(0, seed_file("/tmp/pktok.s2", 0x42, 64));
	ASSERT_EQ(0, CTL("emu", "se", "create-secret", "retrievable", "vol",
			 "--image-key", IK, "--output", "/tmp/pktok.r1",
			 "--type", "aes-xts", "--secret", "/tmp/pktok.s1"))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("emu", "se", "create-secret", "retrievable", "tok",
			 "--image-key", IK, "--output", "/tmp/pktok.r2",
			 "--type", "aes-xts", "--secret", "/tmp/pktok.s2"))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0,
		  CTL("se", "secret", "add", "/tmp/pktok.r1", "/tmp/pktok.r2"))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("key", "import-uv", "vk", "--secret-name", "vol"))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("volume", "format", self->lo.dev, "--key", "vk",
			 "--key-file", PASS_FILE))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0, id_hex("tok", id));
	/* An unknown secret: refused, nothing added. */
	EXPECT_NE(
		0,
		CTL("volume", "token", "add", self->lo.dev, "--uv-secret",
		    "0x1111111111111111111111111111111111111111111111111111111111111111",
		    "--key-file", PASS_FILE));
	EXPECT_NE(NULL, strstr(self->out, "does not exist"))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("volume", "token", "add", self->lo.dev, "--uv-secret",
			 id, "--key-file", PASS_FILE))
	TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "wrapped by UV secret 0x"))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("volume", "token", "show", self->lo.dev));
	EXPECT_NE(NULL, strstr(self->out, "wrapping key PVSECRET-AES"))
	TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, id + 2)) TH_LOG("%s", self->out);
	ASSERT_EQ(0, token_opens(self, 25, true)) TH_LOG("%s", self->out);

	/* The reboot wipes the store. */
	ASSERT_EQ(0, CTL("emu", "se", "reboot")) TH_LOG("%s", self->out);
	ASSERT_EQ(0, header_hash(&self->lo, before));
	EXPECT_NE(0, cs_open_token(self, NULL));
	EXPECT_FALSE(pk_dm_exists(NAME));
	EXPECT_NE(NULL, strstr(self->out,
			       "declined (the platform cannot unwrap now)"))
	TH_LOG("%s", self->out);
	/* The volume key's secret back, the token's not: passphrase opens. */
	ASSERT_EQ(0, CTL("se", "secret", "add", "/tmp/pktok.r1"));
	EXPECT_NE(0, cs_open_token(self, NULL));
	ASSERT_EQ(0, pk_run(self->out, sizeof(self->out), "cryptsetup", "open",
			    "--key-file", PASS_FILE, self->lo.dev, NAME, NULL))
	TH_LOG("%s", self->out);
	EXPECT_EQ(0, pk_roundtrip("/dev/mapper/" NAME, 1 << 20, 25, false));
	EXPECT_EQ(0, cs_close(self));
	ASSERT_EQ(0, CTL("se", "secret", "add", "/tmp/pktok.r2"));
	EXPECT_EQ(0, token_opens(self, 25, false)) TH_LOG("%s", self->out);
	/* Nothing re-enciphers a secret: the token is left alone. */
	ASSERT_EQ(0, header_hash(&self->lo, after));
	EXPECT_EQ(0, memcmp(before, after, 32)) TH_LOG("the header changed");
}

/*
 * The crypttab line of protkeyctl crypttab --token, run by Debian's
 * systemd-cryptsetup as its unit would (attach NAME DEV none OPTIONS):
 * the token opens the volume with no passphrase. With the wrapping key's
 * master key gone it gives up at once (headless: no console prompt) and
 * maps nothing; a volume without a token gets no token line.
 */
TEST_F_TIMEOUT(token, systemd_cryptsetup_attaches_crypttab_token_line, 300)
{
	char name[64], dev[256], keyf[64], opts[512], vols[300];
	long long t0;
	double secs;

	ASSERT_EQ(0, access(SD_CRYPTSETUP, X_OK))
	TH_LOG("the runner installs %s in the guest", SD_CRYPTSETUP);
	snprintf(vols, sizeof(vols), "%s:" NAME, self->lo.dev);
	ASSERT_EQ(0, CTL("key", "generate", "vk", "--volumes", vols,
			 "--volume-type", "luks2"))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("volume", "format", self->lo.dev, "--key", "vk",
			 "--key-file", PASS_FILE))
	TH_LOG("%s", self->out);
	EXPECT_EQ(2, CTL("crypttab", "--token")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "has no protkey token"));
	EXPECT_EQ(1, CTL("crypttab", "--token", "--key-file", PASS_FILE));
	ASSERT_EQ(0, CTL("key", "generate", "wrap"));
	ASSERT_EQ(0, CTL("volume", "token", "add", self->lo.dev, "--key",
			 "wrap", "--key-file", PASS_FILE))
	TH_LOG("%s", self->out);

	ASSERT_EQ(0, CTL("crypttab", "--token", "--timeout", "20"))
	TH_LOG("%s", self->out);
	ASSERT_EQ(4, sscanf(self->out, "%63s %255s %63s %511s", name, dev, keyf,
			    opts))
	TH_LOG("%s", self->out);
	EXPECT_STREQ(NAME, name);
	EXPECT_STREQ(self->lo.dev, dev);
	EXPECT_STREQ("none", keyf);
	EXPECT_STREQ("luks,nofail,headless=true,token-timeout=20s,"
		     "x-systemd.device-timeout=20s",
		     opts);

	ASSERT_EQ(0, pk_run(self->out, sizeof(self->out), SD_CRYPTSETUP,
			    "attach", name, dev, keyf, opts, NULL))
	TH_LOG("%s", self->out);
	ASSERT_TRUE(pk_dm_exists(NAME));
	EXPECT_EQ(0, pk_roundtrip("/dev/mapper/" NAME, 1 << 20, 27, true));
	ASSERT_EQ(0, pk_run(self->out, sizeof(self->out), SD_CRYPTSETUP,
			    "detach", name, NULL))
	TH_LOG("%s", self->out);
	EXPECT_FALSE(pk_dm_exists(NAME));

	/* Another system's master key: declined, no prompt, bounded. */
	ASSERT_EQ(0, pke_reset_mk(&self->nl, other_mk));
	t0 = pk_now_ms();
	EXPECT_NE(0, pk_run(self->out, sizeof(self->out), SD_CRYPTSETUP,
			    "attach", name, dev, keyf, opts, NULL));
	secs = (double)(pk_now_ms() - t0) / 1000.0;
	TH_LOG("declined attach: %.1f s: %s", secs, self->out);
	EXPECT_FALSE(pk_dm_exists(NAME));
	EXPECT_LT(secs, 25.0);
	ASSERT_EQ(0, pke_reset_mk(&self->nl, pke_test_mk));
	ASSERT_EQ(0, pk_run(self->out, sizeof(self->out), SD_CRYPTSETUP,
			    "attach", name, dev, keyf, opts, NULL))
	TH_LOG("%s", self->out);
	EXPECT_EQ(0, pk_roundtrip("/dev/mapper/" NAME, 1 << 20, 27, false));
	EXPECT_EQ(0, pk_run(self->out, sizeof(self->out), SD_CRYPTSETUP,
			    "detach", name, NULL));
}

TEST_HARNESS_MAIN
