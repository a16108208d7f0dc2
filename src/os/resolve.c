/* Host name -> addresses: numeric literals, /etc/hosts, DNS over UDP.
 *
 * Deliberately small (it replaces libc's getaddrinfo in the static binary):
 * - IPv4 addresses come first, then IPv6 (A answers, then AAAA answers, each
 *   in answer order); probe.c tries them all in that order.
 * - Each name is asked for A and AAAA at once (two queries in flight on one
 *   connect()ed UDP socket per nameserver: the kernel drops datagrams from
 *   anyone else), each with a random id. A reply counts only if id, flags
 *   and question match a query. The nameservers are asked in turn, in time
 *   slices that fit the caller's deadline (exchange_run), and one asked
 *   earlier may still answer after the next was asked.
 * - At most RESOLVE_MAX_ADDRS addresses per family are kept, and a reply is
 *   read up to RESOLVE_UDP_MAX bytes.
 * - No names are followed: the A/AAAA records of the answer section are
 *   collected whatever their owner, which covers CNAME chains. Owner names
 *   are skipped, never expanded, so a compression pointer is never
 *   followed (no pointer loops to guard against).
 * - A truncated (TC) reply is used for the records it holds; there is no
 *   TCP fallback (musl 1.2.3 has none either). A/AAAA answers fit.
 * - IPv6 scope ids (fe80::1%eth0) are not supported. */
#include "resolve.h"

#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "format.h"
#include "lines.h"
#include "parse.h"
#include "util.h"

#define WS " \t\r\n"
#define LINE_MAX_LEN 1024

static const uint8_t loopback4[4] = { 127, 0, 0, 1 }, loopback6[16] = { [15] = 1 };

socklen_t resolve_addr_len(const union resolve_addr *a)
{
	return a->sa.sa_family == AF_INET6 ? sizeof(a->in6) : sizeof(a->in);
}

/* Fills out from a raw network-order address of len bytes (4: IPv4, 16:
 * IPv6) and a port, which sits at the same offset in both families. */
static void set_addr(union resolve_addr *out, const uint8_t *raw, int len, int port)
{
	memset(out, 0, sizeof(*out));
	out->sa.sa_family = len == 4 ? AF_INET : AF_INET6;
	((uint8_t *)&out->in.sin_port)[0] = (uint8_t)(port >> 8); /* htons, inline */
	((uint8_t *)&out->in.sin_port)[1] = (uint8_t)port;
	memcpy(len == 4 ? (void *)&out->in.sin_addr : (void *)&out->in6.sin6_addr, raw, (size_t)len);
}

/* A dotted quad as inet_pton takes it: four decimal parts 0-255 with no
 * leading zeros, nothing around them. */
static bool parse_v4(const char *s, uint8_t *raw)
{
	unsigned long v;
	const char *end;

	for (int i = 0; i < 4; i++, s = end + 1) {
		end = scan_ulong(s, 255, &v);
		if (!end || (*s == '0' && end - s > 1) || *end != (i < 3 ? '.' : '\0'))
			return false;
		raw[i] = (uint8_t)v;
	}
	return true;
}

/* The value of a hex digit, or -1. */
static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* IPv6 text as inet_pton takes it: groups of 1-4 hex digits split by ':',
 * one "::" standing for at least one zero group, and optionally a dotted
 * quad as the last 32 bits. */
