// SPDX-License-Identifier: GPL-2.0-only
/*
 * LUKS2 volumes on xts(paes) made and opened by the real cryptsetup, as
 * users do it: the secure-key blob is the volume key
 * (--volume-key-file, --key-size 1024). The data segment must hold exactly
 * what plain aes-xts-plain64 writes with the clear key (S4, computed by the
 * kernel's generic xts(aes) through AF_ALG), before and after a reopen; a
 * volume formatted with a random 64-byte "key" must fail to open cleanly
 * (S3).
 *
 * Runs as root in the test VM with protkey.ko and protkey_emu.ko loaded.
 */
#include "kselftest_harness.h"

#include "vol.h"

#define DEV_SIZE (24ULL << 20)
#define DATA_LEN (2ULL << 20)
#define NAME "pk_luks2"
#define VK_FILE "/tmp/pk-luks2.vk"
#define PASS_FILE "/tmp/pk-luks2.pass"

FIXTURE(luks2)
{
	struct pk_nl nl;
	struct pk_vol v;
	int kmsg;
};

/**
 * FIXTURE_VARIANT(luks2) - how the volume is formatted
 * @sector_size: --sector-size argument, or NULL for cryptsetup's choice
 */
FIXTURE_VARIANT(luks2)
{
	const char *sector_size;
};

FIXTURE_VARIANT_ADD(luks2, default_sector_size){
	.sector_size = NULL,
};

FIXTURE_VARIANT_ADD(luks2, sector_size_4096){
	.sector_size = "4096",
};

FIXTURE_SETUP(luks2)
{
	self->kmsg = pk_kmsg_mark();
	ASSERT_EQ(0, pk_nl_open(&self->nl, PROTKEY_EMU_FAMILY_NAME))
	TH_LOG("family %s not found: is protkey_emu.ko loaded?",
	       PROTKEY_EMU_FAMILY_NAME);
	ASSERT_EQ(0, pke_normalise(&self->nl));
}

FIXTURE_TEARDOWN(luks2)
{
	pk_run(NULL, 0, "cryptsetup", "close", NAME, NULL);
	pk_vol_destroy(&self->v);
	unlink(VK_FILE);
	unlink(PASS_FILE);
	pke_normalise(&self->nl);
	pk_nl_close(&self->nl);
	if (self->kmsg >= 0)
		close(self->kmsg);
}

/* A number after @key in the section that starts at @section of @dump. */
static long long dump_value(const char *dump, const char *section,
			    const char *key)
{
	const char *p = strstr(dump, section);

	p = p ? strstr(p, key) : NULL;
	return p ? strtoll(p + strlen(key), NULL, 10) : -1;
}

static int luks_format(const char *dev, const char *keysize,
		       const char *sector_size, char *out, size_t outlen)
{
	return pk_run(out, outlen, "cryptsetup", "luksFormat", "--type",
		      "luks2", "--cipher", "paes-xts-plain64", "--key-size",
		      keysize, "--volume-key-file", VK_FILE, "--pbkdf",
		      "pbkdf2", "--pbkdf-force-iterations", "1000", "-q",
		      "--key-file", PASS_FILE, dev,
		      sector_size ? "--sector-size" : NULL, sector_size, NULL);
}

static int luks_open(const char *dev, char *out, size_t outlen)
{
	return pk_run(out, outlen, "cryptsetup", "open", "--type", "luks2",
		      "--key-file", PASS_FILE, dev, NAME, NULL);
}

