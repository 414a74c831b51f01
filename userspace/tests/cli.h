/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * For the tests that run the built protkeyctl (PK_TEST_PROTKEYCTL): CTL()
 * runs it with stdin /dev/null and its stdout and stderr in out[];
 * check() reports a result and, on a failure, protkeyctl's output.
 */
#ifndef PK_TEST_CLI_H
#define PK_TEST_CLI_H

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

#endif
