/* Unit tests for the pure parsers: durations, booleans, numbers, signals,
 * word splitting, ${VAR} expansion, backoff. */
#include <check.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "util.h"

static const char *fake_env(const char *name, bool has_default, void *ctx)
{
	(void)has_default;
	(void)ctx;
	if (strcmp(name, "HOST") == 0)
		return "db.local";
	if (strcmp(name, "EMPTY") == 0)
		return "";
	if (strcmp(name, "SPACED") == 0)
		return "a b  c";
	if (strcmp(name, "QUOTE") == 0)
		return "'\"\\";
	return NULL;
}

static int64_t dur(const char *s)
{
	char err[PARSE_ERR_MAX];
	int64_t ms = -1;

	ck_assert_msg(parse_duration(s, &ms, err) == 0, "'%s': %s", s, err);
	return ms;
}

static void dur_bad(const char *s, const char *needle)
{
	char err[PARSE_ERR_MAX];
	int64_t ms;

	ck_assert_msg(parse_duration(s, &ms, err) == -1, "'%s' should be refused", s);
	ck_assert_msg(strstr(err, needle), "'%s': message '%s' lacks '%s'", s, err, needle);
}

START_TEST(test_duration_units)
{
	ck_assert_int_eq(dur("500ms"), 500);
	ck_assert_int_eq(dur("2s"), 2000);
	ck_assert_int_eq(dur("1.5m"), 90000);
	ck_assert_int_eq(dur("1h"), 3600000);
	ck_assert_int_eq(dur("10"), 10000);
	ck_assert_int_eq(dur("0.25"), 250);
	ck_assert_int_eq(dur("0"), 0);
	ck_assert_int_eq(dur(".5s"), 500);
	ck_assert_int_eq(dur("1.5ms"), 2);
}
END_TEST

START_TEST(test_duration_errors)
{
	dur_bad("", "bad duration");
	dur_bad("5 minutes", "bad duration");
	dur_bad("-1s", "bad duration");
	dur_bad("1d", "use a number with a unit");
	dur_bad("1.s", "bad duration");
	dur_bad("s", "bad duration");
	dur_bad("99999999999999h", "too large");
	dur_bad("2S", "bad duration");
}
END_TEST

START_TEST(test_bool)
{
	char err[PARSE_ERR_MAX];
	bool b;

	ck_assert_int_eq(parse_bool("true", &b, err), 0);
	ck_assert(b);
	ck_assert_int_eq(parse_bool("No", &b, err), 0);
	ck_assert(!b);
	ck_assert_int_eq(parse_bool("on", &b, err), 0);
	ck_assert(b);
	ck_assert_int_eq(parse_bool("0", &b, err), 0);
	ck_assert(!b);
	ck_assert_int_eq(parse_bool("yep", &b, err), -1);
	ck_assert_str_eq(err, "bad boolean 'yep'; use true or false");
}
END_TEST

START_TEST(test_uint)
{
	char err[PARSE_ERR_MAX];
	unsigned long v;

	ck_assert_int_eq(parse_uint("30", 100, &v, err), 0);
	ck_assert_uint_eq(v, 30);
	ck_assert_int_eq(parse_uint("101", 100, &v, err), -1);
	ck_assert(strstr(err, "at most 100"));
	ck_assert_int_eq(parse_uint("3x", 100, &v, err), -1);
	ck_assert(strstr(err, "bad number '3x'"));
	ck_assert_int_eq(parse_uint("-1", 100, &v, err), -1);
	ck_assert_int_eq(parse_uint("", 100, &v, err), -1);
	ck_assert_int_eq(parse_uint("99999999999999999999999", ~0UL, &v, err), -1);
}
END_TEST

START_TEST(test_factor)
{
	char err[PARSE_ERR_MAX];
	unsigned m;

	ck_assert_int_eq(parse_factor("2", &m, err), 0);
	ck_assert_uint_eq(m, 2000);
	ck_assert_int_eq(parse_factor("1.5", &m, err), 0);
	ck_assert_uint_eq(m, 1500);
	ck_assert_int_eq(parse_factor("0.5", &m, err), -1);
	ck_assert(strstr(err, "from 1 to 100"));
	ck_assert_int_eq(parse_factor("2x", &m, err), -1);
}
END_TEST

