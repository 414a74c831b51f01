// SPDX-License-Identifier: GPL-2.0-only
/*
 * The protkeyctl commands the other programs do not drive: key import and
 * remove (with their refusals; a key that volumes use is removed only
 * with --force), and the emulator controls emu state,
 * adapter, mk-clear, latency and busy, each checked by what it does to the
 * platform (a key that no longer validates, a derive that takes longer,
 * busy answers counted).
 *
 * Runs as root in the test VM with protkey.ko and protkey_emu.ko loaded.
 */
#include "kselftest_harness.h"

#include "ctl.h"
#include "emu.h"

#define NEW_MK_HEX \
	"5c0ffee5c0ffee5c0ffee5c0ffee5c0ffee5c0ffee5c0ffee5c0ffee5c0ffee5"

FIXTURE(cmds)
{
	struct pk_nl nl;
	char ctl[256];
	char repo[64];
	char out[PK_OUT_LEN];
};

FIXTURE_SETUP(cmds)
{
	if (!PK_CTL_SETUP("/tmp/pkcmds-repo.XXXXXX"))
		SKIP(return, "no protkeyctl installed");
}

FIXTURE_TEARDOWN(cmds)
{
	if (self->ctl[0]) {
		pk_run(NULL, 0, self->ctl, "emu", "latency", "0", NULL);
		pk_run(NULL, 0, self->ctl, "emu", "busy", "0", NULL);
		pk_run(NULL, 0, self->ctl, "emu", "adapter", "on", NULL);
	}
	if (self->repo[0])
		pk_run(NULL, 0, "sh", "-c", "rm -rf /tmp/pkcmds.*", NULL);
	pk_ctl_teardown(&self->nl, self->repo);
}

/* "key validate --json NAME": the register of the data half, or "". */
static const char *mk_match(FIXTURE_DATA(cmds) * self, const char *name,
			    int *rc, char *buf, size_t len)
{
	*rc = CTL("--json", "key", "validate", name);
	if (pk_json_get(self->out, "mk-match-data", buf, len))
		buf[0] = '\0';
	return buf;
}

TEST_F_TIMEOUT(cmds, key_import_export_remove_and_their_refusals, 120)
{
	char vp1[80], vp2[80];
	struct pk_snap before, after;

	ASSERT_EQ(0, CTL("key", "generate", "orig")) TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("key", "export", "orig", "/tmp/pkcmds.skey"));
	/* export never overwrites */
	EXPECT_EQ(5, CTL("key", "export", "orig", "/tmp/pkcmds.skey"))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("key", "import", "/tmp/pkcmds.skey", "copy",
			 "--description", "imported copy"))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("--json", "key", "show", "orig"));
	ASSERT_EQ(0, pk_json_get(self->out, "verification-pattern", vp1,
				 sizeof(vp1)));
	ASSERT_EQ(0, CTL("--json", "key", "show", "copy"));
	ASSERT_EQ(0, pk_json_get(self->out, "verification-pattern", vp2,
				 sizeof(vp2)));
	EXPECT_STREQ(vp1, vp2);
	EXPECT_NE(NULL, strstr(self->out, "imported copy"));

	/* refusals leave the repository byte for byte as it was */
	ASSERT_EQ(0, pk_snap_take(&before, self->repo));
	EXPECT_EQ(5, CTL("key", "import", "/tmp/pkcmds.skey", "copy"))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0, pk_write_file("/tmp/pkcmds.short", "0123456789", 10));
	EXPECT_EQ(3, CTL("key", "import", "/tmp/pkcmds.short", "short"))
	TH_LOG("%s", self->out);
	EXPECT_EQ(2, CTL("key", "import", "/tmp/pkcmds.none", "none"))
	TH_LOG("%s", self->out);
	EXPECT_EQ(3, CTL("key", "import", "/tmp/pkcmds.skey", "../evil"))
	TH_LOG("%s", self->out);
	EXPECT_EQ(2, CTL("key", "remove", "nosuchkey")) TH_LOG("%s", self->out);
	ASSERT_EQ(0, pk_snap_take(&after, self->repo));
	EXPECT_TRUE(pk_snap_equal(&before, &after));
	pk_snap_free(&before);
	pk_snap_free(&after);

	EXPECT_EQ(0, CTL("key", "remove", "copy")) TH_LOG("%s", self->out);
	EXPECT_EQ(2, CTL("key", "show", "copy"));
	ASSERT_EQ(0, CTL("key", "list"));
	EXPECT_NE(NULL, strstr(self->out, "orig"));
	EXPECT_EQ(NULL, strstr(self->out, "copy")) TH_LOG("%s", self->out);
}

