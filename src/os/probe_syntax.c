/* The probe syntax (probe.h): text -> struct probe, or an error that says
 * how to write it. Pure, so config loading can check every probe and the
 * fuzzer can feed it anything. */
#include "probe.h"

#include <string.h>
#include <sys/un.h>

#include "format.h"
#include "parse.h"
#include "util.h"

#define PROBE_SYNTAX \
	"write tcp://HOST:PORT, http://HOST[:PORT][/PATH], unix:///PATH, dns://NAME or file:///PATH"

static const struct {
	const char *scheme;
	enum probe_kind kind;
} schemes[] = {
	{ "tcp://", PROBE_TCP },   { "http://", PROBE_HTTP }, { "unix://", PROBE_UNIX },
	{ "dns://", PROBE_DNS },   { "file://", PROBE_FILE },
};

/* A host name as DNS and /etc/hosts know them (letters, digits, '-', '_',
 * '.'), or an IPv4 address: 1 to 253 characters. */
static bool host_name_ok(const char *s, size_t n)
{
	if (n == 0 || n > 253 || s[0] == '.')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '_' || s[i] == '.'))
			return false;
	return true;
}

int probe_parse_tcp(const char *target, struct probe *p, char *err, size_t len)
{
	char port[8];
	unsigned long n = 0;

	memset(p, 0, sizeof(*p));
	p->kind = PROBE_TCP;
	if (parse_host_port(target, p->host, sizeof(p->host), port, sizeof(port), err, len) == -1)
		return -1;
	scan_ulong(port, 65535, &n); /* parse_host_port checked it */
	p->port = (int)n;
	return 0;
}

/* unix:///PATH and file:///PATH: an absolute path that fits. */
static int parse_path(const char *scheme, const char *path, struct probe *p, char *err, size_t len)
{
	size_t max = p->kind == PROBE_UNIX ? sizeof(((struct sockaddr_un *)0)->sun_path) : PATH_MAX;

	if (path[0] != '/') {
		str_format(err, len, "%s takes an absolute path: write %s/PATH (three slashes)",
			   scheme, scheme);
		return -1;
	}
	if (strlen(path) >= max) {
		str_format(err, len, "the path of %s%s is longer than %zu bytes", scheme, path,
			   max - 1);
		return -1;
	}
	memcpy(p->path, path, strlen(path) + 1);
	return 0;
}

int probe_parse_file(const char *path, struct probe *p, char *err, size_t len)
{
	memset(p, 0, sizeof(*p));
	p->kind = PROBE_FILE;
	if (strlen(path) >= sizeof(p->path)) {
		str_format(err, len, "the path is longer than %zu bytes", sizeof(p->path) - 1);
		return -1;
	}
	memcpy(p->path, path, strlen(path) + 1);
	return 0;
}

/* The host and port of http://HOST[:PORT] (auth holds n bytes). */
static int parse_authority(const char *auth, size_t n, struct probe *p, char *err, size_t len)
{
	const char *colon = NULL, *host = auth;
	size_t hlen = n;
	unsigned long port = 80;
	char num[8], perr[PARSE_ERR_MAX];

	if (n && auth[0] == '[') {
		const char *close = memchr(auth, ']', n);
		union resolve_addr a;

		hlen = close ? (size_t)(close - auth - 1) : 0;
		host = auth + 1;
		if (close && close + 1 < auth + n)
			colon = *(close + 1) == ':' ? close + 1 : auth;
		if (hlen && hlen < sizeof(p->host)) {
			str_format(p->host, sizeof(p->host), "%.*s", (int)hlen, host);
			if (!resolve_numeric(p->host, 0, &a) || a.sa.sa_family != AF_INET6)
				hlen = 0;
		}
	} else if ((colon = memchr(auth, ':', n))) {
		hlen = (size_t)(colon - auth);
	}
	if (colon == auth || (colon && (size_t)(auth + n - colon - 1) >= sizeof(num))) {
		str_format(err, len, "bad port in http://%.*s; write http://HOST:PORT/PATH", (int)n, auth);
		return -1;
	}
	if (colon) {
		str_format(num, sizeof(num), "%.*s", (int)(auth + n - colon - 1), colon + 1);
		if (parse_uint(num, 65535, &port, perr) == -1 || port == 0) {
			str_format(err, len, "bad port '%s' in http://%.*s; give 1 to 65535", num,
				   (int)n, auth);
			return -1;
		}
	}
	if (auth[0] != '[' && !host_name_ok(host, hlen)) {
		str_format(err, len, "bad host '%.*s' in the http:// probe; write http://HOST[:PORT][/PATH]"
			   " (IPv6: http://[ADDR]:PORT/)", (int)hlen, host);
		return -1;
	}
	if (!hlen) {
		str_format(err, len, "bad IPv6 address in http://%.*s; write http://[ADDR]:PORT/",
			   (int)n, auth);
		return -1;
	}
	str_format(p->host, sizeof(p->host), "%.*s", (int)hlen, host);
	p->port = (int)port;
	str_format(p->host_header, sizeof(p->host_header), "%s%s%s", auth[0] == '[' ? "[" : "",
		   p->host, auth[0] == '[' ? "]" : "");
	if (port != 80)
		str_format(p->host_header + strlen(p->host_header),
			   sizeof(p->host_header) - strlen(p->host_header), ":%lu", port);
	return 0;
}