START_TEST(test_signal_names)
{
	char err[PARSE_ERR_MAX];
	int sig;

	ck_assert_int_eq(parse_signal("TERM", &sig, err), 0);
	ck_assert_int_eq(sig, SIGTERM);
	ck_assert_int_eq(parse_signal("sigint", &sig, err), 0);
	ck_assert_int_eq(sig, SIGINT);
	ck_assert_int_eq(parse_signal("9", &sig, err), 0);
	ck_assert_int_eq(sig, SIGKILL);
	ck_assert_int_eq(parse_signal("NOPE", &sig, err), -1);
	ck_assert(strstr(err, "unknown signal 'NOPE'"));
	ck_assert_str_eq(signal_name(SIGHUP), "HUP");
	ck_assert_str_eq(signal_name(99), "?");
}
END_TEST

static void words(const char *in, const char *const *expect)
{
	char err[PARSE_ERR_MAX];
	struct strv sv = { 0 };
	size_t n = 0;

	ck_assert_msg(split_words(in, fake_env, NULL, &sv, err) == 0, "'%s': %s", in, err);
	while (expect[n])
		n++;
	ck_assert_msg(sv.n == n, "'%s': %zu words, expected %zu", in, sv.n, n);
	for (size_t i = 0; i < n; i++)
		ck_assert_str_eq(sv.v[i], expect[i]);
	if (n)
		ck_assert_ptr_null(sv.v[n]);
	strv_free(&sv);
}

START_TEST(test_words_plain_and_quoted)
{
	words("python manage.py migrate", (const char *const[]){ "python", "manage.py", "migrate", NULL });
	words("  a\t b  ", (const char *const[]){ "a", "b", NULL });
	words("echo 'a b' \"c d\"", (const char *const[]){ "echo", "a b", "c d", NULL });
	words("a'b'\"c\"d", (const char *const[]){ "abcd", NULL });
	words("echo '' \"\"", (const char *const[]){ "echo", "", "", NULL });
	words("a\\ b c\\;", (const char *const[]){ "a b", "c;", NULL });
	words("\"a \\\"q\\\" \\n\"", (const char *const[]){ "a \"q\" \\n", NULL });
	words("'it''s'", (const char *const[]){ "its", NULL });
	words("find -exec {} \\;", (const char *const[]){ "find", "-exec", "{}", ";", NULL });
	words("", (const char *const[]){ NULL });
}
END_TEST

/* Found by the fuzzer: a word that starts with a backslash escape or $$ was
 * glued to the next word, or dropped (and leaked) at the end. */
START_TEST(test_words_leading_escape)
{
	words("echo a \\; b", (const char *const[]){ "echo", "a", ";", "b", NULL });
	words("a \\f", (const char *const[]){ "a", "f", NULL });
	words("\\ ", (const char *const[]){ " ", NULL });
	words("\\$x", (const char *const[]){ "$x", NULL });
	words("echo $$ $$x", (const char *const[]){ "echo", "$", "$x", NULL });
}
END_TEST

START_TEST(test_words_expansion)
{
	words("ping ${HOST}", (const char *const[]){ "ping", "db.local", NULL });
	/* an expanded value is never split into more words */
	words("echo ${SPACED}", (const char *const[]){ "echo", "a b  c", NULL });
	words("echo x${EMPTY}y", (const char *const[]){ "echo", "xy", NULL });
	words("echo ${NOPE:-fallback value}", (const char *const[]){ "echo", "fallback value", NULL });
	words("echo \"${HOST}:5432\"", (const char *const[]){ "echo", "db.local:5432", NULL });
	words("echo $$HOME $HOME", (const char *const[]){ "echo", "$HOME", "$HOME", NULL });
}
END_TEST

/* The one rule for '$' (README "Values"): ${...} and $$ are read first,
 * the same way in single quotes, double quotes and bare words; every other
 * '$' is kept; the quoting then applies to the rest and never to what an
 * expansion produced. */
