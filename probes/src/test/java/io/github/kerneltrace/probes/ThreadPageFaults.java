package io.github.kerneltrace.probes;

import java.nio.ByteBuffer;

/**
 * The oracle of the page-fault tests: the calling thread's {@code minflt} and {@code majflt}
 * (fields 10 and 12 of {@code /proc/thread-self/stat}), the kernel's {@code min_flt} and
 * {@code maj_flt}, which the BPF programs read from the task itself.
 */
final class ThreadPageFaults {

    private static final ThreadSelfFile STAT = new ThreadSelfFile("stat", 1024);

    private ThreadPageFaults() {
    }

    /** Minor then major faults of the calling thread. */
    static long[] current() {
        ByteBuffer buffer = STAT.read();
        return parse(buffer, buffer.position());
    }

    /** Fields after the command name, which is in parentheses and may itself hold spaces and ')'. */
    static long[] parse(ByteBuffer stat, int length) {
        int end = length - 1;
        while (end >= 0 && stat.get(end) != ')') {
            end--;
        }
        long[] faults = new long[2];
        int field = 2; // the command name was field 2; a space precedes each next field
        long value = 0;
        for (int i = end + 1; i < length; i++) {
            byte character = stat.get(i);
            if (character == ' ') {
                if (field == 10) {
                    faults[0] = value;
                } else if (field == 12) {
                    faults[1] = value;
                    break;
                }
                field++;
                value = 0;
            } else if (character >= '0' && character <= '9') {
                value = value * 10 + (character - '0');
            }
        }
        return faults;
    }
}
