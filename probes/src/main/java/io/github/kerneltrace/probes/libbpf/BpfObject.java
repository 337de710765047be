package io.github.kerneltrace.probes.libbpf;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.LongByReference;

/**
 * A BPF ELF object opened from bytes and loaded into the kernel through libbpf:
 * its programs, maps and the links that attach programs to their hooks.
 *
 * <p>Not thread-safe: its owner serializes the calls (KernelTrace's tracer loads it on one
 * thread, then attaches and detaches only under one monitor).
 */
public final class BpfObject implements AutoCloseable {

    private final Libbpf libbpf;
    private final LibbpfApi api;
    private final Pointer object;
    private final Memory bytes; // libbpf may keep pointing into the ELF bytes until close
    /** The attached programs' links, by program name. */
    private final Map<String, Pointer> links = new LinkedHashMap<>();
    private final List<Pointer> uprobeLinks = new ArrayList<>();

    private BpfObject(Libbpf libbpf, Pointer object, Memory bytes) {
        this.libbpf = libbpf;
        this.api = libbpf.api();
        this.object = object;
        this.bytes = bytes;
    }

    /** Opens (parses, but does not load) an object; {@code name} appears in the kernel's listings. */
    public static BpfObject open(Libbpf libbpf, String name, byte[] elf) {
        Memory bytes = new Memory(elf.length);
        bytes.write(0, elf, 0, elf.length);
        // struct bpf_object_open_opts { size_t sz; const char *object_name; ... }: the first two fields suffice
        Memory objectName = new Memory(name.length() + 1L);
        objectName.setString(0, name);
        Memory opts = new Memory(16);
        opts.clear();
        opts.setLong(0, 16);
        opts.setPointer(8, objectName);
        Pointer object = libbpf.api().bpf_object__open_mem(bytes, elf.length, opts);
        if (object == null) {
            throw new IllegalStateException("libbpf cannot open BPF object " + name + ": "
                    + Libbpf.describeError(Native.getLastError()));
        }
        return new BpfObject(libbpf, object, bytes);
    }

    /** The names of the object's programs, in the object's order. */
    public List<String> programNames() {
        List<String> names = new ArrayList<>();
        for (Pointer program = api.bpf_object__next_program(object, null); program != null;
             program = api.bpf_object__next_program(object, program)) {
            names.add(api.bpf_program__name(program));
        }
        return names;
    }

    /** Keeps only the programs whose name matches: the others are not loaded. */
    public void loadOnly(Predicate<String> programNames) {
        for (Pointer program = api.bpf_object__next_program(object, null); program != null;
             program = api.bpf_object__next_program(object, program)) {
            api.bpf_program__set_autoload(program, programNames.test(api.bpf_program__name(program)));
        }
    }

    /** The initial bytes of a global-data section such as {@code .rodata}; writable until load. */
    public Pointer initialValue(String sectionSuffix, long expectedSize) {
        for (Pointer map = api.bpf_object__next_map(object, null); map != null;
             map = api.bpf_object__next_map(object, map)) {
            if (api.bpf_map__name(map).endsWith(sectionSuffix)) {
                LongByReference size = new LongByReference();
                Pointer value = api.bpf_map__initial_value(map, size);
                if (value == null || size.getValue() < expectedSize) {
                    throw new IllegalStateException("BPF object section " + sectionSuffix + " is smaller than expected");
                }
                return value;
            }
        }
        throw new IllegalStateException("BPF object has no section " + sectionSuffix);
    }

    /**
     * Loads every enabled program into the kernel (the verifier runs here), with this thread's
     * asynchronous signals blocked meanwhile ({@link SignalsBlocked}).
     *
     * @throws BpfLoadException with libbpf's and the verifier's last log lines, naming the failing program
     */
    public void load() {
        libbpf.log().clear();
        // the verifier gives up (EAGAIN) when this thread has a signal pending: a profiler's would do
        int result = SignalsBlocked.during(() -> api.bpf_object__load(object));
        if (result < 0) {
            throw BpfLoadException.of(result, libbpf.log());
        }
    }

    /** Whether the object defines a map of this name. */
    public boolean hasMap(String name) {
        return api.bpf_object__find_map_by_name(object, name) != null;
    }

    public BpfMap map(String name) {
        Pointer map = api.bpf_object__find_map_by_name(object, name);
        if (map == null) {
            throw new IllegalStateException("BPF object has no map " + name);
        }
        return new BpfMap(api, name, api.bpf_map__fd(map));
    }

