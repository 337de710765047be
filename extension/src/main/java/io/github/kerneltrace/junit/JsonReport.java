package io.github.kerneltrace.junit;

import java.util.List;
import java.util.StringJoiner;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.HdrHistogram.Histogram;

import io.github.kerneltrace.probes.metrics.HandOffs;
import io.github.kerneltrace.probes.metrics.KernelMetrics;

/** The JSON report of one traced test; its schema is documented in {@code docs/report-schema.md}. */
final class JsonReport {

    /**
     * 2 added {@code scheduler}, scheduler limits and the limit unit {@code count}; 3 added {@code memory},
     * memory limits, and limits that fail because they could not be measured; 4 added
     * {@code diagnostics.handOffs}; 5 added {@code baseline} (and later {@code flameGraphs}: added members
     * do not change the version); see the schema's history.
     */
    static final int SCHEMA_VERSION = 5;

    private JsonReport() {
    }

    /**
     * {@code <class>.<method>.json}; invocations of a parameterized or repeated test add their
     * invocation numbers from JUnit's unique id, e.g. {@code com.example.AppendLogTest.append-3.json}
     * (or {@code -2-3} for the third invocation in the second of an enclosing template's). Unique
     * per invocation; names that still meet (overloaded methods) are told apart by {@link ReportFiles}.
     */
    static String fileName(TracedTest test) {
        String base = test.className() + "." + test.methodName();
        if (test.repeated()) {
            base += "-" + invocationNumbers(test.uniqueId());
        }
        return base.replaceAll("[^A-Za-z0-9._$-]", "_") + ".json";
    }

    private static final Pattern INVOCATION = Pattern.compile("-invocation:#(\\d+)\\]");

    /** The invocation numbers in a unique id, outermost first, joined by '-'. */
    private static String invocationNumbers(String uniqueId) {
        StringJoiner numbers = new StringJoiner("-");
        Matcher invocation = INVOCATION.matcher(uniqueId);
        while (invocation.find()) {
            numbers.add(invocation.group(1));
        }
        return numbers.length() > 0 ? numbers.toString() : Integer.toHexString(uniqueId.hashCode());
    }

    static String render(TraceOutcome outcome) {
        return render(outcome, null);
    }

    /**
     * E.g. {@code org.opentest4j.AssertionFailedError: expected: 3 but was: 4}: the first line of
     * what the test method threw, for {@code testFailure}; at most 300 characters.
     */
    static String describeFailure(Throwable failure) {
        String message = failure.getMessage() == null ? "" : failure.getMessage().strip().lines().findFirst().orElse("");
        String text = failure.getClass().getName() + (message.isEmpty() ? "" : ": " + message);
        return text.length() <= 300 ? text : text.substring(0, 299) + "…";
    }

    /**
     * @param testFailure what the test method itself threw ({@link #describeFailure}), or null; a
     *                    breached limit or a baseline regression is not one (they are in
     *                    {@code limits} and {@code baseline})
     */
    static String render(TraceOutcome outcome, String testFailure) {
        return render(outcome, testFailure, TestCallSites.NONE, List.of());
    }

    /**
     * {@link #render(TraceOutcome, String)} with the test's Java call sites ({@code callSites}: none when
     * empty) and its flame graph pages, written beside the report (listed in {@code flameGraphs}).
     */
    static String render(TraceOutcome outcome, String testFailure, TestCallSites sites, List<FlameGraphs.Graph> flameGraphs) {
        KernelMetrics metrics = outcome.metrics();
        JsonWriter json = new JsonWriter().beginObject();
        json.member("schemaVersion", SCHEMA_VERSION);
        json.name("test").beginObject()
                .member("className", outcome.test().className())
                .member("methodName", outcome.test().methodName())
                .member("displayName", outcome.test().displayName())
                .member("uniqueId", outcome.test().uniqueId())
                .endObject();
        json.member("scope", outcome.scope().name());
        json.member("kernel", outcome.kernel());
        json.member("startedAt", outcome.startedAt().toString());
        json.member("durationNanos", outcome.durationNanos());
        if (testFailure == null) {
            json.name("testFailure").nullValue();
        } else {
            json.member("testFailure", testFailure);
        }
        for (MetricFamily family : MetricFamilies.ALL) {
            family.writeJson(metrics, json);
        }
        json.name("limits").beginArray();
        for (LimitResult result : outcome.limits()) {
            json.beginObject()
                    .member("metric", result.limit().metric())
                    .member("declaration", result.limit().declaration())
                    .member("unit", result.limit().unit().jsonName())
                    .member("limit", result.limit().limit())
                    .member("measured", result.measured())
                    .member("breached", result.breached());
            if (!result.measuredAtAll()) {
                json.member("notMeasured", result.notMeasured());
            }
            json.endObject();
        }
        json.endArray();
        writeBaseline(json.name("baseline"), outcome.baseline());
        if (outcome.repetitions().size() > 1) {
            json.name("repetitions").beginObject()
                    .member("warmups", outcome.warmups())
                    .member("count", outcome.repetitions().size());
            json.name("values").beginObject();
            outcome.gatedValues().forEach((key, values) -> {
                json.name(key).beginArray();
                values.forEach(value -> json.value(value.longValue()));
                json.endArray();
            });
            json.endObject().endObject();
        }
        writeCallSites(json, sites);
        json.name("flameGraphs").beginArray();
        for (FlameGraphs.Graph graph : flameGraphs) {
            json.beginObject()
                    .member("profile", graph.profile().parameterName())
                    .member("file", graph.file())
                    .member("title", graph.title())
                    .member("events", graph.events())
                    .member("weight", graph.weight())
                    .member("unit", graph.unit());
            if (graph.profile() == Profile.CPU) {
                json.member("samplingPeriod", FlameGraphs.SAMPLING_PERIOD);
            }
            json.member("coverage", graph.coverage()).endObject();
        }
        json.endArray();
        KernelMetrics.Diagnostics diagnostics = metrics.diagnostics();
        json.name("diagnostics").beginObject()
                .member("followedChildren", diagnostics.followedChildren())
                .member("unmatchedExits", diagnostics.unmatchedExits())
                .member("restartedCalls", diagnostics.restartedCalls())
                .member("droppedLatencies", diagnostics.droppedLatencies())
                .member("droppedErrors", diagnostics.droppedErrors())
                .member("lostChildren", diagnostics.lostChildren())
                .member("signalHandlerCalls", diagnostics.signalHandlerCalls())
                .member("lostSamples", diagnostics.lostSamples());
        HandOffs handOffs = diagnostics.handOffs();
        json.name("handOffs").beginObject()
                .member("borrowedThreads", handOffs.borrowedThreads())
                .member("borrowedWakeUps", handOffs.borrowedWakeUps());
        writeNames(json.name("borrowedNames"), handOffs.borrowedNames());
        json.member("uncountedThreads", handOffs.uncountedThreads());
        writeNames(json.name("uncountedNames"), handOffs.uncountedNames());
        json.member("foreignWakers", handOffs.foreignWakers());
        writeNames(json.name("foreignNames"), handOffs.foreignNames());
        json.member("junitWorkersPutToWork", handOffs.runnerHandOffs());
        json.member("sharedWithConcurrentTests", handOffs.sharedWithConcurrentTests());
        json.endObject().endObject();
        return json.endObject().toString();
    }

