/* What a first-time user trips over (issue 17), through the real binary:
 * the log line of a step says what runs, the deadline names the step it
 * cut, restarts back off, --check at image build time, the quoting rule.
 * Each test gets a temp dir T (exported as $T to initc). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static char *T, *t_env;

static void setup(void)
{
	T = make_tempdir();
	if (asprintf(&t_env, "T=%s", T) < 0)
		abort();
}

static void teardown(void)
{
	rm_rf(T);
	free(T);
	free(t_env);
}

/* Writes the config, runs initc [args...] -c config with $T and the extra
 * environment entries, waits up to timeout_s. */
static void run_cfg(const char *config, const char *const *args, const char *const *env,
		    int timeout_s, struct run_result *r)
{
	const char *argv[16], *envp[8] = { t_env };
	char *conf = write_file(T, "initc.ini", config);
	size_t n = 0, m = 1;

	while (args && args[n] && n < 12) {
		argv[n] = args[n];
		n++;
	}
	argv[n++] = "-c";
	argv[n++] = conf;
	argv[n] = NULL;
	while (env && env[m - 1] && m < 7) {
		envp[m] = env[m - 1];
		m++;
	}
	envp[m] = NULL;
	run_initc(argv, envp, timeout_s, r);
	free(conf);
}

static void run(const char *config, struct run_result *r)
{
	run_cfg(config, NULL, NULL, 30, r);
}

#define ASSERT_ERR_HAS(r, s) ck_assert_msg(strstr((r).err, (s)), "stderr lacks '%s':\n%s", (s), (r).err)
#define ASSERT_STATUS(r, n) ck_assert_msg((r).status == (n), "status %d, not %d:\n%s", (r).status, (n), (r).err)

/* --- item 10: the start line shows what will run --- */

/* A multi-line script is logged with its line breaks as \n, not joined
 * into something sh would read differently ("&&; echo c"). */
START_TEST(test_start_line_shows_script_lines)
{
	struct run_result r;

	run("[step:s]\nshell = echo a \\; b &&\n  echo c\n", &r);
	ASSERT_STATUS(r, 0);
	ASSERT_ERR_HAS(r, "step s: starting: echo a \\; b &&\\necho c\n");
	ck_assert_msg(strstr(r.out, "a ; b\nc\n"), "%s", r.out);
	run_result_free(&r);
}
END_TEST

/* A command is logged as the words it runs, ${VAR} expanded, quoted where
 * sh would need it, so the line can be pasted into a shell. */
START_TEST(test_start_line_shows_command_words)
{
	const char *env[] = { "WHO=a b", NULL };
	struct run_result r;

	run_cfg("[step:c]\ncommand = printf '%s|' \"${WHO}\" \"it's ok\" plain\n", NULL, env, 30, &r);
	ASSERT_STATUS(r, 0);
	ASSERT_ERR_HAS(r, "step c: starting: printf '%s|' 'a b' 'it'\\''s ok' plain\n");
	ck_assert_str_eq(r.out, "a b|it's ok|plain|");
	run_result_free(&r);
}
END_TEST

/* --- item 4: the deadline names the step and the attempt --- */

START_TEST(test_deadline_names_step_and_attempt)
{
	const char *json[] = { "--log-format", "json", NULL };
	struct run_result r;

	run("[initc]\ndeadline = 1500ms\ngrace = 1s\n"
	    "[step:quick]\ncommand = true\n"
	    "[step:slow]\ncommand = sleep 30\ntimeout = 600ms\nretries = 5\nretry_delay = 10ms\n",
	    &r);
	ASSERT_STATUS(r, 124);
	ASSERT_ERR_HAS(r, "init: deadline exceeded during step slow (attempt ");
	ASSERT_ERR_HAS(r, " of 6)");
	ck_assert_msg(!strstr(r.err, "attempt 1 of 6)"), "%s", r.err);
	run_result_free(&r);

	run_cfg("[initc]\ndeadline = 1s\n[step:waits]\ncommand = false\nretries = 3\nretry_delay = 30s\n",
		json, NULL, 30, &r);
	ASSERT_STATUS(r, 124);
	ASSERT_ERR_HAS(r, "\"event\":\"init_done\",\"step\":\"waits\",\"attempt\":1,\"status\":124");
	ASSERT_ERR_HAS(r, "deadline exceeded while step waits waited to retry (after attempt 1 of 4)");
	run_result_free(&r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("firstuse");
	TCase *tc = tcase_create("firstuse");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_start_line_shows_script_lines);
	tcase_add_test(tc, test_start_line_shows_command_words);
	tcase_add_test(tc, test_deadline_names_step_and_attempt);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
