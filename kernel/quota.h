/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * protkey key quota: how many keyed xts(paes) tfms an unprivileged user may
 * hold. See quota.c.
 */
#ifndef _PROTKEY_QUOTA_H
#define _PROTKEY_QUOTA_H

#include <linux/uidgid.h>

/**
 * struct protkey_quota_charge - what one tfm's key is charged to
 * @uid: the user charged for it, valid if @charged
 * @charged: the tfm holds a charge; false (all zero) for none: no key
 *	yet, or a key set by a privileged caller
 *
 * Written by setkey and the tfm's exit, which the crypto API never runs
 * concurrently on one tfm.
 */
struct protkey_quota_charge {
	kuid_t uid;
	bool charged;
};

int protkey_quota_charge(struct protkey_quota_charge *charge);
void protkey_quota_uncharge(struct protkey_quota_charge *charge);

#endif /* _PROTKEY_QUOTA_H */
