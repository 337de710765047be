package io.github.kerneltrace.junit;

import java.time.Instant;
import java.util.List;
import java.util.Set;

import jdk.jfr.consumer.RecordedEvent;

/**
 * A traced run's window as the Flight Recorder sees it: when the kernel counted, on which threads
 * (the slot's counted threads of this JVM, by the ids {@code gettid()} gives here, and with
 * {@code followStarted}, as the kernel follows them under scopes TEST and PROCESS, the threads they
 * started in the window, which may have ended before the slot's threads were listed), and the
 * pauses while the test read its metrics midway. Its Java events are what both the call sites of
 * a failure ({@link TestCallSites}) and the flame graphs ({@link FlameGraphs}) are made of, so
 * both explain exactly what the kernel counted.
 */
record RunWindow(Instant from, Instant to, Set<Long> threads, boolean followStarted,
                 List<KernelTraceSession.Pause> pauses) {

    RunWindow {
        threads = Set.copyOf(threads);
        pauses = List.copyOf(pauses);
    }

    /** Dumps {@link JfrRecorder}'s recording and keeps this window's events, outside its pauses. */
    List<RecordedEvent> events() {
        return JfrRecorder.shared().events(from, to, threads, followStarted).stream()
                .filter(event -> pauses.stream().noneMatch(pause -> pause.contains(event.getStartTime())))
                .toList();
    }
}
