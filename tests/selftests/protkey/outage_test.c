// SPDX-License-Identifier: GPL-2.0-only
/*
 * Adapter outages after a wrapping-key change (R2), with real dm-crypt
 * I/O on xts(paes): an outage shorter than rekey_timeout_ms stalls I/O,
 * which then succeeds; a longer one fails I/O with EIO and a kernel
 * message saying why, and I/O on the same mapping works again once the
 * adapters are back. Never wrong data: the whole device is checked
 * against the plain aes-xts-plain64 oracle at the end. Stall times are
 * reported as "# R2:".
 *
 * Runs as root in the test VM with protkey.ko and protkey_emu.ko loaded.
 */
#include "kselftest_harness.h"

#include "ctx.h"

FIXTURE(outage)
{
	struct ctx c;
};

FIXTURE_SETUP(outage)
{
	ctx_setup(_metadata, &self->c);
}

FIXTURE_TEARDOWN(outage)
{
	ctx_teardown(&self->c);
}

#define OUT_VOL (12ULL << 20)
#define OUT_B_OFF (8ULL << 20)
#define OUT_B_LEN (4ULL << 20)

/*
 * The end check of both outage tests: every byte the mapping returns is
 * what the oracle decrypts from the raw device, and region B holds @plain.
 */
static void check_whole_volume(struct __test_metadata *_metadata,
			       struct pk_vol *v, const uint8_t *plain)
{
	uint8_t *all = pk_alloc_io(OUT_VOL);
	long long pos;

	ASSERT_NE(NULL, all);
	ASSERT_EQ(0, pk_dio(v->path, false, all, OUT_VOL, 0));
	EXPECT_EQ(0, memcmp(all + OUT_B_OFF, plain, OUT_B_LEN));
	pos = pk_vol_check_oracle(v, 0, 0, all, OUT_VOL, 512, false);
	EXPECT_EQ(0, pos)
	TH_LOG("raw byte %lld differs from aes-xts-plain64", pos - 1);
	free(all);
}

/*
 * R2, outage shorter than rekey_timeout_ms: fio write + verify runs on
 * region A while the guest migrates with a 1 s outage; a read of region B
 * issued right after the migration stalls for the outage, then returns
 * the right data. No I/O fails.
 */
TEST_F_TIMEOUT(outage, shorter_than_timeout_stalls_then_succeeds, 120)
{
	struct ctx *c = &self->c;
	static char log[PK_OUT_LEN];
	uint8_t *plain, *back;
	long long t, stall;
	const char *bad;
	uint64_t km;
	int rc;

	ASSERT_EQ(0, set_rekey_timeout(5000))
	TH_LOG("%s must be 0644", PARAM_TIMEOUT);
	ASSERT_EQ(0, make_vols(_metadata, c, 1, OUT_VOL));
	plain = pk_alloc_io(OUT_B_LEN);
	back = pk_alloc_io(OUT_B_LEN);
	ASSERT_NE(NULL, plain);
	ASSERT_NE(NULL, back);
	pk_fill(plain, OUT_B_LEN, OUT_B_OFF, 0xb0b0);
	ASSERT_EQ(0, pk_dio(c->v[0].path, true, plain, OUT_B_LEN, OUT_B_OFF));

	km = pke_counter(&c->nl, PROTKEY_EMU_CNT_A_KM_CALLS);
	c->fio[0] = start_fio(c, 0, "8M", "0");
	ASSERT_LT(0, c->fio[0]);
	/* Migrate once fio's I/O flows. */
	for (t = pk_now_ms();
	     pke_counter(&c->nl, PROTKEY_EMU_CNT_A_KM_CALLS) < km + 64;
	     usleep(10 * 1000))
		ASSERT_LT(pk_now_ms() - t, 30000) TH_LOG("fio does no I/O");
	ASSERT_EQ(0, pke_migrate(&c->nl, 1000));
	t = pk_now_ms();
	rc = pk_dio(c->v[0].path, false, back, 1 << 20, OUT_B_OFF);
	stall = pk_now_ms() - t;
	printf("# R2: read issued after a migration with a 1000 ms outage (timeout 5000 ms) returned %d after %lld ms\n",
	       rc, stall);
	fflush(stdout);
	EXPECT_EQ(0, rc);
	EXPECT_EQ(0, memcmp(back, plain, 1 << 20));
	EXPECT_LE(500, stall) TH_LOG("the read did not wait for the outage");
	EXPECT_GT(5000, stall);

	rc = pk_wait(c->fio[0], false);
	c->fio[0] = -1;
	EXPECT_TRUE(fio_clean(_metadata, 0, rc));
	check_whole_volume(_metadata, &c->v[0], plain);
	pk_kmsg_read(c->kmsg, log, sizeof(log));
	bad = pk_kmsg_find_trouble(log);
	EXPECT_EQ(NULL, bad) TH_LOG("kernel log: %.300s", bad);
	free(plain);
	free(back);
}

/*
 * R2, outage longer than rekey_timeout_ms: reads and writes issued during
 * the outage fail with EIO after the timeout, a kernel message says why,
 * the failed write changed nothing, and once the adapters are back the
 * same mapping reads and writes correctly again.
 */
