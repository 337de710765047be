package io.github.kerneltrace.probes.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kernel's HdrHistogram index (bpf/hdr_index.h, compiled here with gcc for the host) equals
 * its Java twin, {@link LatencyHistograms#countsIndex}, over a million values: every value up to
 * 4096, every power of two and its neighbours, and random values on a log scale up to 2^63.
 * LatencyHistogramsTest checks the Java twin against HdrHistogram itself.
 */
class HdrIndexInCTest {

    private static final Path HEADER_DIR = Path.of("..", "bpf").toAbsolutePath().normalize();
    private static final String PROGRAM = """
            #include <stdbool.h>
            #include <stdio.h>
            #include <linux/types.h>
            #define __always_inline inline __attribute__((always_inline))
            #include "hdr_index.h"
            int main(void)
            {
            	unsigned long long value;
            	while (scanf("%llu", &value) == 1)
            		printf("%u\\n", (unsigned)hdr_index(value));
            	return 0;
            }
            """;

    @Test
    void theKernelsIndexIsTheJavaTwinsForAMillionValues(@TempDir Path work) throws Exception {
        assertThat(HEADER_DIR.resolve("hdr_index.h")).exists();
        Files.writeString(work.resolve("index.c"), PROGRAM);
        Process gcc = new ProcessBuilder("gcc", "-O2", "-I" + HEADER_DIR, "-o", work.resolve("index").toString(),
                work.resolve("index.c").toString()).redirectErrorStream(true).start();
        String compiled = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(gcc.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(gcc.exitValue()).as("gcc: " + compiled).isZero();

        long[] values = values();
        Process index = new ProcessBuilder(work.resolve("index").toString()).start();
        Thread feeder = new Thread(() -> {
            try (BufferedWriter in = new BufferedWriter(new OutputStreamWriter(index.getOutputStream(), StandardCharsets.US_ASCII))) {
                for (long value : values) {
                    in.write(Long.toUnsignedString(value));
                    in.newLine();
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        feeder.start();
        int checked = 0;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(index.getInputStream(), StandardCharsets.US_ASCII))) {
            for (long value : values) {
                int kernel = Integer.parseInt(out.readLine());
                if (kernel != LatencyHistograms.countsIndex(value)) {
                    assertThat(kernel).as("index of %d", value).isEqualTo(LatencyHistograms.countsIndex(value));
                }
                checked++;
            }
        }
        feeder.join();
        assertThat(index.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(checked).isEqualTo(values.length).isGreaterThanOrEqualTo(1_000_000);
    }

    private static long[] values() {
        List<Long> edges = new java.util.ArrayList<>();
        for (long v = 0; v <= 4096; v++) {
            edges.add(v);
        }
        for (int bit = 1; bit < 63; bit++) {
            edges.add((1L << bit) - 1);
            edges.add(1L << bit);
            edges.add((1L << bit) + 1);
        }
        edges.add(Long.MAX_VALUE);
        long[] values = new long[1_000_000 + edges.size()];
        for (int i = 0; i < edges.size(); i++) {
            values[i] = edges.get(i);
        }
        SplittableRandom random = new SplittableRandom(20261130);
        for (int i = edges.size(); i < values.length; i++) {
            values[i] = (long) Math.exp(random.nextDouble(Math.log(Long.MAX_VALUE)));
        }
        return values;
    }
}
