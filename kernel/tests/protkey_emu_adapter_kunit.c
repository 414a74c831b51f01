// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite protkey_emu_adapter: the emulated CCA adapters
 * (kernel/emu/adapter.c): master-key register transitions, derive with
 * CURRENT and OLD, re-encipher, adapter availability, injected faults,
 * and the protected keys derive returns.
 */
#include <crypto/sha2.h>
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/ktime.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <asm/unaligned.h>

#include "protkey_emu_kunit.h"

#define APQN0 PROTKEY_EMU_APQN(0, EMU_DOMAIN)
#define MK_A 0x10
#define MK_B 0x40
#define MK_C 0x70

static const u8 clear128[16] = {
	0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6,
	0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf, 0x4f, 0x3c
};

static struct emu_adapter_state *adapter0(struct kunit *test)
{
	struct emu_adapter_state *st;

	st = kunit_kcalloc(test, EMU_MAX_ADAPTERS, sizeof(*st), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, st);
	KUNIT_ASSERT_GE(test, emu_get_adapters(st, EMU_MAX_ADAPTERS), 1U);
	return st;
}

/* CCA's AES MKVP, computed here with the incremental SHA-256 interface. */
static void mkvp_bytes(u8 seed, u8 out[PROTKEY_EMU_MKVP_SIZE])
{
	u8 mk[PROTKEY_EMU_MK_SIZE], digest[SHA256_DIGEST_SIZE];
	static const u8 prefix = 0x01;
	struct sha256_state sctx;

	emu_kunit_mk(mk, seed);
	sha256_init(&sctx);
	sha256_update(&sctx, &prefix, 1);
	sha256_update(&sctx, mk, sizeof(mk));
	sha256_final(&sctx, digest);
	memcpy(out, digest, PROTKEY_EMU_MKVP_SIZE);
}

static void emu_mk_load_goes_to_new(struct kunit *test)
{
	u8 mk[PROTKEY_EMU_MK_SIZE], want[PROTKEY_EMU_MKVP_SIZE];
	struct emu_adapter_state *st;
	const char *msg = NULL;

	/* Arrange */
	emu_kunit_mk(mk, MK_A);
	mkvp_bytes(MK_A, want);

	/* Act */
	KUNIT_ASSERT_EQ(test, emu_mk_load(APQN0, mk, &msg), 0);

	/* Assert: NEW of adapter 0 only, MKVP = SHA-256(0x01 || MK)[0..7] */
	st = adapter0(test);
	KUNIT_EXPECT_EQ(test, st[0].apqn, (u32)APQN0);
	KUNIT_EXPECT_EQ(test, st[0].mkvp_valid, 1U << PROTKEY_EMU_MK_NEW);
	EMU_EXPECT_MEMEQ(test, st[0].mkvp[PROTKEY_EMU_MK_NEW], want,
			 sizeof(want));
	KUNIT_EXPECT_EQ(test, st[1].mkvp_valid, 0U);
	KUNIT_EXPECT_EQ(test, emu_mkvp_of(mk), get_unaligned_be64(want));
}

static void emu_mk_load_unknown_apqn(struct kunit *test)
{
	u8 mk[PROTKEY_EMU_MK_SIZE];
	const char *msg = NULL;

	/* Arrange */
	emu_kunit_mk(mk, MK_A);

	/* Act + Assert */
	KUNIT_EXPECT_EQ(test, emu_mk_load(PROTKEY_EMU_APQN(0, 7), mk, &msg),
			-ENODEV);
	KUNIT_EXPECT_NOT_NULL(test, msg);
	KUNIT_EXPECT_EQ(test, emu_adapter_set_online(0xabcd, false, &msg),
			-ENODEV);
}

static void emu_mk_set_without_new(struct kunit *test)
{
	struct emu_adapter_state *st;
	const char *msg = NULL;

	/* Arrange */
	emu_kunit_mk_activate(test, MK_A);

	/* Act */
	KUNIT_EXPECT_EQ(test, emu_mk_set(EMU_ALL_APQNS, &msg), -ENOKEY);

	/* Assert: nothing moved */
	KUNIT_EXPECT_NOT_NULL(test, msg);
	st = adapter0(test);
	KUNIT_EXPECT_EQ(test, st[0].mkvp_valid, 1U << PROTKEY_EMU_MK_CURRENT);
}

