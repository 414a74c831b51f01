// SPDX-License-Identifier: GPL-2.0-only
/*
 * pk_lt_parse(), the protkey LUKS2 token's JSON validation (what the
 * plugin's cryptsetup_token_validate runs), on arbitrary text. Invariants
 * beyond no crash and no UB:
 *
 * - a refused token is -EINVAL or -EOPNOTSUPP with a message, and the
 *   parsed token is left wiped (no key, no sealed passphrase, no keyslot);
 * - an accepted token has 1..32 keyslots in 0..31, a wrapping key that
 *   pk_xts_parse() accepts, of the token's type, whose patterns (CCA
 *   MKVPs, EP11 WKVPs, UV secret IDs: one per distinct half) are the
 *   token's, a staged key only for an HSM key and of the same type and
 *   size, a 64-hex-digit verification pattern and a sealed passphrase of
 *   16..256 bytes; pk_lt_set_key() of its own key gives the same
 *   patterns;
 * - an accepted token formats (pk_lt_format()) to JSON that parses again
 *   to the same token.
 */
#include "fuzz.h"

static void check_accepted(const struct pk_lt *lt)
{
	struct pk_xts_info x, y;
	struct pk_lt back, set;
	char *json;
	int i;

	FUZZ_CHECK(lt->n_keyslots >= 1 && lt->n_keyslots <= PK_LUKS_SLOTS);
	for (i = 0; i < lt->n_keyslots; i++)
		FUZZ_CHECK(lt->keyslots[i] >= 0 &&
			   lt->keyslots[i] < PK_LUKS_SLOTS);
	FUZZ_CHECK(!strcmp(lt->key_type, "CCA-AESDATA") ||
		   !strcmp(lt->key_type, "EP11-AES") ||
		   !strcmp(lt->key_type, "PVSECRET-AES"));
	FUZZ_CHECK(!pk_xts_parse(lt->key, lt->key_len, &x, NULL));
	FUZZ_CHECK(!strcmp(x.half[0].type, lt->key_type));
	FUZZ_CHECK(lt->n_pat == 1 || lt->n_pat == 2);
	FUZZ_CHECK(lt->pat_size == (x.half[0].has_secret_id ? 32u :
				    x.half[0].has_wkvp	    ? 16u :
							      8u));
	if (lt->staged_len) {
		FUZZ_CHECK(!x.half[0].has_secret_id);
		FUZZ_CHECK(lt->staged_len == lt->key_len);
		FUZZ_CHECK(!pk_xts_parse(lt->staged, lt->staged_len, &y, NULL));
		FUZZ_CHECK(!strcmp(y.half[0].type, lt->key_type));
	}
	memset(&set, 0, sizeof(set));
	FUZZ_CHECK(!pk_lt_set_key(&set, lt->key, lt->key_len, NULL));
	FUZZ_CHECK(set.n_pat == lt->n_pat && set.pat_size == lt->pat_size &&
		   !memcmp(set.pat, lt->pat, sizeof(set.pat[0]) * lt->n_pat));
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
	FUZZ_CHECK(back.staged_len == lt->staged_len &&
		   !memcmp(back.staged, lt->staged, lt->staged_len));
	FUZZ_CHECK(!strcmp(back.vp, lt->vp) && back.n_pat == lt->n_pat);
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