TEST_F_TIMEOUT(outage, longer_than_timeout_fails_eio_then_recovers, 120)
{
	struct ctx *c = &self->c;
	static char log[PK_OUT_LEN];
	uint8_t *plain, *back, *other;
	long long t, stall;
	int rc, rc_w;

	ASSERT_EQ(0, set_rekey_timeout(1500))
	TH_LOG("%s must be 0644", PARAM_TIMEOUT);
	ASSERT_EQ(0, make_vols(_metadata, c, 1, OUT_VOL));
	plain = pk_alloc_io(OUT_B_LEN);
	back = pk_alloc_io(OUT_B_LEN);
	other = pk_alloc_io(65536);
	ASSERT_NE(NULL, plain);
	ASSERT_NE(NULL, back);
	ASSERT_NE(NULL, other);
	pk_fill(plain, OUT_B_LEN, OUT_B_OFF, 0x1e55);
	pk_fill(other, 65536, 0, 0xbad);
	ASSERT_EQ(0, pk_dio(c->v[0].path, true, plain, OUT_B_LEN, OUT_B_OFF));

	ASSERT_EQ(0, pke_migrate(&c->nl, 6000));
	t = pk_now_ms();
	rc = pk_dio(c->v[0].path, false, back, 65536, OUT_B_OFF);
	stall = pk_now_ms() - t;
	rc_w = pk_dio(c->v[0].path, true, other, 65536, OUT_B_OFF);
	printf("# R2: read during a 6000 ms outage (timeout 1500 ms) returned %d after %lld ms; a write then returned %d after %lld ms\n",
	       rc, stall, rc_w, pk_now_ms() - t - stall);
	fflush(stdout);
	EXPECT_EQ(-EIO, rc);
	EXPECT_LE(1000, stall) TH_LOG("failed before the timeout");
	EXPECT_GT(5500, stall) TH_LOG("did not fail before the outage ended");
	EXPECT_EQ(-EIO, rc_w);
	pk_kmsg_read(c->kmsg, log, sizeof(log));
	EXPECT_NE(NULL, strstr(log, "no usable adapter"))
	TH_LOG("no kernel message says why: %s", log);
	EXPECT_EQ(NULL, strstr(log, "BUG"));
	EXPECT_EQ(NULL, strstr(log, "WARNING"));

	/* Adapters back: the same mapping works, nothing was lost. */
	ASSERT_EQ(0, pke_wait_usable(&c->nl, 15000));
	t = pk_now_ms();
	EXPECT_EQ(0, pk_dio(c->v[0].path, false, back, OUT_B_LEN, OUT_B_OFF));
	printf("# R2: first read after the outage took %lld ms\n",
	       pk_now_ms() - t);
	fflush(stdout);
	EXPECT_EQ(0, memcmp(back, plain, OUT_B_LEN))
	TH_LOG("data written before the outage changed");
	pk_fill(plain, 65536, 0, 0x600d);
	EXPECT_EQ(0, pk_dio(c->v[0].path, true, plain, 65536, 0));
	EXPECT_EQ(0, pk_dio(c->v[0].path, false, back, 65536, 0));
	EXPECT_EQ(0, memcmp(back, plain, 65536));
	pk_fill(plain, OUT_B_LEN, OUT_B_OFF, 0x1e55);
	check_whole_volume(_metadata, &c->v[0], plain);
	free(plain);
	free(back);
	free(other);
}

/*
 * P4: an outage of T stalls I/O for T plus at most a tenth (the worker
 * retries after a sixteenth of the time waited so far), and nothing
 * fails.
 * 1500 ms is where a doubling backoff (10 ms .. 1 s) would first retry at
 * 2270 ms. Allowed: T + T/10 + 250 ms for the derives and the guest's
 * scheduling under TCG.
 */
TEST_F_TIMEOUT(outage, stall_bounded_by_outage_plus_a_tenth, 120)
{
	static const unsigned int outages[] = { 1500, 3000 };
	struct ctx *c = &self->c;
	uint8_t *plain, *back;
	long long t, stall;
	unsigned int i;
	int rc;

	ASSERT_EQ(0, set_rekey_timeout(10000))
	TH_LOG("%s must be 0644", PARAM_TIMEOUT);
	ASSERT_EQ(0, make_vols(_metadata, c, 1, OUT_VOL));
	plain = pk_alloc_io(65536);
	back = pk_alloc_io(65536);
	ASSERT_NE(NULL, plain);
	ASSERT_NE(NULL, back);
	pk_fill(plain, 65536, OUT_B_OFF, 0x9e4);
	ASSERT_EQ(0, pk_dio(c->v[0].path, true, plain, 65536, OUT_B_OFF));
	for (i = 0; i < ARRAY_SIZE(outages); i++) {
		unsigned int ms = outages[i];

		ASSERT_EQ(0, pke_migrate(&c->nl, ms));
		t = pk_now_ms();
		rc = pk_dio(c->v[0].path, false, back, 65536, OUT_B_OFF);
		stall = pk_now_ms() - t;
		printf("# P4: read after a migration with a %u ms outage returned %d after %lld ms (%+lld ms, %.1f %%)\n",
		       ms, rc, stall, stall - ms, 100.0 * (stall - ms) / ms);
		fflush(stdout);
		EXPECT_EQ(0, rc);
		EXPECT_EQ(0, memcmp(back, plain, 65536));
		EXPECT_LE(ms * 9 / 10, stall)
		TH_LOG("the read did not wait for the outage");
		EXPECT_GE(ms + ms / 10 + 250, stall)
		TH_LOG("a %u ms outage stalled %lld ms", ms, stall);
		ASSERT_EQ(0, pke_wait_usable(&c->nl, 15000));
	}
	free(plain);
	free(back);
}

TEST_HARNESS_MAIN
