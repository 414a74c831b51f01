// SPDX-License-Identifier: GPL-2.0-only
/*
 * LUKS2 volumes on paes-xts-plain64 with libcryptsetup: the volume key is
 * the XTS secure key itself (its size, not a default, sets the key size:
 * 1024 bits for CCA-AESDATA), a new volume's keyslot gets the KDF that
 * "zkey cryptsetup" prints for luksFormat (s390-tools zkey/keystore.c):
 * Argon2i with 32 KiB and 4 iterations, PBKDF2 when the kernel runs in
 * FIPS mode (its policy may forbid Argon2), unless the user chose
 * cryptsetup's --pbkdf options (the secure key, not the passphrase,
 * protects the data; Argon2's defaults exhaust small guests that open
 * many volumes at boot). A keyslot added by a re-encipher keeps the KDF
 * of the keyslot it replaces, as zkey-cryptsetup's open_keyslot() does. A
 * zkey-compatible "paes-verification-pattern" token records the key's
 * verification pattern. Every header change goes through libcryptsetup,
 * which writes LUKS2 metadata crash-safely.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json.h>
#include <libcryptsetup.h>

#include "protkey.h"

#define VP_TOKEN_TYPE "paes-verification-pattern"
/*
 * zkey-cryptsetup's optional second pattern, of a volume's integrity
 * (phmac) key, in both the verification-pattern and the re-encipher
 * token; it reads at most 64 characters of it.
 */
#define IVP_NAME "integrity-verification-pattern"
#define ZKEY_ARGON2_MEMORY_KB 32
#define ZKEY_ARGON2_ITERATIONS 4
#define FIPS_FILE "/proc/sys/crypto/fips_enabled"

static char last_log[256];

/*
 * How many keyslots and tokens a LUKS2 header has, as libcryptsetup says
 * (crypt_keyslot_max(), crypt_token_max()), never more than the
 * PK_LUKS_SLOTS that arrays here are sized for.
 */
int pk_luks_keyslots(void)
{
	int n = crypt_keyslot_max(CRYPT_LUKS2);

	return n > 0 && n <= PK_LUKS_SLOTS ? n : PK_LUKS_SLOTS;
}

int pk_luks_tokens(void)
{
	int n = crypt_token_max(CRYPT_LUKS2);

	return n > 0 && n <= PK_LUKS_SLOTS ? n : PK_LUKS_SLOTS;
}

bool pk_verbose;

/*
 * With -v/--verbose (pk_verbose), every message libcryptsetup logs, its
 * debug log included (crypt_set_debug_level(CRYPT_DEBUG_ALL), set by
 * pk_set_verbose()), goes to stderr as it comes; the error messages are
 * kept for the error report as well.
 */
void pk_cs_log(int level, const char *msg)
{
	if (!pk_verbose || level == CRYPT_LOG_DEBUG_JSON)
		return;
	fprintf(stderr, "libcryptsetup%s: %s%s",
		level == CRYPT_LOG_DEBUG ? " (debug)" :
		level == CRYPT_LOG_ERROR ? " (error)" :
					   "",
		msg, *msg && msg[strlen(msg) - 1] == '\n' ? "" : "\n");
}

void pk_set_verbose(bool on)
{
	pk_verbose = on;
	crypt_set_debug_level(on ? CRYPT_DEBUG_ALL : CRYPT_DEBUG_NONE);
}

