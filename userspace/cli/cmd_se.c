// SPDX-License-Identifier: GPL-2.0-only
/*
 * protkeyctl apqn and se: the AP queues of a Secure Execution guest (what
 * lszcrypt -V shows, and its se_bind and se_associate attributes) and the
 * Ultravisor's secret store (pvsecret's add, list and lock). Both talk to
 * the emulated platform (protkey_emu.ko); the IBM Z backend, which would
 * read sysfs and /dev/uv instead, is not written yet.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/protkey_emu.h>

#include "cli.h"

#define EMU_NOTE "EMULATED platform (protkey_emu): not secure\n"

/* lszcrypt -V's SESTAT of a binding state (lszcrypt.8). */
static const char *sestat(const struct pk_emu_adapter *ad)
{
	static const char *const names[] = {
		[PROTKEY_EMU_SE_BS_USABLE] = "usable",
		[PROTKEY_EMU_SE_BS_USABLE_NO_SECURE_KEY] = "bound",
		[PROTKEY_EMU_SE_BS_AVAIL_FOR_BINDING] = "unbound",
		[PROTKEY_EMU_SE_BS_UNUSABLE] = "illicit",
	};

	if (!ad->has_bs || ad->bs > PROTKEY_EMU_SE_BS_UNUSABLE)
		return "-";
	return names[ad->bs];
}

static const char *mode_name(uint32_t mode)
{
	switch (mode) {
	case PROTKEY_EMU_MODE_CCA:
		return "CCA";
	case PROTKEY_EMU_MODE_EP11:
		return "EP11";
	case PROTKEY_EMU_MODE_ACCEL:
		return "Accel";
	default:
		return "-";
	}
}

static void apqn_str(uint32_t apqn, char buf[8])
{
	snprintf(buf, 8, "%02x.%04x", PROTKEY_EMU_APQN_CARD(apqn) & 0xff,
		 PROTKEY_EMU_APQN_DOMAIN(apqn));
}

/*
 * The master-key pattern of the CURRENT register: a CCA AES MKVP (16 hex
 * digits) or the first 16 bytes of an EP11 WKVP (32 hex digits, the part
 * an EP11 key holds and pvapconfig compares).
 */
static void current_mk(const struct pk_emu_adapter *ad, char buf[65])
{
	if (ad->mode == PROTKEY_EMU_MODE_EP11 && ad->has_wkvp)
		pk_hex_encode(ad->wkvp, 16, buf);
	else if (ad->mode != PROTKEY_EMU_MODE_EP11 &&
		 (ad->has & (1u << (PROTKEY_EMU_MK_CURRENT - 1))))
		snprintf(buf, 65, "%016" PRIx64,
			 ad->mkvp[PROTKEY_EMU_MK_CURRENT - 1]);
	else
		strcpy(buf, "-");
}

static int get_state(struct cli *cli, struct pk_nl *nl,
		     struct pk_emu_state **st)
{
	int ret;

	*st = calloc(1, sizeof(**st));
	if (!*st)
		return pk_err_set(&cli->err, -ENOMEM, "state");
	ret = pk_emu_get_state(nl, *st, &cli->err);
	if (ret) {
		free(*st);
		*st = NULL;
	}
	return ret;
}

static struct json_object *apqn_json(const struct pk_emu_adapter *ad)
{
	struct json_object *o = json_object_new_object();
	char buf[65];

	apqn_str(ad->apqn, buf);
	json_object_object_add(o, "apqn", json_object_new_string(buf));
	json_object_object_add(o, "mode",
			       json_object_new_string(mode_name(ad->mode)));
	json_object_object_add(o, "usable",
			       json_object_new_boolean(ad->online));
	json_object_object_add(o, "sestat", json_object_new_string(sestat(ad)));
	json_object_object_add(o, "se-bind",
			       json_object_new_string(ad->bind_text));
	json_object_object_add(o, "se-associate",
			       json_object_new_string(ad->assoc_text));
	if (ad->has_assoc_idx)
		json_object_object_add(o, "association-index",
				       json_object_new_int(ad->assoc_idx));
	current_mk(ad, buf);
	json_object_object_add(o, "mkvp", json_object_new_string(buf));
	return o;
}

