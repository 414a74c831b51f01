// SPDX-License-Identifier: GPL-2.0-only
/*
 * protkeyctl volume: LUKS2 on paes-xts-plain64 with libcryptsetup. The
 * volume key is the repository key's secure key; the keyslot passphrase
 * comes from --key-file (zkey's "dummy passphrase" model: the secure key
 * protects the data, the passphrase only opens the keyslot). Plain
 * mappings (open --plain) go through libdevmapper (lib/dm.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#define GROUP "volume"

enum {
	OPT_KEY = 256,
	OPT_KEYFILE,
	OPT_SECTOR,
	OPT_FORCE,
	OPT_BATCH,
	OPT_PLAIN,
	OPT_PBKDF,
	OPT_PBKDF_MEMORY,
	OPT_ITER_TIME,
	OPT_PBKDF_ITER
};

static const struct option vol_longopts[] = {
	{ "key", required_argument, NULL, OPT_KEY },
	{ "key-file", required_argument, NULL, OPT_KEYFILE },
	{ "sector-size", required_argument, NULL, OPT_SECTOR },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "batch", no_argument, NULL, OPT_BATCH },
	{ "plain", no_argument, NULL, OPT_PLAIN },
	/* cryptsetup's names for the KDF of a new keyslot */
	{ "pbkdf", required_argument, NULL, OPT_PBKDF },
	{ "pbkdf-memory", required_argument, NULL, OPT_PBKDF_MEMORY },
	{ "iter-time", required_argument, NULL, OPT_ITER_TIME },
	{ "pbkdf-force-iterations", required_argument, NULL, OPT_PBKDF_ITER },
	{ NULL, 0, NULL, 0 },
};

struct vol_opts {
	const char *key;
	const char *key_file;
	unsigned long sector_size;
	bool force;
	bool batch;
	bool plain;
	bool pbkdf_set;
	struct pk_luks_pbkdf pbkdf;
};

/* --pbkdf and its numbers, as cryptsetup takes them; -1 when bad. */
static int parse_pbkdf_opt(int c, const char *arg, struct pk_luks_pbkdf *p)
{
	/* cryptsetup's limits: 4 GiB of memory, any u32 count or time */
	unsigned long max = c == OPT_PBKDF_MEMORY ? 4UL << 20 : UINT32_MAX;
	unsigned long v;

	if (c == OPT_PBKDF) {
		if (strcmp(arg, "pbkdf2") && strcmp(arg, "argon2i") &&
		    strcmp(arg, "argon2id"))
			return -1;
		p->type = arg;
		return 0;
	}
	if (pk_parse_uint(arg, max, &v) || !v)
		return -1;
	if (c == OPT_PBKDF_MEMORY)
		p->memory_kb = (uint32_t)v;
	else if (c == OPT_ITER_TIME)
		p->time_ms = (uint32_t)v;
	else
		p->iterations = (uint32_t)v;
	return 0;
}

static int parse_vol_opts(int argc, char **argv, struct vol_opts *o)
{
	int c;

	optind = 0;
	opterr = 0;
	while ((c = cli_getopt(argc, argv, "q", vol_longopts)) != -1) {
		switch (c) {
		case OPT_KEY:
			o->key = optarg;
			break;
		case OPT_KEYFILE:
			o->key_file = optarg;
			break;
		case OPT_FORCE:
			o->force = true;
			break;
		case OPT_BATCH:
		case 'q':
			o->batch = true;
			break;
		case OPT_PLAIN:
			o->plain = true;
			break;
		case OPT_PBKDF:
		case OPT_PBKDF_MEMORY:
		case OPT_ITER_TIME:
		case OPT_PBKDF_ITER:
			if (parse_pbkdf_opt(c, optarg, &o->pbkdf))
				return cli_opt_bad(false);
			o->pbkdf_set = true;
			break;
		case OPT_SECTOR:
			if (pk_parse_uint(optarg, 4096, &o->sector_size) ||
			    o->sector_size < 512 ||
			    (o->sector_size & (o->sector_size - 1)))
				return cli_opt_bad(false);
			break;
		default:
			return -1;
		}
	}
	return optind;
}

/*
 * Records "<dev>:<name>" in the key's volumes, volume-type plain, and the
 * sector size (zkey's plainOpen and crypttab lines take it from there). A
 * /dev/sdX name is recorded as its /dev/disk/by-id (else by-path) link:
 * a plain volume has no UUID, and the kernel's names follow probe order.
 */
