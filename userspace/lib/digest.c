// SPDX-License-Identifier: GPL-2.0-only
/*
 * libprotkey's SHA-256, through libcrypto. A file of its own so that the
 * token plugin, which links lib/util.c but hashes nothing, does not need
 * libcrypto (tests/token-abi checks what it links).
 */
#include <stdio.h>
#include <stdlib.h>

#include <openssl/evp.h>

#include "protkey.h"

/*
 * SHA-256 of @len bytes at @data, through libcrypto's EVP interface (the
 * library protkeyctl links for the association secrets' HMAC already):
 * zkey's .info integrity hash, a UV secret's ID from its name, the
 * emulated SE image keys. EVP_Digest() fails only when the library cannot
 * set up its context: abort then, rather than hand back a digest that is
 * not one.
 */
void pk_sha256(const void *data, size_t len, uint8_t out[32])
{
	unsigned int n = 0;

	if (!EVP_Digest(data, len, out, &n, EVP_sha256(), NULL) || n != 32) {
		fprintf(stderr,
			"libprotkey: SHA-256 through libcrypto failed\n");
		abort();
	}
}
