// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of protkey's key objects (kernel/key.c) on a fake platform:
 * validation, identity by verification pattern, and the re-derivation
 * state machine driven by fake requests.
 */
#include <crypto/skcipher.h>
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/sched/signal.h>
#include <linux/scatterlist.h>

#include "../key.h"
#include "../skcipher.h"
#include "fake_platform.h"
#include "fake_req.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

static const u8 clear1[32] = { 0x27, 0x18, 0x28, 0x18, 0x28, 0x45, 0x90, 0x45,
			       0x23, 0x53, 0x60, 0x28, 0x74, 0x71, 0x35, 0x26,
			       0x62, 0x49, 0x77, 0x57, 0x24, 0x70, 0x93, 0x69,
			       0x99, 0x59, 0x57, 0x49, 0x66, 0x96, 0x76, 0x27 };
static const u8 clear2[32] = { 0x31, 0x41, 0x59, 0x26, 0x53, 0x58, 0x97, 0x93,
			       0x23, 0x84, 0x62, 0x64, 0x33, 0x83, 0x27, 0x95,
			       0x02, 0x88, 0x41, 0x97, 0x16, 0x93, 0x99, 0x37,
			       0x51, 0x05, 0x82, 0x09, 0x74, 0x94, 0x45, 0x92 };

static unsigned int saved_timeout;

static int key_test_init(struct kunit *test)
{
	fake_reset();
	saved_timeout = protkey_rekey_timeout_ms;
	protkey_rekey_timeout_ms = 2000;
	return 0;
}

static void key_test_exit(struct kunit *test)
{
	protkey_key_hooks.event = NULL;
	fake.key_info_cb = NULL;
	protkey_rekey_timeout_ms = saved_timeout;
}

/* A 2 x 64-byte fake XTS secure key. */
static void make_xts(u8 blob[2 * FAKE_TOKEN_SIZE], const u8 *k1, const u8 *k2,
		     unsigned int keylen, u8 mk)
{
	fake_make_token(blob, k1, keylen, mk);
	fake_make_token(blob + FAKE_TOKEN_SIZE, k2, keylen, mk);
}

static u8 *blob_init(u8 blob[2 * FAKE_TOKEN_SIZE])
{
	make_xts(blob, clear1, clear2, 32, 1);
	return blob;
}

static struct protkey_key *get_key(struct kunit *test, const u8 *blob)
{
	struct protkey_key *key = NULL;

	KUNIT_ASSERT_EQ(test,
			protkey_key_get_ops(&fake_ops, blob,
					    2 * FAKE_TOKEN_SIZE, &key),
			0);
	KUNIT_ASSERT_NOT_NULL(test, key);
	return key;
}

struct validate_case {
	const char *desc;
	unsigned int len;
	int corrupt;
	int ret;
};

enum { C_NONE, C_TYPE, C_VERSION, C_SAME };

static const struct validate_case validate_cases[] = {
	{ "2x64 CCA-sized ok", 128, C_NONE, 0 },
	{ "odd length", 127, C_NONE, -EINVAL },
	{ "halves too short", 96, C_NONE, -EINVAL },
	{ "halves too long", 2 * 337, C_NONE, -EINVAL },
	{ "token types differ", 128, C_TYPE, -EINVAL },
	{ "token versions differ", 128, C_VERSION, -EINVAL },
	{ "identical halves", 128, C_SAME, -EINVAL },
};

