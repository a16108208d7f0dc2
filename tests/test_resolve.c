/* The stub resolver behind wait_tcp (src/os/resolve.c): hosts and resolv.conf
 * parsing, search order, query building, reply parsing against hand-made
 * packets, address formatting; then the real exchange against a fake DNS
 * server (tests/helpers/fake_dns.py), and initc itself in a network
 * namespace whose /etc/resolv.conf points at the fake server on port 53. */
#include <arpa/inet.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "resolve.h"
#include "util.h"

/* --- helpers ----------------------------------------------------------- */

static const char *text_of(const union resolve_addr *a)
{
	static char buf[RESOLVE_ADDR_TEXT];

	return format_addr(a, buf);
}

static int port_of(const union resolve_addr *a)
{
	return ntohs(a->sa.sa_family == AF_INET6 ? a->in6.sin6_port : a->in.sin_port);
}

static union resolve_addr addr6(const char *text)
{
	union resolve_addr a = { .in6 = { .sin6_family = AF_INET6 } };

	ck_assert_int_eq(inet_pton(AF_INET6, text, &a.in6.sin6_addr), 1);
	return a;
}

static union resolve_addr addr4(const char *text)
{
	union resolve_addr a = { .in = { .sin_family = AF_INET } };

	ck_assert_int_eq(inet_pton(AF_INET, text, &a.in.sin_addr), 1);
	return a;
}

/* --- /etc/hosts --------------------------------------------------------- */

START_TEST(test_hosts_names_aliases_case_and_order)
{
	char *dir = make_tempdir(), *path;
	union resolve_addr out[RESOLVE_MAX_ADDRS];

	path = write_file(dir, "hosts",
			  "# a comment line 10.0.0.9 db\n"
			  "127.0.0.1\tlocalhost\n"
			  "10.0.0.1 web www.example WWW2 # 10.0.0.8 db\n"
			  "10.0.0.2 db.example db # the database\n"
			  "not-an-address db\n"
			  "2001:db8::2 DB\n"
			  "   \n"
			  "10.0.0.3 other\n"
			  "10.0.0.4 dbx db-other\n"
			  "10.0.0.5 db");
	ck_assert_int_eq(resolve_hosts(path, "www2", 80, out, RESOLVE_MAX_ADDRS), 1);
	ck_assert_str_eq(text_of(&out[0]), "10.0.0.1");
	ck_assert_int_eq(port_of(&out[0]), 80);
	ck_assert_int_eq(resolve_hosts(path, "db", 5432, out, RESOLVE_MAX_ADDRS), 3);
	ck_assert_str_eq(text_of(&out[0]), "10.0.0.2");
	ck_assert_str_eq(text_of(&out[1]), "2001:db8::2");
	ck_assert_int_eq(port_of(&out[1]), 5432);
	ck_assert_str_eq(text_of(&out[2]), "10.0.0.5"); /* last line, no newline */
	ck_assert_int_eq(resolve_hosts(path, "db", 1, out, 2), 2); /* max */
	ck_assert_int_eq(resolve_hosts(path, "example", 1, out, RESOLVE_MAX_ADDRS), 0);
	ck_assert_int_eq(resolve_hosts(path, "comment", 1, out, RESOLVE_MAX_ADDRS), 0);
	ck_assert_int_eq(resolve_hosts(path, "nothere", 1, out, RESOLVE_MAX_ADDRS), 0);
	free(path);
	rm_rf(dir);
	free(dir);
}
END_TEST

START_TEST(test_hosts_missing_file_and_overlong_line)
{
	char *dir = make_tempdir(), *path, *text;
	union resolve_addr out[RESOLVE_MAX_ADDRS];

	ck_assert_int_eq(resolve_hosts("/nonexistent/hosts", "localhost", 1, out, 4), 0);
	/* The tail of an overlong line must not be read as a line of its own. */
	text = malloc(3000);
	memset(text, 'x', 2000);
	strcpy(text + 2000, " 10.0.0.7 sneaky\n10.0.0.8 fine\n");
	memcpy(text, "10.0.0.6 a", 10);
	path = write_file(dir, "hosts", text);
	ck_assert_int_eq(resolve_hosts(path, "sneaky", 1, out, 4), 0);
	ck_assert_int_eq(resolve_hosts(path, "fine", 1, out, 4), 1);
	free(text);
	free(path);
	rm_rf(dir);
	free(dir);
}
END_TEST

/* --- resolv.conf ------------------------------------------------------- */

START_TEST(test_conf_all_keys)
{
	char *dir = make_tempdir(), *path, err[RESOLVE_ERR_MAX];
	struct resolve_conf c;

	path = write_file(dir, "resolv.conf",
			  "# generated\n"
			  "; also a comment\n"
			  "domain ignored.example\n"
			  "nameserver 10.96.0.10\n"
			  "nameserver not-an-address\n"
			  "nameserver 2001:db8::53\n"
			  "nameserver\n"
			  "garbage line here\n"
			  "search default.svc.cluster.local svc.cluster.local cluster.local\n"
			  "options ndots:5 timeout:2 attempts:3 rotate edns0\n"
			  "sortlist 10.0.0.0/8\n");
	ck_assert_int_eq(resolve_conf_read(path, &c, err), 0);
	ck_assert_int_eq(c.n_ns, 2);
	ck_assert_str_eq(text_of(&c.ns[0]), "10.96.0.10");
	ck_assert_int_eq(port_of(&c.ns[0]), 53);
	ck_assert_str_eq(text_of(&c.ns[1]), "2001:db8::53");
	ck_assert_int_eq(port_of(&c.ns[1]), 53);
	ck_assert_int_eq(c.n_search, 3); /* search replaced domain */
	ck_assert_str_eq(c.search[0], "default.svc.cluster.local");
	ck_assert_str_eq(c.search[2], "cluster.local");
	ck_assert_int_eq(c.ndots, 5);
	ck_assert_int_eq(c.timeout_s, 2);
	ck_assert_int_eq(c.attempts, 3);
	free(path);
	rm_rf(dir);
	free(dir);
}
END_TEST

START_TEST(test_conf_defaults_limits_and_clamping)
{
	char *dir = make_tempdir(), *path, err[RESOLVE_ERR_MAX];
	struct resolve_conf c;

	ck_assert_int_eq(resolve_conf_read("/nonexistent/resolv.conf", &c, err), 0);
	ck_assert_int_eq(c.n_ns, 1);
	ck_assert_str_eq(text_of(&c.ns[0]), "127.0.0.1");
	ck_assert_int_eq(port_of(&c.ns[0]), 53);
	ck_assert_int_eq(c.n_search, 0);
	ck_assert_int_eq(c.ndots, 1);
	ck_assert_int_eq(c.timeout_s, 5);
	ck_assert_int_eq(c.attempts, 2);

	path = write_file(dir, "resolv.conf",
			  "nameserver 10.0.0.1\nnameserver 10.0.0.2\nnameserver 10.0.0.3\n"
			  "nameserver 10.0.0.4\n"
			  "search a b c d e f g h\n"
			  "options ndots:99 timeout:1000 attempts:99999999999999999999\n");
	ck_assert_int_eq(resolve_conf_read(path, &c, err), 0);
	ck_assert_int_eq(c.n_ns, 3);
	ck_assert_str_eq(text_of(&c.ns[2]), "10.0.0.3");
	ck_assert_int_eq(c.n_search, RESOLVE_MAX_SEARCH);
	ck_assert_str_eq(c.search[5], "f");
	ck_assert_int_eq(c.ndots, 15);
	ck_assert_int_eq(c.timeout_s, 60);
	ck_assert_int_eq(c.attempts, 10);
	free(path);

	path = write_file(dir, "resolv.conf",
			  "search a b\ndomain only.example extra\n"
			  "options ndots:0 timeout:0 attempts:0 ndots:x timeout: attempts:-1\n");
	ck_assert_int_eq(resolve_conf_read(path, &c, err), 0);
	ck_assert_int_eq(c.n_search, 2); /* the last of search/domain wins */
	ck_assert_str_eq(c.search[0], "only.example");
	ck_assert_str_eq(c.search[1], "extra");
	ck_assert_int_eq(c.ndots, 0);
	ck_assert_int_eq(c.timeout_s, 1);
	ck_assert_int_eq(c.attempts, 1);
	free(path);
	rm_rf(dir);
	free(dir);
}
END_TEST

