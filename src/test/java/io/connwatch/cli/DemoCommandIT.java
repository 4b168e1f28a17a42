package io.connwatch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.connwatch.analysis.Pattern;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.stream.Stream;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code java -jar target/connwatch.jar demo --duration 20s}, as a newcomer runs it. */
class DemoCommandIT {
    private static final List<String> EVENTS = List.of("io.connwatch.ConnectionAccumulation",
            "io.connwatch.ConnectionSpike", "io.connwatch.ConnectionCleanup", "io.connwatch.DiagnosticCapture",
            "io.connwatch.ConnectionStatistics", "io.connwatch.PatternTally", "io.connwatch.ConnectionOpened",
            "io.connwatch.ConnectionClosed");

    @TempDir
    Path out;

    @Test
    void demoShowsEveryPatternAndLeavesARecordingWithItsDumpsBesideIt() throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                System.getProperty("connwatch.jar"), "demo", "--duration", "20s", "--out", out.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), stdout);

        for (Pattern pattern : Pattern.values()) {
            Matcher m = java.util.regex.Pattern.compile("(?m)^  " + pattern + " +(\\d+) +(\\S+)  (.+)$").matcher(stdout);
            assertTrue(m.find(), pattern + " missing from the summary:\n" + stdout);
            assertTrue(Integer.parseInt(m.group(1)) >= 1, pattern + " not found:\n" + stdout);
            if (!m.group(3).equals("reported only")) {
                assertTrue(Integer.parseInt(m.group(2)) >= 1, pattern + " not cleaned:\n" + stdout);
            }
        }
        assertTrue(stdout.contains("econnrefused=3"), stdout);

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

    private static String run(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-jar", System.getProperty("connwatch.jar")));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), String.join(" ", args) + "\n" + stdout);
        return stdout;
    }
}
