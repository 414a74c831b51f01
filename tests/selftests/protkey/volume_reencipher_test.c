// SPDX-License-Identifier: GPL-2.0-only
/*
 * protkeyctl volume reencipher and rekey, against the real cryptsetup,
 * device-mapper, keyring and protkey.ko: the master-key change of a LUKS2
 * volume whose volume key is a secure key, staged and completed (the
 * "paes-reencipher" token and an unbound keyslot), OLD -> CURRENT in
 * place, the live key object re-keyed so that the open volume survives
 * the next master-key change, and every step interrupted by SIGKILL
 * (PROTKEYCTL_FAULT) after each of its header commits: the volume still
 * opens with the data intact, and the step completes when run again (R5);
 * a staged key that two master-key changes moved to OLD, a token left
 * without its keyslot, the block device's lock held by another process,
 * the unbound keyslots of the old key, the keyslots' KDF, and key
 * reencipher's checks before it replaces the only copy of a key.
 *
 * Runs as root in the test VM with protkey.ko and protkey_emu.ko loaded.
 */
#include <sys/file.h>

#include "kselftest_harness.h"

#include "ctl.h"
#include "emu.h"

#define PASS_FILE "/tmp/pkrenc.pass"
#define MAP "pkrenc_vol"
#define MAP_PATH "/dev/mapper/" MAP
#define DEV_SIZE (32ULL << 20)
#define HDR_SIZE (16ULL << 20)
#define DATA_LEN (1ULL << 20)
#define KILLED 137 /* 128 + SIGKILL */
/* A token an earlier protkeyctl left without its keyslot (7). */
#define LONE_TOKEN                                                              \
	"{\"type\":\"paes-reencipher\",\"keyslots\":[],\"original-keyslot\":0," \
	"\"unbound-keyslot\":7,\"verification-pattern\":\"%s\"}"
#define BAD_TOKEN \
	"{\"type\":\"paes-reencipher\",\"keyslots\":[],\"original-keyslot\":\"zero\"}"

FIXTURE(renc)
{
	struct pk_nl nl;
	char ctl[256];
	char repo[64];
	struct pk_loop lo;
	char vp[80];
	unsigned int mk_seq;
	char out[PK_OUT_LEN];
};

FIXTURE_SETUP(renc)
{
	self->lo.fd = -1;
	if (!PK_CTL_SETUP("/tmp/pkrenc-repo.XXXXXX"))
		SKIP(return, "no protkeyctl installed");
	ASSERT_EQ(0, pk_write_file(PASS_FILE, "staple battery horse", 20));
}

FIXTURE_TEARDOWN(renc)
{
	unsetenv("PROTKEYCTL_FAULT");
	pk_dm_remove(MAP);
	pk_loop_teardown(&self->lo);
	unlink(PASS_FILE);
	pk_ctl_teardown(&self->nl, self->repo);
}

/* protkeyctl with PROTKEYCTL_FAULT=@fault: it kills itself there. */
#define CTL_FAULT(fault, ...)                         \
	({                                            \
		int rc_;                              \
		setenv("PROTKEYCTL_FAULT", fault, 1); \
		rc_ = CTL(__VA_ARGS__);               \
		unsetenv("PROTKEYCTL_FAULT");         \
		rc_;                                  \
	})

/* FNV-1a of the LUKS2 header area (metadata and keyslots) of the disk. */
static uint64_t header_hash(struct pk_loop *lo)
{
	uint64_t h = 1469598103934665603ULL;
	uint8_t *buf = malloc(1 << 20);
	uint64_t off;
	size_t i;

	if (!buf)
		return 0;
	for (off = 0; off < HDR_SIZE; off += 1 << 20) {
		if (pk_loop_read_raw(lo, off, buf, 1 << 20)) {
			h = 0;
			break;
		}
		for (i = 0; i < 1 << 20; i++)
			h = (h ^ buf[i]) * 1099511628211ULL;
	}
	free(buf);
	return h;
}

