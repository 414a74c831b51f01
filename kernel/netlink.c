// SPDX-License-Identifier: GPL-2.0-only
/*
 * protkey generic netlink family "protkey": the state of the key objects,
 * re-derive now, and events on the multicast group "events".
 *
 * Requests are validated strictly against per-command policies that mirror
 * Documentation/netlink/specs/protkey.yaml; scripts/check-spec keeps the
 * spec, uapi/linux/protkey.h and these policies in step.
 *
 * Order of the checks, as user space sees them:
 *
 *  1. unknown command: -EOPNOTSUPP (genetlink core);
 *  2. admin command without CAP_NET_ADMIN: -EPERM (GENL_ADMIN_PERM,
 *     genetlink core, no message);
 *  3. attribute policy: unknown or unsupported attribute, wrong size
 *     -EINVAL; value or length out of range -ERANGE (core messages, the
 *     offending attribute is reported);
 *  4. admin command without CAP_SYS_ADMIN: -EPERM ("CAP_SYS_ADMIN
 *     required");
 *  5. the handler's own checks, each with a message.
 *
 * What unprivileged users see: key-get (and its dump) stays open to every
 * user, as /proc/keys and keyctl read of the protkey keys do: the state,
 * the counters, the master-key verification patterns and the key's
 * verification pattern. That pattern is a key check value: it names the
 * key (and shows which volumes share one) but reveals nothing of it, and
 * monitoring runs unprivileged. The "events" group is for administrators
 * only (CAP_SYS_ADMIN to join, -EPERM otherwise): it pushes, as they
 * happen, when wrapping keys change, adapters fail and master keys
 * change, which is the host's operations in real time, and every
 * listener costs the worker a message per event.
 *
 * Events: the key objects' worker calls the protkey_nl_notify_*()
 * functions in process context, so messages are allocated with GFP_KERNEL;
 * nothing is built when the group has no listener. The data path never
 * sends anything.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include "../uapi/linux/protkey.h"

#include "key.h"
#include "keytype.h"
#include "netlink.h"

/* Index of "events" in protkey_nl_mcgrps. */
#define PROTKEY_NL_EVENTS 0

static struct genl_family protkey_nl_family;

/* clang-format off */
static const struct nla_policy
protkey_key_select_nl_policy[PROTKEY_A_VP + 1] = {
	[PROTKEY_A_SERIAL] = NLA_POLICY_MIN(NLA_U32, 1),
	[PROTKEY_A_VP] = NLA_POLICY_EXACT_LEN(PROTKEY_VP_SIZE),
};

/* clang-format on */

static u32 uapi_state(enum protkey_key_state state)
{
	return state + PROTKEY_STATE_VALID;
}

static int put_id(struct sk_buff *msg, s32 serial, const u8 *vp)
{
	if (serial && nla_put_u32(msg, PROTKEY_A_SERIAL, serial))
		return -EMSGSIZE;
	return nla_put(msg, PROTKEY_A_VP, PROTKEY_VP_SIZE, vp);
}

static int put_info(struct sk_buff *msg, const struct protkey_key_info *info)
{
	if (nla_put_u64_64bit(msg, PROTKEY_A_MKVP_DATA, info[0].mkvp,
			      PROTKEY_A_PAD) ||
	    nla_put_u64_64bit(msg, PROTKEY_A_MKVP_TWEAK, info[1].mkvp,
			      PROTKEY_A_PAD) ||
	    nla_put_u32(msg, PROTKEY_A_MK_MATCH_DATA, info[0].match) ||
	    nla_put_u32(msg, PROTKEY_A_MK_MATCH_TWEAK, info[1].match))
		return -EMSGSIZE;
	return 0;
}

static int put_stats(struct sk_buff *msg, const struct protkey_key_stats *st)
{
	if (nla_put_u64_64bit(msg, PROTKEY_A_WK_GEN, st->wk_generation,
			      PROTKEY_A_PAD) ||
	    nla_put_u64_64bit(msg, PROTKEY_A_DERIVES, st->derives,
			      PROTKEY_A_PAD) ||
	    nla_put_u64_64bit(msg, PROTKEY_A_DERIVE_ERRORS, st->derive_errors,
			      PROTKEY_A_PAD) ||
	    nla_put_u64_64bit(msg, PROTKEY_A_STALLS, st->stalls,
			      PROTKEY_A_PAD) ||
	    nla_put_u64_64bit(msg, PROTKEY_A_FAILURES, st->failures,
			      PROTKEY_A_PAD) ||
	    nla_put_u64_64bit(msg, PROTKEY_A_FAILED_REQUESTS,
			      st->failed_requests, PROTKEY_A_PAD) ||
	    nla_put_u32(msg, PROTKEY_A_LAST_ERROR, -st->last_error) ||
	    nla_put_u32(msg, PROTKEY_A_LAST_STALL_MS, st->last_stall_ms))
		return -EMSGSIZE;
	return 0;
}

