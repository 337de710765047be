// A function to put a declared probe on, and a loop that calls it, as a shared library that
// DeclaredProbeOverhead loads into the JVM with JNA: the uprobes go into this file, in this process.
// One JNA call runs the whole loop. Built by run.sh with gcc -O0: no call is inlined.
#include <time.h>

__attribute__((noinline)) int probe_target(int x)
{
	return x + 1;
}

// `count` calls of probe_target. Returns nanoseconds per call.
double call_target(int count)
{
	struct timespec start, end;
	volatile int sum = 0;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (int i = 0; i < count; i++)
		sum = probe_target(sum);
	clock_gettime(CLOCK_MONOTONIC, &end);
	return ((end.tv_sec - start.tv_sec) * 1e9 + (end.tv_nsec - start.tv_nsec)) / count;
}
