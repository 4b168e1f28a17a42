package io.connwatch.analysis;

import java.util.Arrays;

/** Connections and pattern counts for one backend target, as in a dump's {@code byTarget}. */
public final class TargetTally {
    /** The label of connections not routed yet. */
    public static final String UNROUTED = "(unrouted)";

    private final String target;
    private long connections;
    private final long[] patterns = new long[Pattern.all().length];

    TargetTally(String target) {
        this.target = target;
    }

    void add(int bits) {
        connections++;
        while (bits != 0) {
            int i = Integer.numberOfTrailingZeros(bits);
            patterns[i]++;
            bits &= bits - 1;
        }
    }

    /** {@code host:port}, or {@link #UNROUTED}. */
    public String target() {
        return target;
    }

    /** Connections to this target. */
    public long connections() {
        return connections;
    }

    /** Connections to this target showing the pattern. */
    public long count(Pattern p) {
        return patterns[p.ordinal()];
    }

    @Override
    public String toString() {
        return target + "=" + connections + Arrays.toString(patterns);
    }
}