/* A master key of its own for each change (hex for "emu mk-load"). */
static const char *next_mk(FIXTURE_DATA(renc) * self, char *hex)
{
	unsigned int i;

	self->mk_seq++;
	for (i = 0; i < 64; i++)
		hex[i] = "0123456789abcdef"[(i * 7 + self->mk_seq * 13 +
					     (i >> 3) * self->mk_seq) &
					    15];
	hex[64] = '\0';
	return hex;
}

/*
 * The header as "cryptsetup luksDump" shows it: @slots keyslots (bound or
 * unbound), and whether a paes-reencipher token is there.
 */
static int dump(FIXTURE_DATA(renc) * self, int *slots, bool *renc_token)
{
	const char *p;
	int ret;

	ret = pk_run(self->out, sizeof(self->out), "cryptsetup", "luksDump",
		     self->lo.dev, NULL);
	if (ret)
		return -EIO;
	*slots = 0;
	for (p = self->out; (p = strstr(p, ": luks2")); p++)
		(*slots)++;
	*renc_token = strstr(self->out, "paes-reencipher") != NULL;
	return 0;
}

/* The serial of the live .protkey key object for pattern @vp, or 0. */
static long live_serial(const char *vp)
{
	char line[512], type[32], desc[160];
	unsigned int serial;
	long found = 0;
	FILE *f;

	f = fopen("/proc/keys", "r");
	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f))
		if (sscanf(line, "%x %*s %*s %*s %*s %*s %*s %31s %159s",
			   &serial, type, desc) == 3 &&
		    !strcmp(type, "protkey") && !strncmp(desc, vp, 64))
			found = serial;
	fclose(f);
	return found;
}

/* A key, a LUKS2 volume on it with 1 MiB of data, open as MAP. */
static int volume_setup(FIXTURE_DATA(renc) * self, uint32_t seed)
{
	int ret;

	ret = pk_loop_setup(&self->lo, "pkrenc", DEV_SIZE);
	ret = ret ?: CTL("key", "generate", "vk");
	ret = ret ?: CTL("--json", "key", "show", "vk");
	ret = ret   ?:
		      pk_json_get(self->out, "verification-pattern", self->vp,
				  sizeof(self->vp));
	ret = ret   ?:
		      CTL("volume", "format", self->lo.dev, "--key", "vk",
			  "--key-file", PASS_FILE);
	ret = ret   ?:
		      CTL("volume", "open", self->lo.dev, MAP, "--key-file",
			  PASS_FILE);
	return ret ?: pk_roundtrip(MAP_PATH, DATA_LEN, seed, true);
}

/* Closed and opened again from the header: the data must be there. */
static int reopen_check(FIXTURE_DATA(renc) * self, uint32_t seed)
{
	int ret;

	ret = CTL("volume", "close", MAP);
	ret = ret   ?:
		      CTL("volume", "open", self->lo.dev, MAP, "--key-file",
			  PASS_FILE);
	return ret ?: pk_roundtrip(MAP_PATH, DATA_LEN, seed, false);
}

