// SPDX-License-Identifier: GPL-2.0-only
/*
 * protkeyctl emu: drive the emulated platform (protkey_emu.ko) for demos
 * and tests: state, master-key steps, migration, adapters, derive
 * latency, busy answers. EMULATION ONLY: mk-load hands a clear master key
 * to the emulator, which keeps it in kernel memory.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <unistd.h>

#include <linux/protkey_emu.h>

#include "cli.h"

#define GROUP "emu"

static const char *const counter_names[] = {
	[PROTKEY_EMU_CNT_A_DERIVES] = "derives",
	[PROTKEY_EMU_CNT_A_DERIVE_ERRORS] = "derive-errors",
	[PROTKEY_EMU_CNT_A_KM_CALLS] = "km-calls",
	[PROTKEY_EMU_CNT_A_KM_SHORT] = "km-short",
	[PROTKEY_EMU_CNT_A_PCC_CALLS] = "pcc-calls",
	[PROTKEY_EMU_CNT_A_PCC_STALE] = "pcc-stale",
	[PROTKEY_EMU_CNT_A_MIGRATIONS] = "migrations",
	[PROTKEY_EMU_CNT_A_KEYS_GENERATED] = "keys-generated",
	[PROTKEY_EMU_CNT_A_REENCIPHERS] = "reenciphers",
	[PROTKEY_EMU_CNT_A_KM_PARTIAL] = "km-partial",
	[PROTKEY_EMU_CNT_A_KM_BAD_LEN] = "km-bad-len",
	[PROTKEY_EMU_CNT_A_DERIVE_BUSY] = "derive-busy",
	[PROTKEY_EMU_CNT_A_APQN_QUERIES] = "apqn-queries",
	[PROTKEY_EMU_CNT_A_DERIVE_COST_US] = "derive-cost-us",
};

#define N_COUNTERS (sizeof(counter_names) / sizeof(counter_names[0]))

static const char *const reg_names[] = { "new", "current", "old" };

/* Runs @fn with a connection to protkey_emu; maps errors. */
static int with_emu(struct cli *cli,
		    int (*fn)(struct cli *cli, struct pk_nl *nl, void *arg),
		    void *arg)
{
	struct pk_nl *nl;
	int ret;

	ret = cli_emu_open(cli, &nl);
	if (ret)
		return cli_fail(cli, ret);
	ret = fn(cli, nl, arg);
	pk_nl_close(nl);
	return ret ? cli_fail(cli, ret) : PK_EXIT_OK;
}

static struct json_object *state_json(const struct pk_emu_state *st)
{
	struct json_object *o = json_object_new_object(), *arr, *a, *c;
	char buf[17];
	size_t i;
	int r, k;

	json_object_object_add(o, "wk-generation",
			       json_object_new_int64((int64_t)st->wk_gen));
	c = json_object_new_object();
	for (i = 1; i < N_COUNTERS; i++)
		json_object_object_add(
			c, counter_names[i],
			json_object_new_int64((int64_t)st->cnt[i]));
	json_object_object_add(o, "counters", c);
	arr = json_object_new_array();
	for (k = 0; k < st->n; k++) {
		a = json_object_new_object();
		pk_apqn_format(st->ad[k].apqn, buf);
		json_object_object_add(a, "apqn", json_object_new_string(buf));
		json_object_object_add(
			a, "online", json_object_new_boolean(st->ad[k].online));
		for (r = 0; r < 3; r++) {
			if (!(st->ad[k].has & (1u << r)))
				continue;
			snprintf(buf, sizeof(buf), "%016" PRIx64,
				 st->ad[k].mkvp[r]);
			json_object_object_add(a, reg_names[r],
					       json_object_new_string(buf));
		}
		json_object_array_add(arr, a);
	}
	json_object_object_add(o, "adapters", arr);
	return o;
}

