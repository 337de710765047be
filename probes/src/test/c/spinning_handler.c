/*
 * A signal handler that does not return until told to: SignalHandlerAcrossDetachTest keeps a
 * thread inside it while KernelTrace's programs are detached, so that they see the signal's
 * delivery but not its handler's rt_sigreturn.
 */
#include <signal.h>
#include <string.h>

static volatile sig_atomic_t inside;
static volatile sig_atomic_t released;

static void spin_until_released(int sig)
{
	(void)sig;
	inside = 1;
	while (!released)
		;
	inside = 0;
}

int kt_install(int sig)
{
	struct sigaction action;

	memset(&action, 0, sizeof(action));
	action.sa_handler = spin_until_released;
	return sigaction(sig, &action, NULL);
}

/* Raises the signal at this thread: returns once the handler was released and returned. */
int kt_raise_and_spin(int sig)
{
	released = 0;
	return raise(sig);
}

int kt_inside(void)
{
	return inside;
}

void kt_release(void)
{
	released = 1;
}
