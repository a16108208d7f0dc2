/* The bad-input catalogue: every config in tests/bad-configs/expected.tsv
 * is run through the real binary twice, with --check and for real. Each
 * row gives the exit status and a message that must appear (with its
 * file:line); a config that must be refused starts with a marker step
 * that would create $MARKER, and the marker must never exist: nothing ran.
 * Rows with status 0 are valid configs; there the real run must create it.
 * Kind "deferred" is a file refused when it runs but valid for --check at
 * image build time (a variable set only in the running container): there
 * --check exits 0 with the message as a warning.
 *
 * Columns: name, kind, status, message ({P} is the path given to -c).
 * kind "file" and "dir" copy tests/bad-configs/NAME into a fresh temp dir
 * (permissions in git are not to be trusted); the other kinds build their
 * case in setup_special(): huge files, symlinks, FIFOs, modes, owners. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

#define ROWS_MAX 200
#define MARKER_STEP                                                                            \
	"[step:marker]\n"                                                                      \
	"command = touch ${MARKER}\n\n"

struct row {
	char name[128], kind[64], message[512];
	int status;
};

static struct row rows[ROWS_MAX];
static int n_rows;

static const char *catalogue_dir(void)
{
	const char *d = getenv("BAD_CONFIGS");

	return d && *d ? d : "tests/bad-configs";
}

/* Reads expected.tsv into rows; aborts on a malformed row so that a typo in
 * the table cannot silently drop a case. */
static void load_table(void)
{
	char path[4096], line[2048];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/expected.tsv", catalogue_dir());
	fp = fopen(path, "re");
	if (!fp) {
		perror(path);
		exit(2);
	}
	while (fgets(line, sizeof(line), fp)) {
		struct row *r = &rows[n_rows];

		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		if (n_rows == ROWS_MAX ||
		    sscanf(line, "%127[^\t]\t%63[^\t]\t%d\t%511[^\n]", r->name, r->kind, &r->status,
			   r->message) != 4) {
			fprintf(stderr, "%s: bad row: %s\n", path, line);
			exit(2);
		}
		n_rows++;
	}
	fclose(fp);
}

static void copy_file(const char *from, const char *to, mode_t mode)
{
	char buf[65536];
	size_t n;
	FILE *in = fopen(from, "re"), *out = fopen(to, "we");

	ck_assert_msg(in && out, "copy %s -> %s: %s", from, to, strerror(errno));
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		ck_assert(fwrite(buf, 1, n, out) == n);
	fclose(in);
	fclose(out);
	ck_assert(chmod(to, mode) == 0);
}

/* A directory of drop-ins, copied flat. */
static void copy_dir(const char *from, const char *to)
{
	char cmd[8400];

	snprintf(cmd, sizeof(cmd), "cp -R '%s' '%s' && chmod -R u=rwX,go=rX '%s'", from, to, to);
	ck_assert_msg(system(cmd) == 0, "%s", cmd);
}

static char *path_in(const char *dir, const char *name)
{
	char *p;

	ck_assert(asprintf(&p, "%s/%s", dir, name) > 0);
	return p;
}

/* A config: the marker step, then text. */
static void write_config_file(const char *path, const char *text, mode_t mode)
{
	FILE *fp = fopen(path, "we");

	ck_assert(fp);
	fputs(MARKER_STEP, fp);
	fputs(text, fp);
	fclose(fp);
	ck_assert(chmod(path, mode) == 0);
}

/* head, then line i of the body (i = 0 .. n-1) as printed by line(). */
static char *repeat_text(const char *head, int n, void (*line)(FILE *, int))
{
	char *buf;
	size_t len;
	FILE *fp = open_memstream(&buf, &len);

	ck_assert(fp);
	fputs(head, fp);
	for (int i = 0; i < n; i++)
		line(fp, i);
	fclose(fp);
	return buf;
}

static void one_a(FILE *fp, int i)
{
	(void)i;
	fputc('a', fp);
}

/* Each of these runs a probe child (wait_file no longer stats in PID 1),
 * a few ms apiece on a loaded machine: 2000 of them, not 10000. */
