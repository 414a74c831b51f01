/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers of the key-type and protkey-family selftests: an XTS secure key
 * made by the emulator from known clear keys, a live key object made by an
 * xts(paes) tfm through AF_ALG (no dm-crypt needed), keyctl through raw
 * syscalls (no libkeyutils) and a listener on the "events" group.
 */
#ifndef PROTKEY_SELFTEST_KEYOBJ_H
#define PROTKEY_SELFTEST_KEYOBJ_H

#include <poll.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <linux/keyctl.h>
#include <linux/protkey.h>
#include <linux/protkey_emu.h>

#include "common.h"

#define PKO_TOKEN 64
#define PKO_BLOB (2 * PKO_TOKEN)
#define PKO_DATA 4096
#define PKO_MAX_EVENTS 64

/* Raw keyctl(2) and add_key(2): no libkeyutils on the s390x image. */
static inline long pko_keyctl(int op, unsigned long a2, unsigned long a3,
			      unsigned long a4, unsigned long a5)
{
	long ret = syscall(SYS_keyctl, op, a2, a3, a4, a5);

	return ret < 0 ? -errno : ret;
}

static inline long pko_update(int32_t serial, const void *p, size_t len)
{
	return pko_keyctl(KEYCTL_UPDATE, serial, (unsigned long)p, len, 0);
}

static inline long pko_revoke(int32_t serial)
{
	return pko_keyctl(KEYCTL_REVOKE, serial, 0, 0, 0);
}

static inline long pko_read(int32_t serial, char *buf, size_t len)
{
	long ret;

	memset(buf, 0, len);
	ret = pko_keyctl(KEYCTL_READ, serial, (unsigned long)buf, len - 1, 0);
	return ret;
}

static inline long pko_add_key(const char *type, const char *desc,
			       const void *p, size_t len)
{
	long ret = syscall(SYS_add_key, type, desc, p, len,
			   KEY_SPEC_PROCESS_KEYRING);

	return ret < 0 ? -errno : ret;
}

/**
 * struct pko - one live key object and what made it
 * @emu: client of the protkey_emu family
 * @nl: client of the protkey family
 * @clear: the clear XTS key (key 1 then key 2), for the oracle
 * @blob: the secure key: two CCA AES DATA tokens
 * @vp: its verification pattern, computed by the kernel's xts(aes)
 * @tfm: AF_ALG xts(paes) socket holding the key (the tfm), or -1
 * @op: the accepted operation socket, or -1
 * @serial: the key's serial in .protkey
 */
struct pko {
	struct pk_nl emu;
	struct pk_nl nl;
	uint8_t clear[64];
	uint8_t blob[PKO_BLOB];
	uint8_t vp[PROTKEY_VP_SIZE];
	int tfm;
	int op;
	int32_t serial;
};

static inline int pko_emu(struct pko *k, uint8_t cmd, const struct pk_attr *a,
			  int n)
{
	return pk_nl_request(&k->emu, cmd, a, n);
}

/* Loads master key @fill (32 bytes of it) into NEW and activates it. */
static inline int pko_mk_change(struct pko *k, uint8_t fill)
{
	struct pk_attr mk[] = {
		{ .type = PROTKEY_EMU_A_MK,
		  .kind = PK_BYTES,
		  .len = 32,
		  .fill = fill },
	};
	int ret = pko_emu(k, PROTKEY_EMU_CMD_MK_LOAD, mk, 1);

	return ret ?: pko_emu(k, PROTKEY_EMU_CMD_MK_SET, NULL, 0);
}

/* Adapters online, no latency, no failures pending. */
static inline int pko_emu_normal(struct pko *k)
{
	struct pk_attr on[] = {
		{ .type = PROTKEY_EMU_A_ONLINE, .kind = PK_U8, .val = 1 },
	};
	struct pk_attr lat[] = {
		{ .type = PROTKEY_EMU_A_LATENCY_US, .kind = PK_U32, .val = 0 },
	};
	struct pk_attr fail[] = {
		{ .type = PROTKEY_EMU_A_FAIL_COUNT, .kind = PK_U32, .val = 0 },
		{ .type = PROTKEY_EMU_A_FAIL_ERRNO, .kind = PK_U32, .val = 5 },
	};

	return pko_emu(k, PROTKEY_EMU_CMD_ADAPTER_SET, on, 1)	       ?:
		       pko_emu(k, PROTKEY_EMU_CMD_SET_LATENCY, lat, 1) ?:
		       pko_emu(k, PROTKEY_EMU_CMD_FAIL_DERIVES, fail, 2);
}

