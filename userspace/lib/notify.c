// SPDX-License-Identifier: GPL-2.0-only
/*
 * systemd's service notification protocol (sd_notify(3)), without
 * libsystemd: one datagram with newline-separated "VAR=value" lines to
 * the AF_UNIX socket that $NOTIFY_SOCKET names, a path or, after '@', a
 * name in the abstract namespace. The service manager learns the sender's
 * pid from the socket's credentials, so the main process sends it itself
 * (NotifyAccess=main).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "protkey.h"

/* $NOTIFY_SOCKET into @sa; its length into *@len. */
static int notify_addr(const char *name, struct sockaddr_un *sa, socklen_t *len)
{
	size_t n = strlen(name);

	if (name[0] != '/' && name[0] != '@')
		return -EAFNOSUPPORT;
	if (n < 2 || n >= sizeof(sa->sun_path))
		return -EINVAL;
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	memcpy(sa->sun_path, name, n);
	/* abstract: a leading NUL, and the length says where it ends */
	if (name[0] == '@')
		sa->sun_path[0] = '\0';
	*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n +
			   (name[0] == '/'));
	return 0;
}

/**
 * pk_sd_notify() - tell the service manager about the service's state
 * @state: newline-separated assignments, e.g. "READY=1" or "STOPPING=1"
 *
 * Without $NOTIFY_SOCKET (not started by systemd as Type=notify) this does
 * nothing. Other socket families (systemd's "vsock:") are not supported.
 *
 * Context: any; one short blocking send.
 * Possible returned errors:
 *
 * - -EAFNOSUPPORT: $NOTIFY_SOCKET is neither a path nor '@' and a name;
 * - -EINVAL: $NOTIFY_SOCKET is too short or too long for sun_path;
 * - the negative errno of socket() or sendto() (-ECONNREFUSED,
 *   -ENOENT when nobody listens there).
 *
 * Return: 0 (sent, or nothing to do), or a negative errno as listed.
 */
int pk_sd_notify(const char *state)
{
	const char *name = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa;
	size_t n = strlen(state);
	socklen_t len;
	ssize_t sent;
	int fd, ret;

	if (!name || !name[0])
		return 0;
	ret = notify_addr(name, &sa, &len);
	if (ret)
		return ret;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	sent = sendto(fd, state, n, MSG_NOSIGNAL, (struct sockaddr *)&sa, len);
	ret = sent < 0 ? -errno : (size_t)sent != n ? -EMSGSIZE : 0;
	close(fd);
	return ret;
}
