/* User and group lookup from /etc/passwd and /etc/group. */
#include "user.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "lines.h"
#include "parse.h"
#include "util.h"

#define ID_MAX 4294967294UL /* (uid_t)-1 means "unchanged" to setuid: never valid */

/* Splits a passwd/group line into at most n colon-separated fields in place. */
static size_t split_fields(char *line, char **fields, size_t n)
{
	size_t i = 0;

	while (i < n) {
		fields[i++] = line;
		line = strchr(line, ':');
		if (!line)
			break;
		*line++ = '\0';
	}
	return i;
}

static bool parse_id(const char *s, unsigned long *id)
{
	const char *end = scan_ulong(s, ID_MAX, id);

	return end && *end == '\0';
}

/* The message for a failed read of path: a line too long names its number,
 * since initc will not guess what the rest of it says. */
static void read_error(char *err, size_t len, const char *path, const struct lines *r)
{
	if (errno == EFBIG)
		str_format(err, len, "%s:%zu: line longer than %zu bytes; initc will not guess "
			   "what it says: shorten it", path, r->line_no + 1, LINES_MAX_BYTES);
	else if (errno == EINVAL || errno == EISDIR)
		str_format(err, len, "cannot read %s: not a regular file", path);
	else
		str_format(err, len, "cannot read %s: %s", path, error_text(errno));
}

/* Finds the passwd entry whose name (or uid, when by_uid) matches: 1 found,
 * 0 not (or no file), -1 with a message. */
static int passwd_find(const char *path, const char *name, bool by_uid, unsigned long uid,
		       struct creds *out, char *err, size_t len)
{
	struct lines r;
	char *line, *f[7];
	int rc;

	if (lines_open(&r, path) == -1) {
		if (errno == ENOENT)
			return 0;
		read_error(err, len, path, &r);
		return -1;
	}
	while ((rc = lines_next(&r, &line)) == 1) {
		unsigned long u, g;

		if (split_fields(line, f, 7) < 7 || !parse_id(f[2], &u) || !parse_id(f[3], &g))
			continue;
		if (by_uid ? u != uid : strcmp(f[0], name) != 0)
			continue;
		out->uid = (uid_t)u;
		out->gid = (gid_t)g;
		out->name = xstrdup(f[0]);
		out->home = xstrdup(f[5]);
		break;
	}
	if (rc == -1)
		read_error(err, len, path, &r);
	lines_close(&r);
	return rc;
}

static bool member_of(char *members, const char *user)
{
	for (char *m = str_token(&members, ","); m; m = str_token(&members, ","))
		if (strcmp(m, user) == 0)
			return true;
	return false;
}

/* Adds gid to the supplementary groups; -1 past the kernel's limit. */
static int groups_add(struct creds *c, gid_t gid)
{
	if (c->n_groups == USER_GROUPS_MAX)
		return -1;
	/* Doubling from 16: a few reallocations even for thousands. */
	if ((c->n_groups & (c->n_groups - 1)) == 0 && c->n_groups >= 16)
		c->groups = xrealloc(c->groups, 2 * c->n_groups * sizeof(gid_t));
	else if (!c->groups)
		c->groups = xmalloc(16 * sizeof(gid_t));
	c->groups[c->n_groups++] = gid;
	return 0;
}

/* What group_scan looks for: a group's gid by name, or a user's groups. */
struct group_query {
	const char *group_name; /* NULL: not looking one up */
	gid_t gid;              /* its gid, once found */
	const char *user;       /* NULL: not collecting */
};

/* One line of the group file; -1 when the user is in too many groups. */
static int group_line(char *line, struct group_query *q, struct creds *out, int *found)
{
	char *f[4];
	unsigned long g;

	if (split_fields(line, f, 4) < 4 || !parse_id(f[2], &g))
		return 0;
	if (q->group_name && !*found && strcmp(f[0], q->group_name) == 0) {
		q->gid = (gid_t)g;
		*found = 1;
	}
	if (q->user && member_of(f[3], q->user))
		return groups_add(out, (gid_t)g);
	return 0;
}

/* Scans the group file for q: 1 when the group name was found, 0 when not
 * (or no file), -1 with a message. */
static int group_scan(const char *path, struct group_query *q, struct creds *out, char *err,
		      size_t len)
{
	struct lines r;
	char *line;
	int rc, found = 0;

	if (lines_open(&r, path) == -1) {
		if (errno == ENOENT)
			return 0;
		read_error(err, len, path, &r);
		return -1;
	}
	while ((rc = lines_next(&r, &line)) == 1) {
		if (group_line(line, q, out, &found) == -1) {
			str_format(err, len, "user '%s' is in more than %d groups (the kernel's "
				   "limit); remove it from some in %s", q->user, USER_GROUPS_MAX, path);
			break;
		}
	}
	if (rc == -1)
		read_error(err, len, path, &r);
	lines_close(&r);
	return rc == 0 ? found : -1;
}

/* The group part of spec (after the colon): a gid or a name. */
static int resolve_group(const char *group, const char *group_path, struct creds *out,
			 char *err, size_t len)
{
	struct group_query q = { group, 0, NULL };
	unsigned long id;
	int found;

	if (parse_id(group, &id)) {
		out->gid = (gid_t)id;
		return 0;
	}
	found = group_scan(group_path, &q, out, err, len);
	if (found == 1) {
		out->gid = q.gid;
		return 0;
	}
	if (found == 0)
		str_format(err, len, "unknown group '%s' (not in %s)", group, group_path);
	return -1;
}

int user_resolve_in(const char *spec, const char *passwd_path, const char *group_path,
		    struct creds *out, char *err, size_t len)
{
	const char *colon = strchr(spec, ':');
	char *user_part = xstrndup(spec, colon ? (size_t)(colon - spec) : strlen(spec));
	unsigned long id = 0; /* read by passwd_find even when spec is a name */
	bool numeric = parse_id(user_part, &id);
	int found, rc = -1;

	memset(out, 0, sizeof(*out));
	found = passwd_find(passwd_path, user_part, numeric, id, out, err, len);
	if (found < 0)
		goto free_name;
	if (!found && !numeric) {
		str_format(err, len, "unknown user '%s' (not in %s)", user_part, passwd_path);
		goto free_name;
	}
	if (!found) {
		/* A bare uid with no entry gets the same gid, never root's group. */
		out->uid = (uid_t)id;
		out->gid = (gid_t)id;
	}
	if (colon && resolve_group(colon + 1, group_path, out, err, len) == -1)
		goto free_name;
	rc = 0;
	if (found) {
		/* The primary group first, then every group listing the user. */
		struct group_query q = { NULL, 0, out->name };

		groups_add(out, out->gid);
		if (group_scan(group_path, &q, out, err, len) == -1)
			rc = -1;
	}
	/* No passwd entry: exactly the given ids, no supplementary groups. */
free_name:
	free(user_part);
	if (rc == -1)
		creds_free(out); /* nothing half-resolved reaches the caller */
	return rc;
}

int user_resolve(const char *spec, struct creds *out, char *err, size_t len)
{
	return user_resolve_in(spec, "/etc/passwd", "/etc/group", out, err, len);
}

void creds_free(struct creds *c)
{
	free(c->groups);
	free(c->name);
	free(c->home);
	memset(c, 0, sizeof(*c));
}
