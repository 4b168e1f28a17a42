package io.connwatch.analysis;

import io.connwatch.tracking.TerminationReason;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The broken-connection patterns. A connection can show several at once; a set of them is
 * kept as bits ({@link #bit()}) so that a check allocates nothing per connection.
 *
 * <p>Each pattern carries every name it goes by, so that the dump, the JFR events, the MBean, the readers of
 * {@code analyze} and the metrics take them from here rather than spelling them again: {@link #countName()},
 * {@link #attributeName()}, {@link #tagValue()}, and the {@link #cleanupReason()} its cleanup closes with.
 */
public enum Pattern {
    /** Both endpoints destroyed, record still tracked. */
    ZOMBIE("zombies", "ZombieCount", TerminationReason.ZOMBIE_CLEANUP),
    /** One side finished, the other open, no activity for the grace. */
    HALF_ZOMBIE("halfZombies", "HalfZombieCount", TerminationReason.HALF_ZOMBIE_CLEANUP),
    /** A request received, nothing sent back, past stuckAfter. */
    STUCK("stuck", "StuckCount", TerminationReason.STUCK_NO_RESPONSE),
    /** No backend connection past the connect timeout. */
    NO_OUTGOING("noOutgoing", "NoOutgoingCount", TerminationReason.CONNECT_TIMEOUT),
    /** No activity for idleAfter. */
    IDLE("idle", "IdleCount", TerminationReason.INACTIVITY),
    /** Older than oldAfter. */
    OLD("old", "OldCount", TerminationReason.MAX_LIFETIME),
    /** A response still transferring after slowAfter. */
    SLOW_BACKEND("slowBackends", "SlowBackendCount", null),
    /** A listener count above the leak threshold. */
    LISTENER_LEAK("listenerLeaks", "ListenerLeakCount", null);

    private static final Pattern[] VALUES = values();
    // The order of the counts wherever they are written side by side: a dump's summary, the JFR events' fields.
    private static final List<Pattern> COUNT_ORDER = List.of(ZOMBIE, HALF_ZOMBIE, STUCK, IDLE, OLD, NO_OUTGOING,
            SLOW_BACKEND, LISTENER_LEAK);

    private final String countName;
    private final String attributeName;
    private final String tagValue;
    private final TerminationReason cleanupReason;

    Pattern(String countName, String attributeName, TerminationReason cleanupReason) {
        this.countName = countName;
        this.attributeName = attributeName;
        this.tagValue = name().toLowerCase(Locale.ROOT);
        this.cleanupReason = cleanupReason;
    }

    /** This pattern's bit in a pattern set. */
    public int bit() {
        return 1 << ordinal();
    }

    /** Whether a pattern set holds this pattern. */
    public boolean in(int bits) {
        return (bits & bit()) != 0;
    }

    /**
     * The name of this pattern's count: the key in a dump's {@code summary} and {@code byTarget} rows, and the
     * field of the {@code ConnectionAccumulation} and {@code ConnectionStatistics} events, e.g. {@code halfZombies}.
     */
    public String countName() {
        return countName;
    }

    /** The MBean attribute holding this pattern's count at the latest check, e.g. {@code HalfZombieCount}. */
    public String attributeName() {
        return attributeName;
    }

    /** The value of the {@code pattern} tag on metrics, e.g. {@code half_zombie}. */
    public String tagValue() {
        return tagValue;
    }

    /**
     * The termination reason a cleanup of this pattern closes with, e.g. {@code STUCK_NO_RESPONSE} for {@link #STUCK};
     * null for a pattern that is only reported ({@link #SLOW_BACKEND}, {@link #LISTENER_LEAK}). {@link #IDLE} and
     * {@link #OLD} connections are closed only at their own, longer deadlines.
     */
    public TerminationReason cleanupReason() {
        return cleanupReason;
    }

    /** The pattern a cleanup reason cleans, or null for a reason that is not a cleanup's. */
    public static Pattern cleanedBy(TerminationReason reason) {
        for (Pattern p : VALUES) {
            if (reason != null && p.cleanupReason == reason) {
                return p;
            }
        }
        return null;
    }

    /**
     * Every pattern in the order their counts are written side by side (a dump's {@code summary}, the JFR events'
     * fields): zombies, halfZombies, stuck, idle, old, noOutgoing, slowBackends, listenerLeaks.
     */
    public static List<Pattern> inCountOrder() {
        return COUNT_ORDER;
    }

    /** The patterns of a set, in declaration order. */
    public static List<Pattern> of(int bits) {
        List<Pattern> out = new ArrayList<>(Integer.bitCount(bits));
        for (Pattern p : VALUES) {
            if (p.in(bits)) {
                out.add(p);
            }
        }
        return out;
    }

    /** All patterns, shared array: do not modify. */
    static Pattern[] all() {
        return VALUES;
    }
}
