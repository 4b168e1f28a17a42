package io.connwatch.cleanup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connwatch.FakeEndpoint;
import io.connwatch.FakeTicker;
import io.connwatch.analysis.ConnectionCheck;
import io.connwatch.analysis.PatternRules;
import io.connwatch.tracking.ConnectionTracker;
import io.connwatch.tracking.Side;
import io.connwatch.tracking.TerminationReason;
import io.connwatch.tracking.TrackedConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** The cleanup rules (docs/FORMATS.md, README "Patterns and what cleanup does"): who is closed, when, why, and how it is counted. */
class CleanupSweepTest {
    private static final Duration MS = Duration.ofMillis(1);
    private static final Duration STUCK_AFTER = Duration.ofSeconds(60);
    private static final Duration HALF_ZOMBIE_GRACE = Duration.ofSeconds(30);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration INACTIVITY_TIMEOUT = Duration.ofHours(4);
    private static final Duration MAX_LIFETIME = Duration.ofHours(24);

    private final FakeTicker ticker = new FakeTicker();
    private final ConnectionTracker tracker = new ConnectionTracker("sweep-test", ticker);

    private record Conn(TrackedConnection c, FakeEndpoint in, FakeEndpoint out) {
    }

    private Conn unrouted() {
        FakeEndpoint in = new FakeEndpoint();
        return new Conn(tracker.open(in, "203.0.113.7", 51544, 8443), in, null);
    }

    private Conn routed() {
        Conn u = unrouted();
        FakeEndpoint out = new FakeEndpoint();
        u.c().target("10.0.0.5", 8080).attachOutgoing(out);
        return new Conn(u.c(), u.in(), out);
    }

    private void later(Duration d) {
        ticker.advance(d);
        tracker.tick();
    }

    private static PatternRules rules(UnaryOperator<PatternRules.Builder> change) {
        return change.apply(PatternRules.builder()).build();
    }

    /** A sweep with the default rules and no jitter, so that deadlines are exact. */
    private SweepResult sweep() {
        return sweep(PatternRules.defaults());
    }

    private SweepResult sweep(PatternRules rules) {
        return new CleanupSweep(rules, 0.0).run(tracker, e -> {
            throw new AssertionError("no probe fails here", e);
        });
    }

    private void assertCleaned(SweepResult r, TerminationReason reason, Conn conn) {
        assertEquals(Map.of(reason, 1), r.cleaned());
        assertEquals(1, r.cleanedCount());
        assertFalse(r.reportOnly());
        assertEquals(reason, conn.c().terminationReason());
        assertEquals(Side.INCOMING, conn.c().closedBy());
        assertEquals(1, tracker.terminationStats().count(Side.INCOMING, reason));
        assertEquals(0, tracker.terminationStats().count(Side.OUTGOING, reason));
        assertEquals(Map.of(reason.wireName(), 1L), tracker.terminationStats().snapshot().get("incoming"));
        assertEquals(0, tracker.activeConnections());
        assertFalse(tracker.iterator().hasNext(), "no longer tracked");
        assertTrue(conn.in().destroyed, "the client socket is closed");
    }

    private void assertNothingCleaned(SweepResult r, Conn conn) {
        assertEquals(0, r.cleanedCount(), r.cleaned().toString());
        assertFalse(conn.c().connectionClosed());
        assertEquals(1, tracker.activeConnections());
        assertFalse(conn.in().destroyed);
        if (conn.out() != null) {
            assertFalse(conn.out().destroyed);
        }
    }

    @Test
    void zombieRecordsAreRemovedAtTheNextSweep() {
        Conn conn = routed();
        // The host closed both sockets and never told the tracker.
        conn.in().close();
        conn.out().close();

        SweepResult first = sweep();
        assertEquals(0, first.cleanedCount(), "first sight only marks it: the host may be telling the tracker now");
        assertEquals(1, tracker.activeConnections());
        assertCleaned(sweep(), TerminationReason.ZOMBIE_CLEANUP, conn);
    }

    @Test
    void aZombieAlreadySeenByACheckGoesAtTheFirstSweep() {
        Conn conn = routed();
        conn.in().close();
        conn.out().close();
        ConnectionCheck.run(tracker, PatternRules.defaults(), e -> {
            throw new AssertionError(e);
        });

        assertCleaned(sweep(), TerminationReason.ZOMBIE_CLEANUP, conn);
    }

    @Test
    void aHostThatTellsTheTrackerJustAfterClosingItsSocketsKeepsItsReason() {
        Conn conn = routed();
        conn.in().close();
        conn.out().close();
        sweep();
        conn.c().close(Side.OUTGOING, TerminationReason.NORMAL);

        assertEquals(0, sweep().cleanedCount());
        assertEquals(TerminationReason.NORMAL, conn.c().terminationReason());
    }

