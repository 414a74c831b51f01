/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * protkey key objects: what key.c (identity, lookup, lifetime), rederive.c
 * (the re-derivation engine) and key_admin.c (update, revoke, rederive,
 * snapshot) share with each other and with nobody else.
 */
#ifndef _PROTKEY_KEY_INTERNAL_H
#define _PROTKEY_KEY_INTERNAL_H

#include <linux/list.h>
#include <linux/types.h>
#include <linux/workqueue.h>

#include "key.h"

/* The protkey_rekey workqueue (rederive.c); see protkey_key_init(). */
extern struct workqueue_struct *protkey_wq;

/* key.c */
struct protkey_blob *protkey_blob_new(const u8 *data, unsigned int len);
void protkey_key_read_info(struct protkey_platform_ops *ops, const u8 *blob,
			   u32 half, u32 halves,
			   struct protkey_key_info info[2]);
void protkey_key_swap_blob(struct protkey_key *key, struct protkey_blob *b);
void protkey_key_unhash(struct protkey_key *key);

/* rederive.c */
int protkey_key_identify(struct protkey_platform_ops *ops, const u8 *blob,
			 u32 len, struct protkey_pk pk[2],
			 u8 vp[PROTKEY_KEY_VP_SIZE], bool wait);
void protkey_key_work(struct work_struct *work);
void protkey_key_notify(struct work_struct *work);
void protkey_key_note_wk(u64 gen);
void protkey_key_complete_list(struct list_head *list, int err);
void protkey_key_complete_taken(struct protkey_key *key, struct list_head *list,
				int err);
void protkey_key_refresh_info(struct protkey_key *key);
void protkey_key_kick(struct protkey_key *key);
int protkey_key_request_rederive(struct protkey_key *key, u32 gen);

#endif /* _PROTKEY_KEY_INTERNAL_H */
