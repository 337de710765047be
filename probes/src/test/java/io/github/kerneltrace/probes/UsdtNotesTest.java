package io.github.kerneltrace.probes;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** The USDT notes of this JVM's own libjvm.so (both JDKs used here carry HotSpot's probes). */
class UsdtNotesTest {

    private static final Path LIBJVM = Path.of(System.getProperty("java.home"), "lib", "server", "libjvm.so");

    @Test
    void hotspotsProbesAreListedFromTheNotes() {
        Set<String> hotspot = UsdtNotes.probesOf(LIBJVM, "hotspot");

        assertThat(hotspot).contains("thread__park__begin", "thread__park__end", "gc__begin", "gc__end", "class__loaded",
                "thread__stop").hasSizeGreaterThan(30); // 42 names on JDK 17 (532 notes: sites, and other providers)
        assertThat(UsdtNotes.probesOf(LIBJVM, "hs_private")).contains("safepoint__begin", "safepoint__end");
        assertThat(UsdtNotes.probesOf(LIBJVM, "no_such_provider")).isEmpty();
    }

    @Test
    void aNameOffByAnUnderscoreFindsTheProbeItMeant() {
        Set<String> hotspot = UsdtNotes.probesOf(LIBJVM, "hotspot");

        assertThat(UsdtNotes.alike(hotspot, "thread__park_begin", 3)).first().isEqualTo("thread__park__begin");
        assertThat(UsdtNotes.alike(hotspot, "gc_begin", 2)).contains("gc__begin");
    }

    @Test
    void aFileThatIsNotElfListsNothing() {
        assertThat(UsdtNotes.probesOf(Path.of("/proc/self/status"), "hotspot")).isEmpty();
        assertThat(UsdtNotes.probesOf(Path.of("/no/such/file"), "hotspot")).isEmpty();
    }
}
