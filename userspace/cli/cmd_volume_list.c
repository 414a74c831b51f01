// SPDX-License-Identifier: GPL-2.0-only
/*
 * protkeyctl volume list [DEV...]: the encrypted volumes of this system
 * and the repository keys they use. A LUKS volume is what libblkid finds
 * (every device with a crypto_LUKS signature; pk_blkdev_list_luks()),
 * matched to the repository key whose verification-pattern property (zkey
 * records it in the key's .info) is the one its paes-verification-pattern
 * token holds (zkey-cryptsetup writes that token; it checks with it that
 * a re-enciphered key is the volume's). A plain volume has no header to find: it is one
 * that a plain key's volumes property records ("DEV:NAME"). Each gets
 * the mapping that holds its device open, if any, and its key's
 * master-key state (key validate's registers).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define GROUP "volume"

/**
 * struct vl_key - a repository key, with its state once asked
 * @key: the key
 * @match: its halves' registers, once @asked
 * @asked: cli_mk_match() ran (its error leaves "unknown")
 */
struct vl_key {
	struct pk_key key;
	const char *match[2];
	bool asked;
};

struct vl {
	struct cli *cli;
	struct vl_key *keys;
	size_t n_keys;
	struct json_object *arr;
	size_t shown;
};

static void key_state(struct vl *v, struct vl_key *k)
{
	if (k->asked)
		return;
	k->asked = true;
	if (cli_mk_match_on(v->cli, &k->key.xts,
			    pk_info_get(&k->key.info, PK_P_APQNS), k->match)) {
		k->match[0] = "unknown";
		k->match[1] = "unknown";
		v->cli->err.msg[0] = '\0';
	}
}

/* Whether key @k's volumes property records device @dev. */
static bool records(const struct vl_key *k, const char *dev)
{
	const char *p = pk_info_get(&k->key.info, PK_P_VOLUMES);
	size_t len = strlen(dev);

	for (; p && *p; p += strcspn(p, ","), p += *p == ',') {
		if (!strncmp(p, dev, len) &&
		    (p[len] == ':' || p[len] == ',' || !p[len]))
			return true;
	}
	return false;
}

static void show(struct vl *v, const char *dev, const char *type,
		 struct vl_key *k, const char *vp)
{
	char mapping[128];
	struct json_object *o;

	pk_blkdev_holder(dev, mapping, sizeof(mapping));
	if (k)
		key_state(v, k);
	v->shown++;
	if (!v->cli->json) {
		printf("%-24s %-6s %-20s %-20s %s %s\n", dev, type,
		       mapping[0] ? mapping : "-", k ? k->key.name : "-",
		       k ? k->match[0] : "-", k ? k->match[1] : "-");
		return;
	}
	o = json_object_new_object();
	json_object_object_add(o, "device", json_object_new_string(dev));
	json_object_object_add(o, "type", json_object_new_string(type));
	json_object_object_add(o, "mapping",
			       mapping[0] ? json_object_new_string(mapping) :
					    NULL);
	json_object_object_add(o, "key",
			       k ? json_object_new_string(k->key.name) : NULL);
	if (vp && *vp)
		json_object_object_add(o, "verification-pattern",
				       json_object_new_string(vp));
	if (k) {
		json_object_object_add(o, "mk-match-data",
				       json_object_new_string(k->match[0]));
		json_object_object_add(o, "mk-match-tweak",
				       json_object_new_string(k->match[1]));
		json_object_object_add(
			o, "recorded",
			json_object_new_boolean(records(k, dev)));
	}
	json_object_array_add(v->arr, o);
}

/* A LUKS volume: its key by the pattern its header's token holds. */
static void show_luks(struct vl *v, const char *dev)
{
	char vp[PK_VP_HEX + 1];
	struct vl_key *k = NULL;
	struct pk_err err;
	size_t i;

	if (pk_luks_token_vp(dev, vp, NULL, &err)) {
		show(v, dev, "luks1", NULL, NULL);
		return;
	}
	for (i = 0; vp[0] && i < v->n_keys && !k; i++)
		if (!strcmp(vp, pk_info_get(&v->keys[i].key.info, PK_P_VP)))
			k = &v->keys[i];
	show(v, dev, "luks2", k, vp);
}