static bool parse_v6(const char *s, uint8_t *raw)
{
	int n = 0, gap = -1, d;
	unsigned v;
	const char *p;

	if (*s == ':' && *++s != ':')
		return false; /* a leading ':' only as "::" (s is at its second ':') */
	for (; *s; s = p) {
		if (*s == ':') { /* the second ':' of "::" */
			if (gap >= 0)
				return false;
			gap = n;
			p = s + 1;
			continue;
		}
		for (v = 0, p = s; p - s < 4 && (d = hex_value(*p)) >= 0; p++)
			v = v << 4 | (unsigned)d;
		if (*p == '.') {
			if (n > 12 || !parse_v4(s, raw + n))
				return false;
			n += 4;
			break;
		}
		if (p == s || n == 16)
			return false;
		raw[n++] = (uint8_t)(v >> 8);
		raw[n++] = (uint8_t)v;
		if (*p == ':' ? !*++p : *p != '\0')
			return false; /* a trailing ':', or junk after the group */
	}
	if (gap < 0 || n == 16)
		return gap < 0 && n == 16;
	for (int i = n - 1; i >= gap; i--) /* the groups after "::" to the end */
		raw[i + 16 - n] = raw[i];
	memset(raw + gap, 0, (size_t)(16 - n));
	return true;
}

bool resolve_numeric(const char *text, int port, union resolve_addr *out)
{
	uint8_t raw[16];
	int len = parse_v4(text, raw) ? 4 : parse_v6(text, raw) ? 16 : 0;

	if (len)
		set_addr(out, raw, len, port);
	return len != 0;
}

/* The next line of r shorter than LINE_MAX_LEN bytes: a longer one is
 * skipped whole (no name or nameserver needs one; musl's resolver skips
 * the resolv.conf lines its buffer cannot hold too). 1, 0 at the end, -1
 * with errno (lines_next). */
static int next_line(struct lines *r, char **line)
{
	int rc;

	do
		rc = lines_next(r, line);
	while (rc == 1 && strlen(*line) >= LINE_MAX_LEN);
	return rc;
}

/* The length of name without one trailing dot: "db." is "db" in the hosts
 * file (an absolute name). */
static size_t name_len(const char *name)
{
	size_t n = strlen(name);

	return n && name[n - 1] == '.' ? n - 1 : n;
}

int resolve_hosts(const char *path, const char *name, int port, union resolve_addr *out, int max)
{
	struct lines r;
	char *line, *addr, *h;
	size_t len = name_len(name);
	int n = 0;

	/* A file that cannot be read, or the rest of one, holds no names. */
	if (lines_open(&r, path) == -1)
		return 0;
	while (n < max && next_line(&r, &line) == 1) {
		line[strcspn(line, "#")] = '\0';
		addr = str_token(&line, WS);
		while (addr && (h = str_token(&line, WS)))
			if (str_case_eqn(h, name, len) && !h[len]) {
				n += resolve_numeric(addr, port, &out[n]);
				break;
			}
	}
	lines_close(&r);
	return n;
}

/* One "options" word: ndots:N, timeout:N, attempts:N, clamped like musl
 * and glibc (ndots to 0-15, timeout to 1-60, attempts to 1-10); others
 * are ignored. */
static void set_option(struct resolve_conf *c, const char *opt)
{
	static const char names[][10] = { "ndots:", "timeout:", "attempts:" };
	static const uint8_t hi[] = { 15, 60, 10 };
	unsigned long x;

	for (int i = 0; i < 3; i++) {
		const char *v = opt + strlen(names[i]);

		if (!str_starts(opt, names[i]) || !isdigit((unsigned char)*v))
			continue;
		if (!scan_ulong(v, hi[i], &x))
			x = hi[i]; /* larger, however many digits */
		c->opt[i] = x || !i ? (int)x : 1;
	}
}

/* One line of resolv.conf: its first word is key, the others follow in
 * *rest (str_token). */
static void conf_line(struct resolve_conf *c, const char *key, char **rest)
{
	const char *v;

	if (strcmp(key, "nameserver") == 0) {
		v = str_token(rest, WS);
		if (v && c->n_ns < RESOLVE_MAX_NS && resolve_numeric(v, 53, &c->ns[c->n_ns]))
			c->n_ns++;
	} else if (strcmp(key, "search") == 0 || strcmp(key, "domain") == 0) {
		c->n_search = 0; /* the last search or domain line wins (as in musl) */
		while ((v = str_token(rest, WS)) && c->n_search < RESOLVE_MAX_SEARCH)
			if (strlen(v) < RESOLVE_NAME_MAX)
				memcpy(c->search[c->n_search++], v, strlen(v) + 1);
	} else if (strcmp(key, "options") == 0) {
		while ((v = str_token(rest, WS)))
			set_option(c, v);
	}
}

