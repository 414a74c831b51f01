// SPDX-License-Identifier: GPL-2.0-only
/*
 * protkey_emu's /dev/pkey: the IBM Z pkey driver's character device and
 * ioctl ABI (uapi/linux/protkey_pkeydev.h), served by the emulated
 * adapters, so that the user space that runs on IBM Z (protkeyctl, the
 * LUKS2 token plugin) runs unchanged in the VM tests.
 *
 * The subset zkey's key management uses, each with the checks, walk and
 * errnos of Linux 6.1's drivers/s390/crypto/pkey_api.c:
 *  PKEY_GENSECK2      random secure key on the first APQN of the caller's
 *                     list that can make it (CCA AES DATA, EP11 AES with
 *                     or without the 16-byte header)
 *  PKEY_VERIFYKEY2    the blob's type and size, and one APQN (the caller's,
 *                     or any) whose CURRENT or else OLD master key is the
 *                     blob's (flags MATCH_CUR_MKVP / MATCH_ALT_MKVP)
 *  PKEY_APQNS4K       every APQN holding the blob's master key
 *  PKEY_APQNS4KT      every APQN of a key type, optionally with given
 *                     master-key patterns
 *  PKEY_KBLOB2PROTK3  the protected key of a blob, on one of the caller's
 *                     exact APQNs
 * Any other command gives -ENOTTY, as pkey does for commands it lacks.
 * CCA AES CIPHER and ECC keys are not emulated: -EINVAL.
 *
 * As pkey's, the device is mode 0666: pkey lets every user generate and
 * check keys (the adapters' access control is the HSM's, not the
 * device's). The emulator's control operations stay on its netlink family,
 * which needs CAP_SYS_ADMIN.
 *
 * The device registers unless a "pkey" misc device exists already (an IBM
 * Z system with the real driver loaded); then the emulator runs without it
 * and says so.
 */
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/unaligned.h>

#include "emu.h"
#include "emu_core.h"
#include "../../uapi/linux/protkey_pkeydev.h"

/* pkey's KEYBLOBBUFSIZE: the largest blob it copies in. */
#define PKD_KEYBUF_SIZE 8192
/*
 * The emulator's bound on a caller's APQN list (pkey's memdup_array_user()
 * has only the overflow check): more than any configuration lists.
 */
#define PKD_MAX_APQNS 1024
/* Largest list the emulator builds: every adapter. */
#define PKD_LIST_MAX EMU_MAX_ADAPTERS

static bool pkd_registered;

/* The pkey type of a token type, for VERIFYKEY2's output. */
static u32 pkd_type_of(const struct emu_token *tok)
{
	if (tok->type == emu_token_type_of(PROTKEY_EMU_KEY_EP11_AES))
		return PROTKEY_PKEY_TYPE_EP11_AES;
	if (tok->type == emu_token_type_of(PROTKEY_EMU_KEY_EP11_AES_NOHDR))
		return PROTKEY_PKEY_TYPE_EP11;
	return PROTKEY_PKEY_TYPE_CCA_DATA;
}

/* The emulator's key type for a pkey type, or 0 for one not emulated. */
static u32 pkd_emu_type(u32 type)
{
	switch (type) {
	case PROTKEY_PKEY_TYPE_CCA_DATA:
		return PROTKEY_EMU_KEY_CCA_AESDATA;
	case PROTKEY_PKEY_TYPE_EP11_AES:
		return PROTKEY_EMU_KEY_EP11_AES;
	case PROTKEY_PKEY_TYPE_EP11:
		return PROTKEY_EMU_KEY_EP11_AES_NOHDR;
	default:
		return 0;
	}
}

/* pkey's _copy_key_from_user(): a blob of a sane size, copied in. */
static u8 *pkd_copy_key(const u8 __user *ukey, u32 keylen)
{
	if (!ukey || keylen < PROTKEY_PKEY_SECKEY_SIZE ||
	    keylen > PKD_KEYBUF_SIZE)
		return ERR_PTR(-EINVAL);
	return memdup_user(ukey, keylen);
}

/* pkey's _copy_apqns_from_user(): NULL for an empty list. */
static struct protkey_pkey_apqn *
pkd_copy_apqns(const struct protkey_pkey_apqn __user *uapqns, u32 nr)
{
	if (!uapqns || !nr)
		return NULL;
	if (nr > PKD_MAX_APQNS)
		return ERR_PTR(-EINVAL);
	return memdup_user(uapqns, nr * sizeof(*uapqns));
}

/*
 * Parses @key as pkey's checks do (header, then the fields pkey's
 * cca_check_secaeskeytoken() and ep11_check_aes_key*() read): every
 * refusal is -EINVAL, pkey's answer before any adapter sees the blob.
 */
