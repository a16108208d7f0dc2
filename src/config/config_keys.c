/* The config's keys: one table per section (name, kind, where the value
 * goes, its limit), the defaults, and what each kind of value sets. */
#include "config_loader.h"

#include <ctype.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "parse.h"

static const struct key_def initc_keys[] = {
	{ "deadline", KEY_DURATION, offsetof(struct plan, deadline_ms), 0 },
	{ "grace", KEY_DURATION, offsetof(struct plan, grace_ms), 0 },
	{ "on_failure", KEY_ON_FAILURE, offsetof(struct plan, on_failure), 0 },
	{ "restart_limit", KEY_RESTART_LIMIT, offsetof(struct plan, restart_limit), 1000 },
	{ "restart_delay", KEY_DURATION, offsetof(struct plan, restart_delay_ms), 0 },
	{ "restart_max_delay", KEY_DURATION, offsetof(struct plan, restart_max_delay_ms), 0 },
	{ "status_file", KEY_RAW_PATH, offsetof(struct plan, status_file), 0 },
	{ "log_format", KEY_LOG_FORMAT, offsetof(struct plan, log_format), 0 },
	{ "termination_log", KEY_RAW_PATH, offsetof(struct plan, termination_log), 0 },
	{ "file_env", KEY_FILE_ENV, 0, 0 },
	{ NULL, 0, 0, 0 },
};

static const struct key_def step_keys[] = {
	{ "command", KEY_COMMAND, 0, 0 },
	{ "shell", KEY_SHELL, 0, 0 },
	{ "wait_tcp", KEY_WAIT_TCP, 0, 0 },
	{ "wait_file", KEY_WAIT_FILE, 0, 0 },
	{ "template", KEY_TEMPLATE, 0, 0 },
	{ "output", KEY_OUTPUT, offsetof(struct step, output), 0 },
	{ "wait", KEY_WAIT, 0, 0 },
	{ "timeout", KEY_DURATION, offsetof(struct step, timeout_ms), 0 },
	{ "retries", KEY_UINT, offsetof(struct step, retries), 1000000 },
	{ "retry_delay", KEY_DURATION, offsetof(struct step, retry_delay_ms), 0 },
	{ "backoff", KEY_FACTOR, offsetof(struct step, backoff_milli), 0 },
	{ "max_delay", KEY_DURATION, offsetof(struct step, max_delay_ms), 0 },
	{ "environment", KEY_ENV, offsetof(struct step, proc.env), 0 },
	{ "directory", KEY_PATH, offsetof(struct step, proc.directory), 0 },
	{ "user", KEY_USER, offsetof(struct step, proc.user), 0 },
	{ "creates", KEY_PATH, offsetof(struct step, creates), 0 },
	{ "optional", KEY_BOOL, offsetof(struct step, optional), 0 },
	{ "stop_signal", KEY_SIGNAL, offsetof(struct step, stop_signal), 0 },
	{ NULL, 0, 0, 0 },
};

static const struct key_def main_keys[] = {
	{ "command", KEY_MAIN_COMMAND, 0, 0 },
	{ "mode", KEY_MODE, offsetof(struct main_app, mode), 0 },
	{ "environment", KEY_ENV, offsetof(struct main_app, proc.env), 0 },
	{ "directory", KEY_PATH, offsetof(struct main_app, proc.directory), 0 },
	{ "user", KEY_USER, offsetof(struct main_app, proc.user), 0 },
	{ "signal_group", KEY_BOOL, offsetof(struct main_app, signal_group), 0 },
	{ "success_codes", KEY_SUCCESS_CODES, 0, 0 },
	{ NULL, 0, 0, 0 },
};

#define ROWS(table) (sizeof(table) / sizeof((table)[0]) - 1) /* less the NULL row */
_Static_assert(ROWS(initc_keys) <= KEYS_MAX && ROWS(step_keys) <= KEYS_MAX &&
		       ROWS(main_keys) <= KEYS_MAX,
	       "a section has more keys than struct keyset can track: raise KEYS_MAX");

void config_step_defaults(struct step *s)
{
	memset(s, 0, sizeof(*s));
	s->retry_delay_ms = 1000;
	s->backoff_milli = 2000;
	s->max_delay_ms = 30000;
	s->stop_signal = 15;
}

