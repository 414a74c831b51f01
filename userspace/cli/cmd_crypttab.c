// SPDX-License-Identifier: GPL-2.0-only
/*
 * protkeyctl crypttab and protkeyctl cryptsetup: for the volumes the
 * repository's keys record (their volumes= property, "DEV:NAME", as
 * zkey's crypttab and cryptsetup read it), the /etc/crypttab line or the
 * cryptsetup command that opens each; the text of both comes from
 * lib/crypttab.c. A key's volume-type says which: luks2 or plain; other
 * types are refused. The volumes are all of them, or those the VOLUME
 * operands name (each must match one) and those zkey's --volumes filter
 * matches (pk_filter_match()).
 *
 * LUKS2: unlike zkey, which writes "none" as the key file of a LUKS2
 * volume and so makes the boot wait on a console prompt, every line names
 * a key file and bounds every wait: nofail and headless=true (never ask
 * on a console), timeout=, keyfile-timeout=, token-timeout= and
 * x-systemd.device-timeout= (crypttab(5), systemd 252). The ordering
 * after the Ultravisor secrets and the AP queues is
 * protkey-se-setup.service's Before=cryptsetup-pre.target: crypttab has
 * no ordering option of its own. The device is named as recorded.
 *
 * --token prints token-only lines instead: "none" as the key file, so
 * systemd-cryptsetup tries libcryptsetup's token plugins before anything
 * else (the protkey token, libcryptsetup-token-protkey.so), and
 * headless=true so that a token the platform cannot unwrap leaves the
 * nofail volume closed instead of asking on a console, tries=1 so that it
 * declines once (after protkey.ko's rekey_timeout_ms wait for an adapter
 * that can derive the wrapping key). Only volumes whose header holds a
 * protkey token get one; the others are refused.
 *
 * Plain: no header holds anything, so the line says it all: the key's
 * secure key file (.skey) as key file, its size in bits, the key's
 * sector size (512 when it records none, dm-crypt's default), nofail,
 * headless=true and x-systemd.device-timeout=; --key-file and --token do
 * not apply. The device is named by a /dev/disk/by-id (else by-path)
 * link to it when one exists (pk_dev_persistent()): a plain volume has no
 * UUID to be found by, and /dev/sdX names can change at the next boot.
 *
 * cryptsetup prints "cryptsetup plainOpen ..." and "cryptsetup luksOpen
 * ..." commands for the same volumes, as zkey cryptsetup --open does.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

#define CT_TIMEOUT_DEFAULT 30
#define CT_JSON_VERSION 1
#define CT_PLAIN_SECTOR_DEFAULT 512

/**
 * struct ct_run - one crypttab or cryptsetup invocation
 * @cli: the invocation's globals and error
 * @setup: cryptsetup commands, else crypttab lines
 * @key_file: --key-file (LUKS2 only), or NULL
 * @token: --token (LUKS2 only)
 * @timeout: --timeout (crypttab)
 * @filter: --volumes, zkey's volume filter (pk_filter_match()), or NULL
 * @ops: the VOLUME operands
 * @n_ops: their number
 * @used: per operand, whether a volume matched it
 * @dir: the repository's absolute path, for the .skey files
 * @vols: the volumes found, their fields and line or command
 * @count: the volumes printed
 */
struct ct_run {
	struct cli *cli;
	bool setup;
	const char *key_file;
	bool token;
	unsigned long timeout;
	const char *filter;
	char **ops;
	int n_ops;
	bool *used;
	char dir[PATH_MAX];
	struct json_object *vols;
	int count;
};

/* Whether paths @a and @b are the same device node. */
static bool same_node(const char *a, const char *b)
{
	struct stat sa, sb;

	if (a[0] != '/' || stat(a, &sa) || stat(b, &sb))
		return false;
	return (S_ISBLK(sa.st_mode) || S_ISCHR(sa.st_mode)) &&
	       (sa.st_mode & S_IFMT) == (sb.st_mode & S_IFMT) &&
	       sa.st_rdev == sb.st_rdev;
}

