/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers shared by the protkey selftests: a generic netlink client on
 * libnl-3 that captures the kernel's extended ack (message, missing
 * attribute, offending attribute), privilege dropping, and an independent
 * crypto oracle on the kernel's AF_ALG interface (sha256, ecb(aes)).
 */
#ifndef PROTKEY_SELFTEST_COMMON_H
#define PROTKEY_SELFTEST_COMMON_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <grp.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include <linux/genetlink.h>
#include <linux/if_alg.h>
#include <linux/netlink.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif
#ifndef SOL_ALG
#define SOL_ALG 279
#endif
#ifndef NLM_F_CAPPED
#define NLM_F_CAPPED 0x100
#endif
#ifndef NLM_F_ACK_TLVS
#define NLM_F_ACK_TLVS 0x200
#endif

#define PK_MAX_ATTRS 4
#define PK_MSG_LEN 256

/* How a test attribute is encoded. */
enum pk_attr_kind {
	PK_NONE = 0,
	PK_U8,
	PK_U16,
	PK_U32,
	PK_U64,
	PK_BYTES, /* len bytes: data if set, else len times fill */
};

/**
 * struct pk_attr - one attribute of a test request
 * @type: attribute type (may carry NLA_F_NESTED to test the flag check)
 * @kind: encoding
 * @val: value for the integer kinds
 * @len: length for PK_BYTES
 * @fill: filler byte for PK_BYTES without @data
 * @data: bytes for PK_BYTES, or NULL
 */
struct pk_attr {
	uint16_t type;
	enum pk_attr_kind kind;
	uint64_t val;
	uint16_t len;
	uint8_t fill;
	const uint8_t *data;
};

/**
 * struct pk_nl - a generic netlink client and the result of its last request
 * @sk: the libnl socket
 * @family: resolved family id
 * @err: 0 or the negative errno of the last request
 * @msg: extack message of the last request ("" if none)
 * @miss_type: NLMSGERR_ATTR_MISS_TYPE of the last request, or -1
 * @bad_offs: NLMSGERR_ATTR_OFFS of the last request, or -1
 * @reply: the last reply message (a reference), or NULL
 * @done: set when the ack or error of the request arrived
 */
struct pk_nl {
	struct nl_sock *sk;
	int family;
	int err;
	char msg[PK_MSG_LEN];
	int miss_type;
	int bad_offs;
	struct nl_msg *reply;
	bool done;
};

static inline void pk_nl_clear_result(struct pk_nl *nl)
{
	nl->err = 0;
	nl->msg[0] = '\0';
	nl->miss_type = -1;
	nl->bad_offs = -1;
	nl->done = false;
	if (nl->reply)
		nlmsg_free(nl->reply);
	nl->reply = NULL;
}

static inline void pk_nl_close(struct pk_nl *nl)
{
	pk_nl_clear_result(nl);
	if (nl->sk)
		nl_socket_free(nl->sk);
	nl->sk = NULL;
}

/* Opens a socket with extended acks on and resolves @family_name. */
static inline int pk_nl_open(struct pk_nl *nl, const char *family_name)
{
	int one = 1;
	int ret;

	memset(nl, 0, sizeof(*nl));
	nl->sk = nl_socket_alloc();
	if (!nl->sk)
		return -ENOMEM;
	ret = genl_connect(nl->sk);
	if (ret < 0)
		goto err_free;
	if (setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_EXT_ACK,
		       &one, sizeof(one)) ||
	    setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_CAP_ACK,
		       &one, sizeof(one))) {
		ret = -errno;
		goto err_close;
	}
	nl->family = genl_ctrl_resolve(nl->sk, family_name);
	if (nl->family < 0) {
		ret = -ENOENT;
		goto err_close;
	}
	pk_nl_clear_result(nl);
	return 0;

err_close:
	nl_close(nl->sk);
err_free:
	nl_socket_free(nl->sk);
	nl->sk = NULL;
	return ret < 0 ? ret : -EIO;
}

static inline int pk_nl_valid_cb(struct nl_msg *msg, void *arg)
{
	struct pk_nl *nl = arg;

	if (nl->reply)
		nlmsg_free(nl->reply);
	nlmsg_get(msg);
	nl->reply = msg;
	return NL_OK;
}

static inline int pk_nl_ack_cb(struct nl_msg *msg, void *arg)
{
	struct pk_nl *nl = arg;

	(void)msg;
	nl->done = true;
	return NL_STOP;
}

/*
 * Reads the extended-ack TLVs that follow struct nlmsgerr (and, unless the
 * ack is capped, the echoed request).
 */
