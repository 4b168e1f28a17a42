package io.connwatch.jmx;

import static io.connwatch.testing.Sockets.freePort;
import static io.connwatch.testing.TestTimes.ms;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.connwatch.ConnectionMonitor;
import io.connwatch.MonitorSettings;
import io.connwatch.testing.SocketPairs;
import io.connwatch.testing.TestFiles;
import io.connwatch.tracking.ConnectionTracker;
import io.connwatch.tracking.Endpoints;
import io.connwatch.tracking.Side;
import io.connwatch.tracking.TerminationReason;
import io.connwatch.tracking.TrackedConnection;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import javax.management.Attribute;
import javax.management.JMX;
import javax.management.MBeanInfo;
import javax.management.MBeanOperationInfo;
import javax.management.MBeanServer;
import javax.management.MBeanServerConnection;
import javax.management.MBeanServerFactory;
import javax.management.Notification;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The MXBean the way JConsole uses it: through a real RMI connector on loopback, with password and access files. */
class JmxRemoteTest {
    @TempDir
    Path tmp;

    private final MBeanServer mbeans = MBeanServerFactory.newMBeanServer();
    private final ConnectionTracker tracker = new ConnectionTracker("edge");
    private ConnectionMonitor monitor;
    private ObjectName name;
    private JmxRemote remote;
    private SocketPairs sockets;

    @BeforeEach
    void setUp() throws IOException {
        Path passwords = TestFiles.ownerOnly(tmp.resolve("jmx.password"), "reader readerpw\nadmin adminpw\n");
        Path access = Files.writeString(tmp.resolve("jmx.access"), "reader readonly\nadmin readwrite\n");
        monitor = new ConnectionMonitor(tracker, MonitorSettings.builder().outputDirectory(tmp.resolve("dumps"))
                .accumulationThreshold(3).spikeThreshold(3).captureCooldown(Duration.ZERO)
                .forcedCaptureInterval(Duration.ZERO).stuckAfter(ms(300)).jitter(0).build());
        name = JmxRegistration.register(monitor, mbeans);
        remote = JmxRemote.start(mbeans, InetAddress.getLoopbackAddress(), freePort(), passwords, access);
        sockets = new SocketPairs();
    }

    @AfterEach
    void tearDown() throws IOException {
        sockets.close();
        monitor.close();
        remote.close();
    }

    private JMXConnector connect(String user, String password) throws IOException {
        Map<String, Object> env = new HashMap<>();
        env.put(JMXConnector.CREDENTIALS, new String[] {user, password});
        return JMXConnectorFactory.connect(remote.url(), env);
    }

    private TrackedConnection stuck() throws IOException {
        TrackedConnection c = tracker.open(sockets.accept()).target("10.0.0.5", 8080);
        c.attachOutgoing(Endpoints.of(sockets.accept()));
        c.addBytesReceived(36);
        return c;
    }

    @Test
    void theUrlIsTheOneJconsolesHostPortFormExpects() {
        String url = remote.url().toString();
        assertTrue(url.matches("service:jmx:rmi://127\\.0\\.0\\.1:\\d+/jndi/rmi://127\\.0\\.0\\.1:\\d+/jmxrmi"), url);
        assertEquals("io.connwatch:type=ConnectionMonitor,name=edge", name.toString());
    }

