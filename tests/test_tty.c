/* Supervise mode on a terminal (`docker run -it`): tests/tty_session.py
 * runs `initc -s -- sh -i` on a pseudo-terminal, interrupts a foreground
 * `sleep` with Ctrl-C and checks that initc exits with the shell's status.
 * Skipped when python3 is missing. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "harness.h"

START_TEST(test_interactive_shell_gets_ctrl_c_and_initc_exits_with_its_status)
{
	char *dir = make_tempdir();
	char *conf = write_file(dir, "initc.ini", "");
	char cmd[8192], out[8192] = "";
	size_t len = 0;
	FILE *p;
	int status;

	if (system("python3 -c 'import pty' >/dev/null 2>&1") != 0) {
		printf("SKIP %s: needs python3 with the pty module\n", __func__);
		goto out;
	}
	snprintf(cmd, sizeof(cmd), "python3 tests/tty_session.py '%s' '%s' 2>&1", initc_bin(),
		 conf);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	while (len < sizeof(out) - 1 && fgets(out + len, (int)(sizeof(out) - len), p))
		len = strlen(out);
	status = pclose(p);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s", out);
out:
	rm_rf(dir);
	free(conf);
	free(dir);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("tty");
	TCase *tc = tcase_create("tty");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 90);
	tcase_add_test(tc, test_interactive_shell_gets_ctrl_c_and_initc_exits_with_its_status);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
