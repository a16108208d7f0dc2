/* Host name -> addresses for wait_tcp: numeric literals, /etc/hosts, then a
 * small DNS stub resolver over UDP driven by /etc/resolv.conf (nameservers,
 * search domains, ndots, timeout, attempts). initc's own, so the static
 * binary needs neither NSS nor libc's resolver. */
#ifndef INITC_RESOLVE_H
#define INITC_RESOLVE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define RESOLVE_MAX_NS 3
#define RESOLVE_MAX_SEARCH 6
#define RESOLVE_MAX_ADDRS 64  /* per family, and in all */
#define RESOLVE_NAME_MAX 254  /* a name as text with its NUL: 253 characters */
#define RESOLVE_ADDR_TEXT 48  /* format_addr's buffer */
#define RESOLVE_ERR_MAX 256   /* the err buffer of the functions below */
#define RESOLVE_UDP_MAX 4096  /* a reply is read up to this size (512 without EDNS,
			       * but a server may send more) */
#define RESOLVE_LAG_MS 500    /* once one family has addresses, the other's wait */

/* DNS record types resolve_query asks for. */
enum { RESOLVE_A = 1, RESOLVE_AAAA = 28 };

/* What a reply means for its query (resolve_parse). */
enum resolve_reply {
	REPLY_IGNORE,  /* not a reply to this query: keep waiting */
	REPLY_NAME,    /* an answer: the addresses (maybe none; NXDOMAIN has none) */
	REPLY_FAIL,    /* the server failed (SERVFAIL, REFUSED, ...): ask the next */
};

/* An IPv4 or IPv6 socket address, with its port. */
union resolve_addr {
	struct sockaddr sa;
	struct sockaddr_in in;
	struct sockaddr_in6 in6;
};

/* /etc/resolv.conf, parsed. The nameservers carry their port (53 from the
 * file), so tests can point the resolver at a fake server. no_ns: the file
 * named none, and 127.0.0.1 is asked as musl and glibc do. */
struct resolve_conf {
	union resolve_addr ns[RESOLVE_MAX_NS];
	int n_ns;
	bool no_ns;
	char search[RESOLVE_MAX_SEARCH][RESOLVE_NAME_MAX];
	int n_search;
	union { /* the options, also by index for resolve.c's table */
		struct {
			int ndots, timeout_s, attempts;
		};
		int opt[3];
	};
};

/* The addresses of host (port in each) in out[RESOLVE_MAX_ADDRS]: IPv4
 * first, then IPv6. Returns how many (>= 1), or -1 with the reason in
 * err[RESOLVE_ERR_MAX]. Never waits past deadline (a now_ms() time). */
int resolve_host(const char *host, int port, union resolve_addr *out, int64_t deadline, char *err);

/* resolve_host with the two files given (for tests). */
int resolve_host_in(const char *resolv_conf, const char *hosts, const char *host, int port,
		    union resolve_addr *out, int64_t deadline, char *err);

/* Reads a resolv.conf; a missing file gives the defaults (127.0.0.1).
 * 0, or -1 with the reason in err[RESOLVE_ERR_MAX]. */
int resolve_conf_read(const char *path, struct resolve_conf *c, char *err);

/* The addresses the hosts file gives name (case-insensitive), in file
 * order, at most max. A missing or unreadable file has none. */
int resolve_hosts(const char *path, const char *name, int port, union resolve_addr *out, int max);

/* The i-th name to ask DNS for (search domains and ndots applied) in buf;
 * false when there are no more. buf is "" for a candidate too long. */
bool resolve_candidate(const struct resolve_conf *c, const char *name, int i, char *buf,
		       size_t len);

/* A query for name and type with this id in buf; its length, or 0 when
 * the name is not a valid DNS name or buf is too small. */
size_t resolve_query(uint8_t *buf, size_t len, const char *name, int type, uint16_t id);

/* Checks a reply against our query (id, flags, question) and adds the
 * answer's records of the asked type to out[*n..max). */
enum resolve_reply resolve_parse(const uint8_t *pkt, size_t len, const uint8_t *query,
				 size_t qlen, int port, union resolve_addr *out, int max, int *n);

/* Asks the nameservers of c for name (search domains applied): the
 * addresses in out[RESOLVE_MAX_ADDRS], or -1 with the reason in err. */
int resolve_dns(const struct resolve_conf *c, const char *name, int port, union resolve_addr *out,
		int64_t deadline, char *err);

/* The address as text (no port): dotted IPv4, or IPv6 in RFC 5952 form.
 * buf holds RESOLVE_ADDR_TEXT bytes; returns buf. */
const char *format_addr(const union resolve_addr *a, char *buf);

/* A numeric IPv4 or IPv6 address (as inet_pton takes them) with port in
 * out: true, or false when text is no address. initc's own parser: musl's
 * inet_pton is 833 bytes of the static binary. */
bool resolve_numeric(const char *text, int port, union resolve_addr *out);

/* The length of a's socket address, for connect(). */
socklen_t resolve_addr_len(const union resolve_addr *a);

#endif
