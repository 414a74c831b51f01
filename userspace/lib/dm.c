// SPDX-License-Identifier: GPL-2.0-only
/*
 * Plain (headerless) dm-crypt mappings on paes-xts-plain64 with
 * libdevmapper. The table names the secure key by its logon key
 * ("crypt paes-xts-plain64 :<bytes>:logon:protkey:<key> 0 <dev> 0"), so
 * the blob never appears in a table or in a process's arguments; the
 * mapping gets the DM UUID "CRYPT-PLAIN-<name>" that cryptsetup gives its
 * plain mappings, which is how close and status tell it from a LUKS2 one.
 *
 * libdevmapper logs through a callback kept here: its last error line
 * becomes the error message, nothing is printed. Creation waits for udev
 * (or, without udev, for libdevmapper's own node) so that
 * /dev/mapper/<name> exists when pk_dm_plain_create() returns.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <linux/fs.h>

#include <libdevmapper.h>

#include "protkey.h"

#define UUID_PREFIX "CRYPT-PLAIN-"
#define LUKS_UUID_PREFIX "CRYPT-LUKS"
#define UUID_LEN 129 /* DM_UUID_LEN of <linux/dm-ioctl.h> */

static char dm_last[256];

static void dm_log(int level, const char *file, int line, int dm_errno,
		   const char *fmt, ...)
{
	va_list ap;

	(void)file;
	(void)line;
	(void)dm_errno;
	if ((level & 7) > 3) /* _LOG_ERR */
		return;
	va_start(ap, fmt);
	vsnprintf(dm_last, sizeof(dm_last), fmt, ap);
	va_end(ap);
}

static void dm_quiet(void)
{
	dm_last[0] = '\0';
	dm_log_with_errno_init(dm_log);
}

/* @what, then libdevmapper's last error line when it gave one. */
static int dm_fail(struct pk_err *err, int ret, const char *what,
		   const char *name)
{
	return pk_err_platform(err, ret, "%s %s%s%s", what, name,
			       dm_last[0] ? ": " : "", dm_last);
}

/*
 * The table parameters of a plain mapping: cipher, key string, IV offset,
 * device, offset, and "1 sector_size:N" unless @sector_size is 512.
 */
