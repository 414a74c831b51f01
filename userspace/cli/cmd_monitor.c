// SPDX-License-Identifier: GPL-2.0-only
/*
 * protkeyctl monitor: the "events" multicast group of the protkey family,
 * one line per event (human, or one JSON object per line with --json);
 * on a wrapping-key change every live key is re-derived at once (pre-warm)
 * so that the next I/O does not wait; a key under an OLD master key gets a
 * warning. --count N and --timeout S end it for scripts.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>

#include <linux/protkey.h>

#include "cli.h"

#define GROUP "monitor"
#define EVENT_RCVBUF (8 << 20)

/**
 * struct mon - the monitor's state
 * @cli: global options
 * @ev: socket subscribed to the events group
 * @req: socket for the re-derive requests
 * @family: the protkey family id
 * @events: events printed so far
 * @prewarm: re-derive every key on a WK change
 */
struct mon {
	struct cli *cli;
	struct nl_sock *ev;
	struct nl_sock *req;
	int family;
	unsigned long events;
	bool prewarm;
};

static const char *const event_names[] = {
	[PROTKEY_CMD_WK_CHANGED] = "wk-changed",
	[PROTKEY_CMD_KEY_REDERIVED] = "key-rederived",
	[PROTKEY_CMD_KEY_STALLED] = "key-stalled",
	[PROTKEY_CMD_KEY_FAILED] = "key-failed",
	[PROTKEY_CMD_KEY_NEEDS_REENCIPHER] = "key-needs-reencipher",
};

static const char *match_name(uint32_t m)
{
	static const char *const names[] = {
		[PROTKEY_MATCH_NONE] = "none",
		[PROTKEY_MATCH_CURRENT] = "current",
		[PROTKEY_MATCH_OLD] = "old",
		[PROTKEY_MATCH_NEW] = "new",
	};

	return m < sizeof(names) / sizeof(names[0]) ? names[m] : "unknown";
}

/*
 * Pre-warm: one KEY_REDERIVE without serial or vp, which kicks every key
 * object whose protected keys are stale and returns at once; the derives
 * run in the keys' workers, side by side.
 */
static void prewarm(struct mon *m)
{
	struct nl_msg *msg = nlmsg_alloc();
	int ret;

	if (!msg)
		return;
	genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, m->family, 0, 0,
		    PROTKEY_CMD_KEY_REDERIVE, PROTKEY_FAMILY_VERSION);
	ret = nl_send_sync(m->req, msg); /* frees msg */
	if (ret < 0)
		cli_warn("pre-warm: %s", nl_geterror(ret));
}

static void vp_hex(struct nlattr *a, char *out)
{
	const uint8_t *p = nla_data(a);
	int i, n = nla_len(a) < PROTKEY_VP_SIZE ? nla_len(a) : PROTKEY_VP_SIZE;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
	out[2 * n] = '\0';
}

static void add_u64(struct json_object *o, const char *k, struct nlattr *a,
		    bool is64)
{
	if (a)
		json_object_object_add(
			o, k,
			json_object_new_int64(is64 ? (int64_t)nla_get_u64(a) :
						     nla_get_u32(a)));
}

