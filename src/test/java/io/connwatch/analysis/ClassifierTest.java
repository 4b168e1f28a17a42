package io.connwatch.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connwatch.FakeEndpoint;
import io.connwatch.FakeTicker;
import io.connwatch.tracking.ConnectionRole;
import io.connwatch.tracking.ConnectionTracker;
import io.connwatch.tracking.Side;
import io.connwatch.tracking.TerminationReason;
import io.connwatch.tracking.TrackedConnection;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The pattern rules, one by one, on a fake clock with in-memory endpoints. */
class ClassifierTest {
    private static final Duration MS = Duration.ofMillis(1);
    private static final Duration STUCK_AFTER = Duration.ofSeconds(60);
    private static final Duration STUCK_AFTER_TLS = Duration.ofMinutes(5);
    private static final Duration HALF_ZOMBIE_GRACE = Duration.ofSeconds(30);
    private static final Duration HALF_ZOMBIE_GRACE_TLS = Duration.ofMinutes(5);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration IDLE_AFTER = Duration.ofMinutes(5);
    private static final Duration OLD_AFTER = Duration.ofHours(1);
    private static final Duration SLOW_AFTER = Duration.ofMinutes(5);

    private final FakeTicker ticker = new FakeTicker();
    private final ConnectionTracker tracker = new ConnectionTracker("classifier-test", ticker);
    private final PatternRules rules = PatternRules.defaults();
    private final Classifier classifier = new Classifier(rules);

    /** A connection and its two sockets. */
    private record Conn(TrackedConnection c, FakeEndpoint in, FakeEndpoint out) {
    }

    private Conn unrouted() {
        FakeEndpoint in = new FakeEndpoint();
        return new Conn(tracker.open(in, "203.0.113.7", 51544, 8443), in, null);
    }

    private Conn routed(String host, int port) {
        Conn u = unrouted();
        FakeEndpoint out = new FakeEndpoint();
        u.c().target(host, port).attachOutgoing(out);
        return new Conn(u.c(), u.in(), out);
    }

    private Conn routed() {
        return routed("10.0.0.5", 8080);
    }

    /** A client connection of a server that answers it itself, as the agent tracks one before any backend pairs. */
    private Conn served() {
        FakeEndpoint in = new FakeEndpoint();
        return new Conn(tracker.open(in, "203.0.113.7", 51544, 8080, ConnectionRole.SERVED), in, null);
    }

    /** A pooled connection to a backend, as the agent tracks one: its one socket is the backend's. */
    private Conn upstream() {
        FakeEndpoint socket = new FakeEndpoint();
        TrackedConnection c = tracker.open(socket, "10.0.0.5", 8080, 0, ConnectionRole.UPSTREAM);
        c.target("10.0.0.5", 8080);
        return new Conn(c, socket, null);
    }

    /** Moves the clock and the tracker's coarse activity clock, as a running monitor would. */
    private void later(Duration d) {
        ticker.advance(d);
        tracker.tick();
    }

    private Set<Pattern> patterns(Conn conn) {
        return patterns(conn.c());
    }

    private Set<Pattern> patterns(TrackedConnection c) {
        Set<Pattern> out = EnumSet.noneOf(Pattern.class);
        out.addAll(Pattern.of(classifier.classify(c, ticker.nanoTime(), 1.0)));
        return out;
    }

    @Test
    void aFreshRoutedConnectionShowsNoPattern() {
        Conn conn = routed();
        conn.c().addBytesReceived(10);
        conn.c().addBytesSent(10);
        assertEquals(Set.of(), patterns(conn));
    }

    @Nested
    class Zombie {
        @Test
        void bothEndpointsDestroyedIsAZombieAtOnce() {
            Conn conn = routed();
            conn.in().close();
            conn.out().close();
            assertEquals(Set.of(Pattern.ZOMBIE), patterns(conn));
        }

        @Test
        void incomingDestroyedAndNeverRoutedIsAZombieNotNoOutgoing() {
            Conn conn = unrouted();
            conn.in().close();
            assertEquals(Set.of(Pattern.ZOMBIE), patterns(conn));
            later(CONNECT_TIMEOUT.plusSeconds(5));
            assertEquals(Set.of(Pattern.ZOMBIE), patterns(conn));
        }

