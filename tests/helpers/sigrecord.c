/* sigrecord DIR [-g]: records every signal it receives.
 *
 * Each catchable signal (except CHLD) gets a handler that appends its
 * number and a newline to DIR/got. DIR/ready appears once the handlers are
 * in place. With -g it first forks a child in the same process group that
 * does the same into DIR/got.child and DIR/ready.child (a grandchild of
 * initc). Once DIR/quit exists, the next signal ends it with status 0 (the
 * parent SIGKILLs and reaps its child first). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int record_fd = -1;

/* Async-signal-safe: formats the number by hand and writes one line. */
static void record(int sig)
{
	char buf[8];
	int n = 0, saved = errno;

	if (sig >= 10)
		buf[n++] = (char)('0' + sig / 10);
	buf[n++] = (char)('0' + sig % 10);
	buf[n++] = '\n';
	if (write(record_fd, buf, (size_t)n) < 0)
		_exit(3);
	errno = saved;
}

static void touch(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

	if (fd == -1) {
		perror(path);
		exit(2);
	}
	close(fd);
}

/* Handlers for every signal that can have one, all blocked outside
 * sigsuspend so that checking DIR/quit cannot race with a signal. */
static void install(sigset_t *all)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = record;
	sigfillset(&sa.sa_mask);
	sigemptyset(all);
	for (int sig = 1; sig < NSIG; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP || sig == SIGCHLD)
			continue;
		if (sigaction(sig, &sa, NULL) == 0)
			sigaddset(all, sig);
	}
	sigprocmask(SIG_SETMASK, all, NULL);
}

static void run(const char *dir, const char *suffix, pid_t child)
{
	char got[4096], ready[4096], quit[4096];
	sigset_t all, none;

	snprintf(got, sizeof(got), "%s/got%s", dir, suffix);
	snprintf(ready, sizeof(ready), "%s/ready%s", dir, suffix);
	snprintf(quit, sizeof(quit), "%s/quit", dir);
	record_fd = open(got, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (record_fd == -1) {
		perror(got);
		exit(2);
	}
	install(&all);
	sigemptyset(&none);
	touch(ready);
	for (;;) {
		sigsuspend(&none);
		if (access(quit, F_OK) == 0)
			break;
	}
	if (child > 0) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
	}
	exit(0);
}

int main(int argc, char **argv)
{
	pid_t child = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: sigrecord DIR [-g]\n");
		return 2;
	}
	if (argc > 2 && strcmp(argv[2], "-g") == 0) {
		child = fork();
		if (child == -1) {
			perror("fork");
			return 2;
		}
		if (child == 0)
			run(argv[1], ".child", 0);
	}
	run(argv[1], "", child);
	return 0;
}