static void validate_desc(const struct validate_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(validate, validate_cases, validate_desc);

static void validate_table(struct kunit *test)
{
	const struct validate_case *c = test->param_value;
	unsigned int half = c->len / 2;
	u8 *blob;

	/* Arrange: two different tokens of the tested size. */
	blob = kunit_kzalloc(test, 2 * 337, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, blob);
	blob[0] = FAKE_TOKEN_TYPE;
	blob[4] = FAKE_TOKEN_VERSION;
	blob[8] = 1;
	memcpy(blob + half, blob, half);
	blob[half + 8] = 2;
	if (c->corrupt == C_TYPE)
		blob[half] ^= 1;
	if (c->corrupt == C_VERSION)
		blob[half + 4] ^= 1;
	if (c->corrupt == C_SAME)
		blob[half + 8] = blob[8];

	/* Act + Assert */
	KUNIT_EXPECT_EQ(test, protkey_key_validate(blob, c->len), c->ret);
}

static void get_same_blob_shares_object(struct kunit *test)
{
	u8 blob[2 * FAKE_TOKEN_SIZE];
	struct protkey_key *a, *b;

	make_xts(blob, clear1, clear2, 32, 1);
	a = get_key(test, blob);
	b = get_key(test, blob);

	KUNIT_EXPECT_PTR_EQ(test, a, b);
	KUNIT_EXPECT_EQ(test, atomic_read(&fake.derives), 2);
	protkey_key_put(b);
	protkey_key_put(a);
}

/*
 * P5: the memory of one key object and of one xts(paes) tfm, as the slab
 * allocator sizes them (ksize), for the figures of performance.rst. The
 * data path allocates nothing: a request's state lives in the request
 * (reqsize), which its user allocates.
 */
static void memory_per_key_object_and_tfm(struct kunit *test)
{
	u8 blob[2 * FAKE_TOKEN_SIZE];
	struct protkey_blob *b;
	struct protkey_key *key;
	size_t kbytes, bbytes;

	make_xts(blob, clear1, clear2, 32, 1);
	key = get_key(test, blob);
	rcu_read_lock();
	b = rcu_dereference(key->blob);
	bbytes = b ? ksize(b) : 0;
	rcu_read_unlock();
	kbytes = ksize(key);

	KUNIT_EXPECT_GE(test, kbytes, sizeof(*key));
	KUNIT_EXPECT_GE(test, bbytes, sizeof(blob));
	kunit_info(test, "P5: key object %zu bytes", kbytes + bbytes);
	kunit_info(test, "P5: struct %zu in %zu, blob %zu in %zu", sizeof(*key),
		   kbytes, sizeof(blob), bbytes);
	kunit_info(test, "P5: tfm context %zu bytes, request context %zu",
		   sizeof(struct protkey_xts_ctx),
		   sizeof(struct protkey_xts_req));
	protkey_key_put(key);
}

static void get_reenciphered_blob_shares_by_vp(struct kunit *test)
{
	u8 blob[2 * FAKE_TOKEN_SIZE], renc[2 * FAKE_TOKEN_SIZE];
	u8 other[2 * FAKE_TOKEN_SIZE];
	struct protkey_key *a, *b, *c;

	/* Same clear keys under another "master key": another blob. */
	make_xts(blob, clear1, clear2, 32, 1);
	make_xts(renc, clear1, clear2, 32, 2);
	make_xts(other, clear2, clear1, 32, 1);
	KUNIT_ASSERT_NE(test, memcmp(blob, renc, sizeof(blob)), 0);

	a = get_key(test, blob);
	b = get_key(test, renc);
	c = get_key(test, other);

	KUNIT_EXPECT_PTR_EQ(test, a, b);
	KUNIT_EXPECT_PTR_NE(test, a, c);
	KUNIT_EXPECT_NE(test, memcmp(a->vp, c->vp, PROTKEY_KEY_VP_SIZE), 0);
	protkey_key_put(c);
	protkey_key_put(b);
	protkey_key_put(a);
}

static void compute_vp_equals_generic_xts(struct kunit *test)
{
	u8 blob[2 * FAKE_TOKEN_SIZE], key2[64], iv[16] = {}, buf[32] = {};
	struct crypto_skcipher *tfm;
	struct skcipher_request *req;
	struct protkey_key *key;
	struct scatterlist sg;
	DECLARE_CRYPTO_WAIT(wait);
	int ret;

	make_xts(blob, clear1, clear2, 32, 1);
	key = get_key(test, blob);

	/* Oracle: the kernel's xts(aes) over 32 zero bytes, zero tweak. */
	tfm = crypto_alloc_skcipher("xts(aes)", 0, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(tfm));
	memcpy(key2, clear1, 32);
	memcpy(key2 + 32, clear2, 32);
	KUNIT_ASSERT_EQ(test, crypto_skcipher_setkey(tfm, key2, 64), 0);
	req = skcipher_request_alloc(tfm, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, req);
	sg_init_one(&sg, buf, sizeof(buf));
	skcipher_request_set_callback(req, 0, crypto_req_done, &wait);
	skcipher_request_set_crypt(req, &sg, &sg, sizeof(buf), iv);
	ret = crypto_wait_req(crypto_skcipher_encrypt(req), &wait);
	KUNIT_ASSERT_EQ(test, ret, 0);

	KUNIT_EXPECT_EQ(test, memcmp(key->vp, buf, PROTKEY_KEY_VP_SIZE), 0);
	skcipher_request_free(req);
	crypto_free_skcipher(tfm);
	protkey_key_put(key);
}

static void get_waits_out_short_outage(struct kunit *test)
{
	u8 blob[2 * FAKE_TOKEN_SIZE];
	struct protkey_key *key;

	fake_set_outage(100);
	key = get_key(test, blob_init(blob));

	KUNIT_EXPECT_GT(test, atomic_read(&fake.derive_calls), 2);
	protkey_key_put(key);
}

static void get_hard_error_fails(struct kunit *test)
{
	u8 blob[2 * FAKE_TOKEN_SIZE];
	struct protkey_key *key = NULL;

	atomic_set(&fake.fail_count, 1);
	fake.fail_errno = -EIO;

	KUNIT_EXPECT_EQ(test,
			protkey_key_get_ops(&fake_ops, blob_init(blob),
					    2 * FAKE_TOKEN_SIZE, &key),
			-EIO);
	KUNIT_EXPECT_NULL(test, key);
	KUNIT_EXPECT_EQ(test, atomic_read(&fake.derive_calls), 1);
}

static void submit_all(struct kunit *test, struct fake_req *r, unsigned int n)
{
	unsigned long left;
	unsigned int i;

	for (i = 0; i < n; i++)
		submit(&r[i]);
	for (i = 0; i < n; i++) {
		left = wait_for_completion_timeout(&r[i].done, 30 * HZ);
		KUNIT_ASSERT_NE(test, left, 0);
	}
}

/* A valid key and @n requests on it, then a wrapping-key change. */
static struct fake_req *stale_key_reqs(struct kunit *test,
				       struct protkey_key **key, unsigned int n)
{
	u8 blob[2 * FAKE_TOKEN_SIZE];
	struct fake_req *r;

	*key = get_key(test, blob_init(blob));
	r = reqs_alloc(test, *key, n, CRYPTO_TFM_REQ_MAY_BACKLOG);
	fake_migrate();
	return r;
}

static void migrate_parks_then_one_derive_per_half(struct kunit *test)
{
	const unsigned int n = 100;
	struct protkey_key_stats st;
	unsigned int i, busy = 0;
	struct protkey_key *key;
	struct fake_req *r;

	/* Arrange: a valid key, then a wrapping-key change; slow derives. */
	r = stale_key_reqs(test, &key, n);
	fake.derive_delay_ms = 20;
	atomic_set(&fake.derives, 0);

	/* Act */
	submit_all(test, r, n);

	/* Assert: all done, one derive per half, one stall, backlog told. */
	for (i = 0; i < n; i++) {
		KUNIT_EXPECT_EQ(test, r[i].err, 0);
		busy += r[i].submitted == -EBUSY;
		if (r[i].submitted != -EBUSY)
			KUNIT_EXPECT_EQ(test, r[i].submitted, -EINPROGRESS);
		KUNIT_EXPECT_EQ(test, r[i].notified,
				r[i].submitted == -EBUSY ? 1 : 0);
	}
	KUNIT_EXPECT_GT(test, busy, 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&fake.derives), 2);
	protkey_key_get_stats(key, &st);
	KUNIT_EXPECT_EQ(test, st.stalls, 1);
	KUNIT_EXPECT_EQ(test, st.failures, 0);
	KUNIT_EXPECT_TRUE(test, protkey_key_usable(key));
	protkey_key_put(key);
}

