/* wait_tcp and wait_file: unit tests of the target parser, and the real
 * binary against real listeners (tests/helpers/tcp_listen.c) and files. */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "parse.h"

/* Starts tcp_listen with opts ("-d", "1000", ...) writing its port to
 * dir/port; returns the port, the helper's pid in *pid. */
static int start_listener(const char *dir, const char *o1, const char *o2, pid_t *pid)
{
	char *bin = helper_path("tcp_listen"), portfile[4200];
	const char *argv[8];
	char *text;
	int n = 0, port;

	snprintf(portfile, sizeof(portfile), "%s/port", dir);
	argv[n++] = bin;
	argv[n++] = "-t";
	argv[n++] = "60";
	if (o1)
		argv[n++] = o1;
	if (o2)
		argv[n++] = o2;
	argv[n++] = portfile;
	argv[n] = NULL;
	*pid = start_helper(argv);
	ck_assert_msg(wait_for_file(portfile, 5000), "tcp_listen wrote no port");
	text = read_file(portfile);
	port = atoi(text);
	ck_assert_int_gt(port, 0);
	free(text);
	free(bin);
	return port;
}

static void run_config(const char *cfg, struct run_result *res)
{
	const char *args[] = { "-c", cfg, NULL };

	run_initc(args, NULL, 30, res);
}

/* --- parse_host_port ---------------------------------------------- */

static void split_ok(const char *target, const char *host, const char *port)
{
	char h[256], p[8], err[256];

	ck_assert_msg(parse_host_port(target, h, sizeof(h), p, sizeof(p), err, sizeof(err)) == 0,
		      "'%s': %s", target, err);
	ck_assert_str_eq(h, host);
	ck_assert_str_eq(p, port);
}

static void split_bad(const char *target, const char *needle)
{
	char h[256], p[8], err[256];

	ck_assert_msg(parse_host_port(target, h, sizeof(h), p, sizeof(p), err, sizeof(err)) == -1,
		      "'%s' should be refused", target);
	ck_assert_msg(strstr(err, needle), "'%s': '%s' lacks '%s'", target, err, needle);
}

START_TEST(test_split_host_port)
{
	split_ok("db:5432", "db", "5432");
	split_ok("127.0.0.1:1", "127.0.0.1", "1");
	split_ok("localhost:65535", "localhost", "65535");
	split_ok("[::1]:8080", "::1", "8080");
	split_ok("[fe80::1%eth0]:22", "fe80::1%eth0", "22");
	split_ok("[2001:db8::7]:443", "2001:db8::7", "443");
}
END_TEST

START_TEST(test_split_refuses_malformed)
{
	split_bad("db", "write host:port");
	split_bad("::1:80", "[addr]:port");
	split_bad("[::1]80", "[v6addr]:port");
	split_bad("[::1", "[v6addr]:port");
	split_bad(":80", "port from 1 to 65535");
	split_bad("[]:80", "port from 1 to 65535");
	split_bad("db:0", "port from 1 to 65535");
	split_bad("db:65536", "port from 1 to 65535");
	split_bad("db:http", "port from 1 to 65535");
	split_bad("db:", "port from 1 to 65535");
}
END_TEST

START_TEST(test_split_refuses_long_host)
{
	char target[400], h[16], p[8], err[256];

	memset(target, 'a', 300);
	strcpy(target + 300, ":80");
	ck_assert_int_eq(parse_host_port(target, h, sizeof(h), p, sizeof(p), err, sizeof(err)),
			 -1);
}
END_TEST

/* A malformed target is a config error (78, file:line), found by --check. */
START_TEST(test_wait_tcp_bad_target_is_config_error)
{
	char *dir = make_tempdir(), *cfg;
	const char *args[] = { "--check", "-c", NULL, NULL };
	struct run_result res;

	cfg = write_config(dir, "[step:db]\nwait_tcp = ${DB_HOST:-db}\n");
	args[2] = cfg;
	run_initc(args, NULL, 10, &res);
	ck_assert_msg(res.status == 78, "status %d\n%s", res.status, res.err);
	ASSERT_HAS(res.err, "initc.ini:2: step 'db': wait_tcp: bad address 'db'");
	run_result_free(&res);
	free(cfg);
	rm_rf(dir);
	free(dir);
}
END_TEST