        @Test
        void onlyTheOutgoingDestroyedIsNotAZombie() {
            Conn conn = routed();
            conn.out().close();
            assertFalse(patterns(conn).contains(Pattern.ZOMBIE));
        }

        @Test
        void aConnectionTheHostClosedIsNotClassified() {
            Conn conn = routed();
            conn.in().close();
            conn.out().close();
            assertTrue(conn.c().close(Side.INCOMING, TerminationReason.NORMAL));
            assertEquals(Set.of(), patterns(conn));
        }
    }

    @Nested
    class HalfZombie {
        @Test
        void incomingDestroyedWithOutgoingOpenOnlyAfterTheGrace() {
            Conn conn = routed();
            conn.in().close();
            later(HALF_ZOMBIE_GRACE);
            assertFalse(patterns(conn).contains(Pattern.HALF_ZOMBIE), "not at the grace itself");
            later(MS);
            assertTrue(patterns(conn).contains(Pattern.HALF_ZOMBIE));
            assertFalse(patterns(conn).contains(Pattern.ZOMBIE));
        }

        @Test
        void aBackendTheHostDetachedLeavesTheServedClientJudgedAloneUntilTheNextOneAttaches() {
            Conn conn = served();
            FakeEndpoint first = new FakeEndpoint();
            conn.c().target("10.0.0.5", 8080).attachOutgoing(first);
            first.close();
            conn.c().detachOutgoing(first);
            later(HALF_ZOMBIE_GRACE.plus(MS));
            assertEquals(Set.of(), patterns(conn), "a keep-alive client between requests");

            FakeEndpoint second = new FakeEndpoint();
            conn.c().attachOutgoing(second);
            conn.c().endOfStream(Side.OUTGOING);
            conn.c().detachOutgoing(first); // the first one's close, late: the second stays
            assertSame(second, conn.c().outgoing());
            later(HALF_ZOMBIE_GRACE.plus(MS));
            assertEquals(Set.of(Pattern.HALF_ZOMBIE), patterns(conn), "the second backend half-closed, kept silent");

            conn.c().detachOutgoing(second);
            conn.c().attachOutgoing(new FakeEndpoint());
            later(HALF_ZOMBIE_GRACE.plus(MS));
            assertFalse(patterns(conn).contains(Pattern.HALF_ZOMBIE), "the next backend has not half-closed");
        }

        @Test
        void outgoingDestroyedWithIncomingOpenAfterTheGrace() {
            Conn conn = routed();
            conn.out().close();
            later(HALF_ZOMBIE_GRACE);
            assertFalse(patterns(conn).contains(Pattern.HALF_ZOMBIE));
            later(MS);
            assertTrue(patterns(conn).contains(Pattern.HALF_ZOMBIE));
        }

        @Test
        void thePeerHalfClosingTheClientSideCounts() {
            Conn conn = routed();
            conn.c().addBytesReceived(36);
            conn.c().endOfStream(Side.INCOMING);
            later(HALF_ZOMBIE_GRACE);
            assertFalse(patterns(conn).contains(Pattern.HALF_ZOMBIE), "not at the grace itself");
            later(MS);
            assertTrue(patterns(conn).contains(Pattern.HALF_ZOMBIE),
                    "client half-closed, backend open and silent: " + patterns(conn));
        }

        @Test
        void theGraceCountsFromTheLastActivity() {
            Conn conn = routed();
            conn.in().close();
            later(HALF_ZOMBIE_GRACE.minusSeconds(10));
            conn.c().touch();
            later(Duration.ofSeconds(10).plus(MS));
            assertFalse(patterns(conn).contains(Pattern.HALF_ZOMBIE), "activity 10 s ago restarts the grace");
            later(HALF_ZOMBIE_GRACE);
            assertTrue(patterns(conn).contains(Pattern.HALF_ZOMBIE));
        }

