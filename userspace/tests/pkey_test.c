// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of lib/pkey.c against a fake /dev/pkey: a few adapters, each
 * with a key type, a CURRENT master key (CCA MKVP, or an EP11 wrapping-key
 * byte) and whether it can generate. The fake answers the ioctls as
 * pkey_api.c does (ENOSPC with the count, ENODEV when none, EINVAL for a
 * short buffer) and records what it was asked, so the tests check both
 * the result and the requests: the ENOSPC retry, the --apqns filter, and
 * that the second half's list is APQNS4K of the first half.
 */
#include "test.h"

#include <linux/protkey_emu.h>
#include <linux/protkey_pkeydev.h>

#define A_00_01 PROTKEY_EMU_APQN(0x00, 0x01)
#define A_01_01 PROTKEY_EMU_APQN(0x01, 0x01)
#define A_02_01 PROTKEY_EMU_APQN(0x02, 0x01)
#define MAX_AD 32
#define MAX_CALLS 16

struct fake_ad {
	uint32_t apqn;
	uint32_t type; /* PROTKEY_PKEY_TYPE_CCA_DATA or _EP11_AES */
	uint64_t mk;
	uint64_t old; /* CCA: the OLD register's MKVP, 0 for empty */
	bool no_gen;
};

/**
 * struct fake - the fake device
 * @ad: its adapters
 * @n: how many
 * @grow: APQNS4KT: add an adapter after every ENOSPC (a list that keeps
 *	growing)
 * @enospc_short: APQNS4KT: ENOSPC without a larger count
 * @overfill: success with a count larger than the room given
 * @fail_req: a request to fail with @fail_ret (0: none)
 * @calls: the requests, in order
 * @rooms: the apqn_entries each request came with
 * @n_calls: how many
 * @gen_list: the APQNs of each GENSECK2, @gen_n of them
 * @n_gen: GENSECK2 calls
 * @k_flags: the flags of the last APQNS4K
 * @seed: varies the generated keys
 */
struct fake {
	struct fake_ad ad[MAX_AD];
	int n;
	bool grow, enospc_short, overfill;
	bool no_ep11_aes; /* GENSECK2: EINVAL for EP11 keys with a header */
	unsigned long fail_req;
	int fail_ret;
	unsigned long calls[MAX_CALLS];
	uint32_t rooms[MAX_CALLS];
	int n_calls;
	uint32_t gen_list[2][MAX_AD];
	uint32_t gen_n[2];
	int n_gen;
	uint32_t k_flags;
	uint8_t seed;
};

static uint32_t apqn_val(const struct protkey_pkey_apqn *a)
{
	return PROTKEY_EMU_APQN((uint32_t)a->card, (uint32_t)a->domain);
}

/* Fills a listing ioctl's @apqns/@entries with the adapters @match picks. */
static int fake_list(struct fake *f,
		     bool (*match)(const struct fake_ad *, const void *),
		     const void *arg, struct protkey_pkey_apqn *apqns,
		     __u32 *entries)
{
	uint32_t room = *entries, k = 0;
	int i;

	for (i = 0; i < f->n; i++) {
		if (!match(&f->ad[i], arg))
			continue;
		if (apqns && k < room) {
			apqns[k].card = (__u16)(f->ad[i].apqn >> 16);
			apqns[k].domain = (__u16)f->ad[i].apqn;
		}
		k++;
	}
	if (!k)
		return -ENODEV;
	*entries = k;
	if (f->overfill) {
		*entries = room + 5;
		return 0;
	}
	if (apqns && room && k > room) {
		if (f->enospc_short)
			*entries = room;
		if (f->grow && f->n < MAX_AD) {
			f->ad[f->n] = f->ad[f->n - 1];
			f->ad[f->n].apqn++;
			f->n++;
		}
		return -ENOSPC;
	}
	return 0;
}

/* EP11 adapters make both EP11 blob formats. */
static uint32_t family(uint32_t type)
{
	return type == PROTKEY_PKEY_TYPE_EP11 ? PROTKEY_PKEY_TYPE_EP11_AES :
						type;
}