static void outage_shorter_than_timeout_completes(struct kunit *test)
{
	struct protkey_key *key;
	struct fake_req *r;

	r = stale_key_reqs(test, &key, 4);
	fake_set_outage(300);
	atomic_set(&fake.derive_calls, 0);

	submit_all(test, r, 4);

	KUNIT_EXPECT_EQ(test, r[0].err, 0);
	KUNIT_EXPECT_EQ(test, r[3].err, 0);
	KUNIT_EXPECT_GT(test, atomic_read(&fake.derive_calls), 2);
	protkey_key_put(key);
}

static void outage_longer_than_timeout_fails_then_recovers(struct kunit *test)
{
	struct protkey_key_stats st;
	struct protkey_key *key;
	struct fake_req *r;

	r = stale_key_reqs(test, &key, 3);
	protkey_rekey_timeout_ms = 200;
	fake_set_outage(60000);

	/* Act 1: two requests during the outage. */
	submit_all(test, r, 2);

	KUNIT_EXPECT_EQ(test, r[0].err, -EIO);
	KUNIT_EXPECT_EQ(test, r[1].err, -EIO);
	KUNIT_EXPECT_FALSE(test, protkey_key_usable(key));
	protkey_key_get_stats(key, &st);
	KUNIT_EXPECT_EQ(test, st.failures, 1);
	KUNIT_EXPECT_EQ(test, st.failed_requests, 2);
	KUNIT_EXPECT_EQ(test, st.last_error, -ENODEV);

	/* Act 2: adapters are back; the next request derives at once. */
	fake.outage = false;
	submit_all(test, r + 2, 1);

	KUNIT_EXPECT_EQ(test, r[2].err, 0);
	KUNIT_EXPECT_TRUE(test, protkey_key_usable(key));
	protkey_key_put(key);
}

