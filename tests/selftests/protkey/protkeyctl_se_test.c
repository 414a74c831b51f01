// SPDX-License-Identifier: GPL-2.0-only
/*
 * protkeyctl in an emulated Secure Execution guest: add-secret requests
 * made off the guest (emu se create-secret), the Ultravisor's store (se
 * secret add, list in pvsecret's format, lock), a guest reboot that wipes
 * it, and the AP queues (apqn list, bind, associate, unbind) with lszcrypt
 * -V's states, each refusal checked for its exit status and for leaving
 * the store or the queues as they were.
 *
 * Runs as root in the test VM with protkey.ko and protkey_emu.ko loaded.
 */
#include "kselftest_harness.h"

#include "ctl.h"
#include "emu.h"

#define IK "/tmp/pkse.ik"
#define IK2 "/tmp/pkse.ik2"

FIXTURE(se)
{
	struct pk_nl nl;
	char ctl[256];
	char repo[64];
	struct pk_loop lo;
	char out[PK_OUT_LEN];
};

#define PASS "/tmp/pkse.pass"
#define VOL "pkse_vol"
#define MNT "/tmp/pkse.d/mnt"
#define FILE_TEXT "the file of the whitepaper's volume\n"

FIXTURE_SETUP(se)
{
	self->lo.fd = -1;
	if (!PK_CTL_SETUP("/tmp/pkse-repo.XXXXXX"))
		SKIP(return, "no protkeyctl installed");
	pk_run(NULL, 0, "sh", "-c", "rm -rf /tmp/pkse.*", NULL);
	ASSERT_EQ(0, mkdir("/tmp/pkse.d", 0700));
}

FIXTURE_TEARDOWN(se)
{
	pk_run(NULL, 0, "umount", MNT, NULL);
	pk_dm_remove(VOL);
	pk_loop_teardown(&self->lo);
	if (self->nl.sk)
		PKE_REQ(&self->nl, PROTKEY_EMU_CMD_SE_SET,
			PKE_U32(PROTKEY_EMU_A_ASSOC_DELAY_MS, 20));
	if (self->nl.sk)
		pke_set_mode_all(&self->nl, PROTKEY_EMU_MODE_CCA);
	pk_run(NULL, 0, "sh", "-c", "rm -rf /tmp/pkse.*", NULL);
	pk_ctl_teardown(&self->nl, self->repo);
}

/* "Total number of secrets: N" of se secret list, or -1. */
static int total(FIXTURE_DATA(se) * self)
{
	int n = -1;

	if (CTL("se", "secret", "list"))
		return -1;
	if (sscanf(self->out, "Total number of secrets: %d", &n) != 1)
		return -1;
	return n;
}

TEST_F_TIMEOUT(se, secrets_add_list_force_lock_and_reboot, 120)
{
	char id[67], line[256], yaml[512];

	ASSERT_EQ(0, CTL("emu", "se", "on", "--image-key", IK))
	TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "EMULATED"));
	EXPECT_EQ(0, total(self)) TH_LOG("%s", self->out);

	/* off the guest: the request and the secret's info */
	ASSERT_EQ(0,
		  CTL("emu", "se", "create-secret", "association", "assoc one",
		      "--image-key", IK, "--output", "/tmp/pkse.d/a1"))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0, id_hex("assoc one", id));
	ASSERT_EQ(0, pk_read_file("/tmp/pkse.d/assoc_one.yaml", yaml,
				  sizeof(yaml)));
	snprintf(line, sizeof(line), "!Association\nname: assoc one\nid: %s\n",
		 id);
	EXPECT_STREQ(line, yaml);

	/* in the guest: added, listed as pvsecret list prints it */
	ASSERT_EQ(0, CTL("se", "secret", "add", "/tmp/pkse.d/a1"))
	TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "added as secret 0"));
	ASSERT_EQ(0, CTL("se", "secret", "list"));
	snprintf(line, sizeof(line),
		 "Total number of secrets: 1\n\n0 Association:\n %s\n", id);
	EXPECT_STREQ(line, self->out);

	/* the same ID again: refused, unless forced (pvsecret add --force) */
	EXPECT_EQ(5, CTL("se", "secret", "add", "/tmp/pkse.d/a1"))
	TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "/tmp/pkse.d/a1"));
	EXPECT_EQ(1, total(self));
	EXPECT_EQ(0, CTL("se", "secret", "add", "--force", "/tmp/pkse.d/a1"))
	TH_LOG("%s", self->out);
	EXPECT_EQ(2, total(self));

	/* made for another image, or not a request: refused, nothing added */
	ASSERT_EQ(0, CTL("emu", "se", "create-secret", "association", "other",
			 "--image-key", IK, "--output", "/tmp/pkse.d/o1"));
	ASSERT_EQ(0,
		  pk_write_file(IK2, "0123456789abcdef0123456789abcdef", 32));
	ASSERT_EQ(0, CTL("emu", "se", "create-secret", "association", "alien",
			 "--image-key", IK2, "--output", "/tmp/pkse.d/x1"));
	EXPECT_EQ(4, CTL("se", "secret", "add", "/tmp/pkse.d/x1"))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0, pk_write_file("/tmp/pkse.junk", "not a request", 13));
	EXPECT_EQ(3, CTL("se", "secret", "add", "/tmp/pkse.junk"))
	TH_LOG("%s", self->out);
	EXPECT_EQ(2, CTL("se", "secret", "add", "/tmp/pkse.none"))
	TH_LOG("%s", self->out);
	EXPECT_EQ(2, total(self));

	/* a retrievable AES-256 secret */
	ASSERT_EQ(0, CTL("emu", "se", "create-secret", "retrievable", "disk",
			 "--image-key", IK, "--output", "/tmp/pkse.d/r1",
			 "--type", "aes", "--secret", IK));
	ASSERT_EQ(0, CTL("se", "secret", "add", "/tmp/pkse.d/r1"));
	ASSERT_EQ(0, CTL("se", "secret", "list"));
	EXPECT_NE(NULL, strstr(self->out, "\n2 AES-256-KEY:\n"))
	TH_LOG("%s", self->out);

	/* locked: every add fails */
	ASSERT_EQ(0, CTL("se", "secret", "lock"));
	EXPECT_EQ(6, CTL("se", "secret", "add", "/tmp/pkse.d/o1"))
	TH_LOG("%s", self->out);
	EXPECT_EQ(3, total(self));

	/* a reboot wipes the store and the lock */
	ASSERT_EQ(0, CTL("emu", "se", "reboot")) TH_LOG("%s", self->out);
	EXPECT_EQ(0, total(self));
	EXPECT_EQ(0, CTL("se", "secret", "add", "/tmp/pkse.d/a1"))
	TH_LOG("%s", self->out);
	EXPECT_EQ(1, total(self));

	/* not an SE guest: no Ultravisor */
	ASSERT_EQ(0, CTL("emu", "se", "off"));
	EXPECT_EQ(4, CTL("se", "secret", "list")) TH_LOG("%s", self->out);
}