/* --- wait_tcp against real listeners ----------------------------------- */

START_TEST(test_wait_tcp_listener_appears_late)
{
	char *dir = make_tempdir(), *cfg;
	struct run_result res;
	pid_t helper;
	/* later under valgrind, where initc itself takes about a second to start */
	int port = start_listener(dir, "-d", getenv("INITC_UNDER_VALGRIND") ? "3000" : "1000", &helper);

	cfg = write_config(dir,
		     "[step:db]\nwait_tcp = 127.0.0.1:%d\ntimeout = 2s\nretries = 40\n"
		     "retry_delay = 100ms\nbackoff = 1\n",
		     port);
	run_config(cfg, &res);
	ck_assert_msg(res.status == 0, "status %d\n%s", res.status, res.err);
	ASSERT_HAS(res.err, "Connection refused");
	ASSERT_HAS(res.err, "attempt 1 of 41 failed: exit status 1");
	ASSERT_HAS(res.err, "step db: succeeded");
	run_result_free(&res);
	stop_helper(helper);
	free(cfg);
	rm_rf(dir);
	free(dir);
}
END_TEST

START_TEST(test_wait_tcp_refused_fails_with_step_status)
{
	char *dir = make_tempdir(), *cfg, *status, path[4200];
	struct run_result res;
	pid_t helper;
	/* Bound but never listening: every connect is refused. */
	int port = start_listener(dir, "-d", "600000", &helper);

	cfg = write_config(dir,
		     "[initc]\nstatus_file = %s/status\n"
		     "[step:db]\nwait_tcp = 127.0.0.1:%d\nretries = 2\nretry_delay = 50ms\n",
		     dir, port);
	run_config(cfg, &res);
	ck_assert_msg(res.status == 1, "status %d\n%s", res.status, res.err);
	ck_assert_int_eq(count_substr(res.err, "Connection refused"), 3);
	ASSERT_HAS(res.err, "attempt 3 of 3 failed: exit status 1");
	ASSERT_HAS(res.err, "step db: failed for good (status 1)");
	snprintf(path, sizeof(path), "%s/status", dir);
	status = read_file(path);
	ck_assert_str_eq(status, "Init:Error\n");
	free(status);
	free(cfg);
	run_result_free(&res);
	stop_helper(helper);
	rm_rf(dir);
	free(dir);
}
END_TEST

START_TEST(test_wait_tcp_localhost_resolves)
{
	char *dir = make_tempdir(), *cfg;
	struct run_result res;
	pid_t helper;
	int port = start_listener(dir, NULL, NULL, &helper);

	cfg = write_config(dir, "[step:db]\nwait_tcp = localhost:%d\nretries = 3\nretry_delay = 100ms\n",
		     port);
	run_config(cfg, &res);
	ck_assert_msg(res.status == 0, "status %d\n%s", res.status, res.err);
	ASSERT_HAS(res.err, "step db: succeeded");
	run_result_free(&res);
	stop_helper(helper);
	free(cfg);
	rm_rf(dir);
	free(dir);
}
END_TEST

START_TEST(test_wait_tcp_unresolvable_is_retried)
{
	char *dir = make_tempdir(), *cfg;
	struct run_result res;

	cfg = write_config(dir, "[step:dns]\nwait_tcp = nonexistent.invalid:80\ntimeout = 5s\n"
			  "retries = 2\nretry_delay = 50ms\n");
	run_config(cfg, &res);
	/* A resolver that cannot be reached times out instead of failing. */
	if (count_substr(res.err, "timed out") == 0) {
		ck_assert_msg(res.status == 1, "status %d\n%s", res.status, res.err);
		ck_assert_int_eq(count_substr(res.err, "cannot resolve 'nonexistent.invalid'"), 3);
	} else {
		ck_assert_int_eq(res.status, 124);
	}
	ASSERT_HAS(res.err, "attempt 1 of 3 failed");
	ASSERT_HAS(res.err, "attempt 3 of 3 failed");
	run_result_free(&res);
	free(cfg);
	rm_rf(dir);
	free(dir);
}
END_TEST

