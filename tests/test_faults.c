/* Fault injection: the real build/initc when the system says no. fork
 * failing (a real RLIMIT_NPROC for an unprivileged uid), exec failing
 * (ENOENT, EACCES, ENOEXEC, ETXTBSY), `directory` and `user` failing for
 * the app, no /dev/null (a chroot), a read-only status file (a bind mount
 * in a private mount namespace), and signal storms (10,000 USR1 to initc,
 * 1,000 orphans to reap). Each checks the message, the exit status, and
 * that nothing after the failure ran and nothing before it was lost.
 * Each test gets a temp dir T, exported to initc as $T. */
#include <check.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

/* make check-sanitize builds initc and this test with ASan. */
#ifdef __SANITIZE_ADDRESS__
static const bool under_asan = true;
#else
static const bool under_asan = false;
#endif

static bool exists(const char *name)
{
	char *p = scratch_path(name);
	bool e = file_exists(p);

	free(p);
	return e;
}

static char *slurp(const char *name)
{
	char *p = scratch_path(name), *text = read_file(p);

	free(p);
	return text ? text : strdup("<missing>");
}

static bool under_valgrind(void)
{
	return getenv("INITC_UNDER_VALGRIND") != NULL;
}

/* Whether the test runs as root; prints why it skips when not. */
static bool need_root(const char *test)
{
	if (geteuid() == 0)
		return true;
	printf("SKIP %s: needs root\n", test);
	return false;
}

/* Whether the test may mount in a private mount namespace (root, and a
 * kernel and sandbox that allow it); prints why it skips when not. */
static bool can_mount(const char *test)
{
	if (geteuid() == 0 &&
	    system("unshare --mount --propagation private mount -t tmpfs none /mnt "
		   ">/dev/null 2>&1") == 0)
		return true;
	printf("SKIP %s: cannot mount in a private mount namespace\n", test);
	return false;
}

#define ASSERT_ERR_HAS(r, s) ck_assert_msg(strstr((r).err, (s)), "stderr lacks '%s':\n%s", (s), (r).err)
#define ASSERT_STATUS(r, want) \
	ck_assert_msg((r).status == (want), "initc exited %d, want %d; stderr:\n%s", (r).status, \
		      (want), (r).err)

/* Runs prefix... initc -c T/initc.ini args... (prefix and args are
 * NULL-terminated, either may be NULL), with $T and $HELPERS set. */
static void run_wrapped(const char *const *prefix, const char *config, const char *const *args,
			struct run_result *r)
{
	const char *argv[32], *envp[4] = { t_env, NULL, NULL, NULL };
	char *conf = write_file(T, "initc.ini", config), *helpers = NULL, *asan = NULL;
	size_t n = 0;
	pid_t pid;

