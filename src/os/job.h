/* Job control: the terminal initc was started on, and children that stop.
 * Steps and the supervised app run in the terminal's foreground; a child
 * stopped by job control stops initc too, so that the shell that started
 * it gets its prompt back, and resumes with it. */
#ifndef INITC_JOB_H
#define INITC_JOB_H

#include <sys/types.h>

/* Notes the terminal on 0-2 whose foreground group is initc's, if any:
 * initc was started in the foreground of an interactive terminal. */
void job_init(void);

/* That terminal's descriptor, or -1: given to each step's group. */
int job_tty(void);

/* After a child of group pgid that had the terminal ended: the terminal
 * back to initc's group (for a retry delay's Ctrl-C, the next step or the
 * exec-ed app), unless someone else has taken it since. */
void job_take_terminal(pid_t pgid);

/* On SIGCHLD: handles each child of group pgid that has stopped (who names
 * it in the log). Not PID 1 and on a terminal, initc stops itself too and,
 * once continued, gives the group the terminal again if initc has it and
 * continues the group; otherwise nothing would ever continue the child,
 * so initc logs it and continues it at once. */
void job_follow_stops(pid_t pgid, const char *who);

#endif
