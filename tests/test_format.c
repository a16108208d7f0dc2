/* Unit tests for src/lib/format.c: every conversion initc uses gives exactly
 * what the C library's snprintf gives, truncation works like snprintf's,
 * and out_format reaches stdout whole however long the text. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "format.h"

/* Formats with both engines into a buffer of len bytes; they must agree on
 * the text and on the returned length. */
static void same(size_t len, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void same(size_t len, const char *fmt, ...)
{
	char ours[256], libc[256];
	va_list ap, ap2;
	int n_ours, n_libc;

	ck_assert_uint_le(len, sizeof(ours));
	memset(ours, 'X', sizeof(ours));
	memset(libc, 'X', sizeof(libc));
	va_start(ap, fmt);
	va_copy(ap2, ap);
	n_ours = str_vformat(ours, len, fmt, ap);
	n_libc = vsnprintf(libc, len, fmt, ap2);
	va_end(ap2);
	va_end(ap);
	ck_assert_msg(n_ours == n_libc, "'%s': length %d, libc %d", fmt, n_ours, n_libc);
	ck_assert_msg(memcmp(ours, libc, len) == 0, "'%s': '%.*s' vs libc '%.*s'", fmt,
		      (int)len, ours, (int)len, libc);
}

START_TEST(test_strings)
{
	same(256, "plain text");
	same(256, "%s", "");
	same(256, "a %s b %s", "one", "two");
	same(256, "%.3s|%.0s|%.10s", "abcdef", "gone", "short");
	same(256, "%.*s|%.*s", 2, "abcdef", 0, "x");
	same(256, "[%5s][%2s]", "ab", "abcd");
	same(256, "%c%c%c", 'a', '%', '\n');
	same(256, "100%% sure, %%s stays");
}
END_TEST

START_TEST(test_integers)
{
	same(256, "%d %d %d", 0, -1, 42);
	same(256, "%d %d", INT_MAX, INT_MIN);
	same(256, "%ld %ld", LONG_MAX, LONG_MIN);
	same(256, "%lld %lld", LLONG_MAX, LLONG_MIN);
	same(256, "%u %u", 0u, UINT_MAX);
	same(256, "%lu %zu", ULONG_MAX, (size_t)SIZE_MAX);
	same(256, "%llu", ULLONG_MAX);
	same(256, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", 2026, 1, 2, 3, 4, 5, 6);
	same(256, "%02d %03u %04x %x", 123, 7u, 0x1fu, 0xdeadbeefu);
	same(256, "[%5d][%05d][%5d][%05d]", 42, 42, -42, -42);
	same(256, "%lldms", -1500LL);
	same(256, "%i %5i %-5i|", -7, 42, 42);
	same(256, "%-5d %s", 7, "after"); /* once printed "%-5d" and crashed on %s */
	same(256, "%+d % d %+d % d", 5, 5, -5, -5);
	same(256, "%#x %#X %#o %#o %o %X", 255u, 255u, 8u, 0u, 8u, 0xabcu);
	same(256, "%.0d|%.0u|%#.0o|%5.3d|%-8.4x|", 0, 0u, 0u, 7, 0x1fu);
	same(256, "%hhd %hhu %hd %hu", 300, 300u, 70000, 70000u);
	same(256, "%jd %td %zd", (intmax_t)-3, (ptrdiff_t)-4, (ssize_t)-5);
}

START_TEST(test_chars_strings_pointers)
{
	int x = 0;

	same(256, "[%-5s][%-2s][%-5.2s][%*s][%-*s]", "ab", "abcd", "abcd", 4, "x", 4, "y");
	same(256, "[%*s][%.*s]", -4, "neg", -1, "all of it");
	same(256, "[%3c][%-3c][%c]", 'a', 'b', 'c');
	same(256, "[%p][%20p][%-20p]", (void *)&x, (void *)&x, (void *)&x);
	same(256, "[%p][%8p][%-8p]", (void *)0, (void *)0, (void *)0);
	same(256, "[%p]", (void *)0x1234);
}
END_TEST

/* Every flag, width, precision and length of the integer conversions,
 * generated, against snprintf: the format strings are built at run time,
 * so gcc cannot check them here; each value is passed as the type its
 * length modifier names. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
static void same_int(const char *fmt, const char *length, bool star_width, bool star_prec,
		     long long v)
{
	char ours[256], libc[256];
	int w = -9, p = 2, n_ours, n_libc;

/* Both engines, the same arguments: [width] [precision] value. */
#define BOTH(...)                                                                 \
	do {                                                                      \
		n_ours = star_width ? star_prec ? str_format(ours, sizeof(ours), fmt, w, p, __VA_ARGS__) \
				    : str_format(ours, sizeof(ours), fmt, w, __VA_ARGS__)  \
			 : star_prec ? str_format(ours, sizeof(ours), fmt, p, __VA_ARGS__) \
				     : str_format(ours, sizeof(ours), fmt, __VA_ARGS__);   \
		n_libc = star_width ? star_prec ? snprintf(libc, sizeof(libc), fmt, w, p, __VA_ARGS__) \
				    : snprintf(libc, sizeof(libc), fmt, w, __VA_ARGS__)    \
			 : star_prec ? snprintf(libc, sizeof(libc), fmt, p, __VA_ARGS__)   \
				     : snprintf(libc, sizeof(libc), fmt, __VA_ARGS__);     \
	} while (0)
	if (strcmp(length, "ll") == 0)
		BOTH(v);
	else if (strcmp(length, "j") == 0)
		BOTH((intmax_t)v);
	else if (strcmp(length, "z") == 0)
		BOTH((size_t)v);
	else if (strcmp(length, "t") == 0)
		BOTH((ptrdiff_t)v);
	else if (strcmp(length, "l") == 0)
		BOTH((long)v);
	else
		BOTH((int)v); /* "", h and hh all take an int */
#undef BOTH
	ck_assert_msg(n_ours == n_libc && strcmp(ours, libc) == 0, "'%s' of %lld: '%s', libc '%s'",
		      fmt, v, ours, libc);
}

START_TEST(test_integer_conversions_generated)
{
	static const char *const flags[] = { "", "-", "+", " ", "#", "0", "-0", "+0", "#0", "- #", "+ " };
	static const char *const widths[] = { "", "1", "7", "*" };
	static const char *const precisions[] = { "", ".", ".0", ".3", ".*" };
	static const char *const lengths[] = { "", "hh", "h", "l", "ll", "j", "z", "t" };
	static const long long values[] = { 0, 1, -1, 7, 8, 127, 128, 255, -129, 65535, -32768,
					    INT_MAX, INT_MIN, LLONG_MIN, LLONG_MAX };
	const char *convs = "diouxX";
	char fmt[32];

	for (const char *c = convs; *c; c++)
		for (size_t f = 0; f < sizeof(flags) / sizeof(flags[0]); f++)
			for (size_t w = 0; w < sizeof(widths) / sizeof(widths[0]); w++)
				for (size_t p = 0; p < sizeof(precisions) / sizeof(precisions[0]); p++)
					for (size_t l = 0; l < sizeof(lengths) / sizeof(lengths[0]); l++) {
						snprintf(fmt, sizeof(fmt), "[%%%s%s%s%s%c]", flags[f], widths[w],
							 precisions[p], lengths[l], *c);
						for (size_t v = 0; v < sizeof(values) / sizeof(values[0]); v++)
							same_int(fmt, lengths[l], widths[w][0] == '*',
								 strcmp(precisions[p], ".*") == 0, values[v]);
					}
}
END_TEST

/* A conversion outside the set (floating point, %n, glibc's %m) ends the
 * text there: its argument is never read, nor any after it. */
START_TEST(test_unsupported_conversion_ends_the_text)
{
	static const char *const fmts[] = { "a %f b %s", "a %Lf b %s", "a %n b %s", "a %m b %s",
					    "a %ls b %s", "a %lc b %s", "a %", "a %5" };
	char buf[64];

	for (size_t i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		ck_assert_int_eq(str_format(buf, sizeof(buf), fmts[i], "never read"), 2);
		ck_assert_str_eq(buf, "a ");
	}
}
END_TEST
#pragma GCC diagnostic pop

START_TEST(test_truncation)
{
	same(1, "abc");
	same(4, "abcdef %d", 12345);
	same(6, "%s", "abcdefgh");
	same(8, "%05d%s", -3, "tail");
	ck_assert_int_eq(str_format(NULL, 0, "%s=%d", "key", 100), 7);
}
END_TEST

/* format_utc against the C library's gmtime_r: the epoch, the last second
 * before it, leap days (2000 is one, 2100 is not), and a sweep of times from
 * 1901 to 2400 in steps that hit every hour, minute and day of the month. */
static void same_time(int64_t secs, long nsec)
{
	struct timespec ts = { (time_t)secs, nsec };
	struct tm tm;
	char ours[64], libc[64];

	ck_assert_ptr_nonnull(gmtime_r(&ts.tv_sec, &tm));
	snprintf(libc, sizeof(libc), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, nsec / 1000000);
	format_utc(&ts, ours, sizeof(ours));
	ck_assert_msg(strcmp(ours, libc) == 0, "%lld: '%s', libc '%s'", (long long)secs, ours,
		      libc);
}

START_TEST(test_utc)
{
	same_time(0, 0);
	same_time(-1, 999999999);
	same_time(951782400, 5000000);   /* 2000-02-29 */
	same_time(4107456000, 0);        /* 2100-02-28 */
	same_time(4107542400, 0);        /* 2100-03-01 */
	same_time(-2208988800LL, 0);     /* 1900-01-01 */
	same_time(13569465599LL, 0);     /* 2399-12-31T23:59:59 */
	for (int64_t t = -2147483648LL; t < 13569465599LL; t += 86400 * 7 + 3607)
		same_time(t, 123456789);
}
END_TEST

/* error_text speaks the C library's words for every error it knows, knows
 * the ones initc meets, and names the others by number. */
START_TEST(test_error_text)
{
	const int known[] = { ENOENT, EACCES, EPERM, ENOEXEC, ETXTBSY, EAGAIN, EMFILE, ENOMEM,
			      EROFS, ENOSPC, ENOTDIR, ECONNREFUSED, ETIMEDOUT, EHOSTUNREACH };
	char want[32];

	for (int e = 1; e < 134; e++) {
		const char *t = error_text(e);

		if (strncmp(t, "error ", 6) != 0)
			ck_assert_str_eq(t, strerror(e));
	}
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		ck_assert_str_eq(error_text(known[i]), strerror(known[i]));
	snprintf(want, sizeof(want), "error %d", EDOM);
	ck_assert_str_eq(error_text(EDOM), want);
	ck_assert_str_eq(error_text(-5), "error -5");
}
END_TEST

/* out_format in a child whose stdout is a pipe: a text far longer than the
 * internal buffer arrives whole and in order. */
START_TEST(test_out_format_long)
{
	static char big[10000];
	char got[sizeof(big) + 64];
	size_t have = 0;
	int fds[2], st;
	pid_t pid;
	ssize_t n;

	for (size_t i = 0; i < sizeof(big) - 1; i++)
		big[i] = (char)('a' + i % 26);
	ck_assert_int_eq(pipe(fds), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		dup2(fds[1], STDOUT_FILENO);
		out_format("<%s|%d>", big, 7);
		_exit(0);
	}
	close(fds[1]);
	while ((n = read(fds[0], got + have, sizeof(got) - 1 - have)) > 0)
		have += (size_t)n;
	got[have] = '\0';
	close(fds[0]);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_uint_eq(have, strlen(big) + 4);
	ck_assert(got[0] == '<' && memcmp(got + 1, big, strlen(big)) == 0);
	ck_assert_str_eq(got + 1 + strlen(big), "|7>");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("format");
	TCase *tc = tcase_create("format");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_strings);
	tcase_add_test(tc, test_integers);
	tcase_set_timeout(tc, 30); /* 150,000 generated formats, slow under sanitizers */
	tcase_add_test(tc, test_integer_conversions_generated);
	tcase_add_test(tc, test_unsupported_conversion_ends_the_text);
	tcase_add_test(tc, test_chars_strings_pointers);
	tcase_add_test(tc, test_truncation);
	tcase_add_test(tc, test_utc);
	tcase_add_test(tc, test_error_text);
	tcase_add_test(tc, test_out_format_long);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
