package io.github.kerneltrace.junit.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.Map;

/**
 * Per-test reports as read from their files, kept while a file is unchanged (same size and
 * modification time), so that a directory read again reads only what was written since. The
 * map is guarded by this object's monitor.
 */
final class ReadReports {

    private record Read(FileTime modified, long size, TestEntry test) {
    }

    private final Map<Path, Read> byFile = new HashMap<>();

    /** The report in {@code file}, or null when the file is JSON but not a per-test report. */
    TestEntry testEntry(Path file) throws IOException {
        BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
        Path key = file; // as listed: the entry keeps the file name it was read under
        synchronized (this) {
            Read read = byFile.get(key);
            if (read != null && read.modified().equals(attributes.lastModifiedTime()) && read.size() == attributes.size()) {
                return read.test();
            }
        }
        Map<?, ?> root = RunReport.object(Json.parse(Files.readString(file)));
        TestEntry test = null;
        if (root.containsKey("schemaVersion") && root.containsKey("test")) {
            @SuppressWarnings("unchecked")
            Map<String, Object> report = (Map<String, Object>) root;
            test = TestEntry.of(file.toString(), report);
        }
        synchronized (this) {
            byFile.put(key, new Read(attributes.lastModifiedTime(), attributes.size(), test));
        }
        return test;
    }
}
