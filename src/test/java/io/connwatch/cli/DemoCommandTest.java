package io.connwatch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.connwatch.analysis.Pattern;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo, as a newcomer runs it: every pattern found, the cleanable ones cleaned, dumps written. */
class DemoCommandTest {
    @TempDir
    Path out;

    private static final class Run {
        final int code;
        final String stdout;
        final String stderr;

        Run(String... args) {
            StringWriter o = new StringWriter();
            StringWriter e = new StringWriter();
            code = Main.run(args, new PrintWriter(o, true), new PrintWriter(e, true));
            stdout = o.toString();
            stderr = e.toString();
        }
    }

    @Test
    void demoFindsEveryPatternCleansTheCleanableOnesAndWritesDumps() throws Exception {
        Run r = new Run("demo", "--duration", "15s", "--out", out.toString());
        assertEquals(0, r.code, r.stdout + r.stderr);
        for (Pattern p : Pattern.values()) {
            Matcher m = java.util.regex.Pattern.compile("(?m)^  " + p + " +(\\d+) +(\\S+)  (.+)$").matcher(r.stdout);
            assertTrue(m.find(), p + " missing from the summary:\n" + r.stdout);
            assertTrue(Integer.parseInt(m.group(1)) >= 1, p + " not found:\n" + r.stdout);
            if (!m.group(3).equals("reported only")) {
                assertTrue(Integer.parseInt(m.group(2)) >= 1, p + " not cleaned:\n" + r.stdout);
            }
        }
        assertTrue(r.stdout.contains("econnrefused=3"), r.stdout);
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
            assertTrue(r.stdout.contains(d.getFileName().toString()), "the demo names " + d.getFileName());
        }
    }

    @Test
    void aTooShortOrMalformedDurationIsBadUsage() {
        Run tooShort = new Run("demo", "--duration", "5s", "--out", out.toString());
        assertEquals(2, tooShort.code);
        assertTrue(tooShort.stderr.contains("at least 15s"), tooShort.stderr);
        assertEquals(1, tooShort.stderr.strip().lines().count(), tooShort.stderr);

        Run malformed = new Run("demo", "--duration", "soon");
        assertEquals(2, malformed.code);
        assertTrue(malformed.stderr.contains("'soon' is not a duration"), malformed.stderr);
    }

    @Test
    void versionAndHelp() {
        Run version = new Run("--version");
        assertEquals(0, version.code);
        assertTrue(version.stdout.startsWith("connwatch "), version.stdout);
        Run help = new Run("demo", "--help");
        assertEquals(0, help.code);
        assertTrue(help.stdout.contains("--duration"), help.stdout);
    }

    @Test
    void durationsReadAsOperatorsWriteThem() {
        assertEquals(java.time.Duration.ofMillis(500), DurationConverter.parse("500ms"));
        assertEquals(java.time.Duration.ofSeconds(30), DurationConverter.parse("30s"));
        assertEquals(java.time.Duration.ofMinutes(5), DurationConverter.parse("5m"));
        assertEquals(java.time.Duration.ofHours(4), DurationConverter.parse("4h"));
    }
}
