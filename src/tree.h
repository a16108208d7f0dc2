/* initc's descendants, read from /proc: the processes the app left behind
 * when initc is not PID 1 (as PID 1, kill(-1, sig) reaches them all). */
#ifndef INITC_TREE_H
#define INITC_TREE_H

/* Sends sig to every descendant of initc (children, their children, and
 * so on); returns how many were signalled, or -1 (errno set) when /proc
 * cannot be read or does not show initc (ENOENT: not mounted). */
int tree_signal(int sig);

#endif
