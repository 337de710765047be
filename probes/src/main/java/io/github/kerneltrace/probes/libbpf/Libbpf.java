package io.github.kerneltrace.probes.libbpf;

import com.sun.jna.Native;

/**
 * Loads the system's libbpf once per JVM and routes its log to {@link LibbpfLog}.
 * Loading fails with {@link UnsatisfiedLinkError} when libbpf.so.1 is not installed.
 */
public final class Libbpf {

    /** Written once under the class lock, read without it (volatile: double-checked). */
    private static volatile Libbpf instance;

    private final LibbpfApi api;
    private final LibbpfLog log = new LibbpfLog();

    private Libbpf(LibbpfApi api) {
        this.api = api;
        api.libbpf_set_print(log); // `log` stays reachable through this object, as JNA callbacks must
    }

    public static Libbpf get() {
        Libbpf loaded = instance;
        if (loaded == null) {
            synchronized (Libbpf.class) {
                loaded = instance;
                if (loaded == null) {
                    loaded = new Libbpf(Native.load(LibbpfApi.LIBRARY_NAME, LibbpfApi.class));
                    instance = loaded;
                }
            }
        }
        return loaded;
    }

    public LibbpfApi api() {
        return api;
    }

    public LibbpfLog log() {
        return log;
    }

    public String version() {
        return api.libbpf_major_version() + "." + api.libbpf_minor_version();
    }

    /** A libbpf return code or errno as "EPERM: Operation not permitted". */
    public static String describeError(int errno) {
        int positive = Math.abs(errno);
        return io.github.kerneltrace.probes.syscalls.Errno.name(positive) + ": " + LibC.INSTANCE.strerror(positive);
    }
}
