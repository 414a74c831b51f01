// SPDX-License-Identifier: GPL-2.0-only
/*
 * protkeyctl volume reencipher and rekey: the master-key change for LUKS2
 * volumes whose volume key is a secure key, in zkey-cryptsetup's format
 * (lib/luks.c), and the live re-key of open mappings through protkey.ko's
 * key type.
 *
 *   reencipher DEV --staged    CURRENT -> NEW into an unbound keyslot
 *   (the NEW master key is set on the adapters)
 *   reencipher DEV --complete  the unbound keyslot becomes the volume key's;
 *                              a live key object of the key is updated
 *   reencipher DEV --from-old  OLD -> CURRENT, staged and completed at once
 *
 * Every step may be interrupted and run again: the volume opens at any
 * point, with the old or the new secure key (the same effective key); a
 * rerun of --complete after its header commits gives the live key object
 * the key it did not get. The whole command holds the block device's
 * exclusive lock (pk_blkdev_lock()): two runs never interleave.
 * The protkey tokens follow (lib/luks_token.c): --staged gives each
 * token's wrapping key a staged copy under NEW and --from-old re-enciphers
 * it OLD -> CURRENT, before the volume key's commits; --complete then
 * gives each token a keyslot of the new volume key and makes its staged
 * key its key. A rerun of --complete after an interruption between the
 * two finishes the tokens.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/stat.h>

#include <libcryptsetup.h>
#include <linux/protkey_emu.h>

#include "cli.h"

#define GROUP "volume"

enum vr_mode { VR_NONE, VR_STAGED, VR_COMPLETE, VR_FROM_OLD };

enum {
	OPT_STAGED = 256,
	OPT_COMPLETE,
	OPT_FROM_OLD,
	OPT_KEYFILE,
	OPT_KEY,
	OPT_REMOVE_UNBOUND
};

static const struct option vr_longopts[] = {
	{ "staged", no_argument, NULL, OPT_STAGED },
	{ "complete", no_argument, NULL, OPT_COMPLETE },
	{ "from-old", no_argument, NULL, OPT_FROM_OLD },
	{ "key-file", required_argument, NULL, OPT_KEYFILE },
	{ "key", required_argument, NULL, OPT_KEY },
	{ "remove-unbound", no_argument, NULL, OPT_REMOVE_UNBOUND },
	{ NULL, 0, NULL, 0 },
};

/**
 * struct vr - one reencipher or rekey command
 * @cli: global options
 * @mode: the step
 * @dev: the LUKS2 device
 * @key_file: the keyslot passphrase file
 * @key: a repository key (rekey)
 * @pass: the passphrase
 * @plen: its length
 * @vk: the volume key read from the header
 * @vk_len: its length
 * @nvk: the re-enciphered volume key
 * @vp: the key's verification pattern
 * @slot: the keyslot that opened (@vk), or the staged one (@nvk)
 * @staged: the unbound keyslot written by this run
 * @remove_unbound: --remove-unbound
 * @left: keyslots left unbound by --complete
 * @removed: unbound keyslots destroyed by --complete
 * @restaged: the staged key was under OLD and re-enciphered to CURRENT
 * @resumed: only the live key object was left to update (a rerun)
 * @live: serial of the live key object updated, 0 if none
 * @tokens: protkey tokens whose wrapping key followed
 */
struct vr {
	struct cli *cli;
	enum vr_mode mode;
	const char *dev;
	const char *key_file;
	const char *key;
	char *pass;
	size_t plen;
	uint8_t vk[PK_XTS_BLOB_MAX];
	size_t vk_len;
	uint8_t nvk[PK_XTS_BLOB_MAX];
	size_t nvk_len;
	char vp[PK_VP_HEX + 1];
	int slot;
	int staged;
	bool remove_unbound;
	int left;
	int removed;
	bool restaged;
	bool resumed;
	int32_t live;
	int tokens;
};

static int vr_parse(struct vr *v, int argc, char **argv)
{
	enum vr_mode m;
	int c;

	optind = 0;
	opterr = 0;
	while ((c = cli_getopt(argc, argv, "", vr_longopts)) != -1) {
		switch (c) {
		case OPT_STAGED:
		case OPT_COMPLETE:
		case OPT_FROM_OLD:
			m = c == OPT_STAGED   ? VR_STAGED :
			    c == OPT_COMPLETE ? VR_COMPLETE :
						VR_FROM_OLD;
			if (v->mode != VR_NONE)
				return cli_opt_bad(true);
			v->mode = m;
			break;
		case OPT_KEYFILE:
			v->key_file = optarg;
			break;
		case OPT_KEY:
			v->key = optarg;
			break;
		case OPT_REMOVE_UNBOUND:
			v->remove_unbound = true;
			break;
		default:
			return -1;
		}
	}
	return optind;
}

