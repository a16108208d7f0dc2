/* The probe engine (probe.h): one attempt of each kind, and probe_run.
 * Everything here can block, so it runs in a child. The syntax is parsed
 * by probe_syntax.c. */
#include "probe.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "format.h"
#include "http.h"
#include "parse.h"
#include "util.h"

/* --- one attempt ------------------------------------------------------ */

/* Waits for events on fd until end; 0 when ready, else ETIMEDOUT or errno. */
static int wait_fd(int fd, short events, int64_t end)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	int64_t left;
	int rc;

	do {
		left = end - now_ms();
		if (left <= 0)
			return ETIMEDOUT;
		rc = poll(&pfd, 1, left > 60000 ? 60000 : (int)left);
	} while (rc == 0 || (rc == -1 && errno == EINTR));
	return rc == -1 ? errno : 0;
}

/* A non-blocking connect bounded by end: 0 with the socket in *fd, else
 * an errno (ETIMEDOUT when the time ran out). */
static int connect_sa(const struct sockaddr *sa, socklen_t len, int64_t end, int *fd)
{
	socklen_t elen = sizeof(int);
	int soerr = 0;

	*fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (*fd == -1)
		return errno;
	if (connect(*fd, sa, len) == 0)
		return 0;
	soerr = errno == EINPROGRESS ? wait_fd(*fd, POLLOUT, end) : errno;
	if (!soerr && getsockopt(*fd, SOL_SOCKET, SO_ERROR, &soerr, &elen) == -1)
		soerr = errno;
	if (soerr) {
		close(*fd);
		*fd = -1;
	}
	return soerr;
}

/* The reason in why; a failure counts as a timeout when the attempt's
 * time is gone. */
static enum probe_result failed(int64_t end, char *why, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static enum probe_result failed(int64_t end, char *why, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	str_vformat(why, PROBE_WHY_MAX, fmt, ap);
	va_end(ap);
	return now_ms() >= end ? PROBE_TIMEOUT : PROBE_FAILED;
}

/* Resolves p's host afresh and connects to its addresses in turn: the
 * first that accepts gives *fd. */
static enum probe_result connect_host(const struct probe *p, int64_t end, int *fd, char *why)
{
	union resolve_addr addrs[RESOLVE_MAX_ADDRS];
	char err[RESOLVE_ERR_MAX], a[RESOLVE_ADDR_TEXT];
	int n = resolve_host(p->host, p->port, addrs, end, err), e = 0;

	if (n < 0)
		return failed(end, why, "cannot resolve '%s': %s", p->host, err);
	for (int i = 0; i < n; i++) {
		e = connect_sa(&addrs[i].sa, resolve_addr_len(&addrs[i]), end, fd);
		if (!e)
			return PROBE_OK;
		str_format(why, PROBE_WHY_MAX, "connect to %s port %d: %s%s", format_addr(&addrs[i], a),
			   p->port, error_text(e), n > 1 ? " (and every other address)" : "");
		if (e == ETIMEDOUT)
			break;
	}
	return e == ETIMEDOUT ? PROBE_TIMEOUT : PROBE_FAILED;
}

/* Sends the request and reads the reply's head (never the body): a status
 * from 200 to 399 succeeds, as in Kubernetes' httpGet; redirects are not
 * followed. */
static enum probe_result http_exchange(int fd, const struct probe *p, int64_t end, char *why)
{
	char req[sizeof(p->path) + sizeof(p->host_header) + 128], buf[HTTP_HEAD_MAX];
	size_t n = http_request(req, sizeof(req), p->host_header, p->path), sent = 0, got = 0;
	struct http_reply r;
	ssize_t k;
	int e = 0;

	while (sent < n && !(e = wait_fd(fd, POLLOUT, end))) {
		k = send(fd, req + sent, n - sent, MSG_NOSIGNAL);
		if (k < 0 && errno != EAGAIN && errno != EINTR)
			return failed(end, why, "GET %s: cannot send the request: %s", p->path,
				      error_text(errno));
		sent += k > 0 ? (size_t)k : 0;
	}
	for (enum http_parse st = HTTP_MORE; !e; got += (size_t)k) {
		st = http_parse(buf, got, &r);
		if (st == HTTP_BAD)
			return failed(end, why, "GET %s: %s", p->path, r.why);
		if (st == HTTP_DONE) {
			if (r.status >= 200 && r.status < 400)
				return PROBE_OK;
			str_format(why, PROBE_WHY_MAX, "GET %s: HTTP %d%s%s", p->path, r.status,
				   r.reason[0] ? " " : "", r.reason);
			return PROBE_FAILED;
		}
		if ((e = wait_fd(fd, POLLIN, end)))
			break;
		k = read(fd, buf + got, sizeof(buf) - got);
		if (k == 0)
			return failed(end, why, "GET %s: %s", p->path,
				      got ? "the server closed the connection before the reply's head ended"
					  : "the server closed the connection without a reply");
		if (k < 0 && errno != EAGAIN && errno != EINTR)
			return failed(end, why, "GET %s: %s", p->path, error_text(errno));
		k = k < 0 ? 0 : k;
	}
	str_format(why, PROBE_WHY_MAX, "GET %s: %s", p->path,
		   e != ETIMEDOUT ? error_text(e) : got ? "the reply did not end in time" : "no reply in time");
	return e == ETIMEDOUT ? PROBE_TIMEOUT : PROBE_FAILED;
}

static enum probe_result attempt_unix(const struct probe *p, int64_t end, char *why)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, e;

	memcpy(sa.sun_path, p->path, strlen(p->path) + 1); /* probe_parse checked the length */
	e = connect_sa((struct sockaddr *)&sa, sizeof(sa), end, &fd);
	if (!e) {
		close(fd);
		return PROBE_OK;
	}
	str_format(why, PROBE_WHY_MAX, "connect to %s: %s", p->path,
		   e == EAGAIN ? "the listener's queue is full" : error_text(e));
	return e == ETIMEDOUT ? PROBE_TIMEOUT : PROBE_FAILED;
}

