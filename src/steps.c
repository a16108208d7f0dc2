/* The step runner.
 *
 * Every wait is loop_wait() against the nearest of: the attempt's timeout,
 * the global deadline and, once a stop has begun, the SIGKILL time. */
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
#include "probe.h"
#include "spawn.h"

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
	int pending_stop;    /* a stop signal that arrived outside an attempt */
};

/* What a probe child needs (wait, wait_tcp, wait_file); lives on the
 * parent's stack, which the forked child has a copy of. */
struct step_probe {
	const struct step *step;
	int attempt;
	int64_t timeout_ms;
	struct probe probe;
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

/* Waits for a signal while no attempt runs (retry delays, cleanup): only
 * reaping and stop signals matter then. Returns true at the deadline. */
static bool idle_wait(struct run *r, int64_t until)
{
	int sig, status;

	switch (loop_wait(until, &sig)) {
	case LOOP_SIGNAL:
		if (sig == SIGCHLD)
			loop_reap(0, &status);
		else if (loop_is_stop_signal(sig) && !r->pending_stop)
			r->pending_stop = sig;
		return false;
	default:
		return true;
	}
}

/* Kills what is left of a finished attempt's process group and waits, up to
 * grace, until every member has been reaped: the next step must not find
 * zombies or stragglers of this one. */
static void kill_leftovers(struct run *r, pid_t pgid)
{
	int64_t give_up = now_ms() + r->plan->grace_ms;
	int status;

	if (kill(-pgid, SIGKILL) == -1)
		return; /* ESRCH: nothing left */
	for (;;) {
		pid_t pid = waitpid(-pgid, &status, WNOHANG);

		if (pid > 0 || (pid == -1 && errno == EINTR))
			continue;
		if (pid == -1)
			return; /* ECHILD: the group is gone */
		if (idle_wait(r, give_up)) {
			log_msg(LOG_WARN, "processes of group %d survive SIGKILL; going on", (int)pgid);
			return;
		}
	}
}

static bool is_probe(const struct step *s)
{
	return s->action == ACTION_WAIT_TCP || s->action == ACTION_WAIT_FILE ||
	       s->action == ACTION_PROBE;
}

/* The step's target as a probe; config loading has checked it. */
static int step_probe_parse(const struct step *s, struct probe *p, char *err, size_t len)
{
	if (s->action == ACTION_WAIT_TCP)
		return probe_parse_tcp(s->target, p, err, len);
	if (s->action == ACTION_WAIT_FILE)
		return probe_parse_file(s->target, p, err, len);
	return probe_parse(s->target, p, err, len);
}

/* The probe child: one attempt, its reason logged, its result as the exit
 * status (EXIT_TIMEOUT: the attempt's time ran out). It stops a little
 * before the parent would, so that the reason is always said. */
static int run_probe(void *arg)
{
	const struct step_probe *sp = arg;
	struct log_fields f = fields("probe_failed", sp->step, sp->attempt, -1, -1);
	char why[PROBE_WHY_MAX];
	enum probe_result r = probe_attempt(&sp->probe, probe_child_timeout(sp->timeout_ms), why);

	if (r == PROBE_OK)
		return 0;
	log_event(LOG_WARN, &f, "step %s: %s", sp->step->name, why);
	return r == PROBE_TIMEOUT ? EXIT_TIMEOUT : 1;
}

/* Starts the attempt's process: the command, the shell, or a probe in a
 * child of its own (a slow DNS lookup or a hung mount must never block
 * initc). Returns 0, or the exit status that the failure to start counts as. */
static int start_attempt(const struct step *s, struct step_probe *probe, pid_t *pid)
{
	static char *probe_argv[] = { "probe", NULL };
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
	req.argv = is_probe(s) ? probe_argv : s->argv.v;
	req.mask = loop_empty_set();
	req.reset = loop_original_ignored();
	req.close_inherited = true;
	req.stdin_null = true;
	req.tty_fd = -1;
	if (is_probe(s)) {
		req.fn = run_probe;
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

/* Begins stopping the attempt's group: sig now, SIGKILL after grace. */
static int64_t stop_group(const struct run *r, pid_t pgid, int sig)
{
	kill(-pgid, sig);
	return now_ms() + r->plan->grace_ms;
}

/* The attempt's timeout: a probe without one of its own gets the default. */
static int64_t attempt_timeout(const struct step *s)
{
	return !s->timeout_ms && is_probe(s) ? PROBE_DEFAULT_TIMEOUT_MS : s->timeout_ms;
}

/* Runs one attempt of a step (a process, or a probe in a child) to its end. */
static struct result attempt_once(struct run *r, const struct step *s, int attempt)
{
	int64_t timeout = attempt_timeout(s), started = now_ms(), timeout_at, kill_at = NO_DEADLINE;
	enum outcome ending = OUT_FAILED; /* why a stop began, if one did */
	struct log_fields f = fields("probe_failed", s, attempt, -1, -1);
	struct step_probe probe;
	char err[PARSE_ERR_MAX];
	int sig, status = 0, rc;
	pid_t pid;

	probe.step = s;
	probe.attempt = attempt;
	probe.timeout_ms = timeout;
	if (is_probe(s) && step_probe_parse(s, &probe.probe, err, sizeof(err)) == -1) {
		log_event(LOG_ERROR, &f, "step %s: %s", s->name, err); /* checked at load: never */
		return result(OUT_FAILED, 2);
	}
	rc = start_attempt(s, &probe, &pid);
	if (rc)
		return result(OUT_FAILED, rc);
	timeout_at = timeout ? started + timeout : NO_DEADLINE;
	for (;;) {
		int64_t next = kill_at;

		if (ending == OUT_FAILED)
			next = min64(timeout_at, r->deadline_at);
		switch (loop_wait(next, &sig)) {
		case LOOP_SIGNAL:
			if (sig == SIGCHLD) {
				if (loop_reap(pid, &status))
					goto exited;
			} else if (sig != SIGPIPE) {
				kill(-pid, sig);
				if (loop_is_stop_signal(sig) && !r->pending_stop)
					r->pending_stop = sig;
				if (r->pending_stop && ending == OUT_FAILED) {
					ending = OUT_STOPPED;
					kill_at = now_ms() + r->plan->grace_ms;
				}
			}
			break;
		case LOOP_DEADLINE:
			if (ending != OUT_FAILED) {
				kill(-pid, SIGKILL);
				kill_at = NO_DEADLINE;
			} else {
				ending = now_ms() >= r->deadline_at ? OUT_DEADLINE : OUT_TIMEOUT;
				kill_at = stop_group(r, pid, s->stop_signal);
			}
			break;
		case LOOP_ERROR:
			/* Cannot wait for events any more: end the attempt hard. */
			kill(-pid, SIGKILL);
			status = wait_for_pid(pid);
			goto exited;
		}
	}
exited:
	kill_leftovers(r, pid);
	if (r->pending_stop)
		return result(OUT_STOPPED, r->pending_stop);
	if (ending != OUT_FAILED)
		return result(ending, EXIT_TIMEOUT);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return result(OUT_OK, 0);
	/* The probe ran out of the attempt's time just before initc noticed:
	 * the same timeout, whichever side saw it first. */
	if (is_probe(s) && WIFEXITED(status) && WEXITSTATUS(status) == EXIT_TIMEOUT)
		return result(OUT_TIMEOUT, EXIT_TIMEOUT);
	return process_failed(status);
}

static void log_attempt_failure(const struct step *s, int attempt, struct result res,
				int64_t ms)
{
	struct log_fields f = fields("attempt_failed", s, attempt, res.status, ms);
	char why[64];
	char t[32];

	if (res.outcome == OUT_TIMEOUT) {
		format_duration(attempt_timeout(s), t, sizeof(t));
		str_format(why, sizeof(why), "timed out after %s", t);
	} else {
		describe_wait_status(res.wstatus, why, sizeof(why));
	}
	log_event(LOG_WARN, &f, "step %s: attempt %d of %lu failed: %s", s->name, attempt,
		  s->retries + 1, why);
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
	while (!r->pending_stop && !idle_wait(r, until))
		;
	return !r->pending_stop && now_ms() < r->deadline_at;
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
		if (r->pending_stop)
			return result(OUT_STOPPED, r->pending_stop);
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
			return r->pending_stop ? result(OUT_STOPPED, r->pending_stop)
					       : result(OUT_DEADLINE, EXIT_TIMEOUT);
	}
	return res;
}

static void set_progress(size_t done, size_t total)
{
	char word[48];

	str_format(word, sizeof(word), "Init:%zu/%zu", done, total);
	status_set(word);
}

/* One pass over every step. Returns OUT_OK or the failure that ends it. */
static struct result run_pass(struct run *r)
{
	const struct plan *p = r->plan;

	for (size_t i = 0; i < p->n_steps; i++) {
		const struct step *s = &p->steps[i];
		struct result res;

		set_progress(i, p->n_steps);
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
	set_progress(p->n_steps, p->n_steps);
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
		status_set("Init:DeadlineExceeded");
		return EXIT_TIMEOUT;
	case OUT_STOPPED:
		f.status = 128 + res.status;
		log_event(LOG_WARN, &f, "init: stopped by SIG%s; the application is not started",
			  signal_name(res.status));
		status_set("Terminating");
		return 128 + res.status;
	default:
		f.status = res.status;
		log_event(LOG_ERROR, &f, "init: failed with status %d", res.status);
		status_set("Init:Error");
		return res.status;
	}
}

int steps_run(const struct plan *plan, int64_t start_ms)
{
	struct run r = { plan, NO_DEADLINE, 0 };
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
