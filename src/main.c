/* initc: run the init steps of a container, then hand over to the app.
 *
 * main reads as the phases: options -> config -> steps -> hand-off. It owns
 * the exit status; every other module reports and returns. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "format.h"
#include "handoff.h"
#include "log.h"
#include "loop.h"
#include "startfiles.h"
#include "parse.h"
#include "phase.h"
#include "probe.h"
#include "steps.h"
#include "util.h"

#ifndef INITC_VERSION
#define INITC_VERSION "0.1.0"
#endif

struct options {
	const char *config;
	bool check;
	bool status;
	bool supervise;
	enum log_level level;
	enum log_format format;
	bool format_set;
	char **command; /* NULL: [main] command */
	const char *probe;   /* --probe: run this one probe, nothing else */
	const char *timeout; /* --timeout: the probe's */
};

static const char usage_text[] =
	"usage: initc [OPTIONS] [--] [COMMAND [ARG...]]\n"
	"Runs the init steps of /etc/initc.ini and /etc/initc.d/*.ini in order,\n"
	"then execs COMMAND (or [main] command), reaping zombies and forwarding\n"
	"signals the whole time.\n"
	"\n"
	"  -c, --config PATH     a config file or a directory of *.ini files\n"
	"                        (default /etc/initc.ini + /etc/initc.d/; env INITC_CONFIG)\n"
	"      --check           validate the config and print the plan; run nothing\n"
	"      --status          print the status file's phase; exit 0 only if Running\n"
	"      --probe PROBE     one attempt of PROBE (tcp://, http://, unix://, dns://,\n"
	"                        file://); exit 0 if it succeeds, 1 with the reason if not.\n"
	"                        Reads no config.  --timeout DURATION: its time (5s)\n"
	"  -s, --supervise       stay as the app's parent (like [main] mode = supervise)\n"
	"  -v, --verbose         more log lines;  -q, --quiet  errors only\n"
	"      --log-format FMT  text (default) or json\n"
	"  -h, --help            this help;  -V, --version  the version\n"
	"\n"
	"Environment: INITC_CONFIG (config path), INITC_SKIP=name,name (skip steps).\n"
	"Exit status: the app's (supervise), 0 (no app), a failed step's, 124 timeout or\n"
	"deadline, 126/127 app not executable/not found, 128+N stopped by signal N,\n"
	"64 bad usage, 78 bad config. See initc(8) and initc.ini(5).\n";

/* A bad command line; in JSON when --log-format json came before it. */
static int usage_error(const struct options *opt, const char *what, const char *arg)
{
	log_setup(LOG_ERROR, opt->format);
	log_msg(LOG_ERROR, "%s '%s'; see 'initc --help'", what, arg);
	return EXIT_USAGE;
}

/* The command-line options. Parsed by hand rather than with getopt_long,
 * which brings 4 KiB of musl (and stdio for its messages) into the static
 * binary; long options must be spelled out, without getopt's abbreviations. */
enum opt_id {
	OPT_CONFIG, OPT_CHECK, OPT_STATUS, OPT_SUPERVISE, OPT_VERBOSE, OPT_QUIET,
	OPT_LOG_FORMAT, OPT_HELP, OPT_VERSION, OPT_PROBE, OPT_TIMEOUT
};

static const struct {
	const char *long_name;
	char short_name; /* 0: long only */
	bool has_value;
} option_table[] = {
	[OPT_CONFIG] = { "config", 'c', true },
	[OPT_CHECK] = { "check", 0, false },
	[OPT_STATUS] = { "status", 0, false },
	[OPT_SUPERVISE] = { "supervise", 's', false },
	[OPT_VERBOSE] = { "verbose", 'v', false },
	[OPT_QUIET] = { "quiet", 'q', false },
	[OPT_LOG_FORMAT] = { "log-format", 0, true },
	[OPT_HELP] = { "help", 'h', false },
	[OPT_VERSION] = { "version", 'V', false },
	[OPT_PROBE] = { "probe", 0, true },
	[OPT_TIMEOUT] = { "timeout", 0, true },
};

#define OPT_COUNT ((int)(sizeof(option_table) / sizeof(option_table[0])))

