// SPDX-License-Identifier: GPL-2.0-only
/*
 * protkey_emu generic netlink family: the controls of the emulated platform.
 *
 * EMULATION ONLY: MK_LOAD and KEY_GENERATE take clear key material from user
 * space, as a TKE and a test harness would. Nothing here is secure.
 *
 * Every command needs CAP_SYS_ADMIN. Requests are validated strictly against
 * a per-command policy (below) that mirrors
 * Documentation/netlink/specs/protkey_emu.yaml; scripts/check-spec keeps the
 * spec, uapi/linux/protkey_emu.h and these policies in step. The handlers
 * check only what a policy cannot express and call the emulator core
 * (emu.h), which serialises on its own mutex.
 *
 * Order of the checks, as user space sees them:
 *
 *  1. unknown command: -EOPNOTSUPP (genetlink core);
 *  2. no CAP_NET_ADMIN: -EPERM (GENL_ADMIN_PERM, genetlink core, no message);
 *  3. attribute policy: unknown or unsupported attribute, wrong integer size
 *     -EINVAL; value or binary length out of range -ERANGE (core messages,
 *     the offending attribute is reported);
 *  4. no CAP_SYS_ADMIN: -EPERM ("CAP_SYS_ADMIN required");
 *  5. missing required attribute: -EINVAL, naming it (and
 *     NLMSGERR_ATTR_MISS_TYPE);
 *  6. cross-attribute checks in the handler: -EINVAL;
 *  7. the emulator core's own errors, with its message.
 */

#include <linux/capability.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <asm/unaligned.h>

#include "emu.h"

/* "associated 65535" and its NUL, rounded up. */
#define EMU_SE_TEXT_SIZE 24

/* The highest APQN: PROTKEY_EMU_APQN(255, 255). */
#define EMU_NL_APQN_MAX 0xff00ff

static struct genl_family protkey_emu_nl_family;

/*
 * Reports a missing required attribute: NLMSGERR_ATTR_MISS_TYPE and a
 * message that names it. Returns true when @attr is missing.
 */
static bool emu_nl_missing(struct genl_info *info, u32 attr, const char *msg)
{
	if (!GENL_REQ_ATTR_CHECK(info, attr))
		return false;
	if (info->extack)
		info->extack->_msg = msg;
	return true;
}

#define EMU_NL_REQUIRE(info, attr) \
	emu_nl_missing(info, attr, \
		       KBUILD_MODNAME ": missing required attribute " #attr)

/*
 * Per-command policies. They mirror the spec's attribute checks; keep them
 * in the plain form that scripts/check-spec reads.
 */
static struct netlink_range_validation emu_nl_apqn_range = {
	.min = 0,
	.max = EMU_NL_APQN_MAX,
};

/* s16 cannot hold 0xffff: NLA_POLICY_MAX would not check it. */
static struct netlink_range_validation emu_nl_secret_idx_range = {
	.min = 0,
	.max = 0xffff,
};

static struct netlink_range_validation emu_nl_assoc_delay_range = {
	.min = 0,
	.max = 60000,
};

static struct netlink_range_validation emu_nl_outage_range = {
	.min = 0,
	.max = 600000,
};

static struct netlink_range_validation emu_nl_latency_range = {
	.min = 0,
	.max = 10000000,
};

static struct netlink_range_validation emu_nl_query_range = {
	.min = 0,
	.max = 1000000,
};

/* clang-format off */
static const struct nla_policy
emu_mk_load_nl_policy[PROTKEY_EMU_A_MK + 1] = {
	[PROTKEY_EMU_A_APQN] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &emu_nl_apqn_range),
	[PROTKEY_EMU_A_MK] = NLA_POLICY_EXACT_LEN(PROTKEY_EMU_MK_SIZE),
};

static const struct nla_policy
emu_mk_set_nl_policy[PROTKEY_EMU_A_APQN + 1] = {
	[PROTKEY_EMU_A_APQN] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &emu_nl_apqn_range),
};

static const struct nla_policy
emu_mk_clear_nl_policy[PROTKEY_EMU_A_MK_REG + 1] = {
	[PROTKEY_EMU_A_APQN] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &emu_nl_apqn_range),
	[PROTKEY_EMU_A_MK_REG] =
		NLA_POLICY_RANGE(NLA_U32, PROTKEY_EMU_MK_NEW,
				 PROTKEY_EMU_MK_OLD),
};

static const struct nla_policy
emu_key_generate_nl_policy[PROTKEY_EMU_A_KEY_TYPE + 1] = {
	[PROTKEY_EMU_A_KEY_BITS] = NLA_POLICY_RANGE(NLA_U32, 128, 256),
	[PROTKEY_EMU_A_CLEAR_KEY] = NLA_POLICY_RANGE(NLA_BINARY, 16, 32),
	[PROTKEY_EMU_A_KEY_TYPE] =
		NLA_POLICY_RANGE(NLA_U32, PROTKEY_EMU_KEY_CCA_AESDATA,
				 PROTKEY_EMU_KEY_EP11_AES_NOHDR),
};

static const struct nla_policy
emu_key_derive_nl_policy[PROTKEY_EMU_A_SECURE_KEY + 1] = {
	[PROTKEY_EMU_A_SECURE_KEY] =
		NLA_POLICY_RANGE(NLA_BINARY, PROTKEY_EMU_SECKEY_SIZE,
				 PROTKEY_EMU_SECKEY_MAX_SIZE),
};

static const struct nla_policy
emu_key_reencipher_nl_policy[PROTKEY_EMU_A_RENC_MODE + 1] = {
	[PROTKEY_EMU_A_SECURE_KEY] =
		NLA_POLICY_RANGE(NLA_BINARY, PROTKEY_EMU_SECKEY_SIZE,
				 PROTKEY_EMU_SECKEY_MAX_SIZE),
	[PROTKEY_EMU_A_RENC_MODE] =
		NLA_POLICY_RANGE(NLA_U32, PROTKEY_EMU_RENC_OLD_TO_CURRENT,
				 PROTKEY_EMU_RENC_CURRENT_TO_NEW),
};

static const struct nla_policy
emu_migrate_nl_policy[PROTKEY_EMU_A_OUTAGE_MS + 1] = {
	[PROTKEY_EMU_A_OUTAGE_MS] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &emu_nl_outage_range),
};

static const struct nla_policy
emu_adapter_set_nl_policy[PROTKEY_EMU_A_MODE + 1] = {
	[PROTKEY_EMU_A_APQN] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &emu_nl_apqn_range),
	[PROTKEY_EMU_A_ONLINE] = NLA_POLICY_MAX(NLA_U8, 1),
	[PROTKEY_EMU_A_MODE] =
		NLA_POLICY_RANGE(NLA_U32, PROTKEY_EMU_MODE_CCA,
				 PROTKEY_EMU_MODE_ACCEL),
};

static const struct nla_policy
emu_mk_commit_nl_policy[PROTKEY_EMU_A_APQN + 1] = {
	[PROTKEY_EMU_A_APQN] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &emu_nl_apqn_range),
};

static const struct nla_policy
emu_set_latency_nl_policy[PROTKEY_EMU_A_QUERY_US + 1] = {
	[PROTKEY_EMU_A_LATENCY_US] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &emu_nl_latency_range),
	[PROTKEY_EMU_A_QUERY_US] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &emu_nl_query_range),
};

static const struct nla_policy
emu_fail_derives_nl_policy[PROTKEY_EMU_A_FAIL_ERRNO + 1] = {
	[PROTKEY_EMU_A_FAIL_COUNT] = { .type = NLA_U32, },
	[PROTKEY_EMU_A_FAIL_ERRNO] = NLA_POLICY_RANGE(NLA_U32, 1, 4095),
};

static const struct nla_policy
emu_km_partial_nl_policy[PROTKEY_EMU_A_KM_PARTIAL_BLOCKS + 1] = {
	[PROTKEY_EMU_A_KM_PARTIAL_CALLS] = { .type = NLA_U32, },
	[PROTKEY_EMU_A_KM_PARTIAL_BLOCKS] = NLA_POLICY_RANGE(NLA_U32, 1, 4096),
};

static const struct nla_policy
emu_set_busy_nl_policy[PROTKEY_EMU_A_BUSY_COUNT + 1] = {
	[PROTKEY_EMU_A_BUSY_COUNT] = { .type = NLA_U32, },
};

static const struct nla_policy
emu_se_set_nl_policy[PROTKEY_EMU_A_UV_MAX_RETR + 1] = {
	[PROTKEY_EMU_A_SE_GUEST] = NLA_POLICY_MAX(NLA_U8, 1),
	[PROTKEY_EMU_A_IMAGE_KEY] =
		NLA_POLICY_EXACT_LEN(PROTKEY_EMU_IMAGE_KEY_SIZE),
	[PROTKEY_EMU_A_ASSOC_DELAY_MS] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &emu_nl_assoc_delay_range),
	[PROTKEY_EMU_A_UNASSOC_ERRNO] = NLA_POLICY_RANGE(NLA_U32, 5, 19),
	[PROTKEY_EMU_A_UV_MAX_ASSOC] = NLA_POLICY_RANGE(NLA_U32, 1, 511),
	[PROTKEY_EMU_A_UV_MAX_RETR] = NLA_POLICY_RANGE(NLA_U32, 1, 511),
};

