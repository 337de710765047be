// Two threads passing a byte back and forth through two pipes: every round trip is two
// blocking reads, two wake-ups and (on 2 CPUs or fewer) two context switches. Prints
// nanoseconds per round trip.
// Usage: pingpong <round trips> [--wait]   (--wait: read one line from stdin first, so that a
// tracer can register this process before the second thread exists)
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int ping[2], pong[2];
static long trips;

static void *responder(void *unused)
{
	char byte;

	(void)unused;
	for (long i = 0; i < trips; i++) {
		if (read(ping[0], &byte, 1) != 1 || write(pong[1], &byte, 1) != 1)
			exit(2);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	struct timespec start, end;
	pthread_t thread;
	char line[16], byte = 'x';

	trips = argc > 1 ? atol(argv[1]) : 100000;
	if (argc > 2 && strcmp(argv[2], "--wait") == 0) {
		printf("ready %d\n", getpid());
		fflush(stdout);
		if (!fgets(line, sizeof(line), stdin))
			return 1;
	}
	if (pipe(ping) || pipe(pong))
		return 1;
	pthread_create(&thread, NULL, responder, NULL);
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (long i = 0; i < trips; i++) {
		if (write(ping[1], &byte, 1) != 1 || read(pong[0], &byte, 1) != 1)
			return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &end);
	pthread_join(thread, NULL);
	printf("%.1f\n", ((end.tv_sec - start.tv_sec) * 1e9 + (end.tv_nsec - start.tv_nsec)) / trips);
	return 0;
}
