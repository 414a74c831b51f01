// SPDX-License-Identifier: GPL-2.0-only
/*
 * protkey tokens in a LUKS2 header (libcryptsetup): add (a new keyslot
 * whose random passphrase the token seals), remove (never the last way
 * in), list, and activation through the token. protkeyctl registers the
 * handler in its own process, so it opens with the token whether or not
 * the plugin is installed in libcryptsetup's token directory.
 *
 * Crash safety (every header commit goes through libcryptsetup): add
 * commits the keyslot, then the token; interrupted in between, the volume
 * opens as before and keeps an unused keyslot. Remove commits the token's
 * removal, then destroys its keyslots. A re-encipher rewrites each token
 * in one commit (pk_luks_lt_follow()), and its completion gives each
 * token a keyslot of the new volume key (pk_luks_lt_rebind()).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libcryptsetup.h>

#include "protkey.h"

static char lt_log[256];

static void lt_log_cb(int level, const char *msg, void *usrptr)
{
	size_t n;

	(void)usrptr;
	pk_cs_log(level, msg);
	if (level != CRYPT_LOG_ERROR)
		return;
	snprintf(lt_log, sizeof(lt_log), "%s", msg);
	n = strlen(lt_log);
	if (n && lt_log[n - 1] == '\n')
		lt_log[n - 1] = '\0';
}

static int lt_cs_err(struct pk_err *err, int ret, const char *what)
{
	return pk_err_platform(err, ret, "%s%s%s", what, lt_log[0] ? ": " : "",
			       lt_log);
}

static void lt_buffer_free(void *buf, size_t len)
{
	pk_wipe_free(buf, len);
}

static int lt_handler_open(struct crypt_device *cd, int token, char **buffer,
			   size_t *len, void *usrptr)
{
	(void)usrptr;
	return pk_lt_open(cd, token, buffer, len);
}

static int lt_handler_validate(struct crypt_device *cd, const char *json)
{
	struct pk_err err = { 0 };
	struct pk_lt lt;
	int ret = pk_lt_parse(json, &lt, &err);

	pk_lt_wipe(&lt);
	if (ret)
		crypt_logf(cd, CRYPT_LOG_ERROR, "%s\n", err.msg);
	return ret ? -EINVAL : 0;
}

static void lt_register(void)
{
	static const crypt_token_handler h = {
		.name = PK_LT_TYPE,
		.open = lt_handler_open,
		.buffer_free = lt_buffer_free,
		.validate = lt_handler_validate,
	};
	static bool done;

	if (!done && !crypt_token_register(&h))
		done = true;
}

static int lt_load(struct crypt_device **cd, const char *dev,
		   struct pk_err *err)
{
	int ret;

	lt_log[0] = '\0';
	lt_register();
	crypt_set_log_callback(NULL, lt_log_cb, NULL);
	ret = crypt_init(cd, dev);
	if (ret < 0)
		return pk_err_set(err, ret, "cannot open device %s", dev);
	crypt_set_log_callback(*cd, lt_log_cb, NULL);
	ret = crypt_load(*cd, CRYPT_LUKS2, NULL);
	if (ret < 0) {
		crypt_free(*cd);
		*cd = NULL;
		return pk_err_set(err, -EINVAL, "%s: no LUKS2 header", dev);
	}
	return 0;
}

/*
 * pk_luks_lt_add() - seal a new keyslot's passphrase into a protkey token
 * @dev: the LUKS2 device
 * @pass: an existing passphrase (opens some keyslot)
 * @pass_len: its length
 * @key: the wrapping XTS secure key
 * @key_len: its length
 * @key_name: its repository name, or NULL
 * @token: receives the token's number
 * @slot: receives the new keyslot
 * @err: error
 *
 * Return: 0; -EPERM when @pass opens no keyslot; -ENOSPC when no keyslot
 * or token is free; the kernel's error when the platform cannot derive
 * @key (nothing changed then); an error of libcryptsetup.
 */
