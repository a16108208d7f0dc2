/* Writes the file descriptors it was started with, one per line, to the
 * file named by argv[1]: tests/test_security.c runs it as a step and as
 * the app to check which descriptors initc lets through. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	int fds[1024], n = 0;
	struct dirent *de;
	DIR *d;
	FILE *out;

	if (argc != 2)
		return 2;
	d = opendir("/proc/self/fd");
	if (!d)
		return 3;
	while ((de = readdir(d)) != NULL && n < 1024) {
		int fd = atoi(de->d_name);

		if (de->d_name[0] != '.' && fd != dirfd(d))
			fds[n++] = fd;
	}
	closedir(d);
	out = fopen(argv[1], "w");
	if (!out)
		return 4;
	for (int i = 0; i < n; i++)
		fprintf(out, "%d\n", fds[i]);
	return fclose(out) == 0 ? 0 : 5;
}
