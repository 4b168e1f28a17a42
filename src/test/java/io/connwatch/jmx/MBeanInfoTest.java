package io.connwatch.jmx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connwatch.ConnectionMonitor;
import io.connwatch.MonitorSettings;
import io.connwatch.analysis.Pattern;
import io.connwatch.tracking.ConnectionTracker;
import java.io.IOException;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import javax.management.JMX;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanFeatureInfo;
import javax.management.MBeanInfo;
import javax.management.MBeanOperationInfo;
import javax.management.MBeanServer;
import javax.management.MBeanServerConnection;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The MBean's info as JConsole reads it over a real connector on loopback: each attribute and operation with the
 * description, impact and place written on its method in {@link ConnectionMonitorMXBean}, whatever order reflection
 * gives the methods in.
 */
class MBeanInfoTest {
    @TempDir
    Path tmp;

    private final MBeanServer mbeans = MBeanServerFactory.newMBeanServer();
    private ConnectionMonitor monitor;
    private ObjectName name;
    private JmxRemote remote;
    private JMXConnector client;
    private MBeanServerConnection conn;

    @BeforeEach
    void setUp() throws IOException {
        monitor = new ConnectionMonitor(new ConnectionTracker("info"),
                MonitorSettings.builder().outputDirectory(tmp).build());
        name = JmxRegistration.register(monitor, mbeans);
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        remote = JmxRemote.start(mbeans, InetAddress.getLoopbackAddress(), port, null, null);
        client = JMXConnectorFactory.connect(remote.url());
        conn = client.getMBeanServerConnection();
    }

    @AfterEach
    void tearDown() throws IOException {
        client.close();
        remote.close();
        monitor.close();
    }

    /** The interface's annotated methods in their declared order, named as the MBean names them. */
    private static List<String> declared(Function<Method, String> nameOf) {
        return Arrays.stream(ConnectionMonitorMXBean.class.getMethods())
                .filter(m -> nameOf.apply(m) != null)
                .sorted(Comparator.comparingInt(m -> m.getAnnotation(Description.class).order()))
                .map(nameOf).collect(Collectors.toList());
    }

    private static String operation(Method m) {
        return ManagedMembers.attributeOf(m) == null && !m.getName().startsWith("set") ? m.getName() : null;
    }

    private static List<String> names(MBeanFeatureInfo[] features) {
        return Arrays.stream(features).map(MBeanFeatureInfo::getName).collect(Collectors.toList());
    }

    @Test
    void attributesAndOperationsAreListedInTheDeclaredOrder() throws Exception {
        MBeanInfo info = conn.getMBeanInfo(name);
        assertEquals(List.of("forceCaptureNow", "checkNow", "cleanupNow", "resetPeak", "start", "stop"),
                names(info.getOperations()));
        List<String> attributes = names(info.getAttributes());
        assertEquals(declared(ManagedMembers::attributeOf), attributes);
        assertEquals(List.of("Name", "Running", "ActiveConnections", "PeakConnections", "TotalOpened", "TotalClosed"),
                attributes.subList(0, 6));
        assertEquals(Pattern.inCountOrder().stream().map(Pattern::attributeName).collect(Collectors.toList()),
                attributes.subList(6, 6 + Pattern.values().length), "the pattern counts, in the dump's order");
        assertEquals("true", info.getDescriptor().getFieldValue(JMX.IMMUTABLE_INFO_FIELD), "the info never changes");
        assertEquals(info.getAttributes().length, new HashSet<>(attributes).size());
    }

    @Test
    void everyAttributeAndOperationCarriesWhatItsMethodDeclares() throws Exception {
        MBeanInfo info = conn.getMBeanInfo(name);
        Set<String> attributes = new HashSet<>(declared(ManagedMembers::attributeOf));
        assertEquals(attributes, new HashSet<>(names(info.getAttributes())), "each attribute has its description");
        assertEquals(new HashSet<>(declared(MBeanInfoTest::operation)), new HashSet<>(names(info.getOperations())),
                "each operation has its description");
        for (Method m : ConnectionMonitorMXBean.class.getMethods()) {
            Description d = m.getAnnotation(Description.class);
            String attribute = ManagedMembers.attributeOf(m);
            if (attribute != null) {
                MBeanAttributeInfo a = Arrays.stream(info.getAttributes()).filter(x -> x.getName().equals(attribute))
                        .findFirst().orElseThrow();
                assertEquals(d.value(), a.getDescription(), attribute);
            } else if (operation(m) != null) {
                MBeanOperationInfo op = Arrays.stream(info.getOperations()).filter(x -> x.getName().equals(m.getName()))
                        .findFirst().orElseThrow();
                assertEquals(d.value(), op.getDescription(), m.getName());
                assertEquals(d.impact(), op.getImpact(), m.getName());
                assertEquals(MBeanOperationInfo.ACTION, op.getImpact(), m.getName());
            }
        }
        Set<Integer> orders = Arrays.stream(ConnectionMonitorMXBean.class.getMethods())
                .map(m -> m.getAnnotation(Description.class)).filter(d -> d != null).map(Description::order)
                .collect(Collectors.toSet());
        assertEquals(attributes.size() + info.getOperations().length, orders.size(), "no two share a place");
    }

    @Test
    void eachPatternCountIsTheAttributeThePatternNames() throws Exception {
        monitor.checkNow();
        TabularData tallies = (TabularData) conn.getAttribute(name, "PatternTallies");
        Map<String, Long> byPattern = tallies.values().stream().map(CompositeData.class::cast)
                .collect(Collectors.toMap(c -> (String) c.get("key"), c -> (Long) c.get("value")));
        for (Pattern p : Pattern.values()) {
            Object count = conn.getAttribute(name, p.attributeName());
            assertNotNull(count, p.attributeName());
            assertEquals(byPattern.get(p.name()), count, p.attributeName());
        }
        assertTrue(byPattern.keySet().containsAll(Arrays.stream(Pattern.values()).map(Pattern::name)
                .collect(Collectors.toList())));
    }
}
