/* The step runner: a client of the event loop (sched.c). An attempt is a
 * watched child with a timer for the nearest of its timeout and the global
 * deadline; a timeout or a stop signal starts the one escalation (stop.c). */
#include "steps.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "format.h"
#include "launch.h"
#include "log.h"
#include "loop.h"
#include "parse.h"
#include "phase.h"
#include "probe.h"
#include "sched.h"
#include "spawn.h"
#include "stop.h"

/* A wait_tcp attempt with no timeout of its own still must not hang. */
#define WAIT_TCP_DEFAULT_TIMEOUT_MS 5000

enum outcome { OUT_OK, OUT_FAILED, OUT_TIMEOUT, OUT_DEADLINE, OUT_STOPPED };

struct result {
	enum outcome outcome;
	int status;  /* OUT_FAILED: exit status (128+N for signal N); OUT_STOPPED: signal */
	int wstatus; /* OUT_FAILED: how it ended, as waitpid says (an exit code 137
		      * is not a SIGKILL) */
};

struct run {
	const struct plan *plan;
	int64_t deadline_at; /* NO_DEADLINE when there is none */
};

/* One attempt of a process step, as the loop's client. */
struct attempt {
	const struct run *r;
	const struct step *step;
	struct child child;
	struct timer timeout; /* the attempt's timeout or the deadline, the nearer */
	struct stop stop;     /* of the attempt's process group */
	enum outcome ending;  /* why a stop began, if one did (OUT_FAILED: none) */
};

/* What a wait_tcp probe child needs; lives on the parent's stack, which
 * the forked child has a copy of. */
struct tcp_probe {
	const struct step *step;
	int attempt;
	int64_t timeout_ms;
};

static int64_t min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

static struct log_fields fields(const char *event, const struct step *s, int attempt, int status,
				int64_t ms)
{
	struct log_fields f = { event, s ? s->name : NULL, attempt, status, ms };
	return f;
}

static struct result result(enum outcome outcome, int status)
{
	/* A wait status for "exited with status": no process died of a signal. */
	struct result res = { outcome, status, (status & 0xff) << 8 };
	return res;
}

/* An attempt whose process ended badly, with its wait status. */
static struct result process_failed(int wstatus)
{
	struct result res = { OUT_FAILED, exit_code_of(wstatus), wstatus };
	return res;
}

/* True while a member of the process group is still initc's child; reaps
 * the ones that have exited on the way. */
static bool group_alive(pid_t pgid)
{
	siginfo_t si;

	for (;;) {
		memset(&si, 0, sizeof(si));
		if (waitid(P_PGID, (id_t)pgid, &si, WEXITED | WNOHANG | WNOWAIT) == -1) {
			if (errno == EINTR)
				continue;
			return false; /* ECHILD: the group is gone */
		}
		if (si.si_pid == 0)
			return true;
		sched_reap();
	}
}

/* Kills what is left of a finished attempt's process group and waits, up to
 * grace, until every member has been reaped: the next step must not find
 * zombies or stragglers of this one. */
static void kill_leftovers(const struct run *r, pid_t pgid)
{
	bool gave_up = false;
	struct timer give_up = { .fire = timer_set_flag, .arg = &gave_up };

	if (kill(-pgid, SIGKILL) == -1)
		return; /* ESRCH: nothing left */
	timer_arm(&give_up, now_ms() + r->plan->grace_ms);
	while (group_alive(pgid)) {
		if (gave_up) {
			log_msg(LOG_WARN, "processes of group %d survive SIGKILL; going on", (int)pgid);
			break;
		}
		if (sched_run_once() == -1) /* untested: see loop_wait */
			break;
	}
	timer_cancel(&give_up);
}

static int run_tcp_probe(void *arg)
{
	const struct tcp_probe *p = arg;

	return probe_tcp(p->step->name, p->attempt, p->step->target, p->timeout_ms);
}

/* Starts the attempt's process: the command, the shell, or a wait_tcp probe
 * in a child of its own (a slow DNS lookup must never block initc). Returns
 * 0, or the exit status that the failure to start counts as. */
