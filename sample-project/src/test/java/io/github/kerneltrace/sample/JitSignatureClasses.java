package io.github.kerneltrace.sample;

import java.util.List;

/**
 * Loads, ahead of the traced tests, the classes the JIT would otherwise load on a test's thread.
 *
 * <p>Before HotSpot compiles a method with C2, it loads the classes named in the method's signature,
 * on the thread whose call made the method hot. The JDK's file I/O path names classes that nothing
 * else loads (on JDK 17 {@code jdk.internal.misc.ScopedMemoryAccess$Scope$Handle}, returned by
 * {@code IOUtil.acquireScope}: a plain direct buffer has no scope). When such a compile request falls
 * inside a test, the test's thread reads the class from the JDK's {@code lib/modules}: a
 * {@code pread64} of a few hundred bytes that the code under test did not make, and a false alarm
 * against the baseline (docs/gate-quality.md has the evidence). Listing the methods and
 * constructors of the classes on the sample's I/O paths loads every class their signatures name.
 *
 * <p>A workaround for tests measured once: repetitions with the minimum for counts (issue 10) make
 * such one-off JVM work drop out without it.
 */
final class JitSignatureClasses {

    /** The JDK classes the sample's reads, writes, syncs, checksums and key formatting run through. */
    static final List<String> JDK_IO_PATH = List.of(
            "sun.nio.ch.FileChannelImpl", "sun.nio.ch.IOUtil", "sun.nio.ch.FileDispatcherImpl",
            "sun.nio.ch.NativeThreadSet", "sun.nio.ch.NativeThread", "sun.nio.ch.Util",
            "java.nio.Buffer", "java.nio.Buffer$1", "java.nio.ByteBuffer", "java.nio.MappedByteBuffer",
            "java.nio.DirectByteBuffer", "java.nio.DirectByteBufferR", "java.nio.HeapByteBuffer",
            "java.util.zip.CRC32", "java.util.Formatter", "java.util.Formatter$FormatSpecifier");

    static {
        for (String name : JDK_IO_PATH) {
            try {
                Class<?> type = Class.forName(name, false, null); // the boot loader; not initialized
                type.getDeclaredMethods();
                type.getDeclaredConstructors();
            } catch (ClassNotFoundException notOnThisJdk) {
                // another JDK's internals: nothing to load ahead
            }
        }
    }

    private JitSignatureClasses() {
    }

    /** Loads them, once per JVM: call it from every traced class's warm-up. */
    static void loadAhead() {
        // the static initializer did the work
    }
}
