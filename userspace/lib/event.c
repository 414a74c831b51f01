// SPDX-License-Identifier: GPL-2.0-only
/*
 * The events of protkey.ko's "events" multicast group, checked before
 * anyone acts on them: sent by the kernel (port id 0), of the protkey
 * family, a known event command, every attribute of the type and length
 * that kernel/netlink.c puts (the policy below), the event's mandatory
 * attributes present. The protkey family has no nested attributes; an
 * attribute that runs past the end of the message is an error here,
 * where libnl's nla_parse() would drop it without a word.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include <linux/protkey.h>

#include "protkey.h"

_Static_assert(PK_EVENT_VP_SIZE == PROTKEY_VP_SIZE, "vp size");
_Static_assert(PROTKEY_A_MAX < 32, "pk_event.has holds every attribute");

/* clang-format off */
#define U32 { .type = NLA_U32, .minlen = 4, .maxlen = 4 }
#define U64 { .type = NLA_U64, .minlen = 8, .maxlen = 8 }

/* As kernel/netlink.c puts them and the spec types them. */
static const struct nla_policy event_policy[PROTKEY_A_MAX + 1] = {
	[PROTKEY_A_SERIAL] = U32,
	[PROTKEY_A_VP] = { .type = NLA_UNSPEC, .minlen = PROTKEY_VP_SIZE,
			   .maxlen = PROTKEY_VP_SIZE },
	[PROTKEY_A_STATE] = U32,
	[PROTKEY_A_KEY_TYPE] = { .type = NLA_STRING, .maxlen = 64 },
	[PROTKEY_A_MKVP_DATA] = U64,
	[PROTKEY_A_MKVP_TWEAK] = U64,
	[PROTKEY_A_MK_MATCH_DATA] = U32,
	[PROTKEY_A_MK_MATCH_TWEAK] = U32,
	[PROTKEY_A_WK_GEN] = U64,
	[PROTKEY_A_DERIVES] = U64,
	[PROTKEY_A_DERIVE_ERRORS] = U64,
	[PROTKEY_A_STALLS] = U64,
	[PROTKEY_A_FAILURES] = U64,
	[PROTKEY_A_FAILED_REQUESTS] = U64,
	[PROTKEY_A_LAST_ERROR] = U32,
	[PROTKEY_A_LAST_STALL_MS] = U32,
	[PROTKEY_A_USERS] = U32,
	[PROTKEY_A_LATENCY_US] = U64,
	[PROTKEY_A_WAITED_MS] = U32,
	[PROTKEY_A_ERRNO] = U32,
	[PROTKEY_A_PAD] = { .type = NLA_UNSPEC },
	[PROTKEY_A_CAUSE] = { .type = NLA_STRING,
			      .maxlen = PK_EVENT_CAUSE_MAX },
};

static const char *const attr_names[PROTKEY_A_MAX + 1] = {
	[PROTKEY_A_SERIAL] = "serial",
	[PROTKEY_A_VP] = "vp",
	[PROTKEY_A_STATE] = "state",
	[PROTKEY_A_KEY_TYPE] = "key-type",
	[PROTKEY_A_MKVP_DATA] = "mkvp-data",
	[PROTKEY_A_MKVP_TWEAK] = "mkvp-tweak",
	[PROTKEY_A_MK_MATCH_DATA] = "mk-match-data",
	[PROTKEY_A_MK_MATCH_TWEAK] = "mk-match-tweak",
	[PROTKEY_A_WK_GEN] = "wk-gen",
	[PROTKEY_A_DERIVES] = "derives",
	[PROTKEY_A_DERIVE_ERRORS] = "derive-errors",
	[PROTKEY_A_STALLS] = "stalls",
	[PROTKEY_A_FAILURES] = "failures",
	[PROTKEY_A_FAILED_REQUESTS] = "failed-requests",
	[PROTKEY_A_LAST_ERROR] = "last-error",
	[PROTKEY_A_LAST_STALL_MS] = "last-stall-ms",
	[PROTKEY_A_USERS] = "users",
	[PROTKEY_A_LATENCY_US] = "latency-us",
	[PROTKEY_A_WAITED_MS] = "waited-ms",
	[PROTKEY_A_ERRNO] = "errno",
	[PROTKEY_A_PAD] = "pad",
	[PROTKEY_A_CAUSE] = "cause",
};

