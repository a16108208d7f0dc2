/* Exec or supervise the main application. Supervising, the app is a child
 * in the event loop's table (sched.c) that takes the forwarded signals, and
 * its stop and its leftovers' are the one escalation (stop.c). */
#include "handoff.h"

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "format.h"
#include "job.h"
#include "launch.h"
#include "log.h"
#include "loop.h"
#include "parse.h"
#include "phase.h"
#include "sched.h"
#include "spawn.h"
#include "startfiles.h"
#include "stop.h"

/* What both hand-offs do first: give up when a stop signal is already
 * pending, resolve [main] user and environment, and build the request.
 * The app starts as initc was started: same mask, same ignored signals,
 * the descriptors initc inherited (socket activation), none of its own.
 * Returns 0, or the exit status to end with. */
static int app_prepare(const struct plan *p, struct launch *l, struct spawn_req *req)
{
	char err[512];
	int stop = loop_drain();

	if (stop) {
		log_msg(LOG_WARN, "stopped by SIG%s before the application started",
			signal_name(stop));
		return 128 + stop;
	}
	if (launch_prepare(&p->main.proc, l, err, sizeof(err)) == -1) {
		log_msg(LOG_ERROR, "main: %s", err);
		termlog_write("initc: the application cannot be started: %s; initc exits %d", err,
			      EXIT_NOEXEC);
		return EXIT_NOEXEC;
	}
	memset(req, 0, sizeof(*req));
	launch_fill(l, &p->main.proc, req);
	req->argv = p->main.argv.v;
	req->mask = loop_original_mask();
	req->ignore = loop_app_ignored();
	req->tty_fd = -1;
	return 0;
}

/* The level of the app's routine lines (started, ended well): shown by
 * default after steps, which they conclude; with no steps initc is a plain
 * init and says nothing unless something goes wrong (-v shows them). */
static enum log_level app_level(const struct plan *p)
{
	return p->n_steps ? LOG_INFO : LOG_DEBUG;
}

/* Reaps what the steps left, without waiting for anything still running:
 * after exec the app is their parent. */
static void reap_finished(void)
{
	sched_reap();
}

static sigjmp_buf handoff_abort;
static volatile sig_atomic_t handoff_stop;

/* A stop signal in the hand-off window: back to handoff_exec, which ends
 * initc with 128+N as during init (only async-signal-safe calls run in
 * the window, so leaving it by a jump is safe). */
static void abort_handoff(int sig)
{
	handoff_stop = sig;
	siglongjmp(handoff_abort, 1);
}

/* spawn_exec with the window between the restored mask and the execve
 * closed (see loop_catch_handoff). Returns the failure's exit status, or
 * 0 with *stop set when a stop signal came first. The jump comes back
 * with initc's signals blocked again: sigsetjmp saved that mask. */
static int exec_app(const struct spawn_req *req, char *err, size_t len, int *stop)
{
	int rc;

	if (sigsetjmp(handoff_abort, 1)) {
		*stop = handoff_stop;
		loop_uncatch_handoff();
		return 0;
	}
	/* Untested, these three: sigaction and sigprocmask cannot fail here. */
	if (loop_catch_handoff(abort_handoff) == -1)
		log_msg(LOG_WARN, "cannot catch signals for the hand-off: %s", error_text(errno));
	rc = spawn_exec(req, err, len);
	if (loop_block_again() == -1)
		log_msg(LOG_WARN, "cannot block signals again: %s", error_text(errno));
	if (loop_uncatch_handoff() == -1)
		log_msg(LOG_WARN, "cannot reset signal handlers: %s", error_text(errno));
	return rc;
}

/* The app's failure to start (exec mode: the failed execve; supervise
 * mode: its report, once the child was reaped). */
static int app_start_failed(int status, const char *err)
{
	struct log_fields f = { "main_failed", NULL, -1, status, -1 };

	log_event(LOG_ERROR, &f, "main: %s", err);
	termlog_write("initc: the application cannot be started: %s; initc exits %d", err, status);
	phase_set(PHASE_ERROR);
	return status;
}

int handoff_exec(const struct plan *p)
{
	struct log_fields f = { "main_start", NULL, -1, -1, -1 };
	struct spawn_req req;
	struct launch l;
	char err[512];
	int rc, stop = 0;

	reap_finished();
	rc = app_prepare(p, &l, &req);
	if (rc)
		return rc;
	log_event(app_level(p), &f, "main: exec %s", p->main.argv.v[0]);
	phase_set(PHASE_RUNNING);
	/* The exec may fail after the privilege drop, when initc can no longer
	 * replace the file: keep it open (O_CLOEXEC) to overwrite "Running". */
	status_hold();
	/* Untested, both warnings: restoring and blocking the mask cannot fail. */
	if (loop_restore() == -1)
		log_msg(LOG_WARN, "cannot stop being a subreaper: %s", error_text(errno));
	f.status = exec_app(&req, err, sizeof(err), &stop);
	if (stop) {
		log_msg(LOG_WARN, "stopped by SIG%s before the application started",
			signal_name(stop));
		phase_set(PHASE_TERMINATING);
		launch_free(&l);
		return 128 + stop;
	}
	launch_free(&l);
	return app_start_failed(f.status, err);
}

/* The terminal initc runs on, if initc is in its foreground: the app's
 * group then becomes the foreground group, so Ctrl-C reaches it. A
 * background initc (`initc -s sh &`) must not steal the terminal. */
static int controlling_tty(void)
{
	for (int fd = 0; fd <= 2; fd++)
		if (isatty(fd) && tcgetpgrp(fd) == getpgrp())
			return fd;
	return -1;
}