/**
 * cli_reencipher_blob() - re-encipher both halves of an XTS secure key
 * @cli: for the error
 * @blob: the key: two tokens back to back
 * @len: its length
 * @mode: PROTKEY_EMU_RENC_CURRENT_TO_NEW or PROTKEY_EMU_RENC_OLD_TO_CURRENT
 * @out: receives the re-enciphered key, @len bytes
 *
 * The platform does it: the emulator's control family here; on IBM Z the
 * CCA host library would (not implemented).
 *
 * Return: 0 or a negative error with @cli->err set.
 */
int cli_reencipher_blob(struct cli *cli, const uint8_t *blob, size_t len,
			int mode, uint8_t *out)
{
	struct pk_xts_info xts;
	struct pk_nl *nl;
	size_t half;
	int ret;

	ret = pk_xts_parse(blob, len, &xts, &cli->err);
	if (ret)
		return ret;
	half = len / 2;
	if (half > PROTKEY_EMU_SECKEY_MAX_SIZE)
		return pk_err_set(&cli->err, -EOPNOTSUPP,
				  "re-encipher of %s keys", xts.half[0].type);
	if (xts.half[0].has_secret_id)
		return pk_err_set(
			&cli->err, -EINVAL,
			"a %s key names Ultravisor secrets: no HSM enciphers it, there is nothing to re-encipher",
			xts.half[0].type);
	/* EP11 adapters have no OLD register (zkey refuses it too). */
	if (xts.half[0].has_wkvp && mode == PROTKEY_EMU_RENC_OLD_TO_CURRENT)
		return pk_err_set(
			&cli->err, -EINVAL,
			"an EP11 adapter has no OLD wrapping-key register: %s keys are re-enciphered CURRENT -> NEW only",
			xts.half[0].type);
	ret = cli_emu_open(cli, &nl);
	if (ret)
		return ret;
	ret = pk_emu_reencipher(nl, blob, half, mode, out, &cli->err) ?:
		      pk_emu_reencipher(nl, blob + half, half, mode, out + half,
					&cli->err);
	pk_nl_close(nl);
	return ret;
}

/*
 * Before the kernel derives @blob (which waits up to rekey_timeout_ms for
 * a usable adapter): an online adapter must hold each half's master key
 * as CURRENT or OLD (cli_mk_match()).
 */
static int vr_check_mk(struct vr *v, const uint8_t *blob, size_t len,
		       const char *what)
{
	struct pk_xts_info xts;
	const char *match[2];
	int ret, i;

	ret = pk_xts_parse(blob, len, &xts, &v->cli->err) ?:
		      cli_mk_match(v->cli, &xts, match);
	for (i = 0; i < 2 && !ret; i++) {
		if (!strcmp(match[i], "new"))
			ret = pk_err_platform(
				&v->cli->err, -ENOKEY,
				"the %s key of %s is enciphered with the NEW master key, which is not set yet: set it, then run --complete",
				what, v->dev);
		else if (!strcmp(match[i], "none"))
			ret = pk_err_platform(
				&v->cli->err, -ENOKEY,
				"no usable adapter holds the master key of the %s key of %s",
				what, v->dev);
	}
	return ret;
}

/* The pattern of @blob by the kernel, which derives it: it must be usable. */
static int vr_check_vp(struct vr *v, const uint8_t *blob, size_t len,
		       const char *want, const char *what)
{
	char vp[PK_VP_HEX + 1];
	int ret;

	ret = vr_check_mk(v, blob, len, what);
	if (ret)
		return ret;
	ret = pk_vp_compute(blob, len, vp, &v->cli->err);
	if (ret)
		return ret;
	if (want && *want && strcmp(vp, want))
		return pk_err_set(
			&v->cli->err, -EKEYREJECTED,
			"the %s key of %s has verification pattern %s, the header records %s",
			what, v->dev, vp, want);
	snprintf(v->vp, sizeof(v->vp), "%s", vp);
	return 0;
}

/*
 * A protkey token's wrapping key, re-enciphered as the step does the
 * volume key's (pk_luks_lt_follow()): 1 when it is under the target
 * master key already (a rerun), an error when it is under neither.
 */
