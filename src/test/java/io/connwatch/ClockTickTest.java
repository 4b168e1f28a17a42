package io.connwatch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.connwatch.analysis.PatternRules;
import io.connwatch.tracking.ConnectionTracker;
import io.connwatch.tracking.TrackedConnection;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The monitor's clock tick on a hand-set clock: its period, and how late its timer ran, as the next check reports. */
class ClockTickTest {
    private static final PatternRules STUCK_AFTER_1S = PatternRules.builder().stuckAfter(Duration.ofSeconds(1)).build();

    private final FakeTicker ticker = new FakeTicker();
    private final ConnectionTracker tracker = new ConnectionTracker("edge", ticker);
    private final AtomicReference<PatternRules> rules = new AtomicReference<>(STUCK_AFTER_1S);
    private final ClockTick clock = new ClockTick(tracker, rules::get);

    @Test
    void thePeriodIsAFiftiethOfTheShortestDeadlineWithinBounds() {
        assertEquals(Duration.ofMillis(600), ClockTick.periodFor(PatternRules.defaults()),
                "the defaults: 30 s before HALF_ZOMBIE");
        assertEquals(Duration.ofMillis(200), ClockTick.periodFor(PatternRules.builder()
                .slowAfter(Duration.ofSeconds(10)).build()), "whichever deadline is shortest");
        assertEquals(Duration.ofMillis(50), ClockTick.periodFor(STUCK_AFTER_1S), "never finer than 50 ms");
        PatternRules slow = PatternRules.builder().stuckAfter(Duration.ofMinutes(10))
                .halfZombieGrace(Duration.ofMinutes(10)).build();
        assertEquals(Duration.ofSeconds(1), ClockTick.periodFor(slow), "never coarser than 1 s");
    }

    @Test
    void theStampsMoveWithEachTick() {
        clock.expectFirstTick();
        TrackedConnection c = tracker.open(new FakeEndpoint(), "203.0.113.1", 40001, 8080);
        ticker.advance(Duration.ofMillis(50));
        clock.run();
        c.addBytesSent(1);
        assertEquals(ticker.nanoTime(), c.lastActivityNanos(), "stamped with the tick's time, not the open's");
    }

    @Test
    void reportsTheWorstLagSinceTheLastCheckThenStartsAfresh() {
        clock.expectFirstTick();
        ticker.advance(Duration.ofMillis(50));
        clock.run();
        assertEquals(0, clock.takeWorstLagMillis(), "on time");

        ticker.advance(Duration.ofMillis(350));
        clock.run();
        ticker.advance(Duration.ofMillis(170));
        clock.run();
        ticker.advance(Duration.ofMillis(50));
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
        ticker.advance(Duration.ofMillis(50));
        clock.run();
        assertEquals(0, clock.takeWorstLagMillis(), "the pause is not counted again");
    }

    @Test
    void aLongerPeriodFromNewRulesIsNoLag() {
        clock.expectFirstTick();
        ticker.advance(Duration.ofMillis(50));
        clock.run();
        rules.set(PatternRules.defaults()); // 600 ms from now on: the tick planned at 50 ms is replanned
        ticker.advance(Duration.ofMillis(600));
        clock.run();
        assertEquals(0, clock.takeWorstLagMillis());
        ticker.advance(Duration.ofMillis(700));
        clock.run();
        assertEquals(100, clock.takeWorstLagMillis(), "late against the new period");
    }
}