static void emu_mk_set_rotates_registers(struct kunit *test)
{
	u8 mkvp_a[PROTKEY_EMU_MKVP_SIZE], mkvp_b[PROTKEY_EMU_MKVP_SIZE];
	struct emu_adapter_state *st;

	/* Arrange */
	mkvp_bytes(MK_A, mkvp_a);
	mkvp_bytes(MK_B, mkvp_b);

	/* Act */
	emu_kunit_mk_activate(test, MK_A);
	emu_kunit_mk_activate(test, MK_B);

	/* Assert: CURRENT = B, OLD = A, NEW empty, on every adapter */
	st = adapter0(test);
	KUNIT_EXPECT_EQ(test, st[1].mkvp_valid,
			(1U << PROTKEY_EMU_MK_CURRENT) |
				(1U << PROTKEY_EMU_MK_OLD));
	EMU_EXPECT_MEMEQ(test, st[1].mkvp[PROTKEY_EMU_MK_CURRENT], mkvp_b,
			 sizeof(mkvp_b));
	EMU_EXPECT_MEMEQ(test, st[1].mkvp[PROTKEY_EMU_MK_OLD], mkvp_a,
			 sizeof(mkvp_a));
}

static void emu_mk_clear_registers(struct kunit *test)
{
	u8 mk[PROTKEY_EMU_MK_SIZE];
	struct emu_adapter_state *st;
	const char *msg = NULL;

	/* Arrange: NEW, CURRENT and OLD all loaded */
	emu_kunit_mk_activate(test, MK_A);
	emu_kunit_mk_activate(test, MK_B);
	emu_kunit_mk(mk, MK_C);
	KUNIT_ASSERT_EQ(test, emu_mk_load(EMU_ALL_APQNS, mk, &msg), 0);

	/* Act + Assert */
	KUNIT_EXPECT_EQ(test, emu_mk_clear(APQN0, PROTKEY_EMU_MK_CURRENT, &msg),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, emu_mk_clear(APQN0, PROTKEY_EMU_MK_NEW, &msg), 0);
	KUNIT_EXPECT_EQ(test, emu_mk_clear(APQN0, PROTKEY_EMU_MK_OLD, &msg), 0);
	KUNIT_EXPECT_EQ(test, emu_mk_clear(APQN0, PROTKEY_EMU_MK_OLD, &msg), 0);
	st = adapter0(test);
	KUNIT_EXPECT_EQ(test, st[0].mkvp_valid, 1U << PROTKEY_EMU_MK_CURRENT);
	KUNIT_EXPECT_EQ(test, st[1].mkvp_valid, 0xeU);
}

static void emu_derive_current_old_gone(struct kunit *test)
{
	struct protkey_platform_ops *ops = emu_kunit_ops(test);
	u8 token[PROTKEY_EMU_SECKEY_SIZE], clear[16];
	struct protkey_key_info info;
	struct protkey_pk pk;

	/* Arrange */
	emu_kunit_mk_activate(test, MK_A);
	emu_kunit_seckey(test, clear128, sizeof(clear128), token);

	/* Act + Assert: CURRENT */
	KUNIT_ASSERT_EQ(test, ops->derive(token, sizeof(token), &pk, 0), 0);
	KUNIT_ASSERT_EQ(test, emu_pk_unwrap(&pk, clear), 0);
	EMU_EXPECT_MEMEQ(test, clear, clear128, sizeof(clear));
	KUNIT_ASSERT_EQ(test, ops->key_info(token, sizeof(token), &info), 0);
	KUNIT_EXPECT_EQ(test, info.match, PROTKEY_MK_CURRENT);

	/* Act + Assert: OLD after one MK change */
	emu_kunit_mk_activate(test, MK_B);
	memset(&pk, 0, sizeof(pk));
	KUNIT_ASSERT_EQ(test, ops->derive(token, sizeof(token), &pk, 0), 0);
	KUNIT_ASSERT_EQ(test, emu_pk_unwrap(&pk, clear), 0);
	EMU_EXPECT_MEMEQ(test, clear, clear128, sizeof(clear));
	KUNIT_ASSERT_EQ(test, ops->key_info(token, sizeof(token), &info), 0);
	KUNIT_EXPECT_EQ(test, info.match, PROTKEY_MK_OLD);

	/* Act + Assert: gone after the second change */
	emu_kunit_mk_activate(test, MK_C);
	KUNIT_EXPECT_EQ(test, ops->derive(token, sizeof(token), &pk, 0),
			-ENODEV);
	KUNIT_ASSERT_EQ(test, ops->key_info(token, sizeof(token), &info), 0);
	KUNIT_EXPECT_EQ(test, info.match, PROTKEY_MK_NONE);
	KUNIT_EXPECT_EQ(test, info.usable_adapters, 2U);
}

