/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * protkey module parameters with range checks. See param.c.
 */
#ifndef _PROTKEY_PARAM_H
#define _PROTKEY_PARAM_H

#include <linux/moduleparam.h>

/* Bounds of rekey_timeout_ms other than 0: 100 ms to 10 minutes. */
#define PROTKEY_REKEY_TIMEOUT_MIN_MS 100
#define PROTKEY_REKEY_TIMEOUT_MAX_MS 600000

extern const struct kernel_param_ops protkey_param_ops_timeout_ms;

#endif /* _PROTKEY_PARAM_H */
