// SPDX-License-Identifier: GPL-2.0-only
/*
 * Cleanup probe, second half: runs right after leftover_test and sees the
 * guest as the first selftest binary saw it. No user process but init and
 * this test, no dm mapping, no attached loop device, no loadable brd, and
 * protkey.ko and protkey_emu.ko live. Written apart from the init's own
 * checks, so that a cleanup that only believes it worked still fails here.
 */
#include <dirent.h>
#include <glob.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"

#define PF_KTHREAD 0x00200000

/*
 * Reads the fields of /proc/@pid/stat that matter here; false when the
 * process is gone. @comm gets the name, @state, @ppid and @flags the rest.
 */
static bool proc_stat(int pid, char *comm, size_t len, char *state, int *ppid,
		      unsigned long *flags)
{
	char path[64], buf[512], *lp, *rp;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	lp = strchr(buf, '(');
	rp = strrchr(buf, ')');
	if (!lp || !rp || rp < lp)
		return false;
	snprintf(comm, len, "%.*s", (int)(rp - lp - 1), lp + 1);
	return sscanf(rp + 2, "%c %d %*d %*d %*d %*d %lu", state, ppid,
		      flags) == 3;
}

TEST(no_user_process_but_init_and_this_test)
{
	unsigned long flags;
	struct dirent *e;
	int ppid, others = 0;
	char comm[64], state;
	DIR *d;

	d = opendir("/proc");
	ASSERT_NE(NULL, d);
	while ((e = readdir(d))) {
		int pid = atoi(e->d_name);

		if (pid <= 1 || pid == getpid() || pid == getppid())
			continue;
		if (!proc_stat(pid, comm, sizeof(comm), &state, &ppid, &flags))
			continue;
		/* Kernel threads and the usermode helpers kthreadd starts. */
		if (state == 'Z' || (flags & PF_KTHREAD) || ppid == 2)
			continue;
		TH_LOG("left over: pid %d (%s), parent %d", pid, comm, ppid);
		others++;
	}
	closedir(d);
	EXPECT_EQ(0, others);
}

/* How many paths match @pattern. */
static size_t count(const char *pattern)
{
	glob_t g;
	size_t n;

	if (glob(pattern, 0, NULL, &g))
		return 0;
	n = g.gl_pathc;
	globfree(&g);
	return n;
}

TEST(no_dm_mapping)
{
	EXPECT_EQ(0, count("/sys/block/dm-*"));
}

TEST(no_attached_loop_device)
{
	EXPECT_EQ(0, count("/sys/block/loop*/loop/backing_file"));
}

TEST(no_loadable_brd)
{
	EXPECT_NE(0, access("/sys/module/brd/initstate", F_OK));
}

TEST(protkey_modules_live)
{
	static const char *const mods[] = { "protkey", "protkey_emu" };
	char path[64], buf[16];
	unsigned int i;
	FILE *f;

	for (i = 0; i < ARRAY_SIZE(mods); i++) {
		snprintf(path, sizeof(path), "/sys/module/%s/initstate",
			 mods[i]);
		f = fopen(path, "r");
		ASSERT_NE(NULL, f) TH_LOG("%s is not loaded", mods[i]);
		buf[0] = '\0';
		EXPECT_NE(NULL, fgets(buf, sizeof(buf), f));
		fclose(f);
		EXPECT_STREQ("live\n", buf);
	}
}

TEST_HARNESS_MAIN