/* http://HOST[:PORT][/PATH]: the path (with its query; a #fragment is not
 * sent) goes on the request line as written, so it must be visible ASCII. */
static int parse_http(const char *rest, struct probe *p, char *err, size_t len)
{
	size_t n = strcspn(rest, "/?#"), plen;
	const char *path = rest + n;

	if (memchr(rest, '@', n)) {
		str_format(err, len, "user names and passwords in an http:// probe are not supported;"
			   " use a command step for a protected endpoint");
		return -1;
	}
	if (parse_authority(rest, n, p, err, len) == -1)
		return -1;
	plen = strcspn(path, "#");
	for (size_t i = 0; i < plen; i++)
		if (path[i] <= 0x20 || path[i] >= 0x7f) {
			str_format(err, len, "the path of http://%s has a space or a control or non-ASCII"
				   " character; percent-encode it (%%20 for a space)", rest);
			return -1;
		}
	if (plen + 2 > sizeof(p->path)) {
		str_format(err, len, "the path of the http:// probe is too long");
		return -1;
	}
	str_format(p->path, sizeof(p->path), "%s%.*s", path[0] == '/' ? "" : "/", (int)plen, path);
	return 0;
}

/* What follows the scheme, by kind. */
static int parse_rest(const char *scheme, const char *rest, struct probe *p, char *err, size_t len)
{
	switch (p->kind) {
	case PROBE_TCP:
		if (strchr(rest, '/')) {
			str_format(err, len, "tcp:// takes HOST:PORT and nothing after it");
			return -1;
		}
		return probe_parse_tcp(rest, p, err, len);
	case PROBE_HTTP:
		return parse_http(rest, p, err, len);
	case PROBE_DNS:
		if (!host_name_ok(rest, strlen(rest))) {
			str_format(err, len, "bad name '%s' in the dns:// probe; write dns://NAME"
				   " (letters, digits, '-', '_' and '.', at most 253)", rest);
			return -1;
		}
		memcpy(p->host, rest, strlen(rest) + 1);
		return 0;
	default:
		return parse_path(scheme, rest, p, err, len);
	}
}

/* The "://" after the scheme, or NULL (strstr would bring 1.3 KiB of musl
 * into the static binary for this one search). */
static const char *scheme_end(const char *text)
{
	for (; *text; text++)
		if (text[0] == ':' && text[1] == '/' && text[2] == '/')
			return text;
	return NULL;
}

int probe_parse(const char *text, struct probe *p, char *err, size_t len)
{
	const char *sep = scheme_end(text);

	memset(p, 0, sizeof(*p));
	if (str_case_eqn(text, "https://", 8)) {
		str_format(err, len, "https:// is not supported: initc speaks no TLS; probe a plain"
			   " HTTP port (http://HOST:PORT/PATH), or use a command step (such as"
			   " command = curl -fsS https://...)");
		return -1;
	}
	for (size_t i = 0; sep && i < sizeof(schemes) / sizeof(schemes[0]); i++)
		if ((size_t)(sep + 3 - text) == strlen(schemes[i].scheme) &&
		    str_case_eqn(text, schemes[i].scheme, strlen(schemes[i].scheme))) {
			p->kind = schemes[i].kind;
			return parse_rest(schemes[i].scheme, sep + 3, p, err, len);
		}
	if (sep)
		str_format(err, len, "unknown probe '%.*s'; %s", (int)(sep + 3 - text), text,
			   PROBE_SYNTAX);
	else
		str_format(err, len, "bad probe '%s'; %s", text, PROBE_SYNTAX);
	return -1;
}