START_TEST(test_conf_unreadable_is_an_error)
{
	char *dir = make_tempdir(), err[RESOLVE_ERR_MAX];
	struct resolve_conf c;
	char *fifo = path_join(dir, "fifo");
	union resolve_addr out[RESOLVE_MAX_ADDRS];

	/* A directory is refused: EISDIR. */
	ck_assert_int_eq(resolve_conf_read(dir, &c, err), -1);
	ck_assert_msg(strstr(err, "cannot read ") && strstr(err, dir) &&
			      strstr(err, "Is a directory"), "%s", err);
	/* A FIFO with no writer is refused at once; reading it would block. */
	ck_assert_int_eq(mkfifo(fifo, 0644), 0);
	ck_assert_int_eq(resolve_conf_read(fifo, &c, err), -1);
	ck_assert_msg(strstr(err, "Invalid argument"), "%s", err);
	ck_assert_int_eq(resolve_hosts(fifo, "localhost", 1, out, 4), 0);
	free(fifo);
	rm_rf(dir);
	free(dir);
}
END_TEST

/* --- search order ------------------------------------------------------- */

/* The candidates joined with spaces. */
static const char *candidates(const struct resolve_conf *c, const char *name)
{
	static char all[2048];
	char one[RESOLVE_NAME_MAX];

	all[0] = '\0';
	for (int i = 0; resolve_candidate(c, name, i, one, sizeof(one)); i++) {
		ck_assert_int_lt(i, 8);
		if (i)
			strcat(all, " ");
		strcat(all, *one ? one : "<too-long>");
	}
	return all;
}

START_TEST(test_search_order)
{
	struct resolve_conf c = { .ndots = 1 };
	char longname[300];

	ck_assert_str_eq(candidates(&c, "db"), "db");
	c.n_search = 2;
	strcpy(c.search[0], "a.example");
	strcpy(c.search[1], "b.example.");
	ck_assert_str_eq(candidates(&c, "db"), "db.a.example db.b.example. db");
	ck_assert_str_eq(candidates(&c, "db.x"), "db.x db.x.a.example db.x.b.example.");
	ck_assert_str_eq(candidates(&c, "db."), "db.");
	c.ndots = 0;
	ck_assert_str_eq(candidates(&c, "db"), "db db.a.example db.b.example.");
	c.ndots = 5; /* Kubernetes */
	ck_assert_str_eq(candidates(&c, "www.example.com"),
			 "www.example.com.a.example www.example.com.b.example. www.example.com");
	ck_assert_str_eq(candidates(&c, "a.b.c.d.e"), "a.b.c.d.e.a.example a.b.c.d.e.b.example. a.b.c.d.e");
	ck_assert_str_eq(candidates(&c, "a.b.c.d.e.f"), "a.b.c.d.e.f a.b.c.d.e.f.a.example a.b.c.d.e.f.b.example.");
	memset(longname, 'x', 250);
	longname[250] = '\0';
	/* 250 + ".a.example" is too long to ask for; the name itself is not */
	ck_assert_str_eq(candidates(&c, longname) + 22, longname);
	ck_assert_int_eq(strncmp(candidates(&c, longname), "<too-long> <too-long> ", 22), 0);
}
END_TEST

/* --- queries ---------------------------------------------------------- */

START_TEST(test_query_bytes)
{
	static const uint8_t want[] = { 0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0,
					2, 'd', 'b', 3, 'S', 'v', 'c', 0, 0, 28, 0, 1 };
	uint8_t q[300];

	ck_assert_int_eq(resolve_query(q, sizeof(q), "db.Svc", RESOLVE_AAAA, 0x1234), sizeof(want));
	ck_assert_mem_eq(q, want, sizeof(want));
	ck_assert_int_eq(resolve_query(q, sizeof(q), "db.Svc.", RESOLVE_AAAA, 0x1234), sizeof(want));
	ck_assert_mem_eq(q, want, sizeof(want));
	ck_assert_int_eq(resolve_query(q, sizeof(want) - 1, "db.Svc", RESOLVE_AAAA, 1), 0);
}
END_TEST

START_TEST(test_query_refuses_bad_names)
{
	uint8_t q[300];
	char name[300];

	ck_assert_int_eq(resolve_query(q, sizeof(q), "", RESOLVE_A, 1), 0);
	ck_assert_int_eq(resolve_query(q, sizeof(q), ".", RESOLVE_A, 1), 0);
	ck_assert_int_eq(resolve_query(q, sizeof(q), "a..b", RESOLVE_A, 1), 0);
	ck_assert_int_eq(resolve_query(q, sizeof(q), ".a", RESOLVE_A, 1), 0);
	ck_assert_int_eq(resolve_query(q, sizeof(q), "a.b..", RESOLVE_A, 1), 0);
	memset(name, 'a', 64);
	name[64] = '\0';
	ck_assert_int_eq(resolve_query(q, sizeof(q), name, RESOLVE_A, 1), 0);
	name[63] = '\0';
	ck_assert_int_eq(resolve_query(q, sizeof(q), name, RESOLVE_A, 1), 63 + 18);
	/* 253 characters is the longest name; 254 is too long */
	for (int i = 0; i < 254; i++)
		name[i] = i % 2 ? '.' : 'a';
	name[253] = '\0';
	ck_assert_int_eq(resolve_query(q, sizeof(q), name, RESOLVE_A, 1), 253 + 18);
	name[253] = 'b';
	name[254] = '\0';
	ck_assert_int_eq(resolve_query(q, sizeof(q), name, RESOLVE_A, 1), 0);
}
END_TEST

/* --- replies --------------------------------------------------------- */

struct pkt {
	uint8_t b[600];
	size_t len;
};

static void put(struct pkt *p, const void *data, size_t n)
{
	ck_assert_uint_le(p->len + n, sizeof(p->b));
	memcpy(p->b + p->len, data, n);
	p->len += n;
}

static void put16(struct pkt *p, unsigned v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	put(p, b, 2);
}

/* A reply to query q: its id and question, these flags and answer count. */
static void reply_start(struct pkt *p, const uint8_t *q, size_t qlen, unsigned flags, unsigned an)
{
	p->len = 0;
	put(p, q, 2);
	put16(p, flags);
	put16(p, 1);
	put16(p, an);
	put16(p, 0);
	put16(p, 0);
	put(p, q + 12, qlen - 12);
}

