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
#include <sys/wait.h>

#include "test.h"

static char out[8192];

/* Runs protkeyctl with @argv, stdin /dev/null; stdout and stderr in @out. */
static int ctl(const char *const *argv)
{
	int p[2], st, fd;
	size_t n = 0;
	ssize_t r;
	pid_t pid;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		fd = open("/dev/null", O_RDONLY);
		dup2(fd, 0);
		dup2(p[1], 1);
		dup2(p[1], 2);
		close(p[0]);
		execv(PK_TEST_PROTKEYCTL, (char *const *)argv);
		_exit(127);
	}
	close(p[1]);
	while (n < sizeof(out) - 1 &&
	       (r = read(p[0], out + n, sizeof(out) - 1 - n)) > 0)
		n += (size_t)r;
	close(p[0]);
	out[n] = '\0';
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

#define CTL(...) ctl((const char *const[]){ "protkeyctl", __VA_ARGS__, NULL })

static bool has(const char *s)
{
	return strstr(out, s) != NULL;
}

/* A check; on failure protkeyctl's output follows as "# " lines. */
static void check(bool cond, const char *name, int rc)
{
	char *line, *save = NULL;

	if (t_ok(cond, "%s", name))
		return;
	printf("# exit %d\n", rc);
	for (line = strtok_r(out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		printf("# %s\n", line);
}

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
