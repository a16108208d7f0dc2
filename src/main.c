/* initc: run the init steps of a container, then hand over to the app.
 *
 * main reads as the phases: options -> config -> steps -> hand-off. It owns
 * the exit status; every other module reports and returns. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "format.h"
#include "handoff.h"
#include "log.h"
#include "loop.h"
#include "phase.h"
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
	OPT_LOG_FORMAT, OPT_HELP, OPT_VERSION
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

/* --status: for HEALTHCHECK and exec probes. The word goes to stdout;
 * complaints are log lines (JSON with log_format = json). */
static int print_status(const struct plan *plan)
{
	char word[64] = "";
	FILE *fp;

	if (!plan->status_file) {
		log_msg(LOG_ERROR, "--status needs status_file in [initc]");
		return 1;
	}
	fp = fopen(plan->status_file, "re");
	if (!fp || !fgets(word, sizeof(word), fp)) {
		log_msg(LOG_ERROR, "cannot read %s: %s", plan->status_file,
			fp ? "it is empty" : errno == ENOENT ? "initc has not started yet?" : error_text(errno));
		if (fp)
			fclose(fp);
		return 1;
	}
	fclose(fp);
	word[strcspn(word, "\n")] = '\0';
	out_format("%s\n", word);
	return strcmp(word, "Running") == 0 ? 0 : 1;
}

static int run(struct plan *plan, int64_t start_ms)
{
	int rc;

	if (loop_init() == -1)
		return EXIT_NOEXEC;
	status_setup(plan->status_file);
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

int main(int argc, char **argv)
{
	int64_t start_ms = now_ms(); /* the deadline counts from here */
	struct options opt;
	struct plan plan;
	char err[512];
	const char *skip = getenv("INITC_SKIP");
	int rc = parse_options(argc, argv, &opt);

	if (rc >= 0)
		return rc;
	log_setup(opt.level, opt.format);
	if (config_load(opt.config, &plan, NULL, 0) == -1) {
		log_msg(LOG_ERROR, "invalid config: nothing was run");
		return EXIT_CONFIG;
	}
	apply_options(&opt, &plan);
	if (skip && plan_skip_steps(&plan, skip, err, sizeof(err)) == -1) {
		log_msg(LOG_ERROR, "%s", err);
		rc = EXIT_USAGE;
	} else if (opt.check) {
		plan_print(&plan);
		rc = 0;
	} else if (opt.status) {
		rc = print_status(&plan);
	} else {
		rc = run(&plan, start_ms);
	}
	plan_free(&plan);
	return rc;
}