static void hard_error_fails_without_retry(struct kunit *test)
{
	struct protkey_key *key;
	struct fake_req *r;

	r = stale_key_reqs(test, &key, 2);
	atomic_set(&fake.fail_count, 1);
	fake.fail_errno = -EINVAL;
	atomic_set(&fake.derive_calls, 0);

	submit_all(test, r, 2);

	KUNIT_EXPECT_EQ(test, r[0].err, -EIO);
	KUNIT_EXPECT_EQ(test, r[1].err, -EIO);
	KUNIT_EXPECT_EQ(test, atomic_read(&fake.derive_calls), 1);
	protkey_key_put(key);
}

static void flush_fails_parked_requests_of_tfm(struct kunit *test)
{
	struct crypto_tfm *tfm_a = (struct crypto_tfm *)0x1000;
	struct crypto_tfm *tfm_b = (struct crypto_tfm *)0x2000;
	struct protkey_key *key;
	struct fake_req *r;

	/* Arrange: a long outage parks two requests of two "tfms". */
	r = stale_key_reqs(test, &key, 2);
	r[0].base.tfm = tfm_a;
	r[1].base.tfm = tfm_b;
	fake_set_outage(60000);
	KUNIT_ASSERT_EQ(test, submit(&r[0]), -EINPROGRESS);
	KUNIT_ASSERT_EQ(test, submit(&r[1]), -EINPROGRESS);

	/* Act: tfm a goes away. */
	protkey_key_flush(key, tfm_a);

	/* Assert: only its request failed; the other still waits. */
	KUNIT_EXPECT_TRUE(test, completion_done(&r[0].done));
	KUNIT_EXPECT_EQ(test, r[0].err, -EIO);
	KUNIT_EXPECT_FALSE(test, completion_done(&r[1].done));

	fake.outage = false;
	KUNIT_ASSERT_NE(test, wait_for_completion_timeout(&r[1].done, 30 * HZ),
			0);
	KUNIT_EXPECT_EQ(test, r[1].err, 0);
	protkey_key_put(key);
}

