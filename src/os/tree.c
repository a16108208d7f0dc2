/* Walking initc's process tree through /proc.
 *
 * As a subreaper initc adopts the app's orphans, but their own children
 * stay theirs: to stop everything the app left behind, initc signals the
 * whole subtree below it, not only its direct children. */
#include "tree.h"

#include <fcntl.h>
#include <errno.h>
#include <sys/wait.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "format.h"
#include "parse.h"
#include "util.h"

struct proc_entry {
	pid_t pid;
	pid_t ppid;
	unsigned long long start; /* clock ticks after boot: a pid with its start is unique */
	char state;		  /* 'Z': a zombie, nothing to signal */
	bool mine;		  /* a descendant of initc */
	bool excluded;		  /* in the snapshot: neither it nor what it started is marked */
};

struct proc_table {
	struct proc_entry *v;
	size_t n, cap;
};

/* Skips n space-separated fields; NULL when the text ends first. */
static const char *skip_fields(const char *p, int n)
{
	while (n-- > 0) {
		while (*p == ' ')
			p++;
		while (*p && *p != ' ')
			p++;
		if (!*p)
			return NULL;
	}
	while (*p == ' ')
		p++;
	return p;
}

/* State, ppid and start time from the text of /proc/PID/stat after comm's
 * ')': " S 1 ... starttime" (fields 3, 4 and 22). -1 when malformed. (No
 * sscanf: it would pull musl's float scanner, 10 KiB, into the static
 * binary.) */
static int parse_stat(const char *after_comm, struct proc_entry *e)
{
	const char *p = skip_fields(after_comm, 0), *start;
	unsigned long ppid, ticks;

	/* Untested: the kernel never writes a malformed stat line. */
	if (*p == '\0' || p[1] != ' ' || !scan_ulong(p + 2, INT_MAX, &ppid))
		return -1;
	e->state = *p;
	e->ppid = (pid_t)ppid;
	start = skip_fields(p, 19);
	e->start = start && scan_ulong(start, ULONG_MAX, &ticks) ? ticks : 0;
	return 0;
}

/* The entry of pid from /proc/PID/stat; -1 when it is gone. */
static int read_entry(pid_t pid, struct proc_entry *e)
{
	char path[64], buf[512], *end;
	ssize_t n;
	int fd;

	str_format(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1)
		return -1;
	memset(e, 0, sizeof(*e));
	e->pid = pid;
	/* The kernel writes the line at once: one read gets it (or, were it
	 * longer than buf, its first fields, the only ones parse_stat needs). */
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	/* "pid (comm) state ppid ...": comm may hold spaces and ')'. */
	end = strrchr(buf, ')');
	return end ? parse_stat(end + 1, e) : -1;
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
		struct proc_entry e;
		const char *end;
		unsigned long pid;

		/* Only the numeric entries are processes. */
		end = scan_ulong(names.v[i], INT_MAX, &pid);
		if (!end || *end || pid == 0 || read_entry((pid_t)pid, &e) == -1)
			continue;
		if (t->n == t->cap) {
			t->cap = t->cap ? t->cap * 2 : 256;
			t->v = xrealloc(t->v, t->cap * sizeof(*t->v));
		}
		t->v[t->n++] = e;
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
	struct proc_entry key = { .pid = e->ppid }, *parent;

	if (e->ppid == self)
		return true;
	parent = bsearch(&key, t->v, t->n, sizeof(*t->v), by_pid);
	return parent && parent->mine;
}

/* Marks initc's descendants: one pass per generation of the deepest chain. */
static void table_mark(struct proc_table *t, pid_t self)
{
	bool changed = true;

	while (changed) {
		changed = false;
		for (size_t i = 0; i < t->n; i++) {
			if (!t->v[i].mine && !t->v[i].excluded &&
			    parent_is_mine(t, &t->v[i], self)) {
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

/* Reads the table and marks initc's descendants, leaving out those of
 * before (and what they started); -1 as for tree_signal. */
static int table_load(struct proc_table *t, const struct tree_snap *before)
{
	if (table_read(t) == -1) /* untested: see there */
		return -1;
	if (!table_has(t, getpid())) {
		free(t->v);
		t->v = NULL;
		errno = ENOENT;
		return -1;
	}
	sort_array(t->v, t->n, sizeof(*t->v), by_pid);
	for (size_t i = 0; before && i < before->n; i++) {
		struct proc_entry key = { .pid = before->v[i].pid }, *e;

		e = bsearch(&key, t->v, t->n, sizeof(*t->v), by_pid);
		if (e && e->start == before->v[i].start)
			e->excluded = true;
	}
	table_mark(t, getpid());
	return 0;
}

/* sig to every marked process that is not a zombie; how many got it. */
static int table_signal(const struct proc_table *t, int sig)
{
	int n = 0;

	/* A process may exit between the walk and the kill: ESRCH is fine. */
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].mine && t->v[i].state != 'Z' && kill(t->v[i].pid, sig) == 0)
			n++;
	return n;
}

int tree_signal(int sig)
{
	struct proc_table t = { NULL, 0, 0 };
	int n;

	if (table_load(&t, NULL) == -1)
		return -1;
	n = table_signal(&t, sig);
	free(t.v);
	return n;
}

/* True when initc has no child at all, and so no descendant: the common
 * case needs no walk of /proc. */
static bool has_no_child(void)
{
	siginfo_t si;

	return waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) == -1 && errno == ECHILD;
}

int tree_snapshot(struct tree_snap *snap)
{
	struct proc_table t = { NULL, 0, 0 };

	snap->v = NULL;
	snap->n = 0;
	if (has_no_child())
		return 0;
	if (table_load(&t, NULL) == -1)
		return -1;
	snap->v = xmalloc((t.n ? t.n : 1) * sizeof(*snap->v));
	for (size_t i = 0; i < t.n; i++)
		if (t.v[i].mine)
			snap->v[snap->n++] = (struct tree_proc){ t.v[i].pid, t.v[i].start };
	free(t.v);
	return 0;
}

int tree_signal_new(const struct tree_snap *before, int sig)
{
	struct proc_table t = { NULL, 0, 0 };
	int n;

	if (has_no_child())
		return 0;
	if (table_load(&t, before) == -1)
		return -1;
	n = table_signal(&t, sig);
	free(t.v);
	return n;
}

void tree_snap_free(struct tree_snap *snap)
{
	free(snap->v);
	snap->v = NULL;
	snap->n = 0;
}
