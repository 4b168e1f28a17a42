package io.connwatch;

import io.connwatch.tracking.ConnectionTracker;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The tick of the tracker's coarse activity clock, which also measures how late the monitor's own timer runs: each
 * tick is due one {@link #PERIOD} after the previous one, and the worst delay seen is reported by the next check.
 *
 * <p>Not thread-safe: runs on the monitor's thread; {@link #expectFirstTick()} is called before the tick is
 * scheduled, which publishes it.
 */
final class ClockTick implements Runnable {
    /** The coarse clock's resolution, and so the probe's period. */
    static final Duration PERIOD = Duration.ofMillis(50);
    private static final long PERIOD_NANOS = PERIOD.toNanos();

    private final ConnectionTracker tracker;
    private long expectedNanos;
    private long worstLagNanos;

    ClockTick(ConnectionTracker tracker) {
        this.tracker = tracker;
    }

    /** The first tick is due one period from now. */
    void expectFirstTick() {
        expectedNanos = tracker.ticker().nanoTime() + PERIOD_NANOS;
    }

    @Override
    public void run() {
        long now = tracker.tick();
        long lag = now - expectedNanos;
        if (lag > worstLagNanos) {
            worstLagNanos = lag;
        }
        expectedNanos = now + PERIOD_NANOS;
    }

    /** The worst lag since the last call, in milliseconds; starts the next measure. */
    long takeWorstLagMillis() {
        long worst = TimeUnit.NANOSECONDS.toMillis(worstLagNanos);
        worstLagNanos = 0;
        return worst;
    }
}
