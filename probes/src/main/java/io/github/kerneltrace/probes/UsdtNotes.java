package io.github.kerneltrace.probes;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The USDT probes an ELF file declares (its {@code .note.stapsdt} section: provider and name of
 * each): whether it has any (JVM events need HotSpot's), and, when a declared probe is not found,
 * which ones of its provider exist and which look alike. libbpf reads the same notes to attach;
 * this reads nothing else (64-bit little-endian ELF, as on x86_64 and aarch64).
 */
final class UsdtNotes {

    private static final int NT_STAPSDT = 3;

    private UsdtNotes() {
    }

    /**
     * Whether the file has a {@code .note.stapsdt} section.
     *
     * @throws IOException when it cannot be read, or is cut short
     */
    static boolean present(Path elf) throws IOException {
        try (FileChannel file = FileChannel.open(elf)) {
            return notes(file) != null;
        }
    }

    /** The names of {@code provider}'s probes in {@code elf}, sorted; empty when it has none or cannot be read. */
    static Set<String> probesOf(Path elf, String provider) {
        Set<String> names = new TreeSet<>();
        try (FileChannel file = FileChannel.open(elf)) {
            ByteBuffer notes = notes(file);
            if (notes != null) {
                collect(notes, provider, names);
            }
        } catch (IOException | RuntimeException e) {
            // only a hint for a message: an unreadable file lists nothing
        }
        return names;
    }

    /** The contents of the {@code .note.stapsdt} section, or null when the file is not ELF64 LE or has none. */
    private static ByteBuffer notes(FileChannel file) throws IOException {
        ByteBuffer header = read(file, 0, 64);
        if (header.getInt(0) != 0x464c457f || header.get(4) != 2 || header.get(5) != 1) {
            return null; // not a 64-bit little-endian ELF file
        }
        long sections = header.getLong(0x28);
        int entrySize = Short.toUnsignedInt(header.getShort(0x3a));
        int count = Short.toUnsignedInt(header.getShort(0x3c));
        int namesIndex = Short.toUnsignedInt(header.getShort(0x3e));
        if (count == 0 || namesIndex >= count || entrySize < 0x28) {
            return null;
        }
        ByteBuffer table = read(file, sections, entrySize * count);
        ByteBuffer sectionNames = section(file, table, entrySize, namesIndex);
        for (int i = 0; i < count; i++) {
            int nameOffset = table.getInt(i * entrySize);
            if (table.getInt(i * entrySize + 4) == 7 /* SHT_NOTE */ && ".note.stapsdt".equals(text(sectionNames, nameOffset))) {
                return section(file, table, entrySize, i);
            }
        }
        return null;
    }

    /** Up to {@code most} of {@code names} most like {@code wanted}: longest common prefix first, then shared words. */
    static List<String> alike(Set<String> names, String wanted, int most) {
        return names.stream().sorted(Comparator.comparingInt((String name) -> -commonPrefix(name, wanted))
                .thenComparingInt(name -> -sharedWords(name, wanted)).thenComparing(Comparator.naturalOrder()))
                .limit(most).toList();
    }

    private static int commonPrefix(String a, String b) {
        int n = 0;
        while (n < a.length() && n < b.length() && a.charAt(n) == b.charAt(n)) {
            n++;
        }
        return n;
    }

    private static int sharedWords(String a, String b) {
        Set<String> words = Set.of(b.split("_+"));
        int shared = 0;
        for (String word : a.split("_+")) {
            if (!word.isEmpty() && words.contains(word)) {
                shared++;
            }
        }
        return shared;
    }

    private static void collect(ByteBuffer notes, String provider, Set<String> names) {
        int at = 0;
        while (at + 12 <= notes.limit()) {
            int nameSize = notes.getInt(at);
            int descSize = notes.getInt(at + 4);
            int type = notes.getInt(at + 8);
            int desc = at + 12 + align(nameSize);
            if (type == NT_STAPSDT && descSize > 24) {
                // three addresses (pc, base, semaphore), then provider\0name\0arguments\0
                String strings = new String(bytes(notes, desc + 24, descSize - 24), StandardCharsets.UTF_8);
                String[] parts = strings.split("\0", -1);
                if (parts.length >= 2 && parts[0].equals(provider)) {
                    names.add(parts[1]);
                }
            }
            at = desc + align(descSize);
        }
    }

    private static int align(int size) {
        return (size + 3) & ~3;
    }

    private static ByteBuffer section(FileChannel file, ByteBuffer table, int entrySize, int index) throws IOException {
        long offset = table.getLong(index * entrySize + 0x18);
        long size = table.getLong(index * entrySize + 0x20);
        return read(file, offset, (int) size);
    }

    private static ByteBuffer read(FileChannel file, long offset, int size) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        while (buffer.hasRemaining()) {
            if (file.read(buffer, offset + buffer.position()) < 0) {
                throw new IOException("truncated ELF file");
            }
        }
        return buffer.flip();
    }

    private static byte[] bytes(ByteBuffer buffer, int at, int size) {
        byte[] bytes = new byte[size];
        buffer.get(at, bytes);
        return bytes;
    }

    private static String text(ByteBuffer strings, int at) {
        if (at < 0 || at >= strings.limit()) {
            return "";
        }
        int end = at;
        while (end < strings.limit() && strings.get(end) != 0) {
            end++;
        }
        return new String(bytes(strings, at, end - at), StandardCharsets.US_ASCII);
    }
}
