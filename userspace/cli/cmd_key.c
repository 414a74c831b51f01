// SPDX-License-Identifier: GPL-2.0-only
/*
 * protkeyctl key: the key repository. generate (through /dev/pkey),
 * import, import-zkey, export, list, show, remove, validate (which
 * master-key register holds each half's MK) and reencipher (zkey's
 * semantics: --staged CURRENT -> NEW into <name>.renc, --complete moves it
 * into place, --from-old OLD -> CURRENT in place).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/protkey_emu.h>

#include "cli.h"

#define GROUP "key"

/* Properties settable at generate and import. */
struct key_opts {
	unsigned long bits;
	uint32_t key_type;
	const char *prop[PK_P_COUNT];
	bool uv_ok;
	int n_secrets;
	const char *secret[2];
	bool secret_is_name[2];
};

enum {
	OPT_BITS = 256,
	OPT_DESC,
	OPT_APQNS,
	OPT_VOLUMES,
	OPT_SECTOR,
	OPT_VTYPE,
	OPT_KEY_TYPE,
	OPT_XTS,
	OPT_SECRET_ID,
	OPT_SECRET_NAME
};

static const struct option key_longopts[] = {
	{ "bits", required_argument, NULL, OPT_BITS },
	{ "description", required_argument, NULL, OPT_DESC },
	{ "apqns", required_argument, NULL, OPT_APQNS },
	{ "volumes", required_argument, NULL, OPT_VOLUMES },
	{ "sector-size", required_argument, NULL, OPT_SECTOR },
	{ "volume-type", required_argument, NULL, OPT_VTYPE },
	{ "key-type", required_argument, NULL, OPT_KEY_TYPE },
	{ "xts", no_argument, NULL, OPT_XTS },
	{ "secret-id", required_argument, NULL, OPT_SECRET_ID },
	{ "secret-name", required_argument, NULL, OPT_SECRET_NAME },
	{ NULL, 0, NULL, 0 },
};

/* Parses the options; returns the index of the first operand or -1. */
static int parse_key_opts(int argc, char **argv, struct key_opts *o,
			  bool bits_ok)
{
	int c;

	optind = 0;
	opterr = 0;
	while ((c = cli_getopt(argc, argv, "", key_longopts)) != -1) {
		switch (c) {
		case OPT_BITS:
			if (!bits_ok)
				return cli_opt_bad(true);
			if (pk_parse_uint(optarg, 256, &o->bits) ||
			    (o->bits != 128 && o->bits != 256))
				return cli_opt_bad(false);
			break;
		case OPT_DESC:
			o->prop[PK_P_DESCRIPTION] = optarg;
			break;
		case OPT_APQNS:
			o->prop[PK_P_APQNS] = optarg;
			break;
		case OPT_VOLUMES:
			o->prop[PK_P_VOLUMES] = optarg;
			break;
		case OPT_SECTOR:
			o->prop[PK_P_SECTOR_SIZE] = optarg;
			break;
		case OPT_VTYPE:
			o->prop[PK_P_VOLUME_TYPE] = optarg;
			break;
		case OPT_KEY_TYPE:
			if (!bits_ok)
				return cli_opt_bad(true);
			if (!strcmp(optarg, "CCA-AESDATA"))
				o->key_type = PROTKEY_EMU_KEY_CCA_AESDATA;
			else if (!strcmp(optarg, "EP11-AES"))
				o->key_type = PROTKEY_EMU_KEY_EP11_AES;
			else
				return cli_opt_bad(false);
			break;
		case OPT_SECRET_ID:
		case OPT_SECRET_NAME:
			/* import-uv only: data secret, then tweak secret */
			if (!o->uv_ok || o->n_secrets == 2)
				return cli_opt_bad(true);
			o->secret_is_name[o->n_secrets] = c == OPT_SECRET_NAME;
			o->secret[o->n_secrets++] = optarg;
			break;
		case OPT_XTS:
			/* Every repository key is an XTS key (zkey's --xts). */
			if (!bits_ok)
				return cli_opt_bad(true);
			break;
		default:
			return -1;
		}
	}
	return optind;
}

/* Default properties, the options, and the verification pattern if known. */
static int build_info(struct cli *cli, const struct key_opts *o,
		      const uint8_t *blob, size_t len, struct pk_info *info)
{
	char vp[PK_VP_HEX + 1];
	struct pk_xts_info xts;
	struct pk_err vperr;
	int i, ret;

	pk_info_defaults(info, pk_xts_parse(blob, len, &xts, NULL) ?
				       "CCA-AESDATA" :
				       xts.half[0].type);
	for (i = 0; i < PK_P_COUNT; i++) {
		if (!o->prop[i])
			continue;
		ret = pk_info_set(info, (enum pk_prop)i, o->prop[i], &cli->err);
		if (ret)
			return ret;
	}
	ret = pk_vp_compute(blob, len, vp, &vperr);
	if (!ret)
		return pk_info_set(info, PK_P_VP, vp, &cli->err);
	cli_warn("no verification pattern recorded: %s: %s", vperr.msg,
		 strerror(-ret));
	return 0;
}

static int add_key(struct cli *cli, struct pk_repo *repo, const char *name,
		   const struct key_opts *o, const uint8_t *blob, size_t len)
{
	struct pk_info info = { 0 };
	int ret;

	ret = build_info(cli, o, blob, len, &info);
	ret = ret ?: pk_repo_add(repo, name, blob, len, &info, &cli->err);
	pk_info_free(&info);
	return ret;
}

/*
 * The preamble of generate: a valid name, the repository created if need
 * be and locked for writing, no key of that name yet (checked before the
 * platform is asked for a key). On success the caller closes @repo.
 */
static int open_for_new_key(struct cli *cli, struct pk_repo *repo,
			    const char *name)
{
	int ret;

	ret = pk_name_check(name, &cli->err);
	ret = ret ?: cli_repo_open(cli, repo, PK_REPO_CREATE | PK_REPO_WRITE);
	if (ret)
		return ret;
	if (pk_repo_exists(repo, name)) {
		pk_repo_close(repo);
		return pk_err_set(&cli->err, -EEXIST, "key '%s' exists", name);
	}
	return 0;
}

/*
 * The preamble of the commands on key @name: the repository locked as
 * @flags say, the key read and checked. On success the caller closes
 * @repo and frees @key; on failure both are released (@key is zeroed).
 */
static int open_key(struct cli *cli, struct pk_repo *repo, unsigned int flags,
		    const char *name, struct pk_key *key)
{
	int ret;

	memset(key, 0, sizeof(*key));
	ret = cli_repo_open(cli, repo, flags);
	if (ret)
		return ret;
	ret = pk_repo_read(repo, name, key, &cli->err);
	if (ret)
		pk_repo_close(repo);
	return ret;
}

/* Reads key @name under a shared lock, released again before returning. */
static int read_key(struct cli *cli, const char *name, struct pk_key *key)
{
	struct pk_repo repo;
	int ret;

	ret = open_key(cli, &repo, 0, name, key);
	if (!ret)
		pk_repo_close(&repo);
	return ret;
}

/*
 * Why APQN @apqn of --apqns cannot make an EP11 key, asked of the
 * emulator's state when its family is there: not present, in another
 * mode, offline, without a CURRENT wrapping key, or (an SE guest) not
 * bound and associated. On IBM Z the family is absent and this returns 0:
 * the caller's generic message, naming the APQN, stands. The state only
 * explains; whether an APQN is usable is what /dev/pkey lists.
 */
