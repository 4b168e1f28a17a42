package io.connwatch.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connwatch.cli.DurationConverter;
import io.connwatch.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo's command line, in process; the full run is {@code DemoCommandIT}, on the built jar. */
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
        String words = help.stdout.replaceAll("\\s+", " ");
        assertTrue(words.contains("in waves"), help.stdout);
        assertTrue(words.contains("ends once every pattern has been found and cleaned"), help.stdout);
    }

    @Test
    void aStatusLineIsPrintedWhenItChangesAndAsAHeartbeatWhileNothingDoes() {
        long second = TimeUnit.SECONDS.toNanos(1);
        StatusThrottle status = new StatusThrottle(5 * second);
        assertTrue(status.shouldPrint("active  14  ZOMBIE 2  | dumps 0, cleaned 0", 0));
        assertFalse(status.shouldPrint("active  14  ZOMBIE 2  | dumps 0, cleaned 0", second), "unchanged");
        assertTrue(status.shouldPrint("active  12  | dumps 0, cleaned 2", 2 * second), "changed");
        assertFalse(status.shouldPrint("active  12  | dumps 0, cleaned 2", 6 * second), "4 s unchanged");
        assertTrue(status.shouldPrint("active  12  | dumps 0, cleaned 2", 7 * second), "5 s unchanged: heartbeat");
        assertFalse(status.shouldPrint("active  12  | dumps 0, cleaned 2", 8 * second), "counted from the heartbeat");
        assertTrue(status.shouldPrint("active  14  ZOMBIE 2  | dumps 0, cleaned 0", 8 * second), "back to before");
    }

    @Test
    void durationsReadAsOperatorsWriteThem() {
        assertEquals(java.time.Duration.ofMillis(500), DurationConverter.parse("500ms"));
        assertEquals(java.time.Duration.ofSeconds(30), DurationConverter.parse("30s"));
        assertEquals(java.time.Duration.ofMinutes(5), DurationConverter.parse("5m"));
        assertEquals(java.time.Duration.ofHours(4), DurationConverter.parse("4h"));
    }
}
