package io.github.kerneltrace.junit;

import java.util.List;

import jdk.jfr.consumer.RecordedEvent;

/**
 * The JDK Flight Recorder events of one traced test's threads while its method ran: what its flame
 * graphs are drawn from. {@link #start()} and {@link #stop()} are called on the test's thread right
 * before the method (before the kernel starts counting) and right after it (once the kernel
 * stopped), and must be cheap there; {@link #close()} ends the recording later, and
 * {@link #events()} is read last, on the report writer's thread, so that the test waits for neither.
 */
interface TestEvents extends AutoCloseable {

    void start();

    void stop();

    /**
     * While the kernel's counting pauses inside the method ({@link KernelTraceSession#metrics()}
     * reading, and loading the assertion classes): events then are left out, as the kernel leaves
     * out that work. Called by whichever thread reads the metrics.
     */
    void pause();

    void resume();

    @Override
    void close();

    /**
     * The events of the test's threads that started between {@link #start()} and {@link #stop()},
     * outside the pauses; read once, after {@link #close()}.
     */
    List<RecordedEvent> events();
}