static int vr_token_renc(void *ctx, const uint8_t *key, size_t len,
			 uint8_t *out)
{
	struct vr *v = ctx;
	bool stage = v->mode == VR_STAGED;
	const char *from = stage ? "current" : "old";
	const char *to = stage ? "new" : "current";
	struct pk_xts_info xts;
	const char *match[2];
	int ret;

	ret = pk_xts_parse(key, len, &xts, &v->cli->err) ?:
		      cli_mk_match(v->cli, &xts, match);
	if (ret)
		return ret;
	if (!strcmp(match[0], from) && !strcmp(match[1], from))
		return cli_reencipher_blob(
			v->cli, key, len,
			stage ? PROTKEY_EMU_RENC_CURRENT_TO_NEW :
				PROTKEY_EMU_RENC_OLD_TO_CURRENT,
			out);
	if (!strcmp(match[0], to) && !strcmp(match[1], to))
		return 1;
	return pk_err_platform(
		&v->cli->err, -ENOKEY,
		"its wrapping key is under the %s/%s master key of the adapters, not %s: re-encipher or remove the token first ('" GROUP
		" token remove')",
		match[0], match[1], stage ? "CURRENT" : "OLD");
}

/* --staged and the first half of --from-old. */
static int vr_stage(struct vr *v)
{
	int mode = v->mode == VR_STAGED ? PROTKEY_EMU_RENC_CURRENT_TO_NEW :
					  PROTKEY_EMU_RENC_OLD_TO_CURRENT;
	char token_vp[PK_VP_HEX + 1];
	struct pk_luks_renc st;
	int ret;

	ret = pk_luks_renc_state(v->dev, &st, &v->cli->err);
	if (ret)
		return ret;
	if (st.token >= 0 && st.unbound_state != CRYPT_SLOT_INACTIVE &&
	    st.unbound_state != CRYPT_SLOT_INVALID)
		return pk_err_set(
			&v->cli->err, -EEXIST,
			"%s has a staged re-encipher (keyslot %d): run '" GROUP
			" reencipher %s --complete'",
			v->dev, st.unbound, v->dev);
	ret = pk_luks_volume_key(v->dev, -1, v->pass, v->plen, v->vk,
				 &v->vk_len, &v->cli->err);
	if (ret < 0)
		return ret;
	v->slot = ret;
	ret = pk_luks_token_vp(v->dev, token_vp, NULL, &v->cli->err) ?:
		      vr_check_vp(v, v->vk, v->vk_len, token_vp, "volume");
	ret = ret   ?:
		      cli_reencipher_blob(v->cli, v->vk, v->vk_len, mode,
					  v->nvk);
	ret = ret   ?:
		      pk_luks_lt_follow(v->dev,
					v->mode == VR_STAGED ? PK_LT_STAGE :
							       PK_LT_REPLACE,
					vr_token_renc, v, &v->tokens,
					&v->cli->err);
	if (ret)
		return ret;
	v->nvk_len = v->vk_len;
	return pk_luks_renc_stage(v->dev, v->pass, v->plen, v->nvk, v->nvk_len,
				  v->slot, v->vp, false, &v->staged,
				  &v->cli->err);
}

/*
 * The staged keyslot is gone and only its token is left (an earlier
 * protkeyctl wrote the token first and was interrupted): the volume key
 * opens as before; which step proceeds depends on its master key.
 */
static int vr_no_staged_slot(struct vr *v, const struct pk_luks_renc *st)
{
	struct pk_xts_info xts;
	const char *match[2];
	int ret;

	ret = pk_luks_volume_key(v->dev, -1, v->pass, v->plen, v->vk,
				 &v->vk_len, &v->cli->err);
	if (ret < 0)
		return ret;
	ret = pk_xts_parse(v->vk, v->vk_len, &xts, &v->cli->err) ?:
		      cli_mk_match(v->cli, &xts, match);
	if (ret)
		return ret;
	if (!strcmp(match[0], "old") || !strcmp(match[1], "old"))
		return pk_err_set(
			&v->cli->err, -EINVAL,
			"%s: an interrupted --staged left its token but not its keyslot %d, and the master key has been set since: the volume key is under the OLD master key: run '" GROUP
			" reencipher %s --from-old'",
			v->dev, st->unbound, v->dev);
	return pk_err_set(
		&v->cli->err, -EINVAL,
		"%s: an interrupted --staged left its token but not its keyslot %d: run '" GROUP
		" reencipher %s --staged' again",
		v->dev, st->unbound, v->dev);
}

