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
 * Debian's systemd-cryptsetup attaches the line of protkeyctl crypttab
 * --token with no passphrase (and gives up, headless and bounded, where
 * the token cannot unwrap). The token across master-key changes and
 * bound to UV secrets: token_mk_test.c.
 *
 * Runs as root in the test VM with protkey.ko and protkey_emu.ko loaded
 * (the emulated platform: its clear keys live in emulator memory).
 */
#include "kselftest_harness.h"

#include "tok.h"

/* A second master key: "another system's" HSM. */
static const uint8_t other_mk[PROTKEY_EMU_MK_SIZE] = {
	0x5a, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa,
	0xbb, 0xcc, 0xdd, 0xee, 0xf0, 0x0f, 0x1e, 0x2d, 0x3c, 0x4b, 0x5a,
	0x69, 0x78, 0x87, 0x96, 0xa5, 0xb4, 0xc3, 0xd2, 0xe1, 0xf0,
};

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
/*
 * The crypttab line of protkeyctl crypttab --token, run by Debian's
 * systemd-cryptsetup as its unit would (attach NAME DEV none OPTIONS):
 * the token opens the volume with no passphrase. With the wrapping key's
 * master key gone it gives up after one derive wait (headless: no console
 * prompt) and maps nothing; a volume without a token gets no token line.
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

	ASSERT_EQ(0, CTL("crypttab", "--token", "--timeout", "10"))
	TH_LOG("%s", self->out);
	ASSERT_EQ(4, sscanf(self->out, "%63s %255s %63s %511s", name, dev, keyf,
			    opts))
	TH_LOG("%s", self->out);
	EXPECT_STREQ(NAME, name);
	EXPECT_STREQ(self->lo.dev, dev);
	EXPECT_STREQ("none", keyf);
	EXPECT_STREQ("luks,nofail,headless=true,tries=1,token-timeout=10s,"
		     "x-systemd.device-timeout=10s",
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

	/*
	 * Another system's master key: declined, no prompt, bounded by
	 * protkey.ko's wait for an adapter that can derive the wrapping key
	 * (rekey_timeout_ms, 5 s here), once (tries=1, headless).
	 */
	ASSERT_EQ(0, pk_write_file(REKEY_PARAM, "5000", 4));
	ASSERT_EQ(0, pke_reset_mk(&self->nl, other_mk));
	t0 = pk_now_ms();
	EXPECT_NE(0, pk_run(self->out, sizeof(self->out), SD_CRYPTSETUP,
			    "attach", name, dev, keyf, opts, NULL));
	secs = (double)(pk_now_ms() - t0) / 1000.0;
	TH_LOG("declined attach: %.1f s: %s", secs, self->out);
	EXPECT_FALSE(pk_dm_exists(NAME));
	EXPECT_LT(secs, 14.0);
	ASSERT_EQ(0, pke_reset_mk(&self->nl, pke_test_mk));
	ASSERT_EQ(0, pk_run(self->out, sizeof(self->out), SD_CRYPTSETUP,
			    "attach", name, dev, keyf, opts, NULL))
	TH_LOG("%s", self->out);
	EXPECT_EQ(0, pk_roundtrip("/dev/mapper/" NAME, 1 << 20, 27, false));
	EXPECT_EQ(0, pk_run(self->out, sizeof(self->out), SD_CRYPTSETUP,
			    "detach", name, NULL));
}

TEST_HARNESS_MAIN
