/* The event loop: a table of the children initc watches and a list of
 * timers, driven by the signalfd (loop.c). sched_run_once is the one place
 * in initc's run that waits; steps (their attempts, `creates` checks and
 * delays), the supervised app and the cleanup of leftovers are its clients,
 * and every child's exit and every timer is dispatched whichever client is
 * waiting. (Last resorts that block are documented where they are:
 * wait_for_pid. initc --probe runs no loop: probe_run waits for its child.) */
#ifndef INITC_SCHED_H
#define INITC_SCHED_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* A child in the table. The client owns the memory and fills pid, pgid,
 * name and the flags; the loop fills the outcome when it reaps it,
 * takes it out of the table and then calls on_exit (may be NULL). */
struct child {
	pid_t pid;
	pid_t pgid;           /* its process group: spawn.c makes one per child */
	const char *name;     /* for log lines: "step NAME", "main" */
	bool forward;         /* gets the signals initc forwards (loop.c's policy) */
	bool to_group;        /* forwarded signals go to its whole process group */
	bool follow_stops;    /* its group's job-control stops are handled (job.c) */
	bool exited;          /* outcome: set when reaped */
	int wstatus;          /* outcome: the wait status */
	void (*on_exit)(struct child *c, void *arg);
	void *arg;
	struct child *next;   /* the table's */
};

/* A one-shot timer on CLOCK_MONOTONIC: fire(t, arg) runs once at or after
 * at, from the loop. The client owns the memory; arming it again moves it. */
struct timer {
	int64_t at;
	void (*fire)(struct timer *t, void *arg);
	void *arg;
	bool armed;
	struct timer *next; /* the list's */
};

/* Adds c to the table (resetting its outcome). */
void sched_watch(struct child *c);
/* Takes c out of the table if it is still there (it will not be reported). */
void sched_forget(struct child *c);

void timer_arm(struct timer *t, int64_t at);
void timer_cancel(struct timer *t);
/* A fire function for the simplest timers: sets the bool *arg points to. */
void timer_set_flag(struct timer *t, void *flag);

/* fn(sig, arg) runs for every stop signal the loop receives, after the
 * signal was forwarded; NULL: none. One hook: the client that is running. */
void sched_on_stop(void (*fn)(int sig, void *arg), void *arg);
/* The first stop signal received (TERM, INT, QUIT), or 0. */
int sched_stop_signal(void);

/* Waits for the next signal or timer and dispatches it: a signal by the
 * policy (reap, forward, stop, ignore), due timers by firing them. With no
 * timer armed it sleeps until a signal comes: an idle initc never wakes.
 * 0, or -1 when initc cannot wait any more (logged). */
int sched_run_once(void);
/* Runs the loop until *done is true; 0, or -1 as sched_run_once. */
int sched_run_until(const bool *done);

/* Reaps every child that has exited, without waiting, and reports the
 * watched ones. Children not in the table (orphans) are just reaped. */
void sched_reap(void);

#endif
