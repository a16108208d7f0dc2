/* Fork and exec, the careful way.
 *
 * Between fork and exec the child only makes async-signal-safe calls (no
 * malloc, no stdio), ends with _exit, and reports any failure as a
 * (stage, errno) pair on a CLOEXEC pipe: end of file means exec worked.
 * A child that runs a function instead of a program (a probe) may call
 * anything: it is a copy of single-threaded initc, so no lock of the C
 * library can be held by another thread at the fork. */
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "format.h"
#include "util.h"

#ifndef SYS_close_range
#define SYS_close_range 436
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC 4U
#endif

enum stage {
	STAGE_SETPGID,
	STAGE_STDIN,
	STAGE_SETGROUPS,
	STAGE_SETGID,
	STAGE_SETUID,
	STAGE_CHDIR,
	STAGE_FDS,
	STAGE_MASK,
	STAGE_EXEC,
};

struct report {
	int stage;
	int err;
};

static const char *const stage_names[] = {
	"setpgid", "open /dev/null as stdin", "setgroups", "setgid", "setuid",
	"chdir",   "close file descriptors", "sigprocmask", "exec",
};

/* What a failure to start counts as, like sh: 127 when the program is not
 * there, 126 for everything else (not executable, setup failed). */
static int failure_status(struct report rep)
{
	if (rep.stage == STAGE_EXEC && (rep.err == ENOENT || rep.err == ENOTDIR))
		return EXIT_NOTFOUND;
	return EXIT_NOEXEC;
}

static void reset_dispositions(const sigset_t *reset)
{
	/* The kernel's sigaction all zero is SIG_DFL, no flags, no mask, on
	 * every architecture's layout. The system call, because the C
	 * library's sigaction refuses the signals it reserves (32-34). */
	static const unsigned long dfl[8];

	for (int sig = 1; sig < NSIG; sig++)
		if (sigset_has_any(reset, sig))
			syscall(SYS_rt_sigaction, sig, dfl, NULL, KERNEL_SIGSET_BYTES);
}

/* The libc call: the signals here (SIGCHLD) are not the reserved ones. */
static void ignore_dispositions(const sigset_t *ignore)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	for (int sig = 1; sig < NSIG; sig++)
		if (sigismember(ignore, sig) == 1)
			sigaction(sig, &sa, NULL);
}

/* Marks every fd above 2 close-on-exec: the report pipe still works until
 * exec, and the program starts with only stdin, stdout and stderr. */
static int close_inherited_fds(void)
{
	struct rlimit rl;

	if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
		return 0;
	/* Kernels before 5.11: walk the possible descriptors. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return -1;
	/* The system call: musl's fcntl wrapper is 400 bytes of special cases
	 * that F_SETFD does not need. */
	for (rlim_t fd = 3; fd < rl.rlim_cur && fd < 1048576; fd++)
		syscall(SYS_fcntl, (int)fd, F_SETFD, FD_CLOEXEC);
	return 0;
}

/* Raw system calls, not the libc wrappers: those make every thread of the
 * process change ids together (musl's __synccall, 2 KiB of the static
 * binary), and this child has one thread. The kernel calls change the
 * real, effective and saved ids at once, as setuid(2) does for root. On
 * 32-bit x86 and ARM the plain calls take 16-bit ids: use the 32-bit ones. */
#ifdef SYS_setuid32
static const long sys_setgroups = SYS_setgroups32, sys_setgid = SYS_setgid32,
		  sys_setuid = SYS_setuid32;
#else
static const long sys_setgroups = SYS_setgroups, sys_setgid = SYS_setgid,
		  sys_setuid = SYS_setuid;
#endif

static int drop_privileges(const struct creds *c)
{
	if (syscall(sys_setgroups, c->n_groups, c->groups) == -1)
		return STAGE_SETGROUPS;
	if (syscall(sys_setgid, c->gid) == -1)
		return STAGE_SETGID;
	if (syscall(sys_setuid, c->uid) == -1)
		return STAGE_SETUID;
	/* Paranoia: a process that was meant to lose root must not keep it. */
	if (c->uid != 0 && (syscall(sys_setuid, 0) == 0 || geteuid() != c->uid)) {
		errno = EPERM;
		return STAGE_SETUID;
	}
	return -1;
}

/* The child's setup, in the order musl's posix_spawn uses; returns the
 * stage that failed (errno set) or -1. */
static int child_setup(const struct spawn_req *r, bool forked)
{
	int stage;

	if (r->reset)
		reset_dispositions(r->reset);
	if (r->ignore)
		ignore_dispositions(r->ignore);
	if (forked && setpgid(0, 0) == -1)
		return STAGE_SETPGID;
	/* Not fatal when it fails (a terminal hung up meanwhile): the app
	 * still runs, and initc forwards the terminal's ^C as SIGINT anyway. */
	if (forked && r->tty_fd >= 0)
		(void)tcsetpgrp(r->tty_fd, getpid());
	if (r->stdin_null) {
		int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

		if (fd == -1 || dup2(fd, STDIN_FILENO) == -1)
			return STAGE_STDIN;
		if (fd != STDIN_FILENO)
			close(fd);
	}
	if (r->creds && (stage = drop_privileges(r->creds)) >= 0)
		return stage;
	if (r->directory && chdir(r->directory) == -1)
		return STAGE_CHDIR;
	if (r->close_inherited && close_inherited_fds() == -1)
		return STAGE_FDS;
	if (sigmask_raw(SIG_SETMASK, r->mask, NULL) == -1)
		return STAGE_MASK;
	return -1;
}

