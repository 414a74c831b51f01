// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite protkey_platform: the platform registry (kernel/platform.c):
 * registration rules, lookup by name and by key, and the module reference
 * each get takes and each put drops. The backends are fakes owned by this
 * test module, which accepts blobs whose first byte is its tag.
 */
#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/err.h>
#include <linux/module.h>

#include "platform.h"

#define TAG_A 0xa1
#define TAG_B 0xb2

static bool fake_supports_a(const u8 *blob, u32 len)
{
	return len >= 1 && blob[0] == TAG_A;
}

static bool fake_supports_b(const u8 *blob, u32 len)
{
	return len >= 1 && blob[0] == TAG_B;
}

static int fake_key_info(const u8 *blob, u32 len, struct protkey_key_info *i)
{
	return -EOPNOTSUPP;
}

static int fake_derive(const u8 *blob, u32 len, struct protkey_pk *pk,
		       u32 flags)
{
	return -EOPNOTSUPP;
}

static int fake_pcc(enum protkey_pk_type type,
		    struct protkey_xts_pcc_param *param)
{
	return -EOPNOTSUPP;
}

static unsigned int fake_km(enum protkey_pk_type type, enum protkey_km_dir dir,
			    struct protkey_xts_km_param *param, u8 *dst,
			    const u8 *src, unsigned int len)
{
	return 0;
}

static u64 fake_wk_generation(void)
{
	return 0;
}

#define FAKE_OPS(n, sup)                                                     \
	{                                                                    \
		.name = (n), .owner = THIS_MODULE,                           \
		.flags = PROTKEY_PLATFORM_F_NO_CLEAR_KEY, .supports = (sup), \
		.key_info = fake_key_info, .derive = fake_derive,            \
		.pcc_xts = fake_pcc, .km_xts = fake_km,                      \
		.wk_generation = fake_wk_generation,                         \
	}

/* Registers a fresh copy of @tmpl, unregistered again when the case ends. */
static int fake_res_init(struct kunit_resource *res, void *ops)
{
	res->data = ops;
	return 0;
}

static void fake_res_free(struct kunit_resource *res)
{
	protkey_platform_unregister(res->data);
}

static struct protkey_platform_ops *
fake_register(struct kunit *test, const struct protkey_platform_ops *tmpl)
{
	struct protkey_platform_ops *ops;

	ops = kunit_kmalloc(test, sizeof(*ops), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ops);
	*ops = *tmpl;
	KUNIT_ASSERT_EQ(test, protkey_platform_register(ops), 0);
	KUNIT_ASSERT_NOT_NULL(test, kunit_alloc_resource(test, fake_res_init,
							 fake_res_free,
							 GFP_KERNEL, ops));
	return ops;
}

static const struct protkey_platform_ops fake_a =
	FAKE_OPS("kunit-fake-a", fake_supports_a);
static const struct protkey_platform_ops fake_b =
	FAKE_OPS("kunit-fake-b", fake_supports_b);

static void protkey_platform_get_pins_module(struct kunit *test)
{
	struct protkey_platform_ops *ops, *got;
	int refs;

	/* Arrange */
	ops = fake_register(test, &fake_a);
	refs = module_refcount(THIS_MODULE);

	/* Act */
	got = protkey_platform_get("kunit-fake-a");

	/* Assert: the same ops, one more reference, dropped by put */
	KUNIT_ASSERT_PTR_EQ(test, got, ops);
	KUNIT_EXPECT_EQ(test, module_refcount(THIS_MODULE), refs + 1);
	protkey_platform_put(got);
	KUNIT_EXPECT_EQ(test, module_refcount(THIS_MODULE), refs);
}

static void protkey_platform_get_after_unregister(struct kunit *test)
{
	struct protkey_platform_ops *ops;

	/* Arrange */
	ops = kunit_kmalloc(test, sizeof(*ops), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ops);
	*ops = fake_a;
	KUNIT_ASSERT_EQ(test, protkey_platform_register(ops), 0);

	/* Act */
	protkey_platform_unregister(ops);

	/* Assert */
	KUNIT_EXPECT_EQ(test, PTR_ERR(protkey_platform_get("kunit-fake-a")),
			-ENODEV);
}

static void protkey_platform_register_duplicate(struct kunit *test)
{
	struct protkey_platform_ops dup = fake_a;

	/* Arrange */
	fake_register(test, &fake_a);

	/* Act + Assert */
	KUNIT_EXPECT_EQ(test, protkey_platform_register(&dup), -EEXIST);
}

struct invalid_case {
	const char *desc;
	struct protkey_platform_ops ops;
};