    @Test
    void halfZombiesAreClosedOnBothSidesAfterTheGrace() {
        Conn conn = routed();
        conn.in().close();
        later(HALF_ZOMBIE_GRACE);
        assertNothingCleanedButIncomingGone(sweep(), conn);
        later(MS);

        assertCleaned(sweep(), TerminationReason.HALF_ZOMBIE_CLEANUP, conn);
        assertTrue(conn.out().destroyed, "the backend socket left open is closed too");
    }

    private void assertNothingCleanedButIncomingGone(SweepResult r, Conn conn) {
        assertEquals(0, r.cleanedCount(), r.cleaned().toString());
        assertFalse(conn.c().connectionClosed());
        assertFalse(conn.out().destroyed);
    }

    @Test
    void aPeerHalfCloseIsCleanedAfterTheGrace() {
        Conn conn = routed();
        conn.c().addBytesReceived(36);
        conn.c().endOfStream(Side.INCOMING);
        later(HALF_ZOMBIE_GRACE);
        assertNothingCleaned(sweep(), conn);
        later(MS);

        assertCleaned(sweep(), TerminationReason.HALF_ZOMBIE_CLEANUP, conn);
        assertTrue(conn.out().destroyed);
    }

    @Test
    void stuckConnectionsAreClosedOnBothSidesPastStuckAfter() {
        Conn conn = routed();
        conn.c().addBytesReceived(36);
        later(STUCK_AFTER);
        assertNothingCleaned(sweep(), conn);
        later(MS);

        assertCleaned(sweep(), TerminationReason.STUCK_NO_RESPONSE, conn);
        assertTrue(conn.out().destroyed);
    }

    @Test
    void connectTimeoutClosesTheClient() {
        Conn conn = unrouted();
        later(CONNECT_TIMEOUT);
        assertNothingCleaned(sweep(), conn);
        later(MS);

        assertCleaned(sweep(), TerminationReason.CONNECT_TIMEOUT, conn);
        assertEquals(1, conn.in().closeCalls());
    }

    @Test
    void idleConnectionsAreClosedOnlyPastTheInactivityTimeout() {
        Conn conn = routed();
        // IDLE is reported after 5 min, but closed only at 4 h.
        later(Duration.ofMinutes(5).plus(MS));
        assertNothingCleaned(sweep(), conn);
        later(INACTIVITY_TIMEOUT.minus(Duration.ofMinutes(5)).minus(MS));
        assertNothingCleaned(sweep(), conn);
        later(MS);

        assertCleaned(sweep(), TerminationReason.INACTIVITY, conn);
        assertTrue(conn.out().destroyed);
    }

    @Test
    void keepAliveConnectionsGetTheInactivityTimeoutTimesTheMultiplier() {
        // A maximum lifetime out of the way, so only inactivity can close it.
        PatternRules rules = rules(b -> b.maxLifetime(Duration.ofHours(48)));
        Conn conn = routed();
        conn.c().keepAlive(true);
        later(INACTIVITY_TIMEOUT.plus(MS));
        assertNothingCleaned(sweep(rules), conn);
        later(INACTIVITY_TIMEOUT.multipliedBy(6).minus(INACTIVITY_TIMEOUT).minus(MS));
        assertNothingCleaned(sweep(rules), conn);
        later(MS);

        assertCleaned(sweep(rules), TerminationReason.INACTIVITY, conn);
    }

    @Test
    void theKeepAliveMultiplierIsASetting() {
        PatternRules rules = rules(b -> b.keepAliveMultiplier(2));
        Conn conn = routed();
        conn.c().keepAlive(true);
        later(INACTIVITY_TIMEOUT.multipliedBy(2));
        assertNothingCleaned(sweep(rules), conn);
        later(MS);

        assertCleaned(sweep(rules), TerminationReason.INACTIVITY, conn);
    }

    @Test
    void busyConnectionsAreClosedPastTheMaximumLifetime() {
        Conn conn = routed();
        for (int hour = 0; hour < 24; hour++) {
            later(Duration.ofHours(1));
            conn.c().addBytesReceived(100);
            conn.c().addBytesSent(100);
            // OLD from 1 h on, but only reported.
            assertNothingCleaned(sweep(), conn);
        }
        later(MS);

        assertCleaned(sweep(), TerminationReason.MAX_LIFETIME, conn);
        assertTrue(conn.out().destroyed);
    }

    @Test
    void healthyConnectionsAreLeftAlone() {
        Conn conn = routed();
        conn.c().addBytesReceived(100);
        conn.c().addBytesSent(100);
        later(Duration.ofMinutes(2));
        assertNothingCleaned(sweep(), conn);
        assertEquals(0, tracker.terminationStats().total());
    }

