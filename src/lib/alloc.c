/* The static binary's allocator, about a tenth of the size of musl's.
 *
 * Requests up to 32 KiB are rounded up to a power of two from 16 B (twelve
 * size classes) and served from a free list per class, or else carved from
 * 64 KiB chunks mapped from the system. Larger requests get a mapping of
 * their own, unmapped when put back. Each block starts with a 16-byte
 * header (its usable size, and whether it is free), so that every pointer
 * handed out keeps the 16-byte alignment of max_align_t.
 *
 * Blocks of the size classes are reused, never returned to the system.
 * That is fine for initc: its working set is bounded (the config, the plan,
 * a few strings and buffers, libc's FILE and DIR buffers) and is mostly
 * built before the steps run, so what it keeps is its peak, a few pages.
 *
 * Not thread-safe, by design: initc is single-threaded and allocates only
 * in its main flow (signals arrive on a signalfd, not in handlers) and in
 * forked probe children, which are copies of that one thread; never
 * between fork and exec. A block put back twice, or a header that is not
 * ours, stops the program (a trap) instead of handing the block out twice. */
#include "alloc.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#define HDR 16                  /* header size, and the alignment of every block */
#define CLASS_MIN ((size_t)16)  /* the smallest class; ALLOC_CLASS_MAX the largest */
#define CLASSES 12              /* 16 << 11 == 32 KiB */
#define CHUNK ((size_t)65536)   /* small blocks are carved from mappings this big */
#define PAGE ((size_t)4096)     /* large mappings are rounded up to this */
#define REQUEST_MAX ((size_t)PTRDIFF_MAX - 2 * PAGE)
#define MARK_FREE ((size_t)0x46524545)  /* "FREE": the block is on a free list */

/* Aligned to HDR so that it is 16 bytes on 32-bit ABIs too (arm, i386),
 * where the two size_t take only 8. */
struct hdr {
	_Alignas(HDR) size_t cap;       /* usable bytes after the header */
	size_t state;   /* MARK_FREE on a free list, 0 in use */
};

_Static_assert(sizeof(struct hdr) == HDR, "the header keeps 16-byte alignment");
_Static_assert(CLASS_MIN << (CLASSES - 1) == ALLOC_CLASS_MAX, "classes end at the limit");

/* A free block's first bytes link it to the next one of its class. */
struct free_block {
	struct free_block *next;
};

static struct free_block *free_lists[CLASSES];
static char *chunk_next, *chunk_end;    /* the uncarved rest of the current chunk */

/* The smallest class whose blocks hold n bytes (n <= ALLOC_CLASS_MAX). */
static unsigned class_fit(size_t n)
{
	if (n <= CLASS_MIN)
		return 0;
	return (unsigned)(64 - __builtin_clzll((unsigned long long)n - 1)) - 4;
}

/* The largest class whose blocks fit in n bytes (n >= CLASS_MIN). */
static unsigned class_floor(size_t n)
{
	unsigned k = (unsigned)(63 - __builtin_clzll(n)) - 4;

	return k < CLASSES ? k : CLASSES - 1;
}

/* Fresh zeroed memory from the system; NULL with ENOMEM when it says no. */
static void *map(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		errno = ENOMEM;
		return NULL;
	}
	return p;
}

/* Marks a block in use and returns the pointer its user sees. */
static void *hand_out(struct hdr *h, size_t cap)
{
	h->cap = cap;
	h->state = 0;
	return h + 1;
}

/* Puts a small block on its class's free list. */
static void push_free(struct hdr *h)
{
	struct free_block *f = (struct free_block *)(h + 1);
	unsigned k = class_fit(h->cap);

	h->state = MARK_FREE;
	f->next = free_lists[k];
	free_lists[k] = f;
}

/* Before a new chunk replaces the current one, its rest goes to the free
 * lists in the largest blocks that fit, so that at most 16 bytes are lost. */
static void spill_chunk_rest(void)
{
	while ((size_t)(chunk_end - chunk_next) >= HDR + CLASS_MIN) {
		struct hdr *h = (struct hdr *)chunk_next;

		h->cap = CLASS_MIN << class_floor((size_t)(chunk_end - chunk_next) - HDR);
		chunk_next += HDR + h->cap;
		push_free(h);
	}
}

/* A block of class k: a recycled one, or one carved from the chunk. */
static void *get_small(unsigned k)
{
	size_t cap = CLASS_MIN << k;
	struct free_block *f = free_lists[k];
	struct hdr *h;

	if (f) {
		free_lists[k] = f->next;
		return hand_out((struct hdr *)f - 1, cap);
	}
	if ((size_t)(chunk_end - chunk_next) < HDR + cap) {
		char *c = map(CHUNK);

		if (!c)
			return NULL;
		spill_chunk_rest();
		chunk_next = c;
		chunk_end = c + CHUNK;
	}
	h = (struct hdr *)chunk_next;
	chunk_next += HDR + cap;
	return hand_out(h, cap);
}

/* A block with a mapping of its own, for n > ALLOC_CLASS_MAX. */
static void *get_large(size_t n)
{
	size_t len = (n + HDR + PAGE - 1) & ~(PAGE - 1);
	struct hdr *h = map(len);

	return h ? hand_out(h, len - HDR) : NULL;
}

/* malloc. */
void *alloc_get(size_t n)
{
	if (n > REQUEST_MAX) {
		errno = ENOMEM;
		return NULL;
	}
	if (n > ALLOC_CLASS_MAX)
		return get_large(n);
	return get_small(class_fit(n));
}

/* calloc. Large blocks are fresh mappings, zero already: not touching them
 * keeps untouched pages out of memory. */
void *alloc_zeroed(size_t n, size_t size)
{
	size_t total;
	void *p;

	if (__builtin_mul_overflow(n, size, &total)) {
		errno = ENOMEM;
		return NULL;
	}
	p = alloc_get(total);
	if (p && total <= ALLOC_CLASS_MAX)
		memset(p, 0, total);
	return p;
}

/* realloc. The block stays when n still needs its class (more than half
 * of it), so growing a string byte by byte copies it once per doubling; a
 * shrink that finds no memory for a smaller block keeps the old one. */
void *alloc_resize(void *p, size_t n)
{
	struct hdr *h;
	void *q;

	if (!p)
		return alloc_get(n);
	h = (struct hdr *)p - 1;
	if (n <= h->cap && (n > h->cap / 2 || h->cap == CLASS_MIN))
		return p;
	q = alloc_get(n);
	if (!q)
		return n <= h->cap ? p : NULL;
	memcpy(q, p, n < h->cap ? n : h->cap);
	alloc_put(p);
	return q;
}

/* free. A header that is free already or not one of ours traps: the heap
 * is corrupt, and going on could hand one block to two owners. */
void alloc_put(void *p)
{
	struct hdr *h;

	if (!p)
		return;
	h = (struct hdr *)p - 1;
	if (h->state != 0)
		__builtin_trap();
	if (h->cap > ALLOC_CLASS_MAX) {
		if (munmap(h, h->cap + HDR) != 0)
			__builtin_trap();
		return;
	}
	if (h->cap & (h->cap - 1))
		__builtin_trap();
	push_free(h);
}

/* malloc_usable_size, for the tests. */
size_t alloc_usable(const void *p)
{
	return ((const struct hdr *)p - 1)->cap;
}
