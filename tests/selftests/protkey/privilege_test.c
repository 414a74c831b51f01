// SPDX-License-Identifier: GPL-2.0-only
/*
 * S2 in one table: every admin and emulator operation refused to callers
 * without privilege, around one live key object (an xts(paes) tfm made
 * through AF_ALG on an emulator secure key, as keytype_test makes it).
 *
 * Each row is one operation and what the kernel answers each identity:
 *
 *  - "nobody": uid/gid 65534, no capabilities;
 *  - "root-no-sys-admin": uid 0 with every capability but CAP_SYS_ADMIN
 *    (so with CAP_NET_ADMIN and CAP_DAC_OVERRIDE), CAP_SYS_ADMIN also out
 *    of the bounding set so that protkeyctl cannot regain it at exec;
 *  - "nobody-on-root-socket": uid 65534 without capabilities sending on a
 *    netlink socket that root opened (netlink rows only).
 *
 * Each row runs in a child of its own; the line "# S2: <operation> | <as>
 * | expected <errno> | got <errno> | ok/FAIL" shows it, and the case fails
 * if any row differs. The rows that succeed are the reads that stay open to
 * everyone (key-get do and dump, keyctl read and describe, protkeyctl
 * keyring list): they must carry no secure key, which the row checks (the
 * key fields of both tokens, raw or in hex, anywhere in the reply). After
 * every table the case checks that nothing changed: the emulator's whole
 * get-state reply (wrapping-key generation, registers, adapters,
 * counters) and the key's whole key-get reply are byte for byte those
 * before the table, the key is valid and still does I/O.
 *
 * Every PROTKEY_CMD_* and PROTKEY_EMU_CMD_* has a row: a command added
 * without one fails the case. Module parameters get a row each, from the
 * directories: nobody may write none; uid 0 owns them, so root without
 * CAP_SYS_ADMIN writes the 0644 ones (the value they hold, so nothing
 * changes) and none of the 0444 ones: the file mode is their guard, as for
 * every module.
 *
 * Runs as root in the test VM with protkey.ko and protkey_emu.ko loaded.
 */
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "kselftest_harness.h"

#include "ctl.h"
#include "keyobj.h"

/* Who runs a row. */
enum as {
	AS_NOBODY,
	AS_ROOT_NO_SYS_ADMIN,
	AS_NOBODY_ROOT_SOCKET,
	N_AS,
};

static const char *const as_name[N_AS] = {
	[AS_NOBODY] = "nobody",
	[AS_ROOT_NO_SYS_ADMIN] = "root-no-sys-admin",
	[AS_NOBODY_ROOT_SOCKET] = "nobody-on-root-socket",
};

/* An expected result: a positive errno, OK, or NA (not run as that). */
#define OK 0
#define NA (-1)
/* A protkeyctl exit status other than 0 and 6, as a result. */
#define CTL_EXIT(n) (1000 + (n))

#define MAX_PARAMS 32
#define NOTE_LEN 96

/* What a row names in the key object's ids. */
enum sel {
	SEL_NONE,
	SEL_VP,
	SEL_SERIAL,
};

/* The keyctl operations of the key-type table. */
enum kop {
	K_UPDATE,
	K_REVOKE,
	K_INVALIDATE,
	K_READ,
	K_DESCRIBE,
	K_SETPERM,
	K_CHOWN,
	K_TIMEOUT,
	K_LINK,
	K_UNLINK,
	K_CLEAR,
	K_ADD_KEY,
	K_ADD_INTO_RING,
};

struct env;
struct row;

/**
 * struct row - one operation
 * @name: what the table prints
 * @fn: does it in the child; 0 or a negative errno (or -CTL_EXIT(n))
 * @exp: per &enum as: the positive errno expected, OK, or NA
 * @arg: the command or &enum kop
 * @sel: for netlink rows: which id of the key the request carries
 * @attrs: for emulator rows: the request's attributes
 * @argv: for protkeyctl rows: its arguments, NULL-terminated
 */
struct row {
	const char *name;
	int (*fn)(struct env *e, const struct row *r, char *note);
	int exp[N_AS];
	int arg;
	enum sel sel;
	struct pk_attr attrs[3];
	const char *argv[8];
};

/**
 * struct env - what a row's child needs
 * @k: the key object (serial, vp, blob); its sockets are the parent's
 * @ring: serial of the .protkey keyring
 * @nl: the child's protkey client
 * @emu: the child's protkey_emu client
 * @ctl: the protkeyctl binary, "" when absent and not expected
 * @param: a parameter row's file
 * @param_val: the value it holds
 */
