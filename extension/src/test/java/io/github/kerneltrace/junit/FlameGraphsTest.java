package io.github.kerneltrace.junit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

/** The pages async-profiler's renderer makes of collapsed stacks: self-contained, titled as told, frames as given. */
class FlameGraphsTest {

    @Test
    void aPageHasTheTitleEscapedAndTheFramesWithoutTheirTypeSuffixes() {
        Map<String, Long> stacks = new TreeMap<>();
        stacks.put("SegmentLogTest.append:12_[0];SegmentLog.appendAll:142_[j];FileOutputStream.write:61_[i]", 99L);
        stacks.put("SegmentLogTest.append:12_[0];SegmentLog.close:80_[0]", 1L);

        String html = FlameGraphs.page("List<byte[]> & more", new FlameStacks(Profile.WRITES, stacks, 100, 100));

        assertThat(html).startsWith("<!DOCTYPE html>").contains("<h1>List&lt;byte[]&gt; &amp; more</h1>")
                .doesNotContain("<script src").doesNotContain("<link");
        assertThat(FlamePages.frames(html)).contains("SegmentLogTest.append:12", "SegmentLog.appendAll:142",
                "FileOutputStream.write:61", "SegmentLog.close:80");
    }

    @Test
    void amountsAreSingularForOne() {
        assertThat(FlameGraphs.amount(new FlameStacks(Profile.WRITES, Map.of(), 1, 1))).isEqualTo("1 Java write");
        assertThat(FlameGraphs.amount(new FlameStacks(Profile.CPU, Map.of(), 2, 2)))
                .isEqualTo("2 samples, one every 1 ms of Java code running");
    }
}
