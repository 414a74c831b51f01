// SPDX-License-Identifier: GPL-2.0-only
/*
 * Generic netlink clients on libnl-3: the protkey_emu control family (the
 * emulated platform: key generation, re-encipher, master-key steps,
 * migration, adapters, state). Each request waits for its ack; a
 * rejection's extended-ack message is part of the error.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>

#include <linux/protkey_emu.h>

#include "protkey.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif
#ifndef NLM_F_CAPPED
#define NLM_F_CAPPED 0x100
#endif
#ifndef NLM_F_ACK_TLVS
#define NLM_F_ACK_TLVS 0x200
#endif

/**
 * struct pk_nl - a generic netlink client
 * @sk: libnl socket
 * @family: resolved family id
 * @name: family name, for messages
 * @err: negative errno of the last request, 0 on success
 * @extack: extended-ack message of the last request
 * @reply: the last reply message (a reference), or NULL
 * @done: the ack or error arrived
 */
struct pk_nl {
	struct nl_sock *sk;
	int family;
	char name[GENL_NAMSIZ];
	int err;
	char extack[256];
	struct nl_msg *reply;
	bool done;
};

int pk_nl_open(struct pk_nl **out, const char *family, struct pk_err *err)
{
	struct pk_nl *nl;
	int one = 1;

	nl = calloc(1, sizeof(*nl));
	if (!nl)
		return pk_err_set(err, -ENOMEM, "netlink");
	snprintf(nl->name, sizeof(nl->name), "%s", family);
	nl->sk = nl_socket_alloc();
	if (!nl->sk || genl_connect(nl->sk)) {
		pk_nl_close(nl);
		return pk_err_set(err, -EIO, "cannot open a netlink socket");
	}
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_EXT_ACK, &one,
		   sizeof(one));
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_CAP_ACK, &one,
		   sizeof(one));
	nl->family = genl_ctrl_resolve(nl->sk, family);
	if (nl->family < 0) {
		pk_nl_close(nl);
		return pk_err_platform(
			err, -EPROTONOSUPPORT,
			"generic netlink family %s not found (is %s.ko loaded?)",
			family, family);
	}
	*out = nl;
	return 0;
}

/*
 * Frees a message of ours with its bytes wiped first: requests carry
 * master keys (emu mk-load), secure keys and UV secret requests, replies
 * secure keys. (libnl's own receive buffer, which it frees itself, is
 * not ours to wipe.)
 */
static void msg_wipe_free(struct nl_msg *msg)
{
	struct nlmsghdr *nlh;

	if (!msg)
		return;
	nlh = nlmsg_hdr(msg);
	explicit_bzero(nlh, nlh->nlmsg_len);
	nlmsg_free(msg);
}

void pk_nl_close(struct pk_nl *nl)
{
	if (!nl)
		return;
	if (nl->reply)
		msg_wipe_free(nl->reply);
	if (nl->sk)
		nl_socket_free(nl->sk);
	free(nl);
}

static int valid_cb(struct nl_msg *msg, void *arg)
{
	struct pk_nl *nl = arg;

	if (nl->reply)
		msg_wipe_free(nl->reply);
	nlmsg_get(msg);
	nl->reply = msg;
	return NL_OK;
}

static int ack_cb(struct nl_msg *msg, void *arg)
{
	struct pk_nl *nl = arg;

	(void)msg;
	nl->done = true;
	return NL_STOP;
}

/* Reads the extended-ack message that follows struct nlmsgerr. */
static int err_cb(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	struct pk_nl *nl = arg;
	size_t off;

	(void)who;
	nl->err = e->error;
	nl->done = true;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return NL_STOP;
	off = NLMSG_HDRLEN + sizeof(*e);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	if (NLMSG_ALIGN(off) >= nlh->nlmsg_len)
		return NL_STOP;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX,
		      (struct nlattr *)((char *)nlh + NLMSG_ALIGN(off)),
		      (int)(nlh->nlmsg_len - NLMSG_ALIGN(off)), NULL))
		return NL_STOP;
	if (tb[NLMSGERR_ATTR_MSG])
		snprintf(nl->extack, sizeof(nl->extack), "%.*s",
			 nla_len(tb[NLMSGERR_ATTR_MSG]),
			 (char *)nla_data(tb[NLMSGERR_ATTR_MSG]));
	return NL_STOP;
}

