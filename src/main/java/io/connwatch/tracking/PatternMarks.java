package io.connwatch.tracking;

/**
 * Writes the pattern set a check found on each connection of one tracker, for the dumps and sweeps that follow. The
 * monitor's check and sweep hold it; a host has no reason to: {@link TrackedConnection#patternBits()} is what it
 * reads. Kept apart from the connection so that no setter sits beside the host's calls on every connection.
 */
public final class PatternMarks {
    private final ConnectionTracker tracker;

    PatternMarks(ConnectionTracker tracker) {
        this.tracker = tracker;
    }

    /** Stores {@code bits} as the connection's pattern set; a connection of another tracker is refused. */
    public void set(TrackedConnection c, int bits) {
        if (c.tracker() != tracker) {
            throw new IllegalArgumentException(c.id() + " belongs to tracker '" + c.tracker().name() + "', not '"
                    + tracker.name() + "'");
        }
        c.patternBits(bits);
    }
}
