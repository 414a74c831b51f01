// SPDX-License-Identifier: GPL-2.0-only
/*
 * libprotkey's client of /dev/pkey: the character device of the IBM Z
 * pkey driver, or protkey_emu.ko's emulation of it. Thin wrappers of the
 * ioctls protkeyctl uses (uapi/linux/protkey_pkeydev.h), APQN lists with
 * the ENOSPC retry and the --apqns filter, and the generation of an XTS
 * secure key the way zkey does it: the list of APQNs for the key type,
 * the first half on one of them, then the second half on an APQN that
 * holds the first half's CURRENT master key, so both halves are under the
 * same master key.
 *
 * The ioctls go through struct pk_pkey_ops so that the unit tests can put
 * a fake device underneath (tests/pkey_test.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include <linux/protkey_emu.h>
#include <linux/protkey_pkeydev.h>

#include "protkey.h"

/* The first room offered for an APQN list; ENOSPC says how much is needed. */
#define APQN_ROOM 16
/* 256 cards x 256 domains: more is a broken device. */
#define APQN_MAX 65536
/* ENOSPC again and again: the list keeps growing while we ask. */
#define APQN_TRIES 8

/**
 * pk_pkey_path() - the pkey device's path
 *
 * Context: any.
 * Return: $PROTKEY_PKEY_DEVICE when set and not empty (tests), else
 * "/dev/pkey".
 */
const char *pk_pkey_path(void)
{
	const char *p = getenv(PK_PKEY_DEVICE_ENV);

	return p && *p ? p : PROTKEY_PKEY_DEVICE;
}

static int pkey_ioctl(struct pk_pkey *pk, unsigned long req, void *arg)
{
	return ioctl(pk->fd, req, arg) ? -errno : 0;
}

static const struct pk_pkey_ops pkey_ops = {
	.ioctl = pkey_ioctl,
};

/**
 * pk_pkey_open() - open the pkey device read-write
 * @pk: receives the open device
 * @err: the error
 *
 * Context: opens a file.
 * Return: 0; -ENOENT (no platform: neither pkey nor protkey_emu.ko),
 * -EACCES or another negative errno, with @err set.
 */
int pk_pkey_open(struct pk_pkey *pk, struct pk_err *err)
{
	const char *path = pk_pkey_path();

	memset(pk, 0, sizeof(*pk));
	pk->fd = open(path, O_RDWR | O_CLOEXEC);
	if (pk->fd >= 0) {
		pk->ops = &pkey_ops;
		return 0;
	}
	switch (errno) {
	case ENOENT:
	case ENXIO:
	case ENODEV:
		return pk_err_platform(
			err, -ENOENT,
			"%s does not exist: no key-management platform (the pkey module on IBM Z, or protkey_emu.ko, is not loaded)",
			path);
	case EACCES:
	case EPERM:
		return pk_err_set(err, -errno, "cannot open %s", path);
	default:
		return pk_err_platform(err, -errno, "cannot open %s", path);
	}
}

/**
 * pk_pkey_close() - close what pk_pkey_open() opened
 * @pk: the device; a zeroed or fake one (@fd -1 or 0 without ops) is fine
 *
 * Context: any.
 */
void pk_pkey_close(struct pk_pkey *pk)
{
	if (pk->ops == &pkey_ops && pk->fd >= 0)
		close(pk->fd);
	pk->fd = -1;
	pk->ops = NULL;
}

/*
 * The thin wrappers: the ioctl's argument as the uapi header lays it out,
 * 0 or the negative errno. The device's errnos are those of pkey_api.c
 * (Linux 6.1): EINVAL a malformed request or blob, ENODEV no APQN could,
 * ENOSPC a list too small (the count needed set), ENOTTY an ioctl the
 * driver does not have, EFAULT a bad pointer.
 */

/**
 * pk_pkey_genseck2() - PROTKEY_PKEY_GENSECK2: a random secure key
 * @pk: the device
 * @arg: the request
 *
 * Context: may sleep.
 * Return: 0 or a negative errno (EINVAL, ENODEV, ENOTTY).
 */
int pk_pkey_genseck2(struct pk_pkey *pk, struct protkey_pkey_genseck2 *arg)
{
	return pk->ops->ioctl(pk, PROTKEY_PKEY_GENSECK2, arg);
}

