// A readv() on an empty pipe, interrupted by a signal whose handler has SA_RESTART: the kernel
// returns -ERESTARTSYS at sys_exit and runs readv again. Then the data arrives.
// Expected as KernelTrace counts it: readv 2 calls, 0 errors, 1 restart, 5 bytes read.
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

static int fds[2];
static pthread_t reader;

static void on_signal(int sig) { (void)sig; }

static void *interrupt_then_write(void *unused)
{
	(void)unused;
	usleep(100 * 1000);			/* the reader is blocked in readv by now */
	pthread_kill(reader, SIGUSR1);		/* readv returns -ERESTARTSYS, the handler runs, readv restarts */
	usleep(100 * 1000);
	write(fds[1], "hello", 5);
	return NULL;
}

int main(void)
{
	struct sigaction action;
	pthread_t helper;
	char buffer[16];
	struct iovec iov = { buffer, sizeof(buffer) };

	memset(&action, 0, sizeof(action));
	action.sa_handler = on_signal;
	action.sa_flags = SA_RESTART;
	sigaction(SIGUSR1, &action, NULL);
	if (pipe(fds))
		return 1;
	reader = pthread_self();
	pthread_create(&helper, NULL, interrupt_then_write, NULL);
	if (readv(fds[0], &iov, 1) != 5)
		return 2;
	pthread_join(helper, NULL);
	return 0;
}
