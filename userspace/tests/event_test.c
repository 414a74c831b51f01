// SPDX-License-Identifier: GPL-2.0-only
/*
 * pk_event_parse() on crafted messages of the "events" group: the events
 * as kernel/netlink.c builds them, and every way a message must be
 * refused (another sender, another family, no event, an attribute of the
 * wrong type or length, a mandatory attribute missing, an attribute cut
 * off by the end of the message).
 */
#include <sys/socket.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include <linux/protkey.h>

#include "test.h"

#define FAMILY 0x1f

static const struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };

static const uint8_t vp[PROTKEY_VP_SIZE] = { 0xde, 0xad, 0xbe, 0xef, 1, 2 };

static struct nl_msg *new_event(uint8_t cmd)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (msg && !genlmsg_put(msg, 0, 0, FAMILY, 0, 0, cmd, 1)) {
		nlmsg_free(msg);
		msg = NULL;
	}
	return msg;
}

/*
 * key-needs-reencipher as protkey_nl_notify_needs_reencipher() puts it;
 * @skip: an attribute left out (0: none); @bad: one put with 2 bytes
 * more than its type has (0: none).
 */
static struct nl_msg *reencipher_event(int skip, int bad)
{
	struct nl_msg *msg = new_event(PROTKEY_CMD_KEY_NEEDS_REENCIPHER);
	uint8_t wide[PROTKEY_VP_SIZE] = { 0 };
	int ret = !msg;

#define PUT(type, put)                                              \
	do {                                                        \
		if (ret || (type) == skip)                          \
			break;                                      \
		if ((type) == bad)                                  \
			ret = nla_put(msg, type,                    \
				      (type) == PROTKEY_A_VP ?      \
					      PROTKEY_VP_SIZE - 2 : \
					      10,                   \
				      wide);                        \
		else                                                \
			ret = put;                                  \
	} while (0)

	PUT(PROTKEY_A_SERIAL, nla_put_u32(msg, PROTKEY_A_SERIAL, 4242));
	PUT(PROTKEY_A_VP, nla_put(msg, PROTKEY_A_VP, sizeof(vp), vp));
	PUT(PROTKEY_A_MKVP_DATA,
	    nla_put_u64(msg, PROTKEY_A_MKVP_DATA, 0x1122334455667788ULL));
	PUT(PROTKEY_A_MKVP_TWEAK,
	    nla_put_u64(msg, PROTKEY_A_MKVP_TWEAK, 0x8877665544332211ULL));
	PUT(PROTKEY_A_MK_MATCH_DATA,
	    nla_put_u32(msg, PROTKEY_A_MK_MATCH_DATA, PROTKEY_MATCH_OLD));
	PUT(PROTKEY_A_MK_MATCH_TWEAK,
	    nla_put_u32(msg, PROTKEY_A_MK_MATCH_TWEAK, PROTKEY_MATCH_CURRENT));
#undef PUT
	if (ret && msg) {
		nlmsg_free(msg);
		msg = NULL;
	}
	return msg;
}

static int parse(struct nl_msg *msg, const struct sockaddr_nl *src,
		 struct pk_event *ev, struct pk_err *err)
{
	int ret;

	if (!msg)
		return -ENOMEM;
	err->msg[0] = '\0';
	ret = pk_event_parse(nlmsg_hdr(msg), src, FAMILY, ev, err);
	if (ret)
		printf("# %s\n", err->msg);
	nlmsg_free(msg);
	return ret;
}

static void test_valid(void)
{
	struct pk_err err = { 0 };
	struct pk_event ev;

	t_ok(parse(reencipher_event(0, 0), &kernel, &ev, &err) == 0,
	     "a kernel's key-needs-reencipher event parses");
	t_ok(!strcmp(ev.name, "key-needs-reencipher") &&
		     ev.cmd == PROTKEY_CMD_KEY_NEEDS_REENCIPHER,
	     "its name and command");
	t_ok(pk_event_has(&ev, PROTKEY_A_SERIAL) && ev.serial == 4242 &&
		     !memcmp(ev.vp, vp, sizeof(vp)),
	     "its serial and vp");
	t_ok(ev.mkvp[0] == 0x1122334455667788ULL &&
		     ev.mkvp[1] == 0x8877665544332211ULL &&
		     ev.match[0] == PROTKEY_MATCH_OLD &&
		     ev.match[1] == PROTKEY_MATCH_CURRENT,
	     "its master-key patterns and register matches");
	t_ok(!pk_event_has(&ev, PROTKEY_A_WK_GEN) && !ev.cause[0],
	     "no attribute it did not carry");
}

