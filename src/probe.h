/* Built-in readiness checks: wait_tcp (run in a child, see steps.c) and
 * wait_file. */
#ifndef INITC_PROBE_H
#define INITC_PROBE_H

#include <stdint.h>

#include "config.h"

/* Resolves the step's host:port afresh and tries every address with a
 * non-blocking connect bounded by timeout_ms. Runs in a forked child (name
 * resolution may block); returns the child's exit status after logging the
 * precise reason of a failure: 0 connected, EXIT_TIMEOUT when the time ran
 * out (the attempt timed out, as if initc had stopped it), 1 otherwise. */
int probe_tcp(const char *step, int attempt, const char *target, int64_t timeout_ms);

/* 0 when path exists; -1 with the reason in err. */
int probe_file(const char *path, char *err, size_t len);

#endif
