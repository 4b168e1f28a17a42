package io.connwatch.jfr;

import static io.connwatch.testing.TestTimes.ms;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.connwatch.analysis.Pattern;
import io.connwatch.testing.ChildJvm;
import io.connwatch.testing.ChildJvms;
import io.connwatch.testing.Sockets;
import io.connwatch.testing.Tools;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import jdk.jfr.EventType;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openjdk.jmc.common.item.Attribute;
import org.openjdk.jmc.common.item.IAccessorKey;
import org.openjdk.jmc.common.item.IItem;
import org.openjdk.jmc.common.item.IItemCollection;
import org.openjdk.jmc.common.item.IItemIterable;
import org.openjdk.jmc.common.item.IMemberAccessor;
import org.openjdk.jmc.common.item.IType;
import org.openjdk.jmc.common.item.ItemFilters;
import org.openjdk.jmc.common.unit.ContentType;
import org.openjdk.jmc.common.unit.IQuantity;
import org.openjdk.jmc.common.unit.UnitLookup;
import org.openjdk.jmc.flightrecorder.JfrLoaderToolkit;

/**
 * connwatch recorded the way a user does it: a separate, monitored server JVM ({@link MonitoredServerMain}) with no
 * recording of its own, {@code jcmd <pid> JFR.start settings=default settings=jfr-configs/connwatch.jfc ...},
 * real traffic through its relays, {@code jcmd JFR.dump}, then the file read with the JDK's
 * {@link RecordingFile} and with JDK Mission Control's parser. Also where the dumps go, seen from
 * outside: dumps next to the recording's file, else in the configured folder, never in JFR's repository.
 */
class JcmdRecordingTest {
    private static final List<String> EVENT_NAMES = JfrIntegration.EVENT_NAMES;
    private static final String MONITOR = "jcmd-edge";
    private static final byte[] REQUEST = "GET /hang HTTP/1.1\r\nHost: edge\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HELLO = "hello".getBytes(StandardCharsets.US_ASCII);
    /** Hanging requests: more than the child's accumulation threshold (5) and its spike threshold (5) at once. */
    private static final int STUCK = 20;
    private static final int ECHOES = 3;
    private static final Path JFC = Path.of(System.getProperty("basedir", "."), "jfr-configs", "connwatch.jfc")
            .toAbsolutePath();

    @TempDir
    Path tmp;

    @RegisterExtension
    final ChildJvms jvms = new ChildJvms();
    private Child child;
    private final List<Socket> clients = new ArrayList<>();

    @AfterEach
    void closeClients() throws Exception {
        for (Socket s : clients) {
            s.close();
        }
    }

    // ---- the three cases ----

    @Test
    void detailedRecordingHoldsEveryConnwatchEventAndDumpsLandBesideIt() throws Exception {
        Path configured = Files.createDirectories(tmp.resolve("configured"));
        Path rec = tmp.resolve("rec.jfr");
        child = Child.start(jvms, configured);
        assertEquals("RECORDINGS none", child.ask("recordings", "RECORDINGS"),
                "the server starts no recording, and connwatch does not initialize JFR");

        long id = startRecording("settings=default", "settings=" + JFC, "connwatch-level=detailed",
                "connwatch-period=1s", "filename=" + rec);
        assertEquals(tmp.toRealPath(), folderOf(child.ask("folder", "FOLDER")),
                "with a recording to " + rec + " the next dump goes beside it");

        driveTraffic();
        Path forced = Path.of(child.ask("capture", "CAPTURED").substring("CAPTURED ".length()));
        assertTrue(Files.isRegularFile(forced), forced.toString());
        assertEquals(tmp.toRealPath(), forced.getParent().toRealPath(), "forced dump beside rec.jfr");
        assertTrue(forced.getFileName().toString().endsWith("_force_capture.json"), forced.toString());
        awaitStatus(s -> s.get("stuckCleaned") == STUCK && s.get("active") == 0);

        List<Path> accumulationDumps = jsonIn(tmp, "_accumulation.json");
        assertFalse(accumulationDumps.isEmpty(), "the automatic accumulation dump landed beside rec.jfr: " + list(tmp));
        assertEquals(List.of(), jsonIn(configured, ".json"),
                "nothing in the configured folder while recording to a file");

        // Periodic events come every second: dump until one was taken after all the traffic.
        AtomicReference<Path> file = new AtomicReference<>();
        List<RecordedEvent> events = dumpUntil(id, file, all -> EVENT_NAMES.stream()
                .allMatch(n -> !of(all, n).isEmpty())
                && of(all, "io.connwatch.ConnectionStatistics").stream().mapToLong(e -> e.getLong("opened")).sum()
                        >= STUCK + ECHOES
                && of(all, "io.connwatch.ConnectionStatistics").stream().mapToLong(e -> e.getLong("closed")).sum()
                        >= STUCK + ECHOES);
        assertEventValues(events, forced, accumulationDumps);
        assertJmcReadsOurEventsAndUnits(file.get(), forced);

        child.quit();
    }

