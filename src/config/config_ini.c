/* INI text -> key settings. inih does the INI syntax; this file feeds it
 * lines through its own reader so that it can count lines, refuse lines
 * inih would split, see the raw text (inline comments that would cut a
 * command, indented continuation lines) and track sections, including ones
 * that have no keys. */
#include "config_loader.h"

#include <ctype.h>
#include <ini.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"

#define STEP_NAME_MAX 40

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
	config_step_defaults(&p->steps[p->n_steps]);
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

static void continue_value(struct loader *l, const struct key_def *k, const char *value)
{
	struct step *s = l->sec == SEC_STEP ? &l->plan->steps[l->step] : NULL;
	char **text = k->kind == KEY_MAIN_COMMAND ? &l->plan->main.command_text
		      : s			  ? &s->action_text
						  : NULL;
	const char *key = config_looks_like_key(value, k->kind == KEY_SHELL);
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
	free(*text);
	*text = sbuf_take(&b);
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
	keys = config_section_keys(l->sec);
	i = config_key_index(keys, name);
	continuation = l->indented && l->last_key[0] && strcmp(l->last_key, name) == 0;
	str_format(l->last_key, sizeof(l->last_key), "%s", name);
	if (i < 0) {
		if (!continuation)
			config_unknown_key(l, name);
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
	config_set_value(l, &keys[i], value);
	return 1;
}

void config_parse_text(struct loader *l, const char *file, const char *text, size_t size)
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
