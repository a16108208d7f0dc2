/* Resolving `user = name | uid | uid:gid | name:group` to credentials,
 * from /etc/passwd and /etc/group directly (no NSS: the static binary must
 * behave the same in every image). */
#ifndef INITC_USER_H
#define INITC_USER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The kernel's limit on supplementary groups (NGROUPS_MAX of linux/limits.h
 * since Linux 2.6.4; musl's <limits.h> says 32, glibc's 65536). A user in
 * more groups is refused: dropping some would silently change privileges. */
#define USER_GROUPS_MAX 65536

struct creds {
	uid_t uid;
	gid_t gid;
	gid_t *groups; /* the primary group first; malloc'd */
	size_t n_groups;
	char *name; /* from the passwd entry; NULL when there is none */
	char *home; /* likewise */
};

/* Resolves spec using the given passwd and group files; -1 with a message.
 * Free the result with creds_free; after a failure there is nothing to
 * free (calling creds_free then is harmless). */
int user_resolve_in(const char *spec, const char *passwd_path, const char *group_path,
		    struct creds *out, char *err, size_t len);

/* The same with /etc/passwd and /etc/group. */
int user_resolve(const char *spec, struct creds *out, char *err, size_t len);

void creds_free(struct creds *c);

#endif
