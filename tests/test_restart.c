/* on_failure = restart: the whole sequence re-runs from step 1, bounded
 * by restart_limit and by the deadline. Counter files record every pass. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

/* Lines in dir/name: how many times a step appended to it. */
static int lines_in(const char *dir, const char *name)
{
	char path[4300], *text;
	int n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	text = read_file(path);
	n = text ? count_substr(text, "\n") : 0;
	free(text);
	return n;
}

static void run_cfg(const char *cfg, const char *format, struct run_result *res)
{
	const char *args[] = { "--log-format", format, "-c", cfg, NULL };

	run_initc(args, NULL, 60, res);
}

static void cleanup(char *dir, char *cfg, struct run_result *res)
{
	run_result_free(res);
	free(cfg);
	rm_rf(dir);
	free(dir);
}

/* Step b fails in passes 1 and 2; pass 3 gets through. Step a, which
 * succeeded each time, ran again in every pass. */
START_TEST(test_restart_reruns_whole_sequence)
{
	char *dir = make_tempdir(), *cfg, path[4300], *status;
	struct run_result res;

	cfg = write_config(dir,
			   "[initc]\non_failure = restart\nrestart_limit = 5\nrestart_delay = 10ms\n"
			   "status_file = %s/status\n"
			   "[step:a]\nshell = echo pass >> %s/a\n"
			   "[step:b]\nshell = echo pass >> %s/b; test $(wc -l < %s/b) -ge 3\n"
			   "[step:c]\nshell = echo pass >> %s/c\n",
			   dir, dir, dir, dir, dir);
	run_cfg(cfg, "text", &res);
	ck_assert_msg(res.status == 0, "status %d\n%s", res.status, res.err);
	ck_assert_int_eq(lines_in(dir, "a"), 3);
	ck_assert_int_eq(lines_in(dir, "b"), 3);
	ck_assert_int_eq(lines_in(dir, "c"), 1);
	ASSERT_HAS(res.err, "restarting the sequence from the first step (round 2 of 6)");
	ASSERT_HAS(res.err, "(round 3 of 6)");
	ck_assert(!strstr(res.err, "round 4"));
	snprintf(path, sizeof(path), "%s/status", dir);
	status = read_file(path);
	ck_assert_str_eq(status, "Completed\n");
	free(status);
	cleanup(dir, cfg, &res);
}
END_TEST

/* restart_limit = 2 means at most 3 passes; then the step's status. */
START_TEST(test_restart_limit_bounds_passes)
{
	char *dir = make_tempdir(), *cfg;
	struct run_result res;

	cfg = write_config(dir,
			   "[initc]\non_failure = restart\nrestart_limit = 2\nrestart_delay = 10ms\n"
			   "[step:a]\nshell = echo pass >> %s/a\n"
			   "[step:bad]\nshell = echo pass >> %s/bad; exit 7\n"
			   "retries = 1\nretry_delay = 10ms\n",
			   dir, dir);
	run_cfg(cfg, "text", &res);
	ck_assert_msg(res.status == 7, "status %d\n%s", res.status, res.err);
	ck_assert_int_eq(lines_in(dir, "a"), 3);
	/* Each pass gives the step its own retries. */
	ck_assert_int_eq(lines_in(dir, "bad"), 6);
	ck_assert_int_eq(count_substr(res.err, "restarting the sequence"), 2);
	ASSERT_HAS(res.err, "(round 3 of 3)");
	ASSERT_HAS(res.err, "init: failed with status 7");
	cleanup(dir, cfg, &res);
}
END_TEST

/* With on_failure = exit (the default) a failure is final. */
START_TEST(test_exit_policy_runs_once)
{
	char *dir = make_tempdir(), *cfg;
	struct run_result res;

	cfg = write_config(dir, "[initc]\nrestart_limit = 5\n"
				"[step:bad]\nshell = echo pass >> %s/bad; exit 2\n",
			   dir);
	run_cfg(cfg, "text", &res);
	ck_assert_int_eq(res.status, 2);
	ck_assert_int_eq(lines_in(dir, "bad"), 1);
	ck_assert(!strstr(res.err, "restarting"));
	cleanup(dir, cfg, &res);
}
END_TEST

/* The deadline ends init even with restarts left: 124 and
 * Init:DeadlineExceeded. */
START_TEST(test_deadline_wins_over_restarts)
{
	char *dir = make_tempdir(), *cfg, path[4300], *status;
	struct run_result res;
	int passes;

	cfg = write_config(dir,
			   "[initc]\ndeadline = 1s\ngrace = 1s\non_failure = restart\nrestart_limit = 1000\n"
			   "restart_delay = 10ms\n"
			   "status_file = %s/status\n"
			   "[step:bad]\nshell = echo pass >> %s/bad; sleep 0.1; exit 1\n",
			   dir, dir);
	run_cfg(cfg, "text", &res);
	ck_assert_msg(res.status == 124, "status %d\n%s", res.status, res.err);
	passes = lines_in(dir, "bad");
	ck_assert_msg(passes >= 2 && passes < 1000, "%d passes", passes);
	ASSERT_HAS(res.err, "deadline exceeded");
	snprintf(path, sizeof(path), "%s/status", dir);
	status = read_file(path);
	ck_assert_str_eq(status, "Init:DeadlineExceeded\n");
	free(status);
	cleanup(dir, cfg, &res);
}
END_TEST

/* In JSON the restart event carries the round in "attempt". */
START_TEST(test_restart_round_in_json)
{
	char *dir = make_tempdir(), *cfg;
	struct run_result res;

	cfg = write_config(dir, "[initc]\non_failure = restart\nrestart_limit = 1\n"
				"[step:bad]\nshell = exit 3\n");
	run_cfg(cfg, "json", &res);
	ck_assert_int_eq(res.status, 3);
	ASSERT_HAS(res.err, "\"event\":\"restart\",\"attempt\":2,\"status\":3,");
	ASSERT_HAS(res.err, "round 2 of 2");
	cleanup(dir, cfg, &res);
}
END_TEST

static Suite *restart_suite(void)
{
	Suite *s = suite_create("restart");
	TCase *tc = tcase_create("restart");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_restart_reruns_whole_sequence);
	tcase_add_test(tc, test_restart_limit_bounds_passes);
	tcase_add_test(tc, test_exit_policy_runs_once);
	tcase_add_test(tc, test_deadline_wins_over_restarts);
	tcase_add_test(tc, test_restart_round_in_json);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(restart_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
