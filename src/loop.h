/* The event loop: signals arrive on a signalfd, children are reaped, and a
 * wait ends at the next monotonic deadline. Nothing else. */
#ifndef INITC_LOOP_H
#define INITC_LOOP_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define NO_DEADLINE INT64_MAX

enum loop_event { LOOP_SIGNAL, LOOP_DEADLINE, LOOP_ERROR };

/* Blocks the signals initc handles during init and opens the signalfd;
 * remembers the mask and ignored signals initc was started with, and the
 * terminal it runs in the foreground of (job_init). When not
 * PID 1, makes initc a child subreaper so orphans of steps come to it. */
int loop_init(void);

/* Widens the handled set to every signal that supervise mode forwards. */
int loop_handle_all(void);

/* Waits for a signal or until deadline_ms (CLOCK_MONOTONIC, NO_DEADLINE for
 * none). On LOOP_SIGNAL *sig is set. Never wakes up for nothing. */
enum loop_event loop_wait(int64_t deadline_ms, int *sig);

/* Reaps every exited child without blocking; returns true when watch was
 * among them, with its wait status in *status. */
bool loop_reap(pid_t watch, int *status);

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

/* TERM, INT and QUIT end init; the others are only forwarded. */
bool loop_is_stop_signal(int sig);

#endif
