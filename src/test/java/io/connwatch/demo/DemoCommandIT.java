package io.connwatch.demo;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.tools.attach.VirtualMachine;
import io.connwatch.analysis.Pattern;
import io.connwatch.testing.ChildJvm;
import io.connwatch.testing.ChildJvms;
import io.connwatch.testing.TestTimes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.stream.Stream;
import javax.management.MBeanServerConnection;
import javax.management.Notification;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code java -jar target/connwatch.jar demo}, as a newcomer runs it, and with {@code --duration} for a JMX console. */
class DemoCommandIT {
    private static final List<String> EVENTS = List.of("io.connwatch.ConnectionAccumulation",
            "io.connwatch.ConnectionSpike", "io.connwatch.ConnectionCleanup", "io.connwatch.DiagnosticCapture",
            "io.connwatch.ConnectionStatistics", "io.connwatch.PatternTally", "io.connwatch.ConnectionOpened",
            "io.connwatch.ConnectionClosed");
    private static final java.util.regex.Pattern STATUS = java.util.regex.Pattern.compile("t\\+(\\d+)s  (active .*)");

    @TempDir
    Path out;

    @RegisterExtension
    final ChildJvms jvms = new ChildJvms();

    @Test
    void theDemoEndsByItselfOnceEveryPatternIsFoundAndCleanedAndLeavesARecordingWithItsDumps() throws Exception {
        ChildJvm demo = jvms.start(ChildJvm.jar().args("demo", "--out", out));
        // A generous bound: the run ends when its wave is done, about 15 s, and gives up at its 60 s cap.
        int exit = demo.awaitExit(TestTimes.atMost(120_000));
        String stdout = demo.output();
        List<String> lines = demo.lines();
        assertEquals(0, exit, stdout);

        assertTrue(stdout.contains("wave 1 done in "), stdout);
        assertTrue(stdout.contains("Summary: 1 wave, done in "), stdout);
        for (Pattern pattern : Pattern.values()) {
            Matcher m = summaryRow(pattern, stdout);
            assertTrue(Integer.parseInt(m.group(1)) >= 1, pattern + " not found:\n" + stdout);
            if (!m.group(3).equals("reported only")) {
                assertTrue(Integer.parseInt(m.group(2)) >= 1, pattern + " not cleaned:\n" + stdout);
            }
        }
        assertTrue(stdout.contains("econnrefused=3"), stdout);
        assertStatusLinesOnlyOnChange(lines);

        Path recording = out.resolve("connwatch-demo.jfr");
        assertTrue(Files.isRegularFile(recording), stdout);
        Set<String> seen = new HashSet<>();
        for (RecordedEvent e : RecordingFile.readAllEvents(recording)) {
            seen.add(e.getEventType().getName());
        }
        assertTrue(seen.containsAll(EVENTS), "missing: " + EVENTS.stream().filter(n -> !seen.contains(n)).toList());
        assertTrue(seen.stream().anyMatch(n -> n.startsWith("jdk.")), "the JDK's default settings too");

        List<Path> dumps;
        try (Stream<Path> files = Files.list(out)) {
            dumps = files.filter(f -> f.getFileName().toString().endsWith(".json")).sorted().toList();
        }
        assertTrue(dumps.stream().anyMatch(f -> f.toString().endsWith("_accumulation.json")), dumps.toString());
        assertTrue(dumps.stream().anyMatch(f -> f.toString().endsWith("_force_capture.json")), dumps.toString());
        JsonNode accumulation = new ObjectMapper().readTree(dumps.stream()
                .filter(f -> f.toString().endsWith("_accumulation.json")).findFirst().orElseThrow().toFile());
        assertTrue(accumulation.get("summary").get("activeConnections").asInt() > 30);
        for (Path d : dumps) {
            assertTrue(stdout.contains(d.getFileName().toString()), "the demo names " + d.getFileName());
        }
        assertTrue(stdout.contains("jfr print --events 'io.connwatch.*'"), stdout);

        // The morning after: analyze the folder the demo left.
        String text = run("analyze", out.toString());
        for (String word : List.of("STUCK", "ZOMBIE", "stuck_no_response")) {
            assertTrue(text.contains(word), word + " in:\n" + text);
        }
        JsonNode json = new ObjectMapper().readTree(run("analyze", out.toString(), "--format", "json"));
        assertEquals("connwatch.analysis/1", json.get("format").asText());
        assertTrue(json.get("timeline").size() > 0);
        String html = run("analyze", out.toString(), "--format", "html");
        assertTrue(html.contains("id=\"active-chart\"") && html.contains("<polyline"), "the chart is in the report");
    }