/* The state attributes of one key object; @held: references of ours. */
static int put_key(struct sk_buff *msg, struct protkey_key *key,
		   unsigned int held)
{
	struct protkey_key_snapshot snap;
	const char *type;

	protkey_key_snapshot(key, &snap);
	snap.users -= held;
	type = snap.type_name ?:
		       protkey_keytype_token_name(snap.info[0].token_type,
						  snap.info[0].token_version);
	if (put_id(msg, snap.serial, snap.vp) ||
	    nla_put_u32(msg, PROTKEY_A_STATE, uapi_state(snap.state)) ||
	    nla_put_string(msg, PROTKEY_A_KEY_TYPE, type) ||
	    put_info(msg, snap.info) || put_stats(msg, &snap.stats) ||
	    nla_put_u32(msg, PROTKEY_A_USERS, snap.users))
		return -EMSGSIZE;
	return 0;
}

struct select {
	s32 serial;
	const u8 *vp;
};

static bool select_match(struct protkey_key *key, const void *arg)
{
	const struct select *sel = arg;

	if (sel->serial && READ_ONCE(key->serial) != sel->serial)
		return false;
	return !sel->vp || !memcmp(key->vp, sel->vp, PROTKEY_VP_SIZE);
}

/* The key object that the request names, with a reference; ERR_PTR else. */
static struct protkey_key *select_key(struct genl_info *info)
{
	struct nlattr *serial = info->attrs[PROTKEY_A_SERIAL];
	struct nlattr *vp = info->attrs[PROTKEY_A_VP];
	struct select sel = {};
	struct protkey_key *key;

	if (serial)
		sel.serial = nla_get_u32(serial);
	if (vp)
		sel.vp = nla_data(vp);
	key = protkey_key_find(select_match, &sel);
	if (!key) {
		NL_SET_ERR_MSG_MOD(info->extack, "no such key");
		NL_SET_BAD_ATTR(info->extack, serial ? serial : vp);
		return ERR_PTR(-ENOENT);
	}
	return key;
}

/**
 * protkey_nl_pre_doit() - admit admin commands for CAP_SYS_ADMIN only
 * @ops: the command's ops
 * @skb: the request
 * @info: the request's attributes and extack
 *
 * GENL_ADMIN_PERM has already required CAP_NET_ADMIN for admin commands;
 * changing key objects is a storage administrator's job, so they also need
 * CAP_SYS_ADMIN (as keyctl update does), of the opener of the socket and
 * of the sender. Other commands pass.
 *
 * Context: process context, genl_mutex held.
 * Return: 0 or -EPERM.
 */
static int protkey_nl_pre_doit(const struct genl_ops *ops, struct sk_buff *skb,
			       struct genl_info *info)
{
	if ((ops->flags & GENL_ADMIN_PERM) &&
	    !netlink_capable(skb, CAP_SYS_ADMIN)) {
		NL_SET_ERR_MSG_MOD(info->extack, "CAP_SYS_ADMIN required");
		return -EPERM;
	}
	return 0;
}

/**
 * protkey_nl_key_get_doit() - the state of one key object
 * @skb: the request
 * @info: the request's attributes and extack
 *
 * Context: process context, genl_mutex held; takes the key table mutex.
 * Possible returned errors:
 *
 * - -EINVAL: neither serial nor vp given;
 * - -ENOENT: no key object matches;
 * - -ENOMEM, -EMSGSIZE: no room for the reply.
 *
 * Return: 0 (the reply is sent) or a negative errno as listed.
 */
