/* Every example (examples/NAME.ini) is valid (--check), and the readiness
 * examples run for real against local listeners and files. The status file
 * path of an example is moved into the test's directory before it runs. */
#include <arpa/inet.h>
#include <check.h>
#include <glob.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness.h"

/* What the examples read from the environment (they all have defaults,
 * except the demo's DEMO_DIR). */
static const char *const example_env[] = { "DEMO_DIR=/tmp/initc-demo", "DB_HOST=127.0.0.1",
					   "DB_PORT=5432", "APP_DIR=/tmp/initc-app",
					   "WEB_DIR=/tmp/initc-web", "PORT=8080",
					   "SECRETS_DIR=/tmp/initc-secrets", NULL };

START_TEST(test_every_example_is_valid)
{
	glob_t g;

	ck_assert_int_eq(glob("examples/*.ini", 0, NULL, &g), 0);
	ck_assert_msg(g.gl_pathc >= 4, "only %zu examples", g.gl_pathc);
	for (size_t i = 0; i < g.gl_pathc; i++) {
		const char *args[] = { "--check", "-c", g.gl_pathv[i], NULL };
		struct run_result res;

		run_initc(args, example_env, 10, &res);
		ck_assert_msg(res.status == 0, "%s: status %d\n%s", g.gl_pathv[i], res.status,
			      res.err);
		ASSERT_HAS(res.out, "init: ");
		run_result_free(&res);
	}
	globfree(&g);
}
END_TEST

/* examples/NAME with /run/initc/status moved to dir/status, as dir/NAME. */
static char *copy_example(const char *dir, const char *name)
{
	char src[256], *text, *hit, *copy, *path;

	snprintf(src, sizeof(src), "examples/%s", name);
	text = read_file(src);
	ck_assert_msg(text, "cannot read %s", src);
	hit = strstr(text, "/run/initc/status");
	ck_assert_ptr_nonnull(hit);
	ck_assert_int_ge(asprintf(&copy, "%.*s%s/status%s", (int)(hit - text), text, dir,
				  hit + strlen("/run/initc/status")),
			 0);
	path = write_file(dir, name, copy);
	free(copy);
	free(text);
	return path;
}

/* A port free right now (bound, read, closed). */
static int free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, len), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	port = ntohs(a.sin_port);
	close(fd);
	return port;
}

static char *env_var(const char *name, const char *fmt_value, const char *value)
{
	char *e;

	ck_assert_int_ge(asprintf(&e, "%s=%s%s", name, fmt_value, value), 0);
	return e;
}

START_TEST(test_example_wait_for_service_runs)
{
	char *dir = make_tempdir(), *cfg, portfile[4300], *port, *db, *app, *status;
	const char *argv[] = { NULL, "-d", "800", "-t", "60", portfile, NULL };
	struct run_result res;
	pid_t listener;

	snprintf(portfile, sizeof(portfile), "%s/port", dir);
	argv[0] = helper_path("tcp_listen");
	listener = start_helper(argv);
	ck_assert(wait_for_file(portfile, 5000));
	port = read_file(portfile);
	port[strcspn(port, "\n")] = '\0';
	db = env_var("DB_PORT", "", port);
	app = env_var("APP_DIR", dir, "/app");
	cfg = copy_example(dir, "wait-for-service.ini");
	{
		const char *args[] = { "-c", cfg, NULL };
		const char *env[] = { db, app, "DB_HOST=localhost", NULL };

		run_initc(args, env, 60, &res);
		ck_assert_msg(res.status == 0, "status %d\n%s", res.status, res.err);
		/* under valgrind initc may start after the listener is up */
		if (!getenv("INITC_UNDER_VALGRIND"))
			ASSERT_HAS(res.err, "Connection refused");
		ASSERT_HAS(res.out, "migrate: schema written");
		ASSERT_HAS(res.out, "schema: CREATE TABLE users");
		run_result_free(&res);
		/* Second start: the migration is skipped. */
		run_initc(args, env, 60, &res);
		ck_assert_msg(res.status == 0, "status %d\n%s", res.status, res.err);
		ASSERT_HAS(res.err, "step migrate: skipped");
		ck_assert(!strstr(res.out, "migrate: schema written"));
	}
	{
		char path[4300];

		snprintf(path, sizeof(path), "%s/status", dir);
		status = read_file(path);
		ck_assert_str_eq(status, "Running\n");
		free(status);
	}
	run_result_free(&res);
	stop_helper(listener);
	free((char *)argv[0]);
	free(port);
	free(db);
	free(app);
	free(cfg);
	rm_rf(dir);
	free(dir);
}
END_TEST