int resolve_conf_read(const char *path, struct resolve_conf *c, char *err)
{
	struct lines r;
	char *line, *key;
	int e = 0, rc;

	memset(c, 0, sizeof(*c));
	c->ndots = 1;
	c->timeout_s = 5;
	c->attempts = 2;
	if (lines_open(&r, path) == 0) {
		while ((rc = next_line(&r, &line)) == 1)
			if ((key = str_token(&line, WS)))
				conf_line(c, key, &line);
		if (rc == -1)
			e = errno;
		lines_close(&r);
	} else if (errno != ENOENT) {
		e = errno;
	}
	if (e) {
		str_format(err, RESOLVE_ERR_MAX, "cannot read %s: %s", path, error_text(e));
		return -1;
	}
	if (!c->n_ns) {
		set_addr(&c->ns[0], loopback4, 4, 53);
		c->n_ns = 1;
		c->no_ns = true;
	}
	return 0;
}

bool resolve_candidate(const struct resolve_conf *c, const char *name, int i, char *buf,
		       size_t len)
{
	size_t n = strlen(name);
	int dots = 0, n_search = n && name[n - 1] == '.' ? 0 : c->n_search; /* absolute: as is */
	const char *dot = "", *dom = "";

	for (const char *p = name; *p; p++)
		dots += *p == '.';
	if (i < 0 || i > n_search)
		return false;
	/* The search domains in order; the name itself before them (i
	 * becomes -1) when it has ndots dots, else after them (n_search). */
	i -= dots >= c->ndots;
	if (i >= 0 && i < n_search) {
		dot = ".";
		dom = c->search[i];
	}
	if ((size_t)str_format(buf, len, "%s%s%s", name, dot, dom) >= len)
		buf[0] = '\0';
	return true;
}

size_t resolve_query(uint8_t *buf, size_t len, const char *name, int type, uint16_t id)
{
	size_t n = name_len(name), start = 0;

	if (n == 0 || n > 253 || len < n + 18)
		return 0;
	memset(buf, 0, n + 18);
	buf[0] = (uint8_t)(id >> 8);
	buf[1] = (uint8_t)id;
	buf[2] = 1; /* RD: recursion desired */
	buf[5] = 1; /* one question */
	/* "a.bc" -> 1 'a' 2 'b' 'c' 0: each dot becomes the next label's length */
	for (size_t i = 0; i <= n; i++) {
		if (i < n && name[i] != '.') {
			buf[13 + i] = (uint8_t)name[i];
			continue;
		}
		if (i == start || i - start > 63)
			return 0;
		buf[12 + start] = (uint8_t)(i - start);
		start = i + 1;
	}
	buf[15 + n] = (uint8_t)type;
	buf[17 + n] = 1; /* class IN */
	return n + 18;
}

/* The offset after the name at off, or 0 when it runs out of the packet.
 * A compression pointer ends a name; it is not followed. */
static size_t skip_name(const uint8_t *p, size_t len, size_t off)
{
	while (off < len) {
		if (p[off] >= 0xc0)
			return off + 2 <= len ? off + 2 : 0;
		if (p[off] > 63)
			return 0; /* the reserved label types */
		if (p[off] == 0)
			return off + 1;
		off += p[off] + 1u;
	}
	return 0;
}

/* True when pkt is a reply to query: same id, QR set, opcode 0, and the
 * same single question (the name case-insensitively). */
static bool is_reply_to(const uint8_t *p, size_t len, const uint8_t *q, size_t qlen)
{
	if (len < qlen || p[0] != q[0] || p[1] != q[1] || !(p[2] & 0x80) || (p[2] & 0x78) ||
	    p[4] != 0 || p[5] != 1)
		return false;
	/* The name up to its final 0 (the query's only 0 byte there; length
	 * bytes are < 64, never letters), then type and class exactly. */
	return str_case_eqn((const char *)p + 12, (const char *)q + 12, qlen - 16) &&
	       memcmp(p + qlen - 4, q + qlen - 4, 4) == 0;
}