/**
 * pk_pkey_verifykey2() - PROTKEY_PKEY_VERIFYKEY2: an APQN holding a
 *	blob's master key, and the blob's type, size and match flags
 * @pk: the device
 * @arg: the request
 *
 * Context: may sleep.
 * Return: 0 or a negative errno (EINVAL, ENODEV, ENOTTY).
 */
int pk_pkey_verifykey2(struct pk_pkey *pk, struct protkey_pkey_verifykey2 *arg)
{
	return pk->ops->ioctl(pk, PROTKEY_PKEY_VERIFYKEY2, arg);
}

/**
 * pk_pkey_apqns4k() - PROTKEY_PKEY_APQNS4K: the APQNs of a blob's MK
 * @pk: the device
 * @arg: the request
 *
 * Context: may sleep.
 * Return: 0 or a negative errno (EINVAL, ENODEV, ENOSPC, ENOTTY).
 */
int pk_pkey_apqns4k(struct pk_pkey *pk, struct protkey_pkey_apqns4key *arg)
{
	return pk->ops->ioctl(pk, PROTKEY_PKEY_APQNS4K, arg);
}

/**
 * pk_pkey_apqns4kt() - PROTKEY_PKEY_APQNS4KT: the APQNs of a key type
 * @pk: the device
 * @arg: the request
 *
 * Context: may sleep.
 * Return: 0 or a negative errno (EINVAL, ENODEV, ENOSPC, ENOTTY).
 */
int pk_pkey_apqns4kt(struct pk_pkey *pk, struct protkey_pkey_apqns4keytype *arg)
{
	return pk->ops->ioctl(pk, PROTKEY_PKEY_APQNS4KT, arg);
}

/**
 * pk_pkey_kblob2protk3() - PROTKEY_PKEY_KBLOB2PROTK3: a protected key
 * @pk: the device
 * @arg: the request
 *
 * Context: may sleep.
 * Return: 0 or a negative errno (EINVAL, ENODEV, ENOTTY).
 */
int pk_pkey_kblob2protk3(struct pk_pkey *pk,
			 struct protkey_pkey_kblob2pkey3 *arg)
{
	return pk->ops->ioctl(pk, PROTKEY_PKEY_KBLOB2PROTK3, arg);
}

/**
 * pk_pkey_type() - pkey's blob type for one of our key types
 * @key_type: &enum protkey_emu_key_type
 *
 * Context: any.
 * Return: PROTKEY_PKEY_TYPE_CCA_DATA, _EP11_AES or _EP11; 0 for others.
 */
uint32_t pk_pkey_type(uint32_t key_type)
{
	switch (key_type) {
	case PROTKEY_EMU_KEY_CCA_AESDATA:
		return PROTKEY_PKEY_TYPE_CCA_DATA;
	case PROTKEY_EMU_KEY_EP11_AES:
		return PROTKEY_PKEY_TYPE_EP11_AES;
	case PROTKEY_EMU_KEY_EP11_AES_NOHDR:
		return PROTKEY_PKEY_TYPE_EP11;
	default:
		return 0;
	}
}

/**
 * pk_pkey_type_name() - a key type's name as zkey spells it
 * @key_type: &enum protkey_emu_key_type
 *
 * Context: any.
 * Return: "CCA-AESDATA", "EP11-AES", or "unknown".
 */
const char *pk_pkey_type_name(uint32_t key_type)
{
	switch (key_type) {
	case PROTKEY_EMU_KEY_CCA_AESDATA:
		return "CCA-AESDATA";
	case PROTKEY_EMU_KEY_EP11_AES:
	case PROTKEY_EMU_KEY_EP11_AES_NOHDR:
		return "EP11-AES";
	default:
		return "unknown";
	}
}

/* The size of one blob of pkey type @type (what GENSECK2 writes). */
static size_t blob_size(uint32_t type)
{
	switch (type) {
	case PROTKEY_PKEY_TYPE_CCA_DATA:
		return PROTKEY_PKEY_SECKEY_SIZE;
	case PROTKEY_PKEY_TYPE_EP11_AES:
		return PROTKEY_PKEY_EP11_MAX_SIZE;
	case PROTKEY_PKEY_TYPE_EP11:
		return PROTKEY_PKEY_EP11_MAX_SIZE - PROTKEY_PKEY_EP11_HDR_SIZE;
	default:
		return 0;
	}
}