/* A field of @apqn's object in apqn list --json, or "". */
static const char *apqn_field(FIXTURE_DATA(se) * self, const char *apqn,
			      const char *field, char *buf, size_t len)
{
	char key[32], *p;

	buf[0] = '\0';
	if (CTL("--json", "apqn", "list"))
		return buf;
	snprintf(key, sizeof(key), "\"%s\"", apqn);
	p = strstr(self->out, key);
	if (p)
		pk_json_get(p, field, buf, len);
	return buf;
}

/* The "sestat" of @apqn in apqn list --json, or "". */
static const char *sestat(FIXTURE_DATA(se) * self, const char *apqn, char *buf,
			  size_t len)
{
	return apqn_field(self, apqn, "sestat", buf, len);
}

TEST_F_TIMEOUT(se, apqns_bind_associate_unbind_and_their_refusals, 120)
{
	char v[32];

	ASSERT_EQ(0, CTL("emu", "adapter", "mode", "ep11"))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("emu", "se", "on", "--image-key", IK));
	ASSERT_EQ(0, CTL("apqn", "list")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "Secure Execution guest: yes"));
	EXPECT_NE(NULL, strstr(self->out, "00.0001  EP11  no     unbound"))
	TH_LOG("%s", self->out);
	EXPECT_STREQ("unbound", sestat(self, "01.0001", v, sizeof(v)));

	ASSERT_EQ(0, CTL("emu", "se", "create-secret", "association", "a",
			 "--image-key", IK, "--output", "/tmp/pkse.d/a"));
	ASSERT_EQ(0, CTL("se", "secret", "add", "/tmp/pkse.d/a"));

	/* associate needs a bound queue; bind needs an unbound one */
	EXPECT_EQ(4, CTL("apqn", "associate", "00.0001", "0"))
	TH_LOG("%s", self->out);
	EXPECT_STREQ("unbound", sestat(self, "00.0001", v, sizeof(v)));
	ASSERT_EQ(0, CTL("apqn", "bind", "00.0001")) TH_LOG("%s", self->out);
	EXPECT_STREQ("bound", sestat(self, "00.0001", v, sizeof(v)));
	EXPECT_EQ(4, CTL("apqn", "bind", "00.0001")) TH_LOG("%s", self->out);
	EXPECT_STREQ("bound", sestat(self, "00.0001", v, sizeof(v)));

	/* associated: usable, with its index */
	ASSERT_EQ(0, CTL("apqn", "associate", "00.0001", "0"))
	TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "associated with secret index 0"));
	EXPECT_STREQ("usable", sestat(self, "00.0001", v, sizeof(v)));
	ASSERT_EQ(0, CTL("apqn", "list"));
	EXPECT_NE(NULL, strstr(self->out, "00.0001  EP11  yes    usable  0"))
	TH_LOG("%s", self->out);
	EXPECT_STREQ("unbound", sestat(self, "01.0001", v, sizeof(v)));

	/* an index with no association secret: the association fails */
	ASSERT_EQ(0, CTL("apqn", "bind", "01.0001"));
	EXPECT_EQ(4, CTL("apqn", "associate", "01.0001", "7"))
	TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "illicit"));
	EXPECT_STREQ("illicit", sestat(self, "01.0001", v, sizeof(v)));
	ASSERT_EQ(0, CTL("apqn", "unbind", "01.0001"));
	EXPECT_STREQ("unbound", sestat(self, "01.0001", v, sizeof(v)));

	/* bad arguments change nothing */
	EXPECT_EQ(1, CTL("apqn", "associate", "00.0001", "65536"));
	EXPECT_EQ(1, CTL("apqn", "bind", "0.1"));
	EXPECT_EQ(1,
		  CTL("apqn", "associate", "00.0001", "0", "--timeout", "0"));
	EXPECT_STREQ("usable", sestat(self, "00.0001", v, sizeof(v)));

	/* a CCA queue in an SE guest: no SE state, not bindable */
	ASSERT_EQ(0, CTL("emu", "adapter", "mode", "cca", "01.0001"))
	TH_LOG("%s", self->out);
	EXPECT_STREQ("-", sestat(self, "01.0001", v, sizeof(v)));
	EXPECT_EQ(4, CTL("apqn", "bind", "01.0001")) TH_LOG("%s", self->out);

	/* the reboot unbinds every queue */
	ASSERT_EQ(0, CTL("emu", "se", "reboot"));
	EXPECT_STREQ("unbound", sestat(self, "00.0001", v, sizeof(v)));

	/* unbind drops the association */
	ASSERT_EQ(0, CTL("se", "secret", "add", "/tmp/pkse.d/a"));
	ASSERT_EQ(0, CTL("apqn", "bind", "00.0001"));
	ASSERT_EQ(0, CTL("apqn", "associate", "00.0001", "0"));
	ASSERT_EQ(0, CTL("apqn", "unbind", "00.0001"));
	EXPECT_STREQ("unbound", sestat(self, "00.0001", v, sizeof(v)));
	ASSERT_EQ(0, CTL("--json", "apqn", "list"));
	EXPECT_EQ(NULL, strstr(self->out, "association-index"))
	TH_LOG("%s", self->out);
}

