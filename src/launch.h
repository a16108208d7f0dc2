/* Turning a step's or the app's settings (environment, directory, user)
 * into what spawn needs: the full environment, credentials and PATH. */
#ifndef INITC_LAUNCH_H
#define INITC_LAUNCH_H

#include <stdbool.h>

#include "config.h"
#include "spawn.h"
#include "user.h"

struct launch {
	struct strv env;  /* borrowed strings, except those of made */
	struct strv made; /* the HOME=, USER=, LOGNAME= entries made for a user */
	struct creds creds;
	bool has_creds;
	const char *path; /* points into env, or the default PATH */
};

/* Resolves the user (now, not at load time: an earlier step may have created
 * it) and builds the environment: initc's own plus o->env, later entries
 * winning; with a user, HOME, USER and LOGNAME follow its passwd entry
 * (HOME=/ alone without one) unless o->env sets them. */
int launch_prepare(const struct proc_opts *o, struct launch *out, char *err, size_t len);

/* Fills the request fields that come from the launch. */
void launch_fill(const struct launch *l, const struct proc_opts *o, struct spawn_req *req);

void launch_free(struct launch *l);

#endif
