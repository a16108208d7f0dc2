/* Integration-test helpers. Tests run the real binary and look at exit
 * statuses, files, output and /proc. */
#include "harness.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double now_secs(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

char *path_join(const char *dir, const char *name)
{
	char *p;

	if (asprintf(&p, "%s/%s", dir, name) < 0)
		abort();
	return p;
}

const char *initc_bin(void)
{
	const char *b = getenv("INITC_BIN");

	return b && *b ? b : "build/initc";
}

char *make_tempdir(void)
{
	char *dir = strdup("/tmp/initc-test.XXXXXX");

	if (!dir || !mkdtemp(dir)) {
		perror("mkdtemp");
		abort();
	}
	chmod(dir, 0755);
	return dir;
}

void rm_rf(const char *dir)
{
	char cmd[4200];

	if (!dir || strncmp(dir, "/tmp/initc-test.", 16) != 0)
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
}

char *write_file(const char *dir, const char *name, const char *text)
{
	char *path;
	FILE *fp;

	if (asprintf(&path, "%s/%s", dir, name) < 0)
		abort();
	fp = fopen(path, "w");
	if (!fp) {
		perror(path);
		abort();
	}
	fputs(text, fp);
	fclose(fp);
	chmod(path, 0644);
	return path;
}

char *read_file(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0;

	if (!fp)
		return NULL;
	if (getdelim(&buf, &len, '\0', fp) < 0) {
		free(buf);
		buf = strdup("");
	}
	fclose(fp);
	return buf;
}

bool file_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

static char **merged_env(const char *const *extra)
{
	size_t n = 0, m = 0;
	char **env;

	while (environ[n])
		n++;
	while (extra && extra[m])
		m++;
	env = calloc(n + m + 1, sizeof(*env));
	for (size_t i = 0; i < m; i++)
		env[i] = (char *)extra[i];
	for (size_t i = 0, k = m; i < n; i++) {
		size_t len = strcspn(environ[i], "=");
		bool dup = false;

		for (size_t j = 0; j < m; j++)
			if (strncmp(extra[j], environ[i], len) == 0 && extra[j][len] == '=')
				dup = true;
		if (!dup)
			env[k++] = environ[i];
	}
	return env;
}

pid_t start_program(const char *const *args, const char *const *env, const char *dir)
{
	char out[4200], err[4200];
	char **envp = merged_env(env);
	pid_t pid;

	snprintf(out, sizeof(out), "%s/.stdout", dir);
	snprintf(err, sizeof(err), "%s/.stderr", dir);
	pid = fork();
	if (pid == 0) {
		int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int e = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		sigset_t none;

		/* Check blocks nothing, but be explicit: initc starts clean. */
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGALRM, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		dup2(o, 1);
		dup2(e, 2);
		close(o);
		close(e);
		environ = envp;
		execvp(args[0], (char **)args);
		_exit(99);
	}
	free(envp);
	return pid;
}

pid_t start_initc(const char *const *args, const char *const *env, const char *dir)
{
	size_t n = 0;
	const char **argv;
	pid_t pid;

	while (args && args[n])
		n++;
	argv = calloc(n + 2, sizeof(*argv));
	argv[0] = initc_bin();
	for (size_t i = 0; i < n; i++)
		argv[i + 1] = args[i];
	pid = start_program(argv, env, dir);
	free(argv);
	return pid;
}

void wait_initc(pid_t pid, const char *dir, int timeout_s, struct run_result *res)
{
	double start = now_secs();
	char path[4200];
	int st;

	res->status = -1;
	for (;;) {
		pid_t r = waitpid(pid, &st, WNOHANG);

		if (r == pid) {
			res->status = WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st);
			break;
		}
		if (now_secs() - start > timeout_s) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			break;
		}
		sleep_ms(5);
	}
	res->secs = now_secs() - start;
	snprintf(path, sizeof(path), "%s/.stdout", dir);
	res->out = read_file(path);
	snprintf(path, sizeof(path), "%s/.stderr", dir);
	res->err = read_file(path);
	if (!res->out)
		res->out = strdup("");
	if (!res->err)
		res->err = strdup("");
}

void run_initc(const char *const *args, const char *const *env, int timeout_s,
	       struct run_result *res)
{
	char *dir = make_tempdir();
	pid_t pid = start_initc(args, env, dir);

	wait_initc(pid, dir, timeout_s, res);
	rm_rf(dir);
	free(dir);
}

void run_result_free(struct run_result *res)
{
	free(res->out);
	free(res->err);
	res->out = res->err = NULL;
}

bool wait_for_file(const char *path, int timeout_ms)
{
	for (int waited = 0; waited < timeout_ms; waited += 10) {
		if (file_exists(path))
			return true;
		sleep_ms(10);
	}
	return file_exists(path);
}

/* State letter and parent of pid from /proc/PID/stat; 0 when gone. */
static char proc_stat(pid_t pid, pid_t *ppid)
{
	char path[64], buf[512], *close;
	FILE *fp;
	char state = 0;
	int parent = 0;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fp = fopen(path, "r");
	if (!fp)
		return 0;
	/* "pid (comm) state ppid ...": comm may hold spaces and ')'. */
	if (fgets(buf, sizeof(buf), fp) && (close = strrchr(buf, ')')) &&
	    sscanf(close + 1, " %c %d", &state, &parent) < 1)
		state = 0;
	fclose(fp);
	if (ppid)
		*ppid = parent;
	return state;
}

static char proc_state(pid_t pid)
{
	return proc_stat(pid, NULL);
}

