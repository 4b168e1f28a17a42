package io.connwatch.jfr;

import io.connwatch.AccumulationEvent;
import io.connwatch.ConnectionMonitor;
import io.connwatch.MonitorIntegration;
import io.connwatch.MonitorListener;
import io.connwatch.SpikeEvent;
import io.connwatch.analysis.CheckResult;
import io.connwatch.analysis.Pattern;
import io.connwatch.capture.AddressMask;
import io.connwatch.capture.CaptureResult;
import io.connwatch.capture.CaptureTrigger;
import io.connwatch.capture.SystemProbe;
import io.connwatch.cleanup.CleanupEvent;
import io.connwatch.tracking.ConnectionTracker;
import io.connwatch.tracking.Target;
import io.connwatch.tracking.TrackedConnection;
import io.connwatch.tracking.TrackerListener;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import jdk.jfr.Event;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Name;

/**
 * Makes every accumulation, spike, cleanup and capture of a monitor a JFR event, emits its statistics and pattern
 * tallies periodically, and sends its dumps to the active recording's folder. Found by {@link java.util.ServiceLoader}
 * when a monitor is built; without the {@code jdk.jfr} module it is simply not loaded. It never starts JFR: events
 * are registered, and cost nothing until a recording enables them.
 */
public final class JfrIntegration implements MonitorIntegration {
    /** Every connwatch event type. */
    static final List<Class<? extends Event>> EVENTS = List.of(ConnectionAccumulationEvent.class,
            ConnectionSpikeEvent.class, ConnectionCleanupEvent.class, DiagnosticCaptureEvent.class,
            ConnectionStatisticsEvent.class, PatternTallyEvent.class, ConnectionOpenedEvent.class,
            ConnectionClosedEvent.class);
    /** Their names, as recordings and settings files know them: each type's {@link Name}. */
    static final List<String> EVENT_NAMES = EVENTS.stream().map(type -> type.getAnnotation(Name.class).value())
            .collect(Collectors.toUnmodifiableList());
    // Each monitor with its tracker's opened and closed totals at its previous statistics event (the first: at its
    // start), so each event carries the connections opened and closed in its period, an int JMC charts and sums.
    private static final Map<ConnectionMonitor, long[]> MONITORS = new ConcurrentHashMap<>();
    private static final Object STATISTICS_LOCK = new Object();
    private static RecordingFolder folder;

    @Override
    public void attach(ConnectionMonitor monitor) {
        RecordingFolder recordingFolder = register();
        monitor.addPreferredDumpFolder(recordingFolder);
        monitor.addListener(new Bridge(monitor));
    }

    // An event class is known to JFR only once registered: do it once, before the first monitor can emit.
    private static synchronized RecordingFolder register() {
        if (folder == null) {
            for (Class<? extends Event> type : EVENTS) {
                FlightRecorder.register(type);
            }
            FlightRecorder.addPeriodicEvent(ConnectionStatisticsEvent.class, JfrIntegration::emitStatistics);
            FlightRecorder.addPeriodicEvent(PatternTallyEvent.class, JfrIntegration::emitTallies);
            folder = new RecordingFolder();
        }
        return folder;
    }