/* Sends @msg (consumed) and waits for the ack; keeps a reply. */
static int transact(struct pk_nl *nl, struct nl_msg *msg, const char *what,
		    struct pk_err *err)
{
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	int ret;

	nl->err = 0;
	nl->extack[0] = '\0';
	nl->done = false;
	if (nl->reply)
		msg_wipe_free(nl->reply);
	nl->reply = NULL;
	if (!cb) {
		msg_wipe_free(msg);
		return pk_err_set(err, -ENOMEM, "%s", what);
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, valid_cb, nl);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, ack_cb, nl);
	nl_cb_err(cb, NL_CB_CUSTOM, err_cb, nl);
	ret = nl_send_auto(nl->sk, msg);
	msg_wipe_free(msg);
	if (ret < 0) {
		nl_cb_put(cb);
		return pk_err_set(err, -EIO, "%s: cannot send to %s", what,
				  nl->name);
	}
	while (!nl->done) {
		ret = nl_recvmsgs(nl->sk, cb);
		if (ret < 0 && !nl->done) {
			nl_cb_put(cb);
			return pk_err_set(err, -EIO, "%s: netlink receive: %s",
					  what, nl_geterror(ret));
		}
	}
	nl_cb_put(cb);
	if (nl->err)
		return pk_err_platform(err, nl->err, "%s%s%s", what,
				       nl->extack[0] ? ": " : "", nl->extack);
	return 0;
}

static struct nl_msg *new_msg(struct pk_nl *nl, uint8_t cmd)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (msg && !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0,
				NLM_F_REQUEST | NLM_F_ACK, cmd,
				PROTKEY_EMU_FAMILY_VERSION)) {
		nlmsg_free(msg);
		msg = NULL;
	}
	return msg;
}

/* A request with at most one u32/u8/binary attribute each, by value. */
struct req {
	uint8_t cmd;
	const char *what;
	int64_t apqn; /* < 0: absent */
	int u32_type;
	uint32_t u32;
	int u32b_type;
	uint32_t u32b;
	int u8_type;
	uint8_t u8;
	int bin_type;
	const void *bin;
	int bin_len;
	int flag_type;
};

static int request(struct pk_nl *nl, const struct req *r, struct pk_err *err)
{
	struct nl_msg *msg = new_msg(nl, r->cmd);
	int bad = !msg;

	if (!bad && r->apqn >= 0)
		bad = nla_put_u32(msg, PROTKEY_EMU_A_APQN, (uint32_t)r->apqn);
	if (!bad && r->u32_type)
		bad = nla_put_u32(msg, r->u32_type, r->u32);
	if (!bad && r->u32b_type)
		bad = nla_put_u32(msg, r->u32b_type, r->u32b);
	if (!bad && r->u8_type)
		bad = nla_put_u8(msg, r->u8_type, r->u8);
	if (!bad && r->bin_type)
		bad = nla_put(msg, r->bin_type, r->bin_len, r->bin);
	if (!bad && r->flag_type)
		bad = nla_put_flag(msg, r->flag_type);
	if (bad) {
		msg_wipe_free(msg);
		return pk_err_set(err, -ENOMEM, "%s: building the request",
				  r->what);
	}
	return transact(nl, msg, r->what, err);
}

/* A request with at most one u32 attribute (@type 0: none). */
static int request_u32(struct pk_nl *nl, uint8_t cmd, const char *what,
		       int64_t apqn, int type, uint32_t val, struct pk_err *err)
{
	struct req r = { .cmd = cmd,
			 .what = what,
			 .apqn = apqn,
			 .u32_type = type,
			 .u32 = val };

	return request(nl, &r, err);
}

static struct nlattr *reply_attr(struct pk_nl *nl, int type, int len)
{
	struct nlattr *tb[PROTKEY_EMU_A_MAX + 1];

	if (!nl->reply ||
	    genlmsg_parse(nlmsg_hdr(nl->reply), 0, tb, PROTKEY_EMU_A_MAX, NULL))
		return NULL;
	if (!tb[type] || (len >= 0 && nla_len(tb[type]) != len))
		return NULL;
	return tb[type];
}

/*
 * Copies the reply's secure key (one token of @want bytes, or of 64 to
 * PROTKEY_EMU_SECKEY_MAX_SIZE bytes when @want is 0) to @out; its length
 * into *@len when @len is given.
 */