/*
 * Whether the volume matches one of the operands: by NAME, by DEV as
 * recorded or as printed, or by another path to the same device node (a
 * /dev/sdX name of a volume recorded by its /dev/disk/by-id link); or the
 * --volumes filter, as zkey matches "DEV:NAME". Neither: every volume.
 */
static bool wanted(struct ct_run *r, const char *dev, const char *shown,
		   const char *name)
{
	bool hit = !r->n_ops && !r->filter;
	char vol[2 * PATH_MAX];
	int i;

	snprintf(vol, sizeof(vol), "%s:%s", dev, name);
	if (r->filter && pk_filter_match(vol, r->filter, false))
		hit = true;

	for (i = 0; i < r->n_ops; i++) {
		if (!strcmp(r->ops[i], dev) || !strcmp(r->ops[i], shown) ||
		    !strcmp(r->ops[i], name) || same_node(r->ops[i], dev)) {
			r->used[i] = true;
			hit = true;
		}
	}
	return hit;
}

/* Whether @dev's LUKS2 header holds a well-formed protkey token. */
static int has_token(struct cli *cli, const char *dev)
{
	struct pk_luks_lt *list;
	size_t n, i, ok = 0;
	int ret;

	ret = pk_luks_lt_list(dev, &list, &n, &cli->err);
	if (ret)
		return ret;
	for (i = 0; i < n; i++) {
		ok += !list[i].err[0];
		pk_lt_wipe(&list[i].lt);
	}
	free(list);
	if (!ok)
		return pk_err_set(
			&cli->err, -ENOENT,
			"volume %s has no protkey token: add one ('volume token add') or give --key-file",
			dev);
	return 0;
}

/* A plain volume's fields: its .skey, key size and sector size. */
static int plain_fields(struct ct_run *r, const struct pk_key *key,
			struct pk_ct_vol *v, char *skey)
{
	unsigned long ss;

	if ((size_t)snprintf(skey, PATH_MAX, "%s/%s.skey", r->dir, key->name) >=
	    PATH_MAX)
		return pk_err_set(&r->cli->err, -ENAMETOOLONG, "%s/%s.skey",
				  r->dir, key->name);
	if (pk_parse_uint(pk_info_get(&key->info, PK_P_SECTOR_SIZE), 4096,
			  &ss) ||
	    !ss)
		ss = CT_PLAIN_SECTOR_DEFAULT;
	v->type = PK_CT_PLAIN;
	v->key_file = skey;
	v->key_bits = (unsigned int)(key->len * 8);
	v->sector_size = (unsigned int)ss;
	return 0;
}

/* A LUKS2 volume's fields: --key-file or the token (checked). */
static int luks2_fields(struct ct_run *r, const struct pk_key *key,
			const char *dev, struct pk_ct_vol *v)
{
	v->type = PK_CT_LUKS2;
	v->key_file = r->key_file;
	v->token = r->token;
	if (r->token)
		return has_token(r->cli, dev);
	if (!r->key_file && !r->setup)
		return pk_err_set(
			&r->cli->err, -EINVAL,
			"volume %s (key '%s'): --key-file FILE is needed (without one, crypttab's 'none' waits on the console)",
			dev, key->name);
	return 0;
}

static void emit_json(struct ct_run *r, const struct pk_ct_vol *v,
		      const char *text)
{
	struct json_object *o = json_object_new_object();
	bool plain = v->type == PK_CT_PLAIN;

	json_object_object_add(o, "name", json_object_new_string(v->name));
	json_object_object_add(o, "device", json_object_new_string(v->dev));
	json_object_object_add(o, "key", json_object_new_string(v->key));
	json_object_object_add(o, "volume-type",
			       json_object_new_string(plain ? "plain" :
							      "luks2"));
	json_object_object_add(
		o, "key-file",
		v->key_file ? json_object_new_string(v->key_file) : NULL);
	if (plain) {
		json_object_object_add(o, "cipher",
				       json_object_new_string(PK_DM_CIPHER));
		json_object_object_add(o, "key-bits",
				       json_object_new_int((int)v->key_bits));
		json_object_object_add(
			o, "sector-size",
			json_object_new_int((int)v->sector_size));
	} else {
		json_object_object_add(o, "token",
				       json_object_new_boolean(v->token));
	}
	json_object_object_add(o, r->setup ? "command" : "line",
			       json_object_new_string(text));
	json_object_array_add(r->vols, o);
}

