package io.connwatch.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.connwatch.ConnectionMonitor;
import io.connwatch.FakeTicker;
import io.connwatch.MonitorSettings;
import io.connwatch.testing.SocketPairs;
import io.connwatch.tracking.ConnectionTracker;
import io.connwatch.tracking.Endpoints;
import io.connwatch.tracking.Side;
import io.connwatch.tracking.TerminationReason;
import io.connwatch.tracking.TrackedConnection;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A forced dump read back with Jackson carries every field of the dump format (docs/FORMATS.md) with the values set up. */
class DumpFormatTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dumps;

    private final FakeTicker ticker = new FakeTicker();
    private final ConnectionTracker tracker = new ConnectionTracker("edge", ticker);
    private SocketPairs sockets;
    private ConnectionMonitor monitor;

    @BeforeEach
    void setUp() throws IOException {
        sockets = new SocketPairs();
    }

    @AfterEach
    void tearDown() throws IOException {
        if (monitor != null) {
            monitor.close();
        }
        sockets.close();
    }

    private static List<String> names(JsonNode n) {
        List<String> out = new ArrayList<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }

    @Test
    void forcedDumpCarriesEverySpecFieldWithTheValuesSetUp() throws IOException {
        monitor = new ConnectionMonitor(tracker, MonitorSettings.builder().outputDirectory(dumps)
                .accumulationThreshold(70).spikeThreshold(30).checkInterval(Duration.ofSeconds(2))
                .connectTimeout(Duration.ofMinutes(5)).build());
        // A stuck connection: 36 bytes in, nothing back, for 120 s.
        Socket stuckClient = sockets.accept();
        Socket stuckBackend = sockets.accept();
        TrackedConnection stuck = tracker.open(stuckClient).target("10.0.0.5", 8080);
        stuck.attachOutgoing(Endpoints.of(stuckBackend));
        tracker.tick();
        stuck.addBytesReceived(36);
        // A healthy, unrouted one, younger.
        ticker.advance(Duration.ofSeconds(60));
        TrackedConnection fresh = tracker.open(sockets.accept());
        // Closed ones for the termination stats.
        tracker.open(sockets.accept()).close(Side.INCOMING, TerminationReason.NORMAL);
        tracker.open(sockets.accept()).close(Side.OUTGOING, TerminationReason.ECONNREFUSED);
        monitor.checkNow();
        ticker.advance(Duration.ofSeconds(60));
        monitor.checkNow();

        Path file = monitor.forceCaptureNow();
        assertEquals(dumps, file.getParent());
        assertTrue(file.getFileName().toString()
                .matches("accumulation_\\d{4}-\\d\\d-\\d\\dT\\d\\d-\\d\\d-\\d\\d-\\d{3}Z_force_capture\\.json"),
                file.getFileName().toString());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        try (Stream<Path> left = Files.list(dumps)) {
            assertEquals(List.of(file), left.toList(), "no temporary file left behind");
        }

        JsonNode d = JSON.readTree(file.toFile());
        assertEquals(List.of("format", "timestamp", "trigger", "monitor", "summary", "recommendations", "system",
                "trend", "terminationStats", "byTarget", "connections", "connectionsOmitted"), names(d));
        assertEquals("connwatch.diagnostics/1", d.get("format").asText());
        assertEquals("2025-06-07T20:22:43.733Z", d.get("timestamp").asText());
        assertEquals("force_capture", d.get("trigger").asText());

        JsonNode m = d.get("monitor");
        assertEquals(List.of("name", "pid", "accumulationThreshold", "spikeThreshold", "checkIntervalMs"), names(m));
        assertEquals("edge", m.get("name").asText());
        assertEquals(ProcessHandle.current().pid(), m.get("pid").asLong());
        assertEquals(70, m.get("accumulationThreshold").asLong());
        assertEquals(30, m.get("spikeThreshold").asLong());
        assertEquals(2000, m.get("checkIntervalMs").asLong());

        JsonNode s = d.get("summary");
        assertEquals(List.of("activeConnections", "zombies", "halfZombies", "stuck", "idle", "old", "noOutgoing",
                "slowBackends", "listenerLeaks"), names(s));
        assertEquals(2, s.get("activeConnections").asLong());
        assertEquals(1, s.get("stuck").asLong());
        assertEquals(0, s.get("zombies").asLong());

        assertEquals(1, d.get("recommendations").size());
        assertEquals("1 connection to 10.0.0.5:8080 received a request and sent nothing back for over 60 s:"
                + " the backend hangs; stuck cleanup closes it", d.get("recommendations").get(0).asText());

        JsonNode sys = d.get("system");
        assertEquals(List.of("heapUsedBytes", "heapMaxBytes", "nonHeapUsedBytes", "directBufferBytes",
                "openFileDescriptors", "maxFileDescriptors", "threads", "gcCount", "gcTimeMs", "schedulerLagMs",
                "eventLoopLagMs", "uptimeMs", "systemLoadAverage"), names(sys));
        assertTrue(sys.get("heapUsedBytes").asLong() > 0);
        assertTrue(sys.get("openFileDescriptors").asLong() > 8, "our sockets are open");
        assertTrue(sys.get("maxFileDescriptors").asLong() >= sys.get("openFileDescriptors").asLong());
        assertTrue(sys.get("threads").asInt() > 0);
        assertTrue(sys.get("eventLoopLagMs").isObject());
        assertTrue(sys.get("systemLoadAverage").isNumber());

        JsonNode trend = d.get("trend");
        assertEquals(2, trend.size());
        assertEquals("2025-06-07T20:21:43.733Z", trend.get(0).get("timestamp").asText());
        assertEquals(2, trend.get(1).get("activeConnections").asLong());

        JsonNode ts = d.get("terminationStats");
        assertEquals(1, ts.get("incoming").get("normal").asLong());
        assertEquals(1, ts.get("outgoing").get("econnrefused").asLong());

        JsonNode byTarget = d.get("byTarget");
        assertEquals(2, byTarget.size());
        JsonNode backend = byTarget.get(0).get("target").asText().equals("10.0.0.5:8080") ? byTarget.get(0) : byTarget.get(1);
        assertEquals(1, backend.get("connections").asLong());
        assertEquals(1, backend.get("stuck").asLong());

        JsonNode conns = d.get("connections");
        assertEquals(2, conns.size());
        JsonNode c = conns.get(0);
        assertEquals(List.of("id", "remoteAddress", "remotePort", "localPort", "targetHost", "targetPort", "age",
                "incomingStartTime", "outgoingStartTime", "lastActivity", "timeSinceLastActivity", "bytesReceived",
                "bytesSent", "hasReceivedInitialData", "hasKeepAlive", "isTLS", "connectionClosed", "incomingState",
                "outgoingState", "incomingListeners", "outgoingListeners", "patterns"), names(c));
        assertEquals(stuck.id(), c.get("id").asText(), "worst first");
        assertEquals("127.0.0.1", c.get("remoteAddress").asText());
        assertEquals(stuckClient.getPort(), c.get("remotePort").asInt());
        assertEquals(sockets.port(), c.get("localPort").asInt());
        assertEquals("10.0.0.5", c.get("targetHost").asText());
        assertEquals(8080, c.get("targetPort").asInt());
        assertEquals(120_000, c.get("age").asLong());
        assertEquals("2025-06-07T20:20:43.733Z", c.get("incomingStartTime").asText());
        assertEquals("2025-06-07T20:20:43.733Z", c.get("outgoingStartTime").asText());
        assertEquals("2025-06-07T20:20:43.733Z", c.get("lastActivity").asText());
        assertEquals(120_000, c.get("timeSinceLastActivity").asLong());
        assertEquals(36, c.get("bytesReceived").asLong());
        assertEquals(0, c.get("bytesSent").asLong());
        assertTrue(c.get("hasReceivedInitialData").asBoolean());
        assertFalse(c.get("hasKeepAlive").asBoolean());
        assertFalse(c.get("isTLS").asBoolean());
        assertFalse(c.get("connectionClosed").asBoolean());
        JsonNode in = c.get("incomingState");
        assertEquals(List.of("exists", "destroyed", "readable", "writable", "readyState"), names(in));
        assertEquals("open", in.get("readyState").asText());
        assertTrue(in.get("exists").asBoolean());
        assertFalse(in.get("destroyed").asBoolean());
        assertEquals("open", c.get("outgoingState").get("readyState").asText());
        assertTrue(c.get("incomingListeners").isObject());
        assertEquals("[\"STUCK\"]", c.get("patterns").toString());

        JsonNode f = conns.get(1);
        assertEquals(fresh.id(), f.get("id").asText());
        assertTrue(f.get("targetHost").isNull());
        assertTrue(f.get("outgoingStartTime").isNull());
        assertFalse(f.get("outgoingState").get("exists").asBoolean());
        assertEquals("closed", f.get("outgoingState").get("readyState").asText());
        assertEquals(0, f.get("patterns").size());
        assertEquals(0, d.get("connectionsOmitted").asLong());
    }

    @Test
    void detailsAreCappedWorstFirstWhileSummaryAndByTargetCoverAll() throws IOException {
        monitor = new ConnectionMonitor(tracker, MonitorSettings.builder().outputDirectory(dumps)
                .maxConnectionDetails(3).connectTimeout(Duration.ofSeconds(30)).build());
        List<TrackedConnection> routed = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            TrackedConnection c = tracker.open(sockets.accept()).target("backend-" + (i % 2), 80);
            c.attachOutgoing(Endpoints.of(sockets.accept()));
            routed.add(c);
            ticker.advance(Duration.ofSeconds(1));
        }
        // Two unrouted ones, the youngest, become NO_OUTGOING: they must come first despite their age.
        TrackedConnection a = tracker.open(sockets.accept());
        TrackedConnection b = tracker.open(sockets.accept());
        ticker.advance(Duration.ofSeconds(31));

        JsonNode d = JSON.readTree(monitor.forceCaptureNow().toFile());
        assertEquals(8, d.get("summary").get("activeConnections").asLong());
        assertEquals(2, d.get("summary").get("noOutgoing").asLong());
        long inByTarget = 0;
        for (JsonNode t : d.get("byTarget")) {
            inByTarget += t.get("connections").asLong();
        }
        assertEquals(8, inByTarget);
        JsonNode conns = d.get("connections");
        assertEquals(3, conns.size());
        assertEquals(a.id(), conns.get(0).get("id").asText());
        assertEquals(b.id(), conns.get(1).get("id").asText());
        assertEquals(routed.get(0).id(), conns.get(2).get("id").asText(), "then the oldest");
        assertEquals(5, d.get("connectionsOmitted").asLong());
    }

    @Test
    void spikeAndAccumulationDumpsAreNamedByTrigger() throws IOException {
        monitor = new ConnectionMonitor(tracker, MonitorSettings.builder().outputDirectory(dumps)
                .accumulationThreshold(3).spikeThreshold(2).captureCooldown(Duration.ZERO).build());
        monitor.checkNow();
        tracker.open(sockets.accept());
        tracker.open(sockets.accept());
        ticker.advance(Duration.ofSeconds(5));
        monitor.checkNow();
        tracker.open(sockets.accept());
        tracker.open(sockets.accept());
        ticker.advance(Duration.ofSeconds(5));
        monitor.checkNow();
        List<String> files = new ArrayList<>();
        try (Stream<Path> list = Files.list(dumps)) {
            list.forEach(p -> files.add(p.getFileName().toString()));
        }
        files.sort(null);
        assertEquals(2, files.size(), files.toString());
        assertTrue(files.get(0).endsWith("_spike.json"), files.toString());
        assertTrue(files.get(1).endsWith("_accumulation.json"), files.toString());
        Iterator<Map.Entry<String, JsonNode>> unused = JSON.readTree(dumps.resolve(files.get(1)).toFile()).fields();
        assertTrue(unused.hasNext());
        assertEquals("accumulation", JSON.readTree(dumps.resolve(files.get(1)).toFile()).get("trigger").asText());
    }
}