#define A(x) (1u << PROTKEY_A_##x)

/* Each event's name and the attributes the kernel always puts in it. */
static const struct {
	const char *name;
	uint32_t need;
} events[PROTKEY_CMD_MAX + 1] = {
	[PROTKEY_CMD_WK_CHANGED] = { "wk-changed", A(WK_GEN) },
	[PROTKEY_CMD_KEY_REDERIVED] = { "key-rederived",
					A(VP) | A(LATENCY_US) | A(WK_GEN) },
	[PROTKEY_CMD_KEY_STALLED] = { "key-stalled",
				      A(VP) | A(WAITED_MS) | A(ERRNO) },
	[PROTKEY_CMD_KEY_FAILED] = { "key-failed",
				     A(VP) | A(ERRNO) | A(WAITED_MS) |
				     A(FAILED_REQUESTS) },
	[PROTKEY_CMD_KEY_NEEDS_REENCIPHER] = { "key-needs-reencipher",
					       A(VP) | A(MKVP_DATA) |
					       A(MKVP_TWEAK) |
					       A(MK_MATCH_DATA) |
					       A(MK_MATCH_TWEAK) },
};

/* clang-format on */

/**
 * pk_event_from_kernel() - whether a netlink message came from the kernel
 * @src: the sender's address (libnl: nlmsg_get_src()), or NULL
 *
 * Only the kernel sends from port id 0; any other port is a process.
 *
 * Context: any.
 * Return: true for an AF_NETLINK address with port id 0.
 */
bool pk_event_from_kernel(const struct sockaddr_nl *src)
{
	return src && src->nl_family == AF_NETLINK && src->nl_pid == 0;
}

/**
 * pk_event_attr_name() - the spec's name of a protkey attribute
 * @type: PROTKEY_A_*
 *
 * Context: any.
 * Return: a static string, "unknown" for a type the family does not have.
 */
const char *pk_event_attr_name(int type)
{
	if (type <= 0 || type > PROTKEY_A_MAX || !attr_names[type])
		return "unknown";
	return attr_names[type];
}

/* The attribute that broke the policy, named for the warning. */
static int bad_attr(struct nlattr *head, int len, const char *name,
		    struct pk_err *err)
{
	struct nlattr *a;
	int rem;

	nla_for_each_attr(a, head, len, rem) {
		int type = nla_type(a), alen = NLA_ALIGN(a->nla_len);

		if (type > PROTKEY_A_MAX ||
		    !nla_validate(a, alen > rem ? rem : alen, PROTKEY_A_MAX,
				  event_policy))
			continue;
		if (event_policy[type].type == NLA_STRING)
			return pk_err_set(
				err, -EBADMSG,
				"%s event: attribute %s (%d) is not a NUL-terminated string of 1 to %u bytes (%d bytes)",
				name, pk_event_attr_name(type), type,
				event_policy[type].maxlen, nla_len(a));
		return pk_err_set(
			err, -EBADMSG,
			"%s event: attribute %s (%d) has a wrong type or length (%d bytes)",
			name, pk_event_attr_name(type), type, nla_len(a));
	}
	return pk_err_set(err, -EBADMSG, "%s event: malformed attributes",
			  name);
}

/*
 * Bytes after the last whole attribute: one cut off by the end of the
 * message, or a header shorter than itself. nla_parse() stops there
 * without an error.
 */
static int check_tail(struct nlattr *head, int len, const char *name,
		      struct pk_err *err)
{
	struct nlattr *a;
	int rem;

	nla_for_each_attr(a, head, len, rem)
		;
	if (rem > 0)
		return pk_err_set(
			err, -EBADMSG,
			"%s event: truncated attribute (%d bytes after the last whole one)",
			name, rem);
	return 0;
}

