/* Integration tests: the real build/initc on real configs. Each test gets
 * a temp dir T (exported as $T to initc, so configs say ${T} or $T). */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

static void run(const char *config, struct run_result *r)
{
	run_scratch_config(config, NULL, NULL, 20, r);
}

static char *slurp(const char *name)
{
	char *p = scratch_path(name), *text = read_file(p);

	free(p);
	return text ? text : strdup("<missing>");
}

static bool exists(const char *name)
{
	char *p = scratch_path(name);
	bool e = file_exists(p);

	free(p);
	return e;
}

static pid_t pid_from(const char *name)
{
	char *text = slurp(name);
	pid_t pid = (pid_t)atoi(text);

	free(text);
	return pid;
}

#define ASSERT_ERR_HAS(r, s) ck_assert_msg(strstr((r).err, (s)), "stderr lacks '%s':\n%s", (s), (r).err)

START_TEST(test_steps_run_in_order)
{
	struct run_result r;
	char *order;

	run("[step:one]\nshell = echo one >> $T/order\n"
	    "[step:two]\ncommand = sh -c \"echo two >> ${T}/order\"\n"
	    "[step:three]\nshell = echo three >> \"$T/order\"\n",
	    &r);
	ck_assert_int_eq(r.status, 0);
	order = slurp("order");
	ck_assert_str_eq(order, "one\ntwo\nthree\n");
	ASSERT_ERR_HAS(r, "step one: succeeded in");
	ASSERT_ERR_HAS(r, "init: 3 steps done");
	/* The status words are -v lines now (issue 11 item 15). */
	ck_assert_msg(!strstr(r.err, "initc: status "), "%s", r.err);
	free(order);
	run_result_free(&r);
}
END_TEST

START_TEST(test_failure_stops_sequence)
{
	struct run_result r;

	run("[step:ok]\ncommand = true\n"
	    "[step:bad]\nshell = exit 3\n"
	    "[step:never]\nshell = touch $T/never\n"
	    "[main]\ncommand = touch ${T}/app\n",
	    &r);
	ck_assert_int_eq(r.status, 3);
	ck_assert(!exists("never"));
	ck_assert(!exists("app"));
	ASSERT_ERR_HAS(r, "step bad: attempt 1 of 1 failed: exit status 3");
	ASSERT_ERR_HAS(r, "status Init:Error");
	run_result_free(&r);
}
END_TEST

START_TEST(test_killed_step_status)
{
	struct run_result r;

	run("[step:self-kill]\nshell = kill -KILL $$\n", &r);
	ck_assert_int_eq(r.status, 137);
	ASSERT_ERR_HAS(r, "failed: killed by signal 9 (SIGKILL)");
	run_result_free(&r);
}
END_TEST

START_TEST(test_exit_137_is_not_a_kill)
{
	struct run_result r;

	/* the same exit code as a SIGKILL, but the log must say what happened */
	run("[step:exits]\nshell = exit 137\n", &r);
	ck_assert_int_eq(r.status, 137);
	ASSERT_ERR_HAS(r, "step exits: attempt 1 of 1 failed: exit status 137");
	ck_assert_msg(!strstr(r.err, "killed by signal"), "%s", r.err);
	run_result_free(&r);
}
END_TEST

START_TEST(test_retries_with_backoff)
{
	struct run_result r;
	char *times;
	double t[4];

	/* fails 3 times, then succeeds; records a timestamp per attempt */
	run("[step:flaky]\n"
	    "shell = date +%s.%N >> $T/times\n"
	    "        test $(wc -l < $T/times) -ge 4\n"
	    "retries = 5\nretry_delay = 200ms\nbackoff = 2\nmax_delay = 500ms\n",
	    &r);
	ck_assert_int_eq(r.status, 0);
	times = slurp("times");
	ck_assert_int_eq(sscanf(times, "%lf %lf %lf %lf", &t[0], &t[1], &t[2], &t[3]), 4);
	/* delays 200ms, 400ms, then capped at 500ms; generous upper bounds */
	ck_assert_msg(t[1] - t[0] >= 0.19 && t[1] - t[0] < 2.0, "gap 1: %f", t[1] - t[0]);
	ck_assert_msg(t[2] - t[1] >= 0.39 && t[2] - t[1] < 2.5, "gap 2: %f", t[2] - t[1]);
	ck_assert_msg(t[3] - t[2] >= 0.49 && t[3] - t[2] < 2.5, "gap 3: %f", t[3] - t[2]);
	ASSERT_ERR_HAS(r, "step flaky: retrying in 200ms");
	ASSERT_ERR_HAS(r, "step flaky: retrying in 400ms");
	ASSERT_ERR_HAS(r, "step flaky: retrying in 500ms");
	ASSERT_ERR_HAS(r, "step flaky: attempt 3 of 6 failed: exit status 1");
	free(times);
	run_result_free(&r);
}
END_TEST

