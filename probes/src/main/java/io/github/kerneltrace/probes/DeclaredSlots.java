package io.github.kerneltrace.probes;

import static io.github.kerneltrace.probes.SlotLayout.DECLARED_GENERATION;
import static io.github.kerneltrace.probes.SlotLayout.DECLARED_HITS;
import static io.github.kerneltrace.probes.SlotLayout.DECLARED_SLOT_SIZE;
import static io.github.kerneltrace.probes.SlotLayout.MAX_DECLARED_PROBES;
import static io.github.kerneltrace.probes.SlotLayout.MAX_SLOTS;

import java.lang.invoke.VarHandle;

import com.sun.jna.Pointer;

import io.github.kerneltrace.probes.libbpf.BpfObject;

/**
 * The one reader and writer of the {@code declared_slots} records (bpf/declared.bpf.h): each
 * slot's generation, which the attach cookies of its declared probes carry, and its hits per
 * declaration. A slot's record belongs to the {@link TraceSlot} holding the index, under its monitor.
 */
final class DeclaredSlots {

    private final Pointer records;

    DeclaredSlots(BpfObject object) {
        this.records = object.map("declared_slots").mmap((long) MAX_SLOTS * DECLARED_SLOT_SIZE);
    }

    /**
     * Moves the slot to a new generation and zeroes its hits, before its probes are attached: an
     * earlier test's links, still being detached, carry an older generation and count nothing.
     *
     * @return the generation the new links' cookies must carry
     */
    int nextGeneration(int slot) {
        long base = (long) slot * DECLARED_SLOT_SIZE;
        int generation = records.getInt(base + DECLARED_GENERATION) + 1;
        records.setInt(base + DECLARED_GENERATION, generation);
        records.setMemory(base + DECLARED_HITS, (long) MAX_DECLARED_PROBES * 8, (byte) 0);
        VarHandle.releaseFence(); // visible before the window's `open` is
        return generation;
    }

    /** The slot's hits by declaration index. */
    long[] hits(int slot, int declarations) {
        VarHandle.acquireFence();
        long[] hits = new long[declarations];
        records.read((long) slot * DECLARED_SLOT_SIZE + DECLARED_HITS, hits, 0, declarations);
        return hits;
    }

    /** The attach cookie of declaration {@code index} of {@code slot} at {@code generation} (layout: bpf/kerneltrace.h). */
    static long cookie(int slot, int index, int generation, boolean host) {
        return (Integer.toUnsignedLong(generation) << 32) | (host ? SlotLayout.DECLARED_HOST : 0) | ((long) index << 8) | slot;
    }
}