/* A record whose owner is a pointer to the question's name. */
static void rr(struct pkt *p, unsigned type, unsigned class, const void *rdata, unsigned rdlen)
{
	put16(p, 0xc00c);
	put16(p, type);
	put16(p, class);
	put16(p, 0);
	put16(p, 60);
	put16(p, rdlen);
	put(p, rdata, rdlen);
}

static const uint8_t ip1[4] = { 192, 0, 2, 1 }, ip2[4] = { 192, 0, 2, 2 };
static const uint8_t ip6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };

static enum resolve_reply parse(const struct pkt *p, const uint8_t *q, size_t qlen,
				union resolve_addr *out, int *n)
{
	*n = 0;
	return resolve_parse(p->b, p->len, q, qlen, 8080, out, RESOLVE_MAX_ADDRS, n);
}

START_TEST(test_parse_good_answers)
{
	uint8_t q[300];
	size_t qlen = resolve_query(q, sizeof(q), "db.example", RESOLVE_A, 0xbeef);
	union resolve_addr out[RESOLVE_MAX_ADDRS];
	struct pkt p;
	int n;

	reply_start(&p, q, qlen, 0x8180, 4);
	rr(&p, RESOLVE_A, 1, ip1, 4);
	rr(&p, RESOLVE_AAAA, 1, ip6, 16); /* not asked for */
	rr(&p, RESOLVE_A, 3, ip2, 4);     /* class CH */
	rr(&p, RESOLVE_A, 1, ip2, 4);
	ck_assert_int_eq(parse(&p, q, qlen, out, &n), REPLY_NAME);
	ck_assert_int_eq(n, 2);
	ck_assert_str_eq(text_of(&out[0]), "192.0.2.1");
	ck_assert_int_eq(port_of(&out[0]), 8080);
	ck_assert_str_eq(text_of(&out[1]), "192.0.2.2");

	/* max is respected */
	n = 0;
	ck_assert_int_eq(resolve_parse(p.b, p.len, q, qlen, 1, out, 1, &n), REPLY_NAME);
	ck_assert_int_eq(n, 1);

	qlen = resolve_query(q, sizeof(q), "db.example", RESOLVE_AAAA, 0xbeef);
	reply_start(&p, q, qlen, 0x8180, 2);
	rr(&p, RESOLVE_A, 1, ip1, 4);
	rr(&p, RESOLVE_AAAA, 1, ip6, 16);
	ck_assert_int_eq(parse(&p, q, qlen, out, &n), REPLY_NAME);
	ck_assert_int_eq(n, 1);
	ck_assert_str_eq(text_of(&out[0]), "2001:db8::1");
	ck_assert_int_eq(port_of(&out[0]), 8080);

	/* no data: an answer without addresses */
	reply_start(&p, q, qlen, 0x8180, 0);
	ck_assert_int_eq(parse(&p, q, qlen, out, &n), REPLY_NAME);
	ck_assert_int_eq(n, 0);
}
END_TEST

START_TEST(test_parse_cname_then_a)
{
	static const uint8_t target[] = { 4, 'r', 'e', 'a', 'l', 0xc0, 15 };
	uint8_t q[300];
	size_t qlen = resolve_query(q, sizeof(q), "db.example", RESOLVE_A, 7);
	union resolve_addr out[RESOLVE_MAX_ADDRS];
	struct pkt p;
	int n;

	reply_start(&p, q, qlen, 0x8180, 2);
	rr(&p, 5, 1, target, sizeof(target));
	/* owner: "real.example" via the pointer in the CNAME's rdata */
	put16(&p, 0xc000 | (unsigned)(qlen + 12));
	put16(&p, RESOLVE_A);
	put16(&p, 1);
	put16(&p, 0);
	put16(&p, 60);
	put16(&p, 4);
	put(&p, ip2, 4);
	ck_assert_int_eq(parse(&p, q, qlen, out, &n), REPLY_NAME);
	ck_assert_int_eq(n, 1);
	ck_assert_str_eq(text_of(&out[0]), "192.0.2.2");
}
END_TEST

START_TEST(test_parse_ignores_replies_to_other_queries)
{
	uint8_t q[300];
	size_t qlen = resolve_query(q, sizeof(q), "db.example", RESOLVE_A, 0x1234);
	union resolve_addr out[RESOLVE_MAX_ADDRS];
	struct pkt p;
	int n;

	reply_start(&p, q, qlen, 0x8180, 1);
	rr(&p, RESOLVE_A, 1, ip1, 4);
	p.b[1] ^= 1; /* wrong id */
	ck_assert_int_eq(parse(&p, q, qlen, out, &n), REPLY_IGNORE);
	p.b[1] ^= 1;
	p.b[2] &= 0x7f; /* a query, not a reply */
	ck_assert_int_eq(parse(&p, q, qlen, out, &n), REPLY_IGNORE);
	p.b[2] |= 0x80 | 0x28; /* opcode 5 */
	ck_assert_int_eq(parse(&p, q, qlen, out, &n), REPLY_IGNORE);
	p.b[2] = 0x81;
	p.b[5] = 2; /* two questions */
	ck_assert_int_eq(parse(&p, q, qlen, out, &n), REPLY_IGNORE);
	p.b[5] = 1;
	p.b[14] = 'x'; /* another name */
	ck_assert_int_eq(parse(&p, q, qlen, out, &n), REPLY_IGNORE);
	p.b[14] = 'B'; /* the same name in another case: ours */
	ck_assert_int_eq(parse(&p, q, qlen, out, &n), REPLY_NAME);
	ck_assert_int_eq(n, 1);
	p.b[qlen - 3] = RESOLVE_AAAA; /* another type */
	ck_assert_int_eq(parse(&p, q, qlen, out, &n), REPLY_IGNORE);
	p.b[qlen - 3] = RESOLVE_A;
	p.b[qlen - 1] = 3; /* another class */
	ck_assert_int_eq(parse(&p, q, qlen, out, &n), REPLY_IGNORE);
	p.b[qlen - 1] = 1;
	ck_assert_int_eq(n, 0);
}
END_TEST

START_TEST(test_parse_rcodes)
{
	uint8_t q[300];
	size_t qlen = resolve_query(q, sizeof(q), "db", RESOLVE_A, 99);
	union resolve_addr out[RESOLVE_MAX_ADDRS];
	struct pkt p;
	int n;

	reply_start(&p, q, qlen, 0x8183, 1); /* NXDOMAIN (with a stray record) */
	rr(&p, RESOLVE_A, 1, ip1, 4);
	ck_assert_int_eq(parse(&p, q, qlen, out, &n), REPLY_NAME);
	ck_assert_int_eq(n, 0);
	p.b[3] = 0x82; /* SERVFAIL */
	ck_assert_int_eq(parse(&p, q, qlen, out, &n), REPLY_FAIL);
	p.b[3] = 0x85; /* REFUSED */
	ck_assert_int_eq(parse(&p, q, qlen, out, &n), REPLY_FAIL);
	ck_assert_int_eq(n, 0);
}
END_TEST