static int list_error(int ret, const char *what, struct pk_err *err)
{
	switch (-ret) {
	case ENOTTY:
		return pk_err_platform(err, ret, "%s: %s does not support it",
				       what, pk_pkey_path());
	case ENODEV:
		return pk_err_platform(err, ret, "%s: no APQN matches", what);
	case ENOMEM:
		return pk_err_set(err, ret, "%s: APQN list", what);
	default:
		return pk_err_platform(err, ret, "%s failed", what);
	}
}

/**
 * struct list_call - one APQN-listing ioctl, for list_fetch()
 * @req: PROTKEY_PKEY_APQNS4K or PROTKEY_PKEY_APQNS4KT
 * @what: its name for messages
 * @arg: its argument
 * @apqns: the argument's list pointer
 * @entries: the argument's apqn_entries
 */
struct list_call {
	unsigned long req;
	const char *what;
	void *arg;
	struct protkey_pkey_apqn **apqns;
	__u32 *entries;
};

/* Issues @c once with room for @room entries in @list. */
static int list_try(struct pk_pkey *pk, const struct list_call *c,
		    uint32_t room, struct pk_apqn_list *list)
{
	free(list->a);
	list->a = calloc(room, sizeof(*list->a));
	if (!list->a)
		return -ENOMEM;
	*c->apqns = list->a;
	*c->entries = room;
	return pk->ops->ioctl(pk, c->req, c->arg);
}

/*
 * Issues @c with room for APQN_ROOM entries, then, while the device says
 * ENOSPC, with the room it asked for. ENODEV (no APQN matches) comes back
 * as an empty list: the callers decide what an empty list means.
 */
static int list_fetch(struct pk_pkey *pk, const struct list_call *c,
		      struct pk_apqn_list *list, struct pk_err *err)
{
	uint32_t room = APQN_ROOM;
	int tries, ret = -ENOSPC;

	memset(list, 0, sizeof(*list));
	for (tries = 0; tries < APQN_TRIES && ret == -ENOSPC; tries++) {
		ret = list_try(pk, c, room, list);
		if (ret == -ENOSPC &&
		    (*c->entries <= room || *c->entries > APQN_MAX))
			break;
		if (ret == -ENOSPC)
			room = *c->entries;
	}
	*c->apqns = NULL;
	if (!ret && *c->entries > room)
		ret = pk_err_platform(err, -EPROTO,
				      "%s: %u APQNs reported in room for %u",
				      c->what, *c->entries, room);
	else if (ret == -ENOSPC && tries < APQN_TRIES)
		ret = pk_err_platform(
			err, -EPROTO,
			"%s: room for %u APQNs, but %u reported without a larger list",
			c->what, room, *c->entries);
	else if (ret == -ENOSPC)
		ret = pk_err_platform(
			err, ret, "%s: the APQN list kept growing (%d tries)",
			c->what, APQN_TRIES);
	else if (ret && ret != -ENODEV)
		ret = list_error(ret, c->what, err);
	if (ret) {
		pk_apqn_list_free(list);
		return ret == -ENODEV ? 0 : ret;
	}
	list->n = *c->entries;
	return 0;
}

/**
 * pk_pkey_apqns_for_type() - the APQNs usable for a key type
 * @pk: the device
 * @type: PROTKEY_PKEY_TYPE_*
 * @flags: PROTKEY_PKEY_FLAGS_MATCH_*, or 0 for every usable APQN
 * @cur_mkvp: with @flags: the master key's pattern (CCA: its 8 bytes as
 *	the token holds them, EP11: the 16-byte WKVP), else NULL
 * @mkvp_len: its length, at most 32
 * @list: receives the APQNs (pk_apqn_list_free()); empty when none match
 * @err: the error
 *
 * PROTKEY_PKEY_APQNS4KT, asked again with the room it wants while it says
 * ENOSPC.
 *
 * Context: may sleep.
 * Return: 0, or a negative errno with @err set: ENOTTY (the driver lacks
 * the ioctl), EINVAL (a type it does not know), EPROTO (a broken reply),
 * ENOMEM.
 */