/* A committed, current EP11 wrapping key of 32 bytes @seed on @apqn. */
static int load_wk(FIXTURE_DATA(se) * self, const char *apqn, char seed)
{
	char hex[65];

	memset(hex, seed, 64);
	hex[64] = '\0';
	return CTL("emu", "mk-load", "--apqn", apqn, hex)      ?:
		       CTL("emu", "mk-commit", "--apqn", apqn) ?:
		       CTL("emu", "mk-set", "--apqn", apqn);
}

#define CONF "/tmp/pkse.d/pvapconfig.yaml"

/*
 * The emulator's WKVP of the wrapping key of 32 bytes 0x@seed@seed
 * (load_wk()): SHA-256(0x02 || WK), its first 16 bytes in hex, as an
 * EP11 key blob holds them (computed here, not by protkeyctl).
 */
static int wkvp16_hex(char seed, char out[33])
{
	uint8_t in[33], vp[32];
	char hex[3] = { seed, seed, 0 };
	int i, ret;

	in[0] = 0x02;
	memset(in + 1, (int)strtoul(hex, NULL, 16), 32);
	ret = pk_sha256(in, sizeof(in), vp);
	for (i = 0; i < 16; i++)
		sprintf(out + 2 * i, "%02x", vp[i]);
	return ret;
}

/* The size of @path, or -1. */
static long file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) ? -1 : (long)st.st_size;
}

