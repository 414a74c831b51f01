// SPDX-License-Identifier: GPL-2.0-only
/*
 * protkeyctl keyring: a repository key as logon key "protkey:<name>" in the
 * user keyring, for plain dm-crypt tables
 * ("0 <sectors> crypt paes-xts-plain64 :128:logon:protkey:<name> 0 <dev> 0");
 * and the live key objects of protkey.ko (keyring ".protkey").
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

#define GROUP "keyring"

static int cmd_load(struct cli *cli, int argc, char **argv)
{
	struct pk_repo repo;
	struct pk_key key;
	int32_t serial;
	int ret;

	if (argc != 2)
		return cli_usage(GROUP, "load", "bad arguments");
	ret = cli_repo_open(cli, &repo, 0);
	if (ret)
		return cli_fail(cli, ret);
	ret = pk_repo_read(&repo, argv[1], &key, &cli->err);
	pk_repo_close(&repo);
	ret = ret   ?:
		      pk_keyring_load(argv[1], key.blob, key.len, &serial,
				      &cli->err);
	if (!ret && !cli->json)
		printf("logon key " PK_LOGON_PREFIX
		       "%s: serial %d; dm-crypt key :%zu:logon:" PK_LOGON_PREFIX
		       "%s\n",
		       argv[1], serial, key.len, argv[1]);
	pk_key_free(&key);
	return ret ? cli_fail(cli, ret) : PK_EXIT_OK;
}

static int cmd_unload(struct cli *cli, int argc, char **argv)
{
	int ret;

	if (argc != 2)
		return cli_usage(GROUP, "unload", "bad arguments");
	ret = pk_name_check(argv[1], &cli->err);
	ret = ret ?: pk_keyring_unload(argv[1], &cli->err);
	return ret ? cli_fail(cli, ret) : PK_EXIT_OK;
}

/* "name: value" lines of keyctl read into a JSON object. */
static struct json_object *text_json(const char *text)
{
	struct json_object *o = json_object_new_object();
	char name[64], value[256];
	const char *p = text;
	int n;

	while (p && *p) {
		if (sscanf(p, "%63[^:\n]: %255[^\n]%n", name, value, &n) == 2)
			json_object_object_add(o, name,
					       json_object_new_string(value));
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
	return o;
}

static int cmd_list(struct cli *cli, int argc, char **argv)
{
	struct json_object *arr, *o;
	struct pk_live_key *keys;
	size_t n, i;
	int ret;

	(void)argv;
	if (argc != 1)
		return cli_usage(GROUP, "list", "no arguments expected");
	ret = pk_keyring_list(&keys, &n, &cli->err);
	if (ret)
		return cli_fail(cli, ret);
	arr = json_object_new_array();
	for (i = 0; i < n; i++) {
		if (cli->json) {
			o = text_json(keys[i].text);
			json_object_object_add(
				o, "serial",
				json_object_new_int(keys[i].serial));
			json_object_object_add(
				o, "description",
				json_object_new_string(keys[i].desc));
			json_object_array_add(arr, o);
		} else {
			printf("%d %s\n%s", keys[i].serial, keys[i].desc,
			       keys[i].text ? keys[i].text : "");
		}
	}
	if (cli->json)
		cli_json_print(cli_json_wrap("keys", arr));
	else
		json_object_put(arr);
	if (!n && !cli->json)
		printf("no live protkey key objects\n");
	pk_live_keys_free(keys, n);
	return PK_EXIT_OK;
}

/* clang-format off */
const struct command keyring_commands[] = {
	{ "load", cmd_load, "NAME",
	  "add the secure key as logon key protkey:NAME to the user keyring" },
	{ "unload", cmd_unload, "NAME",
	  "unlink logon key protkey:NAME from the user keyring" },
	{ "list", cmd_list, "",
	  "the live key objects (keyring .protkey) and their state" },
	{ NULL, NULL, NULL, NULL },
};
/* clang-format on */
