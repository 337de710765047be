package io.github.kerneltrace.probes;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.github.kerneltrace.probes.libbpf.BpfLink;
import io.github.kerneltrace.probes.libbpf.BpfObject;
import io.github.kerneltrace.probes.libbpf.LibC;

/**
 * The probes tests declare ({@link DeclaredProbe}): attached for one slot before its window opens,
 * detached after it closes on {@link Attachments}' detach thread, one link per declaration (two for
 * timed kinds), each with a cookie naming the slot, the declaration and the slot's generation
 * ({@link DeclaredSlots}). The generic programs are in bpf/declared.bpf.h.
 *
 * <p>Locking: this object's monitor guards the tracepoint copies in use; it is taken before
 * {@link Attachments}' (refused families, the detach thread), never while holding that one.
 */
final class DeclaredAttachments {

    private final BpfObject object;
    private final Attachments attachments;
    private final DeclaredSlots slots;
    /**
     * The copies of the tracepoint program in use, by tracepoint ("signal:signal_generate" → copy
     * numbers), and each link's copy: the kernel links a program to a tracepoint once, so tests that
     * declare the same tracepoint at once (or while an earlier link is being detached) take different copies.
     */
    private final Map<String, Set<Integer>> tracepointCopiesInUse = new HashMap<>();
    private final Map<BpfLink, String> tracepointCopyOfLink = new HashMap<>();

    DeclaredAttachments(BpfObject object, Attachments attachments) {
        this.object = object;
        this.attachments = attachments;
        this.slots = new DeclaredSlots(object);
    }

    /** The per-slot records (generation, hits); each slot's owned by the {@link TraceSlot} holding it. */
    DeclaredSlots slots() {
        return slots;
    }

    /**
     * Attaches the probes a test declares, one link each (two for timed ones: return, then entry, so
     * that no thread sees an entry without its return), with cookies naming the slot, the
     * declaration and the slot's {@code generation}. Uprobes and USDT probes watch this process only.
     *
     * @throws TracingUnavailableException when the kernel refused the declared-probe programs
     * @throws IllegalArgumentException    when one cannot be attached (unknown symbol, probe, tracepoint;
     *                                     no kprobes), naming it; nothing stays attached then
     */
    synchronized DeclaredLinks attach(int slot, int generation, List<DeclaredProbe> probes) {
        if (probes.size() > SlotLayout.MAX_DECLARED_PROBES) {
            throw new IllegalArgumentException(probes.size() + " probes declared, at most " + SlotLayout.MAX_DECLARED_PROBES
                    + " per test can be");
        }
        String refusal = attachments.refused().get(ProbeFamily.DECLARED_PROBES);
        if (refusal != null) {
            throw new TracingUnavailableException("declared probes cannot be counted: " + refusal);
        }
        List<BpfLink> links = new ArrayList<>();
        List<String> targets = new ArrayList<>();
        try {
            for (int index = 0; index < probes.size(); index++) {
                DeclaredProbe probe = probes.get(index);
                long cookie = DeclaredSlots.cookie(slot, index, generation, probe.host());
                targets.add(probe.binaries().isEmpty() ? attachOne(probe, null, cookie, links)
                        : attachToFirst(probe, cookie, links));
            }
        } catch (RuntimeException e) {
            detach(links);
            throw e;
        }
        return new DeclaredLinks(links, targets);
    }

    /** A test's declared-probe links, and what each declaration is attached to (by index). */
    record DeclaredLinks(List<BpfLink> links, List<String> targets) {
        static final DeclaredLinks NONE = new DeclaredLinks(List.of(), List.of());
    }

    /** Attaches to the first of the probe's files that has it; else says what each file lacked. */
    private String attachToFirst(DeclaredProbe probe, long cookie, List<BpfLink> links) {
        StringBuilder failures = new StringBuilder();
        for (String binary : probe.binaries()) {
            try {
                return attachOne(probe, binary, cookie, links);
            } catch (IllegalStateException e) {
                String reason = e.getMessage();
                int libbpfSaid = reason.indexOf("; libbpf said:");
                failures.append("\n  ").append(libbpfSaid < 0 ? reason : reason.substring(0, libbpfSaid));
            }
        }
        String what = probe.kind() == DeclaredProbe.Kind.USDT ? "USDT probe " + probe.group() + ":" + probe.event()
                : "function " + probe.function();
        throw new IllegalArgumentException("probe \"" + probe.name() + "\": no mapped file " + probe.binaries()
                + " has the " + what + failures + (probe.kind() == DeclaredProbe.Kind.USDT ? usdtHint(probe) : "")
                + "\n  (check the name: `nm -D --defined-only <file>` lists a library's functions, `readelf -n <file>`"
                + " its USDT probes)");
    }

    /** For a USDT probe not found: the provider's probes in each file that look most alike, or that it has none. */
    private static String usdtHint(DeclaredProbe probe) {
        StringBuilder hint = new StringBuilder();
        for (String binary : probe.binaries()) {
            java.util.Set<String> names = UsdtNotes.probesOf(java.nio.file.Path.of(binary), probe.group());
            hint.append("\n  ").append(binary).append(names.isEmpty() ? " has no probes of provider " + probe.group()
                    : " has " + names.size() + " probes of provider " + probe.group() + "; the most alike: "
                    + String.join(", ", UsdtNotes.alike(names, probe.event(), 5)));
        }
        return hint.toString();
    }

