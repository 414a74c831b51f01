// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the pure parts of lib/dm.c: the plain table's parameters,
 * the parser of a crypt target's table as the kernel reports it (keyring
 * references, optional arguments, every malformed field), and the .info
 * "volumes" list update.
 */
#include "test.h"

static void test_params(void)
{
	char buf[256];

	t_ok(!pk_dm_plain_params(buf, sizeof(buf), "data1", 128, "/dev/vdb",
				 512) &&
		     !strcmp(buf, "paes-xts-plain64 :128:logon:protkey:data1 "
				  "0 /dev/vdb 0"),
	     "params: 512-byte sectors need no optional arguments");
	t_ok(!pk_dm_plain_params(buf, sizeof(buf), "k", 128, "/dev/loop3",
				 4096) &&
		     !strcmp(buf, "paes-xts-plain64 :128:logon:protkey:k "
				  "0 /dev/loop3 0 1 sector_size:4096"),
	     "params: sector_size:4096 as one optional argument");
	t_ok(pk_dm_plain_params(buf, 20, "k", 128, "/dev/loop3", 512) ==
		     -ENAMETOOLONG,
	     "params: a short buffer is refused, not truncated");
}

static void test_parse_valid(void)
{
	struct pk_dm_crypt c;

	t_ok(!pk_dm_crypt_parse("paes-xts-plain64 :128:logon:protkey:data1 "
				"0 7:3 0",
				&c, NULL) &&
		     !strcmp(c.cipher, "paes-xts-plain64") &&
		     !strcmp(c.key_type, "logon") &&
		     !strcmp(c.key_desc, "protkey:data1") &&
		     c.key_bytes == 128 && !strcmp(c.device, "7:3") &&
		     c.iv_offset == 0 && c.offset == 0 && c.sector_size == 512,
	     "parse: the kernel's table of a plain mapping");
	t_ok(!pk_dm_crypt_parse("paes-xts-plain64 :128:logon:protkey:a:b 5 "
				"253:1 2048 2 allow_discards "
				"sector_size:4096",
				&c, NULL) &&
		     !strcmp(c.key_desc, "protkey:a:b") && c.iv_offset == 5 &&
		     c.offset == 2048 && c.sector_size == 4096,
	     "parse: offsets, optional arguments, a colon in the description");
}

static void test_parse_bad(void)
{
	static const char *const bad[] = {
		"",
		"paes-xts-plain64",
		"paes-xts-plain64 :128:logon:protkey:k 0 7:3",
		"paes-xts-plain64 00112233 0 7:3 0",
		"paes-xts-plain64 :x:logon:protkey:k 0 7:3 0",
		"paes-xts-plain64 :0:logon:protkey:k 0 7:3 0",
		"paes-xts-plain64 :128:logon 0 7:3 0",
		"paes-xts-plain64 :128:logon: 0 7:3 0",
		"paes-xts-plain64 :128:logon:protkey:k -1 7:3 0",
		"paes-xts-plain64 :128:logon:protkey:k 0 7:3 1x",
		"paes-xts-plain64 :128:logon:protkey:k 0 7:3 0 2 sector_size:4096",
		"paes-xts-plain64 :128:logon:protkey:k 0 7:3 0 1 sector_size:1000",
		"paes-xts-plain64 :128:logon:protkey:k 0 7:3 0 1 sector_size:8192",
		"paes-xts-plain64 :99999:logon:protkey:k 0 7:3 0",
	};
	struct pk_dm_crypt c;
	struct pk_err err;
	size_t i;
	int ret;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err.msg[0] = '\0';
		ret = pk_dm_crypt_parse(bad[i], &c, &err);
		t_ok(ret == -EINVAL && strstr(err.msg, "crypt table"),
		     "parse: refused '%s'", bad[i]);
	}
}

/*
 * A key type or description longer than struct pk_dm_crypt holds is
 * refused: cut short, it would name another key.
 */
static void test_parse_long(void)
{
	char table[512], desc[200];
	struct pk_dm_crypt c;
	struct pk_err err;

	snprintf(table, sizeof(table),
		 "paes-xts-plain64 :64:%s:protkey:k 0 7:3 0",
		 "logonlogonlogon");
	t_ok(!pk_dm_crypt_parse(table, &c, NULL) &&
		     !strcmp(c.key_type, "logonlogonlogon"),
	     "parse: a key type of 15 characters fits");
	snprintf(table, sizeof(table),
		 "paes-xts-plain64 :64:%s:protkey:k 0 7:3 0",
		 "loJJJJJJJJJJJJJJgon");
	err.msg[0] = '\0';
	t_ok(pk_dm_crypt_parse(table, &c, &err) == -EINVAL &&
		     strstr(err.msg, "crypt table"),
	     "parse: a key type of 19 characters is refused, not cut short");
	memset(desc, 'd', sizeof(desc));
	snprintf(table, sizeof(table),
		 "paes-xts-plain64 :64:logon:%.127s 0 7:3 0", desc);
	t_ok(!pk_dm_crypt_parse(table, &c, NULL) && strlen(c.key_desc) == 127,
	     "parse: a description of 127 characters fits");
	snprintf(table, sizeof(table),
		 "paes-xts-plain64 :64:logon:%.128s 0 7:3 0", desc);
	t_ok(pk_dm_crypt_parse(table, &c, NULL) == -EINVAL,
	     "parse: a description of 128 characters is refused, not cut short");
}

static void test_volumes(void)
{
	char *v;

	v = pk_volumes_add(NULL, "/dev/vdb", "enc1");
	t_ok(v && !strcmp(v, "/dev/vdb:enc1"), "volumes: first entry");
	free(v);
	v = pk_volumes_add("", "/dev/vdb", "enc1");
	t_ok(v && !strcmp(v, "/dev/vdb:enc1"), "volumes: empty list");
	free(v);
	v = pk_volumes_add("/dev/vda:x", "/dev/vdb", "enc1");
	t_ok(v && !strcmp(v, "/dev/vda:x,/dev/vdb:enc1"),
	     "volumes: appended after a comma");
	free(v);
	v = pk_volumes_add("/dev/vdb:enc1,/dev/vda:x", "/dev/vdb", "enc1");
	t_ok(v && !strcmp(v, "/dev/vdb:enc1,/dev/vda:x"),
	     "volumes: an entry already there is not repeated");
	free(v);
	v = pk_volumes_add("/dev/vdb:enc10", "/dev/vdb", "enc1");
	t_ok(v && !strcmp(v, "/dev/vdb:enc10,/dev/vdb:enc1"),
	     "volumes: a prefix of an entry is another entry");
	free(v);
}

int main(void)
{
	t_plan(28);
	test_params();
	test_parse_valid();
	test_parse_bad();
	test_parse_long();
	test_volumes();
	return t_done();
}