enum resolve_reply resolve_parse(const uint8_t *p, size_t len, const uint8_t *q, size_t qlen,
				 int port, union resolve_addr *out, int max, int *n)
{
	unsigned want = q[qlen - 3] == RESOLVE_A ? 4 : 16, rcode, count, rdlen;
	bool ours;
	size_t off = qlen;

	if (!is_reply_to(p, len, q, qlen))
		return REPLY_IGNORE;
	rcode = p[3] & 15;
	if (rcode == 3)
		return REPLY_NAME; /* NXDOMAIN */
	if (rcode != 0)
		return REPLY_FAIL;
	/* Records cut off by the end of the packet (TC) are left out. */
	for (count = (unsigned)p[6] << 8 | p[7]; count > 0 && *n < max; count--) {
		off = skip_name(p, len, off);
		if (!off || len - off < 10)
			break;
		/* type and class as asked (the question's last 4 bytes) */
		ours = memcmp(p + off, q + qlen - 4, 4) == 0;
		rdlen = (unsigned)p[off + 8] << 8 | p[off + 9];
		off += 10;
		if (rdlen > len - off)
			break;
		if (ours && rdlen == want)
			set_addr(&out[(*n)++], p + off, (int)want, port);
		off += rdlen;
	}
	return REPLY_NAME;
}

/* One candidate name being asked: its A and AAAA queries, both in flight
 * at once on one connected socket per nameserver, and what came back. */
struct exchange {
	uint8_t q[2][RESOLVE_NAME_MAX + 18];
	size_t qlen[2];
	bool done[2]; /* answered (with or without addresses) */
	union resolve_addr addr[2][RESOLVE_MAX_ADDRS];
	int n[2];
	int port;
	int fd[RESOLVE_MAX_NS];	      /* -1: not asked yet; -2: dropped */
	int64_t asked_at[RESOLVE_MAX_NS]; /* first query sent there */
	int rcode[RESOLVE_MAX_NS];    /* its last failure rcode, 0 if none */
	int error[RESOLVE_MAX_NS];    /* a socket errno, 0 if none */
	bool replied[RESOLVE_MAX_NS];
	int64_t next_at;	      /* when the next nameserver is asked */
	int current;		      /* the nameserver asked last */
};

static bool exchange_pending(const struct exchange *x)
{
	return !x->done[0] || !x->done[1];
}

/* Nameserver i has failed: when it is the one whose time slice runs, the
 * next is asked at once (a late failure of an earlier one changes nothing,
 * or a burst of them would use up every try). */
static void exchange_failed(struct exchange *x, int i)
{
	if (i == x->current)
		x->next_at = now_ms();
}

/* Stops asking nameserver i after a socket error (ECONNREFUSED: no server
 * there). */
static void exchange_drop(struct exchange *x, int i, int error)
{
	x->error[i] = error;
	if (x->fd[i] >= 0)
		close(x->fd[i]);
	x->fd[i] = -2; /* asked, and gone */
	exchange_failed(x, i);
}

/* Opens the socket to nameserver i (once) and sends it the queries still
 * unanswered. */
