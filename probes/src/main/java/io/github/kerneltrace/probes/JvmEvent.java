package io.github.kerneltrace.probes;

/**
 * The JVM events jvm.bpf.h counts, in the order of its {@code JVM_*} numbers (the attach cookie
 * and the index into {@code jvm_stats}), each with the USDT probes that mark it in libjvm.so.
 */
enum JvmEvent {
    GC("hotspot", "gc__begin", "gc__end"),
    SAFEPOINT("hs_private", "safepoint__begin", "safepoint__end"),
    PARK("hotspot", "thread__park__begin", "thread__park__end"),
    SLEEP("hotspot", "thread__sleep__begin", "thread__sleep__end"),
    COMPILE("hotspot", "method__compile__begin", null),
    CLASS_LOADED("hotspot", "class__loaded", null),
    MONITOR("hotspot", "monitor__contended__enter", null);

    final String provider;
    /** The probe that begins the event, or marks it when it has no end. */
    final String begin;
    /** The probe that ends it (its time is from begin to end), or null for an event with no time. */
    final String end;

    JvmEvent(String provider, String begin, String end) {
        this.provider = provider;
        this.begin = begin;
        this.end = end;
    }

    /** The program of jvm.bpf.h that handles the begin (or only) probe. */
    String beginProgram() {
        return this == GC ? "jvm_gc_begin" : end != null ? "jvm_begin_event" : "jvm_single_event";
    }
}
