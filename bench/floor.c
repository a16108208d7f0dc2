/*
 * floor: the least work a process supervisor can do, used as the baseline
 * ("the floor") in the initc benchmarks.  It forks, execs the command,
 * waits for that one child and exits with its status.  It forwards no
 * signals and reaps no orphans: anything an init does beyond this is its
 * overhead.
 *
 *   floor [-n COUNT] [--] COMMAND [ARG...]
 *
 * With -n, the command is run COUNT times in sequence, stopping at the
 * first failure (the shape of a list of init steps).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Run argv once; return an exit status in the shell's convention. */
static int run_once(char **argv)
{
	pid_t pid = fork();
	int st;

	if (pid < 0) {
		perror("floor: fork");
		return 125;
	}
	if (pid == 0) {
		execvp(argv[0], argv);
		_exit(errno == ENOENT ? 127 : 126);
	}
	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR) {
			perror("floor: waitpid");
			return 125;
		}
	}
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return WEXITSTATUS(st);
}

int main(int argc, char **argv)
{
	long count = 1;
	int i = 1;
	int status = 0;

	if (i + 1 < argc && strcmp(argv[i], "-n") == 0) {
		count = strtol(argv[i + 1], NULL, 10);
		i += 2;
	}
	if (i < argc && strcmp(argv[i], "--") == 0)
		i++;
	if (i >= argc || count < 1) {
		fprintf(stderr, "usage: floor [-n COUNT] [--] COMMAND [ARG...]\n");
		return 64;
	}
	for (long n = 0; n < count && status == 0; n++)
		status = run_once(argv + i);
	return status;
}
