package io.connwatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** None of the monitor's threads keeps a JVM alive, and a monitor left open is stopped cleanly at JVM exit. */
class LifecycleExitTest {
    @Test
    void aRunningMonitorDoesNotKeepTheJvmAlive() throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                DaemonExitMain.class.getName()).redirectErrorStream(true).start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the JVM exited on its own");
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("main returns"), out);
        assertTrue(out.indexOf("stopped at exit") > out.indexOf("main returns") && out.contains("closed at exit"),
                "the monitor was stopped and closed cleanly at JVM exit:\n" + out);
    }
}