static inline int pk_nl_err_cb(struct sockaddr_nl *who, struct nlmsgerr *e,
			       void *arg)
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
	if (off >= nlh->nlmsg_len)
		return NL_STOP;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX,
		      (struct nlattr *)((char *)nlh + NLMSG_ALIGN(off)),
		      nlh->nlmsg_len - NLMSG_ALIGN(off), NULL))
		return NL_STOP;
	if (tb[NLMSGERR_ATTR_MSG])
		snprintf(nl->msg, sizeof(nl->msg), "%.*s",
			 nla_len(tb[NLMSGERR_ATTR_MSG]),
			 (char *)nla_data(tb[NLMSGERR_ATTR_MSG]));
	if (tb[NLMSGERR_ATTR_MISS_TYPE])
		nl->miss_type = nla_get_u32(tb[NLMSGERR_ATTR_MISS_TYPE]);
	if (tb[NLMSGERR_ATTR_OFFS])
		nl->bad_offs = nla_get_u32(tb[NLMSGERR_ATTR_OFFS]);
	return NL_STOP;
}

static inline int pk_put_attr(struct nl_msg *msg, const struct pk_attr *a)
{
	uint8_t buf[512];

	switch (a->kind) {
	case PK_U8:
		return nla_put_u8(msg, a->type, (uint8_t)a->val);
	case PK_U16:
		return nla_put_u16(msg, a->type, (uint16_t)a->val);
	case PK_U32:
		return nla_put_u32(msg, a->type, (uint32_t)a->val);
	case PK_U64:
		return nla_put_u64(msg, a->type, a->val);
	case PK_BYTES:
		if (a->data)
			return nla_put(msg, a->type, a->len, a->data);
		if (a->len > sizeof(buf))
			return -NLE_RANGE;
		memset(buf, a->fill, a->len);
		return nla_put(msg, a->type, a->len, buf);
	default:
		return 0;
	}
}

/*
 * Sends command @cmd with @attrs (terminated by a PK_NONE entry or after
 * PK_MAX_ATTRS) and waits for its ack. Keeps a reply in nl->reply.
 * Return: 0 or the request's negative errno (also in nl->err); -EIO for
 * a local libnl failure.
 */
static inline int pk_nl_request(struct pk_nl *nl, uint8_t cmd,
				const struct pk_attr *attrs, int n_attrs)
{
	struct nl_msg *msg;
	struct nl_cb *cb;
	int i, ret;

	pk_nl_clear_result(nl);
	msg = nlmsg_alloc();
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!msg || !cb) {
		ret = -ENOMEM;
		goto out;
	}
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0,
			 NLM_F_REQUEST | NLM_F_ACK, cmd, 1)) {
		ret = -EIO;
		goto out;
	}
	for (i = 0; attrs && i < n_attrs && attrs[i].kind != PK_NONE; i++) {
		if (pk_put_attr(msg, &attrs[i])) {
			ret = -EIO;
			goto out;
		}
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, pk_nl_valid_cb, nl);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, pk_nl_ack_cb, nl);
	nl_cb_err(cb, NL_CB_CUSTOM, pk_nl_err_cb, nl);
	if (nl_send_auto(nl->sk, msg) < 0) {
		ret = -EIO;
		goto out;
	}
	while (!nl->done) {
		ret = nl_recvmsgs(nl->sk, cb);
		if (ret < 0 && !nl->done) {
			ret = -EIO;
			goto out;
		}
	}
	ret = nl->err;
out:
	nlmsg_free(msg);
	nl_cb_put(cb);
	return ret;
}

/* The attributes of the last reply, parsed without a policy. */
static inline int pk_nl_reply_attrs(struct pk_nl *nl, struct nlattr **tb,
				    int maxattr)
{
	if (!nl->reply)
		return -ENOMSG;
	return genlmsg_parse(nlmsg_hdr(nl->reply), 0, tb, maxattr, NULL) ?
		       -EINVAL :
		       0;
}

/* Sets the effective, permitted and inheritable capability sets. */
static inline int pk_capset(uint64_t caps)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2] = {
		{ .effective = (uint32_t)caps, .permitted = (uint32_t)caps },
		{ .effective = (uint32_t)(caps >> 32),
		  .permitted = (uint32_t)(caps >> 32) },
	};

	return syscall(SYS_capset, &hdr, data) ? -errno : 0;
}

/* Becomes uid/gid 65534 with no capabilities at all. */
static inline int pk_become_nobody(void)
{
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) || setgroups(0, NULL) ||
	    setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
		return -errno;
	return pk_capset(0);
}