static int do_apqn_list(struct cli *cli, struct pk_nl *nl)
{
	struct json_object *o, *arr;
	struct pk_emu_state *st;
	char apqn[8], mk[65], assoc[8];
	int k, ret;

	ret = get_state(cli, nl, &st);
	if (ret)
		return ret;
	if (cli->json) {
		o = json_object_new_object();
		json_object_object_add(o, "emulated",
				       json_object_new_boolean(true));
		json_object_object_add(o, "se-guest",
				       json_object_new_boolean(st->se_guest));
		arr = json_object_new_array();
		for (k = 0; k < st->n; k++)
			json_object_array_add(arr, apqn_json(&st->ad[k]));
		json_object_object_add(o, "apqns", arr);
		cli_json_print(o);
	} else {
		printf(EMU_NOTE "Secure Execution guest: %s\n",
		       st->se_guest ? "yes" : "no");
		printf("%-8s %-5s %-6s %-7s %-5s %s\n", "APQN", "MODE",
		       "USABLE", "SESTAT", "ASSOC", "MKVP");
		for (k = 0; k < st->n; k++) {
			apqn_str(st->ad[k].apqn, apqn);
			current_mk(&st->ad[k], mk);
			if (st->ad[k].has_assoc_idx)
				snprintf(assoc, sizeof(assoc), "%u",
					 st->ad[k].assoc_idx);
			else
				strcpy(assoc, "-");
			printf("%-8s %-5s %-6s %-7s %-5s %s\n", apqn,
			       mode_name(st->ad[k].mode),
			       st->ad[k].online ? "yes" : "no",
			       sestat(&st->ad[k]), assoc, mk);
		}
	}
	free(st);
	return 0;
}

/* Opens the emulator, runs the command, closes; maps the error. */
#define WITH_EMU(cli, call)                                \
	({                                                 \
		struct pk_nl *nl;                          \
		int __ret = cli_emu_open(cli, &nl);        \
		if (!__ret) {                              \
			__ret = (call);                    \
			pk_nl_close(nl);                   \
		}                                          \
		__ret ? cli_fail(cli, __ret) : PK_EXIT_OK; \
	})

static int cmd_apqn_list(struct cli *cli, int argc, char **argv)
{
	(void)argv;
	if (argc != 1)
		return cli_usage("apqn", "list", "no arguments expected");
	return WITH_EMU(cli, do_apqn_list(cli, nl));
}

static int find_apqn(struct cli *cli, const struct pk_emu_state *st,
		     uint32_t apqn, const struct pk_emu_adapter **ad)
{
	char buf[8];
	int k;

	for (k = 0; k < st->n; k++) {
		if (st->ad[k].apqn == apqn) {
			*ad = &st->ad[k];
			return 0;
		}
	}
	apqn_str(apqn, buf);
	return pk_err_set(&cli->err, -ENOENT, "no APQN %s", buf);
}

/*
 * Waits until the association of @apqn is no longer pending, at most
 * @timeout_ms, polling as pvapconfig does.
 */
static int assoc_wait(struct cli *cli, struct pk_nl *nl, uint32_t apqn,
		      unsigned long timeout_ms)
{
	const struct timespec tick = { 0, 20 * 1000 * 1000 };
	const struct pk_emu_adapter *ad = NULL;
	struct pk_emu_state *st = NULL;
	unsigned long waited;
	char buf[8];
	int ret;

	apqn_str(apqn, buf);
	for (waited = 0;; waited += 20) {
		ret = get_state(cli, nl, &st);
		ret = ret ?: find_apqn(cli, st, apqn, &ad);
		if (ret) {
			free(st);
			return ret;
		}
		if (ad->bs == PROTKEY_EMU_SE_BS_USABLE) {
			free(st);
			return 0;
		}
		if (ad->bs == PROTKEY_EMU_SE_BS_UNUSABLE) {
			free(st);
			return pk_err_platform(
				&cli->err, -EIO,
				"association of %s failed (SESTAT illicit; "
				"unbind to recover)",
				buf);
		}
		free(st);
		if (waited >= timeout_ms)
			return pk_err_platform(
				&cli->err, -ETIMEDOUT,
				"association of %s still pending after %lu ms",
				buf, timeout_ms);
		nanosleep(&tick, NULL);
	}
}

struct apqn_op {
	uint32_t apqn;
	int op; /* 1 bind, 0 unbind, 2 associate */
	uint32_t idx;
	unsigned long wait_ms; /* associate: 0 = do not wait */
};

static int do_apqn_op(struct cli *cli, struct pk_nl *nl,
		      const struct apqn_op *a)
{
	char buf[8];
	int ret;

	apqn_str(a->apqn, buf);
	if (a->op == 2) {
		ret = pk_emu_se_associate(nl, a->apqn, a->idx, &cli->err);
		if (!ret && a->wait_ms)
			ret = assoc_wait(cli, nl, a->apqn, a->wait_ms);
		if (!ret && !cli->json)
			printf("%s: %s secret index %u\n", buf,
			       a->wait_ms ? "associated with" :
					    "association requested with",
			       a->idx);
		return ret;
	}
	ret = pk_emu_se_bind(nl, a->apqn, a->op, &cli->err);
	if (!ret && !cli->json)
		printf("%s: %s\n", buf, a->op ? "bound" : "unbound");
	return ret;
}

