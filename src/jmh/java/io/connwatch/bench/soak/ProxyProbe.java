package io.connwatch.bench.soak;

import io.connwatch.jmx.ConnectionMonitorMXBean;
import io.connwatch.jmx.JmxRegistration;
import java.io.IOException;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryUsage;
import java.util.Map;
import java.util.TreeMap;
import javax.management.JMX;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * The proxy seen through its remote JMX connector ({@code --jmx-port}, RMI on loopback): the connwatch MXBean and
 * the JVM's own MBeans. One connection, used from one thread only, so that the connector's own sockets in the
 * proxy stay the same between the baseline and the end.
 */
final class ProxyProbe implements AutoCloseable {
    private final JMXConnector connector;
    private final MBeanServerConnection mbeans;
    private final ConnectionMonitorMXBean monitor;
    private final ObjectName os;
    private final MemoryMXBean memory;

    private ProxyProbe(JMXConnector connector, String monitorName) throws Exception {
        this.connector = connector;
        this.mbeans = connector.getMBeanServerConnection();
        this.monitor = JMX.newMXBeanProxy(mbeans, JmxRegistration.objectName(monitorName), ConnectionMonitorMXBean.class);
        this.os = new ObjectName("java.lang:type=OperatingSystem");
        this.memory = JMX.newMXBeanProxy(mbeans, new ObjectName("java.lang:type=Memory"), MemoryMXBean.class);
    }

    /** Connects to {@code service:jmx:rmi:///jndi/rmi://host:port/jmxrmi}, retrying for up to {@code waitMs}. */
    static ProxyProbe connect(String host, int port, String monitorName, long waitMs) throws Exception {
        JMXServiceURL url = new JMXServiceURL("service:jmx:rmi:///jndi/rmi://" + host + ":" + port + "/jmxrmi");
        long deadline = System.currentTimeMillis() + waitMs;
        while (true) {
            try {
                ProxyProbe p = new ProxyProbe(JMXConnectorFactory.connect(url), monitorName);
                p.monitor.getName(); // the MBean is there
                return p;
            } catch (IOException | RuntimeException e) {
                if (System.currentTimeMillis() > deadline) {
                    throw new IOException("no JMX connection to " + url + ": " + e, e);
                }
                Thread.sleep(200);
            }
        }
    }

    ConnectionMonitorMXBean monitor() {
        return monitor;
    }

    long openFds() throws Exception {
        return ((Number) mbeans.getAttribute(os, "OpenFileDescriptorCount")).longValue();
    }

    /** The least of {@code samples} readings {@code gapMs} apart: transient descriptors (a dump being written) aside. */
    long openFdsSettled(int samples, long gapMs) throws Exception {
        long min = Long.MAX_VALUE;
        for (int i = 0; i < samples; i++) {
            min = Math.min(min, openFds());
            Thread.sleep(gapMs);
        }
        return min;
    }

    /** Heap used right after a full collection (MemoryMXBean.gc, twice), in bytes. */
    long heapAfterGc() {
        memory.gc();
        memory.gc();
        MemoryUsage heap = memory.getHeapMemoryUsage();
        return heap.getUsed();
    }

    long heapMax() {
        return memory.getHeapMemoryUsage().getMax();
    }

    long threads() throws Exception {
        return ((Number) mbeans.getAttribute(new ObjectName("java.lang:type=Threading"), "ThreadCount")).longValue();
    }

    long directBufferBytes() throws Exception {
        return ((Number) mbeans.getAttribute(new ObjectName("java.nio:type=BufferPool,name=direct"), "MemoryUsed"))
                .longValue();
    }

    /** A point-in-time copy of the monitor's counts. */
    Snapshot snapshot() {
        Map<String, Map<String, Long>> stats = new TreeMap<>();
        monitor.getTerminationStats().forEach((side, reasons) -> stats.put(side, new TreeMap<>(reasons)));
        return new Snapshot(monitor.getActiveConnections(), monitor.getTotalOpened(), monitor.getTotalClosed(),
                monitor.getPeakConnections(), stats);
    }

    @Override
    public void close() throws IOException {
        connector.close();
    }

    /** Counts read together: active, opened, closed, peak and closes by side and reason. */
    record Snapshot(long active, long opened, long closed, long peak, Map<String, Map<String, Long>> reasons) {
        long reasonTotal() {
            return reasons.values().stream().flatMap(m -> m.values().stream()).mapToLong(Long::longValue).sum();
        }

        long sideTotal(String side) {
            return reasons.getOrDefault(side, Map.of()).values().stream().mapToLong(Long::longValue).sum();
        }

        /** Closes by side and reason since {@code base}. */
        Map<String, Map<String, Long>> reasonsSince(Snapshot base) {
            Map<String, Map<String, Long>> out = new TreeMap<>();
            reasons.forEach((side, m) -> {
                Map<String, Long> d = new TreeMap<>();
                m.forEach((r, n) -> {
                    long delta = n - base.reasons.getOrDefault(side, Map.of()).getOrDefault(r, 0L);
                    if (delta != 0) {
                        d.put(r, delta);
                    }
                });
                out.put(side, d);
            });
            return out;
        }
    }
}