    @Test
    void aReasonTheHostAlreadyGaveIsKept() {
        Conn conn = routed();
        conn.c().addBytesReceived(36);
        later(STUCK_AFTER.plus(MS));
        assertTrue(conn.c().close(Side.OUTGOING, TerminationReason.ECONNRESET));
        SweepResult r = sweep();
        assertEquals(0, r.cleanedCount());
        assertEquals(TerminationReason.ECONNRESET, conn.c().terminationReason());
        assertEquals(1, tracker.terminationStats().total());
    }

    @Test
    void reportOnlyClosesNothingAndSaysWhatItWouldClean() {
        PatternRules reportOnly = rules(b -> b.cleanupEnabled(false));
        Conn zombie = routed();
        zombie.in().close();
        zombie.out().close();
        Conn stuck = routed();
        stuck.c().addBytesReceived(36);
        Conn noBackend = unrouted();
        later(STUCK_AFTER.plus(MS));

        sweep(reportOnly); // a zombie is reported from its second sighting on
        SweepResult r = sweep(reportOnly);

        assertTrue(r.reportOnly());
        assertEquals(Map.of(), r.cleaned());
        assertEquals(0, r.cleanedCount());
        assertEquals(Map.of(TerminationReason.ZOMBIE_CLEANUP, 1, TerminationReason.STUCK_NO_RESPONSE, 1,
                TerminationReason.CONNECT_TIMEOUT, 1), r.wouldClean());
        assertEquals(3, r.wouldCleanCount());
        assertEquals(3, tracker.activeConnections());
        assertEquals(0, tracker.terminationStats().total());
        for (Conn conn : List.of(zombie, stuck, noBackend)) {
            assertNull(conn.c().terminationReason());
        }
        assertFalse(stuck.in().destroyed);
        assertFalse(stuck.out().destroyed);
        assertFalse(noBackend.in().destroyed);
    }

    // ---- jitter ----

    @Test
    void jitterFactorsStayInTheBandAndSpreadOverIt() {
        double min = Double.MAX_VALUE;
        double max = -Double.MAX_VALUE;
        int[] deciles = new int[10];
        int n = 100_000;
        for (long serial = 1; serial <= n; serial++) {
            double f = CleanupSweep.factor(serial, 0.05);
            assertTrue(f >= 0.95 && f <= 1.05, "serial " + serial + ": " + f);
            min = Math.min(min, f);
            max = Math.max(max, f);
            deciles[Math.min(9, (int) ((f - 0.95) / 0.01))]++;
        }
        assertTrue(min < 0.951, "lowest factor " + min);
        assertTrue(max > 1.049, "highest factor " + max);
        for (int i = 0; i < 10; i++) {
            assertTrue(deciles[i] > n / 10 * 0.9 && deciles[i] < n / 10 * 1.1,
                    "decile " + i + " holds " + deciles[i] + " of " + n);
        }
    }

    @Test
    void jitterFactorIsStablePerSerialAndOffWhenZero() {
        for (long serial = 1; serial <= 1000; serial++) {
            assertEquals(CleanupSweep.factor(serial, 0.05), CleanupSweep.factor(serial, 0.05));
            assertEquals(1.0, CleanupSweep.factor(serial, 0.0));
        }
        assertFalse(CleanupSweep.factor(1, 0.05) == CleanupSweep.factor(2, 0.05), "neighbours differ");
    }

    @Test
    void aCrowdStuckAtTheSameAgeIsNotCleanedInOneSweep() {
        int n = 1000;
        List<Conn> crowd = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Conn conn = routed();
            conn.c().addBytesReceived(36);
            crowd.add(conn);
        }
        CleanupSweep sweep = new CleanupSweep(PatternRules.defaults(), 0.05);

        // Below the band (60 s × 0.95 = 57 s): none.
        later(Duration.ofSeconds(57).minus(MS));
        assertEquals(0, sweep.run(tracker, e -> { }).cleanedCount());

        // At the nominal deadline: those whose own deadline came early, about half.
        later(STUCK_AFTER.minus(Duration.ofSeconds(57)).plus(MS));
        int first = sweep.run(tracker, e -> { }).cleanedCount();
        assertTrue(first > n * 0.35 && first < n * 0.65, "cleaned " + first + " of " + n + " at 60 s");
        for (Conn conn : crowd) {
            boolean early = CleanupSweep.factor(conn.c().serial(), 0.05) < 1.0;
            assertEquals(early, conn.c().connectionClosed(), conn.c() + " with its own deadline");
        }

        // Past the band (63 s): all of them.
        later(Duration.ofSeconds(3).plus(MS));
        int second = sweep.run(tracker, e -> { }).cleanedCount();
        assertEquals(n, first + second);
        assertEquals(0, tracker.activeConnections());
        assertEquals(n, tracker.terminationStats().count(Side.INCOMING, TerminationReason.STUCK_NO_RESPONSE));
    }
}