        @Test
        void tlsConnectionsGetFiveMinutes() {
            Conn conn = routed();
            conn.c().tls(true);
            conn.in().close();
            later(HALF_ZOMBIE_GRACE.plus(MS));
            assertFalse(patterns(conn).contains(Pattern.HALF_ZOMBIE), "the plain grace does not apply to TLS");
            later(HALF_ZOMBIE_GRACE_TLS.minus(HALF_ZOMBIE_GRACE).minus(MS));
            assertFalse(patterns(conn).contains(Pattern.HALF_ZOMBIE), "not at 5 min itself");
            later(MS);
            assertTrue(patterns(conn).contains(Pattern.HALF_ZOMBIE));
        }

        @Test
        void aHalfClosedClientStillReceivingItsResponseIsNot() {
            Conn conn = routed();
            conn.c().addBytesReceived(100);
            conn.c().endOfStream(Side.INCOMING);
            // The response streams for 100 s, well past the 30 s grace, a chunk every 10 s.
            for (int i = 0; i < 10; i++) {
                later(Duration.ofSeconds(10));
                conn.c().addBytesSent(1000);
                assertFalse(patterns(conn).contains(Pattern.HALF_ZOMBIE), "receiving a response at " + (i + 1) * 10 + " s");
            }
            // Once the backend goes silent, the grace runs.
            later(HALF_ZOMBIE_GRACE.plus(MS));
            assertTrue(patterns(conn).contains(Pattern.HALF_ZOMBIE));
        }
    }

    @Nested
    class Stuck {
        @Test
        void aRequestWithoutResponseIsStuckOnlyPastStuckAfter() {
            Conn conn = routed();
            conn.c().addBytesReceived(36);
            later(STUCK_AFTER);
            assertFalse(patterns(conn).contains(Pattern.STUCK), "not at 60 s itself");
            later(MS);
            assertTrue(patterns(conn).contains(Pattern.STUCK));
        }

        @Test
        void notOnceAByteWentBack() {
            Conn conn = routed();
            conn.c().addBytesReceived(36);
            conn.c().addBytesSent(1);
            later(STUCK_AFTER.multipliedBy(3));
            assertFalse(patterns(conn).contains(Pattern.STUCK));
        }

        @Test
        void notWithoutARequest() {
            Conn conn = routed();
            later(STUCK_AFTER.multipliedBy(3));
            assertFalse(patterns(conn).contains(Pattern.STUCK));
        }

        @Test
        void notWhenOneSideIsDestroyed() {
            Conn conn = routed();
            conn.c().addBytesReceived(36);
            conn.out().close();
            later(STUCK_AFTER.multipliedBy(3));
            assertFalse(patterns(conn).contains(Pattern.STUCK));
            assertTrue(patterns(conn).contains(Pattern.HALF_ZOMBIE));
        }

        @Test
        void tlsConnectionsGetFiveMinutes() {
            Conn conn = routed();
            conn.c().tls(true);
            conn.c().addBytesReceived(517);
            later(STUCK_AFTER.plus(MS));
            assertFalse(patterns(conn).contains(Pattern.STUCK), "the plain threshold does not apply to TLS");
            later(STUCK_AFTER_TLS.minus(STUCK_AFTER).minus(MS));
            assertFalse(patterns(conn).contains(Pattern.STUCK), "not at 5 min itself");
            later(MS);
            assertTrue(patterns(conn).contains(Pattern.STUCK));
        }
    }

    @Nested
    class NoOutgoing {
        @Test
        void noBackendPastTheConnectTimeout() {
            Conn conn = unrouted();
            later(CONNECT_TIMEOUT);
            assertFalse(patterns(conn).contains(Pattern.NO_OUTGOING), "not at 30 s itself");
            later(MS);
            assertEquals(Set.of(Pattern.NO_OUTGOING), patterns(conn));
        }

        @Test
        void aTargetWithoutABackendSocketStillCounts() {
            Conn conn = unrouted();
            conn.c().target("10.0.0.5", 8080);
            later(CONNECT_TIMEOUT.plus(MS));
            assertTrue(patterns(conn).contains(Pattern.NO_OUTGOING));
        }

