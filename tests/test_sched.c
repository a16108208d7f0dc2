/* Unit tests for the event loop (src/run/sched.c), the escalation (src/run/stop.c),
 * the signal policy table (src/os/loop.c) and the phase words (src/run/phase.c).
 *
 * Each test runs in Check's forked child, which calls loop_init as initc
 * does: initc's signals are blocked there and read from the signalfd, and
 * the test process is a child subreaper. The children are real processes;
 * teardown kills and reaps every one that is left. */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "job.h"
#include "log.h"
#include "loop.h"
#include "phase.h"
#include "sched.h"
#include "stop.h"
#include "util.h"

static void setup(void)
{
	log_setup(LOG_ERROR, LOG_TEXT);
	ck_assert_int_eq(loop_init(), 0);
}

/* Every child of the test process (as subreaper: orphans too) goes. */
static void teardown(void)
{
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	/* What still runs is killed through its group (each child has one). */
	for (pid_t pid; (pid = find_child(getpid(), 0)) > 0;) {
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
}

/* A child in a process group of its own, with default signal handling:
 * exits with code after ms, or with ms < 0 waits for a signal. With
 * ignore_term it ignores SIGTERM (only SIGKILL ends it). */
static pid_t child_start(int code, int ms, bool ignore_term)
{
	pid_t pid = fork();
	sigset_t none;

	ck_assert_int_ne(pid, -1);
	if (pid == 0) {
		setpgid(0, 0);
		/* Check's own handlers of the test process must not run here. */
		signal(SIGINT, SIG_DFL);
		signal(SIGALRM, SIG_DFL);
		signal(SIGTERM, ignore_term ? SIG_IGN : SIG_DFL);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		if (ms >= 0) {
			sleep_ms(ms);
			_exit(code);
		}
		for (;;)
			pause();
	}
	setpgid(pid, pid);
	return pid;
}

static struct child watched(pid_t pid, bool forward)
{
	struct child c = { .pid = pid, .pgid = pid, .forward = forward,
			   .to_group = true };
	return c;
}

/* --- children ------------------------------------------------------ */

static pid_t exit_order[4];
static int exits;

static void note_exit(struct child *c, void *arg)
{
	bool *all = arg;

	exit_order[exits++] = c->pid;
	*all = exits == 2;
}

START_TEST(test_each_exit_reaches_its_own_entry)
{
	bool all = false;
	struct child a = watched(child_start(3, 400, false), false);
	struct child b = watched(child_start(5, 50, false), false);

	exits = 0;
	a.on_exit = b.on_exit = note_exit;
	a.arg = b.arg = &all;
	sched_watch(&a);
	sched_watch(&b);
	ck_assert_int_eq(sched_run_until(&all), 0);
	ck_assert(a.exited && b.exited);
	ck_assert_int_eq(WEXITSTATUS(a.wstatus), 3);
	ck_assert_int_eq(WEXITSTATUS(b.wstatus), 5);
	/* Reported as they exit, not as they were added. */
	ck_assert_int_eq(exit_order[0], b.pid);
	ck_assert_int_eq(exit_order[1], a.pid);
}
END_TEST

START_TEST(test_unwatched_children_are_reaped_too)
{
	pid_t orphan = child_start(0, 0, false);
	struct child c = watched(child_start(0, 300, false), false);

	sched_watch(&c);
	ck_assert_int_eq(sched_run_until(&c.exited), 0);
	ck_assert_int_eq(waitpid(orphan, NULL, WNOHANG), -1);
	ck_assert_int_eq(errno, ECHILD);
}
END_TEST

START_TEST(test_forgotten_child_is_not_reported)
{
	struct child gone = watched(child_start(0, 0, false), false);
	struct child c = watched(child_start(0, 300, false), false);

	sched_watch(&gone);
	sched_watch(&c);
	sched_forget(&gone);
	ck_assert_int_eq(sched_run_until(&c.exited), 0);
	ck_assert(!gone.exited);
}
END_TEST

/* --- timers -------------------------------------------------------- */

static int fired[3], n_fired;
static int64_t fired_at[3];

static void note_timer(struct timer *t, void *arg)
{
	(void)t;
	fired_at[n_fired] = now_ms();
	fired[n_fired++] = *(int *)arg;
}

START_TEST(test_timers_fire_in_time_order_not_before_due)
{
	int ids[3] = { 300, 100, 200 };
	struct timer t[3];
	int64_t start = now_ms();
	bool last = false;
	struct timer end = { .fire = timer_set_flag, .arg = &last };

	n_fired = 0;
	for (int i = 0; i < 3; i++) {
		t[i] = (struct timer){ .fire = note_timer, .arg = &ids[i] };
		timer_arm(&t[i], start + ids[i]);
	}
	timer_arm(&end, start + 400);
	ck_assert_int_eq(sched_run_until(&last), 0);
	ck_assert_int_eq(n_fired, 3);
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(fired[i], (i + 1) * 100);
		ck_assert_int_ge(fired_at[i], start + fired[i]);
	}
}
END_TEST

