package io.github.kerneltrace.probes;

import static io.github.kerneltrace.probes.SlotLayout.*;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.function.Consumer;
import java.util.stream.Stream;

import com.sun.jna.Pointer;

import io.github.kerneltrace.probes.libbpf.BpfLoadException;
import io.github.kerneltrace.probes.libbpf.BpfObject;
import io.github.kerneltrace.probes.libbpf.LibC;
import io.github.kerneltrace.probes.libbpf.Libbpf;
import io.github.kerneltrace.probes.syscalls.SyscallTable;

/**
 * Loads KernelTrace's BPF object into the kernel, family by family ({@link ProbeFamily}): each
 * tracepoint family in the first attach mode the kernel accepts (tp_btf, then raw_tp), and a
 * family the kernel refuses in every mode is left out (autoload off) while the others load, its
 * reason kept for the tests that need it. Only the system-call family is essential.
 *
 * <p>libbpf loads an object whole or not at all, so each refusal means opening the object again
 * without (or with another mode of) the refused family: a few loads at most, once per JVM.
 * Runs on one thread, under {@link KernelTracer}'s lock of the shared tracer; it keeps no state.
 */
final class ProgramLoader {

    private static final String OBJECT_RESOURCE = "bpf/kerneltrace.bpf.o";

    /**
     * HotSpot's own threads, by the prefix of the kernel name HotSpot gives them (15 bytes of the
     * Java name): a test's threads wake them (a method to compile, a GC to run), but their work is
     * the JVM's, so they are never borrowed as a pool thread the test handed work to. Also
     * KernelTrace's own.
     */
    static final List<String> JVM_OWN_THREAD_NAMES = List.of("C1 CompilerThre", "C2 CompilerThre", "VM Thread",
            "VM Periodic Tas", "GC Thread#", "G1 ", "Service Thread", "Monitor Deflati", "Notification Th",
            "Reference Handl", "Finalizer", "Signal Dispatch", "Sweeper thread", "Common-Cleaner", "Attach Listener",
            "JVMCI", "JFR ", "Shenandoah", "ZDirector", "ZDriver", "ZStat", "ZUnmapper", "ZUncommitter", "ZWorker",
            "ZRuntime", "kerneltrace-");

    /**
     * What loaded: the object, each loaded tracepoint family's attach mode, and the families the
     * kernel refused with the reason (in the order they were refused).
     */
    record Loaded(BpfObject object, Map<ProbeFamily, String> attachModes, Map<ProbeFamily, String> refused) {
    }

    private ProgramLoader() {
    }

    /**
     * Loads the programs; {@code beforeLoad} sees each opened object just before its load (a test
     * seam: it can make the kernel refuse a family).
     *
     * @throws TracingUnavailableException when the system-call family cannot be loaded in any mode
     */
    static Loaded load(SyscallTable table, Consumer<BpfObject> beforeLoad) {
        Libbpf libbpf = Libbpf.get();
        byte[] elf = objectBytes();
        Plan plan = new Plan(attachModes());
        while (true) {
            BpfObject object;
            try {
                object = BpfObject.open(libbpf, "kerneltrace", elf);
            } catch (IllegalStateException e) {
                throw new TracingUnavailableException(refusedMessage(e.getMessage()));
            }
            try {
                object.loadOnly(plan::loads);
                writeConfig(object, table);
                beforeLoad.accept(object);
                object.load();
                return new Loaded(object, plan.loadedModes(), plan.refused());
            } catch (IllegalStateException e) {
                object.close();
                plan.learn(e); // the next try, without the refused family or in its next mode; or it gives up
            }
        }
    }

    /** Which family loads in which mode on the next try, and what the kernel refused so far. */
    private static final class Plan {
        private final List<String> modes;
        private final Map<ProbeFamily, Integer> modeIndex = new EnumMap<>(ProbeFamily.class);
        private final Map<ProbeFamily, StringBuilder> failures = new EnumMap<>(ProbeFamily.class);
        private final Map<ProbeFamily, String> refused = new LinkedHashMap<>();

        Plan(List<String> modes) {
            this.modes = modes;
            for (ProbeFamily family : ProbeFamily.values()) {
                modeIndex.put(family, 0);
                failures.put(family, new StringBuilder());
            }
        }

        /** Whether a program of the object loads on this try. */
        boolean loads(String program) {
            ProbeFamily family = ProbeFamily.of(program);
            return family != null && !refused.containsKey(family)
                    && (!family.tracepoints() || mode(family).equals(ProbeFamily.attachModeOf(program)));
        }

        private String mode(ProbeFamily family) {
            return modes.get(modeIndex.get(family));
        }

        /**
         * Takes in a refused load: the family of the program libbpf named moves to its next
         * attach mode, or is left out; an unnamed failure moves every family on.
         *
         * @throws TracingUnavailableException when the system-call family has no mode left
         */
        void learn(IllegalStateException failure) {
            String program = failure instanceof BpfLoadException refusal ? refusal.program() : null;
            ProbeFamily family = program == null ? null : ProbeFamily.of(program);
            if (family == null) {
                note(ProbeFamily.SYSCALLS, mode(ProbeFamily.SYSCALLS) + ": " + failure.getMessage());
                if (modeIndex.get(ProbeFamily.SYSCALLS) + 1 >= modes.size()) {
                    throw new TracingUnavailableException(refusedMessage(failures.get(ProbeFamily.SYSCALLS)));
                }
                modeIndex.replaceAll((any, index) -> index + 1);
                return;
            }
            // the essential family's failure is the whole story, verifier log included; another's, one line
            String reason = family.essential() ? failure.getMessage() : ((BpfLoadException) failure).summary();
            note(family, (family.tracepoints() ? mode(family) + ": " : "") + reason);
            if (family.tracepoints() && modeIndex.get(family) + 1 < modes.size()) {
                modeIndex.put(family, modeIndex.get(family) + 1);
            } else if (family.essential()) {
                throw new TracingUnavailableException(refusedMessage(failures.get(family)));
            } else {
                refused.put(family, Capabilities.explain(Capabilities.ProbeKind.TRACEPOINT_PROGRAMS,
                        "the kernel refused the " + family.description() + " programs (" + failures.get(family) + ")"));
            }
        }