TEST_F_TIMEOUT(renc, staged_complete_rekeys_live_and_survives_next_mk_change,
	       300)
{
	char mk[65], v[80];
	bool token;
	long serial;
	int slots;

	ASSERT_EQ(0, volume_setup(self, 21)) TH_LOG("%s", self->out);
	serial = live_serial(self->vp);
	ASSERT_NE(0, serial) TH_LOG("no live key object for %s", self->vp);

	/* no NEW master key: staging fails, the header is untouched */
	uint64_t h0 = header_hash(&self->lo);

	EXPECT_EQ(4, CTL("volume", "reencipher", self->lo.dev, "--staged",
			 "--key-file", PASS_FILE))
	TH_LOG("%s", self->out);
	EXPECT_EQ(h0, header_hash(&self->lo));

	ASSERT_EQ(0, CTL("emu", "mk-load", next_mk(self, mk)));
	ASSERT_EQ(0, CTL("--json", "volume", "reencipher", self->lo.dev,
			 "--staged", "--key-file", PASS_FILE))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0, pk_json_get(self->out, "step", v, sizeof(v)));
	EXPECT_STREQ("staged", v);
	ASSERT_EQ(0, dump(self, &slots, &token));
	EXPECT_EQ(2, slots) TH_LOG("%s", self->out);
	EXPECT_TRUE(token) TH_LOG("%s", self->out);
	/* staged twice is refused and changes nothing */
	h0 = header_hash(&self->lo);
	EXPECT_EQ(5, CTL("volume", "reencipher", self->lo.dev, "--staged",
			 "--key-file", PASS_FILE))
	TH_LOG("%s", self->out);
	/* the NEW master key is not set: the staged key does not derive */
	EXPECT_EQ(4, CTL("volume", "reencipher", self->lo.dev, "--complete",
			 "--key-file", PASS_FILE))
	TH_LOG("%s", self->out);
	EXPECT_EQ(h0, header_hash(&self->lo));
	/* staged, the volume opens with the old key as before */
	EXPECT_EQ(0, reopen_check(self, 21)) TH_LOG("%s", self->out);
	serial = live_serial(self->vp);

	ASSERT_EQ(0, CTL("emu", "mk-set"));
	ASSERT_EQ(0, CTL("--json", "volume", "reencipher", self->lo.dev,
			 "--complete", "--key-file", PASS_FILE))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0, pk_json_get(self->out, "live-key", v, sizeof(v)));
	EXPECT_EQ(serial, strtol(v, NULL, 10)) TH_LOG("live-key %s", v);
	ASSERT_EQ(0,
		  pk_json_get(self->out, "verification-pattern", v, sizeof(v)));
	EXPECT_STREQ(self->vp, v);
	ASSERT_EQ(0, dump(self, &slots, &token));
	EXPECT_EQ(1, slots) TH_LOG("%s", self->out);
	EXPECT_FALSE(token) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "paes-verification-pattern"));
	/* run again: the live key object has the key already (a no-op) */
	EXPECT_EQ(0, CTL("volume", "reencipher", self->lo.dev, "--complete",
			 "--key-file", PASS_FILE))
	TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "complete already"))
	TH_LOG("%s", self->out);

	/*
	 * The next master-key change retires the key the volume was opened
	 * with. The open mapping re-derives after a migration from the blob
	 * the complete step gave its key object; a reopen uses the header.
	 */
	ASSERT_EQ(0, CTL("emu", "mk-load", next_mk(self, mk)));
	ASSERT_EQ(0, CTL("emu", "mk-set"));
	ASSERT_EQ(0, CTL("emu", "migrate"));
	EXPECT_EQ(0, pk_roundtrip(MAP_PATH, DATA_LEN, 21, false));
	EXPECT_EQ(0, reopen_check(self, 21)) TH_LOG("%s", self->out);
	EXPECT_EQ(0, CTL("volume", "close", MAP));
}

TEST_F_TIMEOUT(renc, from_old_reenciphers_in_place_and_rekey_by_key_file, 300)
{
	char mk[65], v[80];
	bool token;
	int slots;

	ASSERT_EQ(0, volume_setup(self, 22)) TH_LOG("%s", self->out);
	/* the MK changes under the volume: its key is now under OLD */
	ASSERT_EQ(0, CTL("emu", "mk-load", next_mk(self, mk)));
	ASSERT_EQ(0, CTL("emu", "mk-set"));
	ASSERT_EQ(0, CTL("--json", "volume", "reencipher", self->lo.dev,
			 "--from-old", "--key-file", PASS_FILE))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0, pk_json_get(self->out, "step", v, sizeof(v)));
	EXPECT_STREQ("from-old", v);
	ASSERT_EQ(0, dump(self, &slots, &token));
	EXPECT_EQ(1, slots) TH_LOG("%s", self->out);
	EXPECT_FALSE(token) TH_LOG("%s", self->out);
	/* rekey from the header: the live object takes it again (no-op) */
	EXPECT_EQ(0, CTL("volume", "rekey", MAP, "--key-file", PASS_FILE))
	TH_LOG("%s", self->out);
	EXPECT_EQ(2, CTL("volume", "rekey", "pkrenc_none", "--key-file",
			 PASS_FILE))
	TH_LOG("%s", self->out);

	ASSERT_EQ(0, CTL("emu", "mk-load", next_mk(self, mk)));
	ASSERT_EQ(0, CTL("emu", "mk-set"));
	ASSERT_EQ(0, CTL("emu", "migrate"));
	EXPECT_EQ(0, pk_roundtrip(MAP_PATH, DATA_LEN, 22, false));
	EXPECT_EQ(0, reopen_check(self, 22)) TH_LOG("%s", self->out);
	EXPECT_EQ(0, CTL("volume", "close", MAP));
}

