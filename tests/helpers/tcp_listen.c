/* A TCP listener for the wait_tcp tests.
 *
 * usage: tcp_listen [-6] [-d DELAY_MS] [-b] [-t LIFETIME_S] PORTFILE
 *
 * Binds 127.0.0.1 (-6: ::1) on a free port and writes the port to PORTFILE
 * (temp + rename, so a reader never sees half of it): at once with a delay,
 * else once it is ready. Until it listens, a connect is refused (the port is
 * bound, nothing listens). After DELAY_MS it listens and accepts (and
 * closes) every connection.
 * -b: a blackhole instead: it listens with a backlog of 0, fills the accept
 * queue itself and never accepts, so a further connect hangs in SYN_SENT.
 * It exits by itself after LIFETIME_S (default 60), so a failed test never
 * leaves it behind for long. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct opts {
	int v6;
	int delay_ms;
	int blackhole;
	int lifetime_s;
	const char *portfile;
};

static void die(const char *what)
{
	fprintf(stderr, "tcp_listen: %s: %s\n", what, strerror(errno));
	exit(2);
}

static void parse(int argc, char **argv, struct opts *o)
{
	int c;

	memset(o, 0, sizeof(*o));
	o->lifetime_s = 60;
	while ((c = getopt(argc, argv, "6d:bt:")) != -1) {
		switch (c) {
		case '6':
			o->v6 = 1;
			break;
		case 'd':
			o->delay_ms = atoi(optarg);
			break;
		case 'b':
			o->blackhole = 1;
			break;
		case 't':
			o->lifetime_s = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: tcp_listen [-6] [-d MS] [-b] [-t S] PORTFILE\n");
			exit(64);
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "usage: tcp_listen [-6] [-d MS] [-b] [-t S] PORTFILE\n");
		exit(64);
	}
	o->portfile = argv[optind];
}

/* Binds the loopback address on port 0; returns the socket and the port. */
static int bind_loopback(int v6, struct sockaddr_storage *ss, socklen_t *len)
{
	int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	if (fd == -1)
		die("socket");
	memset(ss, 0, sizeof(*ss));
	if (v6) {
		in6->sin6_family = AF_INET6;
		in6->sin6_addr = in6addr_loopback;
		*len = sizeof(*in6);
	} else {
		in4->sin_family = AF_INET;
		in4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		*len = sizeof(*in4);
	}
	if (bind(fd, (struct sockaddr *)ss, *len) == -1)
		die("bind");
	if (getsockname(fd, (struct sockaddr *)ss, len) == -1)
		die("getsockname");
	return fd;
}

static void write_port(const char *path, int port)
{
	char tmp[4096];
	FILE *fp;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fp = fopen(tmp, "w");
	if (!fp)
		die(tmp);
	fprintf(fp, "%d\n", port);
	if (fclose(fp) != 0 || rename(tmp, path) == -1)
		die(path);
}

/* Fills the accept queue with connections of our own that are never
 * accepted: the kernel then drops further SYNs. */
static void fill_queue(const struct sockaddr_storage *ss, socklen_t len)
{
	for (int i = 0; i < 4; i++) {
		int c = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

		if (c == -1)
			die("socket");
		if (connect(c, (const struct sockaddr *)ss, len) == -1 && errno != EINPROGRESS)
			die("connect to self");
		/* kept open on purpose */
	}
}

int main(int argc, char **argv)
{
	struct opts o;
	struct sockaddr_storage ss;
	socklen_t len;
	struct timespec delay;
	int fd, port;

	parse(argc, argv, &o);
	alarm((unsigned)o.lifetime_s);
	fd = bind_loopback(o.v6, &ss, &len);
	port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
					      : ((struct sockaddr_in *)&ss)->sin_port);
	/* With a delay, the port is known (and refused) before it listens;
	 * without one, it is published only once it is ready. */
	if (o.delay_ms > 0)
		write_port(o.portfile, port);
	delay.tv_sec = o.delay_ms / 1000;
	delay.tv_nsec = (long)(o.delay_ms % 1000) * 1000000L;
	nanosleep(&delay, NULL);
	if (listen(fd, o.blackhole ? 0 : 16) == -1)
		die("listen");
	if (o.blackhole) {
		struct timespec settle = { 0, 200 * 1000000L };

		fill_queue(&ss, len);
		nanosleep(&settle, NULL); /* let the handshakes fill the queue */
	}
	if (o.delay_ms <= 0)
		write_port(o.portfile, port);
	while (o.blackhole)
		pause();
	for (;;) {
		int c = accept(fd, NULL, NULL);

		if (c >= 0)
			close(c);
		else if (errno != EINTR && errno != ECONNABORTED)
			die("accept");
	}
}
