package io.connwatch.analysis;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What one check found: counts, pattern tallies over all live connections, the per-target breakdown (largest
 * first) and plain-words recommendations. Immutable.
 *
 * @param timestamp         when the check ran
 * @param nanoTime          the ticker's reading at the check
 * @param activeConnections connections open at the check
 * @param examined          connections classified (live ones seen by the iteration)
 * @param tallies           connections per pattern; every pattern present
 * @param byTarget          per-target breakdown, most connections first
 * @param findings          one recommendation per pattern found, in pattern order
 * @param probeFailures     connections whose endpoint probe threw and that were skipped
 * @param durationNanos     how long the check took
 */
public record CheckResult(
        Instant timestamp,
        long nanoTime,
        long activeConnections,
        long examined,
        Map<Pattern, Long> tallies,
        List<TargetTally> byTarget,
        Map<Pattern, String> findings,
        long probeFailures,
        long durationNanos) {

    /** Connections showing a pattern. */
    public long count(Pattern p) {
        Long n = tallies.get(p);
        return n == null ? 0 : n;
    }

    /** The recommendations, one per pattern found, in pattern order: as a dump lists them. */
    public List<String> recommendations() {
        return List.copyOf(findings.values());
    }

    /** Whether any pattern was found. */
    public boolean anyPattern() {
        for (long n : tallies.values()) {
            if (n > 0) {
                return true;
            }
        }
        return false;
    }

}
