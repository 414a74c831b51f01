/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * protkey's IBM Z platform "s390" (pkey + CPACF), part of protkey.ko on
 * s390 kernels only; see s390.c.
 */
#ifndef _PROTKEY_PLATFORM_S390_H
#define _PROTKEY_PLATFORM_S390_H

#ifdef CONFIG_S390
void protkey_s390_init(void);
void protkey_s390_exit(void);
#else
static inline void protkey_s390_init(void)
{
}

static inline void protkey_s390_exit(void)
{
}
#endif

#endif /* _PROTKEY_PLATFORM_S390_H */
