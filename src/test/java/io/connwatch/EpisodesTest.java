package io.connwatch;

import static io.connwatch.Episodes.Accumulation.BEGAN;
import static io.connwatch.Episodes.Accumulation.CONTINUES;
import static io.connwatch.Episodes.Accumulation.ENDED;
import static io.connwatch.Episodes.Accumulation.NONE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The accumulation and spike rules on their own: counts and times set by hand, no thread, no sockets. */
class EpisodesTest {
    private static final long ACCUMULATION = 50;
    private static final long SPIKE = 20;

    private final FakeTicker ticker = new FakeTicker();
    private final Episodes episodes = new Episodes();

    /** A check {@code after} the previous one, with the default thresholds. */
    private Episodes.Step check(long count, Duration after) {
        return check(count, after, ACCUMULATION, SPIKE);
    }

    private Episodes.Step check(long count, Duration after, long accumulationThreshold, long spikeThreshold) {
        ticker.advance(after);
        return episodes.next(count, ticker.nanoTime(), accumulationThreshold, spikeThreshold);
    }

    private Episodes.Step check(long count) {
        return check(count, Duration.ofSeconds(5));
    }

    @Test
    void oneAccumulationPerEpisodeEndingAtTheThresholdAndRearming() {
        List<Episodes.Accumulation> seen = new ArrayList<>();
        for (long count : new long[] {10, 50, 51, 90, 51, 50, 49, 51, 51}) {
            seen.add(check(count).accumulation());
        }
        assertEquals(List.of(NONE, NONE, BEGAN, CONTINUES, CONTINUES, ENDED, NONE, BEGAN, CONTINUES), seen,
                "50 is not above 50; an episode lasts while above and ends at the threshold; the next rise is new");
    }

    @Test
    void anEpisodeCanBeginAtTheFirstCheck() {
        Episodes.Step first = check(51);
        assertEquals(BEGAN, first.accumulation());
        assertEquals(51, first.count());
        assertEquals(ACCUMULATION, first.threshold());
    }

    @Test
    void theFirstCheckIsNeverASpikeWhateverItsCount() {
        assertNull(check(1_000).spike(), "nothing to compare with");
        assertNull(check(1_000).spike(), "no rise");
        assertNotNull(check(1_020).spike());
    }

    @Test
    void aSpikeIsARiseOfAtLeastTheThresholdSinceThePreviousCheck() {
        check(100);
        assertNull(check(119, Duration.ofSeconds(3)).spike(), "+19 is under 20");
        Episodes.Step step = check(139, Duration.ofMillis(2_500));
        SpikeEvent spike = step.spike();
        assertNotNull(spike, "+20 reaches 20");
        assertEquals(119, spike.previousCount());
        assertEquals(139, spike.activeConnections());
        assertEquals(20, spike.increase());
        assertEquals(SPIKE, spike.spikeThreshold());
        assertEquals(Duration.ofMillis(2_500), spike.interval(), "the time between the two checks");
    }

    @Test
    void aRiseThatGoesOnIsTheSameSpikeAndASmallerRiseOrAFallRearms() {
        check(0);
        assertNotNull(check(20).spike());
        assertNull(check(45).spike(), "still rising fast: the same spike");
        assertNull(check(50).spike(), "+5 re-arms");
        assertNotNull(check(70).spike(), "a new spike");
        assertNull(check(10).spike(), "a fall re-arms");
        assertNotNull(check(30).spike());
    }

    @Test
    void aFallIsNeverASpike() {
        check(500);
        assertNull(check(0).spike());
    }

    @Test
    void oneCheckCanBeginAnEpisodeAndASpike() {
        check(0);
        Episodes.Step burst = check(1_000);
        assertEquals(BEGAN, burst.accumulation());
        assertNotNull(burst.spike());
        Episodes.Step again = check(1_000);
        assertEquals(CONTINUES, again.accumulation());
        assertNull(again.spike());
    }

    @Test
    void anAccumulationThresholdChangedLiveAppliesAtTheNextCheck() {
        assertEquals(BEGAN, check(60).accumulation());
        Episodes.Step raised = check(60, Duration.ofSeconds(5), 100, SPIKE);
        assertEquals(ENDED, raised.accumulation(), "60 is at or under a threshold raised to 100");
        assertEquals(100, raised.threshold());
        assertEquals(NONE, check(60, Duration.ofSeconds(5), 100, SPIKE).accumulation());
        assertEquals(BEGAN, check(60, Duration.ofSeconds(5), 40, SPIKE).accumulation(),
                "lowered under the count: a new episode");
    }

    @Test
    void aSpikeThresholdChangedLiveAppliesAtTheNextCheck() {
        check(10);
        assertNull(check(15).spike());
        SpikeEvent spike = check(20, Duration.ofSeconds(5), ACCUMULATION, 5).spike();
        assertNotNull(spike, "+5 reaches a threshold lowered to 5");
        assertEquals(5, spike.spikeThreshold());
        assertNull(check(40, Duration.ofSeconds(5), ACCUMULATION, 25).spike(),
                "+20 under a threshold raised to 25 re-arms");
        assertNotNull(check(65, Duration.ofSeconds(5), ACCUMULATION, 25).spike());
    }
}
