package io.connwatch;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.connwatch.analysis.CheckResult;
import io.connwatch.analysis.Pattern;
import io.connwatch.capture.CaptureResult;
import io.connwatch.capture.CaptureTrigger;
import io.connwatch.tracking.ConnectionTracker;
import io.connwatch.tracking.TerminationReason;
import io.connwatch.tracking.TrackedConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Bad settings are refused with a reason; broken endpoints, disks and listeners are survived. */
class BadInputTest {
    @TempDir
    Path tmp;

    private ConnectionMonitor monitor;

    @AfterEach
    void closeMonitor() {
        if (monitor != null) {
            monitor.close();
        }
    }

    static Stream<Arguments> badSettings() {
        return Stream.of(
                bad("checkInterval", b -> b.checkInterval(Duration.ofMillis(99))),
                bad("checkInterval", b -> b.checkInterval(Duration.ofSeconds(-5))),
                bad("accumulationThreshold", b -> b.accumulationThreshold(0)),
                bad("accumulationThreshold", b -> b.accumulationThreshold(-1)),
                bad("spikeThreshold", b -> b.spikeThreshold(0)),
                bad("jitter", b -> b.jitter(0.6)),
                bad("jitter", b -> b.jitter(-0.01)),
                bad("trendSize", b -> b.trendSize(0)),
                bad("keepAliveMultiplier", b -> b.keepAliveMultiplier(0)),
                bad("captureCooldown", b -> b.captureCooldown(Duration.ofSeconds(-1))),
                bad("forcedCaptureInterval", b -> b.forcedCaptureInterval(Duration.ofMillis(-1))),
                bad("cleanupInterval", b -> b.cleanupInterval(Duration.ofSeconds(-10))),
                bad("stuckAfter", b -> b.stuckAfter(Duration.ofSeconds(-60))),
                bad("stuckAfterTls", b -> b.stuckAfterTls(Duration.ZERO)),
                bad("halfZombieGrace", b -> b.halfZombieGrace(Duration.ofSeconds(-30))),
                bad("connectTimeout", b -> b.connectTimeout(Duration.ofSeconds(-30))),
                bad("idleAfter", b -> b.idleAfter(Duration.ofMinutes(-5))),
                bad("inactivityTimeout", b -> b.inactivityTimeout(Duration.ofHours(-4))),
                bad("maxLifetime", b -> b.maxLifetime(Duration.ofHours(-24))),
                bad("slowAfter", b -> b.slowAfter(Duration.ofMinutes(-5))),
                bad("listenerLeakThreshold", b -> b.listenerLeakThreshold(0)),
                bad("maxConnectionDetails", b -> b.maxConnectionDetails(-1)),
                bad("outputDirectory", b -> b.outputDirectory(Paths.get("dumps", "..", "etc"))),
                bad("outputDirectory", b -> b.outputDirectory(Paths.get("/var/log/../../etc"))));
    }

