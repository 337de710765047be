package io.github.kerneltrace.probes.syscalls;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * System-call names and numbers of one CPU architecture. The kernel only reports numbers, and
 * they differ per architecture (write is 1 on x86_64 but 64 on aarch64), so everything a user
 * sees or types goes through this table.
 *
 * <p>The tables are the resources {@code x86_64.txt} and {@code aarch64.txt} next to this class,
 * generated from the kernel headers by {@code bpf/gen-syscall-tables.sh}.
 */
public final class SyscallTable {

    /**
     * The BPF program counts every number at or above 512 in this one slot
     * ({@code OTHER_SYSCALL} in {@code bpf/kerneltrace.h}); no real system call has it.
     */
    public static final int OTHER = 511;

    private static final String X86_64 = "x86_64";
    private static final String AARCH64 = "aarch64";

    // Calls whose positive return value is a byte count, split by direction. Not every arch has
    // every call; those missing are left out rather than failing.
    private static final List<String> BYTE_READING = List.of(
            "read", "pread64", "readv", "preadv", "preadv2", "recvfrom", "recvmsg");
    private static final List<String> BYTE_WRITING = List.of(
            "write", "pwrite64", "writev", "pwritev", "pwritev2", "sendto", "sendmsg", "sendfile");

    // Loaded on first use: a JVM only ever needs the table of the machine it runs on.
    private static final Map<String, SyscallTable> TABLES = new ConcurrentHashMap<>();

    private final String arch;
    private final String[] nameByNumber;
    private final Map<String, Integer> numberByName;
    private final int[] byteReading;
    private final int[] byteWriting;

    private SyscallTable(String arch) {
        this.arch = arch;
        this.nameByNumber = loadNumberedNames(arch + ".txt");
        Map<String, Integer> numbers = new TreeMap<>();
        for (int nr = 0; nr < nameByNumber.length; nr++) {
            if (nameByNumber[nr] != null) {
                numbers.put(nameByNumber[nr], nr);
            }
        }
        this.numberByName = Collections.unmodifiableMap(numbers);
        this.byteReading = numbersOf(BYTE_READING);
        this.byteWriting = numbersOf(BYTE_WRITING);
    }

    /**
     * The table of the CPU this JVM runs on.
     *
     * @throws IllegalStateException on an architecture other than x86_64 and aarch64
     */
    public static SyscallTable current() {
        String osArch = System.getProperty("os.arch");
        String arch = canonicalArch(osArch);
        if (arch == null) {
            throw new IllegalStateException(unsupported(osArch));
        }
        return TABLES.computeIfAbsent(arch, SyscallTable::new);
    }

    /**
     * The table of {@code arch}, spelled as in {@code os.arch} ({@code amd64}, {@code aarch64})
     * or as the kernel does ({@code x86_64}).
     *
     * @throws IllegalArgumentException for an architecture other than x86_64 and aarch64
     */
    public static SyscallTable forArch(String arch) {
        String canonical = canonicalArch(arch);
        if (canonical == null) {
            throw new IllegalArgumentException(unsupported(arch));
        }
        return TABLES.computeIfAbsent(canonical, SyscallTable::new);
    }

    /** {@code x86_64} or {@code aarch64}. */
    public String arch() {
        return arch;
    }

    /**
     * The kernel's name for {@code nr}, e.g. "write"; "other" for {@link #OTHER}, and
     * "syscall_&lt;nr&gt;" for numbers this table does not know (a newer kernel than the headers).
     */
    public String name(int nr) {
        if (nr == OTHER) {
            return "other";
        }
        if (nr >= 0 && nr < nameByNumber.length && nameByNumber[nr] != null) {
            return nameByNumber[nr];
        }
        return "syscall_" + nr;
    }

    /** The number of the system call called {@code name}, if this architecture has one. */
    public OptionalInt number(String name) {
        Integer nr = numberByName.get(name);
        return nr == null ? OptionalInt.empty() : OptionalInt.of(nr);
    }

    /** Every system-call name of this architecture, in alphabetical order. */
    public Set<String> names() {
        return numberByName.keySet();
    }

