package io.connwatch;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * One named piece of the monitor's periodic work (the check, the cleanup sweep, the clock tick), owning its pending
 * run. Runs are a fixed delay apart: each run, when done, plans the next with the interval read afresh, so a new
 * interval applies from the next tick; {@link #replan()} also moves a tick already planned with an old interval.
 *
 * <p>Thread-safe: start, stop and replan come from any thread, runs come on the executor's thread. Whatever the
 * interleaving there is at most one chain of runs: every plan carries a generation, and a run from an older plan
 * (one that a stop, start or replan overtook while it was starting) does nothing and plans nothing. The work must
 * contain its own failures; one that throws anyway is dropped by the executor and the next run is still planned.
 */
final class PeriodicTask {
    private final String name;
    private final ScheduledExecutorService executor;
    private final Supplier<Duration> interval;
    private final Runnable work;

    // Guarded by this.
    private boolean on;
    private boolean running;
    private long generation;
    private Duration plannedInterval;
    private ScheduledFuture<?> pending;

    /** {@code work} every {@code interval} (read before each plan) on {@code executor}, once started. */
    PeriodicTask(String name, ScheduledExecutorService executor, Supplier<Duration> interval, Runnable work) {
        this.name = Objects.requireNonNull(name, "name");
        this.executor = Objects.requireNonNull(executor, "executor");
        this.interval = Objects.requireNonNull(interval, "interval");
        this.work = Objects.requireNonNull(work, "work");
    }

    /** Plans the first run one interval from now; does nothing if already started. */
    synchronized void start() {
        if (on) {
            return;
        }
        on = true;
        plan();
    }

    /** Cancels the pending run; a run under way finishes and plans nothing. Can be started again. */
    synchronized void stop() {
        on = false;
        generation++;
        if (pending != null) {
            pending.cancel(false);
            pending = null;
        }
    }

    /**
     * If the interval changed since the pending run was planned, plans it anew one new interval from now, so a
     * shorter interval does not wait out a long tick. A run under way plans its successor itself when done.
     */
    synchronized void replan() {
        if (!on || running || interval.get().equals(plannedInterval)) {
            return;
        }
        if (pending == null || pending.cancel(false)) {
            plan();
        }
    }

    private void plan() {
        long g = ++generation;
        Duration d = interval.get();
        plannedInterval = d;
        try {
            pending = executor.schedule(() -> run(g), d.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException shutDown) {
            // the executor is closing: nothing more to plan
            pending = null;
        }
    }

    private void run(long g) {
        synchronized (this) {
            if (!on || g != generation) {
                return;
            }
            running = true;
        }
        try {
            work.run();
        } finally {
            synchronized (this) {
                running = false;
                if (on && g == generation) {
                    plan();
                }
            }
        }
    }

    @Override
    public String toString() {
        return "PeriodicTask[" + name + "]";
    }
}
