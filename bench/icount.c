/*
 * icount: count the user-space instructions a program executes, by
 * single-stepping it with ptrace, until it exits or execs another program.
 *
 *   icount COMMAND [ARG...]
 *
 * This measures the init itself in every mode: an init that execs the
 * application (initc's default mode) is counted up to that exec, which
 * callgrind cannot do (it loses the counts of a process that execs).
 * Children of the program are not traced, so their work is not counted.
 * A rep-prefixed string instruction counts once per iteration, as callgrind
 * counts it.  Prints one line:
 *
 *   instructions=N end=exit|exec|signal
 *
 * and exits 0 (1 when COMMAND could not be started or traced).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	unsigned long long count = 0;
	const char *end = "exit";
	pid_t pid;
	int st, sig = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: icount COMMAND [ARG...]\n");
		return 64;
	}
	pid = fork();
	if (pid < 0) {
		perror("icount: fork");
		return 1;
	}
	if (pid == 0) {
		if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) < 0)
			_exit(126);
		execvp(argv[1], argv + 1);
		_exit(127);
	}
	/* the first stop is the SIGTRAP of the traced execve */
	if (waitpid(pid, &st, 0) != pid || !WIFSTOPPED(st)) {
		fprintf(stderr, "icount: %s did not start under ptrace\n", argv[1]);
		return 1;
	}
	ptrace(PTRACE_SETOPTIONS, pid, NULL,
	       (void *)(long)(PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL));
	for (;;) {
		if (ptrace(PTRACE_SINGLESTEP, pid, NULL, (void *)(long)sig) < 0) {
			perror("icount: ptrace");
			break;
		}
		sig = 0;
		if (waitpid(pid, &st, 0) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (WIFEXITED(st))
			break;
		if (WIFSIGNALED(st)) {
			end = "signal";
			break;
		}
		if (st >> 8 == (SIGTRAP | (PTRACE_EVENT_EXEC << 8))) {
			/* the program became another one: stop counting there */
			end = "exec";
			ptrace(PTRACE_DETACH, pid, NULL, NULL);
			waitpid(pid, &st, 0);
			break;
		}
		if (WSTOPSIG(st) == SIGTRAP)
			count++;
		else
			sig = WSTOPSIG(st);	/* deliver it on the next step */
	}
	printf("instructions=%llu end=%s\n", count, end);
	return 0;
}
