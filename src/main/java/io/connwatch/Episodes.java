package io.connwatch;

import java.time.Duration;

/**
 * The accumulation and spike rules, check after check: given each check's count and time, it says where the
 * accumulation episode stands and whether a spike began. No thread, no clock of its own, no captures; the
 * thresholds come with every check, so a threshold changed live applies at the next one.
 *
 * <ul>
 *   <li>Accumulation: a count above the accumulation threshold begins an episode; the episode lasts while the count
 *       stays above it and ends at the first check where it is at or below it, which re-arms the rule.</li>
 *   <li>Spike: the count minus the previous check's count reaching the spike threshold. A rise that goes on is the
 *       same spike; a check that rises by less (or falls) re-arms the rule. The first check has nothing to compare
 *       with, so it is never a spike.</li>
 * </ul>
 *
 * <p>Not thread-safe: owned by the monitor's thread.
 */
final class Episodes {
    /** Where a check leaves the accumulation episode. */
    enum Accumulation {
        /** At or below the threshold, as at the check before: no episode. */
        NONE,
        /** Above the threshold, and the check before was not: an episode begins. */
        BEGAN,
        /** Still above the threshold: the same episode. */
        CONTINUES,
        /** Back at or below the threshold: the episode is over, the next rise above it is a new one. */
        ENDED
    }

    /**
     * What one check changed.
     *
     * @param count        the check's active count
     * @param threshold    the accumulation threshold it was held against
     * @param accumulation where the accumulation episode stands
     * @param spike        the spike that began at this check, or null
     */
    record Step(long count, long threshold, Accumulation accumulation, SpikeEvent spike) {
    }

    private long previousCount = -1;
    private long previousNanos;
    private boolean inAccumulation;
    private boolean inSpike;

    /** Takes one check's count, at {@code nanoTime} of the monitor's ticker, and says what it changed. */
    Step next(long count, long nanoTime, long accumulationThreshold, long spikeThreshold) {
        Accumulation accumulation;
        if (count > accumulationThreshold) {
            accumulation = inAccumulation ? Accumulation.CONTINUES : Accumulation.BEGAN;
            inAccumulation = true;
        } else {
            accumulation = inAccumulation ? Accumulation.ENDED : Accumulation.NONE;
            inAccumulation = false;
        }

        SpikeEvent spike = null;
        if (previousCount >= 0) {
            long increase = count - previousCount;
            if (increase >= spikeThreshold) {
                if (!inSpike) {
                    inSpike = true;
                    spike = new SpikeEvent(previousCount, count, increase, spikeThreshold,
                            Duration.ofNanos(nanoTime - previousNanos));
                }
            } else {
                inSpike = false;
            }
        }
        previousCount = count;
        previousNanos = nanoTime;
        return new Step(count, accumulationThreshold, accumulation, spike);
    }
}
