/* Phase words: one table, written through log.c's status_set. */
#include "phase.h"

#include "format.h"
#include "log.h"

static const char *const phase_names[] = {
	[PHASE_INIT] = "Init",
	[PHASE_POD_INITIALIZING] = "PodInitializing",
	[PHASE_RUNNING] = "Running",
	[PHASE_COMPLETED] = "Completed",
	[PHASE_INIT_ERROR] = "Init:Error",
	[PHASE_DEADLINE_EXCEEDED] = "Init:DeadlineExceeded",
	[PHASE_TERMINATING] = "Terminating",
	[PHASE_ERROR] = "Error",
};

_Static_assert(sizeof(phase_names) / sizeof(phase_names[0]) == PHASE_ERROR + 1,
	       "every phase has a name");

const char *phase_name(enum phase p)
{
	return phase_names[p];
}

void phase_set(enum phase p)
{
	status_set(phase_names[p]);
}

void phase_set_init(size_t done, size_t total)
{
	char word[48];

	str_format(word, sizeof(word), "%s:%zu/%zu", phase_names[PHASE_INIT], done, total);
	status_set(word);
}
