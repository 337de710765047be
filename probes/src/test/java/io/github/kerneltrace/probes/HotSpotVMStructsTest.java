package io.github.kerneltrace.probes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.management.ManagementFactory;

import org.junit.jupiter.api.Test;

/**
 * HotSpot's exported field table, read from the running JVM, and the offsets the heap of ended
 * threads is read with (ExitedThreadHeap), checked against what this JVM says itself.
 */
class HotSpotVMStructsTest {

    @Test
    void theRunningJvmListsTheFieldsOfItsThreadsAndTlabs() {
        HotSpotVMStructs structs = HotSpotVMStructs.ofThisJvm();

        assertThat(structs.size()).isGreaterThan(500); // 788 entries in JDK 17, 585 in Temurin 25
        assertThat(structs.field("ThreadLocalAllocBuffer", "_start")).hasValue(0);
        assertThat(structs.field("Thread", "_allocated_bytes")).isPresent();
        assertThat(structs.offset("_osthread", "JavaThread", "Thread")).isPositive();
        assertThatThrownBy(() -> structs.offset("_no_such_field", "Thread"))
                .hasMessage("HotSpot's gHotSpotVMStructs lists no Thread::_no_such_field");
    }

    @Test
    void theCurrentThreadSlotIsFoundAndGivesThisThreadsAllocationCounter() {
        ExitedThreadHeap.Offsets offsets = ExitedThreadHeap.locate();

        // struct pthread lies above the thread pointer; the slot is one of its thread-specific words
        assertThat(offsets.threadPointer()).isBetween(8L, 2040L);
        assertThat(offsets.tlabTop() - offsets.tlabStart()).isEqualTo(8);
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        byte[] megabyte = new byte[1 << 20];
        assertThat(threads.getCurrentThreadAllocatedBytes() - before).isGreaterThanOrEqualTo(megabyte.length);
    }
}