static int explain_ep11_apqn(void *ctx, uint32_t apqn, struct pk_err *err)
{
	const struct pk_emu_adapter *ad = NULL;
	char s[PK_APQN_STR_MAX];
	struct pk_emu_state *st;
	struct pk_nl *nl = NULL;
	struct pk_err sub;
	int i, ret = 0;

	(void)ctx;
	st = calloc(1, sizeof(*st));
	if (!st || pk_nl_open(&nl, PROTKEY_EMU_FAMILY_NAME, &sub) ||
	    pk_emu_get_state(nl, st, &sub))
		goto out;
	pk_apqn_format(apqn, s);
	for (i = 0; i < st->n; i++)
		if (st->ad[i].apqn == apqn)
			ad = &st->ad[i];
	if (!ad)
		ret = pk_err_platform(err, -ENODEV, "APQN %s does not exist",
				      s);
	else if (ad->mode != PROTKEY_EMU_MODE_EP11)
		ret = pk_err_platform(err, -ENODEV,
				      "APQN %s is not in EP11 mode", s);
	else if (!ad->online)
		ret = pk_err_platform(err, -ENODEV, "APQN %s is offline", s);
	else if (!ad->has_wkvp)
		ret = pk_err_platform(err, -ENOKEY,
				      "APQN %s has no CURRENT wrapping key", s);
	else if (ad->has_bs && ad->bs != PROTKEY_EMU_SE_BS_USABLE)
		ret = pk_err_platform(
			err, -ENODEV,
			"APQN %s is not bound and associated (%s): 'apqn setup' or 'apqn bind' and 'apqn associate' first",
			s, ad->assoc_text);
out:
	pk_nl_close(nl);
	free(st);
	return ret;
}

static void wkvp_hex(const uint8_t *wkvp, char out[2 * PK_WKVP_SIZE + 1])
{
	int i;

	for (i = 0; i < PK_WKVP_SIZE; i++)
		sprintf(out + 2 * i, "%02x", wkvp[i]);
}

/*
 * generate: through /dev/pkey (pk_pkey_generate_xts(), zkey's algorithm),
 * the IBM Z pkey driver's or protkey_emu.ko's. --apqns narrows the APQNs
 * that may make the key; for an EP11 key every APQN of it must also be
 * usable and hold the key's CURRENT wrapping key, as zkey requires.
 */
static int cmd_generate(struct cli *cli, int argc, char **argv)
{
	struct key_opts o = { .bits = 256,
			      .key_type = PROTKEY_EMU_KEY_CCA_AESDATA };
	uint8_t blob[2 * PROTKEY_EMU_SECKEY_MAX_SIZE];
	struct pk_pkey pk = { .fd = -1 };
	struct pk_pkey_gen req = { 0 };
	struct pk_xts_info xts;
	struct pk_repo repo;
	const char *name;
	size_t len = 0;
	int i, ret;

	i = parse_key_opts(argc, argv, &o, true);
	if (i < 0 || i != argc - 1)
		return cli_usage(GROUP, "generate", "bad arguments");
	name = argv[i];
	req.key_type = o.key_type;
	req.bits = (unsigned int)o.bits;
	req.apqns = o.prop[PK_P_APQNS];
	req.strict = o.key_type == PROTKEY_EMU_KEY_EP11_AES;
	req.explain = req.strict ? explain_ep11_apqn : NULL;
	ret = open_for_new_key(cli, &repo, name);
	if (ret)
		return cli_fail(cli, ret);
	ret = pk_pkey_open(&pk, &cli->err);
	ret = ret   ?:
		      pk_pkey_generate_xts(&pk, &req, blob, sizeof(blob), &len,
					   &cli->err);
	ret = ret ?: pk_xts_parse(blob, len, &xts, &cli->err);
	ret = ret ?: add_key(cli, &repo, name, &o, blob, len);
	if (!ret)
		cli_result(cli,
			   "generated key '%s': %s, XTS AES-%lu, %zu bytes",
			   name, xts.half[0].type, o.bits, len);
	explicit_bzero(blob, sizeof(blob));
	pk_pkey_close(&pk);
	pk_repo_close(&repo);
	return ret ? cli_fail(cli, ret) : PK_EXIT_OK;
}

static int cmd_import(struct cli *cli, int argc, char **argv)
{
	struct key_opts o = { 0 };
	struct pk_xts_info xts;
	struct pk_repo repo;
	uint8_t *blob = NULL;
	size_t len = 0;
	int i, ret;

	i = parse_key_opts(argc, argv, &o, false);
	if (i < 0 || i != argc - 2)
		return cli_usage(GROUP, "import", "bad arguments");
	ret = pk_name_check(argv[i + 1], &cli->err);
	ret = ret   ?:
		      pk_read_file(AT_FDCWD, argv[i], PK_XTS_BLOB_MAX, &blob,
				   &len, &cli->err);
	ret = ret ?: pk_xts_parse(blob, len, &xts, &cli->err);
	if (ret) {
		pk_wipe_free(blob, len);
		return cli_fail(cli, ret);
	}
	ret = cli_repo_open(cli, &repo, PK_REPO_CREATE | PK_REPO_WRITE);
	if (!ret) {
		ret = add_key(cli, &repo, argv[i + 1], &o, blob, len);
		pk_repo_close(&repo);
	}
	pk_wipe_free(blob, len);
	if (!ret)
		cli_result(cli, "imported key '%s' from %s", argv[i + 1],
			   argv[i]);
	return ret ? cli_fail(cli, ret) : PK_EXIT_OK;
}

/* The ID that --secret-id (64 hex digits, "0x" optional) or --secret-name gives. */
static int secret_id_of(struct cli *cli, const char *arg, bool is_name,
			uint8_t id[PK_UV_ID_SIZE])
{
	if (is_name) {
		pk_uv_name_to_id(arg, id);
		return 0;
	}
	if (!strncmp(arg, "0x", 2) || !strncmp(arg, "0X", 2))
		arg += 2;
	if (pk_hex_decode(arg, id, PK_UV_ID_SIZE))
		return pk_err_set(
			&cli->err, -EINVAL,
			"invalid secret ID '%s': 64 hexadecimal digits expected",
			arg);
	return 0;
}

/*
 * One token of a UV key: the secret must be in the Ultravisor's store and
 * an AES key (what zkey's pvsecrets import checks); its token into @tok.
 * With @alone the secret is the whole key and must be AES-XTS (one token,
 * a full-XTS key); otherwise it is one half and must be AES-128 or -256.
 */