START_TEST(test_retries_exhausted)
{
	struct run_result r;
	char *count;

	run("[step:never-works]\nshell = echo x >> $T/count; exit 4\nretries = 2\nretry_delay = 50ms\n", &r);
	ck_assert_int_eq(r.status, 4);
	count = slurp("count");
	ck_assert_str_eq(count, "x\nx\nx\n");
	ASSERT_ERR_HAS(r, "step never-works: failed for good (status 4)");
	free(count);
	run_result_free(&r);
}
END_TEST

START_TEST(test_timeout_kills_whole_group)
{
	struct run_result r;
	pid_t bg;

	run("[step:hang]\nshell = sleep 60 & echo $! > $T/bg\n        sleep 60\ntimeout = 500ms\n", &r);
	ck_assert_int_eq(r.status, 124);
	ASSERT_ERR_HAS(r, "step hang: attempt 1 of 1 failed: timed out after 500ms");
	bg = pid_from("bg");
	ck_assert_int_gt(bg, 1);
	ck_assert_msg(!pid_alive(bg), "background pid %d of the timed-out step survived", (int)bg);
	ck_assert_msg(r.secs < 5.0, "took %f s", r.secs);
	run_result_free(&r);
}
END_TEST

START_TEST(test_leftovers_killed_after_success)
{
	struct run_result r;
	char *seen;

	if (skip_emulated("test_leftovers_killed_after_success", EMU_NO_SUBREAPER))
		return;

	run("[step:leaves-a-process]\nshell = sleep 60 & echo $! > $T/bg\n"
	    "[step:check]\nshell = if kill -0 $(cat $T/bg) 2>/dev/null; then echo alive; else echo gone; fi > $T/seen\n",
	    &r);
	ck_assert_int_eq(r.status, 0);
	seen = slurp("seen");
	ck_assert_str_eq(seen, "gone\n");
	ck_assert(!pid_alive(pid_from("bg")));
	free(seen);
	run_result_free(&r);
}
END_TEST

START_TEST(test_grace_then_sigkill)
{
	struct run_result r;

	run("[initc]\ngrace = 700ms\n"
	    "[step:stubborn]\nshell = trap '' TERM; echo $$ > $T/pid; sleep 60 & wait; sleep 60\n"
	    "timeout = 300ms\n",
	    &r);
	ck_assert_int_eq(r.status, 124);
	ck_assert_msg(r.secs >= 0.95, "SIGKILL came before grace: %f s", r.secs);
	ck_assert_msg(r.secs < 6.0, "took %f s", r.secs);
	ck_assert(!pid_alive(pid_from("pid")));
	run_result_free(&r);
}
END_TEST

START_TEST(test_stop_signal_setting)
{
	struct run_result r;
	char *got;

	run("[step:int-me]\nshell = trap 'echo INT > $T/got; exit 9' INT; sleep 60 & wait\n"
	    "timeout = 300ms\nstop_signal = INT\n",
	    &r);
	ck_assert_int_eq(r.status, 124);
	got = slurp("got");
	ck_assert_str_eq(got, "INT\n");
	free(got);
	run_result_free(&r);
}
END_TEST

START_TEST(test_deadline)
{
	struct run_result r;

	run("[initc]\ndeadline = 1s\ngrace = 1s\n[step:slow]\ncommand = sleep 30\n"
	    "[main]\ncommand = touch ${T}/app\n",
	    &r);
	ck_assert_int_eq(r.status, 124);
	ck_assert(!exists("app"));
	ck_assert_msg(r.secs >= 0.9 && r.secs < 6.0, "took %f s", r.secs);
	ASSERT_ERR_HAS(r, "init: deadline exceeded");
	ASSERT_ERR_HAS(r, "status Init:DeadlineExceeded");
	run_result_free(&r);
}
END_TEST

