/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * protkey generic netlink family "protkey": key state, re-derive now, and
 * the events of the multicast group "events". See netlink.c.
 */
#ifndef _PROTKEY_NETLINK_H
#define _PROTKEY_NETLINK_H

#include <linux/types.h>

struct protkey_key;
struct protkey_key_info;

void protkey_nl_notify_wk_changed(u64 gen);
void protkey_nl_notify_rederived(struct protkey_key *key, s64 latency_us);
void protkey_nl_notify_stalled(struct protkey_key *key, u32 waited_ms, int err,
			       const char *cause);
void protkey_nl_notify_failed(struct protkey_key *key, int err, u32 waited_ms,
			      u32 failed, const char *cause);
void protkey_nl_notify_needs_reencipher(struct protkey_key *key,
					const struct protkey_key_info info[2]);
int protkey_nl_init(void);
void protkey_nl_exit(void);

#endif /* _PROTKEY_NETLINK_H */
