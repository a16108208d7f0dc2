/* The status file (README "Status file") as steps, the app and probes read it, and
 * `initc --status`. */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

/* dir/name's content, "" when missing; freed by the caller. */
static char *file_in(const char *dir, const char *name)
{
	char path[4200], *text;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	text = read_file(path);
	return text ? text : strdup("");
}

static void assert_file(const char *dir, const char *name, const char *want)
{
	char *got = file_in(dir, name);

	ck_assert_msg(strcmp(got, want) == 0, "%s/%s is '%s', want '%s'", dir, name, got, want);
	free(got);
}

static void run_cfg(const char *cfg, const char *app, struct run_result *res)
{
	const char *args[] = { "-c", cfg, app ? "--" : NULL, "/bin/sh", "-c", app, NULL };

	run_initc(args, NULL, 30, res);
}

static void cleanup(char *dir, char *cfg, struct run_result *res)
{
	run_result_free(res);
	free(cfg);
	rm_rf(dir);
	free(dir);
}

/* Every step and the app read the file; its directory did not exist. */
START_TEST(test_status_seen_by_steps_and_app)
{
	char *dir = make_tempdir(), *cfg, app[4400];
	struct run_result res;

	cfg = write_config(dir,
			   "[initc]\nstatus_file = %s/run/initc/status\n"
			   "[step:one]\nshell = cat %s/run/initc/status > %s/seen1\n"
			   "[step:two]\nshell = cat %s/run/initc/status > %s/seen2\n"
			   "[step:three]\nshell = cat %s/run/initc/status > %s/seen3\n",
			   dir, dir, dir, dir, dir, dir, dir);
	snprintf(app, sizeof(app), "cat %s/run/initc/status > %s/seen-app", dir, dir);
	run_cfg(cfg, app, &res);
	ck_assert_msg(res.status == 0, "status %d\n%s", res.status, res.err);
	assert_file(dir, "seen1", "Init:0/3\n");
	assert_file(dir, "seen2", "Init:1/3\n");
	assert_file(dir, "seen3", "Init:2/3\n");
	assert_file(dir, "seen-app", "Running\n");
	assert_file(dir, "run/initc/status", "Running\n");
	ASSERT_HAS(res.err, "main: exec"); /* status lines are -v lines */
	cleanup(dir, cfg, &res);
}
END_TEST

START_TEST(test_status_supervised_app_reads_running)
{
	char *dir = make_tempdir(), *cfg, app[4400];
	struct run_result res;
	const char *args[] = { "-s", "-c", NULL, "--", "/bin/sh", "-c", app, NULL };

	cfg = write_config(dir, "[initc]\nstatus_file = %s/status\n[step:one]\ncommand = true\n",
			   dir);
	args[2] = cfg;
	snprintf(app, sizeof(app), "cat %s/status > %s/seen-app", dir, dir);
	run_initc(args, NULL, 30, &res);
	ck_assert_msg(res.status == 0, "status %d\n%s", res.status, res.err);
	assert_file(dir, "seen-app", "Running\n");
	cleanup(dir, cfg, &res);
}
END_TEST

START_TEST(test_status_after_step_failure)
{
	char *dir = make_tempdir(), *cfg;
	struct run_result res;

	cfg = write_config(dir,
			   "[initc]\nstatus_file = %s/status\n"
			   "[step:ok]\ncommand = true\n[step:bad]\nshell = exit 3\n"
			   "[step:never]\nshell = touch %s/never\n",
			   dir, dir);
	run_cfg(cfg, "touch app-ran", &res);
	ck_assert_msg(res.status == 3, "status %d\n%s", res.status, res.err);
	assert_file(dir, "status", "Init:Error\n");
	assert_file(dir, "never", "");
	cleanup(dir, cfg, &res);
}
END_TEST

START_TEST(test_status_after_deadline)
{
	char *dir = make_tempdir(), *cfg;
	struct run_result res;

	cfg = write_config(dir,
			   "[initc]\ndeadline = 500ms\ngrace = 1s\nstatus_file = %s/status\n"
			   "[step:slow]\ncommand = sleep 20\n",
			   dir);
	run_cfg(cfg, NULL, &res);
	ck_assert_msg(res.status == 124, "status %d\n%s", res.status, res.err);
	assert_file(dir, "status", "Init:DeadlineExceeded\n");
	cleanup(dir, cfg, &res);
}
END_TEST

START_TEST(test_status_completed_without_app)
{
	char *dir = make_tempdir(), *cfg;
	struct run_result res;

	cfg = write_config(dir, "[initc]\nstatus_file = %s/status\n[step:one]\ncommand = true\n",
			   dir);
	run_cfg(cfg, NULL, &res);
	ck_assert_msg(res.status == 0, "status %d\n%s", res.status, res.err);
	assert_file(dir, "status", "Completed\n");
	cleanup(dir, cfg, &res);
}
END_TEST

/* Each phase is a new file renamed over the old one (never rewritten in
 * place), and no temporary file is left behind. */