START_TEST(test_words_dollar_rule)
{
	/* issue 17: sh -c 'wait $$!' meant "wait $!", not the shell's pid */
	words("sh -c 'wait $$!'", (const char *const[]){ "sh", "-c", "wait $!", NULL });
	words("sh -c \"wait $$!\"", (const char *const[]){ "sh", "-c", "wait $!", NULL });
	words("sh -c wait\\ $$!", (const char *const[]){ "sh", "-c", "wait $!", NULL });
	/* single quotes do not stop ${...}: $${ is the literal */
	words("echo '${HOST}'", (const char *const[]){ "echo", "db.local", NULL });
	words("echo '$${HOST}' $${HOST}", (const char *const[]){ "echo", "${HOST}", "${HOST}", NULL });
	words("echo '$$$$'", (const char *const[]){ "echo", "$$", NULL });
	/* a lone '$' is itself, in and out of quotes */
	words("echo '$1' \"$x\" $ a$", (const char *const[]){ "echo", "$1", "$x", "$", "a$", NULL });
	/* the value is one word and its quotes and backslashes are not read */
	words("echo '${SPACED}'x", (const char *const[]){ "echo", "a b  cx", NULL });
	words("echo ${QUOTE}", (const char *const[]){ "echo", "'\"\\", NULL });
	words("echo ${NOPE:-'a b'}", (const char *const[]){ "echo", "'a b'", NULL });
	/* a backslash before any other '$' escapes it, as in sh */
	words("echo \\$x", (const char *const[]){ "echo", "$x", NULL });
}
END_TEST

static void words_bad(const char *in, const char *needle)
{
	char err[PARSE_ERR_MAX];
	struct strv sv = { 0 };

	ck_assert_msg(split_words(in, fake_env, NULL, &sv, err) == -1, "'%s' should fail", in);
	ck_assert_msg(strstr(err, needle), "'%s': '%s' lacks '%s'", in, err, needle);
	ck_assert_ptr_null(sv.v);
}

START_TEST(test_words_errors)
{
	words_bad("echo 'open", "unterminated single quote");
	words_bad("echo \"open", "unterminated double quote");
	words_bad("echo a\\", "trailing backslash");
	words_bad("echo ${UNSET}", "variable UNSET is not set");
	words_bad("echo ${HOST", "unterminated");
	words_bad("echo '${UNSET}'", "variable UNSET is not set");
	words_bad("echo \\${HOST}", "a backslash does not stop initc's expansion");
	words_bad("echo \"\\$$\"", "write $$ for a literal $");
}
END_TEST

static char *expand(const char *in)
{
	char err[PARSE_ERR_MAX], *out = NULL;

	ck_assert_msg(expand_vars(in, fake_env, NULL, &out, err) == 0, "'%s': %s", in, err);
	return out;
}

static void expand_bad(const char *in, const char *needle)
{
	char err[PARSE_ERR_MAX], *out = NULL;

	ck_assert_msg(expand_vars(in, fake_env, NULL, &out, err) == -1, "'%s' should fail", in);
	ck_assert_msg(strstr(err, needle), "'%s': '%s' lacks '%s'", in, err, needle);
	ck_assert_ptr_null(out);
}

START_TEST(test_expand)
{
	char *s;

	s = expand("${HOST}:5432");
	ck_assert_str_eq(s, "db.local:5432");
	free(s);
	s = expand("${DB_HOST:-db}:5432");
	ck_assert_str_eq(s, "db:5432");
	free(s);
	s = expand("${EMPTY:-dflt}");
	ck_assert_str_eq(s, "dflt");
	free(s);
	s = expand("${EMPTY}|$x|$$|${NOPE:-}");
	ck_assert_str_eq(s, "|$x|$|");
	free(s);
	s = expand("no vars at all");
	ck_assert_str_eq(s, "no vars at all");
	free(s);
}
END_TEST

START_TEST(test_expand_errors)
{
	expand_bad("${UNSET}", "variable UNSET is not set; set it in initc's environment or give a default: ${UNSET:-value}");
	expand_bad("${", "bad variable reference");
	expand_bad("${1X}", "bad variable reference");
	expand_bad("${HOST", "unterminated '${HOST'");
	expand_bad("${HOST:-x", "unterminated '${HOST:-'");
	expand_bad("${A:-${B}}", "nested '${' in the default of ${A}");
	expand_bad("${HOST#x}", "unsupported form");
}
END_TEST

