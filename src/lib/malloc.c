/* The libc names of src/lib/alloc.c, linked into build/initc-static only: they
 * replace musl's malloc (mallocng, about 10 KB of the binary), which nothing
 * else in the static link then pulls in. The dev build keeps libc's malloc,
 * so that ASan and valgrind keep checking the heap. musl's and inih's own
 * calls (inih's line buffer) land here too; nothing in the
 * static link calls musl's internal __libc_malloc (checked in the link map). */
#include <stdlib.h>

#include "alloc.h"

/* Each is the alloc.c function of the same meaning. */
void *malloc(size_t n)
{
	return alloc_get(n);
}

void *calloc(size_t n, size_t size)
{
	return alloc_zeroed(n, size);
}

void *realloc(void *p, size_t n)
{
	return alloc_resize(p, n);
}

void free(void *p)
{
	alloc_put(p);
}
