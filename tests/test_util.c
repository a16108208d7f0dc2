/* Unit tests for src/lib/util.c: sort_array against the C library's qsort, and
 * str_case_eqn, str_token against strtok, dir_list; and describe_wait_status
 * (src/lib/parse.c). */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parse.h"
#include "util.h"

static int by_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

static int by_string(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A random array of n ints with many duplicates, sorted by both; they must
 * agree element by element. */
static void sort_like_qsort(size_t n, unsigned seed)
{
	static int ours[20000], libc[20000];

	ck_assert_uint_le(n, 20000);
	for (size_t i = 0; i < n; i++)
		ours[i] = libc[i] = (int)(rand_r(&seed) % 97) - 48;
	sort_array(ours, n, sizeof(int), by_int);
	qsort(libc, n, sizeof(int), by_int);
	ck_assert_msg(memcmp(ours, libc, n * sizeof(int)) == 0, "n = %zu", n);
}

START_TEST(test_sort_ints)
{
	for (size_t n = 0; n <= 300; n++)
		sort_like_qsort(n, (unsigned)n);
	sort_like_qsort(20000, 7);
}
END_TEST

START_TEST(test_sort_strings)
{
	char *names[] = { "50-db.ini", "10-base.ini", "b.ini", "A.ini", "a.ini", "10-base.ini",
			  "9.ini", "" };
	const char *want[] = { "", "10-base.ini", "10-base.ini", "50-db.ini", "9.ini",
			       "A.ini", "a.ini", "b.ini" };

	sort_array(names, 8, sizeof(*names), by_string);
	for (size_t i = 0; i < 8; i++)
		ck_assert_str_eq(names[i], want[i]);
	sort_array(names, 0, sizeof(*names), by_string); /* nothing to do */
}
END_TEST

START_TEST(test_case_eqn)
{
	ck_assert(str_case_eqn("SIGTERM", "sigterm", SIZE_MAX));
	ck_assert(str_case_eqn("Yes", "yES", 3));
	ck_assert(str_case_eqn("LocalHost.", "localhost", 9)); /* a prefix of n bytes */
	ck_assert(!str_case_eqn("true", "truer", SIZE_MAX));
	ck_assert(!str_case_eqn("truer", "true", SIZE_MAX));
	ck_assert(!str_case_eqn("[", "{", 1)); /* only letters fold: '[' + 32 is '{' */
	ck_assert(!str_case_eqn("@", "`", 1));
	ck_assert(str_case_eqn("", "", SIZE_MAX));
	ck_assert(str_case_eqn("abc", "xyz", 0));
}
END_TEST

/* str_token splits every input as the C library's strtok does: the same
 * tokens, in place, then NULL for good. */
START_TEST(test_token_like_strtok)
{
	static const char *const inputs[] = {
		"", " ", "a", "  a b\t\tc  ", "10.0.0.1 db db.local\r", ",,x,,y,", "a,b", "\t\r\n",
		"nameserver 1.2.3.4", "options ndots:2 timeout:1",
	};
	static const char *const delims[] = { " \t\r\n", "," };

	for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		for (size_t d = 0; d < 2; d++) {
			char mine[64], libc[64], *rest = mine, *want, *got;

			snprintf(mine, sizeof(mine), "%s", inputs[i]);
			snprintf(libc, sizeof(libc), "%s", inputs[i]);
			want = strtok(libc, delims[d]);
			do {
				got = str_token(&rest, delims[d]);
				ck_assert_msg(!want == !got, "'%s' split at '%s'", inputs[i], delims[d]);
				if (want)
					ck_assert_str_eq(got, want);
				want = strtok(NULL, delims[d]);
			} while (got);
			ck_assert_ptr_null(str_token(&rest, delims[d]));
			ck_assert_mem_eq(mine, libc, strlen(inputs[i]));
		}
	}
}
END_TEST

static int by_string_ptr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* dir_list sees every entry but "." and "..", across many getdents64 calls
 * (600 long names are far more than one 4 KiB buffer holds), and reports a
 * descriptor that is not a directory. */
START_TEST(test_dir_list)
{
	char dir[] = "/tmp/initc-dirlist-XXXXXX", path[256];
	struct strv names = { 0 };
	int fd;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	for (int i = 0; i < 600; i++) {
		snprintf(path, sizeof(path), "%s/entry-with-a-rather-long-name-%04d.ini", dir, i);
		fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		ck_assert_int_ge(fd, 0);
		close(fd);
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(dir_list(fd, &names), 0);
	close(fd);
	ck_assert_uint_eq(names.n, 600);
	qsort(names.v, names.n, sizeof(*names.v), by_string_ptr);
	for (size_t i = 0; i < names.n; i++) {
		snprintf(path, sizeof(path), "entry-with-a-rather-long-name-%04zu.ini", i);
		ck_assert_str_eq(names.v[i], path);
		snprintf(path, sizeof(path), "%s/%s", dir, names.v[i]);
		unlink(path);
	}
	strv_free(&names);
	rmdir(dir);

	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	errno = 0;
	ck_assert_int_eq(dir_list(fd, &names), -1);
	ck_assert_int_eq(errno, ENOTDIR);
	ck_assert_uint_eq(names.n, 0);
	close(fd);
}
END_TEST

/* Wait statuses as the kernel builds them: exit code << 8, or the signal. */
START_TEST(test_describe_wait_status)
{
	char buf[64];

	describe_wait_status(3 << 8, buf, sizeof(buf));
	ck_assert_str_eq(buf, "exit status 3");
	describe_wait_status(SIGKILL, buf, sizeof(buf));
	ck_assert_str_eq(buf, "killed by signal 9 (SIGKILL)");
	describe_wait_status(33, buf, sizeof(buf));
	ck_assert_str_eq(buf, "killed by signal 33");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("util");
	TCase *tc = tcase_create("util");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_sort_ints);
	tcase_add_test(tc, test_sort_strings);
	tcase_add_test(tc, test_case_eqn);
	tcase_add_test(tc, test_token_like_strtok);
	tcase_add_test(tc, test_dir_list);
	tcase_add_test(tc, test_describe_wait_status);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