TEST_F_TIMEOUT(se, ep11_xts_key_generate_validate_reencipher, 120)
{
	char wk_a[33], wk_b[33], line[128];

	ASSERT_EQ(0, wkvp16_hex('a', wk_a));
	ASSERT_EQ(0, wkvp16_hex('b', wk_b));
	ASSERT_EQ(0, CTL("emu", "adapter", "mode", "ep11"))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0, load_wk(self, "00.0001", 'a')) TH_LOG("%s", self->out);
	ASSERT_EQ(0, load_wk(self, "01.0001", 'a')) TH_LOG("%s", self->out);

	/* bad input: refused, no key made */
	EXPECT_EQ(1, CTL("key", "generate", "k", "--key-type", "EP11-AESX"));
	EXPECT_NE(0, CTL("key", "generate", "k", "--key-type", "EP11-AES",
			 "--xts", "--apqns", "07.0007"))
	TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "07.0007 does not exist"));
	EXPECT_NE(0, CTL("key", "show", "k"));

	/* two 336-byte EP11 tokens under the APQNs' CURRENT wrapping key */
	ASSERT_EQ(0, CTL("key", "generate", "k", "--key-type", "EP11-AES",
			 "--xts", "--apqns", "00.0001,01.0001"))
	TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "EP11-AES, XTS AES-256, 672 bytes"));
	ASSERT_EQ(0, CTL("key", "export", "k", "/tmp/pkse.d/k.skey"));
	EXPECT_EQ(672, file_size("/tmp/pkse.d/k.skey"));
	ASSERT_EQ(0, CTL("key", "show", "k"));
	EXPECT_NE(NULL, strstr(self->out, "key-type: EP11-AES\n"))
	TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "volume-key-bits: 5376\n"));
	snprintf(line, sizeof(line), "wkvp: %s %s\n", wk_a, wk_a);
	EXPECT_NE(NULL, strstr(self->out, line)) TH_LOG("want %s", line);
	ASSERT_EQ(0, CTL("key", "list"));
	EXPECT_NE(NULL, strstr(self->out, "EP11-AES")) TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("--json", "key", "show", "k"));
	EXPECT_NE(NULL, strstr(self->out, wk_a)) TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("key", "validate", "k")) TH_LOG("%s", self->out);
	snprintf(line, sizeof(line), "data half: EP11-AES WKVP %s: current",
		 wk_a);
	EXPECT_NE(NULL, strstr(self->out, line)) TH_LOG("%s", self->out);

	/* a CCA adapter or another wrapping key among the APQNs: refused */
	ASSERT_EQ(0, load_wk(self, "01.0001", 'b'));
	EXPECT_NE(0, CTL("key", "generate", "k2", "--key-type", "EP11-AES",
			 "--xts", "--apqns", "00.0001,01.0001"))
	TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "another CURRENT wrapping key"));
	EXPECT_NE(0, CTL("key", "show", "k2"));
	ASSERT_EQ(0, load_wk(self, "01.0001", 'a'));

	/* EP11 has no OLD register: --from-old refused, key unchanged */
	EXPECT_NE(0, CTL("key", "reencipher", "k", "--from-old"))
	TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "no OLD wrapping-key register"));
	/* no committed NEW: staging fails, nothing staged */
	EXPECT_NE(0, CTL("key", "reencipher", "k", "--staged"))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("key", "show", "k"));
	EXPECT_NE(NULL, strstr(self->out, "reencipher-staged: no"));

	/* NEW loaded and committed: CURRENT -> NEW staged, then complete */
	ASSERT_EQ(
		0,
		CTL("emu", "mk-load",
		    "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"));
	ASSERT_EQ(0, CTL("emu", "mk-commit"));
	ASSERT_EQ(0, CTL("key", "reencipher", "k", "--staged"))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("key", "show", "k"));
	EXPECT_NE(NULL, strstr(self->out, "reencipher-staged: yes"));
	snprintf(line, sizeof(line), "wkvp: %s %s\n", wk_a, wk_a);
	EXPECT_NE(NULL, strstr(self->out, line));
	ASSERT_EQ(0, CTL("emu", "mk-set"));
	/* the NEW key is CURRENT; the old one is gone (no OLD on EP11) */
	EXPECT_NE(0, CTL("key", "validate", "k")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, ": none"));
	ASSERT_EQ(0, CTL("key", "reencipher", "k", "--complete"))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("key", "show", "k"));
	snprintf(line, sizeof(line), "wkvp: %s %s\n", wk_b, wk_b);
	EXPECT_NE(NULL, strstr(self->out, line)) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "reencipher-staged: no"));
	EXPECT_EQ(0, CTL("key", "validate", "k")) TH_LOG("%s", self->out);
}

