/* Integration tests for supervise mode (not as PID 1): exit statuses,
 * success_codes, stopping an app that ignores TERM, what the app inherits
 * (signal mask, dispositions, descriptors, [main] settings), reaping as a
 * subreaper, cleanup of what the app leaves behind, coalesced exits, and
 * an idle initc that never wakes up. */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

/* The absolute path of a helper program ([main] directory may change the
 * working directory before it runs). */
static char *helper(const char *name)
{
	const char *h = getenv("HELPERS");
	char *p, *abs;

	if (asprintf(&p, "%s/%s", h && *h ? h : "build/tests/helpers", name) < 0)
		abort();
	abs = realpath(p, NULL);
	ck_assert_msg(abs != NULL, "helper %s not built", p);
	free(p);
	return abs;
}

/* Runs `initc -q -c DIR/initc.ini -s -- sh -c SCRIPT` to the end. */
static int run_sh(const char *ini, const char *script, struct run_result *res)
{
	char *conf = write_file(T, "initc.ini", ini);
	const char *args[] = { "-q", "-c", conf, "-s", "--", "sh", "-c", script, NULL };

	run_initc(args, NULL, 30, res);
	free(conf);
	return res->status;
}

/* Starts `initc -c DIR/initc.ini -s -- sh DIR/app.sh DIR` in the background. */
static pid_t start_script(const char *ini, const char *script)
{
	char *conf = write_file(T, "initc.ini", ini);
	char *app = write_file(T, "app.sh", script);
	const char *args[] = { "-c", conf, "-s", "--", "sh", app, T, NULL };
	pid_t pid = start_initc(args, NULL, T);

	free(conf);
	free(app);
	return pid;
}

static void assert_file_appears(const char *name)
{
	char *p = scratch_path(name);

	ck_assert_msg(wait_for_file(p, 10000), "%s never appeared", p);
	free(p);
}

static pid_t pid_from(const char *name)
{
	char *p = scratch_path(name), *s = read_file(p);
	pid_t pid;

	ck_assert_msg(s != NULL, "cannot read %s", p);
	pid = (pid_t)atoi(s);
	free(s);
	free(p);
	return pid;
}

START_TEST(test_exit_statuses_propagate)
{
	static const int codes[] = { 0, 1, 2, 7, 127, 255 };

	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		struct run_result res;
		char script[32];

		snprintf(script, sizeof(script), "exit %d", codes[i]);
		run_sh("", script, &res);
		ck_assert_msg(res.status == codes[i], "'%s': initc exited %d; stderr: %s", script,
			      res.status, res.err);
		run_result_free(&res);
	}
}
END_TEST

START_TEST(test_app_killed_by_signal_gives_128_plus_n)
{
	static const struct { const char *name; int status; } sigs[] = {
		{ "TERM", 143 }, { "HUP", 129 }, { "KILL", 137 },
	};

	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		struct run_result res;
		char script[64];

		snprintf(script, sizeof(script), "kill -%s $$", sigs[i].name);
		run_sh("", script, &res);
		ck_assert_msg(res.status == sigs[i].status, "SIG%s: initc exited %d, want %d",
			      sigs[i].name, res.status, sigs[i].status);
		run_result_free(&res);
	}
}
END_TEST

START_TEST(test_success_codes_map_listed_statuses_to_zero)
{
	const char *ini = "[main]\nsuccess_codes = 143, 5\n";
	struct run_result res;

	ck_assert_int_eq(run_sh(ini, "kill -TERM $$", &res), 0);
	run_result_free(&res);
	ck_assert_int_eq(run_sh(ini, "exit 5", &res), 0);
	run_result_free(&res);
	ck_assert_int_eq(run_sh(ini, "exit 3", &res), 3);
	run_result_free(&res);
	ck_assert_int_eq(run_sh(ini, "kill -HUP $$", &res), 129);
	run_result_free(&res);
}
END_TEST

