// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of lib/se.c: the emulator's add-secret request against bytes
 * computed outside this code (the vector of the protkey_emu_se KUnit
 * suite: Python's hashlib, hmac and the "cryptography" package's
 * AES-CTR), its refusals, the plain-field check of a request file,
 * pvsecret's type names and ID format, and List Secrets pages.
 */
#include "test.h"

#include <linux/protkey_emu.h>

/*
 * The request for an AES-256 secret 00 01 .. 1f with the ID
 * SHA-256("vol1"), nonce a0 a1 .. af, for the image key 40 41 .. 5f.
 */
/* clang-format off */
static const uint8_t req_vec[160] = {
	0x50, 0x4b, 0x45, 0x4d, 0x55, 0x53, 0x45, 0x43,
	0x00, 0x01, 0x00, 0x06, 0x00, 0x20, 0x00, 0x00,
	0x27, 0x6d, 0xe7, 0x7f, 0x73, 0x83, 0xf6, 0x60,
	0x86, 0x69, 0x5b, 0xcc, 0xa4, 0x25, 0xc1, 0x3b,
	0x91, 0x05, 0x61, 0x27, 0xc8, 0xba, 0x14, 0x71,
	0x22, 0x9a, 0x42, 0xa9, 0x5a, 0xa0, 0x0a, 0x47,
	0xaf, 0x1f, 0x1e, 0xd4, 0xcf, 0x36, 0x2d, 0x57,
	0x6c, 0xb2, 0x2c, 0xe9, 0xe3, 0xe2, 0xdc, 0xba,
	0x27, 0x33, 0xcb, 0xde, 0x8a, 0xb5, 0xae, 0x18,
	0x1d, 0x2b, 0x82, 0xd2, 0xb1, 0x27, 0x4b, 0x66,
	0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
	0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf,
	0xf9, 0x6a, 0x93, 0xc4, 0x89, 0xb8, 0xed, 0xa8,
	0xe8, 0x49, 0x92, 0x28, 0x77, 0x31, 0xc5, 0x7c,
	0xe1, 0xc7, 0x8a, 0x75, 0xfd, 0xfb, 0x6f, 0xd2,
	0xbd, 0xe4, 0x8b, 0x99, 0xc5, 0x0b, 0x54, 0xb9,
	0xbf, 0xb1, 0x39, 0x8d, 0xb3, 0xc4, 0x17, 0x93,
	0x73, 0x95, 0x6b, 0x9f, 0xb6, 0x17, 0x9a, 0xce,
	0xd4, 0xbc, 0x05, 0x0e, 0x78, 0xa4, 0x59, 0xb8,
	0xf5, 0xea, 0x15, 0xf0, 0x63, 0x07, 0x65, 0x23,
};
/* clang-format on */

static void fill(uint8_t *p, size_t n, uint8_t seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(seed + i);
}

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void test_request(void)
{
	uint8_t key[32], secret[64], nonce[16], id[PK_UV_ID_SIZE];
	uint8_t req[PROTKEY_EMU_UV_REQ_MAX_SIZE], got_id[PK_UV_ID_SIZE];
	struct pk_err err = { 0 };
	uint16_t type = 0;
	int n;

	fill(key, sizeof(key), 0x40);
	fill(secret, sizeof(secret), 0x00);
	fill(nonce, sizeof(nonce), 0xa0);
	pk_uv_name_to_id("vol1", id);

	n = pk_uv_request(key, PROTKEY_EMU_UV_SECRET_AES_256, id, secret, 32,
			  nonce, req, &err);
	t_ok(n == (int)sizeof(req_vec) &&
		     !memcmp(req, req_vec, sizeof(req_vec)),
	     "request: AES-256 secret equals the independent vector");
	t_ok(!pk_uv_request_check(req, (size_t)n, &type, got_id, &err) &&
		     type == PROTKEY_EMU_UV_SECRET_AES_256 &&
		     !memcmp(got_id, id, sizeof(id)),
	     "request check: type and ID read back");

	memset(req, 0x5a, sizeof(req));
	t_ok(pk_uv_request(key, PROTKEY_EMU_UV_SECRET_AES_256, id, secret, 16,
			   nonce, req, &err) == -EINVAL &&
		     req[0] == 0x5a,
	     "request: AES-256 with 16 bytes refused, nothing written");
	t_ok(pk_uv_request(key, PROTKEY_EMU_UV_SECRET_ASSOCIATION, id, secret,
			   31, nonce, req, &err) == -EINVAL,
	     "request: 31-byte association secret refused");
	t_ok(pk_uv_request(key, PROTKEY_EMU_UV_SECRET_PLAIN, id, secret, 0,
			   nonce, req, &err) == -EINVAL,
	     "request: empty plain secret refused");
	t_ok(pk_uv_request(key, PROTKEY_EMU_UV_SECRET_PLAIN, id, secret, 65,
			   nonce, req, &err) == -EINVAL,
	     "request: 65-byte plain secret refused");
	t_ok(pk_uv_request(key, 0x09, id, secret, 32, nonce, req, &err) ==
		     -EINVAL,
	     "request: HMAC type (not modelled) refused");
	n = pk_uv_request(key, PROTKEY_EMU_UV_SECRET_PLAIN, id, secret, 64,
			  nonce, req, &err);
	t_ok(n == PROTKEY_EMU_UV_REQ_MAX_SIZE,
	     "request: 64-byte plain secret fills the largest request");
}