static bool have_ipv6_loopback(void)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	int fd = socket(AF_INET6, SOCK_STREAM, 0);
	bool ok = fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0;

	if (fd >= 0)
		close(fd);
	return ok;
}

START_TEST(test_wait_tcp_ipv6_literal)
{
	char *dir, *cfg;
	struct run_result res;
	pid_t helper;
	int port;

	if (!have_ipv6_loopback()) {
		printf("SKIP test_wait_tcp_ipv6_literal: no IPv6 loopback (::1) here\n");
		return;
	}
	dir = make_tempdir();
	port = start_listener(dir, "-6", NULL, &helper);
	cfg = write_config(dir, "[step:v6]\nwait_tcp = [::1]:%d\nretries = 3\nretry_delay = 100ms\n",
		     port);
	run_config(cfg, &res);
	ck_assert_msg(res.status == 0, "status %d\n%s", res.status, res.err);
	ASSERT_HAS(res.err, "step v6: succeeded");
	run_result_free(&res);
	stop_helper(helper);
	free(cfg);
	rm_rf(dir);
	free(dir);
}
END_TEST

/* A connect that hangs (the listener's accept queue is full, SYNs are
 * dropped) runs in the probe child: initc still answers SIGTERM at once,
 * long before the attempt's 30 s timeout. */
START_TEST(test_wait_tcp_hanging_connect_does_not_delay_sigterm)
{
	char *dir = make_tempdir(), *cfg, errpath[4200];
	struct run_result res;
	pid_t helper, initc;
	int port = start_listener(dir, "-b", NULL, &helper);
	const char *args[3] = { "-c", NULL, NULL };
	struct timespec settle = { 0, 300 * 1000000L };

	cfg = write_config(dir, "[step:hang]\nwait_tcp = 127.0.0.1:%d\ntimeout = 30s\n", port);
	args[1] = cfg;
	snprintf(errpath, sizeof(errpath), "%s/.stderr", dir);
	initc = start_initc(args, NULL, dir);
	ck_assert(wait_for_text(errpath, "step hang: starting", 10000));
	nanosleep(&settle, NULL); /* the probe is now inside connect/poll */
	if (!pid_alive(initc)) {
		wait_initc(initc, dir, 5, &res);
		printf("SKIP hanging connect: this kernel accepted the connect (status %d)\n",
		       res.status);
	} else {
		kill(initc, SIGTERM);
		wait_initc(initc, dir, 20, &res);
		ck_assert_msg(res.status == 143, "status %d\n%s", res.status, res.err);
		ck_assert_msg(res.secs < 3.0, "SIGTERM took %.2fs (attempt timeout 30s)", res.secs);
		ASSERT_HAS(res.err, "stopped by SIGTERM");
	}
	run_result_free(&res);
	stop_helper(helper);
	free(cfg);
	rm_rf(dir);
	free(dir);
}
END_TEST

/* The attempt's timeout bounds a hanging connect: the attempt fails as a
 * timeout, and on the last attempt initc exits 124. */
START_TEST(test_wait_tcp_hanging_connect_times_out)
{
	char *dir = make_tempdir(), *cfg;
	struct run_result res;
	pid_t helper;
	int port = start_listener(dir, "-b", NULL, &helper);

	cfg = write_config(dir, "[step:hang]\nwait_tcp = 127.0.0.1:%d\ntimeout = 500ms\n", port);
	run_config(cfg, &res);
	if (res.status == 0) {
		printf("SKIP hanging connect timeout: this kernel accepted the connect\n");
	} else {
		ck_assert_msg(res.status == 124, "status %d\n%s", res.status, res.err);
		ck_assert_msg(strstr(res.err, "timed out"), "no timeout reason:\n%s", res.err);
	}
	run_result_free(&res);
	stop_helper(helper);
	free(cfg);
	rm_rf(dir);
	free(dir);
}
END_TEST

/* --- wait_file ----------------------------------------------------------- */

