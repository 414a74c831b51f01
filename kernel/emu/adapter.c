// SPDX-License-Identifier: GPL-2.0-only
/*
 * protkey_emu crypto adapters: emulated Crypto Express APQNs in CCA mode,
 * each with the AES master-key registers NEW, CURRENT and OLD, an online
 * state, and the faults tests inject (outage until a deadline, derive
 * latency, fail the next N derives, answer "busy" to the next N). Derive,
 * key generation and re-encipher run here; the protected-key wrapping is
 * cpacf.c's.
 *
 * EMULATION ONLY: the master keys are kept in clear in this module's
 * memory, and a secure key is the clear key encrypted under such a master
 * key with AES-256-ECB (see token.c). Nothing here is secure.
 *
 * Errnos, each modelled on what Linux pkey/zcrypt give for the same
 * situation (drivers/s390/crypto/pkey_api.c, zcrypt_ccamisc.c):
 *  -EINVAL  a fault pkey finds itself before any adapter is asked: wrong
 *           size, type or version (pkey_keyblob2pkey(),
 *           cca_check_secaeskeytoken()), a zero MKVP (findcard()); also a
 *           bad key size or register argument of a control operation
 *  -ENODEV  no usable adapter (online, not in an outage) holds the key's
 *           MKVP in CURRENT or OLD: cca_findcard() fails, so
 *           pkey_skey2pkey() returns -ENODEV; also an unknown APQN
 *  -EBUSY   the adapter answers "busy" (emu_set_busy()): CCA reply code
 *           8 with reason 2290, which cca_sec2protkey() maps to -EBUSY
 *  -EIO     the adapter rejects the request: a fault only the adapter
 *           finds (reserved bytes, flag, control vector, bit or byte size,
 *           TVV; the decrypted key does not match the token's bit size or
 *           LRC): cca_sec2protkey() maps CCA's reply code to -EIO
 *  -ENOKEY  MK set or re-encipher needs a register that is empty
 *           (the emulator's choice: CCA answers with a reply code that
 *           user space sees; there is no kernel errno for it)
 *  any      the errno injected with emu_fail_derives()
 */
#include <crypto/aes.h>
#include <crypto/sha2.h>
#include <kunit/visibility.h>
#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/errno.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <asm/unaligned.h>

#include "emu_core.h"

/* Register index: &enum protkey_emu_mk_reg; index 0 unused. */
#define EMU_NR_REGS (PROTKEY_EMU_MK_OLD + 1)
#define MK_BIT(reg) (1U << (reg))

/**
 * struct emu_adapter - one emulated APQN
 * @apqn: PROTKEY_EMU_APQN(card, EMU_DOMAIN)
 * @online: set by emu_adapter_set_online()
 * @mk_valid: bit (1 << reg) set when register reg holds a key
 * @mk: clear master key per &enum protkey_emu_mk_reg (index 0 unused)
 * @mkvp: MKVP per register, host order
 *
 * All members are protected by emu_lock.
 */
struct emu_adapter {
	u32 apqn;
	bool online;
	u32 mk_valid;
	u8 mk[EMU_NR_REGS][PROTKEY_EMU_MK_SIZE];
	u64 mkvp[EMU_NR_REGS];
};

static DEFINE_MUTEX(emu_lock);
/* Protected by emu_lock. */
static struct emu_adapter *emu_adapters;
static unsigned int emu_nr_adapters;
static ktime_t emu_outage_until;

/* Lock-free knobs, read on each derive. */
static u32 emu_latency_us;
static u32 emu_query_us;
static atomic_t emu_fail_count = ATOMIC_INIT(0);
static int emu_fail_errno = -EIO;
static atomic_t emu_busy_count = ATOMIC_INIT(0);

/**
 * emu_mkvp_of() - the MKVP of an AES master key, as CCA computes it
 * @mk: a 32-byte AES master key
 *
 * CCA's AES master-key verification pattern: the first 8 bytes of
 * SHA-256(0x01 || MK) (IBM CCA Basic Services, "SHA-256 based master-key
 * verification method"), as a big-endian number.
 *
 * Context: any context.
 * Return: the MKVP in host order.
 */
