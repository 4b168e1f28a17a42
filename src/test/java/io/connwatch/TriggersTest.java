package io.connwatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connwatch.capture.CaptureResult;
import io.connwatch.capture.CaptureTrigger;
import io.connwatch.testing.SocketPairs;
import io.connwatch.tracking.ConnectionTracker;
import io.connwatch.tracking.Side;
import io.connwatch.tracking.TerminationReason;
import io.connwatch.tracking.TrackedConnection;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Accumulation and spike episodes, capture cooldowns and the forced-capture interval, on a fake clock so each check
 * happens exactly when the test says; the connections are real loopback sockets.
 */
class TriggersTest {
    @TempDir
    Path dumps;

    private final FakeTicker ticker = new FakeTicker();
    private final ConnectionTracker tracker = new ConnectionTracker("edge", ticker);
    private final Deque<TrackedConnection> open = new ArrayDeque<>();
    private final List<AccumulationEvent> accumulations = new CopyOnWriteArrayList<>();
    private final List<SpikeEvent> spikes = new CopyOnWriteArrayList<>();
    private final List<CaptureResult> captures = new CopyOnWriteArrayList<>();
    private SocketPairs sockets;
    private ConnectionMonitor monitor;

    @AfterEach
    void tearDown() throws IOException {
        if (monitor != null) {
            monitor.close();
        }
        if (sockets != null) {
            sockets.close();
        }
    }

    private void monitor(UnaryOperator<MonitorSettings.Builder> tune) throws IOException {
        sockets = new SocketPairs();
        monitor = new ConnectionMonitor(tracker, tune.apply(MonitorSettings.builder()
                .accumulationThreshold(5).spikeThreshold(4).outputDirectory(dumps)).build());
        monitor.addListener(new MonitorListener() {
            @Override
            public void onAccumulation(ConnectionMonitor m, AccumulationEvent e) {
                accumulations.add(e);
            }

            @Override
            public void onSpike(ConnectionMonitor m, SpikeEvent e) {
                spikes.add(e);
            }

            @Override
            public void onCapture(ConnectionMonitor m, CaptureResult r) {
                captures.add(r);
            }
        });
    }

    private void openConnections(int n) throws IOException {
        for (int i = 0; i < n; i++) {
            open.push(tracker.open(sockets.accept()));
        }
    }

    private void closeConnections(int n) {
        for (int i = 0; i < n; i++) {
            open.pop().close(Side.INCOMING, TerminationReason.NORMAL);
        }
    }

    private void checkAfter(Duration d) {
        ticker.advance(d);
        monitor.checkNow();
    }

    @Test
    void accumulationFiresOncePerEpisodeAndRearmsWhenTheCountFallsBack() throws IOException {
        monitor(b -> b.spikeThreshold(1000).captureCooldown(Duration.ZERO));
        openConnections(5);
        checkAfter(Duration.ofSeconds(5));
        assertEquals(0, accumulations.size(), "5 is not more than the threshold of 5");

        openConnections(1);
        checkAfter(Duration.ofSeconds(5));
        assertEquals(1, accumulations.size());
        AccumulationEvent first = accumulations.get(0);
        assertEquals(6, first.activeConnections());
        assertEquals(5, first.threshold());
        assertNotNull(first.captureFile());
        assertTrue(Files.isRegularFile(first.captureFile()));
        assertTrue(first.captureFile().getFileName().toString().endsWith("_accumulation.json"));

        openConnections(3);
        checkAfter(Duration.ofSeconds(5));
        checkAfter(Duration.ofSeconds(5));
        assertEquals(1, accumulations.size(), "still the same episode");
        assertEquals(1, captures.size(), "one capture per episode");

        closeConnections(4);
        checkAfter(Duration.ofSeconds(5));
        openConnections(1);
        checkAfter(Duration.ofSeconds(5));
        assertEquals(2, accumulations.size(), "a new episode after the count fell back to the threshold");
        assertEquals(2, captures.size());
        assertEquals(2, monitor.accumulationCount());
    }

    @Test
    void captureCooldownDefersTheNextEpisodesDumpUntilItPasses() throws IOException {
        monitor(b -> b.spikeThreshold(1000).captureCooldown(Duration.ofSeconds(60)));
        openConnections(6);
        checkAfter(Duration.ofSeconds(5));
        assertEquals(1, captures.size());

        closeConnections(1);
        checkAfter(Duration.ofSeconds(5));
        openConnections(1);
        checkAfter(Duration.ofSeconds(5));
        assertEquals(2, accumulations.size(), "the episode is reported at once");
        assertNull(accumulations.get(1).captureFile(), "but its dump waits for the cooldown");
        assertEquals(1, captures.size());

        checkAfter(Duration.ofSeconds(40));
        assertEquals(1, captures.size(), "50 s after the first dump: still cooling down");
        checkAfter(Duration.ofSeconds(10));
        assertEquals(2, captures.size(), "60 s after: the episode gets its dump");
        checkAfter(Duration.ofSeconds(120));
        assertEquals(2, captures.size(), "and only one");
    }

    @Test
    void spikeFiresOncePerRiseAndRearms() throws IOException {
        monitor(b -> b.accumulationThreshold(1000).captureCooldown(Duration.ZERO));
        monitor.checkNow();
        openConnections(4);
        checkAfter(Duration.ofSeconds(5));
        assertEquals(1, spikes.size());
        SpikeEvent e = spikes.get(0);
        assertEquals(0, e.previousCount());
        assertEquals(4, e.activeConnections());
        assertEquals(4, e.increase());
        assertEquals(4, e.spikeThreshold());
        assertEquals(Duration.ofSeconds(5), e.interval());
        assertEquals(CaptureTrigger.SPIKE, captures.get(0).trigger());

        openConnections(4);
        checkAfter(Duration.ofSeconds(5));
        assertEquals(1, spikes.size(), "a rise that goes on is the same spike");

        openConnections(3);
        checkAfter(Duration.ofSeconds(5));
        openConnections(4);
        checkAfter(Duration.ofSeconds(5));
        assertEquals(2, spikes.size(), "re-armed by a check that rose less than the threshold");
        assertEquals(2, monitor.spikeCount());
    }

    @Test
    void burstThatIsBothSpikeAndAccumulationTakesOneCapture() throws IOException {
        monitor(b -> b.captureCooldown(Duration.ofSeconds(60)));
        monitor.checkNow();
        openConnections(20);
        checkAfter(Duration.ofSeconds(5));
        assertEquals(1, spikes.size());
        assertEquals(1, accumulations.size());
        assertEquals(1, captures.size());
        assertEquals(CaptureTrigger.ACCUMULATION, captures.get(0).trigger());

        closeConnections(20);
        checkAfter(Duration.ofSeconds(5));
        openConnections(20);
        checkAfter(Duration.ofSeconds(5));
        assertEquals(2, spikes.size());
        assertEquals(1, captures.size(), "automatic captures are at least the cooldown apart");
    }

    @Test
    void forcedCapturesAreAtLeastTheForcedIntervalApart() throws IOException {
        monitor(b -> b);
        openConnections(2);
        Path first = monitor.forceCaptureNow();
        ticker.advance(Duration.ofMillis(500));
        assertEquals(first, monitor.forceCaptureNow(), "within 1 s: the last dump's path");
        ticker.advance(Duration.ofMillis(600));
        Path second = monitor.forceCaptureNow();
        assertNotEquals(first, second);
        assertTrue(Files.isRegularFile(second));
        assertEquals(2, monitor.captureCount());
        assertTrue(second.getFileName().toString().endsWith("_force_capture.json"));
    }
}