START_TEST(test_parse_truncated_packets)
{
	uint8_t q[300];
	size_t qlen = resolve_query(q, sizeof(q), "db.example", RESOLVE_A, 0x4242);
	union resolve_addr out[RESOLVE_MAX_ADDRS];
	struct pkt p;
	size_t full;
	int n;

	reply_start(&p, q, qlen, 0x8380, 3); /* TC */
	rr(&p, RESOLVE_A, 1, ip1, 4);
	rr(&p, RESOLVE_A, 1, ip2, 4);
	full = p.len;
	rr(&p, RESOLVE_A, 1, ip1, 4);
	/* Every cut: no read past the end (ASan), whole records only. */
	for (size_t len = 0; len <= p.len; len++) {
		struct pkt cut = p;

		cut.len = len;
		n = 0;
		if (len < qlen) {
			ck_assert_int_eq(parse(&cut, q, qlen, out, &n), REPLY_IGNORE);
			continue;
		}
		ck_assert_int_eq(parse(&cut, q, qlen, out, &n), REPLY_NAME);
		ck_assert_int_eq(n, len < qlen + 16 ? 0 : len < full ? 1 : len < p.len ? 2 : 3);
	}
	/* an answer count larger than the records present */
	p.b[7] = 200;
	ck_assert_int_eq(parse(&p, q, qlen, out, &n), REPLY_NAME);
	ck_assert_int_eq(n, 3);
}
END_TEST

START_TEST(test_parse_bad_names_and_pointers)
{
	static const uint8_t loop_owner[] = { 0xc0, 0 }; /* patched to point at itself */
	static const uint8_t far_owner[] = { 0xff, 0xff };
	static const uint8_t bad_label[] = { 0x40, 'x' };
	uint8_t q[300];
	size_t qlen = resolve_query(q, sizeof(q), "db", RESOLVE_A, 1);
	union resolve_addr out[RESOLVE_MAX_ADDRS];
	struct pkt p;
	size_t at;
	int n;

	/* A pointer to itself and a pointer past the end: owners are skipped,
	 * never followed, so neither loops nor reads out of bounds. */
	reply_start(&p, q, qlen, 0x8180, 3);
	at = p.len;
	put(&p, loop_owner, 2);
	p.b[at + 1] = (uint8_t)at;
	put16(&p, RESOLVE_A), put16(&p, 1), put16(&p, 0), put16(&p, 1), put16(&p, 4);
	put(&p, ip1, 4);
	put(&p, far_owner, 2);
	put16(&p, RESOLVE_A), put16(&p, 1), put16(&p, 0), put16(&p, 1), put16(&p, 4);
	put(&p, ip2, 4);
	rr(&p, RESOLVE_A, 1, ip1, 4);
	ck_assert_int_eq(parse(&p, q, qlen, out, &n), REPLY_NAME);
	ck_assert_int_eq(n, 3);

	/* a reserved label type ends the parse */
	reply_start(&p, q, qlen, 0x8180, 2);
	rr(&p, RESOLVE_A, 1, ip1, 4);
	put(&p, bad_label, 2);
	put16(&p, RESOLVE_A), put16(&p, 1), put16(&p, 0), put16(&p, 1), put16(&p, 4);
	put(&p, ip2, 4);
	ck_assert_int_eq(parse(&p, q, qlen, out, &n), REPLY_NAME);
	ck_assert_int_eq(n, 1);

	/* a label running past the end, and a pointer cut in half */
	reply_start(&p, q, qlen, 0x8180, 1);
	put16(&p, 0x3f61);
	ck_assert_int_eq(parse(&p, q, qlen, out, &n), REPLY_NAME);
	ck_assert_int_eq(n, 0);
	reply_start(&p, q, qlen, 0x8180, 1);
	put(&p, loop_owner, 1);
	ck_assert_int_eq(parse(&p, q, qlen, out, &n), REPLY_NAME);
	ck_assert_int_eq(n, 0);

	/* an A record with the wrong length, then a good one */
	reply_start(&p, q, qlen, 0x8180, 2);
	rr(&p, RESOLVE_A, 1, ip6, 16);
	rr(&p, RESOLVE_A, 1, ip2, 4);
	ck_assert_int_eq(parse(&p, q, qlen, out, &n), REPLY_NAME);
	ck_assert_int_eq(n, 1);
	ck_assert_str_eq(text_of(&out[0]), "192.0.2.2");
}
END_TEST

/* --- format_addr ------------------------------------------------------ */

static void v6(const char *in, const char *want)
{
	union resolve_addr a = addr6(in);

	ck_assert_str_eq(text_of(&a), want);
}