TEST_F_TIMEOUT(se, apqn_setup_does_what_pvapconfig_does, 180)
{
	char mk0[80], mk1[80], v[32], conf[512];

	ASSERT_EQ(0, CTL("emu", "adapter", "mode", "ep11"));
	ASSERT_EQ(0, load_wk(self, "00.0001", 'a')) TH_LOG("%s", self->out);
	ASSERT_EQ(0, load_wk(self, "01.0001", 'b')) TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("emu", "se", "on", "--image-key", IK));
	apqn_field(self, "00.0001", "mkvp", mk0, sizeof(mk0));
	apqn_field(self, "01.0001", "mkvp", mk1, sizeof(mk1));
	ASSERT_EQ(32, strlen(mk0)) TH_LOG("%s", self->out);
	ASSERT_STRNE(mk0, mk1);
	ASSERT_EQ(0, CTL("emu", "se", "create-secret", "association", "assoc1",
			 "--image-key", IK, "--output", "/tmp/pkse.d/a"));
	ASSERT_EQ(0, CTL("se", "secret", "add", "/tmp/pkse.d/a"));

	/* one EP11 entry, by name, with the full 64-digit pattern */
	snprintf(conf, sizeof(conf),
		 "- mode: EP11\n  mkvp: 0x%s%s\n  name: assoc1\n", mk0, mk1);
	ASSERT_EQ(0, pk_write_file(CONF, conf, strlen(conf)));

	/* a dry run changes nothing */
	ASSERT_EQ(0, CTL("apqn", "setup", "--config", CONF, "--dry-run"))
	TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "would bind APQN 00.0001 and "
					  "associate it with secret index 0"))
	TH_LOG("%s", self->out);
	EXPECT_STREQ("unbound", sestat(self, "00.0001", v, sizeof(v)));

	ASSERT_EQ(0, CTL("apqn", "setup", "--config", CONF))
	TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "applied 1 of 1"));
	EXPECT_STREQ("usable", sestat(self, "00.0001", v, sizeof(v)));
	EXPECT_STREQ("unbound", sestat(self, "01.0001", v, sizeof(v)));

	/* idempotent; a bound queue no entry wants is unbound */
	ASSERT_EQ(0, CTL("apqn", "bind", "01.0001"));
	ASSERT_EQ(0, CTL("apqn", "setup", "--config", CONF))
	TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "APQN 00.0001 already satisfies"));
	EXPECT_NE(NULL, strstr(self->out, "unbind APQN 01.0001"));
	EXPECT_STREQ("usable", sestat(self, "00.0001", v, sizeof(v)));
	EXPECT_STREQ("unbound", sestat(self, "01.0001", v, sizeof(v)));

	/* a second entry whose secret is missing: --strict fails */
	snprintf(conf, sizeof(conf),
		 "- mode: EP11\n  mkvp: %s\n  name: assoc1\n"
		 "- mode: EP11\n  mkvp: %s\n  name: nosuch\n",
		 mk0, mk1);
	ASSERT_EQ(0, pk_write_file(CONF, conf, strlen(conf)));
	EXPECT_EQ(4, CTL("apqn", "setup", "--config", CONF, "--strict"))
	TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "not in the UV's secrets"));
	EXPECT_EQ(0, CTL("apqn", "setup", "--config", CONF))
	TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "applied 1 of 2"));

	/* a malformed file, a held lock: refused, no queue changed */
	ASSERT_EQ(0, CTL("apqn", "bind", "01.0001"));
	ASSERT_EQ(0, pk_write_file(CONF, "- mode: EP11\n  colour: red\n", 26));
	EXPECT_EQ(3, CTL("apqn", "setup", "--config", CONF))
	TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "unknown field 'colour'"));
	EXPECT_STREQ("bound", sestat(self, "01.0001", v, sizeof(v)));
	ASSERT_EQ(0, pk_write_file("/run/lock/pvapconfig.lock", "1", 1));
	EXPECT_EQ(3, CTL("apqn", "setup", "--unbind")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "pvapconfig.lock exists"));
	EXPECT_STREQ("bound", sestat(self, "01.0001", v, sizeof(v)));
	unlink("/run/lock/pvapconfig.lock");

	/* --unbind: every queue */
	ASSERT_EQ(0, CTL("apqn", "setup", "--unbind")) TH_LOG("%s", self->out);
	EXPECT_STREQ("unbound", sestat(self, "00.0001", v, sizeof(v)));
	EXPECT_STREQ("unbound", sestat(self, "01.0001", v, sizeof(v)));

	/* after a reboot, without the secret added again: nothing applies */
	snprintf(conf, sizeof(conf),
		 "- mode: EP11\n  mkvp: %s\n  name: assoc1\n", mk0);
	ASSERT_EQ(0, pk_write_file(CONF, conf, strlen(conf)));
	ASSERT_EQ(0, CTL("emu", "se", "reboot"));
	EXPECT_EQ(4, CTL("apqn", "setup", "--config", CONF))
	TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "no UV secrets"));
	EXPECT_NE(NULL, strstr(self->out, "none of the 1 AP config entries"));
	EXPECT_EQ(0, access("/run/lock/pvapconfig.lock", F_OK) ? 0 : -1);

	/* not an SE guest */
	ASSERT_EQ(0, CTL("emu", "se", "off"));
	EXPECT_EQ(4, CTL("apqn", "setup", "--config", CONF))
	TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "not an SE guest"));
}