int cli_uv_token(struct cli *cli, const char *arg, bool is_name, bool alone,
		 uint8_t *tok)
{
	const char *how = is_name ? "name" : "id";
	char tname[PK_UV_TYPE_NAME_MAX];
	uint8_t id[PK_UV_ID_SIZE];
	struct pk_uv_entry e;
	int ret;

	ret = secret_id_of(cli, arg, is_name, id);
	if (ret)
		return ret;
	ret = cli_uv_find(cli, id, &e);
	if (ret == -ENOENT)
		return pk_err_platform(
			&cli->err, -ENOENT,
			"the UV secret with %s '%s' does not exist in the Ultravisor's store ('se secret list')",
			how, arg);
	if (ret)
		return ret;
	pk_uv_type_name(e.type, tname);
	switch (e.type) {
	case PROTKEY_EMU_UV_SECRET_AES_128:
	case PROTKEY_EMU_UV_SECRET_AES_256:
		if (alone)
			return pk_err_set(
				&cli->err, -EINVAL,
				"the UV secret with %s '%s' is %s, one XTS half: give two AES secrets (data, tweak), or one AES-XTS secret",
				how, arg, tname);
		break;
	case PROTKEY_EMU_UV_SECRET_AES_192:
		return pk_err_set(
			&cli->err, -EINVAL,
			"the UV secret with %s '%s' is %s: XTS needs AES-128 or AES-256",
			how, arg, tname);
	case PROTKEY_EMU_UV_SECRET_AES_XTS_128:
	case PROTKEY_EMU_UV_SECRET_AES_XTS_256:
		if (!alone)
			return pk_err_set(
				&cli->err, -EINVAL,
				"the UV secret with %s '%s' is %s, a whole XTS key in one token (full-XTS): give it alone",
				how, arg, tname);
		break;
	default:
		return pk_err_set(
			&cli->err, -EINVAL,
			"the type of the UV secret with %s '%s' is not supported: %s",
			how, arg, tname);
	}
	pk_uv_token_build(e.type, (uint16_t)e.len, id, tok);
	return 0;
}

/*
 * import-uv: an XTS key of two Ultravisor secret tokens (zkey's pvsecrets
 * import makes one token per secret; the volume takes two of them).
 */
static int cmd_import_uv(struct cli *cli, int argc, char **argv)
{
	struct key_opts o = { .uv_ok = true };
	uint8_t blob[2 * PK_UV_TOKEN_SIZE];
	struct pk_xts_info xts;
	struct pk_repo repo;
	const char *name;
	size_t len;
	int i, ret;

	i = parse_key_opts(argc, argv, &o, false);
	if (i < 0 || i != argc - 1)
		return cli_usage(GROUP, "import-uv", "bad arguments");
	if (o.n_secrets != 1 && o.n_secrets != 2)
		return cli_usage(
			GROUP, "import-uv",
			"an XTS key is one AES-XTS secret or two AES secrets: --secret-id or --secret-name once or twice (data key, tweak key)");
	name = argv[i];
	ret = open_for_new_key(cli, &repo, name);
	if (ret)
		return cli_fail(cli, ret);
	for (i = 0; i < o.n_secrets && !ret; i++)
		ret = cli_uv_token(cli, o.secret[i], o.secret_is_name[i],
				   o.n_secrets == 1,
				   blob + i * PK_UV_TOKEN_SIZE);
	len = (size_t)o.n_secrets * PK_UV_TOKEN_SIZE;
	ret = ret ?: pk_xts_parse(blob, len, &xts, &cli->err);
	ret = ret ?: add_key(cli, &repo, name, &o, blob, len);
	pk_repo_close(&repo);
	if (!ret)
		cli_result(cli,
			   "imported key '%s': PVSECRET-AES, XTS AES-%u, %s",
			   name, xts.half[0].bits,
			   o.n_secrets == 1 ?
				   "one AES-XTS UV secret (full-XTS)" :
				   "two UV secrets");
	return ret ? cli_fail(cli, ret) : PK_EXIT_OK;
}

/* import-zkey's arguments: DIR and --name PATTERN, in any order. */
static int zkey_args(int argc, char **argv, const char **dir,
		     const char **pattern)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'N' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*dir = *pattern = NULL;
	optind = 0;
	while ((c = cli_getopt(argc, argv, "", opts)) != -1) {
		if (c != 'N' || *pattern)
			return -EINVAL;
		*pattern = optarg;
	}
	if (optind != argc - 1)
		return -EINVAL;
	*dir = argv[optind];
	return 0;
}

static void zkey_report(struct cli *cli, const char *dir,
			const struct pk_zkey_result *r, size_t n, size_t done)
{
	struct json_object *o, *arr, *k;
	size_t i;

	if (!cli->json) {
		for (i = 0; i < n; i++)
			if (r[i].imported)
				printf("imported key '%s'%s\n", r[i].name,
				       r[i].pass ?
					       " with its dummy passphrase" :
					       "");
			else
				printf("skipped key '%s': %s\n", r[i].name,
				       r[i].reason);
		printf("zkey repository %s: %zu imported, %zu skipped\n", dir,
		       done, n - done);
		return;
	}
	o = json_object_new_object();
	arr = json_object_new_array();
	for (i = 0; i < n; i++) {
		k = json_object_new_object();
		json_object_object_add(k, "name",
				       json_object_new_string(r[i].name));
		json_object_object_add(k, "imported",
				       json_object_new_boolean(r[i].imported));
		if (r[i].imported)
			json_object_object_add(
				k, "dummy-passphrase",
				json_object_new_boolean(r[i].pass));
		else
			json_object_object_add(
				k, "reason",
				json_object_new_string(r[i].reason));
		json_object_array_add(arr, k);
	}
	json_object_object_add(o, "keys", arr);
	json_object_object_add(o, "imported", json_object_new_int((int)done));
	json_object_object_add(o, "skipped",
			       json_object_new_int((int)(n - done)));
	cli_json_print(o);
}

/*
 * Exit 0 when every selected key was imported, PK_EXIT_PARTIAL when some
 * were skipped, and, when none was imported, the status of the first
 * key's reason (3 unusable, 5 exists, ...).
 */
static int cmd_import_zkey(struct cli *cli, int argc, char **argv)
{
	struct pk_zkey_result *res = NULL;
	const char *dir, *pattern;
	size_t n = 0, done = 0, i;
	struct pk_repo repo;
	int ret;

	if (zkey_args(argc, argv, &dir, &pattern))
		return cli_usage(GROUP, "import-zkey",
				 "need DIR [--name PATTERN]");
	ret = cli_repo_open(cli, &repo, PK_REPO_CREATE | PK_REPO_WRITE);
	if (ret)
		return cli_fail(cli, ret);
	ret = pk_zkey_import(&repo, dir, pattern, &res, &n, &cli->err);
	pk_repo_close(&repo);
	if (ret)
		return cli_fail(cli, ret);
	for (i = 0; i < n; i++)
		done += res[i].imported;
	zkey_report(cli, dir, res, n, done);
	if (done == n)
		ret = PK_EXIT_OK;
	else if (done)
		ret = PK_EXIT_PARTIAL;
	else
		ret = cli_exit_code(&cli->err, res[0].ret);
	if (!done)
		fprintf(stderr, "protkeyctl: no key imported from %s\n", dir);
	free(res);
	return ret;
}

static int write_new_file(struct cli *cli, const char *path, const uint8_t *buf,
			  size_t len)
{
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return pk_err_set(&cli->err, -errno, "cannot create %s", path);
	n = write(fd, buf, len);
	if (n != (ssize_t)len || fsync(fd)) {
		int ret = n < 0 ? -errno : -EIO;

		close(fd);
		unlink(path);
		return pk_err_set(&cli->err, ret, "cannot write %s", path);
	}
	close(fd);
	return 0;
}