static const struct nla_policy
emu_se_bind_nl_policy[PROTKEY_EMU_A_SE_BIND + 1] = {
	[PROTKEY_EMU_A_APQN] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &emu_nl_apqn_range),
	[PROTKEY_EMU_A_SE_BIND] = NLA_POLICY_MAX(NLA_U8, 1),
};

static const struct nla_policy
emu_se_associate_nl_policy[PROTKEY_EMU_A_SECRET_IDX + 1] = {
	[PROTKEY_EMU_A_APQN] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &emu_nl_apqn_range),
	[PROTKEY_EMU_A_SECRET_IDX] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &emu_nl_secret_idx_range),
};

static const struct nla_policy
emu_uv_add_nl_policy[PROTKEY_EMU_A_UV_FORCE + 1] = {
	[PROTKEY_EMU_A_UV_REQUEST] =
		NLA_POLICY_RANGE(NLA_BINARY, 1, PROTKEY_EMU_UV_REQ_MAX_SIZE),
	[PROTKEY_EMU_A_UV_FORCE] = { .type = NLA_FLAG, },
};

static const struct nla_policy
emu_uv_list_nl_policy[PROTKEY_EMU_A_SECRET_IDX + 1] = {
	[PROTKEY_EMU_A_SECRET_IDX] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &emu_nl_secret_idx_range),
};

static const struct nla_policy
emu_uv_retrieve_nl_policy[PROTKEY_EMU_A_SECRET_IDX + 1] = {
	[PROTKEY_EMU_A_SECRET_IDX] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &emu_nl_secret_idx_range),
};

/* clang-format on */

/*
 * Passes an error of the emulator core to user space: its message (or a
 * generic one) and, when known, the attribute it concerns.
 */
static int emu_nl_core_error(struct genl_info *info, int ret, const char *msg,
			     const struct nlattr *attr)
{
	if (!ret)
		return 0;
	if (msg && info->extack)
		info->extack->_msg = msg;
	else
		NL_SET_ERR_MSG_MOD(info->extack, "emulator operation failed");
	if (attr)
		NL_SET_BAD_ATTR(info->extack, attr);
	return ret;
}

static u32 emu_nl_apqn(const struct genl_info *info)
{
	const struct nlattr *attr = info->attrs[PROTKEY_EMU_A_APQN];

	return attr ? nla_get_u32(attr) : EMU_ALL_APQNS;
}

/**
 * protkey_emu_nl_pre_doit() - admit only CAP_SYS_ADMIN
 * @ops: the command's ops (unused)
 * @skb: the request
 * @info: the request's attributes and extack
 *
 * GENL_ADMIN_PERM has already required CAP_NET_ADMIN; the emulator's controls
 * reach clear key material, so they also need CAP_SYS_ADMIN, of the opener
 * of the socket and of the sender.
 *
 * Context: process context, genl_mutex held.
 * Return: 0 or -EPERM.
 */
static int protkey_emu_nl_pre_doit(const struct genl_ops *ops,
				   struct sk_buff *skb, struct genl_info *info)
{
	if (!netlink_capable(skb, CAP_SYS_ADMIN)) {
		NL_SET_ERR_MSG_MOD(info->extack, "CAP_SYS_ADMIN required");
		return -EPERM;
	}
	return 0;
}

static int emu_nl_put_counters(struct sk_buff *msg)
{
	struct emu_counters c;
	struct nlattr *nest;

	emu_get_counters(&c);
	nest = nla_nest_start(msg, PROTKEY_EMU_A_COUNTERS);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(msg, PROTKEY_EMU_CNT_A_DERIVES, c.derives,
			      PROTKEY_EMU_CNT_A_PAD) ||
	    nla_put_u64_64bit(msg, PROTKEY_EMU_CNT_A_DERIVE_ERRORS,
			      c.derive_errors, PROTKEY_EMU_CNT_A_PAD) ||
	    nla_put_u64_64bit(msg, PROTKEY_EMU_CNT_A_KM_CALLS, c.km_calls,
			      PROTKEY_EMU_CNT_A_PAD) ||
	    nla_put_u64_64bit(msg, PROTKEY_EMU_CNT_A_KM_SHORT, c.km_short,
			      PROTKEY_EMU_CNT_A_PAD) ||
	    nla_put_u64_64bit(msg, PROTKEY_EMU_CNT_A_PCC_CALLS, c.pcc_calls,
			      PROTKEY_EMU_CNT_A_PAD) ||
	    nla_put_u64_64bit(msg, PROTKEY_EMU_CNT_A_PCC_STALE, c.pcc_stale,
			      PROTKEY_EMU_CNT_A_PAD) ||
	    nla_put_u64_64bit(msg, PROTKEY_EMU_CNT_A_MIGRATIONS, c.migrations,
			      PROTKEY_EMU_CNT_A_PAD) ||
	    nla_put_u64_64bit(msg, PROTKEY_EMU_CNT_A_KEYS_GENERATED,
			      c.keys_generated, PROTKEY_EMU_CNT_A_PAD) ||
	    nla_put_u64_64bit(msg, PROTKEY_EMU_CNT_A_REENCIPHERS, c.reenciphers,
			      PROTKEY_EMU_CNT_A_PAD) ||
	    nla_put_u64_64bit(msg, PROTKEY_EMU_CNT_A_KM_PARTIAL, c.km_partial,
			      PROTKEY_EMU_CNT_A_PAD) ||
	    nla_put_u64_64bit(msg, PROTKEY_EMU_CNT_A_KM_BAD_LEN, c.km_bad_len,
			      PROTKEY_EMU_CNT_A_PAD) ||
	    nla_put_u64_64bit(msg, PROTKEY_EMU_CNT_A_DERIVE_BUSY, c.derive_busy,
			      PROTKEY_EMU_CNT_A_PAD) ||
	    nla_put_u64_64bit(msg, PROTKEY_EMU_CNT_A_APQN_QUERIES,
			      c.apqn_queries, PROTKEY_EMU_CNT_A_PAD) ||
	    nla_put_u64_64bit(msg, PROTKEY_EMU_CNT_A_DERIVE_COST_US,
			      c.derive_cost_us, PROTKEY_EMU_CNT_A_PAD)) {
		nla_nest_cancel(msg, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(msg, nest);
	return 0;
}

static int emu_nl_put_adapter(struct sk_buff *msg,
			      const struct emu_adapter_state *a)
{
	static const u16 mkvp_attr[] = {
		[PROTKEY_EMU_MK_NEW] = PROTKEY_EMU_ADAPTER_A_MKVP_NEW,
		[PROTKEY_EMU_MK_CURRENT] = PROTKEY_EMU_ADAPTER_A_MKVP_CURRENT,
		[PROTKEY_EMU_MK_OLD] = PROTKEY_EMU_ADAPTER_A_MKVP_OLD,
	};
	char bind[EMU_SE_TEXT_SIZE], assoc[EMU_SE_TEXT_SIZE];
	struct nlattr *nest;
	unsigned int reg;

	nest = nla_nest_start(msg, PROTKEY_EMU_A_ADAPTER);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(msg, PROTKEY_EMU_ADAPTER_A_APQN, a->apqn) ||
	    nla_put_u8(msg, PROTKEY_EMU_ADAPTER_A_ONLINE, a->online) ||
	    nla_put_u32(msg, PROTKEY_EMU_ADAPTER_A_MODE, a->mode))
		goto err_cancel;
	for (reg = PROTKEY_EMU_MK_NEW; reg <= PROTKEY_EMU_MK_OLD; reg++) {
		if (!(a->mkvp_valid & BIT(reg)))
			continue;
		if (nla_put(msg, mkvp_attr[reg], PROTKEY_EMU_MKVP_SIZE,
			    a->mkvp[reg]))
			goto err_cancel;
	}
	if (a->mode == PROTKEY_EMU_MODE_EP11) {
		if (nla_put_u32(msg, PROTKEY_EMU_ADAPTER_A_WK_NEW_STATE,
				a->wk_new))
			goto err_cancel;
		if ((a->mkvp_valid & BIT(PROTKEY_EMU_MK_CURRENT)) &&
		    nla_put(msg, PROTKEY_EMU_ADAPTER_A_WKVP_CURRENT,
			    PROTKEY_EMU_WKVP_SIZE,
			    a->wkvp[PROTKEY_EMU_MK_CURRENT]))
			goto err_cancel;
		if ((a->mkvp_valid & BIT(PROTKEY_EMU_MK_NEW)) &&
		    nla_put(msg, PROTKEY_EMU_ADAPTER_A_WKVP_NEW,
			    PROTKEY_EMU_WKVP_SIZE, a->wkvp[PROTKEY_EMU_MK_NEW]))
			goto err_cancel;
	}
	emu_se_texts(a, bind, assoc, sizeof(assoc));
	if (nla_put_string(msg, PROTKEY_EMU_ADAPTER_A_SE_BIND_TEXT, bind) ||
	    nla_put_string(msg, PROTKEY_EMU_ADAPTER_A_SE_ASSOC_TEXT, assoc))
		goto err_cancel;
	if (a->se &&
	    (nla_put_u32(msg, PROTKEY_EMU_ADAPTER_A_SE_BS, a->bs) ||
	     ((a->bs == PROTKEY_EMU_SE_BS_USABLE || a->assoc_pending) &&
	      a->mode == PROTKEY_EMU_MODE_EP11 &&
	      nla_put_u32(msg, PROTKEY_EMU_ADAPTER_A_SE_ASSOC_IDX,
			  a->assoc_idx))))
		goto err_cancel;
	nla_nest_end(msg, nest);
	return 0;

err_cancel:
	nla_nest_cancel(msg, nest);
	return -EMSGSIZE;
}