/* Writes @n bytes of @seed to @path. */
TEST_F_TIMEOUT(se, uv_secret_key_import_validate_and_volume_across_reboot, 180)
{
	char id_t[67], line[256];

	ASSERT_EQ(0, CTL("emu", "se", "on", "--image-key", IK));
	ASSERT_EQ(0, seed_file("/tmp/pkse.d/s1", 0x31, 32));
	ASSERT_EQ(0, seed_file("/tmp/pkse.d/s2", 0x32, 32));
	ASSERT_EQ(0, seed_file("/tmp/pkse.d/s3", 0x33, 64));
	ASSERT_EQ(0,
		  CTL("emu", "se", "create-secret", "retrievable", "disk-data",
		      "--image-key", IK, "--output", "/tmp/pkse.d/r1", "--type",
		      "aes", "--secret", "/tmp/pkse.d/s1"))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0,
		  CTL("emu", "se", "create-secret", "retrievable", "disk-tweak",
		      "--image-key", IK, "--output", "/tmp/pkse.d/r2", "--type",
		      "aes", "--secret", "/tmp/pkse.d/s2"));
	ASSERT_EQ(0, CTL("emu", "se", "create-secret", "retrievable", "xts",
			 "--image-key", IK, "--output", "/tmp/pkse.d/r3",
			 "--type", "aes-xts", "--secret", "/tmp/pkse.d/s3"));
	ASSERT_EQ(0, CTL("emu", "se", "create-secret", "association", "as",
			 "--image-key", IK, "--output", "/tmp/pkse.d/a"));
	ASSERT_EQ(0, CTL("se", "secret", "add", "/tmp/pkse.d/r1",
			 "/tmp/pkse.d/r2", "/tmp/pkse.d/r3", "/tmp/pkse.d/a"))
	TH_LOG("%s", self->out);

	/* refusals: nothing is imported */
	/* one AES secret alone is half an XTS key */
	EXPECT_NE(0, CTL("key", "import-uv", "k", "--secret-name", "disk-data"))
	TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "one XTS half"));
	EXPECT_NE(0, CTL("key", "import-uv", "k", "--secret-id", "0x12",
			 "--secret-name", "disk-tweak"))
	TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "invalid secret ID '12'"));
	EXPECT_NE(0, CTL("key", "import-uv", "k", "--secret-name", "nosuch",
			 "--secret-name", "disk-tweak"))
	TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "'nosuch' does not exist"));
	EXPECT_NE(0, CTL("key", "import-uv", "k", "--secret-name", "xts",
			 "--secret-name", "disk-tweak"))
	TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "full-XTS"));
	EXPECT_NE(0, CTL("key", "import-uv", "k", "--secret-name", "as",
			 "--secret-name", "disk-tweak"))
	TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "not supported"));
	EXPECT_NE(0, CTL("key", "import-uv", "k", "--secret-name", "disk-data",
			 "--secret-name", "disk-data"))
	TH_LOG("%s", self->out);
	EXPECT_NE(0, CTL("key", "show", "k"));

	/* one AES-XTS secret: a 44-byte key, one token (full-XTS) */
	ASSERT_EQ(0, CTL("key", "import-uv", "kx", "--secret-name", "xts"))
	TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "full-XTS"));
	ASSERT_EQ(0, CTL("key", "export", "kx", "/tmp/pkse.d/kx.skey"));
	EXPECT_EQ(44, file_size("/tmp/pkse.d/kx.skey"));
	ASSERT_EQ(0, CTL("key", "validate", "kx")) TH_LOG("%s", self->out);
	ASSERT_EQ(0, pk_write_file(PASS, "correct horse battery", 21));
	ASSERT_EQ(0, pk_loop_setup(&self->lo, "pkse", 32ULL << 20));
	ASSERT_EQ(0, CTL("volume", "format", self->lo.dev, "--key", "kx",
			 "--key-file", PASS))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0,
		  CTL("volume", "open", self->lo.dev, VOL, "--key-file", PASS))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0, pk_roundtrip("/dev/mapper/" VOL, 1 << 20, 13, true));
	ASSERT_EQ(0, CTL("volume", "close", VOL)) TH_LOG("%s", self->out);
	ASSERT_EQ(0,
		  CTL("volume", "open", self->lo.dev, VOL, "--key-file", PASS))
	TH_LOG("%s", self->out);
	EXPECT_EQ(0, pk_roundtrip("/dev/mapper/" VOL, 1 << 20, 13, false));
	ASSERT_EQ(0, CTL("volume", "close", VOL));
	pk_loop_teardown(&self->lo);

	/* two AES-256 secrets: an 88-byte key of two UV secret tokens */
	ASSERT_EQ(0, id_hex("disk-tweak", id_t));
	ASSERT_EQ(0, CTL("key", "import-uv", "k", "--secret-name", "disk-data",
			 "--secret-id", id_t))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("key", "export", "k", "/tmp/pkse.d/k.skey"));
	EXPECT_EQ(88, file_size("/tmp/pkse.d/k.skey"));
	ASSERT_EQ(0, CTL("key", "show", "k"));
	EXPECT_NE(NULL, strstr(self->out, "key-type: PVSECRET-AES\n"))
	TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, id_t)) TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("key", "list"));
	EXPECT_NE(NULL, strstr(self->out, "PVSECRET-AES"));
	ASSERT_EQ(0, CTL("key", "validate", "k")) TH_LOG("%s", self->out);
	snprintf(
		line, sizeof(line),
		"tweak half: PVSECRET-AES secret ID %s: in the Ultravisor's store",
		id_t);
	EXPECT_NE(NULL, strstr(self->out, line)) TH_LOG("%s", self->out);
	EXPECT_NE(0, CTL("key", "reencipher", "k", "--staged"))
	TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "nothing to re-encipher"));

	/* a LUKS2 volume on it */
	ASSERT_EQ(0, pk_write_file(PASS, "correct horse battery", 21));
	ASSERT_EQ(0, pk_loop_setup(&self->lo, "pkse", 32ULL << 20));
	ASSERT_EQ(0, CTL("volume", "format", self->lo.dev, "--key", "k",
			 "--key-file", PASS))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0,
		  CTL("volume", "open", self->lo.dev, VOL, "--key-file", PASS))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0, pk_roundtrip("/dev/mapper/" VOL, 1 << 20, 11, true));
	ASSERT_EQ(0, CTL("volume", "close", VOL)) TH_LOG("%s", self->out);

	/* the reboot wipes the store: refused at once, naming the secret */
	ASSERT_EQ(0, CTL("emu", "se", "reboot"));
	EXPECT_NE(0, CTL("key", "validate", "k")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "missing"));
	EXPECT_NE(0,
		  CTL("volume", "open", self->lo.dev, VOL, "--key-file", PASS))
	TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "not in the Ultravisor's store"));
	EXPECT_FALSE(pk_dm_exists(VOL));

	/* re-added, the volume opens and the data reads back */
	ASSERT_EQ(0, CTL("se", "secret", "add", "/tmp/pkse.d/r2",
			 "/tmp/pkse.d/r1"));
	ASSERT_EQ(0,
		  CTL("volume", "open", self->lo.dev, VOL, "--key-file", PASS))
	TH_LOG("%s", self->out);
	EXPECT_EQ(0, pk_roundtrip("/dev/mapper/" VOL, 1 << 20, 11, false));
	EXPECT_EQ(0, CTL("volume", "close", VOL));
	unlink(PASS);
}