/*
 * SIGKILL after each header commit of each step. After every kill the
 * volume opens and reads back its data; running the step again finishes
 * the work (or reports it done); the end state is one keyslot, no token,
 * and a key under the CURRENT master key (the volume survives the next
 * change).
 */
TEST_F_TIMEOUT(renc, interrupted_after_each_commit_opens_and_resumes, 600)
{
	static const char *const faults[] = {
		"staged-keyslot",   "staged-token",   "complete-segment",
		"complete-keyslot", "complete-token",
	};
	char mk[65];
	unsigned int i;
	bool token;
	int slots, rc;

	ASSERT_EQ(0, volume_setup(self, 23)) TH_LOG("%s", self->out);
	for (i = 0; i < ARRAY_SIZE(faults); i++) {
		bool staged = !strncmp(faults[i], "staged", 6);

		TH_LOG("interrupting after %s", faults[i]);
		ASSERT_EQ(0, CTL("emu", "mk-load", next_mk(self, mk)));
		if (staged) {
			EXPECT_EQ(KILLED,
				  CTL_FAULT(faults[i], "volume", "reencipher",
					    self->lo.dev, "--staged",
					    "--key-file", PASS_FILE))
			TH_LOG("%s", self->out);
			EXPECT_EQ(0, reopen_check(self, 23))
			TH_LOG("after %s: %s", faults[i], self->out);
			rc = CTL("volume", "reencipher", self->lo.dev,
				 "--staged", "--key-file", PASS_FILE);
			/* 5: the token was in before the kill */
			EXPECT_EQ(!strcmp(faults[i], "staged-token") ? 5 : 0,
				  rc)
			TH_LOG("%s", self->out);
			ASSERT_EQ(0, CTL("emu", "mk-set"));
			ASSERT_EQ(0, CTL("volume", "reencipher", self->lo.dev,
					 "--complete", "--key-file", PASS_FILE))
			TH_LOG("%s", self->out);
		} else {
			ASSERT_EQ(0, CTL("volume", "reencipher", self->lo.dev,
					 "--staged", "--key-file", PASS_FILE))
			TH_LOG("%s", self->out);
			ASSERT_EQ(0, CTL("emu", "mk-set"));
			EXPECT_EQ(KILLED,
				  CTL_FAULT(faults[i], "volume", "reencipher",
					    self->lo.dev, "--complete",
					    "--key-file", PASS_FILE))
			TH_LOG("%s", self->out);
			EXPECT_EQ(0, reopen_check(self, 23))
			TH_LOG("after %s: %s", faults[i], self->out);
			rc = CTL("volume", "reencipher", self->lo.dev,
				 "--complete", "--key-file", PASS_FILE);
			/* after the token: the live key update is finished */
			EXPECT_EQ(0, rc)
			TH_LOG("%s", self->out);
		}
		ASSERT_EQ(0, dump(self, &slots, &token));
		EXPECT_EQ(1, slots)
		TH_LOG("after %s: %s", faults[i], self->out);
		EXPECT_FALSE(token)
		TH_LOG("after %s: %s", faults[i], self->out);
		/* the header's key is CURRENT: opens after this MK change */
		EXPECT_EQ(0, reopen_check(self, 23))
		TH_LOG("after %s: %s", faults[i], self->out);
	}
	EXPECT_EQ(0, CTL("volume", "close", MAP));
}