static int cmd_apqn_bind(struct cli *cli, int argc, char **argv)
{
	struct apqn_op a = { .op = !strcmp(argv[0], "bind") };

	if (argc != 2 || pk_apqn_parse(argv[1], &a.apqn))
		return cli_usage("apqn", argv[0], "APQN: CC.DDDD in hex");
	return WITH_EMU(cli, do_apqn_op(cli, nl, &a));
}

/* associate APQN INDEX [--timeout MS | --no-wait] */
static int cmd_apqn_associate(struct cli *cli, int argc, char **argv)
{
	struct apqn_op a = { .op = 2, .wait_ms = 30000 };
	unsigned long idx;

	if (argc < 3 || pk_apqn_parse(argv[1], &a.apqn) ||
	    pk_parse_uint(argv[2], 0xffff, &idx))
		return cli_usage("apqn", "associate",
				 "APQN (CC.DDDD) and a secret index 0..65535");
	a.idx = (uint32_t)idx;
	if (argc == 4 && !strcmp(argv[3], "--no-wait"))
		a.wait_ms = 0;
	else if (argc == 5 && !strcmp(argv[3], "--timeout") &&
		 !pk_parse_uint(argv[4], 600000, &a.wait_ms) && a.wait_ms)
		;
	else if (argc != 3)
		return cli_usage("apqn", "associate",
				 "--timeout MS (1..600000) or --no-wait");
	return WITH_EMU(cli, do_apqn_op(cli, nl, &a));
}

/* clang-format off */
const struct command apqn_commands[] = {
	{ "list", cmd_apqn_list, "",
	  "APQNs: mode, usable, SE binding state (SESTAT), association, MKVP" },
	{ "bind", cmd_apqn_bind, "CC.DDDD",
	  "bind an EP11 or accelerator queue to the SE guest (se_bind 1)" },
	{ "unbind", cmd_apqn_bind, "CC.DDDD",
	  "unbind a queue (se_bind 0); drops its association" },
	{ "associate", cmd_apqn_associate,
	  "CC.DDDD INDEX [--timeout MS | --no-wait]",
	  "associate a bound EP11 queue with the association secret INDEX" },
	{ NULL, NULL, NULL, NULL },
};
/* clang-format on */

/* Every page of List Secrets: @total and @n entries into *@out (malloc). */
static int list_all(struct cli *cli, struct pk_nl *nl, struct pk_uv_entry **out,
		    unsigned int *n, unsigned int *total)
{
	struct pk_uv_entry *all = NULL, *grown;
	struct pk_uv_list *pl;
	uint8_t *page;
	uint32_t from = 0;
	bool more = true;
	int ret = 0;

	*n = 0;
	page = malloc(PROTKEY_EMU_UV_LIST_SIZE);
	pl = malloc(sizeof(*pl));
	if (!page || !pl)
		ret = pk_err_set(&cli->err, -ENOMEM, "list secrets");
	while (!ret && more) {
		ret = pk_emu_uv_list(nl, from, page, &more, &cli->err);
		ret = ret ?: pk_uv_list_parse(page, pl, &cli->err);
		if (ret)
			break;
		*total = pl->total;
		grown = realloc(all, (*n + pl->n + 1) * sizeof(*all));
		if (!grown) {
			ret = pk_err_set(&cli->err, -ENOMEM, "list secrets");
			break;
		}
		all = grown;
		memcpy(all + *n, pl->e, pl->n * sizeof(pl->e[0]));
		*n += pl->n;
		if (more && (pl->next_idx <= from || *n > 0xffff))
			ret = pk_err_platform(&cli->err, -EBADMSG,
					      "secret list does not advance");
		from = pl->next_idx;
	}
	free(page);
	free(pl);
	if (ret)
		free(all);
	else
		*out = all;
	return ret;
}