    /** A count as a JMC-chartable int; counts this large are not expected, but never wrap. */
    static int clamp(long n) {
        return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, n));
    }

    private static String address(ConnectionMonitor m, String address) {
        return m.settings().maskAddresses() ? AddressMask.mask(address) : address;
    }

    // JFR runs periodic hooks on its periodic thread and also on the thread that starts or stops a recording (at
    // chunk boundaries): one at a time, so each connection opened or closed is counted once. A lock of its own, not
    // the class's, which register() holds while it calls into JFR.
    static void emitStatistics() {
        synchronized (STATISTICS_LOCK) {
            emitStatisticsLocked();
        }
    }

    private static void emitStatisticsLocked() {
        for (Map.Entry<ConnectionMonitor, long[]> entry : MONITORS.entrySet()) {
            ConnectionMonitor m = entry.getKey();
            ConnectionStatisticsEvent e = new ConnectionStatisticsEvent();
            if (!e.shouldCommit()) {
                return;
            }
            ConnectionTracker t = m.tracker();
            e.monitor = m.name();
            e.active = clamp(t.activeConnections());
            e.peak = clamp(t.peakConnections());
            long[] previous = entry.getValue();
            long opened = t.totalOpened();
            long closed = t.totalClosed();
            e.opened = clamp(opened - previous[0]);
            e.closed = clamp(closed - previous[1]);
            previous[0] = opened;
            previous[1] = closed;
            e.counts(m.lastCheck());
            e.openFileDescriptors = clamp(SystemProbe.openFileDescriptors());
            e.commit();
        }
    }

    static void emitTallies() {
        for (ConnectionMonitor m : MONITORS.keySet()) {
            CheckResult r = m.lastCheck();
            for (Pattern p : Pattern.values()) {
                PatternTallyEvent e = new PatternTallyEvent();
                if (!e.shouldCommit()) {
                    return;
                }
                e.monitor = m.name();
                e.pattern = p.name();
                e.count = clamp(r == null ? 0 : r.count(p));
                e.commit();
            }
        }
    }

    /** One monitor's events. Capture events are begun and ended on the monitor's thread, which serialises them. */
    private static final class Bridge implements MonitorListener, TrackerListener {
        private final ConnectionMonitor monitor;
        private DiagnosticCaptureEvent capture;

        Bridge(ConnectionMonitor monitor) {
            this.monitor = monitor;
            MONITORS.put(monitor, new long[] {monitor.tracker().totalOpened(), monitor.tracker().totalClosed()});
            monitor.tracker().addListener(this);
        }

        @Override
        public void onAccumulation(ConnectionMonitor m, AccumulationEvent a) {
            ConnectionAccumulationEvent e = new ConnectionAccumulationEvent();
            if (!e.shouldCommit()) {
                return;
            }
            CheckResult r = a.check();
            e.monitor = m.name();
            e.activeConnections = clamp(a.activeConnections());
            e.threshold = clamp(a.threshold());
            e.counts(r);
            e.captureFile = a.captureFile() == null ? "" : a.captureFile().toString();
            e.commit();
        }

        @Override
        public void onSpike(ConnectionMonitor m, SpikeEvent s) {
            ConnectionSpikeEvent e = new ConnectionSpikeEvent();
            if (!e.shouldCommit()) {
                return;
            }
            e.monitor = m.name();
            e.previousCount = clamp(s.previousCount());
            e.activeConnections = clamp(s.activeConnections());
            e.increase = clamp(s.increase());
            e.spikeThreshold = clamp(s.spikeThreshold());
            e.interval = s.interval().toMillis();
            e.commit();
        }

        @Override
        public void onCaptureStart(ConnectionMonitor m, CaptureTrigger trigger) {
            capture = new DiagnosticCaptureEvent();
            capture.begin();
        }

        @Override
        public void onCapture(ConnectionMonitor m, CaptureResult r) {
            DiagnosticCaptureEvent e = capture != null ? capture : new DiagnosticCaptureEvent();
            capture = null;
            e.end();
            if (!e.shouldCommit()) {
                return;
            }
            e.monitor = m.name();
            e.trigger = r.trigger().wireName();
            e.file = r.file() == null ? "" : r.file().toString();
            e.connections = r.connections();
            e.bytesWritten = r.bytesWritten();
            e.error = r.error() == null ? "" : r.error();
            e.commit();
        }

        @Override
        public void onCleanup(ConnectionMonitor m, CleanupEvent c) {
            ConnectionCleanupEvent e = new ConnectionCleanupEvent();
            if (!e.shouldCommit()) {
                return;
            }
            e.monitor = m.name();
            e.connectionId = c.connectionId();
            e.reason = c.reason().wireName();
            e.pattern = c.pattern() == null ? "" : c.pattern().name();
            e.remoteAddress = address(m, c.remoteAddress());
            e.targetHost = c.targetHost();
            e.targetPort = c.targetPort();
            e.age = c.ageMillis();
            e.idle = c.idleMillis();
            e.bytesReceived = c.bytesReceived();
            e.bytesSent = c.bytesSent();
            e.commit();
        }

        @Override
        public void opened(TrackedConnection c) {
            ConnectionOpenedEvent e = new ConnectionOpenedEvent();
            if (e.shouldCommit()) {
                fill(e, c);
                e.commit();
            }
        }

        @Override
        public void closed(TrackedConnection c) {
            ConnectionClosedEvent e = new ConnectionClosedEvent();
            if (e.shouldCommit()) {
                fill(e, c);
                e.reason = c.terminationReason().wireName();
                e.age = Math.max(0, c.closedNanos() - c.incomingStartNanos()) / 1_000_000;
                e.commit();
            }
        }

        private void fill(ConnectionLifeEvent e, TrackedConnection c) {
            Target t = c.target();
            e.monitor = monitor.name();
            e.connectionId = c.id();
            e.remoteAddress = address(monitor, c.remoteAddress());
            e.targetHost = t == null ? "" : t.host();
            e.targetPort = t == null ? 0 : t.port();
            e.reason = "";
            e.bytesReceived = c.bytesReceived();
            e.bytesSent = c.bytesSent();
        }

        @Override
        public void onClose(ConnectionMonitor m) {
            MONITORS.remove(m);
            m.tracker().removeListener(this);
            m.removePreferredDumpFolder(folder);
        }
    }
}
