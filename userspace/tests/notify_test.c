// SPDX-License-Identifier: GPL-2.0-only
/*
 * pk_sd_notify(): the datagram a service manager would receive, at a path
 * and at an abstract ('@') name; nothing without $NOTIFY_SOCKET; a clear
 * error for a name it cannot use.
 */
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "test.h"

/* A datagram socket bound to @name ('@': abstract), or -errno. */
static int listener(const char *name)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t n = strlen(name);
	int fd;

	if (n >= sizeof(sa.sun_path))
		return -EINVAL;
	memcpy(sa.sun_path, name, n);
	if (name[0] == '@')
		sa.sun_path[0] = '\0';
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa,
		 (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n))) {
		close(fd);
		return -errno;
	}
	return fd;
}

/* What @fd received, NUL-terminated in @buf; "" when nothing waits. */
static const char *received(int fd, char *buf, size_t size)
{
	ssize_t n = fd < 0 ? -1 : recv(fd, buf, size - 1, MSG_DONTWAIT);

	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

int main(void)
{
	char path[256], abs_name[64], buf[256];
	char *dir = t_mkdtemp();
	int pfd, afd, ret;

	t_plan(9);
	snprintf(path, sizeof(path), "%s/notify", dir ? dir : "/nonexistent");
	snprintf(abs_name, sizeof(abs_name), "@protkey-notify-test-%d",
		 (int)getpid());
	pfd = listener(path);
	afd = listener(abs_name);

	setenv("NOTIFY_SOCKET", path, 1);
	ret = pk_sd_notify("READY=1");
	t_ok(pfd >= 0 && ret == 0, "READY=1 to a path: %d", ret);
	t_ok(!strcmp(received(pfd, buf, sizeof(buf)), "READY=1"),
	     "the path socket received 'READY=1': '%s'", buf);

	setenv("NOTIFY_SOCKET", abs_name, 1);
	ret = pk_sd_notify("STOPPING=1");
	t_ok(afd >= 0 && ret == 0, "STOPPING=1 to an abstract name: %d", ret);
	t_ok(!strcmp(received(afd, buf, sizeof(buf)), "STOPPING=1"),
	     "the abstract socket received 'STOPPING=1': '%s'", buf);
	t_ok(!received(pfd, buf, sizeof(buf))[0],
	     "and the path socket nothing");

	unsetenv("NOTIFY_SOCKET");
	ret = pk_sd_notify("READY=1");
	t_ok(ret == 0 && !received(pfd, buf, sizeof(buf))[0] &&
		     !received(afd, buf, sizeof(buf))[0],
	     "without NOTIFY_SOCKET: 0 and nothing sent");

	setenv("NOTIFY_SOCKET", "notify", 1);
	t_ok(pk_sd_notify("READY=1") == -EAFNOSUPPORT,
	     "a relative name is refused");
	memset(buf, 'x', sizeof(buf) - 1);
	buf[0] = '/';
	buf[sizeof(buf) - 1] = '\0';
	setenv("NOTIFY_SOCKET", buf, 1);
	t_ok(pk_sd_notify("READY=1") == -EINVAL,
	     "a name too long for sun_path is refused");
	setenv("NOTIFY_SOCKET", "@protkey-notify-test-nobody", 1);
	ret = pk_sd_notify("READY=1");
	t_ok(ret == -ECONNREFUSED, "nobody listening: %d (%s)", ret,
	     strerror(-ret));

	unsetenv("NOTIFY_SOCKET");
	if (pfd >= 0)
		close(pfd);
	if (afd >= 0)
		close(afd);
	if (dir)
		t_rmrf(dir);
	free(dir);
	return t_done();
}
