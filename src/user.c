/* User and group lookup from /etc/passwd and /etc/group. */
#include "user.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "parse.h"
#include "util.h"

#define ID_MAX 4294967294UL /* (uid_t)-1 means "unchanged" to setuid: never valid */

/* Splits a passwd/group line into at most n colon-separated fields in place. */
static size_t split_fields(char *line, char **fields, size_t n)
{
	size_t i = 0;

	line[strcspn(line, "\n")] = '\0';
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

/* Finds the passwd entry whose name (or uid, when by_uid) matches. */
static int passwd_find(const char *path, const char *name, bool by_uid, unsigned long uid,
		       struct creds *out, char *user_name, size_t name_len)
{
	char line[1024], *f[7];
	FILE *fp = fopen(path, "re");
	int found = 0;

	if (!fp)
		return errno == ENOENT ? 0 : -1;
	while (!found && fgets(line, sizeof(line), fp)) {
		unsigned long u, g;

		if (split_fields(line, f, 7) < 7 || !parse_id(f[2], &u) || !parse_id(f[3], &g))
			continue;
		if (by_uid ? u != uid : strcmp(f[0], name) != 0)
			continue;
		out->uid = (uid_t)u;
		out->gid = (gid_t)g;
		str_format(out->home, sizeof(out->home), "%s", f[5]);
		str_format(user_name, name_len, "%s", f[0]);
		found = 1;
	}
	fclose(fp);
	return found;
}

static bool member_of(char *members, const char *user)
{
	for (char *m = strtok(members, ","); m; m = strtok(NULL, ","))
		if (strcmp(m, user) == 0)
			return true;
	return false;
}

/* Looks a group up by name (gid_out set) and/or collects the supplementary
 * groups of user (when user is not NULL). */
static int group_scan(const char *path, const char *group_name, gid_t *gid_out, const char *user,
		      struct creds *out)
{
	char line[4096], *f[4];
	FILE *fp = fopen(path, "re");
	int found = 0;

	if (!fp)
		return errno == ENOENT ? 0 : -1;
	while (fgets(line, sizeof(line), fp)) {
		unsigned long g;

		if (split_fields(line, f, 4) < 4 || !parse_id(f[2], &g))
			continue;
		if (group_name && strcmp(f[0], group_name) == 0) {
			*gid_out = (gid_t)g;
			found = 1;
		}
		if (user && out->n_groups < CREDS_GROUPS_MAX && member_of(f[3], user))
			out->groups[out->n_groups++] = (gid_t)g;
	}
	fclose(fp);
	return found;
}

int user_resolve_in(const char *spec, const char *passwd_path, const char *group_path,
		    struct creds *out, char *err, size_t len)
{
	char user_part[128], name[128] = "";
	const char *colon = strchr(spec, ':');
	unsigned long id = 0; /* read by passwd_find even when spec is a name */
	int found;
	bool numeric;

	memset(out, 0, sizeof(*out));
	str_format(user_part, sizeof(user_part), "%.*s",
		   (int)(colon ? (size_t)(colon - spec) : strlen(spec)), spec);
	numeric = parse_id(user_part, &id);
	found = passwd_find(passwd_path, user_part, numeric, id, out, name, sizeof(name));
	if (found < 0) {
		str_format(err, len, "cannot read %s: %s", passwd_path, error_text(errno));
		return -1;
	}
	if (!found && !numeric) {
		str_format(err, len, "unknown user '%s' (not in %s)", user_part, passwd_path);
		return -1;
	}
	if (!found) {
		/* A bare uid with no entry gets the same gid, never root's group. */
		out->uid = (uid_t)id;
		out->gid = (gid_t)id;
	}
	if (colon) {
		const char *group = colon + 1;

		if (parse_id(group, &id)) {
			out->gid = (gid_t)id;
		} else if (group_scan(group_path, group, &out->gid, NULL, out) != 1) {
			str_format(err, len, "unknown group '%s' (not in %s)", group, group_path);
			return -1;
		}
	}
	if (!found)
		return 0; /* no passwd entry: exactly the given ids, no supplementary groups */
	out->groups[out->n_groups++] = out->gid;
	if (group_scan(group_path, NULL, NULL, name, out) < 0) {
		str_format(err, len, "cannot read %s: %s", group_path, error_text(errno));
		return -1;
	}
	return 0;
}

int user_resolve(const char *spec, struct creds *out, char *err, size_t len)
{
	return user_resolve_in(spec, "/etc/passwd", "/etc/group", out, err, len);
}
