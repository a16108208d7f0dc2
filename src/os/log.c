/* Log lines and the status file.
 *
 * Every line is assembled in one buffer and written with one write(2), so
 * lines from initc never interleave with each other mid-line. */
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h> /* rename */
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "format.h"
#include "util.h"

#define LINE_MAX_BYTES 4096

static enum log_level max_level = LOG_INFO;
static enum log_format log_format = LOG_TEXT;
static const char *status_path;
static bool status_failed_once;
static int status_held_fd = -1;

static const char *const level_names[] = { "error", "warn", "info", "debug" };

void log_setup(enum log_level level, enum log_format format)
{
	max_level = level;
	log_format = format;
}

static void write_line(const char *buf, size_t len)
{
	/* stderr may be a closed pipe; there is nobody to tell, so ignore. */
	ssize_t r = write(STDERR_FILENO, buf, len);
	(void)r;
}

/* Length of the valid UTF-8 sequence at s, or 0 if it is not valid. */
static size_t utf8_seq_len(const unsigned char *s)
{
	size_t n;
	unsigned int cp;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xE0) == 0xC0) {
		n = 2;
		cp = s[0] & 0x1F;
	} else if ((s[0] & 0xF0) == 0xE0) {
		n = 3;
		cp = s[0] & 0x0F;
	} else if ((s[0] & 0xF8) == 0xF0) {
		n = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	/* Reject overlong forms, surrogates and values past U+10FFFF. */
	if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
		return 0;
	return n;
}

/* Appends n bytes of src, cut short when dst is full. */
static void append(char *dst, size_t cap, size_t *len, const char *src, size_t n)
{
	if (*len + n >= cap)
		n = *len < cap - 1 ? cap - 1 - *len : 0;
	memcpy(dst + *len, src, n);
	*len += n;
	dst[*len] = '\0';
}

/* Escapes one character (or one invalid byte) of s into out; returns how
 * many bytes of s it consumed and sets *outlen. */
static size_t json_escape_one(const unsigned char *s, char *out, size_t *outlen)
{
	size_t n = utf8_seq_len(s);

	if (*s == '"' || *s == '\\') {
		out[0] = '\\';
		out[1] = (char)*s;
		*outlen = 2;
		return 1;
	}
	if (*s < 0x20 || *s == 0x7F) {
		*outlen = (size_t)str_format(out, 8, "\\u%04x", *s);
		return 1;
	}
	if (n == 0) {
		/* Invalid UTF-8 becomes U+FFFD so the line stays valid JSON. */
		memcpy(out, "\\ufffd", 6);
		*outlen = 6;
		return 1;
	}
	memcpy(out, s, n);
	*outlen = n;
	return n;
}

void json_escape(char *dst, size_t cap, size_t *len, const char *src)
{
	const unsigned char *s = (const unsigned char *)src;
	char esc[8];
	size_t n;

	if (*len < cap)
		dst[*len] = '\0';
	while (*s) {
		size_t used = json_escape_one(s, esc, &n);

		/* Only whole escapes and characters: half of "\\u00" or of a
		 * UTF-8 sequence would make the line invalid. */
		if (*len + n >= cap)
			return;
		append(dst, cap, len, esc, n);
		s += used;
	}
}

static void format_timestamp(char *buf, size_t len)
{
	struct timespec ts;

	clock_read(CLOCK_REALTIME, &ts);
	format_utc(&ts, buf, len);
}

