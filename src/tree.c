/* Walking initc's process tree through /proc.
 *
 * As a subreaper initc adopts the app's orphans, but their own children
 * stay theirs: to stop everything the app left behind, initc signals the
 * whole subtree below it, not only its direct children. */
#include "tree.h"

#include <fcntl.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "format.h"
#include "parse.h"
#include "util.h"

struct proc_entry {
	pid_t pid;
	pid_t ppid;
	bool mine; /* a descendant of initc */
};

struct proc_table {
	struct proc_entry *v;
	size_t n, cap;
};

/* The ppid field of /proc/PID/stat, given the text after comm's ')':
 * " S 1 ...". -1 when malformed. (No sscanf: it would pull musl's float
 * scanner, 10 KiB, into the static binary.) */
static long stat_ppid(const char *after_comm)
{
	const char *p = after_comm;
	unsigned long ppid;

	while (*p == ' ')
		p++;
	/* Untested: the kernel never writes a malformed stat line. */
	if (*p == '\0' || p[1] != ' ' || !scan_ulong(p + 2, INT_MAX, &ppid))
		return -1;
	return (long)ppid;
}

/* The parent of pid from /proc/PID/stat, or -1 when it is gone. */
static pid_t parent_of(pid_t pid)
{
	char path[64], buf[512], *end;
	long ppid = -1;
	FILE *fp;

	str_format(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fp = fopen(path, "re");
	if (!fp)
		return -1;
	/* "pid (comm) state ppid ...": comm may hold spaces and ')'. */
	if (fgets(buf, sizeof(buf), fp) && (end = strrchr(buf, ')')))
		ppid = stat_ppid(end + 1);
	fclose(fp);
	return (pid_t)ppid;
}

/* Every process visible in /proc with its parent. */
static int table_read(struct proc_table *t)
{
	struct strv names = { 0 };
	int fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc, saved;

	/* Untested (as root this only fails when there is no /proc at all,
	 * which needs a new root; an empty /proc is tested, see tree_signal). */
	if (fd == -1)
		return -1;
	rc = dir_list(fd, &names);
	saved = errno;
	close(fd);
	if (rc == -1) {
		/* a partial list would miss descendants: nothing, not a part */
		strv_free(&names);
		errno = saved;
		return -1;
	}
	for (size_t i = 0; i < names.n; i++) {
		const char *end;
		unsigned long pid;
		pid_t ppid;

		/* Only the numeric entries are processes. */
		end = scan_ulong(names.v[i], INT_MAX, &pid);
		if (!end || *end || pid == 0 || (ppid = parent_of((pid_t)pid)) < 0)
			continue;
		if (t->n == t->cap) {
			t->cap = t->cap ? t->cap * 2 : 256;
			t->v = xrealloc(t->v, t->cap * sizeof(*t->v));
		}
		t->v[t->n++] = (struct proc_entry){ (pid_t)pid, ppid, false };
	}
	strv_free(&names);
	return 0;
}

static int by_pid(const void *a, const void *b)
{
	pid_t x = ((const struct proc_entry *)a)->pid, y = ((const struct proc_entry *)b)->pid;

	return (x > y) - (x < y);
}

/* True when e's parent is initc or already known to descend from it. */
static bool parent_is_mine(const struct proc_table *t, const struct proc_entry *e, pid_t self)
{
	struct proc_entry key = { e->ppid, 0, false }, *parent;

	if (e->ppid == self)
		return true;
	parent = bsearch(&key, t->v, t->n, sizeof(*t->v), by_pid);
	return parent && parent->mine;
}

/* Marks initc's descendants: one pass per generation of the deepest chain. */
static void table_mark(struct proc_table *t, pid_t self)
{
	bool changed = true;

	sort_array(t->v, t->n, sizeof(*t->v), by_pid);
	while (changed) {
		changed = false;
		for (size_t i = 0; i < t->n; i++) {
			if (!t->v[i].mine && parent_is_mine(t, &t->v[i], self)) {
				t->v[i].mine = true;
				changed = true;
			}
		}
	}
}

/* True when the table shows initc itself: a /proc that does not (an empty
 * directory, a tmpfs over it) cannot show its descendants either. */
static bool table_has(const struct proc_table *t, pid_t pid)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].pid == pid)
			return true;
	return false;
}

int tree_signal(int sig)
{
	struct proc_table t = { NULL, 0, 0 };
	int n = 0;

	if (table_read(&t) == -1) /* untested: see there */
		return -1;
	if (!table_has(&t, getpid())) {
		free(t.v);
		errno = ENOENT;
		return -1;
	}
	table_mark(&t, getpid());
	/* A process may exit between the walk and the kill: ESRCH is fine. */
	for (size_t i = 0; i < t.n; i++)
		if (t.v[i].mine && kill(t.v[i].pid, sig) == 0)
			n++;
	free(t.v);
	return n;
}
