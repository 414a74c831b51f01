// SPDX-License-Identifier: GPL-2.0-only
/*
 * pk_lt_parse(), the protkey LUKS2 token's JSON validation (what the
 * plugin's cryptsetup_token_validate runs), on arbitrary text. Invariants
 * beyond no crash and no UB:
 *
 * - a refused token is -EINVAL or -EOPNOTSUPP with a message, and the
 *   parsed token is left wiped (no key, no sealed passphrase, no keyslot);
 * - an accepted token has 1..32 keyslots in 0..31, the CCA-AESDATA type,
 *   a secure key that pk_xts_parse() accepts whose MKVPs are the token's
 *   (one per distinct half), a 64-hex-digit verification pattern and a
 *   sealed passphrase of 16..256 bytes;
 * - an accepted token formats (pk_lt_format()) to JSON that parses again
 *   to the same token.
 */
#include "fuzz.h"

static void check_accepted(const struct pk_lt *lt)
{
	struct pk_xts_info x;
	struct pk_lt back;
	char *json;
	int i;

	FUZZ_CHECK(lt->n_keyslots >= 1 && lt->n_keyslots <= PK_LUKS_SLOTS);
	for (i = 0; i < lt->n_keyslots; i++)
		FUZZ_CHECK(lt->keyslots[i] >= 0 &&
			   lt->keyslots[i] < PK_LUKS_SLOTS);
	FUZZ_CHECK(!strcmp(lt->key_type, "CCA-AESDATA"));
	FUZZ_CHECK(!pk_xts_parse(lt->key, lt->key_len, &x, NULL));
	FUZZ_CHECK(lt->n_mkvp == 1 + (x.half[0].mkvp != x.half[1].mkvp));
	FUZZ_CHECK(lt->mkvp[0] == x.half[0].mkvp);
	FUZZ_CHECK(lt->n_mkvp == 1 || lt->mkvp[1] == x.half[1].mkvp);
	FUZZ_CHECK(strlen(lt->vp) == PK_VP_HEX &&
		   strspn(lt->vp, "0123456789abcdef") == PK_VP_HEX);
	FUZZ_CHECK(lt->sealed_len >= 16 && lt->sealed_len <= PK_LT_SEALED_MAX);

	json = pk_lt_format(lt);
	FUZZ_CHECK(json);
	FUZZ_CHECK(!pk_lt_parse(json, &back, NULL));
	FUZZ_CHECK(back.n_keyslots == lt->n_keyslots &&
		   !memcmp(back.keyslots, lt->keyslots, sizeof(lt->keyslots)));
	FUZZ_CHECK(!strcmp(back.key_name, lt->key_name));
	FUZZ_CHECK(back.key_len == lt->key_len &&
		   !memcmp(back.key, lt->key, lt->key_len));
	FUZZ_CHECK(!strcmp(back.vp, lt->vp) && back.n_mkvp == lt->n_mkvp);
	FUZZ_CHECK(!memcmp(back.iv, lt->iv, sizeof(lt->iv)));
	FUZZ_CHECK(back.sealed_len == lt->sealed_len &&
		   !memcmp(back.sealed, lt->sealed, lt->sealed_len));
	free(json);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pk_err err;
	struct pk_lt lt;
	char *json;
	int ret;

	json = fuzz_str(data, size);
	memset(&err, 0, sizeof(err));
	memset(&lt, 0xa5, sizeof(lt));
	ret = pk_lt_parse(json, &lt, &err);
	if (ret) {
		FUZZ_CHECK(ret == -EINVAL || ret == -EOPNOTSUPP);
		FUZZ_CHECK(fuzz_err_set(&err));
		FUZZ_CHECK(!lt.key_len && !lt.sealed_len && !lt.n_keyslots);
	} else {
		check_accepted(&lt);
	}
	/* A NULL error pointer is allowed and changes nothing. */
	FUZZ_CHECK(pk_lt_parse(json, &lt, NULL) == ret);
	free(json);
	return 0;
}
