// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of lib/filter.c: zkey's list-filter rules for names, volumes
 * (the ":mapping" part ignored unless the pattern has one) and APQNs
 * (padded to CC.DDDD, case ignored).
 */
#include "test.h"

int main(void)
{
	t_plan(14);
	t_ok(pk_filter_match("anything", NULL, false), "no filter matches");
	t_ok(!pk_filter_match(NULL, "x*", false), "no value, a filter: no");
	t_ok(pk_filter_match("db-key", "web*,db*", false),
	     "a name against a list of patterns");
	t_ok(!pk_filter_match("db-key", "web*", false), "a name not matched");
	t_ok(pk_filter_match("/dev/vdb:enc-vdb", "/dev/vdb", false),
	     "a volume by its device, the mapping name ignored");
	t_ok(pk_filter_match("/dev/vdc:c,/dev/vdb:enc-vdb", "/dev/vd?", false),
	     "any of the volumes");
	t_ok(pk_filter_match("/dev/vdb:enc-vdb", "*:enc-*", false),
	     "a pattern with ':' matches the whole value");
	t_ok(!pk_filter_match("/dev/vdb:enc-vdb", "/dev/vdb:other", false),
	     "... and both parts must match");
	t_ok(pk_filter_match("01.0005,02.0005", "1.5", true),
	     "an APQN pattern padded: 1.5 is 01.0005");
	t_ok(pk_filter_match("0a.00ff", "A.FF", true), "hex, case ignored");
	t_ok(pk_filter_match("03.0012", "*.0012", true),
	     "a card wildcard, the domain as written");
	t_ok(pk_filter_match("03.0012", "3.*", true),
	     "a short card padded when the domain is a wildcard");
	t_ok(!pk_filter_match("03.0012", "04.*", true), "another card: no");
	t_ok(!pk_filter_match("", "1.5", true), "no APQNs: no");
	return t_done();
}
