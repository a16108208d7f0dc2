/* The plan once every file is read: commands split and expanded in the
 * environment they will run with, action targets checked, templates and
 * file_env validated. */
#include "config_loader.h"

#include <string.h>
#include <sys/stat.h>

#include "format.h"
#include "parse.h"
#include "probe.h"

/* Splits and expands a step's or the app's command once it is complete;
 * ${VAR} sees the environment it will run with (env, then initc's). */
static int finish_command(struct loader *l, const char *text, struct origin at,
			  const struct proc_opts *proc, struct strv *argv, const char *what)
{
	char err[PARSE_ERR_MAX], label[100];
	struct var_scope sc = { l, &proc->env, at.line, label, false, "" };

	l->file = at.file;
	str_format(label, sizeof(label), "%s: ", what);
	if (split_words(text, config_scope_lookup, &sc, argv, err) == -1) {
		config_error(l, at.line, "%s: %s", what, err);
		return -1;
	}
	if (argv->n == 0) {
		config_error(l, at.line, "%s is empty; give the program to run", what);
		return -1;
	}
	return 0;
}

/* A malformed wait_tcp target is a config error, not a failure of every
 * attempt at run time. */
static void check_tcp_target(struct loader *l, const struct step *s)
{
	char host[256], port[8], err[PARSE_ERR_MAX];

	if (parse_host_port(s->target, host, sizeof(host), port, sizeof(port), err, sizeof(err)))
		config_error(l, s->action_origin.line, "step '%s': wait_tcp: %s", s->name, err);
}

/* The same file under two names (a link, "a/../a") counts as the same. */
static bool same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	if (strcmp(a, b) == 0)
		return true;
	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

/* A template needs its output, somewhere else than itself: rendering over
 * the template would lose it for the next start. */
static void finish_template(struct loader *l, struct step *s)
{
	char err[PARSE_ERR_MAX];

	l->file = s->action_origin.file;
	if (config_expand(l, NULL, s->action_origin.line, "template: ", s->action_text, &s->target,
			  err, NULL) == -1) {
		config_error(l, s->action_origin.line, "%s", err);
		return;
	}
	if (!*s->target)
		config_error(l, s->action_origin.line, "step '%s': the template path is empty", s->name);
	else if (!s->output)
		config_error(l, s->action_origin.line,
			     "step '%s': template needs output = DEST, the file to render", s->name);
	else if (same_file(s->target, s->output))
		config_error(l, s->output_origin.line,
			     "step '%s': output %s is the template itself; render into another "
			     "file (with a read-only root: a writable directory)", s->name, s->output);
}

/* A malformed probe is a config error too (probe_parse says how to write it). */
static void check_probe(struct loader *l, const struct step *s)
{
	char err[PARSE_ERR_MAX];
	struct probe p;

	if (probe_parse(s->target, &p, err, sizeof(err)))
		config_error(l, s->action_origin.line, "step '%s': wait: %s", s->name, err);
}

static void finish_step(struct loader *l, struct step *s)
{
	char err[PARSE_ERR_MAX], what[80];
	bool deferred = false;

	str_format(what, sizeof(what), "command of step '%s'", s->name);
	switch (s->action) {
	case ACTION_NONE:
		l->file = s->origin.file;
		config_error(l, s->origin.line,
			     "step '%s' has no action; add one of: command, shell, wait, wait_tcp, "
			     "wait_file, template",
			     s->name);
		break;
	case ACTION_COMMAND:
		finish_command(l, s->action_text, s->action_origin, &s->proc, &s->argv, what);
		break;
	case ACTION_SHELL:
		strv_push(&s->argv, xstrdup("/bin/sh"));
		strv_push(&s->argv, xstrdup("-c"));
		strv_push(&s->argv, xstrdup(s->action_text));
		break;
	case ACTION_WAIT_TCP:
	case ACTION_WAIT_FILE:
	case ACTION_PROBE:
		l->file = s->action_origin.file;
		if (config_expand(l, &s->proc.env, s->action_origin.line, "", s->action_text,
				  &s->target, err, &deferred) == -1)
			config_error(l, s->action_origin.line, "%s", err);
		else if (!*s->target)
			config_error(l, s->action_origin.line, "step '%s': the %s target is empty",
				     s->name, s->action == ACTION_WAIT_TCP ? "wait_tcp"
					      : s->action == ACTION_PROBE  ? "wait"
									   : "wait_file");
		else if (s->action == ACTION_WAIT_TCP && !deferred)
			check_tcp_target(l, s); /* else when a run loads it, with the value */
		else if (s->action == ACTION_PROBE && !deferred)
			check_probe(l, s);
		break;
	case ACTION_TEMPLATE:
		finish_template(l, s);
		break;
	}
	if (s->output && s->action != ACTION_TEMPLATE && s->action != ACTION_NONE) {
		l->file = s->output_origin.file;
		config_error(l, s->output_origin.line,
			     "step '%s': output names the file a template renders; "
			     "add template = SRC or remove output", s->name);
	}
}

/* NAME and NAME_FILE both set: which one should win is anybody's guess,
 * so, as the official images do, refuse. */
static void check_file_env(struct loader *l)
{
	struct plan *p = l->plan;
	char file_name[80];

	l->file = p->file_env_origin.file;
	for (size_t i = 0; i < p->file_env.n; i++) {
		str_format(file_name, sizeof(file_name), "%s_FILE", p->file_env.v[i]);
		if (l->lookup(p->file_env.v[i], false, NULL) && l->lookup(file_name, false, NULL))
			config_error(l, p->file_env_origin.line,
				     "file_env: both %s and %s are set; unset one of them",
				     p->file_env.v[i], file_name);
	}
}

void config_finish_plan(struct loader *l)
{
	struct plan *p = l->plan;

	check_file_env(l);
	for (size_t i = 0; i < p->n_steps; i++)
		finish_step(l, &p->steps[i]);
	if (p->main.command_text)
		finish_command(l, p->main.command_text, p->main.origin, &p->main.proc, &p->main.argv,
			       "[main] command");
}
