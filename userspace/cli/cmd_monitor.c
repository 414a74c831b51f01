// SPDX-License-Identifier: GPL-2.0-only
/*
 * protkeyctl monitor: the "events" multicast group of the protkey family,
 * one line per event (human, or one JSON object per line with --json);
 * on a wrapping-key change every live key is re-derived at once (pre-warm)
 * so that the next I/O does not wait; a key under an OLD master key gets a
 * warning and, with --hook CMD, runs "/bin/sh -c CMD" with the event in
 * PROTKEY_* environment variables, not waited for. --count N and
 * --timeout S end it for scripts.
 *
 * Only the kernel's messages count: a message from any other port id, of
 * another family, or of a command that is no event is dropped silently
 * (counted); a malformed event (pk_event_parse()) is dropped with one
 * warning. Nothing is acted on before it has passed those checks.
 *
 * Under systemd (Type=notify) it sends READY=1 once it has joined the
 * group and STOPPING=1 when it ends; SIGTERM and SIGINT end it cleanly
 * (exit 0), hooks still running are left to finish.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>

#include <linux/protkey.h>

#include "cli.h"

#define GROUP "monitor"
#define EVENT_RCVBUF (8 << 20)
/* Hooks running at once; beyond it an event's hook is skipped, logged. */
#define HOOK_MAX 16

/**
 * struct mon - the monitor's state
 * @cli: global options
 * @ev: socket subscribed to the events group
 * @req: socket for the re-derive requests
 * @family: the protkey family id
 * @events: events printed so far
 * @dropped: messages dropped: not the kernel's, not an event, malformed
 * @prewarm: re-derive every key on a WK change
 * @hook: --hook command line, or NULL
 * @hooks: hooks started and not yet reaped
 */
struct mon {
	struct cli *cli;
	struct nl_sock *ev;
	struct nl_sock *req;
	int family;
	unsigned long events;
	unsigned long dropped;
	bool prewarm;
	const char *hook;
	int hooks;
};

static volatile sig_atomic_t stop_signal;