static void emu_key_info_new_only(struct kunit *test)
{
	struct protkey_platform_ops *ops = emu_kunit_ops(test);
	u8 token[PROTKEY_EMU_SECKEY_SIZE], out[PROTKEY_EMU_SECKEY_SIZE];
	u8 mk[PROTKEY_EMU_MK_SIZE];
	struct protkey_key_info info;
	struct protkey_pk pk;
	const char *msg = NULL;

	/* Arrange: staged re-encipher to NEW */
	emu_kunit_mk_activate(test, MK_A);
	emu_kunit_seckey(test, clear128, sizeof(clear128), token);
	emu_kunit_mk(mk, MK_B);
	KUNIT_ASSERT_EQ(test, emu_mk_load(EMU_ALL_APQNS, mk, &msg), 0);

	/* Act */
	KUNIT_ASSERT_EQ(test,
			emu_key_reencipher(token, sizeof(token),
					   PROTKEY_EMU_RENC_CURRENT_TO_NEW, out,
					   &msg),
			0);

	/* Assert: NEW-only keys are reported but do not derive */
	KUNIT_ASSERT_EQ(test, ops->key_info(out, sizeof(out), &info), 0);
	KUNIT_EXPECT_EQ(test, info.match, PROTKEY_MK_NEW);
	KUNIT_EXPECT_EQ(test, info.mkvp, emu_mkvp_of(mk));
	KUNIT_EXPECT_EQ(test, info.key_bits, 128U);
	KUNIT_EXPECT_EQ(test, ops->derive(out, sizeof(out), &pk, 0), -ENODEV);
	KUNIT_ASSERT_EQ(test, emu_mk_set(EMU_ALL_APQNS, &msg), 0);
	KUNIT_EXPECT_EQ(test, ops->derive(out, sizeof(out), &pk, 0), 0);
}

static void emu_key_reencipher_old_to_current(struct kunit *test)
{
	struct protkey_platform_ops *ops = emu_kunit_ops(test);
	u8 token[PROTKEY_EMU_SECKEY_SIZE], out[PROTKEY_EMU_SECKEY_SIZE];
	struct protkey_pk pk_old, pk_new;
	struct emu_token tok;
	const char *msg = NULL;
	u8 mk[PROTKEY_EMU_MK_SIZE];

	/* Arrange: key under A, A moved to OLD */
	emu_kunit_mk_activate(test, MK_A);
	emu_kunit_seckey(test, clear128, sizeof(clear128), token);
	emu_kunit_mk_activate(test, MK_B);

	/* Act */
	KUNIT_ASSERT_EQ(test,
			emu_key_reencipher(token, sizeof(token),
					   PROTKEY_EMU_RENC_OLD_TO_CURRENT, out,
					   &msg),
			0);

	/* Assert: new MKVP, same key, survives the next MK change */
	emu_kunit_mk(mk, MK_B);
	KUNIT_ASSERT_EQ(test, emu_token_parse(out, sizeof(out), &tok), 0);
	KUNIT_EXPECT_EQ(test, tok.mkvp, emu_mkvp_of(mk));
	KUNIT_ASSERT_EQ(test, ops->derive(token, sizeof(token), &pk_old, 0), 0);
	KUNIT_ASSERT_EQ(test, ops->derive(out, sizeof(out), &pk_new, 0), 0);
	EMU_EXPECT_MEMEQ(test, pk_old.protkey, pk_new.protkey, pk_new.len);
	emu_kunit_mk_activate(test, MK_C);
	KUNIT_EXPECT_EQ(test, ops->derive(token, sizeof(token), &pk_old, 0),
			-ENODEV);
	KUNIT_EXPECT_EQ(test, ops->derive(out, sizeof(out), &pk_new, 0), 0);
}

