// SPDX-License-Identifier: GPL-2.0-only
/*
 * pk_hook_spawn(): the hook's environment (the event's variables set,
 * removed ones gone, no NOTIFY_SOCKET), its file descriptors (stdin from
 * /dev/null, none of the caller's others, CLOEXEC or not), its exit
 * status, and the refusal of an empty command.
 */
#include <sys/wait.h>

#include "test.h"

static int wait_status(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 256 + WTERMSIG(st);
}

int main(void)
{
	char *dir = t_mkdtemp(), cmd[1024], out[8192], want[64];
	const struct pk_hook_var vars[] = {
		{ "PROTKEY_EVENT", "key-needs-reencipher" },
		{ "PROTKEY_SERIAL", "4242" },
		{ "PROTKEY_STALE", NULL },
	};
	struct pk_err err = { 0 };
	int p[2] = { -1, -1 }, fd, ret;
	pid_t pid = -1;

	t_plan(10);
	if (!dir || pipe(p)) {
		printf("# setup: %s\n", strerror(errno));
		return 1;
	}
	/* our stdin a pipe: the hook's must be /dev/null all the same */
	if (dup2(p[0], 0) < 0) {
		printf("# setup: %s\n", strerror(errno));
		return 1;
	}
	setenv("NOTIFY_SOCKET", "@protkey-hook-test", 1);
	setenv("PROTKEY_STALE", "from-the-monitor", 1);
	setenv("PROTKEY_SERIAL", "1", 1);
	snprintf(cmd, sizeof(cmd),
		 "env >%s/env; ls /proc/$$/fd >%s/fds; "
		 "readlink /proc/$$/fd/0 >%s/stdin",
		 dir, dir, dir);
	ret = pk_hook_spawn(cmd, vars, 3, &pid, &err);
	t_ok(ret == 0 && pid > 0, "spawned: %d %s", ret, err.msg);
	t_ok(pid > 0 && wait_status(pid) == 0, "the hook exited 0");

	snprintf(out, sizeof(out), "%s/env", dir);
	fd = open(out, O_RDONLY);
	ret = fd < 0 ? -1 : (int)read(fd, out, sizeof(out) - 1);
	out[ret > 0 ? ret : 0] = '\0';
	if (fd >= 0)
		close(fd);
	t_ok(strstr(out, "\nPROTKEY_EVENT=key-needs-reencipher\n") != NULL,
	     "PROTKEY_EVENT is set");
	t_ok(strstr(out, "\nPROTKEY_SERIAL=4242\n") &&
		     !strstr(out, "PROTKEY_SERIAL=1\n"),
	     "PROTKEY_SERIAL is the event's, not the inherited one");
	t_ok(!strstr(out, "PROTKEY_STALE"),
	     "a variable set to NULL is removed");
	t_ok(!strstr(out, "NOTIFY_SOCKET"), "NOTIFY_SOCKET is not passed on");
	t_ok(strstr(out, "\nPATH=") || !strncmp(out, "PATH=", 5),
	     "the rest of the environment is inherited");

	snprintf(out, sizeof(out), "%s/fds", dir);
	fd = open(out, O_RDONLY);
	ret = fd < 0 ? -1 : (int)read(fd, out, sizeof(out) - 1);
	out[ret > 0 ? ret : 0] = '\0';
	if (fd >= 0)
		close(fd);
	snprintf(want, sizeof(want), " %d ", p[0]);
	for (fd = 0; out[fd]; fd++)
		if (out[fd] == '\n')
			out[fd] = ' ';
	memmove(out + 1, out, strlen(out) + 1);
	out[0] = ' ';
	t_ok(ret > 0 && !strstr(out, want),
	     "the caller's pipe (fd %d, no CLOEXEC) is not open in the hook: %s",
	     p[0], out);

	snprintf(out, sizeof(out), "%s/stdin", dir);
	fd = open(out, O_RDONLY);
	ret = fd < 0 ? -1 : (int)read(fd, out, sizeof(out) - 1);
	out[ret > 0 ? ret : 0] = '\0';
	if (fd >= 0)
		close(fd);
	t_ok(!strcmp(out, "/dev/null\n"), "stdin is /dev/null");

	ret = pk_hook_spawn("exit 3", NULL, 0, &pid, &err);
	t_ok(ret == 0 && wait_status(pid) == 3 &&
		     pk_hook_spawn("", NULL, 0, &pid, &err) == -EINVAL,
	     "a failing hook's status is its exit code; an empty one is refused");

	close(p[0]);
	close(p[1]);
	unsetenv("NOTIFY_SOCKET");
	t_rmrf(dir);
	free(dir);
	return t_done();
}
