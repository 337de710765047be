/*
 * A workload whose C library allocator calls are known exactly, for NativeAllocationTest.
 * Built by the test with gcc -O0 -fno-builtin, so that no call is optimised away or inlined.
 */
#include <stdlib.h>

/* Touches a block so that it is really used. */
static void use(void *block)
{
	if (block)
		*(volatile char *)block = 1;
}

/* `count` times malloc(size) then free. */
void churn(int count, size_t size)
{
	for (int i = 0; i < count; i++) {
		void *block = malloc(size);

		use(block);
		free(block);
	}
}

/*
 * Every function once or more, with known sizes; leaves two blocks (3000 and 5000 bytes)
 * allocated in kept[0] and kept[1]:
 *   malloc        4 calls: 100, 64, 3000, 5000
 *   calloc        2 calls: 4 x 25, 10 x 10
 *   realloc       3 calls: 64 -> 4096, NULL -> 77, 77 -> 0 (frees)
 *   posix_memalign 1 call: 1000 aligned to 64
 *   aligned_alloc 1 call: 256 aligned to 128
 *   free          6 calls: the 100, both callocs, the 4096, the 1000, the 256
 * successful allocations 10 (every call but realloc(p, 0)) of 13793 bytes; 8 of them released (5793 bytes).
 */
void every_function(void **kept)
{
	void *block = malloc(100);

	use(block);
	free(block);
	block = calloc(4, 25);
	use(block);
	free(block);
	block = calloc(10, 10);
	use(block);
	free(block);
	block = malloc(64);
	block = realloc(block, 4096);
	use(block);
	free(block);
	block = realloc(NULL, 77);
	use(block);
	realloc(block, 0);
	if (posix_memalign(&block, 64, 1000) == 0) {
		use(block);
		free(block);
	}
	block = aligned_alloc(128, 256);
	use(block);
	free(block);
	kept[0] = malloc(3000);
	kept[1] = malloc(5000);
	use(kept[0]);
	use(kept[1]);
}

void release(void *block)
{
	free(block);
}

/* Spins until *flag is non-zero: a wait that makes the JVM allocate nothing on the waiting thread. */
void wait_for(volatile long *flag)
{
	while (!*flag)
		;
}
