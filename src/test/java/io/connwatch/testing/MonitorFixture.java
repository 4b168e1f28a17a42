package io.connwatch.testing;

import static io.connwatch.testing.TestTimes.ms;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.connwatch.ConnectionMonitor;
import io.connwatch.MonitorSettings;
import io.connwatch.analysis.CheckResult;
import io.connwatch.analysis.Pattern;
import io.connwatch.tracking.ConnectionTracker;
import io.connwatch.tracking.Side;
import io.connwatch.tracking.TerminationReason;
import io.connwatch.tracking.TrackedConnection;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A tracker and a monitor over it, set for tests on real sockets: checks and sweeps every {@link #INTERVAL}, the
 * stuck, half-zombie and connect-timeout thresholds at {@link #THRESHOLD}, cleanup off until a test switches it on, so
 * that a pattern is seen before its rule cleans it. What a test opens goes through {@link #use} and is closed after
 * the test, newest first, once the monitor is closed. Register it on an instance field:
 *
 * <pre>{@code
 * @TempDir
 * Path dumps;
 * @RegisterExtension
 * final MonitorFixture fixture = new MonitorFixture("edge", b -> b.outputDirectory(dumps));
 * }</pre>
 *
 * <p>Every wait decides on the tracker's and the monitor's own counters, never on the test thread's clock, and its
 * bound is generous: on a busy machine only a rule that does not act at all runs into it. How long things took is
 * returned to be reported, never asserted.
 */
public final class MonitorFixture implements AfterEachCallback, AutoCloseable {
    /** Between checks, and between sweeps. */
    public static final Duration INTERVAL = ms(200);
    /** The stuck, half-zombie and connect-timeout thresholds. */
    public static final Duration THRESHOLD = ms(1000);
    /** The sweep's jitter (the default one, written out: tests compute each connection's deadline with it). */
    public static final double JITTER = 0.05;
    /** How often a wait looks. */
    public static final Duration POLL = Duration.ofMillis(50);
    /** How long to wait for what follows at once (a connect, a close): only a failure comes near it. */
    public static final Duration WAIT = ms(10_000);
    /** After cleanup is switched on past a deadline: a few sweeps, even on a machine whose CPUs are saturated. */
    public static final Duration CLEANUP_BOUND = ms(15_000);
    /** For a pattern to show: its threshold, then a few checks. */
    public static final Duration PATTERN_BOUND = THRESHOLD.plus(ms(7_000));

    private final ConnectionTracker tracker;
    private final UnaryOperator<MonitorSettings.Builder> classSettings;
    private final List<AutoCloseable> resources = new ArrayList<>();
    private ConnectionMonitor monitor;

    /**
     * A tracker named {@code name}; {@code classSettings} apply to every monitor of the test class, over the
     * fixture's (a place for dumps, at least), and are read when a monitor is built.
     */
    public MonitorFixture(String name, UnaryOperator<MonitorSettings.Builder> classSettings) {
        this.tracker = new ConnectionTracker(name);
        this.classSettings = classSettings;
    }

    public ConnectionTracker tracker() {
        return tracker;
    }

    /** The monitor built last; {@code null} before. */
    public ConnectionMonitor monitor() {
        return monitor;
    }

    /** The fixture's settings, then the class's, then {@code tune}'s. */
    public MonitorSettings.Builder settings(UnaryOperator<MonitorSettings.Builder> tune) {
        MonitorSettings.Builder b = MonitorSettings.builder()
                .checkInterval(INTERVAL)
                .cleanupInterval(INTERVAL)
                .jitter(JITTER)
                .stuckAfter(THRESHOLD)
                .halfZombieGrace(THRESHOLD)
                .connectTimeout(THRESHOLD)
                .cleanupEnabled(false);
        return tune.apply(classSettings.apply(b));
    }

    /** A monitor with these settings, not started (its checks run when the test says); closed after the test. */
    public ConnectionMonitor build(UnaryOperator<MonitorSettings.Builder> tune) {
        if (monitor != null) {
            throw new IllegalStateException("one monitor per test");
        }
        monitor = new ConnectionMonitor(tracker, settings(tune).build());
        return monitor;
    }

    /** A started monitor with these settings; closed after the test. */
    public ConnectionMonitor start(UnaryOperator<MonitorSettings.Builder> tune) {
        return build(tune).start();
    }

    /** {@code resource}, closed after the test: newest first, after the monitor. */
    public synchronized <T extends AutoCloseable> T use(T resource) {
        resources.add(resource);
        return resource;
    }

    /** Checks until {@code p} is counted exactly {@code count} times; that check. */
    public CheckResult awaitPattern(Pattern p, long count) {
        CheckResult[] last = new CheckResult[1];
        await().atMost(PATTERN_BOUND).pollInterval(Duration.ofMillis(100))
                .until(() -> (last[0] = monitor.checkNow()).count(p) == count);
        return last[0];
    }

    /**
     * Switches cleanup on (the pattern's deadline is past) and waits until one connection was closed for
     * {@code reason} on {@code side}; the milliseconds that took, to report.
     */
    public long enableCleanupAndAwait(TerminationReason reason, Side side) {
        long t = System.nanoTime();
        monitor.updateSettings(b -> b.cleanupEnabled(true));
        await().atMost(CLEANUP_BOUND).pollInterval(Duration.ofMillis(10)).until(() ->
                tracker.terminationStats().count(side, reason) == 1);
        return (System.nanoTime() - t) / 1_000_000;
    }

    /** Waits until the tracker counts {@code n} active connections. */
    public void awaitActive(long n) {
        await().atMost(WAIT).pollInterval(POLL).until(() -> tracker.activeConnections() == n);
    }

    /** The one active connection, once it is there. */
    public TrackedConnection awaitOne() {
        awaitActive(1);
        return tracker.iterator().next();
    }

    /** The one connection, once its backend connect has completed. */
    public TrackedConnection awaitRouted() {
        TrackedConnection c = awaitOne();
        await().atMost(WAIT).pollInterval(Duration.ofMillis(10)).until(() ->
                c.outgoing().exists() && !c.outgoing().connecting());
        return c;
    }

    /** Back to no connection: none active, no record left. */
    public void awaitBaseline() {
        awaitActive(0);
        assertFalse(tracker.iterator().hasNext(), "no record left");
    }

    /**
     * Closes the monitor, then what the test opened, newest first; every one of them, even if one fails (the first
     * failure is thrown). A socket that fails to close is skipped: the test may have broken it on purpose.
     */
    @Override
    public synchronized void close() throws Exception {
        Exception failure = null;
        if (monitor != null) {
            monitor.close();
        }
        for (int i = resources.size() - 1; i >= 0; i--) {
            AutoCloseable r = resources.get(i);
            try {
                r.close();
            } catch (IOException e) {
                if (!(r instanceof Socket)) {
                    failure = first(failure, e);
                }
            } catch (Exception e) {
                failure = first(failure, e);
            }
        }
        resources.clear();
        if (failure != null) {
            throw failure;
        }
    }

    private static Exception first(Exception failure, Exception e) {
        if (failure == null) {
            return e;
        }
        failure.addSuppressed(e);
        return failure;
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        close();
    }
}