static int record_plain(struct pk_repo *repo, struct pk_key *key,
			const char *dev, const char *name,
			unsigned long sector_size, struct pk_err *err)
{
	char *vols, now[64], ss[16], pdev[PATH_MAX];
	int ret;

	if (pk_dev_persistent(dev, NULL, pdev, sizeof(pdev)))
		snprintf(pdev, sizeof(pdev), "%s", dev);
	vols = pk_volumes_add(pk_info_get(&key->info, PK_P_VOLUMES), pdev,
			      name);
	if (!vols)
		return pk_err_set(err, -ENOMEM, "volumes of %s", key->name);
	pk_now(now, sizeof(now));
	snprintf(ss, sizeof(ss), "%lu", sector_size);
	ret = pk_info_set(&key->info, PK_P_VOLUMES, vols, err);
	ret = ret ?: pk_info_set(&key->info, PK_P_VOLUME_TYPE, "plain", err);
	ret = ret ?: pk_info_set(&key->info, PK_P_SECTOR_SIZE, ss, err);
	ret = ret ?: pk_info_set(&key->info, PK_P_UPDATE_TIME, now, err);
	ret = ret ?: pk_repo_write_info(repo, key->name, &key->info, err);
	free(vols);
	return ret;
}

/*
 * The sector size of a plain mapping of @key: --sector-size, else the
 * key's (zkey's plainOpen takes it from there), else 512. A key whose
 * plain volumes are recorded with one sector size cannot map another with
 * a different one: the crypttab lines of all of them come from the one
 * "sector-size" property.
 */
static int plain_sector_size(struct cli *cli, struct vol_opts *o,
			     const struct pk_key *key)
{
	const struct pk_info *info = &key->info;
	unsigned long rec;

	if (pk_parse_uint(pk_info_get(info, PK_P_SECTOR_SIZE), 4096, &rec))
		rec = 0;
	if (!o->sector_size)
		o->sector_size = rec ?: 512;
	if (rec && rec != o->sector_size &&
	    !strcmp(pk_info_get(info, PK_P_VOLUME_TYPE), "plain") &&
	    *pk_info_get(info, PK_P_VOLUMES))
		return pk_err_set(
			&cli->err, -EINVAL,
			"key '%s' records sector size %lu for its plain volumes (%s): map with --sector-size %lu",
			key->name, rec, pk_info_get(info, PK_P_VOLUMES), rec);
	return 0;
}

/*
 * Every refusal before anything changes: the mapping name, the device
 * (it exists, no LUKS header unless @force; its size against the sector
 * size comes once the key is read). @path receives the device's canonical
 * path.
 */
static int plain_checks(struct cli *cli, const struct vol_opts *o,
			const char *dev, const char *name, char *path)
{
	int ret;

	ret = pk_name_check(name, &cli->err);
	if (ret)
		return ret;
	ret = pk_dm_kind(name, &cli->err);
	if (ret < 0)
		return ret;
	if (ret != PK_DM_NONE)
		return pk_err_set(&cli->err, -EEXIST, "mapping %s exists",
				  name);
	if (!realpath(dev, path))
		return pk_err_set(&cli->err, -errno, "device %s", dev);
	if (!o->force && pk_luks_present(path))
		return pk_err_set(
			&cli->err, -EEXIST,
			"%s has a LUKS header: use --force to open it as a plain mapping",
			path);
	return 0;
}

static void print_plain_opened(struct cli *cli, const char *path,
			       const char *name, const struct pk_key *key,
			       const struct vol_opts *o, uint64_t bytes)
{
	struct json_object *j;

	if (!cli->json) {
		printf("opened %s as /dev/mapper/%s: plain, " PK_DM_CIPHER
		       ", key '%s' (%u bits), sector size %lu\n",
		       path, name, key->name, key->xts.key_size_bits,
		       o->sector_size);
		return;
	}
	j = json_object_new_object();
	json_object_object_add(j, "name", json_object_new_string(name));
	json_object_object_add(j, "type", json_object_new_string("plain"));
	json_object_object_add(j, "device", json_object_new_string(path));
	json_object_object_add(j, "key", json_object_new_string(key->name));
	json_object_object_add(
		j, "key-bits",
		json_object_new_int((int)key->xts.key_size_bits));
	json_object_object_add(j, "sector-size",
			       json_object_new_int((int)o->sector_size));
	json_object_object_add(j, "size-sectors",
			       json_object_new_int64((int64_t)(bytes / 512)));
	cli_json_print(j);
}