    /** Attaches one loaded program to the hook its section names (e.g. {@code tp_btf/sys_enter}). */
    public void attach(String programName) {
        Pointer program = api.bpf_object__find_program_by_name(object, programName);
        if (program == null) {
            throw new IllegalStateException("BPF object has no program " + programName);
        }
        Pointer link = api.bpf_program__attach(program);
        if (link == null) {
            throw new IllegalStateException("cannot attach BPF program " + programName + ": "
                    + Libbpf.describeError(Native.getLastError()));
        }
        links.put(programName, link);
    }

    /**
     * Attaches a loaded program to the raw tracepoint {@code tracepoint}, whatever its section
     * names: a test seam (a tracepoint the kernel lacks makes the attach fail as on an older kernel).
     */
    public void attachRawTracepoint(String programName, String tracepoint) {
        Pointer link = api.bpf_program__attach_raw_tracepoint(program(programName), tracepoint);
        if (link == null) {
            throw new IllegalStateException("cannot attach BPF program " + programName + " to raw tracepoint " + tracepoint
                    + ": " + Libbpf.describeError(Native.getLastError()));
        }
        links.put(programName, link);
    }

    /** Detaches one program attached with {@link #attach}; nothing if it is not attached. */
    public void detach(String programName) {
        Pointer link = links.remove(programName);
        if (link != null) {
            api.bpf_link__destroy(link);
        }
    }

    /**
     * Before load: makes the kernel judge a program as another program type ({@code enum
     * bpf_prog_type}). A test seam: a program of the wrong type is one the kernel refuses.
     */
    public void setProgramType(String programName, int bpfProgramType) {
        int result = api.bpf_program__set_type(program(programName), bpfProgramType);
        if (result < 0) {
            throw new IllegalStateException("cannot set the type of BPF program " + programName + ": " + Libbpf.describeError(result));
        }
    }

    private Pointer program(String programName) {
        Pointer program = api.bpf_object__find_program_by_name(object, programName);
        if (program == null) {
            throw new IllegalStateException("BPF object has no program " + programName);
        }
        return program;
    }

    /**
     * Attaches a loaded {@code SEC("uprobe")} or {@code SEC("uretprobe")} program to the entry or the return of
     * {@code function} (or {@code offset} bytes into it) in the ELF file {@code binaryPath}, for this
     * process only, until {@link #detachUprobes}.
     */
    public void attachUprobe(String programName, String binaryPath, String function, long offset, boolean returnProbe) {
        uprobeLinks.add(uprobe(programName, LibC.INSTANCE.getpid(), binaryPath, function, offset, returnProbe, 0));
    }

    /**
     * Attaches a loaded uprobe program to {@code function} (plus {@code offset}) in {@code binaryPath}, in process
     * {@code pid} (-1: every process), with {@code cookie} for {@code bpf_get_attach_cookie()}: one generic
     * program serves many probes. The caller owns the link.
     */
    public BpfLink attachUprobe(String programName, int pid, String binaryPath, String function, long offset,
                                boolean returnProbe, long cookie) {
        return new BpfLink(api, uprobe(programName, pid, binaryPath, function, offset, returnProbe, cookie),
                (returnProbe ? "uretprobe " : "uprobe ") + function + (offset == 0 ? "" : "+" + offset) + " in " + binaryPath);
    }

    private Pointer uprobe(String programName, int pid, String binaryPath, String function, long offset,
                           boolean returnProbe, long cookie) {
        Pointer program = program(programName);
        // struct bpf_uprobe_opts (libbpf 1.1): size_t sz; size_t ref_ctr_offset; u64 bpf_cookie; bool retprobe;
        // const char *func_name;
        Memory functionName = new Memory(function.length() + 1L);
        functionName.setString(0, function);
        Memory opts = new Memory(40);
        opts.clear();
        opts.setLong(0, 40);
        opts.setLong(16, cookie);
        opts.setByte(24, (byte) (returnProbe ? 1 : 0));
        opts.setPointer(32, functionName);
        libbpf.log().clear();
        // a process id, not 0 ("the calling thread" to perf): the probe must outlive the attaching thread
        Pointer link = api.bpf_program__attach_uprobe_opts(program, pid, binaryPath, offset, opts);
        if (link == null) {
            throw new IllegalStateException("cannot attach a " + (returnProbe ? "uretprobe" : "uprobe") + " to "
                    + function + (offset == 0 ? "" : "+" + offset) + " in " + binaryPath + ": " + Libbpf.describeError(Native.getLastError())
                    + "; libbpf said:\n" + libbpf.log().recentLines());
        }
        return link;
    }