u64 emu_mkvp_of(const u8 mk[PROTKEY_EMU_MK_SIZE])
{
	u8 digest[SHA256_DIGEST_SIZE];
	u8 in[1 + PROTKEY_EMU_MK_SIZE];
	u64 mkvp;

	in[0] = 0x01;
	memcpy(in + 1, mk, PROTKEY_EMU_MK_SIZE);
	sha256(in, sizeof(in), digest);
	mkvp = get_unaligned_be64(digest);
	memzero_explicit(in, sizeof(in));
	memzero_explicit(digest, sizeof(digest));
	return mkvp;
}
EXPORT_SYMBOL_IF_KUNIT(emu_mkvp_of);

static bool adapter_usable(const struct emu_adapter *a, ktime_t now)
{
	lockdep_assert_held(&emu_lock);
	return a->online && !ktime_before(now, emu_outage_until);
}

/* AES-256-ECB over the 32-byte key field; the emulator's MK scheme. */
static void mk_crypt(const u8 *mk, const u8 *in, u8 *out, bool enc)
{
	struct crypto_aes_ctx ctx;
	int i;

	aes_expandkey(&ctx, mk, PROTKEY_EMU_MK_SIZE);
	for (i = 0; i < EMU_ENC_KEY_SIZE; i += AES_BLOCK_SIZE) {
		if (enc)
			aes_encrypt(&ctx, out + i, in + i);
		else
			aes_decrypt(&ctx, out + i, in + i);
	}
	memzero_explicit(&ctx, sizeof(ctx));
}

/* Builds @tok from @clear (key_bits / 8 bytes) under master key @mk. */
static void seal_key(struct emu_token *tok, const u8 *clear, u32 key_bits,
		     const u8 *mk, u64 mkvp)
{
	u8 padded[EMU_ENC_KEY_SIZE] = {};

	memcpy(padded, clear, key_bits / 8);
	tok->type = &emu_token_cca_aesdata;
	tok->key_bits = key_bits;
	tok->mkvp = mkvp;
	tok->lrc = emu_token_lrc(clear, key_bits / 8);
	mk_crypt(mk, padded, tok->enc_key, true);
	memzero_explicit(padded, sizeof(padded));
}

/*
 * Decrypts @tok under @mk into @clear (32 bytes). The adapter checks what it
 * can: the padding beyond the key size must be zero and the LRC must match;
 * anything else is a rejected request, -EIO as cca_sec2protkey() reports
 * a CCA reply code.
 */
static int unseal_key(const struct emu_token *tok, const u8 *mk, u8 *clear)
{
	u32 keylen = tok->key_bits / 8;

	mk_crypt(mk, tok->enc_key, clear, false);
	if (memchr_inv(clear + keylen, 0, EMU_ENC_KEY_SIZE - keylen) ||
	    emu_token_lrc(clear, keylen) != tok->lrc) {
		memzero_explicit(clear, EMU_ENC_KEY_SIZE);
		return -EIO;
	}
	return 0;
}

/*
 * Finds a usable adapter whose register @reg holds @mkvp; with
 * @reg == PROTKEY_EMU_MK_CURRENT it falls back to OLD, preferring CURRENT
 * over all adapters first as cca_findcard() does. Copies the matching MK to
 * @mk. Caller holds emu_lock. Return: the register that matched, or 0.
 */
static int find_mk(u64 mkvp, int reg, u8 *mk)
{
	ktime_t now = ktime_get();
	int pass, r;
	unsigned int i;

	for (pass = 0; pass < 2; pass++) {
		r = pass ? PROTKEY_EMU_MK_OLD : reg;
		if (pass && reg != PROTKEY_EMU_MK_CURRENT)
			break;
		for (i = 0; i < emu_nr_adapters; i++) {
			struct emu_adapter *a = &emu_adapters[i];

			if (!adapter_usable(a, now) ||
			    !(a->mk_valid & MK_BIT(r)) || a->mkvp[r] != mkvp)
				continue;
			memcpy(mk, a->mk[r], PROTKEY_EMU_MK_SIZE);
			return r;
		}
	}
	return 0;
}

