/* Integration tests of start-up configuration (SPEC §12 and the
 * termination message of §11), through the real build/initc: values
 * passed on through INITC_ENV, templates, secrets from files. Each test
 * gets a temp dir T (exported as $T to initc and its steps). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

/* Writes the config, runs initc -c config [args...] with T and env, waits
 * up to 20 s. */
static void run_with(const char *config, const char *const *args, const char *const *env,
		     struct run_result *r)
{
	const char *argv[16] = { "-c" };
	const char *envp[8] = { t_env };
	char *conf = write_file(T, "initc.ini", config);
	size_t n = 2, m = 1;
	pid_t pid;

	argv[1] = conf;
	while (args && args[n - 2] && n < 15) {
		argv[n] = args[n - 2];
		n++;
	}
	while (env && env[m - 1] && m < 7) {
		envp[m] = env[m - 1];
		m++;
	}
	pid = start_initc(argv, envp, T);
	wait_initc(pid, T, 20, r);
	free(conf);
}

static void run(const char *config, struct run_result *r)
{
	run_with(config, NULL, NULL, r);
}

static char *slurp(const char *name)
{
	char *p = path_join(T, name), *text = read_file(p);

	free(p);
	return text ? text : strdup("<missing>");
}

#define ASSERT_ERR_HAS(r, s) ck_assert_msg(strstr((r).err, (s)), "stderr lacks '%s':\n%s", (s), (r).err)
#define ASSERT_OUT_HAS(r, s) ck_assert_msg(strstr((r).out, (s)), "stdout lacks '%s':\n%s", (s), (r).out)

/* A value computed by a step reaches later steps and the app; a later
 * value wins, and [main] environment still applies last. */
START_TEST(test_initc_env_reaches_later_steps_and_app)
{
	struct run_result r;

	run("[step:compute]\n"
	    "shell = echo 'TOKEN=tok en=1' >> \"$INITC_ENV\"; echo PORT=80 >> \"$INITC_ENV\"; "
	    "echo 'MODE=from-step' >> \"$INITC_ENV\"\n"
	    "[step:later]\n"
	    "shell = echo \"later: $TOKEN|$PORT\"; echo PORT=8080 >> \"$INITC_ENV\"\n"
	    "[main]\n"
	    "environment = MODE=from-main\n"
	    "command = sh -c 'echo \"app: $TOKEN|$PORT|$MODE|${INITC_ENV-unset}\"'\n",
	    &r);
	ck_assert_int_eq(r.status, 0);
	ASSERT_OUT_HAS(r, "later: tok en=1|80\n");
	ASSERT_OUT_HAS(r, "app: tok en=1|8080|from-main|unset\n");
	run_result_free(&r);
}
END_TEST

/* A step's own environment wins over passed values for that step; the
 * file is fresh and empty for each attempt. */
START_TEST(test_initc_env_fresh_file_per_attempt)
{
	struct run_result r;

	run("[step:first]\n"
	    "shell = test -f \"$INITC_ENV\" && test ! -s \"$INITC_ENV\" && echo A=1 > \"$INITC_ENV\"\n"
	    "[step:second]\n"
	    "environment = A=own\n"
	    "shell = test ! -s \"$INITC_ENV\" && echo \"second: $A\"\n",
	    &r);
	ck_assert_int_eq(r.status, 0);
	ASSERT_OUT_HAS(r, "second: own\n");
	run_result_free(&r);
}
END_TEST

/* A step running as nobody can write its INITC_ENV (its own file, 0600,
 * in a directory only root can change) and what it writes counts. */
START_TEST(test_initc_env_step_as_other_user)
{
	struct run_result r;

	if (geteuid() != 0)
		return; /* needs root to switch users */
	run("[step:as-nobody]\n"
	    "user = nobody\n"
	    "shell = stat -c 'file %U %a' \"$INITC_ENV\"; stat -c 'dir %U %a' \"${INITC_ENV%/*}\"; "
	    "echo WHO=$(id -un) >> \"$INITC_ENV\"\n"
	    "[main]\n"
	    "command = sh -c 'echo \"app: $WHO\"'\n",
	    &r);
	ck_assert_int_eq(r.status, 0);
	ASSERT_OUT_HAS(r, "file nobody 600\n");
	ASSERT_OUT_HAS(r, "dir root 711\n");
	ASSERT_OUT_HAS(r, "app: nobody\n");
	run_result_free(&r);
}
END_TEST

