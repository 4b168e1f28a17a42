package io.connwatch.metrics;

import io.connwatch.ConnectionMonitor;
import io.connwatch.MonitorListener;
import io.connwatch.analysis.CheckResult;
import io.connwatch.analysis.Pattern;
import io.connwatch.capture.CaptureResult;
import io.connwatch.capture.CaptureTrigger;
import io.connwatch.tracking.ConnectionTracker;
import io.connwatch.tracking.Side;
import io.connwatch.tracking.TerminationReason;
import io.connwatch.tracking.TerminationStats;
import io.connwatch.tracking.TrackedConnection;
import io.connwatch.tracking.TrackerListener;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Publishes one {@link ConnectionMonitor} to Micrometer: the meters of {@link ConnwatchMeters}, each tagged
 * {@code monitor} with the monitor's name. Bind it to any registry (Prometheus, OTLP, JMX, ...), several if needed:
 *
 * <pre>{@code
 * ConnwatchMetrics metrics = new ConnwatchMetrics(monitor);
 * metrics.bindTo(registry);
 * }</pre>
 *
 * <p>Micrometer is an optional dependency of connwatch: only code that uses this package needs
 * {@code io.micrometer:micrometer-core} on its class path.
 *
 * <p>A scrape never walks the connections: gauges read the tracker's counts and the monitor's last check, counters
 * read adders. The host's threads pay two {@link LongAdder} additions per close for the duration, nothing else: the
 * counts of opens, closes and cleanups are the tracker's and the monitor's own.
 *
 * <p>When the monitor closes, its meters are removed from every registry this binder was bound to, so a scrape reads
 * nothing stale; {@link #close()} does the same for a monitor that goes on. Binding a closed binder, or the binder of
 * a closed monitor, registers nothing.
 */
public final class ConnwatchMetrics implements MeterBinder, AutoCloseable {
    private static final Side[] SIDES = Side.values();
    private static final TerminationReason[] REASONS = TerminationReason.values();
    private static final CaptureTrigger[] TRIGGERS = CaptureTrigger.values();
    private static final String[] OUTCOMES = {"written", "failed"};

    private final ConnectionMonitor monitor;
    private final ConnectionTracker tracker;
    private final Tags tags;
    // Per (side, reason), index side * REASONS.length + reason: resolved once, so a close only adds.
    private final LongAdder[] durationCounts = adders(SIDES.length * REASONS.length);
    private final LongAdder[] durationNanos = adders(SIDES.length * REASONS.length);
    // Per (trigger, outcome), index trigger * 2 + outcome.
    private final LongAdder[] captures = adders(TRIGGERS.length * OUTCOMES.length);
    private final TrackerListener closes = new TrackerListener() {
        @Override
        public void closed(TrackedConnection c) {
            onClosed(c);
        }
    };
    private final MonitorListener events = new MonitorListener() {
        @Override
        public void onCapture(ConnectionMonitor m, CaptureResult result) {
            captures[result.trigger().ordinal() * OUTCOMES.length + (result.succeeded() ? 0 : 1)].increment();
        }

        @Override
        public void onClose(ConnectionMonitor m) {
            close();
        }
    };

    // Guarded by this.
    private final Map<MeterRegistry, List<Meter>> bound = new IdentityHashMap<>();
    private boolean listening;
    private boolean closed;

    /** The binder of {@code monitor}'s meters, tagged {@code monitor=<its name>}. */
    public ConnwatchMetrics(ConnectionMonitor monitor) {
        this(monitor, List.of());
    }

    /** The binder of {@code monitor}'s meters, with {@code tags} beside {@code monitor} on every meter. */
    public ConnwatchMetrics(ConnectionMonitor monitor, Iterable<Tag> tags) {
        this.monitor = Objects.requireNonNull(monitor, "monitor");
        this.tracker = monitor.tracker();
        this.tags = Tags.of(tags).and(ConnwatchMeters.Tags.MONITOR.asString(), monitor.name());
    }

    /** Registers every meter of {@link ConnwatchMeters} for the monitor in {@code registry}. */
    @Override
    public synchronized void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        if (closed) {
            return;
        }
        if (!listening) {
            // Listen first, then ask: a close after the question is heard, one before it is seen.
            monitor.addListener(events);
            tracker.addListener(closes);
            listening = true;
        }
        if (monitor.isClosed()) {
            close();
            return;
        }
        List<Meter> meters = bound.computeIfAbsent(registry, r -> new ArrayList<>());
        register(registry, meters);
    }

    private void register(MeterRegistry registry, List<Meter> meters) {
        meters.add(Gauge.builder(ConnwatchMeters.ACTIVE.getName(), tracker, ConnectionTracker::activeConnections)
                .description(ConnwatchMeters.ACTIVE.description()).tags(tags).strongReference(true)
                .register(registry));
        meters.add(Gauge.builder(ConnwatchMeters.PEAK.getName(), tracker, ConnectionTracker::peakConnections)
                .description(ConnwatchMeters.PEAK.description()).tags(tags).strongReference(true)
                .register(registry));
        for (Pattern p : Pattern.values()) {
            meters.add(Gauge.builder(ConnwatchMeters.FLAGGED.getName(), monitor, m -> flagged(m, p))
                    .description(ConnwatchMeters.FLAGGED.description()).tags(tags)
                    .tag(ConnwatchMeters.Tags.PATTERN.asString(), p.tagValue()).strongReference(true)
                    .register(registry));
        }
        meters.add(FunctionCounter.builder(ConnwatchMeters.OPENED.getName(), tracker, ConnectionTracker::totalOpened)
                .description(ConnwatchMeters.OPENED.description()).tags(tags).register(registry));
        TerminationStats closes = tracker.terminationStats();
        for (Side side : SIDES) {
            for (TerminationReason reason : REASONS) {
                meters.add(FunctionCounter.builder(ConnwatchMeters.CLOSED.getName(), closes,
                                s -> s.count(side, reason))
                        .description(ConnwatchMeters.CLOSED.description()).tags(tags)
                        .tag(ConnwatchMeters.Tags.SIDE.asString(), side.wireName())
                        .tag(ConnwatchMeters.Tags.REASON.asString(), reason.wireName())
                        .register(registry));
            }
        }
        for (Pattern p : Pattern.values()) {
            TerminationReason reason = p.cleanupReason();
            if (reason == null) {
                continue; // only reported, never cleaned
            }
            meters.add(FunctionCounter.builder(ConnwatchMeters.CLEANED.getName(), monitor,
                            m -> m.cleanupCount(reason))
                    .description(ConnwatchMeters.CLEANED.description()).tags(tags)
                    .tag(ConnwatchMeters.Tags.PATTERN.asString(), p.tagValue())
                    .tag(ConnwatchMeters.Tags.REASON.asString(), reason.wireName())
                    .register(registry));
        }
        meters.add(FunctionCounter.builder(ConnwatchMeters.ACCUMULATIONS.getName(), monitor,
                        ConnectionMonitor::accumulationCount)
                .description(ConnwatchMeters.ACCUMULATIONS.description()).tags(tags).register(registry));
        meters.add(FunctionCounter.builder(ConnwatchMeters.SPIKES.getName(), monitor, ConnectionMonitor::spikeCount)
                .description(ConnwatchMeters.SPIKES.description()).tags(tags).register(registry));
        for (CaptureTrigger trigger : TRIGGERS) {
            for (int outcome = 0; outcome < OUTCOMES.length; outcome++) {
                LongAdder n = captures[trigger.ordinal() * OUTCOMES.length + outcome];
                meters.add(FunctionCounter.builder(ConnwatchMeters.CAPTURES.getName(), n, LongAdder::sum)
                        .description(ConnwatchMeters.CAPTURES.description()).tags(tags)
                        .tag(ConnwatchMeters.Tags.TRIGGER.asString(), trigger.wireName())
                        .tag(ConnwatchMeters.Tags.OUTCOME.asString(), OUTCOMES[outcome])
                        .register(registry));
            }
        }
        for (Side side : SIDES) {
            for (TerminationReason reason : REASONS) {
                int i = side.ordinal() * REASONS.length + reason.ordinal();
                meters.add(FunctionTimer.builder(ConnwatchMeters.DURATION.getName(), this,
                                b -> b.durationCounts[i].sum(), b -> b.durationNanos[i].sum(), TimeUnit.NANOSECONDS)
                        .description(ConnwatchMeters.DURATION.description()).tags(tags)
                        .tag(ConnwatchMeters.Tags.SIDE.asString(), side.wireName())
                        .tag(ConnwatchMeters.Tags.REASON.asString(), reason.wireName())
                        .register(registry));
            }
        }
    }

    // NaN before the first check: the monitor has not looked yet, which is not the same as "none".
    private static double flagged(ConnectionMonitor m, Pattern p) {
        CheckResult r = m.lastCheck();
        return r == null ? Double.NaN : r.count(p);
    }

    // On the host's thread that closed the connection: two additions, no lock, no allocation.
    private void onClosed(TrackedConnection c) {
        Side side = c.closedBy();
        TerminationReason reason = c.terminationReason();
        if (side == null || reason == null) {
            return;
        }
        int i = side.ordinal() * REASONS.length + reason.ordinal();
        durationCounts[i].increment();
        durationNanos[i].add(Math.max(0, c.closedNanos() - c.incomingStartNanos()));
    }

    /** The monitor whose meters these are. */
    public ConnectionMonitor monitor() {
        return monitor;
    }

    /**
     * Removes the monitor's meters from every registry this was bound to and stops listening; later bindings
     * register nothing. Called by itself when the monitor closes. Closing twice does nothing.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (listening) {
            monitor.removeListener(events);
            tracker.removeListener(closes);
        }
        bound.forEach((registry, meters) -> meters.forEach(registry::remove));
        bound.clear();
    }

    private static LongAdder[] adders(int n) {
        LongAdder[] out = new LongAdder[n];
        for (int i = 0; i < n; i++) {
            out[i] = new LongAdder();
        }
        return out;
    }

    @Override
    public String toString() {
        return "ConnwatchMetrics[" + monitor.name() + "]";
    }
}