static int do_secret_list(struct cli *cli, struct pk_nl *nl)
{
	char tname[PK_UV_TYPE_NAME_MAX], id[2 * PK_UV_ID_SIZE + 40];
	struct json_object *o, *arr, *e;
	struct pk_uv_entry *l = NULL;
	unsigned int i, n, total = 0;
	int ret;

	ret = list_all(cli, nl, &l, &n, &total);
	if (!ret && cli->json) {
		o = json_object_new_object();
		json_object_object_add(o, "total",
				       json_object_new_int((int)total));
		arr = json_object_new_array();
		for (i = 0; i < n; i++) {
			e = json_object_new_object();
			json_object_object_add(e, "index",
					       json_object_new_int(l[i].index));
			json_object_object_add(
				e, "type",
				json_object_new_string(
					pk_uv_type_name(l[i].type, tname)));
			json_object_object_add(
				e, "length",
				json_object_new_int((int)l[i].len));
			pk_hex_encode(l[i].id, PK_UV_ID_SIZE, id);
			json_object_object_add(e, "id",
					       json_object_new_string(id));
			json_object_array_add(arr, e);
		}
		json_object_object_add(o, "secrets", arr);
		cli_json_print(o);
	} else if (!ret) {
		/* pvsecret list's human format (pv_core SecretList) */
		printf("Total number of secrets: %u\n", total);
		if (n)
			printf("\n");
		for (i = 0; i < n; i++) {
			pk_uv_id_str(l[i].id, id, sizeof(id));
			printf("%u %s:\n %s\n", l[i].index,
			       pk_uv_type_name(l[i].type, tname), id);
		}
	}
	free(l);
	return ret;
}

/*
 * pvsecret add's check: an ID already stored is refused (-EEXIST) unless
 * --force; the Ultravisor itself would store it twice.
 */
static int id_unused(struct cli *cli, struct pk_nl *nl, const uint8_t *id)
{
	char hex[2 * PK_UV_ID_SIZE + 1];
	struct pk_uv_entry *l = NULL;
	unsigned int i, n, total;
	int ret;

	ret = list_all(cli, nl, &l, &n, &total);
	for (i = 0; !ret && i < n; i++) {
		if (memcmp(l[i].id, id, PK_UV_ID_SIZE))
			continue;
		pk_hex_encode(id, PK_UV_ID_SIZE, hex);
		ret = pk_err_set(&cli->err, -EEXIST,
				 "secret 0x%s is stored (index %u); --force "
				 "adds it again",
				 hex, l[i].index);
	}
	free(l);
	return ret;
}

static int do_secret_add(struct cli *cli, struct pk_nl *nl, int argc,
			 char **argv, bool force)
{
	char tname[PK_UV_TYPE_NAME_MAX], hex[2 * PK_UV_ID_SIZE + 1];
	uint8_t *req, id[PK_UV_ID_SIZE];
	uint32_t idx;
	uint16_t type;
	size_t len;
	int i, ret = 0;

	for (i = 0; i < argc && !ret; i++) {
		ret = pk_read_file(AT_FDCWD, argv[i],
				   PROTKEY_EMU_UV_REQ_MAX_SIZE, &req, &len,
				   &cli->err);
		if (ret)
			break;
		ret = pk_uv_request_check(req, len, &type, id, &cli->err);
		ret = ret ?: (force ? 0 : id_unused(cli, nl, id));
		ret = ret   ?:
			      pk_emu_uv_add(nl, req, len, force, &idx,
					    &cli->err);
		free(req);
		if (ret) {
			/* say which file, keep the reason */
			char why[sizeof(cli->err.msg)];

			snprintf(why, sizeof(why), "%s", cli->err.msg);
			snprintf(cli->err.msg, sizeof(cli->err.msg),
				 "%s: %.400s", argv[i], why);
			break;
		}
		pk_hex_encode(id, PK_UV_ID_SIZE, hex);
		if (!cli->json)
			printf("%s: added as secret %u (%s, 0x%s)\n", argv[i],
			       idx, pk_uv_type_name(type, tname), hex);
	}
	return ret;
}

/* secret add [--force] REQUEST... | secret list | secret lock */
static int cmd_secret(struct cli *cli, int argc, char **argv)
{
	bool force = false;
	int first = 2;

	if (argc >= 2 && !strcmp(argv[1], "list") && argc == 2)
		return WITH_EMU(cli, do_secret_list(cli, nl));
	if (argc == 2 && !strcmp(argv[1], "lock"))
		return WITH_EMU(cli, pk_emu_uv_lock(nl, &cli->err));
	if (argc >= 3 && !strcmp(argv[1], "add")) {
		if (!strcmp(argv[2], "--force")) {
			force = true;
			first = 3;
		}
		if (first < argc)
			return WITH_EMU(cli,
					do_secret_add(cli, nl, argc - first,
						      argv + first, force));
	}
	return cli_usage("se", "secret",
			 "add [--force] REQUEST... | list | lock");
}

/* clang-format off */
const struct command se_commands[] = {
	{ "secret", cmd_secret, "add [--force] REQUEST... | list | lock",
	  "the Ultravisor's secret store: add requests (pvsecret add), list "
	  "it, lock it" },
	{ NULL, NULL, NULL, NULL },
};
/* clang-format on */
