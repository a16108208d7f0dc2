/* Host name -> addresses: numeric literals, /etc/hosts, DNS over UDP.
 *
 * Deliberately small (it replaces libc's getaddrinfo in the static binary):
 * - IPv4 addresses come first, then IPv6 (A answers, then AAAA answers, each
 *   in answer order); probe.c tries them all in that order.
 * - Each name is asked for A, then AAAA, one query at a time, from one
 *   nameserver at a time, through a connect()ed UDP socket (the kernel drops
 *   datagrams from anyone else), with a random id. A reply counts only if
 *   id, flags and question match our query.
 * - No names are followed: the A/AAAA records of the answer section are
 *   collected whatever their owner, which covers CNAME chains. Owner names
 *   are skipped, never expanded, so a compression pointer is never
 *   followed (no pointer loops to guard against).
 * - A truncated (TC) reply is used for the records it holds; there is no
 *   TCP fallback (musl 1.2.3 has none either). A/AAAA answers fit.
 * - IPv6 scope ids (fe80::1%eth0) are not supported. */
#include "resolve.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "format.h"
#include "parse.h"
#include "util.h"

#define WS " \t\r\n"
#define LINE_MAX_LEN 1024
#define UDP_MAX 512 /* RFC 1035 UDP payload; no EDNS */

socklen_t resolve_addr_len(const union resolve_addr *a)
{
	return a->sa.sa_family == AF_INET6 ? sizeof(a->in6) : sizeof(a->in);
}

/* Fills out from raw network-order address bytes (4 or 16) and a port. The
 * port sits at the same offset in sockaddr_in and sockaddr_in6. */
static void set_addr(union resolve_addr *out, int family, const uint8_t *raw, int port)
{
	memset(out, 0, sizeof(*out));
	out->sa.sa_family = (sa_family_t)family;
	((uint8_t *)&out->in.sin_port)[0] = (uint8_t)(port >> 8); /* htons, inline */
	((uint8_t *)&out->in.sin_port)[1] = (uint8_t)port;
	if (family == AF_INET)
		memcpy(&out->in.sin_addr, raw, 4);
	else
		memcpy(&out->in6.sin6_addr, raw, 16);
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

	if (s[0] == ':' && s[1] == ':') {
		gap = 0;
		s += 2;
	}
	while (*s) {
		if (n == 16)
			return false;
		for (v = 0, p = s; p - s < 4 && (d = hex_value(*p)) >= 0; p++)
			v = v << 4 | (unsigned)d;
		if (*p == '.') {
			if (n > 12 || !parse_v4(s, raw + n))
				return false;
			n += 4;
			break;
		}
		if (p == s)
			return false;
		raw[n++] = (uint8_t)(v >> 8);
		raw[n++] = (uint8_t)v;
		if (*p == ':' && *++p == ':') {
			if (gap >= 0)
				return false;
			gap = n;
			p++;
		} else if (p[-1] == ':' ? !*p : *p != '\0') {
			return false; /* a trailing ':', or junk after the group */
		}
		s = p;
	}
	if (gap < 0)
		return n == 16;
	if (n == 16)
		return false;
	memmove(raw + 16 - (n - gap), raw + gap, (size_t)(n - gap));
	memset(raw + gap, 0, (size_t)(16 - n));
	return true;
}

bool resolve_numeric(const char *text, int port, union resolve_addr *out)
{
	uint8_t raw[16];

	if (parse_v4(text, raw)) {
		set_addr(out, AF_INET, raw, port);
		return true;
	}
	if (parse_v6(text, raw)) {
		set_addr(out, AF_INET6, raw, port);
		return true;
	}
	return false;
}

/* fgets that drops an overlong line whole (buf becomes ""), so its tail is
 * never read as a line of its own. False at the end of the file. (A full
 * buffer without a newline is an overlong line; fgets alone tells, with no
 * feof or getc in the static binary.) */