int pk_dm_plain_params(char *buf, size_t len, const char *keyname,
		       size_t key_bytes, const char *dev,
		       unsigned int sector_size)
{
	int n;

	n = snprintf(buf, len, "%s :%zu:logon:" PK_LOGON_PREFIX "%s 0 %s 0",
		     PK_DM_CIPHER, key_bytes, keyname, dev);
	if (n >= 0 && (size_t)n < len && sector_size != 512)
		n += snprintf(buf + n, len - (size_t)n, " 1 sector_size:%u",
			      sector_size);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static int parse_u64(const char *s, uint64_t *v)
{
	char *end;

	if (!*s || *s == '-')
		return -EINVAL;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return errno || *end ? -EINVAL : 0;
}

/* ":<bytes>:<type>:<description>" into @c; a hex key is not ours. */
static int parse_key(const char *s, struct pk_dm_crypt *c)
{
	char bytes[16];
	const char *type, *desc;
	uint64_t n;

	if (s[0] != ':')
		return -EINVAL;
	type = strchr(s + 1, ':');
	if (!type || (size_t)(type - s - 1) >= sizeof(bytes))
		return -EINVAL;
	memcpy(bytes, s + 1, (size_t)(type - s - 1));
	bytes[type - s - 1] = '\0';
	desc = strchr(type + 1, ':');
	if (parse_u64(bytes, &n) || !n || n > PK_XTS_BLOB_MAX || !desc ||
	    !desc[1])
		return -EINVAL;
	/* Too long for @c: refused, never cut short to another name. */
	if ((size_t)(desc - type - 1) >= sizeof(c->key_type) ||
	    strlen(desc + 1) >= sizeof(c->key_desc))
		return -EINVAL;
	c->key_bytes = (unsigned int)n;
	snprintf(c->key_type, sizeof(c->key_type), "%.*s",
		 (int)(desc - type - 1), type + 1);
	snprintf(c->key_desc, sizeof(c->key_desc), "%s", desc + 1);
	return 0;
}

/* The optional arguments: only sector_size:N matters here. */
static int parse_opts(char **tok, int n, struct pk_dm_crypt *c)
{
	uint64_t cnt, v;
	int i;

	if (n == 0)
		return 0;
	if (parse_u64(tok[0], &cnt) || cnt != (uint64_t)(n - 1))
		return -EINVAL;
	for (i = 1; i < n; i++) {
		if (strncmp(tok[i], "sector_size:", 12))
			continue;
		if (parse_u64(tok[i] + 12, &v) || v < 512 || v > 4096 ||
		    (v & (v - 1)))
			return -EINVAL;
		c->sector_size = (unsigned int)v;
	}
	return 0;
}

/*
 * Parses a crypt target's table parameters as the kernel reports them
 * ("<cipher> <key> <iv_offset> <dev> <offset> [<#opts> <opts>...]") with
 * the key given by a keyring reference. Return: 0, or -EINVAL.
 */
int pk_dm_crypt_parse(const char *params, struct pk_dm_crypt *c,
		      struct pk_err *err)
{
	char *copy, *tok[16], *save = NULL, *p;
	int n = 0, ret = -EINVAL;

	memset(c, 0, sizeof(*c));
	c->sector_size = 512;
	copy = strdup(params);
	if (!copy)
		return pk_err_set(err, -ENOMEM, "crypt table");
	for (p = strtok_r(copy, " ", &save); p && n < 16;
	     p = strtok_r(NULL, " ", &save))
		tok[n++] = p;
	if (n < 5 || p || strlen(tok[0]) >= sizeof(c->cipher) ||
	    strlen(tok[3]) >= sizeof(c->device))
		goto out;
	strcpy(c->cipher, tok[0]);
	strcpy(c->device, tok[3]);
	if (parse_key(tok[1], c) || parse_u64(tok[2], &c->iv_offset) ||
	    parse_u64(tok[4], &c->offset) || parse_opts(tok + 5, n - 5, c))
		goto out;
	ret = 0;
out:
	free(copy);
	return ret ? pk_err_set(err, ret, "crypt table '%.200s'", params) : 0;
}

/*
 * The size of block device @dev in bytes, refused when it is empty or not
 * a multiple of @sector_size.
 */
int pk_blkdev_size(const char *dev, unsigned int sector_size, uint64_t *bytes,
		   struct pk_err *err)
{
	struct stat sb;
	int fd, ret = 0;

	fd = open(dev, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return pk_err_set(err, -errno, "device %s", dev);
	if (fstat(fd, &sb) || !S_ISBLK(sb.st_mode)) {
		ret = pk_err_set(err, -EINVAL, "%s is not a block device", dev);
		goto out;
	}
	if (ioctl(fd, BLKGETSIZE64, bytes)) {
		ret = pk_err_set(err, -errno, "size of %s", dev);
		goto out;
	}
	if (!*bytes || *bytes % sector_size)
		ret = pk_err_set(
			err, -EINVAL,
			"%s: size %llu is not a non-zero multiple of the sector size %u",
			dev, (unsigned long long)*bytes, sector_size);
out:
	close(fd);
	return ret;
}

/*
 * The whole disk of partition @rdev as /dev/<name> into @path (udev's
 * lock convention takes the whole disk's lock); @path is left alone for
 * a device that is no partition.
 */
static void whole_disk(dev_t rdev, char *path, size_t len)
{
	char sys[96], line[128];
	FILE *f;

	snprintf(sys, sizeof(sys), "/sys/dev/block/%u:%u/partition",
		 major(rdev), minor(rdev));
	if (access(sys, F_OK))
		return;
	snprintf(sys, sizeof(sys), "/sys/dev/block/%u:%u/../uevent",
		 major(rdev), minor(rdev));
	f = fopen(sys, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "DEVNAME=", 8)) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(path, len, "/dev/%s", line + 8);
			break;
		}
	fclose(f);
}

#define LOCK_TRIES 20 /* 100 ms apart: udev holds its lock for a probe */

/**
 * pk_blkdev_lock() - take the exclusive BSD lock of a block device
 * @dev: the device (a partition: its whole disk is locked)
 * @fd: receives the locked descriptor, to close() when done; -1 when @dev
 *	is a regular file (an image: libcryptsetup locks it itself, with
 *	flock on the file, which would then deadlock against ours)
 * @err: error
 *
 * The convention udev and systemd document ("Locking Block Device
 * Access"): a program that changes a device's contents holds flock
 * LOCK_EX on the whole disk, udev probes it only after, and a second
 * protkeyctl run on the same device fails here instead of interleaving
 * its header commits with ours. udev's own shared lock is held only for
 * a probe: it is waited for, briefly.
 *
 * Context: may sleep up to 2 s.
 * Return: 0; -EBUSY when another process holds the lock; -errno.
 */
