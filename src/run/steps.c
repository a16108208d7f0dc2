/* The step runner: a client of the event loop (sched.c). An attempt is a
 * watched child with a timer for the nearest of its timeout and the global
 * deadline; a timeout or a stop signal starts the one escalation (stop.c). */
#include "steps.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "format.h"
#include "job.h"
#include "launch.h"
#include "log.h"
#include "loop.h"
#include "parse.h"
#include "phase.h"
#include "probe.h"
#include "sched.h"
#include "spawn.h"
#include "startfiles.h"
#include "startup.h"
#include "stop.h"
#include "tree.h"

/* What a template step's child needs: the step and its environment. */
struct template_job {
	const struct step *step;
	char *const *envp;
};

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
	/* Where the sequence stands, for the deadline message. */
	const struct step *current;
	unsigned long attempt;
	bool in_retry_delay; /* waiting after attempt, before the next one */
	struct strv *env;    /* what file_env and succeeded steps pass on */
	char why[256];	     /* why the last attempt failed */
};

/* One attempt's process, as the loop's client. */
struct attempt {
	const struct run *r;
	const struct step *step;
	struct child child;
	struct timer timeout; /* the attempt's timeout or the deadline, the nearer */
	struct stop stop;     /* of the attempt's process group */
	enum outcome ending;  /* why a stop began, if one did (OUT_FAILED: none) */
	char name[128];       /* "step NAME", for job control's log lines */
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

/* What a wait that was cut short ends with: the stop signal that came,
 * or else the deadline. */
static struct result stopped_or_deadline(void)
{
	return sched_stop_signal() ? result(OUT_STOPPED, sched_stop_signal())
				   : result(OUT_DEADLINE, EXIT_TIMEOUT);
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

/* Kills what a failed attempt started outside its process group (setsid,
 * setpgid): every descendant of initc that was not there before the
 * attempt, nor started by one that was. A successful step's detached
 * daemons stay; a failed one's would survive every retry and, when initc
 * is not PID 1, initc itself. Each pass kills what the last one orphaned. */
static void kill_attempt_descendants(const struct run *r, const struct step *s,
				     const struct tree_snap *before)
{
	int64_t give_up = now_ms() + r->plan->grace_ms;
	int n, killed = 0;

	while ((n = tree_signal_new(before, SIGKILL)) > 0) {
		bool tick = false;
		struct timer t = { .fire = timer_set_flag, .arg = &tick };

		killed += n;
		/* The next pass after a signal, or 10 ms: an orphan reaches
		 * initc only once its killed parent has been reaped. */
		timer_arm(&t, min64(now_ms() + 10, give_up));
		if (sched_run_once() == -1) /* untested: see loop_wait */
			tick = true;
		timer_cancel(&t);
		if (tick && now_ms() >= give_up) {
			log_msg(LOG_WARN, "step %s: processes of the failed attempt survive SIGKILL; going on",
				s->name);
			break;
		}
	}
	if (n == -1) /* untested: see tree_signal */
		log_msg(LOG_WARN, "step %s: cannot list what the failed attempt left in /proc: %s",
			s->name, error_text(errno));
	if (killed)
		log_msg(LOG_INFO, "step %s: killed %d process%s the failed attempt left outside its group",
			s->name, killed, killed == 1 ? "" : "es");
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

static int run_template(void *arg)
{
	const struct template_job *job = arg;

	return template_render(job->step->name, job->step->target, job->step->output, job->envp);
}

/* The argv a step's process runs, for spawn and its messages. */
static char *const *attempt_argv(const struct step *s)
{
	static char *probe_argv[] = { "probe", NULL }, *template_argv[] = { "template", NULL };

	if (is_probe(s))
		return probe_argv;
	return s->action == ACTION_TEMPLATE ? template_argv : s->argv.v;
}

/* Starts the attempt's process: the command, the shell, or a probe or a
 * template in a child of its own (a slow DNS lookup or a hung file system
 * must never block initc; the child has the step's privileges). It does
 * not wait for the child's chdir and exec (see spawn_begin): their outcome
 * is read when the child ends (attempt_report). Returns 0, or the exit
 * status that the failure to start counts as. */
static int start_attempt(const struct step *s, struct step_probe *probe, struct envfile *ef,
			 pid_t *pid, int *report_fd)
{
	struct template_job job = { s, NULL };
	struct log_fields f = fields("start_failed", s, -1, -1, -1);
	struct spawn_req req;
	struct launch l;
	char err[512];
	int rc = 0;

	if (launch_prepare(&s->proc, &l, err, sizeof(err)) == -1) {
		log_event(LOG_ERROR, &f, "step %s: %s", s->name, err);
		return EXIT_NOEXEC;
	}
	/* INITC_ENV is an offer: an image with nowhere to put the file (a
	 * bare chroot) or a non-root initc that cannot give it to the step's
	 * user still runs its steps, which fail on their own if they use it. */
	if ((s->action == ACTION_COMMAND || s->action == ACTION_SHELL) &&
	    envfile_create(ef, l.has_creds ? &l.creds : NULL, err, sizeof(err)) == -1)
		log_msg(LOG_WARN, "step %s: %s; it runs without INITC_ENV", s->name, err);
	if (ef->fd >= 0)
		launch_set(&l, ef->entry);
	memset(&req, 0, sizeof(req));
	launch_fill(&l, &s->proc, &req);
	req.argv = attempt_argv(s);
	req.mask = loop_empty_set();
	req.reset = loop_original_ignored();
	req.close_inherited = true;
	req.stdin_null = true;
	/* In the terminal's foreground, as the app: a step that sets the
	 * terminal or reads /dev/tty is not stopped by SIGTTOU or SIGTTIN. */
	req.tty_fd = job_tty();
	if (is_probe(s)) {
		req.fn = run_probe;
		req.arg = probe;
	} else if (s->action == ACTION_TEMPLATE) {
		req.fn = run_template;
		job.envp = l.env.v;
		req.arg = &job;
	}
	rc = spawn_begin(&req, pid, report_fd, err, sizeof(err));
	if (rc) {
		f.status = rc;
		log_event(LOG_ERROR, &f, "step %s: %s", s->name, err);
	}
	launch_free(&l);
	return rc;
}

/* After the attempt's process was reaped: 0 when it had started, else
 * the status its failed setup or exec counts as, logged. */
static int attempt_report(const struct step *s, int report_fd)
{
	struct log_fields f = fields("start_failed", s, -1, -1, -1);
	struct spawn_req req;
	char err[512];

	memset(&req, 0, sizeof(req));
	req.argv = attempt_argv(s);
	req.directory = s->proc.directory;
	f.status = spawn_report(&req, report_fd, err, sizeof(err));
	if (f.status)
		log_event(LOG_ERROR, &f, "step %s: %s", s->name, err);
	return f.status;
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
	str_format(a->name, sizeof(a->name), "step %s", a->step->name);
	a->child = (struct child){ .pid = pid, .pgid = pid, .name = a->name,
				   .forward = true, .to_group = true, .follow_stops = true };
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

/* What an ended attempt counts as: ending says why a stop began, if one
 * did, status is how the process ended. */
static struct result attempt_result(const struct step *s, enum outcome ending, int status)
{
	if (sched_stop_signal())
		return result(OUT_STOPPED, sched_stop_signal());
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

/* A succeeded attempt's INITC_ENV values join what later steps and the app
 * get. A bad file fails the attempt instead, and none of it is kept. */
static struct result pass_values_on(struct run *r, const struct envfile *ef)
{
	struct strv values = { 0 };
	char err[200];

	if (envfile_collect(ef, &values, err, sizeof(err)) == -1) {
		str_format(r->why, sizeof(r->why), "%s", err);
		strv_free(&values);
		return result(OUT_FAILED, 1);
	}
	for (size_t i = 0; i < values.n; i++)
		env_set(r->env, values.v[i]);
	free(values.v); /* the strings now belong to r->env */
	return result(OUT_OK, 0);
}

/* The attempt's timeout: a probe without one of its own gets the default. */
static int64_t attempt_timeout(const struct step *s)
{
	return !s->timeout_ms && is_probe(s) ? PROBE_DEFAULT_TIMEOUT_MS : s->timeout_ms;
}

/* Runs one attempt of a step (a process, or a probe or a template in a
 * child) to its end. */
static struct result attempt_once(struct run *r, const struct step *s, int attempt)
{
	int64_t timeout = attempt_timeout(s), started = now_ms();
	struct attempt a = { .r = r, .step = s, .ending = OUT_FAILED };
	struct log_fields f = fields("probe_failed", s, attempt, -1, -1);
	struct envfile ef = { .fd = -1 };
	struct step_probe probe;
	struct tree_snap before;
	struct result res;
	bool tracked;
	int status, rc, report_fd;
	char err[PARSE_ERR_MAX];
	pid_t pid;

	probe.step = s;
	probe.attempt = attempt;
	probe.timeout_ms = timeout;
	if (is_probe(s) && step_probe_parse(s, &probe.probe, err, sizeof(err)) == -1) {
		log_event(LOG_ERROR, &f, "step %s: %s", s->name, err); /* checked at load: never */
		return result(OUT_FAILED, 2);
	}
	/* Without the list (no /proc), nothing can tell a failed attempt's
	 * processes from older ones: then only its group is killed. */
	tracked = tree_snapshot(&before) == 0;
	if (!tracked)
		log_msg(LOG_WARN, "step %s: cannot list initc's processes in /proc: %s", s->name,
			error_text(errno));
	rc = start_attempt(s, &probe, &ef, &pid, &report_fd);
	if (rc) {
		envfile_remove(&ef);
		tree_snap_free(&before);
		return result(OUT_FAILED, rc);
	}
	status = attempt_wait(&a, pid, min64(timeout ? started + timeout : NO_DEADLINE,
					     r->deadline_at));
	job_take_terminal(pid);
	rc = attempt_report(s, report_fd);
	kill_leftovers(r, pid);
	res = attempt_result(s, a.ending, status);
	if (rc && res.outcome == OUT_FAILED)
		res = result(OUT_FAILED, rc);
	if (res.outcome == OUT_OK && ef.fd >= 0)
		res = pass_values_on(r, &ef);
	envfile_remove(&ef);
	if (res.outcome != OUT_OK && tracked)
		kill_attempt_descendants(r, s, &before);
	tree_snap_free(&before);
	return res;
}

/* Logs why the attempt failed and keeps the reason in r->why. */
static void log_attempt_failure(struct run *r, const struct step *s, int attempt,
				struct result res, int64_t ms)
{
	struct log_fields f = fields("attempt_failed", s, attempt, res.status, ms);
	char t[32];

	if (r->why[0]) {
		/* set by the attempt: a reason its exit status does not tell */
	} else if (res.outcome == OUT_TIMEOUT) {
		format_duration(attempt_timeout(s), t, sizeof(t));
		str_format(r->why, sizeof(r->why), "timed out after %s", t);
	} else {
		describe_wait_status(res.wstatus, r->why, sizeof(r->why));
	}
	log_event(LOG_WARN, &f, "step %s: attempt %d of %lu failed: %s", s->name, attempt,
		  s->retries + 1, r->why);
}

/* A stop hook for the waits that a stop signal ends at once: sets the
 * bool *flag points to. */
static void set_flag_on_stop(int sig, void *flag)
{
	(void)sig;
	*(bool *)flag = true;
}

/* Waits until the monotonic time until (already capped at the deadline);
 * false when the deadline or a stop signal cut it short. */
static bool delay_wait(const struct run *r, int64_t until)
{
	bool over = false;
	struct timer t = { .fire = timer_set_flag, .arg = &over };

	if (!sched_stop_signal()) {
		timer_arm(&t, until);
		sched_on_stop(set_flag_on_stop, &over);
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
	r->in_retry_delay = true;
	if (!delay_wait(r, until))
		return false;
	r->in_retry_delay = false;
	return true;
}

static int creates_stat(void *arg)
{
	struct stat st;

	return stat(*(const char *const *)arg, &st) == 0 ? 0 : 1;
}

/* Waits for the `creates` child; 0 (exists), 1 (does not), or -1 when a
 * stop signal or the deadline came first: the child is then SIGKILLed and
 * left for a later reap, since one stuck on a hung mount may take time to
 * die. */
static int creates_wait(const struct run *r, pid_t pid)
{
	bool cut = false; /* by a stop signal or the deadline */
	struct child c = { .pid = pid, .pgid = pid, .name = "creates" };
	struct timer deadline = { .fire = timer_set_flag, .arg = &cut };

	sched_watch(&c);
	if (r->deadline_at != NO_DEADLINE)
		timer_arm(&deadline, r->deadline_at);
	sched_on_stop(set_flag_on_stop, &cut);
	while (!c.exited && !cut)
		if (sched_run_once() == -1) /* untested: see loop_wait */
			break;
	sched_on_stop(NULL, NULL);
	timer_cancel(&deadline);
	if (!c.exited) {
		sched_forget(&c);
		kill(pid, SIGKILL);
		return -1;
	}
	return WIFEXITED(c.wstatus) && WEXITSTATUS(c.wstatus) == 0 ? 0 : 1;
}

/* Whether the step's `creates` path exists, asked in a child: a stat on a
 * hung network or FUSE mount must not block PID 1, whose deadline and stop
 * signals go on working meanwhile. 0 (exists), 1 (does not), -1 (stopped
 * or deadline). A child that cannot be started counts as "does not": the
 * step runs, and fails to start the same way. */
static int creates_exists(const struct run *r, const struct step *s)
{
	static char *argv[] = { "creates", NULL };
	const char *path = s->creates;
	struct spawn_req req;
	char err[512];
	int fd, rc;
	pid_t pid;

	memset(&req, 0, sizeof(req));
	req.argv = argv;
	req.mask = loop_empty_set();
	req.reset = loop_original_ignored();
	req.close_inherited = true;
	req.stdin_null = true;
	req.tty_fd = -1;
	req.fn = creates_stat;
	req.arg = &path;
	if (spawn_begin(&req, &pid, &fd, err, sizeof(err)) != 0) {
		log_msg(LOG_WARN, "step %s: cannot check %s: %s", s->name, s->creates, err);
		return 1;
	}
	rc = creates_wait(r, pid);
	close(fd);
	return rc == -1 ? -1 : rc == 0 ? 0 : 1;
}

/* 1 when the step is skipped, 0 when it runs, -1 when a stop signal or
 * the deadline came while checking `creates`. */
static int step_skipped(struct run *r, const struct step *s)
{
	struct log_fields f = fields("step_skipped", s, -1, -1, -1);
	int rc;

	if (s->skip) {
		log_event(LOG_INFO, &f, "step %s: skipped (INITC_SKIP)", s->name);
		return 1;
	}
	if (!s->creates)
		return 0;
	rc = creates_exists(r, s);
	if (rc == 0)
		log_event(LOG_INFO, &f, "step %s: skipped: %s exists", s->name, s->creates);
	return rc == -1 ? -1 : rc == 0;
}

/* Appends word as sh would read it back: in single quotes when it is empty
 * or holds a character sh treats specially, a ' inside written as '\''. */
static void append_sh_word(struct sbuf *b, const char *word)
{
	if (*word && !word[strcspn(word, " \t\n'\"\\$`;&|<>()*?[]#~")]) {
		sbuf_add(b, word, strlen(word));
		return;
	}
	sbuf_addc(b, '\'');
	for (; *word; word++) {
		if (*word == '\'')
			sbuf_add(b, "'\\''", 4);
		else
			sbuf_addc(b, *word);
	}
	sbuf_addc(b, '\'');
}

/* What the attempt will run, on one log line: a command as its words after
 * splitting and ${VAR} expansion (quoted where needed, so the line can be
 * pasted into a shell), a script as written with its line breaks shown as
 * \n, a wait target as expanded. The caller frees it. */
static char *step_action_text(const struct step *s)
{
	struct sbuf b = { 0 };

	if (s->action == ACTION_COMMAND) {
		for (size_t i = 0; i < s->argv.n; i++) {
			if (i)
				sbuf_addc(&b, ' ');
			append_sh_word(&b, s->argv.v[i]);
		}
	} else if (s->action == ACTION_SHELL) {
		for (const char *p = s->action_text; *p; p++) {
			if (*p == '\n')
				sbuf_add(&b, "\\n", 2);
			else
				sbuf_addc(&b, *p);
		}
	} else if (s->action == ACTION_TEMPLATE) {
		sbuf_add(&b, "template ", 9);
		sbuf_add(&b, s->target, strlen(s->target));
		sbuf_add(&b, " -> ", 4);
		sbuf_add(&b, s->output, strlen(s->output));
	} else {
		sbuf_add(&b, s->target, strlen(s->target));
	}
	return sbuf_take(&b);
}

/* Runs one step with its retries; returns its final result. */
static struct result step_run(struct run *r, const struct step *s)
{
	int64_t started = now_ms();
	struct result res = result(OUT_OK, 0);

	for (unsigned long attempt = 1; attempt <= s->retries + 1; attempt++) {
		struct log_fields f = fields("step_start", s, (int)attempt, -1, -1);
		int64_t attempt_start = now_ms();
		char *action;

		r->current = s;
		r->attempt = attempt;
		r->in_retry_delay = false;
		if (now_ms() >= r->deadline_at)
			return result(OUT_DEADLINE, EXIT_TIMEOUT);
		if (sched_stop_signal())
			return result(OUT_STOPPED, sched_stop_signal());
		action = step_action_text(s);
		log_event(attempt == 1 ? LOG_INFO : LOG_DEBUG, &f, "step %s: starting%s: %s", s->name,
			  attempt == 1 ? "" : " again", action);
		free(action);
		r->why[0] = '\0';
		res = attempt_once(r, s, (int)attempt);
		if (res.outcome == OUT_OK) {
			f = fields("step_succeeded", s, (int)attempt, 0, now_ms() - started);
			log_event(LOG_INFO, &f, "step %s: succeeded in %lldms", s->name,
				  (long long)(now_ms() - started));
			return res;
		}
		if (res.outcome == OUT_STOPPED || res.outcome == OUT_DEADLINE)
			return res;
		log_attempt_failure(r, s, (int)attempt, res, now_ms() - attempt_start);
		if (attempt <= s->retries && !retry_delay(r, s, (int)attempt))
			return stopped_or_deadline();
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
		int skipped;

		phase_set_init(i, p->n_steps);
		skipped = step_skipped(r, s);
		if (skipped == -1)
			return stopped_or_deadline();
		if (skipped)
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
	/* No Init:N/N: as with kubectl, the next word is PodInitializing (or
	 * Completed), which the caller writes. */
	return result(OUT_OK, 0);
}

/* "deadline exceeded" and what was running then: the step and its attempt
 * (also as the JSON fields step and attempt). */
static void log_deadline(const struct run *r, struct log_fields *f)
{
	const struct step *s = r->current;

	f->status = EXIT_TIMEOUT;
	if (!s) {
		/* current is NULL only while waiting between passes. */
		log_event(LOG_ERROR, f, "init: deadline exceeded while waiting to restart the sequence");
		return;
	}
	f->step = s->name;
	f->attempt = (int)r->attempt;
	if (r->in_retry_delay)
		log_event(LOG_ERROR, f,
			  "init: deadline exceeded while step %s waited to retry (after attempt %lu of %lu)",
			  s->name, r->attempt, s->retries + 1);
	else
		log_event(LOG_ERROR, f, "init: deadline exceeded during step %s (attempt %lu of %lu)",
			  s->name, r->attempt, s->retries + 1);
}

/* The termination message (README, "Termination message"): what failed,
 * the step, the attempt, the status and the reason, for `kubectl describe
 * pod`. A stop signal is no failure of init: the container was told to
 * stop. */
static void write_termination_message(const struct run *r, struct result res, int code)
{
	const struct step *s = r->current;
	char d[32];

	if (res.outcome == OUT_DEADLINE) {
		format_duration(r->plan->deadline_ms, d, sizeof(d));
		if (s)
			termlog_write("initc: init failed: deadline of %s exceeded in step %s "
				      "(attempt %lu of %lu); initc exits %d", d, s->name, r->attempt,
				      s->retries + 1, code);
		else
			termlog_write("initc: init failed: deadline of %s exceeded; initc exits %d", d,
				      code);
	} else if (res.outcome != OUT_OK && res.outcome != OUT_STOPPED && s) {
		termlog_write("initc: init failed: step %s failed for good: attempt %lu of %lu: %s; "
			      "initc exits %d", s->name, r->attempt, s->retries + 1, r->why, code);
	}
}

/* Maps the final result to initc's exit status and the status file. */
static int finish(const struct run *r, struct result res, int64_t start_ms)
{
	struct log_fields f = fields("init_done", NULL, -1, -1, now_ms() - start_ms);

	write_termination_message(r, res, res.outcome == OUT_STOPPED ? 128 + res.status : res.status);
	switch (res.outcome) {
	case OUT_OK:
		f.status = 0;
		/* With no steps there is nothing to report: silent, as tini is. */
		log_event(r->plan->n_steps ? LOG_INFO : LOG_DEBUG, &f, "init: %zu step%s done in %lldms",
			  r->plan->n_steps,
			  r->plan->n_steps == 1 ? "" : "s", (long long)f.ms);
		return 0;
	case OUT_DEADLINE:
		log_deadline(r, &f);
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

/* Waits before pass number pass + 1 (pass >= 1 have failed), as
 * Kubernetes' CrashLoopBackOff does: restart_delay, doubled for each pass
 * that failed, capped by restart_max_delay, cut by the deadline and stop
 * signals. Returns false when one of those cut it. */
static bool restart_delay(struct run *r, unsigned long pass, struct result failed)
{
	const struct plan *p = r->plan;
	int64_t delay = backoff_delay_ms(p->restart_delay_ms, 2000, p->restart_max_delay_ms,
					 pass > 64 ? 64 : (unsigned)pass);
	struct log_fields f = { "restart", NULL, pass >= INT32_MAX ? -1 : (int)pass + 1,
				failed.status, delay };
	char d[32], limit[32] = ", no limit";

	format_duration(delay, d, sizeof(d));
	if (p->restart_limit != RESTART_UNLIMITED)
		str_format(limit, sizeof(limit), " of %lu", p->restart_limit + 1);
	log_event(LOG_WARN, &f, "init: restarting the sequence from the first step (round %lu%s) in %s",
		  pass + 1, limit, d);
	return delay_wait(r, min64(now_ms() + delay, r->deadline_at));
}

int steps_run(const struct plan *plan, int64_t start_ms)
{
	/* Lives on after the steps: the app gets it too (launch_pass_env). */
	static struct strv passed;
	struct run r = { .plan = plan, .deadline_at = NO_DEADLINE, .env = &passed };
	struct result res;
	unsigned long pass = 0;

	if (plan->deadline_ms)
		r.deadline_at = start_ms + plan->deadline_ms;
	launch_pass_env(&passed);
	for (;;) {
		/* A new pass starts afresh, as a restarted pod would. */
		strv_free(&passed);
		if (secrets_load(&plan->file_env, &passed, r.why, sizeof(r.why)) == -1) {
			log_msg(LOG_ERROR, "%s%s", r.why, pass ? "" : "; nothing was run");
			termlog_write("initc: init failed: %s", r.why);
			phase_set(PHASE_INIT_ERROR);
			return EXIT_CONFIG;
		}
		res = run_pass(&r);
		if (res.outcome != OUT_FAILED && res.outcome != OUT_TIMEOUT)
			break;
		if (plan->on_failure != ON_FAILURE_RESTART || pass >= plan->restart_limit)
			break;
		pass++;
		if (!restart_delay(&r, pass, res)) {
			r.current = NULL; /* the deadline cut no step */
			res = stopped_or_deadline();
			break;
		}
	}
	return finish(&r, res, start_ms);
}