static bool read_line(FILE *fp, char *buf, int len)
{
	bool drop = false;

	if (!fgets(buf, len, fp))
		return false;
	while ((int)strlen(buf) == len - 1 && buf[len - 2] != '\n') {
		drop = true;
		if (!fgets(buf, len, fp))
			break;
	}
	if (drop)
		buf[0] = '\0';
	return true;
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
	char line[LINE_MAX_LEN], *addr, *h;
	FILE *fp = fopen(path, "re");
	size_t len = name_len(name);
	int n = 0;

	if (!fp)
		return 0;
	while (n < max && read_line(fp, line, sizeof(line))) {
		line[strcspn(line, "#")] = '\0';
		addr = strtok(line, WS);
		while (addr && (h = strtok(NULL, WS)))
			if (str_case_eqn(h, name, len) && !h[len]) {
				n += resolve_numeric(addr, port, &out[n]);
				break;
			}
	}
	fclose(fp);
	return n;
}

/* One "options" word: ndots:N, timeout:N, attempts:N, clamped like musl
 * and glibc; others are ignored. */
static void set_option(struct resolve_conf *c, const char *opt)
{
	static const char *const names[] = { "ndots:", "timeout:", "attempts:" };
	static const uint8_t lo[] = { 0, 1, 1 }, hi[] = { 15, 60, 10 };
	int *field[] = { &c->ndots, &c->timeout_s, &c->attempts };
	unsigned long x;

	for (int i = 0; i < 3; i++) {
		size_t k = strlen(names[i]);

		if (strncmp(opt, names[i], k) != 0 || !isdigit((unsigned char)opt[k]))
			continue;
		if (!scan_ulong(opt + k, ULONG_MAX, &x))
			x = ULONG_MAX; /* too many digits: clamped like any large value */
		*field[i] = x < lo[i] ? lo[i] : x > hi[i] ? hi[i] : (int)x;
	}
}

/* One line of resolv.conf (tokenised with strtok; the first word is in key). */
static void conf_line(struct resolve_conf *c, const char *key)
{
	const char *v;

	if (strcmp(key, "nameserver") == 0) {
		v = strtok(NULL, WS);
		if (v && c->n_ns < RESOLVE_MAX_NS && resolve_numeric(v, 53, &c->ns[c->n_ns]))
			c->n_ns++;
	} else if (strcmp(key, "search") == 0 || strcmp(key, "domain") == 0) {
		c->n_search = 0; /* the last search or domain line wins (as in musl) */
		while ((v = strtok(NULL, WS)) && c->n_search < RESOLVE_MAX_SEARCH)
			if (strlen(v) < RESOLVE_NAME_MAX)
				memcpy(c->search[c->n_search++], v, strlen(v) + 1);
	} else if (strcmp(key, "options") == 0) {
		while ((v = strtok(NULL, WS)))
			set_option(c, v);
	}
}

int resolve_conf_read(const char *path, struct resolve_conf *c, char *err)
{
	static const uint8_t loopback[4] = { 127, 0, 0, 1 };
	char line[LINE_MAX_LEN], *key;
	FILE *fp = fopen(path, "re");
	bool bad;

	memset(c, 0, sizeof(*c));
	c->ndots = 1;
	c->timeout_s = 5;
	c->attempts = 2;
	if (fp) {
		while (read_line(fp, line, sizeof(line)))
			if ((key = strtok(line, WS)))
				conf_line(c, key);
		bad = ferror(fp);
		fclose(fp);
	} else {
		bad = errno != ENOENT;
	}
	if (bad) {
		str_format(err, RESOLVE_ERR_MAX, "cannot read %s: %s", path, error_text(errno));
		return -1;
	}
	if (!c->n_ns) {
		set_addr(&c->ns[0], AF_INET, loopback, 53);
		c->n_ns = 1;
	}
	return 0;
}

bool resolve_candidate(const struct resolve_conf *c, const char *name, int i, char *buf,
		       size_t len)
{
	size_t n = strlen(name);
	int dots = 0, n_search = c->n_search, as_is;
	const char *dom;

	for (const char *p = name; *p; p++)
		dots += *p == '.';
	if (n && name[n - 1] == '.')
		n_search = 0; /* absolute */
	as_is = dots >= c->ndots ? 0 : n_search; /* the name itself first, or last */
	if (i < 0 || i > n_search)
		return false;
	dom = i == as_is ? NULL : c->search[i - (i > as_is)];
	if ((size_t)str_format(buf, len, "%s%s%s", name, dom ? "." : "", dom ? dom : "") >= len)
		buf[0] = '\0';
	return true;
}