START_TEST(test_cancelled_timer_never_fires)
{
	int id = 1;
	struct timer t = { .fire = note_timer, .arg = &id };
	bool last = false;
	struct timer end = { .fire = timer_set_flag, .arg = &last };

	n_fired = 0;
	timer_arm(&t, now_ms() + 50);
	timer_arm(&end, now_ms() + 300);
	timer_cancel(&t);
	ck_assert_int_eq(sched_run_until(&last), 0);
	ck_assert_int_eq(n_fired, 0);
	ck_assert(!t.armed && !end.armed);
}
END_TEST

/* A timer armed again moves: it fires once, at the later time. */
START_TEST(test_rearmed_timer_fires_once_at_new_time)
{
	int id = 7;
	struct timer t = { .fire = note_timer, .arg = &id };
	int64_t start = now_ms();
	bool last = false;
	struct timer end = { .fire = timer_set_flag, .arg = &last };

	n_fired = 0;
	timer_arm(&t, start + 50);
	timer_arm(&t, start + 250);
	timer_arm(&end, start + 400);
	ck_assert_int_eq(sched_run_until(&last), 0);
	ck_assert_int_eq(n_fired, 1);
	ck_assert_int_ge(fired_at[0], start + 250);
}
END_TEST

/* --- signals ------------------------------------------------------- */

START_TEST(test_forwarded_signal_reaches_only_children_that_take_it)
{
	struct child takes = watched(child_start(0, -1, false), true);
	struct child not = watched(child_start(0, -1, false), false);

	sched_watch(&takes);
	sched_watch(&not);
	ck_assert_int_eq(kill(getpid(), SIGUSR1), 0);
	ck_assert_int_eq(sched_run_until(&takes.exited), 0);
	ck_assert(WIFSIGNALED(takes.wstatus));
	ck_assert_int_eq(WTERMSIG(takes.wstatus), SIGUSR1);
	sleep_ms(100);
	ck_assert(!not.exited);
	ck_assert(pid_alive(not.pid));
	sched_forget(&not);
}
END_TEST

static int hook_calls, hook_sig;

static void note_stop(int sig, void *arg)
{
	(void)arg;
	hook_calls++;
	hook_sig = sig;
}

