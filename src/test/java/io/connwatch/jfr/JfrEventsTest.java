package io.connwatch.jfr;

import static io.connwatch.testing.TestTimes.ms;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connwatch.ConnectionMonitor;
import io.connwatch.MonitorSettings;
import io.connwatch.analysis.CheckResult;
import io.connwatch.analysis.Pattern;
import io.connwatch.testing.LoopbackPatterns;
import io.connwatch.testing.SocketPairs;
import io.connwatch.tracking.ConnectionTracker;
import io.connwatch.tracking.Endpoints;
import io.connwatch.tracking.Side;
import io.connwatch.tracking.TerminationReason;
import io.connwatch.tracking.TrackedConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import jdk.jfr.EventType;
import jdk.jfr.FlightRecorder;
import jdk.jfr.ValueDescriptor;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import jdk.jfr.consumer.RecordingStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each connwatch event seen by an in-process {@link RecordingStream}, with the values of the scenario driven. */
class JfrEventsTest {
    private static final List<String> NAMES = JfrIntegration.EVENT_NAMES;

    @TempDir
    Path dumps;

    private final List<RecordedEvent> events = new CopyOnWriteArrayList<>();
    private ConnectionMonitor monitor;
    private RecordingStream stream;

    @AfterEach
    void tearDown() {
        if (monitor != null) {
            monitor.close();
        }
        if (stream != null) {
            stream.close();
        }
    }

    private List<RecordedEvent> of(String name) {
        return events.stream().filter(e -> e.getEventType().getName().equals(name)).collect(Collectors.toList());
    }

    @Test
    void theEventTypesAreTheDocumentedOnes() {
        assertEquals(List.of("io.connwatch.ConnectionAccumulation", "io.connwatch.ConnectionSpike",
                "io.connwatch.ConnectionCleanup", "io.connwatch.DiagnosticCapture", "io.connwatch.ConnectionStatistics",
                "io.connwatch.PatternTally", "io.connwatch.ConnectionOpened", "io.connwatch.ConnectionClosed"),
                JfrIntegration.EVENT_NAMES);
    }

