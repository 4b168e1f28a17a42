package io.connwatch.jmx;

import io.connwatch.AccumulationEvent;
import io.connwatch.ConnectionMonitor;
import io.connwatch.MonitorListener;
import io.connwatch.SpikeEvent;
import io.connwatch.capture.CaptureResult;
import io.connwatch.cleanup.SweepResult;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanInfo;
import javax.management.MBeanNotificationInfo;
import javax.management.MBeanOperationInfo;
import javax.management.Notification;
import javax.management.NotificationBroadcasterSupport;
import javax.management.ObjectName;
import javax.management.StandardEmitterMBean;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.CompositeDataSupport;
import javax.management.openmbean.CompositeType;
import javax.management.openmbean.OpenDataException;
import javax.management.openmbean.OpenType;
import javax.management.openmbean.SimpleType;

/**
 * The registered MBean: the MXBean face with the descriptions, impacts (introspection alone says UNKNOWN) and order
 * its interface declares ({@link Description}), and the notifications JConsole offers to subscribe to. Notifications
 * carry the ObjectName as source, so remote clients receive them, and a CompositeData with the figures.
 */
final class MonitorMBean extends StandardEmitterMBean implements MonitorListener {
    /** An accumulation episode began. */
    static final String ACCUMULATION = "io.connwatch.accumulation";
    /** A spike. */
    static final String SPIKE = "io.connwatch.spike";
    /** A dump written or failed. */
    static final String CAPTURE = "io.connwatch.capture";
    /** A sweep that cleaned connections (one per sweep, not per connection). */
    static final String CLEANUP = "io.connwatch.cleanup";

    private static final MBeanNotificationInfo[] NOTIFICATIONS = {
        new MBeanNotificationInfo(new String[] {ACCUMULATION}, Notification.class.getName(),
                "An accumulation episode began: more connections than the threshold at a check"),
        new MBeanNotificationInfo(new String[] {SPIKE}, Notification.class.getName(),
                "The connection count rose by the spike threshold or more since the previous check"),
        new MBeanNotificationInfo(new String[] {CAPTURE}, Notification.class.getName(),
                "A diagnostic dump was written, or failed"),
        new MBeanNotificationInfo(new String[] {CLEANUP}, Notification.class.getName(),
                "A cleanup sweep closed connections"),
    };

    private static final ManagedMembers MEMBERS = new ManagedMembers(ConnectionMonitorMXBean.class);

    private static final CompositeType ACCUMULATION_TYPE = type("Accumulation",
            new String[] {"activeConnections", "threshold", "captureFile"},
            new OpenType<?>[] {SimpleType.LONG, SimpleType.LONG, SimpleType.STRING});
    private static final CompositeType SPIKE_TYPE = type("Spike",
            new String[] {"previousCount", "activeConnections", "increase", "spikeThreshold", "intervalMillis"},
            new OpenType<?>[] {SimpleType.LONG, SimpleType.LONG, SimpleType.LONG, SimpleType.LONG, SimpleType.LONG});
    private static final CompositeType CAPTURE_TYPE = type("Capture",
            new String[] {"trigger", "file", "connections", "bytesWritten", "error"},
            new OpenType<?>[] {SimpleType.STRING, SimpleType.STRING, SimpleType.INTEGER, SimpleType.LONG, SimpleType.STRING});
    private static final CompositeType CLEANUP_TYPE = type("Cleanup",
            new String[] {"cleaned", "byReason"},
            new OpenType<?>[] {SimpleType.LONG, SimpleType.STRING});

    private final ObjectName name;
    private final AtomicLong sequence = new AtomicLong();

    MonitorMBean(ConnectionMonitor monitor, ObjectName name) {
        super(new MonitorMXBeanImpl(monitor), ConnectionMonitorMXBean.class, true,
                new NotificationBroadcasterSupport(NOTIFICATIONS));
        this.name = name;
    }

    private static CompositeType type(String typeName, String[] items, OpenType<?>[] types) {
        try {
            return new CompositeType("io.connwatch." + typeName, typeName + " figures", items, items, types);
        } catch (OpenDataException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @Override
    protected String getDescription(MBeanInfo info) {
        return "connwatch connection monitor: counts, patterns, captures and cleanup (figures are point-in-time)";
    }

    @Override
    protected String getDescription(MBeanAttributeInfo info) {
        return MEMBERS.description(info, info.getDescription());
    }

    @Override
    protected String getDescription(MBeanOperationInfo info) {
        return MEMBERS.description(info, info.getDescription());
    }

    @Override
    protected int getImpact(MBeanOperationInfo info) {
        return MEMBERS.impact(info, info.getImpact());
    }

    // Introspection lists the interface's methods in reflection order, which differs from one JVM to the next: the
    // info is cached, and so returned, in the order the interface declares.
    @Override
    protected void cacheMBeanInfo(MBeanInfo info) {
        super.cacheMBeanInfo(info == null ? null : MEMBERS.inOrder(info));
    }

    @Override
    public MBeanInfo getMBeanInfo() {
        MBeanInfo built = super.getMBeanInfo();
        MBeanInfo cached = getCachedMBeanInfo();
        return cached != null ? cached : MEMBERS.inOrder(built);
    }

    ObjectName objectName() {
        return name;
    }

    private void send(String type, String message, CompositeType ct, Map<String, ?> values) {
        Notification n = new Notification(type, name, sequence.incrementAndGet(), System.currentTimeMillis(), message);
        try {
            CompositeData data = new CompositeDataSupport(ct, values);
            n.setUserData(data);
        } catch (OpenDataException e) {
            throw new IllegalStateException(e);
        }
        sendNotification(n);
    }

    @Override
    public void onAccumulation(ConnectionMonitor m, AccumulationEvent e) {
        send(ACCUMULATION, m.name() + ": " + e.activeConnections() + " active connections > threshold " + e.threshold(),
                ACCUMULATION_TYPE, Map.of("activeConnections", e.activeConnections(), "threshold", e.threshold(),
                        "captureFile", e.captureFile() == null ? "" : e.captureFile().toString()));
    }

    @Override
    public void onSpike(ConnectionMonitor m, SpikeEvent e) {
        send(SPIKE, m.name() + ": +" + e.increase() + " connections since the previous check", SPIKE_TYPE,
                Map.of("previousCount", e.previousCount(), "activeConnections", e.activeConnections(),
                        "increase", e.increase(), "spikeThreshold", e.spikeThreshold(),
                        "intervalMillis", e.interval().toMillis()));
    }

    @Override
    public void onCapture(ConnectionMonitor m, CaptureResult r) {
        send(CAPTURE, m.name() + ": " + (r.succeeded() ? "dump written: " + r.file() : "dump failed: " + r.error()),
                CAPTURE_TYPE, Map.of("trigger", r.trigger().wireName(), "file", r.file() == null ? "" : r.file().toString(),
                        "connections", r.connections(), "bytesWritten", r.bytesWritten(),
                        "error", r.error() == null ? "" : r.error()));
    }

    @Override
    public void onSweep(ConnectionMonitor m, SweepResult r) {
        if (r.cleanedCount() > 0) {
            StringBuilder reasons = new StringBuilder();
            r.cleaned().forEach((k, v) -> reasons.append(reasons.length() == 0 ? "" : ", ").append(k.wireName())
                    .append('=').append(v));
            send(CLEANUP, m.name() + ": cleanup closed " + r.cleanedCount() + " connections (" + reasons + ")",
                    CLEANUP_TYPE, Map.of("cleaned", (long) r.cleanedCount(), "byReason", reasons.toString()));
        }
    }
}
