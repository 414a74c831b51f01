// SPDX-License-Identifier: GPL-2.0-only
/*
 * protkey_emu crypto adapters: emulated Crypto Express APQNs, each in one
 * mode: CCA (the AES master-key registers NEW, CURRENT and OLD), EP11 (the
 * wrapping keys CURRENT and NEW, the NEW one uncommitted or committed) or
 * accelerator (no keys). Each has an online state, and the faults tests
 * inject (outage until a deadline, derive latency, fail the next N
 * derives, answer "busy" to the next N). Derive, key generation and
 * re-encipher run here; the protected-key wrapping is cpacf.c's.
 *
 * An EP11 adapter keeps its wrapping keys in the registers CURRENT and NEW
 * of the CCA layout; it has no OLD one. As on a real EP11 coprocessor, a
 * wrapping key loaded into NEW must be committed before keys can be
 * re-enciphered to it or it can be made CURRENT, and making it CURRENT
 * drops the previous CURRENT one: keys still under it are lost (zkey's
 * "ep11 master key change" procedure re-enciphers them first).
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
 *  -ENOKEY  MK set, commit or re-encipher needs a register that is
 *           empty, or MK set an EP11 NEW wrapping key that is not
 *           committed
 *           (the emulator's choice: CCA and EP11 answer with a reply code
 *           that user space sees; there is no kernel errno for it)
 *  any      the errno injected with emu_fail_derives()
 *
 * For EP11 keys the same errnos apply with EP11's facts: pkey's own
 * checks (ep11_check_aes_key_with_hdr(), ep11_check_aes_key()) give
 * -EINVAL; no usable EP11 adapter with the key's WKVP as its CURRENT
 * wrapping key gives -ENODEV (ep11_findcard2() fails), as does an EP11
 * re-encipher without a committed NEW wrapping key; a blob whose MAC
 * does not verify, or whose fields only the adapter checks are wrong,
 * gives -EIO.
 */
#include <crypto/aes.h>
#include <crypto/algapi.h>
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
 * @mode: &enum protkey_emu_mode, set by emu_adapter_set_mode()
 * @default_mode: the mode given at module load, restored by emu_reset()
 * @online: set by emu_adapter_set_online()
 * @wk_new: EP11 only: &enum protkey_emu_wk_new of the NEW register
 * @mk_valid: bit (1 << reg) set when register reg holds a key
 * @mk: clear master key (CCA) or wrapping key (EP11) per &enum
 *	protkey_emu_mk_reg (index 0 unused)
 * @mkvp: MKVP per register, host order; for EP11 the first 8 WKVP bytes
 * @wkvp: EP11 only: the WKVP per register
 * @bs: SE guest, EP11 and accelerator queues: &enum protkey_emu_se_bs, as
 *	last set; se_bs() gives the state a TAPQ would report now
 * @assoc_pending: an association request waits for the UV until @assoc_due
 * @assoc_idx: the secret index associated with, or requested
 * @assoc_due: when the UV answers the pending association request
 *
 * All members are protected by emu_lock.
 */
struct emu_adapter {
	u32 apqn;
	u32 mode;
	u32 default_mode;
	bool online;
	u32 wk_new;
	u32 mk_valid;
	u8 mk[EMU_NR_REGS][PROTKEY_EMU_MK_SIZE];
	u64 mkvp[EMU_NR_REGS];
	u8 wkvp[EMU_NR_REGS][PROTKEY_EMU_WKVP_SIZE];
	u32 bs;
	bool assoc_pending;
	u32 assoc_idx;
	ktime_t assoc_due;
};

static bool se_guest;
module_param(se_guest, bool, 0444);
MODULE_PARM_DESC(se_guest, "start as a Secure Execution guest (default: no)");

static DEFINE_MUTEX(emu_lock);
/* Protected by emu_lock. */
static struct emu_adapter *emu_adapters;
static unsigned int emu_nr_adapters;
static ktime_t emu_outage_until;
static bool emu_se;
static u32 emu_assoc_delay_ms = 20;
static int emu_unassoc_errno = -ENODEV;

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

/**
 * emu_wkvp_of() - the verification pattern of an EP11 wrapping key
 * @wk: a 32-byte wrapping key
 * @wkvp: output: SHA-256(0x02 || WK), the emulator's WKVP (an EP11 key
 *	blob holds its leftmost 16 bytes, as a real one does)
 *
 * Context: any context.
 */
void emu_wkvp_of(const u8 wk[PROTKEY_EMU_MK_SIZE],
		 u8 wkvp[PROTKEY_EMU_WKVP_SIZE])
{
	u8 in[1 + PROTKEY_EMU_MK_SIZE];

	in[0] = 0x02;
	memcpy(in + 1, wk, PROTKEY_EMU_MK_SIZE);
	sha256(in, sizeof(in), wkvp);
	memzero_explicit(in, sizeof(in));
}
EXPORT_SYMBOL_IF_KUNIT(emu_wkvp_of);

/* Has @a SE state: an SE guest's EP11 or accelerator queue. */
static bool has_se(const struct emu_adapter *a)
{
	return emu_se && a->mode != PROTKEY_EMU_MODE_CCA;
}

/*
 * The binding state a TAPQ of @a reports at @now: a pending association
 * is decided once the UV answers, at @a->assoc_due: associated (bs 0) if
 * the index holds an association secret, else the queue is unusable
 * (bs 3; the emulator's choice, the kernel then puts it in error state).
 * The store only loses secrets when every binding goes too (reboot).
 */
static u32 se_bs(const struct emu_adapter *a, ktime_t now)
{
	if (a->assoc_pending && !ktime_before(now, a->assoc_due))
		return emu_uv_is_association(a->assoc_idx) ?
			       PROTKEY_EMU_SE_BS_USABLE :
			       PROTKEY_EMU_SE_BS_UNUSABLE;
	return a->bs;
}

static bool se_pending(const struct emu_adapter *a, ktime_t now)
{
	return a->assoc_pending && ktime_before(now, a->assoc_due);
}

/*
 * Usable for requests: online and not in an outage; in an SE guest also
 * not a CCA queue (never usable there) and bound (bs 0 or 1), as
 * ap_queue_usable() requires.
 */
static bool adapter_usable(const struct emu_adapter *a, ktime_t now)
{
	lockdep_assert_held(&emu_lock);
	if (!a->online || ktime_before(now, emu_outage_until))
		return false;
	if (!emu_se)
		return true;
	return has_se(a) &&
	       se_bs(a, now) <= PROTKEY_EMU_SE_BS_USABLE_NO_SECURE_KEY;
}

/*
 * A usable adapter of @mode with register @reg loaded that may serve
 * secure-key operations: in an SE guest only an associated queue (bs 0).
 */
