/* Turning a step's or the app's settings (environment, directory, user)
 * into what spawn needs: the full environment, credentials and PATH. */
#ifndef INITC_LAUNCH_H
#define INITC_LAUNCH_H

#include <stdbool.h>

#include "config.h"
#include "spawn.h"
#include "user.h"

/* PATH for the lookup of a program when the environment has none. */
#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

struct launch {
	struct strv env;  /* borrowed strings, except those of made */
	struct strv made; /* the HOME=, USER=, LOGNAME= entries made for a user */
	struct creds creds;
	bool has_creds;
	const char *path; /* points into env, or the default PATH */
};

/* The environment that earlier steps (INITC_ENV) and file_env pass on to
 * every later launch: "NAME=value" entries, one per name, and bare "NAME"
 * entries that remove NAME. Applied after initc's own environment and
 * before the item's own environment; env must outlive every launch. */
void launch_pass_env(const struct strv *env);

/* Resolves the user (now, not at load time: an earlier step may have created
 * it) and builds the environment: initc's own, the passed one, then o->env,
 * later entries winning; with a user, HOME, USER and LOGNAME follow its
 * passwd entry (HOME=/ alone without one) unless o->env sets them. */
int launch_prepare(const struct proc_opts *o, struct launch *out, char *err, size_t len);

/* Fills the request fields that come from the launch. */
void launch_fill(const struct launch *l, const struct proc_opts *o, struct spawn_req *req);

/* Sets entry ("NAME=value", borrowed: it must outlive the launch) in the
 * launch's environment, in place of an entry of the same name. */
void launch_set(struct launch *l, char *entry);

void launch_free(struct launch *l);

#endif