static void exchange_send(struct exchange *x, const struct resolve_conf *c, int i)
{
	x->current = i;
	if (x->fd[i] == -2) {
		exchange_failed(x, i);
		return;
	}
	if (x->fd[i] == -1) {
		x->asked_at[i] = now_ms();
		x->fd[i] = socket(c->ns[i].sa.sa_family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		/* Linux takes the union's size for either family */
		if (x->fd[i] == -1 || connect(x->fd[i], &c->ns[i].sa, sizeof(c->ns[i])) == -1) {
			exchange_drop(x, i, errno);
			return;
		}
	}
	for (int t = 0; t < 2; t++)
		if (!x->done[t] && write(x->fd[i], x->q[t], x->qlen[t]) < 0) {
			exchange_drop(x, i, errno);
			return;
		}
}

/* A datagram from nameserver i: an answer to one of the queries, a
 * failure (SERVFAIL, REFUSED: the next nameserver is asked at once), or
 * nothing of ours. */
static void exchange_take(struct exchange *x, int i, const uint8_t *pkt, size_t len)
{
	for (int t = 0; t < 2; t++) {
		enum resolve_reply r;

		if (x->done[t])
			continue;
		r = resolve_parse(pkt, len, x->q[t], x->qlen[t], x->port, x->addr[t],
				  RESOLVE_MAX_ADDRS, &x->n[t]);
		if (r != REPLY_IGNORE)
			x->replied[i] = true;
		if (r == REPLY_NAME)
			x->done[t] = true;
		if (r == REPLY_FAIL) {
			x->rcode[i] = pkt[3] & 15; /* resolve_parse checked the header */
			exchange_failed(x, i);
		}
		if (r != REPLY_IGNORE)
			return;
	}
}

/* Reads what nameserver i has sent; a socket error (ECONNREFUSED: no
 * server there) ends asking it. */
static void exchange_read(struct exchange *x, int i)
{
	uint8_t buf[RESOLVE_UDP_MAX];
	ssize_t got;

	while ((got = read(x->fd[i], buf, sizeof(buf))) >= 0)
		if (got > 0)
			exchange_take(x, i, buf, (size_t)got);
	if (errno != EAGAIN && errno != EINTR)
		exchange_drop(x, i, errno);
}

/* Waits until next (a now_ms() time) for replies from every nameserver
 * asked so far: an earlier one may still answer after the next was asked. */
static void exchange_wait(struct exchange *x, int64_t next)
{
	struct pollfd pfd[RESOLVE_MAX_NS];
	int64_t left = next - now_ms();
	int n = 0, who[RESOLVE_MAX_NS];

	for (int i = 0; i < RESOLVE_MAX_NS; i++)
		if (x->fd[i] >= 0) {
			pfd[n] = (struct pollfd){ .fd = x->fd[i], .events = POLLIN };
			who[n++] = i;
		}
	if (left <= 0 || poll(pfd, (nfds_t)n, left > 60000 ? 60000 : (int)left) <= 0)
		return;
	for (int k = 0; k < n; k++)
		if (pfd[k].revents)
			exchange_read(x, who[k]);
}

/* Asks the nameservers in turn, in time slices that fit what is left
 * before deadline: slice k is timeout:N, or the remaining time shared by
 * the tries left (attempts x nameservers), whichever is shorter. Servers
 * that were slow for an earlier search candidate (slow[]) come last. Once
 * one family has addresses, the other gets RESOLVE_LAG_MS more, so a
 * server that never answers AAAA does not eat the time to connect. */
static void exchange_run(struct exchange *x, const struct resolve_conf *c, bool *slow,
			 int64_t deadline)
{
	int order[RESOLVE_MAX_NS], n = 0, tries = c->attempts * c->n_ns, k = 0;
	int64_t lag_end = INT64_MAX, now;

	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < c->n_ns; i++)
			if (slow[i] == (pass == 1))
				order[n++] = i;
	x->next_at = now_ms();
	while (exchange_pending(x) && (now = now_ms()) < deadline && now < lag_end) {
		if (now >= x->next_at) {
			int64_t slice;

			if (k == tries)
				break; /* the last slice is over */
			slice = (deadline - now) / (tries - k);
			x->next_at = now + (slice < c->timeout_s * 1000LL ? slice : c->timeout_s * 1000LL);
			exchange_send(x, c, order[k++ % c->n_ns]);
			continue;
		}
		exchange_wait(x, lag_end < x->next_at ? lag_end : x->next_at);
		if (lag_end == INT64_MAX && x->n[0] + x->n[1] > 0)
			lag_end = now_ms() + RESOLVE_LAG_MS;
	}
	for (int i = 0; i < c->n_ns; i++)
		slow[i] = slow[i] || (x->fd[i] >= 0 && !x->replied[i]);
}