static void worker_derives_noio_with_nomemalloc(struct kunit *test)
{
	struct protkey_key *key;
	struct fake_req *r;

	/* Arrange: setkey's derives are no I/O path. */
	r = stale_key_reqs(test, &key, 4);
	KUNIT_EXPECT_EQ(test, atomic_read(&fake.derive_calls), 2);
	KUNIT_EXPECT_EQ(test, atomic_read(&fake.derive_noio), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&fake.derive_nomemalloc), 0);
	atomic_set(&fake.derive_calls, 0);

	/* Act: the worker re-derives for parked requests. */
	submit_all(test, r, 4);

	/* Assert: both derives in a noio scope, with the flag. */
	KUNIT_EXPECT_EQ(test, r[3].err, 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&fake.derive_calls), 2);
	KUNIT_EXPECT_EQ(test, atomic_read(&fake.derive_noio), 2);
	KUNIT_EXPECT_EQ(test, atomic_read(&fake.derive_nomemalloc), 2);
	protkey_key_put(key);
}

/* What the requests of order_test looked like when an event or info came. */
static struct {
	struct protkey_key *key;
	struct fake_req *r;
	unsigned int n;
	int done_at_event;
	int done_at_info;
	struct completion event;
} order;

static int order_done(void)
{
	unsigned int i;
	int done = 0;

	for (i = 0; i < order.n; i++)
		done += completion_done(&order.r[i].done);
	return done;
}

static void order_event(struct protkey_key *key, enum protkey_key_event ev)
{
	if (ev != PROTKEY_KEY_EV_REDERIVED || key != order.key)
		return;
	order.done_at_event = order_done();
	complete(&order.event);
}

static void order_key_info(void)
{
	order.done_at_info = order_done();
}

static void events_and_info_after_drain(struct kunit *test)
{
	struct protkey_key *key;

	/* Arrange: parked requests; record events and key_info calls. */
	order.r = stale_key_reqs(test, &key, 4);
	/*
	 * The events of the key's first derive (get_key()) are queued
	 * already: delivered before the hooks are set, they would be taken
	 * for the drain's (seen on a slow TCG guest, done_at_event == 0).
	 */
	flush_work(&key->notify);
	order.key = key;
	order.n = 4;
	order.done_at_event = -1;
	order.done_at_info = -1;
	init_completion(&order.event);
	atomic_set(&fake.key_info_calls, 0);
	fake.key_info_cb = order_key_info;
	protkey_key_hooks.event = order_event;

	/* Act */
	submit_all(test, order.r, 4);
	KUNIT_ASSERT_NE(test, wait_for_completion_timeout(&order.event, 5 * HZ),
			0);
	flush_work(&key->notify);

	/* Assert: KEY_REDERIVED and the info refresh after the drain. */
	KUNIT_EXPECT_EQ(test, order.done_at_event, 4);
	KUNIT_EXPECT_EQ(test, order.done_at_info, 4);
	KUNIT_EXPECT_EQ(test, atomic_read(&fake.key_info_calls), 2);
	KUNIT_EXPECT_EQ(test, atomic_read(&fake.key_info_noio), 0);
	protkey_key_hooks.event = NULL;
	fake.key_info_cb = NULL;
	protkey_key_put(key);
}

/* Polls @v every 5 ms for up to @ms; true when it exceeded @than. */
static bool poll_above(atomic_t *v, int than, unsigned int ms)
{
	unsigned long end = jiffies + msecs_to_jiffies(ms);

	while (atomic_read(v) <= than && time_before(jiffies, end))
		usleep_range(5000, 6000);
	return atomic_read(v) > than;
}

/* A key that a long outage and a short timeout left FAILED. */
static struct fake_req *
failed_key_reqs(struct kunit *test, struct protkey_key **key, unsigned int n)
{
	struct fake_req *r;

	r = stale_key_reqs(test, key, n + 1);
	protkey_rekey_timeout_ms = 100;
	fake_set_outage(60000);
	submit_all(test, r, 1);
	KUNIT_EXPECT_EQ(test, r[0].err, -EIO);
	KUNIT_EXPECT_EQ(test, atomic_read(&(*key)->state), PROTKEY_KEY_FAILED);
	return r + 1;
}

