package io.connwatch.jfr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connwatch.testing.ChildJvm;
import io.connwatch.testing.TestTimes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** With JFR never started, or not in the runtime at all, the monitor works and starts nothing behind the user's back. */
class JfrAbsentTest {
    @TempDir
    Path dumps;

    private String run(String... jvmOptions) throws IOException, InterruptedException {
        ChildJvm child = ChildJvm.main(JfrFreeMain.class).jvm(jvmOptions).args(dumps).errorsInOutput()
                .run(TestTimes.atMost(60_000));
        String out = child.output();
        assertEquals(0, child.exitCode(), out);
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
