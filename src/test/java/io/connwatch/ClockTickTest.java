package io.connwatch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.connwatch.tracking.ConnectionTracker;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The monitor's clock tick on a hand-set clock: how late its timer ran, as the next check reports it. */
class ClockTickTest {
    private final FakeTicker ticker = new FakeTicker();
    private final ClockTick clock = new ClockTick(new ConnectionTracker("edge", ticker));

    @Test
    void reportsTheWorstLagSinceTheLastCheckThenStartsAfresh() {
        clock.expectFirstTick();
        ticker.advance(ClockTick.PERIOD);
        clock.run();
        assertEquals(0, clock.takeWorstLagMillis(), "on time");

        ticker.advance(ClockTick.PERIOD.plusMillis(300));
        clock.run();
        ticker.advance(ClockTick.PERIOD.plusMillis(120));
        clock.run();
        ticker.advance(ClockTick.PERIOD);
        clock.run();
        assertEquals(300, clock.takeWorstLagMillis(), "the worst of the ticks since the last check");
        assertEquals(0, clock.takeWorstLagMillis(), "taken: the next check measures anew");
    }

    @Test
    void eachTickIsDueOnePeriodAfterThePreviousOneNotAfterTheStart() {
        clock.expectFirstTick();
        ticker.advance(Duration.ofSeconds(2));
        clock.run();
        assertEquals(1_950, clock.takeWorstLagMillis(), "a host paused for 2 s");
        ticker.advance(ClockTick.PERIOD);
        clock.run();
        assertEquals(0, clock.takeWorstLagMillis(), "the pause is not counted again");
    }
}
