/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The fixture of the protkey LUKS2 token tests (token_test.c,
 * token_mk_test.c): a loop device, a repository, the emulator's control
 * family; a LUKS2 volume with a protkey token on it; cryptsetup open
 * --token-only and close. Included after kselftest_harness.h.
 */
#ifndef PROTKEY_SELFTEST_TOK_H
#define PROTKEY_SELFTEST_TOK_H

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
#define REKEY_PARAM "/sys/module/protkey/parameters/rekey_timeout_ms"

FIXTURE(token)
{
	struct pk_nl nl;
	char ctl[256];
	char repo[64];
	struct pk_loop lo;
	char out[PK_OUT_LEN];
	char tok[8];
	char rekey_ms[32];
};

FIXTURE_SETUP(token)
{
	self->lo.fd = -1;
	if (!PK_CTL_SETUP("/tmp/pktok-repo.XXXXXX"))
		SKIP(return, "no protkeyctl installed");
	ASSERT_EQ(0, pk_write_file(PASS_FILE, "token test passphrase", 21));
	ASSERT_EQ(0, pk_loop_setup(&self->lo, "pktok", DEV_SIZE));
	/*
	 * protkey.ko's derive wait, 5 s here (restored below): a token
	 * whose key cannot derive declines only when it ends, and a case
	 * tries the token up to three times (60 s each by default). A
	 * derive that works takes milliseconds.
	 */
	ASSERT_EQ(0, pk_read_file(REKEY_PARAM, self->rekey_ms,
				  sizeof(self->rekey_ms)));
	ASSERT_EQ(0, pk_write_file(REKEY_PARAM, "5000", 4));
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
	if (self->rekey_ms[0])
		pk_write_file(REKEY_PARAM, self->rekey_ms,
			      strlen(self->rekey_ms));
	pk_ctl_teardown(&self->nl, self->repo);
}

/* The SHA-256 of the first HDR_SIZE bytes: LUKS2 metadata and keyslots. */
static inline int header_hash(struct pk_loop *lo, uint8_t out[32])
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
static inline int make_volume(FIXTURE_DATA(token) * self,
			      const uint8_t *wrap_mk)
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

static inline int cs_open_token(FIXTURE_DATA(token) * self, const char *type)
{
	return pk_run(self->out, sizeof(self->out), "cryptsetup", "--debug",
		      "open", "--token-only", self->lo.dev, NAME,
		      type ? "--token-type" : NULL, type, NULL);
}

static inline int cs_close(FIXTURE_DATA(token) * self)
{
	return pk_run(self->out, sizeof(self->out), "cryptsetup", "close", NAME,
		      NULL);
}

#endif /* PROTKEY_SELFTEST_TOK_H */
