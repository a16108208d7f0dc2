/* What a first-time user trips over (issue 17), through the real binary:
 * the log line of a step says what runs, the deadline names the step it
 * cut, restarts back off, --check at image build time, the quoting rule.
 * Each test gets a temp dir T (exported as $T to initc). */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harness.h"

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

/* --- item 2: restarts back off, and may be unlimited --- */

/* Milliseconds since the epoch at which each pass wrote its line. */
static int pass_times(const char *name, long long *ms, int max)
{
	char *p = path_join(T, name), *text = read_file(p), *line;
	int n = 0;

	free(p);
	for (line = text; line && *line && n < max; line = strchr(line, '\n') + 1) {
		ms[n++] = atoll(line) / 1000000;
		if (!strchr(line, '\n'))
			break;
	}
	free(text);
	return n;
}

/* Passes are restart_delay apart, doubling: 300ms, then 600ms (the lower
 * bounds are exact; an upper bound only says it was not the default 1s). */
START_TEST(test_restart_backs_off_between_passes)
{
	struct run_result r;
	long long t[8];

	run("[initc]\non_failure = restart\nrestart_limit = 2\nrestart_delay = 300ms\n"
	    "[step:fails]\nshell = date +%s%N >> $T/passes; exit 3\n",
	    &r);
	ASSERT_STATUS(r, 3);
	ck_assert_int_eq(pass_times("passes", t, 8), 3);
	ck_assert_msg(t[1] - t[0] >= 300 && t[1] - t[0] < 5000, "gap %lld ms", t[1] - t[0]);
	ck_assert_msg(t[2] - t[1] >= 600 && t[2] - t[1] < 5000, "gap %lld ms", t[2] - t[1]);
	ASSERT_ERR_HAS(r, "init: restarting the sequence from the first step (round 2 of 3) in 300ms");
	ASSERT_ERR_HAS(r, "(round 3 of 3) in 600ms");
	run_result_free(&r);
}
END_TEST

/* restart_max_delay caps the doubling; unlimited keeps restarting until
 * the deadline (the default limit of 3 would stop after 4 passes). */
START_TEST(test_restart_unlimited_until_deadline)
{
	const char *json[] = { "--log-format", "json", NULL };
	struct run_result r;
	long long t[64];
	int n;

	run_cfg("[initc]\ndeadline = 2500ms\non_failure = restart\nrestart_limit = unlimited\n"
		"restart_delay = 20ms\nrestart_max_delay = 80ms\n"
		"[step:fails]\nshell = date +%s%N >> $T/passes; exit 1\n",
		json, NULL, 30, &r);
	ASSERT_STATUS(r, 124);
	n = pass_times("passes", t, 64);
	ck_assert_msg(n >= 6, "%d passes\n%s", n, r.err);
	ASSERT_ERR_HAS(r, "(round 5, no limit) in 80ms");
	ASSERT_ERR_HAS(r, "\"event\":\"restart\",\"attempt\":2,\"status\":1,\"ms\":20,");
	run_result_free(&r);
}
END_TEST

/* A stop signal and the deadline both cut the wait between passes. */
START_TEST(test_stop_and_deadline_cut_restart_delay)
{
	const char *args[] = { "-c", NULL, NULL }, *envp[] = { t_env, NULL };
	char *conf, *errpath = path_join(T, ".stderr");
	struct run_result r;
	pid_t pid;

	conf = write_file(T, "initc.ini",
			  "[initc]\non_failure = restart\nrestart_delay = 60s\n[step:fails]\ncommand = false\n");
	args[1] = conf;
	pid = start_initc(args, envp, T);
	ck_assert(wait_for_text(errpath, "in 1m", 10000));
	kill(pid, SIGTERM);
	wait_initc(pid, T, 20, &r);
	ASSERT_STATUS(r, 143);
	ck_assert_msg(r.secs < 10, "took %.1f s", r.secs);
	run_result_free(&r);
	free(conf);
	free(errpath);

	run("[initc]\ndeadline = 1s\non_failure = restart\nrestart_delay = 60s\n"
	    "[step:fails]\ncommand = false\n",
	    &r);
	ASSERT_STATUS(r, 124);
	ck_assert_msg(r.secs < 10, "took %.1f s", r.secs);
	ASSERT_ERR_HAS(r, "init: deadline exceeded while waiting to restart the sequence");
	run_result_free(&r);
}
END_TEST

/* --- item 1: --check at image build time --- */

static const char *const check_args[] = { "--check", NULL };

/* A variable the container gets only at run time: --check warns, shows it
 * as ${NAME} in the plan and exits 0; a real run refuses the config. */
START_TEST(test_check_defers_unset_variable)
{
	static const char cfg[] = "[step:marker]\ncommand = touch ${T}/marker\n"
				  "[step:wait-for-db]\nwait_tcp = ${DB_HOST}:5432\n"
				  "[step:whole]\nwait_tcp = ${TARGET}\n"
				  "[step:named]\ncommand = echo ${DB_NAME:-app}\n";
	struct run_result r;
	char *marker;

	run_cfg(cfg, check_args, NULL, 30, &r);
	ASSERT_STATUS(r, 0);
	ASSERT_ERR_HAS(r, "initc.ini:4: variable DB_HOST is not set here: it must be set when initc runs");
	ASSERT_ERR_HAS(r, "initc.ini:6: variable TARGET is not set here");
	ck_assert_msg(!strstr(r.err, "DB_NAME"), "%s", r.err); /* it has a default */
	ck_assert_msg(strstr(r.out, "wait_tcp ${DB_HOST}:5432\n"), "%s", r.out);
	run_result_free(&r);

	run(cfg, &r);
	ASSERT_STATUS(r, 78);
	ASSERT_ERR_HAS(r, "initc.ini:4: variable DB_HOST is not set; set it in initc's environment");
	marker = path_join(T, "marker");
	ck_assert(!file_exists(marker));
	free(marker);
	run_result_free(&r);
}
END_TEST