/* What went wrong with each nameserver asked, "; "-joined, in err. */
static void exchange_why(const struct exchange *x, const struct resolve_conf *c, char *err)
{
	static const char *const rcodes[] = { [1] = "FORMERR", [2] = "SERVFAIL", [4] = "NOTIMP",
					      [5] = "REFUSED" };
	char a[RESOLVE_ADDR_TEXT], one[96];
	size_t len = 0;
	int64_t ms;

	err[0] = '\0';
	for (int i = 0; i < c->n_ns; i++) {
		if (x->fd[i] == -1 && !x->error[i])
			continue; /* never asked */
		format_addr(&c->ns[i], a);
		ms = (now_ms() - x->asked_at[i] + 50) / 100;
		if (x->error[i])
			str_format(one, sizeof(one), "cannot ask %s: %s", a, error_text(x->error[i]));
		else if (x->rcode[i] >= 1 && x->rcode[i] <= 5 && rcodes[x->rcode[i]])
			str_format(one, sizeof(one), "%s answered %s", a, rcodes[x->rcode[i]]);
		else if (x->rcode[i])
			str_format(one, sizeof(one), "%s answered with error code %d", a, x->rcode[i]);
		else
			str_format(one, sizeof(one), "no answer from %s in %lld.%llds", a,
				   (long long)ms / 10, (long long)ms % 10);
		len += (size_t)str_format(err + len, RESOLVE_ERR_MAX - len, "%s%s", len ? "; " : "", one);
		if (len >= RESOLVE_ERR_MAX)
			return;
	}
}

/* Asks for cand (both queries with ids from id) and merges the answer into
 * out, IPv4 first; the count, 0 for none (why in err), or -1 when the
 * name says no such host. */
static int ask_candidate(const struct resolve_conf *c, const char *cand, const uint16_t *id,
			 int port, union resolve_addr *out, bool *slow, int64_t deadline, char *err)
{
	struct exchange x;
	int n = 0;

	memset(&x, 0, sizeof(x));
	x.port = port;
	for (int i = 0; i < RESOLVE_MAX_NS; i++)
		x.fd[i] = -1;
	for (int t = 0; t < 2; t++) {
		x.qlen[t] = resolve_query(x.q[t], sizeof(x.q[t]), cand, t ? RESOLVE_AAAA : RESOLVE_A, id[t]);
		if (!x.qlen[t])
			return -1; /* not a valid DNS name: it cannot exist */
	}
	exchange_run(&x, c, slow, deadline);
	for (int t = 0; t < 2; t++)
		for (int k = 0; k < x.n[t] && n < RESOLVE_MAX_ADDRS; k++)
			out[n++] = x.addr[t][k];
	if (!n)
		exchange_why(&x, c, err);
	for (int i = 0; i < RESOLVE_MAX_NS; i++)
		if (x.fd[i] >= 0)
			close(x.fd[i]);
	return n ? n : exchange_pending(&x) ? 0 : -1;
}

