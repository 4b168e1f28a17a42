package io.connwatch.tracking;

/**
 * The time source of a tracker and its monitor. Elapsed times come from {@link #nanoTime()} so that a
 * wall-clock jump never fires a timeout; {@link #currentTimeMillis()} only labels instants in dumps.
 * Tests replace it; production uses {@link #SYSTEM}.
 */
public interface Ticker {
    /** Monotonic nanoseconds, as {@link System#nanoTime()}. */
    long nanoTime();

    /** Wall-clock milliseconds since the epoch, as {@link System#currentTimeMillis()}. */
    long currentTimeMillis();

    /** The JVM's clocks. */
    Ticker SYSTEM = new Ticker() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public long currentTimeMillis() {
            return System.currentTimeMillis();
        }
    };

    /** The wall-clock instant, in epoch milliseconds, of a past (or future) {@link #nanoTime()} reading. */
    default long toEpochMillis(long nanos) {
        return currentTimeMillis() - Math.floorDiv(nanoTime() - nanos, 1_000_000L);
    }
}
