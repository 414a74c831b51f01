// SPDX-License-Identifier: GPL-2.0-only
/*
 * LUKS2 volumes on paes-xts-plain64 with libcryptsetup: the volume key is
 * the XTS secure key itself (its size, not a default, sets the key size:
 * 1024 bits for CCA-AESDATA), keyslots use PBKDF2 with a low iteration
 * count as zkey does (the secure key, not the passphrase, is what
 * protects the data; Argon2 exhausts small guests that open many volumes
 * at boot), and a zkey-compatible "paes-verification-pattern" token
 * records the key's verification pattern. Every header change goes
 * through libcryptsetup, which writes LUKS2 metadata crash-safely.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <json.h>
#include <libcryptsetup.h>

#include "protkey.h"

#define VP_TOKEN_TYPE "paes-verification-pattern"
#define PBKDF2_ITERATIONS 1000

static char last_log[256];

static void log_cb(int level, const char *msg, void *usrptr)
{
	size_t n;

	(void)usrptr;
	if (level != CRYPT_LOG_ERROR)
		return;
	snprintf(last_log, sizeof(last_log), "%s", msg);
	n = strlen(last_log);
	if (n && last_log[n - 1] == '\n')
		last_log[n - 1] = '\0';
}

static int cs_err(struct pk_err *err, int ret, const char *what)
{
	return pk_err_platform(err, ret, "%s%s%s", what,
			       last_log[0] ? ": " : "", last_log);
}

static int init_dev(struct crypt_device **cd, const char *dev,
		    struct pk_err *err)
{
	int ret;

	last_log[0] = '\0';
	crypt_set_log_callback(NULL, log_cb, NULL);
	ret = crypt_init(cd, dev);
	if (ret < 0)
		return pk_err_set(err, ret, "cannot open device %s", dev);
	crypt_set_log_callback(*cd, log_cb, NULL);
	return 0;
}

static char *vp_token_json(const char *vp)
{
	struct json_object *o = json_object_new_object();
	char *s;

	if (!o)
		return NULL;
	json_object_object_add(o, "type",
			       json_object_new_string(VP_TOKEN_TYPE));
	json_object_object_add(o, "keyslots", json_object_new_array());
	json_object_object_add(o, "verification-pattern",
			       json_object_new_string(vp));
	s = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	return s;
}

static int add_vp_token(struct crypt_device *cd, const char *vp,
			struct pk_err *err)
{
	char *json;
	int ret;

	if (!vp || !*vp)
		return 0;
	json = vp_token_json(vp);
	if (!json)
		return pk_err_set(err, -ENOMEM, "token JSON");
	ret = crypt_token_json_set(cd, CRYPT_ANY_TOKEN, json);
	free(json);
	return ret < 0 ? cs_err(err, ret,
				"cannot add the " VP_TOKEN_TYPE " token") :
			 0;
}

/*
 * Formats @dev as LUKS2 with cipher paes-xts-plain64 and volume key @blob,
 * one keyslot for @pass, and a paes-verification-pattern token when @vp
 * is not empty. @sector_size 0 lets libcryptsetup choose.
 */
int pk_luks_format(const char *dev, const uint8_t *blob, size_t len,
		   const char *vp, const char *pass, size_t pass_len,
		   int sector_size, struct pk_err *err)
{
	struct crypt_pbkdf_type pbkdf = {
		.type = CRYPT_KDF_PBKDF2,
		.hash = "sha256",
		.iterations = PBKDF2_ITERATIONS,
		.flags = CRYPT_PBKDF_NO_BENCHMARK,
	};
	struct crypt_params_luks2 params = {
		.sector_size = (uint32_t)sector_size,
	};
	struct crypt_device *cd;
	int ret;

	ret = init_dev(&cd, dev, err);
	if (ret)
		return ret;
	ret = crypt_set_pbkdf_type(cd, &pbkdf);
	if (ret < 0) {
		cs_err(err, ret, "PBKDF2 settings");
		goto out;
	}
	ret = crypt_format(cd, CRYPT_LUKS2, "paes", "xts-plain64", NULL,
			   (const char *)blob, len, &params);
	if (ret < 0) {
		cs_err(err, ret, "LUKS2 format");
		goto out;
	}
	ret = crypt_keyslot_add_by_volume_key(
		cd, CRYPT_ANY_SLOT, (const char *)blob, len, pass, pass_len);
	if (ret < 0) {
		cs_err(err, ret, "cannot add a keyslot");
		goto out;
	}
	ret = add_vp_token(cd, vp, err);
out:
	crypt_free(cd);
	return ret < 0 ? ret : 0;
}

