/* Integration tests of start-up configuration (README, "Start-up
 * configuration", and its termination message), through the real build/initc: values
 * passed on through INITC_ENV, templates, secrets from files. Each test
 * gets a temp dir T (exported as $T to initc and its steps). */
#include <check.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

/* $T/name in one of a few static buffers, for paths used once inline (a
 * malloc'd one there would leak under the sanitizers' leak check). */
static const char *tpath(const char *name)
{
	static char buf[4][4096];
	static unsigned i;
	char *b = buf[i++ % 4];

	snprintf(b, sizeof(buf[0]), "%s/%s", T, name);
	return b;
}

static void run(const char *config, struct run_result *r)
{
	run_scratch_config(config, NULL, NULL, 20, r);
}

/* run() with a config made from a format, where %1$s is T. */
static void __attribute__((format(printf, 1, 3))) run_fmt(const char *fmt, struct run_result *r, ...)
{
	char *config;
	va_list ap;

	va_start(ap, r);
	if (vasprintf(&config, fmt, ap) < 0)
		abort();
	va_end(ap);
	run(config, r);
	free(config);
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
	    "command = sh -c 'echo \"app: $TOKEN|$PORT|$MODE|$${INITC_ENV-unset}\"'\n",
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
	    "command = sh -c 'echo \"app: $${GOOD0-unset} $${GOOD1-unset} $LAST\"'\n",
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
	ck_assert(!file_exists(tpath("never")));
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
	ck_assert(!file_exists(tpath("app")));
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
	    "command = sh -c 'echo $${#BIG}'\n",
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

	free(write_mode("nginx.conf.tmpl",
		   "server {\n"
		   "    listen ${LISTEN};\n"
		   "    server_name ${SERVER_NAME};\n"
		   "    root ${ROOT:-/usr/share/nginx/html};\n"
		   "    proxy_set_header Host $host;\n"
		   "    set $literal \"$${NOT_EXPANDED}\";\n"
		   "    # ${UPSTREAM}\n"
		   "}\n", 0640));
	mkdir(tpath("out"), 0755);
	run_scratch_config("[step:name]\n"
		 "shell = echo SERVER_NAME=example.com >> \"$INITC_ENV\"\n"
		 "[step:render]\n"
		 "template = ${T}/nginx.conf.tmpl\n"
		 "output = ${T}/out/nginx.conf\n"
		 "environment = UPSTREAM=app:9000\n",
		 NULL, env, 20, &r);
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
	assert_no_temp_files(tpath("out"));
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
	ck_assert(!file_exists(tpath("app")));
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
	free(write_mode("t.tmpl", "x=${T}\n", 0644));
	mkdir(tpath("w"), 0777);
	chmod(tpath("w"), 0777);
	mkdir(tpath("closed"), 0755);
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
	assert_no_temp_files(tpath("closed"));
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
	free(write_mode("t.tmpl", "x\n", 0644));
	mkdir(tpath("ro"), 0755);
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

	free(write_mode("t.tmpl", "new\n", 0600));
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
	run_scratch_config(config, check, NULL, 20, &r);
	ck_assert_int_eq(r.status, 78);
	ASSERT_ERR_HAS(r, expect);
	run_result_free(&r);
	run(config, &r);
	ck_assert_int_eq(r.status, 78);
	ASSERT_ERR_HAS(r, expect);
	ck_assert(!file_exists(tpath("marker")));
	run_result_free(&r);
	free(config);
	free(conf_path);
	free(expect);
}

START_TEST(test_template_config_errors)
{
	free(write_file(T, "t.tmpl", "x\n"));
	ck_assert_int_eq(link(tpath("t.tmpl"), tpath("hard")), 0);
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

	run_scratch_config("[step:render]\ntemplate = ${T}/a.tmpl\noutput = ${T}/a.conf\n", check, NULL, 20, &r);
	ck_assert_int_eq(r.status, 0);
	if (asprintf(&expect, "     template %s/a.tmpl -> %s/a.conf\n", T, T) < 0)
		abort();
	ASSERT_OUT_HAS(r, expect);
	free(expect);
	run_result_free(&r);
}
END_TEST