int pk_pkey_apqns_for_type(struct pk_pkey *pk, uint32_t type, uint32_t flags,
			   const uint8_t *cur_mkvp, size_t mkvp_len,
			   struct pk_apqn_list *list, struct pk_err *err)
{
	struct protkey_pkey_apqns4keytype a = { .type = type, .flags = flags };
	const struct list_call c = { .req = PROTKEY_PKEY_APQNS4KT,
				     .what = "PKEY_APQNS4KT",
				     .arg = &a,
				     .apqns = &a.apqns,
				     .entries = &a.apqn_entries };

	if (mkvp_len > sizeof(a.cur_mkvp))
		return pk_err_set(err, -EINVAL, "PKEY_APQNS4KT: %zu-byte MKVP",
				  mkvp_len);
	if (cur_mkvp)
		memcpy(a.cur_mkvp, cur_mkvp, mkvp_len);
	return list_fetch(pk, &c, list, err);
}

/* Whether some usable APQN of @type has @vp in the register @flags names. */
static int mk_listed(struct pk_pkey *pk, uint32_t type, uint32_t flags,
		     const uint8_t *vp, size_t vp_len, const char *apqns,
		     bool *found, struct pk_err *err)
{
	struct protkey_pkey_apqns4keytype a = { .type = type, .flags = flags };
	uint8_t *dst = flags & PROTKEY_PKEY_FLAGS_MATCH_CUR_MKVP ? a.cur_mkvp :
								   a.alt_mkvp;
	const struct list_call c = { .req = PROTKEY_PKEY_APQNS4KT,
				     .what = "PKEY_APQNS4KT",
				     .arg = &a,
				     .apqns = &a.apqns,
				     .entries = &a.apqn_entries };
	struct pk_apqn_list list = { 0 };
	int ret;

	memcpy(dst, vp, vp_len);
	if (!apqns || !*apqns) {
		/* No list, no room: the count only (0 and ENODEV: none). */
		ret = pk_pkey_apqns4kt(pk, &a);
		*found = !ret && a.apqn_entries;
		return ret == -ENODEV ? 0 : ret;
	}
	/* The key's APQNs only: the list, narrowed to them. */
	ret = list_fetch(pk, &c, &list, err) ?:
		      pk_apqn_list_filter(&list, apqns, err);
	*found = !ret && list.n;
	pk_apqn_list_free(&list);
	return ret;
}

/**
 * pk_pkey_mk_match() - which register of the usable APQNs holds a half's MK
 * @pk: the device
 * @h: the half (a CCA AES DATA or EP11 AES token)
 * @apqns: the key's APQNs ("CC.DDDD,...", its apqns property): only they
 *	count; NULL or "" for every usable APQN
 * @match: receives "current" (some usable APQN's CURRENT master key or
 *	wrapping key is the half's), "old" (CCA: some one's OLD), or NULL
 *	when neither (none, or a NEW register pkey does not show)
 * @err: the error
 *
 * PROTKEY_PKEY_APQNS4KT with the half's pattern, as zkey's validate learns
 * it from PKEY_VERIFYKEY2's flags (on the key's APQNs, as zkey's validate
 * passes them): CURRENT first, then OLD.
 *
 * Context: may sleep.
 * Return: 0, or a negative errno with @err set (ENOTTY: the driver lacks
 * the ioctl; EINVAL: a type it does not know).
 */
int pk_pkey_mk_match(struct pk_pkey *pk, const struct pk_token_info *h,
		     const char *apqns, const char **match, struct pk_err *err)
{
	uint8_t vp[PK_WKVP_SIZE];
	uint32_t type = h->has_wkvp ? PROTKEY_PKEY_TYPE_EP11_AES :
				      PROTKEY_PKEY_TYPE_CCA_DATA;
	size_t vp_len = h->has_wkvp ? PK_WKVP_SIZE : 8;
	bool found = false;
	int i, ret;

	*match = NULL;
	if (h->has_wkvp) {
		memcpy(vp, h->wkvp, vp_len);
	} else {
		for (i = 0; i < 8; i++)
			vp[i] = (uint8_t)(h->mkvp >> (56 - 8 * i));
	}
	ret = mk_listed(pk, type, PROTKEY_PKEY_FLAGS_MATCH_CUR_MKVP, vp, vp_len,
			apqns, &found, err);
	if (!ret && found) {
		*match = "current";
		return 0;
	}
	if (!ret && !h->has_wkvp) {
		ret = mk_listed(pk, type, PROTKEY_PKEY_FLAGS_MATCH_ALT_MKVP, vp,
				vp_len, apqns, &found, err);
		if (!ret && found)
			*match = "old";
	}
	if (ret)
		return pk_err_platform(err, ret, "PKEY_APQNS4KT on %s: %s",
				       pk_pkey_path(), strerror(-ret));
	return 0;
}