TEST_F_TIMEOUT(renc, bad_input_gets_a_clear_error_and_changes_nothing, 300)
{
	uint64_t h0;
	char mk[65];

	ASSERT_EQ(0, volume_setup(self, 24)) TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("volume", "close", MAP));
	ASSERT_EQ(0, CTL("emu", "mk-load", next_mk(self, mk)));
	h0 = header_hash(&self->lo);

	/* usage: no step, two steps, no key file */
	EXPECT_EQ(1, CTL("volume", "reencipher", self->lo.dev, "--key-file",
			 PASS_FILE));
	EXPECT_EQ(1, CTL("volume", "reencipher", self->lo.dev, "--staged",
			 "--complete", "--key-file", PASS_FILE));
	/* no --key-file and no terminal to ask on (stdin /dev/null) */
	EXPECT_EQ(3, CTL("volume", "reencipher", self->lo.dev, "--staged"));
	EXPECT_NE(NULL, strstr(self->out, "no terminal to ask on"))
	TH_LOG("%s", self->out);
	/* a wrong passphrase opens no keyslot */
	ASSERT_EQ(0, pk_write_file("/tmp/pkrenc.wrong", "wrong", 5));
	EXPECT_EQ(9, CTL("volume", "reencipher", self->lo.dev, "--staged",
			 "--key-file", "/tmp/pkrenc.wrong"))
	TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "passphrase"))
	TH_LOG("%s", self->out);
	unlink("/tmp/pkrenc.wrong");
	/* nothing staged */
	EXPECT_EQ(2, CTL("volume", "reencipher", self->lo.dev, "--complete",
			 "--key-file", PASS_FILE))
	TH_LOG("%s", self->out);
	EXPECT_EQ(h0, header_hash(&self->lo));

	/* a malformed paes-reencipher token: refused, header unchanged */
	ASSERT_EQ(0, pk_write_file("/tmp/pkrenc.tok", BAD_TOKEN,
				   strlen(BAD_TOKEN)));
	ASSERT_EQ(0, pk_run(self->out, sizeof(self->out), "cryptsetup", "token",
			    "import", "--json-file", "/tmp/pkrenc.tok",
			    self->lo.dev, NULL))
	TH_LOG("%s", self->out);
	unlink("/tmp/pkrenc.tok");
	h0 = header_hash(&self->lo);
	EXPECT_EQ(3, CTL("volume", "reencipher", self->lo.dev, "--staged",
			 "--key-file", PASS_FILE))
	TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "malformed")) TH_LOG("%s", self->out);
	EXPECT_EQ(3, CTL("volume", "reencipher", self->lo.dev, "--complete",
			 "--key-file", PASS_FILE))
	TH_LOG("%s", self->out);
	EXPECT_EQ(h0, header_hash(&self->lo));

	/* not a LUKS2 device */
	EXPECT_EQ(3, CTL("volume", "reencipher", "/dev/null", "--staged",
			 "--key-file", PASS_FILE))
	TH_LOG("%s", self->out);
}

/* Whether every keyslot of a luksDump in @out uses argon2i. */
static bool keyslots_argon2i(const char *out)
{
	const char *p;
	int n = 0;

	for (p = out; (p = strstr(p, "PBKDF:")); p++, n++)
		if (strncmp(p + strspn(p + 6, " \t") + 6, "argon2i", 7))
			return false;
	return n > 0;
}

/* Loads a new master key and sets it: NEW -> CURRENT -> OLD. */
static int mk_change(FIXTURE_DATA(renc) * self)
{
	char mk[65];

	return CTL("emu", "mk-load", next_mk(self, mk)) ?: CTL("emu", "mk-set");
}

/* The open mapping re-derives after the next change and a migration. */
static int survives_next_change(FIXTURE_DATA(renc) * self, uint32_t seed)
{
	return mk_change(self)		     ?:
		       CTL("emu", "migrate") ?:
		       pk_roundtrip(MAP_PATH, DATA_LEN, seed, false);
}

