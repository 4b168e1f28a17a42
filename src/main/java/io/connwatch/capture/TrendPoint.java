package io.connwatch.capture;

import java.time.Instant;

/**
 * One check in a dump's {@code trend}.
 *
 * @param timestamp         when the check ran
 * @param activeConnections connections open then
 */
public record TrendPoint(Instant timestamp, long activeConnections) {
}