    /**
     * Checks a name a user wrote, e.g. in an annotation, so that a typo fails loudly instead of
     * silently matching nothing.
     *
     * @throws IllegalArgumentException naming the bad value and, if one is close, the likely fix
     */
    public void requireKnown(String name) {
        if (name != null && numberByName.containsKey(name)) {
            return;
        }
        String suggestion = name == null ? null : closestName(name);
        String shown = name == null ? "null" : '"' + name + '"';
        throw new IllegalArgumentException("unknown system call " + shown + " on " + arch
                + (suggestion == null ? "" : "; did you mean \"" + suggestion + "\"?")
                + " (names are as in the kernel's syscall table, e.g. \"write\", \"openat\", \"fsync\")");
    }

    /** Numbers of read, pread64, readv, preadv, preadv2, recvfrom and recvmsg on this architecture. */
    public int[] byteReadingSyscalls() {
        return byteReading.clone();
    }

    /** Numbers of write, pwrite64, writev, pwritev, pwritev2, sendto, sendmsg and sendfile on this architecture. */
    public int[] byteWritingSyscalls() {
        return byteWriting.clone();
    }

    @Override
    public String toString() {
        return "SyscallTable[" + arch + ", " + numberByName.size() + " system calls]";
    }

    private int[] numbersOf(List<String> names) {
        return names.stream().map(numberByName::get).filter(Objects::nonNull).mapToInt(Integer::intValue).toArray();
    }

    /**
     * The known name at edit distance 2 or less, else null. Among equally close names the one
     * sharing the longest prefix wins, since typos rarely hit the start: "open" on aarch64 gets
     * "openat", not "fsopen". Remaining ties go to the alphabetically first name.
     */
    private String closestName(String name) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        int bestPrefix = -1;
        for (String candidate : numberByName.keySet()) {
            int distance = editDistance(name, candidate);
            if (distance > 2) {
                continue;
            }
            int prefix = commonPrefixLength(name, candidate);
            if (distance < bestDistance || (distance == bestDistance && prefix > bestPrefix)) {
                best = candidate;
                bestDistance = distance;
                bestPrefix = prefix;
            }
        }
        return best;
    }

    private static int commonPrefixLength(String a, String b) {
        int length = 0;
        while (length < a.length() && length < b.length() && a.charAt(length) == b.charAt(length)) {
            length++;
        }
        return length;
    }

    /** Levenshtein distance: insertions, deletions and substitutions each count one. */
    static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    private static String canonicalArch(String arch) {
        if ("amd64".equals(arch) || X86_64.equals(arch)) {
            return X86_64;
        }
        if (AARCH64.equals(arch)) {
            return AARCH64;
        }
        return null;
    }

    private static String unsupported(String arch) {
        return "unsupported CPU architecture " + (arch == null ? "null" : '"' + arch + '"')
                + ": KernelTrace has system-call tables for x86_64 (os.arch \"amd64\" or \"x86_64\")"
                + " and aarch64 (os.arch \"aarch64\") only";
    }

    /**
     * Reads a resource of lines {@code <number> <name>} into an array indexed by number, with
     * null for numbers the resource leaves out. Shared with {@link Errno}.
     */
    static String[] loadNumberedNames(String resource) {
        TreeMap<Integer, String> entries = new TreeMap<>();
        try (InputStream in = SyscallTable.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("resource " + resource + " is missing next to "
                        + SyscallTable.class.getName() + "; run bpf/gen-syscall-tables.sh");
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                String[] fields = line.trim().split("\\s+");
                if (fields.length != 2 || !fields[0].chars().allMatch(Character::isDigit)) {
                    throw new IllegalStateException(resource + ": expected \"<number> <name>\", got \"" + line + '"');
                }
                entries.put(Integer.parseInt(fields[0]), fields[1]);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + resource, e);
        }
        int size = entries.isEmpty() ? 0 : entries.lastKey() + 1;
        String[] byNumber = new String[size];
        entries.forEach((nr, name) -> byNumber[nr] = name);
        return byNumber;
    }
}