/* A secure key of @clear (32 bytes) under the CURRENT master key. */
static inline int pko_generate(struct pko *k, const uint8_t *clear,
			       uint8_t token[PKO_TOKEN])
{
	struct pk_attr a[] = {
		{ .type = PROTKEY_EMU_A_KEY_BITS, .kind = PK_U32, .val = 256 },
		{ .type = PROTKEY_EMU_A_CLEAR_KEY,
		  .kind = PK_BYTES,
		  .len = 32,
		  .data = clear },
	};
	struct nlattr *tb[PROTKEY_EMU_A_MAX + 1];
	int ret = pko_emu(k, PROTKEY_EMU_CMD_KEY_GENERATE, a, 2);

	if (ret)
		return ret;
	if (pk_nl_reply_attrs(&k->emu, tb, PROTKEY_EMU_A_MAX) ||
	    !tb[PROTKEY_EMU_A_SECURE_KEY] ||
	    nla_len(tb[PROTKEY_EMU_A_SECURE_KEY]) != PKO_TOKEN)
		return -EBADMSG;
	memcpy(token, nla_data(tb[PROTKEY_EMU_A_SECURE_KEY]), PKO_TOKEN);
	return 0;
}

/* Both tokens of @blob re-enciphered from the OLD to the CURRENT MK. */
static inline int pko_reencipher(struct pko *k, const uint8_t *blob,
				 uint8_t out[PKO_BLOB])
{
	struct nlattr *tb[PROTKEY_EMU_A_MAX + 1];
	struct pk_attr a[2] = {
		{ .type = PROTKEY_EMU_A_SECURE_KEY,
		  .kind = PK_BYTES,
		  .len = PKO_TOKEN },
		{ .type = PROTKEY_EMU_A_RENC_MODE,
		  .kind = PK_U32,
		  .val = PROTKEY_EMU_RENC_OLD_TO_CURRENT },
	};
	int i, ret;

	for (i = 0; i < 2; i++) {
		a[0].data = blob + i * PKO_TOKEN;
		ret = pko_emu(k, PROTKEY_EMU_CMD_KEY_REENCIPHER, a, 2);
		if (ret)
			return ret;
		if (pk_nl_reply_attrs(&k->emu, tb, PROTKEY_EMU_A_MAX) ||
		    !tb[PROTKEY_EMU_A_SECURE_KEY])
			return -EBADMSG;
		memcpy(out + i * PKO_TOKEN,
		       nla_data(tb[PROTKEY_EMU_A_SECURE_KEY]), PKO_TOKEN);
	}
	return 0;
}

static inline int pko_migrate(struct pko *k, uint32_t outage_ms)
{
	struct pk_attr a[] = {
		{ .type = PROTKEY_EMU_A_OUTAGE_MS,
		  .kind = PK_U32,
		  .val = outage_ms },
	};

	return pko_emu(k, PROTKEY_EMU_CMD_MIGRATE, a, 1);
}

/* One operation on an AF_ALG skcipher socket: 4 KiB, IV = @sector LE. */
static inline int pko_crypt(int op, int enc, uint64_t sector, const void *in,
			    void *out)
{
	uint32_t dir = enc ? ALG_OP_ENCRYPT : ALG_OP_DECRYPT;
	ssize_t n;

	if (pk_alg_send_sector(op, dir, sector, in, PKO_DATA) != PKO_DATA)
		return -errno;
	n = read(op, out, PKO_DATA);
	if (n < 0)
		return -errno;
	return n == PKO_DATA ? 0 : -EIO;
}

/* Encrypts a pattern with the key object and decrypts it back. */
static inline int pko_check_io(struct pko *k, uint64_t sector)
{
	static uint8_t in[PKO_DATA], out[PKO_DATA], want[PKO_DATA];
	int i, ret;

	for (i = 0; i < PKO_DATA; i++)
		in[i] = (uint8_t)(i * 7 + sector);
	ret = pko_crypt(k->op, 1, sector, in, out);
	if (ret)
		return ret;
	ret = pko_crypt(k->op, 0, sector, out, want);
	if (ret)
		return ret;
	return memcmp(in, want, PKO_DATA) ? -EBADMSG : 0;
}

static inline bool pko_match_vp(struct nlattr **tb, const uint8_t *vp)
{
	return vp && tb[PROTKEY_A_VP] &&
	       nla_len(tb[PROTKEY_A_VP]) == PROTKEY_VP_SIZE &&
	       !memcmp(nla_data(tb[PROTKEY_A_VP]), vp, PROTKEY_VP_SIZE);
}