    @Test
    void withADurationEveryPatternComesAgainInWavesAndAConsoleAttachedLaterGetsNotifications() throws Exception {
        ChildJvm demo = jvms.start(ChildJvm.jar().args("demo", "--duration", "35s", "--out", out));
        // Attach the way JConsole does, once the first wave is over: through the JDK's local connector.
        demo.awaitLine("t\\+\\d+s  wave 2: .*", TestTimes.atMost(90_000));
        List<Notification> received = new CopyOnWriteArrayList<>();
        VirtualMachine vm = VirtualMachine.attach(String.valueOf(demo.pid()));
        String address;
        try {
            address = vm.startLocalManagementAgent();
        } finally {
            vm.detach();
        }
        try (JMXConnector jmx = JMXConnectorFactory.connect(new JMXServiceURL(address))) {
            MBeanServerConnection conn = jmx.getMBeanServerConnection();
            conn.addNotificationListener(new ObjectName("io.connwatch:type=ConnectionMonitor,name=demo"),
                    (n, handback) -> received.add(n), null, null);
            await().atMost(TestTimes.atMost(30_000)).until(() ->
                    received.stream().anyMatch(n -> n.getType().equals("io.connwatch.cleanup")));
        }

        int exit = demo.awaitExit(TestTimes.atMost(120_000));
        String stdout = demo.output();
        List<String> lines = demo.lines();
        assertEquals(0, exit, stdout);
        assertTrue(stdout.indexOf("wave 1 done in ") < stdout.indexOf("wave 2: "), stdout);
        Matcher waves = java.util.regex.Pattern.compile("(?m)^Summary: (\\d+) waves").matcher(stdout);
        assertTrue(waves.find() && Integer.parseInt(waves.group(1)) >= 2, stdout);
        // Each wave opens new connections for every pattern: found in two waves at least.
        for (Pattern pattern : Pattern.values()) {
            assertTrue(Integer.parseInt(summaryRow(pattern, stdout).group(1)) >= 2, pattern + " once only:\n" + stdout);
        }
        assertStatusLinesOnlyOnChange(lines);
    }

    /** A status line repeats the one before it only as the idle heartbeat, never once per check. */
    private static void assertStatusLinesOnlyOnChange(List<String> lines) {
        String previous = null;
        long previousSecond = 0;
        int statusLines = 0;
        for (String line : lines) {
            Matcher m = STATUS.matcher(line);
            if (!m.matches()) {
                continue;
            }
            statusLines++;
            long second = Long.parseLong(m.group(1));
            if (m.group(2).equals(previous)) {
                assertTrue(second - previousSecond >= DemoRun.HEARTBEAT_SECONDS,
                        "an unchanged status line before the heartbeat, at t+" + second + "s:\n" + String.join("\n", lines));
            }
            previous = m.group(2);
            previousSecond = second;
        }
        assertTrue(statusLines > 0, String.join("\n", lines));
    }

    private static Matcher summaryRow(Pattern pattern, String stdout) {
        Matcher m = java.util.regex.Pattern.compile("(?m)^  " + pattern + " +(\\d+) +(\\S+)  (.+)$").matcher(stdout);
        assertTrue(m.find(), pattern + " missing from the summary:\n" + stdout);
        return m;
    }

    private static String run(String... args) throws Exception {
        ChildJvm analyze = ChildJvm.jar().args(args).run(TestTimes.atMost(60_000));
        assertEquals(0, analyze.exitCode(), String.join(" ", args) + "\n" + analyze.output());
        return analyze.output();
    }
}