static void drain_parks_by_force_never_positive(struct kunit *test)
{
	struct protkey_key *key;
	struct fake_req *r;
	int calls;

	/* Arrange: a parked request whose next 4 runs meet replaced keys. */
	r = stale_key_reqs(test, &key, 1);
	fake_set_outage(60000);
	KUNIT_ASSERT_EQ(test, submit(&r[0]), -EINPROGRESS);
	r[0].stale_runs = 4;
	calls = atomic_read(&fake.derive_calls);

	/* Act: adapters return; the worker derives and drains. */
	fake.outage = false;
	KUNIT_ASSERT_NE(test, wait_for_completion_timeout(&r[0].done, 30 * HZ),
			0);

	/* Assert: after 3 retries it parked by force, then ran: result 0. */
	KUNIT_EXPECT_EQ(test, r[0].err, 0);
	KUNIT_EXPECT_EQ(test, r[0].stale_runs, 0);
	KUNIT_EXPECT_GE(test, atomic_read(&fake.derive_calls) - calls, 4);
	protkey_key_put(key);
}

static void park_force_parks_on_valid_key(struct kunit *test)
{
	struct protkey_key *key;
	struct fake_req *r;

	/* Arrange: a valid key; a request that saw keys already replaced. */
	r = stale_key_reqs(test, &key, 1);
	atomic64_dec(&fake.gen); /* undo the migration: the keys are valid */
	r[0].p.gen = READ_ONCE(key->pk_gen) - 1;

	/* Act + Assert: plain park says retry, forced park parks. */
	KUNIT_EXPECT_EQ(test, protkey_key_park(key, &r[0].p, true),
			PROTKEY_KEY_RETRY);
	KUNIT_EXPECT_EQ(test, protkey_key_park_force(key, &r[0].p),
			-EINPROGRESS);
	KUNIT_ASSERT_NE(test, wait_for_completion_timeout(&r[0].done, 30 * HZ),
			0);
	KUNIT_EXPECT_EQ(test, r[0].err, 0);
	protkey_key_put(key);
}

static void give_up_keeps_admin_stale(struct kunit *test)
{
	struct protkey_key *key;
	struct fake_req *r;
	int calls;

	/* Arrange: FAILED; the next one-shot derive is slow and fails. */
	r = failed_key_reqs(test, &key, 1);
	fake.outage = false;
	fake.derive_delay_ms = 300;
	fake.fail_errno = -ENODEV;
	atomic_set(&fake.fail_count, 1);
	calls = atomic_read(&fake.derive_calls);
	KUNIT_ASSERT_EQ(test, submit(&r[0]), -EINPROGRESS);
	KUNIT_ASSERT_TRUE(test, poll_above(&fake.derive_calls, calls, 5000));

	/* Act: an admin asks for a re-derive while that derive runs. */
	protkey_rekey_timeout_ms = 5000;
	KUNIT_EXPECT_EQ(test, protkey_key_rederive(key), 0);

	/* Assert: the failed attempt did not fail the admin's episode. */
	KUNIT_ASSERT_NE(test, wait_for_completion_timeout(&r[0].done, 30 * HZ),
			0);
	KUNIT_EXPECT_EQ(test, r[0].err, 0);
	KUNIT_EXPECT_TRUE(test, protkey_key_usable(key));
	protkey_key_put(key);
}

static void failed_attempts_keep_an_interval(struct kunit *test)
{
	struct protkey_key *key;
	struct fake_req *r;
	int calls;

	/* Arrange: FAILED, adapters still gone; one attempt fails r[0]. */
	r = failed_key_reqs(test, &key, 2);
	submit_all(test, r, 1);
	KUNIT_EXPECT_EQ(test, r[0].err, -EIO);
	calls = atomic_read(&fake.derive_calls);

	/* Act: the next request at once. */
	KUNIT_ASSERT_EQ(test, submit(&r[1]), -EINPROGRESS);

	/* Assert: no attempt before the interval; then one, which fails. */
	msleep(PROTKEY_FAILED_RETRY_MS / 4);
	KUNIT_EXPECT_FALSE(test, completion_done(&r[1].done));
	KUNIT_EXPECT_EQ(test, atomic_read(&fake.derive_calls), calls);
	KUNIT_ASSERT_NE(test, wait_for_completion_timeout(&r[1].done, 30 * HZ),
			0);
	KUNIT_EXPECT_EQ(test, r[1].err, -EIO);
	KUNIT_EXPECT_EQ(test, atomic_read(&fake.derive_calls), calls + 1);
	protkey_key_put(key);
}