START_TEST(test_example_wait_for_file_runs)
{
	char *dir = make_tempdir(), *cfg, *secrets, script[4400];
	const char *argv[] = { "/bin/sh", "-c", script, NULL };
	struct run_result res;
	pid_t maker;

	secrets = env_var("SECRETS_DIR", dir, "/secrets");
	snprintf(script, sizeof(script),
		 "sleep 0.5; mkdir %s/secrets && printf s3cret > %s/secrets/db-password", dir, dir);
	cfg = copy_example(dir, "wait-for-file.ini");
	maker = start_helper(argv);
	{
		const char *args[] = { "-c", cfg, NULL };
		const char *env[] = { secrets, NULL };

		run_initc(args, env, 60, &res);
	}
	ck_assert_msg(res.status == 0, "status %d\n%s", res.status, res.err);
	/* under valgrind initc starts slower than the file appears */
	if (!getenv("INITC_UNDER_VALGRIND"))
		ASSERT_HAS(res.err, "No such file or directory");
	ASSERT_HAS(res.out, "got a password of 6 bytes");
	stop_helper(maker);
	run_result_free(&res);
	free(secrets);
	free(cfg);
	rm_rf(dir);
	free(dir);
}
END_TEST

/* GET / from 127.0.0.1:port; the response (malloc'd) or NULL. */
static char *http_get(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	static const char req[] = "GET / HTTP/1.0\r\nHost: localhost\r\n\r\n";
	char *buf = calloc(1, 65536);
	size_t len = 0;
	ssize_t n;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) == -1 ||
	    write(fd, req, sizeof(req) - 1) != (ssize_t)(sizeof(req) - 1)) {
		close(fd);
		free(buf);
		return NULL;
	}
	while (len < 65535 && (n = read(fd, buf + len, 65535 - len)) > 0)
		len += (size_t)n;
	close(fd);
	return buf;
}

START_TEST(test_example_shared_dir_serves)
{
	char *dir = make_tempdir(), *cfg, *web, *port_env, portstr[16], *body = NULL, path[4300];
	struct run_result res;
	int port = free_port();
	pid_t initc;

	snprintf(portstr, sizeof(portstr), "%d", port);
	web = env_var("WEB_DIR", dir, "/web");
	port_env = env_var("PORT", "", portstr);
	cfg = copy_example(dir, "shared-dir.ini");
	{
		const char *args[] = { "-c", cfg, NULL };
		const char *env[] = { web, port_env, NULL };

		initc = start_initc(args, env, dir);
	}
	for (int i = 0; i < 300 && !(body && strstr(body, "Hello from the init step")); i++) {
		free(body);
		usleep(50000);
		body = http_get(port);
	}
	ck_assert_msg(body && strstr(body, "Hello from the init step"), "no page: %s",
		      body ? body : "(no connection)");
	snprintf(path, sizeof(path), "%s/status", dir);
	free(body);
	body = read_file(path);
	ck_assert_str_eq(body, "Running\n");
	kill(initc, SIGTERM);
	wait_initc(initc, dir, 20, &res);
	ck_assert_msg(res.status == 143 || res.status == 0, "status %d\n%s", res.status, res.err);
	ck_assert_msg(strncmp(res.err, "{\"ts\":", 6) == 0, "not JSON logs:\n%s", res.err);
	free(body);
	run_result_free(&res);
	free(web);
	free(port_env);
	free(cfg);
	rm_rf(dir);
	free(dir);
}
END_TEST

static Suite *examples_suite(void)
{
	Suite *s = suite_create("examples");
	TCase *tc = tcase_create("examples");

	tcase_set_timeout(tc, 90);
	tcase_add_test(tc, test_every_example_is_valid);
	tcase_add_test(tc, test_example_wait_for_service_runs);
	tcase_add_test(tc, test_example_wait_for_file_runs);
	tcase_add_test(tc, test_example_shared_dir_serves);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(examples_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
