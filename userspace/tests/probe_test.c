// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of lib/probe.c on image files: a blank image carries no
 * signature, one with an ext4 superblock is named "ext4", a wipe leaves
 * none, a missing file is -ENOENT.
 */
#include "test.h"

#define IMG_SIZE (1 << 20)

/* An ext4 superblock at 1024: magic 0xEF53, 1024 blocks, extents. */
static int write_image(const char *dir, bool ext4)
{
	uint8_t *b = calloc(1, IMG_SIZE);
	int ret;

	if (!b)
		return -ENOMEM;
	if (ext4) {
		b[1024 + 0x04] = 0x00; /* s_blocks_count = 1024 */
		b[1024 + 0x05] = 0x04;
		b[1024 + 0x38] = 0x53; /* s_magic, little-endian */
		b[1024 + 0x39] = 0xef;
		b[1024 + 0x60] = 0x40; /* s_feature_incompat: EXTENTS */
	}
	ret = t_write(dir, "img", b, IMG_SIZE);
	free(b);
	return ret;
}

int main(void)
{
	char path[4200], type[64], *dir;
	struct pk_err err;
	int ret;

	t_plan(5);
	dir = t_mkdtemp();
	snprintf(path, sizeof(path), "%s/img", dir);
	ret = write_image(dir, false);
	ret = ret ?: pk_blkdev_signature(path, type, sizeof(type), &err);
	t_ok(ret == 0 && !type[0], "probe: a blank image has no signature");
	ret = write_image(dir, true);
	ret = ret ?: pk_blkdev_signature(path, type, sizeof(type), &err);
	t_ok(ret == 1 && !strcmp(type, "ext4"),
	     "probe: an ext4 superblock is found and named (%d, '%s')", ret,
	     type);
	ret = pk_blkdev_wipe_signatures(path, &err);
	t_ok(!ret, "probe: wipe the signatures");
	ret = pk_blkdev_signature(path, type, sizeof(type), &err);
	t_ok(ret == 0, "probe: none left after the wipe (%d, '%s')", ret, type);
	snprintf(path, sizeof(path), "%s/none", dir);
	t_ok(pk_blkdev_signature(path, type, sizeof(type), &err) == -ENOENT,
	     "probe: a missing device: ENOENT");
	t_rmrf(dir);
	free(dir);
	return t_done();
}