/* Stays root but keeps only CAP_NET_ADMIN: passes GENL_ADMIN_PERM only. */
static inline int pk_keep_only_net_admin(void)
{
	return pk_capset(1ULL << CAP_NET_ADMIN);
}

/*
 * The oracle: the kernel's own crypto through AF_ALG, independent of the
 * emulator's code. @op is ALG_OP_ENCRYPT/ALG_OP_DECRYPT for a cipher, or
 * -1 for a hash.
 */
static inline int pk_kcapi(const char *type, const char *name, const void *key,
			   size_t keylen, int op, const void *in, size_t inlen,
			   void *out, size_t outlen)
{
	struct sockaddr_alg sa = { .salg_family = AF_ALG };
	char cbuf[CMSG_SPACE(sizeof(uint32_t))] = { 0 };
	struct iovec iov = { .iov_base = (void *)in, .iov_len = inlen };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	int tfm, fd = -1, ret = -EIO;
	struct cmsghdr *cm;

	snprintf((char *)sa.salg_type, sizeof(sa.salg_type), "%s", type);
	snprintf((char *)sa.salg_name, sizeof(sa.salg_name), "%s", name);
	tfm = socket(AF_ALG, SOCK_SEQPACKET, 0);
	if (tfm < 0)
		return -errno;
	if (bind(tfm, (struct sockaddr *)&sa, sizeof(sa)) ||
	    (key && setsockopt(tfm, SOL_ALG, ALG_SET_KEY, key, keylen))) {
		ret = -errno;
		goto out;
	}
	fd = accept(tfm, NULL, 0);
	if (fd < 0) {
		ret = -errno;
		goto out;
	}
	if (op >= 0) {
		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_ALG;
		cm->cmsg_type = ALG_SET_OP;
		cm->cmsg_len = CMSG_LEN(sizeof(uint32_t));
		memcpy(CMSG_DATA(cm), &(uint32_t){ (uint32_t)op },
		       sizeof(uint32_t));
	}
	if (sendmsg(fd, &mh, 0) != (ssize_t)inlen) {
		ret = -errno;
		goto out;
	}
	ret = read(fd, out, outlen) == (ssize_t)outlen ? 0 : -EIO;
out:
	if (fd >= 0)
		close(fd);
	close(tfm);
	return ret;
}

static inline int pk_sha256(const void *in, size_t len, uint8_t out[32])
{
	return pk_kcapi("hash", "sha256", NULL, 0, -1, in, len, out, 32);
}

static inline int pk_aes_ecb(const uint8_t *key, size_t keylen, int op,
			     const uint8_t *in, uint8_t *out, size_t len)
{
	return pk_kcapi("skcipher", "ecb(aes)", key, keylen, op, in, len, out,
			len);
}

/*
 * Sends @len bytes of @in to the AF_ALG skcipher operation socket @fd for
 * the operation @op (ALG_OP_ENCRYPT/ALG_OP_DECRYPT), with a 16-byte IV
 * holding @sector little-endian (dm-crypt's plain64). Return: what
 * sendmsg() returned, errno set by it.
 */
static inline ssize_t pk_alg_send_sector(int fd, uint32_t op, uint64_t sector,
					 const void *in, size_t len)
{
	char cbuf[CMSG_SPACE(sizeof(uint32_t)) +
		  CMSG_SPACE(sizeof(struct af_alg_iv) + 16)] = { 0 };
	struct iovec iov = { .iov_base = (void *)in, .iov_len = len };
	struct msghdr mh = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = cbuf,
		.msg_controllen = sizeof(cbuf),
	};
	struct af_alg_iv *iv;
	struct cmsghdr *cm;
	int i;

	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_ALG;
	cm->cmsg_type = ALG_SET_OP;
	cm->cmsg_len = CMSG_LEN(sizeof(uint32_t));
	memcpy(CMSG_DATA(cm), &op, sizeof(op));
	cm = CMSG_NXTHDR(&mh, cm);
	cm->cmsg_level = SOL_ALG;
	cm->cmsg_type = ALG_SET_IV;
	cm->cmsg_len = CMSG_LEN(sizeof(struct af_alg_iv) + 16);
	iv = (struct af_alg_iv *)CMSG_DATA(cm);
	iv->ivlen = 16;
	memset(iv->iv, 0, 16);
	for (i = 0; i < 8; i++)
		iv->iv[i] = (uint8_t)(sector >> (8 * i));
	return sendmsg(fd, &mh, 0);
}

static inline uint16_t pk_get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t pk_get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

#endif /* PROTKEY_SELFTEST_COMMON_H */
