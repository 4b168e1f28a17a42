package io.connwatch.analysis;

import java.util.ArrayList;
import java.util.List;

/**
 * The broken-connection patterns of SPEC "Patterns". A connection can show several at once; a set of them is
 * kept as bits ({@link #bit()}) so that a check allocates nothing per connection.
 */
public enum Pattern {
    /** Both endpoints destroyed, record still tracked. */
    ZOMBIE("zombies"),
    /** One side finished, the other open, no activity for the grace. */
    HALF_ZOMBIE("halfZombies"),
    /** A request received, nothing sent back, past stuckAfter. */
    STUCK("stuck"),
    /** No backend connection past the connect timeout. */
    NO_OUTGOING("noOutgoing"),
    /** No activity for idleAfter. */
    IDLE("idle"),
    /** Older than oldAfter. */
    OLD("old"),
    /** A response still transferring after slowAfter. */
    SLOW_BACKEND("slowBackends"),
    /** A listener count above the leak threshold. */
    LISTENER_LEAK("listenerLeaks");

    private static final Pattern[] VALUES = values();
    private final String summaryKey;

    Pattern(String summaryKey) {
        this.summaryKey = summaryKey;
    }

    /** This pattern's bit in a pattern set. */
    public int bit() {
        return 1 << ordinal();
    }

    /** Whether a pattern set holds this pattern. */
    public boolean in(int bits) {
        return (bits & bit()) != 0;
    }

    /** The key in a dump's {@code summary} and in per-target tallies, e.g. {@code halfZombies}. */
    public String summaryKey() {
        return summaryKey;
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