int pk_blkdev_lock(const char *dev, int *fd, struct pk_err *err)
{
	char path[PATH_MAX];
	struct stat sb;
	int i, ret;

	*fd = -1;
	if (stat(dev, &sb))
		return pk_err_set(err, -errno, "device %s", dev);
	if (!S_ISBLK(sb.st_mode))
		return 0;
	snprintf(path, sizeof(path), "%s", dev);
	whole_disk(sb.st_rdev, path, sizeof(path));
	ret = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (ret < 0)
		return pk_err_set(err, -errno, "device %s", path);
	*fd = ret;
	for (i = 0; i < LOCK_TRIES; i++) {
		if (!flock(*fd, LOCK_EX | LOCK_NB))
			return 0;
		if (errno != EWOULDBLOCK)
			break;
		usleep(100000);
	}
	ret = errno == EWOULDBLOCK ?
		      pk_err_set(
			      err, -EBUSY,
			      "%s is busy: another process (protkeyctl, cryptsetup, udev) holds its lock; run again when it is done",
			      path) :
		      pk_err_set(err, -errno, "cannot lock %s", path);
	close(*fd);
	*fd = -1;
	return ret;
}

/* @name's info; 0 with @info->exists clear when there is no such mapping. */
static int dm_info(const char *name, struct dm_info *info, char *uuid,
		   size_t len, struct pk_err *err)
{
	struct dm_task *dmt;
	const char *u;
	int ret = 0;

	dm_quiet();
	memset(info, 0, sizeof(*info));
	dmt = dm_task_create(DM_DEVICE_INFO);
	if (!dmt)
		return pk_err_set(err, -ENOMEM, "device-mapper task");
	if (!dm_task_set_name(dmt, name) || !dm_task_run(dmt) ||
	    !dm_task_get_info(dmt, info)) {
		ret = dm_fail(err, -EIO, "device-mapper info of", name);
		goto out;
	}
	u = info->exists ? dm_task_get_uuid(dmt) : NULL;
	if (uuid)
		snprintf(uuid, len, "%s", u ? u : "");
out:
	dm_task_destroy(dmt);
	return ret;
}

/*
 * Whether mapping @name exists and what it is. Return: PK_DM_NONE,
 * PK_DM_PLAIN (made by us or cryptsetup plainOpen), PK_DM_LUKS, PK_DM_OTHER,
 * or -errno.
 */
int pk_dm_kind(const char *name, struct pk_err *err)
{
	struct dm_info info;
	char uuid[UUID_LEN];
	int ret;

	ret = dm_info(name, &info, uuid, sizeof(uuid), err);
	if (ret)
		return ret;
	if (!info.exists)
		return PK_DM_NONE;
	if (!strncmp(uuid, UUID_PREFIX, strlen(UUID_PREFIX)))
		return PK_DM_PLAIN;
	if (!strncmp(uuid, LUKS_UUID_PREFIX, strlen(LUKS_UUID_PREFIX)))
		return PK_DM_LUKS;
	return PK_DM_OTHER;
}

/* Runs @dmt with udev synchronisation: the node exists on return. */
static int run_synced(struct dm_task *dmt)
{
	uint32_t cookie = 0;
	int ok;

	dm_udev_set_sync_support(1);
	ok = dm_task_set_cookie(dmt, &cookie, 0) && dm_task_run(dmt);
	if (cookie)
		dm_udev_wait(cookie);
	return ok;
}

static int dm_remove_task(const char *name)
{
	struct dm_task *dmt;
	int ok;

	dmt = dm_task_create(DM_DEVICE_REMOVE);
	if (!dmt)
		return 0;
	ok = dm_task_set_name(dmt, name) && dm_task_retry_remove(dmt) &&
	     run_synced(dmt);
	dm_task_destroy(dmt);
	return ok;
}

/*
 * Creates plain mapping /dev/mapper/@name of @sectors 512-byte sectors
 * over @dev, keyed by logon key "protkey:@keyname" of @key_bytes bytes,
 * which must be loaded. A mapping of that name is refused (-EEXIST); if
 * the kernel refuses the table, no mapping is left behind.
 */
int pk_dm_plain_create(const char *name, const char *dev, const char *keyname,
		       size_t key_bytes, unsigned int sector_size,
		       uint64_t sectors, struct pk_err *err)
{
	char params[512], uuid[UUID_LEN];
	struct dm_task *dmt;
	int ret;

	ret = pk_dm_kind(name, err);
	if (ret < 0)
		return ret;
	if (ret != PK_DM_NONE)
		return pk_err_set(err, -EEXIST, "mapping %s exists", name);
	ret = pk_dm_plain_params(params, sizeof(params), keyname, key_bytes,
				 dev, sector_size);
	if (ret)
		return pk_err_set(err, ret, "table for %s", dev);
	snprintf(uuid, sizeof(uuid), UUID_PREFIX "%s", name);
	dm_quiet();
	dmt = dm_task_create(DM_DEVICE_CREATE);
	if (!dmt)
		return pk_err_set(err, -ENOMEM, "device-mapper task");
	if (!dm_task_set_name(dmt, name) || !dm_task_set_uuid(dmt, uuid) ||
	    !dm_task_secure_data(dmt) ||
	    !dm_task_add_target(dmt, 0, sectors, "crypt", params) ||
	    !run_synced(dmt)) {
		ret = dm_task_get_errno(dmt) ? -dm_task_get_errno(dmt) : -EIO;
		dm_fail(err, ret, "cannot create mapping", name);
		/* libdevmapper reverts a failed load; make sure of it */
		if (pk_dm_kind(name, NULL) == PK_DM_PLAIN)
			dm_remove_task(name);
	}
	dm_task_destroy(dmt);
	return ret;
}