static const struct invalid_case invalid_cases[] = {
	{ "no name", FAKE_OPS(NULL, fake_supports_a) },
	{ "empty name", FAKE_OPS("", fake_supports_a) },
	{ "no supports", FAKE_OPS("kunit-bad", NULL) },
	{ "no clear-key promise",
	  { .name = "kunit-bad",
	    .supports = fake_supports_a,
	    .key_info = fake_key_info,
	    .derive = fake_derive,
	    .pcc_xts = fake_pcc,
	    .km_xts = fake_km,
	    .wk_generation = fake_wk_generation } },
	{ "no derive",
	  { .name = "kunit-bad",
	    .supports = fake_supports_a,
	    .key_info = fake_key_info,
	    .pcc_xts = fake_pcc,
	    .km_xts = fake_km,
	    .wk_generation = fake_wk_generation } },
	{ "no km_xts",
	  { .name = "kunit-bad",
	    .supports = fake_supports_a,
	    .key_info = fake_key_info,
	    .derive = fake_derive,
	    .pcc_xts = fake_pcc,
	    .wk_generation = fake_wk_generation } },
	{ "no pcc_xts",
	  { .name = "kunit-bad",
	    .supports = fake_supports_a,
	    .key_info = fake_key_info,
	    .derive = fake_derive,
	    .km_xts = fake_km,
	    .wk_generation = fake_wk_generation } },
};

static void invalid_desc(const struct invalid_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(invalid, invalid_cases, invalid_desc);

static void protkey_platform_register_invalid(struct kunit *test)
{
	const struct invalid_case *c = test->param_value;
	struct protkey_platform_ops ops = c->ops;

	/* Act + Assert */
	KUNIT_EXPECT_EQ(test, protkey_platform_register(&ops), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(protkey_platform_get("kunit-bad")),
			-ENODEV);
}

static void protkey_platform_select_by_key(struct kunit *test)
{
	static const u8 blob_a[] = { TAG_A, 0 }, blob_b[] = { TAG_B, 0 };
	static const u8 blob_x[] = { 0x5c, 0 };
	struct protkey_platform_ops *a, *b, *got;

	/* Arrange */
	a = fake_register(test, &fake_a);
	b = fake_register(test, &fake_b);

	/* Act + Assert: the first backend that supports the key */
	got = protkey_platform_select(NULL, blob_b, sizeof(blob_b));
	KUNIT_EXPECT_PTR_EQ(test, got, b);
	protkey_platform_put(got);
	got = protkey_platform_select("", blob_a, sizeof(blob_a));
	KUNIT_EXPECT_PTR_EQ(test, got, a);
	protkey_platform_put(got);
	got = protkey_platform_select(NULL, blob_x, sizeof(blob_x));
	KUNIT_EXPECT_EQ(test, PTR_ERR(got), -ENODEV);
}

static void protkey_platform_select_named(struct kunit *test)
{
	static const u8 blob_a[] = { TAG_A, 0 }, blob_b[] = { TAG_B, 0 };
	struct protkey_platform_ops *b, *got;
	int refs;

	/* Arrange */
	fake_register(test, &fake_a);
	b = fake_register(test, &fake_b);
	refs = module_refcount(THIS_MODULE);

	/* Act + Assert: only the named backend, and only for its keys */
	got = protkey_platform_select("kunit-fake-b", blob_b, sizeof(blob_b));
	KUNIT_EXPECT_PTR_EQ(test, got, b);
	protkey_platform_put(got);
	got = protkey_platform_select("kunit-fake-b", blob_a, sizeof(blob_a));
	KUNIT_EXPECT_EQ(test, PTR_ERR(got), -EINVAL);
	got = protkey_platform_select("kunit-none", blob_a, sizeof(blob_a));
	KUNIT_EXPECT_EQ(test, PTR_ERR(got), -ENODEV);
	KUNIT_EXPECT_EQ(test, module_refcount(THIS_MODULE), refs);
}

static void protkey_platform_put_ignores_errors(struct kunit *test)
{
	int refs = module_refcount(THIS_MODULE);

	/* Act */
	protkey_platform_put(NULL);
	protkey_platform_put(ERR_PTR(-ENODEV));

	/* Assert */
	KUNIT_EXPECT_EQ(test, module_refcount(THIS_MODULE), refs);
}

static struct kunit_case protkey_platform_cases[] = {
	KUNIT_CASE(protkey_platform_get_pins_module),
	KUNIT_CASE(protkey_platform_get_after_unregister),
	KUNIT_CASE(protkey_platform_register_duplicate),
	KUNIT_CASE_PARAM(protkey_platform_register_invalid, invalid_gen_params),
	KUNIT_CASE(protkey_platform_select_by_key),
	KUNIT_CASE(protkey_platform_select_named),
	KUNIT_CASE(protkey_platform_put_ignores_errors),
	{}
};

static struct kunit_suite protkey_platform_suite = {
	.name = "protkey_platform",
	.test_cases = protkey_platform_cases,
};

kunit_test_suite(protkey_platform_suite);

MODULE_DESCRIPTION("KUnit tests of the protkey platform registry");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_IMPORT_NS(PROTKEY);
