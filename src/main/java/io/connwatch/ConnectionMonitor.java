package io.connwatch;

import io.connwatch.analysis.CheckResult;
import io.connwatch.analysis.ConnectionCheck;
import io.connwatch.analysis.Pattern;
import io.connwatch.capture.CaptureResult;
import io.connwatch.capture.CaptureTrigger;
import io.connwatch.capture.DumpContent;
import io.connwatch.capture.SystemProbe;
import io.connwatch.capture.SystemState;
import io.connwatch.capture.TrendPoint;
import io.connwatch.cleanup.CleanupEvent;
import io.connwatch.cleanup.CleanupSweep;
import io.connwatch.cleanup.SweepResult;
import io.connwatch.tracking.ConnectionTracker;
import io.connwatch.tracking.TerminationReason;
import io.connwatch.tracking.TrackedConnection;
import io.connwatch.tracking.TrackerListener;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The production connection monitor: checks a {@link ConnectionTracker} periodically, classifies its connections,
 * detects accumulation and spikes, writes diagnostic dumps and sweeps broken connections away.
 *
 * <p>All costly work (probing sockets, writing dumps, sweeping) runs on the monitor's one daemon thread,
 * {@code connwatch-<name>}; calls from other threads ({@link #checkNow()}, {@link #forceCaptureNow()},
 * {@link #cleanupNow()}) are handed to it and wait. The thread re-reads the settings at every tick, so
 * {@link #updateSettings} takes effect at the next one. Nothing the monitor does throws into the host's threads:
 * a broken endpoint, a full disk or a failing listener is logged, counted and survived.
 *
 * <p>Integrations attach through {@link MonitorListener}.
 */
public final class ConnectionMonitor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionMonitor.class);
    private static final long CALL_TIMEOUT_SECONDS = 120;
    // Monitors not yet closed, closed by one shutdown hook at JVM exit so none stops halfway through a tick.
    private static final Set<ConnectionMonitor> OPEN = ConcurrentHashMap.newKeySet();
    private static final AtomicBoolean HOOKED = new AtomicBoolean();

    private final String name;
    private final ConnectionTracker tracker;
    private final ScheduledThreadPoolExecutor executor;
    private final CopyOnWriteArrayList<MonitorListener> listeners = new CopyOnWriteArrayList<>();
    private final Map<String, LongSupplier> eventLoopLag = new ConcurrentHashMap<>();
    private final MonitorStats stats = new MonitorStats();
    private final Trend trend = new Trend();
    private final CaptureScheduler captures;
    private final ClockTick clock;
    // The clock tick, the check and the sweep, in start order; each re-reads its interval at every tick.
    private final List<PeriodicTask> periodic;
    private final TrackerListener cleanupWatcher = new TrackerListener() {
        @Override
        public void closed(TrackedConnection c) {
            onClosed(c);
        }
    };
    private volatile MonitorSettings settings;
    private volatile Thread monitorThread;
    private volatile boolean running;
    private volatile boolean closed;

    // Owned by the monitor's thread.
    private final Episodes episodes = new Episodes();
    private final long[] loggedTallies = new long[Pattern.values().length];

    /** A monitor on {@code tracker} named after it, with these settings. Call {@link #start()} to begin. */
    public ConnectionMonitor(ConnectionTracker tracker, MonitorSettings settings) {
        this(tracker.name(), tracker, settings);
    }

    /** A monitor with its own name. */
    public ConnectionMonitor(String name, ConnectionTracker tracker, MonitorSettings settings) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("monitor name must not be blank");
        }
        this.name = name;
        this.tracker = Objects.requireNonNull(tracker, "tracker");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "connwatch-" + name);
            t.setDaemon(true);
            monitorThread = t;
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        executor.setKeepAliveTime(30, TimeUnit.SECONDS);
        executor.allowCoreThreadTimeOut(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.captures = new CaptureScheduler(name, tracker.ticker(), stats, new CaptureHooks());
        this.clock = new ClockTick(tracker, () -> this.settings.rules());
        this.periodic = List.of(
                new PeriodicTask("clock tick", executor, clock::period, clock),
                new PeriodicTask("check", executor, () -> this.settings.checkInterval(),
                        () -> guarded("check", this::check)),
                new PeriodicTask("cleanup sweep", executor, () -> this.settings.cleanupInterval(),
                        () -> guarded("cleanup sweep", this::sweep)));
        tracker.addListener(cleanupWatcher);
        MonitorIntegration.attachAll(this);
        OPEN.add(this);
        if (HOOKED.compareAndSet(false, true)) {
            try {
                Runtime.getRuntime().addShutdownHook(new Thread(ConnectionMonitor::closeAllAtExit, "connwatch-exit"));
            } catch (IllegalStateException | SecurityException alreadyExiting) {
                // the JVM is going down already, or the host forbids hooks: nothing to close cleanly then
            }
        }
    }

    private static void closeAllAtExit() {
        for (ConnectionMonitor m : OPEN) {
            try {
                m.close();
            } catch (RuntimeException e) {
                LOG.warn("[{}] close at JVM exit failed: {}", m.name, e.toString());
            }
        }
    }

    // ---- lifecycle ----

    /** Starts periodic checks at the configured interval, and the cleanup sweep. Starting twice does nothing. */
    public synchronized ConnectionMonitor start() {
        ensureOpen();
        if (running) {
            return this;
        }
        running = true;
        MonitorSettings s = settings;
        clock.expectFirstTick();
        periodic.forEach(PeriodicTask::start);
        LOG.info("[{}] monitor started: check every {} ms, accumulation > {}, spike >= {}, cleanup {}", name,
                s.checkInterval().toMillis(), s.accumulationThreshold(), s.spikeThreshold(),
                s.cleanupEnabled() ? "every " + s.cleanupInterval().toMillis() + " ms" : "report-only");
        notifyListeners(l -> l.onStart(this));
        return this;
    }

    /** Sets the check interval, then starts. */
    public ConnectionMonitor start(Duration checkInterval) {
        updateSettings(b -> b.checkInterval(checkInterval));
        return start();
    }

    /** Stops periodic work; the monitor can be started again. On-demand calls still work. */
    public synchronized void stop() {
        if (!running) {
            return;
        }
        running = false;
        periodic.forEach(PeriodicTask::stop);
        LOG.info("[{}] monitor stopped", name);
        notifyListeners(l -> l.onStop(this));
    }

    /** Stops for good: the thread ends and the tracker is no longer watched. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            stop();
            closed = true;
        }
        tracker.removeListener(cleanupWatcher);
        executor.shutdownNow();
        OPEN.remove(this);
        notifyListeners(l -> l.onClose(this));
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("monitor '" + name + "' is closed");
        }
    }

    // ---- on demand ----

    /** Runs a check now, on the monitor's thread, with everything a periodic check does. */
    public CheckResult checkNow() {
        return onMonitorThread(this::check);
    }

    /**
     * Writes a dump now and returns its path. Within {@link MonitorSettings#forcedCaptureInterval()} of the last
     * forced capture it returns that capture's path instead of writing another.
     *
     * @throws IllegalStateException if the dump could not be written (the failure is also counted and reported)
     */
    public Path forceCaptureNow() {
        CaptureResult r = onMonitorThread(() -> {
            MonitorSettings s = settings;
            return captures.forced(s, () -> classifyForDump(s));
        });
        if (!r.succeeded()) {
            throw new IllegalStateException("capture failed: " + r.error() + " (" + r.file() + ")");
        }
        return r.file();
    }

    /** Runs the cleanup sweep now and returns how many connections it closed (0 in report-only mode). */
    public int cleanupNow() {
        return onMonitorThread(this::sweep).cleanedCount();
    }

    /** Sets the peak to the current count. */
    public void resetPeak() {
        tracker.resetPeak();
    }

    private <T> T onMonitorThread(Callable<T> work) {
        ensureOpen();
        try {
            if (Thread.currentThread() == monitorThread) {
                return work.call();
            }
            Future<T> f = executor.submit(work);
            return f.get(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (RejectedExecutionException e) {
            throw new IllegalStateException("monitor '" + name + "' is closed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for monitor '" + name + "'", e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("monitor '" + name + "' did not answer within " + CALL_TIMEOUT_SECONDS + " s", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException) {
                throw (RuntimeException) cause;
            }
            throw new IllegalStateException(String.valueOf(cause), cause);
        } catch (Exception e) {
            if (e instanceof RuntimeException) {
                throw (RuntimeException) e;
            }
            throw new IllegalStateException(e);
        }
    }

    // ---- periodic work, on the monitor's thread ----

    private void guarded(String what, Callable<?> work) {
        try {
            work.call();
        } catch (Throwable t) {
            if (t instanceof VirtualMachineError) {
                throw (VirtualMachineError) t;
            }
            stats.taskFailed();
            LOG.error("[{}] {} failed, the next one runs as planned: {}", name, what, t.toString(), t);
        }
    }

    private CheckResult check() {
        MonitorSettings s = settings;
        CheckResult r = ConnectionCheck.run(tracker, s.rules(), this::probeFailed);
        stats.schedulerLagMillis(clock.takeWorstLagMillis());
        stats.probeFailures(r.probeFailures());
        stats.lastCheck(r);
        trend.add(new TrendPoint(r.timestamp(), r.activeConnections()), s.trendSize());
        logFindings(r);
        notifyListeners(l -> l.onCheck(this, r));
        evaluateTriggers(r, s);
        // Counted last, so whoever sees the count also sees the check's trend, triggers and listeners done.
        stats.checkDone();
        return r;
    }

    private void probeFailed(RuntimeException e) {
        LOG.warn("[{}] an endpoint probe failed, that connection was skipped: {}", name, e.toString());
    }

    private void logFindings(CheckResult r) {
        for (Pattern p : Pattern.values()) {
            long n = r.count(p);
            if (n > 0) {
                String sentence = r.findings().get(p);
                if (n != loggedTallies[p.ordinal()]) {
                    LOG.warn("[{}] {}: {}", name, p, sentence);
                } else if (LOG.isDebugEnabled()) {
                    LOG.debug("[{}] {}: {}", name, p, sentence);
                }
            }
            loggedTallies[p.ordinal()] = n;
        }
    }

    private void evaluateTriggers(CheckResult r, MonitorSettings s) {
        Episodes.Step step = episodes.next(r.activeConnections(), r.nanoTime(), s.accumulationThreshold(),
                s.spikeThreshold());
        if (step.accumulation() == Episodes.Accumulation.BEGAN) {
            // Counted before its dump, so a capture listener sees the episode it belongs to.
            stats.accumulationBegan();
        }
        CaptureResult dump = captures.forAccumulation(step, r, s);
        if (step.accumulation() == Episodes.Accumulation.BEGAN) {
            Path file = dump != null && dump.succeeded() ? dump.file() : null;
            LOG.warn("[{}] accumulation: {} active connections > threshold {}{}", name, step.count(),
                    step.threshold(), file != null ? "; dump " + file
                            : dump != null ? "; the dump failed" : "; dump deferred by the capture cooldown");
            AccumulationEvent e = new AccumulationEvent(step.count(), step.threshold(), r, file);
            notifyListeners(l -> l.onAccumulation(this, e));
        } else if (step.accumulation() == Episodes.Accumulation.ENDED) {
            LOG.info("[{}] accumulation over: {} active connections <= threshold {}", name, step.count(),
                    step.threshold());
        }

        SpikeEvent spike = step.spike();
        if (spike != null) {
            stats.spikeBegan();
            LOG.warn("[{}] spike: +{} connections in {} ms ({} -> {}), threshold {}", name, spike.increase(),
                    spike.interval().toMillis(), spike.previousCount(), spike.activeConnections(),
                    spike.spikeThreshold());
            notifyListeners(l -> l.onSpike(this, spike));
            captures.forSpike(r, s);
        }
    }

    // A fresh classification so a forced dump's patterns are current; it is not a check (no trend, no triggers).
    private CheckResult classifyForDump(MonitorSettings s) {
        CheckResult r = ConnectionCheck.run(tracker, s.rules(), this::probeFailed);
        stats.probeFailures(r.probeFailures());
        return r;
    }

    // The monitor's side of each dump: what it holds, and the listeners told before and after.
    private final class CaptureHooks implements CaptureScheduler.Hooks {
        @Override
        public DumpContent content(CaptureTrigger trigger, Instant at, CheckResult r, MonitorSettings s) {
            Map<String, Long> loops = new LinkedHashMap<>();
            eventLoopLag.forEach((k, v) -> loops.put(k, v.getAsLong()));
            SystemState system = SystemProbe.sample(stats.schedulerLagMillis(), loops);
            return new DumpContent(trigger, at, name, ProcessHandle.current().pid(),
                    s.accumulationThreshold(), s.spikeThreshold(), s.checkInterval().toMillis(), r, system,
                    trend.points(), tracker.terminationStats().snapshot(), tracker, s.maxConnectionDetails(),
                    s.maskAddresses());
        }

        @Override
        public void starting(CaptureTrigger trigger) {
            notifyListeners(l -> l.onCaptureStart(ConnectionMonitor.this, trigger));
        }

        @Override
        public void finished(CaptureResult result) {
            notifyListeners(l -> l.onCapture(ConnectionMonitor.this, result));
        }
    }

    private SweepResult sweep() {
        MonitorSettings s = settings;
        SweepResult r = new CleanupSweep(s.rules(), s.jitter()).run(tracker, this::probeFailed);
        stats.probeFailures(r.probeFailures());
        stats.lastSweep(r);
        if (r.cleanedCount() > 0) {
            LOG.info("[{}] cleanup closed {} connections: {}", name, r.cleanedCount(), byWireName(r.cleaned()));
        }
        if (r.wouldCleanCount() > 0) {
            LOG.warn("[{}] cleanup is off (report only): it would close {} connections: {}", name,
                    r.wouldCleanCount(), byWireName(r.wouldClean()));
        }
        notifyListeners(l -> l.onSweep(this, r));
        return r;
    }

    private static Map<String, Integer> byWireName(Map<TerminationReason, Integer> m) {
        Map<String, Integer> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(k.wireName(), v));
        return out;
    }

    // A close on any thread: count and report the cleanups among them.
    private void onClosed(TrackedConnection c) {
        TerminationReason reason = c.terminationReason();
        if (reason == null || !reason.isCleanup()) {
            return;
        }
        stats.cleanup(reason);
        if (listeners.isEmpty()) {
            return;
        }
        CleanupEvent e = CleanupEvent.of(c, Thread.currentThread() == monitorThread);
        notifyListeners(l -> l.onCleanup(this, e));
    }

    private void notifyListeners(Consumer<MonitorListener> call) {
        for (MonitorListener l : listeners) {
            try {
                call.accept(l);
            } catch (Throwable t) {
                if (t instanceof VirtualMachineError) {
                    throw (VirtualMachineError) t;
                }
                LOG.warn("[{}] listener {} failed: {}", name, l, t.toString());
            }
        }
    }

    // ---- configuration ----

    /** The current settings. */
    public MonitorSettings settings() {
        return settings;
    }

    /**
     * Changes settings atomically: the function gets a builder holding the current ones; any invalid value throws
     * {@link IllegalArgumentException} and changes nothing. Applied at the next tick; a new check or cleanup
     * interval re-plans the tick already pending.
     */
    public synchronized MonitorSettings updateSettings(UnaryOperator<MonitorSettings.Builder> change) {
        MonitorSettings next = change.apply(settings.toBuilder()).build();
        settings = next;
        // A shorter interval must not wait out a long tick already planned.
        periodic.forEach(PeriodicTask::replan);
        return next;
    }

    /** Adds a listener. */
    public ConnectionMonitor addListener(MonitorListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
        return this;
    }

    /** Removes a listener. */
    public void removeListener(MonitorListener listener) {
        listeners.remove(listener);
    }

    /**
     * Offers a folder that takes precedence over the configured one when it answers (the JFR integration offers
     * the active recording's). Asked afresh at every capture.
     */
    public void addPreferredDumpFolder(Supplier<Optional<Path>> folder) {
        captures.addPreferredFolder(folder);
    }

    /** Removes a preferred folder. */
    public void removePreferredDumpFolder(Supplier<Optional<Path>> folder) {
        captures.removePreferredFolder(folder);
    }

    /** Registers an event loop's lag, reported in dumps' {@code system.eventLoopLagMs} under {@code name}. */
    public void registerEventLoopLag(String loopName, LongSupplier lagMillis) {
        eventLoopLag.put(Objects.requireNonNull(loopName, "loopName"), Objects.requireNonNull(lagMillis, "lagMillis"));
    }

    /** Removes an event loop's lag. */
    public void unregisterEventLoopLag(String loopName) {
        eventLoopLag.remove(loopName);
    }

    /** The folder the next capture would go to. */
    public Path currentDumpFolder() {
        return captures.folder(settings);
    }

    // ---- point-in-time views ----

    /** The monitor's name. */
    public String name() {
        return name;
    }

    /** The tracker it watches. */
    public ConnectionTracker tracker() {
        return tracker;
    }

    /** Whether periodic work is on. */
    public boolean isRunning() {
        return running;
    }

    /** Whether {@link #close()} was called: a closed monitor does nothing more. */
    public boolean isClosed() {
        return closed;
    }

    /** The latest check, or null before the first. */
    public CheckResult lastCheck() {
        return stats.lastCheck();
    }

    /** The last checks' counts, oldest first. */
    public List<TrendPoint> trend() {
        return trend.points();
    }

    /** The latest successful capture, or null. */
    public CaptureResult lastCapture() {
        return stats.lastCapture();
    }

    /** The latest sweep, or null. */
    public SweepResult lastSweep() {
        return stats.lastSweep();
    }

    /** Checks run. */
    public long checkCount() {
        return stats.checks();
    }

    /** Accumulation episodes begun. */
    public long accumulationCount() {
        return stats.accumulations();
    }

    /** Spikes seen. */
    public long spikeCount() {
        return stats.spikes();
    }

    /** Dumps written. */
    public long captureCount() {
        return stats.captures();
    }

    /** Dumps that failed. */
    public long captureFailures() {
        return stats.captureFailures();
    }

    /** Connections skipped by a check, sweep or capture because an endpoint probe threw. */
    public long probeFailures() {
        return stats.probeFailures();
    }

    /** Periodic tasks that failed unexpectedly (a bug; each is logged with its stack). */
    public long taskFailures() {
        return stats.taskFailures();
    }

    /** Connections cleaned up, by the sweep or the host, for one cleanup reason. */
    public long cleanupCount(TerminationReason reason) {
        return stats.cleanups(reason);
    }

    /** Connections cleaned up, by reason, only those that happened. */
    public Map<TerminationReason, Long> cleanupCounts() {
        return stats.cleanupsByReason();
    }

    /** The worst lag of the monitor's own timer over the last check interval. */
    public long schedulerLagMillis() {
        return stats.schedulerLagMillis();
    }

    @Override
    public String toString() {
        return "ConnectionMonitor[" + name + (running ? ", running" : "") + (closed ? ", closed" : "") + "]";
    }
}
