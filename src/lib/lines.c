/* A line reader over read(2) with a buffer that grows to the longest line. */
#include "lines.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

#define LINES_CHUNK ((size_t)4096)

int lines_open(struct lines *r, const char *path)
{
	struct stat st;

	memset(r, 0, sizeof(*r));
	r->fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (r->fd == -1)
		return -1;
	if (fstat(r->fd, &st) == -1)
		goto close_fd;
	if (!S_ISREG(st.st_mode)) {
		errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
		goto close_fd;
	}
	r->cap = 2 * LINES_CHUNK;
	r->buf = xmalloc(r->cap);
	return 0;
close_fd:
	lines_close(r);
	return -1;
}

/* Moves the unread bytes to the front and reads more after them; 0, or -1
 * with errno. Sets eof when the file has no more. */
static int lines_fill(struct lines *r)
{
	ssize_t n;

	memmove(r->buf, r->buf + r->start, r->len - r->start);
	r->len -= r->start;
	r->start = 0;
	if (r->cap - r->len < LINES_CHUNK) {
		if (r->len > LINES_MAX_BYTES) {
			errno = EFBIG;
			return -1;
		}
		r->cap = r->len + 2 * LINES_CHUNK;
		r->buf = xrealloc(r->buf, r->cap);
	}
	do
		n = read(r->fd, r->buf + r->len, r->cap - r->len - 1);
	while (n == -1 && errno == EINTR);
	if (n == -1)
		return -1;
	r->eof = n == 0;
	r->len += (size_t)n;
	return 0;
}

int lines_next(struct lines *r, char **line)
{
	for (;;) {
		char *nl = memchr(r->buf + r->start, '\n', r->len - r->start);
		size_t end = nl ? (size_t)(nl - r->buf) : r->len;

		if (nl || (r->eof && end > r->start)) {
			/* Checked here too: a long last line has no newline. */
			if (end - r->start > LINES_MAX_BYTES) {
				errno = EFBIG;
				return -1;
			}
			r->buf[end] = '\0';
			*line = r->buf + r->start;
			r->start = nl ? end + 1 : end;
			r->line_no++;
			return 1;
		}
		if (r->eof)
			return 0;
		if (lines_fill(r) == -1)
			return -1;
	}
}

void lines_close(struct lines *r)
{
	int saved = errno; /* for lines_open's caller */

	if (r->fd >= 0)
		close(r->fd);
	free(r->buf);
	memset(r, 0, sizeof(*r));
	r->fd = -1;
	errno = saved;
}