        @Test
        void aBackendSocketStillConnectingIsNoOutgoingYet() {
            Conn conn = routed();
            conn.out().connecting = true;
            conn.c().addBytesReceived(36);
            later(CONNECT_TIMEOUT.plus(MS));
            assertEquals(Set.of(Pattern.NO_OUTGOING), patterns(conn), "a hung connect, not a stuck backend");
            conn.in().close();
            assertEquals(Set.of(Pattern.ZOMBIE), patterns(conn), "the client left during the connect");
        }

        @Test
        void notOnceTheBackendIsAttached() {
            Conn conn = routed();
            later(CONNECT_TIMEOUT.multipliedBy(2));
            assertFalse(patterns(conn).contains(Pattern.NO_OUTGOING));
        }
    }

    @Nested
    class Idle {
        @Test
        void noActivityForIdleAfter() {
            Conn conn = routed();
            later(IDLE_AFTER);
            assertFalse(patterns(conn).contains(Pattern.IDLE), "not at 5 min itself");
            later(MS);
            assertEquals(Set.of(Pattern.IDLE), patterns(conn));
        }

        @Test
        void activityResetsIt() {
            Conn conn = routed();
            later(IDLE_AFTER.plus(MS));
            assertTrue(patterns(conn).contains(Pattern.IDLE));
            conn.c().addBytesReceived(1);
            conn.c().addBytesSent(1);
            assertFalse(patterns(conn).contains(Pattern.IDLE));
            later(IDLE_AFTER);
            assertFalse(patterns(conn).contains(Pattern.IDLE));
        }
    }

    @Nested
    class Old {
        @Test
        void olderThanOldAfterEvenWhenBusy() {
            Conn conn = routed();
            for (int minute = 0; minute < 60; minute++) {
                later(Duration.ofMinutes(1));
                conn.c().addBytesReceived(10);
                conn.c().addBytesSent(10);
            }
            assertFalse(patterns(conn).contains(Pattern.OLD), "not at 1 h itself");
            later(MS);
            assertEquals(Set.of(Pattern.OLD), patterns(conn));
        }
    }

    @Nested
    class SlowBackend {
        /** A request, then a response that keeps streaming a chunk a minute. */
        private Conn streaming(int minutes) {
            Conn conn = routed();
            conn.c().addBytesReceived(100);
            conn.c().addBytesSent(1000);
            for (int i = 0; i < minutes; i++) {
                later(Duration.ofMinutes(1));
                conn.c().addBytesSent(1000);
            }
            return conn;
        }

        @Test
        void aResponseStillTransferringPastSlowAfter() {
            Conn conn = streaming(5);
            assertFalse(patterns(conn).contains(Pattern.SLOW_BACKEND), "not at 5 min itself");
            later(MS);
            assertEquals(Set.of(Pattern.SLOW_BACKEND), patterns(conn));
        }

        @Test
        void aNewRequestStartsANewResponseTurn() {
            Conn conn = streaming(4);
            conn.c().addBytesReceived(100);
            conn.c().addBytesSent(1000);
            later(Duration.ofMinutes(2));
            conn.c().addBytesSent(1000);
            assertFalse(patterns(conn).contains(Pattern.SLOW_BACKEND), "the second response is 2 min old");
        }

        @Test
        void notWithoutARequestAndNotBeforeTheResponseStarts() {
            Conn conn = routed();
            conn.c().addBytesReceived(100);
            for (int i = 0; i < 6; i++) {
                later(Duration.ofMinutes(1));
                conn.c().touch();
            }
            assertFalse(patterns(conn).contains(Pattern.SLOW_BACKEND));
        }

        @Test
        void aResponseThatEndedIsNotSlowWhileTheConnectionWaitsForItsNextRequest() {
            // Idle only after 30 min: between slowAfter and idleAfter, a finished response must not look slow.
            Classifier patient = new Classifier(PatternRules.builder().idleAfter(Duration.ofMinutes(30)).build());
            Conn conn = routed();
            conn.c().addBytesReceived(100);
            conn.c().addBytesSent(1000); // the whole answer at once
            later(SLOW_AFTER.plus(Duration.ofMinutes(1)));
            assertEquals(List.of(), Pattern.of(patient.classify(conn.c(), ticker.nanoTime(), 1.0)));

            Conn dripping = streaming(6);
            later(MS);
            assertEquals(List.of(Pattern.SLOW_BACKEND), Pattern.of(patient.classify(dripping.c(), ticker.nanoTime(),
                    1.0)), "still transferring");
        }

