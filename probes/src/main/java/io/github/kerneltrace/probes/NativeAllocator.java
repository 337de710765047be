package io.github.kerneltrace.probes;

import com.sun.jna.Memory;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

import io.github.kerneltrace.probes.libbpf.LibC;

/**
 * The allocator this process's {@code malloc} resolves to: usually the C library, but an
 * allocator loaded with {@code LD_PRELOAD} (jemalloc, tcmalloc) wins the symbol lookup, and the
 * uprobes must go where the calls go.
 */
public final class NativeAllocator {

    private NativeAllocator() {
    }

    /**
     * Where to probe {@code free}: past its NULL check when it has glibc's x86_64 prologue
     * ({@code test %rdi,%rdi; je ...; push ...}), else at its first instruction.
     *
     * <p>Why: the kernel emulates a probed {@code push} (about 1 µs per hit here) but must
     * single-step a probed {@code test}, a second trap that costs about 9 µs on a VM, on every
     * free of every thread of the JVM. Past the check {@code %rdi} still holds the pointer; what
     * is lost is {@code free(NULL)}, which releases nothing and is then not counted as a call.
     */
    public static long freeProbeOffset() {
        Pointer free = NativeLibrary.getProcess().getFunction("free");
        if (!libraryPath().equals(fileDefining(free))) {
            return 0; // free comes from elsewhere than malloc: probe where the uprobes go, at its start
        }
        // an int3 of another tool's probe in these bytes fails the match: then the start, always safe
        byte[] code = free.getByteArray(0, 12);
        boolean testRdi = (code[0] & 0xFF) == 0x48 && (code[1] & 0xFF) == 0x85 && (code[2] & 0xFF) == 0xFF;
        if (!testRdi) {
            return 0;
        }
        int next;
        if ((code[3] & 0xFF) == 0x0F && (code[4] & 0xFF) == 0x84) {
            next = 9; // je rel32
        } else if ((code[3] & 0xFF) == 0x74) {
            next = 5; // je rel8
        } else {
            return 0;
        }
        return isPush(code, next) ? next : 0;
    }

    /** {@code push %r64} (0x50-0x57), or with a REX.B prefix for %r8-%r15 (0x41 0x50-0x57). */
    private static boolean isPush(byte[] code, int at) {
        int first = code[at] & 0xFF;
        return first >= 0x50 && first <= 0x57
                || first == 0x41 && (code[at + 1] & 0xFF) >= 0x50 && (code[at + 1] & 0xFF) <= 0x57;
    }

    /**
     * The file that defines the {@code malloc} this process calls.
     *
     * @throws IllegalStateException when the dynamic linker cannot say
     */
    public static String libraryPath() {
        Pointer malloc;
        try {
            malloc = NativeLibrary.getProcess().getFunction("malloc"); // dlsym(RTLD_DEFAULT), as the process resolves it
        } catch (UnsatisfiedLinkError e) {
            throw new IllegalStateException("this process has no malloc symbol to probe (a statically linked allocator?)", e);
        }
        String path = fileDefining(malloc);
        if (path == null) {
            throw new IllegalStateException("the dynamic linker cannot name the file that defines malloc");
        }
        return path;
    }

    /** The loaded file that holds {@code address}, or null. */
    private static String fileDefining(Pointer address) {
        Memory info = new Memory(4 * 8L); // Dl_info: dli_fname, dli_fbase, dli_sname, dli_saddr
        info.clear();
        if (LibC.INSTANCE.dladdr(address, info) == 0 || info.getPointer(0) == null) {
            return null;
        }
        return info.getPointer(0).getString(0);
    }
}