static int reply_seckey(struct pk_nl *nl, uint8_t *out, size_t want,
			size_t *len, const char *what, struct pk_err *err)
{
	struct nlattr *a;
	int n;

	a = reply_attr(nl, PROTKEY_EMU_A_SECURE_KEY, want ? (int)want : -1);
	n = a ? nla_len(a) : 0;
	if (!a || n < PROTKEY_EMU_SECKEY_SIZE ||
	    n > PROTKEY_EMU_SECKEY_MAX_SIZE)
		return pk_err_platform(err, -EBADMSG,
				       "%s: reply without a secure key", what);
	memcpy(out, nla_data(a), (size_t)n);
	if (len)
		*len = (size_t)n;
	return 0;
}

/* One CCA AES DATA token of @bits under the CURRENT MK. */
int pk_emu_generate(struct pk_nl *nl, unsigned int bits, uint8_t *tok,
		    struct pk_err *err)
{
	int ret;

	ret = request_u32(nl, PROTKEY_EMU_CMD_KEY_GENERATE,
			  "generate a secure key", -1, PROTKEY_EMU_A_KEY_BITS,
			  bits, err);
	return ret   ?:
		       reply_seckey(nl, tok, PROTKEY_EMU_SECKEY_SIZE, NULL,
				    "generate", err);
}

/*
 * One token of @key_type (enum protkey_emu_key_type) and @bits under the
 * CURRENT MK (EP11: wrapping key) of the first usable adapter of its mode;
 * @tok takes PROTKEY_EMU_SECKEY_MAX_SIZE bytes, *@len its length.
 */
static int emu_generate_type(struct pk_nl *nl, uint32_t key_type,
			     unsigned int bits, uint8_t *tok, size_t *len,
			     struct pk_err *err)
{
	struct req r = { .cmd = PROTKEY_EMU_CMD_KEY_GENERATE,
			 .what = "generate a secure key",
			 .apqn = -1,
			 .u32_type = PROTKEY_EMU_A_KEY_BITS,
			 .u32 = bits,
			 .u32b_type = PROTKEY_EMU_A_KEY_TYPE,
			 .u32b = key_type };
	int ret;

	ret = request(nl, &r, err);
	return ret ?: reply_seckey(nl, tok, 0, len, "generate", err);
}

/**
 * pk_emu_generate_xts_type() - an XTS secure key of two random tokens
 * @nl: the emulator's family
 * @key_type: &enum protkey_emu_key_type
 * @bits: 128 or 256
 * @blob: receives the key, up to 2 * PROTKEY_EMU_SECKEY_MAX_SIZE bytes
 * @len: receives its length
 * @err: the error
 *
 * Context: sleeps (netlink).
 * Return: 0, or a negative errno with @err set; the key is checked with
 * pk_xts_parse() (a bad one is the platform's error).
 */
int pk_emu_generate_xts_type(struct pk_nl *nl, uint32_t key_type,
			     unsigned int bits, uint8_t *blob, size_t *len,
			     struct pk_err *err)
{
	struct pk_xts_info xts;
	size_t l0 = 0, l1 = 0;
	int ret;

	if (key_type == PROTKEY_EMU_KEY_CCA_AESDATA)
		return pk_emu_generate_xts(nl, bits, blob, len, err);
	ret = emu_generate_type(nl, key_type, bits, blob, &l0, err);
	ret = ret ?: emu_generate_type(nl, key_type, bits, blob + l0, &l1, err);
	if (ret)
		return ret;
	if (l0 != l1)
		return pk_err_platform(err, -EBADMSG,
				       "generate: tokens of %zu and %zu bytes",
				       l0, l1);
	*len = l0 + l1;
	ret = pk_xts_parse(blob, *len, &xts, err);
	if (ret)
		err->origin = PK_ORIGIN_PLATFORM;
	return ret;
}

/* An XTS secure key: two random tokens of @bits into @blob (128 bytes). */
int pk_emu_generate_xts(struct pk_nl *nl, unsigned int bits, uint8_t *blob,
			size_t *len, struct pk_err *err)
{
	struct pk_xts_info xts;
	int ret;

	ret = pk_emu_generate(nl, bits, blob, err);
	ret = ret   ?:
		      pk_emu_generate(nl, bits, blob + PROTKEY_EMU_SECKEY_SIZE,
				      err);
	if (ret)
		return ret;
	*len = 2 * PROTKEY_EMU_SECKEY_SIZE;
	ret = pk_xts_parse(blob, *len, &xts, err);
	if (ret)
		err->origin = PK_ORIGIN_PLATFORM;
	return ret;
}

