package io.connwatch.bench;

import io.connwatch.tracking.Ticker;

/**
 * A {@link Ticker} that stands still where it is set, so that a population of connections can be built with
 * ages and idle times in the past and then checked at a fixed "now": every run classifies the same way.
 */
final class SettableTicker implements Ticker {
    /** An arbitrary origin far from zero, so that "now minus two hours" stays positive. */
    static final long ORIGIN_NANOS = 100L * 3_600_000_000_000L;
    private static final long ORIGIN_EPOCH_MILLIS = 1_750_000_000_000L;

    private volatile long nanos = ORIGIN_NANOS;

    void set(long nanos) {
        this.nanos = nanos;
    }

    @Override
    public long nanoTime() {
        return nanos;
    }

    @Override
    public long currentTimeMillis() {
        return ORIGIN_EPOCH_MILLIS + (nanos - ORIGIN_NANOS) / 1_000_000L;
    }
}
