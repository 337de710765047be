package io.github.kerneltrace.probes;

import java.lang.reflect.Method;

import io.github.kerneltrace.probes.libbpf.LibC;

/**
 * Kernel thread ids. A Java thread's kernel id (what BPF sees) is not
 * {@code Thread.threadId()}: it comes from {@code gettid()}.
 */
public final class Threads {

    // A platform thread keeps its kernel thread for life, so one gettid() per thread suffices.
    private static final ThreadLocal<Integer> CURRENT_TID = ThreadLocal.withInitial(LibC.INSTANCE::gettid);
    /** {@code Thread.isVirtual()}, on Java 21 and later; null before. */
    private static final Method IS_VIRTUAL = isVirtualMethod();

    private Threads() {
    }

    /**
     * The kernel thread id of the calling thread.
     *
     * @throws IllegalStateException on a virtual thread, which has no kernel thread of its own:
     *     it runs on whichever carrier thread is free, so counting a tid would count the wrong work
     */
    public static int currentTid() {
        Thread current = Thread.currentThread();
        if (isVirtual(current)) {
            throw new IllegalStateException("KernelTrace cannot trace the virtual thread " + current
                    + ": it has no kernel thread of its own; run the test on a platform thread");
        }
        return CURRENT_TID.get();
    }

    /** Whether {@code thread} is a virtual thread (never, before Java 21). */
    public static boolean isVirtual(Thread thread) {
        if (IS_VIRTUAL == null) {
            return false;
        }
        try {
            return (Boolean) IS_VIRTUAL.invoke(thread);
        } catch (ReflectiveOperationException e) {
            return false;
        }
    }

    private static Method isVirtualMethod() {
        try {
            return Thread.class.getMethod("isVirtual");
        } catch (NoSuchMethodException beforeJava21) {
            return null;
        }
    }

    /** The kernel process id of this JVM. */
    public static int processId() {
        return (int) ProcessHandle.current().pid();
    }
}
