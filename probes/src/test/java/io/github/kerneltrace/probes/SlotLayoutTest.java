package io.github.kerneltrace.probes;

import static io.github.kerneltrace.probes.SlotLayout.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

/**
 * The kernel↔Java contract, checked: every size and offset Java reads with equals the layout of
 * bpf/kerneltrace.h's structs, which bpf/build.sh writes to bpf/layout.properties (and
 * `bpf/build.sh --check` keeps current). A drift on either side fails here, naming the field.
 */
class SlotLayoutTest {

    @Test
    void everySizeAndOffsetJavaReadsWithIsTheCStructs() throws IOException {
        Properties layout = new Properties();
        try (InputStream in = KernelTracer.class.getResourceAsStream("bpf/layout.properties")) {
            assertThat(in).as("bpf/layout.properties in the probes jar (bpf/build.sh writes it)").isNotNull();
            layout.load(in);
        }
        Map<String, Long> java = new LinkedHashMap<>();
        java.put("tracked_thread", (long) TRACKED_THREAD_SIZE);
        java.put("tracked_thread.slot", (long) TRACKED_SLOT);
        java.put("tracked_thread.flags", (long) TRACKED_FLAGS);
        java.put("tracked_thread.sched_ns", (long) TRACKED_SCHED_NS);
        java.put("tracked_thread.sched_state", (long) TRACKED_SCHED_STATE);
        java.put("tracked_thread.ns_tid", (long) TRACKED_NS_TID);
        java.put("slot_control", (long) SLOT_CONTROL_SIZE);
        java.put("slot_control.open", (long) CONTROL_OPEN);
        java.put("slot_control.flags", (long) CONTROL_FLAGS);
        java.put("slot_control.followed_children", (long) CONTROL_FOLLOWED_CHILDREN);
        java.put("slot_control.dropped_latencies", (long) CONTROL_DROPPED_LATENCIES);
        java.put("slot_control.dropped_errors", (long) CONTROL_DROPPED_ERRORS);
        java.put("slot_control.unmatched_exits", (long) CONTROL_UNMATCHED_EXITS);
        java.put("slot_control.restarts", (long) CONTROL_RESTARTS);
        java.put("slot_control.lost_children", (long) CONTROL_LOST_CHILDREN);
        java.put("slot_control.start_ns", (long) CONTROL_START_NS);
        java.put("slot_control.stop_ns", (long) CONTROL_STOP_NS);
        java.put("slot_control.start_tid", (long) CONTROL_START_TID);
        java.put("slot_control.start_runtime", (long) CONTROL_START_RUNTIME);
        java.put("slot_control.stop_runtime", (long) CONTROL_STOP_RUNTIME);
        java.put("slot_control.start_run_delay", (long) CONTROL_START_RUN_DELAY);
        java.put("slot_control.stop_run_delay", (long) CONTROL_STOP_RUN_DELAY);
        java.put("slot_control.start_min_flt", (long) CONTROL_START_MIN_FLT);
        java.put("slot_control.stop_min_flt", (long) CONTROL_STOP_MIN_FLT);
        java.put("slot_control.start_maj_flt", (long) CONTROL_START_MAJ_FLT);
        java.put("slot_control.stop_maj_flt", (long) CONTROL_STOP_MAJ_FLT);
        java.put("slot_control.exited_threads", (long) CONTROL_EXITED_THREADS);
        java.put("slot_control.borrowed_threads", (long) CONTROL_BORROWED_THREADS);
        java.put("slot_control.borrowed_wakeups", (long) CONTROL_BORROWED_WAKEUPS);
        java.put("slot_control.unfollowed_threads", (long) CONTROL_UNFOLLOWED_THREADS);
        java.put("slot_control.foreign_wakers", (long) CONTROL_FOREIGN_WAKERS);
        java.put("slot_control.start_seen", (long) CONTROL_START_SEEN);
        java.put("slot_control.outside_switches", (long) CONTROL_OUTSIDE_SWITCHES);
        java.put("slot_control.signal_handler_calls", (long) CONTROL_SIGNAL_HANDLER_CALLS);
        java.put("slot_control.histogram_entries", (long) CONTROL_HISTOGRAM_ENTRIES);
        java.put("slot_control.runner_name", (long) CONTROL_RUNNER_NAME);
        java.put("slot_control.runner_handoffs", (long) CONTROL_RUNNER_HANDOFFS);
        java.put("identity", (long) IDENTITY_SIZE);
        java.put("identity.request", (long) IDENTITY_REQUEST);
        java.put("identity.answer", (long) IDENTITY_ANSWER);
        java.put("identity.ns_inum", (long) IDENTITY_NS_INUM);
        java.put("identity.ns_tid", (long) IDENTITY_NS_TID);
        java.put("identity.list_threads", (long) IDENTITY_LIST_THREADS);
        java.put("identity.level", (long) IDENTITY_LEVEL);
        java.put("identity.tgid", (long) IDENTITY_TGID);
        java.put("identity.tid", (long) IDENTITY_TID);
        java.put("identity.listed", (long) IDENTITY_LISTED);
        java.put("identity.complete", (long) IDENTITY_COMPLETE);
        java.put("identity.threads", (long) IDENTITY_THREADS);
        java.put("config", (long) CONFIG_SIZE);
        java.put("config.byte_counting_syscalls", (long) CONFIG_BYTE_COUNTING);
        java.put("config.address_space_syscalls", (long) CONFIG_ADDRESS_SPACE);
        java.put("config.page_size", (long) CONFIG_PAGE_SIZE);
        java.put("config.uretprobe_syscall", (long) CONFIG_URETPROBE_SYSCALL);
        java.put("config.futex_syscall", (long) CONFIG_FUTEX_SYSCALL);
        java.put("config.rt_sigreturn_syscall", (long) CONFIG_RT_SIGRETURN_SYSCALL);
        java.put("config.jvm_internal_threads", (long) CONFIG_JVM_INTERNAL_THREADS);
        java.put("syscall_stats", (long) SYSCALL_STATS_SIZE);
        java.put("syscall_stats.calls", (long) STATS_CALLS);
        java.put("syscall_stats.errors", (long) STATS_ERRORS);
        java.put("syscall_stats.bytes", (long) STATS_BYTES);
        java.put("sched_stats", (long) SCHED_STATS_SIZE);
        java.put("sched_stats.voluntary_switches", (long) SCHED_VOLUNTARY_SWITCHES * 8);
        java.put("sched_stats.involuntary_switches", (long) SCHED_INVOLUNTARY_SWITCHES * 8);
        java.put("sched_stats.migrations", (long) SCHED_MIGRATIONS * 8);
        java.put("sched_stats.wakeups", (long) SCHED_WAKEUPS * 8);
        java.put("sched_stats.on_cpu_ns", (long) SCHED_ON_CPU_NS * 8);
        java.put("sched_stats.run_queue_ns", (long) SCHED_RUN_QUEUE_NS * 8);
        java.put("sched_stats.off_cpu_ns", (long) SCHED_OFF_CPU_NS * 8);
        java.put("sched_stats.inferred_wakeups", (long) SCHED_INFERRED_WAKEUPS * 8);
        java.put("memory_stats", (long) MEMORY_STATS_SIZE);
        java.put("memory_stats.calls", (long) MEM_CALLS * 8);
        java.put("memory_stats.allocations", (long) MEM_ALLOCATIONS * 8);
        java.put("memory_stats.allocated_bytes", (long) MEM_ALLOCATED_BYTES * 8);
        java.put("memory_stats.frees", (long) MEM_FREES * 8);
        java.put("memory_stats.freed_bytes", (long) MEM_FREED_BYTES * 8);
        java.put("memory_stats.failed_allocations", (long) MEM_FAILED * 8);
        java.put("memory_stats.lost_allocations", (long) MEM_LOST * 8);
        java.put("memory_stats.major_faults", (long) MEM_MAJOR_FAULTS * 8);
        java.put("memory_stats.mapped_bytes", (long) MEM_MAPPED_BYTES * 8);
        java.put("memory_stats.minor_faults", (long) MEM_MINOR_FAULTS * 8);
        java.put("memory_stats.unmapped_bytes", (long) MEM_UNMAPPED_BYTES * 8);
        java.put("live_allocation", (long) LIVE_VALUE_SIZE);
        java.put("live_allocation.size", (long) LIVE_SIZE);
        java.put("live_allocation.slot", (long) LIVE_SLOT);
        java.put("live_allocation.tid", (long) LIVE_TID);
        java.put("live_allocation.function", (long) LIVE_FUNCTION);
        java.put("handoff_names", (long) HANDOFF_NAMES_SIZE);
        java.put("handoff_names.borrowed", (long) HANDOFF_BORROWED);
        java.put("handoff_names.uncounted", (long) HANDOFF_UNCOUNTED);
        java.put("handoff_names.foreign", (long) HANDOFF_FOREIGN);
        java.put("latency_key", (long) HASH_KEY_SIZE);
        java.put("histogram_count", (long) HISTOGRAM_COUNT_SIZE);
        java.put("histogram_count.nr", (long) HISTOGRAM_COUNT_NR);
        java.put("histogram_count.index", (long) HISTOGRAM_COUNT_INDEX);
        java.put("histogram_count.count", (long) HISTOGRAM_COUNT_COUNT);
        java.put("error_key", (long) HASH_KEY_SIZE);
        java.put("foreign_key", (long) FOREIGN_KEY_SIZE);
        java.put("constant.MAX_SLOTS", (long) MAX_SLOTS);
        java.put("constant.MAX_SYSCALLS", (long) MAX_SYSCALLS);
        java.put("constant.TRACK_FOLLOW_CHILDREN", (long) TRACK_FOLLOW_CHILDREN);
        java.put("constant.TRACK_FOLLOW_HANDOFFS", (long) TRACK_FOLLOW_HANDOFFS);
        java.put("constant.TRACK_BORROWED", (long) TRACK_BORROWED);
        java.put("constant.TRACK_IDLE", (long) TRACK_IDLE);
        java.put("constant.SLOT_LATENCY", (long) SLOT_LATENCY);
        java.put("constant.SLOT_NATIVE_ALLOCATIONS", (long) SLOT_NATIVE_ALLOCATIONS);
        java.put("constant.SLOT_CAPTURE_START_FAULTS", (long) SLOT_CAPTURE_START_FAULTS);
        java.put("constant.MAX_LISTED_THREADS", (long) MAX_LISTED_THREADS);
        java.put("constant.JVM_INTERNAL_THREADS", (long) JVM_INTERNAL_THREADS);
        java.put("constant.TASK_COMM_LEN", (long) TASK_COMM_LEN);
        java.put("constant.PROCESS_FILTER_SIZE", (long) PROCESS_FILTER_SIZE);
        java.put("constant.SCHED_RUNNING", (long) SCHED_RUNNING);
        java.put("constant.HIST_RUN_QUEUE", (long) HIST_RUN_QUEUE);
        java.put("constant.HIST_OFF_CPU", (long) HIST_OFF_CPU);
        java.put("constant.HIST_ALLOCATION_SIZE", (long) HIST_ALLOCATION_SIZE);
        java.put("constant.NATIVE_FUNCTIONS", (long) NATIVE_FUNCTIONS);
        java.put("constant.HANDOFF_NAMES", (long) HANDOFF_NAMES);
        java.put("constant.HISTOGRAM_ENTRIES", (long) HISTOGRAM_ENTRIES);
        java.put("declared_slot", (long) DECLARED_SLOT_SIZE);
        java.put("declared_slot.generation", (long) DECLARED_GENERATION);
        java.put("declared_slot.hits", (long) DECLARED_HITS);
        java.put("constant.MAX_DECLARED_PROBES", (long) MAX_DECLARED_PROBES);
        java.put("constant.HIST_DECLARED_BASE", (long) HIST_DECLARED_BASE);
        java.put("constant.DECLARED_HOST", DECLARED_HOST);
        // heap of threads that end inside the window (bpf/exited_heap.bpf.h)
        java.put("hotspot_offsets", (long) HOTSPOT_OFFSETS_SIZE);
        java.put("hotspot_offsets.thread_pointer", (long) HOTSPOT_THREAD_POINTER);
        java.put("hotspot_offsets.osthread", (long) HOTSPOT_OSTHREAD);
        java.put("hotspot_offsets.thread_id", (long) HOTSPOT_THREAD_ID);
        java.put("hotspot_offsets.allocated_bytes", (long) HOTSPOT_ALLOCATED_BYTES);
        java.put("hotspot_offsets.tlab_start", (long) HOTSPOT_TLAB_START);
        java.put("hotspot_offsets.tlab_top", (long) HOTSPOT_TLAB_TOP);
        java.put("hotspot_offsets.ready", (long) HOTSPOT_READY);
        java.put("exited_heap", (long) EXITED_HEAP_SIZE);
        java.put("exited_heap.bytes", (long) EXITED_HEAP_BYTES);
        java.put("exited_heap.threads", (long) EXITED_HEAP_THREADS);
        java.put("exited_heap.unreadable", (long) EXITED_HEAP_UNREADABLE);
        java.put("constant.TRACK_HEAP_COUNTED", (long) TRACK_HEAP_COUNTED);

        java.put("jvm_stats", (long) JVM_STATS_SIZE);
        java.put("jvm_stats.counting", (long) JVM_STATS_COUNTING);
        java.put("jvm_stats.events", (long) JVM_STATS_EVENTS);
        java.put("jvm_stats.nanos", (long) JVM_STATS_NANOS);
        java.put("jvm_stats.full_gcs", (long) JVM_STATS_FULL_GCS);
        java.put("constant.JVM_EVENT_KINDS", (long) JvmEvent.values().length); // JvmEvent's order is jvm.bpf.h's JVM_*
        java.put("constant.HIST_JVM_GC_PAUSE", (long) HIST_JVM_GC_PAUSE);
        java.put("constant.HIST_JVM_SAFEPOINT", (long) HIST_JVM_SAFEPOINT);
        java.put("constant.HIST_JVM_PARK", (long) HIST_JVM_PARK);
        java.put("constant.HIST_JVM_SLEEP", (long) HIST_JVM_SLEEP);
        SoftAssertions softly = new SoftAssertions();
        java.forEach((name, value) -> softly.assertThat(value).as("SlotLayout's %s (C: %s)", name, layout.getProperty(name))
                .isEqualTo(Long.valueOf(layout.getProperty(name, "-1"))));
        softly.assertThat(layout.stringPropertyNames()).as("every field C declares for Java is checked")
                .containsExactlyInAnyOrderElementsOf(java.keySet());
        softly.assertAll();
    }
}
