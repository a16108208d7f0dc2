/* Pure parsers for config values: durations, booleans, numbers, signal
 * names, sh-like word splitting and ${VAR} expansion. No I/O, no globals;
 * each reports a human-readable reason in err on failure. */
#ifndef INITC_PARSE_H
#define INITC_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define PARSE_ERR_MAX 512

/* Looks a variable up; returns NULL when it is unset. has_default: the
 * reference gives a default (${NAME:-x}), so an unset NAME is no error. */
typedef const char *(*env_lookup_fn)(const char *name, bool has_default, void *ctx);

/* The default lookup: initc's own environment. */
const char *env_lookup_getenv(const char *name, bool has_default, void *ctx);

/* "500ms", "2s", "1.5m", "1h" or a bare number of seconds -> milliseconds. */
int parse_duration(const char *s, int64_t *ms, char *err);
/* true/false, yes/no, on/off, 1/0 (any case). */
int parse_bool(const char *s, bool *out, char *err);
/* The decimal digits at s as a number in [0, max]: returns the end of the
 * digits, or NULL when there are none or the number is larger than max.
 * (strtoul would bring musl's 2 KiB integer scanner into the static binary.) */
const char *scan_ulong(const char *s, unsigned long max, unsigned long *out);
/* A decimal integer in [0, max]. */
int parse_uint(const char *s, unsigned long max, unsigned long *out, char *err);
/* A decimal factor >= 1 with up to three decimals ("2", "1.5"), in thousandths. */
int parse_factor(const char *s, unsigned *milli, char *err);
/* "TERM", "SIGTERM", "sigterm" or "15" -> signal number. */
int parse_signal(const char *s, int *sig, char *err);
/* "TERM" for 15; "?" when unknown. */
const char *signal_name(int sig);

/* "exit status N" or "killed by signal N (SIGNAME)" for a wait status. */
void describe_wait_status(int wstatus, char *buf, size_t len);

/* The one rule for '$' in every key that expands (all but shell): ${VAR}
 * and ${VAR:-default} are replaced with values from lookup, "$$" is a
 * literal "$", any other '$' is kept. An unset variable without a default
 * is an error. */
int expand_vars(const char *in, env_lookup_fn lookup, void *ctx, char **out, char *err);

/* Splits a command line into words the way sh would, without a shell:
 * whitespace separates, '...' is literal, "..." and bare words honour
 * backslash escapes. With lookup != NULL, '$' follows expand_vars' rule
 * first, wherever it stands (in single quotes too: "$$" always means '$'),
 * and an expanded value is never split further; a backslash before "${" or
 * "$$" is an error (it would not stop the expansion). */
int split_words(const char *in, env_lookup_fn lookup, void *ctx, struct strv *out, char *err);

/* Splits "host:port" or "[v6addr]:port" into host and a numeric port
 * (1-65535); -1 with a message in err when malformed. */
int parse_host_port(const char *target, char *host, size_t hlen, char *port, size_t plen,
		    char *err, size_t elen);

/* Delay before retry n (n >= 1): min(first * factor^(n-1), max), each
 * multiplication rounded down; bounded work for any n. */
int64_t backoff_delay_ms(int64_t first, unsigned factor_milli, int64_t max, unsigned n);

/* 90000 -> "90s", 120000 -> "2m", 1500 -> "1500ms": the shortest exact form. */
void format_duration(int64_t ms, char *buf, size_t len);

/* Edit distance, capped: used for "did you mean" suggestions. */
unsigned edit_distance(const char *a, const char *b);

#endif
