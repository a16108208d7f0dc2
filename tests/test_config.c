/* Unit tests for config loading: every error class with its exact
 * file:line, merging of drop-ins, and the INI traps initc refuses. */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "harness.h"

static struct plan plan;
static char first[1024];

static void setup(void)
{
	/* Errors are checked through first_error; keep stderr quiet. */
	log_setup(LOG_ERROR, LOG_TEXT);
	setenv("DB_HOST", "db.example", 1);
	unsetenv("INITC_TEST_UNSET");
}

static void load_ok(const char *text)
{
	int rc = config_load_text(text, strlen(text), "t.ini", &plan, first, sizeof(first));

	ck_assert_msg(rc == 0, "config refused: %s", first);
}

/* The config must be refused with exactly this first error. */
static void load_bad(const char *text, const char *expect)
{
	int rc = config_load_text(text, strlen(text), "t.ini", &plan, first, sizeof(first));

	ck_assert_msg(rc == -1, "config accepted, expected: %s", expect);
	ck_assert_msg(strstr(first, expect), "got '%s', expected '%s'", first, expect);
}

START_TEST(test_full_example)
{
	load_ok("[initc]\n"
		"deadline = 5m\n"
		"grace = 10s ; inline comments are fine on other keys\n"
		"\n"
		"[step:wait-for-db]\n"
		"wait_tcp = ${DB_HOST:-db}:5432\n"
		"timeout = 2s\n"
		"retries = 30\n"
		"retry_delay = 1s\n"
		"backoff = 2\n"
		"max_delay = 10s\n"
		"\n"
		"[step:migrate]\n"
		"command = python manage.py migrate\n"
		"environment = DATABASE_URL=postgresql://app@db/app\n"
		"environment = DJANGO_SETTINGS_MODULE=app.settings   ; repeatable\n"
		"directory = /app\n"
		"user = app\n"
		"creates = /data/.migrated\n"
		"\n"
		"[step:seed]\n"
		"shell = test -f /data/seed.done || {\n"
		"          ./seed.sh && touch /data/seed.done\n"
		"        }\n"
		"optional = true\n"
		"stop_signal = INT\n"
		"\n"
		"[main]\n"
		"command = /usr/bin/myapp --port 8000\n"
		"mode = exec\n");
	ck_assert_int_eq(plan.deadline_ms, 300000);
	ck_assert_int_eq(plan.grace_ms, 10000);
	ck_assert_uint_eq(plan.n_steps, 3);
	ck_assert_str_eq(plan.steps[0].name, "wait-for-db");
	ck_assert_int_eq(plan.steps[0].action, ACTION_WAIT_TCP);
	ck_assert_str_eq(plan.steps[0].target, "db.example:5432");
	ck_assert_int_eq(plan.steps[0].timeout_ms, 2000);
	ck_assert_uint_eq(plan.steps[0].retries, 30);
	ck_assert_int_eq(plan.steps[0].max_delay_ms, 10000);
	ck_assert_uint_eq(plan.steps[0].backoff_milli, 2000);
	ck_assert_uint_eq(plan.steps[1].argv.n, 3);
	ck_assert_str_eq(plan.steps[1].argv.v[0], "python");
	ck_assert_str_eq(plan.steps[1].argv.v[2], "migrate");
	ck_assert_uint_eq(plan.steps[1].proc.env.n, 2);
	ck_assert_str_eq(plan.steps[1].proc.env.v[1], "DJANGO_SETTINGS_MODULE=app.settings");
	ck_assert_str_eq(plan.steps[1].proc.directory, "/app");
	ck_assert_str_eq(plan.steps[1].proc.user, "app");
	ck_assert_str_eq(plan.steps[1].creates, "/data/.migrated");
	ck_assert_int_eq(plan.steps[2].action, ACTION_SHELL);
	ck_assert_str_eq(plan.steps[2].argv.v[0], "/bin/sh");
	ck_assert_str_eq(plan.steps[2].argv.v[2],
			 "test -f /data/seed.done || {\n./seed.sh && touch /data/seed.done\n}");
	ck_assert(plan.steps[2].optional);
	ck_assert_int_eq(plan.steps[2].stop_signal, SIGINT);
	ck_assert_uint_eq(plan.main.argv.n, 3);
	ck_assert_str_eq(plan.main.argv.v[0], "/usr/bin/myapp");
	ck_assert_int_eq(plan.main.mode, MODE_EXEC);
	plan_free(&plan);
}
END_TEST