/*
 * The HSM round trip of a derive: the base latency, plus one query per
 * usable APQN (pkey asks every online CCA APQN for its master-key
 * verification patterns to find one that holds the key's MKVP), then an
 * injected failure if one is due. Both costs are counted as simulated
 * time, so tests see them applied without timing anything.
 */
static void emu_round_trip(int *ret)
{
	u32 base = READ_ONCE(emu_latency_us), per = READ_ONCE(emu_query_us);
	ktime_t now = ktime_get();
	unsigned int i, n = 0;
	u64 us;

	mutex_lock(&emu_lock);
	for (i = 0; i < emu_nr_adapters; i++)
		n += adapter_usable(&emu_adapters[i], now);
	mutex_unlock(&emu_lock);
	us = base + (u64)per * n;
	emu_count_add(EMU_CNT_APQN_QUERIES, n);
	emu_count_add(EMU_CNT_DERIVE_COST_US, us);
	if (us)
		fsleep(us);
	if (atomic_dec_if_positive(&emu_fail_count) >= 0)
		*ret = READ_ONCE(emu_fail_errno);
}

/**
 * emu_derive() - the platform's derive: secure key to protected key
 * @blob: the secure key
 * @len: its length
 * @pk: output, the protected key under the current wrapping key
 *
 * Models pkey_keyblob2pkey() for a CCA AES DATA token: pkey's own token
 * checks, the HSM round trip (the configured base latency and per-APQN
 * query cost, injected failures),
 * cca_findcard() (an adapter with the MKVP in CURRENT is preferred over
 * one with it in OLD), then cca_sec2protkey(): the adapter answers busy,
 * or checks the token and the key it deciphers.
 *
 * Context: process context; sleeps for the configured costs; takes
 * emu_lock.
 * Return: 0; -EINVAL a token pkey refuses (size, type, version, zero
 * MKVP); -ENODEV no usable adapter holds the key's master key in CURRENT
 * or OLD; -EBUSY the adapter is busy; -EIO the adapter rejects the token
 * or the key; an injected errno.
 */
int emu_derive(const u8 *blob, u32 len, struct protkey_pk *pk)
{
	u8 mk[PROTKEY_EMU_MK_SIZE];
	u8 clear[EMU_ENC_KEY_SIZE];
	struct emu_token tok;
	u64 mkvp;
	int ret;

	might_sleep();
	ret = emu_token_check(blob, len, &mkvp);
	if (!ret)
		emu_round_trip(&ret);
	if (ret)
		goto out_count;

	mutex_lock(&emu_lock);
	ret = find_mk(mkvp, PROTKEY_EMU_MK_CURRENT, mk) ? 0 : -ENODEV;
	mutex_unlock(&emu_lock);
	/* The adapter found answers: busy, or it checks the token. */
	if (!ret && atomic_dec_if_positive(&emu_busy_count) >= 0) {
		emu_count(EMU_CNT_DERIVE_BUSY);
		ret = -EBUSY;
	}
	if (!ret)
		ret = emu_token_parse(blob, len, &tok);
	if (!ret)
		ret = unseal_key(&tok, mk, clear);
	if (!ret)
		ret = emu_pk_wrap(clear, tok.key_bits / 8, pk);
	memzero_explicit(clear, sizeof(clear));
	memzero_explicit(mk, sizeof(mk));
out_count:
	emu_count(ret ? EMU_CNT_DERIVE_ERRORS : EMU_CNT_DERIVES);
	return ret;
}

/**
 * emu_key_info() - parse a secure key and report its master-key match
 * @blob: the secure key
 * @len: its length
 * @info: output
 *
 * Context: process context; takes emu_lock.
 * Return: 0; -EINVAL for a token pkey refuses; -EIO for one the adapter
 * would reject (emu_token_parse()).
 */
