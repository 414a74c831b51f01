/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A test volume: a loop device on tmpfs, a 128-byte XTS secure-key blob
 * made by the emulator from clear keys the test picked, the blob as logon
 * key "protkey:<name>", and a plain dm-crypt mapping /dev/mapper/<name> on
 * paes-xts-plain64. The clear keys stay in the test for the oracle.
 */
#ifndef PROTKEY_SELFTEST_VOL_H
#define PROTKEY_SELFTEST_VOL_H

#include "dm.h"
#include "emu.h"

#define PK_BLOB_SIZE (2 * PROTKEY_EMU_SECKEY_SIZE)

/**
 * struct pk_vol - one test volume
 * @name: device-mapper name, also the logon key's "protkey:<name>"
 * @path: /dev/mapper/<name>
 * @lo: the loop device under it
 * @key: logon key id, 0 when none
 * @xts_key: the clear XTS key, key1 || key2 (AES-256 each)
 * @blob: the secure-key blob: token(key1) || token(key2)
 * @mapped: set while the mapping exists
 */
struct pk_vol {
	char name[32];
	char path[64];
	struct pk_loop lo;
	long key;
	uint8_t xts_key[64];
	uint8_t blob[PK_BLOB_SIZE];
	bool mapped;
};

/* Makes the clear XTS key of @seed: two different AES-256 keys. */
static inline void pk_vol_pick_key(struct pk_vol *v, uint32_t seed)
{
	pk_fill(v->xts_key, sizeof(v->xts_key), 0, seed * 7919u + 17);
	v->xts_key[32] ^= 0x5a; /* the halves differ whatever the pattern */
}

/* Everything but the mapping: loop device, blob, logon key. */
static inline int pk_vol_prepare(struct pk_nl *nl, struct pk_vol *v,
				 const char *name, uint64_t size, uint32_t seed)
{
	int ret;

	v->lo.fd = -1;
	snprintf(v->name, sizeof(v->name), "%s", name);
	snprintf(v->path, sizeof(v->path), "/dev/mapper/%s", name);
	pk_dm_remove(name); /* a leftover of an earlier, killed run */
	pk_vol_pick_key(v, seed);
	ret = pke_make_xts_blob(nl, v->xts_key, v->blob);
	if (ret)
		return ret;
	ret = pk_loop_setup(&v->lo, name, size);
	if (ret)
		return ret;
	v->key = pk_logon_add(name, v->blob, sizeof(v->blob));
	return v->key < 0 ? (int)v->key : 0;
}

/* The whole volume; dmsetup's output in @out on failure. */
static inline int pk_vol_create(struct pk_nl *nl, struct pk_vol *v,
				const char *name, uint64_t size, uint32_t seed,
				const char *opts, char *out, size_t outlen)
{
	int ret;

	ret = pk_vol_prepare(nl, v, name, size, seed);
	if (ret)
		return ret;
	ret = pk_dm_create(name, v->lo.dev, size, PK_BLOB_SIZE, opts, out,
			   outlen);
	if (ret)
		return -EIO;
	v->mapped = true;
	return 0;
}

/* Undoes whatever of the volume exists; safe to call twice. */
static inline void pk_vol_destroy(struct pk_vol *v)
{
	if (!v->name[0])
		return;
	pk_dm_remove(v->name);
	v->mapped = false;
	pk_loop_teardown(&v->lo);
	pk_key_invalidate(v->key);
	v->key = 0;
}

/*
 * The S4 check: the raw device holds exactly the plain AES-XTS
 * encryption, with the clear key, of @plain (@len bytes at @off of the
 * mapping, whose data starts @data_off bytes into the device). Return: 0,
 * or the 1-based position of the first differing byte, or -errno.
 */
static inline long long pk_vol_check_oracle(struct pk_vol *v, uint64_t data_off,
					    uint64_t off, const uint8_t *plain,
					    size_t len, unsigned int unit,
					    bool iv_large)
{
	uint8_t *raw, *exp;
	struct pk_xts x;
	long long ret;
	size_t i;

	raw = malloc(len);
	exp = malloc(len);
	ret = raw && exp ? pk_xts_open(&x, v->xts_key, sizeof(v->xts_key)) :
			   -ENOMEM;
	if (!ret) {
		ret = pk_xts_range(&x, off, plain, exp, len, unit, iv_large);
		pk_xts_close(&x);
	}
	ret = ret ?: pk_loop_read_raw(&v->lo, data_off + off, raw, len);
	for (i = 0; !ret && i < len; i++)
		if (raw[i] != exp[i])
			ret = (long long)i + 1;
	free(raw);
	free(exp);
	return ret;
}

#endif /* PROTKEY_SELFTEST_VOL_H */