START_TEST(test_defaults)
{
	load_ok("[step:a]\ncommand = true\n");
	ck_assert_int_eq(plan.deadline_ms, 0);
	ck_assert_int_eq(plan.grace_ms, 10000);
	ck_assert_int_eq(plan.on_failure, ON_FAILURE_EXIT);
	ck_assert_uint_eq(plan.restart_limit, 3);
	ck_assert_int_eq(plan.restart_delay_ms, 1000);
	ck_assert_int_eq(plan.restart_max_delay_ms, 300000);
	ck_assert_int_eq(plan.steps[0].timeout_ms, 0);
	ck_assert_uint_eq(plan.steps[0].retries, 0);
	ck_assert_int_eq(plan.steps[0].retry_delay_ms, 1000);
	ck_assert_uint_eq(plan.steps[0].backoff_milli, 2000);
	ck_assert_int_eq(plan.steps[0].max_delay_ms, 30000);
	ck_assert_int_eq(plan.steps[0].stop_signal, SIGTERM);
	ck_assert(!plan.steps[0].optional);
	ck_assert_uint_eq(plan.main.argv.n, 0);
	plan_free(&plan);
}
END_TEST

/* restart_limit = unlimited (or infinite): only the deadline ends the
 * restarts; the delay between passes is settable. */
START_TEST(test_restart_unlimited_and_delays)
{
	load_ok("[initc]\non_failure = restart\nrestart_limit = unlimited\nrestart_delay = 250ms\n"
		"restart_max_delay = 1m\n");
	ck_assert(plan.restart_limit == RESTART_UNLIMITED);
	ck_assert_int_eq(plan.restart_delay_ms, 250);
	ck_assert_int_eq(plan.restart_max_delay_ms, 60000);
	plan_free(&plan);
	load_ok("[initc]\nrestart_limit = infinite\n");
	ck_assert(plan.restart_limit == RESTART_UNLIMITED);
	plan_free(&plan);
}
END_TEST

/* ${VAR} in a step's action sees the step's own environment first (the
 * last entry wins, as when it runs), then initc's; environment values and
 * other keys see initc's only. */
START_TEST(test_action_sees_step_environment)
{
	load_ok("[step:a]\nwait_tcp = ${H}:1\nenvironment = H=x\nenvironment = H=y\n"
		"[step:b]\ncommand = echo ${HOME} ${H:-none}\nenvironment = HOME=/step\n");
	ck_assert_str_eq(plan.steps[0].target, "y:1");
	ck_assert_str_eq(plan.steps[1].argv.v[1], "/step");
	ck_assert_str_eq(plan.steps[1].argv.v[2], "none");
	plan_free(&plan);
	load_bad("[step:a]\nenvironment = H=x\ncreates = /${H}\n", "t.ini:3: creates: variable H is not set");
}
END_TEST

START_TEST(test_empty_and_comment_only)
{
	load_ok("");
	ck_assert_uint_eq(plan.n_steps, 0);
	plan_free(&plan);
	load_ok("; nothing\n# here\n\n");
	ck_assert_uint_eq(plan.n_steps, 0);
	plan_free(&plan);
}
END_TEST

