/* Unit tests for src/lib/alloc.c, the static binary's malloc: alignment, every
 * class boundary, reuse, resizing across classes, zeroing of recycled
 * memory, overflow, large blocks given back to the system, traps on a
 * double free, and a randomized run against a shadow model. Check forks
 * each test, so each starts with an empty heap. */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"

#define CLASS_COUNT 12

/* Fills n bytes with a pattern that depends on seed and position. */
static void fill(unsigned char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(seed + i * 7 + (i >> 8));
}

/* True when fill(p, n, seed) is still intact. */
static bool intact(const unsigned char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != (unsigned char)(seed + i * 7 + (i >> 8)))
			return false;
	return true;
}

static bool aligned16(const void *p)
{
	return ((uintptr_t)p & 15) == 0;
}

/* A value from /proc/self/status in kB, such as VmSize. */
static long status_kb(const char *key)
{
	char line[256];
	long kb = -1;
	size_t len = strlen(key);
	FILE *fp = fopen("/proc/self/status", "r");

	ck_assert_msg(fp != NULL, "/proc/self/status");
	while (fgets(line, sizeof(line), fp))
		if (strncmp(line, key, len) == 0 && line[len] == ':')
			kb = atol(line + len + 1);
	fclose(fp);
	ck_assert_msg(kb >= 0, "%s not in /proc/self/status", key);
	return kb;
}

/* True when addr lies in one of the process's mappings. */
static bool mapped(const void *addr)
{
	char line[512];
	bool found = false;
	FILE *fp = fopen("/proc/self/maps", "r");

	ck_assert_msg(fp != NULL, "/proc/self/maps");
	while (!found && fgets(line, sizeof(line), fp)) {
		unsigned long lo, hi;

		if (sscanf(line, "%lx-%lx", &lo, &hi) == 2)
			found = (uintptr_t)addr >= lo && (uintptr_t)addr < hi;
	}
	fclose(fp);
	return found;
}

START_TEST(test_every_pointer_is_aligned_and_big_enough)
{
	static const size_t big[] = { 4097, 32767, 32768, 32769, 65536, 100000, 1 << 20 };

	for (size_t n = 0; n <= 4200; n++) {
		unsigned char *p = alloc_get(n);

		ck_assert_msg(p != NULL && aligned16(p), "size %zu: %p", n, (void *)p);
		ck_assert_uint_ge(alloc_usable(p), n);
		fill(p, n, (unsigned)n);
		ck_assert(intact(p, n, (unsigned)n));
		if (n % 3)
			alloc_put(p);
	}
	for (size_t i = 0; i < sizeof(big) / sizeof(big[0]); i++) {
		unsigned char *p = alloc_get(big[i]);

		ck_assert_msg(p != NULL && aligned16(p), "size %zu: %p", big[i], (void *)p);
		ck_assert_uint_ge(alloc_usable(p), big[i]);
		fill(p, big[i], 3);
		ck_assert(intact(p, big[i], 3));
		alloc_put(p);
	}
}
END_TEST

START_TEST(test_class_boundaries)
{
	ck_assert_uint_eq(alloc_usable(alloc_get(0)), 16);
	ck_assert_uint_eq(alloc_usable(alloc_get(1)), 16);
	for (int k = 0; k < CLASS_COUNT; k++) {
		size_t size = (size_t)16 << k;

		ck_assert_uint_eq(alloc_usable(alloc_get(size - 1)), size > 16 ? size : 16);
		ck_assert_uint_eq(alloc_usable(alloc_get(size)), size);
		if (size < ALLOC_CLASS_MAX)
			ck_assert_uint_eq(alloc_usable(alloc_get(size + 1)), size * 2);
	}
	/* past the classes: a mapping of its own, in whole pages */
	ck_assert_uint_eq(alloc_usable(alloc_get(ALLOC_CLASS_MAX + 1)), 9 * 4096 - 16);
	ck_assert_uint_eq(alloc_usable(alloc_get(3 * 4096 * 4)), 13 * 4096 - 16);
}
END_TEST

START_TEST(test_freed_block_is_reused_by_its_class)
{
	void *a = alloc_get(100);
	void *b = alloc_get(100);

	alloc_put(a);
	alloc_put(b);
	/* last in, first out, for any size of the class (65..128) */
	ck_assert_ptr_eq(alloc_get(65), b);
	ck_assert_ptr_eq(alloc_get(128), a);
	/* another class does not take it */
	a = alloc_get(20);
	alloc_put(a);
	ck_assert_ptr_ne(alloc_get(64), a);
	ck_assert_ptr_eq(alloc_get(17), a);
}
END_TEST

START_TEST(test_malloc_zero_gives_unique_freeable_pointers)
{
	void *a = alloc_get(0);
	void *b = alloc_get(0);

	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_ptr_ne(a, b);
	alloc_put(a);
	alloc_put(b);
	alloc_put(NULL);
}
END_TEST

