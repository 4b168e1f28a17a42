package io.connwatch.testing;

import static io.connwatch.testing.Sockets.REQUEST;
import static io.connwatch.testing.Sockets.send;
import static io.connwatch.testing.TestTimes.ms;
import static org.awaitility.Awaitility.await;

import io.connwatch.ConnectionMonitor;
import io.connwatch.MonitorSettings;
import io.connwatch.analysis.CheckResult;
import io.connwatch.analysis.Pattern;
import io.connwatch.demo.TestBackend;
import io.connwatch.demo.TestRelay;
import io.connwatch.proxy.ConnwatchProxy;
import io.connwatch.tracking.ConnectionTracker;
import io.connwatch.tracking.Side;
import io.connwatch.tracking.TerminationReason;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import jdk.jfr.Recording;

/**
 * Real connections on loopback, through {@link TestRelay}s to {@link TestBackend}s, that show the patterns a
 * test asks for, under a monitor with short thresholds. The monitor is started (its clock ticks) but checks only
 * when asked: a test decides which check its events and dumps come from. Cleanup is off, so what was found stays.
 */
public final class LoopbackPatterns implements AutoCloseable {
    /** The events that are emitted periodically. */
    public static final Set<String> PERIODIC = Set.of("io.connwatch.ConnectionStatistics",
            "io.connwatch.PatternTally");

    private final List<AutoCloseable> resources = new ArrayList<>();
    private final Map<TestBackend.Behaviour, TestBackend> backends = new EnumMap<>(TestBackend.Behaviour.class);
    private final ConnectionTracker tracker;
    private final ConnectionMonitor monitor;

    /**
     * A tracker and a started monitor named {@code name}, dumping into {@code dumps}. Thresholds of 300 ms (scaled)
     * for stuck, half-zombie, no-outgoing and slow-backend; idle and old after an hour, so they do not mix in;
     * listener leak above 3; no accumulation or spike until a test lowers the thresholds.
     */
    public LoopbackPatterns(String name, Path dumps, UnaryOperator<MonitorSettings.Builder> tune) {
        tracker = new ConnectionTracker(name);
        MonitorSettings.Builder b = MonitorSettings.builder()
                .checkInterval(Duration.ofHours(1))
                .cleanupEnabled(false)
                .accumulationThreshold(10_000)
                .spikeThreshold(10_000)
                .captureCooldown(Duration.ZERO)
                .forcedCaptureInterval(Duration.ZERO)
                .stuckAfter(ms(300))
                .halfZombieGrace(ms(300))
                .connectTimeout(ms(300))
                .slowAfter(ms(300))
                .idleAfter(Duration.ofHours(1))
                .oldAfter(Duration.ofHours(1))
                .listenerLeakThreshold(3)
                .jitter(0)
                .outputDirectory(dumps);
        monitor = new ConnectionMonitor(tracker, tune.apply(b).build()).start();
    }

    public ConnectionTracker tracker() {
        return tracker;
    }

    public ConnectionMonitor monitor() {
        return monitor;
    }

    private TestBackend backend(TestBackend.Behaviour behaviour) throws IOException {
        TestBackend b = backends.get(behaviour);
        if (b == null) {
            b = use(new TestBackend(behaviour));
            backends.put(behaviour, b);
        }
        return b;
    }

    private <T extends AutoCloseable> T use(T resource) {
        resources.add(resource);
        return resource;
    }

    private TestRelay relay(TestBackend.Behaviour behaviour) throws IOException {
        return use(new TestRelay(tracker, backend(behaviour).address()));
    }

    /** A request to a backend that never answers: STUCK. */
    public LoopbackPatterns stuck() throws IOException {
        long opened = tracker.totalOpened();
        send(relay(TestBackend.Behaviour.HANG).connect(), REQUEST);
        awaitTracked(opened);
        return this;
    }

    /** A request to a backend that drips its answer a byte at a time: SLOW_BACKEND, and nothing else. */
    public LoopbackPatterns slowBackend() throws IOException {
        long opened = tracker.totalOpened();
        send(relay(TestBackend.Behaviour.DRIP).connect(), REQUEST);
        awaitTracked(opened);
        return this;
    }

