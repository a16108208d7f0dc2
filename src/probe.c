/* wait_tcp and wait_file. */
#include "probe.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "format.h"
#include "log.h"
#include "parse.h"
#include "util.h"

/* One non-blocking connect; 0 when connected, else errno-style reason. */
static int connect_one(const struct addrinfo *ai, int64_t timeout_ms)
{
	struct pollfd pfd;
	socklen_t len = sizeof(int);
	int fd, soerr = 0;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
	if (fd == -1)
		return errno;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
		close(fd);
		return 0;
	}
	if (errno != EINPROGRESS) {
		soerr = errno;
		close(fd);
		return soerr;
	}
	pfd.fd = fd;
	pfd.events = POLLOUT;
	switch (poll(&pfd, 1, timeout_ms <= 0 ? 0 : timeout_ms > INT_MAX ? INT_MAX : (int)timeout_ms)) {
	case 0:
		soerr = ETIMEDOUT;
		break;
	case -1:
		soerr = errno;
		break;
	default:
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) == -1)
			soerr = errno;
	}
	close(fd);
	return soerr;
}

/* The address as text for the log. inet_ntop, not getnameinfo: the latter
 * pulls musl's reverse-lookup code into the static binary. */
static const char *numeric_addr(const struct sockaddr *sa, char *buf, size_t len)
{
	const void *a = sa->sa_family == AF_INET6 ?
				(const void *)&((const struct sockaddr_in6 *)sa)->sin6_addr :
				(const void *)&((const struct sockaddr_in *)sa)->sin_addr;

	return inet_ntop(sa->sa_family, a, buf, (socklen_t)len);
}

int probe_tcp(const char *step, int attempt, const char *target, int64_t timeout_ms)
{
	struct addrinfo hints, *res, *ai;
	struct log_fields f = { "probe_failed", step, attempt, -1, -1 };
	char host[256], port[8], err[256], addr[sizeof(host)];
	int rc, last = 0;
	int64_t end = now_ms() + timeout_ms;

	if (parse_host_port(target, host, sizeof(host), port, sizeof(port), err, sizeof(err))) {
		log_event(LOG_WARN, &f, "step %s: %s", step, err);
		return 2;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	rc = getaddrinfo(host, port, &hints, &res);
	if (rc != 0) {
		log_event(LOG_WARN, &f, "step %s: cannot resolve '%s': %s", step, host,
			  rc == EAI_SYSTEM ? error_text(errno) : gai_strerror(rc));
		return 1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		last = connect_one(ai, end - now_ms());
		if (last == 0)
			break;
		if (!numeric_addr(ai->ai_addr, addr, sizeof(addr)))
			str_format(addr, sizeof(addr), "%s", host);
		log_event(LOG_INFO, &f, "step %s: connect to %s port %s: %s", step, addr, port,
			  error_text(last));
	}
	freeaddrinfo(res);
	if (last == ETIMEDOUT)
		return EXIT_TIMEOUT; /* the attempt's time ran out: a timeout, not a refusal */
	return last == 0 ? 0 : 1;
}

int probe_file(const char *path, char *err, size_t len)
{
	struct stat st;

	if (stat(path, &st) == 0)
		return 0;
	str_format(err, len, "%s: %s", path, error_text(errno));
	return -1;
}