START_TEST(test_stop_kills_app_that_ignores_term_after_grace)
{
	pid_t pid = start_script("[initc]\ngrace = 1s\n",
				 "trap '' TERM\n"
				 "touch \"$1/ready\"\n"
				 "while :; do sleep 0.1; done\n");
	struct run_result res;

	assert_file_appears("ready");
	kill(pid, SIGTERM);
	wait_initc(pid, T, 30, &res);
	ck_assert_msg(res.status == 137, "initc exited %d, want 137; stderr: %s", res.status,
		      res.err);
	ck_assert_msg(strstr(res.err, "after the stop signal; killing it"), "stderr: %s", res.err);
	run_result_free(&res);
}
END_TEST

/* A stop takes one grace period in all: what the app leaves behind gets
 * what remains of the grace that began with initc's stop signal. */
START_TEST(test_stop_leftovers_share_the_stop_grace)
{
	pid_t pid;
	struct run_result res;
	const char *left;
	long ms;

	if (skip_emulated("test_stop_leftovers_share_the_stop_grace", EMU_NO_SUBREAPER))
		return;
	pid = start_script("[initc]\ngrace = 3s\n",
			   "sh -c 'trap \"\" TERM; while :; do sleep 0.1; done' &\n"
			   "trap 'sleep 1; exit 4' TERM\n"
			   "touch \"$1/ready\"\n"
			   "while :; do sleep 0.1; done\n");

	assert_file_appears("ready");
	kill(pid, SIGTERM);
	wait_initc(pid, T, 30, &res);
	ck_assert_msg(res.status == 4, "initc exited %d; stderr: %s", res.status, res.err);
	left = strstr(res.err, "left behind (grace ");
	ck_assert_msg(left != NULL, "stderr: %s", res.err);
	ms = strtol(left + strlen("left behind (grace "), NULL, 10);
	ck_assert_msg(ms < 2100, "leftovers got a fresh %ldms after the app's stop", ms);
	ck_assert_msg(strstr(res.err, "killing what is left"), "stderr: %s", res.err);
	run_result_free(&res);
}
END_TEST

START_TEST(test_stop_is_forwarded_and_app_status_kept)
{
	pid_t pid = start_script("[initc]\ngrace = 1m\n",
				 "trap 'exit 21' TERM\n"
				 "touch \"$1/ready\"\n"
				 "while :; do sleep 0.1; done\n");
	struct run_result res;

	assert_file_appears("ready");
	kill(pid, SIGTERM);
	wait_initc(pid, T, 30, &res);
	ck_assert_msg(res.status == 21, "initc exited %d; stderr: %s", res.status, res.err);
	run_result_free(&res);
}
END_TEST

/* Starts initc through the launcher (extra options first), with a step and
 * a status file so that initc has opened files of its own, runs inspect as
 * the step and as the app, and returns the launcher's reference and the
 * step's and the app's views (step may be NULL). */
static void inspect_through_launcher(const char *const *launcher_opts, char **ref, char **step,
				     char **app)
{
	char *conf, *ini, *ref_path = scratch_path("ref"), *app_path = scratch_path("app");
	char *step_path = scratch_path("step");
	char *launcher = helper("launcher"), *inspect = helper("inspect");
	const char *argv[32];
	struct run_result res;
	size_t n = 0;
	pid_t pid;

	if (asprintf(&ini, "[initc]\nstatus_file = %s/status\n[step:one]\ncommand = %s %s\n", T,
		     inspect, step_path) < 0)
		abort();
	conf = write_file(T, "initc.ini", ini);
	argv[n++] = launcher;
	while (*launcher_opts)
		argv[n++] = *launcher_opts++;
	argv[n++] = "-r";
	argv[n++] = ref_path;
	argv[n++] = "--";
	argv[n++] = initc_bin();
	argv[n++] = "-q";
	argv[n++] = "-c";
	argv[n++] = conf;
	argv[n++] = "-s";
	argv[n++] = "--";
	argv[n++] = inspect;
	argv[n++] = app_path;
	argv[n] = NULL;
	pid = start_program(argv, NULL, T);
	wait_initc(pid, T, 30, &res);
	ck_assert_msg(res.status == 0, "launcher/initc exited %d; stderr: %s", res.status, res.err);
	*ref = read_file(ref_path);
	*app = read_file(app_path);
	if (step)
		*step = read_file(step_path);
	ck_assert_msg(*ref && *app, "inspect wrote nothing");
	run_result_free(&res);
	free(ini);
	free(conf);
	free(ref_path);
	free(app_path);
	free(step_path);
	free(launcher);
	free(inspect);
}

