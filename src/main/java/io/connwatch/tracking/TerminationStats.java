package io.connwatch.tracking;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** Closes counted by side and reason. Lock-free; a snapshot is point-in-time per counter. */
public final class TerminationStats {
    private static final TerminationReason[] REASONS = TerminationReason.values();
    private final LongAdder[][] counts = new LongAdder[Side.values().length][REASONS.length];

    TerminationStats() {
        for (LongAdder[] row : counts) {
            for (int i = 0; i < row.length; i++) {
                row[i] = new LongAdder();
            }
        }
    }

    void increment(Side side, TerminationReason reason) {
        counts[side.ordinal()][reason.ordinal()].increment();
    }

    /** How many connections closed on this side for this reason. */
    public long count(Side side, TerminationReason reason) {
        return counts[side.ordinal()][reason.ordinal()].sum();
    }

    /** All closes, any side and reason. */
    public long total() {
        long sum = 0;
        for (LongAdder[] row : counts) {
            for (LongAdder a : row) {
                sum += a.sum();
            }
        }
        return sum;
    }

    /**
     * {@code {"incoming": {"normal": 120}, "outgoing": {"econnrefused": 4}}}: both sides always present, only
     * reasons that happened.
     */
    public Map<String, Map<String, Long>> snapshot() {
        Map<String, Map<String, Long>> out = new LinkedHashMap<>();
        for (Side side : Side.values()) {
            Map<String, Long> bySide = new LinkedHashMap<>();
            for (TerminationReason r : REASONS) {
                long n = counts[side.ordinal()][r.ordinal()].sum();
                if (n > 0) {
                    bySide.put(r.wireName(), n);
                }
            }
            out.put(side.wireName(), Collections.unmodifiableMap(bySide));
        }
        return Collections.unmodifiableMap(out);
    }
}
