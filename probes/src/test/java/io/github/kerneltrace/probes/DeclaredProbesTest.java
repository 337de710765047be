package io.github.kerneltrace.probes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.sun.jna.Library;
import com.sun.jna.Native;

import io.github.kerneltrace.probes.metrics.DeclaredProbeMetrics;
import io.github.kerneltrace.probes.metrics.ProbeMetrics;

/**
 * Declared probes in the real kernel: uprobes on src/test/c/declared.c (a library built here with
 * gcc, called through JNA a known number of times), HotSpot's USDT probe thread__park__begin, and
 * the classic tracepoint signal:signal_generate.
 */
class DeclaredProbesTest {

    interface Workload extends Library {
        int probed_call(int x);

        int probed_recursive(int depth);

        void probed_sleep(long nanos);
    }

    interface Signals extends Library {
        Signals INSTANCE = Native.load("c", Signals.class);

        int kill(int pid, int signal);

        int getpid();
    }

    private static final int SIGURG = 23; // ignored by default, and by HotSpot: only the tracepoint sees it

    private static Workload workload;
    private static String library;

    @BeforeAll
    static void buildWorkload() throws IOException, InterruptedException {
        TracingAssumptions.requireTracing();
        Path path = TestLibraries.build("declared");
        workload = Native.load(path.toString(), Workload.class);
        library = path.toString();
    }

    private static DeclaredProbeMetrics trace(List<DeclaredProbe> probes, Runnable work) {
        work.run(); // warm: JNA's binding, the JIT
        try (TraceSlot slot = KernelTracer.shared().openSlot()) {
            slot.trackThread(Threads.currentTid(), true);
            slot.declareProbes(probes);
            slot.start();
            work.run();
            slot.stop();
            return slot.metrics().probes();
        }
    }

    @Test
    void countsEveryCallOfTheTestsThreadAndNoneOfAnotherThread() throws InterruptedException {
        DeclaredProbeMetrics probes = trace(List.of(DeclaredProbe.uprobe("calls", List.of(library), "probed_call")), () -> {
            for (int i = 0; i < 1000; i++) {
                workload.probed_call(i);
            }
        });
        ProbeMetrics calls = probes.probe("calls");
        assertThat(calls.hits()).isEqualTo(1000);
        assertThat(calls.latencyNanos().getTotalCount()).isEqualTo(1000);
        assertThat(calls.target()).isEqualTo("uprobe probed_call in " + library);

        // the same while a thread started before the test (so not followed) calls it 5000 times
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger otherCalls = new java.util.concurrent.atomic.AtomicInteger();
        Thread other = new Thread(() -> {
            try {
                go.await();
            } catch (InterruptedException e) {
                return;
            }
            for (int i = 0; i < 5000; i++) {
                workload.probed_call(i);
                otherCalls.incrementAndGet();
            }
        }, "untracked-caller");
        other.start();
        try (TraceSlot slot = KernelTracer.shared().openSlot()) {
            slot.trackThread(Threads.currentTid(), true);
            slot.declareProbes(List.of(DeclaredProbe.uprobe("calls", List.of(library), "probed_call")));
            slot.start();
            go.countDown();
            for (int i = 0; i < 1000; i++) {
                workload.probed_call(i);
            }
            other.join();
            slot.stop();
            assertThat(otherCalls.get()).isEqualTo(5000);
            assertThat(slot.metrics().probes().probe("calls").hits()).isEqualTo(1000);
        }
    }

    @Test
    void timesEachOutermostCallFromEntryToReturn() {
        long sleep = 2_000_000;
        ProbeMetrics sleeps = trace(List.of(DeclaredProbe.uprobe("sleeps", List.of(library), "probed_sleep")), () -> {
            for (int i = 0; i < 5; i++) {
                workload.probed_sleep(sleep);
            }
        }).probe("sleeps");
        assertThat(sleeps.hits()).isEqualTo(5);
        assertThat(sleeps.latencyNanos().getTotalCount()).isEqualTo(5);
        // nanosleep never returns early; HdrHistogram (3 digits) keeps a value within 0.1%
        assertThat(sleeps.latencyNanos().getMinValue()).isGreaterThanOrEqualTo(sleep - sleep / 1000);
        assertThat(sleeps.latencyNanos().getValueAtPercentile(50)).as("median; the machine is shared").isLessThan(2 * sleep);

        ProbeMetrics recursive = trace(List.of(DeclaredProbe.uprobe("recursive", List.of(library), "probed_recursive")),
                () -> workload.probed_recursive(7)).probe("recursive");
        assertThat(recursive.hits()).as("every entry is a hit").isEqualTo(7);
        assertThat(recursive.latencyNanos().getTotalCount()).as("only the outermost call is timed").isEqualTo(1);
    }