bool pid_alive(pid_t pid)
{
	char s = proc_state(pid);

	return s != 0 && s != 'Z' && s != 'X';
}

int count_zombies(void)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)) != NULL) {
		long pid = strtol(de->d_name, NULL, 10);

		if (pid > 0 && proc_state((pid_t)pid) == 'Z')
			n++;
	}
	closedir(d);
	return n;
}

bool can_unshare_pid(void)
{
	return geteuid() == 0 && system("unshare --pid --fork --mount-proc true >/dev/null 2>&1") == 0;
}

char *helper_path(const char *name)
{
	const char *dir = getenv("HELPERS");
	char *path;

	if (asprintf(&path, "%s/%s", dir && *dir ? dir : "build/tests/helpers", name) < 0)
		abort();
	return path;
}

pid_t start_helper(const char *const *argv)
{
	pid_t pid = fork();

	if (pid == 0) {
		int fd = open("/dev/null", O_RDONLY);
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGALRM, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		if (fd > 0) {
			dup2(fd, 0);
			close(fd);
		}
		execv(argv[0], (char *const *)argv);
		_exit(99);
	}
	return pid;
}

void stop_helper(pid_t pid)
{
	int st;

	if (pid <= 0)
		return;
	kill(pid, SIGKILL);
	while (waitpid(pid, &st, 0) == -1 && errno == EINTR)
		;
}

/* Calls fn for every process in /proc; stops when fn returns true. */
static void each_process(bool (*fn)(pid_t pid, char state, pid_t ppid, void *ctx), void *ctx)
{
	DIR *d = opendir("/proc");
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d)) != NULL) {
		long pid = strtol(de->d_name, NULL, 10);
		pid_t ppid;
		char state;

		if (pid <= 0 || (state = proc_stat((pid_t)pid, &ppid)) == 0)
			continue;
		if (fn((pid_t)pid, state, ppid, ctx))
			break;
	}
	closedir(d);
}

struct child_query {
	pid_t parent;
	bool zombies_only;
	int count;
	pid_t first;
};

static bool match_child(pid_t pid, char state, pid_t ppid, void *ctx)
{
	struct child_query *q = ctx;

	if (ppid == q->parent && (!q->zombies_only || state == 'Z')) {
		q->count++;
		if (!q->first)
			q->first = pid;
	}
	return false;
}

pid_t find_child(pid_t parent, int timeout_ms)
{
	for (int waited = 0;; waited += 10) {
		struct child_query q = { parent, false, 0, 0 };

		each_process(match_child, &q);
		if (q.first)
			return q.first;
		if (waited >= timeout_ms)
			return -1;
		sleep_ms(10);
	}
}

int count_children(pid_t parent, bool zombies_only)
{
	struct child_query q = { parent, zombies_only, 0, 0 };

	each_process(match_child, &q);
	return q.count;
}

long voluntary_switches(pid_t pid)
{
	char path[64], line[256];
	long n = -1;
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	fp = fopen(path, "r");
	if (!fp)
		return -1;
	while (fgets(line, sizeof(line), fp))
		if (sscanf(line, "voluntary_ctxt_switches: %ld", &n) == 1)
			break;
	fclose(fp);
	return n;
}

bool wait_for_text(const char *path, const char *needle, int timeout_ms)
{
	for (int waited = 0;; waited += 10) {
		char *text = read_file(path);
		bool found = text && strstr(text, needle);

		free(text);
		if (found)
			return true;
		if (waited >= timeout_ms)
			return false;
		sleep_ms(10);
	}
}

char *write_config(const char *dir, const char *fmt, ...)
{
	char *text, *path;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&text, fmt, ap) < 0)
		abort();
	va_end(ap);
	path = write_file(dir, "initc.ini", text);
	free(text);
	return path;
}

int count_substr(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

static bool skip_under(const char *env, const char *test, const char *why)
{
	if (!getenv(env))
		return false;
	printf("SKIP %s: %s\n", test, why);
	return true;
}

bool skip_under_valgrind(const char *test, const char *why)
{
	return skip_under("INITC_UNDER_VALGRIND", test, why);
}

bool skip_under_coverage(const char *test, const char *why)
{
	return skip_under("INITC_UNDER_COVERAGE", test, why);
}

bool skip_emulated(const char *test, const char *why)
{
	const char *e = getenv("INITC_EMULATED");

	if (!e || strcmp(e, "1") != 0)
		return false;
	printf("SKIP %s under emulation: %s\n", test, why);
	return true;
}

char *T, *t_env;

void scratch_setup(void)
{
	T = make_tempdir();
	if (asprintf(&t_env, "T=%s", T) < 0)
		abort();
}

void scratch_teardown(void)
{
	rm_rf(T);
	free(T);
	free(t_env);
	T = t_env = NULL;
}

char *scratch_path(const char *name)
{
	return path_join(T, name);
}

void run_scratch_config(const char *config, const char *const *args, const char *const *env,
			int timeout_s, struct run_result *r)
{
	const char *argv[16] = { "-c" }, *envp[8] = { t_env };
	char *conf = write_file(T, "initc.ini", config);
	size_t n = 2, m = 1;

	argv[1] = conf;
	for (; args && args[n - 2] && n < 15; n++)
		argv[n] = args[n - 2];
	for (; env && env[m - 1] && m < 7; m++)
		envp[m] = env[m - 1];
	wait_initc(start_initc(argv, envp, T), T, timeout_s, r);
	free(conf);
}
