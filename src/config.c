/* Config loading: INI files -> a validated plan.
 *
 * inih does the INI syntax; this file feeds it lines through its own reader
 * so that it can count lines, refuse lines inih would split, see the raw
 * text (inline comments that would cut a command, indented continuation
 * lines) and track sections, including ones that have no keys. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "acl.h"
#include "format.h"
#include "parse.h"
#include "probe.h"

#define CONFIG_FILE_MAX (1024L * 1024)
#define STEP_NAME_MAX 40
#define KEYS_MAX 24

enum section_kind { SEC_NONE, SEC_BAD, SEC_INITC, SEC_MAIN, SEC_STEP };

enum key_kind {
	KEY_COMMAND,	  /* step action: argv with sh-like quoting */
	KEY_SHELL,	  /* step action: /bin/sh -c script */
	KEY_WAIT_TCP,	  /* step action: host:port */
	KEY_WAIT_FILE,	  /* step action: path */
	KEY_TEMPLATE,	  /* step action: the template's path */
	KEY_OUTPUT,	  /* a template step's output path */
	KEY_WAIT,	  /* step action: a probe (probe.h) */
	KEY_MAIN_COMMAND, /* [main] command */
	KEY_DURATION,
	KEY_UINT,
	KEY_BOOL,
	KEY_FACTOR,
	KEY_SIGNAL,
	KEY_PATH,     /* a string with ${VAR} expansion */
	KEY_RAW_PATH, /* a string taken as written */
	KEY_ENV,
	KEY_USER,
	KEY_MODE,
	KEY_ON_FAILURE,
	KEY_LOG_FORMAT,
	KEY_SUCCESS_CODES,
	KEY_RESTART_LIMIT, /* a number, or unlimited / infinite */
	KEY_FILE_ENV,
};

/* Packed into 16 bytes (the tables are 31 of these in a 64 KiB binary). */
struct key_def {
	const char *name;
	uint8_t kind;	 /* enum key_kind */
	uint16_t offset; /* into the section's struct */
	uint32_t max;	 /* KEY_UINT */
};
_Static_assert(sizeof(struct plan) <= UINT16_MAX && sizeof(struct step) <= UINT16_MAX &&
		       sizeof(struct main_app) <= UINT16_MAX,
	       "key_def.offset is 16 bits");

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

/* Where each key of one section was last set, to tell a duplicate in one
 * file (an error) from an override in a later drop-in (allowed). */
struct keyset {
	const char *file[KEYS_MAX];
	int line[KEYS_MAX];
	const char *opened_in; /* file that last opened this section */
	int opened_line;
};

struct loader {
	struct plan *plan;
	env_lookup_fn lookup;
	/* --check at image build time: a variable set only when the container
	 * runs is a warning, kept as ${NAME}, not an error. */
	bool defer_unset;
	/* the file being read */
	const char *file;
	const char *text;
	size_t size;
	size_t pos;
	int line;
	bool stop;
	/* the current line, as written (no line ending) */
	const char *raw;
	size_t raw_len;
	bool indented;
	int bad_header_line; /* a '[' line without ']', already reported */
	/* the current section */
	enum section_kind sec;
	size_t step;
	char last_key[64]; /* for continuation lines; "" after a header */
	/* bookkeeping */
	struct keyset initc_set, main_set;
	struct keyset *step_sets;
	size_t steps_cap; /* of plan->steps and step_sets */
	int errors;
	char *first_error;
	size_t first_len;
};

/* Reports "file:line: message" (line 0: "file: message"). */
static void __attribute__((format(printf, 3, 4)))
config_error(struct loader *l, int line, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	str_vformat(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line > 0)
		log_msg(LOG_ERROR, "%s:%d: %s", l->file, line, msg);
	else
		log_msg(LOG_ERROR, "%s: %s", l->file, msg);
	if (l->errors++ == 0 && l->first_error) {
		if (line > 0)
			str_format(l->first_error, l->first_len, "%s:%d: %s", l->file, line, msg);
		else
			str_format(l->first_error, l->first_len, "%s: %s", l->file, msg);
	}
}

