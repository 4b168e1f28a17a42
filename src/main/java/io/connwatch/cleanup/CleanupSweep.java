package io.connwatch.cleanup;

import io.connwatch.analysis.Classifier;
import io.connwatch.analysis.Pattern;
import io.connwatch.analysis.PatternRules;
import io.connwatch.tracking.ConnectionTracker;
import io.connwatch.tracking.Endpoint;
import io.connwatch.tracking.Side;
import io.connwatch.tracking.TerminationReason;
import io.connwatch.tracking.TrackedConnection;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The cleanup rules, applied to every live connection: zombies' records removed (once seen by an
 * earlier check or sweep, so a host closing its sockets just before telling the tracker is not taken for one), half-zombies
 * and stuck connections closed on both sides, clients without a backend closed, and idle or old connections closed
 * at their (much longer) deadlines. Every deadline gets the connection's own jitter ({@link #jitter}), so that a
 * crowd opened together does not expire in one tick.
 *
 * <p>The reason is recorded before the sockets are closed, so the host's own close that follows (an exception
 * on its read) does not replace it.
 */
public final class CleanupSweep {
    // Most broken first: the order in which a connection showing several is given its reason.
    private static final Pattern[] CLEANED_ON_SIGHT = {Pattern.ZOMBIE, Pattern.HALF_ZOMBIE, Pattern.STUCK,
        Pattern.NO_OUTGOING};

    private final PatternRules rules;
    private final double jitter;
    private final Classifier classifier;

    /**
     * A sweep for these rules; {@code jitter} is the largest fraction by which a deadline moves (0.05 = ±5 %).
     */
    public CleanupSweep(PatternRules rules, double jitter) {
        this.rules = rules;
        this.jitter = jitter;
        this.classifier = new Classifier(rules);
    }

    /**
     * Sweeps the tracker. The tracker's listeners see each connection it closes; {@code onProbeFailure} sees
     * the first probe that threw.
     */
    public SweepResult run(ConnectionTracker tracker, Consumer<RuntimeException> onProbeFailure) {
        long now = tracker.tick();
        Map<TerminationReason, Integer> cleaned = new EnumMap<>(TerminationReason.class);
        Map<TerminationReason, Integer> would = new EnumMap<>(TerminationReason.class);
        boolean reportOnly = !rules.cleanupEnabled();
        long inactivity = rules.inactivityTimeout().toNanos();
        long maxLifetime = rules.maxLifetime().toNanos();
        long failures = 0;
        for (TrackedConnection c : tracker) {
            double f = factor(c.serial(), jitter);
            int bits;
            try {
                bits = classifier.classify(c, now, f);
            } catch (RuntimeException e) {
                if (failures++ == 0) {
                    onProbeFailure.accept(e);
                }
                continue;
            }
            if (Pattern.ZOMBIE.in(bits) && !Pattern.ZOMBIE.in(c.patternBits())) {
                // First sight: a host that closes its sockets before telling the tracker looks like this for a
                // moment. Marked now, removed at the next sweep if it is still there.
                tracker.patternMarks().set(c, c.patternBits() | Pattern.ZOMBIE.bit());
                continue;
            }
            long idle = now - c.lastActivityNanos();
            long age = now - c.incomingStartNanos();
            long idleLimit = c.hasKeepAlive() ? inactivity * rules.keepAliveMultiplier() : inactivity;
            TerminationReason reason = reasonFor(bits, idle > idleLimit * f, age > maxLifetime * f);
            if (reason == null) {
                continue;
            }
            if (reportOnly) {
                would.merge(reason, 1, Integer::sum);
                continue;
            }
            if (c.close(Side.INCOMING, reason)) {
                closeQuietly(c.incoming());
                // For a connect timeout this cancels the pending connect, if the host attached one.
                closeQuietly(c.outgoing());
                cleaned.merge(reason, 1, Integer::sum);
            }
        }
        return new SweepResult(Instant.ofEpochMilli(tracker.ticker().toEpochMillis(now)),
                Collections.unmodifiableMap(cleaned), Collections.unmodifiableMap(would), reportOnly, failures);
    }

    /**
     * The cleanup a connection is due, most broken first, or null. The patterns cleaned on sight close with their own
     * reason; idle and old connections only once past their deadlines, which are longer than the patterns' thresholds.
     */
    static TerminationReason reasonFor(int bits, boolean pastInactivity, boolean pastMaxLifetime) {
        for (Pattern p : CLEANED_ON_SIGHT) {
            if (p.in(bits)) {
                return p.cleanupReason();
            }
        }
        if (pastInactivity) {
            return Pattern.IDLE.cleanupReason();
        }
        if (pastMaxLifetime) {
            return Pattern.OLD.cleanupReason();
        }
        return null;
    }

    /**
     * A connection's own deadline factor in [1 - jitter, 1 + jitter], fixed for its life: derived from its serial,
     * so nothing is stored per connection.
     */
    public static double factor(long serial, double jitter) {
        if (jitter == 0) {
            return 1.0;
        }
        long z = serial * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z ^= z >>> 31;
        double u = (z >>> 11) * 0x1.0p-53;
        return 1.0 + jitter * (2 * u - 1);
    }

    private static void closeQuietly(Endpoint e) {
        try {
            e.close();
        } catch (Exception ignored) {
            // closing for cleanup: a socket that fails to close is already as closed as it gets
        }
    }
}
