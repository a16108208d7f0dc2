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

/* An entry of environ that the passed environment or the item's own
 * environment replaces, or that file_env removes (a bare "NAME"). */
static bool replaced(const char *entry, const struct proc_opts *o, const char *home)
{
	if (home && str_starts(entry, "HOME="))
		return true;
	if (passed_env && overridden(entry, passed_env->v, 0, passed_env->n))
		return true;
	return overridden(entry, o->env.v, 0, o->env.n);
}

/* The entries are borrowed from environ, the passed environment and the
 * plan, which all outlive the launch (initc never changes its environment);
 * only HOME= is made here. Copying every string cost a third of initc's
 * start-up work. Later layers win: environ, passed, the item's own. */
static void build_env(const struct proc_opts *o, const char *home, struct launch *l)
{
	size_t n_add = o->env.n, n_env = 0, n_passed = passed_env ? passed_env->n : 0;

	while (environ[n_env])
		n_env++;
	strv_reserve(&l->env, n_env + n_passed + n_add + 2);
	for (char **e = environ; *e; e++)
		if (!replaced(*e, o, home))
			strv_push(&l->env, *e);
	if (home) {
		struct sbuf b = { 0 };

		sbuf_add(&b, "HOME=", 5);
		sbuf_add(&b, home, strlen(home));
		l->home = sbuf_take(&b);
		strv_push(&l->env, l->home);
	}
	for (size_t i = 0; i < n_passed; i++) {
		const char *e = passed_env->v[i];

		if (strchr(e, '=') && !(home && str_starts(e, "HOME=")) &&
		    !overridden(e, o->env.v, 0, n_add))
			strv_push(&l->env, passed_env->v[i]);
	}
	for (size_t i = 0; i < n_add; i++)
		if (!overridden(o->env.v[i], o->env.v, i + 1, n_add))
			strv_push(&l->env, o->env.v[i]);
}

int launch_prepare(const struct proc_opts *o, struct launch *out, char *err, size_t len)
{
	const char *home = NULL;

	memset(out, 0, sizeof(*out));
	if (o->user) {
		if (user_resolve(o->user, &out->creds, err, len) == -1)
			return -1;
		out->has_creds = true;
		if (out->creds.home[0])
			home = out->creds.home;
	}
	for (size_t i = 0; home && i < o->env.n; i++)
		if (str_starts(o->env.v[i], "HOME="))
			home = NULL;
	build_env(o, home, out);
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
	free(l->home);
	memset(l, 0, sizeof(*l));
}
