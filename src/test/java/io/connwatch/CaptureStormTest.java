package io.connwatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connwatch.tracking.ConnectionTracker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An operator's finger on forceCaptureNow: 1 000 calls from 8 threads write at most one dump a second. */
class CaptureStormTest {
    @TempDir
    Path dumps;

    @Test
    void aThousandForcedCapturesFromEightThreadsWriteAtMostOneDumpASecond() throws Exception {
        Set<Path> returned = ConcurrentHashMap.newKeySet();
        long start = System.nanoTime();
        try (ConnectionMonitor monitor = new ConnectionMonitor(new ConnectionTracker("storm"),
                MonitorSettings.builder().outputDirectory(dumps).build())) {
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<?>> calls = new java.util.ArrayList<>();
                for (int i = 0; i < 1000; i++) {
                    calls.add(pool.submit(() -> returned.add(monitor.forceCaptureNow())));
                }
                for (Future<?> f : calls) {
                    f.get(60, TimeUnit.SECONDS); // none throws
                }
            } finally {
                pool.shutdownNow();
            }
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
            long written;
            try (Stream<Path> files = Files.list(dumps)) {
                written = files.count();
            }
            assertTrue(written >= 1 && written <= seconds + 1, written + " dumps in " + seconds + " s");
            assertEquals(written, monitor.captureCount());
            assertEquals(written, returned.size(), "every caller got the path of a dump that was written");
            for (Path p : returned) {
                assertTrue(Files.isRegularFile(p), p.toString());
            }
        }
    }
}
