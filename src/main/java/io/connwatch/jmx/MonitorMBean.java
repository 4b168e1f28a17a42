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
 * The registered MBean: the MXBean face with descriptions and ACTION impacts (introspection alone says UNKNOWN), and
 * the notifications JConsole offers to subscribe to. Notifications carry the ObjectName as source, so remote clients
 * receive them, and a CompositeData with the figures.
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

    private static final Map<String, String> OPERATIONS = Map.of(
            "forceCaptureNow", "Writes a diagnostic dump now and returns its path (at most one a second)",
            "checkNow", "Runs a check now: counts, patterns, accumulation and spike triggers",
            "cleanupNow", "Runs the cleanup sweep now and returns how many connections it closed",
            "resetPeak", "Sets PeakConnections to the current count",
            "start", "Starts periodic checks and cleanup",
            "stop", "Stops periodic checks and cleanup; on-demand operations still work");

    private static final Map<String, String> ATTRIBUTES = Map.ofEntries(
            Map.entry("Name", "The monitor's name"),
            Map.entry("Running", "Whether periodic checks and cleanup run"),
            Map.entry("ActiveConnections", "Connections open now"),
            Map.entry("PeakConnections", "The most connections open at once since start or resetPeak"),
            Map.entry("TotalOpened", "Connections opened since the tracker started"),
            Map.entry("TotalClosed", "Connections closed since the tracker started"),
            Map.entry("ZombieCount", "ZOMBIE connections at the latest check"),
            Map.entry("HalfZombieCount", "HALF_ZOMBIE connections at the latest check"),
            Map.entry("StuckCount", "STUCK connections at the latest check"),
            Map.entry("IdleCount", "IDLE connections at the latest check"),
            Map.entry("OldCount", "OLD connections at the latest check"),
            Map.entry("NoOutgoingCount", "NO_OUTGOING connections at the latest check"),
            Map.entry("SlowBackendCount", "SLOW_BACKEND connections at the latest check"),
            Map.entry("ListenerLeakCount", "LISTENER_LEAK connections at the latest check"),
            Map.entry("PatternTallies", "Connections per pattern at the latest check"),
            Map.entry("TerminationStats", "Closes by side (incoming, outgoing) and reason"),
            Map.entry("LastCheckTime", "When the latest check ran (ISO-8601 UTC)"),
            Map.entry("CaptureCount", "Diagnostic dumps written"),
            Map.entry("CaptureFailures", "Diagnostic dumps that failed"),
            Map.entry("LastCaptureFile", "The latest dump's path"),
            Map.entry("LastCaptureTime", "When the latest dump was taken (ISO-8601 UTC)"),
            Map.entry("LastCaptureTrigger", "What made the latest dump: accumulation, spike or force_capture"),
            Map.entry("AccumulationThreshold", "Accumulation when more connections than this are open at a check (at least 1)"),
            Map.entry("SpikeThreshold", "Spike when the count rose by this or more since the previous check (at least 1)"),
            Map.entry("CheckIntervalMillis", "Milliseconds between checks (at least 100); applies at the next tick"),
            Map.entry("CleanupEnabled", "Whether cleanup closes connections; false is report-only"),
            Map.entry("OutputDirectory", "Where dumps go when no recording says otherwise; must be writable"),
            Map.entry("MaxDumpFiles", "Dumps kept per folder (at least 1); the oldest beyond it are deleted after each capture"),
            Map.entry("MaxDumpBytes", "Bytes of dumps kept per folder (at least 1048576); the oldest beyond it are deleted after each capture"),
            Map.entry("MaskAddresses", "Whether client addresses are masked (203.0.113.x) in dumps and JFR events"));

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
        return ATTRIBUTES.getOrDefault(info.getName(), info.getDescription());
    }

    @Override
    protected String getDescription(MBeanOperationInfo info) {
        return OPERATIONS.getOrDefault(info.getName(), info.getDescription());
    }

    @Override
    protected int getImpact(MBeanOperationInfo info) {
        return MBeanOperationInfo.ACTION;
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