/*
 * open DEV NAME --plain --key KEY [--sector-size N] [--force]: the key as
 * logon key protkey:KEY, then the mapping, then the record in KEY.info,
 * under the repository's exclusive lock. A key no adapter can derive is
 * refused before anything changes (cli_mk_check_open()). A failure after
 * the checks undoes what was done: no mapping, no logon key that was not
 * there.
 */
static int cmd_open_plain(struct cli *cli, struct vol_opts *o, int argc,
			  char **argv)
{
	char path[PATH_MAX], what[160];
	struct pk_repo repo;
	struct pk_key key;
	uint64_t bytes;
	int32_t serial;
	int ret;

	if (argc != 2 || !o->key || o->key_file || o->pbkdf_set || o->batch)
		return cli_usage(GROUP, "open",
				 "need DEV NAME --plain --key NAME");
	ret = plain_checks(cli, o, argv[0], argv[1], path);
	ret = ret ?: cli_repo_open(cli, &repo, PK_REPO_WRITE);
	if (ret)
		return cli_fail(cli, ret);
	ret = pk_repo_read(&repo, o->key, &key, &cli->err);
	if (ret) {
		pk_repo_close(&repo);
		return cli_fail(cli, ret);
	}
	snprintf(what, sizeof(what), "cannot map %s: key '%s'", argv[1],
		 o->key);
	ret = plain_sector_size(cli, o, &key);
	ret = ret   ?:
		      pk_blkdev_size(path, (unsigned int)o->sector_size, &bytes,
				     &cli->err);
	ret = ret ?: cli_mk_check_open(cli, &key.xts, what);
	if (ret) {
		pk_repo_close(&repo);
		pk_key_free(&key);
		return cli_fail(cli, ret);
	}
	/* for the table load only: pk_keyring_load_thread() says why */
	ret = pk_keyring_load_thread(o->key, key.blob, key.len, &serial,
				     &cli->err);
	if (!ret) {
		ret = pk_dm_plain_create(argv[1], path, o->key, key.len,
					 (unsigned int)o->sector_size,
					 bytes / 512, &cli->err);
		pk_keyring_unload_thread(serial);
	}
	if (!ret) {
		ret = record_plain(&repo, &key, path, argv[1], o->sector_size,
				   &cli->err);
		if (ret)
			pk_dm_remove(argv[1], NULL);
	}
	pk_repo_close(&repo);
	if (!ret)
		print_plain_opened(cli, path, argv[1], &key, o, bytes);
	pk_key_free(&key);
	return ret ? cli_fail(cli, ret) : PK_EXIT_OK;
}

static void print_closed(const char *name)
{
	struct json_object *j = json_object_new_object();

	json_object_object_add(j, "name", json_object_new_string(name));
	json_object_object_add(j, "closed", json_object_new_boolean(1));
	cli_json_print(j);
}

/* The repository key behind a "protkey:<key>" logon description, or "". */
static const char *plain_key_name(const struct pk_dm_crypt *c)
{
	size_t n = strlen(PK_LOGON_PREFIX);

	if (strcmp(c->key_type, "logon") ||
	    strncmp(c->key_desc, PK_LOGON_PREFIX, n))
		return "";
	return c->key_desc + n;
}

static int status_plain(struct cli *cli, const char *name)
{
	struct json_object *j;
	struct pk_dm_crypt c;
	int ret;

	ret = pk_dm_plain_status(name, &c, &cli->err);
	if (ret)
		return cli_fail(cli, ret);
	if (!cli->json) {
		printf("/dev/mapper/%s is active\n  type: plain\n  cipher: %s\n"
		       "  key: %s:%s (%u bits)\n  device: %s (%s)\n"
		       "  offset: %" PRIu64 " sectors\n  size: %" PRIu64
		       " sectors\n  sector size: %u\n",
		       name, c.cipher, c.key_type, c.key_desc, c.key_bytes * 8,
		       c.device, c.devnum, c.offset, c.size, c.sector_size);
		return PK_EXIT_OK;
	}
	j = json_object_new_object();
	json_object_object_add(j, "name", json_object_new_string(name));
	json_object_object_add(j, "type", json_object_new_string("plain"));
	json_object_object_add(j, "cipher", json_object_new_string(c.cipher));
	json_object_object_add(j, "key-bits",
			       json_object_new_int((int)c.key_bytes * 8));
	json_object_object_add(j, "key-type",
			       json_object_new_string(c.key_type));
	json_object_object_add(j, "key-description",
			       json_object_new_string(c.key_desc));
	json_object_object_add(j, "key",
			       json_object_new_string(plain_key_name(&c)));
	json_object_object_add(j, "device", json_object_new_string(c.device));
	json_object_object_add(j, "device-number",
			       json_object_new_string(c.devnum));
	json_object_object_add(j, "offset-sectors",
			       json_object_new_int64((int64_t)c.offset));
	json_object_object_add(j, "size-sectors",
			       json_object_new_int64((int64_t)c.size));
	json_object_object_add(j, "sector-size",
			       json_object_new_int((int)c.sector_size));
	cli_json_print(j);
	return PK_EXIT_OK;
}

