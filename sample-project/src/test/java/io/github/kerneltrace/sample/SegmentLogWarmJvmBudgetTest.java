package io.github.kerneltrace.sample;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.kerneltrace.junit.KernelTrace;
import io.github.kerneltrace.junit.MaxClassesLoaded;
import io.github.kerneltrace.junit.MaxGcPauses;

/**
 * The log's warm path, as the JVM sees it (HotSpot's own probes, attached for this class only): a
 * batch of 100 appends and 100 reads on a warm log must not cause a full garbage collection and
 * must load no class. A change that copies every payload into a fresh large array, or that builds
 * a new reader class per call, shows here as a full GC or as classes loaded, with the figure.
 *
 * <p>A GC pause stops every thread of the JVM, so it is counted for the test whose window is open
 * whichever thread caused it: the budget is on full collections, which nothing else in this suite
 * causes. Classes loaded are the test thread's own. Named to run last (the sample runs its classes
 * in alphabetical order), so that attaching the probes changes nothing for the others' baselines.
 */
@KernelTrace
class SegmentLogWarmJvmBudgetTest {

    @TempDir
    Path dir;

    SegmentLog log;
    List<RecordPosition> positions;

    @BeforeEach
    void openWarm() throws IOException {
        log = SegmentLog.open(dir, SegmentLog.Options.defaults().withFsyncPolicy(FsyncPolicy.ON_CLOSE));
        positions = log.appendAll(SegmentLogKernelBudgetTest.HUNDRED_RECORDS);
        appendAndReadBatch();
    }

    @AfterEach
    void close() throws IOException {
        log.close();
    }

    void appendAndReadBatch() throws IOException {
        log.appendAll(SegmentLogKernelBudgetTest.HUNDRED_RECORDS);
        for (RecordPosition position : positions) {
            log.read(position);
        }
    }

    @Test
    @MaxGcPauses(value = 0, full = true)
    @MaxClassesLoaded(0)
    void warmBatchCausesNoFullGcAndLoadsNoClass() throws IOException {
        appendAndReadBatch();
    }
}