/* KEY_GET by vp: fills @tb from the reply (valid until the next request). */
static inline int pko_get(struct pko *k, struct nlattr **tb)
{
	struct pk_attr a[] = {
		{ .type = PROTKEY_A_VP,
		  .kind = PK_BYTES,
		  .len = PROTKEY_VP_SIZE,
		  .data = k->vp },
	};
	int ret = pk_nl_request(&k->nl, PROTKEY_CMD_KEY_GET, a, 1);

	if (ret)
		return ret;
	return pk_nl_reply_attrs(&k->nl, tb, PROTKEY_A_MAX);
}

/* The verification pattern: xts(aes) of 32 zero bytes, zero tweak. */
static inline int pko_vp(const uint8_t clear[64], uint8_t vp[32])
{
	static const uint8_t zero[32];
	struct sockaddr_alg sa = { .salg_family = AF_ALG,
				   .salg_type = "skcipher",
				   .salg_name = "xts(aes)" };
	int tfm, op, ret;

	tfm = socket(AF_ALG, SOCK_SEQPACKET, 0);
	if (tfm < 0)
		return -errno;
	ret = -errno;
	if (bind(tfm, (struct sockaddr *)&sa, sizeof(sa)) ||
	    setsockopt(tfm, SOL_ALG, ALG_SET_KEY, clear, 64))
		goto out;
	op = accept(tfm, NULL, 0);
	if (op < 0)
		goto out;
	{
		static uint8_t in[PKO_DATA], out[PKO_DATA];

		memcpy(in, zero, sizeof(zero));
		ret = pko_crypt(op, 1, 0, in, out);
		memcpy(vp, out, 32);
	}
	close(op);
out:
	close(tfm);
	return ret;
}

/*
 * A fresh master key @mk, a secure key of random-ish clear keys (@seed)
 * and an xts(paes) tfm that holds it: one live key object.
 */
static inline int pko_setup(struct pko *k, uint8_t mk, uint8_t seed)
{
	struct sockaddr_alg sa = { .salg_family = AF_ALG,
				   .salg_type = "skcipher",
				   .salg_name = "xts(paes)" };
	struct nlattr *tb[PROTKEY_A_MAX + 1];
	int i, ret;

	k->tfm = k->op = -1;
	ret = pk_nl_open(&k->emu, PROTKEY_EMU_FAMILY_NAME)    ?:
		      pk_nl_open(&k->nl, PROTKEY_FAMILY_NAME) ?:
		      pko_emu_normal(k)			      ?:
		      pko_mk_change(k, mk);
	if (ret)
		return ret;
	for (i = 0; i < 64; i++)
		k->clear[i] = (uint8_t)(seed * 31 + i * 13 + (getpid() & 0xff));
	ret = pko_generate(k, k->clear, k->blob)			  ?:
		      pko_generate(k, k->clear + 32, k->blob + PKO_TOKEN) ?:
		      pko_vp(k->clear, k->vp);
	if (ret)
		return ret;
	k->tfm = socket(AF_ALG, SOCK_SEQPACKET, 0);
	if (k->tfm < 0 || bind(k->tfm, (struct sockaddr *)&sa, sizeof(sa)) ||
	    setsockopt(k->tfm, SOL_ALG, ALG_SET_KEY, k->blob, PKO_BLOB))
		return -errno;
	k->op = accept(k->tfm, NULL, 0);
	if (k->op < 0)
		return -errno;
	ret = pko_get(k, tb);
	if (ret)
		return ret;
	if (!tb[PROTKEY_A_SERIAL])
		return -ENOKEY;
	k->serial = (int32_t)nla_get_u32(tb[PROTKEY_A_SERIAL]);
	return 0;
}

static inline void pko_teardown(struct pko *k)
{
	if (k->op >= 0)
		close(k->op);
	if (k->tfm >= 0)
		close(k->tfm);
	if (k->emu.sk)
		pko_emu_normal(k);
	pk_nl_close(&k->emu);
	pk_nl_close(&k->nl);
}

/* Runs @fn in a child as uid 65534 without capabilities; its result. */
static inline int pko_as_nobody(int (*fn)(void *), void *arg)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		if (pk_become_nobody())
			_exit(255);
		_exit(-fn(arg));
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -ECHILD;
	return -WEXITSTATUS(status);
}

