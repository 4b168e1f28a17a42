package io.connwatch.capture;

import static io.connwatch.testing.TestTimes.atMost;
import static io.connwatch.testing.TestTimes.ms;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connwatch.ConnectionMonitor;
import io.connwatch.FakeEndpoint;
import io.connwatch.MonitorSettings;
import io.connwatch.jmx.JmxRegistration;
import io.connwatch.testing.Tools;
import io.connwatch.tracking.ConnectionTracker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Disk faults cost the dump, not the monitor: a full disk (a 64 KiB tmpfs) and a read-only one (a tmpfs mounted
 * {@code ro}: as root, file permissions would not stop the write). Each failed dump leaves no partial file, is counted
 * in the MBean's {@code CaptureFailures}, and is a {@code io.connwatch.DiagnosticCapture} JFR event carrying the
 * error; the monitor's checks go on, and a later dump into a writable folder is written. Skipped where mounting is
 * refused (not root); CI runs as root.
 */
class FullDiskTest {
    private static final String CAPTURE = "io.connwatch.DiagnosticCapture";

    @TempDir
    Path tmp;

    private final MBeanServer mbeans = MBeanServerFactory.newMBeanServer();
    private final List<RecordedEvent> captures = new CopyOnWriteArrayList<>();
    private RecordingStream stream;

    @BeforeEach
    void recordCaptures() {
        stream = new RecordingStream();
        stream.enable(CAPTURE);
        stream.onEvent(CAPTURE, captures::add);
        stream.startAsync();
    }

    @AfterEach
    void stopRecording() {
        stream.close();
    }

    private static boolean run(String... cmd) throws IOException, InterruptedException {
        return Tools.run(atMost(30_000), cmd).ok();
    }

    private static ConnectionTracker tracker(String name, int connections) {
        ConnectionTracker tracker = new ConnectionTracker(name);
        for (int i = 0; i < connections; i++) {
            tracker.open(new FakeEndpoint(), "203.0.113." + (i % 250), 40000 + i, 8443).target("10.0.0.5", 8080);
        }
        return tracker;
    }

    private long captureFailuresInTheMBean(ObjectName name) throws Exception {
        return (Long) mbeans.getAttribute(name, "CaptureFailures");
    }

    /** The capture event of this monitor with an error, once the stream has delivered it. */
    private RecordedEvent failedCaptureEvent(String monitor, String trigger) {
        return await().atMost(atMost(15_000)).until(() -> captures.stream()
                .filter(e -> monitor.equals(e.getString("monitor")) && trigger.equals(e.getString("trigger"))
                        && !e.getString("error").isEmpty())
                .findFirst().orElse(null), e -> e != null);
    }

    private static List<Path> filesIn(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }

    @Test
    void aFullDiskCostsTheDumpAndTheMonitorGoesOn() throws Exception {
        Path disk = Files.createDirectory(tmp.resolve("disk"));
        Assumptions.assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", disk.toString()),
                "mounting a small tmpfs needs root (CI runs as root)");
        try {
            ConnectionTracker tracker = tracker("full-disk", 400);
            try (ConnectionMonitor monitor = new ConnectionMonitor(tracker, MonitorSettings.builder()
                    .outputDirectory(disk).forcedCaptureInterval(Duration.ZERO).build())) {
                ObjectName name = JmxRegistration.register(monitor, mbeans);
                IllegalStateException e = assertThrows(IllegalStateException.class, monitor::forceCaptureNow);
                assertTrue(e.getMessage().contains("No space left") || e.getMessage().contains("capture failed"),
                        e.getMessage());
                assertEquals(1, monitor.captureFailures());
                assertEquals(1, captureFailuresInTheMBean(name), "CaptureFailures counts it");
                assertEquals(List.of(), filesIn(disk), "no partial or temporary file left");

                RecordedEvent event = failedCaptureEvent("full-disk", "force_capture");
                assertTrue(event.getString("error").contains("No space left on device"), event.getString("error"));
                assertTrue(event.getString("file").startsWith(disk.toString()), event.getString("file"));
                assertEquals(0, event.getLong("bytesWritten"));

                assertEquals(400, monitor.checkNow().activeConnections(), "the monitor goes on");
                // 400 > 50: the check's accumulation dump does not fit either, and is counted too
                assertEquals(2, captureFailuresInTheMBean(name));
                assertEquals(List.of(), filesIn(disk), "no partial or temporary file left");
                failedCaptureEvent("full-disk", "accumulation");

                monitor.updateSettings(b -> b.maxConnectionDetails(0));
                Path small = monitor.forceCaptureNow();
                assertTrue(Files.isRegularFile(small), "a dump that fits is written");
                assertEquals(1, monitor.captureCount());
                assertEquals(2, captureFailuresInTheMBean(name), "the success is not a failure");
            }
        } finally {
            run("umount", disk.toString());
        }
    }

    @Test
    void aReadOnlyFolderCostsTheDumpAndTheChecksGoOn() throws Exception {
        Path disk = Files.createDirectory(tmp.resolve("read-only"));
        Assumptions.assumeTrue(run("mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", disk.toString()),
                "mounting a read-only tmpfs needs root (CI runs as root)");
        try {
            assertFalse(run("touch", disk.resolve("probe").toString()), "the mount is read-only, even for root");
            ConnectionTracker tracker = tracker("read-only", 5);
            Path writable = tmp.resolve("writable");
            try (ConnectionMonitor monitor = new ConnectionMonitor(tracker, MonitorSettings.builder()
                    .outputDirectory(disk).accumulationThreshold(3).checkInterval(ms(100))
                    .forcedCaptureInterval(Duration.ZERO).build())) {
                ObjectName name = JmxRegistration.register(monitor, mbeans);
                monitor.start();
                // The first periodic check finds 5 > 3: an accumulation whose dump cannot be written.
                await().atMost(atMost(10_000)).until(() -> monitor.captureFailures() == 1);
                RecordedEvent auto = failedCaptureEvent("read-only", "accumulation");
                assertTrue(auto.getString("error").contains("Read-only file system"), auto.getString("error"));
                assertEquals(1, captureFailuresInTheMBean(name));
                Object checkedAt = mbeans.getAttribute(name, "LastCheckTime");
                await().atMost(atMost(10_000)).until(() -> !mbeans.getAttribute(name, "LastCheckTime").equals(checkedAt));
                assertTrue(monitor.isRunning(), "the next checks still run");

                // Forced, into the read-only folder and into a folder that cannot be created there.
                assertThrows(IllegalStateException.class, monitor::forceCaptureNow);
                monitor.updateSettings(b -> b.outputDirectory(disk.resolve("sub")));
                IllegalStateException e = assertThrows(IllegalStateException.class, monitor::forceCaptureNow);
                assertTrue(e.getMessage().contains("Read-only file system"), e.getMessage());
                assertEquals(3, captureFailuresInTheMBean(name), "every failure counted");
                assertEquals(0, monitor.captureCount());
                assertEquals(List.of(), filesIn(disk), "no partial or temporary file, no folder");
                RecordedEvent forced = failedCaptureEvent("read-only", "force_capture");
                assertTrue(forced.getString("error").contains("Read-only file system"), forced.getString("error"));

                monitor.updateSettings(b -> b.outputDirectory(writable));
                Path written = monitor.forceCaptureNow();
                assertTrue(Files.isRegularFile(written) && written.startsWith(writable), String.valueOf(written));
                assertEquals(1, monitor.captureCount());
                assertEquals(3, captureFailuresInTheMBean(name));
                await().atMost(atMost(15_000)).until(() -> captures.stream().anyMatch(ev ->
                        "read-only".equals(ev.getString("monitor")) && ev.getString("error").isEmpty()
                                && written.toString().equals(ev.getString("file"))));
            }
        } finally {
            run("umount", disk.toString());
        }
    }
}
