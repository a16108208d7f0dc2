/* libFuzzer harness for the resolver's packet code: the first byte picks
 * the query (A or AAAA for "db.example", id 0x1234) and the rest is the
 * reply handed to resolve_parse; every address it returns is formatted.
 * With bit 1 of the first byte set, the rest is a host name instead, run
 * through the search list and the query builder. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "resolve.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A name through resolve_candidate and resolve_query. */
static void fuzz_name(const uint8_t *data, size_t size)
{
	struct resolve_conf c = { .ndots = 2, .n_search = 2 };
	char *name = malloc(size + 1), cand[RESOLVE_NAME_MAX];
	uint8_t q[RESOLVE_NAME_MAX + 18];

	memcpy(name, data, size);
	name[size] = '\0';
	strcpy(c.search[0], "default.svc.cluster.local");
	strcpy(c.search[1], "example.");
	for (int i = 0; resolve_candidate(&c, name, i, cand, sizeof(cand)); i++)
		resolve_query(q, sizeof(q), cand, RESOLVE_A, 7);
	free(name);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	union resolve_addr out[RESOLVE_MAX_ADDRS];
	char text[RESOLVE_ADDR_TEXT];
	uint8_t q[64], *pkt;
	size_t qlen;
	int n = 0;

	if (size < 1)
		return 0;
	if (data[0] & 2) {
		fuzz_name(data + 1, size - 1);
		return 0;
	}
	qlen = resolve_query(q, sizeof(q), "db.example", data[0] & 1 ? RESOLVE_AAAA : RESOLVE_A,
			     0x1234);
	/* an exact-size copy, so ASan sees any read past the packet */
	pkt = malloc(size - 1 ? size - 1 : 1);
	memcpy(pkt, data + 1, size - 1);
	resolve_parse(pkt, size - 1, q, qlen, 80, out, RESOLVE_MAX_ADDRS, &n);
	for (int i = 0; i < n; i++)
		format_addr(&out[i], text);
	free(pkt);
	return 0;
}