TEST_F_TIMEOUT(renc, key_reencipher_never_replaces_the_key_with_a_bad_blob, 120)
{
	char mk[65];
	uint64_t fp;

	ASSERT_EQ(0, CTL("key", "generate", "rk")) TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("emu", "mk-load", next_mk(self, mk)));
	ASSERT_EQ(0, CTL("key", "reencipher", "rk", "--staged"))
	TH_LOG("%s", self->out);
	/* NEW not set yet: the staged key does not derive, nothing moves */
	fp = pk_repo_fingerprint(self->repo);
	EXPECT_EQ(4, CTL("key", "reencipher", "rk", "--complete"))
	TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "might yet have to be set"))
	TH_LOG("%s", self->out);
	EXPECT_EQ(fp, pk_repo_fingerprint(self->repo));
	ASSERT_EQ(0, CTL("emu", "mk-set"));
	ASSERT_EQ(0, CTL("key", "reencipher", "rk", "--complete"))
	TH_LOG("%s", self->out);

	/* OLD -> CURRENT: a blob of another key is refused, the key kept */
	ASSERT_EQ(0, mk_change(self));
	fp = pk_repo_fingerprint(self->repo);
	setenv("PROTKEYCTL_FAULT", "renc-blob", 1);
	/* a blob no adapter unwraps: exit 4 */
	EXPECT_EQ(4, CTL("key", "reencipher", "rk", "--from-old"))
	TH_LOG("%s", self->out);
	unsetenv("PROTKEYCTL_FAULT");
	EXPECT_NE(NULL, strstr(self->out, "nothing changed"))
	TH_LOG("%s", self->out);
	EXPECT_EQ(fp, pk_repo_fingerprint(self->repo));
	/* another key that derives: a pattern mismatch, exit 10 */
	ASSERT_EQ(0, CTL("key", "generate", "other")) TH_LOG("%s", self->out);
	unlink("/tmp/pkrenc-other.skey");
	ASSERT_EQ(0, CTL("key", "export", "other", "/tmp/pkrenc-other.skey"));
	fp = pk_repo_fingerprint(self->repo);
	setenv("PROTKEYCTL_FAULT", "renc-blob-of:/tmp/pkrenc-other.skey", 1);
	EXPECT_EQ(10, CTL("key", "reencipher", "rk", "--from-old"))
	TH_LOG("%s", self->out);
	unsetenv("PROTKEYCTL_FAULT");
	unlink("/tmp/pkrenc-other.skey");
	EXPECT_NE(NULL, strstr(self->out, "it is another key; nothing changed"))
	TH_LOG("%s", self->out);
	EXPECT_EQ(fp, pk_repo_fingerprint(self->repo));
	EXPECT_EQ(0, CTL("key", "reencipher", "rk", "--from-old"))
	TH_LOG("%s", self->out);
	EXPECT_EQ(0, CTL("key", "validate", "rk")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "current")) TH_LOG("%s", self->out);
}

TEST_F_TIMEOUT(renc, second_run_while_the_device_is_locked_is_busy, 300)
{
	char mk[65];
	uint64_t h0;
	int fd;

	ASSERT_EQ(0, volume_setup(self, 25)) TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("emu", "mk-load", next_mk(self, mk)));
	/* what a running protkeyctl (or cryptsetup, udev) holds */
	fd = open(self->lo.dev, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, flock(fd, LOCK_EX));
	h0 = header_hash(&self->lo);
	EXPECT_EQ(3, CTL("volume", "reencipher", self->lo.dev, "--staged",
			 "--key-file", PASS_FILE))
	TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "busy")) TH_LOG("%s", self->out);
	EXPECT_EQ(h0, header_hash(&self->lo));
	close(fd);
	EXPECT_EQ(0, CTL("volume", "reencipher", self->lo.dev, "--staged",
			 "--key-file", PASS_FILE))
	TH_LOG("%s", self->out);
	EXPECT_EQ(0, CTL("volume", "close", MAP));
}

/*
 * Two master-key changes between --staged and --complete: the staged key
 * is under OLD, the volume's original key under none. --complete
 * re-enciphers the staged key to CURRENT, so the volume and the open
 * mapping survive the change after.
 */