/**
 * pk_pkey_apqns_for_key() - the APQNs holding a blob's master key
 * @pk: the device
 * @key: the blob
 * @len: its length
 * @flags: PROTKEY_PKEY_FLAGS_MATCH_CUR_MKVP (CURRENT) and/or _ALT_MKVP
 *	(CCA: OLD); EP11 blobs take CUR only
 * @list: receives the APQNs (pk_apqn_list_free()); empty when none match
 * @err: the error
 *
 * PROTKEY_PKEY_APQNS4K, asked again with the room it wants while it says
 * ENOSPC.
 *
 * Context: may sleep.
 * Return: 0, or a negative errno with @err set: EINVAL (a malformed blob
 * or bad flags), ENOTTY, EPROTO, ENOMEM.
 */
int pk_pkey_apqns_for_key(struct pk_pkey *pk, const uint8_t *key, size_t len,
			  uint32_t flags, struct pk_apqn_list *list,
			  struct pk_err *err)
{
	struct protkey_pkey_apqns4key a = { .key = (__u8 *)key,
					    .keylen = (__u32)len,
					    .flags = flags };
	const struct list_call c = { .req = PROTKEY_PKEY_APQNS4K,
				     .what = "PKEY_APQNS4K",
				     .arg = &a,
				     .apqns = &a.apqns,
				     .entries = &a.apqn_entries };

	return list_fetch(pk, &c, list, err);
}

static uint32_t apqn_of(const struct protkey_pkey_apqn *a)
{
	return PROTKEY_EMU_APQN((uint32_t)a->card, (uint32_t)a->domain);
}

/**
 * pk_apqn_list_has() - whether an APQN is in a list
 * @list: the list
 * @apqn: PROTKEY_EMU_APQN(card, domain)
 *
 * Context: any.
 * Return: true when it is.
 */
bool pk_apqn_list_has(const struct pk_apqn_list *list, uint32_t apqn)
{
	uint32_t i;

	for (i = 0; i < list->n; i++)
		if (apqn_of(&list->a[i]) == apqn)
			return true;
	return false;
}

/* The APQNs of "CC.DDDD,..." @filter into @out (malloc'ed), @n of them. */
static int filter_parse(const char *filter, uint32_t **out, size_t *n,
			struct pk_err *err)
{
	char *dup = strdup(filter), *tok, *save = NULL;
	uint32_t *v = calloc(strlen(filter) / 2 + 1, sizeof(*v));
	int ret = 0;

	*n = 0;
	if (!dup || !v) {
		ret = pk_err_set(err, -ENOMEM, "APQN list");
		goto out;
	}
	for (tok = strtok_r(dup, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (pk_apqn_parse(tok, &v[*n])) {
			ret = pk_err_set(err, -EINVAL, "malformed APQN '%s'",
					 tok);
			goto out;
		}
		(*n)++;
	}
out:
	free(dup);
	if (ret)
		free(v);
	else
		*out = v;
	return ret;
}

/**
 * pk_apqn_list_filter() - keep only the APQNs of a user's list
 * @list: the APQNs, narrowed in place, their order kept
 * @filter: "CC.DDDD,CC.DDDD" (the repository's apqns property, zkey's
 *	--apqns), or NULL or "" for no filter
 * @err: the error
 *
 * Context: any.
 * Return: 0 (@list may be empty now), -EINVAL for a malformed APQN or
 * -ENOMEM, with @err set; @list is unchanged on error.
 */
int pk_apqn_list_filter(struct pk_apqn_list *list, const char *filter,
			struct pk_err *err)
{
	uint32_t i, j, kept = 0;
	uint32_t *want;
	size_t n;
	int ret;