/* The line of text starting with prefix, without its newline (static). */
static const char *line_of(const char *text, const char *prefix)
{
	static char buf[256];
	const char *p = strstr(text, prefix);

	ck_assert_msg(p != NULL, "no '%s' in:\n%s", prefix, text);
	snprintf(buf, sizeof(buf), "%.*s", (int)strcspn(p, "\n"), p);
	return buf;
}

/* The signal set of a SigBlk or SigIgn line, as a number. */
static unsigned long long sigset_of(const char *text, const char *prefix)
{
	return strtoull(line_of(text, prefix) + strlen(prefix), NULL, 16);
}

static unsigned long long bit(int sig)
{
	return 1ULL << (sig - 1);
}

START_TEST(test_app_gets_the_mask_and_ignored_signals_initc_was_started_with)
{
	/* INT, HUP and USR1 are signals initc itself handles. */
	const char *opts[] = { "-b", "10,12,35", "-i", "1,2,13,23", NULL };
	unsigned long long blocked = bit(SIGUSR1) | bit(SIGUSR2) | bit(35);
	unsigned long long ignored = bit(SIGHUP) | bit(SIGINT) | bit(SIGPIPE) | bit(SIGURG);
	char *ref, *app;

	if (skip_emulated("test_app_gets_the_mask_and_ignored_signals_initc_was_started_with",
			  EMU_VIRTUAL_SIGNALS))
		return;

	inspect_through_launcher(opts, &ref, NULL, &app);
	ck_assert_msg(sigset_of(ref, "SigBlk:") == blocked, "launcher: %s", ref);
	ck_assert_msg((sigset_of(ref, "SigIgn:") & ignored) == ignored, "launcher: %s", ref);
	ck_assert_msg(sigset_of(app, "SigBlk:") == sigset_of(ref, "SigBlk:"),
		      "initc was given:\n%s\nthe app got:\n%s", ref, app);
	ck_assert_msg(sigset_of(app, "SigIgn:") == sigset_of(ref, "SigIgn:"),
		      "initc was given:\n%s\nthe app got:\n%s", ref, app);
	free(ref);
	free(app);
}
END_TEST

/* README "How it runs": steps start with every disposition at its default,
 * the signals the C library reserves (32-34) included, whatever initc
 * inherited; the app (exec or supervise, like tini) keeps what initc was
 * started with. */
START_TEST(test_steps_get_default_dispositions_the_app_inherited_ones)
{
	const char *opts[] = { "-i", "1,2,13,23,32,33,34", NULL };
	unsigned long long ignored = bit(SIGHUP) | bit(SIGINT) | bit(SIGPIPE) | bit(SIGURG) |
				     bit(32) | bit(33) | bit(34);
	char *ref, *step, *app;

	if (skip_emulated("test_steps_get_default_dispositions_the_app_inherited_ones",
			  EMU_VIRTUAL_SIGNALS))
		return;

	inspect_through_launcher(opts, &ref, &step, &app);
	ck_assert_msg(step, "the step wrote nothing");
	ck_assert_msg((sigset_of(ref, "SigIgn:") & ignored) == ignored, "launcher: %s", ref);
	ck_assert_msg(sigset_of(step, "SigIgn:") == 0, "initc was given:\n%s\nthe step got:\n%s",
		      ref, step);
	ck_assert_msg(sigset_of(app, "SigIgn:") == sigset_of(ref, "SigIgn:"),
		      "initc was given:\n%s\nthe app got:\n%s", ref, app);
	free(ref);
	free(step);
	free(app);
}
END_TEST

/* The signals the C library reserves (32-34) are part of that mask too:
 * neither C library's sigprocmask may drop them on the way to the app. */