static void emit_json(enum log_level level, const struct log_fields *f, const char *msg)
{
	char line[LINE_MAX_BYTES], num[64], ts[64];
	size_t len = 0;

	format_timestamp(ts, sizeof(ts));
	append(line, sizeof(line), &len, "{\"ts\":\"", 7);
	append(line, sizeof(line), &len, ts, strlen(ts));
	append(line, sizeof(line), &len, "\",\"level\":\"", 11);
	append(line, sizeof(line), &len, level_names[level], strlen(level_names[level]));
	append(line, sizeof(line), &len, "\",\"event\":\"", 11);
	json_escape(line, sizeof(line), &len, f->event ? f->event : "message");
	append(line, sizeof(line), &len, "\"", 1);
	if (f->step) {
		append(line, sizeof(line), &len, ",\"step\":\"", 9);
		json_escape(line, sizeof(line), &len, f->step);
		append(line, sizeof(line), &len, "\"", 1);
	}
	if (f->attempt >= 0) {
		str_format(num, sizeof(num), ",\"attempt\":%d", f->attempt);
		append(line, sizeof(line), &len, num, strlen(num));
	}
	if (f->status >= 0) {
		str_format(num, sizeof(num), ",\"status\":%d", f->status);
		append(line, sizeof(line), &len, num, strlen(num));
	}
	if (f->ms >= 0) {
		str_format(num, sizeof(num), ",\"ms\":%lld", (long long)f->ms);
		append(line, sizeof(line), &len, num, strlen(num));
	}
	append(line, sizeof(line), &len, ",\"msg\":\"", 8);
	/* Leave room for the closing characters even when msg is truncated. */
	json_escape(line, sizeof(line) - 4, &len, msg);
	append(line, sizeof(line), &len, "\"}\n", 3);
	write_line(line, len);
}

static void emit_text(const char *msg)
{
	char line[LINE_MAX_BYTES];
	int n = str_format(line, sizeof(line) - 1, "initc: %s", msg);

	if (n < 0)
		return;
	if ((size_t)n > sizeof(line) - 2)
		n = sizeof(line) - 2;
	/* One event, one line: a multi-line script shows as one line. */
	for (int i = 0; i < n; i++)
		if (line[i] == '\n' || line[i] == '\r')
			line[i] = ' ';
	line[n++] = '\n';
	write_line(line, (size_t)n);
}

static void vlog(enum log_level level, const struct log_fields *f, const char *fmt, va_list ap)
{
	char msg[LINE_MAX_BYTES];

	if (level > max_level)
		return;
	str_vformat(msg, sizeof(msg), fmt, ap);
	if (log_format == LOG_JSON)
		emit_json(level, f, msg);
	else
		emit_text(msg);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	static const struct log_fields none = { NULL, NULL, -1, -1, -1 };
	va_list ap;

	va_start(ap, fmt);
	vlog(level, &none, fmt, ap);
	va_end(ap);
}

void log_event(enum log_level level, const struct log_fields *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(level, f, fmt, ap);
	va_end(ap);
}

void status_setup(const char *path)
{
	status_path = path;
}

/* mkdir -p for the status file's directory. */
static int make_parent_dirs(const char *path)
{
	char dir[4096];
	size_t len = strlen(path);

	if (len >= sizeof(dir)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(dir, path, len + 1);
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0755) == -1 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return 0;
}

/* True when the symlink at path can be changed by root alone: owned by
 * root, in a directory that root owns and nobody else may write. Such a
 * link (/var/run -> /run) is the system's, not something a step planted. */
static bool symlink_is_roots(const char *path)
{
	const char *slash = strrchr(path, '/');
	char parent[4096];
	struct stat st;

	if (lstat(path, &st) == -1 || !S_ISLNK(st.st_mode) || st.st_uid != 0)
		return false;
	str_format(parent, sizeof(parent), "%.*s",
		   !slash ? 1 : slash == path ? 1 : (int)(slash - path), !slash ? "." : path);
	return stat(parent, &st) == 0 && st.st_uid == 0 && !(st.st_mode & (S_IWGRP | S_IWOTH));
}

/* Opens the status file's directory itself, not a symlink in its place: a
 * step's user who can write the parent must not redirect root's writes.
 * A symlink only root can change is followed. Sets *base to the file's
 * name within the directory. */
static int status_open_dir(const char **base)
{
	const char *slash = strrchr(status_path, '/');
	char dir[4096];
	int fd;

	*base = slash ? slash + 1 : status_path;
	if (!slash)
		return open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if ((size_t)(slash - status_path) >= sizeof(dir)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	str_format(dir, sizeof(dir), "%.*s", slash == status_path ? 1 : (int)(slash - status_path),
		   status_path);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1 && (errno == ELOOP || errno == ENOTDIR) && symlink_is_roots(dir))
		fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd;
}

/* A temporary name nobody can guess, so nobody can plant a FIFO or a link
 * there first (O_EXCL would then fail rather than block or follow). */
static void status_temp_name(char *buf, size_t len, const char *base)
{
	char hex[25];

	random_hex(hex);
	str_format(buf, len, ".%s.tmp.%s", base, hex);
}

