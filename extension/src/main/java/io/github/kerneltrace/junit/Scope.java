package io.github.kerneltrace.junit;

/** Which threads a traced test's kernel metrics count. */
public enum Scope {

    /**
     * The test's thread plus every thread and process it creates while traced (the default):
     * work handed to a new thread or a child process still counts.
     */
    TEST,

    /** The test's thread only; threads and processes it starts are not counted. */
    THREAD,

    /**
     * Every thread of this JVM and the children they create. Such a test runs exclusively:
     * no other traced test of this JVM is measured at the same time.
     */
    PROCESS
}
