package io.github.kerneltrace.probes.libbpf;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/** The few C library functions KernelTrace needs. */
public interface LibC extends Library {

    LibC INSTANCE = Native.load("c", LibC.class);

    int PROT_READ = 1;
    int PROT_WRITE = 2;
    int MAP_SHARED = 1;
    Pointer MAP_FAILED = new Pointer(-1);

    /** The kernel's id of the calling thread: what BPF sees as the low half of pid_tgid. */
    int gettid();

    int getpid();

    int getppid();

    int getpagesize();

    /** {@code CLOCK_THREAD_CPUTIME_ID}: the calling thread's CPU time, brought up to date by the kernel at the call. */
    int CLOCK_THREAD_CPUTIME_ID = 3;

    /** Fills {@code struct timespec { long tv_sec; long tv_nsec; }}; 0 on success. */
    int clock_gettime(int clockId, Pointer timespec);

    Pointer mmap(Pointer address, long length, int protection, int flags, int fd, long offset);

    int munmap(Pointer address, long length);

    String strerror(int errno);

    /** {@code pthread_sigmask}'s {@code how}: add to the calling thread's blocked set, or replace it. */
    int SIG_BLOCK = 0;
    int SIG_SETMASK = 2;
    /** glibc's {@code sigset_t}: 1024 bits. */
    int SIGSET_BYTES = 128;

    int sigfillset(Pointer set);

    int sigdelset(Pointer set, int signal);

    /** Changes the calling thread's signal mask; 0 on success (an errno value otherwise, not -1). */
    int pthread_sigmask(int how, Pointer set, Pointer oldSet);

    /**
     * Which loaded file holds {@code address}: fills {@code Dl_info { const char *dli_fname; void *dli_fbase;
     * const char *dli_sname; void *dli_saddr; }}; 0 when no file does.
     */
    int dladdr(Pointer address, Pointer info);

    /** Formats libbpf's log lines; {@code va_list} is passed through as the pointer libbpf gave us. */
    int vsnprintf(byte[] buffer, long size, String format, Pointer vaList);
}