    /** A request through the reference Netty proxy to a backend that never answers: STUCK, with Netty's handlers. */
    public LoopbackPatterns stuckThroughNettyProxy() throws Exception {
        long opened = tracker.totalOpened();
        ConnwatchProxy proxy = use(ConnwatchProxy.builder().target(backend(TestBackend.Behaviour.HANG).address())
                .tracker(tracker).build().start());
        Socket client = use(new Socket(InetAddress.getLoopbackAddress(), proxy.address().getPort()));
        send(client, REQUEST);
        awaitTracked(opened);
        return this;
    }

    /** A request, then the client half-closes, to a backend that stays silent: HALF_ZOMBIE (and STUCK). */
    public LoopbackPatterns halfZombie() throws IOException {
        long opened = tracker.totalOpened();
        Socket client = relay(TestBackend.Behaviour.HANG).connect();
        send(client, REQUEST);
        client.shutdownOutput();
        awaitTracked(opened);
        return this;
    }

    /** A client the relay never routes: NO_OUTGOING. */
    public LoopbackPatterns noOutgoing() throws IOException {
        long opened = tracker.totalOpened();
        use(new TestRelay(tracker, backend(TestBackend.Behaviour.HANG).address()).neverRoute()).connect();
        awaitTracked(opened);
        return this;
    }

    /** A relay that closes both sockets when the client half-closes and never tells the tracker: ZOMBIE. */
    public LoopbackPatterns zombie() throws IOException {
        long opened = tracker.totalOpened();
        TestRelay relay = use(new TestRelay(tracker, backend(TestBackend.Behaviour.ECHO).address())
                .forgetful());
        Socket client = relay.connect();
        send(client, REQUEST);
        client.getInputStream().readNBytes(REQUEST.length);
        client.shutdownOutput();
        awaitTracked(opened);
        return this;
    }

    /** A relay that adds a callback per message, five messages echoed: LISTENER_LEAK (and SLOW_BACKEND later). */
    public LoopbackPatterns listenerLeak() throws IOException {
        long opened = tracker.totalOpened();
        TestRelay relay = use(new TestRelay(tracker, backend(TestBackend.Behaviour.ECHO).address())
                .leakListeners());
        Socket client = relay.connect();
        for (int i = 0; i < 5; i++) {
            send(client, REQUEST);
            client.getInputStream().readNBytes(REQUEST.length);
        }
        awaitTracked(opened);
        return this;
    }

    /** A backend that refuses: the relay closes at once, counted as {@code econnrefused} on the outgoing side. */
    public LoopbackPatterns refused() throws IOException {
        long n = tracker.terminationStats().count(Side.OUTGOING, TerminationReason.ECONNREFUSED);
        TestRelay relay = use(new TestRelay(tracker, TestBackend.refusingAddress()));
        Socket client = relay.connect();
        await().atMost(ms(8000)).until(() ->
                tracker.terminationStats().count(Side.OUTGOING, TerminationReason.ECONNREFUSED) > n);
        client.close();
        return this;
    }

    // The relays open the record on their own threads: wait for it, so the next check sees the connection.
    private void awaitTracked(long openedBefore) {
        await().atMost(ms(8000)).until(() -> tracker.totalOpened() > openedBefore);
    }

    /** Work done while recording. */
    @FunctionalInterface
    public interface During {
        void run() throws Exception;
    }

    /**
     * Records the given connwatch events into {@code file} while {@code during} runs. The periodic ones
     * (statistics, tallies) are emitted once, as the recording ends, so they carry the latest check's figures
     * whatever the scheduling. The recording has no destination while it runs, so dumps stay where configured.
     */
    public static void record(Path file, List<String> events, During during) throws Exception {
        try (Recording rec = new Recording()) {
            for (String event : events) {
                if (PERIODIC.contains(event)) {
                    rec.enable(event).with("period", "endChunk");
                } else {
                    rec.enable(event);
                }
            }
            rec.start();
            during.run();
            rec.stop();
            rec.dump(file);
        }
    }

    /** Checks until every pattern given shows at least its count; returns that check. */
    public CheckResult awaitAtLeast(Map<Pattern, Integer> counts) {
        CheckResult[] last = new CheckResult[1];
        await().atMost(ms(10_000)).pollInterval(Duration.ofMillis(100)).until(() -> {
            last[0] = monitor.checkNow();
            return counts.entrySet().stream().allMatch(e -> last[0].count(e.getKey()) >= e.getValue());
        });
        return last[0];
    }

    @Override
    public void close() throws Exception {
        monitor.close();
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }
}
