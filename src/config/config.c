/* Config loading, the core: the state of one load (config_loader.h),
 * errors with file:line, and ${VAR} as the loader expands it. The work is
 * split by job: config_files.c reads the files (and decides whether to
 * trust them), config_ini.c turns INI text into key settings through inih,
 * config_keys.c is the table of keys and what each value sets, and
 * config_plan.c checks and completes the plan once every file is read. */
#include "config_loader.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"

/* Reports "file:line: message" (line 0: "file: message"). */
void config_error(struct loader *l, int line, const char *fmt, ...)
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

const char *config_scope_lookup(const char *name, bool has_default, void *ctx)
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
int config_expand(struct loader *l, const struct strv *env, int line, const char *what,
		  const char *in, char **out, char *err, bool *deferred)
{
	struct var_scope sc = { l, env, line, what, false, "" };
	int rc = expand_vars(in, config_scope_lookup, &sc, out, err);

	if (deferred)
		*deferred = sc.deferred;
	return rc;
}

void config_loader_init(struct loader *l, struct plan *plan, char *first_error, size_t len)
{
	memset(l, 0, sizeof(*l));
	config_plan_defaults(plan);
	l->plan = plan;
	l->lookup = env_lookup_getenv;
	l->first_error = first_error;
	l->first_len = len;
	if (first_error && len)
		first_error[0] = '\0';
}

int config_loader_finish(struct loader *l)
{
	if (l->errors == 0)
		config_finish_plan(l);
	free(l->step_sets);
	if (l->errors == 0)
		return 0;
	plan_free(l->plan);
	return -1;
}

const char *config_intern_file(struct loader *l, const char *name)
{
	strv_push(&l->plan->files, xstrdup(name));
	return l->plan->files.v[l->plan->files.n - 1];
}

int config_load_text(const char *text, size_t size, const char *name, struct plan *plan,
		     char *first_error, size_t len)
{
	struct loader l;

	config_loader_init(&l, plan, first_error, len);
	config_parse_text(&l, config_intern_file(&l, name), text, size);
	return config_loader_finish(&l);
}
