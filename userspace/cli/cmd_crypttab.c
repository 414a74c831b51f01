// SPDX-License-Identifier: GPL-2.0-only
/*
 * protkeyctl crypttab: /etc/crypttab lines for the LUKS2 volumes the
 * repository's keys record (their volumes= property, "DEV:NAME", as
 * zkey's crypttab reads it). Unlike zkey, which writes "none" as the key
 * file of a LUKS2 volume and so makes the boot wait on a console prompt,
 * every line names a key file and bounds every wait: nofail and
 * headless=true (never ask on a console), timeout=, keyfile-timeout=,
 * token-timeout= and x-systemd.device-timeout= (crypttab(5), systemd
 * 252). The ordering after the Ultravisor secrets and the AP queues is
 * protkey-se-setup.service's Before=cryptsetup-pre.target: crypttab has
 * no ordering option of its own.
 *
 * --token prints token-only lines instead: "none" as the key file, so
 * systemd-cryptsetup tries libcryptsetup's token plugins before anything
 * else (the protkey token, libcryptsetup-token-protkey.so), and
 * headless=true so that a token the platform cannot unwrap leaves the
 * nofail volume closed instead of asking on a console, tries=1 so that it
 * declines once (after protkey.ko's rekey_timeout_ms wait for an adapter
 * that can derive the wrapping key). Only volumes whose header holds a
 * protkey token get one; the others are refused.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define CT_TIMEOUT_DEFAULT 30

/* Whether "DEV:NAME" matches one of the operands (by DEV or NAME). */
static bool wanted(const char *dev, const char *name, char **ops, int n_ops,
		   bool *used)
{
	bool hit = !n_ops;
	int i;

	for (i = 0; i < n_ops; i++) {
		if (!strcmp(ops[i], dev) || !strcmp(ops[i], name)) {
			used[i] = true;
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

/* The lines of key @key's volumes; *@lines counts them. */
static int key_lines(struct cli *cli, const struct pk_key *key,
		     const char *key_file, bool token, unsigned long timeout,
		     char **ops, int n_ops, bool *used, int *lines)
{
	const char *vtype = pk_info_get(&key->info, PK_P_VOLUME_TYPE);
	char *list = strdup(pk_info_get(&key->info, PK_P_VOLUMES));
	char *item, *save = NULL, *colon;
	int ret = 0;

	if (!list)
		return pk_err_set(&cli->err, -ENOMEM, "volumes");
	for (item = strtok_r(list, ",", &save); item && !ret;
	     item = strtok_r(NULL, ",", &save)) {
		colon = strrchr(item, ':');
		if (!colon || colon == item || !colon[1])
			continue;
		*colon = '\0';
		if (!wanted(item, colon + 1, ops, n_ops, used))
			continue;
		if (strcmp(vtype, "luks2")) {
			ret = pk_err_set(
				&cli->err, -EOPNOTSUPP,
				"volume %s (key '%s') is of volume type '%s': crypttab lines are made for LUKS2 volumes only",
				item, key->name, vtype);
			break;
		}
		if (token) {
			ret = has_token(cli, item);
			if (ret)
				break;
			printf("%s %s none luks,nofail,headless=true,tries=1,token-timeout=%lus,x-systemd.device-timeout=%lus\n",
			       colon + 1, item, timeout, timeout);
			(*lines)++;
			continue;
		}
		if (!key_file) {
			ret = pk_err_set(
				&cli->err, -EINVAL,
				"volume %s (key '%s'): --key-file FILE is needed (without one, crypttab's 'none' waits on the console)",
				item, key->name);
			break;
		}
		printf("%s %s %s luks,nofail,headless=true,timeout=%lus,keyfile-timeout=%lus,token-timeout=%lus,x-systemd.device-timeout=%lus\n",
		       colon + 1, item, key_file, timeout, timeout, timeout,
		       timeout);
		(*lines)++;
	}
	free(list);
	return ret;
}

/**
 * cmd_crypttab() - protkeyctl crypttab [--key-file FILE | --token]
 *	[--timeout S] [VOLUME...]
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
		{ NULL, 0, NULL, 0 },
	};
	unsigned long timeout = CT_TIMEOUT_DEFAULT;
	bool token = false, bad = false;
	const char *key_file = NULL;
	char **names = NULL;
	struct pk_repo repo;
	struct pk_key key;
	int c, i, lines = 0, ret;
	bool *used;
	size_t n = 0, k;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'k' && optarg[0] == '/')
			key_file = optarg;
		else if (c == 'T')
			token = true;
		else if (c != 't' || pk_parse_uint(optarg, 3600, &timeout) ||
			 !timeout)
			bad = true;
	}
	if (bad || (token && key_file))
		return cli_usage(
			NULL, NULL,
			"crypttab [--key-file /ABSOLUTE/PATH | --token] [--timeout 1..3600] [VOLUME...]");
	used = calloc((size_t)argc + 1, sizeof(*used));
	if (!used)
		return cli_fail(cli,
				pk_err_set(&cli->err, -ENOMEM, "crypttab"));
	ret = cli_repo_open(cli, &repo, 0);
	if (ret) {
		free(used);
		return cli_fail(cli, ret);
	}
	ret = pk_repo_list(&repo, &names, &n, &cli->err);
	for (k = 0; !ret && k < n; k++) {
		ret = pk_repo_read(&repo, names[k], &key, &cli->err);
		if (ret)
			break;
		ret = key_lines(cli, &key, key_file, token, timeout,
				argv + optind, argc - optind, used, &lines);
		pk_key_free(&key);
	}
	pk_repo_close(&repo);
	pk_names_free(names, n);
	for (i = 0; !ret && i < argc - optind; i++)
		if (!used[i])
			ret = pk_err_set(
				&cli->err, -ENOENT,
				"no repository key records volume '%s' (key generate/import --volumes DEV:NAME --volume-type luks2)",
				argv[optind + i]);
	free(used);
	if (!ret && !lines)
		cli_warn("no LUKS2 volumes recorded in the repository");
	return ret ? cli_fail(cli, ret) : PK_EXIT_OK;
}
