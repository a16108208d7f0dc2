/* Resolving `user = name | uid | uid:gid | name:group` to credentials,
 * from /etc/passwd and /etc/group directly (no NSS: the static binary must
 * behave the same in every image). */
#ifndef INITC_USER_H
#define INITC_USER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define CREDS_GROUPS_MAX 64

struct creds {
	uid_t uid;
	gid_t gid;
	gid_t groups[CREDS_GROUPS_MAX];
	size_t n_groups;
	char home[256]; /* "" when the user has no passwd entry */
};

/* Resolves spec using the given passwd and group files; -1 with a message. */
int user_resolve_in(const char *spec, const char *passwd_path, const char *group_path,
		    struct creds *out, char *err, size_t len);

/* The same with /etc/passwd and /etc/group. */
int user_resolve(const char *spec, struct creds *out, char *err, size_t len);

#endif