START_TEST(test_deadline_cuts_retry_delay)
{
	struct run_result r;

	run("[initc]\ndeadline = 1s\n[step:fails]\ncommand = false\nretries = 3\nretry_delay = 30s\n", &r);
	ck_assert_int_eq(r.status, 124);
	ck_assert_msg(r.secs >= 0.9 && r.secs < 6.0, "took %f s", r.secs);
	run_result_free(&r);
}
END_TEST

START_TEST(test_optional_step)
{
	struct run_result r;

	run("[step:may-fail]\ncommand = false\noptional = true\n"
	    "[step:after]\nshell = touch $T/after\n",
	    &r);
	ck_assert_int_eq(r.status, 0);
	ck_assert(exists("after"));
	ASSERT_ERR_HAS(r, "step may-fail: failed, but it is optional: going on");
	run_result_free(&r);
}
END_TEST

START_TEST(test_creates_skips)
{
	struct run_result r;
	char *count;

	run("[step:once]\nshell = echo ran >> $T/count; touch $T/done\ncreates = ${T}/done\n", &r);
	ck_assert_int_eq(r.status, 0);
	run_result_free(&r);
	run("[step:once]\nshell = echo ran >> $T/count; touch $T/done\ncreates = ${T}/done\n", &r);
	ck_assert_int_eq(r.status, 0);
	ASSERT_ERR_HAS(r, "step once: skipped: ");
	count = slurp("count");
	ck_assert_str_eq(count, "ran\n");
	free(count);
	run_result_free(&r);
}
END_TEST

START_TEST(test_initc_skip)
{
	struct run_result r;
	const char *skip[] = { "INITC_SKIP=b,c", NULL };
	const char *bad[] = { "INITC_SKIP=nope", NULL };

	run_scratch_config("[step:a]\nshell = touch $T/a\n[step:b]\nshell = touch $T/b\n[step:c]\nshell = touch $T/c\n",
		 NULL, skip, 20, &r);
	ck_assert_int_eq(r.status, 0);
	ck_assert(exists("a") && !exists("b") && !exists("c"));
	ASSERT_ERR_HAS(r, "step b: skipped (INITC_SKIP)");
	run_result_free(&r);
	run_scratch_config("[step:a]\nshell = touch $T/a2\n", NULL, bad, 20, &r);
	ck_assert_int_eq(r.status, 64);
	ck_assert(!exists("a2"));
	ASSERT_ERR_HAS(r, "INITC_SKIP names step 'nope', which the config does not have");
	run_result_free(&r);
}
END_TEST

START_TEST(test_user_nobody)
{
	struct run_result r;
	char *ids, *out = scratch_path("out");

	if (geteuid() != 0) {
		printf("SKIP test_user_nobody: needs root to drop privileges\n");
		free(out);
		return;
	}
	ck_assert_int_eq(mkdir(out, 0777), 0);
	ck_assert_int_eq(chmod(out, 0777), 0);
	run("[step:as-nobody]\nshell = echo $(id -u) $(id -g) $(id -G) > $T/out/ids\nuser = nobody\n", &r);
	ck_assert_int_eq(r.status, 0);
	ids = slurp("out/ids");
	ck_assert_str_eq(ids, "65534 65534 65534\n");
	free(ids);
	run_result_free(&r);
	run("[step:ghost]\ncommand = true\nuser = no-such-user\n", &r);
	ck_assert_int_eq(r.status, 126);
	ASSERT_ERR_HAS(r, "step ghost: unknown user 'no-such-user' (not in /etc/passwd)");
	run_result_free(&r);
	free(out);
}
END_TEST

START_TEST(test_environment_and_directory)
{
	struct run_result r;
	char *got;
	const char *env[] = { "FROM_INITC=inherited", NULL };

	run_scratch_config("[step:env]\nshell = echo \"$FROM_INITC $A $B $(pwd)\" > $T/got\n"
		 "environment = A=1\nenvironment = B=${FROM_INITC:-x}-2\nenvironment = A=override\n"
		 "directory = /tmp\n",
		 NULL, env, 20, &r);
	ck_assert_int_eq(r.status, 0);
	got = slurp("got");
	ck_assert_str_eq(got, "inherited override inherited-2 /tmp\n");
	free(got);
	run_result_free(&r);
	run("[step:nodir]\ncommand = true\ndirectory = /nonexistent/dir\n", &r);
	ck_assert_int_eq(r.status, 126);
	ASSERT_ERR_HAS(r, "cannot change to directory '/nonexistent/dir': No such file or directory");
	run_result_free(&r);
}
END_TEST