TEST_F_TIMEOUT(renc, complete_after_two_mk_changes_reenciphers_the_staged_key,
	       300)
{
	char mk[65], v[80];
	bool token;
	int slots;

	ASSERT_EQ(0, volume_setup(self, 26)) TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("emu", "mk-load", next_mk(self, mk)));
	ASSERT_EQ(0, CTL("volume", "reencipher", self->lo.dev, "--staged",
			 "--key-file", PASS_FILE))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("emu", "mk-set"));
	ASSERT_EQ(0, mk_change(self));
	ASSERT_EQ(0, CTL("--json", "volume", "reencipher", self->lo.dev,
			 "--complete", "--key-file", PASS_FILE))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0, pk_json_get(self->out, "staged-key-reenciphered", v,
				 sizeof(v)));
	EXPECT_STREQ("true", v);
	ASSERT_EQ(0, dump(self, &slots, &token));
	EXPECT_EQ(1, slots) TH_LOG("%s", self->out);
	EXPECT_FALSE(token) TH_LOG("%s", self->out);
	EXPECT_EQ(0, survives_next_change(self, 26));
	EXPECT_EQ(0, reopen_check(self, 26)) TH_LOG("%s", self->out);
	EXPECT_EQ(0, CTL("volume", "close", MAP));
}

/*
 * Killed after the last header commit of --complete, before the live key
 * object got the new key: the rerun gives it, and the open mapping
 * survives the next change.
 */
TEST_F_TIMEOUT(renc, rerun_after_the_header_commits_updates_the_live_key, 300)
{
	char mk[65], v[80];
	long serial;

	ASSERT_EQ(0, volume_setup(self, 27)) TH_LOG("%s", self->out);
	serial = live_serial(self->vp);
	ASSERT_NE(0, serial);
	ASSERT_EQ(0, CTL("emu", "mk-load", next_mk(self, mk)));
	ASSERT_EQ(0, CTL("volume", "reencipher", self->lo.dev, "--staged",
			 "--key-file", PASS_FILE))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("emu", "mk-set"));
	EXPECT_EQ(KILLED, CTL_FAULT("complete-token", "volume", "reencipher",
				    self->lo.dev, "--complete", "--key-file",
				    PASS_FILE))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("--json", "volume", "reencipher", self->lo.dev,
			 "--complete", "--key-file", PASS_FILE))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0, pk_json_get(self->out, "resumed", v, sizeof(v)));
	EXPECT_STREQ("true", v);
	ASSERT_EQ(0, pk_json_get(self->out, "live-key", v, sizeof(v)));
	EXPECT_EQ(serial, strtol(v, NULL, 10)) TH_LOG("live-key %s", v);
	EXPECT_EQ(0, survives_next_change(self, 27));
	EXPECT_EQ(0, CTL("volume", "close", MAP));
}

/*
 * A paes-reencipher token without its keyslot (an earlier protkeyctl
 * wrote the token first and was killed), then the master key was set:
 * --complete says to run --from-old, which works; nothing else changed.
 */
TEST_F_TIMEOUT(renc, token_without_its_keyslot_says_from_old, 300)
{
	char json[256];
	uint64_t h0;
	bool token;
	int slots;

	ASSERT_EQ(0, volume_setup(self, 28)) TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("volume", "close", MAP));
	snprintf(json, sizeof(json), LONE_TOKEN, self->vp);
	ASSERT_EQ(0, pk_write_file("/tmp/pkrenc.tok", json, strlen(json)));
	ASSERT_EQ(0, pk_run(self->out, sizeof(self->out), "cryptsetup", "token",
			    "import", "--json-file", "/tmp/pkrenc.tok",
			    self->lo.dev, NULL))
	TH_LOG("%s", self->out);
	unlink("/tmp/pkrenc.tok");
	ASSERT_EQ(0, mk_change(self));
	h0 = header_hash(&self->lo);
	EXPECT_EQ(3, CTL("volume", "reencipher", self->lo.dev, "--complete",
			 "--key-file", PASS_FILE))
	TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "--from-old"))
	TH_LOG("%s", self->out);
	EXPECT_EQ(NULL, strstr(self->out, "does not open"))
	TH_LOG("%s", self->out);
	EXPECT_EQ(h0, header_hash(&self->lo));
	EXPECT_EQ(0, CTL("volume", "reencipher", self->lo.dev, "--from-old",
			 "--key-file", PASS_FILE))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0, dump(self, &slots, &token));
	EXPECT_EQ(1, slots) TH_LOG("%s", self->out);
	EXPECT_FALSE(token) TH_LOG("%s", self->out);
	EXPECT_EQ(0, CTL("volume", "open", self->lo.dev, MAP, "--key-file",
			 PASS_FILE))
	TH_LOG("%s", self->out);
	EXPECT_EQ(0, pk_roundtrip(MAP_PATH, DATA_LEN, 28, false));
	EXPECT_EQ(0, CTL("volume", "close", MAP));
}

