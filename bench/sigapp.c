/*
 * sigapp: the application side of the signal latency benchmark.
 *
 *   sigapp FIFO
 *
 * It opens FIFO for writing, writes a "ready" record carrying its pid, and
 * then waits forever.  Each SIGTERM, SIGUSR1 or SIGINT it receives is
 * answered from the handler with one record: the signal number and the
 * CLOCK_MONOTONIC time at which the handler ran.  The handlers return, so
 * the application survives any number of TERMs; SIGKILL ends it.
 *
 * Records are fixed-size and smaller than PIPE_BUF, so each write is atomic.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct sigrec {
	int32_t sig;		/* 0 for the ready record */
	int32_t pid;
	int64_t ns;		/* CLOCK_MONOTONIC */
};

static int out_fd = -1;

static void on_signal(int sig)
{
	struct sigrec r;
	struct timespec ts;

	/* clock_gettime and write are async-signal-safe */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	r.sig = sig;
	r.pid = 0;
	r.ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	if (write(out_fd, &r, sizeof(r)) < 0)
		_exit(1);
}

int main(int argc, char **argv)
{
	static const int sigs[] = { SIGTERM, SIGUSR1, SIGINT };
	struct sigaction sa;
	struct sigrec ready = { 0, 0, 0 };
	size_t i;

	if (argc != 2) {
		fprintf(stderr, "usage: sigapp FIFO\n");
		return 64;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigfillset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	/* an init may hand us a blocked mask; the benchmark needs these */
	sigemptyset(&sa.sa_mask);
	sigprocmask(SIG_SETMASK, &sa.sa_mask, NULL);

	out_fd = open(argv[1], O_WRONLY | O_CLOEXEC);
	if (out_fd < 0) {
		perror("sigapp: open");
		return 1;
	}
	ready.pid = (int32_t)getpid();
	if (write(out_fd, &ready, sizeof(ready)) != sizeof(ready))
		return 1;
	for (;;)
		pause();
}