/* The file and its private directory are gone after the step, and the
 * directory was made fresh (mode 0700 for a step running as initc's user). */
START_TEST(test_initc_env_removed_after_step)
{
	struct run_result r;
	char *where, *dir;
	struct stat st;

	run("[step:record]\n"
	    "shell = echo \"$INITC_ENV\" > $T/where; stat -c %a \"${INITC_ENV%/*}\" > $T/mode\n",
	    &r);
	ck_assert_int_eq(r.status, 0);
	where = slurp("where");
	where[strcspn(where, "\n")] = '\0';
	ck_assert_msg(strncmp(where, "/dev/shm/initc-env.", 19) == 0, "INITC_ENV=%s", where);
	ck_assert_int_eq(stat(where, &st), -1);
	dir = strdup(where);
	*strrchr(dir, '/') = '\0';
	ck_assert_int_eq(stat(dir, &st), -1);
	free(where);
	free(dir);
	where = slurp("mode");
	ck_assert_str_eq(where, "700\n");
	free(where);
	run_result_free(&r);
}
END_TEST

/* A malformed line fails the step with its line number; nothing of the
 * failed attempt is kept, not even its good lines, nor those of an attempt
 * whose process failed. */
START_TEST(test_initc_env_bad_line_fails_attempt)
{
	struct run_result r;

	run("[step:flaky]\n"
	    "retries = 2\n"
	    "retry_delay = 100ms\n"
	    "shell = n=$(cat $T/n 2>/dev/null || echo 0); echo $((n + 1)) > $T/n\n"
	    "  case $n in\n"
	    "  0) printf 'GOOD0=1\\nbad line\\n' >> \"$INITC_ENV\";;\n"
	    "  1) echo GOOD1=1 >> \"$INITC_ENV\"; exit 3;;\n"
	    "  *) echo LAST=2 >> \"$INITC_ENV\";;\n"
	    "  esac\n"
	    "[main]\n"
	    "command = sh -c 'echo \"app: ${GOOD0-unset} ${GOOD1-unset} $LAST\"'\n",
	    &r);
	ck_assert_int_eq(r.status, 0);
	ASSERT_ERR_HAS(r, "step flaky: attempt 1 of 3 failed: line 2: 'bad line' is not NAME=value");
	ASSERT_ERR_HAS(r, "step flaky: attempt 2 of 3 failed: exit status 3");
	ASSERT_OUT_HAS(r, "app: unset unset 2\n");
	run_result_free(&r);
}
END_TEST

START_TEST(test_initc_env_bad_line_fails_for_good)
{
	struct run_result r;

	run("[step:bad]\n"
	    "shell = echo 'MY-VAR=1' >> \"$INITC_ENV\"\n"
	    "[step:never]\n"
	    "shell = touch $T/never\n",
	    &r);
	ck_assert_int_eq(r.status, 1);
	ASSERT_ERR_HAS(r, "step bad: attempt 1 of 1 failed: line 1: bad variable name 'MY-VAR'");
	ck_assert(!file_exists(path_join(T, "never")));
	run_result_free(&r);
}
END_TEST

START_TEST(test_initc_env_oversize_fails)
{
	struct run_result r;

	run("[step:big]\n"
	    "shell = head -c 70000 /dev/zero | tr '\\0' x | sed 's/^/BIG=/' >> \"$INITC_ENV\"\n"
	    "[main]\n"
	    "command = touch ${T}/app\n",
	    &r);
	ck_assert_int_eq(r.status, 1);
	ASSERT_ERR_HAS(r, "step big: attempt 1 of 1 failed: INITC_ENV is over 65536 bytes");
	ck_assert(!file_exists(path_join(T, "app")));
	run_result_free(&r);
}
END_TEST

