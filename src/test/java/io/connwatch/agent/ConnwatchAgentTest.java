package io.connwatch.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The agent's start in this JVM (no instrumentation needed yet): loading it twice with one name is refused and leaves
 * the first monitor running; a failure while starting is one line and nothing left registered.
 */
class ConnwatchAgentTest {
    private final MBeanServer mbeans = ManagementFactory.getPlatformMBeanServer();
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    private final List<ConnwatchAgent.Running> started = new ArrayList<>();

    @AfterEach
    void closeWhatStarted() throws Exception {
        for (ConnwatchAgent.Running r : started) {
            r.close();
        }
    }

    private ConnwatchAgent.Running start(String options) {
        ConnwatchAgent.Running r = ConnwatchAgent.start(options, null, err);
        if (r != null) {
            started.add(r);
        }
        return r;
    }

    private List<String> lines() {
        return bytes.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void loadingTheAgentTwiceWithOneNameIsRefusedAndTheFirstMonitorStays() throws Exception {
        ConnwatchAgent.Running first = start("name=twice");
        assertNotNull(first, String.join("\n", lines()));
        assertNull(start("name=twice,threshold=3"));
        assertEquals(List.of("connwatch agent: monitor 'twice' started: MBean io.connwatch:type=ConnectionMonitor,"
                        + "name=twice, report-only",
                "connwatch agent: a monitor named 'twice' already runs in this JVM (io.connwatch:type=ConnectionMonitor,"
                        + "name=twice): give another name=...; the monitor already running is left as it is"), lines());
        ObjectName name = new ObjectName("io.connwatch:type=ConnectionMonitor,name=twice");
        assertTrue(first.monitor.isRunning());
        assertEquals(50L, ((Number) mbeans.getAttribute(name, "AccumulationThreshold")).longValue(),
                "the first monitor's settings, not the refused one's");

        first.close();
        started.clear();
        assertFalse(mbeans.isRegistered(name), "closing removes the MBean");
        assertNotNull(start("name=twice"), "once closed, the name may start again");
    }

    @Test
    void aFailureWhileStartingIsOneLineAndLeavesNothingRegistered() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertNull(start("name=busy-port,jmxPort=" + taken.getLocalPort()));
        }
        List<String> lines = lines();
        assertEquals(1, lines.size(), lines.toString());
        assertTrue(lines.get(0).startsWith("connwatch agent: could not start: "), lines.get(0));
        assertTrue(lines.get(0).endsWith("; the application runs without connwatch"), lines.get(0));
        assertEquals(Set.of(), mbeans.queryNames(new ObjectName("io.connwatch:type=ConnectionMonitor,*"), null),
                "no monitor left registered");
        assertNotNull(start("name=busy-port"), "the name is free again");
    }

    @Test
    void aBadOptionIsTheOneLineAndNothingStarts() throws Exception {
        assertNull(start("interval=5x"));
        assertEquals(List.of("connwatch agent: option 'interval=5x' is not a duration: write a whole number and a"
                + " unit, like 500ms, 30s, 5m or 4h; the application runs without connwatch"), lines());
        assertEquals(Set.of(), mbeans.queryNames(new ObjectName("io.connwatch:type=ConnectionMonitor,*"), null));
    }

    @Test
    void premainNeverThrows() {
        PrintStream saved = System.err;
        System.setErr(err);
        try {
            ConnwatchAgent.premain("name=a\u0007b", null);
        } finally {
            System.setErr(saved);
        }
        assertEquals(List.of("connwatch agent: option 'name=a\\u0007b' holds a control character (line break, tab...):"
                + " a name must be printable; the application runs without connwatch"), lines());
    }
}
