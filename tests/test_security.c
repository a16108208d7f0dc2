/* Security properties of the real binary: which file descriptors reach a
 * step and the app, symlinked configs, and privilege dropping that no
 * environment variable can switch off. (Refused configs: world-writable,
 * foreign-owned, symlinks to them, are in the bad-config catalogue.) */
#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

#define INHERITED_FD 7

static const char *helpers(void)
{
	const char *h = getenv("HELPERS");

	return h && *h ? h : "build/tests/helpers";
}

/* True when fd appears as a line of the file that list-fds wrote. */
static bool listed(const char *list, int fd)
{
	char want[16];

	snprintf(want, sizeof(want), "%d\n", fd);
	for (const char *p = list; p && *p; p += strcspn(p, "\n") + 1) {
		if (strncmp(p, want, strlen(want)) == 0)
			return true;
		if (!p[strcspn(p, "\n")])
			break;
	}
	return false;
}

/* True when this process has fd open and it survives exec. */
static bool inheritable(int fd)
{
	int flags = fcntl(fd, F_GETFD);

	return flags != -1 && !(flags & FD_CLOEXEC);
}

/* Runs initc with fd 7 open (not close-on-exec): the step must see only
 * 0-2; the exec'd app keeps what initc inherited but nothing initc opened. */
START_TEST(test_step_sees_only_stdio_app_keeps_inherited)
{
	char *dir = make_tempdir(), *cfg, *step_out, *app_out, *app, *step_list, *app_list;
	char text[4096];
	const char *args[] = { "-c", NULL, "--", NULL, NULL, NULL };
	struct run_result res;
	int fd = open("/dev/null", O_RDONLY);

	ck_assert(asprintf(&step_out, "%s/step-fds", dir) > 0);
	ck_assert(asprintf(&app_out, "%s/app-fds", dir) > 0);
	ck_assert(asprintf(&app, "%s/list-fds", helpers()) > 0);
	snprintf(text, sizeof(text),
		 "[step:fds]\ncommand = %s/list-fds %s\n\n[step:wait]\nwait_file = %s\n", helpers(),
		 step_out, step_out);
	cfg = write_file(dir, "initc.ini", text);
	ck_assert(fd >= 0 && dup2(fd, INHERITED_FD) == INHERITED_FD);
	close(fd);
	args[1] = cfg;
	args[3] = app;
	args[4] = app_out;
	run_initc(args, NULL, 30, &res);
	ck_assert_msg(res.status == 0, "exit %d; stderr:\n%s", res.status, res.err);
	step_list = read_file(step_out);
	app_list = read_file(app_out);
	ck_assert(step_list && app_list);
	ck_assert_str_eq(step_list, "0\n1\n2\n");
	for (int i = 0; i < 3; i++)
		ck_assert_msg(listed(app_list, i), "app lacks fd %d:\n%s", i, app_list);
	ck_assert_msg(listed(app_list, INHERITED_FD), "app lost inherited fd 7:\n%s", app_list);
	for (const char *p = app_list; *p; p += strcspn(p, "\n") + 1) {
		int n = atoi(p);

		ck_assert_msg(n <= 2 || inheritable(n),
			      "app got fd %d, which initc opened itself:\n%s", n, app_list);
	}
	close(INHERITED_FD);
	run_result_free(&res);
	free(step_list);
	free(app_list);
	free(step_out);
	free(app_out);
	free(app);
	free(cfg);
	rm_rf(dir);
	free(dir);
}
END_TEST

/* -c through a symlink: loaded from its target and named as given; the
 * target's permissions are the ones that count (see the catalogue). */
START_TEST(test_symlinked_config_is_followed)
{
	char *dir = make_tempdir(), *cfg, *link, *marker, text[512];
	const char *args[] = { "-c", NULL, NULL };
	struct run_result res;

	ck_assert(asprintf(&marker, "%s/ran", dir) > 0);
	snprintf(text, sizeof(text), "[step:touch]\ncommand = touch %s\n", marker);
	cfg = write_file(dir, "real.ini", text);
	ck_assert(asprintf(&link, "%s/link.ini", dir) > 0);
	ck_assert(symlink(cfg, link) == 0);
	args[1] = link;
	run_initc(args, NULL, 30, &res);
	ck_assert_msg(res.status == 0, "exit %d; stderr:\n%s", res.status, res.err);
	ck_assert(file_exists(marker));
	run_result_free(&res);
	free(marker);
	free(cfg);
	free(link);
	rm_rf(dir);
	free(dir);
}
END_TEST

/* user = 65534 drops to nobody whatever initc's environment says: there is
 * no variable that turns privilege dropping off. */
START_TEST(test_no_environment_skips_privilege_drop)
{
	char *dir = make_tempdir(), *out, *cfg, *ids, text[1024];
	const char *args[] = { "-c", NULL, NULL };
	const char *env[] = { "INITC_SKIP=", "INITC_USER=root", "INITC_NO_SETUID=1",
			      "INITC_UNSAFE=1", "LD_PRELOAD=", NULL };
	struct run_result res;

	if (geteuid() != 0) {
		printf("skip test_no_environment_skips_privilege_drop: needs root\n");
		rm_rf(dir);
		free(dir);
		return;
	}
	ck_assert(asprintf(&out, "%s/out", dir) > 0);
	ck_assert(mkdir(out, 0777) == 0 && chmod(out, 0777) == 0);
	snprintf(text, sizeof(text),
		 "[step:ids]\nshell = id -u > %s/ids; id -g >> %s/ids; id -G >> %s/ids\n"
		 "user = 65534:65534\n",
		 out, out, out);
	cfg = write_file(dir, "initc.ini", text);
	args[1] = cfg;
	run_initc(args, env, 30, &res);
	ck_assert_msg(res.status == 0, "exit %d; stderr:\n%s", res.status, res.err);
	free(out);
	ck_assert(asprintf(&out, "%s/out/ids", dir) > 0);
	ids = read_file(out);
	ck_assert(ids);
	ck_assert_str_eq(ids, "65534\n65534\n65534\n");
	free(ids);
	free(out);
	free(cfg);
	run_result_free(&res);
	rm_rf(dir);
	free(dir);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("security");
	TCase *tc = tcase_create("security");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_step_sees_only_stdio_app_keeps_inherited);
	tcase_add_test(tc, test_symlinked_config_is_followed);
	tcase_add_test(tc, test_no_environment_skips_privilege_drop);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
