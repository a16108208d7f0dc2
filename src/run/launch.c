/* Preparing a process launch: environment, credentials, PATH. */
#include "launch.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

extern char **environ;

static size_t name_len(const char *entry)
{
	const char *eq = strchr(entry, '=');

	return eq ? (size_t)(eq - entry) : strlen(entry);
}

static bool same_name(const char *a, const char *b)
{
	size_t n = name_len(a);

	return n == name_len(b) && strncmp(a, b, n) == 0;
}

/* True when a later entry of list (after index i) sets the same name. */
static bool overridden(const char *entry, char *const *list, size_t from, size_t n)
{
	for (size_t j = from; j < n; j++)
		if (same_name(entry, list[j]))
			return true;
	return false;
}

/* What earlier steps and file_env pass on; owned by the runner. */
static const struct strv *passed_env;

void launch_pass_env(const struct strv *env)
{
	passed_env = env;
}

/* True when entry sets one of the variables that follow the user. */
static bool is_user_var(const char *entry)
{
	return str_starts(entry, "HOME=") || str_starts(entry, "USER=") ||
	       str_starts(entry, "LOGNAME=");
}

/* An entry of environ or of the passed environment that a later layer
 * replaces: the user's variables when there is a user, the item's own
 * environment, and for environ also the passed environment (where a bare
 * "NAME" is file_env removing NAME). */
static bool replaced(const char *entry, const struct launch *l, const struct proc_opts *o,
		     bool from_environ)
{
	if (l->has_creds && is_user_var(entry))
		return true;
	if (from_environ && passed_env && overridden(entry, passed_env->v, 0, passed_env->n))
		return true;
	return overridden(entry, o->env.v, 0, o->env.n);
}

/* "NAME=value", owned by the launch (l->made), unless o->env sets NAME. */
static void push_made(struct launch *l, const struct proc_opts *o, const char *name,
		      const char *value)
{
	struct sbuf b = { 0 };
	char *entry;

	sbuf_add(&b, name, strlen(name));
	sbuf_addc(&b, '=');
	sbuf_add(&b, value, strlen(value));
	entry = sbuf_take(&b);
	if (overridden(entry, o->env.v, 0, o->env.n)) {
		free(entry);
		return;
	}
	strv_push(&l->made, entry);
	strv_push(&l->env, entry);
}

/* With `user =`, HOME, USER and LOGNAME describe that user, not root: from
 * the passwd entry, or, for a uid with none, HOME=/ and no USER or LOGNAME
 * (as Docker does). The config's own environment still wins. */
static void push_user_vars(struct launch *l, const struct proc_opts *o)
{
	if (!l->creds.name) {
		push_made(l, o, "HOME", "/");
		return;
	}
	push_made(l, o, "HOME", l->creds.home);
	push_made(l, o, "USER", l->creds.name);
	push_made(l, o, "LOGNAME", l->creds.name);
}

/* The entries are borrowed from environ, the passed environment and the
 * plan, which all outlive the launch (initc never changes its environment);
 * only the user's variables are made here. Copying every string cost a
 * third of initc's start-up work. Later layers win: environ, passed, the
 * user's variables, the item's own environment. */
static void build_env(const struct proc_opts *o, struct launch *l)
{
	size_t n_add = o->env.n, n_env = 0, n_passed = passed_env ? passed_env->n : 0;

	while (environ[n_env])
		n_env++;
	strv_reserve(&l->env, n_env + n_passed + n_add + 3);
	for (char **e = environ; *e; e++)
		if (!replaced(*e, l, o, true))
			strv_push(&l->env, *e);
	for (size_t i = 0; i < n_passed; i++)
		if (strchr(passed_env->v[i], '=') && !replaced(passed_env->v[i], l, o, false))
			strv_push(&l->env, passed_env->v[i]);
	if (l->has_creds)
		push_user_vars(l, o);
	for (size_t i = 0; i < n_add; i++)
		if (!overridden(o->env.v[i], o->env.v, i + 1, n_add))
			strv_push(&l->env, o->env.v[i]);
}

int launch_prepare(const struct proc_opts *o, struct launch *out, char *err, size_t len)
{
	memset(out, 0, sizeof(*out));
	if (o->user) {
		if (user_resolve(o->user, &out->creds, err, len) == -1) {
			creds_free(&out->creds);
			return -1;
		}
		out->has_creds = true;
	}
	build_env(o, out);
	out->path = DEFAULT_PATH;
	for (size_t i = 0; i < out->env.n; i++)
		if (strncmp(out->env.v[i], "PATH=", 5) == 0) /* inline: once per variable */
			out->path = out->env.v[i] + 5;
	return 0;
}

void launch_fill(const struct launch *l, const struct proc_opts *o, struct spawn_req *req)
{
	req->envp = l->env.v;
	req->path = l->path;
	req->creds = l->has_creds ? &l->creds : NULL;
	req->directory = o->directory;
}

void launch_set(struct launch *l, char *entry)
{
	for (size_t i = 0; i < l->env.n; i++) {
		if (same_name(l->env.v[i], entry)) {
			l->env.v[i] = entry;
			return;
		}
	}
	strv_push(&l->env, entry);
}

void launch_free(struct launch *l)
{
	free(l->env.v); /* the array only: its strings are borrowed */
	strv_free(&l->made);
	creds_free(&l->creds);
	memset(l, 0, sizeof(*l));
}