static int start_attempt(const struct step *s, struct tcp_probe *probe, pid_t *pid)
{
	static char *probe_argv[] = { "wait_tcp", NULL };
	struct log_fields f = fields("start_failed", s, -1, -1, -1);
	struct spawn_req req;
	struct launch l;
	char err[512];
	int rc = 0;

	if (launch_prepare(&s->proc, &l, err, sizeof(err)) == -1) {
		log_event(LOG_ERROR, &f, "step %s: %s", s->name, err);
		return EXIT_NOEXEC;
	}
	memset(&req, 0, sizeof(req));
	launch_fill(&l, &s->proc, &req);
	req.argv = s->action == ACTION_WAIT_TCP ? probe_argv : s->argv.v;
	req.mask = loop_empty_set();
	req.reset = loop_original_ignored();
	req.close_inherited = true;
	req.stdin_null = true;
	req.tty_fd = -1;
	if (s->action == ACTION_WAIT_TCP) {
		req.fn = run_tcp_probe;
		req.arg = probe;
	}
	rc = spawn_start(&req, pid, err, sizeof(err));
	if (rc) {
		f.status = rc;
		log_event(LOG_ERROR, &f, "step %s: %s", s->name, err);
	}
	launch_free(&l);
	return rc;
}

/* The attempt's timeout or the deadline has come: stop its group with
 * the step's stop_signal, SIGKILL after grace. */
static void attempt_timed_out(struct timer *t, void *arg)
{
	struct attempt *a = arg;

	(void)t;
	a->ending = now_ms() >= a->r->deadline_at ? OUT_DEADLINE : OUT_TIMEOUT;
	stop_start(&a->stop, a->step->stop_signal, now_ms() + a->r->plan->grace_ms);
}

/* A stop signal, already forwarded to the group: SIGKILL after grace,
 * unless a stop (a timeout) is under way already. */
static void attempt_stop_signal(int sig, void *arg)
{
	struct attempt *a = arg;

	(void)sig;
	if (a->ending != OUT_FAILED)
		return;
	a->ending = OUT_STOPPED;
	timer_cancel(&a->timeout);
	stop_start(&a->stop, 0, now_ms() + a->r->plan->grace_ms);
}

/* Watches the attempt's process until it exits; returns its wait status. */
static int attempt_wait(struct attempt *a, pid_t pid, int64_t timeout_at)
{
	a->child = (struct child){ .pid = pid, .pgid = pid, .role = ROLE_STEP, .forward = true,
				   .to_group = true };
	a->timeout = (struct timer){ .fire = attempt_timed_out, .arg = a };
	stop_init(&a->stop, -pid);
	sched_watch(&a->child);
	if (timeout_at != NO_DEADLINE)
		timer_arm(&a->timeout, timeout_at);
	sched_on_stop(attempt_stop_signal, a);
	if (sched_run_until(&a->child.exited) == -1) { /* untested: see loop_wait */
		/* Cannot wait for events any more: end the attempt hard. */
		sched_forget(&a->child);
		kill(-pid, SIGKILL);
		a->child.wstatus = wait_for_pid(pid);
	}
	sched_on_stop(NULL, NULL);
	timer_cancel(&a->timeout);
	stop_end(&a->stop);
	return a->child.wstatus;
}

/* Runs one attempt of a process step (command, shell, wait_tcp) to its end. */
static struct result attempt_process(struct run *r, const struct step *s, int attempt)
{
	int64_t timeout = s->timeout_ms, started = now_ms();
	struct attempt a = { .r = r, .step = s, .ending = OUT_FAILED };
	struct tcp_probe probe;
	int status, rc;
	pid_t pid;

	if (s->action == ACTION_WAIT_TCP && !timeout)
		timeout = WAIT_TCP_DEFAULT_TIMEOUT_MS;
	probe.step = s;
	probe.attempt = attempt;
	probe.timeout_ms = timeout;
	rc = start_attempt(s, &probe, &pid);
	if (rc)
		return result(OUT_FAILED, rc);
	status = attempt_wait(&a, pid, min64(timeout ? started + timeout : NO_DEADLINE,
					     r->deadline_at));
	kill_leftovers(r, pid);
	if (sched_stop_signal())
		return result(OUT_STOPPED, sched_stop_signal());
	if (a.ending != OUT_FAILED)
		return result(a.ending, EXIT_TIMEOUT);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return result(OUT_OK, 0);
	/* The probe ran out of the attempt's time just before initc noticed:
	 * the same timeout, whichever side saw it first. */
	if (s->action == ACTION_WAIT_TCP && WIFEXITED(status) && WEXITSTATUS(status) == EXIT_TIMEOUT)
		return result(OUT_TIMEOUT, EXIT_TIMEOUT);
	return process_failed(status);
}