/* The official images' NAME_FILE convention: the file's content, one
 * trailing newline removed, becomes NAME for steps and the app, and
 * NAME_FILE is gone from their environment. A link (as in Kubernetes'
 * secret volumes) is followed. */
START_TEST(test_file_env_value_for_steps_and_app)
{
	struct run_result r;
	char *pw = write_file(T, "pw", "s3 cret\n"), *key = write_file(T, "key", "k\n\n");
	char *link_path = path_join(T, "key-link"), *e1, *e2;
	const char *env[3];

	ck_assert_int_eq(symlink(key, link_path), 0);
	if (asprintf(&e1, "DB_PASSWORD_FILE=%s", pw) < 0 ||
	    asprintf(&e2, "API_KEY_FILE=%s", link_path) < 0)
		abort();
	env[0] = e1;
	env[1] = e2;
	env[2] = NULL;
	run_scratch_config("[initc]\n"
		 "file_env = DB_PASSWORD, API_KEY OTHER\n"
		 "[step:show]\n"
		 "shell = echo \"step: [$DB_PASSWORD] [$API_KEY] ${DB_PASSWORD_FILE-gone} ${OTHER-unset}\"\n"
		 "[main]\n"
		 "command = sh -c 'echo \"app: [$DB_PASSWORD] $${API_KEY_FILE-gone}\"'\n",
		 NULL, env, 20, &r);
	ck_assert_msg(r.status == 0, "status %d:\n%s", r.status, r.err);
	ASSERT_OUT_HAS(r, "step: [s3 cret] [k\n] gone unset\n");
	ASSERT_OUT_HAS(r, "app: [s3 cret] gone\n");
	ck_assert_msg(!strstr(r.err, "s3 cret"), "the secret is in the log:\n%s", r.err);
	free(pw);
	free(key);
	free(link_path);
	free(e1);
	free(e2);
	run_result_free(&r);
}
END_TEST

/* Runs config with one extra variable and expects exit 78 with message
 * and nothing run (the config's first step would create T/marker). */
static void assert_refused_with(const char *config, const char *var, const char *message)
{
	struct run_result r;
	const char *env[] = { var, NULL };

	run_scratch_config(config, NULL, env, 20, &r);
	ck_assert_int_eq(r.status, 78);
	ASSERT_ERR_HAS(r, message);
	ck_assert(!file_exists(tpath("marker")));
	run_result_free(&r);
}

static const char secret_config[] = "[initc]\n"
				    "file_env = DB_PASSWORD\n"
				    "[step:marker]\n"
				    "shell = touch $T/marker\n";

START_TEST(test_file_env_both_set_is_config_error)
{
	struct run_result r;
	const char *env[] = { "DB_PASSWORD=x", "DB_PASSWORD_FILE=/dev/null", NULL };
	const char *check[] = { "--check", NULL };
	char *expect;

	if (asprintf(&expect, "%s/initc.ini:2: file_env: both DB_PASSWORD and DB_PASSWORD_FILE are set; "
			      "unset one of them", T) < 0)
		abort();
	run_scratch_config(secret_config, check, env, 20, &r);
	ck_assert_int_eq(r.status, 78);
	ASSERT_ERR_HAS(r, expect);
	run_result_free(&r);
	run_scratch_config(secret_config, NULL, env, 20, &r);
	ck_assert_int_eq(r.status, 78);
	ASSERT_ERR_HAS(r, expect);
	ck_assert(!file_exists(tpath("marker")));
	run_result_free(&r);
	free(expect);
}
END_TEST

/* A missing file, a FIFO (which must not block initc), a file over
 * 64 KiB and a NUL byte are refused with the variable and the file. */
