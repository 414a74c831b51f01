// SPDX-License-Identifier: GPL-2.0-only
/*
 * What a block device already carries, through libblkid: a safe probe
 * for any filesystem, RAID, crypto (LUKS) or partition-table signature,
 * as "cryptsetup luksFormat" checks before it writes, and the wipe of
 * every signature found when the user forces the format (cryptsetup
 * wipes them too, so that no stale one, such as a backup GPT at the end
 * of the device, outlives the new header).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <blkid.h>

#include "protkey.h"

/* Every superblock and partition-table prober, magics and bad checksums. */
static void probe_all(blkid_probe pr)
{
	blkid_probe_enable_superblocks(pr, 1);
	blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE |
						      BLKID_SUBLKS_MAGIC |
						      BLKID_SUBLKS_BADCSUM);
	blkid_probe_enable_partitions(pr, 1);
	blkid_probe_set_partitions_flags(pr, BLKID_PARTS_MAGIC |
						     BLKID_PARTS_FORCE_GPT);
}

/**
 * pk_blkdev_signature() - the signature a device or image carries
 * @dev: the block device (or a regular file)
 * @type: receives the type libblkid names ("ext4", "crypto_LUKS", "gpt",
 *	...), or "several signatures" when the probe is ambivalent
 * @len: size of @type
 * @err: the error
 *
 * A safe probe (blkid_do_safeprobe()): superblocks and partition tables.
 *
 * Context: reads the device; may sleep.
 * Return: 1 when a signature is found, 0 when none, or a negative error
 * (-ENOENT: no such device) with @err set.
 */
int pk_blkdev_signature(const char *dev, char *type, size_t len,
			struct pk_err *err)
{
	const char *v = NULL;
	blkid_probe pr;
	int ret;

	type[0] = '\0';
	errno = 0;
	pr = blkid_new_probe_from_filename(dev);
	if (!pr)
		return pk_err_set(err, errno ? -errno : -ENOMEM,
				  "cannot probe %s", dev);
	probe_all(pr);
	ret = blkid_do_safeprobe(pr);
	if (ret == 0) {
		if (blkid_probe_lookup_value(pr, "TYPE", &v, NULL) &&
		    blkid_probe_lookup_value(pr, "PTTYPE", &v, NULL))
			v = "unknown";
		snprintf(type, len, "%s", v);
		ret = 1;
	} else if (ret == -2) {
		snprintf(type, len, "several signatures");
		ret = 1;
	} else if (ret == 1) {
		ret = 0;
	} else {
		ret = pk_err_set(err, -EIO, "cannot probe %s", dev);
	}
	blkid_free_probe(pr);
	return ret;
}

/**
 * pk_blkdev_wipe_signatures() - erase every signature libblkid finds
 * @dev: the block device (or a regular file)
 * @err: the error
 *
 * Each magic found is overwritten with zeros (blkid_do_wipe()), the probe
 * restarted after each, until none is left.
 *
 * Context: writes the device; may sleep.
 * Return: 0 or a negative error with @err set.
 */
int pk_blkdev_wipe_signatures(const char *dev, struct pk_err *err)
{
	blkid_probe pr;
	int fd, ret;

	fd = open(dev, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return pk_err_set(err, -errno, "cannot open %s", dev);
	pr = blkid_new_probe();
	if (!pr || blkid_probe_set_device(pr, fd, 0, 0)) {
		ret = pk_err_set(err, -ENOMEM, "cannot probe %s", dev);
		goto out;
	}
	probe_all(pr);
	while ((ret = blkid_do_probe(pr)) == 0) {
		if (blkid_do_wipe(pr, 0)) {
			ret = pk_err_set(err, -EIO,
					 "cannot wipe a signature of %s", dev);
			goto out;
		}
	}
	ret = ret == 1 ? 0 : pk_err_set(err, -EIO, "cannot probe %s", dev);
	if (!ret && fsync(fd))
		ret = pk_err_set(err, -errno, "cannot sync %s", dev);
out:
	blkid_free_probe(pr);
	close(fd);
	return ret;
}
