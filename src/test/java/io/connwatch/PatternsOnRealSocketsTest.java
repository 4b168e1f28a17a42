package io.connwatch;

import static io.connwatch.testing.MonitorFixture.THRESHOLD;
import static io.connwatch.testing.Sockets.REQUEST;
import static io.connwatch.testing.Sockets.assertEndOfStream;
import static io.connwatch.testing.Sockets.send;
import static io.connwatch.testing.TestTimes.ms;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connwatch.analysis.CheckResult;
import io.connwatch.analysis.Pattern;
import io.connwatch.demo.TestBackend;
import io.connwatch.demo.TestRelay;
import io.connwatch.testing.MonitorFixture;
import io.connwatch.testing.Sockets;
import io.connwatch.tracking.ConnectionTracker;
import io.connwatch.tracking.Endpoints;
import io.connwatch.tracking.Side;
import io.connwatch.tracking.TerminationReason;
import io.connwatch.tracking.TrackedConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each pattern produced by real loopback sockets through a blocking relay, found by a check and
 * then cleaned by its rule (or, for report-only patterns, left alone). Cleanup starts off so the pattern is seen
 * first; switching it on mid-test also proves settings apply live.
 */
class PatternsOnRealSocketsTest {
    @TempDir
    Path dumps;

    @RegisterExtension
    final MonitorFixture fixture = new MonitorFixture("edge", b -> b
            .idleAfter(THRESHOLD)
            .oldAfter(THRESHOLD)
            .slowAfter(THRESHOLD)
            .listenerLeakThreshold(3)
            .outputDirectory(dumps));
    private final ConnectionTracker tracker = fixture.tracker();
    private ConnectionMonitor monitor;

    private ConnectionMonitor monitor(UnaryOperator<MonitorSettings.Builder> tune) {
        monitor = fixture.start(tune);
        return monitor;
    }

    private <T extends AutoCloseable> T use(T resource) {
        return fixture.use(resource);
    }

    /** Cleanup on past the pattern's deadline: the one connection closes for {@code reason}, none is left. */
    private void enableCleanupAndAwait(TerminationReason reason) {
        fixture.enableCleanupAndAwait(reason, Side.INCOMING);
        fixture.awaitActive(0);
    }

    @Test
    void hangingBackendIsStuckThenClosedAsStuckNoResponse() throws Exception {
        TestBackend backend = use(new TestBackend(TestBackend.Behaviour.HANG));
        TestRelay proxy = use(new TestRelay(tracker, backend.address()));
        monitor(b -> b);
        Socket client = proxy.connect();
        send(client, REQUEST);

        CheckResult r = fixture.awaitPattern(Pattern.STUCK, 1);
        assertEquals(1, r.byTarget().get(0).count(Pattern.STUCK));
        assertTrue(r.recommendations().stream().anyMatch(s -> s.contains("sent nothing back")
                && s.contains(backend.address().getPort() + "")), r.recommendations().toString());

        enableCleanupAndAwait(TerminationReason.STUCK_NO_RESPONSE);
        assertEndOfStream(client);
        assertEquals(1, monitor.cleanupCount(TerminationReason.STUCK_NO_RESPONSE));
    }

    @Test
    void halfClosedClientWithSilentBackendIsHalfZombieThenClosed() throws Exception {
        TestBackend backend = use(new TestBackend(TestBackend.Behaviour.HANG));
        TestRelay proxy = use(new TestRelay(tracker, backend.address()));
        monitor(b -> b.stuckAfter(Duration.ofMinutes(5)));
        Socket client = proxy.connect();
        send(client, REQUEST);
        client.shutdownOutput();

        fixture.awaitPattern(Pattern.HALF_ZOMBIE, 1);
        enableCleanupAndAwait(TerminationReason.HALF_ZOMBIE_CLEANUP);
        assertEndOfStream(client);
    }

    @Test
    void halfClosedClientStillReceivingIsNotHalfZombie() throws Exception {
        TestBackend backend = use(new TestBackend(TestBackend.Behaviour.DRIP));
        TestRelay proxy = use(new TestRelay(tracker, backend.address()));
        monitor(b -> b.slowAfter(Duration.ofMinutes(5)));
        Socket client = proxy.connect();
        send(client, REQUEST);
        client.shutdownOutput();
        await().atMost(ms(3000)).until(() -> tracker.iterator().hasNext() && tracker.iterator().next().bytesSent() > 0);

        // Well past the 1 s grace, the response keeps flowing and no half-zombie is reported.
        await().during(ms(1800)).atMost(ms(4000)).pollInterval(Duration.ofMillis(200))
                .until(() -> monitor.checkNow().count(Pattern.HALF_ZOMBIE) == 0);
        assertEquals(1, tracker.activeConnections());
    }

    @Test
    void socketsClosedWithoutTellingTheTrackerAreZombiesRemovedByTheSweep() throws Exception {
        monitor(b -> b);
        ServerSocket server = use(new ServerSocket(0, 10, InetAddress.getLoopbackAddress()));
        Socket client = use(new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort()));
        Socket accepted = use(server.accept());
        ServerSocket backendServer = use(new ServerSocket(0, 10, InetAddress.getLoopbackAddress()));
        Socket backend = use(new Socket(InetAddress.getLoopbackAddress(), backendServer.getLocalPort()));
        TrackedConnection c = tracker.open(accepted).target("127.0.0.1", backendServer.getLocalPort());
        c.attachOutgoing(Endpoints.of(backend));

        accepted.close();
        backend.close();
        CheckResult r = fixture.awaitPattern(Pattern.ZOMBIE, 1);
        assertEquals(1, r.activeConnections());