static bool match_type(const struct fake_ad *ad, const void *arg)
{
	return ad->type == family(*(const uint32_t *)arg);
}

/* The master key a generated blob names (as fake_gen() wrote it). */
static uint64_t blob_mk(const uint8_t *key, size_t len)
{
	uint64_t mk = 0;
	int i;

	if (len == PROTKEY_PKEY_SECKEY_SIZE) {
		for (i = 0; i < 8; i++)
			mk = mk << 8 | key[8 + i];
		return mk;
	}
	return len == 320 ? key[32] : key[16 + 32];
}

static bool match_mk(const struct fake_ad *ad, const void *arg)
{
	return ad->mk == *(const uint64_t *)arg;
}

static uint64_t be64_of(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/* APQNS4KT with match flags: the type's adapters with the patterns. */
static bool match_vp(const struct fake_ad *ad, const void *arg)
{
	const struct protkey_pkey_apqns4keytype *kt = arg;

	return ad->type == kt->type &&
	       (((kt->flags & PROTKEY_PKEY_FLAGS_MATCH_CUR_MKVP) &&
		 ad->mk == be64_of(kt->cur_mkvp)) ||
		((kt->flags & PROTKEY_PKEY_FLAGS_MATCH_ALT_MKVP) && ad->old &&
		 ad->old == be64_of(kt->alt_mkvp)));
}

static int fake_gen(struct fake *f, struct protkey_pkey_genseck2 *g)
{
	size_t need = g->type == PROTKEY_PKEY_TYPE_CCA_DATA ? 64 :
		      g->type == PROTKEY_PKEY_TYPE_EP11	    ? 320 :
							      336;
	const struct fake_ad *ad;
	uint32_t i;
	int j;

	if (!g->apqn_entries || g->keylen < need ||
	    (f->no_ep11_aes && g->type == PROTKEY_PKEY_TYPE_EP11_AES))
		return -EINVAL;
	if (f->n_gen < 2) {
		f->gen_n[f->n_gen] = g->apqn_entries;
		for (i = 0; i < g->apqn_entries && i < MAX_AD; i++)
			f->gen_list[f->n_gen][i] = apqn_val(&g->apqns[i]);
	}
	f->n_gen++;
	for (i = 0; i < g->apqn_entries; i++) {
		for (j = 0; j < f->n; j++) {
			ad = &f->ad[j];
			if (ad->apqn != apqn_val(&g->apqns[i]) ||
			    ad->type != family(g->type) || ad->no_gen)
				continue;
			if (need == 64) {
				t_make_token(g->key, g->size, ad->mk,
					     f->seed++);
			} else if (need == 320) {
				t_make_ep11(g->key, false, f->seed++);
				g->key[32] = (uint8_t)ad->mk;
			} else {
				t_make_ep11(g->key, true, f->seed++);
				g->key[16 + 32] = (uint8_t)ad->mk;
			}
			g->keylen = (__u32)need;
			return 0;
		}
	}
	return -ENODEV;
}

static int fake_ioctl(struct pk_pkey *pk, unsigned long req, void *arg)
{
	struct protkey_pkey_apqns4keytype *kt = arg;
	struct protkey_pkey_apqns4key *k = arg;
	struct fake *f = pk->priv;
	uint64_t mk;

	if (f->n_calls < MAX_CALLS) {
		f->calls[f->n_calls] = req;
		f->rooms[f->n_calls] =
			req == PROTKEY_PKEY_APQNS4KT ? kt->apqn_entries :
			req == PROTKEY_PKEY_APQNS4K  ? k->apqn_entries :
						       0;
	}
	f->n_calls++;
	if (req == f->fail_req)
		return f->fail_ret;
	switch (req) {
	case PROTKEY_PKEY_APQNS4KT:
		if (kt->flags)
			return fake_list(f, match_vp, kt, kt->apqns,
					 &kt->apqn_entries);
		return fake_list(f, match_type, &kt->type, kt->apqns,
				 &kt->apqn_entries);
	case PROTKEY_PKEY_APQNS4K:
		f->k_flags = k->flags;
		if (k->flags != PROTKEY_PKEY_FLAGS_MATCH_CUR_MKVP)
			return -EINVAL;
		mk = blob_mk(k->key, k->keylen);
		return fake_list(f, match_mk, &mk, k->apqns, &k->apqn_entries);
	case PROTKEY_PKEY_GENSECK2:
		return fake_gen(f, arg);
	default:
		return -ENOTTY;
	}
}

static const struct pk_pkey_ops fake_ops = { .ioctl = fake_ioctl };

static void fake_init(struct fake *f, struct pk_pkey *pk)
{
	memset(f, 0, sizeof(*f));
	f->seed = 1;
	pk->fd = -1;
	pk->ops = &fake_ops;
	pk->priv = f;
}

static void fake_add(struct fake *f, uint32_t apqn, uint32_t type, uint64_t mk)
{
	f->ad[f->n].apqn = apqn;
	f->ad[f->n].type = type;
	f->ad[f->n].mk = mk;
	f->n++;
}

static bool list_is(const uint32_t *got, uint32_t n, const uint32_t *want,
		    uint32_t want_n)
{
	return n == want_n && !memcmp(got, want, n * sizeof(*got));
}

static void test_lists(void)
{
	struct pk_apqn_list l = { 0 };
	struct pk_err err = { 0 };
	struct pk_pkey pk;
	struct fake f;
	int i, ret;

	/* Arrange: 20 adapters, more than the first room of 16 */
	fake_init(&f, &pk);
	for (i = 0; i < 20; i++)
		fake_add(&f, PROTKEY_EMU_APQN(i, 1), PROTKEY_PKEY_TYPE_CCA_DATA,
			 1);
	/* Act */
	ret = pk_pkey_apqns_for_type(&pk, PROTKEY_PKEY_TYPE_CCA_DATA, 0, NULL,
				     0, &l, &err);
	/* Assert: asked again with room for the 20 ENOSPC reported */
	t_ok(!ret && l.n == 20 && f.n_calls == 2 && f.rooms[1] == 20 &&
		     apqn_val(&l.a[19]) == PROTKEY_EMU_APQN(19, 1),
	     "apqns4kt: ENOSPC, then the count asked for (%d, %u, %d calls)",
	     ret, l.n, f.n_calls);
	pk_apqn_list_free(&l);

	fake_init(&f, &pk);
	ret = pk_pkey_apqns_for_type(&pk, PROTKEY_PKEY_TYPE_EP11_AES, 0, NULL,
				     0, &l, &err);
	t_ok(!ret && l.n == 0 && !l.a, "apqns4kt: ENODEV is an empty list");

	fake_init(&f, &pk);
	f.fail_req = PROTKEY_PKEY_APQNS4KT;
	f.fail_ret = -ENOTTY;
	ret = pk_pkey_apqns_for_type(&pk, PROTKEY_PKEY_TYPE_CCA_DATA, 0, NULL,
				     0, &l, &err);
	t_ok(ret == -ENOTTY && strstr(err.msg, "PKEY_APQNS4KT") &&
		     strstr(err.msg, "does not support") &&
		     err.origin == PK_ORIGIN_PLATFORM && !l.a,
	     "apqns4kt: ENOTTY named (%s)", err.msg);

	fake_init(&f, &pk);
	for (i = 0; i < 17; i++)
		fake_add(&f, PROTKEY_EMU_APQN(i, 1), PROTKEY_PKEY_TYPE_CCA_DATA,
			 1);
	f.grow = true;
	ret = pk_pkey_apqns_for_type(&pk, PROTKEY_PKEY_TYPE_CCA_DATA, 0, NULL,
				     0, &l, &err);
	t_ok(ret == -ENOSPC && f.n_calls == 8 && strstr(err.msg, "growing"),
	     "apqns4kt: a list that keeps growing stops after 8 tries (%d, %d)",
	     ret, f.n_calls);

	f.grow = false;
	f.enospc_short = true;
	f.n_calls = 0;
	ret = pk_pkey_apqns_for_type(&pk, PROTKEY_PKEY_TYPE_CCA_DATA, 0, NULL,
				     0, &l, &err);
	t_ok(ret == -EPROTO && f.n_calls == 1 && !l.a,
	     "apqns4kt: ENOSPC without a larger count is a broken reply (%d)",
	     ret);

	f.enospc_short = false;
	f.overfill = true;
	ret = pk_pkey_apqns_for_type(&pk, PROTKEY_PKEY_TYPE_CCA_DATA, 0, NULL,
				     0, &l, &err);
	t_ok(ret == -EPROTO && !l.a && !l.n && strstr(err.msg, "21 APQNs"),
	     "apqns4kt: a count beyond the room on success is refused (%s)",
	     err.msg);

	fake_init(&f, &pk);
	f.fail_req = PROTKEY_PKEY_APQNS4K;
	f.fail_ret = -EINVAL;
	ret = pk_pkey_apqns_for_key(&pk, (const uint8_t *)"x", 1,
				    PROTKEY_PKEY_FLAGS_MATCH_CUR_MKVP, &l,
				    &err);
	t_ok(ret == -EINVAL && strstr(err.msg, "PKEY_APQNS4K failed"),
	     "apqns4k: EINVAL passed on, the ioctl named (%s)", err.msg);
}

static void make_list(struct pk_apqn_list *l, const uint32_t *v, uint32_t n)
{
	uint32_t i;

	l->a = calloc(n, sizeof(*l->a));
	l->n = n;
	for (i = 0; i < n; i++) {
		l->a[i].card = (__u16)(v[i] >> 16);
		l->a[i].domain = (__u16)v[i];
	}
}

static void test_filter(void)
{
	static const uint32_t three[] = { A_00_01, A_01_01, A_02_01 };
	struct pk_apqn_list l;
	struct pk_err err = { 0 };
	uint32_t got[3];
	uint32_t i;
	int ret;

	make_list(&l, three, 3);
	ret = pk_apqn_list_filter(&l, "02.0001,00.0001", &err);
	for (i = 0; i < l.n && i < 3; i++)
		got[i] = apqn_val(&l.a[i]);
	t_ok(!ret && l.n == 2 && got[0] == A_00_01 && got[1] == A_02_01,
	     "filter: keeps the listed APQNs in the device's order");
	t_ok(pk_apqn_list_has(&l, A_02_01) && !pk_apqn_list_has(&l, A_01_01),
	     "filter: has() sees what is left");
	pk_apqn_list_free(&l);

	make_list(&l, three, 3);
	t_ok(!pk_apqn_list_filter(&l, NULL, &err) && l.n == 3 &&
		     !pk_apqn_list_filter(&l, "", &err) && l.n == 3,
	     "filter: NULL or empty filters nothing");
	ret = pk_apqn_list_filter(&l, "00.0001,1.1", &err);
	t_ok(ret == -EINVAL && l.n == 3 && strstr(err.msg, "'1.1'"),
	     "filter: a malformed APQN refused, list unchanged (%s)", err.msg);
	ret = pk_apqn_list_filter(&l, "05.0005", &err);
	t_ok(!ret && l.n == 0, "filter: no match leaves an empty list");
	pk_apqn_list_free(&l);
}

/* An explain callback: names the APQN, counts its calls. */
static int explain_calls;

static int explain_absent(void *ctx, uint32_t apqn, struct pk_err *err)
{
	char s[PK_APQN_STR_MAX];

	explain_calls++;
	if (!ctx)
		return 0;
	pk_apqn_format(apqn, s);
	return pk_err_platform(err, -ENODEV, "APQN %s does not exist", s);
}

static void test_generate_cca(void)
{
	struct pk_pkey_gen req = { .key_type = PROTKEY_EMU_KEY_CCA_AESDATA,
				   .bits = 256 };
	static const uint32_t all[] = { A_00_01, A_01_01, A_02_01 };
	static const uint32_t mk1[] = { A_00_01, A_02_01 };
	static const uint32_t only2[] = { A_02_01 };
	static const uint32_t filt[] = { A_01_01, A_02_01 };
	uint8_t blob[2 * PK_EP11_MAX_SIZE];
	struct pk_err err = { 0 };
	struct pk_xts_info xts;
	struct pk_pkey pk;
	struct fake f;
	size_t len = 0;
	int ret;

	/* Arrange: 00.0001 and 02.0001 under MK 1, 01.0001 under MK 2 */
	fake_init(&f, &pk);
	fake_add(&f, A_00_01, PROTKEY_PKEY_TYPE_CCA_DATA, 1);
	fake_add(&f, A_01_01, PROTKEY_PKEY_TYPE_CCA_DATA, 2);
	fake_add(&f, A_02_01, PROTKEY_PKEY_TYPE_CCA_DATA, 1);
	/* Act */
	ret = pk_pkey_generate_xts(&pk, &req, blob, sizeof(blob), &len, &err);
	/* Assert */
	t_ok(!ret && len == 128 && !pk_xts_parse(blob, len, &xts, NULL) &&
		     xts.half[0].mkvp == 1 && xts.half[1].mkvp == 1,
	     "generate CCA: 128 bytes, both halves under MK 1 (%d: %s)", ret,
	     err.msg);
	t_ok(f.n_gen == 2 && list_is(f.gen_list[0], f.gen_n[0], all, 3) &&
		     list_is(f.gen_list[1], f.gen_n[1], mk1, 2) &&
		     f.k_flags == PROTKEY_PKEY_FLAGS_MATCH_CUR_MKVP,
	     "generate CCA: the second half's APQNs are APQNS4K(first, CUR)");

	/* --apqns narrows both lists; the first APQN that can generates */
	fake_init(&f, &pk);
	fake_add(&f, A_00_01, PROTKEY_PKEY_TYPE_CCA_DATA, 1);
	fake_add(&f, A_01_01, PROTKEY_PKEY_TYPE_CCA_DATA, 2);
	fake_add(&f, A_02_01, PROTKEY_PKEY_TYPE_CCA_DATA, 1);
	f.ad[1].no_gen = true;
	req.apqns = "01.0001,02.0001";
	ret = pk_pkey_generate_xts(&pk, &req, blob, sizeof(blob), &len, &err);
	t_ok(!ret && list_is(f.gen_list[0], f.gen_n[0], filt, 2) &&
		     list_is(f.gen_list[1], f.gen_n[1], only2, 1),
	     "generate CCA --apqns: lists filtered, second half on 02.0001 (%d: %s)",
	     ret, err.msg);

	/* no APQN of --apqns is usable: zkey's message, nothing asked */
	fake_init(&f, &pk);
	fake_add(&f, A_00_01, PROTKEY_PKEY_TYPE_CCA_DATA, 1);
	req.apqns = "05.0005";
	ret = pk_pkey_generate_xts(&pk, &req, blob, sizeof(blob), &len, &err);
	t_ok(ret == -ENODEV && f.n_gen == 0 &&
		     strstr(err.msg,
			    "No APQN is available that can generate a secure key of type CCA-AESDATA among 05.0005"),
	     "generate CCA: no usable APQN of --apqns (%s)", err.msg);

	/* GENSECK2 fails: the error passed on, naming the ioctl and APQNs */
	fake_init(&f, &pk);
	fake_add(&f, A_00_01, PROTKEY_PKEY_TYPE_CCA_DATA, 1);
	f.fail_req = PROTKEY_PKEY_GENSECK2;
	f.fail_ret = -EIO;
	req.apqns = NULL;
	memset(blob, 0x5a, sizeof(blob));
	ret = pk_pkey_generate_xts(&pk, &req, blob, sizeof(blob), &len, &err);
	t_ok(ret == -EIO && err.origin == PK_ORIGIN_PLATFORM &&
		     strstr(err.msg, "PKEY_GENSECK2") &&
		     strstr(err.msg, "00.0001") && blob[0] == 0,
	     "generate CCA: GENSECK2's EIO passed on, blob wiped (%s)",
	     err.msg);

	/* APQNS4K unsupported after the first half */
	fake_init(&f, &pk);
	fake_add(&f, A_00_01, PROTKEY_PKEY_TYPE_CCA_DATA, 1);
	f.fail_req = PROTKEY_PKEY_APQNS4K;
	f.fail_ret = -ENOTTY;
	ret = pk_pkey_generate_xts(&pk, &req, blob, sizeof(blob), &len, &err);
	t_ok(ret == -ENOTTY && f.n_gen == 1 && strstr(err.msg, "PKEY_APQNS4K"),
	     "generate CCA: APQNS4K's ENOTTY passed on (%s)", err.msg);

	fake_init(&f, &pk);
	fake_add(&f, A_00_01, PROTKEY_PKEY_TYPE_CCA_DATA, 1);
	req.bits = 192;
	ret = pk_pkey_generate_xts(&pk, &req, blob, sizeof(blob), &len, &err);
	t_ok(ret == -EINVAL && f.n_calls == 0,
	     "generate: AES-192 refused before any ioctl");
	req.bits = 256;
	ret = pk_pkey_generate_xts(&pk, &req, blob, 127, &len, &err);
	t_ok(ret == -EINVAL && f.n_calls == 0,
	     "generate: a buffer short of two halves refused");
	req.apqns = "00.0001,0.1";
	ret = pk_pkey_generate_xts(&pk, &req, blob, sizeof(blob), &len, &err);
	t_ok(ret == -EINVAL && f.n_calls == 0 && strstr(err.msg, "'0.1'"),
	     "generate: a malformed --apqns refused before any ioctl (%s)",
	     err.msg);
}

static void test_generate_ep11(void)
{
	struct pk_pkey_gen req = { .key_type = PROTKEY_EMU_KEY_EP11_AES,
				   .bits = 256,
				   .strict = true,
				   .explain = explain_absent };
	uint8_t blob[2 * PK_EP11_MAX_SIZE];
	struct pk_err err = { 0 };
	struct pk_xts_info xts;
	struct pk_pkey pk;
	struct fake f;
	size_t len = 0;
	int ret;

	/* two EP11 APQNs under wrapping key 0xa0 */
	fake_init(&f, &pk);
	fake_add(&f, A_00_01, PROTKEY_PKEY_TYPE_EP11_AES, 0xa0);
	fake_add(&f, A_01_01, PROTKEY_PKEY_TYPE_EP11_AES, 0xa0);
	fake_add(&f, A_02_01, PROTKEY_PKEY_TYPE_CCA_DATA, 1);
	req.apqns = "00.0001,01.0001";
	ret = pk_pkey_generate_xts(&pk, &req, blob, sizeof(blob), &len, &err);
	t_ok(!ret && len == 672 && !pk_xts_parse(blob, len, &xts, NULL) &&
		     xts.half[0].has_wkvp &&
		     !memcmp(xts.half[0].wkvp, xts.half[1].wkvp, PK_WKVP_SIZE),
	     "generate EP11: 672 bytes, one wrapping key (%d: %s)", ret,
	     err.msg);

	/* a GENSECK2 without EP11_AES (older kernels): EP11, as zkey */
	f.no_ep11_aes = true;
	f.n_gen = 0;
	ret = pk_pkey_generate_xts(&pk, &req, blob, sizeof(blob), &len, &err);
	t_ok(!ret && len == 640 && f.n_gen == 2 &&
		     !pk_xts_parse(blob, len, &xts, NULL) &&
		     xts.half[0].has_wkvp,
	     "generate EP11: EINVAL for EP11_AES falls back to EP11, 640 bytes (%d: %s, %d made)",
	     ret, err.msg, f.n_gen);
	f.no_ep11_aes = false;

	/* an APQN of --apqns the device does not list: explained */
	explain_calls = 0;
	f.n_gen = 0;
	req.ctx = &f;
	req.apqns = "00.0001,07.0007";
	ret = pk_pkey_generate_xts(&pk, &req, blob, sizeof(blob), &len, &err);
	t_ok(ret == -ENODEV && explain_calls == 1 && f.n_gen == 0 &&
		     strstr(err.msg, "APQN 07.0007 does not exist"),
	     "generate EP11 strict: an unlisted APQN explained, nothing generated (%s)",
	     err.msg);

	/* explain cannot tell: the generic message names the APQN */
	req.ctx = NULL;
	req.apqns = "02.0001";
	ret = pk_pkey_generate_xts(&pk, &req, blob, sizeof(blob), &len, &err);
	t_ok(ret == -ENODEV && err.origin == PK_ORIGIN_PLATFORM &&
		     strstr(err.msg,
			    "APQN 02.0001 cannot generate a secure key of type EP11-AES"),
	     "generate EP11 strict: a CCA APQN, generic message (%s)", err.msg);

	/* another wrapping key on 01.0001: refused after the first half */
	f.ad[1].mk = 0xb0;
	f.n_gen = 0;
	req.apqns = "00.0001,01.0001";
	memset(blob, 0x5a, sizeof(blob));
	ret = pk_pkey_generate_xts(&pk, &req, blob, sizeof(blob), &len, &err);
	t_ok(ret == -EINVAL && f.n_gen == 1 && blob[16 + 32] == 0 &&
		     strstr(err.msg,
			    "APQN 01.0001 has another CURRENT wrapping key"),
	     "generate EP11 strict: another wrapping key refused (%s)",
	     err.msg);

	/* not strict: the second half follows the first's wrapping key */
	req.strict = false;
	f.n_gen = 0;
	ret = pk_pkey_generate_xts(&pk, &req, blob, sizeof(blob), &len, &err);
	t_ok(!ret && f.n_gen == 2 && f.gen_n[1] == 1 &&
		     f.gen_list[1][0] == A_00_01,
	     "generate EP11 not strict: second half on 00.0001 only (%d)", ret);

	/* no EP11 APQN at all */
	fake_init(&f, &pk);
	fake_add(&f, A_02_01, PROTKEY_PKEY_TYPE_CCA_DATA, 1);
	req.apqns = NULL;
	ret = pk_pkey_generate_xts(&pk, &req, blob, sizeof(blob), &len, &err);
	t_ok(ret == -ENODEV &&
		     !strcmp(err.msg,
			     "No APQN is available that can generate a secure key of type EP11-AES"),
	     "generate EP11: no EP11 APQN, zkey's message (%s)", err.msg);
}

static void test_platform(void)
{
	char *dir = t_mkdtemp(), path[4200], dev[4200];
	struct pk_platform p;
	struct pk_pkey pk;
	struct pk_err err = { 0 };
	int ret;

	snprintf(dev, sizeof(dev), "%s/pkey", dir);
	setenv(PK_PKEY_DEVICE_ENV, dev, 1);
	pk_platform_probe(dir, &p);
	t_ok(!p.device_present && p.device_ret == -ENOENT &&
		     !strcmp(p.provider, "none") && !p.protkey_loaded &&
		     !strcmp(p.device, dev),
	     "platform: nothing there (%s)", p.provider);

	snprintf(path, sizeof(path), "%s/module", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/module/pkey", dir);
	mkdir(path, 0700);
	pk_platform_probe(dir, &p);
	t_ok(!strcmp(p.provider, "IBM Z pkey") && !p.device_present,
	     "platform: IBM Z pkey loaded, no device (%s)", p.provider);

	snprintf(path, sizeof(path), "%s/module/protkey_emu", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/module/protkey", dir);
	mkdir(path, 0700);
	t_write(dir, "pkey", "", 0);
	pk_platform_probe(dir, &p);
	t_ok(!strcmp(p.provider, "emulated (protkey_emu)") &&
		     p.device_present && p.device_ret == 0 && p.protkey_loaded,
	     "platform: emulated, device usable, protkey.ko loaded (%s)",
	     p.provider);

	unlink(dev);
	ret = pk_pkey_open(&pk, &err);
	t_ok(ret == -ENOENT && err.origin == PK_ORIGIN_PLATFORM &&
		     strstr(err.msg, dev) && strstr(err.msg, "does not exist"),
	     "pkey open: no device, named");
	unsetenv(PK_PKEY_DEVICE_ENV);
	t_ok(!strcmp(pk_pkey_path(), "/dev/pkey"), "pkey path: the default");
	t_rmrf(dir);
	free(dir);
}

/* pk_pkey_mk_match(): CURRENT before OLD, NULL when neither, errors. */
static void test_mk_match(void)
{
	struct pk_token_info h = { .type = "CCA-AESDATA" };
	struct pk_err err = { 0 };
	const char *m = "x";
	struct pk_pkey pk;
	struct fake f;
	int ret;

	fake_init(&f, &pk);
	fake_add(&f, PROTKEY_EMU_APQN(0, 1), PROTKEY_PKEY_TYPE_CCA_DATA,
		 0x1111);
	f.ad[0].old = 0x2222;
	h.mkvp = 0x1111;
	ret = pk_pkey_mk_match(&pk, &h, NULL, &m, &err);
	t_ok(!ret && m && !strcmp(m, "current") && f.n_calls == 1,
	     "mk_match: CURRENT found with one APQNS4KT (%d, %s)", ret,
	     m ? m : "NULL");
	h.mkvp = 0x2222;
	f.n_calls = 0;
	ret = pk_pkey_mk_match(&pk, &h, NULL, &m, &err);
	t_ok(!ret && m && !strcmp(m, "old") && f.n_calls == 2,
	     "mk_match: OLD after CURRENT (%d, %s)", ret, m ? m : "NULL");
	h.mkvp = 0x3333;
	ret = pk_pkey_mk_match(&pk, &h, NULL, &m, &err);
	t_ok(!ret && !m, "mk_match: neither is NULL (%d)", ret);
	/* the key's APQNs only: another APQN's CURRENT does not count */
	fake_add(&f, PROTKEY_EMU_APQN(1, 1), PROTKEY_PKEY_TYPE_CCA_DATA,
		 0x4444);
	h.mkvp = 0x4444;
	ret = pk_pkey_mk_match(&pk, &h, "00.0001", &m, &err);
	t_ok(!ret && !m, "mk_match: on the key's APQNs only (%d, %s)", ret,
	     m ? m : "NULL");
	ret = pk_pkey_mk_match(&pk, &h, "00.0001,01.0001", &m, &err);
	t_ok(!ret && m && !strcmp(m, "current"),
	     "mk_match: one of the key's APQNs has it (%d, %s)", ret,
	     m ? m : "NULL");
	h.mkvp = 0x2222;
	ret = pk_pkey_mk_match(&pk, &h, "01.0001", &m, &err);
	t_ok(!ret && !m, "mk_match: OLD on another APQN does not count (%d)",
	     ret);
	f.fail_req = PROTKEY_PKEY_APQNS4KT;
	f.fail_ret = -ENOTTY;
	ret = pk_pkey_mk_match(&pk, &h, NULL, &m, &err);
	t_ok(ret == -ENOTTY && strstr(err.msg, "PKEY_APQNS4KT"),
	     "mk_match: ENOTTY reported (%d, %s)", ret, err.msg);
}

int main(void)
{
	t_plan(40);
	test_lists();
	test_filter();
	test_generate_cca();
	test_generate_ep11();
	test_platform();
	test_mk_match();
	return t_done();
}