    @Test
    void everyEventTypeCarriesTheScenariosFigures() throws Exception {
        ConnectionTracker tracker = new ConnectionTracker("edge");
        monitor = new ConnectionMonitor(tracker, MonitorSettings.builder().outputDirectory(dumps)
                .accumulationThreshold(3).spikeThreshold(3).captureCooldown(Duration.ZERO)
                .stuckAfter(ms(300)).jitter(0).build());
        stream = new RecordingStream();
        for (String name : NAMES) {
            stream.enable(name).withPeriod(Duration.ofMillis(100));
        }
        stream.onEvent(events::add);
        stream.startAsync();
        // The stream records from a moment after startAsync. Another test's recording still running in this JVM may
        // meanwhile emit this monitor's statistics, whose period counts would then be lost to this stream: wait until
        // the stream itself carries one before the scenario opens anything.
        await().atMost(ms(15000)).until(() -> of("io.connwatch.ConnectionStatistics").stream()
                .anyMatch(e -> e.getString("monitor").equals("edge")));

        try (SocketPairs sockets = new SocketPairs()) {
            monitor.checkNow();
            TrackedConnection stuck = tracker.open(sockets.accept()).target("10.0.0.5", 8080);
            stuck.attachOutgoing(Endpoints.of(sockets.accept()));
            stuck.addBytesReceived(36);
            for (int i = 0; i < 3; i++) {
                tracker.open(sockets.accept()).target("10.0.0.6", 9090);
            }
            monitor.checkNow(); // 4 > 3: accumulation with its capture; +4 >= 3: spike
            await().atMost(ms(10000)).until(() -> monitor.checkNow().count(Pattern.STUCK) == 1);
            assertEquals(1, monitor.cleanupNow());
            Path forced = monitor.forceCaptureNow();
            tracker.open(sockets.accept()).close(Side.INCOMING, TerminationReason.NORMAL);

            // The stream delivers in batches: wait for the last of each kind this scenario made, not just the first.
            await().atMost(ms(15000)).until(() -> NAMES.stream().allMatch(n -> !of(n).isEmpty())
                    && of("io.connwatch.DiagnosticCapture").stream()
                            .anyMatch(e -> e.getString("trigger").equals("force_capture"))
                    && of("io.connwatch.ConnectionClosed").stream()
                            .anyMatch(e -> e.getString("reason").equals("normal")));

            RecordedEvent acc = of("io.connwatch.ConnectionAccumulation").get(0);
            assertEquals("edge", acc.getString("monitor"));
            assertEquals(4, acc.getLong("activeConnections"));
            assertEquals(3, acc.getLong("threshold"));
            assertTrue(acc.getString("captureFile").endsWith("_accumulation.json"), acc.getString("captureFile"));
            assertTrue(Files.isRegularFile(Path.of(acc.getString("captureFile"))));

            RecordedEvent spike = of("io.connwatch.ConnectionSpike").get(0);
            assertEquals(0, spike.getLong("previousCount"));
            assertEquals(4, spike.getLong("activeConnections"));
            assertEquals(4, spike.getLong("increase"));
            assertEquals(3, spike.getLong("spikeThreshold"));
            assertTrue(spike.getDuration("interval").toMillis() >= 0);

            RecordedEvent cleanup = of("io.connwatch.ConnectionCleanup").get(0);
            assertEquals(stuck.id(), cleanup.getString("connectionId"));
            assertEquals("stuck_no_response", cleanup.getString("reason"));
            assertEquals("STUCK", cleanup.getString("pattern"));
            assertEquals("127.0.0.1", cleanup.getString("remoteAddress"));
            assertEquals("10.0.0.5", cleanup.getString("targetHost"));
            assertEquals(8080, cleanup.getInt("targetPort"));
            assertEquals(36, cleanup.getLong("bytesReceived"));
            assertEquals(0, cleanup.getLong("bytesSent"));
            assertTrue(cleanup.getDuration("age").toMillis() >= 300);

            List<RecordedEvent> captures = of("io.connwatch.DiagnosticCapture");
            RecordedEvent forcedEvent = captures.stream().filter(e -> e.getString("trigger").equals("force_capture"))
                    .findFirst().orElseThrow();
            assertEquals(forced.toString(), forcedEvent.getString("file"));
            assertEquals(Files.size(forced), forcedEvent.getLong("bytesWritten"));
            assertEquals(3, forcedEvent.getInt("connections"));
            assertEquals("", forcedEvent.getString("error"));
            assertTrue(forcedEvent.getDuration().toNanos() > 0, "the event's duration is the write");

            // Periodic: each event counts the opens and closes of its period, so together they count them all; one
            // may have sampled between the fifth open and its close: wait until the closes add up.
            await().atMost(ms(15000)).until(() -> sum(of("io.connwatch.ConnectionStatistics"), "closed") >= 2);
            List<RecordedEvent> edgeStats = distinct(of("io.connwatch.ConnectionStatistics")).stream()
                    .filter(e -> e.getString("monitor").equals("edge")).collect(Collectors.toList());
            String seen = edgeStats.stream().map(e -> e.getLong("opened") + "/" + e.getLong("closed"))
                    .collect(Collectors.joining(" "));
            assertEquals(2, sum(edgeStats, "closed"), seen);
            assertEquals(5, sum(edgeStats, "opened"), seen);
            assertEquals("int", edgeStats.get(0).getEventType().getField("opened").getTypeName(),
                    "an int JMC charts, not a long it only lists");
            RecordedEvent stats = edgeStats.get(edgeStats.size() - 1);
            assertEquals(3, stats.getLong("active"));
            assertTrue(stats.getLong("openFileDescriptors") > 0);
            assertTrue(of("io.connwatch.PatternTally").stream().map(e -> e.getString("pattern"))
                    .collect(Collectors.toSet()).containsAll(List.of("ZOMBIE", "STUCK", "LISTENER_LEAK")));

            RecordedEvent closed = of("io.connwatch.ConnectionClosed").stream()
                    .filter(e -> e.getString("reason").equals("normal")).findFirst().orElseThrow();
            assertEquals("127.0.0.1", closed.getString("remoteAddress"));
        }
    }