static size_t emu_nl_state_size(unsigned int n_adapters)
{
	size_t counters =
		nla_total_size(0) +
		(PROTKEY_EMU_CNT_A_PAD - 1) * nla_total_size_64bit(sizeof(u64));
	size_t adapter = nla_total_size(0) + 3 * nla_total_size(sizeof(u32)) +
			 nla_total_size(sizeof(u8)) +
			 3 * nla_total_size(PROTKEY_EMU_MKVP_SIZE) +
			 2 * nla_total_size(PROTKEY_EMU_WKVP_SIZE) +
			 2 * nla_total_size(sizeof(u32)) +
			 2 * nla_total_size(EMU_SE_TEXT_SIZE);

	return nla_total_size_64bit(sizeof(u64)) + counters +
	       2 * nla_total_size(sizeof(u8)) + nla_total_size(sizeof(u32)) +
	       n_adapters * adapter;
}

static int emu_nl_fill_state(struct sk_buff *msg,
			     const struct emu_adapter_state *adapters,
			     unsigned int n)
{
	unsigned int i;
	bool locked;
	u32 count;
	int ret;

	count = emu_uv_stats(&locked);
	if (nla_put_u64_64bit(msg, PROTKEY_EMU_A_WK_GEN, emu_wk_generation(),
			      PROTKEY_EMU_A_PAD) ||
	    nla_put_u8(msg, PROTKEY_EMU_A_SE_GUEST, emu_se_guest()) ||
	    nla_put_u8(msg, PROTKEY_EMU_A_UV_LOCKED, locked) ||
	    nla_put_u32(msg, PROTKEY_EMU_A_UV_COUNT, count))
		return -EMSGSIZE;
	ret = emu_nl_put_counters(msg);
	if (ret)
		return ret;
	for (i = 0; i < n; i++) {
		ret = emu_nl_put_adapter(msg, &adapters[i]);
		if (ret)
			return ret;
	}
	return 0;
}

/**
 * protkey_emu_nl_get_state_doit() - handle PROTKEY_EMU_CMD_GET_STATE
 * @skb: the request
 * @info: the request's attributes and extack
 *
 * Replies with PROTKEY_EMU_A_WK_GEN, a PROTKEY_EMU_A_COUNTERS nest and one
 * PROTKEY_EMU_A_ADAPTER nest per adapter. Takes no attributes.
 *
 * Context: process context, genl_mutex held; may sleep.
 * Return: 0 or a negative errno.
 *
 * Possible returned errors:
 *
 * - %EPERM: the sender lacks CAP_NET_ADMIN or CAP_SYS_ADMIN;
 * - %EINVAL: the request carries an attribute;
 * - %ENOMEM: no memory for the reply;
 * - %EMSGSIZE: the reply does not fit (cannot happen: its size is computed).
 */
static int protkey_emu_nl_get_state_doit(struct sk_buff *skb,
					 struct genl_info *info)
{
	struct emu_adapter_state *adapters;
	struct sk_buff *msg;
	unsigned int n;
	void *hdr;
	int ret;

	adapters = kcalloc(EMU_MAX_ADAPTERS, sizeof(*adapters), GFP_KERNEL);
	if (!adapters)
		return -ENOMEM;
	n = min_t(unsigned int, emu_get_adapters(adapters, EMU_MAX_ADAPTERS),
		  EMU_MAX_ADAPTERS);

	ret = -ENOMEM;
	msg = genlmsg_new(emu_nl_state_size(n), GFP_KERNEL);
	if (!msg)
		goto out_free;
	hdr = genlmsg_put_reply(msg, info, &protkey_emu_nl_family, 0,
				info->genlhdr->cmd);
	if (!hdr)
		goto err_free_msg_size;
	ret = emu_nl_fill_state(msg, adapters, n);
	if (ret)
		goto err_free_msg;
	genlmsg_end(msg, hdr);
	ret = genlmsg_reply(msg, info);
	goto out_free;

err_free_msg_size:
	ret = -EMSGSIZE;
err_free_msg:
	nlmsg_free(msg);
	NL_SET_ERR_MSG_MOD(info->extack, "state reply too large");
out_free:
	kfree(adapters);
	return ret;
}

/**
 * protkey_emu_nl_mk_load_doit() - handle PROTKEY_EMU_CMD_MK_LOAD
 * @skb: the request
 * @info: the request's attributes and extack
 *
 * Loads PROTKEY_EMU_A_MK (required) into the NEW register of the adapter
 * PROTKEY_EMU_A_APQN, or of every adapter when it is absent, as a TKE would.
 *
 * Context: process context, genl_mutex held; may sleep.
 * Return: 0 or a negative errno.
 *
 * Possible returned errors:
 *
 * - %EPERM: the sender lacks CAP_NET_ADMIN or CAP_SYS_ADMIN;
 * - %EINVAL: PROTKEY_EMU_A_MK missing, or an unsupported attribute;
 * - %ERANGE: PROTKEY_EMU_A_MK not 32 bytes, or APQN out of range;
 * - %ENODEV: no adapter has this APQN (emu_mk_load()).
 */
static int protkey_emu_nl_mk_load_doit(struct sk_buff *skb,
				       struct genl_info *info)
{
	const char *msg = NULL;
	int ret;

	if (EMU_NL_REQUIRE(info, PROTKEY_EMU_A_MK))
		return -EINVAL;
	ret = emu_mk_load(emu_nl_apqn(info),
			  nla_data(info->attrs[PROTKEY_EMU_A_MK]), &msg);
	return emu_nl_core_error(info, ret, msg,
				 info->attrs[PROTKEY_EMU_A_APQN]);
}

/**
 * protkey_emu_nl_mk_set_doit() - handle PROTKEY_EMU_CMD_MK_SET
 * @skb: the request
 * @info: the request's attributes and extack
 *
 * Activates the NEW master key of PROTKEY_EMU_A_APQN (or of every adapter):
 * CURRENT moves to OLD, NEW becomes CURRENT, NEW is empty afterwards.
 *
 * Context: process context, genl_mutex held; may sleep.
 * Return: 0 or a negative errno.
 *
 * Possible returned errors:
 *
 * - %EPERM: the sender lacks CAP_NET_ADMIN or CAP_SYS_ADMIN;
 * - %EINVAL: an unsupported attribute;
 * - %ERANGE: APQN out of range;
 * - %ENODEV: no adapter has this APQN;
 * - %ENOKEY: the NEW register of an addressed adapter is empty; no
 *   adapter changes (emu_mk_set()).
 */
static int protkey_emu_nl_mk_set_doit(struct sk_buff *skb,
				      struct genl_info *info)
{
	const char *msg = NULL;
	int ret;

	ret = emu_mk_set(emu_nl_apqn(info), &msg);
	return emu_nl_core_error(info, ret, msg, NULL);
}

/**
 * protkey_emu_nl_mk_clear_doit() - handle PROTKEY_EMU_CMD_MK_CLEAR
 * @skb: the request
 * @info: the request's attributes and extack
 *
 * Empties register PROTKEY_EMU_A_MK_REG (required; NEW or OLD, as CCA's
 * Master Key Process CLEAR and CLR-OLD) of PROTKEY_EMU_A_APQN or of every
 * adapter. The CURRENT register cannot be cleared.
 *
 * Context: process context, genl_mutex held; may sleep.
 * Return: 0 or a negative errno.
 *
 * Possible returned errors:
 *
 * - %EPERM: the sender lacks CAP_NET_ADMIN or CAP_SYS_ADMIN;
 * - %EINVAL: PROTKEY_EMU_A_MK_REG missing or CURRENT, or an unsupported
 *   attribute;
 * - %ERANGE: MK_REG or APQN out of range;
 * - %ENODEV: no adapter has this APQN (emu_mk_clear()).
 */
static int protkey_emu_nl_mk_clear_doit(struct sk_buff *skb,
					struct genl_info *info)
{
	const struct nlattr *reg_attr = info->attrs[PROTKEY_EMU_A_MK_REG];
	const char *msg = NULL;
	u32 reg;
	int ret;