        enableCleanupAndAwait(TerminationReason.ZOMBIE_CLEANUP);
        assertTrue(c.connectionClosed());
        assertFalse(tracker.iterator().hasNext());
        client.close();
    }

    @Test
    void neverRoutedConnectionIsNoOutgoingThenClosedAsConnectTimeout() throws Exception {
        TestBackend backend = use(new TestBackend(TestBackend.Behaviour.ECHO));
        TestRelay proxy = use(new TestRelay(tracker, backend.address()).neverRoute());
        monitor(b -> b);
        Socket client = proxy.connect();

        fixture.awaitPattern(Pattern.NO_OUTGOING, 1);
        enableCleanupAndAwait(TerminationReason.CONNECT_TIMEOUT);
        assertEndOfStream(client);
    }

    @Test
    void silentConnectionIsIdleAndKeepAliveOutlivesThePlainOne() throws Exception {
        TestBackend backend = use(new TestBackend(TestBackend.Behaviour.ECHO));
        TestRelay proxy = use(new TestRelay(tracker, backend.address()));
        monitor(b -> b.inactivityTimeout(ms(1500)).keepAliveMultiplier(4));
        Socket plain = proxy.connect();
        Socket keepAlive = proxy.connect();
        byte[] http10 = "GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        send(plain, http10);
        plain.getInputStream().readNBytes(http10.length);
        send(keepAlive, REQUEST);
        keepAlive.getInputStream().readNBytes(REQUEST.length);
        await().atMost(ms(3000)).until(() -> tracker.activeConnections() == 2);
        int keepAlivePort = keepAlive.getLocalPort();
        for (TrackedConnection c : tracker) {
            assertEquals(c.remotePort() == keepAlivePort, c.hasKeepAlive(), "HTTP/1.1 is keep-alive, 1.0 is not");
        }

        fixture.awaitPattern(Pattern.IDLE, 2);
        monitor.updateSettings(b -> b.cleanupEnabled(true));
        await().atMost(ms(8000)).until(() ->
                tracker.terminationStats().count(Side.INCOMING, TerminationReason.INACTIVITY) == 1);
        assertEquals(1, tracker.activeConnections(), "the keep-alive connection gets 4 x the inactivity timeout");
        assertEquals(keepAlivePort, tracker.iterator().next().remotePort());
        assertEndOfStream(plain);
        await().atMost(ms(10000)).until(() ->
                tracker.terminationStats().count(Side.INCOMING, TerminationReason.INACTIVITY) == 2);
    }

    @Test
    void longLivedConnectionIsOldThenClosedAtMaxLifetime() throws Exception {
        TestBackend backend = use(new TestBackend(TestBackend.Behaviour.ECHO));
        TestRelay proxy = use(new TestRelay(tracker, backend.address()));
        monitor(b -> b.idleAfter(Duration.ofMinutes(5)).maxLifetime(ms(2000)));
        Socket client = proxy.connect();
        send(client, REQUEST);
        client.getInputStream().readNBytes(REQUEST.length);

        CheckResult r = fixture.awaitPattern(Pattern.OLD, 1);
        assertEquals(0, r.count(Pattern.IDLE));
        enableCleanupAndAwait(TerminationReason.MAX_LIFETIME);
        assertEndOfStream(client);
    }

    @Test
    void responseStillTransferringIsSlowBackendAndOnlyReported() throws Exception {
        TestBackend backend = use(new TestBackend(TestBackend.Behaviour.DRIP));
        TestRelay proxy = use(new TestRelay(tracker, backend.address()));
        monitor(b -> b.stuckAfter(ms(500)));
        Socket client = proxy.connect();
        send(client, REQUEST);

        CheckResult r = fixture.awaitPattern(Pattern.SLOW_BACKEND, 1);
        assertEquals(0, r.count(Pattern.STUCK), "bytes came back, so it is not stuck");
        assertTrue(r.recommendations().stream().anyMatch(s -> s.contains("receiving a response")));
        monitor.updateSettings(b -> b.cleanupEnabled(true));
        assertEquals(0, monitor.cleanupNow(), "SLOW_BACKEND has no cleanup");
        assertEquals(1, tracker.activeConnections());
    }

    @Test
    void callbackAddedPerMessageIsAListenerLeak() throws Exception {
        TestBackend backend = use(new TestBackend(TestBackend.Behaviour.ECHO));
        TestRelay proxy = use(new TestRelay(tracker, backend.address()).leakListeners());
        monitor(b -> b);
        Socket client = proxy.connect();
        for (int i = 0; i < 5; i++) {
            send(client, REQUEST);
            client.getInputStream().readNBytes(REQUEST.length);
        }

        CheckResult r = fixture.awaitPattern(Pattern.LISTENER_LEAK, 1);
        assertTrue(r.recommendations().stream().anyMatch(s -> s.contains("more than 3 listeners")));
        monitor.updateSettings(b -> b.cleanupEnabled(true));
        assertEquals(0, monitor.cleanupNow(), "LISTENER_LEAK is reported, not cleaned");
        assertEquals(1, tracker.activeConnections());
    }

    @Test
    void refusedBackendClosesAtOnceAsEconnrefusedAndNeverAccumulates() throws Exception {
        InetSocketAddress nobody = Sockets.unusedAddress();
        TestRelay proxy = use(new TestRelay(tracker, nobody));
        monitor(b -> b);
        for (int i = 0; i < 5; i++) {
            Socket client = proxy.connect();
            assertEndOfStream(client);
        }
        await().atMost(ms(3000)).until(() ->
                tracker.terminationStats().count(Side.OUTGOING, TerminationReason.ECONNREFUSED) == 5);
        assertEquals(0, tracker.activeConnections());
        assertFalse(monitor.checkNow().anyPattern());
    }
}