int pk_luks_lt_add(const char *dev, const char *pass, size_t pass_len,
		   const uint8_t *key, size_t key_len, const char *key_name,
		   int *token, int *slot, struct pk_err *err)
{
	static const struct crypt_pbkdf_type pbkdf = {
		.type = CRYPT_KDF_PBKDF2,
		.hash = "sha256",
		.iterations = 1000,
		.flags = CRYPT_PBKDF_NO_BENCHMARK,
	};
	char newpass[PK_LT_PASS_LEN + 1], *json = NULL;
	struct crypt_device *cd;
	struct pk_lt lt;
	int ret;

	ret = lt_load(&cd, dev, err);
	if (ret)
		return ret;
	ret = pk_lt_seal(&lt, key, key_len, key_name, newpass, err);
	if (ret)
		goto out;
	/*
	 * A random 256-bit passphrase: PBKDF2 with few iterations is enough,
	 * on purpose (no passphrase to slow down guessing). Keyslots of a
	 * user's passphrase get zkey's KDF instead (lib/luks.c).
	 */
	ret = crypt_set_pbkdf_type(cd, &pbkdf);
	if (ret < 0) {
		lt_cs_err(err, ret, "PBKDF2 settings");
		goto out;
	}
	ret = crypt_keyslot_add_by_passphrase(
		cd, CRYPT_ANY_SLOT, pass, pass_len, newpass, PK_LT_PASS_LEN);
	if (ret == -EPERM || ret == -ENOENT) {
		ret = pk_err_set(err, -EPERM,
				 "no keyslot of %s opens with this passphrase",
				 dev);
		goto out;
	}
	if (ret < 0) {
		lt_cs_err(err, ret, "cannot add the token's keyslot");
		goto out;
	}
	*slot = ret;
	pk_fault_point("token-keyslot");
	lt.keyslots[0] = ret;
	lt.n_keyslots = 1;
	json = pk_lt_format(&lt);
	ret = json ? crypt_token_json_set(cd, CRYPT_ANY_TOKEN, json) : -ENOMEM;
	if (ret < 0) {
		lt_cs_err(err, ret, "cannot add the protkey token");
		crypt_keyslot_destroy(cd, *slot);
		goto out;
	}
	*token = ret;
	ret = 0;
out:
	explicit_bzero(newpass, sizeof(newpass));
	if (json) {
		explicit_bzero(json, strlen(json));
		free(json);
	}
	pk_lt_wipe(&lt);
	crypt_free(cd);
	return ret;
}

/* Keyslots bound to the data segment, except those in @skip. */
static int other_slots(struct crypt_device *cd, const struct pk_lt *skip)
{
	crypt_keyslot_info ki;
	int s, i, n = 0;
	bool in;

	for (s = 0; s < pk_luks_keyslots(); s++) {
		ki = crypt_keyslot_status(cd, s);
		if (ki != CRYPT_SLOT_ACTIVE && ki != CRYPT_SLOT_ACTIVE_LAST)
			continue;
		for (i = 0, in = false; i < skip->n_keyslots; i++)
			in |= skip->keyslots[i] == s;
		n += !in;
	}
	return n;
}

/*
 * pk_luks_lt_remove() - remove protkey token @token and its keyslots
 *
 * Refuses (-EBUSY) when no other keyslot would be left to open the volume.
 * Return: 0; -ENOENT when @token is not a protkey token; -EBUSY; an error
 * of libcryptsetup.
 */
