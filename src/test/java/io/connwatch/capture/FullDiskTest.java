package io.connwatch.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connwatch.ConnectionMonitor;
import io.connwatch.FakeEndpoint;
import io.connwatch.MonitorSettings;
import io.connwatch.tracking.ConnectionTracker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A full disk (a 64 KiB tmpfs) costs the dump, not the monitor, and leaves no partial file. */
class FullDiskTest {
    @TempDir
    Path tmp;

    private static boolean run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    }

    @Test
    void aFullDiskCostsTheDumpAndTheMonitorGoesOn() throws Exception {
        Path disk = Files.createDirectory(tmp.resolve("disk"));
        Assumptions.assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", disk.toString()),
                "mounting a small tmpfs needs root (CI runs as root)");
        try {
            ConnectionTracker tracker = new ConnectionTracker("full-disk");
            for (int i = 0; i < 400; i++) {
                tracker.open(new FakeEndpoint(), "203.0.113." + (i % 250), 40000 + i, 8443).target("10.0.0.5", 8080);
            }
            try (ConnectionMonitor monitor = new ConnectionMonitor(tracker, MonitorSettings.builder()
                    .outputDirectory(disk).forcedCaptureInterval(Duration.ZERO).build())) {
                IllegalStateException e = assertThrows(IllegalStateException.class, monitor::forceCaptureNow);
                assertTrue(e.getMessage().contains("No space left") || e.getMessage().contains("capture failed"),
                        e.getMessage());
                assertEquals(1, monitor.captureFailures());
                try (Stream<Path> left = Files.list(disk)) {
                    assertEquals(List.of(), left.toList(), "no partial or temporary file left");
                }
                assertEquals(400, monitor.checkNow().activeConnections(), "the monitor goes on");

                monitor.updateSettings(b -> b.maxConnectionDetails(0));
                Path small = monitor.forceCaptureNow();
                assertTrue(Files.isRegularFile(small), "a dump that fits is written");
                assertEquals(1, monitor.captureCount());
            }
        } finally {
            run("umount", disk.toString());
        }
    }
}