/*
 * Two master-key changes since --staged moved the staged key to OLD: it
 * is re-enciphered to CURRENT, checked (it derives, its pattern is the
 * volume's) and staged again in place of the old staged keyslot, as
 * zkey-cryptsetup's reencipher --complete offers (without asking). EP11
 * keys have no OLD register and never get here.
 */
static int vr_restage_old(struct vr *v, struct pk_luks_renc *st)
{
	uint8_t out[PK_XTS_BLOB_MAX];
	struct pk_xts_info xts;
	const char *match[2];
	int ret;

	ret = pk_xts_parse(v->nvk, v->nvk_len, &xts, &v->cli->err) ?:
		      cli_mk_match(v->cli, &xts, match);
	if (ret || strcmp(match[0], "old") || strcmp(match[1], "old"))
		return ret;
	ret = cli_reencipher_blob(v->cli, v->nvk, v->nvk_len,
				  PROTKEY_EMU_RENC_OLD_TO_CURRENT, out);
	if (!ret) {
		memcpy(v->nvk, out, v->nvk_len);
		ret = vr_check_vp(v, v->nvk, v->nvk_len, st->vp, "staged");
	}
	ret = ret   ?:
		      pk_luks_renc_stage(v->dev, v->pass, v->plen, v->nvk,
					 v->nvk_len, st->original, st->vp, true,
					 &v->staged, &v->cli->err);
	ret = ret ?: pk_luks_renc_state(v->dev, st, &v->cli->err);
	explicit_bzero(out, sizeof(out));
	v->restaged = !ret;
	return ret;
}

/*
 * Nothing staged: a rerun after the header commits of --complete gives
 * the live key object, if a mapping is open, the header's key (a no-op
 * when it has it); without one there is nothing to do.
 */
static int vr_resume_live(struct vr *v)
{
	int ret;

	ret = pk_luks_volume_key(v->dev, -1, v->pass, v->plen, v->nvk,
				 &v->nvk_len, &v->cli->err);
	if (ret < 0)
		return ret;
	v->slot = ret;
	ret = vr_check_vp(v, v->nvk, v->nvk_len, NULL, "volume");
	if (ret)
		return ret;
	ret = pk_keyring_update_live(v->nvk, v->nvk_len, v->vp, &v->live,
				     &v->cli->err);
	if (ret == -ENOENT)
		return pk_err_set(&v->cli->err, -ENOENT,
				  "%s has no staged re-encipher", v->dev);
	v->resumed = !ret;
	return ret;
}

/* Whether the user wants the unbound keyslots gone (zkey's prompt). */
static bool vr_ask_remove(const struct vr *v)
{
	char line[16];

	if (v->cli->json || !isatty(STDIN_FILENO) || !isatty(STDERR_FILENO))
		return false;
	fprintf(stderr,
		"%d keyslot(s) of %s hold the old volume key (unbound). Remove them [y/N]? ",
		v->left, v->dev);
	if (!fgets(line, sizeof(line), stdin))
		return false;
	line[strcspn(line, "\n")] = '\0';
	return !strcasecmp(line, "y") || !strcasecmp(line, "yes");
}

/*
 * Nothing staged, a rerun of --complete: an interruption after the volume
 * key's commits left tokens on the old key (they get keyslots of the
 * volume key, read with the passphrase) or the live key object without
 * the new key (vr_resume_live()). -ENOENT when there was nothing to do.
 */
static int vr_resume(struct vr *v)
{
	int ret;

	ret = pk_luks_volume_key(v->dev, -1, v->pass, v->plen, v->nvk,
				 &v->nvk_len, &v->cli->err);
	if (ret < 0)
		return ret;
	ret = pk_luks_lt_rebind(v->dev, v->nvk, v->nvk_len, &v->tokens,
				&v->left, &v->cli->err);
	if (ret)
		return ret;
	ret = vr_resume_live(v);
	if (ret == -ENOENT && v->tokens)
		return 0;
	return ret;
}