START_TEST(test_format_addr)
{
	union resolve_addr a = addr4("0.0.0.0");

	ck_assert_str_eq(text_of(&a), "0.0.0.0");
	a = addr4("255.10.100.9");
	ck_assert_str_eq(text_of(&a), "255.10.100.9");
	v6("::", "::");
	v6("::1", "::1");
	v6("1::", "1::");
	v6("2001:DB8:0:0:0:0:0:1", "2001:db8::1");
	v6("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1");      /* first of equal runs */
	v6("2001:0:0:1:0:0:0:1", "2001:0:0:1::1");           /* the longest run */
	v6("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1");  /* one zero group stays */
	v6("fe80::a:Bc:0def", "fe80::a:bc:def");
	v6("1:2:3:4:5:6:7:0", "1:2:3:4:5:6:7:0");
	v6("1:0:0:4:5:6:7:8", "1::4:5:6:7:8");
	v6("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	v6("::ffff:192.0.2.33", "::ffff:192.0.2.33");
	v6("::fffe:c000:221", "::fffe:c000:221");
}
END_TEST

/* --- numeric addresses, against libc's inet_pton ----------------------- */

/* resolve_numeric must accept exactly what inet_pton(AF_INET) or, failing
 * that, inet_pton(AF_INET6) accepts, with the same bytes. */
static void numeric_like_libc(const char *text)
{
	union resolve_addr got;
	uint8_t want[16];
	int port = 0x1234;

	if (inet_pton(AF_INET, text, want) == 1) {
		ck_assert_msg(resolve_numeric(text, port, &got), "'%s' refused", text);
		ck_assert_msg(got.sa.sa_family == AF_INET && !memcmp(&got.in.sin_addr, want, 4) &&
				      port_of(&got) == port, "'%s' is %s", text, text_of(&got));
	} else if (inet_pton(AF_INET6, text, want) == 1) {
		ck_assert_msg(resolve_numeric(text, port, &got), "'%s' refused", text);
		ck_assert_msg(got.sa.sa_family == AF_INET6 && !memcmp(&got.in6.sin6_addr, want, 16) &&
				      port_of(&got) == port, "'%s' is %s", text, text_of(&got));
	} else {
		ck_assert_msg(!resolve_numeric(text, port, &got), "'%s' taken as %s", text,
			      text_of(&got));
	}
}

START_TEST(test_numeric_matches_inet_pton)
{
	static const char *const fixed[] = {
		"", ".", ":", "::", ":::", "::1", "1::", "1:", ":1", "1::2::3", "0.0.0.0",
		"255.255.255.255", "256.1.1.1", "1.2.3", "1.2.3.4.5", "1.2.3.4.", ".1.2.3.4",
		"01.2.3.4", "1.02.3.4", "1.2.3.00", "0x1.2.3.4", "1.2.3.4 ", " 1.2.3.4", "1..2.3",
		"1.2.3.-4", "1.2.3.+4", "4294967297.1.1.1", "1.2.3.0004", "1.2.3.999",
		"2001:db8::1", "2001:DB8:0:0:0:0:0:1", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:9",
		"1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8::", "::1:2:3:4:5:6:7:8",
		"1:2:3:4::5:6:7:8", "12345::", "0::0", "00000::", "0000::", "g::", "::g",
		"::ffff:1.2.3.4", "::1.2.3.4", "1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:1.2.3.4",
		"1:2:3:4:5:6:7:1.2.3.4", "1:2:3:4:5:6::1.2.3.4", "1:2:3:4:5::1.2.3.4",
		"::1.2.3", "::1.2.3.4.5", "::01.2.3.4", "::256.2.3.4", "::1234.1.1.1",
		"::a.1.1.1", "1.2.3.4::", "::1.2.3.4:1", "fe80::1%eth0", "[::1]", "::1 ",
		":1:2:3:4:5:6:7", "1:2:3:4:5:6:7:", "1::2:", ":::1", "1:::2", "a:b:c:d:e:f:a:b",
		"ABCD:EF01:2345:6789:abcd:ef01:2345:6789", "::ffff:0.0.0.0", "::.1.2.3",
	};
	static const char *const parts[] = {
		"0", "1", "9", "10", "00", "01", "255", "256", "999", "1234", "fff", "ffff",
		"FfFf", "12345", "abcde", "g", ":", ":", "::", ":::", ".", ".", "1.2.3.4", " ",
	};
	uint32_t seed = 12345;
	char text[64];

	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		numeric_like_libc(fixed[i]);
	/* Random joins of address-like pieces: many valid, many nearly so. */
	for (int i = 0; i < 200000; i++) {
		int len = 0, k;

		text[0] = '\0';
		seed = seed * 1103515245u + 12345u;
		k = (int)(seed >> 16) % 18;
		while (k-- > 0) {
			const char *part;

			seed = seed * 1103515245u + 12345u;
			part = parts[(seed >> 16) % (sizeof(parts) / sizeof(parts[0]))];
			if (len + strlen(part) >= sizeof(text))
				break;
			strcpy(text + len, part);
			len += (int)strlen(part);
		}
		numeric_like_libc(text);
	}
}
END_TEST

/* --- against a fake DNS server ---------------------------------------- */

struct fake {
	pid_t pid;
	int port;
	char *dir, *log;
};

/* Starts tests/helpers/fake_dns.py with rules (NULL-terminated). */
static void fake_start(struct fake *f, const char *const *rules)
{
	const char *argv[40] = { "/usr/bin/env", "python3", "tests/helpers/fake_dns.py" };
	char *portfile, *text;
	int n = 3;

	f->dir = make_tempdir();
	portfile = path_join(f->dir, "port");
	f->log = path_join(f->dir, "queries");
	argv[n++] = portfile;
	argv[n++] = f->log;
	while (*rules && n < 38)
		argv[n++] = *rules++;
	argv[n] = NULL;
	f->pid = start_helper(argv);
	ck_assert_msg(wait_for_file(portfile, 10000), "fake_dns.py wrote no port");
	text = read_file(portfile);
	f->port = atoi(text);
	ck_assert_int_gt(f->port, 0);
	free(text);
	free(portfile);
}

static void fake_stop(struct fake *f)
{
	stop_helper(f->pid);
	rm_rf(f->dir);
	free(f->dir);
	free(f->log);
}

/* The queries the server saw, one "name TYPE" a line. */
static char *fake_queries(const struct fake *f)
{
	char *text = read_file(f->log);

	return text ? text : strdup("");
}

static void conf_for(struct resolve_conf *c, const struct fake *f)
{
	memset(c, 0, sizeof(*c));
	c->ns[0].in.sin_family = AF_INET;
	c->ns[0].in.sin_port = htons((uint16_t)f->port);
	c->ns[0].in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	c->n_ns = 1;
	c->ndots = 1;
	c->timeout_s = 5;
	c->attempts = 2;
}

/* A local UDP port with nothing listening: a connected send gets ECONNREFUSED. */
static int closed_udp_port(void)
{
	union resolve_addr a = addr4("127.0.0.1");
	socklen_t len = sizeof(a.in);
	int fd = socket(AF_INET, SOCK_DGRAM, 0), port;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bind(fd, &a.sa, len), 0);
	ck_assert_int_eq(getsockname(fd, &a.sa, &len), 0);
	port = ntohs(a.in.sin_port);
	close(fd);
	return port;
}

START_TEST(test_dns_a_then_aaaa)
{
	static const char *const rules[] = { "db.example=AAAA:2001:db8::7,A:10.1.2.3,A:10.1.2.4", NULL };
	union resolve_addr out[RESOLVE_MAX_ADDRS];
	char err[RESOLVE_ERR_MAX] = "";
	struct resolve_conf c;
	struct fake f;
	char *log;

	fake_start(&f, rules);
	conf_for(&c, &f);
	ck_assert_int_eq(resolve_dns(&c, "DB.example", 443, out, now_ms() + 20000, err), 3);
	ck_assert_str_eq(text_of(&out[0]), "10.1.2.3");
	ck_assert_str_eq(text_of(&out[1]), "10.1.2.4");
	ck_assert_str_eq(text_of(&out[2]), "2001:db8::7");
	ck_assert_int_eq(port_of(&out[2]), 443);
	log = fake_queries(&f);
	ck_assert_str_eq(log, "DB.example A\nDB.example AAAA\n");
	free(log);
	fake_stop(&f);
}
END_TEST

START_TEST(test_dns_search_order_ndots)
{
	static const char *const rules[] = { "db.default.svc.cluster.local=A:10.96.0.5",
					     "api.example.com=A:192.0.2.80", NULL };
	union resolve_addr out[RESOLVE_MAX_ADDRS];
	char err[RESOLVE_ERR_MAX] = "";
	struct resolve_conf c;
	struct fake f;
	char *log;

	fake_start(&f, rules);
	conf_for(&c, &f);
	c.ndots = 5;
	c.n_search = 3;
	strcpy(c.search[0], "default.svc.cluster.local");
	strcpy(c.search[1], "svc.cluster.local");
	strcpy(c.search[2], "cluster.local");
	ck_assert_int_eq(resolve_dns(&c, "db", 5432, out, now_ms() + 20000, err), 1);
	ck_assert_str_eq(text_of(&out[0]), "10.96.0.5");
	ck_assert_int_eq(resolve_dns(&c, "api.example.com", 80, out, now_ms() + 20000, err), 1);
	ck_assert_str_eq(text_of(&out[0]), "192.0.2.80");
	log = fake_queries(&f);
	ck_assert_str_eq(log, "db.default.svc.cluster.local A\n"
			      "db.default.svc.cluster.local AAAA\n"
			      "api.example.com.default.svc.cluster.local A\n"
			      "api.example.com.default.svc.cluster.local AAAA\n"
			      "api.example.com.svc.cluster.local A\n"
			      "api.example.com.svc.cluster.local AAAA\n"
			      "api.example.com.cluster.local A\n"
			      "api.example.com.cluster.local AAAA\n"
			      "api.example.com A\n"
			      "api.example.com AAAA\n");
	free(log);
	fake_stop(&f);
}
END_TEST

START_TEST(test_dns_nxdomain_is_no_such_host)
{
	static const char *const rules[] = { "gone.example=NXDOMAIN", NULL };
	union resolve_addr out[RESOLVE_MAX_ADDRS];
	char err[RESOLVE_ERR_MAX] = "";
	struct resolve_conf c;
	struct fake f;

	fake_start(&f, rules);
	conf_for(&c, &f);
	ck_assert_int_eq(resolve_dns(&c, "gone.example", 80, out, now_ms() + 20000, err), -1);
	ck_assert_str_eq(err, "no such host");
	ck_assert_int_eq(resolve_dns(&c, "unknown.example", 80, out, now_ms() + 20000, err), -1);
	ck_assert_str_eq(err, "no such host");
	fake_stop(&f);
}
END_TEST

