/* initc's signals: the policy table, the signalfd and the one wait on it
 * (loop_wait, called by sched.c's event loop only), and the mask and
 * dispositions initc was started with. */
#ifndef INITC_LOOP_H
#define INITC_LOOP_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define NO_DEADLINE INT64_MAX

enum loop_event { LOOP_SIGNAL, LOOP_DEADLINE, LOOP_ERROR };

/* What initc does with a signal (the table in loop.c says which, per phase). */
enum signal_action {
	SIGNAL_UNHANDLED, /* not blocked: the kernel's default applies to initc */
	SIGNAL_REAP,      /* SIGCHLD: reap every child that has exited */
	SIGNAL_FORWARD,   /* sent on to the children that take signals */
	SIGNAL_STOP,      /* forwarded, and it stops initc (grace, then SIGKILL) */
	SIGNAL_IGNORE,    /* read and dropped */
};

/* The signal phases: init (steps run) and supervise (the app runs). */
enum signal_phase { SIGNALS_INIT, SIGNALS_SUPERVISE };

/* Blocks the signals initc handles during init and opens the signalfd;
 * remembers the mask and ignored signals initc was started with, and the
 * terminal it runs in the foreground of (job_init). When not
 * PID 1, makes initc a child subreaper so orphans of steps come to it. */
int loop_init(void);

/* Enters the supervise phase of the policy: every signal it names as
 * handled (every one that can be caught) is blocked and read. */
int loop_handle_all(void);

/* Waits for a signal or until deadline_ms (CLOCK_MONOTONIC, NO_DEADLINE for
 * none). On LOOP_SIGNAL *sig is set. Never wakes up for nothing. */
enum loop_event loop_wait(int64_t deadline_ms, int *sig);

/* Reads the signals already pending without waiting; returns the first of
 * TERM, INT or QUIT among them, or 0. */
int loop_drain(void);

/* Undoes loop_init for an exec: no subreaper. The exec itself (spawn_exec
 * with loop_original_mask) restores the signal mask. */
int loop_restore(void);

/* The exec hand-off restores the mask initc was started with just before
 * the execve: a signal initc handles that is pending then, or arrives
 * before the execve is through, would get its default action (killing
 * initc, or dropped when initc is PID 1) and reach nobody. With these
 * handlers (set while the signals are blocked), a stop signal calls
 * on_stop(sig), which must not return, and any other is dropped as between
 * steps; past the execve the kernel resets them, and a signal then is the
 * app's. */
int loop_catch_handoff(void (*on_stop)(int));
/* After a failed exec, with the signals blocked again: back to SIG_DFL. */
int loop_uncatch_handoff(void);

/* After a failed exec: blocks initc's signals again, so that its last log
 * lines, to a closed stderr, cannot kill it before it exits with 126/127. */
int loop_block_again(void);

const sigset_t *loop_original_mask(void);
const sigset_t *loop_original_ignored(void);
const sigset_t *loop_empty_set(void);

/* The signals the app gets ignored because initc was started with them
 * ignored and had to take them back (SIGCHLD). */
const sigset_t *loop_app_ignored(void);

/* SEGV, BUS, ILL, FPE, TRAP, SYS: a real fault ends initc; a kill() of one
 * is forwarded like any other signal. */
bool loop_is_fault_signal(int sig);

/* The action for sig in the current phase, or in a given one. */
enum signal_action loop_policy(int sig);
enum signal_action loop_policy_in(enum signal_phase in, int sig);

/* TERM, INT and QUIT stop initc; the others are only forwarded. */
bool loop_is_stop_signal(int sig);

#endif