START_TEST(test_status_written_by_rename)
{
	char *dir = make_tempdir(), *cfg, *a, *b;
	struct run_result res;

	cfg = write_config(dir,
			   "[initc]\nstatus_file = %s/st/status\n"
			   "[step:one]\nshell = stat -c %%i %s/st/status > %s/ino1\n"
			   "[step:two]\nshell = stat -c %%i %s/st/status > %s/ino2\n",
			   dir, dir, dir, dir, dir);
	run_cfg(cfg, NULL, &res);
	ck_assert_msg(res.status == 0, "status %d\n%s", res.status, res.err);
	a = file_in(dir, "ino1");
	b = file_in(dir, "ino2");
	ck_assert_msg(*a && *b && strcmp(a, b) != 0, "same inode for two phases: %s / %s", a, b);
	{
		char cmd[4300];
		FILE *p;
		char line[256];

		snprintf(cmd, sizeof(cmd), "ls -A %s/st", dir);
		p = popen(cmd, "r");
		ck_assert_ptr_nonnull(p);
		while (fgets(line, sizeof(line), p))
			ck_assert_msg(strcmp(line, "status\n") == 0, "left in st/: %s", line);
		pclose(p);
	}
	free(a);
	free(b);
	cleanup(dir, cfg, &res);
}
END_TEST

/* A reader polling the file while 40 phases go by never sees an empty or
 * partial word. */
START_TEST(test_status_reader_never_sees_partial_word)
{
	char *dir = make_tempdir(), *cfg, *steps = NULL, *seen, *script, st[4300], stop[4300],
	     out[4300];
	struct run_result res;
	size_t len = 0;
	FILE *mem = open_memstream(&steps, &len);
	pid_t reader;

	for (int i = 0; i < 40; i++)
		fprintf(mem, "[step:s%d]\ncommand = true\n", i);
	fclose(mem);
	cfg = write_config(dir, "[initc]\nstatus_file = %s/status\n%s", dir, steps);
	snprintf(st, sizeof(st), "%s/status", dir);
	snprintf(stop, sizeof(stop), "%s/stop", dir);
	snprintf(out, sizeof(out), "%s/seen", dir);
	script = strdup("tests/helpers/status_reader.py");
	{
		const char *argv[] = { "/usr/bin/env", "python3", script, st, stop, out, NULL };

		reader = start_helper(argv);
	}
	{
		char ready[4400];

		snprintf(ready, sizeof(ready), "%s.ready", out);
		ck_assert_msg(wait_for_file(ready, 20000), "the python reader did not start");
	}
	run_cfg(cfg, NULL, &res);
	free(write_file(dir, "stop", ""));
	ck_assert_msg(wait_for_file(out, 10000), "the python reader wrote nothing");
	stop_helper(reader);
	ck_assert_msg(res.status == 0, "status %d\n%s", res.status, res.err);
	seen = file_in(dir, "seen");
	ck_assert_msg(strstr(seen, "b'"), "reader saw no phase: %s", seen);
	for (char *line = seen; *line; line = strchr(line, '\n') + 1) {
		ck_assert_msg(strncmp(line, "b'", 2) == 0 && strncmp(strchr(line, '\n') - 3, "\\n'", 3) == 0 &&
				      strncmp(line, "b'\\n'", 5) != 0,
			      "reader saw a partial word: %.*s", (int)strcspn(line, "\n"), line);
	}
	free(seen);
	free(script);
	free(steps);
	cleanup(dir, cfg, &res);
}
END_TEST

/* Status writes that fail are reported once and never stop init. */
static void unwritable(const char *status_path)
{
	char *dir = make_tempdir(), *cfg;
	struct run_result res;

	cfg = write_config(dir,
			   "[initc]\nstatus_file = %s\n"
			   "[step:one]\ncommand = true\n[step:two]\ncommand = true\n",
			   status_path);
	run_cfg(cfg, "exit 0", &res);
	ck_assert_msg(res.status == 0, "status %d\n%s", res.status, res.err);
	ck_assert_msg(count_substr(res.err, "cannot write status file") == 1,
		      "want one warning:\n%s", res.err);
	ASSERT_HAS(res.err, "(continuing)");
	ASSERT_HAS(res.err, "main: exec");
	cleanup(dir, cfg, &res);
}

START_TEST(test_status_unwritable_file_in_the_way)
{
	/* A regular file where the directory should be: ENOTDIR. */
	char *dir = make_tempdir(), path[4300];

	free(write_file(dir, "file", "in the way\n"));
	snprintf(path, sizeof(path), "%s/file/status", dir);
	unwritable(path);
	rm_rf(dir);
	free(dir);
}
END_TEST

START_TEST(test_status_unwritable_read_only_path)
{
	/* /proc takes no new directories, even from root. */
	unwritable("/proc/initc-test-no-such-dir/status");
}
END_TEST

/* --- initc --status ----------------------------------------------------- */