int emu_key_info(const u8 *blob, u32 len, struct protkey_key_info *info)
{
	static const int order[] = { PROTKEY_EMU_MK_CURRENT, PROTKEY_EMU_MK_OLD,
				     PROTKEY_EMU_MK_NEW };
	static const enum protkey_mk_match match[] = { PROTKEY_MK_CURRENT,
						       PROTKEY_MK_OLD,
						       PROTKEY_MK_NEW };
	ktime_t now = ktime_get();
	struct emu_token tok;
	unsigned int i, j;
	int ret;

	ret = emu_token_parse(blob, len, &tok);
	if (ret)
		return ret;
	memset(info, 0, sizeof(*info));
	info->key_bits = tok.key_bits;
	info->token_type = tok.type->tok_type;
	info->token_version = tok.type->tok_version;
	info->mkvp = tok.mkvp;
	info->match = PROTKEY_MK_NONE;

	mutex_lock(&emu_lock);
	for (i = 0; i < emu_nr_adapters; i++)
		info->usable_adapters += adapter_usable(&emu_adapters[i], now);
	for (j = 0; j < ARRAY_SIZE(order) && !info->match; j++) {
		for (i = 0; i < emu_nr_adapters; i++) {
			struct emu_adapter *a = &emu_adapters[i];

			if (adapter_usable(a, now) &&
			    (a->mk_valid & MK_BIT(order[j])) &&
			    a->mkvp[order[j]] == tok.mkvp) {
				info->match = match[j];
				break;
			}
		}
	}
	mutex_unlock(&emu_lock);
	return 0;
}

/* Caller holds emu_lock. Return: the adapter, or NULL if unknown. */
static struct emu_adapter *adapter_by_apqn(u32 apqn)
{
	unsigned int i;

	for (i = 0; i < emu_nr_adapters; i++) {
		if (emu_adapters[i].apqn == apqn)
			return &emu_adapters[i];
	}
	return NULL;
}

/*
 * Resolves @apqn to the adapter range [*first, *last). Caller holds
 * emu_lock. Return: 0, or -ENODEV for an unknown APQN.
 */
static int adapter_range(u32 apqn, unsigned int *first, unsigned int *last,
			 const char **msg)
{
	struct emu_adapter *a;

	if (apqn == EMU_ALL_APQNS) {
		*first = 0;
		*last = emu_nr_adapters;
		return 0;
	}
	a = adapter_by_apqn(apqn);
	if (!a) {
		*msg = "no such APQN";
		return -ENODEV;
	}
	*first = a - emu_adapters;
	*last = *first + 1;
	return 0;
}

/**
 * emu_mk_load() - load a master key into the NEW register, as a TKE does
 * @apqn: the adapter, or EMU_ALL_APQNS
 * @mk: the clear 32-byte AES master key
 * @msg: output, a static message on error
 *
 * Context: process context; takes emu_lock.
 * Return: 0; -ENODEV for an unknown APQN.
 */
