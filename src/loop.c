/* Signals, reaping and deadlines.
 *
 * initc blocks the signals it handles and reads them from a signalfd: no
 * handlers, nothing async, and a blocked signal is queued even for PID 1 in
 * a PID namespace, where an unhandled one would be dropped. Waiting is a
 * ppoll on the signalfd with the time left to the next deadline. */
#include "loop.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "format.h"
#include "log.h"
#include "util.h"

static int sigfd = -1;
static sigset_t handled, original_mask, original_ignored, empty_set;
static bool made_subreaper;

/* The signal policy: what initc does with each signal it receives, per
 * phase. During init, forwarded signals go to the running step's group and
 * a stop signal ends the sequence; while supervising, to the app. SIGPIPE
 * is handled during init only so that a closed stderr never kills initc
 * (read_signal drops the ones initc causes itself). */
static const struct {
	int sig;
	unsigned char action[2]; /* by enum signal_phase */
} signal_policy[] = {
	/*              init              supervise */
	{ SIGCHLD,  { SIGNAL_REAP,      SIGNAL_REAP } },
	{ SIGTERM,  { SIGNAL_STOP,      SIGNAL_STOP } },
	{ SIGINT,   { SIGNAL_STOP,      SIGNAL_STOP } },
	{ SIGQUIT,  { SIGNAL_STOP,      SIGNAL_STOP } },
	{ SIGHUP,   { SIGNAL_FORWARD,   SIGNAL_FORWARD } },
	{ SIGUSR1,  { SIGNAL_FORWARD,   SIGNAL_FORWARD } },
	{ SIGUSR2,  { SIGNAL_FORWARD,   SIGNAL_FORWARD } },
	{ SIGWINCH, { SIGNAL_FORWARD,   SIGNAL_FORWARD } },
	{ SIGPIPE,  { SIGNAL_IGNORE,    SIGNAL_FORWARD } },
	/* They cannot be caught. */
	{ SIGKILL,  { SIGNAL_UNHANDLED, SIGNAL_UNHANDLED } },
	{ SIGSTOP,  { SIGNAL_UNHANDLED, SIGNAL_UNHANDLED } },
	/* Faults are the kernel's to deliver to initc itself. */
	{ SIGSEGV,  { SIGNAL_UNHANDLED, SIGNAL_UNHANDLED } },
	{ SIGBUS,   { SIGNAL_UNHANDLED, SIGNAL_UNHANDLED } },
	{ SIGILL,   { SIGNAL_UNHANDLED, SIGNAL_UNHANDLED } },
	{ SIGFPE,   { SIGNAL_UNHANDLED, SIGNAL_UNHANDLED } },
	{ SIGTRAP,  { SIGNAL_UNHANDLED, SIGNAL_UNHANDLED } },
	{ SIGSYS,   { SIGNAL_UNHANDLED, SIGNAL_UNHANDLED } },
};

/* Every signal the table does not name: left alone during init, forwarded
 * to the app while supervising (the real-time signals included). */
static const unsigned char other_signals[2] = { SIGNAL_UNHANDLED, SIGNAL_FORWARD };

static enum signal_phase phase = SIGNALS_INIT;

enum signal_action loop_policy_in(enum signal_phase in, int sig)
{
	for (size_t i = 0; i < sizeof(signal_policy) / sizeof(signal_policy[0]); i++)
		if (signal_policy[i].sig == sig)
			return (enum signal_action)signal_policy[i].action[in];
	return (enum signal_action)other_signals[in];
}

enum signal_action loop_policy(int sig)
{
	return loop_policy_in(phase, sig);
}

/* The set of signals the phase handles: blocked, and read from the signalfd. */
static void handled_set(enum signal_phase in, sigset_t *set)
{
	sigemptyset(set);
	for (int sig = 1; sig < NSIG; sig++)
		if (loop_policy_in(in, sig) != SIGNAL_UNHANDLED)
			sigset_add_any(set, sig);
}

const sigset_t *loop_original_mask(void)
{
	return &original_mask;
}

const sigset_t *loop_empty_set(void)
{
	return &empty_set;
}

bool loop_is_stop_signal(int sig)
{
	return loop_policy(sig) == SIGNAL_STOP;
}

#if defined(__mips__)
/* MIPS lays the kernel's struct sigaction out differently: ask libc there. */
static bool inherited_ignored(int sig)
{
	struct sigaction sa;

	return sigaction(sig, NULL, &sa) == 0 && sa.sa_handler == SIG_IGN;
}
#else
/* The kernel's struct sigaction, as rt_sigaction fills it in. */
struct kernel_sigaction {
	void (*handler)(int);
	unsigned long flags;
	void (*restorer)(void);
	uint64_t mask;
};

/* Asks the kernel directly: the C library's sigaction does extra work for
 * some signals (musl blocks and restores all signals around SIGABRT's), and
 * this runs for every signal at every start. */
static bool inherited_ignored(int sig)
{
	struct kernel_sigaction ksa;

	return syscall(SYS_rt_sigaction, sig, NULL, &ksa, sizeof(ksa.mask)) == 0 &&
	       ksa.handler == SIG_IGN;
}
#endif

/* Notes the signals initc inherited as ignored: steps get them back at
 * their default. SIGKILL and SIGSTOP cannot be ignored. The signals the C
 * library reserves (32-34) count too: GNU make, for one, starts its
 * commands with 32 and 33 ignored. */
