/* The phases initc goes through, as Kubernetes words them in `kubectl get
 * pod`: what the status file holds (README "Status file"). */
#ifndef INITC_PHASE_H
#define INITC_PHASE_H

#include <stddef.h>

enum phase {
	PHASE_INIT,              /* steps running: "Init:N/M", see phase_set_init */
	PHASE_POD_INITIALIZING,  /* the steps are done, the app is being started */
	PHASE_RUNNING,           /* the app runs (exec or supervise) */
	PHASE_COMPLETED,         /* no app after the steps, or the supervised app
				  * ended with success */
	PHASE_INIT_ERROR,        /* a step failed for good */
	PHASE_DEADLINE_EXCEEDED, /* the deadline passed during init */
	PHASE_TERMINATING,       /* initc was told to stop */
	PHASE_ERROR,             /* the app could not be started, or the
				  * supervised app ended with another status */
};

/* The word for a phase ("Init" for PHASE_INIT, which phase_set_init
 * completes with the counts). */
const char *phase_name(enum phase p);

/* Reports the phase: a log line, and the status file when there is one. */
void phase_set(enum phase p);

/* Reports "Init:done/total". */
void phase_set_init(size_t done, size_t total);

#endif