static void emu_key_reencipher_errors(struct kunit *test)
{
	u8 token[PROTKEY_EMU_SECKEY_SIZE], out[PROTKEY_EMU_SECKEY_SIZE];
	const char *msg = NULL;

	/* Arrange: key under CURRENT A, OLD and NEW empty */
	emu_kunit_mk_activate(test, MK_A);
	emu_kunit_seckey(test, clear128, sizeof(clear128), token);

	/* Act + Assert */
	KUNIT_EXPECT_EQ(test,
			emu_key_reencipher(token, sizeof(token),
					   PROTKEY_EMU_RENC_OLD_TO_CURRENT, out,
					   &msg),
			-ENODEV);
	KUNIT_EXPECT_EQ(test,
			emu_key_reencipher(token, sizeof(token),
					   PROTKEY_EMU_RENC_CURRENT_TO_NEW, out,
					   &msg),
			-ENOKEY);
	KUNIT_EXPECT_EQ(test,
			emu_key_reencipher(token, sizeof(token), 0, out, &msg),
			-EINVAL);
	KUNIT_EXPECT_EQ(test,
			emu_key_reencipher(token, sizeof(token) - 1,
					   PROTKEY_EMU_RENC_CURRENT_TO_NEW, out,
					   &msg),
			-EINVAL);
	emu_kunit_mk_activate(test, MK_B);
	emu_kunit_seckey(test, clear128, sizeof(clear128), token);
	KUNIT_EXPECT_EQ(test,
			emu_key_reencipher(token, sizeof(token),
					   PROTKEY_EMU_RENC_OLD_TO_CURRENT, out,
					   &msg),
			-EINVAL);
}

static void emu_key_generate_errors(struct kunit *test)
{
	u8 token[PROTKEY_EMU_SECKEY_SIZE];
	const char *msg = NULL;

	/* Act + Assert: no CURRENT MK anywhere */
	KUNIT_EXPECT_EQ(test, emu_key_generate(256, NULL, 0, token, &msg),
			-ENODEV);

	/* Act + Assert: sizes */
	emu_kunit_mk_activate(test, MK_A);
	KUNIT_EXPECT_EQ(test, emu_key_generate(64, NULL, 0, token, &msg),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, emu_key_generate(192, clear128, 16, token, &msg),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, emu_key_generate(192, NULL, 0, token, &msg), 0);
}

static void emu_derive_adapter_offline(struct kunit *test)
{
	struct protkey_platform_ops *ops = emu_kunit_ops(test);
	u8 token[PROTKEY_EMU_SECKEY_SIZE];
	struct protkey_key_info info;
	u8 mk[PROTKEY_EMU_MK_SIZE];
	const char *msg = NULL;
	struct protkey_pk pk;

	/* Arrange: the MK on adapter 0 only */
	emu_kunit_mk(mk, MK_A);
	KUNIT_ASSERT_EQ(test, emu_mk_load(APQN0, mk, &msg), 0);
	KUNIT_ASSERT_EQ(test, emu_mk_set(APQN0, &msg), 0);
	emu_kunit_seckey(test, clear128, sizeof(clear128), token);

	/* Act */
	KUNIT_ASSERT_EQ(test, emu_adapter_set_online(APQN0, false, &msg), 0);

	/* Assert */
	KUNIT_EXPECT_EQ(test, ops->derive(token, sizeof(token), &pk, 0),
			-ENODEV);
	KUNIT_ASSERT_EQ(test, ops->key_info(token, sizeof(token), &info), 0);
	KUNIT_EXPECT_EQ(test, info.usable_adapters, 1U);
	KUNIT_EXPECT_EQ(test, info.match, PROTKEY_MK_NONE);
	KUNIT_ASSERT_EQ(test, emu_adapter_set_online(APQN0, true, &msg), 0);
	KUNIT_EXPECT_EQ(test, ops->derive(token, sizeof(token), &pk, 0), 0);
}

static void emu_derive_during_outage(struct kunit *test)
{
	struct protkey_platform_ops *ops = emu_kunit_ops(test);
	u8 token[PROTKEY_EMU_SECKEY_SIZE];
	struct emu_adapter_state *st;
	const char *msg = NULL;
	struct protkey_pk pk;
	u64 gen;

	/* Arrange */
	emu_kunit_mk_activate(test, MK_A);
	emu_kunit_seckey(test, clear128, sizeof(clear128), token);

	/* Act */
	KUNIT_ASSERT_EQ(test, emu_migrate(200, &gen, &msg), 0);

	/* Assert: unusable until the deadline, usable after it */
	KUNIT_EXPECT_EQ(test, ops->derive(token, sizeof(token), &pk, 0),
			-ENODEV);
	st = adapter0(test);
	KUNIT_EXPECT_FALSE(test, st[0].online);
	msleep(250);
	KUNIT_EXPECT_EQ(test, ops->derive(token, sizeof(token), &pk, 0), 0);
}