static void one_step(FILE *fp, int i)
{
	fprintf(fp, "[step:s%d]\nwait_file = /\n", i);
}

static void one_comment(FILE *fp, int i)
{
	fprintf(fp, "; %08d padding past the 1 MiB limit: no real config is this big\n", i);
}

static void generated(const char *p, const char *head, int n, void (*line)(FILE *, int))
{
	char *text = repeat_text(head, n, line);

	write_config_file(p, text, 0644);
	free(text);
}

static void make_dropin_dir(const char *dir, mode_t mode)
{
	ck_assert(mkdir(dir, 0755) == 0);
	free(write_file(dir, "10-marker.ini", MARKER_STEP));
	ck_assert(chmod(dir, mode) == 0);
}

/* Builds the cases that a file in git cannot hold. */
static void setup_special(const struct row *r, const char *tmp, const char *p)
{
	const char *k = r->kind;
	char *other = path_in(tmp, "other.ini");

	if (strcmp(k, "long-line") == 0) {
		generated(p, "[step:db]\ncommand = echo ", 100 * 1024, one_a);
	} else if (strcmp(k, "many-steps") == 0) {
		generated(p, "", 1999, one_step);
	} else if (strcmp(k, "too-big") == 0) {
		generated(p, "", 1024 * 1024 / 60, one_comment);
	} else if (strcmp(k, "symlink-loop") == 0) {
		ck_assert(symlink(p, p) == 0);
	} else if (strcmp(k, "dangling-symlink") == 0) {
		ck_assert(symlink(other, p) == 0);
	} else if (strcmp(k, "symlink-ok") == 0 || strcmp(k, "symlink-to-writable") == 0) {
		write_config_file(other, "", strcmp(k, "symlink-ok") == 0 ? 0644 : 0666);
		ck_assert(symlink(other, p) == 0);
	} else if (strcmp(k, "fifo") == 0) {
		ck_assert(mkfifo(p, 0644) == 0);
	} else if (strcmp(k, "char-device") == 0) {
		ck_assert(symlink("/dev/null", p) == 0);
	} else if (strcmp(k, "missing") == 0) {
		/* nothing there */
	} else if (strcmp(k, "dir-in-dropins") == 0) {
		make_dropin_dir(p, 0755);
		free(other);
		other = path_in(p, "20-sub.ini");
		ck_assert(mkdir(other, 0755) == 0);
	} else if (strcmp(k, "world-writable-file") == 0) {
		write_config_file(p, "", 0666);
	} else if (strcmp(k, "world-writable-dir") == 0) {
		make_dropin_dir(p, 0777);
	} else if (strcmp(k, "world-writable-dropin") == 0) {
		make_dropin_dir(p, 0755);
		free(other);
		other = path_in(p, "20-open.ini");
		write_config_file(other, "", 0666);
	} else if (strcmp(k, "foreign-owner-file") == 0) {
		write_config_file(p, "", 0644);
		ck_assert(chown(p, 1000, 1000) == 0);
	} else if (strcmp(k, "foreign-owner-dir") == 0) {
		make_dropin_dir(p, 0755);
		ck_assert(chown(p, 1000, 1000) == 0);
	} else {
		ck_abort_msg("unknown kind '%s' in expected.tsv", k);
	}
	free(other);
}

/* "{P}" in the expected message stands for the path given to -c. (System
 * error texts are initc's own error_text, the same in both builds.) */
static char *expected_message(const char *msg, const char *p)
{
	char *out = strdup(msg), *at;

	ck_assert_ptr_nonnull(out);
	while ((at = strstr(out, "{P}")) != NULL) {
		char *next;

		ck_assert(asprintf(&next, "%.*s%s%s", (int)(at - out), out, p, at + 3) > 0);
		free(out);
		out = next;
	}
	return out;
}