/*
 * Re-enciphers one token of @len bytes (64 to PROTKEY_EMU_SECKEY_MAX_SIZE)
 * in direction @mode (enum protkey_emu_renc) into @out (@len bytes).
 */
int pk_emu_reencipher(struct pk_nl *nl, const uint8_t *tok, size_t len,
		      int mode, uint8_t *out, struct pk_err *err)
{
	struct req r = { .cmd = PROTKEY_EMU_CMD_KEY_REENCIPHER,
			 .what = "re-encipher",
			 .apqn = -1,
			 .u32_type = PROTKEY_EMU_A_RENC_MODE,
			 .u32 = (uint32_t)mode,
			 .bin_type = PROTKEY_EMU_A_SECURE_KEY,
			 .bin = tok,
			 .bin_len = (int)len };
	int ret;

	ret = request(nl, &r, err);
	return ret ?: reply_seckey(nl, out, len, NULL, "re-encipher", err);
}

int pk_emu_migrate(struct pk_nl *nl, uint32_t outage_ms, uint64_t *wk_gen,
		   struct pk_err *err)
{
	struct nlattr *a;
	int ret;

	ret = request_u32(nl, PROTKEY_EMU_CMD_MIGRATE, "migrate", -1,
			  outage_ms ? PROTKEY_EMU_A_OUTAGE_MS : 0, outage_ms,
			  err);
	if (ret)
		return ret;
	a = reply_attr(nl, PROTKEY_EMU_A_WK_GEN, 8);
	*wk_gen = a ? nla_get_u64(a) : 0;
	return 0;
}

int pk_emu_mk_load(struct pk_nl *nl, int64_t apqn, const uint8_t *mk,
		   struct pk_err *err)
{
	struct req r = { .cmd = PROTKEY_EMU_CMD_MK_LOAD,
			 .what = "load master key",
			 .apqn = apqn,
			 .bin_type = PROTKEY_EMU_A_MK,
			 .bin = mk,
			 .bin_len = PROTKEY_EMU_MK_SIZE };

	return request(nl, &r, err);
}

int pk_emu_mk_set(struct pk_nl *nl, int64_t apqn, struct pk_err *err)
{
	return request_u32(nl, PROTKEY_EMU_CMD_MK_SET, "set master key", apqn,
			   0, 0, err);
}

/* EP11: commits the uncommitted NEW wrapping key of @apqn (or of all). */
int pk_emu_mk_commit(struct pk_nl *nl, int64_t apqn, struct pk_err *err)
{
	return request_u32(nl, PROTKEY_EMU_CMD_MK_COMMIT,
			   "commit the new wrapping key", apqn, 0, 0, err);
}

int pk_emu_mk_clear(struct pk_nl *nl, int64_t apqn, uint32_t reg,
		    struct pk_err *err)
{
	return request_u32(nl, PROTKEY_EMU_CMD_MK_CLEAR,
			   "clear master-key register", apqn,
			   PROTKEY_EMU_A_MK_REG, reg, err);
}

int pk_emu_adapter_set(struct pk_nl *nl, int64_t apqn, bool online,
		       struct pk_err *err)
{
	struct req r = { .cmd = PROTKEY_EMU_CMD_ADAPTER_SET,
			 .what = "set adapter",
			 .apqn = apqn,
			 .u8_type = PROTKEY_EMU_A_ONLINE,
			 .u8 = online };

	return request(nl, &r, err);
}

/* Reconfigures @apqn (or all) to @mode: offline, the mode, online again. */
int pk_emu_adapter_mode(struct pk_nl *nl, int64_t apqn, uint32_t mode,
			struct pk_err *err)
{
	struct req r = { .cmd = PROTKEY_EMU_CMD_ADAPTER_SET,
			 .what = "set adapter mode",
			 .apqn = apqn,
			 .u32_type = PROTKEY_EMU_A_MODE,
			 .u32 = mode,
			 .u8_type = PROTKEY_EMU_A_ONLINE,
			 .u8 = 0 };
	int ret;

	ret = request(nl, &r, err);
	return ret ?: pk_emu_adapter_set(nl, apqn, true, err);
}

