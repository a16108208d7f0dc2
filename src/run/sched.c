/* The event loop: children and timers.
 *
 * The table and the timer list are intrusive lists in the clients' own
 * structures: no allocation, and a client that returns takes its entries
 * out (sched_forget, timer_cancel) before its memory goes. initc watches a
 * few children at a time, so a list scan is the right size. */
#include "sched.h"

#include <errno.h>
#include <signal.h>
#include <sys/wait.h>

#include "job.h"
#include "loop.h"
#include "util.h"

static struct child *children;
static struct timer *timers;
static void (*stop_hook)(int sig, void *arg);
static void *stop_hook_arg;
static int first_stop;

void sched_watch(struct child *c)
{
	c->exited = false;
	c->wstatus = 0;
	c->next = children;
	children = c;
}

void sched_forget(struct child *c)
{
	for (struct child **p = &children; *p; p = &(*p)->next) {
		if (*p == c) {
			*p = c->next;
			c->next = NULL;
			return;
		}
	}
}

void timer_arm(struct timer *t, int64_t at)
{
	if (!t->armed) {
		t->next = timers;
		timers = t;
		t->armed = true;
	}
	t->at = at;
}

void timer_cancel(struct timer *t)
{
	for (struct timer **p = &timers; *p; p = &(*p)->next) {
		if (*p == t) {
			*p = t->next;
			t->next = NULL;
			t->armed = false;
			return;
		}
	}
}

void timer_set_flag(struct timer *t, void *flag)
{
	(void)t;
	*(bool *)flag = true;
}

void sched_on_stop(void (*fn)(int sig, void *arg), void *arg)
{
	stop_hook = fn;
	stop_hook_arg = arg;
}

int sched_stop_signal(void)
{
	return first_stop;
}

/* Records the outcome of a watched child and tells its client. */
static void child_reaped(pid_t pid, int wstatus)
{
	for (struct child **p = &children; *p; p = &(*p)->next) {
		struct child *c = *p;

		if (c->pid != pid)
			continue;
		*p = c->next;
		c->next = NULL;
		c->exited = true;
		c->wstatus = wstatus;
		if (c->on_exit)
			c->on_exit(c, c->arg);
		return;
	}
}

void sched_reap(void)
{
	int status;
	pid_t pid;

	/* One SIGCHLD may stand for many exits: reap until none is left. */
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		child_reaped(pid, status);
}

/* Sends sig on to every watched child that takes forwarded signals. A child
 * that has just exited is gone (ESRCH): nothing to do. */
static void forward(int sig)
{
	for (struct child *c = children; c; c = c->next)
		if (c->forward)
			kill(c->to_group ? -c->pgid : c->pid, sig);
}

/* A SIGCHLD also says that a child stopped: a watched group that stopped
 * must not hang initc unnoticed (job.c decides what to do). */
static void follow_stops(void)
{
	for (struct child *c = children; c; c = c->next)
		if (c->follow_stops)
			job_follow_stops(c->pgid, c->name);
}

static void dispatch_signal(int sig)
{
	switch (loop_policy(sig)) {
	case SIGNAL_REAP:
		sched_reap();
		follow_stops();
		break;
	case SIGNAL_STOP:
		forward(sig);
		if (!first_stop)
			first_stop = sig;
		if (stop_hook)
			stop_hook(sig, stop_hook_arg);
		break;
	case SIGNAL_FORWARD:
		forward(sig);
		break;
	case SIGNAL_IGNORE:
	case SIGNAL_UNHANDLED: /* not read from the signalfd: cannot happen */
		break;
	}
}

static int64_t next_timer(void)
{
	int64_t next = NO_DEADLINE;

	for (struct timer *t = timers; t; t = t->next)
		if (t->at < next)
			next = t->at;
	return next;
}

/* Fires every timer that is due, earliest first. A fired timer is out of
 * the list before its function runs, which may arm it again. */
static void fire_due_timers(void)
{
	for (;;) {
		int64_t now = now_ms();
		struct timer *due = NULL;

		for (struct timer *t = timers; t; t = t->next)
			if (t->at <= now && (!due || t->at < due->at))
				due = t;
		if (!due)
			return;
		timer_cancel(due);
		due->fire(due, due->arg);
	}
}

int sched_run_once(void)
{
	int sig;

	switch (loop_wait(next_timer(), &sig)) {
	case LOOP_SIGNAL:
		dispatch_signal(sig);
		return 0;
	case LOOP_DEADLINE:
		fire_due_timers();
		return 0;
	case LOOP_ERROR: /* untested: see loop_wait */
		break;
	}
	return -1;
}

int sched_run_until(const bool *done)
{
	while (!*done)
		if (sched_run_once() == -1)
			return -1;
	return 0;
}