void config_plan_defaults(struct plan *plan)
{
	memset(plan, 0, sizeof(*plan));
	plan->grace_ms = 10000;
	plan->restart_limit = 3;
	plan->restart_delay_ms = 1000;
	plan->restart_max_delay_ms = 300000;
}

const struct key_def *config_section_keys(enum section_kind sec)
{
	switch (sec) {
	case SEC_INITC:
		return initc_keys;
	case SEC_MAIN:
		return main_keys;
	default:
		return step_keys;
	}
}

static const char *section_label(enum section_kind sec)
{
	switch (sec) {
	case SEC_INITC:
		return "[initc]";
	case SEC_MAIN:
		return "[main]";
	default:
		return "[step:NAME]";
	}
}

/* The section being read, as the user wrote it: [initc], [main] or
 * [step:migrate]. */
static void current_section_label(const struct loader *l, char *buf, size_t len)
{
	if (l->sec == SEC_STEP)
		str_format(buf, len, "[step:%s]", l->plan->steps[l->step].name);
	else
		str_format(buf, len, "%s", section_label(l->sec));
}

int config_key_index(const struct key_def *keys, const char *name)
{
	for (int i = 0; keys[i].name; i++)
		if (strcmp(keys[i].name, name) == 0)
			return i;
	return -1;
}

void config_unknown_key(struct loader *l, const char *name)
{
	const struct key_def *keys = config_section_keys(l->sec);
	const char *best = NULL;
	unsigned best_d = 3;
	static const enum section_kind others[] = { SEC_INITC, SEC_MAIN, SEC_STEP };
	char here[64];

	current_section_label(l, here, sizeof(here));
	for (int i = 0; keys[i].name; i++) {
		unsigned d = edit_distance(name, keys[i].name);
		if (d < best_d) {
			best_d = d;
			best = keys[i].name;
		}
	}
	if (best) {
		config_error(l, l->line, "unknown key '%s' in %s; did you mean '%s'?", name, here,
			     best);
		return;
	}
	for (size_t i = 0; i < 3; i++) {
		if (others[i] != l->sec && config_key_index(config_section_keys(others[i]), name) >= 0) {
			config_error(l, l->line, "key '%s' belongs in %s, not in %s", name,
				     section_label(others[i]), here);
			return;
		}
	}
	config_error(l, l->line, "unknown key '%s' in %s; see initc.ini(5) for the keys", name,
		     here);
}

static void *section_base(struct loader *l)
{
	switch (l->sec) {
	case SEC_INITC:
		return l->plan;
	case SEC_MAIN:
		return &l->plan->main;
	default:
		return &l->plan->steps[l->step];
	}
}

static void set_string(char **field, char *value)
{
	free(*field);
	*field = value;
}

static int set_env(struct loader *l, struct strv *env, const char *value)
{
	char err[PARSE_ERR_MAX], *expanded;
	const char *eq = strchr(value, '=');

	if (!eq || eq == value) {
		config_error(l, l->line, "environment '%s' is not NAME=value", value);
		return -1;
	}
	for (const char *p = value; p < eq; p++) {
		if (!(isalnum((unsigned char)*p) || *p == '_') || isdigit((unsigned char)value[0])) {
			config_error(l, l->line,
				     "bad variable name '%.*s' in environment; use letters, digits and _",
				     (int)(eq - value), value);
			return -1;
		}
	}
	if (config_expand(l, NULL, l->line, "", value, &expanded, err, NULL) == -1) {
		config_error(l, l->line, "%s", err);
		return -1;
	}
	strv_push(env, expanded);
	return 0;
}

static int set_user(struct loader *l, char **field, const char *value)
{
	size_t len = strlen(value);

	if (len == 0 || len > 64 || value[0] == ':' || value[len - 1] == ':' ||
	    strchr(value, ':') != strrchr(value, ':')) {
		config_error(l, l->line, "bad user '%s'; give a name, a uid, or uid:gid", value);
		return -1;
	}
	for (const char *p = value; *p; p++) {
		if (!isalnum((unsigned char)*p) && !strchr("_.-:", *p)) {
			config_error(l, l->line, "bad user '%s'; give a name, a uid, or uid:gid", value);
			return -1;
		}
	}
	set_string(field, xstrdup(value));
	return 0;
}

