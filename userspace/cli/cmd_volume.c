// SPDX-License-Identifier: GPL-2.0-only
/*
 * protkeyctl volume: LUKS2 on paes-xts-plain64 with libcryptsetup. The
 * volume key is the repository key's secure key; the keyslot passphrase
 * comes from --key-file (zkey's "dummy passphrase" model: the secure key
 * protects the data, the passphrase only opens the keyslot).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define GROUP "volume"

enum { OPT_KEY = 256, OPT_KEYFILE, OPT_SECTOR, OPT_FORCE };

static const struct option vol_longopts[] = {
	{ "key", required_argument, NULL, OPT_KEY },
	{ "key-file", required_argument, NULL, OPT_KEYFILE },
	{ "sector-size", required_argument, NULL, OPT_SECTOR },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ NULL, 0, NULL, 0 },
};

struct vol_opts {
	const char *key;
	const char *key_file;
	unsigned long sector_size;
	bool force;
};

static int parse_vol_opts(int argc, char **argv, struct vol_opts *o)
{
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", vol_longopts, NULL)) != -1) {
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
		case OPT_SECTOR:
			if (pk_parse_uint(optarg, 4096, &o->sector_size) ||
			    o->sector_size < 512 ||
			    (o->sector_size & (o->sector_size - 1)))
				return -1;
			break;
		default:
			return -1;
		}
	}
	return optind;
}

/* format DEV --key NAME --key-file FILE [--sector-size N] */
static int cmd_format(struct cli *cli, int argc, char **argv)
{
	struct vol_opts o = { 0 };
	struct pk_repo repo;
	struct pk_key key;
	char *pass = NULL;
	size_t plen = 0;
	int i, ret;

	i = parse_vol_opts(argc, argv, &o);
	if (i < 0 || i != argc - 1 || !o.key || !o.key_file)
		return cli_usage(GROUP, "format",
				 "need DEV --key NAME --key-file FILE");
	if (!o.force && pk_luks_present(argv[i])) {
		pk_err_set(&cli->err, -EEXIST,
			   "%s has a LUKS header: use --force to overwrite it",
			   argv[i]);
		return cli_fail(cli, -EEXIST);
	}
	ret = cli_repo_open(cli, &repo, 0);
	if (ret)
		return cli_fail(cli, ret);
	ret = pk_repo_read(&repo, o.key, &key, &cli->err);
	pk_repo_close(&repo);
	ret = ret ?: cli_read_secret(cli, o.key_file, &pass, &plen);
	ret = ret   ?:
		      pk_luks_format(argv[i], key.blob, key.len,
				     pk_info_get(&key.info, PK_P_VP), pass,
				     plen, (int)o.sector_size, &cli->err);
	if (!ret && !cli->json)
		printf("formatted %s: LUKS2, paes-xts-plain64, volume key '%s' (%u bits)%s\n",
		       argv[i], o.key, key.xts.key_size_bits,
		       *pk_info_get(&key.info, PK_P_VP) ?
			       ", paes-verification-pattern token" :
			       "");
	pk_wipe_free(pass, plen);
	pk_key_free(&key);
	return ret ? cli_fail(cli, ret) : PK_EXIT_OK;
}

/* open DEV NAME --key-file FILE */
static int cmd_open(struct cli *cli, int argc, char **argv)
{
	struct vol_opts o = { 0 };
	char *pass = NULL;
	size_t plen = 0;
	int i, ret;

	i = parse_vol_opts(argc, argv, &o);
	if (i < 0 || i != argc - 2 || !o.key_file || o.key)
		return cli_usage(GROUP, "open",
				 "need DEV NAME --key-file FILE");
	ret = pk_name_check(argv[i + 1], &cli->err);
	ret = ret ?: cli_read_secret(cli, o.key_file, &pass, &plen);
	ret = ret ?: pk_luks_open(argv[i], argv[i + 1], pass, plen, &cli->err);
	pk_wipe_free(pass, plen);
	if (!ret && !cli->json)
		printf("opened %s as /dev/mapper/%s\n", argv[i], argv[i + 1]);
	return ret ? cli_fail(cli, ret) : PK_EXIT_OK;
}

static int cmd_close(struct cli *cli, int argc, char **argv)
{
	int ret;

	if (argc != 2)
		return cli_usage(GROUP, "close", "bad arguments");
	ret = pk_luks_close(argv[1], &cli->err);
	return ret ? cli_fail(cli, ret) : PK_EXIT_OK;
}

static int cmd_status(struct cli *cli, int argc, char **argv)
{
	struct pk_luks_status st;
	struct json_object *o;
	int ret;

	if (argc != 2)
		return cli_usage(GROUP, "status", "bad arguments");
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
		cli_json_print(o);
	} else {
		printf("/dev/mapper/%s is active\n  type: %s\n  cipher: %s\n"
		       "  key size: %d bits\n  device: %s\n  offset: %" PRIu64
		       " sectors\n  size: %" PRIu64 " sectors\n"
		       "  sector size: %d\n  verification pattern: %s\n",
		       argv[1], st.type, st.cipher, st.key_bits, st.device,
		       st.offset, st.size, st.sector_size,
		       st.vp[0] ? st.vp : "-");
	}
	return PK_EXIT_OK;
}

/* clang-format off */
const struct command volume_commands[] = {
	{ "format", cmd_format,
	  "DEV --key NAME --key-file FILE [--sector-size N] [--force]",
	  "LUKS2 on paes-xts-plain64 with key NAME as volume key; PBKDF2 keyslot for FILE" },
	{ "open", cmd_open, "DEV NAME --key-file FILE",
	  "open the LUKS2 volume DEV as /dev/mapper/NAME" },
	{ "close", cmd_close, "NAME", "close /dev/mapper/NAME" },
	{ "status", cmd_status, "NAME", "cipher, key size, device, verification pattern" },
	{ "reencipher", cmd_volume_reencipher,
	  "DEV --staged|--complete|--from-old --key-file FILE",
	  "re-encipher the volume key in the LUKS2 header: CURRENT->NEW into an unbound keyslot; make it the volume key's (and update the live key object); or OLD->CURRENT at once" },
	{ "rekey", cmd_volume_rekey, "NAME --key-file FILE | --key KEY",
	  "give the open mapping's live key object the re-enciphered key from its header or the repository" },
	{ NULL, NULL, NULL, NULL },
};
/* clang-format on */
