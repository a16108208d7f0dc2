/* Reading the config files: the default file and drop-in directory or
 * the path given, each checked before it is trusted (owner, mode, POSIX
 * ACL), bounded in size, and read without following into anything but a
 * regular file. */
#include "config_loader.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "acl.h"
#include "format.h"

#define CONFIG_FILE_MAX (1024L * 1024)

/* The POSIX ACL part of config_trusted: no named user or group but root
 * (or initc's own user and group) may write. */
static bool config_acl_trusted(struct loader *l, int fd, const struct stat *st, const char *what,
			       const char *path)
{
	struct acl_self self = { geteuid(), getegid() };
	struct acl_writer w;

	if (acl_fd_writer(fd, &self, st->st_gid, &w) == -1) {
		config_error(l, 0, "cannot read the POSIX ACL of %s: %s; initc will not guess who "
			     "may write it", path, error_text(errno));
		return false;
	}
	if (w.who == ACL_WHO_NONE)
		return true;
	config_error(l, 0,
		     "%s writable by %s %lu through a POSIX ACL, who could change what initc "
		     "runs; fix it with: setfacl -x %c:%lu %s (or chmod g-w %s)",
		     what, w.who == ACL_WHO_USER ? "uid" : "gid", w.id,
		     w.who == ACL_WHO_USER ? 'u' : 'g', w.id, path, path);
	return false;
}

/* Whoever can change a config decides what initc runs, so a file or
 * drop-in directory must be writable only by root or initc's own user:
 * refuse one that every user may write, or that another user owns (when
 * initc runs as root: any owner but root), or that a group other than
 * root's or initc's own may write. Root's group (gid 0) is root's own
 * (and a user's private group its own), but a POSIX ACL
 * can name other writers: its named entries are checked then (when an ACL
 * has them, the mode's group bits are its mask, so without g+w nobody in
 * it writes). st is from fstat on fd, so a symlink is judged by what it
 * points to. */
static bool config_trusted(struct loader *l, int fd, const struct stat *st, const char *what,
			   const char *verb, const char *path)
{
	uid_t self = geteuid();

	if (st->st_mode & S_IWOTH) {
		config_error(l, 0,
			     "%s writable by every user, and initc runs what it %s%s; "
			     "fix it with: chmod o-w %s",
			     what, verb, self == 0 ? " as root" : "", path);
		return false;
	}
	if (st->st_uid != 0 && st->st_uid != self) {
		config_error(l, 0,
			     "%s owned by uid %u, who could change what initc (uid %u) runs; "
			     "fix it with: chown %u %s",
			     what, (unsigned)st->st_uid, (unsigned)self, (unsigned)self, path);
		return false;
	}
	if ((st->st_mode & S_IWGRP) && st->st_gid != 0 && st->st_gid != getegid()) {
		config_error(l, 0,
			     "%s writable by group %u, whose members could change what initc "
			     "runs%s; fix it with: chmod g-w %s",
			     what, (unsigned)st->st_gid, self == 0 ? " as root" : "", path);
		return false;
	}
	return (st->st_mode & S_IWGRP) ? config_acl_trusted(l, fd, st, what, path) : true;
}

/* Reads a config file opened at dirfd/name, refusing what initc must not
 * trust or cannot read as a text file. Returns the bytes, or NULL. */
static char *read_config_file(struct loader *l, int dirfd, const char *name, size_t *size)
{
	struct stat st;
	char *buf = NULL;
	size_t got = 0;
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);

	if (fd == -1) {
		config_error(l, 0, "cannot open: %s", error_text(errno));
		return NULL;
	}
	if (fstat(fd, &st) == -1) {
		config_error(l, 0, "cannot stat: %s", error_text(errno));
		goto close_fd;
	}
	if (S_ISDIR(st.st_mode)) {
		config_error(l, 0, "is a directory; drop-in files must be regular *.ini files");
		goto close_fd;
	}
	if (!S_ISREG(st.st_mode)) {
		config_error(l, 0, "is not a regular file");
		goto close_fd;
	}
	if (!config_trusted(l, fd, &st, "is", "says", l->file))
		goto close_fd;
	if (st.st_size > CONFIG_FILE_MAX) {
		config_error(l, 0, "is %lld bytes; config files are limited to %ld",
			     (long long)st.st_size, CONFIG_FILE_MAX);
		goto close_fd;
	}
	buf = xmalloc((size_t)st.st_size + 1);
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			config_error(l, 0, "cannot read: %s", n ? error_text(errno) : "file shrank");
			free(buf);
			buf = NULL;
			goto close_fd;
		}
		got += (size_t)n;
	}
	buf[got] = '\0';
	*size = got;
