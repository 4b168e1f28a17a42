package io.connwatch.demo;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.tools.attach.VirtualMachine;
import io.connwatch.analysis.Pattern;
import io.connwatch.testing.TestTimes;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
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

    private Process process;

    @AfterEach
    void stop() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
        }
    }

    @Test
    void theDemoEndsByItselfOnceEveryPatternIsFoundAndCleanedAndLeavesARecordingWithItsDumps() throws Exception {
        List<String> lines = start("demo", "--out", out.toString());
        // A generous bound: the run ends when its wave is done, about 15 s, and gives up at its 60 s cap.
        assertTrue(process.waitFor(TestTimes.atMost(120_000).toMillis(), TimeUnit.MILLISECONDS), "the demo ends");
        String stdout = awaitAllOutput(lines);
        assertEquals(0, process.exitValue(), stdout);

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
        List<String> lines = start("demo", "--duration", "35s", "--out", out.toString());
        // Attach the way JConsole does, once the first wave is over: through the JDK's local connector.
        awaitLine(lines, "t\\+\\d+s  wave 2: .*", TestTimes.atMost(90_000).toMillis());
        List<Notification> received = new CopyOnWriteArrayList<>();
        VirtualMachine vm = VirtualMachine.attach(String.valueOf(process.pid()));
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

        assertTrue(process.waitFor(TestTimes.atMost(120_000).toMillis(), TimeUnit.MILLISECONDS), "the demo ends");
        String stdout = awaitAllOutput(lines);
        assertEquals(0, process.exitValue(), stdout);
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

    /** Starts the built jar with these arguments; its stdout lines are collected as they come. */
    private List<String> start(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", System.getProperty("connwatch.jar")));
        cmd.addAll(List.of(args));
        process = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        List<String> lines = new CopyOnWriteArrayList<>();
        Process p = process;
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // the process ended
            }
            lines.add(END);
        }, "demo-stdout");
        reader.setDaemon(true);
        reader.start();
        return lines;
    }

    private static final String END = "\u0000end of output";

    private static void awaitLine(List<String> lines, String regex, long millis) {
        await().atMost(millis, TimeUnit.MILLISECONDS).until(() -> lines.stream().anyMatch(l -> l.matches(regex)));
    }

    private static String awaitAllOutput(List<String> lines) {
        await().atMost(TestTimes.atMost(10_000)).until(() -> lines.contains(END));
        lines.remove(END);
        return String.join("\n", lines) + "\n";
    }

    private static String run(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-jar", System.getProperty("connwatch.jar")));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), String.join(" ", args) + "\n" + stdout);
        return stdout;
    }
}
