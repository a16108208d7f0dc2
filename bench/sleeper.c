/*
 * sleeper: an application that does nothing until a signal ends it.
 * The memory and idle wake-up benchmarks supervise it, so that whatever
 * CPU time or context switches the supervisor shows are its own.
 */
#include <unistd.h>

int main(void)
{
	for (;;)
		pause();
}