    @Test
    void everyAttributeReadsIncludingTheTables() throws Exception {
        stuck();
        tracker.open(sockets.accept()).close(Side.OUTGOING, TerminationReason.ECONNREFUSED);
        try (JMXConnector c = connect("admin", "adminpw")) {
            MBeanServerConnection conn = c.getMBeanServerConnection();
            ConnectionMonitorMXBean proxy = JMX.newMXBeanProxy(conn, name, ConnectionMonitorMXBean.class);
            await().atMost(ms(3000)).until(() -> {
                proxy.checkNow();
                return proxy.getStuckCount() == 1;
            });
            assertEquals("edge", proxy.getName());
            assertEquals(1, proxy.getActiveConnections());
            assertEquals(2, proxy.getTotalOpened());
            assertEquals(1, proxy.getTotalClosed());
            assertEquals(2, proxy.getPeakConnections());
            assertEquals(1L, proxy.getPatternTallies().get("STUCK"));
            assertEquals(8, proxy.getPatternTallies().size());
            assertEquals(1L, proxy.getTerminationStats().get("outgoing").get("econnrefused"));
            assertFalse(proxy.getLastCheckTime().isEmpty());

            MBeanInfo info = conn.getMBeanInfo(name);
            String[] all = java.util.Arrays.stream(info.getAttributes()).map(a -> a.getName()).toArray(String[]::new);
            assertEquals(all.length, conn.getAttributes(name, all).size(), "every attribute reads");
            assertTrue(conn.getAttribute(name, "PatternTallies") instanceof TabularData, "a table for JConsole");
            assertTrue(conn.getAttribute(name, "TerminationStats") instanceof TabularData);
            for (String a : List.of("Name", "Running", "ActiveConnections", "PeakConnections", "TotalOpened",
                    "TotalClosed", "ZombieCount", "HalfZombieCount", "StuckCount", "IdleCount", "OldCount",
                    "NoOutgoingCount", "SlowBackendCount", "ListenerLeakCount", "PatternTallies", "TerminationStats",
                    "LastCheckTime", "CaptureCount", "LastCaptureFile", "LastCaptureTime", "LastCaptureTrigger",
                    "AccumulationThreshold", "SpikeThreshold", "CheckIntervalMillis", "CleanupEnabled",
                    "OutputDirectory", "MaxDumpFiles", "MaxDumpBytes", "MaskAddresses")) {
                assertTrue(Set.of(all).contains(a), a + " is an attribute");
            }
        }
    }

    @Test
    void goodWritesApplyAndBadOnesAreRefusedWithAMessageAndChangeNothing() throws Exception {
        try (JMXConnector c = connect("admin", "adminpw")) {
            ConnectionMonitorMXBean proxy = JMX.newMXBeanProxy(c.getMBeanServerConnection(), name,
                    ConnectionMonitorMXBean.class);
            proxy.setAccumulationThreshold(10);
            proxy.setSpikeThreshold(7);
            proxy.setCheckIntervalMillis(250);
            proxy.setCleanupEnabled(false);
            Path dir = tmp.resolve("elsewhere");
            proxy.setOutputDirectory(dir.toString());
            assertEquals(10, monitor.settings().accumulationThreshold());
            assertEquals(7, monitor.settings().spikeThreshold());
            assertEquals(Duration.ofMillis(250), monitor.settings().checkInterval());
            assertFalse(monitor.settings().cleanupEnabled());
            assertEquals(dir, monitor.settings().outputDirectory());

            MonitorSettings before = monitor.settings();
            assertRefused(() -> proxy.setAccumulationThreshold(0), "accumulationThreshold");
            assertRefused(() -> proxy.setSpikeThreshold(-1), "spikeThreshold");
            assertRefused(() -> proxy.setCheckIntervalMillis(50), "checkInterval");
            Files.writeString(tmp.resolve("a-file"), "x");
            assertRefused(() -> proxy.setOutputDirectory(tmp.resolve("a-file").resolve("dumps").toString()),
                    "OutputDirectory");
            assertRefused(() -> proxy.setOutputDirectory(tmp.resolve("x/../y").toString()), "..");
            assertEquals(before, monitor.settings(), "nothing changed");
            assertEquals(10, proxy.getAccumulationThreshold());
        }
    }

