// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of the protkey key type (kernel/keytype.c) and the key-object
 * hooks behind it (update, revoke, snapshot) on a fake platform: the key in
 * .protkey, keyctl update with the same key, another key and malformed
 * payloads, revoke and update during a stall, describe and read.
 */
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/cred.h>
#include <linux/delay.h>
#include <linux/key-type.h>
#include <linux/key.h>
#include <linux/seq_file.h>

#include "../key.h"
#include "../keytype.h"
#include "fake_platform.h"
#include "fake_req.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

#define BLOB_LEN (2 * FAKE_TOKEN_SIZE)
/* A key description: the verification pattern in hex. */
#define KEY_DESC_SIZE (2 * PROTKEY_KEY_VP_SIZE + 1)

static const u8 clear1[32] = { 0x16, 0x18, 0x03, 0x39, 0x88, 0x74, 0x98, 0x94,
			       0x84, 0x82, 0x04, 0x58, 0x68, 0x34, 0x36, 0x56,
			       0x38, 0x11, 0x70, 0x62, 0x25, 0x45, 0x88, 0x40,
			       0x31, 0x76, 0x97, 0x31, 0x02, 0x04, 0x42, 0x73 };
static const u8 clear2[32] = { 0x14, 0x14, 0x21, 0x35, 0x62, 0x37, 0x30, 0x95,
			       0x04, 0x88, 0x01, 0x68, 0x87, 0x24, 0x20, 0x96,
			       0x98, 0x07, 0x85, 0x69, 0x67, 0x18, 0x75, 0x37,
			       0x69, 0x48, 0x07, 0x31, 0x78, 0x50, 0x12, 0x51 };

static unsigned int saved_timeout;

static int keytype_test_init(struct kunit *test)
{
	fake_reset();
	saved_timeout = protkey_rekey_timeout_ms;
	protkey_rekey_timeout_ms = 5000;
	return 0;
}

static void keytype_test_exit(struct kunit *test)
{
	fake.outage = false;
	fake.mk_gone = 0;
	protkey_rekey_timeout_ms = saved_timeout;
}

/* A 2 x 64-byte fake XTS secure key under "master key" @mk. */
static void make_xts(u8 blob[BLOB_LEN], const u8 *k1, const u8 *k2, u8 mk)
{
	fake_make_token(blob, k1, 32, mk);
	fake_make_token(blob + FAKE_TOKEN_SIZE, k2, 32, mk);
}

static struct protkey_key *get_key(struct kunit *test, const u8 *blob)
{
	struct protkey_key *key = NULL;
	int ret;

	ret = protkey_key_get_ops(&fake_ops, blob, BLOB_LEN, &key);
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_ASSERT_NOT_NULL(test, key);
	KUNIT_ASSERT_NOT_NULL(test, key->kkey);
	return key;
}

/*
 * A key of clear1 and clear2 under "master key" 1 in @blob, and the same
 * clear keys re-enciphered to "master key" 2 in @renc.
 */
static struct protkey_key *get_key_renc(struct kunit *test, u8 blob[BLOB_LEN],
					u8 renc[BLOB_LEN])
{
	make_xts(blob, clear1, clear2, 1);
	make_xts(renc, clear1, clear2, 2);
	return get_key(test, blob);
}

/* The key object's current blob equals @blob. */
static bool blob_is(struct protkey_key *key, const u8 *blob)
{
	struct protkey_blob *b;
	bool same;

	rcu_read_lock();
	b = rcu_dereference(key->blob);
	same = b && !memcmp(b->data, blob, BLOB_LEN);
	rcu_read_unlock();
	return same;
}

static int update(struct protkey_key *key, const void *payload, size_t len)
{
	return key_update(make_key_ref(key->kkey, true), payload, len);
}

/* Polls until the key is VALID again; false after 10 s. */
static bool wait_valid(struct protkey_key *key)
{
	int i;

	for (i = 0; i < 500 && !protkey_key_usable(key); i++)
		msleep(20);
	return protkey_key_usable(key);
}

/* A key of clear1 and clear2 and its description in .protkey. */
static struct protkey_key *get_key_desc(struct kunit *test,
					char desc[KEY_DESC_SIZE])
{
	struct protkey_key *key;
	u8 blob[BLOB_LEN];

	make_xts(blob, clear1, clear2, 1);
	key = get_key(test, blob);
	bin2hex(desc, key->vp, PROTKEY_KEY_VP_SIZE);
	desc[KEY_DESC_SIZE - 1] = '\0';
	return key;
}

