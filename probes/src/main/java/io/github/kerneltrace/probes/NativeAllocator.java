package io.github.kerneltrace.probes;

import java.util.List;

import com.sun.jna.Memory;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

import io.github.kerneltrace.probes.libbpf.LibC;
import io.github.kerneltrace.probes.metrics.NativeFunction;

/**
 * The allocator this process's {@code malloc} resolves to: usually the C library, but an
 * allocator loaded with {@code LD_PRELOAD} (jemalloc, tcmalloc) wins the symbol lookup, and the
 * uprobes must go where the calls go.
 */
final class NativeAllocator {

    /** Program names in memory.bpf.h: {@code <function>_enter} and, except for free, {@code <function>_exit}. */
    static final List<NativeFunction> FUNCTIONS = List.of(NativeFunction.values());

    private NativeAllocator() {
    }

    /**
     * The file that defines the {@code malloc} this process calls.
     *
     * @throws IllegalStateException when the dynamic linker cannot say
     */
    static String libraryPath() {
        Pointer malloc;
        try {
            malloc = NativeLibrary.getProcess().getFunction("malloc"); // dlsym(RTLD_DEFAULT), as the process resolves it
        } catch (UnsatisfiedLinkError e) {
            throw new IllegalStateException("this process has no malloc symbol to probe (a statically linked allocator?)", e);
        }
        Memory info = new Memory(4 * 8L); // Dl_info: dli_fname, dli_fbase, dli_sname, dli_saddr
        info.clear();
        if (LibC.INSTANCE.dladdr(malloc, info) == 0 || info.getPointer(0) == null) {
            throw new IllegalStateException("the dynamic linker cannot name the file that defines malloc");
        }
        return info.getPointer(0).getString(0);
    }
}