/* The line or command of volume "DEV:NAME" of @key, printed. */
static int one_volume(struct ct_run *r, const struct pk_key *key,
		      const char *dev, const char *name)
{
	const char *vtype = pk_info_get(&key->info, PK_P_VOLUME_TYPE);
	char skey[PATH_MAX], shown[PATH_MAX], text[3 * PATH_MAX];
	struct pk_ct_vol v = { .name = name, .dev = shown, .key = key->name };
	bool plain = !strcmp(vtype, "plain");
	int ret = 0, dev_ret = 0;

	snprintf(shown, sizeof(shown), "%s", dev);
	if (plain)
		dev_ret = pk_dev_persistent(dev, NULL, shown, sizeof(shown));
	if (dev_ret)
		snprintf(shown, sizeof(shown), "%s", dev);
	if (!wanted(r, dev, shown, name))
		return 0;
	if (plain) {
		/* not there now: the line names it as recorded */
		if (dev_ret)
			cli_warn("volume %s: %s; named as recorded", dev,
				 strerror(-dev_ret));
		ret = plain_fields(r, key, &v, skey);
	} else if (!strcmp(vtype, "luks2")) {
		ret = luks2_fields(r, key, dev, &v);
	} else {
		ret = pk_err_set(
			&r->cli->err, -EOPNOTSUPP,
			"volume %s (key '%s') is of volume type '%s': lines are made for LUKS2 and plain volumes only",
			dev, key->name, vtype);
	}
	if (ret)
		return ret;
	if (r->setup)
		ret = pk_ct_command(&v, text, sizeof(text), &r->cli->err);
	else
		ret = pk_ct_line(&v, r->timeout, text, sizeof(text),
				 &r->cli->err);
	if (ret)
		return ret;
	emit_json(r, &v, text);
	r->count++;
	return 0;
}

/* Every volume of @key, in the order the key lists them. */
static int key_volumes(struct ct_run *r, const struct pk_key *key)
{
	char *list = strdup(pk_info_get(&key->info, PK_P_VOLUMES));
	char *item, *save = NULL, *colon;
	int ret = 0;

	if (!list)
		return pk_err_set(&r->cli->err, -ENOMEM, "volumes");
	for (item = strtok_r(list, ",", &save); item && !ret;
	     item = strtok_r(NULL, ",", &save)) {
		colon = strrchr(item, ':');
		if (!colon || colon == item || !colon[1])
			continue;
		*colon = '\0';
		ret = one_volume(r, key, item, colon + 1);
	}
	free(list);
	return ret;
}

/* Every key of the repository; then every operand must have matched. */
static int ct_walk(struct ct_run *r)
{
	struct pk_repo repo;
	char **names = NULL;
	struct pk_key key;
	size_t n = 0, k;
	int i, ret;

	ret = cli_repo_open(r->cli, &repo, 0);
	if (ret)
		return ret;
	if (!realpath(repo.dir, r->dir))
		ret = pk_err_set(&r->cli->err, -errno, "repository %s",
				 repo.dir);
	ret = ret ?: pk_repo_list(&repo, &names, &n, &r->cli->err);
	for (k = 0; !ret && k < n; k++) {
		ret = pk_repo_read(&repo, names[k], &key, &r->cli->err);
		if (ret)
			break;
		ret = key_volumes(r, &key);
		pk_key_free(&key);
	}
	pk_repo_close(&repo);
	pk_names_free(names, n);
	for (i = 0; !ret && i < r->n_ops; i++)
		if (!r->used[i])
			ret = pk_err_set(
				&r->cli->err, -ENOENT,
				"no repository key records volume '%s' (key generate/import --volumes DEV:NAME --volume-type luks2|plain)",
				r->ops[i]);
	return ret;
}