struct env {
	struct pko *k;
	int32_t ring;
	struct pk_nl nl;
	struct pk_nl emu;
	char ctl[256];
	char param[256];
	char param_val[256];
};

/* What a row's child reports. */
struct res {
	int err;
	char note[NOTE_LEN];
};

static const char *err_name(int e, char *buf, size_t len)
{
	static const struct {
		int e;
		const char *name;
	} names[] = {
		{ OK, "OK" },
		{ EPERM, "EPERM" },
		{ EACCES, "EACCES" },
		{ EOPNOTSUPP, "EOPNOTSUPP" },
		{ EINVAL, "EINVAL" },
		{ ERANGE, "ERANGE" },
		{ ENOENT, "ENOENT" },
		{ ENODEV, "ENODEV" },
		{ EIO, "EIO" },
		{ EBADMSG, "EBADMSG" },
		{ EKEYREVOKED, "EKEYREVOKED" },
		{ EEXIST, "EEXIST" },
		{ ENOKEY, "ENOKEY" },
		{ ECHILD, "ECHILD" },
		{ EROFS, "EROFS" },
		{ ENOMSG, "ENOMSG" },
	};
	size_t i;

	if (e >= CTL_EXIT(0)) {
		snprintf(buf, len, "exit %d", e - CTL_EXIT(0));
		return buf;
	}
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].e == e)
			return names[i].name;
	snprintf(buf, len, "errno %d", e);
	return buf;
}

/* True when @len bytes at @p hold a key field of either token. */
static bool has_key_field(const struct pko *k, const void *p, size_t len)
{
	int i;

	for (i = 0; i < 2; i++)
		if (memmem(p, len, k->blob + i * PKO_TOKEN + 16, 32))
			return true;
	return false;
}

/* The same in hex, either case: for text replies. */
static bool has_key_field_hex(const struct pko *k, const char *text)
{
	char hex[65];
	int i, j;

	for (i = 0; i < 2; i++) {
		for (j = 0; j < 32; j++)
			sprintf(hex + 2 * j, "%02x",
				k->blob[i * PKO_TOKEN + 16 + j]);
		if (strcasestr(text, hex))
			return true;
	}
	return false;
}

/* The key's id the row names, as the request's attribute. */
static int sel_attr(const struct env *e, enum sel sel, struct pk_attr *a)
{
	memset(a, 0, sizeof(*a));
	if (sel == SEL_VP) {
		a->type = PROTKEY_A_VP;
		a->kind = PK_BYTES;
		a->len = PROTKEY_VP_SIZE;
		a->data = e->k->vp;
		return 1;
	}
	if (sel == SEL_SERIAL) {
		a->type = PROTKEY_A_SERIAL;
		a->kind = PK_U32;
		a->val = (uint32_t)e->k->serial;
		return 1;
	}
	return 0;
}

/* A protkey request; a reply must not carry the secure key. */
static int fn_nl(struct env *e, const struct row *r, char *note)
{
	struct nlmsghdr *nlh;
	struct pk_attr a;
	int n = sel_attr(e, r->sel, &a);
	int ret = pk_nl_request(&e->nl, r->arg, &a, n);

	if (e->nl.msg[0])
		snprintf(note, NOTE_LEN, "%.*s", NOTE_LEN - 1, e->nl.msg);
	if (ret || !e->nl.reply)
		return ret;
	nlh = nlmsg_hdr(e->nl.reply);
	if (has_key_field(e->k, nlh, nlh->nlmsg_len)) {
		strcpy(note, "secure key in the reply");
		return -EBADMSG;
	}
	return 0;
}

struct dump {
	const struct pko *k;
	int msgs;
	bool leak;
	bool found;
};

static int dump_cb(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[PROTKEY_A_MAX + 1];
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct dump *d = arg;

	d->msgs++;
	d->leak = d->leak || has_key_field(d->k, nlh, nlh->nlmsg_len);
	if (!genlmsg_parse(nlh, 0, tb, PROTKEY_A_MAX, NULL) &&
	    pko_match_vp(tb, d->k->vp))
		d->found = true;
	return NL_OK;
}

/* key-get dump: must list the key, without its secure key. */
static int fn_dump(struct env *e, const struct row *r, char *note)
{
	struct dump d = { .k = e->k };
	struct nl_msg *msg = nlmsg_alloc();
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	int ret = -EIO;

	if (!msg || !cb ||
	    !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, e->nl.family, 0,
			 NLM_F_DUMP, r->arg, 1))
		goto out;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, dump_cb, &d);
	if (nl_send_auto(e->nl.sk, msg) < 0)
		goto out;
	ret = nl_recvmsgs(e->nl.sk, cb);
	if (ret < 0) {
		/* libnl's errors: only a refusal matters here */
		ret = ret == -NLE_PERM ? -EPERM : -EIO;
		goto out;
	}
	ret = 0;
	if (d.leak) {
		strcpy(note, "secure key in the dump");
		ret = -EBADMSG;
	} else if (!d.found) {
		snprintf(note, NOTE_LEN, "key not in the dump (%d messages)",
			 d.msgs);
		ret = -ENOKEY;
	}