START_TEST(test_resize_across_classes_keeps_contents)
{
	unsigned char *p = NULL;
	size_t n = 0;

	/* grows from nothing through every class into the large blocks */
	for (size_t m = 1; m <= 300000; m = m * 3 + 1) {
		p = alloc_resize(p, m);
		ck_assert_msg(p != NULL && aligned16(p), "grow to %zu", m);
		ck_assert_msg(intact(p, n, 11), "grow %zu -> %zu lost the contents", n, m);
		fill(p, m, 11);
		n = m;
	}
	/* and back down to one byte */
	while (n > 1) {
		size_t m = n / 5 + 1;

		p = alloc_resize(p, m);
		ck_assert_msg(p != NULL && aligned16(p), "shrink to %zu", m);
		ck_assert_msg(intact(p, m, 11), "shrink %zu -> %zu lost the contents", n, m);
		n = m;
	}
	alloc_put(p);
}
END_TEST

START_TEST(test_resize_within_class_keeps_block)
{
	unsigned char *p = alloc_get(20);
	unsigned char *q;

	fill(p, 20, 5);
	ck_assert_ptr_eq(alloc_resize(p, 32), p);
	ck_assert_ptr_eq(alloc_resize(p, 17), p);
	/* 16 bytes fit a smaller class: it moves there, contents kept */
	q = alloc_resize(p, 16);
	ck_assert_ptr_ne(q, p);
	ck_assert_uint_eq(alloc_usable(q), 16);
	ck_assert(intact(q, 16, 5));
	/* the smallest class keeps its block down to zero bytes */
	ck_assert_ptr_eq(alloc_resize(q, 0), q);
	/* a large block keeps its mapping while more than half is needed */
	p = alloc_get(100000);
	ck_assert_ptr_eq(alloc_resize(p, 60000), p);
	q = alloc_resize(p, 1000);
	ck_assert_ptr_ne(q, p);
	ck_assert_uint_eq(alloc_usable(q), 1024);
}
END_TEST

START_TEST(test_resize_null_is_get)
{
	void *p = alloc_resize(NULL, 40);

	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(alloc_usable(p), 64);
	alloc_put(p);
}
END_TEST

START_TEST(test_zeroed_clears_recycled_memory)
{
	for (int k = 0; k < CLASS_COUNT; k++) {
		size_t size = (size_t)16 << k;
		unsigned char *p = alloc_get(size);
		unsigned char *z;

		memset(p, 0xa5, size);
		alloc_put(p);
		z = alloc_zeroed(size / 8, 8);
		ck_assert_ptr_eq(z, p);
		for (size_t i = 0; i < size; i++)
			ck_assert_msg(z[i] == 0, "class %zu: byte %zu is %#x", size, i, z[i]);
	}
	/* large blocks are fresh mappings */
	{
		unsigned char *z = alloc_zeroed(1, 200000);

		for (size_t i = 0; i < 200000; i++)
			ck_assert_msg(z[i] == 0, "large: byte %zu", i);
		alloc_put(z);
	}
}
END_TEST

START_TEST(test_overflow_gives_enomem)
{
	static const size_t huge[] = { SIZE_MAX, SIZE_MAX - 15, SIZE_MAX - 4096,
				       (size_t)PTRDIFF_MAX + 1, (size_t)PTRDIFF_MAX };
	unsigned char *p = alloc_get(50);

	fill(p, 50, 9);
	for (size_t i = 0; i < sizeof(huge) / sizeof(huge[0]); i++) {
		errno = 0;
		ck_assert_msg(alloc_get(huge[i]) == NULL && errno == ENOMEM, "get %zu", huge[i]);
		errno = 0;
		ck_assert_msg(alloc_resize(p, huge[i]) == NULL && errno == ENOMEM, "resize %zu", huge[i]);
		ck_assert(intact(p, 50, 9));
	}
	errno = 0;
	ck_assert(alloc_zeroed(SIZE_MAX / 2 + 1, 2) == NULL && errno == ENOMEM);
	errno = 0;
	ck_assert(alloc_zeroed(2, SIZE_MAX / 2 + 1) == NULL && errno == ENOMEM);
	errno = 0;
	ck_assert(alloc_zeroed((size_t)1 << 32, (size_t)1 << 32) == NULL && errno == ENOMEM);
	/* a product of zero is a valid empty request */
	ck_assert_ptr_nonnull(alloc_zeroed(0, SIZE_MAX));
	/* more than the address space allows, but no overflow: the system says no */
	errno = 0;
	ck_assert(alloc_get((size_t)1 << 62) == NULL && errno == ENOMEM);
	alloc_put(p);
}
END_TEST

START_TEST(test_large_blocks_are_unmapped)
{
	long before;
	unsigned char *p = alloc_get(1 << 20);

	fill(p, 1 << 20, 1);
	ck_assert(mapped(p));
	alloc_put(p);
	ck_assert_msg(!mapped(p), "a freed large block is still mapped");

	before = status_kb("VmSize");
	for (int i = 0; i < 300; i++) {
		p = alloc_get((size_t)(i % 7 + 1) << 18);
		fill(p, 4096, (unsigned)i);
		alloc_put(p);
	}
	ck_assert_msg(status_kb("VmSize") - before < 1024, "VmSize grew from %ld kB to %ld kB",
		      before, status_kb("VmSize"));
}
END_TEST

