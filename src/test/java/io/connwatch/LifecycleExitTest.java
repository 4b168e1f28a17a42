package io.connwatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connwatch.testing.ChildJvm;
import io.connwatch.testing.TestTimes;
import org.junit.jupiter.api.Test;

/** None of the monitor's threads keeps a JVM alive, and a monitor left open is stopped cleanly at JVM exit. */
class LifecycleExitTest {
    @Test
    void aRunningMonitorDoesNotKeepTheJvmAlive() throws Exception {
        // Fails unless the JVM exited on its own.
        ChildJvm p = ChildJvm.main(DaemonExitMain.class).errorsInOutput().run(TestTimes.atMost(30_000));
        String out = p.output();
        assertEquals(0, p.exitCode(), out);
        assertTrue(out.contains("main returns"), out);
        assertTrue(out.indexOf("stopped at exit") > out.indexOf("main returns") && out.contains("closed at exit"),
                "the monitor was stopped and closed cleanly at JVM exit:\n" + out);
    }
}
