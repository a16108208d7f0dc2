/* The release artefacts: the static binary (size budget, really static,
 * works: parses a config and resolves a host name with musl and the
 * distribution's libinih.a), the man pages (lint-clean) and make install.
 *
 * Environment (set by make check): INITC_STATIC, the static binary, empty
 * when no musl compiler is installed; INITC_STATIC_MAX, the size budget in
 * bytes; MAKE. With CI=true a missing static binary is a failure, not a skip. */
#include <arpa/inet.h>
#include <check.h>
#include <elf.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

/* The static binary, or NULL after printing why its tests skip. */
static const char *static_bin(void)
{
	const char *b = getenv("INITC_STATIC");
	const char *ci = getenv("CI");

	if (b && *b)
		return b;
	ck_assert_msg(!(ci && strcmp(ci, "true") == 0),
		      "CI=true but no static binary was built (install musl-tools)");
	printf("SKIP: no musl compiler (Debian: apt-get install musl-tools), "
	       "build/initc-static not tested\n");
	return NULL;
}

/* Runs a shell command; returns its exit status, its output in *out. */
static int run_cmd(const char *cmd, char **out)
{
	char buf[4096];
	size_t n = 0, got;
	FILE *fp = popen(cmd, "r");
	int st;

	ck_assert_msg(fp != NULL, "popen %s", cmd);
	while (n < sizeof(buf) - 1 && (got = fread(buf + n, 1, sizeof(buf) - 1 - n, fp)) > 0)
		n += got;
	buf[n] = '\0';
	st = pclose(fp);
	if (out)
		*out = strdup(buf);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* The whole file (read_file stops at the first NUL byte). */
static char *read_binary(const char *path, size_t *size)
{
	struct stat st;
	FILE *fp = fopen(path, "rb");
	char *buf;

	ck_assert_msg(fp && fstat(fileno(fp), &st) == 0, "%s: cannot open", path);
	buf = malloc((size_t)st.st_size + 1);
	ck_assert(buf != NULL);
	*size = fread(buf, 1, (size_t)st.st_size, fp);
	fclose(fp);
	return buf;
}

START_TEST(test_static_within_size_budget)
{
	const char *bin = static_bin();
	const char *max_env = getenv("INITC_STATIC_MAX");
	long max = max_env ? atol(max_env) : 0;
	struct stat st;

	if (!bin)
		return;
	ck_assert_msg(max > 0, "INITC_STATIC_MAX is not set");
	ck_assert_msg(stat(bin, &st) == 0, "%s: missing", bin);
	printf("%s: %lld bytes (budget %ld, margin %lld)\n", bin, (long long)st.st_size, max,
	       (long long)(max - st.st_size));
	ck_assert_msg(st.st_size <= max, "%s is %lld bytes, over the budget of %ld bytes", bin,
		      (long long)st.st_size, max);
}
END_TEST

/* Fails when one of the program headers at phoff is PT_INTERP or
 * PT_DYNAMIC. p_type is the first field of Elf32_Phdr and Elf64_Phdr. */
static void assert_no_loader(const char *bin, const char *elf, size_t size, size_t phoff,
			     int phnum, size_t phentsize)
{
	for (int i = 0; i < phnum; i++) {
		size_t off = phoff + (size_t)i * phentsize;
		uint32_t type;

		ck_assert_msg(off + phentsize <= size, "%s: truncated program headers", bin);
		memcpy(&type, elf + off, sizeof(type));
		ck_assert_msg(type != PT_INTERP, "%s has an interpreter (PT_INTERP)", bin);
		ck_assert_msg(type != PT_DYNAMIC, "%s is dynamic (PT_DYNAMIC)", bin);
	}
}

/* No PT_INTERP and no PT_DYNAMIC: nothing for a loader to do, so the
 * binary runs in an image with no libc at all. Either ELF class: make
 * check-arch runs this against the 32-bit binaries (arm, 386) too. */
START_TEST(test_static_has_no_interpreter)
{
	const union { uint16_t word; uint8_t first; } probe = { 1 };
	const char *bin = static_bin();
	char *elf;
	size_t size;
	int shnum;

	if (!bin)
		return;
	elf = read_binary(bin, &size);
	ck_assert_msg(size >= sizeof(Elf64_Ehdr), "%s: too short", bin);
	ck_assert_msg(memcmp(elf, ELFMAG, SELFMAG) == 0, "%s: not ELF", bin);
	/* The headers are read in this machine's byte order. */
	ck_assert_int_eq(elf[EI_DATA], probe.first ? ELFDATA2LSB : ELFDATA2MSB);
	if (elf[EI_CLASS] == ELFCLASS64) {
		const Elf64_Ehdr *eh = (const Elf64_Ehdr *)(const void *)elf;

		assert_no_loader(bin, elf, size, eh->e_phoff, eh->e_phnum, eh->e_phentsize);
		shnum = eh->e_shnum;
	} else {
		const Elf32_Ehdr *eh = (const Elf32_Ehdr *)(const void *)elf;

		ck_assert_int_eq(elf[EI_CLASS], ELFCLASS32);
		assert_no_loader(bin, elf, size, eh->e_phoff, eh->e_phnum, eh->e_phentsize);
		shnum = eh->e_shnum;
	}
	ck_assert_msg(shnum < 20, "%s does not look stripped (%d sections)", bin, shnum);
	free(elf);
}
END_TEST

START_TEST(test_static_prints_version)
{
	const char *bin = static_bin();
	const char *args[] = { "--version", NULL };
	struct run_result r;

	if (!bin)
		return;
	setenv("INITC_BIN", bin, 1);
	run_initc(args, NULL, 10, &r);
	ck_assert_int_eq(r.status, 0);
	ck_assert_msg(strncmp(r.out, "initc ", 6) == 0, "--version printed '%s'", r.out);
	run_result_free(&r);
}
END_TEST

/* A listening socket on localhost (dual stack when the host has IPv6, as
 * musl may try ::1 first); returns the fd and the port. */
static int listen_localhost(int *port)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_ANY_INIT };
	struct sockaddr_in a4 = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a6);
	int off = 0, fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd >= 0 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off)) == 0 &&
	    bind(fd, (struct sockaddr *)&a6, sizeof(a6)) == 0 && listen(fd, 8) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a6, &len) == 0) {
		*port = ntohs(a6.sin6_port);
		return fd;
	}
	if (fd >= 0)
		close(fd);
	len = sizeof(a4);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a4, sizeof(a4)), 0);
	ck_assert_int_eq(listen(fd, 8), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a4, &len), 0);
	*port = ntohs(a4.sin_port);
	return fd;
}

