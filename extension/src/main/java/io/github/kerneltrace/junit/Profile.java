package io.github.kerneltrace.junit;

import java.util.List;

/**
 * A flame graph a traced test can ask for ({@link KernelTrace#profile()}, or the configuration
 * parameter {@code kerneltrace.profile} for a whole run): each is drawn from the JDK Flight Recorder
 * events of the test's threads while its method ran, and written as a self-contained HTML file
 * beside the test's JSON report (docs/user-guide.md, "Flame graphs").
 */
public enum Profile {

    /** Where the test's threads ran Java code: execution samples every millisecond. */
    CPU("cpu", "on-CPU", List.of("jdk.ExecutionSample")),

    /**
     * Where they waited: parking (locks, queues, futures), monitor entry, sleeping, file and
     * socket I/O, each weighted by how long it took, in microseconds. An I/O call's time is its
     * whole time, on CPU in the kernel too, so this can exceed the kernel's off-CPU time.
     */
    OFF_CPU("off-cpu", "off-CPU (blocked, sleeping or in I/O calls)", List.of("jdk.ThreadPark", "jdk.JavaMonitorEnter", "jdk.ThreadSleep",
            "jdk.FileRead", "jdk.FileWrite", "jdk.FileForce", "jdk.SocketRead", "jdk.SocketWrite")),

    /**
     * Where they allocated on the Java heap, weighted by bytes: JFR sees an allocation only where a
     * thread takes a new TLAB (weighing the TLAB's size) or allocates outside one (the object's size).
     */
    ALLOCATION("allocation", "heap allocation", List.of("jdk.ObjectAllocationInNewTLAB", "jdk.ObjectAllocationOutsideTLAB")),

    /** Where they wrote files and sockets: each Java write counted once. */
    WRITES("writes", "writes", List.of("jdk.FileWrite", "jdk.SocketWrite")),

    /** Where they read files and sockets: each Java read counted once. */
    READS("reads", "reads", List.of("jdk.FileRead", "jdk.SocketRead")),

    /** Where they forced files to disk (fsync, fdatasync): each force counted once. */
    FORCES("forces", "forces", List.of("jdk.FileForce"));

    private final String parameterName;
    private final String title;
    private final List<String> eventNames;

    Profile(String parameterName, String title, List<String> eventNames) {
        this.parameterName = parameterName;
        this.title = title;
        this.eventNames = eventNames;
    }

    /** As written in {@code kerneltrace.profile}, in file names and in the JSON report, e.g. {@code off-cpu}. */
    String parameterName() {
        return parameterName;
    }

    /** As the flame graph's title names it, e.g. {@code off-CPU (blocked)}. */
    String title() {
        return title;
    }

    /** The JFR events the flame graph is drawn from. */
    List<String> eventNames() {
        return eventNames;
    }
}
