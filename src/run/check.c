/* --check's look at the image: what the config names that the image does
 * not have (yet). Only warnings: an earlier step may install the program or
 * create the user, and the image is not the running container. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "format.h"
#include "launch.h"
#include "log.h"

/* The PATH the process will search: its own environment's, else initc's,
 * else the default, as launch_prepare decides. */
static const char *proc_path(const struct proc_opts *o)
{
	const char *path = getenv("PATH");

	for (size_t i = 0; i < o->env.n; i++)
		if (str_starts(o->env.v[i], "PATH="))
			path = o->env.v[i] + 5;
	return path ? path : DEFAULT_PATH;
}

/* A file execve could run: a regular file with an execute bit for us. */
static bool is_program(const char *file)
{
	struct stat st;

	return stat(file, &st) == 0 && S_ISREG(st.st_mode) && access(file, X_OK) == 0;
}

/* Finds name as the child's exec would: a name with a '/' as it is
 * (relative to the process's directory), else each PATH entry in turn. */
static bool program_exists(const char *name, const char *path, const char *directory)
{
	char buf[4096];

	if (strchr(name, '/')) {
		if (name[0] == '/' || !directory)
			return is_program(name);
		str_format(buf, sizeof(buf), "%s/%s", directory, name);
		return is_program(buf);
	}
	while (path) {
		const char *colon = strchr(path, ':');
		size_t n = colon ? (size_t)(colon - path) : strlen(path);

		/* An empty entry is the current directory, as for execvp. */
		str_format(buf, sizeof(buf), "%.*s%s%s", (int)n, path, n ? "/" : "", name);
		if (n + strlen(name) + 2 <= sizeof(buf) && is_program(buf))
			return true;
		path = colon ? colon + 1 : NULL;
	}
	return false;
}

/* "file:line: " of an origin, or "" for a command from the command line. */
static void origin_text(struct origin at, char *buf, size_t len)
{
	if (at.file)
		str_format(buf, len, "%s:%d: ", at.file, at.line);
	else
		buf[0] = '\0';
}

/* True when s holds "${": a variable kept for run time. (strstr would
 * bring 1.3 KiB of musl into the static binary for this one test.) */
static bool has_deferred_var(const char *s)
{
	for (s = strchr(s, '$'); s; s = strchr(s + 1, '$'))
		if (s[1] == '{')
			return true;
	return false;
}

static void check_program(const char *who, struct origin at, const struct strv *argv,
			  const struct proc_opts *o)
{
	const char *path = proc_path(o);
	char where[4200];

	/* "${NAME}" kept for run time: nothing to look for yet. */
	if (!argv->n || has_deferred_var(argv->v[0]) || program_exists(argv->v[0], path, o->directory))
		return;
	origin_text(at, where, sizeof(where));
	if (strchr(argv->v[0], '/'))
		log_msg(LOG_WARN, "%s%s: '%s' is not an executable file in this image; "
			"it fails when it runs unless an earlier step installs it",
			where, who, argv->v[0]);
	else
		log_msg(LOG_WARN, "%s%s: '%s' is not found in PATH (%s) in this image; "
			"it fails when it runs unless an earlier step installs it",
			where, who, argv->v[0], path);
}

static void check_user(const char *who, struct origin at, const struct proc_opts *o)
{
	struct creds creds;
	char err[512], where[4200];

	if (!o->user || user_resolve(o->user, &creds, err, sizeof(err)) == 0)
		return;
	origin_text(at, where, sizeof(where));
	log_msg(LOG_WARN, "%s%s: %s in this image; it fails when it runs unless an earlier "
		"step creates it",
		where, who, err);
}

void plan_check_image(const struct plan *p)
{
	char who[80];

	for (size_t i = 0; i < p->n_steps; i++) {
		const struct step *s = &p->steps[i];

		if (s->skip)
			continue;
		str_format(who, sizeof(who), "step '%s'", s->name);
		if (s->action == ACTION_COMMAND || s->action == ACTION_SHELL)
			check_program(who, s->action_origin, &s->argv, &s->proc);
		check_user(who, s->origin, &s->proc);
	}
	if (p->main.argv.n)
		check_program("[main] command", p->main.origin, &p->main.argv, &p->main.proc);
	check_user("[main]", p->main.origin, &p->main.proc);
}
