/* launcher [-b SIGS] [-k SIGS] [-i SIGS] [-C] [-f FD] [-r FILE] -- PROGRAM [ARG...]
 *
 * Starts PROGRAM (initc, in the tests) the way an unusual parent would:
 * -b blocks and -i ignores the comma-separated signal numbers, -k blocks
 * them and sends them to itself, so they are already pending when PROGRAM
 * starts (pending signals survive exec), -C closes every descriptor above
 * 2 that PROGRAM would inherit (make's jobserver, say), -f leaves
 * /dev/null open on descriptor FD (inherited, not close-on-exec), and -r
 * runs `inspect FILE` just before the exec, with what PROGRAM will get, as
 * the reference for what the app must get in turn. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void each_signal(const char *list, void (*fn)(int))
{
	char *copy = strdup(list), *save = NULL;

	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
		fn(atoi(t));
	free(copy);
}

static sigset_t blocked;

/* sigaddset, also for the signals the C library reserves (32-34), which
 * its sigaddset refuses: bit sig-1, as the kernel reads a sigset_t. */
static void add_signal(sigset_t *set, int sig)
{
	unsigned long *words = (unsigned long *)(void *)set;
	unsigned bits = 8 * sizeof(unsigned long);

	words[(unsigned)(sig - 1) / bits] |= 1UL << ((unsigned)(sig - 1) % bits);
}

static void add_blocked(int sig)
{
	add_signal(&blocked, sig);
}

static sigset_t pending;

static void add_pending(int sig)
{
	sigaddset(&blocked, sig);
	sigaddset(&pending, sig);
}

/* Leaves each signal of -k pending (blocked, so it waits for PROGRAM). */
static int raise_pending(void)
{
	for (int sig = 1; sig < NSIG; sig++)
		if (sigismember(&pending, sig) == 1 && raise(sig) != 0)
			return -1;
	return 0;
}

/* signal(sig, SIG_IGN); for the signals the C library reserves (32-34),
 * which its signal() refuses, the system call with the kernel's sigaction
 * (handler first on x86 and ARM, where the tests run). */
static void ignore(int sig)
{
	static const unsigned long ign[8] = { (unsigned long)SIG_IGN };

	if (signal(sig, SIG_IGN) != SIG_ERR)
		return;
	if (errno != EINVAL || syscall(SYS_rt_sigaction, sig, ign, NULL, (NSIG - 1) / 8) != 0) {
		perror("signal");
		exit(2);
	}
}

/* Runs $HELPERS/inspect FILE with exactly what PROGRAM will get: the
 * reference the app's own view is compared with. */
static void record_reference(const char *path)
{
	const char *dir = getenv("HELPERS");
	char prog[4096];
	int status;
	pid_t pid;

	snprintf(prog, sizeof(prog), "%s/inspect", dir ? dir : "build/tests/helpers");
	pid = fork();
	if (pid == 0) {
		execl(prog, prog, path, (char *)NULL);
		_exit(127);
	}
	if (pid == -1 || waitpid(pid, &status, 0) != pid || status != 0) {
		fprintf(stderr, "launcher: %s %s failed\n", prog, path);
		exit(2);
	}
}

int main(int argc, char **argv)
{
	const char *record = NULL;
	int c;

	sigemptyset(&blocked);
	sigemptyset(&pending);
	while ((c = getopt(argc, argv, "+b:k:i:Cf:r:")) != -1) {
		switch (c) {
		case 'C':
			for (int fd = 3; fd < 1024; fd++)
				close(fd);
			break;
		case 'b':
			each_signal(optarg, add_blocked);
			break;
		case 'k':
			each_signal(optarg, add_pending);
			break;
		case 'i':
			each_signal(optarg, ignore);
			break;
		case 'f': {
			int fd = open("/dev/null", O_RDONLY);

			if (fd == -1 || dup2(fd, atoi(optarg)) == -1) {
				perror("dup2");
				return 2;
			}
			close(fd);
			break;
		}
		case 'r':
			record = optarg;
			break;
		default:
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: launcher [-b SIGS] [-k SIGS] [-i SIGS] [-C] [-f FD] [-r FILE] -- PROGRAM...\n");
		return 2;
	}
	/* The system call: the C library's sigprocmask would drop 32-34. */
	if (syscall(SYS_rt_sigprocmask, SIG_SETMASK, &blocked, NULL, (NSIG - 1 + 7) / 8) == -1 ||
	    raise_pending() == -1) {
		perror("sigprocmask");
		return 2;
	}
	if (record)
		record_reference(record);
	execvp(argv[optind], argv + optind);
	perror(argv[optind]);
	return 127;
}
