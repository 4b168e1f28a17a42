package io.connwatch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.connwatch.analysis.CheckResult;
import io.connwatch.analysis.ConnectionCheck;
import io.connwatch.analysis.Pattern;
import io.connwatch.analysis.PatternRules;
import io.connwatch.cleanup.CleanupSweep;
import io.connwatch.cleanup.SweepResult;
import io.connwatch.tracking.ConnectionTracker;
import io.connwatch.tracking.Ticker;
import io.connwatch.tracking.TrackedConnection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The wall clock jumps (NTP step, a VM resumed, an operator's {@code date -s}) while the monotonic clock runs on:
 * no connection ages by the jump, so no timeout fires early and none is put off.
 */
class ClockJumpTest {

    /** Monotonic time from a fake, wall time from it plus an offset that can jump either way. */
    private static final class JumpingWallClock implements Ticker {
        final FakeTicker monotonic = new FakeTicker();
        long wallOffsetMillis;

        @Override
        public long nanoTime() {
            return monotonic.nanoTime();
        }

        @Override
        public long currentTimeMillis() {
            return monotonic.currentTimeMillis() + wallOffsetMillis;
        }
    }

    @ParameterizedTest(name = "wall clock jumps {0} h")
    @ValueSource(ints = {+48, -48})
    void aWallClockJumpFiresNoTimeoutAndDelaysNone(int hours) {
        JumpingWallClock clock = new JumpingWallClock();
        ConnectionTracker tracker = new ConnectionTracker("clock-jump", clock);
        PatternRules rules = PatternRules.defaults();
        List<TrackedConnection> waiting = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            TrackedConnection c = tracker.open(new FakeEndpoint(), "203.0.113.7", 50_000 + i, 8443);
            c.target("10.0.0.5", 8080).attachOutgoing(new FakeEndpoint());
            c.addBytesReceived(36);   // a request, no answer yet
            waiting.add(c);
        }
        clock.monotonic.advance(Duration.ofSeconds(10));
        tracker.tick();

        clock.wallOffsetMillis = Duration.ofHours(hours).toMillis();
        CheckResult r = ConnectionCheck.run(tracker, rules, e -> { });
        assertEquals(Instant.ofEpochMilli(clock.currentTimeMillis()), r.timestamp(), "instants follow the wall clock");
        for (Pattern p : Pattern.values()) {
            assertEquals(0, r.count(p), p + " after a jump of " + hours + " h: ages come from the monotonic clock");
        }
        SweepResult swept = new CleanupSweep(rules, 0.0).run(tracker, e -> { });
        assertEquals(0, swept.cleanedCount(), "no false timeout");
        assertEquals(10, tracker.activeConnections());

        // The real deadline still comes on time: stuck after 60 s of the monotonic clock, jump or not.
        clock.monotonic.advance(Duration.ofSeconds(51));
        tracker.tick();
        assertEquals(10, ConnectionCheck.run(tracker, rules, e -> { }).count(Pattern.STUCK));
        assertEquals(10, new CleanupSweep(rules, 0.0).run(tracker, e -> { }).cleanedCount());
        assertEquals(0, tracker.activeConnections());
    }
}