static void test_other_events(void)
{
	struct pk_err err = { 0 };
	struct nl_msg *msg;
	struct pk_event ev;

	msg = new_event(PROTKEY_CMD_WK_CHANGED);
	if (msg && nla_put_u64(msg, PROTKEY_A_WK_GEN, 7))
		msg = NULL;
	t_ok(parse(msg, &kernel, &ev, &err) == 0 && ev.wk_gen == 7 &&
		     !strcmp(ev.name, "wk-changed"),
	     "wk-changed with its wk-gen");

	/* key-stalled without a serial (a key not yet in the keyring) */
	msg = new_event(PROTKEY_CMD_KEY_STALLED);
	if (msg && (nla_put(msg, PROTKEY_A_VP, sizeof(vp), vp) ||
		    nla_put_u32(msg, PROTKEY_A_WAITED_MS, 3000) ||
		    nla_put_u32(msg, PROTKEY_A_ERRNO, ENODEV) ||
		    nla_put_string(msg, PROTKEY_A_CAUSE, "queue 01.0005 gone")))
		msg = NULL;
	t_ok(parse(msg, &kernel, &ev, &err) == 0 && ev.waited_ms == 3000 &&
		     ev.err == ENODEV && !pk_event_has(&ev, PROTKEY_A_SERIAL) &&
		     !strcmp(ev.cause, "queue 01.0005 gone"),
	     "key-stalled with its cause, no serial");

	/* a later kernel's attribute, beyond PROTKEY_A_MAX: ignored */
	msg = reencipher_event(0, 0);
	if (msg && nla_put_u32(msg, PROTKEY_A_MAX + 5, 1))
		msg = NULL;
	t_ok(parse(msg, &kernel, &ev, &err) == 0,
	     "an attribute unknown to this version is ignored");
}

static void test_sender_and_family(void)
{
	struct sockaddr_nl proc = { .nl_family = AF_NETLINK, .nl_pid = 1234 };
	struct pk_err err = { 0 };
	struct nl_msg *msg;
	struct pk_event ev;

	t_ok(parse(reencipher_event(0, 0), &proc, &ev, &err) == -EPERM &&
		     strstr(err.msg, "port 1234"),
	     "a well-formed event from port 1234 is refused: %s", err.msg);
	t_ok(parse(reencipher_event(0, 0), NULL, &ev, &err) == -EPERM,
	     "an event without a sender address is refused");
	t_ok(pk_event_from_kernel(&kernel) && !pk_event_from_kernel(&proc) &&
		     !pk_event_from_kernel(NULL),
	     "pk_event_from_kernel: port 0 only");

	msg = nlmsg_alloc();
	if (msg && !genlmsg_put(msg, 0, 0, FAMILY + 1, 0, 0,
				PROTKEY_CMD_KEY_NEEDS_REENCIPHER, 1))
		msg = NULL;
	t_ok(parse(msg, &kernel, &ev, &err) == -ENOMSG,
	     "another family's message is not an event");
	t_ok(parse(new_event(PROTKEY_CMD_KEY_GET), &kernel, &ev, &err) ==
		     -ENOMSG,
	     "key-get is not an event");
	t_ok(parse(new_event(PROTKEY_CMD_MAX + 1), &kernel, &ev, &err) ==
		     -ENOMSG,
	     "a command beyond PROTKEY_CMD_MAX is not an event");
}

static void test_wrong_type(void)
{
	struct pk_err err = { 0 };
	struct nl_msg *msg;
	struct pk_event ev;

	t_ok(parse(reencipher_event(0, PROTKEY_A_MK_MATCH_DATA), &kernel, &ev,
		   &err) == -EBADMSG &&
		     strstr(err.msg, "mk-match-data"),
	     "a 10-byte u32 is refused, named: %s", err.msg);
	t_ok(parse(reencipher_event(0, PROTKEY_A_MKVP_TWEAK), &kernel, &ev,
		   &err) == -EBADMSG &&
		     strstr(err.msg, "mkvp-tweak"),
	     "a 10-byte u64 is refused, named: %s", err.msg);
	t_ok(parse(reencipher_event(0, PROTKEY_A_VP), &kernel, &ev, &err) ==
			     -EBADMSG &&
		     strstr(err.msg, "vp"),
	     "a 30-byte vp is refused: %s", err.msg);

	msg = new_event(PROTKEY_CMD_KEY_FAILED);
	if (msg && (nla_put(msg, PROTKEY_A_VP, sizeof(vp), vp) ||
		    nla_put_u32(msg, PROTKEY_A_ERRNO, EIO) ||
		    nla_put_u32(msg, PROTKEY_A_WAITED_MS, 1) ||
		    nla_put_u64(msg, PROTKEY_A_FAILED_REQUESTS, 1) ||
		    nla_put(msg, PROTKEY_A_CAUSE, 4, "abcd")))
		msg = NULL;
	t_ok(parse(msg, &kernel, &ev, &err) == -EBADMSG &&
		     strstr(err.msg, "cause"),
	     "a cause without its NUL is refused: %s", err.msg);

	msg = new_event(PROTKEY_CMD_WK_CHANGED);
	if (msg && (nla_put_u64(msg, PROTKEY_A_WK_GEN, 1) ||
		    nla_put_u32(msg, PROTKEY_A_SERIAL, 0)))
		msg = NULL;
	t_ok(parse(msg, &kernel, &ev, &err) == -EBADMSG &&
		     strstr(err.msg, "serial 0"),
	     "serial 0 is refused: %s", err.msg);
}