	if (EMU_NL_REQUIRE(info, PROTKEY_EMU_A_MK_REG))
		return -EINVAL;
	reg = nla_get_u32(reg_attr);
	if (reg == PROTKEY_EMU_MK_CURRENT) {
		NL_SET_ERR_MSG_ATTR(info->extack, reg_attr,
				    "only NEW or OLD can be cleared");
		return -EINVAL;
	}
	ret = emu_mk_clear(emu_nl_apqn(info), reg, &msg);
	return emu_nl_core_error(info, ret, msg, NULL);
}

/*
 * Checks KEY_BITS and CLEAR_KEY beyond their policies: a key size of 128,
 * 192 or 256 bits, and a clear key of exactly that size.
 */
static int emu_nl_check_key_size(struct genl_info *info, u32 *key_bits)
{
	const struct nlattr *bits = info->attrs[PROTKEY_EMU_A_KEY_BITS];
	const struct nlattr *clear = info->attrs[PROTKEY_EMU_A_CLEAR_KEY];

	*key_bits = nla_get_u32(bits);
	if (*key_bits % 64) {
		NL_SET_ERR_MSG_ATTR(info->extack, bits,
				    "key size must be 128, 192 or 256 bits");
		return -EINVAL;
	}
	if (clear && nla_len(clear) * 8 != *key_bits) {
		NL_SET_ERR_MSG_ATTR(info->extack, clear,
				    "clear key length is not KEY_BITS / 8");
		return -EINVAL;
	}
	return 0;
}

