/* wait_tcp and wait_file. */
#include "probe.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "format.h"
#include "log.h"
#include "parse.h"
#include "resolve.h"
#include "util.h"

/* One non-blocking connect; 0 when connected, else errno-style reason. */
static int connect_one(const union resolve_addr *a, int64_t timeout_ms)
{
	struct pollfd pfd;
	socklen_t len = sizeof(int);
	int fd, soerr = 0;

	fd = socket(a->sa.sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return errno;
	if (connect(fd, &a->sa, resolve_addr_len(a)) == 0) {
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

int probe_tcp(const char *step, int attempt, const char *target, int64_t timeout_ms)
{
	union resolve_addr addrs[RESOLVE_MAX_ADDRS];
	struct log_fields f = { "probe_failed", step, attempt, -1, -1 };
	char host[256], port[8], err[256], addr[RESOLVE_ADDR_TEXT];
	unsigned long port_num = 0;
	int n, last = 0;
	int64_t end = now_ms() + timeout_ms;

	if (parse_host_port(target, host, sizeof(host), port, sizeof(port), err, sizeof(err))) {
		log_event(LOG_WARN, &f, "step %s: %s", step, err);
		return 2;
	}
	scan_ulong(port, 65535, &port_num); /* parse_host_port checked it */
	n = resolve_host(host, (int)port_num, addrs, end, err);
	if (n < 0) {
		log_event(LOG_WARN, &f, "step %s: cannot resolve '%s': %s", step, host, err);
		return now_ms() >= end ? EXIT_TIMEOUT : 1;
	}
	for (int i = 0; i < n; i++) {
		last = connect_one(&addrs[i], end - now_ms());
		if (last == 0)
			break;
		log_event(LOG_INFO, &f, "step %s: connect to %s port %s: %s", step,
			  format_addr(&addrs[i], addr), port, error_text(last));
	}
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
