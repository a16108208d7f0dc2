/* Linked into the coverage build of initc only (make coverage), with
 * -Wl,--wrap=_exit: a forked child of initc that ends with _exit (a failed
 * setup or exec, a wait_tcp probe) would otherwise drop its counters, as
 * _exit skips the exit handlers where gcov writes them. execve needs
 * nothing: gcc already writes the counters before it. */
void __gcov_dump(void);
void __real__exit(int status) __attribute__((noreturn));
void __wrap__exit(int status) __attribute__((noreturn));

void __wrap__exit(int status)
{
	__gcov_dump();
	__real__exit(status);
}