START_TEST(test_stop_signal_is_forwarded_then_hooked_and_remembered)
{
	struct child c = watched(child_start(0, -1, false), true);

	hook_calls = 0;
	ck_assert_int_eq(sched_stop_signal(), 0);
	sched_watch(&c);
	sched_on_stop(note_stop, NULL);
	ck_assert_int_eq(kill(getpid(), SIGTERM), 0);
	ck_assert_int_eq(sched_run_until(&c.exited), 0);
	ck_assert_int_eq(WTERMSIG(c.wstatus), SIGTERM);
	ck_assert_int_eq(hook_calls, 1);
	ck_assert_int_eq(hook_sig, SIGTERM);
	/* A later stop signal runs the hook again; the first one is kept. */
	ck_assert_int_eq(kill(getpid(), SIGINT), 0);
	ck_assert_int_eq(sched_run_once(), 0);
	ck_assert_int_eq(hook_calls, 2);
	ck_assert_int_eq(hook_sig, SIGINT);
	ck_assert_int_eq(sched_stop_signal(), SIGTERM);
	sched_on_stop(NULL, NULL);
}
END_TEST

/* A watched child that follows stops and stops itself (SIGSTOP) is not
 * left stopped: without a terminal nothing else would continue it, so the
 * loop does (job.c), and its exit is reported. */
START_TEST(test_stopped_child_is_continued)
{
	struct child c = watched(fork(), false);

	ck_assert_int_ne(c.pid, -1);
	if (c.pid == 0) {
		setpgid(0, 0);
		raise(SIGSTOP);
		_exit(4);
	}
	setpgid(c.pid, c.pid);
	if (job_tty() >= 0) {
		/* On a terminal initc would stop itself, and this test with it. */
		printf("SKIP test_stopped_child_is_continued: runs on a terminal\n");
		return;
	}
	c.name = "stopper";
	c.follow_stops = true;
	sched_watch(&c);
	ck_assert_int_eq(sched_run_until(&c.exited), 0);
	ck_assert(WIFEXITED(c.wstatus));
	ck_assert_int_eq(WEXITSTATUS(c.wstatus), 4);
}
END_TEST

START_TEST(test_policy_table)
{
	ck_assert_int_eq(loop_policy_in(SIGNALS_INIT, SIGCHLD), SIGNAL_REAP);
	ck_assert_int_eq(loop_policy_in(SIGNALS_SUPERVISE, SIGCHLD), SIGNAL_REAP);
	for (int i = 0; i < 3; i++) {
		int sig = (int[]){ SIGTERM, SIGINT, SIGQUIT }[i];

		ck_assert_int_eq(loop_policy_in(SIGNALS_INIT, sig), SIGNAL_STOP);
		ck_assert_int_eq(loop_policy_in(SIGNALS_SUPERVISE, sig), SIGNAL_STOP);
	}
	ck_assert_int_eq(loop_policy_in(SIGNALS_INIT, SIGHUP), SIGNAL_FORWARD);
	ck_assert_int_eq(loop_policy_in(SIGNALS_INIT, SIGWINCH), SIGNAL_FORWARD);
	ck_assert_int_eq(loop_policy_in(SIGNALS_INIT, SIGPIPE), SIGNAL_IGNORE);
	ck_assert_int_eq(loop_policy_in(SIGNALS_SUPERVISE, SIGPIPE), SIGNAL_FORWARD);
	/* Init leaves the rest alone; supervise forwards them, 32-34 included. */
	ck_assert_int_eq(loop_policy_in(SIGNALS_INIT, SIGALRM), SIGNAL_UNHANDLED);
	ck_assert_int_eq(loop_policy_in(SIGNALS_SUPERVISE, SIGALRM), SIGNAL_FORWARD);
	ck_assert_int_eq(loop_policy_in(SIGNALS_SUPERVISE, 32), SIGNAL_FORWARD);
	ck_assert_int_eq(loop_policy_in(SIGNALS_SUPERVISE, 34), SIGNAL_FORWARD);
	ck_assert_int_eq(loop_policy_in(SIGNALS_SUPERVISE, SIGTSTP), SIGNAL_FORWARD);
	ck_assert_int_eq(loop_policy_in(SIGNALS_SUPERVISE, SIGKILL), SIGNAL_UNHANDLED);
	/* A kill -SEGV from another process is forwarded (read_signal drops
	 * the ones the kernel raised); job control signals too. */
	ck_assert_int_eq(loop_policy_in(SIGNALS_INIT, SIGSEGV), SIGNAL_FORWARD);
	ck_assert_int_eq(loop_policy_in(SIGNALS_SUPERVISE, SIGSYS), SIGNAL_FORWARD);
	ck_assert_int_eq(loop_policy_in(SIGNALS_INIT, SIGTSTP), SIGNAL_FORWARD);
	ck_assert_int_eq(loop_policy_in(SIGNALS_INIT, SIGCONT), SIGNAL_FORWARD);
	/* The current phase is init until loop_handle_all. */
	ck_assert(loop_is_stop_signal(SIGQUIT));
	ck_assert_int_eq(loop_policy(SIGALRM), SIGNAL_UNHANDLED);
	ck_assert_int_eq(loop_handle_all(), 0);
	ck_assert_int_eq(loop_policy(SIGALRM), SIGNAL_FORWARD);
}
END_TEST