/* Runs @fn in a child as root with every capability but CAP_SYS_ADMIN. */
static inline int pko_as_root_without_sys_admin(int (*fn)(void *), void *arg)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		if (pk_capset(((1ULL << (CAP_LAST_CAP + 1)) - 1) &
			      ~(1ULL << CAP_SYS_ADMIN)))
			_exit(255);
		_exit(-fn(arg));
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -ECHILD;
	return -WEXITSTATUS(status);
}

/**
 * struct pko_events - what a listener on "events" received
 * @sk: the listening socket
 * @n: number of events in @cmd/@vp/@val
 * @cmd: command of each event
 * @match: the event names the key being watched (its vp)
 * @latency_us: latency-us of a KEY_REDERIVED, else 0
 * @errno_: errno of a KEY_STALLED or KEY_FAILED, else 0
 * @cause: the platform's words of a KEY_STALLED or KEY_FAILED, else ""
 * @vp: the vp being watched (NULL: none, see pko_events_find())
 */
struct pko_events {
	struct nl_sock *sk;
	int n;
	uint8_t cmd[PKO_MAX_EVENTS];
	bool match[PKO_MAX_EVENTS];
	uint64_t latency_us[PKO_MAX_EVENTS];
	uint32_t errno_[PKO_MAX_EVENTS];
	char cause[PKO_MAX_EVENTS][128];
	const uint8_t *vp;
};

static inline int pko_event_cb(struct nl_msg *msg, void *arg)
{
	struct pko_events *ev = arg;
	struct nlattr *tb[PROTKEY_A_MAX + 1];
	struct genlmsghdr *gh = nlmsg_data(nlmsg_hdr(msg));

	if (ev->n >= PKO_MAX_EVENTS ||
	    genlmsg_parse(nlmsg_hdr(msg), 0, tb, PROTKEY_A_MAX, NULL))
		return NL_OK;
	ev->cmd[ev->n] = gh->cmd;
	ev->match[ev->n] = pko_match_vp(tb, ev->vp);
	ev->latency_us[ev->n] = tb[PROTKEY_A_LATENCY_US] ?
					nla_get_u64(tb[PROTKEY_A_LATENCY_US]) :
					0;
	ev->errno_[ev->n] =
		tb[PROTKEY_A_ERRNO] ? nla_get_u32(tb[PROTKEY_A_ERRNO]) : 0;
	if (tb[PROTKEY_A_CAUSE])
		snprintf(ev->cause[ev->n], sizeof(ev->cause[0]), "%s",
			 nla_get_string(tb[PROTKEY_A_CAUSE]));
	ev->n++;
	return NL_OK;
}

static inline int pko_events_open(struct pko_events *ev, const uint8_t *vp)
{
	int grp;

	memset(ev, 0, sizeof(*ev));
	ev->vp = vp;
	ev->sk = nl_socket_alloc();
	if (!ev->sk || genl_connect(ev->sk))
		return -EIO;
	grp = genl_ctrl_resolve_grp(ev->sk, PROTKEY_FAMILY_NAME,
				    PROTKEY_MCGRP_EVENTS);
	if (grp < 0)
		return -ENOENT;
	nl_socket_disable_seq_check(ev->sk);
	nl_socket_modify_cb(ev->sk, NL_CB_VALID, NL_CB_CUSTOM, pko_event_cb,
			    ev);
	if (nl_socket_add_membership(ev->sk, grp))
		return -EIO;
	return nl_socket_set_nonblocking(ev->sk) ? -EIO : 0;
}

/* Collects events for up to @ms milliseconds. */
static inline void pko_events_collect(struct pko_events *ev, int ms)
{
	struct pollfd p = { .fd = nl_socket_get_fd(ev->sk), .events = POLLIN };

	while (poll(&p, 1, ms) > 0)
		nl_recvmsgs_default(ev->sk);
}

/* Index of the first event @cmd whose cause has @text (any key), or -1. */
static inline int pko_events_find_cause(const struct pko_events *ev,
					uint8_t cmd, const char *text)
{
	int i;

	for (i = 0; i < ev->n; i++)
		if (ev->cmd[i] == cmd && strstr(ev->cause[i], text))
			return i;
	return -1;
}

/* Index of the first event @cmd about the watched key, or -1. */
static inline int pko_events_find(const struct pko_events *ev, uint8_t cmd,
				  bool any_key)
{
	int i;

	for (i = 0; i < ev->n; i++)
		if (ev->cmd[i] == cmd && (any_key || ev->match[i]))
			return i;
	return -1;
}

static inline void pko_events_close(struct pko_events *ev)
{
	if (ev->sk)
		nl_socket_free(ev->sk);
	ev->sk = NULL;
}

#endif /* PROTKEY_SELFTEST_KEYOBJ_H */
