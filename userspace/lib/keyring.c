// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kernel keyring side (libkeyutils): secure keys as "logon" keys
 * "protkey:<name>" for dm-crypt tables (":<bytes>:logon:protkey:<name>"),
 * in the user keyring (keyring add) or, for the load of one plain table,
 * in the thread keyring (pk_keyring_load_thread()); the live key objects
 * of protkey.ko (keys of type "protkey" in the ".protkey" keyring), listed
 * by the protkey netlink family's KEY_GET dump and updated with keyctl
 * update; and the verification pattern of a
 * secure key through the kernel's xts(paes) via AF_ALG.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/if_alg.h>

#include <keyutils.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>

#include <linux/protkey.h>

#include "protkey.h"

#ifndef SOL_ALG
#define SOL_ALG 279
#endif

/* Adds (or updates) logon key "protkey:<name>" in the user keyring. */
int pk_keyring_load(const char *name, const uint8_t *blob, size_t len,
		    int32_t *serial, struct pk_err *err)
{
	char desc[sizeof(PK_LOGON_PREFIX) + PK_NAME_MAX];
	key_serial_t k;

	snprintf(desc, sizeof(desc), PK_LOGON_PREFIX "%s", name);
	k = add_key("logon", desc, blob, len, KEY_SPEC_USER_KEYRING);
	if (k < 0)
		return pk_err_platform(err, -errno, "add logon key %s", desc);
	*serial = k;
	return 0;
}

/* Unlinks logon key "protkey:<name>" from the user keyring. */
int pk_keyring_unload(const char *name, struct pk_err *err)
{
	char desc[sizeof(PK_LOGON_PREFIX) + PK_NAME_MAX];
	long k;

	snprintf(desc, sizeof(desc), PK_LOGON_PREFIX "%s", name);
	k = keyctl_search(KEY_SPEC_USER_KEYRING, "logon", desc, 0);
	if (k < 0)
		return pk_err_set(err, -errno, "logon key %s", desc);
	if (keyctl_unlink((key_serial_t)k, KEY_SPEC_USER_KEYRING))
		return pk_err_platform(err, -errno, "unlink logon key %s",
				       desc);
	return 0;
}

/**
 * pk_keyring_load_thread() - logon key "protkey:<name>" for one table load
 * @name: the repository key's name
 * @blob: its secure key
 * @len: the blob's size
 * @serial: receives the key's serial, for pk_keyring_unload_thread()
 * @err: the error
 *
 * dm-crypt resolves a table's ":<bytes>:logon:<desc>" with request_key()
 * in the keyrings of the task that loads the table: its thread, process
 * and session keyrings, and the user keyring only through a session
 * keyring linked to it. A system service of systemd runs with a private
 * session keyring that is not linked to the user keyring
 * (KeyringMode=private, the default), so a key in the user keyring is
 * not found from there; the thread keyring is searched first by every
 * task. libcryptsetup loads a LUKS2 volume key into the thread keyring for
 * the table load and unlinks it afterwards, and so does protkeyctl:
 * dm-crypt copies the key into the mapping when the table is loaded, and
 * nothing needs the keyring's copy after that.
 *
 * Context: process; the thread that loads the table.
 * Return: 0, or a negative errno from add_key(2).
 */
int pk_keyring_load_thread(const char *name, const uint8_t *blob, size_t len,
			   int32_t *serial, struct pk_err *err)
{
	char desc[sizeof(PK_LOGON_PREFIX) + PK_NAME_MAX];
	key_serial_t k;

	snprintf(desc, sizeof(desc), PK_LOGON_PREFIX "%s", name);
	k = add_key("logon", desc, blob, len, KEY_SPEC_THREAD_KEYRING);
	if (k < 0)
		return pk_err_platform(err, -errno, "add logon key %s", desc);
	*serial = k;
	return 0;
}

/* Unlinks key @serial from the thread keyring; it is gone then. */
void pk_keyring_unload_thread(int32_t serial)
{
	keyctl_unlink(serial, KEY_SPEC_THREAD_KEYRING);
}