static void record_ignored(void)
{
	sigemptyset(&original_ignored);
	for (int sig = 1; sig < NSIG; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		if (inherited_ignored(sig))
			sigset_add_any(&original_ignored, sig);
	}
}

/* Asked for on the first step only: initc never changes a disposition (it
 * blocks signals and reads a signalfd), so what it inherited is still what
 * the kernel holds, and a start with no steps skips the 59 queries. */
const sigset_t *loop_original_ignored(void)
{
	static bool recorded;

	if (!recorded) {
		record_ignored();
		recorded = true;
	}
	return &original_ignored;
}

int loop_init(void)
{
	sigemptyset(&empty_set);
	phase = SIGNALS_INIT;
	handled_set(phase, &handled);
	/* Untested (see README "Coverage"): sigprocmask fails only for a bad
	 * argument, and signalfd for lack of memory or of a descriptor, which
	 * an RLIMIT_NOFILE cannot cause here: the dynamic loader and the
	 * config file need one first, and the config's is free again now. */
	if (sigmask_raw(SIG_BLOCK, &handled, &original_mask) == -1) {
		log_msg(LOG_ERROR, "sigprocmask: %s", error_text(errno));
		return -1;
	}
	sigfd = signalfd(-1, &handled, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sigfd == -1) {
		log_msg(LOG_ERROR, "signalfd: %s", error_text(errno));
		return -1;
	}
	if (getpid() != 1) {
		if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == -1) {
			/* Not fatal: orphans then go to the real init instead.
			 * Untested: only kernels before 3.4 refuse. */
			log_msg(LOG_WARN, "cannot become a child subreaper: %s", error_text(errno));
		} else {
			made_subreaper = true;
		}
	}
	return 0;
}

int loop_handle_all(void)
{
	phase = SIGNALS_SUPERVISE;
	handled_set(phase, &handled);
	/* Untested: neither call can fail on a valid set and signalfd. */
	if (sigmask_raw(SIG_BLOCK, &handled, NULL) == -1 ||
	    signalfd(sigfd, &handled, SFD_CLOEXEC | SFD_NONBLOCK) == -1) {
		log_msg(LOG_ERROR, "cannot take over signals: %s", error_text(errno));
		return -1;
	}
	return 0;
}

static int read_signal(int *sig)
{
	struct signalfd_siginfo si;

	for (;;) {
		ssize_t n = read(sigfd, &si, sizeof(si));

		if (n != (ssize_t)sizeof(si))
			return -1;
		/* A SIGPIPE initc caused itself (stderr closed) is nobody's business. */
		if (si.ssi_signo == SIGPIPE && si.ssi_pid == (uint32_t)getpid())
			continue;
		*sig = (int)si.ssi_signo;
		return 0;
	}
}

enum loop_event loop_wait(int64_t deadline_ms, int *sig)
{
	struct pollfd pfd = { .fd = sigfd, .events = POLLIN };

	for (;;) {
		struct timespec ts, *timeout = NULL;
		int64_t left;
		int rc;

		if (read_signal(sig) == 0)
			return LOOP_SIGNAL;
		/* Untested: a non-blocking signalfd only ever says EAGAIN. */
		if (errno != EAGAIN && errno != EINTR) {
			log_msg(LOG_ERROR, "reading signals: %s", error_text(errno));
			return LOOP_ERROR;
		}
		if (deadline_ms != NO_DEADLINE) {
			left = deadline_ms - now_ms();
			if (left <= 0)
				return LOOP_DEADLINE;
			ts.tv_sec = left / 1000;
			ts.tv_nsec = (left % 1000) * 1000000;
			timeout = &ts;
		}
		rc = ppoll(&pfd, 1, timeout, NULL);
		/* Untested: ppoll fails only on a bad pointer, timeout or ENOMEM. */
		if (rc == -1 && errno != EINTR) {
			log_msg(LOG_ERROR, "ppoll: %s", error_text(errno));
			return LOOP_ERROR;
		}
	}
}

int loop_drain(void)
{
	int sig, stop = 0;

	while (read_signal(&sig) == 0)
		if (!stop && loop_is_stop_signal(sig))
			stop = sig;
	return stop;
}

/* A log line to a closed stderr leaves a SIGPIPE pending on initc: it must
 * not be delivered when spawn_exec restores the mask, which would kill initc
 * before the exec or, past it, the app. Only SIGPIPE: a stop signal
 * pending now is the app's to receive. */
static void discard_sigpipe(void)
{
	struct timespec zero = { 0, 0 };
	sigset_t pipe_only;

	sigemptyset(&pipe_only);
	sigaddset(&pipe_only, SIGPIPE);
	while (sigtimedwait(&pipe_only, NULL, &zero) == SIGPIPE)
		;
}

int loop_restore(void)
{
	/* Untested: unsetting what loop_init set cannot fail. */
	if (made_subreaper && prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0) == -1)
		return -1;
	discard_sigpipe();
	/* The mask is not restored here: spawn_exec restores it last, after
	 * the rest of the set-up, as for every child, and once is enough. */
	return 0;
}

int loop_block_again(void)
{
	return sigmask_raw(SIG_BLOCK, &handled, NULL);
}