/* EP11 XTS key as a LUKS2 volume key (672 bytes, :672:logon:). */
TEST_F_TIMEOUT(se, ep11_xts_key_luks2_volume, 180)
{
	ASSERT_EQ(0, CTL("emu", "adapter", "mode", "ep11"));
	ASSERT_EQ(0, load_wk(self, "00.0001", 'a'));
	ASSERT_EQ(0, load_wk(self, "01.0001", 'a'));
	ASSERT_EQ(0, CTL("key", "generate", "e", "--key-type", "EP11-AES",
			 "--xts", "--apqns", "00.0001,01.0001"))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0, pk_write_file(PASS, "correct horse battery", 21));
	ASSERT_EQ(0, pk_loop_setup(&self->lo, "pkse", 32ULL << 20));
	ASSERT_EQ(0, CTL("volume", "format", self->lo.dev, "--key", "e",
			 "--key-file", PASS))
	TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "5376 bits"));
	ASSERT_EQ(0,
		  CTL("volume", "open", self->lo.dev, VOL, "--key-file", PASS))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0, pk_roundtrip("/dev/mapper/" VOL, 1 << 20, 5, true));
	ASSERT_EQ(0, CTL("volume", "close", VOL));
	ASSERT_EQ(0,
		  CTL("volume", "open", self->lo.dev, VOL, "--key-file", PASS));
	EXPECT_EQ(0, pk_roundtrip("/dev/mapper/" VOL, 1 << 20, 5, false));
	EXPECT_EQ(0, CTL("volume", "close", VOL));
	unlink(PASS);
}

/* Milliseconds since @t0. */
static long ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 +
	       (t.tv_nsec - t0->tv_nsec) / 1000000;
}

#define STORE "/tmp/pkse.d/etc"

/*
 * The whitepaper's steps 1-8 on the emulated SE guest, without systemd:
 * an EP11 domain bound and associated, an XTS EP11 key, a LUKS2 volume
 * with a key-file keyslot, its crypttab line, data on it, the guest
 * reboot, se boot-setup (what protkey-se-setup.service runs), the volume
 * reopened and the data read back. Then the failure variants: the
 * secret not re-added, the queue not associated; each bounded and named.
 * The file system is ext4 (mkfs.ext4 and the ext4 module or built-in in
 * every VM target), the file a known text.
 */