static void attach_links_key_into_keyring(struct kunit *test)
{
	char desc[KEY_DESC_SIZE];
	struct protkey_key *key;
	key_ref_t ref;

	key = get_key_desc(test, desc);

	ref = keyring_search(make_key_ref(protkey_keytype_keyring(), true),
			     &protkey_key_type, desc, false);

	KUNIT_ASSERT_FALSE(test, IS_ERR(ref));
	KUNIT_EXPECT_PTR_EQ(test, key_ref_to_ptr(ref), key->kkey);
	KUNIT_EXPECT_EQ(test, key->serial, key->kkey->serial);
	KUNIT_EXPECT_STREQ(test, key->kkey->description, desc);
	key_ref_put(ref);
	protkey_key_put(key);
}

static void last_put_removes_key(struct kunit *test)
{
	char desc[KEY_DESC_SIZE];
	struct protkey_key *key;
	key_ref_t ref;

	key = get_key_desc(test, desc);

	protkey_key_put(key);
	protkey_key_flush_releases();

	ref = keyring_search(make_key_ref(protkey_keytype_keyring(), true),
			     &protkey_key_type, desc, false);
	KUNIT_EXPECT_TRUE(test, IS_ERR(ref));
	if (!IS_ERR(ref))
		key_ref_put(ref);
}

static void instantiate_from_user_refused(struct kunit *test)
{
	struct key *k;

	k = key_alloc(&protkey_key_type, "x", GLOBAL_ROOT_UID, GLOBAL_ROOT_GID,
		      current_cred(), KEY_POS_ALL, KEY_ALLOC_NOT_IN_QUOTA,
		      NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(k));

	KUNIT_EXPECT_EQ(test, key_instantiate_and_link(k, "x", 1, NULL, NULL),
			-EPERM);
	key_put(k);
}

static void update_same_key_swaps_blob(struct kunit *test)
{
	u8 blob[BLOB_LEN], renc[BLOB_LEN];
	struct protkey_key_stats st;
	struct protkey_key *key;
	u64 derives;

	/* Arrange: the same clear keys under master key 2. */
	key = get_key_renc(test, blob, renc);

	/* Act */
	KUNIT_ASSERT_EQ(test, update(key, renc, BLOB_LEN), 0);

	/* Assert: swapped; with MK 1 gone the next derive still works. */
	KUNIT_EXPECT_TRUE(test, blob_is(key, renc));
	protkey_key_get_stats(key, &st);
	derives = st.derives;
	fake.mk_gone = 1;
	fake_migrate();
	KUNIT_EXPECT_EQ(test, protkey_key_rederive(key), 0);
	KUNIT_EXPECT_TRUE(test, wait_valid(key));
	protkey_key_get_stats(key, &st);
	KUNIT_EXPECT_EQ(test, st.derives, derives + 2);
	KUNIT_EXPECT_EQ(test, st.failures, 0);
	protkey_key_put(key);
}

static void update_different_key_rejected(struct kunit *test)
{
	u8 blob[BLOB_LEN], other[BLOB_LEN];
	struct protkey_key *key;

	make_xts(blob, clear1, clear2, 1);
	make_xts(other, clear2, clear1, 2);
	key = get_key(test, blob);

	KUNIT_EXPECT_EQ(test, update(key, other, BLOB_LEN), -EKEYREJECTED);

	KUNIT_EXPECT_TRUE(test, blob_is(key, blob));
	KUNIT_EXPECT_TRUE(test, protkey_key_usable(key));
	protkey_key_put(key);
}

static void update_without_cap_sys_admin_refused(struct kunit *test)
{
	u8 blob[BLOB_LEN], renc[BLOB_LEN];
	const struct cred *old;
	struct protkey_key *key;
	struct cred *cred;
	int ret;

	key = get_key_renc(test, blob, renc);
	cred = prepare_creds();
	KUNIT_ASSERT_NOT_NULL(test, cred);
	cap_lower(cred->cap_effective, CAP_SYS_ADMIN);

	old = override_creds(cred);
	ret = update(key, renc, BLOB_LEN);
	revert_creds(old);
	put_cred(cred);

	KUNIT_EXPECT_EQ(test, ret, -EPERM);
	KUNIT_EXPECT_TRUE(test, blob_is(key, blob));
	protkey_key_put(key);
}

