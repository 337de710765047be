package io.github.kerneltrace.probes;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import com.sun.management.HotSpotDiagnosticMXBean;

/**
 * Where this JVM's HotSpot USDT probes are, and which of them fire: the {@code libjvm.so} this
 * process mapped, whether it carries USDT notes ({@code .note.stapsdt}; a JVM built without
 * DTrace support, or not HotSpot, has none), and whether contended monitor probes are on (they
 * fire only with {@code -XX:+DTraceMonitorProbes}, a start-up flag).
 *
 * <p>Test seam: the system property {@code kerneltrace.jvmLibrary} names another file to look at
 * (e.g. a library without notes), read when the probes are first attached.
 */
public final class JvmProbes {

    private JvmProbes() {
    }

    /**
     * Why the JVM events cannot be counted in this JVM, or null when they can.
     *
     * @param library this JVM's libjvm.so, or null when none is mapped
     */
    static String whyNoProbes(String library) {
        if (library == null) {
            return "this JVM (" + System.getProperty("java.vm.name") + ") maps no libjvm.so: JVM events come from HotSpot's"
                    + " USDT probes; run the tests on a HotSpot JVM (OpenJDK, Temurin) built with them";
        }
        try {
            if (!hasUsdtNotes(Path.of(library))) {
                return library + " has no USDT probes (no .note.stapsdt section): this JDK was built without DTrace"
                        + " probes; use a JDK that has them (Debian's OpenJDK and Temurin do: readelf -n libjvm.so | grep stapsdt)";
            }
        } catch (IOException e) {
            return "cannot read " + library + " to find its USDT probes: " + e.getMessage();
        }
        return null;
    }

    /** The libjvm.so this process mapped (or the test seam's file), or null. */
    static String library() {
        String override = System.getProperty("kerneltrace.jvmLibrary");
        if (override != null && !override.isBlank()) {
            return override;
        }
        try {
            List<String> maps = Files.readAllLines(Path.of("/proc/self/maps"));
            for (String line : maps) {
                int path = line.indexOf('/');
                if (path >= 0 && line.endsWith("/libjvm.so")) {
                    return line.substring(path);
                }
            }
        } catch (IOException e) {
            return null;
        }
        return null;
    }

    /**
     * Why contended monitor enters are not counted in this JVM, or null when they are: HotSpot
     * fires {@code monitor__contended__*} only when started with {@code -XX:+DTraceMonitorProbes}.
     */
    static String whyNoMonitorProbes() {
        try {
            HotSpotDiagnosticMXBean hotSpot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            if (hotSpot != null && "true".equals(hotSpot.getVMOption("DTraceMonitorProbes").getValue())) {
                return null;
            }
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            // no such option: not HotSpot, or a HotSpot without it
        }
        return "not counted: start the JVM with -XX:+DTraceMonitorProbes";
    }

    /** Whether the ELF file has a section named .note.stapsdt (64-bit little-endian ELF only). */
    static boolean hasUsdtNotes(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer header = read(channel, 0, 64);
            if (header.getInt(0) != 0x464C457F || header.get(4) != 2 || header.get(5) != 1) {
                return false; // not ELF64 little-endian
            }
            long sectionHeaders = header.getLong(0x28);
            int entrySize = Short.toUnsignedInt(header.getShort(0x3A));
            int sections = Short.toUnsignedInt(header.getShort(0x3C));
            int namesIndex = Short.toUnsignedInt(header.getShort(0x3E));
            if (sections == 0 || namesIndex >= sections || entrySize < 0x28) {
                return false;
            }
            ByteBuffer table = read(channel, sectionHeaders, (long) sections * entrySize);
            long namesOffset = table.getLong(namesIndex * entrySize + 0x18);
            long namesSize = table.getLong(namesIndex * entrySize + 0x20);
            byte[] names = new byte[(int) Math.min(namesSize, 1 << 20)];
            read(channel, namesOffset, names.length).get(names);
            for (int i = 0; i < sections; i++) {
                int name = table.getInt(i * entrySize);
                if (name >= 0 && name < names.length && ".note.stapsdt".equals(cString(names, name))) {
                    return true;
                }
            }
            return false;
        }
    }

    private static String cString(byte[] bytes, int from) {
        int end = from;
        while (end < bytes.length && bytes[end] != 0) {
            end++;
        }
        return new String(bytes, from, end - from, StandardCharsets.US_ASCII);
    }

    private static ByteBuffer read(FileChannel channel, long position, long length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate((int) length).order(ByteOrder.LITTLE_ENDIAN);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
                throw new IOException("truncated ELF file");
            }
        }
        return buffer.flip();
    }
}
