package io.connwatch;

import io.connwatch.tracking.Ticker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock that moves only when told: {@link #nanoTime()} is settable, and {@link #currentTimeMillis()} advances
 * with it from a fixed wall-clock start.
 */
public final class FakeTicker implements Ticker {
    /** 2025-06-07T20:20:43.733Z, the instant of the documented example dump. */
    public static final long START_EPOCH_MILLIS = 1_749_327_643_733L;
    // An arbitrary, non-zero origin, so that code relying on nanoTime() being near 0 shows up.
    private static final long START_NANOS = 1_000_000_000_000L;

    private final AtomicLong nanos = new AtomicLong(START_NANOS);

    @Override
    public long nanoTime() {
        return nanos.get();
    }

    @Override
    public long currentTimeMillis() {
        return START_EPOCH_MILLIS + Math.floorDiv(nanos.get() - START_NANOS, 1_000_000L);
    }

    /** Sets the monotonic reading. */
    public void setNanoTime(long value) {
        nanos.set(value);
    }

    /** Moves the clock forward. */
    public void advance(Duration d) {
        if (d.isNegative()) {
            throw new IllegalArgumentException("a monotonic clock does not go back: " + d);
        }
        nanos.addAndGet(d.toNanos());
    }
}
