// SPDX-License-Identifier: GPL-2.0-only
/*
 * The protkey generic netlink family: key-get and its dump, key-rederive,
 * strict validation with extended acks (S3), admin commands and the events
 * group refused to callers without CAP_SYS_ADMIN (S2), and the events a
 * libnl-3 listener on the "events" group sees during an MK change, a
 * migration and an adapter outage.
 *
 * Runs as root in the test VM with protkey.ko and protkey_emu.ko loaded.
 */
#include "kselftest_harness.h"

#include "keyobj.h"

FIXTURE(family)
{
	struct pko k;
	struct pko_events ev;
};

FIXTURE_SETUP(family)
{
	ASSERT_EQ(0, pko_setup(&self->k, 0x51, 2));
	ASSERT_EQ(0, pko_events_open(&self->ev, self->k.vp));
}

FIXTURE_TEARDOWN(family)
{
	pko_events_close(&self->ev);
	pko_teardown(&self->k);
}

TEST_F(family, key_get_by_serial_and_vp)
{
	struct pk_attr a[] = {
		{ .type = PROTKEY_A_SERIAL,
		  .kind = PK_U32,
		  .val = (uint32_t)self->k.serial },
	};
	struct nlattr *tb[PROTKEY_A_MAX + 1];

	ASSERT_EQ(0, pk_nl_request(&self->k.nl, PROTKEY_CMD_KEY_GET, a, 1));
	ASSERT_EQ(0, pk_nl_reply_attrs(&self->k.nl, tb, PROTKEY_A_MAX));

	EXPECT_TRUE(pko_match_vp(tb, self->k.vp));
	ASSERT_NE(NULL, tb[PROTKEY_A_STATE]);
	EXPECT_EQ(PROTKEY_STATE_VALID, nla_get_u32(tb[PROTKEY_A_STATE]));
	ASSERT_NE(NULL, tb[PROTKEY_A_KEY_TYPE]);
	EXPECT_STREQ("CCA-AESDATA", nla_get_string(tb[PROTKEY_A_KEY_TYPE]));
	ASSERT_NE(NULL, tb[PROTKEY_A_MK_MATCH_DATA]);
	EXPECT_EQ(PROTKEY_MATCH_CURRENT,
		  nla_get_u32(tb[PROTKEY_A_MK_MATCH_DATA]));
	ASSERT_NE(NULL, tb[PROTKEY_A_USERS]);
	EXPECT_EQ(1, nla_get_u32(tb[PROTKEY_A_USERS]));
	ASSERT_NE(NULL, tb[PROTKEY_A_DERIVES]);
	EXPECT_EQ(2, nla_get_u64(tb[PROTKEY_A_DERIVES]));
}

static int dump_cb(struct nl_msg *msg, void *arg)
{
	int *n = arg;

	if (nlmsg_hdr(msg)->nlmsg_type != NLMSG_DONE)
		(*n)++;
	return NL_OK;
}

TEST_F(family, dump_lists_the_key)
{
	struct nl_msg *msg = nlmsg_alloc();
	int n = 0;

	ASSERT_NE(NULL, msg);
	ASSERT_NE(NULL,
		  genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, self->k.nl.family,
			      0, NLM_F_REQUEST | NLM_F_DUMP,
			      PROTKEY_CMD_KEY_GET, 1));
	nl_socket_modify_cb(self->k.nl.sk, NL_CB_VALID, NL_CB_CUSTOM, dump_cb,
			    &n);
	ASSERT_LE(0, nl_send_auto(self->k.nl.sk, msg));
	EXPECT_LE(0, nl_recvmsgs_default(self->k.nl.sk));
	nlmsg_free(msg);

	EXPECT_LE(1, n);
}

TEST_F(family, malformed_requests_rejected_with_extack)
{
	struct pk_attr serial0[] = {
		{ .type = PROTKEY_A_SERIAL, .kind = PK_U32, .val = 0 },
	};
	struct pk_attr short_vp[] = {
		{ .type = PROTKEY_A_VP, .kind = PK_BYTES, .len = 31 },
	};
	struct pk_attr unknown[] = {
		{ .type = PROTKEY_A_STATE, .kind = PK_U32, .val = 1 },
	};
	struct pk_attr no_key[] = {
		{ .type = PROTKEY_A_SERIAL, .kind = PK_U32, .val = 0x7ffffff0 },
	};
	struct pk_nl *nl = &self->k.nl;

	EXPECT_EQ(-EINVAL, pk_nl_request(nl, PROTKEY_CMD_KEY_GET, NULL, 0));
	EXPECT_NE(NULL, strstr(nl->msg, "serial or vp required"));
	EXPECT_EQ(-ERANGE, pk_nl_request(nl, PROTKEY_CMD_KEY_GET, serial0, 1));
	EXPECT_EQ(-ERANGE, pk_nl_request(nl, PROTKEY_CMD_KEY_GET, short_vp, 1));
	EXPECT_EQ(-EINVAL, pk_nl_request(nl, PROTKEY_CMD_KEY_GET, unknown, 1));
	EXPECT_EQ(-ENOENT, pk_nl_request(nl, PROTKEY_CMD_KEY_GET, no_key, 1));
	EXPECT_NE(NULL, strstr(nl->msg, "no such key"));
	EXPECT_EQ(-EOPNOTSUPP,
		  pk_nl_request(nl, PROTKEY_CMD_KEY_REDERIVED, NULL, 0));
}

static int do_rederive(void *arg)
{
	struct pk_nl nl;
	int ret;

	(void)arg;
	ret = pk_nl_open(&nl, PROTKEY_FAMILY_NAME);
	if (!ret)
		ret = pk_nl_request(&nl, PROTKEY_CMD_KEY_REDERIVE, NULL, 0);
	pk_nl_close(&nl);
	return ret;
}

