package io.connwatch.cleanup;

import io.connwatch.tracking.TerminationReason;
import java.time.Instant;
import java.util.Map;

/**
 * What one cleanup sweep did.
 *
 * @param timestamp  when it ran
 * @param cleaned    connections it closed, by reason (empty in report-only mode)
 * @param wouldClean connections it would have closed in report-only mode, by reason
 * @param reportOnly whether cleanup was off
 * @param probeFailures connections skipped because an endpoint probe threw
 */
public record SweepResult(Instant timestamp, Map<TerminationReason, Integer> cleaned,
                          Map<TerminationReason, Integer> wouldClean, boolean reportOnly, long probeFailures) {

    /** Connections closed. */
    public int cleanedCount() {
        return cleaned.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** Connections that report-only mode left open. */
    public int wouldCleanCount() {
        return wouldClean.values().stream().mapToInt(Integer::intValue).sum();
    }
}
