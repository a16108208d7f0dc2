/* Operations on a loaded plan: skipping steps, printing it, freeing it. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "parse.h"

int plan_skip_steps(struct plan *plan, const char *list, char *err, size_t len)
{
	const char *p = list;

	while (*p) {
		size_t n = strcspn(p, ",");
		bool found = false;

		for (size_t i = 0; n && i < plan->n_steps; i++) {
			if (strlen(plan->steps[i].name) == n && !memcmp(plan->steps[i].name, p, n)) {
				plan->steps[i].skip = true;
				found = true;
			}
		}
		if (n && !found) {
			str_format(err, len, "INITC_SKIP names step '%.*s', which the config does not have",
				   (int)n, p);
			return -1;
		}
		p += n + (p[n] == ',');
	}
	return 0;
}

static void proc_opts_free(struct proc_opts *o)
{
	strv_free(&o->env);
	free(o->directory);
	free(o->user);
}

void plan_free(struct plan *plan)
{
	for (size_t i = 0; i < plan->n_steps; i++) {
		struct step *s = &plan->steps[i];

		free(s->name);
		free(s->action_text);
		strv_free(&s->argv);
		free(s->target);
		free(s->output);
		proc_opts_free(&s->proc);
		free(s->creates);
	}
	free(plan->steps);
	free(plan->main.command_text);
	strv_free(&plan->main.argv);
	proc_opts_free(&plan->main.proc);
	free(plan->status_file);
	free(plan->termination_log);
	strv_free(&plan->file_env);
	strv_free(&plan->files);
	memset(plan, 0, sizeof(*plan));
}

static const char *action_name(enum action a)
{
	static const char *const names[] = { "none", "command", "shell", "wait_tcp", "wait_file",
					     "template", "wait" };
	return names[a];
}

static void print_limits(const struct step *s)
{
	char t[32], d[32], m[32];

	format_duration(s->timeout_ms, t, sizeof(t));
	format_duration(s->retry_delay_ms, d, sizeof(d));
	format_duration(s->max_delay_ms, m, sizeof(m));
	out_format("     timeout %s, retries %lu", s->timeout_ms ? t : "none", s->retries);
	if (s->retries)
		out_format(" (delay %s, backoff x%u.%03u, max %s)", d, s->backoff_milli / 1000,
			   s->backoff_milli % 1000, m);
	if (s->stop_signal != 15)
		out_format(", stop_signal %s", signal_name(s->stop_signal));
	out_format("\n");
}

static void print_proc(const struct proc_opts *o, const char *indent)
{
	for (size_t i = 0; i < o->env.n; i++)
		out_format("%senvironment %s\n", indent, o->env.v[i]);
	if (o->directory)
		out_format("%sdirectory %s\n", indent, o->directory);
	if (o->user)
		out_format("%suser %s\n", indent, o->user);
}

static void print_step(size_t i, const struct step *s)
{
	const char *text = s->target ? s->target : s->action_text;

	out_format("  %zu. %s%s%s\n", i + 1, s->name, s->optional ? " (optional)" : "",
		   s->skip ? " (skipped by INITC_SKIP)" : "");
	if (s->action == ACTION_SHELL && strchr(text, '\n')) {
		out_format("     shell:\n");
		for (const char *line = text; *line;) {
			size_t n = strcspn(line, "\n");

			out_format("       %.*s\n", (int)n, line);
			line += n + (line[n] == '\n');
		}
	} else if (s->action == ACTION_TEMPLATE) {
		out_format("     template %s -> %s\n", text, s->output);
	} else
		out_format("     %s %s\n", action_name(s->action), text);
	print_limits(s);
	print_proc(&s->proc, "     ");
	if (s->creates)
		out_format("     skipped when %s exists\n", s->creates);
}

static void print_restart(const struct plan *p)
{
	char d[32], m[32];

	format_duration(p->restart_delay_ms, d, sizeof(d));
	format_duration(p->restart_max_delay_ms, m, sizeof(m));
	if (p->restart_limit == RESTART_UNLIMITED)
		out_format(" (restart_limit unlimited");
	else
		out_format(" (restart_limit %lu", p->restart_limit);
	out_format(", restart_delay %s doubling up to %s)", d, m);
}

/* file_env and termination_log; a secret's value is never printed. */
static void print_startup(const struct plan *p)
{
	char var[80];

	for (size_t i = 0; i < p->file_env.n; i++) {
		const char *file;

		str_format(var, sizeof(var), "%s_FILE", p->file_env.v[i]);
		file = getenv(var);
		out_format("file_env: %s from %s%s\n", p->file_env.v[i], file ? file : var,
			   file ? "" : " (not set: none)");
	}
	if (p->termination_log)
		out_format("termination_log: %s\n", p->termination_log);
}

void plan_print(const struct plan *p)
{
	char d[32], g[32];

	format_duration(p->deadline_ms, d, sizeof(d));
	format_duration(p->grace_ms, g, sizeof(g));
	out_format("config:");
	for (size_t i = 0; i < p->files.n; i++)
		out_format(" %s", p->files.v[i]);
	out_format("%s\n", p->files.n ? "" : " (no config files)");
	out_format("init: %zu step%s, deadline %s, grace %s, on_failure %s", p->n_steps,
		   p->n_steps == 1 ? "" : "s", p->deadline_ms ? d : "none", g,
		   p->on_failure == ON_FAILURE_RESTART ? "restart" : "exit");
	if (p->on_failure == ON_FAILURE_RESTART)
		print_restart(p);
	out_format("\n");
	for (size_t i = 0; i < p->n_steps; i++)
		print_step(i, &p->steps[i]);
	if (p->main.argv.n) {
		out_format("main (%s):", p->main.mode == MODE_SUPERVISE ? "supervise" : "exec");
		for (size_t i = 0; i < p->main.argv.n; i++)
			out_format(" %s", p->main.argv.v[i]);
		out_format("\n");
		print_proc(&p->main.proc, "  ");
	} else {
		out_format("main: none (initc exits 0 after the steps)\n");
	}
	if (p->status_file)
		out_format("status_file: %s\n", p->status_file);
	print_startup(p);
}