int emu_mk_load(u32 apqn, const u8 mk[PROTKEY_EMU_MK_SIZE], const char **msg)
{
	u64 mkvp = emu_mkvp_of(mk);
	unsigned int i, last;
	int ret;

	mutex_lock(&emu_lock);
	ret = adapter_range(apqn, &i, &last, msg);
	for (; !ret && i < last; i++) {
		memcpy(emu_adapters[i].mk[PROTKEY_EMU_MK_NEW], mk,
		       PROTKEY_EMU_MK_SIZE);
		emu_adapters[i].mkvp[PROTKEY_EMU_MK_NEW] = mkvp;
		emu_adapters[i].mk_valid |= MK_BIT(PROTKEY_EMU_MK_NEW);
	}
	mutex_unlock(&emu_lock);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(emu_mk_load, PROTKEY_EMU_CONTROL);

static void mk_move(struct emu_adapter *a, int from, int to)
{
	memcpy(a->mk[to], a->mk[from], PROTKEY_EMU_MK_SIZE);
	a->mkvp[to] = a->mkvp[from];
	a->mk_valid |= MK_BIT(to);
	memzero_explicit(a->mk[from], PROTKEY_EMU_MK_SIZE);
	a->mkvp[from] = 0;
	a->mk_valid &= ~MK_BIT(from);
}

/**
 * emu_mk_set() - activate the NEW master key: CURRENT -> OLD, NEW -> CURRENT
 * @apqn: the adapter, or EMU_ALL_APQNS
 * @msg: output, a static message on error
 *
 * All addressed adapters change, or none does.
 *
 * Context: process context; takes emu_lock.
 * Return: 0; -ENODEV for an unknown APQN; -ENOKEY when an addressed
 * adapter's NEW register is empty.
 */
int emu_mk_set(u32 apqn, const char **msg)
{
	unsigned int i, first, last;
	int ret;

	mutex_lock(&emu_lock);
	ret = adapter_range(apqn, &first, &last, msg);
	for (i = first; !ret && i < last; i++) {
		if (!(emu_adapters[i].mk_valid & MK_BIT(PROTKEY_EMU_MK_NEW))) {
			*msg = "NEW master-key register is empty";
			ret = -ENOKEY;
		}
	}
	for (i = first; !ret && i < last; i++) {
		struct emu_adapter *a = &emu_adapters[i];

		if (a->mk_valid & MK_BIT(PROTKEY_EMU_MK_CURRENT))
			mk_move(a, PROTKEY_EMU_MK_CURRENT, PROTKEY_EMU_MK_OLD);
		mk_move(a, PROTKEY_EMU_MK_NEW, PROTKEY_EMU_MK_CURRENT);
	}
	mutex_unlock(&emu_lock);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(emu_mk_set, PROTKEY_EMU_CONTROL);

/**
 * emu_mk_clear() - empty the NEW or the OLD master-key register
 * @apqn: the adapter, or EMU_ALL_APQNS
 * @reg: PROTKEY_EMU_MK_NEW or PROTKEY_EMU_MK_OLD
 * @msg: output, a static message on error
 *
 * Clearing an empty register succeeds. CURRENT cannot be cleared (CCA
 * clears only NEW and OLD; zeroising the adapter is not modelled).
 *
 * Context: process context; takes emu_lock.
 * Return: 0; -EINVAL for another register; -ENODEV for an unknown APQN.
 */
int emu_mk_clear(u32 apqn, enum protkey_emu_mk_reg reg, const char **msg)
{
	unsigned int i, last;
	int ret;

	if (reg != PROTKEY_EMU_MK_NEW && reg != PROTKEY_EMU_MK_OLD) {
		*msg = "only the NEW and OLD registers can be cleared";
		return -EINVAL;
	}
	mutex_lock(&emu_lock);
	ret = adapter_range(apqn, &i, &last, msg);
	for (; !ret && i < last; i++) {
		memzero_explicit(emu_adapters[i].mk[reg], PROTKEY_EMU_MK_SIZE);
		emu_adapters[i].mkvp[reg] = 0;
		emu_adapters[i].mk_valid &= ~MK_BIT(reg);
	}
	mutex_unlock(&emu_lock);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(emu_mk_clear, PROTKEY_EMU_CONTROL);

/* Caller holds emu_lock. Return: the first usable adapter with @reg. */
static struct emu_adapter *first_with(int reg)
{
	ktime_t now = ktime_get();
	unsigned int i;

	for (i = 0; i < emu_nr_adapters; i++) {
		if (adapter_usable(&emu_adapters[i], now) &&
		    (emu_adapters[i].mk_valid & MK_BIT(reg)))
			return &emu_adapters[i];
	}
	return NULL;
}

/**
 * emu_key_generate() - make a CCA AES DATA secure key under the CURRENT MK
 * @key_bits: 128, 192 or 256
 * @clear: the clear key (@key_bits / 8 bytes), or NULL for a random key
 * @clear_len: length of @clear; ignored when @clear is NULL
 * @token: output, the 64-byte token
 * @msg: output, a static message on error
 *
 * Uses the first usable adapter with a CURRENT master key, as PKEY_GENSECK
 * and PKEY_CLR2SECK use the first APQN that can serve.
 *
 * Context: process context; takes emu_lock.
 * Return: 0; -EINVAL for a bad size; -ENODEV when no usable adapter has a
 * CURRENT master key.
 */
int emu_key_generate(u32 key_bits, const u8 *clear, u32 clear_len,
		     u8 token[PROTKEY_EMU_SECKEY_SIZE], const char **msg)
{
	u8 key[EMU_ENC_KEY_SIZE];
	struct emu_adapter *a;
	struct emu_token tok;
	int ret = 0;

	if (key_bits != 128 && key_bits != 192 && key_bits != 256) {
		*msg = "key size must be 128, 192 or 256 bits";
		return -EINVAL;
	}
	if (clear && clear_len != key_bits / 8) {
		*msg = "clear key length does not match the key size";
		return -EINVAL;
	}
	if (clear)
		memcpy(key, clear, key_bits / 8);
	else
		get_random_bytes(key, key_bits / 8);

	mutex_lock(&emu_lock);
	a = first_with(PROTKEY_EMU_MK_CURRENT);
	if (a)
		seal_key(&tok, key, key_bits, a->mk[PROTKEY_EMU_MK_CURRENT],
			 a->mkvp[PROTKEY_EMU_MK_CURRENT]);
	mutex_unlock(&emu_lock);
	memzero_explicit(key, sizeof(key));
	if (!a) {
		*msg = "no usable adapter with a CURRENT master key";
		return -ENODEV;
	}
	ret = emu_token_build(&tok, token, PROTKEY_EMU_SECKEY_SIZE);
	memzero_explicit(&tok, sizeof(tok));
	if (!ret)
		emu_count(EMU_CNT_KEYS_GENERATED);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(emu_key_generate, PROTKEY_EMU_CONTROL);

/*
 * Re-enciphers @tok from register @from to register @to on the first usable
 * adapter whose @from holds the token's MKVP. Caller holds emu_lock.
 */
static int reencipher_locked(struct emu_token *tok, int from, int to,
			     const char **msg)
{
	u8 clear[EMU_ENC_KEY_SIZE];
	ktime_t now = ktime_get();
	struct emu_adapter *a = NULL;
	unsigned int i;
	int ret;

	for (i = 0; i < emu_nr_adapters && !a; i++) {
		if (adapter_usable(&emu_adapters[i], now) &&
		    (emu_adapters[i].mk_valid & MK_BIT(from)) &&
		    emu_adapters[i].mkvp[from] == tok->mkvp)
			a = &emu_adapters[i];
	}
	if (!a && first_with(from)) {
		*msg = "key is not enciphered under the source master key";
		return -EINVAL;
	}
	if (!a) {
		*msg = "no usable adapter with the source master key";
		return -ENODEV;
	}
	if (!(a->mk_valid & MK_BIT(to))) {
		*msg = "target master-key register is empty";
		return -ENOKEY;
	}
	ret = unseal_key(tok, a->mk[from], clear);
	if (ret) {
		*msg = "adapter rejected the key";
		return ret;
	}
	seal_key(tok, clear, tok->key_bits, a->mk[to], a->mkvp[to]);
	memzero_explicit(clear, sizeof(clear));
	return 0;
}

/**
 * emu_key_reencipher() - re-encipher a secure key to another master key
 * @token: the secure key
 * @len: its length
 * @mode: OLD -> CURRENT (CCA RTCMK) or CURRENT -> NEW (RTNMK)
 * @out: output, the re-enciphered 64-byte token, with the target MKVP
 * @msg: output, a static message on error
 *
 * Context: process context; takes emu_lock.
 * Return: 0; -EINVAL a token pkey would refuse, bad @mode, or the token's
 * MKVP is not in the source register of any usable adapter; -ENODEV no
 * usable adapter has the source register loaded; -ENOKEY the target
 * register is empty; -EIO the adapter rejects the token or the key.
 */
int emu_key_reencipher(const u8 *token, u32 len, enum protkey_emu_renc mode,
		       u8 out[PROTKEY_EMU_SECKEY_SIZE], const char **msg)
{
	struct emu_token tok;
	int from, to, ret;

	switch (mode) {
	case PROTKEY_EMU_RENC_OLD_TO_CURRENT:
		from = PROTKEY_EMU_MK_OLD;
		to = PROTKEY_EMU_MK_CURRENT;
		break;
	case PROTKEY_EMU_RENC_CURRENT_TO_NEW:
		from = PROTKEY_EMU_MK_CURRENT;
		to = PROTKEY_EMU_MK_NEW;
		break;
	default:
		*msg = "unknown re-encipher mode";
		return -EINVAL;
	}
	ret = emu_token_parse(token, len, &tok);
	if (ret) {
		*msg = ret == -EIO ? "adapter rejected the secure key" :
				     "malformed secure key";
		return ret;
	}
	mutex_lock(&emu_lock);
	ret = reencipher_locked(&tok, from, to, msg);
	mutex_unlock(&emu_lock);
	if (!ret)
		ret = emu_token_build(&tok, out, PROTKEY_EMU_SECKEY_SIZE);
	memzero_explicit(&tok, sizeof(tok));
	if (!ret)
		emu_count(EMU_CNT_REENCIPHERS);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(emu_key_reencipher, PROTKEY_EMU_CONTROL);

/**
 * emu_adapter_set_online() - take an adapter (or all) on- or offline
 * @apqn: the adapter, or EMU_ALL_APQNS
 * @online: the new state
 * @msg: output, a static message on error
 *
 * Context: process context; takes emu_lock.
 * Return: 0; -ENODEV for an unknown APQN.
 */
int emu_adapter_set_online(u32 apqn, bool online, const char **msg)
{
	unsigned int i, last;
	int ret;

	mutex_lock(&emu_lock);
	ret = adapter_range(apqn, &i, &last, msg);
	for (; !ret && i < last; i++)
		emu_adapters[i].online = online;
	mutex_unlock(&emu_lock);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(emu_adapter_set_online, PROTKEY_EMU_CONTROL);

/**
 * emu_adapters_set_outage() - make every adapter unusable for a while
 * @outage_ms: length of the outage from now; 0 ends an outage
 *
 * A deadline, not a timer: usability is computed from ktime_get().
 *
 * Context: process context; takes emu_lock.
 */
void emu_adapters_set_outage(u32 outage_ms)
{
	mutex_lock(&emu_lock);
	emu_outage_until = ktime_add_ms(ktime_get(), outage_ms);
	mutex_unlock(&emu_lock);
}

/**
 * emu_set_latency() - set the cost of each derive
 * @latency_us: base latency in microseconds; 0 for none
 * @query_us: cost of querying one usable APQN, in microseconds; each
 *	derive pays it once per usable adapter
 *
 * Context: any context.
 */
void emu_set_latency(u32 latency_us, u32 query_us)
{
	WRITE_ONCE(emu_latency_us, latency_us);
	WRITE_ONCE(emu_query_us, query_us);
}
EXPORT_SYMBOL_NS_GPL(emu_set_latency, PROTKEY_EMU_CONTROL);

/**
 * emu_fail_derives() - fail the next derives with an errno
 * @count: how many; 0 cancels
 * @err: positive errno the derives return negated; out of 1..MAX_ERRNO
 *	means EIO
 *
 * Context: any context.
 */
void emu_fail_derives(u32 count, int err)
{
	if (err <= 0 || err > MAX_ERRNO)
		err = EIO;
	WRITE_ONCE(emu_fail_errno, -err);
	atomic_set(&emu_fail_count, min_t(u32, count, INT_MAX));
}
EXPORT_SYMBOL_NS_GPL(emu_fail_derives, PROTKEY_EMU_CONTROL);

/**
 * emu_set_busy() - make the adapter answer "busy" to the next derives
 * @count: how many; 0 cancels
 *
 * A derive that reaches an adapter (pkey's token checks passed, an adapter
 * with the key's master key is usable) gets -EBUSY instead of a protected
 * key, as cca_sec2protkey() reports CCA's reply code 8, reason 2290. Each
 * such answer uses up one of @count and is counted.
 *
 * Context: any context.
 */
void emu_set_busy(u32 count)
{
	atomic_set(&emu_busy_count, min_t(u32, count, INT_MAX));
}
EXPORT_SYMBOL_NS_GPL(emu_set_busy, PROTKEY_EMU_CONTROL);

/**
 * emu_get_adapters() - snapshot the adapters for reporting
 * @out: output array
 * @max: its size in entries
 *
 * Context: process context; takes emu_lock.
 * Return: the number of adapters (may exceed @max; only @max are filled).
 */
unsigned int emu_get_adapters(struct emu_adapter_state *out, unsigned int max)
{
	ktime_t now = ktime_get();
	unsigned int i;
	int r;

	mutex_lock(&emu_lock);
	for (i = 0; i < emu_nr_adapters && i < max; i++) {
		const struct emu_adapter *a = &emu_adapters[i];

		memset(&out[i], 0, sizeof(out[i]));
		out[i].apqn = a->apqn;
		out[i].online = adapter_usable(a, now);
		out[i].mkvp_valid = a->mk_valid;
		for (r = PROTKEY_EMU_MK_NEW; r <= PROTKEY_EMU_MK_OLD; r++)
			put_unaligned_be64(a->mkvp[r], out[i].mkvp[r]);
	}
	i = emu_nr_adapters;
	mutex_unlock(&emu_lock);
	return i;
}
EXPORT_SYMBOL_NS_GPL(emu_get_adapters, PROTKEY_EMU_CONTROL);

/**
 * emu_reset() - reset the adapters to their state after module load
 *
 * Context: process context; takes emu_lock. Sets every adapter online with
 * empty registers, ends an outage, and cancels latency, injected
 * failures, busy answers and early KM stops. For tests; the wrapping key
 * is not touched.
 */
void emu_reset(void)
{
	unsigned int i;

	mutex_lock(&emu_lock);
	for (i = 0; i < emu_nr_adapters; i++) {
		u32 apqn = emu_adapters[i].apqn;

		memzero_explicit(&emu_adapters[i], sizeof(emu_adapters[i]));
		emu_adapters[i].apqn = apqn;
		emu_adapters[i].online = true;
	}
	emu_outage_until = 0;
	mutex_unlock(&emu_lock);
	emu_set_latency(0, 0);
	emu_fail_derives(0, EIO);
	emu_set_busy(0);
	emu_km_partial(0, 1);
}
EXPORT_SYMBOL_NS_GPL(emu_reset, PROTKEY_EMU_CONTROL);

/**
 * emu_adapters_init() - create the adapters
 * @nr: how many, 1..EMU_MAX_ADAPTERS: cards 0..nr-1 in domain EMU_DOMAIN
 *
 * Context: process context (module init).
 * Return: 0; -EINVAL for a bad @nr; -ENOMEM.
 */
int emu_adapters_init(unsigned int nr)
{
	unsigned int i;

	if (!nr || nr > EMU_MAX_ADAPTERS)
		return -EINVAL;
	emu_adapters = kcalloc(nr, sizeof(*emu_adapters), GFP_KERNEL);
	if (!emu_adapters)
		return -ENOMEM;
	for (i = 0; i < nr; i++) {
		emu_adapters[i].apqn = PROTKEY_EMU_APQN(i, EMU_DOMAIN);
		emu_adapters[i].online = true;
	}
	emu_nr_adapters = nr;
	return 0;
}

/**
 * emu_adapters_exit() - wipe and free the adapters
 *
 * Context: process context (module exit or failed init).
 */
void emu_adapters_exit(void)
{
	kfree_sensitive(emu_adapters);
	emu_adapters = NULL;
	emu_nr_adapters = 0;
}