static void test_request_check(void)
{
	uint8_t req[sizeof(req_vec)], id[PK_UV_ID_SIZE];
	struct pk_err err = { 0 };
	uint16_t type;

	t_ok(pk_uv_request_check(req_vec, sizeof(req_vec) - 1, &type, id,
				 &err) == -EINVAL,
	     "request check: one byte short refused");
	t_ok(pk_uv_request_check(req_vec, 0x5f, &type, id, &err) == -EINVAL,
	     "request check: shorter than the header refused");
	memcpy(req, req_vec, sizeof(req));
	req[0] = 'X';
	t_ok(pk_uv_request_check(req, sizeof(req), &type, id, &err) == -EINVAL,
	     "request check: bad magic refused");
	memcpy(req, req_vec, sizeof(req));
	req[9] = 2;
	t_ok(pk_uv_request_check(req, sizeof(req), &type, id, &err) == -EINVAL,
	     "request check: version 2 refused");
	memcpy(req, req_vec, sizeof(req));
	req[13] = 16;
	t_ok(pk_uv_request_check(req, sizeof(req), &type, id, &err) == -EINVAL,
	     "request check: length field not the file's refused");
}

static void test_names(void)
{
	char buf[PK_UV_TYPE_NAME_MAX], s[PK_UV_ID_STR_MAX];
	uint8_t id[PK_UV_ID_SIZE] = { 0 };

	t_ok(!strcmp(pk_uv_type_name(2, buf), "Association"),
	     "type name: Association");
	t_ok(!strcmp(pk_uv_type_name(8, buf), "AES-XTS-256-KEY"),
	     "type name: AES-XTS-256-KEY");
	t_ok(!strcmp(pk_uv_type_name(0x14, buf), "EC-ED25519-PRIVATE-KEY"),
	     "type name: EC-ED25519-PRIVATE-KEY");
	t_ok(!strcmp(pk_uv_type_name(1, buf), "Invalid(0x0001)"),
	     "type name: the null secret is Invalid");
	t_ok(!strcmp(pk_uv_type_name(0x0b, buf), "Unknown(0x000b)"),
	     "type name: a reserved value is Unknown");

	memcpy(id, "my-secret", 9);
	pk_uv_id_str(id, s, sizeof(s));
	t_ok(!strncmp(s, "my-secret | 0x6d792d736563726574000000", 38),
	     "id: printable name shown with its hex");
	id[3] = 0x0b; /* vertical tab: not Rust's ASCII whitespace */
	pk_uv_id_str(id, s, sizeof(s));
	t_ok(!strncmp(s, "0x6d792d0b", 10),
	     "id: a vertical tab makes it hex only");
	pk_uv_name_to_id("vol1", id);
	pk_uv_id_str(id, s, sizeof(s));
	t_ok(!strncmp(s, "0x", 2) && strlen(s) == 66 && !strchr(s, '|'),
	     "id: a hash shown as 0x and 64 hex digits");
}

static void test_list(void)
{
	uint8_t page[PROTKEY_EMU_UV_LIST_SIZE] = { 0 };
	struct pk_err err = { 0 };
	struct pk_uv_list l;

	put_be16(page, 2);
	put_be16(page + 2, 3);
	put_be16(page + 4, 7);
	put_be16(page + 16, 4);
	put_be16(page + 18, PROTKEY_EMU_UV_SECRET_ASSOCIATION);
	page[16 + 7] = 32;
	memset(page + 16 + 16, 0xab, 32);
	put_be16(page + 64, 6);
	put_be16(page + 66, PROTKEY_EMU_UV_SECRET_AES_256);
	page[64 + 7] = 64;
	t_ok(!pk_uv_list_parse(page, &l, &err) && l.n == 2 && l.total == 3 &&
		     l.next_idx == 7 && l.e[0].index == 4 &&
		     l.e[0].type == PROTKEY_EMU_UV_SECRET_ASSOCIATION &&
		     l.e[0].len == 32 && l.e[0].id[31] == 0xab &&
		     l.e[1].index == 6 && l.e[1].len == 64,
	     "list: header and entries, big-endian");
	put_be16(page, 86);
	put_be16(page + 2, 90);
	t_ok(pk_uv_list_parse(page, &l, &err) == -EBADMSG,
	     "list: 86 entries in a page refused");
	put_be16(page, 3);
	put_be16(page + 2, 2);
	t_ok(pk_uv_list_parse(page, &l, &err) == -EBADMSG,
	     "list: more entries than stored refused");
}

int main(void)
{
	t_plan(24);
	test_request();
	test_request_check();
	test_names();
	test_list();
	return t_done();
}