START_TEST(test_dns_wrong_id_and_question_are_ignored)
{
	static const char *const rules[] = { "db.example=BADID,BADQ,A:10.0.0.1", NULL };
	union resolve_addr out[RESOLVE_MAX_ADDRS];
	char err[RESOLVE_ERR_MAX] = "";
	struct resolve_conf c;
	struct fake f;

	fake_start(&f, rules);
	conf_for(&c, &f);
	ck_assert_msg(resolve_dns(&c, "db.example", 80, out, now_ms() + 20000, err) == 1, "%s", err);
	ck_assert_str_eq(text_of(&out[0]), "10.0.0.1");
	fake_stop(&f);
}
END_TEST

START_TEST(test_dns_servfail_goes_to_next_server)
{
	static const char *const bad[] = { "*=SERVFAIL", NULL };
	static const char *const good[] = { "db.example=A:10.0.0.2", NULL };
	union resolve_addr out[RESOLVE_MAX_ADDRS];
	char err[RESOLVE_ERR_MAX] = "";
	struct resolve_conf c, second;
	struct fake f1, f2;
	char *log;

	fake_start(&f1, bad);
	fake_start(&f2, good);
	conf_for(&second, &f2);
	conf_for(&c, &f1);
	c.ns[1] = second.ns[0];
	c.n_ns = 2;
	ck_assert_msg(resolve_dns(&c, "db.example", 80, out, now_ms() + 20000, err) == 1, "%s", err);
	ck_assert_str_eq(text_of(&out[0]), "10.0.0.2");
	/* both queries went to the first; the second may have answered
	 * before the first logged its AAAA query */
	ck_assert(wait_for_text(f1.log, "db.example AAAA\n", 5000));
	log = fake_queries(&f1);
	ck_assert_str_eq(log, "db.example A\ndb.example AAAA\n");
	free(log);
	/* SERVFAIL everywhere: said so, not "no such host" */
	c.n_ns = 1;
	ck_assert_int_eq(resolve_dns(&c, "db.example", 80, out, now_ms() + 20000, err), -1);
	ck_assert_str_eq(err, "127.0.0.1 answered SERVFAIL");
	fake_stop(&f1);
	fake_stop(&f2);
}
END_TEST

START_TEST(test_dns_timeout_then_retry)
{
	static const char *const rules[] = { "slow.example=DROPFIRST,A:10.0.0.3", NULL };
	union resolve_addr out[RESOLVE_MAX_ADDRS];
	char err[RESOLVE_ERR_MAX] = "";
	struct resolve_conf c;
	struct fake f;

	fake_start(&f, rules);
	conf_for(&c, &f);
	c.timeout_s = 1;
	ck_assert_msg(resolve_dns(&c, "slow.example", 80, out, now_ms() + 20000, err) == 1, "%s", err);
	ck_assert_str_eq(text_of(&out[0]), "10.0.0.3");
	fake_stop(&f);
}
END_TEST

START_TEST(test_dns_no_answer_respects_deadline)
{
	static const char *const rules[] = { "*=DROP", NULL };
	union resolve_addr out[RESOLVE_MAX_ADDRS];
	char err[RESOLVE_ERR_MAX] = "";
	struct resolve_conf c;
	struct fake f;
	int64_t start;

	fake_start(&f, rules);
	conf_for(&c, &f);
	c.timeout_s = 1;
	c.attempts = 1;
	ck_assert_int_eq(resolve_dns(&c, "db.example", 80, out, now_ms() + 20000, err), -1);
	ck_assert_msg(strncmp(err, "no answer from 127.0.0.1 in 1.", 30) == 0, "%s", err);
	/* 60 s x 10 attempts, but the caller's deadline comes first (the margin
	 * is generous; without the deadline this would take 10 minutes) */
	c.timeout_s = 60;
	c.attempts = 10;
	start = now_ms();
	ck_assert_int_eq(resolve_dns(&c, "db.example", 80, out, start + 300, err), -1);
	ck_assert_msg(strstr(err, "no answer from 127.0.0.1 in 0."), "%s", err);
	ck_assert_int_lt(now_ms() - start, 15000);
	fake_stop(&f);
}
END_TEST

START_TEST(test_dns_refused_port_and_truncated_reply)
{
	static const char *const rules[] = { "big.example=TC,A:10.0.0.1,A:10.0.0.2,A:10.0.0.3",
					     "alias.example=CNAME:real.example",
					     "real.example=A:10.0.0.9", NULL };
	union resolve_addr out[RESOLVE_MAX_ADDRS];
	char err[RESOLVE_ERR_MAX] = "";
	struct resolve_conf c;
	struct fake f;

	fake_start(&f, rules);
	conf_for(&c, &f);
	ck_assert_msg(resolve_dns(&c, "big.example", 80, out, now_ms() + 20000, err) == 2, "%s", err);
	ck_assert_str_eq(text_of(&out[1]), "10.0.0.2");
	ck_assert_msg(resolve_dns(&c, "alias.example", 80, out, now_ms() + 20000, err) == 1, "%s", err);
	ck_assert_str_eq(text_of(&out[0]), "10.0.0.9");
	c.ns[0].in.sin_port = htons((uint16_t)closed_udp_port());
	ck_assert_int_eq(resolve_dns(&c, "db.example", 80, out, now_ms() + 20000, err), -1);
	ck_assert_str_eq(err, "cannot ask 127.0.0.1: Connection refused");
	fake_stop(&f);
}
END_TEST

/* A server that answers A but never AAAA: both queries are in flight at
 * once, and the A address comes back soon after its answer (RESOLVE_LAG_MS
 * later), not when the attempt's time is gone. */
START_TEST(test_dns_a_without_aaaa_comes_in_time)
{
	static const char *const rules[] = { "db.example=DROPAAAA,A:10.0.0.1", NULL };
	union resolve_addr out[RESOLVE_MAX_ADDRS];
	char err[RESOLVE_ERR_MAX] = "";
	struct resolve_conf c;
	struct fake f;
	int64_t start;

	fake_start(&f, rules);
	conf_for(&c, &f);
	start = now_ms();
	ck_assert_msg(resolve_dns(&c, "db.example", 80, out, start + 5000, err) == 1, "%s", err);
	ck_assert_str_eq(text_of(&out[0]), "10.0.0.1");
	/* 500 ms of lag; 2.5 s would be the first slice, 5 s the deadline */
	ck_assert_msg(now_ms() - start < 2000, "took %lld ms", (long long)(now_ms() - start));
	fake_stop(&f);
}
END_TEST

/* A dead first nameserver and a working second: the second is asked
 * within the attempt's time (issue 11 item 11), and for a second name the
 * slow one is asked last. */
START_TEST(test_dns_dead_first_nameserver_second_answers)
{
	static const char *const dead[] = { "*=DROP", NULL };
	static const char *const good[] = { "db.example=A:10.0.0.2", "web.example=A:10.0.0.3", NULL };
	union resolve_addr out[RESOLVE_MAX_ADDRS];
	char err[RESOLVE_ERR_MAX] = "";
	struct resolve_conf c, second;
	struct fake f1, f2;
	int64_t start;

	fake_start(&f1, dead);
	fake_start(&f2, good);
	conf_for(&second, &f2);
	conf_for(&c, &f1);
	c.ns[1] = second.ns[0];
	c.n_ns = 2;
	start = now_ms();
	ck_assert_msg(resolve_dns(&c, "db.example", 80, out, start + 5000, err) == 1, "%s", err);
	ck_assert_str_eq(text_of(&out[0]), "10.0.0.2");
	/* 5 s shared by 2 servers x 2 attempts: the second is asked at 1.25 s */
	ck_assert_msg(now_ms() - start < 4000, "took %lld ms", (long long)(now_ms() - start));
	fake_stop(&f1);
	fake_stop(&f2);
}
END_TEST