static int pkd_parse(const u8 *key, u32 keylen, struct emu_token *tok)
{
	return emu_token_parse(key, keylen, tok) ? -EINVAL : 0;
}

/* The pattern of @tok's master key, as emu_apqns_matching() takes it. */
static void pkd_vp(const struct emu_token *tok, u8 vp[EMU_EP11_BLOB_WKVP_SIZE])
{
	if (tok->type->mode == PROTKEY_EMU_MODE_EP11)
		memcpy(vp, tok->wkvp, EMU_EP11_BLOB_WKVP_SIZE);
	else
		put_unaligned_be64(tok->mkvp, vp);
}

/* Index of the first of @n APQNs that is @card.@domain (each may be any). */
static u32 pkd_first(const u32 *list, u32 n, u16 card, u16 domain)
{
	u32 i;

	for (i = 0; i < n; i++) {
		if ((card == PROTKEY_PKEY_ANY ||
		     PROTKEY_EMU_APQN_CARD(list[i]) == card) &&
		    (domain == PROTKEY_PKEY_ANY ||
		     PROTKEY_EMU_APQN_DOMAIN(list[i]) == domain))
			break;
	}
	return i;
}

/* Is @apqn in the caller's list? */
static bool pkd_listed(u32 apqn, const struct protkey_pkey_apqn *list, u32 nr)
{
	u32 i;

	for (i = 0; i < nr; i++)
		if (PROTKEY_EMU_APQN(list[i].card, list[i].domain) == apqn)
			return true;
	return false;
}

static long pkd_genseck2(struct protkey_pkey_genseck2 __user *ugs)
{
	struct protkey_pkey_genseck2 kgs;
	struct protkey_pkey_apqn *apqns;
	u8 *key = NULL;
	u32 i, type, len = 0;
	long ret;

	if (copy_from_user(&kgs, ugs, sizeof(kgs)))
		return -EFAULT;
	apqns = pkd_copy_apqns(kgs.apqns, kgs.apqn_entries);
	if (IS_ERR(apqns))
		return PTR_ERR(apqns);
	ret = -EINVAL;
	type = pkd_emu_type(kgs.type);
	if (!apqns || !type)
		goto out;
	if (kgs.size != PROTKEY_PKEY_SIZE_AES_128 &&
	    kgs.size != PROTKEY_PKEY_SIZE_AES_192 &&
	    kgs.size != PROTKEY_PKEY_SIZE_AES_256)
		goto out;
	ret = -ENOMEM;
	key = kzalloc(PROTKEY_EMU_SECKEY_MAX_SIZE, GFP_KERNEL);
	if (!key)
		goto out;
	/* pkey tries each APQN in turn; the last one's errno stands. */
	for (i = 0, ret = -ENODEV; i < kgs.apqn_entries; i++) {
		u32 apqn = PROTKEY_EMU_APQN(apqns[i].card, apqns[i].domain);

		ret = emu_key_generate_at(apqn, type, kgs.size, key,
					  PROTKEY_EMU_SECKEY_MAX_SIZE, &len);
		if (!ret)
			break;
	}
	if (ret)
		goto out;
	if (kgs.key) {
		ret = -EINVAL;
		if (kgs.keylen < len)
			goto out;
		ret = -EFAULT;
		if (copy_to_user(kgs.key, key, len))
			goto out;
	}
	kgs.keylen = len;
	ret = copy_to_user(ugs, &kgs, sizeof(kgs)) ? -EFAULT : 0;
out:
	kfree_sensitive(key);
	kfree(apqns);
	return ret;
}

static long pkd_verifykey2(struct protkey_pkey_verifykey2 __user *uvk)
{
	u8 vp[EMU_EP11_BLOB_WKVP_SIZE];
	struct protkey_pkey_verifykey2 kvk;
	u32 list[PKD_LIST_MAX], n, i;
	struct emu_token tok;
	bool old = false;
	u8 *key;
	long ret;

	if (copy_from_user(&kvk, uvk, sizeof(kvk)))
		return -EFAULT;
	key = pkd_copy_key(kvk.key, kvk.keylen);
	if (IS_ERR(key))
		return PTR_ERR(key);
	ret = pkd_parse(key, kvk.keylen, &tok);
	kfree_sensitive(key);
	if (ret)
		goto out;
	pkd_vp(&tok, vp);
	/* CURRENT first; for CCA then OLD (cca_findcard2() twice). */
	n = emu_apqns_matching(tok.type->mode, vp, NULL, list,
			       ARRAY_SIZE(list));
	i = pkd_first(list, n, kvk.cardnr, kvk.domain);
	if (i == n && tok.type->mode == PROTKEY_EMU_MODE_CCA) {
		old = true;
		n = emu_apqns_matching(tok.type->mode, NULL, vp, list,
				       ARRAY_SIZE(list));
		i = pkd_first(list, n, kvk.cardnr, kvk.domain);
	}
	ret = -ENODEV;
	if (i == n)
		goto out;
	kvk.cardnr = PROTKEY_EMU_APQN_CARD(list[i]);
	kvk.domain = PROTKEY_EMU_APQN_DOMAIN(list[i]);
	kvk.type = pkd_type_of(&tok);
	kvk.size = tok.key_bits;
	kvk.flags = old ? PROTKEY_PKEY_FLAGS_MATCH_ALT_MKVP :
			  PROTKEY_PKEY_FLAGS_MATCH_CUR_MKVP;
	ret = copy_to_user(uvk, &kvk, sizeof(kvk)) ? -EFAULT : 0;
out:
	memzero_explicit(&tok, sizeof(tok));
	return ret;
}