/* --complete and the second half of --from-old. */
static int vr_complete(struct vr *v)
{
	struct pk_luks_renc st;
	int ret, removed;

	ret = pk_luks_renc_state(v->dev, &st, &v->cli->err);
	if (ret)
		return ret;
	if (st.token < 0)
		return v->mode == VR_COMPLETE ?
			       vr_resume(v) :
			       pk_err_set(&v->cli->err, -ENOENT,
					  "%s has no staged re-encipher",
					  v->dev);
	if (st.unbound_state == CRYPT_SLOT_INACTIVE ||
	    st.unbound_state == CRYPT_SLOT_INVALID)
		return vr_no_staged_slot(v, &st);
	ret = pk_luks_volume_key(v->dev, st.unbound, v->pass, v->plen, v->nvk,
				 &v->nvk_len, &v->cli->err);
	if (ret < 0)
		return ret;
	ret = vr_restage_old(v, &st);
	ret = ret ?: vr_check_vp(v, v->nvk, v->nvk_len, st.vp, "staged");
	if (ret)
		return ret;
	v->slot = st.unbound;
	ret = pk_luks_renc_finish(v->dev, v->pass, v->plen, v->nvk, v->nvk_len,
				  v->remove_unbound, &v->left, &v->removed,
				  &v->cli->err);
	/* The tokens' keyslots still hold the old key: give them the new. */
	ret = ret   ?:
		      pk_luks_lt_rebind(v->dev, v->nvk, v->nvk_len, &v->tokens,
					&v->left, &v->cli->err);
	if (ret)
		return ret;
	if (v->left && !v->remove_unbound && vr_ask_remove(v)) {
		ret = pk_luks_unbound_remove(v->dev, &v->left, &removed,
					     &v->cli->err);
		if (ret)
			return ret;
		v->removed += removed;
	}
	/* Open mappings: the live key object takes the new secure key. */
	ret = pk_keyring_update_live(v->nvk, v->nvk_len, v->vp, &v->live,
				     &v->cli->err);
	if (ret && ret != -ENOENT)
		cli_warn(
			"the volume is re-enciphered, but its live key object was not updated: %s (run '" GROUP
			" reencipher %s --complete' again)",
			v->cli->err.msg, v->dev);
	return 0;
}

static void vr_report(const struct vr *v)
{
	static const char *const step[] = {
		[VR_STAGED] = "staged",
		[VR_COMPLETE] = "complete",
		[VR_FROM_OLD] = "from-old",
	};
	struct json_object *o;

	if (!v->cli->json) {
		if (v->resumed)
			printf("re-encipher of %s was complete already\n",
			       v->dev);
		else if (v->mode == VR_STAGED)
			printf("re-encipher of %s staged (CURRENT -> NEW) in keyslot %d; after the NEW master key is set: '" GROUP
			       " reencipher %s --complete'\n",
			       v->dev, v->staged, v->dev);
		else
			printf("re-encipher of %s complete: keyslot %d holds the volume key%s\n",
			       v->dev, v->slot,
			       v->mode == VR_FROM_OLD ? " (OLD -> CURRENT)" :
							"");
		if (v->restaged)
			printf("the staged key was under the OLD master key (two master-key changes since --staged): re-enciphered to CURRENT\n");
		if (v->tokens)
			printf("%d protkey token(s) %s\n", v->tokens,
			       v->mode == VR_STAGED ?
				       "got a staged key (NEW master key)" :
				       "re-enciphered, with a keyslot of the new volume key");
		if (v->live)
			printf("live key object %d updated\n", v->live);
		if (v->removed)
			printf("%d unbound keyslot(s) of the old volume key removed\n",
			       v->removed);
		if (v->left)
			cli_warn(
				"%d keyslot(s) of %s hold the old volume key (unbound) and are kept: remove them with --remove-unbound, or re-add their passphrases with cryptsetup luksAddKey",
				v->left, v->dev);
		return;
	}
	o = json_object_new_object();
	json_object_object_add(o, "device", json_object_new_string(v->dev));
	json_object_object_add(o, "step",
			       json_object_new_string(step[v->mode]));
	json_object_object_add(o, "keyslot",
			       json_object_new_int(v->mode == VR_STAGED ?
							   v->staged :
							   v->slot));
	json_object_object_add(o, "verification-pattern",
			       json_object_new_string(v->vp));
	json_object_object_add(o, "live-key",
			       v->live ? json_object_new_int(v->live) : NULL);
	json_object_object_add(o, "unbound-keyslots-left",
			       json_object_new_int(v->left));
	json_object_object_add(o, "unbound-keyslots-removed",
			       json_object_new_int(v->removed));
	json_object_object_add(o, "staged-key-reenciphered",
			       json_object_new_boolean(v->restaged));
	json_object_object_add(o, "resumed",
			       json_object_new_boolean(v->resumed));
	json_object_object_add(o, "tokens", json_object_new_int(v->tokens));
	cli_json_print(o);
}