int pk_emu_set_latency(struct pk_nl *nl, uint32_t us, uint32_t query_us,
		       struct pk_err *err)
{
	struct req r = { .cmd = PROTKEY_EMU_CMD_SET_LATENCY,
			 .what = "set derive latency",
			 .apqn = -1,
			 .u32_type = PROTKEY_EMU_A_LATENCY_US,
			 .u32 = us,
			 .u32b_type = PROTKEY_EMU_A_QUERY_US,
			 .u32b = query_us };

	return request(nl, &r, err);
}

int pk_emu_set_busy(struct pk_nl *nl, uint32_t count, struct pk_err *err)
{
	return request_u32(nl, PROTKEY_EMU_CMD_SET_BUSY, "set busy answers", -1,
			   PROTKEY_EMU_A_BUSY_COUNT, count, err);
}

static uint64_t get_be64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/* Copies string attribute @a (if any) into @buf of @size. */
static void copy_str(struct nlattr *a, char *buf, size_t size)
{
	if (a)
		snprintf(buf, size, "%.*s", nla_len(a), (char *)nla_data(a));
}

static void parse_adapter_se(struct nlattr **tb, struct pk_emu_adapter *ad)
{
	struct nlattr *a;

	if (tb[PROTKEY_EMU_ADAPTER_A_MODE])
		ad->mode = nla_get_u32(tb[PROTKEY_EMU_ADAPTER_A_MODE]);
	a = tb[PROTKEY_EMU_ADAPTER_A_WKVP_CURRENT];
	if (a && nla_len(a) == (int)sizeof(ad->wkvp)) {
		ad->has_wkvp = true;
		memcpy(ad->wkvp, nla_data(a), sizeof(ad->wkvp));
	}
	if (tb[PROTKEY_EMU_ADAPTER_A_SE_BS]) {
		ad->has_bs = true;
		ad->bs = nla_get_u32(tb[PROTKEY_EMU_ADAPTER_A_SE_BS]);
	}
	if (tb[PROTKEY_EMU_ADAPTER_A_SE_ASSOC_IDX]) {
		ad->has_assoc_idx = true;
		ad->assoc_idx =
			nla_get_u32(tb[PROTKEY_EMU_ADAPTER_A_SE_ASSOC_IDX]);
	}
	strcpy(ad->bind_text, "-");
	strcpy(ad->assoc_text, "-");
	copy_str(tb[PROTKEY_EMU_ADAPTER_A_SE_BIND_TEXT], ad->bind_text,
		 sizeof(ad->bind_text));
	copy_str(tb[PROTKEY_EMU_ADAPTER_A_SE_ASSOC_TEXT], ad->assoc_text,
		 sizeof(ad->assoc_text));
}

static int parse_adapter(struct nlattr *nest, struct pk_emu_state *st)
{
	struct nlattr *tb[PROTKEY_EMU_ADAPTER_A_MAX + 1];
	struct pk_emu_adapter *ad;
	int reg, a;

	if (st->n >= PK_EMU_MAX_ADAPTERS ||
	    nla_parse_nested(tb, PROTKEY_EMU_ADAPTER_A_MAX, nest, NULL) ||
	    !tb[PROTKEY_EMU_ADAPTER_A_APQN] ||
	    !tb[PROTKEY_EMU_ADAPTER_A_ONLINE])
		return -EBADMSG;
	ad = &st->ad[st->n++];
	ad->apqn = nla_get_u32(tb[PROTKEY_EMU_ADAPTER_A_APQN]);
	ad->online = nla_get_u8(tb[PROTKEY_EMU_ADAPTER_A_ONLINE]);
	for (reg = PROTKEY_EMU_MK_NEW; reg <= PROTKEY_EMU_MK_OLD; reg++) {
		a = PROTKEY_EMU_ADAPTER_A_MKVP_NEW + reg - PROTKEY_EMU_MK_NEW;
		if (!tb[a] || nla_len(tb[a]) != PROTKEY_EMU_MKVP_SIZE)
			continue;
		ad->has |= 1u << (reg - 1);
		ad->mkvp[reg - 1] = get_be64(nla_data(tb[a]));
	}
	parse_adapter_se(tb, ad);
	return 0;
}

static int parse_counters(struct nlattr *nest, struct pk_emu_state *st)
{
	struct nlattr *tb[PROTKEY_EMU_CNT_A_MAX + 1];
	int i;

	if (nla_parse_nested(tb, PROTKEY_EMU_CNT_A_MAX, nest, NULL))
		return -EBADMSG;
	for (i = 1; i < PROTKEY_EMU_CNT_A_PAD && i < 16; i++)
		if (tb[i] && nla_len(tb[i]) == 8)
			st->cnt[i] = nla_get_u64(tb[i]);
	return 0;
}