/* key list's filters, with zkey's rules, and its "N of M keys" line. */
TEST_F_TIMEOUT(cmds, key_list_filters_by_name_volume_apqn_and_type, 120)
{
	ASSERT_EQ(0, CTL("key", "generate", "web1", "--volumes",
			 "/dev/vdb:enc-web"))
	TH_LOG("%s", self->out);
	/* --apqns names where it may be made: none usable, nothing stored */
	EXPECT_EQ(4, CTL("key", "generate", "db1", "--apqns", "07.0005"));
	EXPECT_NE(NULL, strstr(self->out, "No APQN is available"))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("key", "generate", "db1", "--volumes",
			 "/dev/vdc:enc-db", "--apqns", "00.0001,01.0001"))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("key", "generate", "db2", "--volume-type", "plain"))
	TH_LOG("%s", self->out);

	ASSERT_EQ(0, CTL("key", "list"));
	EXPECT_NE(NULL, strstr(self->out, "3 of 3 keys"))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("key", "list", "--name", "db*"));
	EXPECT_NE(NULL, strstr(self->out, "2 of 3 keys"))
	TH_LOG("%s", self->out);
	EXPECT_EQ(NULL, strstr(self->out, "web1")) TH_LOG("%s", self->out);
	/* a volume by its device; with ':' both parts must match */
	ASSERT_EQ(0, CTL("key", "list", "--volumes", "/dev/vdb"));
	EXPECT_NE(NULL, strstr(self->out, "web1")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "1 of 3 keys"))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("key", "list", "--volumes", "/dev/vdc:other"));
	EXPECT_NE(NULL, strstr(self->out, "0 of 3 keys"))
	TH_LOG("%s", self->out);
	/* an APQN as zkey pads it */
	ASSERT_EQ(0, CTL("key", "list", "--apqns", "1.1"));
	EXPECT_NE(NULL, strstr(self->out, "db1")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "1 of 3 keys"))
	TH_LOG("%s", self->out);
	/* generate's default volume type is luks2 */
	ASSERT_EQ(0, CTL("key", "list", "--volume-type", "PLAIN"));
	EXPECT_NE(NULL, strstr(self->out, "db2")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "1 of 3 keys"))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("--json", "key", "list", "--name", "web*,db2"));
	EXPECT_NE(NULL, strstr(self->out, "\"web1\"")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "\"db2\"")) TH_LOG("%s", self->out);
	EXPECT_EQ(NULL, strstr(self->out, "\"db1\"")) TH_LOG("%s", self->out);
	EXPECT_EQ(1, CTL("key", "list", "--nosuch")) TH_LOG("%s", self->out);
	EXPECT_EQ(1, CTL("key", "list", "extra")) TH_LOG("%s", self->out);
}

/*
 * A key's apqns property is where it lives: validate asks only those
 * APQNs, as zkey's validate does, so a master-key change on its APQN
 * shows although another adapter still holds the old one as CURRENT.
 */
TEST_F_TIMEOUT(cmds, key_validate_asks_only_the_keys_apqns, 120)
{
	char v[32];
	int rc;

	ASSERT_EQ(0, CTL("key", "generate", "bound", "--apqns", "01.0001"))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("key", "generate", "free")) TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("emu", "mk-load", "--apqn", "01.0001", NEW_MK_HEX))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("emu", "mk-set", "--apqn", "01.0001"))
	TH_LOG("%s", self->out);
	/* 00.0001 still has the key's master key as CURRENT */
	EXPECT_STREQ("current", mk_match(self, "free", &rc, v, sizeof(v)));
	EXPECT_EQ(0, rc) TH_LOG("%s", self->out);
	/* the key's own APQN has it as OLD only */
	EXPECT_STREQ("old", mk_match(self, "bound", &rc, v, sizeof(v)));
	EXPECT_EQ(0, rc) TH_LOG("%s", self->out);
	/* and there, the OLD register cleared: nothing derives it */
	ASSERT_EQ(0, CTL("emu", "mk-clear", "--apqn", "01.0001", "old"))
	TH_LOG("%s", self->out);
	EXPECT_STREQ("none", mk_match(self, "bound", &rc, v, sizeof(v)));
	EXPECT_EQ(4, rc) TH_LOG("%s", self->out);
	EXPECT_STREQ("current", mk_match(self, "free", &rc, v, sizeof(v)));
}

/*
 * validate and reencipher over the keys the filters select, through a
 * master-key change: each key re-enciphered, skipped with its reason or
 * failed, and zkey's summary lines; --json counts as numbers.
 */