static void emu_derive_injected_failures(struct kunit *test)
{
	struct protkey_platform_ops *ops = emu_kunit_ops(test);
	u8 token[PROTKEY_EMU_SECKEY_SIZE];
	struct emu_counters before, after;
	struct protkey_pk pk;

	/* Arrange */
	emu_kunit_mk_activate(test, MK_A);
	emu_kunit_seckey(test, clear128, sizeof(clear128), token);
	emu_get_counters(&before);

	/* Act */
	emu_fail_derives(2, EBUSY);

	/* Assert */
	KUNIT_EXPECT_EQ(test, ops->derive(token, sizeof(token), &pk, 0),
			-EBUSY);
	KUNIT_EXPECT_EQ(test, ops->derive(token, sizeof(token), &pk, 0),
			-EBUSY);
	KUNIT_EXPECT_EQ(test, ops->derive(token, sizeof(token), &pk, 0), 0);
	emu_get_counters(&after);
	KUNIT_EXPECT_EQ(test, after.derive_errors - before.derive_errors, 2ULL);
	KUNIT_EXPECT_EQ(test, after.derives - before.derives, 1ULL);
}

static void emu_derive_busy_answers(struct kunit *test)
{
	struct protkey_platform_ops *ops = emu_kunit_ops(test);
	u8 token[PROTKEY_EMU_SECKEY_SIZE];
	struct emu_counters before, after;
	const char *msg = NULL;
	struct protkey_pk pk;

	/* Arrange */
	emu_kunit_mk_activate(test, MK_A);
	emu_kunit_seckey(test, clear128, sizeof(clear128), token);
	emu_get_counters(&before);

	/* Act */
	emu_set_busy(2);

	/*
	 * Assert: no adapter usable is -ENODEV and uses up no busy answer;
	 * a token pkey refuses never reaches the adapter either
	 */
	KUNIT_ASSERT_EQ(test,
			emu_adapter_set_online(EMU_ALL_APQNS, false, &msg), 0);
	KUNIT_EXPECT_EQ(test, ops->derive(token, sizeof(token), &pk, 0),
			-ENODEV);
	KUNIT_ASSERT_EQ(test, emu_adapter_set_online(EMU_ALL_APQNS, true, &msg),
			0);
	KUNIT_EXPECT_EQ(test, ops->derive(token, sizeof(token) - 1, &pk, 0),
			-EINVAL);
	/* Assert: then two busy answers, then a protected key */
	KUNIT_EXPECT_EQ(test, ops->derive(token, sizeof(token), &pk, 0),
			-EBUSY);
	KUNIT_EXPECT_EQ(test, ops->derive(token, sizeof(token), &pk, 0),
			-EBUSY);
	KUNIT_EXPECT_EQ(test, ops->derive(token, sizeof(token), &pk, 0), 0);
	emu_get_counters(&after);
	KUNIT_EXPECT_EQ(test, after.derive_busy - before.derive_busy, 2ULL);
	KUNIT_EXPECT_EQ(test, after.derive_errors - before.derive_errors, 4ULL);
	KUNIT_EXPECT_EQ(test, after.derives - before.derives, 1ULL);

	/* Assert: 0 cancels */
	emu_set_busy(5);
	emu_set_busy(0);
	KUNIT_EXPECT_EQ(test, ops->derive(token, sizeof(token), &pk, 0), 0);
}

static void emu_derive_latency(struct kunit *test)
{
	struct protkey_platform_ops *ops = emu_kunit_ops(test);
	u8 token[PROTKEY_EMU_SECKEY_SIZE];
	struct protkey_pk pk;
	ktime_t start;

	/* Arrange */
	emu_kunit_mk_activate(test, MK_A);
	emu_kunit_seckey(test, clear128, sizeof(clear128), token);
	emu_set_latency(30000, 0);

	/* Act */
	start = ktime_get();
	KUNIT_ASSERT_EQ(test, ops->derive(token, sizeof(token), &pk, 0), 0);

	/* Assert */
	KUNIT_EXPECT_GE(test, ktime_ms_delta(ktime_get(), start), 30LL);
}

