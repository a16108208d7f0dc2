/* Writes the numbers of this process's open descriptors (excluding the one
 * used to list them) to the file named by argv[1], one per line. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	FILE *out;

	if (argc != 2 || !d)
		return 2;
	out = fopen(argv[1], "we");
	if (!out)
		return 2;
	while ((de = readdir(d)) != NULL) {
		int fd = atoi(de->d_name);

		if (de->d_name[0] == '.' || fd == dirfd(d) || fd == fileno(out))
			continue;
		fprintf(out, "%d\n", fd);
	}
	closedir(d);
	return fclose(out) == 0 ? 0 : 2;
}