/* 1 when @dev carries a LUKS header, else 0. */
int pk_luks_present(const char *dev)
{
	struct crypt_device *cd;
	int ret;

	crypt_set_log_callback(NULL, log_cb, NULL);
	if (crypt_init(&cd, dev) < 0)
		return 0;
	crypt_set_log_callback(cd, log_cb, NULL);
	ret = crypt_load(cd, CRYPT_LUKS, NULL) >= 0;
	crypt_free(cd);
	return ret;
}

/* Opens LUKS2 volume @dev as /dev/mapper/@name with passphrase @pass. */
int pk_luks_open(const char *dev, const char *name, const char *pass,
		 size_t pass_len, struct pk_err *err)
{
	struct crypt_device *cd;
	int ret;

	ret = init_dev(&cd, dev, err);
	if (ret)
		return ret;
	ret = crypt_load(cd, CRYPT_LUKS2, NULL);
	if (ret < 0) {
		cs_err(err, ret, "no LUKS2 header");
		goto out;
	}
	ret = crypt_activate_by_passphrase(cd, name, CRYPT_ANY_SLOT, pass,
					   pass_len, 0);
	if (ret < 0)
		cs_err(err, ret, "cannot open the volume");
out:
	crypt_free(cd);
	return ret < 0 ? ret : 0;
}

int pk_luks_close(const char *name, struct pk_err *err)
{
	struct crypt_device *cd;
	int ret;

	last_log[0] = '\0';
	crypt_set_log_callback(NULL, log_cb, NULL);
	ret = crypt_init_by_name(&cd, name);
	if (ret < 0)
		return pk_err_set(err, ret, "mapping %s", name);
	ret = crypt_deactivate(cd, name);
	crypt_free(cd);
	return ret < 0 ? cs_err(err, ret, "cannot close the mapping") : 0;
}

/* The verification pattern of @dev's paes-verification-pattern token. */
int pk_luks_token_vp(const char *dev, char vp[PK_VP_HEX + 1],
		     struct pk_err *err)
{
	struct json_object *o, *v;
	struct crypt_device *cd;
	const char *type, *json;
	int ret, t;

	vp[0] = '\0';
	ret = init_dev(&cd, dev, err);
	if (ret)
		return ret;
	ret = crypt_load(cd, CRYPT_LUKS2, NULL);
	for (t = 0; ret >= 0 && t < 32; t++) {
		if (crypt_token_status(cd, t, &type) == CRYPT_TOKEN_INACTIVE ||
		    !type || strcmp(type, VP_TOKEN_TYPE) ||
		    crypt_token_json_get(cd, t, &json) < 0)
			continue;
		o = json_tokener_parse(json);
		if (o &&
		    json_object_object_get_ex(o, "verification-pattern", &v) &&
		    json_object_is_type(v, json_type_string))
			snprintf(vp, PK_VP_HEX + 1, "%s",
				 json_object_get_string(v));
		json_object_put(o);
		break;
	}
	crypt_free(cd);
	return ret < 0 ? cs_err(err, ret, "no LUKS2 header") : 0;
}

int pk_luks_status(const char *name, struct pk_luks_status *st,
		   struct pk_err *err)
{
	struct crypt_active_device cad;
	struct crypt_device *cd;
	const char *s;
	int ret;

	memset(st, 0, sizeof(*st));
	last_log[0] = '\0';
	crypt_set_log_callback(NULL, log_cb, NULL);
	ret = crypt_init_by_name(&cd, name);
	if (ret < 0)
		return pk_err_set(err, ret, "mapping %s", name);
	ret = crypt_status(cd, name);
	st->active = ret == CRYPT_ACTIVE || ret == CRYPT_BUSY;
	if (!st->active) {
		crypt_free(cd);
		return pk_err_set(err, -ENOENT, "mapping %s is not active",
				  name);
	}
	snprintf(st->cipher, sizeof(st->cipher), "%s-%s",
		 crypt_get_cipher(cd) ?: "?", crypt_get_cipher_mode(cd) ?: "?");
	st->key_bits = crypt_get_volume_key_size(cd) * 8;
	s = crypt_get_device_name(cd);
	snprintf(st->device, sizeof(st->device), "%s", s ? s : "");
	s = crypt_get_type(cd);
	snprintf(st->type, sizeof(st->type), "%s", s ? s : "");
	st->sector_size = crypt_get_sector_size(cd);
	if (!crypt_get_active_device(cd, name, &cad)) {
		st->offset = cad.offset;
		st->size = cad.size;
	}
	crypt_free(cd);
	if (st->device[0] && !strcmp(st->type, CRYPT_LUKS2))
		pk_luks_token_vp(st->device, st->vp, NULL);
	return 0;
}