START_TEST(test_stdin_is_dev_null)
{
	struct run_result r;
	char *got;

	run("[step:stdin]\nshell = readlink /proc/self/fd/0 > $T/stdin\n", &r);
	ck_assert_int_eq(r.status, 0);
	got = slurp("stdin");
	ck_assert_str_eq(got, "/dev/null\n");
	free(got);
	run_result_free(&r);
}
END_TEST

START_TEST(test_no_leaked_fds)
{
	char *got, *conf, *cmd;
	const char *helpers = getenv("HELPERS");

	ck_assert_ptr_nonnull(helpers);
	/* initc itself gets an extra inherited fd 7; the step must not see it */
	conf = write_file(T, "initc.ini", "[step:fds]\ncommand = ${HELPERS}/list-fds ${T}/fds\n");
	if (asprintf(&cmd, "T=%s HELPERS=%s %s -c %s 7</dev/null 2>/dev/null", T, helpers, initc_bin(), conf) < 0)
		abort();
	ck_assert_int_eq(system(cmd), 0);
	got = slurp("fds");
	ck_assert_str_eq(got, "0\n1\n2\n");
	free(got);
	free(cmd);
	free(conf);
}
END_TEST

START_TEST(test_not_found_step)
{
	struct run_result r;

	run("[step:typo]\ncommand = no-such-program-xyz --flag\n", &r);
	ck_assert_int_eq(r.status, 127);
	ASSERT_ERR_HAS(r, "step typo: cannot run 'no-such-program-xyz': No such file or directory (not found in PATH)");
	run_result_free(&r);
}
END_TEST

START_TEST(test_exec_replaces_initc)
{
	struct run_result r;
	const char *argv[] = { "-c", NULL, "--", "sh", "-c", "echo $$ > $T/app-pid", NULL };
	char *conf = write_file(T, "initc.ini", "[step:a]\ncommand = true\n");
	const char *env[] = { t_env, NULL };
	pid_t pid;

	argv[1] = conf;
	pid = start_initc(argv, env, T);
	wait_initc(pid, T, 20, &r);
	ck_assert_int_eq(r.status, 0);
	ck_assert_int_eq(pid_from("app-pid"), pid);
	ASSERT_ERR_HAS(r, "main: exec sh");
	free(conf);
	run_result_free(&r);
}
END_TEST

START_TEST(test_exec_app_setup)
{
	struct run_result r;
	char *got;
	const char *args[] = { NULL };

	/* [main] command with environment, directory; mask restored */
	run_scratch_config("[main]\ncommand = sh -c \"echo $APPVAR $(pwd) $(grep SigBlk /proc/self/status) > ${T}/got\"\n"
		 "environment = APPVAR=hello\ndirectory = /tmp\n",
		 args, NULL, 20, &r);
	ck_assert_int_eq(r.status, 0);
	got = slurp("got");
	ck_assert_str_eq(got, "hello /tmp SigBlk: 0000000000000000\n");
	free(got);
	run_result_free(&r);
}
END_TEST

START_TEST(test_exec_exit_status_passes_through)
{
	struct run_result r;
	const char *args[] = { "--", "sh", "-c", "exit 42", NULL };

	run_scratch_config("", args, NULL, 20, &r);
	ck_assert_int_eq(r.status, 42);
	run_result_free(&r);
}
END_TEST

START_TEST(test_exec_not_found_and_not_executable)
{
	struct run_result r;
	const char *missing[] = { "--", "/no/such/app", NULL };
	const char *in_path[] = { "--", "no-such-app-xyz", NULL };
	char *plain = write_file(T, "not-executable", "#!/bin/sh\necho hi\n");
	const char *noexec[] = { "--", plain, NULL };

	run_scratch_config("", missing, NULL, 20, &r);
	ck_assert_int_eq(r.status, 127);
	ASSERT_ERR_HAS(r, "main: cannot run '/no/such/app': No such file or directory");
	run_result_free(&r);
	run_scratch_config("", in_path, NULL, 20, &r);
	ck_assert_int_eq(r.status, 127);
	ASSERT_ERR_HAS(r, "main: cannot run 'no-such-app-xyz': No such file or directory (not found in PATH)");
	run_result_free(&r);
	run_scratch_config("", noexec, NULL, 20, &r);
	ck_assert_int_eq(r.status, 126);
	ASSERT_ERR_HAS(r, "Permission denied");
	ASSERT_ERR_HAS(r, plain);
	run_result_free(&r);
	free(plain);
}
END_TEST