    /**
     * Attaches one declaration (two links for timed kinds: return first); returns its target.
     *
     * @throws TracingUnavailableException when the kernel refuses for want of a capability, naming it
     */
    private String attachOne(DeclaredProbe probe, String binary, long cookie, List<BpfLink> links) {
        try {
            return attachOneUnexplained(probe, binary, cookie, links);
        } catch (IllegalStateException | IllegalArgumentException e) {
            String explained = Capabilities.explain(capabilityKind(probe.kind()), e.getMessage());
            if (explained.equals(e.getMessage())) {
                throw e;
            }
            throw new TracingUnavailableException("probe \"" + probe.name() + "\": " + explained, e);
        }
    }

    private static Capabilities.ProbeKind capabilityKind(DeclaredProbe.Kind kind) {
        return switch (kind) {
            case UPROBE -> Capabilities.ProbeKind.UPROBE;
            case USDT -> Capabilities.ProbeKind.USDT;
            case TRACEPOINT -> Capabilities.ProbeKind.TRACEPOINT;
            case KPROBE -> Capabilities.ProbeKind.KPROBE;
        };
    }

    private String attachOneUnexplained(DeclaredProbe probe, String binary, long cookie, List<BpfLink> links) {
        DeclaredProbe.Kind kind = probe.kind();
        int pid = LibC.INSTANCE.getpid();
        switch (kind) {
            case UPROBE -> {
                BpfLink exit = object.attachUprobe(kind.returnProgram(), pid, binary, probe.function(), 0, true, cookie);
                try {
                    links.add(object.attachUprobe(kind.program(), pid, binary, probe.function(), 0, false, cookie));
                } catch (IllegalStateException e) {
                    exit.close();
                    throw e;
                }
                links.add(links.size() - 1, exit);
            }
            case USDT -> links.add(object.attachUsdt(kind.program(), pid, binary, probe.group(), probe.event(), cookie));
            case TRACEPOINT -> {
                Tracefs.ensureMounted();
                String tracepoint = probe.group() + ":" + probe.event();
                Set<Integer> inUse = tracepointCopiesInUse.computeIfAbsent(tracepoint, t -> new HashSet<>());
                int copy = 0;
                while (inUse.contains(copy)) {
                    copy++;
                }
                if (copy >= SlotLayout.MAX_DECLARED_PROBES) {
                    throw new IllegalArgumentException("probe \"" + probe.name() + "\": tracepoint " + tracepoint + " is probed "
                            + SlotLayout.MAX_DECLARED_PROBES + " times already by tests running now; declare it fewer times");
                }
                try {
                    BpfLink link = object.attachTracepoint(kind.program() + copy, probe.group(), probe.event(), cookie);
                    inUse.add(copy);
                    tracepointCopyOfLink.put(link, tracepoint + "#" + copy);
                    links.add(link);
                } catch (IllegalStateException e) {
                    throw new IllegalArgumentException("probe \"" + probe.name() + "\": no tracepoint " + probe.group() + ":"
                            + probe.event() + " here (" + e.getMessage().lines().findFirst().orElse("") + "); the kernel's"
                            + " tracepoints are listed in /sys/kernel/tracing/available_events", e);
                }
            }
            case KPROBE -> {
                String noKprobes = KernelFunctionProbes.refusal(probe.function(), KernelFunctionProbes.kernelHasKprobes());
                if (noKprobes != null) {
                    throw new IllegalArgumentException("probe \"" + probe.name() + "\": " + noKprobes);
                }
                try {
                    links.add(object.attachKprobe(kind.returnProgram(), probe.function(), true, cookie));
                    links.add(object.attachKprobe(kind.program(), probe.function(), false, cookie));
                } catch (IllegalStateException e) {
                    throw new IllegalArgumentException("probe \"" + probe.name() + "\": " + e.getMessage(), e);
                }
            }
        }
        return probe.target(binary);
    }

    /**
     * Detaches a test's declared probes on the {@code kerneltrace-detach} thread: a uprobe's detach
     * waits for every CPU (about 100 ms), which the test's thread should not. Late hits meanwhile
     * carry the old generation and count nowhere.
     */
    synchronized void detach(List<BpfLink> links) {
        if (links.isEmpty()) {
            return;
        }
        List<BpfLink> owned = List.copyOf(links);
        attachments.detachLater(() -> {
            for (int i = owned.size() - 1; i >= 0; i--) {
                owned.get(i).close(); // entry probes before return probes: the reverse of attaching
                releaseTracepointCopy(owned.get(i));
            }
        });
    }

    /** A closed link's copy of the tracepoint program is free again for its tracepoint. */
    private synchronized void releaseTracepointCopy(BpfLink closed) {
        String copy = tracepointCopyOfLink.remove(closed);
        if (copy != null) {
            int hash = copy.lastIndexOf('#');
            tracepointCopiesInUse.get(copy.substring(0, hash)).remove(Integer.parseInt(copy.substring(hash + 1)));
        }
    }
}