/*
 * The tail of APQNS4K and APQNS4KT: @n APQNs in @list found; copies them
 * out when the caller gave room, -ENOSPC (with the count) when too little.
 */
static long pkd_put_list(struct protkey_pkey_apqn __user *uapqns, u32 *room,
			 const u32 *list, u32 n)
{
	struct protkey_pkey_apqn out[PKD_LIST_MAX];
	u32 i;

	if (!n)
		return -ENODEV; /* cca/ep11_findcard2() found none */
	if (!uapqns || !*room) {
		*room = n;
		return 0;
	}
	if (*room < n) {
		*room = n;
		return -ENOSPC;
	}
	for (i = 0; i < n; i++) {
		out[i].card = PROTKEY_EMU_APQN_CARD(list[i]);
		out[i].domain = PROTKEY_EMU_APQN_DOMAIN(list[i]);
	}
	*room = n;
	return copy_to_user(uapqns, out, n * sizeof(out[0])) ? -EFAULT : 0;
}

static long pkd_apqns4key(struct protkey_pkey_apqns4key __user *uak)
{
	const u32 both = PROTKEY_PKEY_FLAGS_MATCH_CUR_MKVP |
			 PROTKEY_PKEY_FLAGS_MATCH_ALT_MKVP;
	u8 vp[EMU_EP11_BLOB_WKVP_SIZE];
	const u8 *cur, *alt;
	struct protkey_pkey_apqns4key kak;
	u32 list[PKD_LIST_MAX], n;
	struct emu_token tok;
	u8 *key;
	long ret;

	if (copy_from_user(&kak, uak, sizeof(kak)))
		return -EFAULT;
	if (!kak.flags || (kak.flags & ~both))
		return -EINVAL;
	key = pkd_copy_key(kak.key, kak.keylen);
	if (IS_ERR(key))
		return PTR_ERR(key);
	ret = pkd_parse(key, kak.keylen, &tok);
	kfree_sensitive(key);
	if (ret)
		goto out;
	ret = -EINVAL;
	/* EP11 keys have only a CURRENT wrapping key to match. */
	if (tok.type->mode == PROTKEY_EMU_MODE_EP11 &&
	    kak.flags != PROTKEY_PKEY_FLAGS_MATCH_CUR_MKVP)
		goto out;
	pkd_vp(&tok, vp);
	cur = kak.flags & PROTKEY_PKEY_FLAGS_MATCH_CUR_MKVP ? vp : NULL;
	alt = kak.flags & PROTKEY_PKEY_FLAGS_MATCH_ALT_MKVP ? vp : NULL;
	n = emu_apqns_matching(tok.type->mode, cur, alt, list,
			       ARRAY_SIZE(list));
	ret = pkd_put_list(kak.apqns, &kak.apqn_entries, list, n);
	if ((!ret || ret == -ENOSPC) && copy_to_user(uak, &kak, sizeof(kak)))
		ret = -EFAULT;
out:
	memzero_explicit(&tok, sizeof(tok));
	return ret;
}

static long pkd_apqns4keytype(struct protkey_pkey_apqns4keytype __user *uat)
{
	struct protkey_pkey_apqns4keytype kat;
	u32 list[PKD_LIST_MAX], n, mode;
	const u8 *cur = NULL, *alt = NULL;
	long ret;

	if (copy_from_user(&kat, uat, sizeof(kat)))
		return -EFAULT;
	switch (kat.type) {
	case PROTKEY_PKEY_TYPE_CCA_DATA:
		mode = PROTKEY_EMU_MODE_CCA;
		if (kat.flags & PROTKEY_PKEY_FLAGS_MATCH_ALT_MKVP)
			alt = kat.alt_mkvp;
		break;
	case PROTKEY_PKEY_TYPE_EP11:
	case PROTKEY_PKEY_TYPE_EP11_AES:
		mode = PROTKEY_EMU_MODE_EP11;
		break;
	default:
		return -EINVAL;
	}
	if (kat.flags & PROTKEY_PKEY_FLAGS_MATCH_CUR_MKVP)
		cur = kat.cur_mkvp;
	n = emu_apqns_matching(mode, cur, alt, list, ARRAY_SIZE(list));
	ret = pkd_put_list(kat.apqns, &kat.apqn_entries, list, n);
	if ((!ret || ret == -ENOSPC) && copy_to_user(uat, &kat, sizeof(kat)))
		ret = -EFAULT;
	return ret;
}