START_TEST(test_wait_file_appears_later)
{
	char *dir = make_tempdir(), *cfg, *script;
	struct run_result res;
	pid_t maker;

	/* later under valgrind, where initc itself takes about a second to start */
	ck_assert_int_ge(asprintf(&script, "sleep %s; touch '%s/ready'",
				  getenv("INITC_UNDER_VALGRIND") ? "3" : "0.5", dir),
			 0);
	cfg = write_config(dir, "[step:ready]\nwait_file = %s/ready\nretries = 100\nretry_delay = 100ms\n"
			  "backoff = 1\n",
		     dir);
	{
		const char *argv[] = { "/bin/sh", "-c", script, NULL };

		maker = start_helper(argv);
	}
	run_config(cfg, &res);
	ck_assert_msg(res.status == 0, "status %d\n%s", res.status, res.err);
	ASSERT_HAS(res.err, "No such file or directory");
	ASSERT_HAS(res.err, "step ready: succeeded");
	/* One stat per attempt: no polling of its own between retries. */
	ck_assert_int_eq(count_substr(res.err, "No such file or directory"),
			 count_substr(res.err, " failed: exit status 1"));
	run_result_free(&res);
	stop_helper(maker);
	free(script);
	free(cfg);
	rm_rf(dir);
	free(dir);
}
END_TEST

START_TEST(test_wait_file_never_appears_deadline)
{
	char *dir = make_tempdir(), *cfg, path[4200], *status;
	struct run_result res;

	cfg = write_config(dir,
		     "[initc]\ndeadline = 1s\nstatus_file = %s/status\n"
		     "[step:ready]\nwait_file = %s/never\nretries = 1000\nretry_delay = 100ms\n"
		     "backoff = 1\n",
		     dir, dir);
	run_config(cfg, &res);
	ck_assert_msg(res.status == 124, "status %d\n%s", res.status, res.err);
	ASSERT_HAS(res.err, "deadline exceeded");
	snprintf(path, sizeof(path), "%s/status", dir);
	status = read_file(path);
	ck_assert_str_eq(status, "Init:DeadlineExceeded\n");
	free(status);
	run_result_free(&res);
	free(cfg);
	rm_rf(dir);
	free(dir);
}
END_TEST

START_TEST(test_wait_file_retries_exhausted)
{
	char *dir = make_tempdir(), *cfg;
	struct run_result res;

	cfg = write_config(dir, "[step:ready]\nwait_file = %s/never\nretries = 2\nretry_delay = 10ms\n",
		     dir);
	run_config(cfg, &res);
	ck_assert_msg(res.status == 1, "status %d\n%s", res.status, res.err);
	ck_assert_int_eq(count_substr(res.err, "never: No such file or directory"), 3);
	run_result_free(&res);
	free(cfg);
	rm_rf(dir);
	free(dir);
}
END_TEST

static Suite *wait_suite(void)
{
	Suite *s = suite_create("wait");
	TCase *unit = tcase_create("split");
	TCase *tcp = tcase_create("wait_tcp");
	TCase *file = tcase_create("wait_file");

	tcase_add_test(unit, test_split_host_port);
	tcase_add_test(unit, test_split_refuses_malformed);
	tcase_add_test(unit, test_split_refuses_long_host);
	tcase_add_test(unit, test_wait_tcp_bad_target_is_config_error);
	tcase_set_timeout(tcp, 60);
	tcase_add_test(tcp, test_wait_tcp_listener_appears_late);
	tcase_add_test(tcp, test_wait_tcp_refused_fails_with_step_status);
	tcase_add_test(tcp, test_wait_tcp_localhost_resolves);
	tcase_add_test(tcp, test_wait_tcp_unresolvable_is_retried);
	tcase_add_test(tcp, test_wait_tcp_ipv6_literal);
	tcase_add_test(tcp, test_wait_tcp_hanging_connect_does_not_delay_sigterm);
	tcase_add_test(tcp, test_wait_tcp_hanging_connect_times_out);
	tcase_set_timeout(file, 30);
	tcase_add_test(file, test_wait_file_appears_later);
	tcase_add_test(file, test_wait_file_never_appears_deadline);
	tcase_add_test(file, test_wait_file_retries_exhausted);
	suite_add_tcase(s, unit);
	suite_add_tcase(s, tcp);
	suite_add_tcase(s, file);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(wait_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