/* One word of success_codes: "143" or a range "129-255"; false if bad. */
static bool parse_code_range(const char *word, unsigned long *lo, unsigned long *hi)
{
	char err[PARSE_ERR_MAX], first[16];
	const char *dash = strchr(word, '-');

	if (!dash)
		return parse_uint(word, 255, lo, err) == 0 && (*hi = *lo, true);
	str_format(first, sizeof(first), "%.*s", (int)(dash - word), word);
	return parse_uint(first, 255, lo, err) == 0 && parse_uint(dash + 1, 255, hi, err) == 0 &&
	       *lo <= *hi;
}

/* success_codes adds to the codes already given: the key repeats, and a
 * drop-in adds to the main file's, so all 256 codes can be listed. */
static int set_success_codes(struct loader *l, struct main_app *m, const char *value)
{
	char word[16];
	const char *p = value;
	unsigned long lo, hi;

	while (*p) {
		size_t n = strcspn(p, " ,\t");
		if (n == 0) {
			p++;
			continue;
		}
		str_format(word, sizeof(word), "%.*s", (int)(n < 15 ? n : 15), p);
		if (n >= 15 || !parse_code_range(word, &lo, &hi)) {
			config_error(l, l->line,
				     "bad exit status '%.*s' in success_codes; give numbers 0-255 or "
				     "ranges such as 129-255",
				     (int)n, p);
			return -1;
		}
		for (unsigned long c = lo; c <= hi; c++)
			m->success[c] = true;
		p += n;
	}
	return 0;
}

/* file_env = NAME ...: names to take from NAME_FILE. A drop-in adds names. */
static int set_file_env(struct loader *l, const char *value)
{
	struct plan *p = l->plan;

	p->file_env_origin = (struct origin){ l->file, l->line };
	for (const char *w = value; *w;) {
		size_t n = strcspn(w, " ,\t"), i = 0;

		while (i < n && (isalnum((unsigned char)w[i]) || w[i] == '_'))
			i++;
		if (i < n || (n && isdigit((unsigned char)*w)) || n > 64) {
			config_error(l, l->line, "file_env: bad variable name '%.*s'; use letters, digits "
				     "and _, not starting with a digit", (int)(n < 64 ? n : 64), w);
			return -1;
		}
		for (i = 0; n && i < p->file_env.n; i++)
			if (strlen(p->file_env.v[i]) == n && memcmp(p->file_env.v[i], w, n) == 0)
				break;
		if (n && i == p->file_env.n)
			strv_push(&p->file_env, xstrndup(w, n));
		w += n + (w[n] != '\0');
	}
	return 0;
}

/* An action key: records the text (split and expanded once the whole value,
 * continuation lines included, has been read). */
static int set_action(struct loader *l, const struct key_def *k, const char *value)
{
	struct step *s = &l->plan->steps[l->step];
	enum action a = k->kind == KEY_COMMAND	 ? ACTION_COMMAND
			: k->kind == KEY_SHELL	 ? ACTION_SHELL
			: k->kind == KEY_WAIT_TCP ? ACTION_WAIT_TCP
			: k->kind == KEY_TEMPLATE ? ACTION_TEMPLATE
			: k->kind == KEY_WAIT	  ? ACTION_PROBE
						  : ACTION_WAIT_FILE;
	static const char *const names[] = { "", "command", "shell", "wait_tcp", "wait_file",
					     "template", "wait" };

	if (s->action != ACTION_NONE && s->action != a) {
		config_error(l, l->line,
			     "step '%s' has two actions: '%s' (%s:%d) and '%s'; a step has exactly one",
			     s->name, names[s->action], s->action_origin.file, s->action_origin.line,
			     names[a]);
		return -1;
	}
	s->action = a;
	s->action_origin = (struct origin){ l->file, l->line };
	set_string(&s->action_text, xstrdup(value));
	return 0;
}

