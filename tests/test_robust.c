/* Hangs, lost signals and leftovers (issue 11): initc started with SIGCHLD
 * ignored, fault signals sent with kill(), the working directory it keeps
 * while supervising, the exec hand-off under a signal storm, processes a
 * failed attempt started in sessions of their own, and file systems that
 * hang. Each runs the real binary. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

/* The absolute path of helper name. */
static char *helper(const char *name)
{
	char *p = helper_path(name), *abs = realpath(p, NULL);

	ck_assert_msg(abs != NULL, "helper %s not built", p);
	free(p);
	return abs;
}

/* The SigIgn mask in a file that the inspect helper wrote. */
static unsigned long long ignored_in(const char *path)
{
	char *text = read_file(path), *line;
	unsigned long long mask;

	ck_assert_msg(text != NULL, "%s was not written", path);
	line = strstr(text, "SigIgn:");
	ck_assert_msg(line != NULL, "no SigIgn in %s", text);
	mask = strtoull(line + 7, NULL, 16);
	free(text);
	return mask;
}

/* Started with SIGCHLD ignored, the kernel reaps initc's children itself:
 * initc must see a step end and the supervised app exit all the same,
 * and the app (either mode) still gets SIGCHLD ignored as initc did. */
static void run_with_sigchld_ignored(bool supervise)
{
	char *conf = write_config(T, "[step:first]\ncommand = sh -c 'exit 0'\n");
	char *launcher = helper("launcher"), *inspect = helper("inspect");
	char *out = scratch_path("app.txt");
	const char *args[] = { launcher, "-i", "17", "--", initc_bin(), "-c", conf,
			       supervise ? "-s" : "-v", "--", inspect, out, NULL };
	struct run_result res;
	pid_t pid = start_program(args, NULL, T);

	wait_initc(pid, T, 20, &res);
	ck_assert_msg(res.status == 0, "%s: initc exited %d (-1: hung); stderr: %s",
		      supervise ? "supervise" : "exec", res.status, res.err);
	/* Not under valgrind, which catches SIGCHLD itself: exec resets it. */
	if (!getenv("INITC_UNDER_VALGRIND"))
		ck_assert_msg(ignored_in(out) & (1ULL << (SIGCHLD - 1)),
			      "the app lost SIGCHLD ignored");
	run_result_free(&res);
	free(conf);
	free(launcher);
	free(inspect);
	free(out);
}

START_TEST(test_started_with_sigchld_ignored_still_sees_every_exit)
{
	run_with_sigchld_ignored(true);
	run_with_sigchld_ignored(false);
}
END_TEST

/* Starts `initc -s -- sigrecord DIR` with a long grace; waits for it. */
static pid_t start_recorder(void)
{
	char *conf = write_config(T, "[initc]\ngrace = 10m\n");
	char *rec = helper("sigrecord"), *ready = scratch_path("ready");
	const char *args[] = { "-c", conf, "-s", "--", rec, T, NULL };
	pid_t pid = start_initc(args, NULL, T);

	ck_assert_msg(wait_for_file(ready, 10000), "sigrecord did not start");
	free(conf);
	free(rec);
	free(ready);
	return pid;
}

/* True when the record file DIR/got has a line with sig. */
static bool recorded(int sig)
{
	char *got = scratch_path("got"), *text = read_file(got);
	bool found = false;

	for (char *p = text, *end; p && *p && !found; p = end) {
		long n = strtol(p, &end, 10);

		if (end == p)
			break;
		found = n == sig;
	}
	free(text);
	free(got);
	return found;
}

static bool wait_recorded(int sig, int timeout_ms)
{
	for (int waited = 0; waited < timeout_ms; waited += 10) {
		if (recorded(sig))
			return true;
		sleep_ms(10);
	}
	return recorded(sig);
}

/* Ends the recorder (DIR/quit, then a signal it records): status 0. */
static void finish_recorder(pid_t pid)
{
	struct run_result res;

	free(write_file(T, "quit", ""));
	kill(pid, SIGUSR1);
	wait_initc(pid, T, 30, &res);
	ck_assert_msg(res.status == 0, "initc exited %d; stderr: %s", res.status, res.err);
	run_result_free(&res);
}

