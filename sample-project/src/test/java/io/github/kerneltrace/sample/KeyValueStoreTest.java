package io.github.kerneltrace.sample;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Plain functional tests of the store: the newest value wins, deletes stick, all of it survives a reopen. */
class KeyValueStoreTest {

    @TempDir
    Path dir;

    private final SegmentLog.Options options = SegmentLog.Options.defaults().withMaxSegmentBytes(4096);

    @Test
    void getReturnsTheNewestValue() throws IOException {
        try (KeyValueStore store = KeyValueStore.open(dir, options)) {
            store.put("colour", bytes("red"));
            store.put("colour", bytes("blue"));

            assertThat(store.get("colour")).hasValueSatisfying(v -> assertThat(v).asString(UTF_8).isEqualTo("blue"));
            assertThat(store.get("missing")).isEmpty();
            assertThat(store.size()).isEqualTo(1);
        }
    }

    @Test
    void deleteRemovesTheKey() throws IOException {
        try (KeyValueStore store = KeyValueStore.open(dir, options)) {
            store.put("k", bytes("v"));
            store.delete("k");
            store.delete("never-there");

            assertThat(store.get("k")).isEmpty();
            assertThat(store.contains("k")).isFalse();
        }
    }

    @Test
    void reopeningRebuildsTheIndexFromTheLog() throws IOException {
        try (KeyValueStore store = KeyValueStore.open(dir, options)) {
            for (int i = 0; i < 500; i++) {
                store.put("key-" + (i % 100), bytes("value-" + i)); // five generations per key
            }
            store.delete("key-7");
            Map<String, byte[]> batch = new LinkedHashMap<>();
            batch.put("batched-a", bytes("A"));
            batch.put("batched-b", bytes("B"));
            store.putAll(batch);
        }

        try (KeyValueStore store = KeyValueStore.open(dir, options)) {
            assertThat(store.log().segmentFiles()).hasSizeGreaterThan(1); // the index spans segments
            assertThat(store.size()).isEqualTo(101);
            assertThat(store.get("key-42")).hasValueSatisfying(v -> assertThat(v).asString(UTF_8).isEqualTo("value-442"));
            assertThat(store.get("key-7")).isEmpty();
            assertThat(store.get("batched-b")).hasValueSatisfying(v -> assertThat(v).asString(UTF_8).isEqualTo("B"));
        }
    }

    @Test
    void keysAndValuesMayBeAnyUtf8AndBytes() throws IOException {
        byte[] binary = {0, -1, 42, 0, 0};
        try (KeyValueStore store = KeyValueStore.open(dir, options)) {
            store.put("clé-ключ-鍵", binary);
            store.put("empty", new byte[0]);
        }
        try (KeyValueStore store = KeyValueStore.open(dir, options)) {
            assertThat(store.get("clé-ключ-鍵")).hasValue(binary);
            assertThat(store.get("empty")).hasValue(new byte[0]);
        }
    }

    @Test
    void anEmptyKeyIsRefused() throws IOException {
        try (KeyValueStore store = KeyValueStore.open(dir, options)) {
            assertThatThrownBy(() -> store.put("", bytes("v"))).isInstanceOf(IllegalArgumentException.class);
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(UTF_8);
    }
}