/* One attempt: wait_file is checked here (a stat cannot block), anything
 * else runs as a process. */
static struct result attempt_once(struct run *r, const struct step *s, int attempt)
{
	struct log_fields f = fields("probe_failed", s, attempt, -1, -1);
	char err[512];

	if (s->action != ACTION_WAIT_FILE)
		return attempt_process(r, s, attempt);
	if (probe_file(s->target, err, sizeof(err)) == 0)
		return result(OUT_OK, 0);
	log_event(LOG_INFO, &f, "step %s: %s", s->name, err);
	return result(OUT_FAILED, 1);
}

static void log_attempt_failure(const struct step *s, int attempt, struct result res,
				int64_t ms)
{
	struct log_fields f = fields("attempt_failed", s, attempt, res.status, ms);
	char why[64];
	char t[32];

	if (res.outcome == OUT_TIMEOUT) {
		format_duration(s->timeout_ms ? s->timeout_ms : WAIT_TCP_DEFAULT_TIMEOUT_MS, t,
				sizeof(t));
		str_format(why, sizeof(why), "timed out after %s", t);
	} else {
		describe_wait_status(res.wstatus, why, sizeof(why));
	}
	log_event(LOG_WARN, &f, "step %s: attempt %d of %lu failed: %s", s->name, attempt,
		  s->retries + 1, why);
}

/* A stop signal ends a retry delay at once. */
static void delay_stop_signal(int sig, void *over)
{
	(void)sig;
	*(bool *)over = true;
}

/* Waits until the monotonic time until (already capped at the deadline);
 * false when the deadline or a stop signal cut it short. */
static bool delay_wait(const struct run *r, int64_t until)
{
	bool over = false;
	struct timer t = { .fire = timer_set_flag, .arg = &over };

	if (!sched_stop_signal()) {
		timer_arm(&t, until);
		sched_on_stop(delay_stop_signal, &over);
		sched_run_until(&over); /* -1, untested: go on at once */
		sched_on_stop(NULL, NULL);
		timer_cancel(&t);
	}
	return !sched_stop_signal() && now_ms() < r->deadline_at;
}

/* Waits out the delay before retry n; false when the deadline or a stop
 * signal cut it short. */
static bool retry_delay(struct run *r, const struct step *s, int n)
{
	int64_t delay = backoff_delay_ms(s->retry_delay_ms, s->backoff_milli, s->max_delay_ms,
					 (unsigned)n);
	int64_t until = min64(now_ms() + delay, r->deadline_at);
	struct log_fields f = fields("retry_delay", s, n + 1, -1, delay);
	char d[32];

	format_duration(delay, d, sizeof(d));
	log_event(LOG_INFO, &f, "step %s: retrying in %s", s->name, d);
	return delay_wait(r, until);
}

static bool step_skipped(const struct step *s)
{
	struct log_fields f = fields("step_skipped", s, -1, -1, -1);
	struct stat st;

	if (s->skip) {
		log_event(LOG_INFO, &f, "step %s: skipped (INITC_SKIP)", s->name);
		return true;
	}
	if (s->creates && stat(s->creates, &st) == 0) {
		log_event(LOG_INFO, &f, "step %s: skipped: %s exists", s->name, s->creates);
		return true;
	}
	return false;
}

/* The action as one log line: a multi-line script reads as "a; b". */
static void step_action_text(const struct step *s, char *buf, size_t len)
{
	const char *text = s->target ? s->target : s->action_text;
	size_t n = 0;

	for (; *text && n + 3 < len; text++) {
		if (*text == '\n') {
			buf[n++] = ';';
			buf[n++] = ' ';
		} else {
			buf[n++] = *text;
		}
	}
	buf[n] = '\0';
}

/* Runs one step with its retries; returns its final result. */
static struct result step_run(struct run *r, const struct step *s)
{
	int64_t started = now_ms();
	struct result res = result(OUT_OK, 0);

