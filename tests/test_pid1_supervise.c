/* Supervise mode as PID 1 of a PID namespace (`unshare --pid --fork
 * --mount-proc`): TERM from outside the namespace reaches the app, orphans
 * are reaped, what the app leaves behind is stopped (TERM, grace, KILL),
 * and coalesced exits never hang initc. Skipped when PID namespaces are
 * not permitted. */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

static bool can_unshare;

/* True (after saying so) when the test cannot run here. */
static bool skipped(const char *test)
{
	if (!can_unshare)
		printf("SKIP %s: needs root and unshare --pid\n", test);
	return !can_unshare;
}

/* Starts `unshare --pid --fork --mount-proc initc -c DIR/initc.ini -s --
 * sh DIR/app.sh DIR`; returns unshare's pid and, in *initc, initc's pid as
 * seen from here (the namespace's PID 1 is unshare's child). */
static pid_t start_in_namespace(const char *ini, const char *script, pid_t *initc)
{
	char *conf = write_file(T, "initc.ini", ini);
	char *app = write_file(T, "app.sh", script);
	const char *args[] = { "unshare", "--pid", "--fork", "--mount-proc", initc_bin(), "-c",
			       conf, "-s", "--", "sh", app, T, NULL };
	pid_t pid = start_program(args, NULL, T);

	*initc = find_child(pid, 10000);
	ck_assert_msg(*initc > 0, "unshare started no child");
	free(conf);
	free(app);
	return pid;
}

static void assert_file_appears(const char *name)
{
	char *p = scratch_path(name);

	ck_assert_msg(wait_for_file(p, 10000), "%s never appeared", p);
	free(p);
}

START_TEST(test_pid1_term_from_outside_reaches_the_app)
{
	pid_t initc, pid;
	struct run_result res;
	char *marker = scratch_path("marker"), *ppid = scratch_path("ppid"), *text;

	if (skipped(__func__))
		return;
	pid = start_in_namespace("[initc]\ngrace = 1m\n",
				 "trap 'echo got-term > \"$1/marker\"; exit 7' TERM\n"
				 "echo $PPID > \"$1/ppid\"\n"
				 "touch \"$1/ready\"\n"
				 "while :; do sleep 0.1; done\n",
				 &initc);
	assert_file_appears("ready");
	text = read_file(ppid);
	ck_assert_msg(text && atoi(text) == 1, "the app's parent is %s, not PID 1", text);
	free(text);
	ck_assert_int_eq(kill(initc, SIGTERM), 0);
	wait_initc(pid, T, 30, &res);
	ck_assert_msg(res.status == 7, "exited %d, want the app's 7; stderr: %s", res.status,
		      res.err);
	text = read_file(marker);
	ck_assert_msg(text && strcmp(text, "got-term\n") == 0, "the app's TERM trap did not run");
	free(text);
	free(marker);
	free(ppid);
	run_result_free(&res);
}
END_TEST

/* 50 orphans (their parent subshells exit at once) go to PID 1; they are
 * killed all together; initc must reap every one, and the app, looking
 * at the namespace's /proc, must find no zombie. */
START_TEST(test_pid1_reaps_fifty_orphans)
{
	pid_t initc, pid;
	struct run_result res;
	char *zombies = scratch_path("zombies"), *text;
	int children = 0, z = -1;

	if (skipped(__func__))
		return;
	pid = start_in_namespace("",
				 "for i in $(seq 50); do (sleep 1000 & echo $! >> \"$1/pids\"); done\n"
				 "touch \"$1/ready\"\n"
				 "while [ ! -e \"$1/go\" ]; do sleep 0.05; done\n"
				 "kill -KILL $(cat \"$1/pids\")\n"
				 "while [ ! -e \"$1/quit\" ]; do sleep 0.05; done\n"
				 "cat /proc/[0-9]*/stat 2>/dev/null | grep -c ') Z ' > \"$1/zombies.tmp\"\n"
				 "mv \"$1/zombies.tmp\" \"$1/zombies\"\n",
				 &initc);
	assert_file_appears("ready");
	for (int i = 0; i < 500 && (children = count_children(initc, false)) != 51; i++)
		sleep_ms(20);
	ck_assert_msg(children == 51, "PID 1 has %d children, want the app + 50 orphans", children);
	free(write_file(T, "go", ""));
	for (int i = 0; i < 500; i++) {
		children = count_children(initc, false);
		z = count_children(initc, true);
		if (children == 1 && z == 0)
			break;
		sleep_ms(20);
	}
	ck_assert_msg(children == 1 && z == 0, "PID 1 still has %d children, %d zombies", children,
		      z);
	free(write_file(T, "quit", ""));
	wait_initc(pid, T, 30, &res);
	ck_assert_msg(res.status == 0, "exited %d; stderr: %s", res.status, res.err);
	text = read_file(zombies);
	ck_assert_msg(text && strcmp(text, "0\n") == 0, "zombies in the namespace: %s", text);
	free(text);
	free(zombies);
	run_result_free(&res);
}
END_TEST