    @Test
    void levelOffRecordsNoConnwatchEventButTheRecordingWorks() throws Exception {
        Path configured = Files.createDirectories(tmp.resolve("configured"));
        child = Child.start(jvms, configured);
        long id = startRecording("settings=default", "settings=" + JFC, "connwatch-level=off",
                "filename=" + tmp.resolve("rec.jfr"));

        driveTraffic();
        Path forced = Path.of(child.ask("capture", "CAPTURED").substring("CAPTURED ".length()));
        assertEquals(tmp.toRealPath(), forced.getParent().toRealPath(),
                "the where-rule does not depend on the events' level");
        awaitStatus(s -> s.get("stuckCleaned") == STUCK && s.get("active") == 0);

        Path dump = tmp.resolve("dump.jfr");
        jcmd("JFR.dump", "name=" + id, "filename=" + dump);
        List<RecordedEvent> events = RecordingFile.readAllEvents(dump);
        List<String> ours = events.stream().map(e -> e.getEventType().getName())
                .filter(n -> n.startsWith("io.connwatch.")).distinct().collect(Collectors.toList());
        assertEquals(List.of(), ours, "connwatch-level=off: no connwatch event at all");
        assertTrue(events.stream().anyMatch(e -> e.getEventType().getName().startsWith("jdk.")),
                "the recording itself worked: it holds the JDK's events");
        try (RecordingFile f = new RecordingFile(dump)) {
            Set<String> known = f.readEventTypes().stream().map(EventType::getName).collect(Collectors.toSet());
            assertTrue(known.containsAll(EVENT_NAMES), "registered, just switched off: " + known);
        }
        child.quit();
    }

    @Test
    void recordingWithoutAFileLeavesDumpsInTheConfiguredFolder() throws Exception {
        Path configured = Files.createDirectories(tmp.resolve("configured"));
        Path recs = Files.createDirectories(tmp.resolve("recs"));
        child = Child.start(jvms, configured);

        // filename= an existing folder: JDK 17 sets no destination, it picks a file name in that folder at exit.
        startRecording("name=infolder", "settings=default", "settings=" + JFC, "filename=" + recs + "/");
        String recordings = child.ask("recordings", "RECORDINGS");
        Path inFolder = capture();
        assertConfigured(configured, inFolder, "a recording with a folder as filename (" + recordings + ")");
        assertFalse(inFolder.startsWith(recs.toRealPath()), "not in the recording's folder: " + inFolder);
        assertEquals(List.of(), jsonIn(recs, ".json"));

        // No filename at all: the recording lives in JFR's repository only.
        startRecording("name=nofile", "settings=default", "settings=" + JFC);
        Path noFile = capture();
        assertConfigured(configured, noFile,
                "recordings without a file (" + child.ask("recordings", "RECORDINGS") + ")");

        // Control: the where-rule is decided afresh at each capture, following recordings as they start and stop.
        Path withFile = Files.createDirectories(tmp.resolve("withfile"));
        startRecording("name=tofile", "settings=default", "settings=" + JFC, "filename=" + withFile.resolve("rec.jfr"));
        assertEquals(withFile.toRealPath(), capture().getParent().toRealPath(), "a recording to a file: beside it");
        jcmd("JFR.stop", "name=tofile");
        assertConfigured(configured, capture(), "after the recording to a file stopped");

        child.quit();
    }

    // ---- traffic ----

