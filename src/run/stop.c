/* The escalation: a signal, a grace period on a timer of the event loop,
 * then SIGKILL. Every stop in initc is one of these. */
#include "stop.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "format.h"
#include "log.h"
#include "loop.h"
#include "parse.h"
#include "tree.h"

/* As PID 1: sig to every process of the namespace but initc. */
static int signal_namespace(int sig)
{
	/* Untested: kill(-1) by a root PID 1 fails with nothing left, ESRCH. */
	if (kill(-1, sig) == -1 && errno != ESRCH) {
		log_msg(LOG_WARN, "main: cannot send SIG%s to the leftovers: %s", signal_name(sig),
			error_text(errno));
		return -1;
	}
	return 0;
}

/* Not PID 1: sig to every descendant of initc. */
static int signal_subtree(int sig)
{
	if (tree_signal(sig) == -1) {
		log_msg(LOG_WARN, "main: cannot list the leftovers in /proc: %s", error_text(errno));
		return -1;
	}
	return 0;
}

int stop_send(const struct stop *s, int sig)
{
	if (s->target != STOP_LEFTOVERS) {
		kill(s->target, sig); /* ESRCH: it is gone already, as wanted */
		return 0;
	}
	return getpid() == 1 ? signal_namespace(sig) : signal_subtree(sig);
}

static void kill_now(struct timer *t, void *arg)
{
	struct stop *s = arg;

	(void)t;
	if (s->on_kill)
		s->on_kill(s, s->arg);
	s->killing = true;
	stop_send(s, SIGKILL);
}

void stop_init(struct stop *s, pid_t target)
{
	memset(s, 0, sizeof(*s));
	s->target = target;
	s->kill_at = NO_DEADLINE;
	s->timer.fire = kill_now;
	s->timer.arg = s;
}

void stop_start(struct stop *s, int sig, int64_t kill_at)
{
	if (s->started)
		return;
	s->started = true;
	s->kill_at = kill_at;
	if (sig && stop_send(s, sig) == 0 && sig == SIGTERM && s->target == STOP_LEFTOVERS)
		stop_send(s, SIGCONT);
	if (kill_at != NO_DEADLINE)
		timer_arm(&s->timer, kill_at);
}

void stop_end(struct stop *s)
{
	timer_cancel(&s->timer);
}