static int cmd_export(struct cli *cli, int argc, char **argv)
{
	struct pk_key key;
	int ret;

	if (cli_plain_args(argc, argv) || argc != 3)
		return cli_usage(GROUP, "export", "bad arguments");
	ret = read_key(cli, argv[1], &key);
	if (ret)
		return cli_fail(cli, ret);
	ret = write_new_file(cli, argv[2], key.blob, key.len);
	pk_key_free(&key);
	return ret ? cli_fail(cli, ret) : PK_EXIT_OK;
}

static void mkvp_hex(uint64_t mkvp, char *out)
{
	snprintf(out, 17, "%016" PRIx64, mkvp);
}

static struct json_object *key_json(const struct pk_key *key, bool full)
{
	struct json_object *o = json_object_new_object(), *m;
	char hex[17];
	int i;

	json_object_object_add(o, "name", json_object_new_string(key->name));
	json_object_object_add(o, "key-type",
			       json_object_new_string(key->xts.half[0].type));
	json_object_object_add(o, "key-bits",
			       json_object_new_int((int)key->xts.half[0].bits));
	json_object_object_add(
		o, "volume-key-bits",
		json_object_new_int((int)key->xts.key_size_bits));
	m = json_object_new_array();
	for (i = 0; i < 2; i++) {
		mkvp_hex(key->xts.half[i].mkvp, hex);
		json_object_array_add(m, json_object_new_string(hex));
	}
	json_object_object_add(o, "mkvp", m);
	if (key->xts.half[0].has_wkvp) {
		char w[2 * PK_WKVP_SIZE + 1];

		m = json_object_new_array();
		for (i = 0; i < 2; i++) {
			wkvp_hex(key->xts.half[i].wkvp, w);
			json_object_array_add(m, json_object_new_string(w));
		}
		json_object_object_add(o, "wkvp", m);
	}
	if (key->xts.half[0].has_secret_id) {
		char id[2 * PK_UV_ID_SIZE + 3];

		m = json_object_new_array();
		for (i = 0; i < 2; i++) {
			strcpy(id, "0x");
			pk_hex_encode(key->xts.half[i].secret_id, PK_UV_ID_SIZE,
				      id + 2);
			json_object_array_add(m, json_object_new_string(id));
		}
		json_object_object_add(o, "secret-id", m);
	}
	json_object_object_add(o, "reencipher-staged",
			       json_object_new_boolean(key->renc != NULL));
	for (i = 0; i < PK_P_COUNT; i++) {
		if (i == PK_P_KEY_TYPE ||
		    (!full && i != PK_P_DESCRIPTION && i != PK_P_VP))
			continue;
		if (key->info.val[i])
			json_object_object_add(
				o, pk_prop_name((enum pk_prop)i),
				i == PK_P_CREATION_TIME ||
						i == PK_P_UPDATE_TIME ||
						i == PK_P_REENCIPHER_TIME ?
					cli_json_time(key->info.val[i]) :
					json_object_new_string(
						key->info.val[i]));
	}
	return o;
}

/* zkey's key selection, for list, validate and reencipher */
/* clang-format off */
#define FILTER_LONGOPTS					\
	{ "name", required_argument, NULL, 'N' },	\
	{ "volumes", required_argument, NULL, 'l' },	\
	{ "apqns", required_argument, NULL, 'a' },	\
	{ "key-type", required_argument, NULL, 'K' },	\
	{ "volume-type", required_argument, NULL, 't' }
/* clang-format on */

static const struct option list_longopts[] = {
	FILTER_LONGOPTS,
	{ NULL, 0, NULL, 0 },
};

/**
 * struct list_filter - zkey list's selection (lib/filter.c has the rules)
 * @name: name patterns, comma-separated, or NULL
 * @volumes: volume patterns ("DEV" or "DEV:MAPPING"), or NULL
 * @apqns: APQN patterns, or NULL
 * @key_type: a key type, case ignored, or NULL
 * @volume_type: "plain" or "luks2", case ignored, or NULL
 * @any: one of them was given
 */
struct list_filter {
	const char *name;
	const char *volumes;
	const char *apqns;
	const char *key_type;
	const char *volume_type;
	bool any;
};

/* Takes filter option @c (with optarg) into @f; false if it is none. */
static bool filter_opt(int c, struct list_filter *f)
{
	if (c == 'N')
		f->name = optarg;
	else if (c == 'l')
		f->volumes = optarg;
	else if (c == 'a')
		f->apqns = optarg;
	else if (c == 'K')
		f->key_type = optarg;
	else if (c == 't')
		f->volume_type = optarg;
	else
		return false;
	f->any = true;
	return true;
}

static bool list_selects(const struct list_filter *f, const struct pk_key *k)
{
	const char *kt = pk_info_get(&k->info, PK_P_KEY_TYPE);
	const char *vt = pk_info_get(&k->info, PK_P_VOLUME_TYPE);

	return pk_filter_match(k->name, f->name, false) &&
	       pk_filter_match(pk_info_get(&k->info, PK_P_VOLUMES), f->volumes,
			       false) &&
	       pk_filter_match(pk_info_get(&k->info, PK_P_APQNS), f->apqns,
			       true) &&
	       (!f->key_type || (kt && !strcasecmp(kt, f->key_type))) &&
	       (!f->volume_type || (vt && !strcasecmp(vt, f->volume_type)));
}

/*
 * list [--name P] [--volumes P] [--apqns P] [--key-type T]
 * [--volume-type T]: the keys the filters select (all without one), then
 * "N of M keys" (not with --json).
 */
static int cmd_list(struct cli *cli, int argc, char **argv)
{
	struct json_object *arr = json_object_new_array();
	struct list_filter f = { 0 };
	size_t n = 0, k, shown = 0;
	struct pk_repo repo;
	char **names = NULL;
	struct pk_key key;
	bool opened;
	int c, ret;

	optind = 0;
	opterr = 0;
	while ((c = cli_getopt(argc, argv, "", list_longopts)) != -1)
		if (!filter_opt(c, &f))
			break;
	if (c != -1 || optind != argc) {
		json_object_put(arr);
		return cli_usage(GROUP, "list", "bad arguments");
	}
	ret = cli_repo_open(cli, &repo, 0);
	opened = !ret;
	ret = ret ?: pk_repo_list(&repo, &names, &n, &cli->err);
	if (!ret)
		cli_result(cli, "%-24s %-12s %-8s %-33s %s", "NAME", "TYPE",
			   "BITS", "MKVP (data tweak)", "DESCRIPTION");
	for (k = 0; !ret && k < n; k++) {
		ret = pk_repo_read(&repo, names[k], &key, &cli->err);
		if (ret)
			break;
		if (!list_selects(&f, &key)) {
			pk_key_free(&key);
			continue;
		}
		shown++;
		if (cli->json)
			json_object_array_add(arr, key_json(&key, false));
		else
			printf("%-24s %-12s %-8u %016" PRIx64 " %016" PRIx64
			       " %s%s\n",
			       key.name, key.xts.half[0].type,
			       key.xts.half[0].bits, key.xts.half[0].mkvp,
			       key.xts.half[1].mkvp,
			       pk_info_get(&key.info, PK_P_DESCRIPTION),
			       key.renc ? " [re-encipher staged]" : "");
		pk_key_free(&key);
	}
	if (opened)
		pk_repo_close(&repo);
	pk_names_free(names, n);
	if (ret) {
		json_object_put(arr);
		return cli_fail(cli, ret);
	}
	if (cli->json) {
		struct json_object *o = cli_json_wrap("keys", arr);

		json_object_object_add(o, "selected",
				       json_object_new_int64((int64_t)shown));
		json_object_object_add(o, "total",
				       json_object_new_int64((int64_t)n));
		cli_json_print(o);
	} else {
		json_object_put(arr);
		printf("%zu of %zu keys\n", shown, n);
	}
	return PK_EXIT_OK;
}