static struct {
	atomic_t started;
	atomic_t finished;
} slow;

static void slow_req_done(struct crypto_async_request *areq, int err)
{
	struct fake_req *r = container_of(areq, struct fake_req, base);

	atomic_inc(&slow.started);
	mdelay(300);
	r->err = err;
	atomic_inc(&slow.finished);
	complete(&r->done);
}

static void flush_waits_for_given_up_requests(struct kunit *test)
{
	struct crypto_tfm *tfm = (struct crypto_tfm *)0x1000;
	struct protkey_key *key;
	struct fake_req *r;

	/* Arrange: a request whose completion takes 300 ms. */
	r = stale_key_reqs(test, &key, 1);
	r[0].base.tfm = tfm;
	r[0].base.complete = slow_req_done;
	atomic_set(&slow.started, 0);
	atomic_set(&slow.finished, 0);
	protkey_rekey_timeout_ms = 100;
	fake_set_outage(60000);
	KUNIT_ASSERT_EQ(test, submit(&r[0]), -EINPROGRESS);

	/* Act: the tfm goes away while give-up completes the request. */
	KUNIT_ASSERT_TRUE(test, poll_above(&slow.started, 0, 10000));
	protkey_key_flush(key, tfm);

	/* Assert: flush returned only after that completion. */
	KUNIT_EXPECT_EQ(test, atomic_read(&slow.finished), 1);
	KUNIT_EXPECT_EQ(test, r[0].err, -EIO);
	protkey_key_put(key);
}

static void resume_on_the_key_parked_on(struct kunit *test)
{
	u8 blob[2 * FAKE_TOKEN_SIZE];
	struct protkey_key *key, *other;
	struct fake_req *r;

	/* Arrange: a request parks on key; then its "tfm" holds another. */
	r = stale_key_reqs(test, &key, 1);
	make_xts(blob, clear2, clear1, 32, 1);
	other = get_key(test, blob);
	KUNIT_ASSERT_PTR_NE(test, other, key);
	fake_set_outage(60000);
	KUNIT_ASSERT_EQ(test, submit(&r[0]), -EINPROGRESS);
	r[0].key = other;

	/* Act */
	fake.outage = false;
	KUNIT_ASSERT_NE(test, wait_for_completion_timeout(&r[0].done, 30 * HZ),
			0);

	/* Assert: resumed on the object it parked on, with its keys. */
	KUNIT_EXPECT_PTR_EQ(test, r[0].ran_on, key);
	KUNIT_EXPECT_EQ(test, r[0].err, 0);
	protkey_key_put(other);
	protkey_key_put(key);
}

static void no_derive_starts_after_the_deadline(struct kunit *test)
{
	struct protkey_key *key;
	unsigned long deadline;
	struct fake_req *r;

	/* Arrange: adapters gone for longer than the timeout. */
	r = stale_key_reqs(test, &key, 1);
	protkey_rekey_timeout_ms = 300;
	fake_set_outage(60000);

	/* Act */
	submit_all(test, r, 1);

	/* Assert: failed; every derive of the episode began before T. */
	KUNIT_EXPECT_EQ(test, r[0].err, -EIO);
	deadline = key->episode_start + msecs_to_jiffies(300);
	KUNIT_EXPECT_TRUE(test, time_before(fake.last_derive_start, deadline));
	KUNIT_EXPECT_GT(test, atomic_read(&fake.derive_calls), 3);
	protkey_key_put(key);
}