START_TEST(test_backoff)
{
	/* min(retry_delay * backoff^(n-1), max_delay) */
	ck_assert_int_eq(backoff_delay_ms(1000, 2000, 10000, 1), 1000);
	ck_assert_int_eq(backoff_delay_ms(1000, 2000, 10000, 2), 2000);
	ck_assert_int_eq(backoff_delay_ms(1000, 2000, 10000, 4), 8000);
	ck_assert_int_eq(backoff_delay_ms(1000, 2000, 10000, 5), 10000);
	ck_assert_int_eq(backoff_delay_ms(1000, 2000, 10000, 1000000), 10000);
	ck_assert_int_eq(backoff_delay_ms(1000, 1000, 10000, 50), 1000);
	ck_assert_int_eq(backoff_delay_ms(100, 1500, 60000, 3), 225);
	ck_assert_int_eq(backoff_delay_ms(5000, 2000, 1000, 1), 1000);
}
END_TEST

/* Retry n must not cost O(n): with factor 1, a delay of 0, or a delay too
 * small for the factor to add a millisecond, the largest n is as cheap as
 * the first (the suite's timeout catches a loop of 4 billion rounds). */
START_TEST(test_backoff_huge_n_is_fast_and_exact)
{
	const int64_t max = 1000000000000LL; /* the largest duration */
	int64_t start = now_ms();

	for (int i = 0; i < 1000; i++) {
		ck_assert_int_eq(backoff_delay_ms(1000, 1000, 10000, UINT_MAX - (unsigned)i), 1000);
		ck_assert_int_eq(backoff_delay_ms(0, 2000, 10000, UINT_MAX), 0);
		ck_assert_int_eq(backoff_delay_ms(0, 1000, max, UINT_MAX), 0);
		/* 999 * 1.001 rounds down to 999: it never grows. */
		ck_assert_int_eq(backoff_delay_ms(999, 1001, max, UINT_MAX), 999);
	}
	/* The slowest growth that still grows reaches the cap exactly. */
	ck_assert_int_eq(backoff_delay_ms(1000, 1001, max, UINT_MAX), max);
	ck_assert_int_eq(backoff_delay_ms(1, 100000, max, UINT_MAX), max);
	/* 1000, 1001, 1002: growth by whole milliseconds is kept exactly. */
	ck_assert_int_eq(backoff_delay_ms(1000, 1001, max, 3), 1002);
	ck_assert_msg(now_ms() - start < 2000, "took %lldms", (long long)(now_ms() - start));
}
END_TEST

START_TEST(test_format_duration)
{
	char buf[32];

	format_duration(90000, buf, sizeof(buf));
	ck_assert_str_eq(buf, "90s");
	format_duration(120000, buf, sizeof(buf));
	ck_assert_str_eq(buf, "2m");
	format_duration(1500, buf, sizeof(buf));
	ck_assert_str_eq(buf, "1500ms");
	format_duration(7200000, buf, sizeof(buf));
	ck_assert_str_eq(buf, "2h");
}
END_TEST

START_TEST(test_edit_distance)
{
	ck_assert_uint_eq(edit_distance("retires", "retries"), 2);
	ck_assert_uint_eq(edit_distance("timeout", "timeout"), 0);
	ck_assert_uint_eq(edit_distance("", "abc"), 3);
	ck_assert_uint_eq(edit_distance("comand", "command"), 1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("parse");
	TCase *tc = tcase_create("parse");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_duration_units);
	tcase_add_test(tc, test_duration_errors);
	tcase_add_test(tc, test_bool);
	tcase_add_test(tc, test_uint);
	tcase_add_test(tc, test_factor);
	tcase_add_test(tc, test_signal_names);
	tcase_add_test(tc, test_words_plain_and_quoted);
	tcase_add_test(tc, test_words_leading_escape);
	tcase_add_test(tc, test_words_expansion);
	tcase_add_test(tc, test_words_dollar_rule);
	tcase_add_test(tc, test_words_errors);
	tcase_add_test(tc, test_expand);
	tcase_add_test(tc, test_expand_errors);
	tcase_add_test(tc, test_backoff);
	tcase_add_test(tc, test_backoff_huge_n_is_fast_and_exact);
	tcase_add_test(tc, test_format_duration);
	tcase_add_test(tc, test_edit_distance);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
