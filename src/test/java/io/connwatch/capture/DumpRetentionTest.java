package io.connwatch.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connwatch.ConnectionMonitor;
import io.connwatch.MonitorSettings;
import io.connwatch.tracking.ConnectionTracker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A dump folder stays bounded: the oldest connwatch dumps go first, nothing else is ever deleted. */
class DumpRetentionTest {
    @TempDir
    Path dumps;

    private Path oldDump(int day, int bytes) throws IOException {
        Path p = dumps.resolve(String.format("accumulation_2025-06-%02dT20-20-43-733Z_accumulation.json", day));
        return Files.write(p, new byte[bytes]);
    }

    private List<String> dumpNames() throws IOException {
        try (Stream<Path> files = Files.list(dumps)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("accumulation_")
                    && n.endsWith(".json")).sorted().toList();
        }
    }

    @Test
    void theOldestDumpsGoFirstAndOtherFilesStay() throws IOException {
        for (int day = 1; day <= 5; day++) {
            oldDump(day, 10);
        }
        Path notes = Files.writeString(dumps.resolve("notes.txt"), "mine");
        Path recording = Files.writeString(dumps.resolve("rec.jfr"), "not a dump");
        Path lookalike = Files.writeString(dumps.resolve("accumulation_keep.txt"), "not json");
        try (ConnectionMonitor m = new ConnectionMonitor(new ConnectionTracker("retention"),
                MonitorSettings.builder().outputDirectory(dumps).maxDumpFiles(3).build())) {
            Path written = m.forceCaptureNow();
            List<String> left = dumpNames();
            assertEquals(3, left.size(), left.toString());
            assertTrue(left.contains(written.getFileName().toString()), "the new dump stays");
            assertTrue(left.contains("accumulation_2025-06-05T20-20-43-733Z_accumulation.json"));
            assertTrue(left.contains("accumulation_2025-06-04T20-20-43-733Z_accumulation.json"));
            assertTrue(Files.exists(notes) && Files.exists(recording) && Files.exists(lookalike),
                    "nothing but connwatch dumps is deleted");
        }
    }

    @Test
    void theFolderStaysUnderItsByteLimit() throws IOException {
        for (int day = 1; day <= 3; day++) {
            oldDump(day, 600 * 1024);
        }
        try (ConnectionMonitor m = new ConnectionMonitor(new ConnectionTracker("retention-bytes"),
                MonitorSettings.builder().outputDirectory(dumps).maxDumpBytes(1L << 20).build())) {
            Path written = m.forceCaptureNow();
            long total = 0;
            for (String n : dumpNames()) {
                total += Files.size(dumps.resolve(n));
            }
            assertTrue(total <= 1L << 20, total + " bytes left");
            assertTrue(Files.exists(written));
            assertFalse(Files.exists(dumps.resolve("accumulation_2025-06-01T20-20-43-733Z_accumulation.json")));
        }
    }

    @Test
    void dumpsOfOneMillisecondGoInTheOrderTheyWereWritten() throws IOException {
        Path first = Files.writeString(dumps.resolve("accumulation_2020-01-01T00-00-00-000Z_force_capture.json"), "{}");
        Path second = Files.writeString(dumps.resolve("accumulation_2020-01-01T00-00-00-000Z_force_capture-2.json"), "{}");
        Path third = Files.writeString(dumps.resolve("accumulation_2020-01-01T00-00-00-000Z_force_capture-3.json"), "{}");
        assertEquals(1, new DumpRetention(2, 1L << 30).prune(dumps, third));
        assertFalse(Files.exists(first), "the first written goes first");
        assertTrue(Files.exists(second) && Files.exists(third));
    }

    @Test
    void limitsAreValidated() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> MonitorSettings.builder().maxDumpFiles(0))
                .getMessage().contains("maxDumpFiles"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> MonitorSettings.builder().maxDumpBytes(1000))
                .getMessage().contains("maxDumpBytes"));
        MonitorSettings d = MonitorSettings.defaults();
        assertEquals(100, d.maxDumpFiles());
        assertEquals(1L << 30, d.maxDumpBytes());
    }
}
