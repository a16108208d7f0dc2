/* libFuzzer harness for the probe engine's pure parts: with the first
 * byte even, the rest is a server's reply fed to http_parse in every
 * prefix a slow server could deliver it in (as probe.c re-parses after
 * each read); odd, the rest is a probe's text for probe_parse, and a good
 * http:// probe's request is built. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "probe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The reply, in exact-size copies so that ASan sees any read past the end. */
static void fuzz_reply(const uint8_t *data, size_t size)
{
	struct http_reply r;
	size_t step = size > 64 ? size / 16 : 1;

	for (size_t n = 0; n <= size; n += step) {
		char *buf = malloc(n ? n : 1);
		enum http_parse st;

		memcpy(buf, data, n);
		st = http_parse(buf, n, &r);
		free(buf);
		if (st == HTTP_DONE && (r.status < 100 || r.status > 999))
			abort();
		if (st != HTTP_MORE)
			break;
	}
}

static void fuzz_probe_text(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), err[512], req[PATH_MAX + 512];
	struct probe p;

	memcpy(text, data, size);
	text[size] = '\0';
	if (probe_parse(text, &p, err, sizeof(err)) == 0 && p.kind == PROBE_HTTP &&
	    (http_request(req, sizeof(req), p.host_header, p.path) == 0 || strpbrk(p.path, " \r\n")))
		abort(); /* a good probe always makes one clean request line */
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (data[0] & 1)
		fuzz_probe_text(data + 1, size - 1);
	else
		fuzz_reply(data + 1, size - 1);
	return 0;
}
