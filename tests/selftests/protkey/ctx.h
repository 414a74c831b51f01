/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shared setup of the migration and outage selftests: volumes, fio runs
 * and rekey_timeout_ms, all undone by ctx_teardown() whatever happened.
 * Include after kselftest_harness.h.
 */
#ifndef PROTKEY_SELFTEST_CTX_H
#define PROTKEY_SELFTEST_CTX_H

#include "vol.h"

#define MAX_VOLS 4
#define PARAM_TIMEOUT "/sys/module/protkey/parameters/rekey_timeout_ms"

/**
 * struct ctx - what a test sets up, for its teardown
 * @nl: protkey_emu client
 * @v: the volumes
 * @fio: running fio per volume, or -1
 * @timeout_saved: rekey_timeout_ms before the test
 * @kmsg: kernel log since the test began
 */
struct ctx {
	struct pk_nl nl;
	struct pk_vol v[MAX_VOLS];
	pid_t fio[MAX_VOLS];
	char timeout_saved[32];
	int kmsg;
};

static inline void ctx_setup(struct __test_metadata *_metadata, struct ctx *c)
{
	int i;

	for (i = 0; i < MAX_VOLS; i++)
		c->fio[i] = -1;
	c->kmsg = pk_kmsg_mark();
	ASSERT_EQ(0, pk_nl_open(&c->nl, PROTKEY_EMU_FAMILY_NAME))
	TH_LOG("family %s not found: is protkey_emu.ko loaded?",
	       PROTKEY_EMU_FAMILY_NAME);
	ASSERT_EQ(0, pke_normalise(&c->nl))
	TH_LOG("cannot reset the emulator: %s", c->nl.msg);
	ASSERT_EQ(0, pk_read_file(PARAM_TIMEOUT, c->timeout_saved,
				  sizeof(c->timeout_saved)))
	TH_LOG("no %s: is protkey.ko loaded?", PARAM_TIMEOUT);
}

static inline void ctx_teardown(struct ctx *c)
{
	int i;

	for (i = 0; i < MAX_VOLS; i++) {
		if (c->fio[i] > 0) {
			kill(c->fio[i], SIGKILL);
			pk_wait(c->fio[i], false);
		}
	}
	pke_normalise(&c->nl);
	for (i = 0; i < MAX_VOLS; i++)
		pk_vol_destroy(&c->v[i]);
	if (c->timeout_saved[0])
		pk_write_file(PARAM_TIMEOUT, c->timeout_saved,
			      strlen(c->timeout_saved));
	pk_nl_close(&c->nl);
	if (c->kmsg >= 0)
		close(c->kmsg);
}

static inline int set_rekey_timeout(unsigned int ms)
{
	char buf[16];
	struct stat st;

	if (stat(PARAM_TIMEOUT, &st))
		return -errno;
	if (!(st.st_mode & 0200))
		return -EROFS;
	snprintf(buf, sizeof(buf), "%u", ms);
	return pk_write_file(PARAM_TIMEOUT, buf, strlen(buf));
}

static inline int make_vols(struct __test_metadata *_metadata, struct ctx *c,
			    int n, uint64_t size)
{
	static char out[PK_OUT_LEN];
	char name[32];
	int i, ret;

	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "pk_mig%d", i);
		ret = pk_vol_create(&c->nl, &c->v[i], name, size, 10 + i, NULL,
				    out, sizeof(out));
		if (ret) {
			TH_LOG("volume %s: %s: %s", name, strerror(-ret), out);
			return ret;
		}
	}
	return 0;
}

/* Starts fio random write + crc32c verify on volume @i, output to a file. */
static inline pid_t start_fio(struct ctx *c, int i, const char *size,
			      const char *offset)
{
	char fname[96], out[48], name[16], sz[32], off[32];
	char *argv[] = {
		"fio",
		name,
		fname,
		"--ioengine=libaio",
		"--iodepth=16",
		"--direct=1",
		"--rw=randwrite",
		"--bs=4k",
		sz,
		off,
		"--verify=crc32c",
		"--do_verify=1",
		"--verify_fatal=1",
		"--randseed=0",
		NULL,
	};

	snprintf(name, sizeof(name), "--name=v%d", i);
	snprintf(fname, sizeof(fname), "--filename=%s", c->v[i].path);
	snprintf(sz, sizeof(sz), "--size=%s", size);
	snprintf(off, sizeof(off), "--offset=%s", offset);
	snprintf(out, sizeof(out), "/tmp/pk-fio%d.out", i);
	return pk_spawn(argv, out, false);
}

/*
 * Checks a finished fio run of volume @i: exit status 0, "err= 0" and no
 * verify complaint. Return: true when clean (else logs fio's output).
 */
static inline bool fio_clean(struct __test_metadata *_metadata, int i, int rc)
{
	static char out[PK_OUT_LEN];
	char path[48];

	snprintf(path, sizeof(path), "/tmp/pk-fio%d.out", i);
	pk_read_file(path, out, sizeof(out));
	if (rc == 0 && strstr(out, "err= 0") && !strstr(out, "verify:") &&
	    !strstr(out, "bad magic"))
		return true;
	TH_LOG("fio on volume %d: rc %d:\n%s", i, rc, out);
	return false;
}

/* CPACF calls that found the protected key stale (WKVP mismatch). */
#endif /* PROTKEY_SELFTEST_CTX_H */