out:
	nlmsg_free(msg);
	nl_cb_put(cb);
	return ret;
}

/* Joins "events" on the child's socket. */
static int fn_join(struct env *e, const struct row *r, char *note)
{
	int grp = genl_ctrl_resolve_grp(e->nl.sk, PROTKEY_FAMILY_NAME,
					PROTKEY_MCGRP_EVENTS);

	(void)r;
	(void)note;
	if (grp < 0)
		return -ENOENT;
	return setsockopt(nl_socket_get_fd(e->nl.sk), SOL_NETLINK,
			  NETLINK_ADD_MEMBERSHIP, &grp, sizeof(grp)) ?
		       -errno :
		       0;
}

/* A protkey_emu request with the row's attributes. */
static int fn_emu(struct env *e, const struct row *r, char *note)
{
	int ret = pk_nl_request(&e->emu, r->arg, r->attrs, 3);

	if (e->emu.msg[0])
		snprintf(note, NOTE_LEN, "%.*s", NOTE_LEN - 1, e->emu.msg);
	return ret;
}

/* A keyctl operation on the key (or .protkey). */
static int fn_key(struct env *e, const struct row *r, char *note)
{
	int32_t s = e->k->serial;
	char desc[2 * PROTKEY_VP_SIZE + 1], buf[2048];
	long ret;
	int i;

	switch (r->arg) {
	case K_UPDATE:
		/* the key's own blob: what an administrator's update does */
		return pko_update(s, e->k->blob, PKO_BLOB);
	case K_REVOKE:
		return pko_revoke(s);
	case K_INVALIDATE:
		return pko_keyctl(KEYCTL_INVALIDATE, s, 0, 0, 0);
	case K_READ:
		ret = pko_read(s, buf, sizeof(buf));
		if (ret < 0)
			return ret;
		if (!strstr(buf, "state: valid")) {
			snprintf(note, NOTE_LEN,
				 "no \"state: valid\" in %ld bytes", ret);
			return -ENOMSG;
		}
		if (has_key_field(e->k, buf, ret) ||
		    has_key_field_hex(e->k, buf)) {
			strcpy(note, "secure key in the text");
			return -EBADMSG;
		}
		return 0;
	case K_DESCRIBE:
		ret = pko_keyctl(KEYCTL_DESCRIBE, s, (unsigned long)buf,
				 sizeof(buf) - 1, 0);
		if (ret < 0)
			return ret;
		buf[ret < (long)sizeof(buf) ? ret : (long)sizeof(buf) - 1] = 0;
		return strncmp(buf, "protkey;", 8) ? -ENOMSG : 0;
	case K_SETPERM:
		return pko_keyctl(KEYCTL_SETPERM, s, 0x3f3f3f3f, 0, 0);
	case K_CHOWN:
		return pko_keyctl(KEYCTL_CHOWN, s, 65534, 65534, 0);
	case K_TIMEOUT:
		return pko_keyctl(KEYCTL_SET_TIMEOUT, s, 1, 0, 0);
	case K_LINK:
		return pko_keyctl(KEYCTL_LINK, s, KEY_SPEC_PROCESS_KEYRING, 0,
				  0);
	case K_UNLINK:
		return pko_keyctl(KEYCTL_UNLINK, s, e->ring, 0, 0);
	case K_CLEAR:
		return pko_keyctl(KEYCTL_CLEAR, e->ring, 0, 0, 0);
	case K_ADD_KEY:
		return pko_add_key("protkey", "s2", e->k->blob, PKO_BLOB);
	case K_ADD_INTO_RING:
		/* same type and description in .protkey: an update */
		for (i = 0; i < PROTKEY_VP_SIZE; i++)
			sprintf(desc + 2 * i, "%02x", e->k->vp[i]);
		ret = syscall(SYS_add_key, "protkey", desc, e->k->blob,
			      PKO_BLOB, e->ring);
		return ret < 0 ? -errno : 0;
	default:
		return -EINVAL;
	}
}