/* The deferral is for variables only: --check still fails on an error,
 * and checks a target that has no variable in it. */
START_TEST(test_check_still_refuses_errors)
{
	struct run_result r;

	run_cfg("[step:db]\nwait_tcp = ${DB_HOST}:5432\nretires = 3\n", check_args, NULL, 30, &r);
	ASSERT_STATUS(r, 78);
	ASSERT_ERR_HAS(r, "initc.ini:3: unknown key 'retires' in [step:db]");
	run_result_free(&r);
	run_cfg("[step:db]\nwait_tcp = db:${PORT}x\n", check_args, NULL, 30, &r);
	ASSERT_STATUS(r, 0);
	run_result_free(&r);
	run_cfg("[step:db]\nwait_tcp = db\n", check_args, NULL, 30, &r);
	ASSERT_STATUS(r, 78);
	ASSERT_ERR_HAS(r, "bad address 'db'");
	run_result_free(&r);
}
END_TEST

/* --check warns about a program not in PATH (the PATH the step will have:
 * its own environment's) and a user that does not exist; still exit 0. */
START_TEST(test_check_warns_about_the_image)
{
	char *bin = path_join(T, "bin"), *cfg, *tool;
	struct run_result r;

	ck_assert_int_eq(mkdir(bin, 0755), 0);
	tool = write_file(bin, "tool", "#!/bin/sh\nexit 0\n");
	ck_assert_int_eq(chmod(tool, 0755), 0);
	free(tool);
	if (asprintf(&cfg,
		     "[step:own-path]\nenvironment = PATH=%s:/usr/bin:/bin\ncommand = tool\n"
		     "[step:initc-path]\ncommand = tool\n"
		     "[step:missing]\ncommand = no-such-program-17 --x\nuser = no-such-user-17\n"
		     "[step:absolute]\ncommand = %s/tool\n"
		     "[main]\ncommand = /no/such/app\n",
		     bin, bin) < 0)
		abort();
	run_cfg(cfg, check_args, NULL, 30, &r);
	ASSERT_STATUS(r, 0);
	ck_assert_int_eq(count_substr(r.err, "'tool' is not found in PATH"), 1);
	ASSERT_ERR_HAS(r, "initc.ini:5: step 'initc-path': 'tool' is not found in PATH (");
	ASSERT_ERR_HAS(r, "initc.ini:7: step 'missing': 'no-such-program-17' is not found in PATH");
	ASSERT_ERR_HAS(r, "initc.ini:6: step 'missing': unknown user 'no-such-user-17' (not in "
			  "/etc/passwd) in this image; it fails when it runs unless an earlier step creates it");
	ASSERT_ERR_HAS(r, "initc.ini:12: [main] command: '/no/such/app' is not an executable file");
	ck_assert_msg(!strstr(r.err, "absolute"), "%s", r.err);
	run_result_free(&r);
	free(cfg);
	free(bin);
}
END_TEST

/* --- item 7: ${VAR} in a command sees the step's own environment --- */

START_TEST(test_command_sees_step_environment)
{
	const char *env[] = { "WHO=initc", "ONLY_INITC=yes", NULL };
	struct run_result r;

	run_cfg("[step:greet]\ncommand = sh -c 'echo \"$$1 $$2 $$3\"' sh ${GREETING} ${WHO} ${ONLY_INITC}\n"
		"environment = GREETING=hello world\nenvironment = WHO=step\n"
		"[main]\ncommand = echo ${APP_WORD}\nenvironment = APP_WORD=app\n",
		NULL, env, 30, &r);
	ASSERT_STATUS(r, 0);
	ck_assert_str_eq(r.out, "hello world step yes\napp\n");
	run_result_free(&r);
}
END_TEST

/* --- item 8: '$$' means '$' inside single quotes too --- */

/* The fork loop of issue 17: sh -c 'wait $$!' must reach sh as "wait $!". */
START_TEST(test_dollar_dollar_in_single_quotes)
{
	struct run_result r;

	run("[step:bg]\ncommand = sh -c 'sleep 0.1 & wait $$!; echo \"waited $$?\" > $T/out'\n", &r);
	ASSERT_STATUS(r, 0);
	ASSERT_ERR_HAS(r, "step bg: starting: sh -c 'sleep 0.1 & wait $!; echo \"waited $?\" > $T/out'");
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
	tcase_add_checked_fixture(tc, scratch_setup, scratch_teardown);
	tcase_add_test(tc, test_start_line_shows_script_lines);
	tcase_add_test(tc, test_start_line_shows_command_words);
	tcase_add_test(tc, test_deadline_names_step_and_attempt);
	tcase_add_test(tc, test_restart_backs_off_between_passes);
	tcase_add_test(tc, test_restart_unlimited_until_deadline);
	tcase_add_test(tc, test_stop_and_deadline_cut_restart_delay);
	tcase_add_test(tc, test_check_defers_unset_variable);
	tcase_add_test(tc, test_check_still_refuses_errors);
	tcase_add_test(tc, test_check_warns_about_the_image);
	tcase_add_test(tc, test_command_sees_step_environment);
	tcase_add_test(tc, test_dollar_dollar_in_single_quotes);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
