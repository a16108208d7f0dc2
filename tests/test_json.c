/* JSON log lines: json_escape unit tests, then every stderr line of the
 * real binary checked by python3's json module (tests/helpers/json_lines.py). */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "log.h"

/* --- json_escape ---------------------------------------------------------- */

static void escaped(const char *in, size_t cap, const char *want)
{
	char buf[256];
	size_t len = 0;

	ck_assert(cap <= sizeof(buf));
	json_escape(buf, cap, &len, in);
	ck_assert_str_eq(buf, want);
	ck_assert_uint_eq(len, strlen(want));
}

START_TEST(test_escape_quotes_controls_utf8)
{
	escaped("say \"hi\"", 256, "say \\\"hi\\\"");
	escaped("a\\b", 256, "a\\\\b");
	escaped("l1\nl2\tx\r\x01\x7f", 256, "l1\\u000al2\\u0009x\\u000d\\u0001\\u007f");
	escaped("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x99\x82", 256, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x99\x82");
	/* Invalid: a lone continuation byte, a truncated sequence, an overlong
	 * '/', a surrogate, 0xFF. */
	escaped("\x80|\xc3|\xc0\xaf|\xed\xa0\x80|\xff", 256,
		"\\ufffd|\\ufffd|\\ufffd\\ufffd|\\ufffd\\ufffd\\ufffd|\\ufffd");
}
END_TEST

/* A full buffer takes only whole escapes: never a lone backslash that
 * would escape the closing quote, never half a UTF-8 sequence. */
START_TEST(test_escape_truncates_whole_units)
{
	escaped("\"\"\"\"\"\"", 10, "\\\"\\\"\\\"\\\"");
	escaped("abcdefgh\"", 10, "abcdefgh");
	escaped("abcdef\x01", 10, "abcdef");
	escaped("abcdefg\xe2\x82\xac", 10, "abcdefg");
	escaped("abcdef\xe2\x82\xac", 10, "abcdef\xe2\x82\xac");
}
END_TEST

/* --- the real binary --------------------------------------------------- */

/* Writes text to dir/stderr.log and runs json_lines.py on it with the
 * expected substrings; returns its exit status, its output in *report. */
static int json_check(const char *dir, const char *text, const char *const *expect, char **report)
{
	char *log = write_file(dir, "stderr.log", text), out[4300];
	const char *argv[32] = { "python3", "tests/helpers/json_lines.py", log };
	int n = 3, st, fd;
	pid_t pid;

	for (; expect && *expect && n < 31; expect++)
		argv[n++] = *expect;
	argv[n] = NULL;
	snprintf(out, sizeof(out), "%s/json.out", dir);
	pid = fork();
	if (pid == 0) {
		fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		dup2(fd, 1);
		dup2(fd, 2);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) == -1 && errno == EINTR)
		;
	free(log);
	*report = read_file(out);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

#define ASSERT_JSON(dir, text, ...)                                                    \
	do {                                                                            \
		const char *expect_[] = { __VA_ARGS__, NULL };                          \
		char *report_;                                                          \
		int rc_ = json_check((dir), (text), expect_, &report_);                 \
		ck_assert_msg(rc_ == 0, "JSON check failed (%d): %s\nstderr:\n%s", rc_, \
			      report_ ? report_ : "", (text));                          \
		free(report_);                                                          \
	} while (0)

/* A config that makes initc say a bit of everything: success, a retry, a
 * skip, failing probes, a timeout, optional failures. */
static char *busy_config(const char *dir, const char *initc_extra, int port)
{
	free(write_file(dir, "exists", ""));
	return write_config(
		dir,
		"[initc]\nstatus_file = %s/status\n%s\n"
		"[step:ok]\ncommand = true\n"
		"[step:flaky]\nshell = test -e %s/once || { touch %s/once; exit 5; }\n"
		"retries = 2\nretry_delay = 10ms\n"
		"[step:skip]\ncommand = false\ncreates = %s/exists\n"
		"[step:file]\nwait_file = %s/missing\nretries = 1\nretry_delay = 10ms\noptional = true\n"
		"[step:tcp]\nwait_tcp = 127.0.0.1:%d\noptional = true\n"
		"[step:slow]\ncommand = sleep 5\ntimeout = 200ms\noptional = true\n",
		dir, initc_extra, dir, dir, dir, dir, port);
}

/* A port nothing listens on: bound by us, never listening. */
static int refused_port(int *fd)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	*fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(*fd, 0);
	ck_assert_int_eq(bind(*fd, (struct sockaddr *)&a, len), 0);
	ck_assert_int_eq(getsockname(*fd, (struct sockaddr *)&a, &len), 0);
	return ntohs(a.sin_port);
}