/*
 * A device that carries any signature (a filesystem, a LUKS header, a
 * partition table, ...) is refused unless --force, as cryptsetup's
 * luksFormat asks before it overwrites one; with --force the signatures
 * are wiped before the new header is written.
 */
static int format_check_device(struct cli *cli, const struct vol_opts *o,
			       const char *dev)
{
	char type[64];
	int ret;

	ret = pk_blkdev_signature(dev, type, sizeof(type), &cli->err);
	if (ret <= 0)
		return ret;
	if (!o->force)
		return pk_err_set(
			&cli->err, -EEXIST,
			"%s has a %s signature: use --force to overwrite it",
			dev, type);
	return 0;
}

/*
 * The sector size the volume got, in its key's "sector-size" property as
 * zkey records it (decimal), under the repository's exclusive lock.
 */
static int format_record(struct cli *cli, const char *dev, const char *name,
			 unsigned int sector_size)
{
	char now[64], v[16];
	struct pk_repo repo;
	struct pk_key key;
	int ret;

	ret = cli_repo_open(cli, &repo, PK_REPO_WRITE);
	if (ret)
		return ret;
	ret = pk_repo_read(&repo, name, &key, &cli->err);
	if (!ret) {
		snprintf(v, sizeof(v), "%u", sector_size);
		pk_now(now, sizeof(now));
		ret = pk_info_set(&key.info, PK_P_SECTOR_SIZE, v, &cli->err);
		ret = ret   ?:
			      pk_info_set(&key.info, PK_P_UPDATE_TIME, now,
					  &cli->err);
		ret = ret   ?:
			      pk_repo_write_info(&repo, name, &key.info,
						 &cli->err);
		pk_key_free(&key);
	}
	pk_repo_close(&repo);
	if (ret) {
		struct pk_err sub = cli->err;

		pk_err_set(
			&cli->err, ret,
			"formatted %s, but cannot record its sector size in key '%s': %.300s",
			dev, name, sub.msg);
	}
	return ret;
}

/*
 * format DEV --key NAME --key-file FILE [--sector-size N] [--force]
 *	[--batch|-q] [--pbkdf TYPE] [--pbkdf-memory KB] [--iter-time MS]
 *	[--pbkdf-force-iterations N]
 *
 * Every refusal comes before anything is written: a signature on DEV, the
 * key, the key file, and on a terminal the confirmation. The sector size
 * is --sector-size, else the key's, else 4096 (pk_info_sector_size()).
 */
static int cmd_format(struct cli *cli, int argc, char **argv)
{
	struct vol_opts o = { .pbkdf.fips = -1 };
	struct pk_repo repo;
	struct pk_key key;
	unsigned int ssize;
	char *pass = NULL;
	size_t plen = 0;
	int i, ret;

	i = parse_vol_opts(argc, argv, &o);
	if (i < 0 || i != argc - 1 || !o.key)
		return cli_usage(GROUP, "format",
				 "need DEV --key NAME --key-file FILE");
	ret = format_check_device(cli, &o, argv[i]);
	ret = ret ?: cli_repo_open(cli, &repo, 0);
	if (ret)
		return cli_fail(cli, ret);
	ret = pk_repo_read(&repo, o.key, &key, &cli->err);
	pk_repo_close(&repo);
	if (ret)
		return cli_fail(cli, ret);
	ssize = pk_info_sector_size(&key.info, o.sector_size);
	ret = cli_read_secret(cli, o.key_file, argv[i], true, &pass, &plen);
	if (!ret && !o.batch)
		ret = cli_confirm(
			cli, "YES",
			"This will overwrite data on %s irrevocably. Are you sure? (Type 'yes' in capital letters): ",
			argv[i]);
	if (!ret && o.force)
		ret = pk_blkdev_wipe_signatures(argv[i], &cli->err);
	ret = ret   ?:
		      pk_luks_format(argv[i], key.blob, key.len,
				     pk_info_get(&key.info, PK_P_VP), pass,
				     plen, (int)ssize, &o.pbkdf, &cli->err);
	ret = ret ?: format_record(cli, argv[i], o.key, ssize);
	if (!ret)
		cli_result(
			cli,
			"formatted %s: LUKS2, paes-xts-plain64, volume key '%s' (%u bits), sector size %u%s",
			argv[i], o.key, key.xts.key_size_bits, ssize,
			*pk_info_get(&key.info, PK_P_VP) ?
				", paes-verification-pattern token" :
				"");
	cli_secret_free(pass);
	pk_key_free(&key);
	return ret ? cli_fail(cli, ret) : PK_EXIT_OK;
}