    /**
     * Attaches a loaded {@code SEC("usdt")} program (see libbpf's usdt.bpf.h) to every site of the USDT probe
     * {@code provider:name} in {@code binaryPath}, in process {@code pid} (-1: every process), with
     * {@code cookie} for {@code bpf_usdt_cookie()}. The caller owns the link.
     */
    public BpfLink attachUsdt(String programName, int pid, String binaryPath, String provider, String name, long cookie) {
        Pointer program = program(programName);
        // struct bpf_usdt_opts (libbpf 1.1): size_t sz; u64 usdt_cookie;
        Memory opts = new Memory(16);
        opts.setLong(0, 16);
        opts.setLong(8, cookie);
        libbpf.log().clear();
        Pointer link = api.bpf_program__attach_usdt(program, pid, binaryPath, provider, name, opts);
        if (link == null) {
            throw new IllegalStateException("cannot attach to USDT probe " + provider + ":" + name + " in " + binaryPath
                    + ": " + Libbpf.describeError(Native.getLastError()) + "; libbpf said:\n" + libbpf.log().recentLines());
        }
        return new BpfLink(api, link, "USDT " + provider + ":" + name + " in " + binaryPath);
    }

    /**
     * Attaches a loaded {@code SEC("tracepoint")} program to the classic tracepoint {@code category:name}
     * (through perf, with its id from tracefs, which must be mounted), with {@code cookie} for
     * {@code bpf_get_attach_cookie()}. The caller owns the link.
     */
    public BpfLink attachTracepoint(String programName, String category, String name, long cookie) {
        Pointer program = program(programName);
        // struct bpf_tracepoint_opts (libbpf 1.1): size_t sz; u64 bpf_cookie;
        Memory opts = new Memory(16);
        opts.setLong(0, 16);
        opts.setLong(8, cookie);
        libbpf.log().clear();
        Pointer link = api.bpf_program__attach_tracepoint_opts(program, category, name, opts);
        if (link == null) {
            throw new IllegalStateException("cannot attach to tracepoint " + category + ":" + name + ": "
                    + Libbpf.describeError(Native.getLastError()) + "; libbpf said:\n" + libbpf.log().recentLines());
        }
        return new BpfLink(api, link, "tracepoint " + category + ":" + name);
    }

    /**
     * Attaches a loaded {@code SEC("kprobe")} or {@code SEC("kretprobe")} program to the kernel function
     * {@code function}, with {@code cookie} for {@code bpf_get_attach_cookie()}. Fails on kernels built
     * without kprobes. The caller owns the link.
     */
    public BpfLink attachKprobe(String programName, String function, boolean returnProbe, long cookie) {
        Pointer program = program(programName);
        // struct bpf_kprobe_opts (libbpf 1.1): size_t sz; u64 bpf_cookie; size_t offset; bool retprobe;
        Memory opts = new Memory(32);
        opts.clear();
        opts.setLong(0, 32);
        opts.setLong(8, cookie);
        opts.setByte(24, (byte) (returnProbe ? 1 : 0));
        libbpf.log().clear();
        Pointer link = api.bpf_program__attach_kprobe_opts(program, function, opts);
        if (link == null) {
            throw new IllegalStateException("cannot attach a " + (returnProbe ? "kretprobe" : "kprobe") + " to " + function
                    + ": " + Libbpf.describeError(Native.getLastError()) + "; libbpf said:\n" + libbpf.log().recentLines());
        }
        return new BpfLink(api, link, (returnProbe ? "kretprobe " : "kprobe ") + function);
    }

    /**
     * Detaches the uprobes only, the last attached first (entry probes before return probes, so
     * that no thread sees an entry without its return). Each takes the kernel about 100 ms
     * (unregistering a uprobe waits for every CPU); destroying them concurrently saves little, the
     * kernel serializes most of it.
     */
    public void detachUprobes() {
        for (int i = uprobeLinks.size() - 1; i >= 0; i--) {
            api.bpf_link__destroy(uprobeLinks.get(i));
        }
        uprobeLinks.clear();
    }

    /** Detaches every attached program; the programs and maps stay loaded. */
    public void detachAll() {
        detachUprobes();
        links.values().forEach(api::bpf_link__destroy);
        links.clear();
    }

    /** Whether the programs attached with {@link #attach} are. */
    public boolean attached() {
        return !links.isEmpty();
    }

    public boolean uprobesAttached() {
        return !uprobeLinks.isEmpty();
    }

    @Override
    public void close() {
        detachAll();
        api.bpf_object__close(object);
    }
}
