/* Job control for steps and the supervised app. */
#include "job.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "format.h"
#include "log.h"
#include "parse.h"

static int tty_fd = -1;

void job_init(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		if (isatty(fd) && tcgetpgrp(fd) == getpgrp()) {
			tty_fd = fd;
			return;
		}
	}
}

int job_tty(void)
{
	return tty_fd;
}

/* SIGTTOU is blocked (loop_init): initc may set the foreground group even
 * from the background, so each call checks who has the terminal first. */
void job_take_terminal(pid_t pgid)
{
	if (tty_fd >= 0 && tcgetpgrp(tty_fd) == pgid)
		(void)tcsetpgrp(tty_fd, getpgrp());
}

/* Stops initc like its child, for the shell that started it: kill()
 * returns once a SIGCONT (`fg`, `bg`) has continued initc. The terminal
 * goes back to the child's group only when the shell gave it to initc
 * (`fg`), never taken from the shell after a `bg`. */
static void stop_with(pid_t pgid, const char *who, int sig)
{
	log_msg(LOG_INFO, "%s stopped by SIG%s: initc stops too", who, signal_name(sig));
	if (kill(getpid(), SIGSTOP) == -1) /* untested: a process may always stop itself */
		return;
	if (tcgetpgrp(tty_fd) == getpgrp())
		(void)tcsetpgrp(tty_fd, pgid);
	log_msg(LOG_INFO, "%s: continued", who);
}

void job_follow_stops(pid_t pgid, const char *who)
{
	siginfo_t si;

	for (;;) {
		memset(&si, 0, sizeof(si));
		if (waitid(P_PGID, (id_t)pgid, &si, WSTOPPED | WNOHANG) == -1 || si.si_pid == 0)
			return;
		/* PID 1 cannot stop itself, and without a terminal no shell waits. */
		if (tty_fd >= 0 && getpid() != 1)
			stop_with(pgid, who, si.si_status);
		else
			log_msg(LOG_WARN, "%s (pid %d) stopped by SIG%s; continuing it, as nothing else would",
				who, (int)si.si_pid, signal_name(si.si_status));
		if (kill(-pgid, SIGCONT) == -1 && errno != ESRCH)
			log_msg(LOG_WARN, "%s: cannot continue it: %s", who, error_text(errno));
	}
}
