/* initc as PID 1 of a PID namespace (unshare --pid --fork --mount-proc):
 * orphans that steps leave behind are reaped while init goes on. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "harness.h"

/* Runs initc as PID 1 of a new PID namespace with the config text. */
static int run_as_pid1(const char *config, const char *app, char **err_out)
{
	char *conf = write_file(T, "initc.ini", config), *cmd, *errpath;
	int rc;

	if (asprintf(&errpath, "%s/stderr", T) < 0 ||
	    asprintf(&cmd, "T=%s timeout -k 5 60 unshare --pid --fork --mount-proc %s -c %s %s 2>%s", T,
		     initc_bin(), conf, app, errpath) < 0)
		abort();
	rc = system(cmd);
	*err_out = read_file(errpath);
	free(conf);
	free(cmd);
	free(errpath);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/* /proc/1/comm when initc is PID 1: its file name, cut to 15 bytes
 * (initc, or initc-static in make check-static). */
static char *initc_comm(void)
{
	const char *slash = strrchr(initc_bin(), '/');
	char *comm;

	if (asprintf(&comm, "%.15s\n", slash ? slash + 1 : initc_bin()) < 0)
		abort();
	return comm;
}

START_TEST(test_orphans_of_steps_are_reaped_as_pid1)
{
	char *err, *zombies, *pid1, *zpath, *ppath, *want_comm;

	if (!can_unshare_pid()) {
		printf("SKIP test_orphans_of_steps_are_reaped_as_pid1: cannot create a PID namespace (needs root)\n");
		return;
	}
	/* Step 1 leaves orphans: each inner sh exits at once, so its sleep is
	 * re-parented to initc; in new sessions they escape the group kill.
	 * They exit while step 2 runs; step 2 then counts zombies. */
	ck_assert_int_eq(run_as_pid1("[step:leave-orphans]\n"
				     "shell = for i in 1 2 3 4 5 6 7 8 9 10; do setsid sh -c 'sleep 0.5 &'; done\n"
				     "[step:look]\n"
				     "shell = sleep 1\n"
				     "        cat /proc/1/comm > $T/pid1\n"
				     "        cat /proc/[0-9]*/stat 2>/dev/null | awk '$3 == \"Z\"' | wc -l > $T/zombies\n",
				     "", &err),
			 0);
	zpath = NULL;
	if (asprintf(&zpath, "%s/zombies", T) < 0 || asprintf(&ppath, "%s/pid1", T) < 0)
		abort();
	zombies = read_file(zpath);
	pid1 = read_file(ppath);
	ck_assert_ptr_nonnull(zombies);
	/* under valgrind, PID 1's comm is valgrind's own */
	want_comm = initc_comm();
	if (!getenv("INITC_UNDER_VALGRIND"))
		ck_assert_str_eq(pid1, want_comm);
	ck_assert_msg(atoi(zombies) == 0, "%s zombies left; stderr:\n%s", zombies, err);
	free(want_comm);
	free(err);
	free(zombies);
	free(pid1);
	free(zpath);
	free(ppath);
}
END_TEST

START_TEST(test_exec_as_pid1_makes_app_pid1)
{
	char *err, *got, *p;

	if (!can_unshare_pid()) {
		printf("SKIP test_exec_as_pid1_makes_app_pid1: cannot create a PID namespace (needs root)\n");
		return;
	}
	ck_assert_int_eq(run_as_pid1("[step:a]\ncommand = true\n", "-- sh -c 'echo $$ > $T/app'", &err), 0);
	if (asprintf(&p, "%s/app", T) < 0)
		abort();
	got = read_file(p);
	ck_assert_str_eq(got, "1\n");
	free(got);
	free(p);
	free(err);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("pid1");
	TCase *tc = tcase_create("pid1");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, scratch_setup, scratch_teardown);
	tcase_add_test(tc, test_orphans_of_steps_are_reaped_as_pid1);
	tcase_add_test(tc, test_exec_as_pid1_makes_app_pid1);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
