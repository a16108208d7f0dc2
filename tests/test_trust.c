/* Integration tests for what an attacker or a hostile environment tries
 * (issue 11) and for what a user reads in the status file (issue 17): the
 * real build/initc on real configs. Each test gets a temp dir T, exported
 * as $T to initc. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

static char *T, *t_env;

static void setup(void)
{
	T = make_tempdir();
	if (asprintf(&t_env, "T=%s", T) < 0)
		abort();
}

static void teardown(void)
{
	rm_rf(T);
	free(T);
	free(t_env);
}

static __attribute__((unused)) char *path(const char *name)
{
	return path_join(T, name);
}

/* Writes the config to T/initc.ini, runs initc -c it [args...] with $T set,
 * and waits up to timeout_s. */
static void run_args(const char *config, const char *const *args, int timeout_s,
		     struct run_result *r)
{
	const char *argv[16] = { "-c" };
	const char *envp[] = { t_env, NULL };
	char *conf = write_file(T, "initc.ini", config);
	size_t n = 2;
	pid_t pid;

	argv[1] = conf;
	while (args && args[n - 2] && n < 15) {
		argv[n] = args[n - 2];
		n++;
	}
	pid = start_initc(argv, envp, T);
	wait_initc(pid, T, timeout_s, r);
	free(conf);
}

/* Item 13: retry n costs constant work. 100,000 retries of a wait_file
 * with retry_delay 0 took O(n^2) rounds of the back-off loop (5e9: 28 s
 * on an idle machine); now the whole run takes under 3 s. */
START_TEST(test_many_retries_cost_constant_work_each)
{
	const char *args[] = { "-q", NULL };
	struct run_result r;

	run_args("[step:gate]\nwait_file = ${T}/never\nretries = 100000\n"
		 "retry_delay = 0\nbackoff = 1\n",
		 args, 60, &r);
	ck_assert_msg(r.status == 1, "status %d\n%s", r.status, r.err);
	ck_assert_msg(strstr(r.err, "gate"), "%s", r.err);
	ck_assert_msg(r.secs < 14, "100000 retries took %.1fs", r.secs);
	run_result_free(&r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("trust");
	TCase *tc = tcase_create("trust");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_many_retries_cost_constant_work_each);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
