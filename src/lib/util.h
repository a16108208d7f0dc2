/* Small utilities shared by every module: checked allocation, growable
 * vectors of strings, monotonic time, and string helpers. */
#ifndef INITC_UTIL_H
#define INITC_UTIL_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

/* Exit statuses (README "Exit status"). */
enum {
	EXIT_USAGE = 64,
	EXIT_CONFIG = 78,
	EXIT_TIMEOUT = 124,
	EXIT_NOEXEC = 126,
	EXIT_NOTFOUND = 127,
};

/* A NULL-terminated vector of strings that owns its elements. */
struct strv {
	char **v;
	size_t n;
	size_t cap;
};

void *xmalloc(size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

void strv_push(struct strv *sv, char *s);
/* Makes room for n more elements in one allocation. */
void strv_reserve(struct strv *sv, size_t n);
void strv_free(struct strv *sv);

/* clock_gettime(clock, ts) for CLOCK_MONOTONIC and CLOCK_REALTIME. */
void clock_read(clockid_t clock, struct timespec *ts);
/* Milliseconds on CLOCK_MONOTONIC: every timeout in initc is measured on it. */
int64_t now_ms(void);

bool str_starts(const char *s, const char *prefix);
/* strtok without its hidden state: the next run of characters of *s that
 * are not in delims, NUL-terminated in place; *s moves past it. NULL when
 * only delimiters are left. musl's strtok needs its strspn too, 450 bytes
 * of the static binary on arm64. */
char *str_token(char **s, const char *delims);
/* strncasecmp(a, b, n) == 0 for ASCII text (config words, host names):
 * musl's strcasecmp family with tolower is 450 bytes of the static binary. */
bool str_case_eqn(const char *a, const char *b, size_t n);

/* Blocks until pid (a child) has ended; returns its wait status, or 0 when
 * it was already reaped. For the rare paths that cannot use the loop. */
int wait_for_pid(pid_t pid);

/* Converts a waitpid status into a shell-style exit code (128+N for signal N). */
int exit_code_of(int wstatus);

/* sigaddset and sigismember, also for the signals the C library keeps for
 * its threads (glibc 32-33, musl 32-34), which its own refuse: initc has
 * no threads, and must take, forward and reset those signals like any. */
void sigset_add_any(sigset_t *set, int sig);
/* The size of the kernel's signal set, for the rt_sig* system calls: one
 * bit per signal 1..NSIG-1, rounded up to whole bytes (8; 16 on MIPS). */
enum { KERNEL_SIGSET_BYTES = (NSIG - 1 + 7) / 8 };
/* sigprocmask straight to the kernel, for every mask initc sets or reads:
 * the C libraries leave the reserved signals out (glibc of the new mask,
 * musl of the old one), so the app would not get the mask initc got. An
 * old set must start empty: the kernel fills only its first bytes. */
int sigmask_raw(int how, const sigset_t *set, sigset_t *old);
bool sigset_has_any(const sigset_t *set, int sig);

/* Writes 24 unguessable hex digits and a NUL to out (25 bytes): names of
 * temporary files and directories that nobody can plant first. getrandom
 * does not block; before the kernel's pool is ready (early boot) the
 * monotonic clock stands in, and O_EXCL still refuses a right guess. */
void random_hex(char out[25]);

/* Appends the names in the open directory fd (not "." or "..") to out, in
 * the directory's order; 0, or -1 with errno set. */
int dir_list(int fd, struct strv *out);

/* Sorts n elements of size bytes in place, like qsort (not stable). A Shell
 * sort: musl's qsort is 2 KiB of the static binary, and initc sorts at most
 * a directory of config files or the process table. */
void sort_array(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));

/* A growable, always NUL-terminated byte buffer. */
struct sbuf {
	char *s;
	size_t len;
	size_t cap;
};

void sbuf_addc(struct sbuf *b, char c);
void sbuf_add(struct sbuf *b, const char *s, size_t n);
/* Hands the string over to the caller (never NULL) and resets the buffer. */
char *sbuf_take(struct sbuf *b);
#endif
