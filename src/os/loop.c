/* Signals: the policy table, the signalfd, and the wait on it.
 *
 * initc blocks the signals it handles and reads them from a signalfd: no
 * handlers, nothing async, and a blocked signal is queued even for PID 1 in
 * a PID namespace, where an unhandled one would be dropped. Waiting is a
 * ppoll on the signalfd with the time left to the next deadline; sched.c
 * decides what each signal and deadline means for the children. */
#include "loop.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "format.h"
#include "job.h"
#include "log.h"
#include "util.h"

static int sigfd = -1;
static sigset_t handled, original_mask, original_ignored, empty_set;
static bool made_subreaper, sigchld_was_ignored;

/* The signal policy: what initc does with each signal it receives, per
 * phase. During init, forwarded signals go to the running step's group and
 * a stop signal ends the sequence; while supervising, to the app. SIGPIPE
 * is handled during init only so that a closed stderr never kills initc
 * (read_signal drops the ones initc causes itself). The fault signals are
 * here for a kill() from another process (dumb-init forwards them too): a
 * real fault of initc's own is not held back by the mask, the kernel
 * unblocks it and applies the default action (see read_signal). The
 * job-control signals are forwarded too; blocking SIGTTOU also lets initc
 * and a starting step set the terminal's foreground group (job.c). */
static const struct {
	unsigned char sig;
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
	{ SIGSEGV,  { SIGNAL_FORWARD,   SIGNAL_FORWARD } },
	{ SIGBUS,   { SIGNAL_FORWARD,   SIGNAL_FORWARD } },
	{ SIGILL,   { SIGNAL_FORWARD,   SIGNAL_FORWARD } },
	{ SIGFPE,   { SIGNAL_FORWARD,   SIGNAL_FORWARD } },
	{ SIGTRAP,  { SIGNAL_FORWARD,   SIGNAL_FORWARD } },
	{ SIGSYS,   { SIGNAL_FORWARD,   SIGNAL_FORWARD } },
	{ SIGTSTP,  { SIGNAL_FORWARD,   SIGNAL_FORWARD } },
	{ SIGTTIN,  { SIGNAL_FORWARD,   SIGNAL_FORWARD } },
	{ SIGTTOU,  { SIGNAL_FORWARD,   SIGNAL_FORWARD } },
	{ SIGCONT,  { SIGNAL_FORWARD,   SIGNAL_FORWARD } },
	/* They cannot be caught. */
	{ SIGKILL,  { SIGNAL_UNHANDLED, SIGNAL_UNHANDLED } },
	{ SIGSTOP,  { SIGNAL_UNHANDLED, SIGNAL_UNHANDLED } },
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
/* The kernel's struct sigaction, as rt_sigaction fills it in on every
 * released architecture. The mask is words of unsigned long, as in the
 * kernel: a uint64_t would sit 4 bytes further on 32-bit ARM (8-byte
 * alignment). Architectures without sa_restorer (riscv) have a shorter
 * record, which this one covers; only the handler, first everywhere but
 * MIPS, is read. */
struct kernel_sigaction {
	void (*handler)(int);
	unsigned long flags;
	void (*restorer)(void);
	unsigned long mask[KERNEL_SIGSET_BYTES / sizeof(unsigned long)];
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
	if (sigchld_was_ignored)
		sigaddset(&original_ignored, SIGCHLD);
}

/* Asked for on the first step only: initc changes no disposition but
 * SIGCHLD's (it blocks signals and reads a signalfd), so what it inherited
 * is still what the kernel holds, and a start with no steps skips the 59
 * queries. */
const sigset_t *loop_original_ignored(void)
{
	static bool recorded;

	if (!recorded) {
		record_ignored();
		recorded = true;
	}
	return &original_ignored;
}

const sigset_t *loop_app_ignored(void)
{
	static sigset_t app_ignored;

	sigemptyset(&app_ignored);
	if (sigchld_was_ignored)
		sigaddset(&app_ignored, SIGCHLD);
	return &app_ignored;
}

/* Started with SIGCHLD ignored (some launchers do that), initc's children
 * would be reaped by the kernel as they exit, and initc would wait forever
 * for an exit it is never told of: SIGCHLD goes back to its default (all
 * zero is SIG_DFL in the kernel's sigaction on every layout), and the app
 * gets it ignored again (loop_app_ignored). */
static int take_sigchld(void)
{
	static const unsigned long dfl[8];

	if (!inherited_ignored(SIGCHLD))
		return 0;
	sigchld_was_ignored = true;
	return (int)syscall(SYS_rt_sigaction, SIGCHLD, dfl, NULL, KERNEL_SIGSET_BYTES);
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
	/* Untested: resetting a valid signal to its default cannot fail. */
	if (take_sigchld() == -1) {
		log_msg(LOG_ERROR, "cannot reset SIGCHLD to its default: %s", error_text(errno));
		return -1;
	}
	sigfd = signalfd(-1, &handled, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sigfd == -1) {
		log_msg(LOG_ERROR, "signalfd: %s", error_text(errno));
		return -1;
	}
	job_init();
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

bool loop_is_fault_signal(int sig)
{
	return sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE ||
	       sig == SIGTRAP || sig == SIGSYS;
}

/* Reads the next signal worth acting on. The fault signals that reach the
 * signalfd were sent with kill() or sigqueue() (ssi_code <= 0): a fault of
 * initc's own is forced on it by the kernel past the mask. One the kernel
 * queued for another reason (a SIGBUS for memory that failed elsewhere,
 * ssi_code > 0) is nothing to forward. */
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
		if (loop_is_fault_signal((int)si.ssi_signo) && si.ssi_code > 0)
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

/* A signal that arrives in the hand-off window and does not stop initc:
 * dropped, as between steps, since the app does not exist yet. A real
 * fault (si_code > 0) gets its default action back and happens again on
 * return, so it still ends initc. */
static void drop_in_handoff(int sig, siginfo_t *si, void *ctx)
{
	static const unsigned long dfl[8];

	(void)ctx;
	if (loop_is_fault_signal(sig) && si->si_code > 0)
		syscall(SYS_rt_sigaction, sig, dfl, NULL, KERNEL_SIGSET_BYTES);
}

/* Sets a handler on every signal initc handles that it did not inherit
 * ignored (those stay ignored: the app gets them so), SIGCHLD aside. */
static int set_handoff_handlers(void (*on_stop)(int), bool arm)
{
	const sigset_t *ign = loop_original_ignored();
	struct sigaction sa;

	for (int sig = 1; sig < NSIG; sig++) {
		if (sig == SIGCHLD || !sigset_has_any(&handled, sig) || sigset_has_any(ign, sig))
			continue;
		memset(&sa, 0, sizeof(sa));
		sigfillset(&sa.sa_mask);
		if (!arm) {
			sa.sa_handler = SIG_DFL;
		} else if (loop_is_stop_signal(sig)) {
			sa.sa_handler = on_stop;
		} else {
			sa.sa_sigaction = drop_in_handoff;
			sa.sa_flags = SA_SIGINFO;
		}
		/* The C library refuses 32-34; as handled in supervise mode
		 * only, they never reach here in exec mode. */
		if (sigaction(sig, &sa, NULL) == -1)
			return -1;
	}
	return 0;
}

int loop_catch_handoff(void (*on_stop)(int))
{
	return set_handoff_handlers(on_stop, true);
}

int loop_uncatch_handoff(void)
{
	return set_handoff_handlers(NULL, false);
}

int loop_block_again(void)
{
	return sigmask_raw(SIG_BLOCK, &handled, NULL);
}
