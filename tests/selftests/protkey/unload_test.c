// SPDX-License-Identifier: GPL-2.0-only
/*
 * Module unload with live tfms: while an xts(paes) tfm (made through
 * AF_ALG on an emulator secure key) holds a key object, rmmod of
 * protkey.ko and of the platform backend protkey_emu.ko fails with
 * EWOULDBLOCK (EAGAIN) or EBUSY, and the tfm keeps working. The tfm's
 * reference on protkey and the key object's reference on the backend are
 * real module references: /sys/module/<name>/refcnt drops when the tfm
 * goes.
 *
 * Nothing may actually unload: the test cannot load a module again, and
 * later selftests need both. An unload that succeeds is reported loudly.
 *
 * Runs as root in the test VM with protkey.ko and protkey_emu.ko loaded.
 */
#include <fcntl.h>

#include "kselftest_harness.h"

#include "keyobj.h"

/* The module's reference count, or -errno. */
static long refcnt(const char *mod)
{
	char path[96], buf[32];
	long ret = -EIO;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/%s/refcnt", mod);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	if (fgets(buf, sizeof(buf), f))
		ret = strtol(buf, NULL, 10);
	fclose(f);
	return ret;
}

/* delete_module(2) without waiting; 0 or -errno. */
static int try_unload(const char *mod)
{
	if (syscall(SYS_delete_module, mod, O_NONBLOCK))
		return -errno;
	return 0;
}

/* Closes the tfm and waits (2 s at most) for @mod's count to drop. */
static long refcnt_after_close(struct pko *k, const char *mod, long before)
{
	long now = before;
	int i;

	close(k->op);
	close(k->tfm);
	k->op = k->tfm = -1;
	for (i = 0; i < 200 && now >= before; i++) {
		usleep(10000);
		now = refcnt(mod);
	}
	return now;
}

FIXTURE(unload)
{
	struct pko k;
};

FIXTURE_SETUP(unload)
{
	ASSERT_EQ(0, pko_setup(&self->k, 0x51, 3));
	ASSERT_EQ(0, pko_check_io(&self->k, 1));
}

FIXTURE_TEARDOWN(unload)
{
	pko_teardown(&self->k);
}

FIXTURE_VARIANT(unload)
{
	const char *module;
};

/* protkey.ko: the tfm pins it (crypto_alloc_tfm() takes a reference). */
FIXTURE_VARIANT_ADD(unload, protkey){
	.module = "protkey",
};

/* protkey_emu.ko: the key object pins its platform backend. */
FIXTURE_VARIANT_ADD(unload, protkey_emu){
	.module = "protkey_emu",
};

TEST_F(unload, refused_with_live_tfm)
{
	const char *mod = variant->module;
	long before, after;
	int ret;

	before = refcnt(mod);
	ASSERT_GT(before, 0)
	TH_LOG("%s refcnt %ld with a live tfm", mod, before);

	ret = try_unload(mod);

	if (!ret)
		TH_LOG("BUG: %s unloaded while a tfm holds a key; "
		       "the selftests that follow cannot run",
		       mod);
	ASSERT_NE(0, ret);
	EXPECT_TRUE(ret == -EWOULDBLOCK || ret == -EBUSY)
	TH_LOG("delete_module(%s): %s", mod, strerror(-ret));
	EXPECT_EQ(0, pko_check_io(&self->k, 2));
	EXPECT_EQ(before, refcnt(mod));

	after = refcnt_after_close(&self->k, mod, before);
	EXPECT_LT(after, before)
	TH_LOG("%s refcnt %ld with the tfm, %ld without", mod, before, after);
}

TEST_HARNESS_MAIN
