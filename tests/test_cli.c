/* The command line (README "Command line") of the real binary: every spelling of each
 * option, where options end, and the usage errors (exit 64). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static char *dir;
static char *cfg;

static void setup(void)
{
	dir = make_tempdir();
	cfg = write_config(dir, "[step:mark]\nshell = echo marked >> %s/mark\n", dir);
}

static void teardown(void)
{
	rm_rf(dir);
	free(dir);
	free(cfg);
}

/* Runs initc with args, expecting status; returns the result to free. */
static void run_expect(const char *const *args, int status, struct run_result *res)
{
	run_initc(args, NULL, 30, res);
	ck_assert_msg(res->status == status, "status %d, want %d\nstdout: %s\nstderr: %s",
		      res->status, status, res->out, res->err);
}

/* The app prints its arguments, so a test sees what reached it. */
static const char print_args[] = "for a; do printf '[%s]' \"$a\"; done";

START_TEST(test_help_and_version)
{
	static const char usage[] = "usage: initc [OPTIONS] [--] [COMMAND [ARG...]]";
	static const struct {
		const char *args[2];
		const char *says;
	} forms[] = {
		{ { "--help", NULL }, usage },
		{ { "-h", NULL }, usage },
		{ { "--version", NULL }, "initc 0." },
		{ { "-V", NULL }, "initc 0." },
	};
	struct run_result res;

	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		run_expect(forms[i].args, 0, &res);
		ASSERT_HAS(res.out, forms[i].says);
		ck_assert_str_eq(res.err, "");
		run_result_free(&res);
	}
}
END_TEST

START_TEST(test_config_spellings)
{
	char joined[4200], eq[4200];
	struct run_result res;

	snprintf(joined, sizeof(joined), "-c%s", cfg);
	snprintf(eq, sizeof(eq), "--config=%s", cfg);
	{
		const char *const a1[] = { "-c", cfg, NULL };
		const char *const a2[] = { joined, NULL };
		const char *const a3[] = { "--config", cfg, NULL };
		const char *const a4[] = { eq, NULL };
		const char *const a5[] = { "-qsc", cfg, NULL }; /* bundled */
		const char *const *all[] = { a1, a2, a3, a4, a5 };

		for (size_t i = 0; i < 5; i++) {
			run_expect(all[i], 0, &res);
			run_result_free(&res);
		}
	}
	{
		char *marks = path_join(dir, "mark"), *text = read_file(marks);

		ck_assert_msg(text && count_substr(text, "marked") == 5, "mark file: %s", text);
		free(text);
		free(marks);
	}
}
END_TEST

/* Options end at "--" and at the command's first word: the app's own
 * options are never initc's. */
START_TEST(test_options_end_at_command)
{
	const char *const a1[] = { "-c", cfg, "--", "sh", "-c", print_args, "sh", "-v", "--",
				   "-q", NULL };
	const char *const a2[] = { "-c", cfg, "sh", "-c", print_args, "sh", "--help", NULL };
	struct run_result res;

	run_expect(a1, 0, &res);
	ck_assert_str_eq(res.out, "[-v][--][-q]");
	run_result_free(&res);
	run_expect(a2, 0, &res);
	ck_assert_str_eq(res.out, "[--help]");
	run_result_free(&res);
}
END_TEST

START_TEST(test_log_format_spellings)
{
	const char *const a1[] = { "--log-format", "json", "-c", cfg, NULL };
	const char *const a2[] = { "--log-format=json", "-c", cfg, NULL };
	const char *const *all[] = { a1, a2 };
	struct run_result res;

	for (size_t i = 0; i < 2; i++) {
		run_expect(all[i], 0, &res);
		ASSERT_HAS(res.err, "{\"ts\":\"");
		run_result_free(&res);
	}
}
END_TEST

/* Each bad command line: exit 64, a message naming the word, nothing run. */
START_TEST(test_usage_errors)
{
	static const struct {
		const char *args[4];
		const char *message;
	} cases[] = {
		{ { "-x", NULL }, "unknown option '-x'" },
		{ { "-sx", NULL }, "unknown option '-x'" },
		{ { "--bogus", NULL }, "unknown option '--bogus'" },
		{ { "--conf", "CFG", NULL }, "unknown option '--conf'" },
		{ { "--check=yes", NULL }, "takes no value: '--check=yes'" },
		{ { "-c", NULL }, "missing value for option '-c'" },
		{ { "--config", NULL }, "missing value for option '--config'" },
		{ { "--log-format", NULL }, "missing value for option '--log-format'" },
		{ { "--log-format=xml", NULL }, "takes text or json, not 'xml'" },
	};
	struct run_result res;
	char *mark;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *args[6] = { "-c", cfg };

		for (size_t k = 0; cases[i].args[k]; k++)
			args[2 + k] = strcmp(cases[i].args[k], "CFG") ? cases[i].args[k] : cfg;
		run_expect(args, 64, &res);
		ASSERT_HAS(res.err, cases[i].message);
		ASSERT_HAS(res.err, "see 'initc --help'");
		run_result_free(&res);
	}
	mark = path_join(dir, "mark");
	ck_assert_msg(!file_exists(mark), "a step ran after a usage error");
	free(mark);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cli");
	TCase *tc = tcase_create("cli");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_help_and_version);
	tcase_add_test(tc, test_config_spellings);
	tcase_add_test(tc, test_options_end_at_command);
	tcase_add_test(tc, test_log_format_spellings);
	tcase_add_test(tc, test_usage_errors);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
