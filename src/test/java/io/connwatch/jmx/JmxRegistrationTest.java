package io.connwatch.jmx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connwatch.ConnectionMonitor;
import io.connwatch.MonitorSettings;
import io.connwatch.tracking.ConnectionTracker;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Registration: idempotent, quoted where needed, side by side, gone with the monitor. */
class JmxRegistrationTest {
    @TempDir
    Path dumps;

    private ConnectionMonitor monitor(String name) {
        return new ConnectionMonitor(new ConnectionTracker(name), MonitorSettings.builder().outputDirectory(dumps).build());
    }

    @Test
    void registeringTwiceDoesNothingAndClosingUnregisters() {
        MBeanServer server = MBeanServerFactory.newMBeanServer();
        ConnectionMonitor m = monitor("edge");
        ObjectName first = JmxRegistration.register(m, server);
        assertEquals(first, JmxRegistration.register(m, server));
        assertTrue(server.isRegistered(first));
        m.close();
        assertFalse(server.isRegistered(first));
    }

    @Test
    void monitorsSideBySideAndANameTakenByAnotherIsRefused() {
        MBeanServer server = MBeanServerFactory.newMBeanServer();
        try (ConnectionMonitor a = monitor("a"); ConnectionMonitor b = monitor("b"); ConnectionMonitor a2 = monitor("a")) {
            ObjectName na = JmxRegistration.register(a, server);
            ObjectName nb = JmxRegistration.register(b, server);
            assertTrue(server.isRegistered(na) && server.isRegistered(nb));
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> JmxRegistration.register(a2, server));
            assertTrue(e.getMessage().contains("another monitor"), e.getMessage());
        }
    }

    @Test
    void namesWithObjectNameCharactersAreQuoted() throws Exception {
        MBeanServer server = MBeanServerFactory.newMBeanServer();
        try (ConnectionMonitor m = monitor("edge,zone=eu:1 \"x\"")) {
            ObjectName n = JmxRegistration.register(m, server);
            assertEquals("edge,zone=eu:1 \"x\"", ObjectName.unquote(n.getKeyProperty("name")));
            assertEquals("ConnectionMonitor", n.getKeyProperty("type"));
            assertEquals("edge,zone=eu:1 \"x\"", server.getAttribute(n, "Name"));
        }
    }

    @Test
    void everyMonitorAppearsInThePlatformServerForJconsole() {
        try (ConnectionMonitor m = monitor("platform-visible")) {
            ObjectName n = JmxRegistration.objectName("platform-visible");
            assertTrue(ManagementFactory.getPlatformMBeanServer().isRegistered(n));
            m.close();
            assertFalse(ManagementFactory.getPlatformMBeanServer().isRegistered(n));
        }
    }
}
