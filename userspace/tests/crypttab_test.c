// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of lib/crypttab.c and pk_dev_persistent() (lib/util.c): the
 * exact crypttab lines and cryptsetup commands of plain and LUKS2
 * volumes, their refusals, and the persistent name of a device node
 * found in directories of symlinks the test makes (character devices
 * stand in for disks: the lookup compares the node kind and st_rdev).
 */
#include "test.h"

static const struct pk_ct_vol plain = {
	.type = PK_CT_PLAIN,
	.name = "data1",
	.dev = "/dev/disk/by-id/scsi-0QEMU_disk1",
	.key = "k1",
	.key_file = "/etc/protkey/k1.skey",
	.key_bits = 1024,
	.sector_size = 4096,
};

static void check_lines(void)
{
	struct pk_ct_vol v = plain;
	struct pk_err err;
	char buf[512];
	int ret;

	ret = pk_ct_line(&v, 30, buf, sizeof(buf), &err);
	t_ok(!ret && !strcmp(buf,
			     "data1 /dev/disk/by-id/scsi-0QEMU_disk1 /etc/protkey/k1.skey plain,cipher=paes-xts-plain64,size=1024,sector-size=4096,nofail,headless=true,x-systemd.device-timeout=30s"),
	     "crypttab: the plain line (%d: %s)", ret, buf);
	ret = pk_ct_command(&v, buf, sizeof(buf), &err);
	t_ok(!ret && !strcmp(buf,
			     "cryptsetup plainOpen --key-file /etc/protkey/k1.skey --key-size 1024 --cipher paes-xts-plain64 --sector-size 4096 /dev/disk/by-id/scsi-0QEMU_disk1 data1"),
	     "cryptsetup: the plainOpen command (%d: %s)", ret, buf);

	v.type = PK_CT_LUKS2;
	v.dev = "/dev/vdb";
	v.key_file = "/root/pass";
	ret = pk_ct_line(&v, 10, buf, sizeof(buf), &err);
	t_ok(!ret && !strcmp(buf,
			     "data1 /dev/vdb /root/pass luks,nofail,headless=true,timeout=10s,keyfile-timeout=10s,token-timeout=10s,x-systemd.device-timeout=10s"),
	     "crypttab: the LUKS2 line with a key file (%d: %s)", ret, buf);
	ret = pk_ct_command(&v, buf, sizeof(buf), &err);
	t_ok(!ret && !strcmp(buf,
			     "cryptsetup luksOpen --key-file /root/pass /dev/vdb data1"),
	     "cryptsetup: luksOpen with the key file (%d: %s)", ret, buf);
	v.key_file = NULL;
	v.token = true;
	ret = pk_ct_line(&v, 10, buf, sizeof(buf), &err);
	t_ok(!ret && !strcmp(buf,
			     "data1 /dev/vdb none luks,nofail,headless=true,tries=1,token-timeout=10s,x-systemd.device-timeout=10s"),
	     "crypttab: the token-only LUKS2 line (%d: %s)", ret, buf);
	ret = pk_ct_command(&v, buf, sizeof(buf), &err);
	t_ok(!ret && !strcmp(buf,
			     "cryptsetup luksOpen --token-only /dev/vdb data1"),
	     "cryptsetup: luksOpen with the token only (%d: %s)", ret, buf);
	v.token = false;
	ret = pk_ct_command(&v, buf, sizeof(buf), &err);
	t_ok(!ret && !strcmp(buf, "cryptsetup luksOpen /dev/vdb data1"),
	     "cryptsetup: luksOpen that asks (%d: %s)", ret, buf);
	ret = pk_ct_line(&v, 10, buf, sizeof(buf), &err);
	t_ok(ret == -EINVAL && strstr(err.msg, "key file or the token"),
	     "crypttab: a LUKS2 line with neither key file nor token: EINVAL (%d: %s)",
	     ret, err.msg);
}

