/* Starting a child process that tells the truth: setup or exec failures in
 * the child are reported to the parent through a CLOEXEC pipe, so the
 * parent knows at once why the child did not start. */
#ifndef INITC_SPAWN_H
#define INITC_SPAWN_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#include "user.h"

struct spawn_req {
	char *const *argv;
	char *const *envp;
	const char *path;	 /* PATH for the lookup of argv[0] */
	const char *directory;	 /* NULL: initc's own */
	const struct creds *creds; /* NULL: keep initc's */
	const sigset_t *mask;	 /* signal mask the child starts with */
	const sigset_t *reset;	 /* signals whose disposition goes back to SIG_DFL */
	const sigset_t *ignore;	 /* signals set to SIG_IGN (not 32-34) */
	bool close_inherited;	 /* no fd beyond 0-2 (steps); else only initc's own go */
	bool stdin_null;	 /* stdin from /dev/null */
	int tty_fd;		 /* >= 0: make the child's group this terminal's foreground */
	/* Instead of exec: run fn(arg) in the child and _exit with its result
	 * (built-in probes). */
	int (*fn)(void *arg);
	void *arg;
};

/* Forks and starts the child in a new process group. On success returns 0
 * and the pid. On failure returns the exit status the failure counts as
 * (127: program not found, 126: anything else) with a message in err
 * saying what failed; the child, if one was forked, has been reaped. */
int spawn_start(const struct spawn_req *req, pid_t *pid, char *err, size_t len);

/* The start that never waits for the child: forks it and returns at once
 * with its pid and *report_fd, where the child's report of a failed setup
 * or exec will be. A child that hangs in chdir or execve (a hung network
 * or FUSE mount) so cannot hang initc: its caller's loop goes on, and
 * SIGKILL ends it. Returns 0, or the exit status of a failed fork. */
int spawn_begin(const struct spawn_req *req, pid_t *pid, int *report_fd, char *err, size_t len);

/* Once the child of spawn_begin has been reaped: 0 when it started (exec
 * worked, or fn ran), else the failure's exit status with a message in
 * err, as for spawn_start. Needs req's argv and directory; closes
 * report_fd. */
int spawn_report(const struct spawn_req *req, int report_fd, char *err, size_t len);

/* Replaces initc with the program (the exec hand-off): same lookup and
 * setup as a child, no fork. Returns only on failure, like spawn_start. */
int spawn_exec(const struct spawn_req *req, char *err, size_t len);

#endif