static void run_case(const struct row *r, const char *p, const char *marker, bool check)
{
	const char *args_check[] = { "--check", "-c", p, NULL };
	const char *args_run[] = { "-c", p, NULL };
	char *env_marker, *want = expected_message(r->message, p);
	const char *env[] = { NULL, NULL };
	int status = check && strcmp(r->kind, "deferred") == 0 ? 0 : r->status;
	struct run_result res;

	ck_assert(asprintf(&env_marker, "MARKER=%s", marker) > 0);
	env[0] = env_marker;
	run_initc(check ? args_check : args_run, env, 60, &res);
	ck_assert_msg(res.status == status, "%s (%s): exit %d, expected %d; stderr:\n%.2000s", r->name,
		      check ? "--check" : "run", res.status, status, res.err);
	if (r->status != 0 || check)
		ck_assert_msg(strstr(res.err, want) || strstr(res.out, want),
			      "%s (%s): output lacks '%s'; stderr:\n%.2000s", r->name,
			      check ? "--check" : "run", want, res.err);
	if (r->status != 0 || check)
		ck_assert_msg(!file_exists(marker), "%s (%s): the marker step ran", r->name,
			      check ? "--check" : "run");
	else if (strcmp(r->name, "empty.ini") != 0 && strcmp(r->name, "comments-only.ini") != 0)
		ck_assert_msg(file_exists(marker), "%s: valid, but the marker step did not run",
			      r->name);
	run_result_free(&res);
	free(env_marker);
	free(want);
}

START_TEST(test_catalogue_entry)
{
	const struct row *r = &rows[_i];
	char *tmp = make_tempdir(), *p = path_in(tmp, r->name), *marker = path_in(tmp, "marker");
	char src[4096];

	if (strstr(r->kind, "owner") && geteuid() != 0) {
		printf("skip %s: needs root to chown\n", r->name);
		rm_rf(tmp);
		return;
	}
	snprintf(src, sizeof(src), "%s/%s", catalogue_dir(), r->name);
	if (strcmp(r->kind, "file") == 0 || strcmp(r->kind, "deferred") == 0)
		copy_file(src, p, 0644);
	else if (strcmp(r->kind, "dir") == 0)
		copy_dir(src, p);
	else
		setup_special(r, tmp, p);
	/* Under valgrind each run costs ~0.6 s: a refused config takes the same
	 * path with and without --check, so it is run once, for real. */
	if (r->status == 0 || !getenv("INITC_UNDER_VALGRIND"))
		run_case(r, p, marker, true);
	/* Running 2,000 steps is 2,000 forks of memcheck (minutes): under
	 * valgrind the --check run above loads and checks them all instead. */
	if (strcmp(r->kind, "many-steps") != 0 ||
	    !skip_under_valgrind("many-steps (run)", "2,000 forks under valgrind; checked with --check"))
		run_case(r, p, marker, false);
	rm_rf(tmp);
	free(p);
	free(marker);
	free(tmp);
}
END_TEST

/* Every file in the catalogue directory has a row: a config added without
 * its expectation would otherwise prove nothing. */
START_TEST(test_every_file_has_a_row)
{
	char cmd[4200], name[256];
	FILE *ls;

	snprintf(cmd, sizeof(cmd), "ls '%s'", catalogue_dir());
	ls = popen(cmd, "r");
	ck_assert(ls);
	while (fgets(name, sizeof(name), ls)) {
		bool found = false;

		name[strcspn(name, "\n")] = '\0';
		if (strcmp(name, "expected.tsv") == 0 || strcmp(name, "README.md") == 0)
			continue;
		for (int i = 0; i < n_rows && !found; i++)
			found = strcmp(rows[i].name, name) == 0;
		ck_assert_msg(found, "%s/%s has no row in expected.tsv", catalogue_dir(), name);
	}
	pclose(ls);
	ck_assert_int_ge(n_rows, 40);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("bad-configs");
	TCase *tc = tcase_create("catalogue");
	SRunner *sr;
	int failed;

	load_table();
	unsetenv("INITC_TEST_UNSET");
	unsetenv("INITC_CONFIG");
	unsetenv("INITC_SKIP");
	tcase_set_timeout(tc, 180);
	tcase_add_loop_test(tc, test_catalogue_entry, 0, n_rows);
	tcase_add_test(tc, test_every_file_has_a_row);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