static void fill(struct nlattr **tb, struct pk_event *ev)
{
	int i;

	for (i = 1; i <= PROTKEY_A_MAX; i++)
		if (tb[i])
			ev->has |= 1u << i;
	if (tb[PROTKEY_A_SERIAL])
		ev->serial = nla_get_u32(tb[PROTKEY_A_SERIAL]);
	if (tb[PROTKEY_A_VP])
		memcpy(ev->vp, nla_data(tb[PROTKEY_A_VP]), PROTKEY_VP_SIZE);
	if (tb[PROTKEY_A_WK_GEN])
		ev->wk_gen = nla_get_u64(tb[PROTKEY_A_WK_GEN]);
	if (tb[PROTKEY_A_LATENCY_US])
		ev->latency_us = nla_get_u64(tb[PROTKEY_A_LATENCY_US]);
	if (tb[PROTKEY_A_WAITED_MS])
		ev->waited_ms = nla_get_u32(tb[PROTKEY_A_WAITED_MS]);
	if (tb[PROTKEY_A_ERRNO])
		ev->err = nla_get_u32(tb[PROTKEY_A_ERRNO]);
	if (tb[PROTKEY_A_FAILED_REQUESTS])
		ev->failed_requests =
			nla_get_u64(tb[PROTKEY_A_FAILED_REQUESTS]);
	if (tb[PROTKEY_A_MKVP_DATA])
		ev->mkvp[0] = nla_get_u64(tb[PROTKEY_A_MKVP_DATA]);
	if (tb[PROTKEY_A_MKVP_TWEAK])
		ev->mkvp[1] = nla_get_u64(tb[PROTKEY_A_MKVP_TWEAK]);
	if (tb[PROTKEY_A_MK_MATCH_DATA])
		ev->match[0] = nla_get_u32(tb[PROTKEY_A_MK_MATCH_DATA]);
	if (tb[PROTKEY_A_MK_MATCH_TWEAK])
		ev->match[1] = nla_get_u32(tb[PROTKEY_A_MK_MATCH_TWEAK]);
	/* the policy checked the terminating NUL and the length */
	if (tb[PROTKEY_A_CAUSE])
		snprintf(ev->cause, sizeof(ev->cause), "%s",
			 (const char *)nla_data(tb[PROTKEY_A_CAUSE]));
}

/* The mandatory attributes of @ev's event, and a serial of 0. */
static int check_need(const struct pk_event *ev, struct pk_err *err)
{
	uint32_t missing = events[ev->cmd].need & ~ev->has;
	int i;

	for (i = 1; i <= PROTKEY_A_MAX; i++)
		if (missing & (1u << i))
			return pk_err_set(err, -EBADMSG,
					  "%s event without its %s attribute",
					  ev->name, pk_event_attr_name(i));
	if (pk_event_has(ev, PROTKEY_A_SERIAL) && !ev->serial)
		return pk_err_set(err, -EBADMSG, "%s event with serial 0",
				  ev->name);
	return 0;
}

/**
 * pk_event_parse() - check one message of the "events" group
 * @nlh: the message; nlmsg_len must lie within the buffer (libnl's
 *	receive checks that)
 * @src: the sender's address (see pk_event_from_kernel())
 * @family: the protkey family id (genl_ctrl_resolve())
 * @ev: receives the event; meaningless unless 0 is returned
 * @err: one line saying what is wrong
 *
 * Context: any; does not allocate.
 * Possible returned errors:
 *
 * - -EPERM: not sent by the kernel;
 * - -ENOMSG: another family's message, or a command that is no event;
 * - -EBADMSG: truncated, an attribute of the wrong type or length, a
 *   mandatory attribute missing, or serial 0.
 *
 * Return: 0, or a negative errno as listed with @err set.
 */