/* Writes the parameter's own value back to it. */
static int fn_param(struct env *e, const struct row *r, char *note)
{
	size_t len = strlen(e->param_val);
	ssize_t n;
	int fd;

	(void)r;
	(void)note;
	fd = open(e->param, O_WRONLY);
	if (fd < 0)
		return -errno;
	n = write(fd, e->param_val, len);
	if (n < 0) {
		n = -errno;
		close(fd);
		return (int)n;
	}
	close(fd);
	return n == (ssize_t)len ? 0 : -EIO;
}

/*
 * protkeyctl with the row's arguments. Exit 6 (permission denied) is EPERM
 * or EACCES by its message; exit 0 is OK; others are CTL_EXIT(n).
 */
static int fn_ctl(struct env *e, const struct row *r, char *note)
{
	static char out[PK_OUT_LEN];
	const char *const *a = r->argv;
	char *nl;
	int rc;

	rc = pk_run(out, sizeof(out), e->ctl, a[0], a[1], a[2], a[3], a[4],
		    a[5], a[6], NULL);
	if (has_key_field(e->k, out, strlen(out)) ||
	    has_key_field_hex(e->k, out)) {
		strcpy(note, "secure key in the output");
		return -EBADMSG;
	}
	nl = strchr(out, '\n');
	if (nl)
		*nl = '\0';
	snprintf(note, NOTE_LEN, "%.*s", NOTE_LEN - 1, out);
	if (rc == 0)
		return 0;
	if (rc == 6 && strstr(out, strerror(EPERM)))
		return -EPERM;
	if (rc == 6 && strstr(out, strerror(EACCES)))
		return -EACCES;
	return -CTL_EXIT(rc);
}

/* Becomes @as; for the root socket, opens the sockets first. */
static int become(struct env *e, enum as as)
{
	int ret;

	if (as == AS_NOBODY_ROOT_SOCKET) {
		ret = pk_nl_open(&e->nl, PROTKEY_FAMILY_NAME) ?:
			      pk_nl_open(&e->emu, PROTKEY_EMU_FAMILY_NAME);
		return ret ?: pk_become_nobody();
	}
	if (as == AS_NOBODY)
		ret = pk_become_nobody();
	else if (prctl(PR_CAPBSET_DROP, CAP_SYS_ADMIN, 0, 0, 0))
		ret = -errno;
	else
		ret = pk_capset(((1ULL << (CAP_LAST_CAP + 1)) - 1) &
				~(1ULL << CAP_SYS_ADMIN));
	if (ret)
		return ret;
	return pk_nl_open(&e->nl, PROTKEY_FAMILY_NAME) ?:
		       pk_nl_open(&e->emu, PROTKEY_EMU_FAMILY_NAME);
}

/* Runs row @r as @as in a child. */
static void run_row(struct env *e, const struct row *r, enum as as,
		    struct res *res)
{
	int pfd[2], status;
	pid_t pid;

	memset(res, 0, sizeof(*res));
	res->err = ECHILD;
	if (pipe(pfd))
		return;
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == 0) {
		struct res c = { 0 };
		int ret;

		close(pfd[0]);
		ret = become(e, as);
		if (ret)
			snprintf(c.note, sizeof(c.note), "cannot become %s",
				 as_name[as]);
		else
			ret = r->fn(e, r, c.note);
		c.err = -ret;
		if (write(pfd[1], &c, sizeof(c)) != sizeof(c))
			_exit(2);
		_exit(0);
	}
	close(pfd[1]);
	if (pid > 0 && read(pfd[0], res, sizeof(*res)) != sizeof(*res))
		res->err = ECHILD;
	close(pfd[0]);
	if (pid > 0 && (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
			WEXITSTATUS(status)))
		res->err = ECHILD;
}

/* Runs and prints every row of @rows; the number that differ. */
static int run_table(struct env *e, const struct row *rows, int n,
		     const char *what)
{
	char b1[32], b2[32];
	int i, as, bad = 0;
	struct res res;

	for (i = 0; i < n; i++) {
		for (as = 0; as < N_AS; as++) {
			const struct row *r = &rows[i];
			bool ok;

			if (r->exp[as] == NA)
				continue;
			run_row(e, r, as, &res);
			ok = res.err == r->exp[as];
			bad += !ok;
			printf("# S2: %s %s | %s | expected %s | got %s | %s%s%s\n",
			       what, r->name, as_name[as],
			       err_name(r->exp[as], b1, sizeof(b1)),
			       err_name(res.err, b2, sizeof(b2)),
			       ok ? "ok" : "FAIL", res.note[0] ? " | " : "",
			       res.note);
		}
	}
	fflush(stdout);
	return bad;
}