static void state_print(const struct pk_emu_state *st)
{
	char apqn[8], mk[3][17];
	size_t i;
	int r, k;

	printf("EMULATED platform (protkey_emu): not secure\n");
	printf("wrapping-key generation: %" PRIu64 "\n", st->wk_gen);
	printf("%-8s %-7s %-16s %-16s %-16s\n", "APQN", "ONLINE", "NEW",
	       "CURRENT", "OLD");
	for (k = 0; k < st->n; k++) {
		pk_apqn_format(st->ad[k].apqn, apqn);
		for (r = 0; r < 3; r++) {
			if (st->ad[k].has & (1u << r))
				snprintf(mk[r], sizeof(mk[r]), "%016" PRIx64,
					 st->ad[k].mkvp[r]);
			else
				strcpy(mk[r], "-");
		}
		printf("%-8s %-7s %-16s %-16s %-16s\n", apqn,
		       st->ad[k].online ? "yes" : "no", mk[0], mk[1], mk[2]);
	}
	for (i = 1; i < N_COUNTERS; i++)
		printf("%s: %" PRIu64 "\n", counter_names[i], st->cnt[i]);
}

static int do_state(struct cli *cli, struct pk_nl *nl, void *arg)
{
	struct pk_emu_state *st;
	int ret;

	(void)arg;
	st = calloc(1, sizeof(*st));
	if (!st)
		return pk_err_set(&cli->err, -ENOMEM, "state");
	ret = pk_emu_get_state(nl, st, &cli->err);
	if (!ret && cli->json)
		cli_json_print(state_json(st));
	else if (!ret)
		state_print(st);
	free(st);
	return ret;
}

static int cmd_state(struct cli *cli, int argc, char **argv)
{
	(void)argv;
	if (cli_plain_args(argc, argv) || argc != 1)
		return cli_usage(GROUP, "state", "no arguments expected");
	return with_emu(cli, do_state, NULL);
}

/* Optional "--apqn CC.DDDD"; -1 means every adapter. */
struct apqn_arg {
	int64_t apqn;
	int rest; /* index of the first other argument */
};