/*
 * Runs @r over the operands @argv[optind..]. Nothing is printed unless
 * every volume succeeded: the lines, or with --json one object
 * {"version", "volumes": [...]}.
 */
static int ct_run(struct ct_run *r, int argc, char **argv)
{
	struct json_object *top = json_object_new_object();
	size_t i;
	int ret;

	r->ops = argv + optind;
	r->n_ops = argc - optind;
	r->used = calloc((size_t)argc + 1, sizeof(*r->used));
	r->vols = json_object_new_array();
	json_object_object_add(top, "version",
			       json_object_new_int(CT_JSON_VERSION));
	json_object_object_add(top, "volumes", r->vols);
	ret = r->used ? ct_walk(r) :
			pk_err_set(&r->cli->err, -ENOMEM, "volumes");
	free(r->used);
	if (!ret && r->cli->json) {
		cli_json_print(top);
		top = NULL;
	}
	for (i = 0; !ret && top && i < json_object_array_length(r->vols); i++)
		printf("%s\n", json_object_get_string(json_object_object_get(
				       json_object_array_get_idx(r->vols, i),
				       r->setup ? "command" : "line")));
	json_object_put(top);
	if (!ret && !r->count)
		cli_warn("no LUKS2 or plain volumes %s",
			 r->filter ? "match --volumes" :
				     "recorded in the repository");
	return ret ? cli_fail(r->cli, ret) : PK_EXIT_OK;
}

/**
 * cmd_crypttab() - protkeyctl crypttab [--key-file FILE | --token]
 *	[--timeout S] [--volumes FILTER] [VOLUME...]
 * @cli: the invocation
 * @argc: arguments, "crypttab" first
 * @argv: them
 *
 * Return: an exit code.
 */
int cmd_crypttab(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "key-file", required_argument, NULL, 'k' },
		{ "timeout", required_argument, NULL, 't' },
		{ "token", no_argument, NULL, 'T' },
		{ "volumes", required_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	struct ct_run r = { .cli = cli, .timeout = CT_TIMEOUT_DEFAULT };
	bool bad = false;
	int c;

	optind = 0;
	opterr = 0;
	while ((c = cli_getopt(argc, argv, "", opts)) != -1) {
		if (c == 'k' && optarg[0] == '/')
			r.key_file = optarg;
		else if (c == 'T')
			r.token = true;
		else if (c == 'v' && optarg[0])
			r.filter = optarg;
		else if (c != 't' || pk_parse_uint(optarg, 3600, &r.timeout) ||
			 !r.timeout)
			bad = cli_opt_bad(false) < 0;
		if (bad)
			break;
	}
	if (bad || (r.token && r.key_file))
		return cli_usage(
			NULL, NULL,
			"crypttab [--key-file /ABSOLUTE/PATH | --token] [--timeout 1..3600] [--volumes FILTER] [VOLUME...]");
	return ct_run(&r, argc, argv);
}

/**
 * cmd_cryptsetup() - protkeyctl cryptsetup [--key-file FILE | --token]
 *	[--volumes FILTER] [VOLUME...]
 * @cli: the invocation
 * @argc: arguments, "cryptsetup" first
 * @argv: them
 *
 * Return: an exit code.
 */
int cmd_cryptsetup(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "key-file", required_argument, NULL, 'k' },
		{ "token", no_argument, NULL, 'T' },
		{ "volumes", required_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	struct ct_run r = { .cli = cli, .setup = true };
	bool bad = false;
	int c;

	optind = 0;
	opterr = 0;
	while ((c = cli_getopt(argc, argv, "", opts)) != -1) {
		if (c == 'k' && optarg[0])
			r.key_file = optarg;
		else if (c == 'T')
			r.token = true;
		else if (c == 'v' && optarg[0])
			r.filter = optarg;
		else
			bad = cli_opt_bad(false) < 0;
		if (bad)
			break;
	}
	if (bad || (r.token && r.key_file))
		return cli_usage(
			NULL, NULL,
			"cryptsetup [--key-file FILE | --token] [--volumes FILTER] [VOLUME...]");
	return ct_run(&r, argc, argv);
}
