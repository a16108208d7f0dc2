/* The HTTP side of http:// probes: the request, and a parser for the head
 * of a reply (status line and header lines). Pure: no I/O, so the fuzzer
 * feeds it any bytes a server could send. */
#ifndef INITC_HTTP_H
#define INITC_HTTP_H

#include <stddef.h>

/* A reply's head (status line and headers) longer than this is refused. */
#define HTTP_HEAD_MAX 8192
#define HTTP_WHY_MAX 128

enum http_parse { HTTP_MORE, HTTP_DONE, HTTP_BAD };

struct http_reply {
	int status;		  /* HTTP_DONE: 100-999 */
	char reason[64];	  /* the reason phrase, made printable */
	char why[HTTP_WHY_MAX];	  /* HTTP_BAD: what is wrong with the reply */
};

/* "GET path HTTP/1.1" with Host and Connection: close, in buf. Returns its
 * length, or 0 when it does not fit. */
size_t http_request(char *buf, size_t len, const char *host, const char *path);

/* Parses the first len bytes of a reply: HTTP_DONE once the head is whole
 * and well-formed (status and reason in r), HTTP_MORE while it may still
 * be, HTTP_BAD (why in r) as soon as it cannot be. */
enum http_parse http_parse(const char *buf, size_t len, struct http_reply *r);

#endif
