package io.connwatch;

import java.time.Duration;

/**
 * The count rose by the spike threshold or more between two checks.
 *
 * @param previousCount     the count at the previous check
 * @param activeConnections the count now
 * @param increase          the difference
 * @param spikeThreshold    the spike threshold
 * @param interval          time between the two checks
 */
public record SpikeEvent(long previousCount, long activeConnections, long increase, long spikeThreshold,
                         Duration interval) {
}
