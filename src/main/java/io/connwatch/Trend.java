package io.connwatch;

import io.connwatch.capture.TrendPoint;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The last checks' counts, oldest first: a ring the monitor's thread fills, published after each check as an
 * immutable copy that any thread may read.
 */
final class Trend {
    private final ArrayDeque<TrendPoint> ring = new ArrayDeque<>();
    private volatile List<TrendPoint> points = List.of();

    /** Adds a check's point, keeping the last {@code size}; monitor's thread only. */
    void add(TrendPoint point, int size) {
        ring.addLast(point);
        while (ring.size() > size) {
            ring.removeFirst();
        }
        points = List.copyOf(ring);
    }

    /** The points as of the latest check. */
    List<TrendPoint> points() {
        return points;
    }
}