/* Whether some row of @rows runs @fn with command @cmd. */
static bool has_row(const struct row *rows, int n,
		    int (*fn)(struct env *, const struct row *, char *),
		    int cmd)
{
	int i;

	for (i = 0; i < n; i++)
		if (rows[i].fn == fn && rows[i].arg == cmd)
			return true;
	return false;
}

/* clang-format off */
#define ALL(e) { e, e, e }
#define NO_SOCK(e1, e2) { e1, e2, NA }

#define NL_ROW(n, f, e, c, s) \
	{ .name = n, .fn = f, .exp = e, .arg = c, .sel = s }
#define EMU_ROW(c, ...) \
	{ .name = #c, .fn = fn_emu, .exp = ALL(EPERM), \
	  .arg = PROTKEY_EMU_CMD_##c, .attrs = { __VA_ARGS__ } }
#define KEY_ROW(n, e1, e2, op) \
	{ .name = n, .fn = fn_key, .exp = NO_SOCK(e1, e2), .arg = op }
#define CTL_ROW(n, e1, e2, ...) \
	{ .name = n, .fn = fn_ctl, .exp = NO_SOCK(e1, e2), \
	  .argv = { __VA_ARGS__ } }

/* The protkey family: key-get stays open, admin commands do not. */
static const struct row protkey_rows[] = {
	NL_ROW("key-get by vp", fn_nl, ALL(OK), PROTKEY_CMD_KEY_GET, SEL_VP),
	NL_ROW("key-get by serial", fn_nl, ALL(OK), PROTKEY_CMD_KEY_GET,
	       SEL_SERIAL),
	NL_ROW("key-get dump", fn_dump, ALL(OK), PROTKEY_CMD_KEY_GET,
	       SEL_NONE),
	NL_ROW("key-rederive by vp", fn_nl, ALL(EPERM),
	       PROTKEY_CMD_KEY_REDERIVE, SEL_VP),
	NL_ROW("key-rederive every key", fn_nl, ALL(EPERM),
	       PROTKEY_CMD_KEY_REDERIVE, SEL_NONE),
	NL_ROW("key-revoke by serial", fn_nl, ALL(EPERM),
	       PROTKEY_CMD_KEY_REVOKE, SEL_SERIAL),
	NL_ROW("key-revoke by vp", fn_nl, ALL(EPERM), PROTKEY_CMD_KEY_REVOKE,
	       SEL_VP),
	/* notifications only: no request handler */
	NL_ROW("wk-changed as a request", fn_nl, ALL(EOPNOTSUPP),
	       PROTKEY_CMD_WK_CHANGED, SEL_NONE),
	NL_ROW("key-rederived as a request", fn_nl, ALL(EOPNOTSUPP),
	       PROTKEY_CMD_KEY_REDERIVED, SEL_VP),
	NL_ROW("key-stalled as a request", fn_nl, ALL(EOPNOTSUPP),
	       PROTKEY_CMD_KEY_STALLED, SEL_VP),
	NL_ROW("key-failed as a request", fn_nl, ALL(EOPNOTSUPP),
	       PROTKEY_CMD_KEY_FAILED, SEL_VP),
	NL_ROW("key-needs-reencipher as a request", fn_nl, ALL(EOPNOTSUPP),
	       PROTKEY_CMD_KEY_NEEDS_REENCIPHER, SEL_VP),
	NL_ROW("join events", fn_join, ALL(EPERM), 0, SEL_NONE),
};

/*
 * The protkey_emu family: every command, with attributes it would act on
 * for an administrator.
 */
static const struct row emu_rows[] = {
	EMU_ROW(GET_STATE, {}),
	EMU_ROW(MK_LOAD, PKE_FILL(PROTKEY_EMU_A_MK, 0x5a, 32)),
	EMU_ROW(MK_SET, {}),
	EMU_ROW(MK_CLEAR, PKE_U32(PROTKEY_EMU_A_MK_REG, PROTKEY_EMU_MK_OLD)),
	EMU_ROW(KEY_GENERATE, PKE_U32(PROTKEY_EMU_A_KEY_BITS, 256),
		PKE_FILL(PROTKEY_EMU_A_CLEAR_KEY, 0x11, 32)),
	EMU_ROW(KEY_REENCIPHER, PKE_FILL(PROTKEY_EMU_A_SECURE_KEY, 0, 64),
		PKE_U32(PROTKEY_EMU_A_RENC_MODE, 1)),
	EMU_ROW(MIGRATE, PKE_U32(PROTKEY_EMU_A_OUTAGE_MS, 0)),
	EMU_ROW(ADAPTER_SET, PKE_U8(PROTKEY_EMU_A_ONLINE, 0)),
	EMU_ROW(SET_LATENCY, PKE_U32(PROTKEY_EMU_A_LATENCY_US, 5)),
	EMU_ROW(FAIL_DERIVES, PKE_U32(PROTKEY_EMU_A_FAIL_COUNT, 1),
		PKE_U32(PROTKEY_EMU_A_FAIL_ERRNO, 5)),
	EMU_ROW(RESET_COUNTERS, {}),
	EMU_ROW(KM_PARTIAL, PKE_U32(PROTKEY_EMU_A_KM_PARTIAL_CALLS, 1),
		PKE_U32(PROTKEY_EMU_A_KM_PARTIAL_BLOCKS, 1)),
	EMU_ROW(SET_BUSY, PKE_U32(PROTKEY_EMU_A_BUSY_COUNT, 1)),
	EMU_ROW(MK_COMMIT, {}),
	EMU_ROW(SE_SET, PKE_U8(PROTKEY_EMU_A_SE_GUEST, 1)),
	EMU_ROW(SE_BIND, PKE_U32(PROTKEY_EMU_A_APQN, 1),
		PKE_U8(PROTKEY_EMU_A_SE_BIND, 1)),
	EMU_ROW(SE_ASSOCIATE, PKE_U32(PROTKEY_EMU_A_APQN, 1),
		PKE_U32(PROTKEY_EMU_A_SECRET_IDX, 0)),
	EMU_ROW(UV_ADD, PKE_FILL(PROTKEY_EMU_A_UV_REQUEST, 0, 160)),
	EMU_ROW(UV_LIST, {}),
	EMU_ROW(UV_LOCK, {}),
	EMU_ROW(UV_RETRIEVE, PKE_U32(PROTKEY_EMU_A_SECRET_IDX, 0)),
	EMU_ROW(GUEST_REBOOT, {}),
	EMU_ROW(KEY_DERIVE, PKE_FILL(PROTKEY_EMU_A_SECURE_KEY, 0, 64)),
};

/*
 * keyctl on the key and on .protkey. Keys carry view+read+write for their
 * owner uid 0, view+read for others, search for possessors only (nobody
 * in user space), setattr and link for nobody; KEY_FLAG_KEEP on the key
 * and the keyring (keytype.c).
 */
static const struct row key_rows[] = {
	KEY_ROW("update with its own blob", EACCES, EPERM, K_UPDATE),
	KEY_ROW("revoke", EACCES, EPERM, K_REVOKE),
	KEY_ROW("invalidate", EACCES, EACCES, K_INVALIDATE),
	KEY_ROW("read (state, no blob)", OK, OK, K_READ),
	KEY_ROW("describe", OK, OK, K_DESCRIBE),
	KEY_ROW("setperm", EACCES, EACCES, K_SETPERM),
	KEY_ROW("chown to 65534", EACCES, EACCES, K_CHOWN),
	KEY_ROW("set_timeout", EACCES, EACCES, K_TIMEOUT),
	KEY_ROW("link into the process keyring", EACCES, EACCES, K_LINK),
	KEY_ROW("unlink from .protkey", EACCES, EACCES, K_UNLINK),
	KEY_ROW("clear .protkey", EACCES, EACCES, K_CLEAR),
	KEY_ROW("add_key of type protkey", EPERM, EPERM, K_ADD_KEY),
	KEY_ROW("add_key into .protkey (update by description)", EACCES,
		EACCES, K_ADD_INTO_RING),
};

#define NEW_MK_HEX \
	"5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a"

/*
 * protkeyctl as the administrator's tool, run without the privilege. Not
 * here: key generate, which goes through /dev/pkey, open to every user as
 * pkey's device is (mode 0666, pkeydev_test); the repository's file modes
 * decide who may store a key.
 */
static const struct row ctl_rows[] = {
	CTL_ROW("emu state", EPERM, EPERM, "emu", "state"),
	CTL_ROW("emu mk-load", EPERM, EPERM, "emu", "mk-load", NEW_MK_HEX),
	CTL_ROW("emu mk-set", EPERM, EPERM, "emu", "mk-set"),
	CTL_ROW("emu migrate", EPERM, EPERM, "emu", "migrate"),
	CTL_ROW("emu adapter off", EPERM, EPERM, "emu", "adapter", "off"),
	CTL_ROW("emu latency", EPERM, EPERM, "emu", "latency", "5"),
	CTL_ROW("monitor (joins events)", EPERM, EPERM, "monitor", "--count",
		"1", "--timeout", "2"),
	CTL_ROW("keyring list (open to all)", OK, OK, "keyring", "list"),
};

/* clang-format on */

#define N_ROWS(t) ((int)(sizeof(t) / sizeof((t)[0])))

/* A reply's attributes, for a byte-for-byte comparison. */
struct snap {
	uint8_t buf[8192];
	int len;
};

static int snap_reply(struct pk_nl *nl, struct snap *s)
{
	struct nlmsghdr *nlh;
	int len;

	s->len = 0;
	if (!nl->reply)
		return -ENOMSG;
	nlh = nlmsg_hdr(nl->reply);
	len = genlmsg_attrlen(nlmsg_data(nlh), 0);
	if (len < 0 || len > (int)sizeof(s->buf))
		return -EMSGSIZE;
	memcpy(s->buf, genlmsg_attrdata(nlmsg_data(nlh), 0), len);
	s->len = len;
	return 0;
}

/* The emulator's get-state and the key's key-get, as they are now. */
static int snap_all(struct pko *k, struct snap *emu, struct snap *key)
{
	struct nlattr *tb[PROTKEY_A_MAX + 1];
	int ret;

	ret = PKE_REQ0(&k->emu, PROTKEY_EMU_CMD_GET_STATE) ?:
		      snap_reply(&k->emu, emu);
	return ret ?: pko_get(k, tb) ?: snap_reply(&k->nl, key);
}

/* Entries of @dir but dot files (.lock stays), -1 when unreadable. */
static int pk_dir_files(const char *dir)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

/* The .protkey keyring's serial, from /proc/keys. */
static int32_t find_ring(void)
{
	char line[512];
	unsigned int serial;
	int32_t ring = 0;
	FILE *f = fopen("/proc/keys", "r");

	if (!f)
		return 0;
	while (!ring && fgets(line, sizeof(line), f))
		if (strstr(line, " keyring ") && strstr(line, " .protkey:") &&
		    sscanf(line, "%x", &serial) == 1)
			ring = (int32_t)serial;
	fclose(f);
	return ring;
}

FIXTURE(priv)
{
	struct pko k;
	struct env e;
	struct snap emu0, key0;
	char repo[64];
};

FIXTURE_SETUP(priv)
{
	self->repo[0] = '\0';
	ASSERT_EQ(0, pko_setup(&self->k, 0x53, 7));
	self->e.k = &self->k;
	self->e.ring = find_ring();
	ASSERT_NE(0, self->e.ring) TH_LOG("no .protkey in /proc/keys");
	ASSERT_EQ(0, snap_all(&self->k, &self->emu0, &self->key0));
}

FIXTURE_TEARDOWN(priv)
{
	pk_rm_rf(self->repo);
	pko_teardown(&self->k);
}

/* After a table: nothing changed, the key is valid and does I/O. */
static void check_unchanged(struct __test_metadata *_metadata,
			    FIXTURE_DATA(priv) * self)
{
	struct nlattr *tb[PROTKEY_A_MAX + 1];
	struct snap emu, key;

	ASSERT_EQ(0, snap_all(&self->k, &emu, &key));
	EXPECT_EQ(self->emu0.len, emu.len);
	EXPECT_EQ(0, memcmp(self->emu0.buf, emu.buf, emu.len))
	TH_LOG("the emulator's state changed (get-state differs)");
	EXPECT_EQ(self->key0.len, key.len);
	EXPECT_EQ(0, memcmp(self->key0.buf, key.buf, key.len))
	TH_LOG("the key object changed (key-get differs)");
	ASSERT_EQ(0, pko_get(&self->k, tb));
	ASSERT_NE(NULL, tb[PROTKEY_A_STATE]);
	EXPECT_EQ(PROTKEY_STATE_VALID, nla_get_u32(tb[PROTKEY_A_STATE]));
	EXPECT_EQ(0, pko_check_io(&self->k, 5));
	printf("# S2: after the table: emulator state %s, key %s, I/O %s\n",
	       self->emu0.len == emu.len &&
			       !memcmp(self->emu0.buf, emu.buf, emu.len) ?
		       "unchanged" :
		       "CHANGED",
	       self->key0.len == key.len &&
			       !memcmp(self->key0.buf, key.buf, key.len) ?
		       "unchanged" :
		       "CHANGED",
	       pko_check_io(&self->k, 6) ? "FAILS" : "works");
	fflush(stdout);
}

TEST_F_TIMEOUT(priv, protkey_family, 120)
{
	int cmd;

	for (cmd = 1; cmd <= PROTKEY_CMD_MAX; cmd++) {
		bool has =
			has_row(protkey_rows, N_ROWS(protkey_rows), fn_nl, cmd);

		EXPECT_TRUE(has) TH_LOG("PROTKEY_CMD %d has no row", cmd);
	}
	EXPECT_EQ(0, run_table(&self->e, protkey_rows, N_ROWS(protkey_rows),
			       "protkey"));
	check_unchanged(_metadata, self);
}

TEST_F_TIMEOUT(priv, emu_family, 120)
{
	int cmd;

	for (cmd = 1; cmd <= PROTKEY_EMU_CMD_MAX; cmd++) {
		bool has = has_row(emu_rows, N_ROWS(emu_rows), fn_emu, cmd);

		EXPECT_TRUE(has) TH_LOG("PROTKEY_EMU_CMD %d has no row", cmd);
	}
	EXPECT_EQ(0, run_table(&self->e, emu_rows, N_ROWS(emu_rows),
			       "protkey_emu"));
	check_unchanged(_metadata, self);
}

TEST_F_TIMEOUT(priv, key_type, 120)
{
	EXPECT_EQ(0, run_table(&self->e, key_rows, N_ROWS(key_rows), "keyctl"));
	check_unchanged(_metadata, self);
}

/*
 * One row per file of the modules' parameter directories: nobody writes
 * none; root without CAP_SYS_ADMIN the ones whose mode lets uid 0 write.
 */
TEST_F_TIMEOUT(priv, module_params, 120)
{
	static const char *const dirs[] = {
		"/sys/module/protkey/parameters",
		"/sys/module/protkey_emu/parameters",
	};
	static char names[MAX_PARAMS][128], vals[MAX_PARAMS][256];
	struct row row = { .fn = fn_param };
	int d, i, n = 0, bad = 0;

	for (d = 0; d < 2; d++) {
		struct dirent *de;
		DIR *dir = opendir(dirs[d]);

		ASSERT_NE(NULL, dir) TH_LOG("%s: %m", dirs[d]);
		while ((de = readdir(dir))) {
			char name[64];
			struct stat st;

			if (de->d_name[0] == '.')
				continue;
			ASSERT_LT(n, MAX_PARAMS);
			snprintf(self->e.param, sizeof(self->e.param),
				 "%s/%.64s", dirs[d], de->d_name);
			ASSERT_EQ(0, stat(self->e.param, &st));
			ASSERT_EQ(0,
				  pk_read_file(self->e.param, self->e.param_val,
					       sizeof(self->e.param_val)));
			snprintf(names[n], sizeof(names[n]), "%.*s",
				 (int)sizeof(names[n]) - 1, self->e.param);
			snprintf(vals[n], sizeof(vals[n]), "%.*s",
				 (int)sizeof(vals[n]) - 1, self->e.param_val);
			n++;
			snprintf(name, sizeof(name), "%s/%.32s (%03o)",
				 d ? "protkey_emu" : "protkey", de->d_name,
				 st.st_mode & 0777);
			row.name = name;
			row.exp[AS_NOBODY] = EACCES;
			row.exp[AS_ROOT_NO_SYS_ADMIN] =
				st.st_uid == 0 && (st.st_mode & 0200) ? OK :
									EACCES;
			row.exp[AS_NOBODY_ROOT_SOCKET] = NA;
			bad += run_table(&self->e, &row, 1, "write");
		}
		closedir(dir);
	}
	EXPECT_LE(5, n) TH_LOG("only %d parameters", n);
	EXPECT_EQ(0, bad);
	for (i = 0; i < n; i++) {
		char now[256];

		ASSERT_EQ(0, pk_read_file(names[i], now, sizeof(now)));
		EXPECT_STREQ(vals[i], now) TH_LOG("%s changed", names[i]);
	}
	check_unchanged(_metadata, self);
}

TEST_F_TIMEOUT(priv, protkeyctl, 120)
{
	ASSERT_EQ(0, pk_ctl_find(self->e.ctl, sizeof(self->e.ctl)))
	TH_LOG("%s is missing although the runner installs it", self->e.ctl);
	if (!self->e.ctl[0])
		SKIP(return, "protkeyctl not installed");
	snprintf(self->repo, sizeof(self->repo), "/tmp/pk-s2.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->repo));
	/* writable by nobody: a refusal comes from the platform, not the files */
	ASSERT_EQ(0, chmod(self->repo, 0777));
	ASSERT_EQ(0, setenv("PROTKEY_REPOSITORY", self->repo, 1));
	EXPECT_EQ(0, run_table(&self->e, ctl_rows, N_ROWS(ctl_rows),
			       "protkeyctl"));
	/* no row wrote anything */
	EXPECT_EQ(0, pk_dir_files(self->repo)) TH_LOG("%s", self->repo);
	check_unchanged(_metadata, self);
}

TEST_HARNESS_MAIN