START_TEST(test_app_gets_reserved_signals_blocked_as_initc_was_started)
{
	const char *opts[] = { "-b", "10,32,33,34", NULL };
	unsigned long long blocked = bit(SIGUSR1) | bit(32) | bit(33) | bit(34);
	char *ref, *app;

	if (skip_emulated("test_app_gets_reserved_signals_blocked_as_initc_was_started",
			  EMU_VIRTUAL_SIGNALS))
		return;

	inspect_through_launcher(opts, &ref, NULL, &app);
	ck_assert_msg(sigset_of(ref, "SigBlk:") == blocked, "launcher: %s", ref);
	ck_assert_msg(sigset_of(app, "SigBlk:") == blocked,
		      "initc was given:\n%s\nthe app got:\n%s", ref, app);
	free(ref);
	free(app);
}
END_TEST

START_TEST(test_app_does_not_get_initcs_own_blocked_signals)
{
	const char *opts[] = { NULL };
	char *ref, *app;

	if (skip_emulated("test_app_does_not_get_initcs_own_blocked_signals", EMU_VIRTUAL_SIGNALS))
		return;

	inspect_through_launcher(opts, &ref, NULL, &app);
	ck_assert_msg(sigset_of(app, "SigBlk:") == 0, "the app got:\n%s", app);
	ck_assert_msg(sigset_of(app, "SigIgn:") == sigset_of(ref, "SigIgn:"),
		      "initc was given:\n%s\nthe app got:\n%s", ref, app);
	free(ref);
	free(app);
}
END_TEST

START_TEST(test_app_keeps_inherited_fds_but_gets_none_of_initcs)
{
	const char *opts[] = { "-f", "5", NULL };
	char *ref, *app, fds[256];

	inspect_through_launcher(opts, &ref, NULL, &app);
	snprintf(fds, sizeof(fds), "%s ", line_of(ref, "fds:"));
	ck_assert_msg(strstr(fds, " 5 "), "reference lacks fd 5: %s", fds);
	fds[strlen(fds) - 1] = '\0';
	ck_assert_str_eq(line_of(app, "fds:"), fds);
	free(ref);
	free(app);
}
END_TEST

START_TEST(test_main_environment_and_directory_apply)
{
	char *sub = scratch_path("sub"), *out = scratch_path("out"), *inspect = helper("inspect");
	char *ini, *conf, *text, want[4200];
	struct run_result res;

	ck_assert_int_eq(mkdir(sub, 0755), 0);
	if (asprintf(&ini, "[main]\nmode = supervise\nenvironment = MARK=hello\ndirectory = %s\n"
			   "command = %s %s\n", sub, inspect, out) < 0)
		abort();
	conf = write_file(T, "initc.ini", ini);
	{
		const char *args[] = { "-q", "-c", conf, NULL };

		run_initc(args, NULL, 30, &res);
	}
	ck_assert_msg(res.status == 0, "initc exited %d; stderr: %s", res.status, res.err);
	text = read_file(out);
	ck_assert_ptr_nonnull(text);
	ck_assert_msg(strstr(text, "MARK=hello\n"), "app saw: %s", text);
	snprintf(want, sizeof(want), "cwd: %s", sub);
	ck_assert_str_eq(line_of(text, "cwd:"), want);
	free(text);
	free(conf);
	free(ini);
	free(sub);
	free(out);
	free(inspect);
	run_result_free(&res);
}
END_TEST

