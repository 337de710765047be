package io.github.kerneltrace.junit;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What changed in one metric's call sites against the baseline's: sites that are new, grew,
 * shrank or are gone. Sites are matched by their methods, not their line numbers
 * ({@link CallSite#methods()}): an edit that moves code down a file must not turn every site into
 * a removed one and a new one.
 *
 * @param unit    how the weights are counted
 * @param changes largest increase first, then decreases, largest first
 */
record CallSiteChanges(Limit.Unit unit, List<Change> changes) {

    enum Kind {
        NEW("new"), GROWN("grown"), SHRUNK("shrunk"), REMOVED("removed");

        private final String jsonName;

        Kind(String jsonName) {
            this.jsonName = jsonName;
        }

        String jsonName() {
            return jsonName;
        }
    }

    /**
     * @param shown    the site as this run shows it (with its lines), or as the baseline did for a removed one
     * @param baseline its weight in the baseline (0 for a new site)
     * @param measured its weight now (0 for a removed site)
     */
    record Change(Kind kind, String methods, String shown, long baseline, long measured) {

        long delta() {
            return measured - baseline;
        }
    }

    /** A site's weight and how it was shown, as a baseline keeps it. */
    record Recorded(String shown, long weight) {
    }

    CallSiteChanges {
        changes = List.copyOf(changes);
    }

    /** The changes from {@code baseline} (by methods) to {@code now}; none when they agree. */
    static CallSiteChanges between(Map<String, Recorded> baseline, CallSites now) {
        Map<String, Recorded> current = byMethods(now);
        List<Change> changes = new ArrayList<>();
        current.forEach((methods, site) -> {
            Recorded before = baseline.get(methods);
            if (before == null) {
                changes.add(new Change(Kind.NEW, methods, site.shown(), 0, site.weight()));
            } else if (site.weight() != before.weight()) {
                changes.add(new Change(site.weight() > before.weight() ? Kind.GROWN : Kind.SHRUNK, methods, site.shown(),
                        before.weight(), site.weight()));
            }
        });
        baseline.forEach((methods, before) -> {
            if (!current.containsKey(methods)) {
                changes.add(new Change(Kind.REMOVED, methods, before.shown(), before.weight(), 0));
            }
        });
        changes.sort(Comparator.comparingLong(Change::delta).reversed().thenComparing(Change::methods));
        return new CallSiteChanges(now.unit(), changes);
    }

    /** The sites of one metric by methods, as a baseline records them: sites on several lines of the same methods add up. */
    static Map<String, Recorded> byMethods(CallSites sites) {
        Map<String, Recorded> merged = new LinkedHashMap<>();
        sites.sites().forEach((site, weight) -> merged.merge(site.methods(), new Recorded(site.shown(), weight),
                // the shown form of the larger part: sites come largest first
                (first, more) -> new Recorded(first.shown(), first.weight() + more.weight())));
        // largest first again: merging may have grown a later one
        Map<String, Recorded> sorted = new LinkedHashMap<>();
        merged.entrySet().stream()
                .sorted(Comparator.comparingLong((Map.Entry<String, Recorded> entry) -> entry.getValue().weight()).reversed()
                        .thenComparing(Map.Entry::getKey))
                .forEach(entry -> sorted.put(entry.getKey(), entry.getValue()));
        return sorted;
    }

    boolean isEmpty() {
        return changes.isEmpty();
    }

    /**
     * E.g.
     * <pre>
     * against the baseline:
     *   grown 1 → 100: SegmentLog.flushWriteBuffer(SegmentLog.java:291) ← SegmentLog.appendAll(SegmentLog.java:187)
     * </pre>
     */
    List<String> lines(int top) {
        List<String> lines = new ArrayList<>();
        lines.add("call sites against the baseline:");
        changes.stream().limit(top).forEach(change -> lines.add("  " + describe(change)));
        if (changes.size() > top) {
            lines.add("  … " + (changes.size() - top) + " more change" + (changes.size() - top == 1 ? "" : "s"));
        }
        return lines;
    }

    private String describe(Change change) {
        return switch (change.kind()) {
            case NEW -> "new " + unit.format(change.measured());
            case REMOVED -> "removed (was " + unit.format(change.baseline()) + ")";
            case GROWN, SHRUNK -> change.kind().jsonName() + " " + unit.format(change.baseline()) + " → "
                    + unit.format(change.measured());
        } + ": " + change.shown();
    }
}