int pk_emu_get_state(struct pk_nl *nl, struct pk_emu_state *st,
		     struct pk_err *err)
{
	struct nlmsghdr *nlh;
	struct nlattr *a;
	int rem, ret;

	memset(st, 0, sizeof(*st));
	ret = request_u32(nl, PROTKEY_EMU_CMD_GET_STATE, "get emulator state",
			  -1, 0, 0, err);
	if (ret)
		return ret;
	if (!nl->reply)
		return pk_err_platform(err, -EBADMSG, "get state: no reply");
	nlh = nlmsg_hdr(nl->reply);
	nla_for_each_attr(a, genlmsg_attrdata(nlmsg_data(nlh), 0),
			  genlmsg_attrlen(nlmsg_data(nlh), 0), rem) {
		if (nla_type(a) == PROTKEY_EMU_A_WK_GEN && nla_len(a) == 8)
			st->wk_gen = nla_get_u64(a);
		else if (nla_type(a) == PROTKEY_EMU_A_SE_GUEST)
			st->se_guest = nla_get_u8(a);
		else if (nla_type(a) == PROTKEY_EMU_A_UV_LOCKED)
			st->uv_locked = nla_get_u8(a);
		else if (nla_type(a) == PROTKEY_EMU_A_UV_COUNT)
			st->uv_count = nla_get_u32(a);
		else if (nla_type(a) == PROTKEY_EMU_A_COUNTERS)
			ret = ret ?: parse_counters(a, st);
		else if (nla_type(a) == PROTKEY_EMU_A_ADAPTER)
			ret = ret ?: parse_adapter(a, st);
	}
	if (ret)
		return pk_err_platform(err, ret, "get state: malformed reply");
	return 0;
}

/*
 * SE_SET: @guest 1 or 0 makes the machine an SE guest or an ordinary one
 * (-1: unchanged); @image_key (or NULL) the emulated image's key.
 */
int pk_emu_se_set(struct pk_nl *nl, int guest, const uint8_t *image_key,
		  struct pk_err *err)
{
	struct req r = { .cmd = PROTKEY_EMU_CMD_SE_SET,
			 .what = "set the SE guest",
			 .apqn = -1,
			 .u8_type = guest < 0 ? 0 : PROTKEY_EMU_A_SE_GUEST,
			 .u8 = guest > 0,
			 .bin_type = image_key ? PROTKEY_EMU_A_IMAGE_KEY : 0,
			 .bin = image_key,
			 .bin_len = PROTKEY_EMU_IMAGE_KEY_SIZE };

	return request(nl, &r, err);
}

/* Binds (se_bind 1) or unbinds (0) queue @apqn. */
int pk_emu_se_bind(struct pk_nl *nl, uint32_t apqn, bool bind,
		   struct pk_err *err)
{
	struct req r = { .cmd = PROTKEY_EMU_CMD_SE_BIND,
			 .what = bind ? "bind" : "unbind",
			 .apqn = apqn,
			 .u8_type = PROTKEY_EMU_A_SE_BIND,
			 .u8 = bind };

	return request(nl, &r, err);
}

/* Associates queue @apqn with the association secret at index @idx. */
int pk_emu_se_associate(struct pk_nl *nl, uint32_t apqn, uint32_t idx,
			struct pk_err *err)
{
	return request_u32(nl, PROTKEY_EMU_CMD_SE_ASSOCIATE, "associate", apqn,
			   PROTKEY_EMU_A_SECRET_IDX, idx, err);
}

/* Adds the secret of add-secret request @req; its index into @idx. */
int pk_emu_uv_add(struct pk_nl *nl, const uint8_t *req, size_t len, bool force,
		  uint32_t *idx, struct pk_err *err)
{
	struct req r = { .cmd = PROTKEY_EMU_CMD_UV_ADD,
			 .what = "add secret",
			 .apqn = -1,
			 .bin_type = PROTKEY_EMU_A_UV_REQUEST,
			 .bin = req,
			 .bin_len = (int)len,
			 .flag_type = force ? PROTKEY_EMU_A_UV_FORCE : 0 };
	struct nlattr *a;
	int ret;

	ret = request(nl, &r, err);
	if (ret)
		return ret;
	a = reply_attr(nl, PROTKEY_EMU_A_SECRET_IDX, 4);
	if (!a)
		return pk_err_platform(err, -EBADMSG,
				       "add secret: reply without an index");
	*idx = nla_get_u32(a);
	return 0;
}