/*
 * The volume key of @dev that @pass opens, against the adapters' registers
 * (cli_mk_check_open()). A volume key that is no XTS secure key is left to
 * cryptsetup and the kernel.
 */
static int luks_check_mk(struct cli *cli, const char *dev, const char *name,
			 const char *pass, size_t plen)
{
	uint8_t vk[PK_XTS_BLOB_MAX];
	struct pk_xts_info xts;
	struct pk_err perr;
	char what[160];
	size_t vk_len;
	int ret;

	ret = pk_luks_volume_key(dev, -1, pass, plen, vk, &vk_len, &cli->err);
	if (ret < 0)
		return ret;
	ret = 0;
	if (!pk_xts_parse(vk, vk_len, &xts, &perr)) {
		snprintf(what, sizeof(what),
			 "cannot open %s as %s: its volume key", dev, name);
		ret = cli_mk_check_open(cli, &xts, what);
	}
	explicit_bzero(vk, sizeof(vk));
	return ret;
}

/* open DEV NAME [--key-file FILE]: the protkey token, else FILE */
static int cmd_open(struct cli *cli, int argc, char **argv)
{
	struct vol_opts o = { 0 };
	char *pass = NULL;
	size_t plen = 0;
	int i, ret;

	i = parse_vol_opts(argc, argv, &o);
	if (i >= 0 && o.plain)
		return cmd_open_plain(cli, &o, argc - i, argv + i);
	if (i < 0 || i != argc - 2 || o.key || o.force || o.pbkdf_set ||
	    o.batch)
		return cli_usage(GROUP, "open",
				 "need DEV NAME [--key-file FILE]");
	ret = pk_name_check(argv[i + 1], &cli->err);
	if (ret)
		return cli_fail(cli, ret);
	/* A protkey token first; the passphrase when it declines. */
	ret = pk_luks_lt_activate(argv[i], argv[i + 1], &cli->err);
	if (!ret) {
		if (!cli->json)
			printf("opened %s as /dev/mapper/%s with its protkey token\n",
			       argv[i], argv[i + 1]);
		return PK_EXIT_OK;
	}
	/* no key file and no terminal to ask on: the token's refusal */
	if (!o.key_file && !isatty(STDIN_FILENO))
		return cli_fail(cli, ret);
	cli->err.msg[0] = '\0';
	ret = cli_read_secret(cli, o.key_file, argv[i], false, &pass, &plen);
	ret = ret ?: luks_check_mk(cli, argv[i], argv[i + 1], pass, plen);
	ret = ret ?: pk_luks_open(argv[i], argv[i + 1], pass, plen, &cli->err);
	cli_secret_free(pass);
	if (!ret)
		cli_result(cli, "opened %s as /dev/mapper/%s", argv[i],
			   argv[i + 1]);
	return ret ? cli_fail(cli, ret) : PK_EXIT_OK;
}

static int cmd_close(struct cli *cli, int argc, char **argv)
{
	int ret;

	if (cli_plain_args(argc, argv) || argc != 2)
		return cli_usage(GROUP, "close", "bad arguments");
	if (pk_dm_kind(argv[1], NULL) == PK_DM_PLAIN)
		ret = pk_dm_remove(argv[1], &cli->err);
	else
		ret = pk_luks_close(argv[1], &cli->err);
	if (!ret && cli->json)
		print_closed(argv[1]);
	return ret ? cli_fail(cli, ret) : PK_EXIT_OK;
}

