// SPDX-License-Identifier: GPL-2.0-only
/*
 * pk_apconf_parse() on arbitrary bytes (pvapconfig's YAML configuration).
 * Invariants beyond no crash, no leak and no UB:
 *
 * - a refused file is -EINVAL or -ENOMEM with a message, and nothing is
 *   returned (no entries, a count of 0);
 * - every accepted entry is normalised as pvapconfig's config.rs leaves
 *   it: EP11 with 32 lower-case hex digits of mkvp, 64 of secretid, a
 *   serial number empty or 16 characters without blanks, mingen empty or
 *   "cex8"; Accel with no mkvp, serial number or secretid and mingen
 *   empty or "cex4".."cex8"; a name without outer white space;
 * - parsing the same bytes twice gives the same entries.
 */
#include <ctype.h>

#include "fuzz.h"

static bool lower_hex(const char *s, size_t n)
{
	size_t i;

	if (strlen(s) != n)
		return false;
	for (i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]) ||
		    isupper((unsigned char)s[i]))
			return false;
	return true;
}

static void check_entry(const struct pk_apconf_entry *e)
{
	size_t i, n = strlen(e->name);

	FUZZ_CHECK(!n || (!isspace((unsigned char)e->name[0]) &&
			  !isspace((unsigned char)e->name[n - 1])));
	if (e->mode == PK_APCONF_ACCEL) {
		FUZZ_CHECK(!e->mkvp[0] && !e->serialnr[0] && !e->secretid[0]);
		FUZZ_CHECK(!e->mingen[0] ||
			   (strlen(e->mingen) == 4 &&
			    !strncmp(e->mingen, "cex", 3) &&
			    e->mingen[3] >= '4' && e->mingen[3] <= '8'));
		return;
	}
	FUZZ_CHECK(e->mode == PK_APCONF_EP11);
	FUZZ_CHECK(lower_hex(e->mkvp, 32));
	FUZZ_CHECK(lower_hex(e->secretid, 64));
	FUZZ_CHECK(!e->mingen[0] || !strcmp(e->mingen, "cex8"));
	n = strlen(e->serialnr);
	FUZZ_CHECK(!n || n == 16);
	for (i = 0; i < n; i++)
		FUZZ_CHECK(!isspace((unsigned char)e->serialnr[i]));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pk_apconf_entry *e = NULL, *e2 = NULL;
	struct pk_err err = { 0 }, err2 = { 0 };
	char *text = (char *)fuzz_dup(data, size);
	size_t n = 0, n2 = 0, i;
	int ret, ret2;

	ret = pk_apconf_parse(text, size, &e, &n, &err);
	ret2 = pk_apconf_parse(text, size, &e2, &n2, &err2);
	FUZZ_CHECK(ret == ret2 && n == n2);
	if (ret) {
		FUZZ_CHECK(ret == -EINVAL || ret == -ENOMEM);
		FUZZ_CHECK(fuzz_err_set(&err));
		FUZZ_CHECK(!e && !n);
	} else {
		FUZZ_CHECK(!n == !e);
		for (i = 0; i < n; i++) {
			check_entry(&e[i]);
			FUZZ_CHECK(!memcmp(&e[i], &e2[i], sizeof(e[i])));
		}
	}
	free(e);
	free(e2);
	free(text);
	return 0;
}
