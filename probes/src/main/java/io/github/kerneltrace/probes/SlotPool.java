package io.github.kerneltrace.probes;

import static io.github.kerneltrace.probes.SlotLayout.MAX_SLOTS;

import java.util.concurrent.Semaphore;

/**
 * The 64 slots of the shared maps: which are taken, and how many were opened, so that a slot can
 * tell whether it counted beside another test. Opening the first slot attaches the programs and
 * closing the last detaches them ({@link Attachments}).
 *
 * <p>Locking: {@code permits} is a lock of its own, taken before this object's monitor and never
 * while holding it (a slot waits for a permit without blocking the pool). Every other field is
 * guarded by this object's monitor; while holding it the pool calls into {@link Attachments}
 * (lock order: pool, then attachments).
 */
final class SlotPool {

    private final Attachments attachments;
    private final SlotMemory memory;
    /** One permit per slot; an exclusive (whole-process) slot takes them all. */
    private final Semaphore permits = new Semaphore(MAX_SLOTS, true);
    /** Guarded by this. */
    private final boolean[] inUse = new boolean[MAX_SLOTS];
    /** Guarded by this. */
    private int open;
    /** Slots opened since load: a slot that sees it move while counting ran beside another test. Guarded by this. */
    private long opened;

    SlotPool(Attachments attachments, SlotMemory memory) {
        this.attachments = attachments;
        this.memory = memory;
    }

    /**
     * A free slot's index, its records zeroed; waits while an exclusive slot is open or all are taken.
     *
     * @throws TracingUnavailableException when the programs cannot be attached (then no slot is taken)
     */
    int take(boolean exclusive) {
        int permitsNeeded = exclusive ? MAX_SLOTS : 1;
        permits.acquireUninterruptibly(permitsNeeded);
        try {
            return takeIndex();
        } catch (RuntimeException | Error e) {
            permits.release(permitsNeeded);
            throw e;
        }
    }

    private synchronized int takeIndex() {
        for (int index = 0; index < MAX_SLOTS; index++) {
            if (!inUse[index]) {
                attachments.slotOpened(); // may throw: then no slot is taken
                open++;
                opened++;
                inUse[index] = true;
                // the slot's records, zeroed and fenced before its owner can open a window on them
                memory.reset(index);
                memory.setLatency(index, true);
                return index;
            }
        }
        throw new IllegalStateException("no free slot although a permit was taken"); // a bug, not a user error
    }

    /** How many slots are open and how many were ever opened, to tell whether tests ran side by side. */
    synchronized long[] activity() {
        return new long[] {open, opened};
    }

    synchronized void release(int index, boolean exclusive) {
        inUse[index] = false;
        open--;
        attachments.slotClosed(index);
        permits.release(exclusive ? MAX_SLOTS : 1);
    }
}
