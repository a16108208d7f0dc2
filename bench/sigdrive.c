/*
 * sigdrive: the driver side of the signal latency benchmark.
 *
 *   sigdrive -f FIFO [-n COUNT] [-g GAP_US] [-s SIG]... -- COMMAND [ARG...]
 *
 * It creates FIFO, starts COMMAND (an init whose application is
 * "sigapp FIFO", or sigapp itself for the no-init baseline) and waits for
 * sigapp's ready record.  Then, for each SIG in the order given (TERM, USR1
 * or INT; default USR1), COUNT times: it sleeps GAP_US so the init is idle
 * again, reads CLOCK_MONOTONIC, sends SIG to the process it started, and
 * reads back the time at which sigapp's handler ran.  One line per signal:
 *
 *   SIG LATENCY_NS     or     SIG lost     (no answer within 1 s)
 *
 * At the end it SIGKILLs sigapp, waits up to 3 s for COMMAND to exit (then
 * SIGKILLs it too) and prints "# status N".  It never fails because of a
 * slow or lost signal; the caller judges the numbers.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct sigrec {
	int32_t sig;
	int32_t pid;
	int64_t ns;
};

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void sleep_us(long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int sig_parse(const char *name)
{
	if (strcmp(name, "TERM") == 0)
		return SIGTERM;
	if (strcmp(name, "USR1") == 0)
		return SIGUSR1;
	if (strcmp(name, "INT") == 0)
		return SIGINT;
	return -1;
}

/*
 * Read one record within timeout_ms.  Returns 1 on a record, 0 on timeout,
 * -1 when the writer is gone.
 */
static int rec_read(int fd, struct sigrec *r, int timeout_ms)
{
	struct pollfd p = { fd, POLLIN, 0 };
	ssize_t n;

	if (poll(&p, 1, timeout_ms) <= 0)
		return 0;
	n = read(fd, r, sizeof(*r));
	if (n == (ssize_t)sizeof(*r))
		return 1;
	return n < 0 && errno == EAGAIN ? 0 : -1;
}

/* Wait up to 3 s for pid to exit, then kill it; return its wait status. */
static int child_finish(pid_t pid)
{
	int st = 0;

	for (int i = 0; i < 300; i++) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			return st;
		sleep_us(10000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	return st;
}

int main(int argc, char **argv)
{
	const char *fifo = NULL, *names[8];
	int sigs[8], nsigs = 0;
	long count = 20, gap_us = 2000;
	struct sigrec r;
	pid_t init;
	int fd, opt, st, alive = 1;

	while ((opt = getopt(argc, argv, "+f:n:g:s:")) != -1) {
		switch (opt) {
		case 'f':
			fifo = optarg;
			break;
		case 'n':
			count = strtol(optarg, NULL, 10);
			break;
		case 'g':
			gap_us = strtol(optarg, NULL, 10);
			break;
		case 's':
			if (nsigs == 8 || sig_parse(optarg) < 0) {
				fprintf(stderr, "sigdrive: bad signal %s\n", optarg);
				return 64;
			}
			names[nsigs] = optarg;
			sigs[nsigs++] = sig_parse(optarg);
			break;
		default:
			goto usage;
		}
	}
	if (!fifo || optind >= argc)
		goto usage;
	if (nsigs == 0) {
		names[0] = "USR1";
		sigs[nsigs++] = SIGUSR1;
	}
	if (mkfifo(fifo, 0600) < 0 && errno != EEXIST) {
		perror("sigdrive: mkfifo");
		return 1;
	}
	/* non-blocking, so that an init that dies early cannot hang us */
	fd = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		perror("sigdrive: open");
		return 1;
	}
	init = fork();
	if (init < 0) {
		perror("sigdrive: fork");
		return 1;
	}
	if (init == 0) {
		execvp(argv[optind], argv + optind);
		perror("sigdrive: exec");
		_exit(127);
	}
	if (rec_read(fd, &r, 5000) != 1 || r.sig != 0) {
		fprintf(stderr, "sigdrive: no ready record from %s\n", argv[optind]);
		kill(init, SIGKILL);
		waitpid(init, &st, 0);
		printf("# status noready\n");
		return 0;
	}
	pid_t app = r.pid;

	for (int s = 0; s < nsigs; s++) {
		for (long i = 0; i < count; i++) {
			int64_t t0;
			int got = 0;

			sleep_us(gap_us);
			t0 = now_ns();
			if (alive && kill(init, sigs[s]) == 0) {
				/* skip records of other signals an init may add */
				while ((got = rec_read(fd, &r, 1000)) == 1 &&
				       r.sig != sigs[s])
					;
			}
			if (got == 1)
				printf("%s %lld\n", names[s], (long long)(r.ns - t0));
			else
				printf("%s lost\n", names[s]);
			if (got < 0)
				alive = 0;
		}
	}
	kill(app, SIGKILL);
	st = child_finish(init);
	printf("# status %d\n", WIFEXITED(st) ? WEXITSTATUS(st) :
	       128 + WTERMSIG(st));
	return 0;

usage:
	fprintf(stderr, "usage: sigdrive -f FIFO [-n COUNT] [-g GAP_US] "
		"[-s TERM|USR1|INT]... -- COMMAND [ARG...]\n");
	return 64;
}