START_TEST(test_subreaper_reaps_orphans_of_the_app)
{
	pid_t pid;
	char *pids_path, *pids, *quit;
	struct run_result res;
	int children = 0, zombies = -1;

	if (skip_emulated("test_subreaper_reaps_orphans_of_the_app", EMU_NO_SUBREAPER))
		return;
	pid = start_script("",
			   "for i in $(seq 20); do (sleep 1000 & echo $! >> \"$1/pids\"); done\n"
			   "touch \"$1/ready\"\n"
			   "while [ ! -e \"$1/quit\" ]; do sleep 0.05; done\n");
	pids_path = scratch_path("pids");
	quit = scratch_path("quit");

	assert_file_appears("ready");
	/* The 20 sleeps lost their parent subshells: initc adopted them. */
	for (int i = 0; i < 500 && (children = count_children(pid, false)) != 21; i++)
		sleep_ms(20);
	ck_assert_msg(children == 21, "initc has %d children, want the app + 20 orphans", children);
	pids = read_file(pids_path);
	for (char *p = pids, *end; p && *p; p = end) {
		pid_t orphan = (pid_t)strtol(p, &end, 10);

		if (end == p)
			break;
		kill(orphan, SIGKILL);
	}
	for (int i = 0; i < 500; i++) {
		children = count_children(pid, false);
		zombies = count_children(pid, true);
		if (children == 1 && zombies == 0)
			break;
		sleep_ms(20);
	}
	ck_assert_msg(children == 1 && zombies == 0, "initc still has %d children, %d zombies",
		      children, zombies);
	free(write_file(T, "quit", ""));
	wait_initc(pid, T, 30, &res);
	ck_assert_msg(res.status == 0, "initc exited %d; stderr: %s", res.status, res.err);
	run_result_free(&res);
	free(pids);
	free(pids_path);
	free(quit);
}
END_TEST

/* Leftovers: one that exits on TERM (writing a marker), one that ignores
 * TERM, and its child that ignores it too (a grandchild of the app). */
static const char leftovers_script[] =
	"sh -c 'trap \"echo term > $1/marker; exit 0\" TERM; echo $$ > $1/p1.tmp;"
	" mv $1/p1.tmp $1/p1; while :; do sleep 0.1; done' sh \"$1\" &\n"
	"sh -c 'trap \"\" TERM; sh -c \"trap \\\"\\\" TERM; echo \\$\\$ > $1/p3.tmp;"
	" mv $1/p3.tmp $1/p3; while :; do sleep 0.1; done\" &"
	" echo $$ > $1/p2.tmp; mv $1/p2.tmp $1/p2; while :; do sleep 0.1; done' sh \"$1\" &\n"
	"while [ ! -e \"$1/p1\" ] || [ ! -e \"$1/p2\" ] || [ ! -e \"$1/p3\" ]; do sleep 0.05; done\n"
	"exit 5\n";

START_TEST(test_leftovers_get_term_then_kill_after_grace)
{
	pid_t pid;
	struct run_result res;
	char *marker = scratch_path("marker"), *text;

	if (skip_emulated("test_leftovers_get_term_then_kill_after_grace", EMU_NO_SUBREAPER)) {
		free(marker);
		return;
	}
	pid = start_script("[initc]\ngrace = 1s\n", leftovers_script);
	wait_initc(pid, T, 30, &res);
	ck_assert_msg(res.status == 5, "initc exited %d, want the app's 5; stderr: %s", res.status,
		      res.err);
	text = read_file(marker);
	ck_assert_msg(text && strcmp(text, "term\n") == 0, "the TERM trap did not run");
	ck_assert_msg(strstr(res.err, "stopping the processes it left behind"), "stderr: %s",
		      res.err);
	ck_assert_msg(strstr(res.err, "killing what is left"), "stderr: %s", res.err);
	ck_assert_msg(!pid_alive(pid_from("p1")), "p1 survived");
	ck_assert_msg(!pid_alive(pid_from("p2")), "p2 (ignores TERM) survived");
	ck_assert_msg(!pid_alive(pid_from("p3")), "p3 (grandchild, ignores TERM) survived");
	free(text);
	free(marker);
	run_result_free(&res);
}
END_TEST

START_TEST(test_nothing_left_behind_means_no_cleanup)
{
	char *conf = write_file(T, "initc.ini", "");
	const char *args[] = { "-c", conf, "-s", "--", "true", NULL };
	struct run_result res;

	run_initc(args, NULL, 30, &res);
	ck_assert_int_eq(res.status, 0);
	ck_assert_msg(!strstr(res.err, "left behind"), "stderr: %s", res.err);
	run_result_free(&res);
	free(conf);
}
END_TEST

