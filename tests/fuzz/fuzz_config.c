/* libFuzzer harness for the whole config path: INI text through inih, the
 * line checks, validation, ${VAR} expansion, word splitting and plan
 * building (config_load_text), then printing and freeing the plan. Any
 * crash, leak or undefined behaviour is a bug: initc runs this as PID 1. */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "config.h"
#include "log.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Runs once: no log lines, plan_print to /dev/null, and a few variables so
 * that expansion succeeds as well as fails. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);

	(void)argc;
	(void)argv;
	if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0)
		abort();
	close(fd);
	log_setup(LOG_SILENT, LOG_TEXT);
	setenv("HOST", "db.local", 1);
	setenv("EMPTY", "", 1);
	setenv("SPACED", "a b  c", 1);
	setenv("DOLLAR", "${HOST}", 1);
	unsetenv("UNSET");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct plan plan;
	char err[512];

	if (config_load_text((const char *)data, size, "fuzz.ini", &plan, err, sizeof(err)) == -1)
		return 0; /* config_load_text freed what it had built */
	plan_print(&plan);
	fflush(stdout);
	plan_skip_steps(&plan, "a,,b,migrate", err, sizeof(err));
	plan_free(&plan);
	return 0;
}