static int cmd_show(struct cli *cli, int argc, char **argv)
{
	struct pk_key key;
	int i, ret;

	if (cli_plain_args(argc, argv) || argc != 2)
		return cli_usage(GROUP, "show", "bad arguments");
	ret = read_key(cli, argv[1], &key);
	if (ret)
		return cli_fail(cli, ret);
	if (cli->json) {
		struct json_object *o = key_json(&key, true);
		char path[4200];

		snprintf(path, sizeof(path), "%s/%s.pass",
			 pk_repo_default_dir(cli->repo), key.name);
		if (key.has_pass)
			json_object_object_add(o, "dummy-passphrase",
					       json_object_new_string(path));
		cli_json_print(o);
	} else {
		printf("name: %s\nkey-type: %s\nkey-bits: %u\n"
		       "volume-key-bits: %u\nmkvp: %016" PRIx64 " %016" PRIx64
		       "\n",
		       key.name, key.xts.half[0].type, key.xts.half[0].bits,
		       key.xts.key_size_bits, key.xts.half[0].mkvp,
		       key.xts.half[1].mkvp);
		if (key.xts.half[0].has_wkvp) {
			char w0[2 * PK_WKVP_SIZE + 1], w1[2 * PK_WKVP_SIZE + 1];

			wkvp_hex(key.xts.half[0].wkvp, w0);
			wkvp_hex(key.xts.half[1].wkvp, w1);
			printf("wkvp: %s %s\n", w0, w1);
		}
		if (key.xts.half[0].has_secret_id) {
			char i0[2 * PK_UV_ID_SIZE + 1],
				i1[2 * PK_UV_ID_SIZE + 1];

			pk_hex_encode(key.xts.half[0].secret_id, PK_UV_ID_SIZE,
				      i0);
			pk_hex_encode(key.xts.half[1].secret_id, PK_UV_ID_SIZE,
				      i1);
			printf("secret-id: 0x%s 0x%s\n", i0, i1);
		}
		printf("reencipher-staged: %s\n", key.renc ? "yes" : "no");
		if (key.has_pass)
			printf("dummy-passphrase: %s/%s.pass\n",
			       pk_repo_default_dir(cli->repo), key.name);
		for (i = 1; i < PK_P_COUNT; i++)
			printf("%s: %s\n", pk_prop_name((enum pk_prop)i),
			       pk_info_get(&key.info, (enum pk_prop)i));
	}
	pk_key_free(&key);
	return PK_EXIT_OK;
}

static const struct option remove_longopts[] = {
	{ "force", no_argument, NULL, 'f' },
	{ "batch", no_argument, NULL, 'q' },
	{ NULL, 0, NULL, 0 },
};

/*
 * remove NAME [--force] [--batch|-q]: refused while the key's volumes
 * property lists volumes, unless --force (pk_repo_remove_check()); on a
 * terminal asks first unless --batch. Nothing changes on a refusal.
 */
static int cmd_remove(struct cli *cli, int argc, char **argv)
{
	bool force = false, batch = false;
	struct pk_repo repo;
	int c, ret;

	optind = 0;
	opterr = 0;
	while ((c = cli_getopt(argc, argv, "q", remove_longopts)) != -1) {
		if (c == 'f')
			force = true;
		else if (c == 'q')
			batch = true;
		else
			return cli_usage(GROUP, "remove", "bad option");
	}
	if (optind != argc - 1)
		return cli_usage(GROUP, "remove", "need NAME");
	ret = cli_repo_open(cli, &repo, PK_REPO_WRITE);
	if (ret)
		return cli_fail(cli, ret);
	if (force) {
		ret = pk_name_check(argv[optind], &cli->err);
		if (!ret && !pk_repo_exists(&repo, argv[optind]))
			ret = pk_err_set(&cli->err, -ENOENT,
					 "key '%s' not found", argv[optind]);
	} else {
		ret = pk_repo_remove_check(&repo, argv[optind], &cli->err);
	}
	if (!ret && !batch)
		ret = cli_confirm(cli, "yes",
				  "Remove key '%s'? (yes/no): ", argv[optind]);
	ret = ret ?: pk_repo_remove(&repo, argv[optind], &cli->err);
	pk_repo_close(&repo);
	if (!ret)
		cli_result(cli, "removed key '%s'", argv[optind]);
	return ret ? cli_fail(cli, ret) : PK_EXIT_OK;
}

/*
 * A UV half in validate: its secret ID and whether the Ultravisor's store
 * holds it; *@ret gets -ENOKEY (with the message) when it does not.
 */
static void uv_validate_line(struct cli *cli, const struct pk_token_info *h,
			     int i, int *ret)
{
	char id[2 * PK_UV_ID_SIZE + 1];
	struct pk_uv_entry e;
	int r;

	pk_hex_encode(h->secret_id, PK_UV_ID_SIZE, id);
	r = cli_uv_find(cli, h->secret_id, &e);
	if (!r) {
		printf("%s half: PVSECRET-AES secret ID 0x%s: in the Ultravisor's store (index %u)\n",
		       i ? "tweak" : "data", id, e.index);
		return;
	}
	printf("%s half: PVSECRET-AES secret ID 0x%s: %s\n",
	       i ? "tweak" : "data", id, r == -ENOENT ? "missing" : "unknown");
	if (*ret)
		return;
	*ret = r == -ENOENT ?
		       pk_err_platform(
			       &cli->err, -ENOKEY,
			       "the UV secret 0x%s of the %s half is not in the Ultravisor's store: add it again ('se secret add REQUEST')",
			       id, i ? "tweak" : "data") :
		       r;
}

/*
 * A volume of @key whose device is not there: a warning, as zkey's
 * validate gives one (_keystore_display_volume_status()).
 */
static unsigned long volume_warnings(const struct pk_key *key, bool say)
{
	char *list = strdup(pk_info_get(&key->info, PK_P_VOLUMES));
	char *item, *save = NULL;
	unsigned long n = 0;
	struct stat st;

	for (item = list ? strtok_r(list, ",", &save) : NULL; item;
	     item = strtok_r(NULL, ",", &save)) {
		item[strcspn(item, ":")] = '\0';
		if (!*item || (!stat(item, &st) && S_ISBLK(st.st_mode)))
			continue;
		if (say)
			cli_warn("the volume '%s' of key '%s' is not available",
				 item, key->name);
		n++;
	}
	free(list);
	return n;
}

/*
 * Key @key's halves against the adapters' MK registers (GET_STATE): its
 * lines (or its object, added to @arr), the warnings it adds to
 * *@warnings; 0 if it is valid (both halves derive), else the error.
 */
static int validate_key(struct cli *cli, const struct pk_key *key,
			struct json_object *arr, unsigned long *warnings)
{
	const struct pk_key *k = key;
	unsigned long warn = 0;
	const char *match[2];
	struct json_object *o;
	int i, ret;