enum probe_result probe_attempt(const struct probe *p, int64_t timeout_ms, char *why)
{
	union resolve_addr addrs[RESOLVE_MAX_ADDRS];
	char err[RESOLVE_ERR_MAX];
	int64_t end = now_ms() + timeout_ms;
	enum probe_result r;
	struct stat st;
	int fd = -1;

	why[0] = '\0';
	switch (p->kind) {
	case PROBE_TCP:
	case PROBE_HTTP:
		r = connect_host(p, end, &fd, why);
		if (r == PROBE_OK && p->kind == PROBE_HTTP)
			r = http_exchange(fd, p, end, why);
		if (fd >= 0)
			close(fd);
		return r;
	case PROBE_UNIX:
		return attempt_unix(p, end, why);
	case PROBE_DNS:
		if (resolve_host(p->host, 0, addrs, end, err) >= 1)
			return PROBE_OK;
		return failed(end, why, "cannot resolve '%s': %s", p->host, err);
	case PROBE_FILE:
		if (stat(p->path, &st) == 0)
			return PROBE_OK;
		return failed(end, why, "%s: %s", p->path, error_text(errno));
	}
	return PROBE_FAILED;
}

int64_t probe_child_timeout(int64_t timeout_ms)
{
	int64_t margin = timeout_ms / 5;

	return timeout_ms - (margin > 500 ? 500 : margin);
}

/* The child of probe_run: one attempt, its result and reason down the pipe. */
static void run_child(const struct probe *p, int64_t timeout_ms, int fd)
{
	char msg[PROBE_WHY_MAX + 1];

	msg[0] = (char)probe_attempt(p, probe_child_timeout(timeout_ms), msg + 1);
	if (write(fd, msg, 1 + strlen(msg + 1)) < 0)
		_exit(1);
	_exit(0);
}

/* Reads the child's report until EOF or end; its length, -1 when the time ran out. */
static ssize_t read_report(int fd, char *msg, size_t cap, int64_t end)
{
	size_t got = 0;
	ssize_t k = 1;

	while (k > 0 && got < cap) {
		if (wait_fd(fd, POLLIN, end))
			return -1;
		k = read(fd, msg + got, cap - got);
		if (k < 0 && errno == EINTR)
			k = 1;
		else if (k > 0)
			got += (size_t)k;
	}
	return (ssize_t)got;
}

enum probe_result probe_run(const struct probe *p, int64_t timeout_ms, char *why)
{
	char msg[PROBE_WHY_MAX + 1], t[32];
	int fds[2], status;
	ssize_t got;
	pid_t pid;

	/* The system calls, as in spawn.c: musl's pipe2 and fork would add
	 * 2 KiB of fallbacks and atfork locking that one thread never needs. */
	if (syscall(SYS_pipe2, fds, O_CLOEXEC) == -1 || (pid = _Fork()) == -1) {
		str_format(why, PROBE_WHY_MAX, "cannot start the probe: %s", error_text(errno));
		return PROBE_FAILED;
	}
	if (pid == 0) {
		close(fds[0]);
		run_child(p, timeout_ms, fds[1]);
	}
	close(fds[1]);
	got = read_report(fds[0], msg, sizeof(msg) - 1, now_ms() + timeout_ms);
	close(fds[0]);
	if (got < 0)
		kill(pid, SIGKILL); /* stuck where no timeout reaches: a hung mount */
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	if (got <= 0 || (unsigned char)msg[0] > PROBE_TIMEOUT) { /* PROBE_OK is 0 */
		format_duration(timeout_ms, t, sizeof(t));
		str_format(why, PROBE_WHY_MAX, "no result in %s", t);
		return got < 0 ? PROBE_TIMEOUT : PROBE_FAILED;
	}
	msg[got] = '\0';
	memcpy(why, msg + 1, (size_t)got);
	return (enum probe_result)(unsigned char)msg[0];
}