	for (unsigned long attempt = 1; attempt <= s->retries + 1; attempt++) {
		struct log_fields f = fields("step_start", s, (int)attempt, -1, -1);
		int64_t attempt_start = now_ms();
		char action[512];

		if (now_ms() >= r->deadline_at)
			return result(OUT_DEADLINE, EXIT_TIMEOUT);
		if (sched_stop_signal())
			return result(OUT_STOPPED, sched_stop_signal());
		step_action_text(s, action, sizeof(action));
		log_event(attempt == 1 ? LOG_INFO : LOG_DEBUG, &f, "step %s: starting%s: %s", s->name,
			  attempt == 1 ? "" : " again", action);
		res = attempt_once(r, s, (int)attempt);
		if (res.outcome == OUT_OK) {
			f = fields("step_succeeded", s, (int)attempt, 0, now_ms() - started);
			log_event(LOG_INFO, &f, "step %s: succeeded in %lldms", s->name,
				  (long long)(now_ms() - started));
			return res;
		}
		if (res.outcome == OUT_STOPPED || res.outcome == OUT_DEADLINE)
			return res;
		log_attempt_failure(s, (int)attempt, res, now_ms() - attempt_start);
		if (attempt <= s->retries && !retry_delay(r, s, (int)attempt))
			return sched_stop_signal() ? result(OUT_STOPPED, sched_stop_signal())
						   : result(OUT_DEADLINE, EXIT_TIMEOUT);
	}
	return res;
}

/* One pass over every step. Returns OUT_OK or the failure that ends it. */
static struct result run_pass(struct run *r)
{
	const struct plan *p = r->plan;

	for (size_t i = 0; i < p->n_steps; i++) {
		const struct step *s = &p->steps[i];
		struct result res;

		phase_set_init(i, p->n_steps);
		if (step_skipped(s))
			continue;
		res = step_run(r, s);
		if (res.outcome == OUT_OK)
			continue;
		if (res.outcome == OUT_FAILED || res.outcome == OUT_TIMEOUT) {
			if (s->optional) {
				log_event(LOG_WARN, &(struct log_fields){ "step_failed", s->name, -1, res.status, -1 },
					  "step %s: failed, but it is optional: going on", s->name);
				continue;
			}
			log_event(LOG_ERROR, &(struct log_fields){ "step_failed", s->name, -1, res.status, -1 },
				  "step %s: failed for good (status %d)", s->name, res.status);
		}
		return res;
	}
	phase_set_init(p->n_steps, p->n_steps);
	return result(OUT_OK, 0);
}

/* Maps the final result to initc's exit status and the status file. */
static int finish(const struct run *r, struct result res, int64_t start_ms)
{
	struct log_fields f = fields("init_done", NULL, -1, -1, now_ms() - start_ms);

	switch (res.outcome) {
	case OUT_OK:
		f.status = 0;
		log_event(LOG_INFO, &f, "init: %zu step%s done in %lldms", r->plan->n_steps,
			  r->plan->n_steps == 1 ? "" : "s", (long long)f.ms);
		return 0;
	case OUT_DEADLINE:
		f.status = EXIT_TIMEOUT;
		log_event(LOG_ERROR, &f, "init: deadline exceeded");
		phase_set(PHASE_DEADLINE_EXCEEDED);
		return EXIT_TIMEOUT;
	case OUT_STOPPED:
		f.status = 128 + res.status;
		log_event(LOG_WARN, &f, "init: stopped by SIG%s; the application is not started",
			  signal_name(res.status));
		phase_set(PHASE_TERMINATING);
		return 128 + res.status;
	default:
		f.status = res.status;
		log_event(LOG_ERROR, &f, "init: failed with status %d", res.status);
		phase_set(PHASE_INIT_ERROR);
		return res.status;
	}
}

int steps_run(const struct plan *plan, int64_t start_ms)
{
	struct run r = { plan, NO_DEADLINE };
	struct result res;
	unsigned long pass = 0;

	if (plan->deadline_ms)
		r.deadline_at = start_ms + plan->deadline_ms;
	for (;;) {
		res = run_pass(&r);
		if (res.outcome != OUT_FAILED && res.outcome != OUT_TIMEOUT)
			break;
		if (plan->on_failure != ON_FAILURE_RESTART || pass >= plan->restart_limit)
			break;
		pass++;
		log_event(LOG_WARN, &(struct log_fields){ "restart", NULL, (int)pass + 1, res.status, -1 },
			  "init: restarting the sequence from the first step (round %lu of %lu)",
			  pass + 1, plan->restart_limit + 1);
	}
	return finish(&r, res, start_ms);
}