    @Test
    void retentionAndMaskingAreSetRemotelyAndTakeEffectAtTheNextCapture() throws Exception {
        stuck();
        try (JMXConnector c = connect("admin", "adminpw")) {
            MBeanServerConnection conn = c.getMBeanServerConnection();
            assertEquals(100, conn.getAttribute(name, "MaxDumpFiles"));
            assertEquals(1L << 30, conn.getAttribute(name, "MaxDumpBytes"));
            assertEquals(false, conn.getAttribute(name, "MaskAddresses"));
            String plain = (String) conn.invoke(name, "forceCaptureNow", null, null);
            assertEquals("127.0.0.1", remoteAddressIn(plain));

            conn.setAttribute(name, new Attribute("MaxDumpFiles", 2));
            conn.setAttribute(name, new Attribute("MaxDumpBytes", 2L << 20));
            conn.setAttribute(name, new Attribute("MaskAddresses", true));
            assertEquals(2, conn.getAttribute(name, "MaxDumpFiles"));
            assertEquals(2L << 20, conn.getAttribute(name, "MaxDumpBytes"));
            assertEquals(true, conn.getAttribute(name, "MaskAddresses"));
            assertEquals(2, monitor.settings().maxDumpFiles());
            assertEquals(2L << 20, monitor.settings().maxDumpBytes());
            assertTrue(monitor.settings().maskAddresses());

            String second = (String) conn.invoke(name, "forceCaptureNow", null, null);
            String third = (String) conn.invoke(name, "forceCaptureNow", null, null);
            assertEquals("127.0.0.x", remoteAddressIn(third), "masked from the next dump on");
            try (var files = Files.list(Path.of(third).getParent())) {
                assertEquals(Set.of(Path.of(second), Path.of(third)), files.collect(Collectors.toSet()),
                        "two dumps kept, the oldest deleted");
            }

            MonitorSettings before = monitor.settings();
            assertRefusedRemotely(() -> conn.setAttribute(name, new Attribute("MaxDumpFiles", 0)),
                    "maxDumpFiles must be at least 1, was 0");
            assertRefusedRemotely(() -> conn.setAttribute(name, new Attribute("MaxDumpFiles", -5)),
                    "maxDumpFiles must be at least 1, was -5");
            assertRefusedRemotely(() -> conn.setAttribute(name, new Attribute("MaxDumpBytes", 1000L)),
                    "maxDumpBytes must be at least 1048576 (1 MiB), was 1000");
            assertRefusedRemotely(() -> conn.setAttribute(name, new Attribute("MaxDumpBytes", -1L)),
                    "maxDumpBytes must be at least 1048576 (1 MiB), was -1");
            assertRefusedRemotely(() -> conn.setAttribute(name, new Attribute("MaxDumpFiles", "many")), "");
            assertRefusedRemotely(() -> conn.setAttribute(name, new Attribute("MaskAddresses", "yes")), "");
            assertEquals(before, monitor.settings(), "a refused write changes nothing");
            assertEquals(2, conn.getAttribute(name, "MaxDumpFiles"));
        }
        try (JMXConnector c = connect("reader", "readerpw")) {
            MBeanServerConnection conn = c.getMBeanServerConnection();
            assertEquals(true, conn.getAttribute(name, "MaskAddresses"));
            assertThrows(SecurityException.class, () -> conn.setAttribute(name, new Attribute("MaskAddresses", false)));
            assertThrows(SecurityException.class, () -> conn.setAttribute(name, new Attribute("MaxDumpFiles", 50)));
            assertTrue(monitor.settings().maskAddresses(), "the read-only role changed nothing");
            assertEquals(2, monitor.settings().maxDumpFiles());
        }
    }

    private static String remoteAddressIn(String dump) throws IOException {
        return new ObjectMapper().readTree(Path.of(dump).toFile()).get("connections").get(0).get("remoteAddress")
                .asText();
    }

    private interface RemoteWrite {
        void run() throws Exception;
    }

    private static void assertRefusedRemotely(RemoteWrite write, String mentions) {
        Exception e = assertThrows(Exception.class, write::run);
        String message = e + " / " + e.getCause();
        assertTrue(message.contains(mentions), message);
    }

    private static void assertRefused(Runnable write, String mentions) {
        RuntimeException e = assertThrows(RuntimeException.class, write::run);
        String message = String.valueOf(e.getMessage()) + " / " + e.getCause();
        assertTrue(message.contains(mentions), message);
    }