static int parse_apqn(int argc, char **argv, struct apqn_arg *a)
{
	static const struct option opts[] = {
		{ "apqn", required_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	uint32_t v;
	int c;

	a->apqn = -1;
	optind = 0;
	/* options anywhere: getopt moves the operands to the end */
	while ((c = cli_getopt(argc, argv, "", opts)) != -1) {
		if (c != 'a')
			return -1;
		if (pk_apqn_parse(optarg, &v))
			return cli_opt_bad(false);
		a->apqn = v;
	}
	a->rest = optind;
	return 0;
}

struct mk_load_arg {
	int64_t apqn;
	uint8_t mk[PROTKEY_EMU_MK_SIZE];
};

static int do_mk_load(struct cli *cli, struct pk_nl *nl, void *arg)
{
	struct mk_load_arg *a = arg;
	int ret;

	ret = pk_emu_mk_load(nl, a->apqn, a->mk, &cli->err);
	if (!ret)
		cli_result(cli, "master key loaded into NEW (EMULATED)");
	return ret;
}

/* mk-load [--apqn A] HEX|@FILE: 32 bytes, hex or a binary file. */
static int cmd_mk_load(struct cli *cli, int argc, char **argv)
{
	struct mk_load_arg a;
	struct apqn_arg ap;
	uint8_t *buf = NULL;
	size_t len = 0;
	int ret;

	if (parse_apqn(argc, argv, &ap) || ap.rest != argc - 1)
		return cli_usage(GROUP, "mk-load", "bad arguments");
	a.apqn = ap.apqn;
	if (argv[ap.rest][0] == '@') {
		ret = pk_read_file(AT_FDCWD, argv[ap.rest] + 1, 64, &buf, &len,
				   &cli->err);
		if (!ret && len != PROTKEY_EMU_MK_SIZE)
			ret = pk_err_set(
				&cli->err, -EINVAL,
				"master key file: %zu bytes, expected %d", len,
				PROTKEY_EMU_MK_SIZE);
		if (!ret)
			memcpy(a.mk, buf, sizeof(a.mk));
		pk_wipe_free(buf, len);
		if (ret)
			return cli_fail(cli, ret);
	} else if (pk_hex_decode(argv[ap.rest], a.mk, sizeof(a.mk))) {
		return cli_usage(GROUP, "mk-load",
				 "master key: 64 hex digits or @FILE");
	}
	ret = with_emu(cli, do_mk_load, &a);
	explicit_bzero(&a, sizeof(a));
	return ret;
}

static int do_mk_set(struct cli *cli, struct pk_nl *nl, void *arg)
{
	int ret = pk_emu_mk_set(nl, *(int64_t *)arg, &cli->err);

	if (!ret)
		cli_result(cli, "master key set: NEW -> CURRENT -> OLD");
	return ret;
}

static int cmd_mk_set(struct cli *cli, int argc, char **argv)
{
	struct apqn_arg ap;

	if (parse_apqn(argc, argv, &ap) || ap.rest != argc)
		return cli_usage(GROUP, "mk-set", "bad arguments");
	return with_emu(cli, do_mk_set, &ap.apqn);
}

static int do_mk_commit(struct cli *cli, struct pk_nl *nl, void *arg)
{
	int ret = pk_emu_mk_commit(nl, *(int64_t *)arg, &cli->err);

	if (!ret)
		cli_result(cli, "new wrapping key committed (EP11)");
	return ret;
}

static int cmd_mk_commit(struct cli *cli, int argc, char **argv)
{
	struct apqn_arg ap;

	if (parse_apqn(argc, argv, &ap) || ap.rest != argc)
		return cli_usage(GROUP, "mk-commit", "bad arguments");
	return with_emu(cli, do_mk_commit, &ap.apqn);
}

struct mk_clear_arg {
	int64_t apqn;
	uint32_t reg;
};

static int do_mk_clear(struct cli *cli, struct pk_nl *nl, void *arg)
{
	struct mk_clear_arg *a = arg;

	return pk_emu_mk_clear(nl, a->apqn, a->reg, &cli->err);
}

static int cmd_mk_clear(struct cli *cli, int argc, char **argv)
{
	struct mk_clear_arg a;
	struct apqn_arg ap;

	if (parse_apqn(argc, argv, &ap) || ap.rest != argc - 1)
		return cli_usage(GROUP, "mk-clear", "bad arguments");
	a.apqn = ap.apqn;
	if (!strcmp(argv[ap.rest], "new"))
		a.reg = PROTKEY_EMU_MK_NEW;
	else if (!strcmp(argv[ap.rest], "old"))
		a.reg = PROTKEY_EMU_MK_OLD;
	else
		return cli_usage(GROUP, "mk-clear", "register: new or old");
	return with_emu(cli, do_mk_clear, &a);
}

static int do_migrate(struct cli *cli, struct pk_nl *nl, void *arg)
{
	uint32_t outage = *(uint32_t *)arg;
	struct json_object *o;
	uint64_t gen;
	int ret;

	ret = pk_emu_migrate(nl, outage, &gen, &cli->err);
	if (ret)
		return ret;
	if (cli->json) {
		o = json_object_new_object();
		json_object_object_add(o, "wk-generation",
				       json_object_new_int64((int64_t)gen));
		json_object_object_add(o, "outage-ms",
				       json_object_new_int64(outage));
		cli_json_print(o);
	} else {
		printf("migrated: wrapping-key generation %" PRIu64
		       ", adapters unusable for %u ms\n",
		       gen, outage);
	}
	return 0;
}

static int cmd_migrate(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "outage", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long ms = 0;
	uint32_t outage;
	int c;

	optind = 0;
	while ((c = cli_getopt(argc, argv, "", opts)) != -1) {
		if (c != 'o')
			return cli_usage(GROUP, "migrate", "bad arguments");
		if (pk_parse_uint(optarg, 600000, &ms)) {
			cli_opt_bad(false);
			return cli_usage(GROUP, "migrate",
					 "--outage: milliseconds, 0..600000");
		}
	}
	if (optind != argc)
		return cli_usage(GROUP, "migrate", "bad arguments");
	outage = (uint32_t)ms;
	return with_emu(cli, do_migrate, &outage);
}

struct adapter_arg {
	int64_t apqn;
	bool online;
	uint32_t mode; /* 0: on/off only */
};

static int do_adapter(struct cli *cli, struct pk_nl *nl, void *arg)
{
	struct adapter_arg *a = arg;

	if (a->mode)
		return pk_emu_adapter_mode(nl, a->apqn, a->mode, &cli->err);
	return pk_emu_adapter_set(nl, a->apqn, a->online, &cli->err);
}

/* adapter on|off [APQN] | adapter mode cca|ep11|accel [APQN] */
static int cmd_adapter(struct cli *cli, int argc, char **argv)
{
	struct adapter_arg a = { .apqn = -1 };
	int rest = 2;
	uint32_t v;

	if (argc >= 3 && !strcmp(argv[1], "mode")) {
		if (!strcasecmp(argv[2], "cca"))
			a.mode = PROTKEY_EMU_MODE_CCA;
		else if (!strcasecmp(argv[2], "ep11"))
			a.mode = PROTKEY_EMU_MODE_EP11;
		else if (!strcasecmp(argv[2], "accel"))
			a.mode = PROTKEY_EMU_MODE_ACCEL;
		else
			return cli_usage(GROUP, "adapter",
					 "mode: cca, ep11 or accel");
		rest = 3;
	} else if (argc < 2 ||
		   (strcmp(argv[1], "on") && strcmp(argv[1], "off"))) {
		return cli_usage(GROUP, "adapter",
				 "on|off [APQN] | mode cca|ep11|accel [APQN]");
	}
	a.online = !strcmp(argv[1], "on");
	if (argc > rest + 1)
		return cli_usage(GROUP, "adapter", "too many arguments");
	if (argc == rest + 1) {
		if (pk_apqn_parse(argv[rest], &v))
			return cli_usage(GROUP, "adapter",
					 "APQN: CC.DDDD in hex");
		a.apqn = v;
	}
	return with_emu(cli, do_adapter, &a);
}

static int do_latency(struct cli *cli, struct pk_nl *nl, void *arg)
{
	const uint32_t *v = arg;

	return pk_emu_set_latency(nl, v[0], v[1], &cli->err);
}

/* latency US [QUERY_US]: base latency, plus QUERY_US per usable APQN */
static int cmd_latency(struct cli *cli, int argc, char **argv)
{
	unsigned long us, query = 0;
	uint32_t v[2];

	if (argc < 2 || argc > 3 || pk_parse_uint(argv[1], 10000000, &us) ||
	    (argc == 3 && pk_parse_uint(argv[2], 1000000, &query)))
		return cli_usage(
			GROUP, "latency",
			"microseconds, 0..10000000 [per APQN, 0..1000000]");
	v[0] = (uint32_t)us;
	v[1] = (uint32_t)query;
	return with_emu(cli, do_latency, v);
}

static int do_busy(struct cli *cli, struct pk_nl *nl, void *arg)
{
	return pk_emu_set_busy(nl, *(uint32_t *)arg, &cli->err);
}

/* busy N: the adapter answers "busy" to the next N derives */
static int cmd_busy(struct cli *cli, int argc, char **argv)
{
	unsigned long n;
	uint32_t v;

	if (argc != 2 || pk_parse_uint(argv[1], UINT32_MAX, &n))
		return cli_usage(GROUP, "busy", "count, 0..4294967295");
	v = (uint32_t)n;
	return with_emu(cli, do_busy, &v);
}

/*
 * The emulated image's key from @path, or, when @path does not exist, a
 * new random one written there (mode 0600). It stands in for what lives
 * off the guest: the SE header and the host-key documents that pvsecret
 * create encrypts for.
 */
static int image_key_file(struct cli *cli, const char *path,
			  uint8_t key[PROTKEY_EMU_IMAGE_KEY_SIZE], bool create)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	int ret;

	ret = pk_read_file(AT_FDCWD, path, 64, &buf, &len, &cli->err);
	if (!ret && len != PROTKEY_EMU_IMAGE_KEY_SIZE)
		ret = pk_err_set(&cli->err, -EINVAL,
				 "image key %s: %zu bytes, expected %d", path,
				 len, PROTKEY_EMU_IMAGE_KEY_SIZE);
	if (!ret)
		memcpy(key, buf, PROTKEY_EMU_IMAGE_KEY_SIZE);
	pk_wipe_free(buf, len);
	if (ret != -ENOENT || !create)
		return ret;
	if (getrandom(key, PROTKEY_EMU_IMAGE_KEY_SIZE, 0) !=
	    PROTKEY_EMU_IMAGE_KEY_SIZE)
		return pk_err_set(&cli->err, -EIO, "getrandom");
	return pk_write_path(path, key, PROTKEY_EMU_IMAGE_KEY_SIZE, &cli->err);
}

struct se_on_arg {
	int guest;
	bool has_key;
	uint8_t key[PROTKEY_EMU_IMAGE_KEY_SIZE];
};

static int do_se_on(struct cli *cli, struct pk_nl *nl, void *arg)
{
	struct se_on_arg *a = arg;
	int ret;

	ret = pk_emu_se_set(nl, a->guest, a->has_key ? a->key : NULL,
			    &cli->err);
	if (!ret)
		cli_result(cli, "%s (EMULATED)",
			   a->guest < 0 ? "image key set" :
			   a->guest	? "Secure Execution guest" :
					  "ordinary guest");
	return ret;
}

static int do_reboot(struct cli *cli, struct pk_nl *nl, void *arg)
{
	int ret;

	(void)arg;
	ret = pk_emu_guest_reboot(nl, &cli->err);
	if (!ret)
		cli_result(
			cli,
			"guest rebooted (EMULATED): new wrapping key, UV secret "
			"store wiped, queues unbound");
	return ret;
}

static const struct {
	const char *name;
	uint16_t type;
} retr_types[] = {
	{ "plain", PROTKEY_EMU_UV_SECRET_PLAIN },
	{ "aes", 0 }, /* AES-128/192/256 by the secret's size */
	{ "aes-xts", 1 }, /* AES-XTS-128/256 by the secret's size */
};

/* The UV type of a pvsecret create retrievable --type and secret size. */
static int retr_type(const char *name, size_t len, uint16_t *type)
{
	size_t i;

	for (i = 0; i < sizeof(retr_types) / sizeof(retr_types[0]); i++) {
		if (strcmp(name, retr_types[i].name))
			continue;
		if (retr_types[i].type > 1)
			*type = retr_types[i].type;
		else if (retr_types[i].type == 0)
			*type = len == 16 ? PROTKEY_EMU_UV_SECRET_AES_128 :
				len == 24 ? PROTKEY_EMU_UV_SECRET_AES_192 :
					    PROTKEY_EMU_UV_SECRET_AES_256;
		else
			*type = len == 32 ? PROTKEY_EMU_UV_SECRET_AES_XTS_128 :
					    PROTKEY_EMU_UV_SECRET_AES_XTS_256;
		return 0;
	}
	return -EINVAL;
}

/* The secret's info next to the request, as pvsecret create writes it. */
static int write_info(struct cli *cli, const char *out, const char *name,
		      uint16_t type, const uint8_t *id)
{
	char tname[PK_UV_TYPE_NAME_MAX], hex[2 * PK_UV_ID_SIZE + 1];
	char *dir, *slash, *path = NULL, *text = NULL, *fname, *p;
	int ret, n;

	dir = strdup(out);
	fname = strdup(name);
	if (!dir || !fname) {
		ret = pk_err_set(&cli->err, -ENOMEM, "secret info");
		goto out;
	}
	slash = strrchr(dir, '/');
	if (slash)
		slash[1] = '\0';
	else
		dir[0] = '\0';
	for (p = fname; *p; p++)
		if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '/')
			*p = '_';
	pk_hex_encode(id, PK_UV_ID_SIZE, hex);
	if (type == PROTKEY_EMU_UV_SECRET_ASSOCIATION)
		n = asprintf(&text, "!Association\nname: %s\nid: 0x%s\n", name,
			     hex);
	else
		n = asprintf(&text,
			     "!Retrievable\nkind: %u (%s)\nname: %s\nid: "
			     "0x%s\n",
			     type, pk_uv_type_name(type, tname), name, hex);
	if (n < 0 || asprintf(&path, "%s%s.yaml", dir, fname) < 0) {
		ret = pk_err_set(&cli->err, -ENOMEM, "secret info");
		goto out;
	}
	ret = pk_write_path(path, text, strlen(text), &cli->err);
	if (!ret)
		cli_result(cli, "secret info: %s", path);
out:
	free(dir);
	free(fname);
	free(path);
	free(text);
	return ret;
}