static int do_get(void *arg)
{
	struct pko *k = arg;
	struct pk_attr a[] = {
		{ .type = PROTKEY_A_VP,
		  .kind = PK_BYTES,
		  .len = PROTKEY_VP_SIZE,
		  .data = k->vp },
	};
	struct pk_nl nl;
	int ret;

	ret = pk_nl_open(&nl, PROTKEY_FAMILY_NAME);
	if (!ret)
		ret = pk_nl_request(&nl, PROTKEY_CMD_KEY_GET, a, 1);
	pk_nl_close(&nl);
	return ret;
}

TEST_F(family, rederive_needs_cap_sys_admin)
{
	EXPECT_EQ(-EPERM, pko_as_nobody(do_rederive, NULL));
	EXPECT_EQ(-EPERM, pko_as_root_without_sys_admin(do_rederive, NULL));
	EXPECT_EQ(0, pko_as_nobody(do_get, &self->k));
	EXPECT_EQ(0, do_rederive(NULL));
}

/* Joins "events" on a fresh socket: 0 or the negative errno of the join. */
static int do_join_events(void *arg)
{
	struct nl_sock *sk = nl_socket_alloc();
	int grp, ret = -EIO;

	(void)arg;
	if (!sk || genl_connect(sk))
		goto out;
	grp = genl_ctrl_resolve_grp(sk, PROTKEY_FAMILY_NAME,
				    PROTKEY_MCGRP_EVENTS);
	if (grp < 0) {
		ret = -ENOENT;
		goto out;
	}
	ret = setsockopt(nl_socket_get_fd(sk), SOL_NETLINK,
			 NETLINK_ADD_MEMBERSHIP, &grp, sizeof(grp)) ?
		      -errno :
		      0;
out:
	if (sk)
		nl_socket_free(sk);
	return ret;
}

/*
 * The events group is for administrators: without CAP_SYS_ADMIN the join
 * fails with EPERM; key-get stays open (see netlink.c).
 */
TEST_F(family, events_group_needs_cap_sys_admin)
{
	EXPECT_EQ(-EPERM, pko_as_nobody(do_join_events, NULL));
	EXPECT_EQ(-EPERM, pko_as_root_without_sys_admin(do_join_events, NULL));
	EXPECT_EQ(0, pko_as_nobody(do_get, &self->k));
	EXPECT_EQ(0, do_join_events(NULL));
}

TEST_F(family, mk_change_then_migration_sends_events)
{
	struct pk_attr lat[] = {
		{ .type = PROTKEY_EMU_A_LATENCY_US,
		  .kind = PK_U32,
		  .val = 10000 },
	};
	int i;

	/* The key's MK goes to OLD; a migration, then I/O re-derives. */
	ASSERT_EQ(0, pko_emu(&self->k, PROTKEY_EMU_CMD_SET_LATENCY, lat, 1));
	ASSERT_EQ(0, pko_mk_change(&self->k, 0x52));
	ASSERT_EQ(0, pko_migrate(&self->k, 0));
	ASSERT_EQ(0, pko_check_io(&self->k, 9));
	pko_events_collect(&self->ev, 500);

	for (i = 0; i < self->ev.n; i++)
		TH_LOG("event %d: cmd %u mine %d latency %llu us errno %u", i,
		       self->ev.cmd[i], self->ev.match[i],
		       (unsigned long long)self->ev.latency_us[i],
		       self->ev.errno_[i]);
	EXPECT_LE(0, pko_events_find(&self->ev, PROTKEY_CMD_WK_CHANGED, true));
	i = pko_events_find(&self->ev, PROTKEY_CMD_KEY_REDERIVED, false);
	ASSERT_LE(0, i);
	/* Two derives of 10 ms each at least. */
	EXPECT_LE(20000, self->ev.latency_us[i]);
	EXPECT_LE(0, pko_events_find(&self->ev,
				     PROTKEY_CMD_KEY_NEEDS_REENCIPHER, false));
}

TEST_F(family, outage_sends_stalled_then_rederived)
{
	int i;

	ASSERT_EQ(0, pko_migrate(&self->k, 400));
	ASSERT_EQ(0, pko_check_io(&self->k, 11));
	pko_events_collect(&self->ev, 500);

	i = pko_events_find(&self->ev, PROTKEY_CMD_KEY_STALLED, false);
	ASSERT_LE(0, i);
	EXPECT_EQ(ENODEV, self->ev.errno_[i]);
	EXPECT_LE(0,
		  pko_events_find(&self->ev, PROTKEY_CMD_KEY_REDERIVED, false));
	EXPECT_GT(0, pko_events_find(&self->ev, PROTKEY_CMD_KEY_FAILED, false));
}

TEST_F(family, rederive_prewarms_after_migration)
{
	struct pk_attr a[] = {
		{ .type = PROTKEY_A_SERIAL,
		  .kind = PK_U32,
		  .val = (uint32_t)self->k.serial },
	};

	ASSERT_EQ(0, pko_migrate(&self->k, 0));

	ASSERT_EQ(0,
		  pk_nl_request(&self->k.nl, PROTKEY_CMD_KEY_REDERIVE, a, 1));
	pko_events_collect(&self->ev, 500);

	EXPECT_LE(0,
		  pko_events_find(&self->ev, PROTKEY_CMD_KEY_REDERIVED, false));
	EXPECT_EQ(0, pko_check_io(&self->k, 12));
}

TEST_HARNESS_MAIN