/* --- the escalation ------------------------------------------------ */

START_TEST(test_escalation_kills_after_grace)
{
	struct child c = watched(child_start(0, -1, true), false);
	int64_t start;
	struct stop s;

	sleep_ms(100); /* the child ignores SIGTERM by now */
	start = now_ms();
	sched_watch(&c);
	stop_init(&s, -c.pid);
	stop_start(&s, SIGTERM, start + 400);
	ck_assert_int_eq(sched_run_until(&c.exited), 0);
	stop_end(&s);
	ck_assert(WIFSIGNALED(c.wstatus));
	ck_assert_int_eq(WTERMSIG(c.wstatus), SIGKILL);
	ck_assert(s.killing);
	ck_assert_int_ge(now_ms() - start, 400);
}
END_TEST

START_TEST(test_escalation_ends_when_the_signal_is_obeyed)
{
	struct child c = watched(child_start(0, -1, false), false);
	int64_t start = now_ms();
	struct stop s;

	sched_watch(&c);
	stop_init(&s, c.pid);
	stop_start(&s, SIGTERM, start + 10000);
	ck_assert_int_eq(sched_run_until(&c.exited), 0);
	ck_assert_int_eq(WTERMSIG(c.wstatus), SIGTERM);
	ck_assert(s.timer.armed);
	stop_end(&s);
	ck_assert(!s.timer.armed && !s.killing);
	ck_assert_int_lt(now_ms() - start, 5000);
}
END_TEST

/* A second stop does not restart the grace period. */
START_TEST(test_second_stop_keeps_the_first_kill_time)
{
	struct child c = watched(child_start(0, -1, true), false);
	int64_t start;
	struct stop s;

	sleep_ms(100);
	start = now_ms();
	sched_watch(&c);
	stop_init(&s, -c.pid);
	stop_start(&s, SIGTERM, start + 300);
	stop_start(&s, SIGTERM, start + 20000);
	ck_assert_int_eq(s.kill_at, start + 300);
	ck_assert_int_eq(sched_run_until(&c.exited), 0);
	stop_end(&s);
	ck_assert_int_eq(WTERMSIG(c.wstatus), SIGKILL);
	ck_assert_int_lt(now_ms() - start, 10000);
}
END_TEST

/* Leftovers get SIGCONT after SIGTERM: a stopped process sees the TERM. */
START_TEST(test_leftovers_stopped_process_sees_term)
{
	struct child c = watched(child_start(0, -1, false), false);
	siginfo_t si;
	struct stop s;

	ck_assert_int_eq(kill(c.pid, SIGSTOP), 0);
	memset(&si, 0, sizeof(si));
	ck_assert_int_eq(waitid(P_PID, (id_t)c.pid, &si, WSTOPPED), 0);
	sched_watch(&c);
	stop_init(&s, STOP_LEFTOVERS);
	stop_start(&s, SIGTERM, now_ms() + 10000);
	ck_assert_int_eq(sched_run_until(&c.exited), 0);
	stop_end(&s);
	ck_assert(WIFSIGNALED(c.wstatus));
	ck_assert_int_eq(WTERMSIG(c.wstatus), SIGTERM);
}
END_TEST