TEST_F_TIMEOUT(cmds, key_validate_and_reencipher_over_selected_keys, 180)
{
	ASSERT_EQ(0, CTL("key", "generate", "a1")) TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("key", "generate", "a2")) TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("key", "generate", "b1", "--volumes",
			 "/dev/pk-no-such-disk:gone"))
	TH_LOG("%s", self->out);

	ASSERT_EQ(0, CTL("key", "validate")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "key a1\n")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "not available"))
	TH_LOG("%s", self->out);
	EXPECT_NE(NULL,
		  strstr(self->out,
			 "3 keys are valid, 0 keys are invalid, 1 warnings"))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("key", "validate", "--name", "a*", "--json"))
	TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "\"valid\": 2,"))
	TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "\"invalid\": 0"))
	TH_LOG("%s", self->out);
	EXPECT_EQ(NULL, strstr(self->out, "\"b1\"")) TH_LOG("%s", self->out);
	EXPECT_EQ(1, CTL("key", "validate", "a1", "--name", "a*"))
	TH_LOG("%s", self->out);
	EXPECT_EQ(1, CTL("key", "reencipher", "--name", "a*"))
	TH_LOG("%s", self->out);

	/* CURRENT -> NEW for the a keys only; again: both skipped */
	ASSERT_EQ(0, CTL("emu", "mk-load", NEW_MK_HEX)) TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("key", "reencipher", "--name", "a*", "--staged"))
	TH_LOG("%s", self->out);
	EXPECT_NE(
		NULL,
		strstr(self->out,
		       "2 keys re-enciphered, 0 keys skipped, 0 keys failed to re-encipher"))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("key", "reencipher", "--name", "a*", "--staged"))
	TH_LOG("%s", self->out);
	EXPECT_NE(NULL,
		  strstr(self->out, "0 keys re-enciphered, 2 keys skipped"))
	TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "pending already"))
	TH_LOG("%s", self->out);
	/* named, the same is the command's error (exists: 5) */
	EXPECT_EQ(5, CTL("key", "reencipher", "a1", "--staged"))
	TH_LOG("%s", self->out);

	/* NEW becomes CURRENT: every key is under OLD now (a warning each) */
	ASSERT_EQ(0, CTL("emu", "mk-set")) TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("key", "validate")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL,
		  strstr(self->out,
			 "3 keys are valid, 0 keys are invalid, 4 warnings"))
	TH_LOG("%s", self->out);
	/* --complete: a1 and a2; b1 has nothing staged */
	ASSERT_EQ(0, CTL("key", "reencipher", "--complete"))
	TH_LOG("%s", self->out);
	EXPECT_NE(NULL,
		  strstr(self->out,
			 "2 keys re-enciphered, 1 keys skipped, 0 keys failed"))
	TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "key 'b1' skipped: no staged"))
	TH_LOG("%s", self->out);
	/* --from-old: b1 only; a1 and a2 are not under OLD */
	ASSERT_EQ(0, CTL("--json", "key", "reencipher", "--from-old"))
	TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "\"reenciphered\": 1,"))
	TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "\"skipped\": 2,"))
	TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "\"failed\": 0"))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("--json", "key", "validate")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "\"valid\": 3,"))
	TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "\"warnings\": 1,"))
	TH_LOG("%s", self->out);

	/* keys no adapter derives: invalid, the exit status is the error's */
	ASSERT_EQ(0, CTL("emu", "adapter", "off")) TH_LOG("%s", self->out);
	EXPECT_EQ(4, CTL("key", "validate")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL,
		  strstr(self->out, "0 keys are valid, 3 keys are invalid"))
	TH_LOG("%s", self->out);
}

/* A key its volumes property says volumes use goes only with --force. */
TEST_F_TIMEOUT(cmds, key_remove_refuses_a_key_with_volumes_unless_forced, 120)
{
	struct pk_snap before, after;

	ASSERT_EQ(0, CTL("key", "generate", "used", "--volumes",
			 "/dev/vdb:enc-vdb"))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0, pk_snap_take(&before, self->repo));
	EXPECT_EQ(3, CTL("key", "remove", "used")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "/dev/vdb:enc-vdb"))
	TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "use --force"))
	TH_LOG("%s", self->out);
	EXPECT_EQ(3, CTL("key", "remove", "used", "--batch"))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0, pk_snap_take(&after, self->repo));
	EXPECT_TRUE(pk_snap_equal(&before, &after));
	pk_snap_free(&before);
	pk_snap_free(&after);
	EXPECT_EQ(0, CTL("key", "show", "used"));

	EXPECT_EQ(0, CTL("key", "remove", "used", "--force"))
	TH_LOG("%s", self->out);
	EXPECT_EQ(2, CTL("key", "show", "used"));
	EXPECT_EQ(2, CTL("key", "remove", "used", "--force"))
	TH_LOG("%s", self->out);
}