static void log_cb(int level, const char *msg, void *usrptr)
{
	size_t n;

	(void)usrptr;
	pk_cs_log(level, msg);
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

/* 1 when the kernel runs in FIPS mode (fips=1), else 0. */
static int fips_enabled(void)
{
	FILE *f = fopen(FIPS_FILE, "r");
	int c = f ? fgetc(f) : EOF;

	if (f)
		fclose(f);
	return c == '1';
}

/*
 * The KDF of a new volume's keyslot: @u's cryptsetup-style choices on top
 * of libcryptsetup's defaults when the user made any, else zkey's.
 */
static void pbkdf_resolve(const struct pk_luks_pbkdf *u,
			  struct crypt_pbkdf_type *p)
{
	const struct crypt_pbkdf_type *def =
		crypt_get_pbkdf_default(CRYPT_LUKS2);
	bool fips = u && u->fips >= 0 ? u->fips : fips_enabled();
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	*p = *def;
	if (u && (u->type || u->iterations || u->memory_kb || u->time_ms)) {
		if (u->type)
			p->type = u->type;
		if (u->memory_kb)
			p->max_memory_kb = u->memory_kb;
		if (u->time_ms)
			p->time_ms = u->time_ms;
		if (u->iterations) {
			p->iterations = u->iterations;
			p->flags |= CRYPT_PBKDF_NO_BENCHMARK;
		}
	} else if (fips) {
		/* zkey prints "--pbkdf pbkdf2": cryptsetup benchmarks it */
		p->type = CRYPT_KDF_PBKDF2;
	} else {
		p->type = CRYPT_KDF_ARGON2I;
		p->max_memory_kb = ZKEY_ARGON2_MEMORY_KB;
		p->iterations = ZKEY_ARGON2_ITERATIONS;
		p->flags |= CRYPT_PBKDF_NO_BENCHMARK;
	}
	if (!strcmp(p->type, CRYPT_KDF_PBKDF2)) {
		p->max_memory_kb = 0;
		p->parallel_threads = 0;
	} else if (cpus > 0 && p->parallel_threads > (uint32_t)cpus) {
		/* as the cryptsetup tool limits it */
		p->parallel_threads = (uint32_t)cpus;
	}
}

static int set_pbkdf(struct crypt_device *cd, const struct pk_luks_pbkdf *u,
		     struct pk_err *err)
{
	struct crypt_pbkdf_type p;
	int ret;

	pbkdf_resolve(u, &p);
	ret = crypt_set_pbkdf_type(cd, &p);
	return ret < 0 ? cs_err(err, ret, "PBKDF settings") : 0;
}

/*
 * New keyslots of @cd get the KDF of keyslot @slot, its benchmarked
 * iterations reused (zkey-cryptsetup's open_keyslot()).
 */
static int copy_pbkdf(struct crypt_device *cd, int slot, struct pk_err *err)
{
	struct crypt_pbkdf_type p;
	int ret;

	memset(&p, 0, sizeof(p));
	ret = crypt_keyslot_get_pbkdf(cd, slot, &p);
	if (ret < 0)
		return cs_err(err, ret, "cannot read the KDF of the keyslot");
	p.flags |= CRYPT_PBKDF_NO_BENCHMARK;
	ret = crypt_set_pbkdf_type(cd, &p);
	return ret < 0 ? cs_err(err, ret, "KDF settings for the new keyslot") :
			 0;
}

/*
 * Formats @dev as LUKS2 with cipher paes-xts-plain64 and volume key @blob,
 * one keyslot for @pass with the KDF of @pbkdf (NULL: zkey's, see the
 * top), and a paes-verification-pattern token when @vp is not empty.
 * @sector_size 0 lets libcryptsetup choose.
 */
int pk_luks_format(const char *dev, const uint8_t *blob, size_t len,
		   const char *vp, const char *pass, size_t pass_len,
		   int sector_size, const struct pk_luks_pbkdf *pbkdf,
		   struct pk_err *err)
{
	struct crypt_params_luks2 params = {
		.sector_size = (uint32_t)sector_size,
	};
	struct crypt_device *cd;
	int ret;

	ret = init_dev(&cd, dev, err);
	if (ret)
		return ret;
	ret = set_pbkdf(cd, pbkdf, err);
	if (ret < 0)
		goto out;
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
	if (ret == -EPERM) {
		/* libcryptsetup's answer when no keyslot opens */
		pk_err_set(err, ret,
			   "no keyslot of %s opens with this passphrase", dev);
		if (err)
			err->origin = PK_ORIGIN_PASSPHRASE;
	} else if (ret < 0) {
		cs_err(err, ret, "cannot open the volume");
	}
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

/* Copies the string member @name of @o, if there is one, to @buf. */
static void json_str(struct json_object *o, const char *name, char *buf,
		     size_t len)
{
	struct json_object *v;

	if (json_object_object_get_ex(o, name, &v) &&
	    json_object_is_type(v, json_type_string))
		snprintf(buf, len, "%s", json_object_get_string(v));
}

/*
 * The patterns of the first paes-verification-pattern token of @cd:
 * @vp, and @ivp (when not NULL) its integrity-verification-pattern;
 * each "" when absent.
 */
static void vp_token_read(struct crypt_device *cd, char vp[PK_VP_HEX + 1],
			  char ivp[PK_VP_HEX + 1])
{
	const char *type, *json;
	struct json_object *o;
	int t;

	vp[0] = '\0';
	if (ivp)
		ivp[0] = '\0';
	for (t = 0; t < pk_luks_tokens(); t++) {
		if (crypt_token_status(cd, t, &type) == CRYPT_TOKEN_INACTIVE ||
		    !type || strcmp(type, VP_TOKEN_TYPE) ||
		    crypt_token_json_get(cd, t, &json) < 0)
			continue;
		o = json_tokener_parse(json);
		if (o) {
			json_str(o, "verification-pattern", vp, PK_VP_HEX + 1);
			if (ivp)
				json_str(o, IVP_NAME, ivp, PK_VP_HEX + 1);
		}
		json_object_put(o);
		return;
	}
}

/*
 * The verification pattern of @dev's paes-verification-pattern token,
 * and (@ivp not NULL) its integrity-verification-pattern.
 */
int pk_luks_token_vp(const char *dev, char vp[PK_VP_HEX + 1],
		     char ivp[PK_VP_HEX + 1], struct pk_err *err)
{
	struct crypt_device *cd;
	int ret;

	vp[0] = '\0';
	if (ivp)
		ivp[0] = '\0';
	ret = init_dev(&cd, dev, err);
	if (ret)
		return ret;
	ret = crypt_load(cd, CRYPT_LUKS2, NULL);
	if (ret >= 0)
		vp_token_read(cd, vp, ivp);
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
		pk_luks_token_vp(st->device, st->vp, st->ivp, NULL);
	return 0;
}

/*
 * Re-encipher of the volume key in the LUKS2 header, in zkey-cryptsetup's
 * format: the re-enciphered key goes into an unbound keyslot (same
 * passphrase) and a "paes-reencipher" token names it and the keyslot it
 * replaces; completing assigns the unbound keyslot to the data segment
 * (CRYPT_VOLUME_KEY_SET on an existing keyslot: one header commit), then
 * destroys the original keyslot and the token. The volume key's effective
 * AES key never changes, so at every commit in between the volume opens
 * with either the old or the new secure key, and each step can be run
 * again after an interruption (see pk_luks_renc_stage()).
 */
#define RENC_TOKEN_TYPE "paes-reencipher"
#define RENC_ORIGINAL "original-keyslot"
#define RENC_UNBOUND "unbound-keyslot"

static int load_luks2(struct crypt_device **cd, const char *dev,
		      struct pk_err *err)
{
	int ret = init_dev(cd, dev, err);

	if (ret)
		return ret;
	ret = crypt_load(*cd, CRYPT_LUKS2, NULL);
	if (ret < 0) {
		crypt_free(*cd);
		*cd = NULL;
		return pk_err_set(err, -EINVAL, "%s: no LUKS2 header%s%s", dev,
				  last_log[0] ? ": " : "", last_log);
	}
	return 0;
}

/* An integer member 0..LUKS2 keyslots of token @o, or -1. */
static int renc_slot(struct json_object *o, const char *name)
{
	struct json_object *v;
	int64_t n;

	if (!json_object_object_get_ex(o, name, &v) ||
	    !json_object_is_type(v, json_type_int))
		return -1;
	n = json_object_get_int64(v);
	return n >= 0 && n < pk_luks_keyslots() ? (int)n : -1;
}

/* The first paes-reencipher token of @cd into @st; -ENOENT if none. */
static int renc_find(struct crypt_device *cd, struct pk_luks_renc *st,
		     struct pk_err *err)
{
	struct json_object *o;
	const char *type, *json;
	int t, ret;

	memset(st, 0, sizeof(*st));
	st->token = st->original = st->unbound = -1;
	for (t = 0; t < pk_luks_tokens(); t++) {
		if (crypt_token_status(cd, t, &type) == CRYPT_TOKEN_INACTIVE ||
		    !type || strcmp(type, RENC_TOKEN_TYPE) ||
		    crypt_token_json_get(cd, t, &json) < 0)
			continue;
		st->token = t;
		o = json_tokener_parse(json);
		ret = -EINVAL;
		if (o) {
			st->original = renc_slot(o, RENC_ORIGINAL);
			st->unbound = renc_slot(o, RENC_UNBOUND);
			json_str(o, "verification-pattern", st->vp,
				 sizeof(st->vp));
			json_str(o, IVP_NAME, st->ivp, sizeof(st->ivp));
			if (st->original >= 0 && st->unbound >= 0 &&
			    st->original != st->unbound)
				ret = 0;
			json_object_put(o);
		}
		if (ret)
			return pk_err_set(err, ret,
					  "token %d (" RENC_TOKEN_TYPE
					  ") is malformed",
					  t);
		st->unbound_state = crypt_keyslot_status(cd, st->unbound);
		st->original_state = crypt_keyslot_status(cd, st->original);
		return 0;
	}
	return -ENOENT;
}

/**
 * pk_luks_renc_state() - the staged re-encipher of @dev, if any
 * @dev: the LUKS2 device
 * @st: receives the token's fields; @st->token is -1 when there is none
 * @err: error
 *
 * Return: 0 (with or without a token); -EINVAL for a malformed token; an
 * error of libcryptsetup.
 */
int pk_luks_renc_state(const char *dev, struct pk_luks_renc *st,
		       struct pk_err *err)
{
	struct crypt_device *cd;
	int ret;

	memset(st, 0, sizeof(*st));
	st->token = st->original = st->unbound = -1;
	ret = load_luks2(&cd, dev, err);
	if (ret)
		return ret;
	ret = renc_find(cd, st, err);
	crypt_free(cd);
	return ret == -ENOENT ? 0 : ret;
}

/**
 * pk_luks_volume_key() - the volume key, opened with a passphrase
 * @dev: the LUKS2 device
 * @slot: the keyslot to open, or -1 for any keyslot bound to the data
 *	segment (never an unbound one: a staged key is not the volume key)
 * @pass: passphrase
 * @pass_len: its length
 * @vk: receives the key, PK_XTS_BLOB_MAX bytes
 * @vk_len: receives its length
 * @err: error
 *
 * Return: the keyslot that opened; -EPERM when the passphrase opens none;
 * another negative error.
 */
int pk_luks_volume_key(const char *dev, int slot, const char *pass,
		       size_t pass_len, uint8_t *vk, size_t *vk_len,
		       struct pk_err *err)
{
	struct crypt_device *cd;
	crypt_keyslot_info ki;
	int ret, s;

	ret = load_luks2(&cd, dev, err);
	if (ret)
		return ret;
	ret = -EPERM;
	for (s = slot < 0 ? 0 : slot; s < pk_luks_keyslots(); s++) {
		ki = crypt_keyslot_status(cd, s);
		if (slot < 0 && ki != CRYPT_SLOT_ACTIVE &&
		    ki != CRYPT_SLOT_ACTIVE_LAST)
			continue;
		*vk_len = PK_XTS_BLOB_MAX;
		ret = crypt_volume_key_get(cd, s, (char *)vk, vk_len, pass,
					   pass_len);
		if (ret >= 0 || slot >= 0)
			break;
	}
	crypt_free(cd);
	if ((ret == -EPERM || ret == -ENOENT) && slot < 0)
		ret = pk_err_set(err, -EPERM,
				 "no keyslot of %s opens with this passphrase",
				 dev);
	else if (ret == -EPERM || ret == -ENOENT)
		ret = pk_err_set(
			err, -EPERM,
			"keyslot %d of %s does not open with this passphrase",
			slot, dev);
	else if (ret < 0)
		return cs_err(err, ret, "cannot read the volume key");
	if (ret == -EPERM && err)
		err->origin = PK_ORIGIN_PASSPHRASE;
	return ret;
}

static char *renc_token_json(const struct pk_luks_renc *st)
{
	struct json_object *o = json_object_new_object(), *a;
	char slot[12];
	char *s;

	if (!o)
		return NULL;
	json_object_object_add(o, "type",
			       json_object_new_string(RENC_TOKEN_TYPE));
	/* bound to the unbound keyslot, as zkey-cryptsetup's token is */
	a = json_object_new_array();
	snprintf(slot, sizeof(slot), "%d", st->unbound);
	json_object_array_add(a, json_object_new_string(slot));
	json_object_object_add(o, "keyslots", a);
	json_object_object_add(o, "verification-pattern",
			       json_object_new_string(st->vp));
	if (st->ivp[0])
		json_object_object_add(o, IVP_NAME,
				       json_object_new_string(st->ivp));
	json_object_object_add(o, RENC_ORIGINAL,
			       json_object_new_int(st->original));
	json_object_object_add(o, RENC_UNBOUND,
			       json_object_new_int(st->unbound));
	s = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	return s;
}

static int free_slot(struct crypt_device *cd)
{
	int s;

	for (s = 0; s < pk_luks_keyslots(); s++)
		if (crypt_keyslot_status(cd, s) == CRYPT_SLOT_INACTIVE)
			return s;
	return -1;
}

/* Whether some token of @cd is assigned keyslot @slot. */
static bool slot_has_token(struct crypt_device *cd, int slot)
{
	const char *type;
	int t;

	for (t = 0; t < pk_luks_tokens(); t++)
		if (crypt_token_status(cd, t, &type) != CRYPT_TOKEN_INACTIVE &&
		    crypt_token_is_assigned(cd, t, slot) == 0)
			return true;
	return false;
}

/* Whether @a and @b are secure keys under the same master keys. */
static bool same_mks(const uint8_t *a, size_t alen, const uint8_t *b,
		     size_t blen)
{
	struct pk_xts_info x, y;
	struct pk_err e;

	return alen == blen && !pk_xts_parse(a, alen, &x, &e) &&
	       !pk_xts_parse(b, blen, &y, &e) &&
	       x.half[0].mkvp == y.half[0].mkvp &&
	       x.half[1].mkvp == y.half[1].mkvp;
}

/*
 * The residue of an interrupted stage: unbound keyslots that no token
 * names, that @pass opens, and whose key is under the master keys of @vk
 * (the key being staged). Destroyed, each in a commit of its own, before
 * the keyslot is added again: a rerun leaves no keyslot behind. Unbound
 * keyslots of an old key (another master key) are not touched.
 */
static int drop_orphans(struct crypt_device *cd, const char *pass,
			size_t pass_len, const uint8_t *vk, size_t vk_len,
			struct pk_err *err)
{
	uint8_t key[PK_XTS_BLOB_MAX];
	size_t len;
	int s, ret = 0;

	for (s = 0; s < pk_luks_keyslots() && !ret; s++) {
		if (crypt_keyslot_status(cd, s) != CRYPT_SLOT_UNBOUND ||
		    slot_has_token(cd, s))
			continue;
		len = sizeof(key);
		if (crypt_volume_key_get(cd, s, (char *)key, &len, pass,
					 pass_len) < 0)
			continue;
		if (same_mks(key, len, vk, vk_len)) {
			ret = crypt_keyslot_destroy(cd, s);
			if (ret < 0)
				cs_err(err, ret,
				       "cannot destroy a keyslot an interrupted stage left");
		}
	}
	explicit_bzero(key, sizeof(key));
	return ret < 0 ? ret : 0;
}

/* Adds @vk for @pass in a free unbound keyslot with the KDF of @like. */
static int add_unbound(struct crypt_device *cd, const char *dev, int like,
		       const char *pass, size_t pass_len, const uint8_t *vk,
		       size_t vk_len, struct pk_err *err)
{
	int ret, slot;

	ret = drop_orphans(cd, pass, pass_len, vk, vk_len, err);
	if (ret)
		return ret;
	slot = free_slot(cd);
	if (slot < 0)
		return pk_err_set(err, -ENOSPC, "%s: no free keyslot", dev);
	ret = copy_pbkdf(cd, like, err);
	if (ret)
		return ret;
	ret = crypt_keyslot_add_by_key(cd, slot, (const char *)vk, vk_len, pass,
				       pass_len, CRYPT_VOLUME_KEY_NO_SEGMENT);
	if (ret < 0)
		return cs_err(err, ret, "cannot add the unbound keyslot");
	return slot;
}

static int put_renc_token(struct crypt_device *cd, int token,
			  const struct pk_luks_renc *st, struct pk_err *err)
{
	char *json = renc_token_json(st);
	int ret;

	if (!json)
		return pk_err_set(err, -ENOMEM, "token JSON");
	ret = crypt_token_json_set(cd, token, json);
	free(json);
	return ret < 0 ? cs_err(err, ret,
				"cannot write the " RENC_TOKEN_TYPE " token") :
			 ret;
}

/**
 * pk_luks_renc_stage() - put a re-enciphered volume key in an unbound slot
 * @dev: the LUKS2 device
 * @pass: the passphrase of keyslot @original; the new keyslot gets it too
 * @pass_len: its length
 * @vk: the re-enciphered volume key (the same effective key)
 * @vk_len: its length
 * @original: the keyslot @pass opened, which the new one replaces
 * @vp: the key's verification pattern, for the token
 * @replace: the staged key is re-enciphered again (two master-key changes
 *	since --staged): @vk replaces the keyslot the token names
 * @unbound: receives the unbound keyslot
 * @err: error
 *
 * As zkey-cryptsetup's reencipher: first the unbound keyslot, with the KDF
 * of the keyslot it replaces, then the paes-reencipher token, bound to
 * it, that names it and @original; with @replace, the old staged keyslot
 * is destroyed last. Interrupted after the keyslot, the volume opens as
 * before and a rerun destroys that keyslot before it adds it again
 * (drop_orphans()). A token without its keyslot (written by an earlier
 * protkeyctl, which wrote the token first) is re-used.
 *
 * Return: 0; -EEXIST when a staged keyslot exists already (without
 * @replace); -ENOSPC when no keyslot is free; an error of libcryptsetup.
 */
int pk_luks_renc_stage(const char *dev, const char *pass, size_t pass_len,
		       const uint8_t *vk, size_t vk_len, int original,
		       const char *vp, bool replace, int *unbound,
		       struct pk_err *err)
{
	char ivp_buf[PK_VP_HEX + 1];
	struct pk_luks_renc st;
	struct crypt_device *cd;
	int ret, token, old = -1;

	ret = load_luks2(&cd, dev, err);
	if (ret)
		return ret;
	ret = renc_find(cd, &st, err);
	if (ret && ret != -ENOENT)
		goto out;
	if (!ret && st.unbound_state != CRYPT_SLOT_INACTIVE &&
	    st.unbound_state != CRYPT_SLOT_INVALID) {
		if (!replace) {
			ret = pk_err_set(
				err, -EEXIST,
				"%s has a staged re-encipher in keyslot %d: complete it first",
				dev, st.unbound);
			goto out;
		}
		old = st.unbound;
		original = st.original;
	}
	token = ret ? CRYPT_ANY_TOKEN : st.token;
	if (ret || !st.vp[0]) {
		/* the volume's integrity pattern goes along, as zkey-cryptsetup's */
		vp_token_read(cd, ivp_buf, st.ivp);
		snprintf(st.vp, sizeof(st.vp), "%s", vp ? vp : "");
	}
	st.original = original;
	ret = add_unbound(cd, dev, old >= 0 ? old : original, pass, pass_len,
			  vk, vk_len, err);
	if (ret < 0)
		goto out;
	st.unbound = ret;
	pk_fault_point("staged-keyslot");
	ret = put_renc_token(cd, token, &st, err);
	if (ret < 0) {
		crypt_keyslot_destroy(cd, st.unbound);
		goto out;
	}
	pk_fault_point("staged-token");
	if (old >= 0 && crypt_keyslot_status(cd, old) == CRYPT_SLOT_UNBOUND) {
		ret = crypt_keyslot_destroy(cd, old);
		if (ret < 0) {
			cs_err(err, ret,
			       "cannot destroy the old staged keyslot");
			goto out;
		}
	}
	*unbound = st.unbound;
	ret = 0;
out:
	crypt_free(cd);
	return ret;
}

/*
 * Destroys the unbound keyslots of @cd that no token names (they hold an
 * old key: no token opens through them); counts them in @left when
 * @remove is false, and those a token names always (a token may still
 * want them).
 */
static int unbound_left(struct crypt_device *cd, bool remove, int *left,
			int *removed, struct pk_err *err)
{
	int s, ret;

	for (s = 0; s < pk_luks_keyslots(); s++) {
		if (crypt_keyslot_status(cd, s) != CRYPT_SLOT_UNBOUND)
			continue;
		if (!remove || slot_has_token(cd, s)) {
			(*left)++;
			continue;
		}
		ret = crypt_keyslot_destroy(cd, s);
		if (ret < 0)
			return cs_err(err, ret,
				      "cannot destroy an unbound keyslot");
		(*removed)++;
	}
	return 0;
}

/**
 * pk_luks_renc_finish() - make the staged keyslot the volume key's
 * @dev: the LUKS2 device
 * @pass: the passphrase of the staged keyslot
 * @pass_len: its length
 * @vk: the staged key, read from the staged keyslot and checked by the
 *	caller (same verification pattern, derivable now)
 * @vk_len: its length
 * @remove: destroy every keyslot left unbound (the old key under other
 *	passphrases), as zkey-cryptsetup does when the user says yes
 * @left: receives how many keyslots are left unbound
 * @removed: receives how many were destroyed because of @remove
 * @err: error
 *
 * Three commits, each safe to interrupt and to run again: the staged
 * keyslot is assigned to the data segment (nothing to do if it is
 * already), the original keyslot, unbound by that, is destroyed, and the
 * token is removed; then, with @remove, one per unbound keyslot.
 *
 * Return: 0; -ENOENT when no re-encipher is staged; -EINVAL when the staged
 * keyslot is missing; an error of libcryptsetup.
 */
int pk_luks_renc_finish(const char *dev, const char *pass, size_t pass_len,
			const uint8_t *vk, size_t vk_len, bool remove,
			int *left, int *removed, struct pk_err *err)
{
	struct pk_luks_renc st;
	struct crypt_device *cd;
	int ret;

	*left = *removed = 0;
	ret = load_luks2(&cd, dev, err);
	if (ret)
		return ret;
	ret = renc_find(cd, &st, err);
	if (ret == -ENOENT)
		ret = pk_err_set(err, ret, "%s has no staged re-encipher", dev);
	if (ret)
		goto out;
	if (st.unbound_state == CRYPT_SLOT_INACTIVE ||
	    st.unbound_state == CRYPT_SLOT_INVALID) {
		ret = pk_err_set(
			err, -EINVAL,
			"%s: the staged keyslot %d is missing: stage again",
			dev, st.unbound);
		goto out;
	}
	ret = crypt_keyslot_add_by_key(cd, st.unbound, (const char *)vk, vk_len,
				       pass, pass_len, CRYPT_VOLUME_KEY_SET);
	if (ret < 0) {
		cs_err(err, ret, "cannot assign the staged keyslot");
		goto out;
	}
	pk_fault_point("complete-segment");
	if (crypt_keyslot_status(cd, st.original) == CRYPT_SLOT_UNBOUND) {
		ret = crypt_keyslot_destroy(cd, st.original);
		if (ret < 0) {
			cs_err(err, ret, "cannot destroy the original keyslot");
			goto out;
		}
	}
	pk_fault_point("complete-keyslot");
	ret = crypt_token_json_set(cd, st.token, NULL);
	if (ret < 0) {
		cs_err(err, ret, "cannot remove the " RENC_TOKEN_TYPE " token");
		goto out;
	}
	pk_fault_point("complete-token");
	ret = unbound_left(cd, remove, left, removed, err);
out:
	crypt_free(cd);
	return ret;
}

/**
 * pk_luks_unbound_remove() - destroy the unbound keyslots of @dev that no
 *	token names (after pk_luks_renc_finish(), when the user says so)
 * @dev: the LUKS2 device
 * @left: receives how many unbound keyslots are left (named by a token)
 * @removed: receives how many were destroyed
 * @err: error
 *
 * Return: 0 or an error of libcryptsetup.
 */
int pk_luks_unbound_remove(const char *dev, int *left, int *removed,
			   struct pk_err *err)
{
	struct crypt_device *cd;
	int ret;

	*left = *removed = 0;
	ret = load_luks2(&cd, dev, err);
	if (ret)
		return ret;
	ret = unbound_left(cd, true, left, removed, err);
	crypt_free(cd);
	return ret;
}