static void emu_derive_cost_per_apqn(struct kunit *test)
{
	struct protkey_platform_ops *ops = emu_kunit_ops(test);
	u8 token[PROTKEY_EMU_SECKEY_SIZE];
	struct emu_counters c0, c1, c2, c3;
	struct emu_adapter_state *st;
	const char *msg = NULL;
	struct protkey_pk pk;
	u64 n;

	/* Arrange: 1 ms base, 2 ms per usable APQN */
	emu_kunit_mk_activate(test, MK_A);
	emu_kunit_seckey(test, clear128, sizeof(clear128), token);
	st = adapter0(test);
	n = emu_get_adapters(st, EMU_MAX_ADAPTERS);
	KUNIT_ASSERT_GE(test, n, 2ULL);
	emu_set_latency(1000, 2000);
	emu_get_counters(&c0);

	/* Act: every adapter usable, then adapter 0 offline */
	KUNIT_ASSERT_EQ(test, ops->derive(token, sizeof(token), &pk, 0), 0);
	emu_get_counters(&c1);
	KUNIT_ASSERT_EQ(test, emu_adapter_set_online(APQN0, false, &msg), 0);
	KUNIT_ASSERT_EQ(test, ops->derive(token, sizeof(token), &pk, 0), 0);
	emu_get_counters(&c2);
	/* a token pkey refuses costs nothing: no adapter is asked */
	KUNIT_EXPECT_EQ(test, ops->derive(token, 63, &pk, 0), -EINVAL);
	emu_get_counters(&c3);

	/* Assert: base + per-APQN cost for each usable APQN */
	KUNIT_EXPECT_EQ(test, c1.apqn_queries - c0.apqn_queries, n);
	KUNIT_EXPECT_EQ(test, c1.derive_cost_us - c0.derive_cost_us,
			1000 + 2000 * n);
	KUNIT_EXPECT_EQ(test, c2.apqn_queries - c1.apqn_queries, n - 1);
	KUNIT_EXPECT_EQ(test, c2.derive_cost_us - c1.derive_cost_us,
			1000 + 2000 * (n - 1));
	KUNIT_EXPECT_EQ(test, c3.apqn_queries, c2.apqn_queries);
	KUNIT_EXPECT_EQ(test, c3.derive_cost_us, c2.derive_cost_us);
}

static void emu_derive_bad_lrc(struct kunit *test)
{
	struct protkey_platform_ops *ops = emu_kunit_ops(test);
	u8 token[PROTKEY_EMU_SECKEY_SIZE];
	struct protkey_pk pk;

	/* Arrange: a well-formed token whose LRC does not fit its key */
	emu_kunit_mk_activate(test, MK_A);
	emu_kunit_seckey(test, clear128, sizeof(clear128), token);
	token[7] ^= 0x01;
	put_unaligned_be32(emu_token_tvv(token), token + 60);

	/* Act + Assert: the adapter rejects the request */
	KUNIT_EXPECT_EQ(test, ops->derive(token, sizeof(token), &pk, 0), -EIO);
}

static void emu_derive_malformed(struct kunit *test)
{
	struct protkey_platform_ops *ops = emu_kunit_ops(test);
	u8 token[PROTKEY_EMU_SECKEY_SIZE];
	struct protkey_pk pk;

	/* Arrange */
	emu_kunit_mk_activate(test, MK_A);
	emu_kunit_seckey(test, clear128, sizeof(clear128), token);
	token[20] ^= 0x01;

	/* Act + Assert: the adapter's TVV check rejects it */
	KUNIT_EXPECT_EQ(test, ops->derive(token, sizeof(token), &pk, 0), -EIO);

	/* Arrange: a version pkey does not know */
	token[20] ^= 0x01;
	token[4] = 0x03;
	put_unaligned_be32(emu_token_tvv(token), token + 60);

	/* Act + Assert: pkey refuses it before any adapter is asked */
	KUNIT_EXPECT_EQ(test, ops->derive(token, sizeof(token), &pk, 0),
			-EINVAL);
}

