/* printf-style formatting for initc's messages, without stdio: see format.c
 * for the supported subset. */
#ifndef INITC_FORMAT_H
#define INITC_FORMAT_H

#include <stdarg.h>
#include <stddef.h>
#include <time.h>

/* Like snprintf: always NUL-terminates when len > 0 and returns the length
 * the whole text would have had. */
int str_format(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int str_vformat(char *buf, size_t len, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

/* Like printf to stdout, written before it returns (no buffer to flush). */
void out_format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "2026-11-23T09:05:01.042Z": ts (CLOCK_REALTIME) in UTC, to milliseconds. */
void format_utc(const struct timespec *ts, char *buf, size_t len);

/* strerror(err) for the errors initc meets; "error N" for others. The text
 * is static: valid until the next call for an unknown err. */
const char *error_text(int err);

#endif
