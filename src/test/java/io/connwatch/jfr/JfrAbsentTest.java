package io.connwatch.jfr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** With JFR never started, or not in the runtime at all, the monitor works and starts nothing behind the user's back. */
class JfrAbsentTest {
    @TempDir
    Path dumps;

    private String run(String... jvmOptions) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of(jvmOptions));
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(JfrFreeMain.class.getName());
        cmd.add(dumps.toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child finished");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    private static Matcher ok(String out) {
        Matcher m = java.util.regex.Pattern.compile("OK active=(\\d+) dump=(\\S+) jfr=(\\S+)").matcher(out);
        assertTrue(m.find(), out);
        return m;
    }

    @Test
    void monitoringDoesNotStartJfr() throws Exception {
        Matcher m = ok(run());
        assertEquals("1", m.group(1));
        assertTrue(Files.isRegularFile(Path.of(m.group(2))));
        assertEquals("false", m.group(3), "building a monitor registers events but never initializes JFR");
    }

    @Test
    void withoutTheJfrModuleEverythingButJfrWorks() throws Exception {
        // java.se holds neither jdk.jfr nor jdk.management: the barest standard runtime.
        Matcher m = ok(run("--limit-modules", "java.se"));
        assertEquals("1", m.group(1));
        assertTrue(Files.isRegularFile(Path.of(m.group(2))));
        assertEquals("absent", m.group(3));
    }

    @Test
    void withFlightRecorderSwitchedOffTheMonitorStillWorks() throws Exception {
        Matcher m = ok(run("-XX:-FlightRecorder"));
        assertEquals("1", m.group(1));
        assertTrue(Files.isRegularFile(Path.of(m.group(2))));
    }
}