static void emu_derive_adapter_fault_needs_adapter(struct kunit *test)
{
	struct protkey_platform_ops *ops = emu_kunit_ops(test);
	u8 token[PROTKEY_EMU_SECKEY_SIZE];
	const char *msg = NULL;
	struct protkey_pk pk;

	/* Arrange: a bad TVV, and no adapter usable */
	emu_kunit_mk_activate(test, MK_A);
	emu_kunit_seckey(test, clear128, sizeof(clear128), token);
	token[63] ^= 0x01;
	KUNIT_ASSERT_EQ(test,
			emu_adapter_set_online(EMU_ALL_APQNS, false, &msg), 0);

	/* Act + Assert: no adapter looks at it: findcard() fails first */
	KUNIT_EXPECT_EQ(test, ops->derive(token, sizeof(token), &pk, 0),
			-ENODEV);
}

static const u32 key_bits_cases[] = { 128, 192, 256 };

static void key_bits_desc(const u32 *bits, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "AES-%u", *bits);
}

KUNIT_ARRAY_PARAM(key_bits, key_bits_cases, key_bits_desc);

#define RANDOM_CASES 100

static void emu_derive_random_keys(struct kunit *test)
{
	const u32 bits = *(const u32 *)test->param_value;
	struct protkey_platform_ops *ops = emu_kunit_ops(test);
	u8 token[PROTKEY_EMU_SECKEY_SIZE], key[32], back[32];
	struct protkey_pk pk;
	int i;

	/* Arrange */
	emu_kunit_mk_activate(test, MK_A);

	for (i = 0; i < RANDOM_CASES; i++) {
		/* Act */
		get_random_bytes(key, bits / 8);
		emu_kunit_seckey(test, key, bits / 8, token);
		KUNIT_ASSERT_EQ(test, ops->derive(token, sizeof(token), &pk, 0),
				0);

		/* Assert: type, length, WKVP place, the key inside */
		KUNIT_ASSERT_EQ(test, pk.len, bits / 8 + PROTKEY_WKVP_SIZE);
		KUNIT_ASSERT_EQ(test, pk.type,
				bits == 128 ? PROTKEY_PK_AES_128 :
				bits == 192 ? PROTKEY_PK_AES_192 :
					      PROTKEY_PK_AES_256);
		KUNIT_ASSERT_EQ(test, emu_pk_unwrap(&pk, back), 0);
		EMU_ASSERT_MEMEQ(test, back, key, bits / 8);
		KUNIT_ASSERT_NE(test, memcmp(pk.protkey, key, bits / 8), 0);
	}
}

static struct kunit_case protkey_emu_adapter_cases[] = {
	KUNIT_CASE(emu_mk_load_goes_to_new),
	KUNIT_CASE(emu_mk_load_unknown_apqn),
	KUNIT_CASE(emu_mk_set_without_new),
	KUNIT_CASE(emu_mk_set_rotates_registers),
	KUNIT_CASE(emu_mk_clear_registers),
	KUNIT_CASE(emu_derive_current_old_gone),
	KUNIT_CASE(emu_key_info_new_only),
	KUNIT_CASE(emu_key_reencipher_old_to_current),
	KUNIT_CASE(emu_key_reencipher_errors),
	KUNIT_CASE(emu_key_generate_errors),
	KUNIT_CASE(emu_derive_adapter_offline),
	KUNIT_CASE(emu_derive_during_outage),
	KUNIT_CASE(emu_derive_injected_failures),
	KUNIT_CASE(emu_derive_busy_answers),
	KUNIT_CASE(emu_derive_latency),
	KUNIT_CASE(emu_derive_cost_per_apqn),
	KUNIT_CASE(emu_derive_bad_lrc),
	KUNIT_CASE(emu_derive_malformed),
	KUNIT_CASE(emu_derive_adapter_fault_needs_adapter),
	KUNIT_CASE_PARAM(emu_derive_random_keys, key_bits_gen_params),
	{}
};

static struct kunit_suite protkey_emu_adapter_suite = {
	.name = "protkey_emu_adapter",
	.init = emu_kunit_init,
	.exit = emu_kunit_exit,
	.test_cases = protkey_emu_adapter_cases,
};

kunit_test_suite(protkey_emu_adapter_suite);

MODULE_DESCRIPTION("KUnit tests of protkey_emu's emulated CCA adapters");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_IMPORT_NS(PROTKEY_EMU_CONTROL);