/*
 * The keyslots' KDF: the new volume's is zkey's (argon2i), the staged
 * keyslot copies it; the old key's other keyslot (pbkdf2, another
 * passphrase) is kept unbound by a batch --complete and removed by
 * --complete --remove-unbound.
 */
TEST_F_TIMEOUT(renc, keyslots_keep_their_kdf_and_unbound_ones_go_on_request,
	       300)
{
	char v[80];
	bool token;
	int slots;

	ASSERT_EQ(0, volume_setup(self, 29)) TH_LOG("%s", self->out);
	/* volume format: zkey's KDF */
	ASSERT_EQ(0, dump(self, &slots, &token));
	EXPECT_TRUE(keyslots_argon2i(self->out)) TH_LOG("%s", self->out);
	ASSERT_EQ(0, pk_write_file("/tmp/pkrenc.other", "other", 5));
	ASSERT_EQ(0, pk_run(self->out, sizeof(self->out), "cryptsetup",
			    "luksAddKey", "--key-file", PASS_FILE, "--pbkdf",
			    "pbkdf2", "--pbkdf-force-iterations", "1000",
			    self->lo.dev, "/tmp/pkrenc.other", NULL))
	TH_LOG("%s", self->out);
	unlink("/tmp/pkrenc.other");

	ASSERT_EQ(0, CTL("emu", "mk-load", next_mk(self, v)));
	ASSERT_EQ(0, CTL("volume", "reencipher", self->lo.dev, "--staged",
			 "--key-file", PASS_FILE))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("emu", "mk-set"));
	ASSERT_EQ(0, CTL("volume", "reencipher", self->lo.dev, "--complete",
			 "--key-file", PASS_FILE))
	TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "kept")) TH_LOG("%s", self->out);
	ASSERT_EQ(0, dump(self, &slots, &token));
	EXPECT_EQ(2, slots) TH_LOG("%s", self->out);
	/* the new keyslot has the KDF of the one it replaced: argon2i */
	EXPECT_NE(NULL, strstr(self->out, "argon2i")) TH_LOG("%s", self->out);

	ASSERT_EQ(0, CTL("emu", "mk-load", next_mk(self, v)));
	ASSERT_EQ(0, CTL("volume", "reencipher", self->lo.dev, "--staged",
			 "--key-file", PASS_FILE))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("emu", "mk-set"));
	ASSERT_EQ(0, CTL("--json", "volume", "reencipher", self->lo.dev,
			 "--complete", "--remove-unbound", "--key-file",
			 PASS_FILE))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0, pk_json_get(self->out, "unbound-keyslots-left", v,
				 sizeof(v)));
	EXPECT_STREQ("0", v);
	ASSERT_EQ(0, dump(self, &slots, &token));
	EXPECT_EQ(1, slots) TH_LOG("%s", self->out);
	EXPECT_TRUE(keyslots_argon2i(self->out)) TH_LOG("%s", self->out);
	EXPECT_EQ(0, reopen_check(self, 29)) TH_LOG("%s", self->out);
	EXPECT_EQ(0, CTL("volume", "close", MAP));
}

TEST_HARNESS_MAIN