TEST_F_TIMEOUT(luks2, data_segment_equals_aes_xts_plain64_after_reopen, 180)
{
	static char out[PK_OUT_LEN], log[PK_OUT_LEN];
	long long data_off, sector, pos;
	uint8_t *plain, *back;
	const char *bad;
	bool iv_large;

	ASSERT_EQ(0, pk_vol_prepare(&self->nl, &self->v, NAME, DEV_SIZE, 40));
	ASSERT_EQ(0, pk_write_file(VK_FILE, self->v.blob, PK_BLOB_SIZE));
	ASSERT_EQ(0, pk_write_file(PASS_FILE, "protkey test passphrase", 23));
	ASSERT_EQ(0, luks_format(self->v.lo.dev, "1024", variant->sector_size,
				 out, sizeof(out)))
	TH_LOG("luksFormat: %s", out);
	ASSERT_EQ(0, pk_run(out, sizeof(out), "cryptsetup", "luksDump",
			    self->v.lo.dev, NULL));
	EXPECT_NE(NULL, strstr(out, "paes-xts-plain64")) TH_LOG("%s", out);
	data_off = dump_value(out, "Data segments:", "offset:");
	sector = dump_value(out, "Data segments:", "sector:");
	TH_LOG("data segment at %lld bytes, sector %lld", data_off, sector);
	ASSERT_LT(0, data_off) TH_LOG("%s", out);
	ASSERT_TRUE(sector == 512 || sector == 4096) TH_LOG("%s", out);
	if (variant->sector_size)
		ASSERT_EQ(atoll(variant->sector_size), sector);

	ASSERT_EQ(0, luks_open(self->v.lo.dev, out, sizeof(out)))
	TH_LOG("open: %s", out);
	plain = pk_alloc_io(DATA_LEN);
	back = pk_alloc_io(DATA_LEN);
	ASSERT_NE(NULL, plain);
	ASSERT_NE(NULL, back);
	pk_fill(plain, DATA_LEN, 0, 0x1a2b);
	ASSERT_EQ(0, pk_dio("/dev/mapper/" NAME, true, plain, DATA_LEN, 0));
	ASSERT_EQ(0, pk_dio("/dev/mapper/" NAME, false, back, DATA_LEN, 0));
	EXPECT_EQ(0, memcmp(plain, back, DATA_LEN));
	/*
	 * LUKS2 counts the IV in 512-byte sectors whatever the sector size;
	 * the table says so (no iv_large_sectors).
	 */
	ASSERT_EQ(0, pk_run(out, sizeof(out), "dmsetup", "table", NAME, NULL));
	TH_LOG("table: %s", out);
	iv_large = strstr(out, "iv_large_sectors");
	pos = pk_vol_check_oracle(&self->v, data_off, 0, plain, DATA_LEN,
				  sector, iv_large);
	EXPECT_EQ(0, pos)
	TH_LOG("raw byte %lld of the data segment differs from aes-xts-plain64",
	       pos - 1);

	ASSERT_EQ(0,
		  pk_run(out, sizeof(out), "cryptsetup", "close", NAME, NULL))
	TH_LOG("close: %s", out);
	ASSERT_FALSE(pk_dm_exists(NAME));
	ASSERT_EQ(0, luks_open(self->v.lo.dev, out, sizeof(out)))
	TH_LOG("reopen: %s", out);
	memset(back, 0, DATA_LEN);
	ASSERT_EQ(0, pk_dio("/dev/mapper/" NAME, false, back, DATA_LEN, 0));
	EXPECT_EQ(0, memcmp(plain, back, DATA_LEN));
	EXPECT_EQ(0,
		  pk_run(out, sizeof(out), "cryptsetup", "close", NAME, NULL));

	pk_kmsg_read(self->kmsg, log, sizeof(log));
	bad = pk_kmsg_find_trouble(log);
	EXPECT_EQ(NULL, bad) TH_LOG("kernel log: %.300s", bad);
	free(plain);
	free(back);
}

/*
 * S3: a 64-byte random volume key is no secure-key blob: cryptsetup may
 * format (it cannot check a wrapped key), but open must fail cleanly, with
 * no mapping left and no kernel splat.
 */
TEST_F_TIMEOUT(luks2, random_64_byte_volume_key_fails_to_open_cleanly, 120)
{
	static char out[PK_OUT_LEN], log[PK_OUT_LEN];
	uint8_t junk[64];
	int rc;

	ASSERT_EQ(0, pk_vol_prepare(&self->nl, &self->v, NAME, DEV_SIZE, 41));
	pk_fill(junk, sizeof(junk), 0, 0xdead);
	ASSERT_EQ(0, pk_write_file(VK_FILE, junk, sizeof(junk)));
	ASSERT_EQ(0, pk_write_file(PASS_FILE, "protkey test passphrase", 23));
	rc = luks_format(self->v.lo.dev, "512", variant->sector_size, out,
			 sizeof(out));
	TH_LOG("luksFormat with a random 64-byte key: rc %d", rc);
	if (rc == 0) {
		rc = luks_open(self->v.lo.dev, out, sizeof(out));
		EXPECT_NE(0, rc) TH_LOG("a random key opened: %s", out);
		TH_LOG("open: rc %d: %s", rc, out);
	}
	EXPECT_FALSE(pk_dm_exists(NAME)) TH_LOG("a mapping was left behind");
	pk_kmsg_read(self->kmsg, log, sizeof(log));
	EXPECT_EQ(NULL, strstr(log, "BUG"));
	EXPECT_EQ(NULL, strstr(log, "Oops"));
	EXPECT_EQ(NULL, strstr(log, "WARNING"));
}

TEST_HARNESS_MAIN
