/* initc's own log lines (stderr, text or JSON) and the status file that
 * mirrors Kubernetes' pod phase words (Init:1/3, PodInitializing, Running). */
#ifndef INITC_LOG_H
#define INITC_LOG_H

#include <stddef.h>
#include <stdint.h>

/* LOG_SILENT as the maximum level prints nothing at all: the fuzzers feed
 * millions of bad configs and must not drown in their error lines. */
enum log_level { LOG_SILENT = -1, LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };
enum log_format { LOG_TEXT, LOG_JSON };

/* Structured fields of one event; NULL / -1 mean "not applicable". */
struct log_fields {
	const char *event;
	const char *step;
	int attempt;
	int status;
	int64_t ms;
};

void log_setup(enum log_level max_level, enum log_format format);

/* A plain message (event "message"). */
void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* An event with structured fields; the text form is "initc: <message>". */
void log_event(enum log_level level, const struct log_fields *f, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Appends src to dst (of size cap, at offset *len) as JSON string content:
 * quotes, control characters and invalid UTF-8 are escaped. */
void json_escape(char *dst, size_t cap, size_t *len, const char *src);

/* The status file: set its path once (NULL: none), then report phases. */
void status_setup(const char *path);
void status_set(const char *phase);
/* Opens the status file as it is now (O_CLOEXEC), so that a later
 * status_set can overwrite it in place when initc can no longer replace it
 * (after dropping privileges for an exec that then failed). */
void status_hold(void);

#endif