        private void note(ProbeFamily family, String reason) {
            StringBuilder reasons = failures.get(family);
            reasons.append(reasons.length() == 0 ? "" : "; ").append(reason);
        }

        /** The attach mode of each tracepoint family that loaded. */
        Map<ProbeFamily, String> loadedModes() {
            Map<ProbeFamily, String> loaded = new EnumMap<>(ProbeFamily.class);
            for (ProbeFamily family : ProbeFamily.values()) {
                if (family.tracepoints() && !refused.containsKey(family)) {
                    loaded.put(family, mode(family));
                }
            }
            return Collections.unmodifiableMap(loaded);
        }

        Map<ProbeFamily, String> refused() {
            return Collections.unmodifiableMap(refused);
        }
    }

    private static String refusedMessage(CharSequence reasons) {
        return Capabilities.explain(Capabilities.ProbeKind.TRACEPOINT_PROGRAMS,
                "the kernel refused KernelTrace's BPF programs (" + reasons.toString().strip() + ")");
    }

    /**
     * tp_btf is typed and preferred; raw_tp is the fallback for kernels that refuse it. The system
     * property {@code kerneltrace.attachMode} ({@code tp_btf} or {@code raw_tp}) forces one.
     */
    private static List<String> attachModes() {
        String forced = System.getProperty("kerneltrace.attachMode", "");
        switch (forced) {
            case "":
                return List.of("tp_btf", "raw_tp");
            case "tp_btf":
            case "raw_tp":
                return List.of(forced);
            default:
                throw new TracingUnavailableException("the system property kerneltrace.attachMode is \"" + forced
                        + "\"; use tp_btf or raw_tp, or leave it unset to choose automatically");
        }
    }

    /** The .rodata settings: which calls move bytes or address space, the page size, what marks a hand-off. */
    private static void writeConfig(BpfObject object, SyscallTable table) {
        if (JVM_OWN_THREAD_NAMES.size() > JVM_INTERNAL_THREADS) {
            throw new IllegalStateException("bpf/kerneltrace.h holds " + JVM_INTERNAL_THREADS + " HotSpot thread names, not "
                    + JVM_OWN_THREAD_NAMES.size()); // a bug, not a user error
        }
        Pointer config = object.initialValue(".rodata", CONFIG_SIZE);
        config.write(CONFIG_BYTE_COUNTING, bitmap(table.byteReadingSyscalls(), table.byteWritingSyscalls()), 0, MAX_SYSCALLS / 64);
        int[] addressSpace = Stream.of("mmap", "munmap", "mremap", "brk")
                .map(table::number).filter(OptionalInt::isPresent).mapToInt(OptionalInt::getAsInt).toArray();
        config.write(CONFIG_ADDRESS_SPACE, bitmap(addressSpace), 0, MAX_SYSCALLS / 64);
        config.setLong(CONFIG_PAGE_SIZE, LibC.INSTANCE.getpagesize());
        // the allocator uretprobes' own system call: never the test's
        config.setInt(CONFIG_URETPROBE_SYSCALL, table.number("uretprobe").orElse(MAX_SYSCALLS));
        config.setInt(CONFIG_FUTEX_SYSCALL, table.number("futex").orElse(MAX_SYSCALLS));
        config.setInt(CONFIG_RT_SIGRETURN_SYSCALL, table.number("rt_sigreturn").orElse(MAX_SYSCALLS));
        for (int i = 0; i < JVM_OWN_THREAD_NAMES.size(); i++) {
            // the prefix's bytes as the name's two little-endian words, and a mask over them
            byte[] prefix = JVM_OWN_THREAD_NAMES.get(i).getBytes(StandardCharsets.US_ASCII);
            ByteBuffer value = ByteBuffer.allocate(TASK_COMM_LEN).order(ByteOrder.LITTLE_ENDIAN);
            ByteBuffer mask = ByteBuffer.allocate(TASK_COMM_LEN).order(ByteOrder.LITTLE_ENDIAN);
            for (int b = 0; b < Math.min(prefix.length, TASK_COMM_LEN - 1); b++) {
                value.put(b, prefix[b]);
                mask.put(b, (byte) 0xff);
            }
            long entry = CONFIG_JVM_INTERNAL_THREADS + (long) i * JVM_INTERNAL_THREAD_SIZE;
            config.setLong(entry, value.getLong(0));
            config.setLong(entry + 8, value.getLong(8));
            config.setLong(entry + 16, mask.getLong(0));
            config.setLong(entry + 24, mask.getLong(8));
        }
    }

    private static long[] bitmap(int[]... syscallSets) {
        long[] words = new long[MAX_SYSCALLS / 64];
        for (int[] numbers : syscallSets) {
            for (int nr : numbers) {
                words[nr / 64] |= 1L << (nr % 64);
            }
        }
        return words;
    }

    /** The committed CO-RE object, as bpf/build.sh wrote it into the probes jar. */
    static byte[] objectBytes() {
        String name = OBJECT_RESOURCE;
        try (InputStream in = ProgramLoader.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new TracingUnavailableException("the probes jar lacks " + name + "; rebuild it with bpf/build.sh");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new TracingUnavailableException("cannot read " + name + " from the probes jar", e);
        }
    }
}
