/*
 * The workload of the declared-probe tests: functions whose calls the tests know exactly.
 * noinline and -O0 keep each call a real call that a uprobe sees.
 */
#include <time.h>

__attribute__((noinline)) int probed_call(int x)
{
	return x + 1;
}

/* Calls itself until depth reaches 1: `depth` entries, one outermost call. */
__attribute__((noinline)) int probed_recursive(int depth)
{
	return depth <= 1 ? 1 : 1 + probed_recursive(depth - 1);
}

/* Sleeps `nanos` nanoseconds (at least: nanosleep never returns early unless interrupted; then it resumes). */
__attribute__((noinline)) void probed_sleep(long nanos)
{
	struct timespec left = { .tv_sec = nanos / 1000000000L, .tv_nsec = nanos % 1000000000L };

	while (nanosleep(&left, &left) != 0)
		;
}