static int protkey_nl_key_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct protkey_key *key;
	struct sk_buff *msg;
	void *hdr;
	int ret;

	if (!info->attrs[PROTKEY_A_SERIAL] && !info->attrs[PROTKEY_A_VP]) {
		NL_SET_ERR_MSG_MOD(info->extack, "serial or vp required");
		return -EINVAL;
	}
	key = select_key(info);
	if (IS_ERR(key))
		return PTR_ERR(key);
	ret = -ENOMEM;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		goto out_put_key;
	hdr = genlmsg_put_reply(msg, info, &protkey_nl_family, 0,
				PROTKEY_CMD_KEY_GET);
	if (!hdr || put_key(msg, key, 1)) {
		NL_SET_ERR_MSG_MOD(info->extack, "state reply too large");
		nlmsg_free(msg);
		ret = -EMSGSIZE;
		goto out_put_key;
	}
	genlmsg_end(msg, hdr);
	ret = genlmsg_reply(msg, info);
out_put_key:
	protkey_key_put(key);
	return ret;
}

struct dump_ctx {
	struct sk_buff *skb;
	struct netlink_callback *cb;
};

static int dump_one(struct protkey_key *key, void *arg)
{
	struct dump_ctx *ctx = arg;
	void *hdr;

	hdr = genlmsg_put(ctx->skb, NETLINK_CB(ctx->cb->skb).portid,
			  ctx->cb->nlh->nlmsg_seq, &protkey_nl_family,
			  NLM_F_MULTI, PROTKEY_CMD_KEY_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (put_key(ctx->skb, key, 0)) {
		genlmsg_cancel(ctx->skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(ctx->skb, hdr);
	return 0;
}

/**
 * protkey_nl_key_get_dumpit() - the state of every key object
 * @skb: the reply buffer
 * @cb: dump state; cb->args[0] is the position in the list of objects
 *
 * Objects created or dying between two parts of a dump may be missed or
 * shown twice, as usual for netlink dumps.
 *
 * Context: process context; takes the key table mutex.
 * Return: the length of @skb (0 when done), or -EMSGSIZE when one
 * object's state does not fit an empty buffer.
 */
static int protkey_nl_key_get_dumpit(struct sk_buff *skb,
				     struct netlink_callback *cb)
{
	struct dump_ctx ctx = { .skb = skb, .cb = cb };
	int ret;

	ret = protkey_key_for_each(&cb->args[0], dump_one, &ctx);
	if (ret && !skb->len)
		return ret;
	return skb->len;
}

static int rederive_one(struct protkey_key *key, void *arg)
{
	/* A revoked key is no reason to stop kicking the others. */
	protkey_key_rederive(key);
	return 0;
}

/**
 * protkey_nl_key_rederive_doit() - re-derive now (pre-warm)
 * @skb: the request
 * @info: the request's attributes and extack
 *
 * With serial and/or vp: that key object; without: every one. See
 * protkey_key_rederive(): starts a re-derivation where the protected keys
 * are stale (or the key failed) and returns at once.
 *
 * Context: process context, genl_mutex held; takes the key table mutex.
 * Possible returned errors:
 *
 * - -EPERM: no CAP_NET_ADMIN or no CAP_SYS_ADMIN;
 * - -ENOENT: no key object matches;
 * - -EKEYREVOKED: the named key was revoked.
 *
 * Return: 0 or a negative errno as listed.
 */
static int protkey_nl_key_rederive_doit(struct sk_buff *skb,
					struct genl_info *info)
{
	struct protkey_key *key;
	unsigned long pos = 0;
	int ret;

	if (!info->attrs[PROTKEY_A_SERIAL] && !info->attrs[PROTKEY_A_VP])
		return protkey_key_for_each(&pos, rederive_one, NULL);
	key = select_key(info);
	if (IS_ERR(key))
		return PTR_ERR(key);
	ret = protkey_key_rederive(key);
	if (ret)
		NL_SET_ERR_MSG_MOD(info->extack, "key revoked");
	protkey_key_put(key);
	return ret;
}

/**
 * protkey_nl_key_revoke_doit() - revoke a key object
 * @skb: the request
 * @info: the request's attributes and extack
 *
 * The key object named by serial and/or vp: see
 * protkey_keytype_revoke_key(). This is the only way to revoke: keyctl
 * revoke is refused to everyone (see keytype.c), because the key type
 * cannot refuse it to a caller without CAP_SYS_ADMIN.
 *
 * Context: process context, genl_mutex held; may sleep.
 * Possible returned errors:
 *
 * - -EPERM: no CAP_NET_ADMIN or no CAP_SYS_ADMIN;
 * - -EINVAL: neither serial nor vp given;
 * - -ENOENT: no key object matches;
 * - -EKEYREVOKED: the key was revoked already.
 *
 * Return: 0 or a negative errno as listed.
 */
static int protkey_nl_key_revoke_doit(struct sk_buff *skb,
				      struct genl_info *info)
{
	struct protkey_key *key;
	int ret;

	if (!info->attrs[PROTKEY_A_SERIAL] && !info->attrs[PROTKEY_A_VP]) {
		NL_SET_ERR_MSG_MOD(info->extack, "serial or vp required");
		return -EINVAL;
	}
	key = select_key(info);
	if (IS_ERR(key))
		return PTR_ERR(key);
	ret = protkey_keytype_revoke_key(key);
	if (ret)
		NL_SET_ERR_MSG_MOD(info->extack, "key revoked already");
	protkey_key_put(key);
	return ret;
}

/* clang-format off */
static const struct genl_ops protkey_nl_ops[] = {
	{
		.cmd = PROTKEY_CMD_KEY_GET,
		.doit = protkey_nl_key_get_doit,
		.dumpit = protkey_nl_key_get_dumpit,
		.policy = protkey_key_select_nl_policy,
		.maxattr = PROTKEY_A_VP,
	},
	{
		.cmd = PROTKEY_CMD_KEY_REDERIVE,
		.doit = protkey_nl_key_rederive_doit,
		.policy = protkey_key_select_nl_policy,
		.maxattr = PROTKEY_A_VP,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = PROTKEY_CMD_KEY_REVOKE,
		.doit = protkey_nl_key_revoke_doit,
		.policy = protkey_key_select_nl_policy,
		.maxattr = PROTKEY_A_VP,
		.flags = GENL_ADMIN_PERM,
	},
};

/*
 * Joining "events" needs CAP_SYS_ADMIN (checked by genetlink when the
 * socket binds the group): see "What unprivileged users see" in
 * the comment at the top of this file.
 */
static const struct genl_multicast_group protkey_nl_mcgrps[] = {
	[PROTKEY_NL_EVENTS] = {
		.name = PROTKEY_MCGRP_EVENTS,
		.flags = GENL_MCAST_CAP_SYS_ADMIN,
	},
};

/* clang-format on */

/*
 * resv_start_op 0: strict header and attribute validation for every command.
 * Not netnsok: key objects are one set per machine.
 */
static struct genl_family protkey_nl_family __ro_after_init = {
	.name = PROTKEY_FAMILY_NAME,
	.version = PROTKEY_FAMILY_VERSION,
	.resv_start_op = 0,
	.netnsok = false,
	.parallel_ops = false,
	.pre_doit = protkey_nl_pre_doit,
	.ops = protkey_nl_ops,
	.n_ops = ARRAY_SIZE(protkey_nl_ops),
	.mcgrps = protkey_nl_mcgrps,
	.n_mcgrps = ARRAY_SIZE(protkey_nl_mcgrps),
	.module = THIS_MODULE,
};

/* A new event message, or NULL when nobody listens or memory is short. */
static struct sk_buff *event_new(u8 cmd, void **hdr)
{
	struct sk_buff *msg;

	if (!genl_has_listeners(&protkey_nl_family, &init_net,
				PROTKEY_NL_EVENTS))
		return NULL;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return NULL;
	*hdr = genlmsg_put(msg, 0, 0, &protkey_nl_family, 0, cmd);
	if (!*hdr) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

static void event_send(struct sk_buff *msg, void *hdr, int ret)
{
	if (ret) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_end(msg, hdr);
	genlmsg_multicast(&protkey_nl_family, msg, 0, PROTKEY_NL_EVENTS,
			  GFP_KERNEL);
}

/**
 * protkey_nl_notify_wk_changed() - event: the wrapping key changed
 * @gen: the new wrapping-key generation
 *
 * Context: process context (the key worker), may sleep.
 */
void protkey_nl_notify_wk_changed(u64 gen)
{
	struct sk_buff *msg;
	void *hdr;

	msg = event_new(PROTKEY_CMD_WK_CHANGED, &hdr);
	if (msg)
		event_send(msg, hdr,
			   nla_put_u64_64bit(msg, PROTKEY_A_WK_GEN, gen,
					     PROTKEY_A_PAD));
}

/**
 * protkey_nl_notify_rederived() - event: new protected keys
 * @key: the key object
 * @latency_us: from the start of the episode to the new keys
 *
 * Context: process context (the key worker), may sleep.
 */
void protkey_nl_notify_rederived(struct protkey_key *key, s64 latency_us)
{
	struct protkey_key_stats st;
	struct sk_buff *msg;
	void *hdr;

	msg = event_new(PROTKEY_CMD_KEY_REDERIVED, &hdr);
	if (!msg)
		return;
	protkey_key_get_stats(key, &st);
	event_send(msg, hdr,
		   put_id(msg, READ_ONCE(key->serial), key->vp) ||
			   nla_put_u64_64bit(msg, PROTKEY_A_LATENCY_US,
					     max_t(s64, latency_us, 0),
					     PROTKEY_A_PAD) ||
			   nla_put_u64_64bit(msg, PROTKEY_A_WK_GEN,
					     st.wk_generation, PROTKEY_A_PAD));
}

/**
 * protkey_nl_notify_stalled() - event: I/O waits for an adapter
 * @key: the key object
 * @waited_ms: since the start of the episode
 * @err: the derive's negative errno
 * @cause: the platform's words for it (&protkey_platform_ops.cause), or
 *	NULL
 *
 * Context: process context (the key worker), may sleep.
 */
void protkey_nl_notify_stalled(struct protkey_key *key, u32 waited_ms, int err,
			       const char *cause)
{
	struct sk_buff *msg;
	void *hdr;
	bool bad;

	msg = event_new(PROTKEY_CMD_KEY_STALLED, &hdr);
	if (!msg)
		return;
	bad = put_id(msg, READ_ONCE(key->serial), key->vp) ||
	      nla_put_u32(msg, PROTKEY_A_WAITED_MS, waited_ms) ||
	      nla_put_u32(msg, PROTKEY_A_ERRNO, -err) ||
	      (cause && nla_put_string(msg, PROTKEY_A_CAUSE, cause));
	event_send(msg, hdr, bad);
}

/**
 * protkey_nl_notify_failed() - event: a re-derivation gave up
 * @key: the key object
 * @err: the last derive's negative errno
 * @waited_ms: duration of the episode
 * @failed: requests failed with -EIO
 * @cause: the platform's words for @err, or NULL
 *
 * Context: process context (the key worker), may sleep.
 */
void protkey_nl_notify_failed(struct protkey_key *key, int err, u32 waited_ms,
			      u32 failed, const char *cause)
{
	struct sk_buff *msg;
	void *hdr;
	bool bad;

	msg = event_new(PROTKEY_CMD_KEY_FAILED, &hdr);
	if (!msg)
		return;
	bad = put_id(msg, READ_ONCE(key->serial), key->vp) ||
	      nla_put_u32(msg, PROTKEY_A_ERRNO, -err) ||
	      nla_put_u32(msg, PROTKEY_A_WAITED_MS, waited_ms) ||
	      nla_put_u64_64bit(msg, PROTKEY_A_FAILED_REQUESTS, failed,
				PROTKEY_A_PAD) ||
	      (cause && nla_put_string(msg, PROTKEY_A_CAUSE, cause));
	event_send(msg, hdr, bad);
}

/**
 * protkey_nl_notify_needs_reencipher() - event: a half is under the OLD MK
 * @key: the key object
 * @info: the platform's view of both halves
 *
 * Context: process context (the key worker, or keyctl update), may sleep.
 */
void protkey_nl_notify_needs_reencipher(struct protkey_key *key,
					const struct protkey_key_info info[2])
{
	struct sk_buff *msg;
	void *hdr;

	msg = event_new(PROTKEY_CMD_KEY_NEEDS_REENCIPHER, &hdr);
	if (msg)
		event_send(msg, hdr,
			   put_id(msg, READ_ONCE(key->serial), key->vp) ||
				   put_info(msg, info));
}

/**
 * protkey_nl_init() - register the protkey generic netlink family
 *
 * Context: module init, last: requests may arrive as soon as it returns.
 * Return: 0 or the negative errno of genl_register_family().
 */
int protkey_nl_init(void)
{
	return genl_register_family(&protkey_nl_family);
}

/**
 * protkey_nl_exit() - unregister the family
 *
 * Context: module exit, first; genl_unregister_family() waits for running
 * handlers. Key workers may still send events until the key objects are
 * gone; with the family unregistered, genl_has_listeners() is false.
 */
void protkey_nl_exit(void)
{
	genl_unregister_family(&protkey_nl_family);
}