static const struct option create_opts[] = {
	{ "image-key", required_argument, NULL, 'k' },
	{ "output", required_argument, NULL, 'o' },
	{ "type", required_argument, NULL, 't' },
	{ "secret", required_argument, NULL, 'i' },
	{ "input-secret", required_argument, NULL, 'i' },
	{ "output-secret", required_argument, NULL, 's' },
	{ NULL, 0, NULL, 0 },
};

/*
 * se create-secret association|retrievable NAME --image-key FILE
 *	--output REQ [--type plain|aes|aes-xts] [--secret FILE]
 *	[--output-secret FILE]
 * pvsecret create's job, off the guest; writes REQ and NAME.yaml.
 */
static int se_create(struct cli *cli, int argc, char **argv)
{
	const char *kind, *name, *key_path = NULL, *out = NULL;
	const char *tname = NULL, *in = NULL, *save = NULL;
	uint8_t key[PROTKEY_EMU_IMAGE_KEY_SIZE], id[PK_UV_ID_SIZE];
	uint8_t secret[PROTKEY_EMU_UV_SECRET_MAX], nonce[16];
	uint8_t req[PROTKEY_EMU_UV_REQ_MAX_SIZE], *buf = NULL;
	size_t len = 0;
	uint16_t type;
	int c, n, ret;

	optind = 0;
	while ((c = cli_getopt(argc, argv, "", create_opts)) != -1) {
		if (c == 'k')
			key_path = optarg;
		else if (c == 'o')
			out = optarg;
		else if (c == 't')
			tname = optarg;
		else if (c == 'i')
			in = optarg;
		else if (c == 's')
			save = optarg;
		else
			goto usage;
	}
	/* operands: create-secret KIND NAME */
	if (argc - optind != 3)
		goto usage;
	kind = argv[optind + 1];
	name = argv[optind + 2];
	if (!key_path || !out || !*name || strlen(name) > 255 ||
	    (strcmp(kind, "association") && strcmp(kind, "retrievable")) ||
	    (!strcmp(kind, "association") && tname) ||
	    (!strcmp(kind, "retrievable") && (!tname || !in || save)))
		goto usage;
	if (in) {
		ret = pk_read_file(AT_FDCWD, in, PROTKEY_EMU_UV_SECRET_MAX + 1,
				   &buf, &len, &cli->err);
		if (ret)
			return cli_fail(cli, ret);
		if (len > PROTKEY_EMU_UV_SECRET_MAX || !len) {
			pk_wipe_free(buf, len);
			return cli_fail(cli,
					pk_err_set(&cli->err, -EINVAL,
						   "secret %s: %zu bytes, "
						   "1..%d expected",
						   in, len,
						   PROTKEY_EMU_UV_SECRET_MAX));
		}
		memcpy(secret, buf, len);
		pk_wipe_free(buf, len);
	} else {
		len = 32;
		if (getrandom(secret, len, 0) != (ssize_t)len)
			return cli_fail(cli, pk_err_set(&cli->err, -EIO,
							"getrandom"));
	}
	if (!strcmp(kind, "association")) {
		type = PROTKEY_EMU_UV_SECRET_ASSOCIATION;
	} else if (retr_type(tname, len, &type)) {
		explicit_bzero(secret, sizeof(secret));
		return cli_usage(
			GROUP, "se",
			"--type: plain, aes or aes-xts (the emulator's "
			"retrievable types)");
	}
	pk_uv_name_to_id(name, id);
	ret = image_key_file(cli, key_path, key, false);
	if (!ret && getrandom(nonce, sizeof(nonce), 0) != sizeof(nonce))
		ret = pk_err_set(&cli->err, -EIO, "getrandom");
	n = ret	  ?:
		    pk_uv_request(key, type, id, secret, (unsigned int)len,
				  nonce, req, &cli->err);
	explicit_bzero(key, sizeof(key));
	ret = n < 0 ? n : 0;
	if (!ret && save)
		ret = pk_write_path(save, secret, len, &cli->err);
	explicit_bzero(secret, sizeof(secret));
	ret = ret ?: pk_write_path(out, req, (size_t)n, &cli->err);
	ret = ret ?: write_info(cli, out, name, type, id);
	if (!ret)
		cli_result(cli, "add-secret request (EMULATED): %s", out);
	return ret ? cli_fail(cli, ret) : PK_EXIT_OK;
usage:
	return cli_usage(GROUP, "se",
			 "create-secret association|retrievable NAME "
			 "--image-key FILE --output REQ [--type "
			 "plain|aes|aes-xts] [--secret FILE] "
			 "[--output-secret FILE]");
}