/* Replies with one binary attribute @attr: @len bytes at @data. */
static int emu_nl_reply_bin(struct genl_info *info, u16 attr, const void *data,
			    u32 len)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(nla_total_size(len), GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &protkey_emu_nl_family, 0,
				info->genlhdr->cmd);
	if (!hdr || nla_put(msg, attr, len, data)) {
		nlmsg_free(msg);
		NL_SET_ERR_MSG_MOD(info->extack, "reply too large");
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/* Replies with the secure key @token of @len bytes. */
static int emu_nl_reply_token(struct genl_info *info, const u8 *token, u32 len)
{
	return emu_nl_reply_bin(info, PROTKEY_EMU_A_SECURE_KEY, token, len);
}

/**
 * protkey_emu_nl_key_generate_doit() - handle PROTKEY_EMU_CMD_KEY_GENERATE
 * @skb: the request
 * @info: the request's attributes and extack
 *
 * Makes a secure key of PROTKEY_EMU_A_KEY_TYPE (absent: CCA AES DATA) and
 * PROTKEY_EMU_A_KEY_BITS (required) enciphered under the CURRENT master key
 * of the first usable adapter of the type's mode, from
 * PROTKEY_EMU_A_CLEAR_KEY when given (the emulator's import of a clear
 * key), otherwise from random bytes. Replies with PROTKEY_EMU_A_SECURE_KEY.
 *
 * Context: process context, genl_mutex held; may sleep.
 * Return: 0 or a negative errno.
 *
 * Possible returned errors:
 *
 * - %EPERM: the sender lacks CAP_NET_ADMIN or CAP_SYS_ADMIN;
 * - %EINVAL: KEY_BITS missing or not 128, 192 or 256; CLEAR_KEY not
 *   KEY_BITS / 8 bytes; an unsupported attribute;
 * - %ERANGE: KEY_BITS outside 128..256, CLEAR_KEY outside 16..32 bytes,
 *   KEY_TYPE unknown;
 * - %ENOMEM: no memory for the reply;
 * - %ENODEV: no usable adapter (online, not in an outage) of the type's
 *   mode has a CURRENT master key (emu_key_generate_type()).
 */
static int protkey_emu_nl_key_generate_doit(struct sk_buff *skb,
					    struct genl_info *info)
{
	const struct nlattr *clear = info->attrs[PROTKEY_EMU_A_CLEAR_KEY];
	const struct nlattr *type = info->attrs[PROTKEY_EMU_A_KEY_TYPE];
	u8 token[PROTKEY_EMU_SECKEY_MAX_SIZE];
	const char *msg = NULL;
	u32 key_bits, key_type, len;
	int ret;

	if (EMU_NL_REQUIRE(info, PROTKEY_EMU_A_KEY_BITS))
		return -EINVAL;
	ret = emu_nl_check_key_size(info, &key_bits);
	if (ret)
		return ret;
	key_type = type ? nla_get_u32(type) : PROTKEY_EMU_KEY_CCA_AESDATA;
	ret = emu_key_generate_type(key_type, key_bits,
				    clear ? nla_data(clear) : NULL,
				    clear ? nla_len(clear) : 0, token,
				    sizeof(token), &len, &msg);
	if (ret)
		return emu_nl_core_error(info, ret, msg, clear);
	ret = emu_nl_reply_token(info, token, len);
	memzero_explicit(token, sizeof(token));
	return ret;
}

/**
 * protkey_emu_nl_key_reencipher_doit() - handle PROTKEY_EMU_CMD_KEY_REENCIPHER
 * @skb: the request
 * @info: the request's attributes and extack
 *
 * Re-enciphers PROTKEY_EMU_A_SECURE_KEY (required) in the direction
 * PROTKEY_EMU_A_RENC_MODE (required) and replies with the new
 * PROTKEY_EMU_A_SECURE_KEY.
 *
 * Context: process context, genl_mutex held; may sleep.
 * Return: 0 or a negative errno.
 *
 * Possible returned errors:
 *
 * - %EPERM: the sender lacks CAP_NET_ADMIN or CAP_SYS_ADMIN;
 * - %EINVAL: SECURE_KEY or RENC_MODE missing, or an unsupported attribute;
 * - %ERANGE: SECURE_KEY not 64..336 bytes, RENC_MODE unknown;
 * - %ENOMEM: no memory for the reply;
 * - %EINVAL: a malformed token, OLD -> CURRENT for an EP11 key, or no
 *   usable adapter's source register holds the token's master key
 *   (emu_key_reencipher());
 * - %ENODEV: no usable adapter has the source register loaded;
 * - %ENOKEY: the target register is empty (for EP11: -ENODEV when NEW is
 *   not committed);
 * - %EIO: the adapter rejects the key (padding, LRC or EP11 MAC wrong).
 */
static int protkey_emu_nl_key_reencipher_doit(struct sk_buff *skb,
					      struct genl_info *info)
{
	const struct nlattr *key = info->attrs[PROTKEY_EMU_A_SECURE_KEY];
	u8 token[PROTKEY_EMU_SECKEY_MAX_SIZE];
	const char *msg = NULL;
	u32 mode;
	int ret;

	if (EMU_NL_REQUIRE(info, PROTKEY_EMU_A_SECURE_KEY) ||
	    EMU_NL_REQUIRE(info, PROTKEY_EMU_A_RENC_MODE))
		return -EINVAL;
	mode = nla_get_u32(info->attrs[PROTKEY_EMU_A_RENC_MODE]);
	ret = emu_key_reencipher(nla_data(key), nla_len(key), mode, token,
				 &msg);
	if (ret)
		return emu_nl_core_error(info, ret, msg, key);
	ret = emu_nl_reply_token(info, token, nla_len(key));
	memzero_explicit(token, sizeof(token));
	return ret;
}

/**
 * protkey_emu_nl_key_derive_doit() - handle PROTKEY_EMU_CMD_KEY_DERIVE
 * @skb: the request
 * @info: the request's attributes and extack
 *
 * Derives the protected key of SECURE_KEY (required) under the current
 * wrapping key, as the platform seam's derive does for protkey.ko (and
 * counted like it), and replies with PROTKEY_EMU_A_PROTECTED_KEY: what
 * pkey's PKEY_KBLOB2PROTK ioctls return on IBM Z. Tests use it to know
 * the bytes a protected key has, e.g. to look for copies in memory.
 *
 * Context: process context, genl_mutex held; may sleep.
 * Return: 0 or a negative errno.
 *
 * Possible returned errors:
 *
 * - %EPERM: the sender lacks CAP_NET_ADMIN or CAP_SYS_ADMIN;
 * - %EINVAL: SECURE_KEY missing, an unsupported attribute, or a token
 *   pkey refuses;
 * - %ERANGE: SECURE_KEY not 64..336 bytes;
 * - %ENOMEM: no memory for the reply;
 * - %ENODEV, %EBUSY, %EIO: as emu_derive() (emu_key_derive()).
 */
static int protkey_emu_nl_key_derive_doit(struct sk_buff *skb,
					  struct genl_info *info)
{
	const struct nlattr *key = info->attrs[PROTKEY_EMU_A_SECURE_KEY];
	u8 pk[EMU_PROTKEY_MAX_SIZE];
	u32 pk_len;
	int ret;

	if (EMU_NL_REQUIRE(info, PROTKEY_EMU_A_SECURE_KEY))
		return -EINVAL;
	ret = emu_key_derive(nla_data(key), nla_len(key), pk, &pk_len);
	if (ret)
		return emu_nl_core_error(info, ret, NULL, key);
	ret = emu_nl_reply_bin(info, PROTKEY_EMU_A_PROTECTED_KEY, pk, pk_len);
	memzero_explicit(pk, sizeof(pk));
	return ret;
}

/**
 * protkey_emu_nl_migrate_doit() - handle PROTKEY_EMU_CMD_MIGRATE
 * @skb: the request
 * @info: the request's attributes and extack
 *
 * Models a live guest relocation: a new wrapping key (every protected key
 * becomes invalid) and, with PROTKEY_EMU_A_OUTAGE_MS, adapters that are
 * unusable for that long. Replies with the new PROTKEY_EMU_A_WK_GEN.
 *
 * Context: process context, genl_mutex held; may sleep.
 * Return: 0 or a negative errno.
 *
 * Possible returned errors:
 *
 * - %EPERM: the sender lacks CAP_NET_ADMIN or CAP_SYS_ADMIN;
 * - %EINVAL: an unsupported attribute;
 * - %ERANGE: OUTAGE_MS above 600000;
 * - %ENOMEM: no memory for the reply or the new wrapping key; in the
 *   first case nothing changed.
 */
static int protkey_emu_nl_migrate_doit(struct sk_buff *skb,
				       struct genl_info *info)
{
	const struct nlattr *outage = info->attrs[PROTKEY_EMU_A_OUTAGE_MS];
	const char *errmsg = NULL;
	struct sk_buff *msg;
	u64 wk_gen;
	void *hdr;
	int ret;

	msg = genlmsg_new(nla_total_size_64bit(sizeof(u64)), GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	ret = emu_migrate(outage ? nla_get_u32(outage) : 0, &wk_gen, &errmsg);
	if (ret) {
		nlmsg_free(msg);
		return emu_nl_core_error(info, ret, errmsg, outage);
	}
	hdr = genlmsg_put_reply(msg, info, &protkey_emu_nl_family, 0,
				info->genlhdr->cmd);
	if (!hdr || nla_put_u64_64bit(msg, PROTKEY_EMU_A_WK_GEN, wk_gen,
				      PROTKEY_EMU_A_PAD)) {
		nlmsg_free(msg);
		NL_SET_ERR_MSG_MOD(info->extack, "migrate reply too large");
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/**
 * protkey_emu_nl_adapter_set_doit() - handle PROTKEY_EMU_CMD_ADAPTER_SET
 * @skb: the request
 * @info: the request's attributes and extack
 *
 * Sets adapter PROTKEY_EMU_A_APQN (or every adapter) online or offline
 * (PROTKEY_EMU_A_ONLINE), as "chzdev -e/-d" would, and its mode
 * (PROTKEY_EMU_A_MODE); at least one of the two. Going offline happens
 * before the mode change and going online after it, so one request can
 * reconfigure an online adapter.
 *
 * Context: process context, genl_mutex held; may sleep.
 * Return: 0 or a negative errno.
 *
 * Possible returned errors:
 *
 * - %EPERM: the sender lacks CAP_NET_ADMIN or CAP_SYS_ADMIN;
 * - %EINVAL: neither ONLINE nor MODE, ONLINE not a u8, or an unsupported
 *   attribute;
 * - %ERANGE: ONLINE not 0 or 1, MODE unknown, APQN out of range;
 * - %ENODEV: no adapter has this APQN (emu_adapter_set_online());
 * - %EBUSY: MODE for an adapter that stays online
 *   (emu_adapter_set_mode()); nothing changed.
 */
static int protkey_emu_nl_adapter_set_doit(struct sk_buff *skb,
					   struct genl_info *info)
{
	const struct nlattr *online = info->attrs[PROTKEY_EMU_A_ONLINE];
	const struct nlattr *mode = info->attrs[PROTKEY_EMU_A_MODE];
	const struct nlattr *apqn = info->attrs[PROTKEY_EMU_A_APQN];
	const char *msg = NULL;
	int ret = 0;

	if (!online && !mode) {
		NL_SET_ERR_MSG_MOD(info->extack,
				   "ONLINE or MODE attribute required");
		return -EINVAL;
	}
	if (online && !nla_get_u8(online))
		ret = emu_adapter_set_online(emu_nl_apqn(info), false, &msg);
	if (!ret && mode)
		ret = emu_adapter_set_mode(emu_nl_apqn(info), nla_get_u32(mode),
					   &msg);
	if (!ret && online && nla_get_u8(online))
		ret = emu_adapter_set_online(emu_nl_apqn(info), true, &msg);
	return emu_nl_core_error(info, ret, msg, ret == -EBUSY ? mode : apqn);
}

/**
 * protkey_emu_nl_mk_commit_doit() - handle PROTKEY_EMU_CMD_MK_COMMIT
 * @skb: the request
 * @info: the request's attributes and extack
 *
 * Commits the uncommitted NEW wrapping key of EP11 adapter
 * PROTKEY_EMU_A_APQN, or of every EP11 adapter (emu_mk_commit()).
 *
 * Context: process context, genl_mutex held; may sleep.
 * Return: 0 or a negative errno.
 *
 * Possible returned errors:
 *
 * - %EPERM: the sender lacks CAP_NET_ADMIN or CAP_SYS_ADMIN;
 * - %EINVAL: the adapter is not in EP11 mode, no adapter is, or an
 *   unsupported attribute;
 * - %ERANGE: APQN out of range;
 * - %ENODEV: no adapter has this APQN;
 * - %ENOKEY: a NEW wrapping key is empty or already committed; nothing
 *   changed.
 */
static int protkey_emu_nl_mk_commit_doit(struct sk_buff *skb,
					 struct genl_info *info)
{
	const char *msg = NULL;
	int ret;

	ret = emu_mk_commit(emu_nl_apqn(info), &msg);
	return emu_nl_core_error(info, ret, msg,
				 info->attrs[PROTKEY_EMU_A_APQN]);
}

/**
 * protkey_emu_nl_set_latency_doit() - handle PROTKEY_EMU_CMD_SET_LATENCY
 * @skb: the request
 * @info: the request's attributes and extack
 *
 * Sets the cost of each derive: the base latency PROTKEY_EMU_A_LATENCY_US
 * (required) plus PROTKEY_EMU_A_QUERY_US (absent: 0) per usable APQN.
 *
 * Context: process context, genl_mutex held; may sleep.
 * Return: 0 or a negative errno.
 *
 * Possible returned errors:
 *
 * - %EPERM: the sender lacks CAP_NET_ADMIN or CAP_SYS_ADMIN;
 * - %EINVAL: LATENCY_US missing, or an unsupported attribute;
 * - %ERANGE: LATENCY_US above 10000000 or QUERY_US above 1000000.
 */
static int protkey_emu_nl_set_latency_doit(struct sk_buff *skb,
					   struct genl_info *info)
{
	const struct nlattr *query = info->attrs[PROTKEY_EMU_A_QUERY_US];

	if (EMU_NL_REQUIRE(info, PROTKEY_EMU_A_LATENCY_US))
		return -EINVAL;
	emu_set_latency(nla_get_u32(info->attrs[PROTKEY_EMU_A_LATENCY_US]),
			query ? nla_get_u32(query) : 0);
	return 0;
}

/**
 * protkey_emu_nl_fail_derives_doit() - handle PROTKEY_EMU_CMD_FAIL_DERIVES
 * @skb: the request
 * @info: the request's attributes and extack
 *
 * Makes the next PROTKEY_EMU_A_FAIL_COUNT derives fail with the errno
 * PROTKEY_EMU_A_FAIL_ERRNO (both required; a count of 0 cancels).
 *
 * Context: process context, genl_mutex held; may sleep.
 * Return: 0 or a negative errno.
 *
 * Possible returned errors:
 *
 * - %EPERM: the sender lacks CAP_NET_ADMIN or CAP_SYS_ADMIN;
 * - %EINVAL: FAIL_COUNT or FAIL_ERRNO missing, or an unsupported attribute;
 * - %ERANGE: FAIL_ERRNO outside 1..4095.
 */
static int protkey_emu_nl_fail_derives_doit(struct sk_buff *skb,
					    struct genl_info *info)
{
	u32 count, err;

	if (EMU_NL_REQUIRE(info, PROTKEY_EMU_A_FAIL_COUNT) ||
	    EMU_NL_REQUIRE(info, PROTKEY_EMU_A_FAIL_ERRNO))
		return -EINVAL;
	count = nla_get_u32(info->attrs[PROTKEY_EMU_A_FAIL_COUNT]);
	/* The policy bounds it to 1..4095; the core takes it positive. */
	err = nla_get_u32(info->attrs[PROTKEY_EMU_A_FAIL_ERRNO]);
	emu_fail_derives(count, err);
	return 0;
}

/**
 * protkey_emu_nl_reset_counters_doit() - handle PROTKEY_EMU_CMD_RESET_COUNTERS
 * @skb: the request
 * @info: the request's attributes and extack
 *
 * Sets every counter of PROTKEY_EMU_A_COUNTERS to zero.
 *
 * Context: process context, genl_mutex held; may sleep.
 * Return: 0 or a negative errno.
 *
 * Possible returned errors:
 *
 * - %EPERM: the sender lacks CAP_NET_ADMIN or CAP_SYS_ADMIN;
 * - %EINVAL: the request carries an attribute.
 */
static int protkey_emu_nl_reset_counters_doit(struct sk_buff *skb,
					      struct genl_info *info)
{
	emu_reset_counters();
	return 0;
}

/**
 * protkey_emu_nl_km_partial_doit() - handle PROTKEY_EMU_CMD_KM_PARTIAL
 * @skb: the request
 * @info: the request's attributes and extack
 *
 * Makes the next PROTKEY_EMU_A_KM_PARTIAL_CALLS KM calls of two blocks or
 * more stop after PROTKEY_EMU_A_KM_PARTIAL_BLOCKS blocks (both required; a
 * count of 0 cancels), see emu_km_partial().
 *
 * Context: process context, genl_mutex held; may sleep.
 * Return: 0 or a negative errno.
 *
 * Possible returned errors:
 *
 * - %EPERM: the sender lacks CAP_NET_ADMIN or CAP_SYS_ADMIN;
 * - %EINVAL: KM_PARTIAL_CALLS or KM_PARTIAL_BLOCKS missing, or an
 *   unsupported attribute;
 * - %ERANGE: KM_PARTIAL_BLOCKS outside 1..4096.
 */
static int protkey_emu_nl_km_partial_doit(struct sk_buff *skb,
					  struct genl_info *info)
{
	u32 calls, blocks;

	if (EMU_NL_REQUIRE(info, PROTKEY_EMU_A_KM_PARTIAL_CALLS) ||
	    EMU_NL_REQUIRE(info, PROTKEY_EMU_A_KM_PARTIAL_BLOCKS))
		return -EINVAL;
	calls = nla_get_u32(info->attrs[PROTKEY_EMU_A_KM_PARTIAL_CALLS]);
	blocks = nla_get_u32(info->attrs[PROTKEY_EMU_A_KM_PARTIAL_BLOCKS]);
	emu_km_partial(calls, blocks);
	return 0;
}

/**
 * protkey_emu_nl_set_busy_doit() - handle PROTKEY_EMU_CMD_SET_BUSY
 * @skb: the request
 * @info: the request's attributes and extack
 *
 * Makes the adapter answer "busy" to the next PROTKEY_EMU_A_BUSY_COUNT
 * derives (required; 0 cancels), see emu_set_busy().
 *
 * Context: process context, genl_mutex held; may sleep.
 * Return: 0 or a negative errno.
 *
 * Possible returned errors:
 *
 * - %EPERM: the sender lacks CAP_NET_ADMIN or CAP_SYS_ADMIN;
 * - %EINVAL: BUSY_COUNT missing, or an unsupported attribute.
 */
static int protkey_emu_nl_set_busy_doit(struct sk_buff *skb,
					struct genl_info *info)
{
	if (EMU_NL_REQUIRE(info, PROTKEY_EMU_A_BUSY_COUNT))
		return -EINVAL;
	emu_set_busy(nla_get_u32(info->attrs[PROTKEY_EMU_A_BUSY_COUNT]));
	return 0;
}

/**
 * protkey_emu_nl_se_set_doit() - handle PROTKEY_EMU_CMD_SE_SET
 * @skb: the request
 * @info: the request's attributes and extack
 *
 * Sets what is given, at least one of: SE_GUEST (a change boots another
 * guest: queues unbound, UV store wiped), IMAGE_KEY, ASSOC_DELAY_MS,
 * UNASSOC_ERRNO (ENODEV or EIO), UV_MAX_ASSOC and UV_MAX_RETR (together at
 * most 512). All checks come first: on error nothing changed.
 *
 * Context: process context, genl_mutex held; may sleep.
 * Return: 0 or a negative errno.
 *
 * Possible returned errors:
 *
 * - %EPERM: the sender lacks CAP_NET_ADMIN or CAP_SYS_ADMIN;
 * - %EINVAL: no attribute, UNASSOC_ERRNO neither ENODEV nor EIO, or an
 *   unsupported attribute;
 * - %ERANGE: a value out of its range, or the two limits above 512.
 */
static int protkey_emu_nl_se_set_doit(struct sk_buff *skb,
				      struct genl_info *info)
{
	struct nlattr **a = info->attrs;
	const struct nlattr *err = a[PROTKEY_EMU_A_UNASSOC_ERRNO];
	const struct nlattr *key = a[PROTKEY_EMU_A_IMAGE_KEY];
	const struct nlattr *assoc = a[PROTKEY_EMU_A_UV_MAX_ASSOC];
	const struct nlattr *retr = a[PROTKEY_EMU_A_UV_MAX_RETR];
	const char *msg = NULL;
	int ret;

	if (!a[PROTKEY_EMU_A_SE_GUEST] && !a[PROTKEY_EMU_A_IMAGE_KEY] &&
	    !a[PROTKEY_EMU_A_ASSOC_DELAY_MS] && !err &&
	    !a[PROTKEY_EMU_A_UV_MAX_ASSOC] && !a[PROTKEY_EMU_A_UV_MAX_RETR]) {
		NL_SET_ERR_MSG_MOD(info->extack, "nothing to set");
		return -EINVAL;
	}
	if (err && nla_get_u32(err) != ENODEV && nla_get_u32(err) != EIO) {
		NL_SET_ERR_MSG_ATTR(info->extack, err,
				    "UNASSOC_ERRNO must be ENODEV or EIO");
		return -EINVAL;
	}
	ret = emu_uv_configure(key ? nla_data(key) : NULL,
			       assoc ? nla_get_u32(assoc) : 0,
			       retr ? nla_get_u32(retr) : 0);
	if (ret) {
		NL_SET_ERR_MSG_MOD(info->extack,
				   "UV_MAX_ASSOC and UV_MAX_RETR above 512");
		return ret;
	}
	emu_se_set_knobs(a[PROTKEY_EMU_A_ASSOC_DELAY_MS] ?
				 nla_get_u32(a[PROTKEY_EMU_A_ASSOC_DELAY_MS]) :
				 U32_MAX,
			 err ? -(int)nla_get_u32(err) : 0);
	if (a[PROTKEY_EMU_A_SE_GUEST])
		ret = emu_se_set(nla_get_u8(a[PROTKEY_EMU_A_SE_GUEST]), &msg);
	return emu_nl_core_error(info, ret, msg, NULL);
}

/**
 * protkey_emu_nl_se_bind_doit() - handle PROTKEY_EMU_CMD_SE_BIND
 * @skb: the request
 * @info: the request's attributes and extack
 *
 * Writes SE_BIND (1 bind, 0 unbind; required) to the se_bind attribute of
 * queue APQN (required) (emu_se_bind()).
 *
 * Context: process context, genl_mutex held; may sleep.
 * Return: 0 or a negative errno.
 *
 * Possible returned errors:
 *
 * - %EPERM: the sender lacks CAP_NET_ADMIN or CAP_SYS_ADMIN;
 * - %EINVAL: APQN or SE_BIND missing; not an SE guest; a CCA queue; bind
 *   of a queue that is not available for binding (bs 2);
 * - %ERANGE: SE_BIND above 1, APQN out of range;
 * - %ENODEV: no queue has this APQN;
 * - %EBUSY: the queue is offline or being reset.
 */
static int protkey_emu_nl_se_bind_doit(struct sk_buff *skb,
				       struct genl_info *info)
{
	const char *msg = NULL;
	int ret;

	if (EMU_NL_REQUIRE(info, PROTKEY_EMU_A_APQN) ||
	    EMU_NL_REQUIRE(info, PROTKEY_EMU_A_SE_BIND))
		return -EINVAL;
	ret = emu_se_bind(nla_get_u32(info->attrs[PROTKEY_EMU_A_APQN]),
			  nla_get_u8(info->attrs[PROTKEY_EMU_A_SE_BIND]), &msg);
	return emu_nl_core_error(info, ret, msg,
				 info->attrs[PROTKEY_EMU_A_APQN]);
}

/**
 * protkey_emu_nl_se_associate_doit() - handle PROTKEY_EMU_CMD_SE_ASSOCIATE
 * @skb: the request
 * @info: the request's attributes and extack
 *
 * Writes SECRET_IDX (required) to the se_associate attribute of EP11 queue
 * APQN (required) (emu_se_associate()). The association is asynchronous:
 * GET_STATE shows it pending until the UV answers.
 *
 * Context: process context, genl_mutex held; may sleep.
 * Return: 0 or a negative errno.
 *
 * Possible returned errors:
 *
 * - %EPERM: the sender lacks CAP_NET_ADMIN or CAP_SYS_ADMIN;
 * - %EINVAL: APQN or SECRET_IDX missing; not an SE guest; not an EP11
 *   queue; the queue is not bound and unassociated (bs 1);
 * - %ERANGE: SECRET_IDX above 0xffff (se_associate's -EINVAL for the
 *   same is emu_se_associate()'s), APQN out of range;
 * - %ENODEV: no queue has this APQN;
 * - %EBUSY: the queue is offline, being reset, or an association is
 *   pending.
 */
static int protkey_emu_nl_se_associate_doit(struct sk_buff *skb,
					    struct genl_info *info)
{
	const struct nlattr *apqn, *idx;
	const char *msg = NULL;
	int ret;

	if (EMU_NL_REQUIRE(info, PROTKEY_EMU_A_APQN) ||
	    EMU_NL_REQUIRE(info, PROTKEY_EMU_A_SECRET_IDX))
		return -EINVAL;
	apqn = info->attrs[PROTKEY_EMU_A_APQN];
	idx = info->attrs[PROTKEY_EMU_A_SECRET_IDX];
	ret = emu_se_associate(nla_get_u32(apqn), nla_get_u32(idx), &msg);
	return emu_nl_core_error(info, ret, msg, ret == -EINVAL ? idx : apqn);
}

/* Outside an SE guest there is no Ultravisor: true, with the message. */
static bool emu_nl_no_uv(struct genl_info *info)
{
	static const char msg[] = KBUILD_MODNAME
		": no Ultravisor: not a Secure Execution guest";

	if (emu_se_guest())
		return false;
	if (info->extack)
		info->extack->_msg = msg;
	return true;
}

/* Sends a reply with one u32 attribute. */
static int emu_nl_reply_u32(struct genl_info *info, u16 attr, u32 val)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(nla_total_size(sizeof(u32)), GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &protkey_emu_nl_family, 0,
				info->genlhdr->cmd);
	if (!hdr || nla_put_u32(msg, attr, val)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/**
 * protkey_emu_nl_uv_add_doit() - handle PROTKEY_EMU_CMD_UV_ADD
 * @skb: the request
 * @info: the request's attributes and extack
 *
 * Adds the secret of the add-secret request UV_REQUEST (required), as
 * "pvsecret add" does: refused when a secret with its ID is stored unless
 * UV_FORCE. Replies with SECRET_IDX. In an ordinary guest there is no UV:
 * -ENODEV.
 *
 * Context: process context, genl_mutex held; may sleep.
 * Return: 0 or a negative errno.
 *
 * Possible returned errors:
 *
 * - %EPERM: the sender lacks CAP_NET_ADMIN or CAP_SYS_ADMIN; or the store
 *   is locked (UV rc 0x0102);
 * - %EINVAL: UV_REQUEST missing or malformed;
 * - %ERANGE: UV_REQUEST longer than the largest request;
 * - %ENODEV: not an SE guest;
 * - %EBADMSG: the UV cannot decrypt the request: made for another image,
 *   or altered (rc 0x0108);
 * - %ENOSPC: the store is full (rc 0x010b);
 * - %EEXIST: the ID is stored and UV_FORCE is absent.
 */
static int protkey_emu_nl_uv_add_doit(struct sk_buff *skb,
				      struct genl_info *info)
{
	const struct nlattr *req = info->attrs[PROTKEY_EMU_A_UV_REQUEST];
	const char *msg = NULL;
	u16 index;
	int ret;

	if (EMU_NL_REQUIRE(info, PROTKEY_EMU_A_UV_REQUEST))
		return -EINVAL;
	if (emu_nl_no_uv(info))
		return -ENODEV;
	ret = emu_uv_add(nla_data(req), nla_len(req),
			 nla_get_flag(info->attrs[PROTKEY_EMU_A_UV_FORCE]),
			 &index, &msg);
	if (ret)
		return emu_nl_core_error(info, ret, msg, req);
	return emu_nl_reply_u32(info, PROTKEY_EMU_A_SECRET_IDX, index);
}

/**
 * protkey_emu_nl_uv_list_doit() - handle PROTKEY_EMU_CMD_UV_LIST
 * @skb: the request
 * @info: the request's attributes and extack
 *
 * Lists the stored secrets from index SECRET_IDX (absent: 0): replies with
 * the 4096-byte List Secrets page UV_LIST, UV_MORE when more follow (start
 * the next request at the page's next_secret_idx), UV_LOCKED and UV_COUNT.
 *
 * Context: process context, genl_mutex held; may sleep.
 * Return: 0 or a negative errno.
 *
 * Possible returned errors:
 *
 * - %EPERM: the sender lacks CAP_NET_ADMIN or CAP_SYS_ADMIN;
 * - %EINVAL: an unsupported attribute;
 * - %ERANGE: SECRET_IDX above 0xffff;
 * - %ENODEV: not an SE guest;
 * - %ENOMEM: no memory for the reply.
 */
static int protkey_emu_nl_uv_list_doit(struct sk_buff *skb,
				       struct genl_info *info)
{
	const struct nlattr *start = info->attrs[PROTKEY_EMU_A_SECRET_IDX];
	struct sk_buff *msg;
	bool more, locked;
	u8 *page;
	void *hdr;
	int ret = -ENOMEM;

	if (emu_nl_no_uv(info))
		return -ENODEV;
	page = kmalloc(PROTKEY_EMU_UV_LIST_SIZE, GFP_KERNEL);
	if (!page)
		return -ENOMEM;
	more = emu_uv_list(start ? nla_get_u32(start) : 0, page, &locked);
	msg = genlmsg_new(nla_total_size(PROTKEY_EMU_UV_LIST_SIZE) +
				  nla_total_size(0) +
				  nla_total_size(sizeof(u8)) +
				  nla_total_size(sizeof(u32)),
			  GFP_KERNEL);
	if (!msg)
		goto out;
	hdr = genlmsg_put_reply(msg, info, &protkey_emu_nl_family, 0,
				info->genlhdr->cmd);
	if (!hdr ||
	    nla_put(msg, PROTKEY_EMU_A_UV_LIST, PROTKEY_EMU_UV_LIST_SIZE,
		    page) ||
	    (more && nla_put_flag(msg, PROTKEY_EMU_A_UV_MORE)) ||
	    nla_put_u8(msg, PROTKEY_EMU_A_UV_LOCKED, locked) ||
	    nla_put_u32(msg, PROTKEY_EMU_A_UV_COUNT,
			get_unaligned_be16(page + 2))) {
		nlmsg_free(msg);
		ret = -EMSGSIZE;
		goto out;
	}
	genlmsg_end(msg, hdr);
	ret = genlmsg_reply(msg, info);
out:
	kfree(page);
	return ret;
}

/**
 * protkey_emu_nl_uv_lock_doit() - handle PROTKEY_EMU_CMD_UV_LOCK
 * @skb: the request
 * @info: the request's attributes and extack
 *
 * Locks the UV secret store: every later add fails until the guest reboots.
 *
 * Context: process context, genl_mutex held; may sleep.
 * Return: 0 or a negative errno.
 *
 * Possible returned errors:
 *
 * - %EPERM: the sender lacks CAP_NET_ADMIN or CAP_SYS_ADMIN;
 * - %EINVAL: the request carries an attribute;
 * - %ENODEV: not an SE guest.
 */
static int protkey_emu_nl_uv_lock_doit(struct sk_buff *skb,
				       struct genl_info *info)
{
	if (emu_nl_no_uv(info))
		return -ENODEV;
	emu_uv_lock_store();
	return 0;
}

/**
 * protkey_emu_nl_uv_retrieve_doit() - handle PROTKEY_EMU_CMD_UV_RETRIEVE
 * @skb: the request
 * @info: the request's attributes and extack
 *
 * Retrieves secret SECRET_IDX (required): replies with SECRET_TYPE and
 * SECRET (for an AES secret the protected key under the current wrapping
 * key, for a plain one its bytes).
 *
 * Context: process context, genl_mutex held; may sleep.
 * Return: 0 or a negative errno.
 *
 * Possible returned errors:
 *
 * - %EPERM: the sender lacks CAP_NET_ADMIN or CAP_SYS_ADMIN;
 * - %EINVAL: SECRET_IDX missing;
 * - %ERANGE: SECRET_IDX above 0xffff;
 * - %ENODEV: not an SE guest;
 * - %ENOENT: no secret at the index, or not retrievable (association).
 */
static int protkey_emu_nl_uv_retrieve_doit(struct sk_buff *skb,
					   struct genl_info *info)
{
	static const char no_secret[] = KBUILD_MODNAME
		": no retrievable secret at this index";
	u8 secret[EMU_UV_RETRIEVE_MAX];
	struct sk_buff *msg;
	u32 type, len, idx;
	void *hdr;
	int ret;

	if (EMU_NL_REQUIRE(info, PROTKEY_EMU_A_SECRET_IDX))
		return -EINVAL;
	if (emu_nl_no_uv(info))
		return -ENODEV;
	idx = nla_get_u32(info->attrs[PROTKEY_EMU_A_SECRET_IDX]);
	ret = emu_uv_retrieve(idx, &type, secret, &len);
	if (ret) {
		if (info->extack && ret == -ENOENT)
			info->extack->_msg = no_secret;
		return ret;
	}
	ret = -ENOMEM;
	msg = genlmsg_new(nla_total_size(sizeof(u32)) + nla_total_size(len),
			  GFP_KERNEL);
	if (!msg)
		goto out;
	hdr = genlmsg_put_reply(msg, info, &protkey_emu_nl_family, 0,
				info->genlhdr->cmd);
	if (!hdr || nla_put_u32(msg, PROTKEY_EMU_A_SECRET_TYPE, type) ||
	    nla_put(msg, PROTKEY_EMU_A_SECRET, len, secret)) {
		nlmsg_free(msg);
		ret = -EMSGSIZE;
		goto out;
	}
	genlmsg_end(msg, hdr);
	ret = genlmsg_reply(msg, info);
out:
	memzero_explicit(secret, sizeof(secret));
	return ret;
}

/**
 * protkey_emu_nl_guest_reboot_doit() - handle PROTKEY_EMU_CMD_GUEST_REBOOT
 * @skb: the request
 * @info: the request's attributes and extack
 *
 * Does to the platform what a reboot of the guest does (emu_guest_reboot()):
 * a new wrapping key and, in an SE guest, the UV store wiped and every
 * queue unbound. Replies with WK_GEN.
 *
 * Context: process context, genl_mutex held; may sleep.
 * Return: 0 or a negative errno.
 *
 * Possible returned errors:
 *
 * - %EPERM: the sender lacks CAP_NET_ADMIN or CAP_SYS_ADMIN;
 * - %EINVAL: the request carries an attribute;
 * - %ENOMEM: no memory for the new wrapping key or the reply.
 */
static int protkey_emu_nl_guest_reboot_doit(struct sk_buff *skb,
					    struct genl_info *info)
{
	const char *errmsg = NULL;
	struct sk_buff *msg;
	u64 wk_gen;
	void *hdr;
	int ret;

	msg = genlmsg_new(nla_total_size_64bit(sizeof(u64)), GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	ret = emu_guest_reboot(&wk_gen, &errmsg);
	if (ret) {
		nlmsg_free(msg);
		return emu_nl_core_error(info, ret, errmsg, NULL);
	}
	hdr = genlmsg_put_reply(msg, info, &protkey_emu_nl_family, 0,
				info->genlhdr->cmd);
	if (!hdr || nla_put_u64_64bit(msg, PROTKEY_EMU_A_WK_GEN, wk_gen,
				      PROTKEY_EMU_A_PAD)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/* clang-format off */
static const struct genl_ops protkey_emu_nl_ops[] = {
	{
		.cmd = PROTKEY_EMU_CMD_GET_STATE,
		.doit = protkey_emu_nl_get_state_doit,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = PROTKEY_EMU_CMD_MK_LOAD,
		.doit = protkey_emu_nl_mk_load_doit,
		.policy = emu_mk_load_nl_policy,
		.maxattr = PROTKEY_EMU_A_MK,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = PROTKEY_EMU_CMD_MK_SET,
		.doit = protkey_emu_nl_mk_set_doit,
		.policy = emu_mk_set_nl_policy,
		.maxattr = PROTKEY_EMU_A_APQN,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = PROTKEY_EMU_CMD_MK_CLEAR,
		.doit = protkey_emu_nl_mk_clear_doit,
		.policy = emu_mk_clear_nl_policy,
		.maxattr = PROTKEY_EMU_A_MK_REG,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = PROTKEY_EMU_CMD_KEY_GENERATE,
		.doit = protkey_emu_nl_key_generate_doit,
		.policy = emu_key_generate_nl_policy,
		.maxattr = PROTKEY_EMU_A_KEY_TYPE,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = PROTKEY_EMU_CMD_KEY_REENCIPHER,
		.doit = protkey_emu_nl_key_reencipher_doit,
		.policy = emu_key_reencipher_nl_policy,
		.maxattr = PROTKEY_EMU_A_RENC_MODE,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = PROTKEY_EMU_CMD_MIGRATE,
		.doit = protkey_emu_nl_migrate_doit,
		.policy = emu_migrate_nl_policy,
		.maxattr = PROTKEY_EMU_A_OUTAGE_MS,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = PROTKEY_EMU_CMD_ADAPTER_SET,
		.doit = protkey_emu_nl_adapter_set_doit,
		.policy = emu_adapter_set_nl_policy,
		.maxattr = PROTKEY_EMU_A_MODE,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = PROTKEY_EMU_CMD_SET_LATENCY,
		.doit = protkey_emu_nl_set_latency_doit,
		.policy = emu_set_latency_nl_policy,
		.maxattr = PROTKEY_EMU_A_QUERY_US,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = PROTKEY_EMU_CMD_FAIL_DERIVES,
		.doit = protkey_emu_nl_fail_derives_doit,
		.policy = emu_fail_derives_nl_policy,
		.maxattr = PROTKEY_EMU_A_FAIL_ERRNO,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = PROTKEY_EMU_CMD_RESET_COUNTERS,
		.doit = protkey_emu_nl_reset_counters_doit,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = PROTKEY_EMU_CMD_KM_PARTIAL,
		.doit = protkey_emu_nl_km_partial_doit,
		.policy = emu_km_partial_nl_policy,
		.maxattr = PROTKEY_EMU_A_KM_PARTIAL_BLOCKS,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = PROTKEY_EMU_CMD_SET_BUSY,
		.doit = protkey_emu_nl_set_busy_doit,
		.policy = emu_set_busy_nl_policy,
		.maxattr = PROTKEY_EMU_A_BUSY_COUNT,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = PROTKEY_EMU_CMD_MK_COMMIT,
		.doit = protkey_emu_nl_mk_commit_doit,
		.policy = emu_mk_commit_nl_policy,
		.maxattr = PROTKEY_EMU_A_APQN,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = PROTKEY_EMU_CMD_SE_SET,
		.doit = protkey_emu_nl_se_set_doit,
		.policy = emu_se_set_nl_policy,
		.maxattr = PROTKEY_EMU_A_UV_MAX_RETR,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = PROTKEY_EMU_CMD_SE_BIND,
		.doit = protkey_emu_nl_se_bind_doit,
		.policy = emu_se_bind_nl_policy,
		.maxattr = PROTKEY_EMU_A_SE_BIND,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = PROTKEY_EMU_CMD_SE_ASSOCIATE,
		.doit = protkey_emu_nl_se_associate_doit,
		.policy = emu_se_associate_nl_policy,
		.maxattr = PROTKEY_EMU_A_SECRET_IDX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = PROTKEY_EMU_CMD_UV_ADD,
		.doit = protkey_emu_nl_uv_add_doit,
		.policy = emu_uv_add_nl_policy,
		.maxattr = PROTKEY_EMU_A_UV_FORCE,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = PROTKEY_EMU_CMD_UV_LIST,
		.doit = protkey_emu_nl_uv_list_doit,
		.policy = emu_uv_list_nl_policy,
		.maxattr = PROTKEY_EMU_A_SECRET_IDX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = PROTKEY_EMU_CMD_UV_LOCK,
		.doit = protkey_emu_nl_uv_lock_doit,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = PROTKEY_EMU_CMD_UV_RETRIEVE,
		.doit = protkey_emu_nl_uv_retrieve_doit,
		.policy = emu_uv_retrieve_nl_policy,
		.maxattr = PROTKEY_EMU_A_SECRET_IDX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = PROTKEY_EMU_CMD_GUEST_REBOOT,
		.doit = protkey_emu_nl_guest_reboot_doit,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = PROTKEY_EMU_CMD_KEY_DERIVE,
		.doit = protkey_emu_nl_key_derive_doit,
		.policy = emu_key_derive_nl_policy,
		.maxattr = PROTKEY_EMU_A_SECURE_KEY,
		.flags = GENL_ADMIN_PERM,
	},
};

/* clang-format on */

/*
 * resv_start_op 0: strict header and attribute validation for every command,
 * and commands without a policy reject every attribute. Not netnsok: the
 * emulated platform is one per machine, like the hardware.
 */
static struct genl_family protkey_emu_nl_family __ro_after_init = {
	.name = PROTKEY_EMU_FAMILY_NAME,
	.version = PROTKEY_EMU_FAMILY_VERSION,
	.resv_start_op = 0,
	.netnsok = false,
	.parallel_ops = false,
	.pre_doit = protkey_emu_nl_pre_doit,
	.ops = protkey_emu_nl_ops,
	.n_ops = ARRAY_SIZE(protkey_emu_nl_ops),
	.module = THIS_MODULE,
};

/**
 * emu_netlink_init() - register the protkey_emu generic netlink family
 *
 * Context: process context (module init); may sleep. ORDER: call it last in
 * the module's init, once the emulator core is ready: the first request can
 * arrive as soon as the family is registered.
 * Return: 0 or the negative errno of genl_register_family().
 */
int emu_netlink_init(void)
{
	return genl_register_family(&protkey_emu_nl_family);
}

/**
 * emu_netlink_exit() - unregister the protkey_emu generic netlink family
 *
 * Context: process context (module exit); may sleep. ORDER: call it first
 * in the module's exit; genl_unregister_family() waits for running
 * handlers, so none runs once it returns.
 */
void emu_netlink_exit(void)
{
	genl_unregister_family(&protkey_emu_nl_family);
}