static void get_waits_at_most_the_timeout(struct kunit *test)
{
	u8 blob[2 * FAKE_TOKEN_SIZE];
	struct protkey_key *key = NULL;
	unsigned long t0;

	/* Arrange */
	protkey_rekey_timeout_ms = 300;
	fake_set_outage(60000);
	t0 = jiffies;

	/* Act */
	KUNIT_EXPECT_EQ(test,
			protkey_key_get_ops(&fake_ops, blob_init(blob),
					    2 * FAKE_TOKEN_SIZE, &key),
			-ENODEV);

	/* Assert: no derive began after the deadline (one jiffy of slack). */
	KUNIT_EXPECT_TRUE(test, time_before(fake.last_derive_start,
					    t0 + msecs_to_jiffies(300) + 1));
	KUNIT_EXPECT_GT(test, atomic_read(&fake.derive_calls), 3);
}

static struct {
	struct completion done;
	int ret;
} sig;

static int get_thread(void *data)
{
	u8 blob[2 * FAKE_TOKEN_SIZE];
	struct protkey_key *key = NULL;

	allow_signal(SIGUSR1);
	sig.ret = protkey_key_get_ops(&fake_ops, blob_init(blob),
				      2 * FAKE_TOKEN_SIZE, &key);
	if (key)
		protkey_key_put(key);
	flush_signals(current);
	complete(&sig.done);
	while (!kthread_should_stop())
		schedule_timeout_interruptible(HZ / 10);
	return 0;
}

static void get_wait_is_interruptible(struct kunit *test)
{
	struct task_struct *t;
	unsigned long left;

	/* Arrange: setkey waits for an adapter, up to 20 s. */
	protkey_rekey_timeout_ms = 20000;
	fake_set_outage(60000);
	init_completion(&sig.done);
	t = kthread_run(get_thread, NULL, "protkey_kunit_get");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	KUNIT_ASSERT_TRUE(test, poll_above(&fake.derive_calls, 2, 5000));

	/* Act: a signal, not a fatal one. */
	send_sig(SIGUSR1, t, 0);

	/* Assert: the wait ends at once with -EINTR. */
	left = wait_for_completion_timeout(&sig.done, 3 * HZ);
	KUNIT_EXPECT_NE(test, left, 0);
	if (!left) {
		fake.outage = false;
		wait_for_completion(&sig.done);
	}
	KUNIT_EXPECT_EQ(test, sig.ret, -EINTR);
	kthread_stop(t);
}

static struct kunit_case protkey_key_cases[] = {
	KUNIT_CASE_PARAM(validate_table, validate_gen_params),
	KUNIT_CASE(get_same_blob_shares_object),
	KUNIT_CASE(memory_per_key_object_and_tfm),
	KUNIT_CASE(get_reenciphered_blob_shares_by_vp),
	KUNIT_CASE(compute_vp_equals_generic_xts),
	KUNIT_CASE(get_waits_out_short_outage),
	KUNIT_CASE(get_hard_error_fails),
	KUNIT_CASE(migrate_parks_then_one_derive_per_half),
	KUNIT_CASE(outage_shorter_than_timeout_completes),
	KUNIT_CASE(outage_longer_than_timeout_fails_then_recovers),
	KUNIT_CASE(hard_error_fails_without_retry),
	KUNIT_CASE(flush_fails_parked_requests_of_tfm),
	KUNIT_CASE(worker_derives_noio_with_nomemalloc),
	KUNIT_CASE(events_and_info_after_drain),
	KUNIT_CASE(drain_parks_by_force_never_positive),
	KUNIT_CASE(park_force_parks_on_valid_key),
	KUNIT_CASE(give_up_keeps_admin_stale),
	KUNIT_CASE(failed_attempts_keep_an_interval),
	KUNIT_CASE(flush_waits_for_given_up_requests),
	KUNIT_CASE(resume_on_the_key_parked_on),
	KUNIT_CASE(no_derive_starts_after_the_deadline),
	KUNIT_CASE(get_waits_at_most_the_timeout),
	KUNIT_CASE(get_wait_is_interruptible),
	{}
};

static struct kunit_suite protkey_key_suite = {
	.name = "protkey_key",
	.init = key_test_init,
	.exit = key_test_exit,
	.test_cases = protkey_key_cases,
};

kunit_test_suite(protkey_key_suite);

MODULE_DESCRIPTION("KUnit tests of protkey key objects");
MODULE_LICENSE("GPL");
