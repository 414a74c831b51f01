// SPDX-License-Identifier: GPL-2.0-only
/*
 * libcryptsetup-token-protkey.so: the libcryptsetup external token plugin
 * of the "protkey" token type. A thin ABI layer over lib/luks2_protkey.c:
 * open unwraps the keyslot passphrase with the kernel's xts(paes), so the
 * volume opens only where the platform can derive the wrapping secure
 * key. There is no PIN, so there is no cryptsetup_token_open_pin.
 *
 * Return conventions (libcryptsetup.h): open declines with -EAGAIN when
 * the platform cannot derive the wrapping key now (master key absent,
 * adapters offline or busy, protkey.ko not loaded: "requires hardware not
 * present"), and with -ENOENT when the token cannot be used on this
 * system at all (malformed, unsupported key type, the key derives to a
 * different verification pattern). Either way libcryptsetup goes on to the
 * next token or a passphrase; the reason goes to its debug log.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libcryptsetup.h>

#include "protkey.h"

#define PLUGIN_VERSION "1.0"

int cryptsetup_token_open(struct crypt_device *cd, int token, char **buffer,
			  size_t *buffer_len, void *usrptr)
{
	(void)usrptr;
	return pk_lt_open(cd, token, buffer, buffer_len);
}

void cryptsetup_token_buffer_free(void *buffer, size_t buffer_len)
{
	pk_wipe_free(buffer, buffer_len);
}

int cryptsetup_token_validate(struct crypt_device *cd, const char *json)
{
	struct pk_err err = { 0 };
	struct pk_lt lt;
	int ret;

	ret = pk_lt_parse(json, &lt, &err);
	pk_lt_wipe(&lt);
	if (ret) {
		crypt_logf(cd, CRYPT_LOG_ERROR, "%s\n", err.msg);
		return -EINVAL;
	}
	return 0;
}

void cryptsetup_token_dump(struct crypt_device *cd, const char *json)
{
	struct pk_err err = { 0 };
	struct pk_lt lt;
	char line[512];

	if (pk_lt_parse(json, &lt, &err)) {
		crypt_logf(cd, CRYPT_LOG_NORMAL, "\tInvalid token: %s\n",
			   err.msg);
		return;
	}
	crypt_logf(cd, CRYPT_LOG_NORMAL, "\tWrapping key: %s%s%s%s\n",
		   lt.key_type, lt.key_name[0] ? " (repository key " : "",
		   lt.key_name, lt.key_name[0] ? ")" : "");
	crypt_logf(cd, CRYPT_LOG_NORMAL, "\tVerification pattern: %s\n", lt.vp);
	pk_hex_encode(lt.pat[0], lt.pat_size, line);
	if (lt.n_pat > 1) {
		line[2 * lt.pat_size] = ' ';
		pk_hex_encode(lt.pat[1], lt.pat_size,
			      line + 2 * lt.pat_size + 1);
	}
	crypt_logf(cd, CRYPT_LOG_NORMAL, "\t%-14s%s\n", pk_lt_pattern_what(&lt),
		   line);
	if (lt.staged_len)
		crypt_logf(
			cd, CRYPT_LOG_NORMAL,
			"\tStaged key:   re-enciphered under the NEW master key\n");
	crypt_logf(
		cd, CRYPT_LOG_NORMAL,
		"\tUnlock:       %zu-byte passphrase sealed with xts(paes)\n",
		lt.sealed_len);
	pk_lt_wipe(&lt);
}

const char *cryptsetup_token_version(void)
{
	return PLUGIN_VERSION;
}
