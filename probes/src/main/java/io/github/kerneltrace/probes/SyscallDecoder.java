package io.github.kerneltrace.probes;

import static io.github.kerneltrace.probes.SlotLayout.MAX_SYSCALLS;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.github.kerneltrace.probes.metrics.SyscallMetrics;
import io.github.kerneltrace.probes.syscalls.Errno;
import io.github.kerneltrace.probes.syscalls.SyscallTable;

/** The system-call family of a slot's metrics: calls, failures by errno, bytes and latency per system call. */
final class SyscallDecoder {

    /** What the slot counted, and the error_counts keys it read (for deletion once counting is off). */
    record Decoded(List<SyscallMetrics> syscalls, long bytesRead, long bytesWritten, long[] errorKeys) {
    }

    private SyscallDecoder() {
    }

    static Decoded decode(SlotMemory memory, int slot, SyscallTable table, SlotHistograms histograms) {
        SlotMemory.SyscallCounters counters = memory.syscallCounters(slot);
        Map<Integer, Map<String, Long>> errors = new HashMap<>();
        // error_counts is a hash: walk it only if some call failed
        long[] errorKeys = counters.anyErrors() ? memory.readErrorCounts(slot, (nr, errno, count) ->
                errors.computeIfAbsent(nr, n -> new HashMap<>()).merge(Errno.name(errno), count, Long::sum)) : new long[0];
        // the numbers called, or timed (an exit seen without its entry's count), in number order
        boolean[] present = counters.called();
        histograms.markSyscallNumbers(present);
        List<SyscallMetrics> syscalls = new ArrayList<>();
        for (int nr = 0; nr < MAX_SYSCALLS; nr++) {
            if (present[nr]) {
                syscalls.add(new SyscallMetrics(table.name(nr), counters.calls(nr), counters.errors(nr),
                        errors.getOrDefault(nr, Map.of()), counters.bytes(nr), histograms.orEmpty(nr)));
            }
        }
        return new Decoded(syscalls, counters.sumOfBytes(table.byteReadingSyscalls()),
                counters.sumOfBytes(table.byteWritingSyscalls()), errorKeys);
    }
}