        @Test
        void aStalledResponseIsIdleRatherThanSlow() {
            Conn conn = streaming(1);
            later(IDLE_AFTER.plus(MS));
            Set<Pattern> p = patterns(conn);
            assertTrue(p.contains(Pattern.IDLE), p.toString());
            assertFalse(p.contains(Pattern.SLOW_BACKEND), p.toString());
        }
    }

    /** A server's client connection with no backend of its own: judged on its one socket. */
    @Nested
    class Served {
        @Test
        void aRequestWithNoAnswerIsStuckOnlyPastStuckAfter() {
            Conn conn = served();
            conn.c().addBytesReceived(36);
            later(STUCK_AFTER);
            assertEquals(Set.of(), patterns(conn), "not at 60 s itself, and no backend is no fault");
            later(MS);
            assertEquals(Set.of(Pattern.STUCK), patterns(conn));
        }

        @Test
        void aKeepAliveConnectionBetweenRequestsIsNotStuck() {
            Conn conn = served();
            for (int i = 0; i < 3; i++) {
                conn.c().addBytesReceived(36);
                later(Duration.ofMillis(20));
                conn.c().addBytesSent(200);
                later(Duration.ofSeconds(10));
            }
            // Waiting for the client's next request, for longer than stuckAfter: nothing is owed to anyone.
            later(STUCK_AFTER.multipliedBy(3));
            assertEquals(Set.of(), patterns(conn));
        }

        @Test
        void aNewRequestAfterAnAnswerIsStuckAgainWhenUnanswered() {
            Conn conn = served();
            conn.c().addBytesReceived(36);
            conn.c().addBytesSent(200);
            later(Duration.ofSeconds(10));
            conn.c().addBytesReceived(36);
            later(STUCK_AFTER.plus(MS));
            assertEquals(Set.of(Pattern.STUCK), patterns(conn), "the second request waits, whatever went back before");
        }

        @Test
        void aConnectionThatNeverSentARequestIsNotStuck() {
            Conn conn = served();
            later(STUCK_AFTER.multipliedBy(3));
            assertEquals(Set.of(), patterns(conn));
        }

        @Test
        void noBackendIsNeverNoOutgoing() {
            Conn conn = served();
            conn.c().addBytesReceived(36);
            conn.c().addBytesSent(200);
            later(CONNECT_TIMEOUT.plus(MS));
            assertEquals(Set.of(), patterns(conn));
            later(IDLE_AFTER);
            assertEquals(Set.of(Pattern.IDLE), patterns(conn), "an idle keep-alive connection, no missing backend");
        }

        @Test
        void anAttachedBackendStillConnectingPastTheConnectTimeoutIsNoOutgoing() {
            Conn conn = served();
            conn.c().addBytesReceived(36);
            FakeEndpoint out = new FakeEndpoint();
            out.connecting = true;
            conn.c().target("10.0.0.5", 8080).attachOutgoing(out);
            later(CONNECT_TIMEOUT);
            assertFalse(patterns(conn).contains(Pattern.NO_OUTGOING), "not at 30 s itself");
            later(MS);
            assertEquals(Set.of(Pattern.NO_OUTGOING), patterns(conn), "a hung connect, not a stuck request");
        }

        @Test
        void aBackendAttachedLateGetsTheWholeConnectTimeoutFromItsAttach() {
            // A proxy that connects on the first request, which came two minutes after the client connected.
            Conn conn = served();
            later(Duration.ofMinutes(2));
            conn.c().addBytesReceived(36);
            FakeEndpoint out = new FakeEndpoint();
            out.connecting = true;
            conn.c().target("10.0.0.5", 8080).attachOutgoing(out);
            later(Duration.ofSeconds(1));
            assertEquals(Set.of(), patterns(conn), "connecting for 1 s of its 30");
            later(CONNECT_TIMEOUT);
            assertEquals(Set.of(Pattern.NO_OUTGOING), patterns(conn));
        }

