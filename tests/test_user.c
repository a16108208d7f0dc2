/* Unit tests for user resolution from passwd/group files. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "user.h"

static char *dir, *passwd, *group;

static void setup(void)
{
	dir = make_tempdir();
	passwd = write_file(dir, "passwd",
			    "root:x:0:0:root:/root:/bin/sh\n"
			    "# a comment line\n"
			    "broken line without fields\n"
			    "app:x:1000:1000:App:/home/app:/bin/sh\n"
			    "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n");
	group = write_file(dir, "group",
			   "root:x:0:\n"
			   "app:x:1000:\n"
			   "web:x:33:app,other\n"
			   "audio:x:29:other,app\n"
			   "staff:x:50:\n");
}

static void teardown(void)
{
	rm_rf(dir);
	free(dir);
	free(passwd);
	free(group);
}

static void resolve(const char *spec, struct creds *c)
{
	char err[256];

	ck_assert_msg(user_resolve_in(spec, passwd, group, c, err, sizeof(err)) == 0, "%s: %s", spec, err);
}

START_TEST(test_by_name)
{
	struct creds c;

	resolve("app", &c);
	ck_assert_uint_eq(c.uid, 1000);
	ck_assert_uint_eq(c.gid, 1000);
	ck_assert_str_eq(c.home, "/home/app");
	/* primary group first, then the supplementary groups from /etc/group */
	ck_assert_uint_eq(c.n_groups, 3);
	ck_assert_uint_eq(c.groups[0], 1000);
	ck_assert_uint_eq(c.groups[1], 33);
	ck_assert_uint_eq(c.groups[2], 29);
}
END_TEST

START_TEST(test_by_uid_with_entry)
{
	struct creds c;

	resolve("65534", &c);
	ck_assert_uint_eq(c.uid, 65534);
	ck_assert_uint_eq(c.gid, 65534);
	ck_assert_str_eq(c.home, "/nonexistent");
}
END_TEST

START_TEST(test_uid_without_entry)
{
	struct creds c;

	/* never root's group by accident */
	resolve("4242", &c);
	ck_assert_uint_eq(c.uid, 4242);
	ck_assert_uint_eq(c.gid, 4242);
	ck_assert_uint_eq(c.n_groups, 0);
	ck_assert_str_eq(c.home, "");
	/* uid:gid with no entry: exactly that gid, no supplementary groups */
	resolve("4242:777", &c);
	ck_assert_uint_eq(c.uid, 4242);
	ck_assert_uint_eq(c.gid, 777);
	ck_assert_uint_eq(c.n_groups, 0);
}
END_TEST

START_TEST(test_name_and_group)
{
	struct creds c;

	resolve("app:staff", &c);
	ck_assert_uint_eq(c.uid, 1000);
	ck_assert_uint_eq(c.gid, 50);
	ck_assert_uint_eq(c.groups[0], 50);
	resolve("app:33", &c);
	ck_assert_uint_eq(c.gid, 33);
}
END_TEST

START_TEST(test_unknown)
{
	struct creds c;
	char err[256];

	ck_assert_int_eq(user_resolve_in("ghost", passwd, group, &c, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "unknown user 'ghost' (not in "), "%s", err);
	ck_assert_int_eq(user_resolve_in("app:ghosts", passwd, group, &c, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "unknown group 'ghosts' (not in "), "%s", err);
	/* missing files: names cannot resolve, numbers still can */
	ck_assert_int_eq(user_resolve_in("app", "/nonexistent/passwd", group, &c, err, sizeof(err)), -1);
	ck_assert_int_eq(user_resolve_in("12:34", "/nonexistent/passwd", "/nonexistent/group", &c, err, sizeof(err)), 0);
	ck_assert_uint_eq(c.gid, 34);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("user");
	TCase *tc = tcase_create("user");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_by_name);
	tcase_add_test(tc, test_by_uid_with_entry);
	tcase_add_test(tc, test_uid_without_entry);
	tcase_add_test(tc, test_name_and_group);
	tcase_add_test(tc, test_unknown);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