int pk_luks_lt_remove(const char *dev, int token, struct pk_err *err)
{
	struct pk_err perr = { 0 };
	struct crypt_device *cd;
	const char *type, *json;
	struct pk_lt lt = { 0 };
	int ret, i;

	ret = lt_load(&cd, dev, err);
	if (ret)
		return ret;
	ret = -ENOENT;
	if (token < 0 || token >= pk_luks_tokens() ||
	    crypt_token_status(cd, token, &type) == CRYPT_TOKEN_INACTIVE ||
	    !type || strcmp(type, PK_LT_TYPE) ||
	    crypt_token_json_get(cd, token, &json) < 0) {
		ret = pk_err_set(err, -ENOENT, "%s: token %d is not a %s token",
				 dev, token, PK_LT_TYPE);
		goto out;
	}
	/* A malformed token is removed alone: its keyslots are unknown. */
	pk_lt_parse(json, &lt, &perr);
	if (!other_slots(cd, &lt)) {
		ret = pk_err_set(
			err, -EBUSY,
			"%s: token %d is the last way in: add a passphrase first",
			dev, token);
		goto out;
	}
	ret = crypt_token_json_set(cd, token, NULL);
	if (ret < 0) {
		lt_cs_err(err, ret, "cannot remove the token");
		goto out;
	}
	pk_fault_point("token-removed");
	for (i = 0; i < lt.n_keyslots; i++) {
		ret = crypt_keyslot_destroy(cd, lt.keyslots[i]);
		if (ret < 0 && ret != -ENOENT && ret != -EINVAL) {
			lt_cs_err(err, ret,
				  "cannot destroy the token's keyslot");
			goto out;
		}
	}
	ret = 0;
out:
	pk_lt_wipe(&lt);
	crypt_free(cd);
	return ret;
}

/* The protkey tokens of @dev, parsed (a malformed one with its error). */
int pk_luks_lt_list(const char *dev, struct pk_luks_lt **list, size_t *n,
		    struct pk_err *err)
{
	struct crypt_device *cd;
	const char *type, *json;
	struct pk_err perr;
	int ret, t;

	*list = NULL;
	*n = 0;
	ret = lt_load(&cd, dev, err);
	if (ret)
		return ret;
	*list = calloc(PK_LUKS_SLOTS, sizeof(**list));
	if (!*list) {
		crypt_free(cd);
		return pk_err_set(err, -ENOMEM, "token list");
	}
	for (t = 0; t < pk_luks_tokens(); t++) {
		if (crypt_token_status(cd, t, &type) == CRYPT_TOKEN_INACTIVE ||
		    !type || strcmp(type, PK_LT_TYPE) ||
		    crypt_token_json_get(cd, t, &json) < 0)
			continue;
		perr.msg[0] = '\0';
		(*list)[*n].token = t;
		if (pk_lt_parse(json, &(*list)[*n].lt, &perr))
			snprintf((*list)[*n].err, sizeof((*list)[*n].err), "%s",
				 perr.msg);
		(*n)++;
	}
	crypt_free(cd);
	return 0;
}

/* Whether token @t is a well-formed protkey token; parsed into @lt. */
static bool lt_get(struct crypt_device *cd, int t, struct pk_lt *lt)
{
	struct pk_err perr;
	const char *type, *json;

	return crypt_token_status(cd, t, &type) != CRYPT_TOKEN_INACTIVE &&
	       type && !strcmp(type, PK_LT_TYPE) &&
	       crypt_token_json_get(cd, t, &json) >= 0 &&
	       !pk_lt_parse(json, lt, &perr);
}

/**
 * pk_luks_lt_follow() - the protkey tokens' wrapping keys follow a
 *	master-key change
 * @dev: the LUKS2 device
 * @step: PK_LT_STAGE: @renc's key becomes each token's "staged-key" (the
 *	secure key keeps working until the NEW master key is set, the staged
 *	one after; pk_luks_lt_rebind() makes it the token's key);
 *	PK_LT_REPLACE: it replaces the secure key (OLD -> CURRENT)
 * @renc: re-enciphers a token's wrapping key into its last argument (as
 *	long as the key): 0, 1 when this key needs nothing, or an error
 * @ctx: @renc's first argument
 * @changed: receives how many tokens were rewritten
 * @err: error
 *
 * Tokens wrapped by UV secrets (no master key) and malformed tokens are
 * left alone. Each rewritten token is one header commit; a rerun after an
 * interruption redoes the tokens not yet rewritten, the others need
 * nothing then.
 * Return: 0; the first error of @renc or of libcryptsetup (the tokens
 * before it are rewritten, those after it unchanged).
 */