        @Test
        void withAConnectedBackendItIsJudgedAsARelayedConnection() {
            Conn conn = served();
            FakeEndpoint out = new FakeEndpoint();
            conn.c().target("10.0.0.5", 8080).attachOutgoing(out);
            conn.c().addBytesReceived(36);
            later(STUCK_AFTER.plus(MS));
            assertEquals(Set.of(Pattern.STUCK), patterns(conn));
            out.close();
            later(HALF_ZOMBIE_GRACE.plus(MS));
            assertEquals(Set.of(Pattern.HALF_ZOMBIE), patterns(conn), "the backend left, the client stays open");
        }

        @Test
        void aClientHalfCloseTheServerKeepsOpenPastTheGraceIsAHalfZombie() {
            Conn conn = served();
            conn.c().addBytesReceived(36);
            conn.c().addBytesSent(200);
            conn.c().endOfStream(Side.INCOMING);
            later(HALF_ZOMBIE_GRACE);
            assertEquals(Set.of(), patterns(conn), "not at the grace itself");
            later(MS);
            assertEquals(Set.of(Pattern.HALF_ZOMBIE), patterns(conn), "CLOSE_WAIT on the server's socket");
        }

        @Test
        void aClientGoneIsAZombieNotHalfOne() {
            Conn conn = served();
            conn.c().addBytesReceived(36);
            conn.in().close();
            later(HALF_ZOMBIE_GRACE.plus(MS));
            assertEquals(Set.of(Pattern.ZOMBIE), patterns(conn));
        }

        @Test
        void tlsRequestsGetFiveMinutes() {
            Conn conn = served();
            conn.c().tls(true);
            conn.c().addBytesReceived(517);
            later(STUCK_AFTER.plus(MS));
            assertFalse(patterns(conn).contains(Pattern.STUCK), "the plain threshold does not apply to TLS");
            later(STUCK_AFTER_TLS.minus(STUCK_AFTER));
            assertTrue(patterns(conn).contains(Pattern.STUCK));
        }
    }

    /** A pooled connection to a backend: bytes sent are requests, bytes received are answers. */
    @Nested
    class Upstream {
        @Test
        void aRequestWrittenAndNeverAnsweredIsStuckOnlyPastStuckAfter() {
            Conn conn = upstream();
            conn.c().addBytesSent(36);
            later(STUCK_AFTER);
            assertEquals(Set.of(), patterns(conn), "not at 60 s itself");
            later(MS);
            assertEquals(Set.of(Pattern.STUCK), patterns(conn));
        }

        @Test
        void anIdlePooledConnectionAfterAFullExchangeIsNotStuck() {
            Conn conn = upstream();
            conn.c().addBytesSent(36);
            later(Duration.ofMillis(20));
            conn.c().addBytesReceived(200);
            later(STUCK_AFTER.multipliedBy(3));
            assertEquals(Set.of(), patterns(conn), "waiting in the pool for the next request");
        }

        @Test
        void aFreshConnectionThatWroteNothingIsNotStuck() {
            Conn conn = upstream();
            later(STUCK_AFTER.multipliedBy(3));
            assertEquals(Set.of(), patterns(conn));
        }

        @Test
        void aConnectStillPendingPastTheConnectTimeoutIsNoOutgoing() {
            Conn conn = upstream();
            conn.in().connecting = true;
            later(CONNECT_TIMEOUT);
            assertEquals(Set.of(), patterns(conn), "not at 30 s itself");
            later(MS);
            assertEquals(Set.of(Pattern.NO_OUTGOING), patterns(conn));
            assertEquals("10.0.0.5:8080", conn.c().target().toString(), "the hung connect names its backend");
        }

        @Test
        void aConnectedPoolConnectionIsNeverNoOutgoing() {
            Conn conn = upstream();
            conn.c().addBytesSent(36);
            conn.c().addBytesReceived(200);
            later(CONNECT_TIMEOUT.multipliedBy(3));
            assertFalse(patterns(conn).contains(Pattern.NO_OUTGOING), "it is the backend connection itself");
        }