static void test_missing(void)
{
	static const int need[] = { PROTKEY_A_VP, PROTKEY_A_MKVP_DATA,
				    PROTKEY_A_MKVP_TWEAK,
				    PROTKEY_A_MK_MATCH_DATA,
				    PROTKEY_A_MK_MATCH_TWEAK };
	struct pk_err err = { 0 };
	struct pk_event ev;
	size_t i;
	bool all = true;

	for (i = 0; i < sizeof(need) / sizeof(need[0]); i++) {
		int ret =
			parse(reencipher_event(need[i], 0), &kernel, &ev, &err);

		if (ret != -EBADMSG ||
		    !strstr(err.msg, pk_event_attr_name(need[i])))
			all = false;
	}
	t_ok(all,
	     "key-needs-reencipher without any one of its mandatory attributes is refused, naming it");
	t_ok(parse(reencipher_event(PROTKEY_A_SERIAL, 0), &kernel, &ev, &err) ==
		     0,
	     "without a serial (optional) it parses");
	t_ok(parse(new_event(PROTKEY_CMD_WK_CHANGED), &kernel, &ev, &err) ==
			     -EBADMSG &&
		     strstr(err.msg, "wk-gen"),
	     "wk-changed without wk-gen is refused: %s", err.msg);
}

/* A copy of @msg's bytes with room for @extra more. */
static struct nlmsghdr *raw_copy(struct nl_msg *msg, size_t extra, uint8_t *buf,
				 size_t size)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);

	if (!msg || nlh->nlmsg_len + extra > size)
		return NULL;
	memset(buf, 0, size);
	memcpy(buf, nlh, nlh->nlmsg_len);
	nlmsg_free(msg);
	return (struct nlmsghdr *)buf;
}

static void test_truncated(void)
{
	uint8_t buf[1024] __attribute__((aligned(8)));
	struct pk_err err = { 0 };
	struct nlmsghdr *nlh;
	struct nlattr *a;
	struct pk_event ev;
	int ret;

	/* a last attribute whose header says 36 bytes, 12 of them sent */
	nlh = raw_copy(reencipher_event(PROTKEY_A_VP, 0), 64, buf, sizeof(buf));
	ret = -ENOMEM;
	if (nlh) {
		a = (struct nlattr *)(buf + NLMSG_ALIGN(nlh->nlmsg_len));
		a->nla_type = PROTKEY_A_VP;
		a->nla_len = NLA_HDRLEN + PROTKEY_VP_SIZE;
		nlh->nlmsg_len = NLMSG_ALIGN(nlh->nlmsg_len) + 12;
		ret = pk_event_parse(nlh, &kernel, FAMILY, &ev, &err);
	}
	t_ok(ret == -EBADMSG && strstr(err.msg, "truncated"),
	     "an attribute cut off by the end of the message is refused: %s",
	     err.msg);

	/* the same with the cut-off attribute an optional one */
	nlh = raw_copy(reencipher_event(0, 0), 64, buf, sizeof(buf));
	ret = -ENOMEM;
	if (nlh) {
		a = (struct nlattr *)(buf + NLMSG_ALIGN(nlh->nlmsg_len));
		a->nla_type = PROTKEY_A_CAUSE;
		a->nla_len = NLA_HDRLEN + 40;
		nlh->nlmsg_len = NLMSG_ALIGN(nlh->nlmsg_len) + 16;
		ret = pk_event_parse(nlh, &kernel, FAMILY, &ev, &err);
	}
	t_ok(ret == -EBADMSG && strstr(err.msg, "truncated"),
	     "a cut-off optional attribute is refused, not dropped: %s",
	     err.msg);

	/* an attribute header shorter than itself (nla_len 2) */
	nlh = raw_copy(reencipher_event(0, 0), 64, buf, sizeof(buf));
	ret = -ENOMEM;
	if (nlh) {
		a = (struct nlattr *)(buf + NLMSG_ALIGN(nlh->nlmsg_len));
		a->nla_type = PROTKEY_A_SERIAL;
		a->nla_len = 2;
		nlh->nlmsg_len = NLMSG_ALIGN(nlh->nlmsg_len) + 4;
		ret = pk_event_parse(nlh, &kernel, FAMILY, &ev, &err);
	}
	t_ok(ret == -EBADMSG, "an attribute of length 2 is refused: %s",
	     err.msg);

	/* a message shorter than its generic netlink header */
	nlh = raw_copy(new_event(PROTKEY_CMD_WK_CHANGED), 0, buf, sizeof(buf));
	ret = -ENOMEM;
	if (nlh) {
		nlh->nlmsg_len = NLMSG_HDRLEN + 2;
		ret = pk_event_parse(nlh, &kernel, FAMILY, &ev, &err);
	}
	t_ok(ret == -EBADMSG,
	     "a message without its genl header is refused: %s", err.msg);
}

