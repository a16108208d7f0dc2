/* Unit tests for user resolution from passwd/group files. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "lines.h"
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

/* Resolves spec against the given files, expecting an error containing want. */
static void resolve_bad(const char *spec, const char *pw, const char *gr, const char *want)
{
	struct creds c;
	char err[512];

	ck_assert_int_eq(user_resolve_in(spec, pw, gr, &c, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, want), "%s: want '%s' in '%s'", spec, want, err);
	creds_free(&c);
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
	ck_assert_str_eq(c.name, "app");
	creds_free(&c);
}
END_TEST

START_TEST(test_by_uid_with_entry)
{
	struct creds c;

	resolve("65534", &c);
	ck_assert_uint_eq(c.uid, 65534);
	ck_assert_uint_eq(c.gid, 65534);
	ck_assert_str_eq(c.home, "/nonexistent");
	ck_assert_str_eq(c.name, "nobody");
	creds_free(&c);
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
	ck_assert_ptr_null(c.home);
	ck_assert_ptr_null(c.name);
	creds_free(&c);
	/* uid:gid with no entry: exactly that gid, no supplementary groups */
	resolve("4242:777", &c);
	ck_assert_uint_eq(c.uid, 4242);
	ck_assert_uint_eq(c.gid, 777);
	ck_assert_uint_eq(c.n_groups, 0);
	creds_free(&c);
}
END_TEST

START_TEST(test_name_and_group)
{
	struct creds c;

	resolve("app:staff", &c);
	ck_assert_uint_eq(c.uid, 1000);
	ck_assert_uint_eq(c.gid, 50);
	ck_assert_uint_eq(c.groups[0], 50);
	creds_free(&c);
	resolve("app:33", &c);
	ck_assert_uint_eq(c.gid, 33);
	creds_free(&c);
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
	creds_free(&c);
}
END_TEST

/* dir/name holding a group line for gid with members, padded first by
 * filler members so that the line is about size bytes long. */
static char *write_long_group(const char *name, size_t size, const char *members)
{
	char *text = malloc(size + 256), *out;
	size_t n = (size_t)sprintf(text, "root:x:0:\nwheel:x:10:");

	while (n < size - 8)
		n += (size_t)sprintf(text + n, "fill%03zu,", n % 1000);
	sprintf(text + n, "%s\nstaff:x:50:adm2\n", members);
	out = write_file(dir, name, text);
	free(text);
	return out;
}

/* Item 7: lines of any length are parsed exactly. The old reader cut
 * /etc/group lines every 4 KiB: "adm2iral" across the cut became "adm2",
 * who got wheel, and the members after the cut lost it. */
START_TEST(test_long_group_line_parsed_exactly)
{
	char *pw = write_file(dir, "pw", "adm2:x:2000:2000::/home/adm2:/bin/sh\n"
					 "late:x:2001:2001::/:/bin/sh\n");
	char *gr;
	struct creds c;
	char err[512];

	/* "adm2iral" straddles offset 4096, where the old reader cut. */
	for (size_t size = 4090; size <= 4100; size++) {
		gr = write_long_group("gr", size, "adm2iral,late");
		ck_assert_int_eq(user_resolve_in("adm2", pw, gr, &c, err, sizeof(err)), 0);
		ck_assert_uint_eq(c.n_groups, 2); /* its own and staff: never wheel */
		ck_assert_uint_eq(c.groups[1], 50);
		creds_free(&c);
		ck_assert_int_eq(user_resolve_in("late", pw, gr, &c, err, sizeof(err)), 0);
		ck_assert_uint_eq(c.n_groups, 2); /* the member after the cut keeps wheel */
		ck_assert_uint_eq(c.groups[1], 10);
		creds_free(&c);
		free(gr);
	}
	/* The same across a much longer line (100 KB, many read chunks). */
	gr = write_long_group("gr", 100000, "late");
	ck_assert_int_eq(user_resolve_in("late", pw, gr, &c, err, sizeof(err)), 0);
	ck_assert_uint_eq(c.n_groups, 2);
	creds_free(&c);
	free(gr);
	free(pw);
}
END_TEST

/* A passwd line with a 5000-byte GECOS field: the user is found. */
START_TEST(test_long_gecos_user_found)
{
	char *text = malloc(6000), *pw;
	size_t n = (size_t)sprintf(text, "root:x:0:0:root:/root:/bin/sh\nlong:x:3000:3000:");
	struct creds c;

	memset(text + n, 'G', 5000);
	strcpy(text + n + 5000, ":/home/long:/bin/sh\n");
	pw = write_file(dir, "pw", text);
	resolve_bad("nosuch", pw, group, "unknown user 'nosuch'");
	ck_assert_int_eq(user_resolve_in("long", pw, group, &c, text, 6000), 0);
	ck_assert_uint_eq(c.uid, 3000);
	ck_assert_str_eq(c.home, "/home/long");
	creds_free(&c);
	free(text);
	free(pw);
}
END_TEST

/* Every supplementary group is applied: 1,000 of them, not 63. */
START_TEST(test_every_group_applied)
{
	size_t cap = 1000 * 32, n = 0;
	char *text = malloc(cap), *gr;
	struct creds c;
	char err[256];

	for (int g = 0; g < 1000; g++)
		n += (size_t)snprintf(text + n, cap - n, "g%d:x:%d:other,app\n", g, 5000 + g);
	gr = write_file(dir, "gr", text);
	ck_assert_int_eq(user_resolve_in("app", passwd, gr, &c, err, sizeof(err)), 0);
	ck_assert_uint_eq(c.n_groups, 1001);
	ck_assert_uint_eq(c.groups[0], 1000);
	ck_assert_uint_eq(c.groups[1000], 5999);
	creds_free(&c);
	free(text);
	free(gr);
}
END_TEST

/* More groups than the kernel can apply: an error, never a silent cut. */
START_TEST(test_too_many_groups_refused)
{
	size_t cap = (USER_GROUPS_MAX + 1) * 24, n = 0;
	char *text = malloc(cap), *gr;

	for (int g = 0; g < USER_GROUPS_MAX; g++)
		n += (size_t)snprintf(text + n, cap - n, "g%d:x:%d:app\n", g, 100000 + g);
	gr = write_file(dir, "gr", text);
	resolve_bad("app", passwd, gr, "is in more than 65536 groups");
	free(text);
	free(gr);
}
END_TEST

/* A line over LINES_MAX_BYTES, and a FIFO or directory planted as the
 * file: clear errors, and no hang on the FIFO. */
START_TEST(test_odd_files_refused)
{
	char *text = malloc(LINES_MAX_BYTES + 64), *gr, *fifo = path_join(dir, "fifo");

	memset(text, 'x', LINES_MAX_BYTES + 10);
	strcpy(text + LINES_MAX_BYTES + 10, ":x:7:app\n");
	gr = write_file(dir, "gr", text);
	resolve_bad("app", passwd, gr, "gr:1: line longer than 1048576 bytes");
	ck_assert_int_eq(mkfifo(fifo, 0644), 0);
	resolve_bad("app", fifo, group, "not a regular file");
	resolve_bad("app", passwd, fifo, "not a regular file");
	resolve_bad("app", dir, group, "not a regular file");
	free(fifo);
	free(text);
	free(gr);
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
	tcase_add_test(tc, test_long_group_line_parsed_exactly);
	tcase_add_test(tc, test_long_gecos_user_found);
	tcase_add_test(tc, test_every_group_applied);
	tcase_add_test(tc, test_too_many_groups_refused);
	tcase_add_test(tc, test_odd_files_refused);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