        @Test
        void aBackendHalfCloseThePoolKeepsOpenPastTheGraceIsAHalfZombie() {
            Conn conn = upstream();
            conn.c().addBytesSent(36);
            conn.c().addBytesReceived(200);
            conn.c().endOfStream(Side.INCOMING);
            later(HALF_ZOMBIE_GRACE);
            assertEquals(Set.of(), patterns(conn), "not at the grace itself");
            later(MS);
            assertEquals(Set.of(Pattern.HALF_ZOMBIE), patterns(conn));
        }

        @Test
        void aRequestToABackendThatHalfClosedIsAHalfZombieNotStuck() {
            Conn conn = upstream();
            conn.c().addBytesSent(36);
            conn.c().endOfStream(Side.INCOMING);
            later(STUCK_AFTER.plus(MS));
            assertEquals(Set.of(Pattern.HALF_ZOMBIE), patterns(conn), "no answer can come any more");
        }

        @Test
        void aLongUploadIsNeitherStuckNorASlowBackend() {
            Conn conn = upstream();
            // A request body written a chunk every 30 s for 7 minutes: the backend is reading, not answering yet.
            for (int i = 0; i < 14; i++) {
                conn.c().addBytesSent(1000);
                later(Duration.ofSeconds(30));
            }
            assertEquals(Set.of(), patterns(conn));
        }

        @Test
        void aSocketGoneIsAZombie() {
            Conn conn = upstream();
            conn.c().addBytesSent(36);
            conn.in().close();
            assertEquals(Set.of(Pattern.ZOMBIE), patterns(conn));
        }
    }

    @Nested
    class Relayed {
        @Test
        void isTheDefaultRole() {
            assertEquals(ConnectionRole.RELAYED, routed().c().role());
            assertEquals(ConnectionRole.RELAYED, unrouted().c().role());
        }

        @Test
        void aRelayedConnectionWithoutABackendStillNeedsOne() {
            Conn conn = unrouted();
            conn.c().addBytesReceived(36);
            later(STUCK_AFTER.plus(MS));
            assertEquals(Set.of(Pattern.NO_OUTGOING), patterns(conn), "judged as before: not alone, not STUCK");
        }
    }

    @Nested
    class ListenerLeak {
        @Test
        void aboveTheThresholdOnTheIncomingEndpoint() {
            Conn conn = routed();
            conn.in().listeners(Map.of("data", 10, "close", 1));
            assertFalse(patterns(conn).contains(Pattern.LISTENER_LEAK), "10 is the threshold, not above it");
            conn.in().listeners(Map.of("data", 11, "close", 1));
            assertEquals(Set.of(Pattern.LISTENER_LEAK), patterns(conn));
        }

        @Test
        void aboveTheThresholdOnTheOutgoingEndpoint() {
            Conn conn = routed();
            conn.out().listeners(Map.of("data", 11));
            assertEquals(Set.of(Pattern.LISTENER_LEAK), patterns(conn));
        }

        @Test
        void reportedAlongsideOtherPatterns() {
            Conn conn = routed();
            conn.c().addBytesReceived(36);
            conn.in().listeners(Map.of("data", 50));
            later(STUCK_AFTER.plus(MS));
            assertEquals(Set.of(Pattern.STUCK, Pattern.LISTENER_LEAK), patterns(conn));
        }
    }

