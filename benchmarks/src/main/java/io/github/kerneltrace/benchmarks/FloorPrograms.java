package io.github.kerneltrace.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.github.kerneltrace.probes.libbpf.BpfObject;
import io.github.kerneltrace.probes.libbpf.Libbpf;

/**
 * The floor programs (src/main/c/floor.bpf.c, compiled by run.sh): do-nothing BPF programs that
 * show what any program costs at a hook, next to what KernelTrace's cost there.
 */
final class FloorPrograms {

    private FloorPrograms() {
    }

    /** Loads every program of the compiled object at {@code path}; none is attached yet. */
    static BpfObject load(String path) throws IOException {
        BpfObject floor = BpfObject.open(Libbpf.get(), "floor", Files.readAllBytes(Path.of(path)));
        floor.loadOnly(name -> true);
        floor.load();
        return floor;
    }
}
