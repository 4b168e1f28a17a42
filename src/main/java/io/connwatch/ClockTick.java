package io.connwatch;

import io.connwatch.analysis.PatternRules;
import io.connwatch.tracking.ConnectionTracker;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The tick of the tracker's coarse activity clock, which also measures how late the monitor's own timer runs: each
 * tick is due one period after the previous one, and the worst delay seen is reported by the next check.
 *
 * <p>The period follows the rules: a fiftieth of the shortest time they judge by activity stamps, between
 * {@link #MIN_PERIOD} and {@link #MAX_PERIOD}, so a stamp is never more than 2 % of a deadline old. With the defaults
 * (30 s before HALF_ZOMBIE) that is 600 ms; with a STUCK after 1 s, 50 ms. A timer that wakes a thread costs far more
 * on a virtual machine than it does on bare metal (about 0.15 ms of CPU a wake-up on the benchmark machine), and a
 * 50 ms tick cost a monitor 0.3 % of a CPU there for nothing a 30 s deadline can tell.
 *
 * <p>Not thread-safe: runs on the monitor's thread; {@link #expectFirstTick()} is called before the tick is
 * scheduled, which publishes it. {@link #period()} is safe from any thread.
 */
final class ClockTick implements Runnable {
    /** The finest resolution: for deadlines of 2.5 s and less. */
    static final Duration MIN_PERIOD = Duration.ofMillis(50);
    /** The coarsest: for deadlines of 50 s and more. */
    static final Duration MAX_PERIOD = Duration.ofSeconds(1);
    private static final int PER_DEADLINE = 50;

    private final ConnectionTracker tracker;
    private final Supplier<PatternRules> rules;
    private long lastNanos;
    private long lastPeriodNanos;
    private long worstLagNanos;

    ClockTick(ConnectionTracker tracker, Supplier<PatternRules> rules) {
        this.tracker = tracker;
        this.rules = rules;
    }

    /** The time to the next tick, for the rules in force now. */
    Duration period() {
        return periodFor(rules.get());
    }

    /** A fiftieth of the shortest deadline measured from an activity stamp, within the bounds. */
    static Duration periodFor(PatternRules r) {
        Duration shortest = r.stuckAfter();
        for (Duration d : new Duration[] {r.stuckAfterTls(), r.halfZombieGrace(), r.halfZombieGraceTls(),
            r.idleAfter(), r.inactivityTimeout(), r.slowAfter()}) {
            if (d.compareTo(shortest) < 0) {
                shortest = d;
            }
        }
        Duration p = shortest.dividedBy(PER_DEADLINE);
        if (p.compareTo(MIN_PERIOD) < 0) {
            return MIN_PERIOD;
        }
        return p.compareTo(MAX_PERIOD) > 0 ? MAX_PERIOD : p;
    }

    /** The first tick is due one period from now. */
    void expectFirstTick() {
        lastNanos = tracker.ticker().nanoTime();
        lastPeriodNanos = period().toNanos();
    }

    @Override
    public void run() {
        long now = tracker.tick();
        long period = period().toNanos();
        // A tick replanned when the rules changed the period is judged by the longer of the two periods.
        long lag = now - lastNanos - Math.max(period, lastPeriodNanos);
        if (lag > worstLagNanos) {
            worstLagNanos = lag;
        }
        lastNanos = now;
        lastPeriodNanos = period;
    }

    /** The worst lag since the last call, in milliseconds; starts the next measure. */
    long takeWorstLagMillis() {
        long worst = TimeUnit.NANOSECONDS.toMillis(worstLagNanos);
        worstLagNanos = 0;
        return worst;
    }
}
