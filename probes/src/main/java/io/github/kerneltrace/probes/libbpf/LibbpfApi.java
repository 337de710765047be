package io.github.kerneltrace.probes.libbpf;

import com.sun.jna.Callback;
import com.sun.jna.Library;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;

/**
 * The part of the system's libbpf (libbpf.so.1, version 1.0 or newer) that KernelTrace uses.
 *
 * <p>Conventions of libbpf 1.x: calls returning {@code int} return a negative errno on failure;
 * calls returning a pointer return NULL and set {@code errno} (read it with
 * {@code Native.getLastError()} right after the call).
 */
public interface LibbpfApi extends Library {

    String LIBRARY_NAME = "libbpf.so.1";

    int libbpf_major_version();

    int libbpf_minor_version();

    /** {@code int (*)(enum libbpf_print_level level, const char *format, va_list args)}. */
    interface PrintCallback extends Callback {
        int invoke(int level, String format, Pointer vaList);
    }

    Pointer libbpf_set_print(PrintCallback callback);

    Pointer bpf_object__open_mem(Pointer objectBytes, long size, Pointer openOpts);

    int bpf_object__load(Pointer object);

    void bpf_object__close(Pointer object);

    Pointer bpf_object__find_program_by_name(Pointer object, String name);

    Pointer bpf_object__next_program(Pointer object, Pointer previous);

    String bpf_program__name(Pointer program);

    int bpf_program__set_autoload(Pointer program, boolean autoload);

    Pointer bpf_program__attach(Pointer program);

    Pointer bpf_program__attach_raw_tracepoint(Pointer program, String tracepointName);

    int bpf_program__set_type(Pointer program, int type);

    /** {@code opts}: struct bpf_uprobe_opts (see {@link BpfObject#attachUprobe}). */
    Pointer bpf_program__attach_uprobe_opts(Pointer program, int pid, String binaryPath, long functionOffset,
                                            Pointer opts);

    /** {@code opts}: struct bpf_usdt_opts (see {@link BpfObject#attachUsdt}). Needs libbpf 0.8 or newer. */
    Pointer bpf_program__attach_usdt(Pointer program, int pid, String binaryPath, String provider, String name,
                                     Pointer opts);

    /** {@code opts}: struct bpf_tracepoint_opts (see {@link BpfObject#attachTracepoint}); reads the id from tracefs. */
    Pointer bpf_program__attach_tracepoint_opts(Pointer program, String category, String name, Pointer opts);

    /** {@code opts}: struct bpf_kprobe_opts (see {@link BpfObject#attachKprobe}). */
    Pointer bpf_program__attach_kprobe_opts(Pointer program, String function, Pointer opts);

    int bpf_link__destroy(Pointer link);

    Pointer bpf_object__find_map_by_name(Pointer object, String name);

    Pointer bpf_object__next_map(Pointer object, Pointer previous);

    String bpf_map__name(Pointer map);

    int bpf_map__fd(Pointer map);

    Pointer bpf_map__initial_value(Pointer map, LongByReference size);

    int bpf_map_update_elem(int fd, Pointer key, Pointer value, long flags);

    int bpf_map_delete_elem(int fd, Pointer key);

    int bpf_map_lookup_batch(int fd, Pointer inBatch, Pointer outBatch, Pointer keys, Pointer values,
                             IntByReference count, Pointer opts);

    int bpf_map_delete_batch(int fd, Pointer keys, IntByReference count, Pointer opts);
}