	ret = cli_mk_match_on(cli, &key->xts,
			      pk_info_get(&key->info, PK_P_APQNS), match);
	if (ret)
		return ret;
	if (!cli->json) {
		printf("key %s\n", key->name);
		for (i = 0; i < 2; i++) {
			char w[2 * PK_WKVP_SIZE + 1];

			if (k->xts.half[i].has_secret_id) {
				uv_validate_line(cli, &k->xts.half[i], i, &ret);
			} else if (k->xts.half[i].has_wkvp) {
				wkvp_hex(k->xts.half[i].wkvp, w);
				printf("%s half: %s WKVP %s: %s\n",
				       i ? "tweak" : "data",
				       k->xts.half[i].type, w, match[i]);
			} else {
				printf("%s half: MKVP %016" PRIx64 ": %s\n",
				       i ? "tweak" : "data",
				       k->xts.half[i].mkvp, match[i]);
			}
		}
	}
	for (i = 0; i < 2 && !ret; i++) {
		if (!strcmp(match[i], "uv")) {
			struct pk_uv_entry e;

			if (cli->json) {
				ret = cli_uv_find(cli, k->xts.half[i].secret_id,
						  &e);
				if (ret == -ENOENT)
					ret = pk_err_platform(
						&cli->err, -ENOKEY,
						"key '%s': the UV secret of its %s half is not in the Ultravisor's store",
						k->name, i ? "tweak" : "data");
			}
			continue;
		}
		if (!strcmp(match[i], "none") || !strcmp(match[i], "new"))
			ret = pk_err_platform(
				&cli->err, -ENOKEY,
				"key '%s': no usable adapter can derive its %s half",
				k->name, i ? "tweak" : "data");
	}
	/* zkey's warning: a valid key under the OLD master key */
	for (i = 0; i < 2 && !ret; i++)
		if (!strcmp(match[i], "old") && !k->xts.half[i].has_wkvp) {
			if (!cli->json)
				cli_warn(
					"key '%s' is enciphered with the OLD master key: run '" GROUP
					" reencipher %s --from-old'",
					k->name, k->name);
			warn++;
			break;
		}
	warn += volume_warnings(key, !cli->json);
	*warnings += warn;
	if (cli->json) {
		o = json_object_new_object();
		json_object_object_add(o, "name",
				       json_object_new_string(k->name));
		json_object_object_add(o, "mk-match-data",
				       json_object_new_string(match[0]));
		json_object_object_add(o, "mk-match-tweak",
				       json_object_new_string(match[1]));
		json_object_object_add(o, "valid",
				       json_object_new_boolean(!ret));
		if (ret)
			json_object_object_add(
				o, "reason",
				json_object_new_string(cli->err.msg));
		json_object_object_add(o, "warnings",
				       json_object_new_int64((int64_t)warn));
		json_object_array_add(arr, o);
	}
	return ret;
}

/*
 * Runs @fn on key NAME, or on every key the filters select: a NAME and a
 * filter together are a usage error. A key that cannot be read is a
 * failure of its own (counted by @fn's caller through *@failed) when
 * keys are selected, the command's error when it is named.
 */
typedef int (*key_fn)(struct cli *cli, struct pk_repo *repo, struct pk_key *key,
		      void *ctx);

static int for_each_key(struct cli *cli, struct pk_repo *repo,
			const struct list_filter *f, const char *name,
			key_fn fn, void *ctx, int *first_rc)
{
	size_t n = 0, i;
	char **names = NULL;
	struct pk_key key;
	int ret, rc;

	if (name) {
		ret = pk_repo_read(repo, name, &key, &cli->err);
		if (ret)
			return ret;
		ret = fn(cli, repo, &key, ctx);
		pk_key_free(&key);
		return ret;
	}
	ret = pk_repo_list(repo, &names, &n, &cli->err);
	for (i = 0; !ret && i < n; i++) {
		rc = pk_repo_read(repo, names[i], &key, &cli->err);
		if (!rc && !list_selects(f, &key)) {
			pk_key_free(&key);
			continue;
		}
		if (!rc) {
			rc = fn(cli, repo, &key, ctx);
			pk_key_free(&key);
		}
		if (rc) {
			/* the error of this key; the others go on */
			rc = cli_fail(cli, rc);
			if (!*first_rc)
				*first_rc = rc;
			cli->err.msg[0] = '\0';
		}
	}
	pk_names_free(names, n);
	return ret;
}

/* A count in a --json summary, as a number. */
static void add_count(struct json_object *o, const char *name, unsigned long n)
{
	json_object_object_add(o, name, json_object_new_int64((int64_t)n));
}

struct validate_ctx {
	struct json_object *arr;
	unsigned long valid, invalid, warnings;
};

static int validate_one(struct cli *cli, struct pk_repo *repo,
			struct pk_key *key, void *ctx)
{
	struct validate_ctx *v = ctx;
	int ret;

	(void)repo;
	ret = validate_key(cli, key, v->arr, &v->warnings);
	if (ret)
		v->invalid++;
	else
		v->valid++;
	return ret;
}

static const struct option validate_longopts[] = {
	FILTER_LONGOPTS,
	{ NULL, 0, NULL, 0 },
};

/* Which NAME operand, if any, after the options; -1 on a usage error. */
static int key_operand(int argc, char **argv, const struct list_filter *f,
		       const char **name)
{
	*name = NULL;
	if (optind == argc - 1 && !f->any)
		*name = argv[optind];
	else if (optind != argc)
		return -1;
	return 0;
}

/*
 * validate [NAME | --name P --volumes P --apqns P --key-type T
 * --volume-type T]: each key's halves against the adapters' registers,
 * then zkey's "N keys are valid, M keys are invalid, K warnings". The exit
 * status is the first invalid key's (zkey exits 0 whatever it found).
 */
static int cmd_validate(struct cli *cli, int argc, char **argv)
{
	struct validate_ctx v = { .arr = json_object_new_array() };
	struct list_filter f = { 0 };
	const char *name;
	struct pk_repo repo;
	int c, ret, first = 0;
	struct json_object *o;

	optind = 0;
	while ((c = cli_getopt(argc, argv, "", validate_longopts)) != -1)
		if (!filter_opt(c, &f))
			break;
	if (c != -1 || key_operand(argc, argv, &f, &name)) {
		json_object_put(v.arr);
		return cli_usage(GROUP, "validate",
				 "need NAME or filters, not both");
	}
	ret = cli_repo_open(cli, &repo, 0);
	if (ret) {
		json_object_put(v.arr);
		return cli_fail(cli, ret);
	}
	ret = for_each_key(cli, &repo, &f, name, validate_one, &v, &first);
	pk_repo_close(&repo);
	if (ret && v.valid + v.invalid == 0) {
		json_object_put(v.arr);
		return cli_fail(cli, ret);
	}
	if (cli->json) {
		o = cli_json_wrap("keys", v.arr);
		add_count(o, "valid", v.valid);
		add_count(o, "invalid", v.invalid);
		add_count(o, "warnings", v.warnings);
		cli_json_print(o);
	} else {
		json_object_put(v.arr);
		printf("%lu keys are valid, %lu keys are invalid, %lu warnings\n",
		       v.valid, v.invalid, v.warnings);
	}
	if (ret)
		return cli_fail(cli, ret);
	return first;
}

