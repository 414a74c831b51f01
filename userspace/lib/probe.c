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
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

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

/**
 * pk_blkdev_list_luks() - the block devices that carry a LUKS header
 * @devs: receives a malloc'ed array of malloc'ed device names
 * @n: receives their number
 * @err: the error
 *
 * libblkid probes every block device of /proc/partitions (blkid's
 * blkid_probe_all(), with no cache file read or written: a stale cache
 * must not hide a volume or show one that is gone) and keeps those whose
 * TYPE is crypto_LUKS, LUKS1 and LUKS2 alike.
 *
 * Context: reads every block device's first sectors; may sleep.
 * Return: 0 or a negative error with @err set.
 */
int pk_blkdev_list_luks(char ***devs, size_t *n, struct pk_err *err)
{
	blkid_dev_iterate it;
	blkid_cache cache;
	char **v = NULL, **nv;
	blkid_dev d;
	size_t k = 0;
	int ret = 0;

	*devs = NULL;
	*n = 0;
	if (blkid_get_cache(&cache, "/dev/null"))
		return pk_err_set(err, -ENOMEM, "cannot set up libblkid");
	if (blkid_probe_all(cache)) {
		blkid_put_cache(cache);
		return pk_err_set(err, -EIO,
				  "libblkid cannot probe the block devices");
	}
	it = blkid_dev_iterate_begin(cache);
	blkid_dev_set_search(it, "TYPE", "crypto_LUKS");
	while (!ret && !blkid_dev_next(it, &d)) {
		d = blkid_verify(cache, d);
		if (!d)
			continue;
		nv = realloc(v, (k + 1) * sizeof(*v));
		if (nv)
			v = nv;
		if (!nv || !(v[k] = strdup(blkid_dev_devname(d))))
			ret = pk_err_set(err, -ENOMEM, "out of memory");
		else
			k++;
	}
	blkid_dev_iterate_end(it);
	blkid_put_cache(cache);
	if (ret) {
		pk_names_free(v, k);
		return ret;
	}
	*devs = v;
	*n = k;
	return 0;
}

/**
 * pk_blkdev_holder() - the device-mapper device that holds @dev open
 * @dev: the block device
 * @name: receives the mapping's name, "" when none holds it
 * @len: size of @name
 *
 * The first holder of /sys/dev/block/MAJ:MIN/holders that is a
 * device-mapper device (its dm/name): the mapping a dm-crypt volume of
 * @dev is open as.
 *
 * Return: 0, or a negative error when @dev is no block device.
 */
int pk_blkdev_holder(const char *dev, char *name, size_t len)
{
	char path[512], buf[256];
	struct dirent *e;
	struct stat st;
	ssize_t r;
	DIR *dir;
	int fd;

	name[0] = '\0';
	if (stat(dev, &st))
		return -errno;
	if (!S_ISBLK(st.st_mode))
		return -ENOTBLK;
	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/holders",
		 major(st.st_rdev), minor(st.st_rdev));
	dir = opendir(path);
	if (!dir)
		return 0;
	while ((e = readdir(dir)) && !name[0]) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path),
			 "/sys/dev/block/%u:%u/holders/%s/dm/name",
			 major(st.st_rdev), minor(st.st_rdev), e->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		r = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (r <= 0)
			continue;
		buf[r] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		snprintf(name, len, "%s", buf);
	}
	closedir(dir);
	return 0;
}