/* Whether logon key "protkey:<name>" is in the user keyring. */
bool pk_keyring_present(const char *name)
{
	char desc[sizeof(PK_LOGON_PREFIX) + PK_NAME_MAX];

	snprintf(desc, sizeof(desc), PK_LOGON_PREFIX "%s", name);
	return keyctl_search(KEY_SPEC_USER_KEYRING, "logon", desc, 0) >= 0;
}

void pk_live_keys_free(struct pk_live_key *keys, size_t n)
{
	(void)n;
	free(keys);
}

struct dump {
	int family;
	struct pk_live_key *v;
	size_t n;
	int ret;
	struct pk_err *err;
};

static int dump_part(struct nl_msg *msg, void *arg)
{
	struct dump *d = arg;
	struct pk_live_key k, *nv;

	if (d->ret)
		return NL_SKIP;
	d->ret = pk_key_state_parse(nlmsg_hdr(msg), d->family, &k, d->err);
	if (d->ret)
		return NL_SKIP;
	nv = realloc(d->v, (d->n + 1) * sizeof(*nv));
	if (!nv) {
		d->ret = pk_err_set(d->err, -ENOMEM, "listing key objects");
		return NL_SKIP;
	}
	d->v = nv;
	d->v[d->n++] = k;
	return NL_OK;
}

/*
 * The live key objects of protkey.ko, from the protkey family's KEY_GET
 * dump (open to every user, as /proc/keys is): each reply held to the
 * attribute policy (pk_key_state_parse()), nothing parsed out of text.
 */
int pk_keyring_list(struct pk_live_key **keys, size_t *n, struct pk_err *err)
{
	struct dump d = { .err = err };
	struct nl_sock *sk;
	struct nl_msg *msg = NULL;
	int ret;

	*keys = NULL;
	*n = 0;
	sk = nl_socket_alloc();
	if (!sk)
		return pk_err_set(err, -ENOMEM, "netlink socket");
	ret = genl_connect(sk);
	if (ret) {
		ret = pk_err_platform(err, -ENOTCONN, "generic netlink: %s",
				      nl_geterror(ret));
		goto out;
	}
	d.family = genl_ctrl_resolve(sk, PROTKEY_FAMILY_NAME);
	if (d.family < 0) {
		ret = pk_err_platform(
			err, -ENOENT,
			"no protkey netlink family (is protkey.ko loaded?)");
		goto out;
	}
	msg = nlmsg_alloc();
	if (!msg || !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, d.family, 0,
				 NLM_F_DUMP, PROTKEY_CMD_KEY_GET,
				 PROTKEY_FAMILY_VERSION)) {
		ret = pk_err_set(err, -ENOMEM, "netlink message");
		goto out;
	}
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, dump_part, &d);
	ret = nl_send_auto(sk, msg);
	ret = ret < 0 ? ret : nl_recvmsgs_default(sk);
	if (ret < 0 && !d.ret)
		d.ret = pk_err_platform(err, -EIO, "key-get dump: %s",
					nl_geterror(ret));
	ret = d.ret;
out:
	nlmsg_free(msg);
	nl_socket_free(sk);
	if (ret) {
		free(d.v);
		return ret;
	}
	*keys = d.v;
	*n = d.n;
	return 0;
}

/*
 * The verification pattern of XTS secure key @blob: the encryption of 32
 * zero bytes with a zero tweak by the kernel's xts(paes) (protkey.ko),
 * i.e. what the kernel uses as the key's identity and what zkey stores.
 */
