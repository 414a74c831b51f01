// SPDX-License-Identifier: GPL-2.0-only
/*
 * The small parsers of command-line and file values on an arbitrary
 * string (the input up to its first NUL): pk_hex_decode(),
 * pk_parse_uint() and pk_apqn_parse(). Each is checked against a
 * straightforward model of what its comment documents:
 *
 * - pk_hex_decode() accepts exactly 2 * len hex digits, writes no more
 *   than len bytes (the buffer is exactly that size), and what it decodes
 *   encodes back to the input in lower case;
 * - pk_parse_uint() accepts 1 to 10 decimal digits and nothing else
 *   (-EINVAL), a value above max is -ERANGE, the value is the digits',
 *   and a refusal leaves *val untouched;
 * - pk_apqn_parse() accepts exactly "CC.DDDD" in hex with a domain up to
 *   0xff, and the APQN it returns prints back as the input in lower case;
 *   a refusal leaves *apqn untouched.
 */
#include <ctype.h>
#include <limits.h>

#include "fuzz.h"

static char *lower(const char *s)
{
	char *l = strdup(s), *p;

	if (!l)
		abort();
	for (p = l; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return l;
}

static bool all_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return true;
}

static void check_hex(const char *s, size_t n)
{
	size_t len = strlen(s);
	uint8_t *out = malloc(n ? n : 1);
	char *enc = malloc(2 * n + 1), *l;
	bool want = len == 2 * n && all_hex(s, len);
	int ret;

	if (!out || !enc)
		abort();
	ret = pk_hex_decode(s, out, n);
	FUZZ_CHECK(ret == 0 || ret == -EINVAL);
	FUZZ_CHECK(!ret == want);
	if (!ret) {
		pk_hex_encode(out, n, enc);
		l = lower(s);
		FUZZ_CHECK(!strcmp(enc, l));
		free(l);
	}
	free(out);
	free(enc);
}

static void check_uint(const char *s, unsigned long max)
{
	size_t i, len = strlen(s);
	unsigned long val = 0x5a5a5a5aUL, v = 0;
	bool digits = len >= 1 && len <= 10;
	int ret, want;

	for (i = 0; digits && i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			digits = false;
		else
			v = v * 10 + (unsigned long)(s[i] - '0');
	}
	want = !digits ? -EINVAL : v > max ? -ERANGE : 0;
	ret = pk_parse_uint(s, max, &val);
	FUZZ_CHECK(ret == want);
	FUZZ_CHECK(ret ? val == 0x5a5a5a5aUL : val == v);
}

static void check_apqn(const char *s)
{
	uint32_t apqn = 0xa5a5a5a5;
	char back[32], *l;
	int ret;

	ret = pk_apqn_parse(s, &apqn);
	if (ret) {
		FUZZ_CHECK(ret == -EINVAL && apqn == 0xa5a5a5a5);
		return;
	}
	FUZZ_CHECK(strlen(s) == 7 && s[2] == '.' && all_hex(s, 2) &&
		   all_hex(s + 3, 4));
	FUZZ_CHECK((apqn & 0xffff) <= 0xff);
	snprintf(back, sizeof(back), "%02x.%04x", apqn >> 16, apqn & 0xffff);
	l = lower(s);
	FUZZ_CHECK(!strcmp(back, l));
	free(l);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned long maxes[] = { 0,      1,	 256,	   4096,
					       600000, 10000000, ULONG_MAX };
	char *s = fuzz_str(data, size);
	size_t len = strlen(s), i;

	check_hex(s, len / 2);
	if (len % 2)
		check_hex(s, len / 2 + 1);
	if (len >= 2)
		check_hex(s, len / 2 - 1);
	for (i = 0; i < sizeof(maxes) / sizeof(maxes[0]); i++)
		check_uint(s, maxes[i]);
	check_apqn(s);
	free(s);
	return 0;
}
