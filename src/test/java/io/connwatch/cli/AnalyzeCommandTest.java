package io.connwatch.cli;

import static io.connwatch.testing.TestTimes.ms;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.connwatch.ConnectionMonitor;
import io.connwatch.MonitorSettings;
import io.connwatch.analysis.Pattern;
import io.connwatch.testing.LoopbackPatterns;
import io.connwatch.testing.SocketPairs;
import io.connwatch.testing.Tools;
import io.connwatch.tracking.ConnectionTracker;
import io.connwatch.tracking.Endpoints;
import io.connwatch.tracking.TrackedConnection;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.io.Writer;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import jdk.jfr.Recording;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code analyze} on real inputs: dumps written by a real monitor over loopback sockets and a JFR recording made in
 * process while the same monitor accumulated, spiked, cleaned and captured. Text, JSON and HTML reports, and every
 * kind of bad input.
 */
class AnalyzeCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> EVENTS = List.of("io.connwatch.ConnectionAccumulation",
            "io.connwatch.ConnectionSpike", "io.connwatch.ConnectionCleanup", "io.connwatch.DiagnosticCapture",
            "io.connwatch.ConnectionStatistics", "io.connwatch.PatternTally");

    @TempDir
    static Path work;

    static Path dumps;
    static Path recording;
    static Path forced;
    static Path accumulationDump;
    static String stuckId;

    private static final class Run {
        final int code;
        final String stdout;
        final String stderr;

        Run(Object... args) {
            StringWriter o = new StringWriter();
            StringWriter e = new StringWriter();
            String[] a = Stream.of(args).map(String::valueOf).toArray(String[]::new);
            code = Main.run(a, new PrintWriter(o, true), new PrintWriter(e, true));
            stdout = o.toString();
            stderr = e.toString();
        }

        List<String> errLines() {
            return stderr.lines().toList();
        }
    }

    @BeforeAll
    static void produceInputs() throws Exception {
        dumps = Files.createDirectory(work.resolve("dumps"));
        recording = work.resolve("edge.jfr");
        ConnectionTracker tracker = new ConnectionTracker("edge");
        try (ConnectionMonitor monitor = new ConnectionMonitor(tracker, MonitorSettings.builder()
                .outputDirectory(dumps).accumulationThreshold(3).spikeThreshold(3).captureCooldown(Duration.ZERO)
                .stuckAfter(ms(300)).jitter(0).build());
                Recording rec = new Recording();
                SocketPairs sockets = new SocketPairs()) {
            for (String name : EVENTS) {
                rec.enable(name).withPeriod(Duration.ofMillis(100));
            }
            rec.start();
            monitor.checkNow();
            TrackedConnection stuck = tracker.open(sockets.accept()).target("10.0.0.5", 8080);
            stuck.attachOutgoing(Endpoints.of(sockets.accept()));
            stuck.addBytesReceived(36);
            stuckId = stuck.id();
            for (int i = 0; i < 3; i++) {
                tracker.open(sockets.accept()).target("10.0.0.6", 9090);
            }
            monitor.checkNow(); // 4 > 3: accumulation with its capture; +4 >= 3: spike
            await().atMost(ms(3000)).until(() -> monitor.checkNow().count(Pattern.STUCK) == 1);
            forced = monitor.forceCaptureNow();
            assertEquals(1, monitor.cleanupNow());
            TimeUnit.MILLISECONDS.sleep(400); // a few periodic statistics
            rec.stop();
            rec.dump(recording);
        }
        try (Stream<Path> s = Files.list(dumps)) {
            accumulationDump = s.filter(p -> p.getFileName().toString().endsWith("_accumulation.json")).findFirst()
                    .orElseThrow();
        }
        assertNotNull(forced);
    }

    private static List<String> recommendationsOf(Path dump) throws Exception {
        List<String> l = new ArrayList<>();
        JSON.readTree(dump.toFile()).get("recommendations").forEach(r -> l.add(r.asText()));
        return l;
    }

    @Test
    void textReportOfADumpNamesPatternsTopTargetAndRecommendations() throws Exception {
        Run r = new Run("analyze", forced);
        assertEquals(0, r.code, r.stderr);
        assertEquals("", r.stderr);
        assertTrue(r.stdout.contains("== dump " + forced), r.stdout);
        assertTrue(r.stdout.contains("monitor:           edge"), r.stdout);
        assertTrue(r.stdout.contains("trigger:           force_capture"), r.stdout);
        assertTrue(r.stdout.contains("activeConnections: 4"), r.stdout);
        assertTrue(r.stdout.contains("STUCK 1"), r.stdout);
        // largest first: three connections to 10.0.0.6:9090, then the stuck one to 10.0.0.5:8080
        int six = r.stdout.indexOf("10.0.0.6:9090  3 connections");
        int five = r.stdout.indexOf("10.0.0.5:8080  1 connection  STUCK 1");
        assertTrue(six > 0 && five > six, r.stdout);
        List<String> recs = recommendationsOf(forced);
        assertFalse(recs.isEmpty(), "a stuck connection comes with a recommendation");
        for (String rec : recs) {
            assertTrue(r.stdout.contains("  - " + rec), rec + " in\n" + r.stdout);
        }
    }

    @Test
    void textReportOfARecordingHasTheTimelineAndTheActiveSeries() {
        Run r = new Run("analyze", recording);
        assertEquals(0, r.code, r.stderr);
        String out = r.stdout;
        assertTrue(out.contains("== recording " + recording), out);
        assertTrue(out.contains("monitors:          edge") || out.contains("edge"), out);
        assertTrue(out.contains("STUCK 1"), out);
        assertTrue(out.contains("stuck_no_response 1"), out);
        assertTrue(out.contains("10.0.0.5:8080  1 connection  STUCK 1"), out);
        int acc = out.indexOf(" accumulation ");
        int spike = out.indexOf(" spike ");
        int cleanup = out.indexOf(" cleanup ");
        int capture = out.lastIndexOf(" capture ");
        assertTrue(acc > 0 && spike > 0 && cleanup > 0 && capture > 0, out);
        assertTrue(out.contains("4 active > threshold 3"), out);
        assertTrue(out.contains("0 -> 4 (+4, threshold 3)"), out);
        assertTrue(out.contains(stuckId + " stuck_no_response STUCK 127.0.0.1 -> 10.0.0.5:8080"), out);
        assertTrue(out.contains("force_capture " + forced), out);
        assertTrue(out.contains("active connections (ConnectionStatistics), edge:"), out);
        assertTrue(out.contains("1 connection cleaned as stuck_no_response"), out);
        // time-ordered timeline
        List<Instant> times = new ArrayList<>();
        boolean inTimeline = false;
        for (String line : out.lines().toList()) {
            if (line.equals("timeline:")) {
                inTimeline = true;
            } else if (inTimeline && line.startsWith("  ")) {
                times.add(Instant.parse(line.trim().split("\\s+")[0]));
            } else {
                inTimeline = false;
            }
        }
        assertTrue(times.size() >= 4, out);
        for (int i = 1; i < times.size(); i++) {
            assertFalse(times.get(i).isBefore(times.get(i - 1)), out);
        }
    }

    @Test
    void aFolderAndARecordingTogetherGiveEachSectionThenTheOverallTally() {
        Run r = new Run("analyze", dumps, recording);
        assertEquals(0, r.code, r.stderr);
        assertTrue(r.stdout.contains("connwatch analysis of 3 inputs"), r.stdout);
        assertTrue(r.stdout.contains("== dump " + accumulationDump), r.stdout);
        assertTrue(r.stdout.contains("== dump " + forced), r.stdout);
        assertTrue(r.stdout.contains("== overall, 3 inputs"), r.stdout);
        String overall = r.stdout.substring(r.stdout.indexOf("== overall"));
        assertTrue(overall.contains("pattern tallies (highest in any input): "), overall);
        assertTrue(overall.contains("STUCK 1"), overall);
        assertTrue(overall.contains("cleanups by reason: stuck_no_response 1"), overall);
        assertTrue(overall.contains("10.0.0.6:9090  3 connections"), overall);
    }

    @Test
    void jsonReportHasTheSchemaWithTheScenariosValues() throws Exception {
        Run r = new Run("analyze", "--format", "json", forced, recording);
        assertEquals(0, r.code, r.stderr);
        JsonNode root = JSON.readTree(r.stdout);
        assertEquals("connwatch.analysis/1", root.get("format").asText());
        for (String f : List.of("inputs", "tallies", "topTargets", "recommendations", "timeline", "activeSeries")) {
            assertTrue(root.has(f), f);
        }
        JsonNode dump = root.get("inputs").get(0);
        assertEquals(forced.toString(), dump.get("path").asText());
        assertEquals("dump", dump.get("kind").asText());
        assertEquals("edge", dump.get("monitor").asText());
        assertEquals("force_capture", dump.get("trigger").asText());
        assertEquals(4, dump.get("activeConnections").asInt());
        assertEquals(1, dump.get("tallies").get("STUCK").asInt());
        assertEquals("10.0.0.6:9090", dump.get("topTargets").get(0).get("target").asText());
        assertEquals(3, dump.get("topTargets").get(0).get("connections").asInt());
        assertEquals(1, dump.get("topTargets").get(1).get("patterns").get("STUCK").asInt());
        Instant.parse(dump.get("timestamp").asText());

        JsonNode rec = root.get("inputs").get(1);
        assertEquals("recording", rec.get("kind").asText());
        assertEquals(recording.toString(), rec.get("path").asText());
        assertEquals(1, rec.get("eventCounts").get("accumulations").asInt());
        assertEquals(1, rec.get("eventCounts").get("spikes").asInt());
        assertEquals(1, rec.get("eventCounts").get("cleanups").asInt());
        assertTrue(rec.get("eventCounts").get("captures").asInt() >= 2);
        assertEquals(1, rec.get("cleanupsByReason").get("stuck_no_response").asInt());
        assertEquals("10.0.0.5:8080", rec.get("topTargets").get(0).get("target").asText());

        assertEquals(1, root.get("tallies").get("STUCK").asInt());
        assertEquals("10.0.0.6:9090", root.get("topTargets").get(0).get("target").asText());
        List<String> recs = new ArrayList<>();
        root.get("recommendations").forEach(n -> recs.add(n.asText()));
        assertTrue(recs.containsAll(recommendationsOf(forced)), recs.toString());

        Set<String> types = new HashSet<>();
        Instant previous = Instant.MIN;
        for (JsonNode e : root.get("timeline")) {
            Instant t = Instant.parse(e.get("time").asText());
            assertFalse(t.isBefore(previous), "time-ordered");
            previous = t;
            types.add(e.get("type").asText());
            if (e.get("type").asText().equals("spike")) {
                assertEquals(0, e.get("previousCount").asInt());
                assertEquals(4, e.get("activeConnections").asInt());
                assertEquals(4, e.get("increase").asInt());
                assertEquals("edge", e.get("monitor").asText());
            }
            if (e.get("type").asText().equals("cleanup")) {
                assertEquals(stuckId, e.get("connectionId").asText());
                assertEquals("stuck_no_response", e.get("reason").asText());
                assertEquals(36, e.get("bytesReceived").asInt());
                assertTrue(e.get("ageMs").asLong() >= 300);
            }
            if (e.get("type").asText().equals("accumulation")) {
                assertEquals(accumulationDump.toString(), e.get("captureFile").asText());
            }
        }
        assertTrue(types.containsAll(List.of("accumulation", "spike", "cleanup", "capture", "dump")), types.toString());
        JsonNode series = root.get("activeSeries");
        assertTrue(series.size() >= 2, series.toString());
        boolean statistics = false;
        for (JsonNode p : series) {
            Instant.parse(p.get("time").asText());
            assertTrue(p.get("active").isIntegralNumber());
            statistics |= p.get("source").asText().equals("statistics") && p.get("monitor").asText().equals("edge");
        }
        assertTrue(statistics, series.toString());
    }

    @Test
    void slowBackendsOfARecordingCountLikeTheOtherPatternsInTextJsonAndHtml() throws Exception {
        // Without PatternTally events, the tallies come from ConnectionStatistics.
        Path slow = work.resolve("slow.jfr");
        Path slowDumps = Files.createDirectory(work.resolve("slow-dumps"));
        try (LoopbackPatterns p = new LoopbackPatterns("analyze-slow", slowDumps, b -> b)) {
            LoopbackPatterns.record(slow, List.of("io.connwatch.ConnectionAccumulation",
                    "io.connwatch.ConnectionStatistics"), () -> {
                        p.slowBackend().slowBackend();
                        p.awaitAtLeast(java.util.Map.of(Pattern.SLOW_BACKEND, 2));
                        p.monitor().updateSettings(b -> b.accumulationThreshold(1));
                        assertEquals(2, p.monitor().checkNow().count(Pattern.SLOW_BACKEND));
                    });
        }

        Run text = new Run("analyze", slow);
        assertEquals(0, text.code, text.stderr);
        assertTrue(text.stdout.contains("pattern tallies:   SLOW_BACKEND 2 (highest seen)"), text.stdout);
        assertTrue(text.stdout.contains("2 active > threshold 1 (slowBackends 2), dump "), text.stdout);

        Run json = new Run("analyze", "--format", "json", slow);
        assertEquals(0, json.code, json.stderr);
        JsonNode root = JSON.readTree(json.stdout);
        assertEquals(2, root.get("tallies").get("SLOW_BACKEND").asInt());
        assertEquals(2, root.get("inputs").get(0).get("tallies").get("SLOW_BACKEND").asInt());
        JsonNode accumulation = null;
        for (JsonNode e : root.get("timeline")) {
            if (e.get("type").asText().equals("accumulation")) {
                accumulation = e;
            }
        }
        assertNotNull(accumulation, json.stdout);
        assertEquals(2, accumulation.get("slowBackends").asInt(), accumulation.toString());

        Path html = work.resolve("slow.html");
        Run page = new Run("analyze", "--format", "html", "--output", html, slow);
        assertEquals(0, page.code, page.stderr);
        String h = Files.readString(html);
        assertTrue(h.contains("<tr><td>SLOW_BACKEND</td><td class=\"n\">2</td></tr>"), h);
        assertTrue(h.contains("(slowBackends 2)"), h);
    }

    @Test
    void htmlReportIsOneSelfContainedFileWithTheChart() throws Exception {
        Path html = work.resolve("report.html");
        Run r = new Run("analyze", "--format", "html", "--output", html, dumps, recording);
        assertEquals(0, r.code, r.stderr);
        assertEquals("", r.stdout, "--output writes to the file, not stdout");
        String page = Files.readString(html);
        assertTrue(page.startsWith("<!DOCTYPE html>"));
        assertTrue(page.contains("<svg id=\"active-chart\""), page);
        Matcher m = java.util.regex.Pattern.compile("<polyline class=\"series series-statistics\"[^>]* points=\"([^\"]+)\"")
                .matcher(page);
        assertTrue(m.find(), page);
        assertTrue(m.group(1).split(" ").length >= 2, m.group(1));
        for (String marker : List.of("marker-accumulation", "marker-spike", "marker-cleanup", "marker-capture")) {
            assertTrue(page.contains("class=\"marker " + marker + "\""), marker);
        }
        assertTrue(page.contains("10.0.0.6:9090"));
        assertTrue(page.contains("<style>"));
        String lower = page.toLowerCase();
        assertFalse(lower.contains("<script"), "no scripts");
        assertFalse(lower.contains("http://") || lower.contains("https://"), "no URLs");
        assertFalse(lower.contains("<link") || lower.contains("@import") || lower.contains("url("), "nothing external");
    }

    @ParameterizedTest
    @ValueSource(strings = {"missing", "empty", "notJson", "otherShape", "otherFormat", "unknownVersion",
        "truncatedRecording", "zipAsJfr", "emptyFolder", "folderWithoutInputs", "truncatedDump"})
    void badInputExitsTwoWithOneLineNamingTheFile(String kind) throws Exception {
        Path bad = work.resolve("bad-" + kind);
        switch (kind) {
            case "missing" -> bad = work.resolve("nowhere.json");
            case "empty" -> Files.createFile(bad = work.resolve("empty.json"));
            case "notJson" -> Files.writeString(bad = work.resolve("hello.json"), "hello, not json\n");
            case "otherShape" -> Files.writeString(bad = work.resolve("shape.json"), "{\"name\": \"x\", \"count\": 3}");
            case "otherFormat" -> Files.writeString(bad = work.resolve("other.json"), "{\"format\": \"something/1\"}");
            case "unknownVersion" -> Files.writeString(bad = work.resolve("v2.json"), Files.readString(forced)
                    .replace("connwatch.diagnostics/1", "connwatch.diagnostics/2"));
            case "truncatedDump" -> {
                String s = Files.readString(forced);
                Files.writeString(bad = work.resolve("cut.json"), s.substring(0, s.length() / 2));
            }
            case "truncatedRecording" -> {
                byte[] all = Files.readAllBytes(recording);
                Files.write(bad = work.resolve("cut.jfr"), java.util.Arrays.copyOf(all, all.length / 2));
            }
            case "zipAsJfr" -> {
                bad = work.resolve("archive.jfr");
                try (OutputStream o = Files.newOutputStream(bad); ZipOutputStream z = new ZipOutputStream(o)) {
                    z.putNextEntry(new ZipEntry("readme.txt"));
                    z.write("not a recording".getBytes(StandardCharsets.UTF_8));
                    z.closeEntry();
                }
            }
            case "emptyFolder" -> Files.createDirectory(bad);
            case "folderWithoutInputs" -> {
                Files.createDirectory(bad);
                Files.writeString(bad.resolve("notes.txt"), "nothing to read");
                Files.writeString(bad.resolve("other.json"), "{}");
            }
            default -> throw new IllegalArgumentException(kind);
        }
        Run r = new Run("analyze", forced, bad);
        assertEquals(2, r.code, kind + ": " + r.stderr);
        assertEquals(1, r.errLines().size(), kind + ": " + r.stderr);
        assertTrue(r.stderr.contains(bad.toString()), kind + ": " + r.stderr);
        assertEquals("", r.stdout, "no report when an input is bad");
    }

    /** What a hostile file does to a copy of a real dump, and what the one line on stderr says about it. */
    static Stream<Arguments> hostileFiles() {
        return Stream.of(
                Arguments.of("sparse4GiB.json", "too large for a dump: 4294967296 bytes (4.0 GiB), connwatch's dumps are at most 1073741824 bytes (1 GiB); not read"),
                Arguments.of("sparse4GiB.jfr", "not a JFR recording (no Flight Recorder header)"),
                Arguments.of("sparse4GiBWithHeader.jfr", "unreadable JFR recording (truncated or damaged): ..."),
                Arguments.of("line\nbreak.json", "not a valid connwatch.diagnostics/1 dump: \"connections\" is missing"),
                Arguments.of("hugeString", "not a connwatch dump: a string or number longer than 65536 characters"),
                Arguments.of("deepArrays", "not a connwatch dump: the JSON is an array, expected an object with \"format\": \"connwatch.diagnostics/1\""),
                Arguments.of("deepInSummary", "not a connwatch dump: JSON nested deeper than 64 levels (a dump nests 4)"),
                Arguments.of("deepInConnections", "not a connwatch dump: JSON nested deeper than 64 levels (a dump nests 4)"),
                Arguments.of("longNumber", "not a connwatch dump: a number longer than 64 digits"),
                Arguments.of("veryLongNumber", "not a connwatch dump: a string or number longer than 65536 characters"),
                Arguments.of("tooManyValues", "not a connwatch dump: more than 1000000 values outside \"connections\""),
                Arguments.of("connectionsString", "\"connections\" is \"abc\", expected an array"),
                Arguments.of("connectionsMissing", "\"connections\" is missing"),
                Arguments.of("summaryArray", "\"summary\" is an array, expected an object"),
                Arguments.of("activeMany", "\"summary.activeConnections\" is \"many\", expected a number"),
                Arguments.of("activeFraction", "\"summary.activeConnections\" is 2.5, expected a whole number from 0 to 9223372036854775807"),
                Arguments.of("negative", "\"summary.stuck\" is -3, expected a whole number, 0 or more"),
                Arguments.of("overflow", "\"summary.activeConnections\" is 99999999999999999999999, expected a whole number from 0 to 9223372036854775807"),
                Arguments.of("longTrigger", "\"trigger\" is \"" + "t".repeat(60) + "...\" (5000 characters), expected accumulation, spike or force_capture"),
                Arguments.of("triggerNumber", "\"trigger\" is 5, expected a string"),
                Arguments.of("triggerUnknown", "\"trigger\" is \"boom\\n\\u001b[2J\", expected accumulation, spike or force_capture"),
                Arguments.of("nameNumber", "\"monitor.name\" is 42, expected a string"),
                Arguments.of("timestampNumber", "\"timestamp\" is 1749327643733, expected a string"),
                Arguments.of("byTargetString", "\"byTarget[0]\" is \"x\", expected an object"),
                Arguments.of("recommendationNumber", "\"recommendations\" holds 1, expected strings"),
                Arguments.of("systemString", "\"system\" is \"fine\", expected an object"));
    }

    private static Path hostile(String kind) throws Exception {
        ObjectNode dump = (ObjectNode) JSON.readTree(forced.toFile());
        ObjectNode summary = (ObjectNode) dump.get("summary");
        Path file = work.resolve("hostile-" + kind + (kind.contains(".") ? "" : ".json"));
        switch (kind) {
            case "sparse4GiB.json", "sparse4GiB.jfr", "sparse4GiBWithHeader.jfr" -> {
                try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
                    if (kind.contains("Header")) {
                        f.write(new byte[] {'F', 'L', 'R', 0, 0, 2, 0, 1});
                    }
                    f.setLength(4L << 30);
                }
                return file;
            }
            case "line\nbreak.json" -> dump.remove("connections");
            case "hugeString" -> {
                dump.put("trigger", "@HUGE@");
                String[] around = JSON.writeValueAsString(dump).split("@HUGE@");
                char[] chunk = new char[1 << 20];
                java.util.Arrays.fill(chunk, 'x');
                try (Writer w = Files.newBufferedWriter(file)) {
                    w.write(around[0]);
                    for (int i = 0; i < 128; i++) { // 128 Mi characters in one string
                        w.write(chunk);
                    }
                    w.write(around[1]);
                }
                return file;
            }
            case "deepArrays" -> {
                return Files.writeString(file, "[".repeat(100_000));
            }
            case "deepInSummary" -> {
                String s = JSON.writeValueAsString(dump);
                return Files.writeString(file, s.replace("\"summary\":", "\"summary\":" + "[".repeat(100_000)));
            }
            case "deepInConnections" -> {
                String s = JSON.writeValueAsString(dump);
                return Files.writeString(file, s.replace("\"connections\":[", "\"connections\":["
                        + "[".repeat(100_000) + "]".repeat(100_000) + ","));
            }
            case "longNumber", "veryLongNumber" -> {
                String s = JSON.writeValueAsString(dump.put("connectionsOmitted", 7));
                return Files.writeString(file, s.replace("\"connectionsOmitted\":7", "\"connectionsOmitted\":"
                        + "9".repeat(kind.equals("longNumber") ? 100 : 100_000)));
            }
            case "overflow" -> {
                summary.put("activeConnections", 12345);
                String s = JSON.writeValueAsString(dump);
                return Files.writeString(file, s.replace("\"activeConnections\":12345",
                        "\"activeConnections\":99999999999999999999999"));
            }
            case "tooManyValues" -> {
                String s = JSON.writeValueAsString(dump.put("recommendations", "@MANY@"));
                return Files.writeString(file, s.replace("\"@MANY@\"", "[" + "0,".repeat(1_000_000) + "0]"));
            }
            case "connectionsString" -> dump.put("connections", "abc");
            case "connectionsMissing" -> dump.remove("connections");
            case "summaryArray" -> dump.putArray("summary");
            case "activeMany" -> summary.put("activeConnections", "many");
            case "activeFraction" -> summary.put("activeConnections", 2.5);
            case "negative" -> summary.put("stuck", -3);
            case "triggerNumber" -> dump.put("trigger", 5);
            case "longTrigger" -> dump.put("trigger", "t".repeat(5000));
            case "triggerUnknown" -> dump.put("trigger", "boom\n\u001b[2J");
            case "nameNumber" -> ((ObjectNode) dump.get("monitor")).put("name", 42);
            case "timestampNumber" -> dump.put("timestamp", 1749327643733L);
            case "byTargetString" -> dump.putArray("byTarget").add("x");
            case "recommendationNumber" -> dump.putArray("recommendations").add(1);
            case "systemString" -> dump.put("system", "fine");
            default -> throw new IllegalArgumentException(kind);
        }
        JSON.writeValue(file.toFile(), dump);
        return file;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileFiles")
    void aHostileFileIsRefusedInOneLineWithBoundedMemory(String kind, String says) throws Exception {
        Path bad = hostile(kind);
        try {
            java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
            Assumptions.assumeTrue(threads instanceof com.sun.management.ThreadMXBean, "allocation counter");
            com.sun.management.ThreadMXBean counter = (com.sun.management.ThreadMXBean) threads;
            long before = counter.getCurrentThreadAllocatedBytes();
            Run r = new Run("analyze", forced, bad);
            long allocated = counter.getCurrentThreadAllocatedBytes() - before;
            assertEquals(2, r.code, kind + ": " + r.stderr);
            String line = "connwatch: " + bad.toString().replace("\n", "\\n") + ": "
                    + (says.startsWith("\"") ? "not a valid connwatch.diagnostics/1 dump: " : "") + says;
            if (line.endsWith("...")) { // the rest is the JDK's own words
                assertEquals(1, r.errLines().size(), r.stderr);
                assertTrue(r.stderr.startsWith(line.substring(0, line.length() - 3)), r.stderr);
            } else {
                assertEquals(List.of(line), r.errLines(), kind);
            }
            assertEquals("", r.stdout, "no report when an input is bad");
            assertFalse(r.stderr.contains("Exception") || r.stderr.contains("\tat "), "no stack trace: " + r.stderr);
            assertTrue(allocated < (32L << 20), kind + " allocated " + allocated + " bytes reading "
                    + Files.size(bad) + " bytes");
        } finally {
            Files.deleteIfExists(bad);
        }
    }

    @Test
    void badInputMessagesSayWhy() throws Exception {
        Path v2 = work.resolve("why-v2.json");
        Files.writeString(v2, "{\"format\": \"connwatch.diagnostics/2\"}");
        Run r = new Run("analyze", v2);
        assertEquals(2, r.code);
        assertTrue(r.stderr.contains("connwatch.diagnostics/2"), r.stderr);
        byte[] all = Files.readAllBytes(recording);
        Path cut = work.resolve("why-cut.jfr");
        Files.write(cut, java.util.Arrays.copyOf(all, all.length / 2));
        r = new Run("analyze", cut);
        assertEquals(2, r.code);
        assertTrue(r.stderr.contains("truncated"), r.stderr);
        r = new Run("analyze", "--format", "pdf", forced);
        assertEquals(2, r.code);
        assertEquals(1, r.errLines().size(), r.stderr);
        assertTrue(r.stderr.contains("pdf"), r.stderr);
    }

    @Test
    void aReportThatCannotBeWrittenFailsWithOneLine() {
        Path nowhere = work.resolve("no-such-folder").resolve("report.txt");
        Run r = new Run("analyze", "--output", nowhere, forced);
        assertEquals(1, r.code, r.stderr);
        assertEquals(1, r.errLines().size(), r.stderr);
        assertTrue(r.stderr.contains(nowhere.toString()), r.stderr);
    }

    @Test
    void chromiumDrawsTheChartOffline() throws Exception {
        Path chromium = Path.of("/usr/bin/chromium");
        Assumptions.assumeTrue(Files.isExecutable(chromium), "no /usr/bin/chromium");
        Path html = work.resolve("chromium.html");
        assertEquals(0, new Run("analyze", "--format", "html", "--output", html, forced, recording).code);
        Path profile = Files.createDirectory(work.resolve("chromium-profile"));
        Tools.Result chrome = Tools.run(ms(60_000), chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--user-data-dir=" + profile, "--dump-dom", html.toUri().toString());
        assertTrue(chrome.finished(), "chromium finished");
        String s = chrome.stdout();
        assertTrue(s.contains("id=\"active-chart\""), s);
        assertTrue(s.contains("<polyline class=\"series series-statistics\""), s);
    }
}
