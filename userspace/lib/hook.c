// SPDX-License-Identifier: GPL-2.0-only
/*
 * A hook: a shell command line the monitor runs on an event, without
 * waiting for it. It runs as "/bin/sh -c CMD" (so a hook may be a script
 * with arguments, or a small pipeline), with stdin from /dev/null, the
 * caller's stdout and stderr, no other file descriptor (the monitor's
 * netlink sockets stay its own), every signal unblocked, and the caller's
 * environment without $NOTIFY_SOCKET (the service manager hears from the
 * monitor only) plus the event's variables.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/types.h>

#include "protkey.h"

#define HOOK_SHELL "/bin/sh"

/* Whether environment entry @e ("NAME=value") is variable @name. */
static bool env_is(const char *e, const char *name)
{
	size_t n = strlen(name);

	return !strncmp(e, name, n) && e[n] == '=';
}

static bool env_dropped(const char *e, const struct pk_hook_var *vars, size_t n)
{
	size_t i;

	if (env_is(e, "NOTIFY_SOCKET"))
		return true;
	for (i = 0; i < n; i++)
		if (env_is(e, vars[i].name))
			return true;
	return false;
}

static void env_free(char **env, size_t from)
{
	size_t i;

	for (i = from; env[i]; i++)
		free(env[i]);
	free(env);
}

/*
 * The hook's environment: the caller's without the variables of @vars,
 * then those of @vars with a value. The strings of @vars are allocated,
 * those of environ borrowed; free with env_free().
 */
static char **env_build(const struct pk_hook_var *vars, size_t n, size_t *added)
{
	size_t i, k = 0, total = n + 1;
	char **env;

	for (i = 0; environ && environ[i]; i++)
		total++;
	env = calloc(total, sizeof(*env));
	if (!env)
		return NULL;
	for (i = 0; environ && environ[i]; i++)
		if (!env_dropped(environ[i], vars, n))
			env[k++] = environ[i];
	*added = k;
	for (i = 0; i < n; i++) {
		if (!vars[i].value)
			continue;
		if (asprintf(&env[k], "%s=%s", vars[i].name, vars[i].value) <
		    0) {
			env[k] = NULL;
			env_free(env, *added);
			return NULL;
		}
		k++;
	}
	return env;
}

static void close_from(int lowfd)
{
	int fd;

	if (!syscall(SYS_close_range, lowfd, ~0u, 0))
		return;
	for (fd = lowfd; fd < 4096; fd++)
		close(fd);
}

/* In the child: only async-signal-safe calls until the exec. */
static void __attribute__((noreturn)) hook_exec(const char *cmd, char **env)
{
	char *argv[] = { "sh", "-c", (char *)cmd, NULL };
	sigset_t none;
	int fd;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	fd = open("/dev/null", O_RDONLY);
	if (fd < 0 || dup2(fd, 0) < 0)
		_exit(126);
	close_from(3);
	execve(HOOK_SHELL, argv, env);
	_exit(127);
}

/**
 * pk_hook_spawn() - start a hook and return at once
 * @cmd: the command line, for /bin/sh -c
 * @vars: variables to set (value NULL: to remove) in the hook's
 *	environment
 * @n: how many @vars
 * @pid: receives the hook's pid; the caller reaps it (waitpid())
 * @err: the error
 *
 * Context: forks; the caller's signal mask and handlers are unchanged.
 * Possible returned errors:
 *
 * - -EINVAL: @cmd is empty;
 * - -ENOMEM: no memory for the environment;
 * - the negative errno of fork() (-EAGAIN).
 *
 * Return: 0, or a negative errno as listed with @err set. The hook's own
 * failure (exit status 127: /bin/sh missing) shows when it is reaped.
 */
int pk_hook_spawn(const char *cmd, const struct pk_hook_var *vars, size_t n,
		  pid_t *pid, struct pk_err *err)
{
	size_t from = 0;
	char **env;
	pid_t p;
	int ret;

	if (!cmd || !cmd[0])
		return pk_err_set(err, -EINVAL, "hook: empty command");
	env = env_build(vars, n, &from);
	if (!env)
		return pk_err_set(err, -ENOMEM, "hook: environment");
	p = fork();
	if (p == 0)
		hook_exec(cmd, env);
	ret = p < 0 ? -errno : 0;
	env_free(env, from);
	if (ret)
		return pk_err_set(err, ret, "hook: fork");
	*pid = p;
	return 0;
}
