// SPDX-License-Identifier: GPL-2.0-only
/*
 * protkeyctl platform: which key-management platform protkeyctl talks to.
 * Whether /dev/pkey is there and opens, who provides it (protkey_emu.ko's
 * emulation or the IBM Z pkey driver), and whether protkey.ko is loaded.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

#define PLATFORM_JSON_VERSION 1

static const char *device_state(const struct pk_platform *p)
{
	if (!p->device_ret)
		return "usable";
	return p->device_present ? "present, not usable" : "absent";
}

static void platform_json(const struct pk_platform *p)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "version",
			       json_object_new_int(PLATFORM_JSON_VERSION));
	json_object_object_add(o, "device", json_object_new_string(p->device));
	json_object_object_add(o, "device_present",
			       json_object_new_boolean(p->device_present));
	json_object_object_add(o, "device_usable",
			       json_object_new_boolean(!p->device_ret));
	if (p->device_ret)
		json_object_object_add(
			o, "device_error",
			json_object_new_string(strerror(-p->device_ret)));
	json_object_object_add(o, "provider",
			       json_object_new_string(p->provider));
	json_object_object_add(o, "protkey_loaded",
			       json_object_new_boolean(p->protkey_loaded));
	cli_json_print(o);
}

/**
 * cmd_platform() - platform: print the key-management platform
 * @cli: global options (--json)
 * @argc: 1
 * @argv: "platform"
 *
 * Context: opens /dev/pkey once, reads sysfs.
 * Return: PK_EXIT_OK when /dev/pkey opens read-write; PK_EXIT_PERM when
 * it is there but this user may not open it; PK_EXIT_PLATFORM otherwise
 * (absent, or another error); PK_EXIT_USAGE for arguments.
 */
int cmd_platform(struct cli *cli, int argc, char **argv)
{
	struct pk_platform p;

	(void)argv;
	if (cli_plain_args(argc, argv) || argc != 1)
		return cli_usage(NULL, "platform", "bad arguments");
	pk_platform_probe(NULL, &p);
	if (cli->json) {
		platform_json(&p);
	} else {
		printf("device: %s: %s", p.device, device_state(&p));
		if (p.device_ret)
			printf(" (%s)", strerror(-p.device_ret));
		printf("\nprovider: %s\nprotkey.ko: %s\n", p.provider,
		       p.protkey_loaded ? "loaded" : "not loaded");
	}
	if (!p.device_ret)
		return PK_EXIT_OK;
	if (p.device_ret == -EACCES || p.device_ret == -EPERM)
		return PK_EXIT_PERM;
	return PK_EXIT_PLATFORM;
}
