/* HTTP/1.1 for http:// probes: what initc asks and how it reads the answer.
 *
 * Only the head of the reply matters (RFC 9112 section 4: the status line,
 * then header lines up to an empty line); the body is never read. The
 * parser decides as early as it can: bytes that cannot begin a status line
 * fail at once, so garbage or a slow drip of it ends the attempt without
 * waiting for a line end. Lines may end in CRLF or a bare LF, as most
 * clients accept. */
#include "http.h"

#include <stdbool.h>
#include <string.h>

#include "format.h"

size_t http_request(char *buf, size_t len, const char *host, const char *path)
{
	int n = str_format(buf, len,
			   "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: initc\r\nAccept: */*\r\n"
			   "Connection: close\r\n\r\n",
			   path, host);

	return n > 0 && (size_t)n < len ? (size_t)n : 0;
}

/* A server's bytes as a short printable quote for a message: anything but
 * printable ASCII becomes '?' (they go to logs and terminals). */
static void quote(char *out, size_t cap, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n && i + 1 < cap; i++)
		out[i] = (char)(s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?');
	out[i] = '\0';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* "HTTP/d.d ddd" as far as n bytes of it go: false as soon as a byte is
 * wrong (the reply is no HTTP). */
static bool status_prefix_ok(const char *s, size_t n)
{
	static const char shape[] = "HTTP/9.9 999";

	for (size_t i = 0; i < n && i < sizeof(shape) - 1; i++)
		if (shape[i] == '9' ? !is_digit(s[i]) : s[i] != shape[i])
			return false;
	return true;
}

static enum http_parse bad(struct http_reply *r, const char *what, const char *s, size_t n)
{
	char q[40];

	quote(q, sizeof(q), s, n);
	str_format(r->why, sizeof(r->why), "%s: '%s'", what, q);
	return HTTP_BAD;
}

/* The status line (line of n bytes, no line end): "HTTP/1.1 503 Reason". */
static enum http_parse parse_status(const char *line, size_t n, struct http_reply *r)
{
	if (n < 12 || !status_prefix_ok(line, n) || (n > 12 && line[12] != ' '))
		return bad(r, "not an HTTP reply", line, n);
	r->status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
	if (line[9] == '0')
		return bad(r, "bad HTTP status", line, n);
	n = n > 13 ? n - 13 : 0;
	quote(r->reason, sizeof(r->reason), line + 13, n);
	return HTTP_MORE;
}

/* One header line: a field name (visible characters, no ':') and ':'. */
static bool header_ok(const char *line, size_t n)
{
	/* Bytes as unsigned char: char is signed on x86, unsigned on arm. */
	const unsigned char *p = (const unsigned char *)line, *end = p + n;
	const unsigned char *colon = memchr(p, ':', n);

	if (!colon || colon == p)
		return false;
	for (; p < colon; p++)
		if (*p <= 0x20 || *p >= 0x7f)
			return false;
	for (; p < end; p++)
		if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
			return false;
	return true;
}

enum http_parse http_parse(const char *buf, size_t len, struct http_reply *r)
{
	size_t off = 0;

	memset(r, 0, sizeof(*r));
	if (!status_prefix_ok(buf, len))
		return bad(r, "not an HTTP reply", buf, len < 32 ? len : 32);
	for (int line_no = 0;; line_no++) {
		const char *nl = memchr(buf + off, '\n', len - off);
		size_t n;

		if (!nl)
			break;
		n = (size_t)(nl - (buf + off));
		if (n && buf[off + n - 1] == '\r')
			n--;
		if (line_no == 0) {
			if (parse_status(buf + off, n, r) == HTTP_BAD)
				return HTTP_BAD;
		} else if (n == 0) {
			return HTTP_DONE;
		} else if (!header_ok(buf + off, n)) {
			return bad(r, "bad header line in the reply", buf + off, n < 32 ? n : 32);
		}
		off = (size_t)(nl - buf) + 1;
	}
	if (len >= HTTP_HEAD_MAX) {
		str_format(r->why, sizeof(r->why), "the reply's head is longer than %d bytes",
			   HTTP_HEAD_MAX);
		return HTTP_BAD;
	}
	return HTTP_MORE;
}
