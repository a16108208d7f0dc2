/*
 * orphans: an application that makes many short-lived orphans, to measure
 * how quickly the init above it reaps them.  Run it as the child of the
 * init under test, with the init as PID 1 of a fresh PID namespace that
 * has its own /proc (unshare --pid --fork --mount-proc).
 *
 *   orphans [-n COUNT] [-t TIMEOUT_MS]
 *
 * COUNT times, it forks a child that forks a grandchild and exits at once;
 * the grandchild exits at once too, so it ends up a zombie that only PID 1
 * can reap.  orphans reaps its own children itself.  Then it scans /proc
 * until no process but PID 1 and itself is left (or TIMEOUT_MS passes) and
 * prints one line of key=value pairs:
 *
 *   orphans       COUNT
 *   fork_ms       time to create them all
 *   reap_ms       from the first fork until all were gone
 *   tail_ms       from the last fork until all were gone
 *   zombies_end   zombies seen by the first scan after the last fork
 *   zombies_left  zombies still there at the end (0 unless timed out)
 *   live_left     other processes still there at the end
 *   pid1          1 if orphans is in its own PID namespace (its parent is 1)
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* State letter of process pid from /proc/PID/stat, or 0 if it is gone. */
static char proc_state(const char *pid)
{
	char path[64], buf[512];
	FILE *f;
	size_t n;
	char *p;

	snprintf(path, sizeof(path), "/proc/%s/stat", pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* comm may hold spaces and parentheses: the state follows the last ')' */
	p = strrchr(buf, ')');
	if (!p || p[1] != ' ')
		return 0;
	return p[2];
}

/* Count zombies and other live processes besides PID 1 and ourselves. */
static void proc_scan(int *zombies, int *live)
{
	char self[32];
	struct dirent *e;
	DIR *d = opendir("/proc");

	*zombies = 0;
	*live = 0;
	if (!d)
		return;
	snprintf(self, sizeof(self), "%d", (int)getpid());
	while ((e = readdir(d)) != NULL) {
		char st;

		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		if (strcmp(e->d_name, "1") == 0 || strcmp(e->d_name, self) == 0)
			continue;
		st = proc_state(e->d_name);
		if (st == 'Z')
			(*zombies)++;
		else if (st != 0)
			(*live)++;
	}
	closedir(d);
}

/*
 * One orphan: a child forks a grandchild and exits at once; the grandchild
 * exits at once too.  Whichever exits first, the grandchild ends up a
 * zombie reparented to PID 1, which must reap it.
 */
static int orphan_make(void)
{
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (fork() < 0)
			_exit(1);
		_exit(0);
	}
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	return 0;
}

int main(int argc, char **argv)
{
	long count = 1000, timeout_ms = 5000;
	int zombies = 0, live = 0, zombies_end;
	double t0, t_forked, t_gone, deadline;
	int opt;
	long i;

	while ((opt = getopt(argc, argv, "n:t:")) != -1) {
		switch (opt) {
		case 'n':
			count = strtol(optarg, NULL, 10);
			break;
		case 't':
			timeout_ms = strtol(optarg, NULL, 10);
			break;
		default:
			fprintf(stderr, "usage: orphans [-n COUNT] [-t TIMEOUT_MS]\n");
			return 64;
		}
	}
	t0 = now_ms();
	for (i = 0; i < count; i++) {
		if (orphan_make() < 0) {
			perror("orphans: fork");
			break;
		}
	}
	t_forked = now_ms();
	proc_scan(&zombies_end, &live);
	zombies = zombies_end;
	deadline = t_forked + timeout_ms;
	while ((zombies || live) && now_ms() < deadline) {
		struct timespec pause = { 0, 200000 };

		nanosleep(&pause, NULL);
		proc_scan(&zombies, &live);
	}
	t_gone = now_ms();
	printf("orphans=%ld fork_ms=%.3f reap_ms=%.3f tail_ms=%.3f "
	       "zombies_end=%d zombies_left=%d live_left=%d pid1=%d\n",
	       i, t_forked - t0, t_gone - t0, t_gone - t_forked,
	       zombies_end, zombies, live, getppid() == 1);
	fflush(stdout);
	return 0;
}
