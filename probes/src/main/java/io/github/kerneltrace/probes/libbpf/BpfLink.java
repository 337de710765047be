package io.github.kerneltrace.probes.libbpf;

import com.sun.jna.Pointer;

/**
 * One program attached to one probe, owned by whoever attached it: closing it detaches that
 * attachment only (the program and the object stay loaded). The attachments a test declares come
 * and go with the test, while the object's tracepoints stay; hence a handle of their own.
 *
 * <p>Not thread-safe: its owner closes it once, under its own lock.
 */
public final class BpfLink implements AutoCloseable {

    private final LibbpfApi api;
    private final String description;
    private Pointer link;

    BpfLink(LibbpfApi api, Pointer link, String description) {
        this.api = api;
        this.link = link;
        this.description = description;
    }

    /** What is attached where, for messages: "uprobe deflate in /usr/lib/x86_64-linux-gnu/libz.so.1.2.13". */
    public String description() {
        return description;
    }

    /** Detaches; a second call does nothing. A uprobe's detach waits for every CPU (about 100 ms here). */
    @Override
    public void close() {
        if (link != null) {
            api.bpf_link__destroy(link);
            link = null;
        }
    }

    @Override
    public String toString() {
        return description;
    }
}