START_TEST(test_all_other_keys)
{
	load_ok("[initc]\non_failure = restart\nrestart_limit = 2\nstatus_file = /run/initc/status\n"
		"log_format = json\n"
		"[step:f]\nwait_file = /tmp/x\n"
		"[main]\ncommand = app\nmode = supervise\nsignal_group = yes\nsuccess_codes = 143, 130 0\n"
		"user = 1000:1000\n");
	ck_assert_int_eq(plan.on_failure, ON_FAILURE_RESTART);
	ck_assert_uint_eq(plan.restart_limit, 2);
	ck_assert_str_eq(plan.status_file, "/run/initc/status");
	ck_assert_int_eq(plan.log_format, LOG_JSON);
	ck_assert(plan.log_format_set);
	ck_assert_int_eq(plan.steps[0].action, ACTION_WAIT_FILE);
	ck_assert_str_eq(plan.steps[0].target, "/tmp/x");
	ck_assert_int_eq(plan.main.mode, MODE_SUPERVISE);
	ck_assert(plan.main.signal_group);
	ck_assert(plan.main.success[143] && plan.main.success[130] && plan.main.success[0]);
	ck_assert(!plan.main.success[1]);
	plan_free(&plan);
}
END_TEST

/* Item 14: ranges, and a repeated success_codes adds to the codes: all
 * 256 can be listed. */
START_TEST(test_success_codes_ranges_and_repeats)
{
	load_ok("[main]\ncommand = app\nsuccess_codes = 0-2, 129-255\nsuccess_codes = 7 9-9\n");
	for (int c = 0; c < 256; c++)
		ck_assert_msg(plan.main.success[c] == (c <= 2 || c == 7 || c == 9 || c >= 129),
			      "code %d", c);
	plan_free(&plan);
	load_ok("[main]\ncommand = app\nsuccess_codes = 0-255\n");
	for (int c = 0; c < 256; c++)
		ck_assert(plan.main.success[c]);
	plan_free(&plan);
	load_bad("[main]\nsuccess_codes = 200-100\n",
		 "t.ini:2: bad exit status '200-100' in success_codes; give numbers 0-255 or ranges such as 129-255");
	load_bad("[main]\nsuccess_codes = 1-256\n", "t.ini:2: bad exit status '1-256'");
	load_bad("[main]\nsuccess_codes = -5\n", "t.ini:2: bad exit status '-5'");
	load_bad("[main]\nsuccess_codes = 5-\n", "t.ini:2: bad exit status '5-'");
	load_bad("[main]\nsuccess_codes = 1-2-3\n", "t.ini:2: bad exit status '1-2-3'");
}
END_TEST

START_TEST(test_sections_and_keys)
{
	load_bad("[step:a]\ncommand = true\nretires = 3\n",
		 "t.ini:3: unknown key 'retires' in [step:a]; did you mean 'retries'?");
	load_bad("[stepp:a]\ncommand = true\n", "t.ini:1: unknown section [stepp:a]; did you mean [step:a]?");
	load_bad("[mian]\ncommand = x\n", "t.ini:1: unknown section [mian]; did you mean [main]?");
	load_bad("[global]\n", "t.ini:1: unknown section [global]; sections are [initc], [main] and [step:NAME]");
	load_bad("[step:]\ncommand = true\n", "t.ini:1: bad step name [step:]");
	load_bad("[step:a b]\ncommand = true\n", "t.ini:1: bad step name [step:a b]");
	load_bad("[]\n", "t.ini:1: unknown section []");
	load_bad("timeout = 1s\n[step:a]\ncommand = true\n",
		 "t.ini:1: key 'timeout' comes before any section; put it under [initc], [main] or [step:NAME]");
	load_bad("[step:a]\ncommand = true\ndeadline = 1m\n",
		 "t.ini:3: key 'deadline' belongs in [initc], not in [step:a]");
	load_bad("[initc]\nfrobnicate = 1\n", "t.ini:2: unknown key 'frobnicate' in [initc]; see initc.ini(5)");
	load_bad("[step:a]\ncommand = true\nthis line has no equals sign\n",
		 "t.ini:3: cannot parse this line; expected [section], key = value, or a comment");
	load_bad("[step:a\ncommand = true\n", "t.ini:1: section header has no closing ']'");
	load_bad("[step:a ;x]\ncommand = true\n", "t.ini:1: section header has no closing ']'");
}
END_TEST

