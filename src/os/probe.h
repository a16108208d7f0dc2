/* The probe engine: one syntax for what to wait for (SPEC section 10),
 * shared by a step's wait / wait_tcp / wait_file keys and initc --probe
 * (and meant for a sidecar's ready key):
 *
 *   tcp://HOST:PORT  http://HOST[:PORT][/PATH]  unix:///PATH  dns://NAME
 *   file:///PATH
 *
 * probe_parse turns the text into a struct probe (config time: a bad probe
 * is a config error); probe_attempt runs one attempt and says why it
 * failed. An attempt may block (DNS, connect, a hung file system), so it
 * runs in a child process: steps.c forks it through spawn_start, initc
 * --probe through probe_run. */
#ifndef INITC_PROBE_H
#define INITC_PROBE_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "resolve.h"

#define PROBE_WHY_MAX 384
/* An attempt with no timeout of its own still must not hang. */
#define PROBE_DEFAULT_TIMEOUT_MS 5000

enum probe_kind { PROBE_TCP, PROBE_HTTP, PROBE_UNIX, PROBE_DNS, PROBE_FILE };

/* What probe_attempt returns. */
enum probe_result { PROBE_OK, PROBE_FAILED, PROBE_TIMEOUT };

struct probe {
	enum probe_kind kind;
	int port;		      /* tcp, http */
	char host[RESOLVE_NAME_MAX];  /* tcp, http, dns: a name or an address */
	char host_header[RESOLVE_NAME_MAX + 8]; /* http: the Host header */
	char path[PATH_MAX];	      /* http: the request target; unix, file */
};

/* Parses a probe; 0, or -1 with what is wrong and how to write it in err. */
int probe_parse(const char *text, struct probe *p, char *err, size_t len);

/* wait_tcp = HOST:PORT and wait_file = PATH as probes; 0 or -1 with err. */
int probe_parse_tcp(const char *target, struct probe *p, char *err, size_t len);
int probe_parse_file(const char *path, struct probe *p, char *err, size_t len);

/* One attempt, within timeout_ms (CLOCK_MONOTONIC): PROBE_OK, or
 * PROBE_FAILED / PROBE_TIMEOUT with the reason in why[PROBE_WHY_MAX]. May
 * block that long: call it in a child. */
enum probe_result probe_attempt(const struct probe *p, int64_t timeout_ms, char *why);

/* probe_attempt in a child of the caller, which it waits for at most
 * timeout_ms and then kills (a stat on a hung mount never returns). */
enum probe_result probe_run(const struct probe *p, int64_t timeout_ms, char *why);

/* How long a child's own attempt may take so that it reports its reason
 * before whoever started it gives up at timeout_ms: a fifth less, at most
 * 500 ms less (a loaded machine may be slow to schedule the child). */
int64_t probe_child_timeout(int64_t timeout_ms);

#endif
