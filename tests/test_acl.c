/* Unit tests for reading POSIX access ACLs (src/os/acl.c): which entries let
 * someone other than root write a config. */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "acl.h"

/* An ACL value as the kernel stores it: version 2, then the entries. */
struct acl_value {
	unsigned char bytes[4 + 16 * 8];
	size_t len;
};

static void put_le(unsigned char *p, uint32_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void acl_start(struct acl_value *a)
{
	put_le(a->bytes, 2, 4);
	a->len = 4;
}

static void acl_add(struct acl_value *a, unsigned tag, unsigned perm, uint32_t id)
{
	put_le(a->bytes + a->len, tag, 2);
	put_le(a->bytes + a->len + 2, perm, 2);
	put_le(a->bytes + a->len + 4, id, 4);
	a->len += 8;
}

/* user::rw- group::r-- mask::MASK other::r-- plus one named entry. */
static void acl_with(struct acl_value *a, unsigned tag, unsigned perm, uint32_t id, unsigned mask)
{
	acl_start(a);
	acl_add(a, 0x01, 6, UINT32_MAX);
	acl_add(a, tag, perm, id);
	acl_add(a, 0x04, 4, UINT32_MAX);
	acl_add(a, 0x10, mask, UINT32_MAX);
	acl_add(a, 0x20, 4, UINT32_MAX);
}

static const struct acl_self root = { 0, 0 }, user500 = { 500, 500 };

START_TEST(test_named_writers_found)
{
	struct acl_value a;
	struct acl_writer w;

	acl_with(&a, 0x02, 6, 1234, 6); /* user:1234:rw- */
	ck_assert_int_eq(acl_find_writer(a.bytes, a.len, &root, 0, &w), 0);
	ck_assert_int_eq(w.who, ACL_WHO_USER);
	ck_assert_uint_eq(w.id, 1234);
	acl_with(&a, 0x08, 2, 100, 7); /* group:100:-w- */
	ck_assert_int_eq(acl_find_writer(a.bytes, a.len, &root, 0, &w), 0);
	ck_assert_int_eq(w.who, ACL_WHO_GROUP);
	ck_assert_uint_eq(w.id, 100);
}
END_TEST

START_TEST(test_trusted_entries_pass)
{
	struct acl_value a;
	struct acl_writer w;

	/* The mask takes write away from every named entry. */
	acl_with(&a, 0x02, 6, 1234, 4);
	ck_assert_int_eq(acl_find_writer(a.bytes, a.len, &root, 0, &w), 0);
	ck_assert_int_eq(w.who, ACL_WHO_NONE);
	/* Read-only named entries, root's group, initc's own uid. */
	acl_with(&a, 0x02, 4, 1234, 6);
	ck_assert_int_eq(acl_find_writer(a.bytes, a.len, &root, 0, &w), 0);
	ck_assert_int_eq(w.who, ACL_WHO_NONE);
	acl_with(&a, 0x08, 6, 0, 6);
	ck_assert_int_eq(acl_find_writer(a.bytes, a.len, &root, 0, &w), 0);
	ck_assert_int_eq(w.who, ACL_WHO_NONE);
	acl_with(&a, 0x02, 6, 500, 6);
	ck_assert_int_eq(acl_find_writer(a.bytes, a.len, &user500, 0, &w), 0);
	ck_assert_int_eq(w.who, ACL_WHO_NONE);
	/* initc's own group (not root: a user's private group) */
	acl_with(&a, 0x08, 6, 500, 6);
	ck_assert_int_eq(acl_find_writer(a.bytes, a.len, &user500, 0, &w), 0);
	ck_assert_int_eq(w.who, ACL_WHO_NONE);
	ck_assert_int_eq(acl_find_writer(a.bytes, a.len, &root, 0, &w), 0);
	ck_assert_int_eq(w.who, ACL_WHO_GROUP);
}
END_TEST

START_TEST(test_owning_group_needs_the_mask)
{
	struct acl_value a;
	struct acl_writer w;

	acl_start(&a);
	acl_add(&a, 0x01, 6, UINT32_MAX);
	acl_add(&a, 0x04, 6, UINT32_MAX); /* group::rw- */
	acl_add(&a, 0x10, 6, UINT32_MAX);
	acl_add(&a, 0x20, 4, UINT32_MAX);
	ck_assert_int_eq(acl_find_writer(a.bytes, a.len, &root, 0, &w), 0);
	ck_assert_int_eq(w.who, ACL_WHO_NONE); /* root's group */
	ck_assert_int_eq(acl_find_writer(a.bytes, a.len, &root, 42, &w), 0);
	ck_assert_int_eq(w.who, ACL_WHO_GROUP);
	ck_assert_uint_eq(w.id, 42);
}
END_TEST

START_TEST(test_malformed_values_refused)
{
	struct acl_value a;
	struct acl_writer w;

	acl_with(&a, 0x02, 6, 1234, 6);
	ck_assert_int_eq(acl_find_writer(a.bytes, 3, &root, 0, &w), -1);
	ck_assert_int_eq(acl_find_writer(a.bytes, a.len - 1, &root, 0, &w), -1);
	put_le(a.bytes, 1, 4); /* an unknown version */
	ck_assert_int_eq(acl_find_writer(a.bytes, a.len, &root, 0, &w), -1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("acl");
	TCase *tc = tcase_create("acl");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_named_writers_found);
	tcase_add_test(tc, test_trusted_entries_pass);
	tcase_add_test(tc, test_owning_group_needs_the_mask);
	tcase_add_test(tc, test_malformed_values_refused);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