START_TEST(test_term_during_step)
{
	struct run_result r;
	const char *argv[] = { "-c", NULL, "--", "touch", NULL, NULL };
	char *conf = write_file(T, "initc.ini", "[step:long]\nshell = echo $$ > $T/step-pid; exec sleep 60\n");
	char *app = scratch_path("app-started"), *marker = scratch_path("step-pid");
	const char *env[] = { t_env, NULL };
	pid_t pid, step;

	argv[1] = conf;
	argv[4] = app;
	pid = start_initc(argv, env, T);
	ck_assert(wait_for_file(marker, 10000));
	usleep(100000);
	step = pid_from("step-pid");
	kill(pid, SIGTERM);
	wait_initc(pid, T, 20, &r);
	ck_assert_int_eq(r.status, 143);
	ck_assert(!file_exists(app));
	ck_assert(!pid_alive(step));
	ck_assert_msg(r.secs < 5.0, "took %f s", r.secs);
	ASSERT_ERR_HAS(r, "init: stopped by SIGTERM; the application is not started");
	free(conf);
	free(app);
	free(marker);
	run_result_free(&r);
}
END_TEST

START_TEST(test_hup_forwarded_to_step)
{
	struct run_result r;
	const char *argv[] = { "-c", NULL, NULL };
	char *conf = write_file(T, "initc.ini",
				"[step:reload]\nshell = trap 'echo HUP > $T/got; exit 0' HUP\n"
				"        touch $T/ready; sleep 60 & wait\n"
				"[step:after]\nshell = touch $T/after\n");
	char *ready = scratch_path("ready");
	const char *env[] = { t_env, NULL };
	char *got;
	pid_t pid;

	argv[1] = conf;
	pid = start_initc(argv, env, T);
	ck_assert(wait_for_file(ready, 10000));
	usleep(100000);
	kill(pid, SIGHUP);
	wait_initc(pid, T, 20, &r);
	ck_assert_int_eq(r.status, 0); /* HUP is forwarded, it does not stop init */
	got = slurp("got");
	ck_assert_str_eq(got, "HUP\n");
	ck_assert(exists("after"));
	free(got);
	free(conf);
	free(ready);
	run_result_free(&r);
}
END_TEST

START_TEST(test_subreaper_adopts_orphans)
{
	struct run_result r;
	const char *argv[] = { "-c", NULL, NULL };
	char *conf = write_file(T, "initc.ini",
				/* the step waits for the detach: what is left in its group is killed */
				"[step:orphan-maker]\nshell = setsid sleep 2 & echo $! > $T/orphan; sleep 0.3\n"
				"[step:look]\nshell = grep PPid /proc/$(cat $T/orphan)/status | tr -dc 0-9 > $T/ppid\n");
	const char *env[] = { t_env, NULL };
	pid_t pid;

	if (skip_emulated("test_subreaper_adopts_orphans", EMU_NO_SUBREAPER))
		return;

	argv[1] = conf;
	pid = start_initc(argv, env, T);
	wait_initc(pid, T, 20, &r);
	ck_assert_int_eq(r.status, 0);
	/* the orphan escaped the step's group (new session) and came to initc */
	ck_assert_int_eq(pid_from("ppid"), pid);
	free(conf);
	run_result_free(&r);
}
END_TEST

