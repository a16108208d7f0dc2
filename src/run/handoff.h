/* The hand-off to the main application: exec it (default), or supervise
 * it as its parent, like tini. */
#ifndef INITC_HANDOFF_H
#define INITC_HANDOFF_H

#include "config.h"

/* Replaces initc with the app. Returns only on failure: the exit status
 * (127 not found, 126 not executable, 128+N stopped during the hand-off). */
int handoff_exec(const struct plan *plan);

/* Runs the app as a child until it exits, forwarding signals and reaping
 * everything; returns the exit status initc should end with. */
int handoff_supervise(const struct plan *plan);

#endif