static void vr_free(struct vr *v)
{
	cli_secret_free(v->pass);
	explicit_bzero(v->vk, sizeof(v->vk));
	explicit_bzero(v->nvk, sizeof(v->nvk));
}

/*
 * reencipher DEV --staged|--complete|--from-old --key-file FILE
 *	[--remove-unbound]
 */
int cmd_volume_reencipher(struct cli *cli, int argc, char **argv)
{
	struct vr v = { .cli = cli };
	int i, ret, lock = -1;

	i = vr_parse(&v, argc, argv);
	if (i < 0 || i != argc - 1 || v.mode == VR_NONE || v.key ||
	    (v.remove_unbound && v.mode == VR_STAGED))
		return cli_usage(
			GROUP, "reencipher",
			"need DEV, one of --staged, --complete, --from-old, and --key-file FILE or a terminal (--remove-unbound: not with --staged)");
	v.dev = argv[i];
	ret = cli_read_secret(cli, v.key_file, v.dev, false, &v.pass, &v.plen);
	ret = ret ?: pk_blkdev_lock(v.dev, &lock, &cli->err);
	if (!ret && v.mode != VR_COMPLETE)
		ret = vr_stage(&v);
	if (!ret && v.mode != VR_STAGED)
		ret = vr_complete(&v);
	if (!ret)
		vr_report(&v);
	if (lock >= 0)
		close(lock);
	vr_free(&v);
	return ret ? cli_fail(cli, ret) : PK_EXIT_OK;
}

/* rekey NAME --key-file FILE | --key KEY */
int cmd_volume_rekey(struct cli *cli, int argc, char **argv)
{
	struct vr v = { .cli = cli };
	struct pk_luks_status st;
	struct pk_repo repo;
	struct pk_key key;
	char path[320];
	struct stat sb;
	int i, ret;

	i = vr_parse(&v, argc, argv);
	if (i < 0 || i != argc - 1 || v.mode != VR_NONE ||
	    !v.key_file == !v.key || v.remove_unbound)
		return cli_usage(
			GROUP, "rekey",
			"need NAME and one of --key-file FILE, --key KEY");
	ret = pk_name_check(argv[i], &cli->err);
	if (ret)
		return cli_fail(cli, ret);
	snprintf(path, sizeof(path), "/dev/mapper/%s", argv[i]);
	if (stat(path, &sb))
		return cli_fail(cli, pk_err_set(&cli->err, -ENOENT,
						"no mapping %s", argv[i]));
	if (v.key_file) {
		/* The volume key in the mapping's LUKS2 header. */
		ret = pk_luks_status(argv[i], &st, &cli->err);
		v.dev = st.device;
		ret = ret   ?:
			      cli_read_secret(cli, v.key_file, v.dev, false,
					      &v.pass, &v.plen);
		ret = ret   ?:
			      pk_luks_volume_key(v.dev, -1, v.pass, v.plen,
						 v.vk, &v.vk_len, &cli->err);
		ret = ret < 0 ? ret : 0;
	} else {
		v.dev = argv[i];
		ret = cli_repo_open(cli, &repo, 0);
		if (!ret) {
			ret = pk_repo_read(&repo, v.key, &key, &cli->err);
			pk_repo_close(&repo);
		}
		if (!ret) {
			if (key.len <= sizeof(v.vk)) {
				memcpy(v.vk, key.blob, key.len);
				v.vk_len = key.len;
			} else {
				ret = pk_err_set(&cli->err, -EFBIG,
						 "key '%s' is too large",
						 v.key);
			}
			pk_key_free(&key);
		}
	}
	ret = ret ?: vr_check_vp(&v, v.vk, v.vk_len, NULL, "new");
	ret = ret   ?:
		      pk_keyring_update_live(v.vk, v.vk_len, v.vp, &v.live,
					     &cli->err);
	if (!ret && cli->json) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "name",
				       json_object_new_string(argv[i]));
		json_object_object_add(o, "live-key",
				       json_object_new_int(v.live));
		json_object_object_add(o, "verification-pattern",
				       json_object_new_string(v.vp));
		cli_json_print(o);
	} else if (!ret) {
		printf("live key object %d of %s updated\n", v.live, argv[i]);
	}
	vr_free(&v);
	return ret ? cli_fail(cli, ret) : PK_EXIT_OK;
}