/* execvp without the non-async-signal-safe parts; returns with errno set. */
static void exec_search(const struct spawn_req *r)
{
	const char *file = r->argv[0], *p = r->path;
	size_t flen = strlen(file);
	int saved = ENOENT;
	char buf[4096];

	if (strchr(file, '/')) {
		execve(file, r->argv, r->envp);
		return;
	}
	while (p) {
		const char *colon = strchr(p, ':');
		size_t dlen = colon ? (size_t)(colon - p) : strlen(p);

		if (dlen + flen + 2 <= sizeof(buf)) {
			memcpy(buf, p, dlen);
			buf[dlen] = '/';
			memcpy(buf + dlen + 1, file, flen + 1);
			/* An empty PATH entry means the current directory. */
			execve(dlen ? buf : file, r->argv, r->envp);
			if (errno == EACCES)
				saved = EACCES;
			else if (errno != ENOENT && errno != ENOTDIR) {
				saved = errno;
				break;
			}
		}
		p = colon ? colon + 1 : NULL;
	}
	errno = saved;
}

static void report_and_exit(int fd, int stage)
{
	struct report rep = { stage, errno };
	ssize_t n = write(fd, &rep, sizeof(rep));

	(void)n;
	_exit(failure_status(rep));
}

static void __attribute__((noreturn)) child_run(const struct spawn_req *r, int report_fd)
{
	int stage = child_setup(r, true);

	if (stage >= 0)
		report_and_exit(report_fd, stage);
	if (r->fn) {
		/* Closing the pipe tells the parent the child started. */
		close(report_fd);
		_exit(r->fn(r->arg));
	}
	exec_search(r);
	report_and_exit(report_fd, STAGE_EXEC);
	_exit(EXIT_NOEXEC); /* not reached */
}

static void describe_failure(const struct spawn_req *r, struct report rep, char *err, size_t len)
{
	const char *hint = "";

	if (rep.stage == STAGE_EXEC) {
		if (rep.err == ENOENT && !strchr(r->argv[0], '/'))
			hint = " (not found in PATH)";
		else if (rep.err == ENOEXEC)
			hint = " (a script needs a '#!' first line)";
		str_format(err, len, "cannot run '%s': %s%s", r->argv[0], error_text(rep.err), hint);
	} else if (rep.stage == STAGE_CHDIR) {
		str_format(err, len, "cannot change to directory '%s': %s", r->directory,
			   error_text(rep.err));
	} else {
		/* Only root may change its ids: the usual cause is a config with
		 * user = run by an initc that is not root (docker run --user). */
		if (rep.err == EPERM && rep.stage >= STAGE_SETGROUPS && rep.stage <= STAGE_SETUID)
			hint = "; 'user =' needs initc to run as root";
		str_format(err, len, "cannot start '%s': %s failed: %s%s", r->argv[0],
			   stage_names[rep.stage], error_text(rep.err), hint);
	}
}

/* Forks the child with a report pipe made with pipe_flags; returns 0 with
 * the pid and the pipe's read end, or the failure's exit status. */
static int fork_child(const struct spawn_req *r, int pipe_flags, pid_t *pid, int *report_fd,
		      char *err, size_t len)
{
	int pfd[2];
	pid_t child;

	/* The system call: musl's pipe2 adds a fallback for kernels before 2.6.27. */
	if (syscall(SYS_pipe2, pfd, O_CLOEXEC | pipe_flags) == -1) {
		str_format(err, len, "cannot start '%s': pipe: %s", r->argv[0], error_text(errno));
		return EXIT_NOEXEC;
	}
	/* _Fork, not fork: initc has one thread and no atfork handlers, so
	 * fork's lock juggling buys nothing (and is 1.6 KiB of musl); _Fork is
	 * async-signal-safe too. */
	child = _Fork();
	if (child == -1) {
		str_format(err, len, "cannot start '%s': fork: %s", r->argv[0], error_text(errno));
		close(pfd[0]);
		close(pfd[1]);
		return EXIT_NOEXEC;
	}
	if (child == 0) {
		close(pfd[0]);
		child_run(r, pfd[1]);
	}
	close(pfd[1]);
	/* Also set the group here, so that signals sent to it right after
	 * the start cannot miss the child. */
	setpgid(child, child);
	*pid = child;
	*report_fd = pfd[0];
	return 0;
}

int spawn_start(const struct spawn_req *r, pid_t *pid, char *err, size_t len)
{
	struct report rep;
	int fd, rc;
	ssize_t n;

	rc = fork_child(r, 0, pid, &fd, err, len);
	if (rc)
		return rc;
	do
		n = read(fd, &rep, sizeof(rep));
	while (n == -1 && errno == EINTR);
	close(fd);
	if (n != (ssize_t)sizeof(rep))
		return 0;
	describe_failure(r, rep, err, len);
	wait_for_pid(*pid);
	return failure_status(rep);
}

int spawn_begin(const struct spawn_req *r, pid_t *pid, int *report_fd, char *err, size_t len)
{
	return fork_child(r, O_NONBLOCK, pid, report_fd, err, len);
}

int spawn_report(const struct spawn_req *r, int report_fd, char *err, size_t len)
{
	struct report rep;
	ssize_t n = read(report_fd, &rep, sizeof(rep));

	close(report_fd);
	if (n != (ssize_t)sizeof(rep))
		return 0;
	describe_failure(r, rep, err, len);
	return failure_status(rep);
}

int spawn_exec(const struct spawn_req *r, char *err, size_t len)
{
	struct report rep;

	rep.stage = child_setup(r, false);
	if (rep.stage < 0) {
		exec_search(r);
		rep.stage = STAGE_EXEC;
	}
	rep.err = errno;
	describe_failure(r, rep, err, len);
	return failure_status(rep);
}
