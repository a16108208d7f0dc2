/* Makes N short-lived orphans: for each, forks a child that forks a
 * grandchild and exits at once, so the grandchild is re-parented to the
 * nearest subreaper (initc) and exits there: a storm of SIGCHLD for initc.
 * Usage: orphans N. Exits 0 once every grandchild was created. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

/* One orphan; returns 0 when the intermediate child ran and exited 0. */
static int make_orphan(void)
{
	int status;
	pid_t child = fork();

	if (child == -1)
		return -1;
	if (child == 0) {
		pid_t grandchild = fork();

		if (grandchild == 0)
			_exit(0); /* the orphan: exits as soon as it runs */
		_exit(grandchild == -1 ? 1 : 0);
	}
	if (waitpid(child, &status, 0) == -1 || !WIFEXITED(status) || WEXITSTATUS(status))
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	long n = argc == 2 ? strtol(argv[1], NULL, 10) : -1;

	if (n <= 0) {
		fprintf(stderr, "usage: orphans N\n");
		return 2;
	}
	for (long i = 0; i < n; i++) {
		if (make_orphan() == -1) {
			perror("orphans: fork");
			return 1;
		}
	}
	return 0;
}
