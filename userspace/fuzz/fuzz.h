/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shared helpers of the libFuzzer harnesses: an invariant check that
 * aborts with the harness's line (libFuzzer then saves the input), exact
 * copies of the input (so that ASan sees every overread) and the CCA
 * token validation value, which a harness can repair so that mutations
 * reach the checks behind it.
 */
#ifndef PROTKEY_FUZZ_H
#define PROTKEY_FUZZ_H

#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protkey.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                   \
	do {                                                               \
		if (!(cond)) {                                             \
			fprintf(stderr, "%s:%d: invariant violated: %s\n", \
				__FILE__, __LINE__, #cond);                \
			abort();                                           \
		}                                                          \
	} while (0)

/* A malloc'ed copy of @len bytes, exactly that size (NULL for 0 bytes). */
static inline uint8_t *fuzz_dup(const uint8_t *p, size_t len)
{
	uint8_t *q = malloc(len ? len : 1);

	if (!q)
		abort();
	if (len)
		memcpy(q, p, len);
	return q;
}

/* A NUL-terminated malloc'ed copy of @len bytes. */
static inline char *fuzz_str(const uint8_t *p, size_t len)
{
	char *s = malloc(len + 1);

	if (!s)
		abort();
	if (len)
		memcpy(s, p, len);
	s[len] = '\0';
	return s;
}

/* The error message is set: non-empty and terminated. */
static inline bool fuzz_err_set(const struct pk_err *err)
{
	return err->msg[0] && memchr(err->msg, '\0', sizeof(err->msg));
}

static inline uint32_t fuzz_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/*
 * Repairs the TVV of a token at the start of @blob and, when @len is
 * even, of one at its middle: without this, nearly every mutation of a
 * valid key stops at the TVV check.
 */
static inline void fuzz_fix_tvvs(uint8_t *blob, size_t len)
{
	if (len >= PK_CCA_AESDATA_SIZE)
		pk_cca_set_tvv(blob);
	if (len % 2 == 0 && len / 2 >= PK_CCA_AESDATA_SIZE)
		pk_cca_set_tvv(blob + len / 2);
}

/* Both info files hold the same properties with the same values. */
static inline bool fuzz_info_same(const struct pk_info *a,
				  const struct pk_info *b)
{
	int p;

	for (p = 0; p < PK_P_COUNT; p++) {
		if (!a->val[p] != !b->val[p])
			return false;
		if (a->val[p] && strcmp(a->val[p], b->val[p]))
			return false;
	}
	return true;
}

#endif /* PROTKEY_FUZZ_H */
