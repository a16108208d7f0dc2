/* Start-up configuration, the pure parts: see startup.h. */
#include "startup.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"

#define VAR_NAME_MAX 128

static bool name_start(char c)
{
	return c == '_' || isalpha((unsigned char)c);
}

static bool name_char(char c)
{
	return c == '_' || isalnum((unsigned char)c);
}

/* The length of the variable name at p (up to end), 0 when there is none. */
static size_t name_span(const char *p, const char *end)
{
	size_t n = 0;

	if (p < end && name_start(*p))
		while (p + n < end && name_char(p[n]))
			n++;
	return n;
}

static size_t entry_name_len(const char *entry)
{
	const char *eq = strchr(entry, '=');

	return eq ? (size_t)(eq - entry) : strlen(entry);
}

/* The 1-based line of position p in text. */
static int line_at(const char *text, const char *p)
{
	int line = 1;

	for (const char *q = text; q < p; q++)
		line += *q == '\n';
	return line;
}

/* Expands the reference "${..." at p into out; returns the position after
 * its '}', or NULL with the reason (without the line) in why. */
static const char *expand_ref(const char *p, const char *end, env_lookup_fn lookup, void *ctx,
			      struct sbuf *out, char *why, size_t len)
{
	const char *name = p + 2, *def = NULL, *close, *val;
	size_t n = name_span(name, end);
	char var[VAR_NAME_MAX];

	if (n == 0 || n >= sizeof(var)) {
		str_format(why, len, "'${' starts no variable name (%s); write $${ for a literal ${",
			   n ? "name too long" : "names are letters, digits and _");
		return NULL;
	}
	memcpy(var, name, n);
	var[n] = '\0';
	close = name + n;
	if (end - close >= 2 && close[0] == ':' && close[1] == '-') {
		def = close + 2;
		for (close = def; close < end && *close != '}' && *close != '\n'; close++)
			if (*close == '$' && close + 1 < end && close[1] == '{') {
				str_format(why, len, "nested '${' in the default of ${%s}; defaults are plain text", var);
				return NULL;
			}
	}
	if (close >= end || *close != '}') {
		str_format(why, len, "'${%s' has no closing '}' on its line", var);
		return NULL;
	}
	val = lookup(var, def != NULL, ctx);
	if (def && (!val || !*val))
		sbuf_add(out, def, (size_t)(close - def));
	else if (val)
		sbuf_add(out, val, strlen(val));
	else {
		str_format(why, len, "%s is not set", var);
		return NULL;
	}
	return close + 1;
}

int template_expand(const char *text, size_t len, const char *name, env_lookup_fn lookup,
		    void *ctx, struct sbuf *out, char *err, size_t errlen)
{
	const char *p = text, *end = text + len;
	char why[256];

	sbuf_add(out, "", 0); /* an empty template renders an empty string, not NULL */
	while (p < end) {
		const char *dollar = memchr(p, '$', (size_t)(end - p));

		if (!dollar) {
			sbuf_add(out, p, (size_t)(end - p));
			break;
		}
		sbuf_add(out, p, (size_t)(dollar - p));
		p = dollar;
		if (end - p >= 3 && p[1] == '$' && p[2] == '{') {
			sbuf_add(out, "${", 2);
			p += 3;
		} else if (end - p >= 2 && p[1] == '{') {
			const char *next = expand_ref(p, end, lookup, ctx, out, why, sizeof(why));

			if (!next) {
				str_format(err, errlen, "%s:%d: %s", name, line_at(text, p), why);
				return -1;
			}
			p = next;
		} else {
			sbuf_addc(out, *p++);
		}
	}
	return 0;
}

/* Checks one INITC_ENV line (without its newline); NULL when it is good. */
static const char *envfile_line_error(const char *line, size_t n, char *why, size_t len)
{
	const char *eq = memchr(line, '=', n);
	int shown = n > 40 ? 40 : (int)n;

	if (memchr(line, '\0', n))
		return "contains a NUL byte";
	if (!eq) {
		str_format(why, len, "'%.*s' is not NAME=value", shown, line);
		return why;
	}
	if (eq == line || name_span(line, eq) != (size_t)(eq - line)) {
		str_format(why, len, "bad variable name '%.*s'; use letters, digits and _, "
				     "not starting with a digit", (int)(eq - line > 40 ? 40 : eq - line), line);
		return why;
	}
	return NULL;
}

int envfile_parse(const char *text, size_t len, struct strv *out, char *err, size_t errlen)
{
	const char *p = text, *end = text + len;
	char why[160];
	int line = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		const char *bad;

		line++;
		if (n > 0) {
			bad = envfile_line_error(p, n, why, sizeof(why));
			if (bad) {
				str_format(err, errlen, "line %d: %s", line, bad);
				return -1;
			}
			strv_push(out, xstrndup(p, n));
		}
		p += n + 1;
	}
	return 0;
}

void env_set(struct strv *env, char *entry)
{
	size_t n = entry_name_len(entry);

	for (size_t i = 0; i < env->n; i++) {
		if (entry_name_len(env->v[i]) == n && memcmp(env->v[i], entry, n) == 0) {
			free(env->v[i]);
			env->v[i] = entry;
			return;
		}
	}
	strv_push(env, entry);
}

const char *env_lookup_array(const char *name, bool has_default, void *ctx)
{
	size_t n = strlen(name);

	(void)has_default;
	for (char *const *e = ctx; e && *e; e++)
		if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
			return *e + n + 1;
	return NULL;
}
