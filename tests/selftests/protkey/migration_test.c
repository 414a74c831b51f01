// SPDX-License-Identifier: GPL-2.0-only
/*
 * Wrapping-key changes (emulated guest migrations) under real dm-crypt I/O
 * on xts(paes), P2: fio random write + crc32c verify on one volume while
 * the emulator migrates at least 20 times, each once the key has
 * re-derived: no I/O error, no verify mismatch, no error in the kernel
 * log, and the emulator's derive counter shows exactly one derive per XTS
 * half per wrapping-key change (reported as "# P2:", the run as "# R1:").
 * soak_test is R1 proper: four volumes sharing keys, random intervals,
 * outages and master-key changes.
 *
 * Runs as root in the test VM with protkey.ko and protkey_emu.ko loaded.
 */
#include "kselftest_harness.h"

#include "ctx.h"

FIXTURE(mig)
{
	struct ctx c;
};

/**
 * FIXTURE_VARIANT(mig) - the volumes under load
 * @nvols: how many, each with its own key
 * @fio_size: bytes each fio run writes and verifies
 */
FIXTURE_VARIANT(mig)
{
	int nvols;
	const char *fio_size;
};

FIXTURE_VARIANT_ADD(mig, one_volume){
	.nvols = 1,
	.fio_size = "8M",
};

FIXTURE_SETUP(mig)
{
	ctx_setup(_metadata, &self->c);
}

FIXTURE_TEARDOWN(mig)
{
	ctx_teardown(&self->c);
}

static uint64_t stale_count(const struct pke_state *st)
{
	return st->cnt[PROTKEY_EMU_CNT_A_KM_SHORT] +
	       st->cnt[PROTKEY_EMU_CNT_A_PCC_STALE];
}

static int migrations_wanted(void)
{
	const char *s = getenv("PROTKEY_MIGRATIONS");

	return s && atoi(s) > 0 ? atoi(s) : 20;
}

/*
 * R1 and P2. Each migration waits until every key has re-derived (the
 * derive counter grew by 2 per key, so I/O met the new wrapping key on
 * every volume), then lets I/O run a moment before the next. A volume
 * whose fio run ended gets a new run while migrations remain.
 */
TEST_F_TIMEOUT(mig, fio_verify_survives_migrations, 300)
{
	struct ctx *c = &self->c;
	static char log[PK_OUT_LEN];
	int n = variant->nvols, want = migrations_wanted();
	uint64_t d0, stale0, derr0, d, expect;
	int migrations = 0, runs = 0, failed_runs = 0, i, rc;
	long long last_mig = 0, deadline, t0, wait_max = 0;
	struct pke_state st;
	bool running;
	const char *bad;

	ASSERT_EQ(0, make_vols(_metadata, c, n, 16ULL << 20));
	ASSERT_EQ(0, pke_get_state(&c->nl, &st));
	d0 = st.cnt[PROTKEY_EMU_CNT_A_DERIVES];
	derr0 = st.cnt[PROTKEY_EMU_CNT_A_DERIVE_ERRORS];
	stale0 = stale_count(&st);
	t0 = pk_now_ms();
	deadline = t0 + 270 * 1000;

	for (;;) {
		ASSERT_EQ(0, pke_get_state(&c->nl, &st));
		d = st.cnt[PROTKEY_EMU_CNT_A_DERIVES] - d0;
		expect = 2ULL * n * migrations;
		ASSERT_LE(d, expect)
		TH_LOG("%llu derives after %d migrations of %d keys",
		       (unsigned long long)d, migrations, n);
		running = false;
		for (i = 0; i < n; i++) {
			if (c->fio[i] > 0) {
				rc = pk_wait(c->fio[i], true);
				if (rc == -EAGAIN) {
					running = true;
					continue;
				}
				c->fio[i] = -1;
				runs++;
				failed_runs += !fio_clean(_metadata, i, rc);
			}
			if (migrations < want || d < expect) {
				c->fio[i] =
					start_fio(c, i, variant->fio_size, "0");
				ASSERT_LT(0, c->fio[i]);
				running = true;
			}
		}
		if (!running)
			break;
		ASSERT_LT(pk_now_ms(), deadline)
		TH_LOG("%d migrations, %llu of %llu derives, still running",
		       migrations, (unsigned long long)d,
		       (unsigned long long)expect);
		if (migrations < want && d == expect &&
		    pk_now_ms() - last_mig >= 150) {
			if (migrations && pk_now_ms() - last_mig > wait_max)
				wait_max = pk_now_ms() - last_mig;
			ASSERT_EQ(0, pke_migrate(&c->nl, 0));
			migrations++;
			last_mig = pk_now_ms();
		}
		usleep(10 * 1000);
	}

	ASSERT_EQ(0, pke_get_state(&c->nl, &st));
	d = st.cnt[PROTKEY_EMU_CNT_A_DERIVES] - d0;
	printf("# P2: %llu derives for %d migrations x %d keys: %.2f per key per migration (2 = one per XTS half)\n",
	       (unsigned long long)d, migrations, n,
	       (double)d / ((double)migrations * n));
	printf("# R1: %d volumes, %d migrations, %d fio runs, %d failed, %llu stale-key KM/PCC calls, %lld ms, longest wait for all keys re-derived %lld ms\n",
	       n, migrations, runs, failed_runs,
	       (unsigned long long)(stale_count(&st) - stale0),
	       pk_now_ms() - t0, wait_max);
	fflush(stdout);
	EXPECT_EQ(0, failed_runs);
	EXPECT_LE(want, migrations);
	EXPECT_EQ(2ULL * n * migrations, d);
	EXPECT_EQ(derr0, st.cnt[PROTKEY_EMU_CNT_A_DERIVE_ERRORS]);
	EXPECT_LE(stale0 + migrations, stale_count(&st))
	TH_LOG("I/O did not meet every wrapping-key change");
	pk_kmsg_read(c->kmsg, log, sizeof(log));
	bad = pk_kmsg_find_trouble(log);
	EXPECT_EQ(NULL, bad) TH_LOG("kernel log: %.300s", bad);
}

TEST_HARNESS_MAIN
