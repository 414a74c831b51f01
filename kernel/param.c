// SPDX-License-Identifier: GPL-2.0-only
/*
 * protkey module parameters with range checks.
 */
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/moduleparam.h>

#include "param.h"

/*
 * Writes of an unsigned int in milliseconds: 0, or
 * PROTKEY_REKEY_TIMEOUT_MIN_MS to PROTKEY_REKEY_TIMEOUT_MAX_MS. Anything
 * else is refused with -EINVAL (-ERANGE for numbers out of range) and the
 * old value stays. The upper bound keeps I/O stalls finite; below the
 * lower bound a re-derivation has no time for a single HSM round trip.
 */
static int timeout_ms_set(const char *val, const struct kernel_param *kp)
{
	unsigned int ms;
	int ret;

	ret = kstrtouint(val, 0, &ms);
	if (ret)
		return ret;
	if (ms && (ms < PROTKEY_REKEY_TIMEOUT_MIN_MS ||
		   ms > PROTKEY_REKEY_TIMEOUT_MAX_MS))
		return -ERANGE;
	WRITE_ONCE(*(unsigned int *)kp->arg, ms);
	return 0;
}

/*
 * protkey_param_ops_timeout_ms - parameter ops of rekey_timeout_ms: an
 * unsigned int, 0 or 100 to 600000 ms.
 */
const struct kernel_param_ops protkey_param_ops_timeout_ms = {
	.set = timeout_ms_set,
	.get = param_get_uint,
};
