/* The files of start-up configuration (README, "Start-up configuration"):
 * the private INITC_ENV file of each step attempt, rendering a template
 * step's output, secrets from NAME_FILE, and the termination message
 * (README, "Termination message"). */
#ifndef INITC_STARTFILES_H
#define INITC_STARTFILES_H

#include <stddef.h>

#include "user.h"
#include "util.h"

/* One attempt's INITC_ENV: a file in a directory of its own that initc
 * made with a random name, so that nobody can plant it in advance. */
struct envfile {
	int fd;		/* initc's descriptor of the file; -1: none */
	char dir[48];	/* the private directory */
	char entry[64]; /* "INITC_ENV=<dir>/env", for the step's environment */
};

/* Creates the directory (mode 0700, or 0711 so that the step's user can
 * reach the file) and the empty file in it (0600, owned by c when given)
 * on the first of /dev/shm, /run and /tmp that takes it. Returns 0, or -1
 * with a message in err and nothing left behind. */
int envfile_create(struct envfile *ef, const struct creds *c, char *err, size_t len);

/* Reads what the step wrote, through initc's own descriptor (whatever the
 * step did to the name), and appends its NAME=value entries to out.
 * Returns 0, or -1 with the reason (the line number for a bad line) in err. */
int envfile_collect(const struct envfile *ef, struct strv *out, char *err, size_t len);

/* Closes and removes the file and its directory. */
void envfile_remove(struct envfile *ef);

/* The most initc reads of a template. */
#define TEMPLATE_FILE_MAX ((size_t)1024 * 1024)

/* Renders the template src into dest with the variables of envp: dest is
 * written atomically (a new file beside it, then a rename) with src's
 * permission bits, owned by whoever runs this. Runs in the step's child,
 * with its privileges. Returns the exit status: 0, or 1 with the reason
 * logged (for an unset variable "src:LINE: NAME is not set"). */
int template_render(const char *step, const char *src, const char *dest, char *const *envp);

/* For each NAME of names whose NAME_FILE is set in initc's environment:
 * "NAME=<the file's content, one trailing newline removed>" and a bare
 * "NAME_FILE" (removed) into env. The file may be at most
 * STARTUP_FILE_MAX bytes, with no NUL byte. Returns 0, or -1 with a
 * message naming the variable and the file in err. */
int secrets_load(const struct strv *names, struct strv *env, char *err, size_t len);

#define TERMINATION_LOG_DEFAULT "/dev/termination-log"
#define TERMINATION_LOG_MAX 4096

/* Where the termination message goes: path ("none": nowhere), or with
 * path NULL the default when that file exists (Kubernetes mounts it). */
void termlog_setup(const char *path);

/* Writes why init failed (at most TERMINATION_LOG_MAX bytes, the file
 * truncated first), without following a link and without blocking on a
 * FIFO; a failure to write is logged, never fatal. */
void termlog_write(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