/* Applies one option; returns -1 to go on, else the exit status. */
static int set_option(struct options *opt, enum opt_id id, const char *value)
{
	switch (id) {
	case OPT_CONFIG:
		opt->config = value;
		break;
	case OPT_CHECK:
		opt->check = true;
		break;
	case OPT_STATUS:
		opt->status = true;
		break;
	case OPT_SUPERVISE:
		opt->supervise = true;
		break;
	case OPT_VERBOSE:
		opt->level = LOG_DEBUG;
		break;
	case OPT_QUIET:
		opt->level = LOG_ERROR;
		break;
	case OPT_LOG_FORMAT:
		if (strcmp(value, "text") != 0 && strcmp(value, "json") != 0)
			return usage_error(opt, "--log-format takes text or json, not", value);
		opt->format = strcmp(value, "json") == 0 ? LOG_JSON : LOG_TEXT;
		opt->format_set = true;
		break;
	case OPT_HELP:
		out_format("%s", usage_text);
		return 0;
	case OPT_VERSION:
		out_format("initc %s\n", INITC_VERSION);
		return 0;
	case OPT_PROBE:
		opt->probe = value;
		break;
	case OPT_TIMEOUT:
		opt->timeout = value;
		break;
	}
	return -1;
}

/* "--name", "--name=value" or "--name value" at argv[*i]; *i moves past a
 * separate value. */
static int long_option(char **argv, int *i, struct options *opt)
{
	const char *name = argv[*i] + 2, *eq = strchr(name, '=');
	size_t len = eq ? (size_t)(eq - name) : strlen(name);
	const char *value = eq ? eq + 1 : NULL;

	for (int id = 0; id < OPT_COUNT; id++) {
		if (strlen(option_table[id].long_name) != len ||
		    strncmp(option_table[id].long_name, name, len) != 0)
			continue;
		if (!option_table[id].has_value && value)
			return usage_error(opt, "the option takes no value:", argv[*i]);
		if (option_table[id].has_value && !value) {
			if (!argv[*i + 1])
				return usage_error(opt, "missing value for option", argv[*i]);
			value = argv[++*i];
		}
		return set_option(opt, (enum opt_id)id, value);
	}
	return usage_error(opt, "unknown option", argv[*i]);
}

/* "-sv", "-c PATH", "-cPATH", "-svc PATH" at argv[*i]. */
static int short_options(char **argv, int *i, struct options *opt)
{
	for (const char *p = argv[*i] + 1; *p; p++) {
		char bad[3] = { '-', *p, '\0' };
		int id = 0, rc;

		while (id < OPT_COUNT && option_table[id].short_name != *p)
			id++;
		if (id == OPT_COUNT)
			return usage_error(opt, "unknown option", bad);
		if (option_table[id].has_value) {
			/* The value is the rest of the word, or the next word. */
			const char *value = p[1] ? p + 1 : argv[*i + 1];

			if (!value)
				return usage_error(opt, "missing value for option", bad);
			if (!p[1])
				++*i;
			return set_option(opt, (enum opt_id)id, value);
		}
		rc = set_option(opt, (enum opt_id)id, NULL);
		if (rc != -1)
			return rc;
	}
	return -1;
}

/* Parses argv into opt; returns -1 to go on, else the exit status. Options
 * end at "--" or at the first word of the command, as with env(1). */
static int parse_options(int argc, char **argv, struct options *opt)
{
	int i, rc = -1;

	memset(opt, 0, sizeof(*opt));
	opt->level = LOG_INFO;
	opt->config = getenv("INITC_CONFIG");
	if (opt->config && !*opt->config)
		opt->config = NULL;
	for (i = 1; i < argc && rc == -1; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		if (a[0] != '-' || a[1] == '\0')
			break; /* the command ("-" alone is a word, as for getopt) */
		rc = a[1] == '-' ? long_option(argv, &i, opt) : short_options(argv, &i, opt);
	}
	if (rc == -1 && i < argc)
		opt->command = argv + i;
	return rc;
}

/* The command line's COMMAND and -s override [main]. */
static void apply_options(const struct options *opt, struct plan *plan)
{
	if (opt->command) {
		strv_free(&plan->main.argv);
		for (char **a = opt->command; *a; a++)
			strv_push(&plan->main.argv, xstrdup(*a));
	}
	if (opt->supervise)
		plan->main.mode = MODE_SUPERVISE;
	if (!opt->format_set && plan->log_format_set)
		log_setup(opt->level, plan->log_format);
}

/* Reads the first line of the status file into word without ever blocking:
 * a FIFO or a device planted at the path is refused, not opened for a read
 * that would wait forever. Returns NULL, or why it could not. */
