// SPDX-License-Identifier: GPL-2.0-only
/*
 * Filters of the repository's list commands, with the matching rules of
 * zkey's keystore (s390-tools zkey/keystore.c, _keystore_match_filter()
 * and _keystore_apqn_match()): a filter is a comma-separated list of
 * fnmatch(3) patterns and a value a comma-separated list; they match when
 * any pattern matches any value. A pattern without ':' is matched against
 * the part of each value before its ':' (a volume's device, without its
 * mapping name). APQN patterns are written as zkey reads them: "C.D" in
 * hex is padded to "CC.DDDD", a part without '*' shorter than its width is
 * padded with zeros, and the match ignores case.
 */
#define _GNU_SOURCE /* FNM_CASEFOLD */
#include <ctype.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protkey.h"

/* The APQN pattern @p, as zkey pads it, into @out (@len bytes). */
static void apqn_pattern(const char *p, char *out, size_t len)
{
	unsigned int card, dom;
	const char *dot = strchr(p, '.');
	char c[16], d[16];
	size_t cl;

	/* As zkey: whatever follows a hex "C.D" is dropped ("1.5*" too). */
	if (sscanf(p, "%x.%x", &card, &dom) == 2) {
		snprintf(out, len, "%02x.%04x", card, dom);
		return;
	}
	if (!dot) {
		snprintf(out, len, "%s", p);
		return;
	}
	cl = (size_t)(dot - p);
	snprintf(c, sizeof(c), "%.*s",
		 (int)(cl < sizeof(c) ? cl : sizeof(c) - 1), p);
	snprintf(d, sizeof(d), "%s", dot + 1);
	snprintf(out, len, "%s%s.%s%s",
		 !strchr(c, '*') && strlen(c) < 2 ? &"00"[strlen(c)] : "", c,
		 !strchr(d, '*') && strlen(d) < 4 ? &"0000"[strlen(d)] : "", d);
}

/* Whether pattern @pat matches the one value @val. */
static bool match_one(const char *pat, const char *val, bool apqn)
{
	char v[256], p[256];
	char *colon;

	snprintf(v, sizeof(v), "%s", val);
	if (!strchr(pat, ':')) {
		colon = strchr(v, ':');
		if (colon)
			*colon = '\0';
	}
	if (!apqn)
		return !fnmatch(pat, v, 0);
	apqn_pattern(pat, p, sizeof(p));
	return !fnmatch(p, v, FNM_CASEFOLD);
}

bool pk_filter_match(const char *values, const char *filters, bool apqn)
{
	char *fl, *vl, *f, *v, *fs = NULL, *vs = NULL;
	bool hit = false;

	if (!filters)
		return true;
	if (!values)
		return false;
	fl = strdup(filters);
	if (!fl)
		return false;
	for (f = strtok_r(fl, ",", &fs); f && !hit;
	     f = strtok_r(NULL, ",", &fs)) {
		vl = strdup(values);
		if (!vl)
			break;
		vs = NULL;
		for (v = strtok_r(vl, ",", &vs); v && !hit;
		     v = strtok_r(NULL, ",", &vs)) {
			while (isspace((unsigned char)*v))
				v++;
			hit = match_one(f, v, apqn);
		}
		free(vl);
	}
	free(fl);
	return hit;
}