/* se on [--image-key FILE] | off | image-key FILE | create-secret | reboot */
static int cmd_se(struct cli *cli, int argc, char **argv)
{
	struct se_on_arg a = { .guest = 1 };
	int ret;

	if (argc >= 2 && !strcmp(argv[1], "create-secret"))
		return se_create(cli, argc, argv);
	if (argc == 2 && !strcmp(argv[1], "reboot"))
		return with_emu(cli, do_reboot, NULL);
	if (argc == 2 && !strcmp(argv[1], "off")) {
		a.guest = 0;
		return with_emu(cli, do_se_on, &a);
	}
	if ((argc == 2 || argc == 4) && !strcmp(argv[1], "on") &&
	    (argc == 2 || !strcmp(argv[2], "--image-key"))) {
		if (argc == 4) {
			ret = image_key_file(cli, argv[3], a.key, true);
			if (ret)
				return cli_fail(cli, ret);
			a.has_key = true;
		}
		ret = with_emu(cli, do_se_on, &a);
		explicit_bzero(&a, sizeof(a));
		return ret;
	}
	return cli_usage(GROUP, "se",
			 "on [--image-key FILE] | off | create-secret ... | "
			 "reboot");
}

/* clang-format off */
const struct command emu_commands[] = {
	{ "state", cmd_state, "",
	  "wrapping-key generation, adapters with their MKVPs, counters" },
	{ "mk-load", cmd_mk_load, "[--apqn CC.DDDD] HEX|@FILE",
	  "load a clear 32-byte master key into NEW (as a TKE would)" },
	{ "mk-set", cmd_mk_set, "[--apqn CC.DDDD]",
	  "activate NEW: CURRENT becomes OLD, NEW becomes CURRENT" },
	{ "mk-commit", cmd_mk_commit, "[--apqn CC.DDDD]",
	  "EP11: commit the NEW wrapping key (before mk-set)" },
	{ "mk-clear", cmd_mk_clear, "[--apqn CC.DDDD] new|old",
	  "empty the NEW or OLD register" },
	{ "migrate", cmd_migrate, "[--outage MS]",
	  "new wrapping key (a live relocation), adapters unusable for MS" },
	{ "adapter", cmd_adapter,
	  "on|off [CC.DDDD] | mode cca|ep11|accel [CC.DDDD]",
	  "set one adapter (or all) online or offline, or reconfigure its "
	  "mode (offline, mode, online)" },
	{ "latency", cmd_latency, "US [QUERY_US]",
	  "derive cost: US, plus QUERY_US for each usable APQN" },
	{ "busy", cmd_busy, "N",
	  "the adapter answers \"busy\" (EBUSY) to the next N derives" },
	{ "se", cmd_se,
	  "on [--image-key FILE] | off | create-secret KIND NAME ... | reboot",
	  "an emulated SE guest: its image key, add-secret requests made "
	  "off the guest (pvsecret create), a guest reboot" },
	{ NULL, NULL, NULL, NULL },
};
/* clang-format on */
