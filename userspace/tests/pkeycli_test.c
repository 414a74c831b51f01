// SPDX-License-Identifier: GPL-2.0-only
/*
 * protkeyctl's /dev/pkey wiring, without a kernel: the built protkeyctl
 * (PK_TEST_PROTKEYCTL) runs with PROTKEY_PKEY_DEVICE pointing at a file
 * of a scratch directory. "platform" reports the device and exits 0 when
 * it opens, 4 when it is absent; --json carries a version. "key generate"
 * refuses a malformed --apqns before asking the device, names the device
 * when it is missing and the ioctl when the device lacks it (a regular
 * file answers ENOTTY), and stores nothing in any of these cases.
 */
#include "test.h"

#include "cli.h"

int main(void)
{
	char *dir = t_mkdtemp(), dev[4200], repo[4200], *before, *after;
	int rc;

	t_plan(12);
	snprintf(dev, sizeof(dev), "%s/pkey", dir);
	snprintf(repo, sizeof(repo), "%s/repo", dir);
	setenv(PK_PKEY_DEVICE_ENV, dev, 1);
	setenv(PK_REPO_ENV, repo, 1);

	rc = CTL("platform");
	check(rc == 4 && has("absent") && has(dev),
	      "platform: no device, exit 4", rc);
	rc = CTL("key", "generate", "k");
	check(rc == 4 && has("does not exist") && has(dev),
	      "generate: no device, named, exit 4", rc);

	t_write(dir, "pkey", "", 0);
	rc = CTL("platform");
	check(rc == 0 && has(": usable\n") && has("protkey.ko: "),
	      "platform: device opens, exit 0", rc);
	rc = CTL("--json", "platform");
	check(rc == 0 && has("\"version\": 1") &&
		      has("\"device_usable\": true") && has("\"provider\": "),
	      "platform --json: version and fields", rc);
	rc = CTL("platform", "extra");
	check(rc == 1, "platform: an argument is a usage error", rc);

	before = t_snapshot(repo);
	rc = CTL("key", "generate", "k", "--key-type", "EP11-AES", "--apqns",
		 "00.0001,1.1");
	check(rc == 3 && has("malformed APQN '1.1'"),
	      "generate: malformed --apqns refused", rc);
	rc = CTL("key", "generate", "k");
	check(rc == 4 && has("PKEY_APQNS4KT") && has("does not support"),
	      "generate: the device lacks the ioctl, named", rc);
	rc = CTL("key", "generate", "k", "--key-type", "EP11-AES", "--apqns",
		 "00.0001");
	check(rc == 4 && has("PKEY_APQNS4KT"),
	      "generate EP11 --apqns: the ioctl's error", rc);
	rc = CTL("key", "show", "k");
	check(rc == 2, "generate: no key stored", rc);
	after = t_snapshot(repo);
	check(!strcmp(before, after), "generate: repository unchanged", rc);
	free(after);
	free(before);

	rc = CTL("platform", "--help");
	check(rc == 0 && has("usage: protkeyctl [--json] platform"),
	      "platform --help", rc);
	rc = CTL("--help");
	check(rc == 0 && has("  platform  "), "--help lists platform", rc);
	t_rmrf(dir);
	free(dir);
	return t_done();
}