TEST_F_TIMEOUT(se, whitepaper_steps_reboot_and_boot_setup, 240)
{
	char mk0[80], conf[256], line[512], v[32];
	struct timespec t0;

	/* 1. an EP11 domain for the SE guest */
	ASSERT_EQ(0, CTL("emu", "adapter", "mode", "ep11"));
	ASSERT_EQ(0, load_wk(self, "00.0001", 'a'));
	ASSERT_EQ(0, load_wk(self, "01.0001", 'b'));
	ASSERT_EQ(0, CTL("emu", "se", "on", "--image-key", IK));
	/* 2. the association secret: created off the guest, added, kept */
	ASSERT_EQ(0, mkdir(STORE, 0700));
	ASSERT_EQ(0, mkdir("/tmp/pkse.d/empty", 0700));
	ASSERT_EQ(0, CTL("emu", "se", "create-secret", "association", "wp",
			 "--image-key", IK, "--output", STORE "/wp.bin"));
	ASSERT_EQ(0, CTL("se", "secret", "add", STORE "/wp.bin"));
	apqn_field(self, "00.0001", "mkvp", mk0, sizeof(mk0));
	ASSERT_EQ(32, strlen(mk0));
	snprintf(conf, sizeof(conf), "- mode: EP11\n  mkvp: 0x%s\n  name: wp\n",
		 mk0);
	ASSERT_EQ(0, pk_write_file(CONF, conf, strlen(conf)));
	ASSERT_EQ(0, CTL("apqn", "setup", "--config", CONF))
	TH_LOG("%s", self->out);
	/* 3. the queue is usable (lszcrypt -V) */
	ASSERT_EQ(0, CTL("apqn", "list"));
	EXPECT_NE(NULL, strstr(self->out, "00.0001  EP11  yes    usable  0"))
	TH_LOG("%s", self->out);
	/* 4. an XTS EP11 key bound to the APQN, for the volume */
	ASSERT_EQ(0, pk_write_file(PASS, "correct horse battery", 21));
	ASSERT_EQ(0, pk_loop_setup(&self->lo, "pkse", 32ULL << 20));
	snprintf(line, sizeof(line), "%s:" VOL, self->lo.dev);
	ASSERT_EQ(0, CTL("key", "generate", "wp", "--key-type", "EP11-AES",
			 "--xts", "--apqns", "00.0001", "--volumes", line,
			 "--volume-type", "luks2"))
	TH_LOG("%s", self->out);
	/* 5. LUKS2 format (key-file keyslot) and open */
	ASSERT_EQ(0, CTL("volume", "format", self->lo.dev, "--key", "wp",
			 "--key-file", PASS))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0,
		  CTL("volume", "open", self->lo.dev, VOL, "--key-file", PASS))
	TH_LOG("%s", self->out);
	/* 6. the crypttab line: a key file, bounded, nofail */
	EXPECT_NE(0, CTL("crypttab")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "--key-file FILE is needed"));
	EXPECT_NE(0, CTL("crypttab", "--key-file", PASS, "nosuch"));
	EXPECT_EQ(1, CTL("crypttab", "--key-file", "relative/path"));
	ASSERT_EQ(0,
		  CTL("crypttab", "--key-file", PASS, "--timeout", "20", VOL))
	TH_LOG("%s", self->out);
	snprintf(
		line, sizeof(line),
		VOL
		" %s " PASS
		" luks,nofail,headless=true,timeout=20s,keyfile-timeout=20s,token-timeout=20s,x-systemd.device-timeout=20s\n",
		self->lo.dev);
	EXPECT_STREQ(line, self->out);
	/* 7. a file system on the volume, a file on it */
	ASSERT_EQ(0, pk_run(self->out, sizeof(self->out), "mkfs.ext4", "-q",
			    "-F", "/dev/mapper/" VOL, NULL))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0, mkdir(MNT, 0700));
	ASSERT_EQ(0, pk_run(self->out, sizeof(self->out), "mount", "-t", "ext4",
			    "/dev/mapper/" VOL, MNT, NULL))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0, pk_write_file(MNT "/file", FILE_TEXT, strlen(FILE_TEXT)));
	ASSERT_EQ(0, pk_run(self->out, sizeof(self->out), "umount", MNT, NULL))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("volume", "close", VOL));

	/* 8. the reboot: store, bindings and associations gone */
	ASSERT_EQ(0, CTL("emu", "se", "reboot"));
	EXPECT_STREQ("unbound", sestat(self, "00.0001", v, sizeof(v)));

	/* variant: the secret not re-added: bounded, named, exit 4 */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	EXPECT_EQ(4, CTL("se", "boot-setup", "--dir", "/tmp/pkse.d/empty",
			 "--config", CONF, "--timeout", "2000"))
	TH_LOG("%s", self->out);
	EXPECT_GT(10000, ms_since(&t0));
	EXPECT_NE(NULL, strstr(self->out, "protkey-se-setup: apqn setup:"));
	EXPECT_NE(NULL, strstr(self->out, "protkey-se-setup: association "
					  "secret 'wp' 0x"));
	EXPECT_NE(NULL, strstr(self->out, "is not in the Ultravisor's store"));
	EXPECT_NE(NULL, strstr(self->out, "2 problem(s)"));
	EXPECT_STREQ("unbound", sestat(self, "00.0001", v, sizeof(v)));

	/* variant: the queue not associated within the bound */
	ASSERT_EQ(0, PKE_REQ(&self->nl, PROTKEY_EMU_CMD_SE_SET,
			     PKE_U32(PROTKEY_EMU_A_ASSOC_DELAY_MS, 60000)))
	TH_LOG("%s", self->nl.msg);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	EXPECT_EQ(4, CTL("se", "boot-setup", "--dir", STORE, "--config", CONF,
			 "--timeout", "1000"))
	TH_LOG("%s", self->out);
	EXPECT_GT(10000, ms_since(&t0));
	EXPECT_NE(NULL, strstr(self->out, "protkey-se-setup: queue 00.0001 "
					  "not associated"));
	ASSERT_EQ(0, PKE_REQ(&self->nl, PROTKEY_EMU_CMD_SE_SET,
			     PKE_U32(PROTKEY_EMU_A_ASSOC_DELAY_MS, 20)));
	ASSERT_EQ(0, CTL("emu", "se", "reboot"));

	/* success: the stored request re-added, the queue associated */
	ASSERT_EQ(0, CTL("se", "boot-setup", "--dir", STORE, "--config", CONF,
			 "--timeout", "5000"))
	TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "added as index 0"));
	EXPECT_NE(NULL, strstr(self->out, "0 problem(s)"));
	EXPECT_STREQ("usable", sestat(self, "00.0001", v, sizeof(v)));
	/* a second run adds nothing and still succeeds */
	ASSERT_EQ(0, CTL("se", "boot-setup", "--dir", STORE, "--config", CONF,
			 "--timeout", "5000"))
	TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "already"));
	ASSERT_EQ(0, CTL("se", "secret", "list"));
	EXPECT_NE(NULL, strstr(self->out, "Total number of secrets: 1"));

	/* the volume opens again, the file reads back */
	ASSERT_EQ(0,
		  CTL("volume", "open", self->lo.dev, VOL, "--key-file", PASS))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0, pk_run(self->out, sizeof(self->out), "mount", "-t", "ext4",
			    "/dev/mapper/" VOL, MNT, NULL))
	TH_LOG("%s", self->out);
	EXPECT_EQ(0, pk_run(self->out, sizeof(self->out), "cat", MNT "/file",
			    NULL));
	EXPECT_STREQ(FILE_TEXT, self->out);
	EXPECT_EQ(0, pk_run(self->out, sizeof(self->out), "umount", MNT, NULL));
	EXPECT_EQ(0, CTL("volume", "close", VOL));
	unlink(PASS);
}

TEST_HARNESS_MAIN