    @Test
    void operationsCaptureCheckAndClean() throws Exception {
        stuck();
        try (JMXConnector c = connect("admin", "adminpw")) {
            MBeanServerConnection conn = c.getMBeanServerConnection();
            String file = (String) conn.invoke(name, "forceCaptureNow", null, null);
            assertTrue(Files.isRegularFile(Path.of(file)));
            assertEquals("force_capture", new ObjectMapper().readTree(Path.of(file).toFile()).get("trigger").asText());
            assertEquals(file, conn.getAttribute(name, "LastCaptureFile"));
            assertEquals("force_capture", conn.getAttribute(name, "LastCaptureTrigger"));
            await().atMost(ms(3000)).until(() -> {
                conn.invoke(name, "checkNow", null, null);
                return (Long) conn.getAttribute(name, "StuckCount") == 1;
            });
            assertEquals(1, conn.invoke(name, "cleanupNow", null, null));
            conn.invoke(name, "resetPeak", null, null);
            assertEquals(0L, conn.getAttribute(name, "PeakConnections"));
            conn.invoke(name, "start", null, null);
            assertEquals(true, conn.getAttribute(name, "Running"));
            conn.invoke(name, "stop", null, null);
            assertEquals(false, conn.getAttribute(name, "Running"));
        }
    }

    @Test
    void aRemoteListenerReceivesEachNotificationWithItsFigures() throws Exception {
        List<Notification> received = new CopyOnWriteArrayList<>();
        try (JMXConnector c = connect("admin", "adminpw")) {
            MBeanServerConnection conn = c.getMBeanServerConnection();
            conn.addNotificationListener(name, (n, handback) -> received.add(n), null, null);
            monitor.checkNow();
            for (int i = 0; i < 4; i++) {
                stuck();
            }
            monitor.checkNow(); // 4 > 3 and +4 >= 3: accumulation, spike, and the episode's capture
            await().atMost(ms(3000)).until(() -> monitor.checkNow().count(io.connwatch.analysis.Pattern.STUCK) == 4);
            assertEquals(4, monitor.cleanupNow());

            await().atMost(ms(5000)).until(() -> received.stream().map(Notification::getType)
                    .collect(Collectors.toSet()).containsAll(Set.of("io.connwatch.accumulation", "io.connwatch.spike",
                            "io.connwatch.capture", "io.connwatch.cleanup")));
            for (Notification n : received) {
                assertEquals(name, n.getSource(), "sourced by ObjectName");
                assertTrue(n.getUserData() instanceof CompositeData, n.getType());
            }
            CompositeData acc = data(received, "io.connwatch.accumulation");
            assertEquals(4L, acc.get("activeConnections"));
            assertEquals(3L, acc.get("threshold"));
            assertTrue(((String) acc.get("captureFile")).endsWith("_accumulation.json"));
            assertEquals(4L, data(received, "io.connwatch.spike").get("increase"));
            assertEquals("accumulation", data(received, "io.connwatch.capture").get("trigger"));
            CompositeData cleanup = data(received, "io.connwatch.cleanup");
            assertEquals(4L, cleanup.get("cleaned"));
            assertEquals("stuck_no_response=4", cleanup.get("byReason"));
            assertEquals(1, received.stream().filter(n -> n.getType().equals("io.connwatch.cleanup")).count(),
                    "one per sweep, not one per connection");
        }
    }

    private static CompositeData data(List<Notification> ns, String type) {
        return (CompositeData) ns.stream().filter(n -> n.getType().equals(type)).findFirst().orElseThrow().getUserData();
    }