START_TEST(test_actions)
{
	load_bad("[step:a]\ntimeout = 1s\n",
		 "t.ini:1: step 'a' has no action; add one of: command, shell, wait, wait_tcp, wait_file");
	load_bad("[step:a]\ncommand = true\nshell = true\n",
		 "t.ini:3: step 'a' has two actions: 'command' (t.ini:2) and 'shell'; a step has exactly one");
	load_bad("[step:a]\ncommand = \n", "t.ini:2: command of step 'a' is empty; give the program to run");
	load_bad("[step:a]\ncommand = echo 'unterminated\n",
		 "t.ini:2: command of step 'a': unterminated single quote; add the closing '");
	load_bad("[step:a]\nwait_tcp = ${INITC_TEST_UNSET}:80\n",
		 "t.ini:2: variable INITC_TEST_UNSET is not set; set it in initc's environment or give a default: ${INITC_TEST_UNSET:-value}");
	load_bad("[main]\ncommand = app ${INITC_TEST_UNSET}\n",
		 "t.ini:2: [main] command: variable INITC_TEST_UNSET is not set");
}
END_TEST

START_TEST(test_values)
{
	load_bad("[step:a]\ncommand = true\ntimeout = 5 minutes\n",
		 "t.ini:3: timeout: bad duration '5 minutes'; use a number with a unit: 500ms, 2s, 1.5m, 1h");
	load_bad("[step:a]\ncommand = true\nretries = many\n",
		 "t.ini:3: retries: bad number 'many'; give a whole number such as 3");
	load_bad("[step:a]\ncommand = true\noptional = maybe\n",
		 "t.ini:3: optional: bad boolean 'maybe'; use true or false");
	load_bad("[step:a]\ncommand = true\nbackoff = 0.5\n", "t.ini:3: backoff: factor '0.5' is out of range");
	load_bad("[step:a]\ncommand = true\nstop_signal = FOO\n", "t.ini:3: stop_signal: unknown signal 'FOO'");
	load_bad("[initc]\non_failure = retry\n", "t.ini:2: on_failure: bad value 'retry'; use exit or restart");
	load_bad("[main]\nmode = fork\n", "t.ini:2: mode: bad value 'fork'; use exec or supervise");
	load_bad("[initc]\nlog_format = xml\n", "t.ini:2: log_format: bad value 'xml'; use text or json");
	load_bad("[main]\nsuccess_codes = 143 256\n", "t.ini:2: bad exit status '256' in success_codes");
	load_bad("[step:a]\ncommand = true\nenvironment = NOEQUALS\n",
		 "t.ini:3: environment 'NOEQUALS' is not NAME=value");
	load_bad("[step:a]\ncommand = true\nenvironment = 1X=y\n", "t.ini:3: bad variable name '1X' in environment");
	load_bad("[step:a]\ncommand = true\nuser = a:b:c\n", "t.ini:3: bad user 'a:b:c'; give a name, a uid, or uid:gid");
	load_bad("[step:a]\ncommand = true\ndirectory = ${INITC_TEST_UNSET}\n",
		 "t.ini:3: directory: variable INITC_TEST_UNSET is not set");
	load_bad("[initc]\nrestart_limit = 1001\n", "t.ini:2: restart_limit: number '1001' is too large (at most 1000)");
	load_bad("[initc]\nrestart_limit = forever\n",
		 "t.ini:2: restart_limit: bad value 'forever'; give a number of re-runs from 0 to 1000, or unlimited");
}
END_TEST