/*
 * pk_key_state_parse() on a KEY_GET reply as put_key() builds it: the
 * fields; a reply without its state, an event in its place, a counter of
 * the wrong width are refused.
 */
static void test_key_state(void)
{
	struct nl_msg *msg = new_event(PROTKEY_CMD_KEY_GET);
	struct pk_live_key k;
	struct pk_err err;
	int ret;

	ret = !msg || nla_put_u32(msg, PROTKEY_A_SERIAL, 77) ||
	      nla_put(msg, PROTKEY_A_VP, sizeof(vp), vp) ||
	      nla_put_string(msg, PROTKEY_A_KEY_TYPE, "CCA-AESDATA") ||
	      nla_put_u64(msg, PROTKEY_A_MKVP_DATA, 0x1122334455667788ULL) ||
	      nla_put_u32(msg, PROTKEY_A_MK_MATCH_TWEAK, PROTKEY_MATCH_OLD) ||
	      nla_put_u64(msg, PROTKEY_A_DERIVES, 6) ||
	      nla_put_u32(msg, PROTKEY_A_USERS, 2);
	t_ok(!ret && pk_key_state_parse(nlmsg_hdr(msg), FAMILY, &k, &err) ==
			     -EBADMSG,
	     "key-get: a reply without its state is refused: %s", err.msg);
	ret = ret ?: nla_put_u32(msg, PROTKEY_A_STATE, PROTKEY_STATE_STALE);
	ret = ret ?: pk_key_state_parse(nlmsg_hdr(msg), FAMILY, &k, &err);
	t_ok(!ret && k.serial == 77 && !strncmp(k.desc, "deadbeef0102", 12) &&
		     strlen(k.desc) == 64 && k.state == PROTKEY_STATE_STALE &&
		     !strcmp(k.key_type, "CCA-AESDATA") &&
		     k.mkvp[0] == 0x1122334455667788ULL &&
		     k.match[1] == PROTKEY_MATCH_OLD && k.derives == 6 &&
		     k.users == 2,
	     "key-get: the reply's fields (%d)", ret);
	t_ok(pk_key_state_parse(nlmsg_hdr(msg), FAMILY + 1, &k, &err) ==
		     -ENOMSG,
	     "key-get: another family's message is refused");
	nlmsg_free(msg);
	msg = reencipher_event(0, 0);
	t_ok(msg && pk_key_state_parse(nlmsg_hdr(msg), FAMILY, &k, &err) ==
			     -ENOMSG,
	     "key-get: an event is no key-get reply");
	nlmsg_free(msg);
	msg = new_event(PROTKEY_CMD_KEY_GET);
	ret = !msg || nla_put_u32(msg, PROTKEY_A_SERIAL, 77) ||
	      nla_put(msg, PROTKEY_A_VP, sizeof(vp), vp) ||
	      nla_put_u32(msg, PROTKEY_A_STATE, PROTKEY_STATE_VALID) ||
	      nla_put_u32(msg, PROTKEY_A_DERIVES, 6);
	t_ok(!ret &&
		     pk_key_state_parse(nlmsg_hdr(msg), FAMILY, &k, &err) ==
			     -EBADMSG &&
		     strstr(err.msg, "derives"),
	     "key-get: a u64 counter put as u32 is refused: %s", err.msg);
	nlmsg_free(msg);
}

int main(void)
{
	t_plan(31);
	test_valid();
	test_other_events();
	test_sender_and_family();
	test_wrong_type();
	test_missing();
	test_truncated();
	test_key_state();
	return t_done();
}