/* A server that takes 3 s for each query: the retransmission at 2.5 s does
 * not discard the first query, whose answer still counts. */
START_TEST(test_dns_slow_server_answers_within_the_attempt)
{
	static const char *const rules[] = { "db.example=DELAY:3000,A:10.0.0.4", NULL };
	union resolve_addr out[RESOLVE_MAX_ADDRS];
	char err[RESOLVE_ERR_MAX] = "";
	struct resolve_conf c;
	struct fake f;

	fake_start(&f, rules);
	conf_for(&c, &f);
	ck_assert_msg(resolve_dns(&c, "db.example", 80, out, now_ms() + 5000, err) == 1, "%s", err);
	ck_assert_str_eq(text_of(&out[0]), "10.0.0.4");
	fake_stop(&f);
}
END_TEST

/* REFUSED for one search candidate is said as such, not as if every
 * candidate failed; REFUSED and SERVFAIL are named. */
START_TEST(test_dns_failures_name_server_and_rcode)
{
	static const char *const rules[] = { "db.a.test=REFUSED", "db.b.test=SERVFAIL",
					     "all.a.test=REFUSED", "all.b.test=REFUSED",
					     "all=REFUSED", NULL };
	union resolve_addr out[RESOLVE_MAX_ADDRS];
	char err[RESOLVE_ERR_MAX] = "";
	struct resolve_conf c;
	struct fake f;

	fake_start(&f, rules);
	conf_for(&c, &f);
	c.n_search = 2;
	strcpy(c.search[0], "a.test");
	strcpy(c.search[1], "b.test");
	ck_assert_int_eq(resolve_dns(&c, "db", 80, out, now_ms() + 20000, err), -1);
	/* db itself: NXDOMAIN; the last failure kept is b.test's */
	ck_assert_str_eq(err, "no such host (and for db.b.test: 127.0.0.1 answered SERVFAIL)");
	ck_assert_int_eq(resolve_dns(&c, "all", 80, out, now_ms() + 20000, err), -1);
	ck_assert_str_eq(err, "127.0.0.1 answered REFUSED");
	fake_stop(&f);
}
END_TEST

/* The first nameserver fails every query at once (two SERVFAILs, and
 * again when asked on its second try); the second answers after 500 ms.
 * Only a failure of the server whose slice runs moves on early, so the
 * burst does not use up the tries before the second can answer. */
START_TEST(test_dns_servfail_burst_leaves_time_for_a_slow_second)
{
	static const char *const bad[] = { "*=SERVFAIL", NULL };
	static const char *const slow[] = { "db.example=DELAY:500,A:10.0.0.5", NULL };
	union resolve_addr out[RESOLVE_MAX_ADDRS];
	char err[RESOLVE_ERR_MAX] = "";
	struct resolve_conf c, second;
	struct fake f1, f2;

	fake_start(&f1, bad);
	fake_start(&f2, slow);
	conf_for(&second, &f2);
	conf_for(&c, &f1);
	c.ns[1] = second.ns[0];
	c.n_ns = 2;
	ck_assert_msg(resolve_dns(&c, "db.example", 80, out, now_ms() + 5000, err) == 1, "%s", err);
	ck_assert_str_eq(text_of(&out[0]), "10.0.0.5");
	fake_stop(&f1);
	fake_stop(&f2);
}
END_TEST

/* 40 A records in one reply: every one is kept (issue 17 item 9). */
START_TEST(test_dns_keeps_forty_addresses)
{
	char rule[1024] = "many.example=";
	const char *rules[] = { rule, NULL };
	union resolve_addr out[RESOLVE_MAX_ADDRS];
	char err[RESOLVE_ERR_MAX] = "";
	struct resolve_conf c;
	struct fake f;

	for (int i = 1; i <= 40; i++)
		snprintf(rule + strlen(rule), sizeof(rule) - strlen(rule), "%sA:10.0.1.%d",
			 i > 1 ? "," : "", i);
	fake_start(&f, rules);
	conf_for(&c, &f);
	ck_assert_msg(resolve_dns(&c, "many.example", 80, out, now_ms() + 20000, err) == 40, "%s", err);
	ck_assert_str_eq(text_of(&out[0]), "10.0.1.1");
	ck_assert_str_eq(text_of(&out[39]), "10.0.1.40");
	fake_stop(&f);
}
END_TEST

/* A resolv.conf with no nameserver: 127.0.0.1 is asked, and a failure
 * says the file named none. */
START_TEST(test_dns_empty_resolv_conf_says_no_nameserver)
{
	union resolve_addr out[RESOLVE_MAX_ADDRS];
	char err[RESOLVE_ERR_MAX] = "", *dir = make_tempdir(), *conf, *hosts;
	struct resolve_conf c;

	conf = write_file(dir, "resolv.conf", "# nothing\nsearch example.test\n");
	hosts = write_file(dir, "hosts", "");
	ck_assert_int_eq(resolve_conf_read(conf, &c, err), 0);
	ck_assert(c.no_ns);
	ck_assert_int_eq(resolve_host_in(conf, hosts, "svc", 80, out, now_ms() + 1500, err), -1);
	ck_assert_msg(strstr(err, "resolv.conf names no nameserver (the default, ") &&
			      strstr(err, "127.0.0.1"), "%s", err);
	free(conf);
	free(hosts);
	rm_rf(dir);
	free(dir);
}
END_TEST

START_TEST(test_host_literals_hosts_localhost_and_files)
{
	union resolve_addr out[RESOLVE_MAX_ADDRS];
	char err[RESOLVE_ERR_MAX] = "", *dir = make_tempdir(), *hosts, *empty;

	hosts = write_file(dir, "hosts", "10.0.0.1 db\n::1 localhost\n");
	empty = write_file(dir, "hosts-empty", "# nothing\n");
	/* resolv.conf is read only when DNS is needed: here it is a directory */
	ck_assert_int_eq(resolve_host_in(dir, hosts, "10.9.8.7", 1, out, 0, err), 1);
	ck_assert_str_eq(text_of(&out[0]), "10.9.8.7");
	ck_assert_int_eq(resolve_host_in(dir, hosts, "::ffff:1.2.3.4", 1, out, 0, err), 1);
	ck_assert_int_eq(out[0].sa.sa_family, AF_INET6);
	ck_assert_int_eq(resolve_host_in(dir, hosts, "db.", 2, out, 0, err), 1);
	ck_assert_str_eq(text_of(&out[0]), "10.0.0.1");
	ck_assert_int_eq(port_of(&out[0]), 2);
	ck_assert_int_eq(resolve_host_in(dir, hosts, "LocalHost", 3, out, 0, err), 1);
	ck_assert_str_eq(text_of(&out[0]), "::1");
	ck_assert_int_eq(resolve_host_in(dir, empty, "localhost", 3, out, 0, err), 2);
	ck_assert_str_eq(text_of(&out[0]), "127.0.0.1");
	ck_assert_str_eq(text_of(&out[1]), "::1");
	ck_assert_int_eq(port_of(&out[1]), 3);
	ck_assert_int_eq(resolve_host_in(dir, empty, "svc", 3, out, now_ms() + 9000, err), -1);
	ck_assert_msg(strstr(err, "cannot read") && strstr(err, "Is a directory"), "%s", err);
	free(hosts);
	free(empty);
	rm_rf(dir);
	free(dir);
}
END_TEST