/* Creates the unpredictable temporary file in dirfd: never blocking, never
 * following a link, and only a regular file that this call created. */
static int status_create_temp(int dirfd, char *name, size_t len, const char *base)
{
	struct stat st;
	int fd, saved;

	status_temp_name(name, len, base);
	fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC,
		    0644);
	if (fd == -1)
		return -1;
	if (fstat(fd, &st) == -1)
		saved = errno;
	else if (!S_ISREG(st.st_mode) || st.st_nlink != 1)
		saved = EINVAL;
	else
		return fd;
	close(fd);
	unlinkat(dirfd, name, 0);
	errno = saved;
	return -1;
}

/* Writes the phase to a temporary file and renames it over the status file,
 * so a probe reading it never sees a partial word. */
static int status_write_file(const char *phase)
{
	char tmp[512];
	const char *base;
	size_t len = strlen(phase);
	int dirfd, fd, saved;

	if (make_parent_dirs(status_path) == -1)
		return -1;
	dirfd = status_open_dir(&base);
	if (dirfd == -1)
		return -1;
	if (strlen(base) > 200) {
		close(dirfd);
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = status_create_temp(dirfd, tmp, sizeof(tmp), base);
	if (fd == -1)
		goto close_dir;
	errno = 0; /* a short write sets none */
	if (write(fd, phase, len) != (ssize_t)len || write(fd, "\n", 1) != 1) {
		errno = errno ? errno : EIO;
		close(fd);
		goto unlink_temp;
	}
	if (close(fd) == -1 || renameat(dirfd, tmp, dirfd, base) == -1)
		goto unlink_temp;
	close(dirfd);
	return 0;
unlink_temp:
	saved = errno;
	unlinkat(dirfd, tmp, 0);
	errno = saved;
close_dir:
	saved = errno;
	close(dirfd);
	errno = saved;
	return -1;
}

void status_hold(void)
{
	const char *base;
	struct stat st;
	int dirfd;

	if (!status_path || status_held_fd != -1)
		return;
	dirfd = status_open_dir(&base);
	if (dirfd == -1)
		return;
	status_held_fd = openat(dirfd, base, O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	close(dirfd);
	/* Only the regular file initc wrote; anything else is not written to. */
	if (status_held_fd != -1 && (fstat(status_held_fd, &st) == -1 || !S_ISREG(st.st_mode))) {
		close(status_held_fd);
		status_held_fd = -1;
	}
}

/* Overwrites the held file (status_held_fd, open) in place: the new word
 * first, then the old tail cut off, so a reader sees the old word or the
 * new one first. */
static int status_write_held(const char *phase)
{
	char line[64];
	int n = str_format(line, sizeof(line), "%s\n", phase);

	if (n < 0)
		return -1;
	if (pwrite(status_held_fd, line, (size_t)n, 0) != n ||
	    ftruncate(status_held_fd, n) == -1)
		return -1;
	return 0;
}

/* Progress words (Init:1/3, PodInitializing, Running, Completed) repeat
 * what the step lines say: -v shows them. Trouble (Error, Init:Error,
 * Init:DeadlineExceeded, Terminating) is shown by default. */
static bool status_is_progress(const char *phase)
{
	return (str_starts(phase, "Init:") && phase[5] >= '0' && phase[5] <= '9') ||
	       strcmp(phase, "PodInitializing") == 0 || strcmp(phase, "Running") == 0 ||
	       strcmp(phase, "Completed") == 0;
}

void status_set(const char *phase)
{
	struct log_fields f = { "status", NULL, -1, -1, -1 };
	int saved;

	log_event(status_is_progress(phase) ? LOG_DEBUG : LOG_INFO, &f, "status %s", phase);
	if (!status_path || status_write_file(phase) == 0)
		return;
	saved = errno; /* the reason to report when there is no held file */
	if (status_held_fd != -1 && status_write_held(phase) == 0)
		return;
	errno = saved;
	/* A status file is a convenience for probes: warn once, never stop init. */
	if (!status_failed_once)
		log_msg(LOG_WARN, "cannot write status file %s: %s (continuing)", status_path,
			error_text(errno));
	status_failed_once = true;
}