static int status_cmd(const char *dir, const char *word, char **out, char **err)
{
	char *cfg = write_config(dir, "[initc]\nstatus_file = %s/status\n", dir);
	const char *args[] = { "--status", "-c", cfg, NULL };
	struct run_result res;
	char path[4300];

	snprintf(path, sizeof(path), "%s/status", dir);
	unlink(path);
	if (word)
		free(write_file(dir, "status", word));
	run_initc(args, NULL, 10, &res);
	*out = res.out;
	*err = res.err;
	free(cfg);
	return res.status;
}

START_TEST(test_status_option_exit_codes)
{
	static const char *const not_running[] = { "Init:0/3\n", "Init:2/3\n", "PodInitializing\n",
						   "Init:Error\n", "Init:DeadlineExceeded\n",
						   "Completed\n", "Terminating\n", "" };
	char *dir = make_tempdir(), *out, *err;

	ck_assert_int_eq(status_cmd(dir, "Running\n", &out, &err), 0);
	ck_assert_str_eq(out, "Running\n");
	free(out);
	free(err);
	for (size_t i = 0; i < sizeof(not_running) / sizeof(not_running[0]); i++) {
		ck_assert_msg(status_cmd(dir, not_running[i], &out, &err) == 1, "'%s' gave 0",
			      not_running[i]);
		free(out);
		free(err);
	}
	ck_assert_int_eq(status_cmd(dir, NULL, &out, &err), 1);
	ASSERT_HAS(err, "not started yet");
	free(out);
	free(err);
	rm_rf(dir);
	free(dir);
}
END_TEST

START_TEST(test_status_option_without_status_file)
{
	char *dir = make_tempdir(), *cfg = write_config(dir, "[step:a]\ncommand = true\n");
	const char *args[] = { "--status", "-c", cfg, NULL };
	const char *json_args[] = { "--log-format", "json", "--status", "-c", cfg, NULL };
	struct run_result res;

	run_initc(args, NULL, 10, &res);
	ck_assert_int_eq(res.status, 1);
	ASSERT_HAS(res.err, "--status needs status_file in [initc]");
	run_result_free(&res);
	run_initc(json_args, NULL, 10, &res);
	ck_assert_int_eq(res.status, 1);
	ck_assert_msg(strncmp(res.err, "{\"ts\":", 6) == 0, "not JSON: %s", res.err);
	cleanup(dir, cfg, &res);
}
END_TEST

/* A HEALTHCHECK polling a live initc: unhealthy while a step waits,
 * healthy once the supervised app runs. */
START_TEST(test_status_option_follows_live_initc)
{
	char *dir = make_tempdir(), *cfg, errpath[4300], gate[4300];
	const char *args[] = { "-s", "-c", NULL, "--", "sleep", "30", NULL };
	const char *probe[] = { "--status", "-c", NULL, NULL };
	struct run_result res, st;
	pid_t initc;
	int rc = 1;

	snprintf(gate, sizeof(gate), "%s/gate", dir);
	cfg = write_config(dir,
			   "[initc]\nstatus_file = %s/status\ngrace = 1s\n"
			   "[step:gate]\nwait_file = %s\nretries = 1000\nretry_delay = 50ms\nbackoff = 1\n",
			   dir, gate);
	args[2] = probe[2] = cfg;
	snprintf(errpath, sizeof(errpath), "%s/.stderr", dir);
	initc = start_initc(args, NULL, dir);
	ck_assert(wait_for_text(errpath, "step gate: starting", 10000));
	run_initc(probe, NULL, 10, &st);
	ck_assert_int_eq(st.status, 1);
	ck_assert_str_eq(st.out, "Init:0/1\n");
	run_result_free(&st);
	free(write_file(dir, "gate", ""));
	for (int i = 0; i < 200 && rc != 0; i++) {
		run_initc(probe, NULL, 10, &st);
		rc = st.status;
		run_result_free(&st);
		usleep(50000);
	}
	ck_assert_int_eq(rc, 0);
	kill(initc, SIGTERM);
	wait_initc(initc, dir, 20, &res);
	ck_assert_msg(res.status == 143, "status %d\n%s", res.status, res.err);
	cleanup(dir, cfg, &res);
}
END_TEST

static Suite *status_suite(void)
{
	Suite *s = suite_create("status");
	TCase *tc = tcase_create("status_file");
	TCase *opt = tcase_create("--status");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_status_seen_by_steps_and_app);
	tcase_add_test(tc, test_status_supervised_app_reads_running);
	tcase_add_test(tc, test_status_after_step_failure);
	tcase_add_test(tc, test_status_after_deadline);
	tcase_add_test(tc, test_status_completed_without_app);
	tcase_add_test(tc, test_status_written_by_rename);
	tcase_add_test(tc, test_status_reader_never_sees_partial_word);
	tcase_add_test(tc, test_status_unwritable_file_in_the_way);
	tcase_add_test(tc, test_status_unwritable_read_only_path);
	tcase_set_timeout(opt, 60);
	tcase_add_test(opt, test_status_option_exit_codes);
	tcase_add_test(opt, test_status_option_without_status_file);
	tcase_add_test(opt, test_status_option_follows_live_initc);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, opt);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(status_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