/* One List Secrets page from index @from into @page (4096 bytes). */
int pk_emu_uv_list(struct pk_nl *nl, uint32_t from, uint8_t *page, bool *more,
		   struct pk_err *err)
{
	struct nlattr *a;
	int ret;

	ret = request_u32(nl, PROTKEY_EMU_CMD_UV_LIST, "list secrets", -1,
			  PROTKEY_EMU_A_SECRET_IDX, from, err);
	if (ret)
		return ret;
	a = reply_attr(nl, PROTKEY_EMU_A_UV_LIST, PROTKEY_EMU_UV_LIST_SIZE);
	if (!a)
		return pk_err_platform(err, -EBADMSG,
				       "list secrets: reply without a page");
	memcpy(page, nla_data(a), PROTKEY_EMU_UV_LIST_SIZE);
	*more = reply_attr(nl, PROTKEY_EMU_A_UV_MORE, -1) != NULL;
	return 0;
}

int pk_emu_uv_lock(struct pk_nl *nl, struct pk_err *err)
{
	return request_u32(nl, PROTKEY_EMU_CMD_UV_LOCK, "lock the secret store",
			   -1, 0, 0, err);
}

int pk_emu_guest_reboot(struct pk_nl *nl, struct pk_err *err)
{
	return request_u32(nl, PROTKEY_EMU_CMD_GUEST_REBOOT, "reboot the guest",
			   -1, 0, 0, err);
}

/* An APQN as "CC.DDDD" (hex, as lszcrypt and zkey write it) into @buf. */
void pk_apqn_format(uint32_t apqn, char buf[PK_APQN_STR_MAX])
{
	snprintf(buf, PK_APQN_STR_MAX, "%02x.%04x",
		 PROTKEY_EMU_APQN_CARD(apqn) & 0xff,
		 PROTKEY_EMU_APQN_DOMAIN(apqn));
}

/* "CC.DDDD" (hex, as lszcrypt and zkey write it) into an APQN. */
int pk_apqn_parse(const char *s, uint32_t *apqn)
{
	unsigned int card, dom;
	char end;
	int i;

	if (strlen(s) != 7 || s[2] != '.')
		return -EINVAL;
	/* Hex digits only: %x alone takes a sign, blanks and "0x". */
	for (i = 0; i < 7; i++)
		if (i != 2 && !isxdigit((unsigned char)s[i]))
			return -EINVAL;
	if (sscanf(s, "%2x.%4x%c", &card, &dom, &end) != 2 || dom > 0xff)
		return -EINVAL;
	*apqn = PROTKEY_EMU_APQN(card, dom);
	return 0;
}

/*
 * Which register of the usable adapters holds @mkvp: "current", "old",
 * "new" (in that order of preference), or "none".
 */
/* Whether @apqns ("CC.DDDD,...", NULL or "": all) names @apqn. */
static bool apqn_named(const char *apqns, uint32_t apqn)
{
	char one[16];
	uint32_t a;
	size_t n;

	if (!apqns || !*apqns)
		return true;
	for (; *apqns; apqns += n + (apqns[n] == ',')) {
		n = strcspn(apqns, ",");
		if (n < sizeof(one)) {
			memcpy(one, apqns, n);
			one[n] = '\0';
			if (!pk_apqn_parse(one, &a) && a == apqn)
				return true;
		}
	}
	return false;
}

const char *pk_mk_match(const struct pk_emu_state *st, uint64_t mkvp,
			const char *apqns)
{
	static const char *const names[] = { "new", "current", "old" };
	static const int order[] = { PROTKEY_EMU_MK_CURRENT, PROTKEY_EMU_MK_OLD,
				     PROTKEY_EMU_MK_NEW };
	int i, j;

	for (j = 0; j < 3; j++) {
		for (i = 0; i < st->n; i++) {
			const struct pk_emu_adapter *ad = &st->ad[i];
			int reg = order[j] - 1;

			if (ad->online && (ad->has & (1u << reg)) &&
			    ad->mkvp[reg] == mkvp &&
			    apqn_named(apqns, ad->apqn))
				return names[reg];
		}
	}
	return "none";
}