/* pk_dm_kind() of a mapping that must exist: -ENODEV when it does not. */
static int dm_kind_existing(const char *name, struct pk_err *err)
{
	int ret = pk_dm_kind(name, err);

	if (ret == PK_DM_NONE)
		return pk_err_set(err, -ENODEV, "mapping %s", name);
	return ret;
}

/* Removes mapping @name (waiting out a short busy spell). */
int pk_dm_remove(const char *name, struct pk_err *err)
{
	int ret;

	ret = dm_kind_existing(name, err);
	if (ret < 0)
		return ret;
	dm_quiet();
	if (!dm_remove_task(name))
		return dm_fail(err, -EBUSY, "cannot remove mapping", name);
	return 0;
}

/* "M:m" to the device node's path, from sysfs; else left as it is. */
static void devnum_path(const char *devnum, char *path, size_t len)
{
	char fn[64], line[256];
	FILE *f;

	snprintf(fn, sizeof(fn), "/sys/dev/block/%s/uevent", devnum);
	path[0] = '\0';
	f = fopen(fn, "re");
	while (f && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "DEVNAME=", 8))
			continue;
		line[strcspn(line, "\n")] = '\0';
		snprintf(path, len, "/dev/%s", line + 8);
	}
	if (f)
		fclose(f);
	if (!path[0])
		snprintf(path, len, "%s", devnum);
}

/* The table of a one-target crypt mapping @name into @c. */
static int crypt_table(const char *name, struct pk_dm_crypt *c,
		       struct pk_err *err)
{
	char *type = NULL, *params = NULL;
	uint64_t start, len;
	struct dm_task *dmt;
	void *next;
	int ret;

	dm_quiet();
	dmt = dm_task_create(DM_DEVICE_TABLE);
	if (!dmt)
		return pk_err_set(err, -ENOMEM, "device-mapper task");
	dm_task_secure_data(dmt);
	if (!dm_task_set_name(dmt, name) || !dm_task_run(dmt)) {
		ret = dm_fail(err, -EIO, "table of", name);
		goto out;
	}
	next = dm_get_next_target(dmt, NULL, &start, &len, &type, &params);
	if (next || !type || strcmp(type, "crypt") || !params || start) {
		ret = pk_err_set(err, -EINVAL,
				 "mapping %s is not a single crypt target",
				 name);
		goto out;
	}
	ret = pk_dm_crypt_parse(params, c, err);
	c->size = len;
out:
	dm_task_destroy(dmt);
	return ret;
}

/*
 * The status of plain mapping @name: its table, the device as a path.
 * A missing mapping is -ENODEV, one that is not plain -EINVAL.
 */
int pk_dm_plain_status(const char *name, struct pk_dm_crypt *c,
		       struct pk_err *err)
{
	int ret;

	ret = dm_kind_existing(name, err);
	if (ret < 0)
		return ret;
	if (ret != PK_DM_PLAIN)
		return pk_err_set(err, -EINVAL,
				  "mapping %s is not a plain mapping", name);
	ret = crypt_table(name, c, err);
	if (ret)
		return ret;
	snprintf(c->devnum, sizeof(c->devnum), "%.31s", c->device);
	devnum_path(c->devnum, c->device, sizeof(c->device));
	return 0;
}

/* Whether item @item is in the comma-separated @list. */
static bool list_has(const char *list, const char *item)
{
	size_t n = strlen(item);
	const char *p = list;

	while (p && *p) {
		if (!strncmp(p, item, n) && (p[n] == ',' || !p[n]))
			return true;
		p = strchr(p, ',');
		p = p ? p + 1 : NULL;
	}
	return false;
}

/*
 * The .info "volumes" value @list (NULL or "" when none) with
 * "<dev>:<name>" appended unless it is there already. Return: a malloc'ed
 * string, or NULL when out of memory.
 */
char *pk_volumes_add(const char *list, const char *dev, const char *name)
{
	char *item, *out;

	if (asprintf(&item, "%s:%s", dev, name) < 0)
		return NULL;
	if (!list || !*list || list_has(list, item))
		return list && *list ? (free(item), strdup(list)) : item;
	if (asprintf(&out, "%s,%s", list, item) < 0)
		out = NULL;
	free(item);
	return out;
}
