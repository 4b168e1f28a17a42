package io.connwatch;

import io.connwatch.analysis.CheckResult;
import java.nio.file.Path;

/**
 * An accumulation episode began: the active count passed the threshold at a check.
 *
 * @param activeConnections the count at the check
 * @param threshold         the accumulation threshold
 * @param check             the check, with its tallies
 * @param captureFile       the episode's dump, or null if the capture was deferred by the cooldown or failed
 */
public record AccumulationEvent(long activeConnections, long threshold, CheckResult check, Path captureFile) {
}