START_TEST(test_file_env_bad_files_refused)
{
	char *fifo = path_join(T, "fifo"), *big = path_join(T, "big"), *var;
	char cmd[4200];

	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	snprintf(cmd, sizeof(cmd), "head -c 65537 /dev/zero | tr '\\0' x > '%s'", big);
	ck_assert_int_eq(system(cmd), 0);
	free(write_file(T, "nul", "a\nb"));
	snprintf(cmd, sizeof(cmd), "printf 'a\\0b' > '%s/nul'", T);
	ck_assert_int_eq(system(cmd), 0);

	assert_refused_with(secret_config, "DB_PASSWORD_FILE=/nonexistent/pw",
			    "file_env: DB_PASSWORD_FILE: cannot open /nonexistent/pw: No such file or directory; nothing was run");
	if (asprintf(&var, "DB_PASSWORD_FILE=%s", fifo) < 0)
		abort();
	assert_refused_with(secret_config, var, "is not a regular file of at most 65536 bytes");
	free(var);
	if (asprintf(&var, "DB_PASSWORD_FILE=%s", big) < 0)
		abort();
	assert_refused_with(secret_config, var, "is not a regular file of at most 65536 bytes");
	free(var);
	if (asprintf(&var, "DB_PASSWORD_FILE=%s/nul", T) < 0)
		abort();
	assert_refused_with(secret_config, var, "holds a NUL byte");
	free(var);
	free(fifo);
	free(big);
}
END_TEST

/* --check names where each secret comes from, never its value. */
START_TEST(test_file_env_check_prints_source)
{
	struct run_result r;
	char *pw = write_file(T, "pw", "hunter2\n"), *var, *expect;
	const char *check[] = { "--check", NULL }, *env[] = { NULL, NULL };

	if (asprintf(&var, "DB_PASSWORD_FILE=%s", pw) < 0 ||
	    asprintf(&expect, "file_env: DB_PASSWORD from %s\n", pw) < 0)
		abort();
	env[0] = var;
	run_scratch_config("[initc]\nfile_env = DB_PASSWORD API_KEY\n", check, env, 20, &r);
	ck_assert_int_eq(r.status, 0);
	ASSERT_OUT_HAS(r, expect);
	ASSERT_OUT_HAS(r, "file_env: API_KEY from API_KEY_FILE (not set: none)\n");
	ck_assert(!strstr(r.out, "hunter2"));
	free(pw);
	free(var);
	free(expect);
	run_result_free(&r);
}
END_TEST

/* The termination message names the step, the attempt, the reason and the
 * status; an older, longer message is truncated away. */
START_TEST(test_termination_message_step_failed)
{
	struct run_result r;
	char *term = write_file(T, "term", "an older message that is much longer than the new one, "
					   "and must not show at its end\n"), *text;

	run_fmt("[initc]\n"
		"termination_log = %s\n"
		"[step:migrate]\n"
		"shell = exit 3\n"
		"retries = 1\n"
		"retry_delay = 100ms\n",
		&r, term);
	ck_assert_int_eq(r.status, 3);
	text = read_file(term);
	ck_assert_str_eq(text, "initc: init failed: step migrate failed for good: attempt 2 of 2: "
			       "exit status 3; initc exits 3\n");
	free(text);
	free(term);
	run_result_free(&r);
}
END_TEST

START_TEST(test_termination_message_reasons)
{
	struct run_result r;
	char *term = path_join(T, "term"), *text;

	run_fmt("[initc]\ntermination_log = %s/term\ndeadline = 1s\n"
	    "[step:slow]\ncommand = sleep 10\n", &r, T);
	ck_assert_int_eq(r.status, 124);
	text = read_file(term);
	ck_assert_str_eq(text, "initc: init failed: deadline of 1s exceeded in step slow "
			       "(attempt 1 of 1); initc exits 124\n");
	free(text);
	run_result_free(&r);

	run_fmt("[initc]\ntermination_log = %s/term\n"
	    "[step:env]\nshell = echo 'not a pair' > \"$INITC_ENV\"\n", &r, T);
	ck_assert_int_eq(r.status, 1);
	text = read_file(term);
	ck_assert_str_eq(text, "initc: init failed: step env failed for good: attempt 1 of 1: "
			       "line 1: 'not a pair' is not NAME=value; initc exits 1\n");
	free(text);
	run_result_free(&r);

	run_fmt("[initc]\ntermination_log = %s/term\n[main]\ncommand = /nonexistent/app\n", &r, T);
	ck_assert_int_eq(r.status, 127);
	text = read_file(term);
	ck_assert_str_eq(text, "initc: the application cannot be started: cannot run "
			       "'/nonexistent/app': No such file or directory; initc exits 127\n");
	free(text);
	free(term);
	run_result_free(&r);
}
END_TEST

