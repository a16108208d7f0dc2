/* Small utilities: allocation that never returns NULL, string vectors, time. */
#include "util.h"
#include "format.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* initc allocates little (the config and plan, then each child's
 * environment and a few buffers) and can do nothing useful without it:
 * out of memory, it says so and exits, as it does for a bad config. */
static void out_of_memory(void)
{
	static const char msg[] = "initc: out of memory\n";
	ssize_t r = write(STDERR_FILENO, msg, sizeof(msg) - 1);
	(void)r;
	_exit(EXIT_CONFIG);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		out_of_memory();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		out_of_memory();
	return q;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void strv_push(struct strv *sv, char *s)
{
	if (sv->n + 2 > sv->cap) {
		sv->cap = sv->cap ? sv->cap * 2 : 4;
		sv->v = xrealloc(sv->v, sv->cap * sizeof(*sv->v));
	}
	sv->v[sv->n++] = s;
	sv->v[sv->n] = NULL;
}

/* For vectors whose size is known up front: one allocation, where pushing
 * one by one reallocates (and copies) at every doubling. */
void strv_reserve(struct strv *sv, size_t n)
{
	if (sv->n + n + 1 > sv->cap) {
		sv->cap = sv->n + n + 1;
		sv->v = xrealloc(sv->v, sv->cap * sizeof(*sv->v));
	}
}

void strv_free(struct strv *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = sv->cap = 0;
}

/* The system call, not libc's clock_gettime: its vDSO lookup is 1 KiB of
 * the static binary, and initc reads the clock a few times per event, not
 * in a hot loop. */
#if defined(SYS_clock_gettime64)
/* musl's name for the 32-bit-time call on 32-bit ABIs (arm, i386), where
 * it defines no SYS_clock_gettime; glibc keeps the kernel's name. */
#ifndef SYS_clock_gettime
#define SYS_clock_gettime SYS_clock_gettime32
#endif

/* A 32-bit ABI. With a 64-bit time_t (musl) the time64 call, Linux 5.1 and
 * later; when it fails (an older kernel: ENOSYS; a container runtime's old
 * seccomp profile: EPERM, which musl's own fallback does not cover) the
 * 32-bit call, good until 2038 for the realtime clock. */
void clock_read(clockid_t clock, struct timespec *ts)
{
	long t32[2] = { 0, 0 };

	if (sizeof(ts->tv_sec) == sizeof(long)) {
		syscall(SYS_clock_gettime, clock, ts);
		return;
	}
	if (syscall(SYS_clock_gettime64, clock, ts) == 0)
		return;
	syscall(SYS_clock_gettime, clock, t32);
	ts->tv_sec = t32[0];
	ts->tv_nsec = t32[1];
}
#else
/* A 64-bit ABI: one call, cannot fail for these clocks with a valid pointer. */
void clock_read(clockid_t clock, struct timespec *ts)
{
	syscall(SYS_clock_gettime, clock, ts);
}
#endif

int64_t now_ms(void)
{
	struct timespec ts;

	clock_read(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool str_starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

char *str_token(char **s, const char *delims)
{
	char *p = *s, *tok;

	while (*p && strchr(delims, *p))
		p++;
	tok = p;
	while (*p && !strchr(delims, *p))
		p++;
	if (*p)
		*p++ = '\0';
	*s = p;
	return *tok ? tok : NULL;
}

static unsigned char ascii_lower(char c)
{
	unsigned char u = (unsigned char)c;

	return u >= 'A' && u <= 'Z' ? (unsigned char)(u + ('a' - 'A')) : u;
}

bool str_case_eqn(const char *a, const char *b, size_t n)
{
	for (; n > 0; n--, a++, b++) {
		unsigned char x = ascii_lower(*a), y = ascii_lower(*b);

		if (x != y)
			return false;
		if (x == '\0')
			return true;
	}
	return true;
}

int wait_for_pid(pid_t pid)
{
	int status = 0;

	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	return status;
}

int exit_code_of(int wstatus)
{
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return WEXITSTATUS(wstatus);
}

void sbuf_add(struct sbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->s = xrealloc(b->s, b->cap);
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void sbuf_addc(struct sbuf *b, char c)
{
	sbuf_add(b, &c, 1);
}

char *sbuf_take(struct sbuf *b)
{
	char *s = b->s ? b->s : xstrdup("");

	b->s = NULL;
	b->len = b->cap = 0;
	return s;
}

static void swap_bytes(char *a, char *b, size_t size)
{
	while (size-- > 0) {
		char t = *a;

		*a++ = *b;
		*b++ = t;
	}
}

void sort_array(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	char *v = base;
	size_t gap = 1;

	/* Knuth's gaps 1, 4, 13, 40, ...: O(n^1.5) at worst. */
	while (gap < n / 3)
		gap = gap * 3 + 1;
	for (; gap > 0; gap /= 3) {
		for (size_t i = gap; i < n; i++) {
			for (size_t j = i; j >= gap; j -= gap) {
				char *a = v + (j - gap) * size, *b = v + j * size;

				if (cmp(a, b) <= 0)
					break;
				swap_bytes(a, b, size);
			}
		}
	}
}

/* The kernel's record for getdents64(2). */
struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

/* getdents64 directly, not opendir/readdir: those bring 900 bytes of musl
 * (and a heap-allocated DIR) into the static binary for a plain list. */
int dir_list(int fd, struct strv *out)
{
	uint64_t buf[512]; /* 4 KiB, aligned for the records */
	long n;

	while ((n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < n;) {
			const struct linux_dirent64 *de = (const void *)((char *)buf + off);

			off += de->d_reclen;
			if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
				strv_push(out, xstrdup(de->d_name));
		}
	}
	return n == 0 ? 0 : -1;
}

/* Both C libraries lay a sigset_t out as the kernel reads it: bit sig-1 of
 * an array of unsigned long. */
void sigset_add_any(sigset_t *set, int sig)
{
	unsigned long *words = (unsigned long *)(void *)set;
	unsigned bits = 8 * sizeof(unsigned long);

	words[(unsigned)(sig - 1) / bits] |= 1UL << ((unsigned)(sig - 1) % bits);
}

bool sigset_has_any(const sigset_t *set, int sig)
{
	const unsigned long *words = (const unsigned long *)(const void *)set;
	unsigned bits = 8 * sizeof(unsigned long);

	return (words[(unsigned)(sig - 1) / bits] >> ((unsigned)(sig - 1) % bits)) & 1;
}

int sigmask_raw(int how, const sigset_t *set, sigset_t *old)
{
	return (int)syscall(SYS_rt_sigprocmask, how, set, old, KERNEL_SIGSET_BYTES);
}

void random_hex(char out[25])
{
	uint64_t r[2] = { 0, 0 };
	struct timespec ts;

	if (syscall(SYS_getrandom, r, sizeof(r), GRND_NONBLOCK) != (long)sizeof(r)) {
		clock_read(CLOCK_MONOTONIC, &ts);
		r[0] ^= (uint64_t)ts.tv_nsec * 0x9E3779B97F4A7C15ULL ^ (uint64_t)ts.tv_sec;
		r[1] ^= (uint64_t)getpid() * 0xBF58476D1CE4E5B9ULL;
	}
	for (int i = 0; i < 24; i++)
		out[i] = "0123456789abcdef"[(r[i / 16] >> (4 * (i % 16))) & 0xf];
	out[24] = '\0';
}