static bool wanted(const char *dev, char **ops, int n_ops)
{
	int i;

	for (i = 0; i < n_ops; i++)
		if (!strcmp(ops[i], dev))
			return true;
	return !n_ops;
}

/* The plain volumes the plain keys record, each device once. */
static void show_plain(struct vl *v, char **ops, int n_ops)
{
	char *list, *item, *save;
	size_t i;

	for (i = 0; i < v->n_keys; i++) {
		struct vl_key *k = &v->keys[i];
		const char *t = pk_info_get(&k->key.info, PK_P_VOLUME_TYPE);

		if (!t || strcasecmp(t, "plain"))
			continue;
		list = strdup(pk_info_get(&k->key.info, PK_P_VOLUMES));
		save = NULL;
		for (item = list ? strtok_r(list, ",", &save) : NULL; item;
		     item = strtok_r(NULL, ",", &save)) {
			item[strcspn(item, ":")] = '\0';
			if (*item && wanted(item, ops, n_ops))
				show(v, item, "plain", k, NULL);
		}
		free(list);
	}
}

static int read_keys(struct cli *cli, struct vl *v)
{
	char **names = NULL;
	struct pk_repo repo;
	size_t n = 0, i;
	int ret;

	ret = cli_repo_open(cli, &repo, 0);
	if (ret)
		return ret;
	ret = pk_repo_list(&repo, &names, &n, &cli->err);
	v->keys = ret ? NULL : calloc(n ? n : 1, sizeof(*v->keys));
	if (!ret && !v->keys)
		ret = pk_err_set(&cli->err, -ENOMEM, "out of memory");
	for (i = 0; !ret && i < n; i++) {
		/* a malformed key is reported by key list; here it is none */
		if (pk_repo_read(&repo, names[i], &v->keys[v->n_keys].key,
				 &cli->err)) {
			cli->err.msg[0] = '\0';
			continue;
		}
		v->n_keys++;
	}
	pk_names_free(names, n);
	pk_repo_close(&repo);
	return ret;
}

/*
 * volume list [DEV...]: every LUKS volume libblkid finds and every plain
 * volume a plain key records (only DEV... when given), with its mapping,
 * its key and the key's master-key state; then "N volumes".
 */
int cmd_volume_list(struct cli *cli, int argc, char **argv)
{
	struct vl v = { .cli = cli };
	char **devs = NULL;
	size_t n = 0, i;
	int ret, k;

	for (k = 1; k < argc; k++)
		if (argv[k][0] == '-')
			return cli_usage(GROUP, "list", "unknown option '%s'",
					 argv[k]);
	ret = read_keys(cli, &v);
	if (!ret && argc > 1) {
		/* the devices given: those with a LUKS header are probed */
		for (k = 1; k < argc; k++)
			if (pk_luks_present(argv[k]))
				n++;
		devs = calloc(n ? n : 1, sizeof(*devs));
		if (!devs)
			ret = pk_err_set(&cli->err, -ENOMEM, "out of memory");
		for (k = 1, n = 0; !ret && k < argc; k++)
			if (pk_luks_present(argv[k]))
				devs[n++] = strdup(argv[k]);
	} else if (!ret) {
		ret = pk_blkdev_list_luks(&devs, &n, &cli->err);
	}
	if (ret)
		goto out;
	if (cli->json)
		v.arr = json_object_new_array();
	else
		printf("%-24s %-6s %-20s %-20s %s\n", "DEVICE", "TYPE",
		       "MAPPING", "KEY", "MK (data tweak)");
	for (i = 0; i < n; i++)
		if (devs[i])
			show_luks(&v, devs[i]);
	show_plain(&v, argv + 1, argc - 1);
	if (cli->json) {
		struct json_object *o = cli_json_wrap("volumes", v.arr);

		json_object_object_add(o, "count",
				       json_object_new_int64((int64_t)v.shown));
		cli_json_print(o);
	} else {
		printf("%zu volumes\n", v.shown);
	}
out:
	pk_names_free(devs, n);
	for (i = 0; i < v.n_keys; i++)
		pk_key_free(&v.keys[i].key);
	free(v.keys);
	return ret ? cli_fail(cli, ret) : PK_EXIT_OK;
}