    /**
     * Three echo exchanges closed normally, then {@link #STUCK} requests to the hanging backend at once: accumulation
     * (with its automatic dump), a spike, and after stuckAfter (1 s) their cleanup as stuck_no_response.
     */
    private void driveTraffic() throws IOException {
        for (int i = 0; i < ECHOES; i++) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), child.echoPort)) {
                s.setSoTimeout((int) ms(10_000).toMillis());
                Sockets.send(s, HELLO);
                byte[] echoed = s.getInputStream().readNBytes(HELLO.length);
                assertEquals("hello", new String(echoed, StandardCharsets.US_ASCII));
                s.shutdownOutput();
                assertEquals(-1, s.getInputStream().read(), "the relay passes the backend's close on");
            }
        }
        for (int i = 0; i < STUCK; i++) {
            Socket s = new Socket(InetAddress.getLoopbackAddress(), child.hangPort);
            clients.add(s);
            Sockets.send(s, REQUEST);
        }
        awaitStatus(s -> s.get("accumulations") >= 1 && s.get("spikes") >= 1 && s.get("captures") >= 1);
        // Cleanup closes the hanging clients: each sees the end of its stream.
        for (Socket s : clients) {
            s.setSoTimeout((int) ms(10_000).toMillis());
            InputStream in = s.getInputStream();
            assertEquals(-1, in.read(), "stuck connection closed by cleanup");
        }
    }

    private Map<String, Long> awaitStatus(Predicate<Map<String, Long>> done) {
        AtomicReference<Map<String, Long>> last = new AtomicReference<>();
        await().atMost(ms(15_000)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(100))
                .failFast("the child ended" + child.jvm.report(), () -> !child.jvm.isAlive())
                .untilAsserted(() -> {
                    last.set(child.status());
                    assertTrue(done.test(last.get()), "child status " + last.get());
                });
        return last.get();
    }

    private Path capture() {
        return Path.of(child.ask("capture", "CAPTURED").substring("CAPTURED ".length()));
    }

    private void assertConfigured(Path configured, Path dump, String when) throws IOException {
        assertTrue(Files.isRegularFile(dump), dump.toString());
        assertEquals(configured.toRealPath(), dump.getParent().toRealPath(), when + ": the configured folder");
        String folder = child.ask("folder", "FOLDER");
        String repository = folder.substring(folder.indexOf("|repo=") + "|repo=".length());
        assertFalse("none".equals(repository), "JFR runs, so it has a repository: " + folder);
        assertFalse(dump.toRealPath().startsWith(Path.of(repository).toRealPath()),
                when + ": never JFR's repository " + repository + ", got " + dump);
    }

    // ---- jcmd ----

    private long startRecording(String... options) throws Exception {
        String out = jcmd("JFR.start", options);
        Matcher m = java.util.regex.Pattern.compile("Started recording (\\d+)").matcher(out);
        assertTrue(m.find(), out);
        return Long.parseLong(m.group(1));
    }

    private String jcmd(String command, String... options) throws Exception {
        List<String> args = new ArrayList<>(List.of(Long.toString(child.pid), command));
        args.addAll(Arrays.asList(options));
        Tools.Result r = Tools.jdk("jcmd", ms(30_000), args.toArray(String[]::new)).assertFinished();
        String out = r.output();
        assertEquals(0, r.exitCode(), r.command() + "\n" + out);
        // jcmd exits 0 even when the command failed: read what it said.
        for (String bad : List.of("doesn't exist", "Warning", "Could not", "Incorrect", "Exception", "not found")) {
            assertFalse(out.contains(bad), r.command() + "\n" + out);
        }
        return out;
    }

    private List<RecordedEvent> dumpUntil(long id, AtomicReference<Path> file, Predicate<List<RecordedEvent>> done) {
        AtomicReference<List<RecordedEvent>> events = new AtomicReference<>(List.of());
        int[] n = {0};
        await().atMost(ms(15_000)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(500))
                .failFast("the child ended", () -> !child.jvm.isAlive())
                .untilAsserted(() -> {
                    Path dump = tmp.resolve(n[0]++ == 0 ? "dump.jfr" : "dump-" + n[0] + ".jfr");
                    jcmd("JFR.dump", "name=" + id, "filename=" + dump);
                    file.set(dump);
                    events.set(RecordingFile.readAllEvents(dump));
                    assertTrue(done.test(events.get()), "connwatch events in " + dump + ": " + events.get().stream()
                            .map(e -> e.getEventType().getName()).filter(t -> t.startsWith("io.connwatch."))
                            .collect(Collectors.groupingBy(t -> t, TreeMap::new, Collectors.counting())));
                });
        return events.get();
    }

    // ---- what the JDK's parser reads ----

    private void assertEventValues(List<RecordedEvent> all, Path forced, List<Path> accumulationDumps)
            throws IOException {
        for (String name : EVENT_NAMES) {
            for (RecordedEvent e : of(all, name)) {
                assertEquals(MONITOR, e.getString("monitor"), name);
                assertEquals(List.of("connwatch"), e.getEventType().getCategoryNames(), name);
                assertEquals(null, e.getStackTrace(), name + " has no stack trace");
            }
        }

        List<RecordedEvent> accumulations = of(all, "io.connwatch.ConnectionAccumulation");
        assertEquals(1, accumulations.size(), "one accumulation event for the episode");
        RecordedEvent acc = accumulations.get(0);
        assertEquals(5, acc.getLong("threshold"));
        assertTrue(acc.getLong("activeConnections") > 5 && acc.getLong("activeConnections") <= STUCK,
                "active " + acc.getLong("activeConnections"));
        Path accFile = Path.of(acc.getString("captureFile"));
        assertTrue(accumulationDumps.contains(accFile), accFile + " in " + accumulationDumps);
        assertEquals(tmp.toRealPath(), accFile.getParent().toRealPath());

        RecordedEvent spike = of(all, "io.connwatch.ConnectionSpike").get(0);
        assertEquals(5, spike.getLong("spikeThreshold"));
        assertTrue(spike.getLong("increase") >= 5, "increase " + spike.getLong("increase"));
        assertEquals(spike.getLong("activeConnections") - spike.getLong("previousCount"), spike.getLong("increase"));
        Duration interval = spike.getDuration("interval");
        assertTrue(interval.compareTo(Duration.ZERO) > 0 && interval.compareTo(ms(10_000)) < 0, interval.toString());

        List<RecordedEvent> cleanups = of(all, "io.connwatch.ConnectionCleanup");
        assertEquals(STUCK, cleanups.size(), "one cleanup event per stuck connection");
        assertEquals(STUCK, cleanups.stream().map(e -> e.getString("connectionId")).distinct().count());
        for (RecordedEvent e : cleanups) {
            assertEquals("stuck_no_response", e.getString("reason"));
            assertEquals("STUCK", e.getString("pattern"));
            assertEquals("127.0.0.1", e.getString("remoteAddress"));
            assertEquals(child.hangBackend, e.getInt("targetPort"));
            assertEquals(REQUEST.length, e.getLong("bytesReceived"));
            assertEquals(0, e.getLong("bytesSent"));
            assertTrue(e.getDuration("age").compareTo(ms(1000)) >= 0, "age " + e.getDuration("age"));
        }

        List<RecordedEvent> captures = of(all, "io.connwatch.DiagnosticCapture");
        RecordedEvent forcedEvent = captures.stream().filter(e -> "force_capture".equals(e.getString("trigger")))
                .findFirst().orElseThrow(() -> new AssertionError("no force_capture event in " + captures));
        assertEquals(forced.toString(), forcedEvent.getString("file"));
        assertEquals(Files.size(forced), forcedEvent.getLong("bytesWritten"));
        assertEquals("", forcedEvent.getString("error"));
        RecordedEvent accCapture = captures.stream().filter(e -> "accumulation".equals(e.getString("trigger")))
                .findFirst().orElseThrow(() -> new AssertionError("no accumulation capture event in " + captures));
        assertEquals(accFile.toString(), accCapture.getString("file"));
        assertEquals(Files.size(accFile), accCapture.getLong("bytesWritten"));
        assertTrue(accCapture.getInt("connections") > 5, "connections " + accCapture.getInt("connections"));
        for (RecordedEvent e : captures) {
            assertEquals(tmp.toRealPath(), Path.of(e.getString("file")).getParent().toRealPath(),
                    "every dump beside rec.jfr");
        }

        List<RecordedEvent> statistics = of(all, "io.connwatch.ConnectionStatistics");
        assertTrue(statistics.stream().mapToLong(e -> e.getLong("peak")).max().orElse(0) >= STUCK, "peak");
        assertTrue(statistics.stream().allMatch(e -> e.getLong("openFileDescriptors") != 0), "open fds");

        Set<String> tallied = of(all, "io.connwatch.PatternTally").stream().map(e -> e.getString("pattern"))
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(Stream.of(Pattern.values()).map(Enum::name).collect(Collectors.toCollection(TreeSet::new)),
                tallied, "one tally per pattern");

        List<RecordedEvent> opened = of(all, "io.connwatch.ConnectionOpened");
        assertEquals(STUCK + ECHOES, opened.size(), "one opened event per connection");
        List<RecordedEvent> closed = of(all, "io.connwatch.ConnectionClosed");
        Map<String, Long> reasons = closed.stream().collect(Collectors.groupingBy(e -> e.getString("reason"),
                Collectors.counting()));
        assertEquals(Map.of("normal", (long) ECHOES, "stuck_no_response", (long) STUCK), reasons);
        for (RecordedEvent e : closed) {
            if ("normal".equals(e.getString("reason"))) {
                assertEquals(child.echoBackend, e.getInt("targetPort"));
                assertEquals(HELLO.length, e.getLong("bytesReceived"));
                assertEquals(HELLO.length, e.getLong("bytesSent"));
            }
        }
        Set<String> openedIds = opened.stream().map(e -> e.getString("connectionId")).collect(Collectors.toSet());
        assertTrue(openedIds.containsAll(closed.stream().map(e -> e.getString("connectionId"))
                .collect(Collectors.toSet())), "every closed connection was seen opening");
    }

    // ---- what JDK Mission Control's parser reads ----

    private void assertJmcReadsOurEventsAndUnits(Path file, Path forced) throws Exception {
        IItemCollection items = JfrLoaderToolkit.loadEvents(file.toFile());
        Set<String> found = StreamSupport.stream(items.spliterator(), false).filter(IItemIterable::hasItems)
                .map(i -> i.getType().getIdentifier()).filter(n -> n.startsWith("io.connwatch."))
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(new TreeSet<>(EVENT_NAMES), found, "JMC finds every connwatch event type");

        long cleanupItems = 0;
        for (IItemIterable cleanups : of(items, "io.connwatch.ConnectionCleanup")) {
            IType<IItem> type = cleanups.getType();
            assertSame(UnitLookup.MEMORY, kinds(type).get("bytesReceived"), "bytesReceived is a memory size");
            assertSame(UnitLookup.MEMORY, kinds(type).get("bytesSent"), "bytesSent is a memory size");
            assertSame(UnitLookup.TIMESPAN, kinds(type).get("age"), "age is a time span");
            assertSame(UnitLookup.TIMESPAN, kinds(type).get("idle"), "idle is a time span");
            IMemberAccessor<IQuantity, IItem> bytesReceived = Attribute.attr("bytesReceived", "Bytes Received",
                    UnitLookup.MEMORY).getAccessor(type);
            IMemberAccessor<IQuantity, IItem> age = Attribute.attr("age", "Age", UnitLookup.TIMESPAN).getAccessor(type);
            assertNotNull(bytesReceived);
            assertNotNull(age);
            for (IItem item : cleanups) {
                cleanupItems++;
                IQuantity b = bytesReceived.getMember(item);
                assertSame(UnitLookup.MEMORY, b.getUnit().getContentType());
                assertEquals(REQUEST.length, b.longValueIn(UnitLookup.BYTE));
                IQuantity a = age.getMember(item);
                assertSame(UnitLookup.TIMESPAN, a.getUnit().getContentType());
                assertTrue(a.longValueIn(UnitLookup.MILLISECOND) >= ms(1000).toMillis(), a.toString());
            }
        }
        assertEquals(STUCK, cleanupItems, "JMC reads every cleanup");

        for (IItemIterable spikes : of(items, "io.connwatch.ConnectionSpike")) {
            assertSame(UnitLookup.TIMESPAN, kinds(spikes.getType()).get("interval"), "interval is a time span");
        }

        List<IItem> forcedItems = new ArrayList<>();
        for (IItemIterable captures : of(items, "io.connwatch.DiagnosticCapture")) {
            IType<IItem> type = captures.getType();
            assertSame(UnitLookup.MEMORY, kinds(type).get("bytesWritten"), "bytesWritten is a memory size");
            IMemberAccessor<IQuantity, IItem> written = Attribute.attr("bytesWritten", "Bytes Written",
                    UnitLookup.MEMORY).getAccessor(type);
            IMemberAccessor<String, IItem> fileName = Attribute.attr("file", "File", UnitLookup.PLAIN_TEXT)
                    .getAccessor(type);
            for (IItem item : captures) {
                if (forced.toString().equals(fileName.getMember(item))) {
                    forcedItems.add(item);
                    assertEquals(Files.size(forced), written.getMember(item).longValueIn(UnitLookup.BYTE));
                }
            }
        }
        assertEquals(1, forcedItems.size(), "JMC sees the forced capture once");

        for (IItemIterable closed : of(items, "io.connwatch.ConnectionClosed")) {
            assertSame(UnitLookup.MEMORY, kinds(closed.getType()).get("bytesSent"));
            assertSame(UnitLookup.TIMESPAN, kinds(closed.getType()).get("age"));
        }
    }

    /** The items of one type; JMC may hand them over in several iterables (one per chunk, for instance). */
    private static List<IItemIterable> of(IItemCollection items, String type) {
        List<IItemIterable> found = StreamSupport.stream(items.apply(ItemFilters.type(type)).spliterator(), false)
                .filter(IItemIterable::hasItems).collect(Collectors.toList());
        assertFalse(found.isEmpty(), "JMC finds " + type);
        return found;
    }

    private static Map<String, ContentType<?>> kinds(IType<IItem> type) {
        Map<String, ContentType<?>> out = new HashMap<>();
        for (IAccessorKey<?> key : type.getAccessorKeys().keySet()) {
            out.put(key.getIdentifier(), key.getContentType());
        }
        return out;
    }

    // ---- helpers ----

    private static List<RecordedEvent> of(List<RecordedEvent> all, String name) {
        return all.stream().filter(e -> e.getEventType().getName().equals(name)).collect(Collectors.toList());
    }

    private static Path folderOf(String folderLine) throws IOException {
        String folder = folderLine.substring("FOLDER ".length(), folderLine.indexOf("|repo="));
        return Path.of(folder).toRealPath();
    }

    private static List<Path> jsonIn(Path folder, String suffix) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().collect(Collectors.toList());
        }
    }

    private static String list(Path folder) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.joining(", "));
        }
    }

    /** The monitored server in its own JVM, spoken to line by line; every wait bounded. */
    private static final class Child {
        final ChildJvm jvm;
        final long pid;
        int hangPort;
        int echoPort;
        int hangBackend;
        int echoBackend;

        private Child(ChildJvm jvm) {
            this.jvm = jvm;
            this.pid = jvm.pid();
        }

        static Child start(ChildJvms jvms, Path configured) throws IOException {
            Child c = new Child(jvms.start(ChildJvm.main(MonitoredServerMain.class).jvm("-Xmx256m")
                    .property("org.slf4j.simpleLogger.defaultLogLevel", "info").args(configured)));
            String ready = c.await("READY");
            Matcher m = java.util.regex.Pattern.compile("hang=(\\d+) echo=(\\d+) hangBackend=(\\d+) echoBackend=(\\d+)")
                    .matcher(ready);
            assertTrue(m.find(), ready);
            c.hangPort = Integer.parseInt(m.group(1));
            c.echoPort = Integer.parseInt(m.group(2));
            c.hangBackend = Integer.parseInt(m.group(3));
            c.echoBackend = Integer.parseInt(m.group(4));
            return c;
        }

        /** The next line starting with {@code prefix}; fails on an ERROR line, the child's end or the timeout. */
        String await(String prefix) {
            String line = jvm.awaitLine("(?:ERROR|" + java.util.regex.Pattern.quote(prefix) + ").*", ms(30_000));
            if (line.startsWith("ERROR")) {
                fail("the child answered " + line + jvm.report());
            }
            return line;
        }

        String ask(String command, String answerPrefix) {
            jvm.send(command);
            return await(answerPrefix);
        }

        Map<String, Long> status() {
            Map<String, Long> out = new HashMap<>();
            for (String kv : ask("status", "STATUS").substring("STATUS ".length()).split(" ")) {
                int eq = kv.indexOf('=');
                out.put(kv.substring(0, eq), Long.parseLong(kv.substring(eq + 1)));
            }
            return out;
        }

        void quit() throws InterruptedException {
            ask("quit", "BYE");
            assertEquals(0, jvm.awaitExit(ms(15_000)), "child exit code" + jvm.report());
        }
    }
}