START_TEST(test_check_and_usage)
{
	struct run_result r;
	const char *check[] = { "--check", NULL };
	const char *bogus[] = { "--bogus", NULL };

	run_scratch_config("[step:a]\nshell = touch $T/ran\ntimeout = 2s\nretries = 3\n[main]\ncommand = app --x\n", check,
		 NULL, 20, &r);
	ck_assert_int_eq(r.status, 0);
	ck_assert(!exists("ran"));
	ck_assert_msg(strstr(r.out, "1. a"), "%s", r.out);
	ck_assert_msg(strstr(r.out, "timeout 2s, retries 3"), "%s", r.out);
	ck_assert_msg(strstr(r.out, "main (exec): app --x"), "%s", r.out);
	run_result_free(&r);
	run_scratch_config("[step:marker]\nshell = touch $T/ran\n[step:b]\ncommand = true\ntimeout = forever\n", NULL, NULL, 20, &r);
	ck_assert_int_eq(r.status, 78);
	ck_assert(!exists("ran"));
	ASSERT_ERR_HAS(r, "initc.ini:5: timeout: bad duration 'forever'");
	ASSERT_ERR_HAS(r, "invalid config: nothing was run");
	run_result_free(&r);
	run_scratch_config("[step:b]\ncommand = true\ntimeout = forever\n", check, NULL, 20, &r);
	ck_assert_int_eq(r.status, 78);
	run_result_free(&r);
	run_scratch_config("", bogus, NULL, 20, &r);
	ck_assert_int_eq(r.status, 64);
	ASSERT_ERR_HAS(r, "initc: unknown option '--bogus'; see 'initc --help'");
	run_result_free(&r);
}
END_TEST

START_TEST(test_missing_default_config_is_fine)
{
	struct run_result r;
	const char *args[] = { "--", "true", NULL };

	if (file_exists("/etc/initc.ini") || file_exists("/etc/initc.d")) {
		printf("SKIP test_missing_default_config_is_fine: this machine has /etc/initc.ini\n");
		return;
	}
	run_initc(args, NULL, 20, &r);
	ck_assert_int_eq(r.status, 0);
	run_result_free(&r);
}
END_TEST

START_TEST(test_quiet_and_verbose)
{
	struct run_result r;
	const char *quiet[] = { "-q", NULL };
	const char *verbose[] = { "-v", NULL };

	run_scratch_config("[step:a]\ncommand = false\nretries = 1\nretry_delay = 10ms\n", quiet, NULL, 20, &r);
	ck_assert_int_eq(r.status, 1);
	ck_assert_msg(!strstr(r.err, "starting"), "%s", r.err);
	ASSERT_ERR_HAS(r, "step a: failed for good");
	run_result_free(&r);
	run_scratch_config("[step:a]\ncommand = false\nretries = 1\nretry_delay = 10ms\n", verbose, NULL, 20, &r);
	ASSERT_ERR_HAS(r, "step a: starting again: false");
	run_result_free(&r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("steps");
	TCase *tc = tcase_create("steps");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, scratch_setup, scratch_teardown);
	tcase_add_test(tc, test_steps_run_in_order);
	tcase_add_test(tc, test_failure_stops_sequence);
	tcase_add_test(tc, test_killed_step_status);
	tcase_add_test(tc, test_exit_137_is_not_a_kill);
	tcase_add_test(tc, test_retries_with_backoff);
	tcase_add_test(tc, test_retries_exhausted);
	tcase_add_test(tc, test_timeout_kills_whole_group);
	tcase_add_test(tc, test_leftovers_killed_after_success);
	tcase_add_test(tc, test_grace_then_sigkill);
	tcase_add_test(tc, test_stop_signal_setting);
	tcase_add_test(tc, test_deadline);
	tcase_add_test(tc, test_deadline_cuts_retry_delay);
	tcase_add_test(tc, test_optional_step);
	tcase_add_test(tc, test_creates_skips);
	tcase_add_test(tc, test_initc_skip);
	tcase_add_test(tc, test_user_nobody);
	tcase_add_test(tc, test_environment_and_directory);
	tcase_add_test(tc, test_stdin_is_dev_null);
	tcase_add_test(tc, test_no_leaked_fds);
	tcase_add_test(tc, test_not_found_step);
	tcase_add_test(tc, test_exec_replaces_initc);
	tcase_add_test(tc, test_exec_app_setup);
	tcase_add_test(tc, test_exec_exit_status_passes_through);
	tcase_add_test(tc, test_exec_not_found_and_not_executable);
	tcase_add_test(tc, test_term_during_step);
	tcase_add_test(tc, test_hup_forwarded_to_step);
	tcase_add_test(tc, test_subreaper_adopts_orphans);
	tcase_add_test(tc, test_check_and_usage);
	tcase_add_test(tc, test_missing_default_config_is_fine);
	tcase_add_test(tc, test_quiet_and_verbose);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