	if (!filter || !*filter)
		return 0;
	ret = filter_parse(filter, &want, &n, err);
	if (ret)
		return ret;
	for (i = 0; i < list->n; i++) {
		for (j = 0; j < n && want[j] != apqn_of(&list->a[i]); j++)
			;
		if (j < n)
			list->a[kept++] = list->a[i];
	}
	list->n = kept;
	free(want);
	return 0;
}

/**
 * pk_apqn_list_free() - free a list's APQNs
 * @list: the list; emptied
 *
 * Context: any.
 */
void pk_apqn_list_free(struct pk_apqn_list *list)
{
	free(list->a);
	list->a = NULL;
	list->n = 0;
}

/* "CC.DDDD,..." of @list into @buf, "..." when it does not fit. */
static void list_str(const struct pk_apqn_list *list, char *buf, size_t size)
{
	char one[PK_APQN_STR_MAX];
	size_t used = 0;
	uint32_t i;

	buf[0] = '\0';
	for (i = 0; i < list->n; i++) {
		pk_apqn_format(apqn_of(&list->a[i]), one);
		if (used + sizeof(one) + 4 >= size) {
			snprintf(buf + used, size - used, "...");
			return;
		}
		used += (size_t)snprintf(buf + used, size - used, "%s%s",
					 i ? "," : "", one);
	}
}

static int no_apqn(const struct pk_pkey_gen *req, const char *what,
		   struct pk_err *err)
{
	bool filtered = req->apqns && *req->apqns;

	return pk_err_platform(
		err, -ENODEV,
		"No APQN is available that can generate a secure key of type %s%s%s%s",
		pk_pkey_type_name(req->key_type), what,
		filtered ? " among " : "", filtered ? req->apqns : "");
}

/*
 * The first APQN of --apqns (@apqns, well formed) that @list lacks.
 * Return: 1 with *@apqn set, 0 when @list has them all, or a negative errno.
 */
static int first_unlisted(const char *apqns, const struct pk_apqn_list *list,
			  uint32_t *apqn, struct pk_err *err)
{
	uint32_t *want;
	size_t n, i;
	int ret;

	ret = filter_parse(apqns, &want, &n, err);
	if (ret)
		return ret;
	for (i = 0; i < n && pk_apqn_list_has(list, want[i]); i++)
		;
	if (i < n) {
		*apqn = want[i];
		ret = 1;
	}
	free(want);
	return ret;
}

/*
 * Strict mode, after PKEY_APQNS4KT: every APQN of --apqns must be in
 * @list. Why one is not, @req->explain may tell (the emulator's state);
 * else the message says what the device's list means.
 */
static int check_type_list(const struct pk_pkey_gen *req,
			   const struct pk_apqn_list *list, struct pk_err *err)
{
	char apqn_str[PK_APQN_STR_MAX];
	uint32_t apqn;
	int ret;

	ret = first_unlisted(req->apqns, list, &apqn, err);
	if (ret <= 0)
		return ret;
	ret = req->explain ? req->explain(req->ctx, apqn, err) : 0;
	if (ret)
		return ret;
	pk_apqn_format(apqn, apqn_str);
	return pk_err_platform(
		err, -ENODEV,
		"APQN %s cannot generate a secure key of type %s: PKEY_APQNS4KT does not list it (absent, offline, in another mode, or without a CURRENT master key)",
		apqn_str, pk_pkey_type_name(req->key_type));
}

/*
 * Strict mode, after PKEY_APQNS4K of the first half: every APQN of
 * --apqns must hold its master key as CURRENT.
 */
static int check_key_list(const struct pk_pkey_gen *req,
			  const struct pk_apqn_list *list, struct pk_err *err)
{
	char apqn_str[PK_APQN_STR_MAX];
	uint32_t apqn;
	int ret;

	ret = first_unlisted(req->apqns, list, &apqn, err);
	if (ret <= 0)
		return ret;
	pk_apqn_format(apqn, apqn_str);
	return pk_err_platform(
		err, -EINVAL,
		"APQN %s has another CURRENT %s than the APQN that generated the key's first half (PKEY_APQNS4K does not list it)",
		apqn_str,
		req->key_type == PROTKEY_EMU_KEY_CCA_AESDATA ? "master key" :
							       "wrapping key");
}

/* A malformed --apqns is refused before the device is asked anything. */
static int apqns_check(const char *apqns, struct pk_err *err)
{
	uint32_t *v;
	size_t n;
	int ret;

	if (!apqns)
		return 0;
	ret = filter_parse(apqns, &v, &n, err);
	if (!ret)
		free(v);
	return ret;
}

/*
 * The APQNs for the first half: PKEY_APQNS4KT of the type, every usable
 * APQN (flags 0), checked (strict) and narrowed to --apqns.
 */
static int first_list(struct pk_pkey *pk, const struct pk_pkey_gen *req,
		      uint32_t type, struct pk_apqn_list *list,
		      struct pk_err *err)
{
	int ret;