/* musl + the glibc-built libinih.a: inih trims white space with isspace()
 * (glibc's __ctype_b_loc table, which musl provides), and wait_tcp resolves
 * "localhost" with musl's /etc/hosts reader. */
START_TEST(test_static_parses_config_and_resolves_localhost)
{
	const char *bin = static_bin();
	char *dir, ini[256], *path;
	int port, fd;
	const char *args[] = { "-c", NULL, NULL };
	struct run_result r;

	if (!bin)
		return;
	fd = listen_localhost(&port);
	dir = make_tempdir();
	snprintf(ini, sizeof(ini),
		 "[step:db]\n"
		 "wait_tcp \t =   localhost:%d \t \n"
		 "timeout\t=\t5s\t; inline comment\n"
		 "retries = 2\n",
		 port);
	path = write_file(dir, "initc.ini", ini);
	args[1] = path;
	setenv("INITC_BIN", bin, 1);
	run_initc(args, NULL, 30, &r);
	ck_assert_msg(r.status == 0, "exit %d, stderr:\n%s", r.status, r.err);
	run_result_free(&r);
	close(fd);
	free(path);
	rm_rf(dir);
	free(dir);
}
END_TEST

START_TEST(test_man_pages_lint_clean)
{
	char *out;
	const char *cmd;
	int rc;

	if (run_cmd("command -v mandoc >/dev/null 2>&1", NULL) == 0)
		cmd = "mandoc -T lint -W warning man/initc.8 man/initc.ini.5 2>&1";
	else if (run_cmd("command -v groff >/dev/null 2>&1", NULL) == 0)
		cmd = "groff -man -ww -z man/initc.8 man/initc.ini.5 2>&1";
	else {
		printf("SKIP: neither mandoc nor groff installed; man pages not linted\n");
		return;
	}
	rc = run_cmd(cmd, &out);
	ck_assert_msg(rc == 0 && out[0] == '\0', "%s: exit %d\n%s", cmd, rc, out);
	free(out);
}
END_TEST

/* make install DESTDIR=... PREFIX=/usr puts the binary and both pages in
 * place. MAKEFLAGS is cleared: the outer make's jobserver is not ours. */
START_TEST(test_install_places_files)
{
	const char *make = getenv("MAKE");
	char *dir = make_tempdir(), cmd[1024], path[512], *out;
	const char *files[] = { "usr/sbin/initc", "usr/share/man/man8/initc.8",
				"usr/share/man/man5/initc.ini.5" };
	struct stat st;
	int rc;

	snprintf(cmd, sizeof(cmd), "MAKEFLAGS= %s -s install DESTDIR=%s PREFIX=/usr 2>&1",
		 make && *make ? make : "make", dir);
	rc = run_cmd(cmd, &out);
	ck_assert_msg(rc == 0, "%s: exit %d\n%s", cmd, rc, out);
	free(out);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		ck_assert_msg(stat(path, &st) == 0, "%s was not installed", files[i]);
		ck_assert_msg((st.st_mode & 0777) == (i == 0 ? 0755 : 0644), "%s has mode %o",
			      files[i], st.st_mode & 0777);
	}
	snprintf(cmd, sizeof(cmd), "%s/usr/sbin/initc --version", dir);
	ck_assert_int_eq(run_cmd(cmd, &out), 0);
	ck_assert_msg(strncmp(out, "initc ", 6) == 0, "installed binary printed '%s'", out);
	free(out);
	rm_rf(dir);
	free(dir);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("release");
	TCase *tc = tcase_create("release");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_static_within_size_budget);
	tcase_add_test(tc, test_static_has_no_interpreter);
	tcase_add_test(tc, test_static_prints_version);
	tcase_add_test(tc, test_static_parses_config_and_resolves_localhost);
	tcase_add_test(tc, test_man_pages_lint_clean);
	tcase_add_test(tc, test_install_places_files);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