size_t resolve_query(uint8_t *buf, size_t len, const char *name, int type, uint16_t id)
{
	size_t n = strlen(name), start = 0;

	if (n && name[n - 1] == '.')
		n--;
	if (n == 0 || n > 253 || len < n + 18)
		return 0;
	memset(buf, 0, 12);
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
	buf[13 + n] = 0;
	buf[14 + n] = 0;
	buf[15 + n] = (uint8_t)type;
	buf[16 + n] = 0;
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
	unsigned type = q[qlen - 3], rcode, count, rtype, rclass, rdlen;
	unsigned want = type == RESOLVE_A ? 4 : 16;
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
		rtype = (unsigned)p[off] << 8 | p[off + 1];
		rclass = (unsigned)p[off + 2] << 8 | p[off + 3];
		rdlen = (unsigned)p[off + 8] << 8 | p[off + 9];
		off += 10;
		if (rdlen > len - off)
			break;
		if (rtype == type && rclass == 1 && rdlen == want)
			set_addr(&out[(*n)++], want == 4 ? AF_INET : AF_INET6, p + off, port);
		off += rdlen;
	}
	return REPLY_NAME;
}

/* Sends query q to one nameserver and waits for its reply until end. 0
 * when it came (its addresses added to out[*n..]), else ETIMEDOUT, EPROTO
 * (the server failed), or a socket errno (ECONNREFUSED: no server there). */
static int ask_server(const union resolve_addr *ns, const uint8_t *q, size_t qlen, int port,
		      union resolve_addr *out, int *n, int64_t end)
{
	struct pollfd pfd = { .events = POLLIN };
	enum resolve_reply st = REPLY_IGNORE;
	uint8_t buf[UDP_MAX];
	int64_t left;
	ssize_t got;
	int rc = 0;

	pfd.fd = socket(ns->sa.sa_family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (pfd.fd == -1)
		return errno;
	if (connect(pfd.fd, &ns->sa, resolve_addr_len(ns)) == -1 || write(pfd.fd, q, qlen) < 0)
		rc = errno;
	while (!rc && st == REPLY_IGNORE) {
		left = end - now_ms(); /* at most timeout:60 s */
		if (left <= 0) {
			rc = ETIMEDOUT;
			break;
		}
		got = poll(&pfd, 1, (int)left) == -1 ? -1 : read(pfd.fd, buf, sizeof(buf));
		if (got > 0)
			st = resolve_parse(buf, (size_t)got, q, qlen, port, out, RESOLVE_MAX_ADDRS, n);
		else if (got < 0 && errno != EAGAIN && errno != EINTR)
			rc = errno;
	}
	close(pfd.fd);
	return rc ? rc : st == REPLY_FAIL ? EPROTO : 0;
}

/* Tries the nameservers in order, each for timeout_s, attempts times over,
 * never past deadline. 0 when one answered, else the last failure. */
static int ask_servers(const struct resolve_conf *c, const uint8_t *q, size_t qlen, int port,
		       union resolve_addr *out, int *n, int64_t deadline)
{
	int rc = ETIMEDOUT;

	for (int a = 0; a < c->attempts; a++)
		for (int s = 0; s < c->n_ns; s++) {
			int64_t now = now_ms(), end = now + c->timeout_s * 1000LL;

			if (now >= deadline)
				return ETIMEDOUT;
			rc = ask_server(&c->ns[s], q, qlen, port, out, n, end < deadline ? end : deadline);
			if (rc == 0)
				return 0;
		}
	return rc;
}

int resolve_dns(const struct resolve_conf *c, const char *name, int port, union resolve_addr *out,
		int64_t deadline, char *err)
{
	uint16_t ids[2 * (RESOLVE_MAX_SEARCH + 1)];
	uint8_t q[RESOLVE_NAME_MAX + 18];
	char cand[RESOLVE_NAME_MAX];
	const char *why = "no such host";
	size_t qlen;
	int rc = 0, n = 0;

	/* Unguessable ids. getrandom blocks only until the kernel's pool is
	 * ready at boot; the attempt's timeout bounds even that. */
	if (getrandom(ids, sizeof(ids), 0) != (ssize_t)sizeof(ids)) {
		why = "no random source for query ids";
		goto fail;
	}
	for (int i = 0; resolve_candidate(c, name, i, cand, sizeof(cand)); i++) {
		for (int t = 0; t < 2; t++) {
			qlen = resolve_query(q, sizeof(q), cand, t ? RESOLVE_AAAA : RESOLVE_A, ids[2 * i + t]);
			rc = qlen ? ask_servers(c, q, qlen, port, out, &n, deadline) : 0;
			if (rc == EPROTO) /* like glibc: another search domain may work */
				why = "nameservers failed (SERVFAIL or REFUSED)";
			else if (rc && !n)
				goto fail;
		}
		if (n)
			return n;
	}
	rc = 0;
fail:
	if (rc == ETIMEDOUT)
		why = "no answer from nameservers (timeout)";
	else if (rc)
		why = error_text(rc);
	str_format(err, RESOLVE_ERR_MAX, "%s%s", rc && rc != ETIMEDOUT ? "cannot ask nameservers: " : "",
		   why);
	return -1;
}

int resolve_host_in(const char *resolv_conf, const char *hosts, const char *host, int port,
		    union resolve_addr *out, int64_t deadline, char *err)
{
	struct resolve_conf c;
	int got;

