/* Linked into build/initc-static only (like malloc.c): the stdio calls of
 * libinih.a (fopen or fopen64, fgets, fclose), which would otherwise pull
 * musl's whole FILE code into the binary (the buffering, locking and
 * flushing at exit behind them: 3.6 KiB on arm64, 3.4 KiB on amd64).
 *
 * Only inih's ini_parse and ini_parse_file call them, and initc calls
 * neither: config_ini.c hands ini_parse_stream a reader of its own. They stay
 * in the link only because the distributions build libinih.a without
 * -ffunction-sections, so they share one code section with
 * ini_parse_stream, and the linker keeps or drops a section whole. Nothing
 * else in initc uses stdio (its own formatter, line reader and resolver do
 * that work); the Makefile fails the static link when anything but
 * libinih.a refers to these names.
 *
 * Here no file can be opened through stdio: fopen fails with ENOSYS, so
 * an ini_parse called one day would report "cannot open" (-1), never read
 * anything. No FILE exists, so fgets and fclose can only be handed a
 * pointer that is none: they fail with EBADF. */
#include <errno.h>
#include <stdio.h>

/* A libinih.a built against glibc's headers (Debian's) calls fopen64, one
 * built against musl's (Alpine's) fopen; musl's <stdio.h> makes fopen64 a
 * macro for fopen under _GNU_SOURCE, hence the #undef. */
#undef fopen64
FILE *fopen64(const char *path, const char *mode);

FILE *fopen(const char *path, const char *mode)
{
	(void)path;
	(void)mode;
	errno = ENOSYS;
	return NULL;
}

FILE *fopen64(const char *path, const char *mode)
{
	return fopen(path, mode);
}

char *fgets(char *buf, int len, FILE *fp)
{
	(void)buf;
	(void)len;
	(void)fp;
	errno = EBADF;
	return NULL;
}

int fclose(FILE *fp)
{
	(void)fp;
	errno = EBADF;
	return EOF;
}
