package io.connwatch;

import static io.connwatch.testing.TestTimes.ms;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connwatch.analysis.CheckResult;
import io.connwatch.analysis.Pattern;
import io.connwatch.cleanup.CleanupEvent;
import io.connwatch.cleanup.SweepResult;
import io.connwatch.testing.SocketPairs;
import io.connwatch.tracking.ConnectionTracker;
import io.connwatch.tracking.Endpoints;
import io.connwatch.tracking.Side;
import io.connwatch.tracking.TerminationReason;
import io.connwatch.tracking.TrackedConnection;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The monitor's own thread: periodic checks, live settings, stop and start, close, and what listeners hear. */
class MonitorLifecycleTest {
    @TempDir
    Path dumps;

    private final ConnectionTracker tracker = new ConnectionTracker("edge");
    private ConnectionMonitor monitor;

    @AfterEach
    void tearDown() {
        if (monitor != null) {
            monitor.close();
        }
    }

    private static boolean monitorThreadAlive(String name) {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().equals("connwatch-" + name) && t.isAlive());
    }

    @Test
    void checksRunPeriodicallyAndANewIntervalAppliesAtTheNextTick() {
        monitor = new ConnectionMonitor(tracker, MonitorSettings.builder().outputDirectory(dumps).build());
        monitor.start(ms(100));
        await().atMost(ms(3000)).until(() -> monitor.checkCount() >= 3);
        assertTrue(monitor.trend().size() >= 3);
        assertTrue(monitor.lastCheck() != null);

        monitor.updateSettings(b -> b.checkInterval(Duration.ofHours(1)));
        long afterChange = monitor.checkCount() + 1; // at most a check already under way
        await().during(ms(600)).atMost(ms(2000)).until(() -> monitor.checkCount() <= afterChange);
        // Back to 100 ms: the hour-long tick already planned is re-planned, no restart needed.
        monitor.updateSettings(b -> b.checkInterval(ms(100)));
        long changed = monitor.checkCount();
        await().atMost(ms(3000)).until(() -> monitor.checkCount() >= changed + 3);
    }

    @Test
    void trendKeepsTheLastChecksOnly() {
        monitor = new ConnectionMonitor(tracker, MonitorSettings.builder().trendSize(5).outputDirectory(dumps).build());
        for (int i = 0; i < 8; i++) {
            monitor.checkNow();
        }
        assertEquals(5, monitor.trend().size());
    }

    @Test
    void stopHaltsChecksAndCloseEndsTheThreadAndRefusesWork() {
        monitor = new ConnectionMonitor("lifecycle", tracker, MonitorSettings.builder().outputDirectory(dumps).build());
        monitor.start(ms(100));
        await().atMost(ms(3000)).until(() -> monitor.checkCount() >= 2);
        monitor.stop();
        assertFalse(monitor.isRunning());
        long stopped = monitor.checkCount();
        await().during(ms(500)).atMost(ms(1500)).until(() -> monitor.checkCount() <= stopped + 1);
        monitor.checkNow();
        assertTrue(monitor.checkCount() > stopped, "on-demand checks still work when stopped");

        monitor.close();
        await().atMost(ms(3000)).until(() -> !monitorThreadAlive("lifecycle"));
        IllegalStateException e = assertThrows(IllegalStateException.class, monitor::checkNow);
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertThrows(IllegalStateException.class, monitor::start);
    }

    @Test
    void monitorThreadIsADaemon() {
        monitor = new ConnectionMonitor("daemon", tracker, MonitorSettings.builder().outputDirectory(dumps).build());
        monitor.checkNow();
        assertTrue(Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("connwatch-daemon")).allMatch(Thread::isDaemon));
    }

    @Test
    void listenersHearChecksSweepsAndEachCleanupWithItsFigures() throws IOException {
        List<CheckResult> checks = new CopyOnWriteArrayList<>();
        List<SweepResult> sweeps = new CopyOnWriteArrayList<>();
        List<CleanupEvent> cleanups = new CopyOnWriteArrayList<>();
        monitor = new ConnectionMonitor(tracker, MonitorSettings.builder().outputDirectory(dumps)
                .stuckAfter(ms(300)).jitter(0).build());
        monitor.addListener(new MonitorListener() {
            @Override
            public void onCheck(ConnectionMonitor m, CheckResult r) {
                checks.add(r);
            }

            @Override
            public void onSweep(ConnectionMonitor m, SweepResult r) {
                sweeps.add(r);
            }

            @Override
            public void onCleanup(ConnectionMonitor m, CleanupEvent e) {
                cleanups.add(e);
            }
        });
        try (SocketPairs sockets = new SocketPairs()) {
            TrackedConnection stuck = tracker.open(sockets.accept()).target("10.0.0.5", 8080);
            stuck.attachOutgoing(Endpoints.of(sockets.accept()));
            stuck.addBytesReceived(36);
            await().atMost(ms(3000)).until(() -> monitor.checkNow().count(Pattern.STUCK) == 1);
            assertEquals(1, monitor.cleanupNow());
            assertEquals(1, sweeps.size());
            assertEquals(1, sweeps.get(0).cleaned().get(TerminationReason.STUCK_NO_RESPONSE));

            // The host closing with a cleanup reason of its own is a cleanup too.
            TrackedConnection timedOut = tracker.open(sockets.accept()).target("10.0.0.6", 9090);
            timedOut.close(Side.OUTGOING, TerminationReason.CONNECT_TIMEOUT);
            // And an ordinary close is not.
            tracker.open(sockets.accept()).close(Side.INCOMING, TerminationReason.NORMAL);
        }
        assertTrue(checks.size() >= 1);
        assertEquals(2, cleanups.size());
        CleanupEvent bySweep = cleanups.get(0);
        assertEquals(TerminationReason.STUCK_NO_RESPONSE, bySweep.reason());
        assertEquals(Pattern.STUCK, bySweep.pattern());
        assertEquals("10.0.0.5", bySweep.targetHost());
        assertEquals(8080, bySweep.targetPort());
        assertEquals(36, bySweep.bytesReceived());
        assertEquals(0, bySweep.bytesSent());
        assertTrue(bySweep.ageMillis() >= 300);
        assertTrue(bySweep.bySweep());
        CleanupEvent byHost = cleanups.get(1);
        assertEquals(Pattern.NO_OUTGOING, byHost.pattern());
        assertFalse(byHost.bySweep());
        assertEquals(1, monitor.cleanupCount(TerminationReason.CONNECT_TIMEOUT));
        assertEquals(1, monitor.cleanupCount(TerminationReason.STUCK_NO_RESPONSE));
    }

    @Test
    void socketChannelAdapterSeesHalfCloseAndCleanupClosesTheChannels() throws IOException {
        monitor = new ConnectionMonitor(tracker, MonitorSettings.builder().outputDirectory(dumps)
                .halfZombieGrace(ms(300)).stuckAfter(Duration.ofMinutes(5)).jitter(0).build());
        try (ServerSocketChannel server = ServerSocketChannel.open();
             ServerSocketChannel backendServer = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            backendServer.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            SocketChannel client = SocketChannel.open(server.getLocalAddress());
            SocketChannel accepted = server.accept();
            SocketChannel backend = SocketChannel.open(backendServer.getLocalAddress());
            SocketChannel backendPeer = backendServer.accept();

            TrackedConnection c = tracker.open(accepted).target("127.0.0.1", backendServer.socket().getLocalPort());
            c.attachOutgoing(Endpoints.of(backend));
            client.write(ByteBuffer.wrap(new byte[] {'h', 'i'}));
            ByteBuffer buf = ByteBuffer.allocate(16);
            accepted.read(buf);
            c.addBytesReceived(2);
            client.shutdownOutput();
            buf.clear();
            assertEquals(-1, accepted.read(buf));
            c.endOfStream(Side.INCOMING);
            backend.shutdownOutput();

            await().atMost(ms(3000)).until(() -> monitor.checkNow().count(Pattern.HALF_ZOMBIE) == 1);
            assertEquals(1, monitor.cleanupNow());
            assertFalse(accepted.isOpen());
            assertFalse(backend.isOpen());
            assertEquals(1, tracker.terminationStats().count(Side.INCOMING, TerminationReason.HALF_ZOMBIE_CLEANUP));
            client.close();
            backendPeer.close();
        }
    }

    @Test
    void socketAdapterReportsReadyStates() throws IOException {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             java.net.Socket client = new java.net.Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
             java.net.Socket accepted = server.accept()) {
            var e = Endpoints.of(accepted);
            assertTrue(e.readable() && e.writable() && !e.destroyed());
            accepted.shutdownOutput();
            assertTrue(e.readable());
            assertFalse(e.writable());
            accepted.close();
            assertTrue(e.destroyed());
            assertFalse(e.readable());
            client.close();
        }
    }
}
