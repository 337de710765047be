// malloc + free in a tight loop, as a shared library that NativeAllocationOverhead loads into the
// JVM with JNA: the allocator uprobes go into the JVM's own C library, so the loop must run there.
// One JNA call runs the whole loop, so JNA's call overhead is spread over `count` pairs.
// Built by run.sh with gcc -O0 -fno-builtin: no call is inlined or optimised away.
#include <stdlib.h>
#include <time.h>

// `count` times: p = malloc(size); touch it; free(p). Returns nanoseconds per malloc+free pair.
double churn(int count, size_t size)
{
	struct timespec start, end;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (int i = 0; i < count; i++) {
		void *block = malloc(size);

		*(volatile char *)block = 1;
		free(block);
	}
	clock_gettime(CLOCK_MONOTONIC, &end);
	return ((end.tv_sec - start.tv_sec) * 1e9 + (end.tv_nsec - start.tv_nsec)) / count;
}
