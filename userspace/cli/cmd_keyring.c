// SPDX-License-Identifier: GPL-2.0-only
/*
 * protkeyctl keyring: a repository key as logon key "protkey:<name>" in the
 * user keyring, for plain dm-crypt tables
 * ("0 <sectors> crypt paes-xts-plain64 :128:logon:protkey:<name> 0 <dev> 0");
 * and the live key objects of protkey.ko (keyring ".protkey").
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <linux/protkey.h>

#include "cli.h"

#define GROUP "keyring"

static int cmd_load(struct cli *cli, int argc, char **argv)
{
	struct pk_repo repo;
	struct pk_key key;
	int32_t serial;
	int ret;

	if (cli_plain_args(argc, argv) || argc != 2)
		return cli_usage(GROUP, "load", "bad arguments");
	ret = cli_repo_open(cli, &repo, 0);
	if (ret)
		return cli_fail(cli, ret);
	ret = pk_repo_read(&repo, argv[1], &key, &cli->err);
	pk_repo_close(&repo);
	ret = ret   ?:
		      pk_keyring_load(argv[1], key.blob, key.len, &serial,
				      &cli->err);
	if (!ret)
		cli_result(
			cli,
			"logon key " PK_LOGON_PREFIX
			"%s: serial %d; dm-crypt key :%zu:logon:" PK_LOGON_PREFIX
			"%s",
			argv[1], serial, key.len, argv[1]);
	pk_key_free(&key);
	return ret ? cli_fail(cli, ret) : PK_EXIT_OK;
}

static int cmd_unload(struct cli *cli, int argc, char **argv)
{
	int ret;

	if (cli_plain_args(argc, argv) || argc != 2)
		return cli_usage(GROUP, "unload", "bad arguments");
	ret = pk_name_check(argv[1], &cli->err);
	ret = ret ?: pk_keyring_unload(argv[1], &cli->err);
	return ret ? cli_fail(cli, ret) : PK_EXIT_OK;
}

static const char *state_name(uint32_t s)
{
	static const char *const names[] = {
		[PROTKEY_STATE_VALID] = "valid",
		[PROTKEY_STATE_STALE] = "stale",
		[PROTKEY_STATE_FAILED] = "failed",
		[PROTKEY_STATE_REVOKED] = "revoked",
	};

	return s < sizeof(names) / sizeof(names[0]) && names[s] ? names[s] :
								  "unknown";
}

static void add_u64(struct json_object *o, const char *name, uint64_t v)
{
	json_object_object_add(o, name, json_object_new_int64((int64_t)v));
}

static struct json_object *key_json(const struct pk_live_key *k)
{
	struct json_object *o = json_object_new_object();
	char mkvp[17];

	add_u64(o, "serial", (uint32_t)k->serial);
	json_object_object_add(o, "description",
			       json_object_new_string(k->desc));
	json_object_object_add(o, "state",
			       json_object_new_string(state_name(k->state)));
	json_object_object_add(o, "key-type",
			       json_object_new_string(k->key_type));
	json_object_object_add(o, "vp", json_object_new_string(k->desc));
	snprintf(mkvp, sizeof(mkvp), "%016" PRIx64, k->mkvp[0]);
	json_object_object_add(o, "mkvp-data", json_object_new_string(mkvp));
	snprintf(mkvp, sizeof(mkvp), "%016" PRIx64, k->mkvp[1]);
	json_object_object_add(o, "mkvp-tweak", json_object_new_string(mkvp));
	json_object_object_add(
		o, "mk-match-data",
		json_object_new_string(cli_match_name(k->match[0])));
	json_object_object_add(
		o, "mk-match-tweak",
		json_object_new_string(cli_match_name(k->match[1])));
	add_u64(o, "wk-generation", k->wk_gen);
	add_u64(o, "derives", k->derives);
	add_u64(o, "derive-errors", k->derive_errors);
	add_u64(o, "stalls", k->stalls);
	add_u64(o, "failures", k->failures);
	add_u64(o, "failed-requests", k->failed_requests);
	add_u64(o, "last-error", k->last_error);
	add_u64(o, "last-stall-ms", k->last_stall_ms);
	add_u64(o, "users", k->users);
	return o;
}

/* The lines keyctl read shows for a protkey key, from the dump. */
static void key_text(const struct pk_live_key *k)
{
	printf("%d %s\nstate: %s\nkey-type: %s\nvp: %s\n"
	       "mkvp: %016" PRIx64 " %016" PRIx64 "\nmk-match: %s %s\n"
	       "wk-generation: %" PRIu64 "\nderives: %" PRIu64
	       "\nderive-errors: %" PRIu64 "\nstalls: %" PRIu64
	       "\nfailures: %" PRIu64 "\nfailed-requests: %" PRIu64
	       "\nlast-error: %d\nlast-stall-ms: %u\nusers: %u\n",
	       k->serial, k->desc, state_name(k->state), k->key_type, k->desc,
	       k->mkvp[0], k->mkvp[1], cli_match_name(k->match[0]),
	       cli_match_name(k->match[1]), k->wk_gen, k->derives,
	       k->derive_errors, k->stalls, k->failures, k->failed_requests,
	       -(int)k->last_error, k->last_stall_ms, k->users);
}

/*
 * list: the live key objects, from the protkey family's KEY_GET dump;
 * --json: their attributes, numbers as numbers.
 */
static int cmd_list(struct cli *cli, int argc, char **argv)
{
	struct json_object *arr;
	struct pk_live_key *keys;
	size_t n, i;
	int ret;

	(void)argv;
	if (cli_plain_args(argc, argv) || argc != 1)
		return cli_usage(GROUP, "list", "no arguments expected");
	ret = pk_keyring_list(&keys, &n, &cli->err);
	if (ret)
		return cli_fail(cli, ret);
	arr = json_object_new_array();
	for (i = 0; i < n; i++) {
		if (cli->json)
			json_object_array_add(arr, key_json(&keys[i]));
		else
			key_text(&keys[i]);
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
