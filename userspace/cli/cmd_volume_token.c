// SPDX-License-Identifier: GPL-2.0-only
/*
 * protkeyctl volume token add|remove|show: the protkey LUKS2 token
 * (lib/luks2_protkey.c, lib/luks_token.c). add seals a new keyslot's
 * random passphrase with the kernel's xts(paes) under a repository key (a
 * CCA or EP11 XTS secure key, or a key imported from UV secrets) or
 * directly under Ultravisor secrets: one AES-XTS secret, or two AES
 * secrets (data key, tweak key); it needs an existing passphrase once.
 * remove never removes the last way in.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define GROUP "volume"

enum { OPT_KEY = 256, OPT_UV, OPT_KEYFILE, OPT_TOKEN };

static const struct option tok_longopts[] = {
	{ "key", required_argument, NULL, OPT_KEY },
	{ "uv-secret", required_argument, NULL, OPT_UV },
	{ "key-file", required_argument, NULL, OPT_KEYFILE },
	{ "token", required_argument, NULL, OPT_TOKEN },
	{ NULL, 0, NULL, 0 },
};

struct tok_opts {
	const char *key;
	const char *uv[2];
	int n_uv;
	const char *key_file;
	long token;
};

static int parse_tok_opts(int argc, char **argv, struct tok_opts *o)
{
	unsigned long n;
	int c;

	o->token = -1;
	optind = 0;
	opterr = 0;
	while ((c = cli_getopt(argc, argv, "", tok_longopts)) != -1) {
		switch (c) {
		case OPT_KEY:
			o->key = optarg;
			break;
		case OPT_UV:
			if (o->n_uv == 2)
				return cli_opt_bad(true);
			o->uv[o->n_uv++] = optarg;
			break;
		case OPT_KEYFILE:
			o->key_file = optarg;
			break;
		case OPT_TOKEN:
			if (pk_parse_uint(optarg, PK_LUKS_SLOTS - 1, &n))
				return cli_opt_bad(false);
			o->token = (long)n;
			break;
		default:
			return -1;
		}
	}
	return optind;
}

static int token_add(struct cli *cli, struct tok_opts *o, const char *dev)
{
	struct pk_key key = { 0 };
	char *pass = NULL, by[160];
	struct pk_repo repo;
	size_t plen = 0;
	int ret, token, slot, i;

	if (o->n_uv) {
		/* The secrets' tokens are the wrapping key: no repository. */
		key.blob = calloc(2, PK_UV_TOKEN_SIZE);
		if (!key.blob)
			return cli_fail(cli, pk_err_set(&cli->err, -ENOMEM,
							"UV secret tokens"));
		key.len = (size_t)o->n_uv * PK_UV_TOKEN_SIZE;
		for (i = 0, ret = 0; i < o->n_uv && !ret; i++)
			ret = cli_uv_token(cli, o->uv[i], false, o->n_uv == 1,
					   key.blob + i * PK_UV_TOKEN_SIZE);
		snprintf(by, sizeof(by), "UV secret%s %s%s%s",
			 o->n_uv > 1 ? "s" : "", o->uv[0],
			 o->n_uv > 1 ? ", " : "", o->n_uv > 1 ? o->uv[1] : "");
	} else {
		ret = cli_repo_open(cli, &repo, 0);
		if (ret)
			return cli_fail(cli, ret);
		ret = pk_repo_read(&repo, o->key, &key, &cli->err);
		pk_repo_close(&repo);
		snprintf(by, sizeof(by), "key '%s'", o->key);
	}
	ret = ret   ?:
		      cli_read_secret(cli, o->key_file, dev, false, &pass,
				      &plen);
	ret = ret   ?:
		      pk_luks_lt_add(dev, pass, plen, key.blob, key.len,
				     o->n_uv ? NULL : key.name, &token, &slot,
				     &cli->err);
	cli_secret_free(pass);
	pk_key_free(&key);
	if (ret)
		return cli_fail(cli, ret);
	if (cli->json) {
		struct json_object *j = json_object_new_object();

		json_object_object_add(j, "token", json_object_new_int(token));
		json_object_object_add(j, "keyslot", json_object_new_int(slot));
		json_object_object_add(j, "key",
				       o->key ? json_object_new_string(o->key) :
						NULL);
		if (o->n_uv) {
			struct json_object *a = json_object_new_array();

			for (i = 0; i < o->n_uv; i++)
				json_object_array_add(
					a, json_object_new_string(o->uv[i]));
			json_object_object_add(j, "uv-secrets", a);
		}
		cli_json_print(j);
	} else {
		printf("added protkey token %d for keyslot %d of %s, wrapped by %s\n",
		       token, slot, dev, by);
	}
	return PK_EXIT_OK;
}

