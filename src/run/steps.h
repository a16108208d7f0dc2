/* Running the init steps: attempts, retries with backoff, per-attempt
 * timeouts, the global deadline and the restart policy. */
#ifndef INITC_STEPS_H
#define INITC_STEPS_H

#include <stdint.h>

#include "config.h"

/* Runs the plan's steps in order. start_ms is initc's start on
 * CLOCK_MONOTONIC (the deadline counts from it). Returns 0 when every step
 * succeeded (or was skipped), else the exit status initc should end with. */
int steps_run(const struct plan *plan, int64_t start_ms);

#endif