    /**
     * {@code "callSites": {"run": ..., "metrics": [{"metric", "unit", "measured", "explained",
     * "notAttributable", "sites": [{"site", "methods", "weight"}], "changes": [{"kind", "site",
     * "methods", "baseline", "measured"}]}]}}; {@code null} when none were looked up (a passing test).
     */
    private static void writeCallSites(JsonWriter json, TestCallSites sites) {
        if (sites.byMetric().isEmpty()) {
            json.name("callSites").nullValue();
            return;
        }
        json.name("callSites").beginObject().member("run", TestCallSites.RE_RUN);
        json.name("metrics").beginArray();
        sites.byMetric().forEach((metric, found) -> {
            json.beginObject().member("metric", metric).member("what", found.what())
                    .member("unit", found.unit().jsonName())
                    .member("measured", found.measured()).member("explained", found.explained());
            if (found.notAttributable() == null) {
                json.name("notAttributable").nullValue();
            } else {
                json.member("notAttributable", found.notAttributable());
            }
            json.name("sites").beginArray();
            found.sites().forEach((site, weight) -> json.beginObject().member("site", site.shown())
                    .member("methods", site.methods()).member("weight", weight).endObject());
            json.endArray();
            json.name("changes").beginArray();
            CallSiteChanges changes = sites.changes().get(metric);
            if (changes != null) {
                changes.changes().forEach(change -> json.beginObject().member("kind", change.kind().jsonName())
                        .member("site", change.shown()).member("methods", change.methods())
                        .member("baseline", change.baseline()).member("measured", change.measured()).endObject());
            }
            json.endArray();
            json.endObject();
        });
        json.endArray().endObject();
    }

    private static void writeBaseline(JsonWriter json, BaselineVerdict verdict) {
        json.beginObject().member("status", verdict.status().jsonName());
        if (verdict.file() != null) {
            json.member("file", verdict.file());
        }
        writeChanges(json.name("regressions"), verdict.regressions());
        writeChanges(json.name("improvements"), verdict.improvements());
        writeNames(json.name("notes"), verdict.notes());
        json.endObject();
    }

    private static void writeChanges(JsonWriter json, java.util.List<BaselineVerdict.Change> changes) {
        json.beginArray();
        for (BaselineVerdict.Change change : changes) {
            json.beginObject()
                    .member("metric", change.metric())
                    .member("baseline", change.baseline())
                    .member("measured", change.measured())
                    .member("rule", change.rule())
                    .member("text", change.text())
                    .endObject();
        }
        json.endArray();
    }

    private static void writeNames(JsonWriter json, java.util.List<String> names) {
        json.beginArray();
        names.forEach(json::value);
        json.endArray();
    }

    /**
     * The same summary for every histogram (of nanoseconds, or of allocation sizes in bytes); all
     * zero when nothing was recorded.
     */
    static void writeHistogram(JsonWriter json, Histogram values) {
        boolean empty = values.getTotalCount() == 0;
        json.beginObject()
                .member("count", values.getTotalCount())
                .member("min", empty ? 0 : values.getMinValue())
                .member("p50", values.getValueAtPercentile(50))
                .member("p90", values.getValueAtPercentile(90))
                .member("p99", values.getValueAtPercentile(99))
                .member("p999", values.getValueAtPercentile(99.9))
                .member("max", empty ? 0 : values.getMaxValue())
                .member("mean", empty ? 0.0 : values.getMean())
                .endObject();
    }

}
