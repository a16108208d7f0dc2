/* Reading a text file line by line, whatever the length of its lines: the
 * /etc/passwd and /etc/group lookups must see exactly the lines the file
 * holds (a line cut in two could make half of it look like a user). */
#ifndef INITC_LINES_H
#define INITC_LINES_H

#include <stddef.h>

/* A line longer than this is refused (errno EFBIG), never cut or skipped:
 * a bound on what a planted file can make initc allocate. */
#define LINES_MAX_BYTES ((size_t)1024 * 1024)

struct lines {
	int fd;
	char *buf;    /* the bytes read and not yet handed out */
	size_t len;   /* bytes in buf */
	size_t start; /* where the next line begins in buf */
	size_t cap;
	size_t line_no; /* of the line last returned, from 1 */
	int eof;
};

/* Opens path for reading without blocking (a FIFO planted there must not
 * hang PID 1): a regular file only, else -1 with errno (EISDIR for a
 * directory, EINVAL for anything else). */
int lines_open(struct lines *r, const char *path);

/* The next line, without its newline, NUL-terminated, in *line (valid until
 * the next call): 1; 0 at the end; -1 with errno on a read error or a line
 * over LINES_MAX_BYTES (EFBIG). */
int lines_next(struct lines *r, char **line);

void lines_close(struct lines *r);

#endif