static int event_cb(struct nl_msg *msg, void *arg)
{
	struct genlmsghdr *gh = nlmsg_data(nlmsg_hdr(msg));
	struct nlattr *tb[PROTKEY_A_MAX + 1];
	struct mon *m = arg;
	struct json_object *o;
	char vp[2 * PROTKEY_VP_SIZE + 1] = "";
	const char *name, *cause = NULL;
	char line[512];
	int n = 0;

	if (gh->cmd < PROTKEY_CMD_WK_CHANGED ||
	    gh->cmd > PROTKEY_CMD_KEY_NEEDS_REENCIPHER ||
	    genlmsg_parse(nlmsg_hdr(msg), 0, tb, PROTKEY_A_MAX, NULL))
		return NL_OK;
	name = event_names[gh->cmd];
	if (tb[PROTKEY_A_VP])
		vp_hex(tb[PROTKEY_A_VP], vp);
	/* The platform's words, if the kernel sent a terminated string. */
	if (tb[PROTKEY_A_CAUSE] && nla_len(tb[PROTKEY_A_CAUSE]) > 1 &&
	    !((const char *)nla_data(
		    tb[PROTKEY_A_CAUSE]))[nla_len(tb[PROTKEY_A_CAUSE]) - 1])
		cause = nla_data(tb[PROTKEY_A_CAUSE]);
	if (m->cli->json) {
		o = json_object_new_object();
		json_object_object_add(o, "event",
				       json_object_new_string(name));
		json_object_object_add(
			o, "time", json_object_new_int64((int64_t)time(NULL)));
		add_u64(o, "serial", tb[PROTKEY_A_SERIAL], false);
		if (vp[0])
			json_object_object_add(o, "vp",
					       json_object_new_string(vp));
		add_u64(o, "wk-gen", tb[PROTKEY_A_WK_GEN], true);
		add_u64(o, "latency-us", tb[PROTKEY_A_LATENCY_US], true);
		add_u64(o, "waited-ms", tb[PROTKEY_A_WAITED_MS], false);
		add_u64(o, "errno", tb[PROTKEY_A_ERRNO], false);
		if (tb[PROTKEY_A_ERRNO])
			json_object_object_add(
				o, "reason",
				json_object_new_string(strerror((
					int)nla_get_u32(tb[PROTKEY_A_ERRNO]))));
		add_u64(o, "failed-requests", tb[PROTKEY_A_FAILED_REQUESTS],
			true);
		if (cause)
			json_object_object_add(o, "cause",
					       json_object_new_string(cause));
		if (tb[PROTKEY_A_MK_MATCH_DATA])
			json_object_object_add(
				o, "mk-match-data",
				json_object_new_string(match_name(nla_get_u32(
					tb[PROTKEY_A_MK_MATCH_DATA]))));
		if (tb[PROTKEY_A_MK_MATCH_TWEAK])
			json_object_object_add(
				o, "mk-match-tweak",
				json_object_new_string(match_name(nla_get_u32(
					tb[PROTKEY_A_MK_MATCH_TWEAK]))));
		puts(json_object_to_json_string_ext(
			o, JSON_C_TO_STRING_PLAIN |
				   JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
	} else {
		n += snprintf(line + n, sizeof(line) - n, "%s", name);
		if (tb[PROTKEY_A_SERIAL])
			n += snprintf(line + n, sizeof(line) - n, " key %u",
				      nla_get_u32(tb[PROTKEY_A_SERIAL]));
		if (vp[0])
			n += snprintf(line + n, sizeof(line) - n, " vp %.16s",
				      vp);
		if (tb[PROTKEY_A_WK_GEN])
			n += snprintf(
				line + n, sizeof(line) - n, " wk-gen %" PRIu64,
				(uint64_t)nla_get_u64(tb[PROTKEY_A_WK_GEN]));
		if (tb[PROTKEY_A_LATENCY_US])
			n += snprintf(line + n, sizeof(line) - n,
				      " latency %" PRIu64 " us",
				      (uint64_t)nla_get_u64(
					      tb[PROTKEY_A_LATENCY_US]));
		if (tb[PROTKEY_A_WAITED_MS])
			n += snprintf(line + n, sizeof(line) - n,
				      " waited %u ms",
				      nla_get_u32(tb[PROTKEY_A_WAITED_MS]));
		if (tb[PROTKEY_A_ERRNO])
			n += snprintf(line + n, sizeof(line) - n,
				      " errno %u (%s)",
				      nla_get_u32(tb[PROTKEY_A_ERRNO]),
				      strerror((int)nla_get_u32(
					      tb[PROTKEY_A_ERRNO])));
		if (tb[PROTKEY_A_FAILED_REQUESTS])
			n += snprintf(line + n, sizeof(line) - n,
				      " failed-requests %" PRIu64,
				      (uint64_t)nla_get_u64(
					      tb[PROTKEY_A_FAILED_REQUESTS]));
		if (cause)
			n += snprintf(line + n, sizeof(line) - n, ": %s",
				      cause);
		if (tb[PROTKEY_A_MK_MATCH_DATA] && tb[PROTKEY_A_MK_MATCH_TWEAK])
			snprintf(line + n, sizeof(line) - n,
				 " master key: data %s, tweak %s",
				 match_name(nla_get_u32(
					 tb[PROTKEY_A_MK_MATCH_DATA])),
				 match_name(nla_get_u32(
					 tb[PROTKEY_A_MK_MATCH_TWEAK])));
		puts(line);
	}
	fflush(stdout);
	if (gh->cmd == PROTKEY_CMD_KEY_NEEDS_REENCIPHER && !m->cli->json)
		cli_warn(
			"key vp %.16s is only under an OLD master key: re-encipher it",
			vp);
	m->events++;
	if (gh->cmd == PROTKEY_CMD_WK_CHANGED && m->prewarm)
		prewarm(m);
	return NL_OK;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool parse_num(const char *s, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 10);
	return !errno && *s && !*end && s[0] != '-';
}

/* monitor [--count N] [--timeout S] [--no-prewarm] */
int cmd_monitor(struct cli *cli, int argc, char **argv)
{
	unsigned long count = 0, timeout = 0;
	long long deadline = 0;
	struct mon m = { .cli = cli, .prewarm = true };
	struct pollfd pfd;
	int i, grp, ret = 0;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--count") && i + 1 < argc &&
		    parse_num(argv[i + 1], &count) && count) {
			i++;
		} else if (!strcmp(argv[i], "--timeout") && i + 1 < argc &&
			   parse_num(argv[i + 1], &timeout) && timeout) {
			i++;
		} else if (!strcmp(argv[i], "--no-prewarm")) {
			m.prewarm = false;
		} else if (!strcmp(argv[i], "--json")) {
			cli->json = true;
		} else {
			return cli_usage(GROUP, NULL, "bad argument '%s'",
					 argv[i]);
		}
	}
	m.ev = nl_socket_alloc();
	m.req = nl_socket_alloc();
	if (!m.ev || !m.req || genl_connect(m.ev) || genl_connect(m.req)) {
		ret = pk_err_set(&cli->err, -EIO,
				 "cannot open a netlink socket");
		goto out;
	}
	m.family = genl_ctrl_resolve(m.ev, PROTKEY_FAMILY_NAME);
	grp = m.family < 0 ? m.family :
			     genl_ctrl_resolve_grp(m.ev, PROTKEY_FAMILY_NAME,
						   PROTKEY_MCGRP_EVENTS);
	if (grp < 0) {
		ret = pk_err_platform(
			&cli->err, -EPROTONOSUPPORT,
			"generic netlink family %s or its group %s not found (is protkey.ko loaded?)",
			PROTKEY_FAMILY_NAME, PROTKEY_MCGRP_EVENTS);
		goto out;
	}
	nl_socket_disable_seq_check(m.ev);
	nl_socket_modify_cb(m.ev, NL_CB_VALID, NL_CB_CUSTOM, event_cb, &m);
	ret = nl_socket_add_membership(m.ev, grp);
	if (ret) {
		/* joining needs CAP_SYS_ADMIN: exit 6, not a system error */
		ret = pk_err_set(&cli->err,
				 ret == -NLE_PERM || ret == -NLE_NOACCESS ?
					 -EPERM :
					 -EIO,
				 "cannot join group %s", PROTKEY_MCGRP_EVENTS);
		goto out;
	}
	nl_socket_set_nonblocking(m.ev);
	/*
	 * A migration with hundreds of keys sends as many key-rederived
	 * events at once: a receive buffer for thousands of them
	 * (SO_RCVBUFFORCE with CAP_NET_ADMIN, else as much as rmem_max
	 * allows).
	 */
	{
		int fd = nl_socket_get_fd(m.ev), sz = EVENT_RCVBUF;

		if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)))
			setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	}
	/* On stderr in both modes: scripts wait for it before acting. */
	fprintf(stderr, "listening to %s/%s\n", PROTKEY_FAMILY_NAME,
		PROTKEY_MCGRP_EVENTS);
	if (timeout)
		deadline = now_ms() + (long long)timeout * 1000;
	pfd.fd = nl_socket_get_fd(m.ev);
	pfd.events = POLLIN;
	while (!count || m.events < count) {
		long long wait = deadline ? deadline - now_ms() : -1;

		if (deadline && wait <= 0)
			break;
		if (poll(&pfd, 1, (int)(wait > 1000 ? 1000 : wait)) < 0) {
			if (errno == EINTR)
				continue;
			ret = pk_err_set(&cli->err, -errno, "poll");
			break;
		}
		if (pfd.revents & POLLIN) {
			int r = nl_recvmsgs_default(m.ev);

			/* Overruns lose events, never the monitor. */
			if (r == -NLE_NOMEM)
				cli_warn(
					"events lost: the receive buffer overran");
			else if (r < 0 && r != -NLE_AGAIN)
				cli_warn("receiving events: %s",
					 nl_geterror(r));
		}
	}
out:
	nl_socket_free(m.ev);
	nl_socket_free(m.req);
	return ret ? cli_fail(cli, ret) : PK_EXIT_OK;
}
