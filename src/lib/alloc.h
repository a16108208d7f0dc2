/* initc's own small allocator: the heap of build/initc-static, where
 * src/lib/malloc.c gives these functions the names malloc, free, calloc and
 * realloc (the dev build keeps libc's malloc, so ASan and valgrind keep
 * checking the heap). Not thread-safe: initc is single-threaded. */
#ifndef INITC_ALLOC_H
#define INITC_ALLOC_H

#include <stddef.h>

/* Requests up to this size come from size classes; larger ones get a
 * mapping of their own, returned to the system when put back. */
#define ALLOC_CLASS_MAX ((size_t)32768)

/* n bytes aligned to 16 (max_align_t); n == 0 gives a unique pointer.
 * NULL with errno ENOMEM when there is no memory or n is absurd. */
void *alloc_get(size_t n);
/* n * size bytes, all zero; NULL with ENOMEM when n * size overflows. */
void *alloc_zeroed(size_t n, size_t size);
/* realloc: p's contents up to n bytes in a block of n bytes, often p
 * itself; p == NULL is alloc_get(n). On failure NULL, and p is kept. */
void *alloc_resize(void *p, size_t n);
/* Gives back a block from the functions above; NULL is a no-op. */
void alloc_put(void *p);
/* The bytes usable in p's block (at least what was asked for). */
size_t alloc_usable(const void *p);

#endif
