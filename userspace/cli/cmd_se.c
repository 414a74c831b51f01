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
#include <getopt.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/stat.h>

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

/*
 * The emulator's cards: all CEX8 (the only generation pvapconfig takes
 * for EP11), serial number "PKEMU" and the card number in 11 digits (the
 * emulator's choice: it keeps no serial numbers).
 */
#define EMU_CARD_GEN 8

static void emu_serial(uint32_t apqn, char buf[17])
{
	snprintf(buf, 17, "PKEMU%011u", PROTKEY_EMU_APQN_CARD(apqn) & 0xff);
}

struct pk_uv_entry;
static int list_all(struct cli *cli, struct pk_nl *nl, struct pk_uv_entry **out,
		    unsigned int *n, unsigned int *total);

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

	pk_apqn_format(ad->apqn, buf);
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
	emu_serial(ad->apqn, buf);
	json_object_object_add(o, "serialnr", json_object_new_string(buf));
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
			pk_apqn_format(st->ad[k].apqn, apqn);
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
	if (cli_plain_args(argc, argv) || argc != 1)
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
	pk_apqn_format(apqn, buf);
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

	pk_apqn_format(apqn, buf);
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

	pk_apqn_format(a->apqn, buf);
	if (a->op == 2) {
		ret = pk_emu_se_associate(nl, a->apqn, a->idx, &cli->err);
		if (!ret && a->wait_ms)
			ret = assoc_wait(cli, nl, a->apqn, a->wait_ms);
		if (!ret)
			cli_result(cli, "%s: %s secret index %u", buf,
				   a->wait_ms ? "associated with" :
						"association requested with",
				   a->idx);
		return ret;
	}
	ret = pk_emu_se_bind(nl, a->apqn, a->op, &cli->err);
	if (!ret)
		cli_result(cli, "%s: %s", buf, a->op ? "bound" : "unbound");
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
	static const struct option assoc_opts[] = {
		{ "timeout", required_argument, NULL, 't' },
		{ "no-wait", no_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	struct apqn_op a = { .op = 2, .wait_ms = 30000 };
	bool no_wait = false, timeout_given = false;
	unsigned long idx;
	int c;

	optind = 0;
	while ((c = cli_getopt(argc, argv, "", assoc_opts)) != -1) {
		if (c == 'n' && !timeout_given) {
			a.wait_ms = 0;
			no_wait = true;
		} else if (c == 't' && !no_wait &&
			   !pk_parse_uint(optarg, 600000, &a.wait_ms) &&
			   a.wait_ms) {
			timeout_given = true;
		} else {
			/* a bad --timeout is named; both given is the text's */
			if (c == 't' && !no_wait)
				cli_opt_bad(false);
			return cli_usage(
				"apqn", "associate",
				"--timeout MS (1..600000) or --no-wait");
		}
	}
	if (argc - optind != 2 || pk_apqn_parse(argv[optind], &a.apqn) ||
	    pk_parse_uint(argv[optind + 1], 0xffff, &idx))
		return cli_usage("apqn", "associate",
				 "APQN (CC.DDDD) and a secret index 0..65535");
	a.idx = (uint32_t)idx;
	return WITH_EMU(cli, do_apqn_op(cli, nl, &a));
}

#define APQN_SETUP_LOCK "/run/lock/pvapconfig.lock"
#define APQN_SETUP_CONFIG "/etc/pvapconfig.yaml"

struct setup {
	const char *config;
	bool dry, strict, unbind;
	unsigned long timeout_ms;
	struct pk_emu_state *st;
	struct pk_apconf_entry *c;
	size_t n_c;
	struct pk_uv_entry *sec;
	unsigned int n_sec;
};

static bool is_bound(const struct pk_emu_adapter *ad)
{
	return ad->has_bs && ad->bs <= PROTKEY_EMU_SE_BS_USABLE_NO_SECURE_KEY;
}

/* pvapconfig's config_and_apqn_match() on the emulator's queues. */
static bool entry_matches(const struct pk_apconf_entry *c,
			  const struct pk_emu_adapter *ad)
{
	char mk[33], serial[17];

	if (c->mingen[0] && EMU_CARD_GEN < c->mingen[3] - '0')
		return false;
	if (c->mode == PK_APCONF_ACCEL)
		return ad->mode == PROTKEY_EMU_MODE_ACCEL;
	if (ad->mode != PROTKEY_EMU_MODE_EP11 || !ad->has_wkvp)
		return false;
	emu_serial(ad->apqn, serial);
	if (c->serialnr[0] && strcmp(c->serialnr, serial))
		return false;
	pk_hex_encode(ad->wkvp, 16, mk);
	return !strcmp(mk, c->mkvp);
}

/* The association secret of @c's ID in the UV store, or NULL. */
static const struct pk_uv_entry *assoc_secret(const struct setup *s,
					      const struct pk_apconf_entry *c)
{
	char hex[2 * PK_UV_ID_SIZE + 1];
	unsigned int i;

	for (i = 0; i < s->n_sec; i++) {
		pk_hex_encode(s->sec[i].id, PK_UV_ID_SIZE, hex);
		if (s->sec[i].type == PROTKEY_EMU_UV_SECRET_ASSOCIATION &&
		    !strcmp(hex, c->secretid))
			return &s->sec[i];
	}
	return NULL;
}

/*
 * @ad satisfies @c already: it matches, and it is bound (Accel) or
 * associated with @c's association secret (EP11).
 */
static bool satisfies(const struct setup *s, const struct pk_apconf_entry *c,
		      const struct pk_emu_adapter *ad)
{
	const struct pk_uv_entry *se;

	if (!entry_matches(c, ad))
		return false;
	if (c->mode == PK_APCONF_ACCEL)
		return is_bound(ad);
	if (ad->bs != PROTKEY_EMU_SE_BS_USABLE || !ad->has_assoc_idx)
		return false;
	se = assoc_secret(s, c);
	return se && se->index == ad->assoc_idx;
}

/* Two EP11 queues of one card with one master key: pvapconfig refuses. */
static int mk_restriction(struct cli *cli, const struct pk_emu_state *st)
{
	const struct pk_emu_adapter *a, *b;
	char x[8], y[8];
	int i, j;

	for (i = 0; i < st->n; i++) {
		for (j = 0; j < st->n; j++) {
			a = &st->ad[i];
			b = &st->ad[j];
			if (PROTKEY_EMU_APQN_CARD(a->apqn) !=
				    PROTKEY_EMU_APQN_CARD(b->apqn) ||
			    PROTKEY_EMU_APQN_DOMAIN(a->apqn) >=
				    PROTKEY_EMU_APQN_DOMAIN(b->apqn) ||
			    a->mode != PROTKEY_EMU_MODE_EP11 ||
			    b->mode != PROTKEY_EMU_MODE_EP11 || !a->has_wkvp ||
			    !b->has_wkvp || memcmp(a->wkvp, b->wkvp, 16))
				continue;
			pk_apqn_format(a->apqn, x);
			pk_apqn_format(b->apqn, y);
			return pk_err_platform(&cli->err, -EINVAL,
					       "APQN %s and APQN %s have the "
					       "same MKVP",
					       x, y);
		}
	}
	return 0;
}

static void entry_str(const struct pk_apconf_entry *c, size_t i, char *buf,
		      size_t len)
{
	if (c->name[0])
		snprintf(buf, len, "#%zu '%.64s'", i + 1, c->name);
	else
		snprintf(buf, len, "#%zu", i + 1);
}

/* pvapconfig's do_ap_config(): the entries applied, or -errno. */
static int setup_apply(struct cli *cli, struct pk_nl *nl, struct setup *s)
{
	const struct pk_emu_state *st = s->st;
	bool c_done[4096] = { false }, a_done[PK_EMU_MAX_ADAPTERS] = { false };
	const struct pk_uv_entry *se;
	const struct pk_emu_adapter *ad;
	char a[8], what[80];
	const char *pre = s->dry ? "would " : "";
	size_t ci;
	int ai, ret, applied = 0;

	/* entries some queue satisfies already */
	for (ci = 0; ci < s->n_c; ci++) {
		for (ai = 0; ai < st->n; ai++) {
			ad = &st->ad[ai];
			if (a_done[ai] || !satisfies(s, &s->c[ci], ad))
				continue;
			pk_apqn_format(ad->apqn, a);
			entry_str(&s->c[ci], ci, what, sizeof(what));
			if (!cli->json)
				printf("APQN %s already satisfies AP config "
				       "entry %s\n",
				       a, what);
			c_done[ci] = a_done[ai] = true;
			applied++;
			break;
		}
	}
	/* unbind the bound queues no entry wants */
	for (ai = 0; ai < st->n; ai++) {
		ad = &st->ad[ai];
		if (a_done[ai] || !is_bound(ad))
			continue;
		pk_apqn_format(ad->apqn, a);
		if (!cli->json)
			printf("%sunbind APQN %s: it matches no AP config "
			       "entry\n",
			       pre, a);
		if (!s->dry) {
			ret = pk_emu_se_bind(nl, ad->apqn, false, &cli->err);
			if (ret)
				return ret;
		}
	}
	/* bind (and associate) a queue for each entry left */
	for (ci = 0; ci < s->n_c; ci++) {
		if (c_done[ci])
			continue;
		entry_str(&s->c[ci], ci, what, sizeof(what));
		for (ai = 0; ai < st->n; ai++) {
			ad = &st->ad[ai];
			if (a_done[ai] || !entry_matches(&s->c[ci], ad))
				continue;
			se = NULL;
			if (s->c[ci].mode == PK_APCONF_EP11) {
				se = assoc_secret(s, &s->c[ci]);
				if (!se) {
					cli_warn("secret id %s of AP config "
						 "entry %s is not in the UV's "
						 "secrets",
						 s->c[ci].secretid, what);
					break;
				}
			}
			pk_apqn_format(ad->apqn, a);
			if (!cli->json && se)
				printf("%sbind APQN %s and associate it with "
				       "secret index %u for AP config entry "
				       "%s\n",
				       pre, a, se->index, what);
			else if (!cli->json)
				printf("%sbind APQN %s for AP config entry "
				       "%s\n",
				       pre, a, what);
			if (!s->dry) {
				ret = pk_emu_se_bind(nl, ad->apqn, true,
						     &cli->err);
				if (ret) {
					struct pk_err ignored = { 0 };

					pk_emu_se_bind(nl, ad->apqn, false,
						       &ignored);
					return ret;
				}
				ret = se ? pk_emu_se_associate(nl, ad->apqn,
							       se->index,
							       &cli->err) :
					   0;
				ret = ret	 ?:
					      se ? assoc_wait(cli, nl, ad->apqn,
							      s->timeout_ms) :
						   0;
				if (ret)
					return ret;
			}
			c_done[ci] = a_done[ai] = true;
			applied++;
			break;
		}
	}
	return applied;
}

static int do_setup(struct cli *cli, struct pk_nl *nl, struct setup *s)
{
	uint8_t *text = NULL;
	unsigned int total;
	size_t len = 0, i;
	int ret, applied;
	bool ep11 = false;

	ret = get_state(cli, nl, &s->st);
	if (ret)
		return ret;
	if (!s->st->se_guest)
		return pk_err_platform(&cli->err, -ENODEV,
				       "this is not an SE guest");
	if (!s->unbind) {
		ret = pk_read_file(AT_FDCWD, s->config, 1 << 20, &text, &len,
				   &cli->err);
		ret = ret   ?:
			      pk_apconf_parse((char *)text, len, &s->c, &s->n_c,
					      &cli->err);
		free(text);
		if (ret)
			return ret;
		if (!s->n_c) {
			if (!cli->json)
				printf("No AP config entries in %s: nothing "
				       "to do.\n",
				       s->config);
			return 0;
		}
		ret = list_all(cli, nl, &s->sec, &s->n_sec, &total);
		if (ret)
			return ret;
		for (i = 0; i < s->n_c; i++)
			ep11 |= s->c[i].mode == PK_APCONF_EP11;
		if (ep11 && !s->n_sec)
			cli_warn("no UV secrets, but an AP config entry needs "
				 "one");
	}
	ret = mk_restriction(cli, s->st);
	if (ret)
		return ret;
	applied = setup_apply(cli, nl, s);
	if (applied < 0)
		return applied;
	if (!s->unbind && !applied)
		return pk_err_platform(&cli->err, -ENODEV,
				       "none of the %zu AP config entries "
				       "could be applied",
				       s->n_c);
	if (s->strict && (size_t)applied != s->n_c)
		return pk_err_platform(&cli->err, -ENODEV,
				       "--strict: %d of the %zu AP config "
				       "entries applied",
				       applied, s->n_c);
	if (!s->unbind && !cli->json)
		printf("%s %d of %zu AP config entries\n",
		       s->dry ? "would apply" : "applied", applied, s->n_c);
	return 0;
}

/*
 * pvapconfig's lock file: created exclusively with the PID in it, removed
 * at the end; while it exists another pvapconfig or apqn setup runs.
 */
static int setup_lock(struct cli *cli)
{
	char pid[16];
	int fd, n;

	if (mkdir("/run/lock", 0755) && errno != EEXIST)
		return pk_err_set(&cli->err, -errno, "cannot create /run/lock");
	fd = open(APQN_SETUP_LOCK, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
		  0644);
	if (fd < 0 && errno == EEXIST)
		return pk_err_set(&cli->err, -EBUSY,
				  "%s exists: pvapconfig or apqn setup runs",
				  APQN_SETUP_LOCK);
	if (fd < 0)
		return pk_err_set(&cli->err, -errno, "cannot create %s",
				  APQN_SETUP_LOCK);
	n = snprintf(pid, sizeof(pid), "%d", (int)getpid());
	if (write(fd, pid, (size_t)n) != n)
		cli_warn("cannot write the PID into %s", APQN_SETUP_LOCK);
	close(fd);
	return 0;
}

/* A refused option of apqn setup or se boot-setup, named. */
static int setup_opt_bad(const char *cmd)
{
	cli_opt_bad(false);
	return cli_usage(strcmp(cmd, "setup") ? "se" : "apqn", cmd,
			 "bad arguments");
}

/*
 * apqn setup [--config FILE] [--dry-run] [--strict] [--unbind]
 *	[--timeout MS]
 */
static int cmd_apqn_setup(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "strict", no_argument, NULL, 's' },
		{ "unbind", no_argument, NULL, 'u' },
		{ "timeout", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	struct setup s = { .config = APQN_SETUP_CONFIG, .timeout_ms = 30000 };
	int c, ret;

	optind = 0;
	while ((c = cli_getopt(argc, argv, "", opts)) != -1) {
		if (c == 'c')
			s.config = optarg;
		else if (c == 'n')
			s.dry = true;
		else if (c == 's')
			s.strict = true;
		else if (c == 'u')
			s.unbind = true;
		else if (c != 't' ||
			 pk_parse_uint(optarg, 600000, &s.timeout_ms) ||
			 !s.timeout_ms)
			return setup_opt_bad("setup");
	}
	if (optind != argc)
		return cli_usage("apqn", "setup", "bad argument '%s'",
				 argv[optind]);
	if (s.unbind &&
	    (s.strict || s.config != (const char *)APQN_SETUP_CONFIG))
		return cli_usage("apqn", "setup",
				 "--unbind takes no --config or --strict");
	ret = setup_lock(cli);
	if (ret)
		return cli_fail(cli, ret);
	ret = WITH_EMU(cli, do_setup(cli, nl, &s));
	unlink(APQN_SETUP_LOCK);
	free(s.st);
	free(s.c);
	free(s.sec);
	return ret;
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
	{ "setup", cmd_apqn_setup,
	  "[--config FILE] [--dry-run] [--strict] [--unbind] [--timeout MS]",
	  "bind and associate queues as a pvapconfig file says (default "
	  APQN_SETUP_CONFIG ")" },
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

/**
 * cli_uv_find() - look a secret up in the Ultravisor's store by its ID
 * @cli: for the error
 * @id: the secret ID
 * @e: receives its entry (index, type, length)
 *
 * Context: sleeps (netlink).
 * Return: 0, -ENOENT when no stored secret has @id (@cli->err not set),
 * or another negative error with @cli->err set (-EPROTONOSUPPORT: no
 * emulated platform; -ENODEV-like errors: no Ultravisor).
 */
int cli_uv_find(struct cli *cli, const uint8_t id[PK_UV_ID_SIZE],
		struct pk_uv_entry *e)
{
	struct pk_uv_entry *l = NULL;
	unsigned int i, n = 0, total = 0;
	struct pk_nl *nl;
	int ret;

	ret = cli_emu_open(cli, &nl);
	if (ret)
		return ret;
	ret = list_all(cli, nl, &l, &n, &total);
	pk_nl_close(nl);
	if (ret)
		return ret;
	ret = -ENOENT;
	for (i = 0; i < n; i++) {
		if (!memcmp(l[i].id, id, PK_UV_ID_SIZE)) {
			*e = l[i];
			ret = 0;
			break;
		}
	}
	free(l);
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

#define BOOT_SETUP_DIR "/etc/protkey/se"

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The add-secret requests of @dir: its *.bin and *.req files, sorted. */
static int boot_requests(struct cli *cli, const char *dir, char ***out,
			 size_t *n)
{
	char **names = NULL, **grown;
	struct dirent *d;
	size_t len;
	DIR *dp;

	*n = 0;
	dp = opendir(dir);
	if (!dp)
		return pk_err_set(&cli->err, -errno, "cannot read %s", dir);
	while ((d = readdir(dp))) {
		len = strlen(d->d_name);
		if (d->d_name[0] == '.' || len < 5 ||
		    (strcmp(d->d_name + len - 4, ".bin") &&
		     strcmp(d->d_name + len - 4, ".req")))
			continue;
		grown = realloc(names, (*n + 1) * sizeof(*names));
		if (!grown)
			break;
		names = grown;
		if (asprintf(&names[*n], "%s/%s", dir, d->d_name) < 0)
			break;
		(*n)++;
	}
	closedir(dp);
	qsort(names, *n, sizeof(*names), name_cmp);
	*out = names;
	return 0;
}

/*
 * One stored request: added, or already in the store (the UV keeps its
 * secrets until the guest reboots, so a second run adds nothing). Return:
 * 1 added or present, 0 failed (the message printed).
 */
static int boot_add_one(struct cli *cli, struct pk_nl *nl, const char *path)
{
	char hex[2 * PK_UV_ID_SIZE + 1];
	uint8_t *req, id[PK_UV_ID_SIZE];
	uint32_t idx;
	uint16_t type;
	size_t len;
	int ret;

	ret = pk_read_file(AT_FDCWD, path, PROTKEY_EMU_UV_REQ_MAX_SIZE, &req,
			   &len, &cli->err);
	if (ret) {
		fprintf(stderr, "protkey-se-setup: secret request %s: %s\n",
			path, cli->err.msg);
		return 0;
	}
	ret = pk_uv_request_check(req, len, &type, id, &cli->err);
	pk_hex_encode(id, PK_UV_ID_SIZE, hex);
	ret = ret ?: id_unused(cli, nl, id);
	if (ret == -EEXIST) {
		printf("protkey-se-setup: secret 0x%s (%s) is in the Ultravisor's store already\n",
		       hex, path);
		free(req);
		return 1;
	}
	ret = ret ?: pk_emu_uv_add(nl, req, len, false, &idx, &cli->err);
	free(req);
	if (ret) {
		fprintf(stderr,
			"protkey-se-setup: secret request %s: not added: %s\n",
			path, cli->err.msg);
		return 0;
	}
	printf("protkey-se-setup: secret 0x%s added as index %u (%s)\n", hex,
	       idx, path);
	return 1;
}

/*
 * Every association secret the configuration names must be in the
 * Ultravisor's store: one message per missing one. Return: how many.
 */
static int boot_check_secrets(struct cli *cli, struct pk_nl *nl,
			      const struct setup *s)
{
	struct pk_uv_entry *l = NULL;
	unsigned int j, n = 0, total = 0;
	char hex[2 * PK_UV_ID_SIZE + 1];
	int bad = 0;
	size_t i;

	if (!s->n_c)
		return 0;
	if (list_all(cli, nl, &l, &n, &total)) {
		fprintf(stderr, "protkey-se-setup: %s\n", cli->err.msg);
		return 1;
	}
	for (i = 0; i < s->n_c; i++) {
		const struct pk_apconf_entry *c = &s->c[i];
		bool found = false;

		if (c->mode != PK_APCONF_EP11 || !c->secretid[0])
			continue;
		for (j = 0; j < n && !found; j++) {
			pk_hex_encode(l[j].id, PK_UV_ID_SIZE, hex);
			found = !strcmp(hex, c->secretid);
		}
		if (!found) {
			fprintf(stderr,
				"protkey-se-setup: association secret %s%s%s0x%s is not in the Ultravisor's store: its add-secret request is missing or was refused\n",
				c->name[0] ? "'" : "", c->name,
				c->name[0] ? "' " : "", c->secretid);
			bad++;
		}
	}
	free(l);
	return bad;
}

/*
 * The queues the configuration binds must end up associated: one message
 * per bound queue that is not usable for secure keys. Return: how many.
 */
static int boot_check_queues(struct cli *cli, struct pk_nl *nl)
{
	struct pk_emu_state *st = NULL;
	char q[PK_APQN_STR_MAX];
	int i, bad = 0;

	if (get_state(cli, nl, &st)) {
		fprintf(stderr, "protkey-se-setup: %s\n", cli->err.msg);
		return 1;
	}
	for (i = 0; i < st->n; i++) {
		const struct pk_emu_adapter *ad = &st->ad[i];

		if (ad->mode != PROTKEY_EMU_MODE_EP11 || !ad->has_bs ||
		    ad->bs == PROTKEY_EMU_SE_BS_USABLE ||
		    ad->bs == PROTKEY_EMU_SE_BS_AVAIL_FOR_BINDING)
			continue;
		pk_apqn_format(ad->apqn, q);
		fprintf(stderr,
			"protkey-se-setup: queue %s not associated (%s, %s): its volumes stay closed\n",
			q, ad->bind_text, ad->assoc_text);
		bad++;
	}
	free(st);
	return bad;
}

/*
 * se boot-setup [--dir DIR] [--config FILE] [--timeout MS]: what
 * protkey-se-setup.service runs before cryptsetup-pre.target after every
 * boot of an SE guest (the Ultravisor's store is empty then): re-add the
 * stored add-secret requests, apqn setup from the pvapconfig file, then
 * check the queues. Every step is bounded (apqn setup's --timeout for
 * the associations); a failure is one line per missing secret or queue
 * on stderr and exit status 4, and nothing waits beyond the bound.
 */
static const struct option boot_opts[] = {
	{ "dir", required_argument, NULL, 'd' },
	{ "config", required_argument, NULL, 'c' },
	{ "timeout", required_argument, NULL, 't' },
	{ NULL, 0, NULL, 0 },
};

static int cmd_boot_setup(struct cli *cli, int argc, char **argv)
{
	struct setup s = { .config = APQN_SETUP_CONFIG, .timeout_ms = 30000 };
	const char *dir = BOOT_SETUP_DIR;
	unsigned int added = 0, failed = 0;
	char **reqs = NULL;
	struct pk_nl *nl;
	struct stat sb;
	size_t n = 0, k;
	int c, ret;

	optind = 0;
	while ((c = cli_getopt(argc, argv, "", boot_opts)) != -1) {
		if (c == 'd')
			dir = optarg;
		else if (c == 'c')
			s.config = optarg;
		else if (c != 't' ||
			 pk_parse_uint(optarg, 600000, &s.timeout_ms) ||
			 !s.timeout_ms)
			return setup_opt_bad("boot-setup");
	}
	if (optind != argc)
		return cli_usage("se", "boot-setup", "bad argument '%s'",
				 argv[optind]);
	ret = cli_emu_open(cli, &nl);
	if (ret) {
		fprintf(stderr, "protkey-se-setup: %s\n", cli->err.msg);
		return cli_fail(cli, ret);
	}
	ret = boot_requests(cli, dir, &reqs, &n);
	if (ret) {
		fprintf(stderr, "protkey-se-setup: %s\n", cli->err.msg);
		failed++;
	}
	for (k = 0; k < n; k++) {
		if (boot_add_one(cli, nl, reqs[k]))
			added++;
		else
			failed++;
		free(reqs[k]);
	}
	free(reqs);
	if (stat(s.config, &sb)) {
		printf("protkey-se-setup: no %s: no AP queues to set up\n",
		       s.config);
	} else if (setup_lock(cli)) {
		fprintf(stderr, "protkey-se-setup: apqn setup: %s\n",
			cli->err.msg);
		failed++;
	} else {
		ret = do_setup(cli, nl, &s);
		unlink(APQN_SETUP_LOCK);
		if (ret) {
			fprintf(stderr, "protkey-se-setup: apqn setup: %s\n",
				cli->err.msg);
			failed++;
		}
	}
	failed += (unsigned int)boot_check_secrets(cli, nl, &s);
	failed += (unsigned int)boot_check_queues(cli, nl);
	pk_nl_close(nl);
	free(s.st);
	free(s.c);
	free(s.sec);
	printf("protkey-se-setup: %u secret(s) in place, %u problem(s)%s\n",
	       added, failed,
	       failed ? ": the volumes that need them stay closed" : "");
	return failed ? PK_EXIT_PLATFORM : PK_EXIT_OK;
}

/* clang-format off */
const struct command se_commands[] = {
	{ "secret", cmd_secret, "add [--force] REQUEST... | list | lock",
	  "the Ultravisor's secret store: add requests (pvsecret add), list "
	  "it, lock it" },
	{ "boot-setup", cmd_boot_setup,
	  "[--dir DIR] [--config FILE] [--timeout MS]",
	  "after boot: re-add the requests of DIR (" BOOT_SETUP_DIR "), "
	  "apqn setup, check the queues; bounded, one message per problem" },
	{ NULL, NULL, NULL, NULL },
};
/* clang-format on */
