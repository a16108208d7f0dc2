/* inspect FILE: writes what a process started by initc was given to FILE:
 * its SigBlk and SigIgn lines from /proc/self/status, "fds:" with its open
 * descriptors in ascending order, "cwd:" and "MARK=" (the environment
 * variable MARK, if set). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void status_lines(FILE *out)
{
	FILE *in = fopen("/proc/self/status", "re");
	char line[256];

	if (!in)
		return;
	while (fgets(line, sizeof(line), in))
		if (strncmp(line, "SigBlk:", 7) == 0 || strncmp(line, "SigIgn:", 7) == 0)
			fputs(line, out);
	fclose(in);
}

/* The descriptors open at exec: those in /proc/self/fd except the one
 * reading that directory and the one writing FILE. */
static void fd_list(FILE *out)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	char seen[1024] = { 0 };

	if (!d)
		return;
	while ((de = readdir(d)) != NULL) {
		int fd = atoi(de->d_name);

		if (de->d_name[0] != '.' && fd != dirfd(d) && fd != fileno(out) && fd < 1024)
			seen[fd] = 1;
	}
	closedir(d);
	fputs("fds:", out);
	for (int fd = 0; fd < 1024; fd++)
		if (seen[fd])
			fprintf(out, " %d", fd);
	fputc('\n', out);
}

int main(int argc, char **argv)
{
	char cwd[4096];
	FILE *out;

	if (argc != 2) {
		fprintf(stderr, "usage: inspect FILE\n");
		return 2;
	}
	out = fopen(argv[1], "we");
	if (!out) {
		perror(argv[1]);
		return 2;
	}
	status_lines(out);
	fd_list(out);
	fprintf(out, "cwd: %s\n", getcwd(cwd, sizeof(cwd)) ? cwd : "?");
	fprintf(out, "MARK=%s\n", getenv("MARK") ? getenv("MARK") : "");
	fclose(out);
	return 0;
}