    @Test
    void anEarlierTestsLinksStillDetachingCountNothingInTheNextTestOfTheSameSlot() {
        int pid = Signals.INSTANCE.getpid();
        int first;
        // the tracepoint first: its link is detached last, after the uprobes' ~100 ms each
        List<DeclaredProbe> probes = List.of(DeclaredProbe.tracepoint("signals", "signal", "signal_generate", false),
                DeclaredProbe.uprobe("calls", List.of(library), "probed_call"));
        try (TraceSlot slot = KernelTracer.shared().openSlot()) {
            first = slot.index();
            slot.trackThread(Threads.currentTid(), true);
            slot.declareProbes(probes);
            slot.start();
            workload.probed_call(1);
            Signals.INSTANCE.kill(pid, SIGURG);
            slot.stop();
            assertThat(slot.metrics().probes().probe("calls").hits()).isEqualTo(1);
            assertThat(slot.metrics().probes().probe("signals").hits()).isEqualTo(1);
        }
        // The first slot's links detach on another thread: they are still attached now. The same
        // tracepoint takes another copy of the program (the kernel links one program to it once).
        try (TraceSlot slot = KernelTracer.shared().openSlot()) {
            assertThat(slot.index()).as("the pool hands out the slot just freed").isEqualTo(first);
            slot.trackThread(Threads.currentTid(), true);
            slot.declareProbes(probes);
            slot.start();
            for (int i = 0; i < 100; i++) {
                workload.probed_call(i);
            }
            for (int i = 0; i < 4; i++) {
                Signals.INSTANCE.kill(pid, SIGURG);
            }
            slot.stop();
            DeclaredProbeMetrics again = slot.metrics().probes();
            assertThat(again.probe("calls").hits()).isEqualTo(100);
            assertThat(again.probe("calls").latencyNanos().getTotalCount()).isEqualTo(100);
            assertThat(again.probe("signals").hits()).isEqualTo(4);
        }
    }

    @Test
    void hotSpotsUsdtProbeCountsTheTestThreadsParks() {
        List<String> jvm = MappedLibraries.matching("libjvm", MappedLibraries.mappedFiles());
        assertThat(jvm).hasSize(1);
        ProbeMetrics parks = trace(List.of(DeclaredProbe.usdt("parks", jvm, "hotspot", "thread__park__begin")), () -> {
            for (int i = 0; i < 25; i++) {
                LockSupport.parkNanos(1000);
            }
        }).probe("parks");
        assertThat(parks.hits()).isEqualTo(25);
        assertThat(parks.timed()).isFalse();
    }

    @Test
    void aTracepointCountsTheTestThreadsEvents() {
        int pid = Signals.INSTANCE.getpid();
        ProbeMetrics signals = trace(List.of(DeclaredProbe.tracepoint("signals", "signal", "signal_generate", false)), () -> {
            for (int i = 0; i < 12; i++) {
                Signals.INSTANCE.kill(pid, SIGURG);
            }
        }).probe("signals");
        assertThat(signals.hits()).isEqualTo(12);
    }

    @Test
    void aHostTracepointCountsEveryThreadsEventsAndATestThreadsOneOnlyTheTests() throws InterruptedException {
        int pid = Signals.INSTANCE.getpid();
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        Thread other = new Thread(() -> {
            try {
                go.await();
            } catch (InterruptedException e) {
                return;
            }
            for (int i = 0; i < 20; i++) {
                Signals.INSTANCE.kill(pid, SIGURG);
            }
            done.countDown();
        }, "untracked-signaller");
        other.start(); // before the window: not a child the test follows
        try (TraceSlot slot = KernelTracer.shared().openSlot()) {
            slot.trackThread(Threads.currentTid(), true);
            slot.declareProbes(List.of(DeclaredProbe.tracepoint("host", "signal", "signal_generate", true),
                    DeclaredProbe.tracepoint("mine", "signal", "signal_generate", false)));
            slot.start();
            go.countDown();
            for (int i = 0; i < 3; i++) {
                Signals.INSTANCE.kill(pid, SIGURG);
            }
            done.await();
            slot.stop();
            DeclaredProbeMetrics probes = slot.metrics().probes();
            assertThat(probes.probe("mine").hits()).isEqualTo(3);
            // every signal on the host while the window was open: ours, and whatever else was sent meanwhile
            assertThat(probes.probe("host").hits()).isGreaterThanOrEqualTo(23);
            assertThat(probes.probe("host").target()).contains("every thread of the host");
        }
        other.join();
    }

    @Test
    void badDeclarationsSayWhatIsWrong() {
        try (TraceSlot slot = KernelTracer.shared().openSlot()) {
            slot.trackThread(Threads.currentTid(), true);
            assertThatThrownBy(() -> slot.declareProbes(List.of(DeclaredProbe.uprobe("nope", List.of(library), "no_such_function"))))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no_such_function")
                    .hasMessageContaining(library);
            assertThatThrownBy(() -> slot.declareProbes(List.of(DeclaredProbe.usdt("nope",
                    MappedLibraries.matching("libjvm", MappedLibraries.mappedFiles()), "hotspot", "no__such__probe"))))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("hotspot:no__such__probe");
            assertThatThrownBy(() -> slot.declareProbes(List.of(DeclaredProbe.tracepoint("nope", "sched", "no_such_event", false))))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sched:no_such_event");
            if (!KernelFunctionProbes.kernelHasKprobes()) {
                assertThatThrownBy(() -> slot.declareProbes(List.of(DeclaredProbe.kprobe("retransmits", "tcp_retransmit_skb"))))
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("CONFIG_KPROBES")
                        .hasMessageContaining("@TracepointProbe");
            }
            // after all that, the slot still counts a good declaration
            slot.declareProbes(List.of(DeclaredProbe.uprobe("calls", List.of(library), "probed_call")));
            slot.start();
            workload.probed_call(1);
            slot.stop();
            assertThat(slot.metrics().probes().probe("calls").hits()).isEqualTo(1);
        }
    }

    @Test
    void kernelFunctionsUseKprobesWhereTheKernelHasThemAndOtherwiseSayWhatItLacks() {
        assertThat(KernelFunctionProbes.refusal("tcp_retransmit_skb", true)).isNull();
        assertThat(KernelFunctionProbes.refusal("tcp_retransmit_skb", false)).contains("CONFIG_KPROBES")
                .contains("tcp_retransmit_skb").contains("@TracepointProbe");
    }
}
