/* Integration tests for what an attacker or a hostile environment tries
 * (issue 11) and for what a user reads in the status file (issue 17): the
 * real build/initc on real configs. Each test gets a temp dir T, exported
 * as $T to initc. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "harness.h"

/* Writes T/initc.ini with every ${T} replaced by T's path (so keys that
 * initc does not expand, like status_file, can use it too). */
static char *write_ini(const char *config)
{
	struct { char *s; size_t n; } b = { NULL, 0 };
	FILE *f = open_memstream(&b.s, &b.n);
	char *out;

	for (const char *p = config; *p; p++) {
		if (strncmp(p, "${T}", 4) == 0) {
			fputs(T, f);
			p += 3;
		} else {
			fputc(*p, f);
		}
	}
	fclose(f);
	out = write_file(T, "initc.ini", b.s);
	free(b.s);
	return out;
}

/* Writes the config to T/initc.ini, runs initc -c it [args...] with $T set,
 * and waits up to timeout_s. */
static void run_args(const char *config, const char *const *args, int timeout_s,
		     struct run_result *r)
{
	const char *argv[16] = { "-c" };
	const char *envp[] = { t_env, NULL };
	char *conf = write_ini(config);
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

/* CPU seconds (user + system) used by the reaped children of this process. */
static double children_cpu_secs(void)
{
	struct rusage ru;

	ck_assert_int_eq(getrusage(RUSAGE_CHILDREN, &ru), 0);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/* Item 13: retry n costs constant work. The back-off arithmetic itself is
 * proved by test_parse's test_backoff_huge_n_is_fast_and_exact (n = 10^9);
 * here, through the real binary, 2,000 retries of a wait_file with
 * retry_delay 0 run to the end. Each attempt is a probe child (a fork),
 * whose cost dwarfs the back-off's, so the bound is a generous 15 ms of
 * CPU per retry (the probe children's included), for a loaded machine. Measured in CPU
 * time, which the load of a shared machine does not inflate as it does
 * wall time. Under valgrind every fork copies memcheck too (about 60 ms
 * of CPU each): 200 retries there, under the same bound. */
START_TEST(test_many_retries_cost_constant_work_each)
{
	const char *args[] = { "-q", NULL };
	bool valgrind = getenv("INITC_UNDER_VALGRIND") != NULL;
	int retries = valgrind ? 200 : 2000;
	double cpu = children_cpu_secs();
	struct run_result r;
	char *config;

	if (asprintf(&config, "[step:gate]\nwait_file = ${T}/never\nretries = %d\n"
			      "retry_delay = 0\nbackoff = 1\n", retries) < 0)
		abort();
	run_args(config, args, 120, &r);
	cpu = children_cpu_secs() - cpu;
	ck_assert_msg(r.status == 1, "status %d\n%s", r.status, r.err);
	ck_assert_msg(strstr(r.err, "gate"), "%s", r.err);
	ck_assert_msg(cpu < 30, "%d retries took %.1fs of CPU (%.1fs in all)", retries, cpu,
		      r.secs);
	run_result_free(&r);
	free(config);
}
END_TEST

/* Runs script with sh in a private mount namespace, with $T and $INITC
 * (the binary under test) set; waits up to timeout_s. The script may
 * bind-mount files over /etc: only its namespace sees them. */
static void run_in_mount_ns(const char *script, int timeout_s, struct run_result *r)
{
	const char *args[] = { "unshare", "--mount", "--propagation", "private", "sh", "-c",
			       script, NULL };
	char *bin_env;
	pid_t pid;

	if (asprintf(&bin_env, "INITC=%s", initc_bin()) < 0)
		abort();
	{
		const char *envp[] = { t_env, bin_env, NULL };

		pid = start_program(args, envp, T);
	}
	wait_initc(pid, T, timeout_s, r);
	free(bin_env);
}

/* True when this test may bind-mount over /etc in a mount namespace. */
static bool can_unshare_mount(void)
{
	return geteuid() == 0 && system("unshare --mount true >/dev/null 2>&1") == 0;
}

/* Writes T/passwd and T/group for the user tests: "wide" is a member of a
 * 10,000-byte group line (past the old 4 KiB cut) and of 100 groups (past
 * the old 63). */
static void write_user_db(void)
{
	size_t cap = 64 * 1024, n;
	char *text = malloc(cap);

	free(write_file(T, "passwd",
			"root:x:0:0:root:/root:/bin/sh\n"
			"wide:x:2000:2000:a very long GECOS field:/home/wide:/bin/sh\n"));
	n = (size_t)snprintf(text, cap, "root:x:0:\nbig:x:3000:");
	while (n < 10000)
		n += (size_t)snprintf(text + n, cap - n, "filler%zu,", n);
	n += (size_t)snprintf(text + n, cap - n, "wide\n");
	for (int g = 0; g < 100; g++)
		n += (size_t)snprintf(text + n, cap - n, "g%d:x:%d:wide\n", g, 4000 + g);
	free(write_file(T, "group", text));
	free(text);
}

/* Items 7 and 9 through the real binary: `user = wide` gets every group
 * of a long /etc/group line and all 100 others (101 supplementary groups
 * and its own), HOME, USER and LOGNAME from its entry; `user = 12345`,
 * with no entry, gets HOME=/ and no USER or LOGNAME. */
START_TEST(test_user_groups_and_environment)
{
	static const char script[] =
		"mount --bind \"$T/passwd\" /etc/passwd && mount --bind \"$T/group\" /etc/group "
		"&& HOME=/root USER=root LOGNAME=root exec \"$INITC\" -c \"$T/initc.ini\"";
	struct run_result r;
	char want[64];

	if (!can_unshare_mount()) {
		printf("SKIP: needs root and unshare --mount; user test not run\n");
		return;
	}
	write_user_db();
	free(write_file(T, "initc.ini",
			"[step:nobody]\nuser = 12345\n"
			"command = sh -c 'echo \"nobody: HOME=$HOME USER=$${USER-unset} "
			"LOGNAME=$${LOGNAME-unset} groups=$(id -G)\"'\n"
			"[main]\nuser = wide\n"
			"command = sh -c 'echo \"wide: HOME=$HOME USER=$USER LOGNAME=$LOGNAME "
			"n=$(id -G | wc -w)\"; id -G | tr \" \" \"\\\\n\" | grep -qx 3000 && echo big'\n"));
	run_in_mount_ns(script, 20, &r);
	ck_assert_msg(r.status == 0, "status %d\n%s", r.status, r.err);
	ck_assert_msg(strstr(r.out, "nobody: HOME=/ USER=unset LOGNAME=unset groups=12345\n"),
		      "%s", r.out);
	snprintf(want, sizeof(want), "wide: HOME=/home/wide USER=wide LOGNAME=wide n=%d\n", 102);
	ck_assert_msg(strstr(r.out, want), "want %s in:\n%s", want, r.out);
	ck_assert_msg(strstr(r.out, "big\n"), "%s", r.out);
	run_result_free(&r);
}
END_TEST

/* Item 14 through the real binary: a drop-in's success_codes adds to the
 * main file's, and ranges cover 129-255. */
START_TEST(test_success_codes_merge_across_drop_ins)
{
	static const struct {
		int app_exit, want;
	} cases[] = { { 3, 0 }, { 200, 0 }, { 255, 0 }, { 4, 4 }, { 128, 128 } };
	char *d = scratch_path("conf.d"), *cmd;
	const char *argv[] = { "-c", d, NULL };
	const char *envp[] = { t_env, NULL };
	struct run_result r;

	ck_assert_int_eq(mkdir(d, 0755), 0);
	free(write_file(d, "10-main.ini", "[main]\nmode = supervise\nsuccess_codes = 0-3\n"));
	free(write_file(d, "20-more.ini", "[main]\nsuccess_codes = 129-255\n"));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (asprintf(&cmd, "[main]\ncommand = sh -c 'exit %d'\n", cases[i].app_exit) < 0)
			abort();
		free(write_file(d, "30-cmd.ini", cmd));
		wait_initc(start_initc(argv, envp, T), T, 20, &r);
		ck_assert_msg(r.status == cases[i].want, "exit %d: status %d\n%s",
			      cases[i].app_exit, r.status, r.err);
		run_result_free(&r);
		free(cmd);
	}
	free(d);
}
END_TEST

/* Sets a POSIX access ACL on path granting rw to the named entry (tag 2:
 * user, 8: group) with mask rw, as setfacl -m would; false when the file
 * system does not support ACLs. */
static bool set_write_acl(const char *path, unsigned tag, uint32_t id)
{
	/* The kernel wants the entries in tag order: user::, user:, group::,
	 * group:, mask::, other::. */
	uint16_t e[][2] = { { 1, 7 }, { 2, 6 }, { 4, 5 }, { 8, 6 }, { 0x10, 7 }, { 0x20, 5 } };
	unsigned char v[4 + 6 * 8], *p = v + 4;

	memset(v, 0, sizeof(v));
	v[0] = 2;
	for (int i = 0; i < 6; i++) {
		uint32_t entry_id = e[i][0] == tag ? id : UINT32_MAX;

		if ((e[i][0] == 2 || e[i][0] == 8) && e[i][0] != tag)
			continue;
		p[0] = (unsigned char)e[i][0];
		p[2] = (unsigned char)e[i][1];
		memcpy(p + 4, &entry_id, 4); /* little-endian hosts only: x86, arm64 */
		p += 8;
	}
	return setxattr(path, "system.posix_acl_access", v, (size_t)(p - v), 0) == 0;
}

/* Runs initc -c target --check and for real; checks exit 78, the message,
 * and that the marker step never ran. */
static void expect_refused(const char *target, const char *want)
{
	const char *argv[] = { "-c", target, NULL, NULL };
	const char *envp[] = { t_env, NULL };
	struct run_result r;
	char *marker = scratch_path("marker");

	for (int check = 0; check < 2; check++) {
		argv[2] = check ? "--check" : NULL;
		wait_initc(start_initc(argv, envp, T), T, 20, &r);
		ck_assert_msg(r.status == 78, "status %d\n%s", r.status, r.err);
		ck_assert_msg(strstr(r.err, want), "want '%s' in:\n%s", want, r.err);
		ck_assert(!file_exists(marker));
		run_result_free(&r);
	}
	free(marker);
}

static void expect_accepted(const char *target)
{
	const char *argv[] = { "-c", target, NULL };
	const char *envp[] = { t_env, NULL };
	struct run_result r;
	char *marker = scratch_path("marker");

	wait_initc(start_initc(argv, envp, T), T, 20, &r);
	ck_assert_msg(r.status == 0, "status %d\n%s", r.status, r.err);
	ck_assert(file_exists(marker));
	unlink(marker);
	run_result_free(&r);
	free(marker);
}

static const char marker_ini[] = "[step:mark]\ncommand = touch ${T}/marker\n";

/* Item 8: a config file or drop-in directory that a group other than
 * root's may write is refused with the chmod that fixes it; root's group
 * may write (it is root's). */
START_TEST(test_group_writable_config_refused)
{
	char *cfg = write_file(T, "c.ini", marker_ini), *d = scratch_path("conf.d"), want[512];

	ck_assert_int_eq(chown(cfg, 0, 100), 0);
	ck_assert_int_eq(chmod(cfg, 0664), 0);
	snprintf(want, sizeof(want), "%s: is writable by group 100, whose members could change "
		 "what initc runs as root; fix it with: chmod g-w %s", cfg, cfg);
	expect_refused(cfg, want);
	ck_assert_int_eq(chown(cfg, 0, 0), 0);
	expect_accepted(cfg);

	ck_assert_int_eq(mkdir(d, 0755), 0);
	free(write_file(d, "a.ini", marker_ini));
	ck_assert_int_eq(chown(d, 0, 100), 0);
	ck_assert_int_eq(chmod(d, 0775), 0);
	snprintf(want, sizeof(want), "%s: drop-in directory is writable by group 100", d);
	expect_refused(d, want);
	ck_assert_int_eq(chown(d, 0, 0), 0);
	expect_accepted(d);
	free(cfg);
	free(d);
}
END_TEST

/* Item 8, initc not root (uid and gid 1000): its own group may write the
 * config (a user's private group, umask 002); another group may not. */
START_TEST(test_group_writable_config_as_non_root)
{
	char *cfg = write_file(T, "c.ini", marker_ini);
	const char *args[] = { "setpriv", "--reuid", "1000", "--regid", "1000", "--clear-groups",
			       initc_bin(), "--check", "-c", cfg, NULL };
	const char *envp[] = { t_env, NULL };
	struct run_result r;

	if (geteuid() != 0 || system("command -v setpriv >/dev/null") != 0) {
		printf("SKIP: needs root and setpriv; non-root config test not run\n");
		free(cfg);
		return;
	}
	ck_assert_int_eq(chown(cfg, 1000, 1000), 0);
	ck_assert_int_eq(chmod(cfg, 0664), 0);
	wait_initc(start_program(args, envp, T), T, 20, &r);
	ck_assert_msg(r.status == 0, "status %d\n%s", r.status, r.err);
	run_result_free(&r);
	ck_assert_int_eq(chown(cfg, 1000, 100), 0);
	ck_assert_int_eq(chmod(cfg, 0664), 0); /* chown cleared nothing, but be sure */
	wait_initc(start_program(args, envp, T), T, 20, &r);
	ck_assert_msg(r.status == 78, "status %d\n%s", r.status, r.err);
	ck_assert_msg(strstr(r.err, "is writable by group 100, whose members could change what "
				    "initc runs; fix it with: chmod g-w"), "%s", r.err);
	run_result_free(&r);
	free(cfg);
}
END_TEST

/* Item 8: write granted by a POSIX ACL to a named user or group (the
 * owning group being root's) is refused too, naming the entry. */
START_TEST(test_acl_writable_config_refused)
{
	char *cfg = write_file(T, "c.ini", marker_ini), *d = scratch_path("conf.d"), want[512];

	if (!set_write_acl(cfg, 2, 1234)) {
		printf("SKIP: no POSIX ACLs on %s: %s\n", T, strerror(errno));
		free(cfg);
		return;
	}
	snprintf(want, sizeof(want), "%s: is writable by uid 1234 through a POSIX ACL, who could "
		 "change what initc runs; fix it with: setfacl -x u:1234 %s (or chmod g-w %s)",
		 cfg, cfg, cfg);
	expect_refused(cfg, want);
	/* chmod g-w takes write out of the mask: the fix the message names. */
	ck_assert_int_eq(chmod(cfg, 0644), 0);
	expect_accepted(cfg);

	ck_assert_int_eq(mkdir(d, 0755), 0);
	free(write_file(d, "a.ini", marker_ini));
	ck_assert(set_write_acl(d, 8, 4321));
	snprintf(want, sizeof(want), "%s: drop-in directory is writable by gid 4321 through a "
		 "POSIX ACL", d);
	expect_refused(d, want);
	free(cfg);
	free(d);
}
END_TEST

/* Runs `unshare --pid --fork --mount-proc sh -c script` (so initc exec-ed
 * by the script is PID 1), with $T and $INITC set. */
static void run_as_pid1(const char *script, int timeout_s, struct run_result *r)
{
	const char *args[] = { "unshare", "--pid", "--fork", "--mount-proc", "sh", "-c", script,
			       NULL };
	char *bin_env;
	pid_t pid;

	if (asprintf(&bin_env, "INITC=%s", initc_bin()) < 0)
		abort();
	{
		const char *envp[] = { t_env, bin_env, NULL };

		pid = start_program(args, envp, T);
	}
	wait_initc(pid, T, timeout_s, r);
	free(bin_env);
}

static const char status_ini[] =
	"[initc]\nstatus_file = ${T}/st/status\n"
	"[step:a]\ncommand = true\n[step:b]\ncommand = true\n[step:c]\ncommand = true\n"
	"[main]\ncommand = sh -c 'cat \"$T/st/status\"'\n";

/* Item 1: a FIFO planted at the old predictable temporary name (always
 * <status_file>.tmp.1 for PID 1) made initc's next status write block
 * forever. Now the write goes on, and nothing follows the FIFO. */
START_TEST(test_status_write_ignores_planted_fifo)
{
	char *st = scratch_path("st"), *fifo = scratch_path("st/status.tmp.1");
	struct run_result r;

	if (!can_unshare_pid()) {
		printf("SKIP: needs unshare --pid; PID 1 status test not run\n");
		free(st);
		free(fifo);
		return;
	}
	ck_assert_int_eq(mkdir(st, 0777), 0);
	ck_assert_int_eq(mkfifo(fifo, 0666), 0);
	free(write_ini(status_ini));
	run_as_pid1("exec \"$INITC\" -c \"$T/initc.ini\"", 20, &r);
	ck_assert_msg(r.status == 0, "status %d (-1: hung)\n%s", r.status, r.err);
	ck_assert_str_eq(r.out, "Running\n");
	ck_assert_msg(!strstr(r.err, "cannot write status file"), "%s", r.err);
	run_result_free(&r);
	free(st);
	free(fifo);
}
END_TEST

/* Item 1: a planter racing initc (PID 1), replacing the old temporary name
 * and the status file itself with FIFOs and symlinks to a victim file as
 * fast as it can while initc writes the phase 6 times per run: initc
 * finishes every run, and never writes through a link. */
START_TEST(test_status_write_survives_racing_planter)
{
	const char *planter[] = {
		"sh", "-c",
		"cd \"$T/st\" || exit 1; while :; do "
		"rm -f status.tmp.1; mkfifo status.tmp.1; rm -f status.tmp.1; "
		"ln -s \"$T/victim\" status.tmp.1; ln -sfn \"$T/victim\" status; done",
		NULL
	};
	const char *envp[] = { t_env, NULL };
	char *st = scratch_path("st"), *victim = scratch_path("victim");
	struct run_result r;
	pid_t pid;

	if (!can_unshare_pid()) {
		printf("SKIP: needs unshare --pid; PID 1 status test not run\n");
		free(st);
		free(victim);
		return;
	}
	ck_assert_int_eq(mkdir(st, 0777), 0);
	free(write_ini("[initc]\nstatus_file = ${T}/st/status\n"
		       "[step:a]\ncommand = true\n[step:b]\ncommand = true\n"
		       "[step:c]\ncommand = true\n[main]\ncommand = true\n"));
	pid = start_program(planter, envp, T);
	sleep_ms(100);
	for (int i = 0; i < 5; i++) {
		run_as_pid1("exec \"$INITC\" -c \"$T/initc.ini\"", 20, &r);
		ck_assert_msg(r.status == 0, "status %d (-1: hung)\n%s", r.status, r.err);
		run_result_free(&r);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	ck_assert(!file_exists(victim));
	free(st);
	free(victim);
}
END_TEST

/* Item 1: a symlink in place of the status file's directory, in a
 * directory a step's user may write, would make root write wherever it
 * points: refused with a warning; init goes on. A symlink only root can
 * change (like /var/run -> /run) is followed. */
START_TEST(test_status_dir_symlink_not_followed)
{
	char *shared = scratch_path("shared"), *elsewhere = scratch_path("elsewhere"), *link = scratch_path("shared/st"),
	     *target = scratch_path("elsewhere/status"), *roots_link = scratch_path("st");
	struct run_result r;

	ck_assert_int_eq(mkdir(shared, 0777), 0);
	ck_assert_int_eq(chmod(shared, 0777), 0); /* past the umask */
	ck_assert_int_eq(mkdir(elsewhere, 0755), 0);
	ck_assert_int_eq(symlink(elsewhere, link), 0);
	run_args("[initc]\nstatus_file = ${T}/shared/st/status\n[step:a]\ncommand = true\n", NULL,
		 20, &r);
	ck_assert_msg(r.status == 0, "status %d\n%s", r.status, r.err);
	ck_assert_msg(count_substr(r.err, "cannot write status file") == 1, "%s", r.err);
	ck_assert(!file_exists(target));
	run_result_free(&r);

	ck_assert_int_eq(symlink(elsewhere, roots_link), 0); /* T: root's, 0755 */
	run_args("[initc]\nstatus_file = ${T}/st/status\n[step:a]\ncommand = true\n", NULL, 20, &r);
	ck_assert_msg(r.status == 0, "status %d\n%s", r.status, r.err);
	ck_assert_msg(!strstr(r.err, "cannot write status file"), "%s", r.err);
	ck_assert(file_exists(target));
	run_result_free(&r);
	free(shared);
	free(elsewhere);
	free(link);
	free(target);
	free(roots_link);
}
END_TEST

/* Item 1 and issue 17 item 5: --status never blocks on a FIFO, and says
 * what it found: a FIFO, a missing file (initc not started, or unable to
 * write it), an empty file. */
START_TEST(test_status_option_never_blocks)
{
	const char *args[] = { "--status", NULL };
	char *fifo = scratch_path("status");
	struct run_result r;
	static const char ini[] = "[initc]\nstatus_file = ${T}/status\n";

	run_args(ini, args, 10, &r);
	ck_assert_int_eq(r.status, 1);
	ck_assert_msg(strstr(r.err, "status: no such file: initc has not started yet, or could "
				    "not write it (its log says why: 'cannot write status file')"),
		      "%s", r.err);
	run_result_free(&r);
	ck_assert_int_eq(mkfifo(fifo, 0644), 0);
	run_args(ini, args, 10, &r);
	ck_assert_msg(r.status == 1, "status %d (-1: hung)\n%s", r.status, r.err);
	ck_assert_msg(strstr(r.err, "status: not a regular file"), "%s", r.err);
	ck_assert(r.secs < 5);
	run_result_free(&r);
	unlink(fifo);
	free(write_file(T, "status", ""));
	run_args(ini, args, 10, &r);
	ck_assert_int_eq(r.status, 1);
	ck_assert_msg(strstr(r.err, "status: it is empty"), "%s", r.err);
	run_result_free(&r);
	free(write_file(T, "status", "Running\n"));
	run_args(ini, args, 10, &r);
	ck_assert_int_eq(r.status, 0);
	ck_assert_str_eq(r.out, "Running\n");
	run_result_free(&r);
	free(fifo);
}
END_TEST

/* Item 10: with [main] user, the exec fails after the privilege drop, when
 * initc can no longer replace the root-owned status file: it must not keep
 * saying Running for an app that never ran. */
START_TEST(test_exec_failure_after_privilege_drop_says_error)
{
	const char *args[] = { "--status", NULL };
	char *status = scratch_path("st/status"), *text;
	struct run_result r;

	run_args("[initc]\nstatus_file = ${T}/st/status\n"
		 "[main]\nuser = 65534\ncommand = ${T}/no-such-app\n", NULL, 20, &r);
	ck_assert_msg(r.status == 127, "status %d\n%s", r.status, r.err);
	ck_assert_msg(strstr(r.err, "status Error"), "%s", r.err);
	run_result_free(&r);
	text = read_file(status);
	ck_assert_str_eq(text, "Error\n");
	free(text);
	run_args("[initc]\nstatus_file = ${T}/st/status\n", args, 10, &r);
	ck_assert_int_eq(r.status, 1);
	ck_assert_str_eq(r.out, "Error\n");
	run_result_free(&r);
	free(status);
}
END_TEST

/* Issue 17 item 6: the words kubectl shows. No Init:N/N after the last
 * step (PodInitializing next), and a supervised app that ended leaves
 * Completed (status 0) or Error, not Running; Terminating during a stop. */
START_TEST(test_status_words_follow_kubectl)
{
	static const struct {
		const char *app, *word;
		int rc;
	} cases[] = { { "true", "Completed\n", 0 }, { "exit 3", "Error\n", 3 } };
	const char *verbose[] = { "-v", NULL };
	char *status = scratch_path("status"), *text, ini[256];
	struct run_result r;

	for (size_t i = 0; i < 2; i++) {
		snprintf(ini, sizeof(ini), "[initc]\nstatus_file = ${T}/status\n"
			 "[step:a]\ncommand = true\n[main]\nmode = supervise\ncommand = sh -c '%s'\n",
			 cases[i].app);
		run_args(ini, verbose, 20, &r);
		ck_assert_msg(r.status == cases[i].rc, "status %d\n%s", r.status, r.err);
		ck_assert_msg(!strstr(r.err, "Init:1/1"), "%s", r.err);
		ck_assert_msg(strstr(r.err, "status Init:0/1\ninitc: step a: starting") &&
			      strstr(r.err, "status PodInitializing"), "%s", r.err);
		text = read_file(status);
		ck_assert_str_eq(text, cases[i].word);
		free(text);
		run_result_free(&r);
	}
	free(status);
}
END_TEST

/* Issue 17 item 6: a stop of the supervised app writes Terminating; the
 * app's end then writes Error (143). */
START_TEST(test_status_terminating_during_stop)
{
	const char *argv[] = { "-c", NULL, NULL };
	const char *envp[] = { t_env, NULL };
	char *cfg = write_ini("[initc]\nstatus_file = ${T}/status\n[main]\nmode = supervise\n"
			      "command = sh -c 'trap \"sleep 1; exit 143\" TERM; "
			      "touch ${T}/up; while :; do sleep 0.1; done'\n");
	char *up = scratch_path("up"), *status = scratch_path("status"), *text;
	struct run_result r;
	pid_t pid;

	argv[1] = cfg;
	pid = start_initc(argv, envp, T);
	ck_assert(wait_for_file(up, 10000));
	kill(pid, SIGTERM);
	ck_assert(wait_for_text(status, "Terminating", 5000));
	wait_initc(pid, T, 20, &r);
	ck_assert_msg(r.status == 143, "status %d\n%s", r.status, r.err);
	text = read_file(status);
	ck_assert_str_eq(text, "Error\n");
	free(text);
	run_result_free(&r);
	free(cfg);
	free(up);
	free(status);
}
END_TEST

/* Runs initc with args and no config file at all (INITC_CONFIG pointing
 * at an empty one: zero steps). */
static void run_no_steps(const char *const *args, struct run_result *r)
{
	char *empty = write_file(T, "empty.ini", "");
	const char *argv[16] = { "-c", empty };
	const char *envp[] = { t_env, NULL };
	size_t n = 2;

	while (args[n - 2] && n < 15) {
		argv[n] = args[n - 2];
		n++;
	}
	wait_initc(start_initc(argv, envp, T), T, 20, r);
	free(empty);
}

/* Item 15: with no steps initc says nothing, as tini, dumb-init and
 * catatonit; in exec and supervise mode, for an app that succeeds. -v
 * still shows the lines. An app that fails gets one line. */
START_TEST(test_no_steps_prints_nothing)
{
	const char *exec_args[] = { "--", "sh", "-c", "echo app", NULL };
	const char *sup_args[] = { "-s", "--", "sh", "-c", "echo app", NULL };
	const char *verbose_args[] = { "-v", "-s", "--", "true", NULL };
	const char *fail_args[] = { "-s", "--", "sh", "-c", "exit 3", NULL };
	struct run_result r;

	if (skip_emulated("test_no_steps_prints_nothing", EMU_SUBREAPER_WARNING))
		return;

	run_no_steps(exec_args, &r);
	ck_assert_int_eq(r.status, 0);
	ck_assert_str_eq(r.out, "app\n");
	ck_assert_msg(r.err[0] == '\0', "stderr: %s", r.err);
	run_result_free(&r);
	run_no_steps(sup_args, &r);
	ck_assert_int_eq(r.status, 0);
	ck_assert_str_eq(r.out, "app\n");
	ck_assert_msg(r.err[0] == '\0', "stderr: %s", r.err);
	run_result_free(&r);
	run_no_steps(verbose_args, &r);
	ck_assert_int_eq(r.status, 0);
	ck_assert_msg(strstr(r.err, "status Running") && strstr(r.err, "main: started true") &&
		      strstr(r.err, "main: exit status 0"), "stderr: %s", r.err);
	run_result_free(&r);
	run_no_steps(fail_args, &r);
	ck_assert_int_eq(r.status, 3);
	ck_assert_str_eq(r.err, "initc: main: exit status 3\ninitc: status Error\n");
	run_result_free(&r);
}
END_TEST

/* Item 15: with steps, the default level prints one line per step event
 * (start, success, failure, retry) and the hand-off; the status words and
 * nothing else extra. */
START_TEST(test_default_level_one_line_per_step_event)
{
	const char *args[] = { "--", "true", NULL };
	struct run_result r;

	if (skip_emulated("test_default_level_one_line_per_step_event", EMU_SUBREAPER_WARNING))
		return;

	run_args("[step:a]\ncommand = true\n"
		 "[step:b]\nshell = test -e ${T}/once || { touch ${T}/once; exit 5; }\n"
		 "retries = 1\nretry_delay = 10ms\n",
		 args, 20, &r);
	ck_assert_msg(r.status == 0, "status %d\n%s", r.status, r.err);
	ck_assert_int_eq(count_substr(r.err, "\n"), 8);
	ck_assert_msg(strstr(r.err, "initc: step a: starting: true\n"
				    "initc: step a: succeeded in "), "%s", r.err);
	ck_assert_msg(strstr(r.err, "initc: step b: attempt 1 of 2 failed: exit status 5\n"
				    "initc: step b: retrying in 10ms\n"), "%s", r.err);
	ck_assert_msg(strstr(r.err, "initc: init: 2 steps done in "), "%s", r.err);
	ck_assert_msg(strstr(r.err, "initc: main: exec true\n"), "%s", r.err);
	ck_assert_msg(!strstr(r.err, "initc: status "), "%s", r.err);
	run_result_free(&r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("trust");
	TCase *tc = tcase_create("trust");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 150);
	tcase_add_checked_fixture(tc, scratch_setup, scratch_teardown);
	tcase_add_test(tc, test_many_retries_cost_constant_work_each);
	tcase_add_test(tc, test_user_groups_and_environment);
	tcase_add_test(tc, test_success_codes_merge_across_drop_ins);
	tcase_add_test(tc, test_group_writable_config_refused);
	tcase_add_test(tc, test_group_writable_config_as_non_root);
	tcase_add_test(tc, test_acl_writable_config_refused);
	tcase_add_test(tc, test_status_write_ignores_planted_fifo);
	tcase_add_test(tc, test_status_write_survives_racing_planter);
	tcase_add_test(tc, test_status_dir_symlink_not_followed);
	tcase_add_test(tc, test_status_option_never_blocks);
	tcase_add_test(tc, test_exec_failure_after_privilege_drop_says_error);
	tcase_add_test(tc, test_status_words_follow_kubectl);
	tcase_add_test(tc, test_status_terminating_during_stop);
	tcase_add_test(tc, test_no_steps_prints_nothing);
	tcase_add_test(tc, test_default_level_one_line_per_step_event);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
