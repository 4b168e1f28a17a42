package io.connwatch.netty;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Measures how late an event loop group runs its tasks: each loop runs a tiny task every {@code period} and notes
 * how much later than planned it ran. {@link #takeMaxLagMillis()} gives the worst since the last call, which is what
 * a monitor's dump reports as {@code eventLoopLagMs}; register it with
 * {@code monitor.registerEventLoopLag(name, probe::takeMaxLagMillis)}.
 */
public final class EventLoopLagProbe implements AutoCloseable {
    private final AtomicLong worstNanos = new AtomicLong();
    private final List<ScheduledFuture<?>> tasks = new ArrayList<>();
    private volatile Runnable onClose = () -> { };

    /** Starts probing every loop of the group. */
    public EventLoopLagProbe(EventExecutorGroup group, Duration period) {
        long periodNanos = period.toNanos();
        if (periodNanos <= 0) {
            throw new IllegalArgumentException("period must be positive, was " + period);
        }
        for (EventExecutor loop : group) {
            Tick tick = new Tick(periodNanos);
            tasks.add(loop.scheduleAtFixedRate(tick, periodNanos, periodNanos, TimeUnit.NANOSECONDS));
        }
    }

    /**
     * Starts probing {@code group} every 100 ms and reports it in {@code monitor}'s dumps under {@code name}; closing
     * the probe stops it and removes it from the monitor.
     */
    public static EventLoopLagProbe attach(io.connwatch.ConnectionMonitor monitor, String name, EventExecutorGroup group) {
        EventLoopLagProbe probe = new EventLoopLagProbe(group, Duration.ofMillis(100));
        monitor.registerEventLoopLag(name, probe::takeMaxLagMillis);
        probe.onClose = () -> monitor.unregisterEventLoopLag(name);
        return probe;
    }

    /** The worst lag since the last call, in milliseconds, and starts over. */
    public long takeMaxLagMillis() {
        return TimeUnit.NANOSECONDS.toMillis(worstNanos.getAndSet(0));
    }

    @Override
    public void close() {
        for (ScheduledFuture<?> f : tasks) {
            f.cancel(false);
        }
        onClose.run();
    }

    private final class Tick implements Runnable {
        private final long periodNanos;
        private long expected;

        Tick(long periodNanos) {
            this.periodNanos = periodNanos;
            this.expected = System.nanoTime() + periodNanos;
        }

        @Override
        public void run() {
            long now = System.nanoTime();
            long lag = now - expected;
            expected = now + periodNanos;
            long w;
            while (lag > (w = worstNanos.get()) && !worstNanos.compareAndSet(w, lag)) {
                // raced with another loop; retry against its value
            }
        }
    }
}