/* --- idle ---------------------------------------------------------- */

/* A process running the loop with a child that never exits and a timer an
 * hour away: it must sleep in one ppoll, with no wake-up at all. */
START_TEST(test_idle_loop_never_wakes)
{
	int ready[2];
	pid_t looper, kid;
	long before, after;

	ck_assert_int_eq(pipe(ready), 0);
	looper = fork();
	ck_assert_int_ne(looper, -1);
	if (looper == 0) {
		struct child c = watched(child_start(0, -1, false), true);
		bool never = false;
		struct timer far = { .fire = timer_set_flag, .arg = &never };

		sched_watch(&c);
		timer_arm(&far, now_ms() + 3600 * 1000);
		if (write(ready[1], &c.pid, sizeof(c.pid)) != sizeof(c.pid))
			_exit(2);
		sched_run_until(&c.exited);
		_exit(1);
	}
	close(ready[1]);
	ck_assert_int_eq(read(ready[0], &kid, sizeof(kid)), sizeof(kid));
	close(ready[0]);
	sleep_ms(300);
	before = voluntary_switches(looper);
	sleep_ms(2000);
	after = voluntary_switches(looper);
	/* Both go before any assertion can end the test. */
	kill(kid, SIGKILL);
	kill(looper, SIGKILL);
	waitpid(looper, NULL, 0);
	ck_assert_int_ge(before, 0);
	ck_assert_msg(after == before, "the idle loop woke up %ld times in 2 s", after - before);
}
END_TEST

/* --- phases -------------------------------------------------------- */

START_TEST(test_phase_words)
{
	char *dir = make_tempdir(), *path = path_join(dir, "status"), *text;

	ck_assert_str_eq(phase_name(PHASE_RUNNING), "Running");
	ck_assert_str_eq(phase_name(PHASE_DEADLINE_EXCEEDED), "Init:DeadlineExceeded");
	ck_assert_str_eq(phase_name(PHASE_ERROR), "Error");
	status_setup(path);
	phase_set_init(2, 3);
	text = read_file(path);
	ck_assert_ptr_nonnull(text);
	ck_assert_str_eq(text, "Init:2/3\n");
	free(text);
	phase_set(PHASE_POD_INITIALIZING);
	text = read_file(path);
	ck_assert_str_eq(text, "PodInitializing\n");
	free(text);
	status_setup(NULL);
	rm_rf(dir);
	free(path);
	free(dir);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("sched");
	TCase *tc = tcase_create("sched");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_each_exit_reaches_its_own_entry);
	tcase_add_test(tc, test_unwatched_children_are_reaped_too);
	tcase_add_test(tc, test_forgotten_child_is_not_reported);
	tcase_add_test(tc, test_timers_fire_in_time_order_not_before_due);
	tcase_add_test(tc, test_cancelled_timer_never_fires);
	tcase_add_test(tc, test_rearmed_timer_fires_once_at_new_time);
	tcase_add_test(tc, test_forwarded_signal_reaches_only_children_that_take_it);
	tcase_add_test(tc, test_stop_signal_is_forwarded_then_hooked_and_remembered);
	tcase_add_test(tc, test_stopped_child_is_continued);
	tcase_add_test(tc, test_policy_table);
	tcase_add_test(tc, test_escalation_kills_after_grace);
	tcase_add_test(tc, test_escalation_ends_when_the_signal_is_obeyed);
	tcase_add_test(tc, test_second_stop_keeps_the_first_kill_time);
	tcase_add_test(tc, test_leftovers_stopped_process_sees_term);
	tcase_add_test(tc, test_idle_loop_never_wakes);
	tcase_add_test(tc, test_phase_words);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