static void check_busy_run(const char *dir, const struct run_result *res)
{
	ck_assert_msg(res->status == 0, "status %d\n%s", res->status, res->err);
	ASSERT_JSON(dir, res->err, "step ok: succeeded", "attempt 1 of 3 failed: exit status 5",
		    "step flaky: retrying in 10ms", "step skip: skipped", "missing: No such file",
		    "Connection refused", "timed out after 200ms", "failed, but it is optional",
		    "status Completed", "init: 6 steps done");
}

START_TEST(test_json_every_line_cli_option)
{
	char *dir = make_tempdir(), *cfg;
	int fd, port = refused_port(&fd);
	const char *args[] = { "-v", "--log-format", "json", "-c", NULL, NULL };
	struct run_result res;

	cfg = busy_config(dir, "", port);
	args[4] = cfg;
	run_initc(args, NULL, 30, &res);
	check_busy_run(dir, &res);
	close(fd);
	run_result_free(&res);
	free(cfg);
	rm_rf(dir);
	free(dir);
}
END_TEST

START_TEST(test_json_every_line_config_key)
{
	char *dir = make_tempdir(), *cfg;
	int fd, port = refused_port(&fd);
	/* supervise: main_start and main_exited are logged too */
	const char *args[] = { "-v", "-s", "-c", NULL, "--", "/bin/true", NULL };
	struct run_result res;

	cfg = busy_config(dir, "log_format = json", port);
	args[3] = cfg;
	run_initc(args, NULL, 30, &res);
	ck_assert_msg(res.status == 0, "status %d\n%s", res.status, res.err);
	ASSERT_JSON(dir, res.err, "step ok: succeeded", "Connection refused", "status Running",
		    "main: ");
	close(fd);
	run_result_free(&res);
	free(cfg);
	rm_rf(dir);
	free(dir);
}
END_TEST

/* Quotes, a tab, invalid UTF-8 and a multi-line script in actions. */
START_TEST(test_json_escapes_actions)
{
	char *dir = make_tempdir(), *cfg;
	const char *args[] = { "--log-format", "json", "-c", NULL, NULL };
	struct run_result res;

	cfg = write_config(dir,
			   "[step:quotes]\ncommand = printf %%s \"say \\\"hi\\\"\" 'a\tb' '\xff\xfe'\n"
			   "[step:script]\nshell = echo one >/dev/null\n"
			   "        echo \"two\" >/dev/null\n");
	args[3] = cfg;
	run_initc(args, NULL, 30, &res);
	ck_assert_msg(res.status == 0, "status %d\n%s", res.status, res.err);
	/* the start line shows the words run, and a script's line breaks as \n */
	ASSERT_JSON(dir, res.err, "printf %s 'say \"hi\"' 'a\tb' \xef\xbf\xbd\xef\xbf\xbd",
		    "echo one >/dev/null\\necho \"two\" >/dev/null");
	run_result_free(&res);
	free(cfg);
	rm_rf(dir);
	free(dir);
}
END_TEST

/* The config loader's errors are initc lines too. */
START_TEST(test_json_config_errors)
{
	char *dir = make_tempdir(), *cfg;
	const char *args[] = { "--log-format", "json", "-c", NULL, NULL };
	struct run_result res;

	cfg = write_config(dir, "[step:a]\ncommand = true\nretires = 3\ntimeout = soon\n"
				"[step:b]\nwait_tcp = \"db\":5432\n");
	args[3] = cfg;
	run_initc(args, NULL, 30, &res);
	ck_assert_msg(res.status == 78, "status %d\n%s", res.status, res.err);
	ASSERT_JSON(dir, res.err, "unknown key 'retires'", "timeout: ", "invalid config");
	run_result_free(&res);
	free(cfg);
	rm_rf(dir);
	free(dir);
}
END_TEST

START_TEST(test_json_usage_errors)
{
	char *dir = make_tempdir();
	const char *args[] = { "--log-format", "json", "--no-such-option", NULL };
	struct run_result res;

	run_initc(args, NULL, 10, &res);
	ck_assert_int_eq(res.status, 64);
	ASSERT_JSON(dir, res.err, "unknown option '--no-such-option'");
	run_result_free(&res);
	rm_rf(dir);
	free(dir);
}
END_TEST

static Suite *json_suite(void)
{
	Suite *s = suite_create("json");
	TCase *unit = tcase_create("escape");
	TCase *tc = tcase_create("lines");

	tcase_add_test(unit, test_escape_quotes_controls_utf8);
	tcase_add_test(unit, test_escape_truncates_whole_units);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_json_every_line_cli_option);
	tcase_add_test(tc, test_json_every_line_config_key);
	tcase_add_test(tc, test_json_escapes_actions);
	tcase_add_test(tc, test_json_config_errors);
	tcase_add_test(tc, test_json_usage_errors);
	suite_add_tcase(s, unit);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(json_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