START_TEST(test_duplicates)
{
	load_bad("[step:a]\ncommand = true\ntimeout = 1s\ntimeout = 2s\n",
		 "t.ini:4: duplicate key 'timeout' (already set at line 3); each key appears once per section (only environment and success_codes repeat)");
	load_bad("[step:a]\ncommand = true\n[step:b]\ncommand = true\n[step:a]\ntimeout = 1s\n",
		 "t.ini:5: section [step:a] appears twice in this file (first at line 1); merge the two");
	load_bad("[step:a]\ncommand = true\ncommand = false\n", "t.ini:3: duplicate key 'command'");
}
END_TEST

START_TEST(test_inline_comment_trap)
{
	load_bad("[step:a]\ncommand = sh -c 'echo a ; echo b'\n",
		 "t.ini:2: 'command' contains ' ;', which the INI parser treats as the start of a comment and would cut the command");
	load_bad("[step:a]\nshell = echo a\n  echo b ; echo c\n", "t.ini:3: 'shell' contains ' ;'");
	load_bad("[main]\ncommand = app --flag ; comment\n", "t.ini:2: 'command' contains ' ;'");
	/* no space before ';' is plain text; '\;' passes a literal ';' */
	load_ok("[step:a]\nshell = echo a; echo b\n[step:b]\ncommand = find . -exec true {} \\;\n");
	ck_assert_str_eq(plan.steps[0].argv.v[2], "echo a; echo b");
	ck_assert_str_eq(plan.steps[1].argv.v[plan.steps[1].argv.n - 1], ";");
	plan_free(&plan);
}
END_TEST

START_TEST(test_long_lines)
{
	char text[600];
	char value[300];

	memset(value, 'x', sizeof(value) - 1);
	value[sizeof(value) - 1] = '\0';
	snprintf(text, sizeof(text), "[step:a]\ncommand = echo %s\n", value);
	load_bad(text, "t.ini:2: line is 314 characters long; initc's INI parser reads at most 197");
	/* exactly at the limit is fine, with \n or \r\n */
	value[197 - 15] = '\0';
	snprintf(text, sizeof(text), "[step:a]\ncommand = echo %s\r\n", value);
	ck_assert_uint_eq(strlen(strchr(text, '\n') + 1) - 2, 197);
	load_ok(text);
	plan_free(&plan);
	load_bad("[step:abcdefghijabcdefghijabcdefghijabcdefghijabcdefghij]\ncommand = true\n",
		 "t.ini:1: section name is 55 characters long; the INI parser keeps 49");
}
END_TEST

START_TEST(test_continuations)
{
	load_ok("[step:a]\ncommand = echo one\n   two\n\tthree\n");
	ck_assert_uint_eq(plan.steps[0].argv.n, 4);
	ck_assert_str_eq(plan.steps[0].argv.v[3], "three");
	plan_free(&plan);
	load_bad("[step:a]\ncommand = echo\n  timeout = 2s\n",
		 "t.ini:3: indented line continues 'command' but looks like the key 'timeout'; remove the indentation to make it a key");
	load_bad("[step:a]\ncommand = true\ntimeout = 2s\n  5s\n",
		 "t.ini:4: indented line continues 'timeout', which takes one line; remove the indentation");
	load_bad("[step:a]\ncommand = true\nenvironment = A=1\n  B=2\n",
		 "t.ini:4: indented line continues 'environment', which takes one line; remove the indentation and repeat 'environment =' for each variable");
	/* shell lines may assign variables */
	load_ok("[step:a]\nshell = set -e\n  retries=3\n  echo $retries\n");
	ck_assert_str_eq(plan.steps[0].argv.v[2], "set -e\nretries=3\necho $retries");
	plan_free(&plan);
	/* an indented first key of a section is a key, not a continuation */
	load_ok("[step:a]\n  command = true\n");
	plan_free(&plan);
}
END_TEST