/* Exactly at the limit is fine. */
START_TEST(test_initc_env_at_limit_is_kept)
{
	struct run_result r;

	run("[step:big]\n"
	    "shell = { printf BIG=; head -c 65532 /dev/zero | tr '\\0' x; } >> \"$INITC_ENV\"\n"
	    "[main]\n"
	    "command = sh -c 'echo ${#BIG}'\n",
	    &r);
	ck_assert_int_eq(r.status, 0);
	ck_assert_str_eq(r.out, "65532\n");
	run_result_free(&r);
}
END_TEST

/* Writes T/name with text and mode. */
static char *write_mode(const char *name, const char *text, mode_t mode)
{
	char *p = write_file(T, name, text);

	ck_assert_int_eq(chmod(p, mode), 0);
	return p;
}

/* No temporary file of a render is left in dir. */
static void assert_no_temp_files(const char *dir)
{
	char cmd[4200];

	snprintf(cmd, sizeof(cmd), "ls -a '%s' | grep -q initc-", dir);
	ck_assert_msg(system(cmd) != 0, "a temporary file is left in %s", dir);
}

/* nginx's $host stays, $${ is a literal ${, ${NAME:-default} falls back,
 * and values come from initc's environment, a step's INITC_ENV and the
 * step's own environment. The output has the template's mode. */