struct payload_case {
	const char *desc;
	unsigned int len;
	int corrupt;
	int ret;
};

enum { P_NONE, P_TYPE, P_VERSION, P_SAME, P_UNSUPPORTED, P_KEYLEN, P_MIXED };

static const struct payload_case payload_cases[] = {
	{ "empty", 0, P_NONE, -EINVAL },
	{ "one byte short", BLOB_LEN - 1, P_NONE, -EINVAL },
	{ "one half only", BLOB_LEN / 2, P_NONE, -EINVAL },
	{ "one byte long", BLOB_LEN + 1, P_NONE, -EINVAL },
	{ "larger halves", 2 * 80, P_NONE, -EINVAL },
	{ "token types differ", BLOB_LEN, P_TYPE, -EINVAL },
	{ "token versions differ", BLOB_LEN, P_VERSION, -EINVAL },
	{ "identical halves", BLOB_LEN, P_SAME, -EINVAL },
	{ "unsupported token type", BLOB_LEN, P_UNSUPPORTED, -EINVAL },
	{ "AES-192 halves", BLOB_LEN, P_KEYLEN, -EINVAL },
	{ "halves of two keys", BLOB_LEN, P_MIXED, -EKEYREJECTED },
};

static void payload_desc(const struct payload_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(payload, payload_cases, payload_desc);

static void update_malformed_payload_refused(struct kunit *test)
{
	const struct payload_case *c = test->param_value;
	u8 blob[BLOB_LEN], *p;
	struct protkey_key *key;

	/* Arrange: a re-enciphered blob of the same key, then break it. */
	make_xts(blob, clear1, clear2, 1);
	key = get_key(test, blob);
	p = kunit_kzalloc(test, 2 * 80, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	make_xts(p, clear1, clear2, 2);
	if (c->corrupt == P_TYPE)
		p[FAKE_TOKEN_SIZE] ^= 1;
	if (c->corrupt == P_VERSION)
		p[FAKE_TOKEN_SIZE + 4] ^= 1;
	if (c->corrupt == P_SAME)
		memcpy(p + FAKE_TOKEN_SIZE, p, FAKE_TOKEN_SIZE);
	if (c->corrupt == P_UNSUPPORTED)
		p[0] = 0xfb;
	if (c->corrupt == P_UNSUPPORTED)
		p[FAKE_TOKEN_SIZE] = 0xfb;
	if (c->corrupt == P_KEYLEN)
		fake_make_token(p, clear1, 24, 2);
	if (c->corrupt == P_KEYLEN)
		fake_make_token(p + FAKE_TOKEN_SIZE, clear2, 24, 2);
	if (c->corrupt == P_MIXED)
		fake_make_token(p + FAKE_TOKEN_SIZE, clear1, 32, 3);

	/* Act + Assert: refused, nothing changed. */
	KUNIT_EXPECT_EQ(test, update(key, c->len ? p : NULL, c->len), c->ret);
	KUNIT_EXPECT_TRUE(test, blob_is(key, blob));
	KUNIT_EXPECT_TRUE(test, protkey_key_usable(key));
	protkey_key_put(key);
}

static void revoke_during_stall_fails_parked(struct kunit *test)
{
	struct protkey_pk pk[2];
	struct protkey_key *key;
	u8 blob[BLOB_LEN];
	struct fake_req *r;
	int i;

	/* Arrange: a long outage parks two requests. */
	make_xts(blob, clear1, clear2, 1);
	key = get_key(test, blob);
	r = reqs_alloc(test, key, 3, 0);
	fake_migrate();
	fake_set_outage(60000);
	KUNIT_ASSERT_EQ(test, submit(&r[0]), -EINPROGRESS);
	KUNIT_ASSERT_EQ(test, submit(&r[1]), -EINPROGRESS);

	/* Act */
	key_revoke(key->kkey);

	/* Assert: parked requests failed, keys wiped, new I/O fails. */
	for (i = 0; i < 2; i++) {
		KUNIT_ASSERT_NE(test,
				wait_for_completion_timeout(&r[i].done, 5 * HZ),
				0);
		KUNIT_EXPECT_EQ(test, r[i].err, -EIO);
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&key->state), PROTKEY_KEY_REVOKED);
	KUNIT_EXPECT_NULL(test, rcu_access_pointer(key->blob));
	protkey_key_read_pk(key, pk);
	KUNIT_EXPECT_TRUE(test,
			  !memchr_inv(pk[0].protkey, 0, sizeof(pk[0].protkey)));
	KUNIT_EXPECT_TRUE(test,
			  !memchr_inv(pk[1].protkey, 0, sizeof(pk[1].protkey)));
	fake.outage = false;
	KUNIT_EXPECT_EQ(test, submit(&r[2]), -EIO);
	KUNIT_EXPECT_EQ(test, update(key, blob, BLOB_LEN), -EKEYREVOKED);
	KUNIT_EXPECT_EQ(test, protkey_key_rederive(key), -EKEYREVOKED);
	protkey_key_put(key);
}

static void revoked_key_not_shared_by_new_setkey(struct kunit *test)
{
	struct protkey_key *key, *again;
	u8 blob[BLOB_LEN];

	make_xts(blob, clear1, clear2, 1);
	key = get_key(test, blob);
	key_revoke(key->kkey);

	again = get_key(test, blob);

	KUNIT_EXPECT_PTR_NE(test, key, again);
	KUNIT_EXPECT_TRUE(test, protkey_key_usable(again));
	protkey_key_put(again);
	protkey_key_put(key);
}

static void update_during_stall_completes_parked(struct kunit *test)
{
	u8 blob[BLOB_LEN], renc[BLOB_LEN];
	struct protkey_key *key;
	struct fake_req *r;
	int i;

	/* Arrange: MK 1 is gone, so the re-derivation stalls. */
	key = get_key_renc(test, blob, renc);
	r = reqs_alloc(test, key, 2, 0);
	fake_migrate();
	fake.mk_gone = 1;
	KUNIT_ASSERT_EQ(test, submit(&r[0]), -EINPROGRESS);
	KUNIT_ASSERT_EQ(test, submit(&r[1]), -EINPROGRESS);
	msleep(50);
	KUNIT_EXPECT_FALSE(test, completion_done(&r[0].done));

	/* Act: the re-enciphered blob arrives. */
	KUNIT_ASSERT_EQ(test, update(key, renc, BLOB_LEN), 0);

	/* Assert: the stall ends with the new blob, I/O completes. */
	for (i = 0; i < 2; i++) {
		KUNIT_ASSERT_NE(test,
				wait_for_completion_timeout(&r[i].done, 5 * HZ),
				0);
		KUNIT_EXPECT_EQ(test, r[i].err, 0);
	}
	KUNIT_EXPECT_TRUE(test, protkey_key_usable(key));
	KUNIT_EXPECT_TRUE(test, blob_is(key, renc));
	protkey_key_put(key);
}

static void derive_reports_old_master_key(struct kunit *test)
{
	struct protkey_key_snapshot snap;
	struct protkey_key *key;
	u8 blob[BLOB_LEN];

	make_xts(blob, clear1, clear2, 1);
	key = get_key(test, blob);
	fake.mk_old = 1;
	fake_migrate();

	KUNIT_EXPECT_EQ(test, protkey_key_rederive(key), 0);
	KUNIT_EXPECT_TRUE(test, wait_valid(key));

	protkey_key_snapshot(key, &snap);
	KUNIT_EXPECT_EQ(test, snap.info[0].match, PROTKEY_MK_OLD);
	KUNIT_EXPECT_EQ(test, snap.info[1].match, PROTKEY_MK_OLD);
	KUNIT_EXPECT_EQ(test, snap.info[0].mkvp, 1);
	protkey_key_put(key);
}

static void describe_shows_description_and_state(struct kunit *test)
{
	char *buf, want[2 * PROTKEY_KEY_VP_SIZE + 16];
	struct seq_file m = {};
	struct protkey_key *key;
	u8 blob[BLOB_LEN];

	make_xts(blob, clear1, clear2, 1);
	key = get_key(test, blob);
	buf = kunit_kzalloc(test, 256, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	m.buf = buf;
	m.size = 256;

	rcu_read_lock();
	key->kkey->type->describe(key->kkey, &m);
	rcu_read_unlock();

	snprintf(want, sizeof(want), "%*phN: valid", PROTKEY_KEY_VP_SIZE,
		 key->vp);
	KUNIT_EXPECT_EQ(test, m.count, strlen(want));
	KUNIT_EXPECT_EQ(test, memcmp(buf, want, strlen(want)), 0);
	protkey_key_put(key);
}

static bool contains(const char *buf, size_t len, const u8 *pat, size_t n)
{
	size_t i;

	for (i = 0; i + n <= len; i++)
		if (!memcmp(buf + i, pat, n))
			return true;
	return false;
}

static void read_shows_state_never_blob(struct kunit *test)
{
	char *buf, line[96];
	struct protkey_key *key;
	u8 blob[BLOB_LEN];
	long len;

	make_xts(blob, clear1, clear2, 1);
	key = get_key(test, blob);
	buf = kunit_kzalloc(test, PROTKEY_KEYTYPE_TEXT_MAX + 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);

	down_read(&key->kkey->sem);
	KUNIT_EXPECT_GT(test, key->kkey->type->read(key->kkey, NULL, 0), 0);
	len = key->kkey->type->read(key->kkey, buf, PROTKEY_KEYTYPE_TEXT_MAX);
	up_read(&key->kkey->sem);

	KUNIT_ASSERT_GT(test, len, 0);
	KUNIT_EXPECT_LT(test, len, PROTKEY_KEYTYPE_TEXT_MAX);
	KUNIT_EXPECT_NOT_NULL(test, strstr(buf, "state: valid\n"));
	KUNIT_EXPECT_NOT_NULL(test, strstr(buf, "key-type: KUNIT-FAKE\n"));
	KUNIT_EXPECT_NOT_NULL(test, strstr(buf, "mk-match: current current\n"));
	KUNIT_EXPECT_NOT_NULL(test, strstr(buf, "derives: 2\n"));
	KUNIT_EXPECT_NOT_NULL(test, strstr(buf, "users: 1\n"));
	snprintf(line, sizeof(line), "vp: %*phN\n", PROTKEY_KEY_VP_SIZE,
		 key->vp);
	KUNIT_EXPECT_NOT_NULL(test, strstr(buf, line));
	/* No secure-key byte sequence appears (as raw or hex). */
	snprintf(line, sizeof(line), "%*phN", 16, blob + FAKE_KEY_OFFSET);
	KUNIT_EXPECT_NULL(test, strstr(buf, line));
	KUNIT_EXPECT_FALSE(test,
			   contains(buf, len, blob + FAKE_KEY_OFFSET, 16));
	protkey_key_put(key);
}

static void token_names_table(struct kunit *test)
{
	KUNIT_EXPECT_STREQ(test, protkey_keytype_token_name(0x01, 0x04),
			   "CCA-AESDATA");
	KUNIT_EXPECT_STREQ(test, protkey_keytype_token_name(0x01, 0x05),
			   "CCA-AESCIPHER");
	KUNIT_EXPECT_STREQ(test, protkey_keytype_token_name(0x00, 0x03),
			   "EP11-AES");
	KUNIT_EXPECT_STREQ(test, protkey_keytype_token_name(0x00, 0x06),
			   "EP11-AES");
	KUNIT_EXPECT_STREQ(test, protkey_keytype_token_name(0x00, 0x09),
			   "PVSECRET-AES");
	KUNIT_EXPECT_STREQ(test, protkey_keytype_token_name(0x00, 0x02),
			   "unknown");
	KUNIT_EXPECT_STREQ(test, protkey_keytype_token_name(0xfa, 0x01),
			   "unknown");
}

static struct kunit_case protkey_keytype_cases[] = {
	KUNIT_CASE(attach_links_key_into_keyring),
	KUNIT_CASE(last_put_removes_key),
	KUNIT_CASE(instantiate_from_user_refused),
	KUNIT_CASE(update_same_key_swaps_blob),
	KUNIT_CASE(update_different_key_rejected),
	KUNIT_CASE(update_without_cap_sys_admin_refused),
	KUNIT_CASE_PARAM(update_malformed_payload_refused, payload_gen_params),
	KUNIT_CASE(revoke_during_stall_fails_parked),
	KUNIT_CASE(revoked_key_not_shared_by_new_setkey),
	KUNIT_CASE(update_during_stall_completes_parked),
	KUNIT_CASE(derive_reports_old_master_key),
	KUNIT_CASE(describe_shows_description_and_state),
	KUNIT_CASE(read_shows_state_never_blob),
	KUNIT_CASE(token_names_table),
	{}
};

static struct kunit_suite protkey_keytype_suite = {
	.name = "protkey_keytype",
	.init = keytype_test_init,
	.exit = keytype_test_exit,
	.test_cases = protkey_keytype_cases,
};

kunit_test_suite(protkey_keytype_suite);

MODULE_DESCRIPTION("KUnit tests of the protkey key type");
MODULE_LICENSE("GPL");