/* Where ${VAR} is looked up: the step's own environment first, when it is
 * the step's action being expanded (that is the environment it runs with),
 * then initc's. */
struct var_scope {
	struct loader *l;
	const struct strv *env; /* NULL: initc's environment only */
	int line;
	const char *what; /* "" or "creates: ", as the error would say */
	bool deferred; /* a variable was unset and kept as ${NAME} (--check) */
	char kept[80];
};

/* The value of NAME in a list of NAME=value entries; the last one wins,
 * as when the step runs. */
static const char *env_entry_value(const struct strv *env, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = env ? env->n : 0; i-- > 0;)
		if (strncmp(env->v[i], name, n) == 0 && env->v[i][n] == '=')
			return env->v[i] + n + 1;
	return NULL;
}

static const char *scope_lookup(const char *name, bool has_default, void *ctx)
{
	struct var_scope *sc = ctx;
	struct loader *l = sc->l;
	const char *value = env_entry_value(sc->env, name);

	if (!value)
		value = l->lookup(name, has_default, NULL);
	if (value || has_default || !l->defer_unset)
		return value;
	log_msg(LOG_WARN,
		"%s:%d: %svariable %s is not set here: it must be set when initc runs "
		"(a run without it refuses the config)",
		l->file, sc->line, sc->what, name);
	str_format(sc->kept, sizeof(sc->kept), "${%.64s}", name);
	sc->deferred = true;
	return sc->kept;
}

/* expand_vars with the loader's rules; env: see struct var_scope. */
static int config_expand(struct loader *l, const struct strv *env, int line, const char *what,
			 const char *in, char **out, char *err, bool *deferred)
{
	struct var_scope sc = { l, env, line, what, false, "" };
	int rc = expand_vars(in, scope_lookup, &sc, out, err);

	if (deferred)
		*deferred = sc.deferred;
	return rc;
}

static void step_defaults(struct step *s)
{
	memset(s, 0, sizeof(*s));
	s->retry_delay_ms = 1000;
	s->backoff_milli = 2000;
	s->max_delay_ms = 30000;
	s->stop_signal = 15;
}

static bool valid_step_name(const char *name, size_t len)
{
	if (len == 0 || len > STEP_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)name[i]) && !strchr("_.-", name[i]))
			return false;
	return true;
}

/* Finds or creates the step called name; returns its index. */
static size_t step_find_or_add(struct loader *l, const char *name, size_t len)
{
	struct plan *p = l->plan;

	for (size_t i = 0; i < p->n_steps; i++)
		if (strlen(p->steps[i].name) == len && memcmp(p->steps[i].name, name, len) == 0)
			return i;
	if (p->n_steps == l->steps_cap) {
		/* Doubling keeps a config with thousands of steps linear. */
		l->steps_cap = l->steps_cap ? 2 * l->steps_cap : 8;
		p->steps = xrealloc(p->steps, l->steps_cap * sizeof(*p->steps));
		l->step_sets = xrealloc(l->step_sets, l->steps_cap * sizeof(*l->step_sets));
	}
	step_defaults(&p->steps[p->n_steps]);
	memset(&l->step_sets[p->n_steps], 0, sizeof(*l->step_sets));
	p->steps[p->n_steps].name = xstrndup(name, len);
	p->steps[p->n_steps].origin = (struct origin){ l->file, l->line };
	return p->n_steps++;
}

static struct keyset *current_keyset(struct loader *l)
{
	switch (l->sec) {
	case SEC_INITC:
		return &l->initc_set;
	case SEC_MAIN:
		return &l->main_set;
	case SEC_STEP:
		return &l->step_sets[l->step];
	default:
		return NULL;
	}
}