/* Reaps what has exited; true while a child is still running. */
static bool has_children(void)
{
	siginfo_t si;

	for (;;) {
		sched_reap();
		memset(&si, 0, sizeof(si));
		if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) == -1)
			return errno != ECHILD;
		if (si.si_pid == 0)
			return true; /* children, none of them exited */
	}
}

static void log_killing_leftovers(struct stop *s, void *arg)
{
	(void)s;
	(void)arg;
	log_msg(LOG_WARN, "main: killing what is left after the grace period");
}

/* After the app exits: TERM to everything left, grace, KILL, reap all.
 * When initc was told to stop, the grace period that began then also
 * bounds this one: a stop takes at most one grace period in all. Once
 * killing, every wake-up kills again: a process killed as subreaper hands
 * its own children to initc, and those must go too. */
static void stop_descendants(const struct plan *p, int64_t stop_deadline)
{
	int64_t kill_at = now_ms() + p->grace_ms;
	struct stop left;

	if (!has_children())
		return; /* nothing left: the common case */
	if (stop_deadline < kill_at)
		kill_at = stop_deadline;
	log_msg(LOG_INFO, "main: stopping the processes it left behind (grace %lldms)",
		(long long)(kill_at > now_ms() ? kill_at - now_ms() : 0));
	stop_init(&left, STOP_LEFTOVERS);
	left.on_kill = log_killing_leftovers;
	stop_start(&left, SIGTERM, kill_at);
	while (has_children()) {
		if (sched_run_once() == -1) /* untested: see loop_wait */
			break;
		/* Unable to kill them, waiting would be forever: leave them. */
		if (left.killing && stop_send(&left, SIGKILL) == -1)
			break;
	}
	stop_end(&left);
}

static int app_exit_status(const struct plan *p, int wstatus)
{
	struct log_fields f = { "main_exited", NULL, -1, exit_code_of(wstatus), -1 };
	char how[64];
	int code = exit_code_of(wstatus);

	describe_wait_status(wstatus, how, sizeof(how));
	if (p->main.success[code]) {
		log_event(app_level(p), &f, "main: %s (counted as success)", how);
		return 0;
	}
	log_event(code ? LOG_INFO : app_level(p), &f, "main: %s", how);
	return code;
}

static void log_killing_app(struct stop *s, void *arg)
{
	const struct plan *p = arg;

	(void)s;
	log_msg(LOG_WARN, "main: still running %lldms after the stop signal; killing it",
		(long long)p->grace_ms);
}

/* A stop signal, already forwarded to the app: Terminating, and SIGKILL
 * after grace, counted from the first one. */
static void app_stop_signal(int sig, void *arg)
{
	struct stop *s = arg;
	const struct plan *p = s->arg;

	(void)sig;
	if (s->started)
		return;
	phase_set(PHASE_TERMINATING);
	stop_start(s, 0, now_ms() + p->grace_ms);
}

/* Watches the app until it exits, forwarding signals to it; returns its
 * wait status. *stop_deadline is when the grace period of the first stop
 * signal ends (NO_DEADLINE when initc was not told to stop). */
static int supervise_loop(const struct plan *p, pid_t app, int64_t *stop_deadline)
{
	struct child c = { .pid = app, .pgid = app, .name = "main",
			   .forward = true, .to_group = p->main.signal_group, .follow_stops = true };
	struct stop s;

	stop_init(&s, p->main.signal_group ? -app : app);
	s.on_kill = log_killing_app;
	s.arg = (void *)p;
	sched_watch(&c);
	sched_on_stop(app_stop_signal, &s);
	if (sched_run_until(&c.exited) == -1) { /* untested: see loop_wait */
		sched_forget(&c);
		kill(s.target, SIGKILL);
		c.wstatus = wait_for_pid(app);
	}
	sched_on_stop(NULL, NULL);
	stop_end(&s);
	*stop_deadline = s.kill_at;
	return c.wstatus;
}

int handoff_supervise(const struct plan *p)
{
	struct log_fields f = { "main_start", NULL, -1, -1, -1 };
	struct spawn_req req;
	struct launch l;
	char err[512];
	int64_t stop_deadline;
	int status, report_fd, wstatus;
	pid_t app;

	if (loop_handle_all() == -1) /* untested: see there */
		return EXIT_NOEXEC;
	status = app_prepare(p, &l, &req);
	if (status)
		return status;
	req.tty_fd = controlling_tty();
	/* Before the start, as in exec mode: the app may read the file at once. */
	phase_set(PHASE_RUNNING);
	/* Not waiting for the child's chdir and exec: on a hung mount the
	 * loop still forwards TERM and kills after grace (see spawn_begin). */
	f.status = spawn_begin(&req, &app, &report_fd, err, sizeof(err));
	launch_free(&l);
	if (f.status)
		return app_start_failed(f.status, err);
	log_event(app_level(p), &f, "main: started %s as pid %d (supervise)", p->main.argv.v[0],
		  (int)app);
	/* initc's working directory would pin the caller's mount for as long
	 * as the app runs: the app has its own, initc needs none. Untested:
	 * the root directory is always there to change to. */
	if (chdir("/") == -1)
		log_msg(LOG_WARN, "cannot change to /: %s", error_text(errno));
	wstatus = supervise_loop(p, app, &stop_deadline);
	/* req's argv and directory, which the report needs, are the plan's. */
	f.status = spawn_report(&req, report_fd, err, sizeof(err));
	if (f.status) {
		status = app_start_failed(f.status, err);
	} else {
		status = app_exit_status(p, wstatus);
		/* As kubectl shows a container that ended: not Running any more. */
		phase_set(status == 0 ? PHASE_COMPLETED : PHASE_ERROR);
	}
	stop_descendants(p, stop_deadline);
	return status;
}