    @Test
    void slowBackendsAreCountedInAccumulationsAndStatisticsLikeTheOtherPatterns(@TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("slow.jfr");
        CheckResult[] accumulation = new CheckResult[1];
        try (LoopbackPatterns p = new LoopbackPatterns("jfr-slow", dumps, b -> b)) {
            LoopbackPatterns.record(file, List.of("io.connwatch.ConnectionAccumulation",
                    "io.connwatch.ConnectionStatistics"), () -> {
                        p.slowBackend().slowBackend();
                        p.awaitAtLeast(Map.of(Pattern.SLOW_BACKEND, 2));
                        p.monitor().updateSettings(b -> b.accumulationThreshold(1));
                        accumulation[0] = p.monitor().checkNow(); // 2 > 1: the episode's accumulation event
                    });
        }
        assertEquals(2, accumulation[0].count(Pattern.SLOW_BACKEND), "both drip their response");
        List<RecordedEvent> recorded = RecordingFile.readAllEvents(file).stream()
                .filter(e -> "jfr-slow".equals(e.getString("monitor"))).collect(Collectors.toList());
        RecordedEvent acc = recorded.stream()
                .filter(e -> e.getEventType().getName().equals("io.connwatch.ConnectionAccumulation")).findFirst()
                .orElseThrow(() -> new AssertionError("no accumulation in " + recorded));
        RecordedEvent stats = recorded.stream()
                .filter(e -> e.getEventType().getName().equals("io.connwatch.ConnectionStatistics"))
                .reduce((a, b) -> b).orElseThrow(() -> new AssertionError("no statistics in " + recorded));
        for (RecordedEvent e : List.of(acc, stats)) {
            String type = e.getEventType().getName();
            for (Pattern p : Pattern.values()) {
                assertTrue(e.hasField(p.countName()), type + " has no " + p.countName());
                assertEquals(accumulation[0].count(p), e.getLong(p.countName()), type + " " + p.countName());
            }
            assertEquals(2, e.getInt("slowBackends"), type);
            assertEquals("Slow Backends", e.getEventType().getField("slowBackends").getLabel(), type);
            List<String> fields = e.getFields().stream().map(ValueDescriptor::getName).collect(Collectors.toList());
            List<String> counts = Pattern.inCountOrder().stream().map(Pattern::countName).collect(Collectors.toList());
            int at = fields.indexOf(counts.get(0));
            assertEquals(counts, fields.subList(at, at + counts.size()), type + ": the documented order");
        }
        assertEquals(2, acc.getInt("activeConnections"));
    }

    @Test
    void unitsAreAnnotatedSoToolsShowBytesAndTimespans() {
        new ConnectionMonitor(new ConnectionTracker("units"), MonitorSettings.defaults()).close();
        EventType cleanup = FlightRecorder.getFlightRecorder().getEventTypes().stream()
                .filter(t -> t.getName().equals("io.connwatch.ConnectionCleanup")).findFirst().orElseThrow();
        assertEquals("jdk.jfr.DataAmount", cleanup.getField("bytesSent").getAnnotationElements().stream()
                .filter(a -> a.getTypeName().startsWith("jdk.jfr.DataAmount")).findFirst().orElseThrow().getTypeName());
        assertNotNull(cleanup.getField("age").getAnnotation(jdk.jfr.Timespan.class));
        assertEquals(List.of("connwatch"), cleanup.getCategoryNames());
        assertEquals("false", cleanup.getSettingDescriptors().stream().filter(s -> s.getName().equals("stackTrace"))
                .findFirst().orElseThrow().getDefaultValue(), "stack traces off");
    }

    private static long sum(List<RecordedEvent> events, String field) {
        return distinct(events).stream().filter(e -> e.getString("monitor").equals("edge"))
                .mapToLong(e -> e.getLong(field)).sum();
    }

    /**
     * Each event once: a stream on JDK 25 was seen to deliver one periodic event twice when its recording shares the
     * JVM with others. Two emissions never share a start time to the nanosecond on one thread.
     */
    private static List<RecordedEvent> distinct(List<RecordedEvent> events) {
        Map<String, RecordedEvent> once = new LinkedHashMap<>();
        for (RecordedEvent e : events) {
            once.putIfAbsent(e.getStartTime() + "|" + e.getThread() + "|" + e.getString("monitor"), e);
        }
        return new ArrayList<>(once.values());
    }
}
