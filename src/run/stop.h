/* Stopping processes: the one TERM -> grace -> SIGKILL escalation in
 * initc, used for a timed-out step attempt, a stop during init, the
 * supervised app's stop and the leftovers the app leaves behind. */
#ifndef INITC_STOP_H
#define INITC_STOP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "sched.h"

/* The leftovers target: as PID 1 every process of the namespace (kill -1),
 * otherwise every descendant of initc (read from /proc, see tree.c). */
#define STOP_LEFTOVERS 0

struct stop {
	pid_t target;     /* kill()'s: -pgid, a pid, or STOP_LEFTOVERS */
	/* Runs just before the SIGKILL (a log line); may be NULL. */
	void (*on_kill)(struct stop *s, void *arg);
	void *arg;
	int64_t kill_at;  /* when SIGKILL is due; NO_DEADLINE before a start */
	bool started;
	bool killing;     /* SIGKILL has been sent */
	struct timer timer;
};

/* Sets up s for target; nothing is sent yet. */
void stop_init(struct stop *s, pid_t target);

/* Starts stopping: sig now (0 when the caller has already sent it, e.g. a
 * forwarded stop signal; leftovers get SIGCONT after a SIGTERM, so that
 * stopped processes see it), SIGKILL at kill_at. A stop already under way
 * keeps its SIGKILL time: a stop takes at most one grace period. */
void stop_start(struct stop *s, int sig, int64_t kill_at);

/* Sends sig to the target now; 0, or -1 when it could not (logged for the
 * leftovers; a group or process that is gone is not an error). */
int stop_send(const struct stop *s, int sig);

/* Disarms the SIGKILL: the target is gone. */
void stop_end(struct stop *s);

#endif