static void suggest_section(struct loader *l, const char *name, size_t len)
{
	char copy[64];

	str_format(copy, sizeof(copy), "%.*s", (int)(len < 60 ? len : 60), name);
	if (edit_distance(copy, "initc") <= 2)
		config_error(l, l->line, "unknown section [%s]; did you mean [initc]?", copy);
	else if (edit_distance(copy, "main") <= 2)
		config_error(l, l->line, "unknown section [%s]; did you mean [main]?", copy);
	else if (strncmp(copy, "step", 4) == 0 || strchr(copy, ':'))
		config_error(l, l->line, "unknown section [%s]; did you mean [step:%s]?", copy,
			     strchr(copy, ':') ? strchr(copy, ':') + 1 : copy + 4);
	else
		config_error(l, l->line,
			     "unknown section [%s]; sections are [initc], [main] and [step:NAME]", copy);
}

/* A section header line: called by the reader, because inih does not tell
 * the handler about sections that have no keys. */
static void section_begin(struct loader *l, const char *name, size_t len)
{
	struct keyset *set;

	l->last_key[0] = '\0';
	l->sec = SEC_BAD;
	if (len >= 50) {
		config_error(l, l->line,
			     "section name is %zu characters long; the INI parser keeps 49: use a shorter step name",
			     len);
		return;
	}
	if (len == 5 && memcmp(name, "initc", 5) == 0) {
		l->sec = SEC_INITC;
	} else if (len == 4 && memcmp(name, "main", 4) == 0) {
		l->sec = SEC_MAIN;
	} else if (len >= 5 && memcmp(name, "step:", 5) == 0) {
		if (!valid_step_name(name + 5, len - 5)) {
			config_error(l, l->line,
				     "bad step name [%.*s]; use 1-%d letters, digits, '_', '.' or '-' after 'step:'",
				     (int)len, name, STEP_NAME_MAX);
			return;
		}
		l->sec = SEC_STEP;
		l->step = step_find_or_add(l, name + 5, len - 5);
	} else {
		suggest_section(l, name, len);
		return;
	}
	set = current_keyset(l);
	if (set->opened_in == l->file) {
		config_error(l, l->line,
			     "section [%.*s] appears twice in this file (first at line %d); merge the two",
			     (int)len, name, set->opened_line);
		l->sec = SEC_BAD;
		return;
	}
	set->opened_in = l->file;
	set->opened_line = l->line;
}

/* Mirrors inih's line classification just enough to see section headers:
 * a '[' line that is not a continuation of an indented value. */