static bool adapter_has(const struct emu_adapter *a, u32 mode, int reg,
			ktime_t now)
{
	return a->mode == mode && adapter_usable(a, now) &&
	       (a->mk_valid & MK_BIT(reg)) &&
	       (!emu_se || se_bs(a, now) == PROTKEY_EMU_SE_BS_USABLE);
}

/* Does @a's register @reg hold the key @tok names? (@a has the mode.) */
static bool reg_matches(const struct emu_adapter *a, int reg,
			const struct emu_token *tok)
{
	if (tok->type->mode == PROTKEY_EMU_MODE_EP11)
		return !memcmp(a->wkvp[reg], tok->wkvp, sizeof(tok->wkvp));
	return a->mkvp[reg] == tok->mkvp;
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

/*
 * Builds @tok (its @type set, for EP11 also its @attr) from @clear
 * (key_bits / 8 bytes) under register @reg of adapter @a.
 */
static void seal_key(struct emu_token *tok, const u8 *clear, u32 key_bits,
		     const struct emu_adapter *a, int reg)
{
	u8 padded[EMU_ENC_KEY_SIZE] = {};

	memcpy(padded, clear, key_bits / 8);
	tok->key_bits = key_bits;
	tok->mkvp = a->mkvp[reg];
	mk_crypt(a->mk[reg], padded, tok->enc_key, true);
	if (tok->type->mode == PROTKEY_EMU_MODE_EP11) {
		memcpy(tok->wkvp, a->wkvp[reg], sizeof(tok->wkvp));
		emu_ep11_mac(a->mk[reg], tok, tok->mac);
	} else {
		tok->lrc = emu_token_lrc(clear, key_bits / 8);
	}
	memzero_explicit(padded, sizeof(padded));
}

/*
 * Decrypts @tok under @mk into @clear (32 bytes). The adapter checks what it
 * can: an EP11 blob's MAC must verify; the padding beyond the key size must
 * be zero and a CCA token's LRC must match. Anything else is a rejected
 * request, -EIO as cca_sec2protkey() and ep11_kblob2protkey() report the
 * adapter's reply.
 */
static int unseal_key(const struct emu_token *tok, const u8 *mk, u8 *clear)
{
	u32 keylen = tok->key_bits / 8;
	u8 mac[EMU_EP11_MAC_SIZE];

	if (tok->type->mode == PROTKEY_EMU_MODE_EP11) {
		emu_ep11_mac(mk, tok, mac);
		if (crypto_memneq(mac, tok->mac, sizeof(mac)))
			return -EIO;
	}
	mk_crypt(mk, tok->enc_key, clear, false);
	if (memchr_inv(clear + keylen, 0, EMU_ENC_KEY_SIZE - keylen) ||
	    (tok->type->mode == PROTKEY_EMU_MODE_CCA &&
	     emu_token_lrc(clear, keylen) != tok->lrc)) {
		memzero_explicit(clear, EMU_ENC_KEY_SIZE);
		return -EIO;
	}
	return 0;
}

/*
 * Finds a usable adapter of @tok's mode that holds its key: a CCA token's
 * MKVP in CURRENT or else OLD, preferring CURRENT over all adapters first
 * as cca_findcard() does; an EP11 key's WKVP in CURRENT only, as
 * ep11_findcard2() matches the current WKVP. Copies the matching key to
 * @mk. Caller holds emu_lock. Return: the register that matched, or 0.
 */
static int find_mk(const struct emu_token *tok, u8 *mk, bool *unassoc)
{
	static const int regs[] = { PROTKEY_EMU_MK_CURRENT,
				    PROTKEY_EMU_MK_OLD };
	u32 mode = tok->type->mode;
	ktime_t now = ktime_get();
	unsigned int i, pass;

	for (pass = 0; pass < ARRAY_SIZE(regs); pass++) {
		int r = regs[pass];

		if (pass && mode == PROTKEY_EMU_MODE_EP11)
			break;
		for (i = 0; i < emu_nr_adapters; i++) {
			struct emu_adapter *a = &emu_adapters[i];

			if (emu_se && adapter_usable(a, now) &&
			    a->mode == mode && (a->mk_valid & MK_BIT(r)) &&
			    se_bs(a, now) != PROTKEY_EMU_SE_BS_USABLE &&
			    reg_matches(a, r, tok))
				*unassoc = true;
			if (!adapter_has(a, mode, r, now) ||
			    !reg_matches(a, r, tok))
				continue;
			memcpy(mk, a->mk[r], PROTKEY_EMU_MK_SIZE);
			return r;
		}
	}
	return 0;
}

/*
 * The HSM round trip of a derive: the base latency, plus one query per
 * usable APQN of the key's mode (pkey asks every online CCA or EP11 APQN
 * for its master-key verification patterns to find one that holds the
 * key's MKVP or WKVP), then an
 * injected failure if one is due. Both costs are counted as simulated
 * time, so tests see them applied without timing anything.
 */
static void emu_round_trip(u32 mode, int *ret)
{
	u32 base = READ_ONCE(emu_latency_us), per = READ_ONCE(emu_query_us);
	ktime_t now = ktime_get();
	unsigned int i, n = 0;
	u64 us;

	mutex_lock(&emu_lock);
	for (i = 0; i < emu_nr_adapters; i++)
		n += emu_adapters[i].mode == mode &&
		     adapter_usable(&emu_adapters[i], now);
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
 * emu_derive_cause() - why a derive of a CCA or EP11 key fails, in words
 * @blob: the secure key
 * @len: its length
 * @err: the derive's negative errno
 * @buf: output
 * @size: its size
 *
 * What an administrator would find with lszcrypt: in an SE guest, a CCA
 * key has no usable queue at all, and an EP11 key whose master key a
 * queue holds but that is not associated (bs 1, 2 or 3, or association
 * pending) names that queue; elsewhere a -ENODEV means no online queue
 * holds the key's master key.
 *
 * Context: process context; takes emu_lock.
 * Return: the length written, 0 for nothing to say.
 */
int emu_derive_cause(const u8 *blob, u32 len, int err, char *buf, size_t size)
{
	ktime_t now = ktime_get();
	struct emu_token tok;
	const char *what;
	unsigned int i;
	int n = 0;

	if (err != -ENODEV && err != READ_ONCE(emu_unassoc_errno))
		return 0;
	if (emu_token_check(blob, len, &tok))
		return 0;
	mutex_lock(&emu_lock);
	if (ktime_before(now, emu_outage_until)) {
		n = scnprintf(buf, size, "adapters unavailable (outage)");
		goto out;
	}
	if (emu_se && tok.type->mode == PROTKEY_EMU_MODE_CCA) {
		n = scnprintf(buf, size, "CCA keys are unusable in %s",
			      "a Secure Execution guest");
		goto out;
	}
	for (i = 0; emu_se && i < emu_nr_adapters; i++) {
		struct emu_adapter *a = &emu_adapters[i];

		/* Unbound queues are not usable; online ones still count. */
		if (a->mode != tok.type->mode || !a->online ||
		    ktime_before(now, emu_outage_until) ||
		    !(a->mk_valid & MK_BIT(PROTKEY_EMU_MK_CURRENT)) ||
		    !reg_matches(a, PROTKEY_EMU_MK_CURRENT, &tok))
			continue;
		if (se_pending(a, now))
			what = "association pending";
		else if (se_bs(a, now) == PROTKEY_EMU_SE_BS_USABLE)
			continue;
		else if (se_bs(a, now) ==
			 PROTKEY_EMU_SE_BS_USABLE_NO_SECURE_KEY)
			what = "bound, no association secret";
		else if (se_bs(a, now) == PROTKEY_EMU_SE_BS_AVAIL_FOR_BINDING)
			what = "not bound";
		else
			what = "unusable";
		n = scnprintf(buf, size, "queue %02x.%04x not associated (%s)",
			      PROTKEY_EMU_APQN_CARD(a->apqn),
			      PROTKEY_EMU_APQN_DOMAIN(a->apqn), what);
		goto out;
	}
	n = scnprintf(buf, size,
		      "no online %s queue holds the key's master key",
		      tok.type->mode == PROTKEY_EMU_MODE_EP11 ? "EP11" : "CCA");
out:
	mutex_unlock(&emu_lock);
	return n;
}

/**
 * emu_derive() - the platform's derive: secure key to protected key
 * @blob: the secure key
 * @len: its length
 * @pk: output, the protected key under the current wrapping key
 *
 * Models pkey_keyblob2pkey() for a CCA AES DATA token or an EP11 AES key:
 * pkey's own token checks, the HSM round trip (the configured base latency
 * and per-APQN query cost, injected failures), cca_findcard() (an adapter
 * with the MKVP in CURRENT is preferred over one with it in OLD) or
 * ep11_findcard2() (an EP11 adapter whose CURRENT wrapping key has the
 * key's WKVP), then cca_sec2protkey() or ep11_kblob2protkey(): the adapter
 * answers busy, or checks the token (for EP11 its MAC) and the key it
 * deciphers.
 *
 * Context: process context; sleeps for the configured costs; takes
 * emu_lock.
 * Return: 0; -EINVAL a token pkey refuses (size, type, version, zero
 * MKVP, EP11 magic or attributes); -ENODEV no usable adapter holds the
 * key's master key (CCA: CURRENT or OLD; EP11: CURRENT); -EBUSY the adapter
 * is busy; -EIO the adapter rejects the token or the key; an injected errno.
 */
int emu_derive(const u8 *blob, u32 len, struct protkey_pk *pk)
{
	u8 mk[PROTKEY_EMU_MK_SIZE];
	u8 clear[EMU_ENC_KEY_SIZE];
	bool unassoc = false;
	struct emu_token tok;
	int ret;

	might_sleep();
	ret = emu_token_check(blob, len, &tok);
	if (!ret)
		emu_round_trip(tok.type->mode, &ret);
	if (ret)
		goto out_count;

	mutex_lock(&emu_lock);
	ret = find_mk(&tok, mk, &unassoc) ? 0 :
	      unassoc			  ? READ_ONCE(emu_unassoc_errno) :
					    -ENODEV;
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
	memzero_explicit(&tok, sizeof(tok));
out_count:
	emu_count(ret ? EMU_CNT_DERIVE_ERRORS : EMU_CNT_DERIVES);
	return ret;
}

/**
 * emu_key_derive() - emu_derive() for the netlink family's KEY_DERIVE
 * @blob: the secure key
 * @len: its length
 * @pk: output, EMU_PROTKEY_MAX_SIZE bytes: the protected key and its WKVP
 * @pk_len: output, the bytes of @pk used
 *
 * A token pkey refuses is refused before the derive, uncounted.
 *
 * Context: process context; may sleep.
 * Return: as emu_derive().
 */
int emu_key_derive(const u8 *blob, u32 len, u8 *pk, u32 *pk_len)
{
	struct emu_token tok;
	struct protkey_pk p;
	int ret;

	BUILD_BUG_ON(EMU_PROTKEY_MAX_SIZE != PROTKEY_MAX_PROTKEY_SIZE);
	/* A malformed request changes nothing, not even the counters. */
	ret = emu_token_check(blob, len, &tok);
	memzero_explicit(&tok, sizeof(tok));
	if (ret)
		return ret;
	ret = emu_derive(blob, len, &p);
	if (!ret) {
		memcpy(pk, p.protkey, p.len);
		*pk_len = p.len;
	}
	memzero_explicit(&p, sizeof(p));
	return ret;
}

/**
 * emu_key_info() - parse a secure key and report its master-key match
 * @blob: the secure key
 * @len: its length
 * @info: output
 *
 * The match is the best register over the usable adapters of the key's
 * mode: CURRENT, then OLD, then NEW (an EP11 adapter has no OLD); the
 * usable adapters counted are those of the key's mode. For an EP11 key,
 * @info->mkvp is the first 8 bytes of its WKVP.
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
	u32 mode;
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
	mode = tok.type->mode;

	mutex_lock(&emu_lock);
	for (i = 0; i < emu_nr_adapters; i++)
		info->usable_adapters += emu_adapters[i].mode == mode &&
					 adapter_usable(&emu_adapters[i], now);
	for (j = 0; j < ARRAY_SIZE(order) && !info->match; j++) {
		for (i = 0; i < emu_nr_adapters; i++) {
			struct emu_adapter *a = &emu_adapters[i];

			if (adapter_has(a, mode, order[j], now) &&
			    reg_matches(a, order[j], &tok)) {
				info->match = match[j];
				break;
			}
		}
	}
	mutex_unlock(&emu_lock);
	memzero_explicit(&tok, sizeof(tok));
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

/* Empties register @reg of @a. */
static void reg_clear(struct emu_adapter *a, int reg)
{
	memzero_explicit(a->mk[reg], PROTKEY_EMU_MK_SIZE);
	memzero_explicit(a->wkvp[reg], PROTKEY_EMU_WKVP_SIZE);
	a->mkvp[reg] = 0;
	a->mk_valid &= ~MK_BIT(reg);
	if (reg == PROTKEY_EMU_MK_NEW)
		a->wk_new = PROTKEY_EMU_WK_NEW_EMPTY;
}

/*
 * Checks the adapters of an operation that an accelerator cannot do: an
 * addressed accelerator is an error, "all" passes over them. Caller holds
 * emu_lock. Return: 0, or -EINVAL.
 */
static int no_accel(u32 apqn, unsigned int first, const char **msg)
{
	if (apqn != EMU_ALL_APQNS &&
	    emu_adapters[first].mode == PROTKEY_EMU_MODE_ACCEL) {
		*msg = "an accelerator has no master keys";
		return -EINVAL;
	}
	return 0;
}

/**
 * emu_mk_load() - load a master key into the NEW register, as a TKE does
 * @apqn: the adapter, or EMU_ALL_APQNS (every CCA and EP11 adapter)
 * @mk: the clear 32-byte AES master key (CCA) or wrapping key (EP11)
 * @msg: output, a static message on error
 *
 * On an EP11 adapter the loaded key is uncommitted (emu_mk_commit()).
 *
 * Context: process context; takes emu_lock.
 * Return: 0; -ENODEV for an unknown APQN; -EINVAL for an accelerator.
 */
int emu_mk_load(u32 apqn, const u8 mk[PROTKEY_EMU_MK_SIZE], const char **msg)
{
	const int reg = PROTKEY_EMU_MK_NEW;
	u8 wkvp[PROTKEY_EMU_WKVP_SIZE];
	u64 mkvp = emu_mkvp_of(mk);
	unsigned int i, last;
	int ret;

	emu_wkvp_of(mk, wkvp);
	mutex_lock(&emu_lock);
	ret = adapter_range(apqn, &i, &last, msg);
	if (!ret)
		ret = no_accel(apqn, i, msg);
	for (; !ret && i < last; i++) {
		struct emu_adapter *a = &emu_adapters[i];

		if (a->mode == PROTKEY_EMU_MODE_ACCEL)
			continue;
		memcpy(a->mk[reg], mk, PROTKEY_EMU_MK_SIZE);
		a->mk_valid |= MK_BIT(reg);
		if (a->mode == PROTKEY_EMU_MODE_EP11) {
			memcpy(a->wkvp[reg], wkvp, sizeof(wkvp));
			a->mkvp[reg] = get_unaligned_be64(wkvp);
			a->wk_new = PROTKEY_EMU_WK_NEW_UNCOMMITTED;
		} else {
			a->mkvp[reg] = mkvp;
		}
	}
	mutex_unlock(&emu_lock);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(emu_mk_load, PROTKEY_EMU_CONTROL);

/**
 * emu_mk_commit() - commit an EP11 adapter's NEW wrapping key
 * @apqn: the adapter, or EMU_ALL_APQNS (every EP11 adapter)
 * @msg: output, a static message on error
 *
 * All addressed EP11 adapters commit, or none does.
 *
 * Context: process context; takes emu_lock.
 * Return: 0; -ENODEV for an unknown APQN; -EINVAL for an adapter that is
 * not in EP11 mode, or "all" when there is no EP11 adapter; -ENOKEY when
 * an addressed NEW wrapping key is empty or already committed.
 */
int emu_mk_commit(u32 apqn, const char **msg)
{
	unsigned int i, first, last, n = 0;
	int ret;

	mutex_lock(&emu_lock);
	ret = adapter_range(apqn, &first, &last, msg);
	for (i = first; !ret && i < last; i++) {
		const struct emu_adapter *a = &emu_adapters[i];

		if (a->mode != PROTKEY_EMU_MODE_EP11)
			continue;
		n++;
		if (a->wk_new != PROTKEY_EMU_WK_NEW_UNCOMMITTED) {
			*msg = a->wk_new == PROTKEY_EMU_WK_NEW_EMPTY ?
				       "NEW wrapping-key register is empty" :
				       "NEW wrapping key is already committed";
			ret = -ENOKEY;
		}
	}
	if (!ret && !n) {
		*msg = apqn == EMU_ALL_APQNS ?
			       "no adapter is in EP11 mode" :
			       "only an EP11 adapter commits a wrapping key";
		ret = -EINVAL;
	}
	for (i = first; !ret && i < last; i++) {
		if (emu_adapters[i].mode == PROTKEY_EMU_MODE_EP11)
			emu_adapters[i].wk_new = PROTKEY_EMU_WK_NEW_COMMITTED;
	}
	mutex_unlock(&emu_lock);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(emu_mk_commit, PROTKEY_EMU_CONTROL);

static void mk_move(struct emu_adapter *a, int from, int to)
{
	memcpy(a->mk[to], a->mk[from], PROTKEY_EMU_MK_SIZE);
	memcpy(a->wkvp[to], a->wkvp[from], PROTKEY_EMU_WKVP_SIZE);
	a->mkvp[to] = a->mkvp[from];
	a->mk_valid |= MK_BIT(to);
	reg_clear(a, from);
}

/**
 * emu_mk_set() - activate the NEW master key
 * @apqn: the adapter, or EMU_ALL_APQNS (every CCA and EP11 adapter)
 * @msg: output, a static message on error
 *
 * CCA: CURRENT -> OLD, NEW -> CURRENT. EP11: a committed NEW wrapping key
 * becomes CURRENT and the previous CURRENT one is gone. All addressed
 * adapters change, or none does.
 *
 * Context: process context; takes emu_lock.
 * Return: 0; -ENODEV for an unknown APQN; -EINVAL for an accelerator;
 * -ENOKEY when an addressed adapter's NEW register is empty or, on EP11,
 * not committed.
 */
int emu_mk_set(u32 apqn, const char **msg)
{
	unsigned int i, first, last;
	int ret;

	mutex_lock(&emu_lock);
	ret = adapter_range(apqn, &first, &last, msg);
	if (!ret)
		ret = no_accel(apqn, first, msg);
	for (i = first; !ret && i < last; i++) {
		const struct emu_adapter *a = &emu_adapters[i];

		if (a->mode == PROTKEY_EMU_MODE_ACCEL)
			continue;
		if (!(a->mk_valid & MK_BIT(PROTKEY_EMU_MK_NEW))) {
			*msg = "NEW master-key register is empty";
			ret = -ENOKEY;
		} else if (a->mode == PROTKEY_EMU_MODE_EP11 &&
			   a->wk_new != PROTKEY_EMU_WK_NEW_COMMITTED) {
			*msg = "NEW wrapping key is not committed";
			ret = -ENOKEY;
		}
	}
	for (i = first; !ret && i < last; i++) {
		struct emu_adapter *a = &emu_adapters[i];

		if (a->mode == PROTKEY_EMU_MODE_ACCEL)
			continue;
		if (a->mode == PROTKEY_EMU_MODE_EP11)
			reg_clear(a, PROTKEY_EMU_MK_CURRENT);
		else if (a->mk_valid & MK_BIT(PROTKEY_EMU_MK_CURRENT))
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
 * clears only NEW and OLD; zeroising the adapter is not modelled). An EP11
 * adapter has no OLD register: on all adapters it is passed over.
 *
 * Context: process context; takes emu_lock.
 * Return: 0; -EINVAL for another register, for an accelerator, or for OLD
 * on an EP11 adapter; -ENODEV for an unknown APQN.
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
	if (!ret)
		ret = no_accel(apqn, i, msg);
	if (!ret && apqn != EMU_ALL_APQNS && reg == PROTKEY_EMU_MK_OLD &&
	    emu_adapters[i].mode == PROTKEY_EMU_MODE_EP11) {
		*msg = "an EP11 adapter has no OLD register";
		ret = -EINVAL;
	}
	for (; !ret && i < last; i++) {
		struct emu_adapter *a = &emu_adapters[i];

		if (a->mode == PROTKEY_EMU_MODE_CCA ||
		    (a->mode == PROTKEY_EMU_MODE_EP11 &&
		     reg == PROTKEY_EMU_MK_NEW))
			reg_clear(a, reg);
	}
	mutex_unlock(&emu_lock);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(emu_mk_clear, PROTKEY_EMU_CONTROL);

/*
 * Caller holds emu_lock. Return: the first usable adapter of @mode with
 * @reg loaded.
 */
static struct emu_adapter *first_with(u32 mode, int reg)
{
	ktime_t now = ktime_get();
	unsigned int i;

	for (i = 0; i < emu_nr_adapters; i++) {
		if (adapter_has(&emu_adapters[i], mode, reg, now))
			return &emu_adapters[i];
	}
	return NULL;
}

/*
 * Makes a secure key of @key_type on adapter @apqn, or with EMU_ALL_APQNS on
 * the first usable adapter of the type's mode with a CURRENT key; see
 * emu_key_generate_type() for the rest.
 */
static int generate_on(u32 apqn, u32 key_type, u32 key_bits, const u8 *clear,
		       u32 clear_len, u8 *token, u32 size, u32 *len,
		       const char **msg)
{
	const struct emu_token_type *tt = emu_token_type_of(key_type);
	u8 key[EMU_ENC_KEY_SIZE];
	struct emu_adapter *a;
	struct emu_token tok = {};
	int ret = 0;

	if (!tt) {
		*msg = "unknown key type";
		return -EINVAL;
	}
	if (size < tt->size) {
		*msg = "buffer too small for the key";
		return -EINVAL;
	}
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

	tok.type = tt;
	tok.attr = EMU_EP11_ATTR_DEFAULTS;
	mutex_lock(&emu_lock);
	if (apqn == EMU_ALL_APQNS) {
		a = first_with(tt->mode, PROTKEY_EMU_MK_CURRENT);
	} else {
		a = adapter_by_apqn(apqn);
		if (a && !adapter_has(a, tt->mode, PROTKEY_EMU_MK_CURRENT,
				      ktime_get()))
			a = NULL;
	}
	if (a)
		seal_key(&tok, key, key_bits, a, PROTKEY_EMU_MK_CURRENT);
	mutex_unlock(&emu_lock);
	memzero_explicit(key, sizeof(key));
	if (!a) {
		*msg = "no usable adapter of the mode with a CURRENT key";
		return -ENODEV;
	}
	ret = emu_token_build(&tok, token, tt->size);
	memzero_explicit(&tok, sizeof(tok));
	if (ret)
		return ret;
	*len = tt->size;
	emu_count(EMU_CNT_KEYS_GENERATED);
	return 0;
}

/**
 * emu_key_generate_type() - make a secure key under the CURRENT MK
 * @key_type: &enum protkey_emu_key_type
 * @key_bits: 128, 192 or 256
 * @clear: the clear key (@key_bits / 8 bytes), or NULL for a random key
 * @clear_len: length of @clear; ignored when @clear is NULL
 * @token: output buffer
 * @size: its size: at least the made token's
 * @len: output, the made token's size: 64 (CCA AES DATA), 336 (EP11 AES
 *	with header) or 320 (EP11 AES without header)
 * @msg: output, a static message on error
 *
 * Uses the first usable adapter of the key type's mode with a CURRENT
 * master key (CCA) or wrapping key (EP11), as PKEY_GENSECK2 and
 * PKEY_CLR2SECK2 use the first APQN that can serve. An EP11 key gets
 * the attributes the kernel's ep11_genaeskey() gives (EMU_EP11_ATTR_DEFAULTS).
 *
 * Context: process context; takes emu_lock.
 * Return: 0; -EINVAL for a bad key type, size or buffer; -ENODEV when no
 * usable adapter of the mode has a CURRENT key.
 */
int emu_key_generate_type(u32 key_type, u32 key_bits, const u8 *clear,
			  u32 clear_len, u8 *token, u32 size, u32 *len,
			  const char **msg)
{
	return generate_on(EMU_ALL_APQNS, key_type, key_bits, clear, clear_len,
			   token, size, len, msg);
}
EXPORT_SYMBOL_NS_GPL(emu_key_generate_type, PROTKEY_EMU_CONTROL);

/**
 * emu_key_generate() - make a CCA AES DATA secure key under the CURRENT MK
 * @key_bits: 128, 192 or 256
 * @clear: the clear key (@key_bits / 8 bytes), or NULL for a random key
 * @clear_len: length of @clear; ignored when @clear is NULL
 * @token: output, the 64-byte token
 * @msg: output, a static message on error
 *
 * emu_key_generate_type() for PROTKEY_EMU_KEY_CCA_AESDATA.
 *
 * Context: process context; takes emu_lock.
 * Return: as emu_key_generate_type().
 */
int emu_key_generate(u32 key_bits, const u8 *clear, u32 clear_len,
		     u8 token[PROTKEY_EMU_SECKEY_SIZE], const char **msg)
{
	u32 len;

	return emu_key_generate_type(PROTKEY_EMU_KEY_CCA_AESDATA, key_bits,
				     clear, clear_len, token,
				     PROTKEY_EMU_SECKEY_SIZE, &len, msg);
}
EXPORT_SYMBOL_NS_GPL(emu_key_generate, PROTKEY_EMU_CONTROL);

/**
 * emu_key_generate_at() - make a random secure key on one APQN
 * @apqn: PROTKEY_EMU_APQN(card, domain) of the adapter to ask
 * @key_type: &enum protkey_emu_key_type
 * @key_bits: 128, 192 or 256
 * @token: output buffer
 * @size: its size: at least the made token's
 * @len: output, the made token's size
 *
 * One step of PKEY_GENSECK2's walk over its APQN list (cca_genseckey() or
 * ep11_genaeskey() on that queue).
 *
 * Context: process context; takes emu_lock.
 * Return: 0; -EINVAL as emu_key_generate_type(); -ENODEV when @apqn is not
 * a usable adapter of the type's mode with a CURRENT key (in an SE guest:
 * a bound and associated queue).
 */
int emu_key_generate_at(u32 apqn, u32 key_type, u32 key_bits, u8 *token,
			u32 size, u32 *len)
{
	const char *msg = NULL;

	if (apqn == EMU_ALL_APQNS)
		return -ENODEV;
	return generate_on(apqn, key_type, key_bits, NULL, 0, token, size, len,
			   &msg);
}

/* Does @a's register @reg hold a key whose pattern is @vp (mode's size)? */
static bool reg_has_vp(const struct emu_adapter *a, int reg, const u8 *vp)
{
	if (!(a->mk_valid & MK_BIT(reg)))
		return false;
	if (a->mode == PROTKEY_EMU_MODE_EP11)
		return !memcmp(a->wkvp[reg], vp, EMU_EP11_BLOB_WKVP_SIZE);
	return a->mkvp[reg] == get_unaligned_be64(vp);
}

/**
 * emu_apqns_matching() - the APQNs pkey's findcard2 functions would find
 * @mode: &enum protkey_emu_mode: CCA or EP11
 * @cur: a pattern the CURRENT register must hold (CCA: the 8-byte MKVP as
 *	in a token; EP11: the 16 WKVP bytes of a blob), or NULL
 * @alt: CCA only: a pattern the OLD register must hold, or NULL
 * @apqns: output, up to @room APQNs (PROTKEY_EMU_APQN()), in adapter order
 * @room: the size of @apqns
 *
 * Lists the usable adapters of @mode with a CURRENT key (in an SE guest
 * the bound and associated queues) that match: with neither pattern
 * given every one; otherwise those whose CURRENT holds @cur or whose OLD
 * holds @alt, as cca_findcard2() and ep11_findcard2() match.
 *
 * Context: process context; takes emu_lock.
 * Return: the number of matching APQNs, which may exceed @room.
 */
u32 emu_apqns_matching(u32 mode, const u8 *cur, const u8 *alt, u32 *apqns,
		       u32 room)
{
	ktime_t now = ktime_get();
	unsigned int i;
	u32 n = 0;

	if (mode != PROTKEY_EMU_MODE_CCA)
		alt = NULL;
	mutex_lock(&emu_lock);
	for (i = 0; i < emu_nr_adapters; i++) {
		const struct emu_adapter *a = &emu_adapters[i];

		if (!adapter_has(a, mode, PROTKEY_EMU_MK_CURRENT, now))
			continue;
		if ((cur || alt) &&
		    !(cur && reg_has_vp(a, PROTKEY_EMU_MK_CURRENT, cur)) &&
		    !(alt && reg_has_vp(a, PROTKEY_EMU_MK_OLD, alt)))
			continue;
		if (n < room)
			apqns[n] = a->apqn;
		n++;
	}
	mutex_unlock(&emu_lock);
	return n;
}

/*
 * Re-enciphers @tok from register @from to register @to on the first usable
 * adapter of its mode whose @from holds the token's key. Caller holds
 * emu_lock.
 */
static int reencipher_locked(struct emu_token *tok, int from, int to,
			     const char **msg)
{
	u32 mode = tok->type->mode;
	u8 clear[EMU_ENC_KEY_SIZE];
	ktime_t now = ktime_get();
	struct emu_adapter *a = NULL;
	unsigned int i;
	int ret;

	for (i = 0; i < emu_nr_adapters && !a; i++) {
		if (adapter_has(&emu_adapters[i], mode, from, now) &&
		    reg_matches(&emu_adapters[i], from, tok))
			a = &emu_adapters[i];
	}
	if (!a && first_with(mode, from)) {
		*msg = "key is not enciphered under the source master key";
		return -EINVAL;
	}
	if (!a) {
		*msg = "no usable adapter with the source master key";
		return -ENODEV;
	}
	/* zkey re-enciphers EP11 keys on an APQN whose NEW is committed. */
	if (mode == PROTKEY_EMU_MODE_EP11 &&
	    a->wk_new != PROTKEY_EMU_WK_NEW_COMMITTED) {
		*msg = "no adapter with a committed NEW wrapping key";
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
	seal_key(tok, clear, tok->key_bits, a, to);
	memzero_explicit(clear, sizeof(clear));
	return 0;
}

/**
 * emu_key_reencipher() - re-encipher a secure key to another master key
 * @token: the secure key
 * @len: its length
 * @mode: OLD -> CURRENT (CCA RTCMK) or CURRENT -> NEW (RTNMK; for EP11 the
 *	only direction, to a committed NEW wrapping key)
 * @out: output, at least @len bytes: the re-enciphered key, with the
 *	target MKVP or WKVP, as long as @token
 * @msg: output, a static message on error
 *
 * Context: process context; takes emu_lock.
 * Return: 0; -EINVAL a token pkey would refuse, bad @mode (OLD -> CURRENT
 * on an EP11 key), or the token's MKVP is not in the source register of
 * any usable adapter; -ENODEV no usable adapter has the source register
 * loaded or, for EP11, a committed NEW wrapping key (as zkey's EP11
 * re-encipher fails); -ENOKEY the target register is empty; -EIO the
 * adapter rejects the token or the key.
 */
int emu_key_reencipher(const u8 *token, u32 len, enum protkey_emu_renc mode,
		       u8 *out, const char **msg)
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
	if (tok.type->mode == PROTKEY_EMU_MODE_EP11 &&
	    from == PROTKEY_EMU_MK_OLD) {
		*msg = "an EP11 key is re-enciphered from CURRENT to NEW only";
		return -EINVAL;
	}
	mutex_lock(&emu_lock);
	ret = reencipher_locked(&tok, from, to, msg);
	mutex_unlock(&emu_lock);
	if (!ret)
		ret = emu_token_build(&tok, out, len);
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
 * emu_adapter_set_mode() - switch an adapter (or all) to another mode
 * @apqn: the adapter, or EMU_ALL_APQNS
 * @mode: &enum protkey_emu_mode
 * @msg: output, a static message on error
 *
 * As on a real Crypto Express card, the mode changes only while the
 * adapter is offline, and a new mode starts with empty registers. All
 * addressed adapters change, or none does.
 *
 * Context: process context; takes emu_lock.
 * Return: 0; -EINVAL for a bad mode; -ENODEV for an unknown APQN; -EBUSY
 * when an addressed adapter is online.
 */
int emu_adapter_set_mode(u32 apqn, u32 mode, const char **msg)
{
	unsigned int i, first, last;
	int r, ret;

	if (mode < PROTKEY_EMU_MODE_CCA || mode > PROTKEY_EMU_MODE_ACCEL) {
		*msg = "unknown adapter mode";
		return -EINVAL;
	}
	mutex_lock(&emu_lock);
	ret = adapter_range(apqn, &first, &last, msg);
	for (i = first; !ret && i < last; i++) {
		if (emu_adapters[i].online) {
			*msg = "an adapter changes its mode only while offline";
			ret = -EBUSY;
		}
	}
	for (i = first; !ret && i < last; i++) {
		for (r = PROTKEY_EMU_MK_NEW; r <= PROTKEY_EMU_MK_OLD; r++)
			reg_clear(&emu_adapters[i], r);
		emu_adapters[i].mode = mode;
		emu_adapters[i].bs = PROTKEY_EMU_SE_BS_AVAIL_FOR_BINDING;
		emu_adapters[i].assoc_pending = false;
		emu_adapters[i].assoc_idx = 0;
	}
	mutex_unlock(&emu_lock);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(emu_adapter_set_mode, PROTKEY_EMU_CONTROL);

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

/* Caller holds emu_lock: every SE queue unbound, no association. */
static void se_unbind_all(void)
{
	unsigned int i;

	for (i = 0; i < emu_nr_adapters; i++) {
		emu_adapters[i].bs = PROTKEY_EMU_SE_BS_AVAIL_FOR_BINDING;
		emu_adapters[i].assoc_pending = false;
		emu_adapters[i].assoc_idx = 0;
	}
}

/**
 * emu_se_set() - make the emulated machine an SE guest, or an ordinary one
 * @se_guest: true for an SE guest
 * @msg: output, a static message on error
 *
 * A change boots another guest: every queue is unbound (bs 2, "available
 * for binding") and the UV secret store is wiped. The adapters keep their
 * master keys; the wrapping key is not changed. Setting the current value
 * changes nothing.
 *
 * Context: process context; takes emu_lock.
 * Return: 0.
 */
int emu_se_set(bool se_guest, const char **msg)
{
	mutex_lock(&emu_lock);
	if (emu_se != se_guest) {
		emu_se = se_guest;
		se_unbind_all();
		emu_uv_wipe();
	}
	mutex_unlock(&emu_lock);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(emu_se_set, PROTKEY_EMU_CONTROL);

/**
 * emu_se_set_knobs() - set the association delay and the unassociated errno
 * @assoc_delay_ms: how long an association stays pending, or U32_MAX to
 *	keep it
 * @unassoc_errno: -ENODEV or -EIO: what a secure-key operation through a
 *	bound but unassociated queue gives; 0 to keep it
 *
 * Which error a card in bs 1 answers a secure-key request with is not in
 * the sources: -ENODEV (the default) models zcrypt finding no queue that
 * serves, -EIO a card that rejects it.
 *
 * Context: process context; takes emu_lock.
 */
void emu_se_set_knobs(u32 assoc_delay_ms, int unassoc_errno)
{
	mutex_lock(&emu_lock);
	if (assoc_delay_ms != U32_MAX)
		emu_assoc_delay_ms = assoc_delay_ms;
	if (unassoc_errno)
		WRITE_ONCE(emu_unassoc_errno, unassoc_errno);
	mutex_unlock(&emu_lock);
}
EXPORT_SYMBOL_NS_GPL(emu_se_set_knobs, PROTKEY_EMU_CONTROL);

/**
 * emu_se_guest() - is the emulated machine an SE guest?
 *
 * Context: process context; takes emu_lock.
 * Return: true in an SE guest.
 */
bool emu_se_guest(void)
{
	bool ret;

	mutex_lock(&emu_lock);
	ret = emu_se;
	mutex_unlock(&emu_lock);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(emu_se_guest, PROTKEY_EMU_CONTROL);

/*
 * The checks se_bind_store() and se_associate_store() share: an SE guest,
 * a known queue that has the attribute, and an idle one: offline or in an
 * outage (reset in progress) is not idle, -EBUSY. Caller holds emu_lock.
 */
static int se_queue(u32 apqn, bool assoc, ktime_t now, struct emu_adapter **ap,
		    const char **msg)
{
	struct emu_adapter *a = adapter_by_apqn(apqn);

	if (!a) {
		*msg = "no adapter with this APQN";
		return -ENODEV;
	}
	if (!emu_se) {
		*msg = "not a Secure Execution guest";
		return -EINVAL;
	}
	if (!has_se(a) || (assoc && a->mode != PROTKEY_EMU_MODE_EP11)) {
		*msg = assoc ? "only EP11 queues can be associated" :
			       "CCA queues cannot be bound in an SE guest";
		return -EINVAL;
	}
	if (!a->online || ktime_before(now, emu_outage_until)) {
		*msg = "queue not idle (offline or being reset)";
		return -EBUSY;
	}
	/* Make a decided association the queue's state. */
	a->bs = se_bs(a, now);
	a->assoc_pending = se_pending(a, now);
	*ap = a;
	return 0;
}

/**
 * emu_se_bind() - write to a queue's se_bind attribute
 * @apqn: the queue
 * @bind: true writes 1 (bind), false 0 (unbind)
 * @msg: output, a static message on error
 *
 * As se_bind_store(): binding needs bs 2 (-EINVAL) and an idle queue
 * (-EBUSY); the BAPQ leaves an EP11 queue bound but unassociated (bs 1)
 * and an accelerator queue usable (bs 0; accelerators are not associated,
 * the emulator's choice of its bs). Unbinding (a reset with the F bit)
 * works in every bs and leaves bs 2, the association gone.
 *
 * Context: process context; takes emu_lock.
 * Return: 0 or a negative errno; nothing changes on error.
 */
int emu_se_bind(u32 apqn, bool bind, const char **msg)
{
	ktime_t now = ktime_get();
	struct emu_adapter *a;
	int ret;

	mutex_lock(&emu_lock);
	ret = se_queue(apqn, false, now, &a, msg);
	if (ret)
		goto out;
	if (!bind) {
		a->bs = PROTKEY_EMU_SE_BS_AVAIL_FOR_BINDING;
		a->assoc_pending = false;
		a->assoc_idx = 0;
		goto out;
	}
	if (a->bs != PROTKEY_EMU_SE_BS_AVAIL_FOR_BINDING) {
		*msg = "queue is not available for binding (bs is not 2)";
		ret = -EINVAL;
		goto out;
	}
	a->bs = a->mode == PROTKEY_EMU_MODE_EP11 ?
			PROTKEY_EMU_SE_BS_USABLE_NO_SECURE_KEY :
			PROTKEY_EMU_SE_BS_USABLE;
out:
	mutex_unlock(&emu_lock);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(emu_se_bind, PROTKEY_EMU_CONTROL);

/**
 * emu_se_associate() - write a secret index to a queue's se_associate
 * @apqn: an EP11 queue
 * @index: the index of an association secret in the UV, < 0x10000
 * @msg: output, a static message on error
 *
 * As se_associate_store(): needs bs 1 without a pending request (-EINVAL;
 * a pending one is not idle, -EBUSY). The AAPQ is asynchronous: the queue
 * stays bs 1, "association pending", until the UV answers after the
 * association delay (emu_se_set_knobs()); then se_bs() decides.
 *
 * Context: process context; takes emu_lock.
 * Return: 0 or a negative errno; nothing changes on error.
 */
int emu_se_associate(u32 apqn, u32 index, const char **msg)
{
	ktime_t now = ktime_get();
	struct emu_adapter *a;
	int ret;

	if (index >= 0x10000) {
		*msg = "secret index above 0xffff";
		return -EINVAL;
	}
	mutex_lock(&emu_lock);
	ret = se_queue(apqn, true, now, &a, msg);
	if (ret)
		goto out;
	if (a->assoc_pending) {
		*msg = "an association is pending";
		ret = -EBUSY;
	} else if (a->bs != PROTKEY_EMU_SE_BS_USABLE_NO_SECURE_KEY) {
		*msg = "queue is not bound and unassociated (bs is not 1)";
		ret = -EINVAL;
	} else {
		a->assoc_idx = index;
		a->assoc_pending = true;
		a->assoc_due = ktime_add_ms(now, emu_assoc_delay_ms);
	}
out:
	mutex_unlock(&emu_lock);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(emu_se_associate, PROTKEY_EMU_CONTROL);

/**
 * emu_guest_reboot() - what a reboot of the guest does to the platform
 * @wk_gen: output, the new wrapping-key generation
 * @msg: output, a static message on error
 *
 * A new wrapping key (every protected key is stale); in an SE guest the
 * UV store wiped and every queue unbound, its association gone. The
 * adapters keep their master keys and stay online.
 *
 * Context: process context; takes emu_lock.
 * Return: 0; -ENOMEM (no new wrapping key; nothing changed).
 */
int emu_guest_reboot(u64 *wk_gen, const char **msg)
{
	int ret;

	mutex_lock(&emu_lock);
	ret = emu_migrate(0, wk_gen, msg);
	if (!ret && emu_se) {
		se_unbind_all();
		emu_uv_wipe();
	}
	mutex_unlock(&emu_lock);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(emu_guest_reboot, PROTKEY_EMU_CONTROL);

/**
 * emu_se_texts() - what a queue's se_bind and se_associate attributes read
 * @s: the queue's state (emu_get_adapters())
 * @bind: output: "bound" (bs 0 or 1), "unbound" or "-" (not an SE guest's
 *	EP11 or accelerator queue)
 * @assoc: output: "associated <idx>" (bs 0), "association pending",
 *	"unassociated", or "-" (not an SE guest's EP11 queue)
 * @size: the size of each buffer
 *
 * The texts of se_bind_show() and se_associate_show().
 *
 * Context: any context.
 */
void emu_se_texts(const struct emu_adapter_state *s, char *bind, char *assoc,
		  size_t size)
{
	if (!s->se) {
		strscpy(bind, "-", size);
		strscpy(assoc, "-", size);
		return;
	}
	strscpy(bind,
		s->bs <= PROTKEY_EMU_SE_BS_USABLE_NO_SECURE_KEY ? "bound" :
								  "unbound",
		size);
	if (s->mode != PROTKEY_EMU_MODE_EP11)
		strscpy(assoc, "-", size);
	else if (s->bs == PROTKEY_EMU_SE_BS_USABLE)
		snprintf(assoc, size, "associated %u", s->assoc_idx);
	else if (s->assoc_pending)
		strscpy(assoc, "association pending", size);
	else
		strscpy(assoc, "unassociated", size);
}
EXPORT_SYMBOL_NS_GPL(emu_se_texts, PROTKEY_EMU_CONTROL);

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
		out[i].mode = a->mode;
		out[i].mkvp_valid = a->mk_valid;
		out[i].wk_new = a->wk_new;
		out[i].se = has_se(a);
		out[i].bs = se_bs(a, now);
		out[i].assoc_pending = se_pending(a, now);
		out[i].assoc_idx = a->assoc_idx;
		for (r = PROTKEY_EMU_MK_NEW; r <= PROTKEY_EMU_MK_OLD; r++) {
			put_unaligned_be64(a->mkvp[r], out[i].mkvp[r]);
			memcpy(out[i].wkvp[r], a->wkvp[r],
			       PROTKEY_EMU_WKVP_SIZE);
		}
	}
	i = emu_nr_adapters;
	mutex_unlock(&emu_lock);
	return i;
}
EXPORT_SYMBOL_NS_GPL(emu_get_adapters, PROTKEY_EMU_CONTROL);

/**
 * emu_reset() - reset the adapters to their state after module load
 *
 * Context: process context; takes emu_lock. Sets every adapter online in
 * its module-load mode with empty registers, ends an outage, and cancels
 * latency, injected failures, busy answers and early KM stops. For tests;
 * the wrapping key is not touched.
 */
void emu_reset(void)
{
	unsigned int i;

	mutex_lock(&emu_lock);
	for (i = 0; i < emu_nr_adapters; i++) {
		u32 apqn = emu_adapters[i].apqn;
		u32 mode = emu_adapters[i].default_mode;

		memzero_explicit(&emu_adapters[i], sizeof(emu_adapters[i]));
		emu_adapters[i].apqn = apqn;
		emu_adapters[i].mode = mode;
		emu_adapters[i].default_mode = mode;
		emu_adapters[i].online = true;
		emu_adapters[i].bs = PROTKEY_EMU_SE_BS_AVAIL_FOR_BINDING;
	}
	emu_outage_until = 0;
	emu_se = se_guest;
	emu_assoc_delay_ms = 20;
	WRITE_ONCE(emu_unassoc_errno, -ENODEV);
	emu_uv_reset();
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
 * @modes: the mode of each (&enum protkey_emu_mode), or NULL for all CCA
 *
 * Context: process context (module init).
 * Return: 0; -EINVAL for a bad @nr or mode; -ENOMEM.
 */
int emu_adapters_init(unsigned int nr, const u32 *modes)
{
	unsigned int i;

	if (!nr || nr > EMU_MAX_ADAPTERS)
		return -EINVAL;
	for (i = 0; modes && i < nr; i++) {
		if (modes[i] < PROTKEY_EMU_MODE_CCA ||
		    modes[i] > PROTKEY_EMU_MODE_ACCEL)
			return -EINVAL;
	}
	emu_adapters = kcalloc(nr, sizeof(*emu_adapters), GFP_KERNEL);
	if (!emu_adapters)
		return -ENOMEM;
	for (i = 0; i < nr; i++) {
		emu_adapters[i].apqn = PROTKEY_EMU_APQN(i, EMU_DOMAIN);
		emu_adapters[i].mode = modes ? modes[i] : PROTKEY_EMU_MODE_CCA;
		emu_adapters[i].default_mode = emu_adapters[i].mode;
		emu_adapters[i].online = true;
		emu_adapters[i].bs = PROTKEY_EMU_SE_BS_AVAIL_FOR_BINDING;
	}
	emu_nr_adapters = nr;
	emu_se = se_guest;
	emu_uv_reset();
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
