// SPDX-License-Identifier: GPL-2.0-only
/*
 * protkeyctl's command line, without a kernel (the built protkeyctl,
 * PK_TEST_PROTKEYCTL, on an empty repository of a scratch directory):
 * the global options go anywhere before "--", and not after it; usage
 * errors name the option that is unknown, lacks its value, has a bad one
 * or is not the command's; every --json object carries "version" and
 * numbers as numbers, times in ISO 8601 with the zone; -v shows
 * libcryptsetup's debug log.
 */
#include "cli.h"

/* Whether "@field": "YYYY-MM-DDThh:mm:ss@zone" is in @json. */
static bool iso_time(const char *json, const char *field, const char *zone)
{
	char pat[64], v[40];
	const char *p;
	int y, mo, d, h, mi, sec;

	snprintf(pat, sizeof(pat), "\"%s\": \"", field);
	p = strstr(json, pat);
	if (!p || sscanf(p + strlen(pat), "%39[^\"]", v) != 1)
		return false;
	return strlen(v) == 25 &&
	       sscanf(v, "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi,
		      &sec) == 6 &&
	       !strcmp(v + 19, zone);
}

int main(void)
{
	char *dir = t_mkdtemp(), repo[4200], file[4200], first[8192];
	uint8_t blob[128];
	static const char zero[4096];
	int rc;

	t_plan(18);
	snprintf(repo, sizeof(repo), "%s/repo", dir);
	snprintf(file, sizeof(file), "%s/disk", dir);
	t_write(dir, "disk", zero, sizeof(zero));
	mkdir(repo, 0700);
	unsetenv(PK_REPO_ENV);

	rc = CTL("--repository", repo, "--json", "key", "list");
	check(rc == 0 && has("\"version\": 1") && has("\"keys\": [") &&
		      has("\"total\": 0") && has("\"selected\": 0"),
	      "key list --json: an object with version, keys and numbers", rc);
	snprintf(first, sizeof(first), "%s", out);
	rc = CTL("key", "list", "--json", "--repository", repo);
	check(rc == 0 && !strcmp(out, first),
	      "global options after the command: the same output", rc);
	rc = CTL("key", "list", "--repository=");
	check(rc == 1 && has("'--repository' needs a directory"),
	      "--repository= with an empty value", rc);
	rc = CTL("key", "--json", "list", "--name", "x*",
		 strcat(strcpy(first, "--repository="), repo));
	check(rc == 0 && has("\"total\": 0"),
	      "global options between group, command and options", rc);
	rc = CTL("--repository", repo, "key", "list", "--", "--json");
	check(rc == 1 && has("bad arguments"),
	      "after \"--\" a global option is an operand", rc);
	rc = CTL("key", "list", "--repository");
	check(rc == 1 && has("'--repository' needs a directory"),
	      "--repository without its directory", rc);

	rc = CTL("--repository", repo, "key", "list", "--nosuch");
	check(rc == 1 && has("unknown option '--nosuch'"),
	      "usage error names an unknown long option", rc);
	rc = CTL("--repository", repo, "key", "remove", "-x", "k");
	check(rc == 1 && has("unknown option '-x'"),
	      "usage error names an unknown short option", rc);
	rc = CTL("--repository", repo, "key", "show", "k", "--all");
	check(rc == 1 && has("unknown option '--all'"),
	      "a command of operands only names an option given to it", rc);
	rc = CTL("--repository", repo, "key", "list", "--name");
	check(rc == 1 && has("option '--name' needs a value"),
	      "usage error names an option without its value", rc);
	rc = CTL("--repository", repo, "key", "generate", "k", "--bits", "100");
	check(rc == 1 && has("bad value '100' for option '--bits'"),
	      "usage error names a bad value and its option", rc);
	rc = CTL("--repository", repo, "key", "import", file, "k", "--bits",
		 "128");
	check(rc == 1 && has("option '--bits' is not one of this command's"),
	      "usage error names an option of another command", rc);

	rc = CTL("volume", "token", "show", file);
	check(rc != 0 && !has("libcryptsetup (debug)"),
	      "without -v: no libcryptsetup debug log", rc);
	rc = CTL("volume", "token", "show", file, "-v");
	check(rc != 0 && has("libcryptsetup (debug): "),
	      "-v: libcryptsetup's debug log on stderr", rc);
	rc = CTL("--verbose", "--repository", repo, "key", "list");
	check(rc == 0 && has("0 of 0 keys"), "--verbose with a command", rc);

	/* times in --json: ISO 8601 with the zone */
	t_make_xts(blob, 0x1122334455667788ULL, 1);
	t_write(dir, "k.skey", blob, sizeof(blob));
	snprintf(file, sizeof(file), "%s/k.skey", dir);
	rc = CTL("--repository", repo, "--json", "key", "import", file, "k");
	check(rc == 0 && has("\"message\": \"imported ") &&
		      has("\"version\": 1"),
	      "a command that changes something: its --json object", rc);
	setenv("TZ", "UTC", 1);
	rc = rc ?: CTL("--repository", repo, "--json", "key", "show", "k");
	check(rc == 0 && iso_time(out, "creation-time", "+00:00"),
	      "key show --json: creation-time in ISO 8601, UTC +00:00", rc);
	setenv("TZ", "CET-1", 1);
	rc = CTL("--repository", repo, "--json", "key", "show", "k");
	check(rc == 0 && iso_time(out, "creation-time", "+01:00"),
	      "key show --json: creation-time with the zone's offset", rc);
	t_rmrf(dir);
	free(dir);
	return t_done();
}
