/*
 * A signal handler left by longjmp from a nested one, as async-profiler's crash protection does:
 * its SIGPROF handler walks the stack under setjmp, and a fault on the way (SIGSEGV, a nested
 * handler) longjmps back into it; the outer handler then returns by rt_sigreturn, the nested one
 * never does. NestedHandlerLeftByLongjmpTest raises the outer signal, then makes the calls a test
 * counts deeper in its stack than the point the signal interrupted.
 */
#include <setjmp.h>
#include <signal.h>
#include <string.h>

static int nested_signal;
static jmp_buf back_in_outer_handler;
static volatile sig_atomic_t nested_handlers_left;

static void nested_handler(int sig)
{
	(void)sig;
	nested_handlers_left++;
	longjmp(back_in_outer_handler, 1);	/* never returns: no rt_sigreturn for this handler */
}

static void outer_handler(int sig)
{
	(void)sig;
	if (setjmp(back_in_outer_handler) == 0)
		raise(nested_signal);	/* a system call inside the handler; the nested signal is delivered as it returns */
	/* back here by longjmp; returning ends this handler with rt_sigreturn */
}

static int install(int sig, void (*handler)(int))
{
	struct sigaction action;

	memset(&action, 0, sizeof(action));
	action.sa_handler = handler;
	action.sa_flags = SA_NODEFER;	/* longjmp does not restore the mask: let the nested signal in again next time */
	return sigaction(sig, &action, NULL);
}

int kt_install(int outer, int nested)
{
	nested_signal = nested;
	return install(outer, outer_handler) || install(nested, nested_handler);
}

/* Raises the outer signal at this thread; returns once its handler returned. */
int kt_raise(int outer)
{
	return raise(outer);
}

/* How many nested handlers were left by longjmp so far. */
int kt_nested_handlers_left(void)
{
	return nested_handlers_left;
}