close_fd:
	close(fd);
	return buf;
}

static void load_file_at(struct loader *l, int dirfd, const char *name, const char *display)
{
	size_t size;
	char *text;

	l->file = config_intern_file(l, display);
	text = read_config_file(l, dirfd, name, &size);
	if (!text)
		return;
	config_parse_text(l, l->file, text, size);
	free(text);
}

static bool is_ini_name(const char *name)
{
	size_t n = strlen(name);

	return name[0] != '.' && n > 4 && strcmp(name + n - 4, ".ini") == 0;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reads every *.ini in the directory, in byte order of their names. */
static void load_dir(struct loader *l, const char *dir, int fd)
{
	struct strv names = { 0 };
	struct stat st;
	size_t kept = 0;

	l->file = config_intern_file(l, dir);
	if (fstat(fd, &st) == -1) {
		config_error(l, 0, "cannot stat directory: %s", error_text(errno));
		close(fd);
		return;
	}
	if (!config_trusted(l, fd, &st, "drop-in directory is", "holds", dir)) {
		close(fd);
		return;
	}
	if (dir_list(fd, &names) == -1) {
		config_error(l, 0, "cannot read directory: %s", error_text(errno));
		strv_free(&names);
		close(fd);
		return;
	}
	/* Keeps the *.ini names in place, dropping the others. */
	for (size_t i = 0; i < names.n; i++) {
		if (is_ini_name(names.v[i])) {
			names.v[kept++] = names.v[i];
			continue;
		}
		log_msg(LOG_INFO, "%s/%s: ignored (only *.ini files are read)", dir, names.v[i]);
		free(names.v[i]);
	}
	names.n = kept;
	if (names.v)
		names.v[kept] = NULL;
	sort_array(names.v, names.n, sizeof(*names.v), compare_names);
	for (size_t i = 0; i < names.n; i++) {
		char display[4096];

		str_format(display, sizeof(display), "%s/%s", dir, names.v[i]);
		load_file_at(l, fd, names.v[i], display);
	}
	strv_free(&names);
	close(fd);
}

/* Loads path: a directory of drop-ins or a single file. With optional set,
 * a missing path is not an error (the defaults may be absent). */
static void load_path(struct loader *l, const char *path, bool optional)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		load_dir(l, path, fd);
		return;
	}
	if (errno == ENOENT && optional)
		return;
	if (errno == ENOTDIR || errno == ENOENT) {
		if (errno == ENOENT) {
			l->file = config_intern_file(l, path);
			config_error(l, 0, "no such file or directory (given with -c or INITC_CONFIG)");
			return;
		}
		load_file_at(l, AT_FDCWD, path, path);
		return;
	}
	l->file = config_intern_file(l, path);
	config_error(l, 0, "cannot open: %s", error_text(errno));
}

static int load_config(const char *path, bool defer_unset, struct plan *plan, char *first_error,
		       size_t len)
{
	struct loader l;

	config_loader_init(&l, plan, first_error, len);
	l.defer_unset = defer_unset;
	if (path) {
		load_path(&l, path, false);
	} else {
		struct stat st;

		if (stat(DEFAULT_CONFIG_FILE, &st) == 0 || errno != ENOENT)
			load_file_at(&l, AT_FDCWD, DEFAULT_CONFIG_FILE, DEFAULT_CONFIG_FILE);
		load_path(&l, DEFAULT_CONFIG_DIR, true);
	}
	return config_loader_finish(&l);
}

int config_load(const char *path, struct plan *plan, char *first_error, size_t len)
{
	return load_config(path, false, plan, first_error, len);
}

int config_load_for_check(const char *path, struct plan *plan)
{
	return load_config(path, true, plan, NULL, 0);
}
