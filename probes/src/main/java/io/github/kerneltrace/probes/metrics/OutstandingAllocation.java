package io.github.kerneltrace.probes.metrics;

/**
 * A native block a traced test allocated and nobody had released when counting stopped.
 *
 * @param address    where it starts
 * @param bytes      the size asked for
 * @param function   the call that returned it
 * @param tid        the kernel id of the thread that allocated it
 * @param threadName that thread's name as the kernel knows it (15 characters at most; empty once it ended)
 */
public record OutstandingAllocation(long address, long bytes, NativeFunction function, int tid, String threadName) {

    @Override
    public String toString() {
        return bytes + " bytes at 0x" + Long.toHexString(address) + " from " + function.symbol() + " on thread " + tid
                + (threadName.isEmpty() ? "" : " (" + threadName + ")");
    }
}