int pk_luks_lt_follow(const char *dev, enum pk_lt_step step,
		      int (*renc)(void *ctx, const uint8_t *key, size_t len,
				  uint8_t *out),
		      void *ctx, int *changed, struct pk_err *err)
{
	uint8_t out[PK_XTS_BLOB_MAX];
	struct crypt_device *cd;
	struct pk_err perr;
	char *text = NULL;
	struct pk_lt lt;
	int ret, t;

	*changed = 0;
	ret = lt_load(&cd, dev, err);
	if (ret)
		return ret;
	for (t = 0; t < pk_luks_tokens() && !ret; t++) {
		if (!lt_get(cd, t, &lt))
			continue;
		if (!strcmp(lt.key_type, "PVSECRET-AES")) {
			pk_lt_wipe(&lt);
			continue;
		}
		ret = renc(ctx, lt.key, lt.key_len, out);
		if (ret < 0) {
			perr = *err;
			pk_err_set(err, ret, "protkey token %d: %s", t,
				   perr.msg);
		}
		if (!ret && step == PK_LT_STAGE) {
			memcpy(lt.staged, out, lt.key_len);
			lt.staged_len = lt.key_len;
		} else if (!ret) {
			ret = pk_lt_set_key(&lt, out, lt.key_len, err);
		}
		if (!ret) {
			text = pk_lt_format(&lt);
			ret = text ? crypt_token_json_set(cd, t, text) :
				     -ENOMEM;
			if (ret < 0)
				lt_cs_err(err, ret, "cannot rewrite the token");
			else
				(*changed)++;
			if (text)
				explicit_bzero(text, strlen(text));
			free(text);
			pk_fault_point("token-followed");
		}
		if (ret > 0) /* this token needs nothing, or it was rewritten */
			ret = 0;
		pk_lt_wipe(&lt);
	}
	explicit_bzero(out, sizeof(out));
	crypt_free(cd);
	return ret;
}

/* Whether one of @lt's keyslots is bound to the data segment. */
static bool lt_bound(struct crypt_device *cd, const struct pk_lt *lt)
{
	crypt_keyslot_info ki;
	int i;

	for (i = 0; i < lt->n_keyslots; i++) {
		ki = crypt_keyslot_status(cd, lt->keyslots[i]);
		if (ki == CRYPT_SLOT_ACTIVE || ki == CRYPT_SLOT_ACTIVE_LAST)
			return true;
	}
	return false;
}

/*
 * One token of pk_luks_lt_rebind(): its passphrase opens a keyslot of
 * @vk (an existing one, after an interrupted run, or a new one), the token
 * names that keyslot (and takes its staged key), its old keyslots go.
 */
static int lt_rebind_one(struct crypt_device *cd, int t, struct pk_lt *lt,
			 const uint8_t *vk, size_t vk_len, struct pk_err *err)
{
	static const struct crypt_pbkdf_type pbkdf = {
		.type = CRYPT_KDF_PBKDF2,
		.hash = "sha256",
		.iterations = 1000,
		.flags = CRYPT_PBKDF_NO_BENCHMARK,
	};
	uint8_t pass[PK_LT_SEALED_MAX];
	int old[PK_LUKS_SLOTS], n_old, i, slot, ret;
	char *text = NULL;

	ret = pk_lt_unseal(lt, pass, err);
	if (ret)
		return pk_err_platform(
			err, ret, "protkey token %d cannot be unwrapped: %s", t,
			err->msg);
	slot = crypt_activate_by_passphrase(cd, NULL, CRYPT_ANY_SLOT,
					    (const char *)pass, lt->sealed_len,
					    0);
	if (slot < 0 ||
	    !(crypt_keyslot_status(cd, slot) == CRYPT_SLOT_ACTIVE ||
	      crypt_keyslot_status(cd, slot) == CRYPT_SLOT_ACTIVE_LAST)) {
		ret = crypt_set_pbkdf_type(cd, &pbkdf);
		slot = ret < 0 ? ret :
				 crypt_keyslot_add_by_key(cd, CRYPT_ANY_SLOT,
							  (const char *)vk,
							  vk_len,
							  (const char *)pass,
							  lt->sealed_len, 0);
	}
	explicit_bzero(pass, sizeof(pass));
	if (slot < 0)
		return lt_cs_err(err, slot, "cannot add the token's keyslot");
	pk_fault_point("token-rebind-keyslot");
	n_old = lt->n_keyslots;
	memcpy(old, lt->keyslots, sizeof(old));
	lt->keyslots[0] = slot;
	lt->n_keyslots = 1;
	if (lt->staged_len) {
		ret = pk_lt_set_key(lt, lt->staged, lt->staged_len, err);
		if (ret)
			return ret;
	}
	text = pk_lt_format(lt);
	ret = text ? crypt_token_json_set(cd, t, text) : -ENOMEM;
	if (text) {
		explicit_bzero(text, strlen(text));
		free(text);
	}
	if (ret < 0)
		return lt_cs_err(err, ret, "cannot rewrite the token");
	pk_fault_point("token-rebind-token");
	for (i = 0; i < n_old; i++) {
		if (old[i] == slot ||
		    crypt_keyslot_status(cd, old[i]) != CRYPT_SLOT_UNBOUND)
			continue;
		ret = crypt_keyslot_destroy(cd, old[i]);
		if (ret < 0)
			return lt_cs_err(
				err, ret,
				"cannot destroy the token's old keyslot");
	}
	return 0;
}