static const char *status_read(const char *path, char *word, size_t len)
{
	struct stat st;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);

	if (fd == -1)
		return errno == ENOENT ? "no such file: initc has not started yet, or could not "
					 "write it (its log says why: 'cannot write status file')"
				       : error_text(errno);
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		return "not a regular file";
	}
	do
		n = read(fd, word, len - 1);
	while (n == -1 && errno == EINTR);
	close(fd);
	if (n == -1)
		return error_text(errno);
	word[n] = '\0';
	word[strcspn(word, "\n")] = '\0';
	return word[0] ? NULL : "it is empty";
}

/* --status: for HEALTHCHECK and exec probes. The word goes to stdout;
 * complaints are log lines (JSON with log_format = json). */
static int print_status(const struct plan *plan)
{
	char word[64];
	const char *why;

	if (!plan->status_file) {
		log_msg(LOG_ERROR, "--status needs status_file in [initc]");
		return 1;
	}
	why = status_read(plan->status_file, word, sizeof(word));
	if (why) {
		log_msg(LOG_ERROR, "cannot read %s: %s", plan->status_file, why);
		return 1;
	}
	out_format("%s\n", word);
	return strcmp(word, "Running") == 0 ? 0 : 1;
}

static int run(struct plan *plan, int64_t start_ms)
{
	int rc;

	if (loop_init() == -1)
		return EXIT_NOEXEC;
	status_setup(plan->status_file);
	termlog_setup(plan->termination_log);
	rc = steps_run(plan, start_ms);
	if (rc != 0)
		return rc;
	if (plan->main.argv.n == 0) {
		phase_set(PHASE_COMPLETED);
		return 0;
	}
	phase_set(PHASE_POD_INITIALIZING);
	if (plan->main.mode == MODE_SUPERVISE)
		return handoff_supervise(plan);
	return handoff_exec(plan);
}

/* --probe: one attempt, for a HEALTHCHECK or an exec probe in an image
 * with no curl or nc. Needs no config file and no privileges. */
static int probe_once(const struct options *opt)
{
	int64_t timeout = PROBE_DEFAULT_TIMEOUT_MS;
	char err[PARSE_ERR_MAX], why[PROBE_WHY_MAX];
	struct probe p;

	if (opt->command)
		return usage_error(opt, "--probe runs no command; remove", opt->command[0]);
	if (opt->timeout && (parse_duration(opt->timeout, &timeout, err) == -1 || timeout <= 0))
		return usage_error(opt, "--timeout takes a duration such as 2s or 500ms, not",
				   opt->timeout);
	if (probe_parse(opt->probe, &p, err, sizeof(err)) == -1) {
		log_msg(LOG_ERROR, "--probe %s: %s", opt->probe, err);
		return EXIT_USAGE;
	}
	if (probe_run(&p, timeout, why) == PROBE_OK)
		return 0;
	log_msg(LOG_ERROR, "probe %s: %s", opt->probe, why);
	return 1;
}

int main(int argc, char **argv)
{
	int64_t start_ms = now_ms(); /* the deadline counts from here */
	struct options opt;
	struct plan plan;
	char err[512], first_error[512];
	const char *skip = getenv("INITC_SKIP");
	int rc = parse_options(argc, argv, &opt);

	if (rc >= 0)
		return rc;
	log_setup(opt.level, opt.format);
	if (opt.probe)
		return probe_once(&opt);
	if (opt.timeout)
		return usage_error(&opt, "--timeout is for --probe; it cannot go with", "-c/--check/--status");
	rc = opt.check ? config_load_for_check(opt.config, &plan)
		       : config_load(opt.config, &plan, first_error, sizeof(first_error));
	if (rc == -1) {
		log_msg(LOG_ERROR, "invalid config: nothing was run");
		if (!opt.check && !opt.status) {
			termlog_setup(NULL); /* the config that would name another is invalid */
			termlog_write("initc: invalid config, nothing was run: %s", first_error);
		}
		return EXIT_CONFIG;
	}
	apply_options(&opt, &plan);
	if (skip && plan_skip_steps(&plan, skip, err, sizeof(err)) == -1) {
		log_msg(LOG_ERROR, "%s", err);
		rc = EXIT_USAGE;
	} else if (opt.check) {
		plan_print(&plan);
		plan_check_image(&plan);
		rc = 0;
	} else if (opt.status) {
		rc = print_status(&plan);
	} else {
		rc = run(&plan, start_ms);
	}
	plan_free(&plan);
	return rc;
}