    private static Arguments bad(String setting, UnaryOperator<MonitorSettings.Builder> change) {
        return Arguments.of(setting, change);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badSettings")
    void theBuilderRefusesOutOfRangeValuesNamingTheSetting(String setting, UnaryOperator<MonitorSettings.Builder> change) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> change.apply(MonitorSettings.builder()).build());
        assertNotNull(e.getMessage());
        assertTrue(e.getMessage().contains(setting), "the message names " + setting + ": " + e.getMessage());
    }

    @Test
    void theBuilderAcceptsTheEdgesOfTheRanges() {
        MonitorSettings s = MonitorSettings.builder()
                .checkInterval(Duration.ofMillis(100))
                .accumulationThreshold(1)
                .spikeThreshold(1)
                .jitter(0.5)
                .trendSize(1)
                .keepAliveMultiplier(1)
                .captureCooldown(Duration.ZERO)
                .outputDirectory(tmp.resolve("dumps"))
                .build();
        assertEquals(Duration.ofMillis(100), s.checkInterval());
        assertEquals(1, s.accumulationThreshold());
        assertEquals(0.5, s.jitter());
        assertEquals(tmp.resolve("dumps"), s.outputDirectory());
    }

    @Test
    void updateSettingsWithABadValueThrowsAndChangesNothing() {
        monitor = new ConnectionMonitor(new ConnectionTracker("bad-update"),
                MonitorSettings.builder().accumulationThreshold(75).build());
        MonitorSettings before = monitor.settings();

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> monitor.updateSettings(b -> b.spikeThreshold(30).accumulationThreshold(0)));
        assertTrue(e.getMessage().contains("accumulationThreshold"), e.getMessage());
        assertSame(before, monitor.settings());
        assertEquals(75, monitor.settings().accumulationThreshold());
        assertEquals(20, monitor.settings().spikeThreshold(), "the valid change before the bad one is not applied");

        assertThrows(IllegalArgumentException.class,
                () -> monitor.updateSettings(b -> b.checkInterval(Duration.ofMillis(10))));
        assertEquals(Duration.ofSeconds(5), monitor.settings().checkInterval());

        // A good update still works afterwards.
        assertEquals(30, monitor.updateSettings(b -> b.spikeThreshold(30)).spikeThreshold());
        assertEquals(30, monitor.settings().spikeThreshold());
    }

    @Test
    void aThrowingProbeCostsOnlyThatConnection() throws Exception {
        FakeTicker ticker = new FakeTicker();
        ConnectionTracker tracker = new ConnectionTracker("broken-probe", ticker);
        monitor = new ConnectionMonitor(tracker, MonitorSettings.builder()
                .outputDirectory(tmp.resolve("dumps")).forcedCaptureInterval(Duration.ZERO).build());

        FakeEndpoint broken = FakeEndpoint.throwing();
        TrackedConnection brokenConn = tracker.open(broken, "203.0.113.1", 40001, 8080);
        brokenConn.target("10.0.0.5", 8080).attachOutgoing(new FakeEndpoint());
        TrackedConnection stuck = tracker.open(new FakeEndpoint(), "203.0.113.2", 40002, 8080);
        stuck.target("10.0.0.5", 8080).attachOutgoing(new FakeEndpoint());
        stuck.addBytesReceived(36);
        TrackedConnection noBackend = tracker.open(new FakeEndpoint(), "203.0.113.3", 40003, 8080);
        // Past the stuck and connect deadlines, with their 5 % jitter.
        ticker.advance(Duration.ofSeconds(70));

        CheckResult r = monitor.checkNow();

        assertEquals(1, r.probeFailures());
        assertEquals(3, r.activeConnections());
        assertEquals(2, r.examined());
        assertEquals(1, r.count(Pattern.STUCK));
        assertEquals(1, r.count(Pattern.NO_OUTGOING));
        assertEquals(1, monitor.probeFailures());
        assertEquals(2, monitor.checkNow().examined());
        assertEquals(2, monitor.probeFailures(), "each check counts its failures");

        // A dump is still written, with the others in it.
        JsonNode dump = new ObjectMapper().readTree(monitor.forceCaptureNow().toFile());
        assertEquals(3, dump.path("connections").size());
        assertEquals(1, dump.path("summary").path("stuck").asLong());
        int withError = 0;
        for (JsonNode c : dump.path("connections")) {
            if (c.path("incomingState").has("error")) {
                withError++;
                assertEquals(brokenConn.id(), c.path("id").asText());
            }
        }
        assertEquals(1, withError, "the broken endpoint's state says it could not be read");

        // The sweep cleans the others and leaves the broken one alone.
        assertEquals(2, monitor.cleanupNow());
        assertEquals(TerminationReason.STUCK_NO_RESPONSE, stuck.terminationReason());
        assertEquals(TerminationReason.CONNECT_TIMEOUT, noBackend.terminationReason());
        assertFalse(brokenConn.connectionClosed());
        assertEquals(1, tracker.activeConnections());
    }

    @Test
    void anUnwritableDumpFolderFailsTheCaptureAndIsSurvived() throws Exception {
        Path file = tmp.resolve("file.txt");
        Files.writeString(file, "not a folder", StandardCharsets.UTF_8);
        // Root ignores permissions, but nothing creates a folder under a regular file.
        Path unwritable = file.resolve("dumps");
        ConnectionTracker tracker = new ConnectionTracker("bad-disk");
        tracker.open(new FakeEndpoint(), "203.0.113.1", 40001, 8080);
        monitor = new ConnectionMonitor(tracker, MonitorSettings.builder().outputDirectory(unwritable).build());
        List<CaptureResult> seen = new CopyOnWriteArrayList<>();
        monitor.addListener(new MonitorListener() {
            @Override
            public void onCapture(ConnectionMonitor m, CaptureResult result) {
                seen.add(result);
            }
        });

        IllegalStateException e = assertThrows(IllegalStateException.class, monitor::forceCaptureNow);

        assertTrue(e.getMessage().contains("capture failed"), e.getMessage());
        assertTrue(e.getMessage().contains("file.txt"), "the message says where: " + e.getMessage());
        assertEquals(1, monitor.captureFailures());
        assertEquals(0, monitor.captureCount());
        assertEquals(1, seen.size());
        CaptureResult failed = seen.get(0);
        assertFalse(failed.succeeded());
        assertNotNull(failed.error());
        assertEquals(CaptureTrigger.FORCE_CAPTURE, failed.trigger());
        assertEquals(0, failed.bytesWritten());
        try (Stream<Path> left = Files.walk(tmp)) {
            assertEquals(List.of(tmp, file), left.sorted().toList(), "nothing left behind");
        }
        assertEquals("not a folder", Files.readString(file, StandardCharsets.UTF_8));

        // Monitoring goes on.
        assertEquals(1, monitor.checkNow().activeConnections());

        // And a good folder works at once, though the failed attempt was less than a second ago.
        Path good = tmp.resolve("good");
        monitor.updateSettings(b -> b.outputDirectory(good));
        Path dump = monitor.forceCaptureNow();
        assertTrue(Files.isRegularFile(dump), String.valueOf(dump));
        assertEquals(good, dump.getParent());
        assertTrue(Files.size(dump) > 0);
        assertEquals(1, monitor.captureCount());
        assertEquals(1, monitor.captureFailures());
        assertEquals(2, seen.size());
        assertTrue(seen.get(1).succeeded());
        assertEquals(dump, seen.get(1).file());
    }

    @Test
    void aListenerThatThrowsFromOnCheckDoesNotStopChecks() {
        ConnectionTracker tracker = new ConnectionTracker("bad-listener");
        monitor = new ConnectionMonitor(tracker, MonitorSettings.builder()
                .checkInterval(Duration.ofMillis(100)).outputDirectory(tmp.resolve("dumps")).build());
        AtomicInteger thrown = new AtomicInteger();
        AtomicInteger seenByNext = new AtomicInteger();
        monitor.addListener(new MonitorListener() {
            @Override
            public void onCheck(ConnectionMonitor m, CheckResult result) {
                thrown.incrementAndGet();
                throw new IllegalStateException("listener bug");
            }
        });
        monitor.addListener(new MonitorListener() {
            @Override
            public void onCheck(ConnectionMonitor m, CheckResult result) {
                seenByNext.incrementAndGet();
            }
        });

        assertNotNull(monitor.checkNow(), "an on-demand check returns its result");
        assertEquals(1, thrown.get());
        assertEquals(1, seenByNext.get(), "the next listener is still told");

        monitor.start();
        // Listeners hear a check after it is counted: wait on what they heard.
        await().atMost(Duration.ofSeconds(10)).until(() -> thrown.get() >= 4 && seenByNext.get() >= 4);
        assertTrue(monitor.checkCount() >= 4);
        assertEquals(0, monitor.taskFailures());
        assertTrue(monitor.isRunning());
    }
}