	ret = pk_pkey_apqns_for_type(pk, type, 0, NULL, 0, list, err);
	if (!ret && req->strict && req->apqns)
		ret = check_type_list(req, list, err);
	ret = ret ?: pk_apqn_list_filter(list, req->apqns, err);
	if (!ret && !list->n)
		ret = no_apqn(req, "", err);
	return ret;
}

/*
 * The APQNs for the second half: PKEY_APQNS4K of the first half with
 * MATCH_CUR_MKVP, so the second half is under the same master key,
 * checked (strict) and narrowed to --apqns.
 */
static int second_list(struct pk_pkey *pk, const struct pk_pkey_gen *req,
		       const uint8_t *first, size_t len,
		       struct pk_apqn_list *list, struct pk_err *err)
{
	int ret;

	ret = pk_pkey_apqns_for_key(
		pk, first, len, PROTKEY_PKEY_FLAGS_MATCH_CUR_MKVP, list, err);
	if (!ret && req->strict && req->apqns)
		ret = check_key_list(req, list, err);
	ret = ret ?: pk_apqn_list_filter(list, req->apqns, err);
	if (!ret && !list->n)
		ret = no_apqn(req, " under the first half's master key", err);
	return ret;
}

/* One half: PKEY_GENSECK2 on the first APQN of @list that can. */
static int gen_half(struct pk_pkey *pk, const struct pk_pkey_gen *req,
		    uint32_t type, const struct pk_apqn_list *list,
		    uint8_t *out, size_t room, size_t *len, struct pk_err *err)
{
	struct protkey_pkey_genseck2 g = { .apqns = list->a,
					   .apqn_entries = list->n,
					   .type = type,
					   .size = req->bits,
					   .key = out,
					   .keylen = (__u32)room };
	char apqns[128];
	int ret;

	ret = pk_pkey_genseck2(pk, &g);
	if (ret == -ENODEV) {
		list_str(list, apqns, sizeof(apqns));
		return pk_err_platform(
			err, ret,
			"PKEY_GENSECK2: none of the APQNs %s could generate a secure key of type %s, AES-%u",
			apqns, pk_pkey_type_name(req->key_type), req->bits);
	}
	if (ret) {
		list_str(list, apqns, sizeof(apqns));
		return pk_err_platform(
			err, ret,
			"PKEY_GENSECK2 (%s, AES-%u) on APQNs %s failed",
			pk_pkey_type_name(req->key_type), req->bits, apqns);
	}
	if (!g.keylen || g.keylen > room)
		return pk_err_platform(
			err, -EBADMSG,
			"PKEY_GENSECK2: a %u-byte key for a %zu-byte buffer",
			g.keylen, room);
	*len = g.keylen;
	return 0;
}

/**
 * pk_pkey_generate_xts() - an XTS secure key of two random halves
 * @pk: the device
 * @req: the key type, size and APQNs
 * @blob: receives the halves back to back (pk_xts_parse()'s format)
 * @size: its room: at least twice the type's blob size (2 x 64 CCA,
 *	2 x 336 EP11-AES)
 * @len: receives the key's length
 * @err: the error
 *
 * zkey's algorithm: PROTKEY_PKEY_APQNS4KT lists the APQNs for the type,
 * narrowed to @req->apqns; PROTKEY_PKEY_GENSECK2 makes the first half on
 * the first of them that can; PROTKEY_PKEY_APQNS4K of the first half with
 * MATCH_CUR_MKVP, narrowed the same way, lists those that may make the
 * second half, so both halves are under one CURRENT master key. With
 * @req->strict every APQN of @req->apqns must be in both lists.
 *
 * An APQN's master key may change between the steps (a master-key change
 * on the adapters). The second list is then asked for the first half's
 * key, so the halves still share a master key, or the list is empty and
 * the call fails; it never yields a key with mismatched halves.
 *
 * Context: may sleep.
 * Return: 0, or a negative errno with @err set: EINVAL (a bad request, a
 * malformed --apqns, an APQN of another master key), ENODEV (no APQN can),
 * or what the device said. @blob is wiped on failure.
 */
int pk_pkey_generate_xts(struct pk_pkey *pk, const struct pk_pkey_gen *req,
			 uint8_t *blob, size_t size, size_t *len,
			 struct pk_err *err)
{
	uint32_t type = pk_pkey_type(req->key_type);
	size_t half = blob_size(type), l0 = 0, l1 = 0;
	struct pk_apqn_list list = { 0 };
	struct pk_xts_info xts;
	int ret;