START_TEST(test_odd_bytes)
{
	static const char nul[] = "[step:a]\ncommand = tr\0ue\n";

	ck_assert_int_eq(config_load_text(nul, sizeof(nul) - 1, "t.ini", &plan, first, sizeof(first)), -1);
	ck_assert_str_eq(first, "t.ini:2: line contains a NUL byte; is this a text file?");
	load_ok("\xEF\xBB\xBF[step:a]\r\ncommand = echo hi\r\n");
	ck_assert_str_eq(plan.steps[0].argv.v[1], "hi");
	plan_free(&plan);
}
END_TEST

START_TEST(test_skip_steps)
{
	char err[256];

	load_ok("[step:a]\ncommand = true\n[step:b]\ncommand = true\n[step:c]\ncommand = true\n");
	ck_assert_int_eq(plan_skip_steps(&plan, "a,c", err, sizeof(err)), 0);
	ck_assert(plan.steps[0].skip && !plan.steps[1].skip && plan.steps[2].skip);
	ck_assert_int_eq(plan_skip_steps(&plan, "b,nope", err, sizeof(err)), -1);
	ck_assert_str_eq(err, "INITC_SKIP names step 'nope', which the config does not have");
	plan_free(&plan);
}
END_TEST

/* Files on disk: drop-ins, merging, permissions. */
static char *dir;

static void dir_setup(void)
{
	setup();
	dir = make_tempdir();
}

static void dir_teardown(void)
{
	rm_rf(dir);
	free(dir);
}

static char *sub(const char *name)
{
	char *p;

	ck_assert(asprintf(&p, "%s/%s", dir, name) > 0);
	return p;
}

START_TEST(test_dropin_merge)
{
	char *d = sub("conf.d");

	ck_assert_int_eq(mkdir(d, 0755), 0);
	free(write_file(d, "10-base.ini", "[initc]\ngrace = 3s\n[step:a]\ncommand = echo a\ntimeout = 1s\n"
					 "environment = X=1\n[step:b]\ncommand = echo b\n"));
	free(write_file(d, "20-more.ini", "[step:c]\ncommand = echo c\n[step:a]\ntimeout = 5s\n"
					 "environment = Y=2\ncommand = echo A\n"));
	free(write_file(d, "README", "not a config\n"));
	free(write_file(d, "05-early.ini.disabled", "[step:z]\ncommand = false\n"));
	ck_assert_msg(config_load(d, &plan, first, sizeof(first)) == 0, "%s", first);
	ck_assert_uint_eq(plan.n_steps, 3);
	ck_assert_str_eq(plan.steps[0].name, "a"); /* keeps its first position */
	ck_assert_str_eq(plan.steps[1].name, "b");
	ck_assert_str_eq(plan.steps[2].name, "c");
	ck_assert_int_eq(plan.steps[0].timeout_ms, 5000); /* later scalar wins */
	ck_assert_str_eq(plan.steps[0].argv.v[1], "A");
	ck_assert_uint_eq(plan.steps[0].proc.env.n, 2); /* environment appends */
	ck_assert_int_eq(plan.grace_ms, 3000);
	ck_assert_uint_eq(plan.files.n, 3); /* the dir and two files */
	plan_free(&plan);
	free(d);
}
END_TEST

START_TEST(test_dropin_action_conflict)
{
	char *d = sub("conf.d");

	ck_assert_int_eq(mkdir(d, 0755), 0);
	free(write_file(d, "a.ini", "[step:x]\ncommand = true\n"));
	free(write_file(d, "b.ini", "[step:x]\nshell = true\n"));
	ck_assert_int_eq(config_load(d, &plan, first, sizeof(first)), -1);
	ck_assert_msg(strstr(first, "conf.d/b.ini:2: step 'x' has two actions: 'command' ("), "%s", first);
	ck_assert_msg(strstr(first, "conf.d/a.ini:2) and 'shell'"), "%s", first);
	free(d);
}
END_TEST