static long pkd_kblob2pkey3(struct protkey_pkey_kblob2pkey3 __user *utp)
{
	u8 vp[EMU_EP11_BLOB_WKVP_SIZE], pk[EMU_PROTKEY_MAX_SIZE];
	struct protkey_pkey_kblob2pkey3 ktp;
	struct protkey_pkey_apqn *apqns;
	u32 list[PKD_LIST_MAX], n, i, pk_len = 0;
	struct emu_token tok = {};
	u8 *key = NULL;
	long ret;

	if (copy_from_user(&ktp, utp, sizeof(ktp)))
		return -EFAULT;
	apqns = pkd_copy_apqns(ktp.apqns, ktp.apqn_entries);
	if (IS_ERR(apqns))
		return PTR_ERR(apqns);
	ret = -EINVAL;
	if (!apqns)
		goto out;
	key = pkd_copy_key(ktp.key, ktp.keylen);
	if (IS_ERR(key)) {
		ret = PTR_ERR(key);
		key = NULL;
		goto out;
	}
	ret = pkd_parse(key, ktp.keylen, &tok);
	if (ret)
		goto out;
	/* pkey asks each listed APQN in turn: one holding the key answers. */
	pkd_vp(&tok, vp);
	n = emu_apqns_matching(tok.type->mode, vp, vp, list, ARRAY_SIZE(list));
	for (i = 0; i < n && !pkd_listed(list[i], apqns, ktp.apqn_entries); i++)
		;
	ret = -ENODEV;
	if (i == n)
		goto out;
	ret = emu_key_derive(key, ktp.keylen, pk, &pk_len);
	if (ret)
		goto out;
	if (ktp.pkey && ktp.pkeylen) {
		ret = -EINVAL;
		if (pk_len > ktp.pkeylen)
			goto out;
		ret = -EFAULT;
		if (copy_to_user(ktp.pkey, pk, pk_len))
			goto out;
	}
	ktp.pkeytype = tok.key_bits == 128 ? PROTKEY_PKEY_KEYTYPE_AES_128 :
		       tok.key_bits == 192 ? PROTKEY_PKEY_KEYTYPE_AES_192 :
					     PROTKEY_PKEY_KEYTYPE_AES_256;
	ktp.pkeylen = pk_len;
	ret = copy_to_user(utp, &ktp, sizeof(ktp)) ? -EFAULT : 0;
out:
	memzero_explicit(pk, sizeof(pk));
	memzero_explicit(&tok, sizeof(tok));
	kfree_sensitive(key);
	kfree(apqns);
	return ret;
}

static long pkd_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case PROTKEY_PKEY_GENSECK2:
		return pkd_genseck2(uarg);
	case PROTKEY_PKEY_VERIFYKEY2:
		return pkd_verifykey2(uarg);
	case PROTKEY_PKEY_APQNS4K:
		return pkd_apqns4key(uarg);
	case PROTKEY_PKEY_APQNS4KT:
		return pkd_apqns4keytype(uarg);
	case PROTKEY_PKEY_KBLOB2PROTK3:
		return pkd_kblob2pkey3(uarg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations pkd_fops = {
	.owner = THIS_MODULE,
	.open = nonseekable_open,
	.llseek = no_llseek,
	.unlocked_ioctl = pkd_ioctl,
};

static struct miscdevice pkd_dev = {
	.name = "pkey",
	.minor = MISC_DYNAMIC_MINOR,
	.mode = 0666,
	.fops = &pkd_fops,
};

/**
 * emu_pkeydev_init() - register the emulated /dev/pkey
 *
 * Context: process context, module init. A failure (a real pkey device
 * exists, no memory) is logged and leaves the emulator without the device.
 */
void emu_pkeydev_init(void)
{
	int ret = misc_register(&pkd_dev);

	if (ret) {
		pr_warn("EMULATED /dev/pkey not registered (%d): is the real pkey driver loaded?\n",
			ret);
		return;
	}
	pkd_registered = true;
	pr_info("EMULATED /dev/pkey registered (pkey ioctls served by the emulated adapters)\n");
}

/**
 * emu_pkeydev_exit() - remove the emulated /dev/pkey if it registered
 *
 * Context: process context, module exit.
 */
void emu_pkeydev_exit(void)
{
	if (pkd_registered)
		misc_deregister(&pkd_dev);
	pkd_registered = false;
}