	if (resolve_numeric(host, port, out))
		return 1;
	got = resolve_hosts(hosts, host, port, out, RESOLVE_MAX_ADDRS);
	if (got)
		return got;
	if (name_len(host) == 9 && str_case_eqn(host, "localhost", 9)) {
		/* what users expect where /etc/hosts lacks it */
		resolve_numeric("127.0.0.1", port, &out[0]);
		resolve_numeric("::1", port, &out[1]);
		return 2;
	}
	if (resolve_conf_read(resolv_conf, &c, err) == -1)
		return -1;
	return resolve_dns(&c, host, port, out, deadline, err);
}

int resolve_host(const char *host, int port, union resolve_addr *out, int64_t deadline, char *err)
{
	return resolve_host_in("/etc/resolv.conf", "/etc/hosts", host, port, out, deadline, err);
}

/* Decimal digits of a byte. */
static char *put_dec(char *o, unsigned v)
{
	if (v >= 100)
		*o++ = (char)('0' + v / 100);
	if (v >= 10)
		*o++ = (char)('0' + v / 10 % 10);
	*o++ = (char)('0' + v % 10);
	return o;
}

/* Lower-case hex digits of v without leading zeros. */
static char *put_hex(char *o, unsigned v)
{
	int s = 12;

	while (s > 0 && !(v >> s))
		s -= 4;
	for (; s >= 0; s -= 4)
		*o++ = "0123456789abcdef"[(v >> s) & 15];
	return o;
}

static char *put_v4(char *o, const uint8_t *b)
{
	for (int i = 0; i < 4; i++) {
		if (i)
			*o++ = '.';
		o = put_dec(o, b[i]);
	}
	return o;
}

/* RFC 5952: the longest run (>= 2, the first of equals) of zero groups
 * becomes "::"; ::ffff:a.b.c.d for IPv4-mapped addresses. */
static char *put_v6(char *o, const uint8_t *b)
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };
	unsigned g[8];
	int best = -1, blen = 1, i, j;
	const uint8_t *p = b;

	if (memcmp(b, mapped, 12) == 0) {
		memcpy(o, "::ffff:", 7);
		return put_v4(o + 7, b + 12);
	}
	for (i = 0; i < 8; i++, p += 2)
		g[i] = (unsigned)p[0] << 8 | p[1];
	for (i = 0; i < 8; i++) {
		for (j = i; j < 8 && !g[j]; j++)
			;
		if (j - i > blen) {
			best = i;
			blen = j - i;
		}
	}
	for (i = 0; i < 8;) {
		if (i == best) {
			*o++ = ':';
			*o++ = ':';
			i += blen;
			continue;
		}
		if (i && i != best + blen)
			*o++ = ':';
		o = put_hex(o, g[i++]);
	}
	return o;
}

const char *format_addr(const union resolve_addr *a, char *buf)
{
	char *end = a->sa.sa_family == AF_INET6 ?
			    put_v6(buf, a->in6.sin6_addr.s6_addr) :
			    put_v4(buf, (const uint8_t *)&a->in.sin_addr.s_addr);

	*end = '\0';
	return buf;
}
