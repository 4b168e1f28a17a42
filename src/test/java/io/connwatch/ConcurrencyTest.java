package io.connwatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.connwatch.tracking.ConnectionTracker;
import io.connwatch.tracking.Side;
import io.connwatch.tracking.TerminationReason;
import io.connwatch.tracking.TrackedConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Host threads open, update and close connections while the monitor checks and captures: nothing is lost, counted
 * twice, or left behind.
 */
class ConcurrencyTest {
    private static final int WORKERS = 8;
    private static final int TOTAL = 100_000;
    private static final int PER_WORKER = TOTAL / WORKERS;
    // Each worker keeps this many connections open at once, so checks and dumps see a live crowd.
    private static final int WINDOW = 64;
    private static final int CHECKER_ROUNDS_BEFORE_HALFWAY = 3;

    @TempDir
    Path dumps;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void openUpdateAndCloseFromManyThreadsWhileTheMonitorChecksAndCaptures() throws Exception {
        ConnectionTracker tracker = new ConnectionTracker("concurrency");
        MonitorSettings settings = MonitorSettings.builder()
                .outputDirectory(dumps)
                .forcedCaptureInterval(Duration.ZERO)
                .maxConnectionDetails(100)
                .build();
        ExecutorService pool = Executors.newFixedThreadPool(WORKERS + 1);
        try (ConnectionMonitor monitor = new ConnectionMonitor(tracker, settings)) {
            CountDownLatch go = new CountDownLatch(1);
            // The workers wait halfway for a few checker rounds, so checks and captures surely overlap their work.
            CountDownLatch checkerRunning = new CountDownLatch(CHECKER_ROUNDS_BEFORE_HALFWAY);
            AtomicBoolean workersDone = new AtomicBoolean();
            AtomicInteger rounds = new AtomicInteger();

            List<Future<?>> workers = new ArrayList<>();
            for (int w = 0; w < WORKERS; w++) {
                int worker = w;
                workers.add(pool.submit(() -> {
                    go.await();
                    work(tracker, worker, checkerRunning);
                    return null;
                }));
            }
            Future<?> checker = pool.submit(() -> {
                go.await();
                while (!workersDone.get()) {
                    monitor.checkNow();
                    monitor.forceCaptureNow();
                    rounds.incrementAndGet();
                    checkerRunning.countDown();
                }
                return null;
            });

            go.countDown();
            for (Future<?> f : workers) {
                f.get(60, TimeUnit.SECONDS);
            }
            workersDone.set(true);
            checker.get(60, TimeUnit.SECONDS);

            assertTrue(rounds.get() >= CHECKER_ROUNDS_BEFORE_HALFWAY, "checker rounds: " + rounds.get());
            assertEquals(0, tracker.activeConnections());
            assertEquals(TOTAL, tracker.totalOpened());
            assertEquals(TOTAL, tracker.totalClosed());
            assertEquals(TOTAL, tracker.terminationStats().total());
            assertEquals(TOTAL / 2, tracker.terminationStats().count(Side.INCOMING, TerminationReason.CLOSED_INCOMING));
            assertEquals(TOTAL / 2, tracker.terminationStats().count(Side.OUTGOING, TerminationReason.CLOSED_OUTGOING));
            assertTrue(tracker.peakConnections() >= WINDOW && tracker.peakConnections() <= (long) WORKERS * WINDOW,
                    "peak " + tracker.peakConnections());
            assertFalse(tracker.iterator().hasNext(), "the tracker iterates empty");
            assertEquals(0, monitor.captureFailures());
            assertEquals(0, monitor.probeFailures());
            assertEquals(0, monitor.taskFailures());
            assertEquals(rounds.get(), monitor.checkCount());
            // Beside the forced captures, the crowd (over the accumulation threshold of 50) may have caused one
            // automatic capture; the cooldown allows no more.
            long automatic = monitor.captureCount() - rounds.get();
            assertTrue(automatic == 0 || automatic == 1, "automatic captures: " + automatic);

            // A check after the churn sees nothing, and every dump written during it is whole.
            assertEquals(0, monitor.checkNow().examined());
            assertDumpsAreWhole(rounds.get(), (int) automatic);
        } finally {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
        }
    }

    private static void work(ConnectionTracker tracker, int worker, CountDownLatch checkerRunning) throws Exception {
        TrackedConnection[] open = new TrackedConnection[WINDOW];
        FakeEndpoint[][] sockets = new FakeEndpoint[WINDOW][];
        for (int i = 0; i < PER_WORKER; i++) {
            if (i == PER_WORKER / 2 && !checkerRunning.await(30, TimeUnit.SECONDS)) {
                throw new AssertionError("the checker did not run");
            }
            int slot = i % WINDOW;
            if (open[slot] != null) {
                finish(open[slot], sockets[slot], i);
            }
            FakeEndpoint in = new FakeEndpoint();
            FakeEndpoint out = new FakeEndpoint();
            TrackedConnection c = tracker.open(in, "10.1." + worker + "." + (i % 250), 40_000 + slot, 8080);
            c.target("10.0.0." + (i % 5), 9000 + worker);
            c.attachOutgoing(out);
            c.addBytesReceived(100);
            c.touch();
            c.addBytesSent(200);
            open[slot] = c;
            sockets[slot] = new FakeEndpoint[] {in, out};
        }
        for (int slot = 0; slot < WINDOW; slot++) {
            if (open[slot] != null) {
                finish(open[slot], sockets[slot], slot);
            }
        }
    }

    private static void finish(TrackedConnection c, FakeEndpoint[] sockets, int i) {
        c.addBytesReceived(10);
        c.addBytesSent(20);
        boolean clientFirst = c.serial() % 2 == 0;
        if (!c.close(clientFirst ? Side.INCOMING : Side.OUTGOING,
                clientFirst ? TerminationReason.CLOSED_INCOMING : TerminationReason.CLOSED_OUTGOING)) {
            throw new AssertionError(c + " was closed twice");
        }
        // A second report of the same end, as a host's other direction would make, is ignored.
        if (c.close(Side.INCOMING, TerminationReason.ERROR)) {
            throw new AssertionError(c + " accepted a second reason");
        }
        sockets[0].close();
        sockets[1].close();
    }

    private void assertDumpsAreWhole(int forced, int automatic) throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<Path> files;
        try (Stream<Path> s = Files.list(dumps)) {
            files = s.toList();
        }
        assertEquals(forced + automatic, files.size(), "one file per capture, no temporary file left: " + files);
        int forcedFiles = 0;
        for (Path f : files) {
            String name = f.getFileName().toString();
            assertTrue(name.startsWith("accumulation_") && name.endsWith(".json"), name);
            JsonNode d = json.readTree(f.toFile());
            assertEquals("connwatch.diagnostics/1", d.path("format").asText(), name);
            String trigger = d.path("trigger").asText();
            assertTrue(name.contains("_" + trigger), name + " holds trigger " + trigger);
            if (trigger.equals("force_capture")) {
                forcedFiles++;
            }
            assertTrue(d.path("connections").size() <= 100, name);
            assertTrue(d.path("summary").path("activeConnections").asLong() <= (long) WORKERS * WINDOW, name);
        }
        assertEquals(forced, forcedFiles);
    }
}
