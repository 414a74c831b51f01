// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of pk_apqn_parse() (lib/nl.c): "CC.DDDD" in hex, as lszcrypt
 * and zkey write APQNs, and nothing else. sscanf()'s %x alone would take
 * a sign, leading blanks or a "0x" prefix, and "-1" as card 0xffffffff.
 */
#include "test.h"

#include <linux/protkey_emu.h>

int main(void)
{
	static const char *const bad[] = {
		"-1.0001",  "+1.0001", " 1.0001", "01.-001", "01.+0ff",
		"01. 0ff",  "0x.0001", "01.0x01", "1.00001", "01.0100",
		"01.00ff ", "01:00ff", "",	  "g1.0001",
	};
	uint32_t apqn = 0;
	size_t i;

	t_plan(16);
	t_ok(!pk_apqn_parse("01.00ff", &apqn) &&
		     apqn == PROTKEY_EMU_APQN(0x01, 0xff),
	     "apqn: 01.00ff");
	t_ok(!pk_apqn_parse("0A.001F", &apqn) &&
		     apqn == PROTKEY_EMU_APQN(0x0a, 0x1f),
	     "apqn: upper-case hex");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		apqn = 0x5a5a5a5a;
		t_ok(pk_apqn_parse(bad[i], &apqn) == -EINVAL &&
			     apqn == 0x5a5a5a5a,
		     "apqn: refused '%s'", bad[i]);
	}
	return t_done();
}
