package io.github.kerneltrace.junit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * The JVM's Flight Recorder, recording the Java stacks behind what the kernel counts: one
 * JVM-wide recording, started by the first {@link #open lease} and left running until the JVM
 * exits, so that later tests pay no start-up.
 *
 * <p>Its events, each with a stack trace: {@code jdk.FileWrite}, {@code jdk.FileRead},
 * {@code jdk.FileForce}, {@code jdk.SocketRead}, {@code jdk.SocketWrite} (threshold 0: every
 * call), {@code jdk.ObjectAllocationInNewTLAB} and {@code jdk.ObjectAllocationOutsideTLAB},
 * {@code jdk.JavaMonitorEnter} (contended entries only), {@code jdk.ThreadPark} and
 * {@code jdk.ThreadSleep} (threshold 0); {@code jdk.ExecutionSample} every 10 ms only while a lease
 * asks for it ({@link #cpuSamples()}). Its memory and disk are bounded ({@link #MAX_AGE}, {@link #MAX_SIZE}).
 *
 * <p>Use: a test holds a {@link Lease} across its window ({@code try (Lease lease =
 * JfrRecorder.shared().open(Map.of()))}); a caller that needs more (say, execution samples every
 * millisecond for a flame graph) passes JFR settings ({@code "jdk.ExecutionSample#period" -> "1 ms"}),
 * recorded by a second recording while the lease is open: JFR records an event at the most
 * detailed setting of all running recordings, and every recording's data holds it.
 * {@link #events}, called while the lease is open, dumps the recording (which forces the threads'
 * buffers out: no wait for JFR's once-a-second flush) and reads back the events of a window on
 * some threads. The recording stops when the last lease closes: JFR's events, buffers and stack
 * walks happen on the recorded threads, and a test counted while it ran would count them too
 * (with it left running, a later test's run counted 54 KiB of JFR's native allocations). So only
 * a failing test's re-run, and a test that asks for flame graphs, is ever recorded.
 *
 * <p>Thread ids are the OS's, as {@link RecordedThread#getOSThreadId()} gives them: in the JVM's
 * own PID namespace, the ids {@code gettid()} returns here (not the kernel's initial namespace).
 *
 * <p>Locking: {@code this} guards {@link #recording} and {@link #leases}; leases' own recordings are theirs.
 */
final class JfrRecorder {

    /** Long enough for a slow test's window and its dump; short enough to bound the repository. */
    static final Duration MAX_AGE = Duration.ofMinutes(2);
    static final long MAX_SIZE = 64L * 1024 * 1024;

    private static final JfrRecorder SHARED = new JfrRecorder();

    private static final System.Logger LOGGER = System.getLogger(JfrRecorder.class.getName());

    /** Running while a lease is open, else null. */
    private Recording recording;
    /** Leases open. */
    private int leases;
    /** Why this JVM cannot record, once a start failed: then no test tries again. */
    private String unavailable;

    private JfrRecorder() {
    }

    static JfrRecorder shared() {
        return SHARED;
    }

    /** The settings of the shared recording, JFR's {@code "event#setting" -> value}. */
    static Map<String, String> settings() {
        Map<String, String> settings = new HashMap<>();
        for (String event : List.of("jdk.FileWrite", "jdk.FileRead", "jdk.FileForce", "jdk.SocketRead", "jdk.SocketWrite",
                "jdk.JavaMonitorEnter", "jdk.ThreadPark", "jdk.ThreadSleep")) {
            settings.put(event + "#enabled", "true");
            settings.put(event + "#threshold", "0 ms");
            settings.put(event + "#stackTrace", "true");
        }
        settings.put("jdk.ThreadStart#enabled", "true"); // which threads a test's threads started (events())
        for (String event : List.of("jdk.ObjectAllocationInNewTLAB", "jdk.ObjectAllocationOutsideTLAB")) {
            settings.put(event + "#enabled", "true");
            settings.put(event + "#stackTrace", "true");
        }
        return settings;
    }

    /**
     * CPU samples every 10 ms, for a test whose limits are on CPU time: not in the shared settings,
     * because sampling every thread of the JVM costs every test ({@code docs/user-guide.md}, cost).
     */
    static Map<String, String> cpuSamples() {
        return Map.of("jdk.ExecutionSample#enabled", "true", "jdk.ExecutionSample#period", "10 ms");
    }

    /**
     * Starts the shared recording if it is not running, and, with {@code extraSettings}, a
     * recording of those settings until the lease closes.
     */
    Lease open(Map<String, String> extraSettings) {
        synchronized (this) {
            if (recording == null) {
                Recording started = new Recording(settings());
                started.setName("KernelTrace call sites");
                started.setToDisk(true);
                started.setMaxAge(MAX_AGE);
                started.setMaxSize(MAX_SIZE);
                started.start();
                recording = started;
            }
            leases++;
        }
        Recording extra = null;
        try {
            if (!extraSettings.isEmpty()) {
                extra = new Recording(extraSettings);
                extra.setName("KernelTrace call sites (extra settings)");
                extra.setToDisk(false); // its events go to the shared recording too
                extra.setMaxAge(MAX_AGE);
                extra.start();
            }
        } catch (RuntimeException e) {
            release();
            throw e;
        }
        return new Lease(extra);
    }

    /** A lease closed: the last one stops the recording. */
    private synchronized void release() {
        if (--leases == 0) {
            recording.close();
            recording = null;
        }
    }

    /**
     * {@link #open}, or empty where this JVM cannot record (Flight Recorder disabled by
     * {@code -XX:-FlightRecorder}, or absent): said once on the log, then tests run without call sites.
     */
    Optional<Lease> tryOpen(Map<String, String> extraSettings) {
        synchronized (this) {
            if (unavailable != null) {
                return Optional.empty();
            }
        }
        try {
            return Optional.of(open(extraSettings));
        } catch (RuntimeException | LinkageError cannotRecord) {
            synchronized (this) {
                unavailable = String.valueOf(cannotRecord);
            }
            LOGGER.log(System.Logger.Level.WARNING, "KernelTrace shows no Java call sites in this JVM: its Flight"
                    + " Recorder cannot record (" + cannotRecord + "); set kerneltrace.callSites=off to silence this");
            return Optional.empty();
        }
    }

    /**
     * The recorded events that started in {@code [from, to]} on a thread whose OS id is in
     * {@code osThreadIds} or, with {@code followStarted}, on a thread one of those started in the
     * window (and so on): a thread the test started and joined has ended before its slot's threads
     * are listed, yet the kernel counted it. In the order recorded. Dumps the recording to a
     * temporary file, reads it and deletes it.
     *
     * @throws IllegalStateException when no lease was ever opened
     */
    List<RecordedEvent> events(Instant from, Instant to, Set<Long> osThreadIds, boolean followStarted) {
        Path dump;
        try {
            dump = Files.createTempFile("kerneltrace-call-sites", ".jfr");
            try {
                synchronized (this) {
                    if (recording == null) {
                        throw new IllegalStateException("the call-site recording is not running: read its events while a lease is open");
                    }
                    recording.dump(dump);
                }
                List<RecordedEvent> inWindow = new ArrayList<>();
                try (RecordingFile file = new RecordingFile(dump)) {
                    while (file.hasMoreEvents()) {
                        RecordedEvent event = file.readEvent();
                        Instant start = event.getStartTime();
                        if (!start.isBefore(from) && !start.isAfter(to)) {
                            inWindow.add(event);
                        }
                    }
                }
                Set<Long> threads = followStarted ? withStarted(osThreadIds, inWindow) : osThreadIds;
                return inWindow.stream().filter(event -> threads.contains(osThreadId(event))).toList();
            } finally {
                Files.deleteIfExists(dump);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the call-site recording back: " + e.getMessage(), e);
        }
    }

    /** {@code threads} and the threads they started among {@code events}, by {@code jdk.ThreadStart}'s parent links. */
    private static Set<Long> withStarted(Set<Long> threads, List<RecordedEvent> events) {
        Set<Long> all = new HashSet<>(threads);
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
                if (parent != null && started != null && all.contains(parent.getOSThreadId())) {
                    added |= all.add(started.getOSThreadId());
                }
            }
        }
        return all;
    }

    /**
     * The OS id of the thread an event is about: the sampled thread of an execution sample (which
     * has no committing thread of its own), else the thread that committed it; -1 for neither.
     */
    static long osThreadId(RecordedEvent event) {
        RecordedThread thread = event.hasField("sampledThread") ? event.getThread("sampledThread") : event.getThread();
        return thread == null ? -1 : thread.getOSThreadId();
    }

    /** A caller's hold on the recording; closing it ends its extra settings, and the last one the recording. */
    final class Lease implements AutoCloseable {

        private final Recording extra;
        private boolean closed;

        private Lease(Recording extra) {
            this.extra = extra;
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            try {
                if (extra != null) {
                    extra.close();
                }
            } finally {
                release();
            }
        }
    }
}