START_TEST(test_pid1_leftovers_get_term_then_kill_after_grace)
{
	pid_t initc, pid;
	struct run_result res;
	char *marker = scratch_path("marker"), *text;

	if (skipped(__func__))
		return;
	pid = start_in_namespace(
		"[initc]\ngrace = 1s\n",
		"sh -c 'trap \"echo term > $1/marker; exit 0\" TERM; touch $1/r1;"
		" while :; do sleep 0.1; done' sh \"$1\" &\n"
		"sh -c 'trap \"\" TERM; touch $1/r2; while :; do sleep 0.1; done' sh \"$1\" &\n"
		"while [ ! -e \"$1/r1\" ] || [ ! -e \"$1/r2\" ]; do sleep 0.05; done\n"
		"exit 0\n",
		&initc);
	wait_initc(pid, T, 30, &res);
	ck_assert_msg(res.status == 0, "exited %d, want the app's 0; stderr: %s", res.status,
		      res.err);
	text = read_file(marker);
	ck_assert_msg(text && strcmp(text, "term\n") == 0, "the leftover's TERM trap did not run");
	ck_assert_msg(strstr(res.err, "stopping the processes it left behind"), "stderr: %s",
		      res.err);
	ck_assert_msg(strstr(res.err, "killing what is left"), "stderr: %s", res.err);
	free(text);
	free(marker);
	run_result_free(&res);
}
END_TEST

/* TERM from outside, forwarded to the whole group: the app and its 50
 * children die together. With a 10-minute grace, only a prompt exit
 * passes the time limit. */
START_TEST(test_pid1_coalesced_exits_never_hang)
{
	if (skipped(__func__))
		return;
	for (int round = 0; round < 3; round++) {
		pid_t initc, pid;
		struct run_result res;
		char *ready = scratch_path("ready");

		unlink(ready);
		pid = start_in_namespace("[initc]\ngrace = 10m\n[main]\nsignal_group = true\n",
					 "for i in $(seq 50); do sleep 1000 & done\n"
					 "touch \"$1/ready\"\n"
					 "wait\n",
					 &initc);
		ck_assert_msg(wait_for_file(ready, 10000), "the app did not start");
		sleep_ms(100);
		kill(initc, SIGTERM);
		wait_initc(pid, T, 20, &res);
		ck_assert_msg(res.status == 143, "round %d: exited %d (-1: hung); stderr: %s", round,
			      res.status, res.err);
		free(ready);
		run_result_free(&res);
	}
}
END_TEST

START_TEST(test_pid1_app_and_children_exiting_together_never_hang)
{
	if (skipped(__func__))
		return;
	for (int round = 0; round < 3; round++) {
		pid_t initc, pid;
		struct run_result res;

		pid = start_in_namespace("[initc]\ngrace = 10m\n",
					 "for i in $(seq 50); do sleep 0.3 & done\n"
					 "sleep 0.3\nexit 9\n",
					 &initc);
		wait_initc(pid, T, 20, &res);
		ck_assert_msg(res.status == 9, "round %d: exited %d (-1: hung); stderr: %s", round,
			      res.status, res.err);
		run_result_free(&res);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("pid1_supervise");
	TCase *tc = tcase_create("pid1_supervise");
	SRunner *sr;
	int failed;

	can_unshare = can_unshare_pid();
	if (!can_unshare)
		printf("SKIP pid1_supervise: PID namespaces not permitted (needs root and unshare)\n");
	tcase_add_checked_fixture(tc, scratch_setup, scratch_teardown);
	tcase_set_timeout(tc, 90);
	tcase_add_test(tc, test_pid1_term_from_outside_reaches_the_app);
	tcase_add_test(tc, test_pid1_reaps_fifty_orphans);
	tcase_add_test(tc, test_pid1_leftovers_get_term_then_kill_after_grace);
	tcase_add_test(tc, test_pid1_coalesced_exits_never_hang);
	tcase_add_test(tc, test_pid1_app_and_children_exiting_together_never_hang);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