START_TEST(test_world_writable_refused)
{
	char *f = write_file(dir, "c.ini", "[step:a]\ncommand = true\n");
	char *d = sub("conf.d");

	chmod(f, 0666);
	ck_assert_int_eq(config_load(f, &plan, first, sizeof(first)), -1);
	ck_assert_msg(strstr(first, "c.ini: is writable by every user, and initc runs what it says as root; fix it with: chmod o-w "),
		      "%s", first);
	ck_assert_int_eq(mkdir(d, 0755), 0);
	ck_assert_int_eq(chmod(d, 0777), 0);
	ck_assert_int_eq(config_load(d, &plan, first, sizeof(first)), -1);
	ck_assert_msg(strstr(first, "conf.d: drop-in directory is writable by every user"), "%s", first);
	free(f);
	free(d);
}
END_TEST

START_TEST(test_file_errors)
{
	char *missing = sub("missing.ini");
	char *d = sub("conf.d");
	char *inner = sub("conf.d/sub.ini");

	ck_assert_int_eq(config_load(missing, &plan, first, sizeof(first)), -1);
	ck_assert_msg(strstr(first, "missing.ini: no such file or directory (given with -c or INITC_CONFIG)"), "%s", first);
	ck_assert_int_eq(mkdir(d, 0755), 0);
	ck_assert_int_eq(mkdir(inner, 0755), 0);
	ck_assert_int_eq(config_load(d, &plan, first, sizeof(first)), -1);
	ck_assert_msg(strstr(first, "sub.ini: is a directory; drop-in files must be regular *.ini files"), "%s", first);
	free(missing);
	free(d);
	free(inner);
}
END_TEST

START_TEST(test_symlinked_config_followed)
{
	char *f = write_file(dir, "real.ini", "[step:a]\ncommand = true\n");
	char *link = sub("link.ini");

	ck_assert_int_eq(symlink(f, link), 0);
	ck_assert_msg(config_load(link, &plan, first, sizeof(first)) == 0, "%s", first);
	ck_assert_uint_eq(plan.n_steps, 1);
	plan_free(&plan);
	free(f);
	free(link);
}
END_TEST

START_TEST(test_errors_name_the_dropin_file)
{
	char *d = sub("conf.d");

	ck_assert_int_eq(mkdir(d, 0755), 0);
	free(write_file(d, "10-ok.ini", "[step:a]\ncommand = true\n"));
	free(write_file(d, "20-bad.ini", "\n\n[step:b]\ncommand = true\ntimeout = soon\n"));
	ck_assert_int_eq(config_load(d, &plan, first, sizeof(first)), -1);
	ck_assert_msg(strstr(first, "conf.d/20-bad.ini:5: timeout: bad duration 'soon'"), "%s", first);
	free(d);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("text");
	TCase *files = tcase_create("files");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_full_example);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_empty_and_comment_only);
	tcase_add_test(tc, test_restart_unlimited_and_delays);
	tcase_add_test(tc, test_action_sees_step_environment);
	tcase_add_test(tc, test_all_other_keys);
	tcase_add_test(tc, test_success_codes_ranges_and_repeats);
	tcase_add_test(tc, test_sections_and_keys);
	tcase_add_test(tc, test_actions);
	tcase_add_test(tc, test_values);
	tcase_add_test(tc, test_duplicates);
	tcase_add_test(tc, test_inline_comment_trap);
	tcase_add_test(tc, test_long_lines);
	tcase_add_test(tc, test_continuations);
	tcase_add_test(tc, test_odd_bytes);
	tcase_add_test(tc, test_skip_steps);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(files, dir_setup, dir_teardown);
	tcase_add_test(files, test_dropin_merge);
	tcase_add_test(files, test_dropin_action_conflict);
	tcase_add_test(files, test_world_writable_refused);
	tcase_add_test(files, test_file_errors);
	tcase_add_test(files, test_symlinked_config_followed);
	tcase_add_test(files, test_errors_name_the_dropin_file);
	suite_add_tcase(s, files);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
