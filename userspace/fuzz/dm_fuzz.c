// SPDX-License-Identifier: GPL-2.0-only
/*
 * pk_dm_crypt_parse() on an arbitrary table line (the input up to its
 * first NUL). Invariants beyond no crash and no UB:
 *
 * - a refused table is -EINVAL with a message;
 * - an accepted one has its string fields terminated within their arrays
 *   and equal to the table's fields, not cut short: the cipher is the
 *   first word, the device the fourth, and the key reference
 *   ":<bytes>:<type>:<description>" ends in exactly the type and the
 *   description reported; key_bytes is 1..PK_XTS_BLOB_MAX; the sector
 *   size is 512 unless a sector_size:N option says a power of two up to
 *   4096; status-only fields stay empty;
 * - a protkey logon key's table round-trips: the parameters
 *   pk_dm_plain_params() writes for the parsed key, device and sector
 *   size parse back to the same key, device and sector size.
 */
#include "fuzz.h"

static bool terminated(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

/* Word @i (0-based) of @s split on spaces, malloc'ed, or NULL. */
static char *word(const char *s, int i)
{
	size_t n;

	for (;;) {
		s += strspn(s, " ");
		n = strcspn(s, " ");
		if (!n)
			return NULL;
		if (!i--)
			return strndup(s, n);
		s += n;
	}
}

static void check_fields(const char *params, const struct pk_dm_crypt *c)
{
	char *w0, *w1, *w3, *tail;
	size_t tl, wl;

	FUZZ_CHECK(terminated(c->cipher, sizeof(c->cipher)) &&
		   terminated(c->key_type, sizeof(c->key_type)) &&
		   terminated(c->key_desc, sizeof(c->key_desc)) &&
		   terminated(c->device, sizeof(c->device)));
	FUZZ_CHECK(!c->devnum[0] && !c->size);
	FUZZ_CHECK(c->key_bytes >= 1 && c->key_bytes <= PK_XTS_BLOB_MAX);
	FUZZ_CHECK(c->sector_size >= 512 && c->sector_size <= 4096 &&
		   !(c->sector_size & (c->sector_size - 1)));
	FUZZ_CHECK(c->key_desc[0]);

	w0 = word(params, 0);
	w1 = word(params, 1);
	w3 = word(params, 3);
	FUZZ_CHECK(w0 && w1 && w3);
	FUZZ_CHECK(!strcmp(c->cipher, w0) && !strcmp(c->device, w3));
	/* The key reference ends in ":<type>:<description>", whole. */
	if (asprintf(&tail, ":%s:%s", c->key_type, c->key_desc) < 0)
		abort();
	tl = strlen(tail);
	wl = strlen(w1);
	FUZZ_CHECK(w1[0] == ':' && wl > tl && !strcmp(w1 + wl - tl, tail));
	free(tail);
	free(w0);
	free(w1);
	free(w3);
}

static void round_trip(const struct pk_dm_crypt *c)
{
	size_t n = strlen(PK_LOGON_PREFIX);
	struct pk_dm_crypt again;
	char buf[1024];

	if (strcmp(c->key_type, "logon") ||
	    strncmp(c->key_desc, PK_LOGON_PREFIX, n))
		return;
	FUZZ_CHECK(!pk_dm_plain_params(buf, sizeof(buf), c->key_desc + n,
				       c->key_bytes, c->device,
				       c->sector_size));
	FUZZ_CHECK(!pk_dm_crypt_parse(buf, &again, NULL));
	FUZZ_CHECK(!strcmp(again.cipher, PK_DM_CIPHER));
	FUZZ_CHECK(!strcmp(again.key_type, c->key_type) &&
		   !strcmp(again.key_desc, c->key_desc) &&
		   again.key_bytes == c->key_bytes &&
		   !strcmp(again.device, c->device) &&
		   again.sector_size == c->sector_size && !again.iv_offset &&
		   !again.offset);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pk_dm_crypt c;
	struct pk_err err;
	char *params;
	int ret;

	params = fuzz_str(data, size);
	memset(&err, 0, sizeof(err));
	memset(&c, 0xa5, sizeof(c));
	ret = pk_dm_crypt_parse(params, &c, &err);
	if (ret) {
		FUZZ_CHECK(ret == -EINVAL && fuzz_err_set(&err));
	} else {
		check_fields(params, &c);
		round_trip(&c);
	}
	free(params);
	return 0;
}