/*
 * Before a new blob replaces the only copy of key @key: it derives under
 * the CURRENT master key (not NEW: zkey's "the new master key might yet
 * have to be set", keystore.c; not OLD: the next change would strand it)
 * and its verification pattern is the key's, the one .info records or
 * else the one of the blob it replaces.
 */
static int check_new_blob(struct cli *cli, const struct pk_key *key,
			  const uint8_t *blob, size_t len, const char *what)
{
	const char *want = pk_info_get(&key->info, PK_P_VP);
	char vp[PK_VP_HEX + 1], old[PK_VP_HEX + 1];
	struct pk_xts_info xts;
	const char *match[2];
	int ret, i;

	ret = pk_xts_parse(blob, len, &xts, &cli->err) ?:
		      cli_mk_match_on(cli, &xts,
				      pk_info_get(&key->info, PK_P_APQNS),
				      match);
	for (i = 0; i < 2 && !ret; i++)
		if (strcmp(match[i], "current"))
			ret = pk_err_platform(
				&cli->err, -ENOKEY,
				"the %s key of '%s' is not enciphered with the CURRENT master key (its %s half: %s)%s; nothing changed",
				what, key->name, i ? "tweak" : "data", match[i],
				!strcmp(match[i], "new") ?
					": the NEW master key might yet have to be set as the CURRENT master key" :
					"");
	if (ret)
		return ret;
	ret = pk_vp_compute(blob, len, vp, &cli->err);
	if (ret) {
		struct pk_err e = cli->err;

		return pk_err_platform(
			&cli->err, ret,
			"the %s key of '%s' does not derive: %s; nothing changed",
			what, key->name, e.msg);
	}
	if (!*want) {
		/* no pattern recorded: the blob it replaces has it, if it derives */
		ret = pk_vp_compute(key->blob, key->len, old, &cli->err);
		if (ret && !strcmp(what, "staged")) {
			cli_warn(
				"key '%s' records no verification pattern and its old key does not derive: the staged key derives, its pattern is not checked",
				key->name);
			return 0;
		}
		if (ret)
			return ret;
		want = old;
	}
	if (strcmp(vp, want))
		return pk_err_set(
			&cli->err, -EKEYREJECTED,
			"the %s key of '%s' has verification pattern %s, the key's is %s: it is another key; nothing changed",
			what, key->name, vp, want);
	return 0;
}

/*
 * Test hooks, to prove that check_new_blob() refuses what it must:
 * PROTKEYCTL_FAULT=renc-blob changes the re-enciphered key (a blob no
 * adapter unwraps); renc-blob-of:FILE puts the secure key of FILE, of
 * the same length, in its place (a key that derives, but another one).
 */
static void fault_blob(uint8_t *blob, size_t len)
{
	const char *f = pk_fault();
	uint8_t *other;
	size_t olen;

	if (f && !strcmp(f, "renc-blob") && len >= PK_CCA_AESDATA_SIZE) {
		blob[40] ^= 0x01;
		pk_cca_set_tvv(blob);
	} else if (f && !strncmp(f, "renc-blob-of:", 13) &&
		   !pk_read_file(AT_FDCWD, f + 13, len, &other, &olen, NULL)) {
		if (olen == len)
			memcpy(blob, other, len);
		pk_wipe_free(other, olen);
	}
}

enum renc_mode { RENC_NONE, RENC_STAGED, RENC_COMPLETE, RENC_FROM_OLD };

static int do_reencipher(struct cli *cli, struct pk_repo *repo,
			 struct pk_key *key, enum renc_mode mode)
{
	uint8_t out[2 * PROTKEY_EMU_SECKEY_MAX_SIZE];
	int ret;

	switch (mode) {
	case RENC_STAGED:
		ret = cli_reencipher_blob(cli, key->blob, key->len,
					  PROTKEY_EMU_RENC_CURRENT_TO_NEW, out);
		ret = ret   ?:
			      pk_repo_stage_renc(repo, key, out, key->len,
						 &cli->err);
		break;
	case RENC_FROM_OLD:
		ret = cli_reencipher_blob(cli, key->blob, key->len,
					  PROTKEY_EMU_RENC_OLD_TO_CURRENT, out);
		if (!ret)
			fault_blob(out, key->len);
		ret = ret ?: check_new_blob(cli, key, out, key->len, "new");
		ret = ret   ?:
			      pk_repo_replace_blob(repo, key, out, key->len,
						   &cli->err);
		break;
	default:
		ret = key->renc ? check_new_blob(cli, key, key->renc,
						 key->renc_len, "staged") :
				  0;
		ret = ret ?: pk_repo_complete_renc(repo, key, &cli->err);
		break;
	}
	explicit_bzero(out, sizeof(out));
	return ret;
}

enum { OPT_RENC_STAGED = 0x100, OPT_RENC_COMPLETE, OPT_RENC_FROM_OLD };

static const struct option renc_longopts[] = {
	FILTER_LONGOPTS,
	{ "staged", no_argument, NULL, OPT_RENC_STAGED },
	{ "complete", no_argument, NULL, OPT_RENC_COMPLETE },
	{ "from-old", no_argument, NULL, OPT_RENC_FROM_OLD },
	{ NULL, 0, NULL, 0 },
};

/**
 * struct renc_ctx - one reencipher run
 * @mode: --staged, --complete or --from-old
 * @selected: keys chosen by filters (a key that is not for this mode is
 *	skipped, as zkey skips it), not named (then it is an error)
 * @arr: the --json "keys" array
 * @done: keys re-enciphered
 * @skipped: keys skipped, with their reason
 * @failed: keys that failed
 */
struct renc_ctx {
	enum renc_mode mode;
	bool selected;
	struct json_object *arr;
	unsigned long done, skipped, failed;
};

/*
 * Why @key is not one for @mode, or NULL: what zkey skips (no staged
 * re-encipher to complete, an EP11 key with no OLD register, a UV
 * secret, which no master key enciphers) and what a staged one would
 * overwrite.
 */
static const char *renc_unfit(const struct pk_key *key, enum renc_mode mode,
			      int *err)
{
	*err = -EINVAL;
	if (key->xts.half[0].has_secret_id)
		return "a PVSECRET-AES key names Ultravisor secrets: no HSM enciphers it, there is nothing to re-encipher";
	if (mode == RENC_FROM_OLD && key->xts.half[0].has_wkvp)
		return "an EP11 adapter has no OLD wrapping-key register, so it is re-enciphered CURRENT -> NEW only (--staged, then --complete)";
	*err = -ENOENT;
	if (mode == RENC_COMPLETE && !key->renc)
		return "no staged re-encipher is pending";
	*err = -EEXIST;
	if (mode == RENC_STAGED && key->renc)
		return "a staged re-encipher is pending already: --complete it first";
	*err = 0;
	return NULL;
}

/*
 * Of the selected keys, those whose master-key state makes @mode pointless
 * are skipped: a key that no usable adapter derives (zkey's "is not
 * valid, it is not re-enciphered"), and for --from-old, one with no half
 * under the OLD master key (zkey counts that one as failed).
 */
static int renc_skip_by_match(struct cli *cli, const struct pk_key *key,
			      enum renc_mode mode, const char **why)
{
	const char *match[2];
	int ret, i;