int pk_vp_compute(const uint8_t *blob, size_t len, char vp_hex[PK_VP_HEX + 1],
		  struct pk_err *err)
{
	struct sockaddr_alg sa = { .salg_family = AF_ALG,
				   .salg_type = "skcipher",
				   .salg_name = "xts(paes)" };
	char cbuf[CMSG_SPACE(sizeof(uint32_t)) +
		  CMSG_SPACE(sizeof(struct af_alg_iv) + 16)] = { 0 };
	uint8_t zero[PK_VP_SIZE] = { 0 }, vp[PK_VP_SIZE];
	struct iovec iov = { .iov_base = zero, .iov_len = sizeof(zero) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct af_alg_iv *iv;
	struct cmsghdr *cm;
	int tfm, fd = -1, ret;

	tfm = socket(AF_ALG, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (tfm < 0)
		return pk_err_platform(err, -errno, "AF_ALG socket");
	if (bind(tfm, (struct sockaddr *)&sa, sizeof(sa))) {
		ret = pk_err_platform(
			err, -errno,
			"xts(paes) not available (is protkey.ko loaded?)");
		goto out;
	}
	if (setsockopt(tfm, SOL_ALG, ALG_SET_KEY, blob, (socklen_t)len)) {
		ret = pk_err_platform(err, -errno,
				      "xts(paes) refused the secure key");
		goto out;
	}
	fd = accept(tfm, NULL, 0);
	if (fd < 0) {
		ret = pk_err_platform(err, -errno, "AF_ALG accept");
		goto out;
	}
	mh.msg_control = cbuf;
	mh.msg_controllen = sizeof(cbuf);
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_ALG;
	cm->cmsg_type = ALG_SET_OP;
	cm->cmsg_len = CMSG_LEN(sizeof(uint32_t));
	*(uint32_t *)(void *)CMSG_DATA(cm) = ALG_OP_ENCRYPT;
	cm = CMSG_NXTHDR(&mh, cm);
	cm->cmsg_level = SOL_ALG;
	cm->cmsg_type = ALG_SET_IV;
	cm->cmsg_len = CMSG_LEN(sizeof(struct af_alg_iv) + 16);
	iv = (void *)CMSG_DATA(cm);
	iv->ivlen = 16;
	if (sendmsg(fd, &mh, 0) != (ssize_t)sizeof(zero) ||
	    read(fd, vp, sizeof(vp)) != (ssize_t)sizeof(vp)) {
		ret = pk_err_platform(err, -errno ? -errno : -EIO,
				      "xts(paes) encryption");
		goto out;
	}
	pk_hex_encode(vp, sizeof(vp), vp_hex);
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	close(tfm);
	return ret;
}

/**
 * pk_keyring_update_live() - give a live key object a re-enciphered key
 * @blob: the secure key, re-enciphered (the same effective key)
 * @len: its length
 * @vp: its verification pattern: the description of the object's key
 * @serial: receives the serial of the key that was updated
 * @err: error
 *
 * keyctl update on the "protkey" key whose description is @vp: protkey.ko
 * checks that @blob derives to the same key, then uses it for every later
 * re-derivation of the open mappings that share the object.
 *
 * Return: 0; -ENOENT when no live object has this pattern (no open
 * mapping uses the key; an invalidated one, not yet reaped, counts as
 * none); the kernel's error otherwise.
 */
int pk_keyring_update_live(const uint8_t *blob, size_t len, const char *vp,
			   int32_t *serial, struct pk_err *err)
{
	struct pk_live_key *keys;
	size_t n, i;
	int ret;

	ret = pk_keyring_list(&keys, &n, err);
	if (ret)
		return ret;
	for (i = 0; i < n && strcmp(keys[i].desc, vp); i++)
		;
	if (i == n)
		ret = pk_err_set(err, -ENOENT,
				 "no live key object with pattern %s", vp);
	else if (keyctl_update(keys[i].serial, blob, len))
		/* ENOKEY: invalidated (its last mapping closed), not reaped */
		ret = errno == ENOKEY ?
			      pk_err_set(err, -ENOENT,
					 "no live key object with pattern %s",
					 vp) :
			      pk_err_platform(err, -errno,
					      "keyctl update of key %d",
					      keys[i].serial);
	else
		*serial = keys[i].serial;
	pk_live_keys_free(keys, n);
	return ret;
}
