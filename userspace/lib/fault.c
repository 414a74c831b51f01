// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fault injection for the interruption tests (protkey.h): built only with
 * PK_TEST_FAULTS, into protkeyctl-faults ("make faults"); protkeyctl and
 * the packages have the empty inline versions.
 */
#ifdef PK_TEST_FAULTS
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "protkey.h"

const char *pk_fault(void)
{
	return getenv("PROTKEYCTL_FAULT");
}

void pk_fault_point(const char *step)
{
	const char *f = pk_fault();

	if (f && !strcmp(f, step))
		kill(getpid(), SIGKILL);
}
#else
/* ISO C wants a translation unit to declare something. */
typedef int pk_fault_unused;
#endif