/* Not PID 1, `kill -SEGV` and its kind would kill initc and orphan the
 * app: like dumb-init, initc forwards them and keeps running. */
START_TEST(test_fault_signals_sent_with_kill_are_forwarded)
{
	static const int faults[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGSYS };
	pid_t pid;

	if (skip_under_valgrind("test_fault_signals_sent_with_kill_are_forwarded",
				"valgrind takes SIGSEGV and its kind for itself"))
		return;
	pid = start_recorder();
	for (size_t i = 0; i < sizeof(faults) / sizeof(faults[0]); i++) {
		char name[96];

		snprintf(name, sizeof(name), "test_fault_signals_sent_with_kill_are_forwarded (%s)",
			 strsignal(faults[i]));
		if (faults[i] != SIGTRAP && faults[i] != SIGSYS &&
		    skip_emulated(name, EMU_HOST_FAULT_SIGNALS))
			continue;
		ck_assert_int_eq(kill(pid, faults[i]), 0);
		ck_assert_msg(wait_recorded(faults[i], 10000), "%s did not reach the app",
			      strsignal(faults[i]));
		ck_assert_msg(pid_alive(pid), "initc died of %s", strsignal(faults[i]));
	}
	finish_recorder(pid);
}
END_TEST

/* The target of /proc/PID/cwd (static buffer), "" when unreadable. */
static const char *cwd_of(pid_t pid)
{
	static char buf[PATH_MAX];
	char link[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/%d/cwd", (int)pid);
	n = readlink(link, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

/* In supervise mode initc's own cwd would pin the caller's mount for as
 * long as the app runs: initc moves to /, the app keeps the directory
 * initc was started in. */
START_TEST(test_supervising_initc_leaves_the_callers_directory)
{
	char *real = getcwd(NULL, 0);
	pid_t pid = start_recorder(), app = find_child(pid, 5000);

	ck_assert_msg(app > 0, "no app");
	ck_assert_str_eq(cwd_of(app), real);
	ck_assert_str_eq(cwd_of(pid), "/");
	finish_recorder(pid);
	free(real);
}
END_TEST

/* Waits until /proc/PID/status shows SIGTERM blocked (initc has set up
 * its signals: a TERM from now on is initc's to handle) or the app's name
 * (initc was faster than this loop). False when the process is gone. */
static bool wait_term_blocked(pid_t pid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	for (;;) {
		char *text = read_file(path), *line = text ? strstr(text, "SigBlk:") : NULL;
		bool ready = line && ((strtoull(line + 7, NULL, 16) & (1ULL << (SIGTERM - 1))) ||
				      strncmp(text, "Name:\tsleep\n", 12) == 0);

		free(text);
		if (!line || ready)
			return ready;
	}
}

/* The comm of a process that has ended but is not reaped yet: "initc"
 * while initc had not exec-ed the app. */
static void comm_of_ended(pid_t pid, char *comm, size_t len, int *status)
{
	char path[64], *text;
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	ck_assert(waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT) == 0);
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	text = read_file(path);
	snprintf(comm, len, "%.*s", text ? (int)strcspn(text, "\n") : 0, text ? text : "");
	free(text);
	ck_assert(waitpid(pid, status, 0) == pid);
}

/* A PATH of many directories that do not exist, then the real ones: the
 * search for the app takes milliseconds, and all of it lies between the
 * restored signal mask and the execve that succeeds. */
static char *slow_path(void)
{
	size_t cap = 64 * 1024, n = 0;
	char *path = malloc(cap);

	n += (size_t)snprintf(path, cap, "PATH=");
	for (int i = 0; i < 2000; i++)
		n += (size_t)snprintf(path + n, cap - n, "%s/none%d:", T, i);
	snprintf(path + n, cap - n, "/usr/bin:/bin");
	return path;
}

/* SIGTERM at a random moment of the exec hand-off, 200 times. Each time
 * either initc stops as during init (143, saying so) or the app (sleep)
 * gets it; never may initc die of it before the exec (lost: as PID 1 the
 * kernel would drop it and `docker stop` wait for the SIGKILL). */
START_TEST(test_term_during_exec_handoff_is_never_lost)
{
	char *path, *conf;
	const char *env[] = { NULL, NULL };
	const char *args[] = { "-c", NULL, "--", "sleep", "30", NULL };
	int lost = 0, stopped = 0, app = 0;

	if (skip_under_valgrind("test_term_during_exec_handoff_is_never_lost",
				"the signal mask and the window seen are valgrind's") ||
	    skip_emulated("test_term_during_exec_handoff_is_never_lost", EMU_VIRTUAL_SIGNALS))
		return;
	/* gcc --coverage writes the counter files just before execve: a
	 * signal in the window would jump out of that write and leave them
	 * corrupt for every later run. */
	if (skip_under_coverage("test_term_during_exec_handoff_is_never_lost",
				"a jump out of gcov's write before execve corrupts the counters"))
		return;
	env[0] = path = slow_path();
	args[1] = conf = write_config(T, "# no steps\n");
	srand((unsigned)time(NULL));
	for (int trial = 0; trial < 200; trial++) {
		pid_t pid = start_initc(args, env, T);
		char comm[32], *err = scratch_path(".stderr"), *said;
		int status;

		ck_assert_msg(wait_term_blocked(pid), "initc never blocked SIGTERM");
		{
			struct timespec ts = { 0, (rand() % 8000) * 1000L };

			nanosleep(&ts, NULL);
		}
		ck_assert_int_eq(kill(pid, SIGTERM), 0);
		comm_of_ended(pid, comm, sizeof(comm), &status);
		said = read_file(err);
		if (strcmp(comm, "sleep") == 0) {
			app++;
		} else if (WIFEXITED(status) && WEXITSTATUS(status) == 143 && said &&
			   strstr(said, "stopped by SIGTERM before the application started")) {
			stopped++;
		} else {
			lost++;
			fprintf(stderr, "trial %d: %s ended with wait status %#x: %s\n", trial, comm,
				status, said ? said : "");
		}
		free(said);
		free(err);
	}
	printf("exec hand-off: %d stopped initc, %d reached the app, %d lost\n", stopped, app,
	       lost);
	ck_assert_msg(lost == 0, "%d of 200 SIGTERMs lost at the exec hand-off", lost);
	free(path);
	free(conf);
}
END_TEST

/* The pid in DIR/name, once the file is there. */
static pid_t pid_in(const char *name)
{
	char *p = scratch_path(name), *text;
	pid_t pid;

	ck_assert_msg(wait_for_file(p, 10000), "%s never appeared", p);
	text = read_file(p);
	pid = (pid_t)atoi(text ? text : "0");
	free(text);
	free(p);
	ck_assert_msg(pid > 0, "no pid in %s", name);
	return pid;
}

/* A daemon in a session of its own started by a failed attempt (both
 * ways: the step fails, the step times out) must not survive the attempt,
 * and so neither the retries nor initc; the one a successful step
 * detached stays, as documented. */
START_TEST(test_failed_attempts_leave_no_detached_process)
{
	/* detach.sh FILE: sleep in a session of its own, its pid in FILE once
	 * detached (a step must wait for that, README "How it runs"). */
	char *detach = write_file(T, "detach.sh",
				  "setsid sleep 300 &\n"
				  "until [ \"$(cut -d' ' -f6 /proc/$!/stat)\" = $! ]; do sleep 0.01; done\n"
				  "echo $! > \"$1.tmp\"; mv \"$1.tmp\" \"$1\"\n");
	char *conf = write_config(T,
				  "[initc]\ngrace = 1s\n"
				  "[step:daemon]\n"
				  "shell = sh %s %s/kept\n"
				  "[step:fails]\n"
				  "shell = sh %s %s/failed.$(cat %s/n 2>/dev/null); echo 1 >> %s/n; exit 1\n"
				  "retries = 1\nretry_delay = 0\noptional = true\n"
				  "[step:hangs]\n"
				  "shell = sh %s %s/timedout; sleep 300\n"
				  "timeout = 1s\n",
				  detach, T, detach, T, T, T, detach, T);
	const char *args[] = { "-c", conf, NULL };
	const char *names[] = { "failed.", "failed.1", "timedout" };
	struct run_result res;
	pid_t kept;

	if (skip_emulated("test_failed_attempts_leave_no_detached_process", EMU_NO_SUBREAPER)) {
		free(detach);
		free(conf);
		return;
	}
	run_initc(args, NULL, 30, &res);
	ck_assert_msg(res.status == 124, "initc exited %d; stderr: %s", res.status, res.err);
	kept = pid_in("kept");
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		pid_t pid = pid_in(names[i]);

		ck_assert_msg(!pid_alive(pid), "%s's daemon %d survived; stderr: %s", names[i],
			      (int)pid, res.err);
	}
	ASSERT_HAS(res.err, "killed 1 process the failed attempt left outside its group");
	ck_assert_msg(pid_alive(kept), "the successful step's daemon was killed");
	kill(kept, SIGKILL);
	run_result_free(&res);
	free(detach);
	free(conf);
}
END_TEST

/* A hung FUSE mount at DIR/hung (see the hang_fuse helper), in a private
 * mount namespace of this test's process, which initc inherits; the
 * namespace ends with the test. Returns the helper's pid, or 0 (after
 * saying why) when this system cannot mount FUSE. */
static pid_t mount_hung_fs(const char *test)
{
	char *mnt = scratch_path("hung"), *ready = scratch_path("hung.ready"), *prog = helper("hang_fuse");
	const char *argv[] = { prog, mnt, ready, NULL };
	pid_t pid = 0;

	if (access("/dev/fuse", R_OK | W_OK) != 0 || unshare(CLONE_NEWNS) != 0 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) {
		printf("SKIP %s: needs root, /dev/fuse and a private mount namespace\n", test);
		goto out;
	}
	ck_assert(mkdir(mnt, 0755) == 0 || errno == EEXIST);
	unlink(ready);
	pid = start_helper(argv);
	if (!wait_for_file(ready, 5000)) {
		stop_helper(pid);
		printf("SKIP %s: FUSE cannot be mounted here\n", test);
		pid = 0;
	}
out:
	free(mnt);
	free(ready);
	free(prog);
	return pid;
}

/* Runs initc on ini with DIR/hung hung; with term_after_ms > 0 sends it
 * SIGTERM then. Expects the exit status want within 20 s: neither the
 * deadline nor the stop may wait for the file system. */
static void expect_unblocked(const char *test, const char *ini, int term_after_ms, int want)
{
	char *conf = write_config(T, "%s", ini);
	const char *args[] = { "-c", conf, "--", "true", NULL };
	pid_t fs = mount_hung_fs(test), pid;
	struct run_result res;

	if (!fs) {
		free(conf);
		return;
	}
	pid = start_initc(args, NULL, T);
	if (term_after_ms) {
		sleep_ms(term_after_ms);
		kill(pid, SIGTERM);
	}
	wait_initc(pid, T, 20, &res);
	stop_helper(fs); /* aborts the connection: what still waits gets ENOTCONN */
	{
		char *mnt = scratch_path("hung");

		umount2(mnt, MNT_DETACH);
		free(mnt);
	}
	ck_assert_msg(res.status == want, "%s: initc exited %d (-1: hung), not %d; stderr: %s", test,
		      res.status, want, res.err);
	run_result_free(&res);
	free(conf);
}

/* `creates` on a hung mount: the stat runs in a child, PID 1 goes on. */
START_TEST(test_creates_on_a_hung_mount_keeps_deadline_and_term)
{
	char *ini;

	ck_assert(asprintf(&ini, "[initc]\ndeadline = 2s\n[step:s]\ncommand = true\ncreates = %s/hung/x\n",
			   T) > 0);
	expect_unblocked("creates, deadline", ini, 0, 124);
	free(ini);
	ck_assert(asprintf(&ini, "[step:s]\ncommand = true\ncreates = %s/hung/x\n", T) > 0);
	expect_unblocked("creates, TERM", ini, 1000, 143);
	free(ini);
}
END_TEST

/* A step whose directory, or whose program, is on a hung mount: its
 * child blocks in chdir or execve, and initc, which no longer waits for
 * the start, still honours the step's timeout, the deadline and TERM. */
START_TEST(test_step_starting_on_a_hung_mount_keeps_deadline_and_term)
{
	char *ini;

	ck_assert(asprintf(&ini, "[initc]\ndeadline = 2s\n[step:s]\ncommand = true\ndirectory = %s/hung\n",
			   T) > 0);
	expect_unblocked("directory, deadline", ini, 0, 124);
	free(ini);
	ck_assert(asprintf(&ini, "[initc]\ngrace = 1s\n[step:s]\ncommand = %s/hung/prog\n", T) > 0);
	expect_unblocked("exec, TERM", ini, 1000, 143);
	free(ini);
	ck_assert(asprintf(&ini, "[initc]\ngrace = 1s\n[step:s]\ncommand = %s/hung/prog\ntimeout = 1s\n",
			   T) > 0);
	expect_unblocked("exec, timeout", ini, 0, 124);
	free(ini);
}
END_TEST

/* The state letter of /proc/PID/stat ('T': stopped), or '?'. */
static char state_of(pid_t pid)
{
	char path[64], *text, *paren, state = '?';

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	text = read_file(path);
	paren = text ? strrchr(text, ')') : NULL;
	if (paren && paren[1] == ' ')
		state = paren[2];
	free(text);
	return state;
}

/* Without a terminal (setsid) nothing would ever continue a stopped app:
 * initc says so and continues it, rather than wait forever unnoticed. */
START_TEST(test_stopped_app_without_a_terminal_is_continued)
{
	char *conf = write_config(T, "[initc]\ngrace = 1s\n");
	const char *args[] = { "setsid", initc_bin(), "-c", conf, "-s", "--", "sleep", "30", NULL };
	pid_t pid = start_program(args, NULL, T), app = find_child(pid, 10000);
	char *err = scratch_path(".stderr");
	struct run_result res;

	ck_assert_msg(app > 0, "no app");
	ck_assert_int_eq(kill(app, SIGSTOP), 0);
	ck_assert_msg(wait_for_text(err, "stopped by SIGSTOP; continuing it", 10000),
		      "initc did not notice the stop");
	for (int i = 0; i < 500 && state_of(app) == 'T'; i++)
		sleep_ms(10);
	ck_assert_msg(state_of(app) != 'T', "the app is still stopped");
	kill(pid, SIGTERM);
	wait_initc(pid, T, 20, &res);
	ck_assert_msg(res.status == 143, "initc exited %d; stderr: %s", res.status, res.err);
	run_result_free(&res);
	free(err);
	free(conf);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("robust");
	TCase *tc = tcase_create("robust");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, scratch_setup, scratch_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_started_with_sigchld_ignored_still_sees_every_exit);
	tcase_add_test(tc, test_fault_signals_sent_with_kill_are_forwarded);
	tcase_add_test(tc, test_supervising_initc_leaves_the_callers_directory);
	tcase_add_test(tc, test_failed_attempts_leave_no_detached_process);
	tcase_add_test(tc, test_creates_on_a_hung_mount_keeps_deadline_and_term);
	tcase_add_test(tc, test_stopped_app_without_a_terminal_is_continued);
	tcase_add_test(tc, test_step_starting_on_a_hung_mount_keeps_deadline_and_term);
	suite_add_tcase(s, tc);
	/* 200 starts of initc: a case of its own (CK_RUN_CASE=handoff). */
	tc = tcase_create("handoff");
	tcase_add_checked_fixture(tc, scratch_setup, scratch_teardown);
	tcase_set_timeout(tc, 180);
	tcase_add_test(tc, test_term_during_exec_handoff_is_never_lost);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