static void classify_line(struct loader *l)
{
	const char *s = l->raw, *end = l->raw + l->raw_len;
	bool was_space = false;

	if (l->line == 1 && l->raw_len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
		s += 3;
	l->indented = s < end && (*s == ' ' || *s == '\t');
	while (s < end && isspace((unsigned char)*s))
		s++;
	if (s == end || *s != '[' || (l->indented && l->last_key[0]))
		return;
	for (const char *p = s + 1; p < end; p++) {
		if (*p == ']') {
			section_begin(l, s + 1, (size_t)(p - s - 1));
			return;
		}
		if (*p == ';' && was_space)
			break;
		was_space = isspace((unsigned char)*p);
	}
	/* inih would report this line at the end and meanwhile keep filling
	 * the previous section with the keys that follow. */
	config_error(l, l->line, "section header has no closing ']'; write [initc], [main] or [step:NAME] (a ';' after a space starts a comment)");
	l->sec = SEC_BAD;
	l->last_key[0] = '\0';
	l->bad_header_line = l->line;
}

/* inih's reader callback: hands over one line, refusing lines inih would
 * split or misread. */
static char *config_reader(char *str, int num, void *stream)
{
	struct loader *l = stream;
	const char *start, *nl;
	size_t len, content;
	int limit = num - 3; /* room for "\r\n" and the NUL */

	if (l->stop || l->pos >= l->size)
		return NULL;
	start = l->text + l->pos;
	nl = memchr(start, '\n', l->size - l->pos);
	len = nl ? (size_t)(nl - start) + 1 : l->size - l->pos;
	l->line++;
	l->pos += len;
	content = len;
	while (content > 0 && (start[content - 1] == '\n' || start[content - 1] == '\r'))
		content--;
	if (memchr(start, '\0', len)) {
		config_error(l, l->line, "line contains a NUL byte; is this a text file?");
		l->stop = true;
		return NULL;
	}
	if (content > (size_t)limit) {
		config_error(l, l->line,
			     "line is %zu characters long; initc's INI parser reads at most %d: "
			     "continue long command or shell values on indented lines",
			     content, limit);
		l->stop = true;
		return NULL;
	}
	memcpy(str, start, content);
	str[content] = '\n';
	str[content + 1] = '\0';
	l->raw = start;
	l->raw_len = content;
	classify_line(l);
	return str;
}

/* inih cuts a value at ';' after whitespace; for commands that would run
 * something else than what is written, so it is refused. */
static bool raw_has_inline_comment(const struct loader *l)
{
	for (size_t i = 1; i < l->raw_len; i++)
		if (l->raw[i] == ';' && isspace((unsigned char)l->raw[i - 1]))
			return true;
	return false;
}

static const struct key_def *section_keys(enum section_kind sec)
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

static int key_index(const struct key_def *keys, const char *name)
{
	for (int i = 0; keys[i].name; i++)
		if (strcmp(keys[i].name, name) == 0)
			return i;
	return -1;
}

static void unknown_key(struct loader *l, const char *name)
{
	const struct key_def *keys = section_keys(l->sec);
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
		if (others[i] != l->sec && key_index(section_keys(others[i]), name) >= 0) {
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

static int set_value(struct loader *l, const struct key_def *k, const char *value)
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
static const char *looks_like_key(const char *value, bool need_space)
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

static void continue_value(struct loader *l, const struct key_def *k, const char *value)
{
	struct step *s = l->sec == SEC_STEP ? &l->plan->steps[l->step] : NULL;
	char **text = k->kind == KEY_MAIN_COMMAND ? &l->plan->main.command_text
		      : s			  ? &s->action_text
						  : NULL;
	const char *key = looks_like_key(value, k->kind == KEY_SHELL);
	struct sbuf b = { 0 };

	if (k->kind != KEY_COMMAND && k->kind != KEY_SHELL && k->kind != KEY_MAIN_COMMAND) {
		config_error(l, l->line,
			     "indented line continues '%s', which takes one line; "
			     "remove the indentation%s",
			     k->name, k->kind == KEY_ENV ? " and repeat 'environment =' for each variable" : "");
		return;
	}
	if (!text || !*text)
		return; /* the key's first line was refused and reported */
	if (key) {
		config_error(l, l->line,
			     "indented line continues '%s' but looks like the key '%s'; "
			     "remove the indentation to make it a key",
			     k->name, key);
		return;
	}
	sbuf_add(&b, *text, strlen(*text));
	sbuf_addc(&b, k->kind == KEY_SHELL ? '\n' : ' ');
	sbuf_add(&b, value, strlen(value));
	set_string(text, sbuf_take(&b));
}

/* inih's handler: one call per "key = value" line or continuation line. */
static int config_handler(void *user, const char *section, const char *name, const char *value)
{
	struct loader *l = user;
	const struct key_def *keys;
	struct keyset *set;
	bool continuation;
	int i;

	(void)section; /* tracked by classify_line, which also sees empty sections */
	if (l->sec == SEC_NONE) {
		config_error(l, l->line,
			     "key '%s' comes before any section; put it under [initc], [main] or [step:NAME]",
			     name);
		return 1;
	}
	if (l->sec == SEC_BAD)
		return 1; /* the header was reported; do not pile up errors */
	keys = section_keys(l->sec);
	i = key_index(keys, name);
	continuation = l->indented && l->last_key[0] && strcmp(l->last_key, name) == 0;
	str_format(l->last_key, sizeof(l->last_key), "%s", name);
	if (i < 0) {
		if (!continuation)
			unknown_key(l, name);
		return 1;
	}
	if ((keys[i].kind == KEY_COMMAND || keys[i].kind == KEY_SHELL ||
	     keys[i].kind == KEY_MAIN_COMMAND) &&
	    raw_has_inline_comment(l)) {
		config_error(l, l->line,
			     "'%s' contains ' ;', which the INI parser treats as the start of a comment "
			     "and would cut the %s; put comments on their own line and write ';' "
			     "without a space before it (a; b) or as \\;",
			     name, keys[i].kind == KEY_SHELL ? "script" : "command");
		return 1;
	}
	if (continuation) {
		continue_value(l, &keys[i], value);
		return 1;
	}
	set = current_keyset(l);
	if (set->file[i] == l->file && keys[i].kind != KEY_ENV &&
	    keys[i].kind != KEY_SUCCESS_CODES) {
		config_error(l, l->line,
			     "duplicate key '%s' (already set at line %d); each key appears once per "
			     "section (only environment and success_codes repeat)",
			     name, set->line[i]);
		return 1;
	}
	set->file[i] = l->file;
	set->line[i] = l->line;
	set_value(l, &keys[i], value);
	return 1;
}

static void parse_text(struct loader *l, const char *file, const char *text, size_t size)
{
	int rc;

	l->file = file;
	l->text = text;
	l->size = size;
	l->pos = 0;
	l->line = 0;
	l->stop = false;
	l->sec = SEC_NONE;
	l->last_key[0] = '\0';
	l->bad_header_line = 0;
	rc = ini_parse_stream(config_reader, l, config_handler, l);
	if (rc > 0 && !l->stop && rc != l->bad_header_line)
		config_error(l, rc,
			     "cannot parse this line; expected [section], key = value, or a comment "
			     "(';' or '#' at the start of the line)");
	else if (rc < 0 && !l->stop)
		config_error(l, 0, "the INI parser failed (error %d)", rc);
}

/* Splits and expands a step's or the app's command once it is complete;
 * ${VAR} sees the environment it will run with (env, then initc's). */
static int finish_command(struct loader *l, const char *text, struct origin at,
			  const struct proc_opts *proc, struct strv *argv, const char *what)
{
	char err[PARSE_ERR_MAX], label[100];
	struct var_scope sc = { l, &proc->env, at.line, label, false, "" };

	l->file = at.file;
	str_format(label, sizeof(label), "%s: ", what);
	if (split_words(text, scope_lookup, &sc, argv, err) == -1) {
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

static void finish_plan(struct loader *l)
{
	struct plan *p = l->plan;

	check_file_env(l);
	for (size_t i = 0; i < p->n_steps; i++)
		finish_step(l, &p->steps[i]);
	if (p->main.command_text)
		finish_command(l, p->main.command_text, p->main.origin, &p->main.proc, &p->main.argv,
			       "[main] command");
}

static void plan_init(struct plan *plan)
{
	memset(plan, 0, sizeof(*plan));
	plan->grace_ms = 10000;
	plan->restart_limit = 3;
	plan->restart_delay_ms = 1000;
	plan->restart_max_delay_ms = 300000;
}

static void loader_init(struct loader *l, struct plan *plan, char *first_error, size_t len)
{
	memset(l, 0, sizeof(*l));
	plan_init(plan);
	l->plan = plan;
	l->lookup = env_lookup_getenv;
	l->first_error = first_error;
	l->first_len = len;
	if (first_error && len)
		first_error[0] = '\0';
}

static int loader_finish(struct loader *l)
{
	if (l->errors == 0)
		finish_plan(l);
	free(l->step_sets);
	if (l->errors == 0)
		return 0;
	plan_free(l->plan);
	return -1;
}

static const char *intern_file(struct loader *l, const char *name)
{
	strv_push(&l->plan->files, xstrdup(name));
	return l->plan->files.v[l->plan->files.n - 1];
}

int config_load_text(const char *text, size_t size, const char *name, struct plan *plan,
		     char *first_error, size_t len)
{
	struct loader l;

	loader_init(&l, plan, first_error, len);
	parse_text(&l, intern_file(&l, name), text, size);
	return loader_finish(&l);
}

/* The POSIX ACL part of config_trusted: no named user or group but root
 * (or initc's own user and group) may write. */
static bool config_acl_trusted(struct loader *l, int fd, const struct stat *st, const char *what,
			       const char *path)
{
	struct acl_self self = { geteuid(), getegid() };
	struct acl_writer w;

	if (acl_fd_writer(fd, &self, st->st_gid, &w) == -1) {
		config_error(l, 0, "cannot read the POSIX ACL of %s: %s; initc will not guess who "
			     "may write it", path, error_text(errno));
		return false;
	}
	if (w.who == ACL_WHO_NONE)
		return true;
	config_error(l, 0,
		     "%s writable by %s %lu through a POSIX ACL, who could change what initc "
		     "runs; fix it with: setfacl -x %c:%lu %s (or chmod g-w %s)",
		     what, w.who == ACL_WHO_USER ? "uid" : "gid", w.id,
		     w.who == ACL_WHO_USER ? 'u' : 'g', w.id, path, path);
	return false;
}

/* Whoever can change a config decides what initc runs, so a file or
 * drop-in directory must be writable only by root or initc's own user:
 * refuse one that every user may write, or that another user owns (when
 * initc runs as root: any owner but root), or that a group other than
 * root's or initc's own may write. Root's group (gid 0) is root's own
 * (and a user's private group its own), but a POSIX ACL
 * can name other writers: its named entries are checked then (when an ACL
 * has them, the mode's group bits are its mask, so without g+w nobody in
 * it writes). st is from fstat on fd, so a symlink is judged by what it
 * points to. */
static bool config_trusted(struct loader *l, int fd, const struct stat *st, const char *what,
			   const char *verb, const char *path)
{
	uid_t self = geteuid();

	if (st->st_mode & S_IWOTH) {
		config_error(l, 0,
			     "%s writable by every user, and initc runs what it %s%s; "
			     "fix it with: chmod o-w %s",
			     what, verb, self == 0 ? " as root" : "", path);
		return false;
	}
	if (st->st_uid != 0 && st->st_uid != self) {
		config_error(l, 0,
			     "%s owned by uid %u, who could change what initc (uid %u) runs; "
			     "fix it with: chown %u %s",
			     what, (unsigned)st->st_uid, (unsigned)self, (unsigned)self, path);
		return false;
	}
	if ((st->st_mode & S_IWGRP) && st->st_gid != 0 && st->st_gid != getegid()) {
		config_error(l, 0,
			     "%s writable by group %u, whose members could change what initc "
			     "runs%s; fix it with: chmod g-w %s",
			     what, (unsigned)st->st_gid, self == 0 ? " as root" : "", path);
		return false;
	}
	return (st->st_mode & S_IWGRP) ? config_acl_trusted(l, fd, st, what, path) : true;
}

/* Reads a config file opened at dirfd/name, refusing what initc must not
 * trust or cannot read as a text file. Returns the bytes, or NULL. */
static char *read_config_file(struct loader *l, int dirfd, const char *name, size_t *size)
{
	struct stat st;
	char *buf = NULL;
	size_t got = 0;
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);

	if (fd == -1) {
		config_error(l, 0, "cannot open: %s", error_text(errno));
		return NULL;
	}
	if (fstat(fd, &st) == -1) {
		config_error(l, 0, "cannot stat: %s", error_text(errno));
		goto close_fd;
	}
	if (S_ISDIR(st.st_mode)) {
		config_error(l, 0, "is a directory; drop-in files must be regular *.ini files");
		goto close_fd;
	}
	if (!S_ISREG(st.st_mode)) {
		config_error(l, 0, "is not a regular file");
		goto close_fd;
	}
	if (!config_trusted(l, fd, &st, "is", "says", l->file))
		goto close_fd;
	if (st.st_size > CONFIG_FILE_MAX) {
		config_error(l, 0, "is %lld bytes; config files are limited to %ld",
			     (long long)st.st_size, CONFIG_FILE_MAX);
		goto close_fd;
	}
	buf = xmalloc((size_t)st.st_size + 1);
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			config_error(l, 0, "cannot read: %s", n ? error_text(errno) : "file shrank");
			free(buf);
			buf = NULL;
			goto close_fd;
		}
		got += (size_t)n;
	}
	buf[got] = '\0';
	*size = got;
close_fd:
	close(fd);
	return buf;
}

static void load_file_at(struct loader *l, int dirfd, const char *name, const char *display)
{
	size_t size;
	char *text;

	l->file = intern_file(l, display);
	text = read_config_file(l, dirfd, name, &size);
	if (!text)
		return;
	parse_text(l, l->file, text, size);
	free(text);
}

static bool is_ini_name(const char *name)
{
	size_t n = strlen(name);

	return name[0] != '.' && n > 4 && strcmp(name + n - 4, ".ini") == 0;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reads every *.ini in the directory, in byte order of their names. */
static void load_dir(struct loader *l, const char *dir, int fd)
{
	struct strv names = { 0 };
	struct stat st;
	size_t kept = 0;

	l->file = intern_file(l, dir);
	if (fstat(fd, &st) == -1) {
		config_error(l, 0, "cannot stat directory: %s", error_text(errno));
		close(fd);
		return;
	}
	if (!config_trusted(l, fd, &st, "drop-in directory is", "holds", dir)) {
		close(fd);
		return;
	}
	if (dir_list(fd, &names) == -1) {
		config_error(l, 0, "cannot read directory: %s", error_text(errno));
		strv_free(&names);
		close(fd);
		return;
	}
	/* Keeps the *.ini names in place, dropping the others. */
	for (size_t i = 0; i < names.n; i++) {
		if (is_ini_name(names.v[i])) {
			names.v[kept++] = names.v[i];
			continue;
		}
		log_msg(LOG_INFO, "%s/%s: ignored (only *.ini files are read)", dir, names.v[i]);
		free(names.v[i]);
	}
	names.n = kept;
	if (names.v)
		names.v[kept] = NULL;
	sort_array(names.v, names.n, sizeof(*names.v), compare_names);
	for (size_t i = 0; i < names.n; i++) {
		char display[4096];

		str_format(display, sizeof(display), "%s/%s", dir, names.v[i]);
		load_file_at(l, fd, names.v[i], display);
	}
	strv_free(&names);
	close(fd);
}

/* Loads path: a directory of drop-ins or a single file. With optional set,
 * a missing path is not an error (the defaults may be absent). */
static void load_path(struct loader *l, const char *path, bool optional)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		load_dir(l, path, fd);
		return;
	}
	if (errno == ENOENT && optional)
		return;
	if (errno == ENOTDIR || errno == ENOENT) {
		if (errno == ENOENT) {
			l->file = intern_file(l, path);
			config_error(l, 0, "no such file or directory (given with -c or INITC_CONFIG)");
			return;
		}
		load_file_at(l, AT_FDCWD, path, path);
		return;
	}
	l->file = intern_file(l, path);
	config_error(l, 0, "cannot open: %s", error_text(errno));
}

static int load_config(const char *path, bool defer_unset, struct plan *plan, char *first_error,
		       size_t len)
{
	struct loader l;

	loader_init(&l, plan, first_error, len);
	l.defer_unset = defer_unset;
	if (path) {
		load_path(&l, path, false);
	} else {
		struct stat st;

		if (stat(DEFAULT_CONFIG_FILE, &st) == 0 || errno != ENOENT)
			load_file_at(&l, AT_FDCWD, DEFAULT_CONFIG_FILE, DEFAULT_CONFIG_FILE);
		load_path(&l, DEFAULT_CONFIG_DIR, true);
	}
	return loader_finish(&l);
}

int config_load(const char *path, struct plan *plan, char *first_error, size_t len)
{
	return load_config(path, false, plan, first_error, len);
}

int config_load_for_check(const char *path, struct plan *plan)
{
	return load_config(path, true, plan, NULL, 0);
}