	if (!type || (req->bits != 128 && req->bits != 256))
		return pk_err_set(err, -EINVAL,
				  "key type %u, AES-%u: not supported",
				  req->key_type, req->bits);
	if (size < 2 * half)
		return pk_err_set(err, -EINVAL, "XTS key: %zu-byte buffer",
				  size);
	ret = apqns_check(req->apqns, err);
	if (ret)
		return ret;
	ret = first_list(pk, req, type, &list, err);
	ret = ret ?: gen_half(pk, req, type, &list, blob, half, &l0, err);
	pk_apqn_list_free(&list);
	if (ret == -EINVAL && type == PROTKEY_PKEY_TYPE_EP11_AES) {
		/*
		 * As zkey: a kernel whose GENSECK2 lacks EP11 keys with a
		 * header makes them without one (PKEY_TYPE_EP11).
		 */
		type = PROTKEY_PKEY_TYPE_EP11;
		half = blob_size(type);
		memset(err, 0, sizeof(*err));
		ret = first_list(pk, req, type, &list, err);
		ret = ret   ?:
			      gen_half(pk, req, type, &list, blob, half, &l0,
				       err);
		pk_apqn_list_free(&list);
	}
	ret = ret ?: second_list(pk, req, blob, l0, &list, err);
	ret = ret ?: gen_half(pk, req, type, &list, blob + l0, half, &l1, err);
	pk_apqn_list_free(&list);
	if (!ret && l0 != l1)
		ret = pk_err_platform(
			err, -EBADMSG,
			"PKEY_GENSECK2: halves of %zu and %zu bytes", l0, l1);
	if (!ret) {
		ret = pk_xts_parse(blob, l0 + l1, &xts, err);
		if (ret)
			err->origin = PK_ORIGIN_PLATFORM;
	}
	if (ret) {
		explicit_bzero(blob, size);
		return ret;
	}
	*len = l0 + l1;
	return 0;
}

static bool exists(const char *dir, const char *name)
{
	char path[4096];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return !stat(path, &st);
}

/**
 * pk_platform_probe() - which key-management platform is present
 * @sysfs: the sysfs mount, "/sys" when NULL (tests pass a directory)
 * @p: receives what was found
 *
 * The provider of /dev/pkey is the module that registers it: protkey_emu
 * (the emulator) before pkey (IBM Z), since the emulator is only loaded
 * where it is meant to stand in. A device present without either module
 * in sysfs (a pkey built into the kernel) is "unknown".
 *
 * Context: opens the device read-write once and closes it again.
 */
void pk_platform_probe(const char *sysfs, struct pk_platform *p)
{
	struct stat st;
	int fd;

	if (!sysfs)
		sysfs = "/sys";
	memset(p, 0, sizeof(*p));
	p->device = pk_pkey_path();
	p->device_present = !stat(p->device, &st);
	fd = open(p->device, O_RDWR | O_CLOEXEC);
	p->device_ret = fd < 0 ? -errno : 0;
	if (fd >= 0)
		close(fd);
	if (exists(sysfs, "module/protkey_emu"))
		p->provider = "emulated (protkey_emu)";
	else if (exists(sysfs, "module/pkey"))
		p->provider = "IBM Z pkey";
	else
		p->provider = p->device_present ? "unknown" : "none";
	p->protkey_loaded = exists(sysfs, "module/protkey");
}
