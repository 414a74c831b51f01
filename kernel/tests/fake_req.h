/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Fake crypto requests for the KUnit suites of protkey's key objects.
 *
 * Included after fake_platform.h by the test files that park requests on
 * a key (static definitions, no shared object). A request "runs" by
 * reading the key's protected keys and checking the key's verification
 * pattern, as the cipher's fast path would before touching data.
 */
#ifndef _PROTKEY_FAKE_REQ_H
#define _PROTKEY_FAKE_REQ_H

#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/crypto.h>

#include "../key.h"

/* A request of the fake: resumes by checking the key's pattern. */
struct fake_req {
	struct crypto_async_request base;
	struct protkey_parked p;
	struct protkey_key *key;
	struct protkey_key *ran_on;
	int stale_runs;
	struct completion done;
	int submitted;
	int err;
	int notified;
};

static void fake_req_done(struct crypto_async_request *areq, int err)
{
	struct fake_req *r = container_of(areq, struct fake_req, base);

	if (err == -EINPROGRESS) {
		r->notified++;
		return;
	}
	r->err = err;
	complete(&r->done);
}

/*
 * Runs on @key (the object the request parked on, as the worker passes
 * it) and records which object that was.
 */
static int fake_req_run(struct fake_req *r, struct protkey_key *key)
{
	u8 vp[PROTKEY_KEY_VP_SIZE];
	struct protkey_pk pk[2];
	int ret;

	r->ran_on = key;
	if (r->stale_runs > 0) {
		/* Keys already replaced: what a long-delayed run sees. */
		r->stale_runs--;
		r->p.gen = READ_ONCE(key->pk_gen) - 1;
		return -EKEYEXPIRED;
	}
	r->p.gen = protkey_key_read_pk(key, pk);
	ret = protkey_key_compute_vp(key->ops, pk, vp);
	if (!ret && memcmp(vp, key->vp, sizeof(vp)))
		ret = -EBADMSG;
	return ret;
}

static int fake_req_resume(struct protkey_parked *p)
{
	return fake_req_run(container_of(p, struct fake_req, p), p->key);
}

/* @n requests on @key with request flags @flags, freed with the test. */
static struct fake_req *reqs_alloc(struct kunit *test, struct protkey_key *key,
				   unsigned int n, u32 flags)
{
	struct fake_req *r;
	unsigned int i;

	r = kunit_kcalloc(test, n, sizeof(*r), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r);
	for (i = 0; i < n; i++) {
		r[i].base.complete = fake_req_done;
		r[i].base.flags = flags;
		r[i].p.req = &r[i].base;
		r[i].p.resume = fake_req_resume;
		r[i].key = key;
		init_completion(&r[i].done);
	}
	return r;
}

/*
 * Runs like the cipher's fast path: on a stale key it parks. Returns what
 * the caller would see; a request that ran at once is also completed.
 */
static int submit(struct fake_req *r)
{
	int ret;

	for (;;) {
		ret = -EKEYEXPIRED;
		if (protkey_key_usable(r->key))
			ret = fake_req_run(r, r->key);
		if (ret != -EKEYEXPIRED) {
			r->err = ret;
			complete(&r->done);
			break;
		}
		ret = protkey_key_park(r->key, &r->p, true);
		if (ret != PROTKEY_KEY_RETRY)
			break;
	}
	r->submitted = ret;
	return ret;
}

#endif /* _PROTKEY_FAKE_REQ_H */