/* --- initc in a network namespace ------------------------------------- */

/* True when this test may create network and mount namespaces. */
static bool can_unshare_net(void)
{
	return geteuid() == 0 && system("unshare --net --mount true >/dev/null 2>&1") == 0;
}

/* The script run inside `unshare --net --mount`: lo up, resolv.conf and
 * hosts bind-mounted, the fake server on port 53, a TCP listener, then
 * initc with the config; its status is the script's. */
static const char netns_script[] =
	"set -eu\n"
	"d=$1; bin=$2\n"
	"ip link set lo up\n"
	"mount --bind \"$d/resolv.conf\" /etc/resolv.conf\n"
	"mount --bind \"$d/hosts\" /etc/hosts\n"
	"python3 tests/helpers/fake_dns.py --port 53 \"$d/dnsport\" \"$d/queries\" \\\n"
	"    svc.example.test=A:127.0.0.1 &\n"
	"dns=$!\n"
	"\"$HELPERS/tcp_listen\" -t 60 \"$d/tcpport\" &\n"
	"tcp=$!\n"
	"trap 'kill $dns $tcp 2>/dev/null || true' EXIT\n"
	"i=0; while [ ! -s \"$d/dnsport\" ] || [ ! -s \"$d/tcpport\" ]; do\n"
	"  i=$((i+1)); [ $i -lt 200 ] || { echo 'helpers did not start' >&2; exit 90; }\n"
	"  sleep 0.05; done\n"
	"TCP_PORT=$(cat \"$d/tcpport\") \"$bin\" -c \"$d/initc.ini\" && rc=0 || rc=$?\n"
	"exit $rc\n";

static void run_in_netns(const char *bin, const char *config, struct run_result *res,
			 char **queries)
{
	char *dir = make_tempdir(), *script, *ini, *q;
	const char *args[] = { "unshare", "--net", "--mount", "sh", NULL, dir, bin, NULL };

	script = write_file(dir, "run.sh", netns_script);
	free(write_file(dir, "resolv.conf",
			"nameserver 127.0.0.1\nsearch example.test\noptions ndots:2 timeout:2\n"));
	free(write_file(dir, "hosts", "127.0.0.1 localhost\n"));
	ini = write_file(dir, "initc.ini", config);
	args[4] = script;
	wait_initc(start_program(args, NULL, dir), dir, 60, res);
	q = path_join(dir, "queries");
	*queries = read_file(q);
	if (!*queries)
		*queries = strdup("");
	free(q);
	free(ini);
	free(script);
	rm_rf(dir);
	free(dir);
}

static void netns_case(const char *bin)
{
	struct run_result res;
	char *queries;

	run_in_netns(bin,
		     "[step:svc]\nwait_tcp = svc:${TCP_PORT}\nretries = 2\nretry_delay = 100ms\n"
		     "[step:local]\nwait_tcp = localhost:${TCP_PORT}\n"
		     "[step:gone]\nwait_tcp = nohost:${TCP_PORT}\noptional = true\n",
		     &res, &queries);
	ck_assert_msg(res.status == 0, "%s: status %d\n%s", bin, res.status, res.err);
	ASSERT_HAS(res.err, "step svc: succeeded");
	ASSERT_HAS(res.err, "step local: succeeded");
	ASSERT_HAS(res.err, "cannot resolve 'nohost': no such host");
	/* svc has fewer than ndots:2 dots: the search domain first, found */
	ck_assert_msg(strncmp(queries, "svc.example.test A\nsvc.example.test AAAA\n"
				       "nohost.example.test A\n", 63) == 0, "%s", queries);
	ck_assert_msg(strstr(queries, "\nnohost A\n"), "%s", queries);
	ck_assert_msg(!strstr(queries, "localhost"), "localhost asked of DNS:\n%s", queries);
	free(queries);
	run_result_free(&res);
}

START_TEST(test_initc_resolves_through_resolv_conf_in_netns)
{
	const char *st = getenv("INITC_STATIC");

	if (!can_unshare_net()) {
		printf("SKIP: needs root and unshare --net --mount; netns DNS test not run\n");
		return;
	}
	netns_case(initc_bin());
	if (st && *st)
		netns_case(st);
}
END_TEST

static Suite *resolve_suite(void)
{
	Suite *s = suite_create("resolve");
	TCase *unit = tcase_create("unit"), *dns = tcase_create("dns"), *netns = tcase_create("netns");

	tcase_add_test(unit, test_hosts_names_aliases_case_and_order);
	tcase_add_test(unit, test_hosts_missing_file_and_overlong_line);
	tcase_add_test(unit, test_conf_all_keys);
	tcase_add_test(unit, test_conf_defaults_limits_and_clamping);
	tcase_add_test(unit, test_conf_unreadable_is_an_error);
	tcase_add_test(unit, test_search_order);
	tcase_add_test(unit, test_query_bytes);
	tcase_add_test(unit, test_query_refuses_bad_names);
	tcase_add_test(unit, test_parse_good_answers);
	tcase_add_test(unit, test_parse_cname_then_a);
	tcase_add_test(unit, test_parse_ignores_replies_to_other_queries);
	tcase_add_test(unit, test_parse_rcodes);
	tcase_add_test(unit, test_parse_truncated_packets);
	tcase_add_test(unit, test_parse_bad_names_and_pointers);
	tcase_add_test(unit, test_format_addr);
	tcase_add_test(unit, test_numeric_matches_inet_pton);
	suite_add_tcase(s, unit);
	tcase_set_timeout(dns, 60);
	tcase_add_test(dns, test_dns_a_then_aaaa);
	tcase_add_test(dns, test_dns_search_order_ndots);
	tcase_add_test(dns, test_dns_nxdomain_is_no_such_host);
	tcase_add_test(dns, test_dns_wrong_id_and_question_are_ignored);
	tcase_add_test(dns, test_dns_servfail_goes_to_next_server);
	tcase_add_test(dns, test_dns_timeout_then_retry);
	tcase_add_test(dns, test_dns_no_answer_respects_deadline);
	tcase_add_test(dns, test_dns_refused_port_and_truncated_reply);
	tcase_add_test(dns, test_dns_a_without_aaaa_comes_in_time);
	tcase_add_test(dns, test_dns_dead_first_nameserver_second_answers);
	tcase_add_test(dns, test_dns_slow_server_answers_within_the_attempt);
	tcase_add_test(dns, test_dns_failures_name_server_and_rcode);
	tcase_add_test(dns, test_dns_servfail_burst_leaves_time_for_a_slow_second);
	tcase_add_test(dns, test_dns_keeps_forty_addresses);
	tcase_add_test(dns, test_dns_empty_resolv_conf_says_no_nameserver);
	tcase_add_test(unit, test_host_literals_hosts_localhost_and_files);
	suite_add_tcase(s, dns);
	tcase_set_timeout(netns, 120);
	tcase_add_test(netns, test_initc_resolves_through_resolv_conf_in_netns);
	suite_add_tcase(s, netns);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(resolve_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