static void show_one(struct cli *cli, const struct pk_luks_lt *t,
		     struct json_object *arr)
{
	struct json_object *j, *ks;
	char desc[256];
	int i;

	if (!cli->json) {
		if (t->err[0]) {
			printf("token %d: protkey, invalid: %s\n", t->token,
			       t->err);
			return;
		}
		pk_lt_describe(&t->lt, desc, sizeof(desc));
		printf("token %d: protkey, keyslots", t->token);
		for (i = 0; i < t->lt.n_keyslots; i++)
			printf(" %d", t->lt.keyslots[i]);
		printf(", %s\n", desc);
		return;
	}
	j = json_object_new_object();
	json_object_object_add(j, "token", json_object_new_int(t->token));
	if (t->err[0]) {
		json_object_object_add(j, "error",
				       json_object_new_string(t->err));
	} else {
		ks = json_object_new_array();
		for (i = 0; i < t->lt.n_keyslots; i++)
			json_object_array_add(
				ks, json_object_new_int(t->lt.keyslots[i]));
		json_object_object_add(j, "keyslots", ks);
		json_object_object_add(j, "key-type",
				       json_object_new_string(t->lt.key_type));
		json_object_object_add(j, "key",
				       json_object_new_string(t->lt.key_name));
		json_object_object_add(j, "verification-pattern",
				       json_object_new_string(t->lt.vp));
	}
	json_object_array_add(arr, j);
}

static int token_show(struct cli *cli, const char *dev)
{
	struct json_object *arr = NULL;
	struct pk_luks_lt *list;
	size_t n, i;
	int ret;

	ret = pk_luks_lt_list(dev, &list, &n, &cli->err);
	if (ret)
		return cli_fail(cli, ret);
	if (cli->json)
		arr = json_object_new_array();
	else if (!n)
		printf("%s has no protkey token\n", dev);
	for (i = 0; i < n; i++) {
		show_one(cli, &list[i], arr);
		pk_lt_wipe(&list[i].lt);
	}
	free(list);
	if (arr)
		cli_json_print(cli_json_wrap("tokens", arr));
	return PK_EXIT_OK;
}

/*
 * token add DEV --key NAME --key-file FILE | token remove DEV --token N |
 * token show DEV
 */
int cmd_volume_token(struct cli *cli, int argc, char **argv)
{
	struct tok_opts o = { 0 };
	const char *sub;
	int i, ret;

	if (argc < 3)
		return cli_usage(GROUP, "token", "need add|remove|show DEV");
	sub = argv[1];
	i = parse_tok_opts(argc - 1, argv + 1, &o);
	if (i < 0 || i != argc - 2)
		return cli_usage(GROUP, "token", "bad arguments");
	if (!strcmp(sub, "add")) {
		if (!!o.key == !!o.n_uv || o.token >= 0)
			return cli_usage(
				GROUP, "token",
				"add needs DEV (--key NAME | --uv-secret ID [--uv-secret ID]) [--key-file FILE]");
		return token_add(cli, &o, argv[argc - 1]);
	}
	if (!strcmp(sub, "remove")) {
		if (o.token < 0 || o.key || o.n_uv || o.key_file)
			return cli_usage(GROUP, "token",
					 "remove needs DEV --token N");
		ret = pk_luks_lt_remove(argv[argc - 1], (int)o.token,
					&cli->err);
		if (ret)
			return cli_fail(cli, ret);
		if (!cli->json)
			printf("removed protkey token %ld of %s\n", o.token,
			       argv[argc - 1]);
		return PK_EXIT_OK;
	}
	if (!strcmp(sub, "show")) {
		if (o.token >= 0 || o.key || o.n_uv || o.key_file)
			return cli_usage(GROUP, "token", "show needs DEV");
		return token_show(cli, argv[argc - 1]);
	}
	return cli_usage(GROUP, "token", "unknown token command '%s'", sub);
}
