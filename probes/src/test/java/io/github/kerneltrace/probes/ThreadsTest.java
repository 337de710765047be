package io.github.kerneltrace.probes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

/** Kernel thread ids: right for platform threads, refused for virtual ones (Java 21+). */
class ThreadsTest {

    @Test
    void currentTidIsTheKernelsIdOfThisThread() throws Exception {
        int tid = Threads.currentTid();

        assertThat(Files.readSymbolicLink(Path.of("/proc/thread-self")).toString())
                .isEqualTo(Threads.processId() + "/task/" + tid);
        assertThat(Threads.isVirtual(Thread.currentThread())).isFalse();
    }

    @Test
    void aVirtualThreadIsRefusedWithTheReason() throws Exception {
        if (Runtime.version().feature() < 21) {
            // no virtual threads before Java 21: nothing can be virtual (CI also runs this on Java 25)
            assertThat(Threads.isVirtual(new Thread(() -> { }))).isFalse();
            return;
        }
        AtomicReference<Throwable> refused = new AtomicReference<>();
        Thread virtual = (Thread) Thread.class.getMethod("startVirtualThread", Runnable.class)
                .invoke(null, (Runnable) () -> refused.set(catchThrowable(Threads::currentTid)));
        virtual.join();

        assertThat(Threads.isVirtual(virtual)).isTrue();
        assertThat(refused.get()).isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("KernelTrace cannot trace the virtual thread")
                .hasMessageEndingWith(": it has no kernel thread of its own; run the test on a platform thread");
    }
}
