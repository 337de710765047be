package io.github.kerneltrace.junit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import jdk.jfr.Recording;
import jdk.jfr.RecordingState;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

import io.github.kerneltrace.probes.Threads;

/**
 * A test's own short JFR recording, for its {@link TestEvents}: the events its profiles need, each
 * with its stack, at every duration (threshold 0), and Java execution sampled every
 * {@value FlameGraphs#SAMPLING_PERIOD}. Recordings of tests that run at once see each other's
 * events (JFR records what any recording enables), so the events are kept by thread: the
 * test's thread, under {@link Scope#TEST} also the threads started from it (JFR's
 * {@code jdk.ThreadStart} names each thread's parent), under {@link Scope#PROCESS} every thread.
 */
final class TestRecording implements TestEvents {

    private static final System.Logger LOGGER = System.getLogger(TestRecording.class.getName());

    private final Recording recording = new Recording();
    private final Scope scope;
    // Set on the test's thread by start() and stop(), read on the report writer's after close():
    // the report writer's queue hands them over (a happens-before edge).
    private long testThread;
    private Instant from;
    private Instant to;
    private Path file;
    /** Each pause's start and end, in order; guarded by this (any thread reading the metrics pauses). */
    private final List<Instant[]> pauses = new ArrayList<>();

    TestRecording(Set<Profile> profiles, Scope scope) {
        this.scope = scope;
        recording.setName("KernelTrace flame graphs");
        for (Profile profile : profiles) {
            for (String event : profile.eventNames()) {
                if (event.equals("jdk.ExecutionSample")) {
                    recording.enable(event).withPeriod(Duration.ofMillis(1)).withStackTrace();
                } else {
                    recording.enable(event).withThreshold(Duration.ZERO).withStackTrace();
                }
            }
        }
        recording.enable("jdk.ThreadStart");
    }

    @Override
    public void start() {
        testThread = Threads.currentTid();
        recording.start();
        from = Instant.now();
    }

    @Override
    public void stop() {
        to = Instant.now();
    }

    @Override
    public synchronized void pause() {
        pauses.add(new Instant[] {Instant.now(), Instant.MAX});
    }

    @Override
    public synchronized void resume() {
        pauses.get(pauses.size() - 1)[1] = Instant.now();
    }

    private synchronized boolean inPause(Instant time) {
        for (Instant[] pause : pauses) {
            if (!time.isBefore(pause[0]) && !time.isAfter(pause[1])) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        try {
            if (recording.getState() == RecordingState.RUNNING) {
                recording.stop();
                // Written out at once: the recording's buffers are the JVM's, and not kept past the test.
                file = Files.createTempFile("kerneltrace-", ".jfr");
                recording.dump(file);
            }
        } catch (IOException e) {
            // The test's flame graphs are lost (events() has none), never its verdict.
            LOGGER.log(System.Logger.Level.WARNING, "KernelTrace could not write the test's flight recording", e);
            file = null;
        } finally {
            recording.close();
        }
    }

    @Override
    public List<RecordedEvent> events() {
        if (file == null || to == null) {
            return List.of(); // the test did not get as far as its method
        }
        try {
            // Started in the method's window: not KernelTrace's own reading of the counts after it,
            // nor JFR's own threads, which the test's thread started when it started the recording.
            List<RecordedEvent> inWindow = RecordingFile.readAllEvents(file).stream()
                    .filter(event -> !event.getStartTime().isBefore(from) && !event.getStartTime().isAfter(to)
                            && !inPause(event.getStartTime()))
                    .toList();
            Set<Long> threads = testThreads(inWindow);
            return inWindow.stream()
                    .filter(event -> scope == Scope.PROCESS || threads.contains(osThreadId(event)))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("KernelTrace could not read the test's flight recording " + file, e);
        } finally {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a temporary file left behind harms nothing
            }
        }
    }

    /** The test's thread, and under scope TEST the threads started from it and from those, in order. */
    private Set<Long> testThreads(List<RecordedEvent> events) {
        Set<Long> threads = new HashSet<>(Set.of(testThread));
        if (scope != Scope.TEST) {
            return threads;
        }
        List<RecordedEvent> starts = events.stream()
                .filter(event -> event.getEventType().getName().equals("jdk.ThreadStart"))
                .toList();
        // Until nothing is added: a file's events are not in time order across threads.
        boolean added = true;
        while (added) {
            added = false;
            for (RecordedEvent start : starts) {
                RecordedThread parent = start.getThread("parentThread");
                RecordedThread started = start.getThread("thread");
                if (parent != null && started != null && threads.contains(parent.getOSThreadId())) {
                    added |= threads.add(started.getOSThreadId());
                }
            }
        }
        return threads;
    }

    /** The thread an event is about: the sampled thread of an execution sample, else the thread that committed it. */
    static long osThreadId(RecordedEvent event) {
        RecordedThread thread = event.hasField("sampledThread") ? event.getThread("sampledThread") : event.getThread();
        return thread == null ? -1 : thread.getOSThreadId();
    }
}