    @Nested
    class Check {
        @Test
        void talliesAndByTargetCoverEveryConnectionLargestFirst() {
            List<Conn> toA = List.of(routed("10.0.0.5", 8080), routed("10.0.0.5", 8080), routed("10.0.0.5", 8080));
            Conn healthyToA = routed("10.0.0.5", 8080);
            Conn toB = routed("10.0.0.6", 9090);
            List<Conn> none = List.of(unrouted(), unrouted());
            for (Conn conn : toA) {
                conn.c().addBytesReceived(36);
            }
            toB.c().addBytesReceived(36);
            healthyToA.c().addBytesReceived(36);
            healthyToA.c().addBytesSent(200);
            later(STUCK_AFTER.plus(MS));

            CheckResult r = ConnectionCheck.run(tracker, rules, e -> {
                throw new AssertionError("no probe fails here", e);
            });

            assertEquals(7, r.activeConnections());
            assertEquals(7, r.examined());
            assertEquals(0, r.probeFailures());
            assertEquals(4, r.count(Pattern.STUCK));
            assertEquals(2, r.count(Pattern.NO_OUTGOING));
            for (Pattern p : EnumSet.complementOf(EnumSet.of(Pattern.STUCK, Pattern.NO_OUTGOING))) {
                assertEquals(0, r.count(p), p.name());
            }
            assertEquals(Instant.ofEpochMilli(ticker.currentTimeMillis()), r.timestamp());

            List<TargetTally> t = r.byTarget();
            assertEquals(List.of("10.0.0.5:8080", TargetTally.UNROUTED, "10.0.0.6:9090"),
                    t.stream().map(TargetTally::target).toList(), "largest first");
            assertEquals(4, t.get(0).connections());
            assertEquals(3, t.get(0).count(Pattern.STUCK));
            assertEquals(2, t.get(1).connections());
            assertEquals(2, t.get(1).count(Pattern.NO_OUTGOING));
            assertEquals(0, t.get(1).count(Pattern.STUCK));
            assertEquals(1, t.get(2).connections());
            assertEquals(1, t.get(2).count(Pattern.STUCK));
            assertEquals(r.activeConnections(), t.stream().mapToLong(TargetTally::connections).sum());

            // The check leaves each connection's patterns on it, for the dump that may follow.
            assertEquals(Pattern.STUCK.bit(), toA.get(0).c().patternBits());
            assertEquals(0, healthyToA.c().patternBits());
            assertEquals(Pattern.NO_OUTGOING.bit(), none.get(0).c().patternBits());
        }

        @Test
        void recommendationsNameTheTopTargetAndTheThresholdInWords() {
            for (int i = 0; i < 3; i++) {
                routed("10.0.0.5", 8080).c().addBytesReceived(36);
            }
            routed("10.0.0.6", 9090).c().addBytesReceived(36);
            unrouted();
            later(STUCK_AFTER.plus(MS));

            CheckResult r = ConnectionCheck.run(tracker, rules, e -> { });

            assertEquals(2, r.recommendations().size(), r.recommendations().toString());
            String stuck = only(r.recommendations(), "sent nothing back");
            assertTrue(stuck.startsWith("4 connections"), stuck);
            assertTrue(stuck.contains("10.0.0.5:8080"), stuck);
            assertFalse(stuck.contains("10.0.0.6"), "only the top target is named: " + stuck);
            assertTrue(stuck.contains("60 s"), stuck);

            String noOutgoing = only(r.recommendations(), "no backend connection");
            assertTrue(noOutgoing.startsWith("1 connection"), noOutgoing);
            assertTrue(noOutgoing.contains("30 s"), noOutgoing);
            assertFalse(noOutgoing.contains(TargetTally.UNROUTED), "the unrouted bucket is not a target: " + noOutgoing);
        }

        @Test
        void recommendationsFollowConfiguredThresholds() {
            PatternRules custom = PatternRules.builder().stuckAfter(Duration.ofMinutes(2)).build();
            routed("10.0.0.5", 8080).c().addBytesReceived(36);
            later(Duration.ofMinutes(2).plus(MS));

            CheckResult r = ConnectionCheck.run(tracker, custom, e -> { });

            assertEquals(1, r.count(Pattern.STUCK));
            String stuck = only(r.recommendations(), "sent nothing back");
            assertTrue(stuck.contains("2 min"), stuck);
            assertTrue(stuck.contains("10.0.0.5:8080"), stuck);
        }

        @Test
        void nothingWrongMeansNoRecommendation() {
            Conn conn = routed();
            conn.c().addBytesReceived(1);
            conn.c().addBytesSent(1);
            CheckResult r = ConnectionCheck.run(tracker, rules, e -> { });
            assertFalse(r.anyPattern());
            assertEquals(List.of(), r.recommendations());
        }

        private String only(List<String> sentences, String containing) {
            List<String> found = sentences.stream().filter(s -> s.contains(containing)).toList();
            assertEquals(1, found.size(), "one sentence with '" + containing + "' in " + sentences);
            return found.get(0);
        }
    }
}
