// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of pk_apconf_parse() (lib/apconf.c): pvapconfig's YAML
 * configuration, checked and normalised as pvapconfig's config.rs does it,
 * and every malformed file refused as a whole.
 */
#include "test.h"

static int parse(const char *text, struct pk_apconf_entry **e, size_t *n)
{
	struct pk_err err = { 0 };
	int ret = pk_apconf_parse(text, strlen(text), e, n, &err);

	if (ret)
		t_diag("refused", &err);
	return ret;
}

/* @text is refused, and nothing is returned. */
static void refused(const char *text, const char *what)
{
	struct pk_apconf_entry *e = (void *)1;
	size_t n = 99;

	t_ok(parse(text, &e, &n) == -EINVAL && !e && !n, "refused: %s", what);
}

int main(void)
{
	static const char ok_text[] =
		"# two queues\n"
		"- mode: EP11\n"
		"  mkvp: 0xDB3C3B3C3CFF2312B2F1D2E89AC2B1C4"
		"DB3C3B3C3CFF2312B2F1D2E89AC2B1C4\n"
		"  name: my-assoc\n"
		"  serialnr: \" 93AADFK719460083 \"\n"
		"  description: data volumes\n"
		"- mode: accel\n"
		"  mkvp: ignored\n"
		"  mingen: CEX5\n";
	char hex[65];
	uint8_t id[32];
	struct pk_apconf_entry *e = NULL;
	size_t n = 0;

	t_plan(20);
	pk_sha256("my-assoc", 8, id);
	pk_hex_encode(id, 32, hex);
	t_ok(!parse(ok_text, &e, &n) && n == 2, "two entries read");
	t_ok(e && e[0].mode == PK_APCONF_EP11 &&
		     !strcmp(e[0].mkvp, "db3c3b3c3cff2312b2f1d2e89ac2b1c4"),
	     "ep11: a 64-digit mkvp gives its first 32 digits, lower case");
	t_ok(e && !strcmp(e[0].secretid, hex),
	     "ep11: the secret ID is SHA-256 of the name");
	t_ok(e && !strcmp(e[0].serialnr, "93AADFK719460083") &&
		     !strcmp(e[0].description, "data volumes"),
	     "ep11: serialnr trimmed, description kept");
	t_ok(e && e[1].mode == PK_APCONF_ACCEL && !e[1].mkvp[0] &&
		     !strcmp(e[1].mingen, "cex5"),
	     "accel: mkvp dropped, mingen lower case");
	free(e);

	t_ok(!parse("", &e, &n) && !n && !e, "an empty file: no entries");
	t_ok(!parse("[]\n", &e, &n) && !n && !e, "an empty list: no entries");

	refused("- mode: EP11\n  mkvp: 00112233445566778899aabbccddeeff\n"
		"  name: a\n  secretid: 0x"
		"0000000000000000000000000000000000000000000000000000000000000000\n",
		"name and secretid disagree");
	refused("- mode: EP11\n  mkvp: 00112233445566778899aabbccddeeff\n",
		"neither secretid nor name");
	refused("- mode: EP11\n  name: a\n", "ep11 without mkvp");
	refused("- mode: EP11\n  name: a\n  mkvp: 0011\n", "a short mkvp");
	refused("- mode: EP11\n  name: a\n"
		"  mkvp: 00112233445566778899aabbccddeeff\n  mingen: cex7\n",
		"ep11 mingen other than cex8");
	refused("- mode: EP11\n  name: a\n"
		"  mkvp: 00112233445566778899aabbccddeeff\n  serialnr: abc\n",
		"a serial number not 16 characters");
	refused("- mode: CCA\n  name: a\n", "mode CCA");
	refused("- mode: accel\n  colour: red\n", "an unknown field");
	refused("- mode: accel\n  mode: ep11\n", "a field given twice");
	refused("mode: accel\n", "a mapping, not a list");
	refused("- mode: [accel]\n", "a value that is a list");
	refused("- &a {mode: accel}\n- *a\n", "an alias");
	refused("- mode: accel\n  name: \"unterminated\n", "broken YAML");
	return t_done();
}
