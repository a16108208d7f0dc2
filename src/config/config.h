/* The plan: what the config files say initc should do, validated.
 * Loading turns INI text into a plan or into file:line errors. */
#ifndef INITC_CONFIG_H
#define INITC_CONFIG_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "log.h"
#include "util.h"

enum action {
	ACTION_NONE, ACTION_COMMAND, ACTION_SHELL, ACTION_WAIT_TCP, ACTION_WAIT_FILE,
	ACTION_TEMPLATE,
	ACTION_PROBE /* wait = PROBE (probe.h) */
};
enum main_mode { MODE_EXEC, MODE_SUPERVISE };
enum on_failure { ON_FAILURE_EXIT, ON_FAILURE_RESTART };

/* Where a value came from, for error messages. */
struct origin {
	const char *file;
	int line;
};

/* How to run a process: shared by steps and the main application. */
struct proc_opts {
	struct strv env; /* "NAME=value" added to initc's environment */
	char *directory;
	char *user;      /* name, uid or uid:gid; resolved when the process starts */
};

struct step {
	char *name;
	struct origin origin; /* its [step:NAME] header, first seen */
	enum action action;
	struct origin action_origin;
	char *action_text; /* the command line, script, host:port or path, as written */
	struct strv argv;  /* command / shell: what to exec */
	char *target;      /* wait_tcp / wait_file / wait / template: expanded host:port, path or probe */
	char *output;      /* template: the file it renders */
	struct origin output_origin;
	struct proc_opts proc;
	char *creates;
	int64_t timeout_ms; /* 0: no per-attempt timeout */
	unsigned long retries;
	int64_t retry_delay_ms;
	unsigned backoff_milli;
	int64_t max_delay_ms;
	bool optional;
	int stop_signal;
	bool skip; /* named in INITC_SKIP */
};

struct main_app {
	char *command_text;
	struct strv argv; /* empty: no main application configured */
	struct origin origin;
	struct proc_opts proc;
	enum main_mode mode;
	bool signal_group;
	bool success[256]; /* exit statuses mapped to 0 */
};

struct plan {
	struct step *steps;
	size_t n_steps;
	struct main_app main;
	int64_t deadline_ms; /* 0: none */
	int64_t grace_ms;
	enum on_failure on_failure;
	unsigned long restart_limit; /* RESTART_UNLIMITED: only the deadline ends it */
	int64_t restart_delay_ms;     /* before the 2nd pass; doubled for each later one */
	int64_t restart_max_delay_ms; /* cap on that delay */
	char *status_file;
	char *termination_log; /* NULL: /dev/termination-log when it exists */
	/* NAMEs whose NAME_FILE holds the value (README, "Secrets from files") */
	struct strv file_env;
	struct origin file_env_origin;
	enum log_format log_format;
	bool log_format_set;
	struct strv files; /* every file read, in order; origins point here */
};

#define RESTART_UNLIMITED ULONG_MAX

#define DEFAULT_CONFIG_FILE "/etc/initc.ini"
#define DEFAULT_CONFIG_DIR "/etc/initc.d"

/* Loads path (a file, or a directory of *.ini), or the defaults when path is
 * NULL. Errors are logged as "file:line: ..."; the first is also copied to
 * first_error when it is not NULL. Returns 0, or -1 with nothing usable. */
int config_load(const char *path, struct plan *plan, char *first_error, size_t len);

/* The same for --check at image build time, where the variables the
 * container gets at run time are missing: an unset ${VAR} without a
 * default is a warning and stays "${VAR}" in the plan. */
int config_load_for_check(const char *path, struct plan *plan);

/* Loads INI text held in memory, named name in messages (tests, fuzzing). */
int config_load_text(const char *text, size_t size, const char *name, struct plan *plan,
		     char *first_error, size_t len);

/* Marks the steps named in a comma-separated list as skipped; -1 and a
 * message in err for a name the plan does not have. */
int plan_skip_steps(struct plan *plan, const char *list, char *err, size_t len);

/* Prints what initc would do, for --check. */
void plan_print(const struct plan *plan);

/* --check: warns about what the image lacks (yet): a command's program
 * not found in PATH as the process would search it, a user that does not
 * exist. Never an error: an earlier step may install or create them. */
void plan_check_image(const struct plan *plan);

void plan_free(struct plan *plan);

#endif