TEST_F_TIMEOUT(cmds, emu_adapters_off_and_mk_clear_change_what_validates, 120)
{
	char v[32];
	int rc;

	ASSERT_EQ(0, CTL("--json", "emu", "state")) TH_LOG("%s", self->out);
	EXPECT_EQ(0, pk_json_get(self->out, "wk-generation", v, sizeof(v)));
	EXPECT_NE(NULL, strstr(self->out, "\"00.0001\""))
	TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("key", "generate", "k"));
	EXPECT_STREQ("current", mk_match(self, "k", &rc, v, sizeof(v)));
	EXPECT_EQ(0, rc);

	/* no adapter online: nothing can derive the key */
	ASSERT_EQ(0, CTL("emu", "adapter", "off")) TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("--json", "emu", "state"));
	EXPECT_EQ(NULL, strstr(self->out, "\"online\": true"))
	TH_LOG("%s", self->out);
	EXPECT_STREQ("none", mk_match(self, "k", &rc, v, sizeof(v)));
	EXPECT_EQ(4, rc) TH_LOG("%s", self->out);
	/* one adapter back is enough */
	ASSERT_EQ(0, CTL("emu", "adapter", "on", "00.0001"));
	EXPECT_STREQ("current", mk_match(self, "k", &rc, v, sizeof(v)));
	EXPECT_EQ(0, rc) TH_LOG("%s", self->out);
	EXPECT_EQ(1, CTL("emu", "adapter", "sideways")) TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("emu", "adapter", "on"));

	/* an MK change moves the key to OLD; clearing OLD strands it */
	ASSERT_EQ(0, CTL("emu", "mk-load", NEW_MK_HEX));
	ASSERT_EQ(0, CTL("emu", "mk-set"));
	EXPECT_STREQ("old", mk_match(self, "k", &rc, v, sizeof(v)));
	EXPECT_EQ(0, rc) TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("emu", "mk-clear", "old")) TH_LOG("%s", self->out);
	EXPECT_STREQ("none", mk_match(self, "k", &rc, v, sizeof(v)));
	EXPECT_EQ(4, rc) TH_LOG("%s", self->out);
	EXPECT_EQ(1, CTL("emu", "mk-clear", "current")) TH_LOG("%s", self->out);
}

TEST_F_TIMEOUT(cmds, emu_latency_slows_each_derive, 120)
{
	long long t0, t1;

	ASSERT_EQ(0, CTL("key", "generate", "fast"));
	/* generate derives both halves once for the verification pattern */
	ASSERT_EQ(0, CTL("emu", "latency", "400000")) TH_LOG("%s", self->out);
	t0 = pk_now_ms();
	ASSERT_EQ(0, CTL("key", "generate", "slow")) TH_LOG("%s", self->out);
	t1 = pk_now_ms();
	EXPECT_LE(800, t1 - t0) TH_LOG("two derives took %lld ms", t1 - t0);
	ASSERT_EQ(0, CTL("emu", "latency", "0"));
	EXPECT_EQ(1, CTL("emu", "latency", "soon")) TH_LOG("%s", self->out);
}

/* "derive-busy" of "emu state --json", or -1. */
static long long derive_busy(FIXTURE_DATA(cmds) * self)
{
	char v[32];

	if (CTL("--json", "emu", "state") ||
	    pk_json_get(self->out, "derive-busy", v, sizeof(v)))
		return -1;
	return atoll(v);
}

TEST_F_TIMEOUT(cmds, emu_busy_answers_the_next_derives, 120)
{
	long long before;

	before = derive_busy(self);
	ASSERT_LE(0, before) TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("emu", "busy", "2")) TH_LOG("%s", self->out);
	/* protkey.ko waits out a busy adapter, as an absent one */
	ASSERT_EQ(0, CTL("key", "generate", "busy")) TH_LOG("%s", self->out);
	EXPECT_EQ(before + 2, derive_busy(self)) TH_LOG("%s", self->out);
	ASSERT_EQ(0, CTL("key", "generate", "idle")) TH_LOG("%s", self->out);
	EXPECT_EQ(before + 2, derive_busy(self)) TH_LOG("%s", self->out);
	EXPECT_EQ(1, CTL("emu", "busy", "many")) TH_LOG("%s", self->out);
}

TEST_HARNESS_MAIN