static int cmd_status(struct cli *cli, int argc, char **argv)
{
	struct pk_luks_status st;
	struct json_object *o;
	int ret;

	if (cli_plain_args(argc, argv) || argc != 2)
		return cli_usage(GROUP, "status", "bad arguments");
	if (pk_dm_kind(argv[1], NULL) == PK_DM_PLAIN)
		return status_plain(cli, argv[1]);
	ret = pk_luks_status(argv[1], &st, &cli->err);
	if (ret)
		return cli_fail(cli, ret);
	if (cli->json) {
		o = json_object_new_object();
		json_object_object_add(o, "name",
				       json_object_new_string(argv[1]));
		json_object_object_add(o, "type",
				       json_object_new_string(st.type));
		json_object_object_add(o, "cipher",
				       json_object_new_string(st.cipher));
		json_object_object_add(o, "key-bits",
				       json_object_new_int(st.key_bits));
		json_object_object_add(o, "device",
				       json_object_new_string(st.device));
		json_object_object_add(
			o, "offset-sectors",
			json_object_new_int64((int64_t)st.offset));
		json_object_object_add(o, "size-sectors",
				       json_object_new_int64((int64_t)st.size));
		json_object_object_add(o, "sector-size",
				       json_object_new_int(st.sector_size));
		json_object_object_add(o, "verification-pattern",
				       json_object_new_string(st.vp));
		if (st.ivp[0])
			json_object_object_add(o,
					       "integrity-verification-pattern",
					       json_object_new_string(st.ivp));
		cli_json_print(o);
	} else {
		printf("/dev/mapper/%s is active\n  type: %s\n  cipher: %s\n"
		       "  key size: %d bits\n  device: %s\n  offset: %" PRIu64
		       " sectors\n  size: %" PRIu64 " sectors\n"
		       "  sector size: %d\n  verification pattern: %s\n",
		       argv[1], st.type, st.cipher, st.key_bits, st.device,
		       st.offset, st.size, st.sector_size,
		       st.vp[0] ? st.vp : "-");
		if (st.ivp[0])
			printf("  integrity verification pattern: %s\n",
			       st.ivp);
	}
	return PK_EXIT_OK;
}

/* clang-format off */
const struct command volume_commands[] = {
	{ "format", cmd_format,
	  "DEV --key NAME [--key-file FILE|-] [--sector-size N] [--force] [--batch|-q] [--pbkdf pbkdf2|argon2i|argon2id] [--pbkdf-memory KB] [--iter-time MS] [--pbkdf-force-iterations N]",
	  "LUKS2 on paes-xts-plain64 with key NAME as volume key, 4096-byte sectors unless --sector-size or the key's sector-size say otherwise (recorded in the key); a keyslot for FILE with zkey's KDF (argon2i, 32 KiB, 4 iterations; pbkdf2 in FIPS mode) unless --pbkdf* say otherwise (without --key-file the passphrase is asked twice on the terminal; - reads standard input); a device with any signature needs --force; on a terminal asks for YES unless --batch" },
	{ "open", cmd_open,
	  "DEV NAME [--key-file FILE|-] | DEV NAME --plain --key NAME [--sector-size N] [--force]",
	  "open the LUKS2 volume DEV (its protkey token first, then FILE), or DEV as a plain mapping keyed by key NAME, as /dev/mapper/NAME" },
	{ "close", cmd_close, "NAME", "close /dev/mapper/NAME (LUKS2 or plain)" },
	{ "status", cmd_status, "NAME", "type, cipher, key, device, sector size (LUKS2 or plain)" },
	{ "reencipher", cmd_volume_reencipher,
	  "DEV --staged|--complete|--from-old [--key-file FILE|-] [--remove-unbound]",
	  "re-encipher the volume key in the LUKS2 header: CURRENT->NEW into an unbound keyslot; make it the volume key's (and update the live key object); or OLD->CURRENT at once; protkey tokens follow; holds the device's lock" },
	{ "token", cmd_volume_token,
	  "add DEV (--key NAME | --uv-secret ID [--uv-secret ID]) [--key-file FILE|-] | remove DEV --token N | show DEV",
	  "a protkey token: a new keyslot whose passphrase key NAME (CCA, EP11, UV) or UV secrets seal (xts(paes)); remove it (never the last way in); list" },
	{ "list", cmd_volume_list, "[DEV...]",
	  "every LUKS volume libblkid finds and every plain volume a plain key records: its mapping, its key (by the verification pattern of its header's token) and the key's master-key state" },
	{ "rekey", cmd_volume_rekey, "NAME --key-file FILE | --key KEY",
	  "give the open mapping's live key object the re-enciphered key from its header or the repository" },
	{ NULL, NULL, NULL, NULL },
};
/* clang-format on */