/* The app and its 50 children die together, from one TERM to the group:
 * the SIGCHLDs coalesce, and initc must still see the app's exit. The
 * grace period is long, so only a prompt exit passes the time limit. */
START_TEST(test_coalesced_exits_never_hang)
{
	for (int round = 0; round < 3; round++) {
		pid_t pid = start_script("[initc]\ngrace = 10m\n[main]\nsignal_group = true\n",
					 "rm -f \"$1/ready\"\n"
					 "for i in $(seq 50); do sleep 1000 & done\n"
					 "touch \"$1/ready\"\n"
					 "wait\n");
		struct run_result res;
		char *ready = scratch_path("ready");

		ck_assert_msg(wait_for_file(ready, 10000), "the app did not start");
		for (int i = 0; i < 500 && count_children(pid, false) != 1; i++)
			sleep_ms(10);
		/* Let the shell reach `wait`, then stop everything at once. */
		sleep_ms(100);
		kill(pid, SIGTERM);
		wait_initc(pid, T, 20, &res);
		ck_assert_msg(res.status == 143, "round %d: initc exited %d (-1: hung); stderr: %s",
			      round, res.status, res.err);
		unlink(ready);
		free(ready);
		run_result_free(&res);
	}
}
END_TEST

START_TEST(test_app_and_children_exiting_together_never_hang)
{
	for (int round = 0; round < 3; round++) {
		struct run_result res;

		run_sh("[initc]\ngrace = 10m\n",
		       "for i in $(seq 50); do sleep 0.3 & done; sleep 0.3; exit 9", &res);
		ck_assert_msg(res.status == 9, "round %d: initc exited %d (-1: hung); stderr: %s",
			      round, res.status, res.err);
		run_result_free(&res);
	}
}
END_TEST

/* An idle supervising initc sleeps in ppoll: no timer, no polling. */
START_TEST(test_idle_initc_makes_no_wakeups)
{
	pid_t pid = start_script("", "touch \"$1/ready\"\nexec sleep 1000\n");
	struct run_result res;
	long before, after;

	assert_file_appears("ready");
	sleep_ms(500);
	before = voluntary_switches(pid);
	sleep(3);
	after = voluntary_switches(pid);
	ck_assert_msg(before >= 0, "cannot read /proc/%d/status", (int)pid);
	ck_assert_msg(after == before, "idle initc woke up %ld times in 3 s", after - before);
	kill(pid, SIGTERM);
	wait_initc(pid, T, 30, &res);
	ck_assert_int_eq(res.status, 143);
	run_result_free(&res);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("supervise");
	TCase *tc = tcase_create("supervise");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, scratch_setup, scratch_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_exit_statuses_propagate);
	tcase_add_test(tc, test_app_killed_by_signal_gives_128_plus_n);
	tcase_add_test(tc, test_success_codes_map_listed_statuses_to_zero);
	tcase_add_test(tc, test_stop_kills_app_that_ignores_term_after_grace);
	tcase_add_test(tc, test_stop_is_forwarded_and_app_status_kept);
	tcase_add_test(tc, test_stop_leftovers_share_the_stop_grace);
	tcase_add_test(tc, test_app_gets_the_mask_and_ignored_signals_initc_was_started_with);
	tcase_add_test(tc, test_app_does_not_get_initcs_own_blocked_signals);
	tcase_add_test(tc, test_app_gets_reserved_signals_blocked_as_initc_was_started);
	tcase_add_test(tc, test_steps_get_default_dispositions_the_app_inherited_ones);
	tcase_add_test(tc, test_app_keeps_inherited_fds_but_gets_none_of_initcs);
	tcase_add_test(tc, test_main_environment_and_directory_apply);
	tcase_add_test(tc, test_subreaper_reaps_orphans_of_the_app);
	tcase_add_test(tc, test_leftovers_get_term_then_kill_after_grace);
	tcase_add_test(tc, test_nothing_left_behind_means_no_cleanup);
	tcase_add_test(tc, test_coalesced_exits_never_hang);
	tcase_add_test(tc, test_app_and_children_exiting_together_never_hang);
	tcase_add_test(tc, test_idle_initc_makes_no_wakeups);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