	if (asprintf(&helpers, "HELPERS=%s", getenv("HELPERS") ? getenv("HELPERS") : "") < 0)
		abort();
	envp[1] = helpers;
	/* make check-sanitize: LeakSanitizer's check at exit needs a thread
	 * and /proc, which some faults take away; memory errors still abort. */
	if (getenv("ASAN_OPTIONS") &&
	    asprintf(&asan, "ASAN_OPTIONS=%s:detect_leaks=0", getenv("ASAN_OPTIONS")) < 0)
		abort();
	envp[2] = asan;
	for (size_t i = 0; prefix && prefix[i] && n < 24; i++)
		argv[n++] = prefix[i];
	argv[n++] = initc_bin();
	argv[n++] = "-c";
	argv[n++] = conf;
	for (size_t i = 0; args && args[i] && n < 31; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	pid = prefix ? start_program(argv, envp, T) : start_initc(argv + 1, envp, T);
	wait_initc(pid, T, 60, r);
	free(conf);
	free(helpers);
	free(asan);
}

static void run(const char *config, const char *const *args, struct run_result *r)
{
	run_wrapped(NULL, config, args, r);
}

static pid_t start_with(const char *config, const char *const *args);

/* --- fork failing: a real RLIMIT_NPROC --- */

/* Whether fork failing can be tested here; prints why it skips when not.
 * Under valgrind 3.19 a program whose fork has failed dies of SIGSEGV at its
 * next stack growth, whatever it does (seen with a ten-line C program that
 * forks under `prlimit --nproc=1`, then recurses). */
static bool fork_failure_runs(const char *test)
{
	return !skip_emulated(test, EMU_THREADS) && need_root(test) &&
	       !skip_under_valgrind(test, "valgrind cannot grow the stack after a failed fork");
}

/* RLIMIT_NPROC does not hold for root, so initc runs as a uid of its own
 * (no other process has it) with a limit of one process: itself. Every
 * fork of initc then fails with EAGAIN. */
static void run_without_fork(const char *config, const char *const *args, struct run_result *r)
{
	char uid[32], gid[32];
	unsigned id = 61000 + (unsigned)getpid() % 4000;
	const char *prefix[] = { "setpriv", uid, gid, "--clear-groups", "prlimit", "--nproc=1", NULL };

	snprintf(uid, sizeof(uid), "--reuid=%u", id);
	snprintf(gid, sizeof(gid), "--regid=%u", id);
	run_wrapped(prefix, config, args, r);
}

START_TEST(test_fork_failing_fails_the_step_and_runs_nothing_after)
{
	const char *args[] = { "--", "sh", "-c", "echo ran > $T/app-ran", NULL };
	struct run_result r;

	if (!fork_failure_runs("test_fork_failing_fails_the_step_and_runs_nothing_after"))
		return;
	run_without_fork("[step:first]\ncommand = true\nretries = 1\nretry_delay = 10ms\n"
			 "[step:second]\nshell = echo ran > $T/second-ran\n",
			 args, &r);
	ASSERT_STATUS(r, 126);
	ASSERT_ERR_HAS(r, "step first: cannot start 'true': fork: Resource temporarily unavailable");
	/* The retry met the same limit: two attempts, each failing to start. */
	ck_assert_int_eq(count_substr(r.err, "fork: Resource temporarily unavailable"), 2);
	ck_assert(!exists("second-ran"));
	ck_assert(!exists("app-ran"));
	run_result_free(&r);
}
END_TEST

START_TEST(test_fork_failing_for_the_supervised_app)
{
	const char *args[] = { "-s", "--", "/bin/true", NULL };
	struct run_result r;

	if (!fork_failure_runs("test_fork_failing_for_the_supervised_app"))
		return;
	run_without_fork("", args, &r);
	ASSERT_STATUS(r, 126);
	ASSERT_ERR_HAS(r, "main: cannot start '/bin/true': fork: Resource temporarily unavailable");
	ASSERT_ERR_HAS(r, "status Error");
	run_result_free(&r);
}
END_TEST

/* --- exec failing --- */

struct exec_case {
	const char *file;   /* in T */
	const char *text;   /* its content, NULL: none */
	mode_t mode;
	int status;
	const char *error;  /* strerror and hint after "cannot run 'PATH': " */
	bool no_valgrind;   /* valgrind cannot recover from this execve failing */
};

static const struct exec_case exec_cases[] = {
	{ "missing", NULL, 0, 127, "No such file or directory", false },
	{ "not-executable", "#!/bin/sh\necho hi\n", 0644, 126, "Permission denied", false },
	{ "no-shebang", "echo hi\n", 0755, 126,
	  "Exec format error (a script needs a '#!' first line)", false },
	{ "busy", NULL, 0755, 126, "Text file busy", true },
};

/* Creates the case's file; for "busy", a copy of /bin/true that stays open
 * for writing (returned fd) while initc tries to run it. */
static int make_exec_case(const struct exec_case *c, char **file)
{
	char *cmd;
	int fd = -1;

	*file = scratch_path(c->file);
	if (c->text) {
		free(write_file(T, c->file, c->text));
		ck_assert_int_eq(chmod(*file, c->mode), 0);
	} else if (c->mode) {
		if (asprintf(&cmd, "cp /bin/true '%s'", *file) < 0)
			abort();
		ck_assert_int_eq(system(cmd), 0);
		free(cmd);
		fd = open(*file, O_WRONLY | O_CLOEXEC);
		ck_assert_int_ge(fd, 0);
	}
	return fd;
}

/* Whether the case can run here; prints why it skips when not. */
static bool exec_case_runs(const struct exec_case *c, const char *test)
{
	if (!c->no_valgrind || !under_valgrind())
		return true;
	printf("SKIP %s (%s): valgrind dies when execve fails with it\n", test, c->error);
	return false;
}

static void assert_cannot_run(const struct run_result *r, const char *who, const char *file,
			      const struct exec_case *c)
{
	char *want;

	if (asprintf(&want, "%s: cannot run '%s': %s", who, file, c->error) < 0)
		abort();
	ASSERT_STATUS(*r, c->status);
	ASSERT_ERR_HAS(*r, want);
	free(want);
}

START_TEST(test_exec_failing_for_a_step)
{
	const struct exec_case *c = &exec_cases[_i];
	const char *args[] = { "--", "sh", "-c", "echo ran > $T/app-ran", NULL };
	struct run_result r;
	char *file, *config;
	int fd;

	if (!exec_case_runs(c, "test_exec_failing_for_a_step"))
		return;
	fd = make_exec_case(c, &file);
	if (asprintf(&config, "[step:before]\nshell = echo ok > $T/before-ran\n"
			      "[step:bad]\ncommand = %s\n[step:after]\nshell = echo ran > $T/after-ran\n",
		     file) < 0)
		abort();
	run(config, args, &r);
	assert_cannot_run(&r, "step bad", file, c);
	ck_assert(exists("before-ran"));
	ck_assert(!exists("after-ran"));
	ck_assert(!exists("app-ran"));
	run_result_free(&r);
	if (fd >= 0)
		close(fd);
	free(config);
	free(file);
}
END_TEST

START_TEST(test_exec_failing_for_the_app)
{
	const struct exec_case *c = &exec_cases[_i / 2];
	bool supervise = _i % 2;
	const char *args[] = { supervise ? "-s" : "--", "--", NULL, NULL };
	struct run_result r;
	char *file;
	int fd;

	if (!exec_case_runs(c, "test_exec_failing_for_the_app"))
		return;
	fd = make_exec_case(c, &file);
	args[2] = file;
	run("[step:before]\nshell = echo ok > $T/before-ran\n", supervise ? args : args + 1, &r);
	assert_cannot_run(&r, "main", file, c);
	ASSERT_ERR_HAS(r, "status Error");
	ck_assert(exists("before-ran"));
	run_result_free(&r);
	if (fd >= 0)
		close(fd);
	free(file);
}
END_TEST

/* PATH search as execvp does it: a file that is not executable is
 * remembered and the search goes on; any other error ends it. */
START_TEST(test_exec_failing_in_path)
{
	const char *config = "[step:tool]\ncommand = tool\nenvironment = PATH=${T}/a:${T}/b\n";
	struct run_result r;
	char *a = scratch_path("a"), *b = scratch_path("b"), *file;

	ck_assert_int_eq(mkdir(a, 0755), 0);
	ck_assert_int_eq(mkdir(b, 0755), 0);
	free(write_file(a, "tool", "#!/bin/sh\nexit 0\n")); /* 0644: EACCES */
	run(config, NULL, &r);
	ASSERT_STATUS(r, 126);
	ASSERT_ERR_HAS(r, "step tool: cannot run 'tool': Permission denied");
	run_result_free(&r);
	file = write_file(b, "tool", "#!/bin/sh\necho ran > \"$T/b-ran\"\n");
	ck_assert_int_eq(chmod(file, 0755), 0);
	free(file);
	run(config, NULL, &r);
	ASSERT_STATUS(r, 0);
	ck_assert(exists("b-ran"));
	run_result_free(&r);
	file = write_file(a, "tool", "echo no shebang\n");
	ck_assert_int_eq(chmod(file, 0755), 0);
	free(file);
	run(config, NULL, &r);
	ASSERT_STATUS(r, 126);
	ASSERT_ERR_HAS(r, "step tool: cannot run 'tool': Exec format error");
	run_result_free(&r);
	free(a);
	free(b);
}
END_TEST

/* --- descriptors and privileges running out --- */

START_TEST(test_pipe_failing_with_no_descriptors_left)
{
	/* 0-2 and the signalfd fit, the report pipe's two ends do not
	 * (nothing else inherited: the launcher closes make's jobserver). */
	char *launcher = helper_path("launcher");
	const char *prefix[] = { launcher, "-C", "--", "prlimit", "--nofile=5", NULL };
	const char *args[] = { "--", "sh", "-c", "echo ran > $T/app-ran", NULL };
	struct run_result r;

	if (skip_under_valgrind("test_pipe_failing_with_no_descriptors_left",
				"valgrind needs descriptors")) {
		free(launcher);
		return;
	}
	run_wrapped(prefix, "[step:first]\ncommand = true\n", args, &r);
	ASSERT_STATUS(r, 126);
	ASSERT_ERR_HAS(r, "step first: cannot start 'true': pipe: Too many open files");
	ck_assert(!exists("app-ran"));
	run_result_free(&r);
	free(launcher);
}
END_TEST

START_TEST(test_user_setting_without_root)
{
	char uid[32];
	const char *prefix[] = { "setpriv", uid, "--regid=65534", "--clear-groups", NULL };
	struct run_result r;

	if (!need_root("test_user_setting_without_root"))
		return;
	snprintf(uid, sizeof(uid), "--reuid=%u", 61000 + (unsigned)getpid() % 4000);
	run_wrapped(prefix, "[step:as-nobody]\ncommand = true\nuser = nobody\n", NULL, &r);
	ASSERT_STATUS(r, 126);
	ASSERT_ERR_HAS(r, "step as-nobody: cannot start 'true': setgroups failed: "
			  "Operation not permitted; 'user =' needs initc to run as root");
	run_result_free(&r);
}
END_TEST

/* --- stop signals at awkward moments --- */

/* A TERM already pending when initc starts (sent while its parent blocked
 * it): initc reads it before the app starts and never starts it. */
START_TEST(test_stop_signal_pending_before_the_app)
{
	char *launcher = helper_path("launcher");
	const char *prefix[] = { launcher, "-k", "15", "--", NULL };
	const char *exec_args[] = { "--", "sh", "-c", "echo ran > $T/app-ran", NULL };
	const char *sup_args[] = { "-s", "--", "sh", "-c", "echo ran > $T/app-ran", NULL };
	struct run_result r;

	for (int supervise = 0; supervise < 2; supervise++) {
		run_wrapped(prefix, "", supervise ? sup_args : exec_args, &r);
		ASSERT_STATUS(r, 143);
		ASSERT_ERR_HAS(r, "stopped by SIGTERM before the application started");
		ck_assert(!exists("app-ran"));
		run_result_free(&r);
	}
	free(launcher);
}
END_TEST

START_TEST(test_stop_during_a_retry_delay)
{
	const char *args[] = { "--", "sh", "-c", "echo ran > $T/app-ran", NULL };
	struct run_result r;
	char *err = scratch_path(".stderr");
	pid_t pid = start_with("[step:flaky]\nshell = echo x >> $T/tries; exit 1\n"
			       "retries = 3\nretry_delay = 60s\n",
			       args);

	ck_assert_msg(wait_for_text(err, "step flaky: retrying in", 20000), "no retry delay");
	ck_assert_int_eq(kill(pid, SIGTERM), 0);
	wait_initc(pid, T, 60, &r);
	ASSERT_STATUS(r, 143);
	free(err);
	err = slurp("tries");
	ck_assert_str_eq(err, "x\n"); /* one attempt, no retry after the stop */
	ck_assert(!exists("app-ran"));
	run_result_free(&r);
	free(err);
}
END_TEST

/* Runs initc -v -c conf ARGS with stdout and stderr a pipe nobody reads;
 * returns its wait status. */
static int run_with_closed_stderr(const char *conf, const char *const *args)
{
	const char *argv[16] = { initc_bin(), "-v", "-c", conf };
	int fds[2], status;
	size_t n = 4;
	pid_t pid;

	for (size_t i = 0; args[i] && n < 15; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	ck_assert_int_eq(pipe(fds), 0);
	close(fds[0]);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		dup2(fds[1], 1);
		dup2(fds[1], 2);
		setenv("T", T, 1);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(fds[1]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	return status;
}

/* stderr a pipe nobody reads: every log line fails with EPIPE and raises
 * SIGPIPE at initc, which must neither die of it nor hand it to the app
 * (pending signals survive exec), whatever the app's fate. */
START_TEST(test_closed_stderr_changes_nothing)
{
	static const struct { const char *args[8]; int status; } cases[] = {
		{ { "--", "sh", "-c", "echo ran > $T/app-ran", NULL }, 0 },
		{ { "--", "/no/such/app", NULL }, 127 },
		{ { "-s", "--", "sh", "-c", "echo ran > $T/app-ran; exit 3", NULL }, 3 },
	};
	char *conf = write_file(T, "initc.ini", "[step:one]\nshell = echo ok > $T/one-ran\n"
						"[step:two]\nshell = echo ok > $T/two-ran\n");
	char *app = scratch_path("app-ran");

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int status = run_with_closed_stderr(conf, cases[i].args);

		ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == cases[i].status,
			      "case %zu: wait status %#x, want exit %d", i, status, cases[i].status);
		ck_assert(exists("one-ran") && exists("two-ran"));
		ck_assert(exists("app-ran") == (cases[i].status != 127));
		unlink(app);
	}
	free(app);
	free(conf);
}
END_TEST

/* --- the app's directory and user --- */

START_TEST(test_app_directory_missing)
{
	const char *exec_args[] = { "--", "true", NULL };
	const char *sup_args[] = { "-s", "--", "true", NULL };
	const char *config = "[main]\ndirectory = /nonexistent/app-dir\n";
	struct run_result r;

	run(config, exec_args, &r);
	ASSERT_STATUS(r, 126);
	ASSERT_ERR_HAS(r, "main: cannot change to directory '/nonexistent/app-dir': "
			  "No such file or directory");
	run_result_free(&r);
	run(config, sup_args, &r);
	ASSERT_STATUS(r, 126);
	ASSERT_ERR_HAS(r, "main: cannot change to directory '/nonexistent/app-dir'");
	run_result_free(&r);
}
END_TEST

START_TEST(test_app_user_unknown)
{
	const char *args[] = { "-s", "--", "sh", "-c", "echo ran > $T/app-ran", NULL };
	struct run_result r;

	for (int supervise = 0; supervise < 2; supervise++) {
		run("[step:before]\nshell = echo ok > $T/before-ran\n"
		    "[main]\nuser = no-such-user-xyz\n", supervise ? args : args + 1, &r);
		ASSERT_STATUS(r, 126);
		ASSERT_ERR_HAS(r, "main: unknown user 'no-such-user-xyz'");
		ck_assert(exists("before-ran"));
		ck_assert(!exists("app-ran"));
		run_result_free(&r);
	}
}
END_TEST

/* --- /proc unavailable --- */

/* Supervise as subreaper finds the app's leftovers in /proc. With an empty
 * /proc (a tmpfs over it, in a private mount namespace) it says so, waits
 * out the grace period and exits with the app's status, not waiting for
 * what it cannot see. */
START_TEST(test_leftovers_without_proc)
{
	const char *prefix[] = { "unshare", "--mount", "--propagation", "private", "sh", "-c",
				 "mount -t tmpfs none /proc && exec \"$@\"", "sh", NULL };
	const char *args[] = { "-s", "--", "sh", "-c",
			       "sleep 60 & echo $! > $T/leftover; exit 5", NULL };
	struct run_result r;
	char *pid_text;

	if (skip_emulated("test_leftovers_without_proc", EMU_NO_SUBREAPER))
		return;

	if (!can_mount("test_leftovers_without_proc"))
		return;
	if (under_valgrind() || under_asan) {
		printf("SKIP test_leftovers_without_proc: valgrind and ASan need /proc\n");
		return;
	}
	run_wrapped(prefix, "[initc]\ngrace = 1s\n", args, &r);
	ASSERT_STATUS(r, 5);
	ASSERT_ERR_HAS(r, "main: cannot list the leftovers in /proc: No such file or directory");
	pid_text = slurp("leftover");
	/* It outlived initc (no hang, no kill): end it here. */
	ck_assert_int_eq(kill(atoi(pid_text), SIGKILL), 0);
	free(pid_text);
	run_result_free(&r);
}
END_TEST

/* --- /dev/null unavailable --- */

/* initc-static alone in a chroot, with no /dev: a step cannot get
 * /dev/null as its stdin and fails before it runs. */
START_TEST(test_no_dev_null_in_a_chroot)
{
	const char *stat_bin = getenv("INITC_STATIC");
	char *root, *cmd, *out, *err;
	int rc;

	if (!need_root("test_no_dev_null_in_a_chroot"))
		return;
	if (!stat_bin || !*stat_bin) {
		printf("SKIP test_no_dev_null_in_a_chroot: no static build (INITC_STATIC unset)\n");
		return;
	}
	root = scratch_path("root");
	ck_assert_int_eq(mkdir(root, 0755), 0);
	free(write_file(root, "initc.ini", "[step:first]\ncommand = /initc --version\n"));
	out = scratch_path("out");
	err = scratch_path("err");
	if (asprintf(&cmd, "cp '%s' '%s/initc' && chroot '%s' /initc -c /initc.ini >'%s' 2>'%s'",
		     stat_bin, root, root, out, err) < 0)
		abort();
	rc = system(cmd);
	free(cmd);
	ck_assert_msg(WIFEXITED(rc), "system: %d", rc);
	cmd = read_file(err);
	if (!cmd)
		cmd = strdup("<no stderr: the copy or chroot failed>");
	ck_assert_msg(WEXITSTATUS(rc) == 126, "exit %d:\n%s", WEXITSTATUS(rc), cmd);
	ck_assert_msg(strstr(cmd, "step first: cannot start '/initc': open /dev/null as stdin "
				  "failed: No such file or directory"), "stderr:\n%s", cmd);
	free(cmd);
	free(out);
	free(err);
	free(root);
}
END_TEST

/* --- status file on a read-only mount --- */

START_TEST(test_status_file_on_a_read_only_mount)
{
	/* sh -c SCRIPT RO initc...: $0 is the directory, "$@" initc's command line. */
	const char *mount_ro = "mount --bind \"$0\" \"$0\" && mount -o remount,bind,ro \"$0\" && "
			       "exec \"$@\"";
	const char *prefix[] = { "unshare", "--mount", "--propagation", "private", "sh", "-c",
				 mount_ro, NULL, NULL };
	const char *args[] = { "-s", "--", "sh", "-c", "echo ran > $T/app-ran", NULL };
	struct run_result r;
	char *ro, *config;

	if (!can_mount("test_status_file_on_a_read_only_mount"))
		return;
	ro = scratch_path("ro");
	prefix[7] = ro;
	ck_assert_int_eq(mkdir(ro, 0755), 0);
	if (asprintf(&config, "[initc]\nstatus_file = %s/status\n"
			      "[step:one]\nshell = echo ok > $T/one-ran\n"
			      "[step:two]\nshell = echo ok > $T/two-ran\n", ro) < 0)
		abort();
	run_wrapped(prefix, config, args, &r);
	ASSERT_STATUS(r, 0);
	ASSERT_ERR_HAS(r, "Read-only file system (continuing)");
	/* Four phases, one warning. */
	ck_assert_int_eq(count_substr(r.err, "cannot write status file"), 1);
	ck_assert(exists("one-ran") && exists("two-ran") && exists("app-ran"));
	ck_assert(!exists("ro/status"));
	run_result_free(&r);
	free(config);
	free(ro);
}
END_TEST

/* --- signal storms --- */

/* Starts initc in the background on config (with $T, $HELPERS). */
static pid_t start_with(const char *config, const char *const *args)
{
	const char *argv[16] = { "-c" };
	char *conf = write_file(T, "initc.ini", config), *helpers;
	const char *envp[] = { t_env, NULL, NULL };
	size_t n = 2;
	pid_t pid;

	if (asprintf(&helpers, "HELPERS=%s", getenv("HELPERS") ? getenv("HELPERS") : "") < 0)
		abort();
	envp[1] = helpers;
	argv[1] = conf;
	for (size_t i = 0; args && args[i] && n < 15; i++)
		argv[n++] = args[i];
	pid = start_initc(argv, envp, T);
	free(conf);
	free(helpers);
	return pid;
}

static void wait_ready(const char *name)
{
	char *p = scratch_path(name);

	ck_assert_msg(wait_for_file(p, 20000), "%s never appeared", p);
	free(p);
}

static void touch(const char *name)
{
	free(write_file(T, name, ""));
}

/* A step that ignores USR1, says it is ready and waits for $T/go. */
static const char usr1_step[] =
	"[step:patient]\nshell = trap '' USR1; touch $T/ready; "
	"while [ ! -e $T/go ]; do sleep 0.05; done; echo done > $T/step-done\n";

static void usr1_storm(pid_t pid)
{
	for (int i = 0; i < 10000; i++)
		ck_assert_int_eq(kill(pid, SIGUSR1), 0);
}

START_TEST(test_usr1_storm_during_a_step_changes_nothing)
{
	const char *args[] = { "--", "sh", "-c", "echo ran > $T/app-ran", NULL };
	struct run_result r;
	pid_t pid = start_with(usr1_step, args);

	wait_ready("ready");
	usr1_storm(pid);
	touch("go");
	wait_initc(pid, T, 60, &r);
	ASSERT_STATUS(r, 0);
	ck_assert(exists("step-done") && exists("app-ran"));
	run_result_free(&r);
}
END_TEST

START_TEST(test_usr1_storm_then_term_stops_initc)
{
	const char *args[] = { "--", "sh", "-c", "echo ran > $T/app-ran", NULL };
	struct run_result r;
	pid_t pid = start_with(usr1_step, args);

	wait_ready("ready");
	usr1_storm(pid);
	ck_assert_int_eq(kill(pid, SIGTERM), 0);
	/* No timing assertion: a hang shows as the 60 s timeout (-1). */
	wait_initc(pid, T, 60, &r);
	ASSERT_STATUS(r, 143);
	ck_assert(!exists("step-done") && !exists("app-ran"));
	run_result_free(&r);
}
END_TEST

/* Waits until initc has no zombie children left; false after 20 s. */
static bool all_reaped(pid_t pid)
{
	for (int i = 0; i < 400; i++) {
		if (count_children(pid, true) == 0)
			return true;
		usleep(50000);
	}
	return false;
}

START_TEST(test_orphan_storm_from_a_step_is_reaped)
{
	const char *args[] = { "--", "sh", "-c", "echo ran > $T/app-ran", NULL };
	struct run_result r;
	pid_t pid;

	if (skip_emulated("test_orphan_storm_from_a_step_is_reaped", EMU_NO_SUBREAPER))
		return;
	pid = start_with("[step:storm]\ncommand = ${HELPERS}/orphans 1000\n"
			 "[step:after]\nshell = touch $T/ready; "
			 "while [ ! -e $T/go ]; do sleep 0.05; done\n",
			 args);
	wait_ready("ready");
	ck_assert_msg(all_reaped(pid), "initc left %d zombies", count_children(pid, true));
	touch("go");
	wait_initc(pid, T, 60, &r);
	ASSERT_STATUS(r, 0);
	ASSERT_ERR_HAS(r, "step storm: succeeded");
	ck_assert(exists("app-ran"));
	run_result_free(&r);
}
END_TEST

START_TEST(test_orphan_storm_from_the_supervised_app_is_reaped)
{
	const char *args[] = { "-s", "--", "sh", "-c",
			       "$HELPERS/orphans 1000 || exit 1; touch $T/ready; "
			       "while [ ! -e $T/go ]; do sleep 0.05; done; exit 7", NULL };
	struct run_result r;
	pid_t pid;

	if (skip_emulated("test_orphan_storm_from_the_supervised_app_is_reaped",
			  EMU_NO_SUBREAPER))
		return;
	pid = start_with("", args);
	wait_ready("ready");
	ck_assert_msg(all_reaped(pid), "initc left %d zombies", count_children(pid, true));
	ck_assert_int_eq(count_children(pid, false), 1); /* the app only */
	touch("go");
	wait_initc(pid, T, 60, &r);
	ASSERT_STATUS(r, 7);
	run_result_free(&r);
}
END_TEST

static Suite *faults_suite(void)
{
	Suite *s = suite_create("faults");
	TCase *tc = tcase_create("faults");
	size_t n_exec = sizeof(exec_cases) / sizeof(exec_cases[0]);

	tcase_set_timeout(tc, under_valgrind() ? 240 : 90);
	tcase_add_checked_fixture(tc, scratch_setup, scratch_teardown);
	tcase_add_test(tc, test_fork_failing_fails_the_step_and_runs_nothing_after);
	tcase_add_test(tc, test_fork_failing_for_the_supervised_app);
	tcase_add_loop_test(tc, test_exec_failing_for_a_step, 0, (int)n_exec);
	tcase_add_loop_test(tc, test_exec_failing_for_the_app, 0, 2 * (int)n_exec);
	tcase_add_test(tc, test_exec_failing_in_path);
	tcase_add_test(tc, test_pipe_failing_with_no_descriptors_left);
	tcase_add_test(tc, test_user_setting_without_root);
	tcase_add_test(tc, test_stop_signal_pending_before_the_app);
	tcase_add_test(tc, test_stop_during_a_retry_delay);
	tcase_add_test(tc, test_closed_stderr_changes_nothing);
	tcase_add_test(tc, test_app_directory_missing);
	tcase_add_test(tc, test_app_user_unknown);
	tcase_add_test(tc, test_leftovers_without_proc);
	tcase_add_test(tc, test_no_dev_null_in_a_chroot);
	tcase_add_test(tc, test_status_file_on_a_read_only_mount);
	tcase_add_test(tc, test_usr1_storm_during_a_step_changes_nothing);
	tcase_add_test(tc, test_usr1_storm_then_term_stops_initc);
	tcase_add_test(tc, test_orphan_storm_from_a_step_is_reaped);
	tcase_add_test(tc, test_orphan_storm_from_the_supervised_app_is_reaped);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(faults_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