static void check_refusals(void)
{
	struct pk_ct_vol v = plain;
	struct pk_err err;
	char buf[512];
	int ret;

	v.key_file = "/etc/my keys/k1.skey";
	ret = pk_ct_line(&v, 30, buf, sizeof(buf), &err);
	t_ok(ret == -EINVAL && strstr(err.msg, "'/etc/my keys/k1.skey'"),
	     "crypttab: a key file with a space: EINVAL (%d: %s)", ret,
	     err.msg);
	v.key_file = plain.key_file;
	v.dev = "/dev/sdb;reboot";
	ret = pk_ct_command(&v, buf, sizeof(buf), &err);
	t_ok(ret == -EINVAL, "cryptsetup: a shell metacharacter: EINVAL (%d)",
	     ret);
	v.dev = plain.dev;
	v.sector_size = 1000;
	ret = pk_ct_line(&v, 30, buf, sizeof(buf), &err);
	t_ok(ret == -EINVAL, "crypttab: sector size 1000: EINVAL (%d)", ret);
	v.sector_size = 512;
	v.key_bits = 0;
	ret = pk_ct_command(&v, buf, sizeof(buf), &err);
	t_ok(ret == -EINVAL,
	     "cryptsetup: plain without a key size: EINVAL (%d)", ret);
	v.key_bits = 1024;
	ret = pk_ct_line(&v, 30, buf, 40, &err);
	t_ok(ret == -ENOSPC, "crypttab: a short buffer: ENOSPC (%d)", ret);
}

static int mklink(const char *dir, const char *name, const char *target)
{
	char path[4200];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return symlink(target, path);
}

static void check_persistent(void)
{
	char id[2048], bypath[2048], file[4200], out[4200];
	const char *dirs[4] = { id, bypath, NULL, NULL };
	char *top = t_mkdtemp();
	int ret;

	snprintf(id, sizeof(id), "%s/by-id", top);
	snprintf(bypath, sizeof(bypath), "%s/by-path", top);
	snprintf(file, sizeof(file), "%s/image", top);
	ret = mkdir(id, 0700) || mkdir(bypath, 0700) ||
	      mklink(id, "b-null", "/dev/null") ||
	      mklink(id, "c-null", "/dev/null") ||
	      mklink(id, "a-dangling", "/nonexistent") ||
	      mklink(id, "a b-null", "/dev/null") ||
	      mklink(id, "a-zero", "/dev/zero") ||
	      mklink(bypath, "a-null", "/dev/null") ||
	      mklink(bypath, "p-full", "/dev/full") ||
	      mklink(bypath, "a-image", file) || t_write(top, "image", "x", 1);
	t_ok(!ret, "persistent: the link directories");

	ret = pk_dev_persistent("/dev/null", dirs, out, sizeof(out));
	snprintf(file, sizeof(file), "%s/b-null", id);
	t_ok(!ret && !strcmp(out, file),
	     "persistent: the first by-id link to the node, alphabetically, skipping a dangling one and a name with a space (%d: %s)",
	     ret, out);
	ret = pk_dev_persistent("/dev/full", dirs, out, sizeof(out));
	snprintf(file, sizeof(file), "%s/p-full", bypath);
	t_ok(!ret && !strcmp(out, file),
	     "persistent: by-path when by-id has none (%d: %s)", ret, out);
	ret = pk_dev_persistent("/dev/random", dirs, out, sizeof(out));
	t_ok(!ret && !strcmp(out, "/dev/random"),
	     "persistent: no link: the name stays (%d: %s)", ret, out);
	snprintf(file, sizeof(file), "%s/image", top);
	ret = pk_dev_persistent(file, dirs, out, sizeof(out));
	t_ok(!ret && !strcmp(out, file),
	     "persistent: a regular file is no device node: the name stays (%d: %s)",
	     ret, out);
	snprintf(file, sizeof(file), "%s/c-null", id);
	ret = pk_dev_persistent(file, dirs, out, sizeof(out));
	snprintf(file, sizeof(file), "%s/b-null", id);
	t_ok(!ret && !strcmp(out, file),
	     "persistent: a link reached through the other one resolves to the same first name (%d: %s)",
	     ret, out);
	snprintf(file, sizeof(file), "%s/missing", top);
	dirs[0] = file;
	ret = pk_dev_persistent("/dev/null", dirs, out, sizeof(out));
	snprintf(file, sizeof(file), "%s/a-null", bypath);
	t_ok(!ret && !strcmp(out, file),
	     "persistent: a missing directory is skipped (%d: %s)", ret, out);
	ret = pk_dev_persistent("/dev/nonexistent-pk", dirs, out, sizeof(out));
	t_ok(ret == -ENOENT, "persistent: a missing device: ENOENT (%d)", ret);
	ret = pk_dev_persistent("/dev/random", dirs, out, 5);
	t_ok(ret == -ENAMETOOLONG,
	     "persistent: a name longer than the buffer: ENAMETOOLONG (%d)",
	     ret);
	t_rmrf(top);
	free(top);
}

int main(void)
{
	t_plan(22);
	check_lines();
	check_refusals();
	check_persistent();
	return t_done();
}