START_TEST(test_small_blocks_are_reused_not_grown)
{
	long before;

	/* warm up every class, then churn: the heap must not grow */
	for (int k = 0; k < CLASS_COUNT; k++)
		alloc_put(alloc_get((size_t)16 << k));
	before = status_kb("VmSize");
	for (int i = 0; i < 100000; i++) {
		void *a = alloc_get((size_t)(i * 37) % ALLOC_CLASS_MAX);
		void *b = alloc_get((size_t)(i * 11) % 700);

		alloc_put(a);
		alloc_put(b);
	}
	ck_assert_int_le(status_kb("VmSize") - before, 256);
}
END_TEST

START_TEST(test_chunk_rest_is_not_lost)
{
	unsigned char *a = alloc_get(ALLOC_CLASS_MAX);
	unsigned char *b = alloc_get(ALLOC_CLASS_MAX);

	/* b needs a new chunk; the 32752 bytes left after a became free blocks
	 * of 16 KiB, 8 KiB, ...: the first of them follows a */
	ck_assert_ptr_ne(b, a + ALLOC_CLASS_MAX + 16);
	ck_assert_ptr_eq(alloc_get(16384), a + ALLOC_CLASS_MAX + 16);
	ck_assert_ptr_eq(alloc_get(8192), a + ALLOC_CLASS_MAX + 16 + 16384 + 16);
}
END_TEST

START_TEST(test_double_free_traps)
{
	void *p = alloc_get(24);

	alloc_put(p);
	alloc_put(p);
}
END_TEST

START_TEST(test_foreign_header_traps)
{
	/* a header with a size that is no class: the heap is corrupt */
	size_t fake[8] = { 100, 0, 0, 0 };

	alloc_put(&fake[2]);
}
END_TEST

/* xorshift64: the same sequence in every run. */
static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Mostly small sizes like initc's, now and then a big one. */
static size_t rnd_size(uint64_t *s)
{
	uint64_t r = rnd(s);

	switch (r % 16) {
	case 0:
		return (size_t)(r >> 8) % 150000;
	case 1:
	case 2:
		return (size_t)(r >> 8) % 40000;
	default:
		return (size_t)(r >> 8) % 600;
	}
}

struct shadow {
	unsigned char *p;
	size_t n;
	unsigned seed;
};

START_TEST(test_random_against_shadow_model)
{
	enum { SLOTS = 400, OPS = 60000 };
	static struct shadow live[SLOTS];
	uint64_t s = 0x9e3779b97f4a7c15ULL;

	for (unsigned op = 0; op < OPS; op++) {
		struct shadow *b = &live[rnd(&s) % SLOTS];
		uint64_t what = rnd(&s) % 3;

		if (b->p)
			ck_assert_msg(intact(b->p, b->n, b->seed), "op %u: a block of %zu changed", op, b->n);
		if (!b->p || what == 0) {
			size_t n = rnd_size(&s);
			unsigned char *q = b->p ? alloc_resize(b->p, n) : alloc_get(n);

			ck_assert_msg(q && aligned16(q) && alloc_usable(q) >= n, "op %u: %zu", op, n);
			if (b->p)
				ck_assert(intact(q, n < b->n ? n : b->n, b->seed));
			b->p = q;
			b->n = n;
			b->seed = op;
			fill(q, n, op);
		} else if (what == 1) {
			alloc_put(b->p);
			b->p = NULL;
		}
	}
	/* no two live blocks overlap: every pattern survived */
	for (int i = 0; i < SLOTS; i++) {
		if (live[i].p)
			ck_assert_msg(intact(live[i].p, live[i].n, live[i].seed), "slot %d", i);
		alloc_put(live[i].p);
	}
}
END_TEST

static Suite *alloc_suite(void)
{
	Suite *s = suite_create("alloc");
	TCase *tc = tcase_create("alloc");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_every_pointer_is_aligned_and_big_enough);
	tcase_add_test(tc, test_class_boundaries);
	tcase_add_test(tc, test_freed_block_is_reused_by_its_class);
	tcase_add_test(tc, test_malloc_zero_gives_unique_freeable_pointers);
	tcase_add_test(tc, test_resize_across_classes_keeps_contents);
	tcase_add_test(tc, test_resize_within_class_keeps_block);
	tcase_add_test(tc, test_resize_null_is_get);
	tcase_add_test(tc, test_zeroed_clears_recycled_memory);
	tcase_add_test(tc, test_overflow_gives_enomem);
	tcase_add_test(tc, test_large_blocks_are_unmapped);
	tcase_add_test(tc, test_small_blocks_are_reused_not_grown);
	tcase_add_test(tc, test_chunk_rest_is_not_lost);
	tcase_add_test_raise_signal(tc, test_double_free_traps, SIGILL);
	tcase_add_test_raise_signal(tc, test_foreign_header_traps, SIGILL);
	tcase_add_test(tc, test_random_against_shadow_model);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(alloc_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
