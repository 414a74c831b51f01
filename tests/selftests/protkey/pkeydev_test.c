// SPDX-License-Identifier: GPL-2.0-only
/*
 * The emulator's /dev/pkey: the ioctls zkey, protkeyctl and the token
 * plugin use (uapi/linux/protkey_pkeydev.h), with pkey's semantics: key
 * generation walking the caller's APQN list, verification with the
 * CURRENT/OLD match flags, the APQN lists for a key and for a key type
 * (count query, ENOSPC), the protected key of a blob, and every refusal
 * pkey gives for bad arguments.
 *
 * Runs as root in the test VM with protkey_emu.ko loaded (2 adapters).
 */
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "kselftest_harness.h"

#include <linux/protkey_pkeydev.h>

#include "emu.h"

#define MAX_LIST 16
/* Offset of the MKVP in a CCA AES DATA token. */
#define CCA_MKVP_OFFS 8

FIXTURE(pkd)
{
	struct pk_nl nl;
	int fd;
	struct protkey_pkey_apqn list[MAX_LIST];
	unsigned int n;
};

/* ioctl() as 0 or -errno. */
static int pkd(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

/* APQNS4KT for @type with @flags; the list into @list, count in *@n. */
static int list_for_type(int fd, uint32_t type, uint32_t flags,
			 const uint8_t *cur, const uint8_t *alt,
			 struct protkey_pkey_apqn *list, unsigned int *n)
{
	struct protkey_pkey_apqns4keytype kt = {
		.type = type,
		.flags = flags,
		.apqns = list,
		.apqn_entries = MAX_LIST,
	};
	int ret;

	if (cur)
		memcpy(kt.cur_mkvp, cur, 16);
	if (alt)
		memcpy(kt.alt_mkvp, alt, 16);
	ret = pkd(fd, PROTKEY_PKEY_APQNS4KT, &kt);
	*n = kt.apqn_entries;
	return ret;
}

static int generate(int fd, const struct protkey_pkey_apqn *apqns,
		    unsigned int n, uint32_t type, uint32_t bits, uint8_t *key,
		    uint32_t *len)
{
	struct protkey_pkey_genseck2 gs = {
		.apqns = (struct protkey_pkey_apqn *)apqns,
		.apqn_entries = n,
		.type = type,
		.size = bits,
		.key = key,
		.keylen = *len,
	};
	int ret;

	ret = pkd(fd, PROTKEY_PKEY_GENSECK2, &gs);
	*len = gs.keylen;
	return ret;
}

FIXTURE_SETUP(pkd)
{
	self->fd = -1;
	ASSERT_EQ(0, pk_nl_open(&self->nl, PROTKEY_EMU_FAMILY_NAME))
	TH_LOG("family %s not found: is protkey_emu.ko loaded?",
	       PROTKEY_EMU_FAMILY_NAME);
	ASSERT_EQ(0, pke_normalise(&self->nl))
	TH_LOG("cannot reset the emulator: %s", self->nl.msg);
	self->fd = open(PROTKEY_PKEY_DEVICE, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd)
	TH_LOG("%s: %s (does protkey_emu.ko register it?)", PROTKEY_PKEY_DEVICE,
	       strerror(errno));
	ASSERT_EQ(0, list_for_type(self->fd, PROTKEY_PKEY_TYPE_CCA_DATA, 0,
				   NULL, NULL, self->list, &self->n));
	ASSERT_LE(2, self->n);
}

FIXTURE_TEARDOWN(pkd)
{
	if (self->fd >= 0)
		close(self->fd);
	pke_set_mode_all(&self->nl, PROTKEY_EMU_MODE_CCA);
	pke_normalise(&self->nl);
	pk_nl_close(&self->nl);
}

TEST_F(pkd, device_is_pkeys)
{
	struct stat st;

	ASSERT_EQ(0, stat(PROTKEY_PKEY_DEVICE, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	/* pkey's device is 0666: any user may generate and check keys. */
	EXPECT_EQ(0666, st.st_mode & 07777);
	EXPECT_EQ(-ENOTTY, pkd(self->fd, _IOWR('p', 0x01, uint8_t[72]), NULL));
	EXPECT_EQ(-ENOTTY, pkd(self->fd, _IO('q', 0x11), NULL));
}

TEST_F(pkd, generate_verify_list_derive_cca)
{
	struct protkey_pkey_apqn found[MAX_LIST];
	uint8_t key[64], pk[96], pk_nl[96];
	struct protkey_pkey_verifykey2 vk = { 0 };
	struct protkey_pkey_apqns4key ak = { 0 };
	struct protkey_pkey_kblob2pkey3 kp = { 0 };
	uint32_t len = sizeof(key);
	size_t nl_len = 0;
	unsigned int i;

	/* The first APQN of the list makes it. */
	ASSERT_EQ(0, generate(self->fd, self->list, self->n,
			      PROTKEY_PKEY_TYPE_CCA_DATA,
			      PROTKEY_PKEY_SIZE_AES_256, key, &len));
	EXPECT_EQ(64, len);
	EXPECT_EQ(0x01, key[0]);
	EXPECT_EQ(0x04, key[4]);

	vk.key = key;
	vk.keylen = len;
	vk.cardnr = PROTKEY_PKEY_ANY;
	vk.domain = PROTKEY_PKEY_ANY;
	ASSERT_EQ(0, pkd(self->fd, PROTKEY_PKEY_VERIFYKEY2, &vk));
	EXPECT_EQ(PROTKEY_PKEY_TYPE_CCA_DATA, vk.type);
	EXPECT_EQ(PROTKEY_PKEY_SIZE_AES_256, vk.size);
	EXPECT_EQ(PROTKEY_PKEY_FLAGS_MATCH_CUR_MKVP, vk.flags);
	EXPECT_EQ(self->list[0].card, vk.cardnr);
	EXPECT_EQ(self->list[0].domain, vk.domain);
	/* A given APQN is checked, not replaced. */
	vk.cardnr = self->list[1].card;
	vk.domain = self->list[1].domain;
	ASSERT_EQ(0, pkd(self->fd, PROTKEY_PKEY_VERIFYKEY2, &vk));
	EXPECT_EQ(self->list[1].card, vk.cardnr);
	vk.cardnr = 200;
	EXPECT_EQ(-ENODEV, pkd(self->fd, PROTKEY_PKEY_VERIFYKEY2, &vk));

	/* Count query, then the list: every adapter holds the CURRENT MK. */
	ak.key = key;
	ak.keylen = len;
	ak.flags = PROTKEY_PKEY_FLAGS_MATCH_CUR_MKVP;
	ASSERT_EQ(0, pkd(self->fd, PROTKEY_PKEY_APQNS4K, &ak));
	EXPECT_EQ(self->n, ak.apqn_entries);
	ak.apqns = found;
	ak.apqn_entries = 1;
	EXPECT_EQ(-ENOSPC, pkd(self->fd, PROTKEY_PKEY_APQNS4K, &ak));
	EXPECT_EQ(self->n, ak.apqn_entries);
	ak.apqn_entries = MAX_LIST;
	ASSERT_EQ(0, pkd(self->fd, PROTKEY_PKEY_APQNS4K, &ak));
	ASSERT_EQ(self->n, ak.apqn_entries);
	for (i = 0; i < self->n; i++) {
		EXPECT_EQ(self->list[i].card, found[i].card);
		EXPECT_EQ(self->list[i].domain, found[i].domain);
	}

	/* The protected key is the one the emulator's KEY_DERIVE gives. */
	kp.key = key;
	kp.keylen = len;
	kp.apqns = &self->list[1];
	kp.apqn_entries = 1;
	kp.pkey = pk;
	kp.pkeylen = sizeof(pk);
	ASSERT_EQ(0, pkd(self->fd, PROTKEY_PKEY_KBLOB2PROTK3, &kp));
	EXPECT_EQ(PROTKEY_PKEY_KEYTYPE_AES_256, kp.pkeytype);
	EXPECT_EQ(64, kp.pkeylen);
	ASSERT_EQ(0, pke_key_derive(&self->nl, key, len, pk_nl, &nl_len));
	ASSERT_EQ(kp.pkeylen, nl_len);
	EXPECT_EQ(0, memcmp(pk, pk_nl, nl_len));
	/* Too small a buffer: EINVAL, as pkey. */
	kp.pkeylen = 63;
	EXPECT_EQ(-EINVAL, pkd(self->fd, PROTKEY_PKEY_KBLOB2PROTK3, &kp));
	memset(pk, 0, sizeof(pk));
	memset(pk_nl, 0, sizeof(pk_nl));
	memset(key, 0, sizeof(key));
}

TEST_F(pkd, master_key_change_moves_the_match_to_old)
{
	static const uint8_t mk2[PROTKEY_EMU_MK_SIZE] = {
		[0] = 0x42, [31] = 0x24
	};
	struct protkey_pkey_verifykey2 vk = { 0 };
	struct protkey_pkey_apqns4key ak = { 0 };
	struct protkey_pkey_apqn l2[MAX_LIST];
	uint8_t key[64];
	uint32_t len = sizeof(key);
	unsigned int n = 0;

	ASSERT_EQ(0, generate(self->fd, self->list, self->n,
			      PROTKEY_PKEY_TYPE_CCA_DATA,
			      PROTKEY_PKEY_SIZE_AES_128, key, &len));
	ASSERT_EQ(0, pke_mk_load(&self->nl, mk2));
	ASSERT_EQ(0, PKE_REQ0(&self->nl, PROTKEY_EMU_CMD_MK_SET));

	vk.key = key;
	vk.keylen = len;
	vk.cardnr = PROTKEY_PKEY_ANY;
	vk.domain = PROTKEY_PKEY_ANY;
	ASSERT_EQ(0, pkd(self->fd, PROTKEY_PKEY_VERIFYKEY2, &vk));
	EXPECT_EQ(PROTKEY_PKEY_FLAGS_MATCH_ALT_MKVP, vk.flags);
	EXPECT_EQ(PROTKEY_PKEY_SIZE_AES_128, vk.size);

	ak.key = key;
	ak.keylen = len;
	ak.flags = PROTKEY_PKEY_FLAGS_MATCH_CUR_MKVP;
	EXPECT_EQ(-ENODEV, pkd(self->fd, PROTKEY_PKEY_APQNS4K, &ak));
	ak.flags |= PROTKEY_PKEY_FLAGS_MATCH_ALT_MKVP;
	ak.apqn_entries = 0;
	ASSERT_EQ(0, pkd(self->fd, PROTKEY_PKEY_APQNS4K, &ak));
	EXPECT_EQ(self->n, ak.apqn_entries);

	/* By key type: the old MKVP matches OLD, not CURRENT. */
	EXPECT_EQ(0, list_for_type(self->fd, PROTKEY_PKEY_TYPE_CCA_DATA,
				   PROTKEY_PKEY_FLAGS_MATCH_ALT_MKVP, NULL,
				   key + CCA_MKVP_OFFS, l2, &n));
	EXPECT_EQ(self->n, n);
	EXPECT_EQ(-ENODEV, list_for_type(self->fd, PROTKEY_PKEY_TYPE_CCA_DATA,
					 PROTKEY_PKEY_FLAGS_MATCH_CUR_MKVP,
					 key + CCA_MKVP_OFFS, NULL, l2, &n));

	/* OLD cleared: the key is stranded. */
	ASSERT_EQ(0, pke_mk_clear(&self->nl, PROTKEY_EMU_MK_OLD));
	EXPECT_EQ(-ENODEV, pkd(self->fd, PROTKEY_PKEY_VERIFYKEY2, &vk));
	memset(key, 0, sizeof(key));
}

TEST_F(pkd, generate_walks_the_list_and_refuses_bad_requests)
{
	struct protkey_pkey_apqn apqns[3] = {
		{ .card = 200, .domain = 1 }, /* no such adapter */
		self->list[1],
		self->list[0],
	};
	struct protkey_pkey_genseck2 gs = { 0 };
	uint8_t key[64];
	uint32_t len = sizeof(key);
	struct protkey_pkey_verifykey2 vk = { .key = key,
					      .cardnr = PROTKEY_PKEY_ANY,
					      .domain = PROTKEY_PKEY_ANY };

	/* The unknown APQN fails, the next one makes the key. */
	ASSERT_EQ(0, generate(self->fd, apqns, 3, PROTKEY_PKEY_TYPE_CCA_DATA,
			      PROTKEY_PKEY_SIZE_AES_192, key, &len));
	vk.keylen = len;
	ASSERT_EQ(0, pkd(self->fd, PROTKEY_PKEY_VERIFYKEY2, &vk));
	EXPECT_EQ(PROTKEY_PKEY_SIZE_AES_192, vk.size);

	len = sizeof(key);
	EXPECT_EQ(-ENODEV,
		  generate(self->fd, apqns, 1, PROTKEY_PKEY_TYPE_CCA_DATA,
			   PROTKEY_PKEY_SIZE_AES_256, key, &len));
	EXPECT_EQ(-EINVAL,
		  generate(self->fd, apqns, 0, PROTKEY_PKEY_TYPE_CCA_DATA,
			   PROTKEY_PKEY_SIZE_AES_256, key, &len));
	EXPECT_EQ(-EINVAL, generate(self->fd, self->list, self->n,
				    PROTKEY_PKEY_TYPE_CCA_CIPHER,
				    PROTKEY_PKEY_SIZE_AES_256, key, &len));
	EXPECT_EQ(-EINVAL,
		  generate(self->fd, self->list, self->n,
			   PROTKEY_PKEY_TYPE_CCA_DATA, 100, key, &len));
	len = 63;
	EXPECT_EQ(-EINVAL, generate(self->fd, self->list, self->n,
				    PROTKEY_PKEY_TYPE_CCA_DATA,
				    PROTKEY_PKEY_SIZE_AES_256, key, &len));
	/* A NULL buffer asks for the size only. */
	gs.apqns = self->list;
	gs.apqn_entries = self->n;
	gs.type = PROTKEY_PKEY_TYPE_CCA_DATA;
	gs.size = PROTKEY_PKEY_SIZE_AES_256;
	ASSERT_EQ(0, pkd(self->fd, PROTKEY_PKEY_GENSECK2, &gs));
	EXPECT_EQ(64, gs.keylen);
	gs.key = (uint8_t *)8;
	EXPECT_EQ(-EFAULT, pkd(self->fd, PROTKEY_PKEY_GENSECK2, &gs));
	EXPECT_EQ(-EFAULT, pkd(self->fd, PROTKEY_PKEY_GENSECK2, (void *)8));
	memset(key, 0, sizeof(key));
}

TEST_F(pkd, malformed_blobs_and_arguments_refused)
{
	struct protkey_pkey_verifykey2 vk = { .cardnr = PROTKEY_PKEY_ANY,
					      .domain = PROTKEY_PKEY_ANY };
	struct protkey_pkey_apqns4key ak = { 0 };
	struct protkey_pkey_kblob2pkey3 kp = { 0 };
	uint8_t key[64], junk[64], pk[96];
	uint32_t len = sizeof(key);
	unsigned int n = 0;

	ASSERT_EQ(0, generate(self->fd, self->list, self->n,
			      PROTKEY_PKEY_TYPE_CCA_DATA,
			      PROTKEY_PKEY_SIZE_AES_256, key, &len));
	memset(junk, 0x5a, sizeof(junk));

	vk.key = key;
	vk.keylen = 10; /* shorter than any blob */
	EXPECT_EQ(-EINVAL, pkd(self->fd, PROTKEY_PKEY_VERIFYKEY2, &vk));
	vk.key = junk;
	vk.keylen = sizeof(junk);
	EXPECT_EQ(-EINVAL, pkd(self->fd, PROTKEY_PKEY_VERIFYKEY2, &vk));
	vk.key = NULL;
	EXPECT_EQ(-EINVAL, pkd(self->fd, PROTKEY_PKEY_VERIFYKEY2, &vk));

	ak.key = key;
	ak.keylen = len;
	ak.flags = 0; /* at least one match flag */
	EXPECT_EQ(-EINVAL, pkd(self->fd, PROTKEY_PKEY_APQNS4K, &ak));
	ak.key = junk;
	ak.flags = PROTKEY_PKEY_FLAGS_MATCH_CUR_MKVP;
	EXPECT_EQ(-EINVAL, pkd(self->fd, PROTKEY_PKEY_APQNS4K, &ak));
	EXPECT_EQ(-EINVAL, list_for_type(self->fd, PROTKEY_PKEY_TYPE_CCA_ECC, 0,
					 NULL, NULL, self->list, &n));

	kp.key = key;
	kp.keylen = len;
	kp.pkey = pk;
	kp.pkeylen = sizeof(pk);
	EXPECT_EQ(-EINVAL, pkd(self->fd, PROTKEY_PKEY_KBLOB2PROTK3, &kp));
	kp.apqns = self->list;
	kp.apqn_entries = self->n;
	kp.key = junk;
	EXPECT_EQ(-EINVAL, pkd(self->fd, PROTKEY_PKEY_KBLOB2PROTK3, &kp));

	/* Offline adapters list nothing and make nothing. */
	ASSERT_EQ(0, pke_set_online(&self->nl, 0));
	EXPECT_EQ(-ENODEV, list_for_type(self->fd, PROTKEY_PKEY_TYPE_CCA_DATA,
					 0, NULL, NULL, self->list, &n));
	len = sizeof(key);
	EXPECT_EQ(-ENODEV, generate(self->fd, self->list, self->n,
				    PROTKEY_PKEY_TYPE_CCA_DATA,
				    PROTKEY_PKEY_SIZE_AES_256, key, &len));
	ASSERT_EQ(0, pke_set_online(&self->nl, 1));
	memset(key, 0, sizeof(key));
	memset(pk, 0, sizeof(pk));
}

TEST_F(pkd, ep11_keys)
{
	uint8_t key[PROTKEY_PKEY_EP11_MAX_SIZE];
	struct protkey_pkey_verifykey2 vk = { .cardnr = PROTKEY_PKEY_ANY,
					      .domain = PROTKEY_PKEY_ANY };
	struct protkey_pkey_apqns4key ak = { 0 };
	struct protkey_pkey_apqn l2[MAX_LIST];
	uint32_t len = sizeof(key);
	unsigned int n = 0;

	ASSERT_EQ(0, pke_set_mode_all(&self->nl, PROTKEY_EMU_MODE_EP11));
	/* No wrapping key yet: no APQN can make an EP11 key. */
	EXPECT_EQ(-ENODEV, list_for_type(self->fd, PROTKEY_PKEY_TYPE_EP11_AES,
					 0, NULL, NULL, l2, &n));
	ASSERT_EQ(0, pke_mk_load(&self->nl, pke_test_mk));
	ASSERT_EQ(0, PKE_REQ0(&self->nl, PROTKEY_EMU_CMD_MK_COMMIT));
	ASSERT_EQ(0, PKE_REQ0(&self->nl, PROTKEY_EMU_CMD_MK_SET));
	ASSERT_EQ(0, list_for_type(self->fd, PROTKEY_PKEY_TYPE_EP11_AES, 0,
				   NULL, NULL, l2, &n));
	ASSERT_EQ(self->n, n);
	/* The CCA list is empty now. */
	EXPECT_EQ(-ENODEV, list_for_type(self->fd, PROTKEY_PKEY_TYPE_CCA_DATA,
					 0, NULL, NULL, self->list, &n));

	ASSERT_EQ(0, generate(self->fd, l2, self->n, PROTKEY_PKEY_TYPE_EP11_AES,
			      PROTKEY_PKEY_SIZE_AES_256, key, &len));
	EXPECT_EQ(PROTKEY_PKEY_EP11_MAX_SIZE, len);
	EXPECT_EQ(0x00, key[0]);
	EXPECT_EQ(PROTKEY_PKEY_TYPE_EP11_AES, key[4]);
	vk.key = key;
	vk.keylen = len;
	ASSERT_EQ(0, pkd(self->fd, PROTKEY_PKEY_VERIFYKEY2, &vk));
	EXPECT_EQ(PROTKEY_PKEY_TYPE_EP11_AES, vk.type);
	EXPECT_EQ(PROTKEY_PKEY_SIZE_AES_256, vk.size);
	EXPECT_EQ(PROTKEY_PKEY_FLAGS_MATCH_CUR_MKVP, vk.flags);

	ak.key = key;
	ak.keylen = len;
	ak.flags = PROTKEY_PKEY_FLAGS_MATCH_CUR_MKVP |
		   PROTKEY_PKEY_FLAGS_MATCH_ALT_MKVP; /* EP11: CUR only */
	EXPECT_EQ(-EINVAL, pkd(self->fd, PROTKEY_PKEY_APQNS4K, &ak));
	ak.flags = PROTKEY_PKEY_FLAGS_MATCH_CUR_MKVP;
	ASSERT_EQ(0, pkd(self->fd, PROTKEY_PKEY_APQNS4K, &ak));
	EXPECT_EQ(self->n, ak.apqn_entries);
	memset(key, 0, sizeof(key));
}

TEST_HARNESS_MAIN