static void on_stop(int sig)
{
	stop_signal = sig;
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

static bool has(const struct pk_event *ev, int attr)
{
	return pk_event_has(ev, attr);
}

static void add_int(struct json_object *o, const char *k,
		    const struct pk_event *ev, int attr, int64_t v)
{
	if (has(ev, attr))
		json_object_object_add(o, k, json_object_new_int64(v));
}

static void add_str(struct json_object *o, const char *k, bool cond,
		    const char *v)
{
	if (cond)
		json_object_object_add(o, k, json_object_new_string(v));
}

static void print_json(const struct pk_event *ev, const char *vp)
{
	struct json_object *o = json_object_new_object();
	char now[CLI_ISO_TIME_LEN];

	cli_iso_time(time(NULL), now);
	add_str(o, "event", true, ev->name);
	add_str(o, "time", true, now);
	add_int(o, "serial", ev, PROTKEY_A_SERIAL, ev->serial);
	add_str(o, "vp", vp[0], vp);
	add_int(o, "wk-gen", ev, PROTKEY_A_WK_GEN, (int64_t)ev->wk_gen);
	add_int(o, "latency-us", ev, PROTKEY_A_LATENCY_US,
		(int64_t)ev->latency_us);
	add_int(o, "waited-ms", ev, PROTKEY_A_WAITED_MS, ev->waited_ms);
	add_int(o, "errno", ev, PROTKEY_A_ERRNO, ev->err);
	add_str(o, "reason", has(ev, PROTKEY_A_ERRNO), strerror((int)ev->err));
	add_int(o, "failed-requests", ev, PROTKEY_A_FAILED_REQUESTS,
		(int64_t)ev->failed_requests);
	add_str(o, "cause", ev->cause[0], ev->cause);
	add_str(o, "mk-match-data", has(ev, PROTKEY_A_MK_MATCH_DATA),
		cli_match_name(ev->match[0]));
	add_str(o, "mk-match-tweak", has(ev, PROTKEY_A_MK_MATCH_TWEAK),
		cli_match_name(ev->match[1]));
	json_object_object_add(o, "version",
			       json_object_new_int(CLI_JSON_VERSION));
	puts(json_object_to_json_string_ext(
		o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

/* Appends to line[]; a line that fills it is cut there, never overrun. */
#define ADD(...)                                                  \
	do {                                                      \
		if (n < (int)sizeof(line))                        \
			n += snprintf(line + n, sizeof(line) - n, \
				      __VA_ARGS__);               \
	} while (0)

static void print_text(const struct pk_event *ev, const char *vp)
{
	char line[768];
	int n = 0;

	ADD("%s", ev->name);
	if (has(ev, PROTKEY_A_SERIAL))
		ADD(" key %u", ev->serial);
	if (vp[0])
		ADD(" vp %.16s", vp);
	if (has(ev, PROTKEY_A_WK_GEN))
		ADD(" wk-gen %" PRIu64, ev->wk_gen);
	if (has(ev, PROTKEY_A_LATENCY_US))
		ADD(" latency %" PRIu64 " us", ev->latency_us);
	if (has(ev, PROTKEY_A_WAITED_MS))
		ADD(" waited %u ms", ev->waited_ms);
	if (has(ev, PROTKEY_A_ERRNO))
		ADD(" errno %u (%s)", ev->err, strerror((int)ev->err));
	if (has(ev, PROTKEY_A_FAILED_REQUESTS))
		ADD(" failed-requests %" PRIu64, ev->failed_requests);
	if (ev->cause[0])
		ADD(": %s", ev->cause);
	if (has(ev, PROTKEY_A_MK_MATCH_DATA) &&
	    has(ev, PROTKEY_A_MK_MATCH_TWEAK))
		ADD(" master key: data %s, tweak %s",
		    cli_match_name(ev->match[0]), cli_match_name(ev->match[1]));
	puts(line);
}

#undef ADD

/*
 * The hook's environment for key-needs-reencipher (documented in
 * protkeyctl(8), MONITOR); every name is set or removed, so none leaks in
 * from the monitor's own environment.
 */
static void run_hook(struct mon *m, const struct pk_event *ev, const char *vp)
{
	char serial[16], mkvp[2][24];
	struct pk_hook_var vars[] = {
		{ "PROTKEY_EVENT", ev->name },
		{ "PROTKEY_SERIAL", NULL },
		{ "PROTKEY_VP", vp },
		{ "PROTKEY_MKVP_DATA", mkvp[0] },
		{ "PROTKEY_MKVP_TWEAK", mkvp[1] },
		{ "PROTKEY_MATCH_DATA", cli_match_name(ev->match[0]) },
		{ "PROTKEY_MATCH_TWEAK", cli_match_name(ev->match[1]) },
	};
	struct pk_err err = { 0 };
	pid_t pid;

	if (m->hooks >= HOOK_MAX) {
		cli_warn(
			"hook not run for key vp %.16s: %d hooks still running",
			vp, m->hooks);
		return;
	}
	if (has(ev, PROTKEY_A_SERIAL)) {
		snprintf(serial, sizeof(serial), "%u", ev->serial);
		vars[1].value = serial;
	}
	snprintf(mkvp[0], sizeof(mkvp[0]), "%016" PRIx64, ev->mkvp[0]);
	snprintf(mkvp[1], sizeof(mkvp[1]), "%016" PRIx64, ev->mkvp[1]);
	if (pk_hook_spawn(m->hook, vars, sizeof(vars) / sizeof(vars[0]), &pid,
			  &err)) {
		cli_warn("%s", err.msg);
		return;
	}
	m->hooks++;
}

/* Reaps finished hooks without waiting; a failed one is logged. */
static void reap_hooks(struct mon *m)
{
	pid_t pid;
	int st;

	while (m->hooks && (pid = waitpid(-1, &st, WNOHANG)) > 0) {
		m->hooks--;
		if (WIFEXITED(st) && WEXITSTATUS(st))
			cli_warn("hook (pid %d) exited with status %d",
				 (int)pid, WEXITSTATUS(st));
		else if (WIFSIGNALED(st))
			cli_warn("hook (pid %d) killed by signal %d", (int)pid,
				 WTERMSIG(st));
	}
}

/*
 * Every message on the events socket, control messages included: only the
 * kernel's go on to libnl and event_cb(); anyone else's are dropped and
 * counted.
 */
static int msg_in_cb(struct nl_msg *msg, void *arg)
{
	struct mon *m = arg;

	if (pk_event_from_kernel(nlmsg_get_src(msg)))
		return NL_OK;
	m->dropped++;
	return NL_SKIP;
}

static int event_cb(struct nl_msg *msg, void *arg)
{
	char vp[2 * PROTKEY_VP_SIZE + 1] = "";
	struct pk_err err = { 0 };
	struct pk_event ev;
	struct mon *m = arg;
	int ret;

	ret = pk_event_parse(nlmsg_hdr(msg), nlmsg_get_src(msg), m->family, &ev,
			     &err);
	if (ret == -EBADMSG)
		cli_warn("ignoring a malformed event: %s", err.msg);
	if (ret) {
		m->dropped++;
		return NL_SKIP;
	}
	if (pk_event_has(&ev, PROTKEY_A_VP))
		pk_hex_encode(ev.vp, PROTKEY_VP_SIZE, vp);
	if (m->cli->json)
		print_json(&ev, vp);
	else
		print_text(&ev, vp);
	fflush(stdout);
	if (ev.cmd == PROTKEY_CMD_KEY_NEEDS_REENCIPHER && !m->cli->json)
		cli_warn(
			"key vp %.16s is only under an OLD master key: re-encipher it",
			vp);
	m->events++;
	if (ev.cmd == PROTKEY_CMD_WK_CHANGED && m->prewarm)
		prewarm(m);
	if (ev.cmd == PROTKEY_CMD_KEY_NEEDS_REENCIPHER && m->hook)
		run_hook(m, &ev, vp);
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

/* Both sockets, the family, the group joined; fds not inherited. */
static int monitor_open(struct mon *m, struct pk_err *err)
{
	int grp, ret, sz = EVENT_RCVBUF;

	m->ev = nl_socket_alloc();
	m->req = nl_socket_alloc();
	if (!m->ev || !m->req || genl_connect(m->ev) || genl_connect(m->req))
		return pk_err_set(err, -EIO, "cannot open a netlink socket");
	/* libnl opens them SOCK_CLOEXEC; hooks must never get them */
	fcntl(nl_socket_get_fd(m->ev), F_SETFD, FD_CLOEXEC);
	fcntl(nl_socket_get_fd(m->req), F_SETFD, FD_CLOEXEC);
	m->family = genl_ctrl_resolve(m->ev, PROTKEY_FAMILY_NAME);
	grp = m->family < 0 ? m->family :
			      genl_ctrl_resolve_grp(m->ev, PROTKEY_FAMILY_NAME,
						    PROTKEY_MCGRP_EVENTS);
	if (grp < 0)
		return pk_err_platform(
			err, -EPROTONOSUPPORT,
			"generic netlink family %s or its group %s not found (is protkey.ko loaded?)",
			PROTKEY_FAMILY_NAME, PROTKEY_MCGRP_EVENTS);
	nl_socket_disable_seq_check(m->ev);
	nl_socket_modify_cb(m->ev, NL_CB_MSG_IN, NL_CB_CUSTOM, msg_in_cb, m);
	nl_socket_modify_cb(m->ev, NL_CB_VALID, NL_CB_CUSTOM, event_cb, m);
	ret = nl_socket_add_membership(m->ev, grp);
	if (ret)
		/* joining needs CAP_SYS_ADMIN: exit 6, not a system error */
		return pk_err_set(err,
				  ret == -NLE_PERM || ret == -NLE_NOACCESS ?
					  -EPERM :
					  -EIO,
				  "cannot join group %s", PROTKEY_MCGRP_EVENTS);
	nl_socket_set_nonblocking(m->ev);
	/*
	 * A migration with hundreds of keys sends as many key-rederived
	 * events at once: a receive buffer for thousands of them
	 * (SO_RCVBUFFORCE with CAP_NET_ADMIN, else as much as rmem_max
	 * allows).
	 */
	if (setsockopt(nl_socket_get_fd(m->ev), SOL_SOCKET, SO_RCVBUFFORCE, &sz,
		       sizeof(sz)))
		setsockopt(nl_socket_get_fd(m->ev), SOL_SOCKET, SO_RCVBUF, &sz,
			   sizeof(sz));
	return 0;
}

/*
 * SIGTERM and SIGINT are blocked but while ppoll() waits, so that a stop
 * request cannot slip in between the check of stop_signal and the wait.
 * @old receives the mask to wait with.
 */
static void catch_stop(sigset_t *old)
{
	struct sigaction sa = { .sa_handler = on_stop };
	sigset_t set;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, old);
	sigdelset(old, SIGTERM);
	sigdelset(old, SIGINT);
}

static void receive(struct mon *m)
{
	int r = nl_recvmsgs_default(m->ev);

	/* Overruns lose events, never the monitor. */
	if (r == -NLE_NOMEM)
		cli_warn("events lost: the receive buffer overran");
	else if (r < 0 && r != -NLE_AGAIN)
		cli_warn("receiving events: %s", nl_geterror(r));
}

/* Until --count events, the --timeout, or SIGTERM/SIGINT. */
static int monitor_loop(struct mon *m, unsigned long count,
			unsigned long timeout, const sigset_t *mask)
{
	long long deadline = timeout ? now_ms() + (long long)timeout * 1000 : 0;
	struct pollfd pfd = { .fd = nl_socket_get_fd(m->ev), .events = POLLIN };

	while ((!count || m->events < count) && !stop_signal) {
		long long wait = deadline ? deadline - now_ms() : 1000;
		struct timespec ts;

		if (deadline && wait <= 0)
			break;
		/* at most 1 s: finished hooks are reaped within a second */
		if (wait > 1000)
			wait = 1000;
		ts.tv_sec = wait / 1000;
		ts.tv_nsec = (wait % 1000) * 1000000;
		pfd.revents = 0;
		if (ppoll(&pfd, 1, &ts, mask) < 0 && errno != EINTR)
			return pk_err_set(&m->cli->err, -errno, "poll");
		if (pfd.revents & POLLIN && !stop_signal)
			receive(m);
		reap_hooks(m);
	}
	return 0;
}

static int parse_args(struct mon *m, int argc, char **argv,
		      unsigned long *count, unsigned long *timeout)
{
	static const struct option opts[] = {
		{ "count", required_argument, NULL, 'c' },
		{ "timeout", required_argument, NULL, 't' },
		{ "hook", required_argument, NULL, 'H' },
		{ "no-prewarm", no_argument, NULL, 'P' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 0;
	while ((c = cli_getopt(argc, argv, "", opts)) != -1) {
		if (c == 'c' && parse_num(optarg, count) && *count)
			continue;
		if (c == 't' && parse_num(optarg, timeout) && *timeout)
			continue;
		if (c == 'H' && optarg[0]) {
			m->hook = optarg;
			continue;
		}
		if (c == 'P') {
			m->prewarm = false;
			continue;
		}
		cli_opt_bad(false);
		return cli_usage(GROUP, NULL, "bad arguments");
	}
	if (optind != argc)
		return cli_usage(GROUP, NULL, "bad argument '%s'",
				 argv[optind]);
	return 0;
}

/* monitor [--count N] [--timeout S] [--no-prewarm] [--hook CMD] */
int cmd_monitor(struct cli *cli, int argc, char **argv)
{
	unsigned long count = 0, timeout = 0;
	struct mon m = { .cli = cli, .prewarm = true };
	sigset_t mask;
	int ret;

	ret = parse_args(&m, argc, argv, &count, &timeout);
	if (ret)
		return ret;
	ret = monitor_open(&m, &cli->err);
	if (ret)
		goto out;
	catch_stop(&mask);
	/* On stderr in both modes: scripts wait for it before acting. */
	fprintf(stderr, "listening to %s/%s\n", PROTKEY_FAMILY_NAME,
		PROTKEY_MCGRP_EVENTS);
	ret = pk_sd_notify("READY=1");
	if (ret)
		cli_warn("cannot notify the service manager: %s",
			 strerror(-ret));
	ret = monitor_loop(&m, count, timeout, &mask);
	pk_sd_notify("STOPPING=1");
	if (m.dropped)
		cli_warn(
			"%lu messages dropped: not from the kernel, not an event, or malformed",
			m.dropped);
out:
	nl_socket_free(m.ev);
	nl_socket_free(m.req);
	return ret ? cli_fail(cli, ret) : PK_EXIT_OK;
}