    @Test
    void wrongPasswordAndReadOnlyRoleAreRefused() throws Exception {
        assertThrows(SecurityException.class, () -> connect("admin", "wrong").close());
        assertThrows(SecurityException.class, () -> connect("nobody", "x").close());
        try (JMXConnector c = connect("reader", "readerpw")) {
            MBeanServerConnection conn = c.getMBeanServerConnection();
            assertEquals("edge", conn.getAttribute(name, "Name"));
            assertThrows(SecurityException.class, () -> conn.invoke(name, "forceCaptureNow", null, null));
            assertThrows(SecurityException.class, () -> conn.invoke(name, "cleanupNow", null, null));
            assertThrows(SecurityException.class,
                    () -> conn.setAttribute(name, new Attribute("AccumulationThreshold", 99L)));
            assertEquals(3, monitor.settings().accumulationThreshold(), "the refused write changed nothing");
            assertEquals(0, monitor.captureCount());
        }
    }

    @Test
    void mbeanInfoCarriesDescriptionsActionImpactsAndNotifications() throws Exception {
        try (JMXConnector c = connect("reader", "readerpw")) {
            MBeanInfo info = c.getMBeanServerConnection().getMBeanInfo(name);
            assertFalse(info.getDescription().isBlank());
            Set<String> ops = java.util.Arrays.stream(info.getOperations()).map(MBeanOperationInfo::getName)
                    .collect(Collectors.toSet());
            assertEquals(Set.of("forceCaptureNow", "checkNow", "cleanupNow", "resetPeak", "start", "stop"), ops);
            for (MBeanOperationInfo op : info.getOperations()) {
                assertEquals(MBeanOperationInfo.ACTION, op.getImpact(), op.getName());
                assertFalse(op.getDescription().equals(op.getName()) || op.getDescription().isBlank(), op.getName());
            }
            for (var a : info.getAttributes()) {
                assertFalse(a.getDescription().equals(a.getName()) || a.getDescription().isBlank(), a.getName());
            }
            Set<String> types = java.util.Arrays.stream(info.getNotifications()).flatMap(n -> java.util.Arrays.stream(n.getNotifTypes()))
                    .collect(Collectors.toSet());
            assertEquals(Set.of("io.connwatch.accumulation", "io.connwatch.spike", "io.connwatch.capture",
                    "io.connwatch.cleanup"), types);
        }
    }

    @Test
    void noUnauthenticatedConnectorOnANonLoopbackAddress() throws Exception {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> JmxRemote.start(mbeans, InetAddress.getByName("0.0.0.0"), freePort(), null, null));
        assertTrue(e.getMessage().contains("without authentication"), e.getMessage());
    }

    @Test
    void aPasswordFileItsGroupOrOthersCanReadIsRefusedBeforeAnythingIsBound() throws Exception {
        for (String mode : List.of("rw-r--r--", "rw-r-----", "rw----r--", "rw--w----")) {
            Path open = TestFiles.withMode(tmp.resolve("open.password"), "admin adminpw\n", mode);
            int port = freePort();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JmxRemote.start(mbeans,
                    InetAddress.getLoopbackAddress(), port, open, tmp.resolve("jmx.access")), mode);
            assertEquals("JMX password file " + open + " is open to its group or others (" + mode
                    + "): restrict it to its owner with chmod 600 " + open, e.getMessage());
            new ServerSocket(port, 1, InetAddress.getLoopbackAddress()).close(); // nothing was bound
        }
    }

    @Test
    void aPasswordFileOnlyItsOwnerCanUseIsAccepted() throws Exception {
        for (String mode : List.of("rw-------", "r--------", "rwx------")) {
            Path owned = TestFiles.withMode(tmp.resolve("owned-" + mode.replace('-', '_') + ".password"),
                    "admin adminpw\n", mode);
            try (JmxRemote other = JmxRemote.start(mbeans, InetAddress.getLoopbackAddress(), freePort(), owned,
                    tmp.resolve("jmx.access"));
                 JMXConnector c = JMXConnectorFactory.connect(other.url(),
                         Map.of(JMXConnector.CREDENTIALS, new String[] {"admin", "adminpw"}))) {
                assertEquals("edge", c.getMBeanServerConnection().getAttribute(name, "Name"), mode);
            }
        }
    }
}
