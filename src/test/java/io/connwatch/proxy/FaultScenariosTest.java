package io.connwatch.proxy;

import static io.connwatch.testing.MonitorFixture.CLEANUP_BOUND;
import static io.connwatch.testing.MonitorFixture.INTERVAL;
import static io.connwatch.testing.MonitorFixture.JITTER;
import static io.connwatch.testing.MonitorFixture.POLL;
import static io.connwatch.testing.MonitorFixture.THRESHOLD;
import static io.connwatch.testing.MonitorFixture.WAIT;
import static io.connwatch.testing.Sockets.REQUEST;
import static io.connwatch.testing.Sockets.assertEndOfStream;
import static io.connwatch.testing.Sockets.send;
import static io.connwatch.testing.TestTimes.ms;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.connwatch.ConnectionMonitor;
import io.connwatch.MonitorListener;
import io.connwatch.MonitorSettings;
import io.connwatch.analysis.CheckResult;
import io.connwatch.analysis.Pattern;
import io.connwatch.capture.CaptureTrigger;
import io.connwatch.cleanup.CleanupSweep;
import io.connwatch.cleanup.SweepResult;
import io.connwatch.netty.NettyEndpoint;
import io.connwatch.netty.TrackingHandler;
import io.connwatch.demo.TestBackend;
import io.connwatch.testing.MonitorFixture;
import io.connwatch.testing.Sockets;
import io.connwatch.tracking.ConnectionTracker;
import io.connwatch.tracking.Side;
import io.connwatch.tracking.TerminationReason;
import io.connwatch.tracking.TrackedConnection;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Field;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ten fault scenarios connwatch promises to handle (docs/RELIABILITY.md), each reproduced against the real Netty reference proxy with real backends and clients on
 * loopback. For each: (a) the check finds it as its pattern, (b) its rule cleans it within its (shortened) deadline,
 * (c) the close is counted under the right reason and side, (d) the active count is back at its baseline (0), and
 * (e) no Netty buffer leaked: leak detection runs at PARANOID with a recording detector, checked after every test
 * (and proved able to see a leak by {@link #leakRecorderSeesADeliberateLeak()}).
 *
 * <p>Thresholds are about a second, checks and sweeps every 200 ms. Where the pattern must be seen before it is
 * cleaned, the monitor starts report-only and cleanup is switched on live.
 *
 * <p>What is asserted holds whatever the scheduling: a rule must not act before its deadline (measured on the
 * tracker's own clock, so a slow test thread cannot make it pass), must act with the right reason, and must act at
 * the sweeps that follow; how many milliseconds that takes on a busy machine is reported, never asserted. Bounds on
 * waits are generous: only a rule that does not act at all runs into them.
 */
class FaultScenariosTest {
    /** The proxy's own connect timeout: far beyond any wait here, so a close it causes cannot be mistaken. */
    private static final Duration PROXY_CONNECT_TIMEOUT = Duration.ofSeconds(30);

    // ---- leak recording (e) ----

    /** What the leak detector reported; must be empty after every test. */
    static final List<String> LEAKS = new CopyOnWriteArrayList<>();
    private static final ResourceLeakDetector.Level PREVIOUS_LEVEL = ResourceLeakDetector.getLevel();
    private static final ResourceLeakDetector<?> BYTEBUF_DETECTOR;
    private static final boolean LISTENING;

    static {
        // Before any buffer of this class is allocated: every buffer tracked, with its access records.
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new RecordingFactory());
        // ByteBuf's detector is made once per JVM, when AbstractByteBuf is initialised. When an earlier test class
        // in this JVM got there first, the detector is Netty's own: then record through its leak listener.
        BYTEBUF_DETECTOR = byteBufDetector();
        LISTENING = !(BYTEBUF_DETECTOR instanceof RecordingDetector);
        if (LISTENING) {
            BYTEBUF_DETECTOR.setLeakListener((type, records) -> LEAKS.add(type + " leaked:" + records));
        }
    }

    @TempDir
    Path dumps;

    /** Backends, then the proxy, then clients: closed in the reverse order, once the monitor is closed. */
    @RegisterExtension
    final MonitorFixture fixture = new MonitorFixture("faults", b -> b.idleAfter(Duration.ofMinutes(5))
            .outputDirectory(dumps));
    private final ConnectionTracker tracker = fixture.tracker();
    private ConnwatchProxy proxy;
    private ConnectionMonitor monitor;

    @AfterEach
    void tearDown() throws Exception {
        try {
            fixture.close();
        } finally {
            // A proxy the test built itself (closing one already closed does nothing).
            if (proxy != null) {
                proxy.close();
            }
        }
        assertNoLeaks();
    }

    @AfterAll
    static void restoreLeakDetection() {
        if (LISTENING) {
            BYTEBUF_DETECTOR.setLeakListener(null);
        }
        ResourceLeakDetector.setLevel(PREVIOUS_LEVEL);
    }

    // ---- 1. hanging backend ----

    @Test
    void hangingBackendIsStuckThenClosedAsStuckNoResponse() throws Exception {
        TestBackend backend = backend(new TestBackend(TestBackend.Behaviour.HANG));
        proxy(backend.address(), PROXY_CONNECT_TIMEOUT);
        monitor(b -> b);
        Socket client = client();
        send(client, REQUEST);
        TrackedConnection c = fixture.awaitOne();
        await().atMost(WAIT).pollInterval(POLL).until(() -> c.bytesReceived() == REQUEST.length);

        CheckResult r = fixture.awaitPattern(Pattern.STUCK, 1);
        assertEquals(1, r.byTarget().get(0).count(Pattern.STUCK));
        assertEquals(0, c.bytesSent());

        long ms = enableCleanupAndAwait(TerminationReason.STUCK_NO_RESPONSE, Side.INCOMING);
        assertEndOfStream(client);
        fixture.awaitBaseline();
        assertTrue(ageAtClose(c) >= threshold(THRESHOLD, c), "not closed before stuckAfter: " + ageAtClose(c));
        assertEquals(1, monitor.cleanupCount(TerminationReason.STUCK_NO_RESPONSE));
        report("1 hanging backend", "stuck_no_response " + ms + " ms after cleanup on, age at close "
                + ageAtClose(c) / 1_000_000 + " ms");
    }

    // ---- 2. backend refuses ----

    @Test
    void refusedBackendClosesAtOnceAsEconnrefusedAndNeverAccumulates() throws Exception {
        // One event loop: a client's close is queued there before the next client is accepted, so the clients one
        // after the other cannot pile up, however the threads are scheduled. (With several loops, a loop that is
        // descheduled for a moment holds a closed record while the next client arrives on another.)
        proxy = ConnwatchProxy.builder().target(TestBackend.refusingAddress()).tracker(tracker)
                .connectTimeout(PROXY_CONNECT_TIMEOUT).workerThreads(1).build().start();
        // Report-only: the proxy alone must close these, no cleanup rule may help.
        monitor(b -> b.accumulationThreshold(5).spikeThreshold(5));
        int n = 20;
        long worst = 0;
        for (int i = 0; i < n; i++) {
            long t = System.nanoTime();
            try (Socket client = client()) {
                assertEndOfStream(client);
            }
            worst = Math.max(worst, System.nanoTime() - t);
        }
        assertTrue(worst < PROXY_CONNECT_TIMEOUT.toNanos(), "each refused client is closed at the refusal, not at the "
                + "proxy's connect timeout; the slowest took " + worst / 1_000_000 + " ms");

        await().atMost(WAIT).pollInterval(POLL).until(() ->
                tracker.terminationStats().count(Side.OUTGOING, TerminationReason.ECONNREFUSED) == n);
        assertEquals(n, tracker.terminationStats().total(), tracker.terminationStats().snapshot().toString());
        fixture.awaitBaseline();
        CheckResult r = monitor.checkNow();
        assertFalse(r.anyPattern(), r.tallies().toString());
        assertEquals(0, r.activeConnections());
        assertTrue(tracker.peakConnections() <= 2, "never accumulates: peak " + tracker.peakConnections());
        assertEquals(0, monitor.spikeCount());
        assertEquals(0, monitor.accumulationCount());
        assertTrue(monitor.cleanupCounts().isEmpty(), monitor.cleanupCounts().toString());
        report("2 backend refuses", n + " clients, each closed as econnrefused in <= " + worst / 1_000_000
                + " ms, peak " + tracker.peakConnections());
    }

    // ---- 3. backend never completes the connect ----

    @Test
    void backendThatNeverAcceptsIsNoOutgoingThenClosedAsConnectTimeout() throws Exception {
        TestBackend backend = backend(new TestBackend(TestBackend.Behaviour.NEVER_ACCEPT));
        // The proxy's own connect timeout is long: the monitor's rule is what must end it.
        proxy(backend.address(), PROXY_CONNECT_TIMEOUT);
        monitor(b -> b);
        Socket client = client();
        TrackedConnection c = fixture.awaitOne();
        await().atMost(WAIT).pollInterval(POLL).until(() -> c.outgoing().exists());
        assertTrue(c.outgoing().connecting(), "the backend connect is pending");

        CheckResult r = fixture.awaitPattern(Pattern.NO_OUTGOING, 1);
        assertEquals(0, r.count(Pattern.STUCK) + r.count(Pattern.HALF_ZOMBIE) + r.count(Pattern.ZOMBIE));

        long ms = enableCleanupAndAwait(TerminationReason.CONNECT_TIMEOUT, Side.INCOMING);
        assertEndOfStream(client);
        fixture.awaitBaseline();
        await().atMost(WAIT).pollInterval(POLL).until(() -> c.outgoing().destroyed());
        assertTrue(ageAtClose(c) >= threshold(THRESHOLD, c), "not closed before connectTimeout: " + ageAtClose(c));
        report("3 never-accepting backend", "connect_timeout " + ms + " ms after cleanup on, age at close "
                + ageAtClose(c) / 1_000_000 + " ms; the pending connect was cancelled");
    }

    // ---- 4. client leaves while the connect is pending ----

    @Test
    void clientClosingWhileTheConnectIsPendingLeavesNoRecord() throws Exception {
        clientLeavingWhileTheConnectIsPending(false, TerminationReason.CLOSED_INCOMING);
    }

    @Test
    void clientResettingWhileTheConnectIsPendingLeavesNoRecord() throws Exception {
        clientLeavingWhileTheConnectIsPending(true, TerminationReason.ECONNRESET);
    }

    private void clientLeavingWhileTheConnectIsPending(boolean reset, TerminationReason expected) throws Exception {
        TestBackend backend = backend(new TestBackend(TestBackend.Behaviour.NEVER_ACCEPT));
        proxy(backend.address(), PROXY_CONNECT_TIMEOUT);
        // Report-only, so that no cleanup rule can hide a record the proxy forgot.
        monitor(b -> b);
        Socket client = client();
        TrackedConnection c = fixture.awaitOne();
        await().atMost(WAIT).pollInterval(POLL).until(() -> c.outgoing().exists());
        assertTrue(c.outgoing().connecting(), "the backend connect is pending");

        long t = System.nanoTime();
        if (reset) {
            client.setSoLinger(true, 0);
        }
        client.close();
        // Report-only monitor, and the proxy's connect timeout is far away: the reason below proves the proxy saw the
        // client go (a timeout would close as connect_timeout on the outgoing side).
        await().atMost(ms(10000)).pollInterval(Duration.ofMillis(10)).until(() -> tracker.activeConnections() == 0);
        long ms = (System.nanoTime() - t) / 1_000_000;
        assertEquals(1, tracker.terminationStats().count(Side.INCOMING, expected),
                tracker.terminationStats().snapshot().toString());
        assertEquals(1, tracker.terminationStats().total(), tracker.terminationStats().snapshot().toString());
        await().atMost(WAIT).pollInterval(POLL).until(() -> c.outgoing().destroyed());
        CheckResult r = monitor.checkNow();
        assertEquals(0, r.count(Pattern.ZOMBIE));
        assertFalse(r.anyPattern(), r.tallies().toString());
        assertFalse(tracker.iterator().hasNext());
        report("4 client leaves during connect (" + (reset ? "RST" : "FIN") + ")", "record closed as "
                + expected.wireName() + " " + ms + " ms after the client left; pending connect cancelled");
    }

    // ---- 5. half-closed client ----

    @Test
    void halfClosedClientWithSilentBackendIsHalfZombieThenClosed() throws Exception {
        TestBackend backend = backend(new TestBackend(TestBackend.Behaviour.HANG));
        proxy(backend.address(), PROXY_CONNECT_TIMEOUT);
        // STUCK would also match (a request, no answer): push it out so HALF_ZOMBIE is the rule that cleans.
        monitor(b -> b.stuckAfter(Duration.ofMinutes(5)));
        Socket client = client();
        // Once the backend is connected (a request and half-close that beat the connect: see the test below).
        TrackedConnection c = fixture.awaitRouted();
        send(client, REQUEST);
        client.shutdownOutput();
        await().atMost(WAIT).pollInterval(POLL).until(() -> c.ended(Side.INCOMING));

        fixture.awaitPattern(Pattern.HALF_ZOMBIE, 1);
        long ms = enableCleanupAndAwait(TerminationReason.HALF_ZOMBIE_CLEANUP, Side.INCOMING);
        assertEndOfStream(client);
        fixture.awaitBaseline();
        long idleAtClose = c.closedNanos() - c.lastActivityNanos();
        assertTrue(idleAtClose >= threshold(THRESHOLD, c), "not closed before the grace: " + idleAtClose);
        report("5 half-zombie", "half_zombie_cleanup " + ms + " ms after cleanup on, idle at close "
                + idleAtClose / 1_000_000 + " ms");
    }

    @Test
    void halfClosedClientStillReceivingAResponseIsNotAHalfZombie() throws Exception {
        TestBackend backend = backend(new TestBackend(TestBackend.Behaviour.DRIP));
        proxy(backend.address(), PROXY_CONNECT_TIMEOUT);
        monitor(b -> b.stuckAfter(Duration.ofMinutes(5)).slowAfter(Duration.ofMinutes(5)).cleanupEnabled(true));
        Socket client = client();
        TrackedConnection c = fixture.awaitRouted();
        send(client, REQUEST);
        client.shutdownOutput();
        await().atMost(WAIT).pollInterval(POLL).until(() -> c.ended(Side.INCOMING) && c.bytesSent() > 0);
        InputStream in = client.getInputStream();
        long[] received = {0};

        // Twice the grace, with cleanup on: the response keeps flowing, so no half-zombie, nothing closed.
        await().during(THRESHOLD.multipliedBy(2)).atMost(THRESHOLD.multipliedBy(4)).pollInterval(INTERVAL)
                .until(() -> {
                    received[0] += in.skip(in.available());
                    return monitor.checkNow().count(Pattern.HALF_ZOMBIE) == 0 && !c.connectionClosed();
                });
        assertTrue(received[0] >= 10, "the response kept flowing: " + received[0] + " bytes");
        assertEquals(1, tracker.activeConnections());
        assertEquals(0, tracker.terminationStats().total());
        assertTrue(monitor.cleanupCounts().isEmpty(), monitor.cleanupCounts().toString());

        // The client goes with cleanup on: the proxy's own close keeps its reason, no sweep takes it.
        monitor.updateSettings(b -> b.cleanupEnabled(true));
        client.close();
        fixture.awaitBaseline();
        assertEquals(1, tracker.terminationStats().total());
        assertFalse(c.terminationReason().isCleanup(), c.terminationReason().wireName());
        report("5 half-closed but receiving", received[0] + " bytes received over 2 x the grace, no half-zombie; "
                + "closed by the client as " + c.closedBy().wireName() + "/" + c.terminationReason().wireName());
    }

    @Test
    void requestAndHalfCloseArrivingBeforeTheBackendConnectsAreRelayed() throws Exception {
        LateBackend backend = backend(new LateBackend());
        proxy(backend.address(), PROXY_CONNECT_TIMEOUT);
        monitor(b -> b);
        Socket client = client();
        TrackedConnection c = fixture.awaitOne();
        send(client, REQUEST);
        client.shutdownOutput();
        // The proxy has the whole request and the half-close while its backend connect is still pending.
        await().atMost(WAIT).pollInterval(Duration.ofMillis(10)).until(() ->
                c.bytesReceived() == REQUEST.length && c.ended(Side.INCOMING));
        assertTrue(c.outgoing().connecting(), "the backend connect is pending");

        // The backend accepts now (the proxy's SYN is retransmitted after ~1 s) and echoes until the half-close.
        backend.open();
        byte[] answer = client.getInputStream().readNBytes(REQUEST.length);
        assertEndOfStream(client);
        fixture.awaitBaseline();
        assertArrayEquals(REQUEST, answer, "the request reaches the backend and its echo comes back; the proxy "
                + "closed the connection as " + c.closedBy().wireName() + "/" + c.terminationReason().wireName());
        assertEquals(1, tracker.terminationStats().count(Side.OUTGOING, TerminationReason.NORMAL),
                tracker.terminationStats().snapshot().toString());
        report("5 early half-close", "request and half-close received before the backend connected were relayed");
    }

    // ---- 6. backend resets mid-stream ----

    @Test
    void backendResettingMidStreamIsEconnresetAndTheClientIsClosed() throws Exception {
        ResettingBackend backend = backend(new ResettingBackend());
        proxy(backend.address(), PROXY_CONNECT_TIMEOUT);
        monitor(b -> b);
        Socket client = client();
        send(client, REQUEST);
        InputStream in = client.getInputStream();
        assertArrayEquals(ResettingBackend.PARTIAL, in.readNBytes(ResettingBackend.PARTIAL.length),
                "the response had started");
        TrackedConnection c = fixture.awaitOne();

        backend.reset();
        String seen;
        try {
            int b = in.read();
            assertEquals(-1, b, "nothing more than the partial response");
            seen = "end of stream";
        } catch (SocketException reset) {
            seen = reset.getMessage();
        }
        await().atMost(WAIT).pollInterval(POLL).until(() -> tracker.activeConnections() == 0);
        assertEquals(1, tracker.terminationStats().count(Side.OUTGOING, TerminationReason.ECONNRESET),
                tracker.terminationStats().snapshot().toString());
        assertEquals(1, tracker.terminationStats().total(), tracker.terminationStats().snapshot().toString());
        assertTrue(c.incoming().destroyed() && c.outgoing().destroyed(), "both proxy sockets closed");
        assertFalse(monitor.checkNow().anyPattern());
        report("6 backend reset", "econnreset on the outgoing side; the client saw " + seen);
    }

    // ---- 7. host bookkeeping bug ----

    @Test
    void socketsClosedWithoutTellingTheTrackerAreZombiesRemovedAtTheNextSweep() throws Exception {
        TestBackend backend = backend(new TestBackend(TestBackend.Behaviour.ECHO));
        proxy = ConnwatchProxy.builder().target(backend.address()).tracker(tracker)
                .connectTimeout(PROXY_CONNECT_TIMEOUT)
                .onClientPipeline(HostBugs::forgetToTellTracker).build().start();
        monitor(b -> b);
        Socket client = client();
        send(client, REQUEST);
        assertArrayEquals(REQUEST, client.getInputStream().readNBytes(REQUEST.length));
        TrackedConnection c = fixture.awaitOne();
        client.close();
        await().atMost(WAIT).pollInterval(POLL).until(() -> c.incoming().destroyed() && c.outgoing().destroyed());
        assertEquals(1, tracker.activeConnections(), "the tracker was never told");
        assertEquals(0, tracker.terminationStats().total());

        CheckResult r = fixture.awaitPattern(Pattern.ZOMBIE, 1);
        assertEquals(1, r.activeConnections());
        // The next sweep removes it: the check above saw it, so the first sweep that runs with cleanup on is its
        // second sighting (a sweep already under way when cleanup is switched on still runs report-only).
        List<SweepResult> sweeps = new CopyOnWriteArrayList<>();
        monitor.addListener(new MonitorListener() {
            @Override
            public void onSweep(ConnectionMonitor m, SweepResult sweep) {
                sweeps.add(sweep);
            }
        });
        long ms = enableCleanupAndAwait(TerminationReason.ZOMBIE_CLEANUP, Side.INCOMING);
        // Listeners hear of a sweep once it is over, after its closes are already counted.
        await().atMost(WAIT).pollInterval(POLL).until(() -> sweeps.stream().anyMatch(w -> !w.reportOnly()));
        List<SweepResult> withCleanup = sweeps.stream().filter(w -> !w.reportOnly()).toList();
        assertEquals(1, withCleanup.get(0).cleaned().getOrDefault(TerminationReason.ZOMBIE_CLEANUP, 0),
                "removed by the first sweep with cleanup on: " + sweeps);
        fixture.awaitBaseline();
        assertEquals(1, monitor.cleanupCount(TerminationReason.ZOMBIE_CLEANUP));
        report("7 zombie", "zombie_cleanup " + ms + " ms after cleanup on");
    }

    @Test
    void aSweepWhileTheProxyClosesAConnectionIsNotAZombie() throws Exception {
        TestBackend backend = backend(new TestBackend(TestBackend.Behaviour.ECHO));
        proxy(backend.address(), PROXY_CONNECT_TIMEOUT);
        monitor(b -> b.cleanupEnabled(true));
        Socket client = client();
        TrackedConnection c = fixture.awaitRouted();
        send(client, REQUEST);
        assertArrayEquals(REQUEST, client.getInputStream().readNBytes(REQUEST.length));
        Channel in = ((NettyEndpoint) c.incoming()).channel();
        Channel out = ((NettyEndpoint) c.outgoing()).channel();
        assertTrue(in.eventLoop() == out.eventLoop(), "both sides of a proxied connection share an event loop");

        // What RelayPair.closeBoth does once both directions ended, with a sweep landing before the event loop has
        // delivered channelInactive (the proxy's tracking handler tells the tracker then). Under load that window is
        // milliseconds wide: a burst of 1000 clients leaving at once lost 10-20 % of them to zombie_cleanup.
        int swept = in.eventLoop().submit(() -> {
            TrackingHandler.closeReason(in, Side.OUTGOING, TerminationReason.NORMAL);
            in.close();
            out.close();
            return monitor.cleanupNow();
        }).get(ms(10000).toMillis(), TimeUnit.MILLISECONDS);
        fixture.awaitBaseline();
        assertEquals(TerminationReason.NORMAL, c.terminationReason(), "a connection the proxy is closing, with its "
                + "reason given, is no zombie; the sweep cleaned " + swept);
        assertEquals(1, tracker.terminationStats().count(Side.OUTGOING, TerminationReason.NORMAL),
                tracker.terminationStats().snapshot().toString());
        assertEquals(0, monitor.cleanupCount(TerminationReason.ZOMBIE_CLEANUP));
        report("7 not a zombie", "a sweep during the proxy's own close left it to the proxy");
    }

    // ---- 8. a handler added per message ----

    @Test
    void handlerAddedPerMessageIsAListenerLeakReportedNotCleaned() throws Exception {
        TestBackend backend = backend(new TestBackend(TestBackend.Behaviour.ECHO));
        proxy = ConnwatchProxy.builder().target(backend.address()).tracker(tracker)
                .connectTimeout(PROXY_CONNECT_TIMEOUT)
                .onClientPipeline(HostBugs::leakHandlerPerMessage).build().start();
        monitor(b -> b.listenerLeakThreshold(3));
        Socket client = client();
        int messages = 6;
        for (int i = 0; i < messages; i++) {
            send(client, REQUEST);
            // Wait for each echo, so each message is its own read.
            assertArrayEquals(REQUEST, client.getInputStream().readNBytes(REQUEST.length));
        }
        TrackedConnection c = fixture.awaitOne();
        Integer leaked = c.incoming().listenerCounts().get("HostBugs$LeakedHandler");
        assertNotNull(leaked, c.incoming().listenerCounts().toString());
        assertTrue(leaked >= 4, "more than the threshold of 3: " + c.incoming().listenerCounts());

        CheckResult r = fixture.awaitPattern(Pattern.LISTENER_LEAK, 1);
        assertTrue(r.recommendations().stream().anyMatch(s -> s.contains("listeners")), r.recommendations().toString());
        monitor.updateSettings(b -> b.cleanupEnabled(true));
        assertEquals(0, monitor.cleanupNow(), "LISTENER_LEAK is reported, not cleaned");
        assertEquals(1, tracker.activeConnections());
        assertEquals(1, monitor.checkNow().count(Pattern.LISTENER_LEAK), "still reported");
        send(client, REQUEST);
        assertArrayEquals(REQUEST, client.getInputStream().readNBytes(REQUEST.length), "still relays");

        // The client finishes with cleanup on: the proxy's own close is what counts.
        monitor.updateSettings(b -> b.cleanupEnabled(true));
        client.shutdownOutput();
        assertEndOfStream(client);
        fixture.awaitBaseline();
        assertEquals(1, tracker.terminationStats().count(Side.OUTGOING, TerminationReason.NORMAL),
                tracker.terminationStats().snapshot().toString());
        assertEquals(1, tracker.terminationStats().total());
        report("8 listener leak", leaked + " leaked handlers, reported, cleanupNow() = 0, then closed normally");
    }

    // ---- 9. idle keep-alive connection ----

    @Test
    void idleKeepAliveConnectionIsIdleAndOutlivesThePlainInactivityTimeout() throws Exception {
        TestBackend backend = backend(new TestBackend(TestBackend.Behaviour.ECHO));
        proxy(backend.address(), PROXY_CONNECT_TIMEOUT);
        Duration inactivity = ms(500);
        int multiplier = 4;
        monitor(b -> b.idleAfter(ms(300)).inactivityTimeout(inactivity).keepAliveMultiplier(multiplier)
                .cleanupEnabled(true));
        Socket client = client();
        send(client, REQUEST);
        assertArrayEquals(REQUEST, client.getInputStream().readNBytes(REQUEST.length));
        long t0 = System.nanoTime();
        TrackedConnection c = fixture.awaitOne();
        assertTrue(c.hasKeepAlive(), "an HTTP/1.1 request without Connection: close is keep-alive");

        fixture.awaitPattern(Pattern.IDLE, 1);
        long limit = inactivity.toNanos() * multiplier;
        // Past the plain inactivity timeout (0.5 s), up to 3/4 of the keep-alive one: still open, sweeping every
        // 200 ms. (If this thread was held up that long, the check below on the tracker's clock still decides.)
        long stay = t0 + limit * 3 / 4 - System.nanoTime();
        if (stay > 0) {
            await().during(Duration.ofNanos(stay)).atMost(Duration.ofNanos(stay).plus(CLEANUP_BOUND)).pollInterval(POLL)
                    .until(() -> !c.connectionClosed() && tracker.activeConnections() == 1);
        }
        // Closed as inactivity once the keep-alive limit (with its jitter) has passed, at a later sweep.
        await().atMost(Duration.ofNanos(limit).plus(CLEANUP_BOUND)).pollInterval(POLL).until(() ->
                tracker.terminationStats().count(Side.INCOMING, TerminationReason.INACTIVITY) == 1);
        long idleAtClose = c.closedNanos() - c.lastActivityNanos();
        assertTrue(idleAtClose >= (long) (limit * CleanupSweep.factor(c.serial(), JITTER)),
                "not closed before inactivityTimeout x " + multiplier + ": idle " + idleAtClose / 1_000_000 + " ms");
        assertEndOfStream(client);
        fixture.awaitBaseline();
        assertEquals(1, tracker.terminationStats().total());
        report("9 idle keep-alive", "IDLE, open through " + (limit * 3 / 4) / 1_000_000 + " ms, closed as inactivity "
                + "at idle " + idleAtClose / 1_000_000 + " ms (limit " + limit / 1_000_000 + " ms x jitter "
                + String.format("%.3f", CleanupSweep.factor(c.serial(), JITTER)) + ")");
    }

    // ---- 10. a burst of 1000 connections ----

    @Test
    void burstOfAThousandConnectionsIsOneSpikeOneAccumulationOneCapture() throws Exception {
        int n = burstSize(1000);
        TestBackend backend = backend(new TestBackend(TestBackend.Behaviour.ECHO));
        proxy(backend.address(), PROXY_CONNECT_TIMEOUT);
        // Built but not started: a baseline check at 0, then the burst lands between two checks.
        // Thresholds of the other patterns long: a thread-per-connection echo backend on a loaded machine may take
        // more than a second to answer a FIN, and that is a real half-zombie, not what this scenario is about.
        monitor = fixture.build(b -> b.accumulationThreshold(100).spikeThreshold(50)
                .halfZombieGrace(Duration.ofMinutes(5)).stuckAfter(Duration.ofMinutes(5))
                .connectTimeout(Duration.ofMinutes(5)).cleanupEnabled(true));
        assertEquals(0, monitor.checkNow().activeConnections());

        long t = System.nanoTime();
        List<Socket> clients = burst(n);
        await().atMost(ms(30000)).pollInterval(POLL).until(() -> tracker.activeConnections() == n);
        long burstMs = (System.nanoTime() - t) / 1_000_000;

        monitor.start();
        await().atMost(ms(15000)).pollInterval(POLL).until(() ->
                monitor.spikeCount() == 1 && monitor.accumulationCount() == 1 && monitor.captureCount() == 1);
        // More checks while the clients hold: no second spike, accumulation or capture.
        long checks = monitor.checkCount();
        await().atMost(ms(15000)).pollInterval(POLL).until(() -> monitor.checkCount() >= checks + 3);
        assertEquals(1, monitor.spikeCount());
        assertEquals(1, monitor.accumulationCount());
        assertEquals(1, monitor.captureCount());
        assertEquals(CaptureTrigger.ACCUMULATION, monitor.lastCapture().trigger());

        // They leave with cleanup on: sweeps during the close storm must not take closing connections for zombies.
        monitor.updateSettings(b -> b.cleanupEnabled(true));
        long leaveStart = System.nanoTime();
        for (Socket s : clients) {
            s.close();
        }
        await().atMost(ms(30000)).pollInterval(POLL).until(() -> tracker.activeConnections() == 0);
        long leaveMs = (System.nanoTime() - leaveStart) / 1_000_000;
        await().atMost(ms(15000)).pollInterval(POLL).until(() ->
                monitor.lastCheck() != null && monitor.lastCheck().activeConnections() == 0);
        assertEquals(1, monitor.spikeCount());
        assertEquals(1, monitor.accumulationCount());
        assertEquals(1, monitor.captureCount(), "one capture for the episode");
        assertEquals(0, monitor.captureFailures());
        assertEquals(n, tracker.terminationStats().total(), tracker.terminationStats().snapshot().toString());

        List<Path> files;
        try (Stream<Path> s = Files.list(dumps)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".json")).collect(Collectors.toList());
        }
        assertEquals(1, files.size(), files.toString());
        String name = files.get(0).getFileName().toString();
        assertTrue(name.startsWith("accumulation_") && name.endsWith("_accumulation.json"), name);
        JsonNode dump = new ObjectMapper().readTree(files.get(0).toFile());
        assertEquals("accumulation", dump.path("trigger").asText());
        assertEquals(n, dump.path("summary").path("activeConnections").asLong());
        // Every client left normally.
        assertEquals(n, tracker.terminationStats().count(Side.OUTGOING, TerminationReason.NORMAL)
                + tracker.terminationStats().count(Side.INCOMING, TerminationReason.NORMAL),
                tracker.terminationStats().snapshot().toString());
        assertTrue(monitor.cleanupCounts().isEmpty(), monitor.cleanupCounts().toString());
        report("10 burst", n + " connections in " + burstMs + " ms; 1 spike, 1 accumulation, 1 capture ("
                + name + "); back to 0 in " + leaveMs + " ms after the clients left");
    }

    /** As many clients as the file descriptor limit allows, up to {@code wanted}: 4 descriptors per client. */
    private static int burstSize(int wanted) {
        java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.UnixOperatingSystemMXBean) {
            com.sun.management.UnixOperatingSystemMXBean unix = (com.sun.management.UnixOperatingSystemMXBean) os;
            long free = unix.getMaxFileDescriptorCount() - unix.getOpenFileDescriptorCount() - 200;
            // client + proxy's client side + proxy's backend side + backend's accepted socket
            long fit = free / 4;
            if (fit < wanted) {
                System.out.println("[fault scenarios] file descriptor limit " + unix.getMaxFileDescriptorCount()
                        + " fits " + fit + " of the " + wanted + " burst connections");
                return (int) Math.max(150, fit);
            }
        }
        return wanted;
    }

    /**
     * Opens {@code n} clients from 16 threads, each echoing one byte. Bounded as a whole: past the deadline, or on
     * the first failure, every socket is closed (which ends any blocked read) and the failure is thrown.
     */
    private List<Socket> burst(int n) throws Exception {
        List<Socket> opened = new CopyOnWriteArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<Socket>> futures = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                futures.add(pool.submit(() -> {
                    Socket s = new Socket();
                    opened.add(s);
                    s.connect(proxy.address(), (int) ms(5000).toMillis());
                    s.setSoTimeout((int) ms(5000).toMillis());
                    s.getOutputStream().write('x');
                    assertEquals('x', s.getInputStream().read(), "the byte came back through the proxy");
                    return s;
                }));
            }
            long deadline = System.nanoTime() + ms(15000).toNanos();
            List<Socket> sockets = new ArrayList<>(n);
            for (Future<Socket> f : futures) {
                sockets.add(f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
            }
            sockets.forEach(fixture::use);
            return sockets;
        } catch (Exception e) {
            for (Socket s : opened) {
                s.close();
            }
            throw e;
        } finally {
            pool.shutdownNow();
        }
    }

    // ---- the recorder works ----

    @Test
    void leakRecorderSeesADeliberateLeak() {
        LEAKS.clear();
        leakOneBuffer();
        try {
            await().atMost(ms(10000)).pollInterval(Duration.ofMillis(100)).until(() -> {
                collectLeaks();
                return !LEAKS.isEmpty();
            });
            assertTrue(LEAKS.get(0).contains("leakOneBuffer"), "the report traces the leak to its allocation: "
                    + LEAKS.get(0));
            report("leak recorder", "a deliberately dropped pooled buffer was reported ("
                    + (LISTENING ? "through Netty's detector's listener" : "by the recording detector") + ")");
        } finally {
            LEAKS.clear();
        }
    }

    private static void leakOneBuffer() {
        ByteBuf b = PooledByteBufAllocator.DEFAULT.buffer(32);
        b.writeLong(42);
        // dropped without release()
    }

    // ---- helpers ----

    private void monitor(UnaryOperator<MonitorSettings.Builder> tune) {
        monitor = fixture.start(tune);
    }

    private void proxy(InetSocketAddress target, Duration connectTimeout) throws InterruptedException {
        proxy = fixture.use(ConnwatchProxy.builder().target(target).tracker(tracker).connectTimeout(connectTimeout)
                .build().start());
    }

    private <T extends AutoCloseable> T backend(T backend) {
        return fixture.use(backend);
    }

    private Socket client() throws IOException {
        return fixture.use(Sockets.connect(proxy.address()));
    }

    /** Switches cleanup on past the pattern's deadline; the one connection, and only it, closes for {@code reason}. */
    private long enableCleanupAndAwait(TerminationReason reason, Side side) {
        long ms = fixture.enableCleanupAndAwait(reason, side);
        assertEquals(1, tracker.terminationStats().total(), tracker.terminationStats().snapshot().toString());
        assertEquals(1, monitor.cleanupCount(reason));
        return ms;
    }

    private static long ageAtClose(TrackedConnection c) {
        return c.closedNanos() - c.incomingStartNanos();
    }

    /** A threshold as the sweep applies it to this connection: with its own jitter. */
    private static long threshold(Duration d, TrackedConnection c) {
        return (long) (d.toNanos() * CleanupSweep.factor(c.serial(), JITTER));
    }

    private static void report(String scenario, String what) {
        System.out.println("[fault scenarios] " + scenario + ": " + what);
    }

    // ---- leak detection ----

    private static void assertNoLeaks() {
        // Collect and let the detector drain its queue a few rounds: counted in rounds, not time, so a loaded
        // machine (a slow System.gc()) cannot fail the check; a leak shows at the first round the GC finds it.
        for (int round = 0; round < 5; round++) {
            collectLeaks();
        }
        if (!LEAKS.isEmpty()) {
            List<String> leaks = new ArrayList<>(LEAKS);
            LEAKS.clear();
            fail("Netty buffers leaked:\n" + String.join("\n", leaks));
        }
    }

    private static void collectLeaks() {
        System.gc();
        ByteBufAllocator[] allocators = {PooledByteBufAllocator.DEFAULT, ByteBufAllocator.DEFAULT};
        for (ByteBufAllocator a : allocators) {
            for (int i = 0; i < 4; i++) {
                a.buffer(16).release();
                a.directBuffer(16).release();
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static ResourceLeakDetector<?> byteBufDetector() {
        try {
            Field f = Class.forName("io.netty.buffer.AbstractByteBuf").getDeclaredField("leakDetector");
            f.setAccessible(true);
            return (ResourceLeakDetector<ByteBuf>) f.get(null);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Makes detectors that record what they report. */
    private static final class RecordingFactory extends ResourceLeakDetectorFactory {
        @Override
        @Deprecated
        public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval,
                                                                   long maxActive) {
            return new RecordingDetector<>(resource, samplingInterval);
        }

        @Override
        public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval) {
            return new RecordingDetector<>(resource, samplingInterval);
        }
    }

    private static final class RecordingDetector<T> extends ResourceLeakDetector<T> {
        RecordingDetector(Class<?> resource, int samplingInterval) {
            super(resource, samplingInterval);
        }

        @Override
        protected boolean needReport() {
            return true;
        }

        @Override
        protected void reportTracedLeak(String resourceType, String records) {
            LEAKS.add(resourceType + " leaked:" + records);
            super.reportTracedLeak(resourceType, records);
        }

        @Override
        protected void reportUntracedLeak(String resourceType) {
            LEAKS.add(resourceType + " leaked (untraced)");
            super.reportUntracedLeak(resourceType);
        }
    }

    // ---- a backend that resets ----

    /** Accepts one connection, reads the request, sends part of a response, and resets (RST) when told. */
    private static final class ResettingBackend implements AutoCloseable {
        static final byte[] PARTIAL = "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\npartial".getBytes(US_ASCII);
        private final ServerSocket server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        private final CountDownLatch resetNow = new CountDownLatch(1);
        private final Thread thread = new Thread(this::serve, "resetting-backend");
        private volatile Socket accepted;

        ResettingBackend() throws IOException {
            thread.setDaemon(true);
            thread.start();
        }

        InetSocketAddress address() {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
        }

        void reset() {
            resetNow.countDown();
        }

        private void serve() {
            try (Socket s = server.accept()) {
                accepted = s;
                s.getInputStream().readNBytes(REQUEST.length);
                s.getOutputStream().write(PARTIAL);
                s.getOutputStream().flush();
                if (resetNow.await(30, TimeUnit.SECONDS)) {
                    s.setSoLinger(true, 0);
                }
            } catch (IOException | InterruptedException gone) {
                // closed by the test
            }
        }

        @Override
        public void close() throws IOException {
            resetNow.countDown();
            server.close();
            Socket s = accepted;
            if (s != null) {
                s.close();
            }
        }
    }

    // ---- a backend that accepts late ----

    /**
     * A backend whose accept queue is full until {@link #open()}: the kernel drops connects to it until then, and the
     * next SYN retransmission (about a second later) completes. Once open, it echoes each connection until the
     * client half-closes, then closes.
     */
    private static final class LateBackend implements AutoCloseable {
        private final ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        private final List<Socket> sockets = new CopyOnWriteArrayList<>();
        private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "late-backend");
            t.setDaemon(true);
            return t;
        });

        LateBackend() throws IOException {
            // Fill the accept queue (backlog + 1 on Linux), as TestBackend's NEVER_ACCEPT does.
            for (int i = 0; i < 2; i++) {
                Socket filler = new Socket();
                sockets.add(filler);
                filler.connect(address(), 1000);
                filler.shutdownOutput();
            }
        }

        InetSocketAddress address() {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
        }

        void open() {
            threads.execute(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket s = server.accept();
                        sockets.add(s);
                        threads.execute(() -> echo(s));
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
        }

        private static void echo(Socket s) {
            try (s) {
                s.getInputStream().transferTo(s.getOutputStream());
            } catch (IOException gone) {
                // closed by the test
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket s : sockets) {
                s.close();
            }
            threads.shutdownNow();
        }
    }
}
