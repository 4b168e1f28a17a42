package io.connwatch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connwatch.testing.ChildJvm;
import io.connwatch.testing.ChildJvms;
import io.connwatch.testing.Sockets;
import io.connwatch.testing.TestTimes;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The executable starts without the JVM warning its user: on JDK 24 and later, Netty's native epoll transport loading
 * its library prints four lines of "restricted method" warnings unless the jar grants native access. Runs on the JVM
 * under test, so it proves something when the suite runs on a recent JDK (CI runs it on 17 and 25).
 */
class JdkWarningsIT {
    @RegisterExtension
    final ChildJvms jvms = new ChildJvms();

    @Test
    void proxyStartsAndStopsWithoutAJvmWarning() throws Exception {
        ChildJvm proxy = jvms.start(ChildJvm.jar().args("proxy", "--listen", "127.0.0.1:0",
                "--target", "127.0.0.1:" + Sockets.freePort(), "--dump-dir", System.getProperty("java.io.tmpdir")));
        String line = proxy.awaitLine("listening on .*");
        assertTrue(line.endsWith("(epoll)"), "the native transport was loaded: " + line);
        proxy.sigterm();
        assertEquals(0, proxy.awaitExit(TestTimes.atMost(30_000)));
        List<String> warnings = proxy.errorLines().stream().filter(l -> l.startsWith("WARNING")).toList();
        assertEquals(List.of(), warnings, "JVM " + Runtime.version());
    }
}