int pk_event_parse(struct nlmsghdr *nlh, const struct sockaddr_nl *src,
		   int family, struct pk_event *ev, struct pk_err *err)
{
	struct nlattr *tb[PROTKEY_A_MAX + 1];
	struct genlmsghdr *gh;
	int ret;

	memset(ev, 0, sizeof(*ev));
	if (!src)
		return pk_err_set(err, -EPERM,
				  "event without a sender address");
	if (!pk_event_from_kernel(src))
		return pk_err_set(err, -EPERM,
				  "event from port %u, not from the kernel",
				  src->nl_pid);
	if (family <= 0 || nlh->nlmsg_type != family)
		return pk_err_set(err, -ENOMSG,
				  "message of netlink family %u, not %d",
				  nlh->nlmsg_type, family);
	if (!genlmsg_valid_hdr(nlh, 0))
		return pk_err_set(err, -EBADMSG,
				  "event shorter than its headers (%u bytes)",
				  nlh->nlmsg_len);
	gh = nlmsg_data(nlh);
	if (gh->cmd > PROTKEY_CMD_MAX || !events[gh->cmd].name)
		return pk_err_set(err, -ENOMSG, "not an event: command %u",
				  gh->cmd);
	ev->cmd = gh->cmd;
	ev->name = events[gh->cmd].name;
	if (genlmsg_parse(nlh, 0, tb, PROTKEY_A_MAX, event_policy))
		return bad_attr(genlmsg_attrdata(gh, 0), genlmsg_attrlen(gh, 0),
				ev->name, err);
	ret = check_tail(genlmsg_attrdata(gh, 0), genlmsg_attrlen(gh, 0),
			 ev->name, err);
	if (ret)
		return ret;
	fill(tb, ev);
	return check_need(ev, err);
}

/**
 * pk_key_state_parse() - check one KEY_GET reply (a dump's part)
 * @nlh: the message, checked by libnl's receive as for pk_event_parse()
 * @family: the protkey family id
 * @k: receives the key object's state
 * @err: one line saying what is wrong
 *
 * The attributes are held to the policy of the events (kernel/netlink.c
 * puts both with the same types); serial, vp and state are mandatory.
 *
 * Context: any; does not allocate.
 * Return: 0, -ENOMSG (not a KEY_GET of the family) or -EBADMSG, with
 * @err set.
 */
int pk_key_state_parse(struct nlmsghdr *nlh, int family, struct pk_live_key *k,
		       struct pk_err *err)
{
	struct nlattr *tb[PROTKEY_A_MAX + 1];
	struct genlmsghdr *gh;
	int ret;

	memset(k, 0, sizeof(*k));
	if (family <= 0 || nlh->nlmsg_type != family ||
	    !genlmsg_valid_hdr(nlh, 0) ||
	    ((struct genlmsghdr *)nlmsg_data(nlh))->cmd != PROTKEY_CMD_KEY_GET)
		return pk_err_set(err, -ENOMSG, "not a key-get reply");
	gh = nlmsg_data(nlh);
	if (genlmsg_parse(nlh, 0, tb, PROTKEY_A_MAX, event_policy))
		return bad_attr(genlmsg_attrdata(gh, 0), genlmsg_attrlen(gh, 0),
				"key-get", err);
	ret = check_tail(genlmsg_attrdata(gh, 0), genlmsg_attrlen(gh, 0),
			 "key-get", err);
	if (ret)
		return ret;
	if (!tb[PROTKEY_A_SERIAL] || !tb[PROTKEY_A_VP] || !tb[PROTKEY_A_STATE])
		return pk_err_set(err, -EBADMSG,
				  "key-get reply without serial, vp or state");
	k->serial = (int32_t)nla_get_u32(tb[PROTKEY_A_SERIAL]);
	pk_hex_encode(nla_data(tb[PROTKEY_A_VP]), PROTKEY_VP_SIZE, k->desc);
	k->state = nla_get_u32(tb[PROTKEY_A_STATE]);
	if (tb[PROTKEY_A_KEY_TYPE])
		snprintf(k->key_type, sizeof(k->key_type), "%s",
			 (const char *)nla_data(tb[PROTKEY_A_KEY_TYPE]));
#define GET(f, a, w)           \
	if (tb[PROTKEY_A_##a]) \
	k->f = nla_get_u##w(tb[PROTKEY_A_##a])
	GET(mkvp[0], MKVP_DATA, 64);
	GET(mkvp[1], MKVP_TWEAK, 64);
	GET(match[0], MK_MATCH_DATA, 32);
	GET(match[1], MK_MATCH_TWEAK, 32);
	GET(wk_gen, WK_GEN, 64);
	GET(derives, DERIVES, 64);
	GET(derive_errors, DERIVE_ERRORS, 64);
	GET(stalls, STALLS, 64);
	GET(failures, FAILURES, 64);
	GET(failed_requests, FAILED_REQUESTS, 64);
	GET(last_error, LAST_ERROR, 32);
	GET(last_stall_ms, LAST_STALL_MS, 32);
	GET(users, USERS, 32);
#undef GET
	return 0;
}
