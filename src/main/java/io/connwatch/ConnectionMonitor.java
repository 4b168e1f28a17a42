package io.connwatch;

import io.connwatch.analysis.CheckResult;
import io.connwatch.analysis.ConnectionCheck;
import io.connwatch.analysis.Pattern;
import io.connwatch.capture.CaptureResult;
import io.connwatch.capture.CaptureTrigger;
import io.connwatch.capture.DumpContent;
import io.connwatch.capture.DumpFolders;
import io.connwatch.capture.DumpRetention;
import io.connwatch.capture.DumpWriter;
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
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
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
    private static final long NEVER = Long.MIN_VALUE;
    // The coarse activity clock's resolution, also the period of the lag probe.
    private static final long CLOCK_TICK_MS = 50;
    private static final long CALL_TIMEOUT_SECONDS = 120;
    // Monitors not yet closed, closed by one shutdown hook at JVM exit so none stops halfway through a tick.
    private static final java.util.Set<ConnectionMonitor> OPEN = ConcurrentHashMap.newKeySet();
    private static final java.util.concurrent.atomic.AtomicBoolean HOOKED = new java.util.concurrent.atomic.AtomicBoolean();

    private final String name;
    private final ConnectionTracker tracker;
    private final ScheduledThreadPoolExecutor executor;
    private final DumpWriter writer = new DumpWriter();
    private final CopyOnWriteArrayList<MonitorListener> listeners = new CopyOnWriteArrayList<>();
    private final CopyOnWriteArrayList<Supplier<Optional<Path>>> preferredFolders = new CopyOnWriteArrayList<>();
    private final Map<String, LongSupplier> eventLoopLag = new ConcurrentHashMap<>();
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
    private ScheduledFuture<?> checkTask;
    private ScheduledFuture<?> sweepTask;
    private ScheduledFuture<?> clockTask;

    // Owned by the monitor's thread.
    private long previousCount = -1;
    private long previousCheckNanos;
    private boolean inAccumulation;
    private boolean episodeCaptured;
    private boolean inSpike;
    private long lastAutoCaptureNanos = NEVER;
    private long lastForcedCaptureNanos = NEVER;
    private long expectedTickNanos;
    private long worstLagNanos;
    private long lastLagMs;
    private final ArrayDeque<TrendPoint> trendRing = new ArrayDeque<>();
    private final long[] loggedTallies = new long[Pattern.values().length];

    // Read by any thread (JMX, tests).
    private volatile CheckResult lastCheck;
    private volatile List<TrendPoint> trend = List.of();
    private volatile CaptureResult lastCapture;
    private volatile SweepResult lastSweep;
    private final AtomicLong checks = new AtomicLong();
    private final AtomicLong accumulations = new AtomicLong();
    private final AtomicLong spikes = new AtomicLong();
    private final AtomicLong captures = new AtomicLong();
    private final AtomicLong captureFailures = new AtomicLong();
    private final AtomicLong probeFailures = new AtomicLong();
    private final AtomicLong taskFailures = new AtomicLong();
    private final LongAdder[] cleanups = new LongAdder[TerminationReason.values().length];

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
        for (int i = 0; i < cleanups.length; i++) {
            cleanups[i] = new LongAdder();
        }
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
        expectedTickNanos = tracker.ticker().nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLOCK_TICK_MS);
        clockTask = executor.scheduleWithFixedDelay(this::clockTick, CLOCK_TICK_MS, CLOCK_TICK_MS, TimeUnit.MILLISECONDS);
        checkTask = executor.schedule(this::periodicCheck, s.checkInterval().toMillis(), TimeUnit.MILLISECONDS);
        sweepTask = executor.schedule(this::periodicSweep, s.cleanupInterval().toMillis(), TimeUnit.MILLISECONDS);
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
        cancel(checkTask);
        cancel(sweepTask);
        cancel(clockTask);
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

    private static void cancel(ScheduledFuture<?> f) {
        if (f != null) {
            f.cancel(false);
        }
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
        CaptureResult r = onMonitorThread(this::forcedCapture);
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

    private void periodicCheck() {
        guarded("check", this::check);
        reschedule(true);
    }

    private void periodicSweep() {
        guarded("cleanup sweep", this::sweep);
        reschedule(false);
    }

    private synchronized void reschedule(boolean check) {
        if (!running || closed) {
            return;
        }
        MonitorSettings s = settings;
        try {
            if (check) {
                checkTask = executor.schedule(this::periodicCheck, s.checkInterval().toMillis(), TimeUnit.MILLISECONDS);
            } else {
                sweepTask = executor.schedule(this::periodicSweep, s.cleanupInterval().toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (RejectedExecutionException closing) {
            // closed meanwhile
        }
    }

    private void clockTick() {
        long now = tracker.tick();
        long lag = now - expectedTickNanos;
        if (lag > worstLagNanos) {
            worstLagNanos = lag;
        }
        expectedTickNanos = now + TimeUnit.MILLISECONDS.toNanos(CLOCK_TICK_MS);
    }

    private void guarded(String what, Callable<?> work) {
        try {
            work.call();
        } catch (Throwable t) {
            if (t instanceof VirtualMachineError) {
                throw (VirtualMachineError) t;
            }
            taskFailures.incrementAndGet();
            LOG.error("[{}] {} failed, the next one runs as planned: {}", name, what, t.toString(), t);
        }
    }

    private CheckResult check() {
        MonitorSettings s = settings;
        CheckResult r = ConnectionCheck.run(tracker, s.rules(), this::probeFailed);
        lastLagMs = TimeUnit.NANOSECONDS.toMillis(worstLagNanos);
        worstLagNanos = 0;
        probeFailures.addAndGet(r.probeFailures());
        lastCheck = r;
        trendRing.addLast(new TrendPoint(r.timestamp(), r.activeConnections()));
        while (trendRing.size() > s.trendSize()) {
            trendRing.removeFirst();
        }
        trend = List.copyOf(trendRing);
        logFindings(r);
        notifyListeners(l -> l.onCheck(this, r));
        evaluateTriggers(r, s);
        // Counted last, so whoever sees the count also sees the check's trend, triggers and listeners done.
        checks.incrementAndGet();
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
        long count = r.activeConnections();
        long now = r.nanoTime();
        boolean captured = false;
        if (count > s.accumulationThreshold()) {
            if (!inAccumulation) {
                inAccumulation = true;
                episodeCaptured = false;
                accumulations.incrementAndGet();
                Path file = null;
                if (autoCaptureAllowed(now, s)) {
                    CaptureResult c = capture(CaptureTrigger.ACCUMULATION, r, s, now);
                    captured = true;
                    episodeCaptured = c.succeeded();
                    file = c.succeeded() ? c.file() : null;
                }
                LOG.warn("[{}] accumulation: {} active connections > threshold {}{}", name, count,
                        s.accumulationThreshold(), file != null ? "; dump " + file
                                : captured ? "; the dump failed" : "; dump deferred by the capture cooldown");
                AccumulationEvent e = new AccumulationEvent(count, s.accumulationThreshold(), r, file);
                notifyListeners(l -> l.onAccumulation(this, e));
            } else if (!episodeCaptured && autoCaptureAllowed(now, s)) {
                episodeCaptured = capture(CaptureTrigger.ACCUMULATION, r, s, now).succeeded();
                captured = true;
            }
        } else if (inAccumulation) {
            inAccumulation = false;
            LOG.info("[{}] accumulation over: {} active connections <= threshold {}", name, count,
                    s.accumulationThreshold());
        }

        if (previousCount >= 0) {
            long increase = count - previousCount;
            if (increase >= s.spikeThreshold()) {
                if (!inSpike) {
                    inSpike = true;
                    spikes.incrementAndGet();
                    Duration interval = Duration.ofNanos(now - previousCheckNanos);
                    SpikeEvent e = new SpikeEvent(previousCount, count, increase, s.spikeThreshold(), interval);
                    LOG.warn("[{}] spike: +{} connections in {} ms ({} -> {}), threshold {}", name, increase,
                            interval.toMillis(), previousCount, count, s.spikeThreshold());
                    notifyListeners(l -> l.onSpike(this, e));
                    if (!captured && autoCaptureAllowed(now, s)) {
                        capture(CaptureTrigger.SPIKE, r, s, now);
                    }
                }
            } else {
                inSpike = false;
            }
        }
        previousCount = count;
        previousCheckNanos = now;
    }

    private boolean autoCaptureAllowed(long now, MonitorSettings s) {
        return lastAutoCaptureNanos == NEVER || now - lastAutoCaptureNanos >= s.captureCooldown().toNanos();
    }

    private CaptureResult forcedCapture() {
        MonitorSettings s = settings;
        long now = tracker.ticker().nanoTime();
        CaptureResult last = lastCapture;
        if (lastForcedCaptureNanos != NEVER && now - lastForcedCaptureNanos < s.forcedCaptureInterval().toNanos()
                && last != null && last.succeeded()) {
            LOG.info("[{}] forced capture within {} ms of the last one: returning {}", name,
                    s.forcedCaptureInterval().toMillis(), last.file());
            return last;
        }
        lastForcedCaptureNanos = now;
        // A fresh classification so the dump's patterns are current; it is not a check (no trend, no triggers).
        CheckResult r = ConnectionCheck.run(tracker, s.rules(), this::probeFailed);
        probeFailures.addAndGet(r.probeFailures());
        return capture(CaptureTrigger.FORCE_CAPTURE, r, s, now);
    }

    private CaptureResult capture(CaptureTrigger trigger, CheckResult r, MonitorSettings s, long now) {
        if (trigger != CaptureTrigger.FORCE_CAPTURE) {
            lastAutoCaptureNanos = now;
        }
        CaptureResult result;
        try {
            Map<String, Long> loops = new LinkedHashMap<>();
            eventLoopLag.forEach((k, v) -> loops.put(k, v.getAsLong()));
            SystemState system = SystemProbe.sample(lastLagMs, loops);
            Instant at = Instant.ofEpochMilli(tracker.ticker().currentTimeMillis());
            DumpContent content = new DumpContent(trigger, at, name, ProcessHandle.current().pid(),
                    s.accumulationThreshold(), s.spikeThreshold(), s.checkInterval().toMillis(), r, system, trend,
                    tracker.terminationStats().snapshot(), tracker, s.maxConnectionDetails(), s.maskAddresses());
            Path folder = DumpFolders.resolve(preferredFolders, s.outputDirectory());
            notifyListeners(l -> l.onCaptureStart(this, trigger));
            result = writer.write(folder, content);
        } catch (RuntimeException | LinkageError e) {
            result = new CaptureResult(trigger, Instant.now(), null, 0, 0, 0, e.toString());
        }
        if (result.succeeded()) {
            captures.incrementAndGet();
            lastCapture = result;
            int pruned = new DumpRetention(s.maxDumpFiles(), s.maxDumpBytes())
                    .prune(result.file().getParent(), result.file());
            if (pruned > 0) {
                LOG.info("[{}] retention: deleted the {} oldest dumps in {} (keeping at most {} files, {} bytes)",
                        name, pruned, result.file().getParent(), s.maxDumpFiles(), s.maxDumpBytes());
            }
            LOG.info("[{}] {} dump written: {} ({} connections, {} bytes, {} ms)", name, trigger.wireName(),
                    result.file(), result.connections(), result.bytesWritten(),
                    TimeUnit.NANOSECONDS.toMillis(result.durationNanos()));
        } else {
            long n = captureFailures.incrementAndGet();
            LOG.error("[{}] {} dump failed ({} failures so far), monitoring goes on: {} ({})", name,
                    trigger.wireName(), n, result.error(), result.file());
        }
        CaptureResult done = result;
        notifyListeners(l -> l.onCapture(this, done));
        return result;
    }

    private SweepResult sweep() {
        MonitorSettings s = settings;
        SweepResult r = new CleanupSweep(s.rules(), s.jitter()).run(tracker, this::probeFailed);
        probeFailures.addAndGet(r.probeFailures());
        lastSweep = r;
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
        cleanups[reason.ordinal()].increment();
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
        MonitorSettings previous = settings;
        MonitorSettings next = change.apply(previous.toBuilder()).build();
        settings = next;
        // A shorter interval must not wait out a long tick already planned: re-plan the pending one.
        if (running && !closed) {
            if (!next.checkInterval().equals(previous.checkInterval()) && checkTask != null && checkTask.cancel(false)) {
                checkTask = executor.schedule(this::periodicCheck, next.checkInterval().toMillis(), TimeUnit.MILLISECONDS);
            }
            if (!next.cleanupInterval().equals(previous.cleanupInterval()) && sweepTask != null && sweepTask.cancel(false)) {
                sweepTask = executor.schedule(this::periodicSweep, next.cleanupInterval().toMillis(), TimeUnit.MILLISECONDS);
            }
        }
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
        preferredFolders.add(Objects.requireNonNull(folder, "folder"));
    }

    /** Removes a preferred folder. */
    public void removePreferredDumpFolder(Supplier<Optional<Path>> folder) {
        preferredFolders.remove(folder);
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
        return DumpFolders.resolve(preferredFolders, settings.outputDirectory());
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

    /** The latest check, or null before the first. */
    public CheckResult lastCheck() {
        return lastCheck;
    }

    /** The last checks' counts, oldest first. */
    public List<TrendPoint> trend() {
        return trend;
    }

    /** The latest successful capture, or null. */
    public CaptureResult lastCapture() {
        return lastCapture;
    }

    /** The latest sweep, or null. */
    public SweepResult lastSweep() {
        return lastSweep;
    }

    /** Checks run. */
    public long checkCount() {
        return checks.get();
    }

    /** Accumulation episodes begun. */
    public long accumulationCount() {
        return accumulations.get();
    }

    /** Spikes seen. */
    public long spikeCount() {
        return spikes.get();
    }

    /** Dumps written. */
    public long captureCount() {
        return captures.get();
    }

    /** Dumps that failed. */
    public long captureFailures() {
        return captureFailures.get();
    }

    /** Connections skipped by a check, sweep or capture because an endpoint probe threw. */
    public long probeFailures() {
        return probeFailures.get();
    }

    /** Periodic tasks that failed unexpectedly (a bug; each is logged with its stack). */
    public long taskFailures() {
        return taskFailures.get();
    }

    /** Connections cleaned up, by the sweep or the host, for one cleanup reason. */
    public long cleanupCount(TerminationReason reason) {
        return cleanups[reason.ordinal()].sum();
    }

    /** Connections cleaned up, by reason, only those that happened. */
    public Map<TerminationReason, Long> cleanupCounts() {
        Map<TerminationReason, Long> out = new LinkedHashMap<>();
        for (TerminationReason r : TerminationReason.values()) {
            long n = cleanups[r.ordinal()].sum();
            if (n > 0) {
                out.put(r, n);
            }
        }
        return Collections.unmodifiableMap(out);
    }

    /** The worst lag of the monitor's own timer over the last check interval. */
    public long schedulerLagMillis() {
        return lastLagMs;
    }

    @Override
    public String toString() {
        return "ConnectionMonitor[" + name + (running ? ", running" : "") + (closed ? ", closed" : "") + "]";
    }
}