START_TEST(test_template_renders_nginx_style)
{
	struct run_result r;
	const char *env[] = { "LISTEN=8080", NULL };
	char *out, *dest = path_join(T, "out/nginx.conf");
	struct stat st;

	write_mode("nginx.conf.tmpl",
		   "server {\n"
		   "    listen ${LISTEN};\n"
		   "    server_name ${SERVER_NAME};\n"
		   "    root ${ROOT:-/usr/share/nginx/html};\n"
		   "    proxy_set_header Host $host;\n"
		   "    set $literal \"$${NOT_EXPANDED}\";\n"
		   "    # ${UPSTREAM}\n"
		   "}\n", 0640);
	mkdir(path_join(T, "out"), 0755);
	run_with("[step:name]\n"
		 "shell = echo SERVER_NAME=example.com >> \"$INITC_ENV\"\n"
		 "[step:render]\n"
		 "template = ${T}/nginx.conf.tmpl\n"
		 "output = ${T}/out/nginx.conf\n"
		 "environment = UPSTREAM=app:9000\n",
		 NULL, env, &r);
	ck_assert_msg(r.status == 0, "status %d:\n%s", r.status, r.err);
	out = read_file(dest);
	ck_assert_ptr_nonnull(out);
	ck_assert_str_eq(out, "server {\n"
			      "    listen 8080;\n"
			      "    server_name example.com;\n"
			      "    root /usr/share/nginx/html;\n"
			      "    proxy_set_header Host $host;\n"
			      "    set $literal \"${NOT_EXPANDED}\";\n"
			      "    # app:9000\n"
			      "}\n");
	ck_assert_int_eq(stat(dest, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0640);
	ASSERT_ERR_HAS(r, "step render: starting: template ");
	assert_no_temp_files(path_join(T, "out"));
	free(out);
	free(dest);
	run_result_free(&r);
}
END_TEST

/* An unset variable fails the step with SRC:LINE, DEST is left as it was
 * and the app does not start. */
START_TEST(test_template_unset_variable_fails)
{
	struct run_result r;
	char *src = write_mode("app.tmpl", "a = 1\nb = ${HOST:-x}\nc = ${NOPE}\n", 0644);
	char *dest = write_file(T, "app.conf", "old\n"), *expect, *out;

	run("[step:render]\n"
	    "template = ${T}/app.tmpl\n"
	    "output = ${T}/app.conf\n"
	    "[main]\n"
	    "command = touch ${T}/app\n",
	    &r);
	ck_assert_int_eq(r.status, 1);
	if (asprintf(&expect, "step render: %s:3: NOPE is not set", src) < 0)
		abort();
	ASSERT_ERR_HAS(r, expect);
	out = read_file(dest);
	ck_assert_str_eq(out, "old\n");
	ck_assert(!file_exists(path_join(T, "app")));
	assert_no_temp_files(T);
	free(out);
	free(expect);
	free(src);
	free(dest);
	run_result_free(&r);
}
END_TEST

/* With user =, the render runs as that user: the output is its own, and
 * a directory it may not write fails the step with the reason. */
START_TEST(test_template_runs_as_user)
{
	struct run_result r;
	char *dest = path_join(T, "w/out.conf");
	struct stat st;

	if (geteuid() != 0)
		return; /* needs root to switch users */
	write_mode("t.tmpl", "x=${T}\n", 0644);
	mkdir(path_join(T, "w"), 0777);
	chmod(path_join(T, "w"), 0777);
	mkdir(path_join(T, "closed"), 0755);
	run("[step:render]\n"
	    "user = nobody\n"
	    "template = ${T}/t.tmpl\n"
	    "output = ${T}/w/out.conf\n"
	    "[step:closed]\n"
	    "user = nobody\n"
	    "template = ${T}/t.tmpl\n"
	    "output = ${T}/closed/out.conf\n",
	    &r);
	ck_assert_int_eq(r.status, 1);
	ck_assert_int_eq(stat(dest, &st), 0);
	ck_assert_uint_eq(st.st_uid, 65534);
	ASSERT_ERR_HAS(r, "/closed/out.conf: Permission denied; render into a writable directory");
	assert_no_temp_files(path_join(T, "closed"));
	free(dest);
	run_result_free(&r);
}
END_TEST

/* A read-only file system for DEST (as with a read-only root) fails the
 * step and says why; initc runs in a mount namespace with a read-only
 * tmpfs on T/ro. */
START_TEST(test_template_read_only_dir_fails)
{
	struct run_result r;
	char *conf, *script;
	pid_t pid;

	if (geteuid() != 0 || system("unshare --mount true 2>/dev/null") != 0)
		return; /* needs a mount namespace */
	write_mode("t.tmpl", "x\n", 0644);
	mkdir(path_join(T, "ro"), 0755);
	conf = write_file(T, "initc.ini", "[step:render]\n"
					  "template = ${T}/t.tmpl\n"
					  "output = ${T}/ro/out.conf\n");
	if (asprintf(&script, "mount -t tmpfs -o ro tmpfs \"$T/ro\" && exec \"$INITC\" -c '%s'",
		     conf) < 0)
		abort();
	{
		char *initc_env;
		const char *args[] = { "unshare", "--mount", "sh", "-c", script, NULL };
		const char *env[] = { t_env, NULL, NULL };

		if (asprintf(&initc_env, "INITC=%s", initc_bin()) < 0)
			abort();
		env[1] = initc_env;
		pid = start_program(args, env, T);
		wait_initc(pid, T, 20, &r);
		free(initc_env);
	}
	ck_assert_int_eq(r.status, 1);
	ASSERT_ERR_HAS(r, "/ro/out.conf: Read-only file system; render into a writable directory");
	free(conf);
	free(script);
	run_result_free(&r);
}
END_TEST

/* The rename replaces a link at DEST; it never writes through it. */
START_TEST(test_template_replaces_link_not_target)
{
	struct run_result r;
	char *victim = write_file(T, "victim", "keep\n"), *dest = path_join(T, "dest"), *text;
	struct stat st;

	write_mode("t.tmpl", "new\n", 0600);
	ck_assert_int_eq(symlink(victim, dest), 0);
	run("[step:render]\n"
	    "template = ${T}/t.tmpl\n"
	    "output = ${T}/dest\n",
	    &r);
	ck_assert_int_eq(r.status, 0);
	ck_assert_int_eq(lstat(dest, &st), 0);
	ck_assert(S_ISREG(st.st_mode));
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	text = read_file(victim);
	ck_assert_str_eq(text, "keep\n");
	free(text);
	text = read_file(dest);
	ck_assert_str_eq(text, "new\n");
	free(text);
	free(victim);
	free(dest);
	run_result_free(&r);
}
END_TEST

/* Config errors, with file:line, exit 78, and nothing runs: a marker
 * step first would create T/marker. */
static void assert_config_error(const char *body, const char *message)
{
	struct run_result r;
	char *config, *conf_path = path_join(T, "initc.ini"), *expect;
	const char *check[] = { "--check", NULL };

	if (asprintf(&config, "[step:marker]\nshell = touch $T/marker\n%s", body) < 0 ||
	    asprintf(&expect, "%s:%s", conf_path, message) < 0)
		abort();
	run_with(config, check, NULL, &r);
	ck_assert_int_eq(r.status, 78);
	ASSERT_ERR_HAS(r, expect);
	run_result_free(&r);
	run(config, &r);
	ck_assert_int_eq(r.status, 78);
	ASSERT_ERR_HAS(r, expect);
	ck_assert(!file_exists(path_join(T, "marker")));
	run_result_free(&r);
	free(config);
	free(conf_path);
	free(expect);
}

START_TEST(test_template_config_errors)
{
	write_file(T, "t.tmpl", "x\n");
	ck_assert_int_eq(link(path_join(T, "t.tmpl"), path_join(T, "hard")), 0);
	assert_config_error("[step:r]\ntemplate = ${T}/t.tmpl\n",
			    "4: step 'r': template needs output = DEST, the file to render");
	assert_config_error("[step:r]\ncommand = true\noutput = ${T}/x\n",
			    "5: step 'r': output names the file a template renders; add template = SRC or remove output");
	assert_config_error("[step:r]\ntemplate = ${T}/t.tmpl\noutput = ${T}/t.tmpl\n",
			    "5: step 'r': output ");
	assert_config_error("[step:r]\ntemplate = ${T}/t.tmpl\noutput = ${T}/hard\n",
			    "5: step 'r': output ");
	assert_config_error("[step:r]\ntemplate = ${T}/t.tmpl\noutput = ${T}/./t.tmpl\n",
			    "5: step 'r': output ");
	assert_config_error("[step:r]\ntemplate = ${T}/t.tmpl\nshell = true\noutput = ${T}/o\n",
			    "5: step 'r' has two actions: 'template'");
}
END_TEST

/* --check shows what a template step renders where. */
START_TEST(test_template_check_prints_plan)
{
	struct run_result r;
	const char *check[] = { "--check", NULL };
	char *expect;

	run_with("[step:render]\ntemplate = ${T}/a.tmpl\noutput = ${T}/a.conf\n", check, NULL, &r);
	ck_assert_int_eq(r.status, 0);
	if (asprintf(&expect, "     template %s/a.tmpl -> %s/a.conf\n", T, T) < 0)
		abort();
	ASSERT_OUT_HAS(r, expect);
	free(expect);
	run_result_free(&r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("startenv");
	TCase *tc = tcase_create("startenv");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_initc_env_reaches_later_steps_and_app);
	tcase_add_test(tc, test_initc_env_fresh_file_per_attempt);
	tcase_add_test(tc, test_initc_env_step_as_other_user);
	tcase_add_test(tc, test_initc_env_removed_after_step);
	tcase_add_test(tc, test_initc_env_bad_line_fails_attempt);
	tcase_add_test(tc, test_initc_env_bad_line_fails_for_good);
	tcase_add_test(tc, test_initc_env_oversize_fails);
	tcase_add_test(tc, test_initc_env_at_limit_is_kept);
	tcase_add_test(tc, test_template_renders_nginx_style);
	tcase_add_test(tc, test_template_unset_variable_fails);
	tcase_add_test(tc, test_template_runs_as_user);
	tcase_add_test(tc, test_template_read_only_dir_fails);
	tcase_add_test(tc, test_template_replaces_link_not_target);
	tcase_add_test(tc, test_template_config_errors);
	tcase_add_test(tc, test_template_check_prints_plan);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