/* Nothing is written when init succeeds, nor when initc is told to stop. */
START_TEST(test_termination_message_only_on_failure)
{
	struct run_result r;
	char *term = path_join(T, "term"), *conf, *text;
	const char *args[] = { "-c", NULL, NULL }, *env[] = { t_env, NULL };
	pid_t pid;

	run_fmt("[initc]\ntermination_log = %s/term\n[step:ok]\ncommand = true\n", &r, T);
	ck_assert_int_eq(r.status, 0);
	ck_assert(!file_exists(term));
	run_result_free(&r);

	if (asprintf(&conf, "[initc]\ntermination_log = %s\n"
			    "[step:wait]\nshell = touch $T/started; sleep 10\n", term) < 0)
		abort();
	text = conf;
	conf = write_file(T, "initc.ini", text);
	free(text);
	args[1] = conf;
	pid = start_initc(args, env, T);
	ck_assert(wait_for_file(tpath("started"), 10000));
	kill(pid, SIGTERM);
	wait_initc(pid, T, 20, &r);
	ck_assert_int_eq(r.status, 143);
	ck_assert(!file_exists(term));
	free(conf);
	free(term);
	run_result_free(&r);
}
END_TEST

/* A link or a second name planted at the path is not written through. */
START_TEST(test_termination_message_not_through_links)
{
	struct run_result r;
	char *victim = write_file(T, "victim", "keep\n"), *text;

	ck_assert_int_eq(symlink(victim, tpath("term")), 0);
	ck_assert_int_eq(link(victim, tpath("hard")), 0);
	run_fmt("[initc]\ntermination_log = %s/term\n[step:bad]\nshell = exit 2\n", &r, T);
	ck_assert_int_eq(r.status, 2);
	ASSERT_ERR_HAS(r, "cannot write the termination message to ");
	run_result_free(&r);
	run_fmt("[initc]\ntermination_log = %s/hard\n[step:bad]\nshell = exit 2\n", &r, T);
	ck_assert_int_eq(r.status, 2);
	ASSERT_ERR_HAS(r, "hard: not a regular file with one name");
	text = read_file(victim);
	ck_assert_str_eq(text, "keep\n");
	free(text);
	free(victim);
	run_result_free(&r);
}
END_TEST

/* README's example, for real: the rendered file and the app's view. */
START_TEST(test_example_startup_config_runs)
{
	struct run_result r;
	char *key = write_file(T, "api_key", "s3cret\n"), *e1, *e2, *conf, *dest;
	const char *args[] = { "-c", "examples/startup-config.ini", NULL }, *env[3];
	pid_t pid;

	if (asprintf(&e1, "API_KEY_FILE=%s", key) < 0 || asprintf(&e2, "STARTUP_DIR=%s/out", T) < 0)
		abort();
	env[0] = e1;
	env[1] = e2;
	env[2] = NULL;
	pid = start_initc(args, env, T);
	wait_initc(pid, T, 20, &r);
	ck_assert_msg(r.status == 0, "status %d:\n%s", r.status, r.err);
	dest = path_join(T, "out/nginx.conf");
	conf = read_file(dest);
	ck_assert_ptr_nonnull(conf);
	ASSERT_HAS(conf, "proxy_set_header Host $host;\n");
	ASSERT_HAS(conf, "proxy_set_header X-Api-Key \"s3cret\";\n");
	ASSERT_HAS(conf, "set $literal \"${NOT_EXPANDED}\";\n");
	ASSERT_HAS(conf, "server_name node-");
	ASSERT_OUT_HAS(r, "API_KEY has 6 characters, API_KEY_FILE=gone\n");
	ASSERT_OUT_HAS(r, "proxy_pass http://127.0.0.1:9000;\n");
	free(conf);
	free(dest);
	free(key);
	free(e1);
	free(e2);
	run_result_free(&r);
}
END_TEST