int resolve_dns(const struct resolve_conf *c, const char *name, int port, union resolve_addr *out,
		int64_t deadline, char *err)
{
	uint16_t ids[RESOLVE_MAX_SEARCH + 1][2]; /* A and AAAA of each candidate */
	char cand[RESOLVE_NAME_MAX], why[RESOLVE_ERR_MAX] = "", failed[RESOLVE_NAME_MAX] = "";
	bool slow[RESOLVE_MAX_NS] = { false }, negative = false;
	int n;

	/* Unguessable ids. getrandom blocks only until the kernel's pool is
	 * ready at boot; the attempt's timeout bounds even that. */
	if (getrandom(ids, sizeof(ids), 0) != (ssize_t)sizeof(ids)) {
		str_format(err, RESOLVE_ERR_MAX, "no random source for query ids");
		return -1;
	}
	for (int i = 0; resolve_candidate(c, name, i, cand, sizeof(cand)); i++) {
		n = ask_candidate(c, cand, ids[i], port, out, slow, deadline, err);
		if (n > 0)
			return n;
		if (n < 0) {
			negative = true;
		} else { /* keep the reason: a later candidate may just not exist */
			memcpy(why, err, sizeof(why));
			memcpy(failed, cand, sizeof(failed));
		}
		if (now_ms() >= deadline)
			break;
	}
	if (!why[0])
		str_format(err, RESOLVE_ERR_MAX, "no such host");
	else if (negative)
		str_format(err, RESOLVE_ERR_MAX, "no such host (and for %s: %s)", failed, why);
	else
		str_format(err, RESOLVE_ERR_MAX, "%s", why);
	return -1;
}

int resolve_host_in(const char *resolv_conf, const char *hosts, const char *host, int port,
		    union resolve_addr *out, int64_t deadline, char *err)
{
	struct resolve_conf c;
	int got = resolve_numeric(host, port, out) ? 1 :
			resolve_hosts(hosts, host, port, out, RESOLVE_MAX_ADDRS);

	if (got)
		return got;
	if (name_len(host) == 9 && str_case_eqn(host, "localhost", 9)) {
		/* what users expect where /etc/hosts lacks it */
		set_addr(&out[0], loopback4, 4, port);
		set_addr(&out[1], loopback6, 16, port);
		return 2;
	}
	if (resolve_conf_read(resolv_conf, &c, err) == -1)
		return -1;
	got = resolve_dns(&c, host, port, out, deadline, err);
	if (got < 0 && c.no_ns && strcmp(err, "no such host") != 0) {
		char why[RESOLVE_ERR_MAX];

		memcpy(why, err, sizeof(why));
		str_format(err, RESOLVE_ERR_MAX, "%s names no nameserver (the default, %s)",
			   resolv_conf, why);
	}
	return got;
}

int resolve_host(const char *host, int port, union resolve_addr *out, int64_t deadline, char *err)
{
	return resolve_host_in("/etc/resolv.conf", "/etc/hosts", host, port, out, deadline, err);
}

/* The group i of an IPv6 address. */
static unsigned group(const uint8_t *b, int i)
{
	b += 2 * (size_t)i;
	return (unsigned)b[0] << 8 | b[1];
}

/* IPv6 in RFC 5952 form: the longest run (>= 2, the first of equals) of
 * zero groups becomes "::"; ::ffff:a.b.c.d for IPv4-mapped addresses;
 * lower-case hex without leading zeros. */
const char *format_addr(const union resolve_addr *a, char *buf)
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };
	const uint8_t *b = a->in6.sin6_addr.s6_addr, *v4 = b + 12;
	const char *pre = "::ffff:";
	int best = -1, blen = 1, run = 0, i;
	char *o = buf;

	if (a->sa.sa_family == AF_INET) {
		v4 = (const uint8_t *)&a->in.sin_addr;
		pre = "";
	}
	if (!pre[0] || memcmp(b, mapped, 12) == 0) {
		str_format(buf, RESOLVE_ADDR_TEXT, "%s%u.%u.%u.%u", pre, v4[0], v4[1], v4[2], v4[3]);
		return buf;
	}
	for (i = 0; i < 8; i++) {
		run = group(b, i) ? 0 : run + 1;
		if (run > blen) {
			blen = run;
			best = i + 1 - run;
		}
	}
	/* "1::2" is "1" ":" ":2"; "::" at the end needs its second ':' itself */
	for (i = 0; i < 8; i++) {
		if (i == best) {
			*o++ = ':';
			if (i + blen == 8)
				*o++ = ':';
			i += blen - 1;
		} else {
			o += str_format(o, 6, "%s%x", i ? ":" : "", group(b, i));
		}
	}
	*o = '\0';
	return buf;
}
