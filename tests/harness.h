/* Shared helpers for the integration tests: temp dirs, files, and running
 * the real build/initc with a timeout, capturing its output. */
#ifndef INITC_TEST_HARNESS_H
#define INITC_TEST_HARNESS_H

#include <stdbool.h>
#include <sys/types.h>

struct run_result {
	int status;   /* exit status, 128+N if killed by signal N, -1 on timeout */
	char *out;    /* stdout */
	char *err;    /* stderr */
	double secs;  /* wall time */
};

/* Sleeps ms milliseconds. */
void sleep_ms(int ms);

/* dir/name (malloc'd; aborts on failure). */
char *path_join(const char *dir, const char *name);

/* The binary under test: $INITC_BIN, default build/initc. */
const char *initc_bin(void);

/* A fresh directory under /tmp (mode 0755); remove it with rm_rf. */
char *make_tempdir(void);
void rm_rf(const char *dir);

/* dir/name with text, mode 0644; returns the full path (malloc'd). */
char *write_file(const char *dir, const char *name, const char *text);
/* The whole file, or NULL. */
char *read_file(const char *path);
bool file_exists(const char *path);

/* Runs initc with args (NULL-terminated, without argv[0]) and extra
 * environment entries ("K=V", may be NULL), killing it after timeout_s. */
void run_initc(const char *const *args, const char *const *env, int timeout_s,
	       struct run_result *res);

/* Starts initc in the background (stdout/stderr to files in dir); returns
 * its pid. Finish with wait_initc. */
pid_t start_initc(const char *const *args, const char *const *env, const char *dir);
/* Like start_initc for any program (args[0] is looked up in PATH). */
pid_t start_program(const char *const *args, const char *const *env, const char *dir);
void wait_initc(pid_t pid, const char *dir, int timeout_s, struct run_result *res);

void run_result_free(struct run_result *res);

/* Polls until path exists, up to timeout_ms; true if it appeared. */
bool wait_for_file(const char *path, int timeout_ms);

/* True when a process with this pid exists and is not a zombie. */
bool pid_alive(pid_t pid);

/* Number of zombie processes visible in /proc. */
int count_zombies(void);

/* True when this test may create PID namespaces (root, unshare works). */
bool can_unshare_pid(void);

/* $HELPERS/name (malloc'd): a program built from tests/helpers/NAME.c. */
char *helper_path(const char *name);

/* Starts a helper program (argv[0] is its path) with stdin from /dev/null
 * and default signal handling; returns its pid. */
pid_t start_helper(const char *const *argv);

/* Kills (SIGKILL) and reaps a process started with start_helper. */
void stop_helper(pid_t pid);

/* Polls until the file at path contains needle, up to timeout_ms. */
bool wait_for_text(const char *path, const char *needle, int timeout_ms);

/* Writes dir/initc.ini (mode 0644) from a printf format; returns its path. */
char *write_config(const char *dir, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* How many times needle occurs in hay (not overlapping). */
int count_substr(const char *hay, const char *needle);


/* For Check suites (include <check.h> first): text must contain needle. */
#ifdef ck_assert_msg
#define ASSERT_HAS(text, needle) \
	ck_assert_msg(strstr((text), (needle)), "missing '%s' in:\n%s", (needle), (text))
#endif
/* A child of parent, waiting for one up to timeout_ms; -1 if none. */
pid_t find_child(pid_t parent, int timeout_ms);

/* How many children parent has (only zombies with zombies_only). */
int count_children(pid_t parent, bool zombies_only);

/* voluntary_ctxt_switches of pid from /proc/PID/status, or -1. */
long voluntary_switches(pid_t pid);

/* The fixture most suites share (tcase_add_checked_fixture with
 * scratch_setup, scratch_teardown): a fresh directory per test. T is its
 * path, t_env "T=<path>" for configs and scripts that say ${T} or $T. */
extern char *T, *t_env;
void scratch_setup(void);
void scratch_teardown(void);

/* T/name, malloc'd. */
char *scratch_path(const char *name);

/* Writes config to T/initc.ini, runs `initc -c T/initc.ini args...` in T
 * with t_env and env added to the environment (each NULL-terminated, or
 * NULL; up to 13 args and 6 variables), and waits up to timeout_s. */
void run_scratch_config(const char *config, const char *const *args, const char *const *env,
			int timeout_s, struct run_result *r);

/* True under `make check-valgrind` (initc runs under memcheck); then also
 * prints "SKIP test: why". For what valgrind itself changes: the process
 * a test looks at is valgrind's, with valgrind's signal handling. */
bool skip_under_valgrind(const char *test, const char *why);

/* The same under `make coverage` (initc built with gcc --coverage). */
bool skip_under_coverage(const char *test, const char *why);

/* Reasons a case cannot run when initc is a foreign binary under qemu-user
 * (make check-arch sets INITC_EMULATED=1). */
#define EMU_NO_SUBREAPER \
	"qemu-user refuses prctl(PR_SET_CHILD_SUBREAPER), so orphans never come to initc"
#define EMU_VIRTUAL_SIGNALS \
	"qemu-user keeps the emulated program's signal mask and dispositions in tables " \
	"of its own (a host handler on every signal), so the kernel never sees, and exec " \
	"never passes on, what initc sets"
#define EMU_RESERVED_SIGNALS \
	"qemu-user, linked with glibc, keeps host signals 32-33 for glibc and maps the " \
	"guest's real-time signals onto others: a signal 32 sent to it ends qemu"
#define EMU_SUBREAPER_WARNING \
	"qemu-user refuses prctl(PR_SET_CHILD_SUBREAPER), and initc's warning about it is " \
	"one more line of the stderr this test compares"
#define EMU_HOST_FAULT_SIGNALS \
	"qemu-user handles SIGSEGV, SIGBUS, SIGILL and SIGFPE as faults of its own: one sent " \
	"with kill() never reaches initc's signalfd (SIGSEGV, SIGBUS) or at times ends qemu " \
	"with a segmentation fault before any guest code runs (SIGILL, SIGFPE; qemu 7.2)"
#define EMU_THREADS \
	"qemu-user starts threads of its own, which RLIMIT_NPROC=1 forbids"

/* True (after printing "SKIP test: why") when initc runs under emulation. */
bool skip_emulated(const char *test, const char *why);

#endif