/* With nowhere to put INITC_ENV (read-only /dev/shm, /run and /tmp, as in
 * a bare image), steps still run, without it, and a warning says why. The
 * config is passed as an open descriptor, since T is under the hidden /tmp. */
START_TEST(test_initc_env_nowhere_steps_still_run)
{
	struct run_result r;
	const char *args[] = { "unshare", "--mount", "sh", "-c",
			       "exec 3< \"$T/initc.ini\" && for d in /dev/shm /run /tmp; do "
			       "mount -t tmpfs -o ro tmpfs $d || exit 99; done && "
			       "exec \"$INITC\" -c /proc/self/fd/3", NULL };
	const char *env[] = { t_env, NULL, NULL };
	char *initc_env;
	pid_t pid;

	if (geteuid() != 0 || system("unshare --mount true 2>/dev/null") != 0)
		return; /* needs a mount namespace */
	if (skip_under_valgrind("test_initc_env_nowhere_steps_still_run",
				"valgrind cannot start without a writable /tmp"))
		return;
	free(write_file(T, "initc.ini", "[step:plain]\n"
					"shell = echo \"plain ran, INITC_ENV=${INITC_ENV-unset}\"\n"));
	if (asprintf(&initc_env, "INITC=%s", initc_bin()) < 0)
		abort();
	env[1] = initc_env;
	pid = start_program(args, env, T);
	wait_initc(pid, T, 20, &r);
	ck_assert_msg(r.status == 0, "status %d:\n%s", r.status, r.err);
	ASSERT_OUT_HAS(r, "plain ran, INITC_ENV=unset\n");
	ASSERT_ERR_HAS(r, "step plain: cannot make a directory for INITC_ENV in /dev/shm, /run or "
			  "/tmp: Read-only file system; it runs without INITC_ENV");
	free(initc_env);
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
	tcase_add_checked_fixture(tc, scratch_setup, scratch_teardown);
	tcase_add_test(tc, test_initc_env_reaches_later_steps_and_app);
	tcase_add_test(tc, test_initc_env_fresh_file_per_attempt);
	tcase_add_test(tc, test_initc_env_step_as_other_user);
	tcase_add_test(tc, test_initc_env_removed_after_step);
	tcase_add_test(tc, test_initc_env_bad_line_fails_attempt);
	tcase_add_test(tc, test_initc_env_bad_line_fails_for_good);
	tcase_add_test(tc, test_initc_env_oversize_fails);
	tcase_add_test(tc, test_initc_env_at_limit_is_kept);
	tcase_add_test(tc, test_initc_env_nowhere_steps_still_run);
	tcase_add_test(tc, test_template_renders_nginx_style);
	tcase_add_test(tc, test_template_unset_variable_fails);
	tcase_add_test(tc, test_template_runs_as_user);
	tcase_add_test(tc, test_template_read_only_dir_fails);
	tcase_add_test(tc, test_template_replaces_link_not_target);
	tcase_add_test(tc, test_template_config_errors);
	tcase_add_test(tc, test_template_check_prints_plan);
	tcase_add_test(tc, test_file_env_value_for_steps_and_app);
	tcase_add_test(tc, test_file_env_both_set_is_config_error);
	tcase_add_test(tc, test_file_env_bad_files_refused);
	tcase_add_test(tc, test_file_env_check_prints_source);
	tcase_add_test(tc, test_termination_message_step_failed);
	tcase_add_test(tc, test_termination_message_reasons);
	tcase_add_test(tc, test_termination_message_only_on_failure);
	tcase_add_test(tc, test_termination_message_not_through_links);
	tcase_add_test(tc, test_example_startup_config_runs);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
