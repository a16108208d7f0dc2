/* initc's descendants, read from /proc: the processes the app left behind
 * when initc is not PID 1 (as PID 1, kill(-1, sig) reaches them all). */
#ifndef INITC_TREE_H
#define INITC_TREE_H

#include <stddef.h>

/* Sends sig to every descendant of initc (children, their children, and
 * so on); returns how many were signalled, or -1 (errno set) when /proc
 * cannot be read or does not show initc (ENOENT: not mounted). */
int tree_signal(int sig);

/* initc's descendants at one moment, each a pid and its start time (a pid
 * reused meanwhile is another process). */
struct tree_proc {
	int pid;
	unsigned long long start;
};

struct tree_snap {
	struct tree_proc *v;
	size_t n;
};

/* Notes initc's descendants now (none without a walk of /proc when initc
 * has no child); 0, or -1 as for tree_signal. */
int tree_snapshot(struct tree_snap *snap);

/* Sends sig to every descendant of initc that is not in before and does
 * not descend from one that is: what was started since the snapshot, and
 * by whom but what was there before. Zombies are not counted. Returns how
 * many were signalled, or -1 as for tree_signal. */
int tree_signal_new(const struct tree_snap *before, int sig);

void tree_snap_free(struct tree_snap *snap);

#endif
