/* Job control on a terminal (tests/tty_jobs.py drives a pseudo-terminal):
 * steps run in the terminal's foreground, so one that sets the terminal or
 * reads /dev/tty is not stopped by SIGTTOU/SIGTTIN, and initc takes the
 * terminal back for the exec-ed app; Ctrl-Z from an interactive shell stops
 * initc with its step or app, `fg` continues both. Skipped without python3
 * or bash. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "harness.h"

/* Runs tests/tty_jobs.py with mode and args; fails with its output. */
static void run_session(const char *test, const char *mode, const char *ini, const char *extra)
{
	char *conf = write_file(T, "initc.ini", ini);
	char cmd[8192], out[8192] = "";
	size_t len = 0;
	FILE *p;
	int status;

	if (system("python3 -c 'import pty' >/dev/null 2>&1 && test -x /bin/bash") != 0) {
		printf("SKIP %s: needs python3 with the pty module and bash\n", test);
		free(conf);
		return;
	}
	snprintf(cmd, sizeof(cmd), "python3 tests/tty_jobs.py %s '%s' '%s' %s 2>&1", mode,
		 initc_bin(), conf, extra);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	while (len < sizeof(out) - 1 && fgets(out + len, (int)(sizeof(out) - len), p))
		len = strlen(out);
	status = pclose(p);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s", out);
	free(conf);
}

START_TEST(test_steps_set_and_read_the_terminal_in_its_foreground)
{
	run_session(__func__, "steps",
		    "[step:stty]\n"
		    "shell = stty -echo < /dev/tty; stty echo < /dev/tty; echo step-stty-ok\n"
		    "[step:read]\n"
		    "shell = read line < /dev/tty; echo \"got=$line\"\n",
		    "");
}
END_TEST

START_TEST(test_ctrl_z_stops_initc_with_its_app_and_fg_continues_both)
{
	run_session(__func__, "ctrl-z", "", "-s");
}
END_TEST

START_TEST(test_ctrl_z_stops_initc_with_its_step_and_fg_continues_both)
{
	run_session(__func__, "ctrl-z", "[step:sleep]\ncommand = sleep 30\n", "");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("tty_jobs");
	TCase *tc = tcase_create("tty_jobs");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, scratch_setup, scratch_teardown);
	tcase_set_timeout(tc, 90);
	tcase_add_test(tc, test_steps_set_and_read_the_terminal_in_its_foreground);
	tcase_add_test(tc, test_ctrl_z_stops_initc_with_its_app_and_fg_continues_both);
	tcase_add_test(tc, test_ctrl_z_stops_initc_with_its_step_and_fg_continues_both);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