	ret = cli_mk_match_on(cli, &key->xts,
			      pk_info_get(&key->info, PK_P_APQNS), match);
	if (ret)
		return ret;
	for (i = 0; i < 2; i++)
		if (!strcmp(match[i], "none") || !strcmp(match[i], "new"))
			*why = "it is not valid: no usable adapter derives it";
	if (!*why && mode == RENC_FROM_OLD && strcmp(match[0], "old") &&
	    strcmp(match[1], "old"))
		*why = "it is not enciphered with the OLD master key";
	return 0;
}

static void renc_json(struct renc_ctx *r, const char *name, const char *result,
		      const char *reason)
{
	struct json_object *o;

	if (!r->arr)
		return;
	o = json_object_new_object();
	json_object_object_add(o, "name", json_object_new_string(name));
	json_object_object_add(o, "result", json_object_new_string(result));
	if (reason)
		json_object_object_add(o, "reason",
				       json_object_new_string(reason));
	json_object_array_add(r->arr, o);
}

static int renc_one(struct cli *cli, struct pk_repo *repo, struct pk_key *key,
		    void *ctx)
{
	static const char *const done[] = {
		[RENC_STAGED] = "staged (CURRENT -> NEW) in %s.renc",
		[RENC_COMPLETE] = "completed: %s.skey replaced",
		[RENC_FROM_OLD] = "done in place (OLD -> CURRENT): %s.skey",
	};
	struct renc_ctx *r = ctx;
	const char *why;
	int ret;

	why = renc_unfit(key, r->mode, &ret);
	if (!why && r->selected && r->mode != RENC_COMPLETE) {
		ret = renc_skip_by_match(cli, key, r->mode, &why);
		if (ret) {
			renc_json(r, key->name, "failed", cli->err.msg);
			r->failed++;
			return ret;
		}
	}
	if (why && r->selected) {
		if (!cli->json)
			printf("key '%s' skipped: %s\n", key->name, why);
		renc_json(r, key->name, "skipped", why);
		r->skipped++;
		return 0;
	}
	ret = why ? pk_err_set(&cli->err, ret, "key '%s': %s", key->name, why) :
		    do_reencipher(cli, repo, key, r->mode);
	if (ret) {
		renc_json(r, key->name, "failed", cli->err.msg);
		r->failed++;
		return ret;
	}
	if (!cli->json) {
		printf("re-encipher of '%s' ", key->name);
		printf(done[r->mode], key->name);
		putchar('\n');
	}
	renc_json(r, key->name, "re-enciphered", NULL);
	r->done++;
	return 0;
}

/*
 * reencipher NAME|filters --staged|--complete|--from-old: one key, or
 * every key the filters select (zkey's --name/--apqns and ours), each
 * re-enciphered, skipped with its reason or failed, then zkey's "N keys
 * re-enciphered, M keys skipped, K keys failed to re-encipher". The exit
 * status is the first failure's.
 */
static int cmd_reencipher(struct cli *cli, int argc, char **argv)
{
	struct renc_ctx r = { .mode = RENC_NONE };
	struct list_filter f = { 0 };
	int c, ret, first = 0;
	struct json_object *o;
	struct pk_repo repo;
	const char *name;

	optind = 0;
	while ((c = cli_getopt(argc, argv, "", renc_longopts)) != -1) {
		if (filter_opt(c, &f))
			continue;
		if ((c != OPT_RENC_STAGED && c != OPT_RENC_COMPLETE &&
		     c != OPT_RENC_FROM_OLD) ||
		    r.mode != RENC_NONE)
			break;
		r.mode = c == OPT_RENC_STAGED	? RENC_STAGED :
			 c == OPT_RENC_COMPLETE ? RENC_COMPLETE :
						  RENC_FROM_OLD;
	}
	if (c != -1 || key_operand(argc, argv, &f, &name) ||
	    r.mode == RENC_NONE)
		return cli_usage(
			GROUP, "reencipher",
			"need NAME or filters, and one of --staged, --complete, --from-old");
	r.selected = !name;
	ret = cli_repo_open(cli, &repo, PK_REPO_WRITE);
	if (ret)
		return cli_fail(cli, ret);
	if (cli->json)
		r.arr = json_object_new_array();
	ret = for_each_key(cli, &repo, &f, name, renc_one, &r, &first);
	pk_repo_close(&repo);
	if (name) {
		json_object_put(r.arr);
		return ret ? cli_fail(cli, ret) : PK_EXIT_OK;
	}
	if (ret) {
		json_object_put(r.arr);
		return cli_fail(cli, ret);
	}
	if (cli->json) {
		o = cli_json_wrap("keys", r.arr);
		add_count(o, "reenciphered", r.done);
		add_count(o, "skipped", r.skipped);
		add_count(o, "failed", r.failed);
		cli_json_print(o);
	} else {
		printf("%lu keys re-enciphered, %lu keys skipped, %lu keys failed to re-encipher\n",
		       r.done, r.skipped, r.failed);
	}
	return first;
}

/* clang-format off */
const struct command key_commands[] = {
	{ "generate", cmd_generate,
	  "NAME [--key-type CCA-AESDATA|EP11-AES] [--xts] [--bits 128|256] [--description TEXT] [--apqns LIST] [--volumes LIST] [--sector-size N] [--volume-type plain|luks2]",
	  "generate an XTS secure key (CCA-AESDATA, or EP11-AES: 2 x 336 bytes) through /dev/pkey" },
	{ "import", cmd_import, "FILE NAME [--description TEXT] [...]",
	  "import an XTS secure key (two tokens back to back) from FILE" },
	{ "import-uv", cmd_import_uv,
	  "NAME --secret-id ID|--secret-name NAME --secret-id ID|--secret-name NAME [--description TEXT] [...]",
	  "an XTS key of two AES UV retrievable secrets (data, tweak): zkey's pvsecrets import" },
	{ "import-zkey", cmd_import_zkey, "DIR [--name PATTERN]",
	  "import the keys of the zkey repository DIR, each on its own or skipped with its reason" },
	{ "export", cmd_export, "NAME FILE",
	  "write the secure key to FILE (created, mode 0600)" },
	{ "list", cmd_list,
	  "[--name PATTERN] [--volumes PATTERN] [--apqns PATTERN] [--key-type TYPE] [--volume-type plain|luks2]",
	  "list the keys the filters select (zkey's rules; comma-separated patterns)" },
	{ "show", cmd_show, "NAME", "show a key's properties" },
	{ "remove", cmd_remove, "NAME [--force] [--batch|-q]",
	  "remove a key; refused while its volumes property lists volumes unless --force; on a terminal asks unless --batch" },
	{ "validate", cmd_validate,
	  "NAME | [--name PATTERN] [--volumes PATTERN] [--apqns PATTERN] [--key-type TYPE] [--volume-type plain|luks2]",
	  "which master-key register of the usable adapters holds each half's MK, for one key or the selected ones, with zkey's summary" },
	{ "reencipher", cmd_reencipher,
	  "NAME | [--name PATTERN] [--volumes ...] [--apqns ...] [--key-type ...] [--volume-type ...]  --staged|--complete|--from-old",
	  "re-encipher: CURRENT->NEW into NAME.renc; move it into place; or OLD->CURRENT in place; one key or the selected ones, with zkey's summary" },
	{ NULL, NULL, NULL, NULL },
};
/* clang-format on */