/**
 * pk_luks_lt_rebind() - the protkey tokens' keyslots take the new volume key
 * @dev: the LUKS2 device
 * @vk: the volume key now bound to the data segment (the re-enciphered
 *	secure key, after "volume reencipher --complete")
 * @vk_len: its length
 * @changed: receives how many tokens were rebound
 * @left: receives how many keyslots are left unbound afterwards, or NULL
 * @err: error
 *
 * A token's keyslot holds the volume key it was added with; the
 * re-encipher's new volume key unbinds it. For each protkey token none of
 * whose keyslots is bound: its passphrase (unwrapped with its key, or its
 * staged key) gets a keyslot of @vk, the token names that keyslot and
 * takes its staged key as its key, then its old keyslots are destroyed.
 * Three commits per token, each safe to interrupt: a rerun finds the
 * keyslot the passphrase already opens, or the token bound. Tokens of
 * UV secrets are rebound alike (their key does not change).
 *
 * Return: 0; the first error (the tokens before it are done): the
 * platform's when a token cannot be unwrapped, or libcryptsetup's.
 */
int pk_luks_lt_rebind(const char *dev, const uint8_t *vk, size_t vk_len,
		      int *changed, int *left, struct pk_err *err)
{
	struct crypt_device *cd;
	struct pk_lt lt;
	int ret, t, s;

	*changed = 0;
	ret = lt_load(&cd, dev, err);
	if (ret)
		return ret;
	for (t = 0; t < pk_luks_tokens() && !ret; t++) {
		if (!lt_get(cd, t, &lt))
			continue;
		if (!lt_bound(cd, &lt)) {
			ret = lt_rebind_one(cd, t, &lt, vk, vk_len, err);
			*changed += !ret;
		}
		pk_lt_wipe(&lt);
	}
	if (left)
		for (s = 0, *left = 0; s < pk_luks_keyslots(); s++)
			*left += crypt_keyslot_status(cd, s) ==
				 CRYPT_SLOT_UNBOUND;
	crypt_free(cd);
	return ret;
}

/*
 * pk_luks_lt_activate() - open @dev as @name through a protkey token
 *
 * Return: 0; -ENOENT when @dev has no protkey token; -EAGAIN when the
 * platform cannot unwrap any now (the reason is in libcryptsetup's debug
 * log); another error of libcryptsetup.
 */
int pk_luks_lt_activate(const char *dev, const char *name, struct pk_err *err)
{
	struct crypt_device *cd;
	int ret;

	ret = lt_load(&cd, dev, err);
	if (ret)
		return ret;
	ret = crypt_activate_by_token_pin(cd, name, PK_LT_TYPE, CRYPT_ANY_TOKEN,
					  NULL, 0, NULL, 0);
	crypt_free(cd);
	if (ret >= 0)
		return 0;
	if (ret == -ENOENT)
		return pk_err_set(err, ret, "%s: no usable protkey token", dev);
	if (ret == -EAGAIN)
		return pk_err_platform(
			err, ret,
			"%s: the platform cannot unwrap the protkey token now (master key absent or adapters unusable?)",
			dev);
	return lt_cs_err(err, ret, "cannot open the volume with its token");
}
