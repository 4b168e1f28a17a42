package io.connwatch.jfr;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.connwatch.ConnectionMonitor;
import io.connwatch.MonitorSettings;
import io.connwatch.tracking.ConnectionTracker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import jdk.jfr.Recording;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where dumps go, in process: next to the first running recording with a destination, else the configured folder. */
class RecordingFolderTest {
    @TempDir
    Path tmp;

    private Path configured;
    private ConnectionMonitor monitor;

    @BeforeEach
    void setUp() {
        configured = tmp.resolve("configured");
        monitor = new ConnectionMonitor(new ConnectionTracker("folders"), MonitorSettings.builder()
                .outputDirectory(configured).forcedCaptureInterval(Duration.ZERO).build());
    }

    @AfterEach
    void tearDown() {
        monitor.close();
    }

    @Test
    void dumpsFollowTheRunningRecordingAndFallBackWhenItStops() throws Exception {
        Path recs = Files.createDirectories(tmp.resolve("recs"));
        try (Recording r = new Recording()) {
            r.setDestination(recs.resolve("rec.jfr"));
            r.start();
            assertEquals(recs, monitor.forceCaptureNow().getParent());
            r.stop();
            assertEquals(configured, monitor.forceCaptureNow().getParent(), "a stopped recording is not followed");
        }
    }

    @Test
    void theFirstRecordingWithADestinationWins() throws Exception {
        Path first = Files.createDirectories(tmp.resolve("first"));
        Path second = Files.createDirectories(tmp.resolve("second"));
        try (Recording noFile = new Recording(); Recording a = new Recording(); Recording b = new Recording()) {
            noFile.start();
            a.setDestination(first.resolve("a.jfr"));
            b.setDestination(second.resolve("b.jfr"));
            b.start();
            a.start();
            assertEquals(first, monitor.forceCaptureNow().getParent(), "lowest id, not first started");
            a.stop();
            assertEquals(second, monitor.forceCaptureNow().getParent());
        }
    }

    @Test
    void aRecordingWithoutDestinationLeavesTheConfiguredFolder() throws Exception {
        try (Recording r = new Recording()) {
            r.start();
            assertEquals(configured, monitor.forceCaptureNow().getParent());
        }
    }
}