/* restart_limit: a number of re-runs, or no limit but the deadline. */
static int parse_restart_limit(const char *value, unsigned long max, unsigned long *out, char *err)
{
	if (strcmp(value, "unlimited") == 0 || strcmp(value, "infinite") == 0) {
		*out = RESTART_UNLIMITED;
		return 0;
	}
	if (parse_uint(value, max, out, err) == 0)
		return 0;
	if (!isdigit((unsigned char)value[0]))
		str_format(err, PARSE_ERR_MAX,
			   "bad value '%s'; give a number of re-runs from 0 to %lu, or unlimited "
			   "(then only the deadline ends the restarts)",
			   value, max);
	return -1;
}

/* A key with two possible words, stored as enum value 0 or 1. */
static int parse_choice(const char *value, const char *zero, const char *one, void *field,
			char *err)
{
	int *out = field;

	if (strcmp(value, zero) == 0)
		*out = 0;
	else if (strcmp(value, one) == 0)
		*out = 1;
	else {
		str_format(err, PARSE_ERR_MAX, "bad value '%s'; use %s or %s", value, zero, one);
		return -1;
	}
	return 0;
}

int config_set_value(struct loader *l, const struct key_def *k, const char *value)
{
	char err[PARSE_ERR_MAX], what[32], *expanded;
	void *field = (char *)section_base(l) + k->offset;
	int rc = 0;

	switch (k->kind) {
	case KEY_COMMAND:
	case KEY_SHELL:
	case KEY_WAIT_TCP:
	case KEY_WAIT_FILE:
	case KEY_TEMPLATE:
	case KEY_WAIT:
		return set_action(l, k, value);
	case KEY_MAIN_COMMAND:
		set_string(&l->plan->main.command_text, xstrdup(value));
		l->plan->main.origin = (struct origin){ l->file, l->line };
		return 0;
	case KEY_DURATION:
		rc = parse_duration(value, field, err);
		break;
	case KEY_RESTART_LIMIT:
		rc = parse_restart_limit(value, k->max, field, err);
		break;
	case KEY_UINT:
		rc = parse_uint(value, k->max, field, err);
		break;
	case KEY_BOOL:
		rc = parse_bool(value, field, err);
		break;
	case KEY_FACTOR:
		rc = parse_factor(value, field, err);
		break;
	case KEY_SIGNAL:
		rc = parse_signal(value, field, err);
		break;
	case KEY_OUTPUT: /* a path like any; its line for messages */
		l->plan->steps[l->step].output_origin = (struct origin){ l->file, l->line };
		/* fall through */
	case KEY_PATH:
		str_format(what, sizeof(what), "%s: ", k->name);
		if (config_expand(l, NULL, l->line, what, value, &expanded, err, NULL) == -1) {
			rc = -1;
			break;
		}
		set_string(field, expanded);
		if (!*expanded) {
			str_format(err, sizeof(err), "'%s' is empty; give a path", k->name);
			rc = -1;
		}
		break;
	case KEY_RAW_PATH:
		set_string(field, xstrdup(value));
		break;
	case KEY_ENV:
		return set_env(l, field, value);
	case KEY_USER:
		return set_user(l, field, value);
	case KEY_SUCCESS_CODES:
		return set_success_codes(l, &l->plan->main, value);
	case KEY_FILE_ENV:
		return set_file_env(l, value);
	case KEY_MODE:
		rc = parse_choice(value, "exec", "supervise", field, err);
		break;
	case KEY_ON_FAILURE:
		rc = parse_choice(value, "exit", "restart", field, err);
		break;
	case KEY_LOG_FORMAT:
		rc = parse_choice(value, "text", "json", field, err);
		l->plan->log_format_set = rc == 0;
		break;
	}
	if (rc == -1)
		config_error(l, l->line, "%s: %s", k->name, err);
	return rc;
}

/* An indented line that looks like "key = value" is almost always a key
 * the author indented by mistake, not part of the command. */
const char *config_looks_like_key(const char *value, bool need_space)
{
	for (int i = 0; step_keys[i].name; i++) {
		size_t n = strlen(step_keys[i].name);
		const char *p = value + n;

		if (strncmp(value, step_keys[i].name, n) != 0)
			continue;
		if (*p == ' ' || *p == '\t' || (!need_space && *p == '='))
			while (*p == ' ' || *p == '\t')
				p++;
		else
			continue;
		if (*p == '=')
			return step_keys[i].name;
	}
	return NULL;
}
